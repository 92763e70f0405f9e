/*
 * buddies.c: accountability partners: a maximum-cardinality maximum-weight matching of clients
 * among themselves (pl_blossom_solve), with pins, stickiness, a minimum score, the odd one out
 * joining a pair as a triad, and exact "what if" alternatives. See buddies.h for the contract.
 *
 * Solves. Every pairing here is of the clients left after pins, less a few (an alternative's
 * pair, a candidate triad): one cold blossom solve of all of them (the base), then each subset
 * is a warm re-solve from the base's duals (pl_blossom_resolve), which only regrows the trees
 * around what the removal exposed. "Most paired, then heaviest" becomes a plain maximum-weight
 * matching by an offset on every weight (build_graph), so that the duals are those of the
 * ordinary matching LP and stay feasible when clients are taken out.
 *
 * Triad. With F the clients left after pins and |F| odd, the optimum with one triad T is
 *     max over triangles T of F (all three pairs allowed) of  w(T) + W*(F \ T),
 * W*(X) the weight of a maximum-weight perfect matching of X (a triad only helps if the rest can
 * all be paired, which keeps "most clients matched" first). Exact at every size, by branch and
 * bound (LP duality for the matching polytope, Edmonds 1965; e.g. Schrijver 2003, "Combinatorial
 * Optimization", thm 25.1): the duals of the matching of F bound W*(F \ T) for every T at once
 * (triad_bounds); the best exchange from that matching (the leftover joining a pair, or taking a
 * partner's place while that partner joins a pair: a feasible triad, no solve) is a lower bound,
 * and only the triangles whose bound reaches it are enumerated (pairs whose bound cannot are
 * skipped whole, collect_triads) and evaluated, one warm re-solve each, in decreasing order of
 * bound until the bound falls below the best value found. When that does not settle it quickly
 * (typically: few triangles leave a rest that can be paired at all, which the duals of F cannot
 * see), one re-solve per client x gives W*(F \ {x}), a second bound for every triangle holding
 * x (member_bounds). The exchange heuristic itself (exchange_triad) remains for the tests that
 * measure it (triad_heuristic).
 *
 * Alternatives: for client i and a feasible partner j, total_change is the optimum with (i, j)
 * pinned minus the optimum: exact, by the same procedure with i and j taken out (a warm re-solve,
 * plus the triad's branch and bound when the rest is odd); matched_change is the change in
 * clients matched.
 */
#include <peerlink/buddies.h>
#include <peerlink/blossom.h>

#include "blossom_int.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Decimals the answers print (PL_JSON_MATCH_SCALE, engine/json): see search_alternatives. */
#define BUDDIES_PRINT_SCALE 1e4

/* Largest integer weight handed to the blossom solver (it keeps integers up to 2^40 exact). */
#define BUDDIES_SCALE_LIMIT 1099511627776.0

/* A solve's certificate and its blossoms' cycles: together the warm start of further re-solves
 * that keep the blossoms (pl_blossom_resolve_kept). */
typedef struct bcert {
	pl_blossom_result r;
	pl_blossom_state s;
} bcert;
#define BCERT_INIT { PL_BLOSSOM_RESULT_INIT, PL_BLOSSOM_STATE_INIT }

static void bcert_release(bcert *c)
{
	pl_blossom_result_release(&c->r);
	pl_blossom_state_release(&c->s);
}

typedef struct bctx {
	const pl_buddies_problem *p;
	size_t n;
	unsigned char *cur;  /* n x n: current pairs */
	unsigned char *ok;   /* n x n: the pair may be formed (a score, not below min_score) */
	double *wm;          /* n x n: wgt(), or NULL (fill_weights) */
	unsigned char *pin;  /* n: pinned */
	long *pin_mate;      /* n */
	/* The graph of the clients not pinned ("free"), built once: free client q is vertex q, edge
	 * k joins eu[k] and ev[k] with the integer weight ew[k] (see build_graph). */
	size_t nf;
	size_t *fa;          /* nf: vertex -> client */
	long *fpos;          /* n: client -> vertex, or -1 when pinned */
	long *eu, *ev;
	double *ew;
	size_t m;
	double scale, offset; /* ew = offset * scale + round(weight * scale) */
	bcert base;          /* the optimum of every free client: warm start of every re-solve */
	int have_base;
	pl_blossom_ws *ws;   /* the re-solves' workspace, bound to this graph */
	unsigned char *gone; /* nf: vertices taken out of the current re-solve */
	pl_cardmatch cm;     /* the triad's check that a rest can be paired (built when needed) */
	int have_cm;
	unsigned char *cgone; /* nf: its vertices left out */
	unsigned char *alone; /* nf: whether F without the vertex can be paired (exact_triad) */
	unsigned char *held;  /* nf: the blossom around the one left alone (root_blossom) */
	size_t solves;
	size_t alt_triads;   /* alternatives' re-solves that ran the triad's branch and bound */
	size_t alt_searches; /* clients whose alternatives one search priced */
	size_t alt_resolves; /* alternatives priced by a re-solve of their own */
	long *tg;            /* top: the search's targets (vertices) */
	double *tv;          /* top: their values */
	unsigned char *priced; /* top: alternative priced by the search */
	unsigned char *resolved; /* n x top: alternative priced by a re-solve of its own */
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
	return B->ok[i * B->n + j];
}

/* B->ok, once: the triad's bounds and candidates ask about the same pairs again and again. */
static void fill_allowed(bctx *B)
{
	size_t n = B->n;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			double s = B->p->score[i * n + j];
			B->ok[i * n + j] = i != j && !isnan(s) && s >= B->p->min_score;
		}
}

static double wgt(const bctx *B, size_t i, size_t j)
{
	if (B->wm)
		return B->wm[i * B->n + j];
	return B->p->score[i * B->n + j] + (B->cur[i * B->n + j] ? B->p->stickiness : 0.0);
}

/* The weights as a table (B->wm) for cohorts of up to this many clients (8 MB at most): the
 * triad's bounds and exchanges read the same weights again and again. */
#define BUDDIES_WEIGHT_TABLE_MAX 1024

/* B->wm, once the current pairs are known (set_pairs): the same sums wgt() would make. */
static void fill_weights(bctx *B)
{
	size_t n = B->n;
	double *t;

	if (n > BUDDIES_WEIGHT_TABLE_MAX || !(t = malloc(n * n * sizeof(double) + 1)))
		return; /* (out of memory: wgt() adds them up each time) */
	for (size_t i = 0; i < n * n; i++)
		t[i] = B->p->score[i] + (B->cur[i] ? B->p->stickiness : 0.0);
	B->wm = t;
}

/*
 * The graph of the free clients, once. "Most clients paired first, then the largest weight" is
 * a maximum-weight matching once every allowed pair's weight gets the same offset K larger than
 * anything a pair more or less can change: with weights in [wmin, wmax] and at most h = nf / 2
 * pairs, a matching with one pair more weighs at least (c + 1)(K + wmin) > c (K + wmax) for
 * every c <= h when K = h (wmax - wmin) - wmin + 1 (so also K + wmin >= 1 > 0). Without
 * max_cardinality, a solve's duals are non-negative and it can be re-started warm
 * (pl_blossom_resolve). The weights are made integers here, once, with one scale for every
 * solve (the smallest power of ten that makes them integers, as the blossom solver would choose,
 * else 2^s), so all solves compare the same numbers; exact says whether rounding was needed.
 */
static pl_status build_graph(bctx *B, pl_error *err)
{
	size_t n = B->n, nf = 0, m = 0;
	double wmin = DBL_MAX, wmax = -DBL_MAX, top, S = 1.0;
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		B->fpos[i] = -1;
		if (!B->pin[i]) {
			B->fpos[i] = (long)nf;
			B->fa[nf++] = i;
		}
	}
	B->nf = nf;
	for (size_t a = 0; a < nf; a++)
		for (size_t b = a + 1; b < nf; b++)
			if (allowed(B, B->fa[a], B->fa[b])) {
				double w = wgt(B, B->fa[a], B->fa[b]);
				B->eu[m] = (long)a;
				B->ev[m] = (long)b;
				B->ew[m] = w;
				if (w < wmin)
					wmin = w;
				if (w > wmax)
					wmax = w;
				m++;
			}
	B->m = m;
	if (m == 0)
		return PL_OK;
	B->offset = ceil((double)(nf / 2) * (wmax - wmin) - wmin + 1.0);
	top = B->offset + (fabs(wmax) > fabs(wmin) ? fabs(wmax) : fabs(wmin));
	if (!(top * 2.0 < PL_BLOSSOM_WEIGHT_MAX))
		return pl_error_set(err, PL_ERR_INVALID, "", "scores too large to pair");
	for (int d = 0; d <= 6 && !found; d++, S *= 10.0) {
		size_t k;
		if (top * S > BUDDIES_SCALE_LIMIT)
			break;
		for (k = 0; k < m; k++) {
			double x = B->ew[k] * S;
			if (fabs(x - nearbyint(x)) > 1e-9 * (fabs(x) > 1.0 ? fabs(x) : 1.0))
				break;
		}
		found = k == m;
		if (found)
			break;
	}
	if (!found) {
		int e;
		frexp(top, &e); /* top < 2^e */
		S = ldexp(1.0, 40 - e);
		for (size_t k = 0; k < m; k++)
			if (B->ew[k] * S != nearbyint(B->ew[k] * S))
				B->exact = 0;
	}
	B->scale = S;
	for (size_t k = 0; k < m; k++)
		B->ew[k] = B->offset * S + nearbyint(B->ew[k] * S);
	return PL_OK;
}

/* The optimum of every free client: the base of the warm re-solves. */
static pl_status solve_base(bctx *B, pl_error *err)
{
	pl_blossom_options opt = PL_BLOSSOM_OPTIONS_INIT;
	pl_status st = pl_blossom_solve_state(B->nf, B->m, B->eu, B->ev, B->ew, &opt, &B->base.r,
					      &B->base.s, err);

	B->solves++;
	if (st == PL_OK)
		B->have_base = 1;
	return st;
}

/*
 * Maximum-cardinality maximum-weight matching of the free clients but the rm[0..nrm) (vertices),
 * warm from `from` (NULL: the base; else a re-solve whose removed vertices are all in rm), with
 * the blossoms kept (pl_blossom_resolve_kept); partner[] (client indices) is written for the
 * clients solved. With duals, *duals is the solver's certificate (kept in hold, which the caller
 * releases; the base itself when nothing is removed).
 */
static pl_status match_without(bctx *B, const bcert *from, const long *rm, size_t nrm,
			       long *partner, size_t *pairs, double *weight, bcert *hold,
			       const bcert **duals, pl_error *err)
{
	bcert own = BCERT_INIT;
	const bcert *res = &B->base;
	pl_status st = PL_OK;

	if (nrm > 0) {
		bcert *out = duals ? hold : &own;
		for (size_t q = 0; q < nrm; q++)
			B->gone[rm[q]] = 1;
		if (!B->ws && !(B->ws = pl_blossom_ws_new(B->nf, B->m, B->eu, B->ev, B->ew)))
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		else
			st = pl_blossom_resolve_kept(B->ws, from ? &from->r : &B->base.r,
						     from ? &from->s : &B->base.s, B->gone, &out->r,
						     duals ? &out->s : NULL, err);
		B->solves++;
		if (st != PL_OK) {
			for (size_t q = 0; q < nrm; q++)
				B->gone[rm[q]] = 0;
			return st;
		}
		res = out;
	}
	if (duals)
		*duals = res;
	*pairs = res->r.pairs;
	*weight = 0.0;
	for (size_t a = 0; a < B->nf; a++) {
		long b = res->r.mate[a];
		if (B->gone[a])
			continue;
		partner[B->fa[a]] = b >= 0 ? (long)B->fa[b] : -1;
		if (b > (long)a)
			*weight += wgt(B, B->fa[a], B->fa[b]);
	}
	for (size_t q = 0; q < nrm; q++)
		B->gone[rm[q]] = 0;
	bcert_release(&own);
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


/* Scratch of one solve: F the clients left after pins and the extra pair (k of them, in client
 * order), rm their vertices taken out (the extra pair), R and tmp for re-pairings. */
typedef struct bwork {
	size_t *F, *R, k;
	long *tmp;
	long rm[5];
	size_t nrm;
} bwork;

/* Start s from the pins and the extra pair (x, y) (x < 0: none); W->F = everyone else. */
static void start_from_pins(const bctx *B, long x, long y, bsol *s, bwork *W)
{
	const pl_buddies_problem *p = B->p;
	size_t n = B->n;

	W->k = 0;
	W->nrm = 0;
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
		W->rm[W->nrm++] = B->fpos[x];
		W->rm[W->nrm++] = B->fpos[y];
	}
}

/* Whether F has a triangle whose three pairs are allowed (1 as soon as one is found). */
static size_t count_triads(const bctx *B, const bwork *W)
{
	const size_t *F = W->F, k = W->k;

	for (size_t a = 0; a < k; a++)
		for (size_t b = a + 1; b < k; b++)
			if (allowed(B, F[a], F[b]))
				for (size_t c = b + 1; c < k; c++)
					if (allowed(B, F[a], F[c]) && allowed(B, F[b], F[c]))
						return 1;
	return 0;
}

/* Pair everyone of F but the triad t optimally (a warm re-solve from `from`, see
 * match_without), into partner; W->R lists them. */
static pl_status pair_rest(bctx *B, bwork *W, const bcert *from, const long t[3],
			   long *partner, size_t *r, size_t *rp, double *rw, pl_error *err)
{
	long rm[5];
	size_t nrm = W->nrm;

	memcpy(rm, W->rm, nrm * sizeof(long));
	for (int q = 0; q < 3; q++)
		rm[nrm++] = B->fpos[t[q]];
	*r = 0;
	for (size_t q = 0; q < W->k; q++)
		if ((long)W->F[q] != t[0] && (long)W->F[q] != t[1] && (long)W->F[q] != t[2])
			W->R[(*r)++] = W->F[q];
	return match_without(B, from, rm, nrm, partner, rp, rw, NULL, NULL, err);
}

/*
 * Upper bounds on the triads from the duals of the matching of F (see the top of the file). The
 * solver's duals (integers, in units of 1 / (4 S') with S' = 1 on our integer weights) satisfy
 * y_u + y_v + sum_{B holding u, v} z_B >= 4 w'_uv on every allowed pair, y, z >= 0. Summing over
 * any matching M of X: 4 w'(M) <= sum_{v in X} y_v + sum_B z_B floor(|B n X| / 2), and with
 * X = F \ T for a triangle T, floor(|B \ T| / 2) is (|B| - 1) / 2, less one when B holds two or
 * three members of T: the blossoms holding two members of T are the ancestors of the lowest of
 * T's three pairwise common blossoms, so that correction is the largest of three pair sums
 * (pz). Back in score units (w' = K S + round(S w), (k - 3) / 2 pairs in X):
 *     UB(T) = w(T) + (Y4 - y_a - y_b - y_c - pz(T)) / (4 S) - K (k - 3) / 2 + rounding slack.
 */
typedef struct tbound {
	const int64_t *y;     /* per vertex */
	const long *parent;   /* per node (vertices, then blossoms) */
	pl_zlca zq;           /* common blossom duals of two vertices (blossom_int.h) */
	int have_zq;
	int64_t y4;           /* Y4 above */
	double inv, cst;      /* 1 / (4 S), -K (k - 3) / 2 + slack */
	double slack;         /* what cst adds for rounding: a bound this close to a value ties it */
	double *top;          /* per position in F: the largest red() to the others */
	int64_t *pz;          /* k x k (positions in F): pair_z */
	double *red;          /* k x k: red() */
} tbound;

static void tbound_release(tbound *tb)
{
	if (tb->have_zq)
		pl_zlca_release(&tb->zq);
	free(tb->top);
	free(tb->pz);
	free(tb->red);
}

/* z summed over the blossoms holding both vertices u != v (0 when none does). */
static int64_t pair_z(const tbound *tb, long u, long v)
{
	return pl_zlca_common(&tb->zq, (size_t)u, (size_t)v);
}

/* Weight of the pair less half the duals of its two ends and a third of pair_z, in score units:
 * as the largest of three numbers is at least their mean, UB(T) is at most cst + Y4 / (4 S) plus
 * the sum of red() over T's three pairs. */
static double red(const bctx *B, const tbound *tb, size_t i, size_t j, int64_t pz)
{
	return wgt(B, i, j) -
	       (double)(tb->y[B->fpos[i]] + tb->y[B->fpos[j]]) * tb->inv * 0.5 -
	       (double)pz * tb->inv / 3.0;
}

/* The k x k tables of pair_z and red() over the allowed pairs of F, and each one's top red(). */
static void pair_tables(const bctx *B, const bwork *W, tbound *tb)
{
	const size_t *F = W->F, k = W->k;

	for (size_t q = 0; q < k; q++)
		tb->top[q] = -DBL_MAX;
	for (size_t q = 0; q < k; q++)
		for (size_t t = q + 1; t < k; t++) {
			int64_t z = 0;
			double r = -DBL_MAX;
			if (allowed(B, F[q], F[t])) {
				z = pair_z(tb, B->fpos[F[q]], B->fpos[F[t]]);
				r = red(B, tb, F[q], F[t], z);
			}
			tb->pz[q * k + t] = tb->pz[t * k + q] = z;
			tb->red[q * k + t] = tb->red[t * k + q] = r;
			if (r > tb->top[q])
				tb->top[q] = r;
			if (r > tb->top[t])
				tb->top[t] = r;
		}
}

static pl_status triad_bounds(const bctx *B, const bwork *W, const bcert *cert, tbound *tb,
			      pl_error *err)
{
	const pl_blossom_result *r = &cert->r;
	size_t nf = B->nf, nb = r->nblossoms, nodes = nf + nb;
	long *size = calloc(nodes + 1, sizeof(long));
	int64_t *z = calloc(nodes + 1, sizeof(int64_t));
	pl_status st = PL_OK;

	tb->y = r->vertex_dual;
	tb->parent = r->node_parent;
	tb->top = malloc((W->k + 1) * sizeof(double));
	tb->pz = malloc((W->k * W->k + 1) * sizeof(int64_t));
	tb->red = malloc((W->k * W->k + 1) * sizeof(double));
	for (size_t b = 0; z && b < nb; b++)
		z[nf + b] = r->blossom_dual[b];
	if (size && z && pl_zlca_init(&tb->zq, nodes, r->node_parent, z) == 0)
		tb->have_zq = 1;
	if (!tb->have_zq || !tb->top || !tb->pz || !tb->red) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	tb->y4 = 0;
	for (size_t q = 0; q < W->k; q++) {
		long v = B->fpos[W->F[q]];
		tb->y4 += r->vertex_dual[v];
		for (long x = r->node_parent[v]; x >= 0; x = r->node_parent[x])
			size[x]++;
	}
	for (size_t b = 0; b < nb; b++)
		tb->y4 += r->blossom_dual[b] * (int64_t)((size[nf + b] - 1) / 2);
	tb->inv = 1.0 / (4.0 * B->scale);
	/* each of the at most k/2 pairs may weigh up to 1/(2S) more than its rounding */
	tb->slack = (B->exact ? 0.0 : (double)(W->k / 2 + 1) / (2.0 * B->scale)) + 1e-9;
	tb->cst = -B->offset * (double)((W->k - 3) / 2) + tb->slack;
	pair_tables(B, W, tb);
out:
	free(size);
	free(z);
	return st;
}

/* UB(T) for the positions a, b, c in F. */
static double triad_ub(const bctx *B, const bwork *W, const tbound *tb, size_t a, size_t b,
		       size_t c)
{
	const size_t *F = W->F, k = W->k;
	int64_t pz = tb->pz[a * k + b];

	if (tb->pz[a * k + c] > pz)
		pz = tb->pz[a * k + c];
	if (tb->pz[b * k + c] > pz)
		pz = tb->pz[b * k + c];
	return triad_weight(B, F[a], F[b], F[c]) + tb->cst +
	       (double)(tb->y4 - tb->y[B->fpos[F[a]]] - tb->y[B->fpos[F[b]]] -
			tb->y[B->fpos[F[c]]] - pz) *
		       tb->inv;
}

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

/* The candidates as a binary heap in cmp_tcand order (largest bound first): the search takes
 * them one by one and usually stops after a few, so sorting them all would be wasted. */
static void cand_sift(tcand *h, size_t n, size_t i)
{
	tcand x = h[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && cmp_tcand(&h[c + 1], &h[c]) < 0)
			c++;
		if (cmp_tcand(&h[c], &x) >= 0)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
}

static void cand_heapify(tcand *h, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		cand_sift(h, n, i);
}

static void cand_pop(tcand *h, size_t *n)
{
	h[0] = h[--*n];
	if (*n > 0)
		cand_sift(h, *n, 0);
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

static pl_status push_cand(tcand **out, size_t *nout, size_t *cap, tcand t, pl_error *err)
{
	if (*nout == *cap) {
		size_t nc = *cap ? 2 * *cap : 64;
		tcand *g = realloc(*out, nc * sizeof(*g));
		if (!g)
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		*out = g;
		*cap = nc;
	}
	(*out)[(*nout)++] = t;
	return PL_OK;
}

/*
 * Triangles (indices into F) with UB >= lb. A pair (a, b) whose red() plus the largest red() of a
 * and of b cannot reach lb is skipped whole, and so is a third member c whose two red() cannot:
 * the sum of red() over T's pairs plus cst + Y4 / (4 S) bounds UB(T) from above. So the O(k^3)
 * enumeration shrinks to the pairs near the top (the bounds of most triangles lie far below).
 * A member that cannot be the one left over (B->alone, leftover_set) rules its triangles out: the
 * rest could not all be paired. (The search would reject them unevaluated anyway; when no
 * triangle has a pairable rest, as after some alternatives' pins, thousands were collected.)
 */
static pl_status collect_triads(const bctx *B, const bwork *W, const tbound *tb, double lb,
				tcand **out, size_t *nout, pl_error *err)
{
	const size_t k = W->k;
	double base = tb->cst + (double)tb->y4 * tb->inv, tol = 1e-7;
	size_t cap = 0;

	*nout = 0;
	for (size_t a = 0; a < k; a++) {
		const double *ra = tb->red + a * k;
		if (!B->alone[B->fpos[W->F[a]]])
			continue;
		for (size_t b = a + 1; b < k; b++) {
			const double *rb = tb->red + b * k;
			double need = lb - tol - base - ra[b];
			if (ra[b] == -DBL_MAX || tb->top[a] + tb->top[b] < need ||
			    !B->alone[B->fpos[W->F[b]]])
				continue;
			for (size_t c = b + 1; c < k; c++) {
				double ub;
				pl_status st;
				if (ra[c] == -DBL_MAX || rb[c] == -DBL_MAX || ra[c] + rb[c] < need ||
				    !B->alone[B->fpos[W->F[c]]])
					continue;
				ub = triad_ub(B, W, tb, a, b, c);
				if (ub < lb)
					continue;
				st = push_cand(out, nout, &cap, (tcand){ ub, a, b, c }, err);
				if (st != PL_OK)
					return st;
			}
		}
	}
	return PL_OK;
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
	long *pa = W->tmp; /* the pairs (a, partner a > a), in the order of F */
	size_t np = 0;
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
		if (b2 > (long)a2)
			pa[np++] = (long)a2;
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
		for (size_t t2 = 0; t2 < np; t2++) {
			size_t a2 = (size_t)pa[t2];
			long b2 = s->partner[a2];
			if ((long)a2 == (long)xx || a2 == (size_t)yy || b2 == (long)xx || b2 == yy)
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


/* x joining a pair of partner[] (a perfect pairing of F \ {x} of weight wt) is a triad whose
 * rest is paired: its value is a lower bound on the optimum (returned when above lb). */
static double join_lower_bound(const bctx *B, const bwork *W, size_t x, const long *partner,
			       double wt, double lb)
{
	for (size_t q = 0; q < W->k; q++) {
		size_t a = W->F[q];
		long b = partner[a];
		double v;
		if (a == x || b < (long)a || !allowed(B, x, a) || !allowed(B, x, (size_t)b))
			continue;
		v = wt + wgt(B, x, a) + wgt(B, x, (size_t)b) - 1e-12;
		if (v > lb)
			lb = v;
	}
	return lb;
}

/*
 * A second bound, for when the duals leave many triangles (typically when few triangles have a
 * rest that can be paired at all, which the duals of F cannot see). For a member x of T = {x,
 * u, v}, a perfect pairing P of F \ T plus the pair (u, v) is a perfect pairing of F \ {x}, so
 *     w(T) + W*(F \ T) <= w(x, u) + w(x, v) + W*(F \ {x}),
 * and T has no value at all unless each of its members x leaves a perfectly pairable F \ {x}.
 * One warm re-solve per client of F gives W*(F \ {x}); each candidate keeps the least of its
 * bounds and is dropped when that falls below lb.
 */
static pl_status member_bounds(bctx *B, bwork *W, const bcert *from, double *lb,
			       tcand *cand, size_t *ncand, pl_error *err)
{
	const size_t *F = W->F;
	double *g = malloc((W->k + 1) * sizeof(double));
	double slack = (B->exact ? 0.0 : (double)(W->k / 2 + 1) / (2.0 * B->scale)) + 1e-9;
	size_t keep = 0;

	if (!g)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t q = 0; q < W->k; q++) {
		long rm[5];
		size_t nrm = W->nrm, pairs;
		double wt;
		pl_status st;
		memcpy(rm, W->rm, nrm * sizeof(long));
		rm[nrm++] = B->fpos[F[q]];
		st = match_without(B, from, rm, nrm, W->tmp, &pairs, &wt, NULL, NULL, err);
		if (st != PL_OK) {
			free(g);
			return st;
		}
		g[q] = 2 * pairs + 1 == W->k ? wt + slack : -DBL_MAX;
		if (g[q] != -DBL_MAX)
			*lb = join_lower_bound(B, W, F[q], W->tmp, wt, *lb);
	}
	for (size_t q = 0; q < *ncand; q++) {
		size_t a = F[cand[q].a], b = F[cand[q].b], c = F[cand[q].c];
		double ub = cand[q].ub, x;
		if (g[cand[q].a] == -DBL_MAX || g[cand[q].b] == -DBL_MAX || g[cand[q].c] == -DBL_MAX)
			continue;
		x = wgt(B, a, b) + wgt(B, a, c) + g[cand[q].a];
		ub = x < ub ? x : ub;
		x = wgt(B, a, b) + wgt(B, b, c) + g[cand[q].b];
		ub = x < ub ? x : ub;
		x = wgt(B, a, c) + wgt(B, b, c) + g[cand[q].c];
		ub = x < ub ? x : ub;
		if (ub >= *lb) {
			cand[keep] = cand[q];
			cand[keep++].ub = ub;
		}
	}
	*ncand = keep;
	free(g);
	return PL_OK;
}

/* With only the optimum's value asked for (an alternative's total_change), the search stops
 * when no candidate's bound exceeds the best value found by more than this: ties need not be
 * evaluated to be broken (answers are rounded to 4 decimals). */
#define TRIAD_VALUE_TOL 1e-9

/* Triangles evaluated on the duals' bounds alone before the members' bounds (k re-solves) are
 * computed for the rest. */
#define TRIAD_MEMBER_AFTER(k) ((k) / 4 + 4)

/*
 * Whether everyone of F but the triad t can be paired at all (the allowed pairs only): the
 * current pairing of F (s, all but one paired) less t's pairs, grown by Edmonds' cardinality
 * search (cardmatch.c). Much cheaper than a weighted re-solve, and on cohorts with many hard
 * rules most candidates fail it. Returns 1, 0, or -1 when out of memory.
 */
static void load_pairing(bctx *B, const bwork *W, const bsol *s)
{
	memset(B->cgone, 1, B->nf);
	for (size_t q = 0; q < W->k; q++) {
		long v = B->fpos[W->F[q]], p = s->partner[W->F[q]];
		B->cgone[v] = 0;
		B->cm.mate[v] = p >= 0 ? B->fpos[p] : -1;
	}
}

/* The outermost blossom holding v in r (v itself when none). */
static long top_node(const pl_blossom_result *r, long v)
{
	while (r->node_parent[v] >= 0)
		v = r->node_parent[v];
	return v;
}

/*
 * Into B->held: the clients of F in the outermost blossom of the certificate r (F's optimum,
 * whose pairing s leaves c0 alone) that holds c0 (none when c0 is in no blossom). That blossom
 * is an odd set that the pairing covers but for its base c0, factor-critical on the graph's
 * edges (an odd cycle of edges around factor-critical parts: Edmonds 1965), so the alternating
 * search from c0 would shrink it whole: leftover_set starts the search with it shrunk. On dense
 * cohorts it holds nearly everyone (the optimum of an odd cohort nests them in one chain of
 * blossoms around the one left alone), and the search then only looks at the few others.
 */
static void root_blossom(bctx *B, const bwork *W, const pl_blossom_result *r, long c0)
{
	long top = top_node(r, c0);

	memset(B->held, 0, B->nf);
	for (size_t q = 0; top != c0 && q < W->k; q++) {
		long v = B->fpos[W->F[q]];
		B->held[v] = top_node(r, v) == top;
	}
}

/*
 * Which clients of F could be the one left over: F less x can be paired exactly when an even
 * alternating path leads from the client that the current pairing s leaves alone to x
 * (Gallai-Edmonds; pl_cardmatch_reach), into B->alone. A triangle with a member outside that set
 * leaves a rest that cannot be paired (its pair plus a pairing of the rest would pair F less
 * that member). Returns 0, or -1 when out of memory.
 */
static int leftover_set(bctx *B, const bwork *W, const bsol *s, const bcert *cert)
{
	long c0 = -1;

	if (!B->have_cm) {
		B->cgone = malloc(B->nf + 1);
		B->alone = malloc(B->nf + 1);
		B->held = malloc(B->nf + 1);
		if (!B->cgone || !B->alone || !B->held || pl_cardmatch_init(&B->cm, B->nf, B->m, B->eu, B->ev) != 0)
			return -1;
		B->have_cm = 1;
	}
	for (size_t q = 0; q < W->k; q++)
		if (s->partner[W->F[q]] < 0)
			c0 = B->fpos[W->F[q]];
	memset(B->alone, 0, B->nf);
	load_pairing(B, W, s);
	if (c0 >= 0)
		root_blossom(B, W, &cert->r, c0);
	if (c0 < 0 || pl_cardmatch_reach(&B->cm, B->cgone, (size_t)c0, B->held) != 0) {
		memset(B->alone, 1, B->nf); /* (not expected: s pairs all but one of F, at most) */
		return 0;
	}
	for (size_t q = 0; q < W->k; q++) {
		long v = B->fpos[W->F[q]];
		B->alone[v] = B->cm.outer[v];
	}
	return 0;
}

static int rest_pairable(bctx *B, const bwork *W, const bsol *s, const long t[3])
{
	pl_cardmatch *cm = &B->cm;

	for (int q = 0; q < 3; q++)
		if (!B->alone[B->fpos[t[q]]])
			return 0;
	load_pairing(B, W, s);
	for (int q = 0; q < 3; q++) {
		long v = B->fpos[t[q]];
		B->cgone[v] = 1;
		if (cm->mate[v] >= 0)
			cm->mate[cm->mate[v]] = -1;
		cm->mate[v] = -1;
	}
	return pl_cardmatch_perfect(cm, B->cgone);
}

/*
 * Exact: the best triangle with the rest paired perfectly, by branch and bound. The duals of the
 * matching of F bound every triangle (triad_bounds); the best exchange from that matching (no
 * solve: a triad and a perfect pairing of the rest, so a lower bound on the optimum) leaves only
 * the triangles whose bound reaches it. Those are evaluated (one warm re-solve each: the rest
 * paired optimally) in decreasing order of bound until the bound falls below the best value
 * found, or until none left can beat it by more than the weights' rounding slack (+ 1e-9), so
 * tied triangles are not all evaluated. Among the triangles evaluated, in (a, b, c) order,
 * strict improvements (by more than 1e-12) are kept: the client-order first of the evaluated
 * ones with the best value.
 */
static pl_status exact_triad(bctx *B, bwork *W, const bcert *dual, bsol *s,
			     size_t *pairs, int value_only, pl_error *err)
{
	const size_t *F = W->F;
	tbound tb;
	tcand *cand = NULL, *val = NULL; /* val: evaluated triangles (ub holds the value) */
	tcand kept = { 0.0, 0, 0, 0 }; /* the best one evaluated, its rest's pairing in keep */
	long *keep = malloc((B->n + 1) * sizeof(long));
	size_t ncand = 0, r, rp, nval = 0, kept_rp = 0, pick = 0;
	double best = -DBL_MAX, lb, rw;
	long bt[3] = { -1, -1, -1 };
	exchange e;
	pl_status st;

	memset(&tb, 0, sizeof(tb));
	if (!keep)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	best_exchange(B, W, s, &e);
	lb = e.c >= 0 ? e.value - 1e-12 : -DBL_MAX;
	st = triad_bounds(B, W, dual, &tb, err);
	if (st == PL_OK && leftover_set(B, W, s, dual) != 0)
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if (st == PL_OK)
		st = collect_triads(B, W, &tb, lb, &cand, &ncand, err);
	if (st != PL_OK || ncand == 0)
		goto out;
	cand_heapify(cand, ncand);
	val = malloc(ncand * sizeof(*val));
	if (!val) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	for (size_t evals = 0, members = 0; ncand > 0;) {
		tcand c = cand[0];
		long t[3];
		double v;
		int ok;
		if (c.ub < lb || c.ub <= best + tb.slack + TRIAD_VALUE_TOL)
			break; /* nothing left can beat the best by more than the rounding */
		if (!members && evals == TRIAD_MEMBER_AFTER(W->k)) {
			/* not settled yet: tighten what is left with the members' bounds */
			members = 1;
			st = member_bounds(B, W, dual, &lb, cand, &ncand, err);
			if (st != PL_OK)
				goto out;
			cand_heapify(cand, ncand);
			continue;
		}
		cand_pop(cand, &ncand);
		t[0] = (long)F[c.a];
		t[1] = (long)F[c.b];
		t[2] = (long)F[c.c];
		ok = rest_pairable(B, W, s, t);
		if (ok < 0) {
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
			goto out;
		}
		if (!ok)
			continue; /* the rest cannot all be paired: no re-solve needed to know */
		evals++;
		st = pair_rest(B, W, dual, t, W->tmp, &r, &rp, &rw, err);
		if (st != PL_OK)
			goto out;
		if (2 * rp != r)
			continue; /* the rest cannot all be paired */
		v = triad_weight(B, (size_t)t[0], (size_t)t[1], (size_t)t[2]) + rw;
		val[nval++] = (tcand){ v, c.a, c.b, c.c };
		if (v > best) {
			best = v;
			kept = val[nval - 1];
			kept_rp = rp;
			for (size_t i = 0; i < r; i++)
				keep[W->R[i]] = W->tmp[W->R[i]];
		}
	}
	if (nval == 0)
		goto out;
	if (value_only) {
		/* only the value is asked for: the best triangle found, whichever of the ties */
		bt[0] = (long)F[kept.a];
		bt[1] = (long)F[kept.b];
		bt[2] = (long)F[kept.c];
	} else {
		/* among the evaluated triangles, in (a, b, c) order, keep strict improvements */
		double run = -DBL_MAX;
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
	if (value_only || cmp_abc(&kept, &val[pick]) == 0) {
		/* the pairing of the rest is the one already found (the usual case) */
		for (size_t q = 0; q < W->k; q++)
			if ((long)F[q] != bt[0] && (long)F[q] != bt[1] && (long)F[q] != bt[2])
				s->partner[F[q]] = keep[F[q]];
		rp = kept_rp;
	} else {
		st = pair_rest(B, W, dual, bt, s->partner, &r, &rp, &rw, err);
		if (st != PL_OK)
			goto out;
	}
	memcpy(s->triad, bt, sizeof(bt));
	s->triad_exact = 1;
	*pairs = rp + 1; /* with the pair the third member joins */
out:
	free(keep);
	free(cand);
	free(val);
	tbound_release(&tb);
	return st;
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
		st = pair_rest(B, W, NULL, t, W->tmp, &r, &rp, &rw, err);
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
	size_t n = B->n, pairs = 0;
	bwork W = { malloc((n + 1) * sizeof(size_t)), malloc((n + 1) * sizeof(size_t)), 0,
		    malloc((n + 1) * sizeof(long)), { 0 }, 0 };
	bcert hold = BCERT_INIT;
	const bcert *dual = NULL;
	double weight = 0.0;
	pl_status st = PL_OK;

	if (!W.F || !W.R || !W.tmp) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	start_from_pins(B, x, y, s, &W);
	st = match_without(B, NULL, W.rm, W.nrm, s->partner, &pairs, &weight, &hold, &dual, err);
	if (st != PL_OK)
		goto out;
	if (B->p->triad && W.k % 2 == 1 && 2 * pairs + 1 == W.k && count_triads(B, &W) > 0) {
		/* (no allowed triangle: the leftover stays alone) */
		if (B->p->triad_heuristic) {
			st = exchange_triad(B, &W, s, err);
		} else {
			st = exact_triad(B, &W, dual, s, &pairs, x >= 0, err);
			B->alt_triads += x >= 0;
		}
		if (st != PL_OK)
			goto out;
	}
	finish_solution(B, &W, s, pairs);
out:
	bcert_release(&hold);
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
	free(B->ok);
	free(B->wm);
	free(B->pin);
	free(B->pin_mate);
	free(B->eu);
	free(B->ev);
	free(B->ew);
	free(B->fa);
	free(B->fpos);
	free(B->gone);
	free(B->cgone);
	free(B->alone);
	free(B->held);
	free(B->tg);
	free(B->tv);
	free(B->priced);
	free(B->resolved);
	if (B->have_cm)
		pl_cardmatch_release(&B->cm);
	pl_blossom_ws_free(B->ws);
	bcert_release(&B->base);
}

/* The context's arrays, the result's, and the partner arrays of the three solutions. */
static int alloc_all(bctx *B, bsol *sols, pl_buddies_result *res)
{
	size_t n = B->n;

	size_t ecap = n * (n > 0 ? n - 1 : 0) / 2 + 1;

	B->cur = calloc(n * n + 1, 1);
	B->ok = malloc(n * n + 1);
	B->pin = calloc(n + 1, 1);
	B->pin_mate = malloc((n + 1) * sizeof(long));
	B->eu = malloc(ecap * sizeof(long));
	B->ev = malloc(ecap * sizeof(long));
	B->ew = malloc(ecap * sizeof(double));
	B->fa = malloc((n + 1) * sizeof(size_t));
	B->fpos = malloc((n + 1) * sizeof(long));
	B->gone = calloc(n + 1, 1);
	B->tg = malloc((B->p->top + 1) * sizeof(long));
	B->tv = malloc((B->p->top + 1) * sizeof(double));
	B->priced = calloc(B->p->top + 1, 1);
	B->resolved = calloc(n * B->p->top + 1, 1);
	for (int k = 0; k < 3; k++)
		sols[k].partner = malloc((n + 1) * sizeof(long));
	res->partner = malloc((n + 1) * sizeof(long));
	res->reason = calloc(n + 1, sizeof(int));
	res->pinned = calloc(n + 1, sizeof(int));
	res->nalt = calloc(n + 1, sizeof(size_t));
	res->alt = malloc((n * B->p->top + 1) * sizeof(pl_buddies_alt));
	return B->cur && B->ok && B->pin && B->pin_mate && B->eu && B->ev && B->ew && B->fa && B->fpos &&
			       B->gone && B->tg && B->tv && B->priced && B->resolved && sols[0].partner &&
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
		if (cnt == p->top && (cnt == 0 || cmp_alt(&cand, &a[cnt - 1]) >= 0))
			continue;
		/* insert in order (the list is short: `top` at most 50) */
		{
			size_t at = cnt < p->top ? cnt++ : cnt - 1;
			while (at > 0 && cmp_alt(&cand, &a[at - 1]) < 0) {
				a[at] = a[at - 1];
				at--;
			}
			a[at] = cand;
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
 * Whether one search per client can price the alternatives (pl_blossom_search_kept): the free
 * clients are even in number and all paired by the base (so s is the base's pairing, no triad),
 * and with a pair (i, j) required the rest is paired perfectly whenever it can be, so the
 * optimum with the pair is w(i, j) plus the best perfect pairing of F less i and j. A rest that
 * cannot be paired perfectly is left to a re-solve of its own (the search says NAN).
 */
static int search_applies(const bctx *B, const bsol *s)
{
	return !B->p->no_alternative_search && B->have_base && B->m > 0 && B->nf % 2 == 0 &&
	       2 * B->base.r.pairs == B->nf && s->triad[0] < 0;
}

/*
 * Client i's cnt alternatives a[] by one single-root search from the base: W*(F - i - j) for
 * every candidate j at once, in the solver's integer weights (ew: offset K S plus the scaled
 * weight). total_change = (ew(i, j) + W*(F - i - j) - W(base)) / S: the same pairs, K S each,
 * cancel. B->priced[k] says which were priced (matched_change 0: as many clients paired).
 */
static pl_status search_alternatives(bctx *B, size_t i, pl_buddies_alt *a, size_t cnt,
				     pl_error *err)
{
	double basew = 0.0, S = B->scale;
	pl_status st;

	for (size_t v = 0; v < B->nf; v++) {
		long k = B->base.r.mate_edge[v];
		if (k >= 0 && B->base.r.mate[v] > (long)v)
			basew += B->ew[k];
	}
	for (size_t k = 0; k < cnt; k++)
		B->tg[k] = B->fpos[a[k].partner];
	if (!B->ws && !(B->ws = pl_blossom_ws_new(B->nf, B->m, B->eu, B->ev, B->ew)))
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	st = pl_blossom_search_kept(B->ws, &B->base.r, &B->base.s, (size_t)B->fpos[i], B->tg, cnt,
				    B->tv, err);
	B->solves++;
	B->alt_searches++;
	if (st == PL_ERR_INTERNAL) {
		/* a broken premise of the search (it augmented): the workspace was reset, and the
		 * per-pair re-solves that follow price these alternatives instead */
		pl_error none = PL_ERROR_INIT;
		*err = none;
		return PL_OK;
	}
	if (st != PL_OK)
		return st;
	for (size_t k = 0; k < cnt; k++) {
		double eij = B->offset * S + nearbyint(wgt(B, i, a[k].partner) * S), tc, f;
		B->priced[k] = !isnan(B->tv[k]);
		if (!B->priced[k])
			continue;
		tc = (eij + B->tv[k] - basew) / S;
		/* A change halfway between two printed values (4 decimals: 0.26355 with 5-decimal
		 * scores) prints one way or the other depending on the last bit, and the per-pair
		 * re-solve's sum of pair weights may land on the other side of the half than this
		 * exact quotient: such a change is left to the re-solve, so the output stays what it
		 * was. (Rare: it needs scores with more than 4 decimals.) */
		f = fabs(tc) * BUDDIES_PRINT_SCALE;
		if (fabs(f - floor(f) - 0.5) < 1e-6) {
			B->priced[k] = 0;
			continue;
		}
		a[k].total_change = tc;
		a[k].matched_change = 0;
	}
	return PL_OK;
}

/*
 * The pair (i, j) required is the pair (j, i) required: when client j < i already priced i as
 * its alternative by a re-solve in this pass, that answer (the same re-solve, bit for bit: the
 * same clients taken out of the same base) is copied into a (client i's alternative k) instead
 * of solving again. Returns 1 when copied. (A re-solve that beat s was recorded when it ran.)
 */
static int reuse_pair(const bctx *B, size_t i, pl_buddies_alt *a, const pl_buddies_result *res)
{
	size_t j = a->partner, top = B->p->top;

	if (j > i || B->pin[j])
		return 0;
	for (size_t k = 0; k < res->nalt[j]; k++) {
		const pl_buddies_alt *b = res->alt + j * top + k;
		if (b->partner == i && B->resolved[j * top + k]) {
			a->total_change = b->total_change;
			a->matched_change = b->matched_change;
			return 1;
		}
	}
	return 0;
}

/*
 * One pass over the clients: each one's alternatives with the exact change (a re-solve into t
 * with the pair required, or the same pair's from its other client, reuse_pair). The first
 * re-solve that beats s (possible only with the exchange heuristic's triad) is kept in u and
 * *improved set, when may_improve.
 */
static pl_status alternatives_pass(bctx *B, const bsol *s, bsol *t, bsol *u, int may_improve,
				   int *improved, pl_buddies_result *res, pl_error *err)
{
	const pl_buddies_problem *p = B->p;

	int search = search_applies(B, s);

	*improved = 0;
	for (size_t i = 0; p->top > 0 && i < B->n; i++) {
		pl_buddies_alt *a = res->alt + i * p->top;
		size_t cnt;
		res->nalt[i] = 0;
		if (B->pin[i])
			continue;
		cnt = list_candidates(B, s, i, a);
		res->nalt[i] = cnt;
		memset(B->priced, 0, p->top);
		memset(B->resolved + i * p->top, 0, p->top);
		if (search && !p->no_alternative_change && cnt > 0) {
			pl_status st = search_alternatives(B, i, a, cnt, err);
			if (st != PL_OK)
				return st;
		}
		for (size_t k = 0; !p->no_alternative_change && k < cnt; k++) {
			pl_status st;
			if (B->priced[k] || reuse_pair(B, i, &a[k], res))
				continue;
			st = solve_core(B, (long)i, (long)a[k].partner, t, err);
			B->alt_resolves++;
			if (st != PL_OK)
				return st;
			B->resolved[i * p->top + k] = 1;
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
	res->alternative_triads = B->alt_triads;
	res->alternative_searches = B->alt_searches;
	res->alternative_resolves = B->alt_resolves;
	res->exact_weights = B->exact;
}

pl_status pl_buddies_solve(const pl_buddies_problem *p, pl_buddies_result *res, pl_error *err)
{
	bctx B;
	bsol sols[3]; /* the answer, a re-solve, a re-solve that beat the answer */
	pl_status st;

	pl_buddies_result_init(res);
	memset(&B, 0, sizeof(B));
	{
		bcert z = BCERT_INIT;
		B.base = z;
	}
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
	fill_allowed(&B);
	st = set_pairs(&B, res, err);
	if (st == PL_OK) {
		fill_weights(&B);
		st = build_graph(&B, err);
	}
	if (st == PL_OK)
		st = solve_base(&B, err);
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

