/*
 * exposure.c: the step of a gradual exposure plan in force on a day, and who may move when groups
 * are formed again with current rosters (peerlink/exposure.h).
 */
#include <peerlink/exposure.h>

size_t pl_exposure_step_in_force(const pl_exposure_step *steps, size_t n, int32_t day)
{
	size_t k = 0;
	while (k + 1 < n && steps[k + 1].from <= day)
		k++;
	return k;
}

pl_roster_rule pl_roster_rule_for(long current, size_t current_size, int has_plan,
				  size_t step_max, int rematch_all)
{
	if (has_plan && step_max <= PL_EXPOSURE_ONE_ON_ONE_MAX)
		return PL_ROSTER_ONE_ON_ONE;
	if (rematch_all)
		return PL_ROSTER_REMATCH;
	if (current < 0)
		return PL_ROSTER_NEW;
	if (has_plan && step_max > current_size)
		return PL_ROSTER_STEP_UP;
	return PL_ROSTER_STAYS;
}

int pl_roster_may_join(pl_roster_rule rule, long current, size_t current_size, size_t g,
		       size_t max_size)
{
	switch (rule) {
	case PL_ROSTER_STAYS:
		return current >= 0 && (size_t)current == g;
	case PL_ROSTER_STEP_UP:
		return (current >= 0 && (size_t)current == g) || max_size > current_size;
	case PL_ROSTER_ONE_ON_ONE:
		return 0;
	case PL_ROSTER_NEW:
	case PL_ROSTER_REMATCH:
		return 1;
	}
	return 0;
}
