/*
 * job.c: the request-answer skeleton most subcommands share (cli.h, cli_job): read and check
 * the input, score, solve, build the answer, add its stats, write it (JSON, or a CSV roster under
 * --format csv). One place for the order of the steps, their timing and the rule that a failing
 * step writes nothing and becomes the exit code; each command keeps only what is its own (its
 * reader, its solver calls, its answer), in small step functions over its own state.
 */
#include "cli.h"

/* Time one optional step: -1 when there is none (the stats then leave the field out). */
static pl_status timed_step(pl_status (*step)(void *, pl_error *), void *state, pl_error *err,
			    double *ms)
{
	double t0 = cli_now_ms();
	pl_status st;

	if (!step) {
		*ms = -1;
		return PL_OK;
	}
	st = step(state, err);
	*ms = cli_now_ms() - t0;
	return st;
}

static int write_answer(cli_ctx *ctx, const cli_job *job, void *state, json_t *answer)
{
	json_t *ids;
	int rc;

	if (!(job->roster && cli_format_csv(ctx)))
		return cli_write_output(ctx, answer);
	ids = job->roster_ids ? job->roster_ids(state) : NULL;
	rc = cli_write_roster_csv(ctx, answer, job->roster, ids);
	json_decref(ids);
	return rc;
}

int cli_run_job(cli_ctx *ctx, const cli_job *job, void *state)
{
	pl_json_timings t = { 0, -1, -1, -1 };
	json_t *answer = NULL;
	double t0;
	pl_status st;
	int rc = job->read(ctx, state);

	if (rc != CLI_EXIT_OK)
		return rc;
	st = timed_step(job->scores, state, &ctx->err, &t.compat_ms);
	if (st == PL_OK)
		st = timed_step(job->solve, state, &ctx->err, &t.solve_ms);
	if (st != PL_OK)
		return cli_exit_for(st);
	t.parse_ms = cli_ms(ctx, ctx->parse_ms);
	t.compat_ms = t.compat_ms < 0 ? -1 : cli_ms(ctx, t.compat_ms);
	t.solve_ms = t.solve_ms < 0 ? -1 : cli_ms(ctx, t.solve_ms);
	t0 = cli_now_ms();
	st = job->answer(state, &t, &answer, &ctx->err);
	if (st != PL_OK) {
		json_decref(answer);
		return cli_exit_for(st);
	}
	t.explain_ms = job->timed_answer ? cli_ms(ctx, cli_now_ms() - t0) : -1;
	if (answer && job->stats)
		json_object_set_new(answer, "stats", job->stats(state, &t));
	return write_answer(ctx, job, state, answer);
}
