/*
 * test_coordinator.c: what issue 13 calls "what coordinators take for granted", on the
 * mentors program (peerlink/program.h): couples in treatment together never share a mentor
 * (exact against brute force over every assignment of small random programs), and mentee
 * priority (lexicographic: who is matched tier by tier, then the objective; brute force too),
 * and the unmatched reasons these two rules add (couples, outranked).
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

/* The lexicographic key of priority (docs "Couples and priority"): matched mentees per tier
 * (priority 2, 1, none), then under maximin the smallest score among the matches that are not
 * pinned (0 when none), then the total. */
typedef struct lex_key {
	size_t tier[3];
	double floor, total;
} lex_key;

static int prio_tier(const pl_mentors_program *m, size_t i)
{
	double p = m->P.items[m->mentee[i]].priority;
	return p >= 2 ? 0 : p >= 1 ? 1 : 2;
}

/* Is a better than b (1), worse (-1) or equal within 1e-9 (0)? */
static int lex_cmp(const lex_key *a, const lex_key *b, int maximin)
{
	for (int t = 0; t < 3; t++)
		if (a->tier[t] != b->tier[t])
			return a->tier[t] > b->tier[t] ? 1 : -1;
	if (maximin && fabs(a->floor - b->floor) > 1e-9)
		return a->floor > b->floor ? 1 : -1;
	if (fabs(a->total - b->total) > 1e-9)
		return a->total > b->total ? 1 : -1;
	return 0;
}

/* The key of one assignment, or 0 when it breaks capacity, a hard rule, a forbidden pair, a pin
 * or (couples) the couples rule. */
static int assignment_key(const pl_mentors_program *m, const double *S, const long *choice,
			  int couples, int maximin, lex_key *key)
{
	size_t nm = m->nmentees, nk = m->nmentors;
	long load[8] = { 0 };
	int any = 0;

	memset(key, 0, sizeof(*key));
	key->floor = INFINITY;
	for (size_t i = 0; i < nm; i++) {
		long j = choice[i], p;
		if (m->pinned[i] >= 0 && j != m->pinned[i])
			return 0;
		if (j < 0)
			continue;
		if (isnan(S[i * nk + (size_t)j]) || (m->forbidden && m->forbidden[i * nk + (size_t)j]) ||
		    ++load[j] > m->capacity[j])
			return 0;
		p = m->P.items[m->mentee[i]].partner;
		for (size_t k = 0; couples && k < nm && p >= 0; k++)
			if (m->mentee[k] == (size_t)p && choice[k] == j)
				return 0;
		key->tier[prio_tier(m, i)]++;
		key->total += S[i * nk + (size_t)j];
		if (m->pinned[i] < 0 && S[i * nk + (size_t)j] < key->floor)
			key->floor = S[i * nk + (size_t)j], any = 1;
	}
	if (!any || !maximin)
		key->floor = 0;
	return 1;
}

/* The best key over every assignment; *with_i (when i >= 0): the best key among those that
 * match mentee i, tier counts above i's compared only (found = 0 when none matches i). */
static void brute_lex(const pl_mentors_program *m, const double *S, int couples, int maximin,
		      lex_key *best, long i, int *found_i, size_t *above_i)
{
	size_t nm = m->nmentees, nk = m->nmentors, combos = 1;
	long choice[8];
	int first = 1;

	*found_i = 0;
	for (size_t k = 0; k < nm; k++)
		combos *= nk + 1;
	for (size_t code = 0; code < combos; code++) {
		size_t c = code;
		lex_key key;
		for (size_t k = 0; k < nm; k++) {
			choice[k] = (long)(c % (nk + 1)) - 1;
			c /= nk + 1;
		}
		if (!assignment_key(m, S, choice, couples, maximin, &key))
			continue;
		if (first || lex_cmp(&key, best, maximin) > 0)
			*best = key;
		first = 0;
		if (i >= 0 && choice[i] >= 0) {
			/* how many of the tiers above i's this assignment keeps, lexicographically */
			size_t a = 0;
			for (int t = 0; t < prio_tier(m, (size_t)i); t++)
				a = a * 16 + key.tier[t];
			if (!*found_i || a > *above_i)
				*above_i = a;
			*found_i = 1;
		}
	}
}

/* Brute force over every assignment of small random programs with priorities (two levels and
 * none), capacities, forbidden pairs, pins and couples: under total and maximin the answer's
 * key is the best (most matched of the highest tier, then the next, then the objective over
 * everything), no couple shares a mentor, pins hold; an unmatched mentee is OUTRANKED exactly
 * when some assignment matches it but none that does keeps the higher tiers' counts (checked
 * without couples, where the seats form a matroid). */
START_TEST(test_priority_brute_force)
{
	tu_rng rng = { 777 + (uint64_t)_i };

	for (int round = 0; round < 60; round++) {
		pl_mentors_program m;
		pl_mentors_problem pb;
		pl_mentors_result res = PL_MENTORS_RESULT_INIT;
		pl_error err = PL_ERROR_INIT;
		size_t nm = (size_t)tu_range(&rng, 2, 6), nk = (size_t)tu_range(&rng, 1, 3);
		size_t ncouples = round % 3 == 0 ? nm / 2 : 0, forb[32], nf = 0, pin[2], at;
		int maximin = round % 2;
		double *S = NULL;
		lex_key best = { { 0, 0, 0 }, 0, 0 }, got;
		long choice[8];

		random_program(&m, nm, nk, ncouples, &rng);
		m.objective = maximin ? PL_MENTORS_MAXIMIN : PL_MENTORS_TOTAL;
		for (size_t i = 0; i < nm; i++)
			m.P.items[m.mentee[i]].priority = (double)tu_range(&rng, 0, 2) * (tu_uniform(&rng) < 0.6);
		for (size_t i = 0; i < nm; i++)
			for (size_t j = 0; j < nk; j++)
				if (tu_uniform(&rng) < 0.1)
					forb[2 * nf] = i, forb[2 * nf + 1] = j, nf++;
		ck_assert_int_eq(pl_mentors_program_forbid(&m, forb, nf, &err), PL_OK);
		ck_assert_int_eq(pl_mentors_program_scores(&m, &S, &err), PL_OK);
		pin[0] = (size_t)tu_range(&rng, 0, (long)nm - 1);
		pin[1] = (size_t)tu_range(&rng, 0, (long)nk - 1);
		if (round % 4 == 1 && !isnan(S[pin[0] * nk + pin[1]]) &&
		    !(m.forbidden && m.forbidden[pin[0] * nk + pin[1]]))
			ck_assert_int_eq(pl_mentors_program_pin(&m, pin, 1, &at, &err), PL_OK);
		ck_assert_int_eq(pl_mentors_program_solve(&m, S, &pb, &res, &err), PL_OK);
		for (size_t i = 0; i < nm; i++)
			choice[i] = res.mentor_of[i];
		ck_assert(assignment_key(&m, S, choice, 1, maximin, &got));
		brute_lex(&m, S, 1, maximin, &best, -1, &(int){ 0 }, &(size_t){ 0 });
		ck_assert_int_eq(lex_cmp(&got, &best, maximin), 0);
		if (maximin)
			ck_assert_double_eq_tol(res.threshold, best.floor, 1e-9);
		for (size_t i = 0; ncouples == 0 && i < nm; i++) {
			int found;
			size_t above = 0, have = 0;
			if (res.mentor_of[i] >= 0 || prio_tier(&m, i) == 0 ||
			    (res.reason[i] != PL_UNMATCHED_CAPACITY && res.reason[i] != PL_UNMATCHED_OUTRANKED))
				continue;
			brute_lex(&m, S, 0, maximin, &best, (long)i, &found, &above);
			for (int t = 0; t < prio_tier(&m, i); t++)
				have = have * 16 + best.tier[t];
			/* no assignment matches it at all (pins hold its seats): capacity */
			ck_assert_int_eq(res.reason[i] == PL_UNMATCHED_OUTRANKED, found && above < have);
		}
		pl_mentors_result_release(&res);
		free(S);
		pl_mentors_program_release(&m);
	}
}
END_TEST

/* Most mentees of `in` (nonzero) that can be matched together: a cardinality solve on the
 * program's eligible pairs (scores at least min_score, not forbidden), the others shut out. */
static size_t matchable(const pl_mentors_program *m, const double *S, const unsigned char *in)
{
	size_t nm = m->nmentees, nk = m->nmentors;
	unsigned char *f = malloc(nm * nk);
	pl_mentors_problem pb;
	pl_mentors_result r = PL_MENTORS_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;
	size_t n;

	for (size_t i = 0; i < nm; i++)
		for (size_t j = 0; j < nk; j++)
			f[i * nk + j] = !in[i] || (m->forbidden && m->forbidden[i * nk + j]);
	pl_mentors_program_problem(m, S, &pb);
	pb.objective = PL_MENTORS_TOTAL;
	pb.forbidden = f;
	pb.current = NULL;
	pb.stickiness = 0;
	ck_assert_int_eq(pl_mentors_solve(&pb, &r, &err), PL_OK);
	n = r.matched;
	pl_mentors_result_release(&r);
	free(f);
	return n;
}

/* Many distinct priorities (3 decimals, as a coordinator might type them; some ties, some
 * mentees without one) on programs too large for brute force, under total and maximin: for every
 * priority level p, the answer matches as many of the mentees with priority >= p as can be matched
 * together at all (the lexicographic optimum's defining property, checked level by level with one
 * cardinality solve each, the way the shares were computed before), and the program's own solve
 * counts stay a handful whatever the number of levels (one pass for all tiers, not a solve each). */
START_TEST(test_priority_many_levels)
{
	tu_rng rng = { 4242 + (uint64_t)_i };

	for (int round = 0; round < 6; round++) {
		pl_mentors_program m;
		pl_mentors_problem pb;
		pl_mentors_result res = PL_MENTORS_RESULT_INIT;
		pl_error err = PL_ERROR_INIT;
		size_t nm = (size_t)tu_range(&rng, 30, 70), nk = (size_t)tu_range(&rng, 4, 10);
		size_t forb[2 * 64], nf = 0, levels = 0;
		unsigned char *in = malloc(nm);
		double *S = NULL, *prio = malloc(nm * sizeof(double));

		random_program(&m, nm, nk, 0, &rng);
		m.objective = round % 2 ? PL_MENTORS_MAXIMIN : PL_MENTORS_TOTAL;
		m.min_score = round % 3 == 2 ? 0.2 : 0;
		for (size_t i = 0; i < nm; i++) {
			/* a third share a few values, a tenth have none, the rest 3 decimals */
			double u = tu_uniform(&rng);
			prio[i] = u < 0.1 ? 0 : u < 0.4 ? (double)tu_range(&rng, 1, 3)
				  : (double)tu_range(&rng, 1, 10000) / 1000.0;
			m.P.items[m.mentee[i]].priority = prio[i];
		}
		for (size_t k = 0; k < 64 && nf < 64; k++)
			if (tu_uniform(&rng) < 0.5) {
				forb[2 * nf] = (size_t)tu_range(&rng, 0, (long)nm - 1);
				forb[2 * nf + 1] = (size_t)tu_range(&rng, 0, (long)nk - 1);
				nf++;
			}
		ck_assert_int_eq(pl_mentors_program_forbid(&m, forb, nf, &err), PL_OK);
		ck_assert_int_eq(pl_mentors_program_scores(&m, &S, &err), PL_OK);
		ck_assert_int_eq(pl_mentors_program_solve(&m, S, &pb, &res, &err), PL_OK);
		for (size_t a = 0; a < nm; a++) {
			size_t got = 0, distinct = 1;
			if (prio[a] <= 0)
				continue;
			for (size_t b = 0; b < a; b++)
				distinct &= prio[b] != prio[a];
			levels += distinct;
			for (size_t i = 0; i < nm; i++) {
				in[i] = prio[i] >= prio[a];
				got += in[i] && res.mentor_of[i] >= 0;
			}
			ck_assert_uint_eq(got, matchable(&m, S, in));
		}
		ck_assert_uint_gt(levels, 15);
		ck_assert_uint_le(res.solves, 6); /* before: levels + 4 */
		pl_mentors_result_release(&res);
		free(S);
		free(in);
		free(prio);
		pl_mentors_program_release(&m);
	}
}
END_TEST

/* The couples rule named as the reason (issue 13 audit): two partners, one mentor with two seats:
 * one partner is matched, the other is unmatched for the couples rule (not "no feasible
 * mentor"); with a language rule the partner's mentor is still the one named. */
START_TEST(test_couples_reason)
{
	pl_mentors_program m;
	pl_mentors_problem pb;
	pl_mentors_result res = PL_MENTORS_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;
	double *S = NULL;
	size_t a, b;

	pl_mentors_program_init(&m);
	m.mentee = malloc(2 * sizeof(size_t));
	m.mentor = malloc(sizeof(size_t));
	m.nmentees = 2;
	m.nmentors = 1;
	a = m.mentee[0] = add(&m.P, "a");
	b = m.mentee[1] = add(&m.P, "b");
	m.mentor[0] = add(&m.P, "k");
	m.P.items[m.mentor[0]].capacity = 2;
	ck_assert_int_eq(pl_profile_set_partner(&m.P, a, "b", &err), PL_OK);
	ck_assert_int_eq(pl_profile_set_partner(&m.P, b, "a", &err), PL_OK);
	ck_assert_int_eq(pl_profiles_finalize(&m.P, &err), PL_OK);
	ck_assert_int_eq(pl_mentors_program_prepare(&m, &err), PL_OK);
	ck_assert_int_eq(pl_mentors_program_scores(&m, &S, &err), PL_OK);
	ck_assert_int_eq(pl_mentors_program_solve(&m, S, &pb, &res, &err), PL_OK);
	ck_assert_uint_eq(res.matched, 1);
	ck_assert_int_eq(res.reason[res.mentor_of[0] >= 0 ? 1 : 0], PL_UNMATCHED_COUPLES);
	pl_mentors_result_release(&res);
	/* switched off, both share k */
	m.prm.rules &= ~PL_RULE_BIT(PL_RULE_COUPLES);
	ck_assert_int_eq(pl_mentors_program_solve(&m, S, &pb, &res, &err), PL_OK);
	ck_assert_uint_eq(res.matched, 2);
	pl_mentors_result_release(&res);
	free(S);
	pl_mentors_program_release(&m);
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
			/* a is left out because matching it would leave a tier above it out */
			ck_assert_int_eq(res.reason[0], PL_UNMATCHED_OUTRANKED);
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
	tcase_add_loop_test(tc, test_priority_brute_force, 0, 4);
	tcase_add_loop_test(tc, test_priority_many_levels, 0, 3);
	tcase_add_test(tc, test_couples_reason);
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
