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

#include <stdlib.h>

#include <peerlink/json_match.h>

static pl_status read_program(json_t *doc, void *m, pl_error *err)
{
	return pl_json_read_buddies_program(doc, m, err);
}

int cmd_match_buddies(cli_ctx *ctx)
{
	json_t *answer;
	pl_buddies_program m;
	pl_buddies_problem pb;
	pl_buddies_result res = PL_BUDDIES_RESULT_INIT;
	double *S = NULL, t0;
	pl_json_timings t = { 0, 0, 0, -1 };
	pl_status st;
	int rc;

	pl_buddies_program_init(&m);
	rc = cli_read_program(ctx, read_program, &m);
	if (rc != CLI_EXIT_OK)
		goto out;
	t0 = cli_now_ms();
	st = pl_buddies_program_scores(&m, &S, &ctx->err);
	if (st != PL_OK)
		goto fail;
	t.compat_ms = cli_ms(ctx, cli_now_ms() - t0);

	t0 = cli_now_ms();
	pl_buddies_program_problem(&m, S, &pb);
	st = pl_buddies_solve(&pb, &res, &ctx->err);
	if (st != PL_OK)
		goto fail;
	t.solve_ms = cli_ms(ctx, cli_now_ms() - t0);
	t.parse_ms = cli_ms(ctx, ctx->parse_ms);
	answer = pl_json_buddies_answer(&m, S, &res);
	if (m.ncurrent > 0)
		json_object_set_new(answer, "changes", pl_json_buddies_changes(&m, S, &res));
	json_object_set_new(answer, "stats", pl_json_buddies_stats(&m, &pb, &res, &t));
	if (cli_format_csv(ctx)) {
		json_t *ids = json_array();
		for (size_t i = 0; i < m.n; i++)
			json_array_append_new(ids, json_string(m.P.items[m.client[i]].id));
		rc = cli_write_roster_csv(ctx, answer, "buddies", ids);
		json_decref(ids);
	} else {
		rc = cli_write_output(ctx, answer);
	}
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	free(S);
	pl_buddies_result_release(&res);
	pl_buddies_program_release(&m);
	return rc;
}
