/*
 * cli.h: what every `peerlink` subcommand shares: the context it runs in, the dispatch-table
 * entry it is registered with, and its I/O helpers. Field access lives in the library's JSON
 * layer (peerlink/json.h).
 *
 * Adding a subcommand: write `int cmd_<command>_<sub>(cli_ctx *ctx)` in engine/cli/<command>_<sub>.c,
 * declare it below, and add one row to the table in main.c. A subcommand reads its input with
 * cli_read_input(), converts it to arrays (freeing the JSON tree as soon as it can), calls the
 * library, and hands its answer to cli_write_output(). It returns an exit code; on failure it
 * leaves the reason in ctx->err and main() prints it.
 *
 * Ownership: cli_read_input returns a new reference the caller decrefs; cli_write_output steals
 * the reference it is given.
 */
#ifndef PEERLINK_CLI_H
#define PEERLINK_CLI_H

#include <stddef.h>
#include <jansson.h>
#include <peerlink/error.h>
#include <peerlink/json.h>

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1,    /* internal or I/O failure */
	CLI_EXIT_USAGE = 2,      /* unknown option or subcommand */
	CLI_EXIT_INVALID = 3,    /* invalid input data */
	CLI_EXIT_INFEASIBLE = 4  /* well-formed request with no solution, where that is an error */
};

#define CLI_MAX_EXTRA 12

/* A subcommand-specific option, declared as data in the dispatch table. */
typedef struct cli_option {
	const char *name;  /* long name without "--" */
	int takes_value;   /* 1: --name VALUE, 0: a flag */
	const char *help;
} cli_option;

struct cli_ctx;
typedef int (*cli_fn)(struct cli_ctx *ctx);

typedef struct cli_command {
	const char *command;    /* "solve" */
	const char *subcommand; /* "assignment", or NULL for a command without subcommands */
	cli_fn run;
	const char *summary;
	cli_option extra[CLI_MAX_EXTRA]; /* terminated by a zero row */
} cli_command;

typedef struct cli_ctx {
	const cli_command *cmd;
	const char *input_path;  /* NULL: stdin */
	const char *output_path; /* NULL: stdout */
	int pretty;
	int no_timing;  /* report *_ms as 0, so runs can be compared byte for byte */
	int jsonl;
	int have_seed;
	unsigned long seed;
	const char *extra_value[CLI_MAX_EXTRA]; /* value (or "1" for flags) per cmd->extra row */
	double parse_ms;
	pl_error err;
	long err_line, err_column; /* set for JSON syntax errors (1-based), else 0 */
} cli_ctx;

/* ---- provided by main.c ---- */
/* Run `peerlink argv[1..]`; returns the exit code, never exits (the fuzz targets call it). */
int cli_main(int argc, char **argv);

/* ---- provided by io.c ---- */
int cli_read_input(cli_ctx *ctx, json_t **out);
int cli_write_output(cli_ctx *ctx, json_t *doc);
int cli_exit_for(pl_status st);
int cli_fail(cli_ctx *ctx, pl_status st, const char *pointer, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;
void cli_print_error(const pl_error *err, long line, long column); /* line 0: none */
double cli_now_ms(void);
double cli_ms(const cli_ctx *ctx, double ms); /* 0 under --no-timing */
const char *cli_extra(const cli_ctx *ctx, const char *name); /* NULL when not given */
/* Resolve a path named inside the input document: relative to the input file's folder. */
char *cli_resolve_path(const cli_ctx *ctx, const char *path);

/* ---- provided by matrix.c ---- */
/*
 * A dense matrix field: an array of equal-length arrays of finite numbers or null, or
 * {"npy": FILE}. null (and NaN in .npy) becomes `missing`; the matrix is malloc'ed row-major.
 */
pl_status cli_read_matrix(cli_ctx *ctx, json_t *value, const char *ptr, double missing,
			  double **data, size_t *rows, size_t *cols, pl_error *err);

/* ---- provided by profile_json.c (profiles for compat and the matchers) ---- */
#include <peerlink/compat.h>
/* Read doc[key], an array of profiles, into P (pointers /key/k/...); idx[k] is the population
 * index of the k-th profile (malloc'ed, also on failure: free it). is_mentor: accept "capacity". */
pl_status cli_parse_profiles(json_t *doc, const char *key, int required, int is_mentor,
			     pl_profiles *P, size_t **idx, size_t *n, pl_error *err);
/* "weights" and "constraints" of doc into prm (defaults for what is absent). */
pl_status cli_parse_compat_params(json_t *doc, pl_compat_params *prm, pl_error *err);
/* {"summary": text, "contributions": {criterion: number}, "shared": {criterion: [tags]}} for the
 * pair (a, b); numbers rounded to 1/scale. */
json_t *cli_pair_reasons(const pl_profiles *P, const pl_compat_params *prm, size_t a, size_t b,
			 double scale);
double cli_round(double x, double scale);

/* ---- subcommands ---- */
int cmd_solve_assignment(cli_ctx *ctx);
int cmd_risk_ews(cli_ctx *ctx);
int cmd_dataset_generate_checkins(cli_ctx *ctx);
int cmd_dataset_generate_profiles(cli_ctx *ctx);
int cmd_dataset_import(cli_ctx *ctx);
int cmd_risk_evaluate(cli_ctx *ctx);
int cmd_risk_train(cli_ctx *ctx);
int cmd_risk_score(cli_ctx *ctx);
int cmd_solve_matching(cli_ctx *ctx);
int cmd_compat(cli_ctx *ctx);
int cmd_match_mentors(cli_ctx *ctx);
int cmd_match_buddies(cli_ctx *ctx);
int cmd_match_groups(cli_ctx *ctx);

#endif
