/*
 * test_paired.c: the paired cluster bootstrap of `risk evaluate --compare`
 * (pl_metrics_reports_paired, issue 12).
 *
 * - Hand case: two scores that rank every row alike (one is a monotone transform of the other)
 *   have the same AUROC and AUPRC on every replicate, so the paired interval is exactly [0, 0]
 *   while each score's own interval is wide: the differences are taken on the same resample.
 * - Recomputation: every replicate redrawn here from the documented generator (rng.h: stream
 *   PL_RNG_BOOTSTRAP, pl_rng_substream_seed(seed, b), clients drawn with gsl_rng_uniform_int),
 *   both AUROCs computed by pl_metrics_auroc on the resample's rows written out, the differences'
 *   2.5% and 97.5% quantiles taken: they equal the library's interval.
 * - Independent formula: with one row per client the bootstrap's spread of the AUROC difference
 *   matches DeLong, DeLong & Clarke-Pearson's variance of two correlated AUROCs (Biometrics
 *   1988) within the Monte Carlo error of 2,000 replicates.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <peerlink/metrics.h>
#include <peerlink/rng.h>
#include "testutil.h"

/* nc clients of `days` rows; score a carries the signal, score b half of it. */
typedef struct cohort {
	size_t nc, n;
	double *a, *b;
	uint8_t *y;
	int32_t *day;
	size_t *rf, *lf;
	int32_t ld[1];
} cohort;

static void cohort_make(cohort *c, size_t nc, size_t days, unsigned long seed)
{
	tu_rng g = { seed };
	c->nc = nc;
	c->n = nc * days;
	c->a = malloc(c->n * sizeof(double));
	c->b = malloc(c->n * sizeof(double));
	c->y = malloc(c->n);
	c->day = malloc(c->n * sizeof(int32_t));
	c->rf = malloc((nc + 1) * sizeof(size_t));
	c->lf = calloc(nc + 1, sizeof(size_t));
	c->ld[0] = 0;
	for (size_t k = 0; k < nc; k++) {
		double risk = tu_uniform(&g);
		c->rf[k] = k * days;
		for (size_t t = 0; t < days; t++) {
			size_t i = k * days + t;
			double noise = tu_uniform(&g);
			c->day[i] = (int32_t)t;
			c->y[i] = tu_uniform(&g) < 0.1 + 0.5 * risk;
			c->a[i] = 0.6 * risk + 0.4 * noise;
			c->b[i] = 0.3 * risk + 0.4 * noise + 0.3 * tu_uniform(&g);
		}
	}
	c->rf[nc] = c->n;
}

static void cohort_free(cohort *c)
{
	free(c->a);
	free(c->b);
	free(c->y);
	free(c->day);
	free(c->rf);
	free(c->lf);
}

static void run_pair(const cohort *c, const double *a, const double *b, size_t B, unsigned long seed,
		     pl_metrics_report *ra, pl_metrics_report *rb, pl_metrics_pair *pr)
{
	pl_eval_data da = { c->nc, c->rf, a, c->y, c->day, c->lf, c->ld, NULL }, db = da;
	pl_metrics_job jobs[2] = { { &da, NULL, 0, ra, 0 }, { &db, NULL, 0, rb, 0 } };
	pl_metrics_options o;
	pl_error err = PL_ERROR_INIT;

	db.score = b;
	pl_metrics_options_init(&o);
	o.bootstrap = B;
	o.seed = seed;
	pr->a = 0;
	pr->b = 1;
	ck_assert_int_eq(pl_metrics_reports_paired(jobs, 2, pr, 1, NULL, 0, &o, &err), PL_OK);
}

START_TEST(test_same_ranking_zero_interval)
{
	cohort c;
	pl_metrics_report ra, rb;
	pl_metrics_pair pr;
	double *logit;

	cohort_make(&c, 60, 10, 4);
	logit = malloc(c.n * sizeof(double));
	for (size_t i = 0; i < c.n; i++) /* a strictly increasing transform of a */
		logit[i] = 0.1 + 0.5 * c.a[i] * c.a[i] * c.a[i];
	run_pair(&c, c.a, logit, 200, 7, &ra, &rb, &pr);
	ck_assert_double_eq(pr.value[PL_MET_AUROC], 0);
	ck_assert_double_eq(pr.lo[PL_MET_AUROC], 0);
	ck_assert_double_eq(pr.hi[PL_MET_AUROC], 0);
	ck_assert_double_eq(pr.lo[PL_MET_AUPRC], 0);
	ck_assert_double_eq(pr.hi[PL_MET_AUPRC], 0);
	ck_assert(ra.hi[PL_MET_AUROC] - ra.lo[PL_MET_AUROC] > 0.05); /* unpaired: wide */
	/* the Brier scores differ row by row, so their difference has a proper interval */
	ck_assert_double_eq_tol(pr.value[PL_MET_BRIER], ra.value[PL_MET_BRIER] - rb.value[PL_MET_BRIER],
				1e-15);
	ck_assert(pr.lo[PL_MET_BRIER] < pr.value[PL_MET_BRIER] && pr.value[PL_MET_BRIER] < pr.hi[PL_MET_BRIER]);
	pl_metrics_report_release(&ra);
	pl_metrics_report_release(&rb);
	free(logit);
	cohort_free(&c);
}
END_TEST

START_TEST(test_recomputed_replicates)
{
	cohort c;
	pl_metrics_report ra, rb;
	pl_metrics_pair pr;
	size_t B = 150, *cnt;
	unsigned long seed = 11;
	double *diff = malloc(B * sizeof(double)), *sa, *sb;
	uint8_t *sy;

	cohort_make(&c, 25, 8, 9);
	run_pair(&c, c.a, c.b, B, seed, &ra, &rb, &pr);
	cnt = malloc(c.nc * sizeof(size_t));
	sa = malloc(c.n * c.nc * sizeof(double));
	sb = malloc(c.n * c.nc * sizeof(double));
	sy = malloc(c.n * c.nc);
	for (size_t b = 0; b < B; b++) {
		gsl_rng *g = pl_rng_new(pl_rng_substream_seed(seed, b), PL_RNG_BOOTSTRAP);
		size_t m = 0;
		memset(cnt, 0, c.nc * sizeof(size_t));
		for (size_t k = 0; k < c.nc; k++)
			cnt[gsl_rng_uniform_int(g, c.nc)]++;
		pl_rng_free(g);
		for (size_t k = 0; k < c.nc; k++) /* the resample written out row by row */
			for (size_t rep = 0; rep < cnt[k]; rep++)
				for (size_t i = c.rf[k]; i < c.rf[k + 1]; i++) {
					sa[m] = c.a[i];
					sb[m] = c.b[i];
					sy[m++] = c.y[i];
				}
		diff[b] = pl_metrics_auroc(sa, sy, m) - pl_metrics_auroc(sb, sy, m);
	}
	gsl_sort(diff, 1, B);
	ck_assert_double_eq_tol(pr.value[PL_MET_AUROC],
				pl_metrics_auroc(c.a, c.y, c.n) - pl_metrics_auroc(c.b, c.y, c.n), 1e-12);
	ck_assert_double_eq_tol(pr.lo[PL_MET_AUROC], gsl_stats_quantile_from_sorted_data(diff, 1, B, 0.025), 1e-12);
	ck_assert_double_eq_tol(pr.hi[PL_MET_AUROC], gsl_stats_quantile_from_sorted_data(diff, 1, B, 0.975), 1e-12);
	pl_metrics_report_release(&ra);
	pl_metrics_report_release(&rb);
	free(cnt);
	free(sa);
	free(sb);
	free(sy);
	free(diff);
	cohort_free(&c);
}
END_TEST

/* DeLong's structural components: V10[i] for positive i = mean over negatives j of psi(x_i, y_j),
 * V01[j] likewise; var(A - B) = s10 / m + s01 / n with s the sample variances of the components'
 * differences (DeLong et al. 1988, eqs. for the covariance of two AUROCs). */
static double delong_sd(const double *a, const double *b, const uint8_t *y, size_t n)
{
	size_t m = 0, k = 0;
	for (size_t i = 0; i < n; i++)
		m += y[i];
	k = n - m;
	double *v10 = calloc(m, sizeof(double)), *v01 = calloc(k, sizeof(double));
	size_t ip = 0;
	for (size_t i = 0; i < n; i++) {
		size_t jn = 0;
		if (!y[i])
			continue;
		for (size_t j = 0; j < n; j++) {
			double pa, pb;
			if (y[j])
				continue;
			pa = a[i] > a[j] ? 1 : a[i] == a[j] ? 0.5 : 0;
			pb = b[i] > b[j] ? 1 : b[i] == b[j] ? 0.5 : 0;
			v10[ip] += (pa - pb) / k;
			v01[jn++] += (pa - pb) / m;
		}
		ip++;
	}
	double var = gsl_stats_variance(v10, 1, m) / m + gsl_stats_variance(v01, 1, k) / k;
	free(v10);
	free(v01);
	return sqrt(var);
}

START_TEST(test_delong_agreement)
{
	cohort c;
	pl_metrics_report ra, rb;
	pl_metrics_pair pr;
	double sd, half;

	cohort_make(&c, 400, 1, 21); /* one row per client: the bootstrap resamples rows */
	run_pair(&c, c.a, c.b, 2000, 5, &ra, &rb, &pr);
	sd = delong_sd(c.a, c.b, c.y, c.n);
	half = (pr.hi[PL_MET_AUROC] - pr.lo[PL_MET_AUROC]) / 2;
	ck_assert_msg(fabs(half / (1.959964 * sd) - 1) < 0.15,
		      "bootstrap half-width %g, DeLong 1.96 sd %g", half, 1.959964 * sd);
	ck_assert(pr.lo[PL_MET_AUROC] < pr.value[PL_MET_AUROC] && pr.value[PL_MET_AUROC] < pr.hi[PL_MET_AUROC]);
	pl_metrics_report_release(&ra);
	pl_metrics_report_release(&rb);
	cohort_free(&c);
}
END_TEST

START_TEST(test_bad_pair)
{
	cohort c;
	pl_metrics_report ra;
	pl_eval_data da;
	pl_metrics_job job = { &da, NULL, 0, &ra, 0 };
	pl_metrics_pair pr = { 0, 3, { 0 }, { 0 }, { 0 } };
	pl_metrics_options o;
	pl_error err = PL_ERROR_INIT;

	cohort_make(&c, 5, 3, 1);
	da = (pl_eval_data){ c.nc, c.rf, c.a, c.y, c.day, c.lf, c.ld, NULL };
	pl_metrics_options_init(&o);
	ck_assert_int_eq(pl_metrics_reports_paired(&job, 1, &pr, 1, NULL, 0, &o, &err), PL_ERR_INTERNAL);
	cohort_free(&c);
}
END_TEST

static Suite *paired_suite(void)
{
	Suite *s = suite_create("paired");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_same_ranking_zero_interval);
	tcase_add_test(tc, test_recomputed_replicates);
	tcase_add_test(tc, test_delong_agreement);
	tcase_add_test(tc, test_bad_pair);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(paired_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
