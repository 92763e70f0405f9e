/*
 * json/evaluate.c: the JSON side of risk evaluation (peerlink/evaluate.h): one labelled client
 * (its check-ins, "attributes" and "truth") into a pl_eval_set, and a pl_eval_result into the
 * answer's "data", "model", "metrics", "oracle", "baselines" and "subgroups" members
 * (docs/datasets.md, "Evaluating a model"). Reals are written with 6 significant digits.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/json_risk.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- reading */

/* An attribute value as text ("true", "3", "woman"), cut at PL_EVAL_ATTR_TEXT_MAX - 1 bytes. */
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

static pl_status read_attributes(json_t *attrs, const char *p, pl_eval_client *e, pl_error *err)
{
	char q[PL_POINTER_MAX], text[PL_EVAL_ATTR_TEXT_MAX];
	const char *key;
	json_t *v;
	size_t n;

	if (!attrs || json_is_null(attrs))
		return PL_OK;
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
	n = json_object_size(attrs);
	e->attr_name = calloc(n ? n : 1, sizeof(char *));
	e->attr_value = calloc(n ? n : 1, sizeof(char *));
	if (!e->attr_name || !e->attr_value)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	json_object_foreach(attrs, key, v) {
		attr_text(v, text, sizeof(text));
		e->attr_name[e->nattrs] = strdup(key);
		e->attr_value[e->nattrs] = strdup(text);
		if (!e->attr_name[e->nattrs] || !e->attr_value[e->nattrs]) {
			e->nattrs++; /* released with the set */
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		}
		e->nattrs++;
	}
	return PL_OK;
}

static pl_status read_truth(json_t *truth, const char *p, pl_eval_client *e, pl_error *err)
{
	char q[PL_POINTER_MAX];
	json_t *hz, *x;
	size_t i;

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
	return PL_OK;
}

pl_status pl_eval_client_from_json(pl_eval_set *s, json_t *obj, const char *ptr, pl_error *err)
{
	pl_client c = PL_CLIENT_INIT;
	pl_eval_client *e;
	json_t *truth;
	pl_status st;

	st = pl_client_from_json(obj, &s->cat, ptr, &c, err);
	if (st != PL_OK)
		return st;
	e = pl_eval_set_push(s, err);
	if (!e) {
		pl_client_release(&c);
		return PL_ERR_NOMEM;
	}
	e->client = c; /* owned by the set from here */
	st = read_attributes(json_object_get(obj, "attributes"), ptr, e, err);
	truth = json_object_get(obj, "truth");
	if (st == PL_OK && truth && !json_is_null(truth)) {
		st = read_truth(truth, ptr, e, err);
		if (st == PL_OK)
			s->with_truth++;
	}
	return st;
}

/* ---------------------------------------------------------------- writing */

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

/* A table of bins (the reliability table, or the deciles of predicted risk): per bin its bounds
 * under `range_key`, rows, mean predicted risk and observed rate. */
static json_t *bins_json(const pl_reliability_bin *bins, size_t n, const char *range_key)
{
	json_t *tab = json_array();
	for (size_t b = 0; b < n; b++) {
		json_t *bin = json_object(), *bounds = json_array();
		json_array_append_new(bounds, num(bins[b].lo));
		json_array_append_new(bounds, num(bins[b].hi));
		json_object_set_new(bin, range_key, bounds);
		json_object_set_new(bin, "n", json_integer((json_int_t)bins[b].n));
		json_object_set_new(bin, "mean_predicted", num(bins[b].mean_predicted));
		json_object_set_new(bin, "observed_rate", num(bins[b].observed_rate));
		json_array_append_new(tab, bin);
	}
	return tab;
}

/* Curve points as arrays of objects (the names report evaluation reads, docs/report.md). */
static json_t *points_json(const pl_curve_point *pt, size_t n, const char *x, const char *y)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, x, num(pt[i].x));
		json_object_set_new(o, y, num(pt[i].y));
		json_object_set_new(o, "threshold", num(pt[i].threshold));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *curves_json(const pl_curves *c)
{
	json_t *o = json_object(), *dc = json_array();
	json_object_set_new(o, "roc", points_json(c->roc, c->nroc, "fpr", "tpr"));
	json_object_set_new(o, "pr", points_json(c->pr, c->npr, "recall", "precision"));
	for (size_t i = 0; i < c->ndecision; i++) {
		json_t *p = json_object();
		json_object_set_new(p, "threshold", num(c->decision[i].threshold));
		json_object_set_new(p, "net_benefit", num(c->decision[i].net_benefit));
		json_object_set_new(p, "treat_all", num(c->decision[i].treat_all));
		json_object_set_new(p, "treat_none", json_real(0.0));
		json_array_append_new(dc, p);
	}
	json_object_set_new(o, "decision_curve", dc);
	return o;
}

/* The metrics only a `full` report computes (calibration, the random-alert null). */
static int full_only(int m)
{
	return m >= PL_MET_CAL_SLOPE;
}

/* A report: with counts (a subgroup) or without (the whole data, the baselines), every metric
 * (full) or the five of a baseline. */
static json_t *report_json(const pl_metrics_report *r, int counts, int full)
{
	json_t *o = json_object();

	if (counts) {
		json_object_set_new(o, "clients", json_integer((json_int_t)r->clients));
		json_object_set_new(o, "rows", json_integer((json_int_t)r->rows));
		json_object_set_new(o, "positives", json_integer((json_int_t)r->positives));
	}
	if (!full) {
		put_metric(o, r, PL_MET_AUROC);
		put_metric(o, r, PL_MET_AUPRC);
		put_metric(o, r, PL_MET_BUDGET_THRESHOLD);
		put_metric(o, r, PL_MET_BUDGET_SENS);
		put_metric(o, r, PL_MET_BUDGET_PPV);
		return o;
	}
	for (int m = 0; m < PL_MET_COUNT; m++)
		if (r->deciles || !full_only(m))
			put_metric(o, r, m);
	if (r->deciles)
		json_object_set_new(json_object_get(o, "calibration"), "deciles",
				    bins_json(r->deciles, r->ndeciles, "risk_range"));
	{
		json_t *l = json_object();
		json_object_set_new(l, "evaluable", json_integer((json_int_t)r->lapses_evaluable));
		json_object_set_new(l, "detected", json_integer((json_int_t)r->lapses_detected));
		json_object_set_new(o, "lapses", l);
	}
	if (r->bins)
		json_object_set_new(o, "reliability", bins_json(r->bins, r->nbins, "bin"));
	return o;
}

static json_t *data_json(const pl_eval_result *r)
{
	json_t *data = json_object();
	json_object_set_new(data, "clients", json_integer((json_int_t)r->clients));
	json_object_set_new(data, "clients_scored", json_integer((json_int_t)r->clients_scored));
	json_object_set_new(data, "rows", json_integer((json_int_t)r->rows));
	json_object_set_new(data, "positives", json_integer((json_int_t)r->positives));
	json_object_set_new(data, "unlabelled_days", json_integer((json_int_t)r->unlabelled_days));
	json_object_set_new(data, "unscored_days", json_integer((json_int_t)r->unscored_days));
	json_object_set_new(data, "lapses", json_integer((json_int_t)r->lapses));
	json_object_set_new(data, "horizon_days", json_integer(r->horizon_days));
	return data;
}

/* Each fold's penalty, how it was set, and the events per candidate feature of its training
 * data (docs/datasets.md, "Nested cross-validation"). */
static json_t *penalty_json(const pl_eval_result *r)
{
	json_t *pj = json_object(), *l2 = json_array(), *epv = json_array();

	json_object_set_new(pj, "rule", json_string(r->tuned ? "nested client-grouped cross-validation"
							     : "fixed"));
	for (size_t f = 0; f < r->folds; f++) {
		json_array_append_new(l2, num(r->fold_l2[f]));
		json_array_append_new(epv, num(r->fold_epv[f]));
	}
	json_object_set_new(pj, "l2", l2);
	if (r->fold_names) {
		json_t *sets = json_array();
		for (size_t f = 0; f < r->folds; f++)
			json_array_append_new(sets, json_string(r->fold_names[f]));
		json_object_set_new(pj, "feature_set", sets);
	}
	json_object_set_new(pj, "events_per_feature", epv);
	return pj;
}

/* What the reader must know before trusting the numbers. */
static json_t *warnings_json(const pl_eval_result *r)
{
	json_t *w = json_array();
	double least = INFINITY;

	for (size_t f = 0; f < r->folds; f++)
		least = fmin(least, r->fold_epv[f]);
	if (r->folds && least < PL_EPV_WARN && r->small_cohort)
		json_array_append_new(w, json_sprintf(
			"events per candidate feature: %.3g in the smallest training fold, below %g "
			"(Peduzzi et al. 1996): a small cohort, so each fold's model averages the "
			"default, compact and state sets, each at its penalty chosen by nested "
			"cross-validation; expect wide intervals (docs/risk.md, \"Small cohorts\")",
			least, PL_EPV_WARN));
	else if (r->folds && least < PL_EPV_WARN)
		json_array_append_new(w, json_sprintf(
			"events per candidate feature: %.3g in the smallest training fold, below %g "
			"(Peduzzi et al. 1996): expect an optimistic or unstable model; prefer "
			"--l2 auto, a smaller feature set (--features compact) or more clients "
			"(docs/risk.md, \"Events per feature\")", least, PL_EPV_WARN));
	return w;
}

/* --compare: both scores' AUROC, AUPRC and Brier score on the rows both define, and the model's
 * minus the other's with paired cluster-bootstrap intervals (docs/datasets.md, "Comparing two
 * models"). A baseline is not a probability: its Brier score and the difference are null. */
static json_t *comparison_json(const pl_eval_result *r, const pl_eval_options *o)
{
	static const int mets[] = { PL_MET_AUROC, PL_MET_AUPRC, PL_MET_BRIER };
	const pl_eval_compare *c = &o->compare;
	json_t *cj = json_object(), *mj = json_object(), *oj = json_object(), *dj = json_object();
	pl_metrics_report diff;

	memset(&diff, 0, sizeof(diff));
	for (size_t k = 0; k < PL_MET_COUNT; k++) {
		diff.value[k] = r->compare.value[k];
		diff.lo[k] = r->compare.lo[k];
		diff.hi[k] = r->compare.hi[k];
	}
	json_object_set_new(cj, "against", json_string(c->label ? c->label : ""));
	json_object_set_new(cj, "kind", json_string(c->kind == PL_COMPARE_BASELINE ? "baseline"
						    : c->kind == PL_COMPARE_MODEL ? "model file"
						    : "cross-validated recipe, same folds"));
	json_object_set_new(cj, "rows", json_integer((json_int_t)r->compare_rows));
	json_object_set_new(cj, "clients", json_integer((json_int_t)r->compare_clients));
	for (size_t k = 0; k < sizeof(mets) / sizeof(mets[0]); k++) {
		int m = mets[k];
		int defined = m != PL_MET_BRIER || r->compare_probabilities;
		const char *name = pl_metric_name(m);
		json_object_set_new(mj, name, with_ci(&r->compare_model, m));
		json_object_set_new(oj, name, defined ? with_ci(&r->compare_other, m) : json_null());
		json_object_set_new(dj, name, defined ? with_ci(&diff, m) : json_null());
	}
	json_object_set_new(cj, "model", mj);
	json_object_set_new(cj, "other", oj);
	json_object_set_new(cj, "difference", dj);
	if (r->compare_fold_l2) {
		json_t *l2 = json_array();
		for (size_t f = 0; f < r->folds; f++)
			json_array_append_new(l2, num(r->compare_fold_l2[f]));
		json_object_set_new(cj, "fold_l2", l2);
	}
	if (r->compare_fold_names) {
		json_t *sets = json_array();
		for (size_t f = 0; f < r->folds; f++)
			json_array_append_new(sets, json_string(r->compare_fold_names[f]));
		json_object_set_new(cj, "fold_feature_set", sets);
	}
	return cj;
}

static json_t *model_json(const pl_eval_result *r)
{
	json_t *mdesc = json_object(), *thr;

	json_object_set_new(mdesc, "source", json_string(r->folds ? "cross-validation" : "file"));
	if (r->folds) {
		json_object_set_new(mdesc, "folds", json_integer((json_int_t)r->folds));
		json_object_set_new(mdesc, "grouping", json_string("client"));
		thr = json_array();
		for (size_t f = 0; f < r->folds; f++) {
			json_t *t = json_object();
			json_object_set_new(t, "moderate", num(r->fold_moderate[f]));
			json_object_set_new(t, "high", num(r->fold_high[f]));
			json_array_append_new(thr, t);
		}
		json_object_set_new(mdesc, "fold_thresholds", thr);
		json_object_set_new(mdesc, "penalty", penalty_json(r));
	} else {
		thr = json_object();
		json_object_set_new(thr, "moderate", num(r->threshold_moderate));
		json_object_set_new(thr, "high", num(r->threshold_high));
		json_object_set_new(mdesc, "thresholds", thr);
	}
	return mdesc;
}

static json_t *oracle_json(const pl_eval_result *r)
{
	json_t *oj = json_object();

	json_object_set_new(oj, "score", json_string("true hazard of the day"));
	put_metric(oj, &r->oracle, PL_MET_AUROC);
	put_metric(oj, &r->oracle, PL_MET_AUPRC);
	/* the window oracle knows the future hazards: an upper bound, where defined */
	if (r->has_oracle_window) {
		json_t *w = json_object();
		json_object_set_new(w, "score", json_string("P(lapse within the horizon | "
							    "true future hazards)"));
		put_metric(w, &r->oracle_window, PL_MET_AUROC);
		put_metric(w, &r->oracle_window, PL_MET_AUPRC);
		json_object_set_new(oj, "window", w);
	}
	return oj;
}

/* The references on generated data (docs/datasets.md, "References"): what observable data
 * allow (a Kalman filter with the generator's structural parameters) and what full knowledge
 * allows (Monte Carlo from the generator's whole state). */
static json_t *references_json(const pl_eval_result *r, const pl_eval_options *o)
{
	json_t *rj = json_object();

	if (r->has_observable) {
		json_t *one = report_json(&r->observable, 0, 0);
		json_object_set_new(one, "score",
				    json_string("P(lapse within the horizon) from a Kalman filter of the "
						"latent state with the generator's structural parameters "
						"and population priors, no client-level truth"));
		json_object_set_new(rj, "observable", one);
	}
	if (r->has_full_information) {
		json_t *one = report_json(&r->full_information, 0, 0);
		json_object_set_new(one, "score",
				    json_string("P(lapse within the horizon) by Monte Carlo from "
						"everything the generator knows at the end of the day"));
		json_object_set_new(one, "draws", json_integer((json_int_t)o->oracle_draws));
		json_object_set_new(one, "seed", json_integer((json_int_t)o->generator_seed));
		json_object_set_new(rj, "full_information", one);
	}
	return rj;
}

static json_t *baselines_json(const pl_eval_result *r)
{
	json_t *bj = json_object();
	for (int b = 0; b < PL_EVAL_NBASELINES; b++) {
		json_t *one = report_json(&r->baseline[b], 0, 0);
		json_object_set_new(one, "score", json_string(pl_eval_baseline_description(b)));
		json_object_set_new(bj, pl_eval_baseline_name(b), one);
	}
	return bj;
}

static json_t *subgroups_json(const pl_eval_result *r)
{
	json_t *out = json_object(), *group = NULL;
	const char *current = NULL;

	for (size_t g = 0; g < r->nsubgroups; g++) {
		const pl_eval_subgroup *sg = &r->subgroups[g];
		if (!current || strcmp(current, sg->attribute) != 0) {
			group = json_object();
			json_object_set_new(out, sg->attribute, group);
			current = sg->attribute;
		}
		json_object_set_new(group, sg->value, report_json(&sg->report, 1, 1));
	}
	return out;
}

json_t *pl_eval_result_to_json(const pl_eval_result *r, const pl_eval_options *o)
{
	json_t *out = json_object(), *mj = report_json(&r->metrics, 0, 1);

	json_object_set_new(out, "data", data_json(r));
	json_object_set_new(out, "model", model_json(r));
	json_object_set_new(json_object_get(mj, "budget"), "weeks_per_alert",
			    num(o->metrics.budget_weeks));
	if (r->curves.roc)
		json_object_set_new(mj, "curves", curves_json(&r->curves));
	json_object_set_new(out, "metrics", mj);
	if (r->has_oracle)
		json_object_set_new(out, "oracle", oracle_json(r));
	if (r->has_observable || r->has_full_information)
		json_object_set_new(out, "references", references_json(r, o));
	if (r->has_baselines)
		json_object_set_new(out, "baselines", baselines_json(r));
	if (r->has_compare)
		json_object_set_new(out, "comparison", comparison_json(r, o));
	json_object_set_new(out, "subgroups", subgroups_json(r));
	{
		json_t *w = warnings_json(r);
		if (json_array_size(w))
			json_object_set_new(out, "warnings", w);
		else
			json_decref(w);
	}
	return out;
}
