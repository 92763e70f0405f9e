/*
 * roster_csv.c: `--format csv` on `match mentors | buddies | groups`: the answer as a roster a
 * coordinator opens in a spreadsheet, one row per person (docs/matching-mentors.md, "Roster as
 * CSV", lists the columns). Built from the JSON answer the command made, so the CSV can never
 * say something the JSON does not; RFC 4180 quoting; written through the one output writer
 * (atomic file replacement, no partial file on error).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing text buffer. */
typedef struct buf {
	char *s;
	size_t n, cap;
	int oom;
} buf;

static void put(buf *b, const char *t, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *ns;
		while (cap < b->n + len + 1)
			cap *= 2;
		ns = realloc(b->s, cap);
		if (!ns) {
			b->oom = 1;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->n, t, len);
	b->n += len;
	b->s[b->n] = '\0';
}

/*
 * Does a text cell need a single quote in front? A spreadsheet reads a cell that starts with =, +,
 * -, @, a tab or a carriage return as a formula (CSV injection: OWASP's advice is to prefix such
 * cells with a single quote). A cell that already starts with a single quote gets one too, so that
 * removing one leading quote always gives back the exact text (ids are never rewritten).
 */
static int needs_guard(const char *v)
{
	return v && *v && strchr("=+-@\t\r'", *v);
}

/* One field written as RFC 4180 says: quoted when it holds a comma, a quote or a line break;
 * then `end`. guard: a text cell, neutralised (needs_guard); numbers are written as they are. */
static void raw_field(buf *b, const char *v, int guard, const char *end)
{
	int g = guard && needs_guard(v);

	if (v && strpbrk(v, ",\"\r\n")) {
		put(b, "\"", 1);
		if (g)
			put(b, "'", 1);
		for (const char *p = v; *p; p++)
			put(b, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
		put(b, "\"", 1);
	} else if (v) {
		if (g)
			put(b, "'", 1);
		put(b, v, strlen(v));
	}
	put(b, end, strlen(end));
}

/* A text cell (ids, statuses, reasons). */
static void field(buf *b, const char *v, const char *end)
{
	raw_field(b, v, 1, end);
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

static void number(buf *b, json_t *v, const char *end)
{
	char t[64] = "";
	if (json_is_number(v))
		snprintf(t, sizeof(t), "%.4f", json_number_value(v));
	raw_field(b, t, 0, end);
}

/* Did the answer's `changes` move this mentee from its current mentor to another? */
static int moved(json_t *a, const char *mentee)
{
	json_t *e;
	size_t k;

	json_array_foreach(json_object_get(json_object_get(a, "changes"), "mentees"), k, e)
		if (strcmp(str(e, "mentee"), mentee) == 0)
			return strcmp(str(e, "status"), "moved") == 0;
	return 0;
}

static void mentors_csv(buf *b, json_t *a)
{
	json_t *e;
	size_t k;

	put(b, "mentee,mentor,score,status,reasons\r\n", sizeof("mentee,mentor,score,status,reasons\r\n") - 1);
	json_array_foreach(json_object_get(a, "matches"), k, e) {
		int pinned = json_is_true(json_object_get(e, "pinned")),
		    cur = json_is_true(json_object_get(e, "current"));
		field(b, str(e, "mentee"), ",");
		field(b, str(e, "mentor"), ",");
		number(b, json_object_get(e, "score"), ",");
		/* a move is what a coordinator must act on: it is named even though the
		 * mentee is matched (the JSON's `changes` says from whom and why) */
		field(b, pinned ? "pinned" : cur ? "kept" : moved(a, str(e, "mentee")) ? "moved" : "matched", ",");
		field(b, str(json_object_get(e, "reasons"), "summary"), "\r\n");
	}
	json_array_foreach(json_object_get(a, "unmatched"), k, e) {
		field(b, str(e, "mentee"), ",,,unmatched,");
		field(b, str(e, "message"), "\r\n");
	}
}

/* The ids of the others a buddy answer puts client `id` with. */
static void buddies_of(json_t *a, const char *id, buf *with, double *score, const char **why)
{
	json_t *p;
	size_t k;

	json_array_foreach(json_object_get(a, "pairs"), k, p) {
		json_t *ids = json_object_get(p, "clients"), *tri = json_object_get(p, "triad");
		const char *x = json_string_value(json_array_get(ids, 0)),
			   *y = json_string_value(json_array_get(ids, 1)),
			   *z = tri ? str(tri, "joined") : NULL;
		const char *others[2] = { NULL, NULL };
		if (strcmp(x, id) == 0)
			others[0] = y, others[1] = z;
		else if (strcmp(y, id) == 0)
			others[0] = x, others[1] = z;
		else if (z && strcmp(z, id) == 0)
			others[0] = x, others[1] = y;
		else
			continue;
		*score = json_number_value(json_object_get(p, "score"));
		*why = str(json_object_get(p, "reasons"), "summary");
		if (z && strcmp(z, id) == 0) { /* the third member: the mean of its two pairs */
			json_t *w = json_object_get(tri, "with");
			*score = 0.5 * (json_number_value(json_object_get(json_array_get(w, 0), "score")) +
					json_number_value(json_object_get(json_array_get(w, 1), "score")));
			*why = str(json_object_get(json_array_get(w, 0), "reasons"), "summary");
		}
		for (int o = 0; o < 2; o++)
			if (others[o] && *others[o]) {
				if (with->n)
					put(with, ";", 1);
				put(with, others[o], strlen(others[o]));
			}
		return;
	}
}

static void buddies_csv(buf *b, json_t *a, json_t *request_ids)
{
	json_t *e;
	size_t k;

	put(b, "client,buddies,score,status,reasons\r\n", sizeof("client,buddies,score,status,reasons\r\n") - 1);
	json_array_foreach(request_ids, k, e) {
		const char *id = json_string_value(e);
		buf with = { NULL, 0, 0, 0 };
		double score = 0;
		const char *why = "";
		json_t *u;
		size_t q;
		buddies_of(a, id, &with, &score, &why);
		field(b, id, ",");
		if (with.n) {
			char t[64];
			snprintf(t, sizeof(t), "%.4f", score);
			field(b, with.s, ",");
			raw_field(b, t, 0, ",");
			field(b, strchr(with.s, ';') ? "triad" : "paired", ",");
			field(b, why, "\r\n");
		} else {
			const char *msg = "";
			json_array_foreach(json_object_get(a, "unmatched"), q, u)
				if (strcmp(str(u, "client"), id) == 0)
					msg = str(u, "message");
			field(b, "", ",,unmatched,");
			field(b, msg, "\r\n");
		}
		free(with.s);
	}
}

static void groups_csv(buf *b, json_t *a)
{
	json_t *g, *m;
	size_t k, q;

	put(b, "client,group,facilitator,mean_score,status,summary\r\n", sizeof("client,group,facilitator,mean_score,status,summary\r\n") - 1);
	json_array_foreach(json_object_get(a, "groups"), k, g) {
		json_t *fac = json_object_get(g, "facilitator");
		const char *fid = json_is_string(fac) ? json_string_value(fac)
			: json_is_object(fac) ? str(fac, "id") : "";
		json_array_foreach(json_object_get(g, "members"), q, m) {
			field(b, str(m, "id"), ",");
			field(b, str(g, "id"), ",");
			field(b, fid, ",");
			number(b, json_object_get(m, "mean_score"), ",");
			field(b, "placed", ",");
			field(b, str(m, "summary"), "\r\n");
		}
	}
	json_array_foreach(json_object_get(a, "unplaced"), k, m) {
		field(b, str(m, "id"), ",,,,unplaced,");
		field(b, str(m, "message"), "\r\n");
	}
}

int cli_write_roster_csv(cli_ctx *ctx, json_t *answer, const char *kind, json_t *ids)
{
	buf b = { NULL, 0, 0, 0 };
	cli_out out;
	int rc;

	if (ctx->jsonl) { /* one roster is one document: a line per request has no CSV form */
		json_decref(answer);
		return cli_fail(ctx, PL_ERR_USAGE, "", "--format csv writes one roster; it does not combine with --jsonl");
	}

	if (strcmp(kind, "mentors") == 0)
		mentors_csv(&b, answer);
	else if (strcmp(kind, "buddies") == 0)
		buddies_csv(&b, answer, ids);
	else
		groups_csv(&b, answer);
	json_decref(answer);
	if (b.oom || !b.s) {
		free(b.s);
		return cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory writing the roster");
	}
	rc = cli_out_open(ctx, &out);
	if (rc == CLI_EXIT_OK) {
		cli_out_text(&out, b.s);
		rc = cli_out_close(ctx, &out);
		cli_out_abandon(&out);
	}
	free(b.s);
	return rc;
}

int cli_format_csv(const cli_ctx *ctx)
{
	return cli_opt_int(ctx, "format") == 1;
}
