/*
 * mpi_farm.c: JSON Lines records spread over MPI ranks, answers back in input order.
 *
 * Why this shape: a line's answer depends on that line alone (a client to score, a program to
 * match), so ranks need no data from each other, only their lines. Rank 0 reads the input in
 * rounds (at most ROUND_PER_RANK lines per rank and ROUND_BYTES bytes, so its memory stays flat
 * however long the input), deals each round to the ranks in contiguous blocks with
 * MPI_Scatterv, every rank (rank 0 too) runs the same record function the single-process CLI
 * runs (cli_record_fn), and MPI_Gatherv brings the answers back to rank 0, which writes them in
 * rank order = input order. Because a rank's lines all come before the next rank's, the first
 * error met in rank order is the first error in input order, which is the error the
 * single-process run reports; the answers before it are written first, exactly as there.
 *
 * Wire format (bytes, this program's own ranks only): a record is a uint64 length and its bytes;
 * an answer is a uint64 length (UINT64_MAX: no answer, a blank line) and its bytes, then its key
 * the same way (UINT64_MAX: none).
 */
#include "mpi_cli.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUND_PER_RANK 256
#define ROUND_BYTES (32u << 20)
#define NO_ANSWER UINT64_MAX

/* A growable byte buffer. */
typedef struct bytes {
	char *p;
	size_t n, cap;
} bytes;

/* Room for `len` more bytes, counted as used (the caller fills them); 0 or -1. */
static int bytes_grow(bytes *b, size_t len)
{
	if (b->n + len > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;
		char *np;
		while (nc < b->n + len)
			nc *= 2;
		if (!(np = realloc(b->p, nc)))
			return -1;
		b->p = np;
		b->cap = nc;
	}
	b->n += len;
	return 0;
}

static int bytes_put(bytes *b, const void *data, size_t len)
{
	if (bytes_grow(b, len) != 0)
		return -1;
	if (len)
		memcpy(b->p + b->n - len, data, len);
	return 0;
}

static int bytes_put_u64(bytes *b, uint64_t v)
{
	return bytes_put(b, &v, sizeof(v));
}

static uint64_t get_u64(const char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* What a rank reports after its block: how many answers it made, and its error if any. */
typedef struct block_status {
	uint64_t answered; /* records done (answer or blank) before the error, if any */
	int32_t rc;        /* CLI_EXIT_OK or the failing record's exit code */
	int32_t pad;
	int64_t err_line, err_column;
	pl_error err;
} block_status;

void mpi_world_get(mpi_world *w)
{
	w->comm = MPI_COMM_WORLD;
	MPI_Comm_rank(w->comm, &w->rank);
	MPI_Comm_size(w->comm, &w->size);
}

int mpi_agree(const mpi_world *w, cli_ctx *ctx, int rc)
{
	int first = rc != CLI_EXIT_OK ? w->rank : w->size, lowest;
	block_status s;

	MPI_Allreduce(&first, &lowest, 1, MPI_INT, MPI_MIN, w->comm);
	if (lowest == w->size)
		return CLI_EXIT_OK;
	memset(&s, 0, sizeof(s));
	s.rc = rc;
	s.err_line = ctx->err_line;
	s.err_column = ctx->err_column;
	s.err = ctx->err;
	MPI_Bcast(&s, (int)sizeof(s), MPI_BYTE, lowest, w->comm);
	ctx->err = s.err;
	ctx->err_line = (long)s.err_line;
	ctx->err_column = (long)s.err_column;
	return s.rc;
}

/* ---------------------------------------------------------------- rank 0: reading */

typedef struct reader {
	FILE *f;
	char *line;
	size_t cap;
	size_t next;  /* index of the next line */
	int done;     /* end of input, or a read error (in st/err) */
	pl_status st;
	pl_error err;
} reader;

/* Up to `max` lines (and about ROUND_BYTES) into `recs`, their offsets in off[0..*n]. */
static int read_round(reader *r, size_t max, bytes *recs, size_t *off, size_t *n)
{
	size_t len;

	*n = 0;
	recs->n = 0;
	while (!r->done && *n < max && recs->n < ROUND_BYTES) {
		int got = pl_json_read_line(r->f, &r->line, &r->cap, &len, r->next, &r->err);
		if (got <= 0) {
			r->done = 1;
			r->st = got < 0 ? r->err.code : PL_OK;
			break;
		}
		off[*n] = recs->n;
		if (bytes_put_u64(recs, len) != 0 || bytes_put(recs, r->line, len) != 0) {
			recs->n = off[*n];
			r->done = 1;
			r->st = pl_error_set(&r->err, PL_ERR_NOMEM, "", "line %zu does not fit in memory",
					     r->next + 1);
			break;
		}
		(*n)++;
		r->next++;
	}
	off[*n] = recs->n;
	return 0;
}

/* ---------------------------------------------------------------- every rank: one block */

/* A text on the wire: its length counting a terminating NUL, then the text and the NUL (so rank
 * 0 uses it as it stands); NO_ANSWER alone for none. */
static int put_text(bytes *out, const char *text)
{
	size_t len;

	if (!text)
		return bytes_put_u64(out, NO_ANSWER);
	len = strlen(text) + 1;
	if (bytes_put_u64(out, len) != 0)
		return -1;
	return bytes_put(out, text, len);
}

/* The answer line (with its newline) and the key. */
static int put_answer(bytes *out, char *answer, const char *key)
{
	size_t len = answer ? strlen(answer) : 0;
	int r;

	if (!answer)
		return put_text(out, NULL) != 0 || put_text(out, key) != 0 ? -1 : 0;
	if (bytes_put_u64(out, len + 2) != 0 || bytes_put(out, answer, len) != 0 ||
	    bytes_put(out, "\n", 2) != 0) /* the newline and the terminating NUL */
		return -1;
	r = put_text(out, key);
	return r;
}

static void run_block(cli_ctx *ctx, const mpi_farm_spec *spec, const char *in, size_t nin,
		      uint64_t index0, bytes *out, block_status *s)
{
	size_t pos = 0;

	memset(s, 0, sizeof(*s));
	out->n = 0;
	for (uint64_t k = 0; pos < nin; k++) {
		uint64_t len = get_u64(in + pos);
		char *answer = NULL, *key = NULL;
		int rc;

		ctx->err_line = ctx->err_column = 0;
		rc = spec->fn(spec->state, ctx, in + pos + sizeof(uint64_t), (size_t)len,
			      (size_t)(index0 + k), &answer, &key);
		pos += sizeof(uint64_t) + (size_t)len;
		if (rc == CLI_EXIT_OK && put_answer(out, answer, key) != 0)
			rc = cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
		free(answer);
		free(key);
		if (rc != CLI_EXIT_OK) {
			s->rc = rc;
			s->err = ctx->err;
			s->err_line = ctx->err_line;
			s->err_column = ctx->err_column;
			return;
		}
		s->answered++;
	}
}

/* ---------------------------------------------------------------- rank 0: writing */

/* Write the answers of one block (its first line is index0); the block's error, or a key that
 * spec->accept refuses, ends the run. */
static int write_block(const mpi_farm_spec *spec, cli_ctx *ctx, cli_out *o, const char *ans,
		       uint64_t index0, const block_status *s)
{
	size_t pos = 0;
	int rc;

	for (uint64_t k = 0; k < s->answered; k++) {
		uint64_t len = get_u64(ans + pos), klen;
		const char *answer = ans + pos + sizeof(uint64_t);
		pos += sizeof(uint64_t) + (len == NO_ANSWER ? 0 : (size_t)len);
		klen = get_u64(ans + pos);
		if (klen != NO_ANSWER && spec->accept &&
		    (rc = spec->accept(spec->accept_arg, ctx, ans + pos + sizeof(uint64_t),
				       (size_t)(index0 + k))) != CLI_EXIT_OK)
			return rc;
		pos += sizeof(uint64_t) + (klen == NO_ANSWER ? 0 : (size_t)klen);
		if (len == NO_ANSWER || !spec->write)
			continue;
		cli_out_text(o, answer);
		if ((rc = cli_out_record(ctx, o)) != CLI_EXIT_OK)
			return rc;
	}
	if (s->rc != CLI_EXIT_OK) {
		ctx->err = s->err;
		ctx->err_line = (long)s->err_line;
		ctx->err_column = (long)s->err_column;
		return s->rc;
	}
	return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- the rounds */

typedef struct farm {
	const mpi_world *w;
	cli_ctx *ctx;
	const mpi_farm_spec *spec;
	int *counts, *displs;   /* rank 0: per-rank byte counts and displacements */
	uint64_t *plan;         /* rank 0: per rank {first index, bytes} */
	size_t *off;            /* rank 0: record offsets of the round */
	bytes recs, mine, out, all;
	block_status *stat;     /* rank 0: every rank's status */
} farm;

/* Rank 0: split `n` records into contiguous blocks, one per rank, in rank order. */
static void plan_round(farm *fm, size_t n, uint64_t index0)
{
	int P = fm->w->size;
	for (int r = 0; r < P; r++) {
		size_t a = n * (size_t)r / (size_t)P, b = n * (size_t)(r + 1) / (size_t)P;
		fm->plan[2 * r] = index0 + a;
		fm->plan[2 * r + 1] = fm->off[b] - fm->off[a];
		fm->counts[r] = (int)(fm->off[b] - fm->off[a]);
		fm->displs[r] = (int)fm->off[a];
	}
}

/* One round on every rank; returns 1 when the round had records. *rc gets rank 0's verdict. */
static int one_round(farm *fm, reader *rd, cli_out *o, int *rc)
{
	const mpi_world *w = fm->w;
	uint64_t n64 = 0, myplan[2];
	block_status mine;
	int nbytes, nout;

	if (w->rank == 0) {
		size_t n = 0, max = (size_t)ROUND_PER_RANK * (size_t)w->size;
		if (*rc == CLI_EXIT_OK)
			read_round(rd, max, &fm->recs, fm->off, &n);
		n64 = n;
		if (n)
			plan_round(fm, n, rd->next - n);
	}
	MPI_Bcast(&n64, 1, MPI_UINT64_T, 0, w->comm);
	if (n64 == 0)
		return 0;
	MPI_Scatter(fm->plan, 2, MPI_UINT64_T, myplan, 2, MPI_UINT64_T, 0, w->comm);
	nbytes = (int)myplan[1];
	fm->mine.n = 0;
	if (bytes_grow(&fm->mine, (size_t)nbytes) != 0)
		MPI_Abort(w->comm, CLI_EXIT_FAILURE); /* cannot take part in the collective */
	MPI_Scatterv(fm->recs.p, fm->counts, fm->displs, MPI_BYTE, fm->mine.p, nbytes, MPI_BYTE, 0,
		     w->comm);
	run_block(fm->ctx, fm->spec, fm->mine.p, (size_t)nbytes, myplan[0], &fm->out, &mine);
	nout = (int)fm->out.n;
	MPI_Gather(&mine, (int)sizeof(mine), MPI_BYTE, fm->stat, (int)sizeof(mine), MPI_BYTE, 0,
		   w->comm);
	MPI_Gather(&nout, 1, MPI_INT, fm->counts, 1, MPI_INT, 0, w->comm);
	if (w->rank == 0) {
		size_t total = 0;
		for (int r = 0; r < w->size; r++) {
			fm->displs[r] = (int)total;
			total += (size_t)fm->counts[r];
		}
		fm->all.n = 0;
		if (bytes_grow(&fm->all, total) != 0)
			MPI_Abort(w->comm, CLI_EXIT_FAILURE);
	}
	MPI_Gatherv(fm->out.p, nout, MPI_BYTE, fm->all.p, fm->counts, fm->displs, MPI_BYTE, 0,
		    w->comm);
	for (int r = 0; w->rank == 0 && *rc == CLI_EXIT_OK && r < w->size; r++)
		*rc = write_block(fm->spec, fm->ctx, o, fm->all.p + fm->displs[r], fm->plan[2 * r],
				  &fm->stat[r]);
	return 1;
}

static void farm_release(farm *fm)
{
	free(fm->counts);
	free(fm->displs);
	free(fm->plan);
	free(fm->off);
	free(fm->stat);
	free(fm->recs.p);
	free(fm->mine.p);
	free(fm->out.p);
	free(fm->all.p);
}

int mpi_farm_lines(const mpi_world *w, cli_ctx *ctx, const mpi_farm_spec *spec)
{
	farm fm;
	reader rd;
	cli_out o;
	int rc = CLI_EXIT_OK, opened = 0;
	size_t P = (size_t)w->size;

	memset(&fm, 0, sizeof(fm));
	memset(&rd, 0, sizeof(rd));
	memset(&o, 0, sizeof(o));
	fm.w = w;
	fm.ctx = ctx;
	fm.spec = spec;
	fm.counts = calloc(P, sizeof(int));
	fm.displs = calloc(P, sizeof(int));
	fm.plan = calloc(2 * P, sizeof(uint64_t));
	fm.off = calloc(ROUND_PER_RANK * P + 1, sizeof(size_t));
	fm.stat = calloc(P, sizeof(block_status));
	if (!fm.counts || !fm.displs || !fm.plan || !fm.off || !fm.stat)
		rc = cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
	if (w->rank == 0 && rc == CLI_EXIT_OK) {
		/* The output first, then the input: the order of the single-process commands. */
		if (spec->write) {
			rc = cli_out_open(ctx, &o);
			opened = rc == CLI_EXIT_OK;
		}
		if (rc == CLI_EXIT_OK)
			rc = cli_open_input(ctx, &rd.f);
	}
	rc = mpi_agree(w, ctx, rc);
	/* Rounds until rank 0 has nothing more to deal (the end, a read error or a failed line). */
	if (rc == CLI_EXIT_OK)
		while (one_round(&fm, &rd, &o, &rc))
			;
	if (w->rank == 0) {
		/* A read error counts after every line before it (as in cli_run_lines). */
		if (rc == CLI_EXIT_OK && rd.st != PL_OK) {
			ctx->err = rd.err;
			rc = cli_exit_for(rd.st);
		}
		if (rd.f)
			cli_close_input(rd.f);
		free(rd.line);
		if (opened && rc == CLI_EXIT_OK)
			rc = cli_out_close(ctx, &o);
		else if (opened)
			cli_out_abandon(&o); /* no partial output file */
	}
	farm_release(&fm);
	return mpi_agree(w, ctx, rc);
}
