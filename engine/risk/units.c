/*
 * units.c: work units over processes (units_int.h).
 *
 * Why this shape: an evaluation is a list of independent units whose outputs land in slots that
 * the rest of the run reads (a client's featurized rows and scores, a fold's model, a bootstrap
 * replicate's metrics). Splitting the list over processes in contiguous shares and copying every
 * output to every process keeps the rest of the code unchanged, and since a unit computes the
 * same bytes wherever it runs (its own seeds: replicate b draws from substream b, rng.h), the
 * result is the same for any number of processes. Outputs travel as bytes (pl_comm_gather), never
 * through a floating-point reduction.
 *
 * Wire format of one process's part (this program's own processes only): an int32 status and a
 * pl_error, then for each of its units (when the status is PL_OK) a uint64 length and the bytes.
 */
#include "units_int.h"

#include <stdlib.h>
#include <string.h>

void pl__bytes_put(pl__bytes *b, const void *data, size_t len)
{
	if (b->failed)
		return;
	if (b->n + len > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;
		unsigned char *np;
		while (nc < b->n + len)
			nc *= 2;
		if (!(np = realloc(b->p, nc))) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
	if (len)
		memcpy(b->p + b->n, data, len);
	b->n += len;
}

const void *pl__read_span(pl__reader *r, size_t len)
{
	const void *at;

	if (r->bad || r->len - r->pos < len) {
		r->bad = 1;
		return NULL;
	}
	at = r->p + r->pos;
	r->pos += len;
	return at;
}

void pl__read(pl__reader *r, void *out, size_t len)
{
	const void *at = pl__read_span(r, len);

	if (at && len)
		memcpy(out, at, len);
	else if (len)
		memset(out, 0, len);
}

/* This process's units first .. end - 1, on the thread pool, as units 0 .. end - first - 1. */
typedef struct shifted {
	const pl__units *u;
	void *ctx;
	size_t first;
} shifted;

static pl_status run_shifted(void *arg, size_t i, pl_error *err)
{
	shifted *s = arg;
	return s->u->run(s->ctx, s->first + i, err);
}

/* This process's part: status, error, and (when fine) each unit's output. */
static void pack_part(const pl__units *u, void *ctx, size_t first, size_t end, pl_status st,
		      const pl_error *e, pl__bytes *b)
{
	int32_t code = st;

	pl__bytes_put(b, &code, sizeof(code));
	pl__bytes_put(b, e, sizeof(*e));
	for (size_t i = first; st == PL_OK && i < end; i++) {
		size_t at = b->n;
		uint64_t len = 0;
		pl__bytes_put(b, &len, sizeof(len));
		u->pack(ctx, i, b);
		if (b->failed)
			break;
		len = b->n - at - sizeof(len);
		memcpy(b->p + at, &len, sizeof(len));
	}
	if (b->failed) { /* out of memory: say so instead */
		pl_error oom = PL_ERROR_INIT;
		pl_error_set(&oom, PL_ERR_NOMEM, "", "out of memory");
		free(b->p);
		memset(b, 0, sizeof(*b));
		code = PL_ERR_NOMEM;
		pl__bytes_put(b, &code, sizeof(code));
		pl__bytes_put(b, &oom, sizeof(oom));
	}
}

/* The first failing part in rank order (its error into err), else the outputs of the other
 * processes' units unpacked; the same status on every process. */
static pl_status read_parts(const pl_comm *comm, size_t n, const pl__units *u, void *ctx,
			    const unsigned char *all, size_t all_len, pl_error *err)
{
	pl__reader r = { all, all_len, 0, 0 };
	pl_status st = PL_OK;

	for (int p = 0; p < comm->size; p++) {
		size_t first = (size_t)p * n / (size_t)comm->size;
		size_t end = ((size_t)p + 1) * n / (size_t)comm->size;
		int32_t code;
		pl_error e;
		pl__read(&r, &code, sizeof(code));
		pl__read(&r, &e, sizeof(e));
		if (r.bad)
			return pl_error_set(err, PL_ERR_INTERNAL, "", "a process sent a short answer");
		if (code != PL_OK) {
			if (err)
				*err = e;
			return (pl_status)code; /* the lowest failing unit is in the first failing part */
		}
		for (size_t i = first; i < end; i++) {
			uint64_t len;
			pl__reader one;
			pl__read(&r, &len, sizeof(len));
			one.p = pl__read_span(&r, (size_t)len);
			one.len = (size_t)len;
			one.pos = 0;
			one.bad = 0;
			if (r.bad)
				return pl_error_set(err, PL_ERR_INTERNAL, "", "a process sent a short answer");
			if (p != comm->rank && st == PL_OK)
				st = u->unpack(ctx, i, &one, err);
			if (st == PL_OK && one.bad)
				st = pl_error_set(err, PL_ERR_INTERNAL, "", "a unit's answer is malformed");
		}
	}
	return st;
}

pl_status pl__run_units(size_t n, int threads, const pl_comm *comm, const pl__units *u, void *ctx,
			pl_error *err)
{
	return pl__run_units_shared(n, threads, NULL, comm, u, ctx, err);
}

pl_status pl__run_units_shared(size_t n, int threads, pl_thread_share *share, const pl_comm *comm,
			       const pl__units *u, void *ctx, pl_error *err)
{
	size_t first, end, all_len = 0;
	shifted sh;
	pl_error local = PL_ERROR_INIT;
	pl__bytes part = { 0 };
	void *all = NULL;
	pl_status st;

	if (!comm || comm->size <= 1)
		return pl__run_items_shared(n, threads, share, u->run, ctx, err);
	pl_comm_share(comm, n, &first, &end);
	sh.u = u;
	sh.ctx = ctx;
	sh.first = first;
	/* Every process reaches the gather, whatever happened to its own units. */
	st = pl__run_items_shared(end - first, threads, share, run_shifted, &sh, &local);
	pack_part(u, ctx, first, end, st, &local, &part);
	st = pl_comm_gather(comm, part.p, part.n, &all, &all_len, err);
	free(part.p);
	if (st == PL_OK)
		st = read_parts(comm, n, u, ctx, all, all_len, err);
	free(all);
	return st;
}
