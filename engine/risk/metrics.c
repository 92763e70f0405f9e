/*
 * metrics.c: evaluation metrics for relapse-risk scores, and bootstrap intervals over clients.
 *
 * Definitions (docs/datasets.md, "Evaluation metrics"):
 *   AUROC   Mann-Whitney: P(score of a positive > score of a negative) + P(tie) / 2
 *           (Hanley & McNeil, Radiology 1982).
 *   AUPRC   average precision AP = sum_k (R_k - R_{k-1}) P_k over distinct score thresholds in
 *           decreasing order, tied scores forming one threshold (the step interpolation of
 *           scikit-learn's average_precision_score; Davis & Goadrich, ICML 2006 explain why it
 *           is not the trapezoid).
 *   Brier   mean (p - y)^2 (Brier, Monthly Weather Review 1950).
 *   ECE     sum_b (n_b / n) |mean p_b - mean y_b| over equal-width bins (Naeini et al. 2015).
 * Client-day rows of one client are correlated, so intervals come from the cluster bootstrap:
 * clients are resampled with replacement and all their rows come along (Field & Welsh, JRSS-B
 * 2007), with percentile 95% intervals (Efron & Tibshirani 1993, ch. 13).
 *
 * Speed: every replicate is a multiset of clients, i.e. a weight per row. Rows are sorted by score
 * once; a replicate is then one pass over that order with weights, O(rows), so 200 replicates
 * over 360,000 client-days take seconds, not minutes.
 */
#include <peerlink/metrics.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <peerlink/rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

static const char *const metric_names[PL_MET_COUNT] = {
	"auroc", "auprc", "brier", "ece", "ece_adaptive", "prevalence",
	"moderate.sensitivity", "moderate.specificity", "moderate.ppv", "moderate.alerts_per_client_week",
	"high.sensitivity", "high.specificity", "high.ppv", "high.alerts_per_client_week",
	"lead_time_median_days", "lapses_detected",
	"budget.threshold", "budget.sensitivity", "budget.ppv", "budget.alerts_per_client_week",
};

const char *pl_metric_name(int m)
{
	return m >= 0 && m < PL_MET_COUNT ? metric_names[m] : "";
}

void pl_metrics_options_init(pl_metrics_options *o)
{
	memset(o, 0, sizeof(*o));
	o->threshold_moderate = 0.5;
	o->threshold_high = 0.5;
	o->budget_weeks = 20;
	o->nbins = 10;
	o->lead_window = 28;
	o->bootstrap = 200;
	o->seed = 1;
}

/* ---- the weighted core: rows in decreasing score order, each with a weight ---- */

typedef struct sorted_rows {
	size_t n;
	size_t *order;   /* row indices by decreasing score */
	double *s;       /* s[k] = score[order[k]] */
} sorted_rows;

/* qsort has no context argument in C11; sort (score, index) pairs instead of indices. */
typedef struct pair {
	double s;
	size_t i;
} pair;

static int cmp_pair_desc(const void *a, const void *b)
{
	const pair *x = a, *y = b;
	if (x->s > y->s)
		return -1;
	if (x->s < y->s)
		return 1;
	return x->i < y->i ? -1 : x->i > y->i; /* stable: ties by row index */
}

static int sort_rows(const double *score, size_t n, sorted_rows *sr)
{
	pair *p = malloc((n ? n : 1) * sizeof(*p));

	sr->n = n;
	sr->order = malloc((n ? n : 1) * sizeof(size_t));
	sr->s = malloc((n ? n : 1) * sizeof(double));
	if (!p || !sr->order || !sr->s) {
		free(p);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		p[i].s = score[i];
		p[i].i = i;
	}
	qsort(p, n, sizeof(*p), cmp_pair_desc);
	for (size_t k = 0; k < n; k++) {
		sr->order[k] = p[k].i;
		sr->s[k] = p[k].s;
	}
	free(p);
	return 0;
}

static void sorted_release(sorted_rows *sr)
{
	free(sr->order);
	free(sr->s);
}

/* Weighted AUROC and AP in one pass over the sorted rows (w: weight per row index). */
static void rank_metrics(const sorted_rows *sr, const uint8_t *y, const double *w, double *auroc,
			 double *ap)
{
	double P = 0, N = 0, tp = 0, fp = 0, u = 0, a = 0;

	for (size_t k = 0; k < sr->n; k++) {
		size_t i = sr->order[k];
		if (y[i])
			P += w[i];
		else
			N += w[i];
	}
	for (size_t k = 0; k < sr->n;) {
		double pg = 0, ng = 0;
		size_t j = k;
		while (j < sr->n && sr->s[j] == sr->s[k]) {
			size_t i = sr->order[j++];
			if (y[i])
				pg += w[i];
			else
				ng += w[i];
		}
		/* negatives of this group are beaten by every positive above, tie half with this group's */
		u += ng * (tp + 0.5 * pg);
		tp += pg;
		fp += ng;
		if (pg > 0)
			a += (pg / P) * (tp / (tp + fp));
		k = j;
	}
	*auroc = P > 0 && N > 0 ? u / (P * N) : NAN;
	*ap = P > 0 ? a : NAN;
}

static double ece_weighted(const double *p, const uint8_t *y, const double *w, size_t n,
			   size_t nbins, pl_reliability_bin *bins)
{
	double *sw = calloc(nbins, sizeof(double)), *sp = calloc(nbins, sizeof(double)),
	       *sy = calloc(nbins, sizeof(double)), tot = 0, e = 0;

	if (!sw || !sp || !sy || nbins == 0) {
		free(sw);
		free(sp);
		free(sy);
		return NAN;
	}
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0;
		size_t b;
		if (wi == 0)
			continue;
		b = p[i] >= 1.0 ? nbins - 1 : p[i] <= 0 ? 0 : (size_t)(p[i] * (double)nbins);
		if (b >= nbins)
			b = nbins - 1;
		sw[b] += wi;
		sp[b] += wi * p[i];
		sy[b] += wi * y[i];
		tot += wi;
	}
	for (size_t b = 0; b < nbins; b++) {
		if (sw[b] > 0)
			e += fabs(sp[b] - sy[b]); /* = n_b |mean p - mean y| */
		if (bins) {
			bins[b].lo = (double)b / (double)nbins;
			bins[b].hi = (double)(b + 1) / (double)nbins;
			bins[b].n = (size_t)llround(sw[b]);
			bins[b].mean_predicted = sw[b] > 0 ? sp[b] / sw[b] : NAN;
			bins[b].observed_rate = sw[b] > 0 ? sy[b] / sw[b] : NAN;
		}
	}
	free(sw);
	free(sp);
	free(sy);
	return tot > 0 ? e / tot : NAN;
}

/* Equal-mass bins over the rows in increasing score order (the sorted order read backwards):
 * a bin closes at the end of the tie group that takes its weight to W * b / nbins. */
static double ece_adaptive_weighted(const sorted_rows *sr, const double *p, const uint8_t *y,
				    const double *w, size_t nbins)
{
	double W = 0, acc = 0, bp = 0, by = 0, e = 0;
	size_t b = 1;

	for (size_t k = 0; k < sr->n; k++)
		W += w ? w[sr->order[k]] : 1.0;
	if (W <= 0 || nbins == 0)
		return NAN;
	for (size_t k = sr->n; k-- > 0;) {
		size_t i = sr->order[k];
		double wi = w ? w[i] : 1.0;
		acc += wi;
		bp += wi * p[i];
		by += wi * y[i];
		if ((k == 0 || sr->s[k - 1] != sr->s[k]) && (acc >= W * (double)b / (double)nbins || k == 0)) {
			e += fabs(bp - by);
			bp = by = 0;
			while (b < nbins && acc >= W * (double)b / (double)nbins)
				b++;
		}
	}
	return e / W;
}

typedef struct wconf {
	double tp, fp, tn, fn;
} wconf;

static void confusion_weighted(const double *s, const uint8_t *y, const double *w, size_t n,
			       double thr, wconf *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0;
		int pos = s[i] >= thr;
		if (y[i])
			*(pos ? &c->tp : &c->fn) += wi;
		else
			*(pos ? &c->fp : &c->tn) += wi;
	}
}

/* Alerts at a tier: tier[i] >= level when tiers are given, else score >= thr. */
static void confusion_tier(const pl_eval_data *d, const double *w, size_t n, int level, double thr,
			   wconf *c)
{
	if (!d->tier) {
		confusion_weighted(d->score, d->label, w, n, thr, c);
		return;
	}
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < n; i++) {
		int pos = d->tier[i] >= level;
		if (d->label[i])
			*(pos ? &c->tp : &c->fn) += w[i];
		else
			*(pos ? &c->fp : &c->tn) += w[i];
	}
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : NAN;
}

/* ---- plain-array entry points ---- */

/* Unweighted AUROC and average precision of plain arrays (NaN when out of memory). */
static void rank_metrics_plain(const double *score, const uint8_t *y, size_t n, double *auroc,
			       double *ap)
{
	sorted_rows sr = { 0, NULL, NULL };
	double *w = malloc((n ? n : 1) * sizeof(double));

	*auroc = *ap = NAN;
	if (w && sort_rows(score, n, &sr) == 0) {
		for (size_t i = 0; i < n; i++)
			w[i] = 1.0;
		rank_metrics(&sr, y, w, auroc, ap);
	}
	sorted_release(&sr);
	free(w);
}

double pl_metrics_auroc(const double *score, const uint8_t *y, size_t n)
{
	double a, ap;
	rank_metrics_plain(score, y, n, &a, &ap);
	return a;
}

double pl_metrics_auprc(const double *score, const uint8_t *y, size_t n)
{
	double a, ap;
	rank_metrics_plain(score, y, n, &a, &ap);
	return ap;
}

double pl_metrics_ece_adaptive(const double *p, const uint8_t *y, size_t n, size_t nbins)
{
	sorted_rows sr = { 0, NULL, NULL };
	double e = NAN;
	if (n && sort_rows(p, n, &sr) == 0)
		e = ece_adaptive_weighted(&sr, p, y, NULL, nbins);
	sorted_release(&sr);
	return e;
}

double pl_metrics_brier(const double *p, const uint8_t *y, size_t n)
{
	double s = 0;
	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
		s += (p[i] - y[i]) * (p[i] - y[i]);
	return s / (double)n;
}

double pl_metrics_ece(const double *p, const uint8_t *y, size_t n, size_t nbins,
		      pl_reliability_bin *bins)
{
	return ece_weighted(p, y, NULL, n, nbins, bins);
}

void pl_metrics_confusion(const double *score, const uint8_t *y, size_t n, double threshold,
			  pl_confusion *out)
{
	wconf c;
	confusion_weighted(score, y, NULL, n, threshold, &c);
	out->tp = (size_t)c.tp;
	out->fp = (size_t)c.fp;
	out->tn = (size_t)c.tn;
	out->fn = (size_t)c.fn;
	out->sensitivity = ratio(c.tp, c.tp + c.fn);
	out->specificity = ratio(c.tn, c.tn + c.fp);
	out->ppv = ratio(c.tp, c.tp + c.fp);
}

/* ---- the report ---- */

/* Lead times of one client's lapses: for a lapse on day L, the window is the lead_window days
 * before it, cut at the previous lapse; a lapse is evaluable when the window holds a scored row,
 * detected when one of them is a high alert, with lead time L - (first alert day). */
typedef struct lead_info {
	size_t *first;   /* nclients + 1 offsets into lead */
	double *lead;    /* lead times of detected lapses */
	size_t *evaluable; /* per client */
} lead_info;

static int lead_times(const pl_eval_data *d, double thr, int window, lead_info *li)
{
	size_t nl = d->lapse_first[d->nclients], k = 0;

	li->first = malloc((d->nclients + 1) * sizeof(size_t));
	li->lead = malloc((nl ? nl : 1) * sizeof(double));
	li->evaluable = calloc(d->nclients ? d->nclients : 1, sizeof(size_t));
	if (!li->first || !li->lead || !li->evaluable)
		return -1;
	for (size_t c = 0; c < d->nclients; c++) {
		li->first[c] = k;
		for (size_t e = d->lapse_first[c]; e < d->lapse_first[c + 1]; e++) {
			int32_t L = d->lapse_day[e], lo = L - window;
			int seen = 0;
			if (e > d->lapse_first[c] && d->lapse_day[e - 1] >= lo)
				lo = d->lapse_day[e - 1] + 1;
			for (size_t r = d->row_first[c]; r < d->row_first[c + 1]; r++) {
				if (d->day[r] < lo || d->day[r] >= L)
					continue;
				seen = 1;
				if (d->tier ? d->tier[r] >= 2 : d->score[r] >= thr) {
					li->lead[k++] = (double)(L - d->day[r]);
					break;
				}
			}
			li->evaluable[c] += (size_t)seen;
		}
	}
	li->first[d->nclients] = k;
	return 0;
}

static void lead_release(lead_info *li)
{
	free(li->first);
	free(li->lead);
	free(li->evaluable);
}

typedef struct workspace {
	double *w;      /* per row */
	double *leads;  /* multiset of lead times */
	size_t nleads_cap;
} workspace;

/* All point metrics for the client multiset given by cnt (multiplicity per client). */
static void metrics_once(const pl_eval_data *d, const sorted_rows *sr, const lead_info *li,
			 const size_t *cnt, const pl_metrics_options *o, workspace *ws, double *v,
			 pl_reliability_bin *bins, size_t *evaluable_out, size_t *detected_out)
{
	size_t nrows = d->row_first[d->nclients], nlead = 0, evaluable = 0;
	double W = 0, pos = 0, auroc, ap, brier = 0, weeks, q, acc = 0, bthr = INFINITY;
	wconf c;

	for (size_t cl = 0; cl < d->nclients; cl++)
		for (size_t r = d->row_first[cl]; r < d->row_first[cl + 1]; r++) {
			double wr = (double)cnt[cl];
			ws->w[r] = wr;
			W += wr;
			pos += wr * d->label[r];
			brier += wr * (d->score[r] - d->label[r]) * (d->score[r] - d->label[r]);
		}
	for (size_t k = 0; k < PL_MET_COUNT; k++)
		v[k] = NAN;
	if (W == 0)
		return;
	weeks = W / 7.0;
	rank_metrics(sr, d->label, ws->w, &auroc, &ap);
	v[PL_MET_AUROC] = auroc;
	v[PL_MET_AUPRC] = ap;
	v[PL_MET_BRIER] = brier / W;
	v[PL_MET_ECE] = ece_weighted(d->score, d->label, ws->w, nrows, o->nbins, bins);
	v[PL_MET_ECE_ADAPTIVE] = ece_adaptive_weighted(sr, d->score, d->label, ws->w, o->nbins);
	v[PL_MET_PREVALENCE] = pos / W;
	confusion_tier(d, ws->w, nrows, 1, o->threshold_moderate, &c);
	v[PL_MET_MOD_SENS] = ratio(c.tp, c.tp + c.fn);
	v[PL_MET_MOD_SPEC] = ratio(c.tn, c.tn + c.fp);
	v[PL_MET_MOD_PPV] = ratio(c.tp, c.tp + c.fp);
	v[PL_MET_MOD_ALERTS] = (c.tp + c.fp) / weeks;
	confusion_tier(d, ws->w, nrows, 2, o->threshold_high, &c);
	v[PL_MET_HIGH_SENS] = ratio(c.tp, c.tp + c.fn);
	v[PL_MET_HIGH_SPEC] = ratio(c.tn, c.tn + c.fp);
	v[PL_MET_HIGH_PPV] = ratio(c.tp, c.tp + c.fp);
	v[PL_MET_HIGH_ALERTS] = (c.tp + c.fp) / weeks;

	/* Budget: the highest threshold whose alerts reach W / (7 budget_weeks) rows; the whole tie
	 * group at the threshold alerts, so ties can take the count slightly above the budget. */
	q = weeks / o->budget_weeks;
	for (size_t k = 0; k < sr->n; k++) {
		acc += ws->w[sr->order[k]];
		if (acc >= q) {
			bthr = sr->s[k];
			break;
		}
	}
	if (acc < q && sr->n)
		bthr = sr->s[sr->n - 1]; /* budget larger than the data: everyone alerts */
	if (q > 0 && isfinite(bthr)) {
		confusion_weighted(d->score, d->label, ws->w, nrows, bthr, &c);
		v[PL_MET_BUDGET_THRESHOLD] = bthr;
		v[PL_MET_BUDGET_SENS] = ratio(c.tp, c.tp + c.fn);
		v[PL_MET_BUDGET_PPV] = ratio(c.tp, c.tp + c.fp);
		v[PL_MET_BUDGET_ALERTS] = (c.tp + c.fp) / weeks;
	}

	for (size_t cl = 0; cl < d->nclients; cl++) {
		evaluable += cnt[cl] * li->evaluable[cl];
		for (size_t m = 0; m < cnt[cl]; m++)
			for (size_t e = li->first[cl]; e < li->first[cl + 1]; e++)
				if (nlead < ws->nleads_cap)
					ws->leads[nlead++] = li->lead[e];
	}
	if (nlead > 0) {
		gsl_sort(ws->leads, 1, nlead);
		v[PL_MET_LEAD_MEDIAN] = gsl_stats_median_from_sorted_data(ws->leads, 1, nlead);
	}
	v[PL_MET_LAPSES_DETECTED] = evaluable ? (double)nlead / (double)evaluable : NAN;
	if (evaluable_out)
		*evaluable_out = evaluable;
	if (detected_out)
		*detected_out = nlead;
}

void pl_metrics_report_release(pl_metrics_report *r)
{
	if (!r)
		return;
	free(r->bins);
	memset(r, 0, sizeof(*r));
}

pl_status pl_metrics_report_compute(const pl_eval_data *d, const size_t *clients, size_t nclients,
				    const pl_metrics_options *o, pl_metrics_report *out,
				    pl_error *err)
{
	size_t nrows = d->row_first[d->nclients], *cnt = NULL, *list = NULL, B = o->bootstrap;
	sorted_rows sr = { 0, NULL, NULL };
	lead_info li = { NULL, NULL, NULL };
	workspace ws = { NULL, NULL, 0 };
	double *reps = NULL;
	gsl_rng *rng = NULL;
	pl_status st = PL_OK;

	memset(out, 0, sizeof(*out));
	if (o->nbins == 0 || !(o->budget_weeks > 0) || o->lead_window < 1)
		return pl_error_set(err, PL_ERR_USAGE, "", "metrics need nbins >= 1, a positive budget "
				    "and a lead window of at least one day");
	if (!clients)
		nclients = d->nclients;
	cnt = calloc(d->nclients ? d->nclients : 1, sizeof(size_t));
	list = malloc((nclients ? nclients : 1) * sizeof(size_t));
	ws.w = malloc((nrows ? nrows : 1) * sizeof(double));
	out->bins = calloc(o->nbins, sizeof(pl_reliability_bin));
	reps = malloc((B ? B : 1) * PL_MET_COUNT * sizeof(double));
	if (!cnt || !list || !ws.w || !out->bins || !reps || sort_rows(d->score, nrows, &sr) != 0 ||
	    lead_times(d, o->threshold_high, o->lead_window, &li) != 0) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory computing metrics");
		goto done;
	}
	/* a multiset of nclients clients holds at most nclients * (most leads of one client) */
	{
		size_t most = 0;
		for (size_t c = 0; c < d->nclients; c++)
			if (li.first[c + 1] - li.first[c] > most)
				most = li.first[c + 1] - li.first[c];
		ws.nleads_cap = most * nclients;
		ws.leads = malloc((ws.nleads_cap ? ws.nleads_cap : 1) * sizeof(double));
		if (!ws.leads) {
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory computing metrics");
			goto done;
		}
	}
	out->nbins = o->nbins;
	for (size_t k = 0; k < nclients; k++) {
		size_t c = clients ? clients[k] : k;
		if (c >= d->nclients) {
			st = pl_error_set(err, PL_ERR_INTERNAL, "", "client index out of range");
			goto done;
		}
		list[k] = c;
		cnt[c]++;
		out->rows += d->row_first[c + 1] - d->row_first[c];
		for (size_t r = d->row_first[c]; r < d->row_first[c + 1]; r++)
			out->positives += d->label[r];
	}
	out->clients = nclients;
	metrics_once(d, &sr, &li, cnt, o, &ws, out->value, out->bins, &out->lapses_evaluable,
		     &out->lapses_detected);
	for (size_t k = 0; k < PL_MET_COUNT; k++)
		out->lo[k] = out->hi[k] = NAN;
	if (B == 0 || nclients == 0)
		goto done;

	rng = pl_rng_new(o->seed, PL_RNG_BOOTSTRAP);
	if (!rng) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto done;
	}
	for (size_t b = 0; b < B; b++) {
		memset(cnt, 0, d->nclients * sizeof(size_t));
		for (size_t k = 0; k < nclients; k++)
			cnt[list[gsl_rng_uniform_int(rng, nclients)]]++;
		metrics_once(d, &sr, &li, cnt, o, &ws, reps + b * PL_MET_COUNT, NULL, NULL, NULL);
	}
	for (size_t m = 0; m < PL_MET_COUNT; m++) {
		double *col = malloc(B * sizeof(double));
		size_t k = 0;
		if (!col) {
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
			goto done;
		}
		for (size_t b = 0; b < B; b++)
			if (!isnan(reps[b * PL_MET_COUNT + m]))
				col[k++] = reps[b * PL_MET_COUNT + m];
		/* an interval only when most replicates define the metric */
		if (k > 0 && 10 * k >= 9 * B) {
			gsl_sort(col, 1, k);
			out->lo[m] = gsl_stats_quantile_from_sorted_data(col, 1, k, 0.025);
			out->hi[m] = gsl_stats_quantile_from_sorted_data(col, 1, k, 0.975);
		}
		free(col);
	}
done:
	if (st != PL_OK)
		pl_metrics_report_release(out);
	pl_rng_free(rng);
	sorted_release(&sr);
	lead_release(&li);
	free(ws.w);
	free(ws.leads);
	free(cnt);
	free(list);
	free(reps);
	return st;
}
