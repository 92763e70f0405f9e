/*
 * dataset.h: internal to the `dataset` subcommands (dataset_*.c): streamed pieces and the
 * generators' --params file (dataset_common.c).
 */
#ifndef PEERLINK_CLI_DATASET_H
#define PEERLINK_CLI_DATASET_H

#include "cli.h"
#include <peerlink/gen.h>

/* A streamed piece through the CLI's one writer (output.c), reals as cli_write_output has
 * them; steals v. */
void dataset_stream_json(cli_out *out, json_t *v, size_t flags);

/* Override the defaults already in *checkins or *profiles (the other is NULL) by the JSON object
 * in the file named by --params, if given. Returns an exit code. */
int dataset_read_params(cli_ctx *ctx, pl_gen_checkins_params *checkins,
			pl_gen_profiles_params *profiles);

static inline size_t dataset_dump_flags(const cli_ctx *ctx)
{
	return ctx->pretty ? JSON_INDENT(2) : JSON_COMPACT;
}

#endif
