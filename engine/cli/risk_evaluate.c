/*
 * risk_evaluate.c: `peerlink risk evaluate`: options, reading the labelled clients, and the
 * answer. The evaluation itself (scores from a model or client-grouped cross-validation, metrics
 * with bootstrap intervals, oracle, baselines, subgroups) is the library's pl_eval_run
 * (peerlink/evaluate.h); the JSON layer reads the clients and writes the result
 * (docs/datasets.md, "risk evaluate").
 *
 * Input: the risk input document ({"clients", "measures"}) or --jsonl lines, with events (the
 * labels come from them) and optionally each client's "attributes" (subgroups) and "truth"
 * (the oracle).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "risk_cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/evaluate.h>
#include <peerlink/json_data.h>
#include <peerlink/json_risk.h>

/* One JSON Lines client into the set. */
static pl_status add_line(void *arg, json_t *obj, size_t index, pl_error *err)
{
	char p[PL_POINTER_MAX];
	return pl_eval_client_from_json(arg, obj, pl_json_ptr_index(p, sizeof(p), "", index), err);
}

/* The document's catalogue: its own measures, or the model's plus the ones it adds. */
static pl_status document_catalogue(json_t *doc, int have_model, pl_catalogue *cat, pl_error *err)
{
	pl_catalogue data_cat = PL_CATALOGUE_INIT;
	pl_status st = pl_catalogue_from_json(&data_cat, json_object_get(doc, "measures"),
					      "/measures", err);

	if (st == PL_OK && !have_model) {
		*cat = data_cat;
		return PL_OK;
	}
	for (size_t k = PL_M_NSTANDARD; st == PL_OK && k < data_cat.n; k++)
		if (pl_catalogue_find(cat, data_cat.defs[k].name, strlen(data_cat.defs[k].name)) < 0)
			st = pl_catalogue_add(cat, &data_cat.defs[k], "/measures", err);
	pl_catalogue_release(&data_cat);
	return st;
}

static int read_document(cli_ctx *ctx, pl_eval_set *s, int have_model, pl_status *st)
{
	static const char *const keys[] = { "clients", "measures", "stats", NULL };
	json_t *doc = NULL, *clients = NULL;
	char p[PL_POINTER_MAX];
	int rc = cli_read_input(ctx, &doc);

	if (rc != CLI_EXIT_OK)
		return rc;
	*st = pl_json_check_keys(doc, "", keys, &ctx->err);
	if (*st == PL_OK)
		*st = document_catalogue(doc, have_model, &s->cat, &ctx->err);
	if (*st == PL_OK)
		*st = pl_json_get_array(doc, "clients", "", 1, &clients, &ctx->err);
	for (size_t i = 0; *st == PL_OK && i < json_array_size(clients); i++)
		*st = pl_eval_client_from_json(s, json_array_get(clients, i),
					       pl_json_ptr_index(p, sizeof(p), "/clients", i), &ctx->err);
	json_decref(doc);
	return CLI_EXIT_OK;
}

/* The clients, with the catalogue of the model (when given) or of the data. */
static int read_clients(cli_ctx *ctx, const pl_risk_model *model, pl_eval_set *s, pl_status *st)
{
	*st = PL_OK;
	if (model)
		*st = pl_catalogue_copy(&s->cat, &model->catalogue, &ctx->err);
	if (*st != PL_OK)
		return CLI_EXIT_OK;
	if (!ctx->jsonl)
		return read_document(ctx, s, model != NULL, st);
	if (!model)
		*st = pl_catalogue_init(&s->cat, &ctx->err);
	if (*st == PL_OK)
		*st = risk_read_lines(ctx, add_line, s);
	if (*st == PL_OK && s->n == 0)
		*st = pl_error_set(&ctx->err, PL_ERR_INVALID, "", "there are no clients to evaluate");
	return CLI_EXIT_OK;
}

/* The model reads the data's catalogue (its own measures plus the data's extras, which enter
 * no feature); every measure its features read must be reported by some client. */
static pl_status fit_model_to_data(pl_risk_model *m, const pl_eval_set *s, pl_error *err)
{
	unsigned char *reported = calloc(s->cat.n ? s->cat.n : 1, 1);
	pl_status st;

	if (!reported)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	st = pl_risk_model_widen_catalogue(m, &s->cat, err);
	for (size_t i = 0; st == PL_OK && i < s->n; i++)
		pl_client_mark_reported(&s->cl[i].client, reported);
	if (st == PL_OK)
		st = pl_risk_model_check_reported(m, reported, "/clients", err);
	free(reported);
	return st;
}

/* --generator FILE|default: the parameters the cohort was generated with (the file a
 * `dataset generate checkins --params` read, or the generator's defaults) for the references. */
static int read_generator(cli_ctx *ctx, pl_gen_checkins_params *p)
{
	const char *path = cli_opt_str(ctx, "generator");
	json_t *doc = NULL;
	pl_status st;
	int rc;

	pl_gen_checkins_params_init(p);
	if (strcmp(path, "default") == 0)
		return CLI_EXIT_OK;
	if ((rc = cli_load_file(ctx, path, "generator parameter file", "", &doc)) != CLI_EXIT_OK)
		return rc;
	if (!json_is_object(doc)) {
		json_decref(doc);
		return cli_fail(ctx, PL_ERR_INVALID, "", "the generator parameter file must hold a JSON object");
	}
	st = pl_json_read_gen_checkins_params(p, doc, "", &ctx->err);
	json_decref(doc);
	return st == PL_OK ? CLI_EXIT_OK : cli_exit_for(st);
}

static json_t *stats_json(cli_ctx *ctx, const pl_eval_options *o, double parse_ms, double t0)
{
	json_t *stats = json_object();
	json_object_set_new(stats, "algorithm",
			    json_string(!o->model ? "client-grouped k-fold cross-validation of the "
						    "default risk model; cluster bootstrap over clients"
						  : "risk model from a file; cluster bootstrap over clients"));
	json_object_set_new(stats, "bootstrap", json_integer((json_int_t)o->metrics.bootstrap));
	json_object_set_new(stats, "seed", json_integer((json_int_t)o->seed));
	json_object_set_new(stats, "lead_window_days", json_integer(o->metrics.lead_window));
	json_object_set_new(stats, "parse_ms", json_real(cli_ms(ctx, parse_ms)));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, cli_now_ms() - t0)));
	return stats;
}

/* --rows FILE: one line per scored row, {"client", "date", "risk", "label"}, written through the
 * one output writer (atomic replace of a regular file). */
static int write_rows(cli_ctx *ctx, const char *path, const pl_eval_set *s, const pl_eval_result *r)
{
	const char *saved = ctx->output_path;
	cli_out out;
	int rc;

	ctx->output_path = path;
	rc = cli_out_open(ctx, &out);
	ctx->output_path = saved;
	if (rc != CLI_EXIT_OK)
		return rc;
	for (size_t k = 0; k < r->nrows_kept; k++) {
		char date[16], rest[128];
		json_t *id = json_string(s->cl[r->row_client[k]].client.id);
		char *idtext = id ? json_dumps(id, JSON_ENCODE_ANY) : NULL;

		pl_date_format(r->row_day[k], date);
		snprintf(rest, sizeof(rest), ",\"date\":\"%s\",\"risk\":%.6g,\"label\":%d}\n", date,
			 r->row_risk[k], r->row_label[k]);
		cli_out_text(&out, "{\"client\":");
		cli_out_text(&out, idtext ? idtext : "null");
		cli_out_text(&out, rest);
		free(idtext);
		json_decref(id);
	}
	ctx->output_path = path;
	rc = cli_out_close(ctx, &out);
	ctx->output_path = saved;
	return rc;
}

/* The other side of --compare (docs/datasets.md, "Comparing two models"): it lives as long as
 * the evaluation. */
typedef struct compare_side {
	pl_risk_model model;
	risk_recipe recipe;
} compare_side;

static pl_status compare_usage(pl_error *err)
{
	return pl_error_set(err, PL_ERR_USAGE, "",
			    "option '--compare' needs baseline:NAME (last_craving, missed_streak or "
			    "ews), model:FILE or, with '--cv', cv:FEATURES or cv:FEATURES@L2 "
			    "(docs/datasets.md)");
}

/* cv:FEATURES[@L2]: a second recipe trained in the same folds; without @L2 the penalty rule of
 * --l2. */
static pl_status compare_cv(const char *spec, const pl_eval_set *s, pl_eval_options *o,
			    compare_side *side, pl_error *err)
{
	const char *at = strchr(spec, '@');
	char feats[1024];
	size_t len = at ? (size_t)(at - spec) : strlen(spec);
	pl_eval_compare *c = &o->compare;
	pl_status st;

	if (!o->folds)
		return pl_error_set(err, PL_ERR_USAGE, "",
				    "'--compare cv:...' trains in the folds of '--cv K'");
	if (len == 0 || len >= sizeof(feats))
		return compare_usage(err);
	memcpy(feats, spec, len);
	feats[len] = '\0';
	c->l2 = o->l2;
	c->tune_l2 = o->tune_l2;
	if (at && strcmp(at + 1, "auto") == 0) {
		c->l2 = 0;
		c->tune_l2 = 1;
	} else if (at) {
		char *end;
		double v = strtod(at + 1, &end);
		if (end == at + 1 || *end || !(v >= 1e-6 && v <= 1e6))
			return pl_error_set(err, PL_ERR_USAGE, "", "option '--compare': the penalty "
					    "after '@' must be a number from 1e-06 to 1e+06 or auto");
		c->l2 = v;
		c->tune_l2 = 0;
	}
	st = risk_recipe_features(feats, &s->cat, "compare", &side->recipe, err);
	if (st != PL_OK)
		return st;
	c->kind = PL_COMPARE_CV;
	c->features = side->recipe.features;
	c->nfeatures = side->recipe.nfeatures;
	c->nsets = side->recipe.nsets;
	c->set_first = side->recipe.set_first;
	c->set_cols = side->recipe.set_cols;
	c->set_names = side->recipe.set_names;
	return PL_OK;
}

static pl_status compare_option(const char *spec, const pl_eval_set *s, pl_eval_options *o,
				compare_side *side, pl_error *err)
{
	pl_eval_compare *c = &o->compare;
	pl_status st;

	c->label = spec;
	if (strncmp(spec, "baseline:", 9) == 0) {
		for (int b = 0; b < PL_EVAL_NBASELINES; b++)
			if (strcmp(spec + 9, pl_eval_baseline_name(b)) == 0) {
				c->kind = PL_COMPARE_BASELINE;
				c->baseline = b;
				return PL_OK;
			}
		return compare_usage(err);
	}
	if (strncmp(spec, "model:", 6) == 0 && spec[6]) {
		st = pl_risk_model_read_file(spec + 6, &side->model, err);
		if (st == PL_OK)
			st = fit_model_to_data(&side->model, s, err);
		c->kind = PL_COMPARE_MODEL;
		c->model = &side->model;
		return st;
	}
	if (strncmp(spec, "cv:", 3) == 0)
		return compare_cv(spec + 3, s, o, side, err);
	return compare_usage(err);
}

int cmd_risk_evaluate(cli_ctx *ctx)
{
	return risk_evaluate_run(ctx, NULL);
}

int risk_evaluate_run(cli_ctx *ctx, const risk_dist *dist)
{
	pl_eval_set s = PL_EVAL_SET_INIT;
	pl_eval_result res;
	pl_eval_options o;
	pl_risk_model model;
	pl_gen_checkins_params generator;
	risk_recipe recipe;
	compare_side other;
	const char *model_path = cli_opt_str(ctx, "model");
	long cv = (long)cli_opt_int(ctx, "cv");
	json_t *out, *notes;
	double t0 = cli_now_ms(), parse_ms;
	int rc;
	pl_status st = PL_OK;

	memset(&res, 0, sizeof(res));
	memset(&model, 0, sizeof(model));
	memset(&recipe, 0, sizeof(recipe));
	memset(&other, 0, sizeof(other));
	memset(&o, 0, sizeof(o));
	/* options (main.c has validated them against the table) */
	if (!model_path == !cv)
		return cli_fail(ctx, PL_ERR_USAGE, "", "give exactly one of '--model FILE' or '--cv K'");
	if (model_path && cli_opt_given(ctx, "l2"))
		return cli_fail(ctx, PL_ERR_USAGE, "", "'--l2' is for '--cv'; a model file has its own");
	if (model_path && cli_opt_given(ctx, "features"))
		return cli_fail(ctx, PL_ERR_USAGE, "",
				"'--features' is for '--cv'; a model file has its own");
	if (model_path && cli_opt_given(ctx, "horizon"))
		return cli_fail(ctx, PL_ERR_USAGE, "",
				"'--horizon' is for '--cv'; a model file carries its own horizon");
	o.folds = (size_t)cv;
	o.horizon_days = (int)cli_opt_int(ctx, "horizon");
	o.stride = (int)cli_opt_int(ctx, "stride");
	o.seed = ctx->have_seed ? ctx->seed : 1;
	o.baselines = cli_opt_flag(ctx, "baselines");
	pl_metrics_options_init(&o.metrics);
	o.metrics.bootstrap = (size_t)cli_opt_int(ctx, "bootstrap");
	o.metrics.lead_window = (int)cli_opt_int(ctx, "lead-window");
	o.metrics.budget_weeks = cli_opt_real(ctx, "budget");
	o.metrics.seed = o.seed;
	o.threads = (int)cli_opt_int(ctx, "threads");
	o.keep_rows = cli_opt_str(ctx, "rows") != NULL;
	o.l2 = cli_opt_real(ctx, "l2");
	if (cli_opt_given(ctx, "generator-seed") && !cli_opt_str(ctx, "generator"))
		return cli_fail(ctx, PL_ERR_USAGE, "",
				"'--generator-seed' needs '--generator FILE' (or 'default')");
	if (cli_opt_str(ctx, "generator")) {
		if ((rc = read_generator(ctx, &generator)) != CLI_EXIT_OK)
			goto out; /* the common cleanup, as every later failure */
		o.generator = &generator;
		o.generator_seed_given = cli_opt_given(ctx, "generator-seed");
		o.generator_seed = (unsigned long)cli_opt_int(ctx, "generator-seed");
		o.oracle_draws = (size_t)cli_opt_int(ctx, "oracle-draws");
	}
	o.tune_l2 = isnan(o.l2);
	if (o.tune_l2)
		o.l2 = 0;

	o.comm = dist ? dist->comm : NULL;
	if (model_path) {
		st = pl_risk_model_read_file(model_path, &model, &ctx->err);
		if (st != PL_OK && !dist)
			return cli_exit_for(st);
		o.model = &model;
	}
	rc = st == PL_OK ? read_clients(ctx, o.model, &s, &st) : cli_exit_for(st);
	if (dist) /* every process read the same input: the same outcome, agreed before the run */
		rc = dist->agree(dist->arg, ctx, rc == CLI_EXIT_OK ? cli_exit_for(st) : rc);
	if (rc != CLI_EXIT_OK)
		goto out;
	if (st == PL_OK && s.n == 0)
		st = pl_error_set(&ctx->err, PL_ERR_INVALID, "/clients", "there are no clients to evaluate");
	if (st == PL_OK && cv && (size_t)cv > s.n)
		st = pl_error_set(&ctx->err, PL_ERR_USAGE, "",
				  "'--cv %ld' needs at least as many clients as folds", cv);
	if (st == PL_OK && o.model)
		st = fit_model_to_data(&model, &s, &ctx->err);
	if (st == PL_OK && cli_opt_given(ctx, "features")) {
		st = risk_recipe_features(cli_opt_str(ctx, "features"), &s.cat, "features", &recipe,
					  &ctx->err);
		o.features = recipe.features;
		o.nfeatures = recipe.nfeatures;
		o.nsets = recipe.nsets;
		o.set_first = recipe.set_first;
		o.set_cols = recipe.set_cols;
		o.set_names = recipe.set_names;
	}
	if (st == PL_OK && cli_opt_str(ctx, "compare"))
		st = compare_option(cli_opt_str(ctx, "compare"), &s, &o, &other, &ctx->err);
	parse_ms = cli_now_ms() - t0;
	t0 = cli_now_ms();
	if (st == PL_OK)
		st = pl_eval_run(&s, &o, &res, &ctx->err);
	if (st != PL_OK) {
		rc = cli_exit_for(st);
		goto out;
	}
	if (o.keep_rows && (!dist || dist->comm->rank == 0)) {
		rc = write_rows(ctx, cli_opt_str(ctx, "rows"), &s, &res);
		if (rc != CLI_EXIT_OK)
			goto out;
	}
	out = pl_eval_result_to_json(&res, &o);
	if (o.model && (notes = pl_risk_model_notes_json(&model)))
		json_object_set_new(out, "notes", notes);
	json_object_set_new(out, "stats", stats_json(ctx, &o, parse_ms, t0));
	rc = cli_write_output(ctx, out);
out:
	pl_eval_result_release(&res);
	pl_risk_model_release(&model);
	risk_recipe_release(&recipe);
	pl_risk_model_release(&other.model);
	risk_recipe_release(&other.recipe);
	pl_eval_set_release(&s);
	return rc;
}
