/*
 * fuzz_util.h: what every fuzz target shares: a private scratch folder per process (input files
 * are written there, and files named inside inputs resolve there), capturing what a command
 * prints, and the checks every answer must pass whatever the input (the targets' oracle).
 *
 * Every target is also built without libFuzzer into a replay program (replay.c) that feeds saved
 * inputs to the same LLVMFuzzerTestOneInput: those run in ctest with the normal compiler.
 */
#ifndef PEERLINK_FUZZ_UTIL_H
#define PEERLINK_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The scratch folder (created on first use, removed at exit) and a path inside it (static
 * buffer per call site: copy it if you keep it). */
const char *fuzz_dir(void);
char *fuzz_path(const char *name); /* malloc'ed "<dir>/<name>" */
/* Write size bytes to <dir>/<name>; returns the malloc'ed path (aborts on failure: the harness,
 * not the code under test, failed). */
char *fuzz_write(const char *name, const void *data, size_t size);
/* Copy fixture files from the source tree into the scratch folder (paths relative to the
 * source root; missing ones are skipped). */
void fuzz_add_fixture(const char *src_rel, const char *name);

/* Run `peerlink argv...` in-process with stdout and stderr captured, then check the result: an
 * exit code 0-4, an answer of valid JSON on success (one document, or JSON Lines under
 * --jsonl), nothing on stdout on failure (unless streaming), and exactly one error object with a
 * code matching the exit code. A violated check aborts with a message (a finding). Returns the
 * exit code. */
int fuzz_run_cli(int argc, char **argv, int answer_kind);
/* The same, also handing back what the command printed on stdout (malloc'ed, NUL-terminated;
 * the caller frees it) for a target's own checks of the answer. */
int fuzz_run_cli_answer(int argc, char **argv, int answer_kind, char **answer, size_t *answer_len);

/* The kind of answer fuzz_run_cli expects: one JSON document, JSON Lines (--jsonl), or a CSV
 * roster (match --format csv). */
#define FUZZ_ANSWER_JSON 0
#define FUZZ_ANSWER_JSONL 1
#define FUZZ_ANSWER_CSV 2

/* Abort with a message: the fuzzer records the input. */
void fuzz_fail(const char *what, const char *detail) __attribute__((noreturn));

#endif
