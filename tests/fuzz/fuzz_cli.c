/*
 * fuzz_cli.c: one subcommand's whole input path, in-process: the fuzz input is a line of options
 * followed by the input document,
 *
 *     --jsonl --seed 3\n
 *     {"costs": [[1, 2], [3, 4]]}
 *
 * The document is written to a scratch file and the command runs as
 * `peerlink FUZZ_COMMAND <options> FUZZ_FILE_OPTION <file> --no-timing` (FUZZ_FILE_OPTION is
 * --input, or --params for the generators, or --model for the model-file target, which then
 * reads a fixed client file). Options that name files or print help are dropped, and count
 * options (clients, days, ...) longer than three digits too: a million generated clients is a
 * legitimate slow request, not a finding. Fixtures from datasets/examples/ sit in the scratch
 * folder so that inputs naming data files (.npy, CSV, openESM) reach those readers.
 *
 * Built once per subcommand by tests/fuzz/CMakeLists.txt (FUZZ_COMMAND="risk score", ...).
 */
#define _GNU_SOURCE
#include "fuzz_util.h"

#include <peerlink/error.h>
#include <peerlink/npy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 24
#define MAX_ARGS 48

static const char *const dropped[] = { "input", "output", "params", "model", "help", NULL };
static const char *const counts[] = { "clients", "days", "mentees", "mentors", "bootstrap",
				      "folds", "top", NULL };

static int in_list(const char *const *list, const char *name, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && strncmp(*list, name, len) == 0)
			return 1;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const double m[6] = { 4, 1, 3, 2, 0, 5 };
	pl_error err = PL_ERROR_INIT;
	char *npy;

	(void)argc;
	(void)argv;
	setenv("PEERLINK_MODEL", PL_FUZZ_SRC "/models/default.json", 1);
	fuzz_add_fixture("datasets/examples/checkins.csv", "checkins.csv");
	fuzz_add_fixture("datasets/examples/openesm_0000_example_ts.tsv", "openesm_0000_example_ts.tsv");
	fuzz_add_fixture("datasets/examples/openesm_0000_example_metadata.json",
			 "openesm_0000_example_metadata.json");
	fuzz_add_fixture("tests/cli/dataset_import/bad_cell/data.csv", "data.csv");
	fuzz_add_fixture("tests/cli/solve_assignment/npy_file/costs.npy", "costs.npy");
	npy = fuzz_path("m.npy");
	pl_npy_write_matrix(npy, m, 2, 3, &err);
	free(npy);
	return 0;
}

/* Split the option line into argv words, dropping file and help options (and their values). */
static int option_words(char *line, char **words)
{
	char *save = NULL, *tok;
	int n = 0, skip_value = 0;

	for (tok = strtok_r(line, " \t\r", &save); tok && n < MAX_TOKENS; tok = strtok_r(NULL, " \t\r", &save)) {
		const char *name;
		size_t len;
		if (skip_value) {
			skip_value = 0;
			if (tok[0] != '-')
				continue;
		}
		if (strcmp(tok, "-i") == 0 || strcmp(tok, "-o") == 0 || strcmp(tok, "-h") == 0) {
			skip_value = tok[1] != 'h';
			continue;
		}
		if (strncmp(tok, "--", 2) != 0) {
			words[n++] = tok;
			continue;
		}
		name = tok + 2;
		len = strchr(name, '=') ? (size_t)(strchr(name, '=') - name) : strlen(name);
		if (in_list(dropped, name, len)) {
			skip_value = !strchr(name, '=');
			continue;
		}
		if (in_list(counts, name, len)) {
			const char *v = strchr(name, '=') ? strchr(name, '=') + 1 : strtok_r(NULL, " \t\r", &save);
			if (!v || strlen(v) > 3)
				continue;
			words[n++] = tok;
			if (!strchr(name, '=') && n < MAX_TOKENS)
				words[n++] = (char *)v;
			continue;
		}
		words[n++] = tok;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS], *words[MAX_TOKENS], *cmd, *line, *file, *save = NULL;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t line_len = nl ? (size_t)(nl - data) : 0;
	int argc = 0, nwords, answer_kind = FUZZ_ANSWER_JSON;

	cmd = strdup(FUZZ_COMMAND);
	line = strndup((const char *)data, line_len);
	if (!cmd || !line)
		fuzz_fail("harness", "out of memory");
	if (strlen(line) != line_len) { /* a NUL in the option line: argv cannot carry it */
		free(cmd);
		free(line);
		return 0;
	}
	file = nl ? fuzz_write("input.json", nl + 1, size - line_len - 1) : fuzz_write("input.json", data, size);

	argv[argc++] = "peerlink";
	for (char *w = strtok_r(cmd, " ", &save); w; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	nwords = option_words(line, words);
	for (int k = 0; k < nwords; k++) {
		if (strcmp(words[k], "--jsonl") == 0 && answer_kind == FUZZ_ANSWER_JSON)
			answer_kind = FUZZ_ANSWER_JSONL;
		if ((strcmp(words[k], "--format") == 0 && k + 1 < nwords && strcmp(words[k + 1], "csv") == 0) ||
		    strcmp(words[k], "--format=csv") == 0)
			answer_kind = FUZZ_ANSWER_CSV; /* a CSV roster (match --format csv), not JSON */
		argv[argc++] = words[k];
	}
	argv[argc++] = FUZZ_FILE_OPTION;
	argv[argc++] = file;
#ifdef FUZZ_FIXED_INPUT
	argv[argc++] = "--input";
	argv[argc++] = PL_FUZZ_SRC "/" FUZZ_FIXED_INPUT;
#endif
	argv[argc++] = "--no-timing";
	argv[argc] = NULL;
	fuzz_run_cli(argc, argv, answer_kind);
	free(file);
	free(cmd);
	free(line);
	return 0;
}
