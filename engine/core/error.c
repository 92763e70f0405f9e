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

pl_status pl_error_set(pl_error *err, pl_status code, const char *pointer, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	snprintf(err->pointer, sizeof(err->pointer), "%s", pointer ? pointer : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
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

	snprintf(buf, sizeof(buf), "%zu", index);
	return pl_pointer_append(ptr, size, buf);
}
