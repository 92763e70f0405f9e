/*
 * match_mentors.c: `peerlink match mentors`: mentees to capacitated mentors, with reasons
 * (docs/matching-mentors.md).
 *
 * The JSON layer reads the request into a pl_mentors_program (engine/json/mentors.c), the core
 * scores the pairs (compat), solves (mentors) and lists the alternatives, and the JSON layer
 * writes the answer. The steps are timed separately (parse, compat, solve, explain) because the
 * benchmark budget (2,000 x 500 end to end in one second) is spent across all of them.
 */
#include "cli.h"

#include <stdlib.h>

#include <peerlink/json_match.h>

static pl_status read_program(json_t *doc, void *m, pl_error *err)
{
	return pl_json_read_mentors_program(doc, m, err);
}

static int has_current(const pl_mentors_program *m)
{
	for (size_t i = 0; i < m->nmentees; i++)
		if (m->current[i] >= 0)
			return 1;
	return 0;
}

int cmd_match_mentors(cli_ctx *ctx)
{
	json_t *answer;
	pl_mentors_program m;
	pl_mentors_problem pb;
	pl_mentors_result res = PL_MENTORS_RESULT_INIT;
	pl_mentors_alt *alts = NULL;
	size_t *nalts = NULL;
	double *S = NULL, t0;
	pl_json_timings t = { 0, 0, 0, 0 };
	pl_status st;
	int rc;

	pl_mentors_program_init(&m);
	rc = cli_read_program(ctx, read_program, &m);
	if (rc != CLI_EXIT_OK)
		goto out;
	t0 = cli_now_ms();
	st = pl_mentors_program_scores(&m, &S, &ctx->err);
	if (st != PL_OK)
		goto fail;
	t.compat_ms = cli_now_ms() - t0;

	t0 = cli_now_ms();
	st = pl_mentors_program_solve(&m, S, &pb, &res, &ctx->err);
	if (st != PL_OK)
		goto fail;
	t.solve_ms = cli_now_ms() - t0;

	t0 = cli_now_ms();
	nalts = calloc(m.nmentees ? m.nmentees : 1, sizeof(size_t));
	alts = malloc((m.nmentees * m.top != 0 ? m.nmentees * m.top : 1) * sizeof(*alts));
	st = nalts && alts ? pl_mentors_alternatives(&pb, &res, m.top, alts, nalts, &ctx->err)
			   : pl_error_set(&ctx->err, PL_ERR_NOMEM, "", "out of memory");
	if (st != PL_OK)
		goto fail;
	answer = pl_json_mentors_answer(&m, S, &res, alts, nalts);
	if (has_current(&m))
		json_object_set_new(answer, "changes", pl_json_mentors_changes(&m, S, &pb, &res));
	t.explain_ms = cli_now_ms() - t0;
	t.parse_ms = cli_ms(ctx, ctx->parse_ms);
	t.compat_ms = cli_ms(ctx, t.compat_ms);
	t.solve_ms = cli_ms(ctx, t.solve_ms);
	t.explain_ms = cli_ms(ctx, t.explain_ms);
	json_object_set_new(answer, "stats", pl_json_mentors_stats(&m, &res, &t));
	rc = cli_format_csv(ctx) ? cli_write_roster_csv(ctx, answer, "mentors", NULL)
				 : cli_write_output(ctx, answer);
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	free(S);
	free(alts);
	free(nalts);
	pl_mentors_result_release(&res);
	pl_mentors_program_release(&m);
	return rc;
}
