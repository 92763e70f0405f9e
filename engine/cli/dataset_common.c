/*
 * dataset_common.c: what the `dataset` subcommands share: streamed pieces and the --params file
 * of the generators.
 *
 * Large cohorts and imports are streamed: a compact answer is written client by client (the bytes
 * are the same as dumping the whole document at once), and --jsonl writes one client per line, so
 * memory stays at one client whatever the cohort size. Both go through the CLI's one writer
 * (output.c): flushed per client, output files still replaced atomically.
 */
#define _POSIX_C_SOURCE 200809L
#include "dataset.h"

#include <peerlink/json_data.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dataset_stream_json(cli_out *out, json_t *v, size_t flags)
{
	cli_out_json(out, v, flags | JSON_REAL_PRECISION(15));
	json_decref(v);
}

/* Load the JSON object in the file named by --params (NULL when the option is absent). */
static int load_params(cli_ctx *ctx, json_t **out)
{
	const char *path = cli_opt_str(ctx, "params");
	json_t *doc;
	int rc;

	*out = NULL;
	if (!path)
		return CLI_EXIT_OK;
	/* a directory, a read error or memory running out is not a syntax error */
	if ((rc = cli_load_file(ctx, path, "parameter file", "", &doc)) != CLI_EXIT_OK)
		return rc;
	if (!json_is_object(doc)) {
		json_decref(doc);
		return cli_fail(ctx, PL_ERR_INVALID, "", "the parameter file must hold a JSON object");
	}
	*out = doc;
	return CLI_EXIT_OK;
}

int dataset_read_params(cli_ctx *ctx, pl_gen_checkins_params *checkins,
			pl_gen_profiles_params *profiles)
{
	json_t *doc = NULL;
	pl_status st = PL_OK;
	int rc = load_params(ctx, &doc);

	if (rc != CLI_EXIT_OK || !doc)
		return rc;
	if (checkins)
		st = pl_json_read_gen_checkins_params(checkins, doc, "", &ctx->err);
	else if (profiles)
		st = pl_json_read_gen_profiles_params(profiles, doc, "", &ctx->err);
	json_decref(doc);
	return st == PL_OK ? CLI_EXIT_OK : cli_exit_for(st);
}
