/*
 * test_plot.c: the SVG chart functions (peerlink/plot.h) as functions: for a known input the SVG
 * has the expected number of marks (counted through their stable class names), nice ticks cover
 * the data with 1-2-5 steps, caller text is escaped, missing values break lines, and the same
 * input gives the same bytes.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/plot.h>
#include "testutil.h"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* A step is 1, 2 or 5 times a power of ten. */
static int is_nice(double step)
{
	double e = floor(log10(step)), f = step / pow(10.0, e);
	return fabs(f - 1) < 1e-9 || fabs(f - 2) < 1e-9 || fabs(f - 5) < 1e-9 || fabs(f - 10) < 1e-9;
}

START_TEST(ticks_nice_and_cover)
{
	tu_rng r = { 7 };

	for (int t = 0; t < 2000; t++) {
		double scale = pow(10.0, (double)tu_range(&r, -4, 6));
		double a = (tu_uniform(&r) - 0.5) * scale, b = a + tu_uniform(&r) * scale + 1e-9 * scale;
		double first, step;
		size_t n = pl_plot_ticks(a, b, 5, &first, &step);

		ck_assert(is_nice(step));
		ck_assert_uint_ge(n, 2);
		ck_assert_uint_le(n, 12);
		ck_assert(first <= a + 1e-9 * scale);
		ck_assert(first + step * (double)(n - 1) >= b - 1e-9 * scale);
		/* no more than one step of slack at either end */
		ck_assert(first > a - step - 1e-9 * scale);
		ck_assert(first + step * (double)(n - 2) < b + 1e-9 * scale);
	}
}
END_TEST

START_TEST(ticks_known_cases)
{
	double first, step;
	size_t n;

	n = pl_plot_ticks(0, 1, 5, &first, &step);
	ck_assert_double_eq_tol(first, 0, 1e-12);
	ck_assert_double_eq_tol(step, 0.2, 1e-12);
	ck_assert_uint_eq(n, 6);
	n = pl_plot_ticks(3, 97, 5, &first, &step);
	ck_assert_double_eq_tol(first, 0, 1e-12);
	ck_assert_double_eq_tol(step, 20, 1e-12);
	ck_assert_uint_eq(n, 6);
	n = pl_plot_ticks(0.013, 0.071, 5, &first, &step);
	ck_assert_double_eq_tol(step, 0.02, 1e-12); /* range 0.1 (rounded up), 4 gaps of 0.025 -> 0.02 */
	ck_assert_double_eq_tol(first, 0, 1e-12);
	ck_assert_uint_eq(n, 5);
	/* a single value is widened, never a zero step */
	n = pl_plot_ticks(5, 5, 5, &first, &step);
	ck_assert(step > 0);
	ck_assert(first <= 5 && first + step * (double)(n - 1) >= 5);
}
END_TEST

START_TEST(xy_marks_counted)
{
	double x[6] = { 0, 1, 2, 3, 4, 5 }, y[6] = { 1, 2, NAN, 4, 5, 6 }, y2[6] = { 3, 3, 3, 2, 1, 0 };
	double rx[2] = { 1.5, 4.5 }, miss[3] = { 2, 3, 5 };
	pl_plot_series se[3] = {
		{ "craving", PL_PLOT_LINEPOINTS, 0, 6, x, y, NULL, NULL },
		{ "mood", PL_PLOT_POINTS, 1, 6, x, y2, NULL, NULL },
		{ "steps", PL_PLOT_STEP, 2, 6, x, y2, NULL, NULL },
	};
	pl_plot_rule rules[2] = { { rx[0], "lapse", 4 }, { rx[1], NULL, 4 } };
	pl_plot_strip strip = { "missed", 3, miss, 6 };
	pl_plot_band bands[2] = { { 0, 2, "low", "#eeeeee" }, { 2, 10, "high", "#ffdddd" } };
	pl_plot p;
	pl_buf b = PL_BUF_INIT;
	pl_error err = PL_ERROR_INIT;

	pl_plot_init(&p);
	p.title = "t";
	p.series = se;
	p.nseries = 3;
	p.rules = rules;
	p.nrules = 2;
	p.strips = &strip;
	p.nstrips = 1;
	p.bands = bands;
	p.nbands = 2;
	ck_assert_int_eq(pl_plot_xy(&b, &p, &err), PL_OK);
	ck_assert_uint_eq(count(b.data, "<svg class=\"chart\""), 1);
	ck_assert_uint_eq(count(b.data, "</svg>"), 1);
	/* 5 finite points of series 0 (circles), 6 of series 1 (squares) */
	ck_assert_uint_eq(count(b.data, "class=\"pt\""), 11);
	ck_assert_uint_eq(count(b.data, "<circle class=\"pt\""), 5);
	ck_assert_uint_eq(count(b.data, "<rect class=\"pt\""), 6);
	/* one line path, broken into two sub-paths at the missing value */
	ck_assert_uint_eq(count(b.data, "class=\"line\""), 1);
	{
		const char *d = strstr(b.data, "class=\"line\" d=\"");
		const char *end = strchr(d + 16, '"');
		size_t moves = 0;
		for (const char *q = d + 16; q < end; q++)
			moves += *q == 'M';
		ck_assert_uint_eq(moves, 2);
	}
	ck_assert_uint_eq(count(b.data, "class=\"step\""), 1);
	ck_assert_uint_eq(count(b.data, "class=\"rule\""), 2);
	{
		const char *d = strstr(b.data, "class=\"strip\" d=\"");
		const char *start = d + strlen("class=\"strip\" d=\""), *end = strchr(start, '"');
		size_t marks = 0;
		for (const char *q = start; q < end; q++)
			marks += *q == 'M';
		ck_assert_uint_eq(marks, 3);
	}
	ck_assert_uint_eq(count(b.data, "class=\"tier\""), 2);
	/* three legend entries; the legend's markers are not data points */
	ck_assert_uint_eq(count(b.data, "class=\"key\""), 3);
	pl_buf_release(&b);
}
END_TEST

START_TEST(area_and_diagonal)
{
	double x[4] = { 0, 1, 2, 3 }, lo[4] = { 0, 1, NAN, 1 }, hi[4] = { 1, 2, NAN, 3 };
	pl_plot_series se = { "band", PL_PLOT_AREA, 0, 4, x, NULL, lo, hi };
	pl_plot p;
	pl_buf b = PL_BUF_INIT;
	pl_error err = PL_ERROR_INIT;

	pl_plot_init(&p);
	p.series = &se;
	p.nseries = 1;
	p.diagonal = 1;
	ck_assert_int_eq(pl_plot_xy(&b, &p, &err), PL_OK);
	ck_assert_uint_eq(count(b.data, "class=\"area\""), 1);
	ck_assert_uint_eq(count(b.data, "class=\"diagonal\""), 1);
	/* two closed polygons around the gap */
	ck_assert_uint_eq(count(b.data, "Z"), 2);
	pl_buf_release(&b);
	/* a series without arrays is refused */
	se.y_lo = NULL;
	ck_assert_int_eq(pl_plot_xy(&b, &p, &err), PL_ERR_INVALID);
	pl_buf_release(&b);
}
END_TEST

START_TEST(escaping_everywhere)
{
	double x[2] = { 0, 1 }, y[2] = { 0, 1 }, v[2] = { 1, -2 }, lo[2] = { 0.5, NAN },
	       hi[2] = { 1.5, NAN };
	const char *labels[2] = { "<script>alert(1)</script>", "a&b \"q\" 'x'" };
	pl_plot_series se = { "<b>&", PL_PLOT_LINE, 0, 2, x, y, NULL, NULL };
	pl_plot_rule rule = { 0.5, "<i>", 1 };
	pl_plot p;
	pl_plot_bars bars = { "<t>", "x&y", 0, 2, labels, v, NULL, NULL, 0 };
	pl_plot_forest fo = { "f<", "auc>", 0, 2, labels, v, lo, hi, NAN, PL_PLOT_AUTO, PL_PLOT_AUTO };
	pl_buf b = PL_BUF_INIT;
	pl_error err = PL_ERROR_INIT;

	pl_plot_init(&p);
	p.title = "a<b";
	p.xlabel = "x&";
	p.ylabel = "\"y\"";
	p.series = &se;
	p.nseries = 1;
	p.rules = &rule;
	p.nrules = 1;
	ck_assert_int_eq(pl_plot_xy(&b, &p, &err), PL_OK);
	ck_assert_int_eq(pl_plot_hbars(&b, &bars, &err), PL_OK);
	ck_assert_int_eq(pl_plot_forest_svg(&b, &fo, &err), PL_OK);
	ck_assert_ptr_null(strstr(b.data, "<script"));
	ck_assert_ptr_null(strstr(b.data, "<b>"));
	ck_assert_ptr_null(strstr(b.data, "<i>"));
	ck_assert_ptr_null(strstr(b.data, "<t>"));
	ck_assert_ptr_nonnull(strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(b.data, "a&amp;b &quot;q&quot; &#39;x&#39;"));
	ck_assert_ptr_nonnull(strstr(b.data, "&lt;b&gt;&amp;"));
	/* every '&' starts an entity */
	for (const char *q = strchr(b.data, '&'); q; q = strchr(q + 1, '&'))
		ck_assert(strncmp(q, "&amp;", 5) == 0 || strncmp(q, "&lt;", 4) == 0 ||
			  strncmp(q, "&gt;", 4) == 0 || strncmp(q, "&quot;", 6) == 0 ||
			  strncmp(q, "&#39;", 5) == 0);
	pl_buf_release(&b);
}
END_TEST

START_TEST(bars_and_forest_marks)
{
	const char *labels[4] = { "m01", "m02", "m03", "m04" };
	double v[4] = { 3, 0.5, NAN, -1 }, cap[4] = { 3, 2, 1, NAN };
	double est[4] = { 0.7, 0.6, NAN, 0.55 }, lo[4] = { 0.6, NAN, NAN, 0.4 }, hi[4] = { 0.8, NAN, NAN, 0.7 };
	pl_plot_bars bars = { "load", NULL, 0, 4, labels, v, cap, NULL, 0 };
	pl_plot_forest fo = { "auroc", NULL, 0, 4, labels, est, lo, hi, 0.5, PL_PLOT_AUTO, PL_PLOT_AUTO };
	pl_buf b = PL_BUF_INIT;
	pl_error err = PL_ERROR_INIT;

	ck_assert_int_eq(pl_plot_hbars(&b, &bars, &err), PL_OK);
	ck_assert_uint_eq(count(b.data, "<rect class=\"bar\""), 3);
	ck_assert_uint_eq(count(b.data, "class=\"limit\""), 2); /* NaN bar: no limit drawn */
	ck_assert_uint_eq(count(b.data, "n/a"), 1);
	ck_assert_ptr_nonnull(strstr(b.data, ">3 / 3<"));
	pl_buf_release(&b);
	ck_assert_int_eq(pl_plot_forest_svg(&b, &fo, &err), PL_OK);
	ck_assert_uint_eq(count(b.data, "class=\"forest-row\""), 4);
	ck_assert_uint_eq(count(b.data, "class=\"pt\""), 3);
	ck_assert_uint_eq(count(b.data, "class=\"ci\""), 2);
	ck_assert_uint_eq(count(b.data, "class=\"ref\""), 1);
	ck_assert_ptr_nonnull(strstr(b.data, ">0.7 [0.6, 0.8]<"));
	pl_buf_release(&b);
}
END_TEST

START_TEST(deterministic_and_dates)
{
	double x[30], y[30];
	pl_plot_series se = { "risk", PL_PLOT_LINE, 0, 30, x, y, NULL, NULL };
	pl_plot p;
	pl_buf a = PL_BUF_INIT, b = PL_BUF_INIT;
	pl_error err = PL_ERROR_INIT;

	for (int i = 0; i < 30; i++) {
		x[i] = 20454 + i; /* 2026-01-01 onwards */
		y[i] = 0.01 * sin(i * 0.3) + 0.02;
	}
	pl_plot_init(&p);
	p.series = &se;
	p.nseries = 1;
	p.xformat = PL_PLOT_X_DATE;
	ck_assert_int_eq(pl_plot_xy(&a, &p, &err), PL_OK);
	ck_assert_int_eq(pl_plot_xy(&b, &p, &err), PL_OK);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert(memcmp(a.data, b.data, a.len) == 0);
	/* weekly date ticks on Mondays: 2026-01-05, -12, -19, -26 */
	ck_assert_ptr_nonnull(strstr(a.data, ">01-05<"));
	ck_assert_ptr_nonnull(strstr(a.data, ">01-26<"));
	ck_assert_ptr_null(strstr(a.data, ">01-06<"));
	ck_assert_ptr_null(strstr(a.data, "nan"));
	pl_buf_release(&a);
	pl_buf_release(&b);
}
END_TEST

START_TEST(buffer_basics)
{
	pl_buf b = PL_BUF_INIT;

	for (int i = 0; i < 10000; i++)
		pl_buf_printf(&b, "%d,", i % 10);
	ck_assert_uint_eq(b.len, 20000);
	ck_assert_uint_eq(strlen(b.data), 20000);
	pl_buf_release(&b);
	pl_buf_num(&b, -0.0, 3);
	pl_buf_num(&b, 0.123456, 3);
	pl_buf_num(&b, NAN, 3);
	ck_assert_str_eq(b.data, "00.123n/a");
	pl_buf_release(&b);
	pl_buf_release(NULL);
}
END_TEST

static Suite *plot_suite(void)
{
	Suite *s = suite_create("plot");
	TCase *t = tcase_create("charts");

	tcase_add_test(t, ticks_nice_and_cover);
	tcase_add_test(t, ticks_known_cases);
	tcase_add_test(t, xy_marks_counted);
	tcase_add_test(t, area_and_diagonal);
	tcase_add_test(t, escaping_everywhere);
	tcase_add_test(t, bars_and_forest_marks);
	tcase_add_test(t, deterministic_and_dates);
	tcase_add_test(t, buffer_basics);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(plot_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
