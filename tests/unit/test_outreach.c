/*
 * test_outreach.c: today's outreach plan against brute force on small random programs (every
 * feasible way to ask, <= 6 clients and 4 supporters), and its rules: budgets never exceeded, no
 * supporter at high risk (or silent, unavailable, out of budget) asked, clinician triage.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/outreach.h>
#include "testutil.h"

#define MAXC 6
#define MAXS 4

typedef struct inst {
	pl_outreach_client c[MAXC];
	pl_outreach_supporter s[MAXS];
	pl_outreach_link l[MAXC * MAXS * 2];
	pl_outreach_problem p;
} inst;

static void random_inst(tu_rng *r, inst *x)
{
	size_t n = (size_t)tu_range(r, 0, MAXC), m = (size_t)tu_range(r, 0, MAXS), nl = 0;
	pl_outreach_problem_init(&x->p);
	for (size_t i = 0; i < n; i++) {
		x->c[i].tier = (pl_outreach_tier)tu_range(r, 0, 3);
		x->c[i].reported_use = tu_range(r, 0, 3) == 0;
		x->c[i].silent_days = tu_range(r, 0, 5) == 0 ? 10 : tu_range(r, 0, 3);
	}
	for (size_t s = 0; s < m; s++) {
		x->s[s].available = tu_range(r, 0, 4) != 0;
		x->s[s].budget = tu_range(r, 0, 3);
		x->s[s].used = tu_range(r, 0, 2);
		x->s[s].tier = (pl_outreach_tier)tu_range(r, 0, 3);
		x->s[s].silent_days = tu_range(r, 0, 8) == 0 ? 9 : 0;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t s = 0; s < m; s++)
			for (int k = tu_range(r, 0, 2); k > 0; k--) {
				x->l[nl].client = i;
				x->l[nl].supporter = s;
				x->l[nl].role = (pl_outreach_role)tu_range(r, 0, PL_OUTREACH_NROLES - 1);
				nl++;
			}
	if (tu_range(r, 0, 1))
		for (int k = 0; k < PL_OUTREACH_NROLES; k++)
			x->p.weight[k] = (double)tu_range(r, 1, 9);
	x->p.ask_from = tu_range(r, 0, 3) == 0 ? PL_OUTREACH_TIER_HIGH : PL_OUTREACH_TIER_MODERATE;
	x->p.nclients = n;
	x->p.clients = x->c;
	x->p.nsupporters = m;
	x->p.supporters = x->s;
	x->p.nlinks = nl;
	x->p.links = x->l;
}

/* Written from the rules in outreach.h, not from outreach.c. */
static int needs_ask(const pl_outreach_problem *p, size_t i)
{
	const pl_outreach_client *c = &p->clients[i];
	if (c->silent_days > p->silence_limit)
		return 0;
	if (c->tier == PL_OUTREACH_TIER_HIGH && c->reported_use)
		return 0;
	return c->tier >= p->ask_from;
}

static int may_ask(const pl_outreach_problem *p, size_t s)
{
	const pl_outreach_supporter *x = &p->supporters[s];
	return x->tier != PL_OUTREACH_TIER_HIGH && x->silent_days <= p->silence_limit &&
	       x->available && x->used < x->budget;
}

/* Closeness of the pair (i, s): the best weight of their links, -1 when none. */
static double pair_weight(const pl_outreach_problem *p, size_t i, size_t s)
{
	double w = -1;
	for (size_t k = 0; k < p->nlinks; k++)
		if (p->links[k].client == i && p->links[k].supporter == s &&
		    p->weight[p->links[k].role] > w)
			w = p->weight[p->links[k].role];
	return w;
}

typedef struct brute {
	const pl_outreach_problem *p;
	long left[MAXS];
	size_t best_card;
	double best_w;
} brute;

static void brute_rec(brute *b, size_t i, size_t card, double w)
{
	if (i == b->p->nclients) {
		if (card > b->best_card || (card == b->best_card && w > b->best_w + 1e-9)) {
			b->best_card = card;
			b->best_w = w;
		}
		return;
	}
	brute_rec(b, i + 1, card, w);
	if (!needs_ask(b->p, i))
		return;
	for (size_t s = 0; s < b->p->nsupporters; s++) {
		double ws = pair_weight(b->p, i, s);
		if (ws < 0 || !may_ask(b->p, s) || b->left[s] == 0)
			continue;
		b->left[s]--;
		brute_rec(b, i + 1, card + 1, w + ws);
		b->left[s]++;
	}
}

START_TEST(matches_brute_force_and_rules)
{
	tu_rng r = { 20261128u };
	for (int trial = 0; trial < 3000; trial++) {
		inst x;
		pl_outreach_result res;
		pl_error err = PL_ERROR_INIT;
		brute b;
		long given[MAXS] = { 0 };
		double w = 0;

		random_inst(&r, &x);
		ck_assert_int_eq(pl_outreach_plan(&x.p, &res, &err), PL_OK);
		b.p = &x.p;
		b.best_card = 0;
		b.best_w = 0;
		for (size_t s = 0; s < x.p.nsupporters; s++)
			b.left[s] = x.s[s].budget - x.s[s].used;
		brute_rec(&b, 0, 0, 0.0);
		ck_assert_uint_eq(res.asks, b.best_card);
		ck_assert_double_eq_tol(res.closeness, b.best_w, 1e-9);
		for (size_t i = 0; i < x.p.nclients; i++) {
			int clin = res.status[i] == PL_OUTREACH_CLINICIAN_USE ||
				   res.status[i] == PL_OUTREACH_CLINICIAN_SILENCE;
			ck_assert_int_eq(clin, (x.c[i].silent_days > x.p.silence_limit) ||
						       (x.c[i].tier == PL_OUTREACH_TIER_HIGH &&
							x.c[i].reported_use));
			if (res.status[i] != PL_OUTREACH_ASKED) {
				ck_assert_int_eq(res.supporter[i], -1);
				continue;
			}
			ck_assert(needs_ask(&x.p, i));
			/* never a protected, unavailable or exhausted supporter */
			ck_assert(may_ask(&x.p, (size_t)res.supporter[i]));
			ck_assert(x.s[res.supporter[i]].tier != PL_OUTREACH_TIER_HIGH);
			ck_assert_double_eq(pair_weight(&x.p, i, (size_t)res.supporter[i]),
					    x.p.weight[res.role[i]]);
			given[res.supporter[i]]++;
			w += x.p.weight[res.role[i]];
		}
		ck_assert_double_eq_tol(w, res.closeness, 1e-9);
		for (size_t s = 0; s < x.p.nsupporters; s++) {
			/* budgets never exceeded */
			ck_assert_int_le(x.s[s].used + given[s], x.s[s].budget > x.s[s].used ?
									 x.s[s].budget : x.s[s].used);
			ck_assert_int_eq(given[s], res.asked[s]);
		}
		pl_outreach_result_release(&res);
	}
}
END_TEST

START_TEST(high_risk_mentor_is_never_asked)
{
	/* One client, two mentors: the closer, unlimited one is at high risk. */
	pl_outreach_client c[1] = { { PL_OUTREACH_TIER_HIGH, 0, 0 } };
	pl_outreach_supporter s[2] = { { 1, 5, 0, PL_OUTREACH_TIER_HIGH, 0 },
				       { 1, 1, 0, PL_OUTREACH_TIER_LOW, 0 } };
	pl_outreach_link l[2] = { { 0, 0, PL_OUTREACH_BUDDY }, { 0, 1, PL_OUTREACH_FACILITATOR } };
	pl_outreach_problem p;
	pl_outreach_result res;
	pl_error err = PL_ERROR_INIT;

	pl_outreach_problem_init(&p);
	p.nclients = 1;
	p.clients = c;
	p.nsupporters = 2;
	p.supporters = s;
	p.nlinks = 2;
	p.links = l;
	ck_assert_int_eq(pl_outreach_plan(&p, &res, &err), PL_OK);
	ck_assert_int_eq(res.status[0], PL_OUTREACH_ASKED);
	ck_assert_int_eq(res.supporter[0], 1);
	ck_assert_int_eq(res.exclusion[0], PL_OUTREACH_HIGH_RISK);
	pl_outreach_result_release(&res);

	/* Without the second supporter the client is unreached, not handed to the first. */
	p.nsupporters = 1;
	p.nlinks = 1;
	ck_assert_int_eq(pl_outreach_plan(&p, &res, &err), PL_OK);
	ck_assert_int_eq(res.status[0], PL_OUTREACH_UNREACHED_INELIGIBLE);
	ck_assert_uint_eq(res.unreached, 1);
	pl_outreach_result_release(&res);

	/* No link at all, and the budget taken by another client. */
	p.nlinks = 0;
	ck_assert_int_eq(pl_outreach_plan(&p, &res, &err), PL_OK);
	ck_assert_int_eq(res.status[0], PL_OUTREACH_UNREACHED_NO_LINK);
	pl_outreach_result_release(&res);
}
END_TEST

START_TEST(budget_goes_to_one_of_two)
{
	pl_outreach_client c[2] = { { PL_OUTREACH_TIER_MODERATE, 0, 0 },
				    { PL_OUTREACH_TIER_MODERATE, 0, 0 } };
	pl_outreach_supporter s[1] = { { 1, 3, 2, PL_OUTREACH_TIER_NONE, 0 } };
	pl_outreach_link l[2] = { { 0, 0, PL_OUTREACH_MENTOR }, { 1, 0, PL_OUTREACH_BUDDY } };
	pl_outreach_problem p;
	pl_outreach_result res;
	pl_error err = PL_ERROR_INIT;

	pl_outreach_problem_init(&p);
	p.nclients = 2;
	p.clients = c;
	p.nsupporters = 1;
	p.supporters = s;
	p.nlinks = 2;
	p.links = l;
	ck_assert_int_eq(pl_outreach_plan(&p, &res, &err), PL_OK);
	/* one ask left this week: the closer relationship (buddy) wins */
	ck_assert_int_eq(res.status[1], PL_OUTREACH_ASKED);
	ck_assert_int_eq(res.role[1], PL_OUTREACH_BUDDY);
	ck_assert_int_eq(res.status[0], PL_OUTREACH_UNREACHED_TAKEN);
	pl_outreach_result_release(&res);
}
END_TEST

START_TEST(invalid_problems_are_rejected)
{
	pl_outreach_client c[1] = { { PL_OUTREACH_TIER_MODERATE, 0, 0 } };
	pl_outreach_supporter s[1] = { { 1, 1, 0, PL_OUTREACH_TIER_NONE, 0 } };
	pl_outreach_link l[1] = { { 0, 1, PL_OUTREACH_MENTOR } };
	pl_outreach_problem p;
	pl_outreach_result res;
	pl_error err = PL_ERROR_INIT;

	pl_outreach_problem_init(&p);
	p.nclients = 1;
	p.clients = c;
	p.nsupporters = 1;
	p.supporters = s;
	p.nlinks = 1;
	p.links = l;
	ck_assert_int_eq(pl_outreach_plan(&p, &res, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/links/0");
	ck_assert_ptr_null(res.status);
	l[0].supporter = 0;
	p.weight[2] = 0;
	ck_assert_int_eq(pl_outreach_plan(&p, &res, &err), PL_ERR_INVALID);
	p.weight[2] = 2;
	s[0].used = -1;
	ck_assert_int_eq(pl_outreach_plan(&p, &res, &err), PL_ERR_INVALID);
}
END_TEST

static Suite *outreach_suite(void)
{
	Suite *s = suite_create("outreach");
	TCase *t = tcase_create("plan");

	tcase_add_test(t, matches_brute_force_and_rules);
	tcase_add_test(t, high_risk_mentor_is_never_asked);
	tcase_add_test(t, budget_goes_to_one_of_two);
	tcase_add_test(t, invalid_problems_are_rejected);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(outreach_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
