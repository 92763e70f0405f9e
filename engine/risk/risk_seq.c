/*
 * risk_seq.c: the control-chart and change-point statistics behind the ewma/cusum/dev/cp
 * features, computed with the shared signal library (spc.h: EWMA and CUSUM against a burn-in
 * baseline, Montgomery 2009 ch. 9; bocpd.h: Adams & MacKay 2007) so that `risk ews` and the risk
 * model agree on every definition. Only the choices that belong to the risk model live here:
 * orientation (positive = worse for the client), the burn-in length, the sd floor, and the
 * BOCPD window and prior (docs/risk.md, "Features").
 */
#include "features_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/bocpd.h>
#include <peerlink/spc.h>

/* Copy grid days 0..n-1 of a measure (days past the grid are missing). */
static double *padded(const double *x, long nd, long n)
{
	double *y = malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
	if (!y)
		return NULL;
	for (long t = 0; t < n; t++)
		y[t] = t < nd ? x[t] : NAN;
	return y;
}

pl_status pl__control_stats(const double *x, long nd, long n, const pl_measure_def *def,
			    double *ewma, double *cusum, double *dev, pl_error *err)
{
	pl_spc_baseline b;
	pl_ewma_params ep = { PL_EWMA_LAMBDA, PL_EWMA_L };
	pl_cusum_params cp = { PL_CUSUM_K, PL_CUSUM_H };
	double *y = padded(x, nd, n), *upper = NULL, *lower = NULL;
	pl_status st;

	upper = malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
	lower = malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
	if (!y || !upper || !lower) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	/* The floor keeps a client whose burn-in never varied from dividing by zero: 5% of the
	 * measure's range (0.5 points on a 0-10 scale). */
	st = pl_spc_baseline_compute(y, (size_t)n, PL_BURNIN, 0.05 * (def->max - def->min), &b, err);
	if (st == PL_OK)
		st = pl_spc_ewma(y, (size_t)n, &b, &ep, ewma, NULL, NULL, err);
	if (st == PL_OK)
		st = pl_spc_cusum(y, (size_t)n, &b, &cp, upper, lower, NULL, err);
	if (st != PL_OK)
		goto out;
	for (long t = 0; t < n; t++) {
		double s = 0;
		int k = 0;
		ewma[t] = def->worse * ewma[t];
		cusum[t] = def->worse > 0 ? upper[t] : lower[t];
		dev[t] = NAN;
		if (!b.ok || t < (long)b.start)
			continue;
		for (long d = t - (PL_LEVEL_WINDOW - 1); d <= t; d++)
			if (!isnan(y[d])) {
				s += y[d];
				k++;
			}
		if (k > 0)
			dev[t] = def->worse * (s / k - b.mean) / b.sd;
	}
out:
	free(y);
	free(upper);
	free(lower);
	return st;
}

pl_status pl__change_point(const double *x, long nd, long t, const pl_measure_def *def,
			   double *prob, int *days_ago, pl_error *err)
{
	double y[PL_CP_WINDOW];
	long lo = t - (PL_CP_WINDOW - 1);
	int nobs = 0;
	pl_bocpd_params p = PL_BOCPD_PARAMS_DEFAULT;
	pl_bocpd_result r = PL_BOCPD_RESULT_INIT;
	pl_status st;

	*prob = NAN;
	*days_ago = -1;
	for (long d = lo; d <= t; d++) {
		y[d - lo] = d >= 0 && d < nd ? x[d] : NAN;
		nobs += !isnan(y[d - lo]);
	}
	if (nobs < PL_CP_MIN_N)
		return PL_OK;
	/* A prior that reads no data: centred on the scale, sd about a tenth of the range. */
	p.hazard = PL_BOCPD_HAZARD;
	p.mu0 = 0.5 * (def->min + def->max);
	p.kappa0 = 0.1;
	p.alpha0 = 1.0;
	p.beta0 = pow(0.1 * (def->max - def->min), 2);
	p.window = PL_CP_DAYS;
	p.lag = 0;
	st = pl_bocpd_run(y, PL_CP_WINDOW, &p, &r, err);
	if (st == PL_OK) {
		*prob = r.recent[PL_CP_WINDOW - 1];
		*days_ago = (int)r.map_run[PL_CP_WINDOW - 1];
	}
	pl_bocpd_result_release(&r);
	return st;
}
