/*
 * features_int.h: constants and window statistics shared by features.c, risk.c and the tests.
 * Not part of the public API.
 */
#ifndef PEERLINK_FEATURES_INT_H
#define PEERLINK_FEATURES_INT_H

#include <peerlink/risk.h>

#define PL_LEVEL_WINDOW 7   /* days in a level (recent mean) */
#define PL_SLOPE_WINDOW 14  /* days in a slope */
#define PL_EWS_WINDOW 14    /* days in a rolling variance / AR(1) window */
#define PL_EWS_MIN_N 5      /* observed days a rolling window needs */
#define PL_TAU_SPAN 15      /* rolling values the Kendall trend covers (window ends t-14..t) */
#define PL_TAU_MIN_N 8      /* defined rolling values the trend needs */
#define PL_RATE_WINDOW 28   /* days in an adherence rate */
#define PL_BURNIN 14        /* observed values that form a client's own baseline */
#define PL_CP_DAYS 7        /* "change point within the last week" */
#define PL_CP_WINDOW 28     /* days BOCPD reads for one day's change-point feature */
#define PL_CP_MIN_N 10      /* observed days it needs */
#define PL_EWMA_LAMBDA 0.2  /* EWMA weight (Montgomery, Statistical Quality Control, 6.2) */
#define PL_EWMA_L 3.0       /* EWMA control limit in asymptotic SDs */
#define PL_CUSUM_K 0.5      /* CUSUM reference value, baseline SDs */
#define PL_CUSUM_H 5.0      /* CUSUM decision interval, baseline SDs */
#define PL_BOCPD_HAZARD (1.0 / 60.0) /* prior change-point rate per observed day */
#define PL_LAPSE_CAP 365    /* days_since_lapse cap */
#define PL_SIGNAL_TAU 0.7   /* rising variance / AR(1) signal: Kendall tau at least this */
#define PL_SIGNAL_LOW_RATE (1.0 / 3.0) /* low attendance / adherence / peer contact */
/* State-space features (state_features.c), on a 0-10 scale oriented so that higher is worse: */
#define PL_STATE_PHI 0.7      /* persistence of the shared daily deviation */
#define PL_STATE_VAR 0.5      /* its stationary variance (points^2) */
#define PL_STATE_NOISE 1.0    /* a reading's error variance (points^2) */
#define PL_STATE_BASE_VAR 4.0 /* prior variance of a client's baseline around mid-scale */


/* Control-chart statistics of one measure over grid days 0..n-1 (n may exceed nd: later days
 * are missing), each oriented so that positive is worse, NaN where undefined (during burn-in):
 *   ewma[t]   EWMA of z-scores against the burn-in baseline (spc.h)
 *   cusum[t]  one-sided CUSUM in the worse direction (spc.h)
 *   dev[t]    (last-7-day mean - baseline mean) / baseline sd */
pl_status pl__control_stats(const double *x, long nd, long n, const pl_measure_def *def,
			    double *ewma, double *cusum, double *dev, pl_error *err);

/* BOCPD (bocpd.h) over the PL_CP_WINDOW days ending at grid day t: prob = P(run length <
 * PL_CP_DAYS), days_ago = the most probable run length. NaN / -1 with fewer than PL_CP_MIN_N
 * observed days. */
pl_status pl__change_point(const double *x, long nd, long t, const pl_measure_def *def,
			   double *prob, int *days_ago, pl_error *err);
/* The same for every grid day t0..t1 (prob and days_ago hold t1 - t0 + 1 entries), sharing each
 * run's predictive densities between the overlapping windows (pl_bocpd_windows). */
pl_status pl__change_points(const double *x, long nd, long t0, long t1, const pl_measure_def *def,
			    double *prob, int *days_ago, pl_error *err);

/* ews.c: the rounding to 12 significant digits that pl_ews_kendall_tau applies to each value
 * (so that values equal up to rounding tie), and Kendall's tau-b of values already rounded by it
 * (n <= 64): the risk features round each rolling value once, not once per window holding it. */
double pl__ews_round12(double v);
double pl__kendall_tau_rounded(const double *y, size_t n, size_t min_n);

/* The shared-factor filter of the 0-10 self-reports for grid days 0..n-1 (n may exceed the grid:
 * later days are predictions): the filtered level, its sd and the client's baseline (each n). */
pl_status pl__state_factor(const pl_client *c, const pl_catalogue *cat, long n, double *level,
			   double *sd, double *base, pl_error *err);

/* Explanations (explain.c): the client's measure groups ranked by their summed contribution
 * (only positive ones, at most PL_MAX_EXPLANATIONS, each in words from the client's data), then
 * the signals kept only where their group contributes positively, ordered by that contribution.
 * Without a risk only the factual signals stay (silence, reported use, a recent lapse). */
pl_status pl__explain(const pl_risk_model *m, const pl_client *c, int32_t as_of,
		      pl_risk_result *r, pl_error *err);

#endif
