/*
 * peerlink/json_exposure.h: the JSON layer of gradual exposure in `peerlink match groups`
 * (docs/groups.md, "Gradual exposure"): read each client's "exposure" plan, apply the step in
 * force on the request's date to the groups program (a smaller group-size limit, or one-on-one:
 * no group), and report it in the answer.
 */
#ifndef PEERLINK_JSON_EXPOSURE_H
#define PEERLINK_JSON_EXPOSURE_H

#include <stddef.h>
#include <stdint.h>
#include <peerlink/json.h>
#include <peerlink/exposure.h>
#include <peerlink/program.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pl_json_exposure_client {
	size_t client;            /* position in the request's clients */
	pl_exposure_step step;    /* in force */
	int has_next;
	pl_exposure_step next;    /* the following step, when has_next */
} pl_json_exposure_client;

typedef struct pl_json_exposure {
	int32_t as_of;
	size_t n;
	pl_json_exposure_client *c; /* clients with a plan, in request order */
	/* Current rosters ("current": {group id: [client ids]}) and "rematch". */
	int has_current, rematch_all;
	long *current;              /* clients: current group, or -1 */
	size_t *current_size;       /* groups: members in the current roster */
	int *rule;                  /* clients: pl_roster_rule */
} pl_json_exposure;

void pl_json_exposure_init(pl_json_exposure *x);
void pl_json_exposure_release(pl_json_exposure *x);

/* Read every client's "exposure" (pointers /clients/k/exposure/j/...) and apply the step in force
 * on as_of to m: client_max becomes at most the step's max_group_size, and a one-on-one step
 * makes the client eligible for no group. as_of is INT32_MIN when the command line gave none:
 * the request's "as_of" is read then, and required when any client has a plan.
 * Then "current" rosters and "rematch" ("exposure", the default, or "all"): each client's rule
 * (pl_roster_rule_for) narrows their eligibility (pl_roster_may_join). */
pl_status pl_json_read_exposure(json_t *doc, int32_t as_of, pl_groups_program *m,
				pl_json_exposure *x, pl_error *err);

/* Into the groups answer: "exposure" [{client, as_of, from, max_group_size, next}], and the
 * one-on-one clients moved from "unplaced" to "one_on_one" (summary.unplaced and
 * summary.one_on_one follow); with current rosters, "rosters": {"rematch", "stays": [ids],
 * "moves": [{"client", "from", "to", "why"}]}. */
pl_status pl_json_write_exposure(json_t *answer, const pl_json_exposure *x,
				 const pl_groups_program *m, const pl_groups_result *res,
				 pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
