/*
 * test_metrics.c: every metric against values computed by hand (shown in the comments), against
 * brute-force O(n^2) definitions on random data with many ties, and on the edge cases: ties,
 * all-positive, all-negative, a single client, an empty set.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/metrics.h>
#include "testutil.h"

#define EPS 1e-12

START_TEST(test_auroc_hand)
{
	/* pairs (pos, neg): (.9,.8) win, (.9,.6) win, (.7,.8) loss, (.7,.6) win: 3/4 */
	double s[] = { 0.9, 0.8, 0.7, 0.6 };
	uint8_t y[] = { 1, 0, 1, 0 };
	/* ties: positive .5 against .5 (half), .5 (half), .2 (win): 2/3 */
	double t[] = { 0.5, 0.5, 0.5, 0.2 };
	uint8_t ty[] = { 1, 0, 0, 0 };
	double all[] = { 0.3, 0.3, 0.3 };
	uint8_t ally[] = { 1, 0, 1 };

	ck_assert_double_eq_tol(pl_metrics_auroc(s, y, 4), 0.75, EPS);
	ck_assert_double_eq_tol(pl_metrics_auroc(t, ty, 4), 2.0 / 3.0, EPS);
	ck_assert_double_eq_tol(pl_metrics_auroc(all, ally, 3), 0.5, EPS);
}
END_TEST

START_TEST(test_one_class)
{
	double s[] = { 0.9, 0.1, 0.4 };
	uint8_t pos[] = { 1, 1, 1 }, neg[] = { 0, 0, 0 };

	ck_assert(isnan(pl_metrics_auroc(s, pos, 3)));
	ck_assert(isnan(pl_metrics_auroc(s, neg, 3)));
	ck_assert_double_eq_tol(pl_metrics_auprc(s, pos, 3), 1.0, EPS); /* precision 1 everywhere */
	ck_assert(isnan(pl_metrics_auprc(s, neg, 3)));
	/* Brier of the all-negative set: (.81 + .01 + .16) / 3 */
	ck_assert_double_eq_tol(pl_metrics_brier(s, neg, 3), 0.98 / 3, EPS);
	ck_assert(isnan(pl_metrics_auroc(s, pos, 0)));
	ck_assert(isnan(pl_metrics_brier(s, pos, 0)));
}
END_TEST

START_TEST(test_auprc_hand)
{
	/* R: .5 at .9 (P 1), 1 at .7 (P 2/3): AP = .5 * 1 + .5 * 2/3 */
	double s[] = { 0.9, 0.8, 0.7, 0.6 };
	uint8_t y[] = { 1, 0, 1, 0 };
	/* the tied group {.5, .5} is one threshold: R 0 -> 1 at P = 1/3 */
	double t[] = { 0.9, 0.5, 0.5 };
	uint8_t ty[] = { 0, 1, 0 };

	ck_assert_double_eq_tol(pl_metrics_auprc(s, y, 4), 0.5 + 1.0 / 3.0, EPS);
	ck_assert_double_eq_tol(pl_metrics_auprc(t, ty, 3), 1.0 / 3.0, EPS);
}
END_TEST

START_TEST(test_brier_ece_confusion_hand)
{
	double p[] = { 0.2, 0.8 };
	uint8_t y[] = { 0, 1 };
	/* bins of width .1: bin 0 {.05 y0, .05 y1}: |.05 - .5| * 2/4 = .225; bin 1 {.15 y0}:
	 * .15 / 4 = .0375; bin 9 {.95 y1}: .05 / 4 = .0125; ECE = .275 */
	double q[] = { 0.05, 0.05, 0.15, 0.95 };
	uint8_t qy[] = { 0, 1, 0, 1 };
	pl_reliability_bin bins[10];
	double s[] = { 0.9, 0.8, 0.7, 0.6 };
	uint8_t sy[] = { 1, 0, 1, 0 };
	pl_confusion c;

	ck_assert_double_eq_tol(pl_metrics_brier(p, y, 2), 0.04, EPS);
	ck_assert_double_eq_tol(pl_metrics_ece(q, qy, 4, 10, bins), 0.275, EPS);
	ck_assert_uint_eq(bins[0].n, 2);
	ck_assert_double_eq_tol(bins[0].mean_predicted, 0.05, EPS);
	ck_assert_double_eq_tol(bins[0].observed_rate, 0.5, EPS);
	ck_assert_uint_eq(bins[5].n, 0);
	ck_assert(isnan(bins[5].mean_predicted));
	ck_assert_double_eq_tol(bins[9].lo, 0.9, EPS);
	ck_assert_uint_eq(bins[9].n, 1);
	/* adaptive, 2 bins: {.1 .2} predicted .15 observed 0, {.3 .4} .35 vs 1: (.15 + .65) / 2 = .4;
	 * 3 bins of 4 rows: cuts after 4/3 rows -> {.1 .2} (2 rows), then after 8/3 -> {.3} closes
	 * at 3 >= 8/3, then {.4}: (|.3 - 0| ... computed: bin1 .15*2=.3 total, bin2 |.3-1|=.7,
	 * bin3 |.4-1|=.6: (.3 + .7 + .6) / 4 = .4 */
	{
		double a[] = { 0.3, 0.1, 0.4, 0.2 };
		uint8_t ay[] = { 1, 0, 1, 0 };
		double t[] = { 0.5, 0.5, 0.5, 0.9 };
		uint8_t ty[] = { 0, 1, 1, 1 };
		ck_assert_double_eq_tol(pl_metrics_ece_adaptive(a, ay, 4, 2), 0.4, EPS);
		ck_assert_double_eq_tol(pl_metrics_ece_adaptive(a, ay, 4, 3), 0.4, EPS);
		/* ties are one bin: {.5 x3} observed 2/3: |1.5 - 2| = .5; {.9}: .1: (.5 + .1) / 4 */
		ck_assert_double_eq_tol(pl_metrics_ece_adaptive(t, ty, 4, 4), 0.15, EPS);
		ck_assert(isnan(pl_metrics_ece_adaptive(t, ty, 0, 4)));
	}
	/* p = 1 falls in the last bin, p = 0 in the first */
	{
		double e[] = { 0.0, 1.0 };
		uint8_t ey[] = { 0, 1 };
		ck_assert_double_eq_tol(pl_metrics_ece(e, ey, 2, 10, bins), 0.0, EPS);
		ck_assert_uint_eq(bins[0].n, 1);
		ck_assert_uint_eq(bins[9].n, 1);
	}
	/* threshold .7: .9 tp, .8 fp, .7 tp (>=), .6 tn */
	pl_metrics_confusion(s, sy, 4, 0.7, &c);
	ck_assert_uint_eq(c.tp, 2);
	ck_assert_uint_eq(c.fp, 1);
	ck_assert_uint_eq(c.tn, 1);
	ck_assert_uint_eq(c.fn, 0);
	ck_assert_double_eq_tol(c.sensitivity, 1.0, EPS);
	ck_assert_double_eq_tol(c.specificity, 0.5, EPS);
	ck_assert_double_eq_tol(c.ppv, 2.0 / 3.0, EPS);
	pl_metrics_confusion(s, sy, 4, 0.95, &c);
	ck_assert(isnan(c.ppv)); /* no alerts */
}
END_TEST

/* O(n^2) definitions on random data where most scores tie. */
START_TEST(test_brute_force)
{
	tu_rng r = { 77 };
	for (int rep = 0; rep < 30; rep++) {
		size_t n = (size_t)tu_range(&r, 1, 60);
		double *s = malloc(n * sizeof(double)), u = 0, np = 0, nn = 0, ap = 0;
		uint8_t *y = malloc(n);
		for (size_t i = 0; i < n; i++) {
			s[i] = (double)tu_range(&r, 0, 5) / 5.0;
			y[i] = tu_uniform(&r) < 0.3;
			np += y[i];
			nn += !y[i];
		}
		for (size_t i = 0; i < n; i++) {
			if (!y[i])
				continue;
			double above = 0, tp = 0;
			for (size_t j = 0; j < n; j++) {
				if (!y[j])
					u += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
				if (s[j] >= s[i]) {
					above++;
					tp += y[j];
				}
			}
			ap += tp / above; /* precision at this positive's threshold, ties included */
		}
		if (np > 0 && nn > 0)
			ck_assert_double_eq_tol(pl_metrics_auroc(s, y, n), u / (np * nn), 1e-12);
		else
			ck_assert(isnan(pl_metrics_auroc(s, y, n)));
		if (np > 0)
			ck_assert_double_eq_tol(pl_metrics_auprc(s, y, n), ap / np, 1e-12);
		free(s);
		free(y);
	}
}
END_TEST

/* Two clients, worked by hand:
 *   A: days 0..6, scores .1 .1 .6 .2 .7 .8 .1, labels 0 0 1 1 1 1 1, lapse on day 7
 *   B: days 0..6, scores .1 everywhere, labels 1 1 1 0 0 0 0, lapses on days 3 and 20
 * High threshold .5 (moderate .15). A's lapse: first alert in [-21, 6] is day 2: lead 5. B's first
 * lapse: window [-25, 2] has rows, no alert; its second: window cut at the first lapse, [4, 19],
 * has rows 4..6, no alert. Evaluable 3, detected 1, median lead 5. Alerts at .5: 3 rows in 14
 * client-days = 2 client-weeks: 1.5 per client-week. Positives 8; high: tp 3 (.6 .7 .8) fp 0.
 * Moderate .15: alerts .6 .2 .7 .8 (all positive): sens 4/8, ppv 1, spec 6/6. Budget of one alert
 * per client-week: 2 alerts, the top two (.8, .7): threshold .7, sens 2/8, ppv 1. */
static const double two_score[] = { .1, .1, .6, .2, .7, .8, .1, .1, .1, .1, .1, .1, .1, .1 };
static const uint8_t two_label[] = { 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0 };
static const int32_t two_day[] = { 0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6 };
static const size_t two_rows[] = { 0, 7, 14 };
static const size_t two_lfirst[] = { 0, 1, 3 };
static const int32_t two_lday[] = { 7, 3, 20 };

static pl_eval_data two_clients(void)
{
	pl_eval_data d = { 2, two_rows, two_score, two_label, two_day, two_lfirst, two_lday, NULL };
	return d;
}

START_TEST(test_report_hand)
{
	pl_eval_data d = two_clients();
	pl_metrics_options o;
	pl_metrics_report r = PL_METRICS_REPORT_INIT;
	pl_error err = PL_ERROR_INIT;

	pl_metrics_options_init(&o);
	o.threshold_moderate = 0.15;
	o.threshold_high = 0.5;
	o.budget_weeks = 1;
	o.bootstrap = 0;
	ck_assert_int_eq(pl_metrics_report_compute(&d, NULL, 0, &o, &r, &err), PL_OK);
	ck_assert_uint_eq(r.clients, 2);
	ck_assert_uint_eq(r.rows, 14);
	ck_assert_uint_eq(r.positives, 8);
	ck_assert_uint_eq(r.lapses_evaluable, 3);
	ck_assert_uint_eq(r.lapses_detected, 1);
	ck_assert_double_eq_tol(r.value[PL_MET_LEAD_MEDIAN], 5, EPS);
	ck_assert_double_eq_tol(r.value[PL_MET_LAPSES_DETECTED], 1.0 / 3.0, EPS);
	ck_assert_double_eq_tol(r.value[PL_MET_HIGH_ALERTS], 1.5, EPS);
	ck_assert_double_eq_tol(r.value[PL_MET_HIGH_SENS], 3.0 / 8.0, EPS);
	ck_assert_double_eq_tol(r.value[PL_MET_HIGH_PPV], 1.0, EPS);
	ck_assert_double_eq_tol(r.value[PL_MET_HIGH_SPEC], 1.0, EPS);
	ck_assert_double_eq_tol(r.value[PL_MET_MOD_SENS], 0.5, EPS);
	ck_assert_double_eq_tol(r.value[PL_MET_MOD_ALERTS], 2.0, EPS);
	ck_assert_double_eq_tol(r.value[PL_MET_BUDGET_THRESHOLD], 0.7, EPS);
	ck_assert_double_eq_tol(r.value[PL_MET_BUDGET_SENS], 0.25, EPS);
	ck_assert_double_eq_tol(r.value[PL_MET_BUDGET_PPV], 1.0, EPS);
	ck_assert_double_eq_tol(r.value[PL_MET_BUDGET_ALERTS], 1.0, EPS);
	ck_assert_double_eq_tol(r.value[PL_MET_PREVALENCE], 8.0 / 14.0, EPS);
	ck_assert_double_eq_tol(r.value[PL_MET_AUROC], pl_metrics_auroc(two_score, two_label, 14), EPS);
	ck_assert(isnan(r.lo[PL_MET_AUROC]));

	/* the same tiers given per row (as cross-validation does) give the same answers */
	{
		static const int8_t tier[] = { 0, 0, 2, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0 };
		pl_metrics_report rt = PL_METRICS_REPORT_INIT;
		pl_metrics_options ot = o;
		d.tier = tier;
		ot.threshold_moderate = ot.threshold_high = 2.0; /* ignored when tiers are given */
		ck_assert_int_eq(pl_metrics_report_compute(&d, NULL, 0, &ot, &rt, &err), PL_OK);
		for (int m = 0; m < PL_MET_COUNT; m++)
			if (!isnan(r.value[m]))
				ck_assert_double_eq_tol(rt.value[m], r.value[m], EPS);
		ck_assert_uint_eq(rt.lapses_detected, 1);
		pl_metrics_report_release(&rt);
		d.tier = NULL;
	}
	pl_metrics_report_release(&r);

	/* repeating client A twice weighs its rows twice */
	{
		size_t list[] = { 0, 0, 1 };
		ck_assert_int_eq(pl_metrics_report_compute(&d, list, 3, &o, &r, &err), PL_OK);
		ck_assert_uint_eq(r.rows, 21);
		ck_assert_uint_eq(r.lapses_detected, 2);
		ck_assert_double_eq_tol(r.value[PL_MET_HIGH_ALERTS], 6.0 / 3.0, EPS);
		pl_metrics_report_release(&r);
	}
}
END_TEST

/* One client: every bootstrap replicate is that client, so each interval is the point value. */
START_TEST(test_single_client)
{
	pl_eval_data d = two_clients();
	pl_metrics_options o;
	pl_metrics_report r = PL_METRICS_REPORT_INIT;
	pl_error err = PL_ERROR_INIT;
	size_t only_a[] = { 0 };

	pl_metrics_options_init(&o);
	o.bootstrap = 50;
	ck_assert_int_eq(pl_metrics_report_compute(&d, only_a, 1, &o, &r, &err), PL_OK);
	ck_assert_uint_eq(r.rows, 7);
	ck_assert_double_eq_tol(r.lo[PL_MET_AUROC], r.value[PL_MET_AUROC], EPS);
	ck_assert_double_eq_tol(r.hi[PL_MET_BRIER], r.value[PL_MET_BRIER], EPS);
	ck_assert_double_eq_tol(r.hi[PL_MET_LEAD_MEDIAN], 5, EPS);
	pl_metrics_report_release(&r);

	/* client B alone: A's rows weigh nothing */
	{
		size_t only_b[] = { 1 };
		ck_assert_int_eq(pl_metrics_report_compute(&d, only_b, 1, &o, &r, &err), PL_OK);
		ck_assert_double_eq_tol(r.value[PL_MET_AUROC], 0.5, EPS); /* all scores tie */
		ck_assert(isnan(r.value[PL_MET_LEAD_MEDIAN]));
		ck_assert_double_eq_tol(r.value[PL_MET_LAPSES_DETECTED], 0, EPS);
		pl_metrics_report_release(&r);
	}
}
END_TEST

/* A larger random cohort: intervals bracket the point value, are seeded, and shrink with n. */
START_TEST(test_bootstrap)
{
	tu_rng g = { 5 };
	size_t nc = 200, days = 30, n = nc * days;
	double *s = malloc(n * sizeof(double));
	uint8_t *y = malloc(n);
	int32_t *day = malloc(n * sizeof(int32_t));
	size_t *rf = malloc((nc + 1) * sizeof(size_t)), *lf = calloc(nc + 1, sizeof(size_t));
	int32_t ld[1] = { 0 };
	pl_eval_data d;
	pl_metrics_options o;
	pl_metrics_report r1 = PL_METRICS_REPORT_INIT, r2 = PL_METRICS_REPORT_INIT;
	pl_error err = PL_ERROR_INIT;

	for (size_t c = 0; c < nc; c++) {
		double risk = tu_uniform(&g);
		rf[c] = c * days;
		for (size_t t = 0; t < days; t++) {
			size_t i = c * days + t;
			day[i] = (int32_t)t;
			s[i] = 0.5 * risk + 0.5 * tu_uniform(&g);
			y[i] = tu_uniform(&g) < 0.3 * risk;
		}
	}
	rf[nc] = n;
	d = (pl_eval_data){ nc, rf, s, y, day, lf, ld, NULL };
	pl_metrics_options_init(&o);
	o.bootstrap = 100;
	o.seed = 3;
	ck_assert_int_eq(pl_metrics_report_compute(&d, NULL, 0, &o, &r1, &err), PL_OK);
	ck_assert_int_eq(pl_metrics_report_compute(&d, NULL, 0, &o, &r2, &err), PL_OK);
	for (int m = 0; m < PL_MET_COUNT; m++) {
		if (isnan(r1.value[m]))
			continue;
		ck_assert(r1.lo[m] == r2.lo[m] && r1.hi[m] == r2.hi[m]);
	}
	ck_assert(r1.value[PL_MET_AUROC] > 0.6);
	ck_assert(r1.lo[PL_MET_AUROC] < r1.value[PL_MET_AUROC] && r1.value[PL_MET_AUROC] < r1.hi[PL_MET_AUROC]);
	ck_assert(r1.hi[PL_MET_AUROC] - r1.lo[PL_MET_AUROC] < 0.1);
	ck_assert(r1.lo[PL_MET_BRIER] < r1.value[PL_MET_BRIER] && r1.value[PL_MET_BRIER] < r1.hi[PL_MET_BRIER]);
	ck_assert(isnan(r1.value[PL_MET_LEAD_MEDIAN])); /* no lapses */
	pl_metrics_report_release(&r1);
	pl_metrics_report_release(&r2);
	free(s);
	free(y);
	free(day);
	free(rf);
	free(lf);
}
END_TEST

START_TEST(test_bad_options)
{
	pl_eval_data d = two_clients();
	pl_metrics_options o;
	pl_metrics_report r = PL_METRICS_REPORT_INIT;
	pl_error err = PL_ERROR_INIT;

	pl_metrics_options_init(&o);
	o.nbins = 0;
	ck_assert_int_eq(pl_metrics_report_compute(&d, NULL, 0, &o, &r, &err), PL_ERR_USAGE);
	pl_metrics_report_release(&r);
}
END_TEST

/* Curve points against scikit-learn's roc_curve (drop_intermediate=False) and
 * precision_recall_curve, worked by hand: scores .9 .8 .7 .6, labels 1 0 1 0. */
START_TEST(test_curves_hand)
{
	double s[4] = { 0.9, 0.8, 0.7, 0.6 }, t[3] = { 0.5, 0.5, 0.2 }, one = 0.3;
	uint8_t y[4] = { 1, 0, 1, 0 }, ty[3] = { 1, 0, 0 }, oy = 1;
	double fpr[5] = { 0, 0, 0.5, 0.5, 1 }, tpr[5] = { 0, 0.5, 0.5, 1, 1 };
	double rec[5] = { 0, 0.5, 0.5, 1, 1 }, prec[5] = { 1, 1, 0.5, 2.0 / 3.0, 0.5 };
	pl_curves c;
	pl_error err = PL_ERROR_INIT;

	ck_assert_int_eq(pl_metrics_curves(s, y, 4, 100, 0.25, 0.75, &c, &err), PL_OK);
	ck_assert_uint_eq(c.nroc, 5);
	ck_assert(isinf(c.roc[0].threshold));
	for (int i = 0; i < 5; i++) {
		ck_assert_double_eq_tol(c.roc[i].x, fpr[i], EPS);
		ck_assert_double_eq_tol(c.roc[i].y, tpr[i], EPS);
		ck_assert_double_eq_tol(c.pr[i].x, rec[i], EPS);
		ck_assert_double_eq_tol(c.pr[i].y, prec[i], EPS);
		if (i > 0)
			ck_assert_double_eq_tol(c.roc[i].threshold, s[i - 1], EPS);
	}
	/* net benefit TP/n - FP/n t/(1-t): t=.25: 2/4 - 2/4 (1/3); t=.5: 0; t=.75: 1/4 - 1/4 * 3 */
	ck_assert_uint_eq(c.ndecision, 3);
	ck_assert_double_eq_tol(c.decision[0].net_benefit, 1.0 / 3.0, EPS);
	ck_assert_double_eq_tol(c.decision[0].treat_all, 1.0 / 3.0, EPS);
	ck_assert_double_eq_tol(c.decision[1].net_benefit, 0, EPS);
	ck_assert_double_eq_tol(c.decision[2].net_benefit, -0.5, EPS);
	ck_assert_double_eq_tol(c.decision[2].treat_all, -1.0, EPS);
	pl_curves_release(&c);
	/* ties form one point */
	ck_assert_int_eq(pl_metrics_curves(t, ty, 3, 100, 0.1, 0.5, &c, &err), PL_OK);
	ck_assert_uint_eq(c.nroc, 3);
	ck_assert_double_eq_tol(c.roc[1].x, 0.5, EPS);
	ck_assert_double_eq_tol(c.roc[1].y, 1, EPS);
	pl_curves_release(&c);
	/* a single row, one class only: the false positive rate is undefined (scikit-learn warns) */
	ck_assert_int_eq(pl_metrics_curves(&one, &oy, 1, 100, 0.1, 0.5, &c, &err), PL_OK);
	ck_assert_uint_eq(c.nroc, 2);
	ck_assert(isnan(c.roc[1].x));
	ck_assert_double_eq_tol(c.pr[1].y, 1, EPS);
	pl_curves_release(&c);
	/* thinning keeps the first and the last point */
	{
		double u[10];
		uint8_t uy[10];
		for (int i = 0; i < 10; i++) {
			u[i] = 0.05 * i;
			uy[i] = (uint8_t)(i % 2);
		}
		ck_assert_int_eq(pl_metrics_curves(u, uy, 10, 5, 0.1, 0.5, &c, &err), PL_OK);
		ck_assert_uint_eq(c.nroc, 5);
		ck_assert(isinf(c.roc[0].threshold));
		ck_assert_double_eq_tol(c.roc[4].threshold, 0, EPS);
		ck_assert_double_eq_tol(c.roc[4].x, 1, EPS);
		pl_curves_release(&c);
	}
}
END_TEST

/* Calibration by hand on one client: five rows at p = .2 (one lapse) and four at p = .5 (three).
 * Two distinct logits make y ~ a + b logit(p) saturated: b = (logit .75 - logit .2) /
 * (logit .5 - logit .2) = 1.792481; calibration-in-the-large solves 5 e(a + logit .2) + 4 e(a) = 4
 * (scipy's brentq: 0.525703); O/E = 4 / 3; the knots coincide, so the smoother is the same
 * saturated fit and ICI = (5 |.2 - .2| + 4 |.5 - .75|) / 9 = 1/9; two non-empty deciles. The
 * random alerts' rate is the high tier's share of rows, 4/9. */
START_TEST(test_calibration_hand)
{
	static const size_t rf[2] = { 0, 9 }, lf[2] = { 0, 0 };
	static const double sc[9] = { 0.2, 0.2, 0.2, 0.2, 0.2, 0.5, 0.5, 0.5, 0.5 };
	static const double raw[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	static const uint8_t lab[9] = { 1, 0, 0, 0, 0, 1, 1, 1, 0 };
	static const int32_t day[9] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	int32_t none = 0;
	pl_eval_data d = { 1, rf, sc, lab, day, lf, &none, NULL };
	pl_metrics_options o;
	pl_metrics_report r = PL_METRICS_REPORT_INIT;
	pl_metrics_job job = { &d, NULL, 0, &r, 1 };
	pl_error err = PL_ERROR_INIT;

	pl_metrics_options_init(&o);
	o.threshold_high = 0.4;
	o.bootstrap = 0;
	ck_assert_int_eq(pl_metrics_reports_compute(&job, 1, NULL, 0, &o, &err), PL_OK);
	ck_assert_double_eq_tol(r.value[PL_MET_CAL_SLOPE], 1.7924812503605781, 1e-8);
	ck_assert_double_eq_tol(r.value[PL_MET_CAL_ITL], 0.5257027800661737, 1e-8);
	ck_assert_double_eq_tol(r.value[PL_MET_CAL_OE], 4.0 / 3.0, EPS);
	ck_assert_double_eq_tol(r.value[PL_MET_CAL_ICI], 1.0 / 9.0, 1e-8);
	ck_assert_double_eq_tol(r.value[PL_MET_RANDOM_RATE], 4.0 / 9.0, EPS);
	ck_assert_uint_eq(r.ndeciles, 10);
	ck_assert_uint_eq(r.deciles[0].n, 5);
	ck_assert_double_eq_tol(r.deciles[0].observed_rate, 0.2, EPS);
	ck_assert_uint_eq(r.deciles[1].n, 4);
	ck_assert_double_eq_tol(r.deciles[1].mean_predicted, 0.5, EPS);
	ck_assert_double_eq_tol(r.deciles[1].observed_rate, 0.75, EPS);
	ck_assert_uint_eq(r.deciles[2].n, 0);
	pl_metrics_report_release(&r);
	/* scores outside [0, 1] (a baseline) have no calibration */
	d.score = raw;
	ck_assert_int_eq(pl_metrics_reports_compute(&job, 1, NULL, 0, &o, &err), PL_OK);
	ck_assert(isnan(r.value[PL_MET_CAL_SLOPE]) && isnan(r.value[PL_MET_CAL_ICI]));
	pl_metrics_report_release(&r);
}
END_TEST

static Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_auroc_hand);
	tcase_add_test(tc, test_one_class);
	tcase_add_test(tc, test_auprc_hand);
	tcase_add_test(tc, test_brier_ece_confusion_hand);
	tcase_add_test(tc, test_brute_force);
	tcase_add_test(tc, test_report_hand);
	tcase_add_test(tc, test_single_client);
	tcase_add_test(tc, test_bootstrap);
	tcase_add_test(tc, test_bad_options);
	tcase_add_test(tc, test_curves_hand);
	tcase_add_test(tc, test_calibration_hand);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(metrics_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
