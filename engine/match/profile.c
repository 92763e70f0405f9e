/*
 * profile.c: the profile population behind compat and the matchers (see peerlink/profile.h).
 *
 * Why a population with interned tags: the compatibility of two profiles is computed from
 * multi-hot vectors (one column per distinct tag of a criterion), so every tag must map to the
 * same column for both sides of a comparison. Interning once while reading makes that mapping a
 * table lookup and lets the matchers compare tags as small integers.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/profile.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const crit_names[PL_CRIT_COUNT] = {
	"experiences", "substances", "goals", "recovery_pathway", "life_stage",
	"languages", "modalities", "availability", "personality", "age",
};

const char *pl_criterion_name(pl_criterion c)
{
	return (unsigned)c < PL_CRIT_COUNT ? crit_names[c] : "";
}

int pl_criterion_from_name(const char *name)
{
	for (int c = 0; c < PL_CRIT_COUNT; c++)
		if (strcmp(crit_names[c], name) == 0)
			return c;
	return -1;
}

/* ---- vocabulary: FNV-1a hashing with linear probing ---- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void vocab_release(pl_vocab *V)
{
	for (size_t k = 0; k < V->n; k++)
		free(V->names[k]);
	free(V->names);
	free(V->slots);
	memset(V, 0, sizeof(*V));
}

int pl_vocab_find(const pl_vocab *V, const char *name)
{
	if (!V->nslots)
		return -1;
	for (size_t s = hash_str(name) & (V->nslots - 1);; s = (s + 1) & (V->nslots - 1)) {
		int id = V->slots[s];
		if (id < 0)
			return -1;
		if (strcmp(V->names[id], name) == 0)
			return id;
	}
}

static int vocab_rehash(pl_vocab *V, size_t nslots)
{
	int *slots = malloc(nslots * sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t s = 0; s < nslots; s++)
		slots[s] = -1;
	for (size_t id = 0; id < V->n; id++) {
		size_t s = hash_str(V->names[id]) & (nslots - 1);
		while (slots[s] >= 0)
			s = (s + 1) & (nslots - 1);
		slots[s] = (int)id;
	}
	free(V->slots);
	V->slots = slots;
	V->nslots = nslots;
	return 0;
}

/* The id of name, adding it when new; -1 on allocation failure. */
static int vocab_intern(pl_vocab *V, const char *name)
{
	int id = pl_vocab_find(V, name);
	char *copy;

	if (id >= 0)
		return id;
	if ((V->n + 1) * 2 > V->nslots && vocab_rehash(V, V->nslots ? V->nslots * 2 : 16) != 0)
		return -1;
	if (V->n == V->cap) {
		size_t cap = V->cap ? V->cap * 2 : 16;
		char **names = realloc(V->names, cap * sizeof(*names));
		if (!names)
			return -1;
		V->names = names;
		V->cap = cap;
	}
	copy = strdup(name);
	if (!copy)
		return -1;
	V->names[V->n] = copy;
	{
		size_t s = hash_str(name) & (V->nslots - 1);
		while (V->slots[s] >= 0)
			s = (s + 1) & (V->nslots - 1);
		V->slots[s] = (int)V->n;
	}
	return (int)V->n++;
}

/* ---- population ---- */

void pl_profiles_init(pl_profiles *P)
{
	memset(P, 0, sizeof(*P));
}

static void profile_release(pl_profile *p)
{
	free(p->id);
	free(p->origin);
	for (int c = 0; c < PL_TAG_CRITERIA; c++)
		free(p->tags[c].ids);
	free(p->traits);
	free(p->partner_id);
	for (size_t k = 0; k < p->nexclude; k++)
		free(p->exclude[k]);
	free(p->exclude);
	free(p->exclude_idx);
	for (size_t k = 0; k < p->nprefers; k++)
		free(p->prefers[k]);
	free(p->prefers);
	free(p->prefers_idx);
	for (size_t k = 0; k < p->navoid; k++)
		free(p->avoid[k]);
	free(p->avoid);
	free(p->avoid_idx);
	free(p->trait_ids_);
	free(p->trait_vals_);
}

void pl_profiles_release(pl_profiles *P)
{
	if (!P)
		return;
	for (size_t i = 0; i < P->n; i++)
		profile_release(&P->items[i]);
	free(P->items);
	for (int c = 0; c < PL_TAG_CRITERIA; c++)
		vocab_release(&P->tags[c]);
	vocab_release(&P->traits);
	vocab_release(&P->genders);
	vocab_release(&P->ids);
	for (int f = 0; f <= PL_TAG_CRITERIA; f++)
		vocab_release(&P->allowed[f]);
	memset(P, 0, sizeof(*P));
}

static pl_status nomem(pl_error *err)
{
	return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading profiles");
}

/* origin + "/" + field (+ "/" + index when index >= 0) */
static const char *field_ptr(char *buf, size_t size, const pl_profile *p, const char *field,
			     long index)
{
	snprintf(buf, size, "%s", p->origin ? p->origin : "");
	if (field)
		pl_pointer_append(buf, size, field);
	if (index >= 0)
		pl_pointer_append_index(buf, size, (size_t)index);
	return buf;
}

long pl_profiles_find(const pl_profiles *P, const char *id)
{
	return pl_vocab_find(&P->ids, id);
}

pl_status pl_profiles_add(pl_profiles *P, const char *id, const char *origin, size_t *index,
			  pl_error *err)
{
	char ptr[PL_POINTER_MAX];
	pl_profile *p;
	int vid;

	if (pl_vocab_find(&P->ids, id) >= 0) {
		long other = pl_vocab_find(&P->ids, id);
		snprintf(ptr, sizeof(ptr), "%s", origin ? origin : "");
		pl_pointer_append(ptr, sizeof(ptr), "id");
		return pl_error_set(err, PL_ERR_INVALID, ptr, "duplicate id (also used by %s)",
				    P->items[other].origin[0] ? P->items[other].origin : "another profile");
	}
	if (P->n == P->alloc) {
		size_t alloc = P->alloc ? P->alloc * 2 : 64;
		pl_profile *items = realloc(P->items, alloc * sizeof(*items));
		if (!items)
			return nomem(err);
		P->items = items;
		P->alloc = alloc;
	}
	vid = vocab_intern(&P->ids, id);
	if (vid < 0)
		return nomem(err);
	p = &P->items[P->n];
	memset(p, 0, sizeof(*p));
	p->gender = -1;
	p->gpref_gender = -1;
	p->partner = -1;
	p->capacity = 1;
	p->id = strdup(id);
	p->origin = strdup(origin ? origin : "");
	if (!p->id || !p->origin) {
		free(p->id);
		free(p->origin);
		return nomem(err);
	}
	*index = P->n++;
	P->finalized = 0;
	return PL_OK;
}

static int grow(void **arr, size_t n, size_t elem)
{
	/* capacity doubles at powers of two */
	if (n == 0 || (n & (n - 1)) == 0) {
		void *a = realloc(*arr, (n ? n * 2 : 4) * elem);
		if (!a)
			return -1;
		*arr = a;
	}
	return 0;
}

pl_status pl_profile_add_tag(pl_profiles *P, size_t index, pl_criterion c, const char *tag,
			     pl_error *err)
{
	pl_tags *t;
	int id;

	if ((unsigned)c >= PL_TAG_CRITERIA)
		return pl_error_set(err, PL_ERR_USAGE, "", "criterion %d holds no tags", (int)c);
	id = vocab_intern(&P->tags[c], tag);
	if (id < 0)
		return nomem(err);
	t = &P->items[index].tags[c];
	if (grow((void **)&t->ids, t->n, sizeof(int)) != 0)
		return nomem(err);
	t->ids[t->n++] = id;
	return PL_OK;
}

pl_status pl_profile_set_trait(pl_profiles *P, size_t index, const char *trait, double value,
			       pl_error *err)
{
	pl_profile *p = &P->items[index];
	char ptr[PL_POINTER_MAX];
	int id;

	if (!(value >= 0.0 && value <= 1.0)) {
		field_ptr(ptr, sizeof(ptr), p, "personality", -1);
		pl_pointer_append(ptr, sizeof(ptr), trait);
		return pl_error_set(err, PL_ERR_INVALID, ptr, "personality traits must lie in [0, 1]");
	}
	id = vocab_intern(&P->traits, trait);
	if (id < 0)
		return nomem(err);
	for (size_t k = 0; k < p->ntraits_; k++)
		if (p->trait_ids_[k] == id) {
			p->trait_vals_[k] = value;
			return PL_OK;
		}
	if (grow((void **)&p->trait_ids_, p->ntraits_, sizeof(int)) != 0 ||
	    grow((void **)&p->trait_vals_, p->ntraits_, sizeof(double)) != 0)
		return nomem(err);
	p->trait_ids_[p->ntraits_] = id;
	p->trait_vals_[p->ntraits_++] = value;
	return PL_OK;
}

pl_status pl_profile_set_gender(pl_profiles *P, size_t index, const char *gender, pl_error *err)
{
	int id = vocab_intern(&P->genders, gender);
	if (id < 0)
		return nomem(err);
	P->items[index].gender = id;
	return PL_OK;
}

pl_status pl_profile_set_gender_preference(pl_profiles *P, size_t index, const char *pref,
					   pl_error *err)
{
	pl_profile *p = &P->items[index];

	if (strcmp(pref, "any") == 0) {
		p->gpref = PL_GPREF_ANY;
	} else if (strcmp(pref, "same") == 0) {
		p->gpref = PL_GPREF_SAME;
	} else {
		int id = vocab_intern(&P->genders, pref);
		if (id < 0)
			return nomem(err);
		p->gpref = PL_GPREF_GENDER;
		p->gpref_gender = id;
	}
	return PL_OK;
}

pl_status pl_profile_set_partner(pl_profiles *P, size_t index, const char *partner_id,
				 pl_error *err)
{
	pl_profile *p = &P->items[index];
	char *s = strdup(partner_id);
	if (!s)
		return nomem(err);
	free(p->partner_id);
	p->partner_id = s;
	return PL_OK;
}

/* Append a copy of id to a growing list of ids. */
static pl_status add_id(char ***list, size_t *n, const char *id, pl_error *err)
{
	char *s;

	if (grow((void **)list, *n, sizeof(char *)) != 0)
		return nomem(err);
	s = strdup(id);
	if (!s)
		return nomem(err);
	(*list)[(*n)++] = s;
	return PL_OK;
}

pl_status pl_profile_add_exclude(pl_profiles *P, size_t index, const char *id, pl_error *err)
{
	pl_profile *p = &P->items[index];
	return add_id(&p->exclude, &p->nexclude, id, err);
}

pl_status pl_profile_add_prefers(pl_profiles *P, size_t index, const char *id, pl_error *err)
{
	pl_profile *p = &P->items[index];
	return add_id(&p->prefers, &p->nprefers, id, err);
}

pl_status pl_profile_add_avoid(pl_profiles *P, size_t index, const char *id, pl_error *err)
{
	pl_profile *p = &P->items[index];
	return add_id(&p->avoid, &p->navoid, id, err);
}

pl_status pl_profiles_allow(pl_profiles *P, int f, const char *name, pl_error *err)
{
	if (f < 0 || f > PL_TAG_CRITERIA)
		return pl_error_set(err, PL_ERR_USAGE, "", "field %d has no vocabulary", f);
	if (vocab_intern(&P->allowed[f], name) < 0)
		return nomem(err);
	P->vocab_on[f] = 1;
	return PL_OK;
}

int pl_profiles_allowed(const pl_profiles *P, int f, const char *name)
{
	if (f < 0 || f > PL_TAG_CRITERIA || !P->vocab_on[f])
		return 1;
	return pl_vocab_find(&P->allowed[f], name) >= 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static void sort_unique(pl_tags *t)
{
	size_t w = 0;
	if (t->n < 2)
		return;
	qsort(t->ids, t->n, sizeof(int), cmp_int);
	for (size_t r = 0; r < t->n; r++)
		if (w == 0 || t->ids[r] != t->ids[w - 1])
			t->ids[w++] = t->ids[r];
	t->n = w;
}

/* Resolve a list of ids (prefers, avoid) to indexes: each names another profile, and a ranked
 * list (prefers) names each at most once (avoid, a set, may repeat one like a tag list). */
static pl_status resolve_ids(const pl_profiles *P, const pl_profile *p, const char *field,
			     char **ids, size_t n, long **idx, pl_error *err)
{
	char ptr[PL_POINTER_MAX];
	int ranked = strcmp(field, "prefers") == 0;

	free(*idx);
	*idx = malloc((n ? n : 1) * sizeof(long));
	if (!*idx)
		return nomem(err);
	for (size_t k = 0; k < n; k++) {
		long at = pl_vocab_find(&P->ids, ids[k]);
		if (at < 0 || &P->items[at] == p)
			return pl_error_set(err, PL_ERR_INVALID, field_ptr(ptr, sizeof(ptr), p, field, (long)k),
					    "%s names no other profile of this request (profile '%s')",
					    field, p->id);
		for (size_t q = 0; ranked && q < k; q++)
			if ((*idx)[q] == at) /* a ranked list cannot rank one person twice */
				return pl_error_set(err, PL_ERR_INVALID,
						    field_ptr(ptr, sizeof(ptr), p, field, (long)k),
						    "%s names profile '%s' twice (profile '%s')", field,
						    ids[k], p->id);
		(*idx)[k] = at;
	}
	return PL_OK;
}

/* A person both preferred and avoided is a contradiction the request must resolve (the avoid
 * would silently win): an error at the avoid entry. */
static pl_status check_prefers_avoid(const pl_profile *p, pl_error *err)
{
	char ptr[PL_POINTER_MAX];

	for (size_t k = 0; k < p->navoid; k++)
		for (size_t q = 0; q < p->nprefers; q++)
			if (p->avoid_idx[k] == p->prefers_idx[q])
				return pl_error_set(err, PL_ERR_INVALID,
						    field_ptr(ptr, sizeof(ptr), p, "avoid", (long)k),
						    "profile '%s' is in both prefers and avoid (profile "
						    "'%s')", p->avoid[k], p->id);
	return PL_OK;
}

/* A gender_preference must name a gender some profile has, or with a gender vocabulary one of
 * it: a preference for a gender nobody can have is a typo that would silently leave the
 * profile unmatched. */
static pl_status check_gender_preferences(const pl_profiles *P, pl_error *err)
{
	char ptr[PL_POINTER_MAX], *had = calloc(P->genders.n ? P->genders.n : 1, 1);

	if (!had)
		return nomem(err);
	for (size_t i = 0; i < P->n; i++)
		if (P->items[i].gender >= 0)
			had[P->items[i].gender] = 1;
	for (size_t i = 0; i < P->n; i++) {
		const pl_profile *p = &P->items[i];
		const char *g;
		if (p->gpref != PL_GPREF_GENDER)
			continue;
		g = P->genders.names[p->gpref_gender];
		if (P->vocab_on[PL_VOCAB_GENDER] ? pl_profiles_allowed(P, PL_VOCAB_GENDER, g)
						 : had[p->gpref_gender])
			continue;
		free(had);
		return pl_error_set(err, PL_ERR_INVALID,
				    field_ptr(ptr, sizeof(ptr), p, "gender_preference", -1),
				    P->vocab_on[PL_VOCAB_GENDER]
					    ? "gender_preference names a gender outside the vocabulary (profile '%s')"
					    : "gender_preference names a gender that no profile of this request has "
					      "(profile '%s')",
				    p->id);
	}
	free(had);
	return PL_OK;
}

pl_status pl_profiles_finalize(pl_profiles *P, pl_error *err)
{
	char ptr[PL_POINTER_MAX];
	size_t K = P->traits.n;
	pl_status st = check_gender_preferences(P, err);

	if (st != PL_OK)
		return st;

	/* Every personality rates the same traits as the first one given; the error points at the
	 * first profile that differs. Then K, the size of the trait vocabulary, is that count. */
	{
		const pl_profile *ref = NULL;
		for (size_t i = 0; i < P->n; i++) {
			const pl_profile *p = &P->items[i];
			int same = 1;
			if (p->ntraits_ == 0)
				continue;
			if (!ref) {
				ref = p;
				continue;
			}
			if (ref->ntraits_ != p->ntraits_)
				same = 0;
			for (size_t k = 0; k < p->ntraits_ && same; k++) {
				int found = 0;
				for (size_t q = 0; q < ref->ntraits_; q++)
					found |= ref->trait_ids_[q] == p->trait_ids_[k];
				same = found;
			}
			if (!same)
				return pl_error_set(err, PL_ERR_INVALID,
						    field_ptr(ptr, sizeof(ptr), p, "personality", -1),
						    "every personality must rate the same traits as %s/personality "
						    "(profile '%s')", ref->origin[0] ? ref->origin : "the first one",
						    p->id);
		}
	}
	for (size_t i = 0; i < P->n; i++) {
		pl_profile *p = &P->items[i];

		for (int c = 0; c < PL_TAG_CRITERIA; c++)
			sort_unique(&p->tags[c]);
		if (p->capacity < 1)
			return pl_error_set(err, PL_ERR_INVALID, field_ptr(ptr, sizeof(ptr), p, "capacity", -1),
					    "capacity must be a positive integer (profile '%s')", p->id);
		if (p->has_age && !(p->age >= 0 && p->age < 1000))
			return pl_error_set(err, PL_ERR_INVALID, field_ptr(ptr, sizeof(ptr), p, "age", -1),
					    "age must be a non-negative number (profile '%s')", p->id);
		if (p->has_age_range) {
			if (!(p->age_lo <= p->age_hi))
				return pl_error_set(err, PL_ERR_INVALID,
						    field_ptr(ptr, sizeof(ptr), p, "age_range", 1),
						    "age_range must be [min, max] with min <= max (profile '%s')",
						    p->id);
		}
		if (p->partner_id) {
			p->partner = pl_vocab_find(&P->ids, p->partner_id);
			if (p->partner < 0 || (size_t)p->partner == i)
				return pl_error_set(err, PL_ERR_INVALID,
						    field_ptr(ptr, sizeof(ptr), p, "partner_id", -1),
						    "partner_id names no other profile of this request (profile '%s')",
						    p->id);
		}
		free(p->exclude_idx);
		p->exclude_idx = malloc((p->nexclude ? p->nexclude : 1) * sizeof(long));
		if (!p->exclude_idx)
			return nomem(err);
		for (size_t k = 0; k < p->nexclude; k++) {
			p->exclude_idx[k] = pl_vocab_find(&P->ids, p->exclude[k]);
			if (p->exclude_idx[k] < 0)
				return pl_error_set(err, PL_ERR_INVALID,
						    field_ptr(ptr, sizeof(ptr), p, "exclude", (long)k),
						    "exclude names an id that is not in this request (profile '%s')",
						    p->id);
		}
		st = resolve_ids(P, p, "prefers", p->prefers, p->nprefers, &p->prefers_idx, err);
		if (st == PL_OK)
			st = resolve_ids(P, p, "avoid", p->avoid, p->navoid, &p->avoid_idx, err);
		if (st == PL_OK)
			st = check_prefers_avoid(p, err);
		if (st != PL_OK)
			return st;
		if (!(p->priority >= 0 && p->priority <= PL_PRIORITY_MAX))
			return pl_error_set(err, PL_ERR_INVALID, field_ptr(ptr, sizeof(ptr), p, "priority", -1),
					    "priority must be a number from 0 to %d (profile '%s')",
					    PL_PRIORITY_MAX, p->id);
		free(p->traits);
		p->traits = NULL;
		if (p->ntraits_ > 0) {
			p->traits = malloc(K * sizeof(double));
			if (!p->traits)
				return nomem(err);
			for (size_t k = 0; k < K; k++)
				p->traits[p->trait_ids_[k]] = p->trait_vals_[k];
		}
	}
	P->finalized = 1;
	return PL_OK;
}
