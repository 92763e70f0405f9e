/*
 * report_evaluation.c: `peerlink report evaluation`: the `risk evaluate` answer as the figures a
 * paper shows: ROC and precision-recall curves, the reliability diagram, the decision curve, lead
 * times against the random-alert null, and forest plots of AUROC by reference score and subgroup;
 * with the answer's warnings first and its paired comparison (--compare) after the summary.
 *
 * Curves: taken from the answer's metrics.curves (members "roc", "pr" and "decision_curve",
 * arrays of points, as risk evaluate writes them), otherwise computed from per-row predictions
 * when given (the {"risk", "label"} rows of `risk evaluate --rows`), otherwise the panel says
 * what is missing. The decision curve is net benefit = TP/n - FP/n * t/(1 - t) at
 * threshold probability t, against treating everyone and no one (Vickers & Elkin, "Decision curve
 * analysis", Medical Decision Making 26(6), 2006).
 */
#include "report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CURVE_POINTS 400 /* enough for a smooth curve, small enough for 2,000-client files */

typedef struct curve {
	double *x, *y, *y2; /* y2: a second y (treat-all net benefit), may be NULL */
	size_t n;
} curve;

static void curve_release(curve *c)
{
	free(c->x);
	free(c->y);
	free(c->y2);
	memset(c, 0, sizeof(*c));
}

/* node[xk], node[yk] as arrays, or node as an array of {xk, yk} objects. */
static int curve_from_json(json_t *node, const char *xk, const char *yk, const char *y2k, curve *c)
{
	size_t n, i;
	json_t *p;

	memset(c, 0, sizeof(*c));
	if (json_is_object(node) && rp_arr(node, xk) && rp_arr(node, yk)) {
		size_t ny;
		c->x = rp_doubles(rp_arr(node, xk), &n);
		c->y = rp_doubles(rp_arr(node, yk), &ny);
		if (y2k && rp_arr(node, y2k))
			c->y2 = rp_doubles(rp_arr(node, y2k), &ny);
		c->n = c->x && c->y && ny == n ? n : 0;
	} else if (json_is_array(node) && json_array_size(node) > 0) {
		n = json_array_size(node);
		c->x = malloc(n * sizeof(double));
		c->y = malloc(n * sizeof(double));
		c->y2 = y2k ? malloc(n * sizeof(double)) : NULL;
		if (c->x && c->y && (!y2k || c->y2)) {
			json_array_foreach(node, i, p) {
				c->x[i] = rp_num(p, xk);
				c->y[i] = rp_num(p, yk);
				if (c->y2)
					c->y2[i] = rp_num(p, y2k);
			}
			c->n = n;
		}
	}
	if (c->n == 0) {
		curve_release(c);
		return 0;
	}
	return 1;
}

/* A curve of the answer: metrics.curves.<name> (risk evaluate's layout). */
static json_t *answer_curve(json_t *answer, const char *name)
{
	return json_object_get(rp_obj(rp_obj(answer, "metrics"), "curves"), name);
}

/* ---- curves from per-row predictions ---- */
typedef struct pred {
	double p;
	int y;
} pred;

static int by_p_desc(const void *a, const void *b)
{
	double x = ((const pred *)a)->p, y = ((const pred *)b)->p;
	return x < y ? 1 : x > y ? -1 : 0;
}

static pl_status read_rows(json_t *rows, pred **out, size_t *n, size_t *npos, pl_error *err)
{
	json_t *r;
	size_t i, k = 0;

	*npos = 0;
	*out = malloc((json_array_size(rows) + 1) * sizeof(**out));
	if (!*out)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	json_array_foreach(rows, i, r) {
		double p = rp_num(r, "risk"), y = rp_num(r, "label");
		json_t *lab = json_object_get(r, "label");
		if (json_is_boolean(lab))
			y = json_is_true(lab);
		if (!isfinite(p) || !(y == 0 || y == 1))
			continue; /* unscored or unlabelled rows do not count, as in risk evaluate */
		(*out)[k++] = (pred){ p, (int)y };
		*npos += (size_t)y;
	}
	*n = k;
	qsort(*out, k, sizeof(**out), by_p_desc);
	return PL_OK;
}

/* ROC (fpr, tpr) and PR (recall, precision) at every distinct threshold, thinned to
 * MAX_CURVE_POINTS. */
static pl_status curves_from_rows(const pred *r, size_t n, size_t npos, curve *roc, curve *pr,
				  pl_error *err)
{
	size_t nneg = n - npos, tp = 0, fp = 0, cuts = 0, stride, k = 0;

	memset(roc, 0, sizeof(*roc));
	memset(pr, 0, sizeof(*pr));
	for (size_t i = 0; i < n; i++)
		if (i + 1 == n || r[i + 1].p != r[i].p)
			cuts++;
	stride = cuts / MAX_CURVE_POINTS + 1;
	roc->x = malloc((cuts / stride + 3) * sizeof(double));
	roc->y = malloc((cuts / stride + 3) * sizeof(double));
	pr->x = malloc((cuts / stride + 3) * sizeof(double));
	pr->y = malloc((cuts / stride + 3) * sizeof(double));
	if (!roc->x || !roc->y || !pr->x || !pr->y)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	roc->x[0] = roc->y[0] = 0;
	roc->n = 1;
	for (size_t i = 0, c = 0; i < n; i++) {
		tp += (size_t)r[i].y;
		fp += (size_t)!r[i].y;
		if (i + 1 < n && r[i + 1].p == r[i].p)
			continue;
		c++;
		if (c % stride != 0 && i + 1 != n)
			continue;
		roc->x[roc->n] = nneg ? (double)fp / (double)nneg : NAN;
		roc->y[roc->n] = npos ? (double)tp / (double)npos : NAN;
		roc->n++;
		pr->x[k] = npos ? (double)tp / (double)npos : NAN;
		pr->y[k] = (double)tp / (double)(tp + fp);
		k++;
	}
	pr->n = k;
	return PL_OK;
}

static pl_status decision_from_rows(const pred *r, size_t n, size_t npos, curve *dc, pl_error *err)
{
	size_t steps = 60;
	double prev = n ? (double)npos / (double)n : 0, tmax = 0.3;

	memset(dc, 0, sizeof(*dc));
	if (prev * 3 > tmax)
		tmax = fmin(0.9, prev * 3);
	dc->x = malloc(steps * sizeof(double));
	dc->y = malloc(steps * sizeof(double));
	dc->y2 = malloc(steps * sizeof(double));
	if (!dc->x || !dc->y || !dc->y2)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t s = 0; s < steps; s++) {
		double t = tmax * (double)(s + 1) / (double)steps, w = t / (1 - t);
		size_t tp = 0, fp = 0;
		for (size_t i = 0; i < n && r[i].p >= t; i++) {
			tp += (size_t)r[i].y;
			fp += (size_t)!r[i].y;
		}
		dc->x[s] = t;
		dc->y[s] = ((double)tp - (double)fp * w) / (double)n;
		dc->y2[s] = prev - (1 - prev) * w;
	}
	dc->n = steps;
	return PL_OK;
}

/* ---- panels ---- */

static pl_status curve_panel(pl_buf *b, const char *id, const char *title, const char *xl,
			     const char *yl, const curve *c, int diagonal, double baseline,
			     pl_error *err)
{
	pl_plot_series se[2];
	double bx[2] = { 0, 1 }, by[2] = { baseline, baseline };
	pl_plot p;
	size_t ns = 0;
	pl_status st;

	se[ns++] = (pl_plot_series){ "model", PL_PLOT_STEP, 0, c->n, c->x, c->y, NULL, NULL };
	if (isfinite(baseline))
		se[ns++] = (pl_plot_series){ "prevalence (no skill)", PL_PLOT_LINE, 6, 2, bx, by, NULL, NULL };
	pl_plot_init(&p);
	p.title = title;
	p.xlabel = xl;
	p.ylabel = yl;
	p.width = 420;
	p.height = 340;
	p.xmin = 0;
	p.xmax = 1;
	p.ymin = 0;
	p.ymax = 1;
	p.diagonal = diagonal;
	p.series = se;
	p.nseries = ns;
	pl_buf_printf(b, "<div id=\"%s\">", id);
	st = rp_figure_xy(b, &p, err);
	pl_buf_puts(b, "</div>\n");
	return st;
}

static pl_status reliability_panel(pl_buf *b, json_t *answer, pl_error *err)
{
	json_t *metrics = rp_obj(answer, "metrics"), *bins = NULL, *bin;
	const char *what = "fixed-width bins of predicted risk";
	double x[64], y[64], top = 0;
	size_t n = 0, i;
	pl_plot_series se;
	pl_plot p;
	pl_status st;

	bins = rp_arr(rp_obj(metrics, "calibration"), "deciles");
	if (bins)
		what = "deciles of predicted risk";
	else if ((bins = rp_arr(metrics, "reliability_deciles")) != NULL)
		what = "deciles of predicted risk";
	else
		bins = rp_arr(metrics, "reliability");
	pl_buf_puts(b, "<section id=\"reliability\">");
	rp_heading(b, 2, NULL, "Reliability diagram");
	if (!bins) {
		rp_missing(b, "The answer has no reliability table (metrics.reliability).");
		pl_buf_puts(b, "</section>\n");
		return PL_OK;
	}
	json_array_foreach(bins, i, bin) {
		double px = rp_num(bin, "mean_predicted"), oy = rp_num(bin, "observed_rate");
		if (n >= 64 || !isfinite(px) || !isfinite(oy) || rp_num(bin, "n") == 0)
			continue;
		x[n] = px;
		y[n] = oy;
		top = fmax(top, fmax(px, oy));
		n++;
	}
	se = (pl_plot_series){ "observed rate by bin", PL_PLOT_LINEPOINTS, 0, n, x, y, NULL, NULL };
	pl_plot_init(&p);
	p.title = "Observed lapse rate against mean predicted risk";
	p.xlabel = "mean predicted risk";
	p.ylabel = "observed rate";
	p.width = 420;
	p.height = 340;
	p.xmin = p.ymin = 0;
	{
		double first, step;
		size_t nt = pl_plot_ticks(0, top > 0 ? top * 1.05 : 1, 5, &first, &step);
		p.xmax = p.ymax = fmin(1, first + step * (double)(nt - 1));
	}
	p.diagonal = 1;
	p.series = &se;
	p.nseries = 1;
	st = rp_figure_xy(b, &p, err);
	pl_buf_puts(b, "<p class=\"note\">");
	pl_buf_printf(b, "%zu non-empty bins (", n);
	pl_buf_escape(b, what);
	pl_buf_puts(b, "); the dotted diagonal is perfect calibration.</p>\n");
	if (strcmp(what, "deciles of predicted risk") != 0)
		rp_missing(b, "This answer has no table by deciles of predicted risk "
			      "(metrics.calibration.deciles); fixed-width bins are shown.");
	pl_buf_puts(b, "</section>\n");
	return st;
}

static pl_status decision_panel(pl_buf *b, const curve *dc, pl_error *err)
{
	double zx[2], zy[2] = { 0, 0 };
	pl_plot_series se[3];
	size_t ns = 0;
	pl_plot p;
	double lo = 0, hi = 0;

	zx[0] = dc->x[0];
	zx[1] = dc->x[dc->n - 1];
	se[ns++] = (pl_plot_series){ "model", PL_PLOT_LINE, 0, dc->n, dc->x, dc->y, NULL, NULL };
	if (dc->y2)
		se[ns++] = (pl_plot_series){ "treat all", PL_PLOT_LINE, 1, dc->n, dc->x, dc->y2, NULL, NULL };
	se[ns++] = (pl_plot_series){ "treat none", PL_PLOT_LINE, 6, 2, zx, zy, NULL, NULL };
	for (size_t i = 0; i < dc->n; i++)
		if (isfinite(dc->y[i]))
			hi = fmax(hi, dc->y[i]);
	lo = -hi * 0.5; /* treat-all falls steeply: keep the interesting part in view */
	pl_plot_init(&p);
	p.title = "Decision curve: net benefit by threshold probability";
	p.xlabel = "threshold probability";
	p.ylabel = "net benefit";
	p.height = 300;
	if (hi > 0) {
		p.ymin = lo;
		p.ymax = hi * 1.1;
	}
	p.series = se;
	p.nseries = ns;
	return rp_figure_xy(b, &p, err);
}

static pl_status lead_panel(pl_buf *b, json_t *answer, pl_error *err)
{
	json_t *m = rp_obj(answer, "metrics"), *null = rp_obj(m, "random_alerts");
	const char *labels[2] = { "model (high tier)", "random alerts, same rate" };
	double e[2], lo[2], hi[2];
	pl_plot_forest f = { NULL, NULL, 0, 0, labels, e, lo, hi, NAN, PL_PLOT_AUTO, PL_PLOT_AUTO };
	pl_status st;

	pl_buf_puts(b, "<section id=\"lead-time\">");
	rp_heading(b, 2, NULL, "Lead time and lapses detected");
	e[0] = rp_value_ci(m, "lapses_detected", &lo[0], &hi[0]);
	e[1] = rp_value_ci(null, "lapses_detected", &lo[1], &hi[1]);
	f.title = "Share of lapses with a high-tier alert in the window before";
	f.xlabel = "share of lapses";
	f.n = null ? 2 : 1;
	f.xmin = 0;
	f.xmax = 1;
	pl_buf_puts(b, "<figure>");
	st = pl_plot_forest_svg(b, &f, err);
	pl_buf_puts(b, "</figure>\n");
	if (st == PL_OK) {
		e[0] = rp_value_ci(m, "lead_time_median_days", &lo[0], &hi[0]);
		e[1] = rp_value_ci(null, "lead_time_median_days", &lo[1], &hi[1]);
		f.title = "Median lead time of the first alert before a lapse";
		f.xlabel = "days";
		f.xmin = 0;
		f.xmax = PL_PLOT_AUTO;
		pl_buf_puts(b, "<figure>");
		st = pl_plot_forest_svg(b, &f, err);
		pl_buf_puts(b, "</figure>\n");
	}
	if (!null)
		rp_missing(b, "The random-alert null (lead time and lapses detected for random alerts "
			      "at the same rate, metrics.random_alerts) is not in this answer.");
	pl_buf_puts(b, "</section>\n");
	return st;
}

/* Forest plot rows: one per (label, metrics object). */
typedef struct forest_rows {
	const char *labels[64];
	char *owned[64];
	double e[64], lo[64], hi[64];
	size_t n;
} forest_rows;

static void forest_add(forest_rows *f, const char *label, char *owned, json_t *obj, const char *key)
{
	if (f->n >= 64) {
		free(owned);
		return;
	}
	f->labels[f->n] = owned ? owned : label;
	f->owned[f->n] = owned;
	f->e[f->n] = rp_value_ci(obj, key, &f->lo[f->n], &f->hi[f->n]);
	f->n++;
}

static pl_status forest_draw(pl_buf *b, forest_rows *fr, const char *title, pl_error *err)
{
	pl_plot_forest f = { title, "AUROC (95% interval; dotted line: chance)", 0, fr->n, fr->labels,
			     fr->e, fr->lo, fr->hi, 0.5, 0, 1 };
	pl_status st;

	pl_buf_puts(b, "<figure>");
	st = pl_plot_forest_svg(b, &f, err);
	pl_buf_puts(b, "</figure>\n");
	for (size_t i = 0; i < fr->n; i++)
		free(fr->owned[i]);
	fr->n = 0;
	return st;
}

static char *label2(const char *a, const char *b, double clients)
{
	size_t n = strlen(a) + strlen(b) + 40;
	char *s = malloc(n);
	if (s) {
		if (isfinite(clients))
			snprintf(s, n, "%s = %s (%.0f clients)", a, b, clients);
		else
			snprintf(s, n, "%s = %s", a, b);
	}
	return s;
}

static pl_status subgroup_panel(pl_buf *b, json_t *answer, pl_error *err)
{
	forest_rows *fr = calloc(1, sizeof(*fr));
	json_t *sub = rp_obj(answer, "subgroups"), *groups, *g, *base = rp_obj(answer, "baselines");
	const char *attr, *val, *name;
	pl_status st = PL_OK;

	if (!fr)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	pl_buf_puts(b, "<section id=\"subgroups\">");
	rp_heading(b, 2, NULL, "AUROC against references and by subgroup");
	forest_add(fr, "model", NULL, rp_obj(answer, "metrics"), "auroc");
	if (rp_obj(answer, "oracle")) {
		forest_add(fr, "oracle: true hazard of the day", NULL, rp_obj(answer, "oracle"), "auroc");
		if (rp_obj(rp_obj(answer, "oracle"), "window"))
			forest_add(fr, "oracle: lapse within the horizon", NULL,
				   rp_obj(rp_obj(answer, "oracle"), "window"), "auroc");
	}
	if (rp_obj(rp_obj(answer, "references"), "observable"))
		forest_add(fr, "reference: observable (Kalman filter)", NULL,
			   rp_obj(rp_obj(answer, "references"), "observable"), "auroc");
	if (rp_obj(rp_obj(answer, "references"), "full_information"))
		forest_add(fr, "reference: full information (Monte Carlo)", NULL,
			   rp_obj(rp_obj(answer, "references"), "full_information"), "auroc");
	json_object_foreach(base, name, g)
		forest_add(fr, NULL, label2("baseline", name, NAN), g, "auroc");
	st = forest_draw(b, fr, "Model and reference scores", err);
	if (st == PL_OK && sub) {
		json_object_foreach(sub, attr, groups) {
			json_object_foreach(groups, val, g)
				forest_add(fr, NULL, label2(attr, val, rp_num(g, "clients")), g, "auroc");
		}
		st = forest_draw(b, fr, "Subgroups", err);
	} else if (!sub) {
		rp_missing(b, "The answer has no subgroups (clients need \"attributes\").");
	}
	pl_buf_puts(b, "</section>\n");
	free(fr);
	return st;
}

/* One row of the summary table: node[key] as {"value", "ci"} (or a bare number). */
static void metric_row(pl_buf *b, const char *label, json_t *node, const char *key)
{
	double lo, hi, v;

	if (!json_object_get(node, key))
		return;
	v = rp_value_ci(node, key, &lo, &hi);
	pl_buf_puts(b, "<tr>");
	rp_td(b, label);
	rp_td_num(b, v, 3);
	pl_buf_puts(b, "<td class=\"num\">");
	if (isfinite(lo)) {
		pl_buf_num(b, lo, 3);
		pl_buf_puts(b, " - ");
		pl_buf_num(b, hi, 3);
	}
	pl_buf_puts(b, "</td></tr>\n");
}

static void metrics_table(pl_buf *b, json_t *answer)
{
	static const char *const keys[] = { "auroc", "auprc", "brier", "ece", "ece_adaptive", "prevalence", NULL };
	/* metrics.calibration (risk evaluate): ECE alone says little at a 2 % prevalence */
	static const char *const cal[][2] = { { "slope", "calibration slope" },
					      { "in_the_large", "calibration-in-the-large" },
					      { "oe_ratio", "observed / expected" },
					      { "ici", "integrated calibration index" } };
	static const char *const tiers[] = { "moderate", "high", "budget" };
	static const char *const what[] = { "sensitivity", "specificity", "ppv", "alerts_per_client_week" };
	json_t *m = rp_obj(answer, "metrics"), *d = rp_obj(answer, "data");

	pl_buf_puts(b, "<section id=\"summary\">");
	rp_heading(b, 2, NULL, "Summary");
	if (d)
		pl_buf_printf(b, "<p>%.0f clients, %.0f scored rows, %.0f positive (lapse within %.0f "
			      "days), %.0f lapses.</p>\n", rp_num(d, "clients"), rp_num(d, "rows"),
			      rp_num(d, "positives"), rp_num(d, "horizon_days"), rp_num(d, "lapses"));
	pl_buf_puts(b, "<div class=\"scroll\"><table class=\"metrics\"><thead><tr><th>metric</th>"
		       "<th>value</th><th>95% interval</th></tr></thead><tbody>\n");
	for (size_t k = 0; keys[k]; k++)
		metric_row(b, keys[k], m, keys[k]);
	for (size_t k = 0; k < sizeof(cal) / sizeof(cal[0]); k++)
		metric_row(b, cal[k][1], rp_obj(m, "calibration"), cal[k][0]);
	for (size_t t = 0; t < 3; t++)
		for (size_t w = 0; w < 4; w++) {
			char name[64];
			snprintf(name, sizeof(name), "%s: %s", tiers[t], what[w]);
			metric_row(b, name, rp_obj(m, tiers[t]), what[w]);
		}
	pl_buf_puts(b, "</tbody></table></div></section>\n");
}

/* The answer's warnings (an array of sentences, e.g. too few events per feature): shown first,
 * as risk evaluate puts them beside the numbers they qualify. */
static void warnings_section(pl_buf *b, json_t *answer)
{
	json_t *w = rp_arr(answer, "warnings"), *s;
	size_t i;

	if (!w || json_array_size(w) == 0)
		return;
	pl_buf_puts(b, "<section id=\"warnings\">");
	rp_heading(b, 2, NULL, "Warnings");
	pl_buf_puts(b, "<ul class=\"warnings\">\n");
	json_array_foreach(w, i, s) {
		if (!json_is_string(s))
			continue;
		pl_buf_puts(b, "<li>");
		pl_buf_escape(b, json_string_value(s));
		pl_buf_puts(b, "</li>\n");
	}
	pl_buf_puts(b, "</ul></section>\n");
}

/* A value with its interval in one cell: "0.123 [0.1 to 0.15]"; "n/a" for a null. */
static void td_value_ci(pl_buf *b, json_t *node, const char *key)
{
	double lo, hi, v = rp_value_ci(node, key, &lo, &hi);

	pl_buf_puts(b, "<td class=\"num\">");
	pl_buf_num(b, v, 3);
	if (isfinite(v) && isfinite(lo)) {
		pl_buf_puts(b, " [");
		pl_buf_num(b, lo, 3);
		pl_buf_puts(b, " to ");
		pl_buf_num(b, hi, 3);
		pl_buf_puts(b, "]");
	}
	pl_buf_puts(b, "</td>");
}

/* The paired comparison of `--compare` (answer.comparison): per metric the model, the other
 * score and their paired difference with its interval, on the same rows. */
static void comparison_section(pl_buf *b, json_t *answer)
{
	static const char *const keys[] = { "auroc", "auprc", "brier" };
	json_t *c = rp_obj(answer, "comparison");
	const char *against = rp_str(c, "against");

	if (!c)
		return;
	pl_buf_puts(b, "<section id=\"comparison\">");
	rp_heading(b, 2, NULL, "Paired comparison");
	pl_buf_puts(b, "<p>The model against ");
	pl_buf_escape(b, against ? against : "another score");
	if (isfinite(rp_num(c, "rows")) && isfinite(rp_num(c, "clients")))
		pl_buf_printf(b, " on the same %.0f rows of %.0f clients", rp_num(c, "rows"),
			      rp_num(c, "clients"));
	pl_buf_puts(b, "; the difference is the model minus the other, with its paired 95% interval "
		       "(a positive AUROC or AUPRC difference, or a negative Brier difference, favours "
		       "the model).</p>\n");
	pl_buf_puts(b, "<div class=\"scroll\"><table class=\"metrics\"><thead><tr><th>metric</th>"
		       "<th>model</th><th>other</th><th>difference</th></tr></thead><tbody>\n");
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		pl_buf_puts(b, "<tr>");
		rp_td(b, keys[k]);
		td_value_ci(b, rp_obj(c, "model"), keys[k]);
		td_value_ci(b, rp_obj(c, "other"), keys[k]);
		td_value_ci(b, rp_obj(c, "difference"), keys[k]);
		pl_buf_puts(b, "</tr>\n");
	}
	pl_buf_puts(b, "</tbody></table></div></section>\n");
}

pl_status pl_report_evaluation(json_t *answer, json_t *rows, pl_buf *out, pl_error *err)
{
	curve roc, pr, dc;
	pred *pr_rows = NULL;
	size_t n = 0, npos = 0;
	int have_roc, have_pr, have_dc, from_rows = 0, dc_from_rows = 0;
	json_t *metrics;
	pl_status st;

	memset(&dc, 0, sizeof(dc));
	if ((st = pl_json_get_object(answer, "metrics", "", 1, &metrics, err)) != PL_OK)
		return pl_error_set(err, st, "/metrics", "an evaluation report reads the answer of "
				    "`peerlink risk evaluate`, which has a \"metrics\" object");
	have_roc = curve_from_json(answer_curve(answer, "roc"), "fpr", "tpr", NULL, &roc);
	have_pr = curve_from_json(answer_curve(answer, "pr"), "recall", "precision", NULL, &pr);
	have_dc = curve_from_json(answer_curve(answer, "decision_curve"), "threshold", "net_benefit",
				  "treat_all", &dc);
	if (rows && (!have_roc || !have_pr || !have_dc)) {
		curve r2, p2;
		if ((st = read_rows(rows, &pr_rows, &n, &npos, err)) != PL_OK)
			goto out;
		if (n > 0 && npos > 0 && npos < n) {
			if ((st = curves_from_rows(pr_rows, n, npos, &r2, &p2, err)) != PL_OK) {
				curve_release(&r2);
				curve_release(&p2);
				goto out;
			}
			from_rows = 1;
			if (!have_roc) {
				roc = r2;
				have_roc = 1;
			} else {
				curve_release(&r2);
			}
			if (!have_pr) {
				pr = p2;
				have_pr = 1;
			} else {
				curve_release(&p2);
			}
			if (!have_dc) {
				if ((st = decision_from_rows(pr_rows, n, npos, &dc, err)) != PL_OK)
					goto out;
				have_dc = dc_from_rows = 1;
			}
		}
	}

	rp_begin(out, "evaluation", "Risk model evaluation");
	pl_buf_puts(out, "<nav><a href=\"#summary\">Summary</a>");
	if (rp_obj(answer, "comparison"))
		pl_buf_puts(out, "<a href=\"#comparison\">Comparison</a>");
	pl_buf_puts(out, "<a href=\"#roc\">ROC</a>"
			 "<a href=\"#pr\">Precision-recall</a><a href=\"#reliability\">Reliability</a>"
			 "<a href=\"#decision\">Decision curve</a><a href=\"#lead-time\">Lead time</a>"
			 "<a href=\"#subgroups\">Subgroups</a></nav>\n");
	warnings_section(out, answer);
	metrics_table(out, answer);
	comparison_section(out, answer);
	pl_buf_puts(out, "<section id=\"curves\">");
	rp_heading(out, 2, NULL, "ROC and precision-recall curves");
	if (from_rows)
		pl_buf_printf(out, "<p class=\"note\">Curves drawn from the %zu per-row predictions given "
			      "with --rows (%zu positive), not from the answer.</p>\n", n, npos);
	if (have_roc)
		st = curve_panel(out, "roc", "ROC curve", "false positive rate", "true positive rate",
				 &roc, 1, NAN, err);
	else
		rp_missing(out, "ROC curve: the answer carries no curve points and no per-row "
			       "predictions were given (--rows FILE).");
	if (st == PL_OK && have_pr) {
		double lo, hi;
		/* no-skill precision: the prevalence of the rows the curve was drawn from */
		double prev = from_rows ? (double)npos / (double)n : rp_value_ci(metrics, "prevalence", &lo, &hi);
		st = curve_panel(out, "pr", "Precision-recall curve", "recall", "precision", &pr, 0, prev, err);
	} else if (st == PL_OK) {
		rp_missing(out, "Precision-recall curve: no curve points in the answer and no per-row "
			       "predictions (--rows FILE).");
	}
	pl_buf_puts(out, "</section>\n");
	if (st != PL_OK)
		goto out;
	if ((st = reliability_panel(out, answer, err)) != PL_OK)
		goto out;
	pl_buf_puts(out, "<section id=\"decision\">");
	rp_heading(out, 2, NULL, "Decision curve");
	if (have_dc && dc.n > 0 && dc_from_rows)
		pl_buf_puts(out, "<p class=\"note\">Drawn from the per-row predictions given with --rows "
				 "(Vickers and Elkin 2006: net benefit = TP/n - FP/n &#215; t/(1 - t)).</p>\n");
	if (have_dc && dc.n > 0)
		st = decision_panel(out, &dc, err);
	else
		rp_missing(out, "Decision curve: no net-benefit points in the answer and no per-row "
			       "predictions (--rows FILE).");
	pl_buf_puts(out, "</section>\n");
	if (st != PL_OK)
		goto out;
	if ((st = lead_panel(out, answer, err)) != PL_OK)
		goto out;
	if ((st = subgroup_panel(out, answer, err)) != PL_OK)
		goto out;
	rp_end(out);
	if (out->failed)
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory writing the report");
out:
	if (have_roc)
		curve_release(&roc);
	if (have_pr)
		curve_release(&pr);
	curve_release(&dc);
	free(pr_rows);
	return st;
}
