/*
 * json.h: the JSON layer. The core modules work on plain arrays and structs; this layer reads and
 * writes the documents (jansson values) and turns a core error's index or field into an RFC 6901
 * JSON Pointer. It is the only public header that includes jansson.
 *
 * Field access: obj[key] is fetched and type-checked; an absent (or null) optional field leaves
 * *out untouched and returns PL_OK; a missing required field or a wrong type returns
 * PL_ERR_INVALID with the pointer "ptr/key". No helper ever puts a value into a message.
 * Borrowed references: the json_t ** outputs are owned by obj.
 */
#ifndef PEERLINK_JSON_H
#define PEERLINK_JSON_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include <peerlink/error.h>

pl_status pl_json_get_number(json_t *obj, const char *key, const char *ptr, int required,
			     double *out, pl_error *err);
pl_status pl_json_get_integer(json_t *obj, const char *key, const char *ptr, int required,
			      long long *out, pl_error *err);
pl_status pl_json_get_bool(json_t *obj, const char *key, const char *ptr, int required, int *out,
			   pl_error *err);
pl_status pl_json_get_string(json_t *obj, const char *key, const char *ptr, int required,
			     const char **out, pl_error *err);
pl_status pl_json_get_array(json_t *obj, const char *key, const char *ptr, int required,
			    json_t **out, pl_error *err);
pl_status pl_json_get_object(json_t *obj, const char *key, const char *ptr, int required,
			     json_t **out, pl_error *err);
/* Reject members not in the NULL-terminated `allowed` list; the pointer names the first one. */
pl_status pl_json_check_keys(json_t *obj, const char *ptr, const char *const *allowed,
			     pl_error *err);
/* The limits every document must keep (peerlink/limits.h): nesting depth at most
 * PL_LIMIT_JSON_DEPTH, strings and keys at most PL_LIMIT_STRING_BYTES. PL_ERR_INVALID naming the
 * limit, with the pointer of the first value past it (below `ptr`). */
pl_status pl_json_check_limits(json_t *doc, const char *ptr, pl_error *err);
/* Build "ptr/key" and "ptr/index" into buf (escaped per RFC 6901); return buf. */
const char *pl_json_ptr(char *buf, size_t size, const char *ptr, const char *key);
const char *pl_json_ptr_index(char *buf, size_t size, const char *ptr, size_t index);


/* ---- reading documents and JSON Lines (engine/json/load.c) ----
 * Why a jansson load failed, in words that never quote the input: PL_ERR_NOMEM when memory ran
 * out (jansson's own code, or alloc_errno == ENOMEM: set errno to 0 before the load and pass it
 * after, because jansson reports some failed allocations only as a bad token), else
 * PL_ERR_INVALID. `reason` (size bytes) gets a fixed text such as "']' expected" or
 * "invalid UTF-8". A read error of the stream is the caller's to check (ferror) first. */
pl_status pl_json_load_failure(const json_error_t *jerr, int alloc_errno, char *reason,
			       size_t size);
/* The document in text[0 .. len) (text[len] must be a NUL) as the tree that
 * json_loadb(text, len, JSON_REJECT_DUPLICATES, ...) builds, read much faster (engine/json/parse.c
 * says how); NULL when it cannot read it exactly as jansson would, which is never an answer: the
 * caller then hands the text to jansson, whose document or error is the one to use (so every
 * error, its line and column, stays jansson's). */
json_t *pl_json_parse_plain(const char *text, size_t len);
/* The JSON document of a file the library reads by name (the model, the actions table) into
 * *doc (the caller's to json_decref): `what` names it in the messages, which never quote the
 * file: a directory or a read error is PL_ERR_IO "cannot read the <what>", memory running out
 * PL_ERR_NOMEM, anything else PL_ERR_INVALID "the <what> is not valid JSON (line N)". */
pl_status pl_json_read_file(const char *path, const char *what, json_t **doc, pl_error *err);
/* One line of a JSON Lines stream: 1 with the line in *line (*len bytes with its '\n', if any,
 * then a NUL; *line and *cap grow as with getline), 0 at the end of the input, -1 with err
 * filled when reading failed (PL_ERR_IO), the line does not fit in memory (PL_ERR_NOMEM), or it
 * is longer than PL_LIMIT_LINE_BYTES without its '\n' (PL_ERR_INVALID, "line N is longer than
 * the limit of 16 MiB for one JSON Lines record"; no more than the limit is read): an error is
 * never taken for the end of the input. `index` is the 0-based line number, for the message. */
int pl_json_read_line(FILE *f, char **line, size_t *cap, size_t *len, size_t index, pl_error *err);

/* The compact text of v (malloc'ed, NUL-terminated; *len its length when len is not NULL), byte
 * for byte json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)), the CLI's
 * printing policy, but several times faster on answers full of rounded reals
 * (engine/json/dump.c). NULL when out of memory. */
char *pl_json_dumps_compact(const json_t *v, size_t *len);
/* The compact texts of two objects a and b (na and nb bytes) as one object: a's members, then
 * b's (engine/json/dump.c). Malloc'ed and NUL-terminated (*len its length when len is not NULL);
 * NULL when out of memory or when a or b is not an object's text. */
char *pl_json_join_objects(const char *a, size_t na, const char *b, size_t nb, size_t *len);
#endif
