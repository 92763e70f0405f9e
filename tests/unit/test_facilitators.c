/*
 * test_facilitators.c: staffing groups against brute force on small random programs (every
 * way to give each group a facilitator or none), and the rules: never over a facilitator's
 * weekly limit, never two groups of one facilitator in one slot, never an ineligible pair.
 */
#include <check.h>
#include <stdlib.h>

#include <peerlink/facilitators.h>
#include "testutil.h"

#define NF 4
#define NG 6

typedef struct inst {
	pl_fac_facilitator f[NF];
	pl_fac_group g[NG];
	int fsk[NF][3], flang[NF][2], fslot[NF][3], gsk[NG][3];
	size_t nf, ng;
} inst;

static void fill_codes(tu_rng *r, int *v, size_t *n, size_t max, int range)
{
	*n = 0;
	for (int c = 0; c < range && *n < max; c++)
		if (tu_range(r, 0, 1))
			v[(*n)++] = c;
}

static void random_inst(tu_rng *r, inst *x)
{
	x->nf = (size_t)tu_range(r, 0, NF);
	x->ng = (size_t)tu_range(r, 0, NG);
	for (size_t f = 0; f < x->nf; f++) {
		pl_fac_facilitator *p = &x->f[f];
		p->role = (int)tu_range(r, 0, 1);
		fill_codes(r, x->fsk[f], &p->nskills, 3, 3);
		fill_codes(r, x->flang[f], &p->nlanguages, 2, 2);
		fill_codes(r, x->fslot[f], &p->nslots, 3, 3);
		p->skills = x->fsk[f];
		p->languages = x->flang[f];
		p->slots = x->fslot[f];
		p->limit = tu_range(r, 0, 3);
	}
	for (size_t g = 0; g < x->ng; g++) {
		pl_fac_group *q = &x->g[g];
		q->role = tu_range(r, 0, 2) == 2 ? PL_FAC_ANY : (int)tu_range(r, 0, 1);
		fill_codes(r, x->gsk[g], &q->nskills, 3, 3);
		q->skills = x->gsk[g];
		q->language = tu_range(r, 0, 2) == 2 ? PL_FAC_ANY : (int)tu_range(r, 0, 1);
		q->slot = tu_range(r, 0, 3) == 3 ? PL_FAC_ANY : (int)tu_range(r, 0, 2);
		q->preferred = x->nf && tu_range(r, 0, 1) ? tu_range(r, 0, (long)x->nf - 1) : -1;
		q->active = tu_range(r, 0, 5) != 0;
	}
}

typedef struct best {
	size_t staffed, skills, pref;
} best;

static int better(best a, best b)
{
	if (a.staffed != b.staffed)
		return a.staffed > b.staffed;
	if (a.skills != b.skills)
		return a.skills > b.skills;
	return a.pref > b.pref;
}

/* A feasible assignment so far: limits and one group per (facilitator, slot). */
static int fits(const inst *x, const long *who, size_t upto)
{
	for (size_t f = 0; f < x->nf; f++) {
		long n = 0;
		for (size_t g = 0; g < upto; g++) {
			if (who[g] != (long)f)
				continue;
			n++;
			for (size_t h = 0; h < g; h++)
				if (who[h] == (long)f && x->g[g].slot != PL_FAC_ANY &&
				    x->g[h].slot == x->g[g].slot)
					return 0;
		}
		if (n > x->f[f].limit)
			return 0;
	}
	return 1;
}

static void brute(const inst *x, long *who, size_t g, best cur, best *top)
{
	if (g == x->ng) {
		if (better(cur, *top))
			*top = cur;
		return;
	}
	who[g] = -1;
	brute(x, who, g + 1, cur, top);
	if (!x->g[g].active)
		return;
	for (size_t f = 0; f < x->nf; f++) {
		size_t cov;
		best next = cur;
		if (!pl_fac_eligible(&x->f[f], &x->g[g], &cov))
			continue;
		who[g] = (long)f;
		if (fits(x, who, g + 1)) {
			next.staffed++;
			next.skills += cov;
			next.pref += x->g[g].preferred == (long)f;
			brute(x, who, g + 1, next, top);
		}
	}
	who[g] = -1;
}

START_TEST(matches_brute_force_and_rules)
{
	tu_rng r = { 1414u };
	for (int trial = 0; trial < 3000; trial++) {
		inst x;
		pl_fac_result res;
		pl_error err = PL_ERROR_INIT;
		best top = { 0, 0, 0 };
		long who[NG];

		random_inst(&r, &x);
		ck_assert_int_eq(pl_fac_assign(x.f, x.nf, x.g, x.ng, &res, &err), PL_OK);
		brute(&x, who, 0, top, &top);
		ck_assert_uint_eq(res.staffed, top.staffed);
		ck_assert_uint_eq(res.skills_covered, top.skills);
		ck_assert_uint_eq(res.preferred, top.pref);
		ck_assert(fits(&x, res.facilitator, x.ng));
		for (size_t g = 0; g < x.ng; g++) {
			long f = res.facilitator[g];
			if (f < 0) {
				ck_assert_int_ne(res.reason[g], PL_FAC_STAFFED);
				ck_assert_int_eq(res.reason[g] == PL_FAC_INACTIVE, !x.g[g].active);
				continue;
			}
			ck_assert(x.g[g].active);
			ck_assert(pl_fac_eligible(&x.f[f], &x.g[g], NULL));
		}
		pl_fac_result_release(&res);
	}
}
END_TEST

START_TEST(reasons_name_the_missing_need)
{
	int therapist = 0, peer = 1, en = 0, es = 1, mon = 0, tue = 1, trauma = 0;
	int fl[1] = { en }, fs[1] = { mon }, gs[1] = { trauma };
	pl_fac_facilitator f[1] = { { therapist, NULL, 0, fl, 1, fs, 1, 1 } };
	pl_fac_group g[4] = { { peer, NULL, 0, PL_FAC_ANY, PL_FAC_ANY, -1, 1 },
			      { therapist, NULL, 0, es, PL_FAC_ANY, -1, 1 },
			      { therapist, NULL, 0, en, tue, -1, 1 },
			      { therapist, gs, 1, en, mon, -1, 1 } };
	pl_fac_result res;
	pl_error err = PL_ERROR_INIT;

	ck_assert_int_eq(pl_fac_assign(f, 1, g, 4, &res, &err), PL_OK);
	ck_assert_int_eq(res.reason[0], PL_FAC_NO_ROLE);
	ck_assert_int_eq(res.reason[1], PL_FAC_NO_LANGUAGE);
	ck_assert_int_eq(res.reason[2], PL_FAC_NO_SLOT);
	ck_assert_int_eq(res.facilitator[3], 0);
	ck_assert_uint_eq(res.covered[3], 0);
	pl_fac_result_release(&res);
	/* A limit of 0: the last group is taken by nobody, for that reason. */
	f[0].limit = 0;
	ck_assert_int_eq(pl_fac_assign(f, 1, g, 4, &res, &err), PL_OK);
	ck_assert_int_eq(res.reason[3], PL_FAC_TAKEN);
	pl_fac_result_release(&res);
	f[0].limit = -1;
	ck_assert_int_eq(pl_fac_assign(f, 1, g, 4, &res, &err), PL_ERR_INVALID);
}
END_TEST

/* Only the groups the grouping formed are staffed: an unformed group is inactive and takes no one,
 * whatever its needs. */
START_TEST(staffs_only_formed_groups)
{
	int fl[1] = { 0 };
	pl_fac_facilitator f[1] = { { 0, NULL, 0, fl, 1, NULL, 0, 2 } };
	pl_fac_group g[2] = { { 0, NULL, 0, PL_FAC_ANY, PL_FAC_ANY, 0, 0 },
			      { 0, NULL, 0, PL_FAC_ANY, PL_FAC_ANY, 0, 1 } };
	int status[2] = { PL_GROUPS_FORMED, PL_GROUPS_NOT_FILLED };
	pl_groups_result gr = PL_GROUPS_RESULT_INIT;
	pl_fac_result res;
	pl_error err = PL_ERROR_INIT;

	gr.ngroups = 2;
	gr.group_status = status;
	ck_assert_int_eq(pl_fac_staff_formed(f, 1, g, &gr, &res, &err), PL_OK);
	ck_assert(g[0].active && !g[1].active);
	ck_assert_int_eq(res.facilitator[0], 0);
	ck_assert_int_eq(res.facilitator[1], -1);
	ck_assert_int_eq(res.reason[1], PL_FAC_INACTIVE);
	ck_assert_uint_eq(res.staffed, 1);
	pl_fac_result_release(&res);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("facilitators");
	TCase *t = tcase_create("assign");
	SRunner *sr;
	int failed;

	tcase_add_test(t, matches_brute_force_and_rules);
	tcase_add_test(t, reasons_name_the_missing_need);
	tcase_add_test(t, staffs_only_formed_groups);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
