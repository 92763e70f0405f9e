/*
 * risk_seq.c: the sequential per-measure statistics behind the cp/ewma/cusum/dev features.
 * Placeholder until the shared signal library (ews.h, spc.h, bocpd.h) lands: everything NaN.
 */
#include "features_int.h"

#include <math.h>

pl_status pl__sequential_stats(const double *x, long nd, long n, const pl_measure_def *def,
			       double *cp, double *cp_ago, double *ewma, double *cusum, double *dev,
			       pl_error *err)
{
	(void)x; (void)nd; (void)def; (void)err;
	for (long t = 0; t < n; t++)
		cp[t] = cp_ago[t] = ewma[t] = cusum[t] = dev[t] = NAN;
	return PL_OK;
}
