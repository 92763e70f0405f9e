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

int cmd_compat(cli_ctx *ctx)
{
	static const char *const keys[] = { "left", "right", "weights", "constraints", "vocabulary",
					    NULL };
	json_t *doc = NULL, *answer, *lids, *rids, *rows, *stats;
	pl_profiles P;
	pl_compat_params prm;
	size_t *li = NULL, *ri = NULL, nl = 0, nr = 0;
	pl_json_profile_list lists[2] = { { "left", 1, 1, &li, &nl }, { "right", 0, 1, &ri, &nr } };
	double *S = NULL, t0, compat_ms;
	int rc, self;
	pl_status st;

	pl_profiles_init(&P);
	rc = cli_read_input(ctx, &doc);
	if (rc != CLI_EXIT_OK)
		return rc;
	t0 = cli_now_ms();
	st = pl_json_check_keys(doc, "", keys, &ctx->err);
	if (st == PL_OK)
		st = pl_json_read_population(doc, &prm, &P, lists, 2, &ctx->err);
	if (st != PL_OK)
		goto fail;
	self = ri == NULL;
	if (self) {
		free(ri);
		ri = li;
		nr = nl;
	}
	json_decref(doc);
	doc = NULL;
	ctx->parse_ms += cli_now_ms() - t0;

	t0 = cli_now_ms();
	S = malloc((nl * nr != 0 ? nl * nr : 1) * sizeof(double));
	if (!S) {
		st = pl_error_set(&ctx->err, PL_ERR_NOMEM, "", "out of memory for the score matrix");
		goto fail;
	}
	st = self ? pl_compat_matrix_self(&P, &prm, li, nl, S, &ctx->err)
		  : pl_compat_matrix(&P, &prm, li, nl, ri, nr, S, &ctx->err);
	if (st != PL_OK)
		goto fail;
	compat_ms = cli_now_ms() - t0;

	answer = json_object();
	lids = json_array();
	rids = json_array();
	rows = json_array();
	for (size_t i = 0; i < nl; i++)
		json_array_append_new(lids, json_string(P.items[li[i]].id));
	for (size_t j = 0; j < nr; j++)
		json_array_append_new(rids, json_string(P.items[ri[j]].id));
	for (size_t i = 0; i < nl; i++) {
		json_t *row = json_array();
		for (size_t j = 0; j < nr; j++) {
			double s = S[i * nr + j];
			json_array_append_new(row, isnan(s) ? json_null() : json_real(pl_json_round(s, 1e6)));
		}
		json_array_append_new(rows, row);
	}
	json_object_set_new(answer, "left_ids", lids);
	json_object_set_new(answer, "right_ids", rids);
	json_object_set_new(answer, "scores", rows);
	json_object_set_new(answer, "infeasible", infeasible_pairs(&P, &prm, li, nl, ri, nr, S));
	stats = json_object();
	json_object_set_new(stats, "algorithm",
			    json_string("compatibility vectors, one dgemm, elementwise age and hard rules"));
	json_object_set_new(stats, "left", json_integer((json_int_t)nl));
	json_object_set_new(stats, "right", json_integer((json_int_t)nr));
	{
		pl_json_timings t = { cli_ms(ctx, ctx->parse_ms), cli_ms(ctx, compat_ms),
				      cli_ms(ctx, compat_ms), -1 };
		pl_json_add_timings(stats, &t);
	}
	json_object_set_new(answer, "stats", stats);
	rc = cli_write_output(ctx, answer);
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	json_decref(doc);
	if (ri != li)
		free(ri);
	free(li);
	free(S);
	pl_profiles_release(&P);
	return rc;
}
