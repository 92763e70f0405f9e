/*
 * risk_evaluate.c: `peerlink risk evaluate`: how good is a risk model on labelled clients?
 *
 * Input: the risk input document ({"clients", "measures"}) or --jsonl lines, with events (the
 * labels come from them) and optionally each client's "attributes" (subgroups) and "truth"
 * (the oracle). Scores come from a model file (--model) or from client-grouped k-fold
 * cross-validation (--cv k, seeded): each fold's model is trained with the default recipe of
 * `risk train` on the other folds and scores the held-out clients, so every client is scored by a
 * model that never saw it. Rows are the client-days with a defined label (a lapse within the
 * horizon, follow-up complete) and a defined risk; baselines and the oracle are scored on exactly
 * those rows, so their numbers compare like with like.
 *
 * Output: every metric of engine/risk/metrics.c with a cluster-bootstrap 95% interval, the reliability
 * table, per-subgroup breakdowns, the oracle's AUROC when truth is present, and with --baselines
 * three simple baselines (docs/datasets.md, "risk evaluate").
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <peerlink/rng.h>
#include <peerlink/checkins.h>
#include <peerlink/json_risk.h>
#include <peerlink/metrics.h>
#include <peerlink/risk.h>

typedef struct eval_client {
	pl_client c;
	json_t *attributes;  /* new reference or NULL */
	double *hazard;      /* truth.hazard aligned with grid day 0, or NULL */
	size_t nhazard;
} eval_client;

typedef struct eval_set {
	pl_catalogue cat;
	eval_client *cl;
	size_t n, cap;
	size_t with_truth;
	const char *clients_ptr;
} eval_set;

static void eval_set_release(eval_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		pl_client_release(&s->cl[i].c);
		json_decref(s->cl[i].attributes);
		free(s->cl[i].hazard);
	}
	free(s->cl);
	pl_catalogue_release(&s->cat);
	memset(s, 0, sizeof(*s));
}

/* Parse one client, its attributes and its truth. */
static pl_status add_client(eval_set *s, json_t *obj, size_t index, pl_error *err)
{
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	eval_client *e;
	json_t *attrs, *truth, *hz;
	pl_status st;

	if (s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 64;
		eval_client *n = realloc(s->cl, nc * sizeof(*n));
		if (!n)
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		s->cl = n;
		s->cap = nc;
	}
	e = &s->cl[s->n];
	memset(e, 0, sizeof(*e));
	pl_json_ptr_index(p, sizeof(p), s->clients_ptr, index);
	st = pl_client_from_json(obj, &s->cat, p, &e->c, err);
	if (st != PL_OK)
		return st;
	s->n++; /* owned from here: released with the set */
	attrs = json_object_get(obj, "attributes");
	if (attrs && !json_is_null(attrs)) {
		const char *key;
		json_t *v;
		if (!json_is_object(attrs))
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof(q), p, "attributes"),
					    "attributes must be an object");
		json_object_foreach(attrs, key, v) {
			if (!json_is_string(v) && !json_is_number(v) && !json_is_boolean(v)) {
				pl_json_ptr(q, sizeof(q), p, "attributes");
				pl_pointer_append(q, sizeof(q), key);
				return pl_error_set(err, PL_ERR_INVALID, q,
						    "an attribute must be a string, a number or a boolean");
			}
		}
		e->attributes = json_incref(attrs);
	}
	truth = json_object_get(obj, "truth");
	if (truth && !json_is_null(truth)) {
		size_t i;
		json_t *x;
		pl_json_ptr(q, sizeof(q), p, "truth");
		if (!json_is_object(truth))
			return pl_error_set(err, PL_ERR_INVALID, q, "truth must be an object");
		hz = json_object_get(truth, "hazard");
		pl_pointer_append(q, sizeof(q), "hazard");
		if (!json_is_array(hz))
			return pl_error_set(err, PL_ERR_INVALID, q, "truth.hazard must be an array");
		e->nhazard = json_array_size(hz);
		e->hazard = malloc((e->nhazard ? e->nhazard : 1) * sizeof(double));
		if (!e->hazard)
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		json_array_foreach(hz, i, x) {
			if (json_is_null(x)) {
				e->hazard[i] = NAN;
			} else if (json_is_number(x) && json_number_value(x) >= 0 && json_number_value(x) <= 1) {
				e->hazard[i] = json_number_value(x);
			} else {
				pl_pointer_append_index(q, sizeof(q), i);
				return pl_error_set(err, PL_ERR_INVALID, q,
						    "a true hazard must be a probability in [0, 1] or null");
			}
		}
		s->with_truth++;
	}
	return PL_OK;
}

static pl_status read_lines(cli_ctx *ctx, eval_set *s)
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
		while (k < len && strchr(" \t\r\n", line[k]))
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
		st = add_client(s, obj, index, &ctx->err);
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

/* ---- rows ---- */

typedef struct rows {
	size_t n, cap;
	double *risk, *oracle, *oracle_window, *last_craving, *missed, *ews;
	uint8_t *label;
	int8_t *tier;
	int32_t *day;
	size_t *row_first;     /* nclients + 1 */
	size_t *lapse_first;   /* nclients + 1 */
	int32_t *lapse_day;
	size_t nlapses;
	size_t unlabelled, unscored;
} rows;

static void rows_release(rows *r)
{
	free(r->risk);
	free(r->oracle);
	free(r->oracle_window);
	free(r->last_craving);
	free(r->missed);
	free(r->ews);
	free(r->label);
	free(r->tier);
	free(r->day);
	free(r->row_first);
	free(r->lapse_first);
	free(r->lapse_day);
	memset(r, 0, sizeof(*r));
}

static int rows_reserve(rows *r, size_t more)
{
	size_t need = r->n + more, nc;
	if (need <= r->cap)
		return 0;
	nc = r->cap ? r->cap : 4096;
	while (nc < need)
		nc *= 2;
#define GROW(f) do { void *p_ = realloc(r->f, nc * sizeof(*r->f)); if (!p_) return -1; r->f = p_; } while (0)
	GROW(risk);
	GROW(oracle);
	GROW(oracle_window);
	GROW(last_craving);
	GROW(missed);
	GROW(ews);
	GROW(label);
	GROW(tier);
	GROW(day);
#undef GROW
	r->cap = nc;
	return 0;
}

/* The EWS-only baseline: mean of the Kendall trends of rolling variance and lag-1
 * autocorrelation over the numeric standard measures (Dakos et al., PLoS ONE 2012). */
static const char *const ews_features[] = {
	"craving.var_tau", "craving.ar1_tau", "mood.var_tau", "mood.ar1_tau",
	"stress.var_tau", "stress.ar1_tau", "anxiety.var_tau", "anxiety.ar1_tau",
	"sleep_hours.var_tau", "sleep_hours.ar1_tau", "sleep_quality.var_tau", "sleep_quality.ar1_tau",
};
#define NEWS (sizeof(ews_features) / sizeof(ews_features[0]))

/* Append client ci's rows given its daily risk and tier (grid-aligned). */
static pl_status add_rows(rows *r, const eval_set *s, size_t ci, const double *risk,
			  const int8_t *tier, int horizon, int baselines, const pl_feature_spec *ews,
			  pl_error *err)
{
	const eval_client *e = &s->cl[ci];
	const pl_client *c = &e->c;
	int32_t follow_end = c->start + (int32_t)c->ndays - 1;
	double *ewsv = NULL, last_crav = -1;
	long last_checkin = -1;

	r->row_first[ci] = r->n;
	if (rows_reserve(r, c->ndays))
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if (baselines && c->ndays) {
		ewsv = malloc(c->ndays * NEWS * sizeof(double));
		if (!ewsv)
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		if (pl_features_compute(c, &s->cat, ews, NEWS, c->start, follow_end, ewsv, err) != PL_OK) {
			free(ewsv);
			return err->code;
		}
	}
	for (size_t t = 0; t < c->ndays; t++) {
		int32_t day = c->start + (int32_t)t;
		int lab = pl_client_label(c, day, horizon, follow_end);
		double cr = c->values[PL_M_CRAVING * c->ndays + t];
		size_t k;

		if (!isnan(cr))
			last_crav = cr;
		if (c->checked_in[t])
			last_checkin = (long)t;
		if (lab < 0) {
			r->unlabelled++;
			continue;
		}
		if (isnan(risk[t])) {
			r->unscored++;
			continue;
		}
		k = r->n++;
		r->risk[k] = risk[t];
		r->tier[k] = tier[t];
		r->label[k] = (uint8_t)lab;
		r->day[k] = day;
		r->oracle[k] = e->hazard && t < e->nhazard ? e->hazard[t] : NAN;
		r->oracle_window[k] = NAN;
		if (e->hazard && t < e->nhazard) {
			/* a positive label near the end of follow-up has a window cut short: use the
			 * hazards that exist */
			double surv = 1;
			for (size_t h = 1; h <= (size_t)horizon && t + h < e->nhazard; h++)
				surv *= 1 - e->hazard[t + h];
			r->oracle_window[k] = 1 - surv;
		}
		r->last_craving[k] = last_crav;
		r->missed[k] = (double)((long)t - last_checkin);
		r->ews[k] = -2;
		if (ewsv) {
			double sum = 0;
			int cnt = 0;
			for (size_t j = 0; j < NEWS; j++)
				if (!isnan(ewsv[t * NEWS + j])) {
					sum += ewsv[t * NEWS + j];
					cnt++;
				}
			if (cnt)
				r->ews[k] = sum / cnt;
		}
	}
	free(ewsv);
	return PL_OK;
}

/* ---- JSON of a report ---- */

static json_t *num(double x)
{
	char buf[40];
	if (!isfinite(x))
		return json_null();
	snprintf(buf, sizeof(buf), "%.6g", x);
	return json_real(strtod(buf, NULL) + 0.0);
}

static json_t *with_ci(const pl_metrics_report *r, int m)
{
	json_t *o = json_object();
	json_object_set_new(o, "value", num(r->value[m]));
	if (isnan(r->lo[m])) {
		json_object_set_new(o, "ci", json_null());
	} else {
		json_t *ci = json_array();
		json_array_append_new(ci, num(r->lo[m]));
		json_array_append_new(ci, num(r->hi[m]));
		json_object_set_new(o, "ci", ci);
	}
	return o;
}

/* Metrics named "a.b" nest as {"a": {"b": ...}}. */
static void put_metric(json_t *o, const pl_metrics_report *r, int m)
{
	const char *name = pl_metric_name(m), *dot = strchr(name, '.');
	if (!dot) {
		json_object_set_new(o, name, with_ci(r, m));
	} else {
		char head[32];
		json_t *sub;
		snprintf(head, sizeof(head), "%.*s", (int)(dot - name), name);
		sub = json_object_get(o, head);
		if (!sub) {
			sub = json_object();
			json_object_set_new(o, head, sub);
		}
		json_object_set_new(sub, dot + 1, with_ci(r, m));
	}
}

static json_t *report_json(const pl_metrics_report *r, int full)
{
	json_t *o = json_object();

	json_object_set_new(o, "clients", json_integer((json_int_t)r->clients));
	json_object_set_new(o, "rows", json_integer((json_int_t)r->rows));
	json_object_set_new(o, "positives", json_integer((json_int_t)r->positives));
	if (!full) {
		put_metric(o, r, PL_MET_AUROC);
		put_metric(o, r, PL_MET_AUPRC);
		put_metric(o, r, PL_MET_BUDGET_THRESHOLD);
		put_metric(o, r, PL_MET_BUDGET_SENS);
		put_metric(o, r, PL_MET_BUDGET_PPV);
		return o;
	}
	for (int m = 0; m < PL_MET_COUNT; m++)
		put_metric(o, r, m);
	{
		json_t *l = json_object();
		json_object_set_new(l, "evaluable", json_integer((json_int_t)r->lapses_evaluable));
		json_object_set_new(l, "detected", json_integer((json_int_t)r->lapses_detected));
		json_object_set_new(o, "lapses", l);
	}
	if (r->bins) {
		json_t *tab = json_array();
		for (size_t b = 0; b < r->nbins; b++) {
			json_t *bin = json_object(), *bounds = json_array();
			json_array_append_new(bounds, num(r->bins[b].lo));
			json_array_append_new(bounds, num(r->bins[b].hi));
			json_object_set_new(bin, "bin", bounds);
			json_object_set_new(bin, "n", json_integer((json_int_t)r->bins[b].n));
			json_object_set_new(bin, "mean_predicted", num(r->bins[b].mean_predicted));
			json_object_set_new(bin, "observed_rate", num(r->bins[b].observed_rate));
			json_array_append_new(tab, bin);
		}
		json_object_set_new(o, "reliability", tab);
	}
	return o;
}

/* Score every client with one model: risk and tier per grid day. */
static pl_status score_client(const pl_risk_model *m, const pl_client *c, double *risk,
			      int8_t *tier, pl_error *err)
{
	pl_status st;
	if (!c->ndays)
		return PL_OK;
	st = pl_risk_predict_days(m, c, c->start, c->start + (int32_t)c->ndays - 1, risk, err);
	if (st != PL_OK)
		return st;
	for (size_t t = 0; t < c->ndays; t++)
		tier[t] = (int8_t)(isnan(risk[t]) ? -1 : pl_risk_model_tier(m, risk[t]));
	return PL_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An attribute value as text ("true", "3", "woman"). */
static void attr_text(json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		snprintf(buf, size, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, size, "%g", json_real_value(v));
	else
		snprintf(buf, size, "%s", json_is_true(v) ? "true" : "false");
}

static json_t *subgroups_json(const eval_set *s, const pl_eval_data *d,
			      const pl_metrics_options *o, pl_error *err, pl_status *st)
{
	json_t *names = json_object(), *out = json_object();
	const char **keys = NULL;
	size_t nkeys = 0, *list = malloc((s->n ? s->n : 1) * sizeof(size_t));

	*st = PL_OK;
	/* every attribute name, and per name every value */
	for (size_t i = 0; i < s->n; i++) {
		const char *key;
		json_t *v;
		json_object_foreach(s->cl[i].attributes, key, v) {
			char text[256];
			json_t *vals = json_object_get(names, key);
			if (!vals) {
				vals = json_object();
				json_object_set_new(names, key, vals);
			}
			attr_text(v, text, sizeof(text));
			json_object_set_new(vals, text, json_true());
		}
	}
	keys = malloc((json_object_size(names) + 1) * sizeof(char *));
	if (!keys || !list) {
		*st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto done;
	}
	{
		const char *key;
		json_t *v;
		json_object_foreach(names, key, v)
			keys[nkeys++] = key;
	}
	qsort(keys, nkeys, sizeof(char *), cmp_str);
	for (size_t k = 0; k < nkeys; k++) {
		json_t *vals = json_object_get(names, keys[k]), *group = json_object(), *x;
		const char **vnames = malloc((json_object_size(vals) + 1) * sizeof(char *)), *vk;
		size_t nv = 0;
		if (!vnames) {
			json_decref(group);
			*st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
			goto done;
		}
		json_object_foreach(vals, vk, x)
			vnames[nv++] = vk;
		qsort(vnames, nv, sizeof(char *), cmp_str);
		for (size_t j = 0; j < nv; j++) {
			pl_metrics_report r = PL_METRICS_REPORT_INIT;
			size_t nl = 0;
			for (size_t i = 0; i < s->n; i++) {
				json_t *v = json_object_get(s->cl[i].attributes, keys[k]);
				char text[256];
				if (!v)
					continue;
				attr_text(v, text, sizeof(text));
				if (strcmp(text, vnames[j]) == 0)
					list[nl++] = i;
			}
			*st = pl_metrics_report_compute(d, list, nl, o, &r, err);
			if (*st != PL_OK) {
				free(vnames);
				json_decref(group);
				goto done;
			}
			json_object_set_new(group, vnames[j], report_json(&r, 1));
			pl_metrics_report_release(&r);
		}
		free(vnames);
		json_object_set_new(out, keys[k], group);
	}
done:
	free(keys);
	free(list);
	json_decref(names);
	if (*st != PL_OK) {
		json_decref(out);
		return NULL;
	}
	return out;
}

int cmd_risk_evaluate(cli_ctx *ctx)
{
	static const char *const keys[] = { "clients", "measures", "stats", NULL };
	eval_set s;
	rows r;
	pl_risk_model model;
	pl_risk_model *fold_models = NULL;
	pl_feature_spec *features = NULL, ews[NEWS];
	size_t nfeatures = 0;
	pl_metrics_options mo;
	pl_metrics_report rep = PL_METRICS_REPORT_INIT;
	json_t *doc = NULL, *clients = NULL, *out = NULL, *stats, *thr;
	const char *model_path = cli_opt_str(ctx, "model");
	long cv = (long)cli_opt_int(ctx, "cv"), horizon = (long)cli_opt_int(ctx, "horizon");
	long bootstrap = (long)cli_opt_int(ctx, "bootstrap"), lead = (long)cli_opt_int(ctx, "lead-window");
	long stride = (long)cli_opt_int(ctx, "stride");
	double budget = cli_opt_real(ctx, "budget"), t0, parse_t;
	int baselines = cli_opt_flag(ctx, "baselines"), rc;
	pl_status st = PL_OK;
	double *risk = NULL;
	int8_t *tier = NULL;
	size_t maxdays = 0;
	unsigned long seed = ctx->have_seed ? ctx->seed : 1;

	memset(&s, 0, sizeof(s));
	memset(&r, 0, sizeof(r));
	memset(&model, 0, sizeof(model));
	pl_metrics_options_init(&mo);
	t0 = cli_now_ms();

	/* options (main.c has validated them against the table) */
	if (!model_path == !cv)
		return cli_fail(ctx, PL_ERR_USAGE, "", "give exactly one of '--model FILE' or '--cv K'");
	if (model_path && cli_opt_given(ctx, "horizon"))
		return cli_fail(ctx, PL_ERR_USAGE, "",
				"'--horizon' is for '--cv'; a model file carries its own horizon");
	mo.bootstrap = (size_t)bootstrap;
	mo.lead_window = (int)lead;
	mo.budget_weeks = budget;
	mo.seed = seed;

	/* catalogue: the model's (plus the data's custom measures) or the data's */
	if (model_path) {
		st = pl_risk_model_read_file(model_path, &model, &ctx->err);
		if (st != PL_OK) {
			rc = cli_exit_for(st);
			goto out;
		}
		horizon = model.horizon_days;
		st = pl_catalogue_copy(&s.cat, &model.catalogue, &ctx->err);
	}
	if (st == PL_OK && ctx->jsonl) {
		if (!model_path)
			st = pl_catalogue_init(&s.cat, &ctx->err);
		s.clients_ptr = "";
		if (st == PL_OK)
			st = read_lines(ctx, &s);
	} else if (st == PL_OK) {
		rc = cli_read_input(ctx, &doc);
		if (rc != CLI_EXIT_OK)
			goto out;
		st = pl_json_check_keys(doc, "", keys, &ctx->err);
		if (st == PL_OK) {
			pl_catalogue data_cat = PL_CATALOGUE_INIT;
			st = pl_catalogue_from_json(&data_cat, json_object_get(doc, "measures"), "/measures",
						    &ctx->err);
			if (st == PL_OK && !model_path) {
				s.cat = data_cat;
				data_cat.defs = NULL;
				data_cat.n = 0;
			} else if (st == PL_OK) {
				for (size_t k = PL_M_NSTANDARD; st == PL_OK && k < data_cat.n; k++)
					if (pl_catalogue_find(&s.cat, data_cat.defs[k].name,
							      strlen(data_cat.defs[k].name)) < 0)
						st = pl_catalogue_add(&s.cat, &data_cat.defs[k], "/measures",
								      &ctx->err);
			}
			pl_catalogue_release(&data_cat);
		}
		if (st == PL_OK)
			st = pl_json_get_array(doc, "clients", "", 1, &clients, &ctx->err);
		s.clients_ptr = "/clients";
		for (size_t i = 0; st == PL_OK && i < json_array_size(clients); i++)
			st = add_client(&s, json_array_get(clients, i), i, &ctx->err);
		json_decref(doc);
		doc = NULL;
	}
	if (st != PL_OK)
		goto fail;
	if (s.n == 0) {
		st = pl_error_set(&ctx->err, PL_ERR_INVALID, s.clients_ptr[0] ? "/clients" : "",
				  "there are no clients to evaluate");
		goto fail;
	}
	if (cv && (size_t)cv > s.n) {
		st = pl_error_set(&ctx->err, PL_ERR_USAGE, "",
				  "'--cv %ld' needs at least as many clients as folds", cv);
		goto fail;
	}
	parse_t = cli_now_ms() - t0;
	t0 = cli_now_ms();

	for (size_t i = 0; i < s.n; i++)
		if (s.cl[i].c.ndays > maxdays)
			maxdays = s.cl[i].c.ndays;
	risk = malloc((maxdays ? maxdays : 1) * sizeof(double));
	tier = malloc(maxdays ? maxdays : 1);
	r.row_first = malloc((s.n + 1) * sizeof(size_t));
	r.lapse_first = malloc((s.n + 1) * sizeof(size_t));
	if (!risk || !tier || !r.row_first || !r.lapse_first) {
		st = pl_error_set(&ctx->err, PL_ERR_NOMEM, "", "out of memory");
		goto fail;
	}
	for (size_t j = 0; j < NEWS; j++) {
		st = pl_feature_parse(ews_features[j], &s.cat, "", &ews[j], &ctx->err);
		if (st != PL_OK)
			goto fail;
	}

	/* scores: one model, or one per fold */
	{
		size_t *fold = calloc(s.n, sizeof(size_t));
		if (!fold) {
			st = pl_error_set(&ctx->err, PL_ERR_NOMEM, "", "out of memory");
			goto fail;
		}
		if (cv) {
			size_t *perm = malloc(s.n * sizeof(size_t));
			gsl_rng *g = pl_rng_new(seed, PL_RNG_EVAL_FOLDS);
			pl_risk_train_options to;
			if (!perm || !g || !(fold_models = calloc((size_t)cv, sizeof(*fold_models)))) {
				free(perm);
				pl_rng_free(g);
				free(fold);
				st = pl_error_set(&ctx->err, PL_ERR_NOMEM, "", "out of memory");
				goto fail;
			}
			for (size_t i = 0; i < s.n; i++)
				perm[i] = i;
			gsl_ran_shuffle(g, perm, s.n, sizeof(size_t));
			for (size_t i = 0; i < s.n; i++)
				fold[perm[i]] = i % (size_t)cv;
			free(perm);
			pl_rng_free(g);
			pl_risk_train_options_init(&to);
			to.horizon_days = (int)horizon;
			to.seed = seed;
			to.stride = (int)stride;
			st = pl_features_default(&s.cat, &features, &nfeatures, &ctx->err);
			for (long f = 0; st == PL_OK && f < cv; f++) {
				pl_risk_dataset ds;
				memset(&ds, 0, sizeof(ds));
				st = pl_risk_dataset_init(&ds, nfeatures, &ctx->err);
				for (size_t i = 0; st == PL_OK && i < s.n; i++)
					if (fold[i] != (size_t)f)
						st = pl_risk_dataset_add_client(&ds, &s.cl[i].c, &s.cat, features,
										&to, &ctx->err);
				if (st == PL_OK)
					st = pl_risk_train(&ds, &s.cat, features, &to, &fold_models[f], &ctx->err);
				pl_risk_dataset_release(&ds);
			}
			if (st == PL_ERR_INFEASIBLE)
				pl_error_set(&ctx->err, PL_ERR_INFEASIBLE, "",
					     "a training fold has no lapse (or no lapse-free day) within the "
					     "horizon: use fewer folds or more clients");
		}
		for (size_t i = 0; st == PL_OK && i < s.n; i++) {
			const pl_risk_model *m = cv ? &fold_models[fold[i]] : &model;
			const pl_client *c = &s.cl[i].c;
			st = score_client(m, c, risk, tier, &ctx->err);
			if (st == PL_OK)
				st = add_rows(&r, &s, i, risk, tier, (int)horizon, baselines, ews, &ctx->err);
		}
		free(fold);
		if (st != PL_OK)
			goto fail;
	}
	r.row_first[s.n] = r.n;
	/* lapses (lapse and relapse events) per client, for lead times */
	for (size_t i = 0; i < s.n; i++)
		for (size_t e = 0; e < s.cl[i].c.nevents; e++)
			r.nlapses += s.cl[i].c.events[e].type != PL_EVENT_OTHER;
	r.lapse_day = malloc((r.nlapses ? r.nlapses : 1) * sizeof(int32_t));
	if (!r.lapse_day) {
		st = pl_error_set(&ctx->err, PL_ERR_NOMEM, "", "out of memory");
		goto fail;
	}
	{
		size_t k = 0;
		for (size_t i = 0; i < s.n; i++) {
			r.lapse_first[i] = k;
			for (size_t e = 0; e < s.cl[i].c.nevents; e++)
				if (s.cl[i].c.events[e].type != PL_EVENT_OTHER)
					r.lapse_day[k++] = s.cl[i].c.events[e].day;
		}
		r.lapse_first[s.n] = k;
	}

	/* the report */
	{
		pl_eval_data d = { s.n, r.row_first, r.risk, r.label, r.day, r.lapse_first, r.lapse_day,
				   r.tier };
		json_t *data = json_object(), *mj;
		size_t positives = 0, scored_clients = 0;

		for (size_t i = 0; i < r.n; i++)
			positives += r.label[i];
		for (size_t i = 0; i < s.n; i++)
			scored_clients += r.row_first[i + 1] > r.row_first[i];
		out = json_object();
		json_object_set_new(data, "clients", json_integer((json_int_t)s.n));
		json_object_set_new(data, "clients_scored", json_integer((json_int_t)scored_clients));
		json_object_set_new(data, "rows", json_integer((json_int_t)r.n));
		json_object_set_new(data, "positives", json_integer((json_int_t)positives));
		json_object_set_new(data, "unlabelled_days", json_integer((json_int_t)r.unlabelled));
		json_object_set_new(data, "unscored_days", json_integer((json_int_t)r.unscored));
		json_object_set_new(data, "lapses", json_integer((json_int_t)r.nlapses));
		json_object_set_new(data, "horizon_days", json_integer(horizon));
		json_object_set_new(out, "data", data);
		{
			json_t *mdesc = json_object();
			json_object_set_new(mdesc, "source", json_string(cv ? "cross-validation" : "file"));
			if (cv) {
				json_object_set_new(mdesc, "folds", json_integer(cv));
				json_object_set_new(mdesc, "grouping", json_string("client"));
				thr = json_array();
				for (long f = 0; f < cv; f++) {
					json_t *t = json_object();
					json_object_set_new(t, "moderate", num(fold_models[f].threshold_moderate));
					json_object_set_new(t, "high", num(fold_models[f].threshold_high));
					json_array_append_new(thr, t);
				}
				json_object_set_new(mdesc, "fold_thresholds", thr);
			} else {
				thr = json_object();
				json_object_set_new(thr, "moderate", num(model.threshold_moderate));
				json_object_set_new(thr, "high", num(model.threshold_high));
				json_object_set_new(mdesc, "thresholds", thr);
			}
			json_object_set_new(out, "model", mdesc);
		}
		st = pl_metrics_report_compute(&d, NULL, 0, &mo, &rep, &ctx->err);
		if (st != PL_OK)
			goto fail;
		mj = report_json(&rep, 1);
		json_object_del(mj, "clients");
		json_object_del(mj, "rows");
		json_object_del(mj, "positives");
		{
			json_t *b = json_object_get(mj, "budget");
			json_object_set_new(b, "weeks_per_alert", num(budget));
		}
		json_object_set_new(out, "metrics", mj);
		pl_metrics_report_release(&rep);

		/* oracle: only when every client has its truth */
		if (s.with_truth == s.n) {
			pl_eval_data od = d;
			json_t *oj, *w;
			od.tier = NULL;
			od.score = r.oracle;
			for (size_t i = 0; i < r.n; i++)
				if (isnan(r.oracle[i])) {
					st = pl_error_set(&ctx->err, PL_ERR_INVALID, "",
							  "truth.hazard is shorter than a client's check-in grid");
					goto fail;
				}
			st = pl_metrics_report_compute(&od, NULL, 0, &mo, &rep, &ctx->err);
			if (st != PL_OK)
				goto fail;
			oj = json_object(); /* only now: every error path above leaves nothing to free */
			json_object_set_new(oj, "score", json_string("true hazard of the day"));
			put_metric(oj, &rep, PL_MET_AUROC);
			put_metric(oj, &rep, PL_MET_AUPRC);
			pl_metrics_report_release(&rep);
			/* the window oracle knows the future hazards: an upper bound, where defined */
			{
				size_t nwin = 0;
				for (size_t i = 0; i < r.n; i++)
					nwin += !isnan(r.oracle_window[i]);
				if (nwin == r.n) {
					od.score = r.oracle_window;
					st = pl_metrics_report_compute(&od, NULL, 0, &mo, &rep, &ctx->err);
					if (st != PL_OK) {
						json_decref(oj);
						goto fail;
					}
					w = json_object();
					json_object_set_new(w, "score", json_string("P(lapse within the horizon | "
										    "true future hazards)"));
					put_metric(w, &rep, PL_MET_AUROC);
					put_metric(w, &rep, PL_MET_AUPRC);
					json_object_set_new(oj, "window", w);
					pl_metrics_report_release(&rep);
				}
			}
			json_object_set_new(out, "oracle", oj);
		}
		if (baselines) {
			static const struct { const char *name, *desc; size_t off; } bl[] = {
				{ "last_craving", "the last reported craving", offsetof(rows, last_craving) },
				{ "missed_streak", "days since the last check-in", offsetof(rows, missed) },
				{ "ews", "mean Kendall trend of rolling variance and AR(1) over the 0-10 measures",
				  offsetof(rows, ews) },
			};
			json_t *bj = json_object();
			for (size_t b = 0; b < sizeof(bl) / sizeof(bl[0]); b++) {
				pl_eval_data bd = d;
				json_t *one;
				bd.tier = NULL;
				bd.score = *(double **)(void *)((char *)&r + bl[b].off);
				st = pl_metrics_report_compute(&bd, NULL, 0, &mo, &rep, &ctx->err);
				if (st != PL_OK) {
					json_decref(bj);
					goto fail;
				}
				one = report_json(&rep, 0);
				json_object_del(one, "clients");
				json_object_del(one, "rows");
				json_object_del(one, "positives");
				json_object_set_new(one, "score", json_string(bl[b].desc));
				json_object_set_new(bj, bl[b].name, one);
				pl_metrics_report_release(&rep);
			}
			json_object_set_new(out, "baselines", bj);
		}
		{
			json_t *sg = subgroups_json(&s, &d, &mo, &ctx->err, &st);
			if (!sg)
				goto fail;
			json_object_set_new(out, "subgroups", sg);
		}
	}
	stats = json_object();
	json_object_set_new(stats, "algorithm",
			    json_string(cv ? "client-grouped k-fold cross-validation of the default "
					     "risk model; cluster bootstrap over clients"
					   : "risk model from a file; cluster bootstrap over clients"));
	json_object_set_new(stats, "bootstrap", json_integer(bootstrap));
	json_object_set_new(stats, "seed", json_integer((json_int_t)seed));
	json_object_set_new(stats, "lead_window_days", json_integer(lead));
	json_object_set_new(stats, "parse_ms", json_real(cli_ms(ctx, parse_t)));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, cli_now_ms() - t0)));
	json_object_set_new(out, "stats", stats);
	rc = cli_write_output(ctx, out);
	out = NULL;
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	json_decref(out);
	json_decref(doc);
	pl_metrics_report_release(&rep);
	if (fold_models)
		for (long f = 0; f < cv; f++)
			pl_risk_model_release(&fold_models[f]);
	free(fold_models);
	pl_risk_model_release(&model);
	free(features);
	free(risk);
	free(tier);
	rows_release(&r);
	eval_set_release(&s);
	return rc;
}
