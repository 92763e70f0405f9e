/*
 * units_int.h: work units (evaluation's clients and folds, the bootstrap's replicates) spread over
 * the processes of a distributed run (peerlink/comm.h), each unit's output then copied to every
 * process, so the code after the units reads them as if this process had run them all. Not part
 * of the public API.
 */
#ifndef PEERLINK_UNITS_INT_H
#define PEERLINK_UNITS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <peerlink/comm.h>
#include "workers_int.h"

/* A growable byte buffer; `failed` is set (and the bytes dropped) when memory runs out. */
typedef struct pl__bytes {
	unsigned char *p;
	size_t n, cap;
	int failed;
} pl__bytes;

void pl__bytes_put(pl__bytes *b, const void *data, size_t len);

/* Reading a unit's bytes back; `bad` is set when fewer bytes remain than asked for. */
typedef struct pl__reader {
	const unsigned char *p;
	size_t len, pos;
	int bad;
} pl__reader;

void pl__read(pl__reader *r, void *out, size_t len);
/* The next len bytes (NULL, bad set, when fewer remain), without copying. */
const void *pl__read_span(pl__reader *r, size_t len);

typedef struct pl__units {
	item_job run; /* unit i's work; its output goes where pack finds it */
	/* unit i's output (run by this process) appended to b */
	void (*pack)(void *ctx, size_t i, pl__bytes *b);
	/* unit i's output, run by another process, from r; an error only when out of memory */
	pl_status (*unpack)(void *ctx, size_t i, pl__reader *r, pl_error *err);
} pl__units;

/* Units 0 .. n-1: this process runs its share (pl_comm_share, on `threads` threads), then every
 * process gets every other process's outputs (pl_comm_gather, unpacked in unit order). The
 * error, the same on every process, is that of the lowest failing unit, as pl__run_items reports
 * it in one process. comm NULL or of one process: pl__run_items(n, threads, u->run, ...). */
pl_status pl__run_units(size_t n, int threads, const pl_comm *comm, const pl__units *u, void *ctx,
			pl_error *err);
/* The same, the threads of each process taken from share (pl__run_items_shared). */
pl_status pl__run_units_shared(size_t n, int threads, pl_thread_share *share, const pl_comm *comm,
			       const pl__units *u, void *ctx, pl_error *err);

#endif
