/*
 * peerlink/error.h: status codes and the caller-owned error record every library call fills.
 *
 * Ownership: a pl_error is owned by the caller (usually on the stack, PL_ERROR_INIT); callees only
 * write into it. The library never aborts and never prints: it returns a pl_status and, on
 * failure, names the offending field in `pointer` (an RFC 6901 JSON Pointer, or "" when no field
 * is to blame). Messages name fields and record ids, never values: inputs are health records.
 */
#ifndef PEERLINK_ERROR_H
#define PEERLINK_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <peerlink/version.h> /* every header brings pl_version() and the version macros */

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pl_status {
	PL_OK = 0,
	PL_ERR_USAGE,      /* the caller asked for something that is not a valid request */
	PL_ERR_INVALID,    /* the input data are malformed or out of range */
	PL_ERR_INFEASIBLE, /* the request is well formed but has no solution */
	PL_ERR_NOMEM,      /* an allocation failed */
	PL_ERR_IO,         /* reading or writing a file failed */
	PL_ERR_INTERNAL    /* a bug: an invariant did not hold */
} pl_status;

#define PL_POINTER_MAX 256
#define PL_MESSAGE_MAX 320

typedef struct pl_error {
	pl_status code;
	char pointer[PL_POINTER_MAX]; /* JSON Pointer of the offending value, "" if none */
	char message[PL_MESSAGE_MAX]; /* one sentence for a person; never contains input values */
} pl_error;

#define PL_ERROR_INIT { PL_OK, "", "" }

/* Fill err (which may be NULL) and return code, so callers can write `return pl_error_set(...)`. */
pl_status pl_error_set(pl_error *err, pl_status code, const char *pointer, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

/* The same with a va_list, for wrappers that add to it (the CLI's cli_fail): both texts are cut,
 * when too long, at a character boundary, so they stay valid UTF-8. */
pl_status pl_error_setv(pl_error *err, pl_status code, const char *pointer, const char *fmt,
			va_list ap)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 0)))
#endif
	;

/* Put `context` before err's message ("context: message"): which document or option the
 * pointer is about, for errors of a reader that knows only its own document. Cut, when too long,
 * at a character boundary like pl_error_setv. err may be NULL. */
void pl_error_prefix(pl_error *err, const char *context);

/* Stable machine-readable name of a status: "invalid_input", "infeasible", ... */
const char *pl_status_name(pl_status code);

/* Append one reference token to a JSON Pointer, escaping '~' and '/' as RFC 6901 requires.
 * Writes at most size bytes including the terminator; returns 0, or -1 if it did not fit. */
int pl_pointer_append(char *ptr, size_t size, const char *token);
int pl_pointer_append_index(char *ptr, size_t size, size_t index);

#ifdef __cplusplus
}
#endif
#endif
