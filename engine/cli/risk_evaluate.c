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
#include <stdint.h>
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

/* ---------------------------------------------------------------- own clients (peerlink-mpi) */
/* Under a risk_dist each process parses and holds only its own clients (a contiguous share in
 * input order, pl_comm_share); the set then holds stand-ins (id and attributes only) for every
 * other process's clients, so that counts, subgroups and --rows see every client
 * (pl_eval_options.own_clients). Errors come out as in one process: syntax and size limits of the
 * whole input first (a process that meets one in its share re-reads the whole input the
 * single-process way to report it), then the document's members, then the first invalid client
 * in input order (the lowest-numbered failing process's). */

/* Whether every measure was reported by some client of some process (OR of each process's
 * flags; the same on every process). */
static pl_status reported_everywhere(const risk_dist *dist, unsigned char *reported, size_t n,
				     pl_error *err)
{
	unsigned char *all = NULL;
	size_t len = 0;
	pl_status st;

	if (!dist)
		return PL_OK;
	st = pl_comm_gather(dist->comm, reported, n, (void **)&all, &len, err);
	for (size_t k = 0; st == PL_OK && k < len; k++)
		reported[k % n] |= all[k];
	free(all);
	return st;
}

/* The model reads the data's catalogue (its own measures plus the data's extras, which enter
 * no feature); every measure its features read must be reported by some client. */
static pl_status fit_model_to_data(pl_risk_model *m, const pl_eval_set *s, const risk_dist *dist,
				   pl_error *err)
{
	unsigned char *reported = calloc(s->cat.n ? s->cat.n : 1, 1);
	pl_status st;

	if (!reported)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	st = pl_risk_model_widen_catalogue(m, &s->cat, err);
	for (size_t i = 0; st == PL_OK && i < s->n; i++)
		pl_client_mark_reported(&s->cl[i].client, reported);
	if (st == PL_OK && s->cat.n)
		st = reported_everywhere(dist, reported, s->cat.n, err);
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
	c->select_rule = side->recipe.average ? PL_SELECT_AVERAGE : PL_SELECT_MIN_DEVIANCE;
	c->features = side->recipe.features;
	c->nfeatures = side->recipe.nfeatures;
	c->nsets = side->recipe.nsets;
	c->set_first = side->recipe.set_first;
	c->set_cols = side->recipe.set_cols;
	c->set_names = side->recipe.set_names;
	return PL_OK;
}

static pl_status compare_option(const char *spec, const pl_eval_set *s, pl_eval_options *o,
				compare_side *side, const risk_dist *dist, pl_error *err)
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
			st = fit_model_to_data(&side->model, s, dist, err);
		c->kind = PL_COMPARE_MODEL;
		c->model = &side->model;
		return st;
	}
	if (strncmp(spec, "cv:", 3) == 0)
		return compare_cv(spec + 3, s, o, side, err);
	return compare_usage(err);
}

/* The exact error one process reports for the whole input (read again, the single-process way),
 * when this process met a syntax or size problem in its share; `fallback` if that read succeeds. */
static int whole_input_error(cli_ctx *ctx, int fallback)
{
	json_t *doc = NULL;
	int rc = cli_read_input(ctx, &doc);

	json_decref(doc);
	return rc != CLI_EXIT_OK ? rc : fallback;
}

/* Phase one: the input as a document cut into spans; every span of this process's share must be
 * valid JSON within the limits. */
static int own_spans_check(cli_ctx *ctx, const risk_input *in, size_t first, size_t end)
{
	for (size_t i = first; in->have_clients && i < end; i++) {
		char p[PL_POINTER_MAX];
		json_t *obj = json_loadb(in->spans[i], in->span_len[i], JSON_REJECT_DUPLICATES, NULL);
		pl_status st = obj ? pl_json_check_limits(obj, pl_json_ptr_index(p, sizeof(p), "/clients", i),
							 &ctx->err)
				   : PL_ERR_INVALID;
		json_decref(obj);
		if (st != PL_OK)
			return whole_input_error(ctx, cli_exit_for(st));
	}
	return CLI_EXIT_OK;
}

/* Phase two: the document's members, then this process's clients in order. */
static pl_status own_document_clients(cli_ctx *ctx, const risk_input *in, int have_model,
				      size_t first, size_t end, pl_eval_set *s)
{
	static const char *const keys[] = { "clients", "measures", "stats", NULL };
	json_t *clients = NULL;
	char p[PL_POINTER_MAX];
	pl_status st = pl_json_check_keys(in->doc, "", keys, &ctx->err);

	if (st == PL_OK)
		st = document_catalogue(in->doc, have_model, &s->cat, &ctx->err);
	if (st == PL_OK && !in->have_clients)
		st = pl_json_get_array(in->doc, "clients", "", 1, &clients, &ctx->err);
	for (size_t i = first; st == PL_OK && i < end; i++) {
		json_t *obj = clients ? json_incref(json_array_get(clients, i))
				      : json_loadb(in->spans[i], in->span_len[i], JSON_REJECT_DUPLICATES,
						   NULL);
		st = obj ? pl_eval_client_from_json(s, obj, pl_json_ptr_index(p, sizeof(p), "/clients", i),
						    &ctx->err)
			 : pl_error_set(&ctx->err, PL_ERR_INTERNAL, "", "a client could not be re-read");
		json_decref(obj);
	}
	return st;
}

/* This process's share of the document's clients. */
static int own_document(cli_ctx *ctx, int have_model, pl_eval_set *s, const risk_dist *dist,
			pl_eval_options *o, pl_status *st)
{
	risk_input in;
	size_t n;
	int rc;

	memset(&in, 0, sizeof(in));
	rc = risk_read_document(ctx, &in);
	if (rc != CLI_EXIT_OK)
		rc = whole_input_error(ctx, rc);
	n = rc != CLI_EXIT_OK ? 0 : in.have_clients ? in.nspans
			: json_array_size(json_object_get(in.doc, "clients"));
	pl_comm_share(dist->comm, n, &o->own_first, &o->own_end);
	if (rc == CLI_EXIT_OK)
		rc = own_spans_check(ctx, &in, o->own_first, o->own_end);
	rc = dist->agree(dist->arg, ctx, rc);
	if (rc == CLI_EXIT_OK)
		*st = own_document_clients(ctx, &in, have_model, o->own_first, o->own_end, s);
	dist->held->nall = n;
	risk_input_release(&in);
	return rc;
}

/* This process's share of the JSON Lines (counted first, the counts compared by every process:
 * pl_comm_agree_count; when every count fails, process 0 reads them all, to meet the error where
 * one process meets it; when only some fail, each of those reports its own error). */
static int own_lines(cli_ctx *ctx, pl_eval_set *s, const risk_dist *dist, pl_eval_options *o,
		     pl_status *st)
{
	size_t n = 0;
	pl_status count_st = risk_count_lines(ctx, &n);

	o->own_first = 0;
	o->own_end = SIZE_MAX;
	*st = pl_comm_agree_count(dist->comm, n, count_st == PL_OK, &n, &ctx->err);
	if (*st == PL_OK && count_st != PL_OK && n != SIZE_MAX) /* the others could count */
		*st = count_st;
	if (*st != PL_OK) {
		o->own_end = 0;
		return CLI_EXIT_OK; /* the caller's agreement step reports it in every process */
	}
	if (n != SIZE_MAX)
		pl_comm_share(dist->comm, n, &o->own_first, &o->own_end);
	else if (dist->comm->rank != 0)
		o->own_end = 0;
	*st = risk_read_lines_share(ctx, o->own_first, o->own_end, add_line, s);
	if (o->own_end == SIZE_MAX)
		o->own_end = s->n;
	dist->held->nall = n == SIZE_MAX ? 0 : n;
	return CLI_EXIT_OK;
}

/* read_clients for one process of several: its own clients only. */
static int read_own_clients(cli_ctx *ctx, const pl_risk_model *model, pl_eval_set *s,
			    const risk_dist *dist, pl_eval_options *o, pl_status *st)
{
	int rc;

	*st = PL_OK;
	if (model)
		*st = pl_catalogue_copy(&s->cat, &model->catalogue, &ctx->err);
	else if (ctx->jsonl)
		*st = pl_catalogue_init(&s->cat, &ctx->err);
	if (*st != PL_OK) { /* out of memory, maybe in this process only: it still meets the others
			     * in their first collective step (the count's comparison, or the
			     * document's agreement), or they would wait there for it */
		if (ctx->jsonl) {
			size_t n;
			pl_error other = PL_ERROR_INIT;
			(void)pl_comm_agree_count(dist->comm, 0, 0, &n, &other);
			return CLI_EXIT_OK;
		}
		return dist->agree(dist->arg, ctx, cli_exit_for(*st));
	}
	rc = ctx->jsonl ? own_lines(ctx, s, dist, o, st) : own_document(ctx, model != NULL, s, dist, o, st);
	dist->held->first = o->own_first;
	dist->held->end = o->own_end;
	dist->held->held = s->n;
	return rc;
}

/* The set of every process's clients: this process's own in full, stand-ins for the others', in
 * input order; o->own_first/own_end say where its own are. Collective. */
static pl_status add_stand_ins(pl_eval_set *s, const risk_dist *dist, pl_eval_options *o,
			       pl_error *err)
{
	pl_eval_set all = PL_EVAL_SET_INIT;
	unsigned char *buf = NULL;
	size_t len = 0, pos = 0;
	uint64_t n = 0;
	unsigned char *part = NULL;
	size_t part_len = 0;
	pl_status st, packed;

	/* every process must reach the gather: after a failed pack, an empty part, then the error */
	packed = pl_eval_stand_ins_pack(s, &part, &part_len, err);
	st = pl_comm_gather(dist->comm, part, part_len, (void **)&buf, &len, err);
	if (st == PL_OK && packed != PL_OK)
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	free(part);
	all.cat = s->cat;
	memset(&s->cat, 0, sizeof(s->cat));
	for (int p = 0; st == PL_OK && p < dist->comm->size; p++) {
		int mine = p == dist->comm->rank;
		if (len - pos < sizeof(n)) {
			st = pl_error_set(err, PL_ERR_INTERNAL, "", "a process sent a short answer");
			break;
		}
		memcpy(&n, buf + pos, sizeof(n));
		pos += sizeof(n);
		if (mine)
			o->own_first = all.n;
		for (uint64_t i = 0; st == PL_OK && i < n; i++) {
			pl_eval_client *e = pl_eval_set_push(&all, err), skip;
			int truth = 0;
			if (!e) {
				st = PL_ERR_NOMEM;
				break;
			}
			memset(&skip, 0, sizeof(skip));
			/* this process's own client moves in whole; its wire bytes are read and dropped */
			st = pl_eval_stand_in_read(mine ? &skip : e, &truth, buf, len, &pos, err);
			all.with_truth += (size_t)truth;
			if (mine && i < s->n) {
				*e = s->cl[i];
				memset(&s->cl[i], 0, sizeof(s->cl[i]));
			}
			pl_client_release(&skip.client);
			for (size_t k = 0; k < skip.nattrs; k++) {
				free(skip.attr_name[k]);
				free(skip.attr_value[k]);
			}
			free(skip.attr_name);
			free(skip.attr_value);
		}
		if (mine)
			o->own_end = all.n;
	}
	free(buf);
	pl_eval_set_release(s);
	*s = all;
	return st;
}

int cmd_risk_evaluate(cli_ctx *ctx)
{
	return risk_evaluate_run(ctx, NULL);
}

/* The command-line options into o (main.c has validated each against the table): the pairs
 * that exclude each other, the metrics' options and, with --generator, the generator's
 * parameters (into *generator). An exit code. */
static int eval_options(cli_ctx *ctx, const char *model_path, long cv, pl_eval_options *o,
			pl_gen_checkins_params *generator)
{
	int rc;

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
	o->folds = (size_t)cv;
	o->horizon_days = (int)cli_opt_int(ctx, "horizon");
	o->stride = (int)cli_opt_int(ctx, "stride");
	o->seed = ctx->have_seed ? ctx->seed : 1;
	o->baselines = cli_opt_flag(ctx, "baselines");
	pl_metrics_options_init(&o->metrics);
	o->metrics.bootstrap = (size_t)cli_opt_int(ctx, "bootstrap");
	o->metrics.lead_window = (int)cli_opt_int(ctx, "lead-window");
	o->metrics.budget_weeks = cli_opt_real(ctx, "budget");
	o->metrics.seed = o->seed;
	o->threads = (int)cli_opt_int(ctx, "threads");
	o->keep_rows = cli_opt_str(ctx, "rows") != NULL;
	o->l2 = cli_opt_real(ctx, "l2");
	if (cli_opt_given(ctx, "generator-seed") && !cli_opt_str(ctx, "generator"))
		return cli_fail(ctx, PL_ERR_USAGE, "",
				"'--generator-seed' needs '--generator FILE' (or 'default')");
	if (cli_opt_str(ctx, "generator")) {
		if ((rc = read_generator(ctx, generator)) != CLI_EXIT_OK)
			return rc;
		o->generator = generator;
		o->generator_seed_given = cli_opt_given(ctx, "generator-seed");
		o->generator_seed = (unsigned long)cli_opt_int(ctx, "generator-seed");
		o->oracle_draws = (size_t)cli_opt_int(ctx, "oracle-draws");
	}
	o->tune_l2 = isnan(o->l2);
	if (o->tune_l2)
		o->l2 = 0;
	return CLI_EXIT_OK;
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
	rc = eval_options(ctx, model_path, cv, &o, &generator);
	if (rc != CLI_EXIT_OK)
		goto out; /* the common cleanup, as every later failure (all zeroed so far) */

	o.comm = dist ? dist->comm : NULL;
	if (model_path) {
		st = pl_risk_model_read_file(model_path, &model, &ctx->err);
		if (st != PL_OK && !dist)
			return cli_exit_for(st);
		o.model = &model;
	}
	/* The references redraw the whole cohort in order: every process then holds every client. */
	o.own_clients = dist && !o.generator;
	if (st != PL_OK)
		rc = cli_exit_for(st);
	else if (o.own_clients)
		rc = read_own_clients(ctx, o.model, &s, dist, &o, &st);
	else
		rc = read_clients(ctx, o.model, &s, &st);
	if (dist) { /* the same outcome everywhere, agreed before the run */
		if (!o.own_clients) {
			dist->held->nall = dist->held->end = dist->held->held = s.n;
			dist->held->first = 0;
		}
		rc = dist->agree(dist->arg, ctx, rc == CLI_EXIT_OK ? cli_exit_for(st) : rc);
	}
	if (rc == CLI_EXIT_OK && o.own_clients) /* collective: stand-ins for the others' clients */
		rc = cli_exit_for(add_stand_ins(&s, dist, &o, &ctx->err));
	if (rc != CLI_EXIT_OK)
		goto out;
	if (st == PL_OK && s.n == 0)
		st = pl_error_set(&ctx->err, PL_ERR_INVALID, "/clients", "there are no clients to evaluate");
	if (st == PL_OK && cv && (size_t)cv > s.n)
		st = pl_error_set(&ctx->err, PL_ERR_USAGE, "",
				  "'--cv %ld' needs at least as many clients as folds", cv);
	if (st == PL_OK && o.model)
		st = fit_model_to_data(&model, &s, dist, &ctx->err);
	/* Neither --l2 nor --features: the recipe by the cohort's size, every named set a candidate
	 * for a small cohort, the default set at l2 1 otherwise (docs/risk.md, "Small cohorts"). */
	o.by_size = cv && !cli_opt_given(ctx, "l2") && !cli_opt_given(ctx, "features");
	if (st == PL_OK && (o.by_size || cli_opt_given(ctx, "features"))) {
		st = risk_recipe_features(o.by_size ? "auto" : cli_opt_str(ctx, "features"), &s.cat,
					  "features", &recipe, &ctx->err);
		o.features = recipe.features;
		o.nfeatures = recipe.nfeatures;
		o.nsets = recipe.nsets;
		o.set_first = recipe.set_first;
		o.set_cols = recipe.set_cols;
		o.set_names = recipe.set_names;
		o.select_rule = recipe.average ? PL_SELECT_AVERAGE : PL_SELECT_MIN_DEVIANCE;
	}
	if (st == PL_OK && cli_opt_str(ctx, "compare"))
		st = compare_option(cli_opt_str(ctx, "compare"), &s, &o, &other, dist, &ctx->err);
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
