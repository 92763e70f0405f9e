/*
 * risk_ews.c: `peerlink risk ews`, the researcher-facing early-warning-signal analysis of one
 * series: rolling indicators with their Kendall tau and surrogate p-values (ews.h), EWMA and
 * CUSUM charts against the burn-in baseline (spc.h), and BOCPD change points (bocpd.h).
 *
 * Input  {"series": [number | null], "window", "min_observed", "detrend", "moments", "autocorrelation",
 *         "indicators", "surrogates": {"method", "count", "alternative"}, "seed",
 *         "control": {"burn_in", "sd_floor", "ewma": {"lambda", "L"}, "cusum": {"k", "h"}},
 *         "changepoints": {"hazard", "mu0", "kappa0", "alpha0", "beta0", "window", "lag",
 *                          "threshold"}}
 * Output {"indicators", "kendall_tau", "p_value", "trend"?, "control", "changepoints", "stats"}
 * docs/ews.md is the contract (defaults, equations, correspondence with earlywarnings/ewstools).
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/bocpd.h>
#include <peerlink/ews.h>
#include <peerlink/spc.h>

#define DEFAULT_WINDOW 0.5
#define DEFAULT_SURROGATES 99
#define MAX_SURROGATES 100000
#define DEFAULT_BURN_IN 14

typedef struct ews_input {
	double *x;
	size_t n, observed;
	pl_ews_request req;
	double window_given;
	const char *detrend_name;
	double bandwidth_given;
	size_t burn_in;
	double sd_floor;
	pl_ewma_params ewma;
	pl_cusum_params cusum;
	pl_bocpd_params bocpd;
	int have_mu0, have_beta0;
	double threshold;
	int want_control, want_cp; /* "control": false / "changepoints": false skip them */
} ews_input;

static json_t *num(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v + 0.0);
}

static json_t *num_array(const double *v, size_t n)
{
	json_t *a = json_array();
	for (size_t t = 0; t < n; t++)
		json_array_append_new(a, num(v[t]));
	return a;
}

static pl_status bad(pl_error *err, const char *ptr, const char *msg)
{
	return pl_error_set(err, PL_ERR_INVALID, ptr, "%s", msg);
}

static pl_status read_series(json_t *doc, ews_input *in, pl_error *err)
{
	char p[PL_POINTER_MAX];
	json_t *arr = NULL;
	pl_status st = pl_json_get_array(doc, "series", "", 1, &arr, err);

	if (st != PL_OK)
		return st;
	in->n = json_array_size(arr);
	if (in->n == 0)
		return bad(err, "/series", "the series is empty");
	in->x = malloc(in->n * sizeof(double));
	if (!in->x)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t t = 0; t < in->n; t++) {
		json_t *v = json_array_get(arr, t);
		if (json_is_null(v)) {
			in->x[t] = NAN;
		} else if (json_is_number(v)) {
			in->x[t] = json_number_value(v);
			in->observed++;
		} else {
			return bad(err, pl_json_ptr_index(p, sizeof(p), "/series", t),
				   "series entries must be numbers or null");
		}
	}
	return PL_OK;
}

static pl_status read_window(json_t *doc, ews_input *in, pl_error *err)
{
	long long mo = 0;
	pl_status st;

	in->window_given = DEFAULT_WINDOW;
	st = pl_json_get_number(doc, "window", "", 0, &in->window_given, err);
	if (st != PL_OK)
		return st;
	in->req.rolling.window = pl_ews_window_points(in->window_given, in->n);
	if (in->req.rolling.window == 0)
		return bad(err, "/window", "window must be a fraction in (0, 1] or a whole number of "
					   "points, giving between 2 points and the series length");
	st = pl_json_get_integer(doc, "min_observed", "", 0, &mo, err);
	if (st != PL_OK)
		return st;
	if (json_object_get(doc, "min_observed") && (mo < 2 || (size_t)mo > in->req.rolling.window))
		return bad(err, "/min_observed", "min_observed must be between 2 and the window length");
	in->req.rolling.min_obs = mo ? (size_t)mo : (in->req.rolling.window + 1) / 2;
	return PL_OK;
}

static pl_status read_detrend(json_t *doc, ews_input *in, pl_error *err)
{
	static const char *const methods[] = { "gaussian", "gaussian_sigma", "ksmooth", NULL };
	json_t *d = json_object_get(doc, "detrend");
	const char *key;
	json_t *value;
	char p[PL_POINTER_MAX];

	in->detrend_name = "none";
	in->req.detrend.method = PL_DETREND_NONE;
	if (!d || json_is_null(d))
		return PL_OK;
	if (json_is_string(d)) {
		in->detrend_name = json_string_value(d);
		if (strcmp(in->detrend_name, "none") == 0)
			return PL_OK;
		if (strcmp(in->detrend_name, "linear") == 0) {
			in->req.detrend.method = PL_DETREND_LINEAR;
			return PL_OK;
		}
		return bad(err, "/detrend", "detrend must be \"none\", \"linear\", {\"gaussian\": "
					    "bandwidth}, {\"gaussian_sigma\": sd} or {\"ksmooth\": "
					    "bandwidth}");
	}
	if (!json_is_object(d) || json_object_size(d) != 1)
		return bad(err, "/detrend", "detrend must be \"none\", \"linear\", {\"gaussian\": "
					    "bandwidth}, {\"gaussian_sigma\": sd} or {\"ksmooth\": "
					    "bandwidth}");
	if (pl_json_check_keys(d, "/detrend", methods, err) != PL_OK)
		return PL_ERR_INVALID;
	json_object_foreach(d, key, value) {
		double b;
		pl_json_ptr(p, sizeof(p), "/detrend", key);
		if (!json_is_number(value))
			return bad(err, p, "the bandwidth must be a number");
		b = json_number_value(value);
		if (!(b > 0))
			return bad(err, p, "the bandwidth must be positive");
		if (b > 1 && b > (double)in->n)
			return bad(err, p, "a bandwidth above 1 counts points and must be at most "
					   "the series length");
		in->bandwidth_given = b;
		in->req.detrend.method = strcmp(key, "gaussian") == 0	      ? PL_DETREND_GAUSSIAN
					 : strcmp(key, "gaussian_sigma") == 0 ? PL_DETREND_GAUSSIAN_SIGMA
									       : PL_DETREND_KSMOOTH;
		/* A bandwidth <= 1 is a fraction of the series length (ewstools' convention). */
		in->req.detrend.bandwidth = b <= 1 ? b * (double)in->n : b;
	}
	return PL_OK;
}

static pl_status read_indicators(json_t *doc, ews_input *in, pl_error *err)
{
	char p[PL_POINTER_MAX];
	json_t *arr = NULL;
	const char *mom = NULL;
	pl_status st = pl_json_get_string(doc, "moments", "", 0, &mom, err);

	if (st != PL_OK)
		return st;
	if (mom && strcmp(mom, "sample") != 0 && strcmp(mom, "population") != 0)
		return bad(err, "/moments", "moments must be \"sample\" or \"population\"");
	in->req.rolling.moments = mom && strcmp(mom, "population") == 0 ? PL_EWS_MOMENTS_POPULATION
									 : PL_EWS_MOMENTS_SAMPLE;
	st = pl_json_get_string(doc, "autocorrelation", "", 0, &mom, err);
	if (st != PL_OK)
		return st;
	if (json_object_get(doc, "autocorrelation") && strcmp(mom, "ols") != 0 &&
	    strcmp(mom, "pearson") != 0)
		return bad(err, "/autocorrelation", "autocorrelation must be \"ols\" or \"pearson\"");
	in->req.rolling.ar1 = json_object_get(doc, "autocorrelation") && strcmp(mom, "pearson") == 0
				      ? PL_EWS_AR1_PEARSON
				      : PL_EWS_AR1_OLS;
	st = pl_json_get_array(doc, "indicators", "", 0, &arr, err);
	if (st != PL_OK)
		return st;
	in->req.indicators = PL_EWS_ALL_INDICATORS;
	if (!arr)
		return PL_OK;
	if (json_array_size(arr) == 0)
		return bad(err, "/indicators", "indicators must name at least one indicator");
	in->req.indicators = 0;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *v = json_array_get(arr, i);
		int k = json_is_string(v) ? pl_ews_indicator_from_name(json_string_value(v)) : -1;
		pl_json_ptr_index(p, sizeof(p), "/indicators", i);
		if (k < 0)
			return bad(err, p, "indicators must be among \"variance\", \"sd\", \"cv\", \"ar1\", "
					   "\"skewness\", \"kurtosis\"");
		if (in->req.indicators & (1u << k))
			return bad(err, p, "an indicator is listed twice");
		in->req.indicators |= 1u << k;
	}
	return PL_OK;
}

static pl_status read_surrogates(json_t *doc, ews_input *in, int have_seed, unsigned long seed,
				  pl_error *err)
{
	static const char *const keys[] = { "method", "count", "alternative", NULL };
	json_t *s = NULL;
	const char *method = NULL, *alt = NULL;
	long long count = DEFAULT_SURROGATES, sd;
	pl_status st;

	in->req.seed = 0;
	st = pl_json_get_integer(doc, "seed", "", 0, &sd, err);
	if (st != PL_OK)
		return st;
	if (json_object_get(doc, "seed")) {
		if (sd < 0)
			return bad(err, "/seed", "seed must be a non-negative integer");
		in->req.seed = (unsigned long)sd;
	}
	if (have_seed) /* --seed wins over the input's "seed", which is only its default */
		in->req.seed = seed;
	st = pl_json_get_object(doc, "surrogates", "", 0, &s, err);
	if (st != PL_OK || !s)
		return st;
	if ((st = pl_json_check_keys(s, "/surrogates", keys, err)) != PL_OK ||
	    (st = pl_json_get_string(s, "method", "/surrogates", 1, &method, err)) != PL_OK ||
	    (st = pl_json_get_integer(s, "count", "/surrogates", 0, &count, err)) != PL_OK ||
	    (st = pl_json_get_string(s, "alternative", "/surrogates", 0, &alt, err)) != PL_OK)
		return st;
	if (strcmp(method, "ar1") == 0)
		in->req.surrogates = PL_SURROGATE_AR1;
	else if (strcmp(method, "phase") == 0)
		in->req.surrogates = PL_SURROGATE_PHASE;
	else
		return bad(err, "/surrogates/method", "method must be \"ar1\" or \"phase\"");
	if (count < 1 || count > MAX_SURROGATES)
		return bad(err, "/surrogates/count", "count must be between 1 and 100000");
	in->req.surrogate_count = (size_t)count;
	if (in->req.surrogate_count > PL_EWS_MAX_SURROGATE_POINTS / (in->n ? in->n : 1))
		return bad(err, "/surrogates/count", "count times the series length must be at most "
						     "2000000 (docs/ews.md)");
	if (alt && strcmp(alt, "greater") != 0 && strcmp(alt, "two_sided") != 0)
		return bad(err, "/surrogates/alternative",
			   "alternative must be \"greater\" or \"two_sided\"");
	in->req.alternative = alt && strcmp(alt, "two_sided") == 0 ? PL_ALT_TWO_SIDED : PL_ALT_GREATER;
	return PL_OK;
}

/* Optional positive (or >= 0 when zero_ok) number field of obj. */
static pl_status positive(json_t *obj, const char *key, const char *ptr, int zero_ok, double *out,
			  pl_error *err)
{
	char p[PL_POINTER_MAX];
	pl_status st = pl_json_get_number(obj, key, ptr, 0, out, err);

	if (st != PL_OK)
		return st;
	if (!(*out > 0 || (zero_ok && *out == 0)))
		return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof(p), ptr, key),
				    zero_ok ? "%s must be a number >= 0" : "%s must be a positive number",
				    key);
	return PL_OK;
}

/* An optional section doc[key] ("control", "changepoints"): false switches it off (*want = 0),
 * absence keeps the defaults (*c = NULL), else *c is the section's object. */
static pl_status optional_section(json_t *doc, const char *key, int *want, json_t **c,
				  pl_error *err)
{
	*want = !json_is_false(json_object_get(doc, key));
	*c = NULL;
	return *want ? pl_json_get_object(doc, key, "", 0, c, err) : PL_OK;
}

static pl_status read_control(json_t *doc, ews_input *in, pl_error *err)
{
	static const char *const keys[] = { "burn_in", "sd_floor", "ewma", "cusum", NULL };
	static const char *const ekeys[] = { "lambda", "L", NULL };
	static const char *const ckeys[] = { "k", "h", NULL };
	json_t *c = NULL, *e = NULL, *u = NULL;
	long long b = DEFAULT_BURN_IN;
	pl_ewma_params ed = PL_EWMA_PARAMS_DEFAULT;
	pl_cusum_params cd = PL_CUSUM_PARAMS_DEFAULT;
	pl_status st;

	in->ewma = ed;
	in->cusum = cd;
	in->burn_in = DEFAULT_BURN_IN;
	in->sd_floor = 0;
	st = optional_section(doc, "control", &in->want_control, &c, err);
	if (st != PL_OK || !c)
		return st;
	if ((st = pl_json_check_keys(c, "/control", keys, err)) != PL_OK ||
	    (st = pl_json_get_integer(c, "burn_in", "/control", 0, &b, err)) != PL_OK ||
	    (st = positive(c, "sd_floor", "/control", 1, &in->sd_floor, err)) != PL_OK ||
	    (st = pl_json_get_object(c, "ewma", "/control", 0, &e, err)) != PL_OK ||
	    (st = pl_json_get_object(c, "cusum", "/control", 0, &u, err)) != PL_OK)
		return st;
	if (b < 2)
		return bad(err, "/control/burn_in", "burn_in must be at least 2 days");
	in->burn_in = (size_t)b;
	if (e && ((st = pl_json_check_keys(e, "/control/ewma", ekeys, err)) != PL_OK ||
		  (st = positive(e, "lambda", "/control/ewma", 0, &in->ewma.lambda, err)) != PL_OK ||
		  (st = positive(e, "L", "/control/ewma", 0, &in->ewma.L, err)) != PL_OK))
		return st;
	if (in->ewma.lambda > 1)
		return bad(err, "/control/ewma/lambda", "lambda must be in (0, 1]");
	if (u && ((st = pl_json_check_keys(u, "/control/cusum", ckeys, err)) != PL_OK ||
		  (st = positive(u, "k", "/control/cusum", 1, &in->cusum.k, err)) != PL_OK ||
		  (st = positive(u, "h", "/control/cusum", 0, &in->cusum.h, err)) != PL_OK))
		return st;
	return PL_OK;
}

static pl_status read_changepoints(json_t *doc, ews_input *in, pl_error *err)
{
	static const char *const keys[] = { "hazard", "mu0", "kappa0", "alpha0", "beta0", "window",
					    "lag", "threshold", NULL };
	const char *P = "/changepoints";
	pl_bocpd_params d = PL_BOCPD_PARAMS_DEFAULT;
	json_t *c = NULL;
	long long w = (long long)d.window, lag = (long long)d.lag;
	pl_status st;

	in->bocpd = d;
	in->threshold = 0.5;
	st = optional_section(doc, "changepoints", &in->want_cp, &c, err);
	if (st != PL_OK || !c)
		return st;
	if ((st = pl_json_check_keys(c, P, keys, err)) != PL_OK ||
	    (st = positive(c, "hazard", P, 0, &in->bocpd.hazard, err)) != PL_OK ||
	    (st = pl_json_get_number(c, "mu0", P, 0, &in->bocpd.mu0, err)) != PL_OK ||
	    (st = positive(c, "kappa0", P, 0, &in->bocpd.kappa0, err)) != PL_OK ||
	    (st = positive(c, "alpha0", P, 0, &in->bocpd.alpha0, err)) != PL_OK ||
	    (st = positive(c, "beta0", P, 0, &in->bocpd.beta0, err)) != PL_OK ||
	    (st = pl_json_get_integer(c, "window", P, 0, &w, err)) != PL_OK ||
	    (st = pl_json_get_integer(c, "lag", P, 0, &lag, err)) != PL_OK ||
	    (st = positive(c, "threshold", P, 0, &in->threshold, err)) != PL_OK)
		return st;
	in->have_mu0 = json_object_get(c, "mu0") != NULL;
	in->have_beta0 = json_object_get(c, "beta0") != NULL;
	if (in->bocpd.hazard >= 1)
		return bad(err, "/changepoints/hazard", "hazard must be in (0, 1)");
	if (in->threshold > 1)
		return bad(err, "/changepoints/threshold", "threshold must be in (0, 1]");
	if (w < 1)
		return bad(err, "/changepoints/window", "window must be at least 1 day");
	if (lag < 0 || lag > 10000)
		return bad(err, "/changepoints/lag", "lag must be between 0 and 10000 days");
	in->bocpd.window = (size_t)w;
	in->bocpd.lag = (size_t)lag;
	return PL_OK;
}

static json_t *alarms_json(const signed char *a, size_t n)
{
	json_t *arr = json_array();
	for (size_t t = 0; t < n; t++)
		if (a[t]) {
			json_t *o = json_object();
			json_object_set_new(o, "day", json_integer((json_int_t)t));
			json_object_set_new(o, "side", json_string(a[t] > 0 ? "up" : "down"));
			json_array_append_new(arr, o);
		}
	return arr;
}

typedef struct ews_out {
	pl_ews_result ews;
	pl_spc_baseline base;
	double *ewma, *limit, *cup, *clo;
	signed char *ealarm, *calarm;
	pl_bocpd_result cp;
} ews_out;

static pl_status compute(ews_input *in, ews_out *o, pl_error *err)
{
	size_t n = in->n;
	pl_status st = pl_ews_analyze(in->x, n, &in->req, &o->ews, err);

	if (st != PL_OK)
		return st;
	st = pl_spc_baseline_compute(in->x, n, in->burn_in, in->sd_floor, &o->base, err);
	if (st != PL_OK)
		return st;
	o->ewma = malloc(n * sizeof(double));
	o->limit = malloc(n * sizeof(double));
	o->cup = malloc(n * sizeof(double));
	o->clo = malloc(n * sizeof(double));
	o->ealarm = malloc(n);
	o->calarm = malloc(n);
	if (!o->ewma || !o->limit || !o->cup || !o->clo || !o->ealarm || !o->calarm)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if ((st = pl_spc_ewma(in->x, n, &o->base, &in->ewma, o->ewma, o->limit, o->ealarm, err)) !=
		    PL_OK ||
	    (st = pl_spc_cusum(in->x, n, &o->base, &in->cusum, o->cup, o->clo, o->calarm, err)) !=
		    PL_OK)
		return st;
	/* Prior for the segments: the burn-in baseline unless given (mean mu0; beta0 / alpha0 =
	 * baseline variance, floored by sd_floor^2, or 1 when the baseline has no spread). */
	if (!in->have_mu0 && isfinite(o->base.mean))
		in->bocpd.mu0 = o->base.mean;
	if (!in->have_beta0) {
		double v = !isnan(o->base.sd) && o->base.sd > 0 ? o->base.sd * o->base.sd : 0;
		if (v < in->sd_floor * in->sd_floor)
			v = in->sd_floor * in->sd_floor;
		in->bocpd.beta0 = in->bocpd.alpha0 * (v > 0 && isfinite(v) ? v : 1.0);
	}
	if (!in->want_cp)
		return PL_OK;
	st = pl_bocpd_run(in->x, n, &in->bocpd, &o->cp, err);
	if (st != PL_OK && err->pointer[0] == '/') {
		/* the library names its own parameter ("/hazard"): prefix the input object */
		static const char prefix[] = "/changepoints";
		size_t len = strlen(err->pointer), pl = sizeof(prefix) - 1;
		if (len + pl < sizeof(err->pointer)) {
			memmove(err->pointer + pl, err->pointer, len + 1);
			memcpy(err->pointer, prefix, pl);
		}
	}
	return st;
}

static void out_release(ews_out *o)
{
	pl_ews_result_release(&o->ews);
	pl_bocpd_result_release(&o->cp);
	free(o->ewma);
	free(o->limit);
	free(o->cup);
	free(o->clo);
	free(o->ealarm);
	free(o->calarm);
}

static json_t *answer(const ews_input *in, const ews_out *o, const pl_json_timings *tm)
{
	json_t *doc = json_object(), *ind = json_object(), *tau = json_object(), *pv = json_object();
	json_t *control = json_object(), *base = json_object(), *ew = json_object();
	json_t *cu = json_object(), *cp = json_object(), *det = json_array(), *stats = json_object();
	json_t *used = json_object(), *lag = json_array();
	size_t n = in->n;

	for (int k = 0; k < PL_EWS_NINDICATORS; k++) {
		const char *name = pl_ews_indicator_name((pl_ews_indicator)k);
		if (!(in->req.indicators & (1u << k)))
			continue;
		json_object_set_new(ind, name, num_array(o->ews.indicator[k], n));
		json_object_set_new(tau, name, num(o->ews.tau[k]));
		json_object_set_new(pv, name, num(o->ews.p_value[k]));
		json_object_set_new(used, name, json_integer((json_int_t)o->ews.surrogates_used[k]));
	}
	json_object_set_new(doc, "indicators", ind);
	json_object_set_new(doc, "kendall_tau", tau);
	json_object_set_new(doc, "p_value", pv);
	if (in->req.detrend.method != PL_DETREND_NONE)
		json_object_set_new(doc, "trend", num_array(o->ews.trend, n));

	json_object_set_new(base, "ok", json_boolean(o->base.ok));
	json_object_set_new(base, "mean", num(o->base.mean));
	json_object_set_new(base, "sd", num(o->base.sd));
	json_object_set_new(base, "days_used", json_integer((json_int_t)o->base.used));
	json_object_set_new(base, "first_charted_day",
			    o->base.ok ? json_integer((json_int_t)o->base.start) : json_null());
	json_object_set_new(control, "baseline", base);
	json_object_set_new(ew, "lambda", json_real(in->ewma.lambda));
	json_object_set_new(ew, "L", json_real(in->ewma.L));
	json_object_set_new(ew, "statistic", num_array(o->ewma, n));
	json_object_set_new(ew, "limit", num_array(o->limit, n));
	json_object_set_new(ew, "alarms", alarms_json(o->ealarm, n));
	json_object_set_new(control, "ewma", ew);
	json_object_set_new(cu, "k", json_real(in->cusum.k));
	json_object_set_new(cu, "h", json_real(in->cusum.h));
	json_object_set_new(cu, "upper", num_array(o->cup, n));
	json_object_set_new(cu, "lower", num_array(o->clo, n));
	json_object_set_new(cu, "alarms", alarms_json(o->calarm, n));
	json_object_set_new(control, "cusum", cu);
	if (in->want_control)
		json_object_set_new(doc, "control", control);
	else
		json_decref(control);

	if (in->want_cp) {
		for (size_t t = 0; t < n; t++) {
			json_array_append_new(lag, num(o->cp.lagged[t]));
			/* day 0 always opens a segment: it is never reported as a detected change */
			if (t > 0 && !isnan(o->cp.lagged[t]) && o->cp.lagged[t] >= in->threshold)
				json_array_append_new(det, json_integer((json_int_t)t));
		}
		json_object_set_new(cp, "probability", num_array(o->cp.cp, n));
		json_object_set_new(cp, "recent", num_array(o->cp.recent, n));
		json_object_set_new(cp, "lagged", lag);
		{
			json_t *mr = json_array();
			for (size_t t = 0; t < n; t++)
				json_array_append_new(mr, json_integer((json_int_t)o->cp.map_run[t]));
			json_object_set_new(cp, "map_run_length", mr);
		}
		json_object_set_new(cp, "detected", det);
		json_object_set_new(cp, "hazard", json_real(in->bocpd.hazard));
		json_object_set_new(cp, "window", json_integer((json_int_t)in->bocpd.window));
		json_object_set_new(cp, "lag", json_integer((json_int_t)in->bocpd.lag));
		json_object_set_new(cp, "prior", json_pack("{s:o,s:o,s:o,s:o}", "mu0", num(in->bocpd.mu0),
							   "kappa0", num(in->bocpd.kappa0), "alpha0",
							   num(in->bocpd.alpha0), "beta0", num(in->bocpd.beta0)));
	}
	if (in->want_cp) {
		json_object_set_new(doc, "changepoints", cp);
	} else {
		json_decref(cp);
		json_decref(lag); /* not attached to cp */
		json_decref(det);
	}

	json_object_set_new(stats, "algorithm",
			    json_string("rolling-window early-warning indicators with Kendall tau-b "
					"and surrogate tests; EWMA and CUSUM charts; Bayesian online "
					"change point detection (Adams & MacKay 2007)"));
	json_object_set_new(stats, "n", json_integer((json_int_t)n));
	json_object_set_new(stats, "observed", json_integer((json_int_t)in->observed));
	json_object_set_new(stats, "window", json_integer((json_int_t)in->req.rolling.window));
	json_object_set_new(stats, "min_observed", json_integer((json_int_t)in->req.rolling.min_obs));
	json_object_set_new(stats, "detrend", json_string(in->detrend_name));
	json_object_set_new(stats, "bandwidth", in->req.detrend.method == PL_DETREND_GAUSSIAN ||
							in->req.detrend.method == PL_DETREND_KSMOOTH ||
							in->req.detrend.method == PL_DETREND_GAUSSIAN_SIGMA
						? json_real(in->req.detrend.bandwidth)
						: json_null());
	json_object_set_new(stats, "moments", json_string(in->req.rolling.moments ==
								    PL_EWS_MOMENTS_POPULATION
							    ? "population"
							    : "sample"));
	json_object_set_new(stats, "autocorrelation",
			    json_string(in->req.rolling.ar1 == PL_EWS_AR1_PEARSON ? "pearson" : "ols"));
	json_object_set_new(stats, "surrogates",
			    json_string(in->req.surrogates == PL_SURROGATE_AR1     ? "ar1"
					: in->req.surrogates == PL_SURROGATE_PHASE ? "phase"
										   : "none"));
	json_object_set_new(stats, "surrogate_count", json_integer((json_int_t)in->req.surrogate_count));
	json_object_set_new(stats, "surrogates_used", used);
	json_object_set_new(stats, "alternative", json_string(in->req.alternative == PL_ALT_TWO_SIDED
								       ? "two_sided"
								       : "greater"));
	json_object_set_new(stats, "seed", json_integer((json_int_t)in->req.seed));
	json_object_set_new(stats, "ar1_phi", num(o->ews.ar1_phi));
	json_object_set_new(stats, "ar1_sigma", num(o->ews.ar1_sigma));
	json_object_set_new(stats, "log_evidence", in->want_cp ? num(o->cp.log_evidence) : json_null());
	json_object_set_new(stats, "parse_ms", json_real(tm->parse_ms));
	json_object_set_new(stats, "solve_ms", json_real(tm->solve_ms));
	json_object_set_new(doc, "stats", stats);
	return doc;
}

/* The command's state across the steps of cli_run_job. */
typedef struct ews_job {
	cli_ctx *ctx; /* --seed: the surrogates' seed (wins over the input's "seed") */
	ews_input in;
	ews_out o;
} ews_job;

static pl_status read_request(json_t *doc, void *state, pl_error *err)
{
	static const char *const keys[] = { "series", "window", "min_observed", "detrend", "moments",
					    "autocorrelation", "indicators", "surrogates", "seed",
					    "control", "changepoints", NULL };
	ews_job *j = state;
	ews_input *in = &j->in;
	pl_status st;

	if ((st = pl_json_check_keys(doc, "", keys, err)) != PL_OK ||
	    (st = read_series(doc, in, err)) != PL_OK ||
	    (st = read_window(doc, in, err)) != PL_OK ||
	    (st = read_detrend(doc, in, err)) != PL_OK ||
	    (st = read_indicators(doc, in, err)) != PL_OK ||
	    (st = read_surrogates(doc, in, j->ctx->have_seed, j->ctx->seed, err)) != PL_OK ||
	    (st = read_control(doc, in, err)) != PL_OK ||
	    (st = read_changepoints(doc, in, err)) != PL_OK)
		return st;
	/* detrend_name may point into the tree: keep a static copy before freeing it */
	in->detrend_name = in->req.detrend.method == PL_DETREND_LINEAR     ? "linear"
			   : in->req.detrend.method == PL_DETREND_GAUSSIAN ? "gaussian"
			   : in->req.detrend.method == PL_DETREND_GAUSSIAN_SIGMA ? "gaussian_sigma"
			   : in->req.detrend.method == PL_DETREND_KSMOOTH  ? "ksmooth"
									   : "none";
	return PL_OK;
}

static int read_step(cli_ctx *ctx, void *state)
{
	return cli_read_program(ctx, read_request, state);
}

static pl_status solve_step(void *state, pl_error *err)
{
	ews_job *j = state;
	return compute(&j->in, &j->o, err);
}

static pl_status answer_step(void *state, const pl_json_timings *t, json_t **doc, pl_error *err)
{
	ews_job *j = state;
	*doc = answer(&j->in, &j->o, t);
	return PL_OK;
}

int cmd_risk_ews(cli_ctx *ctx)
{
	static const cli_job job = { read_step, NULL, solve_step, answer_step, NULL, 0, NULL, NULL };
	pl_ews_request r0 = PL_EWS_REQUEST_INIT;
	ews_job j;
	int rc;

	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	j.in.req = r0;
	rc = cli_run_job(ctx, &job, &j);
	out_release(&j.o);
	free(j.in.x);
	return rc;
}
