/*
 * peerlink/json_risk.h: the JSON layer of the risk modules: check-in documents (the measures
 * catalogue and one client in the row or columnar form, docs/risk.md "Input") into the plain
 * structs of peerlink/checkins.h, and the model file (docs/risk.md "Model file") to and from
 * pl_risk_model (peerlink/risk.h).
 *
 * Errors name the offending field by JSON Pointer below the `ptr` the caller passes (e.g.
 * "/clients/3/checkins/17/craving") and never quote a value. Ownership: json_t arguments are
 * borrowed (the caller may decref them as soon as the call returns); json_t results are new
 * references.
 */
#ifndef PEERLINK_JSON_RISK_H
#define PEERLINK_JSON_RISK_H

#include <stddef.h>
#include <peerlink/json.h>
#include <peerlink/checkins.h>
#include <peerlink/risk.h>
#include <peerlink/evaluate.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Standard measures plus a JSON catalogue {name: {"min", "max", "worse": "higher"|"lower",
 * "type": "number"|"boolean" (optional, default number)}}; `measures` may be NULL. */
pl_status pl_catalogue_from_json(pl_catalogue *cat, json_t *measures, const char *ptr,
				 pl_error *err);
json_t *pl_catalogue_custom_to_json(const pl_catalogue *cat); /* new reference; custom ones only */

/* Parse one client object in either form; `ptr` is its pointer (e.g. "/clients/3").
 * On failure *out is released and left zeroed. */
pl_status pl_client_from_json(json_t *obj, const pl_catalogue *cat, const char *ptr,
			      pl_client *out, pl_error *err);

/* The fast path: build the client straight from its JSON text (one object), without a jansson
 * tree, in either form. It accepts only a valid client in plain form (ASCII strings without
 * escapes, known measures, values in range, dates in order, no repeated members) and then gives
 * exactly what pl_client_from_json gives for the same text. Returns 1 when it built *out, 0 when
 * the caller must use pl_client_from_json instead (anything unusual and every invalid input, so
 * that errors and their pointers come from one place), -1 when out of memory. Numbers are read
 * in the C locale whatever the process locale is. */
int pl_client_from_text(const char *text, size_t len, const pl_catalogue *cat, pl_client *out);

/* The day pl_client_last_day would give for the client in `text` (its grid's last day, or its
 * latest event when later), read without building the client: a cheap scan of the columnar form
 * that counts each measure's values and reads the event dates. 1 with *last set (INT32_MIN for
 * no days and no events), or 0 for the row form or anything unusual, where the caller reads the
 * client in full. Agrees with the full read on every valid client. */
int pl_client_text_last_day(const char *text, size_t len, int32_t *last);

/* ---- the model file (docs/risk.md, "Model file") ---- */
/* Validate and load a model document; errors point into the model file ("/features/3/sd").
 * What the file says about its training ("training", "metrics", "thresholds/rule") is accepted
 * and not kept: scoring does not need it (m->report.present == 0). */
pl_status pl_risk_model_from_json(json_t *doc, pl_risk_model *m, pl_error *err);
pl_status pl_risk_model_read_file(const char *path, pl_risk_model *m, pl_error *err);
/* The model file of m, with its training report when m->report.present (new reference). */
json_t *pl_risk_model_to_json(const pl_risk_model *m);

/* The answer's "notes" about the data's measures: one sentence per custom measure of m's
 * (widened, pl_risk_model_widen_catalogue) catalogue that no feature reads (new reference), or
 * NULL when there is nothing to say. */
json_t *pl_risk_model_notes_json(const pl_risk_model *m);

/* ---- scoring ---- */
/* The answer for one client scored by m (docs/risk.md, "peerlink risk score"): at most `top`
 * contributions (0: all). NULL with err set when out of memory. */
json_t *pl_risk_result_to_json(const pl_risk_model *m, const pl_client *c, const pl_risk_result *r,
			       int top, pl_error *err);

/* ---- suggested actions (docs/risk.md, "Actions") ---- */
/* Validate and load an actions table {"format": "peerlink-actions", "actions": [{"measure"
 * (optional), "tiers": [...], "action", "who", "source"}]}; errors point into the file. */
pl_status pl_action_table_from_json(json_t *doc, pl_action_table *t, pl_error *err);
pl_status pl_action_table_read_file(const char *path, pl_action_table *t, pl_error *err);
/* The actions for one scored client (pl_actions_select): [{"for", "action", "who", "source"}]
 * (new reference). */
json_t *pl_actions_to_json(const pl_action_table *t, const pl_risk_result *r);

/* ---- evaluation (peerlink/evaluate.h) ---- */
/* Read one labelled client (check-ins in either form, optional "attributes" with string, number
 * or boolean values, optional "truth": {"hazard": [probability or null per grid day]}) into the
 * set, with the set's catalogue; ptr is the client's pointer. */
pl_status pl_eval_client_from_json(pl_eval_set *s, json_t *obj, const char *ptr, pl_error *err);
/* The answer of an evaluation without its "stats" (new reference). */
json_t *pl_eval_result_to_json(const pl_eval_result *r, const pl_eval_options *o);

#ifdef __cplusplus
}
#endif
#endif
