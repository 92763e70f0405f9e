/*
 * test_json_dump.c: pl_json_dumps_compact (engine/json/dump.c) against jansson's own
 * json_dumps(JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)), byte for byte, on
 * hand-picked reals at the edges of the fast formatting (powers of ten, 1e-4 and 1e15, 15 and
 * 16 significant digits, -0, halfway cases), on tens of thousands of random reals of the kinds
 * answers hold (rounded to 6 decimals like risks, random doubles, integers as reals), and on
 * random trees with strings that need escaping.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/json.h>

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

START_TEST(random_trees)
{
	uint64_t s = 7;
	static const char *const strings[] = { "", "plain", "quote \" back \\ slash /",
					       "tab\tnew\nline\r\b\f", "ctl \x01\x1f\x7f",
					       "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" };
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

static Suite *suite(void)
{
	Suite *s = suite_create("json_dump");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, edge_reals);
	tcase_add_test(tc, random_reals);
	tcase_add_test(tc, random_trees);
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
