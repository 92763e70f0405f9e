/*
 * test_spc.c: control charts (EWMA, tabular CUSUM) against their recursions written out here,
 * alarms on a planted mean shift and none on a stationary series (fixed seed), the burn-in
 * baseline rules; and BOCPD against brute-force enumeration of every segmentation of a short
 * series (closed-form Normal-Gamma marginal likelihoods), and on a planted change.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/bocpd.h>
#include <peerlink/spc.h>
#include "testutil.h"

#define M_PI_VALUE 3.14159265358979323846

static double gauss(tu_rng *r)
{
	double u = tu_uniform(r), v = tu_uniform(r);
	return sqrt(-2 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

/* ---------------------------------------------------------------- baseline */

START_TEST(baseline_rules)
{
	double x[10] = { NAN, 2, 4, NAN, 6, 100, 100, 100, 100, 100 }, c[6] = { 3, 3, 3, 3, 3, 3 };
	pl_spc_baseline b;
	pl_error err = PL_ERROR_INIT;

	/* first 3 observed: 2 4 6 -> mean 4, sd 2; charting starts after day 4 */
	ck_assert_int_eq(pl_spc_baseline_compute(x, 10, 3, 0, &b, &err), PL_OK);
	ck_assert(b.ok);
	ck_assert_double_eq_tol(b.mean, 4, 1e-15);
	ck_assert_double_eq_tol(b.sd, 2, 1e-15);
	ck_assert_uint_eq(b.start, 5);
	ck_assert_uint_eq(b.used, 3);
	/* not enough observed days */
	ck_assert_int_eq(pl_spc_baseline_compute(x, 4, 3, 0, &b, &err), PL_OK);
	ck_assert(!b.ok);
	ck_assert_uint_eq(b.start, 4);
	/* constant burn-in: sd 0 -> not ok, unless floored */
	ck_assert_int_eq(pl_spc_baseline_compute(c, 6, 3, 0, &b, &err), PL_OK);
	ck_assert(!b.ok);
	ck_assert_int_eq(pl_spc_baseline_compute(c, 6, 3, 0.5, &b, &err), PL_OK);
	ck_assert(b.ok);
	ck_assert_double_eq(b.sd, 0.5);
	ck_assert_int_eq(pl_spc_baseline_compute(c, 6, 1, 0, &b, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/burn_in");
}
END_TEST

/* ---------------------------------------------------------------- EWMA / CUSUM recursions */

START_TEST(ewma_cusum_against_recursion)
{
	tu_rng r = { 21 };
	double x[80], st[80], lim[80], up[80], lo[80];
	signed char al[80], al2[80];
	pl_spc_baseline b;
	pl_ewma_params ep = { 0.3, 2.5 };
	pl_cusum_params cp = { 0.4, 3.0 };
	pl_error err = PL_ERROR_INIT;
	double e = 0, cpos = 0, cneg = 0, mean = 0, ss = 0;
	int i = 0, m = 0;
	size_t start = 0;

	for (int t = 0; t < 80; t++)
		x[t] = (t % 9 == 4) ? NAN : 10 + 2 * gauss(&r) + (t > 50 ? 3 : 0);
	ck_assert_int_eq(pl_spc_baseline_compute(x, 80, 10, 0, &b, &err), PL_OK);
	/* baseline by hand: the first 10 observed values */
	for (int t = 0; t < 80 && m < 10; t++)
		if (!isnan(x[t])) {
			mean += x[t];
			m++;
			start = (size_t)t + 1;
		}
	mean /= 10;
	m = 0;
	for (int t = 0; t < 80 && m < 10; t++)
		if (!isnan(x[t])) {
			ss += (x[t] - mean) * (x[t] - mean);
			m++;
		}
	ck_assert_double_eq_tol(b.mean, mean, 1e-12);
	ck_assert_double_eq_tol(b.sd, sqrt(ss / 9), 1e-12);
	ck_assert_uint_eq(b.start, start);

	ck_assert_int_eq(pl_spc_ewma(x, 80, &b, &ep, st, lim, al, &err), PL_OK);
	ck_assert_int_eq(pl_spc_cusum(x, 80, &b, &cp, up, lo, al2, &err), PL_OK);
	for (size_t t = 0; t < 80; t++) {
		if (t < start) {
			ck_assert(isnan(st[t]) && isnan(up[t]) && isnan(lo[t]));
			ck_assert_int_eq(al[t], 0);
			continue;
		}
		if (!isnan(x[t])) {
			double z = (x[t] - b.mean) / b.sd, L;
			i++;
			e = ep.lambda * z + (1 - ep.lambda) * e;
			L = ep.L * sqrt(ep.lambda / (2 - ep.lambda) * (1 - pow(1 - ep.lambda, 2 * i)));
			ck_assert_double_eq_tol(lim[t], L, 1e-12);
			ck_assert_int_eq(al[t], e > L ? 1 : e < -L ? -1 : 0);
			cpos = fmax(0, z - cp.k + cpos);
			cneg = fmax(0, -z - cp.k + cneg);
			ck_assert_int_eq(al2[t], cpos > cp.h ? 1 : cneg > cp.h ? -1 : 0);
		} else {
			ck_assert_int_eq(al[t], 0); /* a missing day raises no alarm */
			ck_assert_int_eq(al2[t], 0);
		}
		ck_assert_double_eq_tol(st[t], e, 1e-12); /* carried over missing days */
		ck_assert_double_eq_tol(up[t], cpos, 1e-12);
		ck_assert_double_eq_tol(lo[t], cneg, 1e-12);
	}
	ep.lambda = 0;
	ck_assert_int_eq(pl_spc_ewma(x, 80, &b, &ep, st, lim, al, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/ewma/lambda");
	cp.h = -1;
	ck_assert_int_eq(pl_spc_cusum(x, 80, &b, &cp, up, lo, al2, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/cusum/h");
}
END_TEST

static void first_alarm(const signed char *a, size_t n, long *first_up, long *any)
{
	*first_up = -1;
	*any = 0;
	for (size_t t = 0; t < n; t++) {
		if (a[t])
			(*any)++;
		if (a[t] > 0 && *first_up < 0)
			*first_up = (long)t;
	}
}

START_TEST(planted_shift_and_stationary)
{
	pl_ewma_params ep = PL_EWMA_PARAMS_DEFAULT;
	pl_cusum_params cp = PL_CUSUM_PARAMS_DEFAULT;
	pl_error err = PL_ERROR_INIT;
	double x[200];
	signed char a1[200], a2[200];
	pl_spc_baseline b;
	long f1, f2, n1, n2, before = 0;

	/* Stationary N(5, 1) with 10% missing days, burn-in 60: no alarm in the 140 charted days.
	 * One fixed realization (with an estimated baseline false alarms are more frequent than the
	 * nominal ARL; 7 of the 10 seeds 2024..2033 give none): the rate test below is the real check. */
	{
		tu_rng r = { 2026 };
		for (int t = 0; t < 200; t++)
			x[t] = tu_uniform(&r) < 0.1 ? NAN : 5 + gauss(&r);
		ck_assert_int_eq(pl_spc_baseline_compute(x, 200, 60, 0, &b, &err), PL_OK);
		ck_assert_int_eq(pl_spc_ewma(x, 200, &b, &ep, NULL, NULL, a1, &err), PL_OK);
		ck_assert_int_eq(pl_spc_cusum(x, 200, &b, &cp, NULL, NULL, a2, &err), PL_OK);
		first_alarm(a1, 200, &f1, &n1);
		first_alarm(a2, 200, &f2, &n2);
		ck_assert_int_eq(n1, 0);
		ck_assert_int_eq(n2, 0);
	}
	/* the same noise with +2 sd from day 100: both charts alarm upward within 10 days */
	{
		tu_rng r = { 2026 };
		for (int t = 0; t < 200; t++)
			x[t] = tu_uniform(&r) < 0.1 ? NAN : 5 + gauss(&r) + (t >= 100 ? 2 : 0);
		ck_assert_int_eq(pl_spc_baseline_compute(x, 200, 60, 0, &b, &err), PL_OK);
		ck_assert_int_eq(pl_spc_ewma(x, 200, &b, &ep, NULL, NULL, a1, &err), PL_OK);
		ck_assert_int_eq(pl_spc_cusum(x, 200, &b, &cp, NULL, NULL, a2, &err), PL_OK);
		first_alarm(a1, 200, &f1, &n1);
		first_alarm(a2, 200, &f2, &n2);
		for (int t = 0; t < 100; t++)
			before += a1[t] != 0 || a2[t] != 0;
		ck_assert_int_eq(before, 0);
		ck_assert_msg(f1 >= 100 && f1 <= 110, "ewma first alarm %ld", f1);
		ck_assert_msg(f2 >= 100 && f2 <= 110, "cusum first alarm %ld", f2);
	}
}
END_TEST

/* With the in-control mean and sd known, alarm onsets come at about the nominal in-control ARL:
 * EWMA lambda 0.2, L 3 about 1 per 560 days; two-sided CUSUM k 0.5, h 5 about 1 per 230
 * (Montgomery tables 9.10 and 9.5/9.11, one-sided 465). 60 series x 300 days = 18000 days. */
START_TEST(false_alarm_rate_known_baseline)
{
	pl_ewma_params ep = PL_EWMA_PARAMS_DEFAULT;
	pl_cusum_params cp = PL_CUSUM_PARAMS_DEFAULT;
	pl_spc_baseline b = { 5.0, 1.0, 0, 0, 1 };
	pl_error err = PL_ERROR_INIT;
	long on1 = 0, on2 = 0;

	for (uint64_t s = 0; s < 60; s++) {
		tu_rng r = { 1000 + s * 7919 };
		double x[300];
		signed char a1[300], a2[300];
		for (int t = 0; t < 300; t++)
			x[t] = 5 + gauss(&r);
		ck_assert_int_eq(pl_spc_ewma(x, 300, &b, &ep, NULL, NULL, a1, &err), PL_OK);
		ck_assert_int_eq(pl_spc_cusum(x, 300, &b, &cp, NULL, NULL, a2, &err), PL_OK);
		for (int t = 0; t < 300; t++) {
			on1 += a1[t] != 0 && (t == 0 || a1[t - 1] == 0);
			on2 += a2[t] != 0 && (t == 0 || a2[t - 1] == 0);
		}
	}
	/* Nominal: about 32 and 78 runs to signal. Measured here: 54 EWMA onsets (the exact,
	 * narrower early limits and a statistic hovering at its limit add onsets) and 60 CUSUM. The
	 * bounds catch a chart that alarms several times too often, e.g. a wrong limit formula. */
	ck_assert_msg(on1 <= 90, "ewma onsets %ld", on1);
	ck_assert_msg(on2 <= 156, "cusum onsets %ld", on2);
	ck_assert(on1 > 0 && on2 > 0);
}
END_TEST

/* ---------------------------------------------------------------- BOCPD */

/* log marginal likelihood of the observed values of x[a..b] under the Normal-Gamma prior
 * (Murphy 2007, eq. 95): Gamma(an)/Gamma(a0) * b0^a0 / bn^an * sqrt(k0 / kn) * (2 pi)^(-m/2). */
static double log_marginal(const double *x, int a, int b, const pl_bocpd_params *p)
{
	double s = 0, s2 = 0, mean, kn, an, bn;
	int m = 0;
	for (int t = a; t <= b; t++)
		if (!isnan(x[t])) {
			s += x[t];
			m++;
		}
	if (m == 0)
		return 0;
	mean = s / m;
	for (int t = a; t <= b; t++)
		if (!isnan(x[t]))
			s2 += (x[t] - mean) * (x[t] - mean);
	kn = p->kappa0 + m;
	an = p->alpha0 + m / 2.0;
	bn = p->beta0 + 0.5 * s2 + p->kappa0 * m * (mean - p->mu0) * (mean - p->mu0) / (2 * kn);
	return lgamma(an) - lgamma(p->alpha0) + p->alpha0 * log(p->beta0) - an * log(bn) +
	       0.5 * log(p->kappa0 / kn) - 0.5 * m * log(2 * M_PI_VALUE);
}

/* P(r_t = r | x_0..t) by enumerating every set of change days in 1..t (day 0 always starts a
 * segment): prior H^(#changes) (1 - H)^(t - #changes), likelihood the product of segment
 * marginals. */
static void brute_posterior(const double *x, int t, const pl_bocpd_params *p, double *post)
{
	double total = 0;
	for (int r = 0; r <= t; r++)
		post[r] = 0;
	for (unsigned mask = 0; mask < (1u << t); mask++) {
		/* bit d-1 set: a change at day d */
		double lw = 0;
		int start = 0, changes = 0, last = 0;
		for (int d = 1; d <= t; d++)
			if (mask & (1u << (d - 1))) {
				lw += log_marginal(x, start, d - 1, p);
				start = d;
				last = d;
				changes++;
			}
		lw += log_marginal(x, start, t, p);
		lw += changes * log(p->hazard) + (t - changes) * log1p(-p->hazard);
		post[t - last] += exp(lw);
		total += exp(lw);
	}
	for (int r = 0; r <= t; r++)
		post[r] /= total;
}

START_TEST(bocpd_against_enumeration)
{
	double x[9] = { 0.3, -0.5, 0.1, NAN, 2.9, 3.4, 2.2, NAN, 3.1 }, post[9];
	pl_bocpd_params p = { 0.2, 0.5, 0.7, 1.5, 2.0, 3, 2 };
	pl_bocpd_result res = PL_BOCPD_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;

	ck_assert_int_eq(pl_bocpd_run(x, 9, &p, &res, &err), PL_OK);
	for (int t = 0; t < 9; t++) {
		double recent = 0, mean = 0, best = -1;
		long arg = 0;
		brute_posterior(x, t, &p, post);
		for (int r = 0; r <= t; r++) {
			if (r < 3)
				recent += post[r];
			mean += r * post[r];
			if (post[r] > best + 1e-12) {
				best = post[r];
				arg = r;
			}
		}
		ck_assert_double_eq_tol(res.cp[t], post[0], 1e-10);
		ck_assert_double_eq_tol(res.recent[t], recent, 1e-10);
		ck_assert_double_eq_tol(res.mean_run[t], mean, 1e-9);
		ck_assert_int_eq(res.map_run[t], arg);
		if (t >= 2) /* lagged[t-2] = P(r_t = 2 | x_0..t) */
			ck_assert_double_eq_tol(res.lagged[t - 2], post[2], 1e-10);
	}
	ck_assert(isnan(res.lagged[7]) && isnan(res.lagged[8]));
	/* evidence: log p(x) = log sum over segmentations, checked at the last day */
	{
		double total = 0;
		for (unsigned mask = 0; mask < (1u << 8); mask++) {
			double lw = 0;
			int start = 0, changes = 0;
			for (int d = 1; d <= 8; d++)
				if (mask & (1u << (d - 1))) {
					lw += log_marginal(x, start, d - 1, &p);
					start = d;
					changes++;
				}
			lw += log_marginal(x, start, 8, &p);
			lw += changes * log(p.hazard) + (8 - changes) * log1p(-p.hazard);
			total += exp(lw);
		}
		ck_assert_double_eq_tol(res.log_evidence, log(total), 1e-9);
	}
	pl_bocpd_result_release(&res);
	p.hazard = 1;
	ck_assert_int_eq(pl_bocpd_run(x, 9, &p, &res, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/hazard");
	p.hazard = 0.1;
	p.beta0 = 0;
	ck_assert_int_eq(pl_bocpd_run(x, 9, &p, &res, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/beta0");
}
END_TEST

/* Sliding windows equal pl_bocpd_run restarted on each window (missing days and a shift
 * included), and the first W - 1 days are undefined. */
START_TEST(bocpd_windows_match_restarts)
{
	tu_rng r = { 4242 };
	enum { N = 70, W = 12 };
	double x[N], recent[N];
	long map[N];
	pl_bocpd_params p = { 0.05, 5.0, 0.1, 1.0, 1.0, 4, 0 };
	pl_error err = PL_ERROR_INIT;

	for (int t = 0; t < N; t++)
		x[t] = tu_uniform(&r) < 0.3 ? NAN : (t < 35 ? 3 : 7) + 2 * tu_uniform(&r) - 1;
	ck_assert_int_eq(pl_bocpd_windows(x, N, W, &p, recent, map, &err), PL_OK);
	for (int t = 0; t < W - 1; t++)
		ck_assert(isnan(recent[t]) && map[t] == -1);
	for (int t = W - 1; t < N; t++) {
		pl_bocpd_result res = PL_BOCPD_RESULT_INIT;
		ck_assert_int_eq(pl_bocpd_run(x + t - (W - 1), W, &p, &res, &err), PL_OK);
		ck_assert_double_eq_tol(recent[t], res.recent[W - 1], 1e-12);
		ck_assert_int_eq(map[t], res.map_run[W - 1]);
		pl_bocpd_result_release(&res);
	}
	p.hazard = 0;
	ck_assert_int_eq(pl_bocpd_windows(x, N, W, &p, recent, map, &err), PL_ERR_INVALID);
}
END_TEST

START_TEST(bocpd_planted_change)
{
	tu_rng r = { 77 };
	double x[120];
	pl_bocpd_params p = PL_BOCPD_PARAMS_DEFAULT;
	pl_bocpd_result res = PL_BOCPD_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;
	size_t argmax = 1;

	/* mood-like: mean 6 sd 1, drops to 3 on day 70; 15% of days missing */
	for (int t = 0; t < 120; t++)
		x[t] = tu_uniform(&r) < 0.15 && t != 70 ? NAN : (t < 70 ? 6 : 3) + gauss(&r);
	p.mu0 = 6;
	p.beta0 = 1;
	ck_assert_int_eq(pl_bocpd_run(x, 120, &p, &res, &err), PL_OK);
	for (size_t t = 1; t + p.lag < 120; t++) /* day 0 always opens a segment */
		if (res.lagged[t] > res.lagged[argmax])
			argmax = t;
	ck_assert_msg(argmax >= 68 && argmax <= 72, "lagged argmax at %zu", argmax);
	ck_assert(res.lagged[argmax] > 0.5);
	/* before the change no day looks like one; a week after it the "recent" probability is high */
	for (size_t t = 5; t < 65; t++)
		ck_assert_msg(res.lagged[t] < 0.5, "day %zu %g", t, res.lagged[t]);
	ck_assert(res.recent[73] > 0.5);
	ck_assert_int_ge(res.map_run[119], 119 - 72);
	ck_assert_int_le(res.map_run[119], 119 - 68);
	for (size_t t = 0; t < 120; t++) {
		ck_assert(res.cp[t] >= 0 && res.cp[t] <= 1);
		ck_assert(res.recent[t] >= res.cp[t] - 1e-15 && res.recent[t] <= 1 + 1e-12);
	}
	pl_bocpd_result_release(&res);
}
END_TEST

/* No look-ahead: charts and BOCPD's filtered summaries for days <= t do not change when every
 * later day is replaced (the risk model's features rely on this). */
START_TEST(no_look_ahead)
{
	tu_rng r = { 99 };
	double x[90], y[90];
	pl_spc_baseline bx, by;
	pl_ewma_params ep = PL_EWMA_PARAMS_DEFAULT;
	pl_cusum_params cp = PL_CUSUM_PARAMS_DEFAULT;
	pl_bocpd_params bp = PL_BOCPD_PARAMS_DEFAULT;
	pl_error err = PL_ERROR_INIT;

	for (int t = 0; t < 90; t++)
		x[t] = tu_uniform(&r) < 0.2 ? NAN : 4 + gauss(&r);
	for (size_t cut = 20; cut < 90; cut += 13) {
		double ex[90], ey[90], ux[90], uy[90], lx[90], ly[90];
		signed char ax[90], ay[90], cx[90], cy[90];
		pl_bocpd_result rx = PL_BOCPD_RESULT_INIT, ry = PL_BOCPD_RESULT_INIT;

		memcpy(y, x, sizeof(x));
		for (size_t t = cut + 1; t < 90; t++)
			y[t] = (t % 3 == 0) ? NAN : 50 + 10 * gauss(&r);
		ck_assert_int_eq(pl_spc_baseline_compute(x, 90, 14, 0, &bx, &err), PL_OK);
		ck_assert_int_eq(pl_spc_baseline_compute(y, 90, 14, 0, &by, &err), PL_OK);
		ck_assert_int_eq(pl_spc_ewma(x, 90, &bx, &ep, ex, NULL, ax, &err), PL_OK);
		ck_assert_int_eq(pl_spc_ewma(y, 90, &by, &ep, ey, NULL, ay, &err), PL_OK);
		ck_assert_int_eq(pl_spc_cusum(x, 90, &bx, &cp, ux, lx, cx, &err), PL_OK);
		ck_assert_int_eq(pl_spc_cusum(y, 90, &by, &cp, uy, ly, cy, &err), PL_OK);
		ck_assert_int_eq(pl_bocpd_run(x, 90, &bp, &rx, &err), PL_OK);
		ck_assert_int_eq(pl_bocpd_run(y, 90, &bp, &ry, &err), PL_OK);
		for (size_t t = 0; t <= cut; t++) {
			ck_assert(isnan(ex[t]) ? isnan(ey[t]) : ex[t] == ey[t]);
			ck_assert(isnan(ux[t]) ? isnan(uy[t]) : ux[t] == uy[t] && lx[t] == ly[t]);
			ck_assert(ax[t] == ay[t] && cx[t] == cy[t]);
			ck_assert(rx.cp[t] == ry.cp[t] && rx.recent[t] == ry.recent[t]);
			ck_assert(rx.map_run[t] == ry.map_run[t] && rx.mean_run[t] == ry.mean_run[t]);
		}
		pl_bocpd_result_release(&rx);
		pl_bocpd_result_release(&ry);
	}
}
END_TEST

static Suite *spc_suite(void)
{
	Suite *s = suite_create("spc");
	TCase *charts = tcase_create("charts"), *bo = tcase_create("bocpd");

	tcase_add_test(charts, baseline_rules);
	tcase_add_test(charts, ewma_cusum_against_recursion);
	tcase_add_test(charts, planted_shift_and_stationary);
	tcase_add_test(charts, false_alarm_rate_known_baseline);
	tcase_add_test(bo, bocpd_against_enumeration);
	tcase_add_test(bo, bocpd_planted_change);
	tcase_add_test(bo, bocpd_windows_match_restarts);
	tcase_add_test(bo, no_look_ahead);
	suite_add_tcase(s, charts);
	suite_add_tcase(s, bo);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(spc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
