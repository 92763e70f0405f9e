/*
 * match_groups.c: `peerlink match groups`: clients into support groups (docs/groups.md).
 *
 * The JSON layer reads the request into a pl_groups_program (engine/json/groups.c), where a
 * group's requires/modality have become per-client eligibility and social anxiety a per-client
 * group-size limit (the core's rules, engine/match/program.c). The core scores the clients
 * against themselves (compat; NaN pairs may not share a group) and partitions them
 * (pl_groups_solve, which also gives the upper bound and the gap); the JSON layer writes the
 * answer.
 */
#include "cli.h"

#include <stdlib.h>

#include <peerlink/json_match.h>

int cmd_match_groups(cli_ctx *ctx)
{
	json_t *doc = NULL, *answer, *stats;
	pl_groups_program m;
	pl_groups_problem pb;
	pl_groups_result res = PL_GROUPS_RESULT_INIT;
	double *S = NULL, t0, compat_ms = 0, solve_ms = 0;
	pl_status st;
	int rc, has_seed = 0;

	pl_groups_program_init(&m);
	rc = cli_read_input(ctx, &doc);
	if (rc != CLI_EXIT_OK)
		return rc;
	t0 = cli_now_ms();
	st = pl_json_read_groups_program(doc, &m, &has_seed, &ctx->err);
	if (st != PL_OK)
		goto fail;
	/* The input's "seed" wins over --seed (as in every peerlink command). */
	if (!has_seed)
		m.seed = ctx->have_seed ? ctx->seed : 0;
	json_decref(doc);
	doc = NULL;
	ctx->parse_ms += cli_now_ms() - t0;

	t0 = cli_now_ms();
	S = malloc((m.n * m.n + 1) * sizeof(double));
	st = S ? pl_program_self_scores(&m.P, &m.prm, m.client, m.n, S, &ctx->err)
	       : pl_error_set(&ctx->err, PL_ERR_NOMEM, "", "out of memory");
	if (st != PL_OK)
		goto fail;
	compat_ms = cli_now_ms() - t0;

	t0 = cli_now_ms();
	pl_groups_program_problem(&m, S, &pb);
	st = pl_groups_solve(&pb, &res, &ctx->err);
	if (st != PL_OK)
		goto fail;
	solve_ms = cli_now_ms() - t0;

	answer = pl_json_groups_answer(&m, S, &res);
	if (!answer) {
		st = pl_error_set(&ctx->err, PL_ERR_NOMEM, "", "out of memory");
		goto fail;
	}
	stats = pl_json_groups_stats(&m, &res);
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
	pl_groups_result_release(&res);
	pl_groups_program_release(&m);
	return rc;
}
