/*
 * report_ews.c: `peerlink report ews`: the `risk ews` answer as charts: the series (from the
 * command's input, which the answer does not repeat) with the fitted trend and the change points,
 * one small chart per rolling indicator with its Kendall tau and p-value, the EWMA chart with its
 * control limits, the two-sided CUSUM with its decision interval, and the change-point
 * probabilities. Days are the series' indices (day 0 is the first value).
 */
#include "report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Day numbers of an array of {"day", ...} alarms, or of plain integers (change points). */
static double *days_of(json_t *arr, size_t *n)
{
	size_t i, k = 0;
	json_t *v;
	double *x = malloc((json_array_size(arr) + 1) * sizeof(double));

	*n = 0;
	if (!x)
		return NULL;
	json_array_foreach(arr, i, v) {
		double d = json_is_number(v) ? json_number_value(v) : rp_num(v, "day");
		if (isfinite(d))
			x[k++] = d;
	}
	*n = k;
	return x;
}

static pl_status series_panel(pl_buf *b, json_t *answer, json_t *input, pl_error *err)
{
	size_t n = 0, nt = 0, ncp = 0, nea = 0, nca = 0;
	double *y = input ? rp_doubles(rp_arr(input, "series"), &n) : NULL;
	double *trend = rp_doubles(rp_arr(answer, "trend"), &nt);
	json_t *control = rp_obj(answer, "control");
	double *cp = days_of(rp_arr(rp_obj(answer, "changepoints"), "detected"), &ncp);
	double *ea = days_of(rp_arr(rp_obj(control, "ewma"), "alarms"), &nea);
	double *ca = days_of(rp_arr(rp_obj(control, "cusum"), "alarms"), &nca);
	pl_plot_series se[2];
	pl_plot_rule rules[32];
	pl_plot_strip strips[2] = { { "EWMA alarm", nea, ea, 4 }, { "CUSUM alarm", nca, ca, 1 } };
	size_t ns = 0, nr = 0;
	pl_plot p;
	pl_status st = PL_OK;

	pl_buf_puts(b, "<section id=\"series\">");
	rp_heading(b, 2, NULL, "The series");
	if (!y) {
		rp_missing(b, "The series itself is not in the answer: give the risk ews input "
			      "(--series FILE) to draw it.");
		pl_buf_puts(b, "</section>\n");
		goto out;
	}
	se[ns++] = (pl_plot_series){ "series", PL_PLOT_LINEPOINTS, 0, n, NULL, y, NULL, NULL };
	if (trend && nt == n)
		se[ns++] = (pl_plot_series){ "trend (detrending)", PL_PLOT_LINE, 4, nt, NULL, trend, NULL, NULL };
	for (size_t k = 0; k < ncp && nr < 32; k++)
		rules[nr++] = (pl_plot_rule){ cp[k], "change", 6 };
	pl_plot_init(&p);
	p.title = "Series, trend and detected change points";
	p.xlabel = "day";
	p.height = 300;
	p.series = se;
	p.nseries = ns;
	p.rules = rules;
	p.nrules = nr;
	p.strips = strips;
	p.nstrips = control ? 2 : 0;
	st = rp_figure_xy(b, &p, err);
	if (!trend)
		pl_buf_puts(b, "<p class=\"note\">No detrending was asked for, so there is no trend "
			       "line.</p>\n");
	pl_buf_puts(b, "</section>\n");
out:
	free(y);
	free(trend);
	free(cp);
	free(ea);
	free(ca);
	return st;
}

static pl_status indicators_panel(pl_buf *b, json_t *answer, pl_error *err)
{
	json_t *ind = rp_obj(answer, "indicators"), *tau = rp_obj(answer, "kendall_tau"),
	       *pv = rp_obj(answer, "p_value"), *v;
	const char *name;
	pl_status st = PL_OK;
	int style = 0;

	pl_buf_puts(b, "<section id=\"indicators\">");
	rp_heading(b, 2, NULL, "Rolling indicators and their Kendall trend");
	pl_buf_puts(b, "<div class=\"indicators\">");
	json_object_foreach(ind, name, v) {
		size_t n;
		double *y = rp_doubles(v, &n);
		pl_plot_series se = { NULL, PL_PLOT_LINE, style++, n, NULL, y, NULL, NULL };
		pl_buf title = PL_BUF_INIT;
		pl_plot p;

		if (!y)
			continue;
		pl_buf_puts(&title, name);
		pl_buf_puts(&title, ": Kendall tau ");
		pl_buf_num(&title, rp_num(tau, name), 3);
		if (isfinite(rp_num(pv, name))) {
			pl_buf_puts(&title, ", p = ");
			pl_buf_num(&title, rp_num(pv, name), 3);
		}
		pl_plot_init(&p);
		p.title = title.failed ? name : title.data;
		p.xlabel = "day (end of the rolling window)";
		p.width = 480;
		p.height = 200;
		p.series = &se;
		p.nseries = 1;
		st = rp_figure_xy(b, &p, err);
		pl_buf_release(&title);
		free(y);
		if (st != PL_OK)
			break;
	}
	pl_buf_puts(b, "</div>\n");
	if (style == 0)
		rp_missing(b, "The answer has no rolling indicators.");
	pl_buf_puts(b, "</section>\n");
	return st;
}

static pl_status control_panel(pl_buf *b, json_t *answer, pl_error *err)
{
	json_t *control = rp_obj(answer, "control"), *ewma = rp_obj(control, "ewma"),
	       *cusum = rp_obj(control, "cusum");
	size_t n = 0, nl = 0, nu = 0, nlo = 0;
	double *stat = NULL, *lim = NULL, *neg = NULL, *up = NULL, *lo = NULL, hx[2], hy[2];
	pl_status st = PL_OK;
	pl_plot p;

	pl_buf_puts(b, "<section id=\"control\">");
	rp_heading(b, 2, NULL, "Control charts (EWMA and CUSUM, in baseline standard deviations)");
	if (!control) {
		rp_missing(b, "The answer has no control charts (they were switched off, or the series "
			      "was too short for a baseline).");
		goto out;
	}
	stat = rp_doubles(rp_arr(ewma, "statistic"), &n);
	lim = rp_doubles(rp_arr(ewma, "limit"), &nl);
	if (stat && lim && nl == n) {
		pl_plot_series se[2];
		neg = malloc((n + 1) * sizeof(double));
		if (!neg) {
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			neg[i] = -lim[i];
		se[0] = (pl_plot_series){ "control limits", PL_PLOT_AREA, 5, n, NULL, NULL, neg, lim };
		se[1] = (pl_plot_series){ "EWMA statistic", PL_PLOT_LINEPOINTS, 0, n, NULL, stat, NULL, NULL };
		pl_plot_init(&p);
		p.title = "EWMA chart";
		p.xlabel = "day";
		p.height = 240;
		p.series = se;
		p.nseries = 2;
		if ((st = rp_figure_xy(b, &p, err)) != PL_OK)
			goto out;
	} else {
		rp_missing(b, "The answer has no EWMA statistic.");
	}
	up = rp_doubles(rp_arr(cusum, "upper"), &nu);
	lo = rp_doubles(rp_arr(cusum, "lower"), &nlo);
	if (up && lo && nu == nlo) {
		double h = rp_num(cusum, "h");
		pl_plot_series se[3];
		size_t ns = 0;
		hx[0] = 0;
		hx[1] = nu ? (double)(nu - 1) : 1;
		hy[0] = hy[1] = h;
		se[ns++] = (pl_plot_series){ "upper CUSUM", PL_PLOT_LINE, 4, nu, NULL, up, NULL, NULL };
		se[ns++] = (pl_plot_series){ "lower CUSUM", PL_PLOT_LINE, 0, nu, NULL, lo, NULL, NULL };
		if (isfinite(h))
			se[ns++] = (pl_plot_series){ "decision interval h", PL_PLOT_LINE, 6, 2, hx, hy, NULL, NULL };
		pl_plot_init(&p);
		p.title = "CUSUM chart";
		p.xlabel = "day";
		p.height = 240;
		p.ymin = 0;
		p.series = se;
		p.nseries = ns;
		st = rp_figure_xy(b, &p, err);
	} else {
		rp_missing(b, "The answer has no CUSUM sums.");
	}
out:
	pl_buf_puts(b, "</section>\n");
	free(stat);
	free(lim);
	free(neg);
	free(up);
	free(lo);
	return st;
}

static pl_status changepoint_panel(pl_buf *b, json_t *answer, pl_error *err)
{
	json_t *cpo = rp_obj(answer, "changepoints");
	size_t n = 0, nl = 0, ncp = 0;
	double *prob = rp_doubles(rp_arr(cpo, "recent"), &n), *lag = rp_doubles(rp_arr(cpo, "lagged"), &nl);
	double *cp = days_of(rp_arr(cpo, "detected"), &ncp);
	pl_plot_series se[2];
	pl_plot_rule rules[32];
	size_t ns = 0, nr = 0;
	pl_status st = PL_OK;
	pl_plot p;

	pl_buf_puts(b, "<section id=\"changepoints\">");
	rp_heading(b, 2, NULL, "Change points (Bayesian online change-point detection)");
	if (!cpo || !prob) {
		rp_missing(b, "The answer has no change-point probabilities.");
		goto out;
	}
	se[ns++] = (pl_plot_series){ "P(change in the last few days)", PL_PLOT_LINE, 0, n, NULL, prob, NULL, NULL };
	if (lag && nl == n)
		se[ns++] = (pl_plot_series){ "P(change), lagged", PL_PLOT_LINE, 1, nl, NULL, lag, NULL, NULL };
	for (size_t k = 0; k < ncp && nr < 32; k++)
		rules[nr++] = (pl_plot_rule){ cp[k], "change", 6 };
	pl_plot_init(&p);
	p.title = "Change-point probability";
	p.xlabel = "day";
	p.height = 240;
	p.ymin = 0;
	p.ymax = 1;
	p.series = se;
	p.nseries = ns;
	p.rules = rules;
	p.nrules = nr;
	st = rp_figure_xy(b, &p, err);
out:
	pl_buf_puts(b, "</section>\n");
	free(prob);
	free(lag);
	free(cp);
	return st;
}

pl_status pl_report_ews(json_t *answer, json_t *input, pl_buf *out, pl_error *err)
{
	json_t *ind;
	pl_status st;

	if ((st = pl_json_get_object(answer, "indicators", "", 1, &ind, err)) != PL_OK)
		return pl_error_set(err, st, "/indicators", "an ews report reads the answer of "
				    "`peerlink risk ews`, which has an \"indicators\" object");
	if (input && !rp_arr(input, "series"))
		return pl_error_set(err, PL_ERR_INVALID, "/series", "this is not the risk ews input: it has "
				    "no \"series\" array");
	rp_begin(out, "ews", "Early-warning indicators");
	pl_buf_puts(out, "<nav><a href=\"#series\">Series</a><a href=\"#indicators\">Indicators</a>"
			 "<a href=\"#control\">Control charts</a><a href=\"#changepoints\">Change points</a>"
			 "</nav>\n");
	if ((st = series_panel(out, answer, input, err)) != PL_OK ||
	    (st = indicators_panel(out, answer, err)) != PL_OK ||
	    (st = control_panel(out, answer, err)) != PL_OK ||
	    (st = changepoint_panel(out, answer, err)) != PL_OK)
		return st;
	rp_end(out);
	if (out->failed)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory writing the report");
	return PL_OK;
}
