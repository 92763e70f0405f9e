/*
 * peerlink/compat.h: pairwise compatibility of profiles: scores in [0, 1], hard rules, and the
 * per-criterion explanation of a score. Used by `peerlink compat` and by every matcher.
 *
 * Score of a pair (a, b), a the client (row), b the candidate (column)
 * (docs/matching-mentors.md has the full formula):
 *     base  = sum_c w_c s_c(a, b) / sum_c w_c,   both sums over the criteria c that both a and b
 * fill in (w_c > 0), where s_c in [0, 1] is the share of a's tags that b shares, |A n B| / |A|,
 * for tag criteria (so a fuller profile on b's side never scores lower), 1 - mean squared trait
 * difference for personality, and max(0, 1 - |age gap|/20) for age; 0 when the two share no
 * filled-in criterion. For a set against itself (buddies, groups) the base is the mean of both
 * directions. Then stated preferences raise it:
 *     score = 1 - (1 - base) * prod_d (1 - beta (k_d - r_d + 1) / k_d)
 * over the directions d in which one side ranks the other r_d-th of k_d in `prefers`
 * (beta = prm->preference, default 0.5).
 * A pair is infeasible when it breaks an enabled hard rule; the matrix then holds NaN.
 *
 * Ownership: all functions read the population and parameters and write only into caller-owned
 * outputs.
 */
#ifndef PEERLINK_COMPAT_H
#define PEERLINK_COMPAT_H

#include <stddef.h>
#include <peerlink/error.h>
#include <peerlink/profile.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pl_rule {
	PL_RULE_LANGUAGE = 0, /* both list languages and share none */
	PL_RULE_MODALITY,     /* both list modalities and share none */
	PL_RULE_GENDER,       /* a gender_preference of either side is not met (or not checkable) */
	PL_RULE_AGE,          /* an age_range of either side is not met (or the age is unknown) */
	PL_RULE_EXCLUDE,      /* either side excludes the other */
	PL_RULE_PARTNER,      /* the two are partners in treatment together */
	PL_RULE_AVAILABILITY, /* fewer shared availability slots than min_availability_overlap */
	PL_RULE_SELF,         /* a profile against itself (always on) */
	PL_RULE_AVOID,        /* either side lists the other in `avoid` */
	PL_RULE_COUPLES,      /* not a pair rule: partners in treatment together never share a
			       * mentor (match mentors); never set by pl_compat_rules_failed */
	PL_RULE_COUNT
} pl_rule;

#define PL_RULE_BIT(r) (1u << (r))
#define PL_RULES_DEFAULT                                                                          \
	(PL_RULE_BIT(PL_RULE_LANGUAGE) | PL_RULE_BIT(PL_RULE_MODALITY) | PL_RULE_BIT(PL_RULE_GENDER) | \
	 PL_RULE_BIT(PL_RULE_AGE) | PL_RULE_BIT(PL_RULE_EXCLUDE) | PL_RULE_BIT(PL_RULE_PARTNER) |      \
	 PL_RULE_BIT(PL_RULE_SELF) | PL_RULE_BIT(PL_RULE_AVOID) | PL_RULE_BIT(PL_RULE_COUPLES))

/* The "constraints" name of a rule ("language", "modality", ...) and back (-1 if unknown). */
const char *pl_rule_name(pl_rule r);
int pl_rule_from_name(const char *name);

typedef struct pl_compat_params {
	double weight[PL_CRIT_COUNT]; /* >= 0 */
	unsigned rules;               /* PL_RULE_BIT set of enabled rules */
	long min_availability_overlap; /* PL_RULE_AVAILABILITY applies when > 0 */
	double age_scale;              /* years of age gap at which the age similarity reaches 0 */
	double preference;             /* beta in [0, 1]: how far a first choice in `prefers` closes
					* the gap to 1 (0: preferences are ignored) */
} pl_compat_params;

/* Defaults: see docs/matching-mentors.md ("Weights"). */
void pl_compat_params_init(pl_compat_params *prm);

/* Which enabled rules the pair (a, b) breaks (PL_RULE_BIT set; 0 = feasible). */
unsigned pl_compat_rules_failed(const pl_profiles *P, const pl_compat_params *prm, size_t a,
				size_t b);

/* The same rule sets for one profile against a whole list at once (the list is packed once by
 * pl_compat_rules_new): pl_compat_rules_row writes out[j] = pl_compat_rules_failed(P, prm, a,
 * right[j]) for every j < nr, or, when scores (a's row of pl_compat_matrix against right) is
 * given, only where scores[j] is NaN (0 elsewhere: the matrix is NaN exactly where a rule
 * fails). P, prm and right are borrowed and must outlive the object. pl_compat_rules_new
 * returns NULL when out of memory; pl_compat_rules_free accepts NULL. */
typedef struct pl_compat_rules pl_compat_rules;
pl_compat_rules *pl_compat_rules_new(const pl_profiles *P, const pl_compat_params *prm,
				     const size_t *right, size_t nr);
void pl_compat_rules_row(const pl_compat_rules *R, size_t a, const double *scores, unsigned *out);
void pl_compat_rules_free(pl_compat_rules *R);

typedef struct pl_compat_detail {
	unsigned failed;                 /* as pl_compat_rules_failed */
	int present[PL_CRIT_COUNT];      /* both sides fill the criterion in and w_c > 0 */
	double similarity[PL_CRIT_COUNT]; /* s_c, 0 when not present */
	double contribution[PL_CRIT_COUNT]; /* w_c s_c / sum of present w; they add up to base */
	double base;                     /* the score before stated preferences */
	double preference;               /* score - base: what `prefers` added */
	double score;                    /* the score whether or not the pair is feasible */
} pl_compat_detail;

/* The score of one pair (a the client) computed directly from the definition, with its
 * breakdown. */
void pl_compat_explain(const pl_profiles *P, const pl_compat_params *prm, size_t a, size_t b,
		       pl_compat_detail *out);
/* The same for a set against itself: similarities and contributions are the means of both
 * directions (what pl_compat_matrix_self scores). */
void pl_compat_explain_self(const pl_profiles *P, const pl_compat_params *prm, size_t a,
			    size_t b, pl_compat_detail *out);
/* The factor prod_d (...) above for the pair: 1 when neither ranks the other. */
double pl_compat_preference_factor(const pl_profiles *P, const pl_compat_params *prm, size_t a,
				   size_t b);

/*
 * The nl x nr score matrix (row-major, OUT `scores`) of the profiles left[0..nl) against
 * right[0..nr) of a finalized population, NaN where a hard rule makes the pair infeasible.
 * Computed as one GEMM of the two sets' compatibility vectors plus the elementwise age term.
 * left and right may be the same list (a set against itself).
 */
pl_status pl_compat_matrix(const pl_profiles *P, const pl_compat_params *prm, const size_t *left,
			   size_t nl, const size_t *right, size_t nr, double *scores, pl_error *err);

/* The symmetric n x n score matrix of a set against itself (buddies, groups): the base of each
 * pair is the mean of both directions, then preferences and rules as above (NaN on the
 * diagonal). */
pl_status pl_compat_matrix_self(const pl_profiles *P, const pl_compat_params *prm,
				const size_t *set, size_t n, double *scores, pl_error *err);

/* Shared tags of criterion c (c < PL_TAG_CRITERIA): writes up to max ids into out, returns the
 * number shared. */
size_t pl_compat_shared_tags(const pl_profiles *P, size_t a, size_t b, pl_criterion c, int *out,
			     size_t max);

#ifdef __cplusplus
}
#endif
#endif
