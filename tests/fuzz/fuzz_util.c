/*
 * fuzz_util.c: the scratch folder, in-process CLI runs with captured output, and the checks
 * every answer must pass (see fuzz_util.h).
 *
 * Output is captured by pointing the `stdout` and `stderr` streams at memory streams for the
 * length of one run (glibc lets a program assign them). The file descriptors stay as they are,
 * so libFuzzer's and the sanitizers' reports still reach the terminal.
 */
#define _GNU_SOURCE
#include "fuzz_util.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_main(int argc, char **argv);

static char scratch[64];

void fuzz_fail(const char *what, const char *detail)
{
	fprintf(stderr, "FUZZ CHECK FAILED: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

static void remove_scratch(void)
{
	DIR *d = opendir(scratch);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[512];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", scratch, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(scratch);
}

const char *fuzz_dir(void)
{
	if (!scratch[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(scratch, sizeof(scratch), "%s/plfuzz.XXXXXX", tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
		if (!mkdtemp(scratch))
			fuzz_fail("harness", "cannot create the scratch folder");
		atexit(remove_scratch);
	}
	return scratch;
}

char *fuzz_path(const char *name)
{
	const char *dir = fuzz_dir();
	char *p = malloc(strlen(dir) + strlen(name) + 2);
	if (!p)
		fuzz_fail("harness", "out of memory");
	sprintf(p, "%s/%s", dir, name);
	return p;
}

char *fuzz_write(const char *name, const void *data, size_t size)
{
	char *p = fuzz_path(name);
	FILE *f = fopen(p, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		fuzz_fail("harness", "cannot write the scratch file");
	return p;
}

void fuzz_add_fixture(const char *src_rel, const char *name)
{
	char src[1024], buf[65536];
	FILE *in, *out;
	size_t n;
	char *dst;

	snprintf(src, sizeof(src), "%s/%s", PL_FUZZ_SRC, src_rel);
	in = fopen(src, "rb");
	if (!in)
		return;
	dst = fuzz_path(name);
	out = fopen(dst, "wb");
	free(dst);
	if (!out) {
		fclose(in);
		return;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
}

static int rc_for_code(const char *code)
{
	if (strcmp(code, "usage") == 0)
		return 2;
	if (strcmp(code, "invalid_input") == 0)
		return 3;
	if (strcmp(code, "infeasible") == 0)
		return 4;
	if (strcmp(code, "io_error") == 0 || strcmp(code, "out_of_memory") == 0 ||
	    strcmp(code, "internal") == 0)
		return 1;
	return -1;
}

static void check_error(const char *err, size_t len, int rc)
{
	json_error_t jerr;
	json_t *doc, *e, *code, *msg, *ptr;

	if (len == 0 || err[len - 1] != '\n' || memchr(err, '\n', len) != err + len - 1)
		fuzz_fail("stderr is not exactly one line", NULL);
	doc = json_loadb(err, len, 0, &jerr);
	if (!doc)
		fuzz_fail("stderr is not JSON", jerr.text);
	e = json_object_get(doc, "error");
	code = json_object_get(e, "code");
	msg = json_object_get(e, "message");
	ptr = json_object_get(e, "pointer");
	if (!json_is_string(code) || !json_is_string(msg) || !json_is_string(ptr))
		fuzz_fail("error object lacks code, message or pointer", err);
	if (json_string_length(msg) == 0)
		fuzz_fail("empty error message", NULL);
	if (json_string_length(ptr) > 0 && json_string_value(ptr)[0] != '/')
		fuzz_fail("pointer is not a JSON Pointer", err);
	if (rc_for_code(json_string_value(code)) != rc)
		fuzz_fail("error code does not match the exit code", err);
	json_decref(doc);
}

static void check_answer(const char *out, size_t len, int answer_kind)
{
	json_error_t jerr;
	json_t *doc;

	if (answer_kind == FUZZ_ANSWER_CSV) {
		if (len == 0 || out[len - 1] != '\n')
			fuzz_fail("a CSV answer is empty or lacks its final newline", NULL);
		return;
	}
	if (answer_kind == FUZZ_ANSWER_JSON) {
		if (len == 0)
			fuzz_fail("exit 0 with no answer", NULL);
		doc = json_loadb(out, len, 0, &jerr);
		if (!doc)
			fuzz_fail("the answer is not JSON", jerr.text);
		json_decref(doc);
		return;
	}
	for (const char *p = out, *end = out + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			fuzz_fail("JSON Lines answer without a final newline", NULL);
		doc = json_loadb(p, (size_t)(nl - p), 0, &jerr);
		if (!doc)
			fuzz_fail("a JSON Lines record is not JSON", jerr.text);
		json_decref(doc);
		p = nl + 1;
	}
}

int fuzz_run_cli(int argc, char **argv, int answer_kind)
{
	return fuzz_run_cli_answer(argc, argv, answer_kind, NULL, NULL);
}

int fuzz_run_cli_answer(int argc, char **argv, int answer_kind, char **answer, size_t *answer_len)
{
	FILE *saved_out = stdout, *saved_err = stderr;
	char *out = NULL, *err = NULL;
	size_t out_len = 0, err_len = 0;
	int rc;

	stdout = open_memstream(&out, &out_len);
	stderr = open_memstream(&err, &err_len);
	if (!stdout || !stderr)
		fuzz_fail("harness", "open_memstream failed");
	rc = cli_main(argc, argv);
	fclose(stdout);
	fclose(stderr);
	stdout = saved_out;
	stderr = saved_err;

	if (rc < 0 || rc > 4)
		fuzz_fail("exit code outside 0-4", NULL);
	if (rc == 0) {
		if (err_len)
			fuzz_fail("exit 0 with output on stderr", err);
		check_answer(out, out_len, answer_kind);
	} else {
		if (out_len && answer_kind != FUZZ_ANSWER_JSONL)
			fuzz_fail("output on stdout with a non-zero exit", NULL);
		check_error(err, err_len, rc);
	}
	if (answer) {
		*answer = out;
		*answer_len = out_len;
	} else {
		free(out);
	}
	free(err);
	return rc;
}
