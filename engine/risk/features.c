/*
 * features.c: risk-model features for each client-day, from the history up to that day only.
 *
 * Why these features: lapse risk in EMA studies is carried by recent levels and trends of craving,
 * mood and stress, by engagement (missed check-ins, attendance, medication), and by recent use or
 * lapses (Chih et al. 2014; Wyant et al. 2024). Early-warning signals of critical slowing down
 * (rising variance and lag-1 autocorrelation of a symptom, measured by the Kendall tau of the
 * rolling indicator; Scheffer et al. 2009, Dakos et al. 2012, Wichers et al. 2016) and control
 * charts against a client's own baseline (EWMA: Roberts 1959; CUSUM: Page 1954; on day averages
 * as in Smit & Snippe 2023) and Bayesian online change-point detection (Adams & MacKay 2007) are
 * weak alone, so they enter as features and explanations. docs/risk.md defines each one.
 *
 * No look-ahead: the value for grid day t reads values at days <= t and events dated <= t only.
 * Rolling quantities are computed for the requested days plus their look-back; sequential ones
 * (EWMA, CUSUM, BOCPD) run forward from day 0, so day t never sees day t + 1.
 */
#include <peerlink/risk.h>
#include "features_int.h"

#include <peerlink/ews.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int per_measure; /* 1: "<measure>.<name>" */
	int for_numeric, for_boolean;
} kinds[PL_F_NKINDS] = {
	[PL_F_LEVEL] = { "level", 1, 1, 0 },
	[PL_F_SLOPE] = { "slope", 1, 1, 0 },
	[PL_F_DEV] = { "dev", 1, 1, 0 },
	[PL_F_VAR] = { "var", 1, 1, 0 },
	[PL_F_AR1] = { "ar1", 1, 1, 0 },
	[PL_F_VAR_TAU] = { "var_tau", 1, 1, 0 },
	[PL_F_AR1_TAU] = { "ar1_tau", 1, 1, 0 },
	[PL_F_CP] = { "cp", 1, 1, 0 },
	[PL_F_EWMA] = { "ewma", 1, 1, 0 },
	[PL_F_CUSUM] = { "cusum", 1, 1, 0 },
	[PL_F_RATE] = { "rate", 1, 0, 1 },
	[PL_F_RATE_TREND] = { "rate_trend", 1, 0, 1 },
	[PL_F_LAST] = { "last", 1, 1, 0 },
	[PL_F_RATE_7] = { "rate_7", 1, 0, 1 },
	[PL_F_CHECKINS] = { "checkins", 0, 0, 0 },
	[PL_F_COVERAGE] = { "coverage_14", 0, 0, 0 },
	[PL_F_MISSED_STREAK] = { "missed_streak", 0, 0, 0 },
	[PL_F_DAYS_SINCE_LAPSE] = { "days_since_lapse", 0, 0, 0 },
	[PL_F_PRIOR_LAPSE] = { "prior_lapse", 0, 0, 0 },
	[PL_F_STATE_LEVEL] = { "state_level", 0, 0, 0 },
	[PL_F_STATE_SD] = { "state_sd", 0, 0, 0 },
	[PL_F_STATE_BASELINE] = { "state_baseline", 0, 0, 0 },
};

pl_status pl_feature_parse(const char *name, const pl_catalogue *cat, const char *ptr,
			   pl_feature_spec *out, pl_error *err)
{
	const char *dot = strchr(name, '.');

	if (!dot) {
		for (int k = 0; k < PL_F_NKINDS; k++)
			if (!kinds[k].per_measure && strcmp(kinds[k].name, name) == 0) {
				out->kind = (pl_feature_kind)k;
				out->measure = -1;
				return PL_OK;
			}
		return pl_error_set(err, PL_ERR_INVALID, ptr, "unknown feature '%s'", name);
	}
	for (int k = 0; k < PL_F_NKINDS; k++) {
		int m;
		if (!kinds[k].per_measure || strcmp(kinds[k].name, dot + 1) != 0)
			continue;
		m = pl_catalogue_find(cat, name, (size_t)(dot - name));
		if (m < 0)
			return pl_error_set(err, PL_ERR_INVALID, ptr,
					    "feature '%s' names an unknown measure", name);
		if (cat->defs[m].boolean ? !kinds[k].for_boolean : !kinds[k].for_numeric)
			return pl_error_set(err, PL_ERR_INVALID, ptr,
					    "feature '%s' does not apply to a %s measure", name,
					    cat->defs[m].boolean ? "boolean" : "numeric");
		out->kind = (pl_feature_kind)k;
		out->measure = m;
		return PL_OK;
	}
	return pl_error_set(err, PL_ERR_INVALID, ptr, "unknown feature '%s'", name);
}

void pl_feature_name(const pl_feature_spec *f, const pl_catalogue *cat, char *buf, size_t size)
{
	if (f->measure < 0)
		snprintf(buf, size, "%s", kinds[f->kind].name);
	else
		snprintf(buf, size, "%s.%s", cat->defs[f->measure].name, kinds[f->kind].name);
}

int pl_feature_orientation(const pl_feature_spec *f, const pl_catalogue *cat)
{
	int worse = f->measure >= 0 && (size_t)f->measure < cat->n ? cat->defs[f->measure].worse : 0;

	switch (f->kind) {
	case PL_F_LEVEL:
	case PL_F_SLOPE:
	case PL_F_RATE:
	case PL_F_RATE_TREND:
	case PL_F_LAST:
	case PL_F_RATE_7:
		return worse; /* in the measure's units: its own direction */
	case PL_F_DEV:
	case PL_F_EWMA:
	case PL_F_CUSUM:
		return +1;    /* already oriented so that positive is worse */
	case PL_F_VAR:
	case PL_F_AR1:
	case PL_F_VAR_TAU:
	case PL_F_AR1_TAU:
	case PL_F_CP:
		return +1;    /* early warnings: rising variance, memory, a recent change */
	case PL_F_COVERAGE:
		return -1;
	case PL_F_MISSED_STREAK:
	case PL_F_PRIOR_LAPSE:
		return +1;
	case PL_F_DAYS_SINCE_LAPSE:
		return -1;
	case PL_F_STATE_LEVEL:
	case PL_F_STATE_BASELINE:
		return +1;    /* the shared factor is oriented so that higher is worse */
	default:
		return 0;     /* checkins: time in the program, no direction */
	}
}

pl_status pl_features_default(const pl_catalogue *cat, pl_feature_spec **out, size_t *n,
			      pl_error *err)
{
	/* Few, weakly correlated features (issue 11): 45 features with levels, EWMA, CUSUM, rolling
	 * variance and their trends of one measure side by side let two models trained on halves of
	 * one cohort flip the sign of 17 coefficients. Levels carry each symptom; slope, deviation
	 * from the client's own baseline and one control chart carry change; rolling variance of
	 * craving and mood carries critical slowing down; recent rates carry stopped medication and
	 * reported use. */
	static const int scales[] = { PL_M_CRAVING, PL_M_MOOD, PL_M_STRESS, PL_M_ANXIETY,
				      PL_M_SLEEP_QUALITY, PL_M_SLEEP_HOURS };
	static const pl_feature_spec change[] = {
		{ PL_F_SLOPE, PL_M_CRAVING }, { PL_F_SLOPE, PL_M_MOOD }, { PL_F_SLOPE, PL_M_STRESS },
		{ PL_F_DEV, PL_M_CRAVING }, { PL_F_DEV, PL_M_MOOD }, { PL_F_DEV, PL_M_STRESS },
		{ PL_F_CUSUM, PL_M_CRAVING }, { PL_F_VAR, PL_M_CRAVING }, { PL_F_VAR, PL_M_MOOD },
		{ PL_F_VAR_TAU, PL_M_CRAVING },
		{ PL_F_RATE, PL_M_ATTENDED }, { PL_F_RATE_TREND, PL_M_ATTENDED },
		{ PL_F_RATE, PL_M_PEER_CONTACT },
		{ PL_F_RATE, PL_M_MEDICATION_TAKEN }, { PL_F_RATE_7, PL_M_MEDICATION_TAKEN },
		{ PL_F_RATE, PL_M_USED }, { PL_F_RATE_7, PL_M_USED },
	};
	static const pl_feature_kind client[] = { PL_F_CHECKINS, PL_F_COVERAGE, PL_F_MISSED_STREAK,
						  PL_F_DAYS_SINCE_LAPSE, PL_F_PRIOR_LAPSE,
						  PL_F_STATE_LEVEL, PL_F_STATE_SD, PL_F_STATE_BASELINE };
	pl_feature_spec *f = malloc(64 * sizeof(*f));
	size_t k = 0;

	(void)cat;
	if (!f)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t i = 0; i < sizeof(scales) / sizeof(scales[0]); i++)
		f[k++] = (pl_feature_spec){ PL_F_LEVEL, scales[i] };
	for (size_t i = 0; i < sizeof(change) / sizeof(change[0]); i++)
		f[k++] = change[i];
	for (size_t i = 0; i < sizeof(client) / sizeof(client[0]); i++)
		f[k++] = (pl_feature_spec){ client[i], -1 };
	*out = f;
	*n = k;
	return PL_OK;
}

/* The compact set (docs/risk.md, "Feature sets"): for small cohorts, where 28 features leave
 * too few events per feature (Peduzzi et al. 1996): the last and the recent level of craving,
 * the symptoms that carry most of the signal, recent use and stopped medication, silence and the
 * lapse history. */
static const pl_feature_spec compact_set[] = {
	{ PL_F_LAST, PL_M_CRAVING }, { PL_F_LEVEL, PL_M_CRAVING }, { PL_F_LEVEL, PL_M_MOOD },
	{ PL_F_LEVEL, PL_M_STRESS }, { PL_F_RATE, PL_M_USED }, { PL_F_RATE_7, PL_M_MEDICATION_TAKEN },
	{ PL_F_MISSED_STREAK, -1 }, { PL_F_DAYS_SINCE_LAPSE, -1 }, { PL_F_PRIOR_LAPSE, -1 },
};

/* The state-space set (docs/risk.md, "Feature sets"): the compact set's reading of the latent
 * state replaced by the filtered level and the client's estimated baseline (state_features.c), so
 * three symptom levels become two numbers; for the smallest cohorts, where the compact set still
 * leaves about one event per feature in a training fold. */
static const pl_feature_spec state_set[] = {
	{ PL_F_STATE_LEVEL, -1 }, { PL_F_STATE_BASELINE, -1 }, { PL_F_LAST, PL_M_CRAVING },
	{ PL_F_RATE, PL_M_USED }, { PL_F_RATE_7, PL_M_MEDICATION_TAKEN }, { PL_F_MISSED_STREAK, -1 },
	{ PL_F_DAYS_SINCE_LAPSE, -1 }, { PL_F_PRIOR_LAPSE, -1 },
};

static const char *const set_names[] = { "default", "compact", "state" };

size_t pl_feature_set_count(void)
{
	return sizeof(set_names) / sizeof(set_names[0]);
}

const char *pl_feature_set_name(size_t i)
{
	return i < pl_feature_set_count() ? set_names[i] : NULL;
}

pl_status pl_features_named(const char *name, const pl_catalogue *cat, pl_feature_spec **out,
			    size_t *n, pl_error *err)
{
	const pl_feature_spec *set = compact_set;
	size_t k = sizeof(compact_set) / sizeof(compact_set[0]);

	*out = NULL;
	*n = 0;
	if (strcmp(name, "default") == 0)
		return pl_features_default(cat, out, n, err);
	if (strcmp(name, "state") == 0) {
		set = state_set;
		k = sizeof(state_set) / sizeof(state_set[0]);
	} else if (strcmp(name, "compact") != 0) {
		return pl_error_set(err, PL_ERR_INVALID, "", "unknown feature set");
	}
	*out = malloc(k * sizeof(**out));
	if (!*out)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	memcpy(*out, set, k * sizeof(**out));
	*n = k;
	return PL_OK;
}

/* ---------------------------------------------------------------- window statistics */

/* Value of grid day t (NaN before the grid or after it). */
static inline double at(const double *x, long ndays, long t)
{
	return t >= 0 && t < ndays ? x[t] : NAN;
}

static double window_mean(const double *x, long nd, long lo, long hi, int min_n)
{
	double s = 0;
	int n = 0;
	for (long d = lo; d <= hi; d++) {
		double v = at(x, nd, d);
		if (!isnan(v)) {
			s += v;
			n++;
		}
	}
	return n >= min_n && n > 0 ? s / n : NAN;
}

/* Least-squares slope of value on day over the observed days in [lo, hi]. */
static double window_slope(const double *x, long nd, long lo, long hi, int min_n)
{
	double sd = 0, sv = 0, sdd = 0, sdv = 0, den;
	int n = 0;
	for (long d = lo; d <= hi; d++) {
		double v = at(x, nd, d), u = (double)(d - lo);
		if (isnan(v))
			continue;
		sd += u;
		sv += v;
		sdd += u * u;
		sdv += u * v;
		n++;
	}
	if (n < min_n)
		return NAN;
	den = n * sdd - sd * sd;
	return den > 0 ? (n * sdv - sd * sv) / den : NAN;
}

/* ---------------------------------------------------------------- per-measure caches */

typedef struct measure_cache {
	int have_roll, have_seq, have_cp;
	long roll_lo;          /* rolling variance and AR(1) for grid days roll_lo..t1 */
	double *var, *ar1;
	double *var_r, *ar1_r; /* the same rounded for the Kendall trends (pl__ews_round12), once */
	double *ewma, *cusum, *dev; /* control-chart statistics, grid days 0..t1 */
	double *cp;            /* change-point probability, grid days t0..t1 */
} measure_cache;

typedef struct fctx {
	const pl_client *c;
	const pl_catalogue *cat;
	long nd, t0, t1; /* grid days requested */
	measure_cache *mc;
	double *state;   /* the state-space features, 3 x (t1 + 1): level, sd, baseline (or NULL) */
} fctx;

static const double *series(const fctx *x, int m)
{
	return x->c->values + (size_t)m * x->c->ndays;
}

static pl_status ensure_roll(fctx *x, int m, pl_error *err)
{
	measure_cache *mc = &x->mc[m];
	const double *v = series(x, m);
	long n;

	if (mc->have_roll)
		return PL_OK;
	mc->roll_lo = x->t0 - (PL_TAU_SPAN - 1);
	n = x->t1 - mc->roll_lo + 1;
	mc->var = malloc((size_t)n * sizeof(double));
	mc->ar1 = malloc((size_t)n * sizeof(double));
	mc->var_r = malloc((size_t)n * sizeof(double));
	mc->ar1_r = malloc((size_t)n * sizeof(double));
	if (!mc->var || !mc->ar1 || !mc->var_r || !mc->ar1_r)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	/* Rolling indicators from the shared library (ews.h), so `risk ews` and the model agree:
	 * sample variance and the least-squares AR(1) of the demeaned window, no detrending. */
	for (long s = mc->roll_lo; s <= x->t1; s++) {
		double win[PL_EWS_WINDOW], ind[PL_EWS_NINDICATORS];
		for (long k = 0; k < PL_EWS_WINDOW; k++)
			win[k] = at(v, x->nd, s - (PL_EWS_WINDOW - 1) + k);
		pl_ews_window_stats(win, NULL, PL_EWS_WINDOW, PL_EWS_MIN_N, PL_EWS_MOMENTS_SAMPLE, ind);
		mc->var[s - mc->roll_lo] = ind[PL_EWS_VARIANCE];
		mc->ar1[s - mc->roll_lo] = ind[PL_EWS_AR1];
		mc->var_r[s - mc->roll_lo] = pl__ews_round12(ind[PL_EWS_VARIANCE]);
		mc->ar1_r[s - mc->roll_lo] = pl__ews_round12(ind[PL_EWS_AR1]);
	}
	mc->have_roll = 1;
	return PL_OK;
}

static pl_status ensure_seq(fctx *x, int m, pl_error *err)
{
	measure_cache *mc = &x->mc[m];
	long n = x->t1 + 1;

	if (mc->have_seq)
		return PL_OK;
	mc->have_seq = 1;
	if (n <= 0)
		return PL_OK;
	mc->ewma = malloc((size_t)n * sizeof(double));
	mc->cusum = malloc((size_t)n * sizeof(double));
	mc->dev = malloc((size_t)n * sizeof(double));
	if (!mc->ewma || !mc->cusum || !mc->dev)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	return pl__control_stats(series(x, m), x->nd, n, &x->cat->defs[m], mc->ewma, mc->cusum,
				 mc->dev, err);
}

/* The change-point feature of every requested day in one pass (pl__change_points shares the
 * BOCPD work between the overlapping 28-day windows). */
static pl_status ensure_cp(fctx *x, int m, pl_error *err)
{
	measure_cache *mc = &x->mc[m];
	long n = x->t1 - x->t0 + 1;
	int *ago;
	pl_status st;

	if (mc->have_cp)
		return PL_OK;
	mc->cp = malloc((size_t)n * sizeof(double));
	ago = malloc((size_t)n * sizeof(int));
	if (!mc->cp || !ago) {
		free(ago);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	st = pl__change_points(series(x, m), x->nd, x->t0, x->t1, &x->cat->defs[m], mc->cp, ago, err);
	free(ago);
	mc->have_cp = st == PL_OK;
	return st;
}

static void cache_release(measure_cache *mc)
{
	free(mc->cp);
	free(mc->var);
	free(mc->ar1);
	free(mc->var_r);
	free(mc->ar1_r);
	free(mc->ewma);
	free(mc->cusum);
	free(mc->dev);
}

/* Index of the last lapse/relapse event dated <= day (day number), or -1. Events are sorted. */
static long last_lapse(const pl_client *c, int32_t day)
{
	long k = -1;
	for (size_t e = 0; e < c->nevents && c->events[e].day <= day; e++)
		if (pl_event_is_lapse(c->events[e].type))
			k = (long)e;
	return k;
}

/* Feature column j for grid days t0..t1 into out (stride nf). */
/* The caches a per-measure kind reads (rolling windows, EWMA/CUSUM sequences). */
static pl_status prepare(fctx *x, const pl_feature_spec *f, pl_error *err)
{
	switch (f->kind) {
	case PL_F_VAR:
	case PL_F_AR1:
	case PL_F_VAR_TAU:
	case PL_F_AR1_TAU:
		return ensure_roll(x, f->measure, err);
	case PL_F_EWMA:
	case PL_F_CUSUM:
	case PL_F_DEV:
		return ensure_seq(x, f->measure, err);
	case PL_F_CP:
		return ensure_cp(x, f->measure, err);
	default:
		return PL_OK;
	}
}

/* A per-measure feature on grid day t. */
static pl_status measure_value(fctx *x, const pl_feature_spec *f, long t, double *out,
			       pl_error *err)
{
	long nd = x->nd;
	int m = f->measure;
	const double *v = series(x, m);
	const measure_cache *mc = &x->mc[m];
	double y = NAN;

	switch (f->kind) {
	case PL_F_LEVEL:
		y = window_mean(v, nd, t - (PL_LEVEL_WINDOW - 1), t, 1);
		break;
	case PL_F_LAST:
		for (long d = t; d > t - 3; d--)
			if (!isnan(y = at(v, nd, d)))
				break;
		break;
	case PL_F_SLOPE:
		y = window_slope(v, nd, t - (PL_SLOPE_WINDOW - 1), t, 3);
		break;
	case PL_F_VAR:
		y = mc->var[t - mc->roll_lo];
		break;
	case PL_F_AR1:
		y = mc->ar1[t - mc->roll_lo];
		break;
	case PL_F_VAR_TAU:
		y = pl__kendall_tau_rounded(mc->var_r + (t - (PL_TAU_SPAN - 1) - mc->roll_lo),
					    PL_TAU_SPAN, PL_TAU_MIN_N);
		break;
	case PL_F_AR1_TAU:
		y = pl__kendall_tau_rounded(mc->ar1_r + (t - (PL_TAU_SPAN - 1) - mc->roll_lo),
					    PL_TAU_SPAN, PL_TAU_MIN_N);
		break;
	case PL_F_CP:
		y = mc->cp[t - x->t0];
		break;
	case PL_F_EWMA:
		y = t >= 0 ? mc->ewma[t] : NAN;
		break;
	case PL_F_CUSUM:
		y = t >= 0 ? mc->cusum[t] : NAN;
		break;
	case PL_F_DEV:
		y = t >= 0 ? mc->dev[t] : NAN;
		break;
	case PL_F_RATE:
		y = window_mean(v, nd, t - (PL_RATE_WINDOW - 1), t, 1);
		break;
	case PL_F_RATE_7:
		y = window_mean(v, nd, t - 6, t, 1);
		break;
	case PL_F_RATE_TREND: {
		double a = window_mean(v, nd, t - 13, t, 1), b = window_mean(v, nd, t - 27, t - 14, 1);
		y = a - b;
		break;
	}
	default:
		break;
	}
	*out = y;
	return PL_OK;
}

/* The shared-factor filter over grid days 0..t1, once per client (state_features.c). */
static pl_status ensure_state(fctx *x, pl_error *err)
{
	long n = x->t1 + 1;

	if (x->state || n <= 0)
		return PL_OK;
	x->state = malloc(3 * (size_t)n * sizeof(double));
	if (!x->state)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	return pl__state_factor(x->c, x->cat, n, x->state, x->state + n, x->state + 2 * n, err);
}

/* A client-level feature on grid day t, given the check-ins counted through t and the last day
 * with one. */
static double client_value(const fctx *x, pl_feature_kind kind, long t, long count, long last_seen)
{
	const pl_client *c = x->c;
	int32_t day = c->start + (int32_t)t;

	switch (kind) {
	case PL_F_CHECKINS:
		return t >= 0 ? log1p((double)count) : NAN;
	case PL_F_COVERAGE: {
		long lo = t - 13 > 0 ? t - 13 : 0, n = 0;
		if (t < 0)
			return NAN;
		for (long d = lo; d <= t && d < x->nd; d++)
			n += c->checked_in[d];
		return (double)n / (double)(t - lo + 1);
	}
	case PL_F_MISSED_STREAK:
		return t < 0 ? NAN : (double)(t - last_seen < PL_SILENCE_LIMIT ? t - last_seen
									 : PL_SILENCE_LIMIT);
	case PL_F_DAYS_SINCE_LAPSE: {
		long k = last_lapse(c, day);
		long since = k < 0 ? PL_LAPSE_CAP : (long)day - c->events[k].day;
		return log1p((double)(since < PL_LAPSE_CAP ? since : PL_LAPSE_CAP));
	}
	case PL_F_PRIOR_LAPSE:
		return last_lapse(c, day) >= 0 ? 1.0 : 0.0;
	case PL_F_STATE_LEVEL:
	case PL_F_STATE_SD:
	case PL_F_STATE_BASELINE:
		return t < 0 || !x->state ? NAN
					  : x->state[(size_t)(kind - PL_F_STATE_LEVEL) * (size_t)(x->t1 + 1) +
						     (size_t)t];
	default:
		return NAN;
	}
}

static pl_status column(fctx *x, const pl_feature_spec *f, double *out, size_t nf, pl_error *err)
{
	const pl_client *c = x->c;
	long nd = x->nd, count = 0, last_seen = -1;
	pl_status st = prepare(x, f, err);

	if (st == PL_OK && (f->kind == PL_F_STATE_LEVEL || f->kind == PL_F_STATE_SD ||
			    f->kind == PL_F_STATE_BASELINE))
		st = ensure_state(x, err);
	if (st != PL_OK)
		return st;
	/* Running counters for the client-level features start from day 0 once. */
	if (f->kind == PL_F_CHECKINS || f->kind == PL_F_MISSED_STREAK) {
		long lim = x->t0 < nd ? x->t0 : nd;
		for (long d = 0; d < lim; d++)
			if (c->checked_in[d]) {
				count++;
				last_seen = d;
			}
	}
	for (long t = x->t0; t <= x->t1; t++) {
		double y;
		if (t >= 0 && t < nd && c->checked_in[t]) {
			count++;
			last_seen = t;
		}
		if (f->measure >= 0) {
			st = measure_value(x, f, t, &y, err);
			if (st != PL_OK)
				return st;
		} else {
			y = client_value(x, f->kind, t, count, last_seen);
		}
		out[(size_t)(t - x->t0) * nf] = y;
	}
	return PL_OK;
}

pl_status pl_features_compute(const pl_client *c, const pl_catalogue *cat,
			      const pl_feature_spec *f, size_t nf, int32_t first, int32_t last,
			      double *out, pl_error *err)
{
	fctx x;
	pl_status st = PL_OK;

	if (last < first)
		return PL_OK;
	if (c->nmeasures != cat->n)
		return pl_error_set(err, PL_ERR_INTERNAL, "",
				    "client and catalogue disagree on the measures");
	x.c = c;
	x.cat = cat;
	x.nd = (long)c->ndays;
	x.t0 = (long)first - c->start;
	x.t1 = (long)last - c->start;
	x.state = NULL;
	x.mc = calloc(cat->n ? cat->n : 1, sizeof(*x.mc));
	if (!x.mc)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t j = 0; j < nf && st == PL_OK; j++) {
		if (f[j].measure >= (int)cat->n)
			st = pl_error_set(err, PL_ERR_INTERNAL, "", "feature names an unknown measure");
		else
			st = column(&x, &f[j], out + j, nf, err);
	}
	for (size_t m = 0; m < cat->n; m++)
		cache_release(&x.mc[m]);
	free(x.mc);
	free(x.state);
	return st;
}

void pl_data_quality_compute(const pl_client *c, int32_t as_of, pl_data_quality *dq)
{
	long t = (long)as_of - c->start, first = -1, run = 0;

	memset(dq, 0, sizeof(*dq));
	dq->first_day = INT32_MIN;
	for (long d = 0; d < (long)c->ndays && d <= t; d++)
		if (c->checked_in[d]) {
			first = d;
			break;
		}
	if (first < 0)
		return;
	dq->first_day = c->start + (int32_t)first;
	dq->days_in_range = (size_t)(t - first + 1);
	for (long d = first; d <= t; d++) {
		int seen = d < (long)c->ndays && c->checked_in[d];
		if (seen) {
			dq->days_observed++;
			run = 0;
			if (d > t - 14)
				dq->checkins_last_14++;
		} else if ((size_t)++run > dq->longest_gap) {
			dq->longest_gap = (size_t)run;
		}
	}
	dq->coverage = (double)dq->days_observed / (double)dq->days_in_range;
}
