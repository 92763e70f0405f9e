/*
 * test_nomem.c: the library never aborts its caller when memory runs out (error.h; issue 9).
 *
 * The paths that go through GSL (the phase surrogates' FFT, the generators' alias tables and
 * random draws, the RNG streams), the JSON Lines reader's line buffer, and mentor matching
 * (solve, blocking pairs) run with the k-th allocation failing, for every k until a run needs
 * no more than k allocations: each must return PL_ERR_NOMEM (or finish), never crash and
 * never reach GSL's error handler, whose default aborts. This program does NOT switch that
 * handler off (gsl_set_error_handler_off): an abort is a test failure, which is the point.
 *
 * How allocations fail: this executable defines malloc, calloc and realloc, which the dynamic
 * linker then uses for every library (libpeerlink and libgsl included); they count calls and
 * forward to glibc's __libc_* functions unless the armed countdown says this one fails.
 * AddressSanitizer brings its own allocator, so in a sanitized build the interposer is left out
 * and the cases are skipped (visibly: "skipped under a sanitizer").
 */
#define _GNU_SOURCE
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/ews.h>
#include <peerlink/gen.h>
#include <peerlink/json.h>
#include <peerlink/mentors.h>
#include <peerlink/rng.h>

#include "core/fft.h"

#if defined(__SANITIZE_ADDRESS__)
#define PL_NOMEM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PL_NOMEM_SANITIZED 1
#endif
#endif

#ifndef PL_NOMEM_SANITIZED
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

/* Armed: fail the allocation whose 0-based index since arming is fail_at. Check forks each test,
 * so these are per test; the library under test is single-threaded on these paths. */
static int armed, paused;
static long seen, fail_at = -1;

static int fail_now(void)
{
	if (!armed || paused)
		return 0;
	return seen++ == fail_at;
}

/* A path's own setup and cleanup (not under test) neither count nor fail. */
static void setup_only(int on)
{
	paused = on;
}

void *malloc(size_t size)
{
	return fail_now() ? NULL : __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	return fail_now() ? NULL : __libc_realloc(p, size);
}

static void arm(long k)
{
	seen = 0;
	fail_at = k;
	armed = 1;
}

/* Allocations made since arm(). */
static long disarm(void)
{
	armed = 0;
	return seen;
}
#else
static void setup_only(int on)
{
	(void)on;
}
#endif

/* One path under test: runs, frees what it made, returns its status. */
typedef pl_status (*path_fn)(void);

static double series[120];

static void make_series(void)
{
	double v = 0;
	for (size_t t = 0; t < 120; t++) {
		v = 0.6 * v + sin(1.7 * (double)t) + 0.01 * (double)t;
		series[t] = t % 13 == 5 ? NAN : v;
	}
}

static pl_status ews_phase(size_t n)
{
	pl_ews_request q = PL_EWS_REQUEST_INIT;
	pl_ews_result res = PL_EWS_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;
	pl_status st;

	q.rolling.window = 20;
	q.surrogates = PL_SURROGATE_PHASE;
	q.surrogate_count = 3;
	q.seed = 4;
	st = pl_ews_analyze(series, n, &q, &res, &err);
	pl_ews_result_release(&res);
	return st;
}

static pl_status ews_phase_bluestein(void)
{
	return ews_phase(120); /* not a power of two: the chirp tables */
}

static pl_status ews_phase_radix2(void)
{
	return ews_phase(64);
}

static pl_status ews_surrogate_series(void)
{
	pl_ews_detrend d = { PL_DETREND_LINEAR, 0.0 };
	pl_error err = PL_ERROR_INIT;
	double out[2 * 100];
	return pl_ews_surrogates(series, 100, &d, PL_SURROGATE_PHASE, 2, 9, out, &err);
}

static pl_status gen_checkins(void)
{
	pl_gen_checkins_params p;
	pl_gen_client c = PL_GEN_CLIENT_INIT;
	pl_error err = PL_ERROR_INIT;
	gsl_rng *r = pl_rng_new(3, PL_RNG_GEN_CHECKINS);
	pl_status st;

	if (!r)
		return PL_ERR_NOMEM;
	pl_gen_checkins_params_init(&p);
	st = pl_gen_checkins_client(&p, r, 40, &c, &err);
	pl_gen_client_release(&c);
	pl_rng_free(r);
	return st;
}

static pl_status gen_program(void)
{
	pl_gen_profiles_params p;
	pl_gen_program *g = NULL;
	pl_error err = PL_ERROR_INIT;
	gsl_rng *r = pl_rng_new(3, PL_RNG_GEN_PROFILES);
	pl_status st;

	if (!r)
		return PL_ERR_NOMEM;
	pl_gen_profiles_params_init(&p);
	p.mentees = 6;
	p.mentors = 3;
	p.clients = 4;
	p.couple_fraction = 0.5;
	st = pl_gen_program_new(&p, r, &g, &err);
	pl_gen_program_free(g);
	pl_rng_free(r);
	return st;
}

static pl_status alias_table(void)
{
	static const double w[5] = { 0.1, 3, 0, 2.5, 1 };
	gsl_ran_discrete_t *d = pl_rng_discrete_new(5, w);
	pl_rng_discrete_free(d);
	return d ? PL_OK : PL_ERR_NOMEM;
}

static pl_status fft_plan(void)
{
	pl_fft *p = pl_fft_new(37);
	pl_fft_free(p);
	return p ? PL_OK : PL_ERR_NOMEM;
}

/* A JSON Lines line of 100 KB whose buffer cannot grow: out_of_memory naming the line, never
 * the end of the input (the stream is read once before arming, so stdio has its buffer). */
static pl_status jsonl_line(void)
{
	static char text[100002];
	char *line = NULL;
	size_t cap = 0, len;
	pl_error err = PL_ERROR_INIT;
	FILE *f;
	int got;
	pl_status st;

	setup_only(1);
	memset(text, ' ', sizeof(text) - 2);
	text[sizeof(text) - 2] = '\n';
	f = fmemopen(text, sizeof(text) - 1, "r");
	ungetc(getc(f), f);
	setup_only(0);
	got = pl_json_read_line(f, &line, &cap, &len, 6, &err);
	setup_only(1);
	st = got == 1 && len == sizeof(text) - 1 ? PL_OK : got == -1 ? err.code : PL_ERR_INTERNAL;
	if (st == PL_ERR_NOMEM && strcmp(err.message, "line 7 does not fit in memory") != 0)
		st = PL_ERR_INTERNAL;
	free(line);
	fclose(f);
	setup_only(0);
	return st;
}

/* A 5 x 3 mentor program with capacities, an infeasible pair and one pin. */
static const double mentor_scores[15] = { 0.9, 0.2, NAN, 0.4, 0.8, 0.1, 0.3, 0.3, 0.7,
					  0.6, NAN, 0.5, 0.2, 0.9, 0.4 };
static const long mentor_caps[3] = { 2, 1, 2 };
static const long mentor_pins[5] = { -1, -1, -1, 2, -1 };

static void mentor_problem(pl_mentors_problem *pb)
{
	pl_mentors_problem_init(pb);
	pb->nmentees = 5;
	pb->nmentors = 3;
	pb->score = mentor_scores;
	pb->capacity = mentor_caps;
	pb->pinned = mentor_pins;
}

/* Solving (which counts the blocking pairs too) reports running out of memory, never a count. */
static pl_status mentors_solve(void)
{
	pl_mentors_problem pb;
	pl_mentors_result res = PL_MENTORS_RESULT_INIT;
	pl_error err = PL_ERROR_INIT;
	pl_status st;

	mentor_problem(&pb);
	st = pl_mentors_solve(&pb, &res, &err);
	pl_mentors_result_release(&res);
	return st;
}

/* The blocking pairs of a fixed assignment: an error when out of memory, not 0 pairs. */
static pl_status mentors_blocking(void)
{
	static const long mentor_of[5] = { 1, 0, 2, 2, -1 };
	pl_mentors_problem pb;
	pl_error err = PL_ERROR_INIT;
	size_t count = 0;
	pl_status st;

	mentor_problem(&pb);
	pb.objective = PL_MENTORS_STABLE;
	st = pl_mentors_blocking_pairs(&pb, mentor_of, &count, &err);
	return st == PL_OK && count == 0 ? PL_ERR_INTERNAL : st; /* this assignment has some */
}

static void exhaust(const char *name, path_fn fn)
{
#ifdef PL_NOMEM_SANITIZED
	(void)fn;
	printf("%s: skipped under a sanitizer (its allocator replaces ours)\n", name);
#else
	long k;
	for (k = 0;; k++) {
		pl_status st;
		long made;
		arm(k);
		st = fn();
		made = disarm();
		if (made <= k) { /* nothing failed: the path is done */
			ck_assert_msg(st == PL_OK, "%s: status %d without a failed allocation", name, st);
			break;
		}
		ck_assert_msg(st == PL_ERR_NOMEM, "%s: allocation %ld of %ld failed, status %d", name,
			      k, made, st);
	}
	ck_assert_msg(k > 0, "%s: the path allocated nothing, so nothing was tested", name);
#endif
}

START_TEST(ews_phase_surrogates)
{
	make_series();
	exhaust("ews phase (Bluestein)", ews_phase_bluestein);
	exhaust("ews phase (radix 2)", ews_phase_radix2);
	exhaust("ews surrogate series", ews_surrogate_series);
}
END_TEST

START_TEST(generators)
{
	exhaust("generate checkins", gen_checkins);
	exhaust("generate profiles", gen_program);
}
END_TEST

START_TEST(core_tables)
{
	exhaust("alias table", alias_table);
	exhaust("fft plan", fft_plan);
}
END_TEST

START_TEST(mentors)
{
	exhaust("mentors solve", mentors_solve);
	exhaust("mentors blocking pairs", mentors_blocking);
}
END_TEST

START_TEST(jsonl_reader)
{
	exhaust("JSON Lines line", jsonl_line);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("nomem");
	TCase *tc = tcase_create("gsl_paths");
	tcase_add_test(tc, ews_phase_surrogates);
	tcase_add_test(tc, generators);
	tcase_add_test(tc, core_tables);
	tcase_add_test(tc, jsonl_reader);
	tcase_add_test(tc, mentors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
