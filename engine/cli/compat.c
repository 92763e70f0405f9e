/*
 * compat.c: `peerlink compat`, the score matrix of two sets of profiles, for researchers and
 * for auditing what the matchers see.
 *
 * Input  {"left": [profiles], "right": [profiles] (optional: left against itself),
 *         "weights": {criterion: w}, "constraints": {rule: bool, "min_availability_overlap": k}}
 * Output {"left_ids", "right_ids", "scores": [[score or null]], "infeasible": [{"left",
 *         "right", "rules": [rule names]}], "stats"}; null = infeasible, and `infeasible` says
 * which hard rules each null pair breaks (row-major order). Scores are rounded to 6 decimals.
 * Without "right" the set is compared with itself and the matrix is the symmetric one that
 * `match buddies` and `match groups` see (pl_compat_matrix_self).
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>

#include <peerlink/json_match.h>

/* [{"left", "right", "rules": [...]}] for every NaN of S: the rules the pair breaks, in the
 * order of the "constraints" table (a profile against itself: "self"). */
static json_t *infeasible_pairs(const pl_profiles *P, const pl_compat_params *prm,
				const size_t *li, size_t nl, const size_t *ri, size_t nr,
				const double *S)
{
	json_t *list = json_array();

	for (size_t i = 0; i < nl; i++)
		for (size_t j = 0; j < nr; j++) {
			unsigned f;
			json_t *e, *rules;
			if (!isnan(S[i * nr + j]))
				continue;
			f = pl_compat_rules_failed(P, prm, li[i], ri[j]);
			e = json_object();
			rules = json_array();
			for (int r = 0; r < PL_RULE_COUNT; r++)
				if (f & PL_RULE_BIT(r))
					json_array_append_new(rules, json_string(pl_rule_name((pl_rule)r)));
			json_object_set_new(e, "left", json_string(P->items[li[i]].id));
			json_object_set_new(e, "right", json_string(P->items[ri[j]].id));
			json_object_set_new(e, "rules", rules);
			json_array_append_new(list, e);
		}
	return list;
}

/* The command's state across the steps of cli_run_job: the population, the left and right
 * lists (ri == li when the set is compared with itself) and the score matrix. */
typedef struct compat_job {
	pl_profiles P;
	pl_compat_params prm;
	size_t *li, *ri, nl, nr;
	int self;
	double *S;
} compat_job;

static pl_status read_request(json_t *doc, void *state, pl_error *err)
{
	static const char *const keys[] = { "left", "right", "weights", "constraints", "vocabulary",
					    NULL };
	compat_job *j = state;
	pl_json_profile_list lists[2] = { { "left", 1, 1, &j->li, &j->nl },
					  { "right", 0, 1, &j->ri, &j->nr } };
	pl_status st = pl_json_check_keys(doc, "", keys, err);

	if (st == PL_OK)
		st = pl_json_read_population(doc, &j->prm, &j->P, lists, 2, err);
	if (st != PL_OK)
		return st;
	j->self = j->ri == NULL;
	if (j->self) {
		free(j->ri);
		j->ri = j->li;
		j->nr = j->nl;
	}
	return PL_OK;
}

static int read_step(cli_ctx *ctx, void *state)
{
	return cli_read_program(ctx, read_request, state);
}

static pl_status scores_step(void *state, pl_error *err)
{
	compat_job *j = state;

	j->S = malloc((j->nl * j->nr != 0 ? j->nl * j->nr : 1) * sizeof(double));
	if (!j->S)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory for the score matrix");
	return j->self ? pl_compat_matrix_self(&j->P, &j->prm, j->li, j->nl, j->S, err)
		       : pl_compat_matrix(&j->P, &j->prm, j->li, j->nl, j->ri, j->nr, j->S, err);
}

static json_t *ids_of(const pl_profiles *P, const size_t *idx, size_t n)
{
	json_t *ids = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(ids, json_string(P->items[idx[i]].id));
	return ids;
}

static pl_status answer_step(void *state, const pl_json_timings *t, json_t **answer,
			     pl_error *err)
{
	compat_job *j = state;
	json_t *rows = json_array();

	(void)err;
	for (size_t i = 0; i < j->nl; i++) {
		json_t *row = json_array();
		for (size_t k = 0; k < j->nr; k++) {
			double s = j->S[i * j->nr + k];
			json_array_append_new(row, isnan(s) ? json_null() : json_real(pl_json_round(s, 1e6)));
		}
		json_array_append_new(rows, row);
	}
	*answer = json_object();
	json_object_set_new(*answer, "left_ids", ids_of(&j->P, j->li, j->nl));
	json_object_set_new(*answer, "right_ids", ids_of(&j->P, j->ri, j->nr));
	json_object_set_new(*answer, "scores", rows);
	json_object_set_new(*answer, "infeasible",
			    infeasible_pairs(&j->P, &j->prm, j->li, j->nl, j->ri, j->nr, j->S));
	return PL_OK;
}

/* The matrix is the whole of the work: it is reported as both compat_ms and solve_ms. */
static json_t *stats_step(void *state, const pl_json_timings *t)
{
	compat_job *j = state;
	pl_json_timings all = { t->parse_ms, t->compat_ms, t->compat_ms, -1 };
	json_t *stats = json_object();

	json_object_set_new(stats, "algorithm",
			    json_string("compatibility vectors, one dgemm, elementwise age and hard rules"));
	json_object_set_new(stats, "left", json_integer((json_int_t)j->nl));
	json_object_set_new(stats, "right", json_integer((json_int_t)j->nr));
	pl_json_add_timings(stats, &all);
	return stats;
}

int cmd_compat(cli_ctx *ctx)
{
	static const cli_job job = { read_step, scores_step, NULL, answer_step, stats_step, 0, NULL,
				     NULL };
	compat_job j = { .li = NULL };
	int rc;

	pl_profiles_init(&j.P);
	rc = cli_run_job(ctx, &job, &j);
	if (j.ri != j.li)
		free(j.ri);
	free(j.li);
	free(j.S);
	pl_profiles_release(&j.P);
	return rc;
}
