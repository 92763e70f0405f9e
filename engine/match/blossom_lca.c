/*
 * blossom_lca.c: the sum of blossom duals common to two vertices in O(1) (blossom_int.h says
 * why): an Euler tour of the laminar family under a virtual root, and a sparse table of the
 * least running dual sum over its ranges (range-minimum queries; Bender and Farach-Colton,
 * "The LCA problem revisited", LATIN 2000).
 */
#include "blossom_int.h"

#include <stdlib.h>

void pl_zlca_release(pl_zlca *q)
{
	if (!q)
		return;
	if (q->table)
		free(q->table[0]); /* every row lives in the first one's block */
	free(q->table);
	free(q->first);
	free(q->lg);
	q->table = NULL;
	q->first = NULL;
	q->lg = NULL;
	q->levels = 0;
}

/* The sparse table's rows, for a tour of len entries, in one block: row 0 (the tour) first,
 * then row j of len + 1 - 2^j entries for each j with 2^j <= len. */
static int64_t *zlca_rows(size_t len)
{
	size_t total = 0;

	for (size_t w = 1; w <= len; w *= 2)
		total += len + 1 - w;
	return malloc((total ? total : 1) * sizeof(int64_t));
}

/* Children lists (CSR, the virtual root N last) and the running sums from the top. Returns the
 * tour, or NULL. */
static int64_t *euler_tour(pl_zlca *q, const long *parent, const int64_t *z)
{
	size_t N = q->nodes, len = 2 * N + 1, pos = 0;
	/* one block for the scratch: start (N + 3), kid (N + 1), stack and next (N + 2 each) */
	size_t *start = calloc(4 * N + 8, sizeof(size_t));
	size_t *kid = start + N + 3, *stack = kid + N + 1, *next = stack + N + 2;
	int64_t *sum = malloc((N + 1) * sizeof(int64_t)), *tour = zlca_rows(len);
	size_t top = 0;
	int ok = start && sum && tour;

	for (size_t x = 0; ok && x < N; x++) {
		size_t p = parent[x] >= 0 ? (size_t)parent[x] : N;
		ok = p <= N && p != x;
		if (ok)
			start[p + 2]++;
	}
	for (size_t x = 0; ok && x <= N; x++)
		start[x + 2] += start[x + 1];
	for (size_t x = 0; ok && x < N; x++)
		kid[start[(parent[x] >= 0 ? (size_t)parent[x] : N) + 1]++] = x;
	/* depth-first from the virtual root; each node is written on entry and after each child */
	if (ok) {
		sum[N] = 0;
		stack[top] = N;
		next[top++] = start[N];
		q->first[N] = pos;
		tour[pos++] = 0;
	}
	while (ok && top > 0) {
		size_t x = stack[top - 1];
		if (next[top - 1] == start[x + 1]) {
			if (--top > 0)
				tour[pos++] = sum[stack[top - 1]];
			continue;
		}
		{
			size_t c = kid[next[top - 1]++];
			ok = top <= N && pos < len;
			if (!ok)
				break;
			sum[c] = sum[x] + z[c];
			q->first[c] = pos;
			tour[pos++] = sum[c];
			stack[top] = c;
			next[top++] = start[c];
		}
	}
	/* a cycle in parent[] leaves nodes unvisited */
	ok = ok && pos == len;
	free(start);
	free(sum);
	if (!ok) {
		free(tour);
		return NULL;
	}
	q->len = len;
	return tour;
}

int pl_zlca_init(pl_zlca *q, size_t nodes, const long *parent, const int64_t *z)
{
	int64_t *tour;
	size_t len;

	q->nodes = nodes;
	q->table = NULL;
	q->lg = NULL;
	q->levels = 0;
	q->first = malloc((nodes + 1) * sizeof(size_t));
	if (!q->first || !(tour = euler_tour(q, parent, z))) {
		pl_zlca_release(q);
		return -1;
	}
	len = q->len;
	q->lg = malloc(len + 1);
	while (((size_t)1 << q->levels) <= len)
		q->levels++;
	q->table = calloc((size_t)q->levels, sizeof(int64_t *));
	if (!q->lg || !q->table) {
		free(tour);
		pl_zlca_release(q);
		return -1;
	}
	q->lg[0] = 0;
	for (size_t k = 1; k <= len; k++)
		q->lg[k] = (unsigned char)(k == 1 ? 0 : q->lg[k / 2] + 1);
	q->table[0] = tour;
	for (int j = 1; j < q->levels; j++) {
		size_t half = (size_t)1 << (j - 1), cnt = len + 1 - ((size_t)1 << j);
		int64_t *prev = q->table[j - 1], *row = prev + (len + 1 - half);
		for (size_t i = 0; i < cnt; i++)
			row[i] = prev[i] < prev[i + half] ? prev[i] : prev[i + half];
		q->table[j] = row;
	}
	return 0;
}
