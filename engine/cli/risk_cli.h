/*
 * risk_cli.h: what the risk commands (risk_score.c, risk_train.c, risk_evaluate.c) use from
 * risk_pipeline.c: the document and JSON Lines readers, and the JSON layer's threaded scoring
 * stream (peerlink/json_score.h) run with the CLI's input and error reporting.
 */
#ifndef PEERLINK_RISK_CLI_H
#define PEERLINK_RISK_CLI_H

#include <stdint.h>
#include <jansson.h>
#include <peerlink/risk.h>
#include <peerlink/json_risk.h>
#include <peerlink/json_score.h>
#include "cli.h"

/* The JSON layer's scorer, totals and document (peerlink/json_score.h) under the commands'
 * names. */
typedef pl_risk_scorer risk_scorer;
typedef pl_risk_tally risk_tally;
typedef pl_risk_doc risk_input;
typedef pl_risk_emit_fn risk_emit_fn;

/* Read --input (or stdin) as a risk document; an exit code, with ctx->err set on failure. */
int risk_read_document(cli_ctx *ctx, risk_input *in);
void risk_input_release(risk_input *in);

/* PEERLINK_THREADS when it is a number from 1 to 8, else 0 (one thread per processor). */
int risk_scoring_threads(void);

/* pl_risk_score_stream with the CLI's input: the spans of `in`, else the array `clients`, else
 * (both NULL) JSON Lines from --input or stdin; PEERLINK_THREADS threads (risk_pipeline.c); a
 * syntax error reported as every CLI syntax error is (line and column). */
pl_status risk_score_stream(cli_ctx *ctx, const risk_scorer *s, const risk_input *in,
			    json_t *clients, risk_emit_fn emit, void *arg, risk_tally *tally,
			    pl_error *err);

/* The scoring date of --jsonl without --as-of: the latest recorded day over the input's lines
 * (*latest, INT32_MIN when none); an exit code. NULL in risk_scorer_open_jsonl: a first pass over
 * the file in this process; peerlink-mpi passes one that splits the lines over its ranks. */
typedef int (*risk_latest_fn)(void *arg, cli_ctx *ctx, const pl_catalogue *cat, int32_t *latest);
/* The last recorded day of one client text; INT32_MIN when it cannot be read (the scoring pass
 * reports that client's error). */
int32_t risk_text_last_day(const char *text, size_t len, const pl_catalogue *cat);
/* The scorer of `risk score --jsonl` (risk_score.c): the model (--model or the default), the one
 * scoring date (--as-of, else the latest day in the input: `latest`), --top; an exit code,
 * ctx->err set on failure. Release with risk_scorer_release (also after a failure). */
int risk_scorer_open_jsonl(cli_ctx *ctx, risk_scorer *s, risk_latest_fn latest, void *arg);
void risk_scorer_release(risk_scorer *s);

/* Read --input (or stdin) as JSON Lines: fn gets each object (borrowed) with its 0-based line
 * number; blank lines are skipped. A read error or a line too long for memory is an error, never
 * the end of the input; a syntax error names its line. The one JSONL reader of train and
 * evaluate (score streams lines through risk_score_stream). */
typedef pl_status (*risk_line_fn)(void *arg, json_t *obj, size_t index, pl_error *err);
pl_status risk_read_lines(cli_ctx *ctx, risk_line_fn fn, void *arg);
/* The same for the objects (non-blank lines) numbered first .. end - 1 alone (0-based, blank
 * lines not counted): the others are skipped unparsed, and reading stops after object end - 1
 * (peerlink-mpi: each process parses only its own clients); an input that ends before object
 * end - 1 (end not SIZE_MAX) is an I/O error: it changed since it was counted. */
pl_status risk_read_lines_share(cli_ctx *ctx, size_t first, size_t end, risk_line_fn fn,
				void *arg);
/* The number of objects (non-blank lines) of --input, unparsed; a read error or a line too long
 * for memory is an error. */
pl_status risk_count_lines(cli_ctx *ctx, size_t *n);

/* risk_recipe.c: the features of a cross-validated model (--features): a named set, "auto" (every
 * named set a candidate: nsets > 0, set s being columns set_cols[set_first[s] ..
 * set_first[s + 1]) of `features`), "average" (the same sets, averaged: average = 1) or a list
 * of names. PL_ERR_USAGE naming --<option>. */
typedef struct risk_recipe {
	pl_feature_spec *features;
	size_t nfeatures;
	size_t nsets;
	size_t *set_first, *set_cols;
	const char **set_names; /* nsets names */
	int average;            /* "average": the sets' models averaged (PL_SELECT_AVERAGE) */
} risk_recipe;

pl_status risk_recipe_features(const char *text, const pl_catalogue *cat, const char *option,
			       risk_recipe *r, pl_error *err);
void risk_recipe_release(risk_recipe *r);
/* A command run by several processes (peerlink-mpi), NULL in peerlink. Every process runs the
 * command on the same input file but parses and holds only its own share of the clients (a
 * contiguous run of them in input order; risk_held says which); agree(arg, ctx, rc) is collective
 * and returns on every process the exit code of the lowest-numbered failing process, whose error
 * every process then holds (mpi_agree), CLI_EXIT_OK when none failed. Since the shares are in
 * rank order, that is the first failing client in input order, as in one process. */
typedef struct risk_held {
	size_t nall;        /* the input's clients */
	size_t first, end;  /* this process's share of them, in input order */
	size_t held;        /* the clients this process parsed and held */
} risk_held;

typedef struct risk_dist {
	const pl_comm *comm;
	int (*agree)(void *arg, cli_ctx *ctx, int rc);
	void *arg;
	risk_held *held;    /* filled by the command (peerlink-mpi's PEERLINK_MPI_REPORT) */
} risk_dist;

/* risk train (risk_train.c) with its clients split over the processes of `dist` (NULL: this
 * process alone, what cmd_risk_train runs): each featurizes its share of the clients
 * (pl_risk_train_clients) and the fit sums over processes (pl_risk_train_dist). */
int risk_train_run(cli_ctx *ctx, const risk_dist *dist);
/* risk evaluate (risk_evaluate.c) with its work units (clients, folds, bootstrap replicates)
 * split over the processes of `dist` (pl_eval_options.comm); rank 0 alone writes --rows. */
int risk_evaluate_run(cli_ctx *ctx, const risk_dist *dist);

#endif
