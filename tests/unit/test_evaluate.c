/*
 * test_evaluate.c: `risk evaluate` end to end on small generated cohorts: cross-validation is
 * seeded (byte-identical reruns, and the same answer on one thread as on two), every client is
 * scored, the oracle (the true hazard) ranks better than the last-craving baseline, intervals
 * bracket their point values, and the subgroups partition the rows; a planted noisy subgroup
 * scores worse than the same clients without the noise while the other subgroups are unchanged.
 *
 * Small on purpose (issue 9: the old 150- and 400-client runs took minutes under ASan). The
 * bounds were checked on cohort seeds 1..12 before being chosen (issue 12): the oracle's AUROC was
 * 0.77..0.85 against 0.57..0.70 for the last craving, its window version above it every time, the
 * model's interval bracketed its value every time; the noisy band lost 0.008..0.205 AUROC. The
 * model itself is NOT asserted to beat chance here: on 80 clients cross-validation gave 0.42..0.63
 * (the small-cohort problem of issue 12).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include "testutil.h"

static char *cohort_path(void)
{
	const char *gen[] = { "dataset", "generate", "checkins", "--clients", "80", "--days", "120",
			      "--seed", "4", "--jsonl", "--no-timing", NULL };
	tu_run r;
	char *path;

	ck_assert_int_eq(tu_run_cli(gen, "", &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	path = tu_write_temp(r.out, ".jsonl");
	tu_run_release(&r);
	return path;
}

static double value(json_t *doc, const char *a, const char *b, const char *c)
{
	json_t *x = json_object_get(json_object_get(doc, a), b);
	if (c)
		x = json_object_get(x, c);
	return json_number_value(json_object_get(x, "value"));
}

START_TEST(test_cv_end_to_end)
{
	char *path = cohort_path();
	const char *args[] = { "risk", "evaluate", "--cv", "3", "--baselines", "--bootstrap", "20",
			       "--jsonl", "--input", path, "--seed", "5", "--no-timing", "--threads",
			       "2", NULL };
	tu_run r1, r2;
	json_t *doc, *sub, *g;
	const char *key;
	double auroc, oracle;
	json_int_t rows, sum = 0;

	ck_assert_int_eq(tu_run_cli(args, "", &r1), 0);
	ck_assert_msg(r1.exit_code == 0, "stderr: %s", r1.err);
	args[14] = "1"; /* one thread: the same answer */
	ck_assert_int_eq(tu_run_cli(args, "", &r2), 0);
	ck_assert_str_eq(r1.out, r2.out);
	doc = json_loads(r1.out, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(doc, "data"), "clients")), 80);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(doc, "data"), "clients_scored")), 80);
	rows = json_integer_value(json_object_get(json_object_get(doc, "data"), "rows"));
	ck_assert(rows > 80 * 80);
	auroc = value(doc, "metrics", "auroc", NULL);
	oracle = value(doc, "oracle", "auroc", NULL);
	ck_assert_msg(auroc > 0 && auroc < 1, "model AUROC %g", auroc);
	ck_assert_msg(oracle > 0.7, "oracle AUROC %g", oracle);
	ck_assert(value(doc, "oracle", "window", "auroc") > oracle);
	ck_assert(oracle > value(doc, "baselines", "last_craving", "auroc"));
	{
		json_t *ci = json_object_get(json_object_get(json_object_get(doc, "metrics"), "auroc"), "ci");
		ck_assert(json_number_value(json_array_get(ci, 0)) <= auroc);
		ck_assert(json_number_value(json_array_get(ci, 1)) >= auroc);
	}
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(doc, "model"), "fold_thresholds")), 3);
	/* subgroups by gender partition the rows */
	sub = json_object_get(json_object_get(doc, "subgroups"), "gender");
	ck_assert_ptr_nonnull(sub);
	json_object_foreach(sub, key, g)
		sum += json_integer_value(json_object_get(g, "rows"));
	ck_assert_int_eq(sum, rows);
	json_decref(doc);
	tu_run_release(&r1);
	tu_run_release(&r2);
	remove(path);
	free(path);
}
END_TEST

/* The age-band AUROCs of the shipped model on a generated cohort (bootstrap off), with or without
 * generator parameters. */
static void band_aurocs(const char *params_path, double out[4])
{
	static const char *const bands[4] = { "18-25", "26-35", "36-50", "51+" };
	const char *gen[] = { "dataset", "generate", "checkins", "--clients", "400", "--days", "120",
			      "--seed", "3", "--jsonl", "--no-timing", NULL, NULL, NULL };
	char *cpath;
	tu_run r;
	json_t *doc, *b;

	if (params_path) {
		gen[11] = "--params";
		gen[12] = params_path;
	}
	ck_assert_int_eq(tu_run_cli(gen, "", &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	cpath = tu_write_temp(r.out, ".jsonl");
	tu_run_release(&r);
	{
		const char *ev[] = { "risk", "evaluate", "--model", PL_TEST_SRC "/models/default.json",
				     "--bootstrap", "0", "--jsonl", "--input", cpath, "--no-timing", NULL };
		ck_assert_int_eq(tu_run_cli(ev, "", &r), 0);
		ck_assert_msg(r.exit_code == 0, "stderr: %s", r.err);
	}
	doc = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	b = json_object_get(json_object_get(doc, "subgroups"), "age_band");
	for (int k = 0; k < 4; k++)
		out[k] = json_number_value(json_object_get(
			json_object_get(json_object_get(b, bands[k]), "auroc"), "value"));
	json_decref(doc);
	tu_run_release(&r);
	remove(cpath);
	free(cpath);
}

/* A planted subgroup: clients aged 18-25 report with ten times the noise (the same clients and
 * hazards otherwise: the generator draws the same numbers). The model must work worse for them
 * than on the same cohort without the noise, and exactly as well for every other band. */
START_TEST(test_planted_subgroup)
{
	char *ppath = tu_write_temp("{\"age_band_noise\": [10, 1, 1, 1]}", ".json");
	double plain[4], noisy[4];

	band_aurocs(NULL, plain);
	band_aurocs(ppath, noisy);
	ck_assert_msg(noisy[0] < plain[0], "18-25 %g with the noise, %g without", noisy[0], plain[0]);
	for (int k = 1; k < 4; k++)
		ck_assert_double_eq_tol(noisy[k], plain[k], 1e-12);
	remove(ppath);
	free(ppath);
}
END_TEST

static Suite *evaluate_suite(void)
{
	Suite *s = suite_create("evaluate");
	TCase *tc = tcase_create("cli");
	/* A few seconds in a Release build; the generous timeout is for ASan on busy shared cores
	 * (issue 9: the old intermittent failure was a timeout, not an order dependence). */
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_cv_end_to_end);
	tcase_add_test(tc, test_planted_subgroup);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(evaluate_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
