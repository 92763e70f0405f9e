/*
 * records.c: --jsonl for commands that read one document and write one answer (the match
 * commands): one request per input line, one answer per output line, in input order.
 *
 * Why: a health system runs many programs (sites) at once; one process (or one peerlink-mpi run,
 * engine/cli/mpi_farm.c) answers all of them. The command itself is not changed: the line's
 * parsed document is handed to it through cli_read_input and its answer taken back from
 * cli_write_output (ctx->in_record), so a line's answer is byte for byte the compact answer the
 * command gives to that document alone. The record function is shared with peerlink-mpi, which is
 * what makes its output identical to this one's.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_record_blank(const char *text, size_t len)
{
	for (size_t k = 0; k < len; k++)
		if (text[k] != ' ' && text[k] != '\t' && text[k] != '\r' && text[k] != '\n')
			return 0;
	return 1;
}

/* "/<index>" in front of the error's pointer: the line is the first reference token. */
static void prefix_pointer(pl_error *err, size_t index)
{
	char ptr[PL_POINTER_MAX] = "";

	if (pl_pointer_append_index(ptr, sizeof(ptr), index) == 0 &&
	    strlen(ptr) + strlen(err->pointer) < sizeof(ptr)) {
		strcat(ptr, err->pointer);
		memcpy(err->pointer, ptr, sizeof(ptr));
	}
}

int cli_record_document(void *state, cli_ctx *ctx, const char *text, size_t len, size_t index,
			char **answer, char **key)
{
	json_error_t jerr;
	json_t *doc;
	double t0 = cli_now_ms();
	int rc;

	(void)state;
	*answer = NULL;
	if (key)
		*key = NULL; /* requests have no id of their own */
	if (cli_record_blank(text, len))
		return CLI_EXIT_OK;
	errno = 0;
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		return cli_load_failed(ctx, &jerr, errno, 0, (long)index + 1);
	ctx->parse_ms = cli_now_ms() - t0;
	ctx->in_record = 1;
	ctx->record_in = doc;
	ctx->record_out = NULL;
	rc = ctx->cmd->run(ctx);
	json_decref(ctx->record_in); /* NULL once the command took it */
	ctx->record_in = NULL;
	ctx->in_record = 0;
	if (rc != CLI_EXIT_OK) {
		free(ctx->record_out);
		ctx->record_out = NULL;
		if (ctx->err_line == 0)
			prefix_pointer(&ctx->err, index);
		return rc;
	}
	*answer = ctx->record_out;
	ctx->record_out = NULL;
	return CLI_EXIT_OK;
}

int cli_run_lines(cli_ctx *ctx, cli_record_fn fn, void *state)
{
	FILE *f;
	cli_out out;
	char *line = NULL;
	size_t cap = 0, len, index = 0;
	int got, rc;

	if ((rc = cli_out_open(ctx, &out)) != CLI_EXIT_OK)
		return rc;
	if ((rc = cli_open_input(ctx, &f)) != CLI_EXIT_OK) {
		cli_out_abandon(&out);
		return rc;
	}
	/* A read error or a line too long for memory is an error, never the end of the input. */
	while ((got = pl_json_read_line(f, &line, &cap, &len, index, &ctx->err)) > 0) {
		char *answer = NULL;
		rc = fn(state, ctx, line, len, index, &answer, NULL);
		if (rc == CLI_EXIT_OK && answer) {
			cli_out_text(&out, answer);
			cli_out_text(&out, "\n");
			rc = cli_out_record(ctx, &out);
		}
		free(answer);
		if (rc != CLI_EXIT_OK)
			break;
		index++;
	}
	if (rc == CLI_EXIT_OK && got < 0)
		rc = cli_exit_for(ctx->err.code);
	free(line);
	cli_close_input(f);
	if (rc == CLI_EXIT_OK)
		return cli_out_close(ctx, &out);
	cli_out_abandon(&out); /* no partial output file */
	return rc;
}
