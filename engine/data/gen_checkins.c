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
 *     whose probability falls with x, eq. (7); `used` is disclosed on some lapse days, eq. (8).
 * Every draw comes from the caller's gsl_rng, in a fixed order, so a seed fixes the cohort.
 */
#include <peerlink/gen.h>
#include <peerlink/checkins.h>

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

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

enum pkind { P_REAL, P_INT, P_DATE, P_WEEKDAYS, P_BANDS };

typedef struct pdef {
	const char *name;
	size_t offset;
	enum pkind kind;
	double lo, hi;
} pdef;

#define R(f, lo, hi) { #f, offsetof(pl_gen_checkins_params, f), P_REAL, lo, hi }
#define I(f, lo, hi) { #f, offsetof(pl_gen_checkins_params, f), P_INT, lo, hi }

static const pdef params_table[] = {
	{ "start", offsetof(pl_gen_checkins_params, start), P_DATE, 0, 0 },
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
	{ "session_days", offsetof(pl_gen_checkins_params, session_days), P_WEEKDAYS, 0, 0 },
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
	R(measure_noise, 0, 10),
	R(response_sd, 0, 10),
	{ "age_band_noise", offsetof(pl_gen_checkins_params, age_band_noise), P_BANDS, 0, 10 },
};

#undef R
#undef I

#define NPARAMS (sizeof(params_table) / sizeof(params_table[0]))

static const char *const weekday_names[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

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
	p->disclose_probability = 0.6;
	p->measure_noise = 1.0;
	p->response_sd = 1.0;
	for (int a = 0; a < 4; a++)
		p->age_band_noise[a] = 1.0;
}

pl_status pl_gen_checkins_params_from_json(pl_gen_checkins_params *p, json_t *obj, const char *ptr,
					   pl_error *err)
{
	const char *key;
	json_t *v;
	char where[PL_POINTER_MAX];

	if (!json_is_object(obj))
		return pl_error_set(err, PL_ERR_INVALID, ptr, "the parameters must be a JSON object");
	json_object_foreach(obj, key, v) {
		const pdef *d = NULL;
		char *field;

		snprintf(where, sizeof(where), "%s", ptr);
		pl_pointer_append(where, sizeof(where), key);
		for (size_t k = 0; k < NPARAMS; k++)
			if (strcmp(params_table[k].name, key) == 0)
				d = &params_table[k];
		if (!d)
			return pl_error_set(err, PL_ERR_INVALID, where, "unknown generator parameter");
		field = (char *)p + d->offset;
		switch (d->kind) {
		case P_REAL:
			if (!json_is_number(v) || json_number_value(v) < d->lo || json_number_value(v) > d->hi)
				return pl_error_set(err, PL_ERR_INVALID, where,
						    "parameter '%s' must be a number in [%g, %g]", d->name,
						    d->lo, d->hi);
			*(double *)(void *)field = json_number_value(v);
			break;
		case P_INT:
			if (!json_is_integer(v) || (double)json_integer_value(v) < d->lo ||
			    (double)json_integer_value(v) > d->hi)
				return pl_error_set(err, PL_ERR_INVALID, where,
						    "parameter '%s' must be an integer in [%g, %g]", d->name,
						    d->lo, d->hi);
			*(int *)(void *)field = (int)json_integer_value(v);
			break;
		case P_DATE:
			if (!json_is_string(v) || pl_gen_date_parse(json_string_value(v), (int32_t *)(void *)field) != 0)
				return pl_error_set(err, PL_ERR_INVALID, where,
						    "parameter '%s' must be a date YYYY-MM-DD", d->name);
			break;
		case P_BANDS: {
			double *bands = (double *)(void *)field;
			if (!json_is_array(v) || json_array_size(v) != 4)
				return pl_error_set(err, PL_ERR_INVALID, where,
						    "parameter '%s' must be 4 numbers, one per age band", d->name);
			for (size_t i = 0; i < 4; i++) {
				json_t *x = json_array_get(v, i);
				if (!json_is_number(x) || json_number_value(x) < d->lo ||
				    json_number_value(x) > d->hi) {
					pl_pointer_append_index(where, sizeof(where), i);
					return pl_error_set(err, PL_ERR_INVALID, where,
							    "each entry must be a number in [%g, %g]", d->lo, d->hi);
				}
				bands[i] = json_number_value(x);
			}
			break;
		}
		case P_WEEKDAYS: {
			size_t i;
			json_t *w;
			int mask = 0;
			if (!json_is_array(v))
				return pl_error_set(err, PL_ERR_INVALID, where,
						    "parameter '%s' must be an array of weekdays (\"mon\"..\"sun\")",
						    d->name);
			json_array_foreach(v, i, w) {
				int found = -1;
				for (int k = 0; k < 7; k++)
					if (json_is_string(w) && strcmp(json_string_value(w), weekday_names[k]) == 0)
						found = k;
				if (found < 0) {
					pl_pointer_append_index(where, sizeof(where), i);
					return pl_error_set(err, PL_ERR_INVALID, where,
							    "each session day must be one of \"mon\"..\"sun\"");
				}
				mask |= 1 << found;
			}
			*(int *)(void *)field = mask;
			break;
		}
		}
	}
	if (p->episode_min_days > p->episode_max_days) {
		snprintf(where, sizeof(where), "%s", ptr);
		pl_pointer_append(where, sizeof(where), "episode_max_days");
		return pl_error_set(err, PL_ERR_INVALID, where,
				    "episode_max_days must be at least episode_min_days");
	}
	return PL_OK;
}

json_t *pl_gen_checkins_params_to_json(const pl_gen_checkins_params *p)
{
	json_t *o = json_object();
	char buf[16];

	for (size_t k = 0; k < NPARAMS; k++) {
		const pdef *d = &params_table[k];
		const char *field = (const char *)p + d->offset;
		json_t *v = NULL;

		switch (d->kind) {
		case P_REAL: v = json_real(*(const double *)(const void *)field); break;
		case P_INT: v = json_integer(*(const int *)(const void *)field); break;
		case P_DATE:
			pl_gen_date_format(*(const int32_t *)(const void *)field, buf);
			v = json_string(buf);
			break;
		case P_BANDS:
			v = json_array();
			for (int a = 0; a < 4; a++)
				json_array_append_new(v, json_real(((const double *)(const void *)field)[a]));
			break;
		case P_WEEKDAYS:
			v = json_array();
			for (int w = 0; w < 7; w++)
				if (*(const int *)(const void *)field & (1 << w))
					json_array_append_new(v, json_string(weekday_names[w]));
			break;
		}
		json_object_set_new(o, d->name, v);
	}
	return o;
}

/* ---- the model ---- */

static double logistic(double z)
{
	return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
}

/* Self-report readings, eq. (5): value = a + loading * x + offset_i + noise, rounded to `step`,
 * clamped to [lo, hi]. Loadings are negative for measures where lower is worse. */
typedef struct reading {
	double a, loading, noise, offset_sd, step, lo, hi;
} reading;

static const reading readings[6] = {
	{ 3.0, 1.5, 1.0, 1.0, 1.0, 0, 10 },   /* craving */
	{ 6.0, -1.2, 1.0, 1.0, 1.0, 0, 10 },  /* mood */
	{ 4.5, 1.2, 1.2, 1.0, 1.0, 0, 10 },   /* stress */
	{ 4.0, 1.1, 1.2, 1.0, 1.0, 0, 10 },   /* anxiety */
	{ 7.0, -0.6, 0.9, 0.6, 0.5, 0, 24 },  /* sleep_hours */
	{ 6.0, -0.9, 1.2, 1.0, 1.0, 0, 10 },  /* sleep_quality */
};

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

pl_status pl_gen_checkins_client(const pl_gen_checkins_params *p, gsl_rng *rng, size_t days,
				 pl_gen_client *out, pl_error *err)
{
	double mu, phi, sigma, alpha, eng, adh, pc, offset[6], x;
	double *v;
	size_t ep_len = 0, ep_pos = 0; /* ep_len 0: no episode running */
	gsl_ran_discrete_t *gd = NULL, *ad = NULL;

	memset(out, 0, sizeof(*out));
	out->days = days;
	out->state = malloc((days ? days : 1) * sizeof(double));
	out->hazard = malloc((days ? days : 1) * sizeof(double));
	out->lapse = calloc(days ? days : 1, 1);
	out->values = malloc((days ? days : 1) * PL_GEN_NMEASURES * sizeof(double));
	gd = gsl_ran_discrete_preproc(3, gender_freq);
	ad = gsl_ran_discrete_preproc(4, age_freq);
	if (!out->state || !out->hazard || !out->lapse || !out->values || !gd || !ad) {
		gsl_ran_discrete_free(gd);
		gsl_ran_discrete_free(ad);
		pl_gen_client_release(out);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory generating a client");
	}
	v = out->values;

	/* Client-level draws, in this order (the order is part of the seed contract). */
	out->start = p->start + (int32_t)gsl_rng_uniform_int(rng, (unsigned long)p->stagger_days);
	out->gender = (int)gsl_ran_discrete(rng, gd);
	out->age_band = (int)gsl_ran_discrete(rng, ad);
	out->immune = gsl_rng_uniform(rng) < p->immune_fraction;
	out->on_medication = gsl_rng_uniform(rng) < p->medication_fraction;
	gsl_ran_discrete_free(gd);
	gsl_ran_discrete_free(ad);
	mu = gsl_ran_gaussian(rng, p->baseline_sd);
	phi = p->phi_mean + p->phi_spread * (2.0 * gsl_rng_uniform(rng) - 1.0);
	if (phi < 0)
		phi = 0;
	if (phi > 0.99)
		phi = 0.99;
	sigma = p->noise_sd * exp(gsl_ran_gaussian(rng, p->noise_spread));
	alpha = p->hazard_intercept + gsl_ran_gaussian(rng, p->hazard_spread);
	eng = p->engagement_mean + gsl_ran_gaussian(rng, p->engagement_sd);
	adh = p->adherence_mean + gsl_ran_gaussian(rng, p->adherence_sd);
	pc = p->peer_contact_mean + gsl_ran_gaussian(rng, p->peer_contact_sd);
	for (int m = 0; m < 6; m++)
		offset[m] = gsl_ran_gaussian(rng, readings[m].offset_sd * p->response_sd);

	/* x_0 from the stationary distribution of eq. (1) outside episodes. */
	x = mu + gsl_ran_gaussian(rng, sigma / sqrt(1.0 - phi * phi));
	for (size_t t = 0; t < days; t++) {
		double prog = ep_len ? (double)ep_pos / (double)ep_len : 0.0, h, pchk, mt, pt, st;
		int w = weekday(out->start + (int32_t)t), checked, lapse;

		out->state[t] = x;
		/* eq. (3): the hazard depends on today's state only. */
		h = out->immune ? 0.0 : logistic(alpha + p->hazard_slope * x);
		out->hazard[t] = h;
		lapse = gsl_rng_uniform(rng) < h;
		out->lapse[t] = (uint8_t)lapse;
		out->nlapses += (size_t)lapse;

		/* eq. (6): check-in completed? */
		pchk = logistic(eng - p->missing_slope * x - (w >= 5 ? p->weekend_penalty : 0.0));
		checked = gsl_rng_uniform(rng) < pchk;
		for (int m = 0; m < 6; m++) {
			const reading *r = &readings[m];
			double y = r->a + r->loading * x + offset[m] +
				   gsl_ran_gaussian(rng, r->noise * p->measure_noise *
							 p->age_band_noise[out->age_band]);
			y = r->step * floor(y / r->step + 0.5);
			if (y < r->lo)
				y = r->lo;
			if (y > r->hi)
				y = r->hi;
			v[(size_t)m * days + t] = checked ? y : NAN;
		}
		/* eq. (7): attendance is recorded by the program on session days, check-in or not. */
		{
			int att = gsl_rng_uniform(rng) <
				  logistic(eng + p->attendance_offset - p->attendance_slope * x);
			v[PL_GEN_ATTENDED * days + t] = (p->session_days & (1 << w)) ? (double)att : NAN;
		}
		{
			int med = gsl_rng_uniform(rng) < logistic(adh - p->adherence_slope * x);
			v[PL_GEN_MEDICATION_TAKEN * days + t] =
				checked && out->on_medication ? (double)med : NAN;
		}
		{
			int con = gsl_rng_uniform(rng) < logistic(pc - p->peer_contact_slope * x);
			v[PL_GEN_PEER_CONTACT * days + t] = checked ? (double)con : NAN;
		}
		/* eq. (8): a lapse is disclosed with probability disclose_probability. */
		{
			int dis = gsl_rng_uniform(rng) < p->disclose_probability;
			v[PL_GEN_USED * days + t] = checked ? (double)(lapse && dis) : NAN;
		}

		/* eq. (2): episode onset and the parameters of tomorrow's step. */
		if (!ep_len && gsl_rng_uniform(rng) < p->episode_rate) {
			ep_len = (size_t)p->episode_min_days +
				 gsl_rng_uniform_int(rng, (unsigned long)(p->episode_max_days -
									  p->episode_min_days + 1));
			ep_pos = 0;
		}
		if (ep_len) {
			ep_pos++;
			prog = (double)ep_pos / (double)ep_len;
		} else {
			prog = 0.0;
		}
		mt = mu + p->drift * prog;
		pt = phi + (p->phi_episode - phi) * (prog > 0 ? prog : 0.0);
		if (pt < phi)
			pt = phi; /* phi_episode below phi_i: no erosion for this client */
		st = sigma * (1.0 + p->noise_gain * prog);
		if (lapse) {
			/* eq. (4): a lapse ends the episode and pulls the state back towards baseline. */
			x = mu + p->reset_fraction * (x - mu) + gsl_ran_gaussian(rng, sigma);
			ep_len = ep_pos = 0;
		} else {
			/* eq. (1) with (2): x_{t+1} = m_t + phi_t (x_t - m_t) + s_t eps_t */
			x = mt + pt * (x - mt) + gsl_ran_gaussian(rng, st);
			if (ep_len && ep_pos >= ep_len)
				ep_len = ep_pos = 0; /* the episode is over: resilience is restored */
		}
	}
	return PL_OK;
}

static json_t *series_json(const double *a, size_t n, int boolean)
{
	json_t *arr = json_array();
	for (size_t t = 0; t < n; t++) {
		if (isnan(a[t]))
			json_array_append_new(arr, json_null());
		else if (boolean)
			json_array_append_new(arr, json_boolean(a[t] != 0.0));
		else if (a[t] == floor(a[t]))
			json_array_append_new(arr, json_integer((json_int_t)a[t]));
		else
			json_array_append_new(arr, json_real(a[t]));
	}
	return arr;
}

/* Round to `digits` significant digits so that files stay small and print the same everywhere. */
static double round_sig(double x, int digits)
{
	char buf[40];
	if (x == 0.0 || !isfinite(x))
		return x;
	snprintf(buf, sizeof(buf), "%.*e", digits - 1, x);
	return strtod(buf, NULL);
}

json_t *pl_gen_client_to_json(const pl_gen_client *c, const char *id, int with_truth)
{
	json_t *o = json_object(), *attrs = json_object(), *meas = json_object(), *events = json_array();
	char date[16];

	json_object_set_new(o, "id", json_string(id));
	pl_gen_date_format(c->start, date);
	json_object_set_new(o, "start", json_string(date));
	json_object_set_new(attrs, "gender", json_string(pl_gen_gender_name(c->gender)));
	json_object_set_new(attrs, "age_band", json_string(pl_gen_age_band_name(c->age_band)));
	json_object_set_new(o, "attributes", attrs);
	for (int m = 0; m < PL_GEN_NMEASURES; m++)
		json_object_set_new(meas, measure_names[m],
				    series_json(c->values + (size_t)m * c->days, c->days, m >= PL_GEN_ATTENDED));
	json_object_set_new(o, "measures", meas);
	for (size_t t = 0; t < c->days; t++) {
		if (!c->lapse[t])
			continue;
		json_t *e = json_object();
		pl_gen_date_format(c->start + (int32_t)t, date);
		json_object_set_new(e, "date", json_string(date));
		json_object_set_new(e, "type", json_string("lapse"));
		json_array_append_new(events, e);
	}
	json_object_set_new(o, "events", events);
	if (with_truth) {
		json_t *truth = json_object(), *h = json_array(), *s = json_array();
		for (size_t t = 0; t < c->days; t++) {
			json_array_append_new(h, json_real(round_sig(c->hazard[t], 6)));
			json_array_append_new(s, json_real(round_sig(c->state[t], 6)));
		}
		json_object_set_new(truth, "hazard", h);
		json_object_set_new(truth, "state", s);
		json_object_set_new(o, "truth", truth);
	}
	return o;
}
