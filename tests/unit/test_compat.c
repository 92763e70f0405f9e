/*
 * test_compat.c: profiles and compatibility scores: the formula against hand-computed pairs, the
 * GEMM path against a naive loop written here from the documented formula, every hard rule and
 * its switch, and the population's input errors with their pointers.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/compat.h>
#include <peerlink/profile.h>

#include "testutil.h"

static size_t add(pl_profiles *P, const char *id)
{
	pl_error err = PL_ERROR_INIT;
	size_t idx = 0;
	char origin[64];
	snprintf(origin, sizeof(origin), "/p/%zu", P->n);
	ck_assert_int_eq(pl_profiles_add(P, id, origin, &idx, &err), PL_OK);
	return idx;
}

static void tag(pl_profiles *P, size_t i, pl_criterion c, const char *t)
{
	pl_error err = PL_ERROR_INIT;
	ck_assert_int_eq(pl_profile_add_tag(P, i, c, t, &err), PL_OK);
}

static void trait(pl_profiles *P, size_t i, const char *t, double v)
{
	pl_error err = PL_ERROR_INIT;
	ck_assert_int_eq(pl_profile_set_trait(P, i, t, v, &err), PL_OK);
}

static void finalize(pl_profiles *P)
{
	pl_error err = PL_ERROR_INIT;
	ck_assert_int_eq(pl_profiles_finalize(P, &err), PL_OK);
}

static double matrix1(const pl_profiles *P, const pl_compat_params *prm, size_t a, size_t b)
{
	pl_error err = PL_ERROR_INIT;
	double s = -1;
	ck_assert_int_eq(pl_compat_matrix(P, prm, &a, 1, &b, 1, &s, &err), PL_OK);
	return s;
}

START_TEST(test_hand_computed)
{
	pl_profiles P;
	pl_compat_params prm;
	pl_compat_detail d;
	size_t a, b;
	double want, sum = 0;

	pl_profiles_init(&P);
	pl_compat_params_init(&prm);
	a = add(&P, "a");
	b = add(&P, "b");
	tag(&P, a, PL_CRIT_EXPERIENCES, "trauma");
	tag(&P, a, PL_CRIT_EXPERIENCES, "veteran");
	tag(&P, b, PL_CRIT_EXPERIENCES, "trauma");
	tag(&P, b, PL_CRIT_EXPERIENCES, "grief");
	tag(&P, b, PL_CRIT_EXPERIENCES, "veteran");
	tag(&P, a, PL_CRIT_RECOVERY_PATHWAY, "smart");
	tag(&P, b, PL_CRIT_RECOVERY_PATHWAY, "smart");
	tag(&P, a, PL_CRIT_SUBSTANCES, "alcohol"); /* only a: substances do not count */
	P.items[a].has_age = 1;
	P.items[a].age = 30;
	P.items[b].has_age = 1;
	P.items[b].age = 40;
	trait(&P, a, "o", 0.5);
	trait(&P, a, "c", 0.2);
	trait(&P, b, "o", 0.7);
	trait(&P, b, "c", 0.2);
	finalize(&P);
	/* experiences cos = 2/sqrt(6), pathway 1, personality 1 - 0.04/2 = 0.98, age 1 - 10/20
	 * weights 2, 2, 1, 1 */
	want = (2 * 2 / sqrt(6.0) + 2 * 1.0 + 1 * 0.98 + 1 * 0.5) / 6.0;
	pl_compat_explain(&P, &prm, a, b, &d);
	ck_assert_double_eq_tol(d.score, want, 1e-12);
	ck_assert_double_eq_tol(d.similarity[PL_CRIT_PERSONALITY], 0.98, 1e-12);
	ck_assert_int_eq(d.present[PL_CRIT_SUBSTANCES], 0);
	for (int c = 0; c < PL_CRIT_COUNT; c++)
		sum += d.contribution[c];
	ck_assert_double_eq_tol(sum, want, 1e-12);
	ck_assert_double_eq_tol(d.contribution[PL_CRIT_RECOVERY_PATHWAY], 2.0 / 6.0, 1e-12);
	ck_assert_double_eq_tol(matrix1(&P, &prm, a, b), want, 1e-12);
	ck_assert_double_eq_tol(matrix1(&P, &prm, b, a), want, 1e-12);
	/* a weight of 0 drops the criterion from both sums */
	prm.weight[PL_CRIT_AGE] = 0;
	want = (2 * 2 / sqrt(6.0) + 2 * 1.0 + 1 * 0.98) / 5.0;
	ck_assert_double_eq_tol(matrix1(&P, &prm, a, b), want, 1e-12);
	/* nothing in common filled in: score 0 */
	pl_compat_params_init(&prm);
	for (int c = 0; c < PL_CRIT_COUNT; c++)
		prm.weight[c] = 0;
	prm.weight[PL_CRIT_GOALS] = 1;
	ck_assert_double_eq(matrix1(&P, &prm, a, b), 0.0);
	pl_profiles_release(&P);
}
END_TEST

START_TEST(test_age_clip_and_multi_pathway)
{
	pl_profiles P;
	pl_compat_params prm;
	size_t a, b;

	pl_profiles_init(&P);
	pl_compat_params_init(&prm);
	a = add(&P, "a");
	b = add(&P, "b");
	P.items[a].has_age = P.items[b].has_age = 1;
	P.items[a].age = 20;
	P.items[b].age = 55; /* gap 35 > 20: similarity clipped to 0 */
	tag(&P, a, PL_CRIT_RECOVERY_PATHWAY, "medication_assisted");
	tag(&P, a, PL_CRIT_RECOVERY_PATHWAY, "twelve_step");
	tag(&P, b, PL_CRIT_RECOVERY_PATHWAY, "twelve_step");
	finalize(&P);
	/* pathway cos = 1/sqrt(2), weight 2; age 0, weight 1 */
	ck_assert_double_eq_tol(matrix1(&P, &prm, a, b), (2 / sqrt(2.0)) / 3.0, 1e-12);
	pl_profiles_release(&P);
}
END_TEST

/* ---- random populations and a naive reference written from docs/matching-mentors.md ---- */

static const char *const vocab[] = { "t0", "t1", "t2", "t3", "t4", "t5" };

static void random_population(pl_profiles *P, size_t n, tu_rng *rng)
{
	char id[32];
	for (size_t k = 0; k < n; k++) {
		size_t i;
		snprintf(id, sizeof(id), "p%zu", k);
		i = add(P, id);
		for (int c = 0; c < PL_TAG_CRITERIA; c++) {
			if (tu_uniform(rng) < 0.2)
				continue; /* criterion absent */
			for (int t = 0; t < 6; t++)
				if (tu_uniform(rng) < 0.35)
					tag(P, i, (pl_criterion)c, vocab[t]);
		}
		if (tu_uniform(rng) < 0.7) {
			trait(P, i, "a", tu_uniform(rng));
			trait(P, i, "b", tu_uniform(rng));
			trait(P, i, "c", tu_uniform(rng));
		}
		if (tu_uniform(rng) < 0.8) {
			P->items[i].has_age = 1;
			P->items[i].age = (double)tu_range(rng, 18, 70);
		}
	}
	finalize(P);
}

static int has(const pl_tags *t, int id)
{
	for (size_t k = 0; k < t->n; k++)
		if (t->ids[k] == id)
			return 1;
	return 0;
}

static double naive_score(const pl_profiles *P, const pl_compat_params *prm, size_t a, size_t b)
{
	const pl_profile *x = &P->items[a], *y = &P->items[b];
	double num = 0, den = 0;
	for (int c = 0; c < PL_TAG_CRITERIA; c++) {
		size_t common = 0;
		if (!x->tags[c].n || !y->tags[c].n || prm->weight[c] <= 0)
			continue;
		for (size_t k = 0; k < x->tags[c].n; k++)
			common += has(&y->tags[c], x->tags[c].ids[k]);
		num += prm->weight[c] * (double)common / sqrt((double)(x->tags[c].n * y->tags[c].n));
		den += prm->weight[c];
	}
	if (x->traits && y->traits && prm->weight[PL_CRIT_PERSONALITY] > 0) {
		double d2 = 0;
		for (size_t k = 0; k < P->traits.n; k++)
			d2 += pow(x->traits[k] - y->traits[k], 2);
		num += prm->weight[PL_CRIT_PERSONALITY] * (1 - d2 / (double)P->traits.n);
		den += prm->weight[PL_CRIT_PERSONALITY];
	}
	if (x->has_age && y->has_age && prm->weight[PL_CRIT_AGE] > 0) {
		num += prm->weight[PL_CRIT_AGE] * fmax(0.0, 1 - fabs(x->age - y->age) / 20.0);
		den += prm->weight[PL_CRIT_AGE];
	}
	return den > 0 ? num / den : 0.0;
}

START_TEST(test_gemm_equals_naive)
{
	tu_rng rng = { 12345 + (uint64_t)_i };
	pl_profiles P;
	pl_compat_params prm;
	pl_error err = PL_ERROR_INIT;
	size_t n = 60, nl = 35, nr = 25, left[35], right[25];
	double *S = malloc(nl * nr * sizeof(double));

	pl_profiles_init(&P);
	random_population(&P, n, &rng);
	pl_compat_params_init(&prm);
	prm.rules = 0; /* scores only; rules are tested below */
	for (int c = 0; c < PL_CRIT_COUNT; c++)
		prm.weight[c] = tu_uniform(&rng) < 0.15 ? 0.0 : tu_uniform(&rng) * 3;
	for (size_t i = 0; i < nl; i++)
		left[i] = i;
	for (size_t j = 0; j < nr; j++)
		right[j] = nl + j;
	ck_assert_int_eq(pl_compat_matrix(&P, &prm, left, nl, right, nr, S, &err), PL_OK);
	for (size_t i = 0; i < nl; i++)
		for (size_t j = 0; j < nr; j++) {
			pl_compat_detail d;
			double want = naive_score(&P, &prm, left[i], right[j]), sum = 0;
			ck_assert_double_eq_tol(S[i * nr + j], want, 1e-12);
			pl_compat_explain(&P, &prm, left[i], right[j], &d);
			ck_assert_double_eq_tol(d.score, want, 1e-12);
			for (int c = 0; c < PL_CRIT_COUNT; c++)
				sum += d.contribution[c];
			ck_assert_double_eq_tol(sum, want, 1e-12);
			ck_assert(S[i * nr + j] >= 0 && S[i * nr + j] <= 1);
		}
	/* one set against itself: symmetric, diagonal infeasible (a profile is not its own match) */
	{
		double *T = malloc(nl * nl * sizeof(double));
		ck_assert_int_eq(pl_compat_matrix(&P, &prm, left, nl, left, nl, T, &err), PL_OK);
		for (size_t i = 0; i < nl; i++) {
			ck_assert(isnan(T[i * nl + i]));
			for (size_t j = 0; j < nl; j++)
				if (i != j)
					ck_assert_double_eq_tol(T[i * nl + j], T[j * nl + i], 1e-12);
		}
		free(T);
	}
	free(S);
	pl_profiles_release(&P);
}
END_TEST

/* ---- hard rules ---- */

typedef struct rules_fixture {
	pl_profiles P;
	size_t a, b;
} rules_fixture;

static void two(rules_fixture *f)
{
	pl_profiles_init(&f->P);
	f->a = add(&f->P, "a");
	f->b = add(&f->P, "b");
	tag(&f->P, f->a, PL_CRIT_GOALS, "housing");
	tag(&f->P, f->b, PL_CRIT_GOALS, "housing");
}

/* Infeasible with the rule on (exactly that rule), feasible with it switched off. */
static void check_rule(rules_fixture *f, pl_rule r)
{
	pl_compat_params prm;
	pl_compat_detail d;
	pl_compat_params_init(&prm);
	prm.min_availability_overlap = 2;
	prm.rules |= PL_RULE_BIT(PL_RULE_AVAILABILITY);
	finalize(&f->P);
	ck_assert_uint_eq(pl_compat_rules_failed(&f->P, &prm, f->a, f->b), PL_RULE_BIT(r));
	ck_assert_uint_eq(pl_compat_rules_failed(&f->P, &prm, f->b, f->a), PL_RULE_BIT(r));
	ck_assert(isnan(matrix1(&f->P, &prm, f->a, f->b)));
	pl_compat_explain(&f->P, &prm, f->a, f->b, &d);
	ck_assert_uint_eq(d.failed, PL_RULE_BIT(r));
	ck_assert_double_eq_tol(d.score, 1.0, 1e-12); /* the score exists, the pair is infeasible */
	prm.rules &= ~PL_RULE_BIT(r);
	ck_assert_uint_eq(pl_compat_rules_failed(&f->P, &prm, f->a, f->b), 0);
	ck_assert_double_eq_tol(matrix1(&f->P, &prm, f->a, f->b), 1.0, 1e-12);
	pl_profiles_release(&f->P);
}

static void avail_ok(rules_fixture *f)
{
	tag(&f->P, f->a, PL_CRIT_AVAILABILITY, "mon_pm");
	tag(&f->P, f->a, PL_CRIT_AVAILABILITY, "tue_pm");
	tag(&f->P, f->b, PL_CRIT_AVAILABILITY, "mon_pm");
	tag(&f->P, f->b, PL_CRIT_AVAILABILITY, "tue_pm");
}

START_TEST(test_rules_each_and_switch)
{
	rules_fixture f;
	pl_error err = PL_ERROR_INIT;

	/* language: both list, none shared; one side listing none is no conflict */
	two(&f);
	avail_ok(&f);
	tag(&f.P, f.a, PL_CRIT_LANGUAGES, "en");
	tag(&f.P, f.b, PL_CRIT_LANGUAGES, "es");
	tag(&f.P, f.a, PL_CRIT_MODALITIES, "virtual");
	tag(&f.P, f.b, PL_CRIT_MODALITIES, "virtual");
	{
		pl_compat_params prm;
		pl_compat_params_init(&prm);
		prm.weight[PL_CRIT_LANGUAGES] = 0;
		prm.weight[PL_CRIT_MODALITIES] = 0;
		prm.weight[PL_CRIT_AVAILABILITY] = 0;
		finalize(&f.P);
		ck_assert_uint_eq(pl_compat_rules_failed(&f.P, &prm, f.a, f.b), PL_RULE_BIT(PL_RULE_LANGUAGE));
		prm.rules &= ~PL_RULE_BIT(PL_RULE_LANGUAGE);
		ck_assert_double_eq_tol(matrix1(&f.P, &prm, f.a, f.b), 1.0, 1e-12);
		pl_profiles_release(&f.P);
	}
	/* modality */
	two(&f);
	avail_ok(&f);
	tag(&f.P, f.a, PL_CRIT_MODALITIES, "virtual");
	tag(&f.P, f.b, PL_CRIT_MODALITIES, "in_person");
	{
		pl_compat_params prm;
		pl_compat_params_init(&prm);
		prm.weight[PL_CRIT_MODALITIES] = 0;
		prm.weight[PL_CRIT_AVAILABILITY] = 0;
		finalize(&f.P);
		ck_assert_uint_eq(pl_compat_rules_failed(&f.P, &prm, f.a, f.b), PL_RULE_BIT(PL_RULE_MODALITY));
		prm.rules &= ~PL_RULE_BIT(PL_RULE_MODALITY);
		ck_assert_double_eq_tol(matrix1(&f.P, &prm, f.a, f.b), 1.0, 1e-12);
		pl_profiles_release(&f.P);
	}
	/* gender: "same" with different genders */
	two(&f);
	avail_ok(&f);
	ck_assert_int_eq(pl_profile_set_gender(&f.P, f.a, "woman", &err), PL_OK);
	ck_assert_int_eq(pl_profile_set_gender(&f.P, f.b, "man", &err), PL_OK);
	ck_assert_int_eq(pl_profile_set_gender_preference(&f.P, f.b, "same", &err), PL_OK);
	check_rule(&f, PL_RULE_GENDER);
	/* gender: a named gender, other side's gender unknown => not met */
	two(&f);
	avail_ok(&f);
	ck_assert_int_eq(pl_profile_set_gender_preference(&f.P, f.a, "woman", &err), PL_OK);
	check_rule(&f, PL_RULE_GENDER);
	/* age range of either side, and an unknown age */
	two(&f);
	avail_ok(&f);
	f.P.items[f.a].has_age_range = 1;
	f.P.items[f.a].age_lo = 30;
	f.P.items[f.a].age_hi = 40;
	f.P.items[f.b].has_age = 1;
	f.P.items[f.b].age = 41;
	check_rule(&f, PL_RULE_AGE);
	two(&f);
	avail_ok(&f);
	f.P.items[f.b].has_age_range = 1;
	f.P.items[f.b].age_lo = 30;
	f.P.items[f.b].age_hi = 40;
	check_rule(&f, PL_RULE_AGE); /* a's age unknown */
	/* exclude, on either side */
	two(&f);
	avail_ok(&f);
	ck_assert_int_eq(pl_profile_add_exclude(&f.P, f.b, "a", &err), PL_OK);
	check_rule(&f, PL_RULE_EXCLUDE);
	/* partners in treatment together */
	two(&f);
	avail_ok(&f);
	ck_assert_int_eq(pl_profile_set_partner(&f.P, f.a, "b", &err), PL_OK);
	check_rule(&f, PL_RULE_PARTNER);
	/* availability overlap below the minimum (2) */
	two(&f);
	tag(&f.P, f.a, PL_CRIT_AVAILABILITY, "mon_pm");
	tag(&f.P, f.b, PL_CRIT_AVAILABILITY, "mon_pm");
	tag(&f.P, f.b, PL_CRIT_AVAILABILITY, "sat_am");
	{
		pl_compat_params prm;
		pl_compat_params_init(&prm);
		prm.weight[PL_CRIT_AVAILABILITY] = 0;
		finalize(&f.P);
		ck_assert_uint_eq(pl_compat_rules_failed(&f.P, &prm, f.a, f.b), 0); /* off by default */
		prm.min_availability_overlap = 2;
		prm.rules |= PL_RULE_BIT(PL_RULE_AVAILABILITY);
		ck_assert_uint_eq(pl_compat_rules_failed(&f.P, &prm, f.a, f.b),
				  PL_RULE_BIT(PL_RULE_AVAILABILITY));
		prm.min_availability_overlap = 1;
		ck_assert_uint_eq(pl_compat_rules_failed(&f.P, &prm, f.a, f.b), 0);
		pl_profiles_release(&f.P);
	}
}
END_TEST

START_TEST(test_population_errors)
{
	pl_profiles P;
	pl_error err = PL_ERROR_INIT;
	size_t i;

	pl_profiles_init(&P);
	add(&P, "a");
	ck_assert_int_eq(pl_profiles_add(&P, "a", "/mentors/0", &i, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/mentors/0/id");
	pl_profiles_release(&P);

	pl_profiles_init(&P);
	i = add(&P, "a");
	add(&P, "b");
	pl_profile_add_exclude(&P, i, "b", &err);
	pl_profile_add_exclude(&P, i, "zz", &err);
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/p/0/exclude/1");
	pl_profiles_release(&P);

	pl_profiles_init(&P);
	add(&P, "a");
	i = add(&P, "b");
	pl_profile_set_partner(&P, i, "nobody", &err);
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/p/1/partner_id");
	pl_profiles_release(&P);

	pl_profiles_init(&P);
	i = add(&P, "a");
	trait(&P, i, "o", 0.1);
	trait(&P, i, "c", 0.1);
	i = add(&P, "b");
	trait(&P, i, "o", 0.1);
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/p/1/personality");
	ck_assert_int_eq(pl_profile_set_trait(&P, i, "o", 1.5, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/p/1/personality/o");
	pl_profiles_release(&P);

	pl_profiles_init(&P);
	i = add(&P, "a");
	P.items[i].capacity = 0;
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/p/0/capacity");
	P.items[i].capacity = 1;
	P.items[i].has_age_range = 1;
	P.items[i].age_lo = 50;
	P.items[i].age_hi = 40;
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/p/0/age_range/1");
	pl_profiles_release(&P);
}
END_TEST

/* CLI input errors: each with its pointer, and no value in the message. */
START_TEST(test_cli_errors)
{
	static const struct { const char *input, *pointer; } cases[] = {
		{ "{\"left\":[{\"id\":\"a\",\"age_range\":[20,\"x\"]}]}", "/left/0/age_range/1" },
		{ "{\"left\":[{\"id\":\"a\",\"mood\":1}]}", "/left/0/mood" },
		{ "{\"left\":[{\"id\":\"a\"},{\"id\":\"a\"}]}", "/left/1/id" },
		{ "{\"left\":[{\"id\":\"a\"}],\"right\":[{\"id\":\"b\",\"exclude\":[\"q\"]}]}", "/right/0/exclude/0" },
		{ "{\"left\":[{\"id\":\"a\",\"modalities\":[\"phone\"]}]}", "/left/0/modalities/0" },
		{ "{\"left\":[{\"id\":\"a\",\"personality\":{\"o\":2}}]}", "/left/0/personality/o" },
		{ "{\"left\":[{\"id\":\"a\",\"capacity\":0}]}", "/left/0/capacity" },
		{ "{\"left\":[{\"id\":\"a\",\"experiences\":[\"x\",3]}]}", "/left/0/experiences/1" },
		{ "{\"left\":[{\"id\":\"a\"}],\"weights\":{\"zodiac\":1}}", "/weights/zodiac" },
		{ "{\"left\":[{\"id\":\"a\"}],\"weights\":{\"age\":-1}}", "/weights/age" },
		{ "{\"left\":[{\"id\":\"a\"}],\"constraints\":{\"language\":1}}", "/constraints/language" },
		{ "{\"left\":[{\"id\":\"a\"}],\"constraints\":{\"moon\":true}}", "/constraints/moon" },
		{ "{\"left\":[{\"id\":\"a\",\"age\":-3}]}", "/left/0/age" },
		{ "{\"left\":[{\"id\":\"a\",\"partner_id\":\"b\"}]}", "/left/0/partner_id" },
	};
	const char *args[] = { "compat", NULL };
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		tu_run run;
		char want[128];
		ck_assert_int_eq(tu_run_cli(args, cases[k].input, &run), 0);
		ck_assert_msg(run.exit_code == 3, "case %zu: exit %d", k, run.exit_code);
		snprintf(want, sizeof(want), "\"pointer\":\"%s\"", cases[k].pointer);
		ck_assert_msg(strstr(run.err, want) != NULL, "case %zu: %s", k, run.err);
		ck_assert_msg(strstr(run.err, "phone") == NULL, "%s", run.err);
		tu_run_release(&run);
	}
}
END_TEST

static Suite *compat_suite(void)
{
	Suite *s = suite_create("compat");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_hand_computed);
	tcase_add_test(tc, test_age_clip_and_multi_pathway);
	tcase_add_loop_test(tc, test_gemm_equals_naive, 0, 5);
	tcase_add_test(tc, test_rules_each_and_switch);
	tcase_add_test(tc, test_population_errors);
	tcase_add_test(tc, test_cli_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(compat_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
