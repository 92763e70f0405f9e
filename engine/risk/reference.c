/*
 * reference.c: what a risk model on generated data should be compared with (issue 12): the
 * best that observable data allow, and the best that anything can do.
 *
 * The observable reference is a Kalman filter (Durbin & Koopman, Time Series Analysis by State
 * Space Methods, 2012, ch. 4; Harvey 1989, ch. 3) of the generator's latent state written with
 * the generator's own structural parameters (docs/datasets.md, eq. (1)-(11)) and population
 * priors, never a client's own draws:
 *   state (8): d_t = x_t - mu_i (AR(1) with the population's phi_mean and mean innovation
 *              variance), the baseline mu_i ~ N(0, baseline_sd^2), and the six per-measure
 *              response offsets ~ N(0, (offset_sd * response_sd)^2);
 *   readings:  y_m = a_m + loading_m (mu_i + d_t) + offset_m + e, var(e) = the reading noise
 *              (with the client's age band, an observable attribute) plus step^2 / 12 for the
 *              rounding (Sheppard's correction); clamping and missing check-ins are ignored;
 *   lapses:    a recorded lapse pulls d back by reset_fraction, as eq. (4) does.
 * The window risk of day t is 1 - prod_s (1 - E[h_{t+s}]) over the horizon, E[h] of the
 * logistic hazard under the filter's predictive normal by the probit approximation
 * E[logistic(Z)] ~ logistic(m / sqrt(1 + pi v / 8)) (MacKay, Neural Computation 1992), mixed
 * over what the check-ins show of use priming (a lapse or reported use in the last 7 days; an
 * older one runs on with use_persist per day) and medication (on it once a dose is reported; a
 * dose missed at the client's recent rate; stopped after three reported misses in a row), and
 * times the posterior chance of not being immune given no lapse so far. Erosion episodes are
 * not modelled: the filter follows them through the readings.
 *
 * The full-information oracle draws the cohort again from its seed with the generator's own
 * code (pl_gen_checkins_client_latent), checks every client against its truth.hazard, and
 * estimates P(lapse within the window) at each row by simulating futures from the client's
 * whole state at the end of the day (pl_gen_checkins_window_risk). Each client's futures come
 * from its own generator (stream PL_RNG_ORACLE, substream = client index), so the answer does
 * not depend on the number of threads.
 */
#include "reference_int.h"
#include "workers_int.h"

#include <peerlink/kalman.h>
#include <peerlink/rng.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NREAD 6             /* the generator's self-reports: craving .. sleep_quality */
#define NSTATE (2 + NREAD)  /* d, mu, six offsets */
#define MAX_HORIZON 366

static double logistic(double z)
{
	return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

/* E[logistic(Z)], Z ~ N(m, v): the probit approximation (MacKay 1992). */
static double logistic_normal(double m, double v)
{
	return logistic(m / sqrt(1.0 + 3.14159265358979323846 * v / 8.0));
}

/* What the check-ins and events show up to a day, besides the readings. */
typedef struct seen {
	long last_use;      /* last day with a lapse or reported use, -1 none */
	int any_lapse;
	int on_medication;  /* a dose has been reported (taken or not) */
	int misses_in_row;  /* reported misses since the last reported dose taken */
	double dose_reports[14], dose_missed[14]; /* ring of the last 14 days */
} seen;

static void seen_day(seen *w, const pl_client *c, long t, int lapse)
{
	double used = c->values[(size_t)PL_M_USED * c->ndays + (size_t)t];
	double med = c->values[(size_t)PL_M_MEDICATION_TAKEN * c->ndays + (size_t)t];
	int slot = (int)(t % 14);

	if (lapse || used == 1.0)
		w->last_use = t;
	w->any_lapse |= lapse;
	w->dose_reports[slot] = !isnan(med);
	w->dose_missed[slot] = !isnan(med) && med == 0.0;
	if (!isnan(med)) {
		w->on_medication = 1;
		w->misses_in_row = med == 0.0 ? w->misses_in_row + 1 : 0;
	}
}

/* The hazard's logit terms that check-ins show, for day t + s: the chance that use primes it,
 * and the medication's expected shift (a two-point mixture: missed or taken). */
static void day_terms(const pl_gen_checkins_params *p, const seen *w, long t, int s,
		      double *p_prime, double *p_miss, double *med_shift)
{
	long gap = w->last_use < 0 ? -1 : t + s - w->last_use;

	*p_prime = gap < 0 ? 0.0 : gap <= 7 ? 1.0 : pow(p->use_persist, (double)(gap - 7));
	*p_miss = 0.0;
	*med_shift = 0.0;
	if (!w->on_medication)
		return;
	if (w->misses_in_row >= 3) {
		*med_shift = p->stop_hazard; /* stopped: every later dose is missed (eq. (10)) */
		return;
	}
	{
		double k = 0, z = 0, m0 = 1.0 - logistic(p->adherence_mean);
		for (int j = 0; j < 14; j++) {
			k += w->dose_reports[j];
			z += w->dose_missed[j];
		}
		*p_miss = (z + 2.0 * m0) / (k + 2.0); /* two pseudo-reports at the population rate */
		*med_shift = p->missed_dose_hazard;
	}
}

/* E[h] of day t + s under the filter's predictive N(mean_x, var_x), mixed over priming and a
 * missed dose. */
static double expected_hazard(const pl_gen_checkins_params *p, const seen *w, long t, int s,
			      double mean_x, double var_x)
{
	double pp, pm, shift, eta = p->hazard_intercept + p->hazard_slope * mean_x;
	double v = p->hazard_slope * p->hazard_slope * var_x + p->hazard_spread * p->hazard_spread;
	double e = 0;

	day_terms(p, w, t, s, &pp, &pm, &shift);
	for (int a = 0; a < 2; a++)
		for (int b = 0; b < 2; b++) {
			double wgt = (a ? pp : 1 - pp) * (pm > 0 ? (b ? pm : 1 - pm) : (b ? 0 : 1));
			double z = eta + (a ? p->use_priming : 0.0) + (pm > 0 ? (b ? shift : 0.0) : shift);
			if (wgt > 0)
				e += wgt * logistic_normal(z, v);
		}
	return e;
}

/* The lapse days of c on its grid (1 = a lapse or relapse event that day). */
static uint8_t *lapse_flags(const pl_client *c)
{
	uint8_t *f = calloc(c->ndays ? c->ndays : 1, 1);
	for (size_t e = 0; f && e < c->nevents; e++) {
		long t = (long)c->events[e].day - c->start;
		if (pl_event_is_lapse(c->events[e].type) && t >= 0 && t < (long)c->ndays)
			f[t] = 1;
	}
	return f;
}

pl_status pl__reference_observable(const pl_gen_checkins_params *p, const pl_client *c,
				   int age_band, int horizon, double *risk, pl_error *err)
{
	pl_kalman k;
	seen w;
	uint8_t *lapse;
	double phi = p->phi_mean, q, gain, log_surv = 0.0;
	double band = 0.25 * (p->age_band_noise[0] + p->age_band_noise[1] + p->age_band_noise[2] +
			      p->age_band_noise[3]);
	pl_status st;

	if (c->ndays == 0)
		return PL_OK;
	if (horizon < 1 || horizon > MAX_HORIZON)
		return pl_error_set(err, PL_ERR_INVALID, "", "horizon out of range");
	if (c->nmeasures < PL_M_NSTANDARD)
		return pl_error_set(err, PL_ERR_INTERNAL, "", "a client without the standard measures");
	/* the mean innovation variance over clients: sigma_i^2 = noise_sd^2 exp(2 N(0, s^2)) */
	q = p->noise_sd * p->noise_sd * exp(2.0 * p->noise_spread * p->noise_spread);
	if (age_band >= 0 && age_band < 4)
		band = p->age_band_noise[age_band];
	gain = p->measure_noise * band;
	lapse = lapse_flags(c);
	if (!lapse)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if ((st = pl_kalman_init(&k, NSTATE, err)) != PL_OK) {
		free(lapse);
		return st;
	}
	memset(&w, 0, sizeof(w));
	w.last_use = -1;
	pl_kalman_set_prior(&k, 0, 0.0, q / (1.0 - phi * phi));
	pl_kalman_set_prior(&k, 1, 0.0, p->baseline_sd * p->baseline_sd);
	for (int m = 0; m < NREAD; m++) {
		double sd = pl_gen_checkins_reading(m)->offset_sd * p->response_sd;
		pl_kalman_set_prior(&k, 2 + (size_t)m, 0.0, sd * sd);
	}
	for (long t = 0; t < (long)c->ndays; t++) {
		double dm, vd, cov, vmu, surv = 1.0, pimm, coef[NSTATE] = { 0 };

		if (t > 0) /* eq. (4) after a recorded lapse, eq. (1) otherwise */
			pl_kalman_predict(&k, 0, lapse[t - 1] ? p->reset_fraction : phi, q);
		for (int m = 0; m < NREAD; m++) {
			const pl_gen_reading *rd = pl_gen_checkins_reading(m);
			double y = c->values[(size_t)m * c->ndays + (size_t)t];
			double sd = rd->noise * gain;
			if (isnan(y))
				continue;
			gsl_vector_set_zero(k.h);
			gsl_vector_set(k.h, 0, rd->loading);
			gsl_vector_set(k.h, 1, rd->loading);
			gsl_vector_set(k.h, 2 + (size_t)m, 1.0);
			pl_kalman_update(&k, y - rd->a, sd * sd + rd->step * rd->step / 12.0, NULL);
		}
		seen_day(&w, c, t, lapse[t]);
		/* the predictive distribution of x_{t+s} = mu + d_{t+s}, no lapse before t + s */
		dm = gsl_vector_get(k.a, 0);
		vd = gsl_matrix_get(k.P, 0, 0);
		cov = gsl_matrix_get(k.P, 1, 0);
		vmu = gsl_matrix_get(k.P, 1, 1);
		for (int s = 1; s <= horizon; s++) {
			double f = s == 1 && lapse[t] ? p->reset_fraction : phi;
			dm *= f;
			vd = f * f * vd + q;
			cov *= f;
			surv *= 1.0 - expected_hazard(p, &w, t, s, gsl_vector_get(k.a, 1) + dm,
						      vmu + vd + 2.0 * cov);
		}
		/* immune clients (eq. (3)): posterior given no lapse so far, from the filter's hazards */
		coef[0] = coef[1] = 1.0;
		if (!w.any_lapse)
			log_surv += log1p(-expected_hazard(p, &w, t - 1, 1, pl_kalman_mean_of(&k, coef),
							   pl_kalman_var_of(&k, coef)));
		pimm = w.any_lapse || p->immune_fraction <= 0
			       ? 0.0
			       : p->immune_fraction /
					 (p->immune_fraction + (1 - p->immune_fraction) * exp(log_surv));
		risk[t] = (1.0 - pimm) * (1.0 - surv);
	}
	pl_kalman_release(&k);
	free(lapse);
	return PL_OK;
}

/* ---------------------------------------------------------------- on the evaluation's rows */

typedef struct ref_ctx {
	const pl_eval_set *s;
	const pl_eval_options *o;
	const size_t *row_first;
	const int32_t *day;
	int horizon;
	double *observable, *full;
	pl_gen_client *gen;   /* the cohort drawn again (full information) */
	pl_gen_latent *lat;
} ref_ctx;

static int age_band_of(const pl_eval_client *e)
{
	for (size_t k = 0; k < e->nattrs; k++)
		if (strcmp(e->attr_name[k], "age_band") == 0)
			for (int a = 0; a < 4; a++)
				if (strcmp(e->attr_value[k], pl_gen_age_band_name(a)) == 0)
					return a;
	return -1;
}

static pl_status reference_client(void *arg, size_t i, pl_error *err)
{
	ref_ctx *x = arg;
	const pl_eval_client *e = &x->s->cl[i];
	const pl_client *c = &e->client;
	size_t lo = x->row_first[i], hi = x->row_first[i + 1];
	pl_status st = PL_OK;

	if (lo == hi)
		return PL_OK;
	if (x->observable) {
		double *risk = malloc(c->ndays * sizeof(double));
		if (!risk)
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		st = pl__reference_observable(x->o->generator, c, age_band_of(e), x->horizon, risk, err);
		for (size_t r = lo; st == PL_OK && r < hi; r++)
			x->observable[r] = risk[x->day[r] - c->start];
		free(risk);
	}
	if (st == PL_OK && x->full) {
		gsl_rng *rng = pl_rng_new(pl_rng_substream_seed(x->o->generator_seed, i), PL_RNG_ORACLE);
		if (!rng)
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		for (size_t r = lo; r < hi; r++)
			x->full[r] = pl_gen_checkins_window_risk(x->o->generator, &x->gen[i], &x->lat[i],
								 (size_t)(x->day[r] - x->gen[i].start),
								 x->horizon, x->o->oracle_draws, rng);
		pl_rng_free(rng);
	}
	return st;
}

/* Draw the cohort again and check it against the data's truth: the same start and the same
 * hazard (written with 6 significant digits) on every day. */
static pl_status regenerate(const pl_eval_set *s, const pl_eval_options *o, ref_ctx *x,
			    pl_error *err)
{
	gsl_rng *rng = pl_rng_new(o->generator_seed, PL_RNG_GEN_CHECKINS);
	pl_status st = PL_OK;

	x->gen = calloc(s->n, sizeof(*x->gen));
	x->lat = calloc(s->n, sizeof(*x->lat));
	if (!rng || !x->gen || !x->lat) {
		pl_rng_free(rng);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	for (size_t i = 0; st == PL_OK && i < s->n; i++) {
		const pl_eval_client *e = &s->cl[i];
		int same;
		st = pl_gen_checkins_client_latent(o->generator, rng, e->nhazard, &x->gen[i], &x->lat[i],
						   err);
		if (st != PL_OK)
			break;
		same = x->gen[i].start == e->client.start;
		for (size_t t = 0; same && t < e->nhazard; t++) {
			double a = x->gen[i].hazard[t], b = e->hazard[t];
			same = fabs(a - b) <= 1e-5 * fabs(a) + 1e-300;
		}
		if (!same)
			st = pl_error_set(err, PL_ERR_INVALID, "",
					  "the generator's seed and parameters do not reproduce the truth "
					  "of client '%s' (the clients must be the generated cohort, "
					  "in order)",
					  e->client.id ? e->client.id : "");
	}
	pl_rng_free(rng);
	return st;
}

pl_status pl__eval_references(const pl_eval_set *s, const pl_eval_options *o,
			      const size_t *row_first, const int32_t *day, int horizon,
			      int threads, double *observable, double *full, pl_error *err)
{
	ref_ctx x = { s, o, row_first, day, horizon, observable, full, NULL, NULL };
	pl_status st = PL_OK;

	if (!o->generator || (!observable && !full))
		return PL_OK;
	if (full)
		st = regenerate(s, o, &x, err);
	if (st == PL_OK)
		st = pl__run_items(s->n, threads, reference_client, &x, err);
	for (size_t i = 0; x.gen && i < s->n; i++) {
		pl_gen_client_release(&x.gen[i]);
		pl_gen_latent_release(&x.lat[i]);
	}
	free(x.gen);
	free(x.lat);
	return st;
}
