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
 * whose removal leaves a perfectly matchable rest. Returns 0, or -1 when an augmenting path
 * exists (mate[] was not maximum). */
int pl_cardmatch_reach(pl_cardmatch *cm, const unsigned char *gone, size_t root);

/*
 * Warm re-solves of one graph without allocating each time (engine/match/blossom.c): the
 * workspace keeps the graph as checked and scaled by its last call (the same n, m, eu, ev and w
 * pointers and the same base weight_scale are taken to be the same graph: the caller must not
 * change the arrays in between), the candidate rounds' arrays and the solver's core.
 * pl_blossom_resolve_ws answers exactly as pl_blossom_resolve (which is it, with a workspace
 * of its own).
 */
typedef struct pl_blossom_ws pl_blossom_ws;
pl_blossom_ws *pl_blossom_ws_new(void);
void pl_blossom_ws_free(pl_blossom_ws *ws);
#include <peerlink/blossom.h>
pl_status pl_blossom_resolve_ws(pl_blossom_ws *ws, size_t n, size_t m, const long *eu,
				const long *ev, const double *w, const pl_blossom_result *base,
				const unsigned char *removed, pl_blossom_result *res, pl_error *err);

#endif
