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

static pl_status read_program(json_t *doc, void *m, pl_error *err)
{
	return pl_json_read_groups_program(doc, m, err);
}

int cmd_match_groups(cli_ctx *ctx)
{
	json_t *answer;
	pl_groups_program m;
	pl_groups_problem pb;
	pl_groups_result res = PL_GROUPS_RESULT_INIT;
	double *S = NULL, t0;
	pl_json_timings t = { 0, 0, 0, -1 };
	pl_status st;
	int rc;

	pl_groups_program_init(&m);
	rc = cli_read_program(ctx, read_program, &m);
	if (rc != CLI_EXIT_OK)
		goto out;
	/* The input's "seed" wins over --seed (as in every peerlink command). */
	if (!m.has_seed)
		m.seed = ctx->have_seed ? ctx->seed : 0;
	t0 = cli_now_ms();
	st = pl_groups_program_scores(&m, &S, &ctx->err);
	if (st != PL_OK)
		goto fail;
	t.compat_ms = cli_ms(ctx, cli_now_ms() - t0);

	t0 = cli_now_ms();
	pl_groups_program_problem(&m, S, &pb);
	st = pl_groups_solve(&pb, &res, &ctx->err);
	if (st != PL_OK)
		goto fail;
	t.solve_ms = cli_ms(ctx, cli_now_ms() - t0);
	t.parse_ms = cli_ms(ctx, ctx->parse_ms);
	answer = pl_json_groups_answer(&m, S, &res);
	if (!answer) {
		st = pl_error_set(&ctx->err, PL_ERR_NOMEM, "", "out of memory");
		goto fail;
	}
	json_object_set_new(answer, "stats", pl_json_groups_stats(&m, &res, &t));
	rc = cli_write_output(ctx, answer);
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	free(S);
	pl_groups_result_release(&res);
	pl_groups_program_release(&m);
	return rc;
}
