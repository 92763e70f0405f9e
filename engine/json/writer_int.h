/*
 * writer_int.h: compact JSON text written as it is produced (engine/json only), byte for byte what
 * pl_json_dumps_compact prints for the jansson tree built with the same calls in the same order.
 *
 * Why: a 2,000-mentee `match mentors` answer built as jansson values (a hash table per object, an
 * allocation per value) and then dumped cost about as much as the assignment solve; written
 * straight into one buffer it costs a fraction of that (docs/matching-mentors.md, Performance).
 * The rules that keep the bytes identical to the tree's: a real that jansson cannot hold (NaN,
 * infinity) drops its member or element, as json_object_set_new and json_array_append_new drop
 * the NULL that json_real returns; so does a string that is not valid UTF-8 (json_string), unless
 * the caller vouches for it (pl_jw_string_nocheck, as json_string_nocheck).
 */
#ifndef PEERLINK_JSON_WRITER_INT_H
#define PEERLINK_JSON_WRITER_INT_H

#include <peerlink/json.h>

#define PL_JW_DEPTH 32 /* deeper nesting fails the writer (our answers are shallow) */

/* the text so far (dump.c prints into it) */
typedef struct pl_jw_buf {
	char *p;
	size_t n, cap;
	int failed; /* out of memory or too deep: pl_jw_finish returns NULL */
} pl_jw_buf;

typedef struct pl_jw {
	pl_jw_buf b;
	int depth;
	unsigned char first[PL_JW_DEPTH]; /* nothing written yet in the container at this depth */
} pl_jw;

void pl_jw_init(pl_jw *w);
/* The text (NUL-terminated, the caller frees it; *len its length), or NULL when the writer
 * failed or a container is still open (the buffer is freed then). */
char *pl_jw_finish(pl_jw *w, size_t *len);

/* Each call writes one member (key not NULL: inside an object) or one element (key NULL: inside
 * an array, or the top-level value). */
void pl_jw_open_object(pl_jw *w, const char *key);
void pl_jw_close_object(pl_jw *w);
void pl_jw_open_array(pl_jw *w, const char *key);
void pl_jw_close_array(pl_jw *w);
void pl_jw_string(pl_jw *w, const char *key, const char *s);         /* dropped unless UTF-8 */
void pl_jw_string_nocheck(pl_jw *w, const char *key, const char *s); /* valid UTF-8 already */
void pl_jw_real(pl_jw *w, const char *key, double x);                /* dropped unless finite */
void pl_jw_integer(pl_jw *w, const char *key, json_int_t v);
void pl_jw_bool(pl_jw *w, const char *key, int v);
void pl_jw_null(pl_jw *w, const char *key);
/* A jansson value as pl_json_dumps_compact prints it (NULL: dropped). */
void pl_jw_value(pl_jw *w, const char *key, const json_t *v);

/*
 * A small flat object described once, as a list of members, and then either built as a jansson
 * object (pl_jm_object: the answers built as trees, match buddies and groups) or written as text
 * (pl_jw_members: the answers written as they go, match mentors). Why: the same object was written
 * by two hand-kept twins, one per path; with one function filling the members (keys, order,
 * rounding, nulls), the two paths cannot drift apart. Each kind renders as the pl_jw call and the
 * jansson constructor of the same name do (a non-finite real or a string that is not UTF-8 is
 * dropped by both).
 */
typedef enum pl_jm_kind {
	PL_JM_STRING,         /* s, checked as UTF-8 */
	PL_JM_STRING_NOCHECK, /* s, valid UTF-8 already */
	PL_JM_REAL,           /* x */
	PL_JM_INTEGER,        /* i */
	PL_JM_NULL
} pl_jm_kind;

typedef struct pl_jm {
	const char *key; /* borrowed: must outlive the call that renders it */
	pl_jm_kind kind;
	const char *s;
	double x;
	json_int_t i;
} pl_jm;

/* The members m[0 .. n) as a new jansson object (NULL when out of memory). */
json_t *pl_jm_object(const pl_jm *m, size_t n);
/* The same object written as member `key` (NULL: an element or the top-level value). */
void pl_jw_members(pl_jw *w, const char *key, const pl_jm *m, size_t n);

#endif
