/*
 * testutil.h: helpers shared by the Check suites: a seeded generator for test instances that
 * needs no global state, and a way to run the peerlink CLI and capture what it printed.
 */
#ifndef PEERLINK_TESTUTIL_H
#define PEERLINK_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* splitmix64: small, seedable, and identical on every platform. */
typedef struct tu_rng { uint64_t state; } tu_rng;
uint64_t tu_next(tu_rng *r);
double tu_uniform(tu_rng *r);          /* [0, 1) */
long tu_range(tu_rng *r, long lo, long hi); /* inclusive */

typedef struct tu_run {
	int exit_code;
	char *out; /* stdout, NUL-terminated, malloc'ed */
	char *err; /* stderr */
} tu_run;

/* Run the CLI (PL_TEST_BIN) with argv (NULL-terminated, without argv[0]) and `input` on stdin. */
int tu_run_cli(const char *const *args, const char *input, tu_run *run);
void tu_run_release(tu_run *run);

/* Write `text` to a fresh temporary file; returns its malloc'ed path. */
char *tu_write_temp(const char *text, const char *suffix);

#endif
