/*
 * peerlink/spc.h: statistical process control on day averages: EWMA and tabular CUSUM charts
 * against a per-client baseline (mean and sd of the first B observed days, the "burn-in"), as in
 * Montgomery, Introduction to Statistical Quality Control (6th ed., 2009), sections 9.1 (CUSUM)
 * and 9.2 (EWMA), and as used for symptom monitoring by Smit & Snippe (2023). docs/ews.md has the
 * equations.
 *
 * Series are plain double arrays, NaN = missing day. Charts run on the standardized values
 * z_t = (x_t - baseline mean) / baseline sd, so statistics and limits are in baseline sds.
 * Days up to and including the last burn-in day are not charted (NaN). A missing day does not
 * update a chart: its statistic carries the previous value and it raises no alarm.
 *
 * Ownership: the caller owns every array (outputs are caller-allocated, n entries each; any
 * output pointer may be NULL when not wanted).
 */
#ifndef PEERLINK_SPC_H
#define PEERLINK_SPC_H

#include <stddef.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pl_spc_baseline {
	double mean, sd;   /* of the first `used` observed days (sample sd, n-1) */
	size_t used;       /* observed days that went in (== burn_in when ok) */
	size_t start;      /* first charted day: the day after the burn_in-th observed day */
	int ok;            /* 1: burn_in observed days were found and sd > 0 (after the floor) */
} pl_spc_baseline;

/*
 * Baseline from the first burn_in (>= 2) observed days of x. sd_floor (>= 0) is a lower bound
 * for the sd (a client whose burn-in never varied would otherwise have sd 0); with sd_floor 0 and
 * a constant burn-in, ok = 0. ok = 0 also when x has fewer than burn_in observed days (then start
 * = n). Only days before `start` are read, so the baseline never looks ahead.
 */
pl_status pl_spc_baseline_compute(const double *x, size_t n, size_t burn_in, double sd_floor,
				  pl_spc_baseline *b, pl_error *err);

typedef struct pl_ewma_params {
	double lambda; /* weight of the newest value, 0 < lambda <= 1 (default 0.2) */
	double L;      /* control-limit width in asymptotic sds of the statistic (default 3) */
} pl_ewma_params;

#define PL_EWMA_PARAMS_DEFAULT { 0.2, 3.0 }

/*
 * EWMA chart (Montgomery eq. 9.22-9.25) on z: e_0 = 0, e_i = lambda z + (1 - lambda) e_{i-1} for
 * the i-th charted observed day, limit_i = L sqrt(lambda / (2 - lambda) (1 - (1 - lambda)^(2i))).
 * stat[t] = e (NaN before b->start), limit[t] the (symmetric) limit in force, alarm[t] = +1 when
 * e > limit on an observed day, -1 when e < -limit, else 0. With !b->ok every stat is NaN.
 */
pl_status pl_spc_ewma(const double *x, size_t n, const pl_spc_baseline *b,
		      const pl_ewma_params *p, double *stat, double *limit, signed char *alarm,
		      pl_error *err);

typedef struct pl_cusum_params {
	double k; /* reference value (allowance) in sds, default 0.5 (detects a 1-sd shift) */
	double h; /* decision interval in sds, default 5 */
} pl_cusum_params;

#define PL_CUSUM_PARAMS_DEFAULT { 0.5, 5.0 }

/*
 * Tabular CUSUM (Montgomery eq. 9.2-9.3) on z: C+_i = max(0, z - k + C+_{i-1}),
 * C-_i = max(0, -z - k + C-_{i-1}), C+_0 = C-_0 = 0; no reset after an alarm. alarm[t] = +1 when
 * C+ > h on an observed day, -1 when C- > h (C+ wins if both), else 0.
 */
pl_status pl_spc_cusum(const double *x, size_t n, const pl_spc_baseline *b,
		       const pl_cusum_params *p, double *upper, double *lower, signed char *alarm,
		       pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
