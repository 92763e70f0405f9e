/*
 * test_json_parse.c: pl_json_parse_plain (engine/json/parse.c) against jansson's
 * json_loadb(JSON_REJECT_DUPLICATES), which the CLI falls back to whenever the fast reader gives
 * up: on every text jansson refuses the fast reader must give up too (else an error would be
 * lost), and on every text it reads it must build jansson's tree exactly (same types, key order,
 * strings, integers, reals to the last bit). Hand-picked valid and invalid texts at the edges of
 * the grammar (numbers, escapes, surrogates, UTF-8, duplicates, nesting), and random trees
 * printed by jansson in several styles (compact, indented, ASCII-only with \u escapes).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/json.h>

/* Both readers on text; returns 1 when the fast reader read it (and agreed), 0 when both
 * refused it or the fast reader gave up on what jansson reads. */
static int compare(const char *text, size_t len)
{
	char *copy = malloc(len + 1);
	json_error_t e;
	json_t *want = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e), *got;
	int read = 0;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, len);
	copy[len] = '\0';
	got = pl_json_parse_plain(copy, len);
	if (!want)
		ck_assert_msg(got == NULL, "jansson refuses '%s' (%s), the fast reader read it", copy,
			      e.text);
	if (want && got) {
		size_t f = JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17);
		char *a = json_dumps(want, f), *b = json_dumps(got, f);
		ck_assert_ptr_nonnull(a);
		ck_assert_ptr_nonnull(b);
		ck_assert_msg(strcmp(a, b) == 0, "'%s': jansson %s, fast %s", copy, a, b);
		ck_assert(json_equal(want, got));
		free(a);
		free(b);
		read = 1;
	}
	json_decref(want);
	json_decref(got);
	free(copy);
	return read;
}

static int compare_str(const char *text)
{
	return compare(text, strlen(text));
}

START_TEST(valid_texts_read_as_jansson)
{
	static const char *const texts[] = {
		"{}", "[]", " \t\r\n{ } \n", "[1]", "[-0]", "[-0.0]", "[0.5e-3]", "[1E+2]", "[1e-400]",
		"[9223372036854775807]", "[-9223372036854775808]", "[1.7976931348623157e308]",
		"[123456789.123456789e-5]", "[0, 1, -1, 10, 2.5, -2.5e10]", "[true, false, null]",
		"{\"a\": {\"b\": [[], {}, [[[\"x\"]]]]}, \"c\": null}",
		"[\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"]", "[\"\\u00e9\\u20AC\\ud83d\\ude00 end\"]",
		"[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"]", "{\"k\\u0061y\": 1, \"ka\": 2}",
		"{\"\": \"\"}", "[\"a\\u0001b\"]", "{\"x\":1,\"y\":[1,2,{\"z\":\"w\"}]}",
		"[\"\\u0041\\\\u0000\"]", "{\"a\":{\"a\":{\"a\":1}}}", "[1.0, 100, 1e2, 1E2]"
	};
	for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++)
		ck_assert_msg(compare_str(texts[k]), "the fast reader gave up on '%s'", texts[k]);
}
END_TEST

START_TEST(invalid_texts_refused)
{
	static const char *const texts[] = {
		"", " ", "1", "\"s\"", "null", "{,}", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[.5]",
		"[-]", "[+1]", "[1e]", "[1e+]", "[tru]", "[nul]", "[truex]", "[\"\\u0000\"]",
		"[\"\\ud800\"]", "[\"\\udc00\"]", "[\"\\ud800\\u0041\"]", "[\"\\ud800x\"]", "[\"\\x\"]",
		"[\"\\u12\"]", "[\"\\u12g4\"]", "[\"a\x01\"]", "[\"tab\there\"]", "[\"\xc3\"]",
		"[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]", "[\"\xff\"]",
		"{\"a\":1,\"a\":2}", "{\"a\":1,\"\\u0061\":2}", "[9223372036854775808]",
		"[-9223372036854775809]", "[1e400]", "[-1e400]", "{} x", "{}{}", "[1] ,",
		"\xef\xbb\xbf{}", "{\"a\" 1}", "{a:1}", "[1 2]", "[\"open", "{\"a\":", "[", "{",
		"[NaN]", "[Infinity]", "[0x10]", "{\"a\":1}\x01"
	};
	for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
		json_error_t e;
		json_t *j = json_loadb(texts[k], strlen(texts[k]), JSON_REJECT_DUPLICATES, &e);
		ck_assert_msg(j == NULL, "jansson reads '%s': not an invalid text", texts[k]);
		compare_str(texts[k]);
	}
	/* a NUL inside the text */
	compare("[1]\0", 4);
	compare("[\"a\0b\"]", 7);
}
END_TEST

/* Nesting past the reader's depth: it gives up, jansson reads it (the CLI's own limit then
 * refuses it, as before). */
START_TEST(deep_nesting_left_to_jansson)
{
	char text[2 * 1000 + 1];
	for (int depth = 500; depth <= 1000; depth += 100) {
		memset(text, '[', (size_t)depth);
		memset(text + depth, ']', (size_t)depth);
		text[2 * depth] = '\0';
		compare_str(text);
	}
	memset(text, '[', 100);
	memset(text + 100, ']', 100);
	text[200] = '\0';
	ck_assert(compare_str(text));
}
END_TEST

static uint64_t next(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 11;
}

static const char *const strings[] = { "", "plain", "quote \" back \\ slash /",
				       "tab\tnew\nline\r\b\f", "ctl \x01\x1f\x7f",
				       "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "id-0042" };

static json_t *random_value(uint64_t *s, int depth)
{
	uint64_t r = next(s);
	switch (r % (depth < 4 ? 9 : 6)) {
	case 0: return json_integer((json_int_t)(next(s) % 2000001) - 1000000);
	case 1: return json_real((double)(int64_t)(next(s) % 2000001 - 1000000) / (double)(1 + next(s) % 997));
	case 2: return json_string(strings[next(s) % 7]);
	case 3: return json_null();
	case 4: return json_boolean(next(s) & 1);
	case 5: return json_integer(INT64_MIN + (json_int_t)(next(s) % 3));
	case 6:
	case 7: {
		json_t *o = json_object();
		size_t n = next(s) % 5;
		for (size_t k = 0; k < n; k++) {
			char key[32];
			snprintf(key, sizeof(key), "%s%zu", strings[next(s) % 7], k);
			json_object_set_new(o, key, random_value(s, depth + 1));
		}
		return o;
	}
	default: {
		json_t *a = json_array();
		size_t n = next(s) % 5;
		for (size_t k = 0; k < n; k++)
			json_array_append_new(a, random_value(s, depth + 1));
		return a;
	}
	}
}

START_TEST(random_trees_in_every_style)
{
	static const size_t styles[] = { JSON_COMPACT, JSON_INDENT(2), JSON_ENSURE_ASCII,
					 JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17) };
	uint64_t s = 20261129;
	for (int t = 0; t < 400; t++) {
		json_t *root = json_object();
		for (int k = 0; k < 6; k++) {
			char key[16];
			snprintf(key, sizeof(key), "k%d", k);
			json_object_set_new(root, key, random_value(&s, 1));
		}
		for (size_t f = 0; f < sizeof(styles) / sizeof(styles[0]); f++) {
			char *text = json_dumps(root, styles[f]);
			ck_assert_ptr_nonnull(text);
			ck_assert_msg(compare_str(text), "the fast reader gave up on '%s'", text);
			free(text);
		}
		json_decref(root);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json_parse");
	TCase *tc = tcase_create("json_parse");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, valid_texts_read_as_jansson);
	tcase_add_test(tc, invalid_texts_refused);
	tcase_add_test(tc, deep_nesting_left_to_jansson);
	tcase_add_test(tc, random_trees_in_every_style);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
