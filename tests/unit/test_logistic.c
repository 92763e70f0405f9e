/*
 * test_logistic.c: IRLS logistic regression and calibration.
 *  - closed form: one binary feature, no penalty: b0 = logit(p0), b1 = logit(p1) - logit(p0);
 *  - the score equations A^T W (y - p) = l2 * (0, beta) hold at the answer, recomputed here;
 *  - a separately written gradient-ascent fit reaches the same coefficients;
 *  - Platt scaling is increasing; isotonic calibration equals the min-max formula of isotonic
 *    regression (Barlow et al. 1972) and is non-decreasing (AUROC: test_metrics).
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/risk.h>
#include "testutil.h"

static double sigm(double z)
{
	return 1.0 / (1.0 + exp(-z));
}

START_TEST(closed_form_binary_feature)
{
	/* x = 0: 3 of 10 positive; x = 1: 8 of 10 positive. */
	double X[20], y[20], beta[2];
	pl_logistic_info info;
	pl_error err = PL_ERROR_INIT;

	for (int i = 0; i < 20; i++) {
		X[i] = i < 10 ? 0 : 1;
		y[i] = i < 10 ? (i < 3) : (i < 18);
	}
	ck_assert_int_eq(pl_logistic_fit(X, y, NULL, 20, 1, 0.0, beta, &info, &err), PL_OK);
	ck_assert(info.converged);
	ck_assert_double_eq_tol(beta[0], log(0.3 / 0.7), 1e-9);
	ck_assert_double_eq_tol(beta[1], log(0.8 / 0.2) - log(0.3 / 0.7), 1e-9);
}
END_TEST

static void make_data(tu_rng *r, size_t n, size_t p, double *X, double *y)
{
	for (size_t i = 0; i < n; i++) {
		double eta = -1.0;
		for (size_t j = 0; j < p; j++) {
			X[i * p + j] = 2 * tu_uniform(r) - 1;
			eta += (j % 2 ? -1.0 : 1.5) * X[i * p + j];
		}
		y[i] = tu_uniform(r) < sigm(eta) ? 1 : 0;
	}
}

START_TEST(score_equations_hold)
{
	tu_rng r = { 99 };
	size_t n = 500, p = 6;
	double *X = malloc(n * p * sizeof(double)), *y = malloc(n * sizeof(double)), beta[7];
	double l2s[3] = { 0.0, 1.0, 25.0 };
	pl_error err = PL_ERROR_INIT;

	make_data(&r, n, p, X, y);
	for (int k = 0; k < 3; k++) {
		double g[7] = { 0 };
		pl_logistic_info info;
		ck_assert_int_eq(pl_logistic_fit(X, y, NULL, n, p, l2s[k], beta, &info, &err), PL_OK);
		ck_assert(info.converged);
		for (size_t i = 0; i < n; i++) {
			double eta = beta[0];
			for (size_t j = 0; j < p; j++)
				eta += beta[j + 1] * X[i * p + j];
			double res = y[i] - sigm(eta);
			g[0] += res;
			for (size_t j = 0; j < p; j++)
				g[j + 1] += res * X[i * p + j];
		}
		for (size_t j = 1; j <= p; j++)
			g[j] -= l2s[k] * beta[j];
		for (size_t j = 0; j <= p; j++)
			ck_assert_msg(fabs(g[j]) < 1e-8, "l2 %g: score equation %zu = %g", l2s[k], j, g[j]);
	}
	free(X);
	free(y);
}
END_TEST

/* Plain gradient ascent on the penalized log-likelihood, written independently of IRLS. */
static void gradient_ascent(const double *X, const double *y, const double *w, size_t n, size_t p,
			    double l2, double *beta)
{
	double *g = malloc((p + 1) * sizeof(double));
	memset(beta, 0, (p + 1) * sizeof(double));
	for (int it = 0; it < 60000; it++) {
		memset(g, 0, (p + 1) * sizeof(double));
		for (size_t i = 0; i < n; i++) {
			double eta = beta[0];
			for (size_t j = 0; j < p; j++)
				eta += beta[j + 1] * X[i * p + j];
			double res = (w ? w[i] : 1) * (y[i] - sigm(eta));
			g[0] += res;
			for (size_t j = 0; j < p; j++)
				g[j + 1] += res * X[i * p + j];
		}
		for (size_t j = 1; j <= p; j++)
			g[j] -= l2 * beta[j];
		for (size_t j = 0; j <= p; j++)
			beta[j] += 2.0 / (double)n * g[j];
	}
	free(g);
}

START_TEST(agrees_with_gradient_ascent)
{
	tu_rng r = { 7 };
	size_t n = 200, p = 3;
	double X[600], y[200], w[200], a[4], b[4];
	pl_error err = PL_ERROR_INIT;

	make_data(&r, n, p, X, y);
	for (size_t i = 0; i < n; i++)
		w[i] = 0.5 + tu_uniform(&r);
	ck_assert_int_eq(pl_logistic_fit(X, y, w, n, p, 2.0, a, NULL, &err), PL_OK);
	gradient_ascent(X, y, w, n, p, 2.0, b);
	for (size_t j = 0; j <= p; j++)
		ck_assert_msg(fabs(a[j] - b[j]) < 1e-6, "coef %zu: IRLS %g, gradient %g", j, a[j], b[j]);
}
END_TEST

START_TEST(separable_needs_penalty)
{
	double X[6] = { -3, -2, -1, 1, 2, 3 }, y[6] = { 0, 0, 0, 1, 1, 1 }, beta[2];
	pl_error err = PL_ERROR_INIT;

	/* No finite MLE: IRLS must stop with an error rather than loop or return garbage. */
	ck_assert_int_ne(pl_logistic_fit(X, y, NULL, 6, 1, 0.0, beta, NULL, &err), PL_OK);
	ck_assert_int_eq(pl_logistic_fit(X, y, NULL, 6, 1, 0.1, beta, NULL, &err), PL_OK);
	ck_assert(beta[1] > 0);
}
END_TEST

START_TEST(constant_feature_without_penalty_is_reported)
{
	/* A constant feature duplicates the intercept: with l2 = 0 the Hessian is singular. The
	 * library must answer with a status, not call GSL's error handler (whose default aborts);
	 * this binary's main() leaves that handler as GSL installs it (issue 9). */
	double X[8 * 2], y[8] = { 0, 1, 0, 1, 1, 0, 0, 1 }, beta[3];
	pl_error err = PL_ERROR_INIT;

	for (int i = 0; i < 8; i++) {
		X[2 * i] = 2.5;
		X[2 * i + 1] = i % 3;
	}
	ck_assert_int_eq(pl_logistic_fit(X, y, NULL, 8, 2, 0.0, beta, NULL, &err), PL_ERR_INFEASIBLE);
	ck_assert_ptr_nonnull(strstr(err.message, "singular"));
	ck_assert_int_eq(pl_logistic_fit(X, y, NULL, 8, 2, 1.0, beta, NULL, &err), PL_OK);
}
END_TEST

START_TEST(platt_is_increasing_and_fits)
{
	tu_rng r = { 3 };
	size_t n = 2000;
	double *s = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
	pl_calibration cal;
	pl_error err = PL_ERROR_INIT;

	/* True probability sigmoid(0.5 s - 1): Platt should recover about a = 0.5, b = -1. */
	for (size_t i = 0; i < n; i++) {
		s[i] = 8 * tu_uniform(&r) - 4;
		y[i] = tu_uniform(&r) < sigm(0.5 * s[i] - 1) ? 1 : 0;
	}
	ck_assert_int_eq(pl_calibration_fit_platt(s, y, n, &cal, &err), PL_OK);
	ck_assert_int_eq(cal.method, PL_CAL_PLATT);
	ck_assert_double_eq_tol(cal.a, 0.5, 0.12);
	ck_assert_double_eq_tol(cal.b, -1.0, 0.2);
	for (double z = -10; z < 10; z += 0.5)
		ck_assert(pl_calibration_apply(&cal, z + 0.5) > pl_calibration_apply(&cal, z));
	free(s);
	free(y);
}
END_TEST

START_TEST(platt_never_reverses_the_ranking)
{
	tu_rng r = { 5 };
	size_t n = 1000;
	double *s = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double)), npos = 0;
	pl_calibration cal;
	pl_error err = PL_ERROR_INIT;

	/* Scores that run against the outcome (true probability sigmoid(-0.8 s - 2)): the free fit
	 * would give a < 0; the calibrator holds a = 0 and answers the smoothed base rate. */
	for (size_t i = 0; i < n; i++) {
		s[i] = 8 * tu_uniform(&r) - 4;
		y[i] = tu_uniform(&r) < sigm(-0.8 * s[i] - 2) ? 1 : 0;
		npos += y[i];
	}
	ck_assert_int_eq(pl_calibration_fit_platt(s, y, n, &cal, &err), PL_OK);
	ck_assert_double_eq(cal.a, 0.0);
	/* Mean smoothed target: (N+ (N+ + 1)/(N+ + 2) + N- / (N- + 2)) / n. */
	double nneg = (double)n - npos;
	double base = (npos * (npos + 1) / (npos + 2) + nneg / (nneg + 2)) / (double)n;
	ck_assert_double_eq_tol(pl_calibration_apply(&cal, -3.0), base, 1e-12);
	ck_assert_double_eq_tol(pl_calibration_apply(&cal, 3.0), base, 1e-12);
	free(s);
	free(y);
}
END_TEST

/* Isotonic regression at point i (sorted by score, distinct scores, unit weights):
 * f_i = max_{j <= i} min_{k >= i} mean(y_j..y_k). */
static double minmax_isotonic(const double *y, int n, int i)
{
	double best = -INFINITY;
	for (int j = 0; j <= i; j++) {
		double lo = INFINITY;
		for (int k = i; k < n; k++) {
			double s = 0;
			for (int q = j; q <= k; q++)
				s += y[q];
			lo = fmin(lo, s / (k - j + 1));
		}
		best = fmax(best, lo);
	}
	return best;
}

START_TEST(isotonic_matches_minmax_formula)
{
	tu_rng r = { 17 };
	for (int rep = 0; rep < 40; rep++) {
		int n = 5 + rep % 20;
		double s[30], y[30];
		pl_calibration cal;
		pl_error err = PL_ERROR_INIT;
		for (int i = 0; i < n; i++) {
			s[i] = i + 0.25 * tu_uniform(&r); /* increasing, distinct */
			y[i] = tu_uniform(&r) < 0.2 + 0.6 * i / n ? 1 : 0;
		}
		/* Shuffle the input order: the fit must sort. */
		for (int i = n - 1; i > 0; i--) {
			int k = (int)tu_range(&r, 0, i);
			double t = s[i]; s[i] = s[k]; s[k] = t;
			t = y[i]; y[i] = y[k]; y[k] = t;
		}
		ck_assert_int_eq(pl_calibration_fit_isotonic(s, y, (size_t)n, &cal, &err), PL_OK);
		/* Re-sort for the formula. */
		double ss[30], ys[30];
		for (int i = 0; i < n; i++) {
			int rank = 0;
			for (int k = 0; k < n; k++)
				rank += s[k] < s[i];
			ss[rank] = s[i];
			ys[rank] = y[i];
		}
		for (int i = 0; i < n; i++)
			ck_assert_double_eq_tol(pl_calibration_apply(&cal, ss[i]), minmax_isotonic(ys, n, i), 1e-12);
		for (double z = -2; z < n + 2; z += 0.1)
			ck_assert(pl_calibration_apply(&cal, z + 0.1) >= pl_calibration_apply(&cal, z));
		pl_calibration_release(&cal);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("logistic");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, closed_form_binary_feature);
	tcase_add_test(tc, score_equations_hold);
	tcase_add_test(tc, agrees_with_gradient_ascent);
	tcase_add_test(tc, separable_needs_penalty);
	tcase_add_test(tc, constant_feature_without_penalty_is_reported);
	tcase_add_test(tc, platt_is_increasing_and_fits);
	tcase_add_test(tc, platt_never_reverses_the_ranking);
	tcase_add_test(tc, isotonic_matches_minmax_formula);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
