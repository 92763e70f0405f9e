/*
 * risk_train.c: `peerlink risk train`: the relapse-risk model from labelled clients.
 *
 * Input  {"clients": [client, ...], "measures": {catalogue}, ...options} or, with --jsonl, one
 *        client object per line (options then come from flags). Clients are in the row or
 *        columnar form of include/peerlink/checkins.h.
 * Output the model file (docs/risk.md, "Model file").
 *
 * Each client is parsed, featurized and freed in turn, so the JSON tree of one client is the
 * largest thing held besides the training rows.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "risk_cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- shared helpers */

/* A document option: number in [lo, hi] (absent: unchanged). */
static pl_status doc_double(json_t *doc, const char *key, double lo, double hi, double *out,
			    pl_error *err)
{
	char p[PL_POINTER_MAX];
	double v = *out;
	pl_status st = pl_json_get_number(doc, key, "", 0, &v, err);
	if (st != PL_OK)
		return st;
	if (!(v >= lo && v <= hi))
		return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof(p), "", key),
				    "'%s' must be a number from %g to %g", key, lo, hi);
	*out = v;
	return PL_OK;
}

static pl_status doc_int(json_t *doc, const char *key, long lo, long hi, int *out, pl_error *err)
{
	char p[PL_POINTER_MAX];
	long long v = *out;
	pl_status st = pl_json_get_integer(doc, key, "", 0, &v, err);
	if (st != PL_OK)
		return st;
	if (v < lo || v > hi)
		return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof(p), "", key),
				    "'%s' must be an integer from %ld to %ld", key, lo, hi);
	*out = (int)v;
	return PL_OK;
}

static pl_status parse_calibration(const char *s, pl_calibration_method *out)
{
	if (strcmp(s, "platt") == 0)
		*out = PL_CAL_PLATT;
	else if (strcmp(s, "isotonic") == 0)
		*out = PL_CAL_ISOTONIC;
	else if (strcmp(s, "none") == 0)
		*out = PL_CAL_NONE;
	else
		return PL_ERR_INVALID;
	return PL_OK;
}

/* Read --jsonl input line by line: calls fn for each non-blank line with its 0-based index. */
/* ---------------------------------------------------------------- train */

typedef struct train_state {
	pl_catalogue cat;
	pl_feature_spec *features;
	size_t nfeatures;
	pl_risk_train_options opt;
	pl_risk_dataset ds;
	const char *clients_ptr; /* "/clients" or "" (JSON Lines: the line index is the first token) */
	/* Parsed clients, held until the document's last day is known: follow-up runs to it
	 * (pl_followup_end), so no client can be featurized before every client is read. */
	pl_client *clients;
	size_t nclients, cap;
	size_t nall;  /* the input's clients (under a risk_dist, every process's together) */
	size_t first; /* the input order number of this process's first client */
} train_state;

/* Keep a parsed client (ownership moves to ts; *c is left zeroed). */
static pl_status train_keep(train_state *ts, pl_client *c, pl_error *err)
{
	if (ts->nclients == ts->cap) {
		size_t nc = ts->cap ? 2 * ts->cap : 256;
		pl_client *n = realloc(ts->clients, nc * sizeof(*n));
		if (!n) {
			pl_client_release(c);
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		}
		ts->clients = n;
		ts->cap = nc;
	}
	ts->clients[ts->nclients++] = *c;
	memset(c, 0, sizeof(*c));
	return PL_OK;
}

static void train_clients_release(train_state *ts)
{
	for (size_t i = 0; i < ts->nclients; i++)
		pl_client_release(&ts->clients[i]);
	free(ts->clients);
	ts->clients = NULL;
	ts->nclients = ts->cap = 0;
}

/* This process's share of the input's n clients: all of them alone, whole blocks of them
 * under `dist` (pl_risk_train_clients); the others are never parsed here. */
static void train_share(train_state *ts, const risk_dist *dist, size_t n, size_t *first,
			size_t *end)
{
	*first = 0;
	*end = n;
	if (dist)
		pl_risk_train_clients(n, ts->nfeatures, dist->comm->rank, dist->comm->size, first, end);
	ts->nall = n;
	ts->first = *first;
	if (dist) {
		dist->held->nall = n;
		dist->held->first = *first;
		dist->held->end = *end;
	}
}

/* The latest recorded day over every process's clients: each sends its own (an integer, exact). */
static pl_status latest_over_processes(const risk_dist *dist, int32_t *latest, pl_error *err)
{
	int32_t *all = NULL;
	size_t len = 0;
	pl_status st = pl_comm_gather(dist->comm, latest, sizeof(*latest), (void **)&all, &len, err);

	for (size_t r = 0; st == PL_OK && r < len / sizeof(*all); r++)
		if (all[r] > *latest)
			*latest = all[r];
	free(all);
	return st;
}

/* The document's last day (the as_of rule: document, option, latest recorded day), then the
 * rows of this process's clients (all, or its share under `dist`), each client freed once
 * featurized. Collective under `dist`. */
static pl_status train_featurize(train_state *ts, int has_doc, int32_t doc_as_of, cli_ctx *ctx,
				 const risk_dist *dist)
{
	int32_t latest = INT32_MIN;
	pl_status st = PL_OK;

	for (size_t i = 0; i < ts->nclients; i++) {
		int32_t d = pl_client_last_day(&ts->clients[i]);
		if (d > latest)
			latest = d;
	}
	if (dist)
		st = latest_over_processes(dist, &latest, &ctx->err);
	ts->opt.doc_end = pl_as_of_resolve(has_doc, doc_as_of, cli_opt_given(ctx, "as-of"),
					   cli_opt_given(ctx, "as-of")
						   ? (int32_t)cli_opt_int(ctx, "as-of") : 0,
					   latest);
	ts->ds.nclients = ts->first; /* rows are numbered by client across all processes */
	for (size_t i = 0; st == PL_OK && i < ts->nclients; i++)
		st = pl_risk_dataset_add_client(&ts->ds, &ts->clients[i], &ts->cat, ts->features,
						&ts->opt, &ctx->err);
	train_clients_release(ts);
	return st;
}

static pl_status train_add(void *arg, json_t *obj, size_t index, pl_error *err)
{
	train_state *ts = arg;
	char p[PL_POINTER_MAX];
	pl_client c = PL_CLIENT_INIT;
	pl_status st;

	st = pl_client_from_json(obj, &ts->cat, pl_json_ptr_index(p, sizeof(p), ts->clients_ptr, index),
				 &c, err);
	if (st == PL_OK)
		st = train_keep(ts, &c, err);
	return st;
}

/* A client given as text (a span of the document): the fast path, else jansson for the errors. */
static pl_status train_add_text(train_state *ts, cli_ctx *ctx, const char *text, size_t len,
				size_t index)
{
	pl_client c = PL_CLIENT_INIT;
	pl_status st;
	int fast = pl_client_from_text(text, len, &ts->cat, &c);

	if (fast < 0)
		return pl_error_set(&ctx->err, PL_ERR_NOMEM, "", "out of memory");
	if (fast == 0) {
		json_error_t jerr;
		json_t *obj;
		errno = 0;
		obj = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
		if (!obj && pl_json_load_failure(&jerr, errno, NULL, 0) == PL_ERR_NOMEM)
			return pl_error_set(&ctx->err, PL_ERR_NOMEM, "", "client %zu does not fit in memory",
					    index);
		if (!obj)
			return pl_error_set(&ctx->err, PL_ERR_INVALID, "", "JSON syntax error");
		st = train_add(ts, obj, index, &ctx->err);
		json_decref(obj);
		return st;
	}
	return train_keep(ts, &c, &ctx->err);
}

/* Command-line options win over the document's; main.c has validated them. */
static pl_status train_options_from_flags(cli_ctx *ctx, pl_risk_train_options *o)
{
	if (cli_opt_given(ctx, "horizon"))
		o->horizon_days = (int)cli_opt_int(ctx, "horizon");
	if (cli_opt_given(ctx, "l2")) {
		o->l2 = cli_opt_real(ctx, "l2");
		o->tune_l2 = isnan(o->l2); /* --l2 auto */
		if (o->tune_l2)
			o->l2 = 1.0;
	}
	if (cli_opt_given(ctx, "calibration"))
		(void)parse_calibration(cli_opt_str(ctx, "calibration"), &o->calibration);
	if (cli_opt_given(ctx, "folds"))
		o->folds = (int)cli_opt_int(ctx, "folds");
	if (cli_opt_given(ctx, "alert-rate"))
		o->alert_rate = cli_opt_real(ctx, "alert-rate");
	if (cli_opt_given(ctx, "sensitivity"))
		o->sensitivity = cli_opt_real(ctx, "sensitivity");
	if (cli_opt_given(ctx, "min-checkins"))
		o->min_checkins = (int)cli_opt_int(ctx, "min-checkins");
	if (cli_opt_given(ctx, "stride"))
		o->stride = (int)cli_opt_int(ctx, "stride");
	if (ctx->have_seed)
		o->seed = ctx->seed;
	return PL_OK;
}

static pl_status train_options_from_doc(json_t *doc, train_state *ts, pl_error *err)
{
	pl_risk_train_options *o = &ts->opt;
	const char *cal = NULL;
	json_t *feats = NULL;
	long long seed = -1;
	pl_status st;

	st = doc_int(doc, "horizon_days", 1, 365, &o->horizon_days, err);
	if (st == PL_OK && json_is_string(json_object_get(doc, "l2"))) {
		if (strcmp(json_string_value(json_object_get(doc, "l2")), "auto") != 0)
			st = pl_error_set(err, PL_ERR_INVALID, "/l2",
					  "'l2' must be a number from 0 to 1e+09 or \"auto\"");
		o->tune_l2 = 1;
	} else if (st == PL_OK) {
		st = doc_double(doc, "l2", 0, 1e9, &o->l2, err);
	}
	if (st == PL_OK)
		st = pl_json_get_string(doc, "calibration", "", 0, &cal, err);
	if (st == PL_OK && cal && parse_calibration(cal, &o->calibration) != PL_OK)
		st = pl_error_set(err, PL_ERR_INVALID, "/calibration",
				  "'calibration' must be \"platt\", \"isotonic\" or \"none\"");
	if (st == PL_OK)
		st = doc_int(doc, "folds", 2, 100, &o->folds, err);
	if (st == PL_OK)
		st = doc_double(doc, "alert_rate", 0, 1, &o->alert_rate, err);
	if (st == PL_OK)
		st = doc_double(doc, "sensitivity", 0, 1, &o->sensitivity, err);
	if (st == PL_OK)
		st = doc_int(doc, "min_checkins", 1, 365, &o->min_checkins, err);
	if (st == PL_OK)
		st = doc_int(doc, "stride", 1, 365, &o->stride, err);
	if (st == PL_OK)
		st = pl_json_get_integer(doc, "seed", "", 0, &seed, err);
	if (st == PL_OK && json_object_get(doc, "seed") && seed < 0)
		st = pl_error_set(err, PL_ERR_INVALID, "/seed", "'seed' must be a non-negative integer");
	if (st == PL_OK && seed >= 0)
		o->seed = (unsigned long)seed;
	if (st == PL_OK)
		st = pl_json_get_array(doc, "features", "", 0, &feats, err);
	if (st != PL_OK || !feats)
		return st;
	if (json_array_size(feats) == 0)
		return pl_error_set(err, PL_ERR_INVALID, "/features", "'features' must not be empty");
	free(ts->features);
	ts->nfeatures = json_array_size(feats);
	ts->features = malloc(ts->nfeatures * sizeof(*ts->features));
	if (!ts->features)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t j = 0; j < ts->nfeatures; j++) {
		char p[PL_POINTER_MAX];
		json_t *v = json_array_get(feats, j);
		pl_json_ptr_index(p, sizeof(p), "/features", j);
		if (!json_is_string(v))
			return pl_error_set(err, PL_ERR_INVALID, p, "each feature must be a name");
		st = pl_feature_parse(json_string_value(v), &ts->cat, p, &ts->features[j], err);
		if (st != PL_OK)
			return st;
		for (size_t i = 0; i < j; i++)
			if (ts->features[i].kind == ts->features[j].kind &&
			    ts->features[i].measure == ts->features[j].measure)
				return pl_error_set(err, PL_ERR_INVALID, p, "feature '%s' is listed twice",
						    json_string_value(v));
	}
	return PL_OK;
}

/* The document form: cut into client spans (risk_pipeline.c) so that no tree of all clients
 * is ever built. Its options, catalogue and features first, then every client. */
static int read_document_clients(cli_ctx *ctx, train_state *ts, const risk_dist *dist,
				 const char **as_of, int32_t *doc_as_of)
{
	static const char *const keys[] = { "clients", "measures", "features", "horizon_days", "l2",
					    "calibration", "folds", "seed", "alert_rate",
					    "sensitivity", "min_checkins", "stride", "as_of", "stats",
					    NULL };
	json_t *doc, *clients = NULL;
	risk_input in;
	size_t first = 0, end = 0;
	pl_status st;
	int rc;

	memset(&in, 0, sizeof(in));
	rc = risk_read_document(ctx, &in);
	if (rc != CLI_EXIT_OK) {
		risk_input_release(&in);
		return rc;
	}
	doc = in.doc;
	st = pl_json_check_keys(doc, "", keys, &ctx->err);
	if (st == PL_OK)
		st = pl_catalogue_from_json(&ts->cat, json_object_get(doc, "measures"), "/measures",
					    &ctx->err);
	if (st == PL_OK)
		st = pl_features_default(&ts->cat, &ts->features, &ts->nfeatures, &ctx->err);
	if (st == PL_OK)
		st = train_options_from_doc(doc, ts, &ctx->err);
	if (st == PL_OK)
		st = train_options_from_flags(ctx, &ts->opt); /* flags win over the document */
	if (st == PL_OK)
		st = pl_json_get_string(doc, "as_of", "", 0, as_of, &ctx->err);
	if (st == PL_OK && *as_of && pl_date_parse(*as_of, doc_as_of) != 0)
		st = pl_error_set(&ctx->err, PL_ERR_INVALID, "/as_of",
				  "'as_of' must be a calendar date \"YYYY-MM-DD\"");
	if (st == PL_OK && !in.have_clients)
		st = pl_json_get_array(doc, "clients", "", 1, &clients, &ctx->err);
	if (st == PL_OK)
		st = pl_risk_dataset_init(&ts->ds, ts->nfeatures, &ctx->err);
	ts->clients_ptr = "/clients";
	if (st == PL_OK)
		train_share(ts, dist, in.have_clients ? in.nspans : json_array_size(clients), &first,
			    &end);
	for (size_t i = first; st == PL_OK && in.have_clients && i < end; i++)
		st = train_add_text(ts, ctx, in.spans[i], in.span_len[i], i);
	for (size_t i = first; st == PL_OK && clients && i < end; i++)
		st = train_add(ts, json_array_get(clients, i), i, &ctx->err);
	if (st == PL_ERR_INVALID && !ctx->err.pointer[0] &&
	    strcmp(ctx->err.message, "JSON syntax error") == 0) {
		/* A client span jansson rejects: report the document's line and column. */
		json_error_t jerr;
		json_t *all;
		errno = 0;
		all = json_loadb(in.text, in.len, JSON_REJECT_DUPLICATES, &jerr);
		if (!all)
			st = cli_load_failed(ctx, &jerr, errno, 0, 0) == CLI_EXIT_OK ? PL_OK : ctx->err.code;
		json_decref(all);
	}
	risk_input_release(&in);
	return cli_exit_for(st);
}

/* The JSON Lines form: one client a line, the options from flags. Under `dist` a first pass
 * counts the lines, the processes compare their counts (pl_comm_agree_count: a file that changed
 * between their passes is an error in each, never a split by different counts), and each process
 * then parses only its own; when every count fails (a read error), process 0 reads every line, to
 * meet the error where one process meets it; when only some fail (before or while counting), each
 * of those reports its own error and the others read nothing. */
static int read_lines_clients(cli_ctx *ctx, train_state *ts, const risk_dist *dist)
{
	size_t n = 0, first = 0, end = SIZE_MAX;
	pl_status st = pl_catalogue_init(&ts->cat, &ctx->err), agreed;

	if (st == PL_OK)
		st = pl_features_default(&ts->cat, &ts->features, &ts->nfeatures, &ctx->err);
	if (st == PL_OK)
		st = train_options_from_flags(ctx, &ts->opt);
	if (st == PL_OK)
		st = pl_risk_dataset_init(&ts->ds, ts->nfeatures, &ctx->err);
	ts->clients_ptr = "";
	if (dist) { /* collective: reached by every process, whatever st */
		pl_status count_st = st == PL_OK ? risk_count_lines(ctx, &n) : st;
		pl_error other = PL_ERROR_INIT; /* a process that failed before counting keeps its error */
		agreed = pl_comm_agree_count(dist->comm, n, count_st == PL_OK, &n,
					     st == PL_OK ? &ctx->err : &other);
		if (st == PL_OK)
			st = agreed;
		if (st == PL_OK && count_st != PL_OK && n != SIZE_MAX) /* the others could count */
			st = count_st;
	}
	if (st == PL_OK && dist && n != SIZE_MAX)
		train_share(ts, dist, n, &first, &end);
	else if (st == PL_OK && dist && dist->comm->rank != 0)
		end = 0;
	if (st == PL_OK)
		st = risk_read_lines_share(ctx, first, end, train_add, ts);
	if (st == PL_OK && (!dist || end == SIZE_MAX))
		ts->nall = ts->nclients; /* one process holds them all */
	return cli_exit_for(st);
}

/* The command's state across the steps of cli_run_job. */
typedef struct train_job {
	train_state ts;
	pl_risk_model model;
	const risk_dist *dist; /* NULL: this process alone */
} train_job;

/* Read every client and featurize them: parsing and featurizing are interleaved, so both go
 * to parse_ms (reported as features_ms). */
static int read_step(cli_ctx *ctx, void *state)
{
	train_job *j = state;
	const char *as_of = NULL;
	int32_t doc_as_of = 0;
	double t0 = cli_now_ms();
	int rc = ctx->jsonl ? read_lines_clients(ctx, &j->ts, j->dist)
			    : read_document_clients(ctx, &j->ts, j->dist, &as_of, &doc_as_of);

	/* Each process read its own clients: the first failing client (in input order) is in the
	 * lowest-numbered failing process. Parsing every client comes before featurizing any, as in
	 * one process, and featurizing starts with a collective step. */
	if (j->dist) {
		j->dist->held->held = j->ts.nclients;
		rc = j->dist->agree(j->dist->arg, ctx, rc);
	}
	if (rc == CLI_EXIT_OK)
		rc = cli_exit_for(train_featurize(&j->ts, as_of != NULL, doc_as_of, ctx, j->dist));
	if (j->dist)
		rc = j->dist->agree(j->dist->arg, ctx, rc);
	if (rc == CLI_EXIT_OK)
		ctx->parse_ms = cli_now_ms() - t0;
	return rc;
}

static pl_status solve_step(void *state, pl_error *err)
{
	train_job *j = state;
	return pl_risk_train_dist(&j->ts.ds, j->ts.nall, j->dist ? j->dist->comm : NULL, &j->ts.cat,
				  j->ts.features, &j->ts.opt, &j->model, err);
}

static pl_status answer_step(void *state, const pl_json_timings *t, json_t **answer,
			     pl_error *err)
{
	(void)err;
	*answer = pl_risk_model_to_json(&((train_job *)state)->model);
	return PL_OK;
}

static json_t *stats_step(void *state, const pl_json_timings *t)
{
	json_t *stats = json_object();

	(void)state;
	json_object_set_new(stats, "algorithm",
			    json_string("L2-regularized logistic regression (IRLS), "
					"grouped cross-validated calibration"));
	json_object_set_new(stats, "features_ms", json_real(t->parse_ms));
	json_object_set_new(stats, "solve_ms", json_real(t->solve_ms));
	return stats;
}

int cmd_risk_train(cli_ctx *ctx)
{
	return risk_train_run(ctx, NULL);
}

int risk_train_run(cli_ctx *ctx, const risk_dist *dist)
{
	static const cli_job job = { read_step, NULL, solve_step, answer_step, stats_step, 0, NULL,
				     NULL };
	train_job j;
	int rc;

	memset(&j, 0, sizeof(j));
	j.dist = dist;
	pl_risk_train_options_init(&j.ts.opt);
	rc = cli_run_job(ctx, &job, &j);
	pl_risk_model_release(&j.model);
	pl_risk_dataset_release(&j.ts.ds);
	train_clients_release(&j.ts);
	pl_catalogue_release(&j.ts.cat);
	free(j.ts.features);
	return rc;
}
