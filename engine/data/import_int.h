/*
 * import_int.h: the CSV/TSV table reader shared by the check-in importer (import.c) and the
 * profiles importer (import_profiles.c): RFC 4180 quoting, CRLF, a UTF-8 byte order mark,
 * blank lines skipped, the importer's limits (peerlink/import.h) enforced, errors at "/data"
 * naming the row, never a cell.
 */
#ifndef PEERLINK_IMPORT_INT_H
#define PEERLINK_IMPORT_INT_H

#include <stddef.h>
#include <peerlink/error.h>

typedef struct pl_import_table {
	size_t ncols, nrows;
	char **header;   /* ncols */
	char **cells;    /* nrows * ncols, row-major */
	char *buf;       /* one allocation holding every unquoted cell */
} pl_import_table;

/* The table in text[0..len) (first record: the header) into *t (released on failure). */
pl_status pl_import_table_parse(const char *text, size_t len, char delim, pl_import_table *t,
				pl_error *err);
void pl_import_table_release(pl_import_table *t);

#endif
