/*
 * npy.c: the .npy reader and writer behind {"costs": {"npy": FILE}}.
 *
 * Format (NumPy Enhancement Proposal 1, "A simple file format for NumPy arrays"): the magic
 * "\x93NUMPY", a major and minor version byte, a header length (2 bytes little-endian in v1,
 * 4 bytes in v2/v3), then a Python dict literal with 'descr', 'fortran_order' and 'shape',
 * padded so the data start on a 64-byte boundary. We parse just those three keys.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/npy.h>
#include <peerlink/limits.h>

#include <errno.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int host_is_little_endian(void)
{
	const uint16_t one = 1;
	return *(const unsigned char *)&one == 1;
}

/* Find the value text after 'key': in the header dict; NULL if absent. */
static const char *header_value(const char *hdr, const char *key)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), "'%s':", key);
	p = strstr(hdr, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	return p;
}

static int parse_shape(const char *p, size_t *rows, size_t *cols)
{
	unsigned long long d[2];
	int nd = 0;
	char *end;

	if (*p++ != '(')
		return -1;
	while (*p && *p != ')') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == ')')
			break;
		if (nd == 2 || *p < '0' || *p > '9') /* strtoull would take a sign */
			return -1;
		errno = 0;
		d[nd] = strtoull(p, &end, 10);
		if (end == p || errno)
			return -1;
		nd++;
		p = end;
	}
	if (nd != 2)
		return -1;
	*rows = (size_t)d[0];
	*cols = (size_t)d[1];
	return 0;
}

pl_status pl_npy_read_matrix(const char *path, double **data, size_t *rows, size_t *cols,
			     pl_error *err)
{
	FILE *f = fopen(path, "rb");
	pl_status st;

	*data = NULL;
	if (!f)
		return pl_error_set(err, PL_ERR_IO, "", "cannot open the .npy file named by the input");
	st = pl_npy_read_matrix_stream(f, data, rows, cols, err);
	fclose(f);
	return st;
}

pl_status pl_npy_read_matrix_stream(FILE *f, double **data, size_t *rows, size_t *cols,
				    pl_error *err)
{
	unsigned char pre[10];
	size_t hlen, nr, nc, count;
	char *hdr = NULL;
	double *buf = NULL;
	const char *descr, *fort, *shape;
	int fortran;
	struct stat sb;
	long pos;
	pl_status st = PL_OK;

	*data = NULL;
	if (fread(pre, 1, 8, f) != 8 || memcmp(pre, "\x93NUMPY", 6) != 0) {
		st = pl_error_set(err, PL_ERR_INVALID, "", "the .npy file does not start with the NumPy magic");
		goto out;
	}
	if (pre[6] == 1) {
		if (fread(pre + 8, 1, 2, f) != 2)
			goto truncated;
		hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
	} else if (pre[6] == 2 || pre[6] == 3) {
		unsigned char l[4];
		if (fread(l, 1, 4, f) != 4)
			goto truncated;
		hlen = (size_t)l[0] | (size_t)l[1] << 8 | (size_t)l[2] << 16 | (size_t)l[3] << 24;
	} else {
		st = pl_error_set(err, PL_ERR_INVALID, "", "unsupported .npy format version");
		goto out;
	}
	if (hlen > 1 << 20) {
		st = pl_error_set(err, PL_ERR_INVALID, "", "the .npy header is implausibly long");
		goto out;
	}
	hdr = malloc(hlen + 1);
	if (!hdr) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading a .npy header");
		goto out;
	}
	if (fread(hdr, 1, hlen, f) != hlen)
		goto truncated;
	hdr[hlen] = '\0';
	descr = header_value(hdr, "descr");
	fort = header_value(hdr, "fortran_order");
	shape = header_value(hdr, "shape");
	if (!descr || !fort || !shape || parse_shape(shape, &nr, &nc) != 0) {
		st = pl_error_set(err, PL_ERR_INVALID, "", "the .npy header must describe a 2-D array");
		goto out;
	}
	if (strncmp(descr, "'<f8'", 5) != 0 && !(strncmp(descr, "'=f8'", 5) == 0)) {
		st = pl_error_set(err, PL_ERR_INVALID, "", "the .npy array must hold little-endian float64 ('<f8')");
		goto out;
	}
	if (!host_is_little_endian()) {
		st = pl_error_set(err, PL_ERR_INVALID, "", "reading .npy needs a little-endian host");
		goto out;
	}
	fortran = strncmp(fort, "True", 4) == 0;
	/* Limits first (peerlink/limits.h), then the file must hold every cell: a header can
	 * claim any shape, and the allocation must not follow the claim. */
	if (nr > PL_LIMIT_MATRIX_DIM || nc > PL_LIMIT_MATRIX_DIM || nr * nc > PL_LIMIT_MATRIX_CELLS) {
		st = pl_error_set(err, PL_ERR_INVALID, "",
				  "the .npy matrix is larger than the limit of %zu rows or columns and %zu cells",
				  PL_LIMIT_MATRIX_DIM, PL_LIMIT_MATRIX_CELLS);
		goto out;
	}
	count = nr * nc;
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && (pos = ftell(f)) >= 0 &&
	    (size_t)(sb.st_size - pos) / sizeof(double) < count)
		goto truncated;
	buf = malloc((count ? count : 1) * sizeof(double));
	if (!buf) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading a .npy matrix");
		goto out;
	}
	if (fread(buf, sizeof(double), count, f) != count)
		goto truncated;
	if (fortran && nr > 1 && nc > 1) {
		double *t = malloc(count * sizeof(double));
		if (!t) {
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading a .npy matrix");
			goto out;
		}
		for (size_t j = 0; j < nc; j++)
			for (size_t i = 0; i < nr; i++)
				t[i * nc + j] = buf[j * nr + i];
		free(buf);
		buf = t;
	}
	*data = buf;
	*rows = nr;
	*cols = nc;
	buf = NULL;
	goto out;
truncated:
	st = pl_error_set(err, PL_ERR_INVALID, "", "the .npy file is truncated");
out:
	free(buf);
	free(hdr);
	return st;
}

pl_status pl_npy_write_matrix(const char *path, const double *data, size_t rows, size_t cols,
			      pl_error *err)
{
	char hdr[128];
	int len = snprintf(hdr, sizeof(hdr), "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu, %zu), }",
			   rows, cols);
	size_t total = 10 + (size_t)len + 1, pad = (64 - total % 64) % 64;
	unsigned char pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };
	size_t hl = (size_t)len + pad + 1;
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return pl_error_set(err, PL_ERR_IO, "", "cannot create the .npy file");
	pre[8] = (unsigned char)(hl & 0xff);
	pre[9] = (unsigned char)(hl >> 8);
	ok = fwrite(pre, 1, 10, f) == 10 && fwrite(hdr, 1, (size_t)len, f) == (size_t)len;
	for (size_t k = 0; ok && k < pad; k++)
		ok = fputc(' ', f) != EOF;
	ok = ok && fputc('\n', f) != EOF;
	ok = ok && fwrite(data, sizeof(double), rows * cols, f) == rows * cols;
	if (fclose(f) != 0)
		ok = 0;
	return ok ? PL_OK : pl_error_set(err, PL_ERR_IO, "", "writing the .npy file failed");
}
