/*
 * test_risk.c: the risk model end to end on a small simulated cohort whose lapse hazard rises
 * with craving: training finds the signal, is deterministic, writes a model file that reads back
 * to identical predictions; thresholds follow their rule; scoring refuses thin histories, never
 * reads past as_of, and its contributions add up to the logit; every model-file error has its
 * pointer; the CLI's JSON Lines mode gives the same answers in the same order as a document.
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <peerlink/risk.h>
#include <peerlink/json_risk.h>
#include "testutil.h"

#define NCLIENTS 60
#define NDAYS 120

static double sigm(double z)
{
	return 1.0 / (1.0 + exp(-z));
}

/* Craving follows a bounded mean-reverting walk around a client's own level; each day a lapse happens with probability
 * sigmoid(-7.5 + 0.6 craving); ~20% of days are missed. */
static void sim_client(tu_rng *r, const pl_catalogue *cat, pl_client *c, int idx)
{
	size_t nd = NDAYS, nm = cat->n, ne = 0;
	double mu = 1 + 8 * tu_uniform(r), crave = mu;
	char id[16];

	memset(c, 0, sizeof(*c));
	snprintf(id, sizeof(id), "s%03d", idx);
	c->id = strdup(id);
	c->start = 20500 + idx % 7;
	c->ndays = nd;
	c->nmeasures = nm;
	c->values = malloc(nd * nm * sizeof(double));
	c->checked_in = calloc(nd, 1);
	c->events = malloc(nd * sizeof(pl_event));
	for (size_t k = 0; k < nd * nm; k++)
		c->values[k] = NAN;
	for (size_t d = 0; d < nd; d++) {
		crave += 2 * (tu_uniform(r) - 0.5) + 0.1 * (mu - crave);
		crave = fmin(fmax(crave, 0), 10);
		if (tu_uniform(r) < sigm(-7.5 + 0.6 * crave))
			c->events[ne++] = (pl_event){ c->start + (int32_t)d, PL_EVENT_LAPSE };
		if (tu_uniform(r) < 0.2)
			continue;
		c->checked_in[d] = 1;
		c->values[PL_M_CRAVING * nd + d] = round(crave);
		c->values[PL_M_MOOD * nd + d] = round(fmin(10, fmax(0, 8 - 0.5 * crave + tu_uniform(r))));
		c->values[PL_M_ATTENDED * nd + d] = tu_uniform(r) < 0.8;
	}
	c->nevents = ne;
}

typedef struct cohort {
	pl_catalogue cat;
	pl_client c[NCLIENTS];
} cohort;

static void make_cohort(cohort *co, uint64_t seed)
{
	tu_rng r = { seed };
	pl_error err = PL_ERROR_INIT;
	ck_assert_int_eq(pl_catalogue_init(&co->cat, &err), PL_OK);
	for (int i = 0; i < NCLIENTS; i++)
		sim_client(&r, &co->cat, &co->c[i], i);
}

static void free_cohort(cohort *co)
{
	for (int i = 0; i < NCLIENTS; i++)
		pl_client_release(&co->c[i]);
	pl_catalogue_release(&co->cat);
}

static const char *const small_features[] = { "craving.level", "craving.slope", "craving.var",
					       "mood.level", "attended.rate", "missed_streak",
					       "days_since_lapse", "coverage_14" };
#define NSMALL 8

static void train(cohort *co, pl_calibration_method cal, pl_risk_model *m)
{
	pl_feature_spec f[NSMALL];
	pl_risk_train_options o;
	pl_risk_dataset ds;
	pl_error err = PL_ERROR_INIT;

	for (int j = 0; j < NSMALL; j++)
		ck_assert_int_eq(pl_feature_parse(small_features[j], &co->cat, "", &f[j], &err), PL_OK);
	pl_risk_train_options_init(&o);
	o.folds = 3;
	o.seed = 42;
	o.calibration = cal;
	o.stride = 2;
	ck_assert_int_eq(pl_risk_dataset_init(&ds, NSMALL, &err), PL_OK);
	for (int i = 0; i < NCLIENTS; i++)
		ck_assert_int_eq(pl_risk_dataset_add_client(&ds, &co->c[i], &co->cat, f, &o, &err), PL_OK);
	ck_assert_uint_gt(ds.npositive, 20);
	ck_assert_msg(pl_risk_train(&ds, &co->cat, f, &o, m, &err) == PL_OK, "%s", err.message);
	pl_risk_dataset_release(&ds);
}

START_TEST(training_finds_the_signal_and_round_trips)
{
	cohort co;
	pl_risk_model m, back;
	pl_error err = PL_ERROR_INIT;
	json_t *doc, *doc2;
	char *a, *b;

	make_cohort(&co, 1);
	train(&co, PL_CAL_PLATT, &m);
	/* craving.level is feature 0: its coefficient must be clearly positive. */
	ck_assert_msg(m.coef[0] > 0.2, "craving.level coefficient %g", m.coef[0]);
	ck_assert(m.report.present);
	ck_assert_msg(m.report.auroc >= 0.65, "auroc %g, positives %g", m.report.auroc,
		      m.report.observed_rate);
	ck_assert(m.threshold_moderate <= m.threshold_high);
	/* The high tier keeps the alert budget on the out-of-fold predictions. */
	ck_assert_double_le(m.report.high.flagged_fraction, 0.05 + 1e-12);
	ck_assert_double_ge(m.report.moderate_or_higher.sensitivity, 0.50 - 1e-12);
	/* File round trip: identical predictions for every client and day. */
	doc = pl_risk_model_to_json(&m);
	a = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(17));
	ck_assert_int_eq(pl_risk_model_from_json(doc, &back, &err), PL_OK);
	ck_assert(!back.report.present); /* the file's training description is not kept */
	doc2 = pl_risk_model_to_json(&back);
	b = json_dumps(doc2, JSON_COMPACT | JSON_REAL_PRECISION(17));
	/* everything scoring needs comes back exactly */
	json_object_del(doc, "training");
	json_object_del(doc, "metrics");
	json_object_del(json_object_get(doc, "thresholds"), "rule");
	free(a);
	a = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(17));
	ck_assert_str_eq(a, b);
	for (int i = 0; i < NCLIENTS; i += 7) {
		double r1[NDAYS], r2[NDAYS];
		const pl_client *c = &co.c[i];
		ck_assert_int_eq(pl_risk_predict_days(&m, c, c->start, c->start + NDAYS - 1, r1, &err), PL_OK);
		ck_assert_int_eq(pl_risk_predict_days(&back, c, c->start, c->start + NDAYS - 1, r2, &err), PL_OK);
		for (int d = 0; d < NDAYS; d++)
			ck_assert((isnan(r1[d]) && isnan(r2[d])) || r1[d] == r2[d]);
	}
	free(a);
	free(b);
	json_decref(doc);
	json_decref(doc2);
	pl_risk_model_release(&back);
	pl_risk_model_release(&m);
	free_cohort(&co);
}
END_TEST

START_TEST(training_is_deterministic)
{
	cohort co;
	pl_risk_model m1, m2;
	json_t *d1, *d2;
	char *a, *b;

	make_cohort(&co, 2);
	train(&co, PL_CAL_ISOTONIC, &m1);
	train(&co, PL_CAL_ISOTONIC, &m2);
	d1 = pl_risk_model_to_json(&m1);
	d2 = pl_risk_model_to_json(&m2);
	a = json_dumps(d1, JSON_COMPACT | JSON_REAL_PRECISION(17));
	b = json_dumps(d2, JSON_COMPACT | JSON_REAL_PRECISION(17));
	ck_assert_str_eq(a, b);
	/* Isotonic calibration: risk never falls as the logit rises. */
	for (double z = -8; z < 4; z += 0.01)
		ck_assert(pl_risk_model_calibrate(&m1, z + 0.01) >= pl_risk_model_calibrate(&m1, z));
	free(a);
	free(b);
	json_decref(d1);
	json_decref(d2);
	pl_risk_model_release(&m1);
	pl_risk_model_release(&m2);
	free_cohort(&co);
}
END_TEST

START_TEST(scoring_rules)
{
	cohort co;
	pl_risk_model m;
	pl_risk_result r;
	pl_error err = PL_ERROR_INIT;
	const pl_client *c;

	make_cohort(&co, 3);
	train(&co, PL_CAL_PLATT, &m);
	c = &co.c[5];
	/* Default as_of: the last check-in. */
	ck_assert_int_eq(pl_risk_score(&m, c, INT32_MIN, &r, &err), PL_OK);
	ck_assert_int_eq(r.as_of, pl_client_last_checkin(c));
	ck_assert(r.has_risk);
	ck_assert(r.risk > 0 && r.risk < 1);
	ck_assert_int_eq(r.tier, pl_risk_model_tier(&m, r.risk));
	{
		double sum = m.intercept;
		for (size_t j = 0; j < m.nfeatures; j++)
			sum += r.contrib[j];
		ck_assert_double_eq_tol(sum, r.logit, 1e-12);
		ck_assert_double_eq_tol(pl_risk_model_calibrate(&m, r.logit), r.risk, 1e-15);
	}
	pl_risk_result_release(&r);
	/* Too little history: the 3rd day has at most 3 check-ins < min_checkins 7. */
	ck_assert_int_eq(pl_risk_score(&m, c, c->start + 2, &r, &err), PL_OK);
	ck_assert(!r.has_risk);
	ck_assert_int_eq(r.tier, -1);
	ck_assert_ptr_nonnull(r.reason);
	pl_risk_result_release(&r);
	/* Before the client's first day: no check-ins at all. */
	ck_assert_int_eq(pl_risk_score(&m, c, c->start - 10, &r, &err), PL_OK);
	ck_assert(!r.has_risk);
	pl_risk_result_release(&r);
	/* Tiers follow the thresholds exactly. */
	ck_assert_int_eq(pl_risk_model_tier(&m, m.threshold_high), 2);
	ck_assert_int_eq(pl_risk_model_tier(&m, nextafter(m.threshold_high, 0)), m.threshold_moderate < m.threshold_high ? 1 : 0);
	ck_assert_int_eq(pl_risk_model_tier(&m, m.threshold_moderate), m.threshold_moderate < m.threshold_high ? 1 : 2);
	ck_assert_int_eq(pl_risk_model_tier(&m, 0.0), m.threshold_moderate > 0 ? 0 : 1);
	pl_risk_model_release(&m);
	free_cohort(&co);
}
END_TEST

START_TEST(score_ignores_the_future)
{
	cohort co;
	pl_risk_model m;
	pl_error err = PL_ERROR_INIT;
	tu_rng r = { 77 };

	make_cohort(&co, 4);
	train(&co, PL_CAL_PLATT, &m);
	for (int i = 0; i < NCLIENTS; i += 5) {
		pl_client *c = &co.c[i];
		int32_t as_of = c->start + 60;
		pl_risk_result a, b;
		ck_assert_int_eq(pl_risk_score(&m, c, as_of, &a, &err), PL_OK);
		/* Scramble every value after as_of and move future events. */
		for (size_t k = 0; k < c->nmeasures; k++)
			for (size_t d = 61; d < c->ndays; d++)
				c->values[k * c->ndays + d] = c->checked_in[d] && !co.cat.defs[k].boolean &&
								      k <= PL_M_MOOD
								  ? (double)tu_range(&r, 0, 10)
								  : c->values[k * c->ndays + d];
		for (size_t e = 0; e < c->nevents; e++)
			if (c->events[e].day > as_of)
				c->events[e].day = as_of + 1;
		ck_assert_int_eq(pl_risk_score(&m, c, as_of, &b, &err), PL_OK);
		ck_assert_int_eq(a.has_risk, b.has_risk);
		ck_assert(a.risk == b.risk);
		ck_assert_uint_eq(a.nsignals, b.nsignals);
		pl_risk_result_release(&a);
		pl_risk_result_release(&b);
	}
	pl_risk_model_release(&m);
	free_cohort(&co);
}
END_TEST

/* A valid small model; each case replaces one member (by a JSON-patch-like path) and names the
 * pointer the error must carry. */
static const char *valid_model =
	"{\"format\": \"peerlink-risk-model\", \"version\": 1, \"horizon_days\": 7,"
	" \"min_checkins\": 7, \"measures\": {},"
	" \"features\": [{\"name\": \"craving.level\", \"mean\": 5, \"sd\": 2, \"coefficient\": 1},"
	"  {\"name\": \"missed_streak\", \"mean\": 1, \"sd\": 1, \"coefficient\": 0.5}],"
	" \"intercept\": -2, \"l2\": 1, \"calibration\": {\"method\": \"platt\", \"a\": 1, \"b\": 0},"
	" \"thresholds\": {\"moderate\": 0.1, \"high\": 0.3}}";

static const struct bad_model {
	const char *member, *value, *pointer;
} bad_models[] = {
	{ "format", "\"other\"", "/format" },
	{ "version", "2", "/version" },
	{ "horizon_days", "0", "/horizon_days" },
	{ "min_checkins", "\"7\"", "/min_checkins" },
	{ "features", "[]", "/features" },
	{ "features", "[{\"name\": \"craving.levels\", \"mean\": 0, \"sd\": 1, \"coefficient\": 1}]",
	  "/features/0/name" },
	{ "features", "[{\"name\": \"craving.level\", \"mean\": 0, \"sd\": 0, \"coefficient\": 1}]",
	  "/features/0/sd" },
	{ "features", "[{\"name\": \"craving.level\", \"mean\": 0, \"sd\": 1}]",
	  "/features/0/coefficient" },
	{ "features", "[{\"name\": \"pain.level\", \"mean\": 0, \"sd\": 1, \"coefficient\": 1}]",
	  "/features/0/name" },
	{ "intercept", "null", "/intercept" },
	{ "calibration", "{\"method\": \"magic\"}", "/calibration/method" },
	{ "calibration", "{\"method\": \"platt\", \"a\": -1, \"b\": 0}", "/calibration/a" },
	{ "calibration", "{\"method\": \"isotonic\", \"x\": [0, 1], \"y\": [0.5, 0.2]}",
	  "/calibration/y/1" },
	{ "calibration", "{\"method\": \"isotonic\", \"x\": [1, 0], \"y\": [0.1, 0.2]}",
	  "/calibration/x/1" },
	{ "calibration", "{\"method\": \"isotonic\", \"x\": [0, 1], \"y\": [0.1]}", "/calibration/y" },
	{ "thresholds", "{\"moderate\": 0.5, \"high\": 0.3}", "/thresholds" },
	{ "thresholds", "{\"moderate\": 0.1}", "/thresholds/high" },
	{ "measures", "{\"pain\": {\"min\": 0, \"max\": 10}}", "/measures/pain/worse" },
	{ "surprise", "1", "/surprise" },
};

START_TEST(model_file_errors)
{
	const struct bad_model *bm = &bad_models[_i];
	json_t *doc = json_loads(valid_model, 0, NULL), *v = json_loads(bm->value, JSON_DECODE_ANY, NULL);
	pl_risk_model m;
	pl_error err = PL_ERROR_INIT;

	ck_assert_ptr_nonnull(doc);
	ck_assert_ptr_nonnull(v);
	if (_i == 0) {
		/* The valid model itself loads. */
		ck_assert_int_eq(pl_risk_model_from_json(doc, &m, &err), PL_OK);
		pl_risk_model_release(&m);
	}
	json_object_set_new(doc, bm->member, v);
	ck_assert_int_eq(pl_risk_model_from_json(doc, &m, &err), PL_ERR_INVALID);
	ck_assert_msg(strcmp(err.pointer, bm->pointer) == 0, "case %d: %s, want %s (%s)", _i,
		      err.pointer, bm->pointer, err.message);
	json_decref(doc);
}
END_TEST

static int has_signal(const pl_risk_result *r, pl_signal_kind k, int measure)
{
	for (size_t i = 0; i < r->nsignals; i++)
		if (r->signals[i].kind == k && r->signals[i].measure == measure)
			return 1;
	return 0;
}

/* Signals on hand-made histories: a jump in craving after a flat month (EWMA, recent CUSUM crossing,
 * worsening trend), attendance that stops, reported use, a missed streak, swings of growing size
 * (rising variance); and a shift that happened long ago (the CUSUM restarts after each signal, so
 * it stays bounded and signals again while the shift lasts). Signals are shown only for measure
 * groups that raise this client's risk: this model has no feature on use, so reported use is not
 * shown as a signal of the model while the client has a risk. */
START_TEST(signals_fire_on_planted_patterns)
{
	json_t *mj = json_loads(valid_model, 0, NULL);
	pl_risk_model m;
	pl_error err = PL_ERROR_INIT;
	char buf[4096];
	size_t len;

	ck_assert_int_eq(pl_risk_model_from_json(mj, &m, &err), PL_OK);
	for (int scenario = 0; scenario < 3; scenario++) {
		pl_client c = PL_CLIENT_INIT;
		pl_risk_result r;
		json_t *cj;
		int n = scenario == 1 ? 90 : 42;

		len = (size_t)snprintf(buf, sizeof(buf), "{\"id\": \"p\", \"start\": \"2026-01-01\", \"measures\": {\"craving\": [");
		for (int d = 0; d < n; d++) {
			double v;
			if (scenario == 2) /* swings of growing size around 6 (above the model's mean) */
				v = 6 + (d % 2 ? 1 : -1) * fmin(4, 0.12 * d);
			else if (scenario == 1) /* shifted on day 14 and flat since */
				v = d < 14 ? 2 : 8;
			else /* flat at 2 for 34 days, then 8: CUSUM crosses 11 days before as_of */
				v = d < 34 ? 2 : 8;
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%g", d ? "," : "", v);
		}
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "], \"attended\": [");
		for (int d = 0; d < n; d++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", d ? "," : "",
						scenario == 0 && d >= n - 14 ? "false" : "true");
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "], \"used\": [");
		for (int d = 0; d < n; d++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", d ? "," : "",
						scenario == 0 && d == n - 2 ? "true" : "null");
		snprintf(buf + len, sizeof(buf) - len, "]}}");
		cj = json_loads(buf, 0, NULL);
		ck_assert_ptr_nonnull(cj);
		ck_assert_int_eq(pl_client_from_json(cj, &m.catalogue, "", &c, &err), PL_OK);
		/* Score 4 days after the last check-in for scenario 0 (a missed streak of 4). */
		ck_assert_int_eq(pl_risk_score(&m, &c, c.start + n - 1 + (scenario == 0 ? 4 : 0), &r, &err), PL_OK);
		if (scenario == 0) {
			ck_assert(has_signal(&r, PL_SIG_EWMA_ALARM, PL_M_CRAVING));
			ck_assert(has_signal(&r, PL_SIG_WORSENING_TREND, PL_M_CRAVING));
			/* the CUSUM fired too, but at most two signals per measure group are shown */
			ck_assert(!has_signal(&r, PL_SIG_CUSUM_ALARM, PL_M_CRAVING));
			ck_assert(has_signal(&r, PL_SIG_FALLING_RATE, PL_M_ATTENDED));
			ck_assert(!has_signal(&r, PL_SIG_REPORTED_USE, PL_M_USED)); /* no use feature */
			ck_assert(has_signal(&r, PL_SIG_MISSED_STREAK, -1));
			ck_assert_uint_ge(r.nexplanations, 2);
			ck_assert_str_eq(r.explanations[0].group, "craving");
			ck_assert_str_eq(r.explanations[1].group, "engagement");
			ck_assert_str_eq(r.explanations[1].text, "no check-in for 4 days; attended 0 of 10 "
								 "sessions in the last 2 weeks");
			ck_assert(!has_signal(&r, PL_SIG_RISING_VARIANCE, PL_M_CRAVING));
		} else if (scenario == 1) {
			pl_feature_spec cs = { PL_F_CUSUM, PL_M_CRAVING };
			double cu[76];
			ck_assert(has_signal(&r, PL_SIG_EWMA_ALARM, PL_M_CRAVING)); /* still above baseline */
			ck_assert(has_signal(&r, PL_SIG_CUSUM_ALARM, PL_M_CRAVING)); /* the shift lasts */
			/* Restarted after each crossing: never more than h plus one day's step (12.5
			 * baseline sds here), where the chart without restarts reached hundreds. */
			ck_assert_int_eq(pl_features_compute(&c, &m.catalogue, &cs, 1, c.start + 14,
							     c.start + 89, cu, &err), PL_OK);
			for (int k = 0; k < 76; k++)
				ck_assert(!(cu[k] > 5 + 12.5));
			ck_assert(!has_signal(&r, PL_SIG_MISSED_STREAK, -1));
			ck_assert(!has_signal(&r, PL_SIG_FALLING_RATE, PL_M_ATTENDED));
		} else {
			ck_assert(has_signal(&r, PL_SIG_RISING_VARIANCE, PL_M_CRAVING));
		}
		pl_risk_result_release(&r);
		pl_client_release(&c);
		json_decref(cj);
	}
	pl_risk_model_release(&m);
	json_decref(mj);
}
END_TEST

/* Follow-up comes from the program (pl_followup_end), never from the client's events: the same
 * history gives the same training rows with or without a later lapse, and silent days up to the
 * document's last day are rows (labelled by what happened in them). */
static size_t rows_for(const char *text, int32_t doc_end, size_t *npos)
{
	pl_catalogue cat = PL_CATALOGUE_INIT;
	pl_error err = PL_ERROR_INIT;
	pl_feature_spec f[1];
	pl_risk_train_options o;
	pl_risk_dataset ds;
	pl_client c = PL_CLIENT_INIT;
	json_t *j = json_loads(text, 0, NULL);
	size_t n;

	ck_assert_int_eq(pl_catalogue_init(&cat, &err), PL_OK);
	ck_assert_int_eq(pl_feature_parse("missed_streak", &cat, "", &f[0], &err), PL_OK);
	pl_risk_train_options_init(&o);
	o.horizon_days = 3;
	o.min_checkins = 1;
	o.doc_end = doc_end;
	ck_assert_int_eq(pl_client_from_json(j, &cat, "", &c, &err), PL_OK);
	ck_assert_int_eq(pl_risk_dataset_init(&ds, 1, &err), PL_OK);
	ck_assert_int_eq(pl_risk_dataset_add_client(&ds, &c, &cat, f, &o, &err), PL_OK);
	n = ds.nrows;
	*npos = ds.npositive;
	if (ds.npositive == 3) /* the lapse on day 20: rows 17..19, the last silent for 10 days */
		ck_assert(ds.y[16] == 0.0 && ds.y[17] == 1.0 && ds.x[19] == 10.0);
	pl_risk_dataset_release(&ds);
	pl_client_release(&c);
	pl_catalogue_release(&cat);
	json_decref(j);
	return n;
}

START_TEST(follow_up_comes_from_the_program)
{
	const char *grid = "\"start\": \"2026-03-01\", \"measures\": {\"craving\": [1,1,1,1,1,1,1,1,1,1]}";
	char with[512], without[512], ended[512], discharged[512];
	int32_t d0, doc_end;
	size_t npos, n;

	ck_assert_int_eq(pl_date_parse("2026-03-01", &d0), 0);
	snprintf(with, sizeof(with), "{\"id\": \"a\", %s, \"events\": [{\"date\": \"2026-03-21\", "
		 "\"type\": \"lapse\"}]}", grid);
	snprintf(without, sizeof(without), "{\"id\": \"a\", %s}", grid);
	snprintf(ended, sizeof(ended), "{\"id\": \"a\", %s, \"follow_up_end\": \"2026-03-15\", "
		 "\"events\": [{\"date\": \"2026-03-21\", \"type\": \"lapse\"}]}", grid);
	snprintf(discharged, sizeof(discharged), "{\"id\": \"a\", %s, \"enrolled\": \"2026-02-20\", "
		 "\"discharged\": \"2026-03-12\"}", grid);
	/* No document end: the grid (days 0..9) is the follow-up; the lapse on day 20 is outside. */
	ck_assert_uint_eq(rows_for(with, INT32_MIN, &npos), 7);
	ck_assert_uint_eq(npos, 0);
	/* The document runs to day 30: rows whether or not a lapse follows, t = 0..23 (the
	 * horizon inside follow-up, and no more than PL_SILENCE_LIMIT = 14 days since the last
	 * check-in on day 9: longer silences are not scored, so they are not trained on). */
	doc_end = d0 + 30;
	n = rows_for(with, doc_end, &npos);
	ck_assert_uint_eq(n, 24);
	ck_assert_uint_eq(npos, 3); /* days 17, 18, 19 see the lapse on day 20 */
	ck_assert_uint_eq(rows_for(without, doc_end, &npos), n);
	ck_assert_uint_eq(npos, 0);
	/* The program's own end wins over the document's: follow_up_end day 14, discharged day 11. */
	ck_assert_uint_eq(rows_for(ended, doc_end, &npos), 12);
	ck_assert_uint_eq(npos, 0);
	ck_assert_uint_eq(rows_for(discharged, doc_end, &npos), 9);
}
END_TEST

START_TEST(followup_end_rule)
{
	pl_client c = PL_CLIENT_INIT;
	c.start = 100;
	c.ndays = 10;
	ck_assert_int_eq(pl_followup_end(&c, INT32_MIN), 109);
	ck_assert_int_eq(pl_followup_end(&c, 150), 150);
	c.has_discharged = 1;
	c.discharged = 120;
	ck_assert_int_eq(pl_followup_end(&c, 150), 120);
	ck_assert_int_eq(pl_followup_end(&c, 115), 115); /* nothing past the document's end */
	c.has_follow_up_end = 1;
	c.follow_up_end = 140;
	ck_assert_int_eq(pl_followup_end(&c, 150), 140);
	ck_assert_int_eq(pl_as_of_resolve(1, 5, 1, 6, 7), 5);
	ck_assert_int_eq(pl_as_of_resolve(0, 5, 1, 6, 7), 6);
	ck_assert_int_eq(pl_as_of_resolve(0, 5, 0, 6, 7), 7);
}
END_TEST

/* ---------------------------------------------------------------- CLI */

static char *cohort_text(int jsonl)
{
	/* Three columnar clients, one with too little history, one in the row form. */
	static const char *cl[3] = {
		("{\"id\": \"a\", \"start\": \"2026-01-01\", \"measures\": {\"craving\": "
		 "[1,2,3,4,5,6,7,8,9,9,9,9], \"attended\": [true,true,false,null,true,true,false,false,"
		 "true,false,false,false]}}"),
		"{\"id\": \"b\", \"checkins\": [{\"date\": \"2026-01-01\", \"craving\": 2}]}",
		("{\"id\": \"c\", \"start\": \"2026-01-03\", \"measures\": {\"craving\": "
		 "[5,5,5,4,4,4,3,3,3,null,null,2]}}"),
	};
	size_t cap = 4096;
	char *t = malloc(cap);
	strcpy(t, jsonl ? "" : "{\"clients\": [");
	for (int i = 0; i < 3; i++) {
		strcat(t, cl[i]);
		strcat(t, jsonl ? "\n" : i < 2 ? "," : "]}");
	}
	return t;
}

START_TEST(cli_jsonl_matches_document)
{
	char *model = tu_write_temp(valid_model, ".json");
	char *doc = cohort_text(0), *lines = cohort_text(1);
	const char *args_doc[] = { "risk", "score", "--model", model, "--no-timing", NULL };
	const char *args_jsonl[] = { "risk", "score", "--model", model, "--jsonl", "--as-of",
				     "2026-01-14", NULL };
	const char *args_stdin[] = { "risk", "score", "--model", model, "--jsonl", NULL };
	tu_run a, b;
	json_t *ja, *arr;
	char *p;

	ck_assert_int_eq(tu_run_cli(args_doc, doc, &a), 0);
	ck_assert_msg(a.exit_code == 0, "%s", a.err);
	ck_assert_int_eq(tu_run_cli(args_jsonl, lines, &b), 0);
	ck_assert_msg(b.exit_code == 0, "%s", b.err);
	/* The document's as_of is its latest date (client c's last day, 2026-01-14), the same for
	 * every client; a stream from standard input cannot know it in advance: --as-of needed. */
	ck_assert_ptr_nonnull(strstr(a.out, "\"as_of\":\"2026-01-14\""));
	ck_assert_ptr_null(strstr(a.out, "\"as_of\":\"2026-01-12\""));
	{
		tu_run c;
		ck_assert_int_eq(tu_run_cli(args_stdin, lines, &c), 0);
		ck_assert_int_eq(c.exit_code, 2);
		tu_run_release(&c);
	}
	ja = json_loads(a.out, 0, NULL);
	arr = json_object_get(ja, "clients");
	ck_assert_uint_eq(json_array_size(arr), 3);
	/* Line k of the JSON Lines answer is element k of the document's answer, byte for byte. */
	p = b.out;
	for (size_t k = 0; k < 3; k++) {
		char *nl = strchr(p, '\n'), *one;
		ck_assert_ptr_nonnull(nl);
		*nl = '\0';
		one = json_dumps(json_array_get(arr, k), JSON_COMPACT | JSON_REAL_PRECISION(15));
		ck_assert_str_eq(p, one);
		free(one);
		p = nl + 1;
	}
	ck_assert_str_eq(p, "");
	/* Client b has one check-in: no risk, a reason. */
	ck_assert(json_is_null(json_object_get(json_array_get(arr, 1), "risk")));
	ck_assert(json_is_string(json_object_get(json_array_get(arr, 1), "reason")));
	json_decref(ja);
	tu_run_release(&a);
	tu_run_release(&b);
	free(doc);
	free(lines);
	free(model);
}
END_TEST

/* ---------------------------------------------------------------- from a clinician's seat */

/* The answers of the shipped model on the hand-written histories of tests/cli/risk_score/
 * clinician_* (their README: tests/cli/risk_score/clinician_cases.py), by client id. */
static json_t *score_case(const char *name)
{
	char input[1024];
	const char *args[] = { "risk", "score", "--model", PL_TEST_SRC "/models/default.json",
			       "--actions", PL_TEST_SRC "/models/actions.json", "--input", input,
			       "--no-timing", NULL };
	json_t *doc, *by_id = json_object(), *c;
	size_t k;
	tu_run r;

	snprintf(input, sizeof(input), "%s/tests/cli/risk_score/%s/input.json", PL_TEST_SRC, name);
	ck_assert_int_eq(tu_run_cli(args, NULL, &r), 0);
	ck_assert_msg(r.exit_code == 0, "%s", r.err);
	doc = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	json_array_foreach(json_object_get(doc, "clients"), k, c)
		json_object_set(by_id, json_string_value(json_object_get(c, "id")), c);
	json_decref(doc);
	tu_run_release(&r);
	return by_id;
}

static double risk_of(json_t *by_id, const char *id)
{
	return json_number_value(json_object_get(json_object_get(by_id, id), "risk"));
}

static const char *tier_of(json_t *by_id, const char *id)
{
	return json_string_value(json_object_get(json_object_get(by_id, id), "tier"));
}

/* Is `measure` among the client's explanations, and (text != NULL) does its text contain text? */
static int explains(json_t *by_id, const char *id, const char *measure, const char *text)
{
	json_t *e;
	size_t k;
	json_array_foreach(json_object_get(json_object_get(by_id, id), "explanations"), k, e)
		if (strcmp(json_string_value(json_object_get(e, "measure")), measure) == 0)
			return !text || strstr(json_string_value(json_object_get(e, "text")), text);
	return 0;
}

START_TEST(clinician_scenarios)
{
	json_t *a = score_case("clinician_deteriorates_then_silent");
	/* Deteriorated, then quiet for 6 days: scored on the silence, above the calm twin. */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(a, "quiet"),
							    "days_since_checkin")), 6);
	ck_assert(strcmp(tier_of(a, "quiet"), "moderate") == 0 || strcmp(tier_of(a, "quiet"), "high") == 0);
	ck_assert(risk_of(a, "quiet") > 3 * risk_of(a, "calm"));
	ck_assert(explains(a, "quiet", "craving", "craving up from"));
	ck_assert(explains(a, "quiet", "engagement", "no check-in for 6 days"));
	/* Silent for 20 days: no extrapolated number, reach out. */
	ck_assert_str_eq(tier_of(a, "silent_20_days"), "contact");
	ck_assert(json_is_null(json_object_get(json_object_get(a, "silent_20_days"), "risk")));
	json_decref(a);
	/* Reported use raises the risk, and is the first reason. */
	a = score_case("clinician_reports_use");
	ck_assert(risk_of(a, "reports_use") > 2 * risk_of(a, "no_use"));
	ck_assert(explains(a, "reports_use", "use", "use reported on 4 of the last 14 days"));
	json_decref(a);
	/* Stopping medication-assisted treatment raises the risk. */
	a = score_case("clinician_stops_medication");
	ck_assert(risk_of(a, "stopped_mat") > risk_of(a, "on_mat"));
	ck_assert(explains(a, "stopped_mat", "medication", "taken on 0 of 7"));
	ck_assert(!explains(a, "on_mat", "medication", NULL));
	json_decref(a);
	/* Recovering, checking in daily: low. */
	a = score_case("clinician_recovers");
	ck_assert_str_eq(tier_of(a, "recovering"), "low");
	json_decref(a);
	/* Attendance recorded by the program is not a check-in: 9 silent days. */
	a = score_case("clinician_attendance_only");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(a, "attends_only"),
							    "days_since_checkin")), 9);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(
				 a, "attends_only"), "data_quality"), "days_observed")), 28);
	ck_assert(explains(a, "attends_only", "engagement", "no check-in for 9 days"));
	json_decref(a);
}
END_TEST

START_TEST(cli_jsonl_errors_point_at_the_line)
{
	char *model = tu_write_temp(valid_model, ".json");
	const char *args[] = { "risk", "score", "--model", model, "--jsonl", "--as-of", "2026-01-05",
			       NULL };
	const char *input = "{\"id\": \"a\", \"checkins\": []}\n"
			    "{\"id\": \"b\", \"checkins\": [{\"date\": \"2026-01-02\", \"craving\": 2},"
			    "{\"date\": \"2026-01-01\", \"craving\": 3}]}\n";
	const char *syntax = "{\"id\": \"a\", \"checkins\": []}\n{\"id\": \n";
	tu_run r;

	ck_assert_int_eq(tu_run_cli(args, input, &r), 0);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "\"pointer\":\"/1/checkins/1/date\""));
	/* The first line's answer was already written: streaming stops at the bad line. */
	ck_assert_ptr_nonnull(strstr(r.out, "\"id\":\"a\""));
	tu_run_release(&r);
	ck_assert_int_eq(tu_run_cli(args, syntax, &r), 0);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "\"line\":2"));
	tu_run_release(&r);
	free(model);
}
END_TEST

/* The document scanner: odd spacing, ids with brackets and quotes, members after "clients",
 * empty and wrong-typed "clients", a syntax error inside a client, duplicate members, a scalar
 * where a client belongs; and --output written atomically, owner-only. */
START_TEST(cli_document_edge_cases)
{
	char *model = tu_write_temp(valid_model, ".json");
	const char *args[] = { "risk", "score", "--model", model, "--no-timing", NULL };
	tu_run r;
	json_t *j;

	ck_assert_int_eq(tu_run_cli(args, "  {\"clients\" : [ ] }\n", &r), 0);
	ck_assert_msg(r.exit_code == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "{\"clients\":[],\"model\":"));
	tu_run_release(&r);

	ck_assert_int_eq(tu_run_cli(args, "{ \"as_of\":\"2026-03-03\" ,\n \"clients\":\n[ {\"id\": \"a]\\\"}{\", "
					  "\"checkins\": [{\"date\": \"2026-03-01\", \"craving\": 4}]} ,"
					  "{\"id\":\"b\",\"checkins\":[]}\t] , \"top_contributions\": 1}", &r), 0);
	ck_assert_msg(r.exit_code == 0, "%s", r.err);
	j = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "clients"), 0), "id")), "a]\"}{");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "clients"), 0), "as_of")), "2026-03-03");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "clients")), 2);
	json_decref(j);
	tu_run_release(&r);

	ck_assert_int_eq(tu_run_cli(args, "{\"clients\": 5}", &r), 0);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "\"pointer\":\"/clients\""));
	tu_run_release(&r);

	ck_assert_int_eq(tu_run_cli(args, "{\"clients\": [5]}", &r), 0);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "\"pointer\":\"/clients/0\""));
	tu_run_release(&r);

	ck_assert_int_eq(tu_run_cli(args, "{\"clients\": [{\"id\": \"a\"},\n {\"id\": \"b\", \"checkins\": [}]}", &r), 0);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "\"line\":2"));
	tu_run_release(&r);

	ck_assert_int_eq(tu_run_cli(args, "{\"clients\": [], \"clients\": []}", &r), 0);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "invalid_input"));
	tu_run_release(&r);

	{
		char *out = tu_write_temp("", ".json");
		const char *args_out[] = { "risk", "score", "--model", model, "--output", out, NULL };
		struct stat sb;
		ck_assert_int_eq(tu_run_cli(args_out, "{\"clients\": [{\"id\": \"a\", \"checkins\": []}]}", &r), 0);
		ck_assert_msg(r.exit_code == 0, "%s", r.err);
		ck_assert_str_eq(r.out, "");
		ck_assert_int_eq(stat(out, &sb), 0);
		ck_assert_int_eq(sb.st_mode & 0777, 0600);
		j = json_load_file(out, 0, NULL);
		ck_assert_ptr_nonnull(j);
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "clients"), 0), "reason")), "no check-ins");
		json_decref(j);
		tu_run_release(&r);
		unlink(out);
		free(out);
	}
	free(model);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("risk");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, training_finds_the_signal_and_round_trips);
	tcase_add_test(tc, training_is_deterministic);
	tcase_add_test(tc, scoring_rules);
	tcase_add_test(tc, score_ignores_the_future);
	tcase_add_loop_test(tc, model_file_errors, 0, (int)(sizeof(bad_models) / sizeof(bad_models[0])));
	tcase_add_test(tc, signals_fire_on_planted_patterns);
	tcase_add_test(tc, follow_up_comes_from_the_program);
	tcase_add_test(tc, followup_end_rule);
	tcase_add_test(tc, cli_jsonl_matches_document);
	tcase_add_test(tc, clinician_scenarios);
	tcase_add_test(tc, cli_jsonl_errors_point_at_the_line);
	tcase_add_test(tc, cli_document_edge_cases);
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
