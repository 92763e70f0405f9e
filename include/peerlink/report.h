/*
 * peerlink/report.h: self-contained HTML reports built from other commands' JSON answers
 * (docs/report.md). Part of the JSON layer: the builders read jansson documents and write one
 * HTML page (inline CSS and SVG from peerlink/plot.h; no script, nothing fetched) into a pl_buf.
 *
 * Each builder checks that it was given the right kind of answer and fails with PL_ERR_INVALID
 * and a JSON Pointer into that answer otherwise ("/clients" for a risk report given a matching
 * answer). Fields an answer may lack (curves that older versions do not output, a check-in
 * history the answer does not carry) never fail: the panel that needs them says what is missing.
 * Every string taken from a document (ids, labels, reasons) is HTML-escaped.
 *
 * Ownership: every json_t is borrowed; `out` receives the page (the caller releases it). On
 * failure `out` may hold a partial page, which the caller discards.
 */
#ifndef PEERLINK_REPORT_H
#define PEERLINK_REPORT_H

#include <stddef.h>
#include <peerlink/json.h>
#include <peerlink/plot.h>
#include <peerlink/risk.h>

#ifdef __cplusplus
extern "C" {
#endif

/* `report risk`: cohort overview sorted by risk, then one section per client (anchors). */
typedef struct pl_report_risk_options {
	json_t *checkins;            /* the `risk score` input (timelines, days since check-in); NULL */
	const pl_risk_model *model;  /* the model that scored the answer (risk trajectory); NULL */
	size_t detail;               /* client sections for the `detail` riskiest clients (0: none) */
	int weeks;                   /* timeline length in weeks (8-12 recommended) */
} pl_report_risk_options;

void pl_report_risk_options_init(pl_report_risk_options *o); /* no extras, detail 100, 12 weeks */
pl_status pl_report_risk(json_t *answer, const pl_report_risk_options *o, pl_buf *out, pl_error *err);

/* `report matches`: any of the three matching answers (NULL where not given; at least one). */
pl_status pl_report_matches(json_t *mentors, json_t *buddies, json_t *groups, pl_buf *out,
			    pl_error *err);
/* Which matching answer a document is: "mentors", "buddies", "groups", or NULL. */
const char *pl_report_match_kind(json_t *doc);

/* `report evaluation`: the `risk evaluate` answer; `rows` (may be NULL) is an array of per-row
 * predictions {"risk": p, "label": 0|1}, from which ROC, PR and decision curves are computed
 * when the answer does not carry them. */
pl_status pl_report_evaluation(json_t *answer, json_t *rows, pl_buf *out, pl_error *err);

/* `report ews`: the `risk ews` answer and (may be NULL) its input, for the series itself. */
pl_status pl_report_ews(json_t *answer, json_t *input, pl_buf *out, pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
