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

int cmd_solve_assignment(cli_ctx *ctx)
{
	static const char *const keys[] = { "costs", "scores", "capacities", NULL };
	json_t *doc = NULL, *costs, *scores;
	double *m = NULL, t0;
	long *cap = NULL;
	size_t nr = 0, nc = 0;
	pl_assign_result res = PL_ASSIGN_RESULT_INIT;
	pl_status st;
	int rc, maximize, from_npy;

	rc = cli_read_input(ctx, &doc);
	if (rc != CLI_EXIT_OK)
		return rc;
	t0 = cli_now_ms();
	st = pl_json_check_keys(doc, "", keys, &ctx->err);
	if (st != PL_OK)
		goto fail;
	costs = json_object_get(doc, "costs");
	scores = json_object_get(doc, "scores");
	if (!costs == !scores) {
		st = pl_error_set(&ctx->err, PL_ERR_INVALID, costs ? "/scores" : "",
				  "give exactly one of 'costs' (minimize) or 'scores' (maximize)");
		goto fail;
	}
	maximize = scores != NULL;
	from_npy = json_is_object(maximize ? scores : costs);
	st = cli_read_matrix(ctx, maximize ? scores : costs, maximize ? "/scores" : "/costs", NAN,
			     &m, &nr, &nc, &ctx->err);
	if (st != PL_OK)
		goto fail;
	st = pl_json_read_capacities(doc, nc, &cap, &ctx->err);
	if (st != PL_OK)
		goto fail;
	json_decref(doc);
	doc = NULL;
	ctx->parse_ms += cli_now_ms() - t0;

	if (maximize)
		for (size_t k = 0; k < nr * nc; k++)
			m[k] = -m[k];
	t0 = cli_now_ms();
	st = pl_assign_solve(m, nr, nc, cap, &res, &ctx->err);
	if (st == PL_ERR_INVALID)
		pl_json_point_into_matrix(&ctx->err, maximize ? "/scores" : "/costs", from_npy);
	if (st != PL_OK)
		goto fail;
	{
		pl_json_timings t = { cli_ms(ctx, ctx->parse_ms), -1, cli_ms(ctx, cli_now_ms() - t0), -1 };
		rc = cli_write_output(ctx, pl_json_assignment_answer(&res, maximize, &t));
	}
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	json_decref(doc);
	pl_assign_result_release(&res);
	free(m);
	free(cap);
	return rc;
}
