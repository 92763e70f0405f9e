/*
 * peerlink/gen.h: seeded generators of synthetic data whose truth is known: check-in cohorts for
 * the risk model (gen_checkins.c) and programs of profiles for matching (gen_profiles.c).
 * docs/datasets.md states the generative models with their equations.
 *
 * Determinism: every random draw comes from the gsl_rng the caller passes (the CLI uses the
 * streams PL_RNG_GEN_CHECKINS and PL_RNG_GEN_PROFILES of peerlink/rng.h), in a fixed order, so
 * the same seed and parameters give the same data on every run. Clients are drawn one after the
 * other from one stream: the first k clients of a cohort do not depend on how many follow.
 *
 * Ownership: a pl_gen_client owns its arrays (pl_gen_client_release; zeroed structs are fine); a
 * pl_gen_program is allocated by pl_gen_program_new and freed whole by pl_gen_program_free.
 * The generators work on plain structs; their documents (parameters in, clients and programs out)
 * are read and written by the JSON layer (peerlink/json_data.h).
 */
#ifndef PEERLINK_GEN_H
#define PEERLINK_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ check-in cohorts */

/* The measures the generator writes, in the order of the standard catalogue (checkins.h). */
enum pl_gen_measure {
	PL_GEN_CRAVING = 0, PL_GEN_MOOD, PL_GEN_STRESS, PL_GEN_ANXIETY, PL_GEN_SLEEP_HOURS,
	PL_GEN_SLEEP_QUALITY, PL_GEN_ATTENDED, PL_GEN_MEDICATION_TAKEN, PL_GEN_PEER_CONTACT,
	PL_GEN_USED, PL_GEN_NMEASURES
};

/* Name of a generated measure ("craving", ...). */
const char *pl_gen_measure_name(int m);

/* Every parameter of the cohort model; docs/datasets.md gives each one's role and equation. */
typedef struct pl_gen_checkins_params {
	int32_t start;             /* day number (days since 1970-01-01) of the earliest start */
	int stagger_days;          /* client starts are uniform in [start, start + stagger_days) */
	double immune_fraction;    /* share of clients whose hazard is 0: they never lapse */
	/* latent state x (higher = worse), AR(1) around a client baseline */
	double baseline_sd;        /* mu_i ~ N(0, baseline_sd^2) */
	double phi_mean;           /* persistence phi_i ~ U(phi_mean - phi_spread, + phi_spread) */
	double phi_spread;
	double noise_sd;           /* sigma_i = noise_sd * exp(N(0, noise_spread^2)) */
	double noise_spread;
	/* erosion episodes: resilience 1 - phi erodes before a possible lapse */
	double episode_rate;       /* daily probability that an episode starts (outside episodes) */
	int episode_min_days, episode_max_days; /* episode length L ~ U{min..max} */
	double phi_episode;        /* phi at the end of an episode */
	double drift;              /* mean shift at the end of an episode (state units) */
	double noise_gain;         /* noise sd grows by the factor (1 + noise_gain * progress) */
	double reset_fraction;     /* after a lapse: x <- mu_i + reset_fraction * (x - mu_i) */
	/* hazard h = logistic(alpha_i + hazard_slope * x), alpha_i ~ N(hazard_intercept, sd^2) */
	double hazard_intercept;
	double hazard_slope;
	double hazard_spread;
	/* engagement: check-in probability logistic(e_i - missing_slope * x - weekend_penalty[wknd]) */
	double engagement_mean, engagement_sd;
	double missing_slope;
	double weekend_penalty;
	int session_days;          /* bit w set: sessions on weekday w (0 = Monday) */
	double attendance_offset;  /* attended ~ Bernoulli(logistic(e_i + offset - slope * x)) */
	double attendance_slope;
	double medication_fraction;/* share of clients on medication */
	double adherence_mean, adherence_sd, adherence_slope;
	double peer_contact_mean, peer_contact_sd, peer_contact_slope;
	double disclose_probability; /* P(used = true reported on a use day with a check-in) */
	/* Use and medication as in programs (docs/datasets.md, eq. (9)-(11)): */
	double use_persist;        /* P(use continues the next day) after a use day */
	double unrecorded_use;     /* logit shift of use without a recorded event vs the lapse hazard */
	double use_priming;        /* logit added to the hazard for 7 days after a use day */
	double stop_rate;          /* daily P(a client on medication stops it), at x = 0 */
	double stop_slope;         /* ... multiplied by exp(stop_slope * x) */
	double stop_hazard;        /* logit added to the hazard once the medication is stopped */
	double missed_dose_hazard; /* logit added on a day a client on medication misses the dose */
	double dropout_rate;       /* daily P(a client stops checking in and attending for good) */
	double measure_noise;      /* multiplies every self-report's noise sd */
	double age_band_noise[4];  /* and this, by age band (18-25, 26-35, 36-50, 51+): a planted
				      subgroup whose reports are noisier, for subgroup analysis */
	double response_sd;        /* multiplies the sd of each client's per-measure offset */
} pl_gen_checkins_params;

/* The documented defaults (datasets/README.md lists them). */
void pl_gen_checkins_params_init(pl_gen_checkins_params *p);

/*
 * Both parameter sets are declared as data, so one reader (the JSON layer's) fills either from a
 * document by name, with the range each parameter allows. kind says the C type at `offset`:
 * REAL double, INT int, LONG long, DATE int32_t day number, WEEKDAYS int bit mask (bit w =
 * weekday w, 0 = Monday), BANDS double[4] (one per age band; lo..hi bound each entry).
 */
typedef enum pl_gen_param_kind {
	PL_GEN_PARAM_REAL, PL_GEN_PARAM_INT, PL_GEN_PARAM_LONG, PL_GEN_PARAM_DATE,
	PL_GEN_PARAM_WEEKDAYS, PL_GEN_PARAM_BANDS
} pl_gen_param_kind;

typedef struct pl_gen_param {
	const char *name;
	size_t offset;
	pl_gen_param_kind kind;
	double lo, hi;
} pl_gen_param;

/* The parameter tables, in output order; *n receives the length. */
const pl_gen_param *pl_gen_checkins_params_table(size_t *n);
/* Rules across parameters (episode_min_days <= episode_max_days) and the integer ranges of the
 * table (for a program that fills the struct itself): PL_ERR_INVALID with the name of the
 * parameter to blame in *field (the caller turns it into a pointer), else PL_OK.
 * pl_gen_checkins_client checks them too. */
pl_status pl_gen_checkins_params_check(const pl_gen_checkins_params *p, const char **field,
				       pl_error *err);
/* "mon".."sun" for w = 0..6, "" otherwise. */
const char *pl_gen_weekday_name(int w);

typedef struct pl_gen_client {
	size_t days;
	int32_t start;        /* day number of day 0 */
	int gender;           /* index into pl_gen_gender_name */
	int age_band;         /* index into pl_gen_age_band_name */
	int immune, on_medication;
	long stopped_day;     /* day the medication was stopped, -1 if never */
	long dropout_day;     /* day the client dropped out (no self-reports, no attendance), -1 */
	double *state;        /* days: latent state x_t */
	double *hazard;       /* days: P(lapse on day t | x_t) */
	uint8_t *lapse;       /* days: 1 on a lapse day */
	double *values;       /* PL_GEN_NMEASURES * days, measure-major, NaN = missing, bools 0/1 */
	size_t nlapses;
} pl_gen_client;

#define PL_GEN_CLIENT_INIT { 0, 0, 0, 0, 0, 0, -1, -1, NULL, NULL, NULL, NULL, 0 }

const char *pl_gen_gender_name(int g);
const char *pl_gen_age_band_name(int a);

/* Draw one client of `days` days. */
pl_status pl_gen_checkins_client(const pl_gen_checkins_params *p, gsl_rng *rng, size_t days,
				 pl_gen_client *out, pl_error *err);
void pl_gen_client_release(pl_gen_client *c);

/* A self-report's reading model, eq. (5): value = a + loading * x + offset_i + noise (sd
 * noise * measure_noise * age_band_noise), offset_i ~ N(0, (offset_sd * response_sd)^2),
 * rounded to `step`, clamped to [lo, hi]. m = PL_GEN_CRAVING .. PL_GEN_SLEEP_QUALITY; NULL
 * otherwise. The observable reference reads these structural constants. */
typedef struct pl_gen_reading {
	double a, loading, noise, offset_sd, step, lo, hi;
} pl_gen_reading;
const pl_gen_reading *pl_gen_checkins_reading(int m);

/* Everything else the generator knows about a client (the full-information oracle): its own
 * draws and, for each day t, what carries to day t + 1 besides the state (the erosion episode,
 * the days of hazard priming left, whether use runs on, whether the medication was stopped). */
typedef struct pl_gen_latent {
	double mu, phi, sigma, alpha, adherence; /* baseline, persistence, noise, hazard intercept,
						    adherence intercept (eq. (1), (3), (10)) */
	uint16_t *episode_len, *episode_pos;     /* days: 0 0 when no episode runs */
	uint8_t *prime_days, *using_next, *stopped;
} pl_gen_latent;

/* pl_gen_checkins_client, also filling *lat (NULL: not wanted); the same draws, so the same
 * client. pl_gen_latent_release frees what it holds (a zeroed struct is fine). */
pl_status pl_gen_checkins_client_latent(const pl_gen_checkins_params *p, gsl_rng *rng,
					size_t days, pl_gen_client *out, pl_gen_latent *lat,
					pl_error *err);
void pl_gen_latent_release(pl_gen_latent *lat);
/* P(a lapse on days t+1 .. t+horizon) given everything the generator knows at the end of day t,
 * by `draws` futures simulated with the model's own equations from rng (Monte Carlo with the
 * lapse draws integrated out). 0 for an immune client; NaN when t is past the client's days. */
double pl_gen_checkins_window_risk(const pl_gen_checkins_params *p, const pl_gen_client *c,
				   const pl_gen_latent *lat, size_t t, int horizon, size_t draws,
				   gsl_rng *rng);

/* Day numbers <-> "YYYY-MM-DD" (proleptic Gregorian). parse: 0 ok, -1 not a date. */
int pl_gen_date_parse(const char *text, int32_t *day);
void pl_gen_date_format(int32_t day, char *buf); /* buf: at least 11 bytes */

/* ------------------------------------------------------------------ matching programs */

typedef struct pl_gen_profiles_params {
	long mentees, mentors, clients; /* how many of each (clients: for buddies and groups) */
	long communities;               /* K latent communities (1..64) */
	double structure;               /* s in [0, 1]: 0 = no community structure */
	double signature_probability;   /* P(tag) for a community's signature tag when s = 1 */
	long capacity_max;              /* mentor capacity ~ U{1..capacity_max} */
	double couple_fraction;         /* share of mentees (and of clients) in a couple */
	double exclude_fraction;        /* share of mentees excluding one mentor */
	double same_gender_preference;  /* base share asking for "same" (x1.6 women, x0.6 others) */
	double age_range_fraction;      /* share giving an age_range */
} pl_gen_profiles_params;

void pl_gen_profiles_params_init(pl_gen_profiles_params *p);
const pl_gen_param *pl_gen_profiles_params_table(size_t *n);

/* Tag vocabularies of a generated profile, each in a fixed order: a person's tags are a bit mask
 * over it (bit k = tag k). */
typedef enum pl_gen_vocab {
	PL_GEN_EXPERIENCES = 0, PL_GEN_SUBSTANCES, PL_GEN_GOALS, PL_GEN_PATHWAYS, PL_GEN_TRAITS,
	PL_GEN_LIFE_STAGES, PL_GEN_VOCABS
} pl_gen_vocab;

/* Size of a vocabulary, and the name of its entry k ("" out of range). Life stages:
 * young_adult, early_career, midlife, older_adult, parent, student. */
size_t pl_gen_vocab_size(pl_gen_vocab v);
const char *pl_gen_vocab_name(pl_gen_vocab v, size_t k);
/* Availability slot s = 3 * day + part (day 0 = Monday, part 0 am, 1 pm, 2 eve) as "mon_am";
 * buf: at least 8 bytes. */
void pl_gen_slot_name(int s, char *buf);

#define PL_GEN_NTRAITS 5
#define PL_GEN_NSLOTS 21

/* One generated person (docs/datasets.md, "Matching programs"). */
typedef struct pl_gen_person {
	char id[24];         /* "m0001": prefix and number */
	int community;
	uint32_t experiences, substances, goals; /* bit masks over the vocabularies */
	int pathway;                             /* index into PL_GEN_PATHWAYS */
	double personality[PL_GEN_NTRAITS];      /* in [0, 1], two decimals */
	int age;
	uint32_t life_stage;                     /* bit mask over PL_GEN_LIFE_STAGES */
	int gender;                              /* pl_gen_gender_name */
	int same_gender;                         /* gender_preference "same" (else "any") */
	int has_age_range, age_lo, age_hi;
	int english, spanish;                    /* languages, written in this order */
	int in_person, virtual_;                 /* modalities, written in this order */
	uint32_t availability;                   /* bit s: slot s (pl_gen_slot_name) */
	long capacity;                           /* mentors: seats; 0 for others */
	long partner;                            /* index of the partner in the same list, -1 none */
	long exclude;                            /* mentees: index of an excluded mentor, -1 none */
} pl_gen_person;

/* A community's signature (its planted truth). */
typedef struct pl_gen_community {
	uint32_t experiences, substances, goals;
	int pathway;
	int spanish, virtual_first;
	double centroid[PL_GEN_NTRAITS];
	double mentee_share, mentor_share;
} pl_gen_community;

typedef struct pl_gen_program {
	pl_gen_person *mentees, *mentors, *clients;
	size_t nmentees, nmentors, nclients;
	pl_gen_community *communities;
	size_t ncommunities;
} pl_gen_program;

/* Draw a program: mentees, mentors and clients in that order, then couples (mentees, clients)
 * and excludes. *out is new (pl_gen_program_free). */
pl_status pl_gen_program_new(const pl_gen_profiles_params *p, gsl_rng *rng, pl_gen_program **out,
			     pl_error *err);
void pl_gen_program_free(pl_gen_program *prog);

#ifdef __cplusplus
}
#endif
#endif
