/*
 * bocpd.c: Bayesian online change point detection (Adams & MacKay 2007, "Bayesian Online
 * Changepoint Detection", arXiv:0710.3742, Algorithm 1) with a conjugate Normal-Gamma model per
 * segment and a constant hazard H.
 *
 * Run length r_t counts days since the current segment began; r_t = 0 means x_t opens a new
 * segment, so it is scored under the prior predictive (this puts the evidence for a change on the
 * day it happens; in the paper's indexing the new run's first point is scored under the old
 * run's predictive, and P(r_t = 0 | x) would always equal H). With w_t(r) = P(r_t = r | x_0..t):
 *   w_t(0)   ∝ H       * sum_r w_{t-1}(r) * p(x_t | prior)
 *   w_t(r+1) ∝ (1 - H) * w_{t-1}(r)      * p(x_t | stats of run r)
 * p(x | mu, kappa, alpha, beta) = Student-t with 2 alpha degrees of freedom, location mu and
 * scale^2 = beta (kappa + 1) / (alpha kappa) (Murphy 2007, "Conjugate Bayesian analysis of the
 * Gaussian distribution", eq. 100-110); after x: mu' = (kappa mu + x)/(kappa + 1),
 * kappa' = kappa + 1, alpha' = alpha + 1/2, beta' = beta + kappa (x - mu)^2 / (2 (kappa + 1)).
 * A missing day multiplies every run length by 1: only the hazard moves mass, stats stay.
 */
#include <peerlink/bocpd.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_gamma.h>

void pl_bocpd_result_release(pl_bocpd_result *res)
{
	if (!res)
		return;
	free(res->cp);
	free(res->recent);
	free(res->lagged);
	free(res->map_run);
	free(res->mean_run);
	memset(res, 0, sizeof(*res));
}

/* Normal-Gamma posterior of one run, with the Student-t predictive's constant terms cached:
 * log p(x) = c0 - (alpha + 1/2) log1p((x - mu)^2 iv), where with s2 = beta (kappa + 1)/(alpha kappa)
 * c0 = lgamma(alpha + 1/2) - lgamma(alpha) - log(2 alpha pi s2) / 2 and iv = 1 / (2 alpha s2).
 * g = lgamma(alpha + 1/2) - lgamma(alpha) is carried by the identity
 * g(alpha + 1/2) = log(alpha) - g(alpha) (from lgamma(a + 1) = log a + lgamma(a)), so an update
 * costs two logs instead of two lgamma calls. */
typedef struct run_stats {
	double mu, kappa, alpha, beta, g, c0, iv;
} run_stats;

static void run_cache(run_stats *s)
{
	double s2 = s->beta * (s->kappa + 1) / (s->alpha * s->kappa);
	s->c0 = s->g - 0.5 * log(2 * s->alpha * M_PI * s2);
	s->iv = 1 / (2 * s->alpha * s2);
}

/* The prior's run: no observation yet. */
static void run_prior(run_stats *s, const pl_bocpd_params *p)
{
	s->mu = p->mu0;
	s->kappa = p->kappa0;
	s->alpha = p->alpha0;
	s->beta = p->beta0;
	s->g = gsl_sf_lngamma(p->alpha0 + 0.5) - gsl_sf_lngamma(p->alpha0);
	run_cache(s);
}

static double run_logpred(const run_stats *s, double x)
{
	double d = x - s->mu;
	return s->c0 - (s->alpha + 0.5) * log1p(d * d * s->iv);
}

static void run_update(run_stats *s, double x)
{
	double d = x - s->mu;
	s->beta += s->kappa * d * d / (2 * (s->kappa + 1));
	s->mu = (s->kappa * s->mu + x) / (s->kappa + 1);
	s->kappa += 1;
	s->g = log(s->alpha) - s->g;
	s->alpha += 0.5;
	run_cache(s);
}

static pl_status check_params(const pl_bocpd_params *p, pl_error *err)
{
	if (!(p->hazard > 0 && p->hazard < 1))
		return pl_error_set(err, PL_ERR_INVALID, "/hazard", "the hazard must be in (0, 1)");
	if (!isfinite(p->mu0))
		return pl_error_set(err, PL_ERR_INVALID, "/mu0", "mu0 must be a finite number");
	if (!(p->kappa0 > 0) || !isfinite(p->kappa0))
		return pl_error_set(err, PL_ERR_INVALID, "/kappa0", "kappa0 must be positive");
	if (!(p->alpha0 > 0) || !isfinite(p->alpha0))
		return pl_error_set(err, PL_ERR_INVALID, "/alpha0", "alpha0 must be positive");
	if (!(p->beta0 > 0) || !isfinite(p->beta0))
		return pl_error_set(err, PL_ERR_INVALID, "/beta0", "beta0 must be positive");
	if (p->window < 1)
		return pl_error_set(err, PL_ERR_INVALID, "/window", "the window must be at least 1 day");
	return PL_OK;
}

pl_status pl_bocpd_run(const double *x, size_t n, const pl_bocpd_params *p, pl_bocpd_result *res,
		       pl_error *err)
{
	/* Runs are indexed by their first day s (run length t - s on day t), so nothing moves when
	 * a day passes: day t adds run s = t. lw[s] = log P(run s is current | x_0..t). */
	double *lw = NULL, *pr = NULL;
	run_stats *rs = NULL, prior;
	double logH = log(p->hazard), log1mH = log1p(-p->hazard);
	size_t sz = (n + 1) * sizeof(double);
	pl_status st;

	memset(res, 0, sizeof(*res));
	st = check_params(p, err);
	if (st != PL_OK)
		return st;
	res->n = n;
	res->cp = malloc(sz);
	res->recent = malloc(sz);
	res->lagged = malloc(sz);
	res->map_run = malloc((n + 1) * sizeof(long));
	res->mean_run = malloc(sz);
	lw = malloc(sz);
	pr = malloc(sz);
	rs = malloc((n + 1) * sizeof(run_stats));
	if (!res->cp || !res->recent || !res->lagged || !res->map_run || !res->mean_run || !lw ||
	    !pr || !rs) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto cleanup;
	}
	run_prior(&prior, p);
	for (size_t t = 0; t < n; t++)
		res->lagged[t] = NAN;

	for (size_t t = 0; t < n; t++) {
		double mx = -INFINITY, total = 0, lse, mean_r = 0, recent = 0, best = -1;
		long best_r = 0;
		int obs = !isnan(x[t]);

		/* growth: every run s < t continues with probability 1 - H; day t opens run t with H
		 * (the previous weights sum to 1) */
		for (size_t s = 0; s < t; s++)
			lw[s] += log1mH + (obs ? run_logpred(&rs[s], x[t]) : 0);
		lw[t] = (t == 0 ? 0 : logH) + (obs ? run_logpred(&prior, x[t]) : 0);
		for (size_t s = 0; s <= t; s++)
			if (lw[s] > mx)
				mx = lw[s];
		for (size_t s = 0; s <= t; s++)
			total += (pr[s] = exp(lw[s] - mx));
		lse = mx + log(total);
		res->log_evidence += lse;
		for (size_t s = t + 1; s-- > 0;) { /* r = t - s increasing: ties keep the smallest r */
			size_t r = t - s;
			lw[s] -= lse;
			pr[s] /= total;
			mean_r += (double)r * pr[s];
			if (r < p->window)
				recent += pr[s];
			if (pr[s] > best) {
				best = pr[s];
				best_r = (long)r;
			}
		}
		res->cp[t] = pr[t];
		res->recent[t] = recent;
		res->map_run[t] = best_r;
		res->mean_run[t] = mean_r;
		if (t >= p->lag)
			res->lagged[t - p->lag] = pr[t - p->lag];
		/* learn x_t: every run, including the new one */
		rs[t] = prior;
		if (obs)
			for (size_t s = 0; s <= t; s++)
				run_update(&rs[s], x[t]);
	}
	st = PL_OK;
cleanup:
	free(lw);
	free(pr);
	free(rs);
	if (st != PL_OK)
		pl_bocpd_result_release(res);
	return st;
}

/* Predictive densities of run s (the run that began on day s, its statistics having learnt the
 * observed values of x_s..x_{s+k-1}) for day s + k, k = 1 .. W-1: dens[s * W + k]; dens[s * W]
 * is the prior predictive of day s. A missing day has density 1 (it carries no evidence). */
static void run_densities(const double *x, size_t n, size_t W, const run_stats *prior,
			  double *dens)
{
	for (size_t s = 0; s < n; s++) {
		run_stats rs = *prior;
		double *d = dens + s * W;
		d[0] = isnan(x[s]) ? 1.0 : exp(run_logpred(prior, x[s]));
		if (!isnan(x[s]))
			run_update(&rs, x[s]);
		for (size_t k = 1; k < W; k++) {
			double v = s + k < n ? x[s + k] : NAN;
			d[k] = 1.0;
			if (isnan(v))
				continue;
			d[k] = exp(run_logpred(&rs, v));
			run_update(&rs, v);
		}
	}
}

/* The recursion of pl_bocpd_run on the window lo .. lo+W-1 in the linear domain with the weights
 * renormalized every day (the scaling of the forward algorithm, Rabiner 1989, section V.A): day
 * j multiplies run s by (1 - H) dens(s, j) and opens run j with H dens_prior(j). pr: W numbers. */
static void window_read(const double *dens, size_t lo, size_t W, double H, size_t recent_w,
			double *pr, double *recent, long *map_run)
{
	double best = -1, rec = 0;
	long best_r = 0;

	pr[0] = 1.0;
	for (size_t j = 1; j < W; j++) {
		double tot;
		size_t u = lo + j;
		for (size_t i = 0; i < j; i++) /* run lo + i predicts day u */
			pr[i] *= (1 - H) * dens[(lo + i) * W + (u - lo - i)];
		pr[j] = H * dens[u * W];
		tot = 0;
		for (size_t i = 0; i <= j; i++)
			tot += pr[i];
		for (size_t i = 0; i <= j; i++)
			pr[i] /= tot;
	}
	for (size_t i = W; i-- > 0;) { /* run length r = W - 1 - i increasing: ties keep the smallest */
		size_t r = W - 1 - i;
		if (r < recent_w)
			rec += pr[i];
		if (pr[i] > best) {
			best = pr[i];
			best_r = (long)r;
		}
	}
	*recent = rec;
	*map_run = best_r;
}

pl_status pl_bocpd_windows(const double *x, size_t n, size_t W, const pl_bocpd_params *p,
			   double *recent, long *map_run, pl_error *err)
{
	run_stats prior;
	double *dens, *pr;
	pl_status st = check_params(p, err);

	if (st != PL_OK)
		return st;
	if (W < 1)
		return pl_error_set(err, PL_ERR_INVALID, "", "a BOCPD window needs at least one day");
	for (size_t t = 0; t < n; t++) {
		recent[t] = NAN;
		map_run[t] = -1;
	}
	if (n < W)
		return PL_OK;
	dens = malloc(n * W * sizeof(double));
	pr = malloc(W * sizeof(double));
	if (!dens || !pr) {
		free(dens);
		free(pr);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	run_prior(&prior, p);
	run_densities(x, n, W, &prior, dens);
	for (size_t t = W - 1; t < n; t++)
		window_read(dens, t - (W - 1), W, p->hazard, p->window, pr, &recent[t], &map_run[t]);
	free(dens);
	free(pr);
	return PL_OK;
}
