/*
 * test_rng.c: the seeded streams of peerlink/rng.h.
 *  - splitmix64 gives the published reference outputs (state 0: 0xe220a8397b1dcdaf,
 *    0x6e789e6aa1b965f4, 0x06c45d188009454f; Vigna's splitmix64.c) and its doubles lie in [0, 1);
 *  - the mt19937 streams are GSL's own mt19937 seeded with the request's seed;
 *  - distinct seeds give distinct streams; unknown streams are refused;
 *  - pl_rng_discrete_new builds GSL's alias table bit for bit (so the generators' draws are
 *    unchanged) and refuses weights GSL's error handler would be called for.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <peerlink/rng.h>

START_TEST(splitmix64_reference_values)
{
	/* The train-folds stream XORs the seed with 0x5eed5eed: this seed gives state 0. */
	gsl_rng *r = pl_rng_new(0x5eed5eedUL, PL_RNG_TRAIN_FOLDS);

	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(gsl_rng_name(r), "splitmix64");
	ck_assert_uint_eq(gsl_rng_get(r), 0xe220a8397b1dcdafUL);
	ck_assert_uint_eq(gsl_rng_get(r), 0x6e789e6aa1b965f4UL);
	ck_assert_uint_eq(gsl_rng_get(r), 0x06c45d188009454fUL);
	for (int k = 0; k < 10000; k++) {
		double u = gsl_rng_uniform(r);
		ck_assert(u >= 0 && u < 1);
	}
	pl_rng_free(r);
}
END_TEST

START_TEST(mt19937_streams_are_gsls)
{
	static const pl_rng_stream streams[] = { PL_RNG_EVAL_FOLDS, PL_RNG_BOOTSTRAP,
						 PL_RNG_EWS_SURROGATES };
	for (size_t s = 0; s < sizeof(streams) / sizeof(streams[0]); s++) {
		gsl_rng *ours = pl_rng_new(42, streams[s]), *ref = gsl_rng_alloc(gsl_rng_mt19937);
		ck_assert_ptr_nonnull(ours);
		gsl_rng_set(ref, 42);
		ck_assert_str_eq(gsl_rng_name(ours), "mt19937");
		for (int k = 0; k < 1000; k++)
			ck_assert_uint_eq(gsl_rng_get(ours), gsl_rng_get(ref));
		pl_rng_free(ours);
		gsl_rng_free(ref);
	}
}
END_TEST

START_TEST(seeds_and_streams)
{
	gsl_rng *a = pl_rng_new(1, PL_RNG_TRAIN_FOLDS), *b = pl_rng_new(2, PL_RNG_TRAIN_FOLDS);

	ck_assert_uint_ne(gsl_rng_get(a), gsl_rng_get(b));
	ck_assert_ptr_null(pl_rng_new(1, PL_RNG_NSTREAMS));
	pl_rng_free(a);
	pl_rng_free(b);
	pl_rng_free(NULL);
}
END_TEST

START_TEST(alias_table_is_gsls)
{
	gsl_rng *r = pl_rng_new(17, PL_RNG_GEN_PROFILES);

	for (int trial = 0; trial < 300; trial++) {
		size_t k = 1 + (size_t)(trial % 40);
		double w[40];
		gsl_ran_discrete_t *ours, *ref;
		for (size_t i = 0; i < k; i++) /* some zeros, some ties, some tiny */
			w[i] = trial % 3 == 0 && i % 4 == 1 ? 0.0 : trial % 5 == 0 ? 1.0 : gsl_rng_uniform(r) * (1 + (double)(i % 3));
		if (k > 1 && trial % 7 == 0)
			w[0] = 1e-300;
		ours = pl_rng_discrete_new(k, w);
		ref = gsl_ran_discrete_preproc(k, w);
		ck_assert_ptr_nonnull(ours);
		ck_assert_uint_eq(ours->K, ref->K);
		for (size_t i = 0; i < k; i++) {
			ck_assert_uint_eq(ours->A[i], ref->A[i]);
			ck_assert_msg(ours->F[i] == ref->F[i], "trial %d, column %zu", trial, i);
		}
		pl_rng_discrete_free(ours);
		gsl_ran_discrete_free(ref);
	}
	pl_rng_free(r);
}
END_TEST

START_TEST(alias_table_refuses)
{
	static const double neg[3] = { 1, -0.5, 2 }, zero[2] = { 0, 0 }, inf[2] = { 1, 1.0 / 0.0 };
	ck_assert_ptr_null(pl_rng_discrete_new(0, neg));
	ck_assert_ptr_null(pl_rng_discrete_new(3, neg));
	ck_assert_ptr_null(pl_rng_discrete_new(2, zero));
	ck_assert_ptr_null(pl_rng_discrete_new(2, inf));
	pl_rng_discrete_free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rng");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, splitmix64_reference_values);
	tcase_add_test(tc, mt19937_streams_are_gsls);
	tcase_add_test(tc, seeds_and_streams);
	tcase_add_test(tc, alias_table_is_gsls);
	tcase_add_test(tc, alias_table_refuses);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
