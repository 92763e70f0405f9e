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
#include <stdio.h>
#include <jansson.h>
#include <peerlink/error.h>
#include <peerlink/json.h>
#include <peerlink/json_match.h>

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1,    /* internal or I/O failure */
	CLI_EXIT_USAGE = 2,      /* unknown option or subcommand */
	CLI_EXIT_INVALID = 3,    /* invalid input data */
	CLI_EXIT_INFEASIBLE = 4  /* well-formed request with no solution, where that is an error */
};

#define CLI_MAX_EXTRA 20

/*
 * Options are declared as data (after git's parse-options): each row says the option's type, its
 * range and its default. main.c parses and validates the whole command line against the table
 * once, before the subcommand runs (a bad value is a usage error, exit 2, naming the option and
 * never echoing the value); the subcommand then reads typed values with cli_opt_*(), the default
 * applied. The man page and --help are printed from the same rows, so they cannot fall behind.
 *
 * Numbers are strict: an integer is an optional '-' and decimal digits only (no spaces, no '+',
 * no trailing characters) and must lie in [imin, imax]; a real is a plain decimal number
 * (digits, '.', an exponent), finite, in [rmin, rmax]; overflow is out of range.
 */
typedef enum cli_opt_type {
	CLI_OPT_FLAG,   /* --name: no value */
	CLI_OPT_INT,    /* --name N: an integer in [imin, imax] */
	CLI_OPT_REAL,   /* --name X: a finite number in [rmin, rmax], or one of `choices` when
			   given ("auto": then i = the word's index + 1 and r = NaN; 0 for numbers) */
	CLI_OPT_STRING, /* --name FILE: a non-empty text */
	CLI_OPT_CHOICE, /* --name WORD: one of `choices` ("platt|isotonic|none") */
	CLI_OPT_DATE    /* --name DATE: a calendar date YYYY-MM-DD */
} cli_opt_type;

typedef struct cli_option {
	const char *name;     /* long name without "--" */
	cli_opt_type type;
	const char *metavar;  /* value placeholder in help and the man page ("N", "FILE") */
	long long imin, imax; /* CLI_OPT_INT range, inclusive */
	double rmin, rmax;    /* CLI_OPT_REAL range, inclusive */
	const char *choices;  /* CLI_OPT_CHOICE: the accepted words, '|'-separated; CLI_OPT_REAL:
				 words accepted besides numbers (NULL: none) */
	const char *dflt;     /* default, written as on the command line; NULL: none */
	const char *dflt_doc; /* for the help: a default that is not a constant ("the input's") */
	const char *help;
} cli_option;

/* Table rows: CLI_INT("folds", "K", 2, 100, "5", "cross-validation folds"). */
#define CLI_FLAG(n, h) { .name = (n), .type = CLI_OPT_FLAG, .help = (h) }
#define CLI_INT(n, mv, lo, hi, d, h) \
	{ .name = (n), .type = CLI_OPT_INT, .metavar = (mv), .imin = (lo), .imax = (hi), .dflt = (d), \
	  .help = (h) }
#define CLI_REAL(n, mv, lo, hi, d, h) \
	{ .name = (n), .type = CLI_OPT_REAL, .metavar = (mv), .rmin = (lo), .rmax = (hi), .dflt = (d), \
	  .help = (h) }
#define CLI_REAL_OR(n, mv, lo, hi, words, d, h) \
	{ .name = (n), .type = CLI_OPT_REAL, .metavar = (mv), .rmin = (lo), .rmax = (hi), \
	  .choices = (words), .dflt = (d), .help = (h) }
#define CLI_STRING(n, mv, d, h) \
	{ .name = (n), .type = CLI_OPT_STRING, .metavar = (mv), .dflt = (d), .help = (h) }
#define CLI_CHOICE(n, ch, d, h) \
	{ .name = (n), .type = CLI_OPT_CHOICE, .metavar = "WORD", .choices = (ch), .dflt = (d), \
	  .help = (h) }
#define CLI_DATE(n, d, h) { .name = (n), .type = CLI_OPT_DATE, .metavar = "DATE", .dflt = (d), .help = (h) }

/* A parsed option value. */
typedef struct cli_value {
	int given;      /* 1: on the command line; 0: absent (the default, if any, is filled in) */
	int set;        /* given, or a default applies */
	long long i;    /* INT; DATE as days since 1970-01-01; CHOICE as the word's index; FLAG 1 */
	double r;       /* REAL */
	const char *s;  /* the text (STRING, CHOICE, DATE): argv or the table's default */
} cli_value;

struct cli_ctx;
typedef int (*cli_fn)(struct cli_ctx *ctx);

typedef struct cli_command {
	const char *command;    /* "solve" */
	const char *subcommand; /* "assignment", or NULL for a command without subcommands */
	cli_fn run;
	const char *summary;    /* one line, for --help */
	const char *description; /* a paragraph for the man page (NULL: the summary alone) */
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
	unsigned long seed; /* --seed, from 0 to 2^63 - 1 (what a JSON "seed" can hold) */
	cli_value extra[CLI_MAX_EXTRA]; /* per cmd->extra row */
	double parse_ms;
	pl_error err;
	long err_line, err_column; /* set for JSON syntax errors (1-based), else 0 */
	/* A JSON Lines record being run as a whole request (records.c): cli_read_input hands over
	 * `record_in` (stolen) instead of reading --input, and cli_write_output leaves the compact
	 * answer in `record_out` (malloc'ed) instead of writing it. */
	int in_record;
	json_t *record_in;
	char *record_out;
} cli_ctx;

/* ---- provided by process.c ---- */
/* The process-wide choices of our programs (malloc keeps freed memory; OpenBLAS on one thread),
 * first thing in main() of both peerlink and peerlink-mpi; never in the library. */
void cli_process_setup(void);
/* The processors this process may run on (its CPU affinity mask; else the online ones), >= 1. */
int cli_processors(void);

/* ---- provided by main.c ---- */
/* Run `peerlink argv[1..]`; returns the exit code, never exits (the fuzz targets call it). */
int cli_main(int argc, char **argv);
/* How a parsed and validated command runs: an exit code, ctx->err set on failure. cli_main uses
 * cli_run_default (the command's function, or once per line for a --jsonl record command);
 * peerlink-mpi (engine/cli/mpi_main.c) passes its own, which spreads the heavy commands over MPI
 * ranks and falls back to cli_run_default for the others. */
typedef int (*cli_runner)(cli_ctx *ctx);
int cli_main_with(int argc, char **argv, cli_runner runner);
int cli_run_default(cli_ctx *ctx);
/* 1: a command that reads one document and writes one answer, which with --jsonl runs once per
 * input line (the match commands; the list is in main.c). */
int cli_jsonl_records(const cli_command *cmd);

/* ---- provided by records.c: --jsonl for one-document commands ----
 * One record: `text` (len bytes, the index-th line, 0-based) run through the record function;
 * *answer gets the answer line (malloc'ed, no newline) or NULL for a line with no answer (blank),
 * and *key (when key is not NULL) a malloc'ed key that must be unique in the run (a client id) or
 * NULL. Returns an exit code with ctx->err (and err_line/err_column) set on failure. */
typedef int (*cli_record_fn)(void *state, cli_ctx *ctx, const char *text, size_t len,
			     size_t index, char **answer, char **key);
/* The record function of a jsonl_records command: parse the line as a request, run the command
 * on it, take its answer. Errors name the line: syntax errors by line and column, the others by
 * a pointer prefixed with "/<index>". state is unused. */
int cli_record_document(void *state, cli_ctx *ctx, const char *text, size_t len, size_t index,
			char **answer, char **key);
/* A line holding only spaces, tabs and line ends: skipped (but counted). */
int cli_record_blank(const char *text, size_t len);
/* Read --input as JSON Lines and write each record's answer as one line, in input order, flushed
 * per line; the first failing line (or a read error) ends the run: its error is the answer, the
 * lines before it are out (on a stream) or nothing is (an output file is never partial). */
int cli_run_lines(cli_ctx *ctx, cli_record_fn fn, void *state);

/* ---- provided by options.c ---- */
/* Parse and validate one option value against its row (err names the option, never the value). */
pl_status cli_opt_parse(const cli_option *opt, const char *text, cli_value *out, pl_error *err);
/* A table row is well formed: help text, a metavar for valued types, a non-empty range,
 * choices for CLI_OPT_CHOICE, a default that parses (`peerlink --man` checks every row). */
pl_status cli_opt_check_row(const cli_option *opt, pl_error *err);
/* Typed access to the subcommand's options, by name. */
int cli_opt_given(const cli_ctx *ctx, const char *name); /* on the command line */
int cli_opt_flag(const cli_ctx *ctx, const char *name);
long long cli_opt_int(const cli_ctx *ctx, const char *name);  /* INT, DATE, CHOICE (index) */
double cli_opt_real(const cli_ctx *ctx, const char *name);
const char *cli_opt_str(const cli_ctx *ctx, const char *name); /* NULL: absent, no default */
/* "an integer from 2 to 100", "platt, isotonic or none", ...: what the option accepts. */
void cli_opt_describe(const cli_option *opt, char *buf, size_t size);

/* ---- provided by man.c ---- */
#include <stdio.h>
/* The peerlink(1) page (roff) for the table `cmds` and the common options (`peerlink --man`). */
void cli_print_man(FILE *f, const cli_command *cmds, size_t n, const cli_option *common);

/* ---- provided by datadir.c ---- */
/* The readable file `rel` ("models/default.json") in the data directory, malloc'ed, or NULL:
 * $PEERLINK_DATADIR, else found relative to the program (an install or a build tree), else the
 * configured <prefix>/share/peerlink (search order in datadir.c and peerlink(1) FILES). */
char *cli_data_file(const char *rel);

/* ---- provided by io.c ---- */
int cli_read_input(cli_ctx *ctx, json_t **out);
/* --input (or stdin) opened for reading; a directory is an io_error that says so. */
int cli_open_input(cli_ctx *ctx, FILE **f);
void cli_close_input(FILE *f); /* leaves stdin open */
/* A failed read of the input as the error to report (an exit code; ctx->err set): a read error
 * (read_errno != 0) is io_error, memory running out (alloc_errno: errno after the load) is
 * out_of_memory, anything else a JSON syntax error with line and column whose text quotes no
 * input. line > 0: JSON Lines, that 1-based line. */
int cli_load_failed(cli_ctx *ctx, const json_error_t *jerr, int alloc_errno, int read_errno,
		    long line);
/* The JSON document in a file other than the input (an option's file; `what` names it in
 * messages, `ptr` is the pointer errors carry): the same classification. */
int cli_load_file(cli_ctx *ctx, const char *path, const char *what, const char *ptr, json_t **out);
/* The same from a file already open (closed here), e.g. one from cli_open_named. */
int cli_load_stream(cli_ctx *ctx, FILE *f, const char *what, const char *ptr, json_t **out);
int cli_write_output(cli_ctx *ctx, json_t *doc);
/* Read the input document and hand it to `read`, which fills `program` (a JSON-layer reader);
 * the document is freed as soon as the reader returns and the time goes to ctx->parse_ms.
 * Returns an exit code (CLI_EXIT_OK, or the failure's, with ctx->err filled). */
typedef pl_status (*cli_program_reader)(json_t *doc, void *program, pl_error *err);
int cli_read_program(cli_ctx *ctx, cli_program_reader read, void *program);
/* jansson's allocations served from an arena for a span of code whose jansson values all die
 * inside it (engine/cli/json_arena.c: much cheaper for large requests and answers). begin
 * returns whether it started a span (0 when one is already on), to pass to end. Only on the
 * command's thread before it starts any other, and never around a JSON Lines record's answer
 * (its text, made by jansson, outlives the job). */
int cli_json_pool_begin(void);
void cli_json_pool_end(int began);
/* Drop a value made inside the current span (json_decref when no span is open). */
void cli_json_release(json_t *v);

/* The request-answer skeleton (engine/cli/job.c): read the input, score, solve, build the
 * answer, add its stats and write it, in that order; the first failing step's status becomes
 * the exit code (ctx->err filled) and nothing is written. The command owns `state`: it
 * initialises it before cli_run_job and releases it after, whatever the outcome. Steps other
 * than `read` report through err (ctx->err). */
typedef struct cli_job {
	int (*read)(cli_ctx *ctx, void *state);          /* exit code; its time goes to ctx->parse_ms */
	pl_status (*scores)(void *state, pl_error *err); /* NULL: none; timed as compat_ms */
	pl_status (*solve)(void *state, pl_error *err);  /* NULL: none; timed as solve_ms */
	/* The answer (a new document in *answer; on failure NULL or one the skeleton frees). t: the
	 * timings so far (explain_ms -1), for an answer that writes its own stats. */
	pl_status (*answer)(void *state, const pl_json_timings *t, json_t **answer, pl_error *err);
	/* The answer's "stats" from the timings (ms under cli_ms; -1 for a step not run), or NULL. */
	json_t *(*stats)(void *state, const pl_json_timings *t);
	int timed_answer;   /* the answer step explains the solution: report it as explain_ms */
	const char *roster; /* --format csv writes this roster kind (cli_write_roster_csv); NULL: JSON only */
	json_t *(*roster_ids)(void *state); /* the roster's ids (a new array), or NULL for the answer's */
} cli_job;
int cli_run_job(cli_ctx *ctx, const cli_job *job, void *state);
/* The answer as compact JSON text (an object; malloc'ed, NUL-terminated, *len its length). */
typedef pl_status (*cli_answer_text)(void *state, char **text, size_t *len, pl_error *err);
/* cli_run_job, but when the answer goes out as one compact document (not --pretty, --format csv
 * or a JSON Lines record) text() writes it instead of job->answer: the same bytes without a tree
 * built to be printed (the stats are spliced in as its last member). */
int cli_run_job_text(cli_ctx *ctx, const cli_job *job, cli_answer_text text, void *state);
int cli_exit_for(pl_status st);
int cli_fail(cli_ctx *ctx, pl_status st, const char *pointer, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;
void cli_print_error(const pl_error *err, long line, long column); /* line 0: none */
double cli_now_ms(void);
double cli_ms(const cli_ctx *ctx, double ms); /* 0 under --no-timing */
/* A file named inside the input (an .npy matrix, the importer's data and metadata, outreach's
 * risk answer): a regular file inside the input file's folder (the current folder for stdin): no
 * absolute path, no ".." component, no symlink leading out, not a FIFO or device, at most
 * max_bytes. The checks are made on the file opened, and *f is that same file (the caller reads
 * and closes it): nothing is opened again by name, so the file read is the file checked. When
 * nothing exists under the name the error is `missing` (NULL: "cannot open the file named here"
 * with the system's reason). An exit code; errors carry `ptr` (the naming field) and never repeat
 * the name. */
int cli_open_named(cli_ctx *ctx, const char *name, const char *ptr, size_t max_bytes,
		   const char *missing, FILE **f);

/* ---- provided by output.c: the one output writer ----
 * cli_out_open picks the destination (ctx->output_path): standard output, a FIFO or device
 * written in place, or a regular file replaced atomically (temporary file, fsync, rename). Write
 * with cli_out_text / cli_out_json (failures are remembered and reported later); a stream ends
 * each record with cli_out_record (flushes; an exit code naming how many records got out).
 * cli_out_close commits (an exit code, ctx->err set on failure); cli_out_abandon, on an error
 * found elsewhere, removes the temporary file so no partial output appears. */
typedef struct cli_out {
	FILE *f;
	char *tmp;      /* temporary file, renamed onto `target` on success (NULL: in place) */
	char *target;
	size_t records; /* records completed (streams) */
	int werr;       /* errno of the first failed write, 0 while all is well */
	int is_stdout;
} cli_out;

int cli_out_open(cli_ctx *ctx, cli_out *o);
void cli_out_text(cli_out *o, const char *text);
void cli_out_json(cli_out *o, const json_t *v, size_t flags); /* borrows v; NULL: out of memory */
int cli_out_record(cli_ctx *ctx, cli_out *o);
int cli_out_close(cli_ctx *ctx, cli_out *o);
void cli_out_abandon(cli_out *o);
/* One whole document (steals doc; NULL: out of memory) or texts, each followed by a newline. */
int cli_out_document(cli_ctx *ctx, json_t *doc, size_t flags);
int cli_out_pieces(cli_ctx *ctx, char *const *pieces, size_t n);

/* ---- provided by matrix.c ---- */
/*
 * A dense matrix field: an array of equal-length arrays of finite numbers or null, or
 * {"npy": FILE}. null (and NaN in .npy) becomes `missing`; the matrix is malloc'ed row-major.
 */
pl_status cli_read_matrix(cli_ctx *ctx, json_t *value, const char *ptr, double missing,
			  double **data, size_t *rows, size_t *cols, pl_error *err);

/* ---- subcommands ---- */
int cmd_solve_assignment(cli_ctx *ctx);
int cmd_risk_ews(cli_ctx *ctx);
int cmd_dataset_generate_checkins(cli_ctx *ctx);
int cmd_dataset_generate_profiles(cli_ctx *ctx);
int cmd_dataset_import(cli_ctx *ctx);
int cmd_dataset_import_profiles(cli_ctx *ctx);
/* roster_csv.c: `--format csv`: the answer of match <kind> ("mentors", "buddies", "groups") as a
 * CSV roster (steals answer; ids: the request's client ids in order, for buddies). */
int cli_write_roster_csv(cli_ctx *ctx, json_t *answer, const char *kind, json_t *ids);
/* Was --format csv given? */
int cli_format_csv(const cli_ctx *ctx);
int cmd_risk_evaluate(cli_ctx *ctx);
int cmd_risk_train(cli_ctx *ctx);
int cmd_risk_score(cli_ctx *ctx);
int cmd_solve_matching(cli_ctx *ctx);
int cmd_compat(cli_ctx *ctx);
int cmd_match_mentors(cli_ctx *ctx);
int cmd_match_buddies(cli_ctx *ctx);
int cmd_match_groups(cli_ctx *ctx);
int cmd_outreach(cli_ctx *ctx);
int cmd_report_risk(cli_ctx *ctx);
int cmd_report_matches(cli_ctx *ctx);
int cmd_report_evaluation(cli_ctx *ctx);
int cmd_report_ews(cli_ctx *ctx);

#endif
