/*
 * report_matches.c: `peerlink report matches`: the answers of `match mentors`, `match buddies`
 * and `match groups` as a coordinator's page: each as a table with its reasons, the mentors'
 * load against their capacity and the groups' sizes against their maximum as bar charts, and
 * everyone left out with the reason the matcher gave.
 */
#include "report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *pl_report_match_kind(json_t *doc)
{
	if (json_is_array(json_object_get(doc, "matches")))
		return "mentors";
	if (json_is_array(json_object_get(doc, "pairs")))
		return "buddies";
	if (json_is_array(json_object_get(doc, "groups")))
		return "groups";
	return NULL;
}

static void flags(pl_buf *b, json_t *m)
{
	if (json_is_true(json_object_get(m, "pinned")))
		pl_buf_puts(b, " <span class=\"note\">(pinned)</span>");
	if (json_is_true(json_object_get(m, "current")))
		pl_buf_puts(b, " <span class=\"note\">(current)</span>");
}

static void summary_line(pl_buf *b, json_t *s, const char *const *keys, const char *const *names)
{
	pl_buf_puts(b, "<p>");
	for (size_t k = 0; keys[k]; k++) {
		double v = rp_num(s, keys[k]);
		if (isnan(v))
			continue;
		pl_buf_puts(b, names[k]);
		pl_buf_puts(b, ": ");
		pl_buf_num(b, v, 4);
		pl_buf_puts(b, ". ");
	}
	if (rp_str(s, "objective")) {
		pl_buf_puts(b, "Objective: ");
		pl_buf_escape(b, rp_str(s, "objective"));
		pl_buf_puts(b, ".");
	}
	pl_buf_puts(b, "</p>\n");
}

/* The end of a pair's row, after the names: its flags, then the score and the reasons'
 * summary. */
static void row_end(pl_buf *b, json_t *m)
{
	flags(b, m);
	pl_buf_puts(b, "</td>");
	rp_td_num(b, rp_num(m, "score"), 3);
	rp_td(b, rp_str(rp_obj(m, "reasons"), "summary"));
	pl_buf_puts(b, "</tr>\n");
}

static pl_status mentors_section(pl_buf *b, json_t *doc, pl_error *err)
{
	static const char *const keys[] = { "mentees", "matched", "unmatched", "mean_score", "min_score", NULL };
	static const char *const names[] = { "Mentees", "Matched", "Unmatched", "Mean score", "Lowest score" };
	json_t *matches = json_object_get(doc, "matches"), *s = rp_obj(doc, "summary"), *m;
	json_t *load = rp_arr(s, "mentor_load");
	size_t i, n;
	pl_status st = PL_OK;

	pl_buf_puts(b, "<section id=\"mentors\">");
	rp_heading(b, 2, NULL, "Mentor matches");
	summary_line(b, s, keys, names);
	n = json_array_size(load);
	if (n == 0) {
		rp_missing(b, "The answer has no summary.mentor_load: no load chart.");
	} else {
		static const rp_bar_fields fields = { "mentor", "load", "capacity", 0 };
		pl_plot_bars bars = { "Mentor load (bar) against capacity (black tick)", "mentees", 0, 0,
				      NULL, NULL, NULL, NULL, 3 };
		st = rp_figure_bars(b, "mentor-load", load, &fields, &bars, err);
	}
	if (st != PL_OK)
		return st;
	pl_buf_puts(b, "<div class=\"scroll\"><table class=\"matches\"><thead><tr><th>mentee</th>"
		       "<th>mentor</th><th>score</th><th>why</th></tr></thead><tbody>\n");
	json_array_foreach(matches, i, m) {
		pl_buf_puts(b, "<tr>");
		rp_td(b, rp_str(m, "mentee"));
		pl_buf_puts(b, "<td>");
		pl_buf_escape(b, rp_str(m, "mentor") ? rp_str(m, "mentor") : "");
		row_end(b, m);
	}
	pl_buf_puts(b, "</tbody></table></div>\n");
	pl_buf_puts(b, "</section>\n");
	return st;
}

static void buddies_section(pl_buf *b, json_t *doc)
{
	static const char *const keys[] = { "clients", "pairs", "matched", "unmatched", "mean_score", "min_score", NULL };
	static const char *const names[] = { "Clients", "Pairs", "Matched", "Unmatched", "Mean score", "Lowest score" };
	json_t *pairs = json_object_get(doc, "pairs"), *s = rp_obj(doc, "summary"), *p, *c;
	size_t i, j;

	pl_buf_puts(b, "<section id=\"buddies\">");
	rp_heading(b, 2, NULL, "Accountability buddies");
	summary_line(b, s, keys, names);
	pl_buf_puts(b, "<div class=\"scroll\"><table class=\"pairs\"><thead><tr><th>clients</th>"
		       "<th>score</th><th>why</th></tr></thead><tbody>\n");
	json_array_foreach(pairs, i, p) {
		pl_buf_puts(b, "<tr><td>");
		json_array_foreach(rp_arr(p, "clients"), j, c) {
			if (j)
				pl_buf_puts(b, " + ");
			pl_buf_escape(b, json_is_string(c) ? json_string_value(c) : "?");
		}
		row_end(b, p);
	}
	pl_buf_puts(b, "</tbody></table></div></section>\n");
}

static pl_status groups_section(pl_buf *b, json_t *doc, pl_error *err)
{
	static const char *const keys[] = { "clients", "placed", "unplaced", "groups", "mean_cohesion", "gap", NULL };
	static const char *const names[] = { "Clients", "Placed", "Unplaced", "Groups", "Mean cohesion", "Gap to the bound" };
	json_t *groups = json_object_get(doc, "groups"), *s = rp_obj(doc, "summary"), *g, *m;
	size_t i, j, n = json_array_size(groups);
	const char **labels = calloc(n + 1, sizeof(*labels));
	double *v = calloc(n + 1, sizeof(*v)), *cap = calloc(n + 1, sizeof(*cap));
	pl_plot_bars bars = { "Group size (bar) against its maximum (black tick)", "members", 0, n,
			      NULL, NULL, NULL, NULL, 3 };
	pl_status st = PL_OK;

	if (!labels || !v || !cap) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	pl_buf_puts(b, "<section id=\"groups\">");
	rp_heading(b, 2, NULL, "Support groups");
	summary_line(b, s, keys, names);
	pl_buf_puts(b, "<div class=\"scroll\"><table class=\"groups\"><thead><tr><th>group</th>"
		       "<th>modality</th><th>facilitator</th><th>size</th><th>cohesion</th>"
		       "<th>members (what they share)</th></tr></thead><tbody>\n");
	json_array_foreach(groups, i, g) {
		json_t *range = rp_arr(g, "size_range");
		labels[i] = rp_str(g, "id") ? rp_str(g, "id") : "?";
		v[i] = rp_num(g, "size");
		cap[i] = json_is_number(json_array_get(range, 1)) ? json_number_value(json_array_get(range, 1)) : NAN;
		pl_buf_puts(b, "<tr>");
		rp_td(b, rp_str(g, "id"));
		rp_td(b, rp_str(g, "modality"));
		rp_td(b, rp_str(g, "facilitator"));
		rp_td_num(b, v[i], 3);
		rp_td_num(b, rp_num(g, "cohesion"), 3);
		pl_buf_puts(b, "<td>");
		json_array_foreach(rp_arr(g, "members"), j, m) {
			pl_buf_puts(b, j ? "<br/>" : "");
			pl_buf_escape(b, rp_str(m, "id") ? rp_str(m, "id") : "?");
			if (rp_str(m, "summary")) {
				pl_buf_puts(b, " <span class=\"note\">(");
				pl_buf_escape(b, rp_str(m, "summary"));
				pl_buf_puts(b, ")</span>");
			}
		}
		pl_buf_puts(b, "</td></tr>\n");
	}
	pl_buf_puts(b, "</tbody></table></div>\n");
	if (n > 0) {
		bars.labels = labels;
		bars.values = v;
		bars.limit = cap;
		pl_buf_puts(b, "<figure id=\"group-sizes\">");
		st = pl_plot_hbars(b, &bars, err);
		pl_buf_puts(b, "</figure>\n");
	}
	pl_buf_puts(b, "</section>\n");
out:
	free(labels);
	free(v);
	free(cap);
	return st;
}

/* One table of everyone left out: who, from which matching, the reason and its explanation. */
static size_t unmatched_rows(pl_buf *b, json_t *arr, const char *what, const char *idkey)
{
	json_t *u;
	size_t i, n = 0;

	json_array_foreach(arr, i, u) {
		const char *id = json_is_string(u) ? json_string_value(u) : rp_str(u, idkey);
		pl_buf_puts(b, "<tr>");
		rp_td(b, id ? id : "?");
		rp_td(b, what);
		rp_td(b, rp_str(u, "reason"));
		rp_td(b, rp_str(u, "message"));
		pl_buf_puts(b, "</tr>\n");
		n++;
	}
	return n;
}

static void unmatched_section(pl_buf *b, json_t *mentors, json_t *buddies, json_t *groups)
{
	size_t n = 0;

	pl_buf_puts(b, "<section id=\"unmatched\">");
	rp_heading(b, 2, NULL, "Not matched, and why");
	pl_buf_puts(b, "<div class=\"scroll\"><table class=\"unmatched\"><thead><tr><th>who</th>"
		       "<th>in</th><th>reason</th><th>explanation</th></tr></thead><tbody>\n");
	if (mentors)
		n += unmatched_rows(b, rp_arr(mentors, "unmatched"), "mentor matching", "mentee");
	if (buddies)
		n += unmatched_rows(b, rp_arr(buddies, "unmatched"), "buddies", "client");
	if (groups)
		n += unmatched_rows(b, rp_arr(groups, "unplaced"), "groups", "id");
	pl_buf_puts(b, "</tbody></table></div>\n");
	if (n == 0)
		pl_buf_puts(b, "<p class=\"note\">Everyone was matched.</p>\n");
	pl_buf_puts(b, "</section>\n");
}

static pl_status expect_kind(json_t *doc, const char *kind, pl_error *err)
{
	const char *k = doc ? pl_report_match_kind(doc) : NULL;

	if (!doc || (k && strcmp(k, kind) == 0))
		return PL_OK;
	return pl_error_set(err, PL_ERR_INVALID,
			    strcmp(kind, "mentors") == 0 ? "/matches"
			    : strcmp(kind, "buddies") == 0 ? "/pairs" : "/groups",
			    "a matches report reads the answers of match mentors (\"matches\"), match "
			    "buddies (\"pairs\") or match groups (\"groups\"); this document is not the "
			    "%s answer", kind);
}

pl_status pl_report_matches(json_t *mentors, json_t *buddies, json_t *groups, pl_buf *out,
			    pl_error *err)
{
	pl_status st;

	if (!mentors && !buddies && !groups)
		return pl_error_set(err, PL_ERR_INVALID, "/matches",
				    "a matches report needs the answer of match mentors, buddies or groups");
	if ((st = expect_kind(mentors, "mentors", err)) != PL_OK ||
	    (st = expect_kind(buddies, "buddies", err)) != PL_OK ||
	    (st = expect_kind(groups, "groups", err)) != PL_OK)
		return st;
	rp_begin(out, "matches", "Matching report");
	pl_buf_puts(out, "<nav>");
	if (mentors)
		pl_buf_puts(out, "<a href=\"#mentors\">Mentors</a>");
	if (buddies)
		pl_buf_puts(out, "<a href=\"#buddies\">Buddies</a>");
	if (groups)
		pl_buf_puts(out, "<a href=\"#groups\">Groups</a>");
	pl_buf_puts(out, "<a href=\"#unmatched\">Not matched</a></nav>\n");
	if (mentors && (st = mentors_section(out, mentors, err)) != PL_OK)
		return st;
	if (buddies)
		buddies_section(out, buddies);
	if (groups && (st = groups_section(out, groups, err)) != PL_OK)
		return st;
	unmatched_section(out, mentors, buddies, groups);
	rp_end(out);
	if (out->failed)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory writing the report");
	return PL_OK;
}
