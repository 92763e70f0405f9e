/*
 * cmd_risk.c: `peerlink risk train` and `peerlink risk score`, the relapse-risk commands.
 *
 * Input  {"clients": [client, ...], "measures": {catalogue}, ...options} or, with --jsonl, one
 *        client object per line (options then come from flags). Clients are in the row or
 *        columnar form of include/peerlink/checkins.h.
 * train  -> the model file (docs/risk.md, "Model file").
 * score  -> {"clients": [{id, as_of, horizon_days, risk, tier, signals, contributions,
 *        data_quality}], "model": {...}, "stats": {...}}, or one result per line with --jsonl.
 *
 * Each client is parsed, featurized and freed in turn, so the JSON tree of one client is the
 * largest thing held besides the training rows. Scoring runs through risk_pipeline.c, which
 * parses and scores clients on a reader thread plus worker threads and writes them in input order.
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
typedef pl_status (*line_fn)(void *arg, json_t *obj, size_t index, pl_error *err);

static pl_status risk_read_lines(cli_ctx *ctx, line_fn fn, void *arg)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0, index = 0, len;
	pl_status st = PL_OK;
	int got;

	if (cli_open_input(ctx, &f) != CLI_EXIT_OK)
		return ctx->err.code;
	/* A read error or a line too long for memory is an error, never the end of the input. */
	while ((got = pl_json_read_line(f, &line, &cap, &len, index, &ctx->err)) > 0) {
		json_error_t jerr;
		json_t *obj;
		size_t k = 0;
		while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r' ||
					   line[k] == '\n'))
			k++;
		if (k == len) {
			index++;
			continue;
		}
		errno = 0;
		obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
		if (!obj) {
			cli_load_failed(ctx, &jerr, errno, 0, (long)index + 1);
			st = ctx->err.code;
			break;
		}
		st = fn(arg, obj, index, &ctx->err);
		json_decref(obj);
		if (st != PL_OK)
			break;
		index++;
	}
	if (got < 0)
		st = ctx->err.code;
	free(line);
	cli_close_input(f);
	return st;
}

/* ---------------------------------------------------------------- train */

typedef struct train_state {
	pl_catalogue cat;
	pl_feature_spec *features;
	size_t nfeatures;
	pl_risk_train_options opt;
	pl_risk_dataset ds;
	const char *clients_ptr; /* "/clients" or "" (JSON Lines: the line index is the first token) */
} train_state;

static pl_status train_add(void *arg, json_t *obj, size_t index, pl_error *err)
{
	train_state *ts = arg;
	char p[PL_POINTER_MAX];
	pl_client c = PL_CLIENT_INIT;
	pl_status st;

	st = pl_client_from_json(obj, &ts->cat, pl_json_ptr_index(p, sizeof(p), ts->clients_ptr, index),
				 &c, err);
	if (st == PL_OK)
		st = pl_risk_dataset_add_client(&ts->ds, &c, &ts->cat, ts->features, &ts->opt, err);
	pl_client_release(&c);
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
	st = pl_risk_dataset_add_client(&ts->ds, &c, &ts->cat, ts->features, &ts->opt, &ctx->err);
	pl_client_release(&c);
	return st;
}

/* Command-line options win over the document's; main.c has validated them. */
static pl_status train_options_from_flags(cli_ctx *ctx, pl_risk_train_options *o)
{
	if (cli_opt_given(ctx, "horizon"))
		o->horizon_days = (int)cli_opt_int(ctx, "horizon");
	if (cli_opt_given(ctx, "l2"))
		o->l2 = cli_opt_real(ctx, "l2");
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
	if (st == PL_OK)
		st = doc_double(doc, "l2", 0, 1e9, &o->l2, err);
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

int cmd_risk_train(cli_ctx *ctx)
{
	static const char *const keys[] = { "clients", "measures", "features", "horizon_days", "l2",
					    "calibration", "folds", "seed", "alert_rate",
					    "sensitivity", "min_checkins", "stride", "stats", NULL };
	train_state ts;
	json_t *doc = NULL, *clients = NULL;
	risk_input in;
	pl_risk_model model;
	pl_status st;
	double t0, solve_ms;
	int rc;

	memset(&ts, 0, sizeof(ts));
	memset(&in, 0, sizeof(in));
	memset(&model, 0, sizeof(model));
	pl_risk_train_options_init(&ts.opt);
	t0 = cli_now_ms();
	if (ctx->jsonl) {
		st = pl_catalogue_init(&ts.cat, &ctx->err);
		if (st == PL_OK)
			st = pl_features_default(&ts.cat, &ts.features, &ts.nfeatures, &ctx->err);
		if (st == PL_OK)
			st = train_options_from_flags(ctx, &ts.opt);
		if (st == PL_OK)
			st = pl_risk_dataset_init(&ts.ds, ts.nfeatures, &ctx->err);
		ts.clients_ptr = "";
		if (st == PL_OK)
			st = risk_read_lines(ctx, train_add, &ts);
		if (st != PL_OK)
			goto fail;
	} else {
		/* Cut into client spans (risk_pipeline.c) so no tree of all clients is ever built. */
		rc = risk_read_document(ctx, &in);
		if (rc != CLI_EXIT_OK)
			goto out;
		doc = in.doc;
		st = pl_json_check_keys(doc, "", keys, &ctx->err);
		if (st == PL_OK)
			st = pl_catalogue_from_json(&ts.cat, json_object_get(doc, "measures"), "/measures",
						    &ctx->err);
		if (st == PL_OK)
			st = pl_features_default(&ts.cat, &ts.features, &ts.nfeatures, &ctx->err);
		if (st == PL_OK)
			st = train_options_from_doc(doc, &ts, &ctx->err);
		if (st == PL_OK)
			st = train_options_from_flags(ctx, &ts.opt); /* flags win over the document */
		if (st == PL_OK && !in.have_clients)
			st = pl_json_get_array(doc, "clients", "", 1, &clients, &ctx->err);
		if (st == PL_OK)
			st = pl_risk_dataset_init(&ts.ds, ts.nfeatures, &ctx->err);
		ts.clients_ptr = "/clients";
		for (size_t i = 0; st == PL_OK && i < in.nspans; i++)
			st = train_add_text(&ts, ctx, in.spans[i], in.span_len[i], i);
		for (size_t i = 0; st == PL_OK && i < json_array_size(clients); i++)
			st = train_add(&ts, json_array_get(clients, i), i, &ctx->err);
		if (st == PL_ERR_INVALID && !ctx->err.pointer[0] &&
		    strcmp(ctx->err.message, "JSON syntax error") == 0) {
			/* A client span jansson rejects: report the document's line and column. */
			json_error_t jerr;
			json_t *all;
			errno = 0;
			all = json_loadb(in.text, in.len, JSON_REJECT_DUPLICATES, &jerr);
			if (!all)
				st = cli_load_failed(ctx, &jerr, errno, 0, 0) == CLI_EXIT_OK ? PL_OK
											: ctx->err.code;
			json_decref(all);
		}
		risk_input_release(&in);
		doc = NULL;
		if (st != PL_OK)
			goto fail;
	}
	ctx->parse_ms = cli_now_ms() - t0; /* parsing and featurizing: they are interleaved */
	t0 = cli_now_ms();
	st = pl_risk_train(&ts.ds, &ts.cat, ts.features, &ts.opt, &model, &ctx->err);
	if (st != PL_OK)
		goto fail;
	solve_ms = cli_now_ms() - t0;
	{
		json_t *out = pl_risk_model_to_json(&model), *stats = json_object();
		json_object_set_new(stats, "algorithm",
				    json_string("L2-regularized logistic regression (IRLS), "
						"grouped cross-validated calibration"));
		json_object_set_new(stats, "features_ms", json_real(cli_ms(ctx, ctx->parse_ms)));
		json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, solve_ms)));
		json_object_set_new(out, "stats", stats);
		rc = cli_write_output(ctx, out);
	}
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	risk_input_release(&in);
	pl_risk_model_release(&model);
	pl_risk_dataset_release(&ts.ds);
	pl_catalogue_release(&ts.cat);
	free(ts.features);
	return rc;
}

/* ---------------------------------------------------------------- score */

static double round6(double x)
{
	return round(x * 1e6) / 1e6 + 0.0;
}

static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(round6(x)) : json_null();
}

static json_t *date_json(int32_t day)
{
	char buf[11];
	if (day == INT32_MIN)
		return json_null();
	pl_date_format(day, buf);
	return json_string(buf);
}

static json_t *signal_json(const pl_signal *sg, const pl_catalogue *cat)
{
	char text[256];
	json_t *o = json_object();

	json_object_set_new(o, "kind", json_string(pl_signal_kind_name(sg->kind)));
	if (sg->measure >= 0)
		json_object_set_new(o, "measure", json_string(cat->defs[sg->measure].name));
	switch (sg->kind) {
	case PL_SIG_RISING_VARIANCE:
	case PL_SIG_RISING_AR1:
		json_object_set_new(o, "kendall_tau", jnum(sg->value));
		break;
	case PL_SIG_CHANGE_POINT:
		json_object_set_new(o, "probability", jnum(sg->value));
		json_object_set_new(o, "days_ago", json_integer(sg->days_ago));
		break;
	case PL_SIG_EWMA_ALARM:
	case PL_SIG_CUSUM_ALARM:
		json_object_set_new(o, "statistic", jnum(sg->value));
		json_object_set_new(o, "limit", jnum(sg->value2));
		break;
	case PL_SIG_WORSENING_TREND:
		json_object_set_new(o, "slope_per_day", jnum(sg->value));
		break;
	case PL_SIG_MISSED_STREAK:
		json_object_set_new(o, "days", jnum(sg->value));
		break;
	case PL_SIG_FALLING_RATE:
		json_object_set_new(o, "rate_last_14", jnum(sg->value));
		json_object_set_new(o, "rate_previous_14", jnum(sg->value2));
		break;
	case PL_SIG_LOW_RATE:
		json_object_set_new(o, "rate_last_28", jnum(sg->value));
		break;
	case PL_SIG_REPORTED_USE:
		json_object_set_new(o, "days", jnum(sg->value));
		break;
	case PL_SIG_RECENT_LAPSE:
		json_object_set_new(o, "days_since", jnum(sg->value));
		break;
	}
	pl_signal_describe(sg, cat, text, sizeof(text));
	json_object_set_new(o, "text", json_string(text));
	return o;
}

typedef struct contrib_rank {
	double abs;
	size_t j;
} contrib_rank;

static int cmp_contrib(const void *a, const void *b)
{
	const contrib_rank *x = a, *y = b;
	if (x->abs != y->abs)
		return x->abs < y->abs ? 1 : -1;
	return x->j < y->j ? -1 : x->j > y->j;
}

json_t *risk_score_one(const risk_scorer *s, json_t *obj, const char *ptr, risk_tally *tally,
		       pl_error *err)
{
	pl_client c = PL_CLIENT_INIT;
	json_t *o;

	if (pl_client_from_json(obj, &s->model.catalogue, ptr, &c, err) != PL_OK)
		return NULL;
	o = risk_score_client(s, &c, tally, err);
	pl_client_release(&c);
	return o;
}

json_t *risk_score_client(const risk_scorer *s, const pl_client *cp, risk_tally *tally,
			  pl_error *err)
{
	const pl_risk_model *m = &s->model;
	const pl_client c = *cp;
	pl_risk_result r;
	json_t *o = NULL, *sig, *dq;
	pl_status st;

	memset(&r, 0, sizeof(r));
	st = pl_risk_score(m, &c, s->as_of, &r, err);
	if (st != PL_OK)
		goto out;
	o = json_object();
	json_object_set_new(o, "id", json_string(c.id));
	json_object_set_new(o, "as_of", date_json(r.as_of));
	json_object_set_new(o, "horizon_days", json_integer(m->horizon_days));
	json_object_set_new(o, "risk", r.has_risk ? jnum(r.risk) : json_null());
	json_object_set_new(o, "tier", r.has_risk ? json_string(pl_risk_tier_name(r.tier)) : json_null());
	if (!r.has_risk)
		json_object_set_new(o, "reason", json_string(r.reason));
	sig = json_array();
	for (size_t k = 0; k < r.nsignals; k++)
		json_array_append_new(sig, signal_json(&r.signals[k], &m->catalogue));
	json_object_set_new(o, "signals", sig);
	if (r.has_risk) {
		size_t nf = m->nfeatures, shown = s->top > 0 && (size_t)s->top < nf ? (size_t)s->top : nf;
		contrib_rank *rank = malloc(nf * sizeof(*rank));
		json_t *arr = json_array();
		double total = 0;
		if (!rank) {
			json_decref(arr);
			json_decref(o);
			o = NULL;
			pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
			goto out;
		}
		for (size_t j = 0; j < nf; j++) {
			rank[j].abs = fabs(r.contrib[j]);
			rank[j].j = j;
			total += rank[j].abs;
		}
		qsort(rank, nf, sizeof(*rank), cmp_contrib);
		for (size_t k = 0; k < shown; k++) {
			size_t j = rank[k].j;
			char name[2 * PL_MEASURE_NAME_MAX];
			json_t *e = json_object();
			pl_feature_name(&m->features[j], &m->catalogue, name, sizeof(name));
			json_object_set_new(e, "feature", json_string(name));
			json_object_set_new(e, "value", jnum(r.features[j]));
			json_object_set_new(e, "contribution", jnum(r.contrib[j]));
			json_object_set_new(e, "share", jnum(total > 0 ? r.contrib[j] / total : 0.0));
			json_array_append_new(arr, e);
		}
		free(rank);
		json_object_set_new(o, "contributions", arr);
	} else {
		json_object_set_new(o, "contributions", json_array());
	}
	dq = json_object();
	json_object_set_new(dq, "first_checkin", date_json(r.dq.first_day));
	json_object_set_new(dq, "days_in_range", json_integer((json_int_t)r.dq.days_in_range));
	json_object_set_new(dq, "days_observed", json_integer((json_int_t)r.dq.days_observed));
	json_object_set_new(dq, "coverage", jnum(r.dq.coverage));
	json_object_set_new(dq, "longest_gap", json_integer((json_int_t)r.dq.longest_gap));
	json_object_set_new(dq, "checkins_last_14", json_integer((json_int_t)r.dq.checkins_last_14));
	json_object_set_new(o, "data_quality", dq);
	if (tally) {
		tally->clients++;
		tally->scored += (size_t)r.has_risk;
		if (r.has_risk)
			tally->tiers[r.tier]++;
		for (size_t d = 0; d < c.ndays; d++)
			tally->checkins += c.checked_in[d];
	}
out:
	pl_risk_result_release(&r);
	return o;
}

/* The default model: $PEERLINK_MODEL, else models/default.json in the data directory. */
static char *default_model_path(void)
{
	const char *env = getenv("PEERLINK_MODEL");

	if (env && *env)
		return strdup(env);
	return cli_data_file("models/default.json");
}

static pl_status load_model(cli_ctx *ctx, pl_risk_model *m)
{
	const char *given = cli_opt_str(ctx, "model");
	char *path = given ? strdup(given) : default_model_path();
	pl_status st;

	if (!path)
		return pl_error_set(&ctx->err, PL_ERR_IO, "",
				    "no default model found (models/default.json in the data "
				    "directory, see peerlink(1) FILES); give --model FILE");
	st = pl_risk_model_read_file(path, m, &ctx->err);
	free(path);
	return st;
}

/* Add the document's own catalogue to the model's (same names must mean the same thing). */
static pl_status merge_catalogue(pl_risk_model *m, json_t *measures, pl_error *err)
{
	pl_catalogue extra = PL_CATALOGUE_INIT;
	pl_status st = pl_catalogue_from_json(&extra, measures, "/measures", err);

	for (size_t k = PL_M_NSTANDARD; st == PL_OK && k < extra.n; k++) {
		char p[PL_POINTER_MAX];
		st = pl_catalogue_add(&m->catalogue, &extra.defs[k],
				      pl_json_ptr(p, sizeof(p), "/measures", extra.defs[k].name), err);
	}
	pl_catalogue_release(&extra);
	return st;
}

/* Answers in input order: trees (for --pretty) or compact texts. */
typedef struct collect_state {
	json_t *arr;
	char **texts;
	size_t n, cap;
} collect_state;

static pl_status collect(void *arg, json_t *answer, char *text, pl_error *err)
{
	collect_state *cs = arg;
	if (answer) {
		json_array_append_new(cs->arr, answer);
		return PL_OK;
	}
	if (cs->n == cs->cap) {
		size_t nc = cs->cap ? 2 * cs->cap : 1024;
		char **nt = realloc(cs->texts, nc * sizeof(*nt));
		if (!nt) {
			free(text);
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		}
		cs->texts = nt;
		cs->cap = nc;
	}
	cs->texts[cs->n++] = text;
	return PL_OK;
}

/* --jsonl answers: one line each through the CLI's writer, flushed per client. */
typedef struct line_sink {
	cli_ctx *ctx;
	cli_out out;
} line_sink;

static pl_status write_line(void *arg, json_t *answer, char *text, pl_error *err)
{
	line_sink *ls = arg;
	(void)answer;
	(void)err; /* cli_out_record reports into ls->ctx->err, which is err */
	cli_out_text(&ls->out, text);
	cli_out_text(&ls->out, "\n");
	free(text);
	return cli_out_record(ls->ctx, &ls->out) == CLI_EXIT_OK ? PL_OK : ls->ctx->err.code;
}

/* The compact document {"clients":[texts...], <rest>} written piece by piece: byte for byte what
 * jansson would print for the whole tree. */
static int write_compact(cli_ctx *ctx, collect_state *cs, json_t *rest)
{
	char *tail = json_dumps(rest, JSON_COMPACT | JSON_REAL_PRECISION(15));
	char **pieces = malloc((2 * cs->n + 3) * sizeof(char *));
	size_t np = 0;
	int rc;

	if (!tail || !pieces) {
		free(tail);
		free(pieces);
		return cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
	}
	pieces[np++] = (char *)"{\"clients\":[";
	for (size_t k = 0; k < cs->n; k++) {
		if (k)
			pieces[np++] = (char *)",";
		pieces[np++] = cs->texts[k];
	}
	/* rest is "{...}" (or "{}"): continue after its opening brace. */
	pieces[np++] = (char *)(strcmp(tail, "{}") == 0 ? "]" : "],");
	pieces[np++] = tail + 1;
	rc = cli_out_pieces(ctx, pieces, np);
	free(pieces);
	free(tail);
	return rc;
}

int cmd_risk_score(cli_ctx *ctx)
{
	static const char *const keys[] = { "clients", "measures", "as_of", "top_contributions",
					    "stats", NULL };
	risk_scorer s;
	risk_tally tally;
	json_t *doc = NULL, *clients = NULL;
	const char *as_of = NULL;
	collect_state cs = { NULL };
	risk_input in;
	pl_status st;
	double t0, t_all = cli_now_ms();
	int rc;

	memset(&s, 0, sizeof(s));
	memset(&tally, 0, sizeof(tally));
	memset(&in, 0, sizeof(in));
	s.as_of = INT32_MIN;
	s.top = 10;
	s.serialize = ctx->jsonl || !ctx->pretty;
	st = load_model(ctx, &s.model);
	if (st != PL_OK)
		goto fail;
	if (!ctx->jsonl) {
		long long top = s.top;
		rc = risk_read_document(ctx, &in);
		if (rc != CLI_EXIT_OK)
			goto out;
		doc = in.doc; /* borrowed: `in` owns it */
		t0 = cli_now_ms();
		st = pl_json_check_keys(doc, "", keys, &ctx->err);
		if (st == PL_OK)
			st = merge_catalogue(&s.model, json_object_get(doc, "measures"), &ctx->err);
		if (st == PL_OK)
			st = pl_json_get_string(doc, "as_of", "", 0, &as_of, &ctx->err);
		if (st == PL_OK && as_of && pl_date_parse(as_of, &s.as_of) != 0)
			st = pl_error_set(&ctx->err, PL_ERR_INVALID, "/as_of",
					  "'as_of' must be a calendar date \"YYYY-MM-DD\"");
		if (st == PL_OK)
			st = pl_json_get_integer(doc, "top_contributions", "", 0, &top, &ctx->err);
		if (st == PL_OK && (top < 0 || top > 100000))
			st = pl_error_set(&ctx->err, PL_ERR_INVALID, "/top_contributions",
					  "'top_contributions' must be an integer from 0 (all) up");
		s.top = (int)top;
		if (st == PL_OK && !in.have_clients)
			st = pl_json_get_array(doc, "clients", "", 1, &clients, &ctx->err);
		if (st != PL_OK)
			goto fail;
		ctx->parse_ms += cli_now_ms() - t0;
	}
	if (cli_opt_given(ctx, "as-of"))
		s.as_of = (int32_t)cli_opt_int(ctx, "as-of");
	if (cli_opt_given(ctx, "top"))
		s.top = (int)cli_opt_int(ctx, "top");
	t0 = cli_now_ms();
	if (ctx->jsonl) {
		line_sink ls = { ctx, { NULL } };
		if ((rc = cli_out_open(ctx, &ls.out)) != CLI_EXIT_OK)
			goto out;
		st = risk_score_stream(ctx, &s, NULL, NULL, write_line, &ls, &tally, &ctx->err);
		rc = st == PL_OK ? cli_out_close(ctx, &ls.out) : cli_exit_for(st);
		cli_out_abandon(&ls.out); /* after an error: no partial file */
		goto out;
	}
	cs.arr = s.serialize ? NULL : json_array();
	st = risk_score_stream(ctx, &s, &in, clients, collect, &cs, &tally, &ctx->err);
	risk_input_release(&in);
	doc = NULL;
	if (st != PL_OK)
		goto fail;
	{
		json_t *out = json_object(), *model = json_object(), *stats = json_object(), *tiers;
		double solve_ms = cli_now_ms() - t0;
		if (cs.arr) {
			json_object_set_new(out, "clients", cs.arr);
			cs.arr = NULL;
		}
		json_object_set_new(model, "version", json_integer(s.model.version));
		json_object_set_new(model, "horizon_days", json_integer(s.model.horizon_days));
		json_object_set_new(model, "features", json_integer((json_int_t)s.model.nfeatures));
		json_object_set_new(model, "calibration",
				    json_string(s.model.cal.method == PL_CAL_PLATT      ? "platt"
						: s.model.cal.method == PL_CAL_ISOTONIC ? "isotonic"
											: "none"));
		json_object_set_new(model, "thresholds",
				    json_pack("{s:o,s:o}", "moderate", jnum(s.model.threshold_moderate),
					      "high", jnum(s.model.threshold_high)));
		json_object_set_new(out, "model", model);
		json_object_set_new(stats, "algorithm",
				    json_string("calibrated logistic risk model over check-in features"));
		json_object_set_new(stats, "clients", json_integer((json_int_t)tally.clients));
		json_object_set_new(stats, "scored", json_integer((json_int_t)tally.scored));
		tiers = json_object();
		for (int k = 0; k < 3; k++)
			json_object_set_new(tiers, pl_risk_tier_name(k),
					    json_integer((json_int_t)tally.tiers[k]));
		json_object_set_new(stats, "tiers", tiers);
		json_object_set_new(stats, "checkins", json_integer((json_int_t)tally.checkins));
		json_object_set_new(stats, "parse_ms", json_real(cli_ms(ctx, ctx->parse_ms)));
		json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, solve_ms)));
		json_object_set_new(stats, "total_ms", json_real(cli_ms(ctx, cli_now_ms() - t_all)));
		json_object_set_new(out, "stats", stats);
		if (s.serialize) {
			rc = write_compact(ctx, &cs, out);
			json_decref(out);
		} else {
			rc = cli_write_output(ctx, out);
		}
	}
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	json_decref(cs.arr);
	for (size_t k = 0; k < cs.n; k++)
		free(cs.texts[k]);
	free(cs.texts);
	risk_input_release(&in);
	pl_risk_model_release(&s.model);
	return rc;
}
