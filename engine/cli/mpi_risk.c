/*
 * mpi_risk.c: the risk commands of peerlink-mpi.
 *
 * risk score --jsonl: every rank opens the same scorer (model and options, as the single-process
 * command does). Without --as-of the one scoring date is the latest recorded day in the input:
 * a first pass over the lines, split over the ranks (each takes the latest day of its lines with
 * risk_text_last_day, the single-process pass's own function; MPI_Allreduce(MAX) is exact). Then
 * every rank scores its block of lines with pl_risk_score_text, the function the single-process
 * stream's threads call (engine/json/risk_stream.c), so each answer line is the same bytes; rank 0
 * checks the client ids for repeats in input order (pl_risk_check_repeat, as the stream does) and writes the answers
 * (mpi_farm.c).
 *
 * risk train (--input a file): every rank reads the input and runs the command's checks, so
 * their errors are the same everywhere; each rank featurizes its share of the clients (whole
 * blocks of clients, pl_risk_train_clients) and the fit's sums over rows go through
 * MPI_Allreduce in fixed block slots (pl_risk_train_dist), so the model is the single-process
 * model bit for bit. Rank 0 writes it.
 *
 * risk evaluate (--input a file): every rank reads the input; the evaluation's work units (each
 * client's featurizing and scoring, each fold's model, each bootstrap replicate) are split over
 * the ranks and their outputs copied to every rank as bytes (engine/risk/units.c), so every rank
 * computes the same reports from the same numbers. Rank 0 writes the answer and --rows.
 */
#include "mpi_cli.h"
#include "risk_cli.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>

/* ---------------------------------------------------------------- the scoring date */

typedef struct latest_pass {
	const mpi_world *w;
	const pl_catalogue *cat;
	int32_t latest; /* over this rank's lines */
} latest_pass;

static int last_day_record(void *state, cli_ctx *ctx, const char *text, size_t len, size_t index,
			   char **answer, char **key)
{
	latest_pass *lp = state;
	int32_t d = risk_text_last_day(text, len, lp->cat);

	(void)ctx;
	(void)index;
	*answer = NULL;
	*key = NULL;
	if (d > lp->latest)
		lp->latest = d;
	return CLI_EXIT_OK;
}

static int latest_over_ranks(void *arg, cli_ctx *ctx, const pl_catalogue *cat, int32_t *latest)
{
	latest_pass *lp = arg;
	mpi_farm_spec spec = { .fn = last_day_record, .state = lp, .write = 0 };
	int32_t all;
	int rc;

	lp->cat = cat;
	lp->latest = INT32_MIN;
	rc = mpi_farm_lines(lp->w, ctx, &spec);
	if (rc != CLI_EXIT_OK)
		return rc;
	MPI_Allreduce(&lp->latest, &all, 1, MPI_INT32_T, MPI_MAX, lp->w->comm);
	if (all > *latest)
		*latest = all;
	return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- scoring */

/* One line of risk score --jsonl, as the stream scores it and risk_pipeline.c reports it. */
static int score_record(void *state, cli_ctx *ctx, const char *text, size_t len, size_t index,
			char **answer, char **key)
{
	const risk_scorer *s = state;
	char ptr[PL_POINTER_MAX] = "";
	json_t *tree = NULL;
	long column = 0;
	pl_status st;

	*answer = NULL;
	*key = NULL;
	if (cli_record_blank(text, len))
		return CLI_EXIT_OK; /* skipped, but counted for line numbers */
	pl_pointer_append_index(ptr, sizeof(ptr), index);
	st = pl_risk_score_text(s, text, len, NULL, ptr, index, NULL, &tree, answer, key, &column,
			     &ctx->err);
	json_decref(tree); /* s->serialize is set for --jsonl: the text is the answer */
	if (st == PL_OK)
		return CLI_EXIT_OK;
	free(*answer);
	free(*key);
	*answer = *key = NULL;
	if (column > 0) {
		ctx->err_line = (long)index + 1;
		ctx->err_column = column;
		pl_error_set(&ctx->err, PL_ERR_INVALID, "", "JSON syntax error on line %ld",
			     ctx->err_line);
	}
	return cli_exit_for(st);
}

/* Rank 0: a client id must not repeat (in input order, as the pipeline checks). */
static int accept_id(void *arg, cli_ctx *ctx, const char *id, size_t index)
{
	return cli_exit_for(pl_risk_check_repeat(arg, id, "", index, &ctx->err));
}

int mpi_risk_score(const mpi_world *w, cli_ctx *ctx)
{
	risk_scorer s;
	latest_pass lp = { .w = w };
	pl_idset ids = PL_IDSET_INIT;
	mpi_farm_spec spec = { .fn = score_record, .state = &s, .write = 1, .accept = accept_id,
			       .accept_arg = &ids };
	int rc;

	/* Every rank reaches the same point of the scorer's setup (the date pass is collective):
	 * the model and the options are the same on every rank, and so are their errors. */
	rc = risk_scorer_open_jsonl(ctx, &s, latest_over_ranks, &lp);
	rc = mpi_agree(w, ctx, rc);
	if (rc == CLI_EXIT_OK)
		rc = mpi_farm_lines(w, ctx, &spec);
	pl_idset_release(&ids);
	risk_scorer_release(&s);
	return rc;
}

/* ---------------------------------------------------------------- training */

/* MPI_Allreduce(SUM) in place, in pieces an int can count. */
static pl_status allreduce_sum(void *arg, double *buf, size_t len, pl_error *err)
{
	const mpi_world *w = arg;
	const size_t piece = (size_t)1 << 26;

	for (size_t i = 0; i < len; i += piece) {
		int n = (int)(len - i < piece ? len - i : piece);
		if (MPI_Allreduce(MPI_IN_PLACE, buf + i, n, MPI_DOUBLE, MPI_SUM, w->comm) != MPI_SUCCESS)
			return pl_error_set(err, PL_ERR_INTERNAL, "", "MPI_Allreduce failed");
	}
	return PL_OK;
}

/* MPI_Allgatherv of bytes: every rank's length first, then the bytes in rank order. */
static pl_status allgather_bytes(void *arg, const void *mine, size_t len, void **all,
				 size_t *all_len, pl_error *err)
{
	const mpi_world *w = arg;
	uint64_t own = len, *lens = malloc((size_t)w->size * sizeof(uint64_t));
	int *counts = malloc((size_t)w->size * sizeof(int)), *displs = malloc((size_t)w->size * sizeof(int));
	size_t total = 0;
	pl_status st = PL_OK;

	*all = NULL;
	if (!lens || !counts || !displs) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out; /* every rank allocates the same few bytes: they fail alike or not at all */
	}
	MPI_Allgather(&own, 1, MPI_UINT64_T, lens, 1, MPI_UINT64_T, w->comm);
	for (int r = 0; r < w->size; r++) {
		displs[r] = (int)total;
		counts[r] = (int)lens[r];
		total += lens[r];
	}
	if (total > INT_MAX) {
		st = pl_error_set(err, PL_ERR_INTERNAL, "", "more than 2 GiB to gather between ranks");
		goto out;
	}
	*all = malloc(total ? total : 1);
	if (!*all) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	if (MPI_Allgatherv(mine, (int)len, MPI_BYTE, *all, counts, displs, MPI_BYTE, w->comm) !=
	    MPI_SUCCESS)
		st = pl_error_set(err, PL_ERR_INTERNAL, "", "MPI_Allgatherv failed");
	*all_len = total;
out:
	free(lens);
	free(counts);
	free(displs);
	if (st != PL_OK) {
		free(*all);
		*all = NULL;
	}
	return st;
}

static int agree(void *arg, cli_ctx *ctx, int rc)
{
	return mpi_agree(arg, ctx, rc);
}

/* --input names a regular file, which every rank can read (a shared file system). */
static int input_readable_by_all(const cli_ctx *ctx)
{
	struct stat st;

	return ctx->input_path && strcmp(ctx->input_path, "-") != 0 &&
	       stat(ctx->input_path, &st) == 0 && S_ISREG(st.st_mode);
}

/* PEERLINK_MPI_REPORT=PREFIX: each rank writes PREFIX.RANK, one JSON object: which clients it
 * parsed and held (its share of the input, and how many it really held), its peak resident
 * memory and its CPU time. tests/mpi/held.sh checks that the ranks hold disjoint clients;
 * bench/mpi/bench.py reports the memory per rank. */
static void write_report(const mpi_world *w, const cli_ctx *ctx, const risk_held *h, int rc)
{
	const char *prefix = getenv("PEERLINK_MPI_REPORT");
	char path[4096];
	struct rusage ru;
	FILE *f;

	if (!prefix || !*prefix || getrusage(RUSAGE_SELF, &ru) != 0 ||
	    snprintf(path, sizeof(path), "%s.%d", prefix, w->rank) >= (int)sizeof(path) ||
	    !(f = fopen(path, "w")))
		return; /* a diagnostic only: the run's answer does not depend on it */
	fprintf(f,
		"{\"rank\": %d, \"ranks\": %d, \"command\": \"%s %s\", \"exit\": %d, "
		"\"clients\": %zu, \"first\": %zu, \"end\": %zu, \"held\": %zu, "
		"\"maxrss_kb\": %ld, \"cpu_s\": %.3f}\n",
		w->rank, w->size, ctx->cmd->command, ctx->cmd->subcommand, rc, h->nall, h->first, h->end,
		h->held, ru.ru_maxrss,
		(double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
			(double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	fclose(f);
}

/* A risk command whose input every rank opens (train, evaluate), run with the ranks' pl_comm;
 * each rank parses only its own clients. */
static int run_shared(const mpi_world *w, cli_ctx *ctx, int (*fn)(cli_ctx *, const risk_dist *))
{
	pl_comm comm = { .rank = w->rank, .size = w->size, .sum = allreduce_sum,
			 .gather = allgather_bytes, .arg = (void *)w };
	risk_held held = { 0, 0, 0, 0 };
	risk_dist dist = { .comm = &comm, .agree = agree, .arg = (void *)w, .held = &held };
	int rc;

	/* Standard input reaches rank 0 alone: it runs alone, as peerlink does. */
	if (!input_readable_by_all(ctx)) {
		rc = w->rank == 0 ? cli_run_default(ctx) : CLI_EXIT_OK;
		MPI_Bcast(&rc, 1, MPI_INT, 0, w->comm);
		return rc;
	}
	if (w->rank != 0)
		ctx->output_path = NULL; /* rank 0 writes the model; the others' stdout is /dev/null */
	rc = mpi_agree(w, ctx, fn(ctx, &dist));
	write_report(w, ctx, &held, rc);
	return rc;
}

int mpi_risk_train(const mpi_world *w, cli_ctx *ctx)
{
	return run_shared(w, ctx, risk_train_run);
}

int mpi_risk_evaluate(const mpi_world *w, cli_ctx *ctx)
{
	return run_shared(w, ctx, risk_evaluate_run);
}
