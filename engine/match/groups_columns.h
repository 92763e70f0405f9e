/*
 * groups_columns.h: the set-partitioning (column) bound and price-and-branch for match groups
 * (internal to engine/match; groups.c is its only caller besides the unit tests).
 *
 * A column is a feasible member set of one class of identical groups. groups_columns.c prices
 * columns against the multipliers of a small LP (column generation), reports the Lagrangian
 * upper bound those multipliers give, and searches the columns it generated for the best grouping
 * (a restricted master solved by depth-first search). Everything is counted in search nodes,
 * never in time, and nothing depends on the seed. Programs of at most 64 units (bit masks).
 */
#ifndef PL_GROUPS_COLUMNS_H
#define PL_GROUPS_COLUMNS_H

#include <peerlink/error.h>
#include <stddef.h>

#define PL_GCOLS_MAX_UNITS 64

/* The program in units (keep-together sets merged), as groups.c builds it. Arrays are borrowed. */
typedef struct pl_gcols_in {
	size_t U, G;
	const size_t *usz;         /* U: clients in the unit */
	const size_t *ulim;        /* U: smallest member size limit (SIZE_MAX: none) */
	const double *uin;         /* U: score of the pairs inside the unit */
	const double *US;          /* U x U: score between units */
	const unsigned char *UF;   /* U x U: 1 when the units may not share a group */
	const unsigned char *UE;   /* U x G: 1 when the unit may join the group */
	const size_t *gmin, *gmax; /* G */
	const unsigned char *req;  /* G: 1 when the group must be formed */
	const long *same_as;       /* G: an earlier identical group, or -1 */
	double eps;                /* rounding slack of totals */
} pl_gcols_in;

typedef struct pl_gcols pl_gcols;

typedef struct pl_gcols_stats {
	double bound;            /* upper bound on the total of every grouping that keeps every rule */
	double placed_bound;     /* upper bound on the clients any such grouping places */
	int bound_exact;         /* 1: the last round's pricing was solved exactly (the bound is the
	                            LP bound of the set-partitioning model, not a relaxation of it) */
	size_t rounds, columns;  /* column generation rounds, columns in the pool */
	unsigned long price_nodes, master_nodes;
	int master_complete;     /* 1: the restricted master's last search ran to its end */
	size_t enumerated;       /* columns listed within the gap */
	int proven;              /* 1: pl_gcols_best's answer is proven optimal (most clients placed,
	                            then the largest total) */
} pl_gcols_stats;

/* Column generation and the bound. NULL on allocation failure (err set). in->U must be at most
 * PL_GCOLS_MAX_UNITS. */
pl_gcols *pl_gcols_new(const pl_gcols_in *in, pl_error *err);
void pl_gcols_free(pl_gcols *C);
const pl_gcols_stats *pl_gcols_stats_of(const pl_gcols *C);

/* The answer of price-and-branch: the master over the generated columns; when it places the
 * most clients possible (the placed bound) but does not reach the bound, every column within the
 * gap is listed and the master run again (complete: proven optimal); otherwise the heuristic's
 * groups (heur, NULL: none) join the columns. Writes gu and returns 1 when that answer is to
 * replace the heuristic's (better, or proven optimal: the same answer whatever the seed), 0 to
 * keep the heuristic's, -1 on allocation failure. stats.proven says whether the answer returned
 * (or the heuristic's kept) is proven optimal. */
int pl_gcols_best(pl_gcols *C, const long *heur, size_t hplaced, double htotal, long *gu,
		  size_t *placed, double *total);

#endif
