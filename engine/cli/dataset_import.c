/*
 * dataset_import.c: `peerlink dataset import`: a long-format CSV/TSV or an openESM dataset into
 * the risk input format (datasets/README.md, "Import layout").
 *
 * The request is the spec plus its file names ("data", "metadata"); the JSON layer reads the spec
 * (pl_json_read_import_spec), the core converts the table (pl_import_result_new), and the clients
 * are written one by one: --jsonl streams them, one per line.
 */
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/import.h>
#include <peerlink/limits.h>
#include <peerlink/json_data.h>

/* The request: its keys, format and file names; openESM defaults filled into the spec. */
typedef struct import_request {
	json_t *spec, *meta;
	const char *format, *data, *metaname;
	int openesm;
} import_request;

/* Read a whole file named in the spec (relative to the spec's folder), at most the importer's
 * size limit: a larger file (or an endless one such as /dev/zero) is refused, not read. */
static int slurp(cli_ctx *ctx, const char *name, const char *ptr, char **text, size_t *len)
{
	char *buf = NULL;
	FILE *f;
	size_t cap = 1 << 16, n = 0, k;
	int rc;

	*text = NULL;
	/* a regular file in the spec's folder (cli_open_named); its size is checked again below,
	 * for a file that grows while it is read */
	if ((rc = cli_open_named(ctx, name, ptr, PL_IMPORT_MAX_BYTES, NULL, &f)) != CLI_EXIT_OK)
		return rc;
	buf = malloc(cap);
	while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n > PL_IMPORT_MAX_BYTES)
			break;
		if (n == cap) {
			/* grow to one byte past the limit at most: enough to see that a file is too big */
			size_t ncap = cap * 2 > PL_IMPORT_MAX_BYTES + 1 ? PL_IMPORT_MAX_BYTES + 1 : cap * 2;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap = ncap;
		}
	}
	if (!buf)
		rc = cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
	else if (n > PL_IMPORT_MAX_BYTES)
		rc = cli_fail(ctx, PL_ERR_INVALID, ptr,
			      "the file named here is larger than the importer's limit of %zu bytes",
			      PL_IMPORT_MAX_BYTES);
	else if (ferror(f))
		rc = cli_fail(ctx, PL_ERR_IO, ptr, "reading the file named here failed: %s",
			      strerror(errno));
	fclose(f);
	if (rc != CLI_EXIT_OK) {
		free(buf);
		return rc;
	}
	*text = buf;
	*len = n;
	return CLI_EXIT_OK;
}

static int read_request(cli_ctx *ctx, import_request *q)
{
	static const char *const keys[] = { "format", "data", "metadata", "delimiter", "id", "date",
					    "day", "start", "measures", "catalogue", "rescale",
					    "events", "attributes", "missing", NULL };
	pl_status st = pl_json_check_keys(q->spec, "", keys, &ctx->err);

	q->format = "csv";
	if (st == PL_OK)
		st = pl_json_get_string(q->spec, "format", "", 0, &q->format, &ctx->err);
	if (st == PL_OK)
		st = pl_json_get_string(q->spec, "data", "", 1, &q->data, &ctx->err);
	if (st == PL_OK)
		st = pl_json_get_string(q->spec, "metadata", "", 0, &q->metaname, &ctx->err);
	if (st != PL_OK)
		return cli_exit_for(st);
	q->openesm = strcmp(q->format, "openesm") == 0;
	if (!q->openesm && strcmp(q->format, "csv") != 0)
		return cli_fail(ctx, PL_ERR_INVALID, "/format", "format must be \"csv\" or \"openesm\"");
	if (q->metaname && !q->openesm)
		return cli_fail(ctx, PL_ERR_INVALID, "/metadata",
				"metadata is read with format \"openesm\" only");
	return CLI_EXIT_OK;
}

/* openESM: tab-separated, "id" and "date" columns unless the spec says otherwise, and the
 * metadata file (relative to the spec's folder) when named. */
static int read_openesm(cli_ctx *ctx, import_request *q)
{
	FILE *f;
	json_error_t jerr;
	int rc;

	if (!json_object_get(q->spec, "delimiter"))
		json_object_set_new(q->spec, "delimiter", json_string("\t"));
	if (!json_object_get(q->spec, "date") && !json_object_get(q->spec, "day"))
		json_object_set_new(q->spec, "date", json_string("date"));
	if (!q->metaname)
		return CLI_EXIT_OK;
	rc = cli_open_named(ctx, q->metaname, "/metadata", PL_LIMIT_INPUT_BYTES, NULL, &f);
	if (rc != CLI_EXIT_OK)
		return rc;
	q->meta = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	if (!q->meta || !json_is_object(q->meta))
		return cli_fail(ctx, PL_ERR_INVALID, "/metadata",
				"the metadata file named here is missing or not a JSON object");
	return CLI_EXIT_OK;
}

static json_t *import_stats(cli_ctx *ctx, const import_request *q, const pl_import_stats *is,
			    double t0)
{
	static const char *const echoed[] = { "dataset_id", "license", "paper_doi" };
	json_t *stats = json_object();

	json_object_set_new(stats, "algorithm", json_string("long-format table import (datasets/README.md)"));
	json_object_set_new(stats, "format", json_string(q->openesm ? "openesm" : "csv"));
	json_object_set_new(stats, "rows", json_integer((json_int_t)is->rows));
	json_object_set_new(stats, "empty_rows", json_integer((json_int_t)is->empty_rows));
	json_object_set_new(stats, "clients", json_integer((json_int_t)is->clients));
	json_object_set_new(stats, "checkins", json_integer((json_int_t)is->checkins));
	json_object_set_new(stats, "events", json_integer((json_int_t)is->events));
	if (q->meta) {
		/* the dataset's licence travels with the converted data */
		json_t *src = json_object();
		for (size_t k = 0; k < 3; k++)
			if (json_is_string(json_object_get(q->meta, echoed[k])))
				json_object_set(src, echoed[k], json_object_get(q->meta, echoed[k]));
		json_object_set_new(stats, "source", src);
	}
	json_object_set_new(stats, "parse_ms", json_real(cli_ms(ctx, ctx->parse_ms)));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, cli_now_ms() - t0)));
	return stats;
}

/* --jsonl: one client per line, written as it is made. */
static int write_jsonl(cli_ctx *ctx, const pl_import_result *r)
{
	cli_out out;
	int rc = cli_out_open(ctx, &out);

	if (rc != CLI_EXIT_OK)
		return rc;
	for (size_t k = 0; k < r->nclients && rc == CLI_EXIT_OK; k++) {
		dataset_stream_json(&out, pl_json_write_import_client(r, k), JSON_COMPACT);
		cli_out_text(&out, "\n");
		rc = cli_out_record(ctx, &out); /* flushed; says how many clients got out */
	}
	if (rc == CLI_EXIT_OK)
		rc = cli_out_close(ctx, &out);
	cli_out_abandon(&out);
	return rc;
}

static int write_document(cli_ctx *ctx, const import_request *q, const pl_import_result *r,
			  double t0)
{
	json_t *doc = json_object(), *clients = json_array(), *cat;

	for (size_t k = 0; k < r->nclients; k++)
		json_array_append_new(clients, pl_json_write_import_client(r, k));
	json_object_set_new(doc, "clients", clients);
	if ((cat = pl_json_write_import_catalogue(r)))
		json_object_set_new(doc, "measures", cat);
	json_object_set_new(doc, "stats", import_stats(ctx, q, &r->stats, t0));
	return cli_write_output(ctx, doc);
}

int cmd_dataset_import(cli_ctx *ctx)
{
	import_request q = { NULL, NULL, NULL, NULL, NULL, 0 };
	pl_import_spec spec;
	pl_import_result *res = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc;
	double t0;

	pl_import_spec_init(&spec);
	if ((rc = cli_read_input(ctx, &q.spec)) != CLI_EXIT_OK)
		return rc;
	t0 = cli_now_ms();
	if ((rc = read_request(ctx, &q)) != CLI_EXIT_OK ||
	    (q.openesm && (rc = read_openesm(ctx, &q)) != CLI_EXIT_OK) ||
	    (rc = slurp(ctx, q.data, "/data", &text, &len)) != CLI_EXIT_OK)
		goto done;
	ctx->parse_ms += cli_now_ms() - t0;
	t0 = cli_now_ms();
	if (pl_json_read_import_spec(&spec, q.spec, q.meta, &ctx->err) != PL_OK ||
	    pl_import_result_new(text, len, &spec, &res, &ctx->err) != PL_OK) {
		rc = cli_exit_for(ctx->err.code);
		goto done;
	}
	free(text);
	text = NULL;
	rc = ctx->jsonl ? write_jsonl(ctx, res) : write_document(ctx, &q, res, t0);
done:
	free(text);
	pl_import_result_free(res);
	pl_import_spec_release(&spec);
	json_decref(q.meta);
	json_decref(q.spec);
	return rc;
}

/* ---- dataset import profiles: a spreadsheet of people into profile lists ---- */

/* The spec's "vocabulary" into a population that holds only the allowed names. */
static pl_status read_vocab(json_t *spec, pl_profiles *V, int *have, pl_error *err)
{
	json_t *v = json_object_get(spec, "vocabulary"), *list;
	const char *key;

	*have = 0;
	if (!v)
		return PL_OK;
	if (!json_is_object(v))
		return pl_error_set(err, PL_ERR_INVALID, "/vocabulary", "vocabulary must be an object");
	json_object_foreach(v, key, list) {
		char p[PL_POINTER_MAX];
		int f = strcmp(key, "gender") == 0 ? PL_VOCAB_GENDER : pl_criterion_from_name(key);
		pl_json_ptr(p, sizeof(p), "/vocabulary", key);
		if (f < 0 || f > PL_TAG_CRITERIA || !json_is_array(list))
			return pl_error_set(err, PL_ERR_INVALID, p,
					    "vocabulary fields are the tag criteria and gender, each an array of names");
		V->vocab_on[f] = 1;
		for (size_t k = 0; k < json_array_size(list); k++) {
			char q[PL_POINTER_MAX];
			json_t *x = json_array_get(list, k);
			if (!json_is_string(x) || json_string_length(x) == 0)
				return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(q, sizeof(q), p, k),
						    "vocabulary names must be non-empty strings");
			if (pl_profiles_allow(V, f, json_string_value(x), err) != PL_OK)
				return err->code;
		}
	}
	*have = 1;
	return PL_OK;
}

int cmd_dataset_import_profiles(cli_ctx *ctx)
{
	static const char *const keys[] = { "data", "delimiter", "vocabulary", NULL };
	json_t *spec = NULL, *doc, *stats, *vocab;
	const char *data = NULL, *delim = ",";
	pl_import_profiles *res = NULL;
	pl_profiles V;
	char *text = NULL;
	size_t len = 0;
	int rc, have_vocab = 0;
	double t0;
	pl_status st;

	pl_profiles_init(&V);
	if ((rc = cli_read_input(ctx, &spec)) != CLI_EXIT_OK)
		return rc;
	t0 = cli_now_ms();
	st = pl_json_check_keys(spec, "", keys, &ctx->err);
	if (st == PL_OK)
		st = pl_json_get_string(spec, "data", "", 1, &data, &ctx->err);
	if (st == PL_OK)
		st = pl_json_get_string(spec, "delimiter", "", 0, &delim, &ctx->err);
	if (st == PL_OK && strlen(delim) != 1)
		st = pl_error_set(&ctx->err, PL_ERR_INVALID, "/delimiter", "delimiter must be one character");
	if (st == PL_OK)
		st = read_vocab(spec, &V, &have_vocab, &ctx->err);
	if (st != PL_OK) {
		rc = cli_exit_for(st);
		goto done;
	}
	if ((rc = slurp(ctx, data, "/data", &text, &len)) != CLI_EXIT_OK)
		goto done;
	ctx->parse_ms += cli_now_ms() - t0;
	t0 = cli_now_ms();
	st = pl_import_profiles_new(text, len, delim[0], have_vocab ? &V : NULL, &res, &ctx->err);
	if (st != PL_OK) {
		rc = cli_exit_for(st);
		goto done;
	}
	doc = pl_json_write_import_profiles(res);
	if ((vocab = json_object_get(spec, "vocabulary")))
		json_object_set(doc, "vocabulary", vocab);
	st = pl_json_check_import_profiles(res, doc, &ctx->err);
	if (st != PL_OK) {
		json_decref(doc);
		rc = cli_exit_for(st);
		goto done;
	}
	stats = json_object();
	json_object_set_new(stats, "algorithm", json_string("profiles table import (docs/datasets.md)"));
	json_object_set_new(stats, "rows", json_integer((json_int_t)pl_import_profiles_rows(res)));
	json_object_set_new(stats, "columns", json_integer((json_int_t)pl_import_profiles_columns(res)));
	json_object_set_new(stats, "parse_ms", json_real(cli_ms(ctx, ctx->parse_ms)));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, cli_now_ms() - t0)));
	json_object_set_new(doc, "stats", stats);
	rc = cli_write_output(ctx, doc);
done:
	free(text);
	pl_import_profiles_free(res);
	pl_profiles_release(&V);
	json_decref(spec);
	return rc;
}
