/*
 * risk_seq.c: the control-chart and change-point statistics behind the ewma/cusum/dev/cp
 * features, computed with the shared signal library (spc.h: EWMA and CUSUM against a burn-in
 * baseline, Montgomery 2009 ch. 9; bocpd.h: Adams & MacKay 2007) so that `risk ews` and the risk
 * model agree on every definition. Only the choices that belong to the risk model live here:
 * orientation (positive = worse for the client), the burn-in length, the sd floor, the restart
 * of the CUSUM after each signal, and the BOCPD window and prior (docs/risk.md, "Features").
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
	double *y = padded(x, nd, n), c = 0;
	pl_status st;

	if (!y) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	/* The floor keeps a client whose burn-in never varied from dividing by zero: 5% of the
	 * measure's range (0.5 points on a 0-10 scale). */
	st = pl_spc_baseline_compute(y, (size_t)n, PL_BURNIN, 0.05 * (def->max - def->min), &b, err);
	if (st == PL_OK)
		st = pl_spc_ewma(y, (size_t)n, &b, &ep, ewma, NULL, NULL, err);
	if (st != PL_OK)
		goto out;
	for (long t = 0; t < n; t++) {
		double s = 0;
		int k = 0;
		ewma[t] = def->worse * ewma[t];
		cusum[t] = dev[t] = NAN;
		if (!b.ok || t < (long)b.start)
			continue;
		/* The tabular CUSUM in the worse direction (Montgomery eq. 9.2-9.3), restarted at 0
		 * the day after it crosses h: a chart that never restarts keeps growing once a client
		 * has drifted from the intake baseline (hundreds of baseline sds), so it says nothing
		 * about now. With the restart it stays below h + one day's step. */
		if (c > PL_CUSUM_H)
			c = 0;
		if (!isnan(y[t]))
			c = fmax(0.0, c + def->worse * (y[t] - b.mean) / b.sd - PL_CUSUM_K);
		cusum[t] = c;
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
	return st;
}

/* The BOCPD prior of a measure: one that reads no data, centred on the scale with an sd of about a
 * tenth of the range. */
static void cp_params(const pl_measure_def *def, pl_bocpd_params *p)
{
	pl_bocpd_params d = PL_BOCPD_PARAMS_DEFAULT;
	*p = d;
	p->hazard = PL_BOCPD_HAZARD;
	p->mu0 = 0.5 * (def->min + def->max);
	p->kappa0 = 0.1;
	p->alpha0 = 1.0;
	p->beta0 = pow(0.1 * (def->max - def->min), 2);
	p->window = PL_CP_DAYS;
	p->lag = 0;
}

pl_status pl__change_points(const double *x, long nd, long t0, long t1, const pl_measure_def *def,
			    double *prob, int *days_ago, pl_error *err)
{
	long lo = t0 - (PL_CP_WINDOW - 1), n = t1 - lo + 1;
	double *y = NULL, *recent = NULL;
	long *map = NULL;
	int *nobs = NULL;
	pl_bocpd_params p;
	pl_status st = PL_OK;

	if (t1 < t0)
		return PL_OK;
	y = malloc((size_t)n * sizeof(double));
	recent = malloc((size_t)n * sizeof(double));
	map = malloc((size_t)n * sizeof(long));
	nobs = malloc((size_t)n * sizeof(int));
	if (!y || !recent || !map || !nobs) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	for (long i = 0; i < n; i++) {
		long d = lo + i;
		y[i] = d >= 0 && d < nd ? x[d] : NAN;
		/* observed days in the window ending at i */
		nobs[i] = (i > 0 ? nobs[i - 1] : 0) + !isnan(y[i]) -
			  (i >= PL_CP_WINDOW ? !isnan(y[i - PL_CP_WINDOW]) : 0);
	}
	cp_params(def, &p);
	st = pl_bocpd_windows(y, (size_t)n, PL_CP_WINDOW, &p, recent, map, err);
	for (long t = t0; st == PL_OK && t <= t1; t++) {
		long i = t - lo;
		int ok = nobs[i] >= PL_CP_MIN_N;
		prob[t - t0] = ok ? recent[i] : NAN;
		days_ago[t - t0] = ok ? (int)map[i] : -1;
	}
out:
	free(y);
	free(recent);
	free(map);
	free(nobs);
	return st;
}

pl_status pl__change_point(const double *x, long nd, long t, const pl_measure_def *def,
			   double *prob, int *days_ago, pl_error *err)
{
	return pl__change_points(x, nd, t, t, def, prob, days_ago, err);
}
