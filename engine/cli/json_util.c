/*
 * json_util.c: typed access to input fields, each failure naming the field by JSON Pointer.
 *
 * The subcommands validate everything through these helpers so that every error has the same
 * shape ("/field/3 must be a number") and no helper ever prints a value it was given.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/npy.h>

const char *cli_ptr(char *buf, size_t size, const char *ptr, const char *key)
{
	snprintf(buf, size, "%s", ptr);
	pl_pointer_append(buf, size, key);
	return buf;
}

const char *cli_ptr_index(char *buf, size_t size, const char *ptr, size_t index)
{
	snprintf(buf, size, "%s", ptr);
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
			return pl_error_set(err, PL_ERR_INVALID, cli_ptr(p, sizeof(p), ptr, key),
					    "required field '%s' is missing", key);
		return PL_OK;
	}
	*out = v;
	return PL_OK;
}

static pl_status wrong_type(const char *ptr, const char *key, const char *what, pl_error *err)
{
	char p[PL_POINTER_MAX];
	return pl_error_set(err, PL_ERR_INVALID, cli_ptr(p, sizeof(p), ptr, key),
			    "field '%s' must be %s", key, what);
}

pl_status cli_get_number(json_t *obj, const char *key, const char *ptr, int required, double *out,
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

pl_status cli_get_integer(json_t *obj, const char *key, const char *ptr, int required,
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

pl_status cli_get_bool(json_t *obj, const char *key, const char *ptr, int required, int *out,
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

pl_status cli_get_string(json_t *obj, const char *key, const char *ptr, int required,
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

pl_status cli_get_array(json_t *obj, const char *key, const char *ptr, int required,
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

pl_status cli_get_object(json_t *obj, const char *key, const char *ptr, int required,
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

pl_status cli_check_keys(json_t *obj, const char *ptr, const char *const *allowed, pl_error *err)
{
	const char *key;
	json_t *value;

	json_object_foreach(obj, key, value) {
		int ok = 0;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, key) == 0)
				ok = 1;
		if (!ok) {
			char p[PL_POINTER_MAX];
			/* The key is a field name chosen by the caller's program, not a client value. */
			return pl_error_set(err, PL_ERR_INVALID, cli_ptr(p, sizeof(p), ptr, key),
					    "unknown field '%s'", key);
		}
	}
	return PL_OK;
}

static pl_status matrix_from_npy(cli_ctx *ctx, json_t *value, const char *ptr, double missing,
				 double **data, size_t *rows, size_t *cols, pl_error *err)
{
	char p[PL_POINTER_MAX];
	const char *name = NULL;
	char *path;
	pl_status st;
	static const char *const keys[] = { "npy", NULL };

	st = cli_check_keys(value, ptr, keys, err);
	if (st == PL_OK)
		st = cli_get_string(value, "npy", ptr, 1, &name, err);
	if (st != PL_OK)
		return st;
	path = cli_resolve_path(ctx, name);
	if (!path)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	st = pl_npy_read_matrix(path, data, rows, cols, err);
	free(path);
	if (st != PL_OK) {
		/* Point at the field that named the file. */
		snprintf(err->pointer, sizeof(err->pointer), "%s", cli_ptr(p, sizeof(p), ptr, "npy"));
		return st;
	}
	for (size_t i = 0; i < *rows; i++)
		for (size_t j = 0; j < *cols; j++) {
			double *x = &(*data)[i * *cols + j];
			if (isnan(*x)) {
				*x = missing;
			} else if (isinf(*x)) {
				free(*data);
				*data = NULL;
				return pl_error_set(err, PL_ERR_INVALID, cli_ptr(p, sizeof(p), ptr, "npy"),
						    "the .npy matrix holds an infinite value at row %zu, "
						    "column %zu; use NaN for a forbidden pair", i, j);
			}
		}
	return PL_OK;
}

pl_status cli_read_matrix(cli_ctx *ctx, json_t *value, const char *ptr, double missing,
			  double **data, size_t *rows, size_t *cols, pl_error *err)
{
	char p[PL_POINTER_MAX];
	size_t nr, nc = 0;
	double *m;

	*data = NULL;
	if (json_is_object(value))
		return matrix_from_npy(ctx, value, ptr, missing, data, rows, cols, err);
	if (!json_is_array(value))
		return pl_error_set(err, PL_ERR_INVALID, ptr,
				    "must be an array of rows or {\"npy\": FILE}");
	nr = json_array_size(value);
	for (size_t i = 0; i < nr; i++) {
		json_t *row = json_array_get(value, i);
		if (!json_is_array(row))
			return pl_error_set(err, PL_ERR_INVALID, cli_ptr_index(p, sizeof(p), ptr, i),
					    "each row must be an array");
		if (i == 0)
			nc = json_array_size(row);
		else if (json_array_size(row) != nc)
			return pl_error_set(err, PL_ERR_INVALID, cli_ptr_index(p, sizeof(p), ptr, i),
					    "row %zu has %zu entries but row 0 has %zu", i,
					    json_array_size(row), nc);
	}
	m = malloc((nr * nc != 0 ? nr * nc : 1) * sizeof(double));
	if (!m)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading a matrix");
	for (size_t i = 0; i < nr; i++) {
		json_t *row = json_array_get(value, i);
		for (size_t j = 0; j < nc; j++) {
			json_t *x = json_array_get(row, j);
			if (json_is_null(x)) {
				m[i * nc + j] = missing;
			} else if (json_is_number(x)) {
				m[i * nc + j] = json_number_value(x);
			} else {
				char q[PL_POINTER_MAX];
				free(m);
				cli_ptr_index(q, sizeof(q), ptr, i);
				return pl_error_set(err, PL_ERR_INVALID, cli_ptr_index(p, sizeof(p), q, j),
						    "matrix entries must be numbers or null");
			}
		}
	}
	*data = m;
	*rows = nr;
	*cols = nc;
	return PL_OK;
}
