/*
 * explain.c: why a client's risk is what it is, in terms a clinician can check against the chart.
 *
 * Why aggregate: a model's features come in families (the level, slope, deviation and control
 * chart of craving all carry craving), and listing them one by one gave 23 unranked lines of
 * jargon for one client, some pointing the wrong way. So contributions (coefficient x
 * standardized value, on the logit scale) are summed per measure group, only groups that push
 * the risk up are shown, at most five, largest first, and each is said in words from the
 * client's own recent data ("craving up from 3 to 6 over the last 2 weeks", "no check-in for 6
 * days"). The training keeps each coefficient on the side of its feature's clinical direction
 * (risk.c), so a positive group contribution means "worse than the training average here".
 * The signals (rule-based early warnings) are then shown only for groups that contribute
 * positively to this client's risk, in that order.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/risk.h>
#include "features_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pl_feature_group(const pl_feature_spec *f, const pl_catalogue *cat, char *buf, size_t size)
{
	const char *g;

	switch (f->measure) {
	case -1:
		g = f->kind == PL_F_DAYS_SINCE_LAPSE || f->kind == PL_F_PRIOR_LAPSE ? "history"
		    : f->kind == PL_F_STATE_LEVEL || f->kind == PL_F_STATE_SD ||
				      f->kind == PL_F_STATE_BASELINE
			    ? "overall"
			    : "engagement";
		break;
	case PL_M_SLEEP_HOURS:
	case PL_M_SLEEP_QUALITY:
		g = "sleep";
		break;
	case PL_M_STRESS:
	case PL_M_ANXIETY:
		g = "stress"; /* stress and anxiety: one family of arousal (docs/risk.md) */
		break;
	case PL_M_ATTENDED:
	case PL_M_PEER_CONTACT:
		g = "engagement";
		break;
	case PL_M_MEDICATION_TAKEN:
		g = "medication";
		break;
	case PL_M_USED:
		g = "use";
		break;
	default:
		g = f->measure >= 0 && (size_t)f->measure < cat->n ? cat->defs[f->measure].name : "";
	}
	snprintf(buf, size, "%s", g);
}

/* The group of a signal (same rule as features: silence is engagement, a lapse is history). */
static void signal_group(const pl_signal *s, const pl_catalogue *cat, char *buf, size_t size)
{
	pl_feature_spec f = { PL_F_LEVEL, s->measure };
	if (s->kind == PL_SIG_MISSED_STREAK)
		f = (pl_feature_spec){ PL_F_MISSED_STREAK, -1 };
	else if (s->kind == PL_SIG_RECENT_LAPSE)
		f = (pl_feature_spec){ PL_F_PRIOR_LAPSE, -1 };
	pl_feature_group(&f, cat, buf, size);
}

/* ---------------------------------------------------------------- the client's own data */

/* Mean of measure m over grid days [lo, hi] (observed days only); *n their count. */
static double mean_over(const pl_client *c, int m, long lo, long hi, int *n)
{
	double s = 0;
	*n = 0;
	for (long d = lo < 0 ? 0 : lo; d <= hi && d < (long)c->ndays; d++) {
		double v = c->values[(size_t)m * c->ndays + (size_t)d];
		if (!isnan(v)) {
			s += v;
			(*n)++;
		}
	}
	return *n ? s / *n : NAN;
}

/* Boolean measure m over [lo, hi]: true days into *yes, answered days into *n. */
static void count_over(const pl_client *c, int m, long lo, long hi, int *yes, int *n)
{
	*yes = *n = 0;
	for (long d = lo < 0 ? 0 : lo; d <= hi && d < (long)c->ndays; d++) {
		double v = c->values[(size_t)m * c->ndays + (size_t)d];
		if (!isnan(v)) {
			*yes += v == 1.0;
			(*n)++;
		}
	}
}

/* "craving up from 3.0 to 6.0 over the last 2 weeks": the week before last against the last
 * week; unit is appended to the numbers ("" or " hours"). Returns the characters written. */
static int describe_scale(char *buf, size_t size, const pl_client *c, int m, const char *name,
			  const char *unit, long t)
{
	int n1, n2;
	double before = mean_over(c, m, t - 13, t - 7, &n1), now = mean_over(c, m, t - 6, t, &n2);

	if (n2 == 0)
		return snprintf(buf, size, "no %s reported in the last week", name);
	if (n1 == 0 || fabs(now - before) < 0.5)
		return snprintf(buf, size, "%s averaging %.1f%s over the last week", name, now, unit);
	return snprintf(buf, size, "%s %s from %.1f to %.1f%s over the last 2 weeks", name,
			now > before ? "up" : "down", before, now, unit);
}

static void describe_engagement(char *buf, size_t size, const pl_client *c, long t,
				long since)
{
	int yes, n, k = 0, seen = 0;

	if (since >= 2)
		k = snprintf(buf, size, "no check-in for %ld days", since);
	else {
		for (long d = t - 13; d <= t; d++)
			seen += d >= 0 && d < (long)c->ndays && c->checked_in[d];
		k = snprintf(buf, size, "check-ins on %d of the last 14 days", seen);
	}
	count_over(c, PL_M_ATTENDED, t - 13, t, &yes, &n);
	if (n > 0 && k >= 0 && (size_t)k < size)
		snprintf(buf + k, size - (size_t)k, "; attended %d of %d sessions in the last 2 weeks",
			 yes, n);
}

static void describe_medication(char *buf, size_t size, const pl_client *c, long t)
{
	int yes, n, yes0, n0;

	count_over(c, PL_M_MEDICATION_TAKEN, t - 6, t, &yes, &n);
	count_over(c, PL_M_MEDICATION_TAKEN, t - 13, t - 7, &yes0, &n0);
	if (n == 0)
		snprintf(buf, size, "no medication reported in the last week");
	else if (n0 > 0)
		snprintf(buf, size, "medication taken on %d of %d reported days in the last week "
			 "(%d of %d the week before)", yes, n, yes0, n0);
	else
		snprintf(buf, size, "medication taken on %d of %d reported days in the last week", yes,
			 n);
}

static void describe_history(char *buf, size_t size, const pl_client *c, int32_t as_of)
{
	for (size_t e = c->nevents; e-- > 0;) {
		const pl_event *ev = &c->events[e];
		if (ev->day > as_of || !pl_event_is_lapse(ev->type))
			continue;
		snprintf(buf, size, "a %s %ld days ago", pl_event_type_name(ev->type),
			 (long)(as_of - ev->day));
		return;
	}
	snprintf(buf, size, "no lapse on record");
}

/* The shared factor of the self-reports (state_features.c) on grid day t, in words: its level
 * and the client's usual level, in points on the 0-10 scale from mid-scale (higher = worse). */
static void describe_overall(char *buf, size_t size, const pl_client *c, const pl_catalogue *cat,
			     long t)
{
	double *v = t >= 0 ? malloc(3 * (size_t)(t + 1) * sizeof(double)) : NULL;
	pl_error err = PL_ERROR_INIT;

	if (!v || pl__state_factor(c, cat, t + 1, v, v + t + 1, v + 2 * (t + 1), &err) != PL_OK)
		snprintf(buf, size, "self-reports overall");
	else
		snprintf(buf, size,
			 "self-reports overall %+.1f points from mid-scale (higher is worse; usual %+.1f)",
			 v[t], v[2 * (t + 1) + t]);
	free(v);
}

/* Words for one group, from the client's data as of t (grid day). */
static void describe_group(char *buf, size_t size, const char *g, const pl_catalogue *cat,
			   const pl_client *c, int32_t as_of, long since)
{
	long t = (long)as_of - c->start;
	int yes, n, m;

	if (strcmp(g, "sleep") == 0 || strcmp(g, "stress") == 0) {
		int sleep = g[1] == 'l';
		int k = describe_scale(buf, size, c, sleep ? PL_M_SLEEP_HOURS : PL_M_STRESS,
				       sleep ? "sleep" : "stress", sleep ? " hours" : "", t);
		if (k >= 0 && (size_t)k + 2 < size) {
			memcpy(buf + k, "; ", 3);
			describe_scale(buf + k + 2, size - (size_t)k - 2, c,
				       sleep ? PL_M_SLEEP_QUALITY : PL_M_ANXIETY,
				       sleep ? "sleep quality" : "anxiety", "", t);
		}
	} else if (strcmp(g, "engagement") == 0) {
		describe_engagement(buf, size, c, t, since);
	} else if (strcmp(g, "medication") == 0) {
		describe_medication(buf, size, c, t);
	} else if (strcmp(g, "use") == 0) {
		count_over(c, PL_M_USED, t - 13, t, &yes, &n);
		snprintf(buf, size, "use reported on %d of the last 14 days", yes);
	} else if (strcmp(g, "history") == 0) {
		describe_history(buf, size, c, as_of);
	} else if (strcmp(g, "overall") == 0) {
		describe_overall(buf, size, c, cat, t);
	} else if ((m = pl_catalogue_find(cat, g, strlen(g))) >= 0 && !cat->defs[m].boolean) {
		describe_scale(buf, size, c, m, g, "", t);
	} else if (m >= 0) {
		count_over(c, m, t - 13, t, &yes, &n);
		snprintf(buf, size, "%s true on %d of %d answered days in the last 2 weeks", g, yes, n);
	} else {
		snprintf(buf, size, "%s", g);
	}
}

/* ---------------------------------------------------------------- ranking */

typedef struct group_sum {
	char name[PL_GROUP_NAME_MAX];
	double sum;
} group_sum;

static int cmp_sum_desc(const void *a, const void *b)
{
	const group_sum *x = a, *y = b;
	if (x->sum != y->sum)
		return x->sum < y->sum ? 1 : -1;
	return strcmp(x->name, y->name);
}

static double group_total(const group_sum *g, size_t n, const char *name)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(g[k].name, name) == 0)
			return g[k].sum;
	return NAN;
}

/* Keep the signals whose group contributes positively (all factual ones without a risk), in
 * the order of their group's contribution, stable within a group; then at most
 * SHOWN_PER_GROUP per group and SHOWN_MAX in all (a clinician reads a short list; the numbers of
 * every feature stay in "contributions"). */
#define SHOWN_PER_GROUP 2
#define SHOWN_MAX 8

static void filter_signals(const pl_catalogue *cat, const group_sum *g, size_t ng,
			   pl_risk_result *r)
{
	size_t kept = 0, out = 0;
	pl_signal tmp[PL_MAX_SIGNALS];
	double key[PL_MAX_SIGNALS];

	for (size_t k = 0; k < r->nsignals; k++) {
		const pl_signal *s = &r->signals[k];
		char name[PL_GROUP_NAME_MAX];
		double v;
		signal_group(s, cat, name, sizeof(name));
		if (r->has_risk)
			v = group_total(g, ng, name);
		else
			v = s->kind == PL_SIG_MISSED_STREAK || s->kind == PL_SIG_REPORTED_USE ||
					    s->kind == PL_SIG_RECENT_LAPSE
				    ? 0.0 : NAN;
		if (isnan(v) || (r->has_risk && !(v > 0)))
			continue;
		/* insertion by descending v, after equals (stable) */
		size_t at = kept;
		while (at > 0 && key[at - 1] < v) {
			tmp[at] = tmp[at - 1];
			key[at] = key[at - 1];
			at--;
		}
		tmp[at] = *s;
		key[at] = v;
		kept++;
	}
	for (size_t k = 0; k < kept && out < SHOWN_MAX; k++) {
		char gk[PL_GROUP_NAME_MAX], gi[PL_GROUP_NAME_MAX];
		size_t same = 0;
		signal_group(&tmp[k], cat, gk, sizeof(gk));
		for (size_t i = 0; i < out; i++) {
			signal_group(&r->signals[i], cat, gi, sizeof(gi));
			same += strcmp(gi, gk) == 0;
		}
		if (same < SHOWN_PER_GROUP)
			r->signals[out++] = tmp[k];
	}
	r->nsignals = out;
}

pl_status pl__explain(const pl_risk_model *m, const pl_client *c, int32_t as_of,
		      pl_risk_result *r, pl_error *err)
{
	size_t nf = m->nfeatures, ng = 0;
	group_sum *g = malloc((nf ? nf : 1) * sizeof(*g));

	if (!g)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t j = 0; r->has_risk && j < nf; j++) {
		char name[PL_GROUP_NAME_MAX];
		size_t k;
		pl_feature_group(&m->features[j], &m->catalogue, name, sizeof(name));
		for (k = 0; k < ng && strcmp(g[k].name, name) != 0; k++)
			;
		if (k == ng) {
			snprintf(g[ng].name, sizeof(g[ng].name), "%s", name);
			g[ng++].sum = 0;
		}
		g[k].sum += r->contrib[j];
	}
	filter_signals(&m->catalogue, g, ng, r);
	qsort(g, ng, sizeof(*g), cmp_sum_desc);
	/* On the calibrated logit scale (Platt's slope), so that the 0.01 floor below means the
	 * same for every model however strongly it was regularized. */
	for (size_t k = 0; k < ng && m->cal.method == PL_CAL_PLATT; k++)
		g[k].sum *= m->cal.a;
	r->nexplanations = 0;
	for (size_t k = 0; k < ng && r->nexplanations < PL_MAX_EXPLANATIONS; k++) {
		pl_explanation *e = &r->explanations[r->nexplanations];
		/* Below 0.01 on the logit scale (a 1% change in the odds) is not a reason. */
		if (!(g[k].sum >= 0.01))
			break;
		snprintf(e->group, sizeof(e->group), "%s", g[k].name);
		e->contribution = g[k].sum;
		describe_group(e->text, sizeof(e->text), g[k].name, &m->catalogue, c, as_of,
			       r->days_since_checkin);
		r->nexplanations++;
	}
	/* Silence has no contribution when the client is past the trained range: say it anyway. */
	if (!r->has_risk && r->tier == PL_TIER_CONTACT) {
		pl_explanation *e = &r->explanations[0];
		snprintf(e->group, sizeof(e->group), "engagement");
		e->contribution = NAN;
		describe_engagement(e->text, sizeof(e->text), c, (long)as_of - c->start,
				    r->days_since_checkin < 0 ? (long)as_of - c->start + 1
							      : r->days_since_checkin);
		r->nexplanations = 1;
	}
	free(g);
	return PL_OK;
}

/* ---------------------------------------------------------------- suggested actions */

void pl_action_table_release(pl_action_table *t)
{
	if (!t)
		return;
	for (size_t k = 0; k < t->n; k++) {
		free(t->rules[k].action);
		free(t->rules[k].who);
		free(t->rules[k].source);
	}
	free(t->rules);
	t->rules = NULL;
	t->n = 0;
}

/* Append rule k to out unless it is there already; returns the new count. */
static size_t take(size_t *out, size_t n, size_t k)
{
	for (size_t i = 0; i < n; i++)
		if (out[i] == k)
			return n;
	out[n] = k;
	return n + 1;
}

size_t pl_actions_select(const pl_action_table *t, const pl_risk_result *r, size_t *out,
			 size_t max)
{
	size_t n = 0;

	if (!t || r->tier < 0 || r->tier > PL_TIER_CONTACT)
		return 0;
	for (size_t e = 0; e <= r->nexplanations && n < max; e++) {
		/* e == nexplanations: the rules of the tier alone */
		const char *g = e < r->nexplanations ? r->explanations[e].group : "";
		for (size_t k = 0; k < t->n && n < max; k++)
			if ((t->rules[k].tiers >> r->tier & 1u) && strcmp(t->rules[k].measure, g) == 0)
				n = take(out, n, k);
	}
	return n;
}
