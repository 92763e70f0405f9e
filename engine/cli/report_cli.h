/*
 * report_cli.h: what the four `peerlink report <kind>` subcommands share (report_io.c): reading a
 * second JSON document named by an option, a JSON Lines file, and handing the HTML page to the
 * CLI's one writer (output.c: never a partial file; owner-readable only).
 */
#ifndef PEERLINK_REPORT_CLI_H
#define PEERLINK_REPORT_CLI_H

#include "cli.h"
#include <peerlink/plot.h>

/* The JSON document at `path` (option --`option`): an exit code; errors name the option. */
int cli_report_read_json(cli_ctx *ctx, const char *option, const char *path, json_t **out);
/* A JSON Lines file as one array of its lines (blank lines skipped). */
int cli_report_read_jsonl(cli_ctx *ctx, const char *option, const char *path, json_t **out);
/* Prefix ctx->err's message with "--option: " (an error found in a secondary input). */
void cli_report_blame(cli_ctx *ctx, const char *option);
/* Write the page through the CLI's writer: --output (atomically) or standard output. */
int cli_report_write(cli_ctx *ctx, const pl_buf *page);

#endif
