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

static json_t *stats_of(cli_ctx *ctx, const pl_json_outreach *o, const pl_outreach_result *res,
			double solve_ms)
{
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
	json_object_set_new(s, "parse_ms", json_real(cli_ms(ctx, ctx->parse_ms)));
	json_object_set_new(s, "solve_ms", json_real(cli_ms(ctx, solve_ms)));
	return s;
}

int cmd_outreach(cli_ctx *ctx)
{
	json_t *doc = NULL, *answer, *program = NULL, *suggested = NULL;
	pl_json_outreach o;
	pl_outreach_result res = PL_OUTREACH_RESULT_INIT;
	double t0, solve_ms;
	pl_status st;
	int rc, rematch = 0;

	pl_json_outreach_init(&o);
	rc = cli_read_input(ctx, &doc);
	if (rc != CLI_EXIT_OK)
		return rc;
	t0 = cli_now_ms();
	rc = load_risk_file(ctx, doc);
	if (rc != CLI_EXIT_OK)
		goto out;
	st = pl_json_read_outreach(doc, &o, &ctx->err);
	if (st == PL_OK)
		st = pl_json_outreach_read_rematch(doc, &rematch, &program, &ctx->err);
	json_decref(doc);
	doc = NULL;
	if (st != PL_OK)
		goto fail;
	ctx->parse_ms += cli_now_ms() - t0;
	t0 = cli_now_ms();
	st = pl_outreach_plan(&o.prob, &res, &ctx->err);
	if (st != PL_OK)
		goto fail;
	if (rematch) {
		st = pl_json_outreach_rematch(program, &o, &res, &suggested, &ctx->err);
		if (st != PL_OK)
			goto fail;
	}
	solve_ms = cli_now_ms() - t0;
	answer = pl_json_write_outreach(&o, &res);
	if (answer && suggested) {
		json_object_set_new(answer, "rematch", suggested);
		suggested = NULL;
	}
	if (answer)
		json_object_set_new(answer, "stats", stats_of(ctx, &o, &res, solve_ms));
	rc = cli_write_output(ctx, answer);
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	json_decref(doc);
	json_decref(program);
	json_decref(suggested);
	pl_outreach_result_release(&res);
	pl_json_outreach_release(&o);
	return rc;
}
