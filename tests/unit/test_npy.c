/*
 * test_npy.c: the .npy reader (engine/data/npy.c) against files laid out byte for byte as numpy
 * writes them. The test builds those bytes itself, following numpy.lib.format (NEP 1): magic,
 * version, header length, the dict literal with its keys sorted, spare spaces for the growth axis,
 * and padding with a final newline to a 64-byte boundary; test_numpy_bytes pins that builder to two
 * headers copied from numpy 1.24's np.save output. Then: valid C- and Fortran-order files of a
 * few shapes read back exactly; wrong dtype, 1-D or 3-D shape, bad magic, unknown version,
 * truncated header or data, and a huge declared shape are each rejected with PL_ERR_INVALID and a
 * message that says what is wrong, without allocating what the header claims.
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <peerlink/npy.h>

typedef struct npy_bytes {
	unsigned char buf[4096];
	size_t len;
} npy_bytes;

/* numpy.lib.format._write_array_header for a 2-D (or other rank) array: `shape` is the Python
 * tuple text, `growth_digits` the digits of the growth axis (first axis in C order, last in
 * Fortran order), `version` 1 (2-byte length) or 2 (4-byte length). */
static void npy_header(npy_bytes *b, const char *descr, int fortran, const char *shape,
		       int growth_digits, int version)
{
	char dict[512];
	size_t pre = version == 1 ? 10 : 12, hlen, pad;
	int n = snprintf(dict, sizeof(dict), "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr,
			 fortran ? "True" : "False", shape);

	for (int k = 0; k < 21 - growth_digits; k++)
		dict[n++] = ' ';
	dict[n] = '\0';
	hlen = (size_t)n + 1;
	pad = (64 - (pre + hlen) % 64) % 64;
	memcpy(b->buf, "\x93NUMPY", 6);
	b->buf[6] = (unsigned char)version;
	b->buf[7] = 0;
	hlen += pad;
	for (size_t k = 0; k < pre - 8; k++)
		b->buf[8 + k] = (unsigned char)(hlen >> (8 * k));
	memcpy(b->buf + pre, dict, (size_t)n);
	memset(b->buf + pre + n, ' ', pad);
	b->buf[pre + (size_t)n + pad] = '\n';
	b->len = pre + hlen;
}

static void npy_data(npy_bytes *b, const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t u;
		memcpy(&u, &v[i], 8);
		for (int k = 0; k < 8; k++) /* little-endian whatever the host */
			b->buf[b->len++] = (unsigned char)(u >> (8 * k));
	}
}

static char *write_file(const unsigned char *bytes, size_t len)
{
	char *path = strdup("/tmp/pl_npy_XXXXXX");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, bytes, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Reads bytes as a .npy file; returns the status, fills err, and frees any matrix. */
static pl_status read_bytes(const unsigned char *bytes, size_t len, pl_error *err)
{
	char *path = write_file(bytes, len);
	double *data = NULL;
	size_t r = 0, c = 0;
	pl_status st = pl_npy_read_matrix(path, &data, &r, &c, err);

	if (st != PL_OK)
		ck_assert_ptr_null(data);
	free(data);
	unlink(path);
	free(path);
	return st;
}

static void expect_invalid(const npy_bytes *b, const char *words)
{
	pl_error err = PL_ERROR_INIT;

	ck_assert_int_eq(read_bytes(b->buf, b->len, &err), PL_ERR_INVALID);
	ck_assert_int_eq(err.code, PL_ERR_INVALID);
	ck_assert_msg(strstr(err.message, words) != NULL, "message \"%s\" lacks \"%s\"", err.message,
		      words);
}

/* numpy 1.24's header as np.save wrote it: prefix (version 1.0, header length 118 = 'v'), the
 * dict, `spaces` spaces and a newline, 128 bytes in all. */
static void numpy_reference(unsigned char out[128], const char *dict, size_t spaces)
{
	size_t n = strlen(dict);

	ck_assert_uint_eq(10 + n + spaces + 1, 128);
	memcpy(out, "\x93NUMPY\x01\x00v\x00", 10);
	memcpy(out + 10, dict, n);
	memset(out + 10 + n, ' ', spaces);
	out[127] = '\n';
}

START_TEST(test_numpy_bytes)
{
	/* np.save of np.array([[1.5, -2.0], [3.0, 4e300], [0.1, -0.0]]) (C order) and of a (2, 3)
	 * np.asfortranarray: the dict text and the count of spaces after it, read off the files. */
	unsigned char want[128];
	npy_bytes b;

	numpy_reference(want, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", 58);
	npy_header(&b, "<f8", 0, "(3, 2)", 1, 1);
	ck_assert_uint_eq(b.len, 128);
	ck_assert(memcmp(b.buf, want, 128) == 0);
	numpy_reference(want, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", 59);
	npy_header(&b, "<f8", 1, "(2, 3)", 1, 1);
	ck_assert_uint_eq(b.len, 128);
	ck_assert(memcmp(b.buf, want, 128) == 0);
}
END_TEST

/* C order, shapes (3, 2), (1, 5), (4, 1), (0, 3), each read back bit for bit (including -0.0,
 * 4e300 and a subnormal). */
START_TEST(test_c_order_shapes)
{
	static const struct { size_t r, c; const char *shape; int digits; } cases[] = {
		{ 3, 2, "(3, 2)", 1 }, { 1, 5, "(1, 5)", 1 }, { 4, 1, "(4, 1)", 1 }, { 0, 3, "(0, 3)", 1 },
	};
	double v[8] = { 1.5, -2.0, 3.0, 4e300, 0.1, -0.0, 5e-324, 1.0 / 3.0 };

	for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++) {
		npy_bytes b;
		pl_error err = PL_ERROR_INIT;
		double *data = NULL;
		size_t r = 99, c = 99, n = cases[t].r * cases[t].c;
		char *path;

		npy_header(&b, "<f8", 0, cases[t].shape, cases[t].digits, 1);
		npy_data(&b, v, n);
		path = write_file(b.buf, b.len);
		ck_assert_msg(pl_npy_read_matrix(path, &data, &r, &c, &err) == PL_OK, "%s: %s",
			      cases[t].shape, err.message);
		ck_assert_uint_eq(r, cases[t].r);
		ck_assert_uint_eq(c, cases[t].c);
		ck_assert_ptr_nonnull(data);
		ck_assert(memcmp(data, v, n * sizeof(double)) == 0);
		free(data);
		unlink(path);
		free(path);
	}
}
END_TEST

/* Fortran order is the documented alternative (npy.h): the reader returns row-major data. */
START_TEST(test_fortran_order_transposed)
{
	const double colmajor[6] = { 1, 4, 2, 5, 3, 6 }; /* [[1, 2, 3], [4, 5, 6]] */
	npy_bytes b;
	pl_error err = PL_ERROR_INIT;
	double *data = NULL;
	size_t r = 0, c = 0;
	char *path;

	npy_header(&b, "<f8", 1, "(2, 3)", 1, 1);
	npy_data(&b, colmajor, 6);
	path = write_file(b.buf, b.len);
	ck_assert_int_eq(pl_npy_read_matrix(path, &data, &r, &c, &err), PL_OK);
	ck_assert_uint_eq(r, 2);
	ck_assert_uint_eq(c, 3);
	for (int k = 0; k < 6; k++)
		ck_assert(data[k] == k + 1);
	free(data);
	unlink(path);
	free(path);
}
END_TEST

/* Format version 2 (4-byte header length) reads like version 1. */
START_TEST(test_version_2)
{
	const double v[2] = { 7, -8 };
	npy_bytes b;
	pl_error err = PL_ERROR_INIT;
	double *data = NULL;
	size_t r = 0, c = 0;
	char *path;

	npy_header(&b, "<f8", 0, "(1, 2)", 1, 2);
	npy_data(&b, v, 2);
	path = write_file(b.buf, b.len);
	ck_assert_int_eq(pl_npy_read_matrix(path, &data, &r, &c, &err), PL_OK);
	ck_assert(r == 1 && c == 2 && data[0] == 7 && data[1] == -8);
	free(data);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_wrong_dtype)
{
	static const char *descr[] = { ">f8", "<f4", "<i8", "|u1", "<c16" };
	const double v[4] = { 1, 2, 3, 4 };

	for (size_t k = 0; k < sizeof(descr) / sizeof(descr[0]); k++) {
		npy_bytes b;
		npy_header(&b, descr[k], 0, "(2, 2)", 1, 1);
		npy_data(&b, v, 4);
		expect_invalid(&b, "float64");
	}
}
END_TEST

START_TEST(test_wrong_rank)
{
	const double v[8] = { 0 };
	npy_bytes b;

	npy_header(&b, "<f8", 0, "(4,)", 1, 1);
	npy_data(&b, v, 4);
	expect_invalid(&b, "2-D");
	npy_header(&b, "<f8", 0, "(2, 2, 2)", 1, 1);
	npy_data(&b, v, 8);
	expect_invalid(&b, "2-D");
	npy_header(&b, "<f8", 0, "()", 0, 1);
	npy_data(&b, v, 1);
	expect_invalid(&b, "2-D");
}
END_TEST

START_TEST(test_bad_magic_and_version)
{
	const double v[4] = { 1, 2, 3, 4 };
	npy_bytes b;

	npy_header(&b, "<f8", 0, "(2, 2)", 1, 1);
	npy_data(&b, v, 4);
	b.buf[1] = 'n'; /* "\x93nUMPY" */
	expect_invalid(&b, "magic");
	b.buf[1] = 'N';
	b.buf[6] = 9;
	expect_invalid(&b, "version");
	b.len = 3; /* shorter than the magic */
	expect_invalid(&b, "magic");
}
END_TEST

START_TEST(test_truncated)
{
	const double v[6] = { 1, 2, 3, 4, 5, 6 };
	npy_bytes b;
	size_t full;

	npy_header(&b, "<f8", 0, "(3, 2)", 1, 1);
	npy_data(&b, v, 6);
	full = b.len;
	b.len = full - 1; /* last cell one byte short */
	expect_invalid(&b, "truncated");
	b.len = full - 8 * 6; /* header only */
	expect_invalid(&b, "truncated");
	b.len = 40; /* inside the header */
	expect_invalid(&b, "truncated");
}
END_TEST

/* A header may claim any shape: past the documented limits, or within them but larger than the
 * file, it is rejected before anything that size is allocated (ASan would report a failed or
 * huge allocation). */
START_TEST(test_huge_declared_shape)
{
	const double v[4] = { 1, 2, 3, 4 };
	npy_bytes b;

	npy_header(&b, "<f8", 0, "(1000000000000, 1000000000000)", 13, 1);
	npy_data(&b, v, 4);
	expect_invalid(&b, "limit");
	npy_header(&b, "<f8", 0, "(18446744073709551615, 2)", 20, 1);
	npy_data(&b, v, 4);
	expect_invalid(&b, "limit");
	npy_header(&b, "<f8", 0, "(50000, 50000)", 5, 1);
	npy_data(&b, v, 4);
	{
		pl_error err = PL_ERROR_INIT;
		ck_assert_int_eq(read_bytes(b.buf, b.len, &err), PL_ERR_INVALID);
	}
}
END_TEST

START_TEST(test_missing_file)
{
	pl_error err = PL_ERROR_INIT;
	double *data = NULL;
	size_t r, c;

	ck_assert_int_eq(pl_npy_read_matrix("/nonexistent/peerlink/x.npy", &data, &r, &c, &err), PL_ERR_IO);
	ck_assert_ptr_null(data);
	ck_assert(err.message[0] != '\0');
}
END_TEST

/* pl_npy_write_matrix's file reads back identically (and is what numpy would accept: the same
 * layout rules the builder above follows). */
START_TEST(test_writer_round_trip)
{
	const double v[6] = { 0.25, -1e-300, 3, 1e308, -0.0, 2.0 / 3.0 };
	char path[] = "/tmp/pl_npy_w_XXXXXX";
	pl_error err = PL_ERROR_INIT;
	double *data = NULL;
	size_t r = 0, c = 0;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(pl_npy_write_matrix(path, v, 2, 3, &err), PL_OK);
	ck_assert_int_eq(pl_npy_read_matrix(path, &data, &r, &c, &err), PL_OK);
	ck_assert(r == 2 && c == 3);
	ck_assert(memcmp(data, v, sizeof(v)) == 0);
	{
		FILE *f = fopen(path, "rb");
		unsigned char head[10];
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_eq(fread(head, 1, 10, f), 10);
		fclose(f);
		ck_assert(memcmp(head, "\x93NUMPY\x01\x00", 8) == 0);
		ck_assert_uint_eq((10u + head[8] + 256u * head[9]) % 64, 0); /* data 64-byte aligned */
	}
	free(data);
	unlink(path);
}
END_TEST

/* pl_npy_read_matrix_stream reads the file that is open, whatever the name points at by then:
 * the CLI checks the open file and reads it, never the name again (issue 9). */
START_TEST(test_stream_reads_the_open_file)
{
	const double a[6] = { 1, 2, 3, 4, 5, 6 }, b[4] = { 9, 9, 9, 9 };
	char path[] = "/tmp/pl_npy_s_XXXXXX", other[] = "/tmp/pl_npy_o_XXXXXX";
	pl_error err = PL_ERROR_INIT;
	double *data = NULL;
	size_t r = 0, c = 0;
	int fd = mkstemp(path), fd2 = mkstemp(other);
	FILE *f;

	ck_assert(fd >= 0 && fd2 >= 0);
	close(fd);
	close(fd2);
	ck_assert_int_eq(pl_npy_write_matrix(path, a, 2, 3, &err), PL_OK);
	ck_assert_int_eq(pl_npy_write_matrix(other, b, 2, 2, &err), PL_OK);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(rename(other, path), 0); /* the name now means another file */
	ck_assert_int_eq(pl_npy_read_matrix_stream(f, &data, &r, &c, &err), PL_OK);
	ck_assert(r == 2 && c == 3);
	ck_assert(memcmp(data, a, sizeof(a)) == 0);
	ck_assert_int_eq(fclose(f), 0); /* still the caller's to close */
	free(data);
	unlink(path);
}
END_TEST

static Suite *npy_suite(void)
{
	Suite *s = suite_create("npy");
	TCase *tc = tcase_create("npy");
	tcase_add_test(tc, test_numpy_bytes);
	tcase_add_test(tc, test_c_order_shapes);
	tcase_add_test(tc, test_fortran_order_transposed);
	tcase_add_test(tc, test_version_2);
	tcase_add_test(tc, test_wrong_dtype);
	tcase_add_test(tc, test_wrong_rank);
	tcase_add_test(tc, test_bad_magic_and_version);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_huge_declared_shape);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_writer_round_trip);
	tcase_add_test(tc, test_stream_reads_the_open_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(npy_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
