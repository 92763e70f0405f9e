/*
 * json/actions.c: the suggested-actions table (models/actions.json, docs/risk.md "Actions") read
 * into pl_action_table, and one client's actions as JSON. The table is data a program edits; a
 * rule names a measure group (or none), the tiers it applies to, the action, who does it and the
 * source of the advice. Errors point into the table file ("/actions/3/tiers/0").
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/json_risk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pl_status read_tiers(json_t *arr, const char *ptr, unsigned *tiers, pl_error *err)
{
	char p[PL_POINTER_MAX];

	*tiers = 0;
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return pl_error_set(err, PL_ERR_INVALID, ptr, "'tiers' must be a non-empty array");
	for (size_t k = 0; k < json_array_size(arr); k++) {
		const char *s = json_string_value(json_array_get(arr, k));
		int t;
		for (t = 0; t < PL_NTIERS && !(s && strcmp(s, pl_risk_tier_name(t)) == 0); t++)
			;
		if (t == PL_NTIERS)
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(p, sizeof(p), ptr, k),
					    "a tier is one of low, moderate, high, contact");
		*tiers |= 1u << t;
	}
	return PL_OK;
}

static pl_status read_rule(json_t *o, const char *ptr, pl_action_rule *r, pl_error *err)
{
	static const char *const keys[] = { "measure", "tiers", "action", "who", "source", NULL };
	char p[PL_POINTER_MAX];
	const char *measure = NULL, *action = NULL, *who = NULL, *source = NULL;
	pl_status st;

	if (!json_is_object(o))
		return pl_error_set(err, PL_ERR_INVALID, ptr, "each action must be an object");
	st = pl_json_check_keys(o, ptr, keys, err);
	if (st == PL_OK)
		st = pl_json_get_string(o, "measure", ptr, 0, &measure, err);
	if (st == PL_OK)
		st = pl_json_get_string(o, "action", ptr, 1, &action, err);
	if (st == PL_OK)
		st = pl_json_get_string(o, "who", ptr, 1, &who, err);
	if (st == PL_OK)
		st = pl_json_get_string(o, "source", ptr, 1, &source, err);
	if (st == PL_OK)
		st = read_tiers(json_object_get(o, "tiers"), pl_json_ptr(p, sizeof(p), ptr, "tiers"),
				&r->tiers, err);
	if (st != PL_OK)
		return st;
	if (measure && strlen(measure) >= sizeof(r->measure))
		return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof(p), ptr, "measure"),
				    "the measure name is too long");
	snprintf(r->measure, sizeof(r->measure), "%s", measure ? measure : "");
	r->action = strdup(action);
	r->who = strdup(who);
	r->source = strdup(source);
	if (!r->action || !r->who || !r->source)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	return PL_OK;
}

pl_status pl_action_table_from_json(json_t *doc, pl_action_table *t, pl_error *err)
{
	static const char *const keys[] = { "format", "version", "note", "sources", "actions",
					    NULL };
	json_t *arr = NULL;
	const char *format = NULL;
	pl_status st;

	memset(t, 0, sizeof(*t));
	if (!json_is_object(doc))
		return pl_error_set(err, PL_ERR_INVALID, "", "the actions table must be an object");
	st = pl_json_check_keys(doc, "", keys, err);
	if (st == PL_OK)
		st = pl_json_get_string(doc, "format", "", 1, &format, err);
	if (st == PL_OK && strcmp(format, "peerlink-actions") != 0)
		st = pl_error_set(err, PL_ERR_INVALID, "/format", "'format' must be \"peerlink-actions\"");
	if (st == PL_OK)
		st = pl_json_get_array(doc, "actions", "", 1, &arr, err);
	if (st != PL_OK)
		return st;
	t->rules = calloc(json_array_size(arr) ? json_array_size(arr) : 1, sizeof(*t->rules));
	if (!t->rules)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t k = 0; k < json_array_size(arr); k++) {
		char p[PL_POINTER_MAX];
		t->n = k + 1;
		st = read_rule(json_array_get(arr, k), pl_json_ptr_index(p, sizeof(p), "/actions", k),
			       &t->rules[k], err);
		if (st != PL_OK) {
			pl_action_table_release(t);
			return st;
		}
	}
	return PL_OK;
}

pl_status pl_action_table_read_file(const char *path, pl_action_table *t, pl_error *err)
{
	json_t *doc;
	pl_status st;

	memset(t, 0, sizeof(*t));
	st = pl_json_read_file(path, "actions file", &doc, err);
	if (st != PL_OK)
		return st;
	st = pl_action_table_from_json(doc, t, err);
	if (st != PL_OK)
		pl_error_prefix(err, "actions file"); /* say which document the pointer is about */
	json_decref(doc);
	return st;
}

json_t *pl_actions_to_json(const pl_action_table *t, const pl_risk_result *r)
{
	size_t idx[PL_MAX_ACTIONS], n = pl_actions_select(t, r, idx, PL_MAX_ACTIONS);
	json_t *arr = json_array();

	for (size_t k = 0; k < n; k++) {
		const pl_action_rule *a = &t->rules[idx[k]];
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s}", "for",
						     a->measure[0] ? a->measure
								   : pl_risk_tier_name(r->tier),
						     "action", a->action, "who", a->who, "source",
						     a->source));
	}
	return arr;
}
