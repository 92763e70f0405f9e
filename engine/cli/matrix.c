/*
 * matrix.c: the dense-matrix field every solver command reads: nested JSON arrays or a .npy file
 * named inside the input (resolved against the input file's folder, hence in the CLI).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/limits.h>
#include <peerlink/npy.h>

/* The largest .npy file worth opening: the largest matrix allowed plus the longest header. */
#define NPY_MAX_BYTES (PL_LIMIT_MATRIX_CELLS * sizeof(double) + ((size_t)1 << 20) + 16)

static pl_status matrix_from_npy(cli_ctx *ctx, json_t *value, const char *ptr, double missing,
				 double **data, size_t *rows, size_t *cols, pl_error *err)
{
	char p[PL_POINTER_MAX];
	const char *name = NULL;
	FILE *f;
	pl_status st;
	static const char *const keys[] = { "npy", NULL };

	st = pl_json_check_keys(value, ptr, keys, err);
	if (st == PL_OK)
		st = pl_json_get_string(value, "npy", ptr, 1, &name, err);
	if (st != PL_OK)
		return st;
	/* a regular file in the input's folder, no larger than the largest matrix allowed, checked
	 * and read through the same open file */
	if (cli_open_named(ctx, name, pl_json_ptr(p, sizeof(p), ptr, "npy"), NPY_MAX_BYTES,
			   "cannot open the .npy file named by the input", &f) != CLI_EXIT_OK) {
		*err = ctx->err;
		return err->code;
	}
	st = pl_npy_read_matrix_stream(f, data, rows, cols, err);
	fclose(f);
	if (st != PL_OK) {
		/* Point at the field that named the file. */
		snprintf(err->pointer, sizeof(err->pointer), "%s", pl_json_ptr(p, sizeof(p), ptr, "npy"));
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
				return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof(p), ptr, "npy"),
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
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(p, sizeof(p), ptr, i),
					    "each row must be an array");
		if (i == 0)
			nc = json_array_size(row);
		else if (json_array_size(row) != nc)
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(p, sizeof(p), ptr, i),
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
				pl_json_ptr_index(q, sizeof(q), ptr, i);
				return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(p, sizeof(p), q, j),
						    "matrix entries must be numbers or null");
			}
		}
	}
	*data = m;
	*rows = nr;
	*cols = nc;
	return PL_OK;
}
