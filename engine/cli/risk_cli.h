/*
 * risk_cli.h: what cmd_risk.c and risk_pipeline.c share: the scorer (a loaded model plus the
 * score options) and the function that turns one client object into its answer.
 */
#ifndef PEERLINK_RISK_CLI_H
#define PEERLINK_RISK_CLI_H

#include <stdint.h>
#include <jansson.h>
#include <peerlink/risk.h>
#include "cli.h"

typedef struct risk_scorer {
	pl_risk_model model; /* its catalogue also holds the input document's extra measures */
	int32_t as_of;       /* INT32_MIN: each client's last check-in */
	int top;             /* contributions listed per client; 0 = all */
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

/* Score every client of a document's "clients" array, or every line with --jsonl, in input
 * order, using a reader thread and worker threads. `emit` receives each answer in input order
 * (ownership passes to it). */
typedef pl_status (*risk_emit_fn)(void *arg, json_t *answer, pl_error *err);
pl_status risk_score_stream(cli_ctx *ctx, const risk_scorer *s, json_t *clients,
			    risk_emit_fn emit, void *arg, risk_tally *tally, pl_error *err);

#endif
