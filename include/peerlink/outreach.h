/*
 * peerlink/outreach.h: who reaches out to whom today, the engine of `peerlink outreach`
 * (docs/outreach.md).
 *
 * Problem. Clients with today's risk tier, supporters (buddies, mentors, group peers,
 * facilitators) with their availability and weekly budget of outreach asks, and the links between
 * them (one per relationship, with its role). A client needs an ask when their tier is at or
 * above `ask_from`; a client needs a clinician instead of a peer when their tier is high and they
 * reported use, or when they have been silent longer than `silence_limit` days. A supporter may
 * be asked only when available today, with budget left this week (budget - used > 0), not at high
 * risk themselves (a mentor's own recovery comes first) and not silent beyond the limit.
 *
 * Choosing the asks is an assignment of clients (rows) to supporters (columns, capacity = budget
 * left), solved exactly by pl_assign_solve: first reach as many clients as possible, then
 * maximise the total closeness weight[role] of the relationships used (when a pair has several
 * relationships, the closest counts). Budgets are therefore never exceeded.
 *
 * Ownership. The problem's arrays and strings are borrowed and only read; the result's arrays are
 * owned by the pl_outreach_result and released by pl_outreach_result_release().
 */
#ifndef PEERLINK_OUTREACH_H
#define PEERLINK_OUTREACH_H

#include <stddef.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Today's tier from the risk answer; NONE: not scored (too few check-ins). CONTACT: no recent
 * data (risk score's silence beyond its trained range): always needs an ask, and a clinician
 * when the silence is beyond silence_limit. */
typedef enum pl_outreach_tier {
	PL_OUTREACH_TIER_NONE = 0,
	PL_OUTREACH_TIER_LOW,
	PL_OUTREACH_TIER_MODERATE,
	PL_OUTREACH_TIER_HIGH,
	PL_OUTREACH_TIER_CONTACT
} pl_outreach_tier;

/* Relationship roles, closest first (the order of the default weights). */
typedef enum pl_outreach_role {
	PL_OUTREACH_BUDDY = 0,
	PL_OUTREACH_MENTOR,
	PL_OUTREACH_GROUP_PEER,
	PL_OUTREACH_FACILITATOR,
	PL_OUTREACH_NROLES
} pl_outreach_role;

/* Default closeness weights: buddy 4, mentor 3, group peer 2, facilitator 1. */
#define PL_OUTREACH_WEIGHTS_DEFAULT { 4.0, 3.0, 2.0, 1.0 }
/* Weights are in (0, PL_OUTREACH_WEIGHT_MAX]. */
#define PL_OUTREACH_WEIGHT_MAX 1e6

typedef struct pl_outreach_client {
	pl_outreach_tier tier;
	int reported_use; /* nonzero: the risk explanation shows reported use */
	long silent_days; /* days since the last check-in at the answer's date (0: checked in) */
} pl_outreach_client;

typedef struct pl_outreach_supporter {
	int available;    /* nonzero: can be asked today */
	long budget;      /* asks per week, >= 0 */
	long used;        /* asks already made this week, >= 0 */
	pl_outreach_tier tier;   /* their own tier when they are scored too, else NONE */
	long silent_days; /* their own silence when scored, else 0 */
} pl_outreach_supporter;

typedef struct pl_outreach_link {
	size_t client;    /* index into clients */
	size_t supporter; /* index into supporters */
	pl_outreach_role role;
} pl_outreach_link;

typedef struct pl_outreach_problem {
	size_t nclients;
	const pl_outreach_client *clients;
	size_t nsupporters;
	const pl_outreach_supporter *supporters;
	size_t nlinks;
	const pl_outreach_link *links;
	double weight[PL_OUTREACH_NROLES]; /* closeness per role, in (0, PL_OUTREACH_WEIGHT_MAX] */
	pl_outreach_tier ask_from;         /* MODERATE or HIGH: tiers that need an ask */
	long silence_limit;                /* days; silent_days > limit: a clinician */
} pl_outreach_problem;

/* What happens to a client today. */
typedef enum pl_outreach_status {
	PL_OUTREACH_NOTHING = 0,          /* below ask_from: no ask needed */
	PL_OUTREACH_ASKED,                /* a supporter is asked (supporter, role) */
	PL_OUTREACH_CLINICIAN_USE,        /* tier high with reported use */
	PL_OUTREACH_CLINICIAN_SILENCE,    /* silent beyond the limit */
	PL_OUTREACH_UNREACHED_NO_LINK,    /* needs an ask but has no relationship at all */
	PL_OUTREACH_UNREACHED_INELIGIBLE, /* every linked supporter is excluded today */
	PL_OUTREACH_UNREACHED_TAKEN       /* eligible supporters' budgets went to other clients */
} pl_outreach_status;

/* Why a supporter may not be asked today (checked in this order). */
typedef enum pl_outreach_exclusion {
	PL_OUTREACH_ELIGIBLE = 0,
	PL_OUTREACH_HIGH_RISK,   /* their own tier is high */
	PL_OUTREACH_SILENT,      /* silent beyond the limit themselves */
	PL_OUTREACH_UNAVAILABLE, /* not available today */
	PL_OUTREACH_NO_BUDGET    /* used >= budget this week */
} pl_outreach_exclusion;

typedef struct pl_outreach_result {
	size_t nclients, nsupporters;
	pl_outreach_status *status;  /* nclients */
	long *supporter;             /* nclients: the supporter asked, or -1 */
	pl_outreach_role *role;      /* nclients: the role of that relationship (when asked) */
	pl_outreach_exclusion *exclusion; /* nsupporters */
	long *asked;                 /* nsupporters: asks given today */
	size_t needing, asks, clinician, unreached;
	double closeness;            /* total weight of the asks */
} pl_outreach_result;

#define PL_OUTREACH_RESULT_INIT { 0, 0, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0.0 }

void pl_outreach_result_init(pl_outreach_result *res);
void pl_outreach_result_release(pl_outreach_result *res);

/* Fill prob's weights, ask_from (MODERATE) and silence_limit (7); arrays left empty. */
void pl_outreach_problem_init(pl_outreach_problem *prob);

/* Whether supporter s may be asked today under prob's rules. */
pl_outreach_exclusion pl_outreach_exclusion_of(const pl_outreach_problem *prob, size_t s);

/*
 * Plan today's asks. PL_ERR_INVALID for a link index out of range, a negative budget or count, a
 * weight outside (0, PL_OUTREACH_WEIGHT_MAX], ask_from below MODERATE or a negative limit (the
 * pointer is "", or "/links/k" for a link). Returns PL_OK with res filled.
 */
pl_status pl_outreach_plan(const pl_outreach_problem *prob, pl_outreach_result *res,
			   pl_error *err);

/* The clients a rematch serves ("rematch": true, docs/outreach.md): tier high, needing a peer
 * (not a clinician) and reached by nobody today. Their indexes go to out (nclients entries at
 * most); returns how many. */
size_t pl_outreach_rematch_targets(const pl_outreach_problem *prob, const pl_outreach_result *res,
				   size_t *out);

#ifdef __cplusplus
}
#endif
#endif
