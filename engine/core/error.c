/*
 * error.c: the pl_error record and JSON Pointer building.
 *
 * Every module reports failures through pl_error_set so that the CLI can turn any of them into
 * the same {"error": {code, message, pointer}} object without knowing where it came from.
 */
#include <peerlink/error.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A text cut at a byte limit may end inside a UTF-8 sequence, and jansson refuses such a string:
 * the error object would lose its message or pointer (issue 9, finding 7). Drop the partial
 * character at the end; `full` is the length the text had before the cut. */
static void cut_to_character(char *s, size_t full)
{
	size_t n = strlen(s), i = n, need;
	unsigned char lead;

	if (n >= full)
		return; /* not cut */
	/* back over continuation bytes (10xxxxxx) to the last character's first byte */
	while (i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	lead = (unsigned char)s[i - 1];
	need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (n - (i - 1) < need)
		s[i - 1] = '\0';
}

pl_status pl_error_setv(pl_error *err, pl_status code, const char *pointer, const char *fmt,
			va_list ap)
{
	int full;

	if (!err)
		return code;
	err->code = code;
	full = snprintf(err->pointer, sizeof(err->pointer), "%s", pointer ? pointer : "");
	cut_to_character(err->pointer, full > 0 ? (size_t)full : 0);
	full = vsnprintf(err->message, sizeof(err->message), fmt, ap);
	cut_to_character(err->message, full > 0 ? (size_t)full : 0);
	return code;
}

pl_status pl_error_set(pl_error *err, pl_status code, const char *pointer, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pl_error_setv(err, code, pointer, fmt, ap);
	va_end(ap);
	return code;
}

void pl_error_prefix(pl_error *err, const char *context)
{
	char msg[PL_MESSAGE_MAX];
	int full;

	if (!err)
		return;
	memcpy(msg, err->message, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	full = snprintf(err->message, sizeof(err->message), "%s: %s", context, msg);
	cut_to_character(err->message, full > 0 ? (size_t)full : 0);
}

const char *pl_status_name(pl_status code)
{
	switch (code) {
	case PL_OK: return "ok";
	case PL_ERR_USAGE: return "usage";
	case PL_ERR_INVALID: return "invalid_input";
	case PL_ERR_INFEASIBLE: return "infeasible";
	case PL_ERR_NOMEM: return "out_of_memory";
	case PL_ERR_IO: return "io_error";
	case PL_ERR_INTERNAL: return "internal";
	}
	return "internal";
}

int pl_pointer_append(char *ptr, size_t size, const char *token)
{
	size_t len = strlen(ptr);

	if (len + 1 >= size)
		return -1;
	ptr[len++] = '/';
	for (; *token; token++) {
		const char *esc = *token == '~' ? "~0" : *token == '/' ? "~1" : NULL;
		size_t need = esc ? 2 : 1;

		if (len + need >= size) {
			ptr[len] = '\0';
			cut_to_character(ptr, len + 1);
			return -1;
		}
		if (esc) {
			ptr[len++] = esc[0];
			ptr[len++] = esc[1];
		} else {
			ptr[len++] = *token;
		}
	}
	ptr[len] = '\0';
	return 0;
}

int pl_pointer_append_index(char *ptr, size_t size, size_t index)
{
	char buf[32];
	size_t k = sizeof(buf) - 1;

	/* the digits by hand: printf costs more than the rest of a reader's visit to a record */
	buf[k] = '\0';
	do {
		buf[--k] = (char)('0' + index % 10);
		index /= 10;
	} while (index);
	return pl_pointer_append(ptr, size, buf + k);
}
