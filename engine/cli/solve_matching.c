/*
 * solve_matching.c: `peerlink solve matching`, maximum-weight matching on a general graph.
 *
 * Input  {"n": vertices, "edges": [[u, v, weight], ...], "max_cardinality": bool (optional)}
 * Output {"mate": [partner or null per vertex], "total": number, "stats": {...}}
 * Vertices are 0-based; edges are undirected; parallel edges are allowed (the heaviest copy of a
 * pair is the one that can be matched). The JSON tree is released before solving, and solve_ms
 * covers the solver only (validation and parsing are in parse_ms).
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>

#include <peerlink/blossom.h>

/* How far n may exceed 2 * edges (docs/matching.md, "Limits"). */
#define ISOLATED_MAX 65536

/* A JSON integer that is a vertex index below n. */
static int vertex_index(json_t *x, long long n, long *out)
{
	if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) >= n)
		return -1;
	*out = (long)json_integer_value(x);
	return 0;
}

static pl_status read_edges(json_t *arr, long long n, long **eu, long **ev, double **w,
			    int *all_integer, pl_error *err)
{
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	size_t m = json_array_size(arr);

	*eu = malloc((m ? m : 1) * sizeof(long));
	*ev = malloc((m ? m : 1) * sizeof(long));
	*w = malloc((m ? m : 1) * sizeof(double));
	*all_integer = 1;
	if (!*eu || !*ev || !*w)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading the edges");
	for (size_t k = 0; k < m; k++) {
		json_t *e = json_array_get(arr, k), *x;
		pl_json_ptr_index(p, sizeof(p), "/edges", k);
		if (!json_is_array(e) || json_array_size(e) != 3)
			return pl_error_set(err, PL_ERR_INVALID, p,
					    "edge %zu must be an array [u, v, weight]", k);
		for (int side = 0; side < 2; side++)
			if (vertex_index(json_array_get(e, (size_t)side), n, side ? &(*ev)[k] : &(*eu)[k]) != 0)
				return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(q, sizeof(q), p, (size_t)side),
						    "edge %zu: each endpoint must be an integer vertex index "
						    "from 0 to n - 1", k);
		if ((*eu)[k] == (*ev)[k])
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(q, sizeof(q), p, 1),
					    "edge %zu: a self-loop is not allowed", k);
		x = json_array_get(e, 2);
		if (!json_is_number(x) || !isfinite(json_number_value(x)))
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(q, sizeof(q), p, 2),
					    "edge %zu: the weight must be a finite number", k);
		(*w)[k] = json_number_value(x);
		if (!(fabs((*w)[k]) <= PL_BLOSSOM_WEIGHT_MAX))
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(q, sizeof(q), p, 2),
					    "edge %zu: the weight must be a number of magnitude at most 1e15", k);
		if (!json_is_integer(x))
			*all_integer = 0;
	}
	return PL_OK;
}

static json_t *matching_answer(const cli_ctx *ctx, const pl_blossom_result *res, size_t m,
			       int maxcard, int all_integer, double solve_ms)
{
	json_t *doc = json_object(), *arr = json_array(), *stats = json_object();

	for (size_t v = 0; v < res->n; v++)
		json_array_append_new(arr, res->mate[v] >= 0 ? json_integer(res->mate[v]) : json_null());
	json_object_set_new(doc, "mate", arr);
	/* Integer weights give an integer total while it is exact (|total| <= 2^53; weights are at
	 * most 1e15, so a long matching can pass it): beyond, a real. + 0.0 turns -0.0 into 0. */
	json_object_set_new(doc, "total", all_integer && fabs(res->total) <= 9007199254740992.0
						  ? json_integer((json_int_t)res->total)
						  : json_real(res->total + 0.0));
	json_object_set_new(stats, "algorithm",
			    json_string("Edmonds blossom, primal-dual with duals (Galil 1986)"));
	json_object_set_new(stats, "method", json_string(res->method));
	json_object_set_new(stats, "objective",
			    json_string(maxcard ? "max_cardinality_then_weight" : "max_weight"));
	json_object_set_new(stats, "vertices", json_integer((json_int_t)res->n));
	json_object_set_new(stats, "edges", json_integer((json_int_t)m));
	json_object_set_new(stats, "pairs", json_integer((json_int_t)res->pairs));
	json_object_set_new(stats, "rounds", json_integer((json_int_t)res->rounds));
	json_object_set_new(stats, "candidate_edges", json_integer((json_int_t)res->candidate_edges));
	json_object_set_new(stats, "weight_scale", json_real(res->weight_scale));
	json_object_set_new(stats, "exact", json_boolean(res->exact));
	json_object_set_new(stats, "suboptimality_bound", json_real(res->suboptimality_bound));
	json_object_set_new(stats, "parse_ms", json_real(cli_ms(ctx, ctx->parse_ms)));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, solve_ms)));
	json_object_set_new(doc, "stats", stats);
	return doc;
}

int cmd_solve_matching(cli_ctx *ctx)
{
	static const char *const keys[] = { "n", "edges", "max_cardinality", NULL };
	json_t *doc = NULL, *edges = NULL;
	long *eu = NULL, *ev = NULL;
	double *w = NULL, t0;
	long long n = 0;
	size_t m = 0;
	int maxcard = 0, all_integer = 1, rc;
	pl_blossom_options opt = PL_BLOSSOM_OPTIONS_INIT;
	pl_blossom_result res = PL_BLOSSOM_RESULT_INIT;
	pl_status st;

	rc = cli_read_input(ctx, &doc);
	if (rc != CLI_EXIT_OK)
		return rc;
	t0 = cli_now_ms();
	if (!json_is_object(doc)) {
		st = pl_error_set(&ctx->err, PL_ERR_INVALID, "", "the input must be a JSON object");
		goto fail;
	}
	st = pl_json_check_keys(doc, "", keys, &ctx->err);
	if (st == PL_OK)
		st = pl_json_get_integer(doc, "n", "", 1, &n, &ctx->err);
	if (st == PL_OK && (n < 0 || n > (1LL << 28)))
		st = pl_error_set(&ctx->err, PL_ERR_INVALID, "/n",
				  "n must be an integer from 0 to 268435456");
	if (st == PL_OK)
		st = pl_json_get_array(doc, "edges", "", 1, &edges, &ctx->err);
	/* Vertices no edge touches are only ever unmatched; a few bytes of input must not ask for
	 * an answer of millions of them. */
	if (st == PL_OK && n > 2 * (long long)json_array_size(edges) + ISOLATED_MAX)
		st = pl_error_set(&ctx->err, PL_ERR_INVALID, "/n",
				  "n may exceed twice the number of edges by at most 65536");
	if (st == PL_OK)
		st = pl_json_get_bool(doc, "max_cardinality", "", 0, &maxcard, &ctx->err);
	if (st == PL_OK) {
		m = json_array_size(edges);
		st = read_edges(edges, n, &eu, &ev, &w, &all_integer, &ctx->err);
	}
	if (st != PL_OK)
		goto fail;
	json_decref(doc);
	doc = NULL;
#ifdef __GLIBC__
	/* Freeing a large JSON tree leaves millions of small free chunks that glibc consolidates at
	 * the next large allocation; do it here, so that solve_ms measures the solver. */
	malloc_trim(0);
#endif
	ctx->parse_ms += cli_now_ms() - t0;

	opt.max_cardinality = maxcard;
	t0 = cli_now_ms();
	st = pl_blossom_solve((size_t)n, m, eu, ev, w, &opt, &res, &ctx->err);
	if (st != PL_OK)
		goto fail;
	rc = cli_write_output(ctx, matching_answer(ctx, &res, m, maxcard, all_integer,
						   cli_now_ms() - t0));
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	json_decref(doc);
	pl_blossom_result_release(&res);
	free(eu);
	free(ev);
	free(w);
	return rc;
}
