/*
 * json_compare.c: the golden-case comparator (a test-only program, never installed).
 *
 *   json_compare EXPECTED ACTUAL
 *
 * Compares the JSON document in ACTUAL with the one in EXPECTED, or, when EXPECTED holds JSON
 * Lines (one document per line), line by line with the same number of lines. Exit 0 when they
 * match, 1 when they differ (the JSON Pointer of the first difference and both values on stdout),
 * 2 when EXPECTED itself is unreadable or not JSON (a broken test, not a failing program).
 *
 * What "match" means:
 *   - same structure; objects have the same keys in the same order (peerlink promises a stable
 *     key order, so a reordering is a change of output); arrays have the same length;
 *   - strings, booleans and null exactly equal; integers exactly equal; an integer never matches
 *     a real (1 vs 1.0 is a change of type that a consumer can see);
 *   - reals a (expected) and b (actual) match when a == b or
 *         |a - b| <= max(RTOL * max(|a|, |b|), ATOL),   RTOL = 1e-9, ATOL = 1e-12.
 *
 * Why RTOL = 1e-9. Reals are printed with 15 significant digits (README, "Numbers"), so printing
 * alone contributes up to 5e-15 relative. Beneath that, the same program gives slightly different
 * doubles on different machines: OpenBLAS chooses a kernel per CPU (different summation order and
 * vector width), and compilers contract a*b+c into one fused multiply-add (-ffp-contract=fast,
 * clang -march=native); each changes a result by about 1e-16..1e-15 relative per operation, and a
 * fit or a solve amplifies that by its condition number (about 1e3..1e5 for our well-posed
 * problems). Those differences stay below about 1e-10. A real change of behaviour (another
 * threshold, one more iteration, a different formula, a changed row) moves numbers by far more
 * than 1e-9, so the bound keeps every golden meaningful while letting every CPU pass.
 *
 * Why ATOL = 1e-12. Relative error means nothing near zero: a quantity that is mathematically 0
 * (a centred mean, a flat trend, a difference of equal scores) comes out as a residue of
 * cancellation, about 1e-16 times the magnitude of the terms summed, with either sign. peerlink's
 * outputs are scores, probabilities, standardised values and coefficients of order 1..1e3, summed
 * over at most about 1e4 terms in the goldens, so such residues stay below 1e-12; no output carries
 * meaning below 1e-12 in absolute terms (the smallest non-zero real in the goldens is about 5e-4).
 *
 * The values printed on a mismatch are test data (golden files and the program's answer to them).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RTOL 1e-9
#define ATOL 1e-12
#define PTR_MAX 4096
#define SHOW_MAX 200

enum { MATCH = 0, DIFFER = 1, BROKEN = 2 };

/* Where the first difference is: "line N" (JSON Lines only) and an RFC 6901 pointer. */
typedef struct {
	long line; /* 0 for a single document */
	char ptr[PTR_MAX];
} where;

static void show_value(const char *label, const json_t *v)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;

	if (!s) {
		printf("  %s: (absent)\n", label);
		return;
	}
	if (strlen(s) > SHOW_MAX)
		printf("  %s: %.*s... (%zu bytes)\n", label, SHOW_MAX, s, strlen(s));
	else
		printf("  %s: %s\n", label, s);
	free(s);
}

static int report(const where *w, const char *why, const json_t *want, const json_t *got)
{
	if (w->line > 0)
		printf("line %ld: ", w->line);
	printf("at \"%s\": %s\n", w->ptr, why);
	show_value("expected", want);
	show_value("actual  ", got);
	return DIFFER;
}

/* Appends one reference token to the pointer, escaping '~' as ~0 and '/' as ~1 (RFC 6901). */
static size_t push_token(where *w, const char *tok)
{
	size_t old = strlen(w->ptr), n = old;

	if (n + 1 < PTR_MAX)
		w->ptr[n++] = '/';
	for (; *tok && n + 2 < PTR_MAX; tok++) {
		if (*tok == '~' || *tok == '/') {
			w->ptr[n++] = '~';
			w->ptr[n++] = *tok == '~' ? '0' : '1';
		} else {
			w->ptr[n++] = *tok;
		}
	}
	w->ptr[n] = '\0';
	return old;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "real";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

/* The tolerance rule documented at the top of this file. */
static int reals_match(double a, double b)
{
	double scale = fmax(fabs(a), fabs(b));
	return a == b || fabs(a - b) <= fmax(RTOL * scale, ATOL);
}

static int compare(const json_t *want, const json_t *got, where *w);

static int compare_objects(const json_t *want, const json_t *got, where *w)
{
	void *iw = json_object_iter((json_t *)want), *ig = json_object_iter((json_t *)got);

	for (; iw && ig; iw = json_object_iter_next((json_t *)want, iw),
			 ig = json_object_iter_next((json_t *)got, ig)) {
		const char *kw = json_object_iter_key(iw), *kg = json_object_iter_key(ig);
		size_t mark = push_token(w, kw);
		int rc;

		if (strcmp(kw, kg) != 0) {
			char why[256];
			snprintf(why, sizeof(why), "key \"%.100s\" expected here, found \"%.100s\"", kw, kg);
			return report(w, why, json_object_iter_value(iw), json_object_iter_value(ig));
		}
		rc = compare(json_object_iter_value(iw), json_object_iter_value(ig), w);
		if (rc != MATCH)
			return rc;
		w->ptr[mark] = '\0';
	}
	if (iw) {
		push_token(w, json_object_iter_key(iw));
		return report(w, "key missing", json_object_iter_value(iw), NULL);
	}
	if (ig) {
		push_token(w, json_object_iter_key(ig));
		return report(w, "unexpected key", NULL, json_object_iter_value(ig));
	}
	return MATCH;
}

static int compare_arrays(const json_t *want, const json_t *got, where *w)
{
	size_t nw = json_array_size(want), ng = json_array_size(got);

	for (size_t i = 0; i < nw && i < ng; i++) {
		char tok[32];
		size_t mark;
		int rc;

		snprintf(tok, sizeof(tok), "%zu", i);
		mark = push_token(w, tok);
		rc = compare(json_array_get(want, i), json_array_get(got, i), w);
		if (rc != MATCH)
			return rc;
		w->ptr[mark] = '\0';
	}
	if (nw != ng) {
		char why[96];
		snprintf(why, sizeof(why), "array length %zu expected, found %zu", nw, ng);
		return report(w, why, want, got);
	}
	return MATCH;
}

static int compare(const json_t *want, const json_t *got, where *w)
{
	if (json_typeof(want) != json_typeof(got)) {
		char why[96];
		snprintf(why, sizeof(why), "%s expected, found %s", type_name(want), type_name(got));
		return report(w, why, want, got);
	}
	switch (json_typeof(want)) {
	case JSON_OBJECT: return compare_objects(want, got, w);
	case JSON_ARRAY: return compare_arrays(want, got, w);
	case JSON_STRING:
		if (json_string_length(want) != json_string_length(got) ||
		    memcmp(json_string_value(want), json_string_value(got), json_string_length(want)) != 0)
			return report(w, "strings differ", want, got);
		return MATCH;
	case JSON_INTEGER:
		if (json_integer_value(want) != json_integer_value(got))
			return report(w, "integers differ", want, got);
		return MATCH;
	case JSON_REAL:
		if (!reals_match(json_real_value(want), json_real_value(got)))
			return report(w, "reals differ by more than 1e-9 relative (1e-12 absolute)", want, got);
		return MATCH;
	case JSON_TRUE:
	case JSON_FALSE:
	case JSON_NULL: return MATCH; /* same type is same value */
	}
	return MATCH;
}

static json_t *parse(const char *text, size_t len, json_error_t *err)
{
	return json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, err);
}

/* Reads a whole file into a NUL-terminated buffer; NULL on failure. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *grown = realloc(buf, cap = 2 * cap + 4096 + 1);
			if (!grown) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = grown;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		buf = NULL;
	} else {
		buf[n] = '\0';
		*len = n;
	}
	fclose(f);
	return buf;
}

/* Splits text into lines in place; a final newline does not start another line. */
static size_t split_lines(char *text, size_t len, char ***lines)
{
	size_t n = 0, cap = 16;
	char **v = malloc(cap * sizeof(*v));

	for (size_t i = 0; v && i < len;) {
		char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;

		if (n == cap) {
			char **grown = realloc(v, (cap *= 2) * sizeof(*v));
			if (!grown) {
				free(v);
				v = NULL;
				break;
			}
			v = grown;
		}
		text[end] = '\0';
		v[n++] = text + i;
		i = end + 1;
	}
	*lines = v;
	return v ? n : 0;
}

static int compare_documents(const char *wtext, size_t wlen, const char *gtext, size_t glen, long line)
{
	json_error_t err;
	where w = { line, "" };
	json_t *want = parse(wtext, wlen, &err), *got;
	int rc;

	if (!want) {
		printf("expected%s%ld: not JSON: %s (line %d, column %d)\n", line ? ", line " : "", line,
		       err.text, err.line, err.column);
		return BROKEN;
	}
	got = parse(gtext, glen, &err);
	if (!got) {
		if (line)
			printf("line %ld: ", line);
		printf("actual output is not one JSON document: %s (line %d, column %d)\n", err.text,
		       err.line, err.column);
		json_decref(want);
		return DIFFER;
	}
	rc = compare(want, got, &w);
	json_decref(want);
	json_decref(got);
	return rc;
}

static int compare_lines(char *wtext, size_t wlen, char *gtext, size_t glen)
{
	char **wl = NULL, **gl = NULL;
	size_t nw = split_lines(wtext, wlen, &wl), ng = split_lines(gtext, glen, &gl);
	int rc = MATCH;

	if (!wl || !gl) {
		printf("out of memory\n");
		rc = BROKEN;
	}
	for (size_t i = 0; rc == MATCH && i < nw && i < ng; i++)
		rc = compare_documents(wl[i], strlen(wl[i]), gl[i], strlen(gl[i]), (long)i + 1);
	if (rc == MATCH && nw != ng) {
		printf("JSON Lines: %zu lines expected, found %zu\n", nw, ng);
		rc = DIFFER;
	}
	free(wl);
	free(gl);
	return rc;
}

int main(int argc, char **argv)
{
	size_t wlen = 0, glen = 0;
	char *wtext, *gtext;
	json_error_t err;
	json_t *single;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: json_compare EXPECTED ACTUAL\n");
		return BROKEN;
	}
	wtext = slurp(argv[1], &wlen);
	if (!wtext) {
		printf("cannot read %s\n", argv[1]);
		return BROKEN;
	}
	gtext = slurp(argv[2], &glen);
	if (!gtext) {
		printf("cannot read %s\n", argv[2]);
		free(wtext);
		return BROKEN;
	}
	/* One document, or JSON Lines when the expected file holds more than one. */
	single = parse(wtext, wlen, &err);
	if (single || json_error_code(&err) != json_error_end_of_input_expected)
		rc = compare_documents(wtext, wlen, gtext, glen, 0);
	else
		rc = compare_lines(wtext, wlen, gtext, glen);
	json_decref(single);
	free(wtext);
	free(gtext);
	return rc;
}
