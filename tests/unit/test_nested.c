/*
 * test_nested.c: choosing the penalty (and the features) by client-grouped cross-validation
 * (issue 12; docs/risk.md, "Choosing the penalty").
 *
 * - The search's out-of-fold deviance of every penalty equals a recomputation written here from
 *   the public pieces (pl_risk_assign_folds over clients, pl_logistic_fit on the other folds'
 *   clients, the log-loss on the held-out clients' rows): the inner folds hold whole clients.
 * - Rows of one client are never split between inner-train and inner-test, even when they are
 *   scattered through the dataset: the recomputation on shuffled rows still agrees.
 * - Nested inside `risk evaluate --cv`: the outer test clients are never seen by their fold's
 *   search: changing every outer-fold-0 client's events leaves fold 0's chosen penalty and
 *   thresholds as they were, while the other folds (which train on those clients) change.
 * - The feature-set search picks the set that carries the signal.
 * - The selection rules: the least deviance (default) and the one-standard-error rule, whose
 *   standard error across the training folds the recomputation also checks.
 * - `risk train --l2 auto` keeps the grid's least-deviance penalty and reports the search.
 * - Averaging the sets (PL_SELECT_AVERAGE): the model is the mean of the members fitted alone.
 * - The recipe by the cohort's size (pl_eval_options.by_size, `risk evaluate --cv` without --l2
 *   and --features): on the same cohort, a first set with few features (10+ events per feature in
 *   every training fold) gives exactly the scores of that set alone at the fixed penalty, and a
 *   first set with many gives exactly those of the nested search averaging the sets (tune_l2,
 *   PL_SELECT_AVERAGE); by_size without candidate sets is a usage error.
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <jansson.h>
#include <peerlink/evaluate.h>
#include <peerlink/json_risk.h>
#include <peerlink/risk.h>
#include <peerlink/rng.h>
#include "testutil.h"

#define NCL 36
#define NROW 25

/* Rows of NCL clients: x0 raises the risk, x1 (mood level: lower is worse) lowers it, x2 is
 * noise; a client effect makes rows of one client alike (as days are). */
static void make_dataset(pl_risk_dataset *ds, unsigned long seed)
{
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	pl_error err = PL_ERROR_INIT;

	gsl_rng_set(g, seed);
	ck_assert_int_eq(pl_risk_dataset_init(ds, 3, &err), PL_OK);
	ds->x = malloc(NCL * NROW * 3 * sizeof(double));
	ds->y = malloc(NCL * NROW * sizeof(double));
	ds->group = malloc(NCL * NROW * sizeof(uint32_t));
	for (size_t c = 0; c < NCL; c++) {
		double u = gsl_ran_gaussian(g, 0.7);
		for (size_t r = 0; r < NROW; r++) {
			size_t i = c * NROW + r;
			double x0 = gsl_ran_gaussian(g, 1) + 0.5 * u, x1 = gsl_ran_gaussian(g, 1),
			       x2 = gsl_ran_gaussian(g, 1);
			double eta = -2.0 + 1.2 * x0 - 0.8 * x1 + u;
			ds->x[i * 3] = x0;
			ds->x[i * 3 + 1] = x1;
			ds->x[i * 3 + 2] = x2;
			ds->y[i] = gsl_rng_uniform(g) < 1 / (1 + exp(-eta));
			ds->group[i] = (uint32_t)c;
			ds->npositive += ds->y[i] > 0.5;
		}
	}
	ds->nrows = ds->cap = NCL * NROW;
	ds->nclients = ds->nclients_used = NCL;
	ds->min_day = 0;
	ds->max_day = NROW - 1;
	gsl_rng_free(g);
}

static const pl_feature_spec three[3] = {
	{ PL_F_LEVEL, PL_M_CRAVING }, { PL_F_LEVEL, PL_M_MOOD }, { PL_F_VAR, PL_M_CRAVING } };

/* The out-of-fold deviance per row at penalty l2, recomputed from the public pieces, and *se its
 * standard error across the K folds as cv.glmnet's cvsd: sqrt(sum_k n_k (d_k - d)^2 / n / (K - 1))
 * with d_k fold k's mean deviance over its n_k held-out rows. */
static double manual_deviance(const pl_risk_dataset *ds, size_t K, unsigned long seed, double l2,
			      double *se)
{
	size_t n = ds->nrows, p = ds->nfeatures, fold[NCL], nk[8] = { 0 };
	double *Z = malloc(n * p * sizeof(double)), *sx = malloc(n * p * sizeof(double));
	double *sy = malloc(n * sizeof(double)), beta[4], dev = 0, dk[8] = { 0 }, var = 0;
	pl_error err = PL_ERROR_INIT;

	for (size_t j = 0; j < p; j++) { /* standardized over every row of the dataset */
		double m = 0, v = 0;
		for (size_t i = 0; i < n; i++)
			m += ds->x[i * p + j];
		m /= n;
		for (size_t i = 0; i < n; i++)
			v += (ds->x[i * p + j] - m) * (ds->x[i * p + j] - m);
		v = sqrt(v / (n - 1));
		for (size_t i = 0; i < n; i++)
			Z[i * p + j] = (ds->x[i * p + j] - m) / v;
	}
	ck_assert_int_eq(pl_risk_assign_folds(NCL, K, seed, PL_RNG_TRAIN_FOLDS, fold, &err), PL_OK);
	for (size_t k = 0; k < K; k++) {
		size_t nt = 0;
		for (size_t i = 0; i < n; i++)
			if (fold[ds->group[i]] != k) {
				memcpy(sx + nt * p, Z + i * p, p * sizeof(double));
				sy[nt++] = ds->y[i];
			}
		ck_assert_int_eq(pl_logistic_fit(sx, sy, NULL, nt, p, l2, beta, NULL, &err), PL_OK);
		/* the signal's directions hold, so the sign rule of training never binds here */
		ck_assert(beta[1] > 0 && beta[2] < 0);
		for (size_t i = 0; i < n; i++)
			if (fold[ds->group[i]] == k) {
				double e = beta[0], pr;
				for (size_t j = 0; j < p; j++)
					e += beta[j + 1] * Z[i * p + j];
				pr = 1 / (1 + exp(-e));
				dk[k] -= ds->y[i] * log(pr) + (1 - ds->y[i]) * log(1 - pr);
				nk[k]++;
			}
		dev += dk[k];
	}
	for (size_t k = 0; k < K; k++)
		var += nk[k] * (dk[k] / nk[k] - dev / n) * (dk[k] / nk[k] - dev / n);
	*se = sqrt(var / n / (K - 1));
	free(Z);
	free(sx);
	free(sy);
	return dev / n;
}

START_TEST(test_search_matches_recomputation)
{
	pl_risk_dataset ds;
	pl_catalogue cat = PL_CATALOGUE_INIT;
	pl_risk_train_options o;
	pl_risk_model m;
	pl_error err = PL_ERROR_INIT;
	double grid[PL_L2_GRID_N], best = INFINITY;
	size_t ibest = 0;

	make_dataset(&ds, 11);
	ck_assert_int_eq(pl_catalogue_init(&cat, &err), PL_OK);
	pl_risk_train_options_init(&o);
	o.folds = 4;
	o.seed = 3;
	o.tune_l2 = 1;
	/* x2 would be oriented (craving variance: higher is worse) and could be dropped by the
	 * sign rule; the recomputation needs a plain fit, so only x0 and x1 enter. */
	ds.nfeatures = 3;
	{
		size_t first[2] = { 0, 2 }, cols[2] = { 0, 1 };
		o.nsets = 1;
		o.set_first = first;
		o.set_cols = cols;
		ck_assert_int_eq(pl_risk_train(&ds, &cat, three, &o, &m, &err), PL_OK);
	}
	pl_risk_l2_grid(ds.npositive, grid);
	ck_assert(m.report.tuned);
	ck_assert_uint_eq(m.report.nsearch, PL_L2_GRID_N);
	ck_assert_uint_eq(m.nfeatures, 2);
	for (size_t g = 0; g < PL_L2_GRID_N; g++) {
		pl_risk_dataset two = ds;
		double want;
		two.nfeatures = 2;
		two.x = malloc(ds.nrows * 2 * sizeof(double));
		for (size_t i = 0; i < ds.nrows; i++) {
			two.x[i * 2] = ds.x[i * 3];
			two.x[i * 2 + 1] = ds.x[i * 3 + 1];
		}
		double want_se;
		want = manual_deviance(&two, 4, 3, grid[g], &want_se);
		free(two.x);
		ck_assert_double_eq_tol(m.report.search[g].l2, grid[g], 1e-12 * grid[g]);
		ck_assert_msg(fabs(m.report.search[g].deviance - want) < 1e-7,
			      "penalty %g: deviance %.10g, recomputed %.10g", grid[g],
			      m.report.search[g].deviance, want);
		ck_assert(want_se > 0);
		ck_assert_msg(fabs(m.report.search[g].se - want_se) < 1e-7,
			      "penalty %g: se %.10g, recomputed %.10g", grid[g],
			      m.report.search[g].se, want_se);
		if (want < best) {
			best = want;
			ibest = g;
		}
	}
	ck_assert_double_eq_tol(m.l2, grid[ibest], 1e-12 * grid[ibest]);
	ck_assert_uint_eq(m.report.events, pl_risk_dataset_events(&ds));
	pl_risk_model_release(&m);
	pl_risk_dataset_release(&ds);
	pl_catalogue_release(&cat);
}
END_TEST

/* Rows of one client scattered through the dataset (interleaved with other clients' rows) are
 * still held out together: the inner folds follow the group, not the row order. */
START_TEST(test_client_never_straddles)
{
	pl_risk_dataset ds, mixed;
	pl_catalogue cat = PL_CATALOGUE_INIT;
	pl_risk_train_options o;
	pl_risk_model m;
	pl_error err = PL_ERROR_INIT;
	size_t first[2] = { 0, 2 }, cols[2] = { 0, 1 }, n;
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	size_t *perm;

	make_dataset(&ds, 5);
	n = ds.nrows;
	perm = malloc(n * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	gsl_ran_shuffle(g, perm, n, sizeof(size_t));
	mixed = ds;
	mixed.x = malloc(n * 3 * sizeof(double));
	mixed.y = malloc(n * sizeof(double));
	mixed.group = malloc(n * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++) {
		memcpy(mixed.x + 3 * i, ds.x + 3 * perm[i], 3 * sizeof(double));
		mixed.y[i] = ds.y[perm[i]];
		mixed.group[i] = ds.group[perm[i]];
	}
	ck_assert_int_eq(pl_catalogue_init(&cat, &err), PL_OK);
	pl_risk_train_options_init(&o);
	o.folds = 3;
	o.seed = 9;
	o.nsets = 1; /* a search over the one set at the fixed penalty */
	o.set_first = first;
	o.set_cols = cols;
	o.l2 = 2.0;
	ck_assert_int_eq(pl_risk_train(&mixed, &cat, three, &o, &m, &err), PL_OK);
	{
		pl_risk_dataset two = mixed;
		double want, want_se;
		two.nfeatures = 2;
		two.x = malloc(n * 2 * sizeof(double));
		for (size_t i = 0; i < n; i++) {
			two.x[i * 2] = mixed.x[i * 3];
			two.x[i * 2 + 1] = mixed.x[i * 3 + 1];
		}
		want = manual_deviance(&two, 3, 9, 2.0, &want_se);
		ck_assert(fabs(m.report.search[0].se - want_se) < 1e-7);
		free(two.x);
		ck_assert_msg(fabs(m.report.search[0].deviance - want) < 1e-7,
			      "deviance %.10g, recomputed %.10g", m.report.search[0].deviance, want);
	}
	ck_assert_double_eq(m.l2, 2.0);
	pl_risk_model_release(&m);
	pl_risk_dataset_release(&mixed);
	pl_risk_dataset_release(&ds);
	pl_catalogue_release(&cat);
	gsl_rng_free(g);
	free(perm);
}
END_TEST

/* The set search prefers the set that carries the signal (x0, x1) over pure noise (x2). */
/* Options for a penalty search over the candidate feature sets set_first/set_cols. */
static void set_search_options(pl_risk_train_options *o, int folds, unsigned long seed,
			       size_t nsets, const size_t *first, const size_t *cols)
{
	pl_risk_train_options_init(o);
	o->folds = folds;
	o->seed = seed;
	o->tune_l2 = 1;
	o->nsets = nsets;
	o->set_first = first;
	o->set_cols = cols;
}

START_TEST(test_set_search_prefers_signal)
{
	pl_risk_dataset ds;
	pl_catalogue cat = PL_CATALOGUE_INIT;
	pl_risk_train_options o;
	pl_risk_model m;
	pl_error err = PL_ERROR_INIT;
	size_t first[3] = { 0, 1, 3 }, cols[3] = { 2, 0, 1 };

	make_dataset(&ds, 21);
	ck_assert_int_eq(pl_catalogue_init(&cat, &err), PL_OK);
	set_search_options(&o, 3, 1, 2, first, cols);
	ck_assert_int_eq(pl_risk_train(&ds, &cat, three, &o, &m, &err), PL_OK);
	ck_assert_uint_eq(m.report.chosen_set, 1);
	ck_assert_uint_eq(m.nfeatures, 2);
	ck_assert_int_eq(m.features[0].measure, PL_M_CRAVING);
	ck_assert_int_eq(m.features[1].measure, PL_M_MOOD);
	ck_assert_uint_eq(m.report.nsearch, 2 * PL_L2_GRID_N);
	/* events per feature counts against the largest candidate set */
	ck_assert_double_eq_tol(m.report.events_per_feature, m.report.events / 2.0, 1e-12);
	pl_risk_model_release(&m);
	pl_risk_dataset_release(&ds);
	pl_catalogue_release(&cat);
}
END_TEST

/* ---- the selection rules (pl_risk_search_choose) ---- */

typedef struct pl_risk_search_entry entry;

/* The least deviance wins by default; ties go to the earlier entry. */
START_TEST(test_choose_least_deviance)
{
	size_t size[2] = { 9, 31 };
	entry e[4] = { { 0, 100, 0.30, 0.02 }, { 0, 10, 0.28, 0.02 }, { 1, 100, 0.27, 0.02 },
		       { 1, 10, 0.27, 0.02 } };

	ck_assert_uint_eq(pl_risk_search_choose(e, 4, size, PL_SELECT_MIN_DEVIANCE), 2);
	ck_assert_uint_eq(pl_risk_search_choose(e, 1, size, PL_SELECT_MIN_DEVIANCE), 0);
}
END_TEST

/* One standard error: the stronger penalty when it is within one SE of the least deviance, the
 * least deviance when nothing simpler is; fewer features first, whatever their penalty. */
START_TEST(test_choose_one_se)
{
	size_t size[2] = { 31, 9 };
	/* one set: 1000 is within 0.01 of the best (l2 = 10, se 0.012), 10000 is not */
	entry a[3] = { { 0, 10000, 0.215, 0.01 }, { 0, 1000, 0.209, 0.01 }, { 0, 10, 0.200, 0.012 } };
	/* the best's se shrinks: nothing is within it, the best stays */
	entry b[3] = { { 0, 10000, 0.215, 0.01 }, { 0, 1000, 0.209, 0.01 }, { 0, 10, 0.200, 0.001 } };
	/* two sets: the 9-feature set at a weak penalty is within one SE of the 31-feature best and
	 * is simpler than the 31-feature set at any penalty; among its entries within the limit the
	 * strongest penalty wins */
	entry c[4] = { { 0, 1000, 0.201, 0.01 }, { 0, 10, 0.200, 0.01 }, { 1, 1000, 0.2095, 0.01 },
		       { 1, 10, 0.205, 0.01 } };
	/* equal sizes and penalties: the earlier set */
	size_t same[2] = { 9, 9 };
	entry d[2] = { { 0, 10, 0.205, 0.01 }, { 1, 10, 0.200, 0.01 } };

	ck_assert_uint_eq(pl_risk_search_choose(a, 3, size, PL_SELECT_ONE_SE), 1);
	ck_assert_uint_eq(pl_risk_search_choose(a, 3, size, PL_SELECT_MIN_DEVIANCE), 2);
	ck_assert_uint_eq(pl_risk_search_choose(b, 3, size, PL_SELECT_ONE_SE), 2);
	ck_assert_uint_eq(pl_risk_search_choose(c, 4, size, PL_SELECT_ONE_SE), 2);
	ck_assert_uint_eq(pl_risk_search_choose(c, 4, size, PL_SELECT_MIN_DEVIANCE), 1);
	ck_assert_uint_eq(pl_risk_search_choose(d, 2, same, PL_SELECT_ONE_SE), 0);
	ck_assert_uint_eq(pl_risk_search_choose(d, 2, same, PL_SELECT_MIN_DEVIANCE), 1);
}
END_TEST

/* Through pl_risk_train: with ONE_SE the chosen penalty is the strongest grid point whose
 * deviance is within the least one's standard error (both read from the training report); on
 * this dataset that is a stronger penalty than the least-deviance choice. */
START_TEST(test_train_one_se)
{
	pl_risk_dataset ds;
	pl_catalogue cat = PL_CATALOGUE_INIT;
	pl_risk_train_options o;
	pl_risk_model m1, m2;
	pl_error err = PL_ERROR_INIT;
	size_t first[2] = { 0, 2 }, cols[2] = { 0, 1 }, best = 0, want = 0;

	make_dataset(&ds, 11);
	ck_assert_int_eq(pl_catalogue_init(&cat, &err), PL_OK);
	set_search_options(&o, 4, 3, 1, first, cols);
	ck_assert_int_eq(pl_risk_train(&ds, &cat, three, &o, &m1, &err), PL_OK);
	o.select_rule = PL_SELECT_ONE_SE;
	ck_assert_int_eq(pl_risk_train(&ds, &cat, three, &o, &m2, &err), PL_OK);
	ck_assert_int_eq(m1.report.rule, PL_SELECT_MIN_DEVIANCE);
	ck_assert_int_eq(m2.report.rule, PL_SELECT_ONE_SE);
	for (size_t g = 1; g < m2.report.nsearch; g++)
		if (m2.report.search[g].deviance < m2.report.search[best].deviance)
			best = g;
	want = best;
	for (size_t g = 0; g < best; g++) /* the grid runs strongest first */
		if (m2.report.search[g].deviance <=
		    m2.report.search[best].deviance + m2.report.search[best].se) {
			want = g;
			break;
		}
	ck_assert_double_eq(m1.l2, m2.report.search[best].l2);
	ck_assert_double_eq(m2.l2, m2.report.search[want].l2);
	ck_assert(m2.l2 > m1.l2); /* on this data the rule binds: a stronger penalty */
	pl_risk_model_release(&m1);
	pl_risk_model_release(&m2);
	pl_risk_dataset_release(&ds);
	pl_catalogue_release(&cat);
}
END_TEST

/* ---- nested inside risk evaluate --cv ---- */

static char *run_ok(const char *const *args)
{
	tu_run r;
	char *out;
	ck_assert_int_eq(tu_run_cli(args, "", &r), 0);
	ck_assert_msg(r.exit_code == 0, "stderr: %s", r.err);
	out = strdup(r.out);
	tu_run_release(&r);
	return out;
}

/* Every line of a JSON Lines cohort whose client is in outer fold 0 loses its events. */
static char *drop_fold0_events(const char *jsonl, size_t n, size_t K, unsigned long seed)
{
	size_t *fold = malloc(n * sizeof(size_t)), len = strlen(jsonl), k = 0;
	char *out = malloc(len + 1), *copy = strdup(jsonl), *save = NULL;
	pl_error err = PL_ERROR_INIT;

	ck_assert_int_eq(pl_risk_assign_folds(n, K, seed, PL_RNG_EVAL_FOLDS, fold, &err), PL_OK);
	out[0] = '\0';
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save), k++) {
		json_t *obj = json_loads(line, 0, NULL);
		char *text;
		ck_assert_ptr_nonnull(obj);
		if (fold[k] == 0)
			json_object_set_new(obj, "events", json_array());
		text = json_dumps(obj, JSON_COMPACT);
		out = realloc(out, strlen(out) + strlen(text) + 2);
		strcat(out, text);
		strcat(out, "\n");
		free(text);
		json_decref(obj);
	}
	ck_assert_uint_eq(k, n);
	free(copy);
	free(fold);
	return out;
}

START_TEST(test_outer_test_clients_unseen)
{
	const char *gen[] = { "dataset", "generate", "checkins", "--clients", "60", "--days", "100",
			      "--seed", "8", "--jsonl", "--no-truth", "--no-timing", NULL };
	char *cohort = run_ok(gen), *p1 = tu_write_temp(cohort, ".jsonl"), *changed, *p2;
	const char *ev[] = { "risk", "evaluate", "--cv", "3", "--l2", "auto", "--bootstrap", "0",
			     "--seed", "4", "--jsonl", "--no-timing", "--input", NULL, NULL };
	char *o1, *o2;
	json_t *d1, *d2, *l1, *l2;
	int other_changed = 0;

	changed = drop_fold0_events(cohort, 60, 3, 4);
	p2 = tu_write_temp(changed, ".jsonl");
	ev[13] = p1;
	o1 = run_ok(ev);
	ev[13] = p2;
	o2 = run_ok(ev);
	d1 = json_loads(o1, 0, NULL);
	d2 = json_loads(o2, 0, NULL);
	l1 = json_object_get(json_object_get(json_object_get(d1, "model"), "penalty"), "l2");
	l2 = json_object_get(json_object_get(json_object_get(d2, "model"), "penalty"), "l2");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(d1, "model"),
		"penalty"), "rule")), "nested client-grouped cross-validation");
	ck_assert_uint_eq(json_array_size(l1), 3);
	ck_assert(json_equal(json_array_get(l1, 0), json_array_get(l2, 0)));
	ck_assert(json_equal(json_array_get(json_object_get(json_object_get(d1, "model"), "fold_thresholds"), 0),
			     json_array_get(json_object_get(json_object_get(d2, "model"), "fold_thresholds"), 0)));
	for (size_t f = 1; f < 3; f++)
		other_changed |= !json_equal(
			json_array_get(json_object_get(json_object_get(d1, "model"), "fold_thresholds"), f),
			json_array_get(json_object_get(json_object_get(d2, "model"), "fold_thresholds"), f));
	ck_assert_msg(other_changed, "the folds that train on fold 0's clients must change");
	json_decref(d1);
	json_decref(d2);
	free(o1);
	free(o2);
	remove(p1);
	remove(p2);
	free(p1);
	free(p2);
	free(cohort);
	free(changed);
}
END_TEST

/* risk train --l2 auto: the model keeps the grid point of least deviance and says how it chose. */
START_TEST(test_train_l2_auto)
{
	const char *gen[] = { "dataset", "generate", "checkins", "--clients", "60", "--days", "100",
			      "--seed", "8", "--jsonl", "--no-truth", "--no-timing", NULL };
	char *cohort = run_ok(gen), *path = tu_write_temp(cohort, ".jsonl"), *out;
	const char *tr[] = { "risk", "train", "--l2", "auto", "--jsonl", "--no-timing", "--input", path,
			     NULL };
	json_t *m, *pen, *search;
	double best = INFINITY, best_l2 = NAN;

	out = run_ok(tr);
	m = json_loads(out, 0, NULL);
	ck_assert_ptr_nonnull(m);
	pen = json_object_get(json_object_get(m, "training"), "penalty");
	search = json_object_get(pen, "search");
	ck_assert_uint_eq(json_array_size(search), PL_L2_GRID_N);
	for (size_t k = 0; k < json_array_size(search); k++) {
		double d = json_number_value(json_object_get(json_array_get(search, k), "deviance"));
		if (d < best) {
			best = d;
			best_l2 = json_number_value(json_object_get(json_array_get(search, k), "l2"));
		}
	}
	ck_assert_double_eq_tol(json_number_value(json_object_get(m, "l2")), best_l2, 1e-5 * best_l2);
	ck_assert(json_integer_value(json_object_get(pen, "events")) > 0);
	json_decref(m);
	free(out);
	remove(path);
	free(path);
	free(cohort);
}
END_TEST

/* ds restricted to columns cols[0 .. nc) (labels and clients copied). */
static void project(const pl_risk_dataset *ds, const size_t *cols, size_t nc, pl_risk_dataset *out)
{
	pl_error err = PL_ERROR_INIT;

	ck_assert_int_eq(pl_risk_dataset_init(out, nc, &err), PL_OK);
	out->x = malloc(ds->nrows * nc * sizeof(double));
	out->y = malloc(ds->nrows * sizeof(double));
	out->group = malloc(ds->nrows * sizeof(uint32_t));
	for (size_t i = 0; i < ds->nrows; i++) {
		for (size_t j = 0; j < nc; j++)
			out->x[i * nc + j] = ds->x[i * ds->nfeatures + cols[j]];
		out->y[i] = ds->y[i];
		out->group[i] = ds->group[i];
	}
	out->nrows = out->cap = ds->nrows;
	out->npositive = ds->npositive;
	out->nclients = ds->nclients;
	out->nclients_used = ds->nclients_used;
	out->min_day = ds->min_day;
	out->max_day = ds->max_day;
}

/* PL_SELECT_AVERAGE (issue 12, small cohorts): the model is the mean of the members, each
 * candidate set fitted alone at its own least-deviance penalty of the search: on the union of
 * the sets' columns (in the dataset's order), coefficient j is the sum over the sets holding
 * column j of that set's coefficient, divided by the number of sets (a set without the column
 * contributes 0), and the intercept is the members' mean; the report names the rule, and the
 * chosen set and l2 are the least deviance's. The same model whatever the number of threads. */
START_TEST(test_average_of_members)
{
	pl_risk_dataset ds;
	pl_catalogue cat = PL_CATALOGUE_INIT;
	pl_risk_train_options o;
	pl_risk_model m, m2, ms[2];
	pl_error err = PL_ERROR_INIT;
	/* set 0 = {var (noise), craving level}, set 1 = {craving level, mood level} */
	size_t first[3] = { 0, 2, 4 }, cols[4] = { 2, 0, 0, 1 };
	double l2[2], coef[3] = { 0, 0, 0 }, icpt = 0;
	size_t best[2] = { SIZE_MAX, SIZE_MAX }, least = 0;

	make_dataset(&ds, 21);
	ck_assert_int_eq(pl_catalogue_init(&cat, &err), PL_OK);
	set_search_options(&o, 3, 1, 2, first, cols);
	o.select_rule = PL_SELECT_AVERAGE;
	ck_assert_int_eq(pl_risk_train(&ds, &cat, three, &o, &m, &err), PL_OK);
	ck_assert_int_eq(m.report.rule, PL_SELECT_AVERAGE);
	ck_assert_uint_eq(m.report.nsearch, 2 * PL_L2_GRID_N);
	ck_assert_uint_eq(m.nfeatures, 3);
	for (size_t j = 0; j < 3; j++) {
		ck_assert_int_eq(m.features[j].kind, three[j].kind);
		ck_assert_int_eq(m.features[j].measure, three[j].measure);
	}
	for (size_t i = 0; i < m.report.nsearch; i++) {
		const struct pl_risk_search_entry *e = &m.report.search[i];
		if (best[e->set] == SIZE_MAX || e->deviance < m.report.search[best[e->set]].deviance)
			best[e->set] = i;
		if (e->deviance < m.report.search[least].deviance)
			least = i;
	}
	ck_assert_uint_eq(m.report.chosen_set, m.report.search[least].set);
	ck_assert_double_eq(m.l2, m.report.search[least].l2);
	for (size_t s = 0; s < 2; s++) { /* each member alone: its set at its penalty, fixed */
		pl_risk_train_options os;
		pl_risk_dataset sub;
		pl_feature_spec fs[2] = { three[cols[2 * s]], three[cols[2 * s + 1]] };
		l2[s] = m.report.search[best[s]].l2;
		pl_risk_train_options_init(&os);
		os.folds = 3;
		os.seed = 1;
		os.l2 = l2[s];
		project(&ds, cols + first[s], 2, &sub);
		ck_assert_int_eq(pl_risk_train(&sub, &cat, fs, &os, &ms[s], &err), PL_OK);
		icpt += ms[s].intercept;
		for (size_t j = 0; j < 2; j++) {
			coef[cols[first[s] + j]] += ms[s].coef[j];
			/* the same standardization as the union's column */
			ck_assert_double_eq_tol(ms[s].mean[j], m.mean[cols[first[s] + j]], 1e-12);
			ck_assert_double_eq_tol(ms[s].sd[j], m.sd[cols[first[s] + j]], 1e-12);
		}
		pl_risk_dataset_release(&sub);
	}
	ck_assert_double_eq_tol(m.intercept, icpt / 2, 1e-9);
	for (size_t j = 0; j < 3; j++)
		ck_assert_double_eq_tol(m.coef[j], coef[j] / 2, 1e-9);
	ck_assert(ms[0].coef[0] != 0 || ms[0].coef[1] != 0);
	/* the members differ (else the average would test nothing) */
	ck_assert(fabs(ms[0].intercept - ms[1].intercept) > 1e-6 || l2[0] != l2[1]);
	/* threads change nothing */
	o.threads = 2;
	ck_assert_int_eq(pl_risk_train(&ds, &cat, three, &o, &m2, &err), PL_OK);
	ck_assert(m2.intercept == m.intercept);
	ck_assert(memcmp(m2.coef, m.coef, 3 * sizeof(double)) == 0);
	ck_assert(m2.cal.a == m.cal.a && m2.cal.b == m.cal.b);
	pl_risk_model_release(&m);
	pl_risk_model_release(&m2);
	pl_risk_model_release(&ms[0]);
	pl_risk_model_release(&ms[1]);
	pl_risk_dataset_release(&ds);
	pl_catalogue_release(&cat);
}
END_TEST

/* The scored rows of pl_eval_run on s with o (keep_rows), and whether it searched. */
static double *eval_risks(const pl_eval_set *s, pl_eval_options *o, size_t *n, int *tuned,
			  int *small)
{
	pl_eval_result r;
	pl_error err = PL_ERROR_INIT;
	double *risk;

	o->keep_rows = 1;
	ck_assert_msg(pl_eval_run(s, o, &r, &err) == PL_OK, "%s", err.message);
	*n = r.nrows_kept;
	risk = malloc(*n * sizeof(double));
	memcpy(risk, r.row_risk, *n * sizeof(double));
	*tuned = r.tuned;
	*small = r.small_cohort;
	pl_eval_result_release(&r);
	return risk;
}

static void eval_options(pl_eval_options *o, const pl_feature_spec *f, size_t nf)
{
	memset(o, 0, sizeof(*o));
	o->folds = 3;
	o->seed = 4;
	o->threads = 1;
	o->horizon_days = 7;
	o->stride = 1;
	o->l2 = 1;
	pl_metrics_options_init(&o->metrics);
	o->metrics.bootstrap = 0;
	o->features = f;
	o->nfeatures = nf;
}

START_TEST(test_recipe_by_size)
{
	const char *gen[] = { "dataset", "generate", "checkins", "--clients", "80", "--days", "120",
			      "--seed", "3", "--jsonl", "--no-truth", "--no-timing", NULL };
	char *cohort = run_ok(gen), *save = NULL;
	pl_eval_set s = PL_EVAL_SET_INIT;
	pl_eval_options o;
	pl_error err = PL_ERROR_INIT;
	/* set A = {craving.last}; set B = {craving.last, the levels of craving, mood, stress} */
	static const pl_feature_spec f[4] = { { PL_F_LAST, PL_M_CRAVING }, { PL_F_LEVEL, PL_M_CRAVING },
					      { PL_F_LEVEL, PL_M_MOOD }, { PL_F_LEVEL, PL_M_STRESS } };
	size_t a_first[3] = { 0, 1, 5 }, a_cols[5] = { 0, 0, 1, 2, 3 };
	size_t b_first[3] = { 0, 4, 5 }, b_cols[5] = { 0, 1, 2, 3, 0 };
	size_t n1, n2;
	int t1, t2, s1, s2;
	double *r1, *r2;

	ck_assert_int_eq(pl_catalogue_init(&s.cat, &err), PL_OK);
	for (char *line = strtok_r(cohort, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *obj = json_loads(line, 0, NULL);
		ck_assert_int_eq(pl_eval_client_from_json(&s, obj, "", &err), PL_OK);
		json_decref(obj);
	}
	ck_assert_uint_eq(s.n, 80);
	/* first set A (one feature): large enough, so A alone at l2 = 1 */
	eval_options(&o, f, 4);
	o.nsets = 2;
	o.set_first = a_first;
	o.set_cols = a_cols;
	o.by_size = 1;
	r1 = eval_risks(&s, &o, &n1, &t1, &s1);
	eval_options(&o, f, 1);
	r2 = eval_risks(&s, &o, &n2, &t2, &s2);
	ck_assert_int_eq(s1, 0);
	ck_assert_int_eq(t1, 0);
	ck_assert_int_eq(t2, 0);
	ck_assert_uint_eq(n1, n2);
	ck_assert(n1 > 80 * 80);
	ck_assert(memcmp(r1, r2, n1 * sizeof(double)) == 0);
	free(r1);
	free(r2);
	/* first set B (four features): below 10 events per feature, so the nested search */
	eval_options(&o, f, 4);
	o.nsets = 2;
	o.set_first = b_first;
	o.set_cols = b_cols;
	o.by_size = 1;
	r1 = eval_risks(&s, &o, &n1, &t1, &s1);
	o.by_size = 0;
	o.tune_l2 = 1;
	o.select_rule = PL_SELECT_AVERAGE;
	r2 = eval_risks(&s, &o, &n2, &t2, &s2);
	ck_assert_int_eq(s1, 1);
	ck_assert_int_eq(t1, 1);
	ck_assert_int_eq(s2, 0);
	ck_assert_uint_eq(n1, n2);
	ck_assert(memcmp(r1, r2, n1 * sizeof(double)) == 0);
	/* and the fixed recipe of set B alone differs: the switch did something */
	eval_options(&o, f, 4);
	free(r2);
	r2 = eval_risks(&s, &o, &n2, &t2, &s2);
	ck_assert_uint_eq(n1, n2);
	ck_assert(memcmp(r1, r2, n1 * sizeof(double)) != 0);
	free(r1);
	free(r2);
	/* by_size without candidate sets has nothing to choose: an error, not silently the fixed
	 * recipe (review of issue 12) */
	{
		pl_eval_result res;
		eval_options(&o, f, 4);
		o.by_size = 1;
		ck_assert_int_eq(pl_eval_run(&s, &o, &res, &err), PL_ERR_USAGE);
		ck_assert_ptr_nonnull(strstr(err.message, "by_size"));
		pl_eval_result_release(&res);
	}
	pl_eval_set_release(&s);
	free(cohort);
}
END_TEST

static Suite *nested_suite(void)
{
	Suite *s = suite_create("nested");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_search_matches_recomputation);
	tcase_add_test(tc, test_client_never_straddles);
	tcase_add_test(tc, test_set_search_prefers_signal);
	tcase_add_test(tc, test_choose_least_deviance);
	tcase_add_test(tc, test_choose_one_se);
	tcase_add_test(tc, test_train_one_se);
	tcase_add_test(tc, test_outer_test_clients_unseen);
	tcase_add_test(tc, test_train_l2_auto);
	tcase_add_test(tc, test_recipe_by_size);
	tcase_add_test(tc, test_average_of_members);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nested_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
