/*
 * exposure.c: the step of a gradual exposure plan in force on a day (peerlink/exposure.h).
 */
#include <peerlink/exposure.h>

size_t pl_exposure_step_in_force(const pl_exposure_step *steps, size_t n, int32_t day)
{
	size_t k = 0;
	while (k + 1 < n && steps[k + 1].from <= day)
		k++;
	return k;
}
