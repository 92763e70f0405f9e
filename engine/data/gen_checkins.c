/*
 * gen_checkins.c: a generator of check-in cohorts whose truth is known, so that risk models can
 * be compared with the oracle that scores each day with the true hazard.
 *
 * The model (docs/datasets.md, "Check-in cohorts", equations (1)-(8)):
 *   - a latent state x_t (higher = worse) follows an AR(1) process around the client's baseline
 *     mu_i with persistence phi_i (resilience 1 - phi_i), eq. (1);
 *   - erosion episodes of L days raise persistence towards phi_episode, shift the mean by `drift`
 *     and widen the noise, linearly in the episode's progress, eq. (2). This is the critical
 *     slowing down of Scheffer et al. (Nature 2009, "Early-warning signals for critical
 *     transitions"): as the recovery rate 1 - phi falls, the stationary variance
 *     sigma^2 / (1 - phi^2) and the lag-1 autocorrelation phi of x both rise before the state
 *     reaches the levels where lapses become likely;
 *   - the daily lapse hazard is a logistic function of the state, eq. (3), zero for "immune"
 *     clients; a lapse ends the episode and pulls the state back towards baseline, eq. (4);
 *   - self-reports are noisy, rounded, bounded linear readings of x, eq. (5); check-ins go missing
 *     more often as x rises, eq. (6); attendance, medication and peer contact are Bernoulli draws
 *     whose probability falls with x, eq. (7); `used` is disclosed on most use days, eq. (8);
 *   - use as in programs: use runs on after a lapse and happens without a recorded event, and a
 *     use day raises the hazard for a week, eq. (9); clients on medication may stop it, which
 *     raises the hazard, as does a missed dose, eq. (10); clients may drop out (no self-reports,
 *     no attendance) while their lapses stay recorded, eq. (11).
 * Every draw comes from the caller's gsl_rng, in a fixed order, so a seed fixes the cohort.
 * Clients are plain arrays (pl_gen_client); the JSON layer (engine/json/gen.c) writes them.
 */
#include <peerlink/gen.h>
#include <peerlink/checkins.h>

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <peerlink/rng.h>

static const char *const measure_names[PL_GEN_NMEASURES] = {
	"craving", "mood", "stress", "anxiety", "sleep_hours", "sleep_quality",
	"attended", "medication_taken", "peer_contact", "used"
};

const char *pl_gen_measure_name(int m)
{
	return m >= 0 && m < PL_GEN_NMEASURES ? measure_names[m] : "";
}

/* Attribute vocabularies and their frequencies (roughly US outpatient treatment admissions:
 * SAMHSA TEDS 2021 reports about two thirds men; ages concentrated between 26 and 50). */
static const char *const genders[] = { "man", "woman", "nonbinary" };
static const double gender_freq[] = { 0.62, 0.36, 0.02 };
static const char *const age_bands[] = { "18-25", "26-35", "36-50", "51+" };
static const double age_freq[] = { 0.16, 0.34, 0.34, 0.16 };

const char *pl_gen_gender_name(int g)
{
	return g >= 0 && g < 3 ? genders[g] : "";
}

const char *pl_gen_age_band_name(int a)
{
	return a >= 0 && a < 4 ? age_bands[a] : "";
}

/* ---- dates: the check-in module's calendar (days from 1970-01-01), one implementation ---- */

int pl_gen_date_parse(const char *text, int32_t *day)
{
	return pl_date_parse(text, day);
}

void pl_gen_date_format(int32_t day, char *buf)
{
	pl_date_format(day, buf);
}

/* 0 = Monday: 1970-01-01 was a Thursday. */
static int weekday(int32_t day)
{
	int w = (int)((day + 3) % 7);
	return w < 0 ? w + 7 : w;
}

/* ---- parameters, declared as data: name, where, kind, range ---- */

#define R(f, lo, hi) { #f, offsetof(pl_gen_checkins_params, f), PL_GEN_PARAM_REAL, lo, hi }
#define I(f, lo, hi) { #f, offsetof(pl_gen_checkins_params, f), PL_GEN_PARAM_INT, lo, hi }

static const pl_gen_param params_table[] = {
	{ "start", offsetof(pl_gen_checkins_params, start), PL_GEN_PARAM_DATE, 0, 0 },
	I(stagger_days, 1, 3650),
	R(immune_fraction, 0, 1),
	R(baseline_sd, 0, 10),
	R(phi_mean, 0, 0.99),
	R(phi_spread, 0, 0.5),
	R(noise_sd, 0, 10),
	R(noise_spread, 0, 2),
	R(episode_rate, 0, 1),
	I(episode_min_days, 1, 3650),
	I(episode_max_days, 1, 3650),
	R(phi_episode, 0, 0.999),
	R(drift, -20, 20),
	R(noise_gain, 0, 10),
	R(reset_fraction, 0, 1),
	R(hazard_intercept, -50, 50),
	R(hazard_slope, -50, 50),
	R(hazard_spread, 0, 10),
	R(engagement_mean, -20, 20),
	R(engagement_sd, 0, 10),
	R(missing_slope, -20, 20),
	R(weekend_penalty, -20, 20),
	{ "session_days", offsetof(pl_gen_checkins_params, session_days), PL_GEN_PARAM_WEEKDAYS, 0, 0 },
	R(attendance_offset, -20, 20),
	R(attendance_slope, -20, 20),
	R(medication_fraction, 0, 1),
	R(adherence_mean, -20, 20),
	R(adherence_sd, 0, 10),
	R(adherence_slope, -20, 20),
	R(peer_contact_mean, -20, 20),
	R(peer_contact_sd, 0, 10),
	R(peer_contact_slope, -20, 20),
	R(disclose_probability, 0, 1),
	R(use_persist, 0, 0.99),
	R(unrecorded_use, -20, 20),
	R(use_priming, -20, 20),
	R(stop_rate, 0, 1),
	R(stop_slope, -20, 20),
	R(stop_hazard, -20, 20),
	R(missed_dose_hazard, -20, 20),
	R(dropout_rate, 0, 1),
	R(measure_noise, 0, 10),
	R(response_sd, 0, 10),
	{ "age_band_noise", offsetof(pl_gen_checkins_params, age_band_noise), PL_GEN_PARAM_BANDS, 0, 10 },
};

#undef R
#undef I

static const char *const weekday_names[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

const pl_gen_param *pl_gen_checkins_params_table(size_t *n)
{
	*n = sizeof(params_table) / sizeof(params_table[0]);
	return params_table;
}

const char *pl_gen_weekday_name(int w)
{
	return w >= 0 && w < 7 ? weekday_names[w] : "";
}

pl_status pl_gen_checkins_params_check(const pl_gen_checkins_params *p, const char **field,
				       pl_error *err)
{
	*field = NULL;
	/* The table's ranges, for a program that fills the struct itself: gsl_rng_uniform_int
	 * calls GSL's error handler (which aborts by default) for a range of 0 or past 2^32. */
	if (p->stagger_days < 1 || p->stagger_days > 3650) {
		*field = "stagger_days";
		return pl_error_set(err, PL_ERR_INVALID, "", "stagger_days must be from 1 to 3650");
	}
	if (p->episode_min_days < 1 || p->episode_max_days > 3650) {
		*field = p->episode_min_days < 1 ? "episode_min_days" : "episode_max_days";
		return pl_error_set(err, PL_ERR_INVALID, "", "episode lengths must be from 1 to 3650 days");
	}
	if (p->episode_min_days > p->episode_max_days) {
		*field = "episode_max_days";
		return pl_error_set(err, PL_ERR_INVALID, "",
				    "episode_max_days must be at least episode_min_days");
	}
	return PL_OK;
}

void pl_gen_checkins_params_init(pl_gen_checkins_params *p)
{
	memset(p, 0, sizeof(*p));
	pl_gen_date_parse("2026-01-05", &p->start); /* a Monday */
	p->stagger_days = 28;
	p->immune_fraction = 0.25;
	p->baseline_sd = 0.5;
	p->phi_mean = 0.6;
	p->phi_spread = 0.1;
	p->noise_sd = 0.4;
	p->noise_spread = 0.25;
	p->episode_rate = 0.015;
	p->episode_min_days = 14;
	p->episode_max_days = 42;
	p->phi_episode = 0.95;
	p->drift = 1.5;
	p->noise_gain = 0.5;
	p->reset_fraction = 0.3;
	p->hazard_intercept = -6.5;
	p->hazard_slope = 1.4;
	p->hazard_spread = 0.5;
	p->engagement_mean = 2.0;
	p->engagement_sd = 1.0;
	p->missing_slope = 0.6;
	p->weekend_penalty = 0.7;
	p->session_days = 0x0f; /* Monday to Thursday: a common intensive outpatient schedule */
	p->attendance_offset = 0.5;
	p->attendance_slope = 0.6;
	p->medication_fraction = 0.4;
	p->adherence_mean = 2.5;
	p->adherence_sd = 1.0;
	p->adherence_slope = 0.6;
	p->peer_contact_mean = 0.3;
	p->peer_contact_sd = 1.0;
	p->peer_contact_slope = 0.5;
	p->disclose_probability = 0.8;
	p->use_persist = 0.4;
	p->unrecorded_use = 0.7;
	p->use_priming = 0.8;
	p->stop_rate = 0.003;
	p->stop_slope = 0.5;
	p->stop_hazard = 1.0;
	p->missed_dose_hazard = 0.4;
	p->dropout_rate = 0.002;
	p->measure_noise = 1.0;
	p->response_sd = 1.0;
	for (int a = 0; a < 4; a++)
		p->age_band_noise[a] = 1.0;
}

/* ---- the model ---- */

static double logistic(double z)
{
	return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

/* Self-report readings, eq. (5): value = a + loading * x + offset_i + noise, rounded to `step`,
 * clamped to [lo, hi]. Loadings are negative for measures where lower is worse. */
typedef pl_gen_reading reading;

static const reading readings[6] = {
	{ 3.0, 1.5, 1.0, 1.0, 1.0, 0, 10 },   /* craving */
	{ 6.0, -1.2, 1.0, 1.0, 1.0, 0, 10 },  /* mood */
	{ 4.5, 1.2, 1.2, 1.0, 1.0, 0, 10 },   /* stress */
	{ 4.0, 1.1, 1.2, 1.0, 1.0, 0, 10 },   /* anxiety */
	{ 7.0, -0.6, 0.9, 0.6, 0.5, 0, 24 },  /* sleep_hours */
	{ 6.0, -0.9, 1.2, 1.0, 1.0, 0, 10 },  /* sleep_quality */
};

const pl_gen_reading *pl_gen_checkins_reading(int m)
{
	return m >= 0 && m < 6 ? &readings[m] : NULL;
}

void pl_gen_client_release(pl_gen_client *c)
{
	if (!c)
		return;
	free(c->state);
	free(c->hazard);
	free(c->lapse);
	free(c->values);
	memset(c, 0, sizeof(*c));
}

/* A client's own parameters, drawn once (eq. (1), (3), (5)-(7)). */
typedef struct client_draws {
	double mu, phi, sigma, alpha, eng, adh, pc, offset[6];
} client_draws;

/* What carries from day to day besides the state: use and medication (eq. (9), (10)). */
typedef struct day_carry {
	int using_today;      /* use continues from yesterday (eq. (9)) */
	int prime_days;       /* days left of the hazard priming after a use day */
	int stopped;          /* the medication was stopped */
	int dropped;          /* the client dropped out (eq. (11)) */
} day_carry;

/* An erosion episode: ep_len 0 when none is running. */
typedef struct episode {
	size_t len, pos;
} episode;

/* Client-level draws, in this order (the order is part of the seed contract). */
static void draw_client(const pl_gen_checkins_params *p, gsl_rng *rng, gsl_ran_discrete_t *gd,
			gsl_ran_discrete_t *ad, pl_gen_client *out, client_draws *d)
{
	out->start = p->start + (int32_t)gsl_rng_uniform_int(rng, (unsigned long)p->stagger_days);
	out->gender = (int)gsl_ran_discrete(rng, gd);
	out->age_band = (int)gsl_ran_discrete(rng, ad);
	out->immune = gsl_rng_uniform(rng) < p->immune_fraction;
	out->on_medication = gsl_rng_uniform(rng) < p->medication_fraction;
	d->mu = gsl_ran_gaussian(rng, p->baseline_sd);
	d->phi = p->phi_mean + p->phi_spread * (2.0 * gsl_rng_uniform(rng) - 1.0);
	if (d->phi < 0)
		d->phi = 0;
	if (d->phi > 0.99)
		d->phi = 0.99;
	d->sigma = p->noise_sd * exp(gsl_ran_gaussian(rng, p->noise_spread));
	d->alpha = p->hazard_intercept + gsl_ran_gaussian(rng, p->hazard_spread);
	d->eng = p->engagement_mean + gsl_ran_gaussian(rng, p->engagement_sd);
	d->adh = p->adherence_mean + gsl_ran_gaussian(rng, p->adherence_sd);
	d->pc = p->peer_contact_mean + gsl_ran_gaussian(rng, p->peer_contact_sd);
	for (int m = 0; m < 6; m++)
		d->offset[m] = gsl_ran_gaussian(rng, readings[m].offset_sd * p->response_sd);
}

/* The lapse hazard's logit of a day, eq. (3) with (9)-(10): today's state, recent use (priming)
 * and medication (stopped, or today's dose taken or missed). */
static double hazard_logit(const pl_gen_checkins_params *p, const client_draws *d, int on_medication,
			   const day_carry *k, int med, double x)
{
	double eta = d->alpha + p->hazard_slope * x + (k->prime_days > 0 ? p->use_priming : 0.0);
	if (on_medication)
		eta += k->stopped ? p->stop_hazard : med ? 0.0 : p->missed_dose_hazard;
	return eta;
}

/* Day t with state x: lapse, check-in and every reported value (eq. (3), (5)-(11)). Returns
 * whether the day is a lapse. */
static int draw_day(const pl_gen_checkins_params *p, gsl_rng *rng, const client_draws *d,
		    pl_gen_client *out, size_t t, double x, day_carry *k)
{
	double *v = out->values, h, pchk, eta;
	size_t days = out->days;
	int w = weekday(out->start + (int32_t)t), checked, lapse, att, med, con, dis, use;

	out->state[t] = x;
	/* eq. (10): on medication, today's dose (drawn first: it moves today's hazard). */
	med = out->on_medication && !k->stopped &&
	      gsl_rng_uniform(rng) < logistic(d->adh - p->adherence_slope * x);
	/* eq. (3) with (9)-(10): the hazard depends on today's state, recent use and medication. */
	eta = hazard_logit(p, d, out->on_medication, k, med, x);
	h = out->immune ? 0.0 : logistic(eta);
	out->hazard[t] = h;
	lapse = gsl_rng_uniform(rng) < h;
	out->lapse[t] = (uint8_t)lapse;
	out->nlapses += (size_t)lapse;

	/* eq. (6): check-in completed? Never after a dropout (eq. (11)). */
	pchk = logistic(d->eng - p->missing_slope * x - (w >= 5 ? p->weekend_penalty : 0.0));
	checked = gsl_rng_uniform(rng) < pchk && !k->dropped;
	for (int m = 0; m < 6; m++) {
		const reading *r = &readings[m];
		double y = r->a + r->loading * x + d->offset[m] +
			   gsl_ran_gaussian(rng, r->noise * p->measure_noise *
						 p->age_band_noise[out->age_band]);
		y = r->step * floor(y / r->step + 0.5);
		if (y < r->lo)
			y = r->lo;
		if (y > r->hi)
			y = r->hi;
		v[(size_t)m * days + t] = checked ? y : NAN;
	}
	/* eq. (7): attendance is recorded by the program on session days, check-in or not (a client
	 * who dropped out does not come). */
	att = gsl_rng_uniform(rng) < logistic(d->eng + p->attendance_offset - p->attendance_slope * x) &&
	      !k->dropped;
	v[PL_GEN_ATTENDED * days + t] = (p->session_days & (1 << w)) ? (double)att : NAN;
	v[PL_GEN_MEDICATION_TAKEN * days + t] = checked && out->on_medication ? (double)med : NAN;
	con = gsl_rng_uniform(rng) < logistic(d->pc - p->peer_contact_slope * x);
	v[PL_GEN_PEER_CONTACT * days + t] = checked ? (double)con : NAN;
	/* eq. (9): use today: a lapse, use running on from yesterday, or use without a recorded
	 * event (a slip the program never hears of), at odds exp(unrecorded_use) times the lapse
	 * hazard's. */
	use = lapse || k->using_today ||
	      (!out->immune && gsl_rng_uniform(rng) < logistic(eta + p->unrecorded_use));
	/* eq. (8): a use day is disclosed with probability disclose_probability. */
	dis = gsl_rng_uniform(rng) < p->disclose_probability;
	v[PL_GEN_USED * days + t] = checked ? (double)(use && dis) : NAN;
	/* Carry to tomorrow, in this draw order: use persistence, medication stop, dropout. */
	k->prime_days = use ? 7 : k->prime_days > 0 ? k->prime_days - 1 : 0;
	k->using_today = use && gsl_rng_uniform(rng) < p->use_persist;
	if (out->on_medication && !k->stopped &&
	    gsl_rng_uniform(rng) < fmin(1.0, p->stop_rate * exp(p->stop_slope * x))) {
		k->stopped = 1;
		out->stopped_day = (long)t + 1;
	}
	if (!k->dropped && gsl_rng_uniform(rng) < p->dropout_rate) {
		k->dropped = 1;
		out->dropout_day = (long)t + 1;
	}
	return lapse;
}

/* Tomorrow's state from today's x: episode onset and progress (eq. (2)), then eq. (4) after a
 * lapse or eq. (1) otherwise. */
static double next_state(const pl_gen_checkins_params *p, gsl_rng *rng, const client_draws *d,
			 double x, int lapse, episode *ep)
{
	double prog, mt, pt, st;

	if (!ep->len && gsl_rng_uniform(rng) < p->episode_rate) {
		ep->len = (size_t)p->episode_min_days +
			  gsl_rng_uniform_int(rng, (unsigned long)(p->episode_max_days -
								   p->episode_min_days + 1));
		ep->pos = 0;
	}
	if (ep->len) {
		ep->pos++;
		prog = (double)ep->pos / (double)ep->len;
	} else {
		prog = 0.0;
	}
	mt = d->mu + p->drift * prog;
	pt = d->phi + (p->phi_episode - d->phi) * (prog > 0 ? prog : 0.0);
	if (pt < d->phi)
		pt = d->phi; /* phi_episode below phi_i: no erosion for this client */
	st = d->sigma * (1.0 + p->noise_gain * prog);
	if (lapse) {
		/* eq. (4): a lapse ends the episode and pulls the state back towards baseline. */
		ep->len = ep->pos = 0;
		return d->mu + p->reset_fraction * (x - d->mu) + gsl_ran_gaussian(rng, d->sigma);
	}
	/* eq. (1) with (2): x_{t+1} = m_t + phi_t (x_t - m_t) + s_t eps_t */
	x = mt + pt * (x - mt) + gsl_ran_gaussian(rng, st);
	if (ep->len && ep->pos >= ep->len)
		ep->len = ep->pos = 0; /* the episode is over: resilience is restored */
	return x;
}

void pl_gen_latent_release(pl_gen_latent *l)
{
	if (!l)
		return;
	free(l->episode_len);
	free(l->episode_pos);
	free(l->prime_days);
	free(l->using_next);
	free(l->stopped);
	memset(l, 0, sizeof(*l));
}

static int latent_alloc(pl_gen_latent *l, size_t n)
{
	l->episode_len = malloc(n * sizeof(uint16_t));
	l->episode_pos = malloc(n * sizeof(uint16_t));
	l->prime_days = malloc(n);
	l->using_next = malloc(n);
	l->stopped = malloc(n);
	return l->episode_len && l->episode_pos && l->prime_days && l->using_next && l->stopped;
}

/* What carries from day t to day t + 1 besides the state (the oracle restarts from it). */
static void latent_record(pl_gen_latent *l, size_t t, const episode *ep, const day_carry *k)
{
	l->episode_len[t] = (uint16_t)ep->len;
	l->episode_pos[t] = (uint16_t)ep->pos;
	l->prime_days[t] = (uint8_t)k->prime_days;
	l->using_next[t] = (uint8_t)k->using_today;
	l->stopped[t] = (uint8_t)k->stopped;
}

pl_status pl_gen_checkins_client_latent(const pl_gen_checkins_params *p, gsl_rng *rng,
					size_t days, pl_gen_client *out, pl_gen_latent *lat,
					pl_error *err)
{
	client_draws d;
	day_carry k = { 0, 0, 0, 0 };
	episode ep = { 0, 0 };
	double x;
	gsl_ran_discrete_t *gd, *ad;
	size_t n = days ? days : 1;
	const char *field;
	pl_status st;

	memset(out, 0, sizeof(*out));
	if (lat)
		memset(lat, 0, sizeof(*lat));
	if ((st = pl_gen_checkins_params_check(p, &field, err)) != PL_OK)
		return st;
	out->days = days;
	out->stopped_day = out->dropout_day = -1;
	out->state = malloc(n * sizeof(double));
	out->hazard = malloc(n * sizeof(double));
	out->lapse = calloc(n, 1);
	out->values = malloc(n * PL_GEN_NMEASURES * sizeof(double));
	gd = pl_rng_discrete_new(3, gender_freq);
	ad = pl_rng_discrete_new(4, age_freq);
	if (!out->state || !out->hazard || !out->lapse || !out->values || !gd || !ad ||
	    (lat && !latent_alloc(lat, n))) {
		pl_rng_discrete_free(gd);
		pl_rng_discrete_free(ad);
		pl_gen_client_release(out);
		pl_gen_latent_release(lat);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory generating a client");
	}
	draw_client(p, rng, gd, ad, out, &d);
	pl_rng_discrete_free(gd);
	pl_rng_discrete_free(ad);
	if (lat) {
		lat->mu = d.mu;
		lat->phi = d.phi;
		lat->sigma = d.sigma;
		lat->alpha = d.alpha;
		lat->adherence = d.adh;
	}
	/* x_0 from the stationary distribution of eq. (1) outside episodes. */
	x = d.mu + gsl_ran_gaussian(rng, d.sigma / sqrt(1.0 - d.phi * d.phi));
	for (size_t t = 0; t < days; t++) {
		int lapse = draw_day(p, rng, &d, out, t, x, &k);
		if (lat)
			latent_record(lat, t, &ep, &k);
		x = next_state(p, rng, &d, x, lapse, &ep);
	}
	return PL_OK;
}

pl_status pl_gen_checkins_client(const pl_gen_checkins_params *p, gsl_rng *rng, size_t days,
				 pl_gen_client *out, pl_error *err)
{
	return pl_gen_checkins_client_latent(p, rng, days, out, NULL, err);
}

/* One simulated future of `horizon` days after day t, conditioned on no lapse in it: the chance
 * that this future survives, the product of (1 - h) over its days. Draws only what moves the
 * hazard (the state, episodes, the dose, use and its persistence, stopping). */
static double future_survival(const pl_gen_checkins_params *p, const pl_gen_client *c,
			      const pl_gen_latent *lat, const client_draws *d, size_t t, int horizon,
			      gsl_rng *rng)
{
	episode ep = { lat->episode_len[t], lat->episode_pos[t] };
	day_carry k = { lat->using_next[t], lat->prime_days[t], lat->stopped[t], 0 };
	double x = c->state[t], surv = 1.0;
	int lapse = c->lapse[t];

	for (int s = 1; s <= horizon; s++) {
		int med, use;
		double eta;

		x = next_state(p, rng, d, x, lapse, &ep);
		lapse = 0; /* the future that counts has had no lapse so far */
		med = c->on_medication && !k.stopped &&
		      gsl_rng_uniform(rng) < logistic(d->adh - p->adherence_slope * x);
		eta = hazard_logit(p, d, c->on_medication, &k, med, x);
		surv *= 1.0 - logistic(eta);
		use = k.using_today || gsl_rng_uniform(rng) < logistic(eta + p->unrecorded_use);
		k.prime_days = use ? 7 : k.prime_days > 0 ? k.prime_days - 1 : 0;
		k.using_today = use && gsl_rng_uniform(rng) < p->use_persist;
		if (c->on_medication && !k.stopped &&
		    gsl_rng_uniform(rng) < fmin(1.0, p->stop_rate * exp(p->stop_slope * x)))
			k.stopped = 1;
	}
	return surv;
}

double pl_gen_checkins_window_risk(const pl_gen_checkins_params *p, const pl_gen_client *c,
				   const pl_gen_latent *lat, size_t t, int horizon, size_t draws,
				   gsl_rng *rng)
{
	client_draws d;
	double sum = 0.0;

	if (c->immune || t >= c->days || draws == 0)
		return c->immune ? 0.0 : NAN;
	memset(&d, 0, sizeof(d));
	d.mu = lat->mu;
	d.phi = lat->phi;
	d.sigma = lat->sigma;
	d.alpha = lat->alpha;
	d.adh = lat->adherence;
	/* P(lapse in t+1..t+h) = 1 - E[prod (1 - h_s)] over futures without a lapse: the lapse
	 * draws are integrated out exactly (a Rao-Blackwellised estimate, Casella & Robert,
	 * Biometrika 1996), which leaves far less Monte Carlo noise than counting simulated lapses. */
	for (size_t r = 0; r < draws; r++)
		sum += future_survival(p, c, lat, &d, t, horizon, rng);
	return 1.0 - sum / (double)draws;
}
