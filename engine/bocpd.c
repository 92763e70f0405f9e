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

static double log_student(double x, double mu, double kappa, double alpha, double beta)
{
	double nu = 2 * alpha, s2 = beta * (kappa + 1) / (alpha * kappa), d = x - mu;
	return gsl_sf_lngamma((nu + 1) / 2) - gsl_sf_lngamma(nu / 2) - 0.5 * log(nu * M_PI * s2) -
	       (nu + 1) / 2 * log1p(d * d / (nu * s2));
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
	/* w[r] for r = 0..t, and the Normal-Gamma stats of each run; nw/n* are the next step's. */
	double *w = NULL, *nw = NULL, *mu = NULL, *ka = NULL, *al = NULL, *be = NULL;
	double *nmu = NULL, *nka = NULL, *nal = NULL, *nbe = NULL, *tmp;
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
	w = malloc(sz), nw = malloc(sz), mu = malloc(sz), ka = malloc(sz), al = malloc(sz);
	be = malloc(sz), nmu = malloc(sz), nka = malloc(sz), nal = malloc(sz), nbe = malloc(sz);
	if (!res->cp || !res->recent || !res->lagged || !res->map_run || !res->mean_run || !w ||
	    !nw || !mu || !ka || !al || !be || !nmu || !nka || !nal || !nbe) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto cleanup;
	}
	for (size_t t = 0; t < n; t++)
		res->lagged[t] = NAN;

	/* Before day 0 there is one "run" carrying the prior; day 0 always opens a segment. */
	for (size_t t = 0; t < n; t++) {
		size_t nr = t; /* run lengths alive before day t: 0..t-1 (none at t = 0) */
		double lp0 = 0, total, maxlog = -INFINITY, mean_r = 0, recent = 0, best = -1;
		long best_r = 0;
		int obs = !isnan(x[t]);

		if (obs)
			lp0 = log_student(x[t], p->mu0, p->kappa0, p->alpha0, p->beta0);
		if (t == 0) {
			nw[0] = 0; /* log weight */
		} else {
			/* log-weights, shifted later; w holds probabilities of the previous step */
			double logsum = 0; /* log sum_r w_{t-1}(r) = 0: w is normalized */
			nw[0] = logH + logsum + lp0;
			for (size_t r = 0; r < nr; r++) {
				double lp = obs ? log_student(x[t], mu[r], ka[r], al[r], be[r]) : 0;
				nw[r + 1] = w[r] > 0 ? log1mH + log(w[r]) + lp : -INFINITY;
			}
		}
		for (size_t r = 0; r <= nr; r++)
			if (nw[r] > maxlog)
				maxlog = nw[r];
		total = 0;
		for (size_t r = 0; r <= nr; r++) {
			nw[r] = exp(nw[r] - maxlog);
			total += nw[r];
		}
		res->log_evidence += (t == 0 ? (obs ? lp0 : 0) : maxlog + log(total));
		for (size_t r = 0; r <= nr; r++) {
			nw[r] /= total;
			mean_r += (double)r * nw[r];
			if (r < p->window)
				recent += nw[r];
			if (nw[r] > best) {
				best = nw[r];
				best_r = (long)r;
			}
		}
		/* Stats after day t: run 0 starts from the prior, run r+1 extends run r. */
		nmu[0] = p->mu0, nka[0] = p->kappa0, nal[0] = p->alpha0, nbe[0] = p->beta0;
		for (size_t r = 0; r < nr; r++)
			nmu[r + 1] = mu[r], nka[r + 1] = ka[r], nal[r + 1] = al[r], nbe[r + 1] = be[r];
		if (obs)
			for (size_t r = 0; r <= nr; r++) {
				double d = x[t] - nmu[r];
				nbe[r] += nka[r] * d * d / (2 * (nka[r] + 1));
				nmu[r] = (nka[r] * nmu[r] + x[t]) / (nka[r] + 1);
				nka[r] += 1;
				nal[r] += 0.5;
			}
		res->cp[t] = nw[0];
		res->recent[t] = recent;
		res->map_run[t] = best_r;
		res->mean_run[t] = mean_r;
		if (t >= p->lag)
			res->lagged[t - p->lag] = p->lag <= nr ? nw[p->lag] : 0;
		tmp = w, w = nw, nw = tmp;
		tmp = mu, mu = nmu, nmu = tmp;
		tmp = ka, ka = nka, nka = tmp;
		tmp = al, al = nal, nal = tmp;
		tmp = be, be = nbe, nbe = tmp;
	}
	st = PL_OK;
cleanup:
	free(w), free(nw), free(mu), free(ka), free(al), free(be);
	free(nmu), free(nka), free(nal), free(nbe);
	if (st != PL_OK)
		pl_bocpd_result_release(res);
	return st;
}
