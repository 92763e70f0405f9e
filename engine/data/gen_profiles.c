/*
 * gen_profiles.c: a generator of matching programs (mentees, mentors with capacities, clients for
 * buddies and groups) with realistic tag frequencies and a planted community structure, so that a
 * matcher can be judged against a known truth (docs/datasets.md, "Matching programs").
 *
 * Model: K latent communities (a stochastic block model on attributes rather than on edges, in
 * the spirit of Holland, Laskey & Leinhardt 1983). Each community has signature tags per
 * criterion, a recovery pathway and a personality centroid. A person of community k includes each
 * tag with probability (1 - s) * f(tag) + s * g_k(tag), where f is the tag's population frequency,
 * g_k(tag) = sig_p for a signature tag and f(tag)/2 otherwise, and s is the `structure` strength;
 * their pathway is the community's with probability s; their personality is the centroid plus
 * N(0, 0.12^2) noise. Mentee and mentor community shares differ (both Dirichlet(2)), so some
 * communities have few mentor seats: matching each mentee greedily to their favourite free mentor
 * uses scarce seats badly, and an optimal matcher keeps measurably more pairs inside their
 * community. Each person's community is written under "extra": {"community": k}, which matchers
 * ignore.
 */
#include <peerlink/gen.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

typedef struct tagfreq {
	const char *tag;
	double f; /* share of people with the tag */
} tagfreq;

/* Frequencies are rough shares among people in US outpatient treatment (SAMHSA TEDS and NSDUH
 * orders of magnitude); they are for realism of the mix, not for inference. */
static const tagfreq experiences[] = {
	{ "trauma", 0.50 }, { "dual_diagnosis", 0.40 }, { "parenting", 0.30 }, { "grief", 0.20 },
	{ "incarceration", 0.20 }, { "homelessness", 0.15 }, { "chronic_pain", 0.10 },
	{ "lgbtq", 0.10 }, { "veteran", 0.08 }, { "domestic_violence", 0.12 },
};
static const tagfreq substances[] = {
	{ "alcohol", 0.50 }, { "opioids", 0.30 }, { "cannabis", 0.30 }, { "methamphetamine", 0.18 },
	{ "cocaine", 0.15 }, { "benzodiazepines", 0.08 }, { "nicotine", 0.40 },
};
static const tagfreq goals[] = {
	{ "employment", 0.40 }, { "family", 0.40 }, { "health", 0.30 }, { "housing", 0.25 },
	{ "education", 0.15 }, { "legal", 0.10 }, { "spirituality", 0.10 }, { "finances", 0.20 },
};
static const tagfreq pathways[] = {
	{ "twelve_step", 0.45 }, { "medication_assisted", 0.25 }, { "smart", 0.15 },
	{ "faith_based", 0.10 }, { "secular", 0.05 },
};
static const char *const traits[] = { "openness", "conscientiousness", "extraversion",
				      "agreeableness", "neuroticism" };
static const char *const days7[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
static const char *const parts[] = { "am", "pm", "eve" };

#define NEXP (sizeof(experiences) / sizeof(experiences[0]))
#define NSUB (sizeof(substances) / sizeof(substances[0]))
#define NGOAL (sizeof(goals) / sizeof(goals[0]))
#define NPATH (sizeof(pathways) / sizeof(pathways[0]))
#define NTRAIT 5
#define NSLOT 21
#define MAXK 64

typedef struct community {
	uint8_t sig_exp[NEXP], sig_sub[NSUB], sig_goal[NGOAL];
	int pathway;
	double centroid[NTRAIT];
	int spanish; /* a Spanish-speaking community */
	int virtual_first;
} community;

void pl_gen_profiles_params_init(pl_gen_profiles_params *p)
{
	memset(p, 0, sizeof(*p));
	p->mentees = 40;
	p->mentors = 12;
	p->clients = 0;
	p->communities = 6;
	p->structure = 0.7;
	p->signature_probability = 0.9;
	p->capacity_max = 4;
	p->couple_fraction = 0.06;
	p->exclude_fraction = 0.03;
	p->same_gender_preference = 0.35;
	p->age_range_fraction = 0.25;
}

static const struct {
	const char *name;
	size_t off;
	int integer;
	double lo, hi;
} ptab[] = {
	{ "mentees", offsetof(pl_gen_profiles_params, mentees), 1, 0, 1e6 },
	{ "mentors", offsetof(pl_gen_profiles_params, mentors), 1, 0, 1e6 },
	{ "clients", offsetof(pl_gen_profiles_params, clients), 1, 0, 1e6 },
	{ "communities", offsetof(pl_gen_profiles_params, communities), 1, 1, MAXK },
	{ "structure", offsetof(pl_gen_profiles_params, structure), 0, 0, 1 },
	{ "signature_probability", offsetof(pl_gen_profiles_params, signature_probability), 0, 0, 1 },
	{ "capacity_max", offsetof(pl_gen_profiles_params, capacity_max), 1, 1, 100 },
	{ "couple_fraction", offsetof(pl_gen_profiles_params, couple_fraction), 0, 0, 1 },
	{ "exclude_fraction", offsetof(pl_gen_profiles_params, exclude_fraction), 0, 0, 1 },
	{ "same_gender_preference", offsetof(pl_gen_profiles_params, same_gender_preference), 0, 0, 1 },
	{ "age_range_fraction", offsetof(pl_gen_profiles_params, age_range_fraction), 0, 0, 1 },
};
#define NPTAB (sizeof(ptab) / sizeof(ptab[0]))

pl_status pl_gen_profiles_params_from_json(pl_gen_profiles_params *p, json_t *obj, const char *ptr,
					   pl_error *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return pl_error_set(err, PL_ERR_INVALID, ptr, "the parameters must be a JSON object");
	json_object_foreach(obj, key, v) {
		char where[PL_POINTER_MAX];
		size_t k;

		snprintf(where, sizeof(where), "%s", ptr);
		pl_pointer_append(where, sizeof(where), key);
		for (k = 0; k < NPTAB && strcmp(ptab[k].name, key) != 0; k++)
			;
		if (k == NPTAB)
			return pl_error_set(err, PL_ERR_INVALID, where, "unknown generator parameter");
		if (ptab[k].integer) {
			if (!json_is_integer(v) || (double)json_integer_value(v) < ptab[k].lo ||
			    (double)json_integer_value(v) > ptab[k].hi)
				return pl_error_set(err, PL_ERR_INVALID, where,
						    "parameter '%s' must be an integer in [%g, %g]", key,
						    ptab[k].lo, ptab[k].hi);
			*(long *)(void *)((char *)p + ptab[k].off) = (long)json_integer_value(v);
		} else {
			if (!json_is_number(v) || json_number_value(v) < ptab[k].lo ||
			    json_number_value(v) > ptab[k].hi)
				return pl_error_set(err, PL_ERR_INVALID, where,
						    "parameter '%s' must be a number in [%g, %g]", key,
						    ptab[k].lo, ptab[k].hi);
			*(double *)(void *)((char *)p + ptab[k].off) = json_number_value(v);
		}
	}
	return PL_OK;
}

json_t *pl_gen_profiles_params_to_json(const pl_gen_profiles_params *p)
{
	json_t *o = json_object();
	for (size_t k = 0; k < NPTAB; k++) {
		const char *f = (const char *)p + ptab[k].off;
		json_object_set_new(o, ptab[k].name,
				    ptab[k].integer ? json_integer(*(const long *)(const void *)f)
						    : json_real(*(const double *)(const void *)f));
	}
	return o;
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* Include each tag with the community-mixed probability of the header comment. */
static json_t *draw_tags(gsl_rng *r, const tagfreq *tf, size_t n, const uint8_t *sig, double s,
			 double sigp)
{
	json_t *arr = json_array();
	for (size_t k = 0; k < n; k++) {
		double g = sig[k] ? sigp : tf[k].f / 2, pr = (1 - s) * tf[k].f + s * g;
		if (gsl_rng_uniform(r) < pr)
			json_array_append_new(arr, json_string(tf[k].tag));
	}
	return arr;
}

static size_t draw_freq(gsl_rng *r, const tagfreq *tf, size_t n)
{
	double tot = 0, u;
	for (size_t k = 0; k < n; k++)
		tot += tf[k].f;
	u = gsl_rng_uniform(r) * tot;
	for (size_t k = 0; k < n; k++) {
		if (u < tf[k].f)
			return k;
		u -= tf[k].f;
	}
	return n - 1;
}

static void make_communities(gsl_rng *r, size_t K, community *c)
{
	for (size_t k = 0; k < K; k++) {
		memset(&c[k], 0, sizeof(c[k]));
		/* two signature experiences, one or two substances, two goals */
		for (int j = 0; j < 2; j++)
			c[k].sig_exp[gsl_rng_uniform_int(r, NEXP)] = 1;
		c[k].sig_sub[draw_freq(r, substances, NSUB)] = 1;
		if (gsl_rng_uniform(r) < 0.5)
			c[k].sig_sub[gsl_rng_uniform_int(r, NSUB)] = 1;
		for (int j = 0; j < 2; j++)
			c[k].sig_goal[gsl_rng_uniform_int(r, NGOAL)] = 1;
		c[k].pathway = (int)draw_freq(r, pathways, NPATH);
		for (int j = 0; j < NTRAIT; j++)
			c[k].centroid[j] = 0.2 + 0.6 * gsl_rng_uniform(r);
		c[k].spanish = gsl_rng_uniform(r) < 0.15;
		c[k].virtual_first = gsl_rng_uniform(r) < 0.3;
	}
}

static json_t *tag_names(const tagfreq *tf, size_t n, const uint8_t *sig)
{
	json_t *arr = json_array();
	for (size_t k = 0; k < n; k++)
		if (sig[k])
			json_array_append_new(arr, json_string(tf[k].tag));
	return arr;
}

/* One person. role: 0 mentee, 1 mentor, 2 client. */
static json_t *draw_person(gsl_rng *r, const pl_gen_profiles_params *p, const community *c,
			   int k, int role, const char *id)
{
	json_t *o = json_object(), *pers = json_object(), *arr, *extra = json_object();
	double s = p->structure, age, u;
	const char *gender;
	int g;

	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "experiences",
			    draw_tags(r, experiences, NEXP, c->sig_exp, s, p->signature_probability));
	json_object_set_new(o, "substances",
			    draw_tags(r, substances, NSUB, c->sig_sub, s, p->signature_probability));
	json_object_set_new(o, "goals", draw_tags(r, goals, NGOAL, c->sig_goal, s, p->signature_probability));
	json_object_set_new(o, "recovery_pathway",
			    json_string(pathways[gsl_rng_uniform(r) < s ? (size_t)c->pathway
									  : draw_freq(r, pathways, NPATH)].tag));
	for (int j = 0; j < NTRAIT; j++)
		json_object_set_new(pers, traits[j],
				    json_real(round(100 * clamp01(c->centroid[j] + gsl_ran_gaussian(r, 0.12))) / 100));
	json_object_set_new(o, "personality", pers);
	/* mentors are alumni: older on average */
	age = role == 1 ? 28 + gsl_ran_gamma(r, 4.0, 5.0) : 18 + gsl_ran_gamma(r, 3.0, 6.0);
	if (age > 80)
		age = 80;
	age = floor(age);
	json_object_set_new(o, "age", json_integer((json_int_t)age));
	arr = json_array();
	if (age < 26)
		json_array_append_new(arr, json_string("young_adult"));
	else if (age < 60)
		json_array_append_new(arr, json_string(age < 40 ? "early_career" : "midlife"));
	else
		json_array_append_new(arr, json_string("older_adult"));
	if (c->sig_exp[2] /* parenting */ || gsl_rng_uniform(r) < 0.15)
		if (age >= 22 && age < 55)
			json_array_append_new(arr, json_string("parent"));
	if (age < 30 && gsl_rng_uniform(r) < 0.2)
		json_array_append_new(arr, json_string("student"));
	json_object_set_new(o, "life_stage", arr);
	u = gsl_rng_uniform(r);
	g = u < 0.60 ? 0 : u < 0.98 ? 1 : 2;
	gender = g == 0 ? "man" : g == 1 ? "woman" : "nonbinary";
	json_object_set_new(o, "gender", json_string(gender));
	/* women ask for a same-gender peer more often (common practice in recovery programs) */
	json_object_set_new(o, "gender_preference",
			    json_string(gsl_rng_uniform(r) < p->same_gender_preference * (g == 1 ? 1.6 : 0.6)
					? "same" : "any"));
	if (gsl_rng_uniform(r) < p->age_range_fraction) {
		json_t *ar = json_array();
		json_array_append_new(ar, json_integer((json_int_t)fmax(18, age - 15)));
		json_array_append_new(ar, json_integer((json_int_t)(age + 20)));
		json_object_set_new(o, "age_range", ar);
	}
	arr = json_array();
	if (c->spanish) {
		if (gsl_rng_uniform(r) < 0.7)
			json_array_append_new(arr, json_string("english"));
		json_array_append_new(arr, json_string("spanish"));
	} else {
		json_array_append_new(arr, json_string("english"));
		if (gsl_rng_uniform(r) < 0.08)
			json_array_append_new(arr, json_string("spanish"));
	}
	json_object_set_new(o, "languages", arr);
	arr = json_array();
	u = gsl_rng_uniform(r);
	if (c->virtual_first ? u < 0.8 : u < 0.75)
		json_array_append_new(arr, json_string("in_person"));
	if (c->virtual_first ? u > 0.2 : u > 0.25 && u < 0.85)
		json_array_append_new(arr, json_string("virtual"));
	if (json_array_size(arr) == 0)
		json_array_append_new(arr, json_string("in_person"));
	json_object_set_new(o, "modalities", arr);
	arr = json_array();
	for (int d = 0; d < 7; d++)
		for (int q = 0; q < 3; q++) {
			double pr = d >= 5 ? 0.3 : q == 2 ? 0.5 : 0.25;
			if (gsl_rng_uniform(r) < pr) {
				char slot[16];
				snprintf(slot, sizeof(slot), "%s_%s", days7[d], parts[q]);
				json_array_append_new(arr, json_string(slot));
			}
		}
	json_object_set_new(o, "availability", arr);
	if (role == 1)
		json_object_set_new(o, "capacity",
				    json_integer(1 + (json_int_t)gsl_rng_uniform_int(r, (unsigned long)p->capacity_max)));
	json_object_set_new(extra, "community", json_integer(k));
	json_object_set_new(o, "extra", extra);
	return o;
}

/* Couples in treatment together: pair up people of one list, both sides naming each other. */
static void make_couples(gsl_rng *r, json_t *list, double fraction)
{
	size_t n = json_array_size(list), pairs = (size_t)floor(fraction * (double)n / 2.0 + 0.5);
	size_t *perm;

	/* rounding half up asks for one pair too many when n is odd and fraction is near 1 */
	if (pairs > n / 2)
		pairs = n / 2;
	if (pairs == 0)
		return;
	perm = malloc(n * sizeof(*perm));
	if (!perm)
		return;
	for (size_t k = 0; k < n; k++)
		perm[k] = k;
	gsl_ran_shuffle(r, perm, n, sizeof(*perm));
	for (size_t k = 0; k < pairs; k++) {
		json_t *a = json_array_get(list, perm[2 * k]), *b = json_array_get(list, perm[2 * k + 1]);
		json_object_set(a, "partner_id", json_object_get(b, "id"));
		json_object_set(b, "partner_id", json_object_get(a, "id"));
	}
	free(perm);
}

pl_status pl_gen_profiles(const pl_gen_profiles_params *p, gsl_rng *r, json_t **out, pl_error *err)
{
	size_t K = (size_t)p->communities;
	community com[MAXK];
	double alpha[MAXK], share_mentee[MAXK], share_mentor[MAXK];
	json_t *doc, *mentees = json_array(), *mentors = json_array(), *clients = json_array(), *cj;
	gsl_ran_discrete_t *dme = NULL, *dmo = NULL;

	*out = NULL;
	make_communities(r, K, com);
	for (size_t k = 0; k < K; k++)
		alpha[k] = 2.0;
	gsl_ran_dirichlet(r, K, alpha, share_mentee);
	gsl_ran_dirichlet(r, K, alpha, share_mentor);
	dme = gsl_ran_discrete_preproc(K, share_mentee);
	dmo = gsl_ran_discrete_preproc(K, share_mentor);
	if (!dme || !dmo || !mentees || !mentors || !clients) {
		gsl_ran_discrete_free(dme);
		gsl_ran_discrete_free(dmo);
		json_decref(mentees);
		json_decref(mentors);
		json_decref(clients);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory generating profiles");
	}
	for (long i = 0; i < p->mentees; i++) {
		char id[32];
		int k = (int)gsl_ran_discrete(r, dme);
		snprintf(id, sizeof(id), "m%04ld", i + 1);
		json_array_append_new(mentees, draw_person(r, p, &com[k], k, 0, id));
	}
	for (long i = 0; i < p->mentors; i++) {
		char id[32];
		int k = (int)gsl_ran_discrete(r, dmo);
		snprintf(id, sizeof(id), "p%04ld", i + 1);
		json_array_append_new(mentors, draw_person(r, p, &com[k], k, 1, id));
	}
	for (long i = 0; i < p->clients; i++) {
		char id[32];
		int k = (int)gsl_ran_discrete(r, dme);
		snprintf(id, sizeof(id), "c%04ld", i + 1);
		json_array_append_new(clients, draw_person(r, p, &com[k], k, 2, id));
	}
	gsl_ran_discrete_free(dme);
	gsl_ran_discrete_free(dmo);
	make_couples(r, mentees, p->couple_fraction);
	make_couples(r, clients, p->couple_fraction);
	/* a few mentees must not meet a given mentor (a prior relationship, a conflict) */
	if (p->mentors > 0) {
		for (size_t i = 0; i < json_array_size(mentees); i++) {
			if (gsl_rng_uniform(r) < p->exclude_fraction) {
				json_t *ex = json_array();
				size_t j = gsl_rng_uniform_int(r, (unsigned long)p->mentors);
				json_array_append(ex, json_object_get(json_array_get(mentors, j), "id"));
				json_object_set_new(json_array_get(mentees, i), "exclude", ex);
			}
		}
	}
	doc = json_object();
	json_object_set_new(doc, "mentees", mentees);
	json_object_set_new(doc, "mentors", mentors);
	if (p->clients > 0)
		json_object_set_new(doc, "clients", clients);
	else
		json_decref(clients);
	cj = json_array();
	for (size_t k = 0; k < K; k++) {
		json_t *c = json_object();
		json_object_set_new(c, "community", json_integer((json_int_t)k));
		json_object_set_new(c, "experiences", tag_names(experiences, NEXP, com[k].sig_exp));
		json_object_set_new(c, "substances", tag_names(substances, NSUB, com[k].sig_sub));
		json_object_set_new(c, "goals", tag_names(goals, NGOAL, com[k].sig_goal));
		json_object_set_new(c, "recovery_pathway", json_string(pathways[com[k].pathway].tag));
		json_object_set_new(c, "spanish", json_boolean(com[k].spanish));
		json_object_set_new(c, "mentee_share", json_real(round(1e4 * share_mentee[k]) / 1e4));
		json_object_set_new(c, "mentor_share", json_real(round(1e4 * share_mentor[k]) / 1e4));
		json_array_append_new(cj, c);
	}
	json_object_set_new(doc, "communities", cj);
	*out = doc;
	return PL_OK;
}
