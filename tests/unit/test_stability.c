/*
 * test_stability.c: do explanations survive retraining? Two models trained on disjoint halves of
 * one generated population (the shipped model's recipe: models/train_default.sh) score a third
 * cohort; for each client scored by both, the top measure of the explanations must agree.
 * Issue 11 asks for at least 90%; the number reached is printed (docs/risk.md, "Stability", and
 * models/MODEL_CARD.md quote it).
 */
#include <check.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/gen.h>
#include <peerlink/json_data.h>
#include <peerlink/json_risk.h>
#include <peerlink/risk.h>

#define HALF 1000          /* clients per half: the shipped model's training size */
#define TEST_CLIENTS 500
#define L2 100000.0        /* the shipped model's penalty (models/train_default.sh) */
#define FLOOR 0.90         /* issue 11; measured 0.912 (363 of 398) */

/* n generated clients (seed) parsed into out[]. */
static void cohort(unsigned long seed, size_t n, const pl_catalogue *cat, pl_client *out)
{
	pl_gen_checkins_params p;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	pl_gen_checkins_params_init(&p);
	gsl_rng_set(r, seed);
	for (size_t i = 0; i < n; i++) {
		pl_gen_client g = PL_GEN_CLIENT_INIT;
		pl_error err = PL_ERROR_INIT;
		char id[32];
		json_t *j;
		snprintf(id, sizeof(id), "c%zu", i);
		ck_assert_int_eq(pl_gen_checkins_client(&p, r, 180, &g, &err), PL_OK);
		j = pl_json_write_gen_client(&g, id, 0);
		ck_assert_int_eq(pl_client_from_json(j, cat, "", &out[i], &err), PL_OK);
		json_decref(j);
		pl_gen_client_release(&g);
	}
	gsl_rng_free(r);
}

static void train(pl_client *cl, size_t n, const pl_catalogue *cat, pl_risk_model *m)
{
	pl_error err = PL_ERROR_INIT;
	pl_feature_spec *f;
	size_t nf;
	pl_risk_train_options o;
	pl_risk_dataset ds;
	int32_t end = INT32_MIN;

	ck_assert_int_eq(pl_features_default(cat, &f, &nf, &err), PL_OK);
	pl_risk_train_options_init(&o);
	o.l2 = L2;
	o.seed = 1;
	for (size_t i = 0; i < n; i++)
		if (pl_client_last_day(&cl[i]) > end)
			end = pl_client_last_day(&cl[i]);
	o.doc_end = end;
	ck_assert_int_eq(pl_risk_dataset_init(&ds, nf, &err), PL_OK);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(pl_risk_dataset_add_client(&ds, &cl[i], cat, f, &o, &err), PL_OK);
	ck_assert_int_eq(pl_risk_train(&ds, cat, f, &o, m, &err), PL_OK);
	pl_risk_dataset_release(&ds);
	free(f);
}

START_TEST(top_measure_agrees_across_halves)
{
	pl_catalogue cat = PL_CATALOGUE_INIT;
	pl_error err = PL_ERROR_INIT;
	pl_client *pop = calloc(2 * HALF, sizeof(*pop)), *test = calloc(TEST_CLIENTS, sizeof(*test));
	pl_risk_model a, b;
	size_t both = 0, agree = 0, flips = 0;
	int32_t as_of;

	ck_assert_int_eq(pl_catalogue_init(&cat, &err), PL_OK);
	cohort(5, 2 * HALF, &cat, pop);
	cohort(3, TEST_CLIENTS, &cat, test);
	train(pop, HALF, &cat, &a);
	train(pop + HALF, HALF, &cat, &b);
	for (size_t j = 0; j < a.nfeatures; j++)
		flips += a.coef[j] * b.coef[j] < 0;
	ck_assert_uint_eq(flips, 0); /* sign constraints: no coefficient changes sides */
	ck_assert_int_eq(pl_date_parse("2026-06-05", &as_of), 0); /* inside every test client */
	for (size_t i = 0; i < TEST_CLIENTS; i++) {
		pl_risk_result ra, rb;
		ck_assert_int_eq(pl_risk_score(&a, &test[i], as_of, &ra, &err), PL_OK);
		ck_assert_int_eq(pl_risk_score(&b, &test[i], as_of, &rb, &err), PL_OK);
		if (ra.has_risk && rb.has_risk) {
			const char *ta = ra.nexplanations ? ra.explanations[0].group : "";
			const char *tb = rb.nexplanations ? rb.explanations[0].group : "";
			both++;
			agree += strcmp(ta, tb) == 0;
		}
		pl_risk_result_release(&ra);
		pl_risk_result_release(&rb);
	}
	printf("top-measure agreement: %zu of %zu clients (%.3f)\n", agree, both,
	       (double)agree / (double)both);
	ck_assert_uint_ge(both, TEST_CLIENTS / 2);
	ck_assert_msg((double)agree / (double)both >= FLOOR, "agreement %.3f",
		      (double)agree / (double)both);
	for (size_t i = 0; i < 2 * HALF; i++)
		pl_client_release(&pop[i]);
	for (size_t i = 0; i < TEST_CLIENTS; i++)
		pl_client_release(&test[i]);
	free(pop);
	free(test);
	pl_risk_model_release(&a);
	pl_risk_model_release(&b);
	pl_catalogue_release(&cat);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stability");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, top_measure_agrees_across_halves);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
