/*
 * test_comm.c: pl_comm_agree_count (engine/core/comm.c), the check that the processes of
 * peerlink-mpi split a JSON Lines input by the same count. The other processes are played by a
 * fake gather that returns their canned answers beside this process's own bytes, so every case a
 * real run could meet (a file that changed between the processes' passes, a read error in some of
 * them) is reached without MPI:
 *  - equal counts agree, and one process (comm NULL) agrees with itself;
 *  - different counts are PL_ERR_IO with a message, in every process;
 *  - a process that could not count (it failed before or while counting) while the others could
 *    keeps its own error untouched, and the others are told to read nothing (0), not given an
 *    error of their own: the run then reports the failing process's error (what happened), not
 *    "different numbers of lines" (review of issue 12);
 *  - when no process could count, the answer is "no count" (SIZE_MAX), not an error.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/comm.h>

/* The other processes' {counted, n} pairs, in rank order around this one's. */
typedef struct fake {
	int rank, size;
	uint64_t others[4][2];
} fake;

static pl_status fake_gather(void *arg, const void *mine, size_t len, void **all, size_t *all_len,
			     pl_error *err)
{
	fake *f = arg;
	unsigned char *out = malloc((size_t)f->size * len);
	size_t k = 0;

	(void)err;
	ck_assert_uint_eq(len, sizeof(f->others[0]));
	for (int p = 0; p < f->size; p++)
		memcpy(out + (size_t)p * len, p == f->rank ? mine : (const void *)f->others[k++], len);
	*all = out;
	*all_len = (size_t)f->size * len;
	return PL_OK;
}

/* This process (rank 1 of 3) counted `n` (counted: whether it could); the others as given. */
static pl_status agree3(uint64_t c0, uint64_t n0, int counted, size_t n, uint64_t c2, uint64_t n2,
			size_t *agreed, pl_error *err)
{
	fake f = { 1, 3, { { c0, n0 }, { c2, n2 } } };
	pl_comm comm = { 1, 3, NULL, fake_gather, &f };

	return pl_comm_agree_count(&comm, n, counted, agreed, err);
}

START_TEST(equal_counts_agree)
{
	pl_error err = PL_ERROR_INIT;
	size_t agreed = 0;

	ck_assert_int_eq(agree3(1, 200, 1, 200, 1, 200, &agreed, &err), PL_OK);
	ck_assert_uint_eq(agreed, 200);
	ck_assert_int_eq(pl_comm_agree_count(NULL, 7, 1, &agreed, &err), PL_OK);
	ck_assert_uint_eq(agreed, 7);
	ck_assert_int_eq(pl_comm_agree_count(NULL, 7, 0, &agreed, &err), PL_OK);
	ck_assert_uint_eq(agreed, SIZE_MAX);
}
END_TEST

START_TEST(different_counts_are_an_error)
{
	pl_error err = PL_ERROR_INIT;
	size_t agreed = 0;

	/* the last process read the file after a line was appended */
	ck_assert_int_eq(agree3(1, 200, 1, 200, 1, 201, &agreed, &err), PL_ERR_IO);
	ck_assert_uint_eq(agreed, SIZE_MAX);
	ck_assert_ptr_nonnull(strstr(err.message, "different numbers of lines"));
	/* this process differs from the first */
	err = (pl_error)PL_ERROR_INIT;
	ck_assert_int_eq(agree3(1, 200, 1, 199, 1, 200, &agreed, &err), PL_ERR_IO);
	/* process 0 did not count, the two that did differ */
	err = (pl_error)PL_ERROR_INIT;
	ck_assert_int_eq(agree3(0, 0, 1, 200, 1, 201, &agreed, &err), PL_ERR_IO);
	ck_assert_ptr_nonnull(strstr(err.message, "different numbers of lines"));
}
END_TEST

START_TEST(a_count_failing_in_some_processes_keeps_their_error)
{
	pl_error err = PL_ERROR_INIT;
	size_t agreed = 7;

	/* process 0 failed before counting (out of memory there), the others counted alike: this
	 * one reads nothing and has no error of its own */
	ck_assert_int_eq(agree3(0, 0, 1, 200, 1, 200, &agreed, &err), PL_OK);
	ck_assert_uint_eq(agreed, 0);
	ck_assert_int_eq(err.code, PL_OK);
	ck_assert_str_eq(err.message, "");
	/* only this process could not count (a count of 0 elsewhere is still a count): the error
	 * its caller already holds stays as it is */
	pl_error_set(&err, PL_ERR_NOMEM, "", "out of memory");
	agreed = 7;
	ck_assert_int_eq(agree3(1, 0, 0, 0, 1, 0, &agreed, &err), PL_OK);
	ck_assert_uint_eq(agreed, 0);
	ck_assert_int_eq(err.code, PL_ERR_NOMEM);
	ck_assert_str_eq(err.message, "out of memory");
}
END_TEST

START_TEST(no_count_anywhere_is_the_fallback)
{
	pl_error err = PL_ERROR_INIT;
	size_t agreed = 0;

	ck_assert_int_eq(agree3(0, 0, 0, 5, 0, 0, &agreed, &err), PL_OK);
	ck_assert_uint_eq(agreed, SIZE_MAX);
	ck_assert_int_eq(err.code, PL_OK);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("comm");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, equal_counts_agree);
	tcase_add_test(tc, different_counts_are_an_error);
	tcase_add_test(tc, a_count_failing_in_some_processes_keeps_their_error);
	tcase_add_test(tc, no_count_anywhere_is_the_fallback);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
