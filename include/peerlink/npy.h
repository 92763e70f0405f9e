/*
 * peerlink/npy.h: read a NumPy .npy file holding a 2-D float64 matrix.
 *
 * Researchers keep large cost matrices as .npy; writing 16 million numbers as JSON would make
 * parsing, not solving, the cost of a run. Only what numpy.save writes for a 2-D array of '<f8'
 * (C or Fortran order, format versions 1-3) is accepted; anything else is an input error.
 *
 * Ownership: on success *data is a malloc'ed rows*cols row-major array the caller frees.
 */
#ifndef PEERLINK_NPY_H
#define PEERLINK_NPY_H

#include <stddef.h>
#include <stdio.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

pl_status pl_npy_read_matrix(const char *path, double **data, size_t *rows, size_t *cols,
			     pl_error *err);
/* The same from a file the caller opened (and closes), read from its current position: what a
 * program uses when it has checked the open file (regular, where it should be) and must read
 * that same file rather than open the name again. */
pl_status pl_npy_read_matrix_stream(FILE *f, double **data, size_t *rows, size_t *cols,
				    pl_error *err);

/* Write a row-major rows*cols float64 matrix as .npy version 1.0 (for generators and tests). */
pl_status pl_npy_write_matrix(const char *path, const double *data, size_t rows, size_t cols,
			      pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
