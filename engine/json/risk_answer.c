/*
 * json/risk_answer.c: one scored client as JSON (docs/risk.md, "peerlink risk score"): id, as_of,
 * horizon, risk and tier (null with a reason when there is too little history), the signals in
 * numbers and words, the largest feature contributions, and data quality. Reals are rounded to
 * 6 decimals.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/json_risk.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* The contributions, largest |coef * z| first, at most `top` (0: all). */
static json_t *contributions_json(const pl_risk_model *m, const pl_risk_result *r, int top,
				  pl_error *err)
{
	size_t nf = m->nfeatures, shown = top > 0 && (size_t)top < nf ? (size_t)top : nf;
	contrib_rank *rank = malloc((nf ? nf : 1) * sizeof(*rank));
	json_t *arr;
	double total = 0;

	if (!rank) {
		pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		return NULL;
	}
	arr = json_array();
	for (size_t j = 0; j < nf; j++) {
		rank[j].abs = fabs(r->contrib[j]);
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
		json_object_set_new(e, "value", jnum(r->features[j]));
		json_object_set_new(e, "contribution", jnum(r->contrib[j]));
		json_object_set_new(e, "share", jnum(total > 0 ? r->contrib[j] / total : 0.0));
		json_array_append_new(arr, e);
	}
	free(rank);
	return arr;
}

/* The measure groups behind the risk, largest contribution first (docs/risk.md). */
static json_t *explanations_json(const pl_risk_result *r)
{
	json_t *arr = json_array();
	for (size_t k = 0; k < r->nexplanations; k++) {
		const pl_explanation *e = &r->explanations[k];
		json_array_append_new(arr, json_pack("{s:s,s:o,s:s}", "measure", e->group,
						     "contribution", jnum(e->contribution), "text",
						     e->text));
	}
	return arr;
}

static json_t *quality_json(const pl_data_quality *q)
{
	json_t *dq = json_object();
	json_object_set_new(dq, "first_checkin", date_json(q->first_day));
	json_object_set_new(dq, "days_in_range", json_integer((json_int_t)q->days_in_range));
	json_object_set_new(dq, "days_observed", json_integer((json_int_t)q->days_observed));
	json_object_set_new(dq, "coverage", jnum(q->coverage));
	json_object_set_new(dq, "longest_gap", json_integer((json_int_t)q->longest_gap));
	json_object_set_new(dq, "checkins_last_14", json_integer((json_int_t)q->checkins_last_14));
	return dq;
}

json_t *pl_risk_result_to_json(const pl_risk_model *m, const pl_client *c, const pl_risk_result *r,
			       int top, pl_error *err)
{
	json_t *o = json_object(), *sig = json_array(), *contrib;

	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "as_of", date_json(r->as_of));
	json_object_set_new(o, "days_since_checkin", r->days_since_checkin >= 0
							     ? json_integer(r->days_since_checkin)
							     : json_null());
	json_object_set_new(o, "horizon_days", json_integer(m->horizon_days));
	json_object_set_new(o, "risk", r->has_risk ? jnum(r->risk) : json_null());
	json_object_set_new(o, "tier", r->tier >= 0 ? json_string(pl_risk_tier_name(r->tier))
						    : json_null());
	if (!r->has_risk)
		json_object_set_new(o, "reason", json_string(r->reason));
	json_object_set_new(o, "explanations", explanations_json(r));
	for (size_t k = 0; k < r->nsignals; k++)
		json_array_append_new(sig, signal_json(&r->signals[k], &m->catalogue));
	json_object_set_new(o, "signals", sig);
	contrib = r->has_risk ? contributions_json(m, r, top, err) : json_array();
	if (!contrib) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "contributions", contrib);
	json_object_set_new(o, "data_quality", quality_json(&r->dq));
	return o;
}
