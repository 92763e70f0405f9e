/*
 * peerlink/program.h: a matching program as plain data (the population of profiles, the
 * compatibility parameters and what one `match` request adds: pins, pairs, groups and their
 * rules), and the domain rules that turn it into a solver's problem.
 *
 * This is the core's side of reading a program back: the JSON layer (peerlink/json_match.h)
 * fills these structs from a document and turns the index a rule reports into a JSON Pointer;
 * a program that builds its population in code fills them itself. The rules here are the ones
 * the `match` commands document (docs/matching-mentors.md, docs/buddies.md, docs/groups.md):
 * who may join which group (requires, modality), a client's group-size limit (social anxiety),
 * the default number of groups, and the checks on pinned and current pairs.
 *
 * Life cycle: pl_*_program_init fills a caller's struct with the defaults, the setters and the
 * caller fill it, pl_*_program_release frees what it holds (every array below is owned by the
 * program and malloc'ed). Errors name record ids, never values; a function that checks a list
 * reports the offending entry's index in *at and leaves err->pointer "" for the caller to fill.
 */
#ifndef PEERLINK_PROGRAM_H
#define PEERLINK_PROGRAM_H

#include <stddef.h>
#include <peerlink/compat.h>
#include <peerlink/error.h>
#include <peerlink/groups.h>
#include <peerlink/mentors.h>
#include <peerlink/buddies.h>
#include <peerlink/profile.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Index of every profile of a population in one of its lists: pos[population index] = position
 * in list[0..n), or -1. malloc'ed (NULL when out of memory). */
long *pl_program_positions(const pl_profiles *P, const size_t *list, size_t n);

/* The symmetric score matrix of a set against itself: pl_compat_matrix_self (the base of each
 * pair the mean of both directions, then preferences; NaN for a pair a rule forbids).
 * S has n x n entries. */
pl_status pl_program_self_scores(const pl_profiles *P, const pl_compat_params *prm,
				 const size_t *set, size_t n, double *S, pl_error *err);

/* Each program's score matrix, malloc'ed into *S (the caller frees it, also on failure):
 * mentees x mentors for mentors (pl_compat_matrix); the symmetric clients x clients matrix for
 * buddies (forbidden pairs NaN) and groups. */

/* ---- mentors ---- */

typedef struct pl_mentors_program {
	pl_profiles P;
	pl_compat_params prm;
	size_t *mentee, nmentees;    /* population indexes of the mentees */
	size_t *mentor, nmentors;    /* and of the mentors */
	long *capacity;              /* nmentors: seats (the profiles' capacity) */
	long *pinned, *current;      /* nmentees: mentor position or -1 */
	unsigned char *forbidden;    /* nmentees x nmentors, or NULL for none */
	long *mentee_rank, *mentor_rank; /* ranks of the ids in byte order (stable tie-break) */
	pl_mentors_objective objective;
	double min_score, stickiness;
	size_t top;                  /* alternatives per mentee */
	/* Filled by pl_mentors_program_solve: the pins and forbidden pairs of the problem actually
	 * solved (priority tiers fix their matches; the couples rule forbids pairs). */
	long *solve_pinned;          /* nmentees */
	unsigned char *solve_forbidden; /* nmentees x nmentors, or NULL */
	size_t couple_splits;        /* couples the rule had to separate */
} pl_mentors_program;

/* Defaults: objective total, min_score 0, stickiness 0.1, top 3; an empty population. */
void pl_mentors_program_init(pl_mentors_program *m);
void pl_mentors_program_release(pl_mentors_program *m);
/* After the population is finalized and the two lists set: capacities, ranks, no pins. */
pl_status pl_mentors_program_prepare(pl_mentors_program *m, pl_error *err);
/* Pairs are (mentee position, mentor position). Forbidden pairs first, then pins (a mentee
 * pinned twice, a pin that breaks a hard rule or is forbidden, more pins on a mentor than its
 * capacity, or, with the couples rule on, a mentee pinned to its partner's pinned mentor are
 * PL_ERR_INVALID at pair *at), then current pairs (a mentee with two). */
pl_status pl_mentors_program_forbid(pl_mentors_program *m, const size_t *pairs, size_t n,
				    pl_error *err);
pl_status pl_mentors_program_pin(pl_mentors_program *m, const size_t *pairs, size_t n,
				 size_t *at, pl_error *err);
pl_status pl_mentors_program_current(pl_mentors_program *m, const size_t *pairs, size_t n,
				     size_t *at, pl_error *err);
pl_status pl_mentors_program_scores(const pl_mentors_program *m, double **S, pl_error *err);
/* The solver's problem over the mentees x mentors score matrix S (borrowed by pb). */
void pl_mentors_program_problem(const pl_mentors_program *m, const double *S,
				pl_mentors_problem *pb);
/* The name of the first hard rule the pair (mentee i, mentor j) breaks ("?" when none). */
const char *pl_mentors_program_rule(const pl_mentors_program *m, size_t i, size_t j);

/* Largest number of assignment problems the couples rule may branch into before it separates
 * the remaining couples greedily (docs/matching-mentors.md, "Couples"). */
#define PL_MENTORS_COUPLE_BRANCH_MAX 64

/*
 * Solve the program over S the way `match mentors` documents it, on top of pl_mentors_solve:
 *  - priority (total and maximin): lexicographic: the most matched mentees of the highest
 *    `priority`, then of the next, ... (mentees without a priority last), then the objective
 *    over the whole assignment; who is matched is protected tier by tier, which mentor is not.
 *    The tiers above 0 then keep their mentors in *pb (pins of the problem solved, not of the
 *    request), so the alternatives are those of the mentees without a priority;
 *  - couples (rule "couples", on by default): two mentees who are partners in treatment
 *    together never share a mentor. When the optimum puts a couple with one mentor, the problem
 *    branches (one or the other may not have that mentor) and the better branch wins (more
 *    matched, then the objective); exact up to PL_MENTORS_COUPLE_BRANCH_MAX solves.
 * *pb receives the problem finally solved (for pl_mentors_alternatives), res the answer; its
 * unmatched reasons are in the request's terms, with PL_UNMATCHED_COUPLES and
 * PL_UNMATCHED_OUTRANKED (peerlink/mentors.h), and its blocking pairs count the request's pins
 * only.
 */
pl_status pl_mentors_program_solve(pl_mentors_program *m, const double *S, pl_mentors_problem *pb,
				   pl_mentors_result *res, pl_error *err);

/* Does priority apply (objective total or maximin, some mentee with a priority above 0)? */
int pl_mentors_program_has_priority(const pl_mentors_program *m);
/* The program solved as pl_mentors_program_solve does, with mentee i also pinned to mentor j
 * (m is not changed): what keeping a pair costs, priority and couples included.
 * PL_ERR_INVALID when every seat of j is pinned to other mentees, or when the extra pin breaks
 * the couples rule (the partner pinned to j). */
pl_status pl_mentors_program_solve_pinned(const pl_mentors_program *m, const double *S, size_t i,
					  size_t j, pl_mentors_result *res, pl_error *err);

/* ---- buddies ---- */

typedef struct pl_buddies_program {
	pl_profiles P;
	pl_compat_params prm;
	size_t *client, n;           /* population indexes of the clients */
	size_t *forbidden, nforbidden; /* client-position pairs */
	size_t *pinned, npinned;
	size_t *current, ncurrent;
	int triad;                   /* odd = "triad" (1) or "unmatched" (0) */
	double min_score, stickiness;
	size_t top;
} pl_buddies_program;

/* Defaults: odd = triad, min_score 0, stickiness 0.1, top 3. */
void pl_buddies_program_init(pl_buddies_program *b);
void pl_buddies_program_release(pl_buddies_program *b);
pl_status pl_buddies_program_scores(const pl_buddies_program *b, double **S, pl_error *err);
/* A client pinned twice, or a pinned pair that breaks a hard rule or is forbidden
 * (PL_ERR_INVALID, *at = the pin; *list = 0), or a client in two current pairs (*list = 1). */
pl_status pl_buddies_program_check(const pl_buddies_program *b, int *list, size_t *at,
				   pl_error *err);
/* The solver's problem over S (borrowed). Above PL_BUDDIES_ALT_CHANGE_MAX_CLIENTS clients,
 * alternatives are listed without total_change: each one is a full re-solve (~45 ms at 500
 * clients), and top x clients of them would take minutes. */
#define PL_BUDDIES_ALT_CHANGE_MAX_CLIENTS 150
void pl_buddies_program_problem(const pl_buddies_program *b, const double *S,
				pl_buddies_problem *pb);
/* Is (a, b) a current pair? Is it forbidden? The first rule it breaks ("forbidden", "?"). */
int pl_buddies_program_is_current(const pl_buddies_program *b, size_t a, size_t c);
int pl_buddies_program_is_forbidden(const pl_buddies_program *b, size_t a, size_t c);
const char *pl_buddies_program_rule(const pl_buddies_program *b, size_t a, size_t c);

/* ---- groups ---- */

#define PL_GROUPS_ANXIETY_MAX_DEFAULT 6
/* Largest size, group count and client limit a request may ask for. */
#define PL_GROUPS_SIZE_MAX 1000000

/* A group's admission rule on one field: a tag criterion, the gender, or the age. */
enum { PL_GROUP_FIELD_GENDER = PL_CRIT_COUNT, PL_GROUP_FIELD_AGE };

typedef struct pl_group_requirement {
	int field;                 /* a tag criterion (< PL_TAG_CRITERIA) or PL_GROUP_FIELD_* */
	const char *const *tags;   /* tags and gender: the client needs at least one of these */
	size_t ntags;
	double age_lo, age_hi;     /* age: the client's age lies in [age_lo, age_hi] */
} pl_group_requirement;

/* The field a group may require, by its name ("experiences", ..., "gender", "age"), or -1. */
int pl_group_field_from_name(const char *name);

/* A rule of a group, as recorded while the group's eligibility is built (pl_group_gate.field):
 * a requirement's field (PL_GROUP_FIELD_* or a tag criterion), or one of these. */
enum { PL_GROUP_GATE_MODALITY = -2, PL_GROUP_GATE_LANGUAGE = -3 };

/* After each rule applied to a group, how many clients the group's rules so far still admit: the
 * first rule that leaves fewer than the group's minimum is the one that prevents it. */
typedef struct pl_group_gate {
	size_t group;
	int field;   /* PL_GROUP_GATE_*, PL_GROUP_FIELD_* or a tag criterion */
	size_t left; /* clients still eligible after it */
} pl_group_gate;

/* The name of a gate's rule as the request spells it: "modality", "language", or the requires
 * field ("experiences", "gender", "age", ...). */
const char *pl_group_gate_name(int field);
/* Is the gate a "requires" field (its pointer is /groups/g/requires/<name>)? */
int pl_group_gate_is_requirement(int field);

typedef struct pl_groups_program {
	pl_profiles P;
	pl_compat_params prm;
	size_t *client, n;           /* population indexes of the clients */
	size_t ngroups;
	size_t *min_size, *max_size; /* ngroups */
	unsigned char *eligible;     /* n x ngroups */
	size_t *client_max;          /* n: group-size limit, 0 none */
	int *anxious;                /* n: social_anxiety */
	char **group_id, **group_modality, **group_facilitator; /* ngroups each (entries may be
	                                NULL), or all NULL for the count form ("group_size") */
	size_t *apart, napart, *together, ntogether; /* client-position pairs */
	int limit_on_max;            /* size_limit "declared" */
	unsigned char *required;     /* ngroups: 1 = the group must be formed; NULL: none is */
	char **group_language;       /* ngroups (entries may be NULL), named groups only */
	pl_group_gate *gate;         /* every rule applied, in order */
	size_t ngates, gatecap;
	unsigned long seed;
	int has_seed;                /* the request gave "seed" (it wins over a caller's default) */
} pl_groups_program;

void pl_groups_program_init(pl_groups_program *g);
void pl_groups_program_release(pl_groups_program *g);
/* A client's group-size limit: max_group_size (0 = none) and, for an anxious client, at most
 * anxiety_max. */
size_t pl_groups_client_limit(int anxious, size_t max_group_size, size_t anxiety_max);
/* The fewest groups of at most max_size that hold n clients. */
size_t pl_groups_default_count(size_t n, size_t max_size);
/* Clients x groups at most this (the solver keeps a few tables of that many entries). */
#define PL_GROUPS_CELLS_MAX ((size_t)1 << 25)
/* Allocate ngroups groups (sizes unset, everyone eligible); named: with ids, modalities and
 * facilitators. More than PL_GROUPS_CELLS_MAX clients x groups is PL_ERR_INVALID (pointer ""). */
pl_status pl_groups_program_set_groups(pl_groups_program *g, size_t ngroups, int named,
				       pl_error *err);
/* Clients who list modalities must list the group's (no list: either). */
void pl_groups_program_modality(pl_groups_program *g, size_t group, const char *modality);
/* Clear group's eligibility for the clients who fail the requirement. */
void pl_groups_program_require(pl_groups_program *g, size_t group,
			       const pl_group_requirement *req);
/* Only clients whose languages include `language` may join the group (a language-specific group:
 * a client who lists no languages is not taken to speak it). */
void pl_groups_program_language(pl_groups_program *g, size_t group, const char *language);
/* Mark a group required (allocates the flags on first use). PL_ERR_NOMEM only. */
pl_status pl_groups_program_set_required(pl_groups_program *g, size_t group, pl_error *err);
/* Clients the group's rules admit (its eligibility column). */
size_t pl_groups_program_eligible(const pl_groups_program *g, size_t group);
/* The first rule of group g after which fewer than its minimum size remain eligible, as a gate
 * (NULL: its rules leave enough). */
const pl_group_gate *pl_groups_program_blocking_gate(const pl_groups_program *g, size_t group);
/* Every required group whose rules leave fewer clients than its minimum is PL_ERR_INFEASIBLE
 * naming the group and the rule; *group and *gate say which (for the caller's pointer). */
pl_status pl_groups_program_check_required(const pl_groups_program *g, size_t *group,
					   const pl_group_gate **gate, pl_error *err);
pl_status pl_groups_program_scores(const pl_groups_program *g, double **S, pl_error *err);

/* The bit of keep_apart beside the compat rules' PL_RULE_BIT set (pl_groups_program_pair_rules). */
#define PL_GROUPS_RULE_KEEP_APART (1u << PL_RULE_COUNT)
/* Which rules keep clients a and b (positions) out of one group: the enabled compat rules they
 * break (pl_compat_rules_failed) and PL_GROUPS_RULE_KEEP_APART for a keep_apart pair; 0 none. */
unsigned pl_groups_program_pair_rules(const pl_groups_program *g, size_t a, size_t b);
/* May client i join group `group` at all: its rules, and the client's group-size limit against
 * the group's minimum (or, with size_limit "declared", its maximum)? */
int pl_groups_program_may_join(const pl_groups_program *g, size_t i, size_t group);

/* Why the clients who may join a group (pl_groups_program_may_join) hold no set of the group's
 * minimum size free of conflicts, by rule (issue 13: a required group's exit 4 names the rule). */
typedef struct pl_groups_clique_rules {
	size_t clients;                  /* who may join the group */
	size_t pairs;                    /* their pairs */
	size_t counts[PL_RULE_COUNT + 1]; /* pairs each rule separates (slot PL_RULE_COUNT:
					     keep_apart); a pair may count under several rules */
	unsigned decisive;               /* rules (PL_RULE_BIT, PL_GROUPS_RULE_KEEP_APART) each of
					    which, ignored alone, leaves such a set: the rule that
					    blocks the group. 0: none alone does (they block it
					    together), or the search's budget ran out */
	int exhausted;                   /* 1: a search ran out of budget (decisive incomplete) */
	int found;                       /* 1: with every rule kept, a set does exist (keep_together
					    sets, which this ignores, are then what blocks) */
} pl_groups_clique_rules;
/* Fill *out for group `group`: count the rules over every pair of the clients who may join it,
 * then, for each rule that separates a pair, search (depth first, at most 200,000 steps each)
 * for a set of the group's minimum size free of every other rule. keep_together is not modelled.
 * Above PL_GROUPS_CLIQUE_RULES_MAX such clients nothing is counted (exhausted = 1): the solver
 * skips its own check there too. PL_ERR_NOMEM only. */
#define PL_GROUPS_CLIQUE_RULES_MAX 2000
pl_status pl_groups_program_clique_rules(const pl_groups_program *g, size_t group,
					 pl_groups_clique_rules *out, pl_error *err);

/* The solver's problem over the n x n score matrix S (borrowed by pb). */
void pl_groups_program_problem(const pl_groups_program *g, const double *S,
			       pl_groups_problem *pb);

#ifdef __cplusplus
}
#endif
#endif
