/*
 * test_cli.c: the CLI contract that golden files cannot express: output files appear whole or
 * not at all (also when the disk refuses a write), are private to their owner, runs repeat byte
 * for byte, and errors never leak input values.
 */
#define _DEFAULT_SOURCE
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static char tmpdir[64];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pl_cli_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char path[512];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(tmpdir);
}

static int count_files(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		len = 0;
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	fputs(text, f);
	fclose(f);
}

static const char *square3 = "{\"costs\": [[4, 1, 3], [2, 0, 5], [3, 2, 2]]}";

START_TEST(output_file_matches_stdout_and_is_private)
{
	char out[128];
	const char *to_stdout[] = { "solve", "assignment", "--no-timing", NULL };
	const char *to_file[] = { "solve", "assignment", "--no-timing", "--output", out, NULL };
	tu_run a, b;
	struct stat st;
	char *text;

	make_tmpdir();
	snprintf(out, sizeof(out), "%s/answer.json", tmpdir);
	ck_assert_int_eq(tu_run_cli(to_stdout, square3, &a), 0);
	ck_assert_int_eq(tu_run_cli(to_file, square3, &b), 0);
	ck_assert_int_eq(b.exit_code, 0);
	ck_assert_str_eq(b.out, "");
	text = read_file(out);
	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text, a.out);
	ck_assert_int_eq(stat(out, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(count_files(), 1); /* no temporary file left behind */
	free(text);
	tu_run_release(&a);
	tu_run_release(&b);
	remove_tmpdir();
}
END_TEST

START_TEST(failed_run_leaves_existing_output_untouched)
{
	char out[128];
	const char *args[] = { "solve", "assignment", "--output", out, NULL };
	tu_run r;
	char *text;

	make_tmpdir();
	snprintf(out, sizeof(out), "%s/answer.json", tmpdir);
	write_file(out, "previous answer\n");
	ck_assert_int_eq(tu_run_cli(args, "{\"costs\": [[1, 2], [3]]}", &r), 0);
	ck_assert_int_eq(r.exit_code, 3);
	text = read_file(out);
	ck_assert_str_eq(text, "previous answer\n");
	ck_assert_int_eq(count_files(), 1);
	free(text);
	tu_run_release(&r);
	remove_tmpdir();
}
END_TEST

/* The file-size limit makes the write itself fail part-way: no partial file may appear. */
START_TEST(write_failure_leaves_no_partial_file)
{
	char out[128], in[128], big[8192];
	size_t len = 0;
	pid_t pid;
	int status;
	char *text;

	make_tmpdir();
	snprintf(out, sizeof(out), "%s/answer.json", tmpdir);
	snprintf(in, sizeof(in), "%s/input.json", tmpdir);
	len += (size_t)snprintf(big + len, sizeof(big) - len, "{\"costs\": [");
	for (int i = 0; i < 40; i++)
		len += (size_t)snprintf(big + len, sizeof(big) - len, "%s[%d, %d]", i ? ", " : "", i, 40 - i);
	snprintf(big + len, sizeof(big) - len, "], \"capacities\": [20, 20]}");
	write_file(in, big);
	write_file(out, "previous answer\n");
	pid = fork();
	if (pid == 0) {
		struct rlimit lim = { 200, 200 }; /* larger than the input, smaller than the answer */
		char *argv[] = { (char *)PL_TEST_BIN, "solve", "assignment", "--pretty", "--input", in,
				 "--output", out, NULL };
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &lim);
		freopen("/dev/null", "w", stderr);
		execv(PL_TEST_BIN, argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	text = read_file(out);
	ck_assert_str_eq(text, "previous answer\n");
	ck_assert_int_eq(count_files(), 2); /* input and the old answer, nothing else */
	free(text);
	remove_tmpdir();
}
END_TEST

START_TEST(unwritable_output_is_an_io_error)
{
	char out[160], blocker[128];
	const char *args[] = { "solve", "assignment", "--output", out, NULL };
	tu_run r;

	make_tmpdir();
	/* A regular file where a folder should be: fails even for root. */
	snprintf(blocker, sizeof(blocker), "%s/file", tmpdir);
	write_file(blocker, "x");
	snprintf(out, sizeof(out), "%s/answer.json", blocker);
	ck_assert_int_eq(tu_run_cli(args, square3, &r), 0);
	ck_assert_int_eq(r.exit_code, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "\"code\":\"io_error\""));
	ck_assert_str_eq(r.out, "");
	ck_assert_int_eq(count_files(), 1);
	tu_run_release(&r);
	remove_tmpdir();
}
END_TEST

START_TEST(same_input_same_bytes)
{
	const char *args[] = { "solve", "assignment", "--no-timing", NULL };
	char input[65536];
	size_t len = 0;
	tu_rng g = { 99 };
	tu_run a, b;

	len += (size_t)snprintf(input + len, sizeof(input) - len, "{\"scores\": [");
	for (int i = 0; i < 60; i++) {
		len += (size_t)snprintf(input + len, sizeof(input) - len, "%s[", i ? "," : "");
		for (int j = 0; j < 60; j++)
			len += (size_t)snprintf(input + len, sizeof(input) - len, "%s%.6f", j ? "," : "",
						tu_uniform(&g));
		len += (size_t)snprintf(input + len, sizeof(input) - len, "]");
	}
	snprintf(input + len, sizeof(input) - len, "]}");
	ck_assert_int_eq(tu_run_cli(args, input, &a), 0);
	ck_assert_int_eq(tu_run_cli(args, input, &b), 0);
	ck_assert_int_eq(a.exit_code, 0);
	ck_assert_str_eq(a.out, b.out);
	tu_run_release(&a);
	tu_run_release(&b);
}
END_TEST

START_TEST(errors_never_echo_values)
{
	const char *args[] = { "solve", "assignment", NULL };
	const char *inputs[] = {
		"{\"costs\": [[1, \"SECRET-NOTE\"]]}",
		"{\"costs\": [[1, SECRETTOKEN]]}",
		"{\"costs\": [[1, 2]], \"capacities\": [\"SECRET-NOTE\", 1]}",
		"{\"costs\": {\"npy\": \"SECRET-NOTE.npy\"}}",
	};

	for (size_t k = 0; k < sizeof(inputs) / sizeof(inputs[0]); k++) {
		tu_run r;
		ck_assert_int_eq(tu_run_cli(args, inputs[k], &r), 0);
		ck_assert_int_ne(r.exit_code, 0);
		ck_assert_msg(strstr(r.err, "SECRET") == NULL, "value leaked: %s", r.err);
		ck_assert_ptr_nonnull(strstr(r.err, "\"pointer\":"));
		tu_run_release(&r);
	}
}
END_TEST

START_TEST(help_version_and_usage)
{
	const char *help[] = { "--help", NULL }, *version[] = { "--version", NULL }, *none[] = { NULL };
	const char *cmd_help[] = { "solve", "--help", NULL };
	const char *sub_help[] = { "solve", "assignment", "--help", NULL };
	const char *bad_seed[] = { "solve", "assignment", "--seed", "-3", NULL };
	tu_run r;

	tu_run_cli(help, NULL, &r);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "solve"));
	tu_run_release(&r);
	tu_run_cli(version, NULL, &r);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_int_eq(strncmp(r.out, "peerlink ", 9), 0);
	tu_run_release(&r);
	tu_run_cli(none, NULL, &r);
	ck_assert_int_eq(r.exit_code, 2);
	tu_run_release(&r);
	tu_run_cli(cmd_help, NULL, &r);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "assignment"));
	tu_run_release(&r);
	tu_run_cli(sub_help, NULL, &r);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "--output"));
	tu_run_release(&r);
	tu_run_cli(bad_seed, "{}", &r);
	ck_assert_int_eq(r.exit_code, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "\"code\":\"usage\""));
	tu_run_release(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("contract");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, output_file_matches_stdout_and_is_private);
	tcase_add_test(tc, failed_run_leaves_existing_output_untouched);
	tcase_add_test(tc, write_failure_leaves_no_partial_file);
	tcase_add_test(tc, unwritable_output_is_an_io_error);
	tcase_add_test(tc, same_input_same_bytes);
	tcase_add_test(tc, errors_never_echo_values);
	tcase_add_test(tc, help_version_and_usage);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
