/*
 * test_ews.c: early-warning indicators against direct formulas computed here by explicit loops
 * (not by the library), Kendall tau against a naive O(n^2) pair count with ties, detrending on
 * known signals, and surrogate p-values (deterministic under a seed, small for a planted trend).
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <peerlink/ews.h>
#include "testutil.h"

static double gauss(tu_rng *r)
{
	double u = tu_uniform(r), v = tu_uniform(r);
	return sqrt(-2 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

/* ---- direct formulas, written independently of engine/risk/ews.c ---- */

/* Observed values of a window, compacted. */
static size_t compact(const double *x, size_t w, double *out)
{
	size_t m = 0;
	for (size_t i = 0; i < w; i++)
		if (!isnan(x[i]))
			out[m++] = x[i];
	return m;
}

static double direct_mean(const double *v, size_t m)
{
	double s = 0;
	for (size_t i = 0; i < m; i++)
		s += v[i];
	return s / (double)m;
}

static double direct_cmoment(const double *v, size_t m, int k)
{
	double mu = direct_mean(v, m), s = 0;
	for (size_t i = 0; i < m; i++)
		s += pow(v[i] - mu, k);
	return s / (double)m;
}

static double direct_var(const double *v, size_t m)
{
	return direct_cmoment(v, m, 2) * (double)m / (double)(m - 1);
}

/* Least squares y_t = phi y_{t-1} on the demeaned window: minimize sum (y_t - phi y_{t-1})^2
 * over pairs, solved as a 1-D normal equation. */
static double direct_ar1(const double *x, size_t w)
{
	double buf[256], mu, sxy = 0, sxx = 0;
	size_t m = compact(x, w, buf);
	mu = direct_mean(buf, m);
	for (size_t t = 1; t < w; t++) {
		if (isnan(x[t]) || isnan(x[t - 1]))
			continue;
		sxy += (x[t] - mu) * (x[t - 1] - mu);
		sxx += (x[t - 1] - mu) * (x[t - 1] - mu);
	}
	return sxy / sxx;
}

/* Naive Kendall tau-b of y against its index, over non-NaN entries. */
static double naive_tau(const double *y, size_t n)
{
	double c = 0, d = 0, ty = 0, m = 0;
	for (size_t i = 0; i < n; i++) {
		if (isnan(y[i]))
			continue;
		m++;
		for (size_t j = i + 1; j < n; j++) {
			if (isnan(y[j]))
				continue;
			if (y[j] > y[i])
				c++;
			else if (y[j] < y[i])
				d++;
			else
				ty++;
		}
	}
	return (c - d) / sqrt((m * (m - 1) / 2) * (m * (m - 1) / 2 - ty));
}

/* ---- tests ---- */

START_TEST(window_by_hand)
{
	/* x = 1, 2, 3, 4: mean 2.5, deviations -1.5 -0.5 0.5 1.5, sum of squares 5:
	 * variance 5/3; ar1 = (0.75 - 0.25 + 0.75) / (2.25 + 0.25 + 0.25) = 1.25 / 2.75;
	 * symmetric, so skewness 0; b2 = (m4 = (2*5.0625 + 2*0.0625)/4 = 2.5625) / (1.25^2) = 1.64;
	 * G2 = 3/(2*1) * (5 * (1.64 - 3) + 6) = 1.5 * (-0.8) = -1.2; cv = sqrt(5/3) / 2.5. */
	double x[4] = { 1, 2, 3, 4 }, out[PL_EWS_NINDICATORS];

	pl_ews_window_stats(x, NULL, 4, 0, PL_EWS_MOMENTS_SAMPLE, out);
	ck_assert_double_eq_tol(out[PL_EWS_VARIANCE], 5.0 / 3.0, 1e-14);
	ck_assert_double_eq_tol(out[PL_EWS_SD], sqrt(5.0 / 3.0), 1e-14);
	ck_assert_double_eq_tol(out[PL_EWS_CV], sqrt(5.0 / 3.0) / 2.5, 1e-14);
	ck_assert_double_eq_tol(out[PL_EWS_AR1], 1.25 / 2.75, 1e-14);
	ck_assert_double_eq_tol(out[PL_EWS_SKEWNESS], 0.0, 1e-14);
	ck_assert_double_eq_tol(out[PL_EWS_KURTOSIS], -1.2, 1e-12);
	pl_ews_window_stats(x, NULL, 4, 0, PL_EWS_MOMENTS_POPULATION, out);
	ck_assert_double_eq_tol(out[PL_EWS_KURTOSIS], 1.64, 1e-12);

	/* x = 0, 0, 3: mean 1, deviations -1 -1 2: m2 = 2, m3 = (-1 -1 + 8)/3 = 2,
	 * g1 = 2 / 2^1.5 = 0.7071..., G1 = g1 * sqrt(3*2)/1 = 1.7320508 */
	{
		double y[3] = { 0, 0, 3 };
		pl_ews_window_stats(y, NULL, 3, 0, PL_EWS_MOMENTS_POPULATION, out);
		ck_assert_double_eq_tol(out[PL_EWS_SKEWNESS], 1 / sqrt(2.0), 1e-14);
		pl_ews_window_stats(y, NULL, 3, 0, PL_EWS_MOMENTS_SAMPLE, out);
		ck_assert_double_eq_tol(out[PL_EWS_SKEWNESS], sqrt(3.0), 1e-13);
		ck_assert(isnan(out[PL_EWS_KURTOSIS])); /* needs 4 values */
	}
}
END_TEST

START_TEST(window_against_direct_formulas)
{
	tu_rng r = { 11 };
	for (int rep = 0; rep < 200; rep++) {
		size_t w = (size_t)tu_range(&r, 4, 40), m;
		double x[64], lev[64], buf[64], out[PL_EWS_NINDICATORS], mu, m2, m3, m4, dm;
		int holes = rep % 2;
		size_t pairs = 0;

		for (size_t i = 0; i < w; i++) {
			x[i] = 5 + gauss(&r) * 2 + (rep % 3) * 0.1 * (double)i;
			lev[i] = x[i] + 10;
			if (holes && tu_uniform(&r) < 0.25)
				x[i] = lev[i] = NAN;
		}
		for (size_t i = 1; i < w; i++)
			pairs += !isnan(x[i]) && !isnan(x[i - 1]);
		m = compact(x, w, buf);
		pl_ews_window_stats(x, lev, w, 0, rep % 4 < 2 ? PL_EWS_MOMENTS_SAMPLE
							    : PL_EWS_MOMENTS_POPULATION, out);
		if (m < 4) {
			ck_assert(isnan(out[PL_EWS_KURTOSIS]));
			continue;
		}
		mu = direct_mean(buf, m);
		m2 = direct_cmoment(buf, m, 2);
		m3 = direct_cmoment(buf, m, 3);
		m4 = direct_cmoment(buf, m, 4);
		ck_assert_double_eq_tol(out[PL_EWS_VARIANCE], direct_var(buf, m), 1e-10);
		ck_assert_double_eq_tol(out[PL_EWS_SD], sqrt(direct_var(buf, m)), 1e-10);
		dm = direct_mean(buf, m) + 10; /* level mean over the same observed days */
		ck_assert_double_eq_tol(out[PL_EWS_CV], sqrt(direct_var(buf, m)) / dm, 1e-10);
		if (pairs >= 2)
			ck_assert_double_eq_tol(out[PL_EWS_AR1], direct_ar1(x, w), 1e-10);
		else
			ck_assert(isnan(out[PL_EWS_AR1]));
		if (rep % 4 < 2) {
			double dn = (double)m;
			double G1 = sqrt(dn * (dn - 1)) / (dn - 2) * m3 / pow(m2, 1.5);
			double G2 = (dn - 1) / ((dn - 2) * (dn - 3)) * ((dn + 1) * (m4 / (m2 * m2) - 3) + 6);
			ck_assert_double_eq_tol(out[PL_EWS_SKEWNESS], G1, 1e-9);
			ck_assert_double_eq_tol(out[PL_EWS_KURTOSIS], G2, 1e-9);
		} else {
			ck_assert_double_eq_tol(out[PL_EWS_SKEWNESS], m3 / pow(m2, 1.5), 1e-9);
			ck_assert_double_eq_tol(out[PL_EWS_KURTOSIS], m4 / (m2 * m2), 1e-9);
		}
		(void)mu;
	}
}
END_TEST

START_TEST(window_degenerate)
{
	double c[6] = { 0.1, 0.1, 0.1, 0.1, 0.1, 0.1 }, z[5] = { 0, 0, 0, 0, 0 };
	double h[5] = { 1, NAN, 2, NAN, 3 }, out[PL_EWS_NINDICATORS];

	pl_ews_window_stats(c, NULL, 6, 0, PL_EWS_MOMENTS_SAMPLE, out);
	ck_assert_double_eq(out[PL_EWS_VARIANCE], 0.0);
	ck_assert(isnan(out[PL_EWS_AR1]));
	ck_assert(isnan(out[PL_EWS_SKEWNESS]));
	ck_assert(isnan(out[PL_EWS_KURTOSIS]));
	ck_assert_double_eq(out[PL_EWS_CV], 0.0);
	pl_ews_window_stats(z, NULL, 5, 0, PL_EWS_MOMENTS_SAMPLE, out);
	ck_assert(isnan(out[PL_EWS_CV])); /* mean 0 */
	/* alternating holes: 3 observed values but no consecutive pair */
	pl_ews_window_stats(h, NULL, 5, 0, PL_EWS_MOMENTS_SAMPLE, out);
	ck_assert_double_eq_tol(out[PL_EWS_VARIANCE], 1.0, 1e-15);
	ck_assert(isnan(out[PL_EWS_AR1]));
	/* min_obs above the observed count: everything undefined */
	pl_ews_window_stats(h, NULL, 5, 4, PL_EWS_MOMENTS_SAMPLE, out);
	for (int k = 0; k < PL_EWS_NINDICATORS; k++)
		ck_assert(isnan(out[k]));
}
END_TEST

START_TEST(rolling_alignment_and_missing)
{
	/* n = 8, window 4, min_obs default 2: out[t] NaN for t < 3. */
	double x[8] = { 1, 2, 3, 4, NAN, NAN, NAN, 9 };
	double var[8], ar1[8];
	double *out[PL_EWS_NINDICATORS] = { var, NULL, NULL, ar1, NULL, NULL };
	pl_ews_rolling_options o = PL_EWS_ROLLING_OPTIONS_INIT;
	pl_error err = PL_ERROR_INIT;

	o.window = 4;
	ck_assert_int_eq(pl_ews_rolling(x, NULL, 8, &o, out, &err), PL_OK);
	for (int t = 0; t < 3; t++)
		ck_assert(isnan(var[t]) && isnan(ar1[t]));
	ck_assert_double_eq_tol(var[3], 5.0 / 3.0, 1e-14);       /* 1 2 3 4 */
	ck_assert_double_eq_tol(ar1[3], 1.25 / 2.75, 1e-14);
	ck_assert_double_eq_tol(var[4], 1.0, 1e-14);             /* 2 3 4 . */
	/* 3 4 . .: mean 3.5, var 0.5; one pair only -> ar1 undefined */
	ck_assert_double_eq_tol(var[5], 0.5, 1e-14);
	ck_assert(isnan(ar1[5]));
	ck_assert(isnan(var[6]));                                /* 4 . . .: one value */
	ck_assert(isnan(var[7]));                                /* . . . 9 */
	/* min_obs = window (pandas' default): any hole makes the window undefined */
	o.min_obs = 4;
	ck_assert_int_eq(pl_ews_rolling(x, NULL, 8, &o, out, &err), PL_OK);
	ck_assert(!isnan(var[3]));
	ck_assert(isnan(var[4]));
	o.window = 1;
	ck_assert_int_eq(pl_ews_rolling(x, NULL, 8, &o, out, &err), PL_ERR_INVALID);
}
END_TEST

START_TEST(window_points_rule)
{
	ck_assert_uint_eq(pl_ews_window_points(0.5, 100), 50);
	ck_assert_uint_eq(pl_ews_window_points(0.25, 30), 7);  /* floor(7.5) as ewstools */
	ck_assert_uint_eq(pl_ews_window_points(12, 30), 12);
	ck_assert_uint_eq(pl_ews_window_points(31, 30), 0);    /* longer than the series */
	ck_assert_uint_eq(pl_ews_window_points(0.01, 30), 0);  /* fewer than 2 points */
	ck_assert_uint_eq(pl_ews_window_points(2.5, 30), 0);   /* points must be whole */
	ck_assert_uint_eq(pl_ews_window_points(-1, 30), 0);
	ck_assert_uint_eq(pl_ews_window_points(1, 30), 30);    /* 1 is the fraction 1: all */
	ck_assert_uint_eq(pl_ews_window_points(1, 1), 0);      /* ... but at least 2 points */
}
END_TEST

START_TEST(kendall_against_naive)
{
	tu_rng r = { 5 };
	/* Hand case: 1 3 2 4: pairs (1,3)+ (1,2)+ (1,4)+ (3,2)- (3,4)+ (2,4)+: C 5, D 1, tau 4/6. */
	double h[4] = { 1, 3, 2, 4 }, t[4] = { 2, 2, 1, 2 };
	ck_assert_double_eq_tol(pl_ews_kendall_tau(h, 4, 2), 4.0 / 6.0, 1e-15);
	/* 2 2 1 2: C = (1,2) at (2,3) = 1; D = (0,2),(1,2) = 2; ties 3 of 6: (1-2)/sqrt(6*3) */
	ck_assert_double_eq_tol(pl_ews_kendall_tau(t, 4, 2), -1.0 / sqrt(18.0), 1e-15);
	for (int rep = 0; rep < 300; rep++) {
		size_t n = (size_t)tu_range(&r, 2, 120);
		double y[128], a, b;
		int levels = (int)tu_range(&r, 1, 6);
		size_t defined = 0;
		for (size_t i = 0; i < n; i++) {
			/* few distinct levels: many ties; some reps continuous */
			y[i] = rep % 3 == 0 ? tu_uniform(&r) : (double)tu_range(&r, 0, levels);
			if (tu_uniform(&r) < 0.15)
				y[i] = NAN;
			defined += !isnan(y[i]);
		}
		a = pl_ews_kendall_tau(y, n, 2);
		if (defined < 2) {
			ck_assert(isnan(a));
			continue;
		}
		b = naive_tau(y, n);
		if (isnan(b) || isinf(b))
			ck_assert(isnan(a)); /* every value tied */
		else
			ck_assert_double_eq_tol(a, b, 1e-12);
	}
	{
		double inc[5] = { 1, 2, NAN, 3, 4 }, few[3] = { 1, NAN, 2 };
		ck_assert_double_eq(pl_ews_kendall_tau(inc, 5, 2), 1.0);
		ck_assert(isnan(pl_ews_kendall_tau(few, 3, 3)));
	}
}
END_TEST

START_TEST(detrend_linear_exact)
{
	double x[20], trend[20], resid[20];
	pl_ews_detrend d = { PL_DETREND_LINEAR, 0 };
	pl_error err = PL_ERROR_INIT;

	for (int t = 0; t < 20; t++)
		x[t] = 3.0 - 0.7 * t;
	x[4] = x[11] = NAN;
	ck_assert_int_eq(pl_ews_detrend_series(x, 20, &d, trend, resid, &err), PL_OK);
	for (int t = 0; t < 20; t++) {
		ck_assert_double_eq_tol(trend[t], 3.0 - 0.7 * t, 1e-12);
		if (t == 4 || t == 11)
			ck_assert(isnan(resid[t]));
		else
			ck_assert_double_eq_tol(resid[t], 0.0, 1e-12);
	}
	/* line + alternating +-1: the alternation has mean 0 but is not orthogonal to t in general;
	 * the residuals of a least-squares line are orthogonal to 1 and to t. */
	for (int t = 0; t < 20; t++)
		x[t] = 1 + 2.0 * t + (t % 2 ? 1 : -1);
	ck_assert_int_eq(pl_ews_detrend_series(x, 20, &d, trend, resid, &err), PL_OK);
	{
		double s0 = 0, s1 = 0;
		for (int t = 0; t < 20; t++) {
			s0 += resid[t];
			s1 += resid[t] * t;
		}
		ck_assert_double_eq_tol(s0, 0, 1e-10);
		ck_assert_double_eq_tol(s1, 0, 1e-9);
	}
}
END_TEST

/* Pearson lag 1 (ewstools: pandas autocorr) by hand on x = 1 3 2 5 4: pairs (1,3) (3,2) (2,5)
 * (5,4); a = 1 3 2 5 (mean 2.75), b = 3 2 5 4 (mean 3.5); sum ab' = -1.75*-0.5 + 0.25*-1.5 +
 * -0.75*1.5 + 2.25*0.5 = 0.5, sum a'^2 = 8.75, sum b'^2 = 5: r = 0.5 / sqrt(43.75). With a hole
 * only complete pairs count; a constant side gives NaN. And the rolling option swaps it in. */
START_TEST(lag1_pearson)
{
	double x[5] = { 1, 3, 2, 5, 4 }, h[6] = { 1, 3, NAN, 2, 5, 4 }, c[4] = { 2, 2, 2, 7 };
	double ar[5], *out[PL_EWS_NINDICATORS] = { NULL };
	pl_ews_rolling_options o = PL_EWS_ROLLING_OPTIONS_INIT;
	pl_error err = PL_ERROR_INIT;

	ck_assert_double_eq_tol(pl_ews_lag1_pearson(x, 5), 0.5 / sqrt(43.75), 1e-15);
	/* pairs (1,3) (2,5) (5,4): a = 1 2 5, b = 3 5 4 */
	{
		double ma = 8.0 / 3, mb = 4, sab = 0, saa = 0, sbb = 0;
		double a[3] = { 1, 2, 5 }, b[3] = { 3, 5, 4 };
		for (int i = 0; i < 3; i++) {
			sab += (a[i] - ma) * (b[i] - mb);
			saa += (a[i] - ma) * (a[i] - ma);
			sbb += (b[i] - mb) * (b[i] - mb);
		}
		ck_assert_double_eq_tol(pl_ews_lag1_pearson(h, 6), sab / sqrt(saa * sbb), 1e-15);
	}
	ck_assert(isnan(pl_ews_lag1_pearson(c, 3)));
	ck_assert(isnan(pl_ews_lag1_pearson(x, 2)));
	o.window = 5;
	o.min_obs = 5;
	o.ar1 = PL_EWS_AR1_PEARSON;
	out[PL_EWS_AR1] = ar;
	ck_assert_int_eq(pl_ews_rolling(x, NULL, 5, &o, out, &err), PL_OK);
	ck_assert(isnan(ar[3]));
	ck_assert_double_eq_tol(ar[4], 0.5 / sqrt(43.75), 1e-15);
	o.ar1 = PL_EWS_AR1_OLS; /* demeaned by 3: y = -2 0 -1 2 1, sum y_t y_t-1 = 0 + 0 - 2 + 2 = 0 */
	ck_assert_int_eq(pl_ews_rolling(x, NULL, 5, &o, out, &err), PL_OK);
	ck_assert_double_eq_tol(ar[4], 0.0, 1e-15);
}
END_TEST

START_TEST(detrend_smoothers)
{
	double x[40], trend[40], resid[40];
	pl_ews_detrend g = { PL_DETREND_GAUSSIAN, 3.0 }, k = { PL_DETREND_KSMOOTH, 8.0 };
	pl_error err = PL_ERROR_INIT;

	/* a constant (with holes) is its own smooth, under both conventions */
	for (int t = 0; t < 40; t++)
		x[t] = t % 7 == 3 ? NAN : 4.25;
	ck_assert_int_eq(pl_ews_detrend_series(x, 40, &g, trend, resid, &err), PL_OK);
	for (int t = 0; t < 40; t++) {
		ck_assert_double_eq_tol(trend[t], 4.25, 1e-12);
		ck_assert(isnan(x[t]) ? isnan(resid[t]) : fabs(resid[t]) < 1e-12);
	}
	ck_assert_int_eq(pl_ews_detrend_series(x, 40, &k, trend, resid, &err), PL_OK);
	for (int t = 0; t < 40; t++)
		ck_assert_double_eq_tol(trend[t], 4.25, 1e-12);

	/* scipy gaussian_filter1d(x, sigma=1, mode="reflect") on x = 0 1 0 0 2: radius 4,
	 * w_k = exp(-k^2/2) / sum; reflected x: index -i-1 -> i, n + i -> n - 1 - i. Written out
	 * here with an explicitly padded array (pad 4 each side). */
	{
		double s[5] = { 0, 1, 0, 0, 2 }, pad[13], wk[9], wsum = 0, out[5];
		pl_ews_detrend g1 = { PL_DETREND_GAUSSIAN_SIGMA, 1.0 };
		/* ewstools 2.x: bandwidth 2.7 points is sd (0.25 / 0.675) * 2.7 = 1 */
		pl_ews_detrend g27 = { PL_DETREND_GAUSSIAN, 2.7 };
		double out27[5];
		int map[13] = { 3, 2, 1, 0, 0, 1, 2, 3, 4, 4, 3, 2, 1 };
		for (int i = 0; i < 13; i++)
			pad[i] = s[map[i]];
		for (int j = -4; j <= 4; j++) {
			wk[j + 4] = exp(-0.5 * j * j);
			wsum += wk[j + 4];
		}
		ck_assert_int_eq(pl_ews_detrend_series(s, 5, &g1, out, NULL, &err), PL_OK);
		ck_assert_int_eq(pl_ews_detrend_series(s, 5, &g27, out27, NULL, &err), PL_OK);
		for (int t = 0; t < 5; t++) {
			double e = 0;
			for (int j = -4; j <= 4; j++)
				e += wk[j + 4] / wsum * pad[t + 4 + j];
			ck_assert_double_eq_tol(out[t], e, 1e-14);
			ck_assert_double_eq_tol(out27[t], e, 1e-14);
		}
	}
	/* ksmooth: Nadaraya-Watson with sd 0.3706506 * bw over points within 4 sd (no reflection) */
	{
		double s[6] = { 1, 5, 2, NAN, 7, 3 }, out[6], sd = 0.3706506 * 2.0;
		pl_ews_detrend k2 = { PL_DETREND_KSMOOTH, 2.0 };
		ck_assert_int_eq(pl_ews_detrend_series(s, 6, &k2, out, NULL, &err), PL_OK);
		for (int t = 0; t < 6; t++) {
			double num = 0, den = 0;
			for (int u = 0; u < 6; u++) {
				double d = fabs((double)(u - t));
				if (isnan(s[u]) || d > 4 * sd)
					continue;
				num += exp(-0.5 * d * d / (sd * sd)) * s[u];
				den += exp(-0.5 * d * d / (sd * sd));
			}
			ck_assert_double_eq_tol(out[t], num / den, 1e-14);
		}
	}
	g.bandwidth = 0;
	ck_assert_int_eq(pl_ews_detrend_series(x, 40, &g, trend, resid, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/detrend");
}
END_TEST

/* A series whose noise sd grows from 0.2 to 2.2: rising variance, a planted early warning. */
static void planted_variance(double *x, size_t n, uint64_t seed)
{
	tu_rng r = { seed };
	for (size_t t = 0; t < n; t++)
		x[t] = 5 + (0.2 + 2.0 * (double)t / (double)n) * gauss(&r);
}

START_TEST(analyze_matches_parts)
{
	double x[120];
	pl_ews_request q = PL_EWS_REQUEST_INIT;
	pl_ews_result res = PL_EWS_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;

	planted_variance(x, 120, 3);
	x[17] = x[60] = NAN;
	q.rolling.window = 40;
	q.detrend.method = PL_DETREND_LINEAR;
	ck_assert_int_eq(pl_ews_analyze(x, 120, &q, &res, &err), PL_OK);
	for (int k = 0; k < PL_EWS_NINDICATORS; k++) {
		ck_assert_ptr_nonnull(res.indicator[k]);
		ck_assert_double_eq_tol(res.tau[k], naive_tau(res.indicator[k], 120), 1e-12);
		ck_assert(isnan(res.p_value[k]));
	}
	for (size_t t = 39; t < 120; t++) {
		double buf[64];
		size_t m = compact(res.resid + t - 39, 40, buf);
		ck_assert_double_eq_tol(res.indicator[PL_EWS_VARIANCE][t], direct_var(buf, m), 1e-10);
		ck_assert_double_eq_tol(res.indicator[PL_EWS_AR1][t], direct_ar1(res.resid + t - 39, 40),
					1e-10);
	}
	ck_assert(res.tau[PL_EWS_VARIANCE] > 0.5);
	pl_ews_result_release(&res);
	pl_ews_result_release(&res); /* twice is fine */

	q.rolling.window = 121;
	ck_assert_int_eq(pl_ews_analyze(x, 120, &q, &res, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/window");
}
END_TEST

/* Requests whose cost grows with a number rather than with the data are refused before any work
 * (issue 9, findings 5 and 12): a bandwidth above the series length (1e8 used to allocate a
 * 3.2 GB kernel; 1e308 overflowed the radius cast) and more surrogate work than the cap. */
START_TEST(request_limits)
{
	double x[200], trend[200];
	pl_ews_detrend d = { PL_DETREND_GAUSSIAN, 1e8 };
	pl_ews_request q = PL_EWS_REQUEST_INIT;
	pl_ews_result res = PL_EWS_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;

	planted_variance(x, 200, 5);
	ck_assert_int_eq(pl_ews_detrend_series(x, 10, &d, trend, NULL, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/detrend");
	d.bandwidth = 1e308;
	ck_assert_int_eq(pl_ews_detrend_series(x, 10, &d, trend, NULL, &err), PL_ERR_INVALID);
	d.method = PL_DETREND_KSMOOTH;
	ck_assert_int_eq(pl_ews_detrend_series(x, 10, &d, trend, NULL, &err), PL_ERR_INVALID);
	d.bandwidth = 10; /* the whole series is still allowed */
	ck_assert_int_eq(pl_ews_detrend_series(x, 10, &d, trend, NULL, &err), PL_OK);
	d.method = PL_DETREND_GAUSSIAN;
	ck_assert_int_eq(pl_ews_detrend_series(x, 10, &d, trend, NULL, &err), PL_OK);

	q.rolling.window = 100;
	q.surrogates = PL_SURROGATE_AR1;
	q.surrogate_count = PL_EWS_MAX_SURROGATE_POINTS / 200 + 1;
	ck_assert_int_eq(pl_ews_analyze(x, 200, &q, &res, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/surrogates/count");
	ck_assert_ptr_null(res.trend);
}
END_TEST

START_TEST(surrogates_deterministic_and_significant)
{
	double x[150];
	pl_ews_surrogate_method methods[2] = { PL_SURROGATE_AR1, PL_SURROGATE_PHASE };

	planted_variance(x, 150, 9);
	x[30] = x[31] = x[99] = NAN;
	for (int mi = 0; mi < 2; mi++) {
		pl_ews_request q = PL_EWS_REQUEST_INIT;
		pl_ews_result a = PL_EWS_RESULT_INIT, b = PL_EWS_RESULT_INIT, c = PL_EWS_RESULT_INIT;
		pl_error err = PL_ERROR_INIT;
		int differs = 0;

		q.rolling.window = 50;
		q.detrend.method = PL_DETREND_GAUSSIAN;
		q.detrend.bandwidth = 15;
		q.indicators = (1u << PL_EWS_VARIANCE) | (1u << PL_EWS_SD) | (1u << PL_EWS_AR1);
		q.surrogates = methods[mi];
		q.surrogate_count = 99;
		q.seed = 42;
		ck_assert_int_eq(pl_ews_analyze(x, 150, &q, &a, &err), PL_OK);
		ck_assert_int_eq(pl_ews_analyze(x, 150, &q, &b, &err), PL_OK);
		q.seed = 43;
		ck_assert_int_eq(pl_ews_analyze(x, 150, &q, &c, &err), PL_OK);
		for (int k = 0; k < PL_EWS_NINDICATORS; k++) {
			if (isnan(a.p_value[k])) {
				ck_assert(isnan(b.p_value[k]));
				continue;
			}
			ck_assert(a.p_value[k] == b.p_value[k]);
			ck_assert(a.p_value[k] >= 1.0 / 100 && a.p_value[k] <= 1.0);
			differs |= a.p_value[k] != c.p_value[k];
		}
		(void)differs; /* another seed may give the same p at the floor */
		ck_assert_msg(a.p_value[PL_EWS_VARIANCE] <= 0.05, "p %g", a.p_value[PL_EWS_VARIANCE]);
		ck_assert_msg(a.p_value[PL_EWS_SD] <= 0.05, "p %g", a.p_value[PL_EWS_SD]);
		ck_assert(isnan(a.p_value[PL_EWS_KURTOSIS]));
		ck_assert_uint_eq(a.surrogates_used[PL_EWS_VARIANCE], 99);
		if (mi == 0)
			ck_assert(a.ar1_phi > -1 && a.ar1_phi < 1 && a.ar1_sigma > 0);
		pl_ews_result_release(&a);
		pl_ews_result_release(&b);
		pl_ews_result_release(&c);
	}
}
END_TEST

START_TEST(surrogates_stationary_not_significant)
{
	/* white noise: over several seeds the variance p-values are spread, not all small */
	int small = 0;
	for (uint64_t s = 1; s <= 10; s++) {
		tu_rng r = { s * 77 };
		double x[100];
		pl_ews_request q = PL_EWS_REQUEST_INIT;
		pl_ews_result a = PL_EWS_RESULT_INIT;
		pl_error err = PL_ERROR_INIT;

		for (int t = 0; t < 100; t++)
			x[t] = gauss(&r);
		q.rolling.window = 50;
		q.indicators = 1u << PL_EWS_VARIANCE;
		q.surrogates = PL_SURROGATE_AR1;
		q.surrogate_count = 49;
		q.seed = s;
		ck_assert_int_eq(pl_ews_analyze(x, 100, &q, &a, &err), PL_OK);
		small += a.p_value[PL_EWS_VARIANCE] <= 0.05;
		pl_ews_result_release(&a);
	}
	ck_assert_int_le(small, 3);
}
END_TEST

/* |DFT_k| of x - mean(x), naive O(n^2). */
static void dft_abs(const double *x, size_t n, double *out)
{
	double mu = direct_mean(x, n);
	for (size_t k = 0; k < n; k++) {
		double re = 0, im = 0;
		for (size_t t = 0; t < n; t++) {
			double a = 6.283185307179586 * (double)(k * t % n) / (double)n;
			re += (x[t] - mu) * cos(a);
			im -= (x[t] - mu) * sin(a);
		}
		out[k] = hypot(re, im);
	}
}

START_TEST(phase_surrogates_keep_spectrum)
{
	for (size_t n = 50; n <= 51; n++) {
		tu_rng r = { n };
		double x[51], s[3 * 51], a[51], b[51], s2[3 * 51];
		pl_ews_detrend none = { PL_DETREND_NONE, 0 };
		pl_error err = PL_ERROR_INIT;

		for (size_t t = 0; t < n; t++)
			x[t] = 3 + sin(0.4 * (double)t) + 0.5 * gauss(&r);
		ck_assert_int_eq(pl_ews_surrogates(x, n, &none, PL_SURROGATE_PHASE, 3, 17, s, &err), PL_OK);
		ck_assert_int_eq(pl_ews_surrogates(x, n, &none, PL_SURROGATE_PHASE, 3, 17, s2, &err), PL_OK);
		ck_assert(memcmp(s, s2, 3 * n * sizeof(double)) == 0); /* same seed, same draws */
		dft_abs(x, n, a);
		for (int k = 0; k < 3; k++) {
			ck_assert_double_eq_tol(direct_mean(s + k * n, n), direct_mean(x, n), 1e-12);
			dft_abs(s + k * n, n, b);
			for (size_t f = 0; f < n; f++)
				ck_assert_double_eq_tol(b[f], a[f], 1e-9 * (1 + a[f]));
			ck_assert(fabs(s[k * n] - x[0]) > 1e-6); /* but not the same series */
		}
	}
	/* holes stay holes; too few observed values is an error at /surrogates */
	{
		double x[8] = { 1, NAN, 3, 2, NAN, 5, 4, 6 }, s[8], y[5] = { 1, NAN, NAN, NAN, 2 };
		pl_ews_detrend lin = { PL_DETREND_LINEAR, 0 };
		pl_error err = PL_ERROR_INIT;
		ck_assert_int_eq(pl_ews_surrogates(x, 8, &lin, PL_SURROGATE_PHASE, 1, 1, s, &err), PL_OK);
		for (int t = 0; t < 8; t++)
			ck_assert(isnan(x[t]) == isnan(s[t]));
		ck_assert_int_eq(pl_ews_surrogates(y, 5, &lin, PL_SURROGATE_PHASE, 1, 1, s, &err),
				 PL_ERR_INVALID);
		ck_assert_str_eq(err.pointer, "/surrogates");
	}
}
END_TEST

START_TEST(ar1_surrogates_match_the_fit)
{
	enum { N = 4000 };
	static double x[N], s[N];
	tu_rng r = { 4 };
	pl_ews_detrend none = { PL_DETREND_NONE, 0 };
	pl_error err = PL_ERROR_INIT;
	double y = 0, sxy = 0, sxx = 0, mx, ms;

	for (int t = 0; t < N; t++) {
		y = 0.6 * y + gauss(&r);
		x[t] = 10 + y;
	}
	ck_assert_int_eq(pl_ews_surrogates(x, N, &none, PL_SURROGATE_AR1, 1, 3, s, &err), PL_OK);
	mx = direct_mean(x, N);
	ms = direct_mean(s, N);
	ck_assert_double_eq_tol(ms, mx, 0.15);
	for (int t = 1; t < N; t++) {
		sxy += (s[t] - ms) * (s[t - 1] - ms);
		sxx += (s[t - 1] - ms) * (s[t - 1] - ms);
	}
	/* the data's phi is about 0.6 and its variance about 1 / (1 - 0.36) = 1.5625 */
	ck_assert_double_eq_tol(sxy / sxx, 0.6, 0.05);
	ck_assert_double_eq_tol(direct_var(s, N), 1.5625, 0.2);
}
END_TEST

/* Rolling indicators without detrending for day t read days <= t only. */
START_TEST(rolling_no_look_ahead)
{
	tu_rng r = { 8 };
	double x[60], y[60], ox[PL_EWS_NINDICATORS][60], oy[PL_EWS_NINDICATORS][60];
	double *px[PL_EWS_NINDICATORS], *py[PL_EWS_NINDICATORS];
	pl_ews_rolling_options o = PL_EWS_ROLLING_OPTIONS_INIT;
	pl_error err = PL_ERROR_INIT;

	for (int k = 0; k < PL_EWS_NINDICATORS; k++) {
		px[k] = ox[k];
		py[k] = oy[k];
	}
	for (int t = 0; t < 60; t++)
		x[t] = tu_uniform(&r) < 0.2 ? NAN : gauss(&r);
	memcpy(y, x, sizeof(x));
	for (int t = 31; t < 60; t++)
		y[t] = 100 * gauss(&r);
	o.window = 14;
	o.min_obs = 5;
	ck_assert_int_eq(pl_ews_rolling(x, x, 60, &o, px, &err), PL_OK);
	ck_assert_int_eq(pl_ews_rolling(y, y, 60, &o, py, &err), PL_OK);
	for (int k = 0; k < PL_EWS_NINDICATORS; k++)
		for (int t = 0; t <= 30; t++)
			ck_assert(isnan(ox[k][t]) ? isnan(oy[k][t]) : ox[k][t] == oy[k][t]);
}
END_TEST

/* The CLI: same input and seed, byte-identical answers; --seed overrides the input's seed, which
 * is the default without it. */
START_TEST(cli_seed_determinism)
{
	const char *in1 = "{\"series\": [1, 3, 2, 5, 1, 6, 0, 7, 2, 8, null, 9, 1, 10, 0, 12],"
			  " \"window\": 5, \"indicators\": [\"variance\", \"ar1\"],"
			  " \"surrogates\": {\"method\": \"phase\", \"count\": 200}}";
	const char *in2 = "{\"series\": [1, 3, 2, 5, 1, 6, 0, 7, 2, 8, null, 9, 1, 10, 0, 12],"
			  " \"window\": 5, \"indicators\": [\"variance\", \"ar1\"], \"seed\": 5,"
			  " \"surrogates\": {\"method\": \"phase\", \"count\": 200}}";
	const char *a5[] = { "risk", "ews", "--no-timing", "--seed", "5", NULL };
	const char *a6[] = { "risk", "ews", "--no-timing", "--seed", "6", NULL };
	const char *a0[] = { "risk", "ews", "--no-timing", NULL };
	tu_run r1, r2, r3, r4, r5;

	ck_assert_int_eq(tu_run_cli(a5, in1, &r1), 0);
	ck_assert_int_eq(tu_run_cli(a5, in1, &r2), 0);
	ck_assert_int_eq(tu_run_cli(a6, in1, &r3), 0);
	ck_assert_int_eq(tu_run_cli(a6, in2, &r4), 0);
	ck_assert_int_eq(tu_run_cli(a0, in2, &r5), 0);
	ck_assert_int_eq(r1.exit_code, 0);
	ck_assert_str_eq(r1.out, r2.out);
	{
		/* another seed: other surrogates, other p-values (the ar1 trend is not extreme) */
		json_t *d1 = json_loads(r1.out, 0, NULL), *d3 = json_loads(r3.out, 0, NULL);
		json_t *p1 = json_object_get(json_object_get(d1, "p_value"), "ar1");
		json_t *p3 = json_object_get(json_object_get(d3, "p_value"), "ar1");
		ck_assert(json_is_real(p1) && json_is_real(p3));
		ck_assert(json_real_value(p1) != json_real_value(p3));
		json_decref(d1);
		json_decref(d3);
	}
	ck_assert_str_eq(r3.out, r4.out); /* --seed 6 wins over "seed": 5 in the input */
	ck_assert_str_eq(r1.out, r5.out); /* without --seed, the input's "seed": 5 */
	tu_run_release(&r5);
	tu_run_release(&r1);
	tu_run_release(&r2);
	tu_run_release(&r3);
	tu_run_release(&r4);
}
END_TEST

static Suite *ews_suite(void)
{
	Suite *s = suite_create("ews");
	TCase *ind = tcase_create("indicators"), *tau = tcase_create("kendall"),
	      *det = tcase_create("detrend"), *sur = tcase_create("surrogates");

	tcase_add_test(ind, window_by_hand);
	tcase_add_test(ind, window_against_direct_formulas);
	tcase_add_test(ind, window_degenerate);
	tcase_add_test(ind, rolling_alignment_and_missing);
	tcase_add_test(ind, window_points_rule);
	tcase_add_test(ind, rolling_no_look_ahead);
	tcase_add_test(tau, kendall_against_naive);
	tcase_add_test(det, detrend_linear_exact);
	tcase_add_test(det, detrend_smoothers);
	tcase_add_test(det, lag1_pearson);
	tcase_add_test(sur, analyze_matches_parts);
	tcase_add_test(sur, request_limits);
	tcase_add_test(sur, surrogates_deterministic_and_significant);
	tcase_add_test(sur, surrogates_stationary_not_significant);
	tcase_add_test(sur, cli_seed_determinism);
	tcase_add_test(sur, phase_surrogates_keep_spectrum);
	tcase_add_test(sur, ar1_surrogates_match_the_fit);
	suite_add_tcase(s, ind);
	suite_add_tcase(s, tau);
	suite_add_tcase(s, det);
	suite_add_tcase(s, sur);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ews_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
