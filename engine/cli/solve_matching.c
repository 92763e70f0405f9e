/*
 * solve_matching.c: `peerlink solve matching`, maximum-weight matching on a general graph
 * (docs/matching.md).
 *
 * The JSON layer reads the graph (engine/json/solvers.c); the JSON tree is released before
 * solving, and solve_ms covers the solver only (validation and parsing are in parse_ms).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <peerlink/json_match.h>

/* The command's state across the steps of cli_run_job. */
typedef struct matching_job {
	pl_json_graph g;
	pl_blossom_result res;
} matching_job;

static pl_status read_program(json_t *doc, void *g, pl_error *err)
{
	return pl_json_read_graph(doc, g, err);
}

static int read_step(cli_ctx *ctx, void *state)
{
	int rc = cli_read_program(ctx, read_program, &((matching_job *)state)->g);
#ifdef __GLIBC__
	/* Freeing a large JSON tree leaves millions of small free chunks that glibc consolidates at
	 * the next large allocation; do it now (as part of parsing), so that solve_ms measures the
	 * solver. */
	if (rc == CLI_EXIT_OK) {
		double t0 = cli_now_ms();
		malloc_trim(0);
		ctx->parse_ms += cli_now_ms() - t0;
	}
#endif
	return rc;
}

static pl_status solve_step(void *state, pl_error *err)
{
	matching_job *j = state;
	pl_blossom_options opt = PL_BLOSSOM_OPTIONS_INIT;

	opt.max_cardinality = j->g.max_cardinality;
	return pl_blossom_solve(j->g.n, j->g.m, j->g.eu, j->g.ev, j->g.w, &opt, &j->res, err);
}

static pl_status answer_step(void *state, const pl_json_timings *t, json_t **answer,
			     pl_error *err)
{
	matching_job *j = state;
	*answer = pl_json_matching_answer(&j->g, &j->res, t);
	return PL_OK;
}

int cmd_solve_matching(cli_ctx *ctx)
{
	static const cli_job job = { read_step, NULL, solve_step, answer_step, NULL, 0, NULL, NULL };
	matching_job j = { .res = PL_BLOSSOM_RESULT_INIT };
	int rc;

	memset(&j.g, 0, sizeof(j.g));
	rc = cli_run_job(ctx, &job, &j);
	pl_blossom_result_release(&j.res);
	pl_json_graph_release(&j.g);
	return rc;
}
