/*
 * evaluate.c: a risk model judged on labelled clients (peerlink/evaluate.h): scores from a model
 * or from client-grouped cross-validation, the scored client-day rows, the metrics with bootstrap
 * intervals, the oracle, three baselines and per-attribute subgroups.
 *
 * Why rows are built once: the model, the oracle and the baselines must be judged on the same
 * client-days (a defined label and a defined risk), so each row carries every score side by side.
 */
#include <peerlink/evaluate.h>
#include <peerlink/rng.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* ---------------------------------------------------------------- the set */

pl_eval_client *pl_eval_set_push(pl_eval_set *s, pl_error *err)
{
	pl_eval_client *e;

	if (s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 64;
		pl_eval_client *n = realloc(s->cl, nc * sizeof(*n));
		if (!n) {
			pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
			return NULL;
		}
		s->cl = n;
		s->cap = nc;
	}
	e = &s->cl[s->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

void pl_eval_set_release(pl_eval_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		pl_eval_client *e = &s->cl[i];
		pl_client_release(&e->client);
		free(e->hazard);
		for (size_t k = 0; k < e->nattrs; k++) {
			free(e->attr_name[k]);
			free(e->attr_value[k]);
		}
		free(e->attr_name);
		free(e->attr_value);
	}
	free(s->cl);
	pl_catalogue_release(&s->cat);
	memset(s, 0, sizeof(*s));
}

/* ---------------------------------------------------------------- rows */

typedef struct rows {
	size_t n, cap;
	double *risk, *oracle, *oracle_window, *baseline[PL_EVAL_NBASELINES];
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
	for (int b = 0; b < PL_EVAL_NBASELINES; b++)
		free(r->baseline[b]);
	free(r->label);
	free(r->tier);
	free(r->day);
	free(r->row_first);
	free(r->lapse_first);
	free(r->lapse_day);
	memset(r, 0, sizeof(*r));
}

static int grow(void **p, size_t n, size_t size)
{
	void *q = realloc(*p, n * size);
	if (!q)
		return -1;
	*p = q;
	return 0;
}

static int rows_reserve(rows *r, size_t more)
{
	size_t need = r->n + more, nc;
	if (need <= r->cap)
		return 0;
	nc = r->cap ? r->cap : 4096;
	while (nc < need)
		nc *= 2;
	if (grow((void **)&r->risk, nc, sizeof(double)) || grow((void **)&r->oracle, nc, sizeof(double)) ||
	    grow((void **)&r->oracle_window, nc, sizeof(double)) ||
	    grow((void **)&r->label, nc, sizeof(uint8_t)) || grow((void **)&r->tier, nc, sizeof(int8_t)) ||
	    grow((void **)&r->day, nc, sizeof(int32_t)))
		return -1;
	for (int b = 0; b < PL_EVAL_NBASELINES; b++)
		if (grow((void **)&r->baseline[b], nc, sizeof(double)))
			return -1;
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

static const struct {
	const char *name, *desc;
} baselines[PL_EVAL_NBASELINES] = {
	{ "last_craving", "the last reported craving" },
	{ "missed_streak", "days since the last check-in" },
	{ "ews", "mean Kendall trend of rolling variance and AR(1) over the 0-10 measures" },
};

const char *pl_eval_baseline_name(int b)
{
	return b >= 0 && b < PL_EVAL_NBASELINES ? baselines[b].name : "";
}

const char *pl_eval_baseline_description(int b)
{
	return b >= 0 && b < PL_EVAL_NBASELINES ? baselines[b].desc : "";
}

/* The oracles of row k: the day's hazard, and the chance of a lapse within the horizon given the
 * true future hazards (a positive label near the end of follow-up has its window cut short: the
 * hazards that exist are used). */
static void oracle_scores(rows *r, size_t k, const pl_eval_client *e, size_t t, int horizon)
{
	r->oracle[k] = e->hazard && t < e->nhazard ? e->hazard[t] : NAN;
	r->oracle_window[k] = NAN;
	if (e->hazard && t < e->nhazard) {
		double surv = 1;
		for (size_t h = 1; h <= (size_t)horizon && t + h < e->nhazard; h++)
			surv *= 1 - e->hazard[t + h];
		r->oracle_window[k] = 1 - surv;
	}
}

static double ews_mean(const double *ewsv)
{
	double sum = 0;
	int cnt = 0;
	for (size_t j = 0; j < NEWS; j++)
		if (!isnan(ewsv[j])) {
			sum += ewsv[j];
			cnt++;
		}
	return cnt ? sum / cnt : -2;
}

/* Append client ci's rows given its daily risk and tier (grid-aligned). */
static pl_status add_rows(rows *r, const pl_eval_set *s, size_t ci, const double *risk,
			  const int8_t *tier, int horizon, int with_baselines,
			  const pl_feature_spec *ews, pl_error *err)
{
	const pl_eval_client *e = &s->cl[ci];
	const pl_client *c = &e->client;
	int32_t follow_end = c->start + (int32_t)c->ndays - 1;
	double *ewsv = NULL, last_crav = -1;
	long last_checkin = -1;

	r->row_first[ci] = r->n;
	if (rows_reserve(r, c->ndays))
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if (with_baselines && c->ndays) {
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
		oracle_scores(r, k, e, t, horizon);
		r->baseline[PL_BASELINE_LAST_CRAVING][k] = last_crav;
		r->baseline[PL_BASELINE_MISSED_STREAK][k] = (double)((long)t - last_checkin);
		r->baseline[PL_BASELINE_EWS][k] = ewsv ? ews_mean(ewsv + t * NEWS) : -2;
	}
	free(ewsv);
	return PL_OK;
}

/* Lapse and relapse days per client, for lead times. */
static pl_status collect_lapses(rows *r, const pl_eval_set *s, pl_error *err)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++)
		for (size_t e = 0; e < s->cl[i].client.nevents; e++)
			r->nlapses += (size_t)pl_event_is_lapse(s->cl[i].client.events[e].type);
	r->lapse_day = malloc((r->nlapses ? r->nlapses : 1) * sizeof(int32_t));
	if (!r->lapse_day)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		const pl_client *c = &s->cl[i].client;
		r->lapse_first[i] = k;
		for (size_t e = 0; e < c->nevents; e++)
			if (pl_event_is_lapse(c->events[e].type))
				r->lapse_day[k++] = c->events[e].day;
	}
	r->lapse_first[s->n] = k;
	return PL_OK;
}

/* ---------------------------------------------------------------- scores */

/* Risk and tier of every grid day of one client under one model. */
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

/* Client-grouped folds: a seeded shuffle of the clients (stream PL_RNG_EVAL_FOLDS), dealt round
 * robin. */
static pl_status assign_folds(size_t n, size_t K, unsigned long seed, size_t *fold, pl_error *err)
{
	size_t *perm = malloc((n ? n : 1) * sizeof(size_t));
	gsl_rng *g = pl_rng_new(seed, PL_RNG_EVAL_FOLDS);

	if (!perm || !g) {
		free(perm);
		pl_rng_free(g);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	gsl_ran_shuffle(g, perm, n, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		fold[perm[i]] = i % K;
	free(perm);
	pl_rng_free(g);
	return PL_OK;
}

/* One model per fold, trained with the default recipe on the other folds' clients. */
static pl_status train_folds(const pl_eval_set *s, const pl_eval_options *o, const size_t *fold,
			     pl_risk_model *models, pl_error *err)
{
	pl_risk_train_options to;
	pl_feature_spec *features = NULL;
	size_t nfeatures = 0;
	pl_status st;

	pl_risk_train_options_init(&to);
	to.horizon_days = o->horizon_days;
	to.seed = o->seed;
	to.stride = o->stride;
	st = pl_features_default(&s->cat, &features, &nfeatures, err);
	for (size_t f = 0; st == PL_OK && f < o->folds; f++) {
		pl_risk_dataset ds;
		memset(&ds, 0, sizeof(ds));
		st = pl_risk_dataset_init(&ds, nfeatures, err);
		for (size_t i = 0; st == PL_OK && i < s->n; i++)
			if (fold[i] != f)
				st = pl_risk_dataset_add_client(&ds, &s->cl[i].client, &s->cat, features, &to,
								err);
		if (st == PL_OK)
			st = pl_risk_train(&ds, &s->cat, features, &to, &models[f], err);
		pl_risk_dataset_release(&ds);
	}
	free(features);
	if (st == PL_ERR_INFEASIBLE)
		pl_error_set(err, PL_ERR_INFEASIBLE, "",
			     "a training fold has no lapse (or no lapse-free day) within the horizon: "
			     "use fewer folds or more clients");
	return st;
}

/* Score every client (its fold's model under cross-validation) and build the rows. */
static pl_status build_rows(const pl_eval_set *s, const pl_eval_options *o,
			    const pl_risk_model *models, const size_t *fold, int horizon, rows *r,
			    pl_error *err)
{
	pl_feature_spec ews[NEWS];
	size_t maxdays = 0;
	double *risk;
	int8_t *tier;
	pl_status st = PL_OK;

	for (size_t i = 0; i < s->n; i++)
		if (s->cl[i].client.ndays > maxdays)
			maxdays = s->cl[i].client.ndays;
	risk = malloc((maxdays ? maxdays : 1) * sizeof(double));
	tier = malloc(maxdays ? maxdays : 1);
	if (!risk || !tier)
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t j = 0; st == PL_OK && j < NEWS; j++)
		st = pl_feature_parse(ews_features[j], &s->cat, "", &ews[j], err);
	for (size_t i = 0; st == PL_OK && i < s->n; i++) {
		const pl_risk_model *m = o->model ? o->model : &models[fold[i]];
		st = score_client(m, &s->cl[i].client, risk, tier, err);
		if (st == PL_OK)
			st = add_rows(r, s, i, risk, tier, horizon, o->baselines, ews, err);
	}
	if (st == PL_OK)
		r->row_first[s->n] = r->n;
	free(risk);
	free(tier);
	return st;
}

/* ---------------------------------------------------------------- reports */

/* The oracles: only when every client has its truth; the window oracle where it is defined. */
static pl_status oracle_reports(const rows *r, const pl_eval_data *d, const pl_metrics_options *mo,
				pl_eval_result *out, pl_error *err)
{
	pl_eval_data od = *d;
	size_t nwin = 0;
	pl_status st;

	od.tier = NULL;
	od.score = r->oracle;
	for (size_t i = 0; i < r->n; i++)
		if (isnan(r->oracle[i]))
			return pl_error_set(err, PL_ERR_INVALID, "",
					    "truth.hazard is shorter than a client's check-in grid");
	st = pl_metrics_report_compute(&od, NULL, 0, mo, &out->oracle, err);
	if (st != PL_OK)
		return st;
	out->has_oracle = 1;
	for (size_t i = 0; i < r->n; i++)
		nwin += !isnan(r->oracle_window[i]);
	if (nwin != r->n)
		return PL_OK;
	od.score = r->oracle_window;
	st = pl_metrics_report_compute(&od, NULL, 0, mo, &out->oracle_window, err);
	out->has_oracle_window = st == PL_OK;
	return st;
}

static pl_status baseline_reports(const rows *r, const pl_eval_data *d,
				  const pl_metrics_options *mo, pl_eval_result *out, pl_error *err)
{
	for (int b = 0; b < PL_EVAL_NBASELINES; b++) {
		pl_eval_data bd = *d;
		pl_status st;
		bd.tier = NULL;
		bd.score = r->baseline[b];
		st = pl_metrics_report_compute(&bd, NULL, 0, mo, &out->baseline[b], err);
		if (st != PL_OK)
			return st;
	}
	out->has_baselines = 1;
	return PL_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct strings of list[0..n), sorted; *out malloc'ed (NULL when out of memory). */
static size_t distinct_sorted(const char **list, size_t n, const char ***out)
{
	size_t k = 0;

	qsort(list, n, sizeof(*list), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || strcmp(list[k - 1], list[i]) != 0)
			list[k++] = list[i];
	*out = list;
	return k;
}

/* The value of attribute `name` for client e, or NULL. */
static const char *attr_of(const pl_eval_client *e, const char *name)
{
	for (size_t k = 0; k < e->nattrs; k++)
		if (strcmp(e->attr_name[k], name) == 0)
			return e->attr_value[k];
	return NULL;
}

/* Subgroups: for every attribute, for every value, the metrics of the clients having it. */
static pl_status subgroup_reports(const pl_eval_set *s, const pl_eval_data *d,
				  const pl_metrics_options *mo, pl_eval_result *out, pl_error *err)
{
	size_t total = 0, nnames, cap = 0, *list = malloc((s->n ? s->n : 1) * sizeof(size_t));
	const char **names = NULL, **vals = NULL;
	pl_status st = PL_OK;

	for (size_t i = 0; i < s->n; i++)
		total += s->cl[i].nattrs;
	names = malloc((total ? total : 1) * sizeof(char *));
	vals = malloc((total ? total : 1) * sizeof(char *));
	out->subgroups = malloc((total ? total : 1) * sizeof(*out->subgroups));
	if (!list || !names || !vals || !out->subgroups) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto done;
	}
	total = 0;
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < s->cl[i].nattrs; k++)
			names[total++] = s->cl[i].attr_name[k];
	nnames = distinct_sorted(names, total, &names);
	for (size_t a = 0; st == PL_OK && a < nnames; a++) {
		size_t nv = 0;
		for (size_t i = 0; i < s->n; i++) {
			const char *v = attr_of(&s->cl[i], names[a]);
			if (v)
				vals[nv++] = v;
		}
		nv = distinct_sorted(vals, nv, &vals);
		for (size_t j = 0; st == PL_OK && j < nv; j++) {
			pl_eval_subgroup *g = &out->subgroups[cap];
			size_t nl = 0;
			for (size_t i = 0; i < s->n; i++) {
				const char *v = attr_of(&s->cl[i], names[a]);
				if (v && strcmp(v, vals[j]) == 0)
					list[nl++] = i;
			}
			g->attribute = names[a];
			g->value = vals[j];
			memset(&g->report, 0, sizeof(g->report));
			st = pl_metrics_report_compute(d, list, nl, mo, &g->report, err);
			if (st == PL_OK)
				out->nsubgroups = ++cap;
		}
	}
done:
	free(list);
	free(names);
	free(vals);
	return st;
}

/* ---------------------------------------------------------------- the run */

static void data_counts(const pl_eval_set *s, const rows *r, pl_eval_result *out)
{
	out->clients = s->n;
	out->rows = r->n;
	out->unlabelled_days = r->unlabelled;
	out->unscored_days = r->unscored;
	out->lapses = r->nlapses;
	for (size_t i = 0; i < r->n; i++)
		out->positives += r->label[i];
	for (size_t i = 0; i < s->n; i++)
		out->clients_scored += r->row_first[i + 1] > r->row_first[i];
}

static pl_status compute_reports(const pl_eval_set *s, const pl_eval_options *o, const rows *r,
				 pl_eval_result *out, pl_error *err)
{
	pl_eval_data d = { s->n, r->row_first, r->risk, r->label, r->day, r->lapse_first,
			   r->lapse_day, r->tier };
	pl_status st;

	data_counts(s, r, out);
	st = pl_metrics_report_compute(&d, NULL, 0, &o->metrics, &out->metrics, err);
	if (st == PL_OK && s->with_truth == s->n)
		st = oracle_reports(r, &d, &o->metrics, out, err);
	if (st == PL_OK && o->baselines)
		st = baseline_reports(r, &d, &o->metrics, out, err);
	if (st == PL_OK)
		st = subgroup_reports(s, &d, &o->metrics, out, err);
	return st;
}

pl_status pl_eval_run(const pl_eval_set *s, const pl_eval_options *o, pl_eval_result *out,
		      pl_error *err)
{
	pl_risk_model *models = NULL;
	size_t *fold = NULL;
	rows r;
	pl_status st = PL_OK;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	if (s->n == 0)
		return pl_error_set(err, PL_ERR_INVALID, "", "there are no clients to evaluate");
	if (!o->model && (o->folds < 2 || o->folds > s->n))
		return pl_error_set(err, PL_ERR_INVALID, "",
				    "cross-validation needs between 2 folds and one per client");
	out->horizon_days = o->model ? o->model->horizon_days : o->horizon_days;
	fold = calloc(s->n, sizeof(size_t));
	r.row_first = malloc((s->n + 1) * sizeof(size_t));
	r.lapse_first = malloc((s->n + 1) * sizeof(size_t));
	if (!o->model) {
		out->folds = o->folds;
		models = calloc(o->folds, sizeof(*models));
		out->fold_moderate = malloc(o->folds * sizeof(double));
		out->fold_high = malloc(o->folds * sizeof(double));
	}
	if (!fold || !r.row_first || !r.lapse_first ||
	    (!o->model && (!models || !out->fold_moderate || !out->fold_high))) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto done;
	}
	if (o->model) {
		out->threshold_moderate = o->model->threshold_moderate;
		out->threshold_high = o->model->threshold_high;
	} else if ((st = assign_folds(s->n, o->folds, o->seed, fold, err)) != PL_OK ||
		   (st = train_folds(s, o, fold, models, err)) != PL_OK) {
		goto done;
	}
	for (size_t f = 0; models && f < o->folds; f++) {
		out->fold_moderate[f] = models[f].threshold_moderate;
		out->fold_high[f] = models[f].threshold_high;
	}
	st = build_rows(s, o, models, fold, out->horizon_days, &r, err);
	if (st == PL_OK)
		st = collect_lapses(&r, s, err);
	if (st == PL_OK)
		st = compute_reports(s, o, &r, out, err);
done:
	for (size_t f = 0; models && f < o->folds; f++)
		pl_risk_model_release(&models[f]);
	free(models);
	free(fold);
	rows_release(&r);
	if (st != PL_OK)
		pl_eval_result_release(out);
	return st;
}

void pl_eval_result_release(pl_eval_result *r)
{
	if (!r)
		return;
	free(r->fold_moderate);
	free(r->fold_high);
	pl_metrics_report_release(&r->metrics);
	pl_metrics_report_release(&r->oracle);
	pl_metrics_report_release(&r->oracle_window);
	for (int b = 0; b < PL_EVAL_NBASELINES; b++)
		pl_metrics_report_release(&r->baseline[b]);
	for (size_t g = 0; g < r->nsubgroups; g++)
		pl_metrics_report_release(&r->subgroups[g].report);
	free(r->subgroups);
	memset(r, 0, sizeof(*r));
}
