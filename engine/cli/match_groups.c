/*
 * match_groups.c: `peerlink match groups`: clients into support groups (docs/groups.md).
 *
 * The JSON layer reads the request into a pl_groups_program (engine/json/groups.c), where a
 * group's requires/modality have become per-client eligibility and social anxiety a per-client
 * group-size limit (the core's rules, engine/match/program.c). The core scores the clients
 * against themselves (compat; NaN pairs may not share a group) and partitions them
 * (pl_groups_solve, which also gives the upper bound and the gap); the JSON layer writes the
 * answer, staffs the formed groups (pl_json_staff_groups) and adds the exposure plans.
 */
#include "cli.h"

#include <stdlib.h>

#include <stdint.h>

#include <peerlink/json_exposure.h>
#include <peerlink/json_facilitators.h>
#include <peerlink/json_match.h>

/* The groups and, when the request has "facilitators", the staffing (read while the document
 * is alive: cli_read_program frees it). */
typedef struct groups_request {
	pl_groups_program *m;
	pl_json_staffing *staff;
	pl_json_exposure *exposure;
	int32_t as_of; /* --as-of, or INT32_MIN */
} groups_request;

static pl_status read_program(json_t *doc, void *req, pl_error *err)
{
	groups_request *q = req;
	pl_status st = pl_json_read_groups_program(doc, q->m, err);
	if (st == PL_OK)
		st = pl_json_read_exposure(doc, q->as_of, q->m, q->exposure, err);
	return st == PL_OK ? pl_json_read_staffing(doc, q->staff, err) : st;
}

int cmd_match_groups(cli_ctx *ctx)
{
	json_t *answer;
	pl_groups_program m;
	pl_json_staffing staff;
	pl_json_exposure exposure;
	groups_request req = { &m, &staff, &exposure, INT32_MIN };
	pl_groups_problem pb;
	pl_groups_result res = PL_GROUPS_RESULT_INIT;
	double *S = NULL, t0;
	pl_json_timings t = { 0, 0, 0, -1 };
	pl_status st;
	int rc;

	pl_groups_program_init(&m);
	pl_json_staffing_init(&staff);
	pl_json_exposure_init(&exposure);
	if (cli_opt_given(ctx, "as-of"))
		req.as_of = (int32_t)cli_opt_int(ctx, "as-of");
	rc = cli_read_program(ctx, read_program, &req);
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
	if (st != PL_OK) {
		pl_json_groups_name_error(&m, &ctx->err);
		goto fail;
	}
	t.solve_ms = cli_ms(ctx, cli_now_ms() - t0);
	t.parse_ms = cli_ms(ctx, ctx->parse_ms);
	answer = pl_json_groups_answer(&m, S, &res);
	if (!answer) {
		st = pl_error_set(&ctx->err, PL_ERR_NOMEM, "", "out of memory");
		goto fail;
	}
	st = pl_json_staff_groups(answer, &staff, &res, &ctx->err);
	if (st == PL_OK)
		st = pl_json_write_exposure(answer, &exposure, &m, &res, &ctx->err);
	if (st != PL_OK) {
		json_decref(answer);
		goto fail;
	}
	json_object_set_new(answer, "stats", pl_json_groups_stats(&m, &res, &t));
	rc = cli_format_csv(ctx) ? cli_write_roster_csv(ctx, answer, "groups", NULL)
				 : cli_write_output(ctx, answer);
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	free(S);
	pl_groups_result_release(&res);
	pl_groups_program_release(&m);
	pl_json_staffing_release(&staff);
	pl_json_exposure_release(&exposure);
	return rc;
}
