/*
 * peerlink/mentors.h: mentor matching: which mentee goes to which capacitated mentor, under one
 * of three objectives, with pins, forbidden pairs, stickiness to current pairs, a score floor,
 * and the explanations a coordinator needs (unmatched reasons, alternatives, blocking pairs).
 *
 * The problem works on a score matrix (from pl_compat_matrix, NaN = infeasible) and knows
 * nothing about profiles. Every objective works on the adjusted score
 *     w(i, j) = score(i, j) + stickiness * [j is i's current mentor]
 * over eligible pairs (feasible, not forbidden, score >= min_score); pinned pairs are fixed first
 * and use up their mentor's seats.
 *   TOTAL   most mentees matched, then the largest sum of w (pl_assign_solve on -w).
 *   MAXIMIN most mentees matched, then the largest smallest w, then the largest sum of w.
 *   STABLE  mentee-proposing deferred acceptance with capacities (Gale & Shapley 1962; Roth
 *           1984 for the many-to-one form): no blocking pair, mentee-optimal. Preferences are w,
 *           ties broken by rank (the caller passes the rank of each id in sorted order).
 *
 * Ownership: the problem's arrays are borrowed; the result owns its arrays
 * (pl_mentors_result_release).
 */
#ifndef PEERLINK_MENTORS_H
#define PEERLINK_MENTORS_H

#include <stddef.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pl_mentors_objective {
	PL_MENTORS_TOTAL = 0,
	PL_MENTORS_MAXIMIN,
	PL_MENTORS_STABLE
} pl_mentors_objective;

typedef enum pl_unmatched_reason {
	PL_UNMATCHED_NONE = 0,       /* matched */
	PL_UNMATCHED_NO_FEASIBLE,    /* every mentor breaks a hard rule or is forbidden */
	PL_UNMATCHED_BELOW_MIN_SCORE, /* feasible mentors exist, all below min_score */
	PL_UNMATCHED_CAPACITY,       /* eligible mentors exist, their seats went to others */
	/* set by pl_mentors_program_solve only (peerlink/program.h), never by pl_mentors_solve: */
	PL_UNMATCHED_COUPLES,        /* the partner in treatment has an eligible mentor with a seat
				      * left: only the couples rule keeps this mentee out */
	PL_UNMATCHED_OUTRANKED       /* capacity, and the seats are needed by mentees of a higher
				      * priority: matching this one would leave one of them out */
} pl_unmatched_reason;

typedef struct pl_mentors_problem {
	size_t nmentees, nmentors;
	const double *score;            /* nmentees x nmentors, row-major; NaN: infeasible */
	const long *capacity;           /* nmentors, each >= 1; NULL: all 1 */
	const long *pinned;             /* nmentees: mentor index or -1; NULL: none */
	const unsigned char *forbidden; /* nmentees x nmentors, nonzero: forbidden; NULL: none */
	const long *current;            /* nmentees: current mentor or -1; NULL: none */
	const long *mentee_rank;        /* tie-break order, smaller first; NULL: index order */
	const long *mentor_rank;
	pl_mentors_objective objective;
	double min_score;  /* default 0: every feasible pair is eligible */
	double stickiness; /* bonus for current pairs, >= 0 */
	double w_floor;    /* non-pinned pairs with w below it are not used (-INFINITY: none); the
			    * floor that MAXIMIN alternatives keep */
} pl_mentors_problem;

/* Zero arrays, objective TOTAL, min_score 0, stickiness 0, no w_floor. */
void pl_mentors_problem_init(pl_mentors_problem *pb);

typedef struct pl_mentors_result {
	size_t nmentees, nmentors;
	long *mentor_of;       /* nmentees: mentor or -1 */
	int *reason;           /* nmentees: pl_unmatched_reason */
	long *load;            /* nmentors */
	size_t matched;
	double total;           /* sum of scores over matched pairs (pins included) */
	double objective_value; /* sum of w over matched pairs (pins included) */
	double min_score, mean_score; /* over matched pairs; 0 when none */
	double threshold;       /* MAXIMIN: the smallest w among non-pinned matches (else 0) */
	size_t blocking_pairs;  /* see pl_mentors_blocking_pairs */
	size_t solves;          /* assignment solves used */
	/* TOTAL only: the assignment's dual certificate, for exact alternatives without
	 * re-solving (NaN for pinned mentees and mentors without a free seat); NULL otherwise. */
	double *dual_mentee, *dual_mentor;
	/* Internal: the solve's eligible pairs, which pl_mentors_alternatives reuses for the problem
	 * the result was solved from instead of listing them again (NULL: it lists them). */
	struct pl_mentors_pairs *pairs;
} pl_mentors_result;

#define PL_MENTORS_RESULT_INIT { 0, 0, NULL, NULL, NULL, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, NULL, NULL, NULL }

void pl_mentors_result_release(pl_mentors_result *res);

/* Solve. Errors: PL_ERR_INVALID for a pin that is out of range, infeasible, forbidden, or that
 * overfills its mentor; PL_ERR_NOMEM. */
pl_status pl_mentors_solve(const pl_mentors_problem *pb, pl_mentors_result *res, pl_error *err);

/*
 * Blocking pairs of an assignment (mentor_of per mentee): a non-pinned mentee i and an eligible
 * mentor j != mentor_of[i] such that i prefers j (larger w, ties by rank) to what i got (or i is
 * unmatched), and j has a seat not used by a pin that is free, or holds a non-pinned mentee it
 * likes less than i. The count goes to *count. Errors: PL_ERR_INVALID for pins that
 * seats_after_pins rejects (as pl_mentors_solve); PL_ERR_NOMEM (a count of 0 is never an
 * answer to running out of memory).
 */
pl_status pl_mentors_blocking_pairs(const pl_mentors_problem *pb, const long *mentor_of,
				    size_t *count, pl_error *err);

typedef struct pl_mentors_alt {
	long mentor;
	double score;        /* compat score of (mentee, mentor) */
	double total_change; /* objective_value(re-solved with the pair pinned) - objective_value */
	long matched_change; /* matched(re-solved) - matched */
} pl_mentors_alt;

/*
 * For each non-pinned mentee, up to `top` eligible mentors other than its own with a seat not
 * taken by pins, best score first (ties by rank), and the exact change of the optimum if that
 * pair were pinned. Under MAXIMIN the floor res->threshold is kept: the candidates are those
 * with w at or above it, and the change is that of the best total when every other non-pinned
 * mentee also stays at or above it (the TOTAL problem with w_floor = threshold). Under STABLE
 * deferred acceptance is re-run with the pin (preference lists built once). Under TOTAL, when every non-pinned mentee is matched and the duals check
 * out, the change is the reduced cost of the pair plus a shortest path in the residual graph
 * (one Dijkstra per distinct alternative mentor); otherwise the problem is re-solved with the
 * extra pin under the same objective. Both are exact. out has nmentees*top entries
 * (mentee i's in out[i*top ...]), count[i] says how many are filled. res must be pb's result
 * from pl_mentors_solve (its eligible pairs are reused when pb's score, current and forbidden
 * arrays and its scalars are the ones it was solved with).
 */
pl_status pl_mentors_alternatives(const pl_mentors_problem *pb, const pl_mentors_result *res,
				  size_t top, pl_mentors_alt *out, size_t *count, pl_error *err);
/* The same answers, the searches of TOTAL's (and MAXIMIN's) exact alternatives spread over up to
 * `threads` threads (1 .. PL_MENTORS_THREADS_MAX; fewer when there are few searches): each
 * search writes only its own queries' answers, so the answers do not depend on `threads`. */
#define PL_MENTORS_THREADS_MAX 16
pl_status pl_mentors_alternatives_threads(const pl_mentors_problem *pb, const pl_mentors_result *res,
					  size_t top, pl_mentors_alt *out, size_t *count, int threads,
					  pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
