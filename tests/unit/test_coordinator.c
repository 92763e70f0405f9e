/*
 * test_coordinator.c: what issue 13 calls "what coordinators take for granted", on the
 * mentors program (peerlink/program.h): couples in treatment together never share a mentor
 * (exact against brute force over every assignment of small random programs), and mentee
 * priority (tiers matched first under total and maximin).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const char *const tags[] = { "t0", "t1", "t2", "t3" };

/* nm mentees, nk mentors with random tags and capacities; mentees 2k and 2k+1 are partners
 * for k < ncouples. */
static void random_program(pl_mentors_program *m, size_t nm, size_t nk, size_t ncouples,
			   tu_rng *rng)
{
	pl_error err = PL_ERROR_INIT;
	char id[32];

	pl_mentors_program_init(m);
	m->mentee = malloc(nm * sizeof(size_t));
	m->mentor = malloc(nk * sizeof(size_t));
	m->nmentees = nm;
	m->nmentors = nk;
	m->stickiness = 0;
	for (size_t i = 0; i < nm + nk; i++) {
		size_t p;
		snprintf(id, sizeof(id), i < nm ? "e%zu" : "k%zu", i < nm ? i : i - nm);
		p = add(&m->P, id);
		if (i < nm)
			m->mentee[i] = p;
		else
			m->mentor[i - nm] = p;
		for (int t = 0; t < 4; t++)
			if (tu_uniform(rng) < 0.5)
				tag(&m->P, p, PL_CRIT_EXPERIENCES, tags[t]);
		tag(&m->P, p, PL_CRIT_GOALS, tags[tu_range(rng, 0, 3)]);
		if (i >= nm)
			m->P.items[p].capacity = tu_range(rng, 1, 2);
		if (tu_uniform(rng) < 0.15 && i >= nm) /* a few infeasible pairs */
			ck_assert_int_eq(pl_profile_add_exclude(&m->P, p, "e0", &err), PL_OK);
	}
	for (size_t k = 0; k < ncouples; k++) {
		char a[32], b[32];
		snprintf(a, sizeof(a), "e%zu", 2 * k);
		snprintf(b, sizeof(b), "e%zu", 2 * k + 1);
		ck_assert_int_eq(pl_profile_set_partner(&m->P, m->mentee[2 * k], b, &err), PL_OK);
		ck_assert_int_eq(pl_profile_set_partner(&m->P, m->mentee[2 * k + 1], a, &err), PL_OK);
	}
	ck_assert_int_eq(pl_profiles_finalize(&m->P, &err), PL_OK);
	ck_assert_int_eq(pl_mentors_program_prepare(m, &err), PL_OK);
}

/* Best (matched, total) over every assignment that keeps capacities, hard rules and, when
 * couples is set, never gives partners the same mentor. */
static void brute(const pl_mentors_program *m, const double *S, int couples, size_t *best_matched,
		  double *best_total)
{
	size_t nm = m->nmentees, nk = m->nmentors, combos = 1;
	long choice[8];

	*best_matched = 0;
	*best_total = -1;
	for (size_t i = 0; i < nm; i++)
		combos *= nk + 1;
	for (size_t code = 0; code < combos; code++) {
		size_t c = code, matched = 0;
		long load[8] = { 0 };
		double total = 0;
		int ok = 1;
		for (size_t i = 0; i < nm; i++) {
			choice[i] = (long)(c % (nk + 1)) - 1;
			c /= nk + 1;
		}
		for (size_t i = 0; i < nm && ok; i++) {
			long j = choice[i], p;
			if (j < 0)
				continue;
			if (isnan(S[i * nk + (size_t)j]) || ++load[j] > m->capacity[j]) {
				ok = 0;
				break;
			}
			p = m->P.items[m->mentee[i]].partner;
			for (size_t k = 0; couples && k < nm && p >= 0; k++)
				if (m->mentee[k] == (size_t)p && choice[k] == j)
					ok = 0;
			matched++;
			total += S[i * nk + (size_t)j];
		}
		if (ok && (matched > *best_matched ||
			   (matched == *best_matched && total > *best_total)))
			*best_matched = matched, *best_total = total;
	}
}

START_TEST(test_couples_brute_force)
{
	tu_rng rng = { 4242 + (uint64_t)_i };

	for (int round = 0; round < 40; round++) {
		pl_mentors_program m;
		pl_mentors_problem pb;
		pl_mentors_result res = PL_MENTORS_RESULT_INIT;
		pl_error err = PL_ERROR_INIT;
		size_t nm = (size_t)tu_range(&rng, 2, 6), nk = (size_t)tu_range(&rng, 1, 3);
		size_t bm;
		double bt, *S = NULL;

		random_program(&m, nm, nk, nm / 2, &rng);
		ck_assert_int_eq(pl_mentors_program_scores(&m, &S, &err), PL_OK);
		ck_assert_int_eq(pl_mentors_program_solve(&m, S, &pb, &res, &err), PL_OK);
		brute(&m, S, 1, &bm, &bt);
		ck_assert_uint_eq(res.matched, bm);
		ck_assert_double_eq_tol(res.total, bt, 1e-9);
		for (size_t i = 0; i + 1 < nm; i += 2)
			ck_assert(res.mentor_of[i] < 0 || res.mentor_of[i] != res.mentor_of[i + 1]);
		pl_mentors_result_release(&res);
		/* switched off: the plain optimum */
		m.prm.rules &= ~PL_RULE_BIT(PL_RULE_COUPLES);
		ck_assert_int_eq(pl_mentors_program_solve(&m, S, &pb, &res, &err), PL_OK);
		brute(&m, S, 0, &bm, &bt);
		ck_assert_uint_eq(res.matched, bm);
		ck_assert_double_eq_tol(res.total, bt, 1e-9);
		ck_assert_uint_eq(m.couple_splits, 0);
		pl_mentors_result_release(&res);
		free(S);
		pl_mentors_program_release(&m);
	}
}
END_TEST

/* Three mentees want one seat; the one with priority gets it under total and maximin, even
 * with the lowest score; without priority the best score wins. Stable ignores priority. */
START_TEST(test_priority_tiers)
{
	static const pl_mentors_objective objs[] = { PL_MENTORS_TOTAL, PL_MENTORS_MAXIMIN,
						     PL_MENTORS_STABLE };
	for (size_t o = 0; o < 3; o++) {
		pl_mentors_program m;
		pl_mentors_problem pb;
		pl_mentors_result res = PL_MENTORS_RESULT_INIT;
		pl_error err = PL_ERROR_INIT;
		double *S = NULL;
		size_t k;

		pl_mentors_program_init(&m);
		m.mentee = malloc(3 * sizeof(size_t));
		m.mentor = malloc(2 * sizeof(size_t));
		m.nmentees = 3;
		m.nmentors = 2;
		m.objective = objs[o];
		m.mentee[0] = add(&m.P, "a");
		m.mentee[1] = add(&m.P, "b");
		m.mentee[2] = add(&m.P, "c");
		m.mentor[0] = add(&m.P, "k");
		m.mentor[1] = add(&m.P, "z"); /* shares nothing: score 0, still feasible */
		tag(&m.P, m.mentee[0], PL_CRIT_GOALS, "housing");
		tag(&m.P, m.mentee[1], PL_CRIT_GOALS, "housing");
		tag(&m.P, m.mentee[2], PL_CRIT_GOALS, "work");
		tag(&m.P, m.mentor[0], PL_CRIT_GOALS, "housing");
		tag(&m.P, m.mentor[1], PL_CRIT_GOALS, "legal");
		m.P.items[m.mentee[2]].priority = 2;
		m.P.items[m.mentee[1]].priority = 1;
		ck_assert_int_eq(pl_profiles_finalize(&m.P, &err), PL_OK);
		ck_assert_int_eq(pl_mentors_program_prepare(&m, &err), PL_OK);
		ck_assert_int_eq(pl_mentors_program_scores(&m, &S, &err), PL_OK);
		ck_assert_int_eq(pl_mentors_program_solve(&m, S, &pb, &res, &err), PL_OK);
		ck_assert_uint_eq(res.matched, 2);
		if (objs[o] == PL_MENTORS_STABLE) {
			ck_assert_int_eq(res.mentor_of[0], 0); /* a's 1.0 wins k by id */
		} else {
			/* c (priority 2) is matched first and takes k (it can take either; k is the
			 * better for the tier: both 0, tie), b (priority 1) next: a is left out */
			ck_assert_int_ge(res.mentor_of[2], 0);
			ck_assert_int_ge(res.mentor_of[1], 0);
			ck_assert_int_eq(res.mentor_of[0], -1);
			for (k = 0; k < 3; k++) /* the tiers' matches are fixed in the problem solved */
				if (k > 0)
					ck_assert_int_eq(pb.pinned[k], res.mentor_of[k]);
		}
		pl_mentors_result_release(&res);
		free(S);
		pl_mentors_program_release(&m);
	}
}
END_TEST

static Suite *coordinator_suite(void)
{
	Suite *s = suite_create("coordinator");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_couples_brute_force, 0, 3);
	tcase_add_test(tc, test_priority_tiers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(coordinator_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
