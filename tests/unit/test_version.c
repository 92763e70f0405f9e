/*
 * test_version.c: the version macros (generated from CMake's project(VERSION)) agree with each
 * other, with pl_version() of the library this test loads, and with `peerlink --version`. It
 * includes the umbrella header, so a public header that does not compile on its own next to the
 * others fails here.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/peerlink.h>

#include "testutil.h"

START_TEST(macros_agree_with_the_library)
{
	char built[64];

	snprintf(built, sizeof(built), "%d.%d.%d", PEERLINK_VERSION_MAJOR, PEERLINK_VERSION_MINOR,
		 PEERLINK_VERSION_PATCH);
	ck_assert_str_eq(built, PEERLINK_VERSION_STRING);
	ck_assert_str_eq(pl_version(), PEERLINK_VERSION_STRING);
	ck_assert_int_ge(PEERLINK_VERSION_MAJOR, 0);
	ck_assert_int_ge(PEERLINK_VERSION_MINOR, 0);
	ck_assert_int_ge(PEERLINK_VERSION_PATCH, 0);
}
END_TEST

START_TEST(cli_reports_the_library_version)
{
	const char *args[] = { "--version", NULL };
	tu_run r;

	ck_assert_int_eq(tu_run_cli(args, NULL, &r), 0);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_str_eq(r.out, "peerlink " PEERLINK_VERSION_STRING "\n");
	tu_run_release(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("version");
	TCase *tc = tcase_create("version");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, macros_agree_with_the_library);
	tcase_add_test(tc, cli_reports_the_library_version);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
