/*
 * load.c: what a failed read of a JSON document or a JSON Lines line means.
 *
 * Two rules from the inputs being health records and from never losing data:
 *  - a syntax error is described in our own fixed words: jansson's messages may quote the input
 *    ("invalid Unicode '\uD800'", "control character 0x1", "unable to decode byte 0xe9", the
 *    " near 'TOKEN'" suffix), so a message is passed on only when it is one of jansson's fixed
 *    texts, and mapped to a fixed text otherwise;
 *  - running out of memory, or a read error, is never a syntax error and never the end of the
 *    input: jansson often reports a failed allocation only as a bad token, and a read error
 *    returns the same EOF as the end of the file, so both are told apart here;
 *  - a JSON Lines record is at most PL_LIMIT_LINE_BYTES (16 MiB, peerlink/limits.h): a longer
 *    line is an input error naming the line, found before more than the limit is held.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/json.h>

#include <peerlink/limits.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* jansson's messages that quote nothing (after the " near ..." context is cut off). */
static const char *const fixed_texts[] = {
	"premature end of input", "unexpected newline", "invalid escape", "too big negative integer",
	"too big integer", "real number overflow", "maximum parsing depth reached",
	"string or '}' expected", "duplicate object key", "':' expected", "invalid token",
	"unexpected token", "']' expected", "'}' expected", "'[' or '{' expected",
	"end of file expected", NULL
};

/* Messages with input inside them, by their fixed beginning, and what we say instead. */
static const struct {
	const char *prefix, *text;
} quoting_texts[] = {
	{ "unable to decode byte", "invalid UTF-8" },
	{ "control character", "control character in a string" },
	{ "invalid Unicode escape", "invalid Unicode escape" },
	{ "invalid Unicode", "invalid Unicode surrogate" },
	{ "\\u0000 is not allowed", "NUL character in a string" },
	{ "NUL byte in object key", "NUL character in an object key" },
	{ NULL, NULL }
};

static void copy_text(char *out, size_t size, const char *text)
{
	if (size)
		snprintf(out, size, "%s", text);
}

pl_status pl_json_load_failure(const json_error_t *jerr, int alloc_errno, char *reason, size_t size)
{
	char msg[JSON_ERROR_TEXT_LENGTH], *near;

	if (json_error_code(jerr) == json_error_out_of_memory || alloc_errno == ENOMEM) {
		copy_text(reason, size, "out of memory");
		return PL_ERR_NOMEM;
	}
	snprintf(msg, sizeof(msg), "%s", jerr->text);
	near = strstr(msg, " near ");
	if (near)
		*near = '\0';
	for (size_t k = 0; fixed_texts[k]; k++)
		if (strcmp(msg, fixed_texts[k]) == 0) {
			copy_text(reason, size, fixed_texts[k]);
			return PL_ERR_INVALID;
		}
	for (size_t k = 0; quoting_texts[k].prefix; k++)
		if (strncmp(msg, quoting_texts[k].prefix, strlen(quoting_texts[k].prefix)) == 0) {
			copy_text(reason, size, quoting_texts[k].text);
			return PL_ERR_INVALID;
		}
	copy_text(reason, size, json_error_code(jerr) == json_error_invalid_utf8 ? "invalid UTF-8"
										  : "invalid JSON");
	return PL_ERR_INVALID;
}

/* Make room for n + 2 bytes (the next byte and the terminating NUL) in *line, growing
 * geometrically up to what the longest line allowed needs; -1 when memory runs out. */
static int line_reserve(char **line, size_t *cap, size_t n)
{
	size_t want;
	char *p;

	if (n + 2 <= *cap)
		return 0;
	want = *cap < 4096 ? 4096 : 2 * *cap;
	if (want > PL_LIMIT_LINE_BYTES + 2)
		want = PL_LIMIT_LINE_BYTES + 2;
	if (want < n + 2)
		want = n + 2;
	p = realloc(*line, want);
	if (!p)
		return -1;
	*line = p;
	*cap = want;
	return 0;
}

int pl_json_read_line(FILE *f, char **line, size_t *cap, size_t *len, size_t index, pl_error *err)
{
	size_t n = 0;
	int c, rc = 1;

	/* Byte by byte rather than getline: getline cannot stop at a limit, and a line longer
	 * than PL_LIMIT_LINE_BYTES must be refused before it is held in memory. */
	errno = 0;
	flockfile(f);
	while ((c = getc_unlocked(f)) != EOF) {
		if (line_reserve(line, cap, n) != 0) {
			rc = -2;
			break;
		}
		(*line)[n++] = (char)c;
		if (c == '\n')
			break;
		if (n > PL_LIMIT_LINE_BYTES) {
			rc = -3;
			break;
		}
	}
	funlockfile(f);
	if (rc == -2) {
		pl_error_set(err, PL_ERR_NOMEM, "", "line %zu does not fit in memory", index + 1);
		return -1;
	}
	if (rc == -3) {
		pl_error_set(err, PL_ERR_INVALID, "",
			     "line %zu is longer than the limit of %zu MiB for one JSON Lines record",
			     index + 1, PL_LIMIT_LINE_BYTES >> 20);
		return -1;
	}
	if (c == EOF && ferror(f)) {
		pl_error_set(err, PL_ERR_IO, "", "reading the input failed at line %zu: %s", index + 1,
			     strerror(errno ? errno : EIO));
		return -1;
	}
	if (n == 0) {
		*len = 0;
		return 0;
	}
	(*line)[n] = '\0';
	*len = n;
	return 1;
}

pl_status pl_json_read_file(const char *path, const char *what, json_t **doc, pl_error *err)
{
	json_error_t jerr;
	struct stat sb;
	FILE *f = fopen(path, "rb");
	int alloc_errno, read_failed;

	*doc = NULL;
	/* a directory, a read error or memory running out is not "invalid JSON" (issue 9) */
	if (!f || (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode))) {
		if (f)
			fclose(f);
		return pl_error_set(err, PL_ERR_IO, "", "cannot read the %s", what);
	}
	errno = 0;
	*doc = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	alloc_errno = errno;
	read_failed = ferror(f);
	fclose(f);
	if (*doc)
		return PL_OK;
	if (read_failed)
		return pl_error_set(err, PL_ERR_IO, "", "cannot read the %s", what);
	if (pl_json_load_failure(&jerr, alloc_errno, NULL, 0) == PL_ERR_NOMEM)
		return pl_error_set(err, PL_ERR_NOMEM, "", "the %s does not fit in memory", what);
	return pl_error_set(err, PL_ERR_INVALID, "", "the %s is not valid JSON (line %d)", what,
			    jerr.line > 0 ? jerr.line : 1);
}
