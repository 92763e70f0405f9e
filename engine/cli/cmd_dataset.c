/*
 * cmd_dataset.c: `peerlink dataset generate checkins|profiles` and `peerlink dataset import`:
 * synthetic data with known truth, and real exports turned into the risk input format.
 *
 * Large cohorts are streamed: a compact answer is written client by client (the bytes are the
 * same as dumping the whole document at once), and --jsonl writes one client per line, so memory
 * stays at one client whatever the cohort size. Both go through the CLI's one writer
 * (output.c): flushed per client, output files still replaced atomically.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>
#include <peerlink/gen.h>
#include <peerlink/import.h>

/* Streamed pieces go through the CLI's one writer (output.c); reals as cli_write_output has them. */
static void stream_json(cli_out *out, json_t *v, size_t flags)
{
	cli_out_json(out, v, flags | JSON_REAL_PRECISION(15));
	json_decref(v);
}

/* Load the JSON object in the file named by --params (NULL when the option is absent). */
static int load_params_file(cli_ctx *ctx, json_t **out)
{
	const char *path = cli_opt_str(ctx, "params");
	json_error_t jerr;
	json_t *doc;

	*out = NULL;
	if (!path)
		return CLI_EXIT_OK;
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		FILE *f = fopen(path, "rb");
		if (!f)
			return cli_fail(ctx, PL_ERR_IO, "", "cannot open the parameter file: %s",
					strerror(errno));
		fclose(f);
		ctx->err_line = jerr.line > 0 ? jerr.line : 1;
		ctx->err_column = jerr.column > 0 ? jerr.column : 1;
		return cli_fail(ctx, PL_ERR_INVALID, "", "JSON syntax error in the parameter file");
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		return cli_fail(ctx, PL_ERR_INVALID, "", "the parameter file must hold a JSON object");
	}
	*out = doc;
	return CLI_EXIT_OK;
}

static size_t dump_flags(const cli_ctx *ctx)
{
	return ctx->pretty ? JSON_INDENT(2) : JSON_COMPACT;
}

/* ---- dataset generate checkins ---- */

int cmd_dataset_generate_checkins(cli_ctx *ctx)
{
	pl_gen_checkins_params par;
	pl_gen_client c = PL_GEN_CLIENT_INIT;
	json_t *pdoc = NULL, *all = NULL, *stats;
	gsl_rng *rng = NULL;
	cli_out out = { NULL };
	long nclients = (long)cli_opt_int(ctx, "clients"), ndays = (long)cli_opt_int(ctx, "days");
	unsigned long seed = ctx->have_seed ? ctx->seed : 1;
	size_t lapses = 0, lapsed = 0, immune = 0, slots = 0, filled = 0;
	int rc, truth = !cli_opt_flag(ctx, "no-truth"), whole = ctx->pretty && !ctx->jsonl;
	double t0 = cli_now_ms();

	pl_gen_checkins_params_init(&par);
	if ((rc = load_params_file(ctx, &pdoc)) != CLI_EXIT_OK)
		return rc;
	if (pdoc && pl_gen_checkins_params_from_json(&par, pdoc, "", &ctx->err) != PL_OK) {
		json_decref(pdoc);
		return cli_exit_for(ctx->err.code);
	}
	json_decref(pdoc);

	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!rng)
		return cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
	gsl_rng_set(rng, seed);
	if (whole) {
		all = json_array();
	} else {
		if ((rc = cli_out_open(ctx, &out)) != CLI_EXIT_OK)
			goto done;
		if (!ctx->jsonl)
			cli_out_text(&out, "{\"clients\":[");
	}
	for (long i = 0; i < nclients; i++) {
		char id[32];
		json_t *cj;

		if (pl_gen_checkins_client(&par, rng, (size_t)ndays, &c, &ctx->err) != PL_OK) {
			rc = cli_exit_for(ctx->err.code);
			goto done;
		}
		lapses += c.nlapses;
		lapsed += c.nlapses > 0;
		immune += (size_t)c.immune;
		for (size_t t = 0; t < c.days; t++) {
			slots++;
			filled += !isnan(c.values[(size_t)PL_GEN_CRAVING * c.days + t]);
		}
		snprintf(id, sizeof(id), "c%05ld", i + 1);
		cj = pl_gen_client_to_json(&c, id, truth);
		pl_gen_client_release(&c);
		if (whole) {
			json_array_append_new(all, cj);
		} else {
			if (!ctx->jsonl && i > 0)
				cli_out_text(&out, ",");
			stream_json(&out, cj, JSON_COMPACT);
			if (ctx->jsonl)
				cli_out_text(&out, "\n");
			if ((rc = cli_out_record(ctx, &out)) != CLI_EXIT_OK)
				goto done; /* the message says how many clients got out */
		}
	}
	stats = json_object();
	json_object_set_new(stats, "algorithm",
			    json_string("AR(1) latent state with erosion episodes and a logistic hazard "
					"(docs/datasets.md)"));
	json_object_set_new(stats, "seed", json_integer((json_int_t)seed));
	json_object_set_new(stats, "clients", json_integer(nclients));
	json_object_set_new(stats, "days", json_integer(ndays));
	json_object_set_new(stats, "lapses", json_integer((json_int_t)lapses));
	json_object_set_new(stats, "clients_with_lapse", json_integer((json_int_t)lapsed));
	json_object_set_new(stats, "immune_clients", json_integer((json_int_t)immune));
	json_object_set_new(stats, "checkin_rate", json_real(slots ? round(1e4 * (double)filled / (double)slots) / 1e4 : 0.0));
	json_object_set_new(stats, "params", pl_gen_checkins_params_to_json(&par));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, cli_now_ms() - t0)));
	if (whole) {
		json_t *doc = json_object();
		json_object_set_new(doc, "clients", all);
		all = NULL;
		json_object_set_new(doc, "stats", stats);
		rc = cli_write_output(ctx, doc);
		goto done;
	}
	if (ctx->jsonl) {
		json_decref(stats); /* JSON Lines hold clients only */
	} else {
		cli_out_text(&out, "],\"stats\":");
		stream_json(&out, stats, dump_flags(ctx));
		cli_out_text(&out, "}\n");
	}
	rc = cli_out_close(ctx, &out);
done:
	cli_out_abandon(&out); /* after an error: no partial file */
	pl_gen_client_release(&c);
	json_decref(all);
	gsl_rng_free(rng);
	return rc;
}

/* ---- dataset generate profiles ---- */

int cmd_dataset_generate_profiles(cli_ctx *ctx)
{
	pl_gen_profiles_params par;
	json_t *pdoc = NULL, *doc = NULL, *stats;
	gsl_rng *rng;
	unsigned long seed = ctx->have_seed ? ctx->seed : 1;
	int rc;
	double t0 = cli_now_ms();
	static const char *const counts[] = { "mentees", "mentors", "clients" };

	pl_gen_profiles_params_init(&par);
	if ((rc = load_params_file(ctx, &pdoc)) != CLI_EXIT_OK)
		return rc;
	if (pdoc && pl_gen_profiles_params_from_json(&par, pdoc, "", &ctx->err) != PL_OK) {
		json_decref(pdoc);
		return cli_exit_for(ctx->err.code);
	}
	json_decref(pdoc);
	/* command-line counts override the parameter file */
	for (int k = 0; k < 3; k++) {
		long *field = k == 0 ? &par.mentees : k == 1 ? &par.mentors : &par.clients;
		if (cli_opt_given(ctx, counts[k]))
			*field = (long)cli_opt_int(ctx, counts[k]);
	}
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!rng)
		return cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
	gsl_rng_set(rng, seed);
	if (pl_gen_profiles(&par, rng, &doc, &ctx->err) != PL_OK) {
		gsl_rng_free(rng);
		return cli_exit_for(ctx->err.code);
	}
	gsl_rng_free(rng);
	stats = json_object();
	json_object_set_new(stats, "algorithm",
			    json_string("latent communities with signature tags (docs/datasets.md)"));
	json_object_set_new(stats, "seed", json_integer((json_int_t)seed));
	json_object_set_new(stats, "params", pl_gen_profiles_params_to_json(&par));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, cli_now_ms() - t0)));
	json_object_set_new(doc, "stats", stats);
	return cli_write_output(ctx, doc);
}

/* ---- dataset import ---- */

/* Read a whole file named in the spec (relative to the spec's folder), at most the importer's
 * size limit: a larger file (or an endless one such as /dev/zero) is refused, not read. */
static int slurp(cli_ctx *ctx, const char *name, const char *ptr, char **text, size_t *len)
{
	char *path = cli_resolve_path(ctx, name), *buf = NULL;
	FILE *f;
	size_t cap = 1 << 16, n = 0, k;
	int rc = CLI_EXIT_OK;

	*text = NULL;
	if (!path)
		return cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
	f = fopen(path, "rb");
	free(path);
	if (!f)
		return cli_fail(ctx, PL_ERR_IO, ptr, "cannot open the file named here: %s", strerror(errno));
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

int cmd_dataset_import(cli_ctx *ctx)
{
	static const char *const keys[] = { "format", "data", "metadata", "delimiter", "id", "date",
					    "day", "start", "measures", "catalogue", "rescale",
					    "events", "attributes", "missing", NULL };
	json_t *spec = NULL, *meta = NULL, *doc = NULL, *stats, *src;
	const char *format = "csv", *data = NULL, *metaname = NULL;
	char *text = NULL;
	size_t len = 0;
	pl_import_stats is;
	pl_status st;
	int rc, openesm;
	double t0;

	if ((rc = cli_read_input(ctx, &spec)) != CLI_EXIT_OK)
		return rc;
	t0 = cli_now_ms();
	st = pl_json_check_keys(spec, "", keys, &ctx->err);
	if (st == PL_OK)
		st = pl_json_get_string(spec, "format", "", 0, &format, &ctx->err);
	if (st == PL_OK)
		st = pl_json_get_string(spec, "data", "", 1, &data, &ctx->err);
	if (st == PL_OK)
		st = pl_json_get_string(spec, "metadata", "", 0, &metaname, &ctx->err);
	if (st != PL_OK) {
		rc = cli_exit_for(st);
		goto done;
	}
	openesm = strcmp(format, "openesm") == 0;
	if (!openesm && strcmp(format, "csv") != 0) {
		rc = cli_fail(ctx, PL_ERR_INVALID, "/format", "format must be \"csv\" or \"openesm\"");
		goto done;
	}
	if (metaname && !openesm) {
		rc = cli_fail(ctx, PL_ERR_INVALID, "/metadata", "metadata is read with format \"openesm\" only");
		goto done;
	}
	if (openesm) {
		/* openESM: tab-separated, "id" and "date" columns unless the spec says otherwise */
		if (!json_object_get(spec, "delimiter"))
			json_object_set_new(spec, "delimiter", json_string("\t"));
		if (!json_object_get(spec, "date") && !json_object_get(spec, "day"))
			json_object_set_new(spec, "date", json_string("date"));
		if (metaname) {
			char *path = cli_resolve_path(ctx, metaname);
			json_error_t jerr;
			meta = path ? json_load_file(path, JSON_REJECT_DUPLICATES, &jerr) : NULL;
			free(path);
			if (!meta || !json_is_object(meta)) {
				rc = cli_fail(ctx, PL_ERR_INVALID, "/metadata",
					      "the metadata file named here is missing or not a JSON object");
				goto done;
			}
		}
	}
	if ((rc = slurp(ctx, data, "/data", &text, &len)) != CLI_EXIT_OK)
		goto done;
	ctx->parse_ms += cli_now_ms() - t0;
	t0 = cli_now_ms();
	st = pl_import_table(text, len, spec, meta, &doc, &is, &ctx->err);
	free(text);
	text = NULL;
	if (st != PL_OK) {
		rc = cli_exit_for(st);
		goto done;
	}
	if (ctx->jsonl) {
		cli_out out;
		size_t i;
		json_t *c;
		if ((rc = cli_out_open(ctx, &out)) != CLI_EXIT_OK)
			goto done;
		json_array_foreach(json_object_get(doc, "clients"), i, c) {
			stream_json(&out, json_incref(c), JSON_COMPACT);
			cli_out_text(&out, "\n");
			if ((rc = cli_out_record(ctx, &out)) != CLI_EXIT_OK)
				break;
		}
		if (rc == CLI_EXIT_OK)
			rc = cli_out_close(ctx, &out);
		cli_out_abandon(&out);
		goto done;
	}
	stats = json_object();
	json_object_set_new(stats, "algorithm", json_string("long-format table import (datasets/README.md)"));
	json_object_set_new(stats, "format", json_string(openesm ? "openesm" : "csv"));
	json_object_set_new(stats, "rows", json_integer((json_int_t)is.rows));
	json_object_set_new(stats, "empty_rows", json_integer((json_int_t)is.empty_rows));
	json_object_set_new(stats, "clients", json_integer((json_int_t)is.clients));
	json_object_set_new(stats, "checkins", json_integer((json_int_t)is.checkins));
	json_object_set_new(stats, "events", json_integer((json_int_t)is.events));
	if (meta) {
		src = json_object();
		if (json_is_string(json_object_get(meta, "dataset_id")))
			json_object_set(src, "dataset_id", json_object_get(meta, "dataset_id"));
		if (json_is_string(json_object_get(meta, "license")))
			json_object_set(src, "license", json_object_get(meta, "license"));
		if (json_is_string(json_object_get(meta, "paper_doi")))
			json_object_set(src, "paper_doi", json_object_get(meta, "paper_doi"));
		json_object_set_new(stats, "source", src);
	}
	json_object_set_new(stats, "parse_ms", json_real(cli_ms(ctx, ctx->parse_ms)));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, cli_now_ms() - t0)));
	json_object_set_new(doc, "stats", stats);
	rc = cli_write_output(ctx, doc);
	doc = NULL;
done:
	free(text);
	json_decref(doc);
	json_decref(meta);
	json_decref(spec);
	return rc;
}
