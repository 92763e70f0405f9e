/*
 * test_errors.c: error records stay printable and honest (issue 9 findings 2, 3, 7, 9):
 * messages and pointers cut at their byte limit end on a whole UTF-8 character (jansson refuses
 * anything else, and the error object would lose the field); a failed JSON load is told apart as
 * out of memory or a syntax error described without quoting the input; a read error in a JSON
 * Lines stream is never taken for the end of the input.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/error.h>
#include <peerlink/json.h>
#include <peerlink/limits.h>
#include <peerlink/utf8.h>

/* n copies of the two-byte character U+00E9 after `lead` ASCII bytes. */
static char *accented(size_t lead, size_t n)
{
	char *s = malloc(lead + 2 * n + 1);
	memset(s, 'a', lead);
	for (size_t k = 0; k < n; k++)
		memcpy(s + lead + 2 * k, "\xc3\xa9", 2);
	s[lead + 2 * n] = '\0';
	return s;
}

START_TEST(message_cut_on_a_character_boundary)
{
	/* every alignment of the cut against the two-byte characters, and a three-byte one */
	for (size_t lead = 0; lead < 4; lead++) {
		char *id = accented(lead, PL_MESSAGE_MAX);
		pl_error err = PL_ERROR_INIT;
		json_t *s;

		pl_error_set(&err, PL_ERR_INVALID, "", "client '%s' is unknown", id);
		ck_assert(strlen(err.message) >= PL_MESSAGE_MAX - 4);
		ck_assert_int_eq(pl_utf8_valid(err.message), 1);
		s = json_string(err.message);
		ck_assert_ptr_nonnull(s); /* jansson takes it: the message survives */
		json_decref(s);
		free(id);
	}
	{
		pl_error err = PL_ERROR_INIT;
		char text[PL_MESSAGE_MAX + 8];
		memset(text, 'b', sizeof(text));
		memcpy(text + PL_MESSAGE_MAX - 2, "\xe2\x82\xac", 3); /* the euro sign across the limit */
		text[sizeof(text) - 1] = '\0';
		pl_error_set(&err, PL_ERR_INVALID, "", "%s", text);
		ck_assert_int_eq(pl_utf8_valid(err.message), 1);
		ck_assert_uint_eq(strlen(err.message), PL_MESSAGE_MAX - 2);
	}
}
END_TEST

/* pl_error_setv (behind the CLI's cli_fail) cuts the message and the pointer at a character
 * boundary too. */
static pl_status set_via_v(pl_error *err, const char *ptr, const char *fmt, ...)
{
	va_list ap;
	pl_status st;
	va_start(ap, fmt);
	st = pl_error_setv(err, PL_ERR_INVALID, ptr, fmt, ap);
	va_end(ap);
	return st;
}

START_TEST(setv_cuts_on_a_character_boundary)
{
	for (size_t lead = 0; lead < 4; lead++) {
		char *id = accented(lead, PL_MESSAGE_MAX), *key = accented(lead + 1, PL_POINTER_MAX);
		pl_error err = PL_ERROR_INIT;
		ck_assert_int_eq(set_via_v(&err, key, "client '%s' is unknown", id), PL_ERR_INVALID);
		ck_assert_int_eq(err.code, PL_ERR_INVALID);
		ck_assert(strlen(err.message) >= PL_MESSAGE_MAX - 4);
		ck_assert(strlen(err.pointer) >= PL_POINTER_MAX - 4);
		ck_assert_int_eq(pl_utf8_valid(err.message), 1);
		ck_assert_int_eq(pl_utf8_valid(err.pointer), 1);
		free(id);
		free(key);
	}
}
END_TEST

START_TEST(short_texts_are_untouched)
{
	pl_error err = PL_ERROR_INIT;

	pl_error_set(&err, PL_ERR_INVALID, "/clients/\xc3\xa9", "field '\xc3\xa9t\xc3\xa9'");
	ck_assert_str_eq(err.message, "field '\xc3\xa9t\xc3\xa9'");
	ck_assert_str_eq(err.pointer, "/clients/\xc3\xa9");
}
END_TEST

/* pl_error_prefix names the document or option before the message, keeps the code and the
 * pointer, and cuts a long result on a character boundary as pl_error_set does. */
START_TEST(prefix_names_the_document)
{
	const char *lead_in = "in the check-in input (--checkins): client '";
	pl_error err = PL_ERROR_INIT;

	pl_error_set(&err, PL_ERR_INVALID, "/weights/0", "weights must be numbers");
	pl_error_prefix(&err, "model file");
	ck_assert_str_eq(err.message, "model file: weights must be numbers");
	ck_assert_str_eq(err.pointer, "/weights/0");
	ck_assert_int_eq(err.code, PL_ERR_INVALID);
	for (size_t lead = 0; lead < 4; lead++) {
		char *id = accented(lead, PL_MESSAGE_MAX);
		pl_error e = PL_ERROR_INIT;
		pl_error_set(&e, PL_ERR_INVALID, "", "client '%s' is unknown", id);
		pl_error_prefix(&e, "in the check-in input (--checkins)");
		ck_assert(strncmp(e.message, lead_in, strlen(lead_in)) == 0);
		ck_assert(strlen(e.message) >= PL_MESSAGE_MAX - 4);
		ck_assert_int_eq(pl_utf8_valid(e.message), 1);
		free(id);
	}
	pl_error_prefix(NULL, "model file"); /* no record: nothing to do */
}
END_TEST

START_TEST(pointer_cut_on_a_character_boundary)
{
	for (size_t lead = 0; lead < 3; lead++) {
		char *key = accented(lead, PL_POINTER_MAX);
		char ptr[PL_POINTER_MAX] = "";
		pl_error err = PL_ERROR_INIT;

		ck_assert_int_eq(pl_pointer_append(ptr, sizeof(ptr), key), -1);
		ck_assert_int_eq(pl_utf8_valid(ptr), 1);
		pl_error_set(&err, PL_ERR_INVALID, key, "x");
		ck_assert_int_eq(pl_utf8_valid(err.pointer), 1);
		ck_assert(strlen(err.pointer) >= PL_POINTER_MAX - 3);
		free(key);
	}
}
END_TEST

static pl_status load_failure(const char *text, char *reason, size_t size)
{
	json_error_t jerr;
	json_t *doc;

	errno = 0;
	doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	ck_assert_ptr_null(doc);
	return pl_json_load_failure(&jerr, errno, reason, size);
}

START_TEST(syntax_errors_never_quote_the_input)
{
	static const struct {
		const char *input, *reason;
	} cases[] = {
		{ "{\"a\": \"\\uD800\"}", "invalid Unicode surrogate" },
		{ "{\"a\": \"x\x01y\"}", "control character in a string" },
		{ "{\"a\": \"caf\xe9\"}", "invalid UTF-8" },
		{ "{\"a\": \"\\uZZZZ\"}", "invalid escape" },
		{ "{\"a\": [1, 2}", "']' expected" },
		{ "{\"a\": SECRET}", "invalid token" },
		{ "{\"a\": 1, \"a\": 2}", "duplicate object key" },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char reason[64];
		ck_assert_int_eq(load_failure(cases[k].input, reason, sizeof(reason)), PL_ERR_INVALID);
		ck_assert_str_eq(reason, cases[k].reason);
	}
}
END_TEST

START_TEST(out_of_memory_is_not_a_syntax_error)
{
	json_error_t jerr;
	char reason[64];

	/* what jansson leaves when an allocation failed mid-parse: a bad token, and errno ENOMEM */
	memset(&jerr, 0, sizeof(jerr));
	snprintf(jerr.text, sizeof(jerr.text), "invalid token near end of file");
	ck_assert_int_eq(pl_json_load_failure(&jerr, ENOMEM, reason, sizeof(reason)), PL_ERR_NOMEM);
	ck_assert_str_eq(reason, "out of memory");
	ck_assert_int_eq(pl_json_load_failure(&jerr, 0, reason, sizeof(reason)), PL_ERR_INVALID);
}
END_TEST

START_TEST(read_error_is_not_end_of_input)
{
	char *line = NULL;
	size_t cap = 0, len = 0;
	pl_error err = PL_ERROR_INIT;
	FILE *dir = fopen("/", "rb"), *mem;
	char text[] = "{\"id\": \"a\"}\n\n{\"id\": \"b\"}";

	/* a directory opens, then every read fails: an I/O error, not an empty input */
	ck_assert_ptr_nonnull(dir);
	ck_assert_int_eq(pl_json_read_line(dir, &line, &cap, &len, 0, &err), -1);
	ck_assert_int_eq(err.code, PL_ERR_IO);
	fclose(dir);
	/* a normal stream: three lines (the last without a newline), then the end */
	mem = fmemopen(text, strlen(text), "r");
	ck_assert_int_eq(pl_json_read_line(mem, &line, &cap, &len, 0, &err), 1);
	ck_assert_uint_eq(len, 12);
	ck_assert_int_eq(pl_json_read_line(mem, &line, &cap, &len, 1, &err), 1);
	ck_assert_int_eq(pl_json_read_line(mem, &line, &cap, &len, 2, &err), 1);
	ck_assert_str_eq(line, "{\"id\": \"b\"}");
	ck_assert_int_eq(pl_json_read_line(mem, &line, &cap, &len, 3, &err), 0);
	fclose(mem);
	free(line);
}
END_TEST

START_TEST(line_limit)
{
	size_t limit = PL_LIMIT_LINE_BYTES, cap = 0, len = 0;
	char *text = malloc(2 * limit + 8), *line = NULL;
	pl_error err = PL_ERROR_INIT;
	FILE *mem;

	/* line 1: exactly the limit (and its newline); line 2: one byte more */
	memset(text, ' ', 2 * limit + 8);
	text[limit] = '\n';
	text[2 * limit + 2] = '\n';
	mem = fmemopen(text, 2 * limit + 3, "r");
	ck_assert_int_eq(pl_json_read_line(mem, &line, &cap, &len, 0, &err), 1);
	ck_assert_uint_eq(len, limit + 1);
	ck_assert_int_eq(line[limit], '\n');
	ck_assert_int_eq(pl_json_read_line(mem, &line, &cap, &len, 1, &err), -1);
	ck_assert_int_eq(err.code, PL_ERR_INVALID);
	ck_assert_str_eq(err.message, "line 2 is longer than the limit of 16 MiB for one JSON Lines record");
	ck_assert_uint_le(cap, limit + 2); /* no more than the limit was held */
	ck_assert_int_eq((int)ftell(mem), (int)(2 * limit + 2)); /* nor read */
	fclose(mem);
	free(line);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("errors");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, message_cut_on_a_character_boundary);
	tcase_add_test(tc, short_texts_are_untouched);
	tcase_add_test(tc, setv_cuts_on_a_character_boundary);
	tcase_add_test(tc, pointer_cut_on_a_character_boundary);
	tcase_add_test(tc, prefix_names_the_document);
	tcase_add_test(tc, syntax_errors_never_quote_the_input);
	tcase_add_test(tc, out_of_memory_is_not_a_syntax_error);
	tcase_add_test(tc, read_error_is_not_end_of_input);
	tcase_add_test(tc, line_limit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
