/*
 * peerlink/json_facilitators.h: the JSON layer of group staffing in `peerlink match groups`
 * (docs/groups.md, "Facilitators"): read "facilitators" and each group's "needs" into the core's
 * plain arrays (peerlink/facilitators.h), and write the staffing into the groups answer.
 *
 * Names (roles, skills, languages, slots) become small integer codes; the reader copies them so
 * the document may be freed as soon as it returns. Release with pl_json_staffing_release (also
 * after a failed read).
 */
#ifndef PEERLINK_JSON_FACILITATORS_H
#define PEERLINK_JSON_FACILITATORS_H

#include <stddef.h>
#include <peerlink/json.h>
#include <peerlink/facilitators.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pl_json_staffing {
	int present;                /* the request gave "facilitators" */
	size_t nfac, ngroups;
	pl_fac_facilitator *fac;    /* nfac */
	char **fac_id;              /* nfac */
	pl_fac_group *groups;       /* ngroups (the request's groups, in order) */
	int *codes;                 /* every code array points in here */
	char **names;               /* code -> name, for skills, languages and slots */
	size_t nnames;
} pl_json_staffing;

void pl_json_staffing_init(pl_json_staffing *s);
void pl_json_staffing_release(pl_json_staffing *s);

/* doc["facilitators"] and doc["groups"][g]["needs"] (pointers /facilitators/k/..., /groups/g/
 * needs/...). Without "facilitators" s->present stays 0 and needs are refused (nobody could meet
 * them); with it, the request must name its groups ("groups", not "group_size"). */
pl_status pl_json_read_staffing(json_t *doc, pl_json_staffing *s, pl_error *err);

/* Write res into answer (the groups answer): per group "facilitator" (the assigned id, or null),
 * "facilitator_role", "skills_covered", "skills_missing" and, when unstaffed, "staffing" (why);
 * top-level "unstaffed" [{"group", "why"}]. PL_ERR_NOMEM when out of memory. */
pl_status pl_json_write_staffing(json_t *answer, const pl_json_staffing *s,
				 const pl_fac_result *res, pl_error *err);

/* The staffing step of `match groups`: when the request had "facilitators", staff the groups
 * res formed (pl_fac_staff_formed) and write it into answer (pl_json_write_staffing); without
 * them, nothing. s->ngroups must equal res->ngroups. */
pl_status pl_json_staff_groups(json_t *answer, pl_json_staffing *s, const pl_groups_result *res,
			       pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
