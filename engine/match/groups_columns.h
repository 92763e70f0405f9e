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
	int master_complete;     /* 1: the restricted master's search ran to its end */
} pl_gcols_stats;

/* Column generation and the bound. NULL on allocation failure (err set). in->U must be at most
 * PL_GCOLS_MAX_UNITS. */
pl_gcols *pl_gcols_new(const pl_gcols_in *in, pl_error *err);
void pl_gcols_free(pl_gcols *C);
const pl_gcols_stats *pl_gcols_stats_of(const pl_gcols *C);

/* The restricted master over the pool, plus the groups of `extra` (a unit -> group assignment,
 * NULL: none) as columns: the best grouping over those columns, lexicographically (most clients,
 * then the largest total), written to gu (U entries, -1 for unplaced). Returns 1 when a grouping
 * strictly better than (placed0, total0) was found, 0 when none (gu untouched then). */
int pl_gcols_master(pl_gcols *C, const long *extra, size_t placed0, double total0, long *gu,
		    size_t *placed, double *total);

#endif
