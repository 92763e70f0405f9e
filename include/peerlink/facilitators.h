/*
 * peerlink/facilitators.h: facilitators for support groups, the part of `peerlink match groups`
 * that staffs the groups (docs/groups.md, "Facilitators").
 *
 * Problem. Groups with needs (a role, required skills, a language, a time slot) and facilitators
 * (a role, skills, languages, available slots, a weekly group limit). Facilitator f may lead group
 * g when the role matches (a group needing no role takes either), f speaks the group's language
 * (when it names one) and f is available in the group's slot (when it names one). Among the
 * assignments where no facilitator leads more than `limit` groups or two groups in one slot, the
 * solver finds one that (1) staffs as many groups as possible, (2) then covers as many required
 * skills as possible in total, (3) then honours as many preferences (a group's preferred
 * facilitator) as possible: exactly, as a min-cost maximum flow
 *   source -> group (1) -> (facilitator, slot) (1; a group without slot: unbounded)
 *          -> facilitator (limit) -> sink,
 * with cost -(coverage * (ngroups + 1) + preferred) on the group edges, by successive shortest
 * paths (Bellman-Ford on the residual graph; Ahuja, Magnanti & Orlin 1993, ch. 9): the flow of each
 * value it passes through is of least cost, so its final flow is a maximum flow of least cost,
 * and integral. Staffing comes first because every augmenting path adds one group.
 *
 * Ownership. Arrays are borrowed; the result's arrays are owned by pl_fac_result.
 */
#ifndef PEERLINK_FACILITATORS_H
#define PEERLINK_FACILITATORS_H

#include <stddef.h>
#include <peerlink/error.h>
#include <peerlink/groups.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PL_FAC_ANY (-1) /* a group that names no role, language or slot */

typedef struct pl_fac_facilitator {
	int role;                   /* a role code (the caller's numbering, >= 0) */
	const int *skills;          /* skill codes */
	size_t nskills;
	const int *languages;       /* language codes */
	size_t nlanguages;
	const int *slots;           /* slot codes available */
	size_t nslots;
	long limit;                 /* groups per week, >= 0 */
} pl_fac_facilitator;

typedef struct pl_fac_group {
	int role;                   /* PL_FAC_ANY or a role code */
	const int *skills;          /* required skill codes */
	size_t nskills;
	int language;               /* PL_FAC_ANY or a language code */
	int slot;                   /* PL_FAC_ANY or a slot code */
	long preferred;             /* a facilitator index, or -1 */
	int active;                 /* 0: the group is not formed and needs no one */
} pl_fac_group;

/* Why a group has no facilitator. */
typedef enum pl_fac_reason {
	PL_FAC_STAFFED = 0,
	PL_FAC_INACTIVE,      /* not formed */
	PL_FAC_NO_ROLE,       /* no facilitator has the role */
	PL_FAC_NO_LANGUAGE,   /* none with the role speaks the language */
	PL_FAC_NO_SLOT,       /* none with role and language is available in the slot */
	PL_FAC_TAKEN          /* the ones who could are at their limit or busy in that slot */
} pl_fac_reason;

typedef struct pl_fac_result {
	size_t ngroups;
	long *facilitator;      /* ngroups: index, or -1 */
	size_t *covered;        /* ngroups: required skills the facilitator has */
	pl_fac_reason *reason;  /* ngroups */
	size_t staffed, skills_covered, preferred;
} pl_fac_result;

#define PL_FAC_RESULT_INIT { 0, NULL, NULL, NULL, 0, 0, 0 }

void pl_fac_result_release(pl_fac_result *res);

/* Whether f may lead g (role, language, slot) and, when it may, how many required skills f has. */
int pl_fac_eligible(const pl_fac_facilitator *f, const pl_fac_group *g, size_t *covered);

/* Assign. PL_ERR_INVALID for a negative limit or a preferred index out of range. */
pl_status pl_fac_assign(const pl_fac_facilitator *fac, size_t nfac, const pl_fac_group *groups,
			size_t ngroups, pl_fac_result *res, pl_error *err);

/* Staff the groups `match groups` formed: groups[g].active becomes "group g formed"
 * (formed->group_status), then pl_fac_assign. groups has formed->ngroups entries. */
pl_status pl_fac_staff_formed(const pl_fac_facilitator *fac, size_t nfac, pl_fac_group *groups,
			      const pl_groups_result *formed, pl_fac_result *res, pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
