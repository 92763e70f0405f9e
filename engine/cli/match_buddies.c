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

int cmd_match_buddies(cli_ctx *ctx)
{
	json_t *doc = NULL, *answer, *stats;
	pl_buddies_program m;
	pl_buddies_problem pb;
	pl_buddies_result res = PL_BUDDIES_RESULT_INIT;
	double *S = NULL, t0, compat_ms = 0, solve_ms = 0;
	pl_status st;
	int rc;

	pl_buddies_program_init(&m);
	rc = cli_read_input(ctx, &doc);
	if (rc != CLI_EXIT_OK)
		return rc;
	t0 = cli_now_ms();
	st = pl_json_read_buddies_program(doc, &m, &ctx->err);
	if (st != PL_OK)
		goto fail;
	json_decref(doc);
	doc = NULL;
	ctx->parse_ms += cli_now_ms() - t0;

	t0 = cli_now_ms();
	S = malloc((m.n * m.n + 1) * sizeof(double));
	st = S ? pl_buddies_program_scores(&m, S, &ctx->err)
	       : pl_error_set(&ctx->err, PL_ERR_NOMEM, "", "out of memory");
	if (st != PL_OK)
		goto fail;
	compat_ms = cli_now_ms() - t0;

	t0 = cli_now_ms();
	pl_buddies_program_problem(&m, S, &pb);
	st = pl_buddies_solve(&pb, &res, &ctx->err);
	if (st != PL_OK)
		goto fail;
	solve_ms = cli_now_ms() - t0;

	answer = pl_json_buddies_answer(&m, S, &res);
	stats = pl_json_buddies_stats(&m, &pb, &res);
	json_object_set_new(stats, "parse_ms", json_real(cli_ms(ctx, ctx->parse_ms)));
	json_object_set_new(stats, "compat_ms", json_real(cli_ms(ctx, compat_ms)));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, solve_ms)));
	json_object_set_new(answer, "stats", stats);
	rc = cli_write_output(ctx, answer);
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	json_decref(doc);
	free(S);
	pl_buddies_result_release(&res);
	pl_buddies_program_release(&m);
	return rc;
}
