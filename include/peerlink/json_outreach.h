/*
 * peerlink/json_outreach.h: the JSON layer of `peerlink outreach` (docs/outreach.md): read the
 * request (today's risk answer, relationships, supporters, budgets) into the core's plain problem
 * (peerlink/outreach.h) and write the plan back as a document.
 *
 * The reader copies every id and text it keeps (the document may be freed as soon as it returns)
 * and names every bad field by JSON Pointer, never by value. pl_json_outreach owns its arrays;
 * release it with pl_json_outreach_release (also after a failed read).
 */
#ifndef PEERLINK_JSON_OUTREACH_H
#define PEERLINK_JSON_OUTREACH_H

#include <stddef.h>
#include <peerlink/json.h>
#include <peerlink/outreach.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pl_json_outreach {
	pl_outreach_problem prob;     /* points into the arrays below */
	pl_outreach_client *clients;  /* one per client of the risk answer, in its order */
	char **client_ids;
	double *client_risk;          /* NaN: not scored */
	char **client_reason;         /* the risk explanation in words */
	char **client_use_text;       /* the reported_use signal's text, or NULL */
	char **client_peer_action;    /* the answer's first action for a buddy or mentor, or NULL */
	char **client_care_action;    /* its first action for a clinician or prescriber, or NULL */
	pl_outreach_supporter *supporters; /* sorted by id */
	char **supporter_ids;
	pl_outreach_link *links;
	size_t nlinks_cap;
} pl_json_outreach;

void pl_json_outreach_init(pl_json_outreach *o);
void pl_json_outreach_release(pl_json_outreach *o);

/* The request `doc` into o (the "risk" member must already be an object: the CLI loads a file
 * named there). */
pl_status pl_json_read_outreach(json_t *doc, pl_json_outreach *o, pl_error *err);

/* {"asks", "needs_clinician", "over_budget", "excluded_supporters", "unreached"}: a new
 * reference, NULL when out of memory. The caller adds "stats". */
json_t *pl_json_write_outreach(const pl_json_outreach *o, const pl_outreach_result *res);

/* "rematch" (bool, default false) and "program" (a `match mentors` request, required with
 * rematch; *program is a new reference or NULL) of the request. */
pl_status pl_json_outreach_read_rematch(json_t *doc, int *rematch, json_t **program,
					pl_error *err);
/* The "rematch" list of the answer (docs/outreach.md, "Rematch"): for each high-risk client
 * whom nobody could reach today, the mentor the mentors matcher suggests with that client
 * matched first, among mentors with more time in recovery. Errors in the program point under
 * /program. *out is a new reference. */
pl_status pl_json_outreach_rematch(json_t *program, const pl_json_outreach *o,
				   const pl_outreach_result *res, json_t **out, pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
