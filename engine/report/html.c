/*
 * html.c: the page every report shares: one HTML5 document with inline CSS, a
 * Content-Security-Policy that allows no network request at all (default-src 'none'; inline
 * styles and data: images only), a layout that reflows on a phone (tables scroll sideways, charts
 * scale with their viewBox) and prints on A4 (each client section starts a page). Plus the
 * lenient JSON reads the builders use for optional fields.
 */
#include "report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#111;"
	"background:#fff;line-height:1.4;font-size:15px}"
	"main{max-width:980px;margin:0 auto;padding:12px}"
	"h1{font-size:1.5em;margin:.4em 0}h2{font-size:1.25em;margin:1.2em 0 .4em;border-bottom:2px solid #0072B2}"
	"h3{font-size:1.05em;margin:1em 0 .3em}"
	"nav a{margin-right:1em}"
	"figure{margin:.6em 0}svg.chart{max-width:100%;height:auto;display:block}"
	".timeline,.indicators{display:flex;flex-wrap:wrap;gap:0 14px}.timeline figure,.indicators figure{margin:.3em 0}"
	".scroll{overflow-x:auto}"
	"table{border-collapse:collapse;font-size:14px;min-width:60%}"
	"th,td{border-bottom:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
	"th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}"
	".tier{display:inline-block;padding:0 .4em;border:1px solid #333;border-radius:3px;font-size:.9em}"
	".tier-high{background:#D55E00;color:#fff;font-weight:bold}.tier-moderate{background:#E69F00}"
	".tier-low{background:#fff}.tier-unscored{background:#ddd;font-style:italic}"
	".missing{color:#444;font-style:italic;border-left:4px solid #E69F00;padding-left:8px}"
	".note{color:#444;font-size:.9em}"
	"footer{margin-top:2em;color:#555;font-size:.85em;border-top:1px solid #ccc;padding-top:.5em}"
	"@media (max-width:600px){body{font-size:14px}main{padding:6px}th,td{padding:2px 4px}}"
	"@media print{@page{size:A4;margin:12mm}body{font-size:11pt}main{max-width:none;padding:0}"
	"nav{display:none}a{color:inherit;text-decoration:none}section.client{break-before:page}"
	"figure,tr{break-inside:avoid}.scroll{overflow:visible}}";

void rp_begin(pl_buf *b, const char *kind, const char *title)
{
	pl_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
		       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		       "style-src 'unsafe-inline'; img-src data:\"/>"
		       "<meta name=\"referrer\" content=\"no-referrer\"/>"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
		       "<meta name=\"generator\" content=\"peerlink ");
	pl_buf_escape(b, pl_version());
	pl_buf_puts(b, "\"/><meta name=\"peerlink-report\" content=\"");
	pl_buf_escape(b, kind);
	pl_buf_puts(b, "\"/><title>");
	pl_buf_escape(b, title);
	pl_buf_printf(b, "</title><style>%s</style></head>\n<body><main>\n<h1>", style);
	pl_buf_escape(b, title);
	pl_buf_puts(b, "</h1>\n");
}

void rp_end(pl_buf *b)
{
	pl_buf_puts(b, "<footer>Made by peerlink ");
	pl_buf_escape(b, pl_version());
	pl_buf_puts(b, ". This file is self-contained: no script, and nothing in it loads from the "
		       "network. It holds health information: keep it where the records are kept."
		       "</footer>\n</main></body></html>\n");
}

void rp_heading(pl_buf *b, int level, const char *id, const char *text)
{
	pl_buf_printf(b, "<h%d", level);
	if (id) {
		pl_buf_puts(b, " id=\"");
		pl_buf_escape(b, id);
		pl_buf_puts(b, "\"");
	}
	pl_buf_puts(b, ">");
	pl_buf_escape(b, text);
	pl_buf_printf(b, "</h%d>\n", level);
}

void rp_missing(pl_buf *b, const char *text)
{
	pl_buf_puts(b, "<p class=\"missing\">");
	pl_buf_escape(b, text);
	pl_buf_puts(b, "</p>\n");
}

void rp_para(pl_buf *b, const char *text)
{
	pl_buf_puts(b, "<p>");
	pl_buf_escape(b, text);
	pl_buf_puts(b, "</p>\n");
}

void rp_td(pl_buf *b, const char *text)
{
	pl_buf_puts(b, "<td>");
	if (text)
		pl_buf_escape(b, text);
	pl_buf_puts(b, "</td>");
}

void rp_td_num(pl_buf *b, double x, int digits)
{
	pl_buf_puts(b, "<td class=\"num\">");
	pl_buf_num(b, x, digits);
	pl_buf_puts(b, "</td>");
}

pl_status rp_figure_xy(pl_buf *b, const pl_plot *p, pl_error *err)
{
	pl_status st;

	pl_buf_puts(b, "<figure>");
	st = pl_plot_xy(b, p, err);
	pl_buf_puts(b, "</figure>\n");
	return st;
}

pl_status rp_figure_bars(pl_buf *b, const char *id, json_t *rows, const rp_bar_fields *f,
			 pl_plot_bars *bars, pl_error *err)
{
	size_t n = json_array_size(rows), i;
	const char **labels = calloc(n + 1, sizeof(*labels));
	double *values = calloc(n + 1, sizeof(*values)), *limit = calloc(n + 1, sizeof(*limit));
	int *palette = calloc(n + 1, sizeof(*palette));
	json_t *row;
	pl_status st;

	if (!labels || !values || !limit || !palette) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	json_array_foreach(rows, i, row) {
		labels[i] = rp_str(row, f->label) ? rp_str(row, f->label) : "?";
		values[i] = rp_num(row, f->value);
		limit[i] = f->limit ? rp_num(row, f->limit) : NAN;
		palette[i] = values[i] > 0 ? 4 : 0;
	}
	bars->n = n;
	bars->labels = labels;
	bars->values = values;
	bars->limit = f->limit ? limit : NULL;
	bars->style = f->rising_warm ? palette : NULL;
	if (id)
		pl_buf_printf(b, "<figure id=\"%s\">", id);
	else
		pl_buf_puts(b, "<figure>");
	st = pl_plot_hbars(b, bars, err);
	pl_buf_puts(b, "</figure>\n");
out:
	free(labels);
	free(values);
	free(limit);
	free(palette);
	return st;
}

double rp_num(json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	return json_is_number(v) ? json_number_value(v) : NAN;
}

const char *rp_str(json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *rp_obj(json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	return json_is_object(v) ? v : NULL;
}

json_t *rp_arr(json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	return json_is_array(v) ? v : NULL;
}

double rp_value_ci(json_t *obj, const char *key, double *lo, double *hi)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL, *ci;

	*lo = *hi = NAN;
	if (json_is_number(v))
		return json_number_value(v);
	if (!json_is_object(v))
		return NAN;
	ci = json_object_get(v, "ci");
	if (json_is_array(ci) && json_array_size(ci) == 2 && json_is_number(json_array_get(ci, 0)) &&
	    json_is_number(json_array_get(ci, 1))) {
		*lo = json_number_value(json_array_get(ci, 0));
		*hi = json_number_value(json_array_get(ci, 1));
	}
	return rp_num(v, "value");
}

double *rp_doubles(json_t *arr, size_t *n)
{
	double *x;

	*n = 0;
	if (!json_is_array(arr))
		return NULL;
	*n = json_array_size(arr);
	x = malloc((*n + 1) * sizeof(*x));
	if (!x)
		return NULL;
	for (size_t i = 0; i < *n; i++) {
		json_t *v = json_array_get(arr, i);
		x[i] = json_is_number(v) ? json_number_value(v) : NAN;
	}
	return x;
}
