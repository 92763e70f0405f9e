/*
 * profiles.c: the JSON layer for matching programs: profiles, weights and constraints from a
 * document, the [[id, id], ...] pair lists of the `match` requests, and the readable reasons of
 * a pair, shared by `compat` and the `match` subcommands (peerlink/json_match.h).
 *
 * Every field is checked here with its JSON Pointer (e.g. /mentees/3/age_range/1) so that the
 * library can assume well-typed input; the checks that need the whole population (duplicate and
 * unknown ids, personality traits) run in pl_profiles_finalize, which reports the same pointers
 * through each profile's origin. No message quotes a value: field names, ids and the
 * vocabulary of allowed keywords only.
 */
#define _POSIX_C_SOURCE 200809L
#include "match_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pl_status bad(pl_error *err, const char *ptr, const char *key, const char *msg)
{
	char p[PL_POINTER_MAX];
	return pl_error_set(err, PL_ERR_INVALID, key ? pl_json_ptr(p, sizeof(p), ptr, key) : ptr, "%s", msg);
}

/* The error of tag k of ptr/key; the pointer is spelled out only here, not for every tag read. */
/* The tag at ptr/key/k is refused: `msg` says why, or, when vocab names a criterion, the tag is
 * not in that criterion's vocabulary. Literal formats only (-Wformat-nonliteral). */
static pl_status bad_tag(pl_error *err, const char *ptr, const char *key, size_t k, const char *msg,
			 const char *vocab)
{
	char fp[PL_POINTER_MAX], ep[PL_POINTER_MAX];

	pl_json_ptr(fp, sizeof(fp), ptr, key);
	pl_json_ptr_index(ep, sizeof(ep), fp, k);
	if (vocab)
		return pl_error_set(err, PL_ERR_INVALID, ep,
				    "this tag is not in the program's vocabulary for %s (/vocabulary/%s)",
				    vocab, vocab);
	return pl_error_set(err, PL_ERR_INVALID, ep, "%s", msg);
}

/* An array of non-empty strings, each added as a tag of criterion c. */
static pl_status read_tags(pl_profiles *P, size_t idx, json_t *prof, const char *ptr,
			   const char *key, pl_criterion c, pl_error *err)
{
	json_t *arr = NULL;
	pl_status st = pl_json_get_array(prof, key, ptr, 0, &arr, err);

	if (st != PL_OK || !arr)
		return st;
	for (size_t k = 0; k < json_array_size(arr); k++) {
		json_t *t = json_array_get(arr, k);
		const char *s;
		if (!json_is_string(t) || json_string_length(t) == 0)
			return bad_tag(err, ptr, key, k, "tags must be non-empty strings", NULL);
		s = json_string_value(t);
		if (c == PL_CRIT_MODALITIES && strcmp(s, "in_person") != 0 && strcmp(s, "virtual") != 0)
			return bad_tag(err, ptr, key, k, "modalities must be \"in_person\" or \"virtual\"", NULL);
		if (!pl_profiles_allowed(P, (int)c, s))
			return bad_tag(err, ptr, key, k, NULL, pl_criterion_name(c));
		st = pl_profile_add_tag(P, idx, c, s, err);
		if (st != PL_OK)
			return st;
	}
	return PL_OK;
}

static const char *const mentee_keys[] = {
	"id", "experiences", "substances", "goals", "recovery_pathway", "life_stage",
	"personality", "age", "gender", "gender_preference", "age_range", "languages",
	"modalities", "availability", "partner_id", "exclude", "extra",
	"social_anxiety", "max_group_size", "exposure", /* groups: read_group_fields, json/exposure.c */
	"prefers", "avoid", "priority", "months_in_recovery", NULL
};
static const char *const mentor_keys[] = {
	"id", "experiences", "substances", "goals", "recovery_pathway", "life_stage",
	"personality", "age", "gender", "gender_preference", "age_range", "languages",
	"modalities", "availability", "partner_id", "exclude", "extra", "capacity",
	"social_anxiety", "max_group_size", "exposure", /* groups: read_group_fields, json/exposure.c */
	"prefers", "avoid", "months_in_recovery", NULL
};

/* The tag lists, and recovery_pathway: one tag, or an array of tags for someone on two
 * pathways. */
static pl_status read_tag_fields(pl_profiles *P, size_t idx, json_t *prof, const char *ptr,
				 pl_error *err)
{
	static const struct { const char *key; pl_criterion c; } tag_fields[] = {
		{ "experiences", PL_CRIT_EXPERIENCES }, { "substances", PL_CRIT_SUBSTANCES },
		{ "goals", PL_CRIT_GOALS }, { "life_stage", PL_CRIT_LIFE_STAGE },
		{ "languages", PL_CRIT_LANGUAGES }, { "modalities", PL_CRIT_MODALITIES },
		{ "availability", PL_CRIT_AVAILABILITY },
	};
	json_t *v;
	pl_status st;

	for (size_t k = 0; k < sizeof(tag_fields) / sizeof(tag_fields[0]); k++) {
		st = read_tags(P, idx, prof, ptr, tag_fields[k].key, tag_fields[k].c, err);
		if (st != PL_OK)
			return st;
	}
	v = json_object_get(prof, "recovery_pathway");
	if (json_is_string(v)) {
		if (json_string_length(v) == 0)
			return bad(err, ptr, "recovery_pathway", "tags must be non-empty strings");
		if (!pl_profiles_allowed(P, PL_CRIT_RECOVERY_PATHWAY, json_string_value(v)))
			return bad(err, ptr, "recovery_pathway",
				   "this tag is not in the program's vocabulary for recovery_pathway "
				   "(/vocabulary/recovery_pathway)");
		return pl_profile_add_tag(P, idx, PL_CRIT_RECOVERY_PATHWAY, json_string_value(v), err);
	}
	if (json_is_array(v))
		return read_tags(P, idx, prof, ptr, "recovery_pathway", PL_CRIT_RECOVERY_PATHWAY, err);
	if (v && !json_is_null(v))
		return bad(err, ptr, "recovery_pathway", "recovery_pathway must be a tag or an array of tags");
	return PL_OK;
}

static pl_status read_personality(pl_profiles *P, size_t idx, json_t *prof, const char *ptr,
				  pl_error *err)
{
	char p[PL_POINTER_MAX];
	const char *trait;
	json_t *v = NULL, *x;
	pl_status st = pl_json_get_object(prof, "personality", ptr, 0, &v, err);

	if (st != PL_OK || !v)
		return st;
	pl_json_ptr(p, sizeof(p), ptr, "personality");
	json_object_foreach(v, trait, x) {
		if (!json_is_number(x) || !(json_number_value(x) >= 0 && json_number_value(x) <= 1))
			return bad(err, p, trait, "personality traits must be numbers in [0, 1]");
		st = pl_profile_set_trait(P, idx, trait, json_number_value(x), err);
		if (st != PL_OK)
			return st;
	}
	return PL_OK;
}

/* age, gender, gender_preference and age_range */
static pl_status read_age_gender(pl_profiles *P, size_t idx, json_t *prof, const char *ptr,
				 pl_error *err)
{
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	double age = NAN;
	const char *s = NULL;
	json_t *v = NULL;
	pl_status st = pl_json_get_number(prof, "age", ptr, 0, &age, err);

	if (st != PL_OK)
		return st;
	if (!isnan(age)) {
		if (!(age >= 0 && age < 150))
			return bad(err, ptr, "age", "age must be a number between 0 and 150");
		P->items[idx].has_age = 1;
		P->items[idx].age = age;
	}
	st = pl_json_get_string(prof, "gender", ptr, 0, &s, err);
	if (st == PL_OK && s) {
		if (!*s)
			return bad(err, ptr, "gender", "gender must be a non-empty string");
		if (!pl_profiles_allowed(P, PL_VOCAB_GENDER, s))
			return bad(err, ptr, "gender",
				   "this gender is not in the program's vocabulary (/vocabulary/gender)");
		st = pl_profile_set_gender(P, idx, s, err);
	}
	if (st != PL_OK)
		return st;
	s = NULL;
	st = pl_json_get_string(prof, "gender_preference", ptr, 0, &s, err);
	if (st == PL_OK && s) {
		if (!*s)
			return bad(err, ptr, "gender_preference",
				   "gender_preference must be \"same\", \"any\" or a gender");
		st = pl_profile_set_gender_preference(P, idx, s, err);
	}
	if (st == PL_OK)
		st = pl_json_get_array(prof, "age_range", ptr, 0, &v, err);
	if (st != PL_OK || !v)
		return st;
	pl_json_ptr(p, sizeof(p), ptr, "age_range");
	if (json_array_size(v) != 2)
		return bad(err, p, NULL, "age_range must be [min, max]");
	for (size_t k = 0; k < 2; k++)
		if (!json_is_number(json_array_get(v, k)))
			return bad(err, pl_json_ptr_index(q, sizeof(q), p, k), NULL,
				   "age_range must hold two numbers");
	P->items[idx].has_age_range = 1;
	P->items[idx].age_lo = json_number_value(json_array_get(v, 0));
	P->items[idx].age_hi = json_number_value(json_array_get(v, 1));
	return PL_OK;
}

/* An optional array of ids (exclude, prefers, avoid), each passed to add. */
static pl_status read_id_list(pl_profiles *P, size_t idx, json_t *prof, const char *ptr,
			      const char *key,
			      pl_status (*add)(pl_profiles *, size_t, const char *, pl_error *),
			      pl_error *err)
{
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX], msg[64];
	json_t *v = NULL;
	pl_status st = pl_json_get_array(prof, key, ptr, 0, &v, err);

	if (st != PL_OK || !v)
		return st;
	pl_json_ptr(p, sizeof(p), ptr, key);
	snprintf(msg, sizeof(msg), "%s must hold ids (strings)", key);
	for (size_t k = 0; k < json_array_size(v); k++) {
		json_t *x = json_array_get(v, k);
		if (!json_is_string(x))
			return bad(err, pl_json_ptr_index(q, sizeof(q), p, k), NULL, msg);
		st = add(P, idx, json_string_value(x), err);
		if (st != PL_OK)
			return st;
	}
	return PL_OK;
}

/* partner_id, exclude, prefers, avoid (ids resolved when the population is finalized) and a
 * mentee's priority */
static pl_status read_links(pl_profiles *P, size_t idx, json_t *prof, const char *ptr,
			    pl_error *err)
{
	const char *s = NULL;
	double prio = 0.0;
	pl_status st = pl_json_get_string(prof, "partner_id", ptr, 0, &s, err);

	if (st == PL_OK && s)
		st = pl_profile_set_partner(P, idx, s, err);
	if (st == PL_OK)
		st = read_id_list(P, idx, prof, ptr, "exclude", pl_profile_add_exclude, err);
	if (st == PL_OK)
		st = read_id_list(P, idx, prof, ptr, "prefers", pl_profile_add_prefers, err);
	if (st == PL_OK)
		st = read_id_list(P, idx, prof, ptr, "avoid", pl_profile_add_avoid, err);
	if (st == PL_OK)
		st = pl_json_get_number(prof, "priority", ptr, 0, &prio, err);
	if (st != PL_OK)
		return st;
	_Static_assert(PL_PRIORITY_MAX == 10, "the message below names the range");
	if (!(prio >= 0 && prio <= PL_PRIORITY_MAX))
		return bad(err, ptr, "priority", "priority must be a number from 0 to 10");
	P->items[idx].priority = prio;
	prio = NAN;
	st = pl_json_get_number(prof, "months_in_recovery", ptr, 0, &prio, err);
	if (st != PL_OK)
		return st;
	if (!isnan(prio)) {
		if (!(prio >= 0 && prio <= 1200))
			return bad(err, ptr, "months_in_recovery",
				   "months_in_recovery must be a number from 0 to 1200");
		P->items[idx].has_recovery = 1;
		P->items[idx].recovery_months = prio;
	}
	return PL_OK;
}

/*
 * extra (any object, kept by the caller), the group-formation fields and a mentor's capacity.
 * "social_anxiety" (true/false) and "max_group_size" (integer >= 2) limit the size of the group
 * a client may join (docs/groups.md). They are part of the profile so that one profile file
 * serves every command; only `match groups` uses them (pl_json_read_groups_program reads them),
 * the others check their type and ignore them.
 */
static pl_status read_extras(pl_profiles *P, size_t idx, json_t *prof, const char *ptr,
			     int is_mentor, pl_error *err)
{
	json_t *v = NULL;
	int anx = 0;
	long long mg = 2, cap = 1;
	pl_status st = pl_json_get_object(prof, "extra", ptr, 0, &v, err);

	if (st == PL_OK)
		st = pl_json_get_bool(prof, "social_anxiety", ptr, 0, &anx, err);
	if (st == PL_OK)
		st = pl_json_get_integer(prof, "max_group_size", ptr, 0, &mg, err);
	if (st != PL_OK)
		return st;
	if (mg < 2 || mg > PL_GROUPS_SIZE_MAX)
		return bad(err, ptr, "max_group_size", "max_group_size must be an integer of at least 2");
	if (!is_mentor)
		return PL_OK;
	st = pl_json_get_integer(prof, "capacity", ptr, 0, &cap, err);
	if (st != PL_OK)
		return st;
	if (cap < 1 || cap > 1000000)
		return bad(err, ptr, "capacity", "capacity must be a positive integer");
	P->items[idx].capacity = (long)cap;
	return PL_OK;
}

static pl_status read_profile(pl_profiles *P, json_t *prof, const char *ptr, int is_mentor,
			      size_t *out_idx, pl_error *err)
{
	const char *id = NULL;
	size_t idx;
	pl_status st;

	if (!json_is_object(prof))
		return bad(err, ptr, NULL, "each profile must be an object");
	st = pl_json_check_keys(prof, ptr, is_mentor ? mentor_keys : mentee_keys, err);
	if (st == PL_OK)
		st = pl_json_get_string(prof, "id", ptr, 1, &id, err);
	if (st != PL_OK)
		return st;
	if (!*id)
		return bad(err, ptr, "id", "id must be a non-empty string");
	st = pl_profiles_add(P, id, ptr, &idx, err);
	if (st != PL_OK)
		return st;
	*out_idx = idx;
	st = read_tag_fields(P, idx, prof, ptr, err);
	if (st == PL_OK)
		st = read_personality(P, idx, prof, ptr, err);
	if (st == PL_OK)
		st = read_age_gender(P, idx, prof, ptr, err);
	if (st == PL_OK)
		st = read_links(P, idx, prof, ptr, err);
	if (st == PL_OK)
		st = read_extras(P, idx, prof, ptr, is_mentor, err);
	return st;
}

pl_status pl_json_read_profiles(json_t *doc, const char *key, int required, int is_mentor,
			     pl_profiles *P, size_t **idx, size_t *n, pl_error *err)
{
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	json_t *arr = NULL;
	pl_status st = pl_json_get_array(doc, key, "", required, &arr, err);

	*idx = NULL;
	*n = 0;
	if (st != PL_OK)
		return st;
	if (!arr)
		return PL_OK;
	pl_json_ptr(p, sizeof(p), "", key);
	*idx = malloc((json_array_size(arr) ? json_array_size(arr) : 1) * sizeof(size_t));
	if (!*idx)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading profiles");
	for (size_t k = 0; k < json_array_size(arr); k++) {
		st = read_profile(P, json_array_get(arr, k), pl_json_ptr_index(q, sizeof(q), p, k), is_mentor,
				  &(*idx)[k], err);
		if (st != PL_OK)
			return st;
		(*n)++;
	}
	return PL_OK;
}

pl_status pl_json_read_compat_params(json_t *doc, pl_compat_params *prm, pl_error *err)
{
	static const char *const rule_keys[] = { "language", "modality", "gender", "age", "exclude",
						 "partner", "avoid", "couples",
						 "min_availability_overlap", NULL };
	char p[PL_POINTER_MAX];
	json_t *w = NULL, *c = NULL, *x;
	const char *key;
	pl_status st;

	pl_compat_params_init(prm);
	st = pl_json_get_object(doc, "weights", "", 0, &w, err);
	if (st != PL_OK)
		return st;
	if (w) {
		json_object_foreach(w, key, x) {
			int crit = pl_criterion_from_name(key);
			pl_json_ptr(p, sizeof(p), "/weights", key);
			if (strcmp(key, "prefers") == 0) {
				/* not a criterion: how far a stated first choice raises a score */
				if (!json_is_number(x) || !(json_number_value(x) >= 0 && json_number_value(x) <= 1))
					return pl_error_set(err, PL_ERR_INVALID, p,
							    "weights/prefers must be a number in [0, 1]");
				prm->preference = json_number_value(x);
				continue;
			}
			if (crit < 0)
				return pl_error_set(err, PL_ERR_INVALID, p, "unknown criterion '%s'", key);
			if (!json_is_number(x) || !(json_number_value(x) >= 0) || !isfinite(json_number_value(x)))
				return pl_error_set(err, PL_ERR_INVALID, p, "weights must be non-negative numbers");
			prm->weight[crit] = json_number_value(x);
		}
	}
	st = pl_json_get_object(doc, "constraints", "", 0, &c, err);
	if (st != PL_OK || !c)
		return st;
	st = pl_json_check_keys(c, "/constraints", rule_keys, err);
	if (st != PL_OK)
		return st;
	json_object_foreach(c, key, x) {
		pl_json_ptr(p, sizeof(p), "/constraints", key);
		if (strcmp(key, "min_availability_overlap") == 0) {
			if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 10000)
				return pl_error_set(err, PL_ERR_INVALID, p,
						    "min_availability_overlap must be a non-negative integer");
			prm->min_availability_overlap = (long)json_integer_value(x);
			if (prm->min_availability_overlap > 0)
				prm->rules |= PL_RULE_BIT(PL_RULE_AVAILABILITY);
			else
				prm->rules &= ~PL_RULE_BIT(PL_RULE_AVAILABILITY);
			continue;
		}
		if (!json_is_boolean(x))
			return pl_error_set(err, PL_ERR_INVALID, p, "each rule switch must be true or false");
		if (json_is_true(x))
			prm->rules |= PL_RULE_BIT(pl_rule_from_name(key));
		else
			prm->rules &= ~PL_RULE_BIT(pl_rule_from_name(key));
	}
	return PL_OK;
}

double pl_json_round(double x, double scale)
{
	return round(x * scale) / scale + 0.0;
}

/* ---- reasons ---- */

/* text after buf's end, cut to size - 1 bytes in all (what snprintf would keep; printf itself
 * cost half the time of a 2,000-mentee answer's reasons) */
static void append(char *buf, size_t size, const char *text)
{
	size_t len = strlen(buf), n = strlen(text);
	if (len + 1 >= size)
		return;
	if (n > size - len - 1)
		n = size - len - 1;
	memcpy(buf + len, text, n);
	buf[len + n] = '\0';
}

/* Order of the phrases: what a coordinator reads first. */
static const struct {
	pl_criterion c;
	const char *label;
} phrases[] = {
	{ PL_CRIT_EXPERIENCES, "both:" },
	{ PL_CRIT_RECOVERY_PATHWAY, "same recovery pathway:" },
	{ PL_CRIT_LIFE_STAGE, "same life stage:" },
	{ PL_CRIT_SUBSTANCES, "shared substance history:" },
	{ PL_CRIT_GOALS, "shared goals:" },
	{ PL_CRIT_AVAILABILITY, "common times:" },
	{ PL_CRIT_LANGUAGES, "language:" },
	{ PL_CRIT_MODALITIES, "can meet:" },
};
#define NPHRASES (sizeof(phrases) / sizeof(phrases[0]))
#define PHRASE_TAGS 64

/* What the reasons of a pair say, gathered once and then written as a jansson tree
 * (pl_json_pair_reasons) or as text (pl_json_write_pair_reasons): the score's detail, the shared
 * tags of each phrase (nshared[k] == 0: the phrase is left out) and the summary. */
typedef struct reasons {
	pl_compat_detail d;
	int shared[NPHRASES][PHRASE_TAGS];
	size_t nshared[NPHRASES];
	char text[1024];
} reasons;

/* "label: tag1, tag2" for the shared tags of phrase k, after the text so far. */
static void shared_phrase(const pl_profiles *P, size_t a, size_t b, size_t k, reasons *R)
{
	pl_criterion c = phrases[k].c;
	size_t n = pl_compat_shared_tags(P, a, b, c, R->shared[k], PHRASE_TAGS);

	if (n > PHRASE_TAGS)
		n = PHRASE_TAGS;
	R->nshared[k] = n;
	if (n == 0)
		return;
	if (R->text[0])
		append(R->text, sizeof(R->text), "; ");
	append(R->text, sizeof(R->text), phrases[k].label);
	for (size_t t = 0; t < n; t++) {
		append(R->text, sizeof(R->text), t ? ", " : " ");
		append(R->text, sizeof(R->text), P->tags[c].names[R->shared[k][t]]);
	}
}

static void gather_reasons(const pl_profiles *P, const pl_compat_params *prm, size_t a, size_t b,
			   int self, reasons *R)
{
	R->text[0] = '\0';
	if (self)
		pl_compat_explain_self(P, prm, a, b, &R->d);
	else
		pl_compat_explain(P, prm, a, b, &R->d);
	for (size_t k = 0; k < NPHRASES; k++) {
		R->nshared[k] = 0;
		if (!(prm->weight[phrases[k].c] > 0) && phrases[k].c != PL_CRIT_LANGUAGES &&
		    phrases[k].c != PL_CRIT_MODALITIES)
			continue;
		shared_phrase(P, a, b, k, R);
	}
	if (R->d.present[PL_CRIT_PERSONALITY] && R->d.similarity[PL_CRIT_PERSONALITY] >= 0.95) {
		if (R->text[0])
			append(R->text, sizeof(R->text), "; ");
		append(R->text, sizeof(R->text), "similar personality");
	}
	if (R->d.present[PL_CRIT_AGE] && R->d.similarity[PL_CRIT_AGE] >= 0.75) {
		if (R->text[0])
			append(R->text, sizeof(R->text), "; ");
		append(R->text, sizeof(R->text), "close in age");
	}
	if (R->d.preference > 0) {
		if (R->text[0])
			append(R->text, sizeof(R->text), "; ");
		append(R->text, sizeof(R->text), "a stated preference");
	}
}

static json_t *pair_reasons(const pl_profiles *P, const pl_compat_params *prm, size_t a, size_t b,
			    int self, double scale)
{
	reasons R;
	json_t *r = json_object(), *contrib = json_object(), *shared = json_object();

	gather_reasons(P, prm, a, b, self, &R);
	for (int c = 0; c < PL_CRIT_COUNT; c++)
		if (R.d.present[c])
			json_object_set_new(contrib, pl_criterion_name(c),
					    json_real(pl_json_round(R.d.contribution[c], scale)));
	if (R.d.preference > 0)
		json_object_set_new(contrib, "prefers", json_real(pl_json_round(R.d.preference, scale)));
	for (size_t k = 0; k < NPHRASES; k++) {
		json_t *arr;
		pl_criterion c = phrases[k].c;
		if (R.nshared[k] == 0)
			continue;
		arr = json_array();
		for (size_t t = 0; t < R.nshared[k]; t++)
			json_array_append_new(arr, json_string(P->tags[c].names[R.shared[k][t]]));
		json_object_set_new(shared, pl_criterion_name(c), arr);
	}
	json_object_set_new(r, "summary", json_string(R.text[0] ? R.text : "no shared tags"));
	json_object_set_new(r, "contributions", contrib);
	json_object_set_new(r, "shared", shared);
	return r;
}

void pl_json_write_pair_reasons(pl_jw *w, const char *key, const pl_profiles *P,
				const pl_compat_params *prm, size_t a, size_t b, double scale)
{
	reasons R;

	gather_reasons(P, prm, a, b, 0, &R);
	pl_jw_open_object(w, key);
	pl_jw_string(w, "summary", R.text[0] ? R.text : "no shared tags");
	pl_jw_open_object(w, "contributions");
	for (int c = 0; c < PL_CRIT_COUNT; c++)
		if (R.d.present[c])
			pl_jw_real(w, pl_criterion_name(c), pl_json_round(R.d.contribution[c], scale));
	if (R.d.preference > 0)
		pl_jw_real(w, "prefers", pl_json_round(R.d.preference, scale));
	pl_jw_close_object(w);
	pl_jw_open_object(w, "shared");
	for (size_t k = 0; k < NPHRASES; k++) {
		pl_criterion c = phrases[k].c;
		if (R.nshared[k] == 0)
			continue;
		pl_jw_open_array(w, pl_criterion_name(c));
		for (size_t t = 0; t < R.nshared[k]; t++)
			pl_jw_string(w, NULL, P->tags[c].names[R.shared[k][t]]);
		pl_jw_close_array(w);
	}
	pl_jw_close_object(w);
	pl_jw_close_object(w);
}

json_t *pl_json_pair_reasons(const pl_profiles *P, const pl_compat_params *prm, size_t a, size_t b,
			     double scale)
{
	return pair_reasons(P, prm, a, b, 0, scale);
}

json_t *pl_json_pair_reasons_self(const pl_profiles *P, const pl_compat_params *prm, size_t a,
				  size_t b, double scale)
{
	return pair_reasons(P, prm, a, b, 1, scale);
}

/* ---- [[id, id], ...] ---- */

pl_status pl_json_read_id_pairs(json_t *doc, const char *key, const pl_profiles *P,
				const pl_json_pair_roles *roles, size_t **pairs, size_t *npairs,
				pl_error *err)
{
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX], r[PL_POINTER_MAX];
	json_t *arr = NULL;
	pl_status st = pl_json_get_array(doc, key, "", 0, &arr, err);

	*pairs = NULL;
	*npairs = 0;
	if (st != PL_OK || !arr)
		return st;
	pl_json_ptr(p, sizeof(p), "", key);
	*pairs = malloc((json_array_size(arr) + 1) * 2 * sizeof(size_t));
	if (!*pairs)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t k = 0; k < json_array_size(arr); k++) {
		json_t *e = json_array_get(arr, k);
		long who[2];
		pl_json_ptr_index(q, sizeof(q), p, k);
		if (!json_is_array(e) || json_array_size(e) != 2 || !json_is_string(json_array_get(e, 0)) ||
		    !json_is_string(json_array_get(e, 1)))
			return pl_error_set(err, PL_ERR_INVALID, q, "%s", roles->entry_message);
		for (size_t s = 0; s < 2; s++) {
			long pop = pl_profiles_find(P, json_string_value(json_array_get(e, s)));
			who[s] = pop < 0 ? -1 : roles->position[s][pop];
			if (who[s] < 0)
				return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(r, sizeof(r), q, s),
						    "%s", roles->unknown_message[s]);
		}
		if (roles->distinct && who[0] == who[1])
			return pl_error_set(err, PL_ERR_INVALID, q, "a pair needs two different clients");
		(*pairs)[2 * k] = (size_t)who[0];
		(*pairs)[2 * k + 1] = (size_t)who[1];
		(*npairs)++;
	}
	return PL_OK;
}

void pl_json_point_at(pl_error *err, const char *list, size_t index)
{
	pl_json_ptr_index(err->pointer, sizeof(err->pointer), list, index);
}

pl_status pl_json_read_client_pairs(json_t *doc, const char *key, const pl_profiles *P,
				    const long *pos, size_t **pairs, size_t *npairs, pl_error *err)
{
	pl_json_pair_roles roles = {
		{ pos, pos },
		"each entry must be [client id, client id]",
		{ "names no client of this request", "names no client of this request" },
		1
	};
	return pl_json_read_id_pairs(doc, key, P, &roles, pairs, npairs, err);
}

pl_status pl_json_read_pair_options(json_t *doc, size_t *top, double *min_score,
				    double *stickiness, pl_error *err)
{
	long long t = (long long)*top;
	double ms = *min_score, stick = *stickiness;
	pl_status st = pl_json_get_integer(doc, "top", "", 0, &t, err);

	if (st != PL_OK)
		return st;
	if (t < 0 || t > 50)
		return pl_error_set(err, PL_ERR_INVALID, "/top", "top must be an integer from 0 to 50");
	st = pl_json_get_number(doc, "min_score", "", 0, &ms, err);
	if (st != PL_OK)
		return st;
	if (!(ms >= 0 && ms <= 1))
		return pl_error_set(err, PL_ERR_INVALID, "/min_score", "min_score must lie in [0, 1]");
	st = pl_json_get_number(doc, "stickiness", "", 0, &stick, err);
	if (st != PL_OK)
		return st;
	if (!(stick >= 0 && stick <= 1))
		return pl_error_set(err, PL_ERR_INVALID, "/stickiness", "stickiness must lie in [0, 1]");
	*top = (size_t)t;
	*min_score = ms;
	*stickiness = stick;
	return PL_OK;
}

/* ---- rule counts of the unmatched ---- */

void pl_json_count_rules(unsigned failed, size_t *counts)
{
	for (int r = 0; r < PL_RULE_COUNT; r++)
		if (failed & PL_RULE_BIT(r))
			counts[r]++;
}

const char *pl_json_rule_slot(size_t r, const char *last)
{
	return r < PL_RULE_COUNT ? pl_rule_name((pl_rule)r) : last;
}

size_t pl_json_rule_members(const size_t *counts, const char *last, pl_jm *out, size_t *best)
{
	size_t n = 0, b = 0;

	for (size_t r = 0; r <= PL_RULE_COUNT; r++) {
		if (!counts[r])
			continue;
		out[n++] = (pl_jm){ .key = pl_json_rule_slot(r, last), .kind = PL_JM_INTEGER,
				    .i = (json_int_t)counts[r] };
		if (counts[r] > counts[b])
			b = r;
	}
	if (best)
		*best = b;
	return n;
}

json_t *pl_json_rule_counts(const size_t *counts, const char *last, size_t *best)
{
	pl_jm m[PL_RULE_COUNT + 1];

	return pl_jm_object(m, pl_json_rule_members(counts, last, m, best));
}

/* ---- the answers of `match mentors` and `match buddies` ---- */

/* The members of one alternative option: the one description both renderings use. */
static size_t alt_option_members(pl_jm *m, const char *role, const char *id, double score,
				 double total_change, long matched_change)
{
	int known = !isnan(total_change);

	m[0] = (pl_jm){ .key = role, .kind = PL_JM_STRING_NOCHECK, .s = id };
	m[1] = (pl_jm){ .key = "score", .kind = PL_JM_REAL,
			.x = pl_json_round(score, PL_JSON_MATCH_SCALE) };
	/* a change that was not computed is null in both fields, not left out */
	m[2] = (pl_jm){ .key = "total_change", .kind = known ? PL_JM_REAL : PL_JM_NULL,
			.x = known ? pl_json_round(total_change, PL_JSON_MATCH_SCALE) : 0 };
	m[3] = (pl_jm){ .key = "matched_change", .kind = known ? PL_JM_INTEGER : PL_JM_NULL,
			.i = matched_change };
	return 4;
}

json_t *pl_json_alt_option(const char *role, const char *id, double score, double total_change,
			   long matched_change)
{
	pl_jm m[4];

	return pl_jm_object(m, alt_option_members(m, role, id, score, total_change, matched_change));
}

void pl_json_write_alt_option(pl_jw *w, const char *role, const char *id, double score,
			      double total_change, long matched_change)
{
	pl_jm m[4];

	pl_jw_members(w, NULL, m, alt_option_members(m, role, id, score, total_change, matched_change));
}

json_t *pl_json_alt_entry(const char *role, const char *id, json_t *options)
{
	json_t *e = json_object();

	json_object_set_new_nocheck(e, role, json_string_nocheck(id));
	json_object_set_new_nocheck(e, "options", options);
	return e;
}

json_t *pl_json_match_answer(const char *list_key, json_t *list, json_t *unmatched,
			     json_t *alternatives, json_t *summary)
{
	json_t *doc = json_object();

	json_object_set_new(doc, list_key, list);
	json_object_set_new(doc, "unmatched", unmatched);
	json_object_set_new(doc, "alternatives", alternatives);
	json_object_set_new(doc, "summary", summary);
	return doc;
}

void pl_json_add_timings(json_t *stats, const pl_json_timings *t)
{
	json_object_set_new(stats, "parse_ms", json_real(t->parse_ms));
	if (t->compat_ms >= 0)
		json_object_set_new(stats, "compat_ms", json_real(t->compat_ms));
	json_object_set_new(stats, "solve_ms", json_real(t->solve_ms));
	if (t->explain_ms >= 0)
		json_object_set_new(stats, "explain_ms", json_real(t->explain_ms));
}

/* "vocabulary": {field: [names]}: the tag criteria and "gender". */
static pl_status read_vocabulary(json_t *doc, pl_profiles *P, pl_error *err)
{
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	json_t *v = NULL, *list;
	const char *key;
	pl_status st = pl_json_get_object(doc, "vocabulary", "", 0, &v, err);

	if (st != PL_OK || !v)
		return st;
	json_object_foreach(v, key, list) {
		int f = strcmp(key, "gender") == 0 ? PL_VOCAB_GENDER : pl_criterion_from_name(key);
		pl_json_ptr(p, sizeof(p), "/vocabulary", key);
		if (f < 0 || f > PL_TAG_CRITERIA)
			return pl_error_set(err, PL_ERR_INVALID, p,
					    "vocabulary fields are the tag criteria and gender");
		if (!json_is_array(list))
			return pl_error_set(err, PL_ERR_INVALID, p, "a vocabulary is an array of names");
		for (size_t k = 0; k < json_array_size(list); k++) {
			json_t *x = json_array_get(list, k);
			if (!json_is_string(x) || json_string_length(x) == 0)
				return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(q, sizeof(q), p, k),
						    "vocabulary names must be non-empty strings");
			st = pl_profiles_allow(P, f, json_string_value(x), err);
			if (st != PL_OK)
				return st;
		}
		if (json_array_size(list) == 0) /* an empty list allows nothing */
			P->vocab_on[f] = 1;
	}
	return PL_OK;
}

pl_status pl_json_check_program_keys(json_t *doc, const char *const *allowed, pl_error *err)
{
	static const char *const shared[] = { "stats", "communities", "mentees", "mentors",
					      "clients", NULL };
	const char *key;
	json_t *value;

	json_object_foreach(doc, key, value) {
		int known = 0;
		for (const char *const *a = allowed; *a && !known; a++)
			known = strcmp(*a, key) == 0;
		for (const char *const *a = shared; *a && !known; a++)
			known = strcmp(*a, key) == 0;
		if (!known) {
			char p[PL_POINTER_MAX];
			/* The key is a field name of the caller's document, not a client value. */
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof(p), "", key),
					    "unknown field '%s'", key);
		}
	}
	return PL_OK;
}

pl_status pl_json_reject_profile_field(json_t *doc, const char *key, const char *field,
				       const char *command, pl_error *err)
{
	json_t *arr = json_object_get(doc, key);

	for (size_t k = 0; k < json_array_size(arr); k++)
		if (json_object_get(json_array_get(arr, k), field)) {
			char p[PL_POINTER_MAX], q[PL_POINTER_MAX], r[PL_POINTER_MAX];
			pl_json_ptr_index(q, sizeof(q), pl_json_ptr(p, sizeof(p), "", key), k);
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(r, sizeof(r), q, field),
					    "'%s' has no meaning in %s (a field of mentees in match "
					    "mentors)", field, command);
		}
	return PL_OK;
}

pl_status pl_json_read_population(json_t *doc, pl_compat_params *prm, pl_profiles *P,
				  const pl_json_profile_list *lists, size_t nlists, pl_error *err)
{
	pl_status st = pl_json_read_compat_params(doc, prm, err);

	if (st == PL_OK)
		st = read_vocabulary(doc, P, err);
	for (size_t k = 0; st == PL_OK && k < nlists; k++)
		st = pl_json_read_profiles(doc, lists[k].key, lists[k].required, lists[k].is_mentor, P,
					   lists[k].idx, lists[k].n, err);
	if (st == PL_OK)
		st = pl_profiles_finalize(P, err);
	return st;
}
