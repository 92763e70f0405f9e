/*
 * test_fft.c: the real FFT behind risk ews's phase surrogates (engine/core/fft.c), against two
 * independent oracles: the DFT summed term by term, and GSL's mixed-radix gsl_fft_real_*, which
 * uses the same halfcomplex layout (allocated with plenty of memory here, so its error handler is
 * never reached). Lengths cover powers of two (radix-2 path), primes, odd and even composites
 * (Bluestein path) and the degenerate 1 and 2.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_fft_halfcomplex.h>
#include <gsl/gsl_fft_real.h>

#include "core/fft.h"
#include "testutil.h"

static const size_t lengths[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 17, 31, 64, 97, 100, 128, 365, 1000, 1024 };
#define NLEN (sizeof(lengths) / sizeof(lengths[0]))

static double *random_series(size_t n, uint64_t seed)
{
	tu_rng r = { seed };
	double *x = malloc(n * sizeof(double));
	for (size_t t = 0; t < n; t++)
		x[t] = 10.0 * tu_uniform(&r) - 5.0 + (double)(t % 7);
	return x;
}

/* The DFT by its definition, in the halfcomplex layout, summed in long double. */
static void naive_halfcomplex(const double *x, size_t n, double *out)
{
	for (size_t k = 0; 2 * k <= n; k++) {
		long double re = 0, im = 0;
		for (size_t t = 0; t < n; t++) {
			long double th = -2.0L * 3.141592653589793238462643383279502884L *
					 (long double)((k * t) % n) / (long double)n;
			re += (long double)x[t] * cosl(th);
			im += (long double)x[t] * sinl(th);
		}
		if (k == 0)
			out[0] = (double)re;
		else if (2 * k < n) {
			out[2 * k - 1] = (double)re;
			out[2 * k] = (double)im;
		} else {
			out[n - 1] = (double)re; /* the Nyquist term, n even */
		}
	}
}

static double max_abs(const double *x, size_t n)
{
	double m = 0;
	for (size_t t = 0; t < n; t++)
		if (fabs(x[t]) > m)
			m = fabs(x[t]);
	return m;
}

START_TEST(forward_matches_definition)
{
	for (size_t li = 0; li < NLEN; li++) {
		size_t n = lengths[li];
		double *x = random_series(n, 11 + n), *want = malloc(n * sizeof(double));
		pl_fft *p = pl_fft_new(n);
		double scale;
		ck_assert_ptr_nonnull(p);
		naive_halfcomplex(x, n, want);
		pl_fft_forward(p, x);
		scale = max_abs(want, n);
		for (size_t k = 0; k < n; k++)
			ck_assert_msg(fabs(x[k] - want[k]) <= 1e-12 * scale, "n=%zu k=%zu: %.17g vs %.17g",
				      n, k, x[k], want[k]);
		pl_fft_free(p);
		free(x);
		free(want);
	}
}
END_TEST

START_TEST(matches_gsl_both_ways)
{
	for (size_t li = 0; li < NLEN; li++) {
		size_t n = lengths[li];
		double *x = random_series(n, 5 + n), *ours = malloc(n * sizeof(double));
		double *gsl = malloc((n + 1) * sizeof(double)); /* +1: gcc cannot see n > 0 */
		gsl_fft_real_wavetable *rw = gsl_fft_real_wavetable_alloc(n);
		gsl_fft_halfcomplex_wavetable *hw = gsl_fft_halfcomplex_wavetable_alloc(n);
		gsl_fft_real_workspace *ws = gsl_fft_real_workspace_alloc(n);
		pl_fft *p = pl_fft_new(n);
		double scale;

		ck_assert_ptr_nonnull(p);
		for (size_t t = 0; t < n; t++)
			ours[t] = gsl[t] = x[t];
		pl_fft_forward(p, ours);
		ck_assert_int_eq(gsl_fft_real_transform(gsl, 1, n, rw, ws), 0);
		scale = max_abs(gsl, n);
		for (size_t k = 0; k < n; k++)
			ck_assert_msg(fabs(ours[k] - gsl[k]) <= 1e-12 * scale, "forward n=%zu k=%zu", n, k);
		/* a spectrum with every phase changed, as a surrogate makes it, back to a series */
		for (size_t k = 1; 2 * k < n; k++) {
			double amp = hypot(gsl[2 * k - 1], gsl[2 * k]), th = 0.7 * (double)k;
			ours[2 * k - 1] = gsl[2 * k - 1] = amp * cos(th);
			ours[2 * k] = gsl[2 * k] = amp * sin(th);
		}
		pl_fft_inverse(p, ours);
		ck_assert_int_eq(gsl_fft_halfcomplex_inverse(gsl, 1, n, hw, ws), 0);
		scale = max_abs(gsl, n);
		for (size_t t = 0; t < n; t++)
			ck_assert_msg(fabs(ours[t] - gsl[t]) <= 1e-12 * (scale > 1 ? scale : 1),
				      "inverse n=%zu t=%zu", n, t);
		pl_fft_free(p);
		gsl_fft_real_wavetable_free(rw);
		gsl_fft_halfcomplex_wavetable_free(hw);
		gsl_fft_real_workspace_free(ws);
		free(x);
		free(ours);
		free(gsl);
	}
}
END_TEST

START_TEST(round_trip_and_reuse)
{
	for (size_t li = 0; li < NLEN; li++) {
		size_t n = lengths[li];
		double *x = random_series(n, 99 + n), *y = malloc(n * sizeof(double));
		pl_fft *p = pl_fft_new(n);
		ck_assert_ptr_nonnull(p);
		for (int rep = 0; rep < 3; rep++) { /* a plan is reusable */
			for (size_t t = 0; t < n; t++)
				y[t] = x[t];
			pl_fft_forward(p, y);
			pl_fft_inverse(p, y);
			for (size_t t = 0; t < n; t++)
				ck_assert_msg(fabs(y[t] - x[t]) <= 1e-12 * 16, "n=%zu t=%zu", n, t);
		}
		pl_fft_free(p);
		free(x);
		free(y);
	}
}
END_TEST

START_TEST(bad_lengths)
{
	ck_assert_ptr_null(pl_fft_new(0));
	ck_assert_ptr_null(pl_fft_new((size_t)1 << 40));
	pl_fft_free(NULL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fft");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, forward_matches_definition);
	tcase_add_test(tc, matches_gsl_both_ways);
	tcase_add_test(tc, round_trip_and_reuse);
	tcase_add_test(tc, bad_lengths);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
