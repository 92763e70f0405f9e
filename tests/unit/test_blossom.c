/*
 * test_blossom.c: the general-graph matching solver against brute force (every edge subset on
 * small vertex sets, random graphs up to 12 vertices, hand-built blossom cases) and against its
 * own dual certificate (feasibility, complementary slackness, equal primal and dual objectives)
 * on large random graphs, in every solver mode (jump start on/off, sparse candidates on/off,
 * max_cardinality on/off).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/blossom.h>

#include "match/blossom_int.h"
#include "testutil.h"

/* ---- brute force: best (cardinality, weight) over all matchings, by DP over vertex sets ---- */

typedef struct bf_val {
	int card;
	double weight;
} bf_val;

static int better(bf_val a, bf_val b, int maxcard)
{
	if (maxcard && a.card != b.card)
		return a.card > b.card;
	return a.weight > b.weight + 1e-9;
}

/* best[mask]: optimum on the vertices of mask; pair weights in wt (NAN = no edge). */
static bf_val brute(int n, const double *wt, int maxcard)
{
	size_t states = (size_t)1 << n;
	bf_val *best = malloc(states * sizeof(bf_val)), r;

	best[0].card = 0;
	best[0].weight = 0.0;
	for (size_t mask = 1; mask < states; mask++) {
		int i = __builtin_ctzll(mask);
		size_t rest = mask & ~((size_t)1 << i);
		bf_val b = best[rest]; /* i unmatched */
		for (int j = i + 1; j < n; j++) {
			if (!(rest >> j & 1) || isnan(wt[i * n + j]))
				continue;
			if (!maxcard && wt[i * n + j] <= 0)
				continue;
			bf_val c = best[rest & ~((size_t)1 << j)];
			c.card++;
			c.weight += wt[i * n + j];
			if (better(c, b, maxcard))
				b = c;
		}
		best[mask] = b;
	}
	r = best[states - 1];
	free(best);
	return r;
}

/* ---- the certificate, in exact integers (tests use integer or decimal weights) ---- */

static int node_contains(const pl_blossom_result *r, long blossom, long v)
{
	for (long x = v; x >= 0; x = r->node_parent[x])
		if (x == blossom)
			return 1;
	return 0;
}

static void check_certificate(size_t n, size_t m, const long *eu, const long *ev, const double *w,
			      int maxcard, const pl_blossom_result *r)
{
	double S = r->weight_scale, total = 0.0;
	int64_t c = 0, primal = 0, dual = 0;
	int have_c = 0;
	size_t pairs = 0;
	size_t nb = r->nblossoms;
	long *size = calloc(nb + 1, sizeof(long)), *inside = calloc(nb + 1, sizeof(long));

	ck_assert(r->exact);
	/* A matching, consistent with mate_edge. */
	for (size_t v = 0; v < n; v++) {
		long u = r->mate[v];
		if (u < 0) {
			ck_assert_int_eq(r->mate_edge[v], -1);
			continue;
		}
		ck_assert_int_eq(r->mate[u], (long)v);
		long k = r->mate_edge[v];
		ck_assert(k >= 0 && (size_t)k < m);
		ck_assert((eu[k] == (long)v && ev[k] == u) || (ev[k] == (long)v && eu[k] == u));
		ck_assert_int_eq(r->mate_edge[u], k);
		if ((long)v < u) {
			total += w[k];
			pairs++;
		}
	}
	ck_assert_uint_eq(pairs, r->pairs);
	ck_assert(fabs(total - r->total) <= 1e-9 * (1 + fabs(total)));
	/* The shift c: 0 for max weight; the common dual of unmatched vertices for max_cardinality. */
	for (size_t v = 0; v < n; v++) {
		if (r->mate[v] >= 0)
			continue;
		if (!maxcard) {
			ck_assert_msg(r->vertex_dual[v] == 0, "unmatched vertex %zu has dual %lld", v,
				      (long long)r->vertex_dual[v]);
		} else if (!have_c) {
			c = r->vertex_dual[v];
			have_c = 1;
		} else {
			ck_assert(r->vertex_dual[v] == c);
		}
	}
	if (maxcard && !have_c) {
		c = INT64_MAX;
		for (size_t v = 0; v < n; v++)
			if (r->vertex_dual[v] < c)
				c = r->vertex_dual[v];
		if (n == 0)
			c = 0;
	}
	for (size_t v = 0; v < n; v++)
		ck_assert(r->vertex_dual[v] >= c);
	for (size_t b = 0; b < nb; b++)
		ck_assert(r->blossom_dual[b] >= 0);
	/* Edge feasibility (slack >= 0) and tight matched edges, for shifted weights F round(Sw) - 2c. */
	for (size_t k = 0; k < m; k++) {
		int64_t iw = (int64_t)llround(w[k] * S);
		int64_t lhs = r->vertex_dual[eu[k]] + r->vertex_dual[ev[k]];
		ck_assert(fabs(w[k] * S - (double)iw) < 1e-6);
		for (size_t b = 0; b < nb; b++)
			if (r->blossom_dual[b] && node_contains(r, (long)(n + b), eu[k]) &&
			    node_contains(r, (long)(n + b), ev[k]))
				lhs += r->blossom_dual[b];
		ck_assert_msg(lhs >= r->dual_factor * iw, "edge %zu violated: %lld < %lld", k, (long long)lhs,
			      (long long)(r->dual_factor * iw));
		if (r->mate_edge[eu[k]] == (long)k) {
			ck_assert_msg(lhs == r->dual_factor * iw, "matched edge %zu is not tight", k);
			primal += r->dual_factor * iw - 2 * c;
		}
	}
	/* Blossoms with positive dual are full; dual objective = primal objective. */
	for (size_t v = 0; v < n; v++)
		for (long x = r->node_parent[v]; x >= 0; x = r->node_parent[x]) {
			size[x - (long)n]++;
			if (r->mate[v] >= 0 && (long)v < r->mate[v] && node_contains(r, x, r->mate[v]))
				inside[x - (long)n]++;
		}
	for (size_t v = 0; v < n; v++)
		dual += r->vertex_dual[v] - c;
	for (size_t b = 0; b < nb; b++) {
		ck_assert(size[b] % 2 == 1 && size[b] >= 3);
		if (r->blossom_dual[b] > 0)
			ck_assert_int_eq(inside[b], (size[b] - 1) / 2);
		dual += r->blossom_dual[b] * ((size[b] - 1) / 2);
	}
	ck_assert_msg(primal == dual, "primal %lld != dual %lld", (long long)primal, (long long)dual);
	free(size);
	free(inside);
}

/* Solve in one mode and compare with brute force (when wt is given) and the certificate. */
static void solve_check(size_t n, size_t m, const long *eu, const long *ev, const double *w,
			int maxcard, int cand, int nojump, const bf_val *want)
{
	pl_blossom_options opt = PL_BLOSSOM_OPTIONS_INIT;
	pl_blossom_result r = PL_BLOSSOM_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;

	opt.max_cardinality = maxcard;
	opt.candidates = cand;
	opt.no_jump_start = nojump;
	ck_assert_int_eq(pl_blossom_solve(n, m, eu, ev, w, &opt, &r, &err), PL_OK);
	check_certificate(n, m, eu, ev, w, maxcard, &r);
	if (want) {
		ck_assert_msg(fabs(r.total - want->weight) < 1e-6,
			      "n %zu m %zu maxcard %d cand %d nojump %d: total %g, brute force %g", n, m,
			      maxcard, cand, nojump, r.total, want->weight);
		if (maxcard)
			ck_assert_uint_eq(r.pairs, (size_t)want->card);
	}
	pl_blossom_result_release(&r);
}

/* All modes against brute force. */
static void check_all_modes(size_t n, size_t m, const long *eu, const long *ev, const double *w)
{
	double *wt = malloc((n > 0 ? n * n : 1) * sizeof(double));
	for (size_t i = 0; i < n * n; i++)
		wt[i] = NAN;
	for (size_t k = 0; k < m; k++) {
		double *a = &wt[eu[k] * (long)n + ev[k]], *b = &wt[ev[k] * (long)n + eu[k]];
		if (isnan(*a) || w[k] > *a)
			*a = *b = w[k];
	}
	for (int maxcard = 0; maxcard < 2; maxcard++) {
		bf_val want = brute((int)n, wt, maxcard);
		for (int cand = -1; cand <= 2; cand += 3)
			for (int nojump = 0; nojump < 2; nojump++)
				solve_check(n, m, eu, ev, w, maxcard, cand, nojump, &want);
	}
	free(wt);
}

START_TEST(every_graph_up_to_five)
{
	tu_rng rng = { 11 };
	for (int n = 0; n <= 5; n++) {
		int npairs = n * (n - 1) / 2;
		long pu[10], pv[10], eu[10], ev[10];
		double w[10];
		int q = 0;
		for (int i = 0; i < n; i++)
			for (int j = i + 1; j < n; j++) {
				pu[q] = i;
				pv[q] = j;
				q++;
			}
		for (long subset = 0; subset < (1L << npairs); subset++) {
			/* Three weight patterns: distinct positives, small ties with zero and
			 * negatives, all equal. */
			for (int pattern = 0; pattern < 3; pattern++) {
				size_t m = 0;
				for (int e = 0; e < npairs; e++) {
					if (!(subset >> e & 1))
						continue;
					eu[m] = pu[e];
					ev[m] = pv[e];
					w[m] = pattern == 0   ? (double)tu_range(&rng, 1, 100)
					       : pattern == 1 ? (double)tu_range(&rng, -2, 3)
							      : 5.0;
					m++;
				}
				check_all_modes((size_t)n, m, eu, ev, w);
			}
		}
	}
}
END_TEST

START_TEST(random_small_graphs)
{
	tu_rng rng = { 12345 };
	long eu[200], ev[200];
	double w[200];
	for (int it = 0; it < 1500; it++) {
		int n = (int)tu_range(&rng, 6, 12);
		double p = 0.2 + 0.8 * tu_uniform(&rng);
		int wmax = it % 3 == 0 ? 3 : it % 3 == 1 ? 20 : 1000;
		int wmin = it % 4 == 0 ? -wmax / 2 : 1;
		size_t m = 0;
		for (int i = 0; i < n; i++)
			for (int j = i + 1; j < n; j++)
				if (tu_uniform(&rng) < p) {
					eu[m] = tu_range(&rng, 0, 1) ? i : j;
					ev[m] = eu[m] == i ? j : i;
					w[m] = (double)tu_range(&rng, wmin, wmax);
					m++;
				}
		/* Sometimes a parallel edge. */
		if (m > 0 && it % 5 == 0) {
			eu[m] = ev[0];
			ev[m] = eu[0];
			w[m] = (double)tu_range(&rng, wmin, wmax);
			m++;
		}
		check_all_modes((size_t)n, m, eu, ev, w);
	}
}
END_TEST

/* Hand-built cases (1-based vertices, vertex 0 isolated) that force S-blossoms, T-blossoms,
 * nested blossoms, relabelling and expansion; expected mates checked against brute force too. */
typedef struct hand_case {
	const char *name;
	int n;
	int m;
	int e[13][3];
	int maxcard;
	long mate[14];
} hand_case;

static const hand_case hand[] = {
	{ "single edge", 2, 1, { { 0, 1, 1 } }, 0, { 1, 0 } },
	{ "path of two", 4, 2, { { 1, 2, 10 }, { 2, 3, 11 } }, 0, { -1, -1, 3, 2 } },
	{ "path of three", 5, 3, { { 1, 2, 5 }, { 2, 3, 11 }, { 3, 4, 5 } }, 0, { -1, -1, 3, 2, -1 } },
	{ "path of three, max cardinality", 5, 3, { { 1, 2, 5 }, { 2, 3, 11 }, { 3, 4, 5 } }, 1,
	  { -1, 2, 1, 4, 3 } },
	{ "negative weights", 5, 5, { { 1, 2, 2 }, { 1, 3, -2 }, { 2, 3, 1 }, { 2, 4, -1 }, { 3, 4, -6 } },
	  0, { -1, 2, 1, -1, -1 } },
	{ "negative weights, max cardinality", 5, 5,
	  { { 1, 2, 2 }, { 1, 3, -2 }, { 2, 3, 1 }, { 2, 4, -1 }, { 3, 4, -6 } }, 1, { -1, 3, 4, 1, 2 } },
	{ "triangle + tail: S-blossom", 5, 4, { { 1, 2, 8 }, { 1, 3, 9 }, { 2, 3, 10 }, { 3, 4, 7 } }, 0,
	  { -1, 2, 1, 4, 3 } },
	{ "S-blossom used for augmentation", 7, 6,
	  { { 1, 2, 8 }, { 1, 3, 9 }, { 2, 3, 10 }, { 3, 4, 7 }, { 1, 6, 5 }, { 4, 5, 6 } }, 0,
	  { -1, 6, 3, 2, 5, 4, 1 } },
	{ "T-blossom", 7, 6, { { 1, 2, 9 }, { 1, 3, 8 }, { 2, 3, 10 }, { 1, 4, 5 }, { 4, 5, 4 }, { 1, 6, 3 } },
	  0, { -1, 6, 3, 2, 5, 4, 1 } },
	{ "T-blossom 2", 7, 6, { { 1, 2, 9 }, { 1, 3, 8 }, { 2, 3, 10 }, { 1, 4, 5 }, { 4, 5, 3 }, { 1, 6, 4 } },
	  0, { -1, 6, 3, 2, 5, 4, 1 } },
	{ "T-blossom 3", 7, 6, { { 1, 2, 9 }, { 1, 3, 8 }, { 2, 3, 10 }, { 1, 4, 5 }, { 4, 5, 3 }, { 3, 6, 4 } },
	  0, { -1, 2, 1, 6, 5, 4, 3 } },
	{ "nested S-blossom", 7, 7,
	  { { 1, 2, 9 }, { 1, 3, 9 }, { 2, 3, 10 }, { 2, 4, 8 }, { 3, 5, 8 }, { 4, 5, 10 }, { 5, 6, 6 } }, 0,
	  { -1, 3, 4, 1, 2, 6, 5 } },
	{ "nested S-blossom relabelled", 9, 9,
	  { { 1, 2, 10 }, { 1, 7, 10 }, { 2, 3, 12 }, { 3, 4, 20 }, { 3, 5, 20 }, { 4, 5, 25 }, { 5, 6, 10 },
	    { 6, 7, 10 }, { 7, 8, 8 } }, 0, { -1, 2, 1, 4, 3, 6, 5, 8, 7 } },
	{ "nested S-blossom expanded", 9, 10,
	  { { 1, 2, 8 }, { 1, 3, 8 }, { 2, 3, 10 }, { 2, 4, 12 }, { 3, 5, 12 }, { 4, 5, 14 }, { 4, 6, 12 },
	    { 5, 7, 12 }, { 6, 7, 14 }, { 7, 8, 12 } }, 0, { -1, 2, 1, 5, 6, 3, 4, 8, 7 } },
	{ "S-blossom relabelled as T and expanded", 9, 8,
	  { { 1, 2, 23 }, { 1, 5, 22 }, { 1, 6, 15 }, { 2, 3, 25 }, { 3, 4, 22 }, { 4, 5, 25 }, { 4, 8, 14 },
	    { 5, 7, 13 } }, 0, { -1, 6, 3, 2, 8, 7, 1, 5, 4 } },
	{ "nested S-blossom relabelled as T and expanded", 9, 9,
	  { { 1, 2, 19 }, { 1, 3, 20 }, { 1, 8, 8 }, { 2, 3, 25 }, { 2, 4, 18 }, { 3, 5, 18 }, { 4, 5, 13 },
	    { 4, 7, 7 }, { 5, 6, 7 } }, 0, { -1, 8, 3, 2, 7, 6, 5, 4, 1 } },
	{ "T-blossom expansion with a nasty augmenting path", 11, 10,
	  { { 1, 2, 45 }, { 1, 5, 45 }, { 2, 3, 50 }, { 3, 4, 45 }, { 4, 5, 50 }, { 1, 6, 30 }, { 3, 9, 35 },
	    { 4, 8, 35 }, { 5, 7, 26 }, { 9, 10, 5 } }, 0, { -1, 6, 3, 2, 8, 7, 1, 5, 4, 10, 9 } },
	{ "T-blossom expansion, second variant", 11, 10,
	  { { 1, 2, 45 }, { 1, 5, 45 }, { 2, 3, 50 }, { 3, 4, 45 }, { 4, 5, 50 }, { 1, 6, 30 }, { 3, 9, 35 },
	    { 4, 8, 26 }, { 5, 7, 40 }, { 9, 10, 5 } }, 0, { -1, 6, 3, 2, 8, 7, 1, 5, 4, 10, 9 } },
	{ "T-blossom expansion keeping least-slack edges", 11, 10,
	  { { 1, 2, 45 }, { 1, 5, 45 }, { 2, 3, 50 }, { 3, 4, 45 }, { 4, 5, 50 }, { 1, 6, 30 }, { 3, 9, 35 },
	    { 4, 8, 28 }, { 5, 7, 26 }, { 9, 10, 5 } }, 0, { -1, 6, 3, 2, 8, 7, 1, 5, 4, 10, 9 } },
	{ "nested T-blossom expansion", 13, 13,
	  { { 1, 2, 45 }, { 1, 7, 45 }, { 2, 3, 50 }, { 3, 4, 45 }, { 4, 5, 95 }, { 4, 6, 94 }, { 5, 6, 94 },
	    { 6, 7, 50 }, { 1, 8, 30 }, { 3, 11, 35 }, { 5, 9, 36 }, { 7, 10, 26 }, { 11, 12, 5 } }, 0,
	  { -1, 8, 3, 2, 6, 9, 4, 10, 1, 5, 7, 12, 11 } },
	{ "nested blossom relabelled and expanded", 11, 11,
	  { { 1, 2, 40 }, { 1, 3, 40 }, { 2, 3, 60 }, { 2, 4, 55 }, { 3, 5, 55 }, { 4, 5, 50 }, { 1, 8, 15 },
	    { 5, 7, 30 }, { 7, 6, 10 }, { 8, 10, 10 }, { 4, 9, 30 } }, 0,
	  { -1, 2, 1, 5, 9, 3, 7, 6, 10, 4, 8 } },
};

START_TEST(hand_built_blossoms)
{
	const hand_case *h = &hand[_i];
	long eu[13], ev[13];
	double w[13];
	for (int k = 0; k < h->m; k++) {
		eu[k] = h->e[k][0];
		ev[k] = h->e[k][1];
		w[k] = h->e[k][2];
	}
	check_all_modes((size_t)h->n, (size_t)h->m, eu, ev, w);
	for (int nojump = 0; nojump < 2; nojump++) {
		pl_blossom_options opt = PL_BLOSSOM_OPTIONS_INIT;
		pl_blossom_result r = PL_BLOSSOM_RESULT_INIT;
		pl_error err = PL_ERROR_INIT;
		opt.max_cardinality = h->maxcard;
		opt.no_jump_start = nojump;
		ck_assert_int_eq(pl_blossom_solve((size_t)h->n, (size_t)h->m, eu, ev, w, &opt, &r, &err),
				 PL_OK);
		for (int v = 0; v < h->n; v++)
			ck_assert_msg(r.mate[v] == h->mate[v], "%s: mate[%d] = %ld, want %ld", h->name, v,
				      r.mate[v], h->mate[v]);
		pl_blossom_result_release(&r);
	}
}
END_TEST

/* Odd cycles: C_{2k+1} with equal weights leaves one vertex out; with one heavy chord... */
START_TEST(odd_cycles)
{
	long eu[40], ev[40];
	double w[40];
	for (int len = 3; len <= 15; len += 2) {
		for (int v = 0; v < len; v++) {
			eu[v] = v;
			ev[v] = (v + 1) % len;
			w[v] = 7;
		}
		check_all_modes((size_t)len, (size_t)len, eu, ev, w);
		/* Two odd cycles joined by a light edge: both blossoms, one augmentation across. */
		for (int v = 0; v < len; v++) {
			eu[len + v] = len + v;
			ev[len + v] = len + (v + 1) % len;
			w[len + v] = 7;
		}
		eu[2 * len] = 0;
		ev[2 * len] = len;
		w[2 * len] = 1;
		if (2 * len <= 12)
			check_all_modes((size_t)(2 * len), (size_t)(2 * len + 1), eu, ev, w);
		else
			for (int mc = 0; mc < 2; mc++)
				solve_check((size_t)(2 * len), (size_t)(2 * len + 1), eu, ev, w, mc, 0, 0, NULL);
	}
}
END_TEST

START_TEST(trivial_graphs)
{
	pl_blossom_result r = PL_BLOSSOM_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;
	long eu[2] = { 0, 1 }, ev[2] = { 1, 2 };
	double w[2] = { 0.0, -1.0 };

	ck_assert_int_eq(pl_blossom_solve(0, 0, NULL, NULL, NULL, NULL, &r, &err), PL_OK);
	ck_assert_uint_eq(r.pairs, 0);
	ck_assert(r.total == 0.0);
	pl_blossom_result_release(&r);
	ck_assert_int_eq(pl_blossom_solve(1, 0, NULL, NULL, NULL, NULL, &r, &err), PL_OK);
	ck_assert_int_eq(r.mate[0], -1);
	ck_assert_int_eq(r.vertex_dual[0], 0);
	pl_blossom_result_release(&r);
	/* Zero and negative weights: nothing matched unless max_cardinality. */
	ck_assert_int_eq(pl_blossom_solve(3, 2, eu, ev, w, NULL, &r, &err), PL_OK);
	ck_assert_uint_eq(r.pairs, 0);
	pl_blossom_result_release(&r);
	{
		pl_blossom_options opt = PL_BLOSSOM_OPTIONS_INIT;
		opt.max_cardinality = 1;
		ck_assert_int_eq(pl_blossom_solve(3, 2, eu, ev, w, &opt, &r, &err), PL_OK);
		ck_assert_uint_eq(r.pairs, 1);
		ck_assert_int_eq(r.mate[0], 1);
		ck_assert(r.total == 0.0);
		check_certificate(3, 2, eu, ev, w, 1, &r);
		pl_blossom_result_release(&r);
	}
}
END_TEST

START_TEST(invalid_input)
{
	pl_blossom_result r = PL_BLOSSOM_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;
	long eu[3] = { 0, 1, 2 }, ev[3] = { 1, 2, 2 };
	double w[3] = { 1, 2, 3 };

	ck_assert_int_eq(pl_blossom_solve(3, 3, eu, ev, w, NULL, &r, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/edges/2/1");
	ck_assert_ptr_null(r.mate);
	ck_assert_int_eq(pl_blossom_solve(2, 2, eu, ev, w, NULL, &r, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/edges/1/1");
	eu[0] = -1;
	ck_assert_int_eq(pl_blossom_solve(3, 1, eu, ev, w, NULL, &r, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/edges/0/0");
	eu[0] = 0;
	w[0] = NAN;
	ck_assert_int_eq(pl_blossom_solve(3, 1, eu, ev, w, NULL, &r, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/edges/0/2");
	/* The magnitude limit: 1e15 is accepted, 2^53 (and more) is not, with either sign. */
	w[0] = PL_BLOSSOM_WEIGHT_MAX;
	ck_assert_int_eq(pl_blossom_solve(3, 1, eu, ev, w, NULL, &r, &err), PL_OK);
	ck_assert_double_eq(r.total, 1e15);
	pl_blossom_result_release(&r);
	w[0] = -9007199254740992.0;
	ck_assert_int_eq(pl_blossom_solve(3, 1, eu, ev, w, NULL, &r, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/edges/0/2");
	w[0] = 1.7e308;
	ck_assert_int_eq(pl_blossom_solve(3, 1, eu, ev, w, NULL, &r, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/edges/0/2");
}
END_TEST

START_TEST(weight_scaling)
{
	pl_blossom_result r = PL_BLOSSOM_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;
	/* Decimal scores: exact at S = 100. Triangle 0-1-2 plus pendant 3 on 2. */
	long eu[4] = { 0, 1, 0, 2 }, ev[4] = { 1, 2, 2, 3 };
	double w[4] = { 0.73, 0.41, 0.5, 0.29 };

	ck_assert_int_eq(pl_blossom_solve(4, 4, eu, ev, w, NULL, &r, &err), PL_OK);
	ck_assert(r.exact);
	ck_assert(r.weight_scale == 100.0);
	ck_assert(fabs(r.total - 1.02) < 1e-12); /* 0-1 and 2-3 */
	check_certificate(4, 4, eu, ev, w, 0, &r);
	pl_blossom_result_release(&r);
	/* Irrational-looking weights: binary scale, flagged inexact with a bound. */
	w[0] = 0.78539816339744831;
	w[1] = 0.38832758339455;
	ck_assert_int_eq(pl_blossom_solve(4, 4, eu, ev, w, NULL, &r, &err), PL_OK);
	ck_assert(!r.exact);
	ck_assert(r.suboptimality_bound > 0 && r.suboptimality_bound < 1e-9);
	ck_assert_int_eq(r.mate[0], 1);
	ck_assert_int_eq(r.mate[2], 3);
	pl_blossom_result_release(&r);
}
END_TEST

/* Large random graphs: certificate only (too big for brute force). */
static void random_large(int n, double p, int wmax, int maxcard, int cand, unsigned long seed)
{
	tu_rng rng = { seed };
	size_t cap = (size_t)n * (size_t)(n - 1) / 2, m = 0;
	long *eu = malloc(cap * sizeof(long)), *ev = malloc(cap * sizeof(long));
	double *w = malloc(cap * sizeof(double));
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (p >= 1.0 || tu_uniform(&rng) < p) {
				eu[m] = i;
				ev[m] = j;
				w[m] = (double)tu_range(&rng, maxcard ? -wmax / 4 : 1, wmax);
				m++;
			}
	solve_check((size_t)n, m, eu, ev, w, maxcard, cand, 0, NULL);
	free(eu);
	free(ev);
	free(w);
}

START_TEST(certificate_dense)
{
	random_large(400, 1.0, 1000000, 0, 0, 1);
	random_large(600, 1.0, 100, 0, 0, 2);   /* many ties */
	random_large(300, 1.0, 1000, 0, -1, 3); /* direct, no candidates */
	random_large(300, 1.0, 1000, 1, 0, 4);
}
END_TEST

START_TEST(certificate_sparse)
{
	random_large(1000, 0.01, 1000000, 0, 0, 5);
	random_large(1000, 0.005, 50, 0, 0, 6);
	random_large(1000, 0.05, 1000, 0, 3, 7); /* forced tiny candidate sets: several rounds */
	random_large(800, 0.004, 1000, 1, 0, 8);
}
END_TEST

/* Structured weights defeat "each vertex's heaviest edges": many warm candidate rounds. */
START_TEST(certificate_structured)
{
	int n = 200;
	size_t m = (size_t)n * (size_t)(n - 1) / 2, q;
	long *eu = malloc(m * sizeof(long)), *ev = malloc(m * sizeof(long));
	double *w = malloc(m * sizeof(double));
	for (int pattern = 0; pattern < 3; pattern++) {
		q = 0;
		for (int i = 0; i < n; i++)
			for (int j = i + 1; j < n; j++) {
				eu[q] = i;
				ev[q] = j;
				w[q] = pattern == 0 ? i + j : pattern == 1 ? j - i : (i * j) % 101 + 1;
				q++;
			}
		for (int cand = 2; cand <= 8; cand += 6) {
			solve_check((size_t)n, m, eu, ev, w, 0, cand, 0, NULL);
			solve_check((size_t)n, m, eu, ev, w, 1, cand, 0, NULL);
		}
	}
	free(eu);
	free(ev);
	free(w);
}
END_TEST

/* A random graph on n vertices, each pair an edge with probability dens, into eu/ev/w; returns
 * the number of edges. Weights are 1000 + step * (1..ties), many ties, or with ties == 0 any of
 * 1..100000. One draw per edge, in pair order. */
static size_t random_graph(tu_rng *r, size_t n, double dens, long ties, double step, long *eu,
			   long *ev, double *w)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (tu_uniform(r) < dens) {
				eu[m] = (long)i;
				ev[m] = (long)j;
				w[m++] = ties ? (double)tu_range(r, 1, ties) * step + 1000.0
					      : (double)tu_range(r, 1, 100000);
			}
	return m;
}

/* A test graph's arrays for n vertices (room for every pair as an edge): its edges (eu, ev, w),
 * a copy without some vertices (ru, rv, rw; map: old edge -> new), flags (gone) and per-vertex
 * targets and values (tg, val), allocated at once (asserted) and freed by tgraph_free. */
typedef struct tgraph {
	long *eu, *ev, *ru, *rv, *map, *tg;
	double *w, *rw, *val;
	unsigned char *gone;
} tgraph;

static tgraph tgraph_new(size_t n)
{
	size_t e = n * n + 1;
	tgraph g = { malloc(e * sizeof(long)), malloc(e * sizeof(long)), malloc(e * sizeof(long)),
		     malloc(e * sizeof(long)), malloc(e * sizeof(long)), malloc((n + 1) * sizeof(long)),
		     malloc(e * sizeof(double)), malloc(e * sizeof(double)),
		     malloc((n + 1) * sizeof(double)), calloc(n + 1, 1) };

	ck_assert(g.eu && g.ev && g.ru && g.rv && g.map && g.tg && g.w && g.rw && g.val && g.gone);
	return g;
}

static void tgraph_free(tgraph *g)
{
	free(g->eu);
	free(g->ev);
	free(g->ru);
	free(g->rv);
	free(g->map);
	free(g->tg);
	free(g->w);
	free(g->rw);
	free(g->val);
	free(g->gone);
}

/*
 * Warm re-solves without some vertices (pl_blossom_resolve) against a cold solve of the graph
 * without them, on dense graphs (the re-solve's sparse candidates and pricing) and sparse ones,
 * with weights from few values (ties, blossoms) and from many.
 */
START_TEST(resolve_matches_cold)
{
	tu_rng r = { 4242 };

	for (int t = 0; t < 40; t++) {
		size_t n = (size_t)tu_range(&r, 8, 70), m = 0, mr = 0;
		double dens = t % 2 ? 1.0 : 0.3;
		tgraph g = tgraph_new(n);
		long *eu = g.eu, *ev = g.ev, *ru = g.ru, *rv = g.rv;
		double *w = g.w, *rw = g.rw;
		unsigned char *gone = g.gone;
		pl_blossom_result base = PL_BLOSSOM_RESULT_INIT, warm = PL_BLOSSOM_RESULT_INIT,
				  cold = PL_BLOSSOM_RESULT_INIT;
		pl_error err = PL_ERROR_INIT;

		m = random_graph(&r, n, dens, t % 3 ? 4 : 0, 100.0, eu, ev, w);
		ck_assert_int_eq(pl_blossom_solve(n, m, eu, ev, w, NULL, &base, &err), PL_OK);
		for (int k = 0; k < 5; k++)
			gone[tu_range(&r, 0, (long)n - 1)] = 1;
		ck_assert_int_eq(pl_blossom_resolve(n, m, eu, ev, w, &base, gone, &warm, &err), PL_OK);
		for (size_t k = 0; k < m; k++)
			if (!gone[eu[k]] && !gone[ev[k]]) {
				ru[mr] = eu[k];
				rv[mr] = ev[k];
				rw[mr++] = w[k];
			}
		ck_assert_int_eq(pl_blossom_solve(n, mr, ru, rv, rw, NULL, &cold, &err), PL_OK);
		ck_assert_msg(fabs(warm.total - cold.total) < 1e-6, "graph %d (n %zu, m %zu): warm %.1f, cold %.1f",
			      t, n, m, warm.total, cold.total);
		for (size_t v = 0; v < n; v++) {
			long u = warm.mate[v];
			if (gone[v])
				ck_assert_int_eq(u, PL_BLOSSOM_UNMATCHED);
			else if (u >= 0)
				ck_assert(!gone[u] && warm.mate[u] == (long)v);
		}
		pl_blossom_result_release(&base);
		pl_blossom_result_release(&warm);
		pl_blossom_result_release(&cold);
		tgraph_free(&g);
	}
}
END_TEST

/*
 * Warm re-solves that keep the blossoms (pl_blossom_resolve_kept, blossom_int.h), chained as
 * buddies chains them (a re-solve without a few vertices, then from it without a few more),
 * against a cold solve of the graph without the vertices, with the re-solve's own certificate
 * checked on that graph (edge indices renumbered). Weights from few values give deep nested
 * blossoms, the case the kept blossoms are for.
 */
START_TEST(resolve_kept_matches_cold)
{
	tu_rng r = { 777 };

	for (int t = 0; t < 60; t++) {
		size_t n = (size_t)tu_range(&r, 6, 60), m = 0;
		double dens = t % 2 ? 1.0 : 0.35;
		tgraph g = tgraph_new(n);
		long *eu = g.eu, *ev = g.ev, *ru = g.ru, *rv = g.rv, *map = g.map;
		double *w = g.w, *rw = g.rw;
		unsigned char *gone = g.gone;
		pl_blossom_result res[3] = { PL_BLOSSOM_RESULT_INIT, PL_BLOSSOM_RESULT_INIT,
					     PL_BLOSSOM_RESULT_INIT };
		pl_blossom_state st[3] = { PL_BLOSSOM_STATE_INIT, PL_BLOSSOM_STATE_INIT,
					   PL_BLOSSOM_STATE_INIT };
		pl_blossom_result cold = PL_BLOSSOM_RESULT_INIT;
		pl_blossom_options opt = PL_BLOSSOM_OPTIONS_INIT;
		pl_blossom_ws *ws;
		pl_error err = PL_ERROR_INIT;

		m = random_graph(&r, n, dens, t % 3 ? 3 : 0, 10.0, eu, ev, w);
		ws = pl_blossom_ws_new(n, m, eu, ev, w);
		ck_assert_ptr_nonnull(ws);
		ck_assert_int_eq(pl_blossom_solve_state(n, m, eu, ev, w, &opt, &res[0], &st[0], &err),
				 PL_OK);
		for (int step = 1; step <= 2; step++) {
			size_t mr = 0;
			for (int k = 0; k < (step == 1 ? 2 : 3); k++)
				gone[tu_range(&r, 0, (long)n - 1)] = 1;
			ck_assert_int_eq(pl_blossom_resolve_kept(ws, &res[step - 1], &st[step - 1], gone,
								 &res[step], &st[step], &err),
					 PL_OK);
			for (size_t k = 0; k < m; k++) {
				map[k] = -1;
				if (!gone[eu[k]] && !gone[ev[k]]) {
					map[k] = (long)mr;
					ru[mr] = eu[k];
					rv[mr] = ev[k];
					rw[mr++] = w[k];
				}
			}
			ck_assert_int_eq(pl_blossom_solve(n, mr, ru, rv, rw, NULL, &cold, &err), PL_OK);
			ck_assert_msg(fabs(res[step].total - cold.total) < 1e-6,
				      "graph %d step %d (n %zu, m %zu): kept %.1f, cold %.1f", t, step, n,
				      m, res[step].total, cold.total);
			for (size_t v = 0; v < n; v++) {
				long k = res[step].mate_edge[v];
				if (gone[v])
					ck_assert_int_eq(res[step].mate[v], PL_BLOSSOM_UNMATCHED);
				if (k >= 0) {
					ck_assert_int_ge(map[k], 0);
					res[step].mate_edge[v] = map[k];
				}
			}
			check_certificate(n, mr, ru, rv, rw, 0, &res[step]);
			for (size_t v = 0; v < n; v++) { /* back to the graph's numbering */
				long k = res[step].mate_edge[v];
				if (k >= 0)
					for (size_t q = 0; q < m; q++)
						if (map[q] == k) {
							res[step].mate_edge[v] = (long)q;
							break;
						}
			}
			pl_blossom_result_release(&cold);
		}
		for (int q = 0; q < 3; q++) {
			pl_blossom_result_release(&res[q]);
			pl_blossom_state_release(&st[q]);
		}
		pl_blossom_ws_free(ws);
		tgraph_free(&g);
	}
}
END_TEST

/*
 * pl_blossom_solve_state promises pl_blossom_solve's answer bit for bit, with max_cardinality too
 * (where the plain solve first tries the faster max-weight solve): the same matching on graphs
 * with many ties (several optima) and with weights <= 0 (where that short cut does not apply).
 */
START_TEST(solve_state_same_optimum)
{
	tu_rng r = { 5150 };

	for (int t = 0; t < 60; t++) {
		size_t n = (size_t)tu_range(&r, 4, 40), m;
		tgraph g = tgraph_new(n);
		long *eu = g.eu, *ev = g.ev;
		double *w = g.w;
		pl_blossom_options opt = PL_BLOSSOM_OPTIONS_INIT;
		pl_blossom_result a = PL_BLOSSOM_RESULT_INIT, b = PL_BLOSSOM_RESULT_INIT;
		pl_blossom_state st = PL_BLOSSOM_STATE_INIT;
		pl_error err = PL_ERROR_INIT;

		m = random_graph(&r, n, t % 2 ? 1.0 : 0.3, t % 3 ? 2 : 0, 10.0, eu, ev, w);
		if (t % 5 == 4 && m > 0)
			w[0] = -1.0; /* not every weight positive */
		opt.max_cardinality = t % 4 != 3;
		ck_assert_int_eq(pl_blossom_solve(n, m, eu, ev, w, &opt, &a, &err), PL_OK);
		ck_assert_int_eq(pl_blossom_solve_state(n, m, eu, ev, w, &opt, &b, &st, &err), PL_OK);
		ck_assert_msg(a.total == b.total && a.pairs == b.pairs, "graph %d: totals differ", t);
		for (size_t v = 0; v < n; v++)
			ck_assert_msg(a.mate_edge[v] == b.mate_edge[v],
				      "graph %d (n %zu, max_cardinality %d): vertex %zu matched apart", t,
				      n, opt.max_cardinality, v);
		ck_assert_uint_eq(a.nblossoms, b.nblossoms);
		ck_assert_uint_eq(st.nb, b.nblossoms);
		check_certificate(n, m, eu, ev, w, opt.max_cardinality, &b);
		pl_blossom_result_release(&a);
		pl_blossom_result_release(&b);
		pl_blossom_state_release(&st);
		tgraph_free(&g);
	}
}
END_TEST

/*
 * The workspace is bound to its graph and converts the weights again when a base comes with
 * another weight scale (blossom_int.h). Decimal weights (scale 100); the same optimum's
 * certificate restated at scale 1000 (duals times 10) is a base of the same graph at another
 * scale: re-solves alternating between the two scales on one workspace must each match a cold
 * solve, carry their base's scale, and certify at it.
 */
START_TEST(workspace_scale_change)
{
	tu_rng r = { 31337 };

	for (int t = 0; t < 20; t++) {
		size_t n = (size_t)tu_range(&r, 6, 30), m = 0;
		tgraph g = tgraph_new(n);
		long *eu = g.eu, *ev = g.ev, *ru = g.ru, *rv = g.rv, *map = g.map;
		double *w = g.w, *rw = g.rw;
		unsigned char *gone = g.gone;
		pl_blossom_result base[2] = { PL_BLOSSOM_RESULT_INIT, PL_BLOSSOM_RESULT_INIT };
		pl_blossom_ws *ws;
		pl_error err = PL_ERROR_INIT;

		m = random_graph(&r, n, t % 2 ? 1.0 : 0.4, t % 3 ? 3 : 0, 10.0, eu, ev, w);
		for (size_t k = 0; k < m; k++)
			w[k] = w[k] / 4.0 + 0.25 * (double)(k % 3); /* two decimals: scale 100 */
		ws = pl_blossom_ws_new(n, m, eu, ev, w);
		ck_assert_ptr_nonnull(ws);
		ck_assert_int_eq(pl_blossom_solve(n, m, eu, ev, w, NULL, &base[0], &err), PL_OK);
		ck_assert(base[0].exact && base[0].weight_scale == 100.0);
		ck_assert_int_eq(pl_blossom_solve(n, m, eu, ev, w, NULL, &base[1], &err), PL_OK);
		base[1].weight_scale = 1000.0;
		for (size_t v = 0; v < n; v++)
			base[1].vertex_dual[v] *= 10;
		for (size_t b = 0; b < base[1].nblossoms; b++)
			base[1].blossom_dual[b] *= 10;
		check_certificate(n, m, eu, ev, w, 0, &base[1]);
		for (int call = 0; call < 4; call++) {
			const pl_blossom_result *from = &base[call % 2];
			pl_blossom_result warm = PL_BLOSSOM_RESULT_INIT, cold = PL_BLOSSOM_RESULT_INIT;
			size_t mr = 0;
			memset(gone, 0, n);
			gone[tu_range(&r, 0, (long)n - 1)] = 1;
			gone[tu_range(&r, 0, (long)n - 1)] = 1;
			ck_assert_int_eq(pl_blossom_resolve_ws(ws, from, gone, &warm, &err), PL_OK);
			ck_assert(warm.weight_scale == from->weight_scale);
			for (size_t k = 0; k < m; k++) {
				map[k] = -1;
				if (!gone[eu[k]] && !gone[ev[k]]) {
					map[k] = (long)mr;
					ru[mr] = eu[k];
					rv[mr] = ev[k];
					rw[mr++] = w[k];
				}
			}
			ck_assert_int_eq(pl_blossom_solve(n, mr, ru, rv, rw, NULL, &cold, &err), PL_OK);
			ck_assert_msg(fabs(warm.total - cold.total) < 1e-9,
				      "graph %d call %d (scale %.0f): warm %.2f, cold %.2f", t, call,
				      from->weight_scale, warm.total, cold.total);
			for (size_t v = 0; v < n; v++)
				if (warm.mate_edge[v] >= 0) { /* the graph without gone, renumbered */
					ck_assert_int_ge(map[warm.mate_edge[v]], 0);
					warm.mate_edge[v] = map[warm.mate_edge[v]];
				}
			check_certificate(n, mr, ru, rv, rw, 0, &warm);
			pl_blossom_result_release(&warm);
			pl_blossom_result_release(&cold);
		}
		pl_blossom_result_release(&base[0]);
		pl_blossom_result_release(&base[1]);
		pl_blossom_ws_free(ws);
		tgraph_free(&g);
	}
}
END_TEST

/*
 * The single-root search (pl_blossom_search_kept): for a base whose matching is perfect, the
 * best perfect matching without (root, t) for every target t at once, against a cold
 * max-cardinality solve of the graph without them (NAN exactly when that is not perfect); every
 * root of dense and sparse graphs with tied weights (deep blossoms) and without, all targets or
 * a few (the search stops once they are reached), on one workspace.
 */
START_TEST(search_kept_matches_cold)
{
	tu_rng r = { 2468 };
	size_t graphs = 0;

	for (int t = 0; t < 50; t++) {
		size_t n = 2 * (size_t)tu_range(&r, 2, t < 40 ? 6 : 17), m;
		tgraph g = tgraph_new(n);
		long *eu = g.eu, *ev = g.ev, *ru = g.ru, *rv = g.rv, *tg = g.tg;
		double *w = g.w, *rw = g.rw, *val = g.val;
		pl_blossom_result base = PL_BLOSSOM_RESULT_INIT;
		pl_blossom_state bst = PL_BLOSSOM_STATE_INIT;
		pl_blossom_options mc = PL_BLOSSOM_OPTIONS_INIT;
		pl_blossom_ws *ws;
		pl_error err = PL_ERROR_INIT;

		m = random_graph(&r, n, t % 3 == 0 ? 0.25 : t % 3 == 1 ? 0.6 : 1.0, t % 4 ? 3 : 0,
				 10.0, eu, ev, w);
		mc.max_cardinality = 1;
		ws = pl_blossom_ws_new(n, m, eu, ev, w);
		ck_assert_ptr_nonnull(ws);
		ck_assert_int_eq(pl_blossom_solve_state(n, m, eu, ev, w, NULL, &base, &bst, &err),
				 PL_OK);
		if (base.pairs != n / 2) {
			ck_assert_int_eq(pl_blossom_search_kept(ws, &base, &bst, 0, tg, 0, val, &err),
					 PL_ERR_USAGE);
			goto next;
		}
		graphs++;
		for (size_t root = 0; root < n; root++) {
			size_t nt = 0;
			for (size_t x = 0; x < n; x++)
				if (t % 2 == 0 || tu_range(&r, 0, 3) == 0)
					tg[nt++] = (long)x; /* root itself too: NAN */
			ck_assert_int_eq(pl_blossom_search_kept(ws, &base, &bst, root, tg, nt, val, &err),
					 PL_OK);
			for (size_t q = 0; q < nt; q++) {
				pl_blossom_result cold = PL_BLOSSOM_RESULT_INIT;
				size_t x = (size_t)tg[q], mr = 0;
				if (x == root) {
					ck_assert(isnan(val[q]));
					continue;
				}
				for (size_t k = 0; k < m; k++)
					if (eu[k] != (long)root && ev[k] != (long)root && eu[k] != (long)x &&
					    ev[k] != (long)x) {
						ru[mr] = eu[k];
						rv[mr] = ev[k];
						rw[mr++] = w[k];
					}
				ck_assert_int_eq(pl_blossom_solve(n, mr, ru, rv, rw, &mc, &cold, &err),
						 PL_OK);
				if (cold.pairs == n / 2 - 1)
					ck_assert_msg(fabs(val[q] - cold.total) < 1e-6,
						      "graph %d (n %zu, m %zu) root %zu target %zu: search "
						      "%.1f, cold %.1f", t, n, m, root, x, val[q], cold.total);
				else
					ck_assert_msg(isnan(val[q]), "graph %d root %zu target %zu: %.1f "
						      "without a perfect matching", t, root, x, val[q]);
				pl_blossom_result_release(&cold);
			}
		}
	next:
		pl_blossom_result_release(&base);
		pl_blossom_state_release(&bst);
		pl_blossom_ws_free(ws);
		tgraph_free(&g);
	}
	ck_assert_uint_ge(graphs, 30);
}
END_TEST

/* Perfect matchability by brute force: pair the lowest vertex left with each neighbour. */
static int bf_perfect(size_t n, const unsigned char *adj, unsigned long left)
{
	size_t i = 0;
	if (!left)
		return 1;
	while (!((left >> i) & 1))
		i++;
	for (size_t j = i + 1; j < n; j++)
		if (((left >> j) & 1) && adj[i * n + j] &&
		    bf_perfect(n, adj, left & ~(1UL << i) & ~(1UL << j)))
			return 1;
	return 0;
}

/* pl_cardmatch_perfect against brute force on random graphs up to 12 vertices (odd cycles
 * everywhere), from random starting matchings and random vertices left out. */
START_TEST(cardmatch_brute_force)
{
	tu_rng r = { 99 };

	for (int t = 0; t < 3000; t++) {
		size_t n = (size_t)tu_range(&r, 1, 12), m = 0;
		long eu[66], ev[66];
		unsigned char adj[144] = { 0 }, gone[12] = { 0 };
		unsigned long left = 0;
		double p = tu_uniform(&r) * 0.6 + 0.1;
		pl_cardmatch cm;
		int got;

		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (tu_uniform(&r) < p) {
					eu[m] = (long)i;
					ev[m++] = (long)j;
					adj[i * n + j] = adj[j * n + i] = 1;
				}
		ck_assert_int_eq(pl_cardmatch_init(&cm, n, m, eu, ev), 0);
		for (size_t v = 0; v < n; v++) {
			gone[v] = tu_uniform(&r) < 0.2;
			cm.mate[v] = -1;
			if (!gone[v])
				left |= 1UL << v;
		}
		for (size_t k = 0; k < m; k++) /* a random matching among the vertices kept */
			if (!gone[eu[k]] && !gone[ev[k]] && cm.mate[eu[k]] < 0 && cm.mate[ev[k]] < 0 &&
			    tu_uniform(&r) < 0.5) {
				cm.mate[eu[k]] = ev[k];
				cm.mate[ev[k]] = eu[k];
			}
		got = pl_cardmatch_perfect(&cm, gone);
		ck_assert_int_eq(got, bf_perfect(n, adj, left));
		if (got)
			for (size_t v = 0; v < n; v++)
				if (!gone[v]) {
					long u = cm.mate[v];
					ck_assert(u >= 0 && !gone[u] && cm.mate[u] == (long)v);
					ck_assert(adj[v * n + (size_t)u]);
				}
		pl_cardmatch_release(&cm);
	}
}
END_TEST

/* pl_cardmatch_reach with a blossom around the root given (held) finds the same vertices as
 * without: random graphs of up to 15 vertices holding an odd cycle through the root (0, 1, ..,
 * 2c, matched (1, 2), (3, 4), ..), the others matched in pairs, random edges besides. */
START_TEST(cardmatch_reach_held)
{
	tu_rng r = { 2026 };
	int inner = 0; /* graphs where some vertex is not reached by an even path */

	for (int t = 0; t < 3000; t++) {
		size_t n = (size_t)(2 * tu_range(&r, 1, 7) + 1), c = (size_t)tu_range(&r, 1, (int)(n / 2));
		size_t m = 0;
		long eu[120], ev[120];
		unsigned char held[15] = { 0 }, gone[15] = { 0 }, outer[15];
		double p = tu_uniform(&r) * 0.3;
		pl_cardmatch cm;
		int all = 1;

		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++) {
				int cyc = j <= 2 * c && (j == i + 1 || (i == 0 && j == 2 * c));
				int pair = i > 2 * c && (i - 2 * c) % 2 == 1 && j == i + 1;
				if (cyc || pair || tu_uniform(&r) < p) {
					eu[m] = (long)i;
					ev[m++] = (long)j;
				}
			}
		ck_assert_int_eq(pl_cardmatch_init(&cm, n, m, eu, ev), 0);
		cm.mate[0] = -1;
		for (size_t v = 1; v < n; v += 2) {
			cm.mate[v] = (long)v + 1;
			cm.mate[v + 1] = (long)v;
		}
		for (size_t v = 0; v <= 2 * c; v++)
			held[v] = 1;
		ck_assert_int_eq(pl_cardmatch_reach(&cm, gone, 0, NULL), 0);
		memcpy(outer, cm.outer, n);
		ck_assert_int_eq(pl_cardmatch_reach(&cm, gone, 0, held), 0);
		for (size_t v = 0; v < n; v++) {
			ck_assert_msg(!outer[v] == !cm.outer[v], "graph %d: vertex %zu: %d without, %d held",
				      t, v, outer[v], cm.outer[v]);
			all &= outer[v] != 0;
		}
		inner += !all;
		pl_cardmatch_release(&cm);
	}
	ck_assert_int_ge(inner, 500);
}
END_TEST

/* pl_zlca_common against walking up the parents, on random forests with random duals. */
START_TEST(zlca_naive)
{
	tu_rng r = { 7 };

	for (int t = 0; t < 300; t++) {
		size_t N = (size_t)tu_range(&r, 1, 60);
		long parent[60];
		int64_t z[60];
		pl_zlca q;

		for (size_t x = 0; x < N; x++)
			parent[x] = -1;
		for (size_t x = 0; x < N; x++) {
			/* parents above or below in index order, as blossom numberings have both */
			long p = tu_range(&r, -1, (long)N - 1);
			z[x] = tu_range(&r, 0, 5);
			if (p >= 0 && (size_t)p != x) {
				long y = p;
				while (y >= 0 && (size_t)y != x)
					y = parent[y];
				if (y < 0)
					parent[x] = p; /* no cycle */
			}
		}
		ck_assert_int_eq(pl_zlca_init(&q, N, parent, z), 0);
		for (size_t u = 0; u < N; u++)
			for (size_t v = 0; v < N; v++) {
				int64_t want = 0;
				if (u == v)
					continue;
				for (long a = (long)u; a >= 0; a = parent[a]) {
					long b = (long)v;
					while (b >= 0 && b != a)
						b = parent[b];
					if (b == a) /* a is an ancestor of both: it and all above it */
						for (long c = a; c >= 0; c = parent[c])
							want += z[c];
					if (b == a)
						break;
				}
				ck_assert_int_eq(pl_zlca_common(&q, u, v), want);
			}
		pl_zlca_release(&q);
	}
}
END_TEST

static Suite *blossom_suite(void)
{
	Suite *s = suite_create("blossom");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, trivial_graphs);
	tcase_add_test(tc, invalid_input);
	tcase_add_test(tc, weight_scaling);
	tcase_add_loop_test(tc, hand_built_blossoms, 0, (int)(sizeof(hand) / sizeof(hand[0])));
	tcase_add_test(tc, odd_cycles);
	tcase_add_test(tc, every_graph_up_to_five);
	tcase_add_test(tc, random_small_graphs);
	tcase_add_test(tc, certificate_dense);
	tcase_add_test(tc, certificate_sparse);
	tcase_add_test(tc, certificate_structured);
	tcase_add_test(tc, resolve_matches_cold);
	tcase_add_test(tc, resolve_kept_matches_cold);
	tcase_add_test(tc, solve_state_same_optimum);
	tcase_add_test(tc, workspace_scale_change);
	tcase_add_test(tc, search_kept_matches_cold);
	tcase_add_test(tc, cardmatch_brute_force);
	tcase_add_test(tc, cardmatch_reach_held);
	tcase_add_test(tc, zlca_naive);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(blossom_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
