/*
 * test_features.c: risk features. EWS features against GSL and direct formulas (Kendall's tau
 * against a naive pair count), hand-computed features on a hand-made client, data quality, and
 * the no-look-ahead guarantee: perturbing everything after day t (values and events) leaves every
 * feature of days <= t bit-for-bit unchanged, and one-day computation equals range computation
 * (so scoring sees exactly what training saw).
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include <peerlink/ews.h>
#include <peerlink/risk.h>
#include <peerlink/json_risk.h>
#include "features_int.h"
#include "testutil.h"

static int same(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

static json_t *parse(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	ck_assert_msg(j != NULL, "test JSON does not parse: %s", e.text);
	return j;
}

static double naive_tau_b(const double *y, int n)
{
	double s = 0, n0 = 0, ty = 0;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++) {
			if (isnan(y[i]) || isnan(y[j]))
				continue;
			double sy = (y[i] > y[j]) - (y[i] < y[j]);
			s += sy; /* positions: i > j always, so sign(i - j) = 1 */
			n0++;
			ty += sy == 0;
		}
	return s / sqrt(n0 * (n0 - ty));
}

/* Least-squares AR(1) of the demeaned window (no intercept), straight from the definition. */
static double direct_ar1(const double *x, int n)
{
	double m = gsl_stats_mean(x, 1, (size_t)n), num = 0, den = 0;
	for (int i = 1; i < n; i++) {
		num += (x[i] - m) * (x[i - 1] - m);
		den += (x[i - 1] - m) * (x[i - 1] - m);
	}
	return num / den;
}

/* The EWS features of a complete 40-day series against direct formulas: variance (GSL), AR(1)
 * by least squares, and the Kendall tau-b of the 15 rolling values by a naive pair count. */
START_TEST(ews_features_match_direct_formulas)
{
	tu_rng r = { 11 };
	for (int rep = 0; rep < 20; rep++) {
		pl_catalogue cat = PL_CATALOGUE_INIT;
		pl_client c = PL_CLIENT_INIT;
		pl_error err = PL_ERROR_INIT;
		pl_feature_spec f[4];
		const char *names[4] = { "stress.var", "stress.ar1", "stress.var_tau", "stress.ar1_tau" };
		double x[40], out[4], vars[15], ar1s[15];
		char buf[4096];
		size_t len;
		json_t *j;

		len = (size_t)snprintf(buf, sizeof(buf),
				       "{\"id\": \"s\", \"start\": \"2026-01-01\", \"measures\": {\"stress\": [");
		for (int k = 0; k < 40; k++) {
			/* Noise whose spread grows (rep even) or shrinks: non-trivial taus. */
			double amp = rep % 2 ? 4 - 0.08 * k : 1 + 0.08 * k;
			x[k] = fmin(10, fmax(0, 5 + amp * (tu_uniform(&r) - 0.5))); /* no exact ties */
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%.17g", k ? "," : "", x[k]);
		}
		snprintf(buf + len, sizeof(buf) - len, "]}}");
		j = parse(buf);
		ck_assert_int_eq(pl_catalogue_init(&cat, &err), PL_OK);
		ck_assert_int_eq(pl_client_from_json(j, &cat, "", &c, &err), PL_OK);
		for (int k = 0; k < 4; k++)
			ck_assert_int_eq(pl_feature_parse(names[k], &cat, "", &f[k], &err), PL_OK);
		ck_assert_int_eq(pl_features_compute(&c, &cat, f, 4, c.start + 39, c.start + 39, out, &err), PL_OK);
		for (int s = 0; s < 15; s++) {
			const double *w = x + 39 - 14 - 13 + s; /* windows ending on days 25..39 */
			vars[s] = gsl_stats_variance(w, 1, 14);
			ar1s[s] = direct_ar1(w, 14);
		}
		ck_assert_double_eq_tol(out[0], vars[14], 1e-10);
		ck_assert_double_eq_tol(out[1], ar1s[14], 1e-10);
		ck_assert_double_eq_tol(out[2], naive_tau_b(vars, 15), 1e-10);
		ck_assert_double_eq_tol(out[3], naive_tau_b(ar1s, 15), 1e-10);
		pl_client_release(&c);
		pl_catalogue_release(&cat);
		json_decref(j);
	}
}
END_TEST

/* 20 days from 2026-03-01: craving 0,1,2,...(day index) except missing days 5, 6, 17, 18, 19;
 * attended true on even days, false on odd; a lapse on day 3. */
static const char *hand_client =
	"{\"id\": \"h\", \"start\": \"2026-03-01\", \"measures\": {"
	"\"craving\": [0,1,2,3,4,null,null,7,8,9,10,10,10,10,10,10,10,null,null,null],"
	"\"attended\": [true,false,true,false,true,null,null,false,true,false,true,false,true,false,"
	"true,false,true,null,null,null]},"
	"\"events\": [{\"date\": \"2026-03-04\", \"type\": \"lapse\"}]}";

START_TEST(hand_computed_features)
{
	pl_catalogue cat = PL_CATALOGUE_INIT;
	pl_client c = PL_CLIENT_INIT;
	pl_error err = PL_ERROR_INIT;
	json_t *j = parse(hand_client);
	pl_feature_spec f[9];
	double out[9];
	const char *names[9] = { "craving.level", "craving.slope", "attended.rate", "checkins",
				 "coverage_14", "missed_streak", "days_since_lapse", "prior_lapse",
				 "attended.rate_trend" };

	ck_assert_int_eq(pl_catalogue_init(&cat, &err), PL_OK);
	ck_assert_int_eq(pl_client_from_json(j, &cat, "", &c, &err), PL_OK);
	for (int k = 0; k < 9; k++)
		ck_assert_int_eq(pl_feature_parse(names[k], &cat, "", &f[k], &err), PL_OK);

	/* As of day 8 (2026-03-09). */
	ck_assert_int_eq(pl_features_compute(&c, &cat, f, 9, c.start + 8, c.start + 8, out, &err), PL_OK);
	/* level: days 2..8 observed 2,3,4,7,8 -> 24/5 */
	ck_assert_double_eq_tol(out[0], 24.0 / 5, 1e-12);
	/* slope: values equal their day index, so the least-squares slope is exactly 1 */
	ck_assert_double_eq_tol(out[1], 1.0, 1e-12);
	/* attended over days 0..8 answered: T F T F T F T -> 4/7 */
	ck_assert_double_eq_tol(out[2], 4.0 / 7, 1e-12);
	ck_assert_double_eq_tol(out[3], log1p(7.0), 1e-12);      /* 7 check-ins by day 8 */
	ck_assert_double_eq_tol(out[4], 7.0 / 9, 1e-12);         /* 7 of the 9 days so far */
	ck_assert(out[5] == 0.0);                 /* checked in today */
	ck_assert_double_eq_tol(out[6], log1p(5.0), 1e-12);      /* lapse on day 3 */
	ck_assert(out[7] == 1.0);
	ck_assert(isnan(out[8]));                                /* no days 14 before */

	/* As of day 19: three missed days, craving level = mean(10,10,10,10) over days 13..16. */
	ck_assert_int_eq(pl_features_compute(&c, &cat, f, 9, c.start + 19, c.start + 19, out, &err), PL_OK);
	ck_assert_double_eq_tol(out[0], 10.0, 1e-12);
	ck_assert(out[5] == 3.0);
	ck_assert_double_eq_tol(out[4], 10.0 / 14, 1e-12); /* days 6..19: checked in on 7..16 */
	/* attended rate_trend: days 6..19 answered 7..16 (F T F T F T F T F T) = 5/10; days 0..5
	 * answered 0..4 (T F T F T) = 3/5 -> 0.5 - 0.6 */
	ck_assert_double_eq_tol(out[8], 0.5 - 0.6, 1e-12);

	/* Before the first day: nothing is defined except the lapse features. */
	ck_assert_int_eq(pl_features_compute(&c, &cat, f, 9, c.start - 3, c.start - 3, out, &err), PL_OK);
	ck_assert(isnan(out[0]) && isnan(out[3]) && isnan(out[5]));
	ck_assert(out[7] == 0.0);

	/* "last": the most recent value within 3 days. */
	{
		pl_feature_spec fl;
		double v;
		ck_assert_int_eq(pl_feature_parse("craving.last", &cat, "", &fl, &err), PL_OK);
		ck_assert_int_eq(pl_features_compute(&c, &cat, &fl, 1, c.start + 6, c.start + 6, &v, &err), PL_OK);
		ck_assert(v == 4.0); /* days 5 and 6 missing: day 4's value */
		ck_assert_int_eq(pl_features_compute(&c, &cat, &fl, 1, c.start + 19, c.start + 19, &v, &err), PL_OK);
		ck_assert(isnan(v)); /* days 17..19 missing */
	}
	/* Unknown and ill-fitting names. */
	ck_assert_int_eq(pl_feature_parse("attended.slope", &cat, "/features/0", &f[0], &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/features/0");
	ck_assert_int_eq(pl_feature_parse("craving.rate", &cat, "", &f[0], &err), PL_ERR_INVALID);
	ck_assert_int_eq(pl_feature_parse("pain.level", &cat, "", &f[0], &err), PL_ERR_INVALID);
	ck_assert_int_eq(pl_feature_parse("level", &cat, "", &f[0], &err), PL_ERR_INVALID);
	ck_assert_int_eq(pl_feature_parse("craving.", &cat, "", &f[0], &err), PL_ERR_INVALID);
	pl_client_release(&c);
	pl_catalogue_release(&cat);
	json_decref(j);
}
END_TEST

START_TEST(data_quality_by_hand)
{
	pl_catalogue cat = PL_CATALOGUE_INIT;
	pl_client c = PL_CLIENT_INIT;
	pl_error err = PL_ERROR_INIT;
	pl_data_quality dq;
	json_t *j = parse(hand_client);

	ck_assert_int_eq(pl_catalogue_init(&cat, &err), PL_OK);
	ck_assert_int_eq(pl_client_from_json(j, &cat, "", &c, &err), PL_OK);
	pl_data_quality_compute(&c, c.start + 19, &dq);
	ck_assert_int_eq(dq.first_day, c.start);
	ck_assert_uint_eq(dq.days_in_range, 20);
	ck_assert_uint_eq(dq.days_observed, 15);
	ck_assert_double_eq_tol(dq.coverage, 0.75, 1e-15);
	ck_assert_uint_eq(dq.longest_gap, 3);
	ck_assert_uint_eq(dq.checkins_last_14, 10); /* days 6..19: 7..16 */
	/* Far past the grid: the open gap grows. */
	pl_data_quality_compute(&c, c.start + 40, &dq);
	ck_assert_uint_eq(dq.longest_gap, 24);
	ck_assert_uint_eq(dq.checkins_last_14, 0);
	pl_data_quality_compute(&c, c.start - 1, &dq);
	ck_assert_uint_eq(dq.days_observed, 0);
	ck_assert_int_eq(dq.first_day, INT32_MIN);
	pl_client_release(&c);
	pl_catalogue_release(&cat);
	json_decref(j);
}
END_TEST

/* A random client: 120 days, ~25% missing, random walk craving/mood/stress, booleans, lapses. */
static void random_client(tu_rng *r, pl_client *c, const pl_catalogue *cat)
{
	size_t nd = 120, nm = cat->n;
	memset(c, 0, sizeof(*c));
	c->id = strdup("r");
	c->start = 20000;
	c->ndays = nd;
	c->nmeasures = nm;
	c->values = malloc(nd * nm * sizeof(double));
	c->checked_in = calloc(nd, 1);
	for (size_t m = 0; m < nm; m++) {
		double level = 5;
		for (size_t d = 0; d < nd; d++) {
			const pl_measure_def *def = &cat->defs[m];
			level += tu_uniform(r) - 0.5;
			level = fmin(fmax(level, def->min), def->max);
			c->values[m * nd + d] = def->boolean ? (double)(tu_uniform(r) < 0.7) : level;
		}
	}
	for (size_t d = 0; d < nd; d++) {
		int miss = tu_uniform(r) < 0.25;
		for (size_t m = 0; m < nm; m++)
			if (miss)
				c->values[m * nd + d] = NAN;
		c->checked_in[d] = !miss;
	}
	c->nevents = 3;
	c->events = malloc(3 * sizeof(pl_event));
	c->events[0] = (pl_event){ c->start + 30, PL_EVENT_LAPSE };
	c->events[1] = (pl_event){ c->start + 70, PL_EVENT_OTHER };
	c->events[2] = (pl_event){ c->start + 90, PL_EVENT_RELAPSE };
}

START_TEST(no_look_ahead)
{
	pl_catalogue cat = PL_CATALOGUE_INIT;
	pl_error err = PL_ERROR_INIT;
	pl_feature_spec *f = NULL;
	size_t nf = 0;
	tu_rng r = { 2024 };
	pl_client c;
	double *all, *row;

	ck_assert_int_eq(pl_catalogue_init(&cat, &err), PL_OK);
	ck_assert_int_eq(pl_features_default(&cat, &f, &nf, &err), PL_OK);
	random_client(&r, &c, &cat);
	all = malloc(120 * nf * sizeof(double));
	row = malloc(nf * sizeof(double));
	ck_assert_int_eq(pl_features_compute(&c, &cat, f, nf, c.start, c.start + 119, all, &err), PL_OK);
	for (int cut = 10; cut < 120; cut += 9) {
		pl_client p;
		random_client(&r, &p, &cat); /* a different random future ... */
		/* ... grafted after the cut: days <= cut copied from c. */
		for (size_t m = 0; m < cat.n; m++)
			memcpy(p.values + m * 120, c.values + m * 120, (size_t)(cut + 1) * sizeof(double));
		memcpy(p.checked_in, c.checked_in, (size_t)cut + 1);
		for (size_t e = 0; e < 3; e++)
			p.events[e].day = c.events[e].day <= c.start + cut ? c.events[e].day
									  : c.start + cut + 1 + (int32_t)e;
		if (cut < 30)
			p.events[0].type = PL_EVENT_RELAPSE; /* the type of a future event changes too */
		/* Range [start, cut] on the perturbed client equals the original's rows. */
		double *part = malloc((size_t)(cut + 1) * nf * sizeof(double));
		ck_assert_int_eq(pl_features_compute(&p, &cat, f, nf, p.start, p.start + cut, part, &err), PL_OK);
		for (size_t k = 0; k < (size_t)(cut + 1) * nf; k++)
			ck_assert_msg(same(part[k], all[k]), "cut %d: day %zu feature %zu", cut, k / nf, k % nf);
		/* One day at a time (scoring) equals the range (training). */
		ck_assert_int_eq(pl_features_compute(&p, &cat, f, nf, p.start + cut, p.start + cut, row, &err), PL_OK);
		for (size_t j = 0; j < nf; j++)
			ck_assert_msg(same(row[j], all[(size_t)cut * nf + j]), "cut %d feature %zu", cut, j);
		free(part);
		pl_client_release(&p);
	}
	/* Sanity: many features are defined late in the history. */
	{
		size_t defined = 0;
		for (size_t j = 0; j < nf; j++)
			defined += !isnan(all[119 * nf + j]);
		ck_assert_uint_ge(defined, nf / 2);
	}
	free(all);
	free(row);
	free(f);
	pl_client_release(&c);
	pl_catalogue_release(&cat);
}
END_TEST

/* The shared-factor filter (state_features.c) by hand: one craving of 8 on day 0, nothing after.
 * Oriented reading z = 8 - 5 = 3 (0-10 scale, mid-scale 5); prior d ~ N(0, 0.5), each baseline
 * ~ N(0, 4), reading error 1: f = 0.5 + 4 + 1 = 5.5, d = 0.5 * 3 / 5.5, b_craving = 4 * 3 / 5.5.
 * level = d + mean(b) over the 5 measures; its variance c'Pc - (c'Ph)^2 / f with
 * c = (1, 1/5, ..): 0.5 + 5 * 4 / 25 - (0.5 + 4 / 5)^2 / 5.5. Day 1 predicts: d * 0.7. */
START_TEST(state_features_by_hand)
{
	pl_catalogue cat = PL_CATALOGUE_INIT;
	pl_error err = PL_ERROR_INIT;
	pl_feature_spec f[3];
	pl_client c;
	double out[9], d0 = 1.5 / 5.5, b0 = 12.0 / 5.5 / 5.0;

	ck_assert_int_eq(pl_catalogue_init(&cat, &err), PL_OK);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(pl_client_alloc_grid(&c, 3, cat.n, &err), PL_OK);
	c.start = 20000;
	c.values[PL_M_CRAVING * 3 + 0] = 8;
	c.checked_in[0] = 1;
	ck_assert_int_eq(pl_feature_parse("state_level", &cat, "", &f[0], &err), PL_OK);
	ck_assert_int_eq(pl_feature_parse("state_sd", &cat, "", &f[1], &err), PL_OK);
	ck_assert_int_eq(pl_feature_parse("state_baseline", &cat, "", &f[2], &err), PL_OK);
	ck_assert_int_eq(pl_features_compute(&c, &cat, f, 3, c.start, c.start + 2, out, &err), PL_OK);
	ck_assert_double_eq_tol(out[0], d0 + b0, 1e-12);
	ck_assert_double_eq_tol(out[1], sqrt(1.3 - 1.69 / 5.5), 1e-12);
	ck_assert_double_eq_tol(out[2], b0, 1e-12);
	ck_assert_double_eq_tol(out[3], 0.7 * d0 + b0, 1e-12);
	ck_assert_double_eq_tol(out[5], b0, 1e-12);
	ck_assert(out[4] > out[1]); /* a day without readings: less certain */
	ck_assert_int_eq(pl_feature_orientation(&f[0], &cat), 1);
	ck_assert_int_eq(pl_feature_orientation(&f[1], &cat), 0);
	pl_client_release(&c);
	pl_catalogue_release(&cat);
}
END_TEST

/* The trend features round each rolling value once (pl__ews_round12) and take Kendall's tau of
 * the rounded values: the same tau as pl_ews_kendall_tau on the raw values, exactly, including
 * values equal only up to rounding (which must tie) and missing ones. */
START_TEST(kendall_of_prerounded_values)
{
	unsigned long s = 12345;

	for (int rep = 0; rep < 200; rep++) {
		double raw[PL_TAU_SPAN], rounded[PL_TAU_SPAN];
		for (size_t i = 0; i < PL_TAU_SPAN; i++) {
			s = s * 6364136223846793005UL + 1442695040888963407UL;
			raw[i] = (double)(s >> 40) / 16777216.0 * 3.0;
			if (i % 4 == 3)
				raw[i] = raw[i - 1] * (1 + 1e-15); /* equal up to rounding: a tie */
			if ((s >> 20) % 7 == 0)
				raw[i] = NAN;
			rounded[i] = pl__ews_round12(raw[i]);
		}
		double a = pl_ews_kendall_tau(raw, PL_TAU_SPAN, PL_TAU_MIN_N);
		double b = pl__kendall_tau_rounded(rounded, PL_TAU_SPAN, PL_TAU_MIN_N);
		ck_assert_msg(isnan(a) ? isnan(b) : a == b, "rep %d: %.17g vs %.17g", rep, a, b);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("features");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, ews_features_match_direct_formulas);
	tcase_add_test(tc, hand_computed_features);
	tcase_add_test(tc, data_quality_by_hand);
	tcase_add_test(tc, no_look_ahead);
	tcase_add_test(tc, state_features_by_hand);
	tcase_add_test(tc, kendall_of_prerounded_values);
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
