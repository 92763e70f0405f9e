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

#include <pthread.h>
#include <stdlib.h>

#include <peerlink/json_match.h>

/* The command's state across the steps of cli_run_job. */
typedef struct mentors_job {
	pl_mentors_program m;
	pl_mentors_problem pb;
	pl_mentors_result res;
	double *S;
	int threads; /* for the alternatives' searches (search_threads) */
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

/* Threads for the alternatives' searches: --threads, else one per processor this process may
 * run on (its CPU affinity mask), at most PL_MENTORS_THREADS_MAX. The answer does not depend on
 * it (docs/matching-mentors.md, Performance). */
static int search_threads(const cli_ctx *ctx)
{
	int n = cli_opt_given(ctx, "threads") ? (int)cli_opt_int(ctx, "threads") : cli_processors();
	return n < 1 ? 1 : n > PL_MENTORS_THREADS_MAX ? PL_MENTORS_THREADS_MAX : n;
}

/* The alternatives (the explanation step, timed as explain_ms with the answer). */
static pl_status alternatives(mentors_job *j, pl_mentors_alt **alts, size_t **nalts, pl_error *err)
{
	const pl_mentors_program *m = &j->m;

	*nalts = calloc(m->nmentees ? m->nmentees : 1, sizeof(size_t));
	*alts = malloc((m->nmentees * m->top != 0 ? m->nmentees * m->top : 1) * sizeof(**alts));
	if (!*nalts || !*alts)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	return pl_mentors_alternatives_threads(&j->pb, &j->res, m->top, *alts, *nalts, j->threads, err);
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

/* The answer's head ({"matches", "unmatched"}: no alternatives in it), written on a thread of its
 * own while the alternatives are computed. */
typedef struct head_job {
	const mentors_job *j;
	char *text;
	size_t len;
} head_job;

static void *write_head(void *arg)
{
	head_job *h = arg;
	h->text = pl_json_mentors_answer_head(&h->j->m, h->j->S, &h->j->res, &h->len);
	return NULL;
}

/*
 * The same answer as compact text (cli_run_job_text), the common case. With more than one
 * processor the head is written beside the alternatives' searches (which use every processor
 * too): the bytes are those of pl_json_mentors_answer_text, the wall time shorter. While the
 * head's thread runs, this thread does not touch jansson (the head's writer may, for a real that
 * needs jansson's printing, and the CLI's JSON arena is not shared between threads).
 */
static pl_status answer_text_step(void *state, char **text, size_t *len, pl_error *err)
{
	mentors_job *j = state;
	pl_mentors_alt *alts = NULL;
	size_t *nalts = NULL, ntail = 0;
	head_job h = { j, NULL, 0 };
	pthread_t tid;
	int threaded = j->threads > 1 && pthread_create(&tid, NULL, write_head, &h) == 0;
	pl_status st = alternatives(j, &alts, &nalts, err);
	char *tail = NULL;

	if (threaded)
		pthread_join(tid, NULL);
	else
		write_head(&h);
	if (st == PL_OK) {
		json_t *ch = changes(j);
		tail = h.text ? pl_json_mentors_answer_tail(&j->m, &j->res, alts, nalts, ch, &ntail) : NULL;
		*text = tail ? pl_json_join_objects(h.text, h.len, tail, ntail, len) : NULL;
		json_decref(ch);
		if (!*text)
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory building the answer");
	}
	free(h.text);
	free(tail);
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
	mentors_job j = { .res = PL_MENTORS_RESULT_INIT, .threads = search_threads(ctx) };
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
