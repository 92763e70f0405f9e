/*
 * peerlink/metrics.h: the measures a relapse-risk model is judged by: discrimination (AUROC,
 * AUPRC), calibration (Brier score, expected calibration error and its reliability table), the
 * confusion counts at tier thresholds, alert burden (alerts per client-week), median lead time
 * from the first high-tier alert to a lapse, sensitivity and PPV at a fixed alert budget, and
 * seeded bootstrap 95% intervals that resample clients (days of one client are not independent).
 * docs/datasets.md ("Evaluation metrics") gives every definition.
 *
 * Units: a row is one scored client-day with a 0/1 label ("a lapse within the horizon").
 * An alert is a row whose score is at or above the threshold in question.
 *
 * Ownership: pl_eval_data only borrows the caller's arrays. A pl_metrics_report owns its
 * reliability table (pl_metrics_report_release; zeroed reports are fine).
 */
#ifndef PEERLINK_METRICS_H
#define PEERLINK_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <peerlink/error.h>
#include <peerlink/comm.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- single metrics on plain arrays (y is 0/1; NaN scores must be filtered by the caller) ---- */

/* Probability that a random positive scores above a random negative, ties counting one half
 * (Mann-Whitney U / (P N)). NaN when either class is empty. */
double pl_metrics_auroc(const double *score, const uint8_t *y, size_t n);
/* Average precision: sum over distinct thresholds (descending) of (R_k - R_{k-1}) P_k, tied
 * scores forming one threshold. NaN without positives. */
double pl_metrics_auprc(const double *score, const uint8_t *y, size_t n);
/* Mean of (p - y)^2; NaN when n == 0. */
double pl_metrics_brier(const double *p, const uint8_t *y, size_t n);

typedef struct pl_reliability_bin {
	double lo, hi;       /* the bin [lo, hi) ([lo, 1] for the last) */
	size_t n;            /* rows in the bin */
	double mean_predicted, observed_rate; /* NaN when n == 0 */
} pl_reliability_bin;

/* Expected calibration error over `nbins` equal-mass bins: rows sorted by score are cut into
 * groups of (about) n / nbins rows, a group of tied scores never being split (Nixon et al.,
 * "Measuring calibration in deep learning", CVPR workshops 2019: adaptive ECE). NaN when n == 0. */
double pl_metrics_ece_adaptive(const double *p, const uint8_t *y, size_t n, size_t nbins);

/* Expected calibration error over `nbins` equal-width bins of [0, 1]:
 * ECE = sum_b (n_b / n) |mean_predicted_b - observed_rate_b| (Naeini et al., AAAI 2015;
 * Guo et al., ICML 2017). bins (may be NULL) receives nbins entries. NaN when n == 0. */
double pl_metrics_ece(const double *p, const uint8_t *y, size_t n, size_t nbins,
		      pl_reliability_bin *bins);

typedef struct pl_confusion {
	size_t tp, fp, tn, fn;
	double sensitivity, specificity, ppv; /* NaN where the denominator is 0 */
} pl_confusion;

/* Rows with score >= threshold are predicted positive. */
void pl_metrics_confusion(const double *score, const uint8_t *y, size_t n, double threshold,
			  pl_confusion *out);

/* ---- the full report over clients ---- */

/* Rows grouped by client: client c owns rows row_first[c] .. row_first[c+1]-1, in increasing day
 * order; its lapses (day numbers, increasing) are lapse_day[lapse_first[c] .. lapse_first[c+1]-1]. */
typedef struct pl_eval_data {
	size_t nclients;
	const size_t *row_first;   /* nclients + 1 */
	const double *score;       /* per row, a probability in [0, 1] */
	const uint8_t *label;      /* per row */
	const int32_t *day;        /* per row, day number */
	const size_t *lapse_first; /* nclients + 1 */
	const int32_t *lapse_day;
	const int8_t *tier;        /* per row 0/1/2, or NULL: then tiers come from the thresholds of
				      pl_metrics_options (a model evaluated by cross-validation has
				      one pair of thresholds per fold, so its rows carry their tier) */
} pl_eval_data;

typedef struct pl_metrics_options {
	double threshold_moderate, threshold_high; /* tier cut-offs: alert when score >= threshold */
	double budget_weeks;   /* alert budget: one alert per this many client-weeks (default 20) */
	size_t nbins;          /* ECE bins (default 10) */
	int lead_window;       /* days before a lapse searched for the first high alert (default 28) */
	size_t bootstrap;      /* bootstrap replicates, 0 = no intervals (default 200) */
	unsigned long seed;    /* bootstrap seed (replicate b draws from substream b, rng.h) */
	int threads;           /* bootstrap threads, 0 = one per online processor; the answer does
				  not depend on it */
	const pl_comm *comm;   /* processes sharing the replicates (peerlink/comm.h); NULL: this
				  one alone. The answer does not depend on it either */
} pl_metrics_options;

void pl_metrics_options_init(pl_metrics_options *o);

/* Point values of every metric; index with enum pl_metric. */
enum pl_metric {
	PL_MET_AUROC = 0, PL_MET_AUPRC, PL_MET_BRIER, PL_MET_ECE,
	PL_MET_ECE_ADAPTIVE,   /* ECE over nbins equal-mass bins (ties kept together) */
	PL_MET_PREVALENCE,
	PL_MET_MOD_SENS, PL_MET_MOD_SPEC, PL_MET_MOD_PPV, PL_MET_MOD_ALERTS, /* alerts/client-week */
	PL_MET_HIGH_SENS, PL_MET_HIGH_SPEC, PL_MET_HIGH_PPV, PL_MET_HIGH_ALERTS,
	PL_MET_LEAD_MEDIAN,    /* days, over lapses detected by a high alert in the lead window */
	PL_MET_LAPSES_DETECTED,/* share of evaluable lapses with a high alert in the lead window */
	PL_MET_BUDGET_THRESHOLD, PL_MET_BUDGET_SENS, PL_MET_BUDGET_PPV, PL_MET_BUDGET_ALERTS,
	/* calibration (jobs with `full` only; NaN for scores outside [0, 1]) */
	PL_MET_CAL_SLOPE,      /* b of the logistic fit y ~ a + b logit(p) */
	PL_MET_CAL_ITL,        /* a of y ~ a + offset(logit(p)): calibration-in-the-large */
	PL_MET_CAL_OE,         /* observed / expected: sum y / sum p */
	PL_MET_CAL_ICI,        /* integrated calibration index: mean |p - smoothed observed rate| */
	/* the lead-time null: random alerts at the high tier's alert rate (jobs with `full` only) */
	PL_MET_RANDOM_RATE, PL_MET_RANDOM_LEAD_MEDIAN, PL_MET_RANDOM_DETECTED,
	PL_MET_COUNT
};

/* The metric's JSON name ("auroc", "high.sensitivity", ...). */
const char *pl_metric_name(int m);

typedef struct pl_metrics_report {
	size_t clients, rows, positives;
	size_t lapses_evaluable, lapses_detected;
	double value[PL_MET_COUNT]; /* NaN when undefined (e.g. AUROC with one class) */
	double lo[PL_MET_COUNT], hi[PL_MET_COUNT]; /* bootstrap 2.5% / 97.5%; NaN without */
	size_t nbins;
	pl_reliability_bin *bins;   /* reliability table of the point estimate */
	size_t ndeciles;            /* jobs with `full`: the table by deciles of predicted risk */
	pl_reliability_bin *deciles; /* lo, hi: the smallest and largest score of the decile */
} pl_metrics_report;

#define PL_METRICS_REPORT_INIT { 0, 0, 0, 0, 0, { 0 }, { 0 }, { 0 }, 0, NULL, 0, NULL }

/* Metrics over the clients listed in `clients` (indices into data, repeats allowed; NULL = all
 * clients once), with bootstrap intervals that resample those clients with replacement. */
pl_status pl_metrics_report_compute(const pl_eval_data *data, const size_t *clients, size_t nclients,
				    const pl_metrics_options *o, pl_metrics_report *out,
				    pl_error *err);
void pl_metrics_report_release(pl_metrics_report *r);

/* Several reports from one bootstrap (every job on the same clients: the same nclients and
 * row_first; scores may differ): replicate b draws one multiset of the `universe` clients
 * (NULL: every client once), and each job's replicate keeps the drawn clients that it lists
 * (with their draw counts). A subgroup's interval therefore comes from resampling the whole
 * cohort, as its share of the cohort varies in a new sample. Replicates run on o->threads. */
typedef struct pl_metrics_job {
	const pl_eval_data *data;
	const size_t *clients;      /* NULL: all clients */
	size_t nclients;
	pl_metrics_report *out;
	int full;                   /* also calibration, deciles and the random-alert null */
} pl_metrics_job;

pl_status pl_metrics_reports_compute(const pl_metrics_job *jobs, size_t njobs,
				     const size_t *universe, size_t nuniverse,
				     const pl_metrics_options *o, pl_error *err);

/* Paired differences (a paired cluster bootstrap): pair k compares job a with job b, which
 * must score the same rows (the same data but for the scores); value = a's point value minus
 * b's, and lo, hi the 2.5% and 97.5% percentiles of the differences a - b over the replicates
 * of the same bootstrap (each replicate draws one multiset of clients for every job, so the
 * difference is taken on the same resampled clients), NaN where fewer than 90% of the replicates
 * define both. Every job's report is filled as pl_metrics_reports_compute fills it. */
typedef struct pl_metrics_pair {
	size_t a, b;                /* job indices */
	double value[PL_MET_COUNT], lo[PL_MET_COUNT], hi[PL_MET_COUNT];
} pl_metrics_pair;

pl_status pl_metrics_reports_paired(const pl_metrics_job *jobs, size_t njobs,
				    pl_metrics_pair *pairs, size_t npairs,
				    const size_t *universe, size_t nuniverse,
				    const pl_metrics_options *o, pl_error *err);

/* ---- curves (point estimates over plain arrays) ---- */

/* ROC {fpr, tpr, threshold} and precision-recall {recall, precision, threshold} points at every
 * distinct score (descending; a threshold t means "alert when score >= t"), as scikit-learn's
 * roc_curve (drop_intermediate=False) and precision_recall_curve compute them, with the start
 * points (0, 0) and (recall 0, precision 1) at threshold +inf; thinned to at most max_points by
 * keeping evenly spaced ones (the first and last always). The decision curve: net benefit
 * TP/n - FP/n * t / (1 - t) of alerting at score >= t, and of treating all, for
 * t = step, 2 step, .. <= t_max (Vickers & Elkin 2006); treating none is 0. */
typedef struct pl_curve_point {
	double x, y, threshold;     /* roc: fpr, tpr; pr: recall, precision */
} pl_curve_point;

typedef struct pl_decision_point {
	double threshold, net_benefit, treat_all;
} pl_decision_point;

typedef struct pl_curves {
	size_t nroc, npr, ndecision;
	pl_curve_point *roc, *pr;
	pl_decision_point *decision;
} pl_curves;

pl_status pl_metrics_curves(const double *score, const uint8_t *y, size_t n, size_t max_points,
			    double step, double t_max, pl_curves *out, pl_error *err);
void pl_curves_release(pl_curves *c);

#ifdef __cplusplus
}
#endif
#endif
