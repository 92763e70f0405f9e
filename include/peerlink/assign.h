/*
 * peerlink/assign.h: optimal assignment of rows to capacitated columns (rectangular, with
 * forbidden pairs): the solver under `peerlink solve assignment` and mentor matching.
 *
 * Problem. Given an nrows x ncols cost matrix (row-major) and a capacity per column, choose for
 * each row at most one column so that no column takes more rows than its capacity, forbidden pairs
 * (entries that are +INFINITY or NaN) are never used, the number of assigned rows is as large as
 * possible, and among all such assignments the total cost is the smallest. Minimisation only:
 * callers that maximise negate their scores first.
 *
 * Ownership. The solver only reads `cost` (it may be large; rectangular, capacitated or
 * constrained problems keep a copy of the allowed pairs only). The result's arrays are owned by
 * the pl_assign_result and released by pl_assign_result_release().
 */
#ifndef PEERLINK_ASSIGN_H
#define PEERLINK_ASSIGN_H

#include <stddef.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PL_ASSIGN_UNASSIGNED (-1L)

typedef struct pl_assign_result {
	size_t nrows, ncols;
	long *row_to_col; /* nrows entries: column index, or PL_ASSIGN_UNASSIGNED */
	double total;     /* sum of cost over assigned pairs */
	size_t assigned;  /* number of assigned rows */
	/* Dual certificate (meaningful when every row is assigned): u[i] + v[j] <= cost[i][j] for all
	 * allowed pairs, with equality on assigned pairs; v[j] <= 0, and v[j] == 0 where column j is
	 * below capacity. Then total == sum(u) + sum(cap[j] * v[j]) proves optimality.
	 * When the rows outnumber the total capacity and every seat is filled, the certificate is
	 * the transposed problem's instead: u[i] <= 0, u[i] == 0 on unassigned rows, same
	 * reduced-cost conditions, and the same dual total. */
	double *u; /* nrows */
	double *v; /* ncols */
	/* How the answer was found, for stats and benchmarks. */
	const char *method; /* "sparse-candidates", "sparse-candidates+dense" or "sparse-flow" */
	size_t rounds;      /* candidate-verification rounds (sparse-candidates), searches (flow) */
	size_t candidates;  /* candidate pairs finally held (sparse method) */
} pl_assign_result;

#define PL_ASSIGN_RESULT_INIT { 0, 0, NULL, 0.0, 0, NULL, NULL, "", 0, 0 }

void pl_assign_result_init(pl_assign_result *res);
void pl_assign_result_release(pl_assign_result *res);

/*
 * Limits. Every allowed entry is at most PL_ASSIGN_COST_MAX in magnitude (below 2^53, so integer
 * costs are exact, and far enough from overflow that every sum the solver forms over up to
 * PL_ASSIGN_DIM_MAX terms stays finite); rows and columns are at most PL_ASSIGN_DIM_MAX each and
 * their product at most PL_ASSIGN_ENTRIES_MAX.
 */
#define PL_ASSIGN_COST_MAX 1e15
#define PL_ASSIGN_DIM_MAX ((size_t)1 << 24)
#define PL_ASSIGN_ENTRIES_MAX ((size_t)1 << 28)

/*
 * Solve. `capacity` holds ncols positive counts, or is NULL for all ones. An entry of -INFINITY
 * or beyond PL_ASSIGN_COST_MAX is invalid input (it would make totals unbounded or overflow); the
 * error names the entry as "/row/col". A matrix beyond the size limits is invalid input with the
 * pointer "". Returns PL_OK with res filled, or a status with err filled.
 */
pl_status pl_assign_solve(const double *cost, size_t nrows, size_t ncols, const long *capacity,
			  pl_assign_result *res, pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
