/*
 * spc.c: EWMA and tabular CUSUM control charts on day averages against a client's own burn-in
 * baseline (Montgomery, Introduction to Statistical Quality Control, 6th ed., sec. 9.1-9.2;
 * applied to symptom monitoring by Smit & Snippe 2023). Charting standardized values keeps every
 * statistic in baseline sds, so one set of limits (k, h, L) serves every measure and client.
 */
#include <peerlink/spc.h>

#include <math.h>

pl_status pl_spc_baseline_compute(const double *x, size_t n, size_t burn_in, double sd_floor,
				  pl_spc_baseline *b, pl_error *err)
{
	double mean = 0, m2 = 0;
	size_t m = 0, t;

	b->mean = b->sd = NAN;
	b->used = 0;
	b->start = n;
	b->ok = 0;
	if (burn_in < 2)
		return pl_error_set(err, PL_ERR_INVALID, "/burn_in", "the burn-in needs at least 2 days");
	if (!(sd_floor >= 0) || !isfinite(sd_floor))
		return pl_error_set(err, PL_ERR_INVALID, "/sd_floor", "the sd floor must be >= 0");
	/* Welford's one-pass mean and sum of squares over the first burn_in observed days. */
	for (t = 0; t < n && m < burn_in; t++) {
		double d;
		if (isnan(x[t]))
			continue;
		m++;
		d = x[t] - mean;
		mean += d / (double)m;
		m2 += d * (x[t] - mean);
	}
	b->used = m;
	if (m == 0)
		return PL_OK;
	b->mean = mean;
	b->sd = m >= 2 ? sqrt(m2 / (double)(m - 1)) : NAN;
	if (m < burn_in)
		return PL_OK;
	b->start = t;
	if (b->sd < sd_floor)
		b->sd = sd_floor;
	b->ok = b->sd > 0;
	return PL_OK;
}

static pl_status check_baseline(const pl_spc_baseline *b, size_t n, pl_error *err)
{
	if (!b)
		return pl_error_set(err, PL_ERR_USAGE, "", "no baseline was given");
	(void)n;
	return PL_OK;
}

pl_status pl_spc_ewma(const double *x, size_t n, const pl_spc_baseline *b,
		      const pl_ewma_params *p, double *stat, double *limit, signed char *alarm,
		      pl_error *err)
{
	double e = 0, decay = 1; /* decay = (1 - lambda)^(2i) */
	pl_status st = check_baseline(b, n, err);

	if (st != PL_OK)
		return st;
	if (!(p->lambda > 0 && p->lambda <= 1))
		return pl_error_set(err, PL_ERR_INVALID, "/ewma/lambda", "lambda must be in (0, 1]");
	if (!(p->L > 0) || !isfinite(p->L))
		return pl_error_set(err, PL_ERR_INVALID, "/ewma/L", "L must be positive");
	for (size_t t = 0; t < n; t++) {
		double lim = NAN, z;
		signed char a = 0;
		int charted = b->ok && t >= b->start;

		if (charted && !isnan(x[t])) {
			z = (x[t] - b->mean) / b->sd;
			e = p->lambda * z + (1 - p->lambda) * e;
			decay *= (1 - p->lambda) * (1 - p->lambda);
			lim = p->L * sqrt(p->lambda / (2 - p->lambda) * (1 - decay));
			a = e > lim ? 1 : e < -lim ? -1 : 0;
		} else if (charted && decay < 1) {
			lim = p->L * sqrt(p->lambda / (2 - p->lambda) * (1 - decay));
		}
		if (stat)
			stat[t] = charted ? e : NAN;
		if (limit)
			limit[t] = lim;
		if (alarm)
			alarm[t] = a;
	}
	return PL_OK;
}

pl_status pl_spc_cusum(const double *x, size_t n, const pl_spc_baseline *b,
		       const pl_cusum_params *p, double *upper, double *lower, signed char *alarm,
		       pl_error *err)
{
	double cp = 0, cm = 0;
	pl_status st = check_baseline(b, n, err);

	if (st != PL_OK)
		return st;
	if (!(p->k >= 0) || !isfinite(p->k))
		return pl_error_set(err, PL_ERR_INVALID, "/cusum/k", "k must be >= 0");
	if (!(p->h > 0) || !isfinite(p->h))
		return pl_error_set(err, PL_ERR_INVALID, "/cusum/h", "h must be positive");
	for (size_t t = 0; t < n; t++) {
		int charted = b->ok && t >= b->start;
		signed char a = 0;

		if (charted && !isnan(x[t])) {
			double z = (x[t] - b->mean) / b->sd;
			cp = fmax(0.0, z - p->k + cp);
			cm = fmax(0.0, -z - p->k + cm);
			a = cp > p->h ? 1 : cm > p->h ? -1 : 0;
		}
		if (upper)
			upper[t] = charted ? cp : NAN;
		if (lower)
			lower[t] = charted ? cm : NAN;
		if (alarm)
			alarm[t] = a;
	}
	return PL_OK;
}
