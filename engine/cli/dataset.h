/*
 * dataset.h: internal to the `dataset` subcommands (dataset_*.c): streamed pieces and the
 * generators' --params file (dataset_common.c).
 */
#ifndef PEERLINK_CLI_DATASET_H
#define PEERLINK_CLI_DATASET_H

#include "cli.h"

/* A streamed piece through the CLI's one writer (output.c), reals as cli_write_output has
 * them; steals v. */
void dataset_stream_json(cli_out *out, json_t *v, size_t flags);

/* Load the JSON object in the file named by --params (*out NULL when the option is absent). */
int dataset_load_params(cli_ctx *ctx, json_t **out);

static inline size_t dataset_dump_flags(const cli_ctx *ctx)
{
	return ctx->pretty ? JSON_INDENT(2) : JSON_COMPACT;
}

#endif
