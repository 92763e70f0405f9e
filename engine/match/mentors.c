/*
 * mentors.c: mentor matching under three objectives (see peerlink/mentors.h).
 *
 * Why this shape: the exact work is done by the assignment solver (pl_assign_solve: maximum
 * cardinality first, then minimum cost, capacities and forbidden pairs built in), so each
 * objective reduces to a few calls of it:
 *   - TOTAL: one solve on cost -w.
 *   - MAXIMIN (a bottleneck assignment followed by a sum objective; the threshold method of
 *     Garfinkel 1971, "An improved algorithm for the bottleneck assignment problem", Oper. Res.
 *     19(7)): binary search over the sorted distinct values t of w for the largest t at which
 *     the pairs with w >= t still match as many mentees as all pairs do; then the best total
 *     among those pairs. Monotone in t, so O(log #values) solves.
 *   - STABLE: deferred acceptance, mentees proposing, each mentor holding its best `capacity`
 *     proposals (Gale & Shapley 1962, "College admissions and the stability of marriage",
 *     Amer. Math. Monthly 69; Roth 1984 for the many-to-one case). With strict preferences it
 *     ends in the mentee-optimal stable matching, which has no blocking pair.
 * Pins are applied before any of these: pinned mentees leave the problem and their mentors'
 * capacities shrink.
 * Alternatives (the exact change of the optimum if a mentee were pinned to another mentor):
 * under TOTAL (and MAXIMIN, which keeps its floor and is then a TOTAL question) from the dual
 * certificate, one lazy Dijkstra per distinct alternative mentor in the residual graph (see
 * fast_alternatives); under STABLE by re-running deferred acceptance; and by re-solving with
 * the extra pin whenever a certificate does not check out.
 */
#include <peerlink/mentors.h>
#include <peerlink/assign.h>

#include "assign_int.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void pl_mentors_problem_init(pl_mentors_problem *pb)
{
	memset(pb, 0, sizeof(*pb));
	pb->objective = PL_MENTORS_TOTAL;
	pb->w_floor = -INFINITY;
}

static void pairs_free(struct pl_mentors_pairs *P);

void pl_mentors_result_release(pl_mentors_result *res)
{
	if (!res)
		return;
	free(res->mentor_of);
	free(res->reason);
	free(res->load);
	free(res->dual_mentee);
	free(res->dual_mentor);
	pairs_free(res->pairs);
	memset(res, 0, sizeof(*res));
}

static int feasible(const pl_mentors_problem *pb, size_t i, size_t j)
{
	double s = pb->score[i * pb->nmentors + j];
	return isfinite(s) && !(pb->forbidden && pb->forbidden[i * pb->nmentors + j]);
}

static double adjusted(const pl_mentors_problem *pb, size_t i, size_t j)
{
	double s = pb->score[i * pb->nmentors + j];
	if (pb->current && pb->current[i] == (long)j)
		s += pb->stickiness;
	return s;
}

static int eligible(const pl_mentors_problem *pb, size_t i, size_t j)
{
	return feasible(pb, i, j) && pb->score[i * pb->nmentors + j] >= pb->min_score &&
	       !(adjusted(pb, i, j) < pb->w_floor);
}

static long cap_of(const pl_mentors_problem *pb, size_t j)
{
	return pb->capacity ? pb->capacity[j] : 1;
}

static long rank_of(const long *rank, size_t k)
{
	return rank ? rank[k] : (long)k;
}

static int is_pinned(const pl_mentors_problem *pb, size_t i)
{
	return pb->pinned && pb->pinned[i] >= 0;
}

/* Does mentee i prefer mentor a to mentor b (b == -1: unmatched)? */
static int mentee_prefers(const pl_mentors_problem *pb, size_t i, long a, long b)
{
	double wa, wb;
	if (b < 0)
		return 1;
	wa = adjusted(pb, i, (size_t)a);
	wb = adjusted(pb, i, (size_t)b);
	return wa > wb || (wa == wb && rank_of(pb->mentor_rank, (size_t)a) < rank_of(pb->mentor_rank, (size_t)b));
}

/* Does mentor j prefer mentee a to mentee b? */
static int mentor_prefers(const pl_mentors_problem *pb, size_t j, size_t a, size_t b)
{
	double wa = adjusted(pb, a, j), wb = adjusted(pb, b, j);
	return wa > wb || (wa == wb && rank_of(pb->mentee_rank, a) < rank_of(pb->mentee_rank, b));
}

/*
 * The eligible pairs, listed once per mentee: every pass that asks "which mentors may mentee i
 * have?" (the solver's cost matrix, the blocking-pairs check, the unmatched reasons, the
 * alternatives' candidates, certificate checks and residual graph) walks this list instead of a
 * whole row of the score matrix. On realistic programs 30-70 % of the pairs break a hard rule,
 * and each of those passes was a full n x m scan with the eligibility test inside it.
 */
typedef struct elist {
	size_t *start; /* nmentees + 1: mentee i's pairs are [start[i], start[i + 1]) */
	int *col;      /* the mentor of each pair, increasing within a mentee (an int: the lists
			* hold up to all n x m pairs, and their size is memory traffic) */
	double *w;     /* its adjusted score w(i, j) */
} elist;

static void elist_release(elist *E)
{
	free(E->start);
	free(E->col);
	free(E->w);
	memset(E, 0, sizeof(*E));
}

/* One pass over the score matrix. Returns -1 when out of memory. */
static int elist_build(const pl_mentors_problem *pb, elist *E)
{
	size_t n = pb->nmentees, m = pb->nmentors, cells = n * m, k = 0;
	/* w >= lo && w < INFINITY is eligible() when nothing is forbidden, there is no floor and
	 * the mentee has no current mentor: -DBL_MAX keeps -inf out as isfinite does, and NaN
	 * fails both */
	double lo = pb->min_score > -DBL_MAX ? pb->min_score : -DBL_MAX;
	int plain = !pb->forbidden && !(pb->w_floor > -INFINITY) && !isnan(pb->min_score);

	E->start = malloc((n + 1) * sizeof(size_t));
	/* one slot more than the pairs: the branch-free pass writes the slot after the last pair */
	E->col = m <= INT_MAX ? malloc((cells + 1) * sizeof(int)) : NULL;
	E->w = malloc((cells + 1) * sizeof(double));
	if (!E->start || !E->col || !E->w) {
		elist_release(E);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const double *s = pb->score + i * m;
		const unsigned char *f = pb->forbidden ? pb->forbidden + i * m : NULL;
		long cur = pb->current ? pb->current[i] : -1;
		E->start[i] = k;
		if (plain && cur < 0) { /* a branch-free pass: about half the pairs break a rule, unpredictably */
			for (size_t j = 0; j < m; j++) {
				double w = s[j];
				E->col[k] = (int)j;
				E->w[k] = w;
				k += (size_t)((w >= lo) & (w < INFINITY)); /* &: no branch */
			}
			continue;
		}
		for (size_t j = 0; j < m; j++) {
			double w = s[j];
			/* eligible(): feasible, not forbidden, at or above min_score, w not below the floor */
			if (!isfinite(w) || (f && f[j]) || !(w >= pb->min_score))
				continue;
			if ((long)j == cur)
				w += pb->stickiness;
			if (w < pb->w_floor)
				continue;
			E->col[k] = (int)j;
			E->w[k++] = w;
		}
	}
	E->start[n] = k;
	return 0;
}

/*
 * A solve's eligible pairs kept in its result (pl_mentors_result.pairs), with what they were
 * listed from, so that pl_mentors_alternatives on the same problem does not list them again
 * (a pass over the whole score matrix and, on 2,000 x 500, 9 MB of lists).
 */
struct pl_mentors_pairs {
	elist E;
	size_t n, m;
	const double *score;
	const long *current;
	int forbidden; /* whether the problem forbade pairs (the mask's address may change between
			* the solve and the alternatives while its contents do not: program.c's couples) */
	double min_score, stickiness, w_floor;
};

static void pairs_free(struct pl_mentors_pairs *P)
{
	if (!P)
		return;
	elist_release(&P->E);
	free(P);
}

/* Are P the eligible pairs of pb? */
static int pairs_of(const struct pl_mentors_pairs *P, const pl_mentors_problem *pb)
{
	/* the doubles compare as bits: NaN and -0 included (min_score may be NaN) */
	return P && P->n == pb->nmentees && P->m == pb->nmentors && P->score == pb->score &&
	       P->current == pb->current && P->forbidden == (pb->forbidden != NULL) &&
	       memcmp(&P->min_score, &pb->min_score, sizeof(double)) == 0 &&
	       memcmp(&P->stickiness, &pb->stickiness, sizeof(double)) == 0 &&
	       memcmp(&P->w_floor, &pb->w_floor, sizeof(double)) == 0;
}

/* Move E into a new pl_mentors_pairs for pb (NULL when out of memory; E is then freed). */
static struct pl_mentors_pairs *pairs_keep(elist *E, const pl_mentors_problem *pb)
{
	struct pl_mentors_pairs *P = malloc(sizeof(*P));

	if (!P) {
		elist_release(E);
		return NULL;
	}
	P->E = *E;
	memset(E, 0, sizeof(*E));
	P->n = pb->nmentees;
	P->m = pb->nmentors;
	P->score = pb->score;
	P->current = pb->current;
	P->forbidden = pb->forbidden != NULL;
	P->min_score = pb->min_score;
	P->stickiness = pb->stickiness;
	P->w_floor = pb->w_floor;
	return P;
}

/* Seats left after pins (may be negative when pins overfill: checked by the caller). */
static pl_status seats_after_pins(const pl_mentors_problem *pb, long *capfree, pl_error *err)
{
	size_t n = pb->nmentees, m = pb->nmentors;

	for (size_t j = 0; j < m; j++) {
		capfree[j] = cap_of(pb, j);
		if (capfree[j] < 1)
			return pl_error_set(err, PL_ERR_INVALID, "", "mentor %zu has a capacity below 1", j);
	}
	for (size_t i = 0; i < n; i++) {
		long j;
		if (!is_pinned(pb, i))
			continue;
		j = pb->pinned[i];
		if ((size_t)j >= m)
			return pl_error_set(err, PL_ERR_INVALID, "", "mentee %zu is pinned to no mentor", i);
		if (!feasible(pb, i, (size_t)j))
			return pl_error_set(err, PL_ERR_INVALID, "",
					    "mentee %zu is pinned to a mentor it cannot be matched with", i);
		if (--capfree[j] < 0)
			return pl_error_set(err, PL_ERR_INVALID, "",
					    "the pins to mentor %ld exceed its capacity", j);
	}
	return PL_OK;
}

/* Work shared by the objectives: non-pinned mentees x mentors with seats left. */
typedef struct work {
	const pl_mentors_problem *pb;
	long *capfree;       /* nmentors */
	size_t *rows, nr;    /* non-pinned mentees */
	size_t *cols, nc;    /* mentors with capfree >= 1 */
	long *capc;          /* nc */
	long *colpos;        /* nmentors: position in cols, -1 when the mentor has no seat left */
	double *cost;        /* nr x nc scratch (allocated when a solve needs the dense matrix) */
	size_t *pstart;      /* nr + 1: the pairs of a threshold solve by rows (threshold_pairs) */
	int *pcol;           /* their columns (positions in cols) */
	double *pcost;       /* and costs */
	/* the pairs handed to the solver: the lists above, or (whole_pairs) E's own arrays with
	 * costs -E.w (negate) */
	const size_t *ps;
	const int *pc;
	const double *pw;
	int negate;
	elist E;             /* the eligible pairs */
	pl_assign_result ar;
	size_t solves;
	int card_only; /* feasibility probes: every allowed pair costs 0 */
} work;

static void work_release(work *W)
{
	free(W->capfree);
	free(W->rows);
	free(W->cols);
	free(W->capc);
	free(W->colpos);
	free(W->cost);
	free(W->pstart);
	free(W->pcol);
	free(W->pcost);
	elist_release(&W->E);
	pl_assign_result_release(&W->ar);
}

static pl_status work_init(work *W, const pl_mentors_problem *pb, pl_error *err)
{
	size_t n = pb->nmentees, m = pb->nmentors;
	pl_status st;

	memset(W, 0, sizeof(*W));
	W->pb = pb;
	W->capfree = malloc((m ? m : 1) * sizeof(long));
	W->rows = malloc((n ? n : 1) * sizeof(size_t));
	W->cols = malloc((m ? m : 1) * sizeof(size_t));
	W->capc = malloc((m ? m : 1) * sizeof(long));
	W->colpos = malloc((m ? m : 1) * sizeof(long));
	if (!W->capfree || !W->rows || !W->cols || !W->capc || !W->colpos || elist_build(pb, &W->E) != 0)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
	st = seats_after_pins(pb, W->capfree, err);
	if (st != PL_OK)
		return st;
	for (size_t i = 0; i < n; i++)
		if (!is_pinned(pb, i))
			W->rows[W->nr++] = i;
	for (size_t j = 0; j < m; j++) {
		W->colpos[j] = -1;
		if (W->capfree[j] >= 1) {
			W->colpos[j] = (long)W->nc;
			W->capc[W->nc] = W->capfree[j];
			W->cols[W->nc++] = j;
		}
	}
	return PL_OK;
}

/*
 * When every mentee is a work row and every mentor a work column (no pins, a seat left
 * everywhere), there is no threshold and each cost is -w, threshold_pairs's lists would be a
 * copy of E with w negated: the solver then reads E itself (W->ps/pc/pw, negate), which saves
 * the copy (9 MB on 2,000 x 500). Returns 1 when so (the views are set), 0 when not.
 */
static int whole_pairs(work *W, double thr)
{
	const elist *E = &W->E;
	double big = 0.0;

	if (W->nr != W->pb->nmentees || W->nc != W->pb->nmentors || thr != -INFINITY || W->card_only)
		return 0;
	for (size_t e = 0; e < E->start[W->nr]; e++) { /* fabs(w) <= PL_ASSIGN_COST_MAX, as below */
		double a = fabs(E->w[e]);
		big = a > big ? a : big;
	}
	if (big > PL_ASSIGN_COST_MAX)
		return 0;
	W->ps = E->start;
	W->pc = E->col;
	W->pw = E->w;
	W->negate = 1;
	return 1;
}

/*
 * The pairs of solve_threshold listed by work rows (columns increasing) with their costs:
 * W->pstart/pcol/pcost. Returns 1 when they may go to the flow driver directly (the driver
 * pl_assign_solve would pick for the dense matrix, every cost within its limit), 0 when the
 * dense matrix is needed, -1 when out of memory.
 */
static int threshold_pairs(work *W, double thr)
{
	size_t k = 0, cells = W->nr * W->nc;

	if (W->nr > PL_ASSIGN_DIM_MAX || W->nc > PL_ASSIGN_DIM_MAX || cells > PL_ASSIGN_ENTRIES_MAX)
		return 0; /* pl_assign_solve says why */
	if (whole_pairs(W, thr))
		return pl_assign_uses_flow(W->nr, W->nc, W->capc, W->E.start[W->nr] == cells);
	if (!W->pstart) {
		/* All three or none: W->pstart doubles as "allocated", so a partial success must not
		 * stay in W (a later call would skip the allocation and write through a NULL pcol). */
		size_t *pstart = malloc((W->nr + 1) * sizeof(size_t));
		int *pcol = malloc((W->E.start[W->pb->nmentees] + 1) * sizeof(int));
		double *pcost = malloc((W->E.start[W->pb->nmentees] + 1) * sizeof(double));
		if (!pstart || !pcol || !pcost) {
			free(pstart);
			free(pcol);
			free(pcost);
			return -1;
		}
		W->pstart = pstart;
		W->pcol = pcol;
		W->pcost = pcost;
	}
	for (size_t a = 0; a < W->nr; a++) {
		size_t i = W->rows[a];
		W->pstart[a] = k;
		for (size_t e = W->E.start[i]; e < W->E.start[i + 1]; e++) {
			long b = W->colpos[W->E.col[e]];
			double w = W->E.w[e];
			if (b < 0 || !(w >= thr))
				continue;
			if (fabs(w) > PL_ASSIGN_COST_MAX)
				return 0;
			W->pcol[k] = (int)b;
			W->pcost[k++] = W->card_only ? 0.0 : -w;
		}
	}
	W->pstart[W->nr] = k;
	W->ps = W->pstart;
	W->pc = W->pcol;
	W->pw = W->pcost;
	W->negate = 0;
	return pl_assign_uses_flow(W->nr, W->nc, W->capc, k == cells);
}

/* pl_assign_solve's answer from the flow driver on the pairs of threshold_pairs. */
static pl_status solve_pairs(work *W, pl_error *err)
{
	pl_assign_result *ar = &W->ar;
	size_t aug = 0;

	ar->nrows = W->nr;
	ar->ncols = W->nc;
	ar->row_to_col = malloc(W->nr * sizeof(long));
	ar->u = calloc(W->nr, sizeof(double));
	ar->v = calloc(W->nc, sizeof(double));
	if (!ar->row_to_col || !ar->u || !ar->v ||
	    pl_assign_flow_solve_pairs(W->nr, W->nc, W->capc, W->ps, W->pc, W->pw, W->negate,
				       ar->row_to_col, ar->u, ar->v, &aug) != 0)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in the assignment solver");
	ar->method = "sparse-flow";
	ar->rounds = aug;
	ar->total = 0.0;
	ar->assigned = 0;
	for (size_t a = 0; a < W->nr; a++) {
		long b = ar->row_to_col[a];
		if (b < 0) {
			ar->row_to_col[a] = PL_ASSIGN_UNASSIGNED;
			continue;
		}
		for (size_t e = W->ps[a]; e < W->ps[a + 1]; e++)
			if (W->pc[e] == b)
				ar->total += W->negate ? -W->pw[e] : W->pw[e];
		ar->assigned++;
	}
	return PL_OK;
}

/* The dense n x m matrix for pl_assign_solve (+inf where a pair is not allowed). */
static void threshold_matrix(work *W, double thr)
{
	for (size_t a = 0; a < W->nr; a++) {
		size_t i = W->rows[a];
		double *row = W->cost + a * W->nc;
		for (size_t b = 0; b < W->nc; b++)
			row[b] = INFINITY;
		for (size_t e = W->E.start[i]; e < W->E.start[i + 1]; e++) {
			long b = W->colpos[W->E.col[e]];
			double w = W->E.w[e];
			if (b >= 0 && w >= thr)
				row[b] = W->card_only ? 0.0 : -w;
		}
	}
}

/* Best total of w among eligible pairs with w >= thr (most matched first). Writes the mentor of
 * every non-pinned mentee into mentor_of and returns the number matched through *matched.
 * Large problems go to the flow driver as pair lists, never as an n x m matrix. */
static pl_status solve_threshold(work *W, double thr, long *mentor_of, size_t *matched,
				 pl_error *err)
{
	pl_status st;
	int sparse;

	*matched = 0;
	for (size_t a = 0; a < W->nr; a++)
		mentor_of[W->rows[a]] = -1;
	if (W->nr == 0 || W->nc == 0)
		return PL_OK;
	pl_assign_result_release(&W->ar);
	sparse = threshold_pairs(W, thr);
	if (sparse < 0)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
	if (sparse) {
		st = solve_pairs(W, err);
	} else {
		if (!W->cost && !(W->cost = malloc(W->nr * W->nc * sizeof(double))))
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
		threshold_matrix(W, thr);
		st = pl_assign_solve(W->cost, W->nr, W->nc, W->capc, &W->ar, err);
	}
	W->solves++;
	if (st != PL_OK)
		return st;
	for (size_t a = 0; a < W->nr; a++)
		if (W->ar.row_to_col[a] >= 0)
			mentor_of[W->rows[a]] = (long)W->cols[W->ar.row_to_col[a]];
	*matched = W->ar.assigned;
	return PL_OK;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static pl_status solve_maximin(work *W, long *mentor_of, double *threshold, pl_error *err)
{
	const pl_mentors_problem *pb = W->pb;
	size_t n = pb->nmentees, nstar, got, nv = 0, lo, hi;
	double wmin = INFINITY, *vals = NULL;
	long *trial = NULL;
	pl_status st;

	*threshold = 0.0;
	st = solve_threshold(W, -INFINITY, mentor_of, &nstar, err);
	if (st != PL_OK || nstar == 0)
		return st;
	for (size_t a = 0; a < W->nr; a++) {
		size_t i = W->rows[a];
		if (mentor_of[i] >= 0 && adjusted(pb, i, (size_t)mentor_of[i]) < wmin)
			wmin = adjusted(pb, i, (size_t)mentor_of[i]);
	}
	vals = malloc((W->nr * W->nc != 0 ? W->nr * W->nc : 1) * sizeof(double));
	trial = malloc((n ? n : 1) * sizeof(long));
	if (!vals || !trial) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
		goto out;
	}
	for (size_t a = 0; a < W->nr; a++) {
		size_t i = W->rows[a];
		for (size_t e = W->E.start[i]; e < W->E.start[i + 1]; e++)
			if (W->colpos[W->E.col[e]] >= 0 && W->E.w[e] >= wmin)
				vals[nv++] = W->E.w[e];
	}
	qsort(vals, nv, sizeof(double), cmp_double);
	{
		size_t u = 0;
		for (size_t k = 0; k < nv; k++)
			if (u == 0 || vals[k] != vals[u - 1])
				vals[u++] = vals[k];
		nv = u;
	}
	/* vals[0] == wmin is feasible (the first solution attains it); find the last feasible. */
	lo = 0;
	hi = nv - 1;
	W->card_only = 1; /* probes only count; the total is optimized once, at the end */
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		memcpy(trial, mentor_of, n * sizeof(long));
		st = solve_threshold(W, vals[mid], trial, &got, err);
		if (st != PL_OK)
			goto out;
		if (got == nstar)
			lo = mid;
		else
			hi = mid - 1;
	}
	W->card_only = 0;
	if (lo > 0) {
		st = solve_threshold(W, vals[lo], mentor_of, &got, err);
		if (st != PL_OK)
			goto out;
	}
	*threshold = vals[lo];
out:
	free(vals);
	free(trial);
	return st;
}

/* Does mentor j prefer work row a to work row b? (mentor_prefers on a precomputed w matrix) */
static int row_before(const pl_mentors_problem *pb, const work *W, const double *wm, size_t j,
		      size_t a, size_t b)
{
	double wa = wm[a * pb->nmentors + j], wb = wm[b * pb->nmentors + j];
	return wa > wb || (wa == wb && rank_of(pb->mentee_rank, W->rows[a]) <
					       rank_of(pb->mentee_rank, W->rows[b]));
}

/* w of every non-pinned mentee (work row) and mentor, for the deferred-acceptance loop. */
static double *stable_wmatrix(const work *W)
{
	const pl_mentors_problem *pb = W->pb;
	double *wm = malloc((W->nr * pb->nmentors != 0 ? W->nr * pb->nmentors : 1) * sizeof(double));
	if (!wm)
		return NULL;
	for (size_t a = 0; a < W->nr; a++)
		for (size_t j = 0; j < pb->nmentors; j++)
			wm[a * pb->nmentors + j] = adjusted(pb, W->rows[a], j);
	return wm;
}

/* Each non-pinned mentee's eligible open mentors, best first (insertion into a sorted list):
 * pref[a * nc ...], plen[a] of them. Built once and reused when alternatives re-run DA. */
static pl_status stable_prefs(work *W, size_t **pref_out, size_t **plen_out, pl_error *err)
{
	const pl_mentors_problem *pb = W->pb;
	size_t *pref = malloc((W->nr * W->nc != 0 ? W->nr * W->nc : 1) * sizeof(size_t));
	size_t *plen = calloc(W->nr ? W->nr : 1, sizeof(size_t));

	*pref_out = pref;
	*plen_out = plen;
	if (!pref || !plen)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
	for (size_t a = 0; a < W->nr; a++) {
		size_t i = W->rows[a], *p = pref + a * W->nc, len = 0;
		for (size_t e = W->E.start[i]; e < W->E.start[i + 1]; e++) {
			size_t j = (size_t)W->E.col[e], k;
			if (W->colpos[j] < 0)
				continue;
			for (k = len; k > 0 && mentee_prefers(pb, i, (long)j, (long)p[k - 1]); k--)
				p[k] = p[k - 1];
			p[k] = j;
			len++;
		}
		plen[a] = len;
	}
	return PL_OK;
}

/* Deferred acceptance over the non-pinned mentees except row `skip` (-1: none), with the seats
 * `seats` (per mentor; 0 rejects every proposal). Writes the mentor of each of those mentees. */
static pl_status stable_run(work *W, const size_t *pref, const size_t *plen, const double *wm,
			    const long *seats, long skip, long *mentor_of, pl_error *err)
{
	const pl_mentors_problem *pb = W->pb;
	size_t m = pb->nmentors, nstack = 0, tot = 0;
	size_t *next = calloc(W->nr ? W->nr : 1, sizeof(size_t)), *stack = malloc((W->nr ? W->nr : 1) * sizeof(size_t));
	size_t *hstart = malloc((m + 1) * sizeof(size_t)), *nheld = calloc(m ? m : 1, sizeof(size_t)), *held = NULL;
	pl_status st = PL_OK;

	if (!next || !stack || !hstart || !nheld)
		goto nomem;
	for (size_t j = 0; j < m; j++) {
		hstart[j] = tot;
		tot += seats[j] > 0 ? (size_t)seats[j] : 0;
	}
	hstart[m] = tot;
	held = malloc((tot ? tot : 1) * sizeof(size_t));
	if (!held)
		goto nomem;
	for (size_t a = 0; a < W->nr; a++) {
		mentor_of[W->rows[a]] = -1;
		if ((long)a != skip)
			stack[nstack++] = a;
	}
	while (nstack > 0) {
		size_t a = stack[--nstack], j, *h, worst;
		if (next[a] >= plen[a])
			continue; /* i has proposed to every acceptable mentor: stays unmatched */
		j = pref[a * W->nc + next[a]++];
		h = held + hstart[j];
		if (nheld[j] < (size_t)(seats[j] > 0 ? seats[j] : 0)) {
			h[nheld[j]++] = a;
			continue;
		}
		if (nheld[j] == 0) { /* no seat at all */
			stack[nstack++] = a;
			continue;
		}
		worst = 0;
		for (size_t k = 1; k < nheld[j]; k++)
			if (row_before(pb, W, wm, j, h[worst], h[k]))
				worst = k;
		if (row_before(pb, W, wm, j, a, h[worst])) {
			stack[nstack++] = h[worst];
			h[worst] = a;
		} else {
			stack[nstack++] = a;
		}
	}
	for (size_t j = 0; j < m; j++)
		for (size_t k = 0; k < nheld[j]; k++)
			mentor_of[W->rows[held[hstart[j] + k]]] = (long)j;
	goto out;
nomem:
	st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
out:
	free(next);
	free(stack);
	free(held);
	free(nheld);
	free(hstart);
	return st;
}

static pl_status solve_stable(work *W, long *mentor_of, pl_error *err)
{
	size_t *pref = NULL, *plen = NULL;
	double *wm;
	pl_status st;

	for (size_t a = 0; a < W->nr; a++)
		mentor_of[W->rows[a]] = -1;
	if (W->nr == 0 || W->nc == 0)
		return PL_OK;
	wm = stable_wmatrix(W);
	if (!wm)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
	st = stable_prefs(W, &pref, &plen, err);
	if (st == PL_OK)
		st = stable_run(W, pref, plen, wm, W->capfree, -1, mentor_of, err);
	free(pref);
	free(plen);
	free(wm);
	return st;
}

/* pl_mentors_blocking_pairs over the eligible pairs E: the count into *count. */
static pl_status count_blocking(const pl_mentors_problem *pb, const elist *E, const long *mentor_of,
				size_t *count, pl_error *err)
{
	size_t n = pb->nmentees, m = pb->nmentors;
	long *capfree = malloc((m ? m : 1) * sizeof(long)), *worst = malloc((m ? m : 1) * sizeof(long));
	long *nfree = calloc(m ? m : 1, sizeof(long));
	pl_status st = PL_OK;

	*count = 0;
	if (!capfree || !worst || !nfree) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
		goto out;
	}
	st = seats_after_pins(pb, capfree, err);
	if (st != PL_OK)
		goto out;
	for (size_t j = 0; j < m; j++)
		worst[j] = -1;
	for (size_t i = 0; i < n; i++) {
		long j = mentor_of[i];
		if (j < 0 || is_pinned(pb, i))
			continue;
		nfree[j]++;
		if (worst[j] < 0 || mentor_prefers(pb, (size_t)j, (size_t)worst[j], i))
			worst[j] = (long)i;
	}
	for (size_t i = 0; i < n; i++) {
		long k = mentor_of[i];
		/* mentee_prefers(i, j, k) with w(i, k) read once: E holds w(i, j) */
		double wk = k >= 0 ? adjusted(pb, i, (size_t)k) : -INFINITY;
		long rk = k >= 0 ? rank_of(pb->mentor_rank, (size_t)k) : 0;
		if (is_pinned(pb, i))
			continue;
		for (size_t e = E->start[i]; e < E->start[i + 1]; e++) {
			size_t j = (size_t)E->col[e];
			double w = E->w[e];
			if ((long)j == k || capfree[j] < 1 ||
			    (k >= 0 && !(w > wk || (w == wk && rank_of(pb->mentor_rank, j) < rk))))
				continue;
			if (nfree[j] < capfree[j] || mentor_prefers(pb, j, i, (size_t)worst[j]))
				(*count)++;
		}
	}
out:
	free(capfree);
	free(worst);
	free(nfree);
	return st;
}

pl_status pl_mentors_blocking_pairs(const pl_mentors_problem *pb, const long *mentor_of,
				    size_t *count, pl_error *err)
{
	elist E;
	pl_status st;

	*count = 0;
	if (elist_build(pb, &E) != 0)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
	st = count_blocking(pb, &E, mentor_of, count, err);
	elist_release(&E);
	return st;
}

static pl_status fill_result(const pl_mentors_problem *pb, const elist *E, long *mentor_of,
			     pl_mentors_result *res, pl_error *err)
{
	size_t n = pb->nmentees, m = pb->nmentors;

	res->nmentees = n;
	res->nmentors = m;
	res->mentor_of = mentor_of;
	res->reason = calloc(n ? n : 1, sizeof(int));
	res->load = calloc(m ? m : 1, sizeof(long));
	if (!res->reason || !res->load)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
	res->matched = 0;
	res->total = res->objective_value = 0.0;
	res->min_score = INFINITY;
	for (size_t i = 0; i < n; i++) {
		long j = mentor_of[i];
		if (j >= 0) {
			double s = pb->score[i * m + (size_t)j];
			res->load[j]++;
			res->matched++;
			res->total += s;
			res->objective_value += adjusted(pb, i, (size_t)j);
			if (s < res->min_score)
				res->min_score = s;
			continue;
		}
		/* capfree >= 0 everywhere once seats_after_pins has succeeded */
		res->reason[i] = PL_UNMATCHED_NO_FEASIBLE;
		if (E->start[i + 1] > E->start[i]) {
			res->reason[i] = PL_UNMATCHED_CAPACITY;
			continue;
		}
		for (size_t k = 0; k < m; k++)
			if (feasible(pb, i, k)) {
				res->reason[i] = PL_UNMATCHED_BELOW_MIN_SCORE;
				break;
			}
	}
	if (res->matched == 0)
		res->min_score = 0.0;
	res->mean_score = res->matched ? res->total / (double)res->matched : 0.0;
	return count_blocking(pb, E, mentor_of, &res->blocking_pairs, err);
}

pl_status pl_mentors_solve(const pl_mentors_problem *pb, pl_mentors_result *res, pl_error *err)
{
	size_t n = pb->nmentees, got = 0;
	long *mentor_of = NULL;
	work W;
	pl_status st;

	memset(res, 0, sizeof(*res));
	st = work_init(&W, pb, err);
	if (st != PL_OK)
		goto out;
	mentor_of = malloc((n ? n : 1) * sizeof(long));
	if (!mentor_of) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		mentor_of[i] = is_pinned(pb, i) ? pb->pinned[i] : -1;
	switch (pb->objective) {
	case PL_MENTORS_MAXIMIN:
		st = solve_maximin(&W, mentor_of, &res->threshold, err);
		break;
	case PL_MENTORS_STABLE:
		st = solve_stable(&W, mentor_of, err);
		break;
	default:
		st = solve_threshold(&W, -INFINITY, mentor_of, &got, err);
		break;
	}
	if (st != PL_OK)
		goto out;
	st = fill_result(pb, &W.E, mentor_of, res, err);
	mentor_of = NULL; /* owned by res now */
	res->solves = W.solves;
	if (st == PL_OK && !(res->pairs = pairs_keep(&W.E, pb)))
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
	if (st == PL_OK && pb->objective == PL_MENTORS_TOTAL && W.ar.u && W.ar.v) {
		res->dual_mentee = malloc((n ? n : 1) * sizeof(double));
		res->dual_mentor = malloc((pb->nmentors ? pb->nmentors : 1) * sizeof(double));
		if (!res->dual_mentee || !res->dual_mentor) {
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			res->dual_mentee[i] = NAN;
		for (size_t j = 0; j < pb->nmentors; j++)
			res->dual_mentor[j] = NAN;
		for (size_t a = 0; a < W.nr; a++)
			res->dual_mentee[W.rows[a]] = W.ar.u[a];
		for (size_t b = 0; b < W.nc; b++)
			res->dual_mentor[W.cols[b]] = W.ar.v[b];
	}
out:
	free(mentor_of);
	work_release(&W);
	if (st != PL_OK)
		pl_mentors_result_release(res);
	return st;
}

/*
 * Exact alternatives under TOTAL from the dual certificate (all non-pinned mentees matched).
 *
 * Costs are c = -w. With duals u (mentees), v (mentors), v <= 0 and v = 0 at mentors with a free
 * seat, every reduced cost rc(r, c) = c(r, c) - u_r - v_c of an eligible pair is >= 0 and 0 on
 * matched pairs. Forcing mentee i (matched to k) onto mentor j changes the optimum by the
 * cheapest cycle i -> j ~> k -> i in the residual graph of the min-cost-flow form, because the
 * old solution has no negative cycle (Ahuja, Magnanti & Orlin 1993, "Network Flows", thm 9.1,
 * and the reoptimisation argument of sec. 9.11). With node potentials p(row) = -u, p(mentor) = v,
 * p(sink T) = 0, each residual arc's reduced cost is >= 0 and a cycle's real cost equals the sum
 * of its reduced costs, so
 *     change = rc(i, j) + dist(j -> k),
 * dist by Dijkstra over: mentor c -> each mentee r it holds (0), mentee r -> eligible mentor c'
 * (rc(r, c')), mentor with a free seat -> T (0), T -> mentor holding someone (-v_c), and
 * mentee r -> T by dropping r from the matching (one fewer matched: compared lexicographically
 * first, cost -u_r). The optimum is not solved again: the duals of the one solve price every
 * pair, and the searches only augment from them (warm start).
 *
 * The graph is searched compressed to its columns. A mentee is entered only from the mentor that
 * holds it, at that mentor's distance, so each mentee folds into its mentor: mentor c's arc to c'
 * costs the cheapest rc(r, c') over the mentees r it holds, and its arc to T the cheaper of a
 * free seat (0) and dropping one of them. Rounding is monotone (the smallest of the sums is the
 * sum with the smallest term), so the distances are the same numbers as in the full graph, in a
 * graph of mentors + 1 nodes and at most one arc per pair of mentors, each node's arcs sorted
 * once and expanded lazily (a search pushes a node's next arc only when it pops the previous
 * one, skipping arcs into settled nodes), so a search costs about the arcs it actually needs.
 * One search per distinct alternative mentor j answers every query (i, j) at once (fewer
 * searches than one per mentee), stopped as soon as every mentor k it is asked about is settled.
 */
typedef struct dkey {
	long drops;
	double cost;
} dkey;

static int dless(dkey x, dkey y)
{
	return x.drops < y.drops || (x.drops == y.drops && x.cost < y.cost);
}

/* Heap entries (lazy Dijkstra: stale entries are skipped when popped): node a reached directly
 * (b < 0), or through the b-th cheapest arc out of node a (ints: 24 bytes an entry, not 32). */
typedef struct dent {
	dkey key;
	int a, b;
} dent;

/* lex: keys compare by drops, then cost (dless); 0 when every key has drops 0 (the graph with the
 * column of the unmatched, where dropping a mentee is that column's cost), so the cost alone
 * orders them: the same order in fewer instructions. */
typedef struct dheap {
	dent *e;
	size_t n, cap;
	int lex;
} dheap;

static inline int hless(const dheap *H, dkey x, dkey y)
{
	return H->lex ? dless(x, y) : x.cost < y.cost;
}

static int dh_push(dheap *H, dkey key, long a, long b)
{
	size_t k;
	if (H->n == H->cap) {
		size_t cap = H->cap ? 2 * H->cap : 1024;
		dent *e = realloc(H->e, cap * sizeof(*e));
		if (!e)
			return -1;
		H->e = e;
		H->cap = cap;
	}
	k = H->n++;
	while (k > 0 && hless(H, key, H->e[(k - 1) / 2].key)) {
		H->e[k] = H->e[(k - 1) / 2];
		k = (k - 1) / 2;
	}
	H->e[k] = (dent){ key, (int)a, (int)b };
	return 0;
}

/* The smallest entry out. Floyd's bottom-up variant: the hole at the root goes down along the
 * smaller children to a leaf (one comparison a level), then the last entry rises from there
 * (rarely more than a level or two), instead of two comparisons a level on the way down. Which of
 * several equal keys comes out first may differ from the top-down variant: that does not change
 * any distance (a node's distance is the smallest key it is reached with, whatever the order among
 * equal keys). */
static dent dh_pop(dheap *H)
{
	dent top = H->e[0], last = H->e[--H->n];
	size_t k = 0, n = H->n;

	if (n == 0)
		return top;
	for (;;) {
		size_t l = 2 * k + 1;
		if (l >= n)
			break;
		if (l + 1 < n && hless(H, H->e[l + 1].key, H->e[l].key))
			l++;
		H->e[k] = H->e[l];
		k = l;
	}
	while (k > 0 && hless(H, last.key, H->e[(k - 1) / 2].key)) {
		H->e[k] = H->e[(k - 1) / 2];
		k = (k - 1) / 2;
	}
	H->e[k] = last;
	return top;
}

/* An arc of the compressed graph: to node `to` at reduced cost w >= 0. */
typedef struct carc {
	double w;
	long to;
} carc;

static void carc_swap(carc *a, long x, long y)
{
	carc t = a[x];
	a[x] = a[y];
	a[y] = t;
}

/* Sort arcs by cost: quicksort (median of three, Hoare's partition, recursion into the smaller
 * part so the depth stays O(log n)) finished by insertion sort. qsort's callback per comparison
 * cost more than the searches. The order among equal costs does not matter: only distances are
 * read from the searches. */
static void sort_arcs(carc *a, long n)
{
	while (n > 16) {
		long mid = n / 2, i = -1, j = n;
		double pivot;
		if (a[mid].w < a[0].w)
			carc_swap(a, 0, mid);
		if (a[n - 1].w < a[0].w)
			carc_swap(a, 0, n - 1);
		if (a[n - 1].w < a[mid].w)
			carc_swap(a, mid, n - 1);
		pivot = a[mid].w;
		for (;;) {
			do
				i++;
			while (a[i].w < pivot);
			do
				j--;
			while (pivot < a[j].w);
			if (i >= j)
				break;
			carc_swap(a, i, j);
		}
		/* a[0..j] <= pivot <= a[j+1..n) */
		if (j + 1 < n - j - 1) {
			sort_arcs(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			sort_arcs(a + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	for (long k = 1; k < n; k++) {
		carc x = a[k];
		long p = k;
		for (; p > 0 && x.w < a[p - 1].w; p--)
			a[p] = a[p - 1];
		a[p] = x;
	}
}

/* Do the duals certify the matching (see pl_assign_result)? Every non-pinned mentee with at
 * least one eligible mentor must be matched; mentees without any are isolated and ignored. */
static int duals_ok(const pl_mentors_problem *pb, const elist *E, const pl_mentors_result *res,
		    const long *capfree, long *held)
{
	size_t n = pb->nmentees, m = pb->nmentors;
	double tol = 1e-9;

	memset(held, 0, (m ? m : 1) * sizeof(long));
	for (size_t i = 0; i < n; i++) {
		int isolated = 1;
		if (is_pinned(pb, i))
			continue;
		if (res->mentor_of[i] >= 0)
			held[res->mentor_of[i]]++;
		for (size_t e = E->start[i]; e < E->start[i + 1] && isolated; e++)
			if (capfree[E->col[e]] >= 1)
				isolated = 0;
		if (isolated)
			continue; /* no arc at all: unmatched in every solution, no alternative */
		if (res->mentor_of[i] < 0 || !isfinite(res->dual_mentee[i]))
			return 0;
		for (size_t e = E->start[i]; e < E->start[i + 1]; e++) {
			long j = E->col[e];
			double rc;
			if (capfree[j] < 1)
				continue;
			rc = -E->w[e] - res->dual_mentee[i] - res->dual_mentor[j];
			if (rc < -tol || (j == res->mentor_of[i] && fabs(rc) > tol))
				return 0;
		}
	}
	for (size_t j = 0; j < m; j++) {
		if (capfree[j] < 1)
			continue;
		if (!isfinite(res->dual_mentor[j]) || res->dual_mentor[j] > tol ||
		    (held[j] < capfree[j] && fabs(res->dual_mentor[j]) > tol))
			return 0;
	}
	return 1;
}

/*
 * The compressed residual graph of fast_alternatives and the labels of its searches. Nodes: the
 * m graph columns (m = nmentors, or nmentors + 1 with the column of the unmatched when big > 0;
 * mentor_of, u, v and capfree are over these columns) and the sink T = m. Node c's arcs are arcs[astart[c] .. astart[c + 1]), cheapest first (T's go
 * to the columns holding someone, at -v); tkey[c] is column c's arc to T (drops < 0: none),
 * tfree[c] says that T's arc to column c costs exactly 0, sorted[c] that node c's arcs are
 * sorted (when a search first expands c: a search that ends first leaves them), and wlist holds
 * the columns the current search still wants (nwl of them); zstack holds the nodes settled and
 * not yet expanded (nz of them; see expand).
 * Queries (mentee i, slot s) are grouped by their alternative mentor (qhead/qnext).
 */
typedef struct fastalt {
	const pl_mentors_problem *pb;
	const elist *E;
	const long *mentor_of, *capfree;
	const double *u, *v;
	size_t n, m, top, narcs, arccap;
	double big;
	long *qhead, *qnext, *want, *touched, *wlist, *zstack;
	size_t *astart, nwl, nz;
	carc *arcs;
	dkey *tkey, *dist;
	unsigned char *done, *tfree, *sorted;
	dheap H;
} fastalt;

static void fastalt_release(fastalt *F)
{
	free(F->qhead);
	free(F->qnext);
	free(F->want);
	free(F->touched);
	free(F->astart);
	free(F->arcs);
	free(F->tkey);
	free(F->dist);
	free(F->done);
	free(F->tfree);
	free(F->sorted);
	free(F->wlist);
	free(F->zstack);
	free(F->H.e);
}

static int fastalt_alloc(fastalt *F)
{
	size_t n = F->n, m = F->m, top = F->top;

	F->qhead = malloc((m + 1) * sizeof(long));
	F->qnext = malloc((n * top != 0 ? n * top : 1) * sizeof(long));
	F->want = calloc(m + 1, sizeof(long));
	F->touched = malloc((m + 1) * sizeof(long));
	F->astart = malloc((m + 2) * sizeof(size_t));
	F->tkey = malloc((m + 1) * sizeof(dkey));
	F->dist = malloc((m + 1) * sizeof(dkey));
	F->done = calloc(m + 1, 1);
	F->tfree = calloc(m + 1, 1);
	F->sorted = calloc(m + 1, 1);
	F->wlist = malloc((m + 1) * sizeof(long));
	F->zstack = malloc((m + 1) * sizeof(long));
	return F->qhead && F->qnext && F->want && F->touched && F->astart && F->tkey && F->dist &&
			       F->done && F->tfree && F->sorted && F->wlist && F->zstack
		       ? 0
		       : -1;
}

static int add_arc(fastalt *F, double w, long to)
{
	if (F->narcs == F->arccap) {
		size_t cap = F->arccap ? 2 * F->arccap : 4096;
		carc *a = realloc(F->arcs, cap * sizeof(carc));
		if (!a)
			return -1;
		F->arcs = a;
		F->arccap = cap;
	}
	F->arcs[F->narcs++] = (carc){ w, to };
	return 0;
}

/* Column c's arcs: the cheapest reduced cost to each other column over the rows c holds (first
 * row r = head[c], next nextr[r]), and its arc to T. A row's arcs go to its eligible mentors
 * with a seat (cost -w) and, when big > 0, to the column of the unmatched (cost big; column
 * nmentors). best/stamp/list: scratch over columns. */
static int column_arcs(fastalt *F, size_t c, const long *head, const long *nextr, long held,
		       double *best, size_t *stamp, long *list)
{
	size_t nl = 0;

	F->tkey[c] = (dkey){ -1, 0.0 };
	if (F->capfree[c] >= 1 && held < F->capfree[c])
		F->tkey[c] = (dkey){ 0, 0.0 }; /* a free seat */
	for (long r = head[c]; r >= 0; r = nextr[r]) {
		dkey drop = { 1, -F->u[r] };
		size_t e = F->E->start[r], end = F->E->start[r + 1];
		if (F->big == 0 && (F->tkey[c].drops < 0 || dless(drop, F->tkey[c])))
			F->tkey[c] = drop;
		/* r's eligible mentors, then (big > 0) the column of the unmatched */
		for (; e <= end; e++) {
			long j = e < end ? F->E->col[e] : (long)F->pb->nmentors;
			double rc;
			if (e == end && !((size_t)j < F->m && !is_pinned(F->pb, (size_t)r)))
				break;
			if (F->capfree[j] < 1 || j == F->mentor_of[r])
				continue;
			rc = (e < end ? -F->E->w[e] : F->big) - F->u[r] - F->v[j];
			rc = rc > 0 ? rc : 0.0;
			if (stamp[j] != c + 1) {
				stamp[j] = c + 1;
				best[j] = rc;
				list[nl++] = j;
			} else if (rc < best[j]) {
				best[j] = rc;
			}
		}
	}
	for (size_t k = 0; k < nl; k++)
		if (add_arc(F, best[list[k]], list[k]) != 0)
			return -1;
	return 0;
}

/* The compressed graph and the query lists. Returns -1 when out of memory. */
static int build_graph(fastalt *F, const pl_mentors_alt *out, const size_t *count)
{
	const pl_mentors_problem *pb = F->pb;
	size_t n = F->n, m = F->m;
	long *head = malloc(m * sizeof(long)), *nextr = malloc((n ? n : 1) * sizeof(long));
	long *held = calloc(m, sizeof(long)), *list = malloc(m * sizeof(long));
	size_t *stamp = calloc(m, sizeof(size_t));
	double *best = malloc(m * sizeof(double));
	int rc = -1;

	if (!head || !nextr || !held || !list || !stamp || !best)
		goto out;
	for (size_t j = 0; j <= m; j++)
		F->qhead[j] = -1;
	for (size_t j = 0; j < m; j++)
		head[j] = -1;
	for (size_t i = n; i-- > 0;) { /* lists in index order */
		long k = F->mentor_of[i];
		if (is_pinned(pb, i) || k < 0)
			continue;
		nextr[i] = head[k];
		head[k] = (long)i;
		held[k]++;
	}
	for (size_t c = 0; c < m; c++) {
		F->astart[c] = F->narcs;
		if (column_arcs(F, c, head, nextr, held[c], best, stamp, list) != 0)
			goto out;
	}
	/* T -> a column holding someone, reduced cost -v */
	F->astart[m] = F->narcs;
	for (size_t j = 0; j < m; j++) {
		double w = -F->v[j] > 0 ? -F->v[j] : 0.0;
		if (!(F->capfree[j] >= 1 && held[j] > 0))
			continue;
		F->tfree[j] = w == 0.0;
		if (add_arc(F, w, (long)j) != 0)
			goto out;
	}
	F->astart[m + 1] = F->narcs;
	/* queries (i, slot) grouped by their alternative mentor j */
	for (size_t i = 0; i < n; i++)
		for (size_t s = 0; s < count[i]; s++) {
			long j = out[i * F->top + s].mentor;
			F->qnext[i * F->top + s] = F->qhead[j];
			F->qhead[j] = (long)(i * F->top + s);
		}
	rc = 0;
out:
	free(head);
	free(nextr);
	free(held);
	free(list);
	free(stamp);
	free(best);
	return rc;
}

/* Push node a's cheapest arc from position p on into a node not yet settled. */
static int push_arc(fastalt *F, long a, size_t p)
{
	size_t end = F->astart[a + 1];

	for (p += F->astart[a]; p < end && F->done[F->arcs[p].to]; p++)
		;
	if (p == end)
		return 0;
	return dh_push(&F->H, (dkey){ F->dist[a].drops, F->dist[a].cost + F->arcs[p].w }, a,
		       (long)(p - F->astart[a]));
}

/* Node a's arcs, cheapest first (when a search first expands a). */
static void sort_node(fastalt *F, long a)
{
	/* No arc (a mentor whose mentees fit nowhere else) may leave F->arcs NULL. */
	if (F->astart[a + 1] > F->astart[a])
		sort_arcs(F->arcs + F->astart[a], (long)(F->astart[a + 1] - F->astart[a]));
	F->sorted[a] = 1;
}

/* Mark node c settled at key and stack it for expansion. Returns 1 when it was the search's
 * last wanted node (nothing more to do), else 0. */
static int mark(fastalt *F, long c, dkey key, long *nwant, long *ntouched)
{
	F->done[c] = 1;
	F->dist[c] = key;
	F->touched[(*ntouched)++] = c;
	if (F->want[c] > 0 && --(*nwant) == 0)
		return 1;
	F->zstack[F->nz++] = c;
	return 0;
}

/*
 * Expand node x, settled at key, the smallest distance still open. An arc of reduced cost
 * exactly 0 leads to a node at distance key too (no path is shorter than the open minimum, and
 * this one is not longer), so its target is settled at once, without the heap; so is, when T
 * is expanded, every wanted column T reaches at cost 0 (a mentor with a seat left has dual 0:
 * on programs with many free seats most searches end there). Only the first arc of positive
 * cost goes to the heap. Returns 1 when the search is over, -1 when out of memory.
 */
static int expand(fastalt *F, long x, dkey key, long *nwant, long *ntouched)
{
	size_t m = F->m, p, end;

	if ((size_t)x < m && F->tkey[x].drops >= 0 && !F->done[m]) {
		if (F->tkey[x].drops == 0 && F->tkey[x].cost == 0.0) {
			if (mark(F, (long)m, key, nwant, ntouched))
				return 1;
		} else if (dh_push(&F->H, (dkey){ key.drops + F->tkey[x].drops, key.cost + F->tkey[x].cost },
				   (long)m, -1) != 0) {
			return -1;
		}
	}
	if ((size_t)x == m)
		for (size_t w = 0; w < F->nwl; w++) {
			long k = F->wlist[w];
			if (!F->done[k] && F->tfree[k] && mark(F, k, key, nwant, ntouched))
				return 1;
		}
	if (!F->sorted[x])
		sort_node(F, x);
	end = F->astart[x + 1];
	for (p = F->astart[x]; p < end && F->arcs[p].w == 0.0; p++)
		if (!F->done[F->arcs[p].to] && mark(F, F->arcs[p].to, key, nwant, ntouched))
			return 1;
	return push_arc(F, x, p - F->astart[x]) != 0 ? -1 : 0;
}

/* Settle node c at distance key and everything key reaches by arcs of cost 0. */
static int settle(fastalt *F, long c, dkey key, long *nwant, long *ntouched)
{
	F->nz = 0;
	if (mark(F, c, key, nwant, ntouched))
		return 0;
	while (F->nz > 0) {
		int rc = expand(F, F->zstack[--F->nz], key, nwant, ntouched);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
	return 0;
}

/* Dijkstra from mentor j until every mentor a query of j needs is settled. -1: out of memory. */
static int search_from(fastalt *F, size_t j, long nwant, long *ntouched)
{
	F->H.n = 0;
	if (dh_push(&F->H, (dkey){ 0, 0.0 }, (long)j, -1) != 0)
		return -1;
	while (F->H.n > 0 && nwant > 0) {
		dent e = dh_pop(&F->H);
		long c = e.a;
		if (e.b >= 0) {
			c = F->arcs[F->astart[e.a] + (size_t)e.b].to;
			if (push_arc(F, e.a, (size_t)e.b + 1) != 0)
				return -1;
		}
		if (F->done[c])
			continue;
		if (settle(F, c, e.key, &nwant, ntouched) != 0)
			return -1;
	}
	return 0;
}

/* The queries of mentor j from the distances of its search. */
static void answer_queries(fastalt *F, size_t j, pl_mentors_alt *out)
{
	for (long q = F->qhead[j]; q >= 0; q = F->qnext[q]) {
		size_t i = (size_t)q / F->top;
		long k = F->mentor_of[i];
		pl_mentors_alt *alt = &out[q];
		double rc = -adjusted(F->pb, i, j) - F->u[i] - F->v[j], delta = rc + F->dist[k].cost;
		/* k is always reached: j -> a mentee of j -> sink (drop) -> k, or with the column
		 * of the unmatched: j -> a mentee of j -> that column -> sink -> k */
		if (F->big > 0) {
			/* each mentee entering (leaving) the unmatched column adds (removes) big */
			double moved = round(delta / F->big);
			alt->total_change = -(delta - moved * F->big);
			alt->matched_change = -(long)moved;
		} else {
			alt->total_change = -delta;
			alt->matched_change = -F->dist[k].drops;
		}
		F->want[k] = 0;
	}
}

/* The searches from the columns j = first, first + step, ... below m, each answering its
 * queries into out. Returns -1 when out of memory. */
static int run_searches(fastalt *F, size_t first, size_t step, pl_mentors_alt *out)
{
	for (size_t j = first; j < F->m; j += step) {
		long nwant = 0, ntouched = 0;
		if (F->qhead[j] < 0)
			continue;
		F->nwl = 0;
		for (long q = F->qhead[j]; q >= 0; q = F->qnext[q]) {
			long k = F->mentor_of[(size_t)q / F->top];
			if (F->want[k]++ == 0) {
				nwant++;
				F->wlist[F->nwl++] = k;
			}
		}
		if (search_from(F, j, nwant, &ntouched) != 0)
			return -1;
		answer_queries(F, j, out);
		for (long t = 0; t < ntouched; t++)
			F->done[F->touched[t]] = 0;
	}
	return 0;
}

/*
 * The searches on several threads. Each search reads the graph (arcs, queries, duals) and writes
 * only its own labels and the answers of its own queries, so threads that take every T-th
 * column, each with labels of its own, give the answers one thread gives, whatever T is. The
 * arcs, which a single thread sorts lazily, are all sorted first (most are: each search settles
 * most nodes).
 */
typedef struct search_part {
	fastalt F; /* a copy sharing the graph, with labels of its own */
	size_t first, step;
	pl_mentors_alt *out;
	int rc;
} search_part;

static int part_alloc(search_part *P, const fastalt *F, size_t first, size_t step,
		      pl_mentors_alt *out)
{
	size_t m = F->m;

	P->F = *F;
	P->first = first;
	P->step = step;
	P->out = out;
	P->rc = 0;
	memset(&P->F.H, 0, sizeof(P->F.H));
	P->F.H.lex = F->H.lex;
	P->F.want = calloc(m + 1, sizeof(long));
	P->F.touched = malloc((m + 1) * sizeof(long));
	P->F.dist = malloc((m + 1) * sizeof(dkey));
	P->F.done = calloc(m + 1, 1);
	P->F.wlist = malloc((m + 1) * sizeof(long));
	P->F.zstack = malloc((m + 1) * sizeof(long));
	return P->F.want && P->F.touched && P->F.dist && P->F.done && P->F.wlist && P->F.zstack ? 0 : -1;
}

static void part_release(search_part *P)
{
	free(P->F.want);
	free(P->F.touched);
	free(P->F.dist);
	free(P->F.done);
	free(P->F.wlist);
	free(P->F.zstack);
	free(P->F.H.e);
}

static void *part_run(void *arg)
{
	search_part *P = arg;
	P->rc = run_searches(&P->F, P->first, P->step, P->out);
	return NULL;
}

/* Fewer columns with queries than this per thread: one thread (starting one costs more). */
#define SEARCHES_PER_THREAD 32

static int run_searches_threads(fastalt *F, int threads, pl_mentors_alt *out)
{
	search_part parts[PL_MENTORS_THREADS_MAX];
	pthread_t tid[PL_MENTORS_THREADS_MAX];
	int started[PL_MENTORS_THREADS_MAX] = { 0 }, rc = 0, nt;
	size_t searches = 0;

	for (size_t j = 0; j < F->m; j++)
		searches += F->qhead[j] >= 0;
	nt = threads > PL_MENTORS_THREADS_MAX ? PL_MENTORS_THREADS_MAX : threads;
	if ((size_t)nt > searches / SEARCHES_PER_THREAD)
		nt = (int)(searches / SEARCHES_PER_THREAD);
	if (nt <= 1)
		return run_searches(F, 0, 1, out);
	for (size_t a = 0; a <= F->m; a++)
		if (!F->sorted[a])
			sort_node(F, (long)a);
	for (int t = 0; t < nt; t++)
		if (part_alloc(&parts[t], F, (size_t)t, (size_t)nt, out) != 0)
			rc = -1;
	for (int t = 1; t < nt && rc == 0; t++)
		started[t] = pthread_create(&tid[t], NULL, part_run, &parts[t]) == 0;
	if (rc == 0) {
		part_run(&parts[0]);
		for (int t = 1; t < nt; t++) {
			if (started[t])
				pthread_join(tid[t], NULL);
			else
				part_run(&parts[t]); /* no thread to be had: the same work here */
			rc |= parts[t].rc;
		}
		rc |= parts[0].rc;
	}
	for (int t = 0; t < nt; t++)
		part_release(&parts[t]);
	return rc;
}

static pl_status fast_alternatives(const pl_mentors_problem *pb, const elist *E, const long *mentor_of,
				   const double *u, const double *v, const long *capfree, size_t mc,
				   double big, size_t top, pl_mentors_alt *out, const size_t *count,
				   int threads, pl_error *err)
{
	fastalt F;
	pl_status st = PL_OK;

	memset(&F, 0, sizeof(F));
	F.pb = pb;
	F.E = E;
	F.mentor_of = mentor_of;
	F.capfree = capfree;
	F.u = u;
	F.v = v;
	F.n = pb->nmentees;
	F.m = mc;
	F.top = top;
	F.big = big;
	F.H.lex = big == 0; /* with the column of the unmatched no key has drops (column_arcs) */
	if (fastalt_alloc(&F) != 0 || build_graph(&F, out, count) != 0 ||
	    run_searches_threads(&F, threads, out) != 0)
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
	fastalt_release(&F);
	return st;
}
/*
 * TOTAL alternatives when some mentee with eligible mentors is left unmatched (more mentees than
 * seats): the assignment duals then certify nothing about the unmatched, so the problem is solved
 * once more with an explicit column for "unmatched" (capacity: everyone, cost big, larger than
 * any difference in total between two assignments, so that the most mentees are still matched
 * first). In that problem every mentee is assigned and the duals certify the whole residual
 * graph, the column of the unmatched included; the Dijkstra above then applies unchanged, and
 * the number of mentees a cycle moves into or out of that column is read off the multiple of
 * big in its cost. The answer's value equals res's (same optimum), so changes are exact.
 */
/*
 * The certificate of the augmented problem below without solving it again. When the rows
 * outnumber the seats, the assignment solver returns the transposed problem's certificate
 * (assign.h): mentee duals u <= 0, and 0 on the unmatched. Shifting by big, u + big and v - big
 * with the column of the unmatched at 0 satisfy every condition of the augmented problem except
 * one: a mentor with a free seat needs v - big == 0. So this works when every mentor's seats are
 * taken (the usual case when mentees outnumber seats); it is checked in full here, pair by pair,
 * and the caller re-solves when it does not hold. Fills mof (unmatched: column m), u and v.
 */
static int shifted_certificate(const pl_mentors_problem *pb, const elist *E,
			       const pl_mentors_result *res, const long *capfree, double big, long *mof,
			       double *u, double *v)
{
	size_t n = pb->nmentees, m = pb->nmentors;
	double tol = 1e-9 * (1.0 + big);
	long *load;
	int ok = 1;

	if (!res->dual_mentee || !res->dual_mentor)
		return 0;
	load = calloc(m + 1, sizeof(long));
	if (!load)
		return 0;
	for (size_t j = 0; j < m; j++)
		v[j] = capfree[j] >= 1 ? res->dual_mentor[j] - big : 0.0;
	v[m] = 0.0;
	for (size_t i = 0; i < n && ok; i++) {
		if (is_pinned(pb, i)) {
			mof[i] = pb->pinned[i];
			continue;
		}
		mof[i] = res->mentor_of[i] >= 0 ? res->mentor_of[i] : (long)m;
		u[i] = res->dual_mentee[i] + big;
		if (!isfinite(u[i]) || (mof[i] < (long)m && capfree[mof[i]] < 1)) {
			ok = 0;
			break;
		}
		load[mof[i]]++;
		/* i's eligible mentors with a seat, then the column of the unmatched (e == end) */
		for (size_t e = E->start[i], end = E->start[i + 1]; e <= end && ok; e++) {
			long j = e < end ? E->col[e] : (long)m;
			double rc;
			if (e < end && capfree[j] < 1)
				continue;
			rc = (e < end ? -E->w[e] : big) - u[i] - v[j];
			if (rc < -tol || (j == mof[i] && fabs(rc) > tol))
				ok = 0;
		}
	}
	for (size_t j = 0; j < m && ok; j++)
		if (capfree[j] >= 1 && (!isfinite(v[j]) || v[j] > tol ||
					(load[j] < capfree[j] && fabs(v[j]) > tol)))
			ok = 0;
	free(load);
	return ok;
}

static pl_status augmented_alternatives(const pl_mentors_problem *pb, const elist *E,
					const pl_mentors_result *res, const long *capfree, size_t top,
					pl_mentors_alt *out, const size_t *count, int threads,
					pl_error *err)
{
	size_t n = pb->nmentees, m = pb->nmentors, mc = m + 1;
	size_t *rows = malloc((n ? n : 1) * sizeof(size_t)), *cols = malloc(mc * sizeof(size_t)), nr = 0, nc = 0;
	long *capc = malloc(mc * sizeof(long)), *mof = malloc((n ? n : 1) * sizeof(long));
	long *cap2 = malloc(mc * sizeof(long));
	double *u = malloc((n ? n : 1) * sizeof(double)), *v = malloc(mc * sizeof(double)), *cost = NULL;
	double lo = INFINITY, hi = -INFINITY, big;
	pl_assign_result ar = PL_ASSIGN_RESULT_INIT;
	pl_status st = PL_OK;

	if (!rows || !cols || !capc || !mof || !cap2 || !u || !v)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		mof[i] = is_pinned(pb, i) ? pb->pinned[i] : -1;
		u[i] = NAN;
		if (!is_pinned(pb, i))
			rows[nr++] = i;
	}
	for (size_t j = 0; j < m; j++) {
		v[j] = 0.0;
		if (capfree[j] >= 1) {
			capc[nc] = capfree[j];
			cols[nc++] = j;
		}
	}
	for (size_t a = 0; a < nr; a++)
		for (size_t e = E->start[rows[a]]; e < E->start[rows[a] + 1]; e++)
			if (capfree[E->col[e]] >= 1) {
				double w = E->w[e];
				lo = w < lo ? w : lo;
				hi = w > hi ? w : hi;
			}
	if (!(lo <= hi))
		lo = hi = 0.0;
	big = 2.0 * ((double)nr + 2.0) * (hi - lo + fabs(hi) + fabs(lo) + 1.0);
	capc[nc] = (long)(nr ? nr : 1);
	cols[nc++] = m;
	memcpy(cap2, capfree, m * sizeof(long));
	cap2[m] = (long)(nr ? nr : 1);
	if (shifted_certificate(pb, E, res, capfree, big, mof, u, v)) {
		/* no second solve: the first one's duals, shifted, certify the augmented problem */
		st = fast_alternatives(pb, E, mof, u, v, cap2, mc, big, top, out, count, threads, err);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		mof[i] = is_pinned(pb, i) ? pb->pinned[i] : -1;
	cost = malloc((nr * nc != 0 ? nr * nc : 1) * sizeof(double));
	if (!cost)
		goto nomem;
	for (size_t a = 0; a < nr; a++)
		for (size_t b = 0; b < nc; b++) {
			size_t i = rows[a], j = cols[b];
			cost[a * nc + b] = j == m ? big : eligible(pb, i, j) ? -adjusted(pb, i, j) : INFINITY;
		}
	st = pl_assign_solve(cost, nr, nc, capc, &ar, err);
	if (st != PL_OK)
		goto out;
	for (size_t a = 0; a < nr; a++) {
		if (ar.row_to_col[a] < 0) { /* cannot happen: the last column takes everyone */
			st = pl_error_set(err, PL_ERR_INTERNAL, "", "mentor alternatives: a mentee was left out");
			goto out;
		}
		mof[rows[a]] = (long)cols[ar.row_to_col[a]];
		u[rows[a]] = ar.u[a];
	}
	for (size_t b = 0; b < nc; b++)
		v[cols[b]] = ar.v[b];
	memcpy(cap2, capfree, m * sizeof(long));
	cap2[m] = (long)(nr ? nr : 1);
	{
		/* check the certificate before relying on it; otherwise re-solve one by one */
		double tol = 1e-9 * (1.0 + big);
		long *load = calloc(mc, sizeof(long));
		int ok = load != NULL;
		for (size_t a = 0; a < nr && ok; a++) {
			size_t i = rows[a];
			load[mof[i]]++;
			for (size_t b = 0; b < nc && ok; b++) {
				double c = cost[a * nc + b], rc;
				if (!(c < INFINITY))
					continue;
				rc = c - u[i] - v[cols[b]];
				if (rc < -tol || ((long)cols[b] == mof[i] && fabs(rc) > tol))
					ok = 0;
			}
		}
		for (size_t b = 0; b < nc && ok; b++)
			if (v[cols[b]] > tol || (load[cols[b]] < cap2[cols[b]] && fabs(v[cols[b]]) > tol))
				ok = 0;
		free(load);
		if (!ok) {
			st = PL_ERR_INTERNAL; /* signal: use the slow path */
			goto out;
		}
	}
	/* The answer here may differ from res in ties only; its value is the same optimum. */
	st = fast_alternatives(pb, E, mof, u, v, cap2, mc, big, top, out, count, threads, err);
	goto out;
nomem:
	st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
out:
	pl_assign_result_release(&ar);
	free(rows);
	free(cols);
	free(capc);
	free(mof);
	free(cap2);
	free(u);
	free(v);
	free(cost);
	return st;
}

/* STABLE alternatives: deferred acceptance re-run with the extra pin, preference lists shared. */
static pl_status stable_alternatives(const pl_mentors_problem *pb, const pl_mentors_result *res,
				     size_t top, pl_mentors_alt *out, const size_t *count, pl_error *err)
{
	size_t n = pb->nmentees, m = pb->nmentors, *pref = NULL, *plen = NULL;
	long *seats = malloc((m ? m : 1) * sizeof(long)), *mof = malloc((n ? n : 1) * sizeof(long));
	long *row_of = malloc((n ? n : 1) * sizeof(long));
	double *wm = NULL;
	work W;
	pl_status st;

	st = work_init(&W, pb, err);
	if (st == PL_OK && (!seats || !mof || !row_of))
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
	if (st == PL_OK)
		st = stable_prefs(&W, &pref, &plen, err);
	if (st == PL_OK && !(wm = stable_wmatrix(&W)))
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
	if (st != PL_OK)
		goto out;
	for (size_t a = 0; a < W.nr; a++)
		row_of[W.rows[a]] = (long)a;
	for (size_t i = 0; i < n && st == PL_OK; i++)
		for (size_t k = 0; k < count[i] && st == PL_OK; k++) {
			pl_mentors_alt *alt = &out[i * top + k];
			double value = 0;
			size_t matched = 0;
			memcpy(seats, W.capfree, m * sizeof(long));
			seats[alt->mentor]--;
			st = stable_run(&W, pref, plen, wm, seats, row_of[i], mof, err);
			for (size_t r = 0; r < n; r++) {
				long j = is_pinned(pb, r) ? pb->pinned[r] : (r == i ? alt->mentor : mof[r]);
				if (j >= 0) {
					value += adjusted(pb, r, (size_t)j);
					matched++;
				}
			}
			alt->total_change = value - res->objective_value;
			alt->matched_change = (long)matched - (long)res->matched;
		}
out:
	work_release(&W);
	free(wm);
	free(pref);
	free(plen);
	free(seats);
	free(mof);
	free(row_of);
	return st;
}

static pl_status alternatives_core(const pl_mentors_problem *pb, const pl_mentors_result *res,
				   size_t top, pl_mentors_alt *out, size_t *count, int threads,
				   pl_error *err)
{
	size_t n = pb->nmentees, m = pb->nmentors;
	long *capfree = NULL, *pins = NULL, *held = NULL;
	pl_mentors_problem q = *pb;
	elist own = { NULL, NULL, NULL };
	const elist *E = pairs_of(res->pairs, pb) ? &res->pairs->E : &own;
	pl_status st = PL_OK;

	memset(count, 0, (n ? n : 1) * sizeof(size_t));
	if (top == 0 || n == 0)
		return PL_OK;
	capfree = malloc((m ? m : 1) * sizeof(long));
	held = malloc((m ? m : 1) * sizeof(long));
	pins = malloc(n * sizeof(long));
	if (!capfree || !held || !pins || (E == &own && elist_build(pb, &own) != 0)) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory in mentor matching");
		goto out;
	}
	st = seats_after_pins(pb, capfree, err);
	if (st != PL_OK)
		goto out;
	for (size_t i = 0; i < n; i++)
		pins[i] = is_pinned(pb, i) ? pb->pinned[i] : -1;
	q.pinned = pins;
	for (size_t i = 0; i < n; i++) {
		pl_mentors_alt *o = out + i * top;
		size_t c = 0;
		if (is_pinned(pb, i))
			continue;
		/* best `top` by score (ties by rank), insertion into a short sorted list */
		for (size_t e = E->start[i]; e < E->start[i + 1]; e++) {
			size_t j = (size_t)E->col[e], k;
			double s = pb->score[i * m + j];
			if ((long)j == res->mentor_of[i] || capfree[j] < 1)
				continue;
			for (k = c; k > 0; k--) {
				double t = o[k - 1].score;
				if (!(s > t || (s == t && rank_of(pb->mentor_rank, j) <
							  rank_of(pb->mentor_rank, (size_t)o[k - 1].mentor))))
					break;
				if (k < top)
					o[k] = o[k - 1];
			}
			if (k < top) {
				o[k].mentor = (long)j;
				o[k].score = s;
				if (c < top)
					c++;
			}
		}
		count[i] = c;
	}
	if (pb->objective == PL_MENTORS_TOTAL && res->dual_mentee && res->dual_mentor &&
	    duals_ok(pb, E, res, capfree, held)) {
		st = fast_alternatives(pb, E, res->mentor_of, res->dual_mentee, res->dual_mentor,
				       capfree, m, 0.0, top, out, count, threads, err);
		goto out;
	}
	if (pb->objective == PL_MENTORS_TOTAL) {
		pl_error scratch = PL_ERROR_INIT;
		st = augmented_alternatives(pb, E, res, capfree, top, out, count, threads, &scratch);
		if (st != PL_ERR_INTERNAL) {
			if (st != PL_OK && err)
				*err = scratch;
			goto out;
		}
		st = PL_OK; /* the certificate did not check out: re-solve below */
	}
	if (pb->objective == PL_MENTORS_STABLE) {
		st = stable_alternatives(pb, res, top, out, count, err);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		pl_mentors_alt *o = out + i * top;
		for (size_t k = 0; k < count[i]; k++) {
			pl_mentors_result r2;
			pins[i] = o[k].mentor;
			st = pl_mentors_solve(&q, &r2, err);
			pins[i] = -1;
			if (st != PL_OK)
				goto out;
			o[k].total_change = r2.objective_value - res->objective_value;
			o[k].matched_change = (long)r2.matched - (long)res->matched;
			pl_mentors_result_release(&r2);
		}
	}
out:
	elist_release(&own);
	free(capfree);
	free(held);
	free(pins);
	return st;
}

pl_status pl_mentors_alternatives(const pl_mentors_problem *pb, const pl_mentors_result *res,
				  size_t top, pl_mentors_alt *out, size_t *count, pl_error *err)
{
	return pl_mentors_alternatives_threads(pb, res, top, out, count, 1, err);
}

pl_status pl_mentors_alternatives_threads(const pl_mentors_problem *pb, const pl_mentors_result *res,
					  size_t top, pl_mentors_alt *out, size_t *count, int threads,
					  pl_error *err)
{
	pl_mentors_problem q;
	pl_mentors_result rq;
	pl_status st;
	int any_free = 0;

	if (pb->objective != PL_MENTORS_MAXIMIN)
		return alternatives_core(pb, res, top, out, count, threads, err);
	/* MAXIMIN: keep the floor, so the question becomes a TOTAL one on the pairs at or above it
	 * (whose optimum is the maximin answer's value), answered from its duals. */
	for (size_t i = 0; i < pb->nmentees; i++)
		if (!is_pinned(pb, i) && res->mentor_of[i] >= 0)
			any_free = 1;
	q = *pb;
	q.objective = PL_MENTORS_TOTAL;
	q.w_floor = any_free ? res->threshold : -INFINITY;
	st = pl_mentors_solve(&q, &rq, err);
	if (st != PL_OK)
		return st;
	st = alternatives_core(&q, &rq, top, out, count, threads, err);
	if (st == PL_OK)
		for (size_t i = 0; i < pb->nmentees; i++)
			for (size_t k = 0; k < count[i]; k++) {
				out[i * top + k].total_change += rq.objective_value - res->objective_value;
				out[i * top + k].matched_change += (long)rq.matched - (long)res->matched;
			}
	pl_mentors_result_release(&rq);
	return st;
}
