/*
 * test_program.c: the matching programs' domain rules (peerlink/program.h) on hand-built
 * populations, without JSON: group eligibility from requires (tags: any of them; gender; age
 * range) and modality, size limits, the default group count and the size cap, the checks on
 * pinned and current pairs (with the index of the refused entry), and the symmetric scores.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include <peerlink/program.h>

#include "testutil.h"

static size_t add(pl_profiles *P, const char *id)
{
	pl_error err = PL_ERROR_INIT;
	size_t idx = 0;
	ck_assert_int_eq(pl_profiles_add(P, id, "", &idx, &err), PL_OK);
	return idx;
}

static void tag(pl_profiles *P, size_t i, pl_criterion c, const char *t)
{
	pl_error err = PL_ERROR_INIT;
	ck_assert_int_eq(pl_profile_add_tag(P, i, c, t, &err), PL_OK);
}

/* Four clients: a (trauma, woman, 30, in_person), b (grief, man, 45, virtual), c (trauma +
 * grief, no gender, no age, no modality list), d (nothing). */
static void groups_fixture(pl_groups_program *g)
{
	pl_error err = PL_ERROR_INIT;
	const char *ids[] = { "a", "b", "c", "d" };

	pl_groups_program_init(g);
	g->client = malloc(4 * sizeof(size_t));
	for (size_t k = 0; k < 4; k++)
		g->client[k] = add(&g->P, ids[k]);
	g->n = 4;
	tag(&g->P, 0, PL_CRIT_EXPERIENCES, "trauma");
	tag(&g->P, 1, PL_CRIT_EXPERIENCES, "grief");
	tag(&g->P, 2, PL_CRIT_EXPERIENCES, "trauma");
	tag(&g->P, 2, PL_CRIT_EXPERIENCES, "grief");
	tag(&g->P, 0, PL_CRIT_MODALITIES, "in_person");
	tag(&g->P, 1, PL_CRIT_MODALITIES, "virtual");
	ck_assert_int_eq(pl_profile_set_gender(&g->P, 0, "woman", &err), PL_OK);
	ck_assert_int_eq(pl_profile_set_gender(&g->P, 1, "man", &err), PL_OK);
	g->P.items[0].has_age = 1;
	g->P.items[0].age = 30;
	g->P.items[1].has_age = 1;
	g->P.items[1].age = 45;
	ck_assert_int_eq(pl_profiles_finalize(&g->P, &err), PL_OK);
}

static int elig(const pl_groups_program *g, size_t i, size_t grp)
{
	return g->eligible[i * g->ngroups + grp] != 0;
}

START_TEST(group_requirements)
{
	pl_groups_program g;
	pl_error err = PL_ERROR_INIT;
	const char *trauma[] = { "trauma" }, *any[] = { "unknown_tag", "grief" }, *woman[] = { "woman" };
	pl_group_requirement r_trauma = { PL_CRIT_EXPERIENCES, trauma, 1, 0, 0 };
	pl_group_requirement r_any = { PL_CRIT_EXPERIENCES, any, 2, 0, 0 };
	pl_group_requirement r_woman = { PL_GROUP_FIELD_GENDER, woman, 1, 0, 0 };
	pl_group_requirement r_age = { PL_GROUP_FIELD_AGE, NULL, 0, 40, 50 };

	groups_fixture(&g);
	ck_assert_int_eq(pl_groups_program_set_groups(&g, 5, 1, &err), PL_OK);
	for (size_t i = 0; i < 4; i++)
		for (size_t k = 0; k < 5; k++)
			ck_assert(elig(&g, i, k)); /* everyone eligible until a rule says otherwise */
	pl_groups_program_require(&g, 0, &r_trauma);
	pl_groups_program_require(&g, 1, &r_any);
	pl_groups_program_require(&g, 2, &r_woman);
	pl_groups_program_require(&g, 3, &r_age);
	pl_groups_program_modality(&g, 4, "virtual");
	/* group 0: trauma */
	ck_assert(elig(&g, 0, 0) && !elig(&g, 1, 0) && elig(&g, 2, 0) && !elig(&g, 3, 0));
	/* group 1: any listed tag (the unknown one matches nobody) */
	ck_assert(!elig(&g, 0, 1) && elig(&g, 1, 1) && elig(&g, 2, 1) && !elig(&g, 3, 1));
	/* group 2: gender woman; unknown gender does not qualify */
	ck_assert(elig(&g, 0, 2) && !elig(&g, 1, 2) && !elig(&g, 2, 2) && !elig(&g, 3, 2));
	/* group 3: age in [40, 50]; unknown age does not qualify */
	ck_assert(!elig(&g, 0, 3) && elig(&g, 1, 3) && !elig(&g, 2, 3) && !elig(&g, 3, 3));
	/* group 4: virtual; no modality list means either */
	ck_assert(!elig(&g, 0, 4) && elig(&g, 1, 4) && elig(&g, 2, 4) && elig(&g, 3, 4));
	/* rules accumulate on one group */
	pl_groups_program_require(&g, 0, &r_woman);
	ck_assert(elig(&g, 0, 0) && !elig(&g, 2, 0));
	pl_groups_program_release(&g);
}
END_TEST

START_TEST(group_fields_limits_and_counts)
{
	pl_groups_program g;
	pl_error err = PL_ERROR_INIT;

	ck_assert_int_eq(pl_group_field_from_name("experiences"), PL_CRIT_EXPERIENCES);
	ck_assert_int_eq(pl_group_field_from_name("gender"), PL_GROUP_FIELD_GENDER);
	ck_assert_int_eq(pl_group_field_from_name("age"), PL_GROUP_FIELD_AGE);
	ck_assert_int_eq(pl_group_field_from_name("personality"), -1);
	ck_assert_int_eq(pl_group_field_from_name("nope"), -1);
	ck_assert_uint_eq(pl_groups_client_limit(0, 0, 6), 0);
	ck_assert_uint_eq(pl_groups_client_limit(0, 9, 6), 9);
	ck_assert_uint_eq(pl_groups_client_limit(1, 0, 6), 6);
	ck_assert_uint_eq(pl_groups_client_limit(1, 9, 6), 6);
	ck_assert_uint_eq(pl_groups_client_limit(1, 4, 6), 4);
	ck_assert_uint_eq(pl_groups_default_count(0, 8), 0);
	ck_assert_uint_eq(pl_groups_default_count(16, 8), 2);
	ck_assert_uint_eq(pl_groups_default_count(17, 8), 3);
	/* clients x groups is capped before anything is allocated */
	pl_groups_program_init(&g);
	g.n = (size_t)1 << 13;
	ck_assert_int_eq(pl_groups_program_set_groups(&g, ((size_t)1 << 12) + 1, 0, &err),
			 PL_ERR_INVALID);
	ck_assert_ptr_null(g.eligible);
	g.n = 0;
	pl_groups_program_release(&g);
}
END_TEST

/* Two mentees (m1, m2) and two mentors (k1 capacity 1, k2 capacity 2); m2 excludes k1. */
static void mentors_fixture(pl_mentors_program *m)
{
	pl_error err = PL_ERROR_INIT;

	pl_mentors_program_init(m);
	m->mentee = malloc(2 * sizeof(size_t));
	m->mentor = malloc(2 * sizeof(size_t));
	m->mentee[0] = add(&m->P, "m1");
	m->mentee[1] = add(&m->P, "m2");
	m->mentor[0] = add(&m->P, "k1");
	m->mentor[1] = add(&m->P, "k2");
	m->nmentees = m->nmentors = 2;
	m->P.items[m->mentor[1]].capacity = 2;
	ck_assert_int_eq(pl_profile_add_exclude(&m->P, m->mentee[1], "k1", &err), PL_OK);
	ck_assert_int_eq(pl_profiles_finalize(&m->P, &err), PL_OK);
	ck_assert_int_eq(pl_mentors_program_prepare(m, &err), PL_OK);
}

/* A small deterministic generator for the random programs below (xorshift64). */
static double draw(unsigned long long *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (double)(*x >> 11) / 9007199254740992.0;
}

/* Brute force: is there a set of k of the n clients whose pairs break no rule outside `ignore`? */
static int brute_set(const unsigned *bits, size_t n, size_t k, unsigned ignore)
{
	for (unsigned mask = 0; mask < (1u << n); mask++) {
		int ok = __builtin_popcount(mask) == (int)k;
		for (size_t a = 0; ok && a < n; a++)
			for (size_t b = a + 1; ok && b < n; b++)
				if ((mask >> a & 1u) && (mask >> b & 1u) && (bits[a * n + b] & ~ignore))
					ok = 0;
		if (ok)
			return 1;
	}
	return 0;
}

/*
 * pl_groups_program_clique_rules (the rule a required group's exit 4 names) against brute force
 * on random programs of 3-9 clients: languages (en, es, both or none: the language rule),
 * exclude lists, keep_apart pairs and a gender preference. Its pair counts equal the pairs'
 * rules counted one by one, a rule is decisive exactly when, ignored alone, k clients may share
 * the group, and `found` exactly when they may with every rule kept.
 */
START_TEST(clique_rules_against_brute_force)
{
	unsigned long long rng = 88172645463325252ULL;
	size_t decisive_seen = 0, joint_seen = 0;

	for (int trial = 0; trial < 300; trial++) {
		pl_groups_program g;
		pl_groups_clique_rules cr;
		pl_error err = PL_ERROR_INIT;
		size_t n = 3 + (size_t)(draw(&rng) * 7), k = 2 + (size_t)(draw(&rng) * 3);
		unsigned bits[81];
		size_t counts[PL_RULE_COUNT + 1] = { 0 }, napart = 0;
		char id[24];

		if (k > n)
			k = n;
		pl_groups_program_init(&g);
		g.client = malloc(n * sizeof(size_t));
		g.apart = malloc(2 * n * sizeof(size_t));
		for (size_t i = 0; i < n; i++) {
			double u = draw(&rng);
			snprintf(id, sizeof(id), "c%zu", i);
			g.client[i] = add(&g.P, id);
			if (u < 0.35)
				tag(&g.P, i, PL_CRIT_LANGUAGES, "en");
			else if (u < 0.7)
				tag(&g.P, i, PL_CRIT_LANGUAGES, "es");
			else if (u < 0.85) {
				tag(&g.P, i, PL_CRIT_LANGUAGES, "en");
				tag(&g.P, i, PL_CRIT_LANGUAGES, "es");
			}
			ck_assert_int_eq(pl_profile_set_gender(&g.P, i, draw(&rng) < 0.5 ? "woman" : "man", &err), PL_OK);
		}
		for (size_t i = 0; i < n; i++) {
			if (draw(&rng) < 0.15) {
				snprintf(id, sizeof(id), "c%zu", (i + 1) % n);
				ck_assert_int_eq(pl_profile_add_exclude(&g.P, i, id, &err), PL_OK);
			}
			if (draw(&rng) < 0.1)
				ck_assert_int_eq(pl_profile_set_gender_preference(&g.P, i, "same", &err), PL_OK);
			if (draw(&rng) < 0.15) {
				g.apart[2 * napart] = i;
				g.apart[2 * napart++ + 1] = (i + 2) % n;
			}
		}
		g.napart = napart;
		g.n = n;
		ck_assert_int_eq(pl_profiles_finalize(&g.P, &err), PL_OK);
		ck_assert_int_eq(pl_groups_program_set_groups(&g, 1, 1, &err), PL_OK);
		g.min_size[0] = k;
		g.max_size[0] = n;
		for (size_t a = 0; a < n; a++)
			for (size_t b = 0; b < n; b++) {
				unsigned f = a == b ? 0 : pl_compat_rules_failed(&g.P, &g.prm, g.client[a], g.client[b]);
				for (size_t q = 0; q < napart; q++)
					if ((g.apart[2 * q] == a && g.apart[2 * q + 1] == b) ||
					    (g.apart[2 * q] == b && g.apart[2 * q + 1] == a))
						f |= PL_GROUPS_RULE_KEEP_APART;
				bits[a * n + b] = f;
				for (unsigned r = 0; a < b && r <= PL_RULE_COUNT; r++)
					counts[r] += (f >> r) & 1u;
			}
		ck_assert_int_eq(pl_groups_program_clique_rules(&g, 0, &cr, &err), PL_OK);
		ck_assert_uint_eq(cr.clients, n);
		ck_assert_uint_eq(cr.pairs, n * (n - 1) / 2);
		ck_assert_int_eq(cr.exhausted, 0);
		ck_assert_int_eq(cr.found, brute_set(bits, n, k, 0));
		for (unsigned r = 0; r <= PL_RULE_COUNT; r++) {
			ck_assert_uint_eq(cr.counts[r], counts[r]);
			if (!cr.found)
				ck_assert_int_eq(!!(cr.decisive & (1u << r)),
						 counts[r] > 0 && brute_set(bits, n, k, 1u << r));
		}
		decisive_seen += !cr.found && cr.decisive;
		joint_seen += !cr.found && !cr.decisive;
		pl_groups_program_release(&g);
	}
	/* both kinds of answer occur in the sample */
	ck_assert_uint_gt(decisive_seen, 10);
	ck_assert_uint_gt(joint_seen, 3);
}
END_TEST

START_TEST(mentor_pins)
{
	pl_mentors_program m;
	pl_error err = PL_ERROR_INIT;
	size_t at = 99;
	size_t twice[] = { 0, 1, 0, 1 }, rule[] = { 0, 1, 1, 0 }, over[] = { 0, 0, 1, 0 };
	size_t forb[] = { 0, 1 }, ok[] = { 1, 1, 0, 1 };

	mentors_fixture(&m);
	ck_assert_int_eq(m.capacity[0], 1);
	ck_assert_int_eq(m.capacity[1], 2);
	ck_assert_int_eq(m.mentor_rank[0], 0); /* "k1" < "k2" */
	ck_assert_int_eq(pl_mentors_program_pin(&m, twice, 2, &at, &err), PL_ERR_INVALID);
	ck_assert_uint_eq(at, 1);
	ck_assert_ptr_nonnull(strstr(err.message, "'m1' is pinned twice"));
	pl_mentors_program_release(&m);

	mentors_fixture(&m);
	ck_assert_int_eq(pl_mentors_program_pin(&m, rule, 2, &at, &err), PL_ERR_INVALID);
	ck_assert_uint_eq(at, 1);
	ck_assert_ptr_nonnull(strstr(err.message, "'exclude' rule"));
	ck_assert_str_eq(err.pointer, ""); /* the JSON layer points at /pinned/1 */
	pl_mentors_program_release(&m);

	mentors_fixture(&m);
	m.prm.rules &= ~PL_RULE_BIT(PL_RULE_EXCLUDE); /* only capacity is left to refuse */
	ck_assert_int_eq(pl_mentors_program_pin(&m, over, 2, &at, &err), PL_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.message, "'k1' has more pinned mentees than its capacity"));
	pl_mentors_program_release(&m);

	mentors_fixture(&m);
	ck_assert_int_eq(pl_mentors_program_forbid(&m, forb, 1, &err), PL_OK);
	ck_assert_int_eq(pl_mentors_program_pin(&m, forb, 1, &at, &err), PL_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.message, "also forbidden"));
	pl_mentors_program_release(&m);

	mentors_fixture(&m);
	ck_assert_int_eq(pl_mentors_program_pin(&m, ok, 2, &at, &err), PL_OK);
	ck_assert_int_eq(m.pinned[0], 1);
	ck_assert_int_eq(m.pinned[1], 1);
	ck_assert_int_eq(pl_mentors_program_current(&m, twice, 2, &at, &err), PL_ERR_INVALID);
	ck_assert_uint_eq(at, 1);
	ck_assert_int_eq(m.current[0], 1);
	pl_mentors_program_release(&m);
}
END_TEST

START_TEST(buddy_checks_and_scores)
{
	pl_buddies_program b;
	pl_error err = PL_ERROR_INIT;
	size_t at = 99;
	int list = -1;
	double *S = NULL;
	const char *ids[] = { "a", "b", "c" };

	pl_buddies_program_init(&b);
	b.client = malloc(3 * sizeof(size_t));
	for (size_t k = 0; k < 3; k++)
		b.client[k] = add(&b.P, ids[k]);
	b.n = 3;
	tag(&b.P, 0, PL_CRIT_GOALS, "work");
	tag(&b.P, 1, PL_CRIT_GOALS, "work");
	tag(&b.P, 2, PL_CRIT_GOALS, "family");
	ck_assert_int_eq(pl_profiles_finalize(&b.P, &err), PL_OK);
	b.forbidden = malloc(2 * sizeof(size_t));
	b.forbidden[0] = 1;
	b.forbidden[1] = 2;
	b.nforbidden = 1;
	ck_assert_int_eq(pl_buddies_program_scores(&b, &S, &err), PL_OK);
	ck_assert(isnan(S[0 * 3 + 0]));          /* self */
	ck_assert(isnan(S[1 * 3 + 2]) && isnan(S[2 * 3 + 1])); /* forbidden, both ways */
	ck_assert_double_eq(S[0 * 3 + 1], S[1 * 3 + 0]);
	ck_assert(S[0 * 3 + 1] > S[0 * 3 + 2]);  /* shared goal scores higher */
	ck_assert(pl_buddies_program_is_forbidden(&b, 2, 1));
	ck_assert_str_eq(pl_buddies_program_rule(&b, 1, 2), "forbidden");
	ck_assert_str_eq(pl_buddies_program_rule(&b, 0, 0), "self");

	b.pinned = malloc(4 * sizeof(size_t));
	b.pinned[0] = 0;
	b.pinned[1] = 1;
	b.pinned[2] = 2;
	b.pinned[3] = 1;
	b.npinned = 2;
	ck_assert_int_eq(pl_buddies_program_check(&b, &list, &at, &err), PL_ERR_INVALID);
	ck_assert_int_eq(list, 0);
	ck_assert_uint_eq(at, 1);
	ck_assert_ptr_nonnull(strstr(err.message, "'b' is pinned twice"));
	b.npinned = 1;
	b.current = malloc(4 * sizeof(size_t));
	b.current[0] = 0;
	b.current[1] = 2;
	b.current[2] = 2;
	b.current[3] = 1;
	b.ncurrent = 2;
	ck_assert_int_eq(pl_buddies_program_check(&b, &list, &at, &err), PL_ERR_INVALID);
	ck_assert_int_eq(list, 1);
	ck_assert_uint_eq(at, 1);
	ck_assert(pl_buddies_program_is_current(&b, 2, 0));
	b.ncurrent = 1;
	ck_assert_int_eq(pl_buddies_program_check(&b, &list, &at, &err), PL_OK);
	free(S);
	pl_buddies_program_release(&b);
}
END_TEST

static Suite *program_suite(void)
{
	Suite *s = suite_create("program");
	TCase *tc = tcase_create("rules");
	tcase_add_test(tc, group_requirements);
	tcase_add_test(tc, group_fields_limits_and_counts);
	tcase_add_test(tc, clique_rules_against_brute_force);
	tcase_add_test(tc, mentor_pins);
	tcase_add_test(tc, buddy_checks_and_scores);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(program_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
