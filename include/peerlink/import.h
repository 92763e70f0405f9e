/*
 * peerlink/import.h: real check-in exports into the risk input format: a long-format table (one
 * row per client-day or per check-in; CSV or TSV) whose columns are mapped by a small JSON spec,
 * and the openESM layout (a TSV time-series file plus a JSON metadata file). datasets/README.md
 * documents the spec; docs/datasets.md the rules.
 *
 * Errors never quote a cell: they name the data row (1-based, the header being row 0) and the
 * column, as the pointer "/data/<row>/<column>" and in words; spec errors point into the spec.
 * Text that reaches the output (client ids, attribute values) must be valid UTF-8, and no field
 * may hold a NUL byte: either stops the import with the row and column named.
 *
 * Ownership: json_t arguments are borrowed; *out is a new reference.
 */
#ifndef PEERLINK_IMPORT_H
#define PEERLINK_IMPORT_H

#include <stddef.h>
#include <jansson.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Limits (docs/datasets.md, "Importer limits"): past any of them the import stops with
 * PL_ERR_INVALID at "/data" and names the limit, instead of exhausting memory. The table is held
 * in memory whole (a cell costs its bytes plus a pointer), so these bound the importer's memory
 * to a few times the file size.
 */
#define PL_IMPORT_MAX_BYTES ((size_t)1 << 30) /* 1 GiB of table text */
#define PL_IMPORT_MAX_COLUMNS 4096            /* fields per row, header included */
#define PL_IMPORT_MAX_ROWS 10000000           /* data rows (the header not counted) */
#define PL_IMPORT_MAX_FIELD 65536             /* bytes in one field, after unquoting */

typedef struct pl_import_stats {
	size_t rows;          /* data rows read */
	size_t empty_rows;    /* rows with no measure value and no event: not check-ins */
	size_t clients, checkins, events;
} pl_import_stats;

/*
 * Convert the table in text[0..len) (first line: header) according to `spec` (the import spec
 * object without its file names; see datasets/README.md). `metadata` (may be NULL) is an openESM
 * metadata object: its "features" fill in ranges of custom measures from their labels.
 * *out = {"clients": [row-form clients], "measures": {custom catalogue}} (no "measures" when
 * there are no custom ones).
 */
pl_status pl_import_table(const char *text, size_t len, json_t *spec, json_t *metadata,
			  json_t **out, pl_import_stats *stats, pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
