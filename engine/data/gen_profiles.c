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
 *
 * The generator fills plain structs (pl_gen_program); the JSON layer (engine/json/gen.c) writes
 * them as a program document.
 */
#include <peerlink/gen.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <peerlink/rng.h>

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
static const char *const traits[PL_GEN_NTRAITS] = { "openness", "conscientiousness",
						    "extraversion", "agreeableness", "neuroticism" };
static const char *const life_stages[] = { "young_adult", "early_career", "midlife",
					   "older_adult", "parent", "student" };
static const char *const days7[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
static const char *const parts[] = { "am", "pm", "eve" };

#define NEXP (sizeof(experiences) / sizeof(experiences[0]))
#define NSUB (sizeof(substances) / sizeof(substances[0]))
#define NGOAL (sizeof(goals) / sizeof(goals[0]))
#define NPATH (sizeof(pathways) / sizeof(pathways[0]))
#define MAXK 64
#define STAGE_PARENT 4
#define STAGE_STUDENT 5
#define EXP_PARENTING 2 /* index of "parenting" in experiences[] */

size_t pl_gen_vocab_size(pl_gen_vocab v)
{
	static const size_t sizes[PL_GEN_VOCABS] = { NEXP, NSUB, NGOAL, NPATH, PL_GEN_NTRAITS, 6 };
	return (int)v >= 0 && v < PL_GEN_VOCABS ? sizes[v] : 0;
}

const char *pl_gen_vocab_name(pl_gen_vocab v, size_t k)
{
	if (k >= pl_gen_vocab_size(v))
		return "";
	switch (v) {
	case PL_GEN_EXPERIENCES: return experiences[k].tag;
	case PL_GEN_SUBSTANCES: return substances[k].tag;
	case PL_GEN_GOALS: return goals[k].tag;
	case PL_GEN_PATHWAYS: return pathways[k].tag;
	case PL_GEN_TRAITS: return traits[k];
	case PL_GEN_LIFE_STAGES: return life_stages[k];
	case PL_GEN_VOCABS: break;
	}
	return "";
}

void pl_gen_slot_name(int s, char *buf)
{
	if (s < 0 || s >= PL_GEN_NSLOTS) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, 8, "%s_%s", days7[s / 3], parts[s % 3]);
}

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

#define L(f, lo, hi) { #f, offsetof(pl_gen_profiles_params, f), PL_GEN_PARAM_LONG, lo, hi }
#define R(f, lo, hi) { #f, offsetof(pl_gen_profiles_params, f), PL_GEN_PARAM_REAL, lo, hi }

static const pl_gen_param params_table[] = {
	L(mentees, 0, 1e6),
	L(mentors, 0, 1e6),
	L(clients, 0, 1e6),
	L(communities, 1, MAXK),
	R(structure, 0, 1),
	R(signature_probability, 0, 1),
	L(capacity_max, 1, 100),
	R(couple_fraction, 0, 1),
	R(exclude_fraction, 0, 1),
	R(same_gender_preference, 0, 1),
	R(age_range_fraction, 0, 1),
};

#undef L
#undef R

const pl_gen_param *pl_gen_profiles_params_table(size_t *n)
{
	*n = sizeof(params_table) / sizeof(params_table[0]);
	return params_table;
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* Include each tag with the community-mixed probability of the header comment. */
static uint32_t draw_tags(gsl_rng *r, const tagfreq *tf, size_t n, uint32_t sig, double s,
			  double sigp)
{
	uint32_t mask = 0;
	for (size_t k = 0; k < n; k++) {
		double g = (sig >> k & 1u) ? sigp : tf[k].f / 2, pr = (1 - s) * tf[k].f + s * g;
		if (gsl_rng_uniform(r) < pr)
			mask |= 1u << k;
	}
	return mask;
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

static void make_communities(gsl_rng *r, size_t K, pl_gen_community *c)
{
	for (size_t k = 0; k < K; k++) {
		memset(&c[k], 0, sizeof(c[k]));
		/* two signature experiences, one or two substances, two goals */
		for (int j = 0; j < 2; j++)
			c[k].experiences |= 1u << gsl_rng_uniform_int(r, NEXP);
		c[k].substances |= 1u << draw_freq(r, substances, NSUB);
		if (gsl_rng_uniform(r) < 0.5)
			c[k].substances |= 1u << gsl_rng_uniform_int(r, NSUB);
		for (int j = 0; j < 2; j++)
			c[k].goals |= 1u << gsl_rng_uniform_int(r, NGOAL);
		c[k].pathway = (int)draw_freq(r, pathways, NPATH);
		for (int j = 0; j < PL_GEN_NTRAITS; j++)
			c[k].centroid[j] = 0.2 + 0.6 * gsl_rng_uniform(r);
		c[k].spanish = gsl_rng_uniform(r) < 0.15;
		c[k].virtual_first = gsl_rng_uniform(r) < 0.3;
	}
}

/* Tags, pathway and personality: the community-driven part of a person. */
static void draw_traits(gsl_rng *r, const pl_gen_profiles_params *p, const pl_gen_community *c,
			pl_gen_person *o)
{
	double s = p->structure, sigp = p->signature_probability;

	o->experiences = draw_tags(r, experiences, NEXP, c->experiences, s, sigp);
	o->substances = draw_tags(r, substances, NSUB, c->substances, s, sigp);
	o->goals = draw_tags(r, goals, NGOAL, c->goals, s, sigp);
	o->pathway = gsl_rng_uniform(r) < s ? c->pathway : (int)draw_freq(r, pathways, NPATH);
	for (int j = 0; j < PL_GEN_NTRAITS; j++)
		o->personality[j] = round(100 * clamp01(c->centroid[j] + gsl_ran_gaussian(r, 0.12))) / 100;
}

/* Age, life stage, gender and its preference, age range. role 1 = mentor. */
static void draw_demographics(gsl_rng *r, const pl_gen_profiles_params *p,
			      const pl_gen_community *c, int role, pl_gen_person *o)
{
	double age, u;

	/* mentors are alumni: older on average */
	age = role == 1 ? 28 + gsl_ran_gamma(r, 4.0, 5.0) : 18 + gsl_ran_gamma(r, 3.0, 6.0);
	if (age > 80)
		age = 80;
	o->age = (int)floor(age);
	o->life_stage = 1u << (o->age < 26 ? 0 : o->age < 40 ? 1 : o->age < 60 ? 2 : 3);
	if ((c->experiences >> EXP_PARENTING & 1u) || gsl_rng_uniform(r) < 0.15)
		if (o->age >= 22 && o->age < 55)
			o->life_stage |= 1u << STAGE_PARENT;
	if (o->age < 30 && gsl_rng_uniform(r) < 0.2)
		o->life_stage |= 1u << STAGE_STUDENT;
	u = gsl_rng_uniform(r);
	o->gender = u < 0.60 ? 0 : u < 0.98 ? 1 : 2;
	/* women ask for a same-gender peer more often (common practice in recovery programs) */
	o->same_gender = gsl_rng_uniform(r) < p->same_gender_preference * (o->gender == 1 ? 1.6 : 0.6);
	if (gsl_rng_uniform(r) < p->age_range_fraction) {
		o->has_age_range = 1;
		o->age_lo = o->age - 15 > 18 ? o->age - 15 : 18;
		o->age_hi = o->age + 20;
	}
}

/* Languages, modalities and weekly availability. */
static void draw_logistics(gsl_rng *r, const pl_gen_community *c, pl_gen_person *o)
{
	double u;

	if (c->spanish) {
		o->english = gsl_rng_uniform(r) < 0.7;
		o->spanish = 1;
	} else {
		o->english = 1;
		o->spanish = gsl_rng_uniform(r) < 0.08;
	}
	u = gsl_rng_uniform(r);
	o->in_person = c->virtual_first ? u < 0.8 : u < 0.75;
	o->virtual_ = c->virtual_first ? u > 0.2 : u > 0.25 && u < 0.85;
	if (!o->in_person && !o->virtual_)
		o->in_person = 1;
	for (int d = 0; d < 7; d++)
		for (int q = 0; q < 3; q++) {
			double pr = d >= 5 ? 0.3 : q == 2 ? 0.5 : 0.25;
			if (gsl_rng_uniform(r) < pr)
				o->availability |= 1u << (3 * d + q);
		}
}

/* One person of community k. role: 0 mentee, 1 mentor, 2 client. The order of the draws is part
 * of the seed contract. */
static void draw_person(gsl_rng *r, const pl_gen_profiles_params *p, const pl_gen_community *c,
			int k, int role, pl_gen_person *o)
{
	o->community = k;
	o->partner = o->exclude = -1;
	draw_traits(r, p, c, o);
	draw_demographics(r, p, c, role, o);
	draw_logistics(r, c, o);
	if (role == 1)
		o->capacity = 1 + (long)gsl_rng_uniform_int(r, (unsigned long)p->capacity_max);
}

static void draw_list(gsl_rng *r, const pl_gen_profiles_params *p, const pl_gen_program *prog,
		      gsl_ran_discrete_t *share, int role, const char *prefix, pl_gen_person *list,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int k = (int)gsl_ran_discrete(r, share);
		snprintf(list[i].id, sizeof(list[i].id), "%s%04zu", prefix, i + 1);
		draw_person(r, p, &prog->communities[k], k, role, &list[i]);
	}
}

/* Couples in treatment together: pair up people of one list, both sides naming each other. */
static pl_status make_couples(gsl_rng *r, pl_gen_person *list, size_t n, double fraction)
{
	size_t pairs = (size_t)floor(fraction * (double)n / 2.0 + 0.5);
	size_t *perm;

	/* rounding half up asks for one pair too many when n is odd and fraction is near 1 */
	if (pairs > n / 2)
		pairs = n / 2;
	if (pairs == 0)
		return PL_OK;
	perm = malloc(n * sizeof(*perm));
	if (!perm)
		return PL_ERR_NOMEM;
	for (size_t k = 0; k < n; k++)
		perm[k] = k;
	gsl_ran_shuffle(r, perm, n, sizeof(*perm));
	for (size_t k = 0; k < pairs; k++) {
		list[perm[2 * k]].partner = (long)perm[2 * k + 1];
		list[perm[2 * k + 1]].partner = (long)perm[2 * k];
	}
	free(perm);
	return PL_OK;
}

void pl_gen_program_free(pl_gen_program *prog)
{
	if (!prog)
		return;
	free(prog->mentees);
	free(prog->mentors);
	free(prog->clients);
	free(prog->communities);
	free(prog);
}

static pl_gen_program *program_alloc(const pl_gen_profiles_params *p)
{
	pl_gen_program *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->nmentees = (size_t)p->mentees;
	g->nmentors = (size_t)p->mentors;
	g->nclients = (size_t)p->clients;
	g->ncommunities = (size_t)p->communities;
	g->mentees = calloc(g->nmentees + 1, sizeof(pl_gen_person));
	g->mentors = calloc(g->nmentors + 1, sizeof(pl_gen_person));
	g->clients = calloc(g->nclients + 1, sizeof(pl_gen_person));
	g->communities = calloc(g->ncommunities + 1, sizeof(pl_gen_community));
	if (!g->mentees || !g->mentors || !g->clients || !g->communities) {
		pl_gen_program_free(g);
		return NULL;
	}
	return g;
}

pl_status pl_gen_program_new(const pl_gen_profiles_params *p, gsl_rng *r, pl_gen_program **out,
			     pl_error *err)
{
	size_t K = (size_t)p->communities;
	double alpha[MAXK], share_mentee[MAXK], share_mentor[MAXK];
	gsl_ran_discrete_t *dme = NULL, *dmo = NULL;
	pl_gen_program *g;
	pl_status st = PL_ERR_NOMEM;

	*out = NULL;
	/* capacity_max and mentors are ranges of gsl_rng_uniform_int, which calls GSL's error
	 * handler (aborting by default) for 0 or past 2^32: a program may fill the struct itself */
	if (K < 1 || K > MAXK || p->mentees < 0 || p->mentors < 0 || p->clients < 0 ||
	    p->capacity_max < 1 || p->capacity_max > 0xffffffffL || p->mentors > 0xffffffffL)
		return pl_error_set(err, PL_ERR_INVALID, "", "generator parameters out of range");
	g = program_alloc(p);
	if (!g)
		goto done;
	make_communities(r, K, g->communities);
	for (size_t k = 0; k < K; k++)
		alpha[k] = 2.0;
	gsl_ran_dirichlet(r, K, alpha, share_mentee);
	gsl_ran_dirichlet(r, K, alpha, share_mentor);
	for (size_t k = 0; k < K; k++) {
		g->communities[k].mentee_share = share_mentee[k];
		g->communities[k].mentor_share = share_mentor[k];
	}
	dme = pl_rng_discrete_new(K, share_mentee);
	dmo = pl_rng_discrete_new(K, share_mentor);
	if (!dme || !dmo)
		goto done;
	draw_list(r, p, g, dme, 0, "m", g->mentees, g->nmentees);
	draw_list(r, p, g, dmo, 1, "p", g->mentors, g->nmentors);
	draw_list(r, p, g, dme, 2, "c", g->clients, g->nclients);
	if (make_couples(r, g->mentees, g->nmentees, p->couple_fraction) != PL_OK ||
	    make_couples(r, g->clients, g->nclients, p->couple_fraction) != PL_OK)
		goto done;
	/* a few mentees must not meet a given mentor (a prior relationship, a conflict) */
	for (size_t i = 0; g->nmentors > 0 && i < g->nmentees; i++)
		if (gsl_rng_uniform(r) < p->exclude_fraction)
			g->mentees[i].exclude = (long)gsl_rng_uniform_int(r, (unsigned long)g->nmentors);
	*out = g;
	g = NULL;
	st = PL_OK;
done:
	pl_rng_discrete_free(dme);
	pl_rng_discrete_free(dmo);
	pl_gen_program_free(g);
	return st == PL_OK ? PL_OK : pl_error_set(err, st, "", "out of memory generating profiles");
}
