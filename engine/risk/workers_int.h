/*
 * workers_int.h: run one job per item on worker threads (evaluation's clients, the bootstrap's
 * replicates). Not part of the public API.
 */
#ifndef PEERLINK_WORKERS_INT_H
#define PEERLINK_WORKERS_INT_H

#include <pthread.h>
#include <stddef.h>
#include <peerlink/error.h>

#define PL_MAX_THREADS 64

typedef pl_status (*item_job)(void *ctx, size_t i, pl_error *err);

/* A budget of threads shared by nested pools: at most `threads` of pl__share_init run items at
 * once over every pool started with it, the thread that made it counting as one. */
typedef struct pl_thread_share pl_thread_share;
struct pl_thread_share {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int free;  /* tokens not held by a running thread */
	int ready;
};

pl_status pl__share_init(pl_thread_share *s, int threads, pl_error *err);
void pl__share_release(pl_thread_share *s);

/* job(ctx, i) for i = 0 .. n-1 on `threads` threads (the caller's included). Items are handed
 * out in order; after a failure no item above it starts, so the error reported is that of the
 * lowest failing item whatever the number of threads. */
pl_status pl__run_items(size_t n, int threads, item_job job, void *ctx, pl_error *err);
/* The same with helpers started only on tokens of share (when not NULL); the calling thread
 * must hold one of its tokens (it made the share, or it is a helper of a pool sharing it). */
pl_status pl__run_items_shared(size_t n, int threads, pl_thread_share *share, item_job job,
			       void *ctx, pl_error *err);
/* Threads to use: want, else (want <= 0) one per online processor; 1 .. PL_MAX_THREADS. */
int pl__thread_count(int want);

#endif
