/*
 * test_assign.c: the assignment solver against brute force on every small shape, and against
 * its own dual certificate (an independent proof of optimality) on large instances.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/assign.h>
#include "match/assign_int.h"
#include "testutil.h"

/* ---- brute force: every way to give each row a column with room, or none ---- */

typedef struct brute {
	const double *c;
	size_t n, m;
	long *left;      /* remaining capacity per column */
	size_t best_card;
	double best_cost;
	int found;
} brute;

static void brute_rec(brute *b, size_t i, size_t card, double cost)
{
	if (i == b->n) {
		if (!b->found || card > b->best_card ||
		    (card == b->best_card && cost < b->best_cost - 1e-12)) {
			b->found = 1;
			b->best_card = card;
			b->best_cost = cost;
		}
		return;
	}
	brute_rec(b, i + 1, card, cost);
	for (size_t j = 0; j < b->m; j++) {
		double x = b->c[i * b->m + j];
		if (!(x < INFINITY) || b->left[j] == 0)
			continue;
		b->left[j]--;
		brute_rec(b, i + 1, card + 1, cost + x);
		b->left[j]++;
	}
}

static void brute_solve(const double *c, size_t n, size_t m, const long *cap, size_t *card,
			double *cost)
{
	brute b = { c, n, m, calloc(m + 1, sizeof(long)), 0, 0.0, 0 };
	for (size_t j = 0; j < m; j++)
		b.left[j] = cap ? cap[j] : 1;
	brute_rec(&b, 0, 0, 0.0);
	*card = b.best_card;
	*cost = b.best_cost;
	free(b.left);
}

/* The answer must be a feasible assignment whose reported total is its real total. */
static void check_feasible(const double *c, size_t n, size_t m, const long *cap,
			   const pl_assign_result *r)
{
	long *load = calloc(m + 1, sizeof(long));
	double total = 0.0;
	size_t card = 0;

	for (size_t i = 0; i < n; i++) {
		long j = r->row_to_col[i];
		if (j == PL_ASSIGN_UNASSIGNED)
			continue;
		ck_assert_int_ge(j, 0);
		ck_assert_int_lt(j, (long)m);
		ck_assert_msg(c[i * m + (size_t)j] < INFINITY, "forbidden pair (%zu,%ld) used", i, j);
		load[j]++;
		total += c[i * m + (size_t)j];
		card++;
	}
	for (size_t j = 0; j < m; j++)
		ck_assert_int_le(load[j], cap ? cap[j] : 1);
	ck_assert_uint_eq(card, r->assigned);
	ck_assert_double_eq_tol(total, r->total, 1e-9);
	free(load);
}

/* Entry kinds cover ties (small integers), negatives, reals and forbidden pairs. */
static double random_entry(tu_rng *g, int kind, double p_forbid)
{
	if (tu_uniform(g) < p_forbid)
		return tu_uniform(g) < 0.5 ? INFINITY : NAN;
	switch (kind) {
	case 0: return (double)tu_range(g, 0, 3);
	case 1: return (double)tu_range(g, -5, 5);
	default: return tu_uniform(g) * 10.0 - 3.0;
	}
}

static void compare_with_brute(const double *c, size_t n, size_t m, const long *cap)
{
	pl_assign_result r;
	pl_error err = PL_ERROR_INIT;
	size_t card;
	double cost;

	ck_assert_int_eq(pl_assign_solve(c, n, m, cap, &r, &err), PL_OK);
	check_feasible(c, n, m, cap, &r);
	brute_solve(c, n, m, cap, &card, &cost);
	ck_assert_msg(r.assigned == card, "%zux%zu: assigned %zu, brute force %zu", n, m, r.assigned, card);
	ck_assert_msg(fabs(r.total - cost) < 1e-9, "%zux%zu: total %g, brute force %g", n, m, r.total, cost);
	pl_assign_result_release(&r);
}

START_TEST(every_small_shape_matches_brute_force)
{
	tu_rng g = { 42 };
	double c[36];
	long cap[6];

	for (size_t n = 0; n <= 5; n++)
		for (size_t m = 0; m <= 5; m++)
			for (int trial = 0; trial < 40; trial++) {
				int kind = trial % 3;
				double p = (trial / 3) % 4 == 0 ? 0.0 : 0.1 * (double)((trial / 3) % 4);
				int capped = trial % 2;
				for (size_t k = 0; k < n * m; k++)
					c[k] = random_entry(&g, kind, p);
				for (size_t j = 0; j < m; j++)
					cap[j] = tu_range(&g, 1, 3);
				compare_with_brute(c, n, m, capped ? cap : NULL);
			}
}
END_TEST

START_TEST(forbidden_rows_and_columns)
{
	/* Row 1 and column 2 entirely forbidden. */
	double c[] = { 1, 2, INFINITY, INFINITY, INFINITY, INFINITY, 3, 1, INFINITY };
	compare_with_brute(c, 3, 3, NULL);
	{
		pl_assign_result r;
		ck_assert_int_eq(pl_assign_solve(c, 3, 3, NULL, &r, NULL), PL_OK);
		ck_assert_int_eq(r.row_to_col[1], PL_ASSIGN_UNASSIGNED);
		ck_assert_uint_eq(r.assigned, 2);
		ck_assert_double_eq_tol(r.total, 2.0, 1e-12); /* (0,0)=1 + (2,1)=1 */
		pl_assign_result_release(&r);
	}
}
END_TEST

START_TEST(cardinality_before_cost)
{
	/* One column, two rows: whichever row is listed first, the cheaper one gets it. */
	double a[] = { 5, 1 }, b[] = { 1, 5 };
	pl_assign_result r;

	ck_assert_int_eq(pl_assign_solve(a, 2, 1, NULL, &r, NULL), PL_OK);
	ck_assert_int_eq(r.row_to_col[1], 0);
	ck_assert_int_eq(r.row_to_col[0], PL_ASSIGN_UNASSIGNED);
	pl_assign_result_release(&r);
	ck_assert_int_eq(pl_assign_solve(b, 2, 1, NULL, &r, NULL), PL_OK);
	ck_assert_int_eq(r.row_to_col[0], 0);
	pl_assign_result_release(&r);
	/* Two rows, two columns; (0,0) is cheapest but taking it leaves row 1 with nothing. */
	{
		double c[] = { 0, 10, 1, INFINITY };
		ck_assert_int_eq(pl_assign_solve(c, 2, 2, NULL, &r, NULL), PL_OK);
		ck_assert_uint_eq(r.assigned, 2);
		ck_assert_double_eq_tol(r.total, 11.0, 1e-12);
		pl_assign_result_release(&r);
	}
	/* Rows outnumber capacity with forbidden pairs: dropped rows are chosen by cost. */
	{
		double c[] = { 4, INFINITY, 1, 2, 3, INFINITY, 0, 9 };
		long cap[] = { 2, 1 };
		compare_with_brute(c, 4, 2, cap);
	}
}
END_TEST

START_TEST(empty_and_degenerate_shapes)
{
	pl_assign_result r;
	double one = 7.0, row[] = { 3, -1, 2 }, col[] = { 3, -1, 2 };
	long big[] = { 100 };

	ck_assert_int_eq(pl_assign_solve(NULL, 0, 0, NULL, &r, NULL), PL_OK);
	ck_assert_uint_eq(r.assigned, 0);
	ck_assert_double_eq(r.total, 0.0);
	pl_assign_result_release(&r);
	ck_assert_int_eq(pl_assign_solve(NULL, 0, 3, NULL, &r, NULL), PL_OK);
	pl_assign_result_release(&r);
	ck_assert_int_eq(pl_assign_solve(NULL, 3, 0, NULL, &r, NULL), PL_OK);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(r.row_to_col[i], PL_ASSIGN_UNASSIGNED);
	pl_assign_result_release(&r);
	ck_assert_int_eq(pl_assign_solve(&one, 1, 1, NULL, &r, NULL), PL_OK);
	ck_assert_int_eq(r.row_to_col[0], 0);
	ck_assert_double_eq(r.total, 7.0);
	pl_assign_result_release(&r);
	/* 1 x N picks the minimum; N x 1 gives the column to the cheapest row. */
	ck_assert_int_eq(pl_assign_solve(row, 1, 3, NULL, &r, NULL), PL_OK);
	ck_assert_int_eq(r.row_to_col[0], 1);
	pl_assign_result_release(&r);
	ck_assert_int_eq(pl_assign_solve(col, 3, 1, NULL, &r, NULL), PL_OK);
	ck_assert_int_eq(r.row_to_col[1], 0);
	ck_assert_uint_eq(r.assigned, 1);
	pl_assign_result_release(&r);
	/* A capacity larger than the number of rows takes every row. */
	ck_assert_int_eq(pl_assign_solve(col, 3, 1, big, &r, NULL), PL_OK);
	ck_assert_uint_eq(r.assigned, 3);
	ck_assert_double_eq_tol(r.total, 4.0, 1e-12);
	pl_assign_result_release(&r);
}
END_TEST

START_TEST(invalid_input_is_rejected)
{
	pl_assign_result r;
	pl_error err = PL_ERROR_INIT;
	double c[] = { 1, -INFINITY, 2, 3 };
	double ok[] = { 1, 2, 3, 4 };
	long cap[] = { 1, 0 };

	ck_assert_int_eq(pl_assign_solve(c, 2, 2, NULL, &r, &err), PL_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.message, "row 0, column 1"));
	ck_assert_int_eq(pl_assign_solve(ok, 2, 2, cap, &r, &err), PL_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(err.message, "column 1"));
	ck_assert_ptr_null(r.row_to_col);
}
END_TEST

/* Issue 9 finding 6: entries beyond 1e15 in magnitude (whose totals could overflow to infinity)
 * are refused with the entry's pointer; matrices beyond the size limits before any entry is
 * read (cost may then be NULL). */
START_TEST(limits_are_enforced)
{
	pl_assign_result r;
	pl_error err = PL_ERROR_INIT;
	double big[] = { 1, 2, 3, 1.7e308 }, edge[] = { PL_ASSIGN_COST_MAX, -PL_ASSIGN_COST_MAX, 0, 1 };
	double neg[] = { 1, 2, -2e15, INFINITY };

	ck_assert_int_eq(pl_assign_solve(big, 2, 2, NULL, &r, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/1/1");
	ck_assert_int_eq(pl_assign_solve(neg, 2, 2, NULL, &r, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/1/0");
	ck_assert_int_eq(pl_assign_solve(edge, 2, 2, NULL, &r, &err), PL_OK);
	ck_assert(isfinite(r.total));
	pl_assign_result_release(&r);
	ck_assert_int_eq(pl_assign_solve(NULL, PL_ASSIGN_DIM_MAX + 1, 1, NULL, &r, &err),
			 PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "");
	ck_assert_int_eq(pl_assign_solve(NULL, (size_t)1 << 15, (size_t)1 << 14, NULL, &r, &err),
			 PL_ERR_INVALID);
	ck_assert_ptr_null(r.row_to_col);
}
END_TEST

/*
 * The LP dual certificate: u[i] + v[j] <= c[i][j] on allowed pairs, equality on assigned pairs,
 * v <= 0 with v == 0 on columns below capacity, and sum(u) + sum(cap v) == total. Together with
 * feasibility this proves the assignment optimal without trusting the solver.
 */
static void check_certificate(const double *c, size_t n, size_t m, const long *cap,
			      const pl_assign_result *r)
{
	long *load = calloc(m, sizeof(long));
	double dual = 0.0, scale = 1.0, tol;

	for (size_t k = 0; k < n * m; k++)
		if (c[k] < INFINITY && fabs(c[k]) > scale)
			scale = fabs(c[k]);
	tol = 1e-9 * scale;
	ck_assert_uint_eq(r->assigned, n);
	for (size_t i = 0; i < n; i++)
		load[r->row_to_col[i]]++;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < m; j++) {
			double x = c[i * m + j];
			if (!(x < INFINITY))
				continue;
			ck_assert_msg(r->u[i] + r->v[j] <= x + tol, "reduced cost negative at (%zu,%zu)", i, j);
		}
		ck_assert_double_eq_tol(r->u[i] + r->v[r->row_to_col[i]], c[i * m + (size_t)r->row_to_col[i]], tol);
		dual += r->u[i];
	}
	for (size_t j = 0; j < m; j++) {
		long cj = cap ? cap[j] : 1;
		ck_assert_msg(r->v[j] <= tol, "column dual positive at %zu", j);
		if (load[j] < cj)
			ck_assert_double_eq_tol(r->v[j], 0.0, tol);
		dual += (double)cj * r->v[j];
	}
	ck_assert_double_eq_tol(dual, r->total, tol * (double)n);
	free(load);
}

static void solve_and_certify(const double *c, size_t n, size_t m, const long *cap,
			      const char *expect_method)
{
	pl_assign_result r;
	pl_error err = PL_ERROR_INIT;

	ck_assert_int_eq(pl_assign_solve(c, n, m, cap, &r, &err), PL_OK);
	check_feasible(c, n, m, cap, &r);
	check_certificate(c, n, m, cap, &r);
	if (expect_method)
		ck_assert_str_eq(r.method, expect_method);
	pl_assign_result_release(&r);
}

START_TEST(certificate_square_uniform)
{
	tu_rng g = { 7 };
	size_t n = 400;
	double *c = malloc(n * n * sizeof(double));

	for (size_t k = 0; k < n * n; k++)
		c[k] = tu_uniform(&g);
	solve_and_certify(c, n, n, NULL, "sparse-candidates");
	for (size_t k = 0; k < n * n; k++)
		c[k] = (double)tu_range(&g, 0, 1000);
	solve_and_certify(c, n, n, NULL, NULL);
	free(c);
}
END_TEST

/* Structured squares defeat the candidate lists; the pricing loop or the dense fallback must
 * still end with a valid certificate. */
START_TEST(certificate_square_structured)
{
	size_t n = 120;
	double *c = malloc(n * n * sizeof(double));

	for (int shape = 0; shape < 5; shape++) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				double x = 0;
				switch (shape) {
				case 0: x = (double)(i * j); break;                  /* Monge-like product */
				case 1: x = (double)(i + j);  break;                 /* all totals equal */
				case 2: x = (double)((i * 7 + j * 13) % 11); break;  /* many ties */
				case 3: x = -(double)(i * j % 97); break;            /* negative */
				case 4: x = j < n / 2 ? 1000.0 + (double)i : (double)j; break;
				}
				c[i * n + j] = x;
			}
		solve_and_certify(c, n, n, NULL, NULL);
	}
	free(c);
}
END_TEST

START_TEST(certificate_rectangular_and_capacities)
{
	tu_rng g = { 11 };
	size_t n = 150, m = 400;
	double *c = malloc(n * m * sizeof(double));
	long cap[400];

	for (size_t k = 0; k < n * m; k++)
		c[k] = tu_uniform(&g) * 100.0 - 20.0;
	solve_and_certify(c, n, m, NULL, "sparse-flow");
	/* 300 rows into 60 columns of capacity 5, with 20% forbidden pairs. */
	n = 300;
	m = 60;
	for (size_t k = 0; k < n * m; k++)
		c[k] = tu_uniform(&g) < 0.2 ? INFINITY : tu_uniform(&g);
	for (size_t j = 0; j < m; j++)
		cap[j] = 5;
	solve_and_certify(c, n, m, cap, "sparse-flow");
	/* Spare capacity: columns below capacity must have v == 0. */
	for (size_t j = 0; j < m; j++)
		cap[j] = tu_range(&g, 5, 9);
	solve_and_certify(c, n, m, cap, "sparse-flow");
	free(c);
}
END_TEST

/* More rows than unit columns: every column is filled, rows left out have dual 0. */
START_TEST(certificate_more_rows_than_columns)
{
	tu_rng g = { 3 };
	size_t n = 300, m = 80;
	double *c = malloc(n * m * sizeof(double));
	pl_assign_result r;
	size_t *taken = calloc(m, sizeof(size_t));

	for (size_t k = 0; k < n * m; k++)
		c[k] = tu_uniform(&g);
	ck_assert_int_eq(pl_assign_solve(c, n, m, NULL, &r, NULL), PL_OK);
	check_feasible(c, n, m, NULL, &r);
	ck_assert_uint_eq(r.assigned, m);
	{
		double dual = 0.0;
		for (size_t i = 0; i < n; i++) {
			ck_assert(r.u[i] <= 1e-9);
			if (r.row_to_col[i] == PL_ASSIGN_UNASSIGNED)
				ck_assert_double_eq_tol(r.u[i], 0.0, 1e-9);
			else
				ck_assert_double_eq_tol(r.u[i] + r.v[r.row_to_col[i]], c[i * m + (size_t)r.row_to_col[i]], 1e-9);
			for (size_t j = 0; j < m; j++)
				ck_assert(r.u[i] + r.v[j] <= c[i * m + j] + 1e-9);
			dual += r.u[i];
		}
		for (size_t j = 0; j < m; j++)
			dual += r.v[j];
		ck_assert_double_eq_tol(dual, r.total, 1e-7);
	}
	pl_assign_result_release(&r);
	free(taken);
	free(c);
}
END_TEST

/* Medium instances with drops, checked against an independent formulation: the same problem
 * with each column's capacity expanded into unit copies must give the same optimum. */
START_TEST(capacities_equal_expanded_columns)
{
	tu_rng g = { 5 };
	for (int trial = 0; trial < 30; trial++) {
		size_t n = (size_t)tu_range(&g, 5, 40), m = (size_t)tu_range(&g, 2, 10), mm = 0;
		long cap[10];
		double *c = malloc(n * m * sizeof(double)), *e;
		pl_assign_result a, b;

		for (size_t j = 0; j < m; j++) {
			cap[j] = tu_range(&g, 1, 4);
			mm += (size_t)cap[j];
		}
		for (size_t k = 0; k < n * m; k++)
			c[k] = tu_uniform(&g) < 0.3 ? INFINITY : (double)tu_range(&g, -10, 30);
		e = malloc(n * mm * sizeof(double));
		for (size_t i = 0; i < n; i++) {
			size_t col = 0;
			for (size_t j = 0; j < m; j++)
				for (long k = 0; k < cap[j]; k++)
					e[i * mm + col++] = c[i * m + j];
		}
		ck_assert_int_eq(pl_assign_solve(c, n, m, cap, &a, NULL), PL_OK);
		ck_assert_int_eq(pl_assign_solve(e, n, mm, NULL, &b, NULL), PL_OK);
		check_feasible(c, n, m, cap, &a);
		ck_assert_uint_eq(a.assigned, b.assigned);
		ck_assert_double_eq_tol(a.total, b.total, 1e-9);
		pl_assign_result_release(&a);
		pl_assign_result_release(&b);
		free(c);
		free(e);
	}
}
END_TEST


/*
 * The sparse flow driver on its own (pl_solve routes only problems above DENSE_MAX_ENTRIES
 * entries to it): brute force on small random programs with capacities 1-3, 0-70 % forbidden
 * pairs, many ties (costs from a handful of integers) and both rectangular orientations, plus
 * its dual certificate whenever every row is placed (rows fit) or every seat is filled (rows
 * outnumber seats).
 */
START_TEST(flow_driver_matches_brute_force)
{
	tu_rng g = { 1313 };
	for (int trial = 0; trial < 1500; trial++) {
		size_t n = (size_t)tu_range(&g, 1, 7), m = (size_t)tu_range(&g, 1, 4), card, seats = 0;
		size_t placed = 0;
		long cap[4], row_col[7], load[4] = { 0, 0, 0, 0 };
		double c[28], u[7], v[4], cost, total = 0.0, tol = 1e-9, pf = 0.1 * (double)(trial % 8);
		size_t aug;

		for (size_t j = 0; j < m; j++) {
			cap[j] = tu_range(&g, 1, 3);
			seats += (size_t)cap[j];
		}
		for (size_t k = 0; k < n * m; k++)
			c[k] = random_entry(&g, trial % 3, pf);
		ck_assert_int_eq(pl_assign_flow_solve(c, n, m, cap, row_col, u, v, &aug), 0);
		{
			/* the same problem as pair lists by rows: the very same answer and duals */
			size_t start[8], np = 0, aug2;
			int col[28];
			double pc[28], u2[7], v2[4];
			long rc2[7];
			for (size_t i = 0; i < n; i++) {
				start[i] = np;
				for (size_t j = 0; j < m; j++)
					if (c[i * m + j] < INFINITY) {
						col[np] = (int)j;
						pc[np++] = c[i * m + j];
					}
			}
			start[n] = np;
			ck_assert_int_eq(pl_assign_flow_solve_pairs(n, m, cap, start, col, pc, 0, rc2, u2, v2, &aug2), 0);
			ck_assert(aug2 == aug);
			ck_assert(memcmp(rc2, row_col, n * sizeof(long)) == 0);
			ck_assert(memcmp(u2, u, n * sizeof(double)) == 0);
			ck_assert(memcmp(v2, v, m * sizeof(double)) == 0);
			/* and from the negated costs with negate set (how mentor matching hands its
			 * scores over) */
			for (size_t k = 0; k < np; k++)
				pc[k] = -pc[k];
			ck_assert_int_eq(pl_assign_flow_solve_pairs(n, m, cap, start, col, pc, 1, rc2, u2, v2, &aug2), 0);
			ck_assert(aug2 == aug);
			ck_assert(memcmp(rc2, row_col, n * sizeof(long)) == 0);
			ck_assert(memcmp(u2, u, n * sizeof(double)) == 0);
			ck_assert(memcmp(v2, v, m * sizeof(double)) == 0);
		}
		for (size_t i = 0; i < n; i++) {
			if (row_col[i] < 0)
				continue;
			ck_assert(c[i * m + (size_t)row_col[i]] < INFINITY);
			load[row_col[i]]++;
			total += c[i * m + (size_t)row_col[i]];
			placed++;
		}
		for (size_t j = 0; j < m; j++)
			ck_assert_int_le(load[j], cap[j]);
		brute_solve(c, n, m, cap, &card, &cost);
		ck_assert_msg(placed == card, "trial %d: placed %zu, brute force %zu", trial, placed, card);
		ck_assert_msg(fabs(total - cost) < 1e-9, "trial %d: total %g, brute force %g", trial, total, cost);
		/* certificate: reduced costs >= 0, tight on assigned pairs, complementary slackness */
		if (placed == n || placed == seats) {
			double dual = 0.0;
			for (size_t i = 0; i < n; i++)
				for (size_t j = 0; j < m; j++) {
					if (!(c[i * m + j] < INFINITY))
						continue;
					ck_assert(c[i * m + j] - u[i] - v[j] >= -tol);
					if (row_col[i] == (long)j)
						ck_assert(fabs(c[i * m + j] - u[i] - v[j]) <= tol);
				}
			for (size_t i = 0; i < n; i++)
				if (placed == n || row_col[i] >= 0 || placed < seats)
					dual += u[i];
			for (size_t j = 0; j < m; j++) {
				if (placed == n && n <= seats) {
					ck_assert(v[j] <= tol);
					if (load[j] < cap[j])
						ck_assert(fabs(v[j]) <= tol);
				}
				dual += (double)cap[j] * v[j];
			}
			if (placed == n && n <= seats)
				ck_assert_msg(fabs(dual - total) < 1e-7, "trial %d: dual %g total %g", trial, dual, total);
			if (placed == seats && n > seats) {
				for (size_t i = 0; i < n; i++) {
					ck_assert(u[i] <= tol);
					if (row_col[i] < 0)
						ck_assert(fabs(u[i]) <= tol);
				}
			}
		}
	}
}
END_TEST

static Suite *assign_suite(void)
{
	Suite *s = suite_create("assign");
	TCase *small = tcase_create("brute_force"), *big = tcase_create("certificate");

	tcase_add_test(small, every_small_shape_matches_brute_force);
	tcase_add_test(small, forbidden_rows_and_columns);
	tcase_add_test(small, cardinality_before_cost);
	tcase_add_test(small, empty_and_degenerate_shapes);
	tcase_add_test(small, invalid_input_is_rejected);
	tcase_add_test(small, limits_are_enforced);
	tcase_add_test(small, capacities_equal_expanded_columns);
	tcase_add_test(small, flow_driver_matches_brute_force);
	tcase_add_test(big, certificate_square_uniform);
	tcase_add_test(big, certificate_square_structured);
	tcase_add_test(big, certificate_rectangular_and_capacities);
	tcase_add_test(big, certificate_more_rows_than_columns);
	tcase_set_timeout(big, 120);
	suite_add_tcase(s, small);
	suite_add_tcase(s, big);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(assign_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
