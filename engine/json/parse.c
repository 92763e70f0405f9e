/*
 * parse.c: a fast reader for the common JSON document, building the tree jansson builds
 * (pl_json_parse_plain, peerlink/json.h).
 *
 * Why: jansson reads a document a character at a time through its stream layer (a call, a UTF-8
 * check and a buffer append per byte), which was a seventh of `match mentors` on the hand-shaped
 * 2,000 x 500 programs (79 M of 570 M instructions for 0.47 MB). This reader scans the text in
 * place and builds the values with jansson's own constructors, in the order jansson's parser does
 * (json_object_setn_new_nocheck after a json_object_getn for JSON_REJECT_DUPLICATES,
 * json_array_append_new, json_stringn_nocheck, json_integer, json_real), so the tree is the one
 * json_loadb(text, len, JSON_REJECT_DUPLICATES, ...) gives. It does not report errors: whatever
 * it does not read exactly as jansson would (a syntax error, a duplicate key, a number jansson
 * refuses, \u0000, a lone surrogate, invalid UTF-8, nesting past MAX_DEPTH, running out of
 * memory) makes it give up, and the caller hands the same text to jansson, whose answer or error
 * (line, column, message) is then the one given. So it only has to agree with jansson on what
 * jansson accepts, which is what the rules below follow (jansson 2.14, src/load.c):
 *   - the top level is an object or an array, then whitespace (space, tab, LF, CR) to the end;
 *   - a number is -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; without a fraction or exponent
 *     it is an integer (strtoll; out of range: jansson's error), else a real (strtod; an overflow
 *     to +-HUGE_VAL: jansson's error; the CLI never calls setlocale, so '.' is the point);
 *   - a string has no byte below 0x20, is valid UTF-8 (RFC 3629, as jansson checks it), and its
 *     escapes are \" \\ \/ \b \f \n \r \t and \uXXXX (a surrogate pair for one code point).
 */
#include <peerlink/json.h>

#include <peerlink/utf8.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Deeper documents go to jansson (whose own limit is 2048; the CLI's is far below either). */
#define MAX_DEPTH 512

typedef struct reader {
	const char *p, *end; /* *end is a NUL (see pl_json_parse_plain) */
	char *buf;           /* decoded strings with escapes */
	size_t cap;
} reader;

static json_t *read_value(reader *r, int depth);

static void skip_space(reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
		r->p++;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;

	for (int k = 0; k < 4; k++) {
		char c = s[k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int put(reader *r, size_t *n, const char *s, size_t len)
{
	if (len == 0)
		return 0; /* (r->buf may still be NULL: no offset on it, UBSan) */
	if (*n + len > r->cap) {
		size_t cap = r->cap ? r->cap : 256;
		char *b;
		while (cap < *n + len)
			cap *= 2;
		if (!(b = realloc(r->buf, cap)))
			return -1;
		r->buf = b;
		r->cap = cap;
	}
	memcpy(r->buf + *n, s, len);
	*n += len;
	return 0;
}

/* One \uXXXX escape (with its low surrogate when it is a high one) at r->p (after the 'u') as
 * UTF-8 into r->buf. -1 where jansson fails. */
static int unicode_escape(reader *r, size_t *n)
{
	unsigned c, lo;
	char u[4];
	size_t len;

	if (r->end - r->p < 4 || hex4(r->p, &c) != 0)
		return -1;
	r->p += 4;
	if (c == 0 || (c >= 0xDC00 && c <= 0xDFFF))
		return -1; /* \u0000 without JSON_ALLOW_NUL; a lone low surrogate */
	if (c >= 0xD800 && c <= 0xDBFF) {
		if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' || hex4(r->p + 2, &lo) != 0 ||
		    lo < 0xDC00 || lo > 0xDFFF)
			return -1;
		r->p += 6;
		c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
	}
	if (c < 0x80) {
		u[0] = (char)c;
		len = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3F));
		len = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		len = 3;
	} else {
		u[0] = (char)(0xF0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[3] = (char)(0x80 | (c & 0x3F));
		len = 4;
	}
	return put(r, n, u, len);
}

/* A string with escapes, from its first backslash at r->p (the text before it, from s, is
 * plain): decoded into r->buf. -1 where jansson fails. */
static int decode_escaped(reader *r, const char *s, size_t *n)
{
	*n = 0;
	if (put(r, n, s, (size_t)(r->p - s)) != 0)
		return -1;
	while (r->p < r->end) {
		unsigned char c = (unsigned char)*r->p;
		const char *run = r->p;
		char e;
		if (c == '"') {
			r->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			while (r->p < r->end && (unsigned char)*r->p >= 0x20 && *r->p != '"' && *r->p != '\\')
				r->p++;
			if (put(r, n, run, (size_t)(r->p - run)) != 0)
				return -1;
			continue;
		}
		if (r->end - r->p < 2)
			return -1;
		e = r->p[1];
		r->p += 2;
		if (e == 'u') {
			if (unicode_escape(r, n) != 0)
				return -1;
			continue;
		}
		e = e == '"' ? '"' : e == '\\' ? '\\' : e == '/' ? '/' : e == 'b' ? '\b' : e == 'f' ? '\f'
		    : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : 0;
		if (!e || put(r, n, &e, 1) != 0)
			return -1;
	}
	return -1;
}

/* The string at r->p (after its opening quote): its bytes in *s, *len (in the text itself, or in
 * r->buf when it has escapes). -1 where jansson fails. */
static int read_string(reader *r, const char **s, size_t *len)
{
	const char *start = r->p;
	unsigned char high = 0, c = 0;

	while (r->p < r->end) {
		c = (unsigned char)*r->p;
		if (c == '"' || c == '\\' || c < 0x20)
			break;
		high |= c;
		r->p++;
	}
	if (r->p == r->end || c < 0x20)
		return -1;
	if (c == '\\') {
		if (decode_escaped(r, start, len) != 0)
			return -1;
		*s = r->buf;
	} else {
		*s = start;
		*len = (size_t)(r->p - start);
		r->p++; /* the closing quote */
		if (!(high & 0x80))
			return 0; /* ASCII */
	}
	return pl_utf8_valid_prefix(*s, *len) == *len ? 0 : -1;
}

static json_t *read_number(reader *r)
{
	const char *start = r->p, *q = r->p;
	int integer = 1;
	char *endp;

	if (*q == '-')
		q++;
	if (*q == '0')
		q++;
	else if (*q >= '1' && *q <= '9')
		while (*q >= '0' && *q <= '9')
			q++;
	else
		return NULL;
	if (*q == '.') {
		integer = 0;
		q++;
		if (!(*q >= '0' && *q <= '9'))
			return NULL;
		while (*q >= '0' && *q <= '9')
			q++;
	}
	if (*q == 'e' || *q == 'E') {
		integer = 0;
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (!(*q >= '0' && *q <= '9'))
			return NULL;
		while (*q >= '0' && *q <= '9')
			q++;
	}
	r->p = q;
	errno = 0;
	if (integer) {
		long long v = strtoll(start, &endp, 10);
		if (errno == ERANGE || endp != q)
			return NULL;
		return json_integer((json_int_t)v);
	} else {
		double v = strtod(start, &endp);
		if (((v == HUGE_VAL || v == -HUGE_VAL) && errno == ERANGE) || endp != q)
			return NULL;
		return json_real(v);
	}
}

static int word(reader *r, const char *w, size_t n)
{
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
		return 0;
	r->p += n;
	return 1;
}

static json_t *read_object(reader *r, int depth)
{
	json_t *obj = json_object();

	if (!obj)
		return NULL;
	skip_space(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		return obj;
	}
	for (;;) {
		const char *key;
		size_t klen;
		char *own = NULL;
		json_t *v;
		if (r->p == r->end || *r->p != '"')
			goto fail;
		r->p++;
		if (read_string(r, &key, &klen) != 0)
			goto fail;
		if (key == r->buf) { /* the next string may reuse r->buf */
			if (!(own = malloc(klen ? klen : 1)))
				goto fail;
			memcpy(own, key, klen);
			key = own;
		}
		skip_space(r);
		if (r->p == r->end || *r->p != ':' || json_object_getn(obj, key, klen)) {
			free(own);
			goto fail;
		}
		r->p++;
		skip_space(r);
		v = read_value(r, depth + 1);
		if (!v || json_object_setn_new_nocheck(obj, key, klen, v) != 0) {
			free(own);
			goto fail;
		}
		free(own);
		skip_space(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			skip_space(r);
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			return obj;
		}
		goto fail;
	}
fail:
	json_decref(obj);
	return NULL;
}

static json_t *read_array(reader *r, int depth)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	skip_space(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		return arr;
	}
	for (;;) {
		json_t *v = read_value(r, depth + 1);
		if (!v || json_array_append_new(arr, v) != 0)
			break;
		skip_space(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			skip_space(r);
			continue;
		}
		if (r->p < r->end && *r->p == ']') {
			r->p++;
			return arr;
		}
		break;
	}
	json_decref(arr);
	return NULL;
}

/* The value at r->p (no space before it). NULL where jansson would fail or memory runs out. */
static json_t *read_value(reader *r, int depth)
{
	const char *s;
	size_t len;

	if (r->p == r->end || depth > MAX_DEPTH)
		return NULL;
	switch (*r->p) {
	case '{':
		r->p++;
		return read_object(r, depth);
	case '[':
		r->p++;
		return read_array(r, depth);
	case '"':
		r->p++;
		return read_string(r, &s, &len) == 0 ? json_stringn_nocheck(s, len) : NULL;
	case 't':
		return word(r, "true", 4) ? json_true() : NULL;
	case 'f':
		return word(r, "false", 5) ? json_false() : NULL;
	case 'n':
		return word(r, "null", 4) ? json_null() : NULL;
	default:
		return read_number(r);
	}
}

json_t *pl_json_parse_plain(const char *text, size_t len)
{
	reader r = { text, text + len, NULL, 0 };
	json_t *doc = NULL;

	skip_space(&r);
	if (r.p < r.end && (*r.p == '{' || *r.p == '['))
		doc = read_value(&r, 1);
	if (doc) {
		skip_space(&r);
		if (r.p != r.end) {
			json_decref(doc);
			doc = NULL;
		}
	}
	free(r.buf);
	return doc;
}
