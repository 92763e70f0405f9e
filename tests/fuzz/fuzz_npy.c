/*
 * fuzz_npy.c: the .npy reader (engine/data/npy.c) on arbitrary file contents. A matrix it
 * accepts must have the dimensions it reports and finite-or-NaN values readable end to end (ASan
 * catches a short allocation).
 */
#include "fuzz_util.h"

#include <peerlink/assign.h>
#include <peerlink/limits.h>
#include <peerlink/npy.h>
#include <stdlib.h>

/* The .npy reader and the assignment solver must agree on what a matrix may be. */
_Static_assert(PL_LIMIT_MATRIX_DIM == PL_ASSIGN_DIM_MAX, "matrix dimension limits differ");
_Static_assert(PL_LIMIT_MATRIX_CELLS == PL_ASSIGN_ENTRIES_MAX, "matrix size limits differ");

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pl_error err = PL_ERROR_INIT;
	char *path = fuzz_write("m.npy", data, size);
	double *m = NULL, sum = 0;
	size_t rows = 0, cols = 0;
	pl_status st = pl_npy_read_matrix(path, &m, &rows, &cols, &err);

	if (st == PL_OK) {
		if (rows && cols && !m)
			fuzz_fail("npy: no data for a non-empty matrix", NULL);
		if (rows * cols * 8 > size)
			fuzz_fail("npy: more cells than the file holds", NULL);
		if (rows > PL_LIMIT_MATRIX_DIM || cols > PL_LIMIT_MATRIX_DIM)
			fuzz_fail("npy: a matrix past the documented limits", NULL);
		for (size_t k = 0; k < rows * cols; k++)
			sum += m[k];
	} else if (!err.message[0]) {
		fuzz_fail("npy: failure without a message", NULL);
	}
	(void)sum;
	free(m);
	free(path);
	return 0;
}
