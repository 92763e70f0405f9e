/*
 * json/model.c: the risk model file (docs/risk.md, "Model file") to and from pl_risk_model.
 *
 * Writing: the model's numbers, then what training did and measured (pl_risk_training_report)
 * in sentences and numbers. Reading: every number scoring needs, validated, with a JSON Pointer
 * into the file on error; the descriptive members are accepted and not kept.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/json_risk.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- writing */

static json_t *tier_json(const pl_tier_summary *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "threshold", json_real(t->threshold));
	json_object_set_new(o, "flagged_fraction", json_real(t->flagged_fraction));
	json_object_set_new(o, "alerts_per_client_week", json_real(t->alerts_per_client_week));
	json_object_set_new(o, "sensitivity", json_real(t->sensitivity));
	json_object_set_new(o, "ppv", isnan(t->ppv) ? json_null() : json_real(t->ppv));
	return o;
}

static json_t *rule_json(const pl_risk_training_report *r)
{
	json_t *rule = json_object();
	json_object_set_new(rule, "high",
			    json_sprintf("at most %g of client-days (the alert budget) on out-of-fold "
					 "calibrated risks", r->alert_rate));
	json_object_set_new(rule, "moderate",
			    json_sprintf("the largest threshold reaching sensitivity %g on out-of-fold "
					 "calibrated risks (capped at the high threshold)",
					 r->sensitivity_target));
	json_object_set_new(rule, "alert_rate", json_real(r->alert_rate));
	json_object_set_new(rule, "sensitivity_target", json_real(r->sensitivity_target));
	return rule;
}

static json_t *training_json(const pl_risk_training_report *r, int horizon_days)
{
	json_t *t = json_object();
	char a[11], b[11];

	json_object_set_new(t, "clients", json_integer((json_int_t)r->clients));
	json_object_set_new(t, "clients_with_rows", json_integer((json_int_t)r->clients_with_rows));
	json_object_set_new(t, "client_days", json_integer((json_int_t)r->client_days));
	json_object_set_new(t, "positive_days", json_integer((json_int_t)r->positive_days));
	pl_date_format(r->first_day, a);
	pl_date_format(r->last_day, b);
	json_object_set_new(t, "first_day", json_string(a));
	json_object_set_new(t, "last_day", json_string(b));
	json_object_set_new(t, "label",
			    json_sprintf("a lapse or relapse event within %d day%s after the day",
					 horizon_days, horizon_days == 1 ? "" : "s"));
	json_object_set_new(t, "folds", json_integer((json_int_t)r->folds));
	json_object_set_new(t, "seed", json_integer((json_int_t)r->seed));
	json_object_set_new(t, "stride", json_integer(r->stride));
	json_object_set_new(t, "calibration", json_string(pl_calibration_name(r->calibration)));
	if (r->tuned) {
		/* the penalty search (docs/risk.md, "Choosing the penalty") */
		json_t *pj = json_object(), *grid = json_array();
		for (size_t k = 0; k < r->nsearch; k++) {
			json_t *e = json_object();
			char buf[40];
			snprintf(buf, sizeof(buf), "%.6g", r->search[k].l2);
			json_object_set_new(e, "l2", json_real(strtod(buf, NULL)));
			snprintf(buf, sizeof(buf), "%.6g", r->search[k].deviance);
			json_object_set_new(e, "deviance", json_real(strtod(buf, NULL)));
			snprintf(buf, sizeof(buf), "%.6g", r->search[k].se);
			json_object_set_new(e, "se", json_real(strtod(buf, NULL)));
			json_array_append_new(grid, e);
		}
		json_object_set_new(pj, "rule", json_string(
			r->rule == PL_SELECT_ONE_SE
				? "one standard error: the fewest features, then the strongest penalty, "
				  "within one standard error of the least out-of-fold deviance of the "
				  "client-grouped training folds"
			: r->rule == PL_SELECT_AVERAGE
				? "the average of every candidate set's log-odds, each set at its least "
				  "out-of-fold deviance of the client-grouped training folds"
				: "the least out-of-fold deviance of the client-grouped training folds"));
		json_object_set_new(pj, "search", grid);
		json_object_set_new(pj, "events", json_integer((json_int_t)r->events));
		json_object_set_new(pj, "events_per_feature", json_real(r->events_per_feature));
		json_object_set_new(t, "penalty", pj);
	}
	return t;
}

static json_t *metrics_json(const pl_risk_training_report *r)
{
	json_t *m = json_object(), *tiers = json_object(), *rel = json_array();

	json_object_set_new(m, "evaluation",
			    json_sprintf("%zu-fold cross-validation grouped by client "
					 "(out-of-fold predictions)", r->folds));
	json_object_set_new(m, "auroc", json_real(r->auroc));
	json_object_set_new(m, "brier", json_real(r->brier));
	json_object_set_new(m, "log_loss", json_real(r->log_loss));
	json_object_set_new(m, "mean_predicted", json_real(r->mean_predicted));
	json_object_set_new(m, "observed_rate", json_real(r->observed_rate));
	json_object_set_new(tiers, "moderate_or_higher", tier_json(&r->moderate_or_higher));
	json_object_set_new(tiers, "high", tier_json(&r->high));
	json_object_set_new(m, "tiers", tiers);
	for (size_t b = 0; b < PL_TRAIN_RELIABILITY_BINS; b++) {
		const pl_reliability_bin *bin = &r->reliability[b];
		json_t *o;
		if (bin->n == 0)
			continue; /* empty tenths are left out */
		o = json_object();
		json_object_set_new(o, "bin", json_pack("[f,f]", bin->lo, bin->hi));
		json_object_set_new(o, "n", json_integer((json_int_t)bin->n));
		json_object_set_new(o, "mean_predicted", json_real(bin->mean_predicted));
		json_object_set_new(o, "observed_rate", json_real(bin->observed_rate));
		json_array_append_new(rel, o);
	}
	json_object_set_new(m, "reliability", rel);
	json_object_set_new(m, "irls_iterations", json_integer(r->irls_iterations));
	return m;
}

static json_t *calibration_json(const pl_calibration *c)
{
	json_t *cal = json_object();

	json_object_set_new(cal, "method", json_string(pl_calibration_name(c->method)));
	if (c->method == PL_CAL_PLATT) {
		json_object_set_new(cal, "a", json_real(c->a));
		json_object_set_new(cal, "b", json_real(c->b));
	} else if (c->method == PL_CAL_ISOTONIC) {
		json_t *x = json_array(), *y = json_array();
		for (size_t k = 0; k < c->n; k++) {
			json_array_append_new(x, json_real(c->x[k]));
			json_array_append_new(y, json_real(c->y[k]));
		}
		json_object_set_new(cal, "x", x);
		json_object_set_new(cal, "y", y);
	}
	return cal;
}

json_t *pl_risk_model_to_json(const pl_risk_model *m)
{
	json_t *doc = json_object(), *feats = json_array(), *thr = json_object();
	char name[2 * PL_MEASURE_NAME_MAX];

	json_object_set_new(doc, "format", json_string("peerlink-risk-model"));
	json_object_set_new(doc, "version", json_integer(m->version));
	json_object_set_new(doc, "peerlink_version", json_string(pl_version()));
	json_object_set_new(doc, "disclaimer",
			    json_string("Not a clinically validated instrument. Trained on the data "
					"described under 'training'; see models/MODEL_CARD.md."));
	json_object_set_new(doc, "horizon_days", json_integer(m->horizon_days));
	json_object_set_new(doc, "min_checkins", json_integer(m->min_checkins));
	json_object_set_new(doc, "measures", pl_catalogue_custom_to_json(&m->catalogue));
	for (size_t j = 0; j < m->nfeatures; j++) {
		pl_feature_name(&m->features[j], &m->catalogue, name, sizeof(name));
		json_array_append_new(feats, json_pack("{s:s,s:f,s:f,s:f}", "name", name, "mean",
						       m->mean[j], "sd", m->sd[j], "coefficient",
						       m->coef[j]));
	}
	json_object_set_new(doc, "features", feats);
	json_object_set_new(doc, "intercept", json_real(m->intercept));
	json_object_set_new(doc, "l2", json_real(m->l2));
	json_object_set_new(doc, "calibration", calibration_json(&m->cal));
	json_object_set_new(thr, "moderate", json_real(m->threshold_moderate));
	json_object_set_new(thr, "high", json_real(m->threshold_high));
	if (m->report.present)
		json_object_set_new(thr, "rule", rule_json(&m->report));
	json_object_set_new(doc, "thresholds", thr);
	if (m->report.present) {
		json_object_set_new(doc, "training", training_json(&m->report, m->horizon_days));
		json_object_set_new(doc, "metrics", metrics_json(&m->report));
	}
	return doc;
}

/* ---------------------------------------------------------------- reading */

static pl_status get_real(json_t *obj, const char *key, const char *ptr, double *out,
			  pl_error *err)
{
	char p[PL_POINTER_MAX];
	json_t *v = json_object_get(obj, key);
	snprintf(p, sizeof(p), "%s", ptr);
	pl_pointer_append(p, sizeof(p), key);
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return pl_error_set(err, PL_ERR_INVALID, p, "'%s' must be a finite number", key);
	*out = json_number_value(v);
	return PL_OK;
}

static pl_status get_int(json_t *obj, const char *key, long lo, long hi, int *out, pl_error *err)
{
	char p[PL_POINTER_MAX] = "";
	json_t *v = json_object_get(obj, key);
	pl_pointer_append(p, sizeof(p), key);
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return pl_error_set(err, PL_ERR_INVALID, p, "'%s' must be an integer from %ld to %ld",
				    key, lo, hi);
	*out = (int)json_integer_value(v);
	return PL_OK;
}

static pl_status read_calibration(json_t *cal, pl_calibration *c, pl_error *err)
{
	json_t *jm = json_object_get(cal, "method"), *jx, *jy;
	const char *method;
	pl_status st;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(cal))
		return pl_error_set(err, PL_ERR_INVALID, "/calibration", "'calibration' must be an object");
	if (!json_is_string(jm))
		return pl_error_set(err, PL_ERR_INVALID, "/calibration/method",
				    "'method' must be \"platt\", \"isotonic\" or \"none\"");
	method = json_string_value(jm);
	if (strcmp(method, "none") == 0)
		return PL_OK;
	if (strcmp(method, "platt") == 0) {
		c->method = PL_CAL_PLATT;
		st = get_real(cal, "a", "/calibration", &c->a, err);
		if (st == PL_OK)
			st = get_real(cal, "b", "/calibration", &c->b, err);
		if (st == PL_OK && !(c->a > 0))
			st = pl_error_set(err, PL_ERR_INVALID, "/calibration/a",
					  "Platt slope 'a' must be positive (risk must rise with the score)");
		return st;
	}
	if (strcmp(method, "isotonic") != 0)
		return pl_error_set(err, PL_ERR_INVALID, "/calibration/method",
				    "'method' must be \"platt\", \"isotonic\" or \"none\"");
	c->method = PL_CAL_ISOTONIC;
	jx = json_object_get(cal, "x");
	jy = json_object_get(cal, "y");
	if (!json_is_array(jx) || json_array_size(jx) == 0)
		return pl_error_set(err, PL_ERR_INVALID, "/calibration/x", "'x' must be a non-empty array");
	if (!json_is_array(jy) || json_array_size(jy) != json_array_size(jx))
		return pl_error_set(err, PL_ERR_INVALID, "/calibration/y",
				    "'y' must be an array as long as 'x'");
	c->n = json_array_size(jx);
	c->x = malloc(c->n * sizeof(double));
	c->y = malloc(c->n * sizeof(double));
	if (!c->x || !c->y)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t k = 0; k < c->n; k++) {
		json_t *a = json_array_get(jx, k), *b = json_array_get(jy, k);
		char p[PL_POINTER_MAX];
		if (!json_is_number(a) || !isfinite(json_number_value(a)) ||
		    (k > 0 && json_number_value(a) < c->x[k - 1])) {
			snprintf(p, sizeof(p), "/calibration/x/%zu", k);
			return pl_error_set(err, PL_ERR_INVALID, p,
					    "isotonic knots 'x' must be finite and non-decreasing");
		}
		if (!json_is_number(b) || !(json_number_value(b) >= 0 && json_number_value(b) <= 1) ||
		    (k > 0 && json_number_value(b) < c->y[k - 1])) {
			snprintf(p, sizeof(p), "/calibration/y/%zu", k);
			return pl_error_set(err, PL_ERR_INVALID, p,
					    "isotonic values 'y' must be in [0, 1] and non-decreasing");
		}
		c->x[k] = json_number_value(a);
		c->y[k] = json_number_value(b);
	}
	return PL_OK;
}

static pl_status check_members(json_t *doc, pl_error *err)
{
	static const char *const keys[] = { "format", "version", "peerlink_version", "disclaimer",
					    "horizon_days", "min_checkins", "measures", "features",
					    "intercept", "l2", "calibration", "thresholds", "training",
					    "metrics", "stats", NULL };
	const char *key;
	json_t *v;

	if (!json_is_object(doc))
		return pl_error_set(err, PL_ERR_INVALID, "", "a model file must be a JSON object");
	json_object_foreach(doc, key, v) {
		int ok = 0;
		for (const char *const *a = keys; *a; a++)
			ok |= strcmp(*a, key) == 0;
		if (!ok) {
			char p[PL_POINTER_MAX] = "";
			pl_pointer_append(p, sizeof(p), key);
			return pl_error_set(err, PL_ERR_INVALID, p, "unknown field '%s'", key);
		}
	}
	v = json_object_get(doc, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), "peerlink-risk-model") != 0)
		return pl_error_set(err, PL_ERR_INVALID, "/format",
				    "'format' must be \"peerlink-risk-model\"");
	return PL_OK;
}

static pl_status read_features(json_t *doc, pl_risk_model *m, pl_error *err)
{
	json_t *feats = json_object_get(doc, "features");
	pl_status st;

	if (!json_is_array(feats) || json_array_size(feats) == 0)
		return pl_error_set(err, PL_ERR_INVALID, "/features",
				    "'features' must be a non-empty array");
	st = pl_risk_model_alloc(m, json_array_size(feats), err);
	for (size_t j = 0; st == PL_OK && j < m->nfeatures; j++) {
		char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
		json_t *fo = json_array_get(feats, j), *jn;
		snprintf(p, sizeof(p), "/features/%zu", j);
		if (!json_is_object(fo))
			return pl_error_set(err, PL_ERR_INVALID, p, "each feature must be an object");
		jn = json_object_get(fo, "name");
		snprintf(q, sizeof(q), "/features/%zu/name", j);
		if (!json_is_string(jn))
			return pl_error_set(err, PL_ERR_INVALID, q, "'name' must be a string");
		st = pl_feature_parse(json_string_value(jn), &m->catalogue, q, &m->features[j], err);
		if (st == PL_OK)
			st = get_real(fo, "mean", p, &m->mean[j], err);
		if (st == PL_OK)
			st = get_real(fo, "sd", p, &m->sd[j], err);
		if (st == PL_OK)
			st = get_real(fo, "coefficient", p, &m->coef[j], err);
		if (st == PL_OK && !(m->sd[j] > 0)) {
			snprintf(q, sizeof(q), "/features/%zu/sd", j);
			st = pl_error_set(err, PL_ERR_INVALID, q, "'sd' must be positive");
		}
	}
	return st;
}

static pl_status read_thresholds(json_t *doc, pl_risk_model *m, pl_error *err)
{
	json_t *thr = json_object_get(doc, "thresholds");
	pl_status st;

	if (!json_is_object(thr))
		return pl_error_set(err, PL_ERR_INVALID, "/thresholds", "'thresholds' must be an object");
	st = get_real(thr, "moderate", "/thresholds", &m->threshold_moderate, err);
	if (st == PL_OK)
		st = get_real(thr, "high", "/thresholds", &m->threshold_high, err);
	if (st == PL_OK && !(m->threshold_moderate >= 0 && m->threshold_moderate <= m->threshold_high &&
			     m->threshold_high <= 1.0 + 1e-12))
		st = pl_error_set(err, PL_ERR_INVALID, "/thresholds",
				  "thresholds must satisfy 0 <= moderate <= high <= 1");
	return st;
}

pl_status pl_risk_model_from_json(json_t *doc, pl_risk_model *m, pl_error *err)
{
	pl_status st;

	memset(m, 0, sizeof(*m));
	st = check_members(doc, err);
	if (st == PL_OK)
		st = get_int(doc, "version", PL_RISK_MODEL_VERSION, PL_RISK_MODEL_VERSION, &m->version,
			     err);
	if (st == PL_OK)
		st = get_int(doc, "horizon_days", 1, 365, &m->horizon_days, err);
	if (st == PL_OK)
		st = get_int(doc, "min_checkins", 1, 365, &m->min_checkins, err);
	if (st == PL_OK)
		st = pl_catalogue_from_json(&m->catalogue, json_object_get(doc, "measures"), "/measures",
					    err);
	if (st == PL_OK)
		st = read_features(doc, m, err);
	if (st == PL_OK)
		st = get_real(doc, "intercept", "", &m->intercept, err);
	if (st == PL_OK)
		st = get_real(doc, "l2", "", &m->l2, err);
	if (st == PL_OK)
		st = read_calibration(json_object_get(doc, "calibration"), &m->cal, err);
	if (st == PL_OK)
		st = read_thresholds(doc, m, err);
	if (st != PL_OK)
		pl_risk_model_release(m);
	return st;
}

pl_status pl_risk_model_read_file(const char *path, pl_risk_model *m, pl_error *err)
{
	json_t *doc;
	pl_status st;

	memset(m, 0, sizeof(*m));
	st = pl_json_read_file(path, "model file", &doc, err);
	if (st != PL_OK)
		return st;
	st = pl_risk_model_from_json(doc, m, err);
	if (st != PL_OK)
		pl_error_prefix(err, "model file"); /* say which document the pointer is about */
	json_decref(doc);
	return st;
}

/* ---------------------------------------------------------------- notes on the data */

json_t *pl_risk_model_notes_json(const pl_risk_model *m)
{
	json_t *notes = NULL;
	for (size_t k = PL_M_NSTANDARD; k < m->catalogue.n; k++) {
		if (pl_risk_model_uses_measure(m, (int)k))
			continue;
		if (!notes)
			notes = json_array();
		json_array_append_new(notes, json_sprintf("the model does not use the measure '%s': "
							  "it does not enter the risk",
							  m->catalogue.defs[k].name));
	}
	return notes;
}
