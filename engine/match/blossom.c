/*
 * blossom.c: maximum-weight matching on a general graph (see include/peerlink/blossom.h).
 *
 * Why this exists: pairing clients among themselves (buddies) is a matching on a general graph;
 * the bipartite assignment solver cannot express it, and the answer must be exactly optimal with
 * a certificate the tests can check.
 *
 * Method: Edmonds' primal-dual blossom algorithm for weighted matching, organised in stages as in
 * Z. Galil, "Efficient algorithms for finding maximum matching in graphs", ACM Computing Surveys
 * 18(1), 1986, section 3 (the O(n^3) version: per stage, least-slack edges kept per vertex and per
 * S-blossom, so each dual adjustment costs O(n)); also following the primal-dual description in
 * J. van Rantwijk's notes on the same formulation (endpoint numbering, blossom child/edge cycles).
 * The LP (Edmonds 1965): maximise w.x subject to x(delta(v)) <= 1 and x(E[B]) <= (|B|-1)/2 for odd
 * sets B; the dual has y_v >= 0, z_B >= 0 and y_u + y_v + sum_{B contains u,v} z_B >= w_uv.
 * Complementary slackness: matched edges tight, y_v = 0 on unmatched vertices, z_B > 0 only on
 * full blossoms. Each stage grows alternating trees from the unmatched vertices whose dual is
 * still positive (S/outer and T/inner labels), forms blossoms on S-S tight edges, and when no
 * tight edge helps, changes the duals by delta = min of
 *     d1 = smallest dual of an S-vertex             (it may then be left unmatched),
 *     d2 = least slack of an edge S - unlabelled,
 *     d3 = half the least slack of an edge between two S-blossoms,
 *     d4 = half the dual of a T-blossom             (the blossom is then expanded).
 *
 * Integers only: internal weights are W = 2 * S * w (an even integer, see the scale policy in the
 * header) and we store yy = 2y and zz = 2z, so the slack of edge uv is yy_u + yy_v - 2 W (for
 * endpoints in different top-level blossoms) and every delta stays an integer: all tree roots keep
 * the same parity, hence S-S slacks are even (Galil's half-integrality argument).
 *
 * Jump start (Galil's algorithm allows any feasible duals with tight matched edges, if exposed
 * vertices are handled through d1 per vertex, as here): y_v = max incident weight, then a greedy
 * pass lowers each unmatched vertex's dual to the least feasible value and matches it along a
 * tight edge to another unmatched vertex when there is one. Unmatched vertices with y_v = 0 are
 * already optimal (complementary slackness) and are not tree roots; a tree reaching one through a
 * tight edge augments to it; a d1 event on a non-root S-vertex v flips the even path from its root
 * to v, leaving v unmatched with y_v = 0. With max_cardinality all duals start equal (no jump
 * start, d1 unused), and the last stage's labels certify that no augmenting path exists.
 *
 * Persistent forest (an implementation choice, not Galil's stage structure): all trees grow at
 * once; after augmentations (several disjoint ones per pass, without a dual change) only the
 * trees involved dissolve, the others keep their labels. What the survivors recorded about the
 * dissolved vertices (least-slack edges, reach marks inside T-blossoms) is re-derived from the
 * adjacency when it may be stale. d1 and d2 come from lazy-deletion heaps and d3 from constant
 * keys: while the labels hold, an S-vertex dual falls by exactly delta and an S-unlabelled slack
 * too (S-S slacks by 2 delta), so each key plus the running total of deltas is constant.
 *
 * Sparse candidates (design note "Where the time goes"): on many edges we solve on each vertex's
 * k heaviest edges, then price every edge against the final duals (the blossom duals enter
 * through the common ancestors in the blossom forest); violated edges are added and the solve
 * resumes warm (warm_duals). When no edge is violated the duals are feasible for the whole graph,
 * so the matching is optimal for it (weak duality), exactly as in the direct solve.
 */
#include <peerlink/blossom.h>

#include "blossom_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LBL_NONE 0
#define LBL_S 1
#define LBL_T 2

typedef struct heap_entry {
	int64_t key;
	int v;
} heap_entry;

/* One solve of the primal-dual algorithm on a fixed edge set. Blossoms are numbered n..2n-1. */
typedef struct core {
	int n, m;
	const int *eu, *ev;  /* edge k joins eu[k] and ev[k]; end 2k is at eu[k], end 2k+1 at ev[k] */
	const int64_t *W;    /* internal weight 2 * S * w per edge */
	int maxcard, jump;
	/* per vertex: the remote ends of its edges, adj[adjstart[v] .. adjend[v]), and one spare
	 * slot after them (adjstart[v + 1] - 1) for a warm re-solve's partner edge; adjto[a] is the
	 * vertex at the remote end adj[a] (endp), kept beside it because the scans of least slacks
	 * read it for every edge, several times per dual change */
	int *adjstart, *adjend, *adj, *adjto;
	int *mate;           /* per vertex: remote end of the matched edge, or -1 */
	int *label, *labelend, *inblossom, *bparent, *bbase, *bestedge; /* 2n each */
	int **bchild, **bendp, *bnchild, *bcapchild; /* blossom cycles: children and their edges */
	int **bbest, *bnbest, *bcapbest;             /* least-slack edges to other S-blossoms */
	char *bbest_set;
	int64_t *yy, *zz; /* 2 * vertex duals (n), 2 * blossom duals (2n, used from n) */
	/* d2 keys: slack of bestedge[v] plus the total dual change so far (`dualtime`). While v is
	 * unlabelled and the other end an S-vertex, that slack falls by exactly each delta, so the
	 * key is constant and d2 = min key - dualtime without touching the edge. */
	int64_t *key2, dualtime;
	/* Likewise for d3 (an S-S slack falls by 2 delta: key3 = slack + 2 dualtime, per node) and
	 * d1 (an S-vertex's dual falls by delta: key1 = yy + dualtime). d1 and d2 keep binary
	 * min-heaps with lazy deletion: an entry is used only if it still matches the vertex's
	 * current key and state; the heaps are rebuilt whenever trees dissolve. */
	int64_t *key3, *key1;
	heap_entry *h1, *h2;
	int nh1, caph1, nh2, caph2;
	/* Tight marks: edge k was found tight (allowed[k] = vstamp[u] + vstamp[v] + 1 then) and
	 * still is while neither end has left a tree since: leaving bumps the vertex's stamp
	 * (unlist_leaves), which voids the marks of all its edges at once instead of clearing them
	 * one by one (a scan of every edge of every dissolved vertex; 0 = never marked). */
	int *allowed, *vstamp;
	int *freeb, nfree;
	int *queue, qlen, qcap;
	int *stk, *leafbuf, *bestto, *btouch, *path, *pathe;
	int *tree;           /* per labelled node: the root vertex of its tree */
	unsigned char *dead; /* per root / per unlabelled target: augmented in this pass */
	int *tl_dead, n_dead;
	/* Work lists, so that a dual change costs the size of the live trees, not O(n): labelled
	 * leaves (dual updates), labelled top-level nodes (d3, d4, blossom duals), vertices with a
	 * least-slack edge from an S-vertex (d2). Each has a membership flag; entries that stopped
	 * mattering are dropped whenever trees dissolve (compact_lists). */
	int *tl_leaf, n_leaf, *tl_top, n_top, *tl_d2, n_d2;
	unsigned char *f_leaf, *f_top, *f_d2;
	size_t stages, dual_updates, greedy_pairs;
	/* A single-root search (pl_blossom_search_kept): stop once every watched vertex is in an
	 * S-blossom; an augmentation there breaks its premise (search_aug). */
	const int *watch;
	int nwatch, search_aug;
	int failed; /* allocation failure or broken invariant */
	int cap_n, cap_m; /* sizes the arrays were allocated for (core_reuse) */
} core;

/* Mark edge k, joining u and w, tight (see allowed). */
static inline void mark_tight(core *c, int k)
{
	c->allowed[k] = c->vstamp[c->eu[k]] + c->vstamp[c->ev[k]] + 1;
}

static inline int marked_tight(const core *c, int k, int u, int w)
{
	return c->allowed[k] == c->vstamp[u] + c->vstamp[w] + 1;
}

static inline int endp(const core *c, int p)
{
	return (p & 1) ? c->ev[p >> 1] : c->eu[p >> 1];
}

#define LIST_ADD(c, list, count, flag, x)                                                          \
	do {                                                                                       \
		if (!(c)->flag[x]) {                                                               \
			(c)->flag[x] = 1;                                                          \
			(c)->list[(c)->count++] = (x);                                             \
		}                                                                                  \
	} while (0)

static inline int64_t slack(const core *c, int k)
{
	return c->yy[c->eu[k]] + c->yy[c->ev[k]] - 2 * c->W[k];
}

/* Leaves (vertices) of node b, into out[]; returns their number. */
static int leaves(core *c, int b, int *out)
{
	int top = 0, cnt = 0;

	c->stk[top++] = b;
	while (top) {
		int x = c->stk[--top];
		if (x < c->n) {
			out[cnt++] = x;
			continue;
		}
		for (int i = 0; i < c->bnchild[x]; i++)
			c->stk[top++] = c->bchild[x][i];
	}
	return cnt;
}

static void push_queue(core *c, int v)
{
	if (c->qlen == c->qcap) {
		int ncap = c->qcap * 2 + 16;
		int *q = realloc(c->queue, (size_t)ncap * sizeof(int));
		if (!q) {
			c->failed = 1;
			return;
		}
		c->queue = q;
		c->qcap = ncap;
	}
	c->queue[c->qlen++] = v;
}

static int heap_push(heap_entry **h, int *nh, int *cap, int64_t key, int v)
{
	int i;
	if (*nh == *cap) {
		int ncap = *cap * 2 + 64;
		heap_entry *nhp = realloc(*h, (size_t)ncap * sizeof(heap_entry));
		if (!nhp)
			return -1;
		*h = nhp;
		*cap = ncap;
	}
	i = (*nh)++;
	while (i > 0 && (*h)[(i - 1) / 2].key > key) {
		(*h)[i] = (*h)[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	(*h)[i].key = key;
	(*h)[i].v = v;
	return 0;
}

static void heap_pop(heap_entry *h, int *nh)
{
	heap_entry last = h[--*nh];
	int i = 0, cnt = *nh;
	for (;;) {
		int l = 2 * i + 1, r = l + 1, s = i;
		int64_t sk = last.key;
		if (l < cnt && h[l].key < sk) {
			s = l;
			sk = h[l].key;
		}
		if (r < cnt && h[r].key < sk)
			s = r;
		if (s == i)
			break;
		h[i] = h[s];
		i = s;
	}
	if (cnt > 0)
		h[i] = last;
}

static void push_d1(core *c, int v)
{
	if (c->maxcard)
		return;
	c->key1[v] = c->yy[v] + c->dualtime;
	if (heap_push(&c->h1, &c->nh1, &c->caph1, c->key1[v], v) != 0)
		c->failed = 1;
}

static void push_d2(core *c, int v)
{
	if (heap_push(&c->h2, &c->nh2, &c->caph2, c->key2[v], v) != 0)
		c->failed = 1;
}

/* Label the top-level blossom of w with t, reached through the edge whose end outside it is p.
 * A T-blossom's base is matched; its mate's blossom becomes S. */
static void assign_label(core *c, int w, int t, int p)
{
	for (;;) {
		int b = c->inblossom[w];
		c->label[w] = c->label[b] = t;
		c->labelend[w] = c->labelend[b] = p;
		c->tree[w] = c->tree[b] = p == -1 ? w : c->tree[c->inblossom[endp(c, p)]];
		c->bestedge[w] = c->bestedge[b] = -1;
		LIST_ADD(c, tl_top, n_top, f_top, b);
		{
			int cnt = leaves(c, b, c->leafbuf);
			for (int i = 0; i < cnt; i++) {
				LIST_ADD(c, tl_leaf, n_leaf, f_leaf, c->leafbuf[i]);
				if (t == LBL_S) {
					push_queue(c, c->leafbuf[i]);
					push_d1(c, c->leafbuf[i]);
				}
			}
		}
		if (t == LBL_S)
			return;
		{
			int base = c->bbase[b], mp = c->mate[base];
			w = endp(c, mp);
			t = LBL_S;
			p = mp ^ 1;
		}
	}
}

/* Trace from v and w towards their roots; return the base of the new blossom if the paths
 * meet, -1 if they reach different roots (an augmenting path). */
static int scan_blossom(core *c, int v, int w)
{
	int npath = 0, base = -1;

	while (v != -1 || w != -1) {
		if (v != -1) {
			int b = c->inblossom[v];
			if (c->label[b] & 4) {
				base = c->bbase[b];
				break;
			}
			c->label[b] |= 4; /* breadcrumb */
			c->path[npath++] = b;
			if (c->labelend[b] == -1) {
				v = -1;
			} else {
				v = endp(c, c->labelend[b]);
				b = c->inblossom[v];
				v = endp(c, c->labelend[b]);
			}
		}
		if (w != -1) {
			int t = v;
			v = w;
			w = t;
		}
	}
	for (int i = 0; i < npath; i++)
		c->label[c->path[i]] &= ~4;
	return base;
}

static int ensure_child_cap(core *c, int b, int need)
{
	if (c->bcapchild[b] >= need)
		return 0;
	int ncap = need < 8 ? 8 : need;
	int *a = realloc(c->bchild[b], (size_t)ncap * sizeof(int));
	if (!a)
		return -1;
	c->bchild[b] = a;
	a = realloc(c->bendp[b], (size_t)ncap * sizeof(int));
	if (!a)
		return -1;
	c->bendp[b] = a;
	c->bcapchild[b] = ncap;
	return 0;
}

static void reverse_ints(int *a, int len)
{
	for (int i = 0, j = len - 1; i < j; i++, j--) {
		int t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}

/* Edge kk reaches S-blossom by (not b): keep it in bestto[by] if it has the least slack so far. */
static void offer_edge(core *c, int b, int kk, int y, int *nt)
{
	int by = c->inblossom[y];

	if (by != b && c->label[by] == LBL_S &&
	    (c->bestto[by] == -1 || slack(c, kk) < slack(c, c->bestto[by]))) {
		if (c->bestto[by] == -1)
			c->btouch[(*nt)++] = by;
		c->bestto[by] = kk;
	}
}

/* The new S-blossom b's least-slack edge to every other S-blossom (from its children's lists,
 * or from their leaves' edges), and its own least-slack edge for d3. */
static void best_edges_of_new_blossom(core *c, int b, int len)
{
	int nt = 0;

	for (int i = 0; i < len; i++) {
		int ch = c->bchild[b][i];
		if (ch >= c->n && c->bbest_set[ch]) {
			for (int q = 0; q < c->bnbest[ch]; q++) {
				int kk = c->bbest[ch][q];
				offer_edge(c, b, kk, c->inblossom[c->ev[kk]] == b ? c->eu[kk] : c->ev[kk], &nt);
			}
			c->bbest_set[ch] = 0;
			c->bnbest[ch] = 0;
		} else {
			int cnt = leaves(c, ch, c->leafbuf);
			for (int li = 0; li < cnt; li++) {
				int x = c->leafbuf[li];
				for (int a = c->adjstart[x]; a < c->adjend[x]; a++)
					offer_edge(c, b, c->adj[a] >> 1, c->adjto[a], &nt);
			}
		}
		c->bestedge[ch] = -1;
	}
	if (c->bcapbest[b] < nt) {
		int ncap = nt < 8 ? 8 : nt;
		int *a = realloc(c->bbest[b], (size_t)ncap * sizeof(int));
		if (!a) {
			c->failed = 1;
			return;
		}
		c->bbest[b] = a;
		c->bcapbest[b] = ncap;
	}
	c->bnbest[b] = 0;
	c->bestedge[b] = -1;
	for (int i = 0; i < nt; i++) {
		int kk = c->bestto[c->btouch[i]];
		c->bestto[c->btouch[i]] = -1;
		c->bbest[b][c->bnbest[b]++] = kk;
		if (c->bestedge[b] == -1 || slack(c, kk) < slack(c, c->bestedge[b]))
			c->bestedge[b] = kk;
	}
	if (c->bestedge[b] != -1)
		c->key3[b] = slack(c, c->bestedge[b]) + 2 * c->dualtime;
	c->bbest_set[b] = 1;
}

/* New S-blossom with base `base` closed by edge k (both ends S, same tree). */
static void add_blossom(core *c, int base, int k)
{
	int v = c->eu[k], w = c->ev[k];
	int bb = c->inblossom[base], bv = c->inblossom[v], bw = c->inblossom[w];
	int b, len = 0;

	if (c->nfree == 0) {
		c->failed = 1;
		return;
	}
	b = c->freeb[--c->nfree];
	c->bbase[b] = base;
	c->bparent[b] = -1;
	c->bparent[bb] = b;
	/* The cycle from bb to bv (reversed trace from bv), then edge k, then bw back to bb. */
	while (bv != bb) {
		c->bparent[bv] = b;
		c->path[len] = bv;
		c->pathe[len] = c->labelend[bv];
		len++;
		v = endp(c, c->labelend[bv]);
		bv = c->inblossom[v];
	}
	c->path[len] = bb;
	reverse_ints(c->path, len + 1);
	reverse_ints(c->pathe, len);
	len++;
	c->pathe[len - 1] = 2 * k;
	while (bw != bb) {
		c->bparent[bw] = b;
		c->path[len] = bw;
		c->pathe[len] = c->labelend[bw] ^ 1;
		len++;
		w = endp(c, c->labelend[bw]);
		bw = c->inblossom[w];
	}
	if (ensure_child_cap(c, b, len) != 0) {
		c->failed = 1;
		return;
	}
	memcpy(c->bchild[b], c->path, (size_t)len * sizeof(int));
	memcpy(c->bendp[b], c->pathe, (size_t)len * sizeof(int));
	c->bnchild[b] = len;
	c->label[b] = LBL_S;
	c->labelend[b] = c->labelend[bb];
	c->tree[b] = c->tree[bb];
	c->zz[b] = 0;
	LIST_ADD(c, tl_top, n_top, f_top, b);
	{
		int cnt = leaves(c, b, c->leafbuf);
		for (int i = 0; i < cnt; i++) {
			int x = c->leafbuf[i];
			if (c->label[c->inblossom[x]] == LBL_T) {
				push_queue(c, x); /* former T-vertices are S now */
				push_d1(c, x);
			}
			c->inblossom[x] = b;
		}
	}
	best_edges_of_new_blossom(c, b, len);
}

/* Scan vertex x's edges for the least-slack one to an S-blossom other than `own` (x's own
 * top-level blossom): *best (-1 while none) and its slack *bs are updated in place, so that
 * scanning every leaf of a blossom in turn gives the blossom's least-slack edge. */
static void least_slack_to_s(const core *c, int x, int own, int *best, int64_t *bs)
{
	int64_t yx = c->yy[x];

	for (int a = c->adjstart[x]; a < c->adjend[x]; a++) {
		int to = c->adjto[a], by = c->inblossom[to];
		if (by != own && c->label[by] == LBL_S) {
			int k = c->adj[a] >> 1;
			int64_t s = yx + c->yy[to] - 2 * c->W[k]; /* slack(c, k) */
			if (*best == -1 || s < *bs) {
				*best = k;
				*bs = s;
			}
		}
	}
}

/* Least-slack edge from an S-vertex to vertex x (x not in an S-blossom), for d2. */
static void recompute_d2(core *c, int x)
{
	int best = -1;
	int64_t bs = 0;

	least_slack_to_s(c, x, c->inblossom[x], &best, &bs);
	c->bestedge[x] = best;
	c->key2[x] = bs + c->dualtime;
	if (best != -1) {
		push_d2(c, x);
		LIST_ADD(c, tl_d2, n_d2, f_d2, x);
	}
}

/* Least-slack edge from S-blossom b to another S-blossom, for d3, from b's leaves. */
static void recompute_d3(core *c, int b)
{
	int best = -1, cnt = leaves(c, b, c->leafbuf);
	int64_t bs = 0;

	for (int q = 0; q < cnt; q++)
		least_slack_to_s(c, c->leafbuf[q], b, &best, &bs);
	c->bestedge[b] = best;
	c->key3[b] = bs + 2 * c->dualtime;
	if (b >= c->n) {
		c->bbest_set[b] = 0; /* its list may miss edges now: rebuild from the leaves */
		c->bnbest[b] = 0;
	}
}

static int child_index(const core *c, int b, int ch)
{
	for (int i = 0; i < c->bnchild[b]; i++)
		if (c->bchild[b][i] == ch)
			return i;
	return -1;
}

/* Dissolve blossom b into its children; mid-stage T-blossoms relabel the children on the even
 * path from the entry child to the base (Galil section 3, "expand"). */
static void expand_blossom(core *c, int b, int endstage)
{
	int len = c->bnchild[b];
	int *ch = c->bchild[b], *ep = c->bendp[b];

	for (int i = 0; i < len; i++) {
		int s = ch[i];
		c->bparent[s] = -1;
		if (s < c->n) {
			c->inblossom[s] = s;
		} else if (endstage && c->zz[s] == 0) {
			expand_blossom(c, s, endstage);
		} else {
			int cnt = leaves(c, s, c->leafbuf);
			for (int q = 0; q < cnt; q++)
				c->inblossom[c->leafbuf[q]] = s;
		}
	}
	if (!endstage && c->label[b] == LBL_T) {
		int entry = c->inblossom[endp(c, c->labelend[b] ^ 1)];
		int i = child_index(c, b, entry), j = i, p = c->labelend[b];
		int forward = i & 1;

		if (forward) {
			while (j != len) {
				assign_label(c, endp(c, p ^ 1), LBL_T, p);
				mark_tight(c, ep[j] >> 1);
				j++;
				p = ep[j];
				mark_tight(c, p >> 1);
				j++;
			}
		} else {
			while (j != 0) {
				assign_label(c, endp(c, p ^ 1), LBL_T, p);
				mark_tight(c, ep[j - 1] >> 1);
				j--;
				p = ep[j - 1] ^ 1;
				mark_tight(c, p >> 1);
				j--;
			}
		}
		{
			int bv = ch[0], x = endp(c, p ^ 1);
			c->label[x] = c->label[bv] = LBL_T;
			c->labelend[x] = c->labelend[bv] = p;
			c->tree[x] = c->tree[bv] = c->tree[b];
			c->bestedge[bv] = -1;
			LIST_ADD(c, tl_top, n_top, f_top, bv);
		}
		/* Children off the path: a child with a tight edge from an S-vertex becomes T
		 * (its partner child S); the others become unlabelled, with their least-slack edges
		 * from S-vertices recomputed (marks left by earlier scans may be stale once other
		 * trees have augmented, so they are not trusted). */
		j = forward ? 1 : len - 1;
		while (ch[j] != entry) {
			int bv = ch[j];
			if (c->label[bv] != LBL_S) {
				int cnt = leaves(c, bv, c->leafbuf), found = -1, fp = -1;
				c->label[bv] = LBL_NONE;
				for (int q = 0; q < cnt; q++)
					c->label[c->leafbuf[q]] = LBL_NONE; /* stale reach marks */
				for (int q = 0; q < cnt && found < 0; q++) {
					int x = c->leafbuf[q];
					for (int a = c->adjstart[x]; a < c->adjend[x]; a++) {
						int pp = c->adj[a], by = c->inblossom[c->adjto[a]];
						if (by != bv && c->label[by] == LBL_S && slack(c, pp >> 1) == 0) {
							found = x;
							fp = pp;
							break;
						}
					}
				}
				if (found >= 0) {
					mark_tight(c, fp >> 1);
					assign_label(c, found, LBL_T, fp);
				} else {
					for (int q = 0; q < cnt; q++)
						recompute_d2(c, c->leafbuf[q]);
				}
			}
			j = forward ? j + 1 : j - 1;
		}
	}
	c->label[b] = LBL_NONE;
	c->labelend[b] = -1;
	c->bnchild[b] = 0;
	c->bbase[b] = -1;
	c->bbest_set[b] = 0;
	c->bnbest[b] = 0;
	c->bestedge[b] = -1;
	c->freeb[c->nfree++] = b;
}

/* Make vertex v the base of blossom b by flipping the even path inside the cycle. */
static void augment_blossom(core *c, int b, int v)
{
	int t = v, len, i, j;
	int *ch, *ep;

	while (c->bparent[t] != b)
		t = c->bparent[t];
	if (t >= c->n)
		augment_blossom(c, t, v);
	len = c->bnchild[b];
	ch = c->bchild[b];
	ep = c->bendp[b];
	i = j = child_index(c, b, t);
	if (i & 1) {
		while (j != len) {
			int p;
			j++;
			p = ep[j];
			if (ch[j] >= c->n)
				augment_blossom(c, ch[j], endp(c, p));
			j++;
			if (ch[j % len] >= c->n)
				augment_blossom(c, ch[j % len], endp(c, p ^ 1));
			c->mate[endp(c, p)] = p ^ 1;
			c->mate[endp(c, p ^ 1)] = p;
		}
	} else {
		while (j != 0) {
			int p;
			j--;
			p = ep[j - 1] ^ 1;
			if (ch[j] >= c->n)
				augment_blossom(c, ch[j], endp(c, p));
			j--;
			if (ch[j] >= c->n)
				augment_blossom(c, ch[j], endp(c, p ^ 1));
			c->mate[endp(c, p)] = p ^ 1;
			c->mate[endp(c, p ^ 1)] = p;
		}
	}
	/* Rotate so that the child holding v comes first. */
	if (i > 0) {
		memcpy(c->path, ch, (size_t)len * sizeof(int));
		memcpy(c->pathe, ep, (size_t)len * sizeof(int));
		for (int q = 0; q < len; q++) {
			ch[q] = c->path[(q + i) % len];
			ep[q] = c->pathe[(q + i) % len];
		}
	}
	c->bbase[b] = v;
}

/* Match vertex s through remote end p (-1: leave it unmatched) and flip the alternating path
 * from s's blossom back to its tree root (or to an unlabelled exposed blossom). */
static void augment_side(core *c, int s, int p)
{
	for (;;) {
		int bs = c->inblossom[s], t, bt, j;
		if (bs >= c->n)
			augment_blossom(c, bs, s);
		c->mate[s] = p;
		if (c->labelend[bs] == -1)
			return;
		t = endp(c, c->labelend[bs]);
		bt = c->inblossom[t];
		s = endp(c, c->labelend[bt]);
		j = endp(c, c->labelend[bt] ^ 1);
		if (bt >= c->n)
			augment_blossom(c, bt, j);
		c->mate[j] = c->labelend[bt];
		p = c->labelend[bt] ^ 1;
	}
}

static void mark_dead(core *c, int x)
{
	if (!c->dead[x]) {
		c->dead[x] = 1;
		c->tl_dead[c->n_dead++] = x;
	}
}

/* Augment along edge k between two trees (or a tree and an unmatched vertex outside every
 * tree); both trees are then dead for the rest of the stage. */
static int augment(core *c, int k)
{
	int roots = 0;
	for (int side = 0; side < 2; side++) {
		int b = c->inblossom[side ? c->ev[k] : c->eu[k]];
		mark_dead(c, c->label[b] == LBL_NONE ? b : c->tree[b]);
		roots += c->label[b] != LBL_NONE;
	}
	augment_side(c, c->eu[k], 2 * k + 1);
	augment_side(c, c->ev[k], 2 * k);
	return roots;
}

/* Is node b (top-level) in a tree that augmented this stage? */
static inline int is_dead(const core *c, int b)
{
	return c->n_dead > 0 && c->dead[c->label[b] == LBL_NONE ? b : c->tree[b]];
}

/* Initial duals and matching. Without max_cardinality: y_v = max(0, heaviest incident edge),
 * then the greedy jump start; with it: all duals equal to the heaviest edge (Galil's start). */
static void initialise(core *c)
{
	int64_t wmax = 0;

	for (int k = 0; k < c->m; k++)
		if (c->W[k] > wmax)
			wmax = c->W[k];
	for (int v = 0; v < c->n; v++)
		c->yy[v] = wmax;
	if (!c->jump)
		return;
	/* yy = 2y = 2 * (W/2) = W for the heaviest incident edge (W is even, so yy is even). */
	for (int v = 0; v < c->n; v++) {
		int64_t best = 0;
		for (int a = c->adjstart[v]; a < c->adjend[v]; a++) {
			int k = c->adj[a] >> 1;
			if (c->W[k] > best)
				best = c->W[k];
		}
		c->yy[v] = best;
	}
	for (int v = 0; v < c->n; v++) {
		int64_t need = 0;
		if (c->mate[v] != -1)
			continue;
		/* Lower y_v to the least value keeping every incident edge feasible... */
		for (int a = c->adjstart[v]; a < c->adjend[v]; a++) {
			int p = c->adj[a];
			int64_t r = 2 * c->W[p >> 1] - c->yy[c->adjto[a]];
			if (r > need)
				need = r;
		}
		c->yy[v] = need;
		if (need == 0)
			continue; /* optimal unmatched: y_v = 0 */
		/* ...and match it along a tight edge to an unmatched vertex, if there is one. */
		for (int a = c->adjstart[v]; a < c->adjend[v]; a++) {
			int p = c->adj[a], u = c->adjto[a];
			if (c->mate[u] == -1 && 2 * c->W[p >> 1] - c->yy[u] == need) {
				c->mate[v] = p;
				c->mate[u] = p ^ 1;
				c->greedy_pairs++;
				break;
			}
		}
	}
}

/* Drop list entries that no longer matter (vertices and blossoms of dissolved trees), so that a
 * dual adjustment costs the size of the live trees and their frontier, not of all history. */
static void compact_lists(core *c)
{
	int k = 0;
	for (int i = 0; i < c->n_leaf; i++) {
		int v = c->tl_leaf[i];
		if (c->label[c->inblossom[v]] != LBL_NONE)
			c->tl_leaf[k++] = v;
		else
			c->f_leaf[v] = 0;
	}
	c->n_leaf = k;
	k = 0;
	for (int i = 0; i < c->n_top; i++) {
		int b = c->tl_top[i];
		if (c->bparent[b] == -1 && (b < c->n || c->bbase[b] >= 0) && c->label[b] != LBL_NONE) {
			c->tl_top[k++] = b;
			/* An S-blossom's least-slack edge to another S-blossom may now lead to a
			 * dissolved vertex: recompute it (d3). */
			if (c->label[b] == LBL_S && c->bestedge[b] != -1) {
				int e = c->bestedge[b], bu = c->inblossom[c->eu[e]], bv = c->inblossom[c->ev[e]];
				int other = bu == b ? bv : bu;
				if ((bu != b && bv != b) || other == b || c->label[other] != LBL_S)
					recompute_d3(c, b);
			}
		} else {
			c->f_top[b] = 0;
		}
	}
	c->n_top = k;
	k = 0;
	for (int i = 0; i < c->n_d2; i++) {
		int v = c->tl_d2[i], e = c->bestedge[v];
		/* Least-slack edges from S-vertices that were dissolved are recomputed (d2). */
		if (e != -1 && c->label[c->inblossom[v]] != LBL_S &&
		    c->label[c->inblossom[c->eu[e] == v ? c->ev[e] : c->eu[e]]] != LBL_S)
			recompute_d2(c, v);
		if (c->bestedge[v] != -1 && c->label[c->inblossom[v]] != LBL_S) {
			c->tl_d2[k++] = v;
		} else {
			c->f_d2[v] = 0;
		}
	}
	c->n_d2 = k;
	c->nh1 = c->nh2 = 0;
	for (int i = 0; i < c->n_leaf; i++)
		if (c->label[c->inblossom[c->tl_leaf[i]]] == LBL_S)
			push_d1(c, c->tl_leaf[i]);
	for (int i = 0; i < c->n_d2; i++) {
		int v = c->tl_d2[i];
		if (c->bestedge[v] != -1 && c->label[c->inblossom[v]] == LBL_NONE)
			push_d2(c, v);
	}
}

/* Reset the labels of node x and everything inside it. */
static void unlabel_subtree(core *c, int x)
{
	int top = 0;
	c->stk[top++] = x;
	while (top) {
		int y = c->stk[--top];
		c->label[y] = LBL_NONE;
		c->labelend[y] = -1;
		c->bestedge[y] = -1;
		if (y >= c->n) {
			c->bbest_set[y] = 0;
			c->bnbest[y] = 0;
			for (int i = 0; i < c->bnchild[y]; i++)
				c->stk[top++] = c->bchild[y][i];
		}
	}
}

/* The leaves of blossom b leave the trees: their edges lose the tight mark (vstamp; their
 * slacks are checked again when next scanned) and they are listed in pathe[nv ..] for their
 * least-slack edges; returns the new length of that list. */
static int unlist_leaves(core *c, int b, int nv)
{
	int cnt = leaves(c, b, c->leafbuf);

	for (int q = 0; q < cnt; q++) {
		int x = c->leafbuf[q];
		c->vstamp[x]++;
		c->pathe[nv++] = x;
	}
	return nv;
}

/*
 * After augmentations: the trees that augmented (dead) dissolve, their vertices become
 * unlabelled (their blossoms stay; S-blossoms with zero dual are expanded, as at the end of a
 * stage in Galil's description), and the other trees carry on unchanged. What other trees
 * recorded about the dissolved vertices is checked lazily (d2, d3, T-expansion); here the
 * dissolved vertices get their own least-slack edges from the remaining S-vertices. When no
 * tree is left (live 0: the solve ends here) there is nobody to record least slacks for, and
 * that part (a scan of every dissolved vertex's edges, the larger share of a warm re-solve)
 * is skipped.
 */
static void dissolve_dead(core *c, int live)
{
	int nd = 0, nv = 0;

	for (int i = 0; i < c->n_top; i++) {
		int b = c->tl_top[i];
		if (c->bparent[b] != -1 || (b >= c->n && c->bbase[b] < 0) || c->label[b] == LBL_NONE ||
		    !c->dead[c->tree[b]])
			continue;
		c->path[nd++] = b; /* path[] is free here: dead top-level nodes */
	}
	for (int i = 0; i < nd; i++) {
		int b = c->path[i], was_s = c->label[b] == LBL_S;
		if (live)
			nv = unlist_leaves(c, b, nv);
		unlabel_subtree(c, b);
		if (b >= c->n && was_s && c->zz[b] == 0)
			expand_blossom(c, b, 1);
	}
	/* Unmatched vertices outside the trees that were augmented to were skipped by the scans
	 * after that: they need their least-slack edges from S-vertices too. */
	for (int i = 0; i < c->n_dead; i++) {
		int x = c->tl_dead[i];
		c->dead[x] = 0;
		if (live && (x < c->n || c->bbase[x] >= 0) && c->bparent[x] == -1 &&
		    c->label[x] == LBL_NONE)
			nv = unlist_leaves(c, x, nv);
	}
	c->n_dead = 0;
	if (!live)
		return;
	for (int i = 0; i < nv; i++)
		recompute_d2(c, c->pathe[i]);
	compact_lists(c);
}

/*
 * Grow alternating trees from every unmatched vertex (with positive dual, unless
 * max_cardinality) until none is left (or, with max_cardinality, no dual change is possible: the
 * final labels are then kept, they certify that no augmenting path exists). Trees persist
 * across augmentations: only the trees that augmented are dissolved.
 */
/* Scan S-vertex v's edges: tight edges grow the forest, form blossoms or augment (returns 1
 * after an augmentation, which ends the scan of v); the others update the least slacks. */
static int scan_vertex(core *c, int v, int *nlive)
{
	for (int a = c->adjstart[v]; a < c->adjend[v]; a++) {
		int p = c->adj[a], k = p >> 1, w = c->adjto[a];
		int64_t ks = 0;
		int bw, tight;
		if (c->inblossom[v] == c->inblossom[w] || is_dead(c, c->inblossom[w]))
			continue;
		tight = marked_tight(c, k, v, w);
		if (!tight) {
			ks = c->yy[v] + c->yy[w] - 2 * c->W[k]; /* slack(c, k) */
			if (ks <= 0) {
				mark_tight(c, k);
				tight = 1;
			}
		}
		bw = c->inblossom[w];
		if (tight) {
			if (c->label[bw] == LBL_NONE) {
				if (c->mate[c->bbase[bw]] == -1) {
					/* An unmatched vertex outside the trees: augment. */
					*nlive -= augment(c, k);
					return 1;
				}
				assign_label(c, w, LBL_T, p ^ 1);
			} else if (c->label[bw] == LBL_S) {
				int base = scan_blossom(c, v, w);
				if (base < 0) {
					*nlive -= augment(c, k);
					return 1;
				}
				add_blossom(c, base, k);
			} else if (c->label[w] == LBL_NONE) {
				/* w sits inside a T-blossom: remember how it was reached. */
				c->label[w] = LBL_T;
				c->labelend[w] = p ^ 1;
				c->tree[w] = c->tree[c->inblossom[v]];
			}
		} else if (c->label[bw] == LBL_S) {
			int bv = c->inblossom[v];
			if (c->bestedge[bv] == -1 || ks < slack(c, c->bestedge[bv])) {
				c->bestedge[bv] = k;
				c->key3[bv] = ks + 2 * c->dualtime;
			}
		} else if (c->label[w] == LBL_NONE) {
			if (c->bestedge[w] == -1 || ks < slack(c, c->bestedge[w])) {
				c->bestedge[w] = k;
				c->key2[w] = ks + c->dualtime;
				push_d2(c, w);
				LIST_ADD(c, tl_d2, n_d2, f_d2, w);
			}
		}
	}
	return 0;
}

/* The dual change: the least of d1..d4 over the live trees (type 0: none is left). Least-slack
 * keys that went stale (dissolved vertices) are dropped from the heaps on the way. */
typedef struct dual_step {
	int type, edge, blossom;
	int64_t delta;
} dual_step;

static void consider(dual_step *d, int type, int64_t delta, int edge, int blossom)
{
	if (d->type == 0 || delta < d->delta) {
		d->type = type;
		d->delta = delta;
		d->edge = edge;
		d->blossom = blossom;
	}
}

static void choose_delta(core *c, dual_step *d)
{
	int n = c->n;

	d->type = 0;
	d->edge = d->blossom = -1;
	d->delta = 0;
	while (c->nh1 > 0) {
		int v = c->h1[0].v;
		if (c->label[c->inblossom[v]] == LBL_S && c->key1[v] == c->h1[0].key) {
			consider(d, 1, c->h1[0].key - c->dualtime, v, -1);
			break;
		}
		heap_pop(c->h1, &c->nh1);
	}
	while (c->nh2 > 0) {
		int v = c->h2[0].v, k = c->bestedge[v];
		if (k != -1 && c->label[c->inblossom[v]] == LBL_NONE && c->key2[v] == c->h2[0].key) {
			consider(d, 2, c->h2[0].key - c->dualtime, k, -1);
			break;
		}
		heap_pop(c->h2, &c->nh2);
	}
	for (int i = 0; i < c->n_top; i++) {
		int b = c->tl_top[i];
		if (c->bparent[b] != -1 || (b >= n && c->bbase[b] < 0))
			continue;
		if (c->label[b] == LBL_S && c->bestedge[b] != -1)
			consider(d, 3, (c->key3[b] - 2 * c->dualtime) / 2, c->bestedge[b], -1);
		else if (c->label[b] == LBL_T && b >= n)
			consider(d, 4, c->zz[b] / 2, -1, b);
	}
}

/* y -= delta on S-vertices, += on T-vertices; z += 2 delta on S-blossoms, -= on T-blossoms. */
static void apply_delta(core *c, int64_t delta)
{
	int n = c->n;

	c->dual_updates++;
	c->dualtime += delta;
	for (int i = 0; i < c->n_leaf; i++) {
		int v = c->tl_leaf[i], lb = c->label[c->inblossom[v]];
		if (lb == LBL_S)
			c->yy[v] -= delta;
		else if (lb == LBL_T)
			c->yy[v] += delta;
	}
	for (int i = 0; i < c->n_top; i++) {
		int b = c->tl_top[i];
		if (b < n || c->bbase[b] < 0 || c->bparent[b] != -1)
			continue;
		if (c->label[b] == LBL_S)
			c->zz[b] += 2 * delta;
		else if (c->label[b] == LBL_T)
			c->zz[b] -= 2 * delta;
	}
}

/* What the dual change made possible: a zero-dual S-vertex (its tree's root gets matched
 * instead), a new tight edge (scan from its S end), or a T-blossom with zero dual (expand). */
static void after_delta(core *c, const dual_step *d, int *nlive)
{
	if (d->type == 1) {
		int root = c->tree[c->inblossom[d->edge]];
		augment_side(c, d->edge, -1);
		mark_dead(c, root);
		(*nlive)--;
		c->stages++;
		dissolve_dead(c, *nlive > 0);
	} else if (d->type == 2 || d->type == 3) {
		int i = c->eu[d->edge];
		mark_tight(c, d->edge);
		if (c->label[c->inblossom[i]] != LBL_S)
			i = c->ev[d->edge];
		push_queue(c, i);
	} else {
		expand_blossom(c, d->blossom, 0);
	}
}

/* Whether every watched vertex is in an S-blossom (pl_blossom_search_kept). */
static int watched_even(const core *c)
{
	for (int i = 0; i < c->nwatch; i++)
		if (c->label[c->inblossom[c->watch[i]]] != LBL_S)
			return 0;
	return 1;
}

static void solve_forest(core *c)
{
	int n = c->n, nlive = 0;

	c->stages++;
	for (int v = 0; v < n; v++)
		if (c->mate[v] == -1 && c->label[c->inblossom[v]] == LBL_NONE &&
		    (c->maxcard || c->yy[v] > 0)) {
			assign_label(c, v, LBL_S, -1);
			nlive++;
		}
	while (nlive > 0 && !c->failed) {
		dual_step d;
		int naug = 0;

		while (c->qlen > 0 && !c->failed) {
			int v = c->queue[--c->qlen];
			if (c->label[c->inblossom[v]] != LBL_S || is_dead(c, c->inblossom[v]))
				continue;
			naug += scan_vertex(c, v, &nlive);
		}
		if (c->failed)
			return;
		if (c->watch && (naug > 0 || watched_even(c))) {
			c->search_aug = naug > 0;
			return;
		}
		if (naug > 0) {
			/* Several disjoint augmentations without a dual change; then carry on. */
			c->stages++;
			dissolve_dead(c, nlive > 0);
			continue;
		}
		choose_delta(c, &d);
		if (d.type == 0)
			return; /* max_cardinality: no augmenting path is left */
		apply_delta(c, d.delta);
		after_delta(c, &d, &nlive);
	}
}

static void core_free(core *c)
{
	if (c->bchild)
		for (int b = 0; b < 2 * c->cap_n; b++) {
			free(c->bchild[b]);
			free(c->bendp[b]);
			free(c->bbest[b]);
		}
	free(c->bchild);
	free(c->bendp);
	free(c->bbest);
	free(c->adjstart);
	free(c->adjend);
	free(c->adj);
	free(c->adjto);
	free(c->mate);
	free(c->label);
	free(c->labelend);
	free(c->inblossom);
	free(c->bparent);
	free(c->bbase);
	free(c->bestedge);
	free(c->bnchild);
	free(c->bcapchild);
	free(c->bnbest);
	free(c->bcapbest);
	free(c->bbest_set);
	free(c->yy);
	free(c->zz);
	free(c->key2);
	free(c->key3);
	free(c->key1);
	free(c->h1);
	free(c->h2);
	free(c->allowed);
	free(c->vstamp);
	free(c->freeb);
	free(c->queue);
	free(c->stk);
	free(c->leafbuf);
	free(c->bestto);
	free(c->btouch);
	free(c->tree);
	free(c->dead);
	free(c->tl_dead);
	free(c->tl_leaf);
	free(c->tl_top);
	free(c->tl_d2);
	free(c->f_leaf);
	free(c->f_top);
	free(c->f_d2);
	free(c->path);
	free(c->pathe);
}

/* Allocate the arrays for n vertices and m edges (zeroed). Returns 0, or -1. */
static int core_alloc(core *c, int n, int m)
{
	size_t n2 = (size_t)(2 * n > 0 ? 2 * n : 1), nn = (size_t)(n > 0 ? n : 1);

	memset(c, 0, sizeof(*c));
	c->cap_n = n;
	c->cap_m = m;
#define ALLOC(ptr, count) ((ptr) = calloc((count), sizeof(*(ptr))))
	if (!ALLOC(c->adjstart, nn + 1) || !ALLOC(c->adjend, nn) ||
	    !ALLOC(c->adj, (size_t)(2 * m > 0 ? 2 * m : 1) + nn) ||
	    !ALLOC(c->adjto, (size_t)(2 * m > 0 ? 2 * m : 1) + nn) ||
	    !ALLOC(c->mate, nn) || !ALLOC(c->label, n2) || !ALLOC(c->labelend, n2) ||
	    !ALLOC(c->inblossom, nn) || !ALLOC(c->bparent, n2) || !ALLOC(c->bbase, n2) ||
	    !ALLOC(c->bestedge, n2) || !ALLOC(c->bchild, n2) || !ALLOC(c->bendp, n2) ||
	    !ALLOC(c->bnchild, n2) || !ALLOC(c->bcapchild, n2) || !ALLOC(c->bbest, n2) ||
	    !ALLOC(c->bnbest, n2) || !ALLOC(c->bcapbest, n2) || !ALLOC(c->bbest_set, n2) ||
	    !ALLOC(c->yy, nn) || !ALLOC(c->key2, nn) || !ALLOC(c->key3, n2) || !ALLOC(c->key1, nn) || !ALLOC(c->zz, n2) ||
	    !ALLOC(c->allowed, (size_t)(m > 0 ? m : 1)) || !ALLOC(c->vstamp, nn) ||
	    !ALLOC(c->freeb, n2) || !ALLOC(c->stk, n2) || !ALLOC(c->leafbuf, nn) ||
	    !ALLOC(c->bestto, n2) || !ALLOC(c->btouch, n2) || !ALLOC(c->path, n2) ||
	    !ALLOC(c->pathe, n2) || !ALLOC(c->tree, n2) ||
	    !ALLOC(c->dead, n2) || !ALLOC(c->tl_dead, n2) || !ALLOC(c->tl_leaf, nn) ||
	    !ALLOC(c->tl_top, n2) || !ALLOC(c->tl_d2, nn) ||
	    !ALLOC(c->f_leaf, nn) || !ALLOC(c->f_top, n2) || !ALLOC(c->f_d2, nn))
		return -1;
#undef ALLOC
	return 0;
}

/* A core that solved before, on n vertices and at most cap_m edges, brought back to the state
 * core_alloc leaves (every array as calloc left it; the blossoms' child and least-slack arrays
 * and the heaps keep their memory, their lengths 0), so that warm re-solves of one graph do not
 * allocate. */
static void core_reuse(core *c, int m, int keep_adj)
{
	size_t n2 = (size_t)(2 * c->cap_n > 0 ? 2 * c->cap_n : 1);
	size_t nn = (size_t)(c->cap_n > 0 ? c->cap_n : 1);

#define ZERO(ptr, count) memset((ptr), 0, (count) * sizeof(*(ptr)))
	if (!keep_adj)
		ZERO(c->adjstart, nn + 1);
	ZERO(c->mate, nn);
	ZERO(c->label, n2);
	ZERO(c->labelend, n2);
	ZERO(c->inblossom, nn);
	ZERO(c->bparent, n2);
	ZERO(c->bbase, n2);
	ZERO(c->bestedge, n2);
	ZERO(c->bnchild, n2);
	ZERO(c->bnbest, n2);
	ZERO(c->bbest_set, n2);
	ZERO(c->yy, nn);
	ZERO(c->key2, nn);
	ZERO(c->key3, n2);
	ZERO(c->key1, nn);
	ZERO(c->zz, n2);
	ZERO(c->allowed, (size_t)(m > 0 ? m : 1));
	ZERO(c->vstamp, nn);
	ZERO(c->freeb, n2);
	ZERO(c->bestto, n2);
	ZERO(c->tree, n2);
	ZERO(c->dead, n2);
	ZERO(c->f_leaf, nn);
	ZERO(c->f_top, n2);
	ZERO(c->f_d2, nn);
#undef ZERO
	c->dualtime = 0;
	c->nh1 = c->nh2 = 0;
	c->nfree = 0;
	c->qlen = 0;
	c->n_dead = c->n_leaf = c->n_top = c->n_d2 = 0;
	c->stages = c->dual_updates = c->greedy_pairs = 0;
	c->failed = 0;
}

/* Edge k (a warm re-solve's partner edge) joining u and its partner d, into their spare slots
 * (the adjacency of the other edges is kept from call to call). */
static void add_partner_edge(core *c, int u, int d, int k)
{
	c->adjto[c->adjend[u]] = d;
	c->adj[c->adjend[u]++] = 2 * k + 1;
	c->adjto[c->adjend[d]] = u;
	c->adj[c->adjend[d]++] = 2 * k;
}

/* Adjacency (CSR) of the first m edges, with a spare slot per vertex. */
static void build_adjacency(core *c, int n, int m, const int *eu, const int *ev)
{
	int *fill = c->stk; /* reuse as cursor, n2 >= n */

	for (int k = 0; k < m; k++) {
		c->adjstart[eu[k] + 1]++;
		c->adjstart[ev[k] + 1]++;
	}
	for (int v = 0; v < n; v++)
		c->adjstart[v + 1] += c->adjstart[v] + 1;
	for (int v = 0; v < n; v++)
		fill[v] = c->adjstart[v];
	for (int k = 0; k < m; k++) {
		c->adjto[fill[eu[k]]] = ev[k];
		c->adj[fill[eu[k]]++] = 2 * k + 1;
		c->adjto[fill[ev[k]]] = eu[k];
		c->adj[fill[ev[k]]++] = 2 * k;
	}
	for (int v = 0; v < n; v++)
		c->adjend[v] = fill[v];
}

/* Set up the core for a graph, with no matching and no blossoms yet; reuse: c solved before on
 * at least n vertices and m edges (core_reuse); keep_adj: the adjacency built by that solve is
 * still that of these edges (the partners' edges aside, added by the caller), only the spare
 * slots are emptied. Returns 0, or -1 on allocation failure. */
static int core_open(core *c, int n, int m, const int *eu, const int *ev, const int64_t *W,
		     int maxcard, int jump, int reuse, int keep_adj)
{
	if (reuse)
		core_reuse(c, m, keep_adj);
	else if (core_alloc(c, n, m) != 0)
		return -1;
	c->n = n;
	c->m = m;
	c->eu = eu;
	c->ev = ev;
	c->W = W;
	c->maxcard = maxcard;
	c->jump = jump && !maxcard;
	c->watch = NULL;
	c->nwatch = c->search_aug = 0;
	if (keep_adj)
		for (int v = 0; v < n; v++)
			c->adjend[v] = c->adjstart[v + 1] - 1;
	else
		build_adjacency(c, n, m, eu, ev);
	for (int v = 0; v < n; v++) {
		c->mate[v] = -1;
		c->inblossom[v] = v;
		c->bbase[v] = v;
	}
	for (int b = 0; b < 2 * n; b++) {
		c->bparent[b] = -1;
		c->bestto[b] = -1;
		c->labelend[b] = -1;
		c->bestedge[b] = -1;
		if (b >= n)
			c->bbase[b] = -1;
	}
	for (int b = 2 * n - 1; b >= n; b--)
		c->freeb[c->nfree++] = b;
	return 0;
}

/* Set up and run the algorithm to optimality (core_open, then a warm start from yy0/mate0 or
 * the jump start). Returns 0, or -1 on allocation failure. */
static int core_solve(core *c, int n, int m, const int *eu, const int *ev, const int64_t *W,
		      int maxcard, int jump, const int64_t *yy0, const int *mate0, int reuse)
{
	if (core_open(c, n, m, eu, ev, W, maxcard, jump, reuse, 0) != 0)
		return -1;
	if (yy0) {
		/* Warm start: feasible duals (even), matched edges tight, no blossoms. */
		memcpy(c->yy, yy0, (size_t)n * sizeof(int64_t));
		for (int v = 0; v < n; v++) {
			int k = mate0[v];
			if (k >= 0)
				c->mate[v] = eu[k] == v ? 2 * k + 1 : 2 * k;
		}
	} else {
		initialise(c);
	}
	solve_forest(c);
	return c->failed ? -1 : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The public solver: validation, scaling, candidates, pricing, certificate. */

void pl_blossom_result_init(pl_blossom_result *res)
{
	pl_blossom_result z = PL_BLOSSOM_RESULT_INIT;
	*res = z;
}

void pl_blossom_result_release(pl_blossom_result *res)
{
	if (!res)
		return;
	free(res->mate);
	free(res->mate_edge);
	free(res->vertex_dual);
	free(res->blossom_dual);
	free(res->node_parent);
	pl_blossom_result_init(res);
}

#define AUTO_K 8
#define MAX_ROUNDS 20
#define SCALE_LIMIT 1099511627776.0 /* 2^40 */

/* Choose S (see the header) and fill iw[k] = round(S * w[k]). Returns exactness. */
static int choose_scale(size_t m, const double *w, double *scale_out, int64_t *iw)
{
	double maxabs = 0.0, S = 1.0;
	int exact = 1, found = 0;

	for (size_t k = 0; k < m; k++)
		if (fabs(w[k]) > maxabs)
			maxabs = fabs(w[k]);
	for (int d = 0; d <= 6 && !found; d++, S *= 10.0) {
		size_t k;
		if (maxabs * S > SCALE_LIMIT)
			break;
		for (k = 0; k < m; k++) {
			double x = w[k] * S;
			if (fabs(x - nearbyint(x)) > 1e-9 * (fabs(x) > 1.0 ? fabs(x) : 1.0))
				break;
		}
		if (k == m) {
			found = 1;
			break;
		}
	}
	if (!found) {
		int e;
		frexp(maxabs > 0 ? maxabs : 1.0, &e); /* maxabs < 2^e */
		S = ldexp(1.0, 40 - e);
		for (size_t k = 0; k < m; k++)
			if (w[k] * S != nearbyint(w[k] * S))
				exact = 0;
	}
	for (size_t k = 0; k < m; k++)
		iw[k] = (int64_t)nearbyint(w[k] * S);
	*scale_out = S;
	return exact;
}

/* Keep the k heaviest edges per vertex (a small binary min-heap per vertex). */
static int select_candidates(int n, int m, const int *eu, const int *ev, const int64_t *iw,
			     const unsigned char *usable, int kc, unsigned char *mark)
{
	int *heap = malloc((size_t)n * (size_t)kc * sizeof(int));
	int *hn = calloc((size_t)n, sizeof(int));

	if (!heap || !hn) {
		free(heap);
		free(hn);
		return -1;
	}
	for (int k = 0; k < m; k++) {
		if (!usable[k])
			continue;
		for (int side = 0; side < 2; side++) {
			int v = side ? ev[k] : eu[k];
			int *h = heap + (size_t)v * (size_t)kc, cnt = hn[v], i;
			if (cnt < kc) {
				i = cnt++;
				while (i > 0 && iw[h[(i - 1) / 2]] > iw[k]) {
					h[i] = h[(i - 1) / 2];
					i = (i - 1) / 2;
				}
				h[i] = k;
				hn[v] = cnt;
			} else if (iw[k] > iw[h[0]]) {
				i = 0;
				for (;;) {
					int l = 2 * i + 1, r = l + 1, s = i;
					int64_t sv = iw[k];
					if (l < cnt && iw[h[l]] < sv) {
						s = l;
						sv = iw[h[l]];
					}
					if (r < cnt && iw[h[r]] < sv)
						s = r;
					if (s == i)
						break;
					h[i] = h[s];
					i = s;
				}
				h[i] = k;
			}
		}
	}
	for (int v = 0; v < n; v++)
		for (int i = 0; i < hn[v]; i++)
			mark[heap[(size_t)v * (size_t)kc + i]] = 1;
	free(heap);
	free(hn);
	return 0;
}

/*
 * Warm start for the next candidate round (without max_cardinality). Each blossom's dual is
 * pushed into its vertices (z_B/2 to each: every edge inside stays exactly as tight, edges
 * leaving it only loosen), so no blossom is left; a violated new edge raises one endpoint's dual
 * by its deficit; matched edges that are no longer tight are unmatched. Finally every unmatched
 * vertex with a positive dual (a tree root) is raised to an even value: roots sharing a parity is
 * all the integrality argument needs (tight edges carry the parity through the trees).
 * yy0/mate0 are filled for the new candidate set (mate0: local edge index or -1).
 */
static void warm_duals(const core *c, const int64_t *zsum, int n, int nc, const int *cu,
		       const int *cv, const int64_t *cW, const int *gl2loc, const int *cidx_old,
		       int64_t *yy0, int *mate0)
{
	for (int v = 0; v < n; v++) {
		yy0[v] = c->yy[v] + zsum[v] / 2; /* every blossom dual zz is even */
		mate0[v] = -1;
	}
	for (int v = 0; v < n; v++) {
		int p = c->mate[v];
		if (p >= 0)
			mate0[v] = gl2loc[cidx_old[p >> 1]];
	}
	for (int k = 0; k < nc; k++) {
		int64_t s = yy0[cu[k]] + yy0[cv[k]] - 2 * cW[k];
		if (s < 0) {
			int x = mate0[cu[k]] < 0 ? cu[k] : cv[k];
			yy0[x] -= s;
		}
	}
	for (int v = 0; v < n; v++) {
		int k = mate0[v];
		if (k >= 0 && yy0[cu[k]] + yy0[cv[k]] != 2 * cW[k]) {
			mate0[cu[k]] = -1;
			mate0[cv[k]] = -1;
		}
	}
	for (int v = 0; v < n; v++)
		if (mate0[v] < 0 && yy0[v] > 0 && (yy0[v] & 1))
			yy0[v]++;
}

/* The common-dual queries (blossom_int.h) over the core's blossom forest; blossom slots not in
 * use are left as roots of their own with dual 0. Returns 0, or -1 when out of memory. */
static int core_zlca(const core *c, pl_zlca *q)
{
	size_t n2 = (size_t)(2 * c->n > 0 ? 2 * c->n : 1);
	long *parent = malloc(n2 * sizeof(long));
	int64_t *z = malloc(n2 * sizeof(int64_t));
	int rc = -1;

	if (parent && z) {
		for (int x = 0; x < 2 * c->n; x++) {
			int live = x < c->n || c->bbase[x] >= 0;
			parent[x] = live ? c->bparent[x] : -1;
			z[x] = live && x >= c->n ? c->zz[x] : 0;
		}
		rc = pl_zlca_init(q, (size_t)(2 * c->n), parent, z);
	}
	free(parent);
	free(z);
	return rc;
}

/* Depth and the sum of zz from the root down, for every node of the blossom forest. */
static int forest_sums(const core *c, int **depth_out, int64_t **zsum_out)
{
	int n = c->n, n2 = 2 * n > 0 ? 2 * n : 1;
	int *depth = malloc((size_t)n2 * sizeof(int)), *order = malloc((size_t)n2 * sizeof(int));
	int64_t *zsum = malloc((size_t)n2 * sizeof(int64_t));
	int cnt = 0;

	if (!depth || !zsum || !order) {
		free(depth);
		free(zsum);
		free(order);
		return -1;
	}
	/* Top-level nodes, then children breadth first. */
	for (int x = 0; x < 2 * n; x++) {
		int live = x < n || c->bbase[x] >= 0;
		depth[x] = -1;
		if (live && c->bparent[x] == -1) {
			depth[x] = 0;
			zsum[x] = x >= n ? c->zz[x] : 0;
			order[cnt++] = x;
		}
	}
	for (int i = 0; i < cnt; i++) {
		int x = order[i];
		if (x < n)
			continue;
		for (int q = 0; q < c->bnchild[x]; q++) {
			int ch = c->bchild[x][q];
			depth[ch] = depth[x] + 1;
			zsum[ch] = zsum[x] + (ch >= n ? c->zz[ch] : 0);
			order[cnt++] = ch;
		}
	}
	free(order);
	*depth_out = depth;
	*zsum_out = zsum;
	return 0;
}

/* The state of one pl_blossom_solve across its candidate rounds. Global edge k is candidate
 * cidx-local edge gl2loc[k] of the current round; cu/cv/cW are the round's edges (doubled weights). */
typedef struct rounds {
	size_t n, m, nusable;
	int maxcard, kc, nc, have_core, cold;
	int *iu, *iv, *cu, *cv, *cidx, *cidx_old, *gl2loc, *mate0, *depth;
	int64_t *iw, *cW, *yy0, *vkey, *zsum;
	unsigned char *usable, *mark, *vflag;
	core c;
} rounds;

static void rounds_release(rounds *R)
{
	if (R->have_core)
		core_free(&R->c);
	free(R->iu);
	free(R->iv);
	free(R->iw);
	free(R->usable);
	free(R->mark);
	free(R->cidx);
	free(R->cu);
	free(R->cv);
	free(R->cW);
	free(R->cidx_old);
	free(R->gl2loc);
	free(R->mate0);
	free(R->yy0);
	free(R->vflag);
	free(R->vkey);
	free(R->depth);
	free(R->zsum);
}

static int rounds_alloc(rounds *R)
{
	size_t n = R->n ? R->n : 1, m = R->m ? R->m : 1, mx = m + n; /* + partners' edges */

	R->iw = malloc(m * sizeof(int64_t));
	R->iu = malloc(m * sizeof(int));
	R->iv = malloc(m * sizeof(int));
	R->usable = malloc(m);
	R->mark = calloc(m, 1);
	R->cidx = malloc(m * sizeof(int));
	R->cu = malloc(mx * sizeof(int));
	R->cv = malloc(mx * sizeof(int));
	R->cW = malloc(mx * sizeof(int64_t));
	R->cidx_old = malloc(m * sizeof(int));
	R->gl2loc = malloc(m * sizeof(int));
	R->mate0 = malloc(n * sizeof(int));
	R->yy0 = malloc(n * sizeof(int64_t));
	R->vflag = calloc(m, 1);
	R->vkey = malloc(m * sizeof(int64_t));
	return R->iw && R->iu && R->iv && R->usable && R->mark && R->cidx && R->cu && R->cv &&
			       R->cW && R->cidx_old && R->gl2loc && R->mate0 && R->yy0 && R->vflag &&
			       R->vkey
		       ? 0
		       : -1;
}

/* Endpoints below n and distinct, weights within the limit; the pointer names the entry. */
static pl_status validate_edges(size_t n, size_t m, const long *eu, const long *ev,
				const double *w, pl_error *err)
{
	char ptr[64];

	if (n > (size_t)1 << 28 || m > (size_t)1 << 29)
		return pl_error_set(err, PL_ERR_INVALID, "", "the graph is too large (n %zu, m %zu)",
				    n, m);
	for (size_t k = 0; k < m; k++) {
		int bad = -1;
		if (eu[k] < 0 || (size_t)eu[k] >= n)
			bad = 0;
		else if (ev[k] < 0 || (size_t)ev[k] >= n || ev[k] == eu[k])
			bad = 1;
		else if (!(fabs(w[k]) <= PL_BLOSSOM_WEIGHT_MAX))
			bad = 2;
		if (bad >= 0) {
			snprintf(ptr, sizeof(ptr), "/edges/%zu/%d", k, bad);
			return pl_error_set(err, PL_ERR_INVALID, ptr,
					    bad == 2 ? "edge %zu: the weight must be a number of magnitude at most 1e15"
					    : bad == 1 && ev[k] == eu[k]
						    ? "edge %zu: a self-loop is not allowed"
						    : "edge %zu: the endpoint is not a vertex index below n",
					    k);
		}
	}
	return PL_OK;
}

/* The round's edges: every marked edge, renumbered. */
static void gather_candidates(rounds *R)
{
	R->nc = 0;
	for (size_t k = 0; k < R->m; k++)
		if (R->mark[k]) {
			R->cidx[R->nc] = (int)k;
			R->gl2loc[k] = R->nc;
			R->cu[R->nc] = R->iu[k];
			R->cv[R->nc] = R->iv[k];
			R->cW[R->nc] = 2 * R->iw[k];
			R->nc++;
		}
}

/*
 * Price every edge left out against the round's duals: flag (vflag, vkey = how violated) those
 * with negative slack and, with max_cardinality, those that would extend the alternating
 * forest. Returns how many, or -1 when out of memory.
 */
static long price_left_out(rounds *R)
{
	const core *c = &R->c;
	long violated = 0;
	pl_zlca q;

	free(R->depth);
	free(R->zsum);
	R->depth = NULL;
	R->zsum = NULL;
	if (forest_sums(c, &R->depth, &R->zsum) != 0 || core_zlca(c, &q) != 0)
		return -1;
	for (size_t k = 0; k < R->m; k++) {
		int a, b, ba, bb;
		int64_t s;
		if (R->mark[k] || !R->usable[k])
			continue;
		a = R->iu[k];
		b = R->iv[k];
		ba = c->inblossom[a];
		bb = c->inblossom[b];
		s = c->yy[a] + c->yy[b] - 4 * R->iw[k];
		if (ba == bb)
			s += pl_zlca_common(&q, (size_t)a, (size_t)b);
		if (s < 0 || (R->maxcard && ba != bb && c->label[ba] == LBL_S &&
			      (c->label[bb] == LBL_S || c->label[bb] == LBL_NONE)) ||
		    (R->maxcard && ba != bb && c->label[bb] == LBL_S && c->label[ba] == LBL_NONE)) {
			R->vflag[k] = 1;
			R->vkey[k] = 1 - s; /* most violated first; forest violations have s >= 0 */
			violated++;
		}
	}
	pl_zlca_release(&q);
	return violated;
}

/* Take every usable edge from now on (exact, direct). */
static void all_edges(rounds *R, pl_blossom_result *res)
{
	memcpy(R->mark, R->usable, R->m);
	R->kc = 0;
	res->method = "sparse-candidates+direct";
}

/*
 * Add the violators, or, when there are many, each vertex's kc worst ones (the rest are priced
 * again next round). Very many violators mean that the heaviest edges say little about the
 * optimum (structured weights): solve on every edge, cold. Returns -1 when out of memory.
 */
static int add_violators(rounds *R, size_t violated, pl_blossom_result *res)
{
	size_t n = R->n, m = R->m, kc = (size_t)R->kc, marked = 0;

	if (violated > 4 * kc * n) {
		all_edges(R, res);
		R->cold = 1;
		return 0;
	}
	if (violated <= kc * n) {
		for (size_t k = 0; k < m; k++)
			if (R->vflag[k])
				R->mark[k] = 1;
	} else if (select_candidates((int)n, (int)m, R->iu, R->iv, R->vkey, R->vflag, R->kc,
				     R->mark) != 0) {
		return -1;
	}
	memset(R->vflag, 0, m);
	for (size_t k = 0; k < m; k++)
		marked += R->mark[k];
	R->nc = (int)marked;
	if (marked > R->nusable / 4 || res->rounds >= MAX_ROUNDS)
		all_edges(R, res); /* candidates stopped paying off */
	return 0;
}

/* After a round: done (*done = 1) when there are no candidates or no edge left out is
 * violated, else the violators are added for the next round. */
static pl_status price_round(rounds *R, pl_blossom_result *res, int *done, pl_error *err)
{
	long violated;

	res->stages += R->c.stages;
	res->dual_updates += R->c.dual_updates;
	*done = 1;
	if (R->kc == 0)
		return PL_OK;
	violated = price_left_out(R);
	if (violated < 0)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if (violated == 0)
		return PL_OK;
	*done = 0;
	/* The round's edge ids, for the next round's warm start, before add_violators recounts
	 * R->nc: after a kept re-solve the new count can be smaller than the round's (the removed
	 * vertices' kept edges are unmarked), and its matched edges may lie beyond it. */
	memcpy(R->cidx_old, R->cidx, (size_t)R->nc * sizeof(int));
	if (add_violators(R, (size_t)violated, res) != 0)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	return PL_OK;
}

/* Solve on the candidates, price the rest, add violators, resume (warm without
 * max_cardinality) until no edge is violated. With R->have_core, the first round has been
 * solved already (a warm re-solve's) and is priced first. */
static pl_status solve_rounds(rounds *R, const pl_blossom_options *opt, pl_blossom_result *res,
			      pl_error *err)
{
	int done = 0;
	pl_status st;

	if (R->have_core) {
		st = price_round(R, res, &done, err);
		if (st != PL_OK || done)
			return st;
	}
	for (;;) {
		int warm = R->have_core && !R->maxcard && !R->cold;
		gather_candidates(R); /* (the previous round's edge ids: price_round) */
		if (warm)
			warm_duals(&R->c, R->zsum, (int)R->n, R->nc, R->cu, R->cv, R->cW, R->gl2loc,
				   R->cidx_old, R->yy0, R->mate0);
		if (R->have_core)
			core_free(&R->c);
		R->have_core = 1;
		res->rounds++;
		if (core_solve(&R->c, (int)R->n, R->nc, R->cu, R->cv, R->cW, R->maxcard,
			       !opt->no_jump_start, warm ? R->yy0 : NULL, warm ? R->mate0 : NULL, 0) != 0)
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in the matching solver");
		st = price_round(R, res, &done, err);
		if (st != PL_OK || done)
			return st;
	}
}

/* Scale the weights, mark the usable edges, choose the candidates of the first round. */
static int first_round(rounds *R, const long *eu, const long *ev, const double *w,
		       const pl_blossom_options *opt, pl_blossom_result *res)
{
	double S = 1.0;

	res->exact = choose_scale(R->m, w, &S, R->iw);
	res->weight_scale = S;
	res->suboptimality_bound = res->exact ? 0.0 : (double)R->n / (2.0 * S);
	R->nusable = 0;
	for (size_t k = 0; k < R->m; k++) {
		R->iu[k] = (int)eu[k];
		R->iv[k] = (int)ev[k];
		/* Without max_cardinality an edge of weight <= 0 never helps; its constraint holds
		 * anyway because every dual stays >= 0. */
		R->usable[k] = R->maxcard || R->iw[k] > 0;
		R->nusable += R->usable[k];
	}
	R->kc = opt->candidates;
	if (R->kc == 0) /* sparse enough: solve directly */
		R->kc = R->nusable > (size_t)AUTO_K * 2 * R->n ? AUTO_K : 0;
	if (R->kc < 0)
		R->kc = 0;
	if (R->kc > 0) {
		res->method = "sparse-candidates";
		return select_candidates((int)R->n, (int)R->m, R->iu, R->iv, R->iw, R->usable, R->kc,
					 R->mark);
	}
	memcpy(R->mark, R->usable, R->m);
	res->method = "direct";
	return 0;
}

/* The matching, its total and the vertex duals. */
static void write_matching(const rounds *R, const double *w, pl_blossom_result *res)
{
	const core *c = &R->c;

	res->candidate_edges = (size_t)R->nc;
	res->greedy_pairs = c->greedy_pairs;
	res->total = 0.0;
	res->pairs = 0;
	for (size_t v = 0; v < R->n; v++) {
		int p = c->mate[v];
		if (p < 0) {
			res->mate[v] = PL_BLOSSOM_UNMATCHED;
			res->mate_edge[v] = -1;
		} else {
			int k = R->cidx[p >> 1];
			res->mate[v] = (long)endp(c, p);
			res->mate_edge[v] = k;
			if ((long)v < res->mate[v]) {
				res->total += w[k];
				res->pairs++;
			}
		}
		res->vertex_dual[v] = c->yy[v];
		res->dual_factor = 4;
	}
}

/* The result's numbering of the core's nodes into id[] (2 * c->n entries): vertices below R->n
 * keep theirs, the core's other vertices (a warm re-solve's partners, pl_blossom_resolve_kept)
 * get -1, live blossoms R->n, R->n + 1, .. in slot order. Returns the number of blossoms. */
static int node_ids(const rounds *R, int *id)
{
	const core *c = &R->c;
	int rn = (int)R->n, nb = 0;

	for (int x = 0; x < 2 * c->n; x++)
		id[x] = x < rn ? x : x < c->n ? -1 : (c->bbase[x] >= 0 ? rn + nb++ : -1);
	return nb;
}

/* The final blossoms, renumbered n.., with their duals and the laminar family's parents. */
static pl_status write_blossoms(const rounds *R, pl_blossom_result *res, pl_error *err)
{
	const core *c = &R->c;
	size_t n = R->n;
	int nb;
	int *id = malloc((c->n > 0 ? 2 * (size_t)c->n : 1) * sizeof(int));

	if (!id)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	nb = node_ids(R, id);
	res->nblossoms = (size_t)nb;
	res->blossom_dual = malloc((nb ? (size_t)nb : 1) * sizeof(int64_t));
	res->node_parent = malloc((n + (size_t)nb > 0 ? n + (size_t)nb : 1) * sizeof(long));
	if (!res->blossom_dual || !res->node_parent) {
		free(id);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	for (int x = 0; x < 2 * c->n; x++) {
		if (id[x] < 0)
			continue;
		res->node_parent[id[x]] = c->bparent[x] >= 0 ? id[c->bparent[x]] : -1;
		if (x >= c->n)
			res->blossom_dual[id[x] - (int)n] = c->zz[x];
	}
	free(id);
	return PL_OK;
}

void pl_blossom_state_release(pl_blossom_state *st)
{
	pl_blossom_state z = PL_BLOSSOM_STATE_INIT;

	if (!st)
		return;
	free(st->base);
	free(st->cstart);
	free(st->child);
	free(st->cend);
	*st = z;
}

/* The final blossoms' bases and cycles (numbered as write_blossoms does), edges by their index
 * in the caller's graph. */
static pl_status write_state(const rounds *R, pl_blossom_state *st, pl_error *err)
{
	const core *c = &R->c;
	size_t nb, len = 0, b = 0;
	int *id = malloc((c->n > 0 ? 2 * (size_t)c->n : 1) * sizeof(int));

	pl_blossom_state_release(st);
	if (!id)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	nb = (size_t)node_ids(R, id);
	for (int x = c->n; x < 2 * c->n; x++)
		if (id[x] >= 0)
			len += (size_t)c->bnchild[x];
	st->n = R->n;
	st->nb = nb;
	st->base = malloc((nb + 1) * sizeof(long));
	st->cstart = malloc((nb + 1) * sizeof(size_t));
	st->child = malloc((len + 1) * sizeof(long));
	st->cend = malloc((len + 1) * sizeof(long));
	if (!st->base || !st->cstart || !st->child || !st->cend) {
		free(id);
		pl_blossom_state_release(st);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	len = 0;
	for (int x = c->n; x < 2 * c->n; x++) {
		if (id[x] < 0)
			continue;
		st->base[b] = c->bbase[x];
		st->cstart[b++] = len;
		for (int i = 0; i < c->bnchild[x]; i++, len++) {
			int p = c->bendp[x][i];
			st->child[len] = id[c->bchild[x][i]];
			st->cend[len] = 2 * (long)R->cidx[p >> 1] + (p & 1);
		}
	}
	st->cstart[nb] = len;
	free(id);
	return PL_OK;
}

/*
 * With max_cardinality and positive weights, a maximum-weight matching that leaves at most one
 * vertex unmatched also has maximum cardinality, and its certificate serves both (unmatched dual
 * 0 = the least dual). *done = 1 when the faster max-weight solve answered.
 */
static pl_status solve_impl(size_t n, size_t m, const long *eu, const long *ev, const double *w,
			    const pl_blossom_options *opt, pl_blossom_result *res,
			    pl_blossom_state *st_out, pl_error *err);

static pl_status try_max_weight(size_t n, size_t m, const long *eu, const long *ev,
				const double *w, const pl_blossom_options *opt,
				pl_blossom_result *res, pl_blossom_state *st_out, int *done,
				pl_error *err)
{
	pl_blossom_options o = *opt;
	pl_status st;
	size_t k = 0;

	*done = 0;
	while (k < m && w[k] > 0)
		k++;
	if (k < m)
		return PL_OK;
	o.max_cardinality = 0;
	st = solve_impl(n, m, eu, ev, w, &o, res, st_out, err);
	if (st != PL_OK || res->pairs == n / 2) {
		*done = 1;
		return st;
	}
	pl_blossom_result_release(res);
	if (st_out)
		pl_blossom_state_release(st_out);
	return PL_OK;
}

/* The common start of a solve and of a warm re-solve: the edges checked, R zeroed and sized
 * for the graph (maxcard: max_cardinality), the result's vertex arrays and R's arrays
 * allocated. On failure what was allocated is left for rounds_release and
 * pl_blossom_result_release. */
static pl_status open_rounds(rounds *R, size_t n, size_t m, const long *eu, const long *ev,
			     const double *w, int maxcard, pl_blossom_result *res, pl_error *err)
{
	pl_status st = validate_edges(n, m, eu, ev, w, err);

	memset(R, 0, sizeof(*R));
	if (st != PL_OK)
		return st;
	R->n = n;
	R->m = m;
	R->maxcard = maxcard;
	res->n = n;
	res->mate = malloc((n ? n : 1) * sizeof(long));
	res->mate_edge = malloc((n ? n : 1) * sizeof(long));
	res->vertex_dual = calloc(n ? n : 1, sizeof(int64_t));
	if (!res->mate || !res->mate_edge || !res->vertex_dual || rounds_alloc(R) != 0)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	return PL_OK;
}

/* pl_blossom_solve, and with st its blossoms' cycles (pl_blossom_solve_state). */
static pl_status solve_impl(size_t n, size_t m, const long *eu, const long *ev, const double *w,
			    const pl_blossom_options *opt, pl_blossom_result *res,
			    pl_blossom_state *st_out, pl_error *err)
{
	pl_blossom_options defaults = PL_BLOSSOM_OPTIONS_INIT;
	rounds R;
	pl_status st;
	int done = 0;

	if (!opt)
		opt = &defaults;
	pl_blossom_result_init(res);
	if (opt->max_cardinality && n >= 2 && m > 0) {
		/* (with st_out too: pl_blossom_solve_state answers exactly as pl_blossom_solve) */
		st = try_max_weight(n, m, eu, ev, w, opt, res, st_out, &done, err);
		if (done)
			return st;
	}
	st = open_rounds(&R, n, m, eu, ev, w, opt->max_cardinality != 0, res, err);
	if (st == PL_OK && first_round(&R, eu, ev, w, opt, res) != 0)
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if (st != PL_OK)
		goto cleanup;
	st = solve_rounds(&R, opt, res, err);
	if (st != PL_OK)
		goto cleanup;
	write_matching(&R, w, res);
	st = write_blossoms(&R, res, err);
	if (st == PL_OK && st_out)
		st = write_state(&R, st_out, err);
cleanup:
	rounds_release(&R);
	if (st != PL_OK)
		pl_blossom_result_release(res);
	return st;
}

pl_status pl_blossom_solve(size_t n, size_t m, const long *eu, const long *ev, const double *w,
			   const pl_blossom_options *opt, pl_blossom_result *res, pl_error *err)
{
	return solve_impl(n, m, eu, ev, w, opt, res, NULL, err);
}

pl_status pl_blossom_solve_state(size_t n, size_t m, const long *eu, const long *ev,
				 const double *w, const pl_blossom_options *opt,
				 pl_blossom_result *res, pl_blossom_state *st, pl_error *err)
{
	pl_blossom_state_release(st);
	return solve_impl(n, m, eu, ev, w, opt, res, st, err);
}

/* ------------------------------------------------------------------------------------------ */
/* Warm re-solve without some vertices (see pl_blossom_resolve in the header). */

/* zz summed over the blossoms holding each vertex, from the base's laminar family (walks up the
 * parents: the family is shallow). */
static int base_zsum(const pl_blossom_result *base, int64_t *zs)
{
	size_t n = base->n, nb = base->nblossoms;

	for (size_t v = 0; v < n; v++) {
		int64_t s = 0;
		size_t steps = 0;
		for (long x = base->node_parent[v]; x >= 0; x = base->node_parent[x]) {
			if ((size_t)x < n || (size_t)x >= n + nb || ++steps > nb)
				return -1; /* not a laminar family of this graph */
			s += base->blossom_dual[(size_t)x - n];
		}
		zs[v] = s;
	}
	return 0;
}

/* Start of the re-solve: the base's duals with every blossom dual spread onto its vertices
 * (y_v + sum z_B / 2 over the blossoms holding v: feasible for every edge, as z_B >= 0 and an
 * edge inside B gets z_B from its two ends), 0 on removed vertices; the base's matched edges
 * that survive and stay tight; an exposed vertex's odd dual raised by one (all roots even). */
static void resolve_start(rounds *R, const pl_blossom_result *base, const int64_t *zs,
			  const unsigned char *removed)
{
	size_t n = R->n;

	for (size_t v = 0; v < n; v++) {
		R->yy0[v] = removed && removed[v] ? 0 : base->vertex_dual[v] + zs[v] / 2;
		R->mate0[v] = -1;
	}
	for (size_t v = 0; v < n; v++) {
		long k = base->mate_edge[v];
		if (k >= 0 && R->mark[k] &&
		    R->yy0[R->iu[k]] + R->yy0[R->iv[k]] == 4 * R->iw[k])
			R->mate0[v] = R->gl2loc[k];
	}
	for (size_t v = 0; v < n; v++)
		if (R->mate0[v] < 0 && R->yy0[v] > 0 && (R->yy0[v] & 1))
			R->yy0[v]++;
}

/*
 * The re-solve's edges: every usable one when the graph is sparse enough; else, as in a cold
 * solve, each vertex's AUTO_K heaviest plus the base's matched edges that survive (so that the
 * warm start keeps its matching), the rest priced after each round (solve_rounds: exact).
 */
static pl_status resolve_candidates(rounds *R, const pl_blossom_result *base)
{
	if (R->nusable <= (size_t)AUTO_K * 2 * R->n) {
		memcpy(R->mark, R->usable, R->m);
		return PL_OK;
	}
	R->kc = AUTO_K;
	if (select_candidates((int)R->n, (int)R->m, R->iu, R->iv, R->iw, R->usable, R->kc,
			      R->mark) != 0)
		return PL_ERR_NOMEM;
	for (size_t v = 0; v < R->n; v++) {
		long k = base->mate_edge[v];
		if (k >= 0 && (size_t)k < R->m && R->usable[k])
			R->mark[k] = 1;
	}
	return PL_OK;
}

/* A warm re-solve's workspace (blossom_int.h): the graph it is bound to, that graph as checked
 * and scaled for the last call's weight scale (converted: R's iu, iv, iw and ws->exact are
 * valid for ws->scale), the candidate rounds' arrays and the solver's core, kept between calls. */
struct pl_blossom_ws {
	rounds R;
	int have_R, exact, converted;
	/* cache: R's candidates are every edge of positive weight (npos of them) and the core's
	 * adjacency is built on them (kept_cache), for the dense graphs' kept re-solves */
	int cache;
	int64_t cwmax; /* with cache: the heaviest candidate's cW (load_state's partner weight) */
	size_t npos;
	size_t n, m;
	const long *eu, *ev;
	const double *w;
	double scale;
	int64_t *zs;
	int *dv; /* n: the real vertex of each private partner (pl_blossom_resolve_kept) */
};

pl_blossom_ws *pl_blossom_ws_new(size_t n, size_t m, const long *eu, const long *ev,
				 const double *w)
{
	pl_blossom_ws *ws = calloc(1, sizeof(pl_blossom_ws));

	if (!ws)
		return NULL;
	ws->n = n;
	ws->m = m;
	ws->eu = eu;
	ws->ev = ev;
	ws->w = w;
	return ws;
}

void pl_blossom_ws_free(pl_blossom_ws *ws)
{
	if (!ws)
		return;
	if (ws->have_R)
		rounds_release(&ws->R);
	free(ws->zs);
	free(ws->dv);
	free(ws);
}

/* The bound graph checked (once) and scaled by S, unless the last call already did that for S. */
static pl_status ws_graph(pl_blossom_ws *ws, double S, pl_error *err)
{
	rounds *R = &ws->R;
	size_t n = ws->n, m = ws->m;
	pl_status st;

	if (ws->have_R && ws->converted && ws->scale == S)
		return PL_OK;
	if (!ws->have_R) {
		st = validate_edges(n, m, ws->eu, ws->ev, ws->w, err);
		if (st != PL_OK)
			return st;
		memset(R, 0, sizeof(*R));
		R->n = n;
		R->m = m;
		ws->have_R = 1;
		/* A failed re-solve clears have_R but keeps these: free them before a second go. */
		free(ws->zs);
		free(ws->dv);
		ws->zs = malloc((n ? n : 1) * sizeof(int64_t));
		ws->dv = malloc((n ? n : 1) * sizeof(int));
		if (!ws->zs || !ws->dv || rounds_alloc(R) != 0)
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	ws->exact = 1;
	ws->npos = 0;
	ws->cache = 0;
	for (size_t k = 0; k < m; k++) {
		double x = ws->w[k] * S;
		R->iw[k] = (int64_t)nearbyint(x);
		if (x != nearbyint(x))
			ws->exact = 0;
		ws->npos += R->iw[k] > 0;
		R->iu[k] = (int)ws->eu[k];
		R->iv[k] = (int)ws->ev[k];
	}
	ws->scale = S;
	ws->converted = 1;
	return PL_OK;
}

/* The first round's core for cn vertices and cm edges: the kept one when it has room, else a
 * new one with room for every edge of the graph and cn - n partners. Returns 0, or -1 when out
 * of memory. */
static int ws_core(rounds *R, int cn, int cm, int *reuse)
{
	core *c = &R->c;

	*reuse = 0;
	if (R->have_core && c->cap_n >= cn && c->cap_m >= cm) {
		*reuse = 1;
		return 0;
	}
	if (R->have_core)
		core_free(c);
	R->have_core = 1;
	return core_alloc(c, cn, (int)R->m + cn - (int)R->n) == 0 ? (*reuse = 1, 0) : -1;
}

/* The start common to both re-solves: the base checked against the bound graph, the graph
 * scaled as the base was, the result's vertex arrays, and unless light (the kept re-solve's
 * cached candidates) this call's usable edges (positive weight, no removed end), candidates and
 * rounds state. */
static pl_status resolve_open(pl_blossom_ws *ws, const pl_blossom_result *base,
			      const unsigned char *removed, int light, pl_blossom_result *res,
			      pl_error *err)
{
	rounds *R = &ws->R;
	size_t n = ws->n, m = ws->m;
	pl_status st;

	pl_blossom_result_init(res);
	if (!base || base->n != n || !base->vertex_dual || !base->mate_edge ||
	    (base->nblossoms > 0 && !base->blossom_dual) || !base->node_parent)
		return pl_error_set(err, PL_ERR_USAGE, "", "the base solution is not of this graph");
	for (size_t v = 0; v < n; v++)
		if (base->vertex_dual[v] < 0)
			return pl_error_set(err, PL_ERR_USAGE, "",
					    "the base solution was solved with max_cardinality");
	st = ws_graph(ws, base->weight_scale, err);
	if (st != PL_OK)
		return st;
	res->n = n;
	res->mate = malloc((n ? n : 1) * sizeof(long));
	res->mate_edge = malloc((n ? n : 1) * sizeof(long));
	res->vertex_dual = calloc(n ? n : 1, sizeof(int64_t));
	if (!res->mate || !res->mate_edge || !res->vertex_dual)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	res->weight_scale = base->weight_scale;
	res->exact = ws->exact;
	res->suboptimality_bound = res->exact ? 0.0 : (double)n / (2.0 * base->weight_scale);
	res->method = "warm";
	/* this call's state of the rounds (the arrays are kept) */
	R->maxcard = 0;
	R->kc = 0;
	R->cold = 0;
	if (light)
		return PL_OK;
	ws->cache = 0; /* the candidates change */
	R->nc = 0;
	R->nusable = 0;
	memset(R->mark, 0, m ? m : 1);
	memset(R->vflag, 0, m ? m : 1);
	for (size_t k = 0; k < m; k++) {
		R->usable[k] = R->iw[k] > 0 && !(removed && (removed[R->iu[k]] || removed[R->iv[k]]));
		R->nusable += R->usable[k];
	}
	return resolve_candidates(R, base) == PL_OK
		       ? PL_OK
		       : pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
}

/* After a failed re-solve the kept state may be half made: start afresh next time. */
static void resolve_fail(pl_blossom_ws *ws, pl_blossom_result *res)
{
	pl_blossom_result_release(res);
	if (ws->have_R)
		rounds_release(&ws->R);
	ws->have_R = 0;
	ws->converted = 0;
	ws->cache = 0;
}

pl_status pl_blossom_resolve_ws(pl_blossom_ws *ws, const pl_blossom_result *base,
				const unsigned char *removed, pl_blossom_result *res, pl_error *err)
{
	pl_blossom_options opt = PL_BLOSSOM_OPTIONS_INIT;
	rounds *R = &ws->R;
	size_t n = ws->n;
	pl_status st;
	int reuse = 0;

	st = resolve_open(ws, base, removed, 0, res, err);
	if (st != PL_OK)
		goto cleanup;
	if (base_zsum(base, ws->zs) != 0) {
		st = pl_error_set(err, PL_ERR_USAGE, "", "the base solution is not of this graph");
		goto cleanup;
	}
	gather_candidates(R);
	resolve_start(R, base, ws->zs, removed);
	res->rounds = 1;
	if (ws_core(R, (int)n, R->nc, &reuse) != 0 ||
	    core_solve(&R->c, (int)n, R->nc, R->cu, R->cv, R->cW, 0, 1, R->yy0, R->mate0, reuse) != 0) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in the matching solver");
		goto cleanup;
	}
	st = solve_rounds(R, &opt, res, err);
	if (st != PL_OK)
		goto cleanup;
	write_matching(R, ws->w, res);
	st = write_blossoms(R, res, err);
cleanup:
	if (st != PL_OK)
		resolve_fail(ws, res);
	return st;
}

/* Whether base_st describes base's blossoms on the bound graph (sizes and ranges). */
static int state_fits(const pl_blossom_ws *ws, const pl_blossom_result *base,
		      const pl_blossom_state *bs)
{
	size_t n = ws->n, nb = base->nblossoms;

	if (!bs || bs->n != n || bs->nb != nb || (nb > 0 && (!bs->base || !bs->cstart)))
		return 0;
	for (size_t b = 0; b < nb; b++) {
		if (bs->cstart[b] > bs->cstart[b + 1] || (bs->cstart[b + 1] - bs->cstart[b]) % 2 == 0 ||
		    bs->base[b] < 0 || (size_t)bs->base[b] >= n)
			return 0;
		for (size_t i = bs->cstart[b]; i < bs->cstart[b + 1]; i++)
			if (bs->child[i] < 0 || (size_t)bs->child[i] >= n + nb || bs->cend[i] < 0 ||
			    (size_t)(bs->cend[i] >> 1) >= ws->m ||
			    base->node_parent[bs->child[i]] != (long)(n + b))
				return 0;
	}
	return 1;
}

/* Every edge the kept state stands on (the base's matched edges, the blossoms' cycles) is a
 * candidate of the first round, usable or not. */
static void mark_kept(rounds *R, const pl_blossom_result *base, const pl_blossom_state *bs)
{
	for (size_t v = 0; v < R->n; v++)
		if (base->mate_edge[v] >= 0)
			R->mark[base->mate_edge[v]] = 1;
	for (size_t i = 0; bs->nb > 0 && i < bs->cstart[bs->nb]; i++)
		R->mark[bs->cend[i] >> 1] = 1;
}

/* The removed vertices that get partners (ws->dv): with all their edges among the candidates
 * (all), every one; else those that the base matches or holds in a blossom, the others being
 * left alone with dual 0 and no edge. Returns how many. */
static int list_partners(pl_blossom_ws *ws, const pl_blossom_result *base,
			 const unsigned char *removed, int all)
{
	int nd = 0;

	for (size_t v = 0; removed && v < ws->n; v++)
		if (removed[v] && (all || base->mate_edge[v] >= 0 || base->node_parent[v] >= 0))
			ws->dv[nd++] = (int)v;
	return nd;
}

/*
 * The base's state in the core set up for n real vertices and nd partners (core_open): its
 * matching, vertex duals, blossoms (each in a free slot, with its cycle, base, parent and dual)
 * and top-level blossoms; each partner n + i joined to ws->dv[i] by edge nc + i, heavier than
 * any candidate edge, with a dual that keeps the edge feasible and is even (all tree roots then
 * share a parity, as the integrality argument needs). A partnered vertex that the base leaves
 * exposed and outside blossoms (removed by an earlier re-solve: its edges may be violated) is
 * matched to its partner at once, with the least dual that keeps its edges feasible and the
 * partner's making their edge tight. Removed vertices without a partner and exposed vertices get
 * the start resolve_start gives them.
 */
static void load_state(pl_blossom_ws *ws, const pl_blossom_result *base,
		       const pl_blossom_state *bs, const unsigned char *removed, int nd)
{
	rounds *R = &ws->R;
	core *c = &R->c;
	int n = (int)ws->n, nb = (int)base->nblossoms, nc = R->nc;
	int *slot = c->path; /* free here; 2 (n + nd) >= nb entries */
	int64_t wmax = 0, ymax = 0, wd;

	for (int b = 0; b < nb; b++)
		slot[b] = c->freeb[--c->nfree];
	for (int b = 0; b < nb; b++) {
		int s = slot[b], len = (int)(bs->cstart[b + 1] - bs->cstart[b]);
		long par = base->node_parent[n + b];
		if (ensure_child_cap(c, s, len) != 0) {
			c->failed = 1;
			return;
		}
		c->bbase[s] = (int)bs->base[b];
		c->bparent[s] = par >= 0 ? slot[par - n] : -1;
		c->zz[s] = base->blossom_dual[b];
		for (int i = 0; i < len; i++) {
			long ch = bs->child[bs->cstart[b] + (size_t)i], e = bs->cend[bs->cstart[b] + (size_t)i];
			c->bchild[s][i] = ch < n ? (int)ch : slot[ch - n];
			c->bendp[s][i] = 2 * R->gl2loc[e >> 1] + (int)(e & 1);
		}
		c->bnchild[s] = len;
	}
	for (int v = 0; v < n; v++) {
		long par = base->node_parent[v], k = base->mate_edge[v];
		c->bparent[v] = par >= 0 ? slot[par - n] : -1;
		c->yy[v] = base->vertex_dual[v];
		if (k >= 0) {
			int loc = R->gl2loc[k];
			c->mate[v] = c->eu[loc] == v ? 2 * loc + 1 : 2 * loc;
		} else if (removed && removed[v] && par < 0) {
			c->yy[v] = 0;
		} else if (c->yy[v] > 0 && (c->yy[v] & 1)) {
			c->yy[v]++; /* (not expected: an optimum's exposed vertices have dual 0) */
		}
		if (c->yy[v] > ymax)
			ymax = c->yy[v];
	}
	/* each vertex's top-level blossom, from the top (the family can be a deep chain) */
	for (int v = 0; v < n; v++)
		c->inblossom[v] = v;
	for (int b = 0; b < nb; b++)
		if (c->bparent[slot[b]] == -1) {
			int cnt = leaves(c, slot[b], c->leafbuf);
			for (int q = 0; q < cnt; q++)
				c->inblossom[c->leafbuf[q]] = slot[b];
		}
	if (ws->cache)
		wmax = ws->cwmax;
	else
		for (int k = 0; k < nc; k++)
			if (c->W[k] > wmax)
				wmax = c->W[k];
	wd = wmax + ymax + 2;
	for (int i = 0; i < nd; i++) {
		int r = ws->dv[i], d = n + i;
		R->cW[nc + i] = wd; /* (c->W is R->cW) */
		if (c->mate[r] == -1 && c->bparent[r] == -1) {
			int64_t need = 0;
			for (int a = c->adjstart[r]; a < c->adjend[r]; a++) {
				int pp = c->adj[a];
				int64_t x = 2 * c->W[pp >> 1] - c->yy[c->adjto[a]];
				if ((pp >> 1) < nc && x > need)
					need = x;
			}
			c->yy[r] = need;
			c->yy[d] = 2 * wd - need;
			c->mate[r] = 2 * (nc + i) + 1;
			c->mate[d] = 2 * (nc + i);
			continue;
		}
		c->yy[d] = 2 * wd - c->yy[r];
		if (c->yy[d] & 1)
			c->yy[d]++;
	}
}

/*
 * After the solve every partner is matched to its vertex r (the partner's edge outweighs any of
 * r's, so every optimum uses it); the blossoms still holding r have r as their base. Their
 * duals are spread onto their vertices (z_B / 2 each) and they are dissolved, their other
 * children becoming top-level; r and its partner are left exposed with dual 0. What remains is a
 * certificate of the graph without the removed vertices. Returns 0, or -1 when a partner is not
 * matched to its vertex (a broken invariant).
 */
static int drop_partners(core *c, int n, const int *dv, int nd)
{
	for (int i = 0; i < nd; i++) {
		int r = dv[i], d = n + i, len = 0;
		if (c->mate[r] < 0 || endp(c, c->mate[r]) != d)
			return -1;
		for (int x = c->bparent[r]; x != -1; x = c->bparent[x])
			c->path[len++] = x;
		for (int j = 0; j < len; j++) {
			int b = c->path[j], cnt = leaves(c, b, c->leafbuf);
			for (int q = 0; q < cnt; q++)
				c->yy[c->leafbuf[q]] += c->zz[b] / 2; /* zz is even */
		}
		for (int j = 0; j < len; j++) {
			int b = c->path[j], inner = j ? c->path[j - 1] : r;
			for (int q = 0; q < c->bnchild[b]; q++) {
				int ch = c->bchild[b][q];
				c->bparent[ch] = -1;
				if (ch == inner)
					continue;
				if (ch < c->n) {
					c->inblossom[ch] = ch;
				} else {
					int cnt = leaves(c, ch, c->leafbuf);
					for (int x = 0; x < cnt; x++)
						c->inblossom[c->leafbuf[x]] = ch;
				}
			}
		}
		for (int j = 0; j < len; j++) {
			int b = c->path[j];
			c->bnchild[b] = 0;
			c->bbase[b] = -1;
			c->zz[b] = 0;
			c->label[b] = LBL_NONE;
			c->labelend[b] = -1;
			c->bestedge[b] = -1;
			c->bbest_set[b] = 0;
			c->bnbest[b] = 0;
			c->freeb[c->nfree++] = b;
		}
		c->bparent[r] = -1;
		c->inblossom[r] = r;
		c->mate[r] = c->mate[d] = -1;
		c->yy[r] = c->yy[d] = 0;
	}
	return 0;
}

/*
 * The core of a kept re-solve or search with the nd partners of list_partners: partner i is
 * vertex n + i, joined to ws->dv[i] by edge nc + i (after the candidates); a dense call's core
 * and adjacency are the cached ones (kept_cache), whose spare slots take the partners' edges.
 * maxcard and jump as for core_open. Returns 0, or -1 when out of memory.
 */
static int add_partner_edges(pl_blossom_ws *ws, int nd, int dense, int maxcard, int jump)
{
	rounds *R = &ws->R;
	int n = (int)ws->n, reuse = 0;

	for (int i = 0; i < nd; i++) {
		R->cu[R->nc + i] = ws->dv[i];
		R->cv[R->nc + i] = n + i;
	}
	if ((!dense && ws_core(R, n + nd, R->nc + nd, &reuse) != 0) ||
	    core_open(&R->c, n + nd, R->nc + nd, R->cu, R->cv, R->cW, maxcard, jump, dense || reuse,
		      dense) != 0)
		return -1;
	for (int i = 0; dense && i < nd; i++)
		add_partner_edge(&R->c, ws->dv[i], n + i, R->nc + i);
	return 0;
}

/* Partners a dense kept re-solve has room for (buddies removes at most five vertices). */
#define KEPT_PARTNERS_MAX 8

/* The dense kept re-solves' fixed candidates (every edge of positive weight) and the core's
 * adjacency on them, with KEPT_PARTNERS_MAX partner vertices, made once (ws->cache). Returns 0,
 * or -1 when out of memory. */
static int kept_cache(pl_blossom_ws *ws)
{
	rounds *R = &ws->R;
	int cn = (int)ws->n + KEPT_PARTNERS_MAX, reuse = 0;

	if (ws->cache)
		return 0;
	for (size_t k = 0; k < ws->m; k++)
		R->mark[k] = R->iw[k] > 0;
	gather_candidates(R);
	if (ws_core(R, cn, R->nc + KEPT_PARTNERS_MAX, &reuse) != 0 ||
	    core_open(&R->c, cn, R->nc, R->cu, R->cv, R->cW, 0, 1, reuse, 0) != 0)
		return -1;
	ws->cwmax = 0;
	for (int k = 0; k < R->nc; k++)
		if (R->cW[k] > ws->cwmax)
			ws->cwmax = R->cW[k];
	ws->cache = 1;
	return 0;
}

pl_status pl_blossom_resolve_kept(pl_blossom_ws *ws, const pl_blossom_result *base,
				  const pl_blossom_state *base_st, const unsigned char *removed,
				  pl_blossom_result *res, pl_blossom_state *res_st, pl_error *err)
{
	pl_blossom_options opt = PL_BLOSSOM_OPTIONS_INIT;
	rounds *R = &ws->R;
	size_t n = ws->n;
	pl_status st;
	int nd, dense;

	/* Dense graphs (every edge a candidate, as resolve_candidates decides): the candidates are
	 * every edge of positive weight, the removed vertices' included, each removed vertex gets a
	 * partner, and the candidates and the core's adjacency are kept from call to call. */
	dense = ws->have_R && ws->converted && ws->scale == base->weight_scale &&
		ws->npos <= (size_t)AUTO_K * 2 * n &&
		list_partners(ws, base, removed, 1) <= KEPT_PARTNERS_MAX;
	st = resolve_open(ws, base, removed, dense, res, err);
	if (st != PL_OK)
		goto cleanup;
	if (!state_fits(ws, base, base_st)) {
		st = pl_error_set(err, PL_ERR_USAGE, "", "the base state is not of this solution");
		goto cleanup;
	}
	if (dense && kept_cache(ws) != 0) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in the matching solver");
		goto cleanup;
	}
	if (!dense) {
		mark_kept(R, base, base_st);
		gather_candidates(R);
	}
	nd = list_partners(ws, base, removed, dense);
	res->rounds = 1;
	if (add_partner_edges(ws, nd, dense, 0, 1) != 0) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in the matching solver");
		goto cleanup;
	}
	load_state(ws, base, base_st, removed, nd);
	if (!R->c.failed)
		solve_forest(&R->c);
	if (R->c.failed) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in the matching solver");
		goto cleanup;
	}
	if (drop_partners(&R->c, (int)n, ws->dv, nd) != 0) {
		st = pl_error_set(err, PL_ERR_INTERNAL, "", "a removed vertex kept a partner");
		goto cleanup;
	}
	/* from now on (later candidate rounds) only the edges of the graph without the removed
	 * vertices */
	for (size_t k = 0; R->kc > 0 && k < ws->m; k++)
		R->mark[k] &= R->usable[k];
	/* The next candidate round (when the candidates missed an edge) starts cold. Warm from the
	 * state a kept re-solve leaves (warm_duals), Edmonds' search crashed or did not end on
	 * generated cohorts of 59-75 clients (an S-blossom's trace ran past its tree's root): the
	 * warm start mapped matched edges through edge ids of which only the new, smaller count had
	 * been copied (stale memory; fixed in price_round: warm, those cohorts then run, and
	 * warm_round_59 answers the same). The cold start is kept all the same, at the cost of one
	 * full solve of the round's edges. */
	R->cold = 1;
	st = solve_rounds(R, &opt, res, err);
	if (st != PL_OK)
		goto cleanup;
	write_matching(R, ws->w, res);
	st = write_blossoms(R, res, err);
	if (st == PL_OK && res_st)
		st = write_state(R, res_st, err);
cleanup:
	if (st != PL_OK)
		resolve_fail(ws, res);
	return st;
}

/*
 * Dual objective of the search's state, in the core's units: the sum of yy over every vertex
 * (partners included) and of zz (|B| - 1) / 2 over the blossoms (blossom_int.h,
 * pl_blossom_search_kept: every perfect matching of the graph less one S-vertex t weighs at
 * most (D - yy_t) / 2 in cW, with equality for the one the tree's even path to t gives).
 */
static int64_t search_objective(core *c)
{
	int64_t d = 0;

	for (int v = 0; v < c->n; v++)
		d += c->yy[v];
	for (int b = c->n; b < 2 * c->n; b++)
		if (c->bbase[b] >= 0 && c->zz[b] != 0)
			d += c->zz[b] * (int64_t)((leaves(c, b, c->leafbuf) - 1) / 2);
	return d;
}

pl_status pl_blossom_search_kept(pl_blossom_ws *ws, const pl_blossom_result *base,
				 const pl_blossom_state *base_st, size_t root, const long *target,
				 size_t nt, double *value, pl_error *err)
{
	pl_blossom_result res = PL_BLOSSOM_RESULT_INIT;
	rounds *R = &ws->R;
	size_t n = ws->n;
	unsigned char *removed = NULL;
	int *watch = NULL;
	pl_status st = PL_OK;
	int nd, dense, nw = 0;
	core *c = &R->c;

	for (size_t q = 0; q < nt; q++)
		value[q] = NAN;
	if (!base || base->n != n || root >= n || !base->mate_edge)
		return pl_error_set(err, PL_ERR_USAGE, "", "the base solution is not of this graph");
	for (size_t v = 0; v < n; v++)
		if (base->mate_edge[v] < 0)
			return pl_error_set(err, PL_ERR_USAGE, "", "the base matching is not perfect");
	removed = calloc(n, 1);
	watch = malloc((nt ? nt : 1) * sizeof(int));
	if (!removed || !watch) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	removed[root] = 1;
	dense = ws->have_R && ws->converted && ws->scale == base->weight_scale &&
		ws->npos <= (size_t)AUTO_K * 2 * n;
	st = resolve_open(ws, base, removed, dense, &res, err);
	if (st == PL_OK && !state_fits(ws, base, base_st))
		st = pl_error_set(err, PL_ERR_USAGE, "", "the base state is not of this solution");
	if (st == PL_OK && dense && kept_cache(ws) != 0)
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in the matching solver");
	if (st != PL_OK)
		goto fail;
	if (!dense) {
		/* every usable edge: the labels must see the whole graph (no pricing rounds) */
		memcpy(R->mark, R->usable, ws->m);
		R->kc = 0;
		mark_kept(R, base, base_st);
		gather_candidates(R);
	}
	nd = list_partners(ws, base, removed, dense);
	if (add_partner_edges(ws, nd, dense, 1, 0) != 0) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in the matching solver");
		goto fail;
	}
	load_state(ws, base, base_st, removed, nd);
	for (size_t q = 0; q < nt; q++)
		if (target[q] >= 0 && (size_t)target[q] < n && (size_t)target[q] != root)
			watch[nw++] = (int)target[q];
	c->watch = watch;
	c->nwatch = nw;
	if (!c->failed)
		solve_forest(c);
	if (c->failed || c->search_aug) {
		st = c->failed ? pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in the matching solver")
			       : pl_error_set(err, PL_ERR_INTERNAL, "", "the search augmented");
		goto fail;
	}
	{
		int64_t d = search_objective(c), wd = R->cW[R->nc]; /* the partner's edge */
		for (size_t q = 0; q < nt; q++) {
			long t = target[q];
			int64_t x;
			if (t < 0 || (size_t)t >= n || (size_t)t == root ||
			    c->label[c->inblossom[t]] != LBL_S)
				continue;
			/* (D - yy_t) / 2 = wd + 2 * (the integer weight of the rest's matching) */
			x = (d - c->yy[t]) / 2 - wd;
			value[q] = (double)(x / 2) / base->weight_scale;
		}
	}
	c->watch = NULL;
	c->nwatch = 0;
	goto out;
fail:
	resolve_fail(ws, &res);
out:
	pl_blossom_result_release(&res);
	free(removed);
	free(watch);
	return st;
}

pl_status pl_blossom_resolve(size_t n, size_t m, const long *eu, const long *ev, const double *w,
			     const pl_blossom_result *base, const unsigned char *removed,
			     pl_blossom_result *res, pl_error *err)
{
	pl_blossom_ws *ws = pl_blossom_ws_new(n, m, eu, ev, w);
	pl_status st;

	if (!ws) {
		pl_blossom_result_init(res);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	st = pl_blossom_resolve_ws(ws, base, removed, res, err);
	pl_blossom_ws_free(ws);
	return st;
}
