/*
 * test_buddies.c: accountability-partner pairing (engine/match/buddies.c, `peerlink match buddies`).
 *
 * The pairing, the triad and the alternatives' total_change are checked against brute force
 * over every partition of small sets into pairs, singles and at most one triad; the partner rule,
 * pins, forbidden pairs and errors through the CLI.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/buddies.h>

#include "testutil.h"

/* ---- brute force ---- */

typedef struct bf {
	size_t n;
	const double *S;
	double min_score, stick;
	const unsigned char *cur; /* n x n */
	const unsigned char *free_; /* n: 1 if not pinned */
	int allow_triple;
	/* best per (has_triple) */
	size_t best_matched[2];
	double best_w[2];
	int have[2];
	long part[16];
	int used_triple;
	size_t matched;
	double w;
} bf;

static int bf_ok(const bf *B, size_t i, size_t j)
{
	double s = B->S[i * B->n + j];
	return !isnan(s) && s >= B->min_score;
}

static double bf_w(const bf *B, size_t i, size_t j)
{
	return B->S[i * B->n + j] + (B->cur[i * B->n + j] ? B->stick : 0.0);
}

static void bf_rec(bf *B, unsigned long done)
{
	size_t i = 0;
	while (i < B->n && ((done >> i) & 1))
		i++;
	if (i == B->n) {
		int t = B->used_triple;
		if (!B->have[t] || B->matched > B->best_matched[t] ||
		    (B->matched == B->best_matched[t] && B->w > B->best_w[t] + 1e-12)) {
			B->have[t] = 1;
			B->best_matched[t] = B->matched;
			B->best_w[t] = B->w;
		}
		return;
	}
	/* i alone */
	bf_rec(B, done | (1UL << i));
	for (size_t j = i + 1; j < B->n; j++) {
		if ((done >> j) & 1 || !bf_ok(B, i, j))
			continue;
		B->matched += 2;
		B->w += bf_w(B, i, j);
		bf_rec(B, done | (1UL << i) | (1UL << j));
		if (B->allow_triple && !B->used_triple)
			for (size_t k = j + 1; k < B->n; k++) {
				double add;
				if ((done >> k) & 1 || !bf_ok(B, i, k) || !bf_ok(B, j, k))
					continue;
				add = bf_w(B, i, k) + bf_w(B, j, k);
				B->used_triple = 1;
				B->matched += 1;
				B->w += add;
				bf_rec(B, done | (1UL << i) | (1UL << j) | (1UL << k));
				B->w -= add;
				B->matched -= 1;
				B->used_triple = 0;
			}
		B->w -= bf_w(B, i, j);
		B->matched -= 2;
	}
}

/* The optimum of the library's contract over the free clients (pins contribute separately):
 * matched clients first, then weight; with triads, a triad when the free count is odd and the
 * best matching leaves exactly one client, and the rest can all be paired. */
static void brute(const pl_buddies_problem *p, size_t *matched, double *w)
{
	bf B;
	size_t nfree = 0;
	unsigned long done = 0;
	unsigned char cur[256] = { 0 };
	double pin_w = 0.0;
	size_t pin_m = 0;

	memset(&B, 0, sizeof(B));
	B.n = p->n;
	B.S = p->score;
	B.min_score = p->min_score;
	B.stick = p->stickiness;
	for (size_t k = 0; k < p->ncurrent; k++) {
		size_t a = p->current[2 * k], b = p->current[2 * k + 1];
		cur[a * p->n + b] = cur[b * p->n + a] = 1;
	}
	B.cur = cur;
	for (size_t k = 0; k < p->npinned; k++) {
		size_t a = p->pinned[2 * k], b = p->pinned[2 * k + 1];
		done |= (1UL << a) | (1UL << b);
		pin_w += bf_w(&B, a, b);
		pin_m += 2;
	}
	nfree = p->n - pin_m;
	B.allow_triple = p->triad;
	bf_rec(&B, done);
	/* matching-only optimum */
	*matched = B.best_matched[0];
	*w = B.best_w[0];
	if (p->triad && nfree % 2 == 1 && B.best_matched[0] + 1 == nfree && B.have[1] &&
	    B.best_matched[1] == nfree) {
		*matched = B.best_matched[1];
		*w = B.best_w[1];
	}
	*matched += pin_m;
	*w += pin_w;
}

static void random_scores(tu_rng *r, size_t n, double *S, double nan_p)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i; j < n; j++) {
			double v = (double)tu_range(r, 0, 1000) / 1000.0;
			if (i == j || tu_uniform(r) < nan_p)
				v = NAN;
			S[i * n + j] = S[j * n + i] = v;
		}
}

static void check_solution(const pl_buddies_problem *p, const pl_buddies_result *res)
{
	size_t n = p->n, matched = 0;
	double obj = 0.0;
	unsigned char cur[256] = { 0 };

	for (size_t k = 0; k < p->ncurrent; k++) {
		size_t a = p->current[2 * k], b = p->current[2 * k + 1];
		cur[a * n + b] = cur[b * n + a] = 1;
	}
	for (size_t i = 0; i < n; i++) {
		long j = res->partner[i];
		if (j >= 0) {
			ck_assert_int_eq(res->partner[j], (long)i);
			ck_assert(!isnan(p->score[i * n + (size_t)j]));
			matched++;
			if ((long)i < j)
				obj += p->score[i * n + (size_t)j] + (cur[i * n + (size_t)j] ? p->stickiness : 0);
		}
	}
	if (res->triad[2] >= 0) {
		size_t c = (size_t)res->triad[2];
		ck_assert_int_eq(res->partner[c], -1);
		ck_assert_int_eq(res->partner[res->triad[0]], res->triad[1]);
		for (int k = 0; k < 2; k++) {
			size_t a = (size_t)res->triad[k];
			ck_assert(!isnan(p->score[c * n + a]));
			obj += p->score[c * n + a] + (cur[c * n + a] ? p->stickiness : 0);
		}
		matched++;
	}
	for (size_t k = 0; k < p->npinned; k++)
		ck_assert_int_eq(res->partner[p->pinned[2 * k]], (long)p->pinned[2 * k + 1]);
	ck_assert_uint_eq(matched, res->matched);
	ck_assert_double_eq_tol(obj, res->objective, 1e-9);
}

/* Exact triad and pairing against brute force; the exchange heuristic's hit rate is reported. */
START_TEST(test_brute_force)
{
	tu_rng r = { 777 };
	int heur_total = 0, heur_opt = 0, heur_alt_opt = 0;

	for (int t = 0; t < 300; t++) {
		size_t n = (size_t)tu_range(&r, 0, 9);
		double S[81];
		size_t pins[4] = { 0 }, cur[4];
		pl_buddies_problem p = PL_BUDDIES_PROBLEM_INIT;
		pl_buddies_result res = PL_BUDDIES_RESULT_INIT;
		pl_error err = PL_ERROR_INIT;
		size_t bm;
		double bw;

		random_scores(&r, n, S, t % 3 == 0 ? 0.3 : 0.05);
		p.n = n;
		p.score = S;
		p.triad = t % 4 != 0;
		p.min_score = t % 5 == 0 ? 0.3 : 0.0;
		p.stickiness = 0.1;
		if (n >= 4 && t % 2 == 0) {
			cur[0] = 0;
			cur[1] = 1;
			cur[2] = 2;
			cur[3] = 3;
			p.ncurrent = 2;
			p.current = cur;
		}
		if (n >= 6 && t % 7 == 0 && !isnan(S[4 * n + 5])) {
			pins[0] = 4;
			pins[1] = 5;
			p.npinned = 1;
			p.pinned = pins;
		}
		p.top = 2;
		ck_assert_int_eq(pl_buddies_solve(&p, &res, &err), PL_OK);
		check_solution(&p, &res);
		brute(&p, &bm, &bw);
		ck_assert_uint_eq(res.matched, bm);
		ck_assert_msg(fabs(res.objective - bw) < 1e-9, "instance %d: %g vs brute force %g", t,
			      res.objective, bw);
		/* alternatives: total_change exact against brute force with the pair pinned too */
		/* every alternative, pins or not: the optimum with the pair pinned as well */
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < res.nalt[i]; k++) {
				const pl_buddies_alt *a = &res.alt[i * res.top + k];
				pl_buddies_problem q = p;
				size_t pp[6] = { 0 }, am;
				double aw;
				memcpy(pp, pins, sizeof(pins));
				pp[2 * p.npinned] = i;
				pp[2 * p.npinned + 1] = a->partner;
				q.npinned = p.npinned + 1;
				q.pinned = pp;
				brute(&q, &am, &aw);
				ck_assert_double_eq_tol(a->total_change, aw - bw, 1e-9);
				ck_assert_int_eq(a->matched_change, (long)am - (long)bm);
			}
		pl_buddies_result_release(&res);
		/* the exchange heuristic on the same instance */
		if (p.triad && n % 2 == 1) {
			p.triad_heuristic = 1;
			p.top = 0;
			ck_assert_int_eq(pl_buddies_solve(&p, &res, &err), PL_OK);
			check_solution(&p, &res);
			ck_assert_uint_eq(res.matched, bm); /* may be lower only in weight */
			ck_assert(res.objective <= bw + 1e-9);
			heur_total++;
			heur_opt += fabs(res.objective - bw) < 1e-9;
			pl_buddies_result_release(&res);
			/* with alternatives on, a re-solve that beats the answer replaces it */
			p.top = 3;
			ck_assert_int_eq(pl_buddies_solve(&p, &res, &err), PL_OK);
			check_solution(&p, &res);
			ck_assert_uint_eq(res.matched, bm);
			ck_assert(res.objective <= bw + 1e-9);
			heur_alt_opt += fabs(res.objective - bw) < 1e-9;
			for (size_t i = 0; i < n; i++)
				for (size_t k = 0; k < res.nalt[i]; k++)
					ck_assert(res.alt[i * res.top + k].total_change <= 1e-9 ||
						  res.improved_by_alternatives == 5);
			pl_buddies_result_release(&res);
		}
	}
	fprintf(stderr, "buddies: the exchange triad heuristic was optimal on %d of %d odd instances "
		"(%d with alternatives' re-solves)\n", heur_opt, heur_total, heur_alt_opt);
	ck_assert_int_ge(heur_alt_opt, heur_opt);
}
END_TEST


/*
 * Every cohort size up to 11 (triads included): the branch-and-bound triad and every alternative
 * against brute force, on scores with many ties (a few values), forbidden pairs, one or two pins
 * and current pairs (1,100 cohorts, 100 of each size).
 */
START_TEST(test_brute_force_up_to_11)
{
	tu_rng r = { 1311 };
	int searched = 0;

	for (int t = 0; t < 1100; t++) {
		size_t n = (size_t)(1 + t % 11);
		double S[121];
		size_t pins[4] = { 0 }, cur[4];
		pl_buddies_problem p = PL_BUDDIES_PROBLEM_INIT;
		pl_buddies_result res = PL_BUDDIES_RESULT_INIT;
		pl_error err = PL_ERROR_INIT;
		size_t bm;
		double bw;

		for (size_t i = 0; i < n; i++)
			for (size_t j = i; j < n; j++) {
				/* ties: a handful of values (rounded sums of a few shared tags) */
				double v = (double)tu_range(&r, 0, 4) / 4.0;
				if (i == j || tu_uniform(&r) < (t % 3 == 0 ? 0.35 : 0.1))
					v = NAN;
				S[i * n + j] = S[j * n + i] = v;
			}
		p.n = n;
		p.score = S;
		p.triad = t % 5 != 0;
		p.stickiness = t % 2 ? 0.25 : 0.0;
		if (n >= 5 && t % 3 != 2) {
			cur[0] = 1;
			cur[1] = 2;
			cur[2] = 3;
			cur[3] = 4;
			p.ncurrent = 2;
			p.current = cur;
		}
		if (n >= 7 && t % 4 == 1 && !isnan(S[5 * n + 6])) {
			pins[0] = 5;
			pins[1] = 6;
			p.npinned = 1;
			p.pinned = pins;
			if (n >= 10 && t % 8 == 1 && !isnan(S[7 * n + 9])) {
				pins[2] = 9;
				pins[3] = 7;
				p.npinned = 2;
			}
		}
		p.top = 3;
		ck_assert_int_eq(pl_buddies_solve(&p, &res, &err), PL_OK);
		check_solution(&p, &res);
		brute(&p, &bm, &bw);
		ck_assert_uint_eq(res.matched, bm);
		ck_assert_msg(fabs(res.objective - bw) < 1e-9, "cohort %d (n %zu): %g vs brute force %g",
			      t, n, res.objective, bw);
		if (res.triad[0] >= 0)
			ck_assert(res.triad_exact);
		/* every alternative, pins or not: the optimum with the pair pinned as well */
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < res.nalt[i]; k++) {
				const pl_buddies_alt *a = &res.alt[i * res.top + k];
				pl_buddies_problem q = p;
				size_t pp[6] = { 0 }, am;
				double aw;
				memcpy(pp, pins, sizeof(pins));
				pp[2 * p.npinned] = i;
				pp[2 * p.npinned + 1] = a->partner;
				q.npinned = p.npinned + 1;
				q.pinned = pp;
				brute(&q, &am, &aw);
				ck_assert_double_eq_tol(a->total_change, aw - bw, 1e-9);
				ck_assert_int_eq(a->matched_change, (long)am - (long)bm);
			}
		searched += res.alternative_searches > 0; /* priced by one search per client */
		pl_buddies_result_release(&res);
	}
	ck_assert_int_ge(searched, 100);
}
END_TEST

/* Hand example: 5 clients. Pair scores: 01 = 0.9, 23 = 0.8, 4 with 0/1 = 0.6/0.5, 4 with 2/3 =
 * 0.1/0.1, others 0.2. Best: (0,1) + (2,3) = 1.7, and 4 joins (0,1): + 0.6 + 0.5 = 2.8. */
START_TEST(test_triad_hand)
{
	double S[25];
	pl_buddies_problem p = PL_BUDDIES_PROBLEM_INIT;
	pl_buddies_result res = PL_BUDDIES_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;

	for (int i = 0; i < 25; i++)
		S[i] = 0.2;
	for (int i = 0; i < 5; i++)
		S[i * 5 + i] = NAN;
	S[1] = S[5] = 0.9;
	S[2 * 5 + 3] = S[3 * 5 + 2] = 0.8;
	S[4 * 5 + 0] = S[0 * 5 + 4] = 0.6;
	S[4 * 5 + 1] = S[1 * 5 + 4] = 0.5;
	S[4 * 5 + 2] = S[2 * 5 + 4] = 0.1;
	S[4 * 5 + 3] = S[3 * 5 + 4] = 0.1;
	p.n = 5;
	p.score = S;
	ck_assert_int_eq(pl_buddies_solve(&p, &res, &err), PL_OK);
	ck_assert_int_eq(res.triad[0], 0);
	ck_assert_int_eq(res.triad[1], 1);
	ck_assert_int_eq(res.triad[2], 4);
	ck_assert_int_eq(res.triad_exact, 1);
	ck_assert_int_eq(res.partner[2], 3);
	ck_assert_double_eq_tol(res.total, 2.8, 1e-12);
	ck_assert_uint_eq(res.matched, 5);
	ck_assert_uint_eq(res.pairs, 2);
	pl_buddies_result_release(&res);

	/* odd = unmatched: 4 is left out (it adds least), reason odd_count */
	p.triad = 0;
	ck_assert_int_eq(pl_buddies_solve(&p, &res, &err), PL_OK);
	ck_assert_int_eq(res.partner[4], -1);
	ck_assert_int_eq(res.reason[4], PL_BUDDIES_ODD);
	ck_assert_double_eq_tol(res.total, 1.7, 1e-12);
	pl_buddies_result_release(&res);

	/* 4 may not be with 0 or 1 (NaN) nor, via min_score, with 2 or 3: no triad */
	p.triad = 1;
	S[4 * 5 + 0] = S[0 * 5 + 4] = NAN;
	S[4 * 5 + 1] = S[1 * 5 + 4] = NAN;
	p.min_score = 0.15;
	ck_assert_int_eq(pl_buddies_solve(&p, &res, &err), PL_OK);
	ck_assert_int_eq(res.triad[2], -1);
	ck_assert_uint_eq(res.matched, 4);
	ck_assert_int_eq(res.reason[4], PL_BUDDIES_BELOW_MIN);
	pl_buddies_result_release(&res);
}
END_TEST

START_TEST(test_pins_and_errors)
{
	double S[16] = { NAN, 0.9, 0.1, 0.1, 0.9, NAN, 0.1, 0.1, 0.1, 0.1, NAN, 0.9, 0.1, 0.1, 0.9, NAN };
	size_t pins[4] = { 0, 2, 1, 3 };
	pl_buddies_problem p = PL_BUDDIES_PROBLEM_INIT;
	pl_buddies_result res = PL_BUDDIES_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;

	p.n = 4;
	p.score = S;
	p.npinned = 1;
	p.pinned = pins; /* (0, 2) pinned although (0, 1) + (2, 3) is better */
	ck_assert_int_eq(pl_buddies_solve(&p, &res, &err), PL_OK);
	ck_assert_int_eq(res.partner[0], 2);
	ck_assert_int_eq(res.partner[1], 3);
	ck_assert_double_eq_tol(res.total, 0.2, 1e-12);
	ck_assert_int_eq(res.pinned[0], 1);
	ck_assert_int_eq(res.pinned[1], 0);
	pl_buddies_result_release(&res);

	pins[2] = 0; /* 0 pinned twice */
	p.npinned = 2;
	ck_assert_int_eq(pl_buddies_solve(&p, &res, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/pinned/1");
	S[2] = S[8] = NAN; /* the pinned pair is forbidden */
	p.npinned = 1;
	ck_assert_int_eq(pl_buddies_solve(&p, &res, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/pinned/0");
	S[2] = 0.1; /* asymmetric */
	ck_assert_int_eq(pl_buddies_solve(&p, &res, &err), PL_ERR_INVALID);
	S[2] = S[8] = 0.1;
	p.npinned = 0;
	p.n = 0;
	ck_assert_int_eq(pl_buddies_solve(&p, &res, &err), PL_OK);
	ck_assert_uint_eq(res.matched, 0);
	pl_buddies_result_release(&res);
}
END_TEST

/* Through the CLI: the partner rule (couples in treatment together are never paired by default,
 * although they are each other's best match), and switching it off. */
START_TEST(test_partner_rule_cli)
{
	static const char *input =
		"{\"clients\": ["
		"{\"id\": \"a\", \"experiences\": [\"trauma\", \"grief\"], \"partner_id\": \"b\"},"
		"{\"id\": \"b\", \"experiences\": [\"trauma\", \"grief\"], \"partner_id\": \"a\"},"
		"{\"id\": \"c\", \"experiences\": [\"veteran\"]},"
		"{\"id\": \"d\", \"experiences\": [\"veteran\"]}], \"top\": 0%s}";
	char buf[1024];
	const char *args[] = { "match", "buddies", "--no-timing", NULL };
	tu_run run;

	snprintf(buf, sizeof(buf), input, "");
	ck_assert_int_eq(tu_run_cli(args, buf, &run), 0);
	ck_assert_int_eq(run.exit_code, 0);
	ck_assert_ptr_null(strstr(run.out, "[\"a\",\"b\"]"));
	ck_assert_ptr_nonnull(strstr(run.out, "\"matched\":4"));
	tu_run_release(&run);

	snprintf(buf, sizeof(buf), input, ", \"constraints\": {\"partner\": false}");
	ck_assert_int_eq(tu_run_cli(args, buf, &run), 0);
	ck_assert_int_eq(run.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(run.out, "[\"a\",\"b\"]"));
	tu_run_release(&run);

	/* the group-formation profile fields are accepted (and ignored) here too */
	{
		const char *in2 = "{\"clients\": [{\"id\": \"a\", \"social_anxiety\": true}, "
				  "{\"id\": \"b\", \"max_group_size\": 5}], \"top\": 0}";
		ck_assert_int_eq(tu_run_cli(args, in2, &run), 0);
		ck_assert_int_eq(run.exit_code, 0);
		ck_assert_ptr_nonnull(strstr(run.out, "[\"a\",\"b\"]"));
		tu_run_release(&run);
	}

	/* pinning the couple breaks the partner rule: an input error naming the rule */
	snprintf(buf, sizeof(buf), input, ", \"pinned\": [[\"a\", \"b\"]]");
	ck_assert_int_eq(tu_run_cli(args, buf, &run), 0);
	ck_assert_int_eq(run.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(run.err, "\"/pinned/0\""));
	ck_assert_ptr_nonnull(strstr(run.err, "partner"));
	tu_run_release(&run);
}
END_TEST

/* The shipped example runs: everyone matched, the pin kept, a triad (23 clients). */
START_TEST(test_example_cli)
{
	const char *args[] = { "match", "buddies", "--input",
			       PL_TEST_SRC "/datasets/examples/buddies.json", "--no-timing", NULL };
	tu_run run;

	ck_assert_int_eq(tu_run_cli(args, NULL, &run), 0);
	ck_assert_int_eq(run.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(run.out, "\"matched\":23"));
	ck_assert_ptr_nonnull(strstr(run.out, "\"pinned\":true"));
	ck_assert_ptr_nonnull(strstr(run.out, "\"triad\":{"));
	tu_run_release(&run);
}
END_TEST

/*
 * The alternatives' one search per client (pl_blossom_search_kept) against the per-pair warm
 * re-solves it replaces (no_alternative_search: the oracle), on even and odd cohorts of 2-48
 * clients: tied scores (a few values), forbidden pairs, silent clients (every score 0, or no
 * allowed pair at all), pins, current pairs, min_score. Every alternative's partner,
 * total_change and matched_change agree, and so does the answer; the search costs at most one
 * solve per client (plus a re-solve per pair whose rest cannot be paired perfectly).
 */
START_TEST(test_search_matches_resolves)
{
	tu_rng r = { 8080 };
	size_t searched = 0;

	for (int t = 0; t < 240; t++) {
		size_t n = (size_t)tu_range(&r, 2, t < 200 ? 24 : 48), pins[2], cur[6];
		double *S = malloc(n * n * sizeof(double));
		pl_buddies_problem p = PL_BUDDIES_PROBLEM_INIT;
		pl_buddies_result a = PL_BUDDIES_RESULT_INIT, b = PL_BUDDIES_RESULT_INIT;
		pl_error err = PL_ERROR_INIT;

		for (size_t i = 0; i < n; i++)
			for (size_t j = i; j < n; j++) {
				double v = t % 2 ? (double)tu_range(&r, 0, 4) / 4.0 : tu_uniform(&r);
				if (i == j || tu_uniform(&r) < (t % 3 == 0 ? 0.3 : 0.05))
					v = NAN;
				S[i * n + j] = S[j * n + i] = v;
			}
		if (t % 5 == 1) /* a silent client: scores 0 with everyone */
			for (size_t j = 0; j < n; j++)
				if (j != n - 1)
					S[(n - 1) * n + j] = S[j * n + n - 1] = 0.0;
		if (t % 7 == 2) /* a client nobody may be paired with */
			for (size_t j = 0; j < n; j++)
				S[j * n] = S[j] = NAN;
		p.n = n;
		p.score = S;
		p.top = (size_t)(1 + t % 4);
		p.stickiness = 0.1;
		p.min_score = t % 6 == 3 ? 0.3 : 0.0;
		if (n >= 6) {
			cur[0] = 1;
			cur[1] = 2;
			cur[2] = 3;
			cur[3] = 4;
			p.current = cur;
			p.ncurrent = 2;
		}
		if (n >= 8 && t % 4 == 1 && !isnan(S[5 * n + 6])) {
			pins[0] = 5;
			pins[1] = 6;
			p.pinned = pins;
			p.npinned = 1;
		}
		ck_assert_int_eq(pl_buddies_solve(&p, &a, &err), PL_OK);
		p.no_alternative_search = 1;
		ck_assert_int_eq(pl_buddies_solve(&p, &b, &err), PL_OK);
		ck_assert_uint_eq(b.alternative_searches, 0);
		ck_assert_double_eq(a.objective, b.objective);
		for (size_t i = 0; i < n; i++) {
			ck_assert_int_eq(a.partner[i], b.partner[i]);
			ck_assert_uint_eq(a.nalt[i], b.nalt[i]);
			for (size_t k = 0; k < a.nalt[i]; k++) {
				const pl_buddies_alt *x = &a.alt[i * p.top + k], *y = &b.alt[i * p.top + k];
				ck_assert_uint_eq(x->partner, y->partner);
				ck_assert_msg(fabs(x->total_change - y->total_change) < 1e-9,
					      "cohort %d (n %zu): client %zu partner %zu: search %.12f, "
					      "re-solve %.12f", t, n, i, x->partner, x->total_change,
					      y->total_change);
				ck_assert_int_eq(x->matched_change, y->matched_change);
			}
		}
		ck_assert_uint_le(a.alternative_searches, n);
		if (a.alternative_searches > 0) /* the base, the searches, the pairs left over */
			ck_assert_uint_eq(a.solves, 1 + a.alternative_searches + a.alternative_resolves);
		searched += a.alternative_searches > 0;
		pl_buddies_result_release(&a);
		pl_buddies_result_release(&b);
		free(S);
	}
	ck_assert_uint_ge(searched, 60);
}
END_TEST

/* An alternative (i, j) and the alternative (j, i) are one problem (the pair required): it is
 * re-solved once, and both clients list the same total_change and matched_change. Odd cohorts
 * (no single-root search), `top` 5 so that many pairs are listed by both of their clients. */
/* An alternative's total_change and matched_change against a solve with its pair pinned. */
static void check_alt_by_pinning(const pl_buddies_problem *base, const pl_buddies_result *res,
				 size_t i, const pl_buddies_alt *a)
{
	pl_buddies_problem q = *base;
	pl_buddies_result pinned = PL_BUDDIES_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;
	size_t pair[2] = { i, a->partner };

	q.top = 0;
	q.npinned = 1;
	q.pinned = pair;
	ck_assert_int_eq(pl_buddies_solve(&q, &pinned, &err), PL_OK);
	ck_assert_int_eq(a->matched_change, (long)pinned.matched - (long)res->matched);
	ck_assert_msg(fabs(a->total_change - (pinned.objective - res->objective)) < 1e-9,
		      "total_change %.12g, pinned solve %.12g", a->total_change,
		      pinned.objective - res->objective);
	pl_buddies_result_release(&pinned);
}

START_TEST(test_mutual_pairs_solved_once)
{
	tu_rng r = { 4242 };
	size_t mutual = 0;

	for (int t = 0; t < 60; t++) {
		size_t n = (size_t)(9 + 2 * tu_range(&r, 0, 11)), distinct = 0;
		double *S = malloc(n * n * sizeof(double));
		pl_buddies_problem p = PL_BUDDIES_PROBLEM_INIT;
		pl_buddies_result res = PL_BUDDIES_RESULT_INIT;
		pl_error err = PL_ERROR_INIT;

		for (size_t i = 0; i < n; i++)
			for (size_t j = i; j < n; j++) {
				double v = t % 2 ? (double)tu_range(&r, 0, 4) / 4.0 : tu_uniform(&r);
				if (i == j || tu_uniform(&r) < 0.1)
					v = NAN;
				S[i * n + j] = S[j * n + i] = v;
			}
		p.n = n;
		p.score = S;
		p.top = 5;
		ck_assert_int_eq(pl_buddies_solve(&p, &res, &err), PL_OK);
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < res.nalt[i]; k++) {
				const pl_buddies_alt *a = &res.alt[i * p.top + k];
				size_t j = a->partner;
				int twin = 0;
				for (size_t q = 0; q < res.nalt[j]; q++) {
					const pl_buddies_alt *b = &res.alt[j * p.top + q];
					if (b->partner != i)
						continue;
					twin = 1;
					ck_assert(a->total_change == b->total_change);
					ck_assert_int_eq(a->matched_change, b->matched_change);
				}
				/* the values copied to a twin must be right, not only equal: against
				 * a solve of its own with the pair pinned (review, session 9) */
				if (twin && i < j)
					check_alt_by_pinning(&p, &res, i, a);
				/* each unordered pair counted once: by its smaller client when both list it */
				distinct += !twin || i < j;
				mutual += twin && i < j;
			}
		ck_assert_uint_eq(res.alternative_searches, 0);
		ck_assert_uint_eq(res.alternative_resolves, distinct);
		pl_buddies_result_release(&res);
		free(S);
	}
	ck_assert_uint_ge(mutual, 100);
}
END_TEST

static Suite *buddies_suite(void)
{
	Suite *s = suite_create("buddies");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_brute_force);
	tcase_add_test(tc, test_brute_force_up_to_11);
	tcase_add_test(tc, test_search_matches_resolves);
	tcase_add_test(tc, test_mutual_pairs_solved_once);
	tcase_add_test(tc, test_triad_hand);
	tcase_add_test(tc, test_pins_and_errors);
	tcase_add_test(tc, test_partner_rule_cli);
	tcase_add_test(tc, test_example_cli);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(buddies_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
