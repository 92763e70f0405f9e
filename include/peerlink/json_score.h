/*
 * peerlink/json_score.h: scoring many clients from JSON text on every core, answers in input
 * order (engine/json/risk_stream.c). The JSON layer's half of `peerlink risk score`: a program
 * reads the bytes (a document or JSON Lines), hands them over, and receives each client's answer
 * in input order; it keeps only option parsing and output.
 *
 * Ownership: pl_risk_doc_parse takes the text it is given (malloc'ed) and pl_risk_doc_release
 * frees it with everything else; a pl_risk_scorer owns its model (pl_risk_model_release). The
 * emit callback receives each answer (a tree, or compact text with a NULL tree) and owns it
 * from then on. json_t arguments are borrowed.
 */
#ifndef PEERLINK_JSON_SCORE_H
#define PEERLINK_JSON_SCORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <peerlink/json.h>
#include <peerlink/risk.h>
#include <peerlink/idset.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The model and the options every client is scored with; only read while scoring. */
typedef struct pl_risk_scorer {
	pl_risk_model model; /* its catalogue also holds the input document's extra measures */
	int32_t as_of;       /* the scoring date of the request (pl_as_of_resolve) */
	int top;             /* contributions listed per client; 0 = all */
	int serialize;       /* workers hand over compact JSON text instead of trees */
	pl_action_table actions; /* suggested actions (models/actions.json); empty: none */
} pl_risk_scorer;

/* Totals for an answer's stats, summed over clients. */
typedef struct pl_risk_tally {
	size_t clients, scored, checkins;
	size_t tiers[PL_NTIERS]; /* low, moderate, high, contact */
} pl_risk_tally;

/* Parse, validate and score one client object; ptr is its JSON Pointer. The answer (new
 * reference) or NULL with err filled. Thread-safe: the scorer is only read. */
json_t *pl_risk_score_json(const pl_risk_scorer *s, json_t *obj, const char *ptr,
			   pl_risk_tally *tally, pl_error *err);
/* The same for a client already parsed. */
json_t *pl_risk_score_client_json(const pl_risk_scorer *s, const pl_client *c,
				  pl_risk_tally *tally, pl_error *err);

/* One client given as text (len bytes; or, when `tree` is not NULL, that parsed object,
 * borrowed) parsed, validated and scored exactly as pl_risk_score_stream's workers do: the
 * columnar fast path, else jansson. *answer gets the answer tree, or *answer_text its compact
 * text when s->serialize, and *id the client's id (malloc'ed, for pl_risk_check_repeat). A JSON
 * syntax error sets *syntax_column (1-based; else 0) and the message "JSON syntax error" for the
 * caller to place; `index` names the client in messages. For programs that deal clients out
 * themselves (peerlink-mpi, engine/cli/mpi_risk.c) and must answer byte for byte as the stream. */
pl_status pl_risk_score_text(const pl_risk_scorer *s, const char *text, size_t len, json_t *tree,
			     const char *ptr, size_t index, pl_risk_tally *tally, json_t **answer,
			     char **answer_text, char **id, long *syntax_column, pl_error *err);
/* A client id already in `ids` is an error at "<ptr_prefix>/<index>/id" (ids are unique in a
 * request); else it is added. Called in input order, the first repeat is the one reported. */
pl_status pl_risk_check_repeat(pl_idset *ids, const char *id, const char *ptr_prefix,
				size_t index, pl_error *err);

/* A risk input document read without building the tree of its clients: `doc` holds every
 * top-level member except "clients", whose elements are text spans into `text`. When the quick
 * scan cannot cut the document (valid but unusual JSON), `doc` is the whole parsed document and
 * spans is NULL. */
typedef struct pl_risk_doc {
	char *text;
	size_t len;
	json_t *doc;
	const char **spans;
	size_t *span_len;
	size_t nspans;
	int have_clients; /* the document has a "clients" member cut into spans */
} pl_risk_doc;

/* Where a JSON syntax error was found while reading or scoring: for a document, jansson's own
 * report on the whole text (`jerr`, and `alloc_errno` as pl_json_load_failure wants it); for
 * JSON Lines, the line (1-based) and column. kind 0 when the failure was not a syntax error. */
typedef struct pl_json_syntax {
	int kind; /* 0 none, PL_SYNTAX_DOCUMENT, PL_SYNTAX_LINE */
	json_error_t jerr;
	int alloc_errno;
	long line, column;
} pl_json_syntax;

#define PL_SYNTAX_DOCUMENT 1
#define PL_SYNTAX_LINE 2

/* Cut (or, failing that, parse) a risk document; takes `text` (malloc'ed, len bytes, need not be
 * NUL-terminated) whatever happens. PL_ERR_INVALID with syn->kind = PL_SYNTAX_DOCUMENT for a
 * syntax error, PL_ERR_INVALID "the input must be a JSON object", or a limit error
 * (pl_json_check_limits) otherwise. */
pl_status pl_risk_doc_parse(char *text, size_t len, pl_risk_doc *out, pl_json_syntax *syn,
			    pl_error *err);
void pl_risk_doc_release(pl_risk_doc *d);

/* The last day pl_client_last_day gives for the client in `text` (a cheap scan of the columnar
 * form, else a full read with cat); INT32_MIN when it has none or cannot be read (the scoring
 * pass then reports that client's error). */
int32_t pl_risk_text_last_day(const char *text, size_t len, const pl_catalogue *cat);
/* The latest of those over the document's client spans (INT32_MIN when there are none), read
 * on `threads` threads (0: one per online processor): the scoring date of a request that names
 * none (pl_as_of_resolve). */
int32_t pl_risk_doc_latest_day(const pl_risk_doc *doc, const pl_catalogue *cat, int threads);

/* Receives each answer in input order, as a tree or (s->serialize) as compact text (malloc'ed)
 * with a NULL tree; owns it from then on. A status other than PL_OK stops the run. */
typedef pl_status (*pl_risk_emit_fn)(void *arg, json_t *answer, char *text, pl_error *err);

/* Score every client on a reader thread and `threads` worker threads (0: one per online
 * processor; at most 8): the spans of `doc` when it has them, else the array `clients`, else
 * (both NULL) JSON Lines read from `lines`. Answers reach `emit` strictly in input order, so the
 * output does not depend on the number of threads. The first failing client in input order
 * decides the error (its pointer is "/clients/<i>/..." or "/<line index>/..."); a repeated
 * client id is an error at its "id". */
pl_status pl_risk_score_stream(const pl_risk_scorer *s, const pl_risk_doc *doc, json_t *clients,
			       FILE *lines, int threads, pl_risk_emit_fn emit, void *arg,
			       pl_risk_tally *tally, pl_json_syntax *syn, pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
