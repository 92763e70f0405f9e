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

/* The highest priority among the matched mentees (-inf when none): a mentee below it was
 * outranked (a tier above it chose first). One pass, not one per unmatched mentee. */
static double top_matched_priority(const pl_mentors_program *m, const pl_mentors_result *res)
{
	double top = -INFINITY;
	for (size_t k = 0; k < m->nmentees; k++)
		if (res->mentor_of[k] >= 0 && m->P.items[m->mentee[k]].priority > top)
			top = m->P.items[m->mentee[k]].priority;
	return top;
}

/* What every unmatched entry reads: the highest matched priority, and the mentors' rules packed
 * once (R NULL when out of memory: pair by pair). row: scratch, nmentors. */
typedef struct unmatched_ctx {
	double top_priority;
	pl_compat_rules *R;
	unsigned *row;
} unmatched_ctx;

static json_t *unmatched_entry(const pl_mentors_program *m, const double *S,
			       const pl_mentors_result *res, size_t i, const unmatched_ctx *u)
{
	json_t *e = json_object(), *rules;
	size_t counts[PL_RULE_COUNT + 1] = { 0 }, best = 0, eligible = 0;
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
	rules = pl_json_rule_counts(counts, "forbidden", &best);
	json_object_set_new(e, "mentee", json_string(m->P.items[m->mentee[i]].id));
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
		json_object_set_new(e, "rule", json_string(pl_json_rule_slot(best, "forbidden")));
		break;
	case PL_UNMATCHED_BELOW_MIN_SCORE:
		reason = "below_min_score";
		snprintf(msg, sizeof(msg), "every feasible mentor scores below min_score");
		break;
	default:
		reason = "capacity_exhausted";
		snprintf(msg, sizeof(msg), "the eligible mentors (%zu) have no seat left for this mentee%s",
			 eligible, m->objective == PL_MENTORS_STABLE ? " (each prefers the mentees it holds)"
			 : u->top_priority > m->P.items[m->mentee[i]].priority ? " (seats went to mentees with a higher priority first)" : "");
		break;
	}
	json_object_set_new(e, "reason", json_string(reason));
	json_object_set_new(e, "message", json_string(msg));
	json_object_set_new(e, "rules", rules);
	return e;
}

json_t *pl_json_mentors_answer(const pl_mentors_program *m, const double *S,
			       const pl_mentors_result *res, const pl_mentors_alt *alts,
			       const size_t *nalts)
{
	json_t *matches = json_array(), *unmatched = json_array(), *alternatives = json_array(),
	       *summary = json_object(), *load = json_array();
	unmatched_ctx u = { top_matched_priority(m, res), NULL, NULL };

	if (res->matched < m->nmentees) {
		u.R = pl_compat_rules_new(&m->P, &m->prm, m->mentor, m->nmentors);
		u.row = malloc((m->nmentors ? m->nmentors : 1) * sizeof(unsigned));
		if (!u.row) {
			pl_compat_rules_free(u.R);
			u.R = NULL;
		}
	}
	for (size_t i = 0; i < m->nmentees; i++) {
		long j = res->mentor_of[i];
		json_t *e;
		if (j < 0) {
			json_array_append_new(unmatched, unmatched_entry(m, S, res, i, &u));
			continue;
		}
		e = json_object();
		json_object_set_new_nocheck(e, "mentee", json_string_nocheck(m->P.items[m->mentee[i]].id));
		json_object_set_new_nocheck(e, "mentor", json_string_nocheck(m->P.items[m->mentor[j]].id));
		json_object_set_new_nocheck(e, "score", json_real(pl_json_round(S[i * m->nmentors + (size_t)j], SCALE)));
		json_object_set_new_nocheck(e, "pinned", json_boolean(m->pinned[i] >= 0));
		json_object_set_new_nocheck(e, "current", json_boolean(m->current[i] == j));
		json_object_set_new_nocheck(e, "reasons", pl_json_pair_reasons(&m->P, &m->prm, m->mentee[i], m->mentor[j], SCALE));
		json_array_append_new(matches, e);
	}
	if (m->top > 0)
		for (size_t i = 0; i < m->nmentees; i++) {
			json_t *opts;
			if (m->pinned[i] >= 0)
				continue;
			opts = json_array();
			for (size_t k = 0; k < nalts[i]; k++) {
				const pl_mentors_alt *a = &alts[i * m->top + k];
				const char *id = m->P.items[m->mentor[a->mentor]].id;
				json_array_append_new(opts, pl_json_alt_option("mentor", id, a->score,
									       a->total_change,
									       a->matched_change));
			}
			json_array_append_new(alternatives,
					      pl_json_alt_entry("mentee", m->P.items[m->mentee[i]].id, opts));
		}
	for (size_t j = 0; j < m->nmentors; j++) {
		json_t *e = json_object();
		json_object_set_new_nocheck(e, "mentor", json_string_nocheck(m->P.items[m->mentor[j]].id));
		json_object_set_new_nocheck(e, "load", json_integer(res->load[j]));
		json_object_set_new_nocheck(e, "capacity", json_integer(m->capacity[j]));
		json_array_append_new(load, e);
	}
	json_object_set_new(summary, "objective", json_string(objective_name(m->objective)));
	json_object_set_new(summary, "mentees", json_integer((json_int_t)m->nmentees));
	json_object_set_new(summary, "matched", json_integer((json_int_t)res->matched));
	json_object_set_new(summary, "unmatched", json_integer((json_int_t)(m->nmentees - res->matched)));
	json_object_set_new(summary, "total", json_real(pl_json_round(res->total, SCALE)));
	json_object_set_new(summary, "min_score", json_real(pl_json_round(res->min_score, SCALE)));
	json_object_set_new(summary, "mean_score", json_real(pl_json_round(res->mean_score, SCALE)));
	json_object_set_new(summary, "objective_value", json_real(pl_json_round(res->objective_value, SCALE)));
	if (m->objective == PL_MENTORS_MAXIMIN)
		json_object_set_new(summary, "threshold", json_real(pl_json_round(res->threshold, SCALE)));
	json_object_set_new(summary, "blocking_pairs", json_integer((json_int_t)res->blocking_pairs));
	if (m->couple_splits > 0)
		json_object_set_new(summary, "couples_separated", json_integer((json_int_t)m->couple_splits));
	json_object_set_new(summary, "mentor_load", load);
	pl_compat_rules_free(u.R);
	free(u.row);
	return pl_json_match_answer("matches", matches, unmatched, alternatives, summary);
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
