/*
 * risk_seq_stub.c: TEMPORARY stand-in for risk_seq.c until the shared signal library (spc.h,
 * bocpd.h) is on main: the control-chart and change-point features are undefined (NaN).
 */
#include "features_int.h"

#include <math.h>

pl_status pl__control_stats(const double *x, long nd, long n, const pl_measure_def *def,
			    double *ewma, double *cusum, double *dev, pl_error *err)
{
	(void)x; (void)nd; (void)def; (void)err;
	for (long t = 0; t < n; t++)
		ewma[t] = cusum[t] = dev[t] = NAN;
	return PL_OK;
}

pl_status pl__change_point(const double *x, long nd, long t, const pl_measure_def *def,
			   double *prob, int *days_ago, pl_error *err)
{
	(void)x; (void)nd; (void)t; (void)def; (void)err;
	*prob = NAN;
	*days_ago = -1;
	return PL_OK;
}
