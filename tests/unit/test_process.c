/*
 * test_process.c: the process-wide start-up of our programs (engine/cli/process.c). OpenBLAS
 * starts its worker threads in its constructor, before main(), and they spin on a core for about
 * 0.1 s; cli_process_setup stops them. This program links the CLI's objects and starts the way
 * `peerlink` starts, so counting its own threads after the set-up (before Check forks: a forked
 * child has one thread whatever its parent had) tells whether any worker is left. On a
 * one-processor machine OpenBLAS starts no workers either way, and the count cannot fail there.
 * It also checks that a large block malloc'd after the set-up lies in heap marked for transparent
 * huge pages (VmFlags `hg` in /proc/self/smaps; skipped without /proc, without THP in the kernel,
 * or when malloc does not use the heap, as under AddressSanitizer). And that cli_processors (the
 * default number of match mentors' threads) counts the CPU affinity mask, not the machine.
 */
#define _GNU_SOURCE /* sched_setaffinity, CPU_COUNT */
#include <cblas.h>
#include <check.h>
#include <dirent.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Threads of this process after cli_process_setup, counted in main(); -1 without /proc. */
static int threads_after_setup;

static int count_threads(void)
{
	DIR *dir = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return -1;
	while ((e = readdir(dir)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

START_TEST(no_openblas_worker_is_left)
{
	if (threads_after_setup < 0)
		return; /* no /proc to count threads in */
	ck_assert_int_eq(threads_after_setup, 1);
}
END_TEST

START_TEST(openblas_runs_on_one_thread)
{
	ck_assert_int_eq(openblas_get_num_threads(), 1);
}
END_TEST

/* The workers restart when a call needs them; one thread never does: a product after the
 * set-up is right and starts no thread. */
START_TEST(a_product_after_setup_starts_no_thread)
{
	double a[4] = { 1, 2, 3, 4 }, b[4] = { 5, 6, 7, 8 }, c[4] = { 0 };

	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1.0, a, 2, b, 2, 0.0, c, 2);
	ck_assert(c[0] == 19 && c[1] == 22 && c[2] == 43 && c[3] == 50);
	if (threads_after_setup > 0)
		ck_assert_int_eq(count_threads(), 1);
}
END_TEST

/* The VmFlags line of the mapping that holds p, in /proc/self/smaps: 1 when it holds "hg", 0 when
 * not, -1 when p is not in the [heap] mapping or there is nothing to read. */
static int heap_flag_hg(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0, heap = 0, rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
			heap = strstr(line, "[heap]") != NULL;
		} else if (in && heap && strncmp(line, "VmFlags:", 8) == 0) {
			rc = strstr(line, " hg") != NULL;
			break;
		}
	}
	fclose(f);
	return rc;
}

START_TEST(large_blocks_get_huge_pages)
{
	char *p = malloc((size_t)8 << 20);
	int hg;

	ck_assert_ptr_nonnull(p);
	/* its middle: the advised range starts at the first 2 MB boundary past the old break */
	p[(size_t)4 << 20] = 1;
	hg = heap_flag_hg(p + ((size_t)4 << 20));
	free(p);
	if (hg < 0 || access("/sys/kernel/mm/transparent_hugepage/enabled", R_OK) != 0)
		return; /* no smaps, not on the heap (a sanitizer's malloc), or no THP in the kernel */
	ck_assert_int_eq(hg, 1);
}
END_TEST

/* The whole mask, then one processor of it (as `taskset -c K` would set it): the count follows the
 * mask. On a one-processor machine both are 1 and a count of the online processors would pass
 * too; on any other it would fail the second. */
START_TEST(processors_follow_the_affinity_mask)
{
#if defined(__linux__) && defined(CPU_COUNT)
	cpu_set_t all, one;
	int first = -1, n;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(all), &all), 0);
	ck_assert_int_eq(cli_processors(), CPU_COUNT(&all));
	for (int c = 0; c < CPU_SETSIZE && first < 0; c++)
		if (CPU_ISSET(c, &all))
			first = c;
	ck_assert_int_ge(first, 0);
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	n = cli_processors();
	ck_assert_int_eq(sched_setaffinity(0, sizeof(all), &all), 0); /* the other tests run here too */
	ck_assert_int_eq(n, 1);
#else
	ck_assert_int_ge(cli_processors(), 1);
#endif
}
END_TEST

int main(void)
{
	Suite *s = suite_create("process");
	TCase *tc = tcase_create("process");
	SRunner *sr;
	int failed;

	cli_process_setup();
	threads_after_setup = count_threads();
	tcase_add_test(tc, no_openblas_worker_is_left);
	tcase_add_test(tc, openblas_runs_on_one_thread);
	tcase_add_test(tc, a_product_after_setup_starts_no_thread);
	tcase_add_test(tc, large_blocks_get_huge_pages);
	tcase_add_test(tc, processors_follow_the_affinity_mask);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
