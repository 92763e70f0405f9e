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

/* Does the answer go out as one compact JSON document (what a cli_answer_text writes)? */
static int compact_document(const cli_ctx *ctx, const cli_job *job)
{
	return !ctx->in_record && !ctx->pretty && !(job->roster && cli_format_csv(ctx));
}

/* The answer's text with its stats spliced in as the last member, then a newline. */
static int write_text(cli_ctx *ctx, char *text, size_t len, json_t *stats)
{
	char *stats_text = stats ? pl_json_dumps_compact(stats, NULL) : NULL;
	char *pieces[4] = { text, ",\"stats\":", stats_text, "}" };
	int rc;

	json_decref(stats);
	if ((stats && !stats_text) || len < 2 || text[len - 1] != '}') {
		free(stats_text);
		return cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory building the answer");
	}
	if (stats_text) {
		text[len - 1] = '\0'; /* the closing brace comes after the stats */
		if (len == 2)        /* {} */
			pieces[1] = "\"stats\":";
	}
	rc = cli_out_pieces(ctx, pieces, stats_text ? 4 : 1);
	free(stats_text);
	return rc;
}

/* The answer step of a compact document: answer_text instead of a tree. */
static int run_text_answer(cli_ctx *ctx, const cli_job *job, cli_answer_text answer_text,
			   void *state, pl_json_timings *t)
{
	double t0 = cli_now_ms();
	char *text = NULL;
	size_t len = 0;
	int rc;
	pl_status st = answer_text(state, &text, &len, &ctx->err);

	if (st != PL_OK) {
		free(text);
		return cli_exit_for(st);
	}
	t->explain_ms = job->timed_answer ? cli_ms(ctx, cli_now_ms() - t0) : -1;
	rc = write_text(ctx, text, len, job->stats ? job->stats(state, t) : NULL);
	free(text);
	return rc;
}

int cli_run_job(cli_ctx *ctx, const cli_job *job, void *state)
{
	return cli_run_job_text(ctx, job, NULL, state);
}

int cli_run_job_text(cli_ctx *ctx, const cli_job *job, cli_answer_text text, void *state)
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
	if (text && compact_document(ctx, job))
		return run_text_answer(ctx, job, text, state, &t);
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
