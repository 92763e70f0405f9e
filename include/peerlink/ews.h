/*
 * peerlink/ews.h: early-warning signals of critical slowing down on one series with missing
 * values: detrending, rolling indicators (variance, sd, cv, ar1, skewness, kurtosis), the Kendall
 * tau of each indicator against time, and its significance from seeded surrogate series.
 * The definitions follow the R `earlywarnings` (Dakos et al. 2012) and Python `ewstools`
 * (Bury 2023) packages; docs/ews.md gives every equation and where the two packages differ.
 *
 * Series are plain double arrays, NaN = missing. Every output array is aligned with the input
 * (entry t belongs to day t) and is NaN where the value is undefined.
 *
 * Ownership: the caller owns every array it passes (only read, except the documented outputs,
 * which the caller allocates with n entries). pl_ews_result owns its arrays; release it with
 * pl_ews_result_release (a zeroed or PL_EWS_RESULT_INIT struct is fine).
 */
#ifndef PEERLINK_EWS_H
#define PEERLINK_EWS_H

#include <stddef.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- indicators */
typedef enum pl_ews_indicator {
	PL_EWS_VARIANCE = 0, /* sample variance of the residuals (n-1 denominator) */
	PL_EWS_SD,           /* its square root */
	PL_EWS_CV,           /* sd of the residuals / mean of the undetrended values (ewstools) */
	PL_EWS_AR1,          /* least-squares AR(1) coefficient of the demeaned residuals (ar.ols) */
	PL_EWS_SKEWNESS,     /* see pl_ews_moments */
	PL_EWS_KURTOSIS,     /* see pl_ews_moments */
	PL_EWS_NINDICATORS
} pl_ews_indicator;

/* Skewness and kurtosis estimators.
 *   SAMPLE (default, ewstools = pandas rolling skew/kurt): the bias-corrected G1 and the
 *     bias-corrected EXCESS kurtosis G2 (0 for a normal distribution).
 *   POPULATION (earlywarnings = R moments::skewness/kurtosis): g1 = m3 / m2^1.5 and the plain
 *     (not excess) kurtosis b2 = m4 / m2^2 (3 for a normal distribution). */
typedef enum pl_ews_moments { PL_EWS_MOMENTS_SAMPLE = 0, PL_EWS_MOMENTS_POPULATION } pl_ews_moments;

/* "variance", "sd", "cv", "ar1", "skewness", "kurtosis". */
const char *pl_ews_indicator_name(pl_ews_indicator ind);
/* The indicator with that name, or -1. */
int pl_ews_indicator_from_name(const char *name);

/*
 * All six indicators of one window of w consecutive days, written to out[PL_EWS_NINDICATORS]
 * (indexed by pl_ews_indicator). `resid` are the (detrended) values, `level` the undetrended
 * values for the mean in cv (may be NULL: resid is used). NaN entries are missing.
 * Definedness (m = observed days in the window, with resid and level both observed for cv):
 *   every indicator needs m >= min_obs (min_obs 0 means 2);
 *   variance, sd: m >= 2;  cv: m >= 2 and mean level != 0;
 *   ar1: at least 2 pairs of consecutive observed days and a nonzero denominator;
 *   skewness: m >= 3 and m2 > 0;  kurtosis: m >= 4 and m2 > 0.
 */
void pl_ews_window_stats(const double *resid, const double *level, size_t w, size_t min_obs,
			 pl_ews_moments moments, double *out);

/* A window given as a fraction of the series length (0 < f <= 1 gives floor(f * n), as ewstools
 * does; earlywarnings' winsize = 100 f rounds instead) or in points (a whole number > 1).
 * Returns 0 when the result is < 2 or > n (invalid). */
size_t pl_ews_window_points(double window, size_t n);

/* The lag-1 indicator ("ar1").
 *   OLS (default, earlywarnings = R ar.ols(order 1, demean, no intercept)): the least-squares
 *     slope sum y_t y_{t-1} / sum y_{t-1}^2 of the window demeaned by its own mean.
 *   PEARSON (ewstools = pandas Series.autocorr(lag=1)): the Pearson correlation of the pairs
 *     (x_{t-1}, x_t), each side centred and scaled by its own mean and sd. */
typedef enum pl_ews_ar1 { PL_EWS_AR1_OLS = 0, PL_EWS_AR1_PEARSON } pl_ews_ar1;

typedef struct pl_ews_rolling_options {
	size_t window;          /* points, >= 2 */
	size_t min_obs;         /* observed days a window needs; 0: ceil(window / 2) */
	pl_ews_moments moments;
	pl_ews_ar1 ar1;
} pl_ews_rolling_options;

/* Pearson lag-1 autocorrelation of x[0..w) over its consecutive pairs with both values
 * observed (pandas' pairwise-complete autocorr); NaN with fewer than 2 such pairs or when either
 * side is constant. */
double pl_ews_lag1_pearson(const double *x, size_t w);

#define PL_EWS_ROLLING_OPTIONS_INIT { 0, 0, PL_EWS_MOMENTS_SAMPLE, PL_EWS_AR1_OLS }

/*
 * Rolling indicators over right-aligned windows: out[k][t] for t >= window-1 is the indicator of
 * days t-window+1..t; out[k][t] = NaN for t < window-1 and where pl_ews_window_stats says
 * undefined. out[k] may be NULL for indicators not wanted; otherwise it has n entries.
 * Cost O(n * window).
 */
pl_status pl_ews_rolling(const double *resid, const double *level, size_t n,
			 const pl_ews_rolling_options *opt, double *out[PL_EWS_NINDICATORS],
			 pl_error *err);

/* ---------------------------------------------------------------- detrending */
typedef enum pl_ews_detrend_method {
	PL_DETREND_NONE = 0, /* trend = 0, resid = x (the indicators see the raw values) */
	PL_DETREND_LINEAR,   /* least-squares line through the observed (t, x_t) */
	PL_DETREND_GAUSSIAN, /* ewstools 2.x TimeSeries.detrend("Gaussian", bandwidth): a Gaussian
				filter with sd (0.25 / 0.675) * `bandwidth` points (the kernel's
				quartiles at +-bandwidth/4, as R's ksmooth, with ewstools' rounded
				0.675), truncated at 4 sd, reflected at the ends
				(scipy.ndimage.gaussian_filter, mode "reflect"), weights renormalized
				over observed days */
	PL_DETREND_KSMOOTH,  /* earlywarnings: R ksmooth(kernel = "normal", bandwidth): a Nadaraya-
				Watson smoother whose Gaussian kernel has quartiles at +-bandwidth/4,
				i.e. sd = 0.3706506 * bandwidth, using points closer than 4 sd */
	PL_DETREND_GAUSSIAN_SIGMA /* the same filter with sd = `bandwidth` points: ewstools 1.x
				     (ews_compute, sigma = bandwidth) and peerlink before issue 12 */
} pl_ews_detrend_method;

/* sd of the ewstools 2.x Gaussian kernel per point of bandwidth: quartiles at +-bandwidth/4 and
 * a normal's quartiles at +-0.675 sd (ewstools' rounding of qnorm(0.75) = 0.6744898). */
#define PL_EWS_GAUSSIAN_SD_PER_BANDWIDTH (0.25 / 0.675)

typedef struct pl_ews_detrend {
	pl_ews_detrend_method method;
	double bandwidth; /* points, in (0, n] for the two smoothers (the CLI turns a bandwidth <= 1
			     into that fraction of the series length, as ewstools does). A wider
			     kernel would only add reflected copies of the same points at a cost
			     that grows with the bandwidth, not with the data (issue 9, finding 5). */
} pl_ews_detrend;

/* trend[t] and resid[t] = x[t] - trend[t] (NaN where x[t] is missing; the trend is defined on
 * every day with enough observed neighbours, NaN otherwise). Either output may be NULL.
 * PL_ERR_INVALID for a bandwidth outside (0, n]; fewer than 2 observed points for linear leave
 * the trend NaN. */
pl_status pl_ews_detrend_series(const double *x, size_t n, const pl_ews_detrend *d, double *trend,
				double *resid, pl_error *err);

/* ---------------------------------------------------------------- Kendall tau */
/*
 * Kendall's tau-b of y against its index t over the entries that are not NaN (Kendall 1945):
 *   tau_b = (C - D) / sqrt(P * (P - T_y)),  P = m(m-1)/2 pairs,
 * C/D the concordant/discordant pairs, T_y the pairs tied in y (the index never ties).
 * NaN when fewer than max(min_n, 2) values are defined or every value ties. O(m log m).
 * Values are first rounded to 12 significant digits, so that values equal up to floating-point
 * rounding tie. Up to 64 values it allocates nothing; a longer y needs 16n bytes and gives NaN
 * when they cannot be had (pl_ews_analyze allocates them up front and reports PL_ERR_NOMEM).
 */
double pl_ews_kendall_tau(const double *y, size_t n, size_t min_n);

/* ---------------------------------------------------------------- full analysis */
typedef enum pl_ews_surrogate_method {
	PL_SURROGATE_NONE = 0,
	PL_SURROGATE_AR1,   /* trend + AR(1) noise fitted to the residuals */
	PL_SURROGATE_PHASE  /* trend + phase-randomized residuals (FFT, same power spectrum) */
} pl_ews_surrogate_method;

typedef enum pl_ews_alternative {
	PL_ALT_GREATER = 0, /* p = share of surrogate taus >= the observed tau (rising indicator) */
	PL_ALT_TWO_SIDED    /* p = share of |surrogate tau| >= |observed tau| */
} pl_ews_alternative;

typedef struct pl_ews_request {
	pl_ews_rolling_options rolling;
	pl_ews_detrend detrend;
	unsigned indicators;             /* bit (1u << pl_ews_indicator) per wanted indicator */
	size_t tau_min_n;                /* defined indicator values the tau needs (0: 3) */
	pl_ews_surrogate_method surrogates;
	size_t surrogate_count;
	pl_ews_alternative alternative;
	unsigned long seed;
} pl_ews_request;

/* Surrogate work is capped: surrogate_count * n at most PL_EWS_MAX_SURROGATE_POINTS (10,000
 * surrogates of a 200-day series, about a second here); 999 surrogates, the usual choice, fit any
 * series up to 2,000 points (issue 9, finding 12). */
#define PL_EWS_MAX_SURROGATE_POINTS 2000000u

#define PL_EWS_ALL_INDICATORS ((1u << PL_EWS_NINDICATORS) - 1u)
#define PL_EWS_REQUEST_INIT                                                                     \
	{ PL_EWS_ROLLING_OPTIONS_INIT, { PL_DETREND_NONE, 0.0 }, PL_EWS_ALL_INDICATORS, 0,       \
	  PL_SURROGATE_NONE, 0, PL_ALT_GREATER, 0UL }

typedef struct pl_ews_result {
	size_t n;
	double *trend, *resid;                  /* n each */
	double *indicator[PL_EWS_NINDICATORS];  /* n each for wanted indicators, else NULL */
	double tau[PL_EWS_NINDICATORS];         /* NaN where undefined or not wanted */
	double p_value[PL_EWS_NINDICATORS];     /* NaN without surrogates or tau */
	size_t surrogates_used[PL_EWS_NINDICATORS]; /* surrogates whose tau was defined */
	double ar1_phi, ar1_sigma;              /* the AR(1) surrogate model (NaN if not fitted) */
} pl_ews_result;

#define PL_EWS_RESULT_INIT { 0 }

/*
 * Detrend x, compute the wanted rolling indicators and their Kendall taus, and (when asked) the
 * surrogate p-values: each surrogate keeps x's missing days, goes through the same detrending and
 * windows, and p = (1 + #{surrogate tau at least as extreme}) / (1 + #{surrogates with a tau})
 * (a Monte Carlo p-value, never 0). Deterministic for a given seed (GSL mt19937).
 * PL_ERR_INVALID (pointer /surrogates/count) when surrogate_count * n exceeds
 * PL_EWS_MAX_SURROGATE_POINTS.
 * Cost O((1 + surrogate_count) * n * (window + smoother width)).
 */
pl_status pl_ews_analyze(const double *x, size_t n, const pl_ews_request *req, pl_ews_result *res,
			 pl_error *err);
void pl_ews_result_release(pl_ews_result *res);

/* `count` surrogates of x, as pl_ews_analyze draws them for the same detrending, method and seed:
 * out[k * n + t] (caller-allocated, count * n), NaN on x's missing days. */
pl_status pl_ews_surrogates(const double *x, size_t n, const pl_ews_detrend *d,
			    pl_ews_surrogate_method method, size_t count, unsigned long seed,
			    double *out, pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
