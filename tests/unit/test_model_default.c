/*
 * test_model_default.c: the shipped model (models/default.json) is usable as shipped. It loads
 * through the library's reader, every feature it declares is one the feature catalogue knows (the
 * names round-trip), its numbers are sane, and `risk score` with it ranks a client whose craving
 * rises while check-ins are missed above an otherwise identical stable client. The two clients are
 * built here, day by day, so the test does not depend on a golden file that retraining rewrites.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <peerlink/json_risk.h>
#include <peerlink/risk.h>
#include "testutil.h"

#define MODEL PL_TEST_SRC "/models/default.json"
#define DAYS 56
#define LATE 14 /* the rising client's last LATE days worsen */

START_TEST(test_loads_and_features_exist)
{
	pl_risk_model m = { 0 };
	pl_error err = PL_ERROR_INIT;
	json_error_t jerr;
	json_t *doc = json_load_file(MODEL, 0, &jerr), *feats;

	ck_assert_msg(doc != NULL, "models/default.json: %s", jerr.text);
	ck_assert_msg(pl_risk_model_read_file(MODEL, &m, &err) == PL_OK, "%s", err.message);
	feats = json_object_get(doc, "features");
	ck_assert(json_is_array(feats));
	ck_assert_uint_gt(m.nfeatures, 0);
	ck_assert_uint_eq(m.nfeatures, json_array_size(feats));
	for (size_t j = 0; j < m.nfeatures; j++) {
		char name[128];
		pl_feature_spec again;
		const char *declared = json_string_value(json_object_get(json_array_get(feats, j), "name"));

		pl_feature_name(&m.features[j], &m.catalogue, name, sizeof(name));
		ck_assert_ptr_nonnull(declared);
		ck_assert_str_eq(name, declared);
		ck_assert_int_eq(pl_feature_parse(declared, &m.catalogue, "", &again, &err), PL_OK);
		ck_assert(isfinite(m.mean[j]) && isfinite(m.coef[j]));
		ck_assert_msg(m.sd[j] > 0 && isfinite(m.sd[j]), "feature %s: sd %g", name, m.sd[j]);
	}
	ck_assert(isfinite(m.intercept));
	ck_assert(m.horizon_days > 0);
	ck_assert(0 < m.threshold_moderate && m.threshold_moderate <= m.threshold_high &&
		  m.threshold_high < 1);
	pl_risk_model_release(&m);
	json_decref(doc);
}
END_TEST

static json_t *num(double v, int missing)
{
	return missing ? json_null() : json_real(v);
}

static json_t *flag(int v, int missing)
{
	return missing ? json_null() : json_boolean(v);
}

/* DAYS of daily check-ins with a small two-day wobble. When `rising`, the last LATE days bring
 * craving, stress and anxiety up, mood and sleep down, no attendance or peer contact, and only
 * every third day answered. */
static json_t *client(const char *id, int rising)
{
	const char *names[] = { "craving", "mood", "stress", "anxiety", "sleep_quality", "sleep_hours",
				"attended", "medication_taken", "peer_contact", "used" };
	json_t *m = json_object(), *c = json_object(), *col[10];

	for (int k = 0; k < 10; k++)
		col[k] = json_array();
	for (int d = 0; d < DAYS; d++) {
		int late = rising && d >= DAYS - LATE, miss = late && d % 3 != 0;
		double w = d % 2, k = late ? d - (DAYS - LATE) : 0;

		json_array_append_new(col[0], num(fmin(10, 2 + w + 0.5 * k), miss));
		json_array_append_new(col[1], num(fmax(0, 7 - w - 0.3 * k), miss));
		json_array_append_new(col[2], num(fmin(10, 3 + w + 0.3 * k), miss));
		json_array_append_new(col[3], num(fmin(10, 3 + w + 0.3 * k), miss));
		json_array_append_new(col[4], num(fmax(0, 7 - w - 0.2 * k), miss));
		json_array_append_new(col[5], num(7.5 - 0.2 * k, miss));
		json_array_append_new(col[6], flag(!late, miss));
		json_array_append_new(col[7], flag(1, miss));
		json_array_append_new(col[8], flag(!late, miss));
		json_array_append_new(col[9], flag(0, miss));
	}
	for (int k = 0; k < 10; k++)
		json_object_set_new(m, names[k], col[k]);
	json_object_set_new(c, "id", json_string(id));
	json_object_set_new(c, "start", json_string("2026-01-05"));
	json_object_set_new(c, "measures", m);
	return c;
}

static json_t *answer_for(json_t *answer, const char *id)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(answer, "clients"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "id")), id) == 0)
			return c;
	ck_abort_msg("no answer for client %s", id);
	return NULL;
}

START_TEST(test_rising_scores_above_stable)
{
	json_t *req = json_object(), *clients = json_array(), *answer, *stable, *rising, *sig;
	const char *args[] = { "risk", "score", "--model", MODEL, "--no-timing", NULL };
	double rs, rr;
	char *text;
	tu_run r;

	json_array_append_new(clients, client("stable", 0));
	json_array_append_new(clients, client("rising", 1));
	json_object_set_new(req, "clients", clients);
	text = json_dumps(req, JSON_COMPACT);
	ck_assert_int_eq(tu_run_cli(args, text, &r), 0);
	ck_assert_msg(r.exit_code == 0, "stderr: %s", r.err);
	answer = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(answer);
	stable = answer_for(answer, "stable");
	rising = answer_for(answer, "rising");
	ck_assert(json_is_number(json_object_get(stable, "risk")));
	ck_assert(json_is_number(json_object_get(rising, "risk")));
	rs = json_number_value(json_object_get(stable, "risk"));
	rr = json_number_value(json_object_get(rising, "risk"));
	ck_assert(rs > 0 && rs < 1 && rr > 0 && rr < 1);
	ck_assert_msg(rr > 2 * rs, "rising %g, stable %g", rr, rs);
	ck_assert_str_eq(json_string_value(json_object_get(stable, "tier")), "low");
	ck_assert_str_ne(json_string_value(json_object_get(rising, "tier")), "low");
	/* the stable client raises no signal; the rising one at least one, and it checked in less */
	ck_assert_uint_eq(json_array_size(json_object_get(stable, "signals")), 0);
	sig = json_object_get(rising, "signals");
	ck_assert_uint_gt(json_array_size(sig), 0);
	ck_assert_int_lt(json_integer_value(json_object_get(json_object_get(rising, "data_quality"),
							    "checkins_last_14")),
			 json_integer_value(json_object_get(json_object_get(stable, "data_quality"),
							    "checkins_last_14")));
	json_decref(answer);
	json_decref(req);
	free(text);
	tu_run_release(&r);
}
END_TEST

static Suite *model_default_suite(void)
{
	Suite *s = suite_create("model_default");
	TCase *tc = tcase_create("shipped");
	tcase_add_test(tc, test_loads_and_features_exist);
	tcase_add_test(tc, test_rising_scores_above_stable);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(model_default_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
