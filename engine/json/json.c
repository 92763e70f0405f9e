/*
 * json.c: the JSON layer's typed field access, each failure naming the field by JSON Pointer.
 *
 * Every document reader (the CLI's and the library's) validates through these helpers so that
 * every error has the same shape ("/field/3 must be a number") and no helper ever prints a value
 * it was given. The core modules never see JSON; this layer turns their arrays into documents and
 * back (docs/HACKING.md).
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/json.h>
#include <peerlink/limits.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* buf = ptr, cut to size - 1 bytes as snprintf("%s") would, without printf's cost: readers
 * build a pointer for every record and field they visit (about 100,000 for a program of 2,500
 * profiles), so copying it is on the parse's hot path. */
static void copy_pointer(char *buf, size_t size, const char *ptr)
{
	size_t len = strlen(ptr);

	if (size == 0)
		return;
	if (len >= size)
		len = size - 1;
	memcpy(buf, ptr, len);
	buf[len] = '\0';
}

const char *pl_json_ptr(char *buf, size_t size, const char *ptr, const char *key)
{
	copy_pointer(buf, size, ptr);
	pl_pointer_append(buf, size, key);
	return buf;
}

const char *pl_json_ptr_index(char *buf, size_t size, const char *ptr, size_t index)
{
	copy_pointer(buf, size, ptr);
	pl_pointer_append_index(buf, size, index);
	return buf;
}

/* Fetch obj[key]; NULL and PL_OK when absent (or JSON null) and not required. */
static pl_status member(json_t *obj, const char *key, const char *ptr, int required, json_t **out,
			pl_error *err)
{
	char p[PL_POINTER_MAX];
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof(p), ptr, key),
					    "required field '%s' is missing", key);
		return PL_OK;
	}
	*out = v;
	return PL_OK;
}

static pl_status wrong_type(const char *ptr, const char *key, const char *what, pl_error *err)
{
	char p[PL_POINTER_MAX];
	return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof(p), ptr, key),
			    "field '%s' must be %s", key, what);
}

pl_status pl_json_get_number(json_t *obj, const char *key, const char *ptr, int required, double *out,
			 pl_error *err)
{
	json_t *v;
	pl_status st = member(obj, key, ptr, required, &v, err);

	if (st != PL_OK || !v)
		return st;
	if (!json_is_number(v))
		return wrong_type(ptr, key, "a number", err);
	*out = json_number_value(v);
	return PL_OK;
}

pl_status pl_json_get_integer(json_t *obj, const char *key, const char *ptr, int required,
			  long long *out, pl_error *err)
{
	json_t *v;
	pl_status st = member(obj, key, ptr, required, &v, err);

	if (st != PL_OK || !v)
		return st;
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d != floor(d) || fabs(d) > 9e15)
			return wrong_type(ptr, key, "an integer", err);
		*out = (long long)d;
		return PL_OK;
	}
	if (!json_is_integer(v))
		return wrong_type(ptr, key, "an integer", err);
	*out = json_integer_value(v);
	return PL_OK;
}

pl_status pl_json_get_bool(json_t *obj, const char *key, const char *ptr, int required, int *out,
		       pl_error *err)
{
	json_t *v;
	pl_status st = member(obj, key, ptr, required, &v, err);

	if (st != PL_OK || !v)
		return st;
	if (!json_is_boolean(v))
		return wrong_type(ptr, key, "true or false", err);
	*out = json_is_true(v);
	return PL_OK;
}

pl_status pl_json_get_string(json_t *obj, const char *key, const char *ptr, int required,
			 const char **out, pl_error *err)
{
	json_t *v;
	pl_status st = member(obj, key, ptr, required, &v, err);

	if (st != PL_OK || !v)
		return st;
	if (!json_is_string(v))
		return wrong_type(ptr, key, "a string", err);
	*out = json_string_value(v);
	return PL_OK;
}

pl_status pl_json_get_array(json_t *obj, const char *key, const char *ptr, int required,
			json_t **out, pl_error *err)
{
	json_t *v;
	pl_status st = member(obj, key, ptr, required, &v, err);

	if (st != PL_OK || !v)
		return st;
	if (!json_is_array(v))
		return wrong_type(ptr, key, "an array", err);
	*out = v;
	return PL_OK;
}

pl_status pl_json_get_object(json_t *obj, const char *key, const char *ptr, int required,
			 json_t **out, pl_error *err)
{
	json_t *v;
	pl_status st = member(obj, key, ptr, required, &v, err);

	if (st != PL_OK || !v)
		return st;
	if (!json_is_object(v))
		return wrong_type(ptr, key, "an object", err);
	*out = v;
	return PL_OK;
}

pl_status pl_json_check_keys(json_t *obj, const char *ptr, const char *const *allowed, pl_error *err)
{
	const char *key;
	json_t *value;

	json_object_foreach(obj, key, value) {
		int ok = 0;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = **a == *key && strcmp(*a, key) == 0;
		if (!ok) {
			char p[PL_POINTER_MAX];
			/* The key is a field name chosen by the caller's program, not a client value. */
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof(p), ptr, key),
					    "unknown field '%s'", key);
		}
	}
	return PL_OK;
}

/* The path from the document to the value being checked: one step per container entered, a key
 * (objects) or an index (arrays). The walk keeps only these steps and spells a JSON Pointer out of
 * them when a limit is broken: building a pointer for every value visited cost as much as the
 * rest of the walk (a 2,500-profile program has about 100,000 values, and no error). */
typedef struct walk_path {
	const char *base;
	const char *key[PL_LIMIT_JSON_DEPTH + 2];
	size_t index[PL_LIMIT_JSON_DEPTH + 2];
	int n;
} walk_path;

/* buf = the pointer of the first n steps of the path */
static const char *walk_pointer(char *buf, size_t size, const walk_path *w, int n)
{
	copy_pointer(buf, size, w->base);
	for (int k = 0; k < n; k++) {
		if (w->key[k])
			pl_pointer_append(buf, size, w->key[k]);
		else
			pl_pointer_append_index(buf, size, w->index[k]);
	}
	return buf;
}

static pl_status limit_error(const walk_path *w, int n, pl_error *err, const char *fmt, size_t limit)
{
	char p[PL_POINTER_MAX];
	return pl_error_set(err, PL_ERR_INVALID, walk_pointer(p, sizeof(p), w, n), fmt, limit);
}

/* Depth-first walk; `depth` counts the containers around v, v included, and w->n steps lead to
 * v. The recursion is bounded by the limit itself (and jansson's parser stops at 2048 before
 * this runs). */
static pl_status check_value(json_t *v, walk_path *w, int depth, pl_error *err)
{
	const char *key;
	json_t *item;
	size_t i;
	int here = w->n;
	pl_status st = PL_OK;

	if (json_is_string(v) && json_string_length(v) > PL_LIMIT_STRING_BYTES)
		return limit_error(w, here, err, "string longer than the limit of %zu bytes",
				   PL_LIMIT_STRING_BYTES);
	if (!json_is_object(v) && !json_is_array(v))
		return PL_OK;
	if (depth > PL_LIMIT_JSON_DEPTH)
		return limit_error(w, here, err, "nesting deeper than the limit of %zu levels",
				   (size_t)PL_LIMIT_JSON_DEPTH);
	w->n = here + 1;
	if (json_is_array(v)) {
		w->key[here] = NULL;
		json_array_foreach(v, i, item) {
			w->index[here] = i;
			if ((st = check_value(item, w, depth + 1, err)) != PL_OK)
				return st;
		}
		w->n = here;
		return PL_OK;
	}
	json_object_foreach(v, key, item) {
		w->key[here] = key;
		if (strlen(key) > PL_LIMIT_STRING_BYTES)
			return limit_error(w, here, err, "object key longer than the limit of %zu bytes",
					   PL_LIMIT_STRING_BYTES);
		if ((st = check_value(item, w, depth + 1, err)) != PL_OK)
			return st;
	}
	w->n = here;
	return PL_OK;
}

pl_status pl_json_check_limits(json_t *doc, const char *ptr, pl_error *err)
{
	walk_path w;

	w.base = ptr ? ptr : "";
	w.n = 0;
	return check_value(doc, &w, 1, err);
}
