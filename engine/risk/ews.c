/*
 * ews.c: early-warning signals of critical slowing down (Scheffer et al. 2009; Dakos et al. 2012)
 * on one series with missing values: detrending, rolling-window indicators, Kendall's tau of each
 * indicator against time, and surrogate-based significance.
 *
 * Why our own moment code rather than gsl_stats_skew/kurtosis: GSL normalizes the third and fourth
 * central moments by the (n-1) sd, which is neither package's estimator; we need pandas' G1/G2
 * (ewstools) and the moments package's g1/b2 (earlywarnings) exactly, and windows with holes.
 * GSL is used where it has the routine and cannot reach its error handler: gsl_fit_linear
 * (linear detrending), gsl_rng/gsl_ran_gaussian (AR(1) surrogates). The phase surrogates' Fourier
 * transform is core/fft.c: GSL's allocates through the handler, which aborts when memory runs
 * out. docs/ews.md has every equation.
 */
#include <peerlink/ews.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_fit.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <peerlink/rng.h>

#include "core/fft.h"
#include "features_int.h"

static const char *const indicator_names[PL_EWS_NINDICATORS] = {
	"variance", "sd", "cv", "ar1", "skewness", "kurtosis",
};

const char *pl_ews_indicator_name(pl_ews_indicator ind)
{
	return (unsigned)ind < PL_EWS_NINDICATORS ? indicator_names[ind] : "unknown";
}

int pl_ews_indicator_from_name(const char *name)
{
	for (int k = 0; k < PL_EWS_NINDICATORS; k++)
		if (strcmp(name, indicator_names[k]) == 0)
			return k;
	return -1;
}

/* ---------------------------------------------------------------- one window */

void pl_ews_window_stats(const double *resid, const double *level, size_t w, size_t min_obs,
			 pl_ews_moments moments, double *out)
{
	double sum = 0, sumsq = 0, mean, s2 = 0, s3 = 0, s4 = 0, lsum = 0;
	double num = 0, den = 0, var, m2, g1, g2, dm;
	size_t m = 0, lm = 0, pairs = 0;

	for (int k = 0; k < PL_EWS_NINDICATORS; k++)
		out[k] = NAN;
	if (min_obs < 2)
		min_obs = 2;
	for (size_t i = 0; i < w; i++) {
		if (isnan(resid[i]))
			continue;
		m++;
		sum += resid[i];
		sumsq += resid[i] * resid[i];
		if (level && !isnan(level[i])) {
			lm++;
			lsum += level[i];
		}
	}
	if (m < min_obs)
		return;
	mean = sum / (double)m;
	for (size_t i = 0; i < w; i++) {
		double d, d2;
		if (isnan(resid[i]))
			continue;
		d = resid[i] - mean;
		d2 = d * d;
		s2 += d2;
		s3 += d2 * d;
		s4 += d2 * d2;
		/* AR(1) by least squares on the demeaned window (R ar.ols, order 1, no intercept):
		 * phi = sum y_t y_{t-1} / sum y_{t-1}^2 over consecutive observed pairs. */
		if (i > 0 && !isnan(resid[i - 1])) {
			double p = resid[i - 1] - mean;
			num += d * p;
			den += p * p;
			pairs++;
		}
	}
	/* A window whose values are all equal has s2 == 0 up to the rounding of the mean. */
	if (isfinite(sumsq) && s2 <= 1e-24 * sumsq)
		s2 = 0;
	var = s2 / (double)(m - 1);
	out[PL_EWS_VARIANCE] = var;
	out[PL_EWS_SD] = sqrt(var);
	lm = level ? lm : m;
	dm = level ? (lm ? lsum / (double)lm : NAN) : mean;
	if (lm > 0 && dm != 0)
		out[PL_EWS_CV] = sqrt(var) / dm;
	if (pairs >= 2 && den > 1e-24 * sumsq && s2 > 0)
		out[PL_EWS_AR1] = num / den;
	if (s2 <= 0)
		return;
	m2 = s2 / (double)m;
	g1 = (s3 / (double)m) / pow(m2, 1.5);
	g2 = (s4 / (double)m) / (m2 * m2); /* b2, not excess */
	if (m >= 3)
		out[PL_EWS_SKEWNESS] = moments == PL_EWS_MOMENTS_POPULATION
			? g1
			: g1 * sqrt((double)m * (double)(m - 1)) / (double)(m - 2);
	if (m >= 4) {
		double dn = (double)m;
		out[PL_EWS_KURTOSIS] = moments == PL_EWS_MOMENTS_POPULATION
			? g2
			: (dn - 1) / ((dn - 2) * (dn - 3)) * ((dn + 1) * (g2 - 3) + 6);
	}
}

double pl_ews_lag1_pearson(const double *x, size_t w)
{
	double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
	size_t pairs = 0;

	for (size_t i = 1; i < w; i++)
		if (!isnan(x[i - 1]) && !isnan(x[i])) {
			ma += x[i - 1];
			mb += x[i];
			pairs++;
		}
	if (pairs < 2)
		return NAN;
	ma /= (double)pairs;
	mb /= (double)pairs;
	for (size_t i = 1; i < w; i++)
		if (!isnan(x[i - 1]) && !isnan(x[i])) {
			double a = x[i - 1] - ma, b = x[i] - mb;
			sab += a * b;
			saa += a * a;
			sbb += b * b;
		}
	if (!(saa > 0 && sbb > 0))
		return NAN;
	return sab / sqrt(saa * sbb);
}

size_t pl_ews_window_points(double window, size_t n)
{
	double w;

	if (!(window > 0) || !isfinite(window))
		return 0;
	w = window <= 1 ? floor(window * (double)n) : window;
	if (w != floor(w) || w < 2 || w > (double)n)
		return 0;
	return (size_t)w;
}

pl_status pl_ews_rolling(const double *resid, const double *level, size_t n,
			 const pl_ews_rolling_options *opt, double *out[PL_EWS_NINDICATORS],
			 pl_error *err)
{
	size_t w = opt->window, min_obs = opt->min_obs ? opt->min_obs : (opt->window + 1) / 2;
	double v[PL_EWS_NINDICATORS];

	if (w < 2)
		return pl_error_set(err, PL_ERR_INVALID, "/window", "the window must hold at least 2 points");
	for (size_t t = 0; t < n; t++) {
		if (t + 1 >= w) {
			pl_ews_window_stats(resid + t + 1 - w, level ? level + t + 1 - w : NULL, w, min_obs,
					    opt->moments, v);
			/* Pearson's lag 1 replaces the least-squares one where the window counts. */
			if (opt->ar1 == PL_EWS_AR1_PEARSON && !isnan(v[PL_EWS_VARIANCE]))
				v[PL_EWS_AR1] = pl_ews_lag1_pearson(resid + t + 1 - w, w);
		}
		for (int k = 0; k < PL_EWS_NINDICATORS; k++)
			if (out[k])
				out[k][t] = t + 1 >= w ? v[k] : NAN;
	}
	return PL_OK;
}

/* ---------------------------------------------------------------- detrending */

/* scipy.ndimage "reflect" extension (d c b a | a b c d | d c b a), period 2n. */
static size_t reflect_index(long i, size_t n)
{
	long p = 2 * (long)n, j = i % p;
	if (j < 0)
		j += p;
	return (size_t)(j >= (long)n ? p - 1 - j : j);
}

static pl_status detrend_linear(const double *x, size_t n, double *trend, pl_error *err)
{
	double *tt = malloc((n ? n : 1) * sizeof(double)), *yy = malloc((n ? n : 1) * sizeof(double));
	double c0, c1, cov00, cov01, cov11, sumsq;
	size_t m = 0;

	if (!tt || !yy) {
		free(tt);
		free(yy);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	for (size_t t = 0; t < n; t++)
		if (!isnan(x[t])) {
			tt[m] = (double)t;
			yy[m++] = x[t];
		}
	if (m >= 2 && gsl_fit_linear(tt, 1, yy, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &sumsq) == 0)
		for (size_t t = 0; t < n; t++)
			trend[t] = c0 + c1 * (double)t;
	else
		for (size_t t = 0; t < n; t++)
			trend[t] = NAN;
	free(tt);
	free(yy);
	return PL_OK;
}

static pl_status detrend_gaussian(const double *x, size_t n, double sigma, double *trend,
				  pl_error *err)
{
	/* scipy.ndimage.gaussian_filter1d (truncate = 4.0): radius int(4 sigma + 0.5), weights
	 * exp(-k^2 / (2 sigma^2)) normalized; we renormalize over the observed days of each
	 * neighbourhood instead, which is the same on a complete series. */
	long r = (long)(4.0 * sigma + 0.5);
	double *wk = malloc((size_t)(r + 1) * sizeof(double));

	if (!wk)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (long k = 0; k <= r; k++)
		wk[k] = exp(-0.5 * (double)k * (double)k / (sigma * sigma));
	for (size_t t = 0; t < n; t++) {
		double num = 0, den = 0;
		for (long k = -r; k <= r; k++) {
			double v = x[reflect_index((long)t + k, n)];
			if (isnan(v))
				continue;
			num += wk[k < 0 ? -k : k] * v;
			den += wk[k < 0 ? -k : k];
		}
		trend[t] = den > 0 ? num / den : NAN;
	}
	free(wk);
	return PL_OK;
}

static void detrend_ksmooth(const double *x, size_t n, double bandwidth, double *trend)
{
	/* R ksmooth(kernel = "normal"): the kernel's quartiles sit at +-bandwidth/4, so its sd is
	 * 0.25 * bandwidth / qnorm(0.75) = 0.3706506 * bandwidth; points up to 4 sd away count. */
	double sd = 0.3706506 * bandwidth, cutoff = 4.0 * sd;
	long r = (long)floor(cutoff);

	for (size_t t = 0; t < n; t++) {
		double num = 0, den = 0;
		long lo = (long)t - r < 0 ? 0 : (long)t - r;
		long hi = (long)t + r > (long)n - 1 ? (long)n - 1 : (long)t + r;
		for (long s = lo; s <= hi; s++) {
			double d = (double)(s - (long)t) / sd, w;
			if (isnan(x[s]))
				continue;
			w = exp(-0.5 * d * d);
			num += w * x[s];
			den += w;
		}
		trend[t] = den > 0 ? num / den : NAN;
	}
}

pl_status pl_ews_detrend_series(const double *x, size_t n, const pl_ews_detrend *d, double *trend,
				double *resid, pl_error *err)
{
	double *tr = trend;
	pl_status st = PL_OK;

	/* The bound keeps the kernels' radii (4 sd, at most 4n + 1 points) and their casts to long
	 * in range whatever the request says. */
	if ((d->method == PL_DETREND_GAUSSIAN || d->method == PL_DETREND_KSMOOTH ||
	     d->method == PL_DETREND_GAUSSIAN_SIGMA) &&
	    !(d->bandwidth > 0 && isfinite(d->bandwidth)))
		return pl_error_set(err, PL_ERR_INVALID, "/detrend", "the bandwidth must be positive");
	if ((d->method == PL_DETREND_GAUSSIAN || d->method == PL_DETREND_KSMOOTH ||
	     d->method == PL_DETREND_GAUSSIAN_SIGMA) &&
	    d->bandwidth > (double)(n ? n : 1))
		return pl_error_set(err, PL_ERR_INVALID, "/detrend",
				    "the bandwidth must be at most the series length");
	if (!tr) {
		tr = malloc((n ? n : 1) * sizeof(double));
		if (!tr)
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	switch (d->method) {
	case PL_DETREND_NONE:
		for (size_t t = 0; t < n; t++)
			tr[t] = 0;
		break;
	case PL_DETREND_LINEAR:
		st = detrend_linear(x, n, tr, err);
		break;
	case PL_DETREND_GAUSSIAN:
		st = detrend_gaussian(x, n, PL_EWS_GAUSSIAN_SD_PER_BANDWIDTH * d->bandwidth, tr, err);
		break;
	case PL_DETREND_GAUSSIAN_SIGMA:
		st = detrend_gaussian(x, n, d->bandwidth, tr, err);
		break;
	case PL_DETREND_KSMOOTH:
		detrend_ksmooth(x, n, d->bandwidth, tr);
		break;
	default:
		st = pl_error_set(err, PL_ERR_INVALID, "/detrend", "unknown detrending method");
	}
	if (st == PL_OK && resid)
		for (size_t t = 0; t < n; t++)
			resid[t] = x[t] - tr[t]; /* NaN where x or the trend is missing */
	if (tr != trend)
		free(tr);
	return st;
}

/* ---------------------------------------------------------------- Kendall tau */

/* Sort a[0..m) ascending with a bottom-up merge sort and return the number of strict inversions
 * (pairs i < j with a[i] > a[j]); b is scratch of m entries. Equal values are never counted:
 * on a tie the left element is taken first. */
static double count_inversions(double *a, double *b, size_t m)
{
	double inv = 0, *src = a, *dst = b, *tmp;

	for (size_t width = 1; width < m; width *= 2) {
		for (size_t lo = 0; lo < m; lo += 2 * width) {
			size_t mid = lo + width < m ? lo + width : m;
			size_t hi = lo + 2 * width < m ? lo + 2 * width : m;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi) {
				if (src[i] <= src[j]) {
					dst[k++] = src[i++];
				} else {
					inv += (double)(mid - i);
					dst[k++] = src[j++];
				}
			}
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		tmp = src;
		src = dst;
		dst = tmp;
	}
	if (src != a)
		memcpy(a, src, m * sizeof(double));
	return inv;
}

/* Round to 12 significant digits, so that indicator values equal up to floating-point rounding
 * (e.g. the variances of windows holding the same residual pattern) tie, as they would in exact
 * arithmetic. (earlywarnings rounds its indicators to 3 decimals before its Kendall test.) */
double pl__ews_round12(double v)
{
	double e, scale;
	if (v == 0 || !isfinite(v))
		return v;
	e = floor(log10(fabs(v)));
	scale = pow(10.0, 11 - e);
	return isfinite(scale) && isfinite(v * scale) ? nearbyint(v * scale) / scale : v;
}

/* Kendall's tau-b with the caller's scratch a[2n] (so that running out of memory can never pass
 * for an undefined tau); rounded: y already went through pl__ews_round12. */
static double kendall_tau_in(const double *y, size_t n, size_t min_n, int rounded, double *a)
{
	double *b = a + n, disc, ties = 0, pairs, conc, tau = NAN;
	size_t m = 0, run;

	if (min_n < 2)
		min_n = 2;
	for (size_t i = 0; i < n; i++)
		if (!isnan(y[i]))
			a[m++] = rounded ? y[i] : pl__ews_round12(y[i]);
	if (m < min_n)
		goto out;
	disc = count_inversions(a, b, m); /* a is now sorted */
	for (size_t i = 0; i < m; i += run) {
		for (run = 1; i + run < m && a[i + run] == a[i]; run++)
			;
		ties += (double)run * (double)(run - 1) / 2;
	}
	pairs = (double)m * (double)(m - 1) / 2;
	conc = pairs - disc - ties;
	if (pairs - ties > 0)
		tau = (conc - disc) / sqrt(pairs * (pairs - ties));
out:
	return tau;
}

/* Short spans (the risk features' 15 values) need no allocation at all. */
#define TAU_STACK_N 64

double pl_ews_kendall_tau(const double *y, size_t n, size_t min_n)
{
	double small[2 * TAU_STACK_N], *a, tau;

	if (n <= TAU_STACK_N)
		return kendall_tau_in(y, n, min_n, 0, small);
	a = malloc(n * 2 * sizeof(double));
	if (!a)
		return NAN;
	tau = kendall_tau_in(y, n, min_n, 0, a);
	free(a);
	return tau;
}

double pl__kendall_tau_rounded(const double *y, size_t n, size_t min_n)
{
	double small[2 * TAU_STACK_N];

	return n <= TAU_STACK_N ? kendall_tau_in(y, n, min_n, 1, small) : NAN;
}

/* ---------------------------------------------------------------- analysis + surrogates */

typedef struct work {
	double *trend, *resid;
	double *ind[PL_EWS_NINDICATORS];
	double *tau_scratch; /* 2n, for kendall_tau_in */
} work;

/* Detrend, roll and take the taus: the same pipeline for the data and for every surrogate. */
static pl_status pipeline(const double *x, size_t n, const pl_ews_request *req, work *w,
			  double tau[PL_EWS_NINDICATORS], pl_error *err)
{
	pl_status st = pl_ews_detrend_series(x, n, &req->detrend, w->trend, w->resid, err);
	size_t tmin = req->tau_min_n ? req->tau_min_n : 3;

	if (st != PL_OK)
		return st;
	st = pl_ews_rolling(w->resid, x, n, &req->rolling, w->ind, err);
	if (st != PL_OK)
		return st;
	for (int k = 0; k < PL_EWS_NINDICATORS; k++)
		tau[k] = w->ind[k] ? kendall_tau_in(w->ind[k], n, tmin, 0, w->tau_scratch) : NAN;
	return PL_OK;
}

static void work_free(work *w)
{
	free(w->trend);
	free(w->resid);
	free(w->tau_scratch);
	for (int k = 0; k < PL_EWS_NINDICATORS; k++)
		free(w->ind[k]);
	memset(w, 0, sizeof(*w));
}

static pl_status work_alloc(work *w, size_t n, unsigned mask, pl_error *err)
{
	size_t sz = (n ? n : 1) * sizeof(double);

	memset(w, 0, sizeof(*w));
	w->trend = malloc(sz);
	w->resid = malloc(sz);
	w->tau_scratch = malloc(2 * sz);
	if (!w->trend || !w->resid || !w->tau_scratch)
		goto nomem;
	for (int k = 0; k < PL_EWS_NINDICATORS; k++)
		if (mask & (1u << k)) {
			w->ind[k] = malloc(sz);
			if (!w->ind[k])
				goto nomem;
		}
	return PL_OK;
nomem:
	work_free(w);
	return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
}

/* AR(1) model of the residuals for the surrogates: least-squares phi on the demeaned residuals
 * (the same estimator as the ar1 indicator, over the whole series), the stationary variance
 * var = sum y^2 / (m - 1), innovations sd sqrt(var (1 - phi^2)). phi is clipped to +-0.99. */
static int fit_ar1(const double *r, size_t n, double *mean, double *phi, double *sigma, double *var)
{
	double sum = 0, num = 0, den = 0, ss = 0;
	size_t m = 0, pairs = 0;

	for (size_t t = 0; t < n; t++)
		if (!isnan(r[t])) {
			sum += r[t];
			m++;
		}
	if (m < 3)
		return -1;
	*mean = sum / (double)m;
	for (size_t t = 0; t < n; t++) {
		if (isnan(r[t]))
			continue;
		ss += (r[t] - *mean) * (r[t] - *mean);
		if (t > 0 && !isnan(r[t - 1])) {
			num += (r[t] - *mean) * (r[t - 1] - *mean);
			den += (r[t - 1] - *mean) * (r[t - 1] - *mean);
			pairs++;
		}
	}
	if (pairs < 2 || den <= 0 || ss <= 0)
		return -1;
	*phi = num / den;
	if (*phi > 0.99)
		*phi = 0.99;
	if (*phi < -0.99)
		*phi = -0.99;
	*var = ss / (double)(m - 1);
	*sigma = sqrt(*var * (1 - *phi * *phi));
	return 0;
}

/* A surrogate generator over one series' trend and residuals (shared by pl_ews_analyze and
 * pl_ews_surrogates): the AR(1) model or the residuals' Fourier transform, and the RNG. */
typedef struct surrogate_gen {
	pl_ews_surrogate_method method;
	size_t n;
	const double *x, *trend;
	double mean, phi, sigma, var;
	double *spec, *buf;
	gsl_rng *rng;
	pl_fft *fft;
} surrogate_gen;

static void gen_free(surrogate_gen *g)
{
	free(g->spec);
	free(g->buf);
	pl_rng_free(g->rng);
	pl_fft_free(g->fft);
	memset(g, 0, sizeof(*g));
}

static pl_status gen_init(surrogate_gen *g, pl_ews_surrogate_method method, const double *x,
			  const double *trend, const double *resid, size_t n, unsigned long seed,
			  pl_error *err)
{
	memset(g, 0, sizeof(*g));
	g->method = method;
	g->n = n;
	g->x = x;
	g->trend = trend;
	g->rng = pl_rng_new(seed, PL_RNG_EWS_SURROGATES);
	if (!g->rng)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if (method == PL_SURROGATE_AR1) {
		if (fit_ar1(resid, n, &g->mean, &g->phi, &g->sigma, &g->var) != 0) {
			gen_free(g);
			return pl_error_set(err, PL_ERR_INVALID, "/surrogates",
					    "too few observed values (or no variation) to fit the AR(1) surrogate model");
		}
		return PL_OK;
	}
	if (method == PL_SURROGATE_PHASE) {
		/* Phase randomization (Theiler et al. 1992): keep |FFT| of the demeaned residuals, draw
		 * every phase uniformly. Missing days are filled with the mean (0 after demeaning). */
		double sum = 0;
		size_t m = 0;
		for (size_t t = 0; t < n; t++)
			if (!isnan(resid[t])) {
				sum += resid[t];
				m++;
			}
		if (m < 3 || n < 4) {
			gen_free(g);
			return pl_error_set(err, PL_ERR_INVALID, "/surrogates",
					    "too few observed values for phase-randomized surrogates");
		}
		g->mean = sum / (double)m;
		g->spec = malloc(n * sizeof(double));
		g->buf = malloc(n * sizeof(double));
		g->fft = pl_fft_new(n);
		if (!g->spec || !g->buf || !g->fft) {
			gen_free(g);
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		}
		for (size_t t = 0; t < n; t++)
			g->spec[t] = isnan(resid[t]) ? 0.0 : resid[t] - g->mean;
		pl_fft_forward(g->fft, g->spec);
		return PL_OK;
	}
	gen_free(g);
	return pl_error_set(err, PL_ERR_INVALID, "/surrogates", "unknown surrogate method");
}

/* Write the next surrogate into s[0..n): trend + mean + noise, NaN where x is missing. */
static pl_status gen_next(surrogate_gen *g, double *s, pl_error *err)
{
	size_t n = g->n;

	(void)err; /* cannot fail now (the transform is planned in gen_init) */

	if (g->method == PL_SURROGATE_AR1) {
		double y = gsl_ran_gaussian(g->rng, sqrt(g->var)); /* stationary start */
		for (size_t t = 0; t < n; t++) {
			if (t > 0)
				y = g->phi * y + gsl_ran_gaussian(g->rng, g->sigma);
			s[t] = g->trend[t] + g->mean + y;
		}
	} else {
		/* Halfcomplex layout (core/fft.h): [0] the mean term, then (re, im) for frequencies
		 * 1..(n-1)/2, then the real Nyquist term when n is even; those two keep their values. */
		double *b = g->buf;
		memcpy(b, g->spec, n * sizeof(double));
		for (size_t f = 1; 2 * f < n; f++) {
			double amp = hypot(b[2 * f - 1], b[2 * f]);
			double th = 2 * M_PI * gsl_rng_uniform(g->rng);
			b[2 * f - 1] = amp * cos(th);
			b[2 * f] = amp * sin(th);
		}
		pl_fft_inverse(g->fft, b);
		for (size_t t = 0; t < n; t++)
			s[t] = g->trend[t] + g->mean + b[t];
	}
	for (size_t t = 0; t < n; t++)
		if (isnan(g->x[t]))
			s[t] = NAN;
	return PL_OK;
}

static pl_status surrogate_pvalues(const double *x, size_t n, const pl_ews_request *req,
				   pl_ews_result *res, pl_error *err)
{
	double tau[PL_EWS_NINDICATORS], *s = NULL;
	size_t count[PL_EWS_NINDICATORS] = { 0 }, used[PL_EWS_NINDICATORS] = { 0 };
	surrogate_gen g;
	work w;
	pl_status st;

	st = gen_init(&g, req->surrogates, x, res->trend, res->resid, n, req->seed, err);
	if (st != PL_OK)
		return st;
	if (req->surrogates == PL_SURROGATE_AR1) {
		res->ar1_phi = g.phi;
		res->ar1_sigma = g.sigma;
	}
	st = work_alloc(&w, n, req->indicators, err);
	if (st != PL_OK) {
		gen_free(&g);
		return st;
	}
	s = malloc((n ? n : 1) * sizeof(double));
	if (!s) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto cleanup;
	}
	for (size_t k = 0; k < req->surrogate_count; k++) {
		if ((st = gen_next(&g, s, err)) != PL_OK || (st = pipeline(s, n, req, &w, tau, err)) != PL_OK)
			goto cleanup;
		for (int j = 0; j < PL_EWS_NINDICATORS; j++) {
			double obs = res->tau[j];
			if (isnan(tau[j]) || isnan(obs))
				continue;
			used[j]++;
			if (req->alternative == PL_ALT_TWO_SIDED ? fabs(tau[j]) >= fabs(obs) - 1e-12
								 : tau[j] >= obs - 1e-12)
				count[j]++;
		}
	}
	for (int j = 0; j < PL_EWS_NINDICATORS; j++) {
		res->surrogates_used[j] = used[j];
		if (!isnan(res->tau[j]))
			res->p_value[j] = (1.0 + (double)count[j]) / (1.0 + (double)used[j]);
	}
cleanup:
	work_free(&w);
	gen_free(&g);
	free(s);
	return st;
}

pl_status pl_ews_surrogates(const double *x, size_t n, const pl_ews_detrend *d,
			    pl_ews_surrogate_method method, size_t count, unsigned long seed,
			    double *out, pl_error *err)
{
	double *trend = malloc((n ? n : 1) * sizeof(double)), *resid = malloc((n ? n : 1) * sizeof(double));
	surrogate_gen g;
	pl_status st;

	if (!trend || !resid) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	st = pl_ews_detrend_series(x, n, d, trend, resid, err);
	if (st == PL_OK)
		st = gen_init(&g, method, x, trend, resid, n, seed, err);
	if (st != PL_OK)
		goto out;
	for (size_t k = 0; k < count && st == PL_OK; k++)
		st = gen_next(&g, out + k * n, err);
	gen_free(&g);
out:
	free(trend);
	free(resid);
	return st;
}

pl_status pl_ews_analyze(const double *x, size_t n, const pl_ews_request *req, pl_ews_result *res,
			 pl_error *err)
{
	work w;
	pl_status st;

	memset(res, 0, sizeof(*res));
	res->n = n;
	res->ar1_phi = res->ar1_sigma = NAN;
	for (int k = 0; k < PL_EWS_NINDICATORS; k++)
		res->tau[k] = res->p_value[k] = NAN;
	if (req->rolling.window < 2 || req->rolling.window > n)
		return pl_error_set(err, PL_ERR_INVALID, "/window",
				    "the window must hold between 2 points and the series length");
	if ((req->indicators & PL_EWS_ALL_INDICATORS) == 0)
		return pl_error_set(err, PL_ERR_INVALID, "/indicators", "no indicator was asked for");
	if (req->surrogates != PL_SURROGATE_NONE &&
	    req->surrogate_count > PL_EWS_MAX_SURROGATE_POINTS / (n ? n : 1))
		return pl_error_set(err, PL_ERR_INVALID, "/surrogates/count",
				    "surrogates times series length must be at most %u",
				    PL_EWS_MAX_SURROGATE_POINTS);
	st = work_alloc(&w, n, req->indicators & PL_EWS_ALL_INDICATORS, err);
	if (st != PL_OK)
		return st;
	res->trend = w.trend;
	res->resid = w.resid;
	for (int k = 0; k < PL_EWS_NINDICATORS; k++)
		res->indicator[k] = w.ind[k];
	st = pipeline(x, n, req, &w, res->tau, err);
	free(w.tau_scratch); /* the result owns the other arrays; the scratch is ours */
	w.tau_scratch = NULL;
	if (st == PL_OK && req->surrogates != PL_SURROGATE_NONE && req->surrogate_count > 0)
		st = surrogate_pvalues(x, n, req, res, err);
	if (st != PL_OK)
		pl_ews_result_release(res);
	return st;
}

void pl_ews_result_release(pl_ews_result *res)
{
	if (!res)
		return;
	free(res->trend);
	free(res->resid);
	for (int k = 0; k < PL_EWS_NINDICATORS; k++)
		free(res->indicator[k]);
	memset(res, 0, sizeof(*res));
}
