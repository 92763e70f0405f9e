/*
 * assign.c: exact minimum-cost assignment of rows to capacitated columns.
 *
 * The method is successive shortest augmenting paths with dual variables, the family of
 * Jonker & Volgenant (1987), "A shortest augmenting path algorithm for dense and sparse linear
 * assignment problems", Computing 38, and Crouse (2016), "On implementing 2D rectangular
 * assignment algorithms", IEEE TAES 52(4).
 *
 * Invariant (kept by every augmentation): with row duals u and column duals v, every allowed pair
 * has reduced cost c[i][j] - u[i] - v[j] >= 0, and every assigned pair has reduced cost 0. A
 * Dijkstra search on reduced costs from a free row then finds a cheapest augmenting path, and the
 * dual update  u[r] += d* - d(r), v[j] -= d* - d(j)  over the scanned rows and columns (d* the
 * sink's distance) keeps the invariant (Crouse 2016, Alg. 1 and eq. 13-15).
 *
 * Capacities are handled without copying columns: a column is a sink while its load is below
 * capacity; a full column, once reached, passes its distance to every row it holds (those pairs
 * are tight), which is the search on the capacity-expanded graph without building it.
 *
 * Maximum cardinality first. Each row i owns an implicit "stay unassigned" column of cost BIG
 * that no other row may use. BIG exceeds any difference in real cost between two assignments,
 * so the optimum of the extended problem has the fewest rows left out and, among those, the least
 * real cost: the lexicographic objective we promise. The dummy of row i is reached only from row
 * i, so its dual stays 0 and it costs one comparison per scanned row.
 *
 * Three drivers:
 *   - sparse flow (assign_flow.c): rectangular problems, capacities and forbidden pairs, on the
 *     allowed pairs only, from the side with the smaller total supply.
 *   - dense: Dijkstra over whole rows of the matrix, in place, O(ncols) extra memory per row set;
 *     solves small problems (up to DENSE_MAX_ENTRIES entries) and finishes the sparse-candidates
 *     driver when its candidate lists do not converge.
 *   - sparse candidates (square, unit capacities, all pairs allowed): column reduction, then each
 *     row keeps its K cheapest reduced entries; the problem is solved on that sparse graph with a
 *     heap, and every entry of the dense matrix is then checked against the duals. Rows with a
 *     negative reduced cost get those entries as candidates, are freed and re-augmented; when a
 *     check finds nothing, the dual certificate covers the whole matrix and the answer is exact.
 *     This is the "sparse candidate set plus pricing" scheme of column generation applied to the
 *     assignment LP; on random dense inputs almost every optimal pair lies in the candidate set.
 */
#include <peerlink/assign.h>
#include "assign_int.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DROPPED (-2L)
#define SPARSE_K 12          /* candidates kept per row at start */
#define SPARSE_ADD_MAX 32    /* violating entries added per row per check */
#define SPARSE_MAX_ROUNDS 40 /* then the dense driver finishes the job */
#define DENSE_MAX_ENTRIES 16384 /* up to this many entries the dense driver solves alone */

typedef struct solver {
	const double *c; /* n x m, row-major */
	size_t n, m;
	const long *cap; /* NULL: all ones */
	double big;      /* cost of leaving a row unassigned */
	double tol;      /* reduced costs above -tol count as non-negative */

	long *row_col;  /* n: column, -1 free, DROPPED left out */
	long *load;     /* m */
	long *col_head; /* m: first row held by the column, -1 none */
	long *row_next, *row_prev; /* n: the column's list of rows */
	double *u, *v;

	/* search workspace */
	double *dist;   /* m: tentative distance of each column */
	long *pred;     /* m: row from which the column was reached */
	double *rdist;  /* n: distance at which each row was scanned */
	long *sr, nsr;  /* scanned rows */
	long *sc, nsc;  /* scanned (popped) columns */
	long *queue;    /* n: rows waiting to be scanned */
	long *remaining; /* m: dense driver's unscanned columns */

	/* sparse driver */
	size_t *cstart; /* n+1 */
	long *ccol;     /* candidate columns, by row */
	size_t ncand;
	pl_iheap H; /* columns keyed by dist (assign_int.h); pos -1: not in it */
	unsigned char *popped; /* m */
	long *touched, ntouched;
} solver;

static long col_cap(const solver *s, long j)
{
	return s->cap ? s->cap[j] : 1;
}

static int is_allowed(double x)
{
	return x < INFINITY; /* false for +inf and NaN */
}

static void col_add(solver *s, long j, long r)
{
	s->row_prev[r] = -1;
	s->row_next[r] = s->col_head[j];
	if (s->col_head[j] >= 0)
		s->row_prev[s->col_head[j]] = r;
	s->col_head[j] = r;
	s->load[j]++;
	s->row_col[r] = j;
}

static void col_remove(solver *s, long j, long r)
{
	if (s->row_prev[r] >= 0)
		s->row_next[s->row_prev[r]] = s->row_next[r];
	else
		s->col_head[j] = s->row_next[r];
	if (s->row_next[r] >= 0)
		s->row_prev[s->row_next[r]] = s->row_prev[r];
	s->load[j]--;
	s->row_col[r] = -1;
}

/* Dual update after a search from i0 whose sink lies at distance dstar (Crouse 2016, eq. 14). */
static void update_duals(solver *s, double dstar)
{
	for (long k = 0; k < s->nsr; k++) {
		long r = s->sr[k];
		s->u[r] += dstar - s->rdist[r];
	}
	for (long k = 0; k < s->nsc; k++) {
		long j = s->sc[k];
		s->v[j] -= dstar - s->dist[j];
	}
}

/* Flip the path found by a search: sink column t (or, if t < 0, the dummy of row `dropped`). */
static void augment(solver *s, long i0, long t, long dropped)
{
	long j = t;

	if (t < 0) {
		if (dropped == i0) {
			s->row_col[i0] = DROPPED;
			return;
		}
		j = s->row_col[dropped];
		col_remove(s, j, dropped);
		s->row_col[dropped] = DROPPED;
	}
	for (;;) {
		long r = s->pred[j];
		long prev = s->row_col[r];

		if (prev >= 0)
			col_remove(s, prev, r);
		col_add(s, j, r);
		if (r == i0)
			break;
		j = prev;
	}
}

/* Queue every row held by column j at distance d. */
static long queue_column_rows(solver *s, long j, double d, long qtail)
{
	for (long r = s->col_head[j]; r >= 0; r = s->row_next[r]) {
		s->rdist[r] = d;
		s->queue[qtail++] = r;
	}
	return qtail;
}

/*
 * Dense search from free row i0. Returns the sink column, or -1 when the cheapest way to make
 * room is to leave row *dropped out (its dummy column); *dstar receives the sink's distance.
 */
static long dense_search(solver *s, long i0, double *dstar, long *dropped)
{
	long m = (long)s->m, nrem = m, qhead = 0, qtail = 0;
	double best_dummy = INFINITY;
	long best_row = -1;

	for (long j = 0; j < m; j++) {
		s->dist[j] = INFINITY;
		s->remaining[j] = j;
	}
	s->nsr = s->nsc = 0;
	s->rdist[i0] = 0.0;
	s->queue[qtail++] = i0;

	for (;;) {
		double lowest = INFINITY;
		long idx = -1;

		while (qhead < qtail) {
			long r = s->queue[qhead++];
			const double *row = s->c + (size_t)r * s->m;
			double dr = s->rdist[r], ur = s->u[r];
			double dd = dr + s->big - ur;

			s->sr[s->nsr++] = r;
			if (dd < best_dummy) {
				best_dummy = dd;
				best_row = r;
			}
			for (long k = 0; k < nrem; k++) {
				long j = s->remaining[k];
				double x = row[j];

				if (is_allowed(x)) {
					double nd = dr + x - ur - s->v[j];
					if (nd < s->dist[j]) {
						s->dist[j] = nd;
						s->pred[j] = r;
					}
				}
			}
		}
		/* Among equally near columns prefer one with room: it ends the search sooner. */
		for (long k = 0; k < nrem; k++) {
			long j = s->remaining[k];
			double d = s->dist[j];

			if (d < lowest || (d == lowest && idx >= 0 && s->load[j] < col_cap(s, j))) {
				lowest = d;
				idx = k;
			}
		}
		if (idx < 0 || !(lowest < best_dummy)) {
			*dstar = best_dummy;
			*dropped = best_row;
			return -1;
		}
		long j = s->remaining[idx];
		s->remaining[idx] = s->remaining[--nrem];
		s->sc[s->nsc++] = j;
		if (s->load[j] < col_cap(s, j)) {
			*dstar = lowest;
			return j;
		}
		qtail = queue_column_rows(s, j, lowest, qtail);
	}
}

static void dense_solve_free_rows(solver *s)
{
	for (long i = 0; i < (long)s->n; i++) {
		double dstar;
		long dropped = -1, t;

		if (s->row_col[i] != -1)
			continue;
		t = dense_search(s, i, &dstar, &dropped);
		update_duals(s, dstar);
		augment(s, i, t, dropped);
	}
}

/* ---- sparse candidate driver ---------------------------------------------------------------- */

static int dist_less(const void *ctx, int a, int b)
{
	const solver *s = ctx;
	return s->dist[a] < s->dist[b];
}

static void sparse_reset_search(solver *s)
{
	for (long k = 0; k < s->ntouched; k++) {
		long j = s->touched[k];
		s->dist[j] = INFINITY;
		s->popped[j] = 0;
		s->H.pos[j] = -1;
	}
	s->ntouched = 0;
	s->H.n = 0;
}

/* Sparse search over candidate pairs; -1 when no column with room is reachable through them. */
static long sparse_search(solver *s, long i0, double *dstar)
{
	long qhead = 0, qtail = 0;

	s->nsr = s->nsc = 0;
	s->rdist[i0] = 0.0;
	s->queue[qtail++] = i0;
	for (;;) {
		while (qhead < qtail) {
			long r = s->queue[qhead++];
			const double *row = s->c + (size_t)r * s->m;
			double dr = s->rdist[r], ur = s->u[r];

			s->sr[s->nsr++] = r;
			for (size_t e = s->cstart[r]; e < s->cstart[r + 1]; e++) {
				long j = s->ccol[e];
				double nd;

				if (s->popped[j])
					continue;
				nd = dr + row[j] - ur - s->v[j];
				if (nd < s->dist[j]) {
					if (s->dist[j] == INFINITY)
						s->touched[s->ntouched++] = j;
					s->dist[j] = nd;
					s->pred[j] = r;
					if (s->H.pos[j] < 0)
						pl_iheap_push(&s->H, (int)j, dist_less, s);
					else
						pl_iheap_up(&s->H, s->H.pos[j], dist_less, s);
				}
			}
		}
		if (s->H.n == 0)
			return -1;
		long j = pl_iheap_pop(&s->H, dist_less, s);
		s->H.pos[j] = -1;
		s->popped[j] = 1;
		s->sc[s->nsc++] = j;
		if (s->load[j] < 1) {
			*dstar = s->dist[j];
			return j;
		}
		qtail = queue_column_rows(s, j, s->dist[j], qtail);
	}
}

/* Smallest reduced cost c[i][j] - v[j] over row i's candidates (or over all columns). */
static double row_min_reduced(const solver *s, long i, int all_columns)
{
	const double *row = s->c + (size_t)i * s->m;
	double best = INFINITY;

	if (all_columns) {
		for (size_t j = 0; j < s->m; j++)
			if (is_allowed(row[j]) && row[j] - s->v[j] < best)
				best = row[j] - s->v[j];
	} else {
		for (size_t e = s->cstart[i]; e < s->cstart[i + 1]; e++) {
			long j = s->ccol[e];
			if (row[j] - s->v[j] < best)
				best = row[j] - s->v[j];
		}
	}
	return best;
}

/* Keep the k smallest of row i's reduced costs (insertion into a short sorted list). */
static void select_row_candidates(const solver *s, long i, size_t k, long *out, double *key)
{
	const double *row = s->c + (size_t)i * s->m;
	size_t have = 0;

	for (size_t j = 0; j < s->m; j++) {
		double x = row[j] - s->v[j];
		size_t p;

		if (have == k && !(x < key[k - 1]))
			continue;
		p = have < k ? have++ : k - 1;
		while (p > 0 && x < key[p - 1]) {
			key[p] = key[p - 1];
			out[p] = out[p - 1];
			p--;
		}
		key[p] = x;
		out[p] = (long)j;
	}
}

/* Rebuild the candidate CSR from (row, col) pairs: existing ones plus `extra`. */
static int candidates_merge(solver *s, const long *extra_row, const long *extra_col, size_t nextra)
{
	size_t n = s->n, total = s->ncand + nextra;
	size_t *start = calloc(n + 1, sizeof(*start));
	long *col = malloc(total * sizeof(*col));

	if (!start || !col) {
		free(start);
		free(col);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		start[i + 1] = s->cstart[i + 1] - s->cstart[i];
	for (size_t e = 0; e < nextra; e++)
		start[extra_row[e] + 1]++;
	for (size_t i = 0; i < n; i++)
		start[i + 1] += start[i];
	{
		size_t *fill = malloc(n * sizeof(*fill));
		if (!fill) {
			free(start);
			free(col);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			fill[i] = start[i];
			for (size_t e = s->cstart[i]; e < s->cstart[i + 1]; e++)
				col[fill[i]++] = s->ccol[e];
		}
		for (size_t e = 0; e < nextra; e++)
			col[fill[extra_row[e]]++] = extra_col[e];
		free(fill);
	}
	free(s->cstart);
	free(s->ccol);
	s->cstart = start;
	s->ccol = col;
	s->ncand = total;
	return 0;
}

/*
 * Price every entry against the duals. Rows holding a pair with negative reduced cost are freed;
 * their most violated entries (up to SPARSE_ADD_MAX) become candidates, or, when `to_dense` is
 * set, the row's dual is reset against the whole row so the dense driver can take over.
 * Returns the number of rows freed, or -1 on allocation failure.
 */
static long price_and_free(solver *s, int to_dense)
{
	size_t cap_extra = 1024, nextra = 0;
	long *xr = NULL, *xc = NULL, freed = 0;

	if (!to_dense) {
		xr = malloc(cap_extra * sizeof(*xr));
		xc = malloc(cap_extra * sizeof(*xc));
		if (!xr || !xc)
			goto fail;
	}
	for (size_t i = 0; i < s->n; i++) {
		const double *row = s->c + i * s->m;
		double ui = s->u[i];
		size_t added = 0;
		int violated = 0;

		for (size_t j = 0; j < s->m; j++) {
			if (!(row[j] - ui - s->v[j] < -s->tol))
				continue;
			violated = 1;
			if (to_dense)
				break;
			if (added == SPARSE_ADD_MAX)
				break;
			if (nextra == cap_extra) {
				long *nr, *nc;
				cap_extra *= 2;
				nr = realloc(xr, cap_extra * sizeof(*xr));
				if (!nr)
					goto fail;
				xr = nr;
				nc = realloc(xc, cap_extra * sizeof(*xc));
				if (!nc)
					goto fail;
				xc = nc;
			}
			xr[nextra] = (long)i;
			xc[nextra++] = (long)j;
			added++;
		}
		if (!violated)
			continue;
		if (s->row_col[i] >= 0)
			col_remove(s, s->row_col[i], (long)i);
		freed++;
	}
	if (!to_dense && nextra > 0 && candidates_merge(s, xr, xc, nextra) != 0)
		goto fail;
	/* Freed rows restart from the cheapest reduced cost they can see, so their pairs are >= 0. */
	for (size_t i = 0; i < s->n; i++)
		if (s->row_col[i] == -1)
			s->u[i] = row_min_reduced(s, (long)i, to_dense);
	free(xr);
	free(xc);
	return freed;
fail:
	free(xr);
	free(xc);
	return -1;
}

/* Returns 0 when solved exactly on candidates, 1 when the dense driver must finish, -1 on OOM. */
static int sparse_solve(solver *s, pl_assign_result *res)
{
	size_t n = s->n, m = s->m, k = SPARSE_K < m ? SPARSE_K : m;
	double *key = malloc(k * sizeof(*key));

	s->cstart = malloc((n + 1) * sizeof(*s->cstart));
	s->ccol = malloc(n * k * sizeof(*s->ccol));
	s->H.item = malloc(m * sizeof(*s->H.item));
	s->H.pos = malloc(m * sizeof(*s->H.pos));
	s->popped = calloc(m, 1);
	s->touched = malloc(m * sizeof(*s->touched));
	if (!key || !s->cstart || !s->ccol || !s->H.item || !s->H.pos || !s->popped || !s->touched) {
		free(key);
		return -1;
	}
	/* Column reduction (JV 1987, step 1): v[j] = min_i c[i][j]. */
	for (size_t j = 0; j < m; j++)
		s->v[j] = INFINITY;
	for (size_t i = 0; i < n; i++) {
		const double *row = s->c + i * m;
		for (size_t j = 0; j < m; j++)
			if (row[j] < s->v[j])
				s->v[j] = row[j];
	}
	for (size_t i = 0; i < n; i++) {
		s->cstart[i] = i * k;
		select_row_candidates(s, (long)i, k, s->ccol + i * k, key);
	}
	s->cstart[n] = n * k;
	s->ncand = n * k;
	free(key);
	for (size_t j = 0; j < m; j++) {
		s->dist[j] = INFINITY;
		s->H.pos[j] = -1;
	}
	/* Every row starts tight on its cheapest candidate; take it if the column is free. */
	for (size_t i = 0; i < n; i++) {
		long j = s->ccol[s->cstart[i]];
		s->u[i] = s->c[i * m + j] - s->v[j];
		if (s->load[j] == 0)
			col_add(s, j, (long)i);
	}
	for (res->rounds = 1;; res->rounds++) {
		for (size_t i = 0; i < n; i++) {
			double dstar;
			long t;

			if (s->row_col[i] != -1)
				continue;
			t = sparse_search(s, (long)i, &dstar);
			if (t < 0) {
				sparse_reset_search(s);
				return 1;
			}
			update_duals(s, dstar);
			augment(s, (long)i, t, -1);
			sparse_reset_search(s);
		}
		long freed = price_and_free(s, 0);
		if (freed < 0)
			return -1;
		if (freed == 0)
			return 0;
		if (res->rounds >= SPARSE_MAX_ROUNDS || s->ncand > n * m / 4)
			return 1;
	}
}

/* ---- driver --------------------------------------------------------------------------------- */

static void solver_release(solver *s)
{
	free(s->row_col);
	free(s->load);
	free(s->col_head);
	free(s->row_next);
	free(s->row_prev);
	free(s->dist);
	free(s->pred);
	free(s->rdist);
	free(s->sr);
	free(s->sc);
	free(s->queue);
	free(s->remaining);
	free(s->cstart);
	free(s->ccol);
	free(s->H.item);
	free(s->H.pos);
	free(s->popped);
	free(s->touched);
}

static int solver_alloc(solver *s)
{
	size_t n = s->n ? s->n : 1, m = s->m ? s->m : 1;

	s->row_col = malloc(n * sizeof(long));
	s->load = calloc(m, sizeof(long));
	s->col_head = malloc(m * sizeof(long));
	s->row_next = malloc(n * sizeof(long));
	s->row_prev = malloc(n * sizeof(long));
	s->dist = malloc(m * sizeof(double));
	s->pred = malloc(m * sizeof(long));
	s->rdist = malloc(n * sizeof(double));
	s->sr = malloc(n * sizeof(long));
	s->sc = malloc(m * sizeof(long));
	s->queue = malloc(n * sizeof(long));
	s->remaining = malloc(m * sizeof(long));
	if (!s->row_col || !s->load || !s->col_head || !s->row_next || !s->row_prev || !s->dist ||
	    !s->pred || !s->rdist || !s->sr || !s->sc || !s->queue || !s->remaining)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		s->row_col[i] = -1;
	for (size_t j = 0; j < s->m; j++)
		s->col_head[j] = -1;
	return 0;
}

/* Scan the (checked) matrix once: find the value range, see whether every pair is allowed. */
static void scan_costs(const double *c, size_t n, size_t m, double *lo, double *hi,
		       int *all_allowed)
{
	double a = INFINITY, b = -INFINITY;
	int all = 1;

	for (size_t i = 0; i < n; i++) {
		const double *row = c + i * m;
		for (size_t j = 0; j < m; j++) {
			double x = row[j];
			if (!is_allowed(x)) {
				all = 0;
				continue;
			}
			if (x < a)
				a = x;
			if (x > b)
				b = x;
		}
	}
	*lo = a;
	*hi = b;
	*all_allowed = all;
}

static pl_status solve_core(const double *c, size_t n, size_t m, const long *cap,
			    pl_assign_result *res, long *row_col_out, pl_error *err)
{
	solver s;
	double lo = 0.0, hi = 0.0, scale;
	int all_allowed = 1, unit = 1, rc = 1;

	memset(&s, 0, sizeof(s));
	scan_costs(c, n, m, &lo, &hi, &all_allowed);
	if (cap)
		for (size_t j = 0; j < m; j++)
			if (cap[j] != 1)
				unit = 0;
	s.c = c;
	s.n = n;
	s.m = m;
	s.cap = cap;
	if (!(lo <= hi)) { /* no allowed pair at all */
		lo = hi = 0.0;
	}
	scale = fabs(lo) > fabs(hi) ? fabs(lo) : fabs(hi);
	/* Any two assignments differ in real cost by less than (n+1)*(hi-lo) + |hi| + |lo|. */
	s.big = fabs(hi) + fabs(lo) + 2.0 * ((double)n + 2.0) * (hi - lo) + 1.0;
	s.tol = 1e-11 * (1.0 + scale);
	if (solver_alloc(&s) != 0)
		goto nomem;
	res->u = calloc(n ? n : 1, sizeof(double));
	res->v = calloc(m ? m : 1, sizeof(double));
	if (!res->u || !res->v)
		goto nomem;
	s.u = res->u;
	s.v = res->v;

	if (n == m && n > 2 * SPARSE_K && unit && all_allowed) {
		res->method = "sparse-candidates";
		rc = sparse_solve(&s, res);
		if (rc < 0)
			goto nomem;
		res->candidates = s.ncand;
		if (rc == 1) {
			/* Hand over: free every row that prices out negative anywhere. */
			if (price_and_free(&s, 1) < 0)
				goto nomem;
			res->method = "sparse-candidates+dense";
		}
	} else if (n * m <= DENSE_MAX_ENTRIES) {
		/* Small problems keep the dense driver: as fast at this size, and the answers among
		 * equal optima (the tie-breaks) stay those this driver has always given. */
		res->method = "dense";
	} else {
		/* Rectangular, capacitated or with forbidden pairs: the sparse flow driver works on
		 * the allowed pairs only (assign_flow.c). */
		size_t aug = 0;
		res->method = "sparse-flow";
		if (pl_assign_flow_solve(c, n, m, cap, s.row_col, s.u, s.v, &aug) != 0)
			goto nomem;
		res->rounds = aug;
		rc = 0;
	}
	if (rc != 0)
		dense_solve_free_rows(&s);
	if (n == m && unit && all_allowed) {
		/* Square and complete: shift so that v <= 0, the form the certificate promises. */
		double vmax = -INFINITY;
		for (size_t j = 0; j < m; j++)
			if (s.v[j] > vmax)
				vmax = s.v[j];
		for (size_t j = 0; j < m; j++)
			s.v[j] -= vmax;
		for (size_t i = 0; i < n; i++)
			s.u[i] += vmax;
	}
	for (size_t i = 0; i < n; i++)
		row_col_out[i] = s.row_col[i] >= 0 ? s.row_col[i] : PL_ASSIGN_UNASSIGNED;
	solver_release(&s);
	return PL_OK;
nomem:
	solver_release(&s);
	return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in the assignment solver");
}

int pl_assign_uses_flow(size_t n, size_t m, const long *cap, int all_allowed)
{
	int unit = 1;

	if (cap)
		for (size_t j = 0; j < m; j++)
			if (cap[j] != 1)
				unit = 0;
	/* the choice of solve_core */
	return !(n == m && n > 2 * SPARSE_K && unit && all_allowed) && n * m > DENSE_MAX_ENTRIES;
}

void pl_assign_result_init(pl_assign_result *res)
{
	pl_assign_result zero = PL_ASSIGN_RESULT_INIT;
	*res = zero;
}

void pl_assign_result_release(pl_assign_result *res)
{
	if (!res)
		return;
	free(res->row_to_col);
	free(res->u);
	free(res->v);
	pl_assign_result_init(res);
}

/*
 * The limits of the header: dimensions, and entries that are forbidden (+inf, NaN) or at most
 * PL_ASSIGN_COST_MAX in magnitude, so that every sum the solver forms (totals, potentials, the
 * bound BIG on cost differences) stays finite. The pointer names the entry as "/row/col".
 */
static pl_status check_costs(const double *c, size_t n, size_t m, pl_error *err)
{
	char p[64];

	if (n > PL_ASSIGN_DIM_MAX || m > PL_ASSIGN_DIM_MAX ||
	    (n > 0 && m > PL_ASSIGN_ENTRIES_MAX / n))
		return pl_error_set(err, PL_ERR_INVALID, "",
				    "the matrix is too large (%zu x %zu; at most %lu rows or columns and "
				    "%lu entries)", n, m, (unsigned long)PL_ASSIGN_DIM_MAX,
				    (unsigned long)PL_ASSIGN_ENTRIES_MAX);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m; j++) {
			double x = c[i * m + j];
			if (!is_allowed(x) || fabs(x) <= PL_ASSIGN_COST_MAX)
				continue;
			snprintf(p, sizeof(p), "/%zu/%zu", i, j);
			return pl_error_set(err, PL_ERR_INVALID, p,
					    "the entry at row %zu, column %zu must be at most 1e15 in "
					    "magnitude (a forbidden pair is null, or NaN in .npy)", i, j);
		}
	return PL_OK;
}

pl_status pl_assign_solve(const double *cost, size_t nrows, size_t ncols, const long *capacity,
			  pl_assign_result *res, pl_error *err)
{
	pl_status st;

	pl_assign_result_init(res);
	st = check_costs(cost, nrows, ncols, err);
	if (st != PL_OK)
		return st;
	if (capacity) {
		for (size_t j = 0; j < ncols; j++) {
			if (capacity[j] < 1)
				return pl_error_set(err, PL_ERR_INVALID, "", "capacity of column %zu is "
						    "not a positive integer", j);
		}
	}
	res->nrows = nrows;
	res->ncols = ncols;
	res->row_to_col = malloc((nrows ? nrows : 1) * sizeof(long));
	if (!res->row_to_col)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in the assignment solver");

	st = solve_core(cost, nrows, ncols, capacity, res, res->row_to_col, err);
	if (st != PL_OK) {
		pl_assign_result_release(res);
		return st;
	}
	res->total = 0.0;
	res->assigned = 0;
	for (size_t i = 0; i < nrows; i++) {
		if (res->row_to_col[i] >= 0) {
			res->total += cost[i * ncols + (size_t)res->row_to_col[i]];
			res->assigned++;
		}
	}
	return PL_OK;
}
