/*
 * workers.c: a job run for items 0 .. n-1 on a few threads (workers_int.h). Used where every item
 * writes only its own slot (a client's scores, a bootstrap replicate's metrics), so the answer
 * does not depend on the number of threads.
 *
 * Nested pools (the evaluation's folds, each fitting its own inner folds side by side) share one
 * budget of threads (pl_thread_share): a pool started with a share asks it for a token before it
 * starts a helper, a helper gives its token back when it finds no item left, and a pool's caller
 * lends its own token while it only waits for its helpers. So at most the share's threads run
 * items at once, and a thread that an outer pool no longer needs (its last fold has started)
 * joins the inner pool of a fold still running instead of idling.
 */
#define _POSIX_C_SOURCE 200809L
#include "workers_int.h"

#include <string.h>
#include <unistd.h>

pl_status pl__share_init(pl_thread_share *s, int threads, pl_error *err)
{
	memset(s, 0, sizeof(*s));
	s->free = threads > 1 ? threads - 1 : 0; /* the caller holds one */
	if (pthread_mutex_init(&s->mu, NULL) != 0)
		return pl_error_set(err, PL_ERR_INTERNAL, "", "cannot create a mutex");
	if (pthread_cond_init(&s->cv, NULL) != 0) {
		pthread_mutex_destroy(&s->mu);
		return pl_error_set(err, PL_ERR_INTERNAL, "", "cannot create a condition variable");
	}
	s->ready = 1;
	return PL_OK;
}

void pl__share_release(pl_thread_share *s)
{
	if (!s || !s->ready)
		return;
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	s->ready = 0;
}

/* A token if one is free (1), else 0; never waits. */
static int share_try(pl_thread_share *s)
{
	int got;

	pthread_mutex_lock(&s->mu);
	got = s->free > 0;
	s->free -= got;
	pthread_mutex_unlock(&s->mu);
	return got;
}

static void share_give(pl_thread_share *s)
{
	pthread_mutex_lock(&s->mu);
	s->free++;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* A token, waiting for one. */
static void share_take(pl_thread_share *s)
{
	pthread_mutex_lock(&s->mu);
	while (s->free == 0)
		pthread_cond_wait(&s->cv, &s->mu);
	s->free--;
	pthread_mutex_unlock(&s->mu);
}

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
	pl_thread_share *share; /* NULL: every helper started up front */
	int helpers, max_helpers;
	pthread_t tid[PL_MAX_THREADS];
} pool;

static void *pool_main(void *arg);

static void *helper_main(void *arg)
{
	pool *p = arg;

	pool_main(p);
	share_give(p->share);
	return NULL;
}

/* With a share: one more helper while items are waiting and a token is free (p->mu held). */
static void maybe_grow(pool *p)
{
	if (!p->share || p->helpers >= p->max_helpers || p->next >= p->n || p->next > p->fail_at ||
	    !share_try(p->share))
		return;
	if (pthread_create(&p->tid[p->helpers], NULL, helper_main, p) == 0)
		p->helpers++;
	else
		share_give(p->share); /* fewer threads: the same answer, later */
}

static void *pool_main(void *arg)
{
	pool *p = arg;

	for (;;) {
		pl_error e = PL_ERROR_INIT;
		pl_status st;
		size_t i;
		pthread_mutex_lock(&p->mu);
		i = p->next++;
		if (i >= p->n || i > p->fail_at) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		maybe_grow(p);
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

pl_status pl__run_items_shared(size_t n, int threads, pl_thread_share *share, item_job job,
			       void *ctx, pl_error *err)
{
	pool p;
	int helpers;

	memset(&p, 0, sizeof(p));
	p.n = n;
	p.fail_at = (size_t)-1;
	p.job = job;
	p.ctx = ctx;
	p.st = PL_OK;
	p.share = share;
	/* tid holds PL_MAX_THREADS: a library caller may ask for more (pl_risk_train_options.threads) */
	p.max_helpers = threads - 1 < PL_MAX_THREADS ? threads - 1 : PL_MAX_THREADS;
	if (pthread_mutex_init(&p.mu, NULL) != 0)
		return pl_error_set(err, PL_ERR_INTERNAL, "", "cannot create a mutex");
	for (int t = 0; !share && t < p.max_helpers && (size_t)t + 1 < n; t++) {
		if (pthread_create(&p.tid[p.helpers], NULL, pool_main, &p) != 0)
			break; /* fewer threads: the same answer, later */
		p.helpers++;
	}
	pool_main(&p);
	/* No helper starts any more (every item is handed out, or one above a failure): the count
	 * is final. While waiting, this thread's token serves the helpers' own nested pools. */
	pthread_mutex_lock(&p.mu);
	helpers = p.helpers;
	pthread_mutex_unlock(&p.mu);
	if (share && helpers > 0)
		share_give(share);
	for (int t = 0; t < helpers; t++)
		pthread_join(p.tid[t], NULL);
	if (share && helpers > 0)
		share_take(share);
	pthread_mutex_destroy(&p.mu);
	if (p.st != PL_OK)
		*err = p.err;
	return p.st;
}

pl_status pl__run_items(size_t n, int threads, item_job job, void *ctx, pl_error *err)
{
	return pl__run_items_shared(n, threads, NULL, job, ctx, err);
}

int pl__thread_count(int want)
{
	long n = want > 0 ? want : sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > PL_MAX_THREADS ? PL_MAX_THREADS : (int)n;
}
