/*
 * match_buddies.c: `peerlink match buddies`: accountability partners (docs/buddies.md).
 *
 * The JSON layer reads the request into a pl_buddies_program (engine/json/buddies.c); the core
 * scores the clients against themselves (compat: partners in treatment together and `exclude`
 * give NaN, so they are never paired unless the "partner" or "exclude" constraint is switched
 * off; forbidden pairs too) and pairs them (pl_buddies_solve on the blossom solver); the JSON
 * layer writes the answer.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/json_match.h>

/* The command's state across the steps of cli_run_job. */
typedef struct buddies_job {
	pl_buddies_program m;
	pl_buddies_problem pb;
	pl_buddies_result res;
	double *S;
	int csv; /* --format csv: the roster's rules apply to the ids */
} buddies_job;

/*
 * The roster's `buddies` column names a triad's two others in one cell separated by ';', so an id
 * holding ';' could not be read back from it (a pair's one partner would read as two). Quoting
 * does not help (the ';' is inside the cell). The JSON answer has no such limit, so only --format
 * csv refuses these ids, before anything is solved; the message names the field, never the id.
 * (The mentors and groups rosters hold one id per cell, RFC 4180 quoted: any id reads back.)
 */
static pl_status check_roster_ids(json_t *doc, pl_error *err)
{
	json_t *c;
	size_t k;

	json_array_foreach(json_object_get(doc, "clients"), k, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		char ptr[64];
		if (!id || !strchr(id, ';'))
			continue;
		snprintf(ptr, sizeof(ptr), "/clients/%zu/id", k);
		return pl_error_set(err, PL_ERR_INVALID, ptr,
				    "a client id may not contain ';' with --format csv: the roster's buddies "
				    "column separates ids with ';' (the JSON answer takes any id)");
	}
	return PL_OK;
}

static pl_status read_program(json_t *doc, void *state, pl_error *err)
{
	buddies_job *j = state;
	pl_status st = pl_json_read_buddies_program(doc, &j->m, err);

	return st == PL_OK && j->csv ? check_roster_ids(doc, err) : st;
}

static int read_step(cli_ctx *ctx, void *state)
{
	return cli_read_program(ctx, read_program, state);
}

static pl_status scores_step(void *state, pl_error *err)
{
	buddies_job *j = state;
	return pl_buddies_program_scores(&j->m, &j->S, err);
}

static pl_status solve_step(void *state, pl_error *err)
{
	buddies_job *j = state;
	pl_buddies_program_problem(&j->m, j->S, &j->pb);
	return pl_buddies_solve(&j->pb, &j->res, err);
}

static pl_status answer_step(void *state, const pl_json_timings *t, json_t **answer,
			     pl_error *err)
{
	buddies_job *j = state;

	(void)err;
	*answer = pl_json_buddies_answer(&j->m, j->S, &j->res);
	if (j->m.ncurrent > 0)
		json_object_set_new(*answer, "changes", pl_json_buddies_changes(&j->m, j->S, &j->res));
	return PL_OK;
}

static json_t *stats_step(void *state, const pl_json_timings *t)
{
	buddies_job *j = state;
	return pl_json_buddies_stats(&j->m, &j->pb, &j->res, t);
}

/* --format csv: every client, so that the unmatched ones get a row too. */
static json_t *roster_ids(void *state)
{
	buddies_job *j = state;
	json_t *ids = json_array();

	for (size_t i = 0; i < j->m.n; i++)
		json_array_append_new(ids, json_string(j->m.P.items[j->m.client[i]].id));
	return ids;
}

int cmd_match_buddies(cli_ctx *ctx)
{
	static const cli_job job = { read_step, scores_step, solve_step, answer_step, stats_step, 0,
				     "buddies", roster_ids };
	buddies_job j = { .res = PL_BUDDIES_RESULT_INIT, .csv = cli_format_csv(ctx) };
	int rc;

	pl_buddies_program_init(&j.m);
	rc = cli_run_job(ctx, &job, &j);
	free(j.S);
	pl_buddies_result_release(&j.res);
	pl_buddies_program_release(&j.m);
	return rc;
}
