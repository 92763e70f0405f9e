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
	char msg[PL_MESSAGE_MAX];

	snprintf(msg, sizeof(msg), "--%s: %.290s", option, ctx->err.message);
	snprintf(ctx->err.message, sizeof(ctx->err.message), "%s", msg);
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
	FILE *f = fopen(path, "rb");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	json_t *arr;
	int rc = CLI_EXIT_OK;

	*out = NULL;
	if (!f) {
		rc = cli_fail(ctx, PL_ERR_IO, "", "cannot open the file: %s", strerror(errno));
		cli_report_blame(ctx, option);
		return rc;
	}
	arr = json_array();
	while (arr && (len = getline(&line, &cap, f)) >= 0) {
		json_error_t jerr;
		json_t *v;
		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)len)
			continue;
		v = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &jerr);
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
	free(line);
	fclose(f);
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
