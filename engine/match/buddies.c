/*
 * buddies.c: accountability partners: a maximum-cardinality maximum-weight matching of clients
 * among themselves (pl_blossom_solve), with pins, stickiness, a minimum score, the odd one out
 * joining a pair as a triad, and exact "what if" alternatives. See buddies.h for the contract.
 *
 * Triad. With F the clients left after pins and |F| odd, the optimum with one triad T is
 *     max over triangles T of F (all three pairs allowed) of  w(T) + W*(F \ T),
 * W*(X) the weight of a maximum-weight perfect matching of X (a triad only helps if the rest can
 * all be paired, which keeps "most clients matched" first). Trying every triangle with one blossom
 * solve each is exact; we do so up to PL_BUDDIES_TRIAD_EXACT triangles. Beyond, we start from a
 * maximum matching M of F (leaving c0) and try (1) c0 joining each pair of M, and (2) every
 * "rotation" where c0 takes the place of x in a pair (x, y) of M and x joins a pair: O(|F|^2)
 * evaluations that contain the triad of every matching one exchange away from M.
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

/*
 * The optimum with the pins of the problem plus (x, y) when x >= 0. Fills s.
 */
static pl_status solve_core(bctx *B, long x, long y, bsol *s, pl_error *err)
{
	const pl_buddies_problem *p = B->p;
	size_t n = B->n, k = 0, pairs = 0;
	size_t *F = malloc((n + 1) * sizeof(size_t)), *R = malloc((n + 1) * sizeof(size_t));
	long *tmp = malloc((n + 1) * sizeof(long));
	double W = 0.0;
	pl_status st = PL_OK;

	if (!F || !R || !tmp) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
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
			F[k++] = i;
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
	st = match_set(B, F, k, s->partner, &pairs, &W, err);
	if (st != PL_OK)
		goto out;
	if (p->triad && k % 2 == 1 && 2 * pairs + 1 == k) {
		/* count triangles */
		size_t tri = 0;
		for (size_t a = 0; a < k && tri <= PL_BUDDIES_TRIAD_EXACT; a++)
			for (size_t b = a + 1; b < k; b++)
				if (allowed(B, F[a], F[b]))
					for (size_t c = b + 1; c < k; c++)
						if (allowed(B, F[a], F[c]) && allowed(B, F[b], F[c]))
							tri++;
		if (tri == 0) {
			/* no triad possible: the leftover stays alone */
		} else if (tri <= PL_BUDDIES_TRIAD_EXACT && !p->triad_heuristic) {
			double best = -DBL_MAX;
			long bt[3] = { -1, -1, -1 };
			for (size_t a = 0; a < k; a++)
				for (size_t b = a + 1; b < k; b++) {
					if (!allowed(B, F[a], F[b]))
						continue;
					for (size_t c = b + 1; c < k; c++) {
						size_t r = 0, rp = 0;
						double rw = 0.0, v;
						if (!allowed(B, F[a], F[c]) || !allowed(B, F[b], F[c]))
							continue;
						for (size_t q = 0; q < k; q++)
							if (q != a && q != b && q != c)
								R[r++] = F[q];
						st = match_set(B, R, r, tmp, &rp, &rw, err);
						if (st != PL_OK)
							goto out;
						if (2 * rp != r)
							continue; /* the rest cannot all be paired */
						v = triad_weight(B, F[a], F[b], F[c]) + rw;
						if (v > best + 1e-12) {
							best = v;
							bt[0] = (long)F[a];
							bt[1] = (long)F[b];
							bt[2] = (long)F[c];
						}
					}
				}
			if (bt[0] >= 0) {
				size_t r = 0, rp = 0;
				double rw = 0.0;
				for (size_t q = 0; q < k; q++)
					if ((long)F[q] != bt[0] && (long)F[q] != bt[1] && (long)F[q] != bt[2])
						R[r++] = F[q];
				st = match_set(B, R, r, s->partner, &rp, &rw, err);
				if (st != PL_OK)
					goto out;
				memcpy(s->triad, bt, sizeof(bt));
				s->triad_exact = 1;
				pairs = rp + 1; /* with the pair the third member joins */
			}
		} else {
			/* Exchange heuristic from the maximum matching, repeated: choose the triad
			 * among the exchanges of the current pairing, re-pair everyone else
			 * optimally, and start again from there while the total improves. */
			double best_total = -DBL_MAX;
			long bt[3] = { -1, -1, -1 };
			for (int round = 0; round < 8; round++) {
				long c0 = -1, bx = -1, by = -1, bc = -1, rot_x = -1, rot_y = -1;
				double best = -DBL_MAX, cw = 0.0, v;
				size_t r = 0, rp = 0;
				double rw = 0.0;
				for (size_t q = 0; q < k; q++) {
					if (s->partner[F[q]] < 0)
						c0 = (long)F[q];
					else if (s->partner[F[q]] > (long)F[q])
						cw += wgt(B, F[q], (size_t)s->partner[F[q]]);
				}
				/* (1) c0 joins a pair */
				for (size_t q = 0; q < k; q++) {
					size_t a2 = F[q];
					long b2 = s->partner[a2];
					if (b2 < (long)a2 || !allowed(B, (size_t)c0, a2) ||
					    !allowed(B, (size_t)c0, (size_t)b2))
						continue;
					v = cw + wgt(B, (size_t)c0, a2) + wgt(B, (size_t)c0, (size_t)b2);
					if (v > best + 1e-12) {
						best = v;
						bx = (long)a2;
						by = b2;
						bc = c0;
						rot_x = rot_y = -1;
					}
				}
				/* (2) c0 replaces x in (x, y); x joins another pair (a, b) */
				for (size_t q = 0; q < k; q++) {
					size_t xx = F[q];
					long yy = s->partner[xx];
					double w1;
					if (yy < 0 || !allowed(B, (size_t)c0, (size_t)yy))
						continue;
					w1 = cw - wgt(B, xx, (size_t)yy) + wgt(B, (size_t)c0, (size_t)yy);
					for (size_t t2 = 0; t2 < k; t2++) {
						size_t a2 = F[t2];
						long b2 = s->partner[a2];
						if ((long)a2 == (long)xx || a2 == (size_t)yy || (long)a2 == c0)
							continue;
						if (b2 < (long)a2 || b2 == (long)xx || b2 == yy)
							continue;
						if (!allowed(B, xx, a2) || !allowed(B, xx, (size_t)b2))
							continue;
						v = w1 + wgt(B, xx, a2) + wgt(B, xx, (size_t)b2);
						if (v > best + 1e-12) {
							best = v;
							bx = (long)a2;
							by = b2;
							bc = (long)xx;
							rot_x = (long)xx;
							rot_y = yy;
						}
					}
				}
				if (bc < 0)
					break;
				/* re-pair everyone outside the triad optimally */
				for (size_t q = 0; q < k; q++)
					if ((long)F[q] != bx && (long)F[q] != by && (long)F[q] != bc)
						R[r++] = F[q];
				st = match_set(B, R, r, tmp, &rp, &rw, err);
				if (st != PL_OK)
					goto out;
				v = triad_weight(B, (size_t)bx, (size_t)by, (size_t)bc) + rw;
				if (2 * rp != r || v <= best_total + 1e-12) {
					if (bt[0] < 0) { /* first round: the exchange itself */
						if (rot_x >= 0) {
							s->partner[c0] = rot_y;
							s->partner[rot_y] = c0;
							s->partner[rot_x] = -1;
						}
						bt[0] = bx;
						bt[1] = by;
						bt[2] = bc;
					}
					break;
				}
				best_total = v;
				for (size_t q = 0; q < r; q++)
					s->partner[R[q]] = tmp[R[q]];
				s->partner[bx] = by;
				s->partner[by] = bx;
				s->partner[bc] = -1;
				bt[0] = bx;
				bt[1] = by;
				bt[2] = bc;
			}
			if (bt[0] >= 0)
				memcpy(s->triad, bt, sizeof(bt));
		}
	}
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
	for (size_t q = 0; q < k; q++) {
		size_t a = F[q];
		if (s->partner[a] > (long)a) {
			s->objective += wgt(B, a, (size_t)s->partner[a]);
			s->total += p->score[a * n + (size_t)s->partner[a]];
		}
	}
out:
	free(F);
	free(R);
	free(tmp);
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

pl_status pl_buddies_solve(const pl_buddies_problem *p, pl_buddies_result *res, pl_error *err)
{
	bctx B;
	bsol s, t, u;
	size_t n = p->n;
	pl_status st;

	pl_buddies_result_init(res);
	memset(&B, 0, sizeof(B));
	memset(&s, 0, sizeof(s));
	memset(&t, 0, sizeof(t));
	memset(&u, 0, sizeof(u));
	st = validate(p, err);
	if (st != PL_OK)
		return st;
	B.p = p;
	B.n = n;
	B.exact = 1;
	B.ecap = n * (n > 0 ? n - 1 : 0) / 2 + 1;
	B.cur = calloc(n * n + 1, 1);
	B.pin = calloc(n + 1, 1);
	B.pin_mate = malloc((n + 1) * sizeof(long));
	B.eu = malloc(B.ecap * sizeof(long));
	B.ev = malloc(B.ecap * sizeof(long));
	B.ew = malloc(B.ecap * sizeof(double));
	s.partner = malloc((n + 1) * sizeof(long));
	t.partner = malloc((n + 1) * sizeof(long));
	u.partner = malloc((n + 1) * sizeof(long));
	res->partner = malloc((n + 1) * sizeof(long));
	res->reason = calloc(n + 1, sizeof(int));
	res->pinned = calloc(n + 1, sizeof(int));
	res->nalt = calloc(n + 1, sizeof(size_t));
	res->alt = malloc((n * p->top + 1) * sizeof(pl_buddies_alt));
	if (!B.cur || !B.pin || !B.pin_mate || !B.eu || !B.ev || !B.ew || !s.partner || !t.partner || !u.partner ||
	    !res->partner || !res->reason || !res->pinned || !res->nalt || !res->alt) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	for (size_t k = 0; k < p->ncurrent; k++) {
		size_t a = p->current[2 * k], b = p->current[2 * k + 1];
		B.cur[a * n + b] = B.cur[b * n + a] = 1;
	}
	for (size_t k = 0; k < p->npinned; k++) {
		size_t a = p->pinned[2 * k], b = p->pinned[2 * k + 1];
		char ptr[PL_POINTER_MAX] = "";
		pl_pointer_append(ptr, sizeof(ptr), "pinned");
		pl_pointer_append_index(ptr, sizeof(ptr), k);
		if (B.pin[a] || B.pin[b]) {
			st = pl_error_set(err, PL_ERR_INVALID, ptr, "a client is pinned twice");
			goto out;
		}
		if (isnan(p->score[a * n + b])) {
			st = pl_error_set(err, PL_ERR_INVALID, ptr, "a pinned pair may not be paired (a hard "
					  "rule or forbidden pair)");
			goto out;
		}
		B.pin[a] = B.pin[b] = 1;
		B.pin_mate[a] = (long)b;
		B.pin_mate[b] = (long)a;
		res->pinned[a] = res->pinned[b] = 1;
	}
	st = solve_core(&B, -1, -1, &s, err);
	if (st != PL_OK)
		goto out;
	/* Alternatives; when the triad came from the exchange heuristic a re-solve with a pair
	 * required can beat the answer: then that one becomes the answer and the alternatives are
	 * computed again (a few rounds at most). */
	for (int pass = 0; pass < 6; pass++) {
		int improved = 0;
		for (size_t i = 0; p->top > 0 && i < n; i++) {
			pl_buddies_alt *a = res->alt + i * p->top;
			size_t cnt = 0;
			res->nalt[i] = 0;
			if (B.pin[i])
				continue;
			for (size_t j = 0; j < n; j++) {
				pl_buddies_alt cand;
				if (j == i || B.pin[j] || !allowed(&B, i, j) || s.partner[i] == (long)j)
					continue;
				if ((long)i == s.triad[2] && ((long)j == s.triad[0] || (long)j == s.triad[1]))
					continue;
				if (((long)i == s.triad[0] || (long)i == s.triad[1]) && (long)j == s.triad[2])
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
			res->nalt[i] = cnt;
			for (size_t k = 0; !p->no_alternative_change && k < cnt; k++) {
				st = solve_core(&B, (long)i, (long)a[k].partner, &t, err);
				if (st != PL_OK)
					goto out;
				a[k].total_change = t.objective - s.objective;
				/* rounding only: the exact optimum cannot be beaten */
				if (t.matched == s.matched && a[k].total_change > 0 &&
				    a[k].total_change < 1e-9)
					a[k].total_change = 0.0;
				a[k].matched_change = (long)t.matched - (long)s.matched;
				if (pass < 5 && !improved &&
				    (t.matched > s.matched ||
				     (t.matched == s.matched && t.objective > s.objective + 1e-9))) {
					memcpy(u.partner, t.partner, n * sizeof(long));
					memcpy(u.triad, t.triad, sizeof(t.triad));
					u.triad_exact = t.triad_exact;
					u.matched = t.matched;
					u.pairs = t.pairs;
					u.objective = t.objective;
					u.total = t.total;
					improved = 1;
				}
			}
		}
		if (!improved)
			break;
		{
			long *keep = s.partner;
			s = u;
			u.partner = keep;
		}
		res->improved_by_alternatives++;
	}
	res->n = n;
	memcpy(res->partner, s.partner, n * sizeof(long));
	memcpy(res->triad, s.triad, sizeof(s.triad));
	res->triad_exact = s.triad_exact;
	res->pairs = s.pairs;
	res->matched = s.matched;
	res->total = s.total;
	res->objective = s.objective;
	res->top = p->top;
	/* reasons */
	{
		size_t nfree = 0, nleft = 0;
		for (size_t i = 0; i < n; i++)
			if (!B.pin[i]) {
				nfree++;
				if (s.partner[i] < 0 && (long)i != s.triad[2])
					nleft++;
			}
		for (size_t i = 0; i < n; i++) {
			int any = 0, above = 0;
			if (s.partner[i] >= 0 || (long)i == s.triad[2])
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
	res->solves = B.solves;
	res->exact_weights = B.exact;
out:
	if (st != PL_OK)
		pl_buddies_result_release(res);
	free(B.cur);
	free(B.pin);
	free(B.pin_mate);
	free(B.eu);
	free(B.ev);
	free(B.ew);
	free(s.partner);
	free(t.partner);
	free(u.partner);
	return st;
}
