/*
 * buddies.c: accountability partners: a maximum-cardinality maximum-weight matching of clients
 * among themselves (pl_blossom_solve), with pins, stickiness, a minimum score, the odd one out
 * joining a pair as a triad, and exact "what if" alternatives. See buddies.h for the contract.
 *
 * Triad. With F the clients left after pins and |F| odd, the optimum with one triad T is
 *     max over triangles T of F (all three pairs allowed) of  w(T) + W*(F \ T),
 * W*(X) the weight of a maximum-weight perfect matching of X (a triad only helps if the rest can
 * all be paired, which keeps "most clients matched" first). Exact by branch and bound (a classic
 * use of LP duality, e.g. Schrijver 2003, "Combinatorial Optimization", thm 25.1 for the matching
 * polytope's dual): the duals of the maximum matching of F bound W*(F \ T) for every T at once
 * (triad_bounds), and triangles are solved (one blossom solve each) in decreasing order of bound
 * until the bound drops below the best value found. Up to PL_BUDDIES_TRIAD_EXACT_CLIENTS clients
 * (the bounds cost O(|F|^3) comparisons), and within a budget of 2|F| + 32 solves: when the
 * bounds are too weak to settle it by then (many triangles whose rest cannot be paired, or
 * near-ties), it gives up and the exchange heuristic below decides (triad_exact = 0). Beyond, we start from a maximum matching M of F
 * (leaving c0) and try (1) c0 joining each pair of M, and (2) every "rotation" where c0 takes the
 * place of x in a pair (x, y) of M and x joins a pair: O(|F|^2) evaluations that contain the triad
 * of every matching one exchange away from M.
 *
 * Alternatives: for client i and a feasible partner j, total_change is the optimum with (i, j)
 * pinned minus the optimum: exact, by re-solving (the same procedure, so exact whenever the triad
 * is); matched_change is the change in clients matched.
 */
#include <peerlink/buddies.h>
#include <peerlink/blossom.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct bctx {
	const pl_buddies_problem *p;
	size_t n;
	unsigned char *cur;  /* n x n: current pairs */
	unsigned char *pin;  /* n: pinned */
	long *pin_mate;      /* n */
	/* work */
	long *eu, *ev;
	double *ew;
	size_t ecap;
	size_t solves;
	int exact;
} bctx;

/* One solution. */
typedef struct bsol {
	long *partner;  /* n */
	long triad[3];
	int triad_exact;
	size_t matched, pairs;
	double objective, total;
} bsol;

static int allowed(const bctx *B, size_t i, size_t j)
{
	double s = B->p->score[i * B->n + j];
	return i != j && !isnan(s) && s >= B->p->min_score;
}

static double wgt(const bctx *B, size_t i, size_t j)
{
	return B->p->score[i * B->n + j] + (B->cur[i * B->n + j] ? B->p->stickiness : 0.0);
}

/* Maximum-cardinality maximum-weight matching of the clients set[0..k); partner[] (client
 * indices) is written for them only. */
static pl_status match_set(bctx *B, const size_t *set, size_t k, long *partner, size_t *pairs,
			   double *weight, pl_error *err)
{
	pl_blossom_options opt = PL_BLOSSOM_OPTIONS_INIT;
	pl_blossom_result r = PL_BLOSSOM_RESULT_INIT;
	size_t m = 0;
	pl_status st;

	opt.max_cardinality = 1;
	for (size_t a = 0; a < k; a++)
		for (size_t b = a + 1; b < k; b++)
			if (allowed(B, set[a], set[b])) {
				B->eu[m] = (long)a;
				B->ev[m] = (long)b;
				B->ew[m] = wgt(B, set[a], set[b]);
				m++;
			}
	st = pl_blossom_solve(k, m, B->eu, B->ev, B->ew, &opt, &r, err);
	B->solves++;
	if (st != PL_OK)
		return st;
	if (!r.exact)
		B->exact = 0;
	*pairs = r.pairs;
	*weight = 0.0;
	for (size_t a = 0; a < k; a++) {
		partner[set[a]] = r.mate[a] >= 0 ? (long)set[r.mate[a]] : -1;
		if (r.mate[a] > (long)a)
			*weight += wgt(B, set[a], set[r.mate[a]]);
	}
	pl_blossom_result_release(&r);
	return PL_OK;
}

static double triad_weight(const bctx *B, size_t a, size_t b, size_t c)
{
	return wgt(B, a, b) + wgt(B, a, c) + wgt(B, b, c);
}

/* Order a triad so that the pair (t[0], t[1]) is the one the third member joined: the member
 * whose two scores sum lowest is the one who joined. */
static void order_triad(const bctx *B, long t[3])
{
	size_t n = B->n;
	const double *S = B->p->score;
	int worst = 0;
	double ws = DBL_MAX;
	for (int k = 0; k < 3; k++) {
		long x = t[k], y = t[(k + 1) % 3], z = t[(k + 2) % 3];
		double s = S[(size_t)x * n + (size_t)y] + S[(size_t)x * n + (size_t)z];
		if (s < ws || (s == ws && x > t[worst])) {
			ws = s;
			worst = k;
		}
	}
	{
		long c = t[worst], a = t[(worst + 1) % 3], b = t[(worst + 2) % 3];
		t[0] = a < b ? a : b;
		t[1] = a < b ? b : a;
		t[2] = c;
	}
}

/* Scratch of one solve: F the clients left after pins (k of them), R and tmp for re-pairings. */
typedef struct bwork {
	size_t *F, *R, k;
	long *tmp;
	int gave_up; /* the branch and bound ran out of its budget of solves */
} bwork;

/* Start s from the pins and the extra pair (x, y) (x < 0: none); W->F = everyone else. */
static void start_from_pins(const bctx *B, long x, long y, bsol *s, bwork *W)
{
	const pl_buddies_problem *p = B->p;
	size_t n = B->n;

	W->k = 0;
	s->triad[0] = s->triad[1] = s->triad[2] = -1;
	s->triad_exact = 0;
	s->objective = s->total = 0.0;
	s->matched = s->pairs = 0;
	for (size_t i = 0; i < n; i++)
		s->partner[i] = -1;
	for (size_t i = 0; i < n; i++) {
		if (B->pin[i]) {
			s->partner[i] = B->pin_mate[i];
			if ((long)i < B->pin_mate[i]) {
				s->objective += wgt(B, i, (size_t)B->pin_mate[i]);
				s->total += p->score[i * n + (size_t)B->pin_mate[i]];
				s->pairs++;
				s->matched += 2;
			}
		} else if ((long)i != x && (long)i != y) {
			W->F[W->k++] = i;
		}
	}
	if (x >= 0) {
		s->partner[x] = y;
		s->partner[y] = x;
		s->objective += wgt(B, (size_t)x, (size_t)y);
		s->total += p->score[(size_t)x * n + (size_t)y];
		s->pairs++;
		s->matched += 2;
	}
}

/* Whether F has a triangle whose three pairs are allowed (1 as soon as one is found). */
static size_t count_triads(const bctx *B, const bwork *W)
{
	const size_t *F = W->F, k = W->k;
	size_t tri = 0;

	for (size_t a = 0; a < k && tri == 0; a++)
		for (size_t b = a + 1; b < k; b++)
			if (allowed(B, F[a], F[b]))
				for (size_t c = b + 1; c < k; c++)
					if (allowed(B, F[a], F[c]) && allowed(B, F[b], F[c]))
						tri++;
	return tri;
}

/* Pair everyone of F but the triad t optimally, into partner. */
static pl_status pair_rest(bctx *B, bwork *W, const long t[3], long *partner, size_t *r,
			   size_t *rp, double *rw, pl_error *err)
{
	*r = 0;
	for (size_t q = 0; q < W->k; q++)
		if ((long)W->F[q] != t[0] && (long)W->F[q] != t[1] && (long)W->F[q] != t[2])
			W->R[(*r)++] = W->F[q];
	return match_set(B, W->R, *r, partner, rp, rw, err);
}

/*
 * Upper bounds on the triads from one blossom solve (see the top of the file). For the
 * maximum-cardinality matching of F the solver returns integer duals: vertex duals y and blossom
 * duals z >= 0 on a laminar family, with y_u + y_v + sum_{B holding u, v} z_B >= F round(S w_uv)
 * on every allowed pair. Summing over the pairs of any perfect matching M of X:
 *     w(M) <= ( sum_{v in X} y_v + sum_B z_B floor(|B n X| / 2) ) / (F S)  (+ rounding slack),
 * and with X = F \ T for a triangle T, floor(|B \ T| / 2) is (|B| - 1) / 2, less one when B holds
 * two or three members of T. The blossoms holding two members of T are the ancestors of the lowest
 * of T's three pairwise common blossoms, so that correction is the largest of three precomputed
 * pair sums. Hence UB(T) = w(T) + Y - y_a - y_b - y_c + Z - max_pair_z(T) + slack, O(1) each.
 */
typedef struct tbound {
	double *y;     /* k: vertex duals in weight units */
	double *pz;    /* k x k: sum of z over the blossoms holding both */
	double base;   /* Y + Z + slack */
} tbound;

static void tbound_release(tbound *tb)
{
	free(tb->y);
	free(tb->pz);
}

static pl_status triad_bounds(bctx *B, bwork *W, tbound *tb, pl_error *err)
{
	pl_blossom_options opt = PL_BLOSSOM_OPTIONS_INIT;
	pl_blossom_result r = PL_BLOSSOM_RESULT_INIT;
	const size_t *F = W->F, k = W->k;
	size_t m = 0, nb;
	double unit, *z = NULL, *zup = NULL;
	long *size = NULL, *depth = NULL;
	pl_status st;

	opt.max_cardinality = 1;
	for (size_t a = 0; a < k; a++)
		for (size_t b = a + 1; b < k; b++)
			if (allowed(B, F[a], F[b])) {
				B->eu[m] = (long)a;
				B->ev[m] = (long)b;
				B->ew[m] = wgt(B, F[a], F[b]);
				m++;
			}
	st = pl_blossom_solve(k, m, B->eu, B->ev, B->ew, &opt, &r, err);
	B->solves++;
	if (st != PL_OK)
		return st;
	nb = r.nblossoms;
	unit = 1.0 / ((double)r.dual_factor * r.weight_scale);
	tb->y = malloc((k ? k : 1) * sizeof(double));
	tb->pz = malloc((k * k != 0 ? k * k : 1) * sizeof(double));
	z = calloc(k + nb + 1, sizeof(double));
	zup = calloc(k + nb + 1, sizeof(double));
	size = calloc(k + nb + 1, sizeof(long));
	depth = calloc(k + nb + 1, sizeof(long));
	if (!tb->y || !tb->pz || !z || !zup || !size || !depth) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	tb->base = 0.0;
	for (size_t a = 0; a < k; a++) {
		tb->y[a] = (double)r.vertex_dual[a] * unit;
		tb->base += tb->y[a];
		for (long x = r.node_parent[a]; x >= 0; x = r.node_parent[x])
			size[x]++;
	}
	for (size_t b = 0; b < nb; b++) {
		z[k + b] = (double)r.blossom_dual[b] * unit;
		tb->base += z[k + b] * (double)((size[k + b] - 1) / 2);
	}
	/* zup[x]: z summed over blossom x and every blossom holding it; depth for common ancestors.
	 * A blossom's parent has a larger index (it was formed later), so go from the top down. */
	for (size_t x = k + nb; x-- > k;) {
		long p = r.node_parent[x];
		zup[x] = z[x] + (p >= 0 ? zup[p] : 0.0);
		depth[x] = p >= 0 ? depth[p] + 1 : 1;
	}
	for (size_t a = 0; a < k; a++)
		for (size_t b = a; b < k; b++) {
			long x = r.node_parent[a], q = r.node_parent[b];
			while (x >= 0 && q >= 0 && x != q) {
				if (depth[x] >= depth[q])
					x = r.node_parent[x];
				else
					q = r.node_parent[q];
			}
			tb->pz[a * k + b] = tb->pz[b * k + a] = (x >= 0 && x == q) ? zup[x] : 0.0;
		}
	/* rounding: each of the at most k/2 pairs may weigh up to 1/(2S) more than its rounding */
	tb->base += (r.exact ? 0.0 : (double)(k / 2 + 1) / (2.0 * r.weight_scale)) + 1e-9;
out:
	free(z);
	free(zup);
	free(size);
	free(depth);
	pl_blossom_result_release(&r);
	return st;
}

static double triad_ub(const bctx *B, const bwork *W, const tbound *tb, size_t a, size_t b,
		       size_t c)
{
	const size_t *F = W->F, k = W->k;
	double pz = tb->pz[a * k + b];

	if (tb->pz[a * k + c] > pz)
		pz = tb->pz[a * k + c];
	if (tb->pz[b * k + c] > pz)
		pz = tb->pz[b * k + c];
	return triad_weight(B, F[a], F[b], F[c]) + tb->base - tb->y[a] - tb->y[b] - tb->y[c] - pz;
}

/* Solves the branch and bound may spend on one triad before it gives up (see exact_triad). */
#define TRIAD_BB_BUDGET(k) (2 * (k) + 32)

typedef struct tcand {
	double ub;
	size_t a, b, c;
} tcand;

static int cmp_tcand(const void *x, const void *y)
{
	const tcand *p = x, *q = y;
	if (p->ub != q->ub)
		return p->ub > q->ub ? -1 : 1;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return (p->c > q->c) - (p->c < q->c);
}

static int cmp_abc(const void *x, const void *y)
{
	const tcand *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return (p->c > q->c) - (p->c < q->c);
}

/* Triangles (indices into F) with UB >= lb, into a growing array. */
static pl_status collect_triads(const bctx *B, const bwork *W, const tbound *tb, double lb,
				tcand **out, size_t *nout, double *maxub, pl_error *err)
{
	const size_t *F = W->F, k = W->k;
	size_t cap = 0;

	*nout = 0;
	*maxub = -DBL_MAX;
	for (size_t a = 0; a < k; a++)
		for (size_t b = a + 1; b < k; b++) {
			if (!allowed(B, F[a], F[b]))
				continue;
			for (size_t c = b + 1; c < k; c++) {
				double ub;
				if (!allowed(B, F[a], F[c]) || !allowed(B, F[b], F[c]))
					continue;
				ub = triad_ub(B, W, tb, a, b, c);
				if (ub > *maxub)
					*maxub = ub;
				if (ub < lb)
					continue;
				if (*nout == cap) {
					size_t nc = cap ? 2 * cap : 64;
					tcand *t = realloc(*out, nc * sizeof(*t));
					if (!t)
						return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
					*out = t;
					cap = nc;
				}
				(*out)[(*nout)++] = (tcand){ ub, a, b, c };
			}
		}
	return PL_OK;
}

/*
 * Exact: the best triangle with the rest paired perfectly, by branch and bound. One blossom solve
 * gives an upper bound for every triangle; the triangles are evaluated (one solve each: the rest
 * paired optimally) in decreasing order of bound until the bound falls below the best value
 * found. Ties go as in the exhaustive search this replaces: among triangles within 1e-12 of the
 * best, the first in (a, b, c) order.
 */
static pl_status exact_triad(bctx *B, bwork *W, bsol *s, size_t *pairs, pl_error *err)
{
	const size_t *F = W->F;
	tbound tb = { NULL, NULL, 0.0 };
	tcand *cand = NULL;
	size_t ncand = 0, r, rp, nval = 0, evals = 0;
	double best = -DBL_MAX, maxub, rw;
	long bt[3] = { -1, -1, -1 };
	tcand *val = NULL; /* evaluated triangles with their values (ub holds the value) */
	pl_status st;

	st = triad_bounds(B, W, &tb, err);
	if (st == PL_OK)
		st = collect_triads(B, W, &tb, DBL_MAX, &cand, &ncand, &maxub, err);
	if (st != PL_OK || maxub == -DBL_MAX)
		goto out;
	/* every triangle whose bound reaches the best value (less 1e-12, for the tie-break) must be
	 * looked at: start from those near the largest bound, widen while the best found is lower */
	for (double lb = maxub - 1e-9;;) {
		st = collect_triads(B, W, &tb, lb, &cand, &ncand, &maxub, err);
		if (st != PL_OK)
			goto out;
		qsort(cand, ncand, sizeof(*cand), cmp_tcand);
		free(val);
		val = malloc((ncand ? ncand : 1) * sizeof(*val));
		if (!val) {
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
			goto out;
		}
		nval = 0;
		best = -DBL_MAX;
		for (size_t q = 0; q < ncand; q++) {
			long t[3] = { (long)F[cand[q].a], (long)F[cand[q].b], (long)F[cand[q].c] };
			double v;
			if (cand[q].ub < best - 1e-12)
				break;
			if (++evals > TRIAD_BB_BUDGET(W->k)) {
				W->gave_up = 1; /* weak bounds: the caller falls back to the exchanges */
				goto out;
			}
			st = pair_rest(B, W, t, W->tmp, &r, &rp, &rw, err);
			if (st != PL_OK)
				goto out;
			if (2 * rp != r)
				continue; /* the rest cannot all be paired */
			v = triad_weight(B, (size_t)t[0], (size_t)t[1], (size_t)t[2]) + rw;
			val[nval++] = (tcand){ v, cand[q].a, cand[q].b, cand[q].c };
			if (v > best)
				best = v;
		}
		if (lb == -DBL_MAX || (nval > 0 && lb <= best - 1e-12))
			break;
		lb = nval > 0 ? best - 1e-12 : -DBL_MAX;
	}
	if (nval == 0)
		goto out;
	{
		/* the exhaustive search's tie-break: in (a, b, c) order, keep strict improvements */
		double run = -DBL_MAX;
		size_t pick = 0;
		qsort(val, nval, sizeof(*val), cmp_abc);
		for (size_t q = 0; q < nval; q++)
			if (val[q].ub > run + 1e-12) {
				run = val[q].ub;
				pick = q;
			}
		bt[0] = (long)F[val[pick].a];
		bt[1] = (long)F[val[pick].b];
		bt[2] = (long)F[val[pick].c];
	}
	st = pair_rest(B, W, bt, s->partner, &r, &rp, &rw, err);
	if (st != PL_OK)
		goto out;
	memcpy(s->triad, bt, sizeof(bt));
	s->triad_exact = 1;
	*pairs = rp + 1; /* with the pair the third member joins */
out:
	free(cand);
	free(val);
	tbound_release(&tb);
	return st;
}

/* The best exchange from the current pairing: the triad (x, y) + c and, for a rotation, the
 * pair (rot_x, rot_y) that c0 broke up (rot_x = -1: c0 joined a pair). */
typedef struct exchange {
	long c0, x, y, c, rot_x, rot_y;
	double value;
} exchange;

static void best_exchange(const bctx *B, const bwork *W, const bsol *s, exchange *e)
{
	const size_t *F = W->F, k = W->k;
	double cw = 0.0, v;

	e->c0 = e->x = e->y = e->c = e->rot_x = e->rot_y = -1;
	e->value = -DBL_MAX;
	for (size_t q = 0; q < k; q++) {
		if (s->partner[F[q]] < 0)
			e->c0 = (long)F[q];
		else if (s->partner[F[q]] > (long)F[q])
			cw += wgt(B, F[q], (size_t)s->partner[F[q]]);
	}
	/* (1) c0 joins a pair */
	for (size_t q = 0; q < k; q++) {
		size_t a2 = F[q];
		long b2 = s->partner[a2];
		if (b2 < (long)a2 || !allowed(B, (size_t)e->c0, a2) ||
		    !allowed(B, (size_t)e->c0, (size_t)b2))
			continue;
		v = cw + wgt(B, (size_t)e->c0, a2) + wgt(B, (size_t)e->c0, (size_t)b2);
		if (v > e->value + 1e-12) {
			e->value = v;
			e->x = (long)a2;
			e->y = b2;
			e->c = e->c0;
			e->rot_x = e->rot_y = -1;
		}
	}
	/* (2) c0 replaces x in (x, y); x joins another pair (a, b) */
	for (size_t q = 0; q < k; q++) {
		size_t xx = F[q];
		long yy = s->partner[xx];
		double w1;
		if (yy < 0 || !allowed(B, (size_t)e->c0, (size_t)yy))
			continue;
		w1 = cw - wgt(B, xx, (size_t)yy) + wgt(B, (size_t)e->c0, (size_t)yy);
		for (size_t t2 = 0; t2 < k; t2++) {
			size_t a2 = F[t2];
			long b2 = s->partner[a2];
			if ((long)a2 == (long)xx || a2 == (size_t)yy || (long)a2 == e->c0)
				continue;
			if (b2 < (long)a2 || b2 == (long)xx || b2 == yy)
				continue;
			if (!allowed(B, xx, a2) || !allowed(B, xx, (size_t)b2))
				continue;
			v = w1 + wgt(B, xx, a2) + wgt(B, xx, (size_t)b2);
			if (v > e->value + 1e-12) {
				e->value = v;
				e->x = (long)a2;
				e->y = b2;
				e->c = (long)xx;
				e->rot_x = (long)xx;
				e->rot_y = yy;
			}
		}
	}
}

/*
 * Exchange heuristic from the maximum matching, repeated: choose the triad among the exchanges
 * of the current pairing, re-pair everyone else optimally, and start again from there while the
 * total improves.
 */
static pl_status exchange_triad(bctx *B, bwork *W, bsol *s, pl_error *err)
{
	double best_total = -DBL_MAX;
	long bt[3] = { -1, -1, -1 };

	for (int round = 0; round < 8; round++) {
		exchange e;
		size_t r, rp;
		double rw, v;
		long t[3];
		pl_status st;
		best_exchange(B, W, s, &e);
		if (e.c < 0)
			break;
		t[0] = e.x;
		t[1] = e.y;
		t[2] = e.c;
		st = pair_rest(B, W, t, W->tmp, &r, &rp, &rw, err);
		if (st != PL_OK)
			return st;
		v = triad_weight(B, (size_t)e.x, (size_t)e.y, (size_t)e.c) + rw;
		if (2 * rp != r || v <= best_total + 1e-12) {
			if (bt[0] < 0) { /* first round: the exchange itself */
				if (e.rot_x >= 0) {
					s->partner[e.c0] = e.rot_y;
					s->partner[e.rot_y] = e.c0;
					s->partner[e.rot_x] = -1;
				}
				memcpy(bt, t, sizeof(bt));
			}
			break;
		}
		best_total = v;
		for (size_t q = 0; q < r; q++)
			s->partner[W->R[q]] = W->tmp[W->R[q]];
		s->partner[e.x] = e.y;
		s->partner[e.y] = e.x;
		s->partner[e.c] = -1;
		memcpy(bt, t, sizeof(bt));
	}
	if (bt[0] >= 0)
		memcpy(s->triad, bt, sizeof(bt));
	return PL_OK;
}

/* Count the pairs, place the triad's third member, and add up objective and total. */
static void finish_solution(const bctx *B, const bwork *W, bsol *s, size_t pairs)
{
	const pl_buddies_problem *p = B->p;
	size_t n = B->n;

	s->pairs += pairs;
	s->matched += 2 * pairs;
	if (s->triad[0] >= 0) {
		long *t = s->triad;
		order_triad(B, t);
		/* the joined pair is in partner[]; the third member points to nobody */
		s->partner[t[0]] = t[1];
		s->partner[t[1]] = t[0];
		s->partner[t[2]] = -1;
		s->matched += 1;
		s->objective += wgt(B, (size_t)t[0], (size_t)t[2]) + wgt(B, (size_t)t[1], (size_t)t[2]);
		s->total += p->score[(size_t)t[0] * n + (size_t)t[2]] +
			    p->score[(size_t)t[1] * n + (size_t)t[2]];
	}
	for (size_t q = 0; q < W->k; q++) {
		size_t a = W->F[q];
		if (s->partner[a] > (long)a) {
			s->objective += wgt(B, a, (size_t)s->partner[a]);
			s->total += p->score[a * n + (size_t)s->partner[a]];
		}
	}
}

/*
 * The optimum with the pins of the problem plus (x, y) when x >= 0. Fills s.
 */
static pl_status solve_core(bctx *B, long x, long y, bsol *s, pl_error *err)
{
	size_t n = B->n, pairs = 0, tri;
	bwork W = { malloc((n + 1) * sizeof(size_t)), malloc((n + 1) * sizeof(size_t)), 0,
		    malloc((n + 1) * sizeof(long)), 0 };
	double weight = 0.0;
	pl_status st = PL_OK;

	if (!W.F || !W.R || !W.tmp) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	start_from_pins(B, x, y, s, &W);
	st = match_set(B, W.F, W.k, s->partner, &pairs, &weight, err);
	if (st != PL_OK)
		goto out;
	if (B->p->triad && W.k % 2 == 1 && 2 * pairs + 1 == W.k) {
		/* no allowed triangle: the leftover stays alone */
		tri = count_triads(B, &W);
		W.gave_up = 0;
		if (tri > 0 && W.k <= PL_BUDDIES_TRIAD_EXACT_CLIENTS && !B->p->triad_heuristic)
			st = exact_triad(B, &W, s, &pairs, err);
		if (st == PL_OK && tri > 0 && (W.gave_up || W.k > PL_BUDDIES_TRIAD_EXACT_CLIENTS ||
					       B->p->triad_heuristic))
			st = exchange_triad(B, &W, s, err);
		if (st != PL_OK)
			goto out;
	}
	finish_solution(B, &W, s, pairs);
out:
	free(W.F);
	free(W.R);
	free(W.tmp);
	return st;
}

void pl_buddies_result_init(pl_buddies_result *res)
{
	pl_buddies_result z = PL_BUDDIES_RESULT_INIT;
	*res = z;
}

void pl_buddies_result_release(pl_buddies_result *res)
{
	if (!res)
		return;
	free(res->partner);
	free(res->reason);
	free(res->pinned);
	free(res->alt);
	free(res->nalt);
	pl_buddies_result_init(res);
}

const char *pl_buddies_reason_name(int reason)
{
	switch (reason) {
	case PL_BUDDIES_PAIRED: return "paired";
	case PL_BUDDIES_NO_FEASIBLE: return "no_feasible_partner";
	case PL_BUDDIES_BELOW_MIN: return "below_min_score";
	case PL_BUDDIES_TAKEN: return "partners_taken";
	case PL_BUDDIES_ODD: return "odd_count";
	case PL_BUDDIES_NO_TRIAD: return "no_triad";
	}
	return "unknown";
}

static pl_status validate(const pl_buddies_problem *p, pl_error *err)
{
	size_t n = p->n;
	if (n > 0 && !p->score)
		return pl_error_set(err, PL_ERR_USAGE, "", "the score matrix is missing");
	if (!(p->min_score > -DBL_MAX) || !(p->stickiness >= 0) || !isfinite(p->stickiness))
		return pl_error_set(err, PL_ERR_INVALID, "", "min_score and stickiness must be numbers, "
				    "stickiness >= 0");
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			double a = p->score[i * n + j], b = p->score[j * n + i];
			if (isinf(a) || isinf(b) || isnan(a) != isnan(b) || (!isnan(a) && a != b))
				return pl_error_set(err, PL_ERR_INVALID, "",
						    "the score matrix must be symmetric with finite or NaN "
						    "entries (row %zu, column %zu)", i, j);
		}
	if ((p->npinned && !p->pinned) || (p->ncurrent && !p->current))
		return pl_error_set(err, PL_ERR_USAGE, "", "pair list missing");
	for (size_t k = 0; k < 2 * p->npinned; k++)
		if (p->pinned[k] >= n || (k % 2 && p->pinned[k] == p->pinned[k - 1]))
			return pl_error_set(err, PL_ERR_INVALID, "", "pinned pair %zu is not two distinct "
					    "clients", k / 2);
	for (size_t k = 0; k < 2 * p->ncurrent; k++)
		if (p->current[k] >= n || (k % 2 && p->current[k] == p->current[k - 1]))
			return pl_error_set(err, PL_ERR_INVALID, "", "current pair %zu is not two distinct "
					    "clients", k / 2);
	return PL_OK;
}

static int cmp_alt(const void *x, const void *y)
{
	const pl_buddies_alt *a = x, *b = y;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->partner < b->partner ? -1 : (a->partner > b->partner);
}

static void bctx_release(bctx *B)
{
	free(B->cur);
	free(B->pin);
	free(B->pin_mate);
	free(B->eu);
	free(B->ev);
	free(B->ew);
}

/* The context's arrays, the result's, and the partner arrays of the three solutions. */
static int alloc_all(bctx *B, bsol *sols, pl_buddies_result *res)
{
	size_t n = B->n;

	B->ecap = n * (n > 0 ? n - 1 : 0) / 2 + 1;
	B->cur = calloc(n * n + 1, 1);
	B->pin = calloc(n + 1, 1);
	B->pin_mate = malloc((n + 1) * sizeof(long));
	B->eu = malloc(B->ecap * sizeof(long));
	B->ev = malloc(B->ecap * sizeof(long));
	B->ew = malloc(B->ecap * sizeof(double));
	for (int k = 0; k < 3; k++)
		sols[k].partner = malloc((n + 1) * sizeof(long));
	res->partner = malloc((n + 1) * sizeof(long));
	res->reason = calloc(n + 1, sizeof(int));
	res->pinned = calloc(n + 1, sizeof(int));
	res->nalt = calloc(n + 1, sizeof(size_t));
	res->alt = malloc((n * B->p->top + 1) * sizeof(pl_buddies_alt));
	return B->cur && B->pin && B->pin_mate && B->eu && B->ev && B->ew && sols[0].partner &&
			       sols[1].partner && sols[2].partner && res->partner && res->reason &&
			       res->pinned && res->nalt && res->alt
		       ? 0
		       : -1;
}

/* Current pairs into the n x n table; pins checked (pointer /pinned/k) and recorded. */
static pl_status set_pairs(bctx *B, pl_buddies_result *res, pl_error *err)
{
	const pl_buddies_problem *p = B->p;
	size_t n = B->n;

	for (size_t k = 0; k < p->ncurrent; k++) {
		size_t a = p->current[2 * k], b = p->current[2 * k + 1];
		B->cur[a * n + b] = B->cur[b * n + a] = 1;
	}
	for (size_t k = 0; k < p->npinned; k++) {
		size_t a = p->pinned[2 * k], b = p->pinned[2 * k + 1];
		char ptr[PL_POINTER_MAX] = "";
		pl_pointer_append(ptr, sizeof(ptr), "pinned");
		pl_pointer_append_index(ptr, sizeof(ptr), k);
		if (B->pin[a] || B->pin[b])
			return pl_error_set(err, PL_ERR_INVALID, ptr, "a client is pinned twice");
		if (isnan(p->score[a * n + b]))
			return pl_error_set(err, PL_ERR_INVALID, ptr, "a pinned pair may not be paired (a "
					    "hard rule or forbidden pair)");
		B->pin[a] = B->pin[b] = 1;
		B->pin_mate[a] = (long)b;
		B->pin_mate[b] = (long)a;
		res->pinned[a] = res->pinned[b] = 1;
	}
	return PL_OK;
}

/* Client i's best `top` allowed partners other than its own (and its triad's), into a. */
static size_t list_candidates(const bctx *B, const bsol *s, size_t i, pl_buddies_alt *a)
{
	const pl_buddies_problem *p = B->p;
	size_t n = B->n, cnt = 0;

	for (size_t j = 0; j < n; j++) {
		pl_buddies_alt cand;
		if (j == i || B->pin[j] || !allowed(B, i, j) || s->partner[i] == (long)j)
			continue;
		if ((long)i == s->triad[2] && ((long)j == s->triad[0] || (long)j == s->triad[1]))
			continue;
		if (((long)i == s->triad[0] || (long)i == s->triad[1]) && (long)j == s->triad[2])
			continue;
		cand.partner = j;
		cand.score = p->score[i * n + j];
		cand.total_change = NAN;
		cand.matched_change = 0;
		if (cnt < p->top) {
			a[cnt++] = cand;
			qsort(a, cnt, sizeof(*a), cmp_alt);
		} else if (cmp_alt(&cand, &a[cnt - 1]) < 0) {
			a[cnt - 1] = cand;
			qsort(a, cnt, sizeof(*a), cmp_alt);
		}
	}
	return cnt;
}

static void copy_solution(bsol *dst, const bsol *src, size_t n)
{
	memcpy(dst->partner, src->partner, n * sizeof(long));
	memcpy(dst->triad, src->triad, sizeof(src->triad));
	dst->triad_exact = src->triad_exact;
	dst->matched = src->matched;
	dst->pairs = src->pairs;
	dst->objective = src->objective;
	dst->total = src->total;
}

/*
 * One pass over the clients: each one's alternatives with the exact change (a re-solve into t
 * with the pair required). The first re-solve that beats s (possible only with the exchange
 * heuristic's triad) is kept in u and *improved set, when may_improve.
 */
static pl_status alternatives_pass(bctx *B, const bsol *s, bsol *t, bsol *u, int may_improve,
				   int *improved, pl_buddies_result *res, pl_error *err)
{
	const pl_buddies_problem *p = B->p;

	*improved = 0;
	for (size_t i = 0; p->top > 0 && i < B->n; i++) {
		pl_buddies_alt *a = res->alt + i * p->top;
		size_t cnt;
		res->nalt[i] = 0;
		if (B->pin[i])
			continue;
		cnt = list_candidates(B, s, i, a);
		res->nalt[i] = cnt;
		for (size_t k = 0; !p->no_alternative_change && k < cnt; k++) {
			pl_status st = solve_core(B, (long)i, (long)a[k].partner, t, err);
			if (st != PL_OK)
				return st;
			a[k].total_change = t->objective - s->objective;
			/* rounding only: the exact optimum cannot be beaten */
			if (t->matched == s->matched && a[k].total_change > 0 &&
			    a[k].total_change < 1e-9)
				a[k].total_change = 0.0;
			a[k].matched_change = (long)t->matched - (long)s->matched;
			if (may_improve && !*improved &&
			    (t->matched > s->matched ||
			     (t->matched == s->matched && t->objective > s->objective + 1e-9))) {
				copy_solution(u, t, B->n);
				*improved = 1;
			}
		}
	}
	return PL_OK;
}

/* Why each client left out is left out. */
static void set_reasons(const bctx *B, const bsol *s, pl_buddies_result *res)
{
	const pl_buddies_problem *p = B->p;
	size_t n = B->n, nfree = 0, nleft = 0;

	for (size_t i = 0; i < n; i++)
		if (!B->pin[i]) {
			nfree++;
			if (s->partner[i] < 0 && (long)i != s->triad[2])
				nleft++;
		}
	for (size_t i = 0; i < n; i++) {
		int any = 0, above = 0;
		if (s->partner[i] >= 0 || (long)i == s->triad[2])
			continue;
		for (size_t j = 0; j < n; j++)
			if (j != i && !isnan(p->score[i * n + j])) {
				any = 1;
				if (p->score[i * n + j] >= p->min_score)
					above = 1;
			}
		if (!any)
			res->reason[i] = PL_BUDDIES_NO_FEASIBLE;
		else if (!above)
			res->reason[i] = PL_BUDDIES_BELOW_MIN;
		else if (nfree % 2 == 1 && nleft == 1)
			res->reason[i] = p->triad ? PL_BUDDIES_NO_TRIAD : PL_BUDDIES_ODD;
		else
			res->reason[i] = PL_BUDDIES_TAKEN;
	}
}

static void write_result(const bctx *B, const bsol *s, pl_buddies_result *res)
{
	size_t n = B->n;

	res->n = n;
	memcpy(res->partner, s->partner, n * sizeof(long));
	memcpy(res->triad, s->triad, sizeof(s->triad));
	res->triad_exact = s->triad_exact;
	res->pairs = s->pairs;
	res->matched = s->matched;
	res->total = s->total;
	res->objective = s->objective;
	res->top = B->p->top;
	set_reasons(B, s, res);
	res->solves = B->solves;
	res->exact_weights = B->exact;
}

pl_status pl_buddies_solve(const pl_buddies_problem *p, pl_buddies_result *res, pl_error *err)
{
	bctx B;
	bsol sols[3]; /* the answer, a re-solve, a re-solve that beat the answer */
	pl_status st;

	pl_buddies_result_init(res);
	memset(&B, 0, sizeof(B));
	memset(sols, 0, sizeof(sols));
	st = validate(p, err);
	if (st != PL_OK)
		return st;
	B.p = p;
	B.n = p->n;
	B.exact = 1;
	if (alloc_all(&B, sols, res) != 0) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	st = set_pairs(&B, res, err);
	if (st == PL_OK)
		st = solve_core(&B, -1, -1, &sols[0], err);
	/* Alternatives; when the triad came from the exchange heuristic a re-solve with a pair
	 * required can beat the answer: then that one becomes the answer and the alternatives are
	 * computed again (a few rounds at most). */
	for (int pass = 0; st == PL_OK && pass < 6; pass++) {
		int improved = 0;
		st = alternatives_pass(&B, &sols[0], &sols[1], &sols[2], pass < 5, &improved, res, err);
		if (st != PL_OK || !improved)
			break;
		{
			long *keep = sols[0].partner;
			sols[0] = sols[2];
			sols[2].partner = keep;
		}
		res->improved_by_alternatives++;
	}
	if (st == PL_OK)
		write_result(&B, &sols[0], res);
out:
	if (st != PL_OK)
		pl_buddies_result_release(res);
	bctx_release(&B);
	for (int k = 0; k < 3; k++)
		free(sols[k].partner);
	return st;
}
