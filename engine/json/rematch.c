/*
 * rematch.c: what a re-match costs, for `match mentors` and `match buddies` with `current`
 * pairs: who keeps their partner, who moves (or loses one) and why (issue 13: "re-matching
 * shows its cost"). docs/matching-mentors.md and docs/buddies.md, "Changes", describe the
 * fields.
 *
 * Why a separate step: the solvers only see adjusted scores (stickiness rewards a current
 * pair); a coordinator who tells someone "your mentor changes" needs the reason in words: a
 * hard rule the pair now breaks, a forbidden or pinned pair, the score floor, the couples rule,
 * or plainly that the new answer is better by a stated amount. For mentors that amount is exact:
 * the problem is re-solved with the current pair pinned (bounded, see KEEP_COST_CELLS_MAX).
 */
#define _POSIX_C_SOURCE 200809L
#include "match_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCALE PL_JSON_MATCH_SCALE
/* Re-solves for keep costs only while mentees x mentors x moved stays below this (each is a
 * full assignment solve). */
#define KEEP_COST_CELLS_MAX 20000000.0

static json_t *score_or_null(double s)
{
	return isnan(s) ? json_null() : json_real(pl_json_round(s, SCALE));
}

/* ---- mentors ---- */

static const char *mentee_id(const pl_mentors_program *m, size_t i)
{
	return m->P.items[m->mentee[i]].id;
}

static const char *mentor_id(const pl_mentors_program *m, size_t j)
{
	return m->P.items[m->mentor[j]].id;
}

/* Mentees with a priority above p matched in mentor_of. */
static size_t matched_above(const pl_mentors_program *m, const long *mentor_of, double p)
{
	size_t c = 0;
	for (size_t k = 0; k < m->nmentees; k++)
		c += mentor_of[k] >= 0 && m->P.items[m->mentee[k]].priority > p;
	return c;
}

/* The objective's change if mentee i were pinned to mentor j (re-solve), into o; 0 if that
 * pin is impossible (every seat of j pinned to others) or the solve failed. With priority the
 * whole program is re-solved (the tiers' matches are not pins of the request), and *outranked
 * says how many more mentees of a higher priority than i's would be left unmatched. */
static int keep_cost(const pl_mentors_program *m, const double *S, const pl_mentors_problem *pb,
		     const pl_mentors_result *res, size_t i, size_t j, json_t *o, size_t *outranked)
{
	pl_mentors_problem q = *pb;
	pl_mentors_result r = PL_MENTORS_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;
	long *pins = malloc((pb->nmentees ? pb->nmentees : 1) * sizeof(long));
	int ok = 0, prio = pl_mentors_program_has_priority(m);
	pl_status st;

	*outranked = 0;
	if (!pins)
		return 0;
	for (size_t k = 0; k < pb->nmentees; k++)
		pins[k] = pb->pinned ? pb->pinned[k] : -1;
	pins[i] = (long)j;
	q.pinned = pins;
	st = prio ? pl_mentors_program_solve_pinned(m, S, i, j, &r, &err) : pl_mentors_solve(&q, &r, &err);
	if (st == PL_OK) {
		double p = m->P.items[m->mentee[i]].priority;
		size_t before = matched_above(m, res->mentor_of, p), after = matched_above(m, r.mentor_of, p);
		*outranked = before > after ? before - after : 0;
		json_object_set_new(o, "total_change",
				    json_real(pl_json_round(r.objective_value - res->objective_value, SCALE)));
		json_object_set_new(o, "matched_change",
				    json_integer((json_int_t)r.matched - (json_int_t)res->matched));
		ok = 1;
	}
	pl_mentors_result_release(&r);
	free(pins);
	return ok;
}

/* Why mentee i no longer has its current mentor j: a rule of the request, or NULL when the
 * optimum simply prefers another answer. */
static const char *forced_reason(const pl_mentors_program *m, const pl_mentors_problem *pb,
				 const double *S, size_t i, size_t j, char *buf, size_t size)
{
	size_t nk = m->nmentors;
	unsigned f = pl_compat_rules_failed(&m->P, &m->prm, m->mentee[i], m->mentor[j]);

	if (f) {
		snprintf(buf, size, "the current pair now breaks the '%s' rule",
			 pl_mentors_program_rule(m, i, j));
		return buf;
	}
	if (m->forbidden && m->forbidden[i * nk + j])
		return "the current pair is forbidden in this request";
	if (m->pinned[i] >= 0)
		return "this mentee is pinned to another mentor";
	if (S[i * nk + j] < m->min_score)
		return "the current pair scores below min_score";
	if (pb->forbidden && pb->forbidden[i * nk + j]) {
		long p = m->P.items[m->mentee[i]].partner;
		snprintf(buf, size, "the couples rule: this mentee's partner in treatment ('%s') has "
			 "this mentor", p >= 0 ? m->P.items[p].id : "?");
		return buf;
	}
	return NULL;
}

/* Do the request's pins of other mentees fill every seat of mentor j? (Otherwise a re-solve
 * with i pinned to j fails only because i's partner is pinned to j: the couples rule.) */
static int pins_fill(const pl_mentors_program *m, size_t i, size_t j)
{
	long used = 0;
	for (size_t k = 0; k < m->nmentees; k++)
		used += k != i && m->pinned[k] == (long)j;
	return used >= m->capacity[j];
}

/* The entry of a mentee whose current mentor j it no longer has (moved to another, or none). */
static json_t *moved_entry(const pl_mentors_program *m, const double *S,
			   const pl_mentors_problem *pb, const pl_mentors_result *res, size_t i,
			   size_t j, int with_cost)
{
	json_t *e = json_object(), *cost = json_object();
	long to = res->mentor_of[i];
	char buf[256], why[320];
	const char *forced = forced_reason(m, pb, S, i, j, buf, sizeof(buf));
	size_t outranked = 0;

	json_object_set_new(e, "mentee", json_string(mentee_id(m, i)));
	json_object_set_new(e, "status", json_string(to >= 0 ? "moved" : "ended"));
	json_object_set_new(e, "from", json_string(mentor_id(m, j)));
	json_object_set_new(e, "to", to >= 0 ? json_string(mentor_id(m, (size_t)to)) : json_null());
	json_object_set_new(e, "score_before", score_or_null(S[i * m->nmentors + j]));
	json_object_set_new(e, "score_after",
			    to >= 0 ? score_or_null(S[i * m->nmentors + (size_t)to]) : json_null());
	if (forced) {
		json_object_set_new(e, "why", json_string(forced));
		json_object_set_new(e, "keep_cost", json_null());
		json_decref(cost);
		return e;
	}
	if (with_cost && keep_cost(m, S, pb, res, i, j, cost, &outranked)) {
		double change = json_real_value(json_object_get(cost, "total_change"));
		json_int_t lost = json_integer_value(json_object_get(cost, "matched_change"));
		if (outranked > 0)
			snprintf(why, sizeof(why), "keeping the current mentor would leave %zu mentee(s) "
				 "with a higher priority unmatched", outranked);
		else if (lost < 0)
			snprintf(why, sizeof(why), "keeping the current mentor would leave %lld more "
				 "mentee(s) unmatched", (long long)-lost);
		else if (change < 0)
			snprintf(why, sizeof(why), "keeping the current mentor would lower the "
				 "objective by %.4f (stickiness %.4g included)", -change, m->stickiness);
		else
			snprintf(why, sizeof(why), "an answer that keeps the current mentor is as good; "
				 "the tie went the other way (raise stickiness to prefer current pairs)");
		json_object_set_new(e, "why", json_string(why));
		json_object_set_new(e, "keep_cost", cost);
		return e;
	}
	json_decref(cost);
	json_object_set_new(e, "why", json_string(!with_cost
		? "the optimum places this mentee elsewhere (the program is too large to price "
		  "keeping the pair)"
		: pins_fill(m, i, j) ? "the current mentor's seats are all pinned to other mentees"
		: "keeping the current mentor breaks the couples rule (its partner in treatment is "
		  "pinned to that mentor)"));
	json_object_set_new(e, "keep_cost", json_null());
	return e;
}

json_t *pl_json_mentors_changes(const pl_mentors_program *m, const double *S,
				const pl_mentors_problem *pb, const pl_mentors_result *res)
{
	json_t *doc = json_object(), *list = json_array();
	size_t kept = 0, moved = 0, ended = 0, nmove = 0;
	int with_cost;

	for (size_t i = 0; i < m->nmentees; i++)
		nmove += m->current[i] >= 0 && res->mentor_of[i] != m->current[i];
	with_cost = (double)m->nmentees * (double)m->nmentors * (double)nmove <= KEEP_COST_CELLS_MAX;
	for (size_t i = 0; i < m->nmentees; i++) {
		long j = m->current[i];
		json_t *e;
		if (j < 0)
			continue;
		if (res->mentor_of[i] == j) {
			e = json_object();
			json_object_set_new(e, "mentee", json_string(mentee_id(m, i)));
			json_object_set_new(e, "status", json_string("kept"));
			json_object_set_new(e, "mentor", json_string(mentor_id(m, (size_t)j)));
			kept++;
		} else {
			e = moved_entry(m, S, pb, res, i, (size_t)j, with_cost);
			if (res->mentor_of[i] >= 0)
				moved++;
			else
				ended++;
		}
		json_array_append_new(list, e);
	}
	json_object_set_new(doc, "kept", json_integer((json_int_t)kept));
	json_object_set_new(doc, "moved", json_integer((json_int_t)moved));
	json_object_set_new(doc, "ended", json_integer((json_int_t)ended));
	json_object_set_new(doc, "mentees", list);
	return doc;
}

/* ---- buddies ---- */

static const char *client_id(const pl_buddies_program *b, size_t i)
{
	return b->P.items[b->client[i]].id;
}

/* Where client a ended up: its partner, or the triad's members; into an array of ids. */
static json_t *now_with(const pl_buddies_result *res, const pl_buddies_program *b, size_t a)
{
	json_t *ids = json_array();
	long t0 = res->triad[0], t1 = res->triad[1], t2 = res->triad[2];

	if ((long)a == t2) {
		json_array_append_new(ids, json_string(client_id(b, (size_t)t0)));
		json_array_append_new(ids, json_string(client_id(b, (size_t)t1)));
	} else if (res->partner[a] >= 0) {
		json_array_append_new(ids, json_string(client_id(b, (size_t)res->partner[a])));
		if (t2 >= 0 && ((long)a == t0 || (long)a == t1))
			json_array_append_new(ids, json_string(client_id(b, (size_t)t2)));
	}
	return ids;
}

/* Are a and c together now (a pair, or both in the triad)? */
static int together(const pl_buddies_result *res, size_t a, size_t c)
{
	long t[3] = { res->triad[0], res->triad[1], res->triad[2] };
	int ina = 0, inc = 0;

	if (res->partner[a] == (long)c)
		return 1;
	for (int k = 0; k < 3; k++) {
		ina |= t[k] == (long)a;
		inc |= t[k] == (long)c;
	}
	return t[2] >= 0 && ina && inc;
}

/* Why the current pair (a, c) was split. */
static void split_reason(const pl_buddies_program *b, const double *S, const pl_buddies_result *res,
			 size_t a, size_t c, char *why, size_t size)
{
	double s = S[a * b->n + c];
	unsigned f = pl_compat_rules_failed(&b->P, &b->prm, b->client[a], b->client[c]);

	if (f || pl_buddies_program_is_forbidden(b, a, c)) {
		snprintf(why, size, "the current pair now breaks the '%s' rule",
			 pl_buddies_program_rule(b, a, c));
		return;
	}
	if ((res->pinned[a] && res->partner[a] != (long)c) || (res->pinned[c] && res->partner[c] != (long)a)) {
		snprintf(why, size, "one of the two is pinned to someone else");
		return;
	}
	if (s < b->min_score) {
		snprintf(why, size, "the current pair scores below min_score");
		return;
	}
	snprintf(why, size, "the new pairing has a larger total: the current pair scores %.4f "
		 "(+%.4g stickiness); see score_after for what each gets now", s, b->stickiness);
}

/* The best score client a has with those it is with now (NaN: nobody). */
static double score_now(const pl_buddies_program *b, const double *S, const pl_buddies_result *res,
			size_t a)
{
	long p = res->partner[a];
	if ((long)a == res->triad[2])
		return fmax(S[a * b->n + (size_t)res->triad[0]], S[a * b->n + (size_t)res->triad[1]]);
	return p >= 0 ? S[a * b->n + (size_t)p] : NAN;
}

json_t *pl_json_buddies_changes(const pl_buddies_program *b, const double *S,
				const pl_buddies_result *res)
{
	json_t *doc = json_object(), *list = json_array();
	size_t kept = 0, split = 0;

	for (size_t k = 0; k < b->ncurrent; k++) {
		size_t a = b->current[2 * k], c = b->current[2 * k + 1];
		json_t *e = json_object(), *ids = json_array();
		json_array_append_new(ids, json_string(client_id(b, a)));
		json_array_append_new(ids, json_string(client_id(b, c)));
		json_object_set_new(e, "clients", ids);
		if (together(res, a, c)) {
			json_object_set_new(e, "status", json_string("kept"));
			kept++;
		} else {
			json_t *after = json_object(), *now = json_object();
			char why[320];
			split_reason(b, S, res, a, c, why, sizeof(why));
			json_object_set_new(e, "status", json_string("split"));
			json_object_set_new(e, "score_before", score_or_null(S[a * b->n + c]));
			json_object_set_new(now, client_id(b, a), now_with(res, b, a));
			json_object_set_new(now, client_id(b, c), now_with(res, b, c));
			json_object_set_new(after, client_id(b, a), score_or_null(score_now(b, S, res, a)));
			json_object_set_new(after, client_id(b, c), score_or_null(score_now(b, S, res, c)));
			json_object_set_new(e, "now_with", now);
			json_object_set_new(e, "score_after", after);
			json_object_set_new(e, "why", json_string(why));
			split++;
		}
		json_array_append_new(list, e);
	}
	json_object_set_new(doc, "kept", json_integer((json_int_t)kept));
	json_object_set_new(doc, "split", json_integer((json_int_t)split));
	json_object_set_new(doc, "pairs", list);
	return doc;
}
