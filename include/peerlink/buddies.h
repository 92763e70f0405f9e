/*
 * peerlink/buddies.h: accountability-partner pairing: clients paired among themselves so that the
 * total compatibility is largest, with pins, existing pairs kept by a stickiness bonus, a minimum
 * score, and what to do with the odd one out: the engine of `peerlink match buddies`.
 *
 * Problem. n clients and a symmetric n x n score matrix (NaN: the two may not be paired; compat
 * puts NaN on partners in treatment together, `exclude` and every hard rule). Pinned pairs are
 * formed first. Among the other clients, a pair is allowed when its score is not NaN and at least
 * min_score; its weight is score + stickiness if it is a current pair. The answer has as many
 * paired clients as possible and, among those, the largest total weight: a maximum-cardinality
 * maximum-weight matching on a general graph (pl_blossom_solve, Edmonds/Galil, exact).
 *
 * Odd one out. When the clients to pair are odd in number and a matching leaves exactly one of
 * them, with odd = triad that client joins a pair: the triad {a, b, c} scores w(a,b) + w(a,c) +
 * w(b,c) (every pair in it meets), all three pairs allowed. The triad and the matching of the rest
 * are chosen together to maximise the total: exactly, at every size, by branch and bound on the
 * bounds that the duals of one blossom solve give for every candidate triad, each remaining
 * candidate evaluated by a warm re-solve (engine/match/buddies.c). Without a feasible triad, or
 * with odd = unmatched, the leftover is
 * reported unmatched with the reason.
 *
 * Ownership. The problem's arrays are borrowed; the result owns its arrays
 * (pl_buddies_result_release).
 */
#ifndef PEERLINK_BUDDIES_H
#define PEERLINK_BUDDIES_H

#include <stddef.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pl_buddies_reason {
	PL_BUDDIES_PAIRED = 0,
	PL_BUDDIES_NO_FEASIBLE,   /* every pair with this client is forbidden (NaN) */
	PL_BUDDIES_BELOW_MIN,     /* feasible partners exist, all scoring below min_score */
	PL_BUDDIES_TAKEN,         /* allowed partners exist but the most pairs left none free */
	PL_BUDDIES_ODD,           /* odd count, odd = unmatched: the one left out */
	PL_BUDDIES_NO_TRIAD       /* odd count, odd = triad, but no pair could take this client */
} pl_buddies_reason;

typedef struct pl_buddies_problem {
	size_t n;
	const double *score;   /* n x n, symmetric, NaN = may not be paired */
	double min_score;      /* pairs scoring below are not formed (pins excepted) */
	size_t npinned;
	const size_t *pinned;  /* 2 * npinned client indices */
	size_t ncurrent;
	const size_t *current; /* 2 * ncurrent: pairs that exist now */
	double stickiness;     /* bonus on the weight of a current pair */
	int triad;             /* 1: the odd one out joins a pair */
	size_t top;            /* alternatives per client (0: none) */
	int no_alternative_change; /* 1: skip the re-solves behind alternatives' total_change */
	int triad_heuristic;   /* 1: use the exchange heuristic even for few triads (tests) */
	int no_alternative_search; /* 1: price every alternative by its own re-solve, never by the
	                              one search per client (tests: the oracle of that search) */
} pl_buddies_problem;

#define PL_BUDDIES_PROBLEM_INIT { 0, NULL, 0.0, 0, NULL, 0, NULL, 0.0, 1, 0, 0, 0, 0 }

typedef struct pl_buddies_alt {
	size_t partner;
	double score;
	double total_change;  /* objective with this pair required minus the optimum (<= 0) */
	long matched_change;  /* clients matched with it minus without (<= 0) */
} pl_buddies_alt;

typedef struct pl_buddies_result {
	size_t n;
	long *partner;        /* n: the partner, or -1 (the triad's third member: see triad) */
	int *reason;          /* n: pl_buddies_reason */
	int *pinned;          /* n: 1 for pinned clients */
	long triad[3];        /* a, b, c: c joined the pair (a, b); -1 when there is none */
	int triad_exact;      /* 1: the triad is proven optimal (0 only with triad_heuristic) */
	size_t pairs;         /* pairs formed (the triad's pair included) */
	size_t matched;       /* clients in a pair or the triad */
	double total;         /* sum of scores of every pair that meets (triad: its three) */
	double objective;     /* total + stickiness bonuses: what was maximised */
	pl_buddies_alt *alt;  /* n * top */
	size_t *nalt;         /* n */
	size_t top;
	size_t solves;        /* blossom solves run */
	int exact_weights;    /* 1: every blossom solve was exact (see blossom.h) */
	size_t improved_by_alternatives; /* times an alternative's re-solve beat the answer (only
	                                    possible with the exchange heuristic) and replaced it */
	size_t alternative_triads; /* alternatives whose re-solve (its rest odd) placed a triad by
	                              the branch and bound */
	size_t alternative_searches; /* clients whose alternatives one search priced (in solves) */
	size_t alternative_resolves; /* alternatives priced by a re-solve of their own (in solves) */
} pl_buddies_result;

#define PL_BUDDIES_RESULT_INIT { 0, NULL, NULL, NULL, { -1, -1, -1 }, 0, 0, 0, 0.0, 0.0, NULL, NULL, 0, 0, 1, 0, 0, 0, 0 }

void pl_buddies_result_init(pl_buddies_result *res);
void pl_buddies_result_release(pl_buddies_result *res);

/* Invalid input (asymmetry, indices, a client pinned twice) is PL_ERR_INVALID; a pinned pair
 * whose score is NaN is PL_ERR_INVALID with the pointer "/pinned/k". */
pl_status pl_buddies_solve(const pl_buddies_problem *prob, pl_buddies_result *res, pl_error *err);

const char *pl_buddies_reason_name(int reason); /* "no_feasible_partner", ... */

#ifdef __cplusplus
}
#endif
#endif
