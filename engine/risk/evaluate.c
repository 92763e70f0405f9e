/*
 * evaluate.c: a risk model judged on labelled clients (peerlink/evaluate.h): scores from a model
 * or from client-grouped cross-validation, the scored client-day rows, the metrics with bootstrap
 * intervals, the oracle, three baselines and per-attribute subgroups.
 *
 * Why rows are built once: the model, the oracle and the baselines must be judged on the same
 * client-days (a defined label and a defined risk), so each row carries every score side by side.
 *
 * Speed: every client's training rows are featurized once and shared by the folds (a fold's
 * training set is the full set minus its clients' rows), and its scoring features (the model's
 * and the EWS baseline's) in one more pass; both passes run on worker threads, one client at a
 * time, each client's answer written to its own slot, so the result does not depend on the
 * number of threads.
 */
#include <peerlink/evaluate.h>
#include <peerlink/rng.h>
#include "units_int.h"
#include "risk_int.h"
#include "workers_int.h"
#include "reference_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* ---------------------------------------------------------------- the set */

pl_eval_client *pl_eval_set_push(pl_eval_set *s, pl_error *err)
{
	pl_eval_client *e;

	if (s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 64;
		pl_eval_client *n = realloc(s->cl, nc * sizeof(*n));
		if (!n) {
			pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
			return NULL;
		}
		s->cl = n;
		s->cap = nc;
	}
	e = &s->cl[s->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

void pl_eval_set_release(pl_eval_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		pl_eval_client *e = &s->cl[i];
		pl_client_release(&e->client);
		free(e->hazard);
		for (size_t k = 0; k < e->nattrs; k++) {
			free(e->attr_name[k]);
			free(e->attr_value[k]);
		}
		free(e->attr_name);
		free(e->attr_value);
	}
	free(s->cl);
	pl_catalogue_release(&s->cat);
	memset(s, 0, sizeof(*s));
}

/* ---------------------------------------------------------------- rows */

typedef struct rows {
	size_t n, cap;
	double *risk, *oracle, *oracle_window, *baseline[PL_EVAL_NBASELINES];
	double *other;         /* --compare's model (NaN where it has no risk; else unused) */
	double *observable, *full_information; /* the references, when asked (else NULL) */
	uint8_t *label;
	int8_t *tier;
	int32_t *day;
	size_t *row_first;     /* nclients + 1 */
	size_t *lapse_first;   /* nclients + 1 */
	int32_t *lapse_day;
	size_t nlapses;
	size_t unlabelled, unscored;
} rows;

static void rows_release(rows *r)
{
	free(r->risk);
	free(r->other);
	free(r->oracle);
	free(r->oracle_window);
	free(r->observable);
	free(r->full_information);
	for (int b = 0; b < PL_EVAL_NBASELINES; b++)
		free(r->baseline[b]);
	free(r->label);
	free(r->tier);
	free(r->day);
	free(r->row_first);
	free(r->lapse_first);
	free(r->lapse_day);
	memset(r, 0, sizeof(*r));
}

static int grow(void **p, size_t n, size_t size)
{
	void *q = realloc(*p, n * size);
	if (!q)
		return -1;
	*p = q;
	return 0;
}

static int rows_reserve(rows *r, size_t more)
{
	size_t need = r->n + more, nc;
	if (need <= r->cap)
		return 0;
	nc = r->cap ? r->cap : 4096;
	while (nc < need)
		nc *= 2;
	if (grow((void **)&r->risk, nc, sizeof(double)) || grow((void **)&r->oracle, nc, sizeof(double)) ||
	    grow((void **)&r->other, nc, sizeof(double)) ||
	    grow((void **)&r->oracle_window, nc, sizeof(double)) ||
	    grow((void **)&r->label, nc, sizeof(uint8_t)) || grow((void **)&r->tier, nc, sizeof(int8_t)) ||
	    grow((void **)&r->day, nc, sizeof(int32_t)))
		return -1;
	for (int b = 0; b < PL_EVAL_NBASELINES; b++)
		if (grow((void **)&r->baseline[b], nc, sizeof(double)))
			return -1;
	r->cap = nc;
	return 0;
}

/* The EWS-only baseline: mean of the Kendall trends of rolling variance and lag-1
 * autocorrelation over the numeric standard measures (Dakos et al., PLoS ONE 2012). */
static const char *const ews_features[] = {
	"craving.var_tau", "craving.ar1_tau", "mood.var_tau", "mood.ar1_tau",
	"stress.var_tau", "stress.ar1_tau", "anxiety.var_tau", "anxiety.ar1_tau",
	"sleep_hours.var_tau", "sleep_hours.ar1_tau", "sleep_quality.var_tau", "sleep_quality.ar1_tau",
};
#define NEWS (sizeof(ews_features) / sizeof(ews_features[0]))

static const struct {
	const char *name, *desc;
} baselines[PL_EVAL_NBASELINES] = {
	{ "last_craving", "the last reported craving" },
	{ "missed_streak", "days since the last check-in" },
	{ "ews", "mean Kendall trend of rolling variance and AR(1) over the 0-10 measures" },
};

const char *pl_eval_baseline_name(int b)
{
	return b >= 0 && b < PL_EVAL_NBASELINES ? baselines[b].name : "";
}

const char *pl_eval_baseline_description(int b)
{
	return b >= 0 && b < PL_EVAL_NBASELINES ? baselines[b].desc : "";
}

/* The oracles of row k: the day's hazard, and the chance of a lapse within the horizon given the
 * true future hazards (a positive label near the end of follow-up has its window cut short: the
 * hazards that exist are used). */
static void oracle_scores(rows *r, size_t k, const pl_eval_client *e, size_t t, int horizon)
{
	r->oracle[k] = e->hazard && t < e->nhazard ? e->hazard[t] : NAN;
	r->oracle_window[k] = NAN;
	if (e->hazard && t < e->nhazard) {
		double surv = 1;
		for (size_t h = 1; h <= (size_t)horizon && t + h < e->nhazard; h++)
			surv *= 1 - e->hazard[t + h];
		r->oracle_window[k] = 1 - surv;
	}
}

static double ews_mean(const double *ewsv)
{
	double sum = 0;
	int cnt = 0;
	for (size_t j = 0; j < NEWS; j++)
		if (!isnan(ewsv[j])) {
			sum += ewsv[j];
			cnt++;
		}
	return cnt ? sum / cnt : -2;
}

/* Scores of every grid day of every client, client i's days from day_first[i]: the risk and tier
 * of its model and the EWS baseline's mean trend. Filled by the scoring workers. */
typedef struct day_scores {
	size_t *day_first; /* nclients + 1 */
	double *risk, *ews;
	double *other;     /* --compare's model (a model file or the cv: recipe), else NULL */
	int8_t *tier;
} day_scores;

static void day_scores_release(day_scores *d)
{
	free(d->day_first);
	free(d->other);
	free(d->risk);
	free(d->ews);
	free(d->tier);
}

/* Append client ci's rows from its day scores. */
static pl_status add_rows(rows *r, const pl_eval_set *s, size_t ci, const day_scores *ds,
			  int horizon, pl_error *err)
{
	const pl_eval_client *e = &s->cl[ci];
	const pl_client *c = &e->client;
	const double *risk = ds->risk + ds->day_first[ci], *ewsm = ds->ews + ds->day_first[ci];
	const int8_t *tier = ds->tier + ds->day_first[ci];
	/* training's rule (pl_followup_end, the document's end unknown: each client's grid end) */
	int32_t follow_end = pl_followup_end(c, INT32_MIN);
	double last_crav = -1;
	long last_checkin = -1;

	r->row_first[ci] = r->n;
	if (rows_reserve(r, c->ndays))
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t t = 0; t < c->ndays; t++) {
		int32_t day = c->start + (int32_t)t;
		int lab = pl_client_label(c, day, horizon, follow_end);
		double cr = c->values[PL_M_CRAVING * c->ndays + t];
		size_t k;

		if (!isnan(cr))
			last_crav = cr;
		if (c->checked_in[t])
			last_checkin = (long)t;
		/* The whole window must lie in follow-up whatever the label, as in training: keeping
		 * positives whose window runs past the end would favour lapses on the last days. */
		if (lab < 0 || (int64_t)day + horizon > follow_end) {
			r->unlabelled++;
			continue;
		}
		if (isnan(risk[t])) {
			r->unscored++;
			continue;
		}
		k = r->n++;
		r->risk[k] = risk[t];
		r->other[k] = ds->other ? ds->other[ds->day_first[ci] + t] : NAN;
		r->tier[k] = tier[t];
		r->label[k] = (uint8_t)lab;
		r->day[k] = day;
		oracle_scores(r, k, e, t, horizon);
		r->baseline[PL_BASELINE_LAST_CRAVING][k] = last_crav;
		r->baseline[PL_BASELINE_MISSED_STREAK][k] = (double)((long)t - last_checkin);
		r->baseline[PL_BASELINE_EWS][k] = ewsm[t];
	}
	return PL_OK;
}

/* Lapse and relapse days per client, for lead times. */
static pl_status collect_lapses(rows *r, const pl_eval_set *s, pl_error *err)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++)
		for (size_t e = 0; e < s->cl[i].client.nevents; e++)
			r->nlapses += (size_t)pl_event_is_lapse(s->cl[i].client.events[e].type);
	r->lapse_day = malloc((r->nlapses ? r->nlapses : 1) * sizeof(int32_t));
	if (!r->lapse_day)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		const pl_client *c = &s->cl[i].client;
		r->lapse_first[i] = k;
		for (size_t e = 0; e < c->nevents; e++)
			if (pl_event_is_lapse(c->events[e].type))
				r->lapse_day[k++] = c->events[e].day;
	}
	r->lapse_first[s->n] = k;
	return PL_OK;
}

/* ---------------------------------------------------------------- scores */

/* ---- training rows: every client featurized once, on the workers ---- */

typedef struct train_ctx {
	const pl_eval_set *s;
	const pl_feature_spec *features;
	size_t nfeatures;
	const pl_risk_train_options *to;
	pl_risk_dataset *per_client; /* one small dataset per client */
	size_t own_first, own_end;   /* the clients this process holds in full */
} train_ctx;

static pl_status featurize_client(void *arg, size_t i, pl_error *err)
{
	train_ctx *x = arg;
	pl_status st = pl_risk_dataset_init(&x->per_client[i], x->nfeatures, err);
	if (st == PL_OK && i >= x->own_first && i < x->own_end)
		st = pl_risk_dataset_add_client(&x->per_client[i], &x->s->cl[i].client, &x->s->cat,
						x->features, x->to, err);
	return st;
}

/* Client i's rows for a process that did not featurize it (units_int.h): the dataset's numbers,
 * then its rows. */
static void pack_client_rows(void *arg, size_t i, pl__bytes *b)
{
	const pl_risk_dataset *d = &((train_ctx *)arg)->per_client[i];

	pl__bytes_put(b, d, sizeof(*d));
	pl__bytes_put(b, d->x, d->nrows * d->nfeatures * sizeof(double));
	pl__bytes_put(b, d->y, d->nrows * sizeof(double));
	pl__bytes_put(b, d->group, d->nrows * sizeof(uint32_t));
}

static pl_status unpack_client_rows(void *arg, size_t i, pl__reader *r, pl_error *err)
{
	pl_risk_dataset *d = &((train_ctx *)arg)->per_client[i];
	size_t n;

	pl__read(r, d, sizeof(*d));
	if (r->bad) { /* reported by the caller; nothing here to free */
		memset(d, 0, sizeof(*d));
		return PL_OK;
	}
	n = d->nrows;
	d->cap = n;
	d->x = malloc((n ? n : 1) * d->nfeatures * sizeof(double));
	d->y = malloc((n ? n : 1) * sizeof(double));
	d->group = malloc((n ? n : 1) * sizeof(uint32_t));
	if (!d->x || !d->y || !d->group)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	pl__read(r, d->x, n * d->nfeatures * sizeof(double));
	pl__read(r, d->y, n * sizeof(double));
	pl__read(r, d->group, n * sizeof(uint32_t));
	return PL_OK;
}

static const pl__units featurize_units = { featurize_client, pack_client_rows, unpack_client_rows };

/* The clients' datasets one after the other, the group of a row being its client's index. */
static pl_status merge_clients(pl_risk_dataset *per, size_t n, size_t nf, pl_risk_dataset *all,
			       pl_error *err)
{
	size_t nrows = 0, k = 0;

	pl_risk_dataset_init(all, nf, err);
	for (size_t i = 0; i < n; i++)
		nrows += per[i].nrows;
	all->x = malloc((nrows ? nrows : 1) * nf * sizeof(double));
	all->y = malloc((nrows ? nrows : 1) * sizeof(double));
	all->group = malloc((nrows ? nrows : 1) * sizeof(uint32_t));
	if (!all->x || !all->y || !all->group)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	all->cap = nrows;
	for (size_t i = 0; i < n; i++) {
		pl_risk_dataset *d = &per[i];
		if (d->nrows) { /* a client without rows may have no arrays: memcpy from NULL is UB */
			memcpy(all->x + k * nf, d->x, d->nrows * nf * sizeof(double));
			memcpy(all->y + k, d->y, d->nrows * sizeof(double));
		}
		for (size_t r = 0; r < d->nrows; r++)
			all->group[k + r] = (uint32_t)i;
		k += d->nrows;
		all->npositive += d->npositive;
		all->nclients_used += d->nclients_used;
		if (d->nrows && d->min_day < all->min_day)
			all->min_day = d->min_day;
		if (d->nrows && d->max_day > all->max_day)
			all->max_day = d->max_day;
		pl_risk_dataset_release(d);
	}
	all->nrows = nrows;
	all->nclients = n;
	return PL_OK;
}

/* Fold f's training set: the rows of the other folds' clients, numbered as if those clients had
 * been added alone, in order (what pl_risk_dataset_add_client would have built). */
static pl_status fold_subset(const pl_risk_dataset *all, const size_t *fold, size_t n, size_t f,
			     const size_t *cols, size_t ncols, pl_risk_dataset *sub, pl_error *err)
{
	size_t na = all->nfeatures, nf = cols ? ncols : na, k = 0;
	size_t *rank = malloc((n ? n : 1) * sizeof(size_t));
	uint8_t *used = calloc(n ? n : 1, 1);

	pl_risk_dataset_init(sub, nf, err);
	sub->x = malloc((all->nrows ? all->nrows : 1) * nf * sizeof(double));
	sub->y = malloc((all->nrows ? all->nrows : 1) * sizeof(double));
	sub->group = malloc((all->nrows ? all->nrows : 1) * sizeof(uint32_t));
	if (!rank || !used || !sub->x || !sub->y || !sub->group) {
		free(rank);
		free(used);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		if (fold[i] != f)
			rank[i] = sub->nclients++;
	for (size_t r = 0; r < all->nrows; r++) {
		uint32_t g = all->group[r];
		if (fold[g] == f)
			continue;
		if (cols)
			for (size_t j = 0; j < nf; j++)
				sub->x[k * nf + j] = all->x[r * na + cols[j]];
		else
			memcpy(sub->x + k * nf, all->x + r * na, nf * sizeof(double));
		sub->y[k] = all->y[r];
		sub->group[k] = (uint32_t)rank[g];
		sub->npositive += all->y[r] > 0.5;
		used[g] = 1;
		k++;
	}
	for (size_t i = 0; i < n; i++)
		sub->nclients_used += used[i];
	sub->nrows = sub->cap = k;
	sub->min_day = all->min_day;
	sub->max_day = all->max_day;
	free(rank);
	free(used);
	return PL_OK;
}

/* A cross-validated model's recipe (the options' own, or --compare's cv: one) placed on the
 * union of the features every recipe needs: its columns there, and its candidate sets as union
 * columns. */
typedef struct recipe {
	pl_risk_train_options to;
	pl_feature_spec *features; /* its own features (owned) */
	size_t nfeatures;
	size_t *cols;              /* nfeatures: their union columns (owned) */
	size_t *set_cols;          /* candidate sets in union columns (owned; NULL without sets) */
} recipe;

static void recipe_release(recipe *r)
{
	free(r->features);
	free(r->cols);
	free(r->set_cols);
}

/* The recipe's features and training options (the union columns come later). */
static pl_status recipe_init(recipe *r, const pl_eval_set *s, const pl_eval_options *o,
			     const pl_feature_spec *features, size_t nfeatures, double l2,
			     int tune_l2, size_t nsets, const size_t *set_first,
			     const size_t *set_cols, pl_error *err)
{
	memset(r, 0, sizeof(*r));
	pl_risk_train_options_init(&r->to);
	r->to.horizon_days = o->horizon_days;
	r->to.seed = o->seed;
	r->to.stride = o->stride;
	if (l2 > 0)
		r->to.l2 = l2;
	r->to.tune_l2 = tune_l2;
	r->to.nsets = nsets;
	r->to.set_first = set_first;
	r->to.set_cols = set_cols;
	if (!features)
		return pl_features_default(&s->cat, &r->features, &r->nfeatures, err);
	r->nfeatures = nfeatures;
	r->features = malloc((nfeatures ? nfeatures : 1) * sizeof(*r->features));
	if (!r->features)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	memcpy(r->features, features, nfeatures * sizeof(*features));
	return PL_OK;
}

/* Add the recipe's features to the union (u, *nu of capacity cap) and map its columns. */
static pl_status recipe_place(recipe *r, pl_feature_spec *u, size_t *nu, size_t cap, pl_error *err)
{
	r->cols = malloc((r->nfeatures ? r->nfeatures : 1) * sizeof(size_t));
	if (!r->cols)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t j = 0; j < r->nfeatures; j++) {
		size_t k = 0;
		while (k < *nu && !(u[k].kind == r->features[j].kind &&
				     u[k].measure == r->features[j].measure))
			k++;
		if (k == *nu) {
			if (*nu == cap)
				return pl_error_set(err, PL_ERR_INTERNAL, "", "feature union overflow");
			u[(*nu)++] = r->features[j];
		}
		r->cols[j] = k;
	}
	if (r->to.nsets) {
		size_t total = r->to.set_first[r->to.nsets];
		r->set_cols = malloc((total ? total : 1) * sizeof(size_t));
		if (!r->set_cols)
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		for (size_t k = 0; k < total; k++) {
			if (r->to.set_cols[k] >= r->nfeatures)
				return pl_error_set(err, PL_ERR_INTERNAL, "", "a set names a missing feature");
			r->set_cols[k] = r->cols[r->to.set_cols[k]];
		}
		r->to.set_cols = r->set_cols;
	}
	return PL_OK;
}

static int own_only(const pl_eval_options *o);
static pl_status agree_status(const pl_comm *comm, pl_status st, pl_error *err);

/* by_size on a large cohort: set 0 of the candidates alone, at the fixed penalty, its features
 * in their order and on their union columns (the first placed, so the same columns, rows and
 * model as set 0 given alone). */
static pl_status recipe_first_set(recipe *r, const pl_eval_options *o, pl_error *err)
{
	size_t k0 = o->set_first[0], n0 = o->set_first[1] - k0;
	pl_feature_spec *f = malloc((n0 ? n0 : 1) * sizeof(*f));
	size_t *cols = malloc((n0 ? n0 : 1) * sizeof(size_t));

	if (!f || !cols) {
		free(f);
		free(cols);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	for (size_t j = 0; j < n0; j++) {
		f[j] = r->features[o->set_cols[k0 + j]];
		cols[j] = r->set_cols[k0 + j];
	}
	recipe_release(r);
	r->features = f;
	r->nfeatures = n0;
	r->cols = cols;
	r->set_cols = NULL;
	r->to.nsets = 0;
	r->to.set_first = r->to.set_cols = NULL;
	r->to.tune_l2 = 0;
	return PL_OK;
}

/* The smallest training fold's events (runs of positive rows of one client, as
 * pl_risk_dataset_events counts them in a fold's training set): each client's events summed by
 * fold, over every process when each holds its own clients' rows (integers: exact). Collective
 * then. */
static pl_status least_fold_events(const pl_risk_dataset *all, const size_t *fold,
				   const pl_eval_options *o, double *least, pl_error *err)
{
	int rank = own_only(o) ? o->comm->rank : 0, size = own_only(o) ? o->comm->size : 1;
	size_t K = o->folds;
	double *v = calloc((size_t)size * K, sizeof(double)), total = 0;
	pl_status st = v ? PL_OK : pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");

	/* A process that cannot take part in the sum says so first: the others would wait in it. */
	if (own_only(o))
		st = agree_status(o->comm, st, err);
	if (st != PL_OK) {
		free(v);
		return st;
	}
	for (size_t r = 0; r < all->nrows; r++)
		if (all->y[r] > 0.5 && (r == 0 || all->y[r - 1] <= 0.5 ||
					all->group[r - 1] != all->group[r]))
			v[(size_t)rank * K + fold[all->group[r]]] += 1;
	if (own_only(o))
		st = pl_comm_sum(o->comm, v, (size_t)size * K, err);
	for (int p = 1; p < size; p++)
		for (size_t f = 0; f < K; f++)
			v[f] += v[(size_t)p * K + f];
	for (size_t f = 0; f < K; f++)
		total += v[f];
	*least = INFINITY;
	for (size_t f = 0; f < K; f++)
		*least = fmin(*least, total - v[f]);
	free(v);
	return st;
}

/* by_size: nested CV for a small cohort (below PL_EPV_WARN events per feature of set 0 in the
 * smallest training fold), set 0 at the fixed penalty otherwise. */
static pl_status recipe_by_size(recipe *r, const pl_risk_dataset *all, const size_t *fold,
				const pl_eval_options *o, int *small, pl_error *err)
{
	double least = 0;
	size_t n0 = o->set_first[1] - o->set_first[0];
	pl_status st = least_fold_events(all, fold, o, &least, err);

	*small = st == PL_OK && n0 > 0 && least / (double)n0 < PL_EPV_WARN;
	if (st != PL_OK)
		return st;
	if (*small) {
		r->to.tune_l2 = 1;
		r->to.select_rule = PL_SELECT_AVERAGE;
		return PL_OK;
	}
	return recipe_first_set(r, o, err);
}

typedef struct fold_ctx {
	const pl_eval_set *s;
	const pl_risk_dataset *all;
	const size_t *fold;
	size_t folds, nrecipes;
	const recipe *recipes;
	const pl_feature_spec *u;  /* the union's features */
	pl_risk_model *models[2];  /* per recipe, one per fold */
	pl_thread_share *share;    /* the folds' threads, shared with their own fits */
} fold_ctx;

/* Item f: recipe f / folds, fold f % folds (folds of every recipe train side by side on the
 * workers; each writes only its model). A recipe with candidate sets sees every union column and
 * picks among its sets; one without sees only its own columns. */
static pl_status train_fold(void *arg, size_t item, pl_error *err)
{
	fold_ctx *x = arg;
	size_t f = item % x->folds;
	const recipe *rc = &x->recipes[item / x->folds];
	int sets = rc->to.nsets > 0;
	pl_risk_dataset sub;
	pl_status st = fold_subset(x->all, x->fold, x->s->n, f, sets ? NULL : rc->cols,
				   rc->nfeatures, &sub, err);

	if (st == PL_OK)
		st = pl__risk_train_shared(&sub, sub.nclients, NULL, &x->s->cat,
					   sets ? x->u : rc->features, &rc->to, x->share,
					   &x->models[item / x->folds][f], err);
	pl_risk_dataset_release(&sub);
	return st;
}

/* Item f's model for a process that did not train it: the struct's numbers, then what its
 * pointers hold (its features: a fold may choose its own set; the catalogue is the evaluation's,
 * copied as pl_risk_train copies it). A pointer member added to pl_risk_model must be carried
 * here too. */
static void pack_fold_model(void *arg, size_t item, pl__bytes *b)
{
	const fold_ctx *x = arg;
	const pl_risk_model *m = &x->models[item / x->folds][item % x->folds];
	uint64_t nk = m->cal.n;

	pl__bytes_put(b, m, sizeof(*m));
	pl__bytes_put(b, m->features, m->nfeatures * sizeof(*m->features));
	pl__bytes_put(b, m->mean, m->nfeatures * sizeof(double));
	pl__bytes_put(b, m->sd, m->nfeatures * sizeof(double));
	pl__bytes_put(b, m->coef, m->nfeatures * sizeof(double));
	pl__bytes_put(b, &nk, sizeof(nk));
	pl__bytes_put(b, m->cal.x, m->cal.n * sizeof(double));
	pl__bytes_put(b, m->cal.y, m->cal.n * sizeof(double));
}

static pl_status unpack_fold_model(void *arg, size_t item, pl__reader *r, pl_error *err)
{
	fold_ctx *x = arg;
	pl_risk_model *m = &x->models[item / x->folds][item % x->folds], got;
	uint64_t nk = 0;
	pl_status st;

	pl__read(r, &got, sizeof(got));
	if (r->bad)
		return PL_OK; /* reported by the caller */
	memset(m, 0, sizeof(*m));
	if ((st = pl_risk_model_alloc(m, got.nfeatures, err)) != PL_OK ||
	    (st = pl_catalogue_copy(&m->catalogue, &x->s->cat, err)) != PL_OK)
		return st;
	pl__read(r, m->features, got.nfeatures * sizeof(*m->features));
	pl__read(r, m->mean, got.nfeatures * sizeof(double));
	pl__read(r, m->sd, got.nfeatures * sizeof(double));
	pl__read(r, m->coef, got.nfeatures * sizeof(double));
	pl__read(r, &nk, sizeof(nk));
	got.catalogue = m->catalogue;
	got.features = m->features;
	got.mean = m->mean;
	got.sd = m->sd;
	got.coef = m->coef;
	got.cal.x = got.cal.y = NULL;
	*m = got;
	if (r->bad || nk == 0)
		return PL_OK;
	m->cal.x = malloc((size_t)nk * sizeof(double));
	m->cal.y = malloc((size_t)nk * sizeof(double));
	if (!m->cal.x || !m->cal.y)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	pl__read(r, m->cal.x, (size_t)nk * sizeof(double));
	pl__read(r, m->cal.y, (size_t)nk * sizeof(double));
	return PL_OK;
}

static const pl__units fold_units = { train_fold, pack_fold_model, unpack_fold_model };

static pl_status train_folds_own(fold_ctx *x, const pl_eval_options *o, pl_error *err);

/* One model per fold and recipe (the options' own; --compare's cv: one into `others`), trained on
 * the other folds' clients; every client featurized once for the union of the recipes' features. */
static pl_status train_folds(const pl_eval_set *s, const pl_eval_options *o, const size_t *fold,
			     int threads, pl_risk_model *models, pl_risk_model *others, int *small,
			     pl_error *err)
{
	const pl_eval_compare *c = &o->compare;
	recipe rc[2];
	size_t nr = c->kind == PL_COMPARE_CV ? 2 : 1, nu = 0;
	pl_feature_spec *u = NULL;
	pl_risk_dataset all;
	pl_thread_share share;
	train_ctx x;
	pl_status st;

	memset(&share, 0, sizeof(share));
	memset(&all, 0, sizeof(all));
	memset(&x, 0, sizeof(x));
	memset(rc, 0, sizeof(rc));
	st = recipe_init(&rc[0], s, o, o->features, o->nfeatures, o->l2, o->tune_l2, o->nsets,
			 o->set_first, o->set_cols, err);
	rc[0].to.select_rule = o->select_rule;
	if (st == PL_OK && nr == 2)
		st = recipe_init(&rc[1], s, o, c->features, c->nfeatures, c->l2, c->tune_l2, c->nsets,
				 c->set_first, c->set_cols, err);
	if (st == PL_OK && nr == 2)
		rc[1].to.select_rule = c->select_rule;
	if (st == PL_OK && !(u = malloc((rc[0].nfeatures + rc[1].nfeatures + 1) * sizeof(*u))))
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t k = 0; st == PL_OK && k < nr; k++) {
		st = recipe_place(&rc[k], u, &nu, rc[0].nfeatures + rc[1].nfeatures, err);
		/* a fold's own fits side by side too (5 folds alone leave a thread idle at the end),
		 * on threads the folds share: `threads` in all, not one pool per fold */
		rc[k].to.threads = threads;
	}
	if (st == PL_OK)
		st = pl__share_init(&share, threads, err);
	if (st == PL_OK) {
		x.s = s;
		x.features = u;
		x.nfeatures = nu;
		x.to = &rc[0].to; /* rows depend on horizon, stride and check-ins: alike for both */
		x.own_first = own_only(o) ? o->own_first : 0;
		x.own_end = own_only(o) ? o->own_end : s->n;
		x.per_client = calloc(s->n, sizeof(*x.per_client));
		if (!x.per_client)
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	if (st == PL_OK)
		st = pl__run_units(s->n, threads, own_only(o) ? NULL : o->comm, &featurize_units, &x,
				   err);
	if (st == PL_OK)
		st = merge_clients(x.per_client, s->n, nu, &all, err);
	if (own_only(o)) /* each featurized its own clients: agreed before fitting together */
		st = agree_status(o->comm, st, err);
	for (size_t i = 0; x.per_client && i < s->n; i++)
		pl_risk_dataset_release(&x.per_client[i]);
	free(x.per_client);
	if (st == PL_OK && o->by_size && o->nsets) { /* the same everywhere: st was agreed */
		st = recipe_by_size(&rc[0], &all, fold, o, small, err);
		if (own_only(o)) /* recipe_first_set allocates: a failure in one process only */
			st = agree_status(o->comm, st, err);
	}
	if (st == PL_OK) {
		fold_ctx fc = { s, &all, fold, o->folds, nr, rc, u, { models, others }, &share };
		st = own_only(o) ? train_folds_own(&fc, o, err)
				 : pl__run_units_shared(nr * o->folds, threads, &share, o->comm,
							&fold_units, &fc, err);
	}
	pl__share_release(&share);
	pl_risk_dataset_release(&all);
	free(u);
	recipe_release(&rc[0]);
	recipe_release(&rc[1]);
	if (st == PL_ERR_INFEASIBLE)
		pl_error_set(err, PL_ERR_INFEASIBLE, "",
			     "a training fold has no lapse (or no lapse-free day) within the horizon: "
			     "use fewer folds or more clients");
	return st;
}

/* ---- scores: every client's model and EWS features in one pass, on the workers ---- */

typedef struct score_ctx {
	const pl_eval_set *s;
	const pl_eval_options *o;
	const pl_risk_model *models;
	const pl_risk_model *others; /* --compare cv: one per fold */
	const size_t *fold;
	const pl_feature_spec *ews; /* NEWS, when baselines are wanted */
	day_scores *out;
} score_ctx;

static pl_status score_client(void *arg, size_t i, pl_error *err)
{
	score_ctx *x = arg;
	const pl_client *c = &x->s->cl[i].client;
	const pl_risk_model *m = x->o->model ? x->o->model : &x->models[x->fold[i]];
	const pl_risk_model *m2 = x->o->compare.kind == PL_COMPARE_MODEL ? x->o->compare.model
				  : x->others ? &x->others[x->fold[i]] : NULL;
	size_t nm = m->nfeatures, ne = x->ews ? NEWS : 0, n2 = m2 ? m2->nfeatures : 0;
	size_t ld = nm + ne + n2, off = x->out->day_first[i];
	int32_t last = c->start + (int32_t)c->ndays - 1;
	pl_feature_spec *spec;
	double *feat;
	pl_status st;

	if (!c->ndays)
		return PL_OK;
	spec = malloc(ld * sizeof(*spec));
	feat = malloc(c->ndays * ld * sizeof(double));
	if (!spec || !feat) {
		free(spec);
		free(feat);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	memcpy(spec, m->features, nm * sizeof(*spec));
	if (ne)
		memcpy(spec + nm, x->ews, ne * sizeof(*spec));
	if (n2)
		memcpy(spec + nm + ne, m2->features, n2 * sizeof(*spec));
	/* the set's catalogue: the model's measures first (same indices), then the data's own */
	st = pl_features_compute(c, &x->s->cat, spec, ld, c->start, last, feat, err);
	if (st == PL_OK) {
		double *risk = x->out->risk + off;
		pl_risk_predict_rows(m, c, feat, ld, c->start, last, risk);
		if (m2)
			pl_risk_predict_rows(m2, c, feat + nm + ne, ld, c->start, last,
					     x->out->other + off);
		for (size_t t = 0; t < c->ndays; t++) {
			x->out->tier[off + t] =
				(int8_t)(isnan(risk[t]) ? -1 : pl_risk_model_tier(m, risk[t]));
			x->out->ews[off + t] = ne ? ews_mean(feat + t * ld + nm) : -2;
		}
	}
	free(spec);
	free(feat);
	return st;
}

/* Client i's day scores for a process that did not score it. */
static void pack_client_scores(void *arg, size_t i, pl__bytes *b)
{
	const day_scores *d = ((score_ctx *)arg)->out;
	size_t off = d->day_first[i], nd = d->day_first[i + 1] - off;

	pl__bytes_put(b, d->risk + off, nd * sizeof(double));
	pl__bytes_put(b, d->ews + off, nd * sizeof(double));
	pl__bytes_put(b, d->tier + off, nd);
	if (d->other)
		pl__bytes_put(b, d->other + off, nd * sizeof(double));
}

static pl_status unpack_client_scores(void *arg, size_t i, pl__reader *r, pl_error *err)
{
	const day_scores *d = ((score_ctx *)arg)->out;
	size_t off = d->day_first[i], nd = d->day_first[i + 1] - off;

	(void)err;
	pl__read(r, d->risk + off, nd * sizeof(double));
	pl__read(r, d->ews + off, nd * sizeof(double));
	pl__read(r, d->tier + off, nd);
	if (d->other)
		pl__read(r, d->other + off, nd * sizeof(double));
	return PL_OK;
}

static const pl__units score_units = { score_client, pack_client_scores, unpack_client_scores };

/* Score every client (its fold's model under cross-validation) and build the rows. */
static pl_status build_rows(const pl_eval_set *s, const pl_eval_options *o,
			    const pl_risk_model *models, const pl_risk_model *others,
			    const size_t *fold, int horizon, int threads, rows *r, pl_error *err)
{
	pl_feature_spec ews[NEWS];
	day_scores ds;
	score_ctx x;
	size_t total = 0;
	pl_status st = PL_OK;

	memset(&ds, 0, sizeof(ds));
	ds.day_first = malloc((s->n + 1) * sizeof(size_t));
	for (size_t i = 0; ds.day_first && i < s->n; i++) {
		ds.day_first[i] = total;
		total += s->cl[i].client.ndays;
	}
	if (ds.day_first)
		ds.day_first[s->n] = total;
	ds.risk = malloc((total ? total : 1) * sizeof(double));
	ds.ews = malloc((total ? total : 1) * sizeof(double));
	ds.tier = malloc(total ? total : 1);
	if (o->compare.kind == PL_COMPARE_MODEL || others)
		ds.other = malloc((total ? total : 1) * sizeof(double));
	if (!ds.day_first || !ds.risk || !ds.ews || !ds.tier ||
	    ((o->compare.kind == PL_COMPARE_MODEL || others) && !ds.other))
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t j = 0; st == PL_OK && j < NEWS; j++)
		st = pl_feature_parse(ews_features[j], &s->cat, "", &ews[j], err);
	if (st == PL_OK) {
		x.s = s;
		x.o = o;
		x.models = models;
		x.others = others;
		x.fold = fold;
		x.ews = o->baselines || (o->compare.kind == PL_COMPARE_BASELINE &&
					 o->compare.baseline == PL_BASELINE_EWS) ? ews : NULL;
		x.out = &ds;
		/* Own clients only: a stand-in has no days to score. */
		st = pl__run_units(s->n, threads, own_only(o) ? NULL : o->comm, &score_units, &x, err);
	}
	for (size_t i = 0; st == PL_OK && i < s->n; i++)
		st = add_rows(r, s, i, &ds, horizon, err);
	if (st == PL_OK)
		r->row_first[s->n] = r->n;
	day_scores_release(&ds);
	return st;
}

/* ---------------------------------------------------------------- reports */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct strings of list[0..n), sorted; *out malloc'ed (NULL when out of memory). */
static size_t distinct_sorted(const char **list, size_t n, const char ***out)
{
	size_t k = 0;

	qsort(list, n, sizeof(*list), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || strcmp(list[k - 1], list[i]) != 0)
			list[k++] = list[i];
	*out = list;
	return k;
}

/* The value of attribute `name` for client e, or NULL. */
static const char *attr_of(const pl_eval_client *e, const char *name)
{
	for (size_t k = 0; k < e->nattrs; k++)
		if (strcmp(e->attr_name[k], name) == 0)
			return e->attr_value[k];
	return NULL;
}

/* Subgroups: for every attribute, for every value, the clients having it (out->subgroups with
 * their names; the client lists in *lists, subgroup g's at lists[first[g] .. first[g+1])). */
static pl_status subgroup_lists(const pl_eval_set *s, pl_eval_result *out, size_t **lists,
				size_t **first, pl_error *err)
{
	size_t total = 0, nnames, cap = 0, k = 0;
	const char **names = NULL, **vals = NULL;
	pl_status st = PL_OK;

	for (size_t i = 0; i < s->n; i++)
		total += s->cl[i].nattrs;
	names = malloc((total ? total : 1) * sizeof(char *));
	vals = malloc((total ? total : 1) * sizeof(char *));
	out->subgroups = calloc(total ? total : 1, sizeof(*out->subgroups));
	*lists = malloc((total ? total : 1) * sizeof(size_t));
	*first = malloc((total + 1) * sizeof(size_t));
	if (!names || !vals || !out->subgroups || !*lists || !*first) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto done;
	}
	total = 0;
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = 0; j < s->cl[i].nattrs; j++)
			names[total++] = s->cl[i].attr_name[j];
	nnames = distinct_sorted(names, total, &names);
	for (size_t a = 0; a < nnames; a++) {
		size_t nv = 0;
		for (size_t i = 0; i < s->n; i++) {
			const char *v = attr_of(&s->cl[i], names[a]);
			if (v)
				vals[nv++] = v;
		}
		nv = distinct_sorted(vals, nv, &vals);
		for (size_t j = 0; j < nv; j++) {
			pl_eval_subgroup *g = &out->subgroups[cap];
			(*first)[cap] = k;
			for (size_t i = 0; i < s->n; i++) {
				const char *v = attr_of(&s->cl[i], names[a]);
				if (v && strcmp(v, vals[j]) == 0)
					(*lists)[k++] = i;
			}
			g->attribute = names[a];
			g->value = vals[j];
			cap++;
		}
	}
	(*first)[cap] = k;
	out->nsubgroups = cap;
done:
	free(names);
	free(vals);
	return st;
}

/* ---------------------------------------------------------------- the run */

/* The scored rows into the result (per-row predictions on request). */
static pl_status keep_rows(const pl_eval_set *s, const rows *r, pl_eval_result *out, pl_error *err)
{
	size_t n = r->n ? r->n : 1;

	out->row_client = malloc(n * sizeof(size_t));
	out->row_day = malloc(n * sizeof(int32_t));
	out->row_risk = malloc(n * sizeof(double));
	out->row_label = malloc(n);
	if (!out->row_client || !out->row_day || !out->row_risk || !out->row_label)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = r->row_first[i]; k < r->row_first[i + 1]; k++)
			out->row_client[k] = i;
	memcpy(out->row_day, r->day, r->n * sizeof(int32_t));
	memcpy(out->row_risk, r->risk, r->n * sizeof(double));
	memcpy(out->row_label, r->label, r->n);
	out->nrows_kept = r->n;
	return PL_OK;
}

static void data_counts(const pl_eval_set *s, const rows *r, pl_eval_result *out)
{
	out->clients = s->n;
	out->rows = r->n;
	out->unlabelled_days = r->unlabelled;
	out->unscored_days = r->unscored;
	out->lapses = r->nlapses;
	for (size_t i = 0; i < r->n; i++)
		out->positives += r->label[i];
	for (size_t i = 0; i < s->n; i++)
		out->clients_scored += r->row_first[i + 1] > r->row_first[i];
}

/* The references' scores on the rows (reference.c), when the generator's parameters are given:
 * the observable reference always, the full-information oracle with the seed (every client must
 * carry its truth, which the drawn-again cohort is checked against). */
static pl_status reference_rows(const pl_eval_set *s, const pl_eval_options *o, int horizon,
				int threads, rows *r, pl_error *err)
{
	size_t n = r->n ? r->n : 1;

	if (!o->generator)
		return PL_OK;
	if (o->generator_seed_given && s->with_truth != s->n)
		return pl_error_set(err, PL_ERR_INVALID, "",
				    "the full-information oracle needs every client's truth");
	r->observable = malloc(n * sizeof(double));
	if (o->generator_seed_given)
		r->full_information = malloc(n * sizeof(double));
	if (!r->observable || (o->generator_seed_given && !r->full_information))
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	return pl__eval_references(s, o, r->row_first, r->day, horizon, threads, r->observable,
				   r->full_information, err);
}

/* --compare's rows: the scored rows where the other score is defined too, both scores side by
 * side (a model file may leave a row unscored that the model scores). */
typedef struct pair_rows {
	size_t n, *row_first;
	double *a, *b;
	uint8_t *label;
	int32_t *day;
} pair_rows;

static void pair_rows_release(pair_rows *p)
{
	free(p->row_first);
	free(p->a);
	free(p->b);
	free(p->label);
	free(p->day);
}

static pl_status pair_rows_build(const pl_eval_set *s, const pl_eval_options *o, const rows *r,
				 pair_rows *p, pl_eval_result *out, pl_error *err)
{
	const double *other = o->compare.kind == PL_COMPARE_BASELINE ? r->baseline[o->compare.baseline]
								    : r->other;
	size_t n = r->n ? r->n : 1;

	memset(p, 0, sizeof(*p));
	p->row_first = malloc((s->n + 1) * sizeof(size_t));
	p->a = malloc(n * sizeof(double));
	p->b = malloc(n * sizeof(double));
	p->label = malloc(n);
	p->day = malloc(n * sizeof(int32_t));
	if (!p->row_first || !p->a || !p->b || !p->label || !p->day)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		p->row_first[i] = p->n;
		for (size_t k = r->row_first[i]; k < r->row_first[i + 1]; k++) {
			if (isnan(other[k]))
				continue;
			p->a[p->n] = r->risk[k];
			p->b[p->n] = other[k];
			p->label[p->n] = r->label[k];
			p->day[p->n++] = r->day[k];
		}
		out->compare_clients += p->n > p->row_first[i];
	}
	p->row_first[s->n] = p->n;
	out->compare_rows = p->n;
	out->compare_probabilities = o->compare.kind != PL_COMPARE_BASELINE;
	return PL_OK;
}

/* Every report from one fused bootstrap (pl_metrics_reports_compute): the model, the oracles
 * (only when every client has its truth; the window oracle where it is defined), the baselines
 * and the subgroups. */
static pl_status compute_reports(const pl_eval_set *s, const pl_eval_options *o, const rows *r,
				 pl_eval_result *out, pl_error *err)
{
	pair_rows pr;
	pl_metrics_pair *pairs = NULL;
	pl_eval_data d = { s->n, r->row_first, r->risk, r->label, r->day, r->lapse_first,
			   r->lapse_day, r->tier };
	pl_eval_data *data = NULL;
	pl_metrics_job *jobs = NULL;
	size_t *lists = NULL, *first = NULL, nj = 0, nwin = 0;
	pl_metrics_options mo = o->metrics;
	pl_status st;

	data_counts(s, r, out);
	if (s->with_truth == s->n)
		for (size_t i = 0; i < r->n; i++) {
			if (isnan(r->oracle[i]))
				return pl_error_set(err, PL_ERR_INVALID, "",
						    "truth.hazard is shorter than a client's check-in grid");
			nwin += !isnan(r->oracle_window[i]);
		}
	st = subgroup_lists(s, out, &lists, &first, err);
	if (st != PL_OK)
		goto done;
	memset(&pr, 0, sizeof(pr));
	data = malloc((7 + PL_EVAL_NBASELINES) * sizeof(*data));
	jobs = malloc((7 + PL_EVAL_NBASELINES + out->nsubgroups) * sizeof(*jobs));
	if (!data || !jobs) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto done;
	}
	data[0] = d;
	jobs[nj++] = (pl_metrics_job){ &data[0], NULL, 0, &out->metrics, 1 };
	for (size_t g = 0; g < out->nsubgroups; g++)
		jobs[nj++] = (pl_metrics_job){ &data[0], lists + first[g], first[g + 1] - first[g],
					      &out->subgroups[g].report, 0 };
	if (s->with_truth == s->n) {
		data[1] = d;
		data[1].tier = NULL;
		data[1].score = r->oracle;
		jobs[nj++] = (pl_metrics_job){ &data[1], NULL, 0, &out->oracle, 0 };
		out->has_oracle = 1;
		if (nwin == r->n) {
			data[2] = data[1];
			data[2].score = r->oracle_window;
			jobs[nj++] = (pl_metrics_job){ &data[2], NULL, 0, &out->oracle_window, 0 };
			out->has_oracle_window = 1;
		}
	}
	for (int b = 0; o->baselines && b < PL_EVAL_NBASELINES; b++) {
		data[3 + b] = d;
		data[3 + b].tier = NULL;
		data[3 + b].score = r->baseline[b];
		jobs[nj++] = (pl_metrics_job){ &data[3 + b], NULL, 0, &out->baseline[b], 0 };
	}
	out->has_baselines = o->baselines;
	if (r->observable) {
		data[3 + PL_EVAL_NBASELINES] = d;
		data[3 + PL_EVAL_NBASELINES].tier = NULL;
		data[3 + PL_EVAL_NBASELINES].score = r->observable;
		jobs[nj++] = (pl_metrics_job){ &data[3 + PL_EVAL_NBASELINES], NULL, 0, &out->observable, 0 };
		out->has_observable = 1;
	}
	if (r->full_information) {
		data[4 + PL_EVAL_NBASELINES] = d;
		data[4 + PL_EVAL_NBASELINES].tier = NULL;
		data[4 + PL_EVAL_NBASELINES].score = r->full_information;
		jobs[nj++] = (pl_metrics_job){ &data[4 + PL_EVAL_NBASELINES], NULL, 0,
					      &out->full_information, 0 };
		out->has_full_information = 1;
	}
	if (o->compare.kind != PL_COMPARE_NONE) {
		pl_eval_data *a = &data[5 + PL_EVAL_NBASELINES], *b = a + 1;
		if ((st = pair_rows_build(s, o, r, &pr, out, err)) != PL_OK)
			goto done;
		*a = (pl_eval_data){ s->n, pr.row_first, pr.a, pr.label, pr.day, r->lapse_first,
				     r->lapse_day, NULL };
		*b = *a;
		b->score = pr.b;
		out->compare.a = nj;
		jobs[nj++] = (pl_metrics_job){ a, NULL, 0, &out->compare_model, 0 };
		out->compare.b = nj;
		jobs[nj++] = (pl_metrics_job){ b, NULL, 0, &out->compare_other, 0 };
		pairs = &out->compare;
		out->has_compare = 1;
	}
	if (mo.threads == 0)
		mo.threads = o->threads;
	mo.comm = o->comm;
	st = pl_metrics_reports_paired(jobs, nj, pairs, pairs ? 1 : 0, NULL, 0, &mo, err);
	if (st == PL_OK)
		st = pl_metrics_curves(r->risk, r->label, r->n, PL_EVAL_CURVE_POINTS,
				       PL_EVAL_DECISION_STEP, PL_EVAL_DECISION_MAX, &out->curves, err);
done:
	pair_rows_release(&pr);
	free(data);
	free(jobs);
	free(lists);
	free(first);
	return st;
}

/* ---------------------------------------------------------------- own clients only */
/* peerlink-mpi with each process holding its own clients (pl_eval_options.own_first/own_end):
 * what differs from one process holding them all. Everything moves as bytes (pl_comm_gather) or
 * through pl_risk_train_dist's exact sums, so the result is the same bit for bit. */

static int own_only(const pl_eval_options *o)
{
	return o->comm && o->comm->size > 1 && o->own_clients;
}

/* A process's status on the wire: its code and error. */
typedef struct wire_status {
	int32_t code;
	pl_error e;
} wire_status;

static void put_status(pl__bytes *b, pl_status st, const pl_error *err)
{
	wire_status w;

	memset(&w, 0, sizeof(w));
	w.code = st;
	if (st != PL_OK && err)
		w.e = *err;
	pl__bytes_put(b, &w, sizeof(w));
}

/* The first failing status in rank order among the parts of a gather (each part starting with a
 * wire_status; part_len[p] its length), its error into err. */
static pl_status first_failure(const unsigned char *all, const size_t *part_at, int size,
			       pl_error *err)
{
	for (int p = 0; p < size; p++) {
		wire_status w;
		memcpy(&w, all + part_at[p], sizeof(w));
		if (w.code != PL_OK) {
			if (err)
				*err = w.e;
			return (pl_status)w.code;
		}
	}
	return PL_OK;
}

/* Every process's bytes (each part prefixed with its uint64 length, so the parts can be found)
 * and where each part starts. */
static pl_status gather_parts(const pl_comm *comm, pl__bytes *mine, unsigned char **all,
			      size_t *part_at, pl_error *err)
{
	size_t len = 0, pos = 0;
	uint64_t n = 0;
	pl_status st;

	if (mine->failed) { /* say so instead: out of memory */
		pl_error oom = PL_ERROR_INIT;
		pl_error_set(&oom, PL_ERR_NOMEM, "", "out of memory");
		free(mine->p);
		memset(mine, 0, sizeof(*mine));
		pl__bytes_put(mine, &n, sizeof(n));
		put_status(mine, PL_ERR_NOMEM, &oom);
	}
	if (mine->p) { /* NULL only when even the out-of-memory answer did not fit: send nothing */
		n = mine->n - sizeof(n);
		memcpy(mine->p, &n, sizeof(n));
	}
	st = pl_comm_gather(comm, mine->p, mine->p ? mine->n : 0, (void **)all, &len, err);
	for (int p = 0; st == PL_OK && p < comm->size; p++) {
		if (len - pos < sizeof(n))
			return pl_error_set(err, PL_ERR_INTERNAL, "", "a process sent a short answer");
		memcpy(&n, *all + pos, sizeof(n));
		part_at[p] = pos + sizeof(n);
		pos += sizeof(n) + (size_t)n;
		if (pos > len)
			return pl_error_set(err, PL_ERR_INTERNAL, "", "a process sent a short answer");
	}
	return st;
}

/* The first failure over every process, the same on each. Collective. */
static pl_status agree_status(const pl_comm *comm, pl_status st, pl_error *err)
{
	pl__bytes b = { 0 };
	uint64_t n = 0;
	unsigned char *all = NULL;
	size_t *at = malloc((size_t)comm->size * sizeof(size_t));
	pl_status got;

	pl__bytes_put(&b, &n, sizeof(n));
	put_status(&b, st, err);
	if (!at)
		b.failed = 1;
	got = gather_parts(comm, &b, &all, at, err);
	if (got == PL_OK)
		got = first_failure(all, at, comm->size, err);
	free(b.p);
	free(all);
	free(at);
	return got;
}

/* Fold f's training rows held where pl_risk_train_dist wants them: the fold's training clients
 * are numbered 0 .. m - 1 (sub's groups), this process holds a contiguous run of them (its own
 * clients) and must hold those of pl_risk_train_clients, [c0, c1). Each process sends the rows of
 * its clients outside its [c0, c1) (a few near the edges of its share) to all; each keeps, in
 * client order, what falls in its [c0, c1). Rows move as bytes: the fit is unchanged. */
static pl_status exchange_rows(const pl_risk_dataset *sub, size_t c0, size_t c1,
			       const pl_comm *comm, pl_status st, pl_risk_dataset *part,
			       pl_error *err)
{
	size_t nf = sub->nfeatures, row = sizeof(uint32_t) + (nf + 1) * sizeof(double);
	size_t *at = malloc((size_t)comm->size * sizeof(size_t)), nrows = 0, k = 0;
	unsigned char *all = NULL;
	pl__bytes b = { 0 };
	uint64_t n = 0, cnt = 0;

	pl_risk_dataset_init(part, nf, err);
	pl__bytes_put(&b, &n, sizeof(n));
	put_status(&b, st, err);
	for (size_t r = 0; r < sub->nrows; r++)
		cnt += sub->group[r] < c0 || sub->group[r] >= c1;
	pl__bytes_put(&b, &cnt, sizeof(cnt));
	for (size_t r = 0; st == PL_OK && r < sub->nrows; r++)
		if (sub->group[r] < c0 || sub->group[r] >= c1) {
			pl__bytes_put(&b, &sub->group[r], sizeof(uint32_t));
			pl__bytes_put(&b, &sub->y[r], sizeof(double));
			pl__bytes_put(&b, sub->x + r * nf, nf * sizeof(double));
		}
	if (!at)
		b.failed = 1;
	st = gather_parts(comm, &b, &all, at, err);
	free(b.p);
	if (st == PL_OK)
		st = first_failure(all, at, comm->size, err);
	/* Two passes over the parts in rank order (client order): count, then copy. */
	for (int pass = 0; st == PL_OK && pass < 2; pass++) {
		for (int p = 0; p < comm->size; p++) {
			const unsigned char *q = all + at[p] + sizeof(wire_status) + sizeof(uint64_t);
			uint64_t m;
			memcpy(&m, all + at[p] + sizeof(wire_status), sizeof(m));
			for (size_t r = 0; p == comm->rank && r < sub->nrows; r++) {
				if (sub->group[r] < c0 || sub->group[r] >= c1)
					continue;
				if (pass == 1) {
					part->group[k] = sub->group[r];
					part->y[k] = sub->y[r];
					memcpy(part->x + k * nf, sub->x + r * nf, nf * sizeof(double));
					k++;
				} else {
					nrows++;
				}
			}
			for (uint64_t r = 0; p != comm->rank && r < m; r++, q += row) {
				uint32_t g;
				memcpy(&g, q, sizeof(g));
				if (g < c0 || g >= c1)
					continue;
				if (pass == 1) {
					part->group[k] = g;
					memcpy(&part->y[k], q + sizeof(g), sizeof(double));
					memcpy(part->x + k * nf, q + sizeof(g) + sizeof(double),
					       nf * sizeof(double));
					k++;
				} else {
					nrows++;
				}
			}
		}
		if (pass == 0 && (!(part->x = malloc((nrows ? nrows : 1) * nf * sizeof(double))) ||
				  !(part->y = malloc((nrows ? nrows : 1) * sizeof(double))) ||
				  !(part->group = malloc((nrows ? nrows : 1) * sizeof(uint32_t)))))
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	free(all);
	free(at);
	part->nrows = part->cap = k;
	part->nclients = c1;
	part->min_day = sub->min_day; /* pl_risk_train_dist takes the least over the processes */
	part->max_day = sub->max_day;
	for (size_t r = 0; r < k; r++) {
		part->npositive += part->y[r] > 0.5;
		part->nclients_used += r == 0 || part->group[r] != part->group[r - 1];
	}
	return st;
}

/* Every fold's model fitted by all processes together, one after the other: each holds its own
 * clients' rows of the fold's training set (fold_subset), moved into pl_risk_train_dist's whole
 * blocks by exchange_rows; every process gets the same model, that of pl_risk_train on all the
 * rows. Collective. */
static pl_status train_folds_own(fold_ctx *x, const pl_eval_options *o, pl_error *err)
{
	pl_status st = PL_OK;

	for (size_t item = 0; st == PL_OK && item < x->nrecipes * x->folds; item++) {
		size_t f = item % x->folds, m = 0, c0, c1;
		const recipe *rc = &x->recipes[item / x->folds];
		int sets = rc->to.nsets > 0;
		pl_risk_dataset sub, part;
		pl_status local;

		for (size_t i = 0; i < x->s->n; i++)
			m += x->fold[i] != f;
		local = fold_subset(x->all, x->fold, x->s->n, f, sets ? NULL : rc->cols,
				    rc->nfeatures, &sub, err);
		pl_risk_train_clients(m, sub.nfeatures, o->comm->rank, o->comm->size, &c0, &c1);
		st = exchange_rows(&sub, c0, c1, o->comm, local, &part, err);
		pl_risk_dataset_release(&sub);
		if (st == PL_OK)
			st = pl__risk_train_shared(&part, m, o->comm, &x->s->cat,
						   sets ? x->u : rc->features, &rc->to, x->share,
						   &x->models[item / x->folds][f], err);
		pl_risk_dataset_release(&part);
	}
	return st;
}

/* The rows' columns that travel, with their element sizes. */
#define ROW_COLS (7 + 3)
static void row_columns(rows *r, void **col, size_t *size)
{
	void *c[ROW_COLS] = { r->risk, r->other, r->oracle, r->oracle_window,
			      r->baseline[0], r->baseline[1], r->baseline[2],
			      r->label, r->tier, r->day };
	size_t z[ROW_COLS] = { 8, 8, 8, 8, 8, 8, 8, 1, 1, 4 };

	memcpy(col, c, sizeof(c));
	memcpy(size, z, sizeof(z));
}

/* This process's rows (its own clients': per client its row and lapse counts, then each column,
 * then the lapse days) replaced by every process's, in client order: the rows one process
 * builds from all the clients. About 62 bytes a scored client-day and 16 bytes a client travel
 * (docs/scale.md). `st` is this process's status so far; the first failure is every process's.
 * Collective. */
static pl_status rows_gather(rows *r, const pl_eval_set *s, const pl_eval_options *o,
			     pl_status st, pl_error *err)
{
	size_t a = o->own_first, e = o->own_end < s->n ? o->own_end : s->n, total = 0, nl = 0;
	size_t *at = malloc((size_t)o->comm->size * sizeof(size_t)), size[ROW_COLS];
	uint64_t head[6] = { 0, a, e, r->unlabelled, r->unscored, 0 };
	unsigned char *all = NULL;
	void *col[ROW_COLS];
	pl__bytes b = { 0 };
	rows g;

	memset(&g, 0, sizeof(g));
	pl__bytes_put(&b, &head[0], sizeof(uint64_t));
	put_status(&b, st, err);
	if (st == PL_OK) {
		size_t r0 = r->row_first[a], r1 = r->row_first[e];
		head[0] = r1 - r0;
		head[5] = r->lapse_first[e] - r->lapse_first[a];
		pl__bytes_put(&b, head, sizeof(head));
		for (size_t i = a; i < e; i++) {
			uint64_t c[2] = { r->row_first[i + 1] - r->row_first[i],
					  r->lapse_first[i + 1] - r->lapse_first[i] };
			pl__bytes_put(&b, c, sizeof(c));
		}
		row_columns(r, col, size);
		for (int c = 0; c < ROW_COLS; c++)
			pl__bytes_put(&b, (unsigned char *)col[c] + r0 * size[c], (r1 - r0) * size[c]);
		pl__bytes_put(&b, r->lapse_day + r->lapse_first[a], (size_t)head[5] * sizeof(int32_t));
	}
	if (!at)
		b.failed = 1;
	st = gather_parts(o->comm, &b, &all, at, err);
	free(b.p);
	if (st == PL_OK)
		st = first_failure(all, at, o->comm->size, err);
	for (int p = 0; st == PL_OK && p < o->comm->size; p++) {
		memcpy(head, all + at[p] + sizeof(wire_status), sizeof(head));
		total += (size_t)head[0];
		nl += (size_t)head[5];
	}
	if (st == PL_OK && (rows_reserve(&g, total ? total : 1) ||
			    !(g.row_first = malloc((s->n + 1) * sizeof(size_t))) ||
			    !(g.lapse_first = malloc((s->n + 1) * sizeof(size_t))) ||
			    !(g.lapse_day = malloc((nl ? nl : 1) * sizeof(int32_t)))))
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if (st == PL_OK) {
		void *gcol[ROW_COLS];
		row_columns(&g, gcol, size);
		for (size_t i = 0; i <= s->n; i++)
			g.row_first[i] = g.lapse_first[i] = 0;
		for (int p = 0; p < o->comm->size; p++) {
			const unsigned char *q = all + at[p] + sizeof(wire_status);
			size_t nr, pa, pe;
			memcpy(head, q, sizeof(head));
			q += sizeof(head);
			nr = (size_t)head[0];
			pa = (size_t)head[1];
			pe = (size_t)head[2];
			for (size_t i = pa; i < pe && i < s->n; i++, q += 2 * sizeof(uint64_t)) {
				uint64_t c[2];
				memcpy(c, q, sizeof(c));
				g.row_first[i] = g.n;
				g.lapse_first[i] = g.nlapses;
				g.n += (size_t)c[0];
				g.nlapses += (size_t)c[1];
			}
			for (int c = 0; c < ROW_COLS; c++) {
				memcpy((unsigned char *)gcol[c] + (g.n - nr) * size[c], q, nr * size[c]);
				q += nr * size[c];
			}
			memcpy(g.lapse_day + g.nlapses - head[5], q, (size_t)head[5] * sizeof(int32_t));
			g.unlabelled += (size_t)head[3];
			g.unscored += (size_t)head[4];
		}
		g.row_first[s->n] = g.n;
		g.lapse_first[s->n] = g.nlapses;
		rows_release(r);
		*r = g;
		memset(&g, 0, sizeof(g));
	}
	rows_release(&g);
	free(all);
	free(at);
	return st;
}

pl_status pl_eval_run(const pl_eval_set *s, const pl_eval_options *o, pl_eval_result *out,
		      pl_error *err)
{
	pl_risk_model *models = NULL, *others = NULL;
	size_t *fold = NULL;
	int cv_compare = !o->model && o->compare.kind == PL_COMPARE_CV;
	rows r;
	int threads = pl__thread_count(o->threads);
	pl_status st = PL_OK;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	if (s->n == 0)
		return pl_error_set(err, PL_ERR_INVALID, "", "there are no clients to evaluate");
	if (!o->model && (o->folds < 2 || o->folds > s->n))
		return pl_error_set(err, PL_ERR_INVALID, "",
				    "cross-validation needs between 2 folds and one per client");
	if (o->model && o->compare.kind == PL_COMPARE_CV)
		return pl_error_set(err, PL_ERR_USAGE, "",
				    "a recipe trained in the same folds needs cross-validation");
	if (o->by_size && o->nsets == 0) /* it chooses among the sets: without any it did nothing */
		return pl_error_set(err, PL_ERR_USAGE, "",
				    "the recipe by the cohort's size (by_size) needs candidate "
				    "feature sets (nsets > 0)");
	if (own_only(o) && o->generator)
		return pl_error_set(err, PL_ERR_INTERNAL, "",
				    "the references need every client in every process");
	if ((o->compare.kind == PL_COMPARE_MODEL && !o->compare.model) ||
	    (o->compare.kind == PL_COMPARE_BASELINE &&
	     (o->compare.baseline < 0 || o->compare.baseline >= PL_EVAL_NBASELINES)))
		return pl_error_set(err, PL_ERR_INTERNAL, "", "--compare names nothing to compare");
	out->horizon_days = o->model ? o->model->horizon_days : o->horizon_days;
	fold = calloc(s->n, sizeof(size_t));
	r.row_first = malloc((s->n + 1) * sizeof(size_t));
	r.lapse_first = malloc((s->n + 1) * sizeof(size_t));
	if (!o->model) {
		out->folds = o->folds;
		models = calloc(o->folds, sizeof(*models));
		out->fold_moderate = malloc(o->folds * sizeof(double));
		out->fold_high = malloc(o->folds * sizeof(double));
		out->fold_l2 = malloc(o->folds * sizeof(double));
		out->fold_set = malloc(o->folds * sizeof(size_t));
		out->fold_epv = malloc(o->folds * sizeof(double));
		if ((o->nsets && o->set_names && !(out->fold_names = calloc(o->folds, sizeof(char *)))) ||
		    (cv_compare && (!(others = calloc(o->folds, sizeof(*others))) ||
				    !(out->compare_fold_l2 = malloc(o->folds * sizeof(double))))) ||
		    (cv_compare && o->compare.nsets && o->compare.set_names &&
		     !(out->compare_fold_names = calloc(o->folds, sizeof(char *))))) {
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
			goto done;
		}
	}
	if (!fold || !r.row_first || !r.lapse_first ||
	    (!o->model && (!models || !out->fold_moderate || !out->fold_high || !out->fold_l2 ||
			   !out->fold_set || !out->fold_epv))) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto done;
	}
	if (o->model) {
		out->threshold_moderate = o->model->threshold_moderate;
		out->threshold_high = o->model->threshold_high;
	} else if ((st = pl_risk_assign_folds(s->n, o->folds, o->seed, PL_RNG_EVAL_FOLDS, fold, err)) != PL_OK ||
		   (st = train_folds(s, o, fold, threads, models, others, &out->small_cohort,
				     err)) != PL_OK) {
		goto done;
	}
	for (size_t f = 0; models && f < o->folds; f++) {
		out->fold_moderate[f] = models[f].threshold_moderate;
		out->fold_high[f] = models[f].threshold_high;
		out->fold_l2[f] = models[f].l2;
		out->fold_set[f] = models[f].report.chosen_set;
		out->fold_epv[f] = models[f].report.events_per_feature;
		if (out->fold_names && (!o->by_size || out->small_cohort))
			out->fold_names[f] = models[f].report.rule == PL_SELECT_AVERAGE
						     ? "average"
						     : o->set_names[models[f].report.chosen_set];
		if (others)
			out->compare_fold_l2[f] = others[f].l2;
		if (out->compare_fold_names)
			out->compare_fold_names[f] = others[f].report.rule == PL_SELECT_AVERAGE
							     ? "average"
							     : o->compare.set_names[others[f].report.chosen_set];
	}
	if (out->fold_names && o->by_size && !out->small_cohort) { /* set 0 alone, as if given */
		free(out->fold_names);
		out->fold_names = NULL;
	}
	out->tuned = models && (o->by_size ? out->small_cohort : o->tune_l2 || o->nsets > 0);
	st = build_rows(s, o, models, others, fold, out->horizon_days, threads, &r, err);
	if (st == PL_OK)
		st = reference_rows(s, o, out->horizon_days, threads, &r, err);
	if (st == PL_OK)
		st = collect_lapses(&r, s, err);
	if (own_only(o)) /* every process's rows, in client order, on every process */
		st = rows_gather(&r, s, o, st, err);
	if (st == PL_OK)
		st = compute_reports(s, o, &r, out, err);
	if (st == PL_OK && o->keep_rows)
		st = keep_rows(s, &r, out, err);
done:
	for (size_t f = 0; models && f < o->folds; f++)
		pl_risk_model_release(&models[f]);
	for (size_t f = 0; others && f < o->folds; f++)
		pl_risk_model_release(&others[f]);
	free(models);
	free(others);
	free(fold);
	rows_release(&r);
	if (st != PL_OK)
		pl_eval_result_release(out);
	return st;
}

void pl_eval_result_release(pl_eval_result *r)
{
	if (!r)
		return;
	free(r->fold_moderate);
	free(r->fold_high);
	free(r->fold_l2);
	free(r->fold_set);
	free(r->fold_epv);
	free(r->fold_names);
	free(r->compare_fold_l2);
	free(r->compare_fold_names);
	pl_metrics_report_release(&r->compare_model);
	pl_metrics_report_release(&r->compare_other);
	pl_metrics_report_release(&r->metrics);
	pl_metrics_report_release(&r->oracle);
	pl_metrics_report_release(&r->oracle_window);
	pl_metrics_report_release(&r->observable);
	pl_metrics_report_release(&r->full_information);
	for (int b = 0; b < PL_EVAL_NBASELINES; b++)
		pl_metrics_report_release(&r->baseline[b]);
	for (size_t g = 0; g < r->nsubgroups; g++)
		pl_metrics_report_release(&r->subgroups[g].report);
	pl_curves_release(&r->curves);
	free(r->row_client);
	free(r->row_day);
	free(r->row_risk);
	free(r->row_label);
	free(r->subgroups);
	memset(r, 0, sizeof(*r));
}
