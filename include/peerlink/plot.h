/*
 * peerlink/plot.h: charts as SVG text, for the HTML reports (docs/report.md).
 *
 * A chart is a function from data (plain arrays, labels, options) to SVG text appended to a
 * growable buffer: no JSON, no files, no state between calls, so each chart is tested as a
 * function (tests/unit/test_plot.c) and the same input always gives the same bytes.
 *
 * Marks carry stable class names so that tests (and the browser test) can count them:
 *   svg.chart        every chart          path.line   a line series (one path per series)
 *   path.step        a step series        .pt         one point marker (circle, rect or path)
 *   rect.bar         one bar              path.area   a filled interval band (y_lo..y_hi)
 *   rect.tier        a horizontal band    line.rule   a vertical marker line
 *   line.ci          a forest-plot interval          g.tick     the axis tick labels
 *   path.grid, path.xtick   grid lines and tick marks, one path each
 *   path.strip       a strip under the plot, one "M...z" square per mark (missed check-ins)
 *   g.legend         the legend (one g.key per entry)
 * Every text that comes from the caller (titles, labels, legend entries) is XML-escaped.
 *
 * Colours: the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), ordered so that
 * neighbouring series also differ in lightness, plus one dash pattern and one marker shape per
 * series index, so series stay apart in greyscale and for colour-blind readers.
 *
 * Ownership: a pl_buf owns its bytes (pl_buf_release frees them); charts only append. An
 * allocation failure is remembered in the buffer (`failed`) and reported by the chart's status.
 */
#ifndef PEERLINK_PLOT_H
#define PEERLINK_PLOT_H

#include <stddef.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- a growable text buffer ---- */
typedef struct pl_buf {
	char *data;  /* NUL-terminated while !failed */
	size_t len, cap;
	int failed;  /* an allocation failed: later appends are ignored */
} pl_buf;

#define PL_BUF_INIT { NULL, 0, 0, 0 }

void pl_buf_release(pl_buf *b);
void pl_buf_put(pl_buf *b, const char *s, size_t n);
void pl_buf_puts(pl_buf *b, const char *s);
void pl_buf_printf(pl_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* Append s with & < > " ' replaced by entities (valid in HTML/XML text and attributes). */
void pl_buf_escape(pl_buf *b, const char *s);
/* Append a real with at most `digits` significant digits, trailing zeros cut ("0.25", "12"). */
void pl_buf_num(pl_buf *b, double x, int digits);

/* ---- nice axis ticks (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990) ---- */
/* Ticks first, first + step, ... (n of them, n <= 64) covering [lo, hi], about `target` of
 * them; step is 1, 2 or 5 times a power of ten. lo == hi is widened. Returns n. */
size_t pl_plot_ticks(double lo, double hi, int target, double *first, double *step);

/* ---- palette ---- */
#define PL_PLOT_NSTYLES 7
const char *pl_plot_colour(int style); /* "#0072B2", ...; style taken modulo PL_PLOT_NSTYLES */
const char *pl_plot_dash(int style);   /* "" (solid), "6 3", ... */

/* ---- x-y charts ---- */
typedef enum pl_plot_kind {
	PL_PLOT_LINE = 0,   /* a polyline; NaN y breaks it */
	PL_PLOT_POINTS,     /* one marker per finite point */
	PL_PLOT_LINEPOINTS, /* both */
	PL_PLOT_STEP,       /* a step function (ROC, PR curves): horizontal then vertical */
	PL_PLOT_AREA        /* filled band between y_lo and y_hi (y unused) */
} pl_plot_kind;

typedef struct pl_plot_series {
	const char *label;   /* legend entry (NULL: not in the legend) */
	pl_plot_kind kind;
	int style;           /* palette index: colour, dash and marker shape */
	size_t n;
	const double *x, *y; /* n values each; x NULL: 0, 1, 2, ... */
	const double *y_lo, *y_hi; /* PL_PLOT_AREA */
} pl_plot_series;

typedef struct pl_plot_band {   /* a horizontal band of y values (tier bands) */
	double lo, hi;
	const char *label;           /* written at the band's right edge (may be NULL) */
	const char *fill;            /* CSS colour */
} pl_plot_band;

typedef struct pl_plot_rule {   /* a vertical marker at x (alerts, change points, lapses) */
	double x;
	const char *label;           /* short text above the plot area (may be NULL) */
	int style;
} pl_plot_rule;

typedef struct pl_plot_strip {  /* a row of short marks under the plot area (missed days) */
	const char *label;           /* written at the row's left (may be NULL) */
	size_t n;
	const double *x;
	int style;
} pl_plot_strip;

typedef enum pl_plot_xformat {
	PL_PLOT_X_NUMBER = 0,
	PL_PLOT_X_DATE               /* x are day numbers since 1970-01-01; labels "MM-DD" */
} pl_plot_xformat;

#define PL_PLOT_AUTO (-1e300)    /* an axis limit taken from the data */

typedef struct pl_plot {
	const char *title;           /* caption above the chart (may be NULL) */
	const char *xlabel, *ylabel; /* may be NULL */
	int width, height;           /* viewBox size in px (0: 640 x 260) */
	int margin_left;             /* px left of the plot area (0: room for the labels), so that
					charts stacked in a column line up */
	double xmin, xmax, ymin, ymax; /* PL_PLOT_AUTO: from the data, widened to nice ticks */
	pl_plot_xformat xformat;
	int diagonal;                /* 1: a dotted y = x reference (ROC, reliability) */
	const pl_plot_series *series;
	size_t nseries;
	const pl_plot_band *bands;
	size_t nbands;
	const pl_plot_rule *rules;
	size_t nrules;
	const pl_plot_strip *strips;
	size_t nstrips;
} pl_plot;

/* Fill p with the defaults (auto limits, no data). */
void pl_plot_init(pl_plot *p);
/* Append one <svg class="chart">...</svg>. PL_ERR_INVALID for a series without data arrays,
 * PL_ERR_NOMEM when the buffer failed. */
pl_status pl_plot_xy(pl_buf *out, const pl_plot *p, pl_error *err);

/* ---- horizontal bar chart: one bar per label, signed values from a zero line ---- */
typedef struct pl_plot_bars {
	const char *title, *xlabel;
	int width;                   /* 0: 640; the height follows from the number of bars */
	size_t n;
	const char *const *labels;
	const double *values;        /* NaN: no bar, the label says "n/a" */
	const double *limit;         /* optional per-bar reference (a mentor's capacity): a tick */
	const int *style;            /* optional per-bar palette index (default: 0 up, 4 down) */
	int digits;                  /* value labels' significant digits (0: 3) */
} pl_plot_bars;

pl_status pl_plot_hbars(pl_buf *out, const pl_plot_bars *b, pl_error *err);

/* ---- forest plot: one row per estimate with its interval ---- */
typedef struct pl_plot_forest {
	const char *title, *xlabel;
	int width;
	size_t n;
	const char *const *labels;
	const double *est, *lo, *hi; /* NaN est: the row says "n/a"; NaN lo/hi: no interval */
	double ref;                  /* a dotted vertical reference (NaN: none), e.g. AUROC 0.5 */
	double xmin, xmax;           /* PL_PLOT_AUTO: from the data */
} pl_plot_forest;

pl_status pl_plot_forest_svg(pl_buf *out, const pl_plot_forest *f, pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
