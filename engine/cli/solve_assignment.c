/*
 * solve_assignment.c: `peerlink solve assignment`, the researcher-facing assignment solver.
 *
 * Input  {"costs" | "scores": matrix (or {"npy": FILE}), "capacities": [int per column]}
 * Output {"assignment": [column or null per row], "total": number, "stats": {...}}
 * The matrix is read here (a .npy file is resolved against the input's folder); capacities and
 * the answer are the JSON layer's (engine/json/solvers.c). The JSON tree is released before
 * solving, so a large matrix is held once, as doubles.
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/json_match.h>

/* The command's state across the steps of cli_run_job. */
typedef struct assignment_job {
	cli_ctx *ctx; /* the matrix may be a .npy file named inside the input */
	double *m;
	long *cap;
	size_t nr, nc;
	int maximize, from_npy;
	pl_assign_result res;
} assignment_job;

static pl_status read_request(json_t *doc, void *state, pl_error *err)
{
	static const char *const keys[] = { "costs", "scores", "capacities", NULL };
	assignment_job *j = state;
	json_t *costs, *scores;
	pl_status st = pl_json_check_keys(doc, "", keys, err);

	if (st != PL_OK)
		return st;
	costs = json_object_get(doc, "costs");
	scores = json_object_get(doc, "scores");
	if (!costs == !scores)
		return pl_error_set(err, PL_ERR_INVALID, costs ? "/scores" : "",
				    "give exactly one of 'costs' (minimize) or 'scores' (maximize)");
	j->maximize = scores != NULL;
	j->from_npy = json_is_object(j->maximize ? scores : costs);
	st = cli_read_matrix(j->ctx, j->maximize ? scores : costs, j->maximize ? "/scores" : "/costs",
			     NAN, &j->m, &j->nr, &j->nc, err);
	return st == PL_OK ? pl_json_read_capacities(doc, j->nc, &j->cap, err) : st;
}

static int read_step(cli_ctx *ctx, void *state)
{
	return cli_read_program(ctx, read_request, state);
}

/* Scores are maximized as negated costs. */
static pl_status solve_step(void *state, pl_error *err)
{
	assignment_job *j = state;
	pl_status st;

	if (j->maximize)
		for (size_t k = 0; k < j->nr * j->nc; k++)
			j->m[k] = -j->m[k];
	st = pl_assign_solve(j->m, j->nr, j->nc, j->cap, &j->res, err);
	if (st == PL_ERR_INVALID)
		pl_json_point_into_matrix(err, j->maximize ? "/scores" : "/costs", j->from_npy);
	return st;
}

static pl_status answer_step(void *state, const pl_json_timings *t, json_t **answer,
			     pl_error *err)
{
	assignment_job *j = state;
	*answer = pl_json_assignment_answer(&j->res, j->maximize, t);
	return PL_OK;
}

int cmd_solve_assignment(cli_ctx *ctx)
{
	static const cli_job job = { read_step, NULL, solve_step, answer_step, NULL, 0, NULL, NULL };
	assignment_job j = { .ctx = ctx, .res = PL_ASSIGN_RESULT_INIT };
	int rc = cli_run_job(ctx, &job, &j);

	pl_assign_result_release(&j.res);
	free(j.m);
	free(j.cap);
	return rc;
}
