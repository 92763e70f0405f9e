/*
 * test_logistic.c: IRLS logistic regression and calibration.
 *  - closed form: one binary feature, no penalty: b0 = logit(p0), b1 = logit(p1) - logit(p0);
 *  - the score equations A^T W (y - p) = l2 * (0, beta) hold at the answer, recomputed here;
 *  - a separately written gradient-ascent fit reaches the same coefficients;
 *  - Platt scaling is increasing; isotonic calibration equals the min-max formula of isotonic
 *    regression (Barlow et al. 1972) and is non-decreasing (AUROC: test_metrics);
 *  - the Hessian's two rank-k kernels (cblas_dsyrk and our AVX2/FMA one, logistic_int.h) each
 *    match a long-double H + Z^T Z within the rounding bound of a sum, and fits through either
 *    reach the same coefficients, whichever kernel this CPU would pick by itself.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/risk.h>
#include "logistic_int.h"
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

/* The AVX2 kernel's availability as the CPU itself reports it (the library caches its answer). */
static int cpu_has_avx2_fma(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
	return 0;
#endif
}

/*
 * H0 + Z^T Z by either kernel against the same sum in long double. Tolerance: a sum of m terms
 * in double is within gamma_m * (sum of |terms|) of the exact sum, gamma_m = m u / (1 - m u),
 * u = 2^-53 (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., 2002, eq. 3.5);
 * here m = nb + 1 (the rows' products and H0's element), whatever order a kernel adds them in,
 * plus the long-double reference's own, much smaller, error: 2 gamma_m in all.
 */
START_TEST(syrk_kernels_match_the_sum)
{
	static const size_t qs_[] = { 1, 2, 3, 7, 8, 9, 16, 17, 33 }, nbs[] = { 1, 3, 64, 65, 130 };
	int avx2 = pl__syrk_avx2_available();
	tu_rng r = { 2026 };

	ck_assert_int_eq(avx2, cpu_has_avx2_fma());
	ck_assert_int_eq(pl__syrk_avx2_available(), avx2); /* the cached answer stays */
	if (!avx2)
		fprintf(stderr, "syrk_kernels_match_the_sum: no AVX2/FMA here: BLAS kernel only\n");
	for (size_t a = 0; a < sizeof(qs_) / sizeof(qs_[0]); a++)
		for (size_t b = 0; b < sizeof(nbs) / sizeof(nbs[0]); b++) {
			size_t q = qs_[a], nb = nbs[b], qp = (q + 7) / 8 * 8;
			double *Zq = malloc(nb * q * sizeof(double)), *Zp = calloc(nb * qp, sizeof(double));
			double *H0 = malloc(q * q * sizeof(double)), *Hq = malloc(q * q * sizeof(double));
			double *Hp = calloc(qp * qp, sizeof(double));
			double gamma = (double)(nb + 1) * 0x1p-53 / (1 - (double)(nb + 1) * 0x1p-53);

			for (size_t i = 0; i < nb; i++)
				for (size_t j = 0; j < q; j++)
					Zq[i * q + j] = Zp[i * qp + j] = 2 * tu_uniform(&r) - 1;
			for (size_t j = 0; j < q; j++)
				for (size_t l = 0; l < q; l++)
					H0[j * q + l] = Hq[j * q + l] = Hp[j * qp + l] = 4 * tu_uniform(&r) - 2;
			/* BLAS with the row stride it has in the fits on CPUs without AVX2: q itself */
			ck_assert_int_eq(pl__syrk_upper(PL__SYRK_BLAS, q, q, nb, Zq, Hq), 0);
			ck_assert_int_eq(pl__syrk_upper(PL__SYRK_AVX2, q, qp, nb, Zp, Hp), avx2 ? 0 : -1);
			for (size_t j = 0; j < q; j++)
				for (size_t l = j; l < q; l++) {
					long double sum = H0[j * q + l], mag = fabs(H0[j * q + l]);
					for (size_t i = 0; i < nb; i++) {
						long double t = (long double)Zq[i * q + j] * Zq[i * q + l];
						sum += t;
						mag += fabsl(t);
					}
					ck_assert_msg(fabsl(Hq[j * q + l] - sum) <= 2 * gamma * mag,
						      "q %zu nb %zu H[%zu][%zu]: BLAS %.17g, sum %.17Lg", q, nb,
						      j, l, Hq[j * q + l], sum);
					if (avx2)
						ck_assert_msg(fabsl(Hp[j * qp + l] - sum) <= 2 * gamma * mag,
							      "q %zu nb %zu H[%zu][%zu]: AVX2 %.17g, sum %.17Lg",
							      q, nb, j, l, Hp[j * qp + l], sum);
					else /* not available: H untouched */
						ck_assert(Hp[j * qp + l] == H0[j * q + l]);
				}
			free(Zq);
			free(Zp);
			free(H0);
			free(Hq);
			free(Hp);
		}
	/* the AVX2 kernel needs a row stride that is a multiple of 8 */
	{
		double Z[9] = { 0 }, H[9] = { 0 };
		ck_assert_int_eq(pl__syrk_upper(PL__SYRK_AVX2, 3, 3, 3, Z, H), -1);
	}
}
END_TEST

/*
 * The fit through each kernel, on rows in one block (the 2,048-row chunks of the Hessian's pass)
 * and in three: the same strictly concave problem (l2 > 0) solved to a Newton step of at most
 * 1e-10 (1 + max |beta|), so the kernels' rounding changes the path, not the optimum: the
 * coefficients agree within 1e-8 (1 + |beta|) and the log-likelihood within 1e-10 relative.
 * PL__SYRK_AUTO is, bit for bit, the kernel this CPU has.
 */
START_TEST(fit_kernels_agree)
{
	tu_rng r = { 4242 };
	size_t n = 5000, p = 15, q = p + 1;
	size_t one[2] = { 0, 5000 }, three[4] = { 0, 1700, 3400, 5000 };
	pl_logistic_blocks blk[2] = { { 1, 0, 1, one, NULL }, { 3, 0, 3, three, NULL } };
	double *X = malloc(n * p * sizeof(double)), *y = malloc(n * sizeof(double));
	double *w = malloc(n * sizeof(double));
	int avx2 = pl__syrk_avx2_available();
	pl_error err = PL_ERROR_INIT;

	make_data(&r, n, p, X, y);
	for (size_t i = 0; i < n; i++)
		w[i] = 0.5 + tu_uniform(&r);
	for (int k = 0; k < 2; k++) {
		double bb[16], ba[16], bauto[16];
		pl_logistic_info ib, ia, iauto;
		ck_assert_int_eq(pl__logistic_fit_kernel(X, y, w, p, 0.5, &blk[k], 0, bb, &ib,
							 PL__SYRK_BLAS, &err), PL_OK);
		ck_assert(ib.converged);
		ck_assert_int_eq(pl__logistic_fit_kernel(X, y, w, p, 0.5, &blk[k], 0, bauto, &iauto,
							 PL__SYRK_AUTO, &err), PL_OK);
		if (!avx2) {
			ck_assert_int_eq(pl__logistic_fit_kernel(X, y, w, p, 0.5, &blk[k], 0, ba, &ia,
								 PL__SYRK_AVX2, &err), PL_ERR_INVALID);
			ck_assert(memcmp(bauto, bb, sizeof(bb[0]) * q) == 0);
			continue;
		}
		ck_assert_int_eq(pl__logistic_fit_kernel(X, y, w, p, 0.5, &blk[k], 0, ba, &ia,
							 PL__SYRK_AVX2, &err), PL_OK);
		ck_assert(ia.converged);
		ck_assert(memcmp(bauto, ba, sizeof(ba[0]) * q) == 0);
		ck_assert_msg(fabs(ia.loglik - ib.loglik) <= 1e-10 * fabs(ib.loglik),
			      "log-likelihood: AVX2 %.17g, BLAS %.17g", ia.loglik, ib.loglik);
		for (size_t j = 0; j < q; j++)
			ck_assert_msg(fabs(ba[j] - bb[j]) <= 1e-8 * (1 + fabs(bb[j])),
				      "blocks %d coef %zu: AVX2 %.17g, BLAS %.17g", k, j, ba[j], bb[j]);
	}
	free(X);
	free(y);
	free(w);
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
	tcase_add_test(tc, syrk_kernels_match_the_sum);
	tcase_add_test(tc, fit_kernels_agree);
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
