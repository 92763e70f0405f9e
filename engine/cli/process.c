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
#include <cblas.h>
#include <stddef.h>

#include "cli.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

/* OpenBLAS (pthreads build) exports it; weak, so that builds without it still link. */
int blas_thread_shutdown_(void) __attribute__((weak));

void cli_process_setup(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif
	openblas_set_num_threads(1);
	if (blas_thread_shutdown_ != NULL)
		blas_thread_shutdown_();
}
