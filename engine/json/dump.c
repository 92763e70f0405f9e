/*
 * json/dump.c: compact JSON text of a jansson value, byte for byte what
 * json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) prints, only cheaper.
 *
 * Why: `risk score` prints one answer per client, and jansson's dumper spends more time on its
 * bookkeeping than on the text: every array and object it enters is formatted as a "%p" key into
 * a hash table (cycle detection), and every real goes through snprintf("%.15g"). Our answers are
 * trees we built ourselves (no cycles, shallow), and almost all their reals are decimals rounded
 * to 6 places, which print exactly without printf (see format_real). Anything else goes to
 * jansson itself, so the text never differs; the unit test compares both on random trees.
 * The same printing serves pl_jw (writer_int.h), which writes an answer without building it first.
 */
#include "writer_int.h"

#include <peerlink/utf8.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DUMP_MAX_DEPTH 512 /* deeper trees are printed by jansson */

typedef pl_jw_buf buf;

static int reserve(buf *b, size_t more)
{
	size_t need = b->n + more + 1, cap = b->cap ? b->cap : 256;
	char *np;
	if (b->failed)
		return 0;
	if (need <= b->cap)
		return 1;
	while (cap < need)
		cap *= 2;
	np = realloc(b->p, cap);
	if (!np) {
		b->failed = 1;
		return 0;
	}
	b->p = np;
	b->cap = cap;
	return 1;
}

static void put(buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void put_char(buf *b, char c)
{
	if (!reserve(b, 1))
		return;
	b->p[b->n++] = c;
}

/* A string as jansson escapes it without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH: backslash,
 * quote and control characters only (\b \f \n \r \t by name, the others as \u00XX in upper-case
 * hex); jansson's strings are valid UTF-8, which passes through. */
static void put_string(buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0;

	put_char(b, '"');
	for (size_t k = 0; k < n; k++) {
		unsigned char c = (unsigned char)s[k];
		char esc[6];
		size_t en = 2;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(b, s + run, k - run);
		run = k + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			en = 6;
		}
		put(b, esc, en);
	}
	put(b, s + run, n - run);
	put_char(b, '"');
}

static void put_integer(buf *b, json_int_t v)
{
	char tmp[24];
	size_t k = sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[--k] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--k] = '-';
	put(b, tmp + k, sizeof(tmp) - k);
}

/* "%.15g" of x as jansson prints it (a ".0" added to integral values, exponent without '+' or
 * leading zeros), into out; 0 when x is not in the easy case, then the caller asks jansson.
 * The easy case: 1e-4 <= |x| < 1e15 and x is the double nearest to a decimal D of at most 15
 * significant digits. %.15g rounds x to 15 significant digits, and as a double is within half
 * an ulp (2^-53 relative) of D while neighbouring 15-digit decimals are at least 1e-15 relative
 * apart, that rounding gives D (the DBL_DIG guarantee, C11 5.2.4.2.2). D is found as
 * N / 10^s with N = the integer nearest to |x| 10^s and checked by converting back: N < 2^53 and
 * 10^s (s <= 18) are exact doubles, so that one division is correctly rounded (Clinger 1990). */
static size_t format_real(double x, char *out)
{
	static const double p10[19] = { 1e0,  1e1,  1e2,  1e3,	1e4,  1e5,  1e6,  1e7,	1e8, 1e9,
					1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18 };
	double a = fabs(x), scaled;
	char digits[16];
	int e, s, nd;
	uint64_t n;
	size_t k = 0;

	if (x == 0) {
		if (signbit(x)) {
			memcpy(out, "-0.0", 4);
			return 4;
		}
		memcpy(out, "0.0", 3);
		return 3;
	}
	if (!(a >= 1e-4 && a < 1e15))
		return 0;
	/* e: the decimal exponent of a's leading digit, 10^e <= a < 10^(e+1). */
	if (a >= 1) {
		for (e = 0; e < 14 && a >= p10[e + 1]; e++)
			;
	} else {
		for (e = -1; a < 1.0 / p10[-e] && e > -4; e--)
			;
	}
	s = 14 - e; /* decimals that leave 15 significant digits */
	scaled = nearbyint(a * p10[s]);
	if (!(scaled >= 1e14 && scaled < 1e15) || scaled / p10[s] != a)
		return 0;
	n = (uint64_t)scaled;
	for (int d = 14; d >= 0; d--) {
		digits[d] = (char)('0' + n % 10);
		n /= 10;
	}
	for (nd = 15; nd > 1 && digits[nd - 1] == '0'; nd--)
		;
	if (x < 0)
		out[k++] = '-';
	if (e >= 0) {
		for (int d = 0; d <= e; d++)
			out[k++] = d < nd ? digits[d] : '0';
		out[k++] = '.';
		if (nd > e + 1) {
			memcpy(out + k, digits + e + 1, (size_t)(nd - e - 1));
			k += (size_t)(nd - e - 1);
		} else {
			out[k++] = '0';
		}
	} else {
		out[k++] = '0';
		out[k++] = '.';
		for (int z = -1; z > e; z--)
			out[k++] = '0';
		memcpy(out + k, digits, (size_t)nd);
		k += (size_t)nd;
	}
	return k;
}

static void put_real(buf *b, const json_t *v)
{
	char tmp[64];
	size_t n = format_real(json_real_value(v), tmp);
	if (n == 0)
		n = json_dumpb(v, tmp, sizeof(tmp), JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	if (n == 0 || n > sizeof(tmp)) {
		b->failed = 1;
		return;
	}
	put(b, tmp, n);
}

/* A finite x as put_real prints json_real(x). */
static void put_double(buf *b, double x)
{
	char tmp[64];
	size_t n = format_real(x, tmp);
	json_t *v;

	if (n != 0) {
		put(b, tmp, n);
		return;
	}
	v = json_real(x);
	if (!v) {
		b->failed = 1;
		return;
	}
	put_real(b, v);
	json_decref(v);
}

static void dump(buf *b, const json_t *v, int depth)
{
	if (depth > DUMP_MAX_DEPTH) {
		b->failed = 1;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_NULL: put(b, "null", 4); break;
	case JSON_TRUE: put(b, "true", 4); break;
	case JSON_FALSE: put(b, "false", 5); break;
	case JSON_INTEGER: put_integer(b, json_integer_value(v)); break;
	case JSON_REAL: put_real(b, v); break;
	case JSON_STRING: put_string(b, json_string_value(v), json_string_length(v)); break;
	case JSON_ARRAY:
		put_char(b, '[');
		for (size_t k = 0; k < json_array_size(v); k++) {
			if (k)
				put_char(b, ',');
			dump(b, json_array_get(v, k), depth + 1);
		}
		put_char(b, ']');
		break;
	case JSON_OBJECT: {
		void *it = json_object_iter((json_t *)v);
		put_char(b, '{');
		for (int first = 1; it; first = 0, it = json_object_iter_next((json_t *)v, it)) {
			if (!first)
				put_char(b, ',');
			put_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
			put_char(b, ':');
			dump(b, json_object_iter_value(it), depth + 1);
		}
		put_char(b, '}');
		break;
	}
	}
}

char *pl_json_dumps_compact(const json_t *v, size_t *len)
{
	buf b = { NULL, 0, 0, 0 };

	if (!v)
		return NULL;
	dump(&b, v, 0);
	if (b.failed || !reserve(&b, 0)) {
		free(b.p);
		/* A tree deeper than we walk, or no memory: jansson decides (NULL if it fails too). */
		b.p = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
		b.n = b.p ? strlen(b.p) : 0;
	} else {
		b.p[b.n] = '\0';
	}
	if (len)
		*len = b.n;
	return b.p;
}

/* ---- pl_jw: writing as we go (writer_int.h) ---- */

/* The writer's buffer is a buf: the same functions print into it. */
static buf *jw_buf(pl_jw *w)
{
	return &w->b;
}

void pl_jw_init(pl_jw *w)
{
	memset(w, 0, sizeof(*w));
	w->first[0] = 1;
}

char *pl_jw_finish(pl_jw *w, size_t *len)
{
	buf *b = jw_buf(w);

	if (b->failed || w->depth != 0 || !reserve(b, 0)) {
		free(b->p);
		pl_jw_init(w);
		return NULL;
	}
	b->p[b->n] = '\0';
	if (len)
		*len = b->n;
	return b->p;
}

/* The comma before a member or element, and a member's key. */
static void jw_prefix(pl_jw *w, const char *key)
{
	buf *b = jw_buf(w);

	if (!w->first[w->depth])
		put_char(b, ',');
	w->first[w->depth] = 0;
	if (key) {
		put_string(b, key, strlen(key));
		put_char(b, ':');
	}
}

static void jw_open(pl_jw *w, const char *key, char brace)
{
	jw_prefix(w, key);
	if (w->depth + 1 >= PL_JW_DEPTH) {
		w->b.failed = 1;
		return;
	}
	put_char(jw_buf(w), brace);
	w->first[++w->depth] = 1;
}

static void jw_close(pl_jw *w, char brace)
{
	if (w->depth == 0) {
		w->b.failed = 1;
		return;
	}
	w->depth--;
	put_char(jw_buf(w), brace);
}

void pl_jw_open_object(pl_jw *w, const char *key)
{
	jw_open(w, key, '{');
}

void pl_jw_close_object(pl_jw *w)
{
	jw_close(w, '}');
}

void pl_jw_open_array(pl_jw *w, const char *key)
{
	jw_open(w, key, '[');
}

void pl_jw_close_array(pl_jw *w)
{
	jw_close(w, ']');
}

void pl_jw_string_nocheck(pl_jw *w, const char *key, const char *s)
{
	if (!s)
		return;
	jw_prefix(w, key);
	put_string(jw_buf(w), s, strlen(s));
}

void pl_jw_string(pl_jw *w, const char *key, const char *s)
{
	if (s && pl_utf8_valid(s))
		pl_jw_string_nocheck(w, key, s);
}

void pl_jw_real(pl_jw *w, const char *key, double x)
{
	if (!isfinite(x))
		return;
	jw_prefix(w, key);
	put_double(jw_buf(w), x);
}

void pl_jw_integer(pl_jw *w, const char *key, json_int_t v)
{
	jw_prefix(w, key);
	put_integer(jw_buf(w), v);
}

void pl_jw_bool(pl_jw *w, const char *key, int v)
{
	jw_prefix(w, key);
	if (v)
		put(jw_buf(w), "true", 4);
	else
		put(jw_buf(w), "false", 5);
}

void pl_jw_null(pl_jw *w, const char *key)
{
	jw_prefix(w, key);
	put(jw_buf(w), "null", 4);
}

void pl_jw_value(pl_jw *w, const char *key, const json_t *v)
{
	if (!v)
		return;
	jw_prefix(w, key);
	dump(jw_buf(w), v, w->depth);
}

/* ---- member lists (writer_int.h): one description, two renderings ---- */

static json_t *jm_value(const pl_jm *m)
{
	switch (m->kind) {
	case PL_JM_STRING:
		return json_string(m->s);
	case PL_JM_STRING_NOCHECK:
		return m->s ? json_string_nocheck(m->s) : NULL;
	case PL_JM_REAL:
		return json_real(m->x);
	case PL_JM_INTEGER:
		return json_integer(m->i);
	default:
		return json_null();
	}
}

json_t *pl_jm_object(const pl_jm *m, size_t n)
{
	json_t *o = json_object();

	for (size_t k = 0; o && k < n; k++)
		json_object_set_new_nocheck(o, m[k].key, jm_value(&m[k])); /* NULL: dropped */
	return o;
}

void pl_jw_members(pl_jw *w, const char *key, const pl_jm *m, size_t n)
{
	pl_jw_open_object(w, key);
	for (size_t k = 0; k < n; k++) {
		switch (m[k].kind) {
		case PL_JM_STRING:
			pl_jw_string(w, m[k].key, m[k].s);
			break;
		case PL_JM_STRING_NOCHECK:
			pl_jw_string_nocheck(w, m[k].key, m[k].s);
			break;
		case PL_JM_REAL:
			pl_jw_real(w, m[k].key, m[k].x);
			break;
		case PL_JM_INTEGER:
			pl_jw_integer(w, m[k].key, m[k].i);
			break;
		default:
			pl_jw_null(w, m[k].key);
		}
	}
	pl_jw_close_object(w);
}

char *pl_json_join_objects(const char *a, size_t na, const char *b, size_t nb, size_t *len)
{
	int comma = na > 2 && nb > 2; /* both have members */
	size_t n;
	char *t;

	if (na < 2 || nb < 2 || a[0] != '{' || a[na - 1] != '}' || b[0] != '{' || b[nb - 1] != '}')
		return NULL;
	n = (na - 1) + (size_t)comma + (nb - 1);
	t = malloc(n + 1);
	if (!t)
		return NULL;
	memcpy(t, a, na - 1);
	if (comma)
		t[na - 1] = ',';
	memcpy(t + na - 1 + (size_t)comma, b + 1, nb - 1);
	t[n] = '\0';
	if (len)
		*len = n;
	return t;
}
