/*
 * workers_int.h: run one job per item on worker threads (evaluation's clients, the bootstrap's
 * replicates). Not part of the public API.
 */
#ifndef PEERLINK_WORKERS_INT_H
#define PEERLINK_WORKERS_INT_H

#include <stddef.h>
#include <peerlink/error.h>

#define PL_MAX_THREADS 64

typedef pl_status (*item_job)(void *ctx, size_t i, pl_error *err);

/* job(ctx, i) for i = 0 .. n-1 on `threads` threads (the caller's included). Items are handed
 * out in order; after a failure no item above it starts, so the error reported is that of the
 * lowest failing item whatever the number of threads. */
pl_status pl__run_items(size_t n, int threads, item_job job, void *ctx, pl_error *err);
/* Threads to use: want, else (want <= 0) one per online processor; 1 .. PL_MAX_THREADS. */
int pl__thread_count(int want);

#endif
