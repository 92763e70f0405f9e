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
 */
#include <cblas.h>

#include "cli.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

void cli_process_setup(void)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif
	openblas_set_num_threads(1);
}
