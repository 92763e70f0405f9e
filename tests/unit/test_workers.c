/*
 * test_workers.c: the thread pools of workers_int.h.
 *  - every item runs once, and the error reported is the lowest failing item's;
 *  - nested pools on one pl_thread_share never run more items at once than the share's threads
 *    (the evaluation's folds each fitting their inner folds side by side: T threads, not T x T);
 *  - a thread the outer pool no longer needs joins an inner pool still running.
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workers_int.h"

typedef struct nest {
	pl_thread_share *share;
	int threads;
	size_t inner_n;
	long sleep_ns;
	pthread_mutex_t mu;
	int active, max_active;
	int runs[64][16];            /* runs of inner item (outer, inner) */
	pthread_t seen[64];          /* distinct threads that ran inner items of the last outer item */
	int nseen;
	size_t last_outer;
	int only_last;               /* 1: the outer items before last_outer have no inner items */
} nest;

typedef struct inner_arg {
	nest *x;
	size_t outer;
} inner_arg;

static pl_status inner_item(void *arg, size_t i, pl_error *err)
{
	inner_arg *a = arg;
	nest *x = a->x;
	struct timespec ts = { 0, x->sleep_ns };
	int known = 0;

	(void)err;
	pthread_mutex_lock(&x->mu);
	x->active++;
	if (x->active > x->max_active)
		x->max_active = x->active;
	x->runs[a->outer][i]++;
	if (a->outer == x->last_outer) {
		for (int k = 0; k < x->nseen; k++)
			known |= pthread_equal(x->seen[k], pthread_self());
		if (!known && x->nseen < 64)
			x->seen[x->nseen++] = pthread_self();
	}
	pthread_mutex_unlock(&x->mu);
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&x->mu);
	x->active--;
	pthread_mutex_unlock(&x->mu);
	return PL_OK;
}

/* Outer item k: its own pool of inner items on the same share. */
static pl_status outer_item(void *arg, size_t k, pl_error *err)
{
	nest *x = arg;
	inner_arg a = { x, k };
	size_t n = x->only_last && k != x->last_outer ? 0 : x->inner_n;

	return pl__run_items_shared(n, x->threads, x->share, inner_item, &a, err);
}

static void nest_init(nest *x, pl_thread_share *share, int threads, size_t inner_n, long sleep_ns,
		      size_t last_outer)
{
	memset(x, 0, sizeof(*x));
	x->share = share;
	x->threads = threads;
	x->inner_n = inner_n;
	x->sleep_ns = sleep_ns;
	x->last_outer = last_outer;
	pthread_mutex_init(&x->mu, NULL);
}

START_TEST(nested_pools_stay_within_the_share)
{
	for (int T = 1; T <= 4; T++) {
		pl_thread_share share;
		pl_error err = PL_ERROR_INIT;
		nest x;
		ck_assert_int_eq(pl__share_init(&share, T, &err), PL_OK);
		nest_init(&x, &share, T, 6, 1000000, 4);
		ck_assert_int_eq(pl__run_items_shared(5, T, &share, outer_item, &x, &err), PL_OK);
		ck_assert_int_le(x.max_active, T);
		for (size_t k = 0; k < 5; k++)
			for (size_t i = 0; i < 6; i++)
				ck_assert_int_eq(x.runs[k][i], 1);
		ck_assert_int_eq(x.active, 0);
		ck_assert_int_eq(share.free, T - 1); /* every token back */
		pl__share_release(&share);
		pthread_mutex_destroy(&x.mu);
	}
}
END_TEST

START_TEST(an_idle_thread_joins_the_last_inner_pool)
{
	pl_thread_share share;
	pl_error err = PL_ERROR_INIT;
	nest x;

	ck_assert_int_eq(pl__share_init(&share, 2, &err), PL_OK);
	nest_init(&x, &share, 2, 10, 30000000, 1);
	x.only_last = 1; /* outer item 0 ends at once; item 1 has 10 inner items of 30 ms */
	ck_assert_int_eq(pl__run_items_shared(2, 2, &share, outer_item, &x, &err), PL_OK);
	ck_assert_int_le(x.max_active, 2);
	ck_assert_int_eq(x.nseen, 2);
	ck_assert_int_eq(share.free, 1);
	pl__share_release(&share);
	pthread_mutex_destroy(&x.mu);
}
END_TEST

static pl_status fail_from_3(void *arg, size_t i, pl_error *err)
{
	(void)arg;
	return i >= 3 ? pl_error_set(err, PL_ERR_INVALID, "", "item %zu failed", i) : PL_OK;
}

START_TEST(lowest_failure_is_reported)
{
	for (int T = 1; T <= 4; T++) {
		pl_thread_share share;
		pl_error err = PL_ERROR_INIT;
		ck_assert_int_eq(pl__share_init(&share, T, &err), PL_OK);
		ck_assert_int_eq(pl__run_items_shared(20, T, &share, fail_from_3, NULL, &err),
				 PL_ERR_INVALID);
		ck_assert_str_eq(err.message, "item 3 failed");
		ck_assert_int_eq(share.free, T - 1);
		pl__share_release(&share);
		err = (pl_error)PL_ERROR_INIT;
		ck_assert_int_eq(pl__run_items(20, T, fail_from_3, NULL, &err), PL_ERR_INVALID);
		ck_assert_str_eq(err.message, "item 3 failed");
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("workers");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, nested_pools_stay_within_the_share);
	tcase_add_test(tc, an_idle_thread_joins_the_last_inner_pool);
	tcase_add_test(tc, lowest_failure_is_reported);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
