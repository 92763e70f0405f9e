/*
 * report_io.c: I/O for `peerlink report <kind>`: secondary JSON inputs named by options, and the
 * HTML page handed to the CLI's one writer (output.c), so it is written like every answer: to
 * standard output, or replaced atomically (owner-readable, never partial).
 */
#define _POSIX_C_SOURCE 200809L
#include "report_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_report_blame(cli_ctx *ctx, const char *option)
{
	char context[64];

	snprintf(context, sizeof(context), "--%s", option);
	pl_error_prefix(&ctx->err, context);
}

int cli_report_read_json(cli_ctx *ctx, const char *option, const char *path, json_t **out)
{
	const char *saved = ctx->input_path;
	double parse_ms = ctx->parse_ms;
	int rc;

	/* the same reader as --input: syntax errors without input text, objects only */
	ctx->input_path = path;
	rc = cli_read_input(ctx, out);
	ctx->input_path = saved;
	ctx->parse_ms += parse_ms;
	if (rc != CLI_EXIT_OK)
		cli_report_blame(ctx, option);
	return rc;
}

int cli_report_read_jsonl(cli_ctx *ctx, const char *option, const char *path, json_t **out)
{
	const char *saved = ctx->input_path;
	FILE *f;
	char *line = NULL;
	size_t cap = 0, len;
	long lineno = 0;
	json_t *arr;
	int rc, got = 0;

	*out = NULL;
	ctx->input_path = path; /* the same opening as --input: a directory is an io_error */
	rc = cli_open_input(ctx, &f);
	ctx->input_path = saved;
	if (rc != CLI_EXIT_OK) {
		cli_report_blame(ctx, option);
		return rc;
	}
	arr = json_array();
	/* a read error or a line too long for memory is an error, never the end of the file */
	while (arr && (got = pl_json_read_line(f, &line, &cap, &len, (size_t)lineno, &ctx->err)) > 0) {
		json_error_t jerr;
		json_t *v;
		lineno++;
		if (strspn(line, " \t\r\n") == len)
			continue;
		errno = 0;
		v = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
		if (!v && pl_json_load_failure(&jerr, errno, NULL, 0) == PL_ERR_NOMEM) {
			rc = cli_fail(ctx, PL_ERR_NOMEM, "", "line %ld does not fit in memory", lineno);
			cli_report_blame(ctx, option);
			break;
		}
		if (!v || !json_is_object(v)) {
			json_decref(v);
			ctx->err_line = lineno;
			ctx->err_column = v ? 1 : (jerr.column > 0 ? jerr.column : 1);
			rc = cli_fail(ctx, PL_ERR_INVALID, "", "each line must be one JSON object");
			cli_report_blame(ctx, option);
			break;
		}
		if (json_array_append_new(arr, v) != 0) {
			rc = cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
			break;
		}
	}
	if (!arr)
		rc = cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
	if (got < 0 && rc == CLI_EXIT_OK) {
		rc = cli_exit_for(ctx->err.code);
		cli_report_blame(ctx, option);
	}
	free(line);
	cli_close_input(f);
	if (rc != CLI_EXIT_OK)
		json_decref(arr);
	else
		*out = arr;
	return rc;
}

int cli_report_write(cli_ctx *ctx, const pl_buf *page)
{
	cli_out o;
	int rc;

	if (page->failed || !page->data)
		return cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory writing the report");
	if ((rc = cli_out_open(ctx, &o)) != CLI_EXIT_OK)
		return rc;
	cli_out_text(&o, page->data);
	return cli_out_close(ctx, &o);
}
