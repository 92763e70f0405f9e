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
#include "features_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	int32_t follow_end = c->start + (int32_t)c->ndays - 1;
	double *rows = NULL;
	pl_status st = PL_OK;
	uint32_t group = (uint32_t)ds->nclients++;

	/* Follow-up: the grid, extended to the last recorded event (a client who stops checking in
	 * and then lapses was still followed), by at most PL_FOLLOW_EXTEND days. */
	if (c->nevents > 0 && c->ndays > 0) {
		int32_t ev = c->events[c->nevents - 1].day;
		if (ev > follow_end)
			follow_end = ev < follow_end + PL_FOLLOW_EXTEND ? ev : follow_end + PL_FOLLOW_EXTEND;
	}
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
	for (long d = 0; d <= last; d++) {
		int32_t day = c->start + (int32_t)d;
		int label;
		if (d < (long)c->ndays)
			count += c->checked_in[d];
		if (d < first || count < (size_t)o->min_checkins)
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
	json_decref(m->tier_rule);
	json_decref(m->training);
	json_decref(m->metrics);
	memset(m, 0, sizeof(*m));
}

static pl_status model_alloc(pl_risk_model *m, size_t nf, pl_error *err)
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
	}
	return "none";
}

/* ---------------------------------------------------------------- training */

/* splitmix64 (Steele, Lea & Flood 2014): a seeded, platform-independent stream for folds. */
static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

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

static void tier_metrics(json_t *obj, const double *p, const double *y, size_t n, double thr)
{
	double flagged = 0, tp = 0, pos = 0;
	for (size_t i = 0; i < n; i++) {
		pos += y[i];
		if (p[i] >= thr) {
			flagged++;
			tp += y[i];
		}
	}
	json_object_set_new(obj, "threshold", json_real(thr));
	json_object_set_new(obj, "flagged_fraction", json_real(n ? flagged / (double)n : 0));
	json_object_set_new(obj, "alerts_per_client_week", json_real(n ? 7 * flagged / (double)n : 0));
	json_object_set_new(obj, "sensitivity", json_real(pos > 0 ? tp / pos : 0));
	json_object_set_new(obj, "ppv", flagged > 0 ? json_real(tp / flagged) : json_null());
}

static json_t *reliability_table(const double *p, const double *y, size_t n)
{
	json_t *arr = json_array();
	for (int b = 0; b < 10; b++) {
		double lo = b / 10.0, hi = (b + 1) / 10.0, sp = 0, sy = 0, cnt = 0;
		for (size_t i = 0; i < n; i++)
			if (p[i] >= lo && (p[i] < hi || (b == 9 && p[i] <= 1.0))) {
				sp += p[i];
				sy += y[i];
				cnt++;
			}
		if (cnt == 0)
			continue;
		json_t *o = json_object();
		json_object_set_new(o, "bin", json_pack("[f,f]", lo, hi));
		json_object_set_new(o, "n", json_integer((json_int_t)cnt));
		json_object_set_new(o, "mean_predicted", json_real(sp / cnt));
		json_object_set_new(o, "observed_rate", json_real(sy / cnt));
		json_array_append_new(arr, o);
	}
	return arr;
}

static const char *cal_name(pl_calibration_method m)
{
	return m == PL_CAL_PLATT ? "platt" : m == PL_CAL_ISOTONIC ? "isotonic" : "none";
}

pl_status pl_risk_train(const pl_risk_dataset *ds, const pl_catalogue *cat,
			const pl_feature_spec *f, const pl_risk_train_options *o, pl_risk_model *m,
			pl_error *err)
{
	size_t n = ds->nrows, p = ds->nfeatures, K;
	double *Z = NULL, *beta = NULL, *oof = NULL, *prob = NULL, *sorted = NULL, *sub_y = NULL;
	double *sub_x = NULL;
	int *fold = NULL;
	uint32_t *perm = NULL;
	pl_status st;
	pl_logistic_info info;
	json_t *metrics, *rule;

	memset(m, 0, sizeof(*m));
	if (n == 0 || ds->npositive == 0 || ds->npositive == n)
		return pl_error_set(err, PL_ERR_INFEASIBLE, "/clients",
				    "the training data need client-days both with and without a lapse "
				    "in the horizon (rows: %zu, with a lapse: %zu)", n, ds->npositive);
	K = o->folds < 2 ? 2 : (size_t)o->folds;
	if (K > ds->nclients_used)
		return pl_error_set(err, PL_ERR_INFEASIBLE, "/clients",
				    "%zu clients with labelled days cannot be split into %zu folds",
				    ds->nclients_used, K);
	st = model_alloc(m, p, err);
	if (st != PL_OK)
		goto fail;
	m->version = PL_RISK_MODEL_VERSION;
	m->horizon_days = o->horizon_days;
	m->min_checkins = o->min_checkins;
	m->l2 = o->l2;
	memcpy(m->features, f, p * sizeof(*f));
	st = pl_catalogue_copy(&m->catalogue, cat, err);
	if (st != PL_OK)
		goto fail;

	/* Standardization over the defined values; undefined values become the mean (z = 0). */
	Z = malloc(n * p * sizeof(double));
	beta = malloc((p + 1) * sizeof(double));
	oof = malloc(n * sizeof(double));
	prob = malloc(n * sizeof(double));
	sorted = malloc(n * sizeof(double));
	fold = malloc(ds->nclients * sizeof(int));
	perm = malloc(ds->nclients * sizeof(uint32_t));
	sub_x = malloc(n * p * sizeof(double));
	sub_y = malloc(n * sizeof(double));
	if (!Z || !beta || !oof || !prob || !sorted || !fold || !perm || !sub_x || !sub_y) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto fail;
	}
	for (size_t j = 0; j < p; j++) {
		double mean = 0, m2 = 0, cnt = 0;
		for (size_t i = 0; i < n; i++) {
			double v = ds->x[i * p + j], d;
			if (isnan(v))
				continue;
			cnt++;
			d = v - mean;
			mean += d / cnt;
			m2 += d * (v - mean);
		}
		m->mean[j] = cnt > 0 ? mean : 0.0;
		m->sd[j] = cnt > 1 && m2 / (cnt - 1) > 1e-12 ? sqrt(m2 / (cnt - 1)) : 1.0;
		for (size_t i = 0; i < n; i++) {
			double v = ds->x[i * p + j];
			Z[i * p + j] = isnan(v) ? 0.0 : (v - m->mean[j]) / m->sd[j];
		}
	}

	/* Folds grouped by client: a seeded shuffle of the clients, dealt round robin. */
	{
		uint64_t s = (uint64_t)o->seed ^ 0x5eed5eedULL;
		for (size_t g = 0; g < ds->nclients; g++)
			perm[g] = (uint32_t)g;
		for (size_t g = ds->nclients; g > 1; g--) {
			size_t r = (size_t)(splitmix(&s) % g);
			uint32_t t = perm[g - 1];
			perm[g - 1] = perm[r];
			perm[r] = t;
		}
		for (size_t g = 0; g < ds->nclients; g++)
			fold[perm[g]] = (int)(g % K);
	}
	for (size_t k = 0; k < K; k++) {
		size_t nt = 0, npos = 0;
		for (size_t i = 0; i < n; i++)
			if ((size_t)fold[ds->group[i]] != k) {
				memcpy(sub_x + nt * p, Z + i * p, p * sizeof(double));
				sub_y[nt++] = ds->y[i];
				npos += ds->y[i] > 0.5;
			}
		if (npos == 0 || npos == nt) {
			st = pl_error_set(err, PL_ERR_INFEASIBLE, "/clients",
					  "a cross-validation fold has no lapse (or only lapses); "
					  "give more clients or fewer folds");
			goto fail;
		}
		st = pl_logistic_fit(sub_x, sub_y, NULL, nt, p, o->l2, beta, NULL, err);
		if (st != PL_OK)
			goto fail;
		for (size_t i = 0; i < n; i++)
			if ((size_t)fold[ds->group[i]] == k) {
				double e = beta[0];
				for (size_t j = 0; j < p; j++)
					e += beta[j + 1] * Z[i * p + j];
				oof[i] = e;
			}
	}
	/* Calibration on the out-of-fold logits. */
	if (o->calibration == PL_CAL_PLATT)
		st = pl_calibration_fit_platt(oof, ds->y, n, &m->cal, err);
	else if (o->calibration == PL_CAL_ISOTONIC)
		st = pl_calibration_fit_isotonic(oof, ds->y, n, &m->cal, err);
	else
		m->cal.method = PL_CAL_NONE;
	if (st != PL_OK)
		goto fail;
	/* The final coefficients use every row. */
	st = pl_logistic_fit(Z, ds->y, NULL, n, p, o->l2, beta, &info, err);
	if (st != PL_OK)
		goto fail;
	m->intercept = beta[0];
	for (size_t j = 0; j < p; j++)
		m->coef[j] = beta[j + 1];

	/* Out-of-fold calibrated risks: thresholds and metrics. */
	for (size_t i = 0; i < n; i++)
		prob[i] = sorted[i] = pl_calibration_apply(&m->cal, oof[i]);
	qsort(sorted, n, sizeof(double), cmp_desc);
	m->threshold_high = budget_threshold(sorted, n, (size_t)floor(o->alert_rate * (double)n));
	{
		/* Moderate: the largest threshold that still reaches the sensitivity target. */
		size_t npos = 0, need;
		for (size_t i = 0; i < n; i++)
			if (ds->y[i] > 0.5)
				sorted[npos++] = prob[i];
		qsort(sorted, npos, sizeof(double), cmp_desc);
		need = (size_t)ceil(o->sensitivity * (double)npos);
		if (need < 1)
			need = 1;
		if (need > npos)
			need = npos;
		m->threshold_moderate = fmin(sorted[need - 1], m->threshold_high);
	}
	rule = json_object();
	json_object_set_new(rule, "high",
			    json_sprintf("at most %g of client-days (the alert budget) on out-of-fold "
					 "calibrated risks", o->alert_rate));
	json_object_set_new(rule, "moderate",
			    json_sprintf("the largest threshold reaching sensitivity %g on out-of-fold "
					 "calibrated risks (capped at the high threshold)", o->sensitivity));
	json_object_set_new(rule, "alert_rate", json_real(o->alert_rate));
	json_object_set_new(rule, "sensitivity_target", json_real(o->sensitivity));
	m->tier_rule = rule;

	metrics = json_object();
	{
		double brier = 0, ll = 0, mp = 0, my = 0;
		json_t *tiers = json_object(), *tm = json_object(), *th = json_object();
		for (size_t i = 0; i < n; i++) {
			double q = fmin(fmax(prob[i], 1e-12), 1 - 1e-12);
			brier += (prob[i] - ds->y[i]) * (prob[i] - ds->y[i]);
			ll -= ds->y[i] * log(q) + (1 - ds->y[i]) * log(1 - q);
			mp += prob[i];
			my += ds->y[i];
		}
		json_object_set_new(metrics, "evaluation",
				    json_sprintf("%zu-fold cross-validation grouped by client "
						 "(out-of-fold predictions)", K));
		json_object_set_new(metrics, "auroc", json_real(pl_auroc(oof, ds->y, n)));
		json_object_set_new(metrics, "brier", json_real(brier / n));
		json_object_set_new(metrics, "log_loss", json_real(ll / n));
		json_object_set_new(metrics, "mean_predicted", json_real(mp / n));
		json_object_set_new(metrics, "observed_rate", json_real(my / n));
		tier_metrics(tm, prob, ds->y, n, m->threshold_moderate);
		tier_metrics(th, prob, ds->y, n, m->threshold_high);
		json_object_set_new(tiers, "moderate_or_higher", tm);
		json_object_set_new(tiers, "high", th);
		json_object_set_new(metrics, "tiers", tiers);
		json_object_set_new(metrics, "reliability", reliability_table(prob, ds->y, n));
		json_object_set_new(metrics, "irls_iterations", json_integer(info.iterations));
	}
	m->metrics = metrics;
	m->training = json_object();
	json_object_set_new(m->training, "clients", json_integer((json_int_t)ds->nclients));
	json_object_set_new(m->training, "clients_with_rows", json_integer((json_int_t)ds->nclients_used));
	json_object_set_new(m->training, "client_days", json_integer((json_int_t)n));
	json_object_set_new(m->training, "positive_days", json_integer((json_int_t)ds->npositive));
	{
		char a[11], b[11];
		pl_date_format(ds->min_day, a);
		pl_date_format(ds->max_day, b);
		json_object_set_new(m->training, "first_day", json_string(a));
		json_object_set_new(m->training, "last_day", json_string(b));
	}
	json_object_set_new(m->training, "label",
			    json_sprintf("a lapse or relapse event within %d day%s after the day",
					 o->horizon_days, o->horizon_days == 1 ? "" : "s"));
	json_object_set_new(m->training, "folds", json_integer((json_int_t)K));
	json_object_set_new(m->training, "seed", json_integer((json_int_t)o->seed));
	json_object_set_new(m->training, "stride", json_integer(o->stride));
	json_object_set_new(m->training, "calibration", json_string(cal_name(o->calibration)));
	goto out;
fail:
	pl_risk_model_release(m);
out:
	free(Z);
	free(beta);
	free(oof);
	free(prob);
	free(sorted);
	free(fold);
	free(perm);
	free(sub_x);
	free(sub_y);
	return st;
}

/* ---------------------------------------------------------------- model file */

json_t *pl_risk_model_to_json(const pl_risk_model *m)
{
	json_t *doc = json_object(), *feats = json_array(), *cal = json_object(), *thr = json_object();
	char name[2 * PL_MEASURE_NAME_MAX];

	json_object_set_new(doc, "format", json_string("peerlink-risk-model"));
	json_object_set_new(doc, "version", json_integer(m->version));
	json_object_set_new(doc, "peerlink_version", json_string(pl_version()));
	json_object_set_new(doc, "disclaimer",
			    json_string("Not a clinically validated instrument. Trained on the data "
					"described under 'training'; see models/MODEL_CARD.md."));
	json_object_set_new(doc, "horizon_days", json_integer(m->horizon_days));
	json_object_set_new(doc, "min_checkins", json_integer(m->min_checkins));
	json_object_set_new(doc, "measures", pl_catalogue_custom_to_json(&m->catalogue));
	for (size_t j = 0; j < m->nfeatures; j++) {
		pl_feature_name(&m->features[j], &m->catalogue, name, sizeof(name));
		json_array_append_new(feats, json_pack("{s:s,s:f,s:f,s:f}", "name", name, "mean",
						       m->mean[j], "sd", m->sd[j], "coefficient",
						       m->coef[j]));
	}
	json_object_set_new(doc, "features", feats);
	json_object_set_new(doc, "intercept", json_real(m->intercept));
	json_object_set_new(doc, "l2", json_real(m->l2));
	json_object_set_new(cal, "method", json_string(cal_name(m->cal.method)));
	if (m->cal.method == PL_CAL_PLATT) {
		json_object_set_new(cal, "a", json_real(m->cal.a));
		json_object_set_new(cal, "b", json_real(m->cal.b));
	} else if (m->cal.method == PL_CAL_ISOTONIC) {
		json_t *x = json_array(), *y = json_array();
		for (size_t k = 0; k < m->cal.n; k++) {
			json_array_append_new(x, json_real(m->cal.x[k]));
			json_array_append_new(y, json_real(m->cal.y[k]));
		}
		json_object_set_new(cal, "x", x);
		json_object_set_new(cal, "y", y);
	}
	json_object_set_new(doc, "calibration", cal);
	json_object_set_new(thr, "moderate", json_real(m->threshold_moderate));
	json_object_set_new(thr, "high", json_real(m->threshold_high));
	if (m->tier_rule)
		json_object_set(thr, "rule", m->tier_rule);
	json_object_set_new(doc, "thresholds", thr);
	if (m->training)
		json_object_set(doc, "training", m->training);
	if (m->metrics)
		json_object_set(doc, "metrics", m->metrics);
	return doc;
}

static pl_status get_real(json_t *obj, const char *key, const char *ptr, double *out,
			  pl_error *err)
{
	char p[PL_POINTER_MAX];
	json_t *v = json_object_get(obj, key);
	snprintf(p, sizeof(p), "%s", ptr);
	pl_pointer_append(p, sizeof(p), key);
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return pl_error_set(err, PL_ERR_INVALID, p, "'%s' must be a finite number", key);
	*out = json_number_value(v);
	return PL_OK;
}

static pl_status get_int(json_t *obj, const char *key, long lo, long hi, int *out, pl_error *err)
{
	char p[PL_POINTER_MAX] = "";
	json_t *v = json_object_get(obj, key);
	pl_pointer_append(p, sizeof(p), key);
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return pl_error_set(err, PL_ERR_INVALID, p, "'%s' must be an integer from %ld to %ld",
				    key, lo, hi);
	*out = (int)json_integer_value(v);
	return PL_OK;
}

static pl_status read_calibration(json_t *cal, pl_calibration *c, pl_error *err)
{
	json_t *jm = json_object_get(cal, "method"), *jx, *jy;
	const char *method;
	pl_status st;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(cal))
		return pl_error_set(err, PL_ERR_INVALID, "/calibration", "'calibration' must be an object");
	if (!json_is_string(jm))
		return pl_error_set(err, PL_ERR_INVALID, "/calibration/method",
				    "'method' must be \"platt\", \"isotonic\" or \"none\"");
	method = json_string_value(jm);
	if (strcmp(method, "none") == 0)
		return PL_OK;
	if (strcmp(method, "platt") == 0) {
		c->method = PL_CAL_PLATT;
		st = get_real(cal, "a", "/calibration", &c->a, err);
		if (st == PL_OK)
			st = get_real(cal, "b", "/calibration", &c->b, err);
		if (st == PL_OK && !(c->a > 0))
			st = pl_error_set(err, PL_ERR_INVALID, "/calibration/a",
					  "Platt slope 'a' must be positive (risk must rise with the score)");
		return st;
	}
	if (strcmp(method, "isotonic") != 0)
		return pl_error_set(err, PL_ERR_INVALID, "/calibration/method",
				    "'method' must be \"platt\", \"isotonic\" or \"none\"");
	c->method = PL_CAL_ISOTONIC;
	jx = json_object_get(cal, "x");
	jy = json_object_get(cal, "y");
	if (!json_is_array(jx) || json_array_size(jx) == 0)
		return pl_error_set(err, PL_ERR_INVALID, "/calibration/x", "'x' must be a non-empty array");
	if (!json_is_array(jy) || json_array_size(jy) != json_array_size(jx))
		return pl_error_set(err, PL_ERR_INVALID, "/calibration/y",
				    "'y' must be an array as long as 'x'");
	c->n = json_array_size(jx);
	c->x = malloc(c->n * sizeof(double));
	c->y = malloc(c->n * sizeof(double));
	if (!c->x || !c->y)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t k = 0; k < c->n; k++) {
		json_t *a = json_array_get(jx, k), *b = json_array_get(jy, k);
		char p[PL_POINTER_MAX];
		if (!json_is_number(a) || !isfinite(json_number_value(a)) ||
		    (k > 0 && json_number_value(a) < c->x[k - 1])) {
			snprintf(p, sizeof(p), "/calibration/x/%zu", k);
			return pl_error_set(err, PL_ERR_INVALID, p,
					    "isotonic knots 'x' must be finite and non-decreasing");
		}
		if (!json_is_number(b) || !(json_number_value(b) >= 0 && json_number_value(b) <= 1) ||
		    (k > 0 && json_number_value(b) < c->y[k - 1])) {
			snprintf(p, sizeof(p), "/calibration/y/%zu", k);
			return pl_error_set(err, PL_ERR_INVALID, p,
					    "isotonic values 'y' must be in [0, 1] and non-decreasing");
		}
		c->x[k] = json_number_value(a);
		c->y[k] = json_number_value(b);
	}
	return PL_OK;
}

pl_status pl_risk_model_from_json(json_t *doc, pl_risk_model *m, pl_error *err)
{
	static const char *const keys[] = { "format", "version", "peerlink_version", "disclaimer",
					    "horizon_days", "min_checkins", "measures", "features",
					    "intercept", "l2", "calibration", "thresholds", "training",
					    "metrics", "stats", NULL };
	json_t *v, *feats, *thr;
	const char *key;
	pl_status st;

	memset(m, 0, sizeof(*m));
	if (!json_is_object(doc))
		return pl_error_set(err, PL_ERR_INVALID, "", "a model file must be a JSON object");
	json_object_foreach(doc, key, v) {
		int ok = 0;
		for (const char *const *a = keys; *a; a++)
			ok |= strcmp(*a, key) == 0;
		if (!ok) {
			char p[PL_POINTER_MAX] = "";
			pl_pointer_append(p, sizeof(p), key);
			return pl_error_set(err, PL_ERR_INVALID, p, "unknown field '%s'", key);
		}
	}
	v = json_object_get(doc, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), "peerlink-risk-model") != 0)
		return pl_error_set(err, PL_ERR_INVALID, "/format",
				    "'format' must be \"peerlink-risk-model\"");
	st = get_int(doc, "version", PL_RISK_MODEL_VERSION, PL_RISK_MODEL_VERSION, &m->version, err);
	if (st == PL_OK)
		st = get_int(doc, "horizon_days", 1, 365, &m->horizon_days, err);
	if (st == PL_OK)
		st = get_int(doc, "min_checkins", 1, 365, &m->min_checkins, err);
	if (st == PL_OK)
		st = pl_catalogue_from_json(&m->catalogue, json_object_get(doc, "measures"), "/measures",
					    err);
	if (st != PL_OK)
		goto fail;
	feats = json_object_get(doc, "features");
	if (!json_is_array(feats) || json_array_size(feats) == 0) {
		st = pl_error_set(err, PL_ERR_INVALID, "/features", "'features' must be a non-empty array");
		goto fail;
	}
	st = model_alloc(m, json_array_size(feats), err);
	if (st != PL_OK)
		goto fail;
	for (size_t j = 0; j < m->nfeatures; j++) {
		char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
		json_t *fo = json_array_get(feats, j), *jn;
		snprintf(p, sizeof(p), "/features/%zu", j);
		if (!json_is_object(fo)) {
			st = pl_error_set(err, PL_ERR_INVALID, p, "each feature must be an object");
			goto fail;
		}
		jn = json_object_get(fo, "name");
		snprintf(q, sizeof(q), "/features/%zu/name", j);
		if (!json_is_string(jn)) {
			st = pl_error_set(err, PL_ERR_INVALID, q, "'name' must be a string");
			goto fail;
		}
		st = pl_feature_parse(json_string_value(jn), &m->catalogue, q, &m->features[j], err);
		if (st == PL_OK)
			st = get_real(fo, "mean", p, &m->mean[j], err);
		if (st == PL_OK)
			st = get_real(fo, "sd", p, &m->sd[j], err);
		if (st == PL_OK)
			st = get_real(fo, "coefficient", p, &m->coef[j], err);
		if (st == PL_OK && !(m->sd[j] > 0)) {
			snprintf(q, sizeof(q), "/features/%zu/sd", j);
			st = pl_error_set(err, PL_ERR_INVALID, q, "'sd' must be positive");
		}
		if (st != PL_OK)
			goto fail;
	}
	st = get_real(doc, "intercept", "", &m->intercept, err);
	if (st == PL_OK)
		st = get_real(doc, "l2", "", &m->l2, err);
	if (st == PL_OK)
		st = read_calibration(json_object_get(doc, "calibration"), &m->cal, err);
	if (st != PL_OK)
		goto fail;
	thr = json_object_get(doc, "thresholds");
	if (!json_is_object(thr)) {
		st = pl_error_set(err, PL_ERR_INVALID, "/thresholds", "'thresholds' must be an object");
		goto fail;
	}
	st = get_real(thr, "moderate", "/thresholds", &m->threshold_moderate, err);
	if (st == PL_OK)
		st = get_real(thr, "high", "/thresholds", &m->threshold_high, err);
	if (st == PL_OK && !(m->threshold_moderate >= 0 && m->threshold_moderate <= m->threshold_high &&
			     m->threshold_high <= 1.0 + 1e-12))
		st = pl_error_set(err, PL_ERR_INVALID, "/thresholds",
				  "thresholds must satisfy 0 <= moderate <= high <= 1");
	if (st != PL_OK)
		goto fail;
	v = json_object_get(thr, "rule");
	m->tier_rule = v ? json_deep_copy(v) : NULL;
	v = json_object_get(doc, "training");
	m->training = v ? json_deep_copy(v) : NULL;
	v = json_object_get(doc, "metrics");
	m->metrics = v ? json_deep_copy(v) : NULL;
	return PL_OK;
fail:
	pl_risk_model_release(m);
	return st;
}

pl_status pl_risk_model_read_file(const char *path, pl_risk_model *m, pl_error *err)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	pl_status st;

	memset(m, 0, sizeof(*m));
	if (!doc) {
		if (jerr.line > 0)
			return pl_error_set(err, PL_ERR_INVALID, "",
					    "the model file is not valid JSON (line %d)", jerr.line);
		return pl_error_set(err, PL_ERR_IO, "", "cannot read the model file");
	}
	st = pl_risk_model_from_json(doc, m, err);
	if (st != PL_OK && err) {
		/* Say which document the pointer is about. */
		char msg[PL_MESSAGE_MAX - 16];
		memcpy(msg, err->message, sizeof(msg) - 1);
		msg[sizeof(msg) - 1] = '\0';
		snprintf(err->message, sizeof(err->message), "model file: %s", msg);
	}
	json_decref(doc);
	return st;
}

/* ---------------------------------------------------------------- scoring */

static size_t checkins_through(const pl_client *c, int32_t day)
{
	size_t n = 0;
	for (long d = 0; d < (long)c->ndays && c->start + d <= day; d++)
		n += c->checked_in[d];
	return n;
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
	if (st == PL_OK) {
		size_t count = checkins_through(c, first - 1);
		for (size_t k = 0; k < nd; k++) {
			long t = (long)first + (long)k - c->start;
			if (t >= 0 && t < (long)c->ndays)
				count += c->checked_in[t];
			risk[k] = count < (size_t)m->min_checkins
					  ? NAN
					  : pl_risk_model_calibrate(m, pl_risk_model_logit(m, rows + k * nf, NULL));
		}
	}
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
			/* A CUSUM that never resets stays above h once a client has drifted from the
			 * intake baseline; only a crossing within the last 14 days is news. */
			if (w[SIG_CUSUM] >= PL_CUSUM_H) {
				pl_feature_spec cs = { PL_F_CUSUM, mk };
				double before;
				st = pl_features_compute(c, cat, &cs, 1, as_of - 14, as_of - 14, &before, err);
				if (st != PL_OK)
					return st;
				if (!(before >= PL_CUSUM_H))
					add_signal(r, PL_SIG_CUSUM_ALARM, mk, w[SIG_CUSUM], PL_CUSUM_H, 0);
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
		double streak = v[q++];
		long used = 0;
		if (streak >= 3)
			add_signal(r, PL_SIG_MISSED_STREAK, -1, streak, 0, 0);
		for (long dd = t - 13; dd <= t; dd++)
			if (dd >= 0 && dd < nd && c->values[PL_M_USED * c->ndays + dd] == 1.0)
				used++;
		if (used > 0)
			add_signal(r, PL_SIG_REPORTED_USE, PL_M_USED, (double)used, 0, 0);
		for (size_t e = c->nevents; e-- > 0;) {
			const pl_event *ev = &c->events[e];
			if (ev->day > as_of || ev->type == PL_EVENT_OTHER)
				continue;
			if (as_of - ev->day <= 30)
				add_signal(r, PL_SIG_RECENT_LAPSE, -1, (double)(as_of - ev->day), 0, 0);
			break;
		}
	}
	return PL_OK;
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
	if (c->nmeasures != m->catalogue.n)
		return pl_error_set(err, PL_ERR_INTERNAL, "", "client parsed with another catalogue");
	if (as_of == INT32_MIN)
		as_of = pl_client_last_checkin(c);
	if (as_of == INT32_MIN) {
		r->as_of = INT32_MIN;
		pl_data_quality_compute(c, c->start - 1, &r->dq);
		r->reason = "no check-ins";
		return PL_OK;
	}
	r->as_of = as_of;
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
	r->has_risk = r->dq.days_observed >= (size_t)m->min_checkins;
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
		r->reason = r->dq.days_observed == 0 ? "no check-ins on or before as_of"
						     : "too little history: fewer completed check-ins "
						       "than the model's min_checkins";
		for (size_t j = 0; j < nf; j++)
			r->features[j] = r->contrib[j] = NAN;
	}
	st = find_signals(m, c, as_of, row, r, err);
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
		snprintf(buf, size, "rising %s variance over the last 4 weeks (Kendall tau %.2f)", mn,
			 s->value);
		break;
	case PL_SIG_RISING_AR1:
		snprintf(buf, size, "rising %s autocorrelation over the last 4 weeks (Kendall tau %.2f)",
			 mn, s->value);
		break;
	case PL_SIG_CHANGE_POINT:
		snprintf(buf, size, "change point in %s in the last week (probability %.2f, about %d "
			 "days ago)", mn, s->value, s->days_ago);
		break;
	case PL_SIG_EWMA_ALARM:
		snprintf(buf, size, "%s %s the client's own baseline (EWMA %.2f baseline SDs, limit %.2f)",
			 mn, dir, s->value, s->value2);
		break;
	case PL_SIG_CUSUM_ALARM:
		snprintf(buf, size, "sustained shift of %s %s the client's baseline (CUSUM %.1f, limit "
			 "%.1f)", mn, dir, s->value, s->value2);
		break;
	case PL_SIG_WORSENING_TREND:
		snprintf(buf, size, "%s %s over the last 2 weeks (%+.2f per day)", mn,
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
		snprintf(buf, size, "a lapse %.0f days ago", s->value);
		break;
	}
}
