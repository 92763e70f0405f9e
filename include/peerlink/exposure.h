/*
 * peerlink/exposure.h: gradual exposure plans for clients with social anxiety (docs/groups.md,
 * "Gradual exposure"): a client starts one-on-one or in a small group and moves to larger groups
 * on planned dates. `match groups --as-of DATE` honours the step in force on DATE.
 *
 * A plan is a list of steps sorted by strictly increasing `from` day; the step in force on a day
 * is the last one whose `from` is on or before it, and before the first step the first one (a
 * plan never starts more open than its first step). A step with max_group_size at most
 * PL_EXPOSURE_ONE_ON_ONE_MAX means one-on-one: a mentor or a buddy instead of a group.
 *
 * With current rosters (each client's current group), these rules say who may move: the JSON
 * layer (peerlink/json_exposure.h) applies them to a groups program's eligibility.
 */
#ifndef PEERLINK_EXPOSURE_H
#define PEERLINK_EXPOSURE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PL_EXPOSURE_ONE_ON_ONE_MAX 2

typedef struct pl_exposure_step {
	int32_t from;          /* day number (peerlink/checkins.h: days from 1970-01-01) */
	size_t max_group_size; /* >= 1 */
} pl_exposure_step;

/* Index of the step in force on `day` (n >= 1, steps sorted by strictly increasing from). */
size_t pl_exposure_step_in_force(const pl_exposure_step *steps, size_t n, int32_t day);

/*
 * Current rosters. When groups are formed again with each client's current group known, a client
 * keeps their group unless something says they may move (docs/groups.md, "Current rosters"):
 *   PL_ROSTER_STAYS     kept where they are (no reason to move);
 *   PL_ROSTER_NEW       in no group before: placed like any client;
 *   PL_ROSTER_STEP_UP   their exposure plan's step in force allows a larger group than the one
 *                       they are in: they may move to a group whose maximum is larger than its
 *                       current size, or stay;
 *   PL_ROSTER_ONE_ON_ONE their step is one-on-one: no group;
 *   PL_ROSTER_REMATCH   the request asked for everyone to be re-matched ("rematch": "all").
 */
typedef enum pl_roster_rule {
	PL_ROSTER_STAYS = 0,
	PL_ROSTER_NEW,
	PL_ROSTER_STEP_UP,
	PL_ROSTER_ONE_ON_ONE,
	PL_ROSTER_REMATCH
} pl_roster_rule;

/* The rule for one client: current group (-1: none) of current_size members, the client's plan
 * (has_plan, the step in force's max_group_size), and whether everyone is re-matched. */
pl_roster_rule pl_roster_rule_for(long current, size_t current_size, int has_plan,
				  size_t step_max, int rematch_all);

/* May a client under `rule`, currently in group `current` of current_size members, be placed in
 * group g whose maximum is max_size? STAYS: only their current group; STEP_UP: their current
 * group or one whose maximum exceeds current_size; ONE_ON_ONE: none; NEW, REMATCH: any. */
int pl_roster_may_join(pl_roster_rule rule, long current, size_t current_size, size_t g,
		       size_t max_size);

#ifdef __cplusplus
}
#endif
#endif
