/*
 * output.c: the CLI's one output writer, for whole documents and for streams (JSON Lines and
 * documents written piece by piece).
 *
 * Where the answer goes decides how it is written:
 *  - standard output (no --output, "-", or a path naming the file standard output already is):
 *    written in place;
 *  - an existing FIFO, character or block device (a pipe, /dev/null, a terminal): written in
 *    place, never replaced (a rename would put a regular file where the node was);
 *  - a regular file, or a path that does not exist yet: replaced atomically. The answer goes to
 *    a temporary file in the same folder (mode 0600: answers about clients are for their owner
 *    only), which is flushed, fsync'ed and renamed over the target (a symlink's target, so the
 *    link stays) only when everything was written. Until then the previous file stays intact,
 *    after an error, a full disk, a file-size limit or a signal.
 *
 * Every write, flush, fsync and close is checked; SIGXFSZ is ignored so that a file-size limit
 * (`ulimit -f`) is a write error (EFBIG) reported as io_error instead of a killed process.
 * Streams are flushed after each record, and a failure says how many records got out.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the pending temporary file, for the signal handler ----
 *
 * The one piece of process-wide mutable state in the CLI, and deliberately so: when SIGINT,
 * SIGTERM or SIGHUP ends the process, the handler must find the temporary file to remove it, and
 * a signal handler can reach nothing but statics (git's tempfile.c keeps its list of temporary
 * files for the same reason). It is written only with the fatal signals blocked, and the handler
 * reads it only when `pending_set` says the path is complete; a run writes one output, so one
 * slot is enough. The handler uses only async-signal-safe calls (unlink, signal, raise). */
static char pending_path[PATH_MAX + 32];
static volatile sig_atomic_t pending_set;

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NFATAL (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static void on_fatal_signal(int sig)
{
	int saved = errno;

	if (pending_set)
		unlink(pending_path);
	/* SA_RESETHAND restored the default action; the signal is blocked while we run, so the
	 * re-raised one ends the process as the original would have, once we return. */
	raise(sig);
	errno = saved;
}

static void block_fatal(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t k = 0; k < NFATAL; k++)
		sigaddset(&set, fatal_signals[k]);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static void install_handlers(void)
{
	for (size_t k = 0; k < NFATAL; k++) {
		struct sigaction sa, old;

		if (sigaction(fatal_signals[k], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
			continue; /* ignored by whoever started us (nohup): keep it ignored */
		if (old.sa_handler == on_fatal_signal)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal_signal;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESETHAND;
		sigaction(fatal_signals[k], &sa, NULL);
	}
}

static void pending_clear(void)
{
	sigset_t old;

	block_fatal(&old);
	pending_set = 0;
	pending_path[0] = '\0';
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ---- opening ---- */

static int same_file_as_stdout(const struct stat *st)
{
	struct stat so;

	return fstat(STDOUT_FILENO, &so) == 0 && so.st_dev == st->st_dev && so.st_ino == st->st_ino;
}

/* A FIFO or device: open it for writing as it is (no truncation, no replacement). */
static int open_in_place(cli_ctx *ctx, cli_out *o, const char *path)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 || !(o->f = fdopen(fd, "wb"))) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return cli_fail(ctx, PL_ERR_IO, "", "cannot open the output: %s", strerror(e));
	}
	return CLI_EXIT_OK;
}

/* A regular file or a new path: a temporary file next to the target. */
static int open_temporary(cli_ctx *ctx, cli_out *o, const char *path, int exists)
{
	static const char suffix[] = ".tmp.XXXXXX";
	sigset_t old;
	int fd, e;

	/* Replace what a symlink points to, not the link itself. */
	o->target = exists ? realpath(path, NULL) : strdup(path);
	if (!o->target)
		return exists ? cli_fail(ctx, PL_ERR_IO, "", "cannot resolve the output path: %s",
					 strerror(errno))
			      : cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
	if (strlen(o->target) + sizeof(suffix) > sizeof(pending_path))
		return cli_fail(ctx, PL_ERR_IO, "", "the output path is too long");
	o->tmp = malloc(strlen(o->target) + sizeof(suffix));
	if (!o->tmp)
		return cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
	strcpy(o->tmp, o->target);
	strcat(o->tmp, suffix);
	install_handlers();
	/* No signal between creating the file and recording its name. */
	block_fatal(&old);
	fd = mkstemp(o->tmp); /* mode 0600 */
	e = errno;
	if (fd >= 0) {
		strcpy(pending_path, o->tmp);
		pending_set = 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (fd < 0) {
		free(o->tmp);
		o->tmp = NULL;
		return cli_fail(ctx, PL_ERR_IO, "", "cannot create the output file: %s", strerror(e));
	}
	o->f = fdopen(fd, "wb");
	if (!o->f) {
		e = errno;
		close(fd);
		unlink(o->tmp);
		pending_clear();
		free(o->tmp);
		o->tmp = NULL;
		return cli_fail(ctx, PL_ERR_IO, "", "cannot write the output file: %s", strerror(e));
	}
	return CLI_EXIT_OK;
}

int cli_out_open(cli_ctx *ctx, cli_out *o)
{
	const char *path = ctx->output_path;
	struct stat st;
	int exists;

	memset(o, 0, sizeof(*o));
	/* A file-size limit must fail the write (EFBIG), not kill us before we can clean up. */
	signal(SIGXFSZ, SIG_IGN);
	if (!path || strcmp(path, "-") == 0) {
		o->f = stdout;
		o->is_stdout = 1;
		return CLI_EXIT_OK;
	}
	exists = stat(path, &st) == 0;
	if (exists && same_file_as_stdout(&st)) {
		o->f = stdout; /* --output /dev/stdout and the like */
		o->is_stdout = 1;
		return CLI_EXIT_OK;
	}
	if (exists && S_ISDIR(st.st_mode))
		return cli_fail(ctx, PL_ERR_IO, "", "the output path is a directory");
	if (exists && !S_ISREG(st.st_mode))
		return open_in_place(ctx, o, path);
	return open_temporary(ctx, o, path, exists);
}

/* ---- writing ---- */

static void note_failure(cli_out *o)
{
	if (!o->werr)
		o->werr = errno ? errno : EIO;
}

void cli_out_text(cli_out *o, const char *text)
{
	if (o->werr)
		return;
	errno = 0;
	if (fputs(text, o->f) == EOF)
		note_failure(o);
}

/* The compact form every answer is written in (README, "Numbers") goes through
 * pl_json_dumps_compact: the same bytes as jansson's dumper (tests/unit/test_json_dump.c), at a
 * fraction of its cost on large answers (a 2,000-mentee `match mentors` answer: 0.3 G
 * instructions in jansson, mostly snprintf per real and a hash entry per container). */
static void out_compact(cli_out *o, const json_t *v)
{
	size_t n = 0;
	char *text = pl_json_dumps_compact(v, &n);

	if (!text) {
		o->werr = ENOMEM;
		return;
	}
	if (fwrite(text, 1, n, o->f) != n)
		note_failure(o);
	free(text);
}

void cli_out_json(cli_out *o, const json_t *v, size_t flags)
{
	if (o->werr)
		return;
	errno = 0;
	if (!v) {
		o->werr = ENOMEM;
		return;
	}
	if (flags == (JSON_COMPACT | JSON_REAL_PRECISION(15)) && (json_is_object(v) || json_is_array(v))) {
		out_compact(o, v);
		return;
	}
	if (json_dumpf(v, o->f, flags) != 0)
		note_failure(o);
}

int cli_out_record(cli_ctx *ctx, cli_out *o)
{
	if (!o->werr) {
		errno = 0;
		if (fflush(o->f) != 0)
			note_failure(o);
	}
	if (o->werr)
		return cli_fail(ctx, o->werr == ENOMEM ? PL_ERR_NOMEM : PL_ERR_IO, "",
				"writing the output failed after %zu records: %s", o->records,
				strerror(o->werr));
	o->records++;
	return CLI_EXIT_OK;
}

/* ---- finishing ---- */

/* Make the rename itself durable; a folder that cannot be synced is no reason to fail. */
static void sync_folder(const char *target)
{
	char *dir = strdup(target), *slash;
	int fd;

	if (!dir)
		return;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	fd = open(slash ? dir : ".", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

static void out_free(cli_out *o)
{
	free(o->tmp);
	free(o->target);
	o->tmp = NULL;
	o->target = NULL;
	o->f = NULL;
}

void cli_out_abandon(cli_out *o)
{
	if (!o->f)
		return;
	if (o->is_stdout)
		(void)fflush(stdout);
	else
		fclose(o->f);
	if (o->tmp) {
		unlink(o->tmp);
		pending_clear();
	}
	out_free(o);
}

static int fail_io(cli_ctx *ctx, const cli_out *o, int e, const char *what)
{
	if (o->records)
		return cli_fail(ctx, e == ENOMEM ? PL_ERR_NOMEM : PL_ERR_IO, "",
				"%s failed after %zu records: %s", what, o->records, strerror(e));
	return cli_fail(ctx, e == ENOMEM ? PL_ERR_NOMEM : PL_ERR_IO, "", "%s failed: %s", what,
			strerror(e));
}

int cli_out_close(cli_ctx *ctx, cli_out *o)
{
	int rc = CLI_EXIT_OK;

	if (!o->f)
		return CLI_EXIT_OK;
	if (!o->werr) {
		errno = 0;
		if (fflush(o->f) != 0)
			note_failure(o);
	}
	if (o->is_stdout) {
		if (o->werr)
			rc = fail_io(ctx, o, o->werr, "writing to standard output");
		out_free(o);
		return rc;
	}
	if (!o->werr && o->tmp && fsync(fileno(o->f)) != 0)
		note_failure(o);
	if (fclose(o->f) != 0)
		note_failure(o);
	o->f = NULL;
	if (o->werr) {
		rc = fail_io(ctx, o, o->werr, "writing the output file");
	} else if (o->tmp && rename(o->tmp, o->target) != 0) {
		rc = cli_fail(ctx, PL_ERR_IO, "", "cannot put the output file in place: %s",
			      strerror(errno));
	} else if (o->tmp) {
		pending_clear();
		sync_folder(o->target);
		out_free(o);
		return CLI_EXIT_OK;
	}
	if (o->tmp) {
		unlink(o->tmp);
		pending_clear();
	}
	out_free(o);
	return rc;
}

/* ---- whole documents ---- */

int cli_out_document(cli_ctx *ctx, json_t *doc, size_t flags)
{
	cli_out o;
	int rc;

	if (!doc)
		return cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory building the answer");
	rc = cli_out_open(ctx, &o);
	if (rc == CLI_EXIT_OK) {
		cli_out_json(&o, doc, flags);
		cli_out_text(&o, "\n");
		rc = cli_out_close(ctx, &o);
	}
	cli_json_release(doc);
	return rc;
}

int cli_out_pieces(cli_ctx *ctx, char *const *pieces, size_t n)
{
	cli_out o;
	int rc = cli_out_open(ctx, &o);

	if (rc != CLI_EXIT_OK)
		return rc;
	for (size_t k = 0; k < n; k++)
		cli_out_text(&o, pieces[k]);
	cli_out_text(&o, "\n");
	return cli_out_close(ctx, &o);
}
