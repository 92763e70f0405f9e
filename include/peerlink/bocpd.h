/*
 * peerlink/bocpd.h: Bayesian online change point detection (Adams & MacKay 2007) for one daily
 * series with missing days, with a Normal-Gamma prior on each segment's mean and precision
 * (Student-t predictive) and a constant hazard. docs/ews.md has the recursion.
 *
 * Run length r_t = number of days since the current segment began (r_t = 0: a change point at day
 * t, x_t is the segment's first value). A missing day has likelihood 1 under every run length:
 * the run-length distribution still moves (grows, or restarts with the hazard) but learns nothing.
 * Everything reported for day t uses x_0..x_t only, except `lagged`, which looks `lag` days ahead.
 *
 * Ownership: pl_bocpd_result owns its arrays (release with pl_bocpd_result_release; a zeroed or
 * PL_BOCPD_RESULT_INIT struct is fine). x is only read.
 */
#ifndef PEERLINK_BOCPD_H
#define PEERLINK_BOCPD_H

#include <stddef.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pl_bocpd_params {
	double hazard;   /* prior probability of a change point on any day, 0 < H < 1 */
	double mu0;      /* Normal-Gamma prior: mean */
	double kappa0;   /*   pseudo-observations for the mean (> 0) */
	double alpha0;   /*   Gamma shape for the precision (> 0) */
	double beta0;    /*   Gamma rate for the precision (> 0); prior E[variance] ~ beta0/alpha0 */
	size_t window;   /* "recent": recent[t] = P(r_t < window | x_0..t), >= 1 */
	size_t lag;      /* lagged[t] = P(r_{t+lag} = lag | x_0..t+lag) */
} pl_bocpd_params;

/* hazard 1/60, a unit-variance prior at 0 (set mu0/beta0 from the client's baseline), 7, 5 */
#define PL_BOCPD_PARAMS_DEFAULT { 1.0 / 60.0, 0.0, 1.0, 1.0, 1.0, 7, 5 }

typedef struct pl_bocpd_result {
	size_t n;
	double *cp;       /* P(r_t = 0 | x_0..t): a change point at day t, assessed on day t */
	double *recent;   /* P(r_t < window | x_0..t): a change within the last `window` days */
	double *lagged;   /* P(r_{t+lag} = lag | x_0..t+lag): day t assessed lag days later;
			     NaN for the last lag days */
	long *map_run;    /* argmax_r P(r_t = r | x_0..t) (smallest r on ties) */
	double *mean_run; /* E[r_t | x_0..t] */
	double log_evidence; /* log p(x observed) under the model */
} pl_bocpd_result;

#define PL_BOCPD_RESULT_INIT { 0 }

/* Validate p (PL_ERR_INVALID, pointer "/hazard", "/kappa0", ... relative to the params object)
 * and run the recursion. O(n^2) time, O(n) memory. */
pl_status pl_bocpd_run(const double *x, size_t n, const pl_bocpd_params *p, pl_bocpd_result *res,
		       pl_error *err);
void pl_bocpd_result_release(pl_bocpd_result *res);

/* Sliding windows: for every day t >= W - 1, the recursion of pl_bocpd_run restarted on
 * x[t-W+1 .. t] alone (a fresh prior on the window's first day) and read on its last day:
 * recent[t] = P(r < p->window), map_run[t] = the most probable run length (smallest on ties).
 * Days t < W - 1 get NaN and -1. The numbers are pl_bocpd_run's up to rounding, for
 * O(n W) logarithms and O(n W^2) multiply-adds instead of O(n W^2) logarithms: a run that began
 * on day s predicts day u from x_s..x_{u-1} alone, whatever day its window began, so each run's
 * predictive densities are computed once and every window only re-weights them. */
pl_status pl_bocpd_windows(const double *x, size_t n, size_t W, const pl_bocpd_params *p,
			   double *recent, long *map_run, pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
