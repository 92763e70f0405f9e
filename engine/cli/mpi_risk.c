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
 */
#include "mpi_cli.h"
#include "risk_cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
