/*
 * test_options.c: the typed option table (engine/cli/main.c, options.c) seen from outside: every
 * malformed number is a usage error (exit 2) that names the option and never echoes the value,
 * and well-formed values at the ends of a range are accepted.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Run `peerlink <args>` with an empty object on stdin. */
static void run(const char *const *args, tu_run *r)
{
	ck_assert_int_eq(tu_run_cli(args, "{\"costs\": [[1]]}", r), 0);
}

static void expect_usage(const char *const *args, const char *option, const char *value)
{
	tu_run r;
	char quoted[64];

	run(args, &r);
	ck_assert_msg(r.exit_code == 2, "%s '%s': exit %d", option, value, r.exit_code);
	ck_assert_str_eq(r.out, "");
	ck_assert_ptr_nonnull(strstr(r.err, "\"code\":\"usage\""));
	snprintf(quoted, sizeof(quoted), "'--%s'", option);
	ck_assert_msg(strstr(r.err, quoted) != NULL, "error does not name %s: %s", option, r.err);
	if (strlen(value) > 2)
		ck_assert_msg(strstr(r.err, value) == NULL, "value echoed: %s", r.err);
	tu_run_release(&r);
}

/* Finding 10 of issue 9: " -1" passed the non-negative check and overflow became ULONG_MAX. */
START_TEST(seed_is_strict)
{
	static const char *const bad[] = { " -1", "-1", "+1", "1 ", " 1", "1x", "0x10", "1e3", "",
					   "18446744073709551615", "9223372036854775808",
					   "99999999999999999999999", "1.0", "SECRET42" };

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		const char *args[] = { "solve", "assignment", "--seed", bad[k], NULL };
		expect_usage(args, "seed", bad[k]);
	}
}
END_TEST

START_TEST(seed_range_ends_are_accepted)
{
	static const char *const good[] = { "0", "9223372036854775807" };

	for (size_t k = 0; k < 2; k++) {
		const char *args[] = { "solve", "assignment", "--no-timing", "--seed", good[k], NULL };
		tu_run r;
		run(args, &r);
		ck_assert_int_eq(r.exit_code, 0);
		tu_run_release(&r);
	}
}
END_TEST

START_TEST(integers_are_strict)
{
	static const char *const bad[] = { " 5", "5 ", "+5", "5x", "5.0", "1e1", "0x5", "", "-",
					   "99999999999999999999", "1", "101" };

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		const char *args[] = { "risk", "train", "--folds", bad[k], NULL };
		expect_usage(args, "folds", bad[k]);
	}
}
END_TEST

START_TEST(reals_are_strict)
{
	static const char *const bad[] = { "nan", "NaN", "inf", "-inf", "infinity", " 1", "1 ",
					   "+1", "0x1p3", "1e400", "1e-400", "1e", ".", "-", "1..2",
					   "", "1,5", "-0.5", "1e10" };

	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		const char *args[] = { "risk", "train", "--l2", bad[k], NULL };
		expect_usage(args, "l2", bad[k]);
	}
}
END_TEST

START_TEST(choices_dates_and_strings)
{
	const char *cal[] = { "risk", "train", "--calibration", "Platt", NULL };
	const char *date[] = { "risk", "score", "--as-of", "2024-02-30", NULL };
	const char *date2[] = { "risk", "score", "--as-of", " 2024-02-01", NULL };
	const char *empty[] = { "risk", "score", "--model", "", NULL };
	const char *flag[] = { "risk", "evaluate", "--baselines=yes", NULL };
	tu_run r;

	expect_usage(cal, "calibration", "Platt");
	expect_usage(date, "as-of", "2024-02-30");
	expect_usage(date2, "as-of", " 2024-02-01");
	expect_usage(empty, "model", "");
	expect_usage(flag, "baselines", "yes");
	run(cal, &r);
	ck_assert_ptr_nonnull(strstr(r.err, "platt, isotonic or none"));
	tu_run_release(&r);
}
END_TEST

/* An unknown option written as --name=value names the option only. */
START_TEST(unknown_option_hides_its_value)
{
	const char *args[] = { "solve", "assignment", "--frobnicate=SECRET-VALUE", NULL };
	const char *stray[] = { "solve", "assignment", "SECRET-VALUE", NULL };
	tu_run r;

	run(args, &r);
	ck_assert_int_eq(r.exit_code, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "'--frobnicate'"));
	ck_assert_ptr_null(strstr(r.err, "SECRET"));
	tu_run_release(&r);
	run(stray, &r);
	ck_assert_int_eq(r.exit_code, 2);
	ck_assert_ptr_null(strstr(r.err, "SECRET"));
	tu_run_release(&r);
}
END_TEST

/* --help prints every option of the subcommand with its range and default from the table. */
START_TEST(help_shows_types_ranges_and_defaults)
{
	const char *args[] = { "risk", "evaluate", "--help", NULL };
	tu_run r;

	run(args, &r);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "--bootstrap N"));
	ck_assert_ptr_nonnull(strstr(r.out, "an integer from 0 to 100000; default: 200"));
	ck_assert_ptr_nonnull(strstr(r.out, "a number from 0.01 to 1e+06; default: 20"));
	ck_assert_ptr_nonnull(strstr(r.out, "--seed N"));
	tu_run_release(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("strict");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, seed_is_strict);
	tcase_add_test(tc, seed_range_ends_are_accepted);
	tcase_add_test(tc, integers_are_strict);
	tcase_add_test(tc, reals_are_strict);
	tcase_add_test(tc, choices_dates_and_strings);
	tcase_add_test(tc, unknown_option_hides_its_value);
	tcase_add_test(tc, help_shows_types_ranges_and_defaults);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
