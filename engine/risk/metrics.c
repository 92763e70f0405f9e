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

#include "units_int.h"
#include "workers_int.h"

static const char *const metric_names[PL_MET_COUNT] = {
	"auroc", "auprc", "brier", "ece", "ece_adaptive", "prevalence",
	"moderate.sensitivity", "moderate.specificity", "moderate.ppv", "moderate.alerts_per_client_week",
	"high.sensitivity", "high.specificity", "high.ppv", "high.alerts_per_client_week",
	"lead_time_median_days", "lapses_detected",
	"budget.threshold", "budget.sensitivity", "budget.ppv", "budget.alerts_per_client_week",
	"calibration.slope", "calibration.in_the_large", "calibration.oe_ratio", "calibration.ici",
	"random_alerts.alert_rate", "random_alerts.lead_time_median_days",
	"random_alerts.lapses_detected",
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

/* The adaptive ECE's running state: total weight W, nbins, the weight so far, the open bin's
 * weighted sums of predictions and outcomes, the error so far, the next bin boundary b. */
typedef struct adaptive_ece {
	double W;
	size_t nbins;
	double acc, bp, by, e;
	size_t b;
} adaptive_ece;

/* One row (weight wi, prediction pi, outcome yi), rows taken in decreasing score order;
 * `last`: the final row; `group_end`: the final row or the next row's score differs. A bin
 * closes only at the end of a tie group, once its weight reaches W b / nbins (or at the last
 * row): the one bin-closing rule of both adaptive ECEs. */
static void adaptive_add(adaptive_ece *a, double wi, double pi, double yi, int group_end,
			 int last)
{
	a->acc += wi;
	a->bp += wi * pi;
	a->by += wi * yi;
	if (group_end && (a->acc >= a->W * (double)a->b / (double)a->nbins || last)) {
		a->e += fabs(a->bp - a->by);
		a->bp = a->by = 0;
		while (a->b < a->nbins && a->acc >= a->W * (double)a->b / (double)a->nbins)
			a->b++;
	}
}

/* Equal-mass bins over the rows in increasing score order (the sorted order read backwards):
 * a bin closes at the end of the tie group that takes its weight to W * b / nbins. */
static double ece_adaptive_weighted(const sorted_rows *sr, const double *p, const uint8_t *y,
				    const double *w, size_t nbins)
{
	double W = 0;
	adaptive_ece a;

	for (size_t k = 0; k < sr->n; k++)
		W += w ? w[sr->order[k]] : 1.0;
	if (W <= 0 || nbins == 0)
		return NAN;
	a = (adaptive_ece){ W, nbins, 0, 0, 0, 0, 1 };
	for (size_t k = sr->n; k-- > 0;) {
		size_t i = sr->order[k];
		adaptive_add(&a, w ? w[i] : 1.0, p[i], y[i], k == 0 || sr->s[k - 1] != sr->s[k],
			     k == 0);
	}
	return a.e / W;
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
 * detected when one of them is a high alert, with lead time L - (first alert day), a whole
 * number of days in 1 .. lead_window. */
typedef struct lead_info {
	size_t *first;     /* nclients + 1 offsets into lead */
	int32_t *lead;     /* lead times of detected lapses */
	size_t *evaluable; /* per client */
} lead_info;

static int lead_times(const pl_eval_data *d, double thr, const uint8_t *alert, int window,
		      lead_info *li)
{
	size_t nl = d->lapse_first[d->nclients], k = 0;

	li->first = malloc((d->nclients + 1) * sizeof(size_t));
	li->lead = malloc((nl ? nl : 1) * sizeof(int32_t));
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
				if (alert ? alert[r] : d->tier ? d->tier[r] >= 2 : d->score[r] >= thr) {
					li->lead[k++] = L - d->day[r];
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

/* What one report needs, prepared once so that a bootstrap replicate (a weight per client) costs
 * a pass over the job's rows in score order plus a pass over the clients: everything that does
 * not depend on the order of scores (counts, Brier, the confusion at fixed thresholds, the
 * equal-width reliability bins, lead times) is summed per client first. */
enum { CS_ROWS, CS_POS, CS_BRIER, CS_MTP, CS_MFP, CS_MTN, CS_MFN, CS_HTP, CS_HFP, CS_HTN, CS_HFN,
       CS_N };

typedef struct prep {
	const pl_eval_data *d;
	size_t n;            /* rows of the job's clients */
	double *s;           /* their scores, decreasing (ties by row index) */
	uint8_t *y;          /* labels in that order */
	uint32_t *c;         /* clients in that order */
	double *cs;          /* per client: CS_N sums */
	double *cbin;        /* per client: nbins x (rows, sum of p, sum of y) */
	lead_info li;
	int window;
	/* full jobs: calibration (logit of each sorted row and its spline term, knots, warm starts
	 * for the replicates' Newton steps) and the random-alert null */
	int full, calibrated, spline;
	double *L, *S, knots[3];
	double slope_ab[2], itl_a, ici_abc[3];
	double rate;
	lead_info rli;
} prep;

static void prep_release(prep *p)
{
	free(p->s);
	free(p->y);
	free(p->c);
	free(p->cs);
	free(p->cbin);
	free(p->L);
	free(p->S);
	lead_release(&p->li);
	lead_release(&p->rli);
}

static size_t bin_of(double p, size_t nbins)
{
	size_t b = p >= 1.0 ? nbins - 1 : p <= 0 ? 0 : (size_t)(p * (double)nbins);
	return b >= nbins ? nbins - 1 : b;
}

/* Per-client sums of client c (mult > 0: the client belongs to the job). */
static void prep_client(prep *p, size_t c, const pl_metrics_options *o)
{
	const pl_eval_data *d = p->d;
	double *cs = p->cs + c * CS_N, *cb = p->cbin + c * o->nbins * 3;

	for (size_t r = d->row_first[c]; r < d->row_first[c + 1]; r++) {
		double sc = d->score[r];
		int y = d->label[r], mod = d->tier ? d->tier[r] >= 1 : sc >= o->threshold_moderate,
		    high = d->tier ? d->tier[r] >= 2 : sc >= o->threshold_high;
		size_t b = bin_of(sc, o->nbins);
		cs[CS_ROWS] += 1;
		cs[CS_POS] += y;
		cs[CS_BRIER] += (sc - y) * (sc - y);
		cs[y ? (mod ? CS_MTP : CS_MFN) : (mod ? CS_MFP : CS_MTN)] += 1;
		cs[y ? (high ? CS_HTP : CS_HFN) : (high ? CS_HFP : CS_HTN)] += 1;
		cb[3 * b] += 1;
		cb[3 * b + 1] += sc;
		cb[3 * b + 2] += y;
	}
}

static int prep_init(prep *p, const pl_eval_data *d, const size_t *mult,
		     const pl_metrics_options *o)
{
	size_t n = 0, k = 0;
	pair *pr;

	memset(p, 0, sizeof(*p));
	p->d = d;
	p->window = o->lead_window;
	for (size_t c = 0; c < d->nclients; c++)
		if (mult[c])
			n += d->row_first[c + 1] - d->row_first[c];
	p->n = n;
	pr = malloc((n ? n : 1) * sizeof(*pr));
	p->s = malloc((n ? n : 1) * sizeof(double));
	p->y = malloc(n ? n : 1);
	p->c = malloc((n ? n : 1) * sizeof(uint32_t));
	p->cs = calloc((d->nclients ? d->nclients : 1) * CS_N, sizeof(double));
	p->cbin = calloc((d->nclients ? d->nclients : 1) * o->nbins * 3, sizeof(double));
	if (!pr || !p->s || !p->y || !p->c || !p->cs || !p->cbin ||
	    lead_times(d, o->threshold_high, NULL, o->lead_window, &p->li) != 0) {
		free(pr);
		return -1;
	}
	for (size_t c = 0; c < d->nclients; c++) {
		if (!mult[c])
			continue;
		prep_client(p, c, o);
		for (size_t r = d->row_first[c]; r < d->row_first[c + 1]; r++) {
			pr[k].s = d->score[r];
			pr[k++].i = r;
		}
	}
	qsort(pr, n, sizeof(*pr), cmp_pair_desc);
	{
		/* the client of a row: a walk over row_first in row order */
		size_t *cl = malloc((d->row_first[d->nclients] ? d->row_first[d->nclients] : 1) *
				    sizeof(size_t));
		if (!cl) {
			free(pr);
			return -1;
		}
		for (size_t c = 0; c < d->nclients; c++)
			for (size_t r = d->row_first[c]; r < d->row_first[c + 1]; r++)
				cl[r] = c;
		for (size_t j = 0; j < n; j++) {
			p->s[j] = pr[j].s;
			p->y[j] = d->label[pr[j].i];
			p->c[j] = (uint32_t)cl[pr[j].i];
		}
		free(cl);
	}
	free(pr);
	return 0;
}

/* One pass in decreasing score order: AUROC (Mann-Whitney with ties one half), average
 * precision, and the alert budget (the highest threshold whose alerts reach q weighted rows,
 * the whole tie group at the threshold alerting). */
typedef struct rank_out {
	double auroc, ap, bthr, btp, bfp;
	int budget;
} rank_out;

static void rank_pass(const prep *p, const double *wc, double P, double N, double q, rank_out *o)
{
	double tp = 0, fp = 0, u = 0, a = 0;

	o->budget = 0;
	o->bthr = NAN;
	for (size_t k = 0; k < p->n;) {
		double pg = 0, ng = 0;
		size_t j = k;
		while (j < p->n && p->s[j] == p->s[k]) {
			double w = wc[p->c[j]];
			if (p->y[j])
				pg += w;
			else
				ng += w;
			j++;
		}
		u += ng * (tp + 0.5 * pg);
		tp += pg;
		fp += ng;
		if (pg > 0)
			a += (pg / P) * (tp / (tp + fp));
		if (!o->budget && pg + ng > 0 && tp + fp >= q) {
			o->budget = 1;
			o->bthr = p->s[k];
			o->btp = tp;
			o->bfp = fp;
		}
		k = j;
	}
	if (!o->budget && p->n) { /* budget larger than the data: everyone alerts */
		o->budget = 1;
		o->bthr = p->s[p->n - 1];
		o->btp = tp;
		o->bfp = fp;
	}
	o->auroc = P > 0 && N > 0 ? u / (P * N) : NAN;
	o->ap = P > 0 ? a : NAN;
}

/* Equal-mass bins over the rows in increasing score order: a bin closes at the end of the tie
 * group that takes its weight to W b / nbins (Nixon et al. 2019, adaptive ECE). */
static double adaptive_pass(const prep *p, const double *wc, double W, size_t nbins)
{
	adaptive_ece a = { W, nbins, 0, 0, 0, 0, 1 };

	if (W <= 0 || nbins == 0)
		return NAN;
	for (size_t k = p->n; k-- > 0;)
		adaptive_add(&a, wc[p->c[k]], p->s[k], p->y[k], k == 0 || p->s[k - 1] != p->s[k],
			     k == 0);
	return a.e / W;
}

/* Median lead time and lapses detected of the client multiset (cnt: a whole number per client):
 * lead times are whole days, so the multiset is a histogram (hist: window + 1 counters). */
static void lead_pass(const lead_info *li, const prep *p, const double *wc, size_t *hist,
		      double *median, double *detected, size_t *evaluable_out, size_t *detected_out)
{
	const pl_eval_data *d = p->d;
	size_t N = 0, evaluable = 0;

	memset(hist, 0, ((size_t)p->window + 1) * sizeof(size_t));
	for (size_t c = 0; c < d->nclients; c++) {
		size_t m = (size_t)wc[c];
		if (!m)
			continue;
		evaluable += m * li->evaluable[c];
		for (size_t e = li->first[c]; e < li->first[c + 1]; e++) {
			hist[li->lead[e]] += m;
			N += m;
		}
	}
	*median = NAN;
	if (N > 0) {
		/* the (N-1)/2-th and N/2-th values (0-based) of the sorted multiset, averaged */
		size_t lo = (N - 1) / 2, hi = N / 2, acc = 0;
		double vlo = NAN, vhi = NAN;
		for (size_t L = 0; L <= (size_t)p->window; L++) {
			if (isnan(vlo) && acc + hist[L] > lo)
				vlo = (double)L;
			if (acc + hist[L] > hi) {
				vhi = (double)L;
				break;
			}
			acc += hist[L];
		}
		*median = 0.5 * (vlo + vhi);
	}
	*detected = evaluable ? (double)N / (double)evaluable : NAN;
	if (evaluable_out)
		*evaluable_out = evaluable;
	if (detected_out)
		*detected_out = N;
}

/* ---- calibration: logistic recalibration fits on logit(p) (Cox 1958; Steyerberg, Clinical
 * Prediction Models, 2nd ed. 2019, ch. 15): the slope b of y ~ a + b logit(p), the intercept a of
 * y ~ a + offset(logit(p)) (calibration-in-the-large), and the integrated calibration index of
 * Austin & Steyerberg (Stat Med 2019): the mean |p - q(p)|, q the smoothed observed rate, here a
 * logistic fit on a restricted cubic spline of logit(p) with knots at its 10th, 50th and 90th
 * percentiles (Harrell, Regression Modeling Strategies, 2015, section 2.4.5) instead of loess, so
 * that a bootstrap replicate costs a few Newton steps. ---- */

#define CAL_EPS 1e-12

static double rcs3(double x, const double *k)
{
	double a = fmax(x - k[0], 0), b = fmax(x - k[1], 0), c = fmax(x - k[2], 0);
	double v = a * a * a - b * b * b * (k[2] - k[0]) / (k[2] - k[1]) +
		   c * c * c * (k[1] - k[0]) / (k[2] - k[1]);
	return v / ((k[2] - k[0]) * (k[2] - k[0]));
}

/* Solve the k x k system H x = g (k <= 3) by Gaussian elimination with partial pivoting. */
static int small_solve(double H[3][3], double *g, int k)
{
	for (int c = 0; c < k; c++) {
		int piv = c;
		for (int r = c + 1; r < k; r++)
			if (fabs(H[r][c]) > fabs(H[piv][c]))
				piv = r;
		if (!(fabs(H[piv][c]) > 1e-300))
			return -1;
		if (piv != c) {
			for (int j = 0; j < k; j++) {
				double t = H[c][j];
				H[c][j] = H[piv][j];
				H[piv][j] = t;
			}
			double t = g[c];
			g[c] = g[piv];
			g[piv] = t;
		}
		for (int r = c + 1; r < k; r++) {
			double f = H[r][c] / H[c][c];
			for (int j = c; j < k; j++)
				H[r][j] -= f * H[c][j];
			g[r] -= f * g[c];
		}
	}
	for (int c = k - 1; c >= 0; c--) {
		for (int j = c + 1; j < k; j++)
			g[c] -= H[c][j] * g[j];
		g[c] /= H[c][c];
	}
	return 0;
}

/* Weighted logistic regression by Newton-Raphson on the sorted rows: eta = beta0 (+ beta1 L
 * (+ beta2 S)) with k = 1..3 coefficients, or, with offset, eta = beta0 + L. beta holds the start
 * and receives the solution; -1 when it does not converge (separation, no data). */
static int cal_fit(const prep *p, const double *wc, int k, int offset, double tol, double *beta)
{
	for (int it = 0; it < 50; it++) {
		double H[3][3] = { { 0 } }, g[3] = { 0 }, step = 0;
		for (size_t j = 0; j < p->n; j++) {
			double w = wc[p->c[j]], f[3], eta, mu;
			if (w == 0)
				continue;
			f[0] = 1;
			f[1] = p->L[j];
			f[2] = p->S[j];
			eta = offset ? beta[0] + p->L[j] : beta[0];
			for (int q = 1; !offset && q < k; q++)
				eta += beta[q] * f[q];
			mu = 1 / (1 + exp(-eta));
			for (int a = 0; a < k; a++) {
				g[a] += w * (p->y[j] - mu) * f[a];
				for (int b = 0; b <= a; b++)
					H[a][b] += w * mu * (1 - mu) * f[a] * f[b];
			}
		}
		for (int a = 0; a < k; a++)
			for (int b = a + 1; b < k; b++)
				H[a][b] = H[b][a];
		if (small_solve(H, g, k) != 0)
			return -1;
		for (int a = 0; a < k; a++) {
			beta[a] += g[a];
			step = fmax(step, fabs(g[a]));
		}
		if (!isfinite(step) || fabs(beta[0]) > 50)
			return -1;
		if (step < tol)
			return 0;
	}
	return -1;
}

/* Slope, calibration-in-the-large, O/E and ICI of the client weights wc (start: the warm starts
 * in p; at the point estimate they are stored back for the replicates). */
static void calibration_pass(prep *p, const double *wc, int store, double *v)
{
	/* the point estimate to 1e-10; a replicate starts from it and needs reporting precision only
	 * (Newton converges quadratically: two or three steps) */
	double tol = store ? 1e-10 : 1e-6;
	double ab[2] = { p->slope_ab[0], p->slope_ab[1] }, a = p->itl_a, abc[3], sy = 0, sp = 0,
	       W = 0, dev = 0;

	memcpy(abc, p->ici_abc, sizeof(abc));
	for (size_t j = 0; j < p->n; j++) {
		double w = wc[p->c[j]];
		sy += w * p->y[j];
		sp += w * p->s[j];
	}
	v[PL_MET_CAL_OE] = sp > 0 ? sy / sp : NAN;
	if (cal_fit(p, wc, 2, 0, tol, ab) == 0)
		v[PL_MET_CAL_SLOPE] = ab[1];
	if (cal_fit(p, wc, 1, 1, tol, &a) == 0)
		v[PL_MET_CAL_ITL] = a;
	/* the smoother; constant predictions leave only its intercept (the overall rate) */
	if (!p->spline && !isnan(v[PL_MET_CAL_SLOPE])) {
		abc[0] = ab[0]; /* without a spline term the smoother is the slope's fit */
		abc[1] = ab[1];
		abc[2] = 0;
	} else if (cal_fit(p, wc, p->spline ? 3 : 2, 0, tol, abc) != 0) {
		abc[0] = p->itl_a;
		abc[1] = abc[2] = 0;
		if (cal_fit(p, wc, 1, 0, tol, abc) != 0)
			abc[0] = NAN;
	}
	if (!isnan(abc[0])) {
		for (size_t j = 0; j < p->n; j++) {
			double w = wc[p->c[j]], eta;
			if (w == 0)
				continue;
			eta = abc[0] + abc[1] * p->L[j] + (p->spline ? abc[2] * p->S[j] : 0);
			dev += w * fabs(p->s[j] - 1 / (1 + exp(-eta)));
			W += w;
		}
		v[PL_MET_CAL_ICI] = W > 0 ? dev / W : NAN;
	}
	if (store) {
		if (!isnan(v[PL_MET_CAL_SLOPE]))
			memcpy(p->slope_ab, ab, sizeof(ab));
		if (!isnan(v[PL_MET_CAL_ITL]))
			p->itl_a = a;
		if (!isnan(v[PL_MET_CAL_ICI]))
			memcpy(p->ici_abc, abc, sizeof(abc));
	}
}

/* The logits and spline terms of a full job's rows (scores in [0, 1] only). */
static int prep_calibration(prep *p)
{
	p->L = malloc((p->n ? p->n : 1) * sizeof(double));
	p->S = calloc(p->n ? p->n : 1, sizeof(double));
	if (!p->L || !p->S)
		return -1;
	p->calibrated = p->n > 0;
	for (size_t j = 0; j < p->n; j++) {
		double q = fmin(fmax(p->s[j], CAL_EPS), 1 - CAL_EPS);
		if (!(p->s[j] >= 0 && p->s[j] <= 1))
			p->calibrated = 0;
		p->L[j] = log(q / (1 - q));
	}
	if (!p->calibrated)
		return 0;
	/* knots: percentiles 10, 50, 90 of the logits (rows sorted by decreasing score) */
	for (int q = 0; q < 3; q++) {
		static const double pct[3] = { 0.10, 0.50, 0.90 };
		size_t idx = (size_t)floor((1 - pct[q]) * (double)(p->n - 1) + 0.5);
		p->knots[q] = p->L[idx];
	}
	p->spline = p->knots[0] < p->knots[1] && p->knots[1] < p->knots[2];
	for (size_t j = 0; p->spline && j < p->n; j++)
		p->S[j] = rcs3(p->L[j], p->knots);
	p->slope_ab[0] = 0;
	p->slope_ab[1] = 1;
	p->itl_a = 0;
	p->ici_abc[0] = 0;
	p->ici_abc[1] = 1;
	p->ici_abc[2] = 0;
	return 0;
}

/* The random-alert null: every row of the data alerts with probability `rate` (one uniform per
 * row, in row order, stream PL_RNG_RANDOM_ALERTS), and the lead times of those alerts. */
static int prep_random_alerts(prep *p, const pl_metrics_options *o)
{
	const pl_eval_data *d = p->d;
	size_t nrows = d->row_first[d->nclients];
	uint8_t *alert = malloc(nrows ? nrows : 1);
	gsl_rng *g = pl_rng_new(o->seed, PL_RNG_RANDOM_ALERTS);
	int rc = -1;

	if (alert && g) {
		for (size_t r = 0; r < nrows; r++)
			alert[r] = gsl_rng_uniform(g) < p->rate;
		rc = lead_times(d, o->threshold_high, alert, o->lead_window, &p->rli);
	}
	free(alert);
	pl_rng_free(g);
	return rc;
}

/* The table by deciles of predicted risk: equal-mass groups of the rows in increasing score
 * order, a tie group never split (the bins of the adaptive ECE). */
static void deciles_pass(const prep *p, const double *wc, pl_reliability_bin *dec, size_t nb)
{
	double W = 0, acc = 0, n = 0, sp = 0, sy = 0, lo = NAN;
	size_t b = 0, next = 1;

	for (size_t k = 0; k < p->n; k++)
		W += wc[p->c[k]];
	for (size_t k = p->n; k-- > 0 && W > 0;) {
		double w = wc[p->c[k]];
		if (w > 0 && isnan(lo))
			lo = p->s[k];
		acc += w;
		n += w;
		sp += w * p->s[k];
		sy += w * p->y[k];
		if ((k == 0 || p->s[k - 1] != p->s[k]) &&
		    (acc >= W * (double)next / (double)nb || k == 0) && n > 0 && b < nb) {
			dec[b].lo = lo;
			dec[b].hi = p->s[k];
			dec[b].n = (size_t)llround(n);
			dec[b].mean_predicted = sp / n;
			dec[b].observed_rate = sy / n;
			b++;
			n = sp = sy = 0;
			lo = NAN;
			while (next < nb && acc >= W * (double)next / (double)nb)
				next++;
		}
	}
	for (; b < nb; b++) {
		dec[b].lo = dec[b].hi = dec[b].mean_predicted = dec[b].observed_rate = NAN;
		dec[b].n = 0;
	}
}

/* All point metrics for the client weights wc (a multiplicity per client). */
static void metrics_once(prep *p, const double *wc, const pl_metrics_options *o, int point,
			 size_t *hist, double *v, pl_reliability_bin *bins, size_t *evaluable_out,
			 size_t *detected_out)
{
	const pl_eval_data *d = p->d;
	size_t nb = o->nbins;
	double t[CS_N] = { 0 }, weeks, e = 0;
	rank_out ro;
	double *sw = NULL;

	for (size_t k = 0; k < PL_MET_COUNT; k++)
		v[k] = NAN;
	for (size_t c = 0; c < d->nclients; c++)
		if (wc[c] != 0)
			for (size_t k = 0; k < CS_N; k++)
				t[k] += wc[c] * p->cs[c * CS_N + k];
	if (t[CS_ROWS] == 0)
		return;
	weeks = t[CS_ROWS] / 7.0;
	rank_pass(p, wc, t[CS_POS], t[CS_ROWS] - t[CS_POS], weeks / o->budget_weeks, &ro);
	v[PL_MET_AUROC] = ro.auroc;
	v[PL_MET_AUPRC] = ro.ap;
	v[PL_MET_BRIER] = t[CS_BRIER] / t[CS_ROWS];
	/* equal-width reliability bins, ECE = sum_b |sum p - sum y| / W (Naeini et al. 2015) */
	sw = calloc(nb * 3, sizeof(double));
	if (sw) {
		for (size_t c = 0; c < d->nclients; c++)
			if (wc[c] != 0)
				for (size_t k = 0; k < nb * 3; k++)
					sw[k] += wc[c] * p->cbin[c * nb * 3 + k];
		for (size_t b = 0; b < nb; b++) {
			double n = sw[3 * b], sp = sw[3 * b + 1], sy = sw[3 * b + 2];
			if (n > 0)
				e += fabs(sp - sy);
			if (bins) {
				bins[b].lo = (double)b / (double)nb;
				bins[b].hi = (double)(b + 1) / (double)nb;
				bins[b].n = (size_t)llround(n);
				bins[b].mean_predicted = n > 0 ? sp / n : NAN;
				bins[b].observed_rate = n > 0 ? sy / n : NAN;
			}
		}
		v[PL_MET_ECE] = e / t[CS_ROWS];
		free(sw);
	}
	v[PL_MET_ECE_ADAPTIVE] = adaptive_pass(p, wc, t[CS_ROWS], nb);
	v[PL_MET_PREVALENCE] = t[CS_POS] / t[CS_ROWS];
	v[PL_MET_MOD_SENS] = ratio(t[CS_MTP], t[CS_MTP] + t[CS_MFN]);
	v[PL_MET_MOD_SPEC] = ratio(t[CS_MTN], t[CS_MTN] + t[CS_MFP]);
	v[PL_MET_MOD_PPV] = ratio(t[CS_MTP], t[CS_MTP] + t[CS_MFP]);
	v[PL_MET_MOD_ALERTS] = (t[CS_MTP] + t[CS_MFP]) / weeks;
	v[PL_MET_HIGH_SENS] = ratio(t[CS_HTP], t[CS_HTP] + t[CS_HFN]);
	v[PL_MET_HIGH_SPEC] = ratio(t[CS_HTN], t[CS_HTN] + t[CS_HFP]);
	v[PL_MET_HIGH_PPV] = ratio(t[CS_HTP], t[CS_HTP] + t[CS_HFP]);
	v[PL_MET_HIGH_ALERTS] = (t[CS_HTP] + t[CS_HFP]) / weeks;
	if (ro.budget) {
		v[PL_MET_BUDGET_THRESHOLD] = ro.bthr;
		v[PL_MET_BUDGET_SENS] = ratio(ro.btp, t[CS_POS]);
		v[PL_MET_BUDGET_PPV] = ratio(ro.btp, ro.btp + ro.bfp);
		v[PL_MET_BUDGET_ALERTS] = (ro.btp + ro.bfp) / weeks;
	}
	lead_pass(&p->li, p, wc, hist, &v[PL_MET_LEAD_MEDIAN], &v[PL_MET_LAPSES_DETECTED],
		  evaluable_out, detected_out);
	if (p->full) {
		if (p->calibrated)
			calibration_pass(p, wc, point, v);
		v[PL_MET_RANDOM_RATE] = p->rate;
		lead_pass(&p->rli, p, wc, hist, &v[PL_MET_RANDOM_LEAD_MEDIAN],
			  &v[PL_MET_RANDOM_DETECTED], NULL, NULL);
	}
}

void pl_metrics_report_release(pl_metrics_report *r)
{
	if (!r)
		return;
	free(r->bins);
	free(r->deciles);
	memset(r, 0, sizeof(*r));
}

/* ---- the fused bootstrap ---- */

typedef struct boot_ctx {
	const pl_metrics_job *jobs;
	size_t njobs, nclients, nuniverse;
	const size_t *universe;   /* NULL: every client once */
	size_t **mult;            /* per job: multiplicity of each client */
	prep *preps;
	const pl_metrics_options *o;
	double *reps;             /* [job][replicate][metric] */
} boot_ctx;

/* Replicate b: one multiset of the universe's clients (its own generator, so replicates can run
 * on any thread in any order), every job's metrics on it. */
static pl_status boot_replicate(void *arg, size_t b, pl_error *err)
{
	boot_ctx *x = arg;
	size_t n = x->nclients, B = x->o->bootstrap;
	size_t *cnt = calloc(n ? n : 1, sizeof(size_t));
	size_t *hist = malloc(((size_t)x->o->lead_window + 1) * sizeof(size_t));
	double *wc = malloc((n ? n : 1) * sizeof(double));
	gsl_rng *rng = pl_rng_new(pl_rng_substream_seed(x->o->seed, b), PL_RNG_BOOTSTRAP);
	pl_status st = PL_OK;

	if (!cnt || !hist || !wc || !rng) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto done;
	}
	for (size_t k = 0; k < x->nuniverse; k++) {
		size_t r = gsl_rng_uniform_int(rng, x->nuniverse);
		cnt[x->universe ? x->universe[r] : r]++;
	}
	for (size_t j = 0; j < x->njobs; j++) {
		for (size_t c = 0; c < n; c++)
			wc[c] = x->mult[j][c] ? (double)cnt[c] : 0.0;
		metrics_once(&x->preps[j], wc, x->o, 0, hist, x->reps + (j * B + b) * PL_MET_COUNT,
			     NULL, NULL, NULL);
	}
done:
	free(cnt);
	free(hist);
	free(wc);
	pl_rng_free(rng);
	return st;
}

/* Replicate b's metrics (every job's) for a process that did not draw it. */
static void pack_replicate(void *arg, size_t b, pl__bytes *out)
{
	const boot_ctx *x = arg;
	size_t B = x->o->bootstrap;

	for (size_t j = 0; j < x->njobs; j++)
		pl__bytes_put(out, x->reps + (j * B + b) * PL_MET_COUNT, PL_MET_COUNT * sizeof(double));
}

static pl_status unpack_replicate(void *arg, size_t b, pl__reader *r, pl_error *err)
{
	const boot_ctx *x = arg;
	size_t B = x->o->bootstrap;

	(void)err;
	for (size_t j = 0; j < x->njobs; j++)
		pl__read(r, x->reps + (j * B + b) * PL_MET_COUNT, PL_MET_COUNT * sizeof(double));
	return PL_OK;
}

static const pl__units replicate_units = { boot_replicate, pack_replicate, unpack_replicate };

/* The percentile 95% interval of the k defined values among B replicates (col, sorted here),
 * into *lo and *hi only when most replicates (at least 90 %) define the value; else they are
 * left as they are. */
static void percentile_interval(double *col, size_t k, size_t B, double *lo, double *hi)
{
	if (k == 0 || 10 * k < 9 * B)
		return;
	gsl_sort(col, 1, k);
	*lo = gsl_stats_quantile_from_sorted_data(col, 1, k, 0.025);
	*hi = gsl_stats_quantile_from_sorted_data(col, 1, k, 0.975);
}

/* Percentile 95% intervals of job j, where most replicates define the metric. */
static pl_status intervals(const double *reps, size_t B, pl_metrics_report *out, pl_error *err)
{
	double *col = malloc((B ? B : 1) * sizeof(double));

	if (!col)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t m = 0; m < PL_MET_COUNT; m++) {
		size_t k = 0;
		for (size_t b = 0; b < B; b++)
			if (!isnan(reps[b * PL_MET_COUNT + m]))
				col[k++] = reps[b * PL_MET_COUNT + m];
		percentile_interval(col, k, B, &out->lo[m], &out->hi[m]);
	}
	free(col);
	return PL_OK;
}

static pl_status check_options(const pl_metrics_options *o, pl_error *err)
{
	if (o->nbins == 0 || !(o->budget_weeks > 0) || o->lead_window < 1)
		return pl_error_set(err, PL_ERR_USAGE, "", "metrics need nbins >= 1, a positive budget "
				    "and a lead window of at least one day");
	return PL_OK;
}

/* Job j's point estimate and its client multiplicities. */
static pl_status job_point(const pl_metrics_job *jb, size_t *mult, prep *p,
			   const pl_metrics_options *o, size_t *hist, pl_error *err)
{
	const pl_eval_data *d = jb->data;
	size_t nc = jb->clients ? jb->nclients : d->nclients;
	pl_metrics_report *out = jb->out;
	double *wc = malloc((d->nclients ? d->nclients : 1) * sizeof(double));

	memset(out, 0, sizeof(*out));
	out->bins = calloc(o->nbins, sizeof(pl_reliability_bin));
	if (!wc || !out->bins) {
		free(wc);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory computing metrics");
	}
	for (size_t k = 0; k < nc; k++) {
		size_t c = jb->clients ? jb->clients[k] : k;
		if (c >= d->nclients) {
			free(wc);
			return pl_error_set(err, PL_ERR_INTERNAL, "", "client index out of range");
		}
		mult[c]++;
		out->rows += d->row_first[c + 1] - d->row_first[c];
		for (size_t r = d->row_first[c]; r < d->row_first[c + 1]; r++)
			out->positives += d->label[r];
	}
	out->clients = nc;
	out->nbins = o->nbins;
	if (prep_init(p, d, mult, o) != 0 || (jb->full && prep_calibration(p) != 0)) {
		free(wc);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory computing metrics");
	}
	for (size_t c = 0; c < d->nclients; c++)
		wc[c] = (double)mult[c];
	if (jb->full) {
		/* the random alerts' rate: the high tier's share of the job's rows */
		double rows = 0, alerts = 0;
		for (size_t c = 0; c < d->nclients; c++) {
			rows += wc[c] * p->cs[c * CS_N + CS_ROWS];
			alerts += wc[c] * (p->cs[c * CS_N + CS_HTP] + p->cs[c * CS_N + CS_HFP]);
		}
		p->rate = rows > 0 ? alerts / rows : 0;
		p->full = 1;
		out->ndeciles = 10;
		out->deciles = calloc(10, sizeof(pl_reliability_bin));
		if (!out->deciles || prep_random_alerts(p, o) != 0) {
			free(wc);
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory computing metrics");
		}
		deciles_pass(p, wc, out->deciles, 10);
	}
	metrics_once(p, wc, o, 1, hist, out->value, out->bins, &out->lapses_evaluable,
		     &out->lapses_detected);
	for (size_t k = 0; k < PL_MET_COUNT; k++)
		out->lo[k] = out->hi[k] = NAN;
	free(wc);
	return PL_OK;
}

/* Pair k's differences: the point values' difference, and percentile 95% intervals of the
 * replicates' differences where most replicates define both (the same rule as intervals()). */
static pl_status pair_intervals(const pl_metrics_job *jobs, const double *reps, size_t B,
				pl_metrics_pair *pr, pl_error *err)
{
	const double *ra = reps ? reps + pr->a * B * PL_MET_COUNT : NULL;
	const double *rb = reps ? reps + pr->b * B * PL_MET_COUNT : NULL;
	double *col = malloc((B ? B : 1) * sizeof(double));

	if (!col)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t m = 0; m < PL_MET_COUNT; m++) {
		size_t k = 0;
		pr->value[m] = jobs[pr->a].out->value[m] - jobs[pr->b].out->value[m];
		pr->lo[m] = pr->hi[m] = NAN;
		for (size_t b = 0; ra && b < B; b++) {
			double d = ra[b * PL_MET_COUNT + m] - rb[b * PL_MET_COUNT + m];
			if (!isnan(d))
				col[k++] = d;
		}
		percentile_interval(col, k, B, &pr->lo[m], &pr->hi[m]);
	}
	free(col);
	return PL_OK;
}

/* Job j's point estimate (jobs side by side on the workers: each writes only its own report,
 * multiplicities and preparation). */
static pl_status point_item(void *arg, size_t j, pl_error *err)
{
	boot_ctx *x = arg;
	size_t n = x->nclients;
	size_t *hist = malloc(((size_t)x->o->lead_window + 1) * sizeof(size_t));
	pl_status st;

	x->mult[j] = calloc(n ? n : 1, sizeof(size_t));
	st = x->mult[j] && hist ? job_point(&x->jobs[j], x->mult[j], &x->preps[j], x->o, hist, err)
				: pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	free(hist);
	return st;
}

pl_status pl_metrics_reports_compute(const pl_metrics_job *jobs, size_t njobs,
				     const size_t *universe, size_t nuniverse,
				     const pl_metrics_options *o, pl_error *err)
{
	return pl_metrics_reports_paired(jobs, njobs, NULL, 0, universe, nuniverse, o, err);
}

pl_status pl_metrics_reports_paired(const pl_metrics_job *jobs, size_t njobs,
				    pl_metrics_pair *pairs, size_t npairs,
				    const size_t *universe, size_t nuniverse,
				    const pl_metrics_options *o, pl_error *err)
{
	size_t n = njobs ? jobs[0].data->nclients : 0, B = o->bootstrap;
	boot_ctx x;
	pl_status st = check_options(o, err);

	if (st != PL_OK)
		return st;
	memset(&x, 0, sizeof(x));
	for (size_t j = 0; j < njobs; j++) {
		memset(jobs[j].out, 0, sizeof(*jobs[j].out));
		if (jobs[j].data->nclients != n)
			return pl_error_set(err, PL_ERR_INTERNAL, "", "metrics jobs on different clients");
	}
	for (size_t k = 0; k < npairs; k++)
		if (pairs[k].a >= njobs || pairs[k].b >= njobs)
			return pl_error_set(err, PL_ERR_INTERNAL, "", "a metrics pair names no job");
	x.jobs = jobs;
	x.njobs = njobs;
	x.nclients = n;
	x.universe = universe;
	x.nuniverse = universe ? nuniverse : n;
	x.o = o;
	x.mult = calloc(njobs ? njobs : 1, sizeof(size_t *));
	x.preps = calloc(njobs ? njobs : 1, sizeof(prep));
	if (!x.mult || !x.preps) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory computing metrics");
		goto done;
	}
	st = pl__run_items(njobs, pl__thread_count(o->threads), point_item, &x, err);
	if (st != PL_OK || B == 0 || x.nuniverse == 0) {
		for (size_t k = 0; st == PL_OK && k < npairs; k++)
			st = pair_intervals(jobs, NULL, 0, &pairs[k], err);
		goto done;
	}
	x.reps = malloc(njobs * B * PL_MET_COUNT * sizeof(double));
	if (!x.reps) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto done;
	}
	st = pl__run_units(B, pl__thread_count(o->threads), o->comm, &replicate_units, &x, err);
	for (size_t j = 0; st == PL_OK && j < njobs; j++)
		if (jobs[j].clients ? jobs[j].nclients : n)
			st = intervals(x.reps + j * B * PL_MET_COUNT, B, jobs[j].out, err);
	for (size_t k = 0; st == PL_OK && k < npairs; k++)
		st = pair_intervals(jobs, x.reps, B, &pairs[k], err);
done:
	for (size_t j = 0; j < njobs; j++) {
		if (x.mult)
			free(x.mult[j]);
		if (x.preps)
			prep_release(&x.preps[j]);
		if (st != PL_OK)
			pl_metrics_report_release(jobs[j].out);
	}
	free(x.mult);
	free(x.preps);
	free(x.reps);
	return st;
}

pl_status pl_metrics_report_compute(const pl_eval_data *d, const size_t *clients, size_t nclients,
				    const pl_metrics_options *o, pl_metrics_report *out,
				    pl_error *err)
{
	pl_metrics_job job = { d, clients, nclients, out, 0 };
	/* the bootstrap resamples the listed clients (all when clients is NULL) */
	return pl_metrics_reports_compute(&job, 1, clients, clients ? nclients : 0, o, err);
}

/* ---- curves ---- */

void pl_curves_release(pl_curves *c)
{
	if (!c)
		return;
	free(c->roc);
	free(c->pr);
	free(c->decision);
	memset(c, 0, sizeof(*c));
}

/* Keep at most max of the n points: the first, the last and evenly spaced ones between. */
static size_t thin(pl_curve_point *pt, size_t n, size_t max)
{
	size_t k = 0;
	if (max < 2 || n <= max)
		return n;
	for (size_t i = 0; i < max; i++) {
		size_t j = (size_t)llround((double)i * (double)(n - 1) / (double)(max - 1));
		pt[k++] = pt[j];
	}
	return k;
}

pl_status pl_metrics_curves(const double *score, const uint8_t *y, size_t n, size_t max_points,
			    double step, double t_max, pl_curves *out, pl_error *err)
{
	sorted_rows sr = { 0, NULL, NULL };
	double P = 0, N = 0, tp = 0, fp = 0;
	size_t k = 0, ng = 0, nd = step > 0 ? (size_t)floor(t_max / step + 1e-9) : 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		P += y[i] != 0;
	N = (double)n - P;
	out->roc = malloc((n + 1) * sizeof(pl_curve_point));
	out->pr = malloc((n + 1) * sizeof(pl_curve_point));
	out->decision = malloc((nd ? nd : 1) * sizeof(pl_decision_point));
	if (!out->roc || !out->pr || !out->decision || sort_rows(score, n, &sr) != 0) {
		sorted_release(&sr);
		pl_curves_release(out);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	out->roc[0] = (pl_curve_point){ 0, 0, INFINITY };
	out->pr[0] = (pl_curve_point){ 0, 1, INFINITY };
	ng = 1;
	while (k < n) {
		size_t j = k;
		while (j < n && sr.s[j] == sr.s[k]) {
			if (y[sr.order[j]])
				tp++;
			else
				fp++;
			j++;
		}
		out->roc[ng] = (pl_curve_point){ N > 0 ? fp / N : NAN, P > 0 ? tp / P : NAN, sr.s[k] };
		out->pr[ng] = (pl_curve_point){ P > 0 ? tp / P : NAN, tp / (tp + fp), sr.s[k] };
		ng++;
		k = j;
	}
	out->nroc = thin(out->roc, ng, max_points);
	out->npr = thin(out->pr, ng, max_points);
	/* decision curve: one pass per threshold over the sorted scores would do; n * nd is small */
	for (size_t q = 0; q < nd; q++) {
		double t = step * (double)(q + 1), odds = t / (1 - t), a = 0, b = 0;
		for (size_t j = 0; j < n && sr.s[j] >= t; j++) {
			if (y[sr.order[j]])
				a++;
			else
				b++;
		}
		out->decision[q].threshold = t;
		out->decision[q].net_benefit = n ? a / (double)n - b / (double)n * odds : NAN;
		out->decision[q].treat_all = n ? P / (double)n - N / (double)n * odds : NAN;
	}
	out->ndecision = nd;
	sorted_release(&sr);
	return PL_OK;
}
