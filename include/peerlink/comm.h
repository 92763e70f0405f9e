/*
 * comm.h: how the processes of one distributed run (peerlink-mpi, docs/scale.md) share numbers,
 * without the library depending on MPI: the caller passes the two collective operations it needs.
 *
 * Why only these two: every result must be the same bit for bit whatever the number of processes,
 * so the library never lets MPI choose an order of floating-point additions. `sum` is only ever
 * given buffers in which each number is non-zero in at most one process (each process fills its
 * own slots, zeros elsewhere), so the sum is exact; `gather` moves bytes unchanged.
 */
#ifndef PEERLINK_COMM_H
#define PEERLINK_COMM_H

#include <stddef.h>
#include <peerlink/error.h>

typedef struct pl_comm {
	int rank, size;
	/* Leave in every process's buf[0..len) the elementwise sum over the processes
	 * (MPI_Allreduce with MPI_SUM). */
	pl_status (*sum)(void *arg, double *buf, size_t len, pl_error *err);
	/* Every process's `len` bytes at `mine`, concatenated in rank order, into a new buffer *all
	 * (malloc'ed; *all_len bytes) on every process (MPI_Allgatherv). */
	pl_status (*gather)(void *arg, const void *mine, size_t len, void **all, size_t *all_len,
			    pl_error *err);
	void *arg;
} pl_comm;

/* Collective: every process calls these at the same points with the same len (sum). comm NULL
 * means one process: sum leaves buf as it is, gather copies mine. */
pl_status pl_comm_sum(const pl_comm *comm, double *buf, size_t len, pl_error *err);
pl_status pl_comm_gather(const pl_comm *comm, const void *mine, size_t len, void **all,
			 size_t *all_len, pl_error *err);
/* Collective: every process's count of the same input (counted 0: its count failed, or it
 * failed before counting) compared, so that processes which read one file each never split it by
 * different counts (a file that changed while it was read). PL_OK and *agreed = n when every
 * process counted n; PL_OK and *agreed = SIZE_MAX when none could count (the caller's fallback:
 * one process reads alone and meets the error); PL_OK and *agreed = 0 when some could not count
 * and the others agree: a process that could not count then reports its own error (err is left
 * as it is), the others read nothing; PL_ERR_IO, the same error in every process, when the counts
 * made differ. */
pl_status pl_comm_agree_count(const pl_comm *comm, size_t n, int counted, size_t *agreed,
			      pl_error *err);
/* This process's share of n units (contiguous, in rank order): first .. end - 1. */
void pl_comm_share(const pl_comm *comm, size_t n, size_t *first, size_t *end);

#endif
