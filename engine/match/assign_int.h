/*
 * assign_int.h: internals shared by the assignment drivers (engine/match/assign.c and
 * engine/match/assign_flow.c); not a public header.
 */
#ifndef PEERLINK_ASSIGN_INT_H
#define PEERLINK_ASSIGN_INT_H

#include <stddef.h>

/*
 * Sparse capacitated solve by successive shortest paths from a super source (assign_flow.c).
 * `c` is the checked n x m row-major matrix (+inf / NaN: forbidden), `cap` the column capacities
 * (NULL: ones). Writes row_col (n: column or -1), row duals u (n) and column duals v (m) with
 *     c[i][j] - u[i] - v[j] >= 0 on allowed pairs, == 0 on assigned pairs, and
 *     when the rows fit in the capacity: v[j] <= 0, and v[j] == 0 where column j is below
 *     capacity (the certificate of pl_assign_result); when they do not (the transposed
 *     problem's certificate): u[i] <= 0, and u[i] == 0 where row i is unassigned,
 * and the number of augmenting paths. The answer has the most rows assigned and, among those,
 * the least total cost. Returns 0, or -1 when out of memory (or beyond 2^31 allowed pairs).
 */
int pl_assign_flow_solve(const double *c, size_t n, size_t m, const long *cap, long *row_col,
			 double *u, double *v, size_t *augmentations);

/*
 * The same solve from the allowed pairs listed by rows instead of a dense matrix: row i's pairs
 * are col[start[i] .. start[i + 1]) (columns increasing) at cost cost[...], every cost finite and
 * at most PL_ASSIGN_COST_MAX in magnitude. The same answer, duals and count as
 * pl_assign_flow_solve on the matrix with +inf elsewhere (the arcs come out in the same order),
 * without the n x m matrix or its scans: for callers that hold their pairs sparse (mentor
 * matching, where 30-70 % of the pairs break a hard rule). negate: the pairs' costs are
 * -cost[...] (mentor matching hands over its scores, which it maximizes, without a negated copy).
 * Returns 0, or -1 when out of memory (or beyond 2^31 pairs).
 */
int pl_assign_flow_solve_pairs(size_t n, size_t m, const long *cap, const size_t *start,
			       const int *col, const double *cost, int negate, long *row_col,
			       double *u, double *v, size_t *augmentations);

/* Does pl_assign_solve hand an n x m problem with these capacities (NULL: ones) to the flow
 * driver? all_allowed: no entry is forbidden. */
int pl_assign_uses_flow(size_t n, size_t m, const long *cap, int all_allowed);

/*
 * An indexed binary min-heap of node ids, shared by the sparse drivers (the sparse candidate
 * driver of assign.c over columns, assign_flow.c over right nodes): item[0..n) holds the ids in
 * heap order and pos[id] the place of an id in item; what pos holds for ids outside the heap is
 * the caller's business. Both drivers run Dijkstra with decrease-key (a node's key is lowered in
 * place, then pl_iheap_up from pos[id]), hence the index. The order is the caller's less(ctx, a,
 * b); the functions are static inline so that the comparator, a constant at every call site, is
 * inlined into the drivers' hot loops.
 */
typedef int (*pl_iheap_less)(const void *ctx, int a, int b);

typedef struct pl_iheap {
	int *item, *pos;
	int n;
} pl_iheap;

static inline void pl_iheap_swap(pl_iheap *h, int i, int j)
{
	int a = h->item[i], b = h->item[j];

	h->item[i] = b;
	h->item[j] = a;
	h->pos[b] = i;
	h->pos[a] = j;
}

static inline void pl_iheap_up(pl_iheap *h, int k, pl_iheap_less less, const void *ctx)
{
	while (k > 0) {
		int p = (k - 1) / 2;
		if (!less(ctx, h->item[k], h->item[p]))
			break;
		pl_iheap_swap(h, k, p);
		k = p;
	}
}

static inline void pl_iheap_down(pl_iheap *h, int k, pl_iheap_less less, const void *ctx)
{
	for (;;) {
		int l = 2 * k + 1, r = l + 1, best = k;
		if (l < h->n && less(ctx, h->item[l], h->item[best]))
			best = l;
		if (r < h->n && less(ctx, h->item[r], h->item[best]))
			best = r;
		if (best == k)
			break;
		pl_iheap_swap(h, k, best);
		k = best;
	}
}

static inline void pl_iheap_push(pl_iheap *h, int id, pl_iheap_less less, const void *ctx)
{
	h->item[h->n] = id;
	h->pos[id] = h->n++;
	pl_iheap_up(h, h->pos[id], less, ctx);
}

/* Removes and returns the least id (n > 0); its pos[] entry is left as it was. */
static inline int pl_iheap_pop(pl_iheap *h, pl_iheap_less less, const void *ctx)
{
	int top = h->item[0];

	h->n--;
	if (h->n > 0) {
		h->item[0] = h->item[h->n];
		h->pos[h->item[0]] = 0;
		pl_iheap_down(h, 0, less, ctx);
	}
	return top;
}

#endif
