/*
 * peerlink/evaluate.h: how good is a risk model on labelled clients (docs/datasets.md,
 * "Evaluating a model"). Scores come from a model or from client-grouped k-fold cross-validation
 * (each fold's model trained with the default recipe of pl_risk_train on the other folds, so every
 * client is scored by a model that never saw it). Rows are the client-days with a defined label
 * (a lapse within the horizon, follow-up complete) and a defined risk; the oracle (the true daily
 * hazard, when every client carries it) and the baselines are scored on exactly those rows, so
 * their numbers compare like with like. Every metric of peerlink/metrics.h comes with a cluster
 * bootstrap interval; subgroups are the clients sharing an attribute value.
 *
 * Ownership: a pl_eval_set owns its clients, their truth and attribute texts
 * (pl_eval_set_release); a pl_eval_result owns its reports (pl_eval_result_release). Both
 * release functions accept zeroed structs. The JSON layer (peerlink/json_risk.h) reads clients
 * into a set and writes a result.
 */
#ifndef PEERLINK_EVALUATE_H
#define PEERLINK_EVALUATE_H

#include <stddef.h>
#include <stdint.h>
#include <peerlink/error.h>
#include <peerlink/checkins.h>
#include <peerlink/metrics.h>
#include <peerlink/risk.h>
#include <peerlink/gen.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PL_EVAL_ATTR_TEXT_MAX 256 /* attribute values are compared as text of at most 255 bytes */

typedef struct pl_eval_client {
	pl_client client;
	double *hazard;     /* the true daily hazard from grid day 0 (NaN = unknown), or NULL */
	size_t nhazard;
	size_t nattrs;
	char **attr_name;   /* nattrs each: an attribute and its value as text ("true", "3") */
	char **attr_value;
} pl_eval_client;

typedef struct pl_eval_set {
	pl_catalogue cat;   /* the measures the clients were read with */
	pl_eval_client *cl;
	size_t n, cap;
	size_t with_truth;  /* clients with a hazard */
} pl_eval_set;

#define PL_EVAL_SET_INIT { PL_CATALOGUE_INIT, NULL, 0, 0, 0 }

/* A zeroed client at the end of the set (owned by it from now on), or NULL when out of memory. */
pl_eval_client *pl_eval_set_push(pl_eval_set *s, pl_error *err);

/* Stand-ins between this program's own processes (engine/risk/stand_ins.c: the format): every
 * client of s as its id, attributes and whether it has its truth, into *buf (malloc'ed, *len
 * bytes; NULL and 0 with PL_ERR_NOMEM); and one stand-in read back from all[*pos ..) into e
 * (zeroed; its texts owned by it, also on failure), *pos moved past it, *truth set. The leading
 * uint64 client count of a pack is read by the caller. */
pl_status pl_eval_stand_ins_pack(const pl_eval_set *s, unsigned char **buf, size_t *len,
				 pl_error *err);
pl_status pl_eval_stand_in_read(pl_eval_client *e, int *truth, const unsigned char *all,
				size_t len, size_t *pos, pl_error *err);
void pl_eval_set_release(pl_eval_set *s);

/* --compare (docs/datasets.md, "Comparing two models"): a second score on the same rows, and the
 * differences model minus it with paired cluster-bootstrap intervals (pl_metrics_reports_paired:
 * the same replicates as every other interval). */
enum pl_eval_compare_kind {
	PL_COMPARE_NONE = 0,
	PL_COMPARE_BASELINE, /* one of the baselines (enum pl_eval_baseline) */
	PL_COMPARE_MODEL,    /* a model file, scored on every row (under cross-validation too) */
	PL_COMPARE_CV        /* cross-validation only: a second recipe trained in the same folds */
};

typedef struct pl_eval_compare {
	int kind;
	const char *label;          /* what the answer calls the other score (e.g. "cv:default") */
	int baseline;
	const pl_risk_model *model;
	/* PL_COMPARE_CV: the recipe, as the options' own (l2 0 = training's default) */
	double l2;
	int tune_l2;
	const pl_feature_spec *features; /* NULL: pl_features_default */
	size_t nfeatures;
	size_t nsets;
	const size_t *set_first, *set_cols;
	const char *const *set_names;
	int select_rule;            /* pl_risk_select_rule of its search (0: the least deviance) */
} pl_eval_compare;

typedef struct pl_eval_options {
	const pl_risk_model *model; /* score with this model; NULL: cross-validation */
	size_t folds;               /* cross-validation folds (2 .. clients) */
	int horizon_days;           /* cross-validation label horizon (a model has its own) */
	int stride;                 /* cross-validation: every stride-th training day */
	unsigned long seed;         /* fold assignment (stream PL_RNG_EVAL_FOLDS) */
	int baselines;              /* also score the three baselines */
	pl_metrics_options metrics; /* bootstrap, budget, lead window (thresholds are set here) */
	int threads;                /* worker threads, 0 = one per online processor; the result
				       does not depend on it */
	int keep_rows;              /* copy the scored rows into the result (--rows) */
	double l2;                  /* cross-validation: ridge penalty of every fold's model;
				       0 = training's default */
	/* References on generated data (docs/datasets.md, "References"): the generator's
	 * parameters give the observable reference (a Kalman filter with the structural
	 * parameters only); with its seed too, the full-information oracle (the cohort drawn
	 * again, checked against every client's truth, oracle_draws simulated futures a row). */
	const pl_gen_checkins_params *generator; /* NULL: neither reference */
	int generator_seed_given;
	unsigned long generator_seed;
	size_t oracle_draws;
	/* cross-validation's recipe beyond the penalty (docs/datasets.md, "Nested
	 * cross-validation"): */
	int tune_l2;                /* each fold's penalty chosen by nested CV on its training
				       clients (pl_risk_train_options.tune_l2); l2 is then ignored */
	const pl_feature_spec *features; /* the features (NULL: pl_features_default) */
	size_t nfeatures;
	size_t nsets;               /* > 0: candidate sets among `features`, chosen per fold by
				       nested CV (pl_risk_train_options.nsets and its columns) */
	const size_t *set_first, *set_cols;
	const char *const *set_names; /* nsets names (may be NULL): reported per fold */
	int by_size;                /* the recipe by the cohort's size (risk evaluate --cv without
				       --l2 and --features; docs/risk.md, "Small cohorts"): when the
				       smallest training fold has fewer than PL_EPV_WARN events per
				       feature of set 0, the candidate sets and the penalty are chosen
				       by nested CV as with tune_l2; otherwise every fold fits set 0
				       alone at the fixed l2, as if given alone. Needs nsets > 0
				       (PL_ERR_USAGE otherwise). The small branch averages the sets
				       (PL_SELECT_AVERAGE) */
	int select_rule;            /* pl_risk_select_rule of tune_l2 / nsets (0: the least
				       deviance); by_size's small branch is always PL_SELECT_AVERAGE */
	pl_eval_compare compare;
	const pl_comm *comm;        /* processes sharing the folds, clients and bootstrap
				       replicates (peerlink/comm.h, peerlink-mpi); NULL: this one
				       alone. The result does not depend on it */
	/* With comm: own_clients says that this process holds in full only clients own_first ..
	 * own_end - 1 of the set (each process its own, disjoint, in rank order); the others are
	 * stand-ins with their id, attributes and nothing else (no check-ins, events or truth:
	 * ndays 0), and s->with_truth counts every process's clients. Each process then
	 * featurizes and scores its own clients, every fold's model is fitted by all processes
	 * together (pl_risk_train_dist) and the scored rows are gathered (docs/scale.md). Not with
	 * a generator (the references redraw the whole cohort in order). own_clients 0: every
	 * process holds every client. */
	int own_clients;
	size_t own_first, own_end;
} pl_eval_options;

enum pl_eval_baseline {
	PL_BASELINE_LAST_CRAVING = 0, /* the last reported craving */
	PL_BASELINE_MISSED_STREAK,    /* days since the last check-in */
	PL_BASELINE_EWS,              /* mean Kendall trend of rolling variance and AR(1) */
	PL_EVAL_NBASELINES
};

typedef struct pl_eval_subgroup {
	const char *attribute, *value; /* borrowed from the set */
	pl_metrics_report report;
} pl_eval_subgroup;

typedef struct pl_eval_result {
	size_t clients, clients_scored, rows, positives, unlabelled_days, unscored_days, lapses;
	int horizon_days;
	size_t folds;                       /* 0 when a model was given */
	double *fold_moderate, *fold_high;  /* per fold (cross-validation) */
	double *fold_l2;                    /* per fold: its model's penalty (chosen or fixed) */
	size_t *fold_set;                   /* per fold: the candidate set chosen (0 without sets) */
	double *fold_epv;                   /* per fold: events per candidate feature in its training
					       data (pl_risk_dataset_events; PL_EPV_WARN) */
	int tuned;                          /* the folds' penalty or features were searched */
	int small_cohort;                   /* by_size chose nested CV (the cohort is small) */
	const char **fold_names;            /* per fold: the chosen set's name, when the options
					       name the sets (set_names); else NULL */
	double threshold_moderate, threshold_high; /* the model's */
	pl_metrics_report metrics;
	int has_oracle, has_oracle_window;
	pl_metrics_report oracle, oracle_window;
	int has_observable, has_full_information; /* the references (options.generator) */
	pl_metrics_report observable, full_information;
	int has_baselines;
	pl_metrics_report baseline[PL_EVAL_NBASELINES];
	size_t nsubgroups;                  /* by attribute, then value (both in strcmp order) */
	pl_eval_subgroup *subgroups;
	pl_curves curves;                   /* the model's ROC, PR and decision curves */
	/* --compare: both scores on the rows where both are defined (compare_rows of them) */
	int has_compare, compare_probabilities; /* the other score is a probability (Brier) */
	size_t compare_rows, compare_clients;
	pl_metrics_report compare_model, compare_other;
	pl_metrics_pair compare;            /* model minus other */
	double *compare_fold_l2;            /* PL_COMPARE_CV: the other folds' penalties */
	const char **compare_fold_names;    /* PL_COMPARE_CV with named sets: their choice */
	/* the scored rows, when keep_rows was asked: client index, day number, risk, label */
	size_t nrows_kept;
	size_t *row_client;
	int32_t *row_day;
	double *row_risk;
	uint8_t *row_label;
} pl_eval_result;

#define PL_EVAL_CURVE_POINTS 400     /* ROC and PR points at most (evenly thinned) */
#define PL_EVAL_DECISION_STEP 0.005  /* decision-curve threshold grid: 0.005, 0.010, .. */
#define PL_EVAL_DECISION_MAX 0.5     /* .. up to 0.5 */

/* Evaluate the set. PL_ERR_INFEASIBLE when a training fold has no lapse (or no lapse-free day);
 * PL_ERR_INVALID when every client has a hazard but one is shorter than its grid. */
pl_status pl_eval_run(const pl_eval_set *s, const pl_eval_options *o, pl_eval_result *out,
		      pl_error *err);
void pl_eval_result_release(pl_eval_result *r);
/* The baseline's JSON name and description. */
const char *pl_eval_baseline_name(int b);
const char *pl_eval_baseline_description(int b);

#ifdef __cplusplus
}
#endif
#endif
