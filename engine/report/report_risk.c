/*
 * report_risk.c: `peerlink report risk`: the `risk score` answer as a page a clinician reads.
 *
 * First a cohort overview sorted by risk (tier, days since the last check-in, the measure that
 * drives the risk, a suggested action), then one section per client (an anchor, #client-K, K the
 * client's position in the answer) for the `detail` riskiest clients: a timeline of each 0-10
 * measure over the last weeks with missed check-ins, reported use, lapses and high-risk days
 * marked; the risk trajectory against the tier bands; the top contributions as bars.
 *
 * The answer carries one risk per client. The timelines come from the check-in input (option
 * `checkins`) and the trajectory from re-scoring each day with the model (option `model`,
 * pl_risk_predict_days); without them those panels say what they need.
 *
 * The suggested action is a plain rule on what the answer says (docs/report.md): tier contact
 * (silent beyond the model's range) "no recent data: reach out today", high tier
 * "contact today", moderate "check in within 2 days", low "routine follow-up", unscored "ask for
 * check-ins"; reported use or a recent lapse adds "review the lapse and the safety plan", three or
 * more days without a check-in adds "reach out: check-ins stopped".
 */
#include "report_int.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/checkins.h>
#include <peerlink/json_risk.h>

typedef struct row {
	size_t idx;          /* position in the answer */
	json_t *c;           /* the answer's client (borrowed) */
	const char *id;
	double risk;         /* NaN: unscored */
	const char *tier;
	int32_t as_of;       /* INT32_MIN when absent */
	json_t *in;          /* the client's check-in object (borrowed), NULL if not given */
	size_t in_idx;       /* its position in the check-in input */
	long days_since;     /* -1: unknown */
	int detail;          /* has a section */
} row;

void pl_report_risk_options_init(pl_report_risk_options *o)
{
	memset(o, 0, sizeof(*o));
	o->detail = 100;
	o->weeks = 12;
}

static int is_contact(const row *r)
{
	return r->tier && strcmp(r->tier, "contact") == 0;
}

/* Tier "contact" (silent beyond the model's range) first: no number, but the most urgent to
 * reach; then by risk, unscored last. */
static int by_risk(const void *a, const void *b)
{
	const row *x = a, *y = b;
	int xn = isnan(x->risk), yn = isnan(y->risk);

	if (is_contact(x) != is_contact(y))
		return is_contact(y) - is_contact(x);
	if (xn != yn)
		return xn - yn;
	if (!xn && x->risk != y->risk)
		return x->risk < y->risk ? 1 : -1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* ---- the check-in input, indexed by id ---- */
typedef struct id_ref {
	const char *id;
	json_t *obj;
	size_t idx; /* position in the check-in input */
} id_ref;

static int by_id(const void *a, const void *b)
{
	return strcmp(((const id_ref *)a)->id, ((const id_ref *)b)->id);
}

static const id_ref *find_client(const id_ref *refs, size_t n, const char *id)
{
	id_ref key = { id, NULL, 0 };
	if (!refs || !n)
		return NULL;
	return bsearch(&key, refs, n, sizeof(*refs), by_id);
}

static pl_status index_checkins(json_t *doc, id_ref **out, size_t *n, pl_error *err)
{
	json_t *clients;
	pl_status st;
	size_t k = 0, i;
	json_t *c;

	*out = NULL;
	*n = 0;
	if (!doc)
		return PL_OK;
	if ((st = pl_json_get_array(doc, "clients", "", 1, &clients, err)) != PL_OK)
		return pl_error_set(err, st, "/clients",
				    "the check-in input needs \"clients\" (the input of risk score)");
	*out = calloc(json_array_size(clients) + 1, sizeof(**out));
	if (!*out)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	json_array_foreach(clients, i, c) {
		const char *id = rp_str(c, "id");
		if (id)
			(*out)[k++] = (id_ref){ id, c, i };
	}
	qsort(*out, k, sizeof(**out), by_id);
	*n = k;
	return PL_OK;
}

/* ---- pieces of the overview ---- */

/* The measure behind the risk: the first signal's measure, else the top raising contribution's
 * feature (its measure part, before the dot). Written into buf. */
static void top_measure(json_t *c, char *buf, size_t size)
{
	json_t *sig = rp_arr(c, "signals"), *con = rp_arr(c, "contributions"), *v;
	size_t i;

	buf[0] = '\0';
	json_array_foreach(sig, i, v) {
		const char *m = rp_str(v, "measure");
		if (m) {
			snprintf(buf, size, "%s", m);
			return;
		}
	}
	json_array_foreach(con, i, v) {
		const char *f = rp_str(v, "feature");
		double x = rp_num(v, "contribution");
		if (f && x > 0) {
			const char *dot = strchr(f, '.');
			size_t len = dot ? (size_t)(dot - f) : strlen(f);
			snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), f);
			return;
		}
	}
}

static int has_signal(json_t *c, const char *kind)
{
	json_t *sig = rp_arr(c, "signals"), *v;
	size_t i;

	json_array_foreach(sig, i, v) {
		const char *k = rp_str(v, "kind");
		if (k && strcmp(k, kind) == 0)
			return 1;
	}
	return 0;
}

static void suggested_action(const row *r, pl_buf *b)
{
	const char *t = r->tier ? r->tier : "";

	if (is_contact(r))
		pl_buf_puts(b, "no recent data: reach out today");
	else if (isnan(r->risk) || !r->tier)
		pl_buf_puts(b, "not enough check-ins to score: ask for check-ins");
	else if (strcmp(t, "high") == 0)
		pl_buf_puts(b, "contact today");
	else if (strcmp(t, "moderate") == 0)
		pl_buf_puts(b, "check in within 2 days");
	else
		pl_buf_puts(b, "routine follow-up");
	if (has_signal(r->c, "reported_use") || has_signal(r->c, "recent_lapse"))
		pl_buf_puts(b, "; review the lapse and the safety plan");
	if (r->days_since >= 3)
		pl_buf_puts(b, "; reach out: check-ins stopped");
}

static void tier_badge(pl_buf *b, const char *tier)
{
	const char *t = tier ? tier : "unscored";
	const char *cls = strcmp(t, "high") == 0 || strcmp(t, "contact") == 0 ? "high"
			  : strcmp(t, "moderate") == 0 ? "moderate"
			  : strcmp(t, "low") == 0 ? "low" : "unscored";
	pl_buf_printf(b, "<span class=\"tier tier-%s\">", cls);
	pl_buf_escape(b, t);
	pl_buf_puts(b, "</span>");
}

static void percent(pl_buf *b, double risk)
{
	if (isnan(risk))
		pl_buf_puts(b, "n/a");
	else
		pl_buf_printf(b, "%.1f%%", 100 * risk);
}

static void overview(pl_buf *b, const row *rows, size_t n, int have_checkins)
{
	pl_buf_puts(b, "<section id=\"overview\">");
	rp_heading(b, 2, NULL, "Cohort overview, highest risk first");
	if (!have_checkins)
		rp_missing(b, "Days since the last check-in need the check-in input (--checkins FILE).");
	pl_buf_puts(b, "<div class=\"scroll\"><table class=\"overview\"><thead><tr><th>client</th>"
		       "<th>tier</th><th>risk</th><th>days since check-in</th><th>top measure</th>"
		       "<th>suggested action</th></tr></thead><tbody>\n");
	for (size_t k = 0; k < n; k++) {
		const row *r = &rows[k];
		char m[PL_MEASURE_NAME_MAX + 8];
		pl_buf_puts(b, "<tr><td>");
		if (r->detail)
			pl_buf_printf(b, "<a href=\"#client-%zu\">", r->idx);
		pl_buf_escape(b, r->id);
		pl_buf_puts(b, r->detail ? "</a></td><td>" : "</td><td>");
		tier_badge(b, r->tier);
		pl_buf_puts(b, "</td><td class=\"num\">");
		percent(b, r->risk);
		pl_buf_puts(b, "</td><td class=\"num\">");
		if (r->days_since >= 0)
			pl_buf_printf(b, "%ld", r->days_since);
		else
			pl_buf_puts(b, "n/a");
		top_measure(r->c, m, sizeof(m));
		pl_buf_puts(b, "</td>");
		rp_td(b, m);
		pl_buf_puts(b, "<td>");
		suggested_action(r, b);
		pl_buf_puts(b, "</td></tr>\n");
	}
	pl_buf_puts(b, "</tbody></table></div></section>\n");
}

/* ---- one client's section ---- */

static const int timeline_measures[] = { PL_M_CRAVING, PL_M_STRESS, PL_M_ANXIETY, PL_M_MOOD,
					 PL_M_SLEEP_QUALITY };
#define NTIMELINE (sizeof(timeline_measures) / sizeof(timeline_measures[0]))

typedef struct client_days {
	int32_t first, last;   /* window shown, day numbers */
	size_t nd;
	double *x;             /* day numbers */
	double *y[NTIMELINE];  /* values */
	double *risk;          /* trajectory (NULL without a model) */
	double *missed, *used, *alerts; /* day numbers of the marks */
	size_t nmissed, nused, nalerts;
} client_days;

static void client_days_release(client_days *d)
{
	free(d->x);
	for (size_t m = 0; m < NTIMELINE; m++)
		free(d->y[m]);
	free(d->risk);
	free(d->missed);
	free(d->used);
	free(d->alerts);
	memset(d, 0, sizeof(*d));
}

static pl_status client_days_fill(const pl_client *pc, const pl_catalogue *cat, int32_t as_of,
				  int weeks, const pl_risk_model *model, double high,
				  client_days *d, pl_error *err)
{
	pl_status st = PL_OK;

	memset(d, 0, sizeof(*d));
	d->last = as_of;
	d->first = as_of - 7 * weeks + 1;
	if (d->first < pc->start)
		d->first = pc->start;
	if (d->last < d->first)
		d->last = d->first;
	d->nd = (size_t)(d->last - d->first + 1);
	d->x = malloc(d->nd * sizeof(double));
	d->missed = malloc(d->nd * sizeof(double));
	d->used = malloc(d->nd * sizeof(double));
	d->alerts = malloc(d->nd * sizeof(double));
	if (!d->x || !d->missed || !d->used || !d->alerts)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t m = 0; m < NTIMELINE; m++)
		if (!(d->y[m] = malloc(d->nd * sizeof(double))))
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t k = 0; k < d->nd; k++) {
		int32_t day = d->first + (int32_t)k;
		long t = (long)day - pc->start;
		d->x[k] = day;
		for (size_t m = 0; m < NTIMELINE; m++)
			d->y[m][k] = (size_t)timeline_measures[m] < cat->n
					     ? pl_client_value(pc, (size_t)timeline_measures[m], day)
					     : NAN;
		if (t < 0 || t >= (long)pc->ndays || !pc->checked_in[t])
			d->missed[d->nmissed++] = day;
		if (pl_client_value(pc, PL_M_USED, day) > 0.5)
			d->used[d->nused++] = day;
	}
	if (model) {
		d->risk = malloc(d->nd * sizeof(double));
		if (!d->risk)
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		st = pl_risk_predict_days(model, pc, d->first, d->last, d->risk, err);
		if (st == PL_OK)
			for (size_t k = 0; k < d->nd; k++)
				if (isfinite(d->risk[k]) && isfinite(high) && d->risk[k] >= high)
					d->alerts[d->nalerts++] = d->x[k];
	}
	return st;
}

/* One small chart per 0-10 measure (small multiples read better than five tangled lines); the
 * first also carries the strips of missed check-ins, reported use and high-risk days, and every
 * one the lapses. */
static pl_status timeline_charts(pl_buf *b, const pl_client *pc, const pl_catalogue *cat,
				 const client_days *d, pl_error *err)
{
	pl_plot_strip strips[3];
	pl_plot_rule rules[16];
	size_t nr = 0, ns = 0;
	pl_status st = PL_OK;

	strips[ns++] = (pl_plot_strip){ "missed", d->nmissed, d->missed, 6 };
	strips[ns++] = (pl_plot_strip){ "use", d->nused, d->used, 4 };
	if (d->risk)
		strips[ns++] = (pl_plot_strip){ "high risk", d->nalerts, d->alerts, 1 };
	for (size_t e = 0; e < pc->nevents && nr < 16; e++) {
		const pl_event *ev = &pc->events[e];
		if (ev->day < d->first || ev->day > d->last)
			continue;
		rules[nr++] = (pl_plot_rule){ ev->day,
			pl_event_type_name(ev->type), 4 };
	}
	pl_buf_puts(b, "<div class=\"timeline\">");
	for (size_t m = 0; m < NTIMELINE && st == PL_OK; m++) {
		pl_plot_series se = { NULL, PL_PLOT_LINE, (int)m, d->nd, d->x, d->y[m], NULL, NULL };
		pl_plot p;
		if ((size_t)timeline_measures[m] >= cat->n)
			continue;
		pl_plot_init(&p);
		p.title = cat->defs[timeline_measures[m]].name;
		p.width = 470;
		p.margin_left = 70; /* the strips' labels; the same for every chart, so days line up */
		p.height = m == 0 ? 150 + 12 * (int)ns : 150;
		p.ymin = 0;
		p.ymax = 10;
		p.xformat = PL_PLOT_X_DATE;
		p.xmin = d->first;
		p.xmax = d->last;
		p.series = &se;
		p.nseries = 1;
		if (m == 0) {
			p.strips = strips;
			p.nstrips = ns;
		}
		p.rules = rules;
		p.nrules = nr;
		st = rp_figure_xy(b, &p, err);
	}
	pl_buf_puts(b, "</div>\n");
	return st;
}

static pl_status trajectory_chart(pl_buf *b, const client_days *d, double mod, double high,
				  pl_error *err)
{
	pl_plot_series se = { NULL, PL_PLOT_LINE, 0, d->nd, d->x, d->risk, NULL, NULL };
	pl_plot_band bands[3];
	double top = isfinite(high) ? 1.6 * high : 0.1;
	size_t nb = 0;
	pl_plot p;

	for (size_t k = 0; k < d->nd; k++)
		if (isfinite(d->risk[k]) && d->risk[k] * 1.1 > top)
			top = d->risk[k] * 1.1;
	if (isfinite(mod) && isfinite(high)) {
		bands[nb++] = (pl_plot_band){ 0, mod, "low", "#ffffff" };
		bands[nb++] = (pl_plot_band){ mod, high, "moderate", "#fbe3b0" };
		bands[nb++] = (pl_plot_band){ high, top * 2, "high", "#f3c1a5" };
	}
	pl_plot_init(&p);
	p.title = "Risk trajectory (model re-scored each day) with tier bands";
	p.ylabel = "risk";
	p.height = 220;
	p.xformat = PL_PLOT_X_DATE;
	p.xmin = d->first;
	p.xmax = d->last;
	p.ymin = 0;
	{
		double first, step;
		size_t n = pl_plot_ticks(0, top, 5, &first, &step);
		p.ymax = first + step * (double)(n - 1);
	}
	p.series = &se;
	p.nseries = 1;
	p.bands = bands;
	p.nbands = nb;
	return rp_figure_xy(b, &p, err);
}

static pl_status contributions_chart(pl_buf *b, json_t *c, pl_error *err)
{
	static const rp_bar_fields fields = { "feature", "contribution", NULL, 1 };
	pl_plot_bars bars = { "Top contributions to the risk (log-odds; right raises it)",
			      "contribution to the log-odds", 0, 0, NULL, NULL, NULL, NULL, 3 };

	/* vermillion raises the risk, blue lowers it */
	return rp_figure_bars(b, NULL, rp_arr(c, "contributions"), &fields, &bars, err);
}

static void signals_list(pl_buf *b, json_t *c)
{
	json_t *sig = rp_arr(c, "signals"), *v;
	size_t i;

	if (json_array_size(sig) == 0) {
		pl_buf_puts(b, "<p class=\"note\">No warning signals.</p>\n");
		return;
	}
	pl_buf_puts(b, "<ul class=\"signals\">");
	json_array_foreach(sig, i, v) {
		const char *t = rp_str(v, "text") ? rp_str(v, "text") : rp_str(v, "kind");
		pl_buf_puts(b, "<li>");
		pl_buf_escape(b, t ? t : "signal");
		pl_buf_puts(b, "</li>");
	}
	pl_buf_puts(b, "</ul>\n");
}

static pl_status client_section(pl_buf *b, const row *r, const pl_report_risk_options *o,
				const pl_catalogue *cat, double mod, double high, pl_error *err)
{
	json_t *dq = rp_obj(r->c, "data_quality");
	pl_client pc = PL_CLIENT_INIT;
	client_days d;
	pl_status st = PL_OK;
	char ptr[64];

	memset(&d, 0, sizeof(d));
	pl_buf_printf(b, "<section class=\"client\" id=\"client-%zu\"><h2>", r->idx);
	pl_buf_escape(b, r->id);
	pl_buf_puts(b, " ");
	tier_badge(b, r->tier);
	pl_buf_puts(b, " ");
	percent(b, r->risk);
	pl_buf_puts(b, "</h2>\n<p class=\"note\">");
	if (rp_str(r->c, "as_of")) {
		pl_buf_puts(b, "As of ");
		pl_buf_escape(b, rp_str(r->c, "as_of"));
		pl_buf_puts(b, ". ");
	}
	if (dq)
		pl_buf_printf(b, "Check-ins on %.0f of %.0f days (longest gap %.0f days); %.0f in the "
			      "last 14 days. ", rp_num(dq, "days_observed"), rp_num(dq, "days_in_range"),
			      rp_num(dq, "longest_gap"), rp_num(dq, "checkins_last_14"));
	pl_buf_puts(b, "Suggested action: ");
	suggested_action(r, b);
	pl_buf_puts(b, ". <a href=\"#overview\">Back to the overview</a></p>\n");
	signals_list(b, r->c);

	if (!r->in) {
		rp_missing(b, o->checkins ? "This client is not in the check-in input: no timeline."
					  : "Timelines need the check-in input (--checkins FILE).");
	} else if (r->as_of == INT32_MIN) {
		rp_missing(b, "The answer has no as_of date for this client: no timeline.");
	} else {
		/* errors point into the check-in input; the message says so */
		snprintf(ptr, sizeof(ptr), "/clients/%zu", r->in_idx);
		st = pl_client_from_json(r->in, cat, ptr, &pc, err);
		if (st == PL_ERR_INVALID)
			pl_error_prefix(err, "in the check-in input (--checkins)");
		if (st != PL_OK)
			goto out;
		st = client_days_fill(&pc, cat, r->as_of, o->weeks, o->model, high, &d, err);
		if (st != PL_OK)
			goto out;
		if ((st = timeline_charts(b, &pc, cat, &d, err)) != PL_OK)
			goto out;
		if (d.risk)
			st = trajectory_chart(b, &d, mod, high, err);
		else
			rp_missing(b, "The risk trajectory needs the model that scored the answer "
				      "(--model FILE).");
		if (st != PL_OK)
			goto out;
	}
	if (json_array_size(rp_arr(r->c, "contributions")) > 0)
		st = contributions_chart(b, r->c, err);
	else
		rp_missing(b, "The answer lists no contributions for this client.");
	pl_buf_puts(b, "</section>\n");
out:
	client_days_release(&d);
	pl_client_release(&pc);
	return st;
}

/* ---- the page ---- */

static pl_status read_rows(json_t *answer, const id_ref *refs, size_t nrefs, row **out, size_t *n,
			   pl_error *err)
{
	json_t *clients, *c;
	pl_status st;
	size_t i;
	char ptr[64];

	if ((st = pl_json_get_array(answer, "clients", "", 1, &clients, err)) != PL_OK) {
		pl_error_set(err, st, "/clients", "a risk report reads the answer of `peerlink risk "
			     "score`, which has a \"clients\" array");
		return st;
	}
	*n = json_array_size(clients);
	*out = calloc(*n + 1, sizeof(**out));
	if (!*out)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	json_array_foreach(clients, i, c) {
		row *r = &(*out)[i];
		const char *as_of = NULL, *tier = NULL;
		json_t *risk;
		pl_json_ptr_index(ptr, sizeof(ptr), "/clients", i);
		if (!json_is_object(c))
			return pl_error_set(err, PL_ERR_INVALID, ptr, "each client must be an object");
		if ((st = pl_json_get_string(c, "id", ptr, 1, &r->id, err)) != PL_OK ||
		    (st = pl_json_get_string(c, "tier", ptr, 0, &tier, err)) != PL_OK ||
		    (st = pl_json_get_string(c, "as_of", ptr, 0, &as_of, err)) != PL_OK)
			return st;
		risk = json_object_get(c, "risk");
		if (!risk || (!json_is_number(risk) && !json_is_null(risk))) {
			char p2[96];
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p2, sizeof(p2), ptr, "risk"),
					    "each client needs \"risk\" (a number or null), as risk "
					    "score writes it");
		}
		r->idx = i;
		r->c = c;
		r->tier = tier;
		r->risk = json_is_number(risk) ? json_number_value(risk) : NAN;
		r->as_of = INT32_MIN;
		if (as_of)
			pl_date_parse(as_of, &r->as_of);
		{
			const id_ref *hit = find_client(refs, nrefs, r->id);
			r->in = hit ? hit->obj : NULL;
			r->in_idx = hit ? hit->idx : 0;
		}
		r->days_since = -1;
	}
	return PL_OK;
}

/* Days from the last check-in to as_of, from the check-in input. */
static void days_since(row *r, const pl_catalogue *cat)
{
	pl_client pc = PL_CLIENT_INIT;
	pl_error e = PL_ERROR_INIT;
	int32_t last;

	if (!r->in || r->as_of == INT32_MIN)
		return;
	if (pl_client_from_json(r->in, cat, "", &pc, &e) == PL_OK &&
	    (last = pl_client_last_checkin(&pc)) != INT32_MIN && last <= r->as_of)
		r->days_since = (long)(r->as_of - last);
	pl_client_release(&pc);
}

pl_status pl_report_risk(json_t *answer, const pl_report_risk_options *o, pl_buf *out, pl_error *err)
{
	id_ref *refs = NULL;
	size_t nrefs = 0, n = 0, shown = 0;
	row *rows = NULL;
	pl_catalogue cat = PL_CATALOGUE_INIT;
	json_t *model = rp_obj(answer, "model"), *th = rp_obj(model, "thresholds");
	double mod = rp_num(th, "moderate"), high = rp_num(th, "high");
	pl_status st;

	if ((st = index_checkins(o->checkins, &refs, &nrefs, err)) != PL_OK)
		goto out;
	if ((st = read_rows(answer, refs, nrefs, &rows, &n, err)) != PL_OK)
		goto out;
	if (o->model)
		st = pl_catalogue_copy(&cat, &o->model->catalogue, err);
	else
		st = pl_catalogue_from_json(&cat, o->checkins ? json_object_get(o->checkins, "measures")
							      : NULL, "/measures", err);
	if (st != PL_OK)
		goto out;
	if (o->model && isnan(high)) {
		mod = o->model->threshold_moderate;
		high = o->model->threshold_high;
	}
	qsort(rows, n, sizeof(*rows), by_risk);
	for (size_t k = 0; k < n; k++) {
		days_since(&rows[k], &cat);
		if (shown < o->detail && (!isnan(rows[k].risk) || is_contact(&rows[k]))) {
			rows[k].detail = 1;
			shown++;
		}
	}

	rp_begin(out, "risk", "Relapse-risk report");
	{
		json_t *tiers = rp_obj(rp_obj(answer, "stats"), "tiers");
		pl_buf_printf(out, "<p>%zu clients. ", n);
		if (tiers)
			pl_buf_printf(out, "Tiers: %.0f high, %.0f moderate, %.0f low. ",
				      rp_num(tiers, "high"), rp_num(tiers, "moderate"), rp_num(tiers, "low"));
		if (isfinite(rp_num(model, "horizon_days")))
			pl_buf_printf(out, "Risk is the calibrated probability of a lapse within %.0f days",
				      rp_num(model, "horizon_days"));
		if (isfinite(mod) && isfinite(high))
			pl_buf_printf(out, " (moderate from %.1f%%, high from %.1f%%)", 100 * mod, 100 * high);
		pl_buf_puts(out, ".</p>\n");
		pl_buf_printf(out, "<p class=\"note\">Client sections follow for the %zu highest-risk "
			      "scored clients (linked from the table).</p>\n", shown);
	}
	overview(out, rows, n, o->checkins != NULL);
	for (size_t k = 0; k < n && st == PL_OK; k++)
		if (rows[k].detail)
			st = client_section(out, &rows[k], o, &cat, mod, high, err);
	if (st != PL_OK)
		goto out;
	rp_end(out);
	if (out->failed)
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory writing the report");
out:
	pl_catalogue_release(&cat);
	free(refs);
	free(rows);
	return st;
}
