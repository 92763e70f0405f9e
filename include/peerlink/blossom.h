/*
 * peerlink/blossom.h: maximum-weight matching on a general (non-bipartite) graph: the solver
 * under `peerlink solve matching` and buddy pairing.
 *
 * Problem. Given n vertices and m undirected weighted edges, choose a set of edges, no two sharing
 * a vertex, with the largest total weight. With `max_cardinality`, first the largest possible
 * number of edges, then the largest weight among those. Exact: Edmonds' blossom algorithm with
 * dual variables (primal-dual, O(n^3) in the formulation of Galil 1986), see engine/match/blossom.c.
 *
 * Inputs. Endpoints are 0-based vertex indices < n; a self-loop (u == v), an out-of-range
 * endpoint or a weight that is not finite or beyond PL_BLOSSOM_WEIGHT_MAX is invalid input (the error pointer is "/edges/k/0", "/k/1" or
 * "/k/2" for edge k). Parallel edges are allowed: the heaviest copy of a pair is the one that can
 * be matched (the others can never be in an optimum, and the certificate covers them all).
 * Without max_cardinality, edges of weight <= 0 are never matched (they cannot add weight).
 *
 * Weights and exactness. The solver works in 64-bit integers. Weights are first multiplied by a
 * scale S: the smallest power of ten 10^d (d <= 6) that makes every weight an integer (to within
 * 1e-9 relative, i.e. decimal numbers with up to 6 fractional digits are taken at their decimal
 * value), provided max|w| * S <= 2^40; integers therefore use S = 1. When no such S exists
 * (more digits, or huge weights) S = 2^s with max|w| * S <= 2^40 and each weight is rounded to
 * the nearest multiple of 1/S: then `exact` is 0 and the matching is optimal for the rounded
 * weights, which is within `suboptimality_bound` = n / (2 S) of the true optimum (each of at most
 * n/2 edges moved by at most 1/(2S), in both the found and the optimal matching). Nothing is
 * ever silently approximate: `exact` says which case happened.
 *
 * Certificate. The result carries the final dual solution in exact integers: `vertex_dual[v]`
 * and, for every blossom in the final laminar family, `blossom_dual[b]`, with
 *     vertex_dual[u] + vertex_dual[v] + sum of blossom_dual[B] over blossoms B holding u and v
 *         >= F * round(S * w_uv)           for every edge (equality on matched edges),
 * where F = `dual_factor` (currently always 4: weights are doubled, duals stored doubled),
 *     blossom_dual >= 0, and a blossom with positive dual has (|B| - 1) / 2 matched edges inside.
 * Without max_cardinality: vertex_dual >= 0, and 0 on every unmatched vertex; then the primal
 * total equals the dual objective, which proves optimality. With it: every unmatched vertex has
 * the same dual c, the smallest vertex dual, and (vertex_dual - c, blossom_dual) is the same
 * certificate for the weights F round(S w) - 2 c: the matching is heaviest among matchings of its size;
 * that the size is maximum is shown by the solver's final alternating forest (no augmenting path,
 * checked against the whole graph when sparse candidates are used).
 * Real-valued duals are vertex_dual / (F S).
 *
 * Ownership. The solver only reads the caller's edge arrays. The result's arrays are owned by the
 * pl_blossom_result and released by pl_blossom_result_release().
 */
#ifndef PEERLINK_BLOSSOM_H
#define PEERLINK_BLOSSOM_H

#include <stddef.h>
#include <stdint.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PL_BLOSSOM_UNMATCHED (-1L)

/* Limits: |weight| <= PL_BLOSSOM_WEIGHT_MAX (below 2^53, so integer weights are exact doubles, and
 * every total of up to 2^27 matched edges stays finite); n <= 2^28 vertices, m <= 2^29 edges. */
#define PL_BLOSSOM_WEIGHT_MAX 1e15

typedef struct pl_blossom_options {
	int max_cardinality; /* 1: most edges first, then most weight */
	/* Sparse candidate set: solve on each vertex's `candidates` heaviest edges, then price every
	 * edge against the duals and add the violators (exact). 0 = automatic, < 0 = never. */
	int candidates;
	/* 1: skip the greedy jump start (every dual starts at the heaviest weight, as in Galil's
	 * description); for tests that want the plain algorithm's path. */
	int no_jump_start;
} pl_blossom_options;

#define PL_BLOSSOM_OPTIONS_INIT { 0, 0, 0 }

typedef struct pl_blossom_result {
	size_t n;
	long *mate;      /* n entries: the partner vertex, or PL_BLOSSOM_UNMATCHED */
	long *mate_edge; /* n entries: index of the input edge that matches the vertex, or -1 */
	double total;    /* sum of the input weights of the matched edges */
	size_t pairs;    /* number of matched edges */

	/* Weight scaling (see the top of this file). */
	double weight_scale;        /* S */
	int exact;                  /* 1: every weight was an exact multiple of 1/S */
	double suboptimality_bound; /* 0 when exact, else n / (2 S) */

	/* Dual certificate, in integer units of 1 / (dual_factor S). Nodes 0..n-1 are vertices, nodes
	 * n..n+nblossoms-1 are blossoms; node_parent[x] is the smallest blossom strictly containing
	 * node x, or -1. */
	int64_t dual_factor;   /* F above */
	int64_t *vertex_dual;  /* n */
	size_t nblossoms;
	int64_t *blossom_dual; /* nblossoms */
	long *node_parent;     /* n + nblossoms */

	/* How the answer was found, for stats and benchmarks. */
	const char *method;      /* "direct" or "sparse-candidates" */
	size_t rounds;           /* solves run (candidate rounds) */
	size_t candidate_edges;  /* edges in the last solve */
	size_t stages;           /* primal-dual stages over all rounds */
	size_t dual_updates;     /* dual adjustments over all rounds */
	size_t greedy_pairs;     /* pairs matched by the jump start of the last round */
} pl_blossom_result;

#define PL_BLOSSOM_RESULT_INIT                                                                     \
	{ 0, NULL, NULL, 0.0, 0, 1.0, 1, 0.0, 4, NULL, 0, NULL, NULL, "", 0, 0, 0, 0, 0 }

void pl_blossom_result_init(pl_blossom_result *res);
void pl_blossom_result_release(pl_blossom_result *res);

/*
 * Solve. Edge k joins eu[k] and ev[k] with weight w[k]; m may be 0 (then the arrays may be NULL).
 * `opt` may be NULL for the defaults. Returns PL_OK with res filled, or a status with err filled.
 */
pl_status pl_blossom_solve(size_t n, size_t m, const long *eu, const long *ev, const double *w,
			   const pl_blossom_options *opt, pl_blossom_result *res, pl_error *err);

/*
 * Warm re-solve: the maximum-weight matching (without max_cardinality) of the same graph with the
 * vertices flagged in `removed` (n entries, or NULL for none) taken out, started from `base`, a
 * result of pl_blossom_solve or pl_blossom_resolve on the same n, m, eu, ev, w without
 * max_cardinality (it must carry its certificate). The base's duals stay feasible once each
 * blossom's dual is spread onto its vertices, so only the trees around what the removal exposed
 * (the removed vertices' partners, and each former blossom's base) have to grow again: far fewer
 * stages than a cold solve. The weights are scaled by the base's weight_scale. The result is a
 * complete pl_blossom_result (removed vertices unmatched with dual 0; method "warm").
 */
pl_status pl_blossom_resolve(size_t n, size_t m, const long *eu, const long *ev, const double *w,
			     const pl_blossom_result *base, const unsigned char *removed,
			     pl_blossom_result *res, pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
