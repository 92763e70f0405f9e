/*
 * match_int.h: what the JSON layer's matching readers and writers share (engine/json only; the
 * public side is peerlink/json_match.h).
 */
#ifndef PEERLINK_JSON_MATCH_INT_H
#define PEERLINK_JSON_MATCH_INT_H

#include <peerlink/json_match.h>

#include "writer_int.h"

/* Scores in the `match` answers are rounded to 4 decimals. */
#define PL_JSON_MATCH_SCALE 1e4

/* "top" (0 to 50), "min_score" and "stickiness" (each in [0, 1]) of a mentors or buddies request;
 * what is absent keeps the value given. */
pl_status pl_json_read_pair_options(json_t *doc, size_t *top, double *min_score,
				    double *stickiness, pl_error *err);

/* doc[key] as [[client id, client id], ...] of two different clients, into client positions
 * (pos: population index -> client position). */
pl_status pl_json_read_client_pairs(json_t *doc, const char *key, const pl_profiles *P,
				    const long *pos, size_t **pairs, size_t *npairs, pl_error *err);

/* A field that has no meaning for the profiles of doc[key] in this command (priority on a
 * buddies or groups client): PL_ERR_INVALID at /key/k/field naming the command. */
pl_status pl_json_reject_profile_field(json_t *doc, const char *key, const char *field,
				       const char *command, pl_error *err);

/* Count the rules of `failed` (a PL_RULE_BIT set) into counts[0 .. PL_RULE_COUNT). */
void pl_json_count_rules(unsigned failed, size_t *counts);
/* The name of count slot r: a rule's name, or `last` for slot PL_RULE_COUNT. */
const char *pl_json_rule_slot(size_t r, const char *last);
/* {name: count} for the nonzero counts[0 .. PL_RULE_COUNT] (slot PL_RULE_COUNT named `last`),
 * as members out[0 .. returned) (out holds PL_RULE_COUNT + 1); *best (when not NULL) = the slot
 * with the largest count, the first on ties (0 when all are 0). */
size_t pl_json_rule_members(const size_t *counts, const char *last, pl_jm *out, size_t *best);
/* pl_json_rule_members as a jansson object. */
json_t *pl_json_rule_counts(const size_t *counts, const char *last, size_t *best);

/* One option of a client's alternatives: {role: id, "score", "total_change", "matched_change"}
 * (role "mentor" or "partner"); a NaN total_change (the change was not computed) writes null
 * for both changes. */
json_t *pl_json_alt_option(const char *role, const char *id, double score, double total_change,
			   long matched_change);
/* pl_json_alt_option written as an element of the options array (the same members). */
void pl_json_write_alt_option(pl_jw *w, const char *role, const char *id, double score,
			      double total_change, long matched_change);
/* One client's alternatives: {role: id, "options": options} (takes the options' reference). */
json_t *pl_json_alt_entry(const char *role, const char *id, json_t *options);
/* The answer of `match mentors` and `match buddies`: {list_key: list, "unmatched",
 * "alternatives", "summary"}, in that order (takes each reference). */
json_t *pl_json_match_answer(const char *list_key, json_t *list, json_t *unmatched,
			     json_t *alternatives, json_t *summary);

/* pl_json_pair_reasons(P, prm, a, b, scale) written as member `key` (NULL: an element). */
void pl_json_write_pair_reasons(pl_jw *w, const char *key, const pl_profiles *P,
				const pl_compat_params *prm, size_t a, size_t b, double scale);

#endif
