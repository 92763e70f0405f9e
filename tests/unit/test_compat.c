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
	/* experiences: b shares both of a's two (2/2 = 1; b's extra "grief" costs nothing), pathway
	 * 1, personality 1 - 0.04/2 = 0.98, age 1 - 10/20; weights 2, 2, 1, 1 */
	want = (2 * 1.0 + 2 * 1.0 + 1 * 0.98 + 1 * 0.5) / 6.0;
	pl_compat_explain(&P, &prm, a, b, &d);
	ck_assert_double_eq_tol(d.score, want, 1e-12);
	ck_assert_double_eq_tol(d.similarity[PL_CRIT_PERSONALITY], 0.98, 1e-12);
	ck_assert_int_eq(d.present[PL_CRIT_SUBSTANCES], 0);
	for (int c = 0; c < PL_CRIT_COUNT; c++)
		sum += d.contribution[c];
	ck_assert_double_eq_tol(sum, want, 1e-12);
	ck_assert_double_eq_tol(d.contribution[PL_CRIT_RECOVERY_PATHWAY], 2.0 / 6.0, 1e-12);
	ck_assert_double_eq_tol(matrix1(&P, &prm, a, b), want, 1e-12);
	/* the other way round a shares two of b's three experiences */
	ck_assert_double_eq_tol(matrix1(&P, &prm, b, a), (2 * 2.0 / 3.0 + 2 + 0.98 + 0.5) / 6.0, 1e-12);
	/* a weight of 0 drops the criterion from both sums */
	prm.weight[PL_CRIT_AGE] = 0;
	want = (2 * 1.0 + 2 * 1.0 + 1 * 0.98) / 5.0;
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
	/* pathway: b shares one of a's two = 1/2, weight 2; age 0, weight 1 */
	ck_assert_double_eq_tol(matrix1(&P, &prm, a, b), (2 * 0.5) / 3.0, 1e-12);
	ck_assert_double_eq_tol(matrix1(&P, &prm, b, a), 2.0 / 3.0, 1e-12);
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
		num += prm->weight[c] * (double)common / (double)x->tags[c].n;
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
	/* one set against itself: exactly symmetric, the mean of both directions, diagonal
	 * infeasible (a profile is not its own match), explain_self agrees */
	{
		double *T = malloc(nl * nl * sizeof(double));
		ck_assert_int_eq(pl_compat_matrix_self(&P, &prm, left, nl, T, &err), PL_OK);
		for (size_t i = 0; i < nl; i++) {
			ck_assert(isnan(T[i * nl + i]));
			for (size_t j = 0; j < nl; j++) {
				pl_compat_detail d;
				double want = 0.5 * (naive_score(&P, &prm, left[i], left[j]) +
						     naive_score(&P, &prm, left[j], left[i])), sum = 0;
				if (i == j)
					continue;
				ck_assert(T[i * nl + j] == T[j * nl + i]);
				ck_assert_double_eq_tol(T[i * nl + j], want, 1e-12);
				pl_compat_explain_self(&P, &prm, left[i], left[j], &d);
				ck_assert_double_eq_tol(d.score, want, 1e-12);
				for (int c = 0; c < PL_CRIT_COUNT; c++)
					sum += d.contribution[c];
				ck_assert_double_eq_tol(sum, want, 1e-12);
			}
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

/* The packed paths (mark_rules' pair loop and pl_compat_rules_row) against the pair-by-pair
 * definition, on random profiles with gender preferences, age ranges and partners, and with
 * profiles on both sides (rule self). */
START_TEST(test_rules_packed_equal_pairwise)
{
	tu_rng rng = { 777 + (uint64_t)_i };
	pl_profiles P;
	pl_compat_params prm;
	pl_error err = PL_ERROR_INIT;
	size_t n = 50, nl = 30, nr = 30, left[30], right[30];
	double *S = malloc(nl * nr * sizeof(double));
	unsigned row[30];
	pl_compat_rules *R;

	pl_profiles_init(&P);
	random_population(&P, n, &rng);
	for (size_t k = 0; k < n; k++) {
		pl_profile *p = &P.items[k];
		p->gender = tu_uniform(&rng) < 0.2 ? -1 : (int)tu_range(&rng, 0, 1);
		p->gpref = (pl_gender_pref)tu_range(&rng, 0, 2);
		p->gpref_gender = (int)tu_range(&rng, 0, 1);
		p->has_age_range = tu_uniform(&rng) < 0.3;
		p->age_lo = (double)tu_range(&rng, 18, 40);
		p->age_hi = p->age_lo + (double)tu_range(&rng, 0, 30);
		p->partner = tu_uniform(&rng) < 0.2 ? (long)tu_range(&rng, 0, (long)n - 1) : -1;
	}
	pl_compat_params_init(&prm);
	prm.rules |= PL_RULE_BIT(PL_RULE_AGE) | PL_RULE_BIT(PL_RULE_AVAILABILITY);
	prm.min_availability_overlap = 1;
	for (size_t i = 0; i < nl; i++)
		left[i] = i;
	for (size_t j = 0; j < nr; j++)
		right[j] = 20 + j; /* profiles 20..29 on both sides */
	ck_assert_int_eq(pl_compat_matrix(&P, &prm, left, nl, right, nr, S, &err), PL_OK);
	R = pl_compat_rules_new(&P, &prm, right, nr);
	ck_assert_ptr_nonnull(R);
	for (size_t i = 0; i < nl; i++) {
		unsigned masked[30];
		pl_compat_rules_row(R, left[i], NULL, row);
		pl_compat_rules_row(R, left[i], S + i * nr, masked);
		for (size_t j = 0; j < nr; j++) {
			unsigned f = pl_compat_rules_failed(&P, &prm, left[i], right[j]);
			ck_assert_uint_eq(row[j], f);
			ck_assert_int_eq(isnan(S[i * nr + j]) != 0, f != 0);
			ck_assert_uint_eq(masked[j], f);
		}
	}
	pl_compat_rules_free(R);
	pl_profiles_release(&P);
	free(S);
}
END_TEST

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
	ck_assert_int_eq(pl_profile_set_gender(&f.P, f.a, "woman", &err), PL_OK);
	ck_assert_int_eq(pl_profile_set_gender_preference(&f.P, f.a, "woman", &err), PL_OK);
	check_rule(&f, PL_RULE_GENDER);
	/* avoid, on either side */
	two(&f);
	avail_ok(&f);
	ck_assert_int_eq(pl_profile_add_avoid(&f.P, f.a, "b", &err), PL_OK);
	check_rule(&f, PL_RULE_AVOID);
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


/*
 * The property issue 13 asks for: a fuller profile is never penalized. Over random clients a
 * and candidates b (every other field random too): giving b one more of a's tags in a criterion
 * both fill in raises the score strictly, and giving b a tag a does not have never lowers it.
 * With the old cosine a candidate sharing both of a client's two experiences could score below
 * one sharing only one.
 */
START_TEST(test_fuller_profile_never_penalized)
{
	tu_rng rng = { 777 + (uint64_t)_i };
	static const char *const extra[] = { "x0", "x1", "x2" };

	for (int round = 0; round < 200; round++) {
		pl_profiles P;
		pl_compat_params prm;
		pl_error err = PL_ERROR_INIT;
		size_t pop[4], a, b, bmore, bextra;
		int c = (int)tu_range(&rng, 0, PL_TAG_CRITERIA - 1), missing = -1, shared = -1;
		double s0, s_more, s_extra;

		pl_profiles_init(&P);
		pl_compat_params_init(&prm);
		prm.rules = 0;
		for (int k = 0; k < PL_CRIT_COUNT; k++)
			prm.weight[k] = tu_uniform(&rng) * 3;
		prm.weight[c] = 0.1 + tu_uniform(&rng) * 3;
		/* a: two to five tags of c; b: a random subset of them that misses one, plus noise;
		 * bmore = b plus the missing tag; bextra = b plus a tag a lacks. Other criteria the
		 * same random values for the three b's. */
		a = add(&P, "a");
		b = add(&P, "b");
		bmore = add(&P, "bmore");
		bextra = add(&P, "bextra");
		pop[0] = a;
		pop[1] = b;
		pop[2] = bmore;
		pop[3] = bextra;
		{
			int na = (int)tu_range(&rng, 2, 5);
			for (int t = 0; t < na; t++)
				tag(&P, a, (pl_criterion)c, vocab[t]);
			missing = (int)tu_range(&rng, 0, na - 1);
			shared = (missing + 1) % na; /* b keeps at least one tag of c */
			for (int t = 0; t < na; t++)
				if (t != missing && (t == shared || tu_uniform(&rng) < 0.5))
					for (int k = 1; k < 4; k++)
						tag(&P, pop[k], (pl_criterion)c, vocab[t]);
			for (int t = 0; t < 3; t++)
				if (tu_uniform(&rng) < 0.4)
					for (int k = 1; k < 4; k++)
						tag(&P, pop[k], (pl_criterion)c, extra[t]);
		}
		tag(&P, bmore, (pl_criterion)c, vocab[missing]);
		tag(&P, bextra, (pl_criterion)c, "only_b");
		for (int other = 0; other < PL_TAG_CRITERIA; other++) {
			if (other == c)
				continue;
			for (int t = 0; t < 6; t++) {
				if (tu_uniform(&rng) < 0.3)
					tag(&P, a, (pl_criterion)other, vocab[t]);
				if (tu_uniform(&rng) < 0.3)
					for (int k = 1; k < 4; k++)
						tag(&P, pop[k], (pl_criterion)other, vocab[t]);
			}
		}
		for (int k = 0; k < 4; k++) {
			P.items[pop[k]].has_age = 1;
			P.items[pop[k]].age = (double)tu_range(&rng, 18, 70);
		}
		P.items[bmore].age = P.items[bextra].age = P.items[b].age;
		finalize(&P);
		s0 = matrix1(&P, &prm, a, b);
		s_more = matrix1(&P, &prm, a, bmore);
		s_extra = matrix1(&P, &prm, a, bextra);
		ck_assert_msg(s_more > s0 + 1e-12, "round %d: one more shared tag %g <= %g", round, s_more, s0);
		ck_assert_msg(s_extra >= s0 - 1e-12, "round %d: an extra tag lowered %g < %g", round, s_extra, s0);
		/* the same for the symmetric score buddies and groups use */
		{
			double T[16];
			ck_assert_int_eq(pl_compat_matrix_self(&P, &prm, pop, 4, T, &err), PL_OK);
			ck_assert(T[0 * 4 + 2] > T[0 * 4 + 1] + 1e-12);
		}
		pl_profiles_release(&P);
	}
}
END_TEST

/* The example of issue 13: a client with two experiences; a mentor sharing both (and listing
 * two more) against a mentor sharing one; everything else equal. */
START_TEST(test_issue13_example)
{
	pl_profiles P;
	pl_compat_params prm;
	size_t a, both, one;

	pl_profiles_init(&P);
	pl_compat_params_init(&prm);
	a = add(&P, "client");
	both = add(&P, "m_both");
	one = add(&P, "m_one");
	tag(&P, a, PL_CRIT_EXPERIENCES, "trauma");
	tag(&P, a, PL_CRIT_EXPERIENCES, "incarceration");
	tag(&P, both, PL_CRIT_EXPERIENCES, "trauma");
	tag(&P, both, PL_CRIT_EXPERIENCES, "incarceration");
	tag(&P, both, PL_CRIT_EXPERIENCES, "grief");
	tag(&P, both, PL_CRIT_EXPERIENCES, "veteran");
	tag(&P, one, PL_CRIT_EXPERIENCES, "trauma");
	finalize(&P);
	ck_assert_double_eq_tol(matrix1(&P, &prm, a, both), 1.0, 1e-12);
	ck_assert_double_eq_tol(matrix1(&P, &prm, a, one), 0.5, 1e-12);
	pl_profiles_release(&P);
}
END_TEST

/* prefers raises by the documented formula, rank by rank, in both directions; avoid removes. */
START_TEST(test_preferences)
{
	pl_profiles P;
	pl_compat_params prm;
	pl_compat_detail d;
	pl_error err = PL_ERROR_INIT;
	size_t a, m1, m2, m3, set[4];
	double base, T[16];

	pl_profiles_init(&P);
	pl_compat_params_init(&prm);
	a = add(&P, "a");
	m1 = add(&P, "m1");
	m2 = add(&P, "m2");
	m3 = add(&P, "m3");
	tag(&P, a, PL_CRIT_GOALS, "housing");
	tag(&P, a, PL_CRIT_GOALS, "work");
	tag(&P, m1, PL_CRIT_GOALS, "housing");
	tag(&P, m2, PL_CRIT_GOALS, "housing");
	tag(&P, m3, PL_CRIT_GOALS, "housing");
	ck_assert_int_eq(pl_profile_add_prefers(&P, a, "m2", &err), PL_OK);
	ck_assert_int_eq(pl_profile_add_prefers(&P, a, "m1", &err), PL_OK);
	ck_assert_int_eq(pl_profile_add_prefers(&P, m1, "a", &err), PL_OK);
	ck_assert_int_eq(pl_profile_add_avoid(&P, m3, "a", &err), PL_OK);
	finalize(&P);
	base = 0.5;
	/* m2: a's first of two: gap * (1 - 0.5 * 2/2) */
	ck_assert_double_eq_tol(matrix1(&P, &prm, a, m2), 1 - (1 - base) * 0.5, 1e-12);
	/* m1: a's second of two (1 - 0.5 * 1/2) and m1's first of one (1 - 0.5) */
	ck_assert_double_eq_tol(matrix1(&P, &prm, a, m1), 1 - (1 - base) * 0.75 * 0.5, 1e-12);
	pl_compat_explain(&P, &prm, a, m1, &d);
	ck_assert_double_eq_tol(d.base, base, 1e-12);
	ck_assert_double_eq_tol(d.score, 1 - (1 - base) * 0.75 * 0.5, 1e-12);
	ck_assert_double_eq_tol(d.preference, d.score - base, 1e-12);
	/* the reverse direction gets the same factor */
	ck_assert_double_eq_tol(pl_compat_preference_factor(&P, &prm, m1, a), 0.375, 1e-12);
	/* avoid: infeasible, rule avoid */
	ck_assert(isnan(matrix1(&P, &prm, a, m3)));
	ck_assert_uint_eq(pl_compat_rules_failed(&P, &prm, a, m3), PL_RULE_BIT(PL_RULE_AVOID));
	/* the self matrix raises the mean base */
	set[0] = a, set[1] = m1, set[2] = m2, set[3] = m3;
	ck_assert_int_eq(pl_compat_matrix_self(&P, &prm, set, 4, T, &err), PL_OK);
	ck_assert_double_eq_tol(T[0 * 4 + 1], 1 - (1 - 0.75) * 0.375, 1e-12);
	ck_assert_double_eq_tol(T[1 * 4 + 0], 1 - (1 - 0.75) * 0.375, 1e-12);
	/* preference 0: ignored */
	prm.preference = 0;
	ck_assert_double_eq_tol(matrix1(&P, &prm, a, m1), base, 1e-12);
	pl_profiles_release(&P);
}
END_TEST

/* P made anew with the people a, b and c; returns c's index. */
static size_t three_people(pl_profiles *P)
{
	pl_profiles_init(P);
	add(P, "a");
	add(P, "b");
	return add(P, "c");
}

/* vocabulary, gender preferences, prefers/avoid ids and priority: errors with pointers. */
START_TEST(test_vocabulary_and_preference_errors)
{
	pl_profiles P;
	pl_error err = PL_ERROR_INIT;
	size_t i;

	pl_profiles_init(&P);
	ck_assert_int_eq(pl_profiles_allow(&P, PL_CRIT_SUBSTANCES, "opioids", &err), PL_OK);
	ck_assert(pl_profiles_allowed(&P, PL_CRIT_SUBSTANCES, "opioids"));
	ck_assert(!pl_profiles_allowed(&P, PL_CRIT_SUBSTANCES, "opiods"));
	ck_assert(pl_profiles_allowed(&P, PL_CRIT_GOALS, "anything")); /* not restricted */
	i = add(&P, "a");
	add(&P, "b");
	pl_profile_set_gender(&P, i, "woman", &err);
	pl_profile_set_gender_preference(&P, i, "female", &err);
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/p/0/gender_preference");
	ck_assert(strstr(err.message, "female") == NULL);
	pl_profile_set_gender_preference(&P, i, "woman", &err);
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_OK);
	/* with a gender vocabulary the preference may name a gender nobody in this request has */
	pl_profile_set_gender_preference(&P, i, "nonbinary", &err);
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_ERR_INVALID);
	ck_assert_int_eq(pl_profiles_allow(&P, PL_VOCAB_GENDER, "nonbinary", &err), PL_OK);
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_OK);
	pl_profile_add_prefers(&P, i, "b", &err);
	pl_profile_add_prefers(&P, i, "a", &err); /* itself */
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/p/0/prefers/1");
	pl_profiles_release(&P);

	pl_profiles_init(&P);
	i = add(&P, "a");
	pl_profile_add_avoid(&P, i, "zz", &err);
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/p/0/avoid/0");
	pl_profiles_release(&P);

	/* a ranked list names each person once; avoid (a set) may repeat one; nobody is both
	 * preferred and avoided (issue 13 audit) */
	i = three_people(&P);
	pl_profile_add_prefers(&P, i, "a", &err);
	pl_profile_add_prefers(&P, i, "b", &err);
	pl_profile_add_avoid(&P, i, "a", &err);
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/p/2/avoid/0");
	pl_profiles_release(&P);
	i = three_people(&P);
	pl_profile_add_avoid(&P, i, "b", &err);
	pl_profile_add_avoid(&P, i, "b", &err);
	pl_profile_add_prefers(&P, i, "a", &err);
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_OK);
	pl_profile_add_prefers(&P, i, "b", &err);
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_ERR_INVALID); /* b avoided too */
	ck_assert_str_eq(err.pointer, "/p/2/avoid/0");
	pl_profiles_release(&P);
	i = three_people(&P);
	pl_profile_add_prefers(&P, i, "a", &err);
	pl_profile_add_prefers(&P, i, "b", &err);
	pl_profile_add_prefers(&P, i, "a", &err);
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/p/2/prefers/2");
	ck_assert_int_eq(err.code, PL_ERR_INVALID);
	pl_profiles_release(&P);

	pl_profiles_init(&P);
	i = add(&P, "a");
	P.items[i].priority = PL_PRIORITY_MAX + 1;
	ck_assert_int_eq(pl_profiles_finalize(&P, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/p/0/priority");
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
	tcase_add_loop_test(tc, test_rules_packed_equal_pairwise, 0, 5);
	tcase_add_test(tc, test_population_errors);
	tcase_add_test(tc, test_cli_errors);
	tcase_add_loop_test(tc, test_fuller_profile_never_penalized, 0, 3);
	tcase_add_test(tc, test_issue13_example);
	tcase_add_test(tc, test_preferences);
	tcase_add_test(tc, test_vocabulary_and_preference_errors);
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
