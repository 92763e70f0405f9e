/*
 * report_int.h: what the report builders share (engine/report/html.c): the page skeleton with
 * its inline style and Content-Security-Policy, escaped table cells, "missing data" notes, and
 * lenient JSON reads (an absent or mistyped optional field is NaN or NULL, never an error).
 */
#ifndef PEERLINK_REPORT_INT_H
#define PEERLINK_REPORT_INT_H

#include <peerlink/report.h>

/* <!DOCTYPE html> ... <main>, with the title as <h1>; `kind` names the report in a meta tag. */
void rp_begin(pl_buf *b, const char *kind, const char *title);
/* The footer (privacy note) and the closing tags. */
void rp_end(pl_buf *b);
/* <hN id="id">text</hN> (id may be NULL). */
void rp_heading(pl_buf *b, int level, const char *id, const char *text);
/* <p class="missing">text</p>: a panel that cannot be drawn says why. */
void rp_missing(pl_buf *b, const char *text);
/* <p>text</p>, escaped. */
void rp_para(pl_buf *b, const char *text);
/* <td>text</td> escaped ("" for NULL); number cells with `digits` significant digits. */
void rp_td(pl_buf *b, const char *text);
void rp_td_num(pl_buf *b, double x, int digits);
/* A chart inside <figure>; a chart that fails to draw leaves an error note instead. */
pl_status rp_figure_xy(pl_buf *b, const pl_plot *p, pl_error *err);
/* A bar chart of a JSON array of objects inside <figure> (with id="id" unless NULL): a bar per
 * element, labelled by its `label` field ("?" when absent), as long as its `value` field, with
 * a tick at its `limit` field (limit NULL: none). rising_warm: a bar above 0 in vermillion
 * (palette 4) and the rest in blue, as risk contributions read (the chart's default is the
 * other way round). bars gives the title, axis label, width and digits; its arrays are set
 * here and not valid after the call. */
typedef struct rp_bar_fields {
	const char *label, *value, *limit;
	int rising_warm;
} rp_bar_fields;
pl_status rp_figure_bars(pl_buf *b, const char *id, json_t *rows, const rp_bar_fields *f,
			 pl_plot_bars *bars, pl_error *err);

/* Lenient reads. */
double rp_num(json_t *obj, const char *key);      /* NaN unless a number */
const char *rp_str(json_t *obj, const char *key); /* NULL unless a string */
json_t *rp_obj(json_t *obj, const char *key);     /* NULL unless an object */
json_t *rp_arr(json_t *obj, const char *key);     /* NULL unless an array */
/* obj[key]["value"], or obj[key] itself when it is a number; lo/hi from "ci" (NaN if none). */
double rp_value_ci(json_t *obj, const char *key, double *lo, double *hi);
/* A numeric array as doubles (null -> NaN); malloc'ed, *n its length; NULL if not an array. */
double *rp_doubles(json_t *arr, size_t *n);

#endif
