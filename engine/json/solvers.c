/*
 * solvers.c: the JSON layer of the researcher-facing solvers: `solve assignment`'s capacities and
 * answer (its matrix is read by the CLI, which resolves .npy files against the input's folder)
 * and `solve matching`'s graph and answer (docs/assignment.md, docs/matching.md).
 *
 * assignment: {"costs" | "scores": matrix, "capacities": [int per column]} ->
 *             {"assignment": [column or null per row], "total", "stats"}
 * matching:   {"n", "edges": [[u, v, weight], ...], "max_cardinality"} ->
 *             {"mate": [partner or null per vertex], "total", "stats"}
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/json_match.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

pl_status pl_json_read_capacities(json_t *doc, size_t ncols, long **out, pl_error *err)
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
void pl_json_point_into_matrix(pl_error *err, const char *field, int from_npy)
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

json_t *pl_json_assignment_answer(const pl_assign_result *res, int maximize,
				  const pl_json_timings *t)
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
	pl_json_add_timings(stats, t);
	json_object_set_new(doc, "stats", stats);
	return doc;
}

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

/* How far n may exceed 2 * edges (docs/matching.md, "Limits"). */
#define ISOLATED_MAX 65536

pl_status pl_json_read_graph(json_t *doc, pl_json_graph *g, pl_error *err)
{
	static const char *const keys[] = { "n", "edges", "max_cardinality", NULL };
	json_t *edges = NULL;
	long long n = 0;
	pl_status st;

	memset(g, 0, sizeof(*g));
	g->all_integer = 1;
	if (!json_is_object(doc))
		return pl_error_set(err, PL_ERR_INVALID, "", "the input must be a JSON object");
	st = pl_json_check_keys(doc, "", keys, err);
	if (st == PL_OK)
		st = pl_json_get_integer(doc, "n", "", 1, &n, err);
	if (st == PL_OK && (n < 0 || n > (1LL << 28)))
		st = pl_error_set(err, PL_ERR_INVALID, "/n", "n must be an integer from 0 to 268435456");
	if (st == PL_OK)
		st = pl_json_get_array(doc, "edges", "", 1, &edges, err);
	/* Vertices no edge touches are only ever unmatched; a few bytes of input must not ask for
	 * an answer of millions of them. */
	if (st == PL_OK && n > 2 * (long long)json_array_size(edges) + ISOLATED_MAX)
		st = pl_error_set(err, PL_ERR_INVALID, "/n",
				  "n may exceed twice the number of edges by at most 65536");
	if (st == PL_OK)
		st = pl_json_get_bool(doc, "max_cardinality", "", 0, &g->max_cardinality, err);
	if (st != PL_OK)
		return st;
	g->n = (size_t)n;
	g->m = json_array_size(edges);
	return read_edges(edges, n, &g->eu, &g->ev, &g->w, &g->all_integer, err);
}

void pl_json_graph_release(pl_json_graph *g)
{
	if (!g)
		return;
	free(g->eu);
	free(g->ev);
	free(g->w);
	memset(g, 0, sizeof(*g));
}

json_t *pl_json_matching_answer(const pl_json_graph *g, const pl_blossom_result *res,
				const pl_json_timings *t)
{
	json_t *doc = json_object(), *arr = json_array(), *stats = json_object();

	for (size_t v = 0; v < res->n; v++)
		json_array_append_new(arr, res->mate[v] >= 0 ? json_integer(res->mate[v]) : json_null());
	json_object_set_new(doc, "mate", arr);
	/* Integer weights give an integer total while it is exact (|total| <= 2^53; weights are at
	 * most 1e15, so a long matching can pass it): beyond, a real. + 0.0 turns -0.0 into 0. */
	json_object_set_new(doc, "total", g->all_integer && fabs(res->total) <= 9007199254740992.0
						  ? json_integer((json_int_t)res->total)
						  : json_real(res->total + 0.0));
	json_object_set_new(stats, "algorithm",
			    json_string("Edmonds blossom, primal-dual with duals (Galil 1986)"));
	json_object_set_new(stats, "method", json_string(res->method));
	json_object_set_new(stats, "objective",
			    json_string(g->max_cardinality ? "max_cardinality_then_weight" : "max_weight"));
	json_object_set_new(stats, "vertices", json_integer((json_int_t)res->n));
	json_object_set_new(stats, "edges", json_integer((json_int_t)g->m));
	json_object_set_new(stats, "pairs", json_integer((json_int_t)res->pairs));
	json_object_set_new(stats, "rounds", json_integer((json_int_t)res->rounds));
	json_object_set_new(stats, "candidate_edges", json_integer((json_int_t)res->candidate_edges));
	json_object_set_new(stats, "weight_scale", json_real(res->weight_scale));
	json_object_set_new(stats, "exact", json_boolean(res->exact));
	json_object_set_new(stats, "suboptimality_bound", json_real(res->suboptimality_bound));
	pl_json_add_timings(stats, t);
	json_object_set_new(doc, "stats", stats);
	return doc;
}

