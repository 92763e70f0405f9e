/*
 * peerlink/risk.h: relapse-risk early warnings: features from a client's check-in history,
 * an L2-regularized logistic model fitted by IRLS and calibrated on held-out folds, tiers, and the
 * model file. docs/risk.md documents every feature, the maths and the file format.
 *
 * Flow:  pl_client (checkins.h) --pl_features_compute--> feature rows (history up to each day
 *        only) --pl_risk_dataset_add_client--> design matrix + labels --pl_risk_train--> model
 *        --pl_risk_model_to_json / _from_json (JSON layer, peerlink/json_risk.h)--> model file;
 *        model + client --pl_risk_score-->
 *        risk, tier, signals, contributions, data quality.
 *
 * Features are named "<measure>.<kind>" (e.g. "craving.var_tau") or by a client-level name
 * ("missed_streak"); pl_feature_parse turns a name into a pl_feature_spec. Every feature of day t
 * is a function of the grid up to and including day t and of events dated on or before t: nothing
 * after t is read (tests perturb the future to check this).
 *
 * Ownership: structs with pointers are released with their _release function (zeroed structs
 * are fine).
 */
#ifndef PEERLINK_RISK_H
#define PEERLINK_RISK_H

#include <stddef.h>
#include <stdint.h>
#include <peerlink/error.h>
#include <peerlink/comm.h>
#include <peerlink/checkins.h>
#include <peerlink/metrics.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- features */
typedef enum pl_feature_kind {
	/* per measure: "<measure>.<kind>" */
	PL_F_LEVEL,      /* mean of the last 7 days' values */
	PL_F_SLOPE,      /* least-squares slope per day over the last 14 days */
	PL_F_DEV,        /* last-7-day mean minus the client's baseline mean, in baseline SDs, oriented
			    so that positive is worse */
	PL_F_VAR,        /* variance over the last 14 days (rolling EWS window) */
	PL_F_AR1,        /* lag-1 autocorrelation over the last 14 days */
	PL_F_VAR_TAU,    /* Kendall tau of the rolling 14-day variance over the last 28 days */
	PL_F_AR1_TAU,    /* Kendall tau of the rolling 14-day AR(1) over the last 28 days */
	PL_F_CP,         /* change-point probability (BOCPD) within the last 7 days */
	PL_F_EWMA,       /* EWMA of the daily values in baseline SDs, oriented (positive = worse) */
	PL_F_CUSUM,      /* one-sided CUSUM in the worse direction, in baseline SDs, restarted at 0
			    after each crossing of its limit h = 5 (so it never runs away) */
	PL_F_RATE,       /* booleans: fraction true among answered days, last 28 days */
	PL_F_RATE_TREND, /* booleans: rate over the last 14 days minus rate over the 14 before */
	PL_F_LAST,       /* the most recent value within the last 3 days */
	PL_F_RATE_7,     /* booleans: fraction true among answered days, last 7 days (a recent stop) */
	/* client level */
	PL_F_CHECKINS,      /* "checkins": log(1 + completed check-ins so far) */
	PL_F_COVERAGE,      /* "coverage_14": fraction of the last 14 days with a check-in */
	PL_F_MISSED_STREAK, /* "missed_streak": days since the last check-in (0 = checked in today),
			       capped at PL_SILENCE_LIMIT: longer silences are not scored */
	PL_F_DAYS_SINCE_LAPSE, /* "days_since_lapse": log(1 + days since the last lapse), 365 cap */
	PL_F_PRIOR_LAPSE,   /* "prior_lapse": 1 if any lapse or relapse on or before the day */
	/* state-space features (docs/risk.md): a Kalman filter of one factor shared by the 0-10
	 * self-reports, oriented so that higher is worse */
	PL_F_STATE_LEVEL,    /* "state_level": its filtered level on the day */
	PL_F_STATE_SD,       /* "state_sd": the level's standard deviation */
	PL_F_STATE_BASELINE, /* "state_baseline": the client's estimated baseline */
	PL_F_NKINDS
} pl_feature_kind;

typedef struct pl_feature_spec {
	pl_feature_kind kind;
	int measure; /* catalogue index for per-measure kinds, -1 for client-level ones */
} pl_feature_spec;

/* Parse "craving.var_tau" / "missed_streak"; unknown names or a kind that does not fit the
 * measure's type (e.g. "attended.slope") are PL_ERR_INVALID at ptr. */
pl_status pl_feature_parse(const char *name, const pl_catalogue *cat, const char *ptr,
			   pl_feature_spec *out, pl_error *err);
/* Direction of a feature: +1 when a higher value means a worse state for the client (e.g.
 * "craving.level", "mood.cusum", "missed_streak"), -1 when lower is worse ("mood.level",
 * "attended.rate", "coverage_14"), 0 when it has no clinical direction ("checkins"). Training
 * keeps every coefficient on the side of its direction (docs/risk.md, "Model"), so a worse value
 * never lowers the risk. */
int pl_feature_orientation(const pl_feature_spec *f, const pl_catalogue *cat);

/* Silence the model was trained on: a client with more days than this since the last check-in
 * (or with no check-in at all) gets tier "contact", no probability (docs/risk.md). */
#define PL_SILENCE_LIMIT 14

/* Write the feature's name into buf. */
void pl_feature_name(const pl_feature_spec *f, const pl_catalogue *cat, char *buf, size_t size);
/* The default feature set (docs/risk.md): *out is malloc'ed, *n its length. */
pl_status pl_features_default(const pl_catalogue *cat, pl_feature_spec **out, size_t *n,
			      pl_error *err);

/* Named feature sets (docs/risk.md, "Feature sets"): "default" (pl_features_default) and
 * "compact" (nine features for small cohorts). PL_ERR_INVALID for another name. */
pl_status pl_features_named(const char *name, const pl_catalogue *cat, pl_feature_spec **out,
			    size_t *n, pl_error *err);
size_t pl_feature_set_count(void);
const char *pl_feature_set_name(size_t i); /* NULL past the end */

/* Days of history the features need before they are all defined (28 + 14). */
#define PL_FEATURES_LOOKBACK 42

/* Feature rows for day numbers first..last (inclusive; days past the grid count as missing
 * check-ins): out[(day - first) * nf + j]. A feature that is undefined (too few values) is NaN;
 * the model replaces NaN by the training mean, i.e. a standardized 0. */
pl_status pl_features_compute(const pl_client *c, const pl_catalogue *cat,
			      const pl_feature_spec *f, size_t nf, int32_t first, int32_t last,
			      double *out, pl_error *err);

/* ---------------------------------------------------------------- data quality */
typedef struct pl_data_quality {
	int32_t first_day;      /* first check-in (day number), INT32_MIN if none on or before as_of */
	size_t days_in_range;   /* first check-in .. as_of, inclusive */
	size_t days_observed;   /* days with a check-in in that range */
	double coverage;        /* days_observed / days_in_range (0 when the range is empty) */
	size_t longest_gap;     /* longest run of days without a check-in inside the range,
				   including the run that ends at as_of */
	size_t checkins_last_14;
} pl_data_quality;

void pl_data_quality_compute(const pl_client *c, int32_t as_of, pl_data_quality *dq);

/* ---------------------------------------------------------------- the model */
typedef enum pl_calibration_method {
	PL_CAL_NONE = 0, /* the logistic probability as is */
	PL_CAL_PLATT,    /* sigmoid(a * logit + b), fitted on out-of-fold scores (Platt 1999) */
	PL_CAL_ISOTONIC  /* monotone step function by pool-adjacent-violators, interpolated */
} pl_calibration_method;

typedef struct pl_calibration {
	pl_calibration_method method;
	double a, b;        /* Platt */
	size_t n;           /* isotonic: n knots, x increasing (logit), y non-decreasing */
	double *x, *y;
} pl_calibration;

/* One tier threshold measured on the out-of-fold calibrated risks of training. */
typedef struct pl_tier_summary {
	double threshold;
	double flagged_fraction;       /* rows at or above the threshold */
	double alerts_per_client_week; /* 7 x flagged_fraction */
	double sensitivity;            /* 0 without positives */
	double ppv;                    /* NaN when no row is flagged */
} pl_tier_summary;

#define PL_TRAIN_RELIABILITY_BINS 10
#define PL_RISK_SEARCH_MAX 64     /* candidates (feature sets x penalties) of one search */

/* What training did and measured, kept in the model so that its file can say so (the JSON layer
 * writes the sentences). Scoring never reads it; a model read from a file has present == 0. */
typedef struct pl_risk_training_report {
	int present;
	double alert_rate, sensitivity_target;  /* the tier rule */
	size_t clients, clients_with_rows, client_days, positive_days;
	int32_t first_day, last_day;            /* day numbers of the first and last row */
	size_t folds;
	unsigned long seed;
	int stride;
	pl_calibration_method calibration;
	/* out-of-fold performance */
	double auroc, brier, log_loss, mean_predicted, observed_rate;
	pl_tier_summary moderate_or_higher, high;
	pl_reliability_bin reliability[PL_TRAIN_RELIABILITY_BINS]; /* tenths of [0, 1] */
	int irls_iterations;                    /* of the final fit */
	size_t events;                          /* pl_risk_dataset_events */
	double events_per_feature;              /* events / candidate features (the largest set) */
	/* the search (tune_l2 or nsets > 0): every candidate's out-of-fold deviance per row */
	int tuned;
	size_t nsearch, chosen_set;             /* chosen_set: index among the candidate sets */
	struct pl_risk_search_entry {
		size_t set;
		double l2, deviance;
		double se;              /* standard error of deviance across the training folds */
	} search[PL_RISK_SEARCH_MAX];
	int rule;                               /* pl_risk_select_rule of the choice */
} pl_risk_training_report;

typedef struct pl_risk_model {
	int version;              /* file format version (PL_RISK_MODEL_VERSION) */
	int horizon_days;
	int min_checkins;         /* fewer completed check-ins by as_of => risk null */
	pl_catalogue catalogue;   /* standard + the custom measures the model was trained with */
	size_t nfeatures;
	pl_feature_spec *features;
	double *mean, *sd;        /* standardization of each feature (sd > 0) */
	double intercept;
	double *coef;             /* per standardized feature */
	double l2;
	pl_calibration cal;
	double threshold_moderate, threshold_high; /* calibrated risk cut-offs, moderate <= high */
	pl_risk_training_report report; /* how it was trained (present == 0 when read from a file) */
} pl_risk_model;

#define PL_RISK_MODEL_VERSION 1

void pl_risk_model_release(pl_risk_model *m);
/* Give m room for nf features (zeroed); for readers of model files. */
pl_status pl_risk_model_alloc(pl_risk_model *m, size_t nf, pl_error *err);
const char *pl_calibration_name(pl_calibration_method m); /* "platt", "isotonic", "none" */

/* Linear score (logit) of one standardized-and-imputed feature row; `contrib` (may be NULL)
 * receives each feature's coef * z. */
double pl_risk_model_logit(const pl_risk_model *m, const double *features, double *contrib);
/* Calibrated probability for a logit. */
double pl_risk_model_calibrate(const pl_risk_model *m, double logit);
/* 0 low, 1 moderate, 2 high (PL_TIER_CONTACT is set by pl_risk_score, never from a risk). */
int pl_risk_model_tier(const pl_risk_model *m, double risk);
/* "low", "moderate", "high", "contact". */
const char *pl_risk_tier_name(int tier);
#define PL_TIER_CONTACT 3 /* no recent data: reach out (silence beyond PL_SILENCE_LIMIT) */
#define PL_NTIERS 4

/* ---- a model on data with other measures (engine/risk/model_measures.c) ---- */
/* Widen m's catalogue to `data`, which must start with the model's measures (as a catalogue
 * built by copying the model's and adding the data's does): the extra measures are then read
 * with the clients but enter no feature. */
pl_status pl_risk_model_widen_catalogue(pl_risk_model *m, const pl_catalogue *data, pl_error *err);
/* 1 when a feature of m reads the measure (a catalogue index). */
int pl_risk_model_uses_measure(const pl_risk_model *m, int measure);
/* Set reported[k] = 1 for every measure k with at least one observed value in c (reported has
 * c->nmeasures entries, zeroed by the caller before the first client). */
void pl_client_mark_reported(const pl_client *c, unsigned char *reported);
/* PL_ERR_INVALID at ptr when a feature of m reads a measure no client reports (reported as
 * filled by pl_client_mark_reported with m's catalogue): every such feature would otherwise be
 * imputed to its training mean without a word. */
pl_status pl_risk_model_check_reported(const pl_risk_model *m, const unsigned char *reported,
				       const char *ptr, pl_error *err);

/* Calibrated risk for every day first..last of a client (NaN where the client has fewer than
 * min_checkins check-ins by that day). For evaluation and plots. */
pl_status pl_risk_predict_days(const pl_risk_model *m, const pl_client *c, int32_t first,
			       int32_t last, double *risk, pl_error *err);
/* The same from feature rows already computed for days first..last (the model's features in
 * their order, row k at rows + k * ld), e.g. together with other features in one pass. */
void pl_risk_predict_rows(const pl_risk_model *m, const pl_client *c, const double *rows,
			  size_t ld, int32_t first, int32_t last, double *risk);

/* ---------------------------------------------------------------- training */
/* Rows accumulated client by client, so that a client's grid can be freed once featurized. */
typedef struct pl_risk_dataset {
	size_t nfeatures;
	size_t nrows, cap;
	double *x;          /* nrows * nfeatures, raw (NaN = undefined) */
	double *y;          /* labels 0/1 */
	uint32_t *group;    /* client index, for grouped folds */
	size_t nclients, nclients_used, npositive;
	int32_t min_day, max_day;
} pl_risk_dataset;

typedef struct pl_risk_train_options {
	int horizon_days;        /* default 7 */
	double l2;               /* ridge penalty on standardized coefficients; default 1.0 */
	pl_calibration_method calibration; /* default PL_CAL_PLATT */
	int folds;               /* grouped by client; default 5 */
	unsigned long seed;      /* fold assignment */
	double alert_rate;       /* high tier: at most this fraction of client-days; default 0.05 */
	double sensitivity;      /* moderate tier: reach this sensitivity; default 0.50 */
	int min_checkins;        /* default 7 */
	int stride;              /* use every stride-th day of each client; default 1 */
	const pl_feature_spec *features; /* NULL: pl_features_default */
	size_t nfeatures;
	int32_t doc_end;         /* the training document's last day (its as_of, pl_as_of_resolve);
				    INT32_MIN: each client's own grid end. Follow-up of every client
				    is pl_followup_end(client, doc_end) */
	/* Choosing the penalty and the features by cross-validation (docs/risk.md, "Choosing the
	 * penalty"): the candidates are scored by the out-of-fold deviance of the training folds
	 * (the same client-grouped folds as calibration), the best one is then trained as usual.
	 * When the dataset is an outer fold's training clients, this is nested cross-validation:
	 * clients outside the dataset are never seen. */
	int tune_l2;             /* 1: l2 from pl_risk_l2_grid (o->l2 is then ignored) */
	size_t nsets;            /* > 0: candidate feature sets, set s being the dataset's columns
				    set_cols[set_first[s] .. set_first[s + 1]); 0: every column */
	const size_t *set_first, *set_cols;
	int threads;             /* > 1: the fixed-penalty fits (each inner fold's and the final one)
				    run side by side on this many threads (the same model whatever the
				    number); default 1 */
	int select_rule;         /* pl_risk_select_rule: how the search picks; default (0) the
				    least deviance */
} pl_risk_train_options;

/* How the search picks among its candidates (docs/risk.md, "Choosing the penalty"):
 * MIN_DEVIANCE the least out-of-fold deviance (ties: the earlier candidate, i.e. the earlier set
 * and the stronger penalty); ONE_SE the one-standard-error rule (Breiman et al. 1984, section
 * 3.4.3; Hastie, Tibshirani & Friedman, ESL 2009, section 7.10): the simplest candidate whose
 * deviance is within one standard error of the least, simplest meaning the fewest features, then
 * the strongest penalty (then the earlier set). MIN_DEVIANCE is the default: on small generated
 * cohorts ONE_SE chose the strongest penalty of the compact set and lost AUROC (docs/datasets.md,
 * "Small cohorts"). AVERAGE (issue 12, small cohorts) chooses no single candidate: every
 * candidate set at its own least-deviance penalty is fitted and the model is the equal-weight
 * average of their log-odds, calibrated once on the average's out-of-fold logits (a linear model
 * on the union of the sets' columns; model averaging instead of selection, as Breiman's "Stacked
 * regressions", Machine Learning 24, 1996, and Hoeting et al., Statistical Science 14, 1999, on
 * Bayesian model averaging: choosing among noisy out-of-fold scores adds variance that averaging
 * removes). It needs nsets >= 2 (with fewer, the one set is fitted and the report says
 * MIN_DEVIANCE); the report's chosen set and the model's l2 are then the least
 * deviance's, as with MIN_DEVIANCE. */
typedef enum pl_risk_select_rule {
	PL_SELECT_MIN_DEVIANCE = 0,
	PL_SELECT_ONE_SE = 1,
	PL_SELECT_AVERAGE = 2
} pl_risk_select_rule;
/* The index of the chosen entry among e[0 .. n) (n >= 1) by `rule`; set_size[s] is the number
 * of features of candidate set s (every e[i].set indexes it). */
size_t pl_risk_search_choose(const struct pl_risk_search_entry *e, size_t n,
			     const size_t *set_size, pl_risk_select_rule rule);

/* The penalty grid of tune_l2: PL_L2_GRID_N values m * 10^(k/2 - 3), k = PL_L2_GRID_N - 1 .. 0
 * (strongest first), m the number of positive rows (at least 1): the curvature of a rare-event
 * log-likelihood along a standardized coefficient is about sum p(1 - p) ~ m, so the grid spans
 * the same range of shrinkage (from negligible to strong) whatever the cohort's size. */
#define PL_L2_GRID_N 9
void pl_risk_l2_grid(size_t npositive, double *grid);
/* Events for the events-per-feature rule: runs of consecutive positive rows of one client (a
 * lapse labels the horizon's days before it; two lapses closer than the horizon count once). */
size_t pl_risk_dataset_events(const pl_risk_dataset *ds);
/* Below this many events per candidate feature the answer warns (Peduzzi et al., J Clin
 * Epidemiol 1996; a rule of thumb: Riley et al., Stat Med 2019 and BMJ 2020; docs/risk.md). */
#define PL_EPV_WARN 10.0

void pl_risk_train_options_init(pl_risk_train_options *o);
/* Client-grouped folds, the one assigner of training and evaluation: the clients shuffled by
 * gsl_ran_shuffle with the generator of `stream` (a pl_rng_stream of rng.h, seeded from seed),
 * then dealt round robin, so fold sizes differ by at most one: fold[i] in 0 .. K-1. */
pl_status pl_risk_assign_folds(size_t n, size_t K, unsigned long seed, int stream, size_t *fold,
				pl_error *err);
pl_status pl_risk_dataset_init(pl_risk_dataset *ds, size_t nfeatures, pl_error *err);
/* Featurize every labelable day of the client (>= min_checkins check-ins, horizon inside
 * follow-up: pl_followup_end(c, o->doc_end), days past the grid counting as silent) and append
 * the rows. */
pl_status pl_risk_dataset_add_client(pl_risk_dataset *ds, const pl_client *c,
				     const pl_catalogue *cat, const pl_feature_spec *f,
				     const pl_risk_train_options *o, pl_error *err);
void pl_risk_dataset_release(pl_risk_dataset *ds);

/* Fit, calibrate on grouped out-of-fold scores, choose thresholds, measure; fills *m (its
 * catalogue is copied from cat). PL_ERR_INFEASIBLE when the data hold no positive or no negative
 * label. */
pl_status pl_risk_train(const pl_risk_dataset *ds, const pl_catalogue *cat,
			const pl_feature_spec *f, const pl_risk_train_options *o, pl_risk_model *m,
			pl_error *err);

/* Sums over training rows are taken per block of clients and the blocks added in block order
 * (engine/risk/logistic.c), whoever computes them. The blocks depend on the number of clients and
 * features only: one per PL_TRAIN_BLOCK_CLIENTS clients (a block's rows go through BLAS in one
 * go, and fewer blocks are fewer sums to move), at most PL_TRAIN_MAX_BLOCKS, and fewer when a
 * block's sums are large, so that the buffer of every block's sums stays near
 * PL_TRAIN_BLOCK_DOUBLES numbers. Block b holds the clients b * nclients / nblocks ..
 * (b + 1) * nclients / nblocks - 1. */
#define PL_TRAIN_BLOCK_CLIENTS 32
#define PL_TRAIN_MAX_BLOCKS 4096
#define PL_TRAIN_BLOCK_DOUBLES (1u << 21)
size_t pl_risk_train_blocks(size_t nclients, size_t nfeatures);
size_t pl_risk_block_first_client(size_t b, size_t nclients, size_t nblocks);
/* The clients first .. end - 1 that process `rank` of `size` holds in a distributed training:
 * whole blocks, contiguous, in rank order. */
void pl_risk_train_clients(size_t nclients, size_t nfeatures, int rank, int size, size_t *first,
			   size_t *end);
/* pl_risk_train over several processes: ds holds this process's clients (those of
 * pl_risk_train_clients, added in order after setting ds->nclients to the first of them, so that
 * ds->group numbers clients across all processes), nclients is every process's clients together.
 * Every process calls it with the same options and gets the same model, equal bit for bit to
 * pl_risk_train on all the clients in one dataset. comm NULL: one process (pl_risk_train). A
 * penalty or feature search (o->tune_l2, o->nsets) needs every row in one process: the processes
 * then gather every process's featurized rows (not the check-ins) and each trains on all of them. */
pl_status pl_risk_train_dist(const pl_risk_dataset *ds, size_t nclients, const pl_comm *comm,
			     const pl_catalogue *cat, const pl_feature_spec *f,
			     const pl_risk_train_options *o, pl_risk_model *m, pl_error *err);

/* ---------------------------------------------------------------- logistic regression */
/* L2-regularized logistic regression by IRLS (Newton-Raphson), the intercept unpenalized:
 * maximize sum_i [y_i eta_i - log(1 + e^eta_i)] - l2/2 |beta|^2, eta = b0 + X beta.
 * X is n x p row-major (already standardized), y in [0, 1] (fractional targets allowed, e.g.
 * Platt's). w (may be NULL) are row weights. beta receives p + 1 numbers: b0 first. */
typedef struct pl_logistic_info {
	int iterations;
	int converged;
	double loglik;      /* penalized log-likelihood at the solution */
	double grad_norm;   /* max |score equation| at the solution */
} pl_logistic_info;

pl_status pl_logistic_fit(const double *X, const double *y, const double *w, size_t n, size_t p,
			  double l2, double *beta, pl_logistic_info *info, pl_error *err);
/* The same from the start point in beta (a warm start, e.g. the fit at a neighbouring penalty:
 * the optimum is unique, so only the number of Newton steps depends on the start). */
pl_status pl_logistic_fit_warm(const double *X, const double *y, const double *w, size_t n,
			       size_t p, double l2, double *beta, pl_logistic_info *info,
			       pl_error *err);
/* The same fit over rows held by several processes (or by one, in blocks): the rows are in
 * blocks numbered 0 .. nblocks - 1 over all processes, this process holding blocks first ..
 * first + count - 1 as rows start[k] .. start[k + 1] - 1 of X, y and w. Sums over rows are taken
 * per block and added in block order, so beta does not depend on who holds which block. Every
 * process calls it with the same nblocks, p, l2 and start point and gets the same beta: warm 0,
 * the intercept-only start (pl_logistic_fit); 1, the start in beta (pl_logistic_fit_warm). */
typedef struct pl_logistic_blocks {
	size_t nblocks;
	size_t first, count;
	const size_t *start;      /* count + 1 row offsets */
	const pl_comm *comm; /* NULL: this process holds every block */
} pl_logistic_blocks;

pl_status pl_logistic_fit_blocks(const double *X, const double *y, const double *w, size_t p,
				 double l2, const pl_logistic_blocks *blocks, int warm, double *beta,
				 pl_logistic_info *info, pl_error *err);

/* Calibration maps from (score, label) pairs. */
pl_status pl_calibration_fit_platt(const double *score, const double *y, size_t n,
				   pl_calibration *cal, pl_error *err);
pl_status pl_calibration_fit_isotonic(const double *score, const double *y, size_t n,
				      pl_calibration *cal, pl_error *err);
double pl_calibration_apply(const pl_calibration *cal, double score);
void pl_calibration_release(pl_calibration *cal);

/* ---------------------------------------------------------------- scoring */
typedef enum pl_signal_kind {
	PL_SIG_RISING_VARIANCE,   /* measure; value = Kendall tau of rolling variance */
	PL_SIG_RISING_AR1,        /* measure; value = Kendall tau of rolling AR(1) */
	PL_SIG_CHANGE_POINT,      /* measure; value = probability, days_ago */
	PL_SIG_EWMA_ALARM,        /* measure; value = EWMA in baseline SDs (worse direction) */
	PL_SIG_CUSUM_ALARM,       /* measure; value = CUSUM in baseline SDs */
	PL_SIG_WORSENING_TREND,   /* measure; value = slope per day (worse direction) */
	PL_SIG_MISSED_STREAK,     /* value = days since the last check-in */
	PL_SIG_FALLING_RATE,      /* boolean measure; value = rate last 14 days, value2 = previous 14 */
	PL_SIG_LOW_RATE,          /* boolean measure; value = rate over the last 28 days */
	PL_SIG_REPORTED_USE,      /* value = days with reported use in the last 14 */
	PL_SIG_RECENT_LAPSE       /* value = days since the last lapse */
} pl_signal_kind;

typedef struct pl_signal {
	pl_signal_kind kind;
	int measure;      /* -1 when not about one measure */
	double value, value2;
	int days_ago;
} pl_signal;

#define PL_MAX_SIGNALS 32
#define PL_MAX_EXPLANATIONS 5
#define PL_GROUP_NAME_MAX 64

/* One measure's share of a client's risk (docs/risk.md, "Explanations"): the contributions of
 * every feature of the measure group summed, and what the client's own data say, in words. */
typedef struct pl_explanation {
	char group[PL_GROUP_NAME_MAX];  /* "craving", "sleep", "engagement", "use", ... */
	double contribution;            /* > 0, on the calibrated logit scale (x Platt slope) */
	char text[192];
} pl_explanation;

/* The measure group of a feature: the measure's name, except sleep_hours and sleep_quality
 * ("sleep"), stress and anxiety ("stress"), attended, peer_contact and the check-in features ("engagement"), medication_taken
 * ("medication"), used ("use"), days_since_lapse and prior_lapse ("history"). */
void pl_feature_group(const pl_feature_spec *f, const pl_catalogue *cat, char *buf, size_t size);

typedef struct pl_risk_result {
	int32_t as_of;
	int has_risk;          /* 0: risk is null, see reason */
	const char *reason;    /* static text when has_risk == 0 */
	double logit, risk;
	int tier;              /* 0..2, PL_TIER_CONTACT, or -1 (no risk, no silence) */
	long days_since_checkin; /* as_of minus the last check-in on or before it; -1 when none */
	size_t nexplanations;  /* ranked by contribution, largest first, only positive ones */
	pl_explanation explanations[PL_MAX_EXPLANATIONS];
	double *features;      /* nfeatures raw values (NaN = undefined) */
	double *contrib;       /* nfeatures: coef * z (logit scale) */
	pl_data_quality dq;
	size_t nsignals;
	pl_signal signals[PL_MAX_SIGNALS];
} pl_risk_result;

/* Score c as of day as_of: the request's one date (pl_as_of_resolve); INT32_MIN stands in for
 * the client's last recorded day. No probability when the client's follow-up ended before as_of
 * (reason given), when the last check-in is more than PL_SILENCE_LIMIT days back or there is
 * none for that long (tier PL_TIER_CONTACT), or with fewer than min_checkins check-ins. Signals
 * are shown only for measure groups whose contribution to this client's risk is positive (and,
 * without a risk, only the factual ones: silence, reported use, a recent lapse). */
pl_status pl_risk_score(const pl_risk_model *m, const pl_client *c, int32_t as_of,
			pl_risk_result *r, pl_error *err);
void pl_risk_result_release(pl_risk_result *r);
/* A sentence describing a signal (no client values other than the numbers it reports). */
void pl_signal_describe(const pl_signal *s, const pl_catalogue *cat, char *buf, size_t size);
const char *pl_signal_kind_name(pl_signal_kind k);

/* ---------------------------------------------------------------- suggested actions */
/* A program-editable table (models/actions.json, docs/risk.md "Actions"): each rule names a
 * measure group (or none: any), the tiers it applies to, what to do, who does it and where the
 * advice comes from. The table is data; these functions only match it. */
typedef struct pl_action_rule {
	char measure[PL_GROUP_NAME_MAX]; /* explanation group, "" = the tier alone */
	unsigned tiers;                  /* bit t set: applies to tier t (0..PL_TIER_CONTACT) */
	char *action, *who, *source;
} pl_action_rule;

typedef struct pl_action_table {
	size_t n;
	pl_action_rule *rules;
} pl_action_table;

#define PL_ACTION_TABLE_INIT { 0, NULL }
#define PL_MAX_ACTIONS 3

void pl_action_table_release(pl_action_table *t);
/* The rules for one scored client, at most `max` indices into out, in this order: for each
 * explanation (largest contribution first) the rules of its group for the client's tier, then
 * the rules for the tier alone; each rule once. Returns how many. No tier: none. */
size_t pl_actions_select(const pl_action_table *t, const pl_risk_result *r, size_t *out,
			 size_t max);

#ifdef __cplusplus
}
#endif
#endif
