/*
 * match_groups.c: `peerlink match groups`: clients into support groups (docs/groups.md).
 *
 * The JSON layer reads the request into a pl_groups_program (engine/json/groups.c), where a
 * group's requires/modality have become per-client eligibility and social anxiety a per-client
 * group-size limit (the core's rules, engine/match/program.c). The core scores the clients
 * against themselves (compat; NaN pairs may not share a group) and partitions them
 * (pl_groups_solve, which also gives the upper bound and the gap); the JSON layer writes the
 * answer, staffs the formed groups (pl_json_staff_groups) and adds the exposure plans.
 */
#include "cli.h"

#include <stdint.h>
#include <stdlib.h>

#include <peerlink/json_exposure.h>
#include <peerlink/json_facilitators.h>
#include <peerlink/json_match.h>

/* The command's state across the steps of cli_run_job: the groups and, when the request has
 * "facilitators", the staffing and the exposure plans (read while the document is alive:
 * cli_read_program frees it). */
typedef struct groups_job {
	pl_groups_program m;
	pl_json_staffing staff;
	pl_json_exposure exposure;
	int32_t as_of; /* --as-of, or INT32_MIN */
	pl_groups_problem pb;
	pl_groups_result res;
	double *S;
} groups_job;

static pl_status read_program(json_t *doc, void *state, pl_error *err)
{
	groups_job *q = state;
	pl_status st = pl_json_read_groups_program(doc, &q->m, err);
	if (st == PL_OK)
		st = pl_json_read_exposure(doc, q->as_of, &q->m, &q->exposure, err);
	return st == PL_OK ? pl_json_read_staffing(doc, &q->staff, err) : st;
}

static int read_step(cli_ctx *ctx, void *state)
{
	groups_job *j = state;
	int rc = cli_read_program(ctx, read_program, j);

	/* --seed wins; the input's "seed" is the default, else 0 (as risk train and risk ews read
	 * it: the command line says what this run should do). */
	if (rc == CLI_EXIT_OK && ctx->have_seed)
		j->m.seed = ctx->seed;
	else if (rc == CLI_EXIT_OK && !j->m.has_seed)
		j->m.seed = 0;
	return rc;
}

static pl_status scores_step(void *state, pl_error *err)
{
	groups_job *j = state;
	return pl_groups_program_scores(&j->m, &j->S, err);
}

static pl_status solve_step(void *state, pl_error *err)
{
	groups_job *j = state;
	pl_status st;

	pl_groups_program_problem(&j->m, j->S, &j->pb);
	st = pl_groups_solve(&j->pb, &j->res, err);
	if (st != PL_OK)
		pl_json_groups_name_error(&j->m, err);
	return st;
}

/* The answer, the formed groups' staffing and the exposure plans. */
static pl_status answer_step(void *state, const pl_json_timings *t, json_t **answer,
			     pl_error *err)
{
	groups_job *j = state;
	pl_status st;

	*answer = pl_json_groups_answer(&j->m, j->S, &j->res);
	if (!*answer)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	st = pl_json_staff_groups(*answer, &j->staff, &j->res, err);
	if (st == PL_OK)
		st = pl_json_write_exposure(*answer, &j->exposure, &j->m, &j->res, err);
	return st;
}

static json_t *stats_step(void *state, const pl_json_timings *t)
{
	groups_job *j = state;
	return pl_json_groups_stats(&j->m, &j->res, t);
}

int cmd_match_groups(cli_ctx *ctx)
{
	static const cli_job job = { read_step, scores_step, solve_step, answer_step, stats_step, 0,
				     "groups", NULL };
	groups_job j = { .as_of = INT32_MIN, .res = PL_GROUPS_RESULT_INIT };
	int rc;

	pl_groups_program_init(&j.m);
	pl_json_staffing_init(&j.staff);
	pl_json_exposure_init(&j.exposure);
	if (cli_opt_given(ctx, "as-of"))
		j.as_of = (int32_t)cli_opt_int(ctx, "as-of");
	rc = cli_run_job(ctx, &job, &j);
	free(j.S);
	pl_groups_result_release(&j.res);
	pl_groups_program_release(&j.m);
	pl_json_staffing_release(&j.staff);
	pl_json_exposure_release(&j.exposure);
	return rc;
}
