/*
 * test_datadir.c: the data directory (engine/cli/datadir.c) seen from outside. The build tree's
 * program finds models/default.json from any working directory (the build copies models/ into
 * <build>/share/peerlink); $PEERLINK_DATADIR replaces the search, and $PEERLINK_MODEL names the
 * model file. The installed layout is checked by tests/install/check_install.sh.
 */
#define _POSIX_C_SOURCE 200809L
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define COHORT PL_TEST_SRC "/datasets/examples/cohort_20.json"

static void score(tu_run *r)
{
	const char *args[] = { "risk", "score", "--no-timing", "--input", COHORT, NULL };
	ck_assert_int_eq(tu_run_cli(args, NULL, r), 0);
}

/* <folder of the program>/share/peerlink */
static void build_datadir(char *buf, size_t size)
{
	char *slash;
	snprintf(buf, size, "%s", PL_TEST_BIN);
	slash = strrchr(buf, '/');
	ck_assert_ptr_nonnull(slash);
	snprintf(slash, size - (size_t)(slash - buf), "/share/peerlink");
}

START_TEST(build_tree_finds_the_default_model_from_anywhere)
{
	tu_run r;

	unsetenv("PEERLINK_DATADIR");
	unsetenv("PEERLINK_MODEL");
	ck_assert_int_eq(chdir("/"), 0);
	score(&r);
	ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "\"tier\":"));
	tu_run_release(&r);
}
END_TEST

START_TEST(datadir_variable_replaces_the_search)
{
	char dir[4096];
	tu_run r;

	unsetenv("PEERLINK_MODEL");
	setenv("PEERLINK_DATADIR", "/nonexistent/peerlink-data", 1);
	score(&r);
	ck_assert_int_eq(r.exit_code, 1);
	ck_assert_str_eq(r.out, "");
	ck_assert_ptr_nonnull(strstr(r.err, "no default model found"));
	tu_run_release(&r);

	build_datadir(dir, sizeof(dir));
	setenv("PEERLINK_DATADIR", dir, 1);
	score(&r);
	ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
	tu_run_release(&r);
	unsetenv("PEERLINK_DATADIR");
}
END_TEST

START_TEST(model_variable_names_the_file)
{
	tu_run r;

	setenv("PEERLINK_DATADIR", "/nonexistent/peerlink-data", 1);
	setenv("PEERLINK_MODEL", PL_TEST_SRC "/models/default.json", 1);
	score(&r);
	ck_assert_msg(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
	tu_run_release(&r);
	setenv("PEERLINK_MODEL", "/nonexistent/model.json", 1);
	score(&r);
	ck_assert_int_ne(r.exit_code, 0);
	ck_assert_str_eq(r.out, "");
	tu_run_release(&r);
	unsetenv("PEERLINK_MODEL");
	unsetenv("PEERLINK_DATADIR");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("datadir");
	TCase *tc = tcase_create("datadir");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, build_tree_finds_the_default_model_from_anywhere);
	tcase_add_test(tc, datadir_variable_replaces_the_search);
	tcase_add_test(tc, model_variable_names_the_file);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
