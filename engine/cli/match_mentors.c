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

/* The command's state across the steps of cli_run_job. */
typedef struct mentors_job {
	pl_mentors_program m;
	pl_mentors_problem pb;
	pl_mentors_result res;
	double *S;
} mentors_job;

static pl_status read_program(json_t *doc, void *m, pl_error *err)
{
	return pl_json_read_mentors_program(doc, m, err);
}

static int read_step(cli_ctx *ctx, void *state)
{
	return cli_read_program(ctx, read_program, &((mentors_job *)state)->m);
}

static pl_status scores_step(void *state, pl_error *err)
{
	mentors_job *j = state;
	return pl_mentors_program_scores(&j->m, &j->S, err);
}

static pl_status solve_step(void *state, pl_error *err)
{
	mentors_job *j = state;
	return pl_mentors_program_solve(&j->m, j->S, &j->pb, &j->res, err);
}

static int has_current(const pl_mentors_program *m)
{
	for (size_t i = 0; i < m->nmentees; i++)
		if (m->current[i] >= 0)
			return 1;
	return 0;
}

/* The alternatives (the explanation step, timed as explain_ms with the answer). */
static pl_status alternatives(mentors_job *j, pl_mentors_alt **alts, size_t **nalts, pl_error *err)
{
	const pl_mentors_program *m = &j->m;

	*nalts = calloc(m->nmentees ? m->nmentees : 1, sizeof(size_t));
	*alts = malloc((m->nmentees * m->top != 0 ? m->nmentees * m->top : 1) * sizeof(**alts));
	if (!*nalts || !*alts)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	return pl_mentors_alternatives(&j->pb, &j->res, m->top, *alts, *nalts, err);
}

static json_t *changes(mentors_job *j)
{
	return has_current(&j->m) ? pl_json_mentors_changes(&j->m, j->S, &j->pb, &j->res) : NULL;
}

static pl_status answer_step(void *state, const pl_json_timings *t, json_t **answer,
			     pl_error *err)
{
	mentors_job *j = state;
	pl_mentors_alt *alts = NULL;
	size_t *nalts = NULL;
	pl_status st = alternatives(j, &alts, &nalts, err);

	(void)t;
	if (st == PL_OK) {
		*answer = pl_json_mentors_answer(&j->m, j->S, &j->res, alts, nalts);
		if (*answer && has_current(&j->m))
			json_object_set_new(*answer, "changes", changes(j));
	}
	free(alts);
	free(nalts);
	return st;
}

/* The same answer as compact text (cli_run_job_text), the common case. */
static pl_status answer_text_step(void *state, char **text, size_t *len, pl_error *err)
{
	mentors_job *j = state;
	pl_mentors_alt *alts = NULL;
	size_t *nalts = NULL;
	pl_status st = alternatives(j, &alts, &nalts, err);

	if (st == PL_OK) {
		json_t *ch = changes(j);
		*text = pl_json_mentors_answer_text(&j->m, j->S, &j->res, alts, nalts, ch, len);
		json_decref(ch);
		if (!*text)
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory building the answer");
	}
	free(alts);
	free(nalts);
	return st;
}

static json_t *stats_step(void *state, const pl_json_timings *t)
{
	mentors_job *j = state;
	return pl_json_mentors_stats(&j->m, &j->res, t);
}

int cmd_match_mentors(cli_ctx *ctx)
{
	static const cli_job job = { read_step, scores_step, solve_step, answer_step, stats_step, 1,
				     "mentors", NULL };
	mentors_job j = { .res = PL_MENTORS_RESULT_INIT };
	int pooled, rc;

	pl_mentors_program_init(&j.m);
	/* every jansson value of the job (the request, the answer) dies inside cli_run_job */
	pooled = ctx->in_record ? 0 : cli_json_pool_begin();
	rc = cli_run_job_text(ctx, &job, answer_text_step, &j);
	cli_json_pool_end(pooled);
	free(j.S);
	pl_mentors_result_release(&j.res);
	pl_mentors_program_release(&j.m);
	return rc;
}
