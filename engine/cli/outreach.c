/*
 * outreach.c: `peerlink outreach`, who reaches out to whom today (docs/outreach.md).
 *
 * Input  {"risk": risk score answer or "FILE" (relative to the input file), "relationships":
 *         {"buddies", "mentors", "groups"}, "supporters": [{id, available | days, budget,
 *         asks_this_week}], "budget_per_week", "silence_limit_days", "ask_from", "weights",
 *         "today", "rematch": bool, "program": a `match mentors` request}
 * Output {"asks", "needs_clinician", "over_budget", "excluded_supporters", "unreached",
 *         "rematch" (with "rematch": true), "stats"}.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/json_outreach.h>
#include <peerlink/limits.h>

/* "risk": "FILE" becomes the document held in that file (a file inside the input's folder,
 * under the same rules as every file named inside an input: cli_open_named). */
static int load_risk_file(cli_ctx *ctx, json_t *doc)
{
	json_t *v = json_object_get(doc, "risk"), *risk = NULL;
	char missing[96];
	FILE *f;
	int rc;

	if (!json_is_string(v))
		return CLI_EXIT_OK;
	snprintf(missing, sizeof(missing), "cannot open the risk answer file: %s", strerror(ENOENT));
	rc = cli_open_named(ctx, json_string_value(v), "/risk", PL_LIMIT_INPUT_BYTES, missing, &f);
	if (rc == CLI_EXIT_OK)
		rc = cli_load_stream(ctx, f, "risk answer file", "/risk", &risk);
	if (rc != CLI_EXIT_OK)
		return rc;
	if (pl_json_check_limits(risk, "/risk", &ctx->err) != PL_OK) {
		json_decref(risk);
		return cli_exit_for(ctx->err.code);
	}
	json_object_set_new(doc, "risk", risk);
	return CLI_EXIT_OK;
}

/* The command's state across the steps of cli_run_job. */
typedef struct outreach_job {
	cli_ctx *ctx; /* the risk answer may be a file named inside the input */
	pl_json_outreach o;
	pl_outreach_result res;
	int rematch;
	json_t *program, *suggested; /* "rematch": the `match mentors` request, then its answer */
} outreach_job;

static pl_status read_request(json_t *doc, void *state, pl_error *err)
{
	outreach_job *j = state;
	pl_status st;

	if (load_risk_file(j->ctx, doc) != CLI_EXIT_OK)
		return err->code;
	st = pl_json_read_outreach(doc, &j->o, err);
	if (st == PL_OK)
		st = pl_json_outreach_read_rematch(doc, &j->rematch, &j->program, err);
	return st;
}

static int read_step(cli_ctx *ctx, void *state)
{
	return cli_read_program(ctx, read_request, state);
}

static pl_status solve_step(void *state, pl_error *err)
{
	outreach_job *j = state;
	pl_status st = pl_outreach_plan(&j->o.prob, &j->res, err);

	if (st == PL_OK && j->rematch)
		st = pl_json_outreach_rematch(j->program, &j->o, &j->res, &j->suggested, err);
	return st;
}

static pl_status answer_step(void *state, const pl_json_timings *t, json_t **answer,
			     pl_error *err)
{
	outreach_job *j = state;

	(void)err;
	*answer = pl_json_write_outreach(&j->o, &j->res);
	if (*answer && j->suggested) {
		json_object_set_new(*answer, "rematch", j->suggested);
		j->suggested = NULL;
	}
	return PL_OK;
}

static json_t *stats_step(void *state, const pl_json_timings *t)
{
	outreach_job *j = state;
	const pl_json_outreach *o = &j->o;
	const pl_outreach_result *res = &j->res;
	json_t *s = json_object();
	size_t eligible = 0;

	for (size_t k = 0; k < o->prob.nsupporters; k++)
		eligible += res->exclusion[k] == PL_OUTREACH_ELIGIBLE;
	json_object_set_new(s, "algorithm",
			    json_string("rules for triage, then exact capacitated assignment "
					"(most clients reached, then closest relationships)"));
	json_object_set_new(s, "clients", json_integer((json_int_t)o->prob.nclients));
	json_object_set_new(s, "needing_ask", json_integer((json_int_t)res->needing));
	json_object_set_new(s, "asks", json_integer((json_int_t)res->asks));
	json_object_set_new(s, "needs_clinician", json_integer((json_int_t)res->clinician));
	json_object_set_new(s, "unreached", json_integer((json_int_t)res->unreached));
	json_object_set_new(s, "supporters", json_integer((json_int_t)o->prob.nsupporters));
	json_object_set_new(s, "eligible_supporters", json_integer((json_int_t)eligible));
	json_object_set_new(s, "closeness", json_real(res->closeness));
	pl_json_add_timings(s, t); /* parse_ms and solve_ms: no compat or explain step */
	return s;
}

int cmd_outreach(cli_ctx *ctx)
{
	static const cli_job job = { read_step, NULL, solve_step, answer_step, stats_step, 0, NULL,
				     NULL };
	outreach_job j = { .ctx = ctx, .res = PL_OUTREACH_RESULT_INIT };
	int rc;

	pl_json_outreach_init(&j.o);
	rc = cli_run_job(ctx, &job, &j);
	json_decref(j.program);
	json_decref(j.suggested);
	pl_outreach_result_release(&j.res);
	pl_json_outreach_release(&j.o);
	return rc;
}
