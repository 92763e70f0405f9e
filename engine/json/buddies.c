/*
 * buddies.c: the JSON layer of `match buddies`: the request into a pl_buddies_program and the
 * answer back (docs/buddies.md describes every field).
 *
 * Input  {"clients": [profiles], "weights", "constraints", "pinned" | "forbidden" | "current":
 *         [[client id, client id]], "min_score", "odd": "triad" | "unmatched", "stickiness",
 *         "top"}
 * Output {"pairs", "unmatched", "alternatives", "summary"}; scores rounded to 4 decimals, like
 * `match mentors`.
 */
#define _POSIX_C_SOURCE 200809L
#include "match_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCALE PL_JSON_MATCH_SCALE

static const char *cid(const pl_buddies_program *m, size_t i)
{
	return m->P.items[m->client[i]].id;
}

static pl_status read_options(pl_buddies_program *m, json_t *doc, pl_error *err)
{
	const char *odd = "triad";
	pl_status st = pl_json_get_string(doc, "odd", "", 0, &odd, err);

	if (st != PL_OK)
		return st;
	if (strcmp(odd, "triad") != 0 && strcmp(odd, "unmatched") != 0)
		return pl_error_set(err, PL_ERR_INVALID, "/odd", "odd must be \"triad\" or \"unmatched\"");
	m->triad = strcmp(odd, "triad") == 0;
	return pl_json_read_pair_options(doc, &m->top, &m->min_score, &m->stickiness, err);
}

/* "forbidden", "pinned" and "current": [[client id, client id], ...], then the pins' checks. */
static pl_status read_pair_lists(pl_buddies_program *m, json_t *doc, pl_error *err)
{
	long *pos = pl_program_positions(&m->P, m->client, m->n);
	size_t at = 0;
	int list = 0;
	pl_status st;

	if (!pos)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	st = pl_json_read_client_pairs(doc, "forbidden", &m->P, pos, &m->forbidden, &m->nforbidden,
				       err);
	if (st == PL_OK)
		st = pl_json_read_client_pairs(doc, "pinned", &m->P, pos, &m->pinned, &m->npinned, err);
	if (st == PL_OK)
		st = pl_json_read_client_pairs(doc, "current", &m->P, pos, &m->current, &m->ncurrent,
					       err);
	free(pos);
	if (st == PL_OK && (st = pl_buddies_program_check(m, &list, &at, err)) == PL_ERR_INVALID)
		pl_json_point_at(err, list ? "/current" : "/pinned", at);
	return st;
}

pl_status pl_json_read_buddies_program(json_t *doc, pl_buddies_program *m, pl_error *err)
{
	static const char *const keys[] = { "clients", "weights", "constraints", "pinned",
					    "forbidden", "min_score", "odd", "current",
					    "stickiness", "top", "vocabulary", NULL };
	pl_json_profile_list clients = { "clients", 1, 0, &m->client, &m->n };
	pl_status st;

	pl_buddies_program_init(m);
	st = pl_json_check_program_keys(doc, keys, err);
	if (st == PL_OK)
		st = read_options(m, doc, err);
	if (st == PL_OK)
		st = pl_json_read_population(doc, &m->prm, &m->P, &clients, 1, err);
	if (st == PL_OK) /* who is served first is decided by mentor seats only */
		st = pl_json_reject_profile_field(doc, "clients", "priority", "match buddies", err);
	if (st == PL_OK)
		st = read_pair_lists(m, doc, err);
	return st;
}

static json_t *pair_entry(const pl_buddies_program *m, const double *S,
			  const pl_buddies_result *res, size_t a, size_t b)
{
	json_t *e = json_object(), *ids = json_array();
	json_array_append_new(ids, json_string(cid(m, a)));
	json_array_append_new(ids, json_string(cid(m, b)));
	json_object_set_new(e, "clients", ids);
	json_object_set_new(e, "score", json_real(pl_json_round(S[a * m->n + b], SCALE)));
	json_object_set_new(e, "pinned", json_boolean(res->pinned[a]));
	json_object_set_new(e, "current", json_boolean(pl_buddies_program_is_current(m, a, b)));
	json_object_set_new(e, "reasons", pl_json_pair_reasons_self(&m->P, &m->prm, m->client[a], m->client[b], SCALE));
	return e;
}

static json_t *unmatched_entry(const pl_buddies_program *m, const pl_buddies_result *res,
			       size_t i)
{
	json_t *e = json_object(), *rules;
	size_t counts[PL_RULE_COUNT + 1] = { 0 }, best = 0;
	char msg[256];

	for (size_t j = 0; j < m->n; j++) {
		if (j == i)
			continue;
		pl_json_count_rules(pl_compat_rules_failed(&m->P, &m->prm, m->client[i], m->client[j]),
				    counts);
		if (pl_buddies_program_is_forbidden(m, i, j))
			counts[PL_RULE_COUNT]++;
	}
	rules = pl_json_rule_counts(counts, "forbidden", &best);
	switch (res->reason[i]) {
	case PL_BUDDIES_NO_FEASIBLE:
		if (counts[best] == 0) { /* nobody else in the request */
			snprintf(msg, sizeof(msg), "there is no other client to pair with");
			break;
		}
		snprintf(msg, sizeof(msg),
			 "no other client passes the hard rules; the rule that excluded the most: %s "
			 "(%zu of %zu)",
			 pl_json_rule_slot(best, "forbidden"), counts[best], m->n - 1);
		break;
	case PL_BUDDIES_BELOW_MIN:
		snprintf(msg, sizeof(msg), "every feasible partner scores below min_score");
		break;
	case PL_BUDDIES_ODD:
		snprintf(msg, sizeof(msg), "odd number of clients to pair and odd = \"unmatched\": this "
			 "client is the one whose absence costs the total least");
		break;
	case PL_BUDDIES_NO_TRIAD:
		snprintf(msg, sizeof(msg), "odd number of clients to pair, and no pair can take this "
			 "client as a third member (hard rules or min_score)");
		break;
	default:
		snprintf(msg, sizeof(msg), "the clients this one may be paired with are all paired with "
			 "others (the most pairs leave none free)");
		break;
	}
	json_object_set_new(e, "client", json_string(cid(m, i)));
	json_object_set_new(e, "reason", json_string(pl_buddies_reason_name(res->reason[i])));
	json_object_set_new(e, "message", json_string(msg));
	json_object_set_new(e, "rules", rules);
	return e;
}

json_t *pl_json_buddies_answer(const pl_buddies_program *m, const double *S,
			       const pl_buddies_result *res)
{
	json_t *pairs = json_array(), *unmatched = json_array(), *alternatives = json_array(),
	       *summary = json_object();
	double smin = INFINITY, ssum = 0.0;
	size_t scount = 0;
	long t0 = res->triad[0], t1 = res->triad[1], t2 = res->triad[2];

	for (size_t a = 0; a < m->n; a++) {
		long b = res->partner[a];
		json_t *e;
		if (b < (long)a)
			continue;
		e = pair_entry(m, S, res, a, (size_t)b);
		if ((long)a == t0 || (long)a == t1) {
			json_t *tri = json_object(), *with = json_array();
			char msg[320];
			json_object_set_new(tri, "joined", json_string(cid(m, (size_t)t2)));
			json_array_append_new(with, pair_entry(m, S, res, (size_t)t2, (size_t)t0));
			json_array_append_new(with, pair_entry(m, S, res, (size_t)t2, (size_t)t1));
			json_object_set_new(tri, "with", with);
			json_object_set_new(tri, "exact", json_boolean(res->triad_exact));
			snprintf(msg, sizeof(msg),
				 "odd number of clients: '%s' joins the pair ('%s', '%s'), the triad that "
				 "gives the largest total", cid(m, (size_t)t2), cid(m, (size_t)t0),
				 cid(m, (size_t)t1));
			json_object_set_new(tri, "message", json_string(msg));
			json_object_set_new(e, "triad", tri);
			for (int k = 0; k < 2; k++) {
				double s = S[(size_t)t2 * m->n + (size_t)(k ? t1 : t0)];
				smin = s < smin ? s : smin;
				ssum += s;
				scount++;
			}
		}
		smin = S[a * m->n + (size_t)b] < smin ? S[a * m->n + (size_t)b] : smin;
		ssum += S[a * m->n + (size_t)b];
		scount++;
		json_array_append_new(pairs, e);
	}
	for (size_t i = 0; i < m->n; i++)
		if (res->partner[i] < 0 && (long)i != t2)
			json_array_append_new(unmatched, unmatched_entry(m, res, i));
	for (size_t i = 0; m->top > 0 && i < m->n; i++) {
		json_t *opts;
		if (res->pinned[i])
			continue;
		opts = json_array();
		for (size_t k = 0; k < res->nalt[i]; k++) {
			const pl_buddies_alt *a = &res->alt[i * res->top + k];
			json_array_append_new(opts, pl_json_alt_option("partner", cid(m, a->partner), a->score,
								       a->total_change, a->matched_change));
		}
		json_array_append_new(alternatives, pl_json_alt_entry("client", cid(m, i), opts));
	}
	json_object_set_new(summary, "clients", json_integer((json_int_t)m->n));
	json_object_set_new(summary, "pairs", json_integer((json_int_t)res->pairs));
	json_object_set_new(summary, "matched", json_integer((json_int_t)res->matched));
	json_object_set_new(summary, "unmatched", json_integer((json_int_t)(m->n - res->matched)));
	json_object_set_new(summary, "odd", json_string(m->triad ? "triad" : "unmatched"));
	json_object_set_new(summary, "triad", json_boolean(t2 >= 0));
	json_object_set_new(summary, "total", json_real(pl_json_round(res->total, SCALE)));
	json_object_set_new(summary, "objective_value", json_real(pl_json_round(res->objective, SCALE)));
	json_object_set_new(summary, "min_score", scount ? json_real(pl_json_round(smin, SCALE)) : json_null());
	json_object_set_new(summary, "mean_score",
			    scount ? json_real(pl_json_round(ssum / (double)scount, SCALE)) : json_null());
	return pl_json_match_answer("pairs", pairs, unmatched, alternatives, summary);
}


json_t *pl_json_buddies_stats(const pl_buddies_program *m, const pl_buddies_problem *pb,
			      const pl_buddies_result *res, const pl_json_timings *t)
{
	json_t *stats = json_object();
	char algo[400];

	(void)m;
	/* what ran for this answer, not what could have (the exchange heuristic only with
	 * triad_heuristic: library callers and tests; the CLI never sets it) */
	snprintf(algo, sizeof(algo), "maximum-cardinality maximum-weight matching (Edmonds' blossom, "
		 "Galil 1986)%s%s%s",
		 res->triad[2] < 0 ? ""
		 : res->triad_exact ? "; triad by branch and bound on the matching duals (proven optimal)"
				    : "; triad by the exchange heuristic (not proven optimal)",
		 pb->top == 0 ? ""
		 : pb->no_alternative_change ? "; alternatives ranked by score, without total_change"
		 : res->alternative_searches == 0
			 ? "; alternatives' total_change by warm re-solves with the pair pinned"
		 : res->alternative_resolves == 0
			 ? "; alternatives' total_change by one alternating-path search per client "
			   "from the matching's duals"
			 : "; alternatives' total_change by one alternating-path search per client "
			   "from the matching's duals (a warm re-solve with the pair pinned where the "
			   "rest cannot all be paired)",
		 res->alternative_triads > 0
			 ? " (their rest odd: each places the odd one by the triad's branch and bound)"
			 : "");
	json_object_set_new(stats, "algorithm", json_string(algo));
	json_object_set_new(stats, "solves", json_integer((json_int_t)res->solves));
	json_object_set_new(stats, "exact_weights", json_boolean(res->exact_weights));
	json_object_set_new(stats, "alternatives_total_change",
			    json_boolean(!pb->no_alternative_change));
	json_object_set_new(stats, "improved_by_alternatives",
			    json_integer((json_int_t)res->improved_by_alternatives));
	pl_json_add_timings(stats, t);
	return stats;
}
