/*
 * risk_cli.h: what the risk commands (risk_score.c, risk_train.c) use from risk_pipeline.c:
 * the scorer (a loaded model plus the score options), the scoring of one client (the library's
 * pl_risk_score, answered by the JSON layer's pl_risk_result_to_json), the document reader and
 * the threaded stream. The dependency runs one way: the commands call the pipeline.
 */
#ifndef PEERLINK_RISK_CLI_H
#define PEERLINK_RISK_CLI_H

#include <stdint.h>
#include <jansson.h>
#include <peerlink/risk.h>
#include <peerlink/json_risk.h>
#include "cli.h"

typedef struct risk_scorer {
	pl_risk_model model; /* its catalogue also holds the input document's extra measures */
	int32_t as_of;       /* INT32_MIN: each client's last check-in */
	int top;             /* contributions listed per client; 0 = all */
	int serialize;       /* workers hand over compact JSON text instead of trees */
} risk_scorer;

/* Totals for stats, summed over clients. */
typedef struct risk_tally {
	size_t clients, scored, checkins;
	size_t tiers[3];
} risk_tally;

/* Parse, validate and score one client object (borrowed); ptr is its JSON Pointer. Returns the
 * answer (new reference) or NULL with err filled. Thread-safe: the scorer is only read. */
json_t *risk_score_one(const risk_scorer *s, json_t *obj, const char *ptr, risk_tally *tally,
		       pl_error *err);
/* The same for a client already parsed (the columnar fast path). */
json_t *risk_score_client(const risk_scorer *s, const pl_client *c, risk_tally *tally,
			  pl_error *err);

/* A risk input document read without building the tree of its clients: `doc` holds every
 * top-level member except "clients", whose elements are text spans into `text`. When the quick
 * scan cannot cut the document (valid but unusual JSON), `doc` is the whole parsed document and
 * spans is NULL. */
typedef struct risk_input {
	char *text;
	size_t len;
	json_t *doc;
	const char **spans;
	size_t *span_len;
	size_t nspans;
	int have_clients; /* the document has a "clients" member */
} risk_input;

/* Read --input (or stdin) as a risk document; an exit code, with ctx->err set on failure. */
int risk_read_document(cli_ctx *ctx, risk_input *in);
void risk_input_release(risk_input *in);

/* Score every client in input order on a reader thread and worker threads: the spans of `in`,
 * else the array `clients`, else (both NULL) JSON Lines from --input or stdin. `emit` receives
 * each answer in input order, as a tree or (s->serialize) as compact text with a NULL tree;
 * ownership passes to it. */
typedef pl_status (*risk_emit_fn)(void *arg, json_t *answer, char *text, pl_error *err);
pl_status risk_score_stream(cli_ctx *ctx, const risk_scorer *s, const risk_input *in,
			    json_t *clients, risk_emit_fn emit, void *arg, risk_tally *tally,
			    pl_error *err);

/* Read --input (or stdin) as JSON Lines: fn gets each object (borrowed) with its 0-based line
 * number; blank lines are skipped. A read error or a line too long for memory is an error, never
 * the end of the input; a syntax error names its line. The one JSONL reader of train and
 * evaluate (score streams lines through risk_score_stream). */
typedef pl_status (*risk_line_fn)(void *arg, json_t *obj, size_t index, pl_error *err);
pl_status risk_read_lines(cli_ctx *ctx, risk_line_fn fn, void *arg);

#endif
