/*
 * peerlink/exposure.h: gradual exposure plans for clients with social anxiety (docs/groups.md,
 * "Gradual exposure"): a client starts one-on-one or in a small group and moves to larger groups
 * on planned dates. `match groups --as-of DATE` honours the step in force on DATE.
 *
 * A plan is a list of steps sorted by strictly increasing `from` day; the step in force on a day
 * is the last one whose `from` is on or before it, and before the first step the first one (a
 * plan never starts more open than its first step). A step with max_group_size at most
 * PL_EXPOSURE_ONE_ON_ONE_MAX means one-on-one: a mentor or a buddy instead of a group.
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

#ifdef __cplusplus
}
#endif
#endif
