/*
 * mentors.c: the JSON layer of `match mentors`: the request into a pl_mentors_program and the
 * answer back (docs/matching-mentors.md describes every field).
 *
 * Input  {"mentees": [profiles], "mentors": [profiles with "capacity"], "weights", "constraints",
 *         "objective": "total" | "maximin" | "stable", "pinned" | "forbidden" | "current":
 *         [[mentee id, mentor id]], "top", "min_score", "stickiness"}
 * Output {"matches", "unmatched", "alternatives", "summary"}; scores rounded to 4 decimals.
 */
#define _POSIX_C_SOURCE 200809L
#include "match_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCALE PL_JSON_MATCH_SCALE

static pl_status read_options(pl_mentors_program *m, json_t *doc, pl_error *err)
{
	const char *obj = "total";
	pl_status st;

	st = pl_json_get_string(doc, "objective", "", 0, &obj, err);
	if (st != PL_OK)
		return st;
	if (strcmp(obj, "total") == 0)
		m->objective = PL_MENTORS_TOTAL;
	else if (strcmp(obj, "maximin") == 0)
		m->objective = PL_MENTORS_MAXIMIN;
	else if (strcmp(obj, "stable") == 0)
		m->objective = PL_MENTORS_STABLE;
	else
		return pl_error_set(err, PL_ERR_INVALID, "/objective",
				    "objective must be \"total\", \"maximin\" or \"stable\"");
	return pl_json_read_pair_options(doc, &m->top, &m->min_score, &m->stickiness, err);
}

/* "forbidden", then "pinned", then "current": [[mentee id, mentor id], ...]. */
static pl_status read_pair_lists(pl_mentors_program *m, json_t *doc, pl_error *err)
{
	long *pos_mentee = pl_program_positions(&m->P, m->mentee, m->nmentees);
	long *pos_mentor = pl_program_positions(&m->P, m->mentor, m->nmentors);
	pl_json_pair_roles roles = {
		{ pos_mentee, pos_mentor },
		"each entry must be [mentee id, mentor id]",
		{ "this id names no mentee of this request", "this id names no mentor of this request" },
		0
	};
	size_t *pairs = NULL, np = 0, at = 0;
	pl_status st;

	if (!pos_mentee || !pos_mentor) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	st = pl_json_read_id_pairs(doc, "forbidden", &m->P, &roles, &pairs, &np, err);
	if (st == PL_OK)
		st = pl_mentors_program_forbid(m, pairs, np, err);
	if (st != PL_OK)
		goto out;
	free(pairs);
	st = pl_json_read_id_pairs(doc, "pinned", &m->P, &roles, &pairs, &np, err);
	if (st == PL_OK && (st = pl_mentors_program_pin(m, pairs, np, &at, err)) == PL_ERR_INVALID)
		pl_json_point_at(err, "/pinned", at);
	if (st != PL_OK)
		goto out;
	free(pairs);
	st = pl_json_read_id_pairs(doc, "current", &m->P, &roles, &pairs, &np, err);
	if (st == PL_OK && (st = pl_mentors_program_current(m, pairs, np, &at, err)) == PL_ERR_INVALID)
		pl_json_point_at(err, "/current", at);
out:
	free(pairs);
	free(pos_mentee);
	free(pos_mentor);
	return st;
}

pl_status pl_json_read_mentors_program(json_t *doc, pl_mentors_program *m, pl_error *err)
{
	static const char *const keys[] = { "mentees", "mentors", "weights", "constraints", "pinned",
					    "forbidden", "objective", "top", "min_score", "current",
					    "stickiness", "vocabulary", NULL };
	pl_json_profile_list lists[2] = { { "mentees", 1, 0, &m->mentee, &m->nmentees },
					  { "mentors", 1, 1, &m->mentor, &m->nmentors } };
	pl_status st;

	pl_mentors_program_init(m);
	st = pl_json_check_program_keys(doc, keys, err);
	if (st == PL_OK)
		st = read_options(m, doc, err);
	if (st == PL_OK)
		st = pl_json_read_population(doc, &m->prm, &m->P, lists, 2, err);
	if (st == PL_OK)
		st = pl_mentors_program_prepare(m, err);
	if (st == PL_OK)
		st = read_pair_lists(m, doc, err);
	return st;
}

static const char *objective_name(pl_mentors_objective o)
{
	return o == PL_MENTORS_MAXIMIN ? "maximin" : o == PL_MENTORS_STABLE ? "stable" : "total";
}

static const char *algorithm_name(pl_mentors_objective o)
{
	switch (o) {
	case PL_MENTORS_MAXIMIN:
		return "bottleneck threshold search + shortest augmenting path assignment";
	case PL_MENTORS_STABLE:
		return "mentee-proposing deferred acceptance with capacities";
	default:
		return "shortest augmenting path assignment (Jonker-Volgenant), capacities";
	}
}

/* The couples reason's message: the partner and the mentor with a seat left that the rule keeps
 * this mentee from (pl_mentors_program_solve found them). */
static void couples_message(const pl_mentors_program *m, const pl_mentors_result *res, size_t i,
			    char *msg, size_t size)
{
	long p = m->P.items[m->mentee[i]].partner, j = -1;

	for (size_t k = 0; p >= 0 && k < m->nmentees; k++)
		if (m->mentee[k] == (size_t)p)
			j = res->mentor_of[k];
	snprintf(msg, size, "the couples rule: its partner in treatment ('%s') has mentor '%s', who "
		 "has a seat left; partners do not share a mentor (constraints.couples false allows it)",
		 p >= 0 ? m->P.items[p].id : "?", j >= 0 ? m->P.items[m->mentor[j]].id : "?");
}

/* What every unmatched entry reads: the mentors' rules packed once (R NULL when out of memory:
 * pair by pair). row: scratch, nmentors. */
typedef struct unmatched_ctx {
	pl_compat_rules *R;
	unsigned *row;
} unmatched_ctx;

static void write_unmatched(pl_jw *w, const pl_mentors_program *m, const double *S,
			    const pl_mentors_result *res, size_t i, const unmatched_ctx *u)
{
	size_t counts[PL_RULE_COUNT + 1] = { 0 }, best = 0, eligible = 0, nrules;
	pl_jm rules[PL_RULE_COUNT + 1];
	char msg[256];
	const char *reason;

	if (u->R)
		pl_compat_rules_row(u->R, m->mentee[i], S + i * m->nmentors, u->row);
	for (size_t j = 0; j < m->nmentors; j++) {
		/* S is NaN exactly where a hard rule fails (pl_compat_matrix): only those pairs
		 * need the rules named */
		double s = S[i * m->nmentors + j];
		unsigned f = !isnan(s) ? 0 : u->R ? u->row[j]
				       : pl_compat_rules_failed(&m->P, &m->prm, m->mentee[i], m->mentor[j]);
		if (f)
			pl_json_count_rules(f, counts);
		if (m->forbidden && m->forbidden[i * m->nmentors + j]) {
			counts[PL_RULE_COUNT]++;
			f = 1;
		}
		if (!f && s >= m->min_score)
			eligible++;
	}
	nrules = pl_json_rule_members(counts, "forbidden", rules, &best);
	pl_jw_open_object(w, NULL);
	pl_jw_string(w, "mentee", m->P.items[m->mentee[i]].id);
	switch (res->reason[i]) {
	case PL_UNMATCHED_NO_FEASIBLE:
		reason = "no_feasible_mentor";
		if (counts[best] == 0) { /* no mentor at all */
			snprintf(msg, sizeof(msg), "the request has no mentors");
			break;
		}
		snprintf(msg, sizeof(msg),
			 "no mentor passes the hard rules; the rule that excluded the most mentors: %s (%zu of %zu)",
			 pl_json_rule_slot(best, "forbidden"), counts[best], m->nmentors);
		pl_jw_string(w, "rule", pl_json_rule_slot(best, "forbidden"));
		break;
	case PL_UNMATCHED_BELOW_MIN_SCORE:
		reason = "below_min_score";
		snprintf(msg, sizeof(msg), "every feasible mentor scores below min_score");
		break;
	case PL_UNMATCHED_COUPLES:
		reason = "couples";
		couples_message(m, res, i, msg, sizeof(msg));
		pl_jw_string(w, "rule", "couples");
		break;
	default:
		reason = "capacity_exhausted";
		snprintf(msg, sizeof(msg), "the eligible mentors (%zu) have no seat left for this mentee%s",
			 eligible, m->objective == PL_MENTORS_STABLE ? " (each prefers the mentees it holds)"
			 : res->reason[i] == PL_UNMATCHED_OUTRANKED ? ": matching it would leave a mentee with a higher priority unmatched" : "");
		break;
	}
	pl_jw_string(w, "reason", reason);
	pl_jw_string(w, "message", msg);
	pl_jw_members(w, "rules", rules, nrules);
	pl_jw_close_object(w);
}

static void write_matches(pl_jw *w, const pl_mentors_program *m, const double *S,
			  const pl_mentors_result *res)
{
	pl_jw_open_array(w, "matches");
	for (size_t i = 0; i < m->nmentees; i++) {
		long j = res->mentor_of[i];
		if (j < 0)
			continue;
		pl_jw_open_object(w, NULL);
		pl_jw_string_nocheck(w, "mentee", m->P.items[m->mentee[i]].id);
		pl_jw_string_nocheck(w, "mentor", m->P.items[m->mentor[j]].id);
		pl_jw_real(w, "score", pl_json_round(S[i * m->nmentors + (size_t)j], SCALE));
		pl_jw_bool(w, "pinned", m->pinned[i] >= 0);
		pl_jw_bool(w, "current", m->current[i] == j);
		pl_json_write_pair_reasons(w, "reasons", &m->P, &m->prm, m->mentee[i], m->mentor[j], SCALE);
		pl_jw_close_object(w);
	}
	pl_jw_close_array(w);
}

static void write_unmatched_list(pl_jw *w, const pl_mentors_program *m, const double *S,
				 const pl_mentors_result *res)
{
	unmatched_ctx u = { NULL, NULL };

	if (res->matched < m->nmentees) {
		u.R = pl_compat_rules_new(&m->P, &m->prm, m->mentor, m->nmentors);
		u.row = malloc((m->nmentors ? m->nmentors : 1) * sizeof(unsigned));
		if (!u.row) {
			pl_compat_rules_free(u.R);
			u.R = NULL;
		}
	}
	pl_jw_open_array(w, "unmatched");
	for (size_t i = 0; i < m->nmentees; i++)
		if (res->mentor_of[i] < 0)
			write_unmatched(w, m, S, res, i, &u);
	pl_jw_close_array(w);
	pl_compat_rules_free(u.R);
	free(u.row);
}

static void write_alternatives(pl_jw *w, const pl_mentors_program *m, const pl_mentors_alt *alts,
			       const size_t *nalts)
{
	pl_jw_open_array(w, "alternatives");
	for (size_t i = 0; m->top > 0 && i < m->nmentees; i++) {
		if (m->pinned[i] >= 0)
			continue;
		pl_jw_open_object(w, NULL);
		pl_jw_string_nocheck(w, "mentee", m->P.items[m->mentee[i]].id);
		pl_jw_open_array(w, "options");
		for (size_t k = 0; k < nalts[i]; k++)
		{
			const pl_mentors_alt *a = &alts[i * m->top + k];
			pl_json_write_alt_option(w, "mentor", m->P.items[m->mentor[a->mentor]].id, a->score,
						 a->total_change, a->matched_change);
		}
		pl_jw_close_array(w);
		pl_jw_close_object(w);
	}
	pl_jw_close_array(w);
}

static void write_summary(pl_jw *w, const pl_mentors_program *m, const pl_mentors_result *res)
{
	pl_jw_open_object(w, "summary");
	pl_jw_string(w, "objective", objective_name(m->objective));
	pl_jw_integer(w, "mentees", (json_int_t)m->nmentees);
	pl_jw_integer(w, "matched", (json_int_t)res->matched);
	pl_jw_integer(w, "unmatched", (json_int_t)(m->nmentees - res->matched));
	pl_jw_real(w, "total", pl_json_round(res->total, SCALE));
	pl_jw_real(w, "min_score", pl_json_round(res->min_score, SCALE));
	pl_jw_real(w, "mean_score", pl_json_round(res->mean_score, SCALE));
	pl_jw_real(w, "objective_value", pl_json_round(res->objective_value, SCALE));
	if (m->objective == PL_MENTORS_MAXIMIN)
		pl_jw_real(w, "threshold", pl_json_round(res->threshold, SCALE));
	pl_jw_integer(w, "blocking_pairs", (json_int_t)res->blocking_pairs);
	if (m->couple_splits > 0)
		pl_jw_integer(w, "couples_separated", (json_int_t)m->couple_splits);
	pl_jw_open_array(w, "mentor_load");
	for (size_t j = 0; j < m->nmentors; j++) {
		pl_jw_open_object(w, NULL);
		pl_jw_string_nocheck(w, "mentor", m->P.items[m->mentor[j]].id);
		pl_jw_integer(w, "load", res->load[j]);
		pl_jw_integer(w, "capacity", m->capacity[j]);
		pl_jw_close_object(w);
	}
	pl_jw_close_array(w);
	pl_jw_close_object(w);
}

char *pl_json_mentors_answer_head(const pl_mentors_program *m, const double *S,
				  const pl_mentors_result *res, size_t *len)
{
	pl_jw w;

	pl_jw_init(&w);
	pl_jw_open_object(&w, NULL);
	write_matches(&w, m, S, res);
	write_unmatched_list(&w, m, S, res);
	pl_jw_close_object(&w);
	return pl_jw_finish(&w, len);
}

char *pl_json_mentors_answer_tail(const pl_mentors_program *m, const pl_mentors_result *res,
				  const pl_mentors_alt *alts, const size_t *nalts,
				  const json_t *changes, size_t *len)
{
	pl_jw w;

	pl_jw_init(&w);
	pl_jw_open_object(&w, NULL);
	write_alternatives(&w, m, alts, nalts);
	write_summary(&w, m, res);
	pl_jw_value(&w, "changes", changes);
	pl_jw_close_object(&w);
	return pl_jw_finish(&w, len);
}

char *pl_json_mentors_answer_text(const pl_mentors_program *m, const double *S,
				  const pl_mentors_result *res, const pl_mentors_alt *alts,
				  const size_t *nalts, const json_t *changes, size_t *len)
{
	size_t nh = 0, nt = 0;
	char *head = pl_json_mentors_answer_head(m, S, res, &nh);
	char *tail = head ? pl_json_mentors_answer_tail(m, res, alts, nalts, changes, &nt) : NULL;
	char *text = tail ? pl_json_join_objects(head, nh, tail, nt, len) : NULL;

	free(head);
	free(tail);
	return text;
}

json_t *pl_json_mentors_answer(const pl_mentors_program *m, const double *S,
			       const pl_mentors_result *res, const pl_mentors_alt *alts,
			       const size_t *nalts)
{
	size_t len = 0;
	char *text = pl_json_mentors_answer_text(m, S, res, alts, nalts, NULL, &len);
	json_t *doc = text ? json_loadb(text, len, 0, NULL) : NULL;

	free(text);
	return doc;
}

json_t *pl_json_mentors_stats(const pl_mentors_program *m, const pl_mentors_result *res,
			      const pl_json_timings *t)
{
	json_t *stats = json_object();

	json_object_set_new(stats, "algorithm", json_string(algorithm_name(m->objective)));
	json_object_set_new(stats, "mentees", json_integer((json_int_t)m->nmentees));
	json_object_set_new(stats, "mentors", json_integer((json_int_t)m->nmentors));
	json_object_set_new(stats, "assignment_solves", json_integer((json_int_t)res->solves));
	pl_json_add_timings(stats, t);
	return stats;
}
