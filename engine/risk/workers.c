/*
 * workers.c: a job run for items 0 .. n-1 on a few threads (workers_int.h). Used where every item
 * writes only its own slot (a client's scores, a bootstrap replicate's metrics), so the answer
 * does not depend on the number of threads.
 */
#define _POSIX_C_SOURCE 200809L
#include "workers_int.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

/* job(ctx, i) for i = 0 .. n-1 on `threads` threads. Items are handed out in order; after a
 * failure no item above it starts, so the failure reported is the one with the lowest index
 * whatever the number of threads. */
typedef struct pool {
	size_t n, next, fail_at;
	item_job job;
	void *ctx;
	pthread_mutex_t mu;
	pl_status st;
	pl_error err;
} pool;

static void *pool_main(void *arg)
{
	pool *p = arg;

	for (;;) {
		pl_error e = PL_ERROR_INIT;
		pl_status st;
		size_t i;
		pthread_mutex_lock(&p->mu);
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n)
			break;
		pthread_mutex_lock(&p->mu);
		if (i > p->fail_at) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		pthread_mutex_unlock(&p->mu);
		st = p->job(p->ctx, i, &e);
		if (st != PL_OK) {
			pthread_mutex_lock(&p->mu);
			if (i < p->fail_at) {
				p->fail_at = i;
				p->st = st;
				p->err = e;
			}
			pthread_mutex_unlock(&p->mu);
		}
	}
	return NULL;
}

pl_status pl__run_items(size_t n, int threads, item_job job, void *ctx, pl_error *err)
{
	pthread_t tid[PL_MAX_THREADS];
	pool p;
	int started = 0;

	memset(&p, 0, sizeof(p));
	p.n = n;
	p.fail_at = (size_t)-1;
	p.job = job;
	p.ctx = ctx;
	p.st = PL_OK;
	if (pthread_mutex_init(&p.mu, NULL) != 0)
		return pl_error_set(err, PL_ERR_INTERNAL, "", "cannot create a mutex");
	/* tid holds PL_MAX_THREADS: a library caller may ask for more (pl_risk_train_options.threads) */
	for (int t = 1; t < threads && (size_t)t < n && started < PL_MAX_THREADS; t++) {
		if (pthread_create(&tid[started], NULL, pool_main, &p) != 0)
			break; /* fewer threads: the same answer, later */
		started++;
	}
	pool_main(&p);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&p.mu);
	if (p.st != PL_OK)
		*err = p.err;
	return p.st;
}

int pl__thread_count(int want)
{
	long n = want > 0 ? want : sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > PL_MAX_THREADS ? PL_MAX_THREADS : (int)n;
}
