/*
 * test_json_dump.c: pl_json_dumps_compact (engine/json/dump.c) against jansson's own
 * json_dumps(JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)), byte for byte, on
 * hand-picked reals at the edges of the fast formatting (powers of ten, 1e-4 and 1e15, 15 and
 * 16 significant digits, -0, halfway cases), on tens of thousands of random reals of the kinds
 * answers hold (rounded to 6 decimals like risks, random doubles, integers as reals), and on
 * random trees with strings that need escaping. The writer that prints an answer without
 * building it (pl_jw, engine/json/writer_int.h) against the same dumper: every random tree written
 * again through pl_jw calls, and the values jansson refuses (NaN, infinity, invalid UTF-8), which
 * both drop; and the reasons of every pair of the shipped mentor program, written by both.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/json.h>

#include "json/match_int.h"
#include "json/writer_int.h"

static void same_text(const json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	size_t n = 0;
	char *got = pl_json_dumps_compact(v, &n);

	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strcmp(want, got) == 0, "jansson '%s', ours '%s'", want, got);
	ck_assert_uint_eq(n, strlen(want));
	free(want);
	free(got);
}

static void same_real(double x)
{
	json_t *r = json_real(x);
	same_text(r);
	json_decref(r);
}

static uint64_t next(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 11;
}

START_TEST(edge_reals)
{
	static const double xs[] = { 0.0, 1.0, -1.0, 10.0, 0.1, 0.5, 1e-4, 1.0001e-4, 9.99999e-5,
				     1e-5, 1e14, 1e15, 999999999999999.0, 99999999999999.9,
				     123456789012345.0, 1234567890123456.0, 0.3, 2.0 / 3.0,
				     0.1 + 0.2, 1.0 / 3.0, 0.000123456789012345, 1e22, 1e-300,
				     5e-324, 1.7976931348623157e308, 0.021077, 0.054823, 1.334739,
				     100.5, 0.0001, 0.001, 9.5, 99.99, 0.9999999999999999,
				     0.99999999999999994, 1.0000000000000002, 4503599627370496.5,
				     9007199254740992.0, 0.123456789012345678 };
	for (size_t k = 0; k < sizeof(xs) / sizeof(xs[0]); k++) {
		same_real(xs[k]);
		same_real(-xs[k]);
	}
	same_real(-0.0);
	for (int e = -20; e <= 20; e++) {
		same_real(pow(10.0, e));
		same_real(nextafter(pow(10.0, e), 0));
		same_real(nextafter(pow(10.0, e), INFINITY));
	}
}
END_TEST

START_TEST(random_reals)
{
	uint64_t s = 20261128;
	for (int k = 0; k < 60000; k++) {
		uint64_t r = next(&s);
		double x;
		switch (k % 5) {
		case 0: /* a risk: rounded to 6 decimals */
			x = round((double)(r % 2000000) / 1000000.0 * 1e6) / 1e6;
			break;
		case 1: /* any double in a wide range */
			x = ldexp((double)(r % (1ULL << 52)) + 4503599627370496.0,
				  (int)(next(&s) % 120) - 112);
			break;
		case 2: /* a few significant digits, any scale */
			x = (double)(r % 100000) * pow(10.0, (double)((int)(next(&s) % 30) - 18));
			break;
		case 3: /* an integral real */
			x = (double)(r % 10000000000000000ULL);
			break;
		default: /* a ratio, as metrics are */
			x = (double)(r % 1000) / (double)(1 + next(&s) % 997);
		}
		same_real(r & 1 ? -x : x);
	}
}
END_TEST

/* Strings that exercise every escape and multi-byte UTF-8, for the random trees below. */
static const char *const strings[] = { "", "plain", "quote \" back \\ slash /",
				       "tab\tnew\nline\r\b\f", "ctl \x01\x1f\x7f",
				       "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" };

START_TEST(random_trees)
{
	uint64_t s = 7;
	for (int t = 0; t < 300; t++) {
		json_t *root = json_object(), *arr = json_array();
		for (int k = 0; k < 20; k++) {
			uint64_t r = next(&s);
			json_t *v;
			switch (r % 7) {
			case 0: v = json_integer((json_int_t)(next(&s) % 2000001) - 1000000); break;
			case 1: v = json_real((double)(next(&s) % 1000000) / 1e6); break;
			case 2: v = json_string(strings[next(&s) % 6]); break;
			case 3: v = json_null(); break;
			case 4: v = json_boolean(next(&s) & 1); break;
			case 5: v = json_pack("{s:[i,f,{}],s:[]}", strings[next(&s) % 6], k, 0.25, "e"); break;
			default: v = json_integer(INT64_MIN + (json_int_t)(next(&s) % 3));
			}
			json_array_append_new(arr, v);
		}
		json_object_set_new(root, strings[t % 6], arr);
		json_object_set_new(root, "n", json_real(-1.5e-7 * t));
		same_text(root);
		json_decref(root);
	}
}
END_TEST

/* A character to escape at every offset of strings of every length up to 40,
 * among plain ASCII and multi-byte UTF-8. */
START_TEST(escapes_at_every_offset)
{
	static const char specials[] = { '"', '\\', '\n', '\x01', '\x1f', '\t' };
	char text[64];

	for (size_t len = 1; len < 40; len++)
		for (size_t at = 0; at < len; at++)
			for (size_t k = 0; k < sizeof(specials); k++) {
				json_t *v;
				for (size_t c = 0; c < len; c++)
					text[c] = (char)(c % 7 == 6 ? ' ' : 'a' + c % 26);
				text[len] = '\0';
				text[at] = specials[k];
				v = json_string(text);
				same_text(v);
				json_decref(v);
			}
	for (size_t at = 0; at < 30; at++) { /* a quote after UTF-8 bytes (high bits set) */
		json_t *v;
		snprintf(text, sizeof(text), "caf\xc3\xa9 \xe2\x82\xac caf\xc3\xa9 \xe2\x82\xac abcdefghij");
		text[at] = text[at] & 0x80 ? text[at] : '"';
		v = json_string(text);
		if (v)
			same_text(v);
		json_decref(v);
	}
}
END_TEST

/* v written through the writer, as member `key` (NULL: an element). */
static void write_tree(pl_jw *w, const char *key, const json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		pl_jw_open_object(w, key);
		json_object_foreach((json_t *)v, k, x)
			write_tree(w, k, x);
		pl_jw_close_object(w);
		break;
	case JSON_ARRAY:
		pl_jw_open_array(w, key);
		json_array_foreach(v, i, x)
			write_tree(w, NULL, x);
		pl_jw_close_array(w);
		break;
	case JSON_STRING: pl_jw_string(w, key, json_string_value(v)); break;
	case JSON_INTEGER: pl_jw_integer(w, key, json_integer_value(v)); break;
	case JSON_REAL: pl_jw_real(w, key, json_real_value(v)); break;
	case JSON_TRUE: pl_jw_bool(w, key, 1); break;
	case JSON_FALSE: pl_jw_bool(w, key, 0); break;
	default: pl_jw_null(w, key);
	}
}

static void same_written(const json_t *v)
{
	char *want = pl_json_dumps_compact(v, NULL), *got;
	size_t n = 0;
	pl_jw w;

	pl_jw_init(&w);
	write_tree(&w, NULL, v);
	got = pl_jw_finish(&w, &n);
	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strcmp(want, got) == 0, "tree '%s', writer '%s'", want, got);
	ck_assert_uint_eq(n, strlen(want));
	free(want);
	free(got);
}

START_TEST(writer_trees)
{
	uint64_t s = 11;
	for (int t = 0; t < 300; t++) {
		json_t *root = json_object(), *arr = json_array(), *inner = json_object();
		for (int k = 0; k < 20; k++) {
			uint64_t r = next(&s);
			json_t *v;
			switch (r % 6) {
			case 0: v = json_integer((json_int_t)(next(&s) % 2000001) - 1000000); break;
			case 1: v = json_real((double)(next(&s) % 1000000) / 1e4 - 50.0); break;
			case 2: v = json_string(strings[next(&s) % 6]); break;
			case 3: v = json_null(); break;
			case 4: v = json_boolean(next(&s) & 1); break;
			default: v = json_pack("{s:[i,f,{}],s:[]}", strings[next(&s) % 6], k, 0.25, "e");
			}
			json_array_append_new(arr, v);
			json_object_set_new(inner, strings[k % 6], json_real(ldexp((double)next(&s), -40)));
		}
		json_object_set_new(root, strings[t % 6], arr);
		json_object_set_new(root, "inner", inner);
		json_object_set_new(root, "empty", json_array());
		same_written(root);
		same_written(arr);
		json_decref(root);
	}
}
END_TEST

/* What jansson refuses to hold is dropped by both: the member or element is missing. */
START_TEST(writer_drops_what_jansson_refuses)
{
	json_t *root = json_object(), *arr = json_array();
	char *want, *got;
	pl_jw w;

	ck_assert_int_ne(json_object_set_new(root, "nan", json_real(NAN)), 0);
	ck_assert_int_ne(json_object_set_new(root, "bad", json_string("cut \xe2\x82")), 0);
	json_object_set_new(root, "kept", json_integer(1));
	ck_assert_int_ne(json_array_append_new(arr, json_real(INFINITY)), 0);
	json_array_append_new(arr, json_real(2.5));
	json_object_set_new(root, "list", arr);
	want = pl_json_dumps_compact(root, NULL);
	pl_jw_init(&w);
	pl_jw_open_object(&w, NULL);
	pl_jw_real(&w, "nan", NAN);
	pl_jw_string(&w, "bad", "cut \xe2\x82");
	pl_jw_integer(&w, "kept", 1);
	pl_jw_open_array(&w, "list");
	pl_jw_real(&w, NULL, INFINITY);
	pl_jw_real(&w, NULL, 2.5);
	pl_jw_close_array(&w);
	pl_jw_close_object(&w);
	got = pl_jw_finish(&w, NULL);
	ck_assert_str_eq(got, "{\"kept\":1,\"list\":[2.5]}");
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	/* a container left open is an error, not half a document */
	pl_jw_init(&w);
	pl_jw_open_object(&w, NULL);
	ck_assert_ptr_null(pl_jw_finish(&w, NULL));
	json_decref(root);
}
END_TEST

/* Joining two objects' texts: empty sides, nesting, a brace inside a string, and refusals. The
 * joined text must parse to a's members then b's, in that order. */
START_TEST(join_objects_edges)
{
	static const struct { const char *a, *b, *want; } ok[] = {
		{ "{}", "{}", "{}" },
		{ "{\"a\":1}", "{}", "{\"a\":1}" },
		{ "{}", "{\"b\":2}", "{\"b\":2}" },
		{ "{\"a\":{\"x\":[1,{}]}}", "{\"b\":\"}{\\\"\"}", "{\"a\":{\"x\":[1,{}]},\"b\":\"}{\\\"\"}" },
		{ "{\"z\":null,\"y\":true}", "{\"x\":-0.5}", "{\"z\":null,\"y\":true,\"x\":-0.5}" },
	};
	static const struct { const char *a, *b; } bad[] = {
		{ "[]", "{}" }, { "{}", "[1]" }, { "{", "{}" }, { "", "{}" }, { "{}", "x}" }, { "{}", "{x" },
	};

	for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++) {
		size_t len = 0;
		char *t = pl_json_join_objects(ok[k].a, strlen(ok[k].a), ok[k].b, strlen(ok[k].b), &len);
		json_t *doc;
		const char *key;
		json_t *v;
		size_t at = 0;
		ck_assert_ptr_nonnull(t);
		ck_assert_str_eq(t, ok[k].want);
		ck_assert_uint_eq(len, strlen(ok[k].want));
		doc = json_loads(t, JSON_REJECT_DUPLICATES, NULL);
		ck_assert_ptr_nonnull(doc);
		json_object_foreach(doc, key, v) {
			/* a's keys come first, in a's order */
			json_t *ja = json_loads(ok[k].a, 0, NULL);
			size_t na = json_object_size(ja);
			ck_assert_int_eq(at < na, json_object_get(ja, key) != NULL);
			json_decref(ja);
			at++;
		}
		json_decref(doc);
		free(t);
	}
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		ck_assert_ptr_null(pl_json_join_objects(bad[k].a, strlen(bad[k].a), bad[k].b,
						       strlen(bad[k].b), NULL));
}
END_TEST

/* The tree and the text of one member list, compared; returns the text (caller frees). */
static char *same_members(const pl_jm *m, size_t n)
{
	json_t *tree = pl_jm_object(m, n);
	char *want = pl_json_dumps_compact(tree, NULL), *got;
	pl_jw w;

	pl_jw_init(&w);
	pl_jw_members(&w, NULL, m, n);
	got = pl_jw_finish(&w, NULL);
	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strcmp(want, got) == 0, "tree '%s', writer '%s'", want, got);
	free(want);
	json_decref(tree);
	return got;
}

/* Member lists (writer_int.h) render the same both ways, whatever the kinds and values, the
 * refused ones (NaN, infinity, invalid UTF-8, a NULL string) included. */
START_TEST(members_both_ways)
{
	static const char *const keys[] = { "a", "mentor", "score", "q\"k", "\xc3\xa9t\xc3\xa9", "z" };
	static const char *const strs[] = { "m1", "", "cut \xe2\x82", "tab\there", NULL, "\xc3\xa9" };
	static const double xs[] = { 0.0, -0.0, 0.1235, -2.5, 1e22, NAN, INFINITY, 1.0 / 3.0 };
	uint64_t s = 5;

	for (int t = 0; t < 2000; t++) {
		pl_jm m[6];
		size_t n = (size_t)(next(&s) % 7);
		for (size_t k = 0; k < n; k++) {
			/* distinct keys (an object cannot hold one twice) */
			m[k] = (pl_jm){ .key = keys[k], .kind = (pl_jm_kind)(next(&s) % 5) };
			m[k].s = strs[next(&s) % 6];
			if (m[k].kind == PL_JM_STRING_NOCHECK && m[k].s == strs[2])
				m[k].s = strs[0]; /* nocheck promises valid UTF-8 */
			m[k].x = xs[next(&s) % 8];
			m[k].i = (json_int_t)(next(&s) % 2001) - 1000;
		}
		free(same_members(m, n));
	}
}
END_TEST

/* An alternative option (match mentors writes it, match buddies builds it): the same text, with
 * both changes null exactly when the change was not computed. */
START_TEST(alt_option_both_ways)
{
	static const struct { double score, total; long matched; const char *want; } c[] = {
		{ 0.12345, -0.5, 0, "{\"mentor\":\"m1\",\"score\":0.1235,\"total_change\":-0.5,\"matched_change\":0}" },
		{ 0.9, NAN, 3, "{\"mentor\":\"m1\",\"score\":0.9,\"total_change\":null,\"matched_change\":null}" },
		{ 1.0, -0.00004, -1, "{\"mentor\":\"m1\",\"score\":1.0,\"total_change\":0.0,\"matched_change\":-1}" },
		{ NAN, 0.25, 1, "{\"mentor\":\"m1\",\"total_change\":0.25,\"matched_change\":1}" },
	};

	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		json_t *tree = pl_json_alt_option("mentor", "m1", c[k].score, c[k].total, c[k].matched);
		char *want = pl_json_dumps_compact(tree, NULL), *got;
		pl_jw w;
		pl_jw_init(&w);
		pl_json_write_alt_option(&w, "mentor", "m1", c[k].score, c[k].total, c[k].matched);
		got = pl_jw_finish(&w, NULL);
		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(want, c[k].want);
		ck_assert_str_eq(got, want);
		free(got);
		free(want);
		json_decref(tree);
	}
}
END_TEST

/* Rule counts (match mentors writes them, buddies and groups build them): the same text, only the
 * nonzero slots in rule order, the last slot under the caller's name, and the first largest. */
START_TEST(rule_counts_both_ways)
{
	uint64_t s = 9;

	for (int t = 0; t < 500; t++) {
		size_t counts[PL_RULE_COUNT + 1], best = 99, b = 0, nonzero = 0, n;
		pl_jm m[PL_RULE_COUNT + 1];
		json_t *tree;
		char *want, *got;
		for (size_t r = 0; r <= PL_RULE_COUNT; r++) {
			counts[r] = next(&s) % 3 ? 0 : next(&s) % 4;
			nonzero += counts[r] != 0;
			if (counts[r] > counts[b])
				b = r;
		}
		tree = pl_json_rule_counts(counts, "forbidden", &best);
		ck_assert_uint_eq(best, b);
		ck_assert_uint_eq(json_object_size(tree), nonzero);
		want = pl_json_dumps_compact(tree, NULL);
		n = pl_json_rule_members(counts, "forbidden", m, &best);
		ck_assert_uint_eq(n, nonzero);
		ck_assert_uint_eq(best, b);
		got = same_members(m, n);
		ck_assert_str_eq(got, want);
		if (counts[PL_RULE_COUNT])
			ck_assert_int_eq(json_integer_value(json_object_get(tree, "forbidden")),
					 (json_int_t)counts[PL_RULE_COUNT]);
		free(got);
		free(want);
		json_decref(tree);
	}
}
END_TEST

/* Every pair's reasons of the shipped program: written (match mentors' answer) = the tree
 * (match buddies, outreach) printed. */
START_TEST(writer_pair_reasons)
{
	json_t *doc = json_load_file(PL_TEST_SRC "/datasets/examples/program.json", 0, NULL);
	pl_mentors_program m;
	pl_error err = PL_ERROR_INIT;
	size_t pairs = 0;

	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(pl_json_read_mentors_program(doc, &m, &err), PL_OK);
	for (size_t i = 0; i < m.nmentees; i++)
		for (size_t j = 0; j < m.nmentors; j++) {
			json_t *tree = pl_json_pair_reasons(&m.P, &m.prm, m.mentee[i], m.mentor[j], 1e4);
			char *want = pl_json_dumps_compact(tree, NULL), *got;
			pl_jw w;
			pl_jw_init(&w);
			pl_json_write_pair_reasons(&w, NULL, &m.P, &m.prm, m.mentee[i], m.mentor[j], 1e4);
			got = pl_jw_finish(&w, NULL);
			ck_assert_ptr_nonnull(got);
			ck_assert_str_eq(got, want);
			pairs += strstr(got, "\"shared\":{\"") != NULL;
			free(got);
			free(want);
			json_decref(tree);
		}
	ck_assert_uint_gt(pairs, 10); /* pairs with shared tags were compared */
	pl_mentors_program_release(&m);
	json_decref(doc);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("json_dump");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, edge_reals);
	tcase_add_test(tc, random_reals);
	tcase_add_test(tc, random_trees);
	tcase_add_test(tc, escapes_at_every_offset);
	tcase_add_test(tc, writer_trees);
	tcase_add_test(tc, writer_drops_what_jansson_refuses);
	tcase_add_test(tc, writer_pair_reasons);
	tcase_add_test(tc, join_objects_edges);
	tcase_add_test(tc, members_both_ways);
	tcase_add_test(tc, alt_option_both_ways);
	tcase_add_test(tc, rule_counts_both_ways);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
