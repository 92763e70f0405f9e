/*
 * process.c: the process-wide choices that belong to a program, not to the library, made once at
 * the start of each of our programs' main(): `peerlink` (entry.c) and `peerlink-mpi`
 * (mpi_main.c, on every rank). One function, so the two programs cannot drift apart (before,
 * peerlink-mpi skipped both and its ranks paid for OpenBLAS's spinning threads).
 *
 * glibc's malloc serves blocks above 128 KB (its default threshold, raised as they are freed)
 * with mmap and gives them back to the kernel at free, so each large temporary array (a score
 * matrix, eligible-pair lists, a search's graph) is touched as fresh pages again, one page fault
 * per 4 KB. `match mentors` on 2,000 x 500 took about 21,000 page faults, a quarter of its CPU
 * time in the kernel under load; with freed memory kept for the next allocation, about 15,000
 * (886bf43). A command is one short process, so memory kept until exit costs nothing.
 *
 * The pages that remain are still most of the kernel's share: `match mentors` on the hand-shaped
 * 2,000 x 500 programs touched about 60 MB (15,000 faults of 4 KB, a sixth of its CPU time;
 * session 8). So the heap is grown once here by a pad of HEAP_PAD and that range is marked for
 * transparent huge pages (madvise MADV_HUGEPAGE: a hint, honoured where the kernel's THP mode is
 * `always` or `madvise`, ignored otherwise): each fault then maps 2 MB, about 1,100 faults in all
 * and 10-15 % less CPU time on those programs. Only the range the heap grew by is advised (so
 * nothing else, and nothing at all when malloc does not use the break, as under AddressSanitizer);
 * the pad is address space, not memory: only the pages touched are committed. A heap that outgrows
 * the pad grows by small steps as before, on ordinary pages.
 *
 * And OpenBLAS runs on one thread. Its worker threads busy-wait for a while after each call
 * before they sleep, so a command whose products are small (the compat GEMM of `match mentors`,
 * a fold's Hessian) paid for a spinning core it did not need: on 2,000 x 500 mentors the process
 * used about twice the CPU of its phases' wall time (15a9dcc). peerlink parallelizes where it
 * pays with its own pools (`--threads`) and peerlink-mpi with its ranks, whose tasks would
 * otherwise start OpenBLAS threads of their own on the same cores. OPENBLAS_NUM_THREADS, read by
 * OpenBLAS when it loads, is overridden here.
 *
 * Setting one thread is not enough: OpenBLAS's constructor, which runs when the library loads and
 * before main(), has already started one worker per processor, and they spin (with sched_yield)
 * for about 2^28 cycles before they first sleep. Every command paid that as CPU time, and on a
 * 2-core machine the spinning worker took the second processor from our own threads: `match
 * buddies` on 59 clients used 107 ms of CPU for 55 ms of wall time, `match mentors` on the
 * generated 2,000 x 500 program 0.43 s for 0.26 s (session 7, idle). So the workers are stopped
 * here with blas_thread_shutdown_, the call OpenBLAS's own fork handler makes: exported by its
 * pthreads build (not declared in cblas.h, hence the weak declaration: builds without it, serial
 * or OpenMP ones, start no such workers). A later call that wanted threads would restart them
 * (blas_thread_init); with one thread set, none does. tests/unit/test_process.c counts the
 * process's threads after this function.
 */
#define _GNU_SOURCE /* sbrk, madvise; sched_getaffinity, CPU_COUNT */
#include <cblas.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cli.h"

#ifdef __linux__
#include <sched.h>
#endif
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#include <sys/mman.h>
#endif

/* OpenBLAS (pthreads build) exports it; weak, so that builds without it still link. */
int blas_thread_shutdown_(void) __attribute__((weak));

#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
#define HEAP_PAD ((size_t)128 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Grow the heap by HEAP_PAD now and advise the range it grew by for huge pages (see the top). */
static void heap_huge_pages(void)
{
	uintptr_t b0 = (uintptr_t)sbrk(0), b1, lo, hi;
	void *p;

	mallopt(M_TOP_PAD, (int)HEAP_PAD);
	p = malloc(HUGE_PAGE); /* more than the heap's top has left: it grows by this and the pad */
	b1 = (uintptr_t)sbrk(0);
	free(p);
	mallopt(M_TOP_PAD, 128 * 1024); /* glibc's default, for any later growth */
	lo = (b0 + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	hi = b1 & ~(HUGE_PAGE - 1);
	if (p && b0 != (uintptr_t)-1 && b1 != (uintptr_t)-1 && b1 - b0 >= HEAP_PAD && hi > lo)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}
#endif

void cli_process_setup(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#ifdef MADV_HUGEPAGE
	heap_huge_pages();
#endif
#endif
	openblas_set_num_threads(1);
	if (blas_thread_shutdown_ != NULL)
		blas_thread_shutdown_();
}

/*
 * Processors this process may run on: the CPUs of its affinity mask (sched_getaffinity), which
 * `taskset`, cgroup cpusets (containers, batch schedulers) and numactl narrow, not the machine's
 * online count: threads beyond the mask only take turns on its processors. The online count when
 * the mask cannot be read (not Linux, or a kernel with more CPUs than a cpu_set_t holds).
 */
int cli_processors(void)
{
	long n = -1;
#if defined(__linux__) && defined(CPU_COUNT)
	cpu_set_t set;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
#endif
	if (n < 1)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 4096 ? 4096 : (int)n;
}
