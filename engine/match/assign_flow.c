/*
 * assign_flow.c: the sparse capacitated driver of pl_assign_solve (see assign_int.h).
 *
 * Why: mentor programs are rectangular (thousands of mentees, hundreds of mentors), capacitated
 * and full of forbidden pairs. Expanding columns by capacity, or scanning whole dense rows in
 * every search as the dense JV driver of assign.c does, spends most of the time on pairs that can
 * never be used. Here the searches run on the allowed pairs only (a CSR of arcs), with a heap.
 *
 * Method: successive shortest augmenting paths with potentials, one search per unit of supply
 * (Jonker & Volgenant 1987; the capacitated form is the transportation problem of Ahuja,
 * Magnanti & Orlin 1993, "Network Flows", sec. 9.7 and 12.4). The side with the smaller total
 * supply is the left one: rows (supply 1) when they fit in the columns' capacity, else the
 * columns (supply = capacity) with the rows as unit right nodes. So the number of searches is
 * min(rows, total capacity), and a search from a unit that will stay out of the answer (which
 * must explore everything it can reach) is rare: the left side is the one that can be exhausted.
 *
 * A left node of supply k is treated as k unit copies with the same arcs (the expansion of the
 * transportation problem into an assignment problem, AMO sec. 12.4) without building them: a copy
 * holding right node r has potential u = c(l, r) - v_r (its arc is tight), so potentials live on
 * right nodes only. Invariants (JV notation, reduced cost c - u - v):
 *   every arc of every copy has reduced cost >= 0, and the copy's own arc 0;
 *   v_r <= 0, and v_r == 0 while r has room.
 * A search from a new unit reaches a full right node r, then every copy holding r (at the same
 * distance), and scans that copy's arcs; it ends at the first right node with room. The dual
 * update v_r -= d* - d_r over settled right nodes keeps the invariants (Crouse 2016, eq. 14).
 * A copy also has the arcs to right nodes held by the other copies of its node (as in the
 * expansion); keeping their reduced costs >= 0 is what makes all copies of a node end with the same
 * potential, the node's dual in the certificate. A path through such an arc flips it twice.
 *
 * Most rows first: a unit that reaches no right node with room leaves the answer, or makes room
 * by dropping the unit that is cheapest to drop among those it reached (reduced cost of the
 * implicit "stay out" arc, as the dummy columns of assign.c), which keeps the most units placed
 * and, among those, the least cost.
 */
#include "assign_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NBIN 16

typedef struct flow {
	size_t L, R, E;
	int orient_rows_left; /* 1: left = rows, right = columns; 0: the transpose */
	long *supply, *used, *dropped; /* L */
	long *capr, *load;    /* R */
	size_t *lstart;       /* L+1: CSR of the left nodes' arcs */
	int *arc_r, *arc_l;   /* E */
	double *arc_c;        /* E */
	unsigned char *flow;  /* E */
	int *rhead, *anext, *aprev; /* flow arcs of each right node (doubly linked by arc id) */
	double *v;            /* R */

	/* search over right nodes */
	double *dist;         /* R */
	int *pred;            /* R: arc that reached the right node */
	int *pred_unit;       /* R: flow arc of the copy that reached it (-1: the new unit) */
	unsigned char *state; /* R: 0 new, 1 in heap, 2 settled */
	pl_iheap H;           /* right nodes in the heap (assign_int.h) */
	int *settled, nsettled;
	int *touched, ntouched;
	size_t *bstart;       /* L*NBIN+1: first arc of each cost bin of each left node */
	double *blo;          /* L*NBIN: lowest cost in each bin */
	double bound;         /* distance of the nearest right node with room reached so far */
} flow;

/* Heap order: distance, then right nodes with room first (they end the search), then index. */
static int wless(const void *ctx, int a, int b)
{
	const flow *F = ctx;
	double da = F->dist[a], db = F->dist[b];
	int fa = F->load[a] < F->capr[a], fb = F->load[b] < F->capr[b];

	if (da != db)
		return da < db;
	if (fa != fb)
		return fa;
	return a < b;
}

/* ---- flow bookkeeping ----------------------------------------------------------------------- */

static void arc_link(flow *F, int a)
{
	int r = F->arc_r[a];

	F->flow[a] = 1;
	F->aprev[a] = -1;
	F->anext[a] = F->rhead[r];
	if (F->rhead[r] >= 0)
		F->aprev[F->rhead[r]] = a;
	F->rhead[r] = a;
	F->load[r]++;
}

static void arc_unlink(flow *F, int a)
{
	int r = F->arc_r[a];

	F->flow[a] = 0;
	if (F->aprev[a] >= 0)
		F->anext[F->aprev[a]] = F->anext[a];
	else
		F->rhead[r] = F->anext[a];
	if (F->anext[a] >= 0)
		F->aprev[F->anext[a]] = F->aprev[a];
	F->load[r]--;
}

/* ---- one search ----------------------------------------------------------------------------- */

/* Scan the arcs of a copy of left node l with potential ul, reached at distance d (unit: its
 * flow arc, or -1 for the new unit). */
static void scan_copy(flow *F, int l, int unit, double ul, double d)
{
	size_t a = F->lstart[l], end = F->lstart[l + 1], b = (size_t)l * NBIN, bend = b + NBIN;

	for (; a < end; a++) {
		int r;
		double rc, nd;
		/* entering a new bin: stop when its cheapest arc cannot beat the bound */
		while (b < bend && F->bstart[b] <= a) {
			if (!(d + F->blo[b] - ul < F->bound))
				return;
			b++;
		}
		r = F->arc_r[a];

		if ((int)a == unit || F->state[r] == 2)
			continue;
		rc = F->arc_c[a] - ul - F->v[r];
		nd = d + (rc > 0 || unit < 0 ? rc : 0.0);
		/* no path through r can beat a right node with room already in reach */
		if (!(nd < F->bound))
			continue;
		if (F->load[r] < F->capr[r])
			F->bound = nd;
		if (F->state[r] == 0) {
			F->state[r] = 1;
			F->touched[F->ntouched++] = r;
			F->dist[r] = nd;
			F->pred[r] = (int)a;
			F->pred_unit[r] = unit;
			pl_iheap_push(&F->H, r, wless, F);
		} else if (nd < F->dist[r]) {
			F->dist[r] = nd;
			F->pred[r] = (int)a;
			F->pred_unit[r] = unit;
			pl_iheap_up(&F->H, F->H.pos[r], wless, F);
		}
	}
}

/*
 * Search from a new unit of left node l0. Returns the right node with room that ends the cheapest
 * path (*dstar its distance), or -1 when none is reachable; then *drop_unit is the flow arc of the
 * copy cheapest to drop (-1: the new unit itself) and *dstar the cost of dropping it.
 */
static int search(flow *F, int l0, double *dstar, int *drop_unit)
{
	double best_drop = 0.0; /* the new unit's own "stay out": potential 0 at distance 0 */

	*drop_unit = -1;
	F->nsettled = F->ntouched = F->H.n = 0;
	F->bound = INFINITY;
	scan_copy(F, l0, -1, 0.0, 0.0);
	while (F->H.n > 0) {
		int r = pl_iheap_pop(&F->H, wless, F);
		double d = F->dist[r];

		F->state[r] = 2;
		if (F->load[r] < F->capr[r]) {
			*dstar = d;
			return r;
		}
		F->settled[F->nsettled++] = r;
		for (int a = F->rhead[r]; a >= 0; a = F->anext[a]) {
			int l = F->arc_l[a];
			double ul = F->arc_c[a] - F->v[r];
			/* dropping this copy: distance d, then its "stay out" arc (cost BIG) minus ul;
			 * BIG is common to every option and left out */
			if (d - ul < best_drop) {
				best_drop = d - ul;
				*drop_unit = a;
			}
			scan_copy(F, l, a, ul, d);
		}
	}
	*dstar = best_drop;
	return -1;
}

/* v_r -= d* - d_r over the settled (full) right nodes; the new unit's potential is implicit. */
static void update_potentials(flow *F, double dstar)
{
	for (int k = 0; k < F->nsettled; k++) {
		int r = F->settled[k];
		double delta = dstar - F->dist[r];
		if (delta > 0)
			F->v[r] -= delta;
	}
}

/* Flip the path ending at right node x: each arc into x becomes flow, and the copy it left
 * releases its own arc, until the new unit is reached. */
static void flip_path(flow *F, int x)
{
	for (;;) {
		int a = F->pred[x], unit = F->pred_unit[x];
		arc_link(F, a);
		if (unit < 0)
			break;
		arc_unlink(F, unit);
		x = F->arc_r[unit];
	}
}

static void reset_search(flow *F)
{
	for (int k = 0; k < F->ntouched; k++)
		F->state[F->touched[k]] = 0;
}

static void place_unit(flow *F, int l0)
{
	double dstar = 0.0;
	int drop = -1, sink = search(F, l0, &dstar, &drop);

	update_potentials(F, dstar);
	if (sink >= 0) {
		flip_path(F, sink);
		F->used[l0]++;
	} else if (drop >= 0) {
		/* the dropped copy's right node goes to whoever reached it; the copy leaves */
		int l = F->arc_l[drop], r = F->arc_r[drop];
		arc_unlink(F, drop);
		F->used[l]--;
		F->dropped[l]++;
		flip_path(F, r);
		F->used[l0]++;
	} else {
		F->dropped[l0]++;
	}
	reset_search(F);
}

/* ---- setup ---------------------------------------------------------------------------------- */

static void flow_release(flow *F)
{
	free(F->supply);
	free(F->used);
	free(F->dropped);
	free(F->capr);
	free(F->load);
	free(F->lstart);
	free(F->arc_r);
	free(F->arc_l);
	free(F->arc_c);
	free(F->flow);
	free(F->rhead);
	free(F->anext);
	free(F->aprev);
	free(F->v);
	free(F->dist);
	free(F->pred);
	free(F->pred_unit);
	free(F->state);
	free(F->H.item);
	free(F->H.pos);
	free(F->settled);
	free(F->touched);
	free(F->bstart);
	free(F->blo);
}

static int flow_alloc_nodes(flow *F)
{
	size_t L = F->L ? F->L : 1, R = F->R ? F->R : 1;

	F->supply = malloc(L * sizeof(long));
	F->used = calloc(L, sizeof(long));
	F->dropped = calloc(L, sizeof(long));
	F->capr = malloc(R * sizeof(long));
	F->load = calloc(R, sizeof(long));
	F->lstart = calloc(L + 1, sizeof(size_t));
	F->rhead = malloc(R * sizeof(int));
	F->v = calloc(R, sizeof(double));
	F->dist = malloc(R * sizeof(double));
	F->pred = malloc(R * sizeof(int));
	F->pred_unit = malloc(R * sizeof(int));
	F->state = calloc(R, 1);
	F->H.item = malloc(R * sizeof(int));
	F->H.pos = malloc(R * sizeof(int));
	F->settled = malloc(R * sizeof(int));
	F->touched = malloc(R * sizeof(int));
	return F->supply && F->used && F->dropped && F->capr && F->load && F->lstart && F->rhead &&
			       F->v && F->dist && F->pred && F->pred_unit && F->state && F->H.item &&
			       F->H.pos && F->settled && F->touched
		       ? 0
		       : -1;
}

/*
 * Group each left node's arcs into NBIN cost bins, cheapest bin first (a counting sort by bin,
 * stable). Since v <= 0, an arc's reduced cost is at least c - u, so a scan that reaches a bin
 * whose lowest cost already puts every arc beyond the nearest right node with room can stop
 * there (scan_copy): most arcs of most copies are never looked at.
 */
static int bin_arcs(flow *F)
{
	size_t nb = (size_t)NBIN, E = F->E ? F->E : 1;
	int *r2 = malloc(E * sizeof(int));
	double *c2 = malloc(E * sizeof(double));
	size_t cnt[NBIN + 1];

	F->bstart = malloc((F->L * nb + 1) * sizeof(size_t));
	F->blo = malloc((F->L * nb + 1) * sizeof(double));
	if (!r2 || !c2 || !F->bstart || !F->blo) {
		free(r2);
		free(c2);
		return -1;
	}
	for (size_t l = 0; l < F->L; l++) {
		size_t a0 = F->lstart[l], a1 = F->lstart[l + 1];
		double lo = INFINITY, hi = -INFINITY, w;
		for (size_t a = a0; a < a1; a++) {
			lo = F->arc_c[a] < lo ? F->arc_c[a] : lo;
			hi = F->arc_c[a] > hi ? F->arc_c[a] : hi;
		}
		w = a1 > a0 && hi > lo ? (hi - lo) / (double)nb : 1.0;
		memset(cnt, 0, sizeof(cnt));
		for (size_t a = a0; a < a1; a++) {
			size_t b = (size_t)((F->arc_c[a] - lo) / w);
			cnt[(b < nb ? b : nb - 1) + 1]++;
		}
		for (size_t b = 0; b < nb; b++) {
			cnt[b + 1] += cnt[b];
			F->bstart[l * nb + b] = a0 + cnt[b];
			/* lowest cost that may fall in bin b (rounding can only move an arc up a bin) */
			F->blo[l * nb + b] = b == 0 ? lo : lo + w * (double)b * (1.0 - 1e-12) - 1e-12 * fabs(lo);
		}
		for (size_t a = a0; a < a1; a++) {
			size_t b = (size_t)((F->arc_c[a] - lo) / w), k;
			b = b < nb ? b : nb - 1;
			k = a0 + cnt[b]++;
			r2[k] = F->arc_r[a];
			c2[k] = F->arc_c[a];
		}
		memcpy(F->arc_r + a0, r2 + a0, (a1 - a0) * sizeof(int));
		memcpy(F->arc_c + a0, c2 + a0, (a1 - a0) * sizeof(double));
	}
	F->bstart[F->L * nb] = F->E;
	free(r2);
	free(c2);
	return 0;
}

/* The arc arrays for F->E arcs, once lstart is counted (prefix sums done here). */
static int alloc_arcs(flow *F)
{
	size_t E = F->E ? F->E : 1;

	for (size_t l = 0; l < F->L; l++)
		F->lstart[l + 1] += F->lstart[l];
	F->arc_r = malloc(E * sizeof(int));
	F->arc_l = malloc(E * sizeof(int));
	F->arc_c = malloc(E * sizeof(double));
	F->flow = calloc(E, 1);
	F->anext = malloc(E * sizeof(int));
	F->aprev = malloc(E * sizeof(int));
	return F->arc_r && F->arc_l && F->arc_c && F->flow && F->anext && F->aprev ? 0 : -1;
}

/* The supplies and capacities, once the arcs are in their bins. */
static void finish_nodes(flow *F, const long *cap)
{
	int rl = F->orient_rows_left;

	for (size_t l = 0; l < F->L; l++)
		F->supply[l] = rl ? 1 : (cap ? cap[l] : 1);
	for (size_t r = 0; r < F->R; r++) {
		F->capr[r] = rl ? (cap ? cap[r] : 1) : 1;
		F->rhead[r] = -1;
	}
}

/* What follows the arcs: their cost bins, the supplies and capacities. */
static int finish_build(flow *F, const long *cap)
{
	if (bin_arcs(F) != 0)
		return -1;
	finish_nodes(F, cap);
	return 0;
}

static int flow_build(flow *F, const double *c, size_t n, size_t m, const long *cap)
{
	size_t E = 0;
	int rl = F->orient_rows_left;

	if (flow_alloc_nodes(F) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < m; j++)
			if (c[i * m + j] < INFINITY) {
				E++;
				F->lstart[(rl ? i : j) + 1]++;
			}
	F->E = E;
	if (alloc_arcs(F) != 0)
		return -1;
	{
		/* one row-major pass; each left node's arcs come out by right index */
		size_t *fill = malloc((F->L ? F->L : 1) * sizeof(size_t));
		if (!fill)
			return -1;
		memcpy(fill, F->lstart, F->L * sizeof(size_t));
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < m; j++) {
				double x = c[i * m + j];
				size_t l = rl ? i : j, a;
				if (!(x < INFINITY))
					continue;
				a = fill[l]++;
				F->arc_r[a] = (int)(rl ? j : i);
				F->arc_l[a] = (int)l;
				F->arc_c[a] = x;
			}
		free(fill);
	}
	return finish_build(F, cap);
}

/* The bin width of left node l's arcs (costs lo .. hi) and the lowest cost of each of its bins,
 * as bin_arcs computes them. */
static double bin_width(flow *F, size_t l, double lo, double hi)
{
	size_t nb = (size_t)NBIN;
	double w = F->lstart[l + 1] > F->lstart[l] && hi > lo ? (hi - lo) / (double)nb : 1.0;

	for (size_t b = 0; b < nb; b++)
		F->blo[l * nb + b] = b == 0 ? lo : lo + w * (double)b * (1.0 - 1e-12) - 1e-12 * fabs(lo);
	return w;
}

/*
 * flow_build from the allowed pairs listed by rows (pl_assign_flow_solve_pairs): the same arcs in
 * the same order as flow_build and bin_arcs give from the dense matrix (both walk the pairs row by
 * row with the columns increasing, and bin_arcs's counting sort is stable), but each arc is
 * written once, straight into its left node's cost bin: three passes over the pairs (each left
 * node's count and cost range; each pair's bin; the arcs) instead of a pass, a copy into bins
 * and a copy back, and no second set of arc arrays (9 MB on 2,000 x 500 mentors).
 */
static int flow_build_pairs(flow *F, size_t n, const long *cap, const size_t *start,
			    const int *col, const double *cost, int negate)
{
	int rl = F->orient_rows_left;
	size_t nb = (size_t)NBIN, L = F->L, E = start[n];
	double *lo = NULL, *hi = NULL, *bw = NULL;
	size_t *fill = NULL;
	unsigned char *bin = NULL;
	int rc = -1;

	if (flow_alloc_nodes(F) != 0)
		return -1;
	F->E = E;
	lo = malloc((L ? L : 1) * sizeof(double));
	hi = malloc((L ? L : 1) * sizeof(double));
	bw = malloc((L ? L : 1) * sizeof(double));
	fill = malloc((L * nb + 1) * sizeof(size_t));
	bin = malloc(E ? E : 1);
	F->bstart = malloc((L * nb + 1) * sizeof(size_t));
	F->blo = malloc((L * nb + 1) * sizeof(double));
	if (!lo || !hi || !bw || !fill || !bin || !F->bstart || !F->blo)
		goto out;
	for (size_t l = 0; l < L; l++) {
		lo[l] = INFINITY;
		hi[l] = -INFINITY;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t e = start[i]; e < start[i + 1]; e++) {
			size_t l = rl ? i : (size_t)col[e];
			double c = negate ? -cost[e] : cost[e];
			F->lstart[l + 1]++;
			lo[l] = c < lo[l] ? c : lo[l];
			hi[l] = c > hi[l] ? c : hi[l];
		}
	if (alloc_arcs(F) != 0)
		goto out;
	for (size_t l = 0; l < L; l++)
		bw[l] = bin_width(F, l, lo[l], hi[l]);
	memset(fill, 0, (L * nb + 1) * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		for (size_t e = start[i]; e < start[i + 1]; e++) {
			size_t l = rl ? i : (size_t)col[e];
			size_t b = (size_t)(((negate ? -cost[e] : cost[e]) - lo[l]) / bw[l]);
			b = b < nb ? b : nb - 1;
			bin[e] = (unsigned char)b;
			fill[l * nb + b]++;
		}
	/* bin b of left node l starts after the node's earlier bins; fill becomes the next slot */
	for (size_t l = 0; l < L; l++) {
		size_t a = F->lstart[l];
		for (size_t b = 0; b < nb; b++) {
			size_t count = fill[l * nb + b];
			F->bstart[l * nb + b] = a;
			fill[l * nb + b] = a;
			a += count;
		}
		for (size_t k = F->lstart[l]; k < F->lstart[l + 1]; k++)
			F->arc_l[k] = (int)l;
	}
	F->bstart[L * nb] = E;
	for (size_t i = 0; i < n; i++)
		for (size_t e = start[i]; e < start[i + 1]; e++) {
			size_t l = rl ? i : (size_t)col[e], a = fill[l * nb + bin[e]]++;
			F->arc_r[a] = rl ? col[e] : (int)i;
			F->arc_c[a] = negate ? -cost[e] : cost[e];
		}
	finish_nodes(F, cap);
	rc = 0;
out:
	free(lo);
	free(hi);
	free(bw);
	free(fill);
	free(bin);
	return rc;
}

/* Left potentials of the answer: a copy's is c - v on its own arc; a left node without flow
 * takes min over its arcs of c - v, so that every arc keeps reduced cost >= 0. */
static double left_potential(const flow *F, size_t l)
{
	double best = INFINITY;

	for (size_t a = F->lstart[l]; a < F->lstart[l + 1]; a++) {
		double x = F->arc_c[a] - F->v[F->arc_r[a]];
		if (F->flow[a])
			return x;
		if (x < best)
			best = x;
	}
	return best < INFINITY ? best : 0.0;
}

/* Write the answer in the caller's orientation (see assign_int.h for the duals' form). */
static void flow_export(const flow *F, size_t n, size_t m, long *row_col, double *u, double *v)
{
	for (size_t i = 0; i < n; i++)
		row_col[i] = -1;
	for (size_t a = 0; a < F->E; a++) {
		if (!F->flow[a])
			continue;
		if (F->orient_rows_left)
			row_col[F->arc_l[a]] = F->arc_r[a];
		else
			row_col[F->arc_r[a]] = F->arc_l[a];
	}
	if (F->orient_rows_left) {
		for (size_t i = 0; i < n; i++)
			u[i] = left_potential(F, i);
		memcpy(v, F->v, m * sizeof(double));
	} else {
		/* the transposed problem's certificate: rows are the right nodes */
		memcpy(u, F->v, n * sizeof(double));
		for (size_t j = 0; j < m; j++)
			v[j] = left_potential(F, j);
	}
}

/* Orientation (the side with the smaller total supply is the left one) and the sizes. */
static void flow_orient(flow *F, size_t n, size_t m, const long *cap)
{
	size_t total = 0;

	memset(F, 0, sizeof(*F));
	for (size_t j = 0; j < m; j++)
		total += cap ? (size_t)cap[j] : 1;
	F->orient_rows_left = n <= total;
	F->L = F->orient_rows_left ? n : m;
	F->R = F->orient_rows_left ? m : n;
}

/* One search per unit of supply, then the answer. */
static void flow_run(flow *F, size_t n, size_t m, long *row_col, double *u, double *v,
		     size_t *augmentations)
{
	for (size_t l = 0; l < F->L; l++)
		for (long k = 0; k < F->supply[l]; k++) {
			if (F->lstart[l + 1] == F->lstart[l])
				break; /* no arc: stays out, no search needed */
			place_unit(F, (int)l);
			(*augmentations)++;
		}
	flow_export(F, n, m, row_col, u, v);
}

int pl_assign_flow_solve(const double *c, size_t n, size_t m, const long *cap, long *row_col,
			 double *u, double *v, size_t *augmentations)
{
	flow F;
	int rc = -1;

	flow_orient(&F, n, m, cap);
	*augmentations = 0;
	if ((n + m) >= (size_t)1 << 30)
		goto out;
	if (flow_build(&F, c, n, m, cap) != 0)
		goto out;
	if (F.E >= (size_t)1 << 31)
		goto out;
	flow_run(&F, n, m, row_col, u, v, augmentations);
	rc = 0;
out:
	flow_release(&F);
	return rc;
}

int pl_assign_flow_solve_pairs(size_t n, size_t m, const long *cap, const size_t *start,
			       const int *col, const double *cost, int negate, long *row_col,
			       double *u, double *v, size_t *augmentations)
{
	flow F;
	int rc = -1;

	flow_orient(&F, n, m, cap);
	*augmentations = 0;
	if ((n + m) >= (size_t)1 << 30 || start[n] >= (size_t)1 << 31)
		goto out;
	if (flow_build_pairs(&F, n, cap, start, col, cost, negate) != 0)
		goto out;
	flow_run(&F, n, m, row_col, u, v, augmentations);
	rc = 0;
out:
	flow_release(&F);
	return rc;
}
