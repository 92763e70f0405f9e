/*
 * program.c: a matching program as plain data and the domain rules the `match` commands apply
 * to it before solving (peerlink/program.h): positions, symmetric scores, the checks on pinned
 * and current pairs, and the group rules (eligibility from requires and modality, size limits).
 *
 * Kept out of the solvers because they are the program's rules, not the algorithms': the
 * solvers take a score matrix and index arrays, and this file builds them the way the documents
 * describe, so that the CLI and a program linking the library get the same answer.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/program.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static pl_status nomem(pl_error *err)
{
	return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
}

/* malloc of count elements of size bytes, never of zero bytes */
static void *alloc(size_t count, size_t size)
{
	return malloc((count ? count : 1) * size);
}

long *pl_program_positions(const pl_profiles *P, const size_t *list, size_t n)
{
	long *pos = alloc(P->n, sizeof(long));

	if (!pos)
		return NULL;
	for (size_t k = 0; k < P->n; k++)
		pos[k] = -1;
	for (size_t i = 0; i < n; i++)
		pos[list[i]] = (long)i;
	return pos;
}

pl_status pl_program_self_scores(const pl_profiles *P, const pl_compat_params *prm,
				 const size_t *set, size_t n, double *S, pl_error *err)
{
	return pl_compat_matrix_self(P, prm, set, n, S, err);
}

/* An n x m matrix (never of zero bytes) into *S. */
static pl_status new_matrix(size_t n, size_t m, double **S, pl_error *err)
{
	*S = alloc(n * m, sizeof(double));
	return *S ? PL_OK : nomem(err);
}

/* The name of the lowest rule bit set in f, or NULL. */
static const char *first_rule_name(unsigned f)
{
	for (int r = 0; r < PL_RULE_COUNT; r++)
		if (f & PL_RULE_BIT(r))
			return pl_rule_name((pl_rule)r);
	return NULL;
}

/* ---- mentors ---- */

void pl_mentors_program_init(pl_mentors_program *m)
{
	memset(m, 0, sizeof(*m));
	pl_profiles_init(&m->P);
	pl_compat_params_init(&m->prm);
	m->objective = PL_MENTORS_TOTAL;
	m->stickiness = 0.1;
	m->top = 3;
}

void pl_mentors_program_release(pl_mentors_program *m)
{
	if (!m)
		return;
	pl_profiles_release(&m->P);
	free(m->mentee);
	free(m->mentor);
	free(m->capacity);
	free(m->pinned);
	free(m->current);
	free(m->forbidden);
	free(m->mentee_rank);
	free(m->mentor_rank);
	free(m->solve_pinned);
	free(m->solve_forbidden);
	memset(m, 0, sizeof(*m));
}

/* Ranks of ids in byte order: the tie-break of the stable objective. A small merge sort over
 * positions, so that no global state (qsort's comparator context) is needed. */
static void id_ranks(const pl_profiles *P, const size_t *idx, size_t n, long *rank, size_t *tmp,
		     size_t *order)
{
	for (size_t k = 0; k < n; k++)
		order[k] = k;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t a = lo, b = mid, o = lo;
			while (a < mid || b < hi) {
				if (b >= hi || (a < mid && strcmp(P->items[idx[order[a]]].id,
								  P->items[idx[order[b]]].id) <= 0))
					tmp[o++] = order[a++];
				else
					tmp[o++] = order[b++];
			}
		}
		memcpy(order, tmp, n * sizeof(size_t));
	}
	for (size_t k = 0; k < n; k++)
		rank[order[k]] = (long)k;
}

pl_status pl_mentors_program_prepare(pl_mentors_program *m, pl_error *err)
{
	size_t nm = m->nmentees, nk = m->nmentors, n = nm > nk ? nm : nk;
	size_t *tmp = alloc(n, sizeof(size_t)), *order = alloc(n, sizeof(size_t));
	pl_status st = PL_OK;

	m->capacity = alloc(nk, sizeof(long));
	m->pinned = alloc(nm, sizeof(long));
	m->current = alloc(nm, sizeof(long));
	m->mentee_rank = alloc(nm, sizeof(long));
	m->mentor_rank = alloc(nk, sizeof(long));
	if (!tmp || !order || !m->capacity || !m->pinned || !m->current || !m->mentee_rank ||
	    !m->mentor_rank) {
		st = nomem(err);
		goto out;
	}
	for (size_t j = 0; j < nk; j++)
		m->capacity[j] = m->P.items[m->mentor[j]].capacity;
	for (size_t i = 0; i < nm; i++)
		m->pinned[i] = m->current[i] = -1;
	id_ranks(&m->P, m->mentee, nm, m->mentee_rank, tmp, order);
	id_ranks(&m->P, m->mentor, nk, m->mentor_rank, tmp, order);
out:
	free(tmp);
	free(order);
	return st;
}

pl_status pl_mentors_program_forbid(pl_mentors_program *m, const size_t *pairs, size_t n,
				    pl_error *err)
{
	if (n == 0)
		return PL_OK;
	if (!m->forbidden) {
		m->forbidden = calloc(m->nmentees * m->nmentors, 1);
		if (!m->forbidden)
			return nomem(err);
	}
	for (size_t k = 0; k < n; k++)
		m->forbidden[pairs[2 * k] * m->nmentors + pairs[2 * k + 1]] = 1;
	return PL_OK;
}

const char *pl_mentors_program_rule(const pl_mentors_program *m, size_t i, size_t j)
{
	const char *r = first_rule_name(
		pl_compat_rules_failed(&m->P, &m->prm, m->mentee[i], m->mentor[j]));
	return r ? r : "?";
}

static const char *mentee_id(const pl_mentors_program *m, size_t i)
{
	return m->P.items[m->mentee[i]].id;
}

static const char *mentor_id(const pl_mentors_program *m, size_t j)
{
	return m->P.items[m->mentor[j]].id;
}

/* One pin: the checks in the order the documentation lists them. */
static pl_status pin_one(pl_mentors_program *m, size_t i, size_t j, long partner, long *used,
		       pl_error *err)
{
	if (m->pinned[i] >= 0)
		return pl_error_set(err, PL_ERR_INVALID, "", "mentee '%s' is pinned twice",
				    mentee_id(m, i));
	if (pl_compat_rules_failed(&m->P, &m->prm, m->mentee[i], m->mentor[j]))
		return pl_error_set(err, PL_ERR_INVALID, "",
				    "the pinned pair ('%s', '%s') breaks the '%s' rule", mentee_id(m, i),
				    mentor_id(m, j), pl_mentors_program_rule(m, i, j));
	if (m->forbidden && m->forbidden[i * m->nmentors + j])
		return pl_error_set(err, PL_ERR_INVALID, "",
				    "the pinned pair ('%s', '%s') is also forbidden", mentee_id(m, i),
				    mentor_id(m, j));
	if (++used[j] > m->capacity[j])
		return pl_error_set(err, PL_ERR_INVALID, "",
				    "mentor '%s' has more pinned mentees than its capacity",
				    mentor_id(m, j));
	if (partner >= 0 && m->pinned[partner] == (long)j)
		return pl_error_set(err, PL_ERR_INVALID, "",
				    "partners in treatment together ('%s', '%s') are pinned to the same "
				    "mentor '%s' (the couples rule)", mentee_id(m, (size_t)partner),
				    mentee_id(m, i), mentor_id(m, j));
	m->pinned[i] = (long)j;
	return PL_OK;
}

pl_status pl_mentors_program_pin(pl_mentors_program *m, const size_t *pairs, size_t n,
				 size_t *at, pl_error *err)
{
	long *used = calloc(m->nmentors ? m->nmentors : 1, sizeof(long));
	long *pos = pl_program_positions(&m->P, m->mentee, m->nmentees);
	int couples = (m->prm.rules & PL_RULE_BIT(PL_RULE_COUPLES)) != 0;
	pl_status st = PL_OK;

	if (!used || !pos) {
		free(used);
		free(pos);
		return nomem(err);
	}
	/* two partners pinned to one mentor break the couples rule: the second pin is the error
	 * (found here, where the pin's index is known, not in the solve) */
	for (size_t k = 0; k < n && st == PL_OK; k++) {
		size_t i = pairs[2 * k];
		long p = m->P.items[m->mentee[i]].partner;
		*at = k;
		st = pin_one(m, i, pairs[2 * k + 1], couples && p >= 0 ? pos[p] : -1, used, err);
	}
	free(used);
	free(pos);
	return st;
}

pl_status pl_mentors_program_current(pl_mentors_program *m, const size_t *pairs, size_t n,
				     size_t *at, pl_error *err)
{
	for (size_t k = 0; k < n; k++) {
		size_t i = pairs[2 * k];
		if (m->current[i] >= 0) {
			*at = k;
			return pl_error_set(err, PL_ERR_INVALID, "", "mentee '%s' has two current mentors",
					    mentee_id(m, i));
		}
		m->current[i] = (long)pairs[2 * k + 1];
	}
	return PL_OK;
}

pl_status pl_mentors_program_scores(const pl_mentors_program *m, double **S, pl_error *err)
{
	pl_status st = new_matrix(m->nmentees, m->nmentors, S, err);

	if (st != PL_OK)
		return st;
	return pl_compat_matrix(&m->P, &m->prm, m->mentee, m->nmentees, m->mentor, m->nmentors, *S,
				err);
}

void pl_mentors_program_problem(const pl_mentors_program *m, const double *S,
				pl_mentors_problem *pb)
{
	pl_mentors_problem_init(pb);
	pb->objective = m->objective;
	pb->min_score = m->min_score;
	pb->stickiness = m->stickiness;
	pb->nmentees = m->nmentees;
	pb->nmentors = m->nmentors;
	pb->score = S;
	pb->capacity = m->capacity;
	pb->pinned = m->pinned;
	pb->forbidden = m->forbidden;
	pb->current = m->current;
	pb->mentee_rank = m->mentee_rank;
	pb->mentor_rank = m->mentor_rank;
}

/* ---- mentors: priority tiers and the couples rule ---- */

/* Is a better than b under the objective? More matched first. */
static int result_better(pl_mentors_objective o, const pl_mentors_result *a,
			 const pl_mentors_result *b)
{
	const double eps = 1e-9;
	if (a->matched != b->matched)
		return a->matched > b->matched;
	if (o == PL_MENTORS_MAXIMIN && fabs(a->threshold - b->threshold) > eps)
		return a->threshold > b->threshold;
	return a->objective_value > b->objective_value + eps;
}

/* The partner of mentee i when the partner is a mentee too (position), else -1. */
static long couple_of(const pl_mentors_program *m, const long *pos, size_t i)
{
	long p = m->P.items[m->mentee[i]].partner;
	return p >= 0 ? pos[p] : -1;
}

/* The first couple (i < k) that shares a mentor in mentor_of, or 0 when none. */
static int shared_couple(const pl_mentors_program *m, const long *pos, const long *mentor_of,
			 size_t *i_out, size_t *k_out)
{
	for (size_t i = 0; i < m->nmentees; i++) {
		long k = couple_of(m, pos, i);
		if (k > (long)i && mentor_of[i] >= 0 && mentor_of[i] == mentor_of[k]) {
			*i_out = i;
			*k_out = (size_t)k;
			return 1;
		}
	}
	return 0;
}

/* ---- mentors: priority ---- */

/*
 * Priority (docs/matching-mentors.md, "Couples and priority") is lexicographic: first the most
 * matched mentees of the highest tier, then of the next, ..., then the objective over the whole
 * assignment. Who is matched is decided tier by tier; which mentor each gets is not.
 *
 * Why it takes few solves and no large numbers: the sets of mentees that can be matched
 * together (seats, eligible pairs, pins fixed) are the independent sets of a transversal
 * matroid (replicate each mentor by its free seats). So the most mentees of tiers 0..t that can
 * be matched together is a rank r_t (all of them from one greedy pass, tier_shares_pass), and
 * tier t's share of any
 * lexicographic optimum is exactly c_t = r_t - r_{t-1} (the greedy algorithm of a matroid;
 * Edmonds 1971, "Matroids and the greedy algorithm", Math. Programming 1). The optimum is then
 * one solve of the objective on the problem with a "not matched" column per tier of capacity
 * (tier size - c_t), open to that tier only: a full assignment exists, the solver matches
 * everyone first, so every tier gets exactly c_t real seats, and among those assignments the
 * objective decides. The column's score is above every real w, so it never sets maximin's
 * floor, and the number of its uses is fixed, so it never changes the total's choice.
 */
typedef struct tiers {
	size_t n; /* the distinct priorities above 0, largest first, then the mentees without one */
	int *of;  /* nmentees: each mentee's tier (0 = the highest) */
} tiers;

/* The tier of priority p among levels[0..nlev) (descending); nlev for no priority. */
static int tier_index(const double *levels, size_t nlev, double p)
{
	for (size_t t = 0; t < nlev; t++)
		if (p == levels[t])
			return (int)t;
	return (int)nlev;
}

/* Mentees of tier t matched in mentor_of. */
static size_t tier_matched(const pl_mentors_program *m, const tiers *T, const long *mentor_of,
			   int t)
{
	size_t c = 0;
	for (size_t i = 0; i < m->nmentees; i++)
		c += T->of[i] == t && mentor_of[i] >= 0;
	return c;
}

/* Is a better than b: tier by tier (T not NULL), then as result_better. */
static int lex_better(const pl_mentors_program *m, const tiers *T, const pl_mentors_result *a,
		      const pl_mentors_result *b)
{
	for (int t = 0; T && t < (int)T->n; t++) {
		size_t ca = tier_matched(m, T, a->mentor_of, t), cb = tier_matched(m, T, b->mentor_of, t);
		if (ca != cb)
			return ca > cb;
	}
	return result_better(m->objective, a, b);
}

/* w of mentee i with mentor j: the score plus stickiness for its current mentor. */
static double program_w(const pl_mentors_program *m, const double *S, size_t i, size_t j)
{
	return S[i * m->nmentors + j] + (m->current[i] == (long)j ? m->stickiness : 0.0);
}

/* The shares by one cardinality solve per tier (tiers 0..t open, the rest forbidden): the way
 * the pins are checked and refused (seats_after_pins), and the answer tier_shares' pass must give.
 * S0: 0 where a pair is eligible, else NaN (see tier_shares). */
static pl_status tier_shares_by_solves(pl_mentors_program *m, const double *S0, const tiers *T,
				       const unsigned char *forb, size_t *c, size_t *solves,
				       pl_error *err)
{
	size_t nm = m->nmentees, nk = m->nmentors, cells = nm * nk, prev = 0;
	unsigned char *f = malloc(cells ? cells : 1);
	pl_status st = PL_OK;

	if (!f)
		return nomem(err);
	for (int t = 0; t < (int)T->n && st == PL_OK; t++) {
		pl_mentors_problem pb;
		pl_mentors_result r = PL_MENTORS_RESULT_INIT;
		size_t rank = 0;
		if (forb)
			memcpy(f, forb, cells);
		else
			memset(f, 0, cells);
		for (size_t i = 0; i < nm; i++)
			if (m->solve_pinned[i] < 0 && T->of[i] > t)
				memset(f + i * nk, 1, nk);
		pl_mentors_program_problem(m, S0, &pb);
		pb.objective = PL_MENTORS_TOTAL; /* only the count is wanted */
		pb.min_score = 0.0;
		pb.stickiness = 0.0;
		pb.current = NULL;
		pb.pinned = m->solve_pinned;
		pb.forbidden = f;
		st = pl_mentors_solve(&pb, &r, err);
		(*solves)++;
		for (size_t i = 0; st == PL_OK && i < nm; i++)
			rank += m->solve_pinned[i] < 0 && r.mentor_of[i] >= 0;
		c[t] = rank - prev;
		prev = rank;
		pl_mentors_result_release(&r);
	}
	free(f);
	return st;
}


/*
 * The shares in one pass, whatever the number of tiers: the greedy algorithm of the matroid
 * itself. Mentees are added tier by tier (highest first), each kept when an augmenting path from
 * it reaches a free seat (Berge: the matched set plus this mentee can then be matched together,
 * and a matched mentee stays matched along an augmenting path), so after tier t the matched
 * mentees are a basis of tiers 0..t and their count is r_t. A search that fails marks what it
 * reached as dead for the rest of the pass: every mentor it reached is full with all its mentees
 * reached, so no later augmenting path can enter that set and leave it (it never changes again),
 * and each failure costs only what no earlier failure reached. Before (by_solves) this took one
 * assignment solve per distinct priority: 589 solves at 600 x 120 with 3-decimal priorities.
 * Returns 1 with c filled; 0 when a pin does not fit (pinned to no mentor, to an ineligible
 * one, beyond a capacity, or a capacity below 1: the solver's checks say which); -1 out of memory.
 */
typedef struct seats_pass {
	size_t nm, nk;
	const double *S0;
	const unsigned char *forb;
	long *free_of;   /* nk: seats left after the pins */
	long *load;      /* nk: unpinned mentees held */
	size_t *off;     /* nk + 1: each mentor's slots in slot[] */
	long *slot;      /* the unpinned mentees each mentor holds */
	long *mentor_of; /* nm: -1 none */
	long *from;      /* nk: the mentee that reached this mentor in the search */
	long *queue;     /* nm */
	unsigned char *seen_k, *seen_m, *dead_k, *dead_m;
} seats_pass;

static int pass_eligible(const seats_pass *P, size_t i, size_t j)
{
	return !isnan(P->S0[i * P->nk + j]) && !(P->forb && P->forb[i * P->nk + j]);
}

static void pass_move(seats_pass *P, long i, long j)
{
	long old = P->mentor_of[i];

	if (old >= 0) {
		long *s = P->slot + P->off[old];
		for (long k = 0; k < P->load[old]; k++)
			if (s[k] == i) {
				s[k] = s[--P->load[old]];
				break;
			}
	}
	P->slot[P->off[j] + (size_t)P->load[j]++] = i;
	P->mentor_of[i] = j;
}

/* An augmenting path from mentee r (breadth first); 1 when r was matched by it. */
static int pass_augment(seats_pass *P, size_t r)
{
	size_t head = 0, tail = 0;
	long hit = -1;

	P->queue[tail++] = (long)r;
	P->seen_m[r] = 1;
	while (head < tail && hit < 0) {
		size_t u = (size_t)P->queue[head++];
		for (size_t j = 0; j < P->nk && hit < 0; j++) {
			if (P->seen_k[j] || P->dead_k[j] || !pass_eligible(P, u, j))
				continue;
			P->seen_k[j] = 1;
			P->from[j] = (long)u;
			if (P->load[j] < P->free_of[j]) {
				hit = (long)j;
				break;
			}
			for (long k = 0; k < P->load[j]; k++) {
				long x = P->slot[P->off[j] + (size_t)k];
				if (!P->seen_m[x] && !P->dead_m[x]) {
					P->seen_m[x] = 1;
					P->queue[tail++] = x;
				}
			}
		}
	}
	for (long j = hit; j >= 0;) { /* each mentee on the path takes the mentor that reached it */
		long u = P->from[j], prev = P->mentor_of[u];
		pass_move(P, u, j);
		j = prev;
	}
	for (size_t k = 0; k < tail; k++) { /* clear the marks, or keep them as dead */
		P->seen_m[P->queue[k]] = 0;
		if (hit < 0)
			P->dead_m[P->queue[k]] = 1;
	}
	for (size_t j = 0; j < P->nk; j++) {
		if (P->seen_k[j] && hit < 0)
			P->dead_k[j] = 1;
		P->seen_k[j] = 0;
	}
	return hit >= 0;
}

static int tier_shares_pass(const pl_mentors_program *m, const double *S0, const tiers *T,
			    const unsigned char *forb, size_t *c)
{
	size_t nm = m->nmentees, nk = m->nmentors, seats = 0;
	seats_pass P = { nm, nk, S0, forb, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			 NULL, NULL, NULL, NULL };
	int rc = 1;

	P.free_of = malloc((nk ? nk : 1) * sizeof(long));
	P.load = calloc(nk ? nk : 1, sizeof(long));
	P.off = malloc((nk + 1) * sizeof(size_t));
	P.mentor_of = malloc((nm ? nm : 1) * sizeof(long));
	P.from = malloc((nk ? nk : 1) * sizeof(long));
	P.queue = malloc((nm ? nm : 1) * sizeof(long));
	P.seen_k = calloc(nk ? nk : 1, 1);
	P.dead_k = calloc(nk ? nk : 1, 1);
	P.seen_m = calloc(nm ? nm : 1, 1);
	P.dead_m = calloc(nm ? nm : 1, 1);
	if (!P.free_of || !P.load || !P.off || !P.mentor_of || !P.from || !P.queue || !P.seen_k ||
	    !P.dead_k || !P.seen_m || !P.dead_m) {
		rc = -1;
		goto out;
	}
	for (size_t j = 0; j < nk; j++) {
		P.free_of[j] = m->capacity ? m->capacity[j] : 1;
		if (P.free_of[j] < 1)
			rc = 0;
	}
	for (size_t i = 0; i < nm && rc == 1; i++) {
		long j = m->solve_pinned[i];
		P.mentor_of[i] = -1;
		if (j < 0)
			continue;
		if ((size_t)j >= nk || !pass_eligible(&P, i, (size_t)j) || --P.free_of[j] < 0)
			rc = 0;
	}
	if (rc != 1)
		goto out;
	for (size_t j = 0; j < nk; j++) {
		P.off[j] = seats;
		seats += (size_t)P.free_of[j];
	}
	P.off[nk] = seats;
	P.slot = malloc((seats ? seats : 1) * sizeof(long));
	if (!P.slot) {
		rc = -1;
		goto out;
	}
	for (size_t t = 0; t < T->n; t++) {
		c[t] = 0;
		for (size_t i = 0; i < nm; i++)
			if (m->solve_pinned[i] < 0 && T->of[i] == (int)t)
				c[t] += (size_t)pass_augment(&P, i);
	}
out:
	free(P.free_of);
	free(P.load);
	free(P.off);
	free(P.slot);
	free(P.mentor_of);
	free(P.from);
	free(P.queue);
	free(P.seen_k);
	free(P.dead_k);
	free(P.seen_m);
	free(P.dead_m);
	return rc;
}

/* The share c[t] of each tier in a lexicographic optimum (the rank increases), with the pairs of
 * forb (NULL: none) forbidden and the pins of m->solve_pinned: one pass (tier_shares_pass),
 * counted as one solve; pins that do not fit go to the solver, whose error names the problem.
 * Only counts are wanted, so a pair is eligible or not (S0: 0, or NaN where it is not). */
static pl_status tier_shares(pl_mentors_program *m, const double *S, const tiers *T,
			     const unsigned char *forb, size_t *c, size_t *solves, pl_error *err)
{
	size_t nm = m->nmentees, nk = m->nmentors, cells = nm * nk;
	double *S0 = alloc(cells, sizeof(double));
	pl_status st = PL_OK;
	int rc;

	if (!S0)
		return nomem(err);
	for (size_t e = 0; e < cells; e++)
		S0[e] = S[e] >= m->min_score ? 0.0 : NAN; /* NaN compares false: stays NaN */
	for (size_t i = 0; i < nm; i++) {
		/* pins are exempt from min_score (not from the hard rules, whose pairs are NaN) */
		long j = m->solve_pinned[i];
		if (j >= 0 && (size_t)j < nk && !isnan(S[i * nk + (size_t)j]))
			S0[i * nk + (size_t)j] = 0.0;
	}
	rc = tier_shares_pass(m, S0, T, forb, c);
	if (rc == 1)
		(*solves)++;
	else if (rc == 0)
		st = tier_shares_by_solves(m, S0, T, forb, c, solves, err);
	else
		st = nomem(err);
	free(S0);
	return st;
}

/* The problem with one "not matched" column per tier that cannot place all its mentees
 * (capacity: those it cannot place), into the caller's arrays (nk2 columns). */
static void tier_problem(const pl_mentors_program *m, const double *S, const tiers *T,
			 const unsigned char *forb, const size_t *c, const long *dcol, size_t nk2,
			 double *S2, unsigned char *f2, long *cap2, long *rank2)
{
	size_t nm = m->nmentees, nk = m->nmentors;

	for (size_t j = 0; j < nk; j++) {
		cap2[j] = m->capacity[j];
		rank2[j] = m->mentor_rank[j];
	}
	for (size_t j = nk; j < nk2; j++)
		rank2[j] = (long)j;
	for (size_t t = 0; t < T->n; t++)
		if (dcol[t] >= 0)
			cap2[dcol[t]] = 0;
	for (size_t i = 0; i < nm; i++) {
		for (size_t j = 0; j < nk; j++) {
			S2[i * nk2 + j] = S[i * nk + j];
			f2[i * nk2 + j] = forb ? forb[i * nk + j] : 0;
		}
		for (size_t j = nk; j < nk2; j++) {
			S2[i * nk2 + j] = NAN;
			f2[i * nk2 + j] = 0;
		}
		if (m->solve_pinned[i] < 0 && dcol[T->of[i]] >= 0) {
			/* above every real w (scores are at most 1): never maximin's floor */
			S2[i * nk2 + (size_t)dcol[T->of[i]]] = 1.0 + m->stickiness;
			cap2[dcol[T->of[i]]]++;
		}
	}
	for (size_t t = 0; t < T->n; t++)
		if (dcol[t] >= 0)
			cap2[dcol[t]] -= (long)c[t];
}

/* The lexicographic optimum with the pairs of forb forbidden (NULL: none) and the pins of
 * m->solve_pinned, as a result of the real problem (threshold: maximin's floor over the
 * mentees not pinned; no duals). */
static pl_status lex_solve(pl_mentors_program *m, const double *S, const tiers *T,
			   const unsigned char *forb, pl_mentors_result *res, size_t *solves,
			   pl_error *err)
{
	size_t nm = m->nmentees, nk = m->nmentors, nd = 0, nk2;
	size_t *c = calloc(T->n, sizeof(size_t));
	long *dcol = malloc(T->n * sizeof(long)), *pins = malloc((nm ? nm : 1) * sizeof(long));
	long *cap2 = NULL, *rank2 = NULL;
	double *S2 = NULL;
	unsigned char *f2 = NULL;
	pl_mentors_problem pb;
	pl_mentors_result r = PL_MENTORS_RESULT_INIT;
	pl_status st;

	memset(res, 0, sizeof(*res));
	if (!c || !dcol || !pins) {
		st = nomem(err);
		goto out;
	}
	st = tier_shares(m, S, T, forb, c, solves, err);
	if (st != PL_OK)
		goto out;
	for (size_t t = 0; t < T->n; t++) {
		size_t size = 0;
		for (size_t i = 0; i < nm; i++)
			size += m->solve_pinned[i] < 0 && T->of[i] == (int)t;
		dcol[t] = size > c[t] ? (long)(nk + nd++) : -1;
	}
	nk2 = nk + nd;
	S2 = alloc(nm * nk2, sizeof(double));
	f2 = alloc(nm * nk2, 1);
	cap2 = malloc((nk2 ? nk2 : 1) * sizeof(long));
	rank2 = malloc((nk2 ? nk2 : 1) * sizeof(long));
	if (!S2 || !f2 || !cap2 || !rank2) {
		st = nomem(err);
		goto out;
	}
	tier_problem(m, S, T, forb, c, dcol, nk2, S2, f2, cap2, rank2);
	pl_mentors_program_problem(m, S2, &pb);
	pb.nmentors = nk2;
	pb.capacity = cap2;
	pb.forbidden = f2;
	pb.mentor_rank = rank2;
	pb.pinned = m->solve_pinned;
	st = pl_mentors_solve(&pb, &r, err);
	(*solves)++;
	if (st != PL_OK)
		goto out;
	if (r.matched != nm) {
		st = pl_error_set(err, PL_ERR_INTERNAL, "", "priority tiers: an assignment of every "
				  "mentee was expected");
		goto out;
	}
	/* back to the real mentors: every real match pinned, nothing is left to place */
	for (size_t i = 0; i < nm; i++)
		pins[i] = r.mentor_of[i] >= 0 && (size_t)r.mentor_of[i] < nk ? r.mentor_of[i] : -1;
	pl_mentors_program_problem(m, S, &pb);
	pb.objective = PL_MENTORS_TOTAL;
	pb.pinned = pins;
	pb.forbidden = forb;
	st = pl_mentors_solve(&pb, res, err);
	(*solves)++;
	if (st != PL_OK)
		goto out;
	free(res->dual_mentee);
	free(res->dual_mentor);
	res->dual_mentee = res->dual_mentor = NULL;
	res->threshold = 0.0;
	if (m->objective == PL_MENTORS_MAXIMIN) {
		double thr = INFINITY;
		for (size_t i = 0; i < nm; i++)
			if (m->solve_pinned[i] < 0 && res->mentor_of[i] >= 0 &&
			    program_w(m, S, i, (size_t)res->mentor_of[i]) < thr)
				thr = program_w(m, S, i, (size_t)res->mentor_of[i]);
		res->threshold = isfinite(thr) ? thr : 0.0;
	}
out:
	pl_mentors_result_release(&r);
	free(c);
	free(dcol);
	free(pins);
	free(S2);
	free(f2);
	free(cap2);
	free(rank2);
	return st;
}

typedef struct couple_search {
	pl_mentors_program *m;
	const long *pos;
	const tiers *T;          /* priority tiers (each branch a lexicographic solve), or NULL */
	pl_mentors_problem base; /* everything but forbidden */
	size_t budget;           /* solves left for branching */
	size_t solves, splits;
} couple_search;

/* Solve with `forb` (owned by the caller, may be modified) and separate couples; the best
 * result goes to *best and its forbidden matrix to *best_forb (malloc'ed). */
static pl_status couple_solve(couple_search *cs, unsigned char *forb, pl_mentors_result *best,
			      unsigned char **best_forb, size_t *splits, pl_error *err)
{
	pl_mentors_program *m = cs->m;
	size_t cells = m->nmentees * m->nmentors, i, k;
	pl_mentors_problem pb = cs->base;
	pl_mentors_result r = PL_MENTORS_RESULT_INIT;
	pl_status st;

	pb.forbidden = forb;
	if (cs->T) {
		st = lex_solve(m, pb.score, cs->T, forb, &r, &cs->solves, err);
	} else {
		st = pl_mentors_solve(&pb, &r, err);
		cs->solves++;
	}
	if (st != PL_OK)
		return st;
	if (!shared_couple(m, cs->pos, r.mentor_of, &i, &k)) {
		*best = r;
		*best_forb = malloc(cells ? cells : 1);
		if (!*best_forb)
			return nomem(err);
		memcpy(*best_forb, forb, cells);
		return PL_OK;
	}
	{
		size_t j = (size_t)r.mentor_of[i], who[2] = { i, k }, nb = 0;
		pl_mentors_result cand[2] = { PL_MENTORS_RESULT_INIT, PL_MENTORS_RESULT_INIT };
		unsigned char *cf[2] = { NULL, NULL };
		size_t csplit[2] = { 0, 0 };
		int branches = cs->budget >= 2 ? 2 : 1;

		pl_mentors_result_release(&r);
		/* a pinned mentee keeps its mentor: only its partner can move */
		for (int b = 0; b < 2 && st == PL_OK; b++) {
			unsigned char *f;
			size_t who_b = who[b];
			if (m->solve_pinned[who_b] >= 0 || (branches == 1 && b == 0 && m->solve_pinned[k] < 0))
				continue; /* greedy: move the second of the couple */
			if (cs->budget > 0)
				cs->budget--;
			f = malloc(cells);
			if (!f) {
				st = nomem(err);
				break;
			}
			memcpy(f, forb, cells);
			f[who_b * m->nmentors + j] = 1;
			st = couple_solve(cs, f, &cand[nb], &cf[nb], &csplit[nb], err);
			free(f);
			if (st == PL_OK)
				nb++;
		}
		if (st == PL_OK && nb == 0)
			st = pl_error_set(err, PL_ERR_INVALID, "",
					  "partners in treatment together ('%s', '%s') are pinned to the same mentor",
					  m->P.items[m->mentee[i]].id, m->P.items[m->mentee[k]].id);
		if (st == PL_OK) {
			size_t w = nb == 2 && lex_better(m, cs->T, &cand[1], &cand[0]) ? 1 : 0;
			*best = cand[w];
			*best_forb = cf[w];
			*splits = csplit[w] + 1;
			cand[w] = (pl_mentors_result)PL_MENTORS_RESULT_INIT;
			cf[w] = NULL;
		}
		for (int b = 0; b < 2; b++) {
			pl_mentors_result_release(&cand[b]);
			free(cf[b]);
		}
	}
	return st;
}

/* Solve the current problem (m->solve_pinned, m->solve_forbidden) with the couples rule;
 * with priority tiers T (not NULL) each branch is a lexicographic solve. */
static pl_status solve_separating(pl_mentors_program *m, const double *S, const long *pos,
				  const tiers *T, pl_mentors_result *res, size_t *solves,
				  pl_error *err)
{
	size_t cells = m->nmentees * m->nmentors;
	couple_search cs;
	unsigned char *forb, *best_forb = NULL;
	size_t splits = 0;
	pl_status st;

	pl_mentors_program_problem(m, S, &cs.base);
	cs.base.pinned = m->solve_pinned;
	cs.m = m;
	cs.pos = pos;
	cs.T = T;
	cs.budget = PL_MENTORS_COUPLE_BRANCH_MAX;
	cs.solves = cs.splits = 0;
	forb = calloc(cells ? cells : 1, 1);
	if (!forb)
		return nomem(err);
	if (m->solve_forbidden)
		memcpy(forb, m->solve_forbidden, cells);
	st = couple_solve(&cs, forb, res, &best_forb, &splits, err);
	free(forb);
	if (st == PL_OK) {
		free(m->solve_forbidden);
		m->solve_forbidden = best_forb;
		m->couple_splits += splits;
	}
	*solves += cs.solves;
	return st;
}

static int has_couples(const pl_mentors_program *m, const long *pos)
{
	if (!(m->prm.rules & PL_RULE_BIT(PL_RULE_COUPLES)))
		return 0;
	for (size_t i = 0; i < m->nmentees; i++)
		if (couple_of(m, pos, i) >= 0)
			return 1;
	return 0;
}

/* The distinct priorities above 0, largest first, into levels; returns how many. */
static size_t priority_levels(const pl_mentors_program *m, double *levels)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nmentees; i++) {
		double p = m->P.items[m->mentee[i]].priority;
		size_t k = 0;
		if (!(p > 0))
			continue;
		while (k < n && levels[k] != p)
			k++;
		if (k == n)
			levels[n++] = p;
	}
	for (size_t a = 1; a < n; a++) /* insertion sort, descending */
		for (size_t b = a; b > 0 && levels[b] > levels[b - 1]; b--) {
			double t = levels[b];
			levels[b] = levels[b - 1];
			levels[b - 1] = t;
		}
	return n;
}

/* The lexicographic optimum of a program with priority tiers, couples separated, then the
 * answer the alternatives are asked about: the tiers above 0 keep their mentors (as pins of
 * *pb, not of the request) and, under total, the rest is re-solved with them, which gives the
 * same optimum (given the tiers' matches the rest of a lexicographic optimum is optimal) with
 * the duals that price the alternatives. Blocking pairs are counted with the request's pins. */
static pl_status solve_tiers(pl_mentors_program *m, const double *S, const tiers *T,
			     const long *pos, int couples, pl_mentors_problem *pb,
			     pl_mentors_result *res, size_t *solves, pl_error *err)
{
	pl_mentors_result A = PL_MENTORS_RESULT_INIT;
	pl_mentors_problem q;
	pl_status st;

	if (couples)
		st = solve_separating(m, S, pos, T, &A, solves, err);
	else
		st = lex_solve(m, S, T, m->solve_forbidden, &A, solves, err);
	if (st != PL_OK)
		return st;
	for (size_t i = 0; i < m->nmentees; i++)
		if (m->solve_pinned[i] < 0 && T->of[i] < (int)T->n - 1 && A.mentor_of[i] >= 0)
			m->solve_pinned[i] = A.mentor_of[i];
	if (m->objective == PL_MENTORS_TOTAL) {
		if (couples) {
			st = solve_separating(m, S, pos, NULL, res, solves, err);
			/* past the branch budget the couples are separated greedily, which can do
			 * worse than A did: keep the better of the two */
			if (st == PL_OK && lex_better(m, T, &A, res)) {
				pl_mentors_result_release(res);
				pl_mentors_result none = PL_MENTORS_RESULT_INIT;
				*res = A;
				A = none;
			}
		} else {
			pl_mentors_program_problem(m, S, pb);
			pb->pinned = m->solve_pinned;
			pb->forbidden = m->solve_forbidden;
			st = pl_mentors_solve(pb, res, err);
			(*solves)++;
		}
		pl_mentors_result_release(&A);
	} else {
		*res = A;
	}
	if (st != PL_OK)
		return st;
	pl_mentors_program_problem(m, S, &q);
	q.forbidden = m->solve_forbidden;
	return pl_mentors_blocking_pairs(&q, res->mentor_of, &res->blocking_pairs, err);
}

/* May mentee i have mentor j under the request's own rules (hard rules, forbidden pairs,
 * min_score)? With solve set, under the problem solved (the couples rule's pairs too). */
static int program_eligible(const pl_mentors_program *m, const double *S, size_t i, size_t j,
			    int solve)
{
	size_t at = i * m->nmentors + j;
	const unsigned char *f = solve ? m->solve_forbidden : m->forbidden;
	return !isnan(S[at]) && !(f && f[at]) && S[at] >= m->min_score;
}

/* Mentees the request pins to mentor j. */
static long pinned_at(const pl_mentors_program *m, size_t j)
{
	long c = 0;
	for (size_t i = 0; i < m->nmentees; i++)
		c += m->pinned[i] == (long)j;
	return c;
}

/* Mentors from which the mentees of tiers above t, as matched in mentor_of, can make room: a
 * seat they leave free, or a mentor holding one of them who has another eligible mentor that can
 * make room (alternating paths of the matching restricted to those tiers). reach: nmentors. */
static void room_above(const pl_mentors_program *m, const double *S, const tiers *T,
		       const long *mentor_of, int t, long *load, unsigned char *reach, size_t *queue)
{
	size_t nm = m->nmentees, nk = m->nmentors, head = 0, tail = 0;

	memset(load, 0, nk * sizeof(long));
	for (size_t i = 0; i < nm; i++)
		if (mentor_of[i] >= 0 && (m->pinned[i] >= 0 || T->of[i] < t))
			load[mentor_of[i]]++;
	for (size_t j = 0; j < nk; j++) {
		reach[j] = load[j] < m->capacity[j];
		if (reach[j])
			queue[tail++] = j;
	}
	while (head < tail) {
		size_t jr = queue[head++];
		for (size_t h = 0; h < nm; h++) {
			long j = mentor_of[h];
			if (j < 0 || reach[j] || m->pinned[h] >= 0 || T->of[h] >= t ||
			    !program_eligible(m, S, h, jr, 1))
				continue;
			reach[j] = 1;
			queue[tail++] = (size_t)j;
		}
	}
}

/*
 * Why each unmatched mentee is unmatched, in the request's terms (res->reason): no feasible
 * mentor and below min_score as pl_mentors_solve says them but from the request's forbidden
 * pairs (a pair the couples rule barred is not "forbidden"); PL_UNMATCHED_COUPLES when the
 * partner in treatment holds an eligible mentor with a seat left (only the couples rule keeps
 * this one out); PL_UNMATCHED_OUTRANKED (T not NULL) when it has an eligible mentor with a seat
 * the request's pins leave, but the mentees of higher tiers, as matched, cannot make room at any
 * of its eligible mentors: matching it would leave one of them out (it lies in the span of the
 * higher tiers in the matroid, not of the pins alone). Otherwise PL_UNMATCHED_CAPACITY.
 */
static pl_status program_reasons(const pl_mentors_program *m, const double *S, const tiers *T,
				 const long *pos, pl_mentors_result *res, pl_error *err)
{
	size_t nm = m->nmentees, nk = m->nmentors;
	int couples = (m->prm.rules & PL_RULE_BIT(PL_RULE_COUPLES)) != 0, have = -1;
	long *load = malloc((nk ? nk : 1) * sizeof(long));
	unsigned char *reach = malloc(nk ? nk : 1);
	size_t *queue = malloc((nk ? nk : 1) * sizeof(size_t));
	pl_status st = PL_OK;

	if (!load || !reach || !queue) {
		st = nomem(err);
		goto out;
	}
	for (size_t i = 0; i < nm; i++) {
		long k = couples ? couple_of(m, pos, i) : -1, j;
		int any = 0, feasible = 0;
		if (res->mentor_of[i] >= 0)
			continue;
		for (size_t x = 0; x < nk; x++) {
			any |= program_eligible(m, S, i, x, 0);
			feasible |= !isnan(S[i * nk + x]) && !(m->forbidden && m->forbidden[i * nk + x]);
		}
		res->reason[i] = any ? PL_UNMATCHED_CAPACITY
				 : feasible ? PL_UNMATCHED_BELOW_MIN_SCORE : PL_UNMATCHED_NO_FEASIBLE;
		if (!any)
			continue;
		j = k >= 0 ? res->mentor_of[k] : -1;
		if (j >= 0 && res->load[j] < m->capacity[j] && program_eligible(m, S, i, (size_t)j, 0)) {
			res->reason[i] = PL_UNMATCHED_COUPLES;
			continue;
		}
		if (!T || T->of[i] == 0 || m->objective == PL_MENTORS_STABLE)
			continue;
		if (have != T->of[i]) {
			room_above(m, S, T, res->mentor_of, T->of[i], load, reach, queue);
			have = T->of[i];
		}
		res->reason[i] = PL_UNMATCHED_CAPACITY;
		for (size_t x = 0; x < nk; x++) /* a seat the request's pins leave: outranked */
			if (program_eligible(m, S, i, x, 1) && pinned_at(m, x) < m->capacity[x])
				res->reason[i] = PL_UNMATCHED_OUTRANKED;
		for (size_t x = 0; x < nk && res->reason[i] == PL_UNMATCHED_OUTRANKED; x++)
			if (reach[x] && program_eligible(m, S, i, x, 1))
				res->reason[i] = PL_UNMATCHED_CAPACITY;
	}
out:
	free(load);
	free(reach);
	free(queue);
	return st;
}

pl_status pl_mentors_program_solve(pl_mentors_program *m, const double *S, pl_mentors_problem *pb,
				   pl_mentors_result *res, pl_error *err)
{
	size_t nm = m->nmentees, cells = nm * m->nmentors, nlev = 0, solves = 0;
	long *pos = pl_program_positions(&m->P, m->mentee, nm);
	double *levels = alloc(nm, sizeof(double));
	tiers T = { 0, NULL };
	int couples;
	pl_status st = PL_OK;

	memset(res, 0, sizeof(*res));
	free(m->solve_pinned);
	free(m->solve_forbidden);
	m->solve_forbidden = NULL;
	m->couple_splits = 0;
	m->solve_pinned = alloc(nm, sizeof(long));
	T.of = alloc(nm, sizeof(int));
	if (!pos || !levels || !m->solve_pinned || !T.of) {
		st = nomem(err);
		goto out;
	}
	memcpy(m->solve_pinned, m->pinned, nm * sizeof(long));
	if (m->forbidden) {
		m->solve_forbidden = malloc(cells ? cells : 1);
		if (!m->solve_forbidden) {
			st = nomem(err);
			goto out;
		}
		memcpy(m->solve_forbidden, m->forbidden, cells);
	}
	couples = has_couples(m, pos);
	nlev = m->objective != PL_MENTORS_STABLE ? priority_levels(m, levels) : 0;
	T.n = nlev + 1;
	for (size_t i = 0; i < nm; i++)
		T.of[i] = tier_index(levels, nlev, m->P.items[m->mentee[i]].priority);
	if (nlev > 0) {
		st = solve_tiers(m, S, &T, pos, couples, pb, res, &solves, err);
		if (st == PL_OK)
			res->solves = solves;
	} else if (couples) {
		st = solve_separating(m, S, pos, NULL, res, &solves, err);
		if (st == PL_OK)
			res->solves += solves - 1; /* the final solve counted itself */
	} else {
		pl_mentors_program_problem(m, S, pb);
		pb->pinned = m->solve_pinned;
		pb->forbidden = m->solve_forbidden;
		st = pl_mentors_solve(pb, res, err);
	}
	if (st == PL_OK)
		st = program_reasons(m, S, nlev > 0 ? &T : NULL, pos, res, err);
	if (st == PL_OK) {
		pl_mentors_program_problem(m, S, pb);
		pb->pinned = m->solve_pinned;
		pb->forbidden = m->solve_forbidden;
	} else {
		pl_mentors_result_release(res);
	}
out:
	free(pos);
	free(levels);
	free(T.of);
	return st;
}

int pl_mentors_program_has_priority(const pl_mentors_program *m)
{
	for (size_t i = 0; m->objective != PL_MENTORS_STABLE && i < m->nmentees; i++)
		if (m->P.items[m->mentee[i]].priority > 0)
			return 1;
	return 0;
}

pl_status pl_mentors_program_solve_pinned(const pl_mentors_program *m, const double *S, size_t i,
					  size_t j, pl_mentors_result *res, pl_error *err)
{
	pl_mentors_program c = *m; /* shares the population and arrays; owns only what is below */
	pl_mentors_problem pb;
	long *pins = alloc(m->nmentees, sizeof(long));
	long used = 0;
	pl_status st;

	memset(res, 0, sizeof(*res));
	if (!pins)
		return nomem(err);
	memcpy(pins, m->pinned, m->nmentees * sizeof(long));
	for (size_t k = 0; k < m->nmentees; k++)
		used += k != i && pins[k] == (long)j;
	pins[i] = (long)j;
	if (used >= m->capacity[j]) {
		free(pins);
		return pl_error_set(err, PL_ERR_INVALID, "", "mentor '%s' has no seat that is not pinned",
				    mentor_id(m, j));
	}
	c.pinned = pins;
	c.solve_pinned = NULL;
	c.solve_forbidden = NULL;
	st = pl_mentors_program_solve(&c, S, &pb, res, err);
	free(c.solve_pinned);
	free(c.solve_forbidden);
	free(pins);
	return st;
}

/* ---- buddies ---- */

void pl_buddies_program_init(pl_buddies_program *b)
{
	memset(b, 0, sizeof(*b));
	pl_profiles_init(&b->P);
	pl_compat_params_init(&b->prm);
	b->triad = 1;
	b->stickiness = 0.1;
	b->top = 3;
}

void pl_buddies_program_release(pl_buddies_program *b)
{
	if (!b)
		return;
	pl_profiles_release(&b->P);
	free(b->client);
	free(b->forbidden);
	free(b->pinned);
	free(b->current);
	memset(b, 0, sizeof(*b));
}

static int has_pair(const size_t *pairs, size_t n, size_t a, size_t c)
{
	for (size_t k = 0; k < n; k++)
		if ((pairs[2 * k] == a && pairs[2 * k + 1] == c) ||
		    (pairs[2 * k] == c && pairs[2 * k + 1] == a))
			return 1;
	return 0;
}

int pl_buddies_program_is_current(const pl_buddies_program *b, size_t a, size_t c)
{
	return has_pair(b->current, b->ncurrent, a, c);
}

int pl_buddies_program_is_forbidden(const pl_buddies_program *b, size_t a, size_t c)
{
	return has_pair(b->forbidden, b->nforbidden, a, c);
}

const char *pl_buddies_program_rule(const pl_buddies_program *b, size_t a, size_t c)
{
	const char *r = first_rule_name(
		pl_compat_rules_failed(&b->P, &b->prm, b->client[a], b->client[c]));
	if (r)
		return r;
	return pl_buddies_program_is_forbidden(b, a, c) ? "forbidden" : "?";
}

pl_status pl_buddies_program_scores(const pl_buddies_program *b, double **S, pl_error *err)
{
	pl_status st = new_matrix(b->n, b->n, S, err);

	if (st == PL_OK)
		st = pl_program_self_scores(&b->P, &b->prm, b->client, b->n, *S, err);
	if (st != PL_OK)
		return st;
	for (size_t k = 0; k < b->nforbidden; k++) {
		size_t x = b->forbidden[2 * k], y = b->forbidden[2 * k + 1];
		(*S)[x * b->n + y] = (*S)[y * b->n + x] = NAN;
	}
	return PL_OK;
}

static const char *client_id(const pl_buddies_program *b, size_t i)
{
	return b->P.items[b->client[i]].id;
}

static pl_status check_pins(const pl_buddies_program *b, unsigned char *seen, size_t *at,
			    pl_error *err)
{
	for (size_t k = 0; k < b->npinned; k++) {
		size_t x = b->pinned[2 * k], y = b->pinned[2 * k + 1];
		*at = k;
		if (seen[x] || seen[y])
			return pl_error_set(err, PL_ERR_INVALID, "", "client '%s' is pinned twice",
					    client_id(b, seen[x] ? x : y));
		if (pl_compat_rules_failed(&b->P, &b->prm, b->client[x], b->client[y]) ||
		    pl_buddies_program_is_forbidden(b, x, y))
			return pl_error_set(err, PL_ERR_INVALID, "",
					    "the pinned pair ('%s', '%s') breaks the '%s' rule",
					    client_id(b, x), client_id(b, y),
					    pl_buddies_program_rule(b, x, y));
		seen[x] = seen[y] = 1;
	}
	return PL_OK;
}

pl_status pl_buddies_program_check(const pl_buddies_program *b, int *list, size_t *at,
				   pl_error *err)
{
	unsigned char *seen = calloc(b->n + 1, 1);
	pl_status st;

	if (!seen)
		return nomem(err);
	*list = 0;
	st = check_pins(b, seen, at, err);
	memset(seen, 0, b->n + 1);
	for (size_t k = 0; k < b->ncurrent && st == PL_OK; k++) {
		size_t x = b->current[2 * k], y = b->current[2 * k + 1];
		if (seen[x] || seen[y]) {
			*list = 1;
			*at = k;
			st = pl_error_set(err, PL_ERR_INVALID, "", "client '%s' is in two current pairs",
					  client_id(b, seen[x] ? x : y));
		}
		seen[x] = seen[y] = 1;
	}
	free(seen);
	return st;
}

void pl_buddies_program_problem(const pl_buddies_program *b, const double *S,
				pl_buddies_problem *pb)
{
	pl_buddies_problem z = PL_BUDDIES_PROBLEM_INIT;

	*pb = z;
	pb->n = b->n;
	pb->score = S;
	pb->npinned = b->npinned;
	pb->pinned = b->pinned;
	pb->ncurrent = b->ncurrent;
	pb->current = b->current;
	pb->triad = b->triad;
	pb->top = b->top;
	pb->min_score = b->min_score;
	pb->stickiness = b->stickiness;
	pb->no_alternative_change = b->n > PL_BUDDIES_ALT_CHANGE_MAX_CLIENTS;
}

/* ---- groups ---- */

int pl_group_field_from_name(const char *name)
{
	int crit;

	if (strcmp(name, "gender") == 0)
		return PL_GROUP_FIELD_GENDER;
	if (strcmp(name, "age") == 0)
		return PL_GROUP_FIELD_AGE;
	crit = pl_criterion_from_name(name);
	return crit >= 0 && crit < PL_TAG_CRITERIA ? crit : -1;
}

void pl_groups_program_init(pl_groups_program *g)
{
	memset(g, 0, sizeof(*g));
	pl_profiles_init(&g->P);
	pl_compat_params_init(&g->prm);
}

static void free_strings(char **s, size_t n)
{
	for (size_t k = 0; s && k < n; k++)
		free(s[k]);
	free(s);
}

void pl_groups_program_release(pl_groups_program *g)
{
	if (!g)
		return;
	pl_profiles_release(&g->P);
	free(g->client);
	free(g->min_size);
	free(g->max_size);
	free(g->eligible);
	free(g->client_max);
	free(g->anxious);
	free_strings(g->group_id, g->ngroups);
	free_strings(g->group_modality, g->ngroups);
	free_strings(g->group_facilitator, g->ngroups);
	free_strings(g->group_language, g->ngroups);
	free(g->required);
	free(g->gate);
	free(g->apart);
	free(g->together);
	memset(g, 0, sizeof(*g));
}

size_t pl_groups_client_limit(int anxious, size_t max_group_size, size_t anxiety_max)
{
	if (anxious && (max_group_size == 0 || max_group_size > anxiety_max))
		return anxiety_max;
	return max_group_size;
}

size_t pl_groups_default_count(size_t n, size_t max_size)
{
	return (n + max_size - 1) / max_size;
}

pl_status pl_groups_program_set_groups(pl_groups_program *g, size_t ngroups, int named,
				       pl_error *err)
{
	if (ngroups > 0 && g->n > PL_GROUPS_CELLS_MAX / ngroups)
		return pl_error_set(err, PL_ERR_INVALID, "",
				    "too many groups for this many clients (clients x groups may be at "
				    "most %lu)", (unsigned long)PL_GROUPS_CELLS_MAX);
	g->ngroups = ngroups;
	g->min_size = malloc((ngroups + 1) * sizeof(size_t));
	g->max_size = malloc((ngroups + 1) * sizeof(size_t));
	g->eligible = malloc(g->n * ngroups + 1);
	if (!g->min_size || !g->max_size || !g->eligible)
		return nomem(err);
	memset(g->eligible, 1, g->n * ngroups + 1);
	if (!named)
		return PL_OK;
	g->group_id = calloc(ngroups + 1, sizeof(char *));
	g->group_modality = calloc(ngroups + 1, sizeof(char *));
	g->group_facilitator = calloc(ngroups + 1, sizeof(char *));
	g->group_language = calloc(ngroups + 1, sizeof(char *));
	if (!g->group_id || !g->group_modality || !g->group_facilitator || !g->group_language)
		return nomem(err);
	return PL_OK;
}

size_t pl_groups_program_eligible(const pl_groups_program *g, size_t group)
{
	size_t cnt = 0;
	for (size_t i = 0; i < g->n; i++)
		cnt += g->eligible[i * g->ngroups + group] != 0;
	return cnt;
}

/* Record a rule just applied to a group. Out of memory, the log stops growing: it only names
 * the rule in an error message, which then falls back to the group. */
static void add_gate(pl_groups_program *g, size_t group, int field)
{
	if (g->ngates == g->gatecap) {
		size_t cap = g->gatecap ? 2 * g->gatecap : 16;
		pl_group_gate *q = realloc(g->gate, cap * sizeof(*q));
		if (!q)
			return;
		g->gate = q;
		g->gatecap = cap;
	}
	g->gate[g->ngates].group = group;
	g->gate[g->ngates].field = field;
	g->gate[g->ngates++].left = pl_groups_program_eligible(g, group);
}

const char *pl_group_gate_name(int field)
{
	switch (field) {
	case PL_GROUP_GATE_MODALITY: return "modality";
	case PL_GROUP_GATE_LANGUAGE: return "language";
	case PL_GROUP_FIELD_GENDER: return "gender";
	case PL_GROUP_FIELD_AGE: return "age";
	}
	return field >= 0 && field < PL_TAG_CRITERIA ? pl_criterion_name((pl_criterion)field) : "?";
}

int pl_group_gate_is_requirement(int field)
{
	return field >= 0;
}

const pl_group_gate *pl_groups_program_blocking_gate(const pl_groups_program *g, size_t group)
{
	for (size_t k = 0; k < g->ngates; k++)
		if (g->gate[k].group == group && g->gate[k].left < g->min_size[group])
			return &g->gate[k];
	return NULL;
}

pl_status pl_groups_program_set_required(pl_groups_program *g, size_t group, pl_error *err)
{
	if (!g->required && !(g->required = calloc(g->ngroups + 1, 1)))
		return nomem(err);
	g->required[group] = 1;
	return PL_OK;
}

pl_status pl_groups_program_check_required(const pl_groups_program *g, size_t *group,
					   const pl_group_gate **gate, pl_error *err)
{
	for (size_t k = 0; g->required && k < g->ngroups; k++) {
		const pl_group_gate *b;
		if (!g->required[k] || !(b = pl_groups_program_blocking_gate(g, k)))
			continue;
		*group = k;
		*gate = b;
		return pl_error_set(err, PL_ERR_INFEASIBLE, "",
				    "required group '%s' cannot be formed: %zu %s its %s%s "
				    "rule (with the rules before it), its minimum size is %zu",
				    g->group_id ? g->group_id[k] : "?", b->left,
				    b->left == 1 ? "client meets" : "clients meet",
				    pl_group_gate_is_requirement(b->field) ? "requires." : "",
				    pl_group_gate_name(b->field), g->min_size[k]);
	}
	return PL_OK;
}

static int has_tag(const pl_tags *t, int id)
{
	for (size_t k = 0; k < t->n; k++)
		if (t->ids[k] == id)
			return 1;
	return 0;
}

void pl_groups_program_modality(pl_groups_program *g, size_t group, const char *modality)
{
	int tid = pl_vocab_find(&g->P.tags[PL_CRIT_MODALITIES], modality);

	for (size_t i = 0; i < g->n; i++) {
		const pl_tags *t = &g->P.items[g->client[i]].tags[PL_CRIT_MODALITIES];
		if (t->n > 0 && (tid < 0 || !has_tag(t, tid)))
			g->eligible[i * g->ngroups + group] = 0;
	}
	add_gate(g, group, PL_GROUP_GATE_MODALITY);
}

void pl_groups_program_language(pl_groups_program *g, size_t group, const char *language)
{
	int tid = pl_vocab_find(&g->P.tags[PL_CRIT_LANGUAGES], language);

	for (size_t i = 0; i < g->n; i++)
		if (tid < 0 || !has_tag(&g->P.items[g->client[i]].tags[PL_CRIT_LANGUAGES], tid))
			g->eligible[i * g->ngroups + group] = 0;
	add_gate(g, group, PL_GROUP_GATE_LANGUAGE);
}

/* Does the profile meet the requirement? Tags and gender: any one of the listed values. */
static int meets(const pl_profiles *P, const pl_profile *pr, const pl_group_requirement *req)
{
	if (req->field == PL_GROUP_FIELD_AGE)
		return pr->has_age && pr->age >= req->age_lo && pr->age <= req->age_hi;
	for (size_t k = 0; k < req->ntags; k++) {
		if (req->field == PL_GROUP_FIELD_GENDER) {
			int gid = pl_vocab_find(&P->genders, req->tags[k]);
			if (gid >= 0 && pr->gender == gid)
				return 1;
		} else {
			int tid = pl_vocab_find(&P->tags[req->field], req->tags[k]);
			if (tid >= 0 && has_tag(&pr->tags[req->field], tid))
				return 1;
		}
	}
	return 0;
}

void pl_groups_program_require(pl_groups_program *g, size_t group,
			       const pl_group_requirement *req)
{
	for (size_t i = 0; i < g->n; i++)
		if (!meets(&g->P, &g->P.items[g->client[i]], req))
			g->eligible[i * g->ngroups + group] = 0;
	add_gate(g, group, req->field);
}

unsigned pl_groups_program_pair_rules(const pl_groups_program *g, size_t a, size_t b)
{
	unsigned bits = pl_compat_rules_failed(&g->P, &g->prm, g->client[a], g->client[b]);

	for (size_t k = 0; k < g->napart; k++)
		if ((g->apart[2 * k] == a && g->apart[2 * k + 1] == b) ||
		    (g->apart[2 * k] == b && g->apart[2 * k + 1] == a))
			bits |= PL_GROUPS_RULE_KEEP_APART;
	return bits;
}

int pl_groups_program_may_join(const pl_groups_program *g, size_t i, size_t group)
{
	size_t lim = g->client_max ? g->client_max[i] : 0;

	if (!g->eligible[i * g->ngroups + group])
		return 0;
	return lim == 0 || (lim >= g->min_size[group] && (!g->limit_on_max || g->max_size[group] <= lim));
}

/* A set of `need` candidates pairwise free of every rule but `ignore`, by depth-first search:
 * 1 found, 0 none, -1 the budget ran out. bits: nc x nc pair rules; cand[0..m) the candidates
 * compatible with everything chosen, scratch the deeper levels' lists. */
static int conflict_free_set(const unsigned *bits, size_t nc, unsigned ignore, const size_t *cand,
			     size_t m, size_t have, size_t need, size_t *scratch, size_t *budget)
{
	if (have >= need)
		return 1;
	for (size_t k = 0; k < m && have + (m - k) >= need; k++) {
		size_t a = cand[k], nn = 0;
		int r;
		if (*budget == 0)
			return -1;
		(*budget)--;
		for (size_t j = k + 1; j < m; j++)
			if (!(bits[a * nc + cand[j]] & ~ignore))
				scratch[nn++] = cand[j];
		r = conflict_free_set(bits, nc, ignore, scratch, nn, have + 1, need, scratch + nn, budget);
		if (r != 0)
			return r;
	}
	return 0;
}

pl_status pl_groups_program_clique_rules(const pl_groups_program *g, size_t group,
					 pl_groups_clique_rules *out, pl_error *err)
{
	size_t nc = 0, *who = malloc((g->n + 1) * sizeof(size_t)), *cand = NULL;
	unsigned *bits = NULL;
	pl_status st = PL_OK;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; who && i < g->n; i++)
		if (pl_groups_program_may_join(g, i, group))
			who[nc++] = i;
	if (who && nc > PL_GROUPS_CLIQUE_RULES_MAX) { /* as the solver's own check, skipped */
		out->clients = nc;
		out->exhausted = 1;
		goto out;
	}
	if (!who || !(bits = calloc(nc * nc + 1, sizeof(unsigned))) ||
	    !(cand = malloc((nc * (nc + 1) + 1) * sizeof(size_t)))) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	out->clients = nc;
	for (size_t a = 0; a < nc; a++)
		for (size_t b = a + 1; b < nc; b++) {
			unsigned f = pl_groups_program_pair_rules(g, who[a], who[b]);
			bits[a * nc + b] = bits[b * nc + a] = f;
			out->pairs++;
			for (unsigned r = 0; r <= PL_RULE_COUNT; r++)
				out->counts[r] += (f >> r) & 1u;
		}
	for (size_t a = 0; a < nc; a++)
		cand[a] = a;
	for (unsigned r = 0; r <= PL_RULE_COUNT + 1; r++) {
		/* r = PL_RULE_COUNT + 1: every rule kept (is there a set at all?) */
		unsigned ignore = r <= PL_RULE_COUNT ? 1u << r : 0;
		size_t budget = 200000;
		int found;
		if (r <= PL_RULE_COUNT && !out->counts[r])
			continue;
		found = conflict_free_set(bits, nc, ignore, cand, nc, 0, g->min_size[group], cand + nc,
					  &budget);
		if (found < 0)
			out->exhausted = 1;
		else if (found && ignore)
			out->decisive |= ignore;
		else if (found)
			out->found = 1;
	}
out:
	free(who);
	free(bits);
	free(cand);
	return st;
}

pl_status pl_groups_program_scores(const pl_groups_program *g, double **S, pl_error *err)
{
	pl_status st = new_matrix(g->n, g->n, S, err);

	if (st != PL_OK)
		return st;
	return pl_program_self_scores(&g->P, &g->prm, g->client, g->n, *S, err);
}

void pl_groups_program_problem(const pl_groups_program *g, const double *S,
			       pl_groups_problem *pb)
{
	pl_groups_problem z = PL_GROUPS_PROBLEM_INIT;

	*pb = z;
	pb->n = g->n;
	pb->score = S;
	pb->ngroups = g->ngroups;
	pb->min_size = g->min_size;
	pb->max_size = g->max_size;
	pb->eligible = g->eligible;
	pb->client_max = g->client_max;
	pb->limit_on_max = g->limit_on_max;
	pb->required = g->required;
	pb->napart = g->napart;
	pb->apart = g->apart;
	pb->ntogether = g->ntogether;
	pb->together = g->together;
	pb->seed = g->seed;
}
