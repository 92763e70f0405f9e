/*
 * peerlink/limits.h: the documented limits on what peerlink reads (docs/bad-input.md, "Limits").
 *
 * Why limits at all: a small request must never cost unbounded memory or time, and past any of
 * these the answer is an input error (exit 3, code "invalid_input", a pointer to the offending
 * value and a message naming the limit), never an out-of-memory crash. Why these numbers: the
 * largest legitimate job is a health system's nightly run, tens of thousands of clients with
 * years of daily check-ins, which fits well inside each; the limits sit far above that and well
 * below what would exhaust a 2-4 GB worker. Everything here is a plain constant so that every
 * module (and a program using the library) checks the same numbers.
 */
#ifndef PEERLINK_LIMITS_H
#define PEERLINK_LIMITS_H

/* One input document (--input, --params, a model file, a metadata file): 256 MiB. A JSON tree
 * takes several times its text in memory; bigger cohorts go through --jsonl, one client a line. */
#define PL_LIMIT_INPUT_BYTES ((size_t)256 << 20)
#define PL_LIMIT_INPUT_MIB 256

/* One JSON Lines record (one client with its whole history): 16 MiB, ~100 years of daily
 * check-ins with every measure. */
#define PL_LIMIT_LINE_BYTES ((size_t)16 << 20)

/* A data table named inside an import spec (CSV/TSV): 1 GiB. */
#define PL_LIMIT_TABLE_BYTES ((size_t)1 << 30)

/* JSON nesting depth: 64 levels (the deepest documented input is under 10; jansson's own
 * parser stops at 2048). */
#define PL_LIMIT_JSON_DEPTH 64

/* One JSON string or object key: 64 KiB (ids, tags, dates, file names are far shorter). */
#define PL_LIMIT_STRING_BYTES ((size_t)64 << 10)

/* Dense matrices (solve assignment costs/scores, .npy files): at most 100,000 rows or columns
 * and 100 million cells (800 MB as doubles). */
#define PL_LIMIT_MATRIX_DIM 100000
#define PL_LIMIT_MATRIX_CELLS 100000000

/* Clients in one request (risk, datasets) or profiles in one matching request. */
#define PL_LIMIT_CLIENTS 1000000

/* Check-in rows per client (several a day for 100 years); days per client are bounded by
 * PL_CHECKINS_MAX_DAYS (peerlink/checkins.h). */
#define PL_LIMIT_CHECKINS_PER_CLIENT 1000000

#endif
