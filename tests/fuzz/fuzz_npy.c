/*
 * fuzz_npy.c: the .npy reader (engine/data/npy.c) on arbitrary file contents. A matrix it
 * accepts must have the dimensions it reports and finite-or-NaN values readable end to end (ASan
 * catches a short allocation).
 */
#include "fuzz_util.h"

#include <peerlink/npy.h>
#include <stdlib.h>

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
