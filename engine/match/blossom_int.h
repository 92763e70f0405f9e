/*
 * blossom_int.h: internals shared by the blossom solver (engine/match/blossom.c), its helpers
 * (blossom_lca.c, cardmatch.c) and buddy pairing (engine/match/buddies.c); not a public header.
 */
#ifndef PEERLINK_BLOSSOM_INT_H
#define PEERLINK_BLOSSOM_INT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Pricing an edge against a matching's dual certificate needs the sum of the blossom duals over
 * the blossoms holding both of its ends: the dual sum at the ends' lowest common ancestor in the
 * laminar family. Walking up the parents costs the depth of the family, and on large graphs the
 * family is a deep chain (a few hundred levels at 2,000 vertices), so pricing every edge that
 * way is slower than the solve. Since every blossom dual is >= 0, the running sum from the top
 * (zsum) only grows going down, so the value at the lowest common ancestor is the least zsum on
 * the Euler tour between the two ends (the classic reduction of LCA to range minimum, e.g.
 * Bender and Farach-Colton 2000); a sparse table answers each query in O(1) after
 * O(N log N) preparation.
 */
typedef struct pl_zlca {
	size_t nodes;     /* N: nodes of the forest (vertices and blossoms) */
	size_t len;       /* length of the Euler tour of the forest under a virtual root */
	size_t *first;    /* N: first place of each node on the tour */
	int64_t **table;  /* table[j][i]: least zsum on tour[i .. i + 2^j) */
	int levels;
	unsigned char *lg;   /* lg[k] = floor(log2 k), k = 1 .. len */
} pl_zlca;

/* parent[x]: the parent node or -1 (a root); z[x]: the dual of node x (0 for vertices); any
 * numbering where parents form a forest. Returns 0, or -1 when out of memory or when parent[]
 * is not a forest. */
int pl_zlca_init(pl_zlca *q, size_t nodes, const long *parent, const int64_t *z);
void pl_zlca_release(pl_zlca *q);

/* Sum of z over the common ancestors of u and v (u != v; 0 when they share none). */
static inline int64_t pl_zlca_common(const pl_zlca *q, size_t u, size_t v)
{
	size_t a = q->first[u], b = q->first[v];
	int j;
	int64_t x, y;

	if (a > b) {
		size_t t = a;
		a = b;
		b = t;
	}
	j = q->lg[b - a + 1];
	x = q->table[j][a];
	y = q->table[j][b + 1 - ((size_t)1 << j)];
	return x < y ? x : y;
}

/*
 * Maximum-cardinality check on a general graph (engine/match/cardmatch.c): can the matching in
 * mate[] (n entries: the partner or -1; callers fill it) be grown to cover every vertex not
 * flagged in gone[]? Edges are those of pl_cardmatch_init; mate[] is left as the grown matching.
 */
typedef struct pl_cardmatch {
	size_t n;
	size_t *start;  /* CSR adjacency */
	long *adj;
	long *mate;     /* the caller's matching, n entries */
	long *pred, *base, *queue;
	unsigned char *outer, *mark, *onpath;
} pl_cardmatch;

int pl_cardmatch_init(pl_cardmatch *cm, size_t n, size_t m, const long *eu, const long *ev);
void pl_cardmatch_release(pl_cardmatch *cm);
/* 1: every vertex not gone can be matched; 0: not. */
int pl_cardmatch_perfect(pl_cardmatch *cm, const unsigned char *gone);
/* When mate[] is a maximum matching and root the one vertex it leaves exposed: the alternating
 * search from root, whose outer[] then flags the vertices that some maximum matching leaves
 * exposed (Gallai-Edmonds: those reached from root by an even alternating path), i.e. those
 * whose removal leaves a perfectly matchable rest. held (may be NULL) flags vertices that
 * form with root a blossom of mate[] (an odd set, factor-critical on the graph's edges, that
 * mate[] pairs all but root): the search starts with it shrunk and never scans the edges
 * inside it, the same answer for far less work when it holds most vertices. Returns 0, or -1
 * when an augmenting path exists (mate[] was not maximum). */
int pl_cardmatch_reach(pl_cardmatch *cm, const unsigned char *gone, size_t root,
		       const unsigned char *held);

/*
 * Warm re-solves of one graph without allocating each time (engine/match/blossom.c). The
 * workspace is bound to its graph when it is made: it keeps the pointers eu, ev and w (the caller
 * keeps those arrays alive and unchanged for the workspace's life) and, per weight scale, their
 * checked and scaled copy; besides, the candidate rounds' arrays and the solver's core. Nothing
 * is recognised by pointer: a re-solve always solves the bound graph, scaled by its base's
 * weight_scale (a different scale than the last call's converts the weights again).
 * pl_blossom_resolve_ws answers exactly as pl_blossom_resolve (which is it, with a workspace of
 * its own).
 */
typedef struct pl_blossom_ws pl_blossom_ws;
#include <peerlink/blossom.h>
/* NULL when out of memory; the graph is checked by the first re-solve (its error, if any). */
pl_blossom_ws *pl_blossom_ws_new(size_t n, size_t m, const long *eu, const long *ev,
				 const double *w);
void pl_blossom_ws_free(pl_blossom_ws *ws);
pl_status pl_blossom_resolve_ws(pl_blossom_ws *ws, const pl_blossom_result *base,
				const unsigned char *removed, pl_blossom_result *res, pl_error *err);

/*
 * What a solve's certificate leaves out and a warm start needs to keep the blossoms: each
 * blossom's base and its odd cycle (children in cycle order from the base's child, and the edge
 * joining each child to the next). Blossom b is node n + b of the result's node_parent; a child
 * is a node id of that numbering; an edge is 2 * (index in eu/ev) + (1 when the edge is entered
 * at its ev end, else 0), as the solver walks the cycle.
 */
typedef struct pl_blossom_state {
	size_t n, nb;
	long *base;     /* nb */
	size_t *cstart; /* nb + 1: blossom b's cycle is child/cend[cstart[b] .. cstart[b + 1]) */
	long *child, *cend;
} pl_blossom_state;
#define PL_BLOSSOM_STATE_INIT { 0, 0, NULL, NULL, NULL, NULL }
void pl_blossom_state_release(pl_blossom_state *st);

/* pl_blossom_solve (same answer, bit for bit), and its blossoms' cycles into *st. */
pl_status pl_blossom_solve_state(size_t n, size_t m, const long *eu, const long *ev,
				 const double *w, const pl_blossom_options *opt,
				 pl_blossom_result *res, pl_blossom_state *st, pl_error *err);

/*
 * Warm re-solve without the vertices flagged in `removed`, keeping the base's blossoms (base and
 * base_st from pl_blossom_solve_state or from this function on the bound graph, solved without
 * max_cardinality, whose removed vertices are all flagged here too). Each removed vertex r that
 * the base matches or holds in a blossom gets a private partner r' joined to r alone by an edge
 * heavier than any of r's: every optimum of the graph with those partners matches r to r', and
 * the rest optimally without r. The base's matching, duals and blossoms, with r' as an exposed
 * vertex whose dual makes the new edge feasible, are a valid state of the primal-dual algorithm
 * (Edmonds 1965; Galil 1986 section 3): the solve goes on from it and only the trees grown from
 * the partners do any work; a blossom is expanded only when its dual reaches zero as a T-blossom,
 * as in any solve. Re-optimising from the old optimum's duals and blossoms after a local change
 * is the approach of sensitivity analysis of weighted matching (G. M. Weber, "Sensitivity
 * analysis of optimal matchings", Networks 11, 1981); here the change is expressed as new
 * vertices and edges, so the solver itself needs no new kind of step. At the
 * end every blossom still holding some r has r as its base (r is matched outside it): its dual
 * is spread onto its vertices (z_B / 2 each; edges inside keep their slack, edges leaving it
 * loosen, and its only matched edge leaving it was r's), which leaves a certificate of the graph
 * without the removed vertices. *res is as from pl_blossom_resolve (optimal, possibly another of
 * equally heavy matchings); res_st (may be NULL) receives its blossoms' cycles, so that a
 * further re-solve can start from it.
 */
pl_status pl_blossom_resolve_kept(pl_blossom_ws *ws, const pl_blossom_result *base,
				  const pl_blossom_state *base_st, const unsigned char *removed,
				  pl_blossom_result *res, pl_blossom_state *res_st, pl_error *err);

/*
 * All the pairs (root, t) at once (a single-root search, not a re-solve per pair): for a base
 * (with its state, as for pl_blossom_resolve_kept) whose matching is perfect on the bound graph,
 * value[q] = the weight of a maximum-weight perfect matching of the graph without root and
 * target[q] (edges of positive weight only, as in the re-solves), or NAN when it has none (or
 * when target[q] is root or out of range).
 *
 * Method (the shortest alternating paths of M. Derigs, "Solving non-bipartite matching problems
 * via shortest path techniques", Annals of OR 13, 1988; in LP terms): root is taken out as a
 * kept re-solve takes it out (a private partner r' joined to it alone by a heavier edge, r' the
 * one exposed vertex of a graph H with an odd number of vertices), and Edmonds' primal-dual
 * algorithm grows the one alternating tree from r' with the vertex duals free (the
 * perfect-matching LP: no stop at a zero dual, as with max_cardinality), shrinking and expanding
 * blossoms as usual, until every target is in an S-blossom or no dual change is left. Each dual
 * change lowers the dual objective D = sum y + sum z (|B| - 1) / 2 by exactly delta and an
 * S-vertex's y by delta too, so once t is in an S-blossom, D - y_t stays put, and it equals the
 * weight of the perfect matching of H - t that the tree's even path from r' to t gives (every
 * edge of it tight, every blossom full with t exposed), which no perfect matching of H - t can
 * exceed (weak duality: y_t drops out and each odd set B keeps (|B| - 1) / 2 pairs). Every
 * perfect matching of H - t matches r to r', so that is W*(graph - root - t) plus the partner's
 * weight. A target never reached has no perfect matching of the rest (Gallai-Edmonds: the final
 * S-vertices are those some maximum matching of H leaves exposed).
 */
pl_status pl_blossom_search_kept(pl_blossom_ws *ws, const pl_blossom_result *base,
				 const pl_blossom_state *base_st, size_t root, const long *target,
				 size_t nt, double *value, pl_error *err);

#endif
