/*
 * entry.c: the program's main(). All of the CLI lives in cli_main() (main.c), so that the fuzz
 * targets (tests/fuzz/) can link every CLI source but this one and run commands in-process.
 *
 * Before that, one process-wide choice that belongs to a program, not to the library: glibc's
 * malloc serves blocks above 128 KB (its default threshold, raised as they are freed) with mmap
 * and gives them back to the kernel at free, so each large temporary array (a score matrix,
 * eligible-pair lists, a search's graph) is touched as fresh pages again, one page fault per
 * 4 KB. `match mentors` on 2,000 x 500 took about 21,000 page faults, a quarter of its CPU
 * time in the kernel under load; with freed memory kept for the next allocation, about 15,000.
 * A command is one short process, so memory kept until exit costs nothing.
 *
 * And OpenBLAS runs on one thread. Its worker threads busy-wait for a while after each call
 * before they sleep, so a command whose products are small (the compat GEMM of `match mentors`,
 * a fold's Hessian) paid for a spinning core it did not need: on 2,000 x 500 mentors the process
 * used about twice the CPU of its phases' wall time. peerlink parallelizes where it pays with its
 * own pools (`--threads`), whose tasks would otherwise start OpenBLAS threads of their own on the
 * same cores. OPENBLAS_NUM_THREADS, read by OpenBLAS when it loads, is overridden here.
 */
#include <cblas.h>

#include "cli.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

int main(int argc, char **argv)
{
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif
	openblas_set_num_threads(1);
	return cli_main(argc, argv);
}
