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

static pl_status read_program(json_t *doc, void *g, pl_error *err)
{
	return pl_json_read_graph(doc, g, err);
}

int cmd_solve_matching(cli_ctx *ctx)
{
	pl_json_graph g;
	pl_blossom_options opt = PL_BLOSSOM_OPTIONS_INIT;
	pl_blossom_result res = PL_BLOSSOM_RESULT_INIT;
	pl_json_timings t = { 0, -1, 0, -1 };
	double t0;
	pl_status st;
	int rc;

	memset(&g, 0, sizeof(g));
	rc = cli_read_program(ctx, read_program, &g);
	if (rc != CLI_EXIT_OK)
		goto out;
#ifdef __GLIBC__
	/* Freeing a large JSON tree leaves millions of small free chunks that glibc consolidates at
	 * the next large allocation; do it now (as part of parsing), so that solve_ms measures the
	 * solver. */
	t0 = cli_now_ms();
	malloc_trim(0);
	ctx->parse_ms += cli_now_ms() - t0;
#endif
	opt.max_cardinality = g.max_cardinality;
	t0 = cli_now_ms();
	st = pl_blossom_solve(g.n, g.m, g.eu, g.ev, g.w, &opt, &res, &ctx->err);
	if (st != PL_OK) {
		rc = cli_exit_for(st);
		goto out;
	}
	t.solve_ms = cli_ms(ctx, cli_now_ms() - t0);
	t.parse_ms = cli_ms(ctx, ctx->parse_ms);
	rc = cli_write_output(ctx, pl_json_matching_answer(&g, &res, &t));
out:
	pl_blossom_result_release(&res);
	pl_json_graph_release(&g);
	return rc;
}
