/*
 * assign_int.h: internals shared by the assignment drivers (engine/match/assign.c and
 * engine/match/assign_flow.c); not a public header.
 */
#ifndef PEERLINK_ASSIGN_INT_H
#define PEERLINK_ASSIGN_INT_H

#include <stddef.h>

/*
 * Sparse capacitated solve by successive shortest paths from a super source (assign_flow.c).
 * `c` is the checked n x m row-major matrix (+inf / NaN: forbidden), `cap` the column capacities
 * (NULL: ones). Writes row_col (n: column or -1), row duals u (n) and column duals v (m) with
 *     c[i][j] - u[i] - v[j] >= 0 on allowed pairs, == 0 on assigned pairs, and
 *     when the rows fit in the capacity: v[j] <= 0, and v[j] == 0 where column j is below
 *     capacity (the certificate of pl_assign_result); when they do not (the transposed
 *     problem's certificate): u[i] <= 0, and u[i] == 0 where row i is unassigned,
 * and the number of augmenting paths. The answer has the most rows assigned and, among those,
 * the least total cost. Returns 0, or -1 when out of memory (or beyond 2^31 allowed pairs).
 */
int pl_assign_flow_solve(const double *c, size_t n, size_t m, const long *cap, long *row_col,
			 double *u, double *v, size_t *augmentations);

#endif
