/*
 * io.c: the CLI's boundary with the outside: reading the JSON input, handing the answer to the
 * output writer (output.c), and printing errors as one JSON object on stderr.
 *
 * Inputs are health records, so an error never echoes input text (jansson's syntax messages quote
 * the offending token, which we cut off). Writing is output.c's job.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli.h"

#include <peerlink/limits.h>
#include <peerlink/utf8.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

double cli_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

double cli_ms(const cli_ctx *ctx, double ms)
{
	return ctx->no_timing ? 0.0 : ms;
}

int cli_exit_for(pl_status st)
{
	switch (st) {
	case PL_OK: return CLI_EXIT_OK;
	case PL_ERR_USAGE: return CLI_EXIT_USAGE;
	case PL_ERR_INVALID: return CLI_EXIT_INVALID;
	case PL_ERR_INFEASIBLE: return CLI_EXIT_INFEASIBLE;
	case PL_ERR_NOMEM:
	case PL_ERR_IO:
	case PL_ERR_INTERNAL: return CLI_EXIT_FAILURE;
	}
	return CLI_EXIT_FAILURE;
}

int cli_fail(cli_ctx *ctx, pl_status st, const char *pointer, const char *fmt, ...)
{
	va_list ap;

	/* pl_error_setv cuts a text too long for its field at a character boundary (a cut inside a
	 * UTF-8 sequence would make jansson refuse the string and the error lose it) */
	va_start(ap, fmt);
	pl_error_setv(&ctx->err, st, pointer, fmt, ap);
	va_end(ap);
	return cli_exit_for(st);
}

/* jansson refuses a string that is not UTF-8, and the error would lose its message or pointer
 * (issue 9, finding 7): a sequence cut off at the end of the buffer (a message or pointer that hit
 * its byte limit) is dropped, any other invalid byte (an argument echoed in a usage message)
 * becomes '?'. dst has room for strlen(src) + 1 bytes. */
static void utf8_clean(char *dst, const char *src)
{
	size_t n = strlen(src), k = 0, o = 0;

	while (k < n) {
		size_t good = pl_utf8_valid_prefix(src + k, n - k), need, cont = 0;
		unsigned char lead;

		memcpy(dst + o, src + k, good);
		o += good;
		k += good;
		if (k == n)
			break;
		lead = (unsigned char)src[k];
		need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
		while (k + 1 + cont < n && ((unsigned char)src[k + 1 + cont] & 0xC0) == 0x80)
			cont++;
		if (need && k + 1 + cont == n && 1 + cont < need)
			break; /* a character cut off at the end of the buffer */
		dst[o++] = '?';
		k++;
	}
	dst[o] = '\0';
}

void cli_print_error(const pl_error *err, long line, long column)
{
	json_t *e = json_object(), *doc = json_object();
	pl_status code = err->code == PL_OK ? PL_ERR_INTERNAL : err->code;
	char message[PL_MESSAGE_MAX], pointer[PL_POINTER_MAX];

	utf8_clean(message, err->message);
	utf8_clean(pointer, err->pointer);
	json_object_set_new(e, "code", json_string(pl_status_name(code)));
	json_object_set_new(e, "message", json_string(message[0] ? message : "unknown error"));
	json_object_set_new(e, "pointer", json_string(pointer));
	if (line > 0) {
		json_object_set_new(e, "line", json_integer(line));
		json_object_set_new(e, "column", json_integer(column));
	}
	json_object_set_new(doc, "error", e);
	json_dumpf(doc, stderr, JSON_COMPACT);
	fputc('\n', stderr);
	json_decref(doc);
}

int cli_open_input(cli_ctx *ctx, FILE **f)
{
	struct stat st;

	*f = stdin;
	if (ctx->input_path && !(*f = fopen(ctx->input_path, "rb")))
		return cli_fail(ctx, PL_ERR_IO, "", "cannot open the input file: %s", strerror(errno));
	/* fopen accepts a directory and the first read fails: say what is wrong instead. */
	if (fstat(fileno(*f), &st) == 0 && S_ISDIR(st.st_mode)) {
		cli_close_input(*f);
		*f = NULL;
		return cli_fail(ctx, PL_ERR_IO, "", "the input is a directory, not a file");
	}
	return CLI_EXIT_OK;
}

void cli_close_input(FILE *f)
{
	if (f && f != stdin)
		fclose(f);
}

int cli_load_failed(cli_ctx *ctx, const json_error_t *jerr, int alloc_errno, int read_errno,
		    long line)
{
	char reason[64];
	pl_status st;

	if (read_errno)
		return line > 0 ? cli_fail(ctx, PL_ERR_IO, "", "reading the input failed at line %ld: %s",
					   line, strerror(read_errno))
				: cli_fail(ctx, PL_ERR_IO, "", "cannot read the input: %s",
					   strerror(read_errno));
	st = pl_json_load_failure(jerr, alloc_errno, reason, sizeof(reason));
	if (st == PL_ERR_NOMEM)
		return line > 0 ? cli_fail(ctx, st, "", "line %ld does not fit in memory", line)
				: cli_fail(ctx, st, "", "the input does not fit in memory");
	ctx->err_line = line > 0 ? line : jerr->line > 0 ? jerr->line : 1;
	ctx->err_column = jerr->column > 0 ? jerr->column : 1;
	if (line > 0)
		return cli_fail(ctx, st, "", "JSON syntax error on line %ld", line);
	return cli_fail(ctx, st, "", "JSON syntax error: %s", reason);
}

/*
 * The input is read whole first (at most PL_LIMIT_INPUT_BYTES + one chunk) and handed to
 * pl_json_parse_plain, which reads the common document about five times faster than jansson
 * and gives up on anything else. Then jansson reads it through read_capped: the bytes already
 * held first (`held`), then the rest of the stream, counted against the limit and with the read
 * error where it happened, so that its document or its error (message, line, column, "larger
 * than the limit", a read error) is exactly the one it gave when it read the stream itself.
 * Through this no document past PL_LIMIT_INPUT_BYTES is ever held in memory, and a read error
 * (a directory, EIO) is told apart from a syntax error.
 */
typedef struct capped_reader {
	FILE *f;
	size_t total;
	int over;    /* past the size limit */
	int read_errno;
	char *held;  /* read_whole's bytes, NUL-terminated */
	size_t nheld, served;
	int held_errno; /* the read error that ended read_whole (0: none) */
} capped_reader;

/* Read r->f into r->held until its end, a read error or more than the limit. 0 when the whole
 * input is held (within the limit), -1 otherwise (whatever was read is held). */
static int read_whole(capped_reader *r)
{
	size_t cap = 1 << 16, most = PL_LIMIT_INPUT_BYTES + 1; /* one byte past the limit tells */
	struct stat st;

	if (fstat(fileno(r->f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (size_t)st.st_size < most)
		cap = (size_t)st.st_size + 1; /* one more, to see the end without growing */
	for (;;) {
		size_t n, want;
		if (!r->held || r->nheld == cap) {
			char *b;
			if (r->held)
				cap = 2 * cap < most ? 2 * cap : most;
			if (!(b = realloc(r->held, cap + 1)))
				return -1;
			r->held = b;
		}
		want = cap - r->nheld;
		errno = 0;
		n = fread(r->held + r->nheld, 1, want, r->f);
		r->nheld += n;
		r->held[r->nheld] = '\0';
		if (n < want && ferror(r->f)) {
			r->held_errno = errno ? errno : EIO;
			return -1;
		}
		if (r->nheld >= most)
			return -1; /* past the limit */
		if (n < want)
			return 0; /* the end */
	}
}

static size_t read_capped(void *buf, size_t len, void *arg)
{
	capped_reader *r = arg;
	size_t n;

	if (r->served < r->nheld) { /* the bytes read_whole holds, as they were read */
		n = r->nheld - r->served < len ? r->nheld - r->served : len;
		memcpy(buf, r->held + r->served, n);
		r->served += n;
	} else if (r->held_errno) {
		r->read_errno = r->held_errno;
		return (size_t)-1;
	} else {
		n = fread(buf, 1, len, r->f);
	}

	if (n == 0 && ferror(r->f)) {
		r->read_errno = errno ? errno : EIO;
		return (size_t)-1;
	}
	r->total += n;
	if (r->total > PL_LIMIT_INPUT_BYTES) {
		r->over = 1;
		return (size_t)-1;
	}
	return n;
}

/* A syntax error, or one of the limits and failures jansson reports through the same record. */
static int fail_parse(cli_ctx *ctx, const capped_reader *r, json_error_t *jerr, int alloc_errno)
{
	if (r->over)
		return cli_fail(ctx, PL_ERR_INVALID, "", "the input is larger than the limit of %d MiB",
				PL_LIMIT_INPUT_MIB);
	if (json_error_code(jerr) == json_error_stack_overflow)
		return cli_fail(ctx, PL_ERR_INVALID, "", "nesting deeper than the limit of %d levels",
				PL_LIMIT_JSON_DEPTH);
	/* read errors, memory running out (also when jansson says only "invalid token"), and
	 * syntax errors in fixed words */
	return cli_load_failed(ctx, jerr, alloc_errno, r->read_errno, 0);
}

int cli_read_input(cli_ctx *ctx, json_t **out)
{
	json_error_t jerr;
	capped_reader r = { stdin, 0, 0, 0, NULL, 0, 0, 0 };
	double t0 = cli_now_ms();
	json_t *doc;
	int rc, alloc_errno = 0;

	*out = NULL;
	if (ctx->in_record) {
		/* A JSON Lines record (records.c): already parsed, and timed, by the caller. */
		doc = ctx->record_in;
		ctx->record_in = NULL;
	} else {
		if ((rc = cli_open_input(ctx, &r.f)) != CLI_EXIT_OK)
			return rc;
		doc = read_whole(&r) == 0 ? pl_json_parse_plain(r.held, r.nheld) : NULL;
		if (!doc) { /* jansson's document or error (see capped_reader) */
			errno = 0;
			doc = json_load_callback(read_capped, &r, JSON_REJECT_DUPLICATES, &jerr);
			alloc_errno = errno;
		}
		free(r.held);
		cli_close_input(r.f);
		ctx->parse_ms = cli_now_ms() - t0;
		if (!doc)
			return fail_parse(ctx, &r, &jerr, alloc_errno);
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		return cli_fail(ctx, PL_ERR_INVALID, "", "the input must be a JSON object");
	}
	if ((rc = cli_exit_for(pl_json_check_limits(doc, "", &ctx->err))) != CLI_EXIT_OK) {
		json_decref(doc);
		return rc;
	}
	*out = doc;
	return CLI_EXIT_OK;
}

int cli_load_file(cli_ctx *ctx, const char *path, const char *what, const char *ptr, json_t **out)
{
	struct stat st;
	FILE *f = fopen(path, "rb");

	*out = NULL;
	if (!f)
		return cli_fail(ctx, PL_ERR_IO, ptr, "cannot open the %s: %s", what, strerror(errno));
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return cli_fail(ctx, PL_ERR_IO, ptr, "the %s is a directory, not a file", what);
	}
	return cli_load_stream(ctx, f, what, ptr, out);
}

int cli_load_stream(cli_ctx *ctx, FILE *f, const char *what, const char *ptr, json_t **out)
{
	json_error_t jerr;
	json_t *doc;
	int alloc_errno, read_errno = 0;

	*out = NULL;
	errno = 0;
	doc = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	alloc_errno = errno;
	if (!doc && ferror(f))
		read_errno = errno ? errno : EIO;
	fclose(f);
	if (!doc && read_errno)
		return cli_fail(ctx, PL_ERR_IO, ptr, "reading the %s failed: %s", what,
				strerror(read_errno));
	if (!doc && pl_json_load_failure(&jerr, alloc_errno, NULL, 0) == PL_ERR_NOMEM)
		return cli_fail(ctx, PL_ERR_NOMEM, ptr, "the %s does not fit in memory", what);
	if (!doc) {
		ctx->err_line = jerr.line > 0 ? jerr.line : 1;
		ctx->err_column = jerr.column > 0 ? jerr.column : 1;
		return cli_fail(ctx, PL_ERR_INVALID, ptr, "JSON syntax error in the %s", what);
	}
	*out = doc;
	return CLI_EXIT_OK;
}

static size_t dump_flags(const cli_ctx *ctx)
{
	/* The number policy (README, "Numbers"): reals as %.15g (at most 15 significant digits,
	 * trailing zeros dropped, ".0" on whole values); rounding for people is done per kind where
	 * a value is made. The same run prints the same bytes on one machine, but not on every
	 * platform: BLAS kernels and fused multiply-adds can move the last digit, so tests compare
	 * reals within 1e-9 relative (tests/cli/json_compare.c). */
	return (ctx->pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_REAL_PRECISION(15);
}

int cli_write_output(cli_ctx *ctx, json_t *doc)
{
	if (ctx->in_record) {
		/* A JSON Lines record: one compact line, whatever --pretty says (records.c). */
		ctx->record_out = doc ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
		json_decref(doc);
		if (!ctx->record_out)
			return cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory building the answer");
		return CLI_EXIT_OK;
	}
	return cli_out_document(ctx, doc, dump_flags(ctx));
}

/* ---- files named inside an input ({"npy": FILE}, the importer's "data" and "metadata") ----
 *
 * An input may come from someone else, so the names in it must not reach anything the process
 * can read (an absolute path, "../../"), nor make us read forever (/dev/zero) or block (a FIFO):
 * a named file is a regular file inside the input file's folder (the current folder for standard
 * input), with no ".." component and no symlink leading out (checked on the realpath), opened
 * non-blocking and checked with fstat, and no larger than the caller's limit. Errors point at the
 * field that names the file and never repeat the name. */

/* The folder names are resolved against (realpath, malloc'ed), or NULL. */
static char *named_file_base(const cli_ctx *ctx)
{
	const char *slash = ctx->input_path ? strrchr(ctx->input_path, '/') : NULL;
	char *dir, *real;

	if (!ctx->input_path || !slash)
		return realpath(".", NULL);
	dir = strndup(ctx->input_path, slash == ctx->input_path ? 1 : (size_t)(slash - ctx->input_path));
	if (!dir)
		return NULL;
	real = realpath(dir, NULL);
	free(dir);
	return real;
}

static int has_dotdot(const char *name)
{
	for (const char *p = name; *p; p = strchr(p, '/') ? strchr(p, '/') + 1 : p + strlen(p))
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return 1;
	return 0;
}

/* Is path inside the folder base (both resolved)? */
static int path_inside(const char *path, const char *base)
{
	size_t blen = strlen(base);
	return strncmp(path, base, blen) == 0 && (path[blen] == '/' || blen == 1);
}

/* Check the name and resolve it: 0 with *real set (malloc'ed; the joined name when nothing exists
 * under it, so that opening it fails the usual way) and *base_out the folder (malloc'ed), or an
 * exit code. */
static int resolve_named_file(cli_ctx *ctx, const char *name, const char *ptr, char **real,
			      char **base_out)
{
	char *base, *joined;
	size_t blen;
	int rc = CLI_EXIT_OK;

	*real = NULL;
	*base_out = NULL;
	if (!*name || name[0] == '/')
		return cli_fail(ctx, PL_ERR_INVALID, ptr,
				"must name a file by a path relative to the input's folder");
	if (has_dotdot(name))
		return cli_fail(ctx, PL_ERR_INVALID, ptr,
				"the file named here must be inside the input's folder (no '..')");
	base = named_file_base(ctx);
	if (!base)
		return cli_fail(ctx, PL_ERR_IO, ptr, "cannot resolve the input's folder: %s",
				strerror(errno));
	blen = strlen(base);
	joined = malloc(blen + strlen(name) + 2);
	if (!joined) {
		free(base);
		return cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
	}
	sprintf(joined, "%s/%s", base, name);
	*real = realpath(joined, NULL);
	if (!*real && errno == ENOENT) {
		*real = joined; /* nothing there: the caller's open reports it */
		joined = NULL;
	} else if (!*real) {
		rc = cli_fail(ctx, PL_ERR_IO, ptr, "cannot open the file named here: %s", strerror(errno));
	} else if (!path_inside(*real, base)) {
		rc = cli_fail(ctx, PL_ERR_INVALID, ptr,
			      "the file named here must be inside the input's folder (a link leads out)");
	}
	if (rc != CLI_EXIT_OK) {
		free(*real);
		*real = NULL;
		free(base);
	} else {
		*base_out = base;
	}
	free(joined);
	return rc;
}

/* The check after the open: where the descriptor really points must still be inside the folder,
 * so that a name swapped for a link between the check and the open is not followed out. Linux
 * says where through /proc/self/fd; without /proc the check before the open stands alone. */
static int opened_inside(int fd, const char *base)
{
	char link[64], *where;
	int inside;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	where = realpath(link, NULL);
	if (!where)
		return 1;
	inside = path_inside(where, base);
	free(where);
	return inside;
}

int cli_open_named(cli_ctx *ctx, const char *name, const char *ptr, size_t max_bytes,
		   const char *missing, FILE **f)
{
	struct stat st;
	char *real, *base;
	int fd, rc;

	*f = NULL;
	if ((rc = resolve_named_file(ctx, name, ptr, &real, &base)) != CLI_EXIT_OK)
		return rc;
	/* O_NONBLOCK: a FIFO must not block the open; fstat then refuses anything not regular. */
	fd = open(real, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && missing && access(real, F_OK) != 0) {
		rc = cli_fail(ctx, PL_ERR_IO, ptr, "%s", missing);
	} else if (fd < 0) {
		rc = cli_fail(ctx, PL_ERR_IO, ptr, "cannot open the file named here: %s", strerror(errno));
	} else if (!opened_inside(fd, base)) {
		rc = cli_fail(ctx, PL_ERR_INVALID, ptr,
			      "the file named here must be inside the input's folder (a link leads out)");
	} else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = cli_fail(ctx, PL_ERR_INVALID, ptr, "the file named here must be a regular file");
	} else if ((unsigned long long)st.st_size > (unsigned long long)max_bytes) {
		rc = cli_fail(ctx, PL_ERR_INVALID, ptr,
			      "the file named here is larger than the limit of %zu bytes", max_bytes);
	} else {
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		if (!(*f = fdopen(fd, "rb")))
			rc = cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
		else
			fd = -1;
	}
	if (fd >= 0)
		close(fd);
	free(real);
	free(base);
	return rc;
}

int cli_read_program(cli_ctx *ctx, cli_program_reader read, void *program)
{
	json_t *doc = NULL;
	double t0;
	pl_status st;
	int rc = cli_read_input(ctx, &doc);

	if (rc != CLI_EXIT_OK)
		return rc;
	t0 = cli_now_ms();
	st = read(doc, program, &ctx->err);
	cli_json_release(doc);
	ctx->parse_ms += cli_now_ms() - t0;
	return st == PL_OK ? CLI_EXIT_OK : cli_exit_for(st);
}
