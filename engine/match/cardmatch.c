/*
 * cardmatch.c: whether a matching can be grown to cover every vertex of a general graph, by
 * Edmonds' augmenting-path search for maximum cardinality (J. Edmonds, "Paths, trees, and
 * flowers", Canad. J. Math. 17, 1965): one breadth-first alternating search per exposed vertex,
 * odd cycles shrunk by relabelling their vertices with the blossom's base. A search may start
 * with a known blossom around its root already shrunk (pl_cardmatch_reach's held).
 *
 * Why: the exact triad of match buddies needs the best pairing of "everyone but a triangle", and
 * on cohorts with many hard rules most candidate triangles leave a rest that cannot be paired at
 * all; a weighted re-solve only to learn that costs far more than this unweighted check, which
 * starts from a matching that already covers all but a few of them.
 */
#include "blossom_int.h"

#include <stdlib.h>
#include <string.h>

int pl_cardmatch_init(pl_cardmatch *cm, size_t n, size_t m, const long *eu, const long *ev)
{
	memset(cm, 0, sizeof(*cm));
	cm->n = n;
	cm->start = calloc(n + 2, sizeof(size_t));
	cm->adj = malloc((2 * m + 1) * sizeof(long));
	cm->mate = malloc((n + 1) * sizeof(long));
	cm->pred = malloc((n + 1) * sizeof(long));
	cm->base = malloc((n + 1) * sizeof(long));
	cm->queue = malloc((n + 1) * sizeof(long));
	cm->outer = malloc(n + 1);
	cm->mark = malloc(n + 1);
	cm->onpath = malloc(n + 1);
	if (!cm->start || !cm->adj || !cm->mate || !cm->pred || !cm->base || !cm->queue ||
	    !cm->outer || !cm->mark || !cm->onpath) {
		pl_cardmatch_release(cm);
		return -1;
	}
	for (size_t k = 0; k < m; k++) {
		cm->start[eu[k] + 2]++;
		cm->start[ev[k] + 2]++;
	}
	for (size_t v = 0; v < n; v++)
		cm->start[v + 2] += cm->start[v + 1];
	for (size_t k = 0; k < m; k++) {
		cm->adj[cm->start[eu[k] + 1]++] = ev[k];
		cm->adj[cm->start[ev[k] + 1]++] = eu[k];
	}
	return 0;
}

void pl_cardmatch_release(pl_cardmatch *cm)
{
	free(cm->start);
	free(cm->adj);
	free(cm->mate);
	free(cm->pred);
	free(cm->base);
	free(cm->queue);
	free(cm->outer);
	free(cm->mark);
	free(cm->onpath);
	memset(cm, 0, sizeof(*cm));
}

/* The base of the smallest blossom holding both a and b: walk up from a marking bases, then
 * from b until a marked base. */
static long common_base(pl_cardmatch *cm, long a, long b)
{
	memset(cm->onpath, 0, cm->n);
	for (;;) {
		a = cm->base[a];
		cm->onpath[a] = 1;
		if (cm->mate[a] < 0) /* the root's blossom */
			break;
		a = cm->pred[cm->mate[a]];
	}
	for (;;) {
		b = cm->base[b];
		if (cm->onpath[b])
			return b;
		b = cm->pred[cm->mate[b]];
	}
}

/* Mark the bases on the path from v down to the blossom's base b, and point the inner
 * vertices' pred across the new odd cycle (through `from`). */
static void mark_cycle(pl_cardmatch *cm, long v, long b, long from)
{
	while (cm->base[v] != b) {
		long w = cm->mate[v];
		cm->mark[cm->base[v]] = 1;
		cm->mark[cm->base[w]] = 1;
		cm->pred[v] = from;
		from = w;
		v = cm->pred[w];
	}
}

/* Shrink the blossom closed by the edge (v, w): its vertices take base b and become outer. */
static void shrink(pl_cardmatch *cm, long v, long w, size_t *qt,
		   const unsigned char *gone)
{
	long b = common_base(cm, v, w);

	memset(cm->mark, 0, cm->n);
	mark_cycle(cm, v, b, w);
	mark_cycle(cm, w, b, v);
	for (size_t x = 0; x < cm->n; x++)
		if (!gone[x] && cm->mark[cm->base[x]]) {
			cm->base[x] = b;
			if (!cm->outer[x]) {
				cm->outer[x] = 1;
				cm->queue[(*qt)++] = (long)x;
			}
		}
}

/* The edge from outer vertex v to w, in an alternating search from root: an odd cycle is
 * shrunk, an unlabelled matched w becomes inner and its mate outer (queued). Returns w when it
 * is exposed (an augmenting path, pred holds it), else -1. */
static long visit(pl_cardmatch *cm, long root, long v, long w, size_t *qt,
		  const unsigned char *gone, int seeded)
{
	if (gone[w] || cm->base[v] == cm->base[w] || cm->mate[v] == w)
		return -1;
	if (w == root || (seeded && cm->base[w] == root) ||
	    (cm->mate[w] >= 0 && cm->pred[cm->mate[w]] >= 0)) {
		shrink(cm, v, w, qt, gone); /* w is outer: an odd cycle */
	} else if (cm->pred[w] < 0) {
		cm->pred[w] = v;
		if (cm->mate[w] < 0)
			return w;
		cm->outer[cm->mate[w]] = 1;
		cm->queue[(*qt)++] = cm->mate[w];
	}
	return -1;
}

/* An alternating search from the exposed vertex root: the exposed vertex it reaches (pred
 * holds the path), or -1 when there is none. held (NULL: none) flags vertices known to form,
 * with root, a blossom of the matching: they start shrunk into root's (outer, base root), and
 * only the edges leaving them are visited (from their far end's adjacency), never the edges
 * among them. */
static long search(pl_cardmatch *cm, long root, const unsigned char *gone,
		   const unsigned char *held)
{
	size_t qh = 0, qt = 0;

	for (size_t x = 0; x < cm->n; x++) {
		cm->pred[x] = -1;
		cm->base[x] = (long)x;
		cm->outer[x] = 0;
	}
	cm->outer[root] = 1;
	if (held) {
		for (size_t x = 0; x < cm->n; x++)
			if (held[x] && !gone[x]) {
				cm->base[x] = root;
				cm->outer[x] = 1;
			}
		for (size_t x = 0; x < cm->n; x++) {
			if (gone[x] || held[x] || (long)x == root)
				continue;
			for (size_t a = cm->start[x]; a < cm->start[x + 1]; a++) {
				long u = cm->adj[a], end;
				if (gone[u] || !(held[u] || u == root))
					continue;
				end = visit(cm, root, u, (long)x, &qt, gone, 1);
				if (end >= 0)
					return end;
			}
		}
	} else {
		cm->queue[qt++] = root;
	}
	while (qh < qt) {
		long v = cm->queue[qh++];
		for (size_t a = cm->start[v]; a < cm->start[v + 1]; a++) {
			long end = visit(cm, root, v, cm->adj[a], &qt, gone, held != NULL);
			if (end >= 0)
				return end;
		}
	}
	return -1;
}

int pl_cardmatch_reach(pl_cardmatch *cm, const unsigned char *gone, size_t root,
		       const unsigned char *held)
{
	return search(cm, (long)root, gone, held) < 0 ? 0 : -1;
}

int pl_cardmatch_perfect(pl_cardmatch *cm, const unsigned char *gone)
{
	for (size_t r = 0; r < cm->n; r++) {
		long end;
		if (gone[r] || cm->mate[r] >= 0)
			continue;
		end = search(cm, (long)r, gone, NULL);
		if (end < 0)
			return 0;
		while (end >= 0) { /* flip the path */
			long v = cm->pred[end], next = cm->mate[v];
			cm->mate[end] = v;
			cm->mate[v] = end;
			end = next;
		}
	}
	return 1;
}
