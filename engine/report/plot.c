/*
 * plot.c: small SVG charts for the HTML reports (peerlink/plot.h): x-y charts (lines, points,
 * steps, filled bands, tier bands, vertical markers, strips of marks), horizontal bar charts and
 * forest plots.
 *
 * Why our own: the reports must be one self-contained file with no script and nothing fetched, so
 * the charts are plain SVG written in C. Each chart is a pure function of its arguments: the same
 * data give the same bytes (coordinates printed with one decimal, numbers with a fixed number of
 * significant digits), which the unit tests and the committed screenshots rely on.
 *
 * Axis ticks follow Heckbert's "nice numbers" (Graphics Gems, 1990): a step of 1, 2 or 5 times a
 * power of ten chosen from the range, with the axis widened to whole steps so the ticks cover the
 * data. Dates use steps of 1, 2, 7, 14 or 28 days (weekly ticks fall on Mondays).
 */
#include <peerlink/plot.h>
#include <peerlink/checkins.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- buffer */

static int buf_reserve(pl_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->failed)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

void pl_buf_release(pl_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

void pl_buf_put(pl_buf *b, const char *s, size_t n)
{
	if (buf_reserve(b, n) != 0)
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void pl_buf_puts(pl_buf *b, const char *s)
{
	pl_buf_put(b, s, strlen(s));
}

void pl_buf_printf(pl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void pl_buf_escape(pl_buf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *ent = NULL;
		switch (*s) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: break;
		}
		if (ent) {
			pl_buf_put(b, run, (size_t)(s - run));
			pl_buf_puts(b, ent);
			run = s + 1;
		}
	}
	pl_buf_put(b, run, (size_t)(s - run));
}

void pl_buf_num(pl_buf *b, double x, int digits)
{
	char tmp[64];

	if (!isfinite(x)) {
		pl_buf_puts(b, "n/a");
		return;
	}
	if (x == 0)
		x = 0; /* no "-0" */
	snprintf(tmp, sizeof(tmp), "%.*g", digits > 0 ? digits : 3, x);
	pl_buf_puts(b, tmp);
}

/* ---------------------------------------------------------------- ticks and palette */

/* Heckbert's nicenum: a 1, 2, 5 (or 10) times a power of ten near x; rounded or at least x. */
static double nice_number(double x, int round)
{
	double e = floor(log10(x)), f = x / pow(10.0, e), nf;

	if (round)
		nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
	else
		nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
	return nf * pow(10.0, e);
}

size_t pl_plot_ticks(double lo, double hi, int target, double *first, double *step)
{
	double range, d, g0, g1;
	size_t n;

	if (!isfinite(lo) || !isfinite(hi)) {
		lo = 0;
		hi = 1;
	}
	if (hi < lo) {
		double t = lo;
		lo = hi;
		hi = t;
	}
	if (hi - lo < 1e-12 * (fabs(lo) + fabs(hi)) || hi == lo) {
		double pad = lo == 0 ? 1 : fabs(lo) * 0.1;
		lo -= pad;
		hi += pad;
	}
	if (target < 2)
		target = 2;
	range = nice_number(hi - lo, 0);
	d = nice_number(range / (target - 1), 1);
	g0 = floor(lo / d + 1e-9) * d;
	g1 = ceil(hi / d - 1e-9) * d;
	n = (size_t)floor((g1 - g0) / d + 0.5) + 1;
	while (n > 64) { /* cannot happen with target <= 20, but never overrun a caller's array */
		d *= 2;
		g0 = floor(lo / d) * d;
		g1 = ceil(hi / d) * d;
		n = (size_t)floor((g1 - g0) / d + 0.5) + 1;
	}
	*first = g0;
	*step = d;
	return n;
}

/* Okabe-Ito, reordered so that consecutive series alternate dark and light. */
static const char *const palette[PL_PLOT_NSTYLES] = {
	"#0072B2", /* blue */
	"#E69F00", /* orange */
	"#009E73", /* bluish green */
	"#CC79A7", /* reddish purple */
	"#D55E00", /* vermillion */
	"#56B4E9", /* sky blue */
	"#000000", /* black */
};
static const char *const dashes[PL_PLOT_NSTYLES] = { "", "6 3", "2 2", "8 3 2 3", "4 4", "1 3", "10 2" };

static int style_index(int style)
{
	return ((style % PL_PLOT_NSTYLES) + PL_PLOT_NSTYLES) % PL_PLOT_NSTYLES;
}

const char *pl_plot_colour(int style)
{
	return palette[style_index(style)];
}

const char *pl_plot_dash(int style)
{
	return dashes[style_index(style)];
}

/* ---------------------------------------------------------------- drawing helpers */

typedef struct frame {
	double x0, x1, y0, y1;     /* data limits */
	double px0, px1, py0, py1; /* plot area in px (py0 top) */
} frame;

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static double fx(const frame *f, double x)
{
	double t = f->x1 > f->x0 ? (x - f->x0) / (f->x1 - f->x0) : 0.5;
	return f->px0 + clampd(t, 0, 1) * (f->px1 - f->px0);
}

static double fy(const frame *f, double y)
{
	double t = f->y1 > f->y0 ? (y - f->y0) / (f->y1 - f->y0) : 0.5;
	return f->py1 - clampd(t, 0, 1) * (f->py1 - f->py0);
}

/* A coordinate with one decimal and never "-0.0". */
static void coord(pl_buf *b, double v)
{
	double r = floor(v * 10 + 0.5) / 10;

	if (fabs(r) < 0.05)
		r = 0;
	if (r == floor(r))
		pl_buf_printf(b, "%.0f", r);
	else
		pl_buf_printf(b, "%.1f", r);
}

static void svg_open(pl_buf *b, int w, int h, const char *title)
{
	pl_buf_printf(b, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		      "width=\"%d\" height=\"%d\" role=\"img\" font-family=\"sans-serif\" font-size=\"11\">",
		      w, h, w, h);
	if (title && *title) {
		pl_buf_puts(b, "<title>");
		pl_buf_escape(b, title);
		pl_buf_puts(b, "</title><text class=\"title\" x=\"4\" y=\"14\" font-size=\"13\" font-weight=\"bold\">");
		pl_buf_escape(b, title);
		pl_buf_puts(b, "</text>");
	}
}

/* Close the SVG; a buffer that failed to grow on the way is the one error a chart can have. */
static pl_status svg_close(pl_buf *out, pl_error *err)
{
	pl_buf_puts(out, "</svg>");
	if (out->failed)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory drawing a chart");
	return PL_OK;
}

static void text_at(pl_buf *b, const char *cls, double x, double y, const char *anchor,
		    const char *s)
{
	pl_buf_printf(b, "<text class=\"%s\" x=\"", cls);
	coord(b, x);
	pl_buf_puts(b, "\" y=\"");
	coord(b, y);
	pl_buf_printf(b, "\" text-anchor=\"%s\">", anchor);
	pl_buf_escape(b, s);
	pl_buf_puts(b, "</text>");
}

static void hline(pl_buf *b, const char *cls, double x0, double x1, double y, const char *stroke,
		  const char *dash)
{
	pl_buf_printf(b, "<line class=\"%s\" x1=\"", cls);
	coord(b, x0);
	pl_buf_puts(b, "\" x2=\"");
	coord(b, x1);
	pl_buf_puts(b, "\" y1=\"");
	coord(b, y);
	pl_buf_puts(b, "\" y2=\"");
	coord(b, y);
	pl_buf_printf(b, "\" stroke=\"%s\"", stroke);
	if (dash && *dash)
		pl_buf_printf(b, " stroke-dasharray=\"%s\"", dash);
	pl_buf_puts(b, "/>");
}

static void vline(pl_buf *b, const char *cls, double x, double y0, double y1, const char *stroke,
		  const char *dash, double width)
{
	pl_buf_printf(b, "<line class=\"%s\" x1=\"", cls);
	coord(b, x);
	pl_buf_puts(b, "\" x2=\"");
	coord(b, x);
	pl_buf_puts(b, "\" y1=\"");
	coord(b, y0);
	pl_buf_puts(b, "\" y2=\"");
	coord(b, y1);
	pl_buf_printf(b, "\" stroke=\"%s\" stroke-width=\"%.1f\"", stroke, width);
	if (dash && *dash)
		pl_buf_printf(b, " stroke-dasharray=\"%s\"", dash);
	pl_buf_puts(b, "/>");
}

/* One command of an SVG path with its point: "<cmd>x y". */
static void path_point(pl_buf *b, const char *cmd, double x, double y)
{
	pl_buf_puts(b, cmd);
	coord(b, x);
	pl_buf_puts(b, " ");
	coord(b, y);
}

/* One marker, its shape set by the style: circle, square, triangle, diamond. */
static void marker(pl_buf *b, const char *cls, double x, double y, int style, double r)
{
	const char *c = pl_plot_colour(style);

	switch (style_index(style) % 4) {
	case 0:
		pl_buf_printf(b, "<circle class=\"%s\" cx=\"", cls);
		coord(b, x);
		pl_buf_puts(b, "\" cy=\"");
		coord(b, y);
		pl_buf_printf(b, "\" r=\"%.1f\" fill=\"%s\"/>", r, c);
		break;
	case 1:
		pl_buf_printf(b, "<rect class=\"%s\" x=\"", cls);
		coord(b, x - r);
		pl_buf_puts(b, "\" y=\"");
		coord(b, y - r);
		pl_buf_printf(b, "\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>", 2 * r, 2 * r, c);
		break;
	case 2:
		pl_buf_printf(b, "<path class=\"%s\" d=\"", cls);
		path_point(b, "M", x, y - 1.2 * r);
		path_point(b, "l", 1.2 * r, 2 * r);
		pl_buf_puts(b, "h");
		coord(b, -2.4 * r);
		pl_buf_printf(b, "z\" fill=\"%s\"/>", c);
		break;
	default:
		pl_buf_printf(b, "<path class=\"%s\" d=\"", cls);
		path_point(b, "M", x, y - 1.3 * r);
		path_point(b, "l", 1.3 * r, 1.3 * r);
		path_point(b, "l", -1.3 * r, 1.3 * r);
		path_point(b, "l", -1.3 * r, -1.3 * r);
		pl_buf_printf(b, "z\" fill=\"%s\"/>", c);
		break;
	}
}

static void tick_label(pl_buf *b, double v, double step, pl_plot_xformat fmt, char *out, size_t size)
{
	(void)b;
	if (fmt == PL_PLOT_X_DATE) {
		char d[16];
		pl_date_format((int32_t)floor(v + 0.5), d);
		snprintf(out, size, "%s", d + 5); /* MM-DD */
		return;
	}
	{
		int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
		if (fabs(v) < step * 1e-9)
			v = 0;
		snprintf(out, size, "%.*f", dec, v);
	}
}

/* ---------------------------------------------------------------- x-y charts */

void pl_plot_init(pl_plot *p)
{
	memset(p, 0, sizeof(*p));
	p->xmin = p->xmax = p->ymin = p->ymax = PL_PLOT_AUTO;
}

static void extend(double v, double *lo, double *hi)
{
	if (!isfinite(v))
		return;
	if (v < *lo)
		*lo = v;
	if (v > *hi)
		*hi = v;
}

static void data_limits(const pl_plot *p, double *xlo, double *xhi, double *ylo, double *yhi)
{
	*xlo = *ylo = HUGE_VAL;
	*xhi = *yhi = -HUGE_VAL;
	for (size_t s = 0; s < p->nseries; s++) {
		const pl_plot_series *se = &p->series[s];
		for (size_t i = 0; i < se->n; i++) {
			double x = se->x ? se->x[i] : (double)i;
			if (se->kind == PL_PLOT_AREA) {
				if (!isfinite(se->y_lo[i]) || !isfinite(se->y_hi[i]))
					continue;
				extend(se->y_lo[i], ylo, yhi);
				extend(se->y_hi[i], ylo, yhi);
			} else {
				if (!isfinite(se->y[i]))
					continue;
				extend(se->y[i], ylo, yhi);
			}
			extend(x, xlo, xhi);
		}
	}
	for (size_t r = 0; r < p->nrules; r++)
		extend(p->rules[r].x, xlo, xhi);
	for (size_t s = 0; s < p->nstrips; s++)
		for (size_t i = 0; i < p->strips[s].n; i++)
			extend(p->strips[s].x[i], xlo, xhi);
	if (*xlo > *xhi) {
		*xlo = 0;
		*xhi = 1;
	}
	if (*ylo > *yhi) {
		*ylo = 0;
		*yhi = 1;
	}
}

/* Ticks on one axis; fills lo/hi (auto limits widened to whole steps) and the tick values. */
static size_t axis_ticks(double dlo, double dhi, double want_lo, double want_hi, int target,
			 pl_plot_xformat fmt, double *lo, double *hi, double *ticks, double *step_out)
{
	double first, step;
	size_t n, k = 0;

	if (want_lo != PL_PLOT_AUTO)
		dlo = want_lo;
	if (want_hi != PL_PLOT_AUTO)
		dhi = want_hi;
	if (fmt == PL_PLOT_X_DATE) {
		static const double steps[] = { 1, 2, 7, 14, 28, 56, 91, 182, 364 };
		double raw;
		size_t j = 0;
		if (dhi <= dlo)
			dhi = dlo + 1;
		raw = (dhi - dlo) / target;
		while (j + 1 < sizeof(steps) / sizeof(steps[0]) && steps[j] < raw)
			j++;
		step = steps[j];
		/* weekly steps start on a Monday (day 4 = 1970-01-05 was one) */
		first = step >= 7 ? ceil((dlo - 4) / step) * step + 4 : ceil(dlo / step) * step;
		*lo = dlo;
		*hi = dhi;
		for (double t = first; t <= dhi + 1e-9 && k < 64; t += step)
			ticks[k++] = t;
		*step_out = step;
		return k;
	}
	n = pl_plot_ticks(dlo, dhi, target, &first, &step);
	*lo = want_lo != PL_PLOT_AUTO ? want_lo : first;
	*hi = want_hi != PL_PLOT_AUTO ? want_hi : first + step * (double)(n - 1);
	if (*hi <= *lo)
		*hi = *lo + step;
	for (size_t i = 0; i < n && k < 64; i++) {
		double t = first + step * (double)i;
		if (t >= *lo - step * 1e-6 && t <= *hi + step * 1e-6)
			ticks[k++] = t;
	}
	*step_out = step;
	return k;
}

/* Legend keys in rows above the plot area (the same walk as draw_legend); the rows used. */
static int legend_rows(const pl_plot *p, int width)
{
	int rows = 0;
	double x = 48;

	for (size_t s = 0; s < p->nseries; s++) {
		double w;
		if (!p->series[s].label)
			continue;
		w = 34 + 6.2 * (double)strlen(p->series[s].label);
		if (rows == 0)
			rows = 1;
		if (x > 48 && x + w > width - 8) {
			rows++;
			x = 48;
		}
		x += w;
	}
	return rows;
}

static void legend_key(pl_buf *b, const pl_plot_series *se, double x, double y)
{
	const char *c = pl_plot_colour(se->style);

	pl_buf_puts(b, "<g class=\"key\">");
	if (se->kind == PL_PLOT_AREA) {
		pl_buf_puts(b, "<rect x=\"");
		coord(b, x);
		pl_buf_puts(b, "\" y=\"");
		coord(b, y - 5);
		pl_buf_printf(b, "\" width=\"22\" height=\"8\" fill=\"%s\" fill-opacity=\"0.25\"/>", c);
	} else if (se->kind != PL_PLOT_POINTS) {
		pl_buf_puts(b, "<path d=\"");
		path_point(b, "M", x, y - 1);
		pl_buf_printf(b, "h22\" stroke=\"%s\" stroke-width=\"2\" fill=\"none\"", c);
		if (*pl_plot_dash(se->style))
			pl_buf_printf(b, " stroke-dasharray=\"%s\"", pl_plot_dash(se->style));
		pl_buf_puts(b, "/>");
	}
	if (se->kind == PL_PLOT_POINTS || se->kind == PL_PLOT_LINEPOINTS) {
		/* the legend's own marker is not a data point: class "km", not "pt" */
		marker(b, "km", x + 11, y - 1, se->style, 3);
	}
	text_at(b, "key-label", x + 27, y + 3, "start", se->label);
	pl_buf_puts(b, "</g>");
}

/* Rows of legend keys between the title and the plot area, 18 px apart. */
static void draw_legend(pl_buf *b, const pl_plot *p, int width, double base)
{
	double x = 48, w;
	int row = 0;

	pl_buf_puts(b, "<g class=\"legend\">");
	for (size_t s = 0; s < p->nseries; s++) {
		if (!p->series[s].label)
			continue;
		w = 34 + 6.2 * (double)strlen(p->series[s].label);
		if (x > 48 && x + w > width - 8) {
			row++;
			x = 48;
		}
		legend_key(b, &p->series[s], x, base + 18.0 * row + 10);
		x += w;
	}
	pl_buf_puts(b, "</g>");
}

static void draw_line_path(pl_buf *b, const frame *f, const pl_plot_series *se, int step)
{
	int pen = 0; /* 1 while a sub-path is open */
	size_t run = 0;

	pl_buf_printf(b, "<path class=\"%s\" d=\"", step ? "step" : "line");
	for (size_t i = 0; i < se->n; i++) {
		double x = se->x ? se->x[i] : (double)i, y = se->y[i];
		if (!isfinite(x) || !isfinite(y)) {
			if (pen && run == 1)
				pl_buf_puts(b, "h0.1"); /* a lone value still shows (round caps) */
			pen = 0;
			continue;
		}
		if (!pen) {
			path_point(b, "M", fx(f, x), fy(f, y));
			pen = 1;
			run = 1;
		} else if (step) {
			pl_buf_puts(b, "H");
			coord(b, fx(f, x));
			pl_buf_puts(b, "V");
			coord(b, fy(f, y));
			run++;
		} else {
			path_point(b, "L", fx(f, x), fy(f, y));
			run++;
		}
	}
	if (pen && run == 1)
		pl_buf_puts(b, "h0.1");
	pl_buf_printf(b, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" stroke-linecap=\"round\" "
		      "stroke-linejoin=\"round\"", pl_plot_colour(se->style));
	if (*pl_plot_dash(se->style))
		pl_buf_printf(b, " stroke-dasharray=\"%s\"", pl_plot_dash(se->style));
	pl_buf_puts(b, "/>");
}

static void draw_area(pl_buf *b, const frame *f, const pl_plot_series *se)
{
	size_t i = 0;

	pl_buf_puts(b, "<path class=\"area\" d=\"");
	while (i < se->n) {
		size_t j;
		double x;
		while (i < se->n && (!isfinite(se->y_lo[i]) || !isfinite(se->y_hi[i])))
			i++;
		if (i >= se->n)
			break;
		j = i;
		while (j < se->n && isfinite(se->y_lo[j]) && isfinite(se->y_hi[j]))
			j++;
		for (size_t k = i; k < j; k++) {
			x = se->x ? se->x[k] : (double)k;
			path_point(b, k == i ? "M" : "L", fx(f, x), fy(f, se->y_hi[k]));
		}
		for (size_t k = j; k-- > i;) {
			x = se->x ? se->x[k] : (double)k;
			path_point(b, "L", fx(f, x), fy(f, se->y_lo[k]));
		}
		pl_buf_puts(b, "Z");
		i = j;
	}
	pl_buf_printf(b, "\" fill=\"%s\" fill-opacity=\"0.25\" stroke=\"none\"/>", pl_plot_colour(se->style));
}

static pl_status check_series(const pl_plot *p, pl_error *err)
{
	for (size_t s = 0; s < p->nseries; s++) {
		const pl_plot_series *se = &p->series[s];
		if (se->n == 0)
			continue;
		if (se->kind == PL_PLOT_AREA ? (!se->y_lo || !se->y_hi) : !se->y)
			return pl_error_set(err, PL_ERR_INVALID, "", "series %zu has no data arrays", s);
	}
	return PL_OK;
}

/* A tick label inside a <g> that carries the class and the anchor (smaller files). */
static void tick_text(pl_buf *b, double x, double y, const char *s)
{
	pl_buf_puts(b, "<text x=\"");
	coord(b, x);
	pl_buf_puts(b, "\" y=\"");
	coord(b, y);
	pl_buf_puts(b, "\">");
	pl_buf_escape(b, s);
	pl_buf_puts(b, "</text>");
}

/* Grid lines and tick marks as one path each, tick labels in two groups: a chart's axes cost a
 * few hundred bytes, which matters in a report with hundreds of charts. */
static void draw_axes(pl_buf *b, const frame *f, const pl_plot *p, const double *xt, size_t nxt,
		      double xstep, const double *yt, size_t nyt, double ystep, double bottom_y)
{
	char lab[32];

	pl_buf_puts(b, "<g class=\"axes\">");
	if (nyt) {
		pl_buf_puts(b, "<path class=\"grid\" d=\"");
		for (size_t k = 0; k < nyt; k++) {
			path_point(b, "M", f->px0, fy(f, yt[k]));
			pl_buf_puts(b, "H");
			coord(b, f->px1);
		}
		pl_buf_puts(b, "\" stroke=\"#dddddd\"/><g class=\"tick\" text-anchor=\"end\">");
		for (size_t k = 0; k < nyt; k++) {
			tick_label(b, yt[k], ystep, PL_PLOT_X_NUMBER, lab, sizeof(lab));
			tick_text(b, f->px0 - 4, fy(f, yt[k]) + 4, lab);
		}
		pl_buf_puts(b, "</g>");
	}
	if (nxt) {
		pl_buf_puts(b, "<path class=\"xtick\" d=\"");
		for (size_t k = 0; k < nxt; k++) {
			path_point(b, "M", fx(f, xt[k]), f->py1);
			pl_buf_puts(b, "v4");
		}
		pl_buf_puts(b, "\" stroke=\"#333333\"/><g class=\"tick\" text-anchor=\"middle\">");
		for (size_t k = 0; k < nxt; k++) {
			tick_label(b, xt[k], xstep, p->xformat, lab, sizeof(lab));
			tick_text(b, fx(f, xt[k]), bottom_y + 14, lab);
		}
		pl_buf_puts(b, "</g>");
	}
	pl_buf_puts(b, "<rect class=\"frame\" x=\"");
	coord(b, f->px0);
	pl_buf_puts(b, "\" y=\"");
	coord(b, f->py0);
	pl_buf_puts(b, "\" width=\"");
	coord(b, f->px1 - f->px0);
	pl_buf_puts(b, "\" height=\"");
	coord(b, f->py1 - f->py0);
	pl_buf_puts(b, "\" fill=\"none\" stroke=\"#333333\"/>");
	if (p->xlabel)
		text_at(b, "xlabel", (f->px0 + f->px1) / 2, bottom_y + 29, "middle", p->xlabel);
	if (p->ylabel) {
		pl_buf_printf(b, "<g transform=\"translate(12 %.1f) rotate(-90)\">", (f->py0 + f->py1) / 2);
		text_at(b, "ylabel", 0, 0, "middle", p->ylabel);
		pl_buf_puts(b, "</g>");
	}
	pl_buf_puts(b, "</g>");
}

pl_status pl_plot_xy(pl_buf *out, const pl_plot *p, pl_error *err)
{
	int w = p->width > 0 ? p->width : 640, h = p->height > 0 ? p->height : 260;
	double xlo, xhi, ylo, yhi, xt[64], yt[64], xstep, ystep, top, right, bottom;
	size_t nxt, nyt;
	int have_band_labels = 0, lrows;
	frame f;
	pl_status st;

	if ((st = check_series(p, err)) != PL_OK)
		return st;
	data_limits(p, &xlo, &xhi, &ylo, &yhi);
	nxt = axis_ticks(xlo, xhi, p->xmin, p->xmax, w > 400 ? 8 : 5, p->xformat, &f.x0, &f.x1, xt, &xstep);
	nyt = axis_ticks(ylo, yhi, p->ymin, p->ymax, h < 200 ? 3 : 5, PL_PLOT_X_NUMBER, &f.y0, &f.y1, yt, &ystep);
	for (size_t k = 0; k < p->nbands; k++)
		if (p->bands[k].label)
			have_band_labels = 1;
	lrows = legend_rows(p, w);
	top = (p->title ? 24 : 8) + 18.0 * lrows + 4 + (p->nrules ? 10 : 0);
	right = have_band_labels ? 70 : 14;
	bottom = 36 + (p->xlabel ? 12 : 0) + 12.0 * (double)p->nstrips;
	f.px0 = 56;
	for (size_t k = 0; k < p->nstrips; k++) /* room for the strips' labels */
		if (p->strips[k].label && 12 + 6.0 * (double)strlen(p->strips[k].label) > f.px0)
			f.px0 = 12 + 6.0 * (double)strlen(p->strips[k].label);
	if (p->margin_left > 0)
		f.px0 = p->margin_left;
	f.px1 = w - right;
	f.py0 = top;
	f.py1 = h - bottom;
	if (f.py1 - f.py0 < 40) { /* a crowded chart grows instead of squashing its plot area */
		h = (int)(top + bottom + 80);
		f.py1 = h - bottom;
	}

	svg_open(out, w, h, p->title);
	/* tier bands under everything else */
	for (size_t k = 0; k < p->nbands; k++) {
		const pl_plot_band *bd = &p->bands[k];
		double y0 = fy(&f, bd->hi), y1 = fy(&f, bd->lo);
		if (y1 - y0 < 0.05)
			continue;
		pl_buf_puts(out, "<rect class=\"tier\" x=\"");
		coord(out, f.px0);
		pl_buf_puts(out, "\" y=\"");
		coord(out, y0);
		pl_buf_puts(out, "\" width=\"");
		coord(out, f.px1 - f.px0);
		pl_buf_puts(out, "\" height=\"");
		coord(out, y1 - y0);
		pl_buf_printf(out, "\" fill=\"%s\"/>", bd->fill ? bd->fill : "#eeeeee");
		if (bd->label)
			text_at(out, "band-label", f.px1 + 4, (y0 + y1) / 2 + 4, "start", bd->label);
	}
	draw_axes(out, &f, p, xt, nxt, xstep, yt, nyt, ystep, f.py1 + 12.0 * (double)p->nstrips);
	if (p->diagonal) {
		/* y = x over the part of the plot where both axes have it */
		double d0 = f.x0 > f.y0 ? f.x0 : f.y0, d1 = f.x1 < f.y1 ? f.x1 : f.y1;
		pl_buf_puts(out, "<path class=\"diagonal\" d=\"");
		path_point(out, "M", fx(&f, d0), fy(&f, d0));
		path_point(out, "L", fx(&f, d1), fy(&f, d1));
		pl_buf_puts(out, "\" stroke=\"#777777\" stroke-dasharray=\"2 3\" fill=\"none\"/>");
	}
	for (size_t k = 0; k < p->nrules; k++) {
		const pl_plot_rule *r = &p->rules[k];
		double x = fx(&f, r->x);
		vline(out, "rule", x, f.py0, f.py1, pl_plot_colour(r->style), "3 2", 1.2);
		if (r->label)
			text_at(out, "rule-label", x, f.py0 - 3, "middle", r->label);
	}
	for (size_t s = 0; s < p->nseries; s++) {
		const pl_plot_series *se = &p->series[s];
		if (se->n == 0)
			continue;
		pl_buf_printf(out, "<g class=\"series s%d\">", style_index(se->style));
		if (se->kind == PL_PLOT_AREA)
			draw_area(out, &f, se);
		if (se->kind == PL_PLOT_LINE || se->kind == PL_PLOT_LINEPOINTS)
			draw_line_path(out, &f, se, 0);
		if (se->kind == PL_PLOT_STEP)
			draw_line_path(out, &f, se, 1);
		if (se->kind == PL_PLOT_POINTS || se->kind == PL_PLOT_LINEPOINTS)
			for (size_t i = 0; i < se->n; i++) {
				double x = se->x ? se->x[i] : (double)i;
				if (isfinite(x) && isfinite(se->y[i]))
					marker(out, "pt", fx(&f, x), fy(&f, se->y[i]), se->style, 3);
			}
		pl_buf_puts(out, "</g>");
	}
	for (size_t s = 0; s < p->nstrips; s++) {
		const pl_plot_strip *sp = &p->strips[s];
		double y = f.py1 + 4 + 12.0 * (double)s;
		pl_buf_printf(out, "<g class=\"strip s%d\">", style_index(sp->style));
		if (sp->label)
			text_at(out, "strip-label", f.px0 - 4, y + 7, "end", sp->label);
		/* one path, one "M...z" square per mark */
		pl_buf_puts(out, "<path class=\"strip\" d=\"");
		for (size_t i = 0; i < sp->n; i++) {
			path_point(out, "M", fx(&f, sp->x[i]) - 1.5, y);
			pl_buf_puts(out, "h3v8h-3z");
		}
		pl_buf_printf(out, "\" fill=\"%s\"/>", pl_plot_colour(sp->style));
		pl_buf_puts(out, "</g>");
	}
	if (lrows > 0)
		draw_legend(out, p, w, p->title ? 24 : 8);
	return svg_close(out, err);
}

/* ---------------------------------------------------------------- bars and forest plots */

static double label_column(const char *const *labels, size_t n)
{
	size_t longest = 0;
	double w;

	for (size_t i = 0; i < n; i++)
		if (labels[i] && strlen(labels[i]) > longest)
			longest = strlen(labels[i]);
	w = 12 + 6.2 * (double)longest;
	return w < 60 ? 60 : w > 230 ? 230 : w;
}

/* The frame of a chart of labelled rows (bars, forest): the label column left of the plot
 * area (f->px1, the right edge, and the x limits are the caller's), one row of height row per
 * label from top, the x axis below; opens the SVG and draws the axes. */
static void open_row_chart(pl_buf *out, frame *f, const char *const *labels, size_t n, double top,
			   double row, int w, const char *title, const char *xlabel, const double *xt,
			   size_t nxt, double step)
{
	pl_plot axes;

	f->px0 = label_column(labels, n);
	f->py0 = top;
	f->py1 = top + row * (double)(n ? n : 1);
	f->y0 = 0;
	f->y1 = 1;
	svg_open(out, w, (int)(f->py1 + 34 + (xlabel ? 12 : 0)), title);
	pl_plot_init(&axes);
	axes.xlabel = xlabel;
	draw_axes(out, f, &axes, xt, nxt, step, NULL, 0, 1, f->py1);
}

pl_status pl_plot_hbars(pl_buf *out, const pl_plot_bars *bp, pl_error *err)
{
	int w = bp->width > 0 ? bp->width : 640, digits = bp->digits > 0 ? bp->digits : 3;
	double lo = 0, hi = 0, xt[64], step, top = bp->title ? 26 : 8, row = 18;
	size_t nxt;
	frame f;

	for (size_t i = 0; i < bp->n; i++) {
		extend(bp->values[i], &lo, &hi);
		if (bp->limit)
			extend(bp->limit[i], &lo, &hi);
	}
	nxt = axis_ticks(lo, hi, PL_PLOT_AUTO, PL_PLOT_AUTO, 5, PL_PLOT_X_NUMBER, &f.x0, &f.x1, xt, &step);
	f.px1 = w - 56;
	open_row_chart(out, &f, bp->labels, bp->n, top, row, w, bp->title, bp->xlabel, xt, nxt, step);
	vline(out, "zero", fx(&f, 0), f.py0, f.py1, "#333333", NULL, 1);
	for (size_t i = 0; i < bp->n; i++) {
		double y = f.py0 + row * (double)i, v = bp->values[i];
		double x0 = fx(&f, 0), x1;
		int style = bp->style ? bp->style[i] : (v < 0 ? 4 : 0);
		text_at(out, "bar-label", f.px0 - 4, y + 13, "end", bp->labels[i] ? bp->labels[i] : "");
		if (!isfinite(v)) {
			text_at(out, "bar-value", x0 + 4, y + 13, "start", "n/a");
			continue;
		}
		x1 = fx(&f, v);
		pl_buf_puts(out, "<rect class=\"bar\" x=\"");
		coord(out, x0 < x1 ? x0 : x1);
		pl_buf_puts(out, "\" y=\"");
		coord(out, y + 3);
		pl_buf_puts(out, "\" width=\"");
		coord(out, fabs(x1 - x0));
		pl_buf_printf(out, "\" height=\"12\" fill=\"%s\"/>", pl_plot_colour(style));
		if (bp->limit && isfinite(bp->limit[i]))
			vline(out, "limit", fx(&f, bp->limit[i]), y + 1, y + 17, "#000000", NULL, 2);
		{
			pl_buf num = PL_BUF_INIT;
			pl_buf_num(&num, v, digits);
			if (bp->limit && isfinite(bp->limit[i])) {
				pl_buf_puts(&num, " / ");
				pl_buf_num(&num, bp->limit[i], digits);
			}
			if (num.failed)
				out->failed = 1;
			else {
				double xl = x1 > x0 ? x1 : x0;
				if (bp->limit && isfinite(bp->limit[i]) && fx(&f, bp->limit[i]) > xl)
					xl = fx(&f, bp->limit[i]);
				text_at(out, "bar-value", xl + 4, y + 13, "start", num.data);
			}
			pl_buf_release(&num);
		}
	}
	return svg_close(out, err);
}

pl_status pl_plot_forest_svg(pl_buf *out, const pl_plot_forest *fp, pl_error *err)
{
	int w = fp->width > 0 ? fp->width : 640;
	double lo = HUGE_VAL, hi = -HUGE_VAL, xt[64], step, top = fp->title ? 26 : 8, row = 20;
	size_t nxt;
	frame f;

	for (size_t i = 0; i < fp->n; i++) {
		extend(fp->est[i], &lo, &hi);
		if (fp->lo)
			extend(fp->lo[i], &lo, &hi);
		if (fp->hi)
			extend(fp->hi[i], &lo, &hi);
	}
	extend(fp->ref, &lo, &hi);
	if (lo > hi) {
		lo = 0;
		hi = 1;
	}
	nxt = axis_ticks(lo, hi, fp->xmin, fp->xmax, 5, PL_PLOT_X_NUMBER, &f.x0, &f.x1, xt, &step);
	f.px1 = w - 130;
	open_row_chart(out, &f, fp->labels, fp->n, top, row, w, fp->title, fp->xlabel, xt, nxt, step);
	if (isfinite(fp->ref))
		vline(out, "ref", fx(&f, fp->ref), f.py0, f.py1, "#777777", "2 3", 1);
	for (size_t i = 0; i < fp->n; i++) {
		double y = f.py0 + row * (double)i + row / 2;
		int has_ci = fp->lo && fp->hi && isfinite(fp->lo[i]) && isfinite(fp->hi[i]);
		pl_buf num = PL_BUF_INIT;

		pl_buf_puts(out, "<g class=\"forest-row\">");
		text_at(out, "row-label", f.px0 - 4, y + 4, "end", fp->labels[i] ? fp->labels[i] : "");
		if (isfinite(fp->est[i])) {
			if (has_ci)
				hline(out, "ci", fx(&f, fp->lo[i]), fx(&f, fp->hi[i]), y, "#000000", NULL);
			marker(out, "pt", fx(&f, fp->est[i]), y, 1, 3.5);
			pl_buf_num(&num, fp->est[i], 3);
			if (has_ci) {
				pl_buf_puts(&num, " [");
				pl_buf_num(&num, fp->lo[i], 3);
				pl_buf_puts(&num, ", ");
				pl_buf_num(&num, fp->hi[i], 3);
				pl_buf_puts(&num, "]");
			}
		} else {
			pl_buf_puts(&num, "n/a");
		}
		if (num.failed)
			out->failed = 1;
		else
			text_at(out, "row-value", f.px1 + 8, y + 4, "start", num.data);
		pl_buf_release(&num);
		pl_buf_puts(out, "</g>");
	}
	return svg_close(out, err);
}
