/*
 * risk.c: the relapse-risk model around the features: training data, fitting with grouped
 * cross-validated calibration, tier thresholds, the model file, and scoring with explanations.
 *
 * Why this shape: a clinician needs a probability that means what it says (calibrated on clients
 * the model did not see: folds are grouped by client, as in Wyant et al. 2024), a tier whose
 * alert volume is known in advance (the high tier is set by an alert budget, the moderate tier by
 * a sensitivity target, both measured on out-of-fold predictions), and the reasons behind a
 * number (each feature's signed share of the logit, and rule-based early-warning signals in
 * words). A client with too little history gets no number at all. docs/risk.md has the details.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/risk.h>
#include <peerlink/rng.h>
#include "features_int.h"
#include "risk_int.h"
#include "workers_int.h"

#include <math.h>

#define PL_FIT_MAX_FEATURES 4096 /* sign constraints apply up to this many features */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* ---------------------------------------------------------------- options and dataset */

void pl_risk_train_options_init(pl_risk_train_options *o)
{
	memset(o, 0, sizeof(*o));
	o->horizon_days = 7;
	o->l2 = 1.0;
	o->calibration = PL_CAL_PLATT;
	o->folds = 5;
	o->seed = 0;
	o->alert_rate = 0.05;
	o->sensitivity = 0.50;
	o->min_checkins = 7;
	o->stride = 1;
	o->doc_end = INT32_MIN;
	o->threads = 1;
}

pl_status pl_risk_dataset_init(pl_risk_dataset *ds, size_t nfeatures, pl_error *err)
{
	memset(ds, 0, sizeof(*ds));
	ds->nfeatures = nfeatures;
	ds->min_day = INT32_MAX;
	ds->max_day = INT32_MIN;
	(void)err;
	return PL_OK;
}

void pl_risk_dataset_release(pl_risk_dataset *ds)
{
	if (!ds)
		return;
	free(ds->x);
	free(ds->y);
	free(ds->group);
	memset(ds, 0, sizeof(*ds));
}

static pl_status ds_reserve(pl_risk_dataset *ds, size_t extra, pl_error *err)
{
	size_t need = ds->nrows + extra, cap = ds->cap ? ds->cap : 1024;
	double *x, *y;
	uint32_t *g;

	if (need <= ds->cap)
		return PL_OK;
	while (cap < need)
		cap *= 2;
	x = realloc(ds->x, cap * ds->nfeatures * sizeof(double));
	if (x)
		ds->x = x;
	y = realloc(ds->y, cap * sizeof(double));
	if (y)
		ds->y = y;
	g = realloc(ds->group, cap * sizeof(uint32_t));
	if (g)
		ds->group = g;
	if (!x || !y || !g)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory building the training rows");
	ds->cap = cap;
	return PL_OK;
}

pl_status pl_risk_dataset_add_client(pl_risk_dataset *ds, const pl_client *c,
				     const pl_catalogue *cat, const pl_feature_spec *f,
				     const pl_risk_train_options *o, pl_error *err)
{
	size_t nf = ds->nfeatures, count = 0, used = 0;
	long first = -1, last = -1, span;
	int32_t follow_end = pl_followup_end(c, o->doc_end);
	double *rows = NULL;
	pl_status st = PL_OK;
	uint32_t group = (uint32_t)ds->nclients++;

	/* Follow-up comes from the program (pl_followup_end), never from the client's next event:
	 * extending it only when a later lapse exists made silence look predictive. */
	if (follow_end == INT32_MIN || c->ndays == 0)
		return PL_OK;
	span = (long)follow_end - c->start + 1;

	/* Eligible days: enough check-ins so far and the whole horizon inside follow-up. */
	for (long d = 0; d < span; d++) {
		if (d < (long)c->ndays)
			count += c->checked_in[d];
		if (count < (size_t)o->min_checkins)
			continue;
		/* The whole window must lie in follow-up whatever the label: keeping positives whose
		 * window runs past the end would bias the last days of every client towards lapses. */
		if ((int64_t)c->start + d + o->horizon_days > follow_end)
			continue;
		if (first < 0)
			first = (long)d;
		last = (long)d;
	}
	if (first < 0)
		return PL_OK;
	rows = malloc((size_t)(last - first + 1) * nf * sizeof(double));
	if (!rows)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	st = pl_features_compute(c, cat, f, nf, c->start + (int32_t)first, c->start + (int32_t)last,
				 rows, err);
	if (st != PL_OK)
		goto out;
	count = 0;
	for (long d = 0, seen = -1; d <= last; d++) {
		int32_t day = c->start + (int32_t)d;
		int label;
		if (d < (long)c->ndays && c->checked_in[d]) {
			count++;
			seen = d;
		}
		/* Past PL_SILENCE_LIMIT silent days a client is not scored (tier "contact"), so
		 * such days are not training rows either. */
		if (d < first || count < (size_t)o->min_checkins || d - seen > PL_SILENCE_LIMIT)
			continue;
		label = pl_client_label(c, day, o->horizon_days, follow_end);
		if (label < 0 || (int64_t)day + o->horizon_days > follow_end ||
		    (d - first) % (o->stride > 0 ? o->stride : 1) != 0)
			continue;
		st = ds_reserve(ds, 1, err);
		if (st != PL_OK)
			goto out;
		memcpy(ds->x + ds->nrows * nf, rows + (size_t)(d - first) * nf, nf * sizeof(double));
		ds->y[ds->nrows] = label;
		ds->group[ds->nrows] = group;
		ds->npositive += (size_t)label;
		ds->nrows++;
		used = 1;
		if (day < ds->min_day)
			ds->min_day = day;
		if (day > ds->max_day)
			ds->max_day = day;
	}
	ds->nclients_used += used;
out:
	free(rows);
	return st;
}

/* ---------------------------------------------------------------- model basics */

void pl_risk_model_release(pl_risk_model *m)
{
	if (!m)
		return;
	pl_catalogue_release(&m->catalogue);
	free(m->features);
	free(m->mean);
	free(m->sd);
	free(m->coef);
	pl_calibration_release(&m->cal);
	memset(m, 0, sizeof(*m));
}

pl_status pl_risk_model_alloc(pl_risk_model *m, size_t nf, pl_error *err)
{
	m->nfeatures = nf;
	m->features = calloc(nf ? nf : 1, sizeof(*m->features));
	m->mean = calloc(nf ? nf : 1, sizeof(double));
	m->sd = calloc(nf ? nf : 1, sizeof(double));
	m->coef = calloc(nf ? nf : 1, sizeof(double));
	if (!m->features || !m->mean || !m->sd || !m->coef)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	return PL_OK;
}

double pl_risk_model_logit(const pl_risk_model *m, const double *x, double *contrib)
{
	double eta = m->intercept;
	for (size_t j = 0; j < m->nfeatures; j++) {
		double z = isnan(x[j]) ? 0.0 : (x[j] - m->mean[j]) / m->sd[j];
		double cj = m->coef[j] * z;
		eta += cj;
		if (contrib)
			contrib[j] = cj;
	}
	return eta;
}

double pl_risk_model_calibrate(const pl_risk_model *m, double logit)
{
	return pl_calibration_apply(&m->cal, logit);
}

int pl_risk_model_tier(const pl_risk_model *m, double risk)
{
	if (risk >= m->threshold_high)
		return 2;
	if (risk >= m->threshold_moderate)
		return 1;
	return 0;
}

const char *pl_risk_tier_name(int tier)
{
	switch (tier) {
	case 0: return "low";
	case 1: return "moderate";
	case 2: return "high";
	case PL_TIER_CONTACT: return "contact";
	}
	return "none";
}

/* ---------------------------------------------------------------- training */

static int cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x < y) - (x > y);
}

/* Smallest threshold t with #{p >= t} <= k, where sorted[] is descending. */
static double budget_threshold(const double *sorted, size_t n, size_t k)
{
	if (k >= n)
		return sorted[n - 1];
	/* Walk up from position k (0-based: the (k+1)-th largest) past ties with it. */
	for (size_t j = k; j-- > 0;)
		if (sorted[j] > sorted[k])
			return sorted[j];
	return nextafter(sorted[0], 2.0);
}

static void tier_summary(pl_tier_summary *t, const double *p, const double *y, size_t n,
			 double thr)
{
	double flagged = 0, tp = 0, pos = 0;
	for (size_t i = 0; i < n; i++) {
		pos += y[i];
		if (p[i] >= thr) {
			flagged++;
			tp += y[i];
		}
	}
	t->threshold = thr;
	t->flagged_fraction = n ? flagged / (double)n : 0;
	t->alerts_per_client_week = n ? 7 * flagged / (double)n : 0;
	t->sensitivity = pos > 0 ? tp / pos : 0;
	t->ppv = flagged > 0 ? tp / flagged : NAN;
}

const char *pl_calibration_name(pl_calibration_method m)
{
	return m == PL_CAL_PLATT ? "platt" : m == PL_CAL_ISOTONIC ? "isotonic" : "none";
}

/* ---- blocks of clients and processes (pl_risk_train_dist) ---- */

size_t pl_risk_train_blocks(size_t nclients, size_t nfeatures)
{
	size_t q = nfeatures + 1, per = 1 + q + q * (q + 1) / 2, cap = PL_TRAIN_BLOCK_DOUBLES / per;
	size_t want = (nclients + PL_TRAIN_BLOCK_CLIENTS - 1) / PL_TRAIN_BLOCK_CLIENTS;

	if (cap < 1)
		cap = 1;
	if (cap > PL_TRAIN_MAX_BLOCKS)
		cap = PL_TRAIN_MAX_BLOCKS;
	return want == 0 ? 1 : want < cap ? want : cap;
}

size_t pl_risk_block_first_client(size_t b, size_t nclients, size_t nblocks)
{
	return (size_t)((uint64_t)b * (uint64_t)nclients / (uint64_t)nblocks);
}

void pl_risk_train_clients(size_t nclients, size_t nfeatures, int rank, int size, size_t *first,
			   size_t *end)
{
	size_t nb = pl_risk_train_blocks(nclients, nfeatures);

	*first = pl_risk_block_first_client((size_t)rank * nb / (size_t)size, nclients, nb);
	*end = pl_risk_block_first_client(((size_t)rank + 1) * nb / (size_t)size, nclients, nb);
}

/* Where this process stands among all: its blocks, and every process's rows summed up. */
typedef struct train_part {
	size_t nclients, nblocks;     /* every process's */
	size_t first, count;          /* this process's blocks */
	const pl_comm *comm;     /* NULL: one process */
	size_t row0;                  /* this process's first row among every process's rows */
	size_t events;                /* pl_risk_dataset_events over every process's rows */
	pl_risk_dataset all;          /* counts of every process's rows (x, group: NULL; y: filled
				       * by train_work_alloc) */
} train_part;

/* Counts per process in their own slots, summed: exact (integers below 2^53). */
static pl_status part_init(train_part *pt, const pl_risk_dataset *ds, size_t nclients,
			   const pl_comm *comm, pl_error *err)
{
	int rank = comm ? comm->rank : 0, size = comm ? comm->size : 1;
	double *v = calloc((size_t)size * 7, sizeof(double));
	pl_status st;

	memset(pt, 0, sizeof(*pt));
	if (!v)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	pt->nclients = nclients;
	pt->nblocks = pl_risk_train_blocks(nclients, ds->nfeatures);
	pt->first = (size_t)rank * pt->nblocks / (size_t)size;
	pt->count = ((size_t)rank + 1) * pt->nblocks / (size_t)size - pt->first;
	pt->comm = comm;
	v[rank * 7 + 0] = (double)ds->nrows;
	v[rank * 7 + 1] = (double)ds->npositive;
	v[rank * 7 + 2] = (double)ds->nclients_used;
	v[rank * 7 + 3] = ds->min_day;
	v[rank * 7 + 4] = ds->max_day;
	v[rank * 7 + 5] = (double)pl_risk_dataset_events(ds); /* a client's rows are in one process */
	st = pl_comm_sum(comm, v, (size_t)size * 7, err);
	pt->all.nfeatures = ds->nfeatures;
	pt->all.nclients = nclients;
	pt->all.min_day = INT32_MAX;
	pt->all.max_day = INT32_MIN;
	for (int r = 0; st == PL_OK && r < size; r++) {
		if (r < rank)
			pt->row0 += (size_t)v[r * 7];
		pt->all.nrows += (size_t)v[r * 7];
		pt->all.npositive += (size_t)v[r * 7 + 1];
		pt->all.nclients_used += (size_t)v[r * 7 + 2];
		if (v[r * 7 + 3] < pt->all.min_day)
			pt->all.min_day = (int32_t)v[r * 7 + 3];
		if (v[r * 7 + 4] > pt->all.max_day)
			pt->all.max_day = (int32_t)v[r * 7 + 4];
		pt->events += (size_t)v[r * 7 + 5];
	}
	free(v);
	return st;
}

/* start[0 .. count]: where each of this process's blocks begins among n rows whose clients are
 * group[0 .. n) (non-decreasing, as pl_risk_dataset_add_client appends them). */
static void block_starts(const train_part *pt, const uint32_t *group, size_t n, size_t *start)
{
	size_t i = 0;

	for (size_t k = 0; k < pt->count; k++) {
		size_t end = pl_risk_block_first_client(pt->first + k + 1, pt->nclients, pt->nblocks);
		start[k] = i;
		while (i < n && group[i] < end)
			i++;
	}
	start[pt->count] = n;
}

/* Working arrays of one training run: this process's rows, and per-row numbers of every
 * process's rows (out-of-fold logits, labels) for calibration, thresholds and the report. */
typedef struct train_work {
	double *Z;              /* n x p standardized features (this process's rows) */
	double *beta;           /* p + 1 */
	double *oof;            /* out-of-fold logits (every process's rows) */
	double *prob;           /* out-of-fold calibrated risks (every process's rows) */
	double *sorted;
	double *sub_x, *sub_y;  /* one fold's training rows (the fitting buffers from sub_x to
				 * beta_free: only when train_work_alloc is asked for them) */
	uint32_t *sub_g;        /* their clients */
	double *col_x;          /* the same rows restricted to the free coefficients */
	double *beta_free;      /* their coefficients */
	int *orient;            /* pl_feature_orientation of each feature */
	uint8_t *y8;            /* labels as 0/1 bytes, for the metrics module (every row) */
	size_t *fold;           /* per client */
	size_t *start;          /* this process's block offsets (count + 1) */
} train_work;

static void train_work_release(train_work *w)
{
	free(w->Z);
	free(w->beta);
	free(w->oof);
	free(w->prob);
	free(w->sorted);
	free(w->sub_x);
	free(w->sub_y);
	free(w->sub_g);
	free(w->col_x);
	free(w->beta_free);
	free(w->orient);
	free(w->y8);
	free(w->fold);
	free(w->start);
}

/* fold_rows: also the buffers of one fold's training rows (sub_*, col_x, beta_free), for a caller
 * that fits in w itself (deviance_path); fit_all's tasks have their own (task_work). */
static pl_status train_work_alloc(train_work *w, const pl_risk_dataset *ds, train_part *pt,
				  int fold_rows, pl_error *err)
{
	size_t n = ds->nrows, p = ds->nfeatures, na = pt->all.nrows;
	double *y_all;

	memset(w, 0, sizeof(*w));
	w->Z = malloc((n ? n : 1) * p * sizeof(double));
	w->beta = malloc((p + 1) * sizeof(double));
	w->oof = calloc(na ? na : 1, sizeof(double));
	w->prob = malloc((na ? na : 1) * sizeof(double));
	w->sorted = malloc((na ? na : 1) * sizeof(double));
	if (fold_rows) {
		w->sub_x = malloc((n ? n : 1) * (p ? p : 1) * sizeof(double));
		w->sub_y = malloc((n ? n : 1) * sizeof(double));
		w->sub_g = malloc((n ? n : 1) * sizeof(uint32_t));
		w->col_x = malloc((n ? n : 1) * (p ? p : 1) * sizeof(double));
		w->beta_free = malloc((p + 1) * sizeof(double));
		if (!w->sub_x || !w->sub_y || !w->sub_g || !w->col_x || !w->beta_free)
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	w->orient = calloc(p ? p : 1, sizeof(int));
	w->y8 = malloc(na ? na : 1);
	w->fold = malloc((pt->nclients ? pt->nclients : 1) * sizeof(size_t));
	w->start = malloc((pt->count + 1) * sizeof(size_t));
	y_all = pt->all.y = calloc(na ? na : 1, sizeof(double));
	if (!w->Z || !w->beta || !w->oof || !w->prob || !w->sorted || !w->y8 || !w->fold ||
	    !w->orient || !w->start || !y_all)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	/* Every process's labels, each process filling its own rows. */
	if (n)
		memcpy(y_all + pt->row0, ds->y, n * sizeof(double));
	{
		pl_status st = pl_comm_sum(pt->comm, y_all, na, err);
		if (st != PL_OK)
			return st;
	}
	for (size_t i = 0; i < na; i++)
		w->y8[i] = y_all[i] > 0.5;
	return PL_OK;
}

/* Standardization over the defined values; undefined values become the mean (z = 0). Counts,
 * means and sums of squared deviations are taken per block of clients (Welford), then the
 * blocks merged in block order (Chan, Golub & LeVeque, "Algorithms for computing the sample
 * variance", Am. Stat. 37(3), 1983, eq. 2.1), so every process gets the same numbers. */
static pl_status standardize(const pl_risk_dataset *ds, const train_part *pt, size_t *start,
			     pl_risk_model *m, double *Z, pl_error *err)
{
	size_t n = ds->nrows, p = ds->nfeatures, len = 3 * (p ? p : 1);
	double *slots = calloc(pt->nblocks * len, sizeof(double));
	pl_status st;

	if (!slots)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	block_starts(pt, ds->group, n, start);
	/* Within a block the rows are read in order, the three running numbers of every column side
	 * by side in the slot (row-major data: a column-by-column walk would touch one double per
	 * cache line); each column's numbers are the same as alone. */
	for (size_t k = 0; k < pt->count; k++) {
		double *slot = slots + (pt->first + k) * len;
		for (size_t i = start[k]; i < start[k + 1]; i++)
			for (size_t j = 0; j < p; j++) {
				double v = ds->x[i * p + j], d, *s3 = slot + 3 * j;
				if (isnan(v))
					continue;
				s3[0]++;
				d = v - s3[1];
				s3[1] += d / s3[0];
				s3[2] += d * (v - s3[1]);
			}
	}
	st = pl_comm_sum(pt->comm, slots, pt->nblocks * len, err);
	for (size_t j = 0; st == PL_OK && j < p; j++) {
		double mean = 0, m2 = 0, cnt = 0;
		for (size_t b = 0; b < pt->nblocks; b++) {
			const double *s = slots + b * len + 3 * j;
			double nb = s[0], d, tot;
			if (nb == 0)
				continue;
			if (cnt == 0) {
				cnt = nb;
				mean = s[1];
				m2 = s[2];
				continue;
			}
			tot = cnt + nb;
			d = s[1] - mean;
			mean += d * nb / tot;
			m2 += s[2] + d * d * cnt * nb / tot;
			cnt = tot;
		}
		m->mean[j] = cnt > 0 ? mean : 0.0;
		m->sd[j] = cnt > 1 && m2 / (cnt - 1) > 1e-12 ? sqrt(m2 / (cnt - 1)) : 1.0;
	}
	for (size_t i = 0; st == PL_OK && i < n; i++)
		for (size_t j = 0; j < p; j++) {
			double v = ds->x[i * p + j];
			Z[i * p + j] = isnan(v) ? 0.0 : (v - m->mean[j]) / m->sd[j];
		}
	free(slots);
	return st;
}

pl_status pl_risk_assign_folds(size_t n, size_t K, unsigned long seed, int stream, size_t *fold,
				pl_error *err)
{
	size_t *perm = malloc((n ? n : 1) * sizeof(size_t));
	gsl_rng *g = pl_rng_new(seed, (pl_rng_stream)stream);

	if (!perm || !g || K == 0) {
		free(perm);
		pl_rng_free(g);
		return K == 0 ? pl_error_set(err, PL_ERR_INTERNAL, "", "folds need K >= 1")
			      : pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	gsl_ran_shuffle(g, perm, n, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		fold[perm[i]] = i % K;
	free(perm);
	pl_rng_free(g);
	return PL_OK;
}

/* The logistic fit with every coefficient on the side of its feature's direction (orient[j] *
 * beta_j >= 0; pl_feature_orientation): fit, fix the coefficients on the wrong side at 0, refit
 * the rest, until none is on the wrong side. This is the backward elimination of wrong-signed
 * terms used for clinical scores (a sign-constrained model: Steyerberg, Clinical Prediction
 * Models, 2nd ed., 2019, ch. 13 on plausibility of effects); it is not the exact constrained
 * optimum, but every step drops a term, so it ends within p refits. Without it, features that
 * share one signal take opposite signs and "stress up" could lower the risk. Rows X are this
 * process's, in the blocks of blk; every process takes the same steps. */
static pl_status fit_signed(const double *X, const double *y, const pl_logistic_blocks *blk,
			    size_t p, double l2, train_work *w, double *beta, int warm,
			    pl_logistic_info *info, pl_error *err)
{
	uint8_t freeb[PL_FIT_MAX_FEATURES];
	size_t q, n = blk->start[blk->count];
	pl_status st;

	if (p > PL_FIT_MAX_FEATURES)
		return pl_logistic_fit_blocks(X, y, NULL, p, l2, blk, warm, beta, info, err);
	memset(freeb, 1, p);
	for (;;) {
		size_t wrong = 0, k = 0;
		q = 0;
		for (size_t j = 0; j < p; j++)
			q += freeb[j];
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < p; j++)
				if (freeb[j])
					w->col_x[k++] = X[i * p + j];
		if (warm) { /* start from beta's free coefficients (the neighbouring penalty's fit) */
			w->beta_free[0] = beta[0];
			for (size_t j = 0, m = 1; j < p; j++)
				if (freeb[j])
					w->beta_free[m++] = beta[j + 1];
		}
		st = pl_logistic_fit_blocks(w->col_x, y, NULL, q, l2, blk, warm, w->beta_free, info,
					    err);
		if (st != PL_OK)
			return st;
		beta[0] = w->beta_free[0];
		for (size_t j = 0, m = 1; j < p; j++)
			beta[j + 1] = freeb[j] ? w->beta_free[m++] : 0.0;
		for (size_t j = 0; j < p; j++)
			if (freeb[j] && w->orient[j] * beta[j + 1] < 0) {
				freeb[j] = 0;
				wrong++;
			}
		if (wrong == 0)
			return PL_OK;
		/* The refit starts from this fit with the dropped terms at 0 (the optimum is unique,
		 * so only the number of Newton steps changes: about 4 instead of 7, issue 12). */
		warm = 1;
	}
}

/* Per fold, every process's training rows and lapses among them: counts[2k], counts[2k + 1]. */
static pl_status fold_counts(const pl_risk_dataset *ds, const train_part *pt, size_t K,
			     const train_work *w, double *counts, pl_error *err)
{
	int rank = pt->comm ? pt->comm->rank : 0, size = pt->comm ? pt->comm->size : 1;
	double *v = calloc((size_t)size * 2 * K, sizeof(double));
	pl_status st;

	if (!v)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t i = 0; i < ds->nrows; i++)
		for (size_t k = 0; k < K; k++)
			if (w->fold[ds->group[i]] != k) {
				v[((size_t)rank * K + k) * 2] += 1;
				v[((size_t)rank * K + k) * 2 + 1] += ds->y[i] > 0.5;
			}
	st = pl_comm_sum(pt->comm, v, (size_t)size * 2 * K, err);
	memset(counts, 0, 2 * K * sizeof(double));
	for (int r = 0; st == PL_OK && r < size; r++)
		for (size_t k = 0; k < 2 * K; k++)
			counts[k] += v[(size_t)r * 2 * K + k];
	free(v);
	return st;
}

/* The fits of one training run: task k < K scores inner fold k's rows by a fit on the other
 * folds (its out-of-fold logits into w->oof), task K fits every row (into beta). Each task copies
 * its rows into its own buffers, so the tasks can run side by side (single process) and each
 * writes only its own numbers: the same model whatever the number of threads. */
typedef struct fit_tasks {
	const pl_risk_dataset *ds;
	const train_part *pt;
	size_t K;
	double l2;
	const double *counts;   /* fold_counts */
	train_work *w;          /* Z, fold, orient read; oof written per fold */
	double *beta;           /* task K's coefficients */
	pl_logistic_info *info; /* task K's fit */
} fit_tasks;

/* A shallow copy of w with its own fitting buffers for n rows (sub: also the copied rows'). */
static pl_status task_work(const train_work *w, size_t nrows, size_t p, size_t nstart, int sub,
			   train_work *t, pl_error *err)
{
	size_t n = nrows ? nrows : 1;

	*t = *w;
	t->sub_x = sub ? malloc(n * (p ? p : 1) * sizeof(double)) : NULL;
	t->sub_y = sub ? malloc(n * sizeof(double)) : NULL;
	t->sub_g = sub ? malloc(n * sizeof(uint32_t)) : NULL;
	t->col_x = malloc(n * (p ? p : 1) * sizeof(double));
	t->beta = malloc((p + 1) * sizeof(double));
	t->beta_free = malloc((p + 1) * sizeof(double));
	t->start = malloc((nstart + 1) * sizeof(size_t));
	if ((sub && (!t->sub_x || !t->sub_y || !t->sub_g)) || !t->col_x || !t->beta ||
	    !t->beta_free || !t->start)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	return PL_OK;
}

static void task_work_release(train_work *t)
{
	free(t->sub_x);
	free(t->sub_y);
	free(t->sub_g);
	free(t->col_x);
	free(t->beta);
	free(t->beta_free);
	free(t->start);
}

/* Inner fold k: fit the other folds' rows, score fold k's. */
static pl_status fit_inner(const fit_tasks *x, size_t k, train_work *t, pl_error *err)
{
	const pl_risk_dataset *ds = x->ds;
	size_t n = ds->nrows, p = ds->nfeatures, nt = 0;
	pl_logistic_blocks blk = { x->pt->nblocks, x->pt->first, x->pt->count, t->start, x->pt->comm };
	pl_status st;

	if (x->counts[2 * k + 1] == 0 || x->counts[2 * k + 1] == x->counts[2 * k])
		return pl_error_set(err, PL_ERR_INFEASIBLE, "/clients",
				    "a cross-validation fold has no lapse (or only lapses); "
				    "give more clients or fewer folds");
	for (size_t i = 0; i < n; i++)
		if ((size_t)t->fold[ds->group[i]] != k) {
			memcpy(t->sub_x + nt * p, t->Z + i * p, p * sizeof(double));
			t->sub_g[nt] = ds->group[i];
			t->sub_y[nt++] = ds->y[i];
		}
	block_starts(x->pt, t->sub_g, nt, t->start);
	st = fit_signed(t->sub_x, t->sub_y, &blk, p, x->l2, t, t->beta, 0, NULL, err);
	for (size_t i = 0; st == PL_OK && i < n; i++)
		if ((size_t)t->fold[ds->group[i]] == k) {
			double e = t->beta[0];
			for (size_t j = 0; j < p; j++)
				e += t->beta[j + 1] * t->Z[i * p + j];
			x->w->oof[x->pt->row0 + i] = e;
		}
	return st;
}

/* The final fit on every row. */
static pl_status fit_final(const fit_tasks *x, train_work *t, pl_error *err)
{
	const pl_risk_dataset *ds = x->ds;
	pl_logistic_blocks blk = { x->pt->nblocks, x->pt->first, x->pt->count, t->start, x->pt->comm };

	block_starts(x->pt, ds->group, ds->nrows, t->start);
	return fit_signed(t->Z, ds->y, &blk, ds->nfeatures, x->l2, t, x->beta, 0, x->info, err);
}

static pl_status fit_task(void *arg, size_t k, pl_error *err)
{
	const fit_tasks *x = arg;
	train_work t;
	pl_status st = task_work(x->w, x->ds->nrows, x->ds->nfeatures, x->pt->count, k < x->K, &t,
				 err);

	if (st == PL_OK)
		st = k < x->K ? fit_inner(x, k, &t, err) : fit_final(x, &t, err);
	task_work_release(&t);
	return st;
}

/* Out-of-fold logits of every row (in w->oof, every process's) and the final fit's coefficients
 * (in beta). Over processes (pt->comm) the tasks run one after the other in task order, every
 * process taking the same steps; in one process on up to `threads` threads. */
static pl_status fit_all(const pl_risk_dataset *ds, const train_part *pt, size_t K, double l2,
			 int threads, pl_thread_share *share, train_work *w, double *beta,
			 pl_logistic_info *info, pl_error *err)
{
	double *counts = malloc(2 * K * sizeof(double));
	fit_tasks x = { ds, pt, K, l2, counts, w, beta, info };
	pl_status st;

	if (!counts)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	st = fold_counts(ds, pt, K, w, counts, err);
	if (st == PL_OK)
		st = pl__run_items_shared(K + 1, pt->comm ? 1 : threads, share, fit_task, &x, err);
	free(counts);
	if (st == PL_OK)
		st = pl_comm_sum(pt->comm, w->oof, pt->all.nrows, err);
	return st;
}

/* The members of an averaged model (PL_SELECT_AVERAGE): member s fits the dataset's columns
 * cols[first[s] .. first[s + 1]) at the penalty l2[s] and weighs weight[s] (the weights sum
 * to 1). */
typedef struct train_members {
	size_t n;
	const size_t *first, *cols;
	const double *l2, *weight;
} train_members;

/* fit_all for every member on its own columns of w->Z, then their weighted average: w->oof the
 * members' weighted out-of-fold logit, beta the weighted sum of their coefficients on ds's
 * columns (0 where a member lacks the column), which is the averaged logit as one linear model.
 * Members are added in their order, so the sums are the same whatever the number of threads. */
static pl_status fit_members(const pl_risk_dataset *ds, const train_part *pt, size_t K,
			     const pl_risk_train_options *o, pl_thread_share *share,
			     const train_members *mem, train_work *w, pl_logistic_info *info,
			     pl_error *err)
{
	size_t n = ds->nrows, p = ds->nfeatures, na = pt->all.nrows;
	double *sum = calloc(na ? na : 1, sizeof(double)), *beta = malloc((p + 1) * sizeof(double));
	double *Z = malloc((n ? n : 1) * (p ? p : 1) * sizeof(double));
	int *orient = malloc((p ? p : 1) * sizeof(int));
	pl_status st = PL_OK;

	if (!sum || !beta || !Z || !orient)
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if (st == PL_OK)
		memset(w->beta, 0, (p + 1) * sizeof(double));
	for (size_t s = 0; st == PL_OK && s < mem->n; s++) {
		const size_t *cols = mem->cols + mem->first[s];
		size_t q = mem->first[s + 1] - mem->first[s];
		pl_risk_dataset sub = *ds; /* fit_all reads its rows' labels and clients, not x */
		train_work ws = *w;
		sub.nfeatures = q;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < q; j++)
				Z[i * q + j] = w->Z[i * p + cols[j]];
		for (size_t j = 0; j < q; j++)
			orient[j] = w->orient[cols[j]];
		ws.Z = Z;
		ws.orient = orient;
		memset(w->oof, 0, (na ? na : 1) * sizeof(double)); /* fit_all sums it over processes */
		st = fit_all(&sub, pt, K, mem->l2[s], o->threads > 1 ? o->threads : 1, share, &ws,
			     beta, info, err);
		for (size_t i = 0; st == PL_OK && i < na; i++)
			sum[i] += mem->weight[s] * w->oof[i];
		if (st == PL_OK) {
			w->beta[0] += mem->weight[s] * beta[0];
			for (size_t j = 0; j < q; j++)
				w->beta[cols[j] + 1] += mem->weight[s] * beta[j + 1];
		}
	}
	if (st == PL_OK)
		memcpy(w->oof, sum, na * sizeof(double));
	free(sum);
	free(beta);
	free(Z);
	free(orient);
	return st;
}

/* High tier: the alert budget; moderate: the largest threshold that still reaches the
 * sensitivity target (capped at the high threshold). On out-of-fold calibrated risks. */
static void choose_thresholds(const pl_risk_dataset *ds, const pl_risk_train_options *o,
			      train_work *w, pl_risk_model *m)
{
	size_t n = ds->nrows, npos = 0, need;

	for (size_t i = 0; i < n; i++)
		w->prob[i] = w->sorted[i] = pl_calibration_apply(&m->cal, w->oof[i]);
	qsort(w->sorted, n, sizeof(double), cmp_desc);
	m->threshold_high = budget_threshold(w->sorted, n, (size_t)floor(o->alert_rate * (double)n));
	for (size_t i = 0; i < n; i++)
		if (ds->y[i] > 0.5)
			w->sorted[npos++] = w->prob[i];
	qsort(w->sorted, npos, sizeof(double), cmp_desc);
	need = (size_t)ceil(o->sensitivity * (double)npos);
	if (need < 1)
		need = 1;
	if (need > npos)
		need = npos;
	m->threshold_moderate = fmin(w->sorted[need - 1], m->threshold_high);
}

/* The training report: the data, the rule and the out-of-fold performance. */
static void fill_report(const pl_risk_dataset *ds, const pl_risk_train_options *o, size_t K,
			const train_work *w, int iterations, size_t events, pl_risk_model *m)
{
	pl_risk_training_report *r = &m->report;
	size_t n = ds->nrows;
	double brier = 0, ll = 0, mp = 0, my = 0;

	r->present = 1;
	r->alert_rate = o->alert_rate;
	r->sensitivity_target = o->sensitivity;
	r->clients = ds->nclients;
	r->clients_with_rows = ds->nclients_used;
	r->client_days = n;
	r->positive_days = ds->npositive;
	r->first_day = ds->min_day;
	r->last_day = ds->max_day;
	r->folds = K;
	r->seed = o->seed;
	r->stride = o->stride;
	r->calibration = o->calibration;
	for (size_t i = 0; i < n; i++) {
		double q = fmin(fmax(w->prob[i], 1e-12), 1 - 1e-12);
		brier += (w->prob[i] - ds->y[i]) * (w->prob[i] - ds->y[i]);
		ll -= ds->y[i] * log(q) + (1 - ds->y[i]) * log(1 - q);
		mp += w->prob[i];
		my += ds->y[i];
	}
	r->auroc = pl_metrics_auroc(w->oof, w->y8, n);
	r->brier = brier / n;
	r->log_loss = ll / n;
	r->mean_predicted = mp / n;
	r->observed_rate = my / n;
	tier_summary(&r->moderate_or_higher, w->prob, ds->y, n, m->threshold_moderate);
	tier_summary(&r->high, w->prob, ds->y, n, m->threshold_high);
	pl_metrics_ece(w->prob, w->y8, n, PL_TRAIN_RELIABILITY_BINS, r->reliability);
	r->irls_iterations = iterations;
	r->events = events;
	r->events_per_feature = ds->nfeatures ? (double)r->events / (double)ds->nfeatures : NAN;
}

static pl_status train_check(const pl_risk_dataset *ds, size_t K, pl_error *err)
{
	size_t n = ds->nrows;

	if (n == 0 || ds->npositive == 0 || ds->npositive == n)
		return pl_error_set(err, PL_ERR_INFEASIBLE, "/clients",
				    "the training data need client-days both with and without a lapse "
				    "in the horizon (rows: %zu, with a lapse: %zu)", n, ds->npositive);
	if (K > ds->nclients_used)
		return pl_error_set(err, PL_ERR_INFEASIBLE, "/clients",
				    "%zu clients with labelled days cannot be split into %zu folds",
				    ds->nclients_used, K);
	return PL_OK;
}

/* The recipe at the fixed penalty o->l2 on every column of ds, over the processes of comm
 * (pl_risk_train_dist; NULL: this one), the fits on threads of share when given
 * (pl__risk_train_shared); with members (not NULL), their average instead of one fit
 * (fit_members), calibrated, thresholded and reported as one model. */
static pl_status train_recipe(const pl_risk_dataset *ds, size_t nclients, const pl_comm *comm,
			      const pl_catalogue *cat, const pl_feature_spec *f,
			      const pl_risk_train_options *o, pl_thread_share *share,
			      const train_members *mem, pl_risk_model *m, pl_error *err)
{
	size_t p = ds->nfeatures, K = o->folds < 2 ? 2 : (size_t)o->folds;
	train_part pt;
	train_work w;
	pl_logistic_info info;
	pl_status st;

	memset(m, 0, sizeof(*m));
	memset(&w, 0, sizeof(w));
	/* Every process reaches each sum below, whatever fails, or it fails everywhere alike: the
	 * checks read only numbers every process shares. */
	if ((st = part_init(&pt, ds, nclients, comm, err)) != PL_OK)
		return st;
	if ((st = train_check(&pt.all, K, err)) != PL_OK)
		return st;
	if ((st = pl_risk_model_alloc(m, p, err)) != PL_OK ||
	    (st = pl_catalogue_copy(&m->catalogue, cat, err)) != PL_OK ||
	    (st = train_work_alloc(&w, ds, &pt, 0, err)) != PL_OK)
		goto fail;
	m->version = PL_RISK_MODEL_VERSION;
	m->horizon_days = o->horizon_days;
	m->min_checkins = o->min_checkins;
	m->l2 = o->l2;
	memcpy(m->features, f, p * sizeof(*f));
	for (size_t j = 0; j < p; j++)
		w.orient[j] = pl_feature_orientation(&f[j], cat);
	if ((st = standardize(ds, &pt, w.start, m, w.Z, err)) != PL_OK)
		goto fail;
	st = pl_risk_assign_folds(pt.nclients, K, o->seed, PL_RNG_TRAIN_FOLDS, w.fold, err);
	if (st == PL_OK)
		st = mem ? fit_members(ds, &pt, K, o, share, mem, &w, &info, err)
			 : fit_all(ds, &pt, K, o->l2, o->threads > 1 ? o->threads : 1, share, &w,
				   w.beta, &info, err);
	if (st != PL_OK)
		goto fail;
	/* Calibration on the out-of-fold logits (every process has them all). */
	if (o->calibration == PL_CAL_PLATT)
		st = pl_calibration_fit_platt(w.oof, pt.all.y, pt.all.nrows, &m->cal, err);
	else if (o->calibration == PL_CAL_ISOTONIC)
		st = pl_calibration_fit_isotonic(w.oof, pt.all.y, pt.all.nrows, &m->cal, err);
	else
		m->cal.method = PL_CAL_NONE;
	if (st != PL_OK)
		goto fail;
	/* The final coefficients (fit_all) use every row. */
	m->intercept = w.beta[0];
	for (size_t j = 0; j < p; j++)
		m->coef[j] = w.beta[j + 1];
	choose_thresholds(&pt.all, o, &w, m);
	fill_report(&pt.all, o, K, &w, info.iterations, pt.events, m);
	train_work_release(&w);
	free(pt.all.y);
	return PL_OK;
fail:
	train_work_release(&w);
	free(pt.all.y);
	pl_risk_model_release(m);
	return st;
}

static pl_status train_fixed_dist(const pl_risk_dataset *ds, size_t nclients, const pl_comm *comm,
				  const pl_catalogue *cat, const pl_feature_spec *f,
				  const pl_risk_train_options *o, pl_thread_share *share,
				  pl_risk_model *m, pl_error *err)
{
	return train_recipe(ds, nclients, comm, cat, f, o, share, NULL, m, err);
}

/* The recipe at the fixed penalty o->l2 on every column of ds. */
static pl_status train_fixed(const pl_risk_dataset *ds, const pl_catalogue *cat,
			     const pl_feature_spec *f, const pl_risk_train_options *o,
			     pl_thread_share *share, pl_risk_model *m, pl_error *err)
{
	return train_fixed_dist(ds, ds->nclients, NULL, cat, f, o, share, m, err);
}

/* ---------------------------------------------------------------- choosing the penalty */

void pl_risk_l2_grid(size_t npositive, double *grid)
{
	double m = npositive ? (double)npositive : 1.0;
	for (size_t k = 0; k < PL_L2_GRID_N; k++)
		grid[k] = m * pow(10.0, (double)(PL_L2_GRID_N - 1 - k) / 2.0 - 3.0);
}

size_t pl_risk_dataset_events(const pl_risk_dataset *ds)
{
	size_t events = 0;
	for (size_t i = 0; i < ds->nrows; i++)
		if (ds->y[i] > 0.5 && (i == 0 || ds->y[i - 1] <= 0.5 || ds->group[i - 1] != ds->group[i]))
			events++;
	return events;
}

/* ds restricted to the columns cols[0 .. nc) (rows, labels and groups copied). */
static pl_status project_columns(const pl_risk_dataset *ds, const size_t *cols, size_t nc,
				 pl_risk_dataset *out, pl_error *err)
{
	size_t n = ds->nrows ? ds->nrows : 1;

	*out = *ds;
	out->nfeatures = nc;
	out->cap = ds->nrows;
	out->x = malloc(n * (nc ? nc : 1) * sizeof(double));
	out->y = malloc(n * sizeof(double));
	out->group = malloc(n * sizeof(uint32_t));
	if (!out->x || !out->y || !out->group) {
		pl_risk_dataset_release(out);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	for (size_t i = 0; i < ds->nrows; i++)
		for (size_t j = 0; j < nc; j++)
			out->x[i * nc + j] = ds->x[i * ds->nfeatures + cols[j]];
	if (ds->nrows) {
		memcpy(out->y, ds->y, ds->nrows * sizeof(double));
		memcpy(out->group, ds->group, ds->nrows * sizeof(uint32_t));
	}
	return PL_OK;
}

/* From per-fold sums of deviance sum[k * ng + g] over fold k's n[k] held-out rows: the mean
 * deviance per row dev[g] and its standard error se[g], as glmnet's cv.glmnet computes cvm and
 * cvsd (Friedman, Hastie & Tibshirani 2010): the folds' mean deviances weighted by their rows,
 * se = sqrt(weighted variance across folds / (K - 1)). */
static void cv_mean_se(const double *sum, const double *n, size_t K, size_t ng, double *dev,
		       double *se)
{
	double total = 0;

	for (size_t k = 0; k < K; k++)
		total += n[k];
	for (size_t g = 0; g < ng; g++) {
		double s = 0, v = 0;
		for (size_t k = 0; k < K; k++)
			s += sum[k * ng + g];
		dev[g] = total > 0 ? s / total : 0;
		for (size_t k = 0; k < K; k++)
			if (n[k] > 0) {
				double d = sum[k * ng + g] / n[k] - dev[g];
				v += n[k] * d * d;
			}
		se[g] = total > 0 && K > 1 ? sqrt(v / total / (double)(K - 1)) : 0;
	}
}

/* Out-of-fold deviance per row, dev[g] (and its standard error se[g]), of the recipe at every
 * penalty grid[g] (strongest first)
 * on the training folds: within a fold each fit starts from the previous penalty's (a warm start
 * along the path, as in glmnet: Friedman, Hastie & Tibshirani, J Stat Softw 2010), so the path
 * costs little more than one cold fit per fold. The deviance is the binomial log-loss of the
 * model's own probability sigmoid(logit) (glmnet's type.measure = "deviance"), a proper score
 * that rewards ranking and calibration alike and, unlike a pooled AUROC, is not fooled by the
 * folds' intercepts differing. */
static pl_status deviance_path(const pl_risk_dataset *ds, const pl_catalogue *cat,
			       const pl_feature_spec *f, const pl_risk_train_options *o,
			       const double *grid, size_t ng, double *dev, double *se, pl_error *err)
{
	size_t n = ds->nrows, p = ds->nfeatures, K = o->folds < 2 ? 2 : (size_t)o->folds;
	double *fold_dev = calloc(K * ng + K, sizeof(double)), *fold_n = fold_dev + K * ng;
	pl_risk_model tmp;
	train_work w;
	pl_status st;

	train_part pt;
	pl_logistic_blocks blk;

	memset(&tmp, 0, sizeof(tmp));
	memset(&w, 0, sizeof(w));
	memset(&pt, 0, sizeof(pt));
	if (!fold_dev)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if ((st = part_init(&pt, ds, ds->nclients, NULL, err)) != PL_OK ||
	    (st = pl_risk_model_alloc(&tmp, p, err)) != PL_OK ||
	    (st = train_work_alloc(&w, ds, &pt, 1, err)) != PL_OK)
		goto done;
	blk = (pl_logistic_blocks){ pt.nblocks, pt.first, pt.count, w.start, NULL };
	for (size_t j = 0; j < p; j++)
		w.orient[j] = pl_feature_orientation(&f[j], cat);
	st = standardize(ds, &pt, w.start, &tmp, w.Z, err);
	if (st == PL_OK)
		st = pl_risk_assign_folds(ds->nclients, K, o->seed, PL_RNG_TRAIN_FOLDS, w.fold, err);
	for (size_t k = 0; st == PL_OK && k < K; k++) {
		size_t nt = 0, npos = 0;
		for (size_t i = 0; i < n; i++)
			if ((size_t)w.fold[ds->group[i]] != k) {
				memcpy(w.sub_x + nt * p, w.Z + i * p, p * sizeof(double));
				w.sub_g[nt] = ds->group[i];
				w.sub_y[nt++] = ds->y[i];
				npos += ds->y[i] > 0.5;
			}
		block_starts(&pt, w.sub_g, nt, w.start);
		if (npos == 0 || npos == nt) {
			st = pl_error_set(err, PL_ERR_INFEASIBLE, "/clients",
					  "a cross-validation fold has no lapse (or only lapses); "
					  "give more clients or fewer folds");
			break;
		}
		fold_n[k] = (double)(n - nt);
		for (size_t g = 0; st == PL_OK && g < ng; g++) {
			st = fit_signed(w.sub_x, w.sub_y, &blk, p, grid[g], &w, w.beta, g > 0, NULL, err);
			for (size_t i = 0; st == PL_OK && i < n; i++)
				if ((size_t)w.fold[ds->group[i]] == k) {
					double e = w.beta[0];
					for (size_t j = 0; j < p; j++)
						e += w.beta[j + 1] * w.Z[i * p + j];
					fold_dev[k * ng + g] +=
						(e > 0 ? e + log1p(exp(-e)) : log1p(exp(e))) - ds->y[i] * e;
				}
		}
	}
	if (st == PL_OK)
		cv_mean_se(fold_dev, fold_n, K, ng, dev, se);
done:
	free(fold_dev);
	train_work_release(&w);
	free(pt.all.y);
	pl_risk_model_release(&tmp);
	return st;
}

/* Candidate s's columns and features (every column when there are no sets). */
static pl_status candidate(const pl_risk_dataset *ds, const pl_feature_spec *f,
			   const pl_risk_train_options *o, size_t s, pl_risk_dataset *proj,
			   pl_feature_spec **fs, pl_error *err)
{
	const size_t *cols = o->nsets ? o->set_cols + o->set_first[s] : NULL;
	size_t nc = o->nsets ? o->set_first[s + 1] - o->set_first[s] : ds->nfeatures;
	pl_status st;

	*fs = malloc((nc ? nc : 1) * sizeof(**fs));
	if (!*fs)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if (!o->nsets) {
		memcpy(*fs, f, nc * sizeof(**fs));
		*proj = *ds; /* borrowed: the caller must not release it */
		return PL_OK;
	}
	for (size_t j = 0; j < nc; j++) {
		if (cols[j] >= ds->nfeatures) {
			free(*fs);
			*fs = NULL;
			return pl_error_set(err, PL_ERR_INTERNAL, "", "a feature set names a missing column");
		}
		(*fs)[j] = f[cols[j]];
	}
	st = project_columns(ds, cols, nc, proj, err);
	if (st != PL_OK) {
		free(*fs);
		*fs = NULL;
	}
	return st;
}

/* 1 when candidate a is simpler than b: fewer features, then a stronger penalty, then the
 * earlier set. */
static int simpler(const struct pl_risk_search_entry *a, const struct pl_risk_search_entry *b,
		   const size_t *set_size)
{
	if (set_size[a->set] != set_size[b->set])
		return set_size[a->set] < set_size[b->set];
	if (a->l2 != b->l2)
		return a->l2 > b->l2;
	return a->set < b->set;
}

size_t pl_risk_search_choose(const struct pl_risk_search_entry *e, size_t n,
			     const size_t *set_size, pl_risk_select_rule rule)
{
	size_t best = 0, pick;
	double limit;

	for (size_t i = 1; i < n; i++) /* the least deviance; ties: the earlier entry */
		if (e[i].deviance < e[best].deviance)
			best = i;
	if (rule != PL_SELECT_ONE_SE)
		return best;
	limit = e[best].deviance + (isfinite(e[best].se) ? e[best].se : 0);
	pick = best;
	for (size_t i = 0; i < n; i++)
		if (e[i].deviance <= limit && simpler(&e[i], &e[pick], set_size))
			pick = i;
	return pick;
}

/* Every candidate (feature set x penalty) scored, then one chosen by o->select_rule. */
static pl_status search(const pl_risk_dataset *ds, const pl_catalogue *cat, const pl_feature_spec *f,
			const pl_risk_train_options *o, pl_risk_training_report *rep, size_t *best_set,
			double *best_l2, pl_error *err)
{
	size_t nsets = o->nsets ? o->nsets : 1, ng = o->tune_l2 ? PL_L2_GRID_N : 1, best = 0;
	size_t set_size[PL_RISK_SEARCH_MAX];
	double grid[PL_L2_GRID_N], dev[PL_L2_GRID_N], se[PL_L2_GRID_N];
	pl_status st = PL_OK;

	if (nsets * ng > PL_RISK_SEARCH_MAX)
		return pl_error_set(err, PL_ERR_INVALID, "", "at most %d candidates (feature sets x "
				    "penalties) can be searched", PL_RISK_SEARCH_MAX);
	if (o->tune_l2)
		pl_risk_l2_grid(ds->npositive, grid);
	else
		grid[0] = o->l2;
	rep->nsearch = 0;
	for (size_t s = 0; st == PL_OK && s < nsets; s++) {
		pl_risk_dataset proj;
		pl_feature_spec *fs = NULL;
		set_size[s] = o->nsets ? o->set_first[s + 1] - o->set_first[s] : ds->nfeatures;
		st = candidate(ds, f, o, s, &proj, &fs, err);
		if (st == PL_OK)
			st = deviance_path(&proj, cat, fs, o, grid, ng, dev, se, err);
		for (size_t g = 0; st == PL_OK && g < ng; g++) {
			struct pl_risk_search_entry *e = &rep->search[rep->nsearch++];
			e->set = s;
			e->l2 = grid[g];
			e->deviance = dev[g];
			e->se = se[g];
		}
		if (o->nsets)
			pl_risk_dataset_release(&proj);
		free(fs);
	}
	if (st == PL_OK) {
		best = pl_risk_search_choose(rep->search, rep->nsearch, set_size,
					     (pl_risk_select_rule)o->select_rule);
		/* An average of one set is that set's model: report what was fitted. */
		rep->rule = o->select_rule == PL_SELECT_AVERAGE && o->nsets < 2 ?
				    PL_SELECT_MIN_DEVIANCE : o->select_rule;
		*best_set = rep->search[best].set;
		*best_l2 = rep->search[best].l2;
	}
	return st;
}

/* PL_SELECT_AVERAGE: every candidate set at its least-deviance penalty of the search (ties: the
 * stronger) is a member of weight 1 / nsets, on the union of the sets' columns in ds's column
 * order; the members' average is trained by the recipe (o->l2, the least deviance's, is the
 * one reported). */
static pl_status train_average(const pl_risk_dataset *ds, const pl_catalogue *cat,
			       const pl_feature_spec *f, const pl_risk_train_options *o,
			       const pl_risk_training_report *rep, pl_thread_share *share,
			       pl_risk_model *m, pl_error *err)
{
	size_t ns = o->nsets, k0 = o->set_first[0], total = o->set_first[ns] - k0, nu = 0;
	size_t p = ds->nfeatures ? ds->nfeatures : 1;
	size_t *pos = malloc(p * sizeof(size_t)), *ucols = malloc(p * sizeof(size_t));
	size_t *first = malloc((ns + 1) * sizeof(size_t));
	size_t *cols = malloc((total ? total : 1) * sizeof(size_t));
	double *l2 = malloc(ns * sizeof(double)), *weight = malloc(ns * sizeof(double));
	pl_feature_spec *fs = malloc(p * sizeof(*fs));
	pl_risk_dataset proj;
	pl_status st = PL_OK;

	if (!pos || !ucols || !first || !cols || !l2 || !weight || !fs)
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t j = 0; st == PL_OK && j < ds->nfeatures; j++)
		pos[j] = SIZE_MAX;
	for (size_t k = k0; st == PL_OK && k < o->set_first[ns]; k++) {
		if (o->set_cols[k] >= ds->nfeatures)
			st = pl_error_set(err, PL_ERR_INTERNAL, "", "a feature set names a missing column");
		else
			pos[o->set_cols[k]] = 0;
	}
	for (size_t j = 0; st == PL_OK && j < ds->nfeatures; j++)
		if (pos[j] != SIZE_MAX) {
			pos[j] = nu;
			fs[nu] = f[j];
			ucols[nu++] = j;
		}
	for (size_t s = 0; st == PL_OK && s < ns; s++) {
		size_t best = SIZE_MAX;
		first[s] = o->set_first[s] - k0;
		for (size_t k = o->set_first[s]; k < o->set_first[s + 1]; k++)
			cols[k - k0] = pos[o->set_cols[k]];
		for (size_t i = 0; i < rep->nsearch; i++)
			if (rep->search[i].set == s &&
			    (best == SIZE_MAX || rep->search[i].deviance < rep->search[best].deviance))
				best = i;
		l2[s] = best == SIZE_MAX ? o->l2 : rep->search[best].l2;
		weight[s] = 1.0 / (double)ns;
	}
	if (st == PL_OK) {
		first[ns] = total;
		st = project_columns(ds, ucols, nu, &proj, err);
	}
	if (st == PL_OK) {
		train_members mem = { ns, first, cols, l2, weight };
		st = train_recipe(&proj, proj.nclients, NULL, cat, fs, o, share, &mem, m, err);
		pl_risk_dataset_release(&proj);
	}
	free(pos);
	free(ucols);
	free(first);
	free(cols);
	free(l2);
	free(weight);
	free(fs);
	return st;
}

/* pl_risk_train, the fixed-penalty fits on threads of share when given. */
static pl_status train_local(const pl_risk_dataset *ds, const pl_catalogue *cat,
			     const pl_feature_spec *f, const pl_risk_train_options *o,
			     pl_thread_share *share, pl_risk_model *m, pl_error *err)
{
	pl_risk_training_report rep;
	pl_risk_train_options chosen = *o;
	pl_risk_dataset proj;
	pl_feature_spec *fs = NULL;
	size_t set = 0, largest = 0;
	pl_status st;

	memset(m, 0, sizeof(*m));
	if (!o->tune_l2 && o->nsets == 0)
		return train_fixed(ds, cat, f, o, share, m, err);
	memset(&rep, 0, sizeof(rep));
	if ((st = train_check(ds, o->folds < 2 ? 2 : (size_t)o->folds, err)) != PL_OK ||
	    (st = search(ds, cat, f, o, &rep, &set, &chosen.l2, err)) != PL_OK)
		return st;
	if (o->select_rule == PL_SELECT_AVERAGE && o->nsets > 1) {
		memset(&proj, 0, sizeof(proj));
		st = train_average(ds, cat, f, &chosen, &rep, share, m, err);
	} else if ((st = candidate(ds, f, o, set, &proj, &fs, err)) != PL_OK) {
		return st;
	} else {
		chosen.tune_l2 = 0;
		chosen.nsets = 0;
		st = train_fixed(&proj, cat, fs, &chosen, share, m, err);
	}
	if (st == PL_OK) {
		for (size_t s = 0; s < (o->nsets ? o->nsets : 1); s++) {
			size_t nc = o->nsets ? o->set_first[s + 1] - o->set_first[s] : ds->nfeatures;
			largest = nc > largest ? nc : largest;
		}
		m->report.tuned = 1;
		m->report.chosen_set = set;
		m->report.nsearch = rep.nsearch;
		m->report.rule = rep.rule;
		memcpy(m->report.search, rep.search, rep.nsearch * sizeof(rep.search[0]));
		m->report.events_per_feature = largest ? (double)m->report.events / (double)largest : NAN;
	}
	if (o->nsets)
		pl_risk_dataset_release(&proj);
	free(fs);
	return st;
}

pl_status pl_risk_train(const pl_risk_dataset *ds, const pl_catalogue *cat,
			const pl_feature_spec *f, const pl_risk_train_options *o, pl_risk_model *m,
			pl_error *err)
{
	return train_local(ds, cat, f, o, NULL, m, err);
}

/* Every process's rows in one dataset, on every process, as one process would have built it
 * from every client (rank order is client order): the featurized rows (x, y, client), never the
 * check-ins. Wire format (this program's own processes only): the counts as five int64, then x,
 * y and group. */
static pl_status gather_rows(const pl_risk_dataset *ds, size_t nclients, const pl_comm *comm,
			     pl_risk_dataset *all, pl_error *err)
{
	size_t nf = ds->nfeatures, row = nf * sizeof(double) + sizeof(double) + sizeof(uint32_t);
	size_t len = 5 * sizeof(int64_t) + ds->nrows * row, got = 0, pos = 0, k = 0;
	int64_t head[5] = { (int64_t)ds->nrows, (int64_t)ds->npositive, (int64_t)ds->nclients_used,
			    ds->min_day, ds->max_day };
	unsigned char *mine = malloc(len), *buf = NULL;
	pl_status st = PL_OK;

	pl_risk_dataset_init(all, nf, err);
	if (!mine)
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if (st == PL_OK) { /* every process reaches the gather, or every one fails alike */
		memcpy(mine, head, sizeof(head));
		if (ds->nrows) {
			memcpy(mine + sizeof(head), ds->x, ds->nrows * nf * sizeof(double));
			memcpy(mine + sizeof(head) + ds->nrows * nf * sizeof(double), ds->y,
			       ds->nrows * sizeof(double));
			memcpy(mine + sizeof(head) + ds->nrows * (nf + 1) * sizeof(double), ds->group,
			       ds->nrows * sizeof(uint32_t));
		}
		st = pl_comm_gather(comm, mine, len, (void **)&buf, &got, err);
	}
	free(mine);
	for (pos = 0; st == PL_OK && pos < got; pos += sizeof(head) + (size_t)head[0] * row) {
		memcpy(head, buf + pos, sizeof(head));
		all->nrows += (size_t)head[0];
		all->npositive += (size_t)head[1];
		all->nclients_used += (size_t)head[2];
		if (head[0] && head[3] < all->min_day)
			all->min_day = (int32_t)head[3];
		if (head[0] && head[4] > all->max_day)
			all->max_day = (int32_t)head[4];
	}
	all->nclients = nclients;
	all->cap = all->nrows;
	if (st == PL_OK && (!(all->x = malloc((all->nrows ? all->nrows : 1) * nf * sizeof(double))) ||
			    !(all->y = malloc((all->nrows ? all->nrows : 1) * sizeof(double))) ||
			    !(all->group = malloc((all->nrows ? all->nrows : 1) * sizeof(uint32_t)))))
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (pos = 0; st == PL_OK && pos < got; pos += sizeof(head) + (size_t)head[0] * row) {
		const unsigned char *p = buf + pos + sizeof(head);
		size_t n;
		memcpy(head, buf + pos, sizeof(head));
		n = (size_t)head[0];
		memcpy(all->x + k * nf, p, n * nf * sizeof(double));
		memcpy(all->y + k, p + n * nf * sizeof(double), n * sizeof(double));
		memcpy(all->group + k, p + n * (nf + 1) * sizeof(double), n * sizeof(uint32_t));
		k += n;
	}
	free(buf);
	return st;
}

pl_status pl__risk_train_shared(const pl_risk_dataset *ds, size_t nclients, const pl_comm *comm,
				const pl_catalogue *cat, const pl_feature_spec *f,
				const pl_risk_train_options *o, pl_thread_share *share,
				pl_risk_model *m, pl_error *err)
{
	if (o->tune_l2 || o->nsets) { /* the search needs every row in one process */
		pl_risk_dataset all;
		pl_status st;
		memset(m, 0, sizeof(*m));
		if (!comm || comm->size <= 1)
			return train_local(ds, cat, f, o, share, m, err);
		st = gather_rows(ds, nclients, comm, &all, err);
		if (st == PL_OK)
			st = train_local(&all, cat, f, o, share, m, err);
		pl_risk_dataset_release(&all);
		return st;
	}
	return train_fixed_dist(ds, nclients, comm, cat, f, o, share, m, err);
}

pl_status pl_risk_train_dist(const pl_risk_dataset *ds, size_t nclients, const pl_comm *comm,
			     const pl_catalogue *cat, const pl_feature_spec *f,
			     const pl_risk_train_options *o, pl_risk_model *m, pl_error *err)
{
	return pl__risk_train_shared(ds, nclients, comm, cat, f, o, NULL, m, err);
}

/* ---------------------------------------------------------------- scoring */

static size_t checkins_through(const pl_client *c, int32_t day)
{
	size_t n = 0;
	for (long d = 0; d < (long)c->ndays && c->start + d <= day; d++)
		n += c->checked_in[d];
	return n;
}

void pl_risk_predict_rows(const pl_risk_model *m, const pl_client *c, const double *rows,
			  size_t ld, int32_t first, int32_t last, double *risk)
{
	size_t count, nd;

	if (last < first)
		return;
	nd = (size_t)(last - first + 1);
	count = checkins_through(c, first - 1);
	for (size_t k = 0; k < nd; k++) {
		long t = (long)first + (long)k - c->start;
		if (t >= 0 && t < (long)c->ndays)
			count += c->checked_in[t];
		risk[k] = count < (size_t)m->min_checkins
				  ? NAN
				  : pl_risk_model_calibrate(m, pl_risk_model_logit(m, rows + k * ld, NULL));
	}
}

pl_status pl_risk_predict_days(const pl_risk_model *m, const pl_client *c, int32_t first,
			       int32_t last, double *risk, pl_error *err)
{
	size_t nf = m->nfeatures, nd;
	double *rows;
	pl_status st;

	if (last < first)
		return PL_OK;
	nd = (size_t)(last - first + 1);
	rows = malloc(nd * nf * sizeof(double));
	if (!rows)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	st = pl_features_compute(c, &m->catalogue, m->features, nf, first, last, rows, err);
	if (st == PL_OK)
		pl_risk_predict_rows(m, c, rows, nf, first, last, risk);
	free(rows);
	return st;
}

void pl_risk_result_release(pl_risk_result *r)
{
	if (!r)
		return;
	free(r->features);
	free(r->contrib);
	memset(r, 0, sizeof(*r));
}

static void add_signal(pl_risk_result *r, pl_signal_kind kind, int measure, double value,
		       double value2, int days_ago)
{
	if (r->nsignals >= PL_MAX_SIGNALS)
		return;
	r->signals[r->nsignals++] = (pl_signal){ kind, measure, value, value2, days_ago };
}

/* The feature specs the signals read, per measure, and where they sit in the combined row. */
enum { SIG_VAR_TAU, SIG_AR1_TAU, SIG_SLOPE, SIG_EWMA, SIG_CUSUM, SIG_PER_MEASURE };

static size_t signal_specs(const pl_catalogue *cat, pl_feature_spec *f)
{
	size_t n = 0;
	for (size_t k = 0; k < cat->n; k++) {
		int mk = (int)k;
		if (!cat->defs[k].boolean) {
			f[n++] = (pl_feature_spec){ PL_F_VAR_TAU, mk };
			f[n++] = (pl_feature_spec){ PL_F_AR1_TAU, mk };
			f[n++] = (pl_feature_spec){ PL_F_SLOPE, mk };
			f[n++] = (pl_feature_spec){ PL_F_EWMA, mk };
			f[n++] = (pl_feature_spec){ PL_F_CUSUM, mk };
		} else {
			f[n++] = (pl_feature_spec){ PL_F_RATE, mk };
		}
	}
	f[n++] = (pl_feature_spec){ PL_F_MISSED_STREAK, -1 };
	return n;
}

/* The early-warning signals that fired as of day t (docs/risk.md, "Signals"); v holds the
 * values of signal_specs(). */
static pl_status find_signals(const pl_risk_model *m, const pl_client *c, int32_t as_of,
			      const double *v, pl_risk_result *r, pl_error *err)
{
	const pl_catalogue *cat = &m->catalogue;
	long t = (long)as_of - c->start, nd = (long)c->ndays;
	const double ewma_limit = PL_EWMA_L * sqrt(PL_EWMA_LAMBDA / (2 - PL_EWMA_LAMBDA));
	pl_status st = PL_OK;
	size_t q = 0;

	for (size_t k = 0; k < cat->n; k++) {
		const pl_measure_def *d = &cat->defs[k];
		const double *x = c->values + k * c->ndays;
		int mk = (int)k;

		if (!d->boolean) {
			const double *w = v + q;
			q += SIG_PER_MEASURE;
			if (w[SIG_VAR_TAU] >= PL_SIGNAL_TAU)
				add_signal(r, PL_SIG_RISING_VARIANCE, mk, w[SIG_VAR_TAU], 0, 0);
			if (w[SIG_AR1_TAU] >= PL_SIGNAL_TAU)
				add_signal(r, PL_SIG_RISING_AR1, mk, w[SIG_AR1_TAU], 0, 0);
			if (d->worse * w[SIG_SLOPE] >= 0.015 * (d->max - d->min))
				add_signal(r, PL_SIG_WORSENING_TREND, mk, w[SIG_SLOPE], 0, 0);
			if (w[SIG_EWMA] >= ewma_limit)
				add_signal(r, PL_SIG_EWMA_ALARM, mk, w[SIG_EWMA], ewma_limit, 0);
			/* The CUSUM restarts after each crossing (features.c), so the signal is a
			 * crossing within the last week: its value is the largest statistic then. */
			if (!isnan(w[SIG_CUSUM])) {
				pl_feature_spec cs = { PL_F_CUSUM, mk };
				double week[7], top = 0;
				st = pl_features_compute(c, cat, &cs, 1, as_of - 6, as_of, week, err);
				if (st != PL_OK)
					return st;
				for (int q7 = 0; q7 < 7; q7++)
					if (week[q7] > top)
						top = week[q7];
				if (top > PL_CUSUM_H)
					add_signal(r, PL_SIG_CUSUM_ALARM, mk, top, PL_CUSUM_H, 0);
			}
			/* Change points: for the measures whose cp feature the model uses and where it
			 * fired (BOCPD is the costly statistic, so it is run again only then, for the
			 * days-ago). */
			for (size_t j = 0; st == PL_OK && r->has_risk && j < m->nfeatures; j++) {
				double prob;
				int ago;
				if (m->features[j].kind != PL_F_CP || m->features[j].measure != mk ||
				    !(r->features[j] >= 0.5))
					continue;
				st = pl__change_point(x, nd, t, d, &prob, &ago, err);
				if (st == PL_OK)
					add_signal(r, PL_SIG_CHANGE_POINT, mk, prob, 0, ago);
			}
			if (st != PL_OK)
				return st;
		} else {
			double rate = v[q++], a, b, s1 = 0, n1 = 0, s2 = 0, n2 = 0;
			if (k == PL_M_USED)
				continue;
			/* Rates over the last 14 days and the 14 before (NaN when nothing answered). */
			for (long dd = t - 27; dd <= t; dd++) {
				if (dd < 0 || dd >= nd || isnan(x[dd]))
					continue;
				if (dd > t - 14) {
					s1 += x[dd];
					n1++;
				} else {
					s2 += x[dd];
					n2++;
				}
			}
			a = n1 > 0 ? s1 / n1 : NAN;
			b = n2 > 0 ? s2 / n2 : NAN;
			if (!isnan(a) && !isnan(b) && d->worse * (a - b) >= 0.25)
				add_signal(r, PL_SIG_FALLING_RATE, mk, a, b, 0);
			if (d->worse < 0 && !isnan(rate) && rate < PL_SIGNAL_LOW_RATE)
				add_signal(r, PL_SIG_LOW_RATE, mk, rate, 0, 0);
		}
	}
	{
		/* The silence itself, not the feature (capped at PL_SILENCE_LIMIT for the model). */
		double streak = r->days_since_checkin >= 0 ? (double)r->days_since_checkin
							   : (double)(t + 1);
		long used = 0;
		q++;
		if (streak >= 3)
			add_signal(r, PL_SIG_MISSED_STREAK, -1, streak, 0, 0);
		for (long dd = t - 13; dd <= t; dd++)
			if (dd >= 0 && dd < nd && c->values[PL_M_USED * c->ndays + dd] == 1.0)
				used++;
		if (used > 0)
			add_signal(r, PL_SIG_REPORTED_USE, PL_M_USED, (double)used, 0, 0);
		for (size_t e = c->nevents; e-- > 0;) {
			const pl_event *ev = &c->events[e];
			if (ev->day > as_of || !pl_event_is_lapse(ev->type))
				continue;
			if (as_of - ev->day <= 30)
				add_signal(r, PL_SIG_RECENT_LAPSE, -1, (double)(as_of - ev->day), 0, 0);
			break;
		}
	}
	return PL_OK;
}

/* Days from the last check-in on or before as_of to as_of; -1 when there is none. */
static long days_since_checkin(const pl_client *c, int32_t as_of)
{
	long t = (long)as_of - c->start;
	for (long d = t < (long)c->ndays - 1 ? t : (long)c->ndays - 1; d >= 0; d--)
		if (c->checked_in[d])
			return t - d;
	return -1;
}

/* Why a client gets no probability, before any feature is computed: follow-up over, silence
 * beyond the trained range (tier "contact"), or no check-in yet. NULL when it can be scored. */
static const char *unscored_reason(const pl_client *c, int32_t as_of, pl_risk_result *r)
{
	int32_t since = c->has_enrolled ? c->enrolled : c->start;

	if ((c->has_follow_up_end && as_of > c->follow_up_end) ||
	    (c->has_discharged && as_of > c->discharged))
		return "follow-up ended before as_of (discharged or follow_up_end)";
	if (r->days_since_checkin > PL_SILENCE_LIMIT) {
		r->tier = PL_TIER_CONTACT;
		return "no recent data: no check-in for more days than the model was trained on "
		       "(14); reach out";
	}
	if (r->days_since_checkin < 0 && (long)as_of - since > PL_SILENCE_LIMIT) {
		r->tier = PL_TIER_CONTACT;
		return "no recent data: no check-in since the record began more than 14 days ago; "
		       "reach out";
	}
	if (r->days_since_checkin < 0)
		return "no check-ins on or before as_of";
	return NULL;
}

pl_status pl_risk_score(const pl_risk_model *m, const pl_client *c, int32_t as_of,
			pl_risk_result *r, pl_error *err)
{
	size_t nf = m->nfeatures, nsig, nall;
	pl_feature_spec *specs = NULL;
	double *row = NULL;
	pl_status st = PL_OK;

	memset(r, 0, sizeof(*r));
	r->tier = -1;
	r->days_since_checkin = -1;
	if (c->nmeasures != m->catalogue.n)
		return pl_error_set(err, PL_ERR_INTERNAL, "", "client parsed with another catalogue");
	/* Callers pass the request's one as_of (pl_as_of_resolve); without one, the client's last
	 * recorded day stands in (never its last check-in: silence must count). */
	if (as_of == INT32_MIN)
		as_of = pl_client_last_day(c);
	if (as_of == INT32_MIN) {
		r->as_of = INT32_MIN;
		pl_data_quality_compute(c, c->start - 1, &r->dq);
		r->reason = "no check-ins";
		return PL_OK;
	}
	r->as_of = as_of;
	r->days_since_checkin = days_since_checkin(c, as_of);
	pl_data_quality_compute(c, as_of, &r->dq);
	r->features = malloc((nf ? nf : 1) * sizeof(double));
	r->contrib = malloc((nf ? nf : 1) * sizeof(double));
	specs = malloc((nf + SIG_PER_MEASURE * m->catalogue.n + 1) * sizeof(*specs));
	row = malloc((nf + SIG_PER_MEASURE * m->catalogue.n + 1) * sizeof(double));
	if (!r->features || !r->contrib || !specs || !row) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	/* One pass computes the signals' statistics and the model's features together, so that
	 * shared per-measure work (rolling windows, control charts) is done once. */
	nsig = signal_specs(&m->catalogue, specs);
	r->reason = unscored_reason(c, as_of, r);
	r->has_risk = !r->reason && r->dq.days_observed >= (size_t)m->min_checkins;
	nall = nsig;
	if (r->has_risk) {
		memcpy(specs + nsig, m->features, nf * sizeof(*specs));
		nall += nf;
	}
	st = pl_features_compute(c, &m->catalogue, specs, nall, as_of, as_of, row, err);
	if (st != PL_OK)
		goto out;
	if (r->has_risk) {
		memcpy(r->features, row + nsig, nf * sizeof(double));
		r->logit = pl_risk_model_logit(m, r->features, r->contrib);
		r->risk = pl_risk_model_calibrate(m, r->logit);
		r->tier = pl_risk_model_tier(m, r->risk);
	} else {
		if (!r->reason)
			r->reason = "too little history: fewer completed check-ins than the model's "
				    "min_checkins";
		for (size_t j = 0; j < nf; j++)
			r->features[j] = r->contrib[j] = NAN;
	}
	st = find_signals(m, c, as_of, row, r, err);
	if (st == PL_OK)
		st = pl__explain(m, c, as_of, r, err);
out:
	free(specs);
	free(row);
	return st;
}

const char *pl_signal_kind_name(pl_signal_kind k)
{
	switch (k) {
	case PL_SIG_RISING_VARIANCE: return "rising_variance";
	case PL_SIG_RISING_AR1: return "rising_autocorrelation";
	case PL_SIG_CHANGE_POINT: return "change_point";
	case PL_SIG_EWMA_ALARM: return "ewma_alarm";
	case PL_SIG_CUSUM_ALARM: return "cusum_alarm";
	case PL_SIG_WORSENING_TREND: return "worsening_trend";
	case PL_SIG_MISSED_STREAK: return "missed_checkins";
	case PL_SIG_FALLING_RATE: return "falling_rate";
	case PL_SIG_LOW_RATE: return "low_rate";
	case PL_SIG_REPORTED_USE: return "reported_use";
	case PL_SIG_RECENT_LAPSE: return "recent_lapse";
	}
	return "unknown";
}

void pl_signal_describe(const pl_signal *s, const pl_catalogue *cat, char *buf, size_t size)
{
	const char *mn = s->measure >= 0 && (size_t)s->measure < cat->n ? cat->defs[s->measure].name : "";
	const char *dir = s->measure >= 0 && (size_t)s->measure < cat->n && cat->defs[s->measure].worse > 0
				  ? "above" : "below";

	switch (s->kind) {
	case PL_SIG_RISING_VARIANCE:
		snprintf(buf, size, "%s has been swinging more and more over the last 4 weeks", mn);
		break;
	case PL_SIG_RISING_AR1:
		snprintf(buf, size, "%s has been slower and slower to return to its usual level over the "
			 "last 4 weeks", mn);
		break;
	case PL_SIG_CHANGE_POINT:
		snprintf(buf, size, "%s changed abruptly about %d days ago", mn, s->days_ago);
		break;
	case PL_SIG_EWMA_ALARM:
		snprintf(buf, size, "%s clearly %s the client's usual level", mn, dir);
		break;
	case PL_SIG_CUSUM_ALARM:
		snprintf(buf, size, "%s persistently %s the client's usual level", mn, dir);
		break;
	case PL_SIG_WORSENING_TREND:
		snprintf(buf, size, "%s %s over the last 2 weeks (%+.1f a day)", mn,
			 s->value > 0 ? "rising" : "falling", s->value);
		break;
	case PL_SIG_MISSED_STREAK:
		snprintf(buf, size, "no check-in for %.0f days", s->value);
		break;
	case PL_SIG_FALLING_RATE:
		snprintf(buf, size, "%s %s: %.0f%% of answered days in the last 2 weeks, %.0f%% in the "
			 "2 weeks before", mn, strcmp(mn, "used") == 0 ? "rising" : "falling",
			 100 * s->value, 100 * s->value2);
		break;
	case PL_SIG_LOW_RATE:
		snprintf(buf, size, "low %s: %.0f%% of answered days in the last 4 weeks", mn,
			 100 * s->value);
		break;
	case PL_SIG_REPORTED_USE:
		snprintf(buf, size, "use reported on %.0f of the last 14 days", s->value);
		break;
	case PL_SIG_RECENT_LAPSE:
		if (s->value < 2)
			snprintf(buf, size, "a lapse %s", s->value < 1 ? "today" : "yesterday");
		else
			snprintf(buf, size, "a lapse %.0f days ago", s->value);
		break;
	}
}
