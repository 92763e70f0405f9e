/*
 * peerlink/profile.h: client and mentor profiles as plain structs, the input of `compat` and of
 * every matcher (mentors, buddies, groups).
 *
 * A pl_profiles is one population: every profile of a request (mentees and mentors alike) lives
 * in it, and tags are interned into one vocabulary per criterion so that two profiles can be
 * compared by tag ids. Matchers then work on index lists into the population ("left set x right
 * set", or one set against itself).
 *
 * Life cycle: pl_profiles_init, pl_profiles_add + the pl_profile_* setters for each record,
 * pl_profiles_finalize (sorts tags, resolves ids, checks the whole population), then read only;
 * pl_profiles_release frees everything.
 *
 * Ownership: the population owns every string and array it holds (setters copy their arguments).
 * A pl_profile pointer is valid only until the next pl_profiles_add (the array may move): keep
 * indexes, not pointers, while adding. Errors name fields through each profile's `origin` (the
 * JSON Pointer of the record, e.g. "/mentees/3") and never contain values.
 */
#ifndef PEERLINK_PROFILE_H
#define PEERLINK_PROFILE_H

#include <stddef.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Scored criteria. The first PL_TAG_CRITERIA are tag sets; then personality and age. */
typedef enum pl_criterion {
	PL_CRIT_EXPERIENCES = 0,
	PL_CRIT_SUBSTANCES,
	PL_CRIT_GOALS,
	PL_CRIT_RECOVERY_PATHWAY,
	PL_CRIT_LIFE_STAGE,
	PL_CRIT_LANGUAGES,
	PL_CRIT_MODALITIES,
	PL_CRIT_AVAILABILITY,
	PL_CRIT_PERSONALITY,
	PL_CRIT_AGE,
	PL_CRIT_COUNT
} pl_criterion;

#define PL_TAG_CRITERIA 8
/* Largest mentee priority. */
#define PL_PRIORITY_MAX 10

/* The JSON field name of a criterion ("experiences", "recovery_pathway", ...). */
const char *pl_criterion_name(pl_criterion c);
/* The criterion with that field name, or -1. */
int pl_criterion_from_name(const char *name);

typedef enum pl_gender_pref {
	PL_GPREF_ANY = 0, /* no preference (also when absent) */
	PL_GPREF_SAME,    /* the partner's gender must equal one's own */
	PL_GPREF_GENDER   /* the partner's gender must equal gpref_gender */
} pl_gender_pref;

/* A set of interned tags: sorted, without duplicates after finalize. */
typedef struct pl_tags {
	int *ids;
	size_t n;
} pl_tags;

typedef struct pl_profile {
	char *id;
	char *origin; /* JSON Pointer of the record for error messages, "" if none */
	pl_tags tags[PL_TAG_CRITERIA];
	/* personality: after finalize, traits[k] for every trait of the population's vocabulary,
	 * or NULL when the profile gives none. */
	double *traits;
	int has_age;
	double age;
	int gender;        /* interned in the population's gender vocabulary; -1 unknown */
	pl_gender_pref gpref;
	int gpref_gender;  /* for PL_GPREF_GENDER */
	int has_age_range;
	double age_lo, age_hi;
	char *partner_id;  /* NULL none */
	long partner;      /* index after finalize, -1 none */
	char **exclude;    /* ids */
	size_t nexclude;
	long *exclude_idx; /* indexes after finalize */
	long capacity;     /* mentors: seats, default 1 */
	/* Stated preferences (docs/matching-mentors.md, "Stated preferences"): `prefers` ranks
	 * partners (first = most wanted) and raises their score; `avoid` removes the pair (rule
	 * "avoid"). Ids, resolved to indexes by finalize. */
	char **prefers;
	size_t nprefers;
	long *prefers_idx;
	char **avoid;
	size_t navoid;
	long *avoid_idx;
	double priority;   /* mentees: >= 0, default 0 (docs/matching-mentors.md, "Priority") */
	int has_recovery;  /* months_in_recovery given */
	double recovery_months; /* time in recovery (outreach's rematch prefers more of it) */

	/* private: filled while adding */
	int *trait_ids_;
	double *trait_vals_;
	size_t ntraits_;
} pl_profile;

/* A string interning table (open addressing). */
typedef struct pl_vocab {
	char **names; /* id -> name */
	size_t n, cap;
	int *slots;   /* hash slots: id or -1 */
	size_t nslots;
} pl_vocab;

typedef struct pl_profiles {
	pl_profile *items;
	size_t n, alloc;
	pl_vocab tags[PL_TAG_CRITERIA];
	pl_vocab traits;
	pl_vocab genders;
	pl_vocab ids;   /* profile id -> index (ids are unique) */
	/* The program's vocabulary (optional): allowed tags per tag criterion, and allowed genders
	 * (index PL_TAG_CRITERIA). vocab_on[f] says whether field f is restricted. */
	pl_vocab allowed[PL_TAG_CRITERIA + 1];
	int vocab_on[PL_TAG_CRITERIA + 1];
	int finalized;
} pl_profiles;

void pl_profiles_init(pl_profiles *P);
void pl_profiles_release(pl_profiles *P);

/* Add a profile with a fresh id; *index receives its position. A duplicate id is an error at
 * origin + "/id". origin may be NULL. */
pl_status pl_profiles_add(pl_profiles *P, const char *id, const char *origin, size_t *index,
			  pl_error *err);

pl_status pl_profile_add_tag(pl_profiles *P, size_t index, pl_criterion c, const char *tag,
			     pl_error *err);
/* A personality trait in [0, 1]. */
pl_status pl_profile_set_trait(pl_profiles *P, size_t index, const char *trait, double value,
			       pl_error *err);
pl_status pl_profile_set_gender(pl_profiles *P, size_t index, const char *gender, pl_error *err);
/* "same", "any", or a gender. */
pl_status pl_profile_set_gender_preference(pl_profiles *P, size_t index, const char *pref,
					   pl_error *err);
pl_status pl_profile_set_partner(pl_profiles *P, size_t index, const char *partner_id,
				 pl_error *err);
pl_status pl_profile_add_exclude(pl_profiles *P, size_t index, const char *id, pl_error *err);
/* Append an id to the profile's ranked `prefers` list, or to its `avoid` list. */
pl_status pl_profile_add_prefers(pl_profiles *P, size_t index, const char *id, pl_error *err);
pl_status pl_profile_add_avoid(pl_profiles *P, size_t index, const char *id, pl_error *err);

/* The vocabulary field of genders (beside the tag criteria) for pl_profiles_allow. */
#define PL_VOCAB_GENDER PL_TAG_CRITERIA
/* Restrict field f (a tag criterion or PL_VOCAB_GENDER) to a vocabulary: call once per allowed
 * name; the first call switches the restriction on. Before any profile is added. */
pl_status pl_profiles_allow(pl_profiles *P, int f, const char *name, pl_error *err);
/* Is name allowed in field f (always, when f is not restricted)? */
int pl_profiles_allowed(const pl_profiles *P, int f, const char *name);
/* age, age_range and capacity are plain fields: set them on P->items[index] directly. */

/*
 * Check and freeze the population: sort and deduplicate tags, resolve partner and exclude ids
 * (unknown ids are errors at origin/partner_id and origin/exclude/k), check that every
 * personality rates the same traits (origin/personality), that age ranges have min <= max
 * (origin/age_range) and capacities are >= 1 (origin/capacity), that `prefers` and `avoid`
 * name other profiles (origin/prefers/k, origin/avoid/k), and that a gender_preference names
 * a gender that some profile has or, with a gender vocabulary, one of it
 * (origin/gender_preference).
 */
pl_status pl_profiles_finalize(pl_profiles *P, pl_error *err);

/* The index of the profile with that id, or -1. */
long pl_profiles_find(const pl_profiles *P, const char *id);

/* Vocabulary helpers */
int pl_vocab_find(const pl_vocab *V, const char *name); /* -1 if absent */

#ifdef __cplusplus
}
#endif
#endif
