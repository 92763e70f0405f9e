/*
 * peerlink/groups.h: partition clients into support groups so that the sum of within-group
 * pairwise compatibility is as large as possible, under group size ranges, per-group eligibility,
 * per-client group-size limits, keep-apart and keep-together pairs: the engine of
 * `peerlink match groups`.
 *
 * Problem. n clients, a symmetric n x n score matrix (NaN: the two may not share a group), and
 * ngroups groups, group g with a size range [min_g, max_g]. Each group is either not formed
 * (empty) or holds between min_g and max_g clients. Client i may join group g only when
 * eligible[i][g], and only if the group's final size is at most client_max[i] (social anxiety: a
 * smaller group). Keep-apart pairs never share a group; keep-together pairs are placed together or
 * not at all. A required group must be formed. The objective is lexicographic: first place as
 * many clients as possible, then maximise the sum over groups of the scores of all pairs inside
 * the group. This is the maximally
 * diverse grouping problem with side constraints, NP-hard (Feo & Khellaf 1990), hence:
 *   - pl_groups_solve: a construction plus simulated annealing on move/swap neighbourhoods with
 *     seeded restarts, then a steepest local-search descent; deterministic for a given seed;
 *   - an upper bound on the best achievable score (a Lagrangian relaxation of "my partners are
 *     partners of mine", see groups.c and docs/groups.md), reported with the gap;
 *   - pl_groups_solve_exact: exhaustive enumeration for small instances (tests, audits);
 *     pl_groups_solve runs it itself after the heuristic when an instance is small (at most 2e6
 *     assignments), so small answers come proven optimal.
 *
 * Ownership. The problem's arrays are borrowed and only read. The result's arrays are owned by the
 * pl_groups_result and released by pl_groups_result_release().
 */
#ifndef PEERLINK_GROUPS_H
#define PEERLINK_GROUPS_H

#include <stddef.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PL_GROUPS_UNPLACED (-1L)

/* Random streams. Restart r of pl_groups_solve draws from a gsl_rng of type splitmix64 (groups.c)
 * seeded with seed * PL_GROUPS_RNG_MUL + r * PL_GROUPS_RNG_STREAM (mod 2^64): a seed gives the same
 * answer on every machine, and the restarts of one solve use distinct streams. */
#define PL_GROUPS_RNG_MUL 0x2545F4914F6CDD1DUL
#define PL_GROUPS_RNG_STREAM 0x9E3779B97F4A7C15UL

/* Why a client is where it is (pl_groups_result.reason). */
typedef enum pl_groups_reason {
	PL_GROUPS_PLACED = 0,
	PL_GROUPS_NO_ELIGIBLE_GROUP, /* no group admits them (requires / modality / eligibility) */
	PL_GROUPS_SIZE_LIMIT,        /* eligible groups exist but none may be as small as their limit */
	PL_GROUPS_TOGETHER_TOO_BIG,  /* their keep-together set fits no eligible group */
	PL_GROUPS_CONFLICT,          /* every eligible formed group with room holds someone they may
	                                not share a group with (forbidden pair or keep-apart) */
	PL_GROUPS_NO_ROOM,           /* every eligible formed group is full (or at its limit) */
	PL_GROUPS_NOT_FORMED         /* the groups they may join could not be formed (too few
	                                clients for their minimum) */
} pl_groups_reason;

/* Why a group is formed or not (pl_groups_result.group_status). */
typedef enum pl_groups_group_status {
	PL_GROUPS_FORMED = 0,
	PL_GROUPS_TOO_FEW_ELIGIBLE, /* fewer eligible clients than its minimum size */
	PL_GROUPS_NOT_FILLED        /* enough eligible clients, but not enough left to reach the
	                               minimum once the other groups were filled */
} pl_groups_group_status;

typedef struct pl_groups_problem {
	size_t n;                       /* clients */
	const double *score;            /* n x n, row-major, symmetric; NaN: may not share a group;
	                                   the diagonal is ignored; other entries finite */
	size_t ngroups;
	const size_t *min_size;         /* ngroups entries, 1 <= min_size[g] <= max_size[g] */
	const size_t *max_size;         /* ngroups entries */
	const unsigned char *eligible;  /* n x ngroups row-major: nonzero when client i may join g;
	                                   NULL: everyone may join every group */
	const size_t *client_max;       /* n: the largest group client i may be in, 0 = no limit;
	                                   NULL: no limits */
	size_t napart;
	const size_t *apart;            /* 2 * napart client indices: pairs kept apart */
	size_t ntogether;
	const size_t *together;         /* 2 * ntogether client indices: pairs kept together */
	unsigned long seed;
	unsigned restarts;              /* independent annealing runs; 0: default (4) */
	unsigned long steps;            /* annealing moves per run; 0: default (scaled with n) */
	unsigned bound_iterations;      /* subgradient steps for the bound; 0: default (150) */
	int no_exhaustive;              /* 1: never prove small answers by exhaustive search (tests
	                                   that measure the heuristic alone) */
	int limit_on_max;               /* 1: a client limit applies to the group's declared maximum
	                                   (max_size[g] <= limit), not to its final size */
	const unsigned char *required;  /* ngroups: nonzero when the group must be formed (before
	                                   placing as many clients as possible); NULL: none */
	int no_regroup;                 /* 1: skip the exact re-partitions of k groups and the pool
	                                   (tests that show what they find) */
	int no_columns;                 /* 1: skip the set-partitioning bound and price-and-branch
	                                   (tests that compare with and without them) */
} pl_groups_problem;

#define PL_GROUPS_PROBLEM_INIT                                                                     \
	{ 0, NULL, 0, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, 0, 0, 0, 0, 0, 0, NULL, 0, 0 }

typedef struct pl_groups_result {
	size_t n, ngroups;
	long *group_of;          /* n: group index or PL_GROUPS_UNPLACED */
	int *reason;             /* n: pl_groups_reason (PL_GROUPS_PLACED for placed clients) */
	int *group_status;       /* ngroups: pl_groups_group_status */
	size_t *group_size;      /* ngroups: members */
	size_t *group_eligible;  /* ngroups: clients who may join it (eligible, their size limits
	                            and keep-together sets allow it) */
	double *group_score;     /* ngroups: sum of the member pairs' scores */
	size_t placed;           /* clients placed */
	double objective;        /* sum of group_score */
	/* An upper bound on the objective of every feasible partition (placed count aside), and
	 * gap = (upper_bound - objective) / max(|upper_bound|, 1e-12), 0 when proven optimal. */
	double upper_bound;
	double gap;
	int optimal;             /* 1: proven optimal (exact enumeration, or bound reached) */
	/* How it went, for stats and benchmarks. */
	const char *method;      /* "annealing", "annealing + exhaustive search" or "exhaustive" */
	const char *bound_method; /* how upper_bound was obtained */
	const char *algorithm;   /* the phases that ran, in words (stats.algorithm): they depend on
	                            the program's size (docs/groups.md, section 4) */
	int exhaustive_improved; /* 1: the exhaustive search beat the heuristic (rare), or found a
	                            grouping where the heuristic found none; 0 when it did not run
	                            or the heuristic's answer was already optimal */
	size_t restarts;         /* annealing runs */
	unsigned long steps;     /* annealing moves tried in total */
	size_t best_restart;     /* the run that gave the answer */
	double simple_bound;     /* the bound before the Lagrangian steps (each client's best
	                            partners), for reference */
	size_t bound_iterations; /* subgradient steps taken */
	double column_bound;     /* the set-partitioning (column) bound on the total, up to 64 units;
	                            0 when it did not run (upper_bound is the smaller of both) */
	double placed_bound;     /* the same model's bound on the clients placed; 0: did not run */
} pl_groups_result;

#define PL_GROUPS_RESULT_INIT                                                                      \
	{ 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0.0, 0.0, 0.0, 0, "", "", "", 0, 0, 0, 0, 0.0, 0,     \
	  0.0, 0.0 }

void pl_groups_result_init(pl_groups_result *res);
void pl_groups_result_release(pl_groups_result *res);

/*
 * The heuristic with its bound. Invalid input (sizes, indices, non-finite off-diagonal scores
 * other than NaN, asymmetric matrices) is PL_ERR_INVALID; a keep-together chain that joins two
 * clients who may not share a group is PL_ERR_INFEASIBLE with the pointer "/keep_together/k" of
 * the pair that closed it. A required group that cannot be formed is PL_ERR_INFEASIBLE with the
 * pointer "/groups/g" and the reason: too few clients may join it once size limits and
 * keep-together sets are counted ("/groups/g/size"), the required groups together need more
 * clients than can be shared out among them, no set of its minimum size is free of conflicts
 * (proven by search), or (never seen on the tests) the search found no grouping that forms
 * every required group. Clients the rules leave out are reported in res->reason, not as errors.
 */
pl_status pl_groups_solve(const pl_groups_problem *prob, pl_groups_result *res, pl_error *err);

/*
 * Exhaustive search over every assignment of clients (keep-together sets as one) to groups or to
 * nobody: the exact lexicographic optimum. Refuses (PL_ERR_USAGE) above PL_GROUPS_EXACT_MAX units.
 * res->upper_bound = res->objective and optimal = 1.
 */
#define PL_GROUPS_EXACT_MAX 14
pl_status pl_groups_solve_exact(const pl_groups_problem *prob, pl_groups_result *res,
				pl_error *err);

/* The upper bound alone (what pl_groups_solve reports), given a lower bound to steer the
 * subgradient steps (the objective of any feasible partition, or 0). */
pl_status pl_groups_upper_bound(const pl_groups_problem *prob, double lower, double *bound,
				pl_error *err);

const char *pl_groups_reason_name(int reason);       /* "no_eligible_group", ... */
const char *pl_groups_group_status_name(int status); /* "formed", "too_few_eligible", ... */

#ifdef __cplusplus
}
#endif
#endif
