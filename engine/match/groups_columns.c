/*
 * groups_columns.c: the set-partitioning (column) bound for match groups and price-and-branch
 * (issue 13: "the gap reported against a bound worth reading", "a placement that does not depend
 * on luck").
 *
 * Model (Johnson, Mehrotra & Nemhauser 1993, "Min-cut clustering", Math. Programming 62;
 * Mehrotra & Trick 1998, "Cliques and clustering: a combinatorial approach", Oper. Res. Letters
 * 22). A column is a member set S of one class of identical groups that the group could hold on
 * its own: every unit eligible, pairwise free of conflicts, the size within [min, max] and within
 * every member's size limit. Its value v(S) is the sum of the pair scores inside S. A grouping is
 * a choice of columns, each unit in at most one, each class at most its number of groups (exactly
 * that many when required). For multipliers pi >= 0 on the unit rows,
 *
 *     L(pi) = sum_u pi_u + sum_c m_c * max(0, max_S [v(S) - pi(S)])      (no max(0, .) if required)
 *
 * bounds the total of every grouping (each column's value is pi(S) plus its reduced value, and
 * each unit is counted at most once), whatever pi is, provided the inner max is solved exactly or
 * replaced by an upper bound of it. The best pi is the dual of the LP relaxation of the model
 * (the Lagrangian dual equals the LP bound: Geoffrion 1974, "Lagrangean relaxation for integer
 * programming", Math. Programming Study 2), which we get by column generation: a dense revised
 * simplex with an explicit basis inverse (Chvatal 1983, "Linear Programming", ch. 7; Bland's rule
 * against cycling, Bland 1977) on the columns found so far, then pricing each class.
 *
 * Pricing is "max-weight subgraph with node costs, a cardinality range and conflicts": a
 * depth-first branch and bound over the class's eligible units, candidates kept as a bit set
 * that shrinks to the units compatible with everyone chosen (the scheme of Carraghan & Pardalos
 * 1990, "An exact algorithm for the maximum clique problem", Oper. Res. Letters 9, with a
 * quadratic objective). The bound of a node: each candidate's node value plus its links to the
 * units chosen plus half of its best positive scores to other units (a pair inside the completion
 * is counted half from each side), the best "seats left" of those summed. Capped by a node count;
 * a capped search returns the largest bound of what it left unexplored, which keeps L(pi) valid.
 *
 * The same machinery runs a second time with v(S) = clients in S: its bound caps the number of
 * clients any grouping can place, which is what lets an answer be called optimal (the objective
 * is lexicographic: placed first).
 *
 * Price-and-branch (Barnhart, Johnson, Nemhauser, Savelsbergh & Vance 1998, "Branch-and-price",
 * Oper. Res. 46, on restricting the integer search to the generated columns): the pool's columns
 * (and the caller's extra columns) go into an exact depth-first set-packing search, required
 * classes first, then the unit with the fewest columns, bounded by the pool's own Lagrangian
 * values. Then the search within the gap (enumerate_gap, floor_search): every column that can be
 * part of a grouping with a total of at least a floor is listed by the reduced-cost test, and the
 * master searched over them; a complete search that finds a grouping proves it optimal. Floors
 * are fixed fractions below the bound, so the proof does not depend on the heuristic's answer.
 * Node counts, never a clock; no random numbers: the same program gives the same columns, and a
 * proven answer is the same grouping on every seed.
 */
#include "groups_columns.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LP_TOL 1e-9
#define LP_PIVOTS 20000          /* pivots per LP solve (a cap; never reached in tests) */
#define CG_ROUNDS 60             /* column generation rounds per model */
#define PRICE_NODES_FAST 4000    /* pricing nodes per class while columns are being found */
#define PRICE_NODES_EXACT 400000 /* ... in a round that must prove no column is missing */
#define PRICE_KEEP 4             /* columns kept per pricing call (its last improvements) */
#define MASTER_FIRST 100000UL    /* restricted master search nodes, generated columns alone */
#define MASTER_NODES 1000000UL   /* ... with the enumerated or the heuristic's columns */
#define DEGENERATE_BLAND 50      /* degenerate pivots in a row before Bland's rule */
#define ENUM_NODES 1500000UL     /* search nodes of the enumeration within the gap */
#define ENUM_COLUMNS 25000       /* columns it may list */

typedef struct col {
	uint64_t mask;
	size_t cls, size;
	double val;   /* total of the pairs inside (the objective) */
	double worth; /* the model's value: val, or size for the placed model */
} col;

typedef struct gclass {
	size_t count, gmin, gmax;
	int req;
	uint64_t elig;
} gclass;

/* One model: the pool and LP of "total" (worth = val) or "placed" (worth = size). */
typedef struct model {
	int placed;
	col *pool;
	size_t npool, cap;
	size_t m;        /* rows: U units + C classes */
	double *Binv;    /* m x m */
	size_t *basis;   /* m: < m slack of that row, else pool index + m */
	double *xB, *y;  /* m */
	double bound;    /* best L(pi) seen */
	double *pi;      /* U: the multipliers of that bound */
	double *red;     /* C: max(0 or -inf, max_S worth - pi(S)) at those multipliers */
	int exact;       /* the bound's pricing was exact */
	size_t rounds;
} model;

struct pl_gcols {
	pl_gcols_in in;
	size_t C;
	gclass *cls;
	size_t *cls_of; /* G */
	model tot, plc;
	col *en;        /* columns enumerated within the gap (pl_gcols_enumerate) */
	size_t nen;
	pl_gcols_stats st;
	double scale;
};

/* ---------------------------------------------------------------- pricing */

typedef struct pricer {
	size_t n;                /* candidates (local indices, search order) */
	size_t id[64];           /* unit of each local index */
	double w[64];            /* node value: worth of the unit alone minus its multiplier */
	double A[64][64];        /* local pair values */
	uint64_t compat[64];     /* local units it may share a group with */
	double pre[64][65];      /* prefix sums of its positive pair values, largest first */
	size_t sz[64], lim[64];
	double lnk[64];          /* links to the units chosen */
	size_t gmin, gmax;
	double best, open_max, tol;
	uint64_t keep[PRICE_KEEP];
	double keepv[PRICE_KEEP];
	size_t nkeep;
	unsigned long nodes, cap;
	int aborted;
	int enumerate;           /* 1: list every column worth at least the threshold (best) */
	uint64_t *list;          /* ... here (local masks) */
	size_t nlist, listcap, listmax;
} pricer;

static int dbl_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x < y) - (x > y);
}

/* The node's bound: value plus the best `r` candidate contributions (at least one when the
 * group is below its minimum). Returns -DBL_MAX when no candidate fits. */
static double price_node_bound(const pricer *X, uint64_t P, size_t size, size_t cap, double value)
{
	size_t r = cap - size, k = 0;
	double top[64], sum = 0.0, first = -DBL_MAX;

	for (uint64_t q = P; q; q &= q - 1) {
		size_t v = (size_t)__builtin_ctzll(q);
		size_t kk;
		double c;
		if (X->sz[v] > r || X->lim[v] < size + X->sz[v])
			continue;
		kk = r - 1 < X->n ? r - 1 : X->n;
		c = X->w[v] + X->lnk[v] + 0.5 * X->pre[v][kk];
		if (c > first)
			first = c;
		if (c <= 0.0)
			continue;
		/* keep the r largest positive contributions (insertion, r is small) */
		if (k < r) {
			size_t i = k++;
			while (i > 0 && top[i - 1] < c) {
				top[i] = top[i - 1];
				i--;
			}
			top[i] = c;
		} else if (c > top[k - 1]) {
			size_t i = k - 1;
			while (i > 0 && top[i - 1] < c) {
				top[i] = top[i - 1];
				i--;
			}
			top[i] = c;
		}
	}
	if (first == -DBL_MAX)
		return size >= X->gmin ? value : -DBL_MAX;
	for (size_t i = 0; i < k; i++)
		sum += top[i];
	if (size < X->gmin && k == 0)
		sum = first; /* must add someone */
	return value + sum;
}

static void price_record(pricer *X, uint64_t S, double value)
{
	X->best = value;
	if (X->nkeep < PRICE_KEEP) {
		X->keep[X->nkeep] = S;
		X->keepv[X->nkeep++] = value;
	} else {
		memmove(X->keep, X->keep + 1, (PRICE_KEEP - 1) * sizeof(uint64_t));
		memmove(X->keepv, X->keepv + 1, (PRICE_KEEP - 1) * sizeof(double));
		X->keep[PRICE_KEEP - 1] = S;
		X->keepv[PRICE_KEEP - 1] = value;
	}
}

/* Enumeration mode: keep S; a full list (listmax) or no memory stops the search, incomplete. */
static int enum_push(pricer *X, uint64_t S)
{
	if (X->nlist == X->listcap) {
		size_t nc = X->listcap ? 2 * X->listcap : 256;
		uint64_t *l = nc <= X->listmax ? realloc(X->list, nc * sizeof(uint64_t)) : NULL;
		if (!l) {
			X->aborted = 1;
			X->nodes = X->cap;
			return -1;
		}
		X->list = l;
		X->listcap = nc;
	}
	X->list[X->nlist++] = S;
	return 0;
}

static void price_dfs(pricer *X, uint64_t S, size_t size, size_t cap, double value, uint64_t P)
{
	double ub;

	if (size >= X->gmin && value > X->best + X->tol) {
		if (!X->enumerate)
			price_record(X, S, value);
		else if (enum_push(X, S) != 0)
			return;
	}
	if (!P || size >= cap)
		return;
	ub = price_node_bound(X, P, size, cap, value);
	if (ub <= X->best + X->tol)
		return;
	if (X->nodes >= X->cap) {
		X->aborted = 1;
		if (ub > X->open_max)
			X->open_max = ub;
		return;
	}
	X->nodes++;
	while (P) {
		size_t v = (size_t)__builtin_ctzll(P);
		uint64_t Q;
		size_t ncap;
		P &= P - 1;
		ncap = X->lim[v] < cap ? X->lim[v] : cap;
		if (size + X->sz[v] > ncap)
			continue;
		Q = P & X->compat[v];
		for (uint64_t q = Q; q; q &= q - 1) {
			size_t x = (size_t)__builtin_ctzll(q);
			X->lnk[x] += X->A[v][x];
		}
		price_dfs(X, S | ((uint64_t)1 << v), size + X->sz[v], ncap,
			  value + X->w[v] + X->lnk[v], Q);
		for (uint64_t q = Q; q; q &= q - 1) {
			size_t x = (size_t)__builtin_ctzll(q);
			X->lnk[x] -= X->A[v][x];
		}
		if (X->aborted) {
			/* the siblings not tried are covered by this node's bound */
			if (ub > X->open_max)
				X->open_max = ub;
			return;
		}
	}
}

typedef struct cand_key {
	double key;
	size_t u;
} cand_key;

static int cand_cmp(const void *a, const void *b)
{
	const cand_key *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? 1 : -1;
	return (x->u > y->u) - (x->u < y->u);
}

/* The pricing problem of class c of model M at multipliers pi, in X (candidates ordered by their
 * node value plus half their positive links: good columns are found first). */
static void price_setup(const pl_gcols *G, const model *M, size_t c, const double *pi,
			unsigned long cap, pricer *X)
{
	const pl_gcols_in *in = &G->in;
	const gclass *k = &G->cls[c];
	size_t U = in->U, n = 0;
	cand_key keys[64];
	double buf[64];

	X->nodes = 0;
	X->aborted = 0;
	X->nkeep = 0;
	for (size_t u = 0; u < U; u++) {
		double tw;
		if (!(k->elig >> u & 1))
			continue;
		tw = M->placed ? (double)in->usz[u] : in->uin[u];
		keys[n].u = u;
		keys[n].key = tw - pi[u];
		if (!M->placed)
			for (size_t v = 0; v < U; v++)
				if (v != u && (k->elig >> v & 1) && !in->UF[u * U + v] &&
				    in->US[u * U + v] > 0.0)
					keys[n].key += 0.5 * in->US[u * U + v];
		n++;
	}
	qsort(keys, n, sizeof(cand_key), cand_cmp);
	X->n = n;
	for (size_t a = 0; a < n; a++) {
		size_t u = keys[a].u;
		X->id[a] = u;
		X->w[a] = (M->placed ? (double)in->usz[u] : in->uin[u]) - pi[u];
		X->sz[a] = in->usz[u];
		X->lim[a] = in->ulim[u];
		X->lnk[a] = 0.0;
	}
	for (size_t a = 0; a < n; a++) {
		size_t m = 0;
		X->compat[a] = 0;
		for (size_t b = 0; b < n; b++) {
			int ok = a != b && !in->UF[X->id[a] * U + X->id[b]];
			X->A[a][b] = M->placed ? 0.0 : in->US[X->id[a] * U + X->id[b]];
			if (!ok)
				continue;
			X->compat[a] |= (uint64_t)1 << b;
			if (X->A[a][b] > 0.0)
				buf[m++] = X->A[a][b];
		}
		qsort(buf, m, sizeof(double), dbl_desc);
		X->pre[a][0] = 0.0;
		for (size_t i = 0; i < n; i++)
			X->pre[a][i + 1] = X->pre[a][i] + (i < m ? buf[i] : 0.0);
	}
	X->gmin = k->gmin;
	X->gmax = k->gmax;
	X->best = -DBL_MAX;
	X->open_max = -DBL_MAX;
	X->tol = G->in.eps;
	X->cap = cap;
	X->enumerate = 0;
}

static uint64_t price_all(const pricer *X)
{
	return X->n == 64 ? ~(uint64_t)0 : (((uint64_t)1 << X->n) - 1);
}

/* Price class c of model M at multipliers pi: the largest worth(S) - pi(S) over the class's
 * columns (an upper bound of it when the node cap was hit: *exact = 0), -DBL_MAX when the class
 * has no column. Columns found on the way are left in X->keep (local masks). */
static double price_class(const pl_gcols *G, const model *M, size_t c, const double *pi,
			  unsigned long cap, pricer *X, int *exact)
{
	price_setup(G, M, c, pi, cap, X);
	price_dfs(X, 0, 0, G->cls[c].gmax, 0.0, price_all(X));
	*exact = !X->aborted;
	return X->best > X->open_max ? X->best : X->open_max;
}

/* A local mask of the pricer back to units. */
static uint64_t price_units(const pricer *X, uint64_t S)
{
	uint64_t m = 0;
	for (; S; S &= S - 1)
		m |= (uint64_t)1 << X->id[__builtin_ctzll(S)];
	return m;
}

/* ---------------------------------------------------------------- columns */

static double col_value(const pl_gcols_in *in, uint64_t mask, size_t *size)
{
	double v = 0.0;
	size_t s = 0;
	for (uint64_t a = mask; a; a &= a - 1) {
		size_t u = (size_t)__builtin_ctzll(a);
		v += in->uin[u];
		s += in->usz[u];
		for (uint64_t b = a & (a - 1); b; b &= b - 1)
			v += in->US[u * in->U + (size_t)__builtin_ctzll(b)];
	}
	*size = s;
	return v;
}

/* Add column (mask, class) to M's pool unless present. Returns -1 on allocation failure, 1 added,
 * 0 present. */
static int pool_add(const pl_gcols *G, model *M, uint64_t mask, size_t c)
{
	col *k;
	for (size_t j = 0; j < M->npool; j++)
		if (M->pool[j].mask == mask && M->pool[j].cls == c)
			return 0;
	if (M->npool == M->cap) {
		size_t nc = M->cap ? 2 * M->cap : 64;
		col *p = realloc(M->pool, nc * sizeof(col));
		if (!p)
			return -1;
		M->pool = p;
		M->cap = nc;
	}
	k = &M->pool[M->npool++];
	k->mask = mask;
	k->cls = c;
	k->val = col_value(&G->in, mask, &k->size);
	k->worth = M->placed ? (double)k->size : k->val;
	return 1;
}

/* ---------------------------------------------------------------- the LP (revised simplex) */

static double lp_cost(const model *M, size_t k)
{
	return k < M->m ? 0.0 : M->pool[k - M->m].worth;
}

/* B^{-1} a_k into alpha. */
static void lp_column(const pl_gcols *G, const model *M, size_t k, double *alpha)
{
	size_t m = M->m, U = G->in.U;
	if (k < m) {
		for (size_t r = 0; r < m; r++)
			alpha[r] = M->Binv[r * m + k];
		return;
	}
	const col *c = &M->pool[k - m];
	for (size_t r = 0; r < m; r++) {
		double s = M->Binv[r * m + U + c->cls];
		for (uint64_t a = c->mask; a; a &= a - 1)
			s += M->Binv[r * m + (size_t)__builtin_ctzll(a)];
		alpha[r] = s;
	}
}

static void lp_duals(model *M)
{
	size_t m = M->m;
	for (size_t i = 0; i < m; i++)
		M->y[i] = 0.0;
	for (size_t r = 0; r < m; r++) {
		double c = lp_cost(M, M->basis[r]);
		if (c != 0.0)
			for (size_t i = 0; i < m; i++)
				M->y[i] += c * M->Binv[r * m + i];
	}
}

static double lp_reduced(const pl_gcols *G, const model *M, size_t k)
{
	size_t m = M->m, U = G->in.U;
	if (k < m)
		return -M->y[k];
	const col *c = &M->pool[k - m];
	double s = c->worth - M->y[U + c->cls];
	for (uint64_t a = c->mask; a; a &= a - 1)
		s -= M->y[__builtin_ctzll(a)];
	return s;
}

/* Primal simplex from the current basis to optimality over the pool (a cap on pivots). */
static void lp_solve(const pl_gcols *G, model *M, double *alpha, unsigned char *inb)
{
	size_t m = M->m, nv = m + M->npool, degenerate = 0;

	memset(inb, 0, nv);
	for (size_t r = 0; r < m; r++)
		inb[M->basis[r]] = 1;
	for (unsigned it = 0; it < LP_PIVOTS; it++) {
		size_t enter = SIZE_MAX, leave = SIZE_MAX;
		double best = LP_TOL, ratio = DBL_MAX;
		int bland = degenerate >= DEGENERATE_BLAND;

		lp_duals(M);
		for (size_t k = 0; k < nv; k++) {
			double d;
			if (inb[k])
				continue;
			d = lp_reduced(G, M, k);
			if (d > best) {
				best = d;
				enter = k;
				if (bland)
					break;
			}
		}
		if (enter == SIZE_MAX)
			return;
		lp_column(G, M, enter, alpha);
		for (size_t r = 0; r < m; r++)
			if (alpha[r] > LP_TOL) {
				double t = M->xB[r] / alpha[r];
				if (t < ratio - 1e-12 ||
				    (t <= ratio + 1e-12 && leave != SIZE_MAX && M->basis[r] < M->basis[leave])) {
					ratio = t;
					leave = r;
				}
			}
		if (leave == SIZE_MAX)
			return; /* unbounded: impossible (every column has a class row) */
		degenerate = ratio < 1e-12 ? degenerate + 1 : 0;
		{
			double piv = alpha[leave];
			double *rowl = M->Binv + leave * m;
			for (size_t i = 0; i < m; i++)
				rowl[i] /= piv;
			M->xB[leave] /= piv;
			for (size_t r = 0; r < m; r++) {
				double f;
				if (r == leave || alpha[r] == 0.0)
					continue;
				f = alpha[r];
				for (size_t i = 0; i < m; i++)
					M->Binv[r * m + i] -= f * rowl[i];
				M->xB[r] -= f * M->xB[leave];
				if (M->xB[r] < 0.0 && M->xB[r] > -1e-11)
					M->xB[r] = 0.0;
			}
		}
		inb[M->basis[leave]] = 0;
		inb[enter] = 1;
		M->basis[leave] = enter;
	}
}

/* ---------------------------------------------------------------- column generation */

static int model_init(pl_gcols *G, model *M, int placed)
{
	size_t U = G->in.U, m = U + G->C;

	memset(M, 0, sizeof(*M));
	M->placed = placed;
	M->m = m;
	M->Binv = calloc(m * m + 1, sizeof(double));
	M->basis = malloc((m + 1) * sizeof(size_t));
	M->xB = malloc((m + 1) * sizeof(double));
	M->y = calloc(m + 1, sizeof(double));
	M->pi = calloc(U + 1, sizeof(double));
	M->red = calloc(G->C + 1, sizeof(double));
	if (!M->Binv || !M->basis || !M->xB || !M->y || !M->pi || !M->red)
		return -1;
	for (size_t r = 0; r < m; r++) {
		M->Binv[r * m + r] = 1.0;
		M->basis[r] = r;
		M->xB[r] = r < U ? 1.0 : (double)G->cls[r - U].count;
	}
	M->bound = DBL_MAX;
	return 0;
}

static void model_release(model *M)
{
	free(M->pool);
	free(M->Binv);
	free(M->basis);
	free(M->xB);
	free(M->y);
	free(M->pi);
	free(M->red);
	memset(M, 0, sizeof(*M));
}

/* One round: price every class at the LP's duals, add improving columns, and evaluate L(pi).
 * Returns the number of columns added, -1 on allocation failure. */
static int cg_round(pl_gcols *G, model *M, unsigned long cap, pricer *X, double *red, int *exact)
{
	const pl_gcols_in *in = &G->in;
	size_t U = in->U;
	double pi[64], L = 0.0;
	int added = 0;

	*exact = 1;
	for (size_t u = 0; u < U; u++) {
		pi[u] = M->y[u] > 0.0 ? M->y[u] : 0.0;
		L += pi[u];
	}
	for (size_t c = 0; c < G->C; c++) {
		int ex = 1;
		double z = price_class(G, M, c, pi, cap, X, &ex);
		double mu = M->y[U + c];
		G->st.price_nodes += X->nodes;
		*exact &= ex;
		red[c] = z;
		if (G->cls[c].req && z > -DBL_MAX)
			L += (double)G->cls[c].count * z;
		else if (z > 0.0)
			L += (double)G->cls[c].count * z;
		for (size_t i = 0; i < X->nkeep; i++)
			if (X->keepv[i] > mu + 1e-9 * G->scale) {
				int r = pool_add(G, M, price_units(X, X->keep[i]), c);
				if (r < 0)
					return -1;
				added += r;
			}
	}
	if (L < M->bound) {
		M->bound = L;
		memcpy(M->pi, pi, U * sizeof(double));
		for (size_t c = 0; c < G->C; c++)
			M->red[c] = red[c];
		M->exact = *exact;
	}
	return added;
}

/* Column generation for model M: rounds of LP + pricing until pricing (exact) finds nothing. */
static int colgen(pl_gcols *G, model *M)
{
	size_t m = M->m;
	double *alpha = malloc((m + 1) * sizeof(double)), red[64 + 1];
	unsigned char *inb = NULL;
	pricer *X = malloc(sizeof(pricer));
	int rc = 0, exact_round = 0;

	if (!alpha || !X) {
		rc = -1;
		goto out;
	}
	for (size_t r = 0; r < CG_ROUNDS; r++) {
		int exact = 0, added;
		unsigned char *nb = realloc(inb, m + M->npool + 1);
		if (!nb) {
			rc = -1;
			goto out;
		}
		inb = nb;
		lp_solve(G, M, alpha, inb);
		lp_duals(M);
		added = cg_round(G, M, exact_round ? PRICE_NODES_EXACT : PRICE_NODES_FAST, X, red,
				 &exact);
		M->rounds++;
		if (added < 0) {
			rc = -1;
			goto out;
		}
		if (added == 0) {
			if (exact_round || exact)
				break; /* nothing is missing: L(pi) is the LP bound (or its cap's bound) */
			exact_round = 1;
		} else {
			exact_round = 0;
		}
	}
out:
	free(alpha);
	free(inb);
	free(X);
	return rc;
}

/* ---------------------------------------------------------------- classes and the object */

static int build_classes(pl_gcols *G)
{
	const pl_gcols_in *in = &G->in;
	size_t U = in->U;

	G->cls = calloc(in->G + 1, sizeof(gclass));
	G->cls_of = malloc((in->G + 1) * sizeof(size_t));
	if (!G->cls || !G->cls_of)
		return -1;
	G->C = 0;
	for (size_t g = 0; g < in->G; g++) {
		uint64_t el = 0;
		int req = in->req && in->req[g];
		size_t c;
		gclass *k;
		for (size_t u = 0; u < U; u++)
			if (in->UE[u * in->G + g])
				el |= (uint64_t)1 << u;
		/* identical groups (sizes, required, who may join) share a class */
		for (c = 0; c < G->C; c++)
			if (G->cls[c].gmin == in->gmin[g] && G->cls[c].gmax == in->gmax[g] &&
			    G->cls[c].req == req && G->cls[c].elig == el)
				break;
		if (c < G->C) {
			G->cls_of[g] = c;
			G->cls[c].count++;
			continue;
		}
		k = &G->cls[G->C];
		G->cls_of[g] = G->C++;
		k->count = 1;
		k->gmin = in->gmin[g];
		k->gmax = in->gmax[g];
		k->req = req;
		k->elig = el;
	}
	return 0;
}

pl_gcols *pl_gcols_new(const pl_gcols_in *in, pl_error *err)
{
	pl_gcols *G = calloc(1, sizeof(pl_gcols));

	if (!G || in->U > PL_GCOLS_MAX_UNITS || build_classes((G->in = *in, G)) != 0 || G->C > 64 ||
	    model_init(G, &G->tot, 0) != 0 || model_init(G, &G->plc, 1) != 0) {
		pl_gcols_free(G);
		pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		return NULL;
	}
	G->scale = 1.0;
	for (size_t k = 0; k < in->U * in->U; k++)
		if (fabs(in->US[k]) > G->scale)
			G->scale = fabs(in->US[k]);
	if (colgen(G, &G->tot) != 0 || colgen(G, &G->plc) != 0) {
		pl_gcols_free(G);
		pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		return NULL;
	}
	G->st.bound = G->tot.bound;
	G->st.placed_bound = G->plc.bound;
	G->st.bound_exact = G->tot.exact;
	G->st.rounds = G->tot.rounds + G->plc.rounds;
	G->st.columns = G->tot.npool + G->plc.npool;
	return G;
}

void pl_gcols_free(pl_gcols *G)
{
	if (!G)
		return;
	model_release(&G->tot);
	model_release(&G->plc);
	free(G->en);
	free(G->cls);
	free(G->cls_of);
	free(G);
}

const pl_gcols_stats *pl_gcols_stats_of(const pl_gcols *G)
{
	return &G->st;
}



/* ---------------------------------------------------------------- the restricted master */

typedef struct master {
	const pl_gcols *G;
	col *cols;
	size_t ncols;
	size_t nord, ord[64];
	size_t *lstart, *lead;   /* columns led by position p: lead[lstart[p] .. lstart[p + 1]) */
	uint64_t rest[65];       /* units at positions >= p */
	size_t used[64];
	uint64_t covered;
	size_t placed, bplaced;
	double total, btotal, eps;
	size_t stack[64], depth, bstack[64], bdepth;
	double dmax[64], dmaxp[64];
	size_t req_from[64];     /* a required class's next column to try */
	unsigned long nodes, cap;
	int have, complete, found; /* found: a grouping recorded by this search (not the incumbent) */
} master;

/* Column j's reduced value max(0, worth - pi(S)) at model M's multipliers, per class. */
static void master_reduced(master *X, const model *M, double *d)
{
	for (size_t c = 0; c < X->G->C; c++)
		d[c] = 0.0;
	for (size_t j = 0; j < X->ncols; j++) {
		const col *k = &X->cols[j];
		double v = M->placed ? (double)k->size : k->val;
		for (uint64_t a = k->mask; a; a &= a - 1)
			v -= M->pi[__builtin_ctzll(a)];
		if (v > d[k->cls])
			d[k->cls] = v;
	}
}

static int master_better(const master *X, size_t placed, double total)
{
	return !X->have || placed > X->bplaced ||
	       (placed == X->bplaced && total > X->btotal + X->eps);
}

static void master_dfs(master *X, size_t p);

/* A required class not yet filled is filled first (its columns in canonical order, increasing
 * within the class so that each choice is made once): a search that met the units first could
 * spend its nodes on groupings that leave it empty. */
static void master_take(master *X, size_t j, size_t p)
{
	const col *k = &X->cols[j];
	X->covered |= k->mask;
	X->used[k->cls]++;
	X->placed += k->size;
	X->total += k->val;
	X->stack[X->depth++] = j;
	master_dfs(X, p);
	X->depth--;
	X->total -= k->val;
	X->placed -= k->size;
	X->used[k->cls]--;
	X->covered &= ~k->mask;
}

static void master_required(master *X, size_t p, size_t c)
{
	size_t from = X->req_from[c];

	if (X->nodes >= X->cap) {
		X->complete = 0;
		return;
	}
	X->nodes++;
	for (size_t j = from; j < X->ncols; j++) {
		if (X->cols[j].cls != c || (X->cols[j].mask & X->covered))
			continue;
		X->req_from[c] = j + 1;
		master_take(X, j, p);
	}
	X->req_from[c] = from;
}

static void master_dfs(master *X, size_t p)
{
	const pl_gcols *G = X->G;
	const pl_gcols_in *in = &G->in;
	uint64_t R;
	size_t pub = 0;
	double tub = X->total, pl = 0.0;

	while (p < X->nord && (X->covered >> X->ord[p] & 1))
		p++;
	R = X->rest[p] & ~X->covered;
	for (uint64_t a = R; a; a &= a - 1) {
		size_t u = (size_t)__builtin_ctzll(a);
		pub += in->usz[u];
		tub += G->tot.pi[u];
		pl += G->plc.pi[u];
	}
	for (size_t c = 0; c < G->C; c++) {
		double left = (double)(G->cls[c].count - X->used[c]);
		tub += left * X->dmax[c];
		pl += left * X->dmaxp[c];
	}
	if (pl + 1e-7 < (double)pub)
		pub = (size_t)floor(pl + 1e-7);
	pub += X->placed;
	if (X->have && (pub < X->bplaced || (pub == X->bplaced && tub <= X->btotal + X->eps)))
		return;
	for (size_t c = 0; c < G->C; c++)
		if (G->cls[c].req && X->used[c] < G->cls[c].count) {
			master_required(X, p, c);
			return;
		}
	if (p == X->nord) {
		if (master_better(X, X->placed, X->total)) {
			X->have = X->found = 1;
			X->bplaced = X->placed;
			X->btotal = X->total;
			X->bdepth = X->depth;
			memcpy(X->bstack, X->stack, X->depth * sizeof(size_t));
		}
		return;
	}
	if (X->nodes >= X->cap) {
		X->complete = 0;
		return;
	}
	X->nodes++;
	for (size_t i = X->lstart[p]; i < X->lstart[p + 1]; i++) {
		const col *k = &X->cols[X->lead[i]];
		if ((k->mask & X->covered) || X->used[k->cls] >= G->cls[k->cls].count)
			continue;
		master_take(X, X->lead[i], p + 1);
	}
	master_dfs(X, p + 1);
}

typedef struct ord_key {
	size_t count, u;
} ord_key;

static int ord_cmp(const void *a, const void *b)
{
	const ord_key *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return (x->u > y->u) - (x->u < y->u);
}

static int lead_cmp_val(const col *a, const col *b)
{
	if (a->val != b->val)
		return a->val < b->val ? 1 : -1;
	if (a->mask != b->mask)
		return a->mask < b->mask ? -1 : 1;
	return (a->cls > b->cls) - (a->cls < b->cls);
}

static int col_cmp(const void *a, const void *b)
{
	return lead_cmp_val(a, b);
}

/* Columns of both pools, the enumerated ones and `extra`, each once, in a canonical order
 * (value, then mask), so that the search does not depend on the order they were found in. */
static int master_columns(master *X, const long *extra)
{
	const pl_gcols *G = X->G;
	size_t cap = G->tot.npool + G->plc.npool + G->nen + G->in.G + 1, n = 0, m = 0;

	X->cols = malloc(cap * sizeof(col));
	if (!X->cols)
		return -1;
	if (G->tot.npool) /* memcpy from a NULL pool is undefined even for 0 bytes */
		memcpy(X->cols, G->tot.pool, G->tot.npool * sizeof(col));
	n = G->tot.npool;
	if (G->plc.npool)
		memcpy(X->cols + n, G->plc.pool, G->plc.npool * sizeof(col));
	n += G->plc.npool;
	if (G->nen)
		memcpy(X->cols + n, G->en, G->nen * sizeof(col));
	n += G->nen;
	for (size_t g = 0; extra && g < G->in.G; g++) {
		col k;
		k.mask = 0;
		for (size_t u = 0; u < G->in.U; u++)
			if (extra[u] == (long)g)
				k.mask |= (uint64_t)1 << u;
		if (!k.mask)
			continue;
		k.cls = G->cls_of[g];
		k.val = col_value(&G->in, k.mask, &k.size);
		k.worth = k.val;
		X->cols[n++] = k;
	}
	qsort(X->cols, n, sizeof(col), col_cmp);
	for (size_t i = 0; i < n; i++) /* the same set of the same class has the same value */
		if (m == 0 || X->cols[i].mask != X->cols[m - 1].mask ||
		    X->cols[i].cls != X->cols[m - 1].cls)
			X->cols[m++] = X->cols[i];
	X->ncols = m;
	return 0;
}

/* Branching order (units in the fewest columns first) and the columns each position leads. */
static int master_order(master *X)
{
	const pl_gcols_in *in = &X->G->in;
	ord_key keys[64];
	size_t pos[64], nk = 0;

	for (size_t u = 0; u < in->U; u++) {
		size_t cnt = 0;
		for (size_t j = 0; j < X->ncols; j++)
			cnt += X->cols[j].mask >> u & 1;
		if (cnt) {
			keys[nk].count = cnt;
			keys[nk++].u = u;
		}
	}
	qsort(keys, nk, sizeof(ord_key), ord_cmp);
	X->nord = nk;
	for (size_t u = 0; u < 64; u++)
		pos[u] = SIZE_MAX;
	for (size_t p = 0; p < nk; p++) {
		X->ord[p] = keys[p].u;
		pos[keys[p].u] = p;
	}
	X->rest[nk] = 0;
	for (size_t p = nk; p-- > 0;)
		X->rest[p] = X->rest[p + 1] | (uint64_t)1 << X->ord[p];
	X->lstart = calloc(nk + 2, sizeof(size_t));
	X->lead = malloc((X->ncols + 1) * sizeof(size_t));
	if (!X->lstart || !X->lead)
		return -1;
	for (size_t j = 0; j < X->ncols; j++) {
		size_t lp = SIZE_MAX;
		for (uint64_t a = X->cols[j].mask; a; a &= a - 1)
			if (pos[__builtin_ctzll(a)] < lp)
				lp = pos[__builtin_ctzll(a)];
		X->lstart[lp + 1]++;
	}
	for (size_t p = 0; p < nk; p++)
		X->lstart[p + 1] += X->lstart[p];
	{
		size_t fill[65] = { 0 };
		for (size_t j = 0; j < X->ncols; j++) { /* stable: keeps the canonical order */
			size_t lp = SIZE_MAX;
			for (uint64_t a = X->cols[j].mask; a; a &= a - 1)
				if (pos[__builtin_ctzll(a)] < lp)
					lp = pos[__builtin_ctzll(a)];
			X->lead[X->lstart[lp] + fill[lp]++] = j;
		}
	}
	return 0;
}

/* The restricted master over the pool, the enumerated columns and the groups of `extra` (a unit
 * -> group assignment, NULL: none): the best grouping over those columns, lexicographically (most
 * clients, then the largest total), written to gu (-1 for unplaced), within `cap` nodes. Returns 1
 * when a grouping strictly better than (placed0, total0) was found (total0 = -DBL_MAX: no
 * incumbent), 0 when none (gu untouched then). */
static int master_run(pl_gcols *G, const long *extra, size_t placed0, double total0,
		      unsigned long cap, long *gu, size_t *placed, double *total)
{
	master *X = calloc(1, sizeof(master));
	int found = 0;

	if (!X)
		return 0;
	X->G = G;
	X->eps = G->in.eps;
	X->complete = 1;
	X->cap = cap;
	if (master_columns(X, extra) != 0 || master_order(X) != 0)
		goto out;
	master_reduced(X, &G->tot, X->dmax);
	master_reduced(X, &G->plc, X->dmaxp);
	if (total0 > -DBL_MAX) { /* an incumbent: only a strictly better grouping is searched for */
		X->have = 1;
		X->bplaced = placed0;
		X->btotal = total0;
	}
	master_dfs(X, 0);
	G->st.master_nodes += X->nodes;
	G->st.master_complete = X->complete;
	if (X->found) {
		size_t next[64];
		/* the k-th column of a class goes to the class's k-th group */
		memset(next, 0, sizeof(next));
		for (size_t u = 0; u < G->in.U; u++)
			gu[u] = -1;
		for (size_t i = 0; i < X->bdepth; i++) {
			const col *k = &X->cols[X->bstack[i]];
			size_t g, seen = 0;
			for (g = 0; g < G->in.G; g++)
				if (G->cls_of[g] == k->cls && seen++ == next[k->cls])
					break;
			next[k->cls]++;
			for (uint64_t a = k->mask; a; a &= a - 1)
				gu[__builtin_ctzll(a)] = (long)g;
		}
		*placed = X->bplaced;
		*total = X->btotal;
		found = 1;
	}
out:
	free(X->cols);
	free(X->lstart);
	free(X->lead);
	free(X);
	return found;
}

/* ---------------------------------------------------------------- enumeration within the gap */

/*
 * Every column that can be part of a grouping whose total is at least lb. With the bound's
 * multipliers pi and its per-class values t_c (the priced maximum, or 0 when larger for a class
 * that need not form), a grouping holding column S of class c has a total of at most
 * L - t_c + (v(S) - pi(S)), so v(S) - pi(S) >= t_c - (L - lb) for each of its columns: the
 * reduced-cost test of Lagrangian column enumeration (as in Baldacci, Christofides & Mingozzi
 * 2008, "An exact algorithm for the vehicle routing problem based on the set partitioning
 * formulation with additional cuts", Math. Programming 115). The pricing search lists them all
 * with that threshold. Returns 1 when the list is complete, 0 when a cap was hit (the columns
 * listed still serve the master), -1 on allocation failure.
 */
static int enumerate_gap(pl_gcols *G, double lb)
{
	const model *M = &G->tot;
	pricer *X = calloc(1, sizeof(pricer));
	unsigned long left = ENUM_NODES;
	size_t room = ENUM_COLUMNS;
	int complete = 1;

	if (!X)
		return -1;
	for (size_t c = 0; c < G->C && complete; c++) {
		double z = M->red[c], t, thr;
		if (z == -DBL_MAX)
			continue; /* the class has no column */
		t = G->cls[c].req || z > 0.0 ? z : 0.0;
		thr = t - (M->bound - lb) - 2.0 * G->in.eps;
		price_setup(G, M, c, M->pi, left, X);
		X->enumerate = 1;
		X->best = thr - X->tol; /* a leaf is listed when its value exceeds best + tol */
		X->nlist = 0;
		X->listmax = room;
		price_dfs(X, 0, 0, G->cls[c].gmax, 0.0, price_all(X));
		G->st.price_nodes += X->nodes;
		left -= X->nodes < left ? X->nodes : left;
		if (X->aborted)
			complete = 0;
		if (X->nlist) {
			col *e = realloc(G->en, (G->nen + X->nlist) * sizeof(col));
			if (!e) {
				free(X->list);
				free(X);
				return -1;
			}
			G->en = e;
			for (size_t i = 0; i < X->nlist; i++) {
				col *k = &G->en[G->nen++];
				k->mask = price_units(X, X->list[i]);
				k->cls = c;
				k->val = col_value(&G->in, k->mask, &k->size);
				k->worth = k->val;
			}
			room -= X->nlist;
		}
	}
	G->st.enumerated = G->nen;
	free(X->list);
	free(X);
	return complete;
}

static int lex_better(size_t p1, double t1, size_t p0, double t0, double eps)
{
	return p1 > p0 || (p1 == p0 && t1 > t0 + eps);
}

/* The best answer so far of pl_gcols_best. */
typedef struct answer {
	long *gu;
	size_t placed;
	double total;
	int have, ours; /* ours: from the columns (not the heuristic's answer) */
} answer;

static void answer_take(answer *A, const long *gu, size_t U, size_t placed, double total, int ours)
{
	memcpy(A->gu, gu, U * sizeof(long));
	A->placed = placed;
	A->total = total;
	A->have = 1;
	A->ours = ours;
}

/*
 * One floor of the search within the gap: every column of a grouping with a total >= lb, and the
 * master over them for the best such grouping (placing pmax clients). Returns 1 when that search
 * was complete (so a grouping found is the optimum, and none found means the optimum is below
 * lb), 0 when a cap was hit, -1 on allocation failure. A grouping found improves A.
 */
static int floor_search(pl_gcols *G, size_t pmax, double lb, answer *A, long *gu)
{
	size_t p2 = 0;
	double t2 = 0.0;
	int complete, found;

	G->nen = 0;
	complete = enumerate_gap(G, lb);
	if (complete < 0)
		return -1;
	found = master_run(G, NULL, pmax, lb - 2.0 * G->in.eps, MASTER_NODES, gu, &p2, &t2);
	if (found && (!A->have || lex_better(p2, t2, A->placed, A->total, -G->in.eps)))
		answer_take(A, gu, G->in.U, p2, t2, 1); /* ties go to the columns: no seed */
	if (found && complete && G->st.master_complete)
		G->st.proven = 1;
	return complete && G->st.master_complete;
}

/* Floors of the search within the gap, as fractions of the bound below it: the first that holds
 * a grouping proves it optimal. Fixed fractions, so the floors do not depend on the seed. */
static const double FLOORS[] = { 0.0025, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.06,
				  0.08, 0.10, 0.12, 0.16, 0.20, 0.25, 0.30 };

int pl_gcols_best(pl_gcols *G, const long *heur, size_t hplaced, double htotal, long *gu,
		  size_t *placed, double *total)
{
	const pl_gcols_in *in = &G->in;
	size_t pmax = (size_t)floor(G->plc.bound + 1e-7), p1 = 0;
	double t1 = 0.0, L = G->tot.bound, lb0 = -DBL_MAX;
	answer A = { malloc((in->U + 1) * sizeof(long)), 0, 0.0, 0, 0 };
	int m1, r = 0;

	if (!A.gu)
		return -1;
	G->st.proven = 0;
	/* 1. the generated columns alone */
	m1 = master_run(G, NULL, 0, -DBL_MAX, MASTER_FIRST, gu, &p1, &t1);
	if (m1)
		answer_take(&A, gu, in->U, p1, t1, 1);
	if (heur && (!A.have || lex_better(hplaced, htotal, A.placed, A.total, in->eps)))
		answer_take(&A, heur, in->U, hplaced, htotal, 0);
	if (A.have && A.ours && A.placed >= pmax && A.total >= L - in->eps) {
		G->st.proven = 1; /* the bound is met (by the heuristic alone: the first floor below
				     finds it, or an equal grouping, whatever the seed) */
		goto out;
	}
	/* 2. the search within the gap, when the answer places the most clients possible */
	if (A.have && A.placed >= pmax) {
		lb0 = A.total;
		for (size_t f = 0; f < sizeof(FLOORS) / sizeof(FLOORS[0]); f++) {
			double lb = L - FLOORS[f] * fabs(L);
			/* every floor down to the first at or below the answer: the floor that proves
			 * the optimum is then the same whatever answer the heuristic brought */
			r = floor_search(G, pmax, lb, &A, gu);
			if (r < 0 || G->st.proven || r == 0 || lb <= lb0 + in->eps)
				goto last;
		}
		/* below every floor: the answer itself is the last (only better is searched) */
		G->nen = 0;
		r = enumerate_gap(G, lb0);
		if (r < 0)
			goto out;
		if (master_run(G, A.ours ? NULL : heur, A.placed, A.total, MASTER_NODES, gu, &p1, &t1))
			answer_take(&A, gu, in->U, p1, t1, 1);
		G->st.proven = r == 1 && G->st.master_complete;
		r = 0;
		goto out;
last:
		if (r < 0 || G->st.proven)
			goto out;
		/* not proven: the last floor's columns and the heuristic's groups, for a better answer */
		if (heur && master_run(G, heur, A.placed, A.total, MASTER_FIRST, gu, &p1, &t1))
			answer_take(&A, gu, in->U, p1, t1, 1);
		r = 0;
		goto out;
	}
	/* 3. not the most clients: the heuristic's groups join the generated columns */
	if (heur && master_run(G, heur, A.placed, A.total, MASTER_NODES, gu, &p1, &t1))
		answer_take(&A, gu, in->U, p1, t1, 1);
out:
	if (r >= 0) {
		r = A.have && A.ours;
		if (r)
			memcpy(gu, A.gu, in->U * sizeof(long));
		*placed = A.placed;
		*total = A.total;
	}
	free(A.gu);
	return r;
}
