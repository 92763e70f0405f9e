/*
 * solve_assignment.c: `peerlink solve assignment`, the researcher-facing assignment solver.
 *
 * Input  {"costs" | "scores": matrix (or {"npy": FILE}), "capacities": [int per column]}
 * Output {"assignment": [column or null per row], "total": number, "stats": {...}}
 * The JSON tree is released before solving, so a large matrix is held once, as doubles.
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/assign.h>

static pl_status read_capacities(json_t *doc, size_t ncols, long **out, pl_error *err)
{
	char p[PL_POINTER_MAX];
	json_t *arr = NULL;
	pl_status st = pl_json_get_array(doc, "capacities", "", 0, &arr, err);
	long *cap;

	*out = NULL;
	if (st != PL_OK || !arr)
		return st;
	if (json_array_size(arr) != ncols)
		return pl_error_set(err, PL_ERR_INVALID, "/capacities",
				    "capacities has %zu entries but the matrix has %zu columns",
				    json_array_size(arr), ncols);
	cap = malloc((ncols ? ncols : 1) * sizeof(*cap));
	if (!cap)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t j = 0; j < ncols; j++) {
		json_t *x = json_array_get(arr, j);
		if (!json_is_integer(x) || json_integer_value(x) < 1 ||
		    json_integer_value(x) > (json_int_t)1 << 40) {
			free(cap);
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(p, sizeof(p), "/capacities", j),
					    "each capacity must be a positive integer");
		}
		cap[j] = (long)json_integer_value(x);
	}
	*out = cap;
	return PL_OK;
}

/* The solver names an entry relative to the matrix ("/row/col", or "" for the whole matrix):
 * point into the input's field, or at the file that held it. */
static void point_into_matrix(pl_error *err, const char *field, int from_npy)
{
	char rel[PL_POINTER_MAX];
	size_t k = strlen(field), r;

	memcpy(rel, err->pointer, sizeof(rel));
	rel[sizeof(rel) - 1] = '\0';
	if (from_npy)
		snprintf(rel, sizeof(rel), "/npy");
	r = strlen(rel);
	if (k + r >= sizeof(err->pointer))
		r = 0; /* cannot happen: a field name and two indexes */
	memcpy(err->pointer, field, k);
	memcpy(err->pointer + k, rel, r);
	err->pointer[k + r] = '\0';
}

static json_t *assignment_answer(const cli_ctx *ctx, const pl_assign_result *res, int maximize,
				 double solve_ms)
{
	json_t *doc = json_object(), *arr = json_array(), *stats = json_object();

	for (size_t i = 0; i < res->nrows; i++)
		json_array_append_new(arr, res->row_to_col[i] >= 0 ? json_integer(res->row_to_col[i])
								   : json_null());
	json_object_set_new(doc, "assignment", arr);
	/* + 0.0 turns the -0.0 of an empty maximisation into 0. */
	json_object_set_new(doc, "total", json_real((maximize ? -res->total : res->total) + 0.0));
	json_object_set_new(stats, "algorithm", json_string("shortest augmenting path (Jonker-Volgenant)"));
	json_object_set_new(stats, "method", json_string(res->method));
	json_object_set_new(stats, "objective", json_string(maximize ? "maximize" : "minimize"));
	json_object_set_new(stats, "rows", json_integer((json_int_t)res->nrows));
	json_object_set_new(stats, "columns", json_integer((json_int_t)res->ncols));
	json_object_set_new(stats, "assigned", json_integer((json_int_t)res->assigned));
	json_object_set_new(stats, "parse_ms", json_real(cli_ms(ctx, ctx->parse_ms)));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, solve_ms)));
	json_object_set_new(doc, "stats", stats);
	return doc;
}

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
	st = read_capacities(doc, nc, &cap, &ctx->err);
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
		point_into_matrix(&ctx->err, maximize ? "/scores" : "/costs", from_npy);
	if (st != PL_OK)
		goto fail;
	rc = cli_write_output(ctx, assignment_answer(ctx, &res, maximize, cli_now_ms() - t0));
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
