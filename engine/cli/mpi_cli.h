/*
 * mpi_cli.h: peerlink-mpi, the same CLI (dispatch table, options, checks, record functions) with
 * the heavy commands spread over MPI ranks (docs/scale.md). Built only with -DPEERLINK_MPI=ON;
 * the only files that include <mpi.h> are engine/cli/mpi_*.c.
 *
 * Every rank runs cli_main_with() on the same command line, so every rank has the same cli_ctx;
 * rank 0 alone reads --input, writes --output and prints errors (the other ranks' stdout and
 * stderr go to /dev/null). Each runner returns the same exit code on every rank.
 */
#ifndef PEERLINK_MPI_CLI_H
#define PEERLINK_MPI_CLI_H

#include <mpi.h>
#include "cli.h"

typedef struct mpi_world {
	MPI_Comm comm;
	int rank, size;
} mpi_world;

/* The world of this run (MPI_COMM_WORLD). */
void mpi_world_get(mpi_world *w);

/* Every rank's exit code agreed: the code of the lowest-numbered failing rank, whose error
 * (ctx->err, err_line, err_column) every rank then holds; CLI_EXIT_OK when none failed. */
int mpi_agree(const mpi_world *w, cli_ctx *ctx, int rc);

/* What mpi_farm_lines runs. */
typedef struct mpi_farm_spec {
	cli_record_fn fn; /* on every rank, for each of its lines, in order */
	void *state;
	int write;        /* 1: rank 0 writes the answers to --output; 0: a pass that writes nothing
			   * (fn keeps what it finds in state) */
	/* Rank 0, in input order, for each answer that has a key, before it is written (NULL: none):
	 * an exit code, ctx->err set when the key makes the record fail (a repeated id). */
	int (*accept)(void *arg, cli_ctx *ctx, const char *key, size_t index);
	void *accept_arg;
} mpi_farm_spec;

/* JSON Lines from --input (read by rank 0 in rounds of bounded size) dealt to the ranks in
 * contiguous blocks; each rank runs spec->fn on its lines in order; rank 0 writes the answers in
 * input order exactly as cli_run_lines() does, and the first failing line in input order (or a
 * read error after the lines before it) is the run's error. Collective; the same exit code on
 * every rank. */
int mpi_farm_lines(const mpi_world *w, cli_ctx *ctx, const mpi_farm_spec *spec);

/* risk score --jsonl over the ranks (mpi_risk.c). */
int mpi_risk_score(const mpi_world *w, cli_ctx *ctx);
/* risk train over the ranks (mpi_risk.c). */
int mpi_risk_train(const mpi_world *w, cli_ctx *ctx);
/* risk evaluate over the ranks (mpi_risk.c). */
int mpi_risk_evaluate(const mpi_world *w, cli_ctx *ctx);

#endif
