/*
 * risk_pipeline.c: the risk commands' input, on the CLI's side: reading --input (or stdin) as a
 * risk document or as JSON Lines, and running the JSON layer's threaded scoring stream
 * (peerlink/json_score.h, engine/json/risk_stream.c) with the CLI's input and error reporting.
 * The scoring pipeline itself (span scanner, worker ring, in-order emission) is the library's.
 *
 * Threads: PEERLINK_THREADS=N (1 to 8) fixes the number of scoring threads; by default there is
 * one per online processor. Answers come in input order, so the output is the same for any N.
 */
#define _POSIX_C_SOURCE 200809L
#include "risk_cli.h"
#include <peerlink/limits.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A syntax error found by the JSON layer, as the CLI reports every syntax error. */
static int syntax_failed(cli_ctx *ctx, const pl_json_syntax *syn)
{
	if (syn->kind == PL_SYNTAX_DOCUMENT)
		return cli_load_failed(ctx, &syn->jerr, syn->alloc_errno, 0, 0);
	if (syn->kind == PL_SYNTAX_LINE) {
		ctx->err_line = syn->line;
		ctx->err_column = syn->column;
	}
	return cli_exit_for(ctx->err.code);
}

int risk_read_document(cli_ctx *ctx, risk_input *in)
{
	FILE *f;
	size_t cap = 1 << 20, k, len = 0;
	int over = 0;
	double t0 = cli_now_ms();
	json_error_t jerr;
	pl_json_syntax syn;
	char *text;
	int rc, read_errno = 0;
	pl_status st;

	memset(in, 0, sizeof(*in));
	if ((rc = cli_open_input(ctx, &f)) != CLI_EXIT_OK)
		return rc;
	text = malloc(cap);
	while (text && (k = fread(text + len, 1, cap - len, f)) > 0) {
		len += k;
		if (len > PL_LIMIT_INPUT_BYTES) {
			over = 1;
			break;
		}
		if (len == cap) {
			char *nt = realloc(text, cap * 2);
			if (!nt) {
				free(text);
				text = NULL;
				break;
			}
			text = nt;
			cap *= 2;
		}
	}
	/* A read error is not the end of the document. */
	read_errno = text && !over && ferror(f) ? (errno ? errno : EIO) : 0;
	cli_close_input(f);
	if (!text)
		return cli_fail(ctx, PL_ERR_NOMEM, "", "the input does not fit in memory");
	if (over || read_errno) {
		free(text);
		if (over)
			return cli_fail(ctx, PL_ERR_INVALID, "",
					"the input is larger than the limit of %d MiB", PL_LIMIT_INPUT_MIB);
		return cli_load_failed(ctx, &jerr, 0, read_errno, 0);
	}
	st = pl_risk_doc_parse(text, len, in, &syn, &ctx->err);
	ctx->parse_ms = cli_now_ms() - t0;
	if (st != PL_OK && syn.kind)
		return syntax_failed(ctx, &syn);
	return cli_exit_for(st);
}

void risk_input_release(risk_input *in)
{
	pl_risk_doc_release(in);
}

/* PEERLINK_THREADS, when it is a number from 1 to 8; else 0 (one thread per processor). */
int risk_scoring_threads(void)
{
	const char *env = getenv("PEERLINK_THREADS");
	char *end;
	long n;

	if (!env || !*env)
		return 0;
	errno = 0;
	n = strtol(env, &end, 10);
	return errno == 0 && *end == '\0' && n >= 1 && n <= 8 ? (int)n : 0;
}

pl_status risk_score_stream(cli_ctx *ctx, const risk_scorer *s, const risk_input *in,
			    json_t *clients, risk_emit_fn emit, void *arg, risk_tally *tally,
			    pl_error *err)
{
	FILE *lines = NULL;
	pl_json_syntax syn;
	pl_status st;

	if (!(in && in->have_clients) && !clients && cli_open_input(ctx, &lines) != CLI_EXIT_OK) {
		*err = ctx->err;
		return err->code;
	}
	st = pl_risk_score_stream(s, in, clients, lines, risk_scoring_threads(), emit, arg, tally, &syn,
				  err);
	cli_close_input(lines);
	if (st != PL_OK && syn.kind) {
		if (err != &ctx->err)
			ctx->err = *err;
		syntax_failed(ctx, &syn);
		*err = ctx->err;
		st = err->code;
	}
	return st;
}

/* ---------------------------------------------------------------- JSON Lines */

/* Whether line[0..len) holds only white space (a blank line: skipped, but counted). */
static int blank_line(const char *line, size_t len)
{
	size_t k = 0;

	while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r' || line[k] == '\n'))
		k++;
	return k == len;
}

pl_status risk_read_lines_share(cli_ctx *ctx, size_t first, size_t end, risk_line_fn fn,
				void *arg)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0, index = 0, len, ord = 0;
	pl_status st = PL_OK;
	int got = 0;

	if (cli_open_input(ctx, &f) != CLI_EXIT_OK)
		return ctx->err.code;
	/* A read error or a line too long for memory is an error, never the end of the input. */
	while (ord < end && (got = pl_json_read_line(f, &line, &cap, &len, index, &ctx->err)) > 0) {
		json_error_t jerr;
		json_t *obj;
		if (blank_line(line, len)) {
			index++;
			continue;
		}
		if (ord++ < first) { /* another process's object: not even parsed here */
			index++;
			continue;
		}
		errno = 0;
		obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
		if (!obj) {
			cli_load_failed(ctx, &jerr, errno, 0, (long)index + 1);
			st = ctx->err.code;
			break;
		}
		st = fn(arg, obj, index, &ctx->err);
		json_decref(obj);
		if (st != PL_OK)
			break;
		index++;
	}
	if (got < 0)
		st = ctx->err.code;
	else if (st == PL_OK && end != SIZE_MAX && ord < end) /* shorter than counted */
		st = pl_error_set(&ctx->err, PL_ERR_IO, "", "the input has fewer lines than its first "
				  "pass counted: it changed while it was read");
	free(line);
	cli_close_input(f);
	return st;
}

pl_status risk_read_lines(cli_ctx *ctx, risk_line_fn fn, void *arg)
{
	return risk_read_lines_share(ctx, 0, SIZE_MAX, fn, arg);
}

pl_status risk_count_lines(cli_ctx *ctx, size_t *n)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0, index = 0, len;
	int got;

	*n = 0;
	if (cli_open_input(ctx, &f) != CLI_EXIT_OK)
		return ctx->err.code;
	while ((got = pl_json_read_line(f, &line, &cap, &len, index++, &ctx->err)) > 0)
		*n += !blank_line(line, len);
	free(line);
	cli_close_input(f);
	return got < 0 ? ctx->err.code : PL_OK;
}
