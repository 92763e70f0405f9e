/*
 * test_report.c: `peerlink report <kind>` end to end on the shipped examples: exit 0, one HTML
 * page with the no-network policy, the expected anchors and the expected number of charts and
 * marks; ids with markup are escaped; panels whose data are absent say so; the same input gives
 * the same bytes; an error leaves no output file. (Wrong kinds of input: golden cases under
 * tests/cli/report_*; rendering in a browser: tests/browser/.)
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define SRC PL_TEST_SRC

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Run the CLI with stdout captured into a temporary file; returns that file's path. */
static char *run_to_file(const char *const *args, const char *input)
{
	tu_run r;
	char *path;

	ck_assert_int_eq(tu_run_cli(args, input, &r), 0);
	if (r.exit_code != 0)
		fprintf(stderr, "%s\n", r.err);
	ck_assert_int_eq(r.exit_code, 0);
	path = tu_write_temp(r.out, ".json");
	tu_run_release(&r);
	return path;
}

static void common_page_checks(const char *html)
{
	ck_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0);
	ck_assert_ptr_nonnull(strstr(html, "Content-Security-Policy\" content=\"default-src 'none'"));
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_null(strstr(html, "src=\"http"));
	ck_assert_ptr_null(strstr(html, "href=\"http"));
	ck_assert_uint_eq(count(html, "<svg"), count(html, "</svg>"));
	ck_assert_uint_eq(count(html, "<section"), count(html, "</section>"));
	ck_assert_ptr_nonnull(strstr(html, "</html>\n"));
}

START_TEST(risk_report_on_example)
{
	/* As of a day inside every example client's 90 days, so all 20 are scored (at the input's
	 * last date the clients that ended earlier are silent: tier contact, no number). */
	const char *score[] = { "risk", "score", "--input", SRC "/datasets/examples/cohort_20.json",
				"--model", SRC "/models/default.json", "--no-timing", "--as-of",
				"2026-04-16", NULL };
	char *answer = run_to_file(score, NULL);
	const char *rep[] = { "report", "risk", "--input", answer, "--checkins",
			      SRC "/datasets/examples/cohort_20.json", "--model", SRC "/models/default.json",
			      "--detail", "5", "--weeks", "8", NULL };
	const char *bare[] = { "report", "risk", "--input", answer, NULL };
	tu_run r, r2;

	ck_assert_int_eq(tu_run_cli(rep, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_str_eq(r.err, "");
	common_page_checks(r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "id=\"overview\""));
	/* one overview row per client, sections for the 5 riskiest */
	ck_assert_uint_eq(count(r.out, "<tr><td>"), 20);
	ck_assert_uint_eq(count(r.out, "<section class=\"client\""), 5);
	ck_assert_uint_eq(count(r.out, "<a href=\"#client-"), 5);
	/* per client: 5 timelines, a trajectory and the contributions */
	ck_assert_uint_eq(count(r.out, "<svg class=\"chart\""), 5 * 7);
	ck_assert_uint_eq(count(r.out, "<rect class=\"tier\""), 5 * 3); /* the tier bands */
	/* 8 weeks: at most 56 days per line, and the top-10 contributions as bars */
	ck_assert_uint_eq(count(r.out, "<rect class=\"bar\""), 5 * 10);
	ck_assert_ptr_null(strstr(r.out, "class=\"missing\""));
	/* the same input gives the same bytes */
	ck_assert_int_eq(tu_run_cli(rep, NULL, &r2), 0);
	ck_assert_str_eq(r.out, r2.out);
	tu_run_release(&r2);
	tu_run_release(&r);
	/* without the check-ins and the model: the panels say what they need */
	ck_assert_int_eq(tu_run_cli(bare, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "need the check-in input (--checkins FILE)"));
	ck_assert_uint_eq(count(r.out, "<section class=\"client\""), 20);
	ck_assert_uint_eq(count(r.out, "<svg class=\"chart\""), 20); /* contributions only */
	tu_run_release(&r);
	unlink(answer);
	free(answer);
}
END_TEST

START_TEST(ids_are_escaped)
{
	const char *answer =
		"{\"clients\": [{\"id\": \"<script>alert(1)</script>\", \"risk\": 0.2, \"tier\": \"high\","
		" \"signals\": [{\"kind\": \"x\", \"measure\": \"<b>m</b>\", \"text\": \"a & b\"}],"
		" \"contributions\": [{\"feature\": \"f<i>\", \"contribution\": 0.5}]},"
		" {\"id\": \"a&b\\\"'\", \"risk\": null, \"tier\": null}],"
		" \"model\": {\"thresholds\": {\"moderate\": 0.05, \"high\": 0.1}}}";
	const char *args[] = { "report", "risk", NULL };
	tu_run r;

	ck_assert_int_eq(tu_run_cli(args, answer, &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	common_page_checks(r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert_ptr_nonnull(strstr(r.out, "a&amp;b&quot;&#39;"));
	ck_assert_ptr_nonnull(strstr(r.out, "&lt;b&gt;m&lt;/b&gt;"));
	ck_assert_ptr_nonnull(strstr(r.out, "f&lt;i&gt;"));
	ck_assert_ptr_null(strstr(r.out, "<b>"));
	ck_assert_ptr_null(strstr(r.out, "<i>"));
	/* the unscored client is listed last, without a section */
	ck_assert_ptr_nonnull(strstr(r.out, "not enough check-ins to score"));
	ck_assert_uint_eq(count(r.out, "<section class=\"client\""), 1);
	tu_run_release(&r);
}
END_TEST

START_TEST(matches_report_on_examples)
{
	const char *m[] = { "match", "mentors", "--input", SRC "/datasets/examples/program.json", "--no-timing", NULL };
	const char *b[] = { "match", "buddies", "--input", SRC "/datasets/examples/buddies.json", "--no-timing", NULL };
	const char *g[] = { "match", "groups", "--input", SRC "/datasets/examples/groups.json", "--no-timing", NULL };
	char *fm = run_to_file(m, NULL), *fb = run_to_file(b, NULL), *fg = run_to_file(g, NULL);
	const char *rep[] = { "report", "matches", "--input", fm, "--buddies", fb, "--groups", fg, NULL };
	const char *dup[] = { "report", "matches", "--input", fm, "--mentors", fm, NULL };
	const char *wrong[] = { "report", "matches", "--input", fm, "--groups", fb, NULL };
	tu_run r;

	ck_assert_int_eq(tu_run_cli(rep, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	common_page_checks(r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "id=\"mentors\""));
	ck_assert_ptr_nonnull(strstr(r.out, "id=\"buddies\""));
	ck_assert_ptr_nonnull(strstr(r.out, "id=\"groups\""));
	ck_assert_ptr_nonnull(strstr(r.out, "id=\"unmatched\""));
	/* 12 mentors' load bars and 5 groups' size bars, each with its limit */
	ck_assert_uint_eq(count(r.out, "<rect class=\"bar\""), 12 + 5);
	ck_assert_uint_eq(count(r.out, "class=\"limit\""), 12 + 5);
	/* 38 matches, 11 pairs; 2 unmatched mentees and 1 unplaced client, with their reasons */
	ck_assert_uint_eq(count(r.out, "<table class=\"matches\""), 1);
	ck_assert_ptr_nonnull(strstr(r.out, "no_feasible_mentor"));
	ck_assert_ptr_nonnull(strstr(r.out, "conflict"));
	tu_run_release(&r);
	ck_assert_int_eq(tu_run_cli(dup, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 2);
	ck_assert_str_eq(r.out, "");
	tu_run_release(&r);
	ck_assert_int_eq(tu_run_cli(wrong, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "\"pointer\":\"/groups\""));
	ck_assert_ptr_nonnull(strstr(r.err, "--groups:"));
	ck_assert_str_eq(r.out, "");
	tu_run_release(&r);
	unlink(fm);
	unlink(fb);
	unlink(fg);
	free(fm);
	free(fb);
	free(fg);
}
END_TEST

START_TEST(evaluation_report_with_rows)
{
	const char *ev[] = { "risk", "evaluate", "--model", SRC "/models/default.json", "--input",
			     SRC "/datasets/examples/cohort_20.json", "--baselines", "--bootstrap", "20",
			     "--no-timing", NULL };
	char *answer = run_to_file(ev, NULL);
	char *stripped = tu_write_temp("", ".json");
	json_t *doc = json_load_file(answer, 0, NULL);
	size_t roc_points;
	/* the rows are a fallback for an answer without metrics.curves: test it on one */
	ck_assert_ptr_nonnull(doc);
	roc_points = json_array_size(json_object_get(json_object_get(json_object_get(doc, "metrics"),
								      "curves"), "roc"));
	ck_assert_uint_gt(roc_points, 1);
	ck_assert_int_eq(json_object_del(json_object_get(doc, "metrics"), "curves"), 0);
	ck_assert_int_eq(json_dump_file(doc, stripped, 0), 0);
	json_decref(doc);
	/* 8 usable rows (one unscored), 7 distinct scores, 3 positives: ROC (0, 0) + 7 steps */
	char *rows = tu_write_temp("{\"risk\": 0.9, \"label\": 1}\n{\"risk\": 0.8, \"label\": 0}\n"
				   "{\"risk\": 0.7, \"label\": 1}\n\n{\"risk\": 0.5, \"label\": 0}\n"
				   "{\"risk\": 0.5, \"label\": 0}\n{\"risk\": 0.3, \"label\": 1}\n"
				   "{\"risk\": 0.1, \"label\": 0}\n{\"risk\": null, \"label\": 1}\n"
				   "{\"risk\": 0.05, \"label\": 0}\n", ".jsonl");
	char *bad = tu_write_temp("{\"risk\": 0.9, \"label\": 1}\n[1, 2]\n", ".jsonl");
	const char *rep[] = { "report", "evaluation", "--input", stripped, "--rows", rows, NULL };
	const char *norows[] = { "report", "evaluation", "--input", stripped, NULL };
	const char *curves[] = { "report", "evaluation", "--input", answer, "--rows", rows, NULL };
	const char *badrows[] = { "report", "evaluation", "--input", answer, "--rows", bad, NULL };
	tu_run r;
	const char *roc;

	ck_assert_int_eq(tu_run_cli(rep, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	common_page_checks(r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "id=\"roc\""));
	ck_assert_ptr_nonnull(strstr(r.out, "id=\"pr\""));
	ck_assert_ptr_nonnull(strstr(r.out, "id=\"reliability\""));
	ck_assert_ptr_nonnull(strstr(r.out, "id=\"decision\""));
	ck_assert_ptr_nonnull(strstr(r.out, "id=\"subgroups\""));
	ck_assert_uint_eq(count(r.out, "class=\"step\""), 2);
	ck_assert_ptr_nonnull(strstr(r.out, "per-row predictions given"));
	roc = strstr(strstr(r.out, "id=\"roc\""), "class=\"step\" d=\"");
	/* the ROC path: one move and 7 horizontal-vertical steps */
	{
		const char *end = strchr(roc + 16, '"');
		size_t h = 0;
		for (const char *q = roc + 16; q < end; q++)
			h += *q == 'H';
		ck_assert_uint_eq(h, 7);
	}
	/* forest plots: model, 2 oracles, 3 baselines; 6 subgroups; lead time and lapses detected,
	 * each for the model and for random alerts at its rate (the answer's null, issue 12) */
	ck_assert_uint_eq(count(r.out, "class=\"forest-row\""), 6 + 6 + 4);
	ck_assert_ptr_null(strstr(r.out, "random-alert null"));
	tu_run_release(&r);
	ck_assert_int_eq(tu_run_cli(norows, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_uint_eq(count(r.out, "class=\"step\""), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "ROC curve: the answer carries no curve points"));
	tu_run_release(&r);
	/* with metrics.curves the answer's points win over the rows: one step per point after (0, 0) */
	ck_assert_int_eq(tu_run_cli(curves, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_uint_eq(count(r.out, "class=\"step\""), 2);
	roc = strstr(strstr(r.out, "id=\"roc\""), "class=\"step\" d=\"");
	{
		const char *end = strchr(roc + 16, '"');
		size_t h = 0;
		for (const char *q = roc + 16; q < end; q++)
			h += *q == 'H';
		ck_assert_uint_eq(h, roc_points - 1);
	}
	ck_assert_ptr_null(strstr(r.out, "per-row predictions given"));
	tu_run_release(&r);
	ck_assert_int_eq(tu_run_cli(badrows, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_ptr_nonnull(strstr(r.err, "\"line\":2"));
	ck_assert_str_eq(r.out, "");
	tu_run_release(&r);
	unlink(answer);
	unlink(stripped);
	unlink(rows);
	unlink(bad);
	free(answer);
	free(stripped);
	free(rows);
	free(bad);
}
END_TEST

/* The value and interval cell the report writes for node[key] ({"value", "ci"}), formatted
 * here from the answer's own numbers. */
static void value_ci_cell(json_t *node, const char *key, char *cell, size_t size)
{
	json_t *v = json_object_get(node, key), *ci = json_object_get(v, "ci");
	snprintf(cell, size, "<td class=\"num\">%.3g [%.3g to %.3g]</td>",
		 json_number_value(json_object_get(v, "value")),
		 json_number_value(json_array_get(ci, 0)), json_number_value(json_array_get(ci, 1)));
}

/* issue 12: the answer's `comparison` (--compare) and `warnings` (too few events per feature)
 * are on the page; an answer without them has neither section. */
START_TEST(evaluation_report_comparison_and_warnings)
{
	const char *in = SRC "/tests/cli/risk_evaluate/epv_warning/input.json";
	const char *ev[] = { "risk", "evaluate", "--cv", "2", "--features",
			     "craving.level,prior_lapse,missed_streak", "--bootstrap", "20", "--seed",
			     "5", "--compare", "baseline:last_craving", "--input", in, "--no-timing",
			     NULL };
	char *answer = run_to_file(ev, NULL), *edited = tu_write_temp("", ".json");
	const char *rep[] = { "report", "evaluation", "--input", answer, NULL };
	const char *rep2[] = { "report", "evaluation", "--input", edited, NULL };
	json_t *doc = json_load_file(answer, 0, NULL), *c, *w;
	char cell[160];
	tu_run r;

	ck_assert_ptr_nonnull(doc);
	c = json_object_get(doc, "comparison");
	w = json_object_get(doc, "warnings");
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(json_array_size(w), 1);
	ck_assert_int_eq(tu_run_cli(rep, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	common_page_checks(r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "<a href=\"#comparison\">"));
	ck_assert_ptr_nonnull(strstr(r.out, "<section id=\"warnings\">"));
	ck_assert_ptr_nonnull(strstr(r.out, "<section id=\"comparison\">"));
	ck_assert_ptr_nonnull(strstr(r.out, "against baseline:last_craving on the same"));
	/* the warning's text, escaped (it quotes a section title) */
	ck_assert_ptr_nonnull(strstr(r.out, "events per candidate feature: 0.667"));
	ck_assert_ptr_nonnull(strstr(r.out, "&quot;Events per feature&quot;"));
	value_ci_cell(json_object_get(c, "difference"), "auroc", cell, sizeof(cell));
	ck_assert_ptr_nonnull(strstr(strstr(r.out, "id=\"comparison\""), cell));
	value_ci_cell(json_object_get(c, "other"), "auroc", cell, sizeof(cell));
	ck_assert_ptr_nonnull(strstr(strstr(r.out, "id=\"comparison\""), cell));
	/* the baseline has no Brier score: n/a, not a number */
	ck_assert_ptr_nonnull(strstr(r.out, "<td>brier</td><td class=\"num\">"));
	ck_assert_ptr_nonnull(strstr(strstr(r.out, "<td>brier</td>"), "</td><td class=\"num\">n/a</td>"));
	tu_run_release(&r);
	/* a warning with markup is escaped; without a comparison, no section and no link */
	ck_assert_int_eq(json_array_append_new(w, json_string("<b>x</b>")), 0);
	ck_assert_int_eq(json_object_del(doc, "comparison"), 0);
	ck_assert_int_eq(json_dump_file(doc, edited, 0), 0);
	ck_assert_int_eq(tu_run_cli(rep2, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "<li>&lt;b&gt;x&lt;/b&gt;</li>"));
	ck_assert_ptr_null(strstr(r.out, "comparison"));
	tu_run_release(&r);
	ck_assert_int_eq(json_object_del(doc, "warnings"), 0);
	ck_assert_int_eq(json_dump_file(doc, edited, 0), 0);
	ck_assert_int_eq(tu_run_cli(rep2, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_ptr_null(strstr(r.out, "id=\"warnings\""));
	tu_run_release(&r);
	json_decref(doc);
	unlink(answer);
	unlink(edited);
	free(answer);
	free(edited);
}
END_TEST

START_TEST(ews_report_with_series)
{
	const char *series = SRC "/tests/cli/risk_ews/control_and_changepoints/input.json";
	const char *ews[] = { "risk", "ews", "--input", series, "--no-timing", NULL };
	char *answer = run_to_file(ews, NULL);
	const char *rep[] = { "report", "ews", "--input", answer, "--series", series, NULL };
	const char *noseries[] = { "report", "ews", "--input", answer, NULL };
	tu_run r;

	ck_assert_int_eq(tu_run_cli(rep, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	common_page_checks(r.out);
	/* series, 1 indicator, EWMA, CUSUM, change points */
	ck_assert_uint_eq(count(r.out, "<svg class=\"chart\""), 5);
	/* 10 observed days of 12 in the series, plus the EWMA statistic's points */
	{
		const char *s = strstr(r.out, "id=\"series\""), *e = strstr(s, "</section>");
		size_t pts = 0;
		for (const char *q = s; (q = strstr(q, "class=\"pt\"")) && q < e; q++)
			pts++;
		ck_assert_uint_eq(pts, 10);
	}
	ck_assert_uint_eq(count(r.out, "class=\"rule\""), 2); /* the change point, on 2 charts */
	ck_assert_uint_eq(count(r.out, "class=\"area\""), 1);
	tu_run_release(&r);
	ck_assert_int_eq(tu_run_cli(noseries, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "give the risk ews input (--series FILE)"));
	tu_run_release(&r);
	unlink(answer);
	free(answer);
}
END_TEST

START_TEST(output_file_atomic)
{
	char dir[] = "/tmp/pl_rep_XXXXXX", out[128];
	const char *ok[] = { "report", "ews", "--output", out, NULL };
	struct stat st;
	tu_run r;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/page.html", dir);
	ck_assert_int_eq(tu_run_cli(ok, "{\"indicators\": {}}", &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_str_eq(r.out, "");
	tu_run_release(&r);
	ck_assert_int_eq(stat(out, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	unlink(out);
	/* an error leaves no file */
	ck_assert_int_eq(tu_run_cli(ok, "{\"clients\": []}", &r), 0);
	ck_assert_int_eq(r.exit_code, 3);
	tu_run_release(&r);
	ck_assert_int_ne(stat(out, &st), 0);
	rmdir(dir);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *t = tcase_create("cli");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, risk_report_on_example);
	tcase_add_test(t, ids_are_escaped);
	tcase_add_test(t, matches_report_on_examples);
	tcase_add_test(t, evaluation_report_with_rows);
	tcase_add_test(t, evaluation_report_comparison_and_warnings);
	tcase_add_test(t, ews_report_with_series);
	tcase_add_test(t, output_file_atomic);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
