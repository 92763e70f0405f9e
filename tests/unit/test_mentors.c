/*
 * test_mentors.c: mentor matching against exhaustive enumeration on small random programs
 * (with pins, forbidden pairs, current pairs + stickiness, min_score and ties): TOTAL and
 * MAXIMIN optimal, STABLE without blocking pairs (counted by an independent loop) and
 * mentee-optimal, alternatives' total change exact (brute force, and re-solving on larger
 * programs for the dual-based fast path), and the library's input errors.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <peerlink/mentors.h>

#include "testutil.h"

#define MAXN 8
#define MAXM 4

typedef struct inst {
	size_t n, m;
	double score[MAXN * MAXM];
	long cap[MAXM], pinned[MAXN], current[MAXN];
	unsigned char forbidden[MAXN * MAXM];
	double floor; /* non-pinned pairs below it are not used (maximin alternatives) */
	pl_mentors_problem pb;
} inst;

static void random_inst(inst *I, tu_rng *rng, size_t n, size_t m, int with_extras)
{
	memset(I, 0, sizeof(*I));
	I->n = n;
	I->m = m;
	I->floor = -INFINITY;
	for (size_t k = 0; k < n * m; k++) {
		/* two decimals: ties are common, which exercises the tie-breaks */
		I->score[k] = tu_uniform(rng) < 0.25 ? NAN : (double)tu_range(rng, 0, 100) / 100.0;
		I->forbidden[k] = with_extras && tu_uniform(rng) < 0.1;
	}
	for (size_t j = 0; j < m; j++)
		I->cap[j] = tu_range(rng, 1, 2);
	for (size_t i = 0; i < n; i++) {
		I->pinned[i] = -1;
		I->current[i] = with_extras && tu_uniform(rng) < 0.3 ? tu_range(rng, 0, (long)m - 1) : -1;
	}
	pl_mentors_problem_init(&I->pb);
	I->pb.nmentees = n;
	I->pb.nmentors = m;
	I->pb.score = I->score;
	I->pb.capacity = I->cap;
	I->pb.pinned = I->pinned;
	I->pb.current = I->current;
	I->pb.forbidden = I->forbidden;
	if (with_extras) {
		long used[MAXM] = { 0 };
		I->pb.stickiness = tu_uniform(rng) < 0.5 ? 0.1 : 0.0;
		I->pb.min_score = tu_uniform(rng) < 0.3 ? 0.3 : 0.0;
		/* pin up to one mentee to a feasible mentor with room */
		if (tu_uniform(rng) < 0.5) {
			size_t i = (size_t)tu_range(rng, 0, (long)n - 1), j = (size_t)tu_range(rng, 0, (long)m - 1);
			if (isfinite(I->score[i * m + j]) && !I->forbidden[i * m + j] && used[j] < I->cap[j]) {
				I->pinned[i] = (long)j;
				used[j]++;
			}
		}
	}
}

/* Written here from the definitions, independent of mentors.c. */
static double wgt(const inst *I, size_t i, size_t j)
{
	return I->score[i * I->m + j] + (I->current[i] == (long)j ? I->pb.stickiness : 0.0);
}

static int ok_pair(const inst *I, size_t i, size_t j)
{
	double s = I->score[i * I->m + j];
	return isfinite(s) && !I->forbidden[i * I->m + j] && s >= I->pb.min_score &&
	       wgt(I, i, j) >= I->floor;
}

typedef struct best {
	int found;
	size_t matched;
	double minw, total;
	long a[MAXN];
} best;

/* key comparison: 1 if (matched, [minw,] total) is better than b's */
static int better(int maximin, size_t matched, double minw, double total, const best *b)
{
	const double eps = 1e-9;
	if (!b->found)
		return 1;
	if (matched != b->matched)
		return matched > b->matched;
	if (maximin && fabs(minw - b->minw) > eps)
		return minw > b->minw;
	return total > b->total + eps;
}

static void enumerate(const inst *I, int maximin, const long *pins, size_t i, long *a, long *load,
		      best *b)
{
	if (i == I->n) {
		size_t matched = 0;
		double total = 0, minw = INFINITY;
		for (size_t k = 0; k < I->n; k++)
			if (a[k] >= 0) {
				matched++;
				total += wgt(I, k, (size_t)a[k]);
				if (pins[k] < 0 && wgt(I, k, (size_t)a[k]) < minw)
					minw = wgt(I, k, (size_t)a[k]);
			}
		if (better(maximin, matched, minw, total, b)) {
			b->found = 1;
			b->matched = matched;
			b->minw = minw;
			b->total = total;
			memcpy(b->a, a, I->n * sizeof(long));
		}
		return;
	}
	if (pins[i] >= 0) {
		a[i] = pins[i];
		enumerate(I, maximin, pins, i + 1, a, load, b);
		return;
	}
	a[i] = -1;
	enumerate(I, maximin, pins, i + 1, a, load, b);
	for (size_t j = 0; j < I->m; j++)
		if (ok_pair(I, i, j) && load[j] < I->cap[j]) {
			load[j]++;
			a[i] = (long)j;
			enumerate(I, maximin, pins, i + 1, a, load, b);
			load[j]--;
		}
}

static best brute(const inst *I, int maximin, const long *pins)
{
	best b;
	long a[MAXN], load[MAXM] = { 0 };
	memset(&b, 0, sizeof(b));
	for (size_t i = 0; i < I->n; i++)
		if (pins[i] >= 0)
			load[pins[i]]++;
	enumerate(I, maximin, pins, 0, a, load, &b);
	return b;
}

static void check_valid(const inst *I, const pl_mentors_result *res)
{
	long load[MAXM] = { 0 };
	for (size_t i = 0; i < I->n; i++) {
		long j = res->mentor_of[i];
		if (I->pinned[i] >= 0)
			ck_assert_int_eq(j, I->pinned[i]);
		else if (j >= 0)
			ck_assert(ok_pair(I, i, (size_t)j));
		if (j >= 0)
			load[j]++;
	}
	for (size_t j = 0; j < I->m; j++) {
		ck_assert_int_le(load[j], I->cap[j]);
		ck_assert_int_eq(load[j], res->load[j]);
	}
}

static void check_optimal(const inst *I, int maximin)
{
	pl_mentors_result res;
	pl_error err = PL_ERROR_INIT;
	best b = brute(I, maximin, I->pinned);
	inst J = *I;

	J.pb.score = J.score;
	J.pb.capacity = J.cap;
	J.pb.pinned = J.pinned;
	J.pb.current = J.current;
	J.pb.forbidden = J.forbidden;
	J.pb.objective = maximin ? PL_MENTORS_MAXIMIN : PL_MENTORS_TOTAL;
	ck_assert_int_eq(pl_mentors_solve(&J.pb, &res, &err), PL_OK);
	check_valid(&J, &res);
	ck_assert_uint_eq(res.matched, b.matched);
	ck_assert_double_eq_tol(res.objective_value, b.total, 1e-9);
	if (maximin && isfinite(b.minw))
		ck_assert_double_eq_tol(res.threshold, b.minw, 1e-9);
	pl_mentors_result_release(&res);
}

START_TEST(test_total_brute_force)
{
	tu_rng rng = { 1000 + (uint64_t)_i };
	for (int rep = 0; rep < 60; rep++) {
		inst I;
		random_inst(&I, &rng, (size_t)tu_range(&rng, 1, 7), (size_t)tu_range(&rng, 1, 3), rep % 2);
		check_optimal(&I, 0);
	}
}
END_TEST

START_TEST(test_maximin_brute_force)
{
	tu_rng rng = { 2000 + (uint64_t)_i };
	for (int rep = 0; rep < 60; rep++) {
		inst I;
		random_inst(&I, &rng, (size_t)tu_range(&rng, 1, 7), (size_t)tu_range(&rng, 1, 3), rep % 2);
		check_optimal(&I, 1);
	}
}
END_TEST

/* Strict preferences as documented: larger w, ties to the smaller index (rank = index here). */
static int m_pref(const inst *I, size_t i, long a, long b)
{
	if (b < 0)
		return 1;
	return wgt(I, i, (size_t)a) > wgt(I, i, (size_t)b) ||
	       (wgt(I, i, (size_t)a) == wgt(I, i, (size_t)b) && a < b);
}

static int k_pref(const inst *I, size_t j, size_t a, size_t b)
{
	return wgt(I, a, j) > wgt(I, b, j) || (wgt(I, a, j) == wgt(I, b, j) && a < b);
}

/* Independent count of blocking pairs (pins leave the market, pinned seats are not contestable). */
static size_t blocking(const inst *I, const long *a)
{
	size_t count = 0;
	for (size_t i = 0; i < I->n; i++) {
		if (I->pinned[i] >= 0)
			continue;
		for (size_t j = 0; j < I->m; j++) {
			long seats = I->cap[j], held = 0;
			int wants_i = 0;
			if ((long)j == a[i] || !ok_pair(I, i, j) || !m_pref(I, i, (long)j, a[i]))
				continue;
			for (size_t r = 0; r < I->n; r++) {
				if (a[r] != (long)j)
					continue;
				if (I->pinned[r] >= 0) {
					seats--;
					continue;
				}
				held++;
				if (k_pref(I, j, i, r))
					wants_i = 1;
			}
			if (seats < 1)
				continue;
			if (held < seats || wants_i)
				count++;
		}
	}
	return count;
}

static void enumerate_stable(const inst *I, size_t i, long *a, long *load, const long *da,
			     int *da_seen)
{
	if (i == I->n) {
		if (blocking(I, a) != 0)
			return;
		if (memcmp(a, da, I->n * sizeof(long)) == 0)
			*da_seen = 1;
		/* mentee-optimal: every mentee likes DA's mentor at least as much */
		for (size_t k = 0; k < I->n; k++)
			if (a[k] != da[k])
				ck_assert_msg(m_pref(I, k, da[k], a[k]), "DA is not mentee-optimal");
		return;
	}
	if (I->pinned[i] >= 0) {
		a[i] = I->pinned[i];
		enumerate_stable(I, i + 1, a, load, da, da_seen);
		return;
	}
	a[i] = -1;
	enumerate_stable(I, i + 1, a, load, da, da_seen);
	for (size_t j = 0; j < I->m; j++)
		if (ok_pair(I, i, j) && load[j] < I->cap[j]) {
			load[j]++;
			a[i] = (long)j;
			enumerate_stable(I, i + 1, a, load, da, da_seen);
			load[j]--;
		}
}

START_TEST(test_stable_no_blocking_pairs)
{
	tu_rng rng = { 3000 + (uint64_t)_i };
	for (int rep = 0; rep < 60; rep++) {
		inst I;
		pl_mentors_result res;
		pl_error err = PL_ERROR_INIT;
		long a[MAXN], load[MAXM] = { 0 };
		int seen = 0;

		random_inst(&I, &rng, (size_t)tu_range(&rng, 1, 7), (size_t)tu_range(&rng, 1, 3), rep % 2);
		I.pb.objective = PL_MENTORS_STABLE;
		ck_assert_int_eq(pl_mentors_solve(&I.pb, &res, &err), PL_OK);
		check_valid(&I, &res);
		ck_assert_uint_eq(blocking(&I, res.mentor_of), 0);
		ck_assert_uint_eq(res.blocking_pairs, 0);
		for (size_t i = 0; i < I.n; i++)
			if (I.pinned[i] >= 0)
				load[I.pinned[i]]++;
		enumerate_stable(&I, 0, a, load, res.mentor_of, &seen);
		ck_assert(seen);
		pl_mentors_result_release(&res);
	}
}
END_TEST

/* The summary's blocking-pair count agrees with the independent loop for any objective. */
START_TEST(test_blocking_count_matches)
{
	tu_rng rng = { 4000 };
	for (int rep = 0; rep < 60; rep++) {
		inst I;
		pl_mentors_result res;
		pl_error err = PL_ERROR_INIT;
		random_inst(&I, &rng, (size_t)tu_range(&rng, 1, 7), (size_t)tu_range(&rng, 1, 3), rep % 2);
		ck_assert_int_eq(pl_mentors_solve(&I.pb, &res, &err), PL_OK);
		ck_assert_uint_eq(res.blocking_pairs, blocking(&I, res.mentor_of));
		pl_mentors_result_release(&res);
	}
}
END_TEST

static void check_alternatives_brute(inst *I, int maximin, size_t top)
{
	pl_mentors_result res;
	pl_error err = PL_ERROR_INIT;
	pl_mentors_alt alts[MAXN * 5];
	size_t count[MAXN];

	I->pb.objective = maximin ? PL_MENTORS_MAXIMIN : PL_MENTORS_TOTAL;
	ck_assert_int_eq(pl_mentors_solve(&I->pb, &res, &err), PL_OK);
	ck_assert_int_eq(pl_mentors_alternatives(&I->pb, &res, top, alts, count, &err), PL_OK);
	/* maximin: the floor (the worst non-pinned matched w) is kept; then it is a total question */
	if (maximin)
		for (size_t i = 0; i < I->n; i++)
			if (I->pinned[i] < 0 && res.mentor_of[i] >= 0)
				I->floor = res.threshold;
	for (size_t i = 0; i < I->n; i++) {
		size_t expect = 0;
		long pins[MAXN];
		if (I->pinned[i] >= 0) {
			ck_assert_uint_eq(count[i], 0);
			continue;
		}
		/* how many candidates there are: eligible, not its own, a seat not pinned away */
		for (size_t j = 0; j < I->m; j++) {
			long pinned_here = 0;
			for (size_t r = 0; r < I->n; r++)
				pinned_here += I->pinned[r] == (long)j;
			expect += ok_pair(I, i, j) && (long)j != res.mentor_of[i] && pinned_here < I->cap[j];
		}
		ck_assert_uint_eq(count[i], expect < top ? expect : top);
		memcpy(pins, I->pinned, sizeof(pins));
		for (size_t k = 0; k < count[i]; k++) {
			const pl_mentors_alt *a = &alts[i * top + k];
			best b;
			if (k > 0)
				ck_assert(alts[i * top + k - 1].score >= a->score);
			ck_assert_double_eq(a->score, I->score[i * I->m + (size_t)a->mentor]);
			pins[i] = a->mentor;
			b = brute(I, 0, pins);
			ck_assert_int_eq(a->matched_change, (long)b.matched - (long)res.matched);
			ck_assert_msg(fabs(a->total_change - (b.total - res.objective_value)) < 1e-9,
				      "mentee %zu alt %zu: %.12f vs %.12f", i, k, a->total_change,
				      b.total - res.objective_value);
		}
	}
	I->floor = -INFINITY;
	pl_mentors_result_release(&res);
}

/* STABLE alternatives (deferred acceptance re-run on shared preference lists) against a full
 * re-solve with the pin; DA itself is checked against enumeration above. */
static void check_alternatives_stable(inst *I, size_t top)
{
	pl_mentors_result res;
	pl_error err = PL_ERROR_INIT;
	pl_mentors_alt alts[MAXN * 5];
	size_t count[MAXN];
	long pins[MAXN];

	I->pb.objective = PL_MENTORS_STABLE;
	ck_assert_int_eq(pl_mentors_solve(&I->pb, &res, &err), PL_OK);
	ck_assert_int_eq(pl_mentors_alternatives(&I->pb, &res, top, alts, count, &err), PL_OK);
	memcpy(pins, I->pinned, sizeof(pins));
	I->pb.pinned = pins;
	for (size_t i = 0; i < I->n; i++)
		for (size_t k = 0; k < count[i]; k++) {
			pl_mentors_result r2;
			pins[i] = alts[i * top + k].mentor;
			ck_assert_int_eq(pl_mentors_solve(&I->pb, &r2, &err), PL_OK);
			pins[i] = I->pinned[i];
			ck_assert_int_eq(alts[i * top + k].matched_change, (long)r2.matched - (long)res.matched);
			ck_assert_double_eq_tol(alts[i * top + k].total_change,
						r2.objective_value - res.objective_value, 1e-12);
			pl_mentors_result_release(&r2);
		}
	I->pb.pinned = I->pinned;
	pl_mentors_result_release(&res);
}

START_TEST(test_alternatives_exact)
{
	tu_rng rng = { 5000 + (uint64_t)_i };
	for (int rep = 0; rep < 80; rep++) {
		inst I;
		random_inst(&I, &rng, (size_t)tu_range(&rng, 1, 7), (size_t)tu_range(&rng, 1, 4), rep % 2);
		check_alternatives_brute(&I, 0, 3);
		check_alternatives_brute(&I, 1, 2);
		check_alternatives_stable(&I, 3);
	}
}
END_TEST

/* Every option of every mentee priced by pl_mentors_alternatives equals a full re-solve with
 * that pin (pb->pinned is `pins`, all -1 on entry and on return). Returns the options checked. */
static size_t expect_alternatives_resolve(pl_mentors_problem *pb, long *pins,
					  const pl_mentors_result *res, size_t top)
{
	size_t n = pb->nmentees, checked = 0, *count = malloc(n * sizeof(size_t));
	pl_mentors_alt *alts = malloc(n * top * sizeof(*alts));
	pl_error err = PL_ERROR_INIT;

	ck_assert_int_eq(pl_mentors_alternatives(pb, res, top, alts, count, &err), PL_OK);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < count[i]; k++) {
			pl_mentors_result r2;
			pins[i] = alts[i * top + k].mentor;
			ck_assert_int_eq(pl_mentors_solve(pb, &r2, &err), PL_OK);
			pins[i] = -1;
			ck_assert_int_eq(alts[i * top + k].matched_change, (long)r2.matched - (long)res->matched);
			ck_assert_double_eq_tol(alts[i * top + k].total_change,
						r2.objective_value - res->objective_value, 1e-9);
			pl_mentors_result_release(&r2);
			checked++;
		}
	free(alts);
	free(count);
	return checked;
}

/* The same on medium programs, where the compressed residual graph (mentors as nodes, several
 * mentees folded into each) is what prices the alternatives: more mentees than seats (the column
 * of the unmatched) and fewer, scores from a handful of values so that ties abound, 30 %
 * forbidden pairs, capacities 1-5, and a wide program (mentors with seats left: duals 0, the
 * arcs of cost 0 that the searches settle without the heap). Every option is checked against a
 * full re-solve with the pin. */
START_TEST(test_alternatives_medium_vs_resolve)
{
	/* the last two are above the assignment solver's dense size, so the solves go through the
	 * pair lists (pl_assign_flow_solve_pairs); the wide one leaves most mentors a free seat */
	static const struct { size_t n, m; long cmax; } shape[] = {
		{ 150, 30, 5 }, { 90, 60, 3 }, { 260, 70, 3 }, { 60, 300, 2 }
	};
	tu_rng rng = { 7100 + (uint64_t)_i };
	size_t n = shape[_i].n, m = shape[_i].m, top = 3, checked = 0;
	double *S = malloc(n * m * sizeof(double));
	long *cap = malloc(m * sizeof(long)), *pins = malloc(n * sizeof(long));
	pl_mentors_problem pb;
	pl_mentors_result res;
	pl_error err = PL_ERROR_INIT;

	for (size_t k = 0; k < n * m; k++)
		S[k] = tu_uniform(&rng) < 0.3 ? NAN : (double)tu_range(&rng, 0, 6) / 6.0;
	for (size_t j = 0; j < m; j++)
		cap[j] = tu_range(&rng, 1, shape[_i].cmax);
	for (size_t i = 0; i < n; i++)
		pins[i] = -1;
	pl_mentors_problem_init(&pb);
	pb.nmentees = n;
	pb.nmentors = m;
	pb.score = S;
	pb.capacity = cap;
	pb.pinned = pins;
	ck_assert_int_eq(pl_mentors_solve(&pb, &res, &err), PL_OK);
	ck_assert_ptr_nonnull(res.dual_mentee);
	checked = expect_alternatives_resolve(&pb, pins, &res, top);
	ck_assert_uint_gt(checked, n);
	pl_mentors_result_release(&res);
	free(S);
	free(cap);
	free(pins);
}
END_TEST

/* Dual-based alternatives equal re-solving with the pin, on programs too big to enumerate. */
START_TEST(test_alternatives_fast_vs_resolve)
{
	tu_rng rng = { 6000 + (uint64_t)_i };
	size_t n = 40, m = 9, top = 3;
	double *S = malloc(n * m * sizeof(double));
	long cap[9], pins[40];
	pl_mentors_problem pb;
	pl_mentors_result res;
	size_t fast_used = 0;
	pl_error err = PL_ERROR_INIT;

	for (int rep = 0; rep < 6; rep++) {
		long seats = 0;
		for (size_t k = 0; k < n * m; k++)
			S[k] = tu_uniform(&rng) < 0.2 ? NAN : (double)tu_range(&rng, 0, 1000) / 1000.0;
		for (size_t j = 0; j < m; j++) {
			cap[j] = tu_range(&rng, 3, 7);
			seats += cap[j];
		}
		for (size_t i = 0; i < n; i++)
			pins[i] = -1;
		pl_mentors_problem_init(&pb);
		pb.nmentees = n;
		pb.nmentors = m;
		pb.score = S;
		pb.capacity = cap;
		pb.pinned = pins;
		ck_assert_int_eq(pl_mentors_solve(&pb, &res, &err), PL_OK);
		fast_used += res.matched == n && res.dual_mentee != NULL;
		expect_alternatives_resolve(&pb, pins, &res, top);
		pl_mentors_result_release(&res);
		(void)seats;
	}
	ck_assert_uint_gt(fast_used, 0);
	free(S);
}
END_TEST

/* The alternatives' searches spread over threads give the one-thread answers, bit for bit, on
 * programs with enough searches to be split (more than 32 mentors to search from per thread):
 * fewer seats than mentees (the column of the unmatched), more, and MAXIMIN. */
START_TEST(test_alternatives_threads_same)
{
	static const struct { size_t n, m; long cmax; pl_mentors_objective obj; } shape[] = {
		{ 600, 150, 4, PL_MENTORS_TOTAL }, { 300, 200, 3, PL_MENTORS_TOTAL },
		{ 300, 200, 3, PL_MENTORS_MAXIMIN }
	};
	static const int threads[] = { 2, 3, 16 };
	tu_rng rng = { 8100 + (uint64_t)_i };
	size_t n = shape[_i].n, m = shape[_i].m, top = 3;
	double *S = malloc(n * m * sizeof(double));
	long *cap = malloc(m * sizeof(long));
	size_t *c1 = malloc(n * sizeof(size_t)), *ct = malloc(n * sizeof(size_t));
	pl_mentors_alt *a1 = malloc(n * top * sizeof(*a1)), *at = malloc(n * top * sizeof(*at));
	pl_mentors_problem pb;
	pl_mentors_result res;
	pl_error err = PL_ERROR_INIT;
	size_t options = 0;

	for (size_t k = 0; k < n * m; k++)
		S[k] = tu_uniform(&rng) < 0.4 ? NAN : (double)tu_range(&rng, 0, 8) / 8.0;
	for (size_t j = 0; j < m; j++)
		cap[j] = tu_range(&rng, 1, shape[_i].cmax);
	pl_mentors_problem_init(&pb);
	pb.nmentees = n;
	pb.nmentors = m;
	pb.score = S;
	pb.capacity = cap;
	pb.objective = shape[_i].obj;
	ck_assert_int_eq(pl_mentors_solve(&pb, &res, &err), PL_OK);
	ck_assert_int_eq(pl_mentors_alternatives(&pb, &res, top, a1, c1, &err), PL_OK);
	for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
		ck_assert_int_eq(pl_mentors_alternatives_threads(&pb, &res, top, at, ct, threads[t], &err),
				 PL_OK);
		for (size_t i = 0; i < n; i++) {
			ck_assert_uint_eq(ct[i], c1[i]);
			for (size_t k = 0; k < c1[i]; k++) {
				const pl_mentors_alt *x = &a1[i * top + k], *y = &at[i * top + k];
				ck_assert_int_eq(y->mentor, x->mentor);
				ck_assert(y->score == x->score);
				ck_assert(y->total_change == x->total_change);
				ck_assert_int_eq(y->matched_change, x->matched_change);
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		options += c1[i];
	ck_assert_uint_gt(options, n); /* most mentees have options: many searches ran */
	pl_mentors_result_release(&res);
	free(S);
	free(cap);
	free(c1);
	free(ct);
	free(a1);
	free(at);
}
END_TEST

START_TEST(test_pins_forbidden_stickiness)
{
	/* 2 mentees, 2 mentors of capacity 1.
	 *   scores  m0   m1
	 *   e0     0.9  0.8
	 *   e1     0.5  0.6    total optimum: e0-m0, e1-m1 (1.5) */
	double S[4] = { 0.9, 0.8, 0.5, 0.6 };
	long cap[2] = { 1, 1 }, pins[2] = { -1, -1 }, cur[2] = { -1, -1 };
	unsigned char forb[4] = { 0 };
	pl_mentors_problem pb;
	pl_mentors_result res;
	pl_error err = PL_ERROR_INIT;

	pl_mentors_problem_init(&pb);
	pb.nmentees = 2;
	pb.nmentors = 2;
	pb.score = S;
	pb.capacity = cap;
	pb.pinned = pins;
	pb.current = cur;
	pb.forbidden = forb;
	ck_assert_int_eq(pl_mentors_solve(&pb, &res, &err), PL_OK);
	ck_assert_int_eq(res.mentor_of[0], 0);
	ck_assert_int_eq(res.mentor_of[1], 1);
	pl_mentors_result_release(&res);
	/* pin e1 to m0: e0 must take m1 */
	pins[1] = 0;
	ck_assert_int_eq(pl_mentors_solve(&pb, &res, &err), PL_OK);
	ck_assert_int_eq(res.mentor_of[0], 1);
	ck_assert_double_eq_tol(res.total, 1.3, 1e-12);
	pl_mentors_result_release(&res);
	pins[1] = -1;
	/* forbid e0-m0 */
	forb[0] = 1;
	ck_assert_int_eq(pl_mentors_solve(&pb, &res, &err), PL_OK);
	ck_assert_int_eq(res.mentor_of[0], 1);
	ck_assert_int_eq(res.mentor_of[1], 0);
	pl_mentors_result_release(&res);
	forb[0] = 0;
	/* current e0-m1, e1-m0: 1.3 + 2 * stickiness against 1.5. Kept at 0.15, not at 0.05. */
	cur[0] = 1;
	cur[1] = 0;
	pb.stickiness = 0.15;
	ck_assert_int_eq(pl_mentors_solve(&pb, &res, &err), PL_OK);
	ck_assert_int_eq(res.mentor_of[0], 1);
	ck_assert_double_eq_tol(res.total, 1.3, 1e-12);
	ck_assert_double_eq_tol(res.objective_value, 1.6, 1e-12);
	pl_mentors_result_release(&res);
	pb.stickiness = 0.05;
	ck_assert_int_eq(pl_mentors_solve(&pb, &res, &err), PL_OK);
	ck_assert_int_eq(res.mentor_of[0], 0);
	pl_mentors_result_release(&res);
	/* min_score 0.85: only e0-m0 qualifies; e1 unmatched below min_score */
	cur[0] = cur[1] = -1;
	pb.min_score = 0.85;
	ck_assert_int_eq(pl_mentors_solve(&pb, &res, &err), PL_OK);
	ck_assert_int_eq(res.mentor_of[0], 0);
	ck_assert_int_eq(res.mentor_of[1], -1);
	ck_assert_int_eq(res.reason[1], PL_UNMATCHED_BELOW_MIN_SCORE);
	pl_mentors_result_release(&res);
	/* errors: pin to a forbidden pair, pins beyond capacity, pin to an infeasible pair */
	pb.min_score = 0;
	forb[0] = 1;
	pins[0] = 0;
	ck_assert_int_eq(pl_mentors_solve(&pb, &res, &err), PL_ERR_INVALID);
	forb[0] = 0;
	pins[1] = 0;
	ck_assert_int_eq(pl_mentors_solve(&pb, &res, &err), PL_ERR_INVALID);
	pins[1] = -1;
	S[0] = NAN;
	ck_assert_int_eq(pl_mentors_solve(&pb, &res, &err), PL_ERR_INVALID);
}
END_TEST

START_TEST(test_unmatched_reasons)
{
	/* e0 feasible with nobody; e1 and e2 both only fit m0 (capacity 1) */
	double S[3] = { NAN, 0.7, 0.6 };
	long cap[1] = { 1 };
	pl_mentors_problem pb;
	pl_mentors_result res;
	pl_error err = PL_ERROR_INIT;

	pl_mentors_problem_init(&pb);
	pb.nmentees = 3;
	pb.nmentors = 1;
	pb.score = S;
	pb.capacity = cap;
	for (int o = 0; o < 3; o++) {
		pb.objective = (pl_mentors_objective)o;
		ck_assert_int_eq(pl_mentors_solve(&pb, &res, &err), PL_OK);
		ck_assert_int_eq(res.reason[0], PL_UNMATCHED_NO_FEASIBLE);
		ck_assert_int_eq(res.mentor_of[1], 0);
		ck_assert_int_eq(res.reason[2], PL_UNMATCHED_CAPACITY);
		pl_mentors_result_release(&res);
	}
}
END_TEST

/* The README's example program: every mentee accounted for once, loads within capacity,
 * contributions adding up to each score, the summary consistent with the matches, and the
 * same answer on a second run (byte for byte). */
START_TEST(test_example_program)
{
	const char *args[] = { "match", "mentors", "--input", PL_TEST_SRC "/datasets/examples/program.json",
			       "--no-timing", NULL };
	tu_run run, again;
	json_t *doc, *mentees_in, *mentors_in, *in;
	json_error_t jerr;
	double total = 0;
	size_t seen = 0;

	ck_assert_int_eq(tu_run_cli(args, NULL, &run), 0);
	ck_assert_int_eq(run.exit_code, 0);
	ck_assert_int_eq(tu_run_cli(args, NULL, &again), 0);
	ck_assert_str_eq(run.out, again.out);
	doc = json_loads(run.out, 0, &jerr);
	in = json_load_file(PL_TEST_SRC "/datasets/examples/program.json", 0, &jerr);
	ck_assert_ptr_nonnull(doc);
	ck_assert_ptr_nonnull(in);
	mentees_in = json_object_get(in, "mentees");
	mentors_in = json_object_get(in, "mentors");
	for (size_t k = 0; k < json_array_size(mentees_in); k++) {
		const char *id = json_string_value(json_object_get(json_array_get(mentees_in, k), "id"));
		int count = 0;
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(doc, "matches"), i, e)
			count += strcmp(json_string_value(json_object_get(e, "mentee")), id) == 0;
		json_array_foreach(json_object_get(doc, "unmatched"), i, e)
			count += strcmp(json_string_value(json_object_get(e, "mentee")), id) == 0;
		ck_assert_int_eq(count, 1);
	}
	{
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(doc, "matches"), i, e) {
			const char *key;
			json_t *v;
			double sum = 0;
			json_object_foreach(json_object_get(json_object_get(e, "reasons"), "contributions"), key, v)
				sum += json_real_value(v);
			/* each contribution is rounded to 1e-4 */
			ck_assert_double_eq_tol(sum, json_real_value(json_object_get(e, "score")), 6e-4);
			total += json_real_value(json_object_get(e, "score"));
			seen++;
		}
		json_array_foreach(json_object_get(json_object_get(doc, "summary"), "mentor_load"), i, e) {
			json_t *m = json_array_get(mentors_in, i);
			ck_assert_str_eq(json_string_value(json_object_get(e, "mentor")),
					 json_string_value(json_object_get(m, "id")));
			ck_assert_int_le(json_integer_value(json_object_get(e, "load")),
					 json_integer_value(json_object_get(m, "capacity")));
		}
	}
	ck_assert_uint_gt(seen, 30);
	ck_assert_double_eq_tol(total, json_real_value(json_object_get(json_object_get(doc, "summary"), "total")),
				seen * 1e-4);
	json_decref(doc);
	json_decref(in);
	tu_run_release(&run);
	tu_run_release(&again);
}
END_TEST

/* Every input error of `match mentors` names its field (values never appear in messages). */
START_TEST(test_cli_errors)
{
#define BASE "\"mentees\":[{\"id\":\"e1\",\"languages\":[\"en\"]},{\"id\":\"e2\",\"languages\":[\"es\"]}]," \
	     "\"mentors\":[{\"id\":\"k1\",\"languages\":[\"en\"]},{\"id\":\"k2\",\"capacity\":2}]"
	static const struct { const char *input, *pointer; } cases[] = {
		{ "{" BASE ",\"forbidden\":[[\"e1\",\"k9\"]]}", "/forbidden/0/1" },
		{ "{" BASE ",\"forbidden\":[[\"k1\",\"k2\"]]}", "/forbidden/0/0" },
		{ "{" BASE ",\"current\":[[\"zz\",\"k1\"]]}", "/current/0/0" },
		{ "{" BASE ",\"pinned\":[[\"e1\"]]}", "/pinned/0" },
		{ "{" BASE ",\"pinned\":[[\"e1\",\"k1\"],[\"e1\",\"k2\"]]}", "/pinned/1" },
		{ "{" BASE ",\"pinned\":[[\"e1\",\"k1\"]],\"forbidden\":[[\"e1\",\"k1\"]]}", "/pinned/0" },
		{ "{" BASE ",\"top\":-1}", "/top" },
		{ "{" BASE ",\"top\":1.5}", "/top" },
		{ "{" BASE ",\"min_score\":2}", "/min_score" },
		{ "{" BASE ",\"stickiness\":\"high\"}", "/stickiness" },
		{ "{" BASE ",\"objective\":\"best\"}", "/objective" },
		{ "{" BASE ",\"extra\":1}", "/extra" },
		{ "{\"mentees\":[{\"id\":\"e1\"}]}", "/mentors" },
		{ "{\"mentees\":[{\"id\":\"x\"}],\"mentors\":[{\"id\":\"x\"}]}", "/mentors/0/id" },
		{ "{\"mentees\":[{\"id\":\"e1\",\"partner_id\":\"q\"}],\"mentors\":[]}", "/mentees/0/partner_id" },
		{ "{\"mentees\":[{\"id\":\"e1\",\"gender_preference\":\"\"}],\"mentors\":[]}", "/mentees/0/gender_preference" },
		{ "{\"mentees\":[{\"id\":\"e1\",\"recovery_pathway\":7}],\"mentors\":[]}", "/mentees/0/recovery_pathway" },
		{ "{\"mentees\":[{\"id\":\"e1\",\"personality\":{\"o\":0.5}},{\"id\":\"e2\",\"personality\":{\"c\":0.5}}],\"mentors\":[]}", "/mentees/1/personality" },
		{ "{\"mentees\":[{\"id\":\"e1\"}],\"mentors\":[{\"id\":\"k1\",\"capacity\":\"two\"}]}", "/mentors/0/capacity" },
	};
	const char *args[] = { "match", "mentors", NULL };
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		tu_run run;
		char want[128];
		ck_assert_int_eq(tu_run_cli(args, cases[k].input, &run), 0);
		ck_assert_msg(run.exit_code == 3, "case %zu: exit %d %s", k, run.exit_code, run.err);
		snprintf(want, sizeof(want), "\"pointer\":\"%s\"", cases[k].pointer);
		ck_assert_msg(strstr(run.err, want) != NULL, "case %zu: %s", k, run.err);
		ck_assert_msg(strstr(run.err, "high") == NULL && strstr(run.err, "best") == NULL &&
			      strstr(run.err, "two") == NULL, "case %zu echoes a value: %s", k, run.err);
		tu_run_release(&run);
	}
#undef BASE
}
END_TEST

static Suite *mentors_suite(void)
{
	Suite *s = suite_create("mentors");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_total_brute_force, 0, 3);
	tcase_add_loop_test(tc, test_maximin_brute_force, 0, 3);
	tcase_add_loop_test(tc, test_stable_no_blocking_pairs, 0, 3);
	tcase_add_test(tc, test_blocking_count_matches);
	tcase_add_loop_test(tc, test_alternatives_exact, 0, 2);
	tcase_add_loop_test(tc, test_alternatives_fast_vs_resolve, 0, 2);
	tcase_add_loop_test(tc, test_alternatives_threads_same, 0, 3);
	tcase_add_loop_test(tc, test_alternatives_medium_vs_resolve, 0, 4);
	tcase_add_test(tc, test_pins_forbidden_stickiness);
	tcase_add_test(tc, test_unmatched_reasons);
	tcase_add_test(tc, test_example_program);
	tcase_add_test(tc, test_cli_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mentors_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
