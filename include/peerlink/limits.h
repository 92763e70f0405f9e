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

/* One JSON Lines record (one client with its whole history): 16 MiB without its end of line,
 * ~100 years of daily check-ins with every measure. Enforced by pl_json_read_line (peerlink/
 * json.h), the one JSON Lines reader: a longer line is exit 3 naming the line. */
#define PL_LIMIT_LINE_BYTES ((size_t)16 << 20)

/* JSON nesting depth: 64 levels (the deepest documented input is under 10; jansson's own
 * parser stops at 2048). */
#define PL_LIMIT_JSON_DEPTH 64

/* One JSON string or object key: 64 KiB (ids, tags, dates, file names are far shorter). */
#define PL_LIMIT_STRING_BYTES ((size_t)64 << 10)

/* Dense matrices read from .npy (and the assignment solver's own bounds, which are the same
 * numbers: PL_ASSIGN_DIM_MAX, PL_ASSIGN_ENTRIES_MAX in peerlink/assign.h): at most 2^24 rows or
 * columns and 2^28 cells (2 GiB as doubles). */
#define PL_LIMIT_MATRIX_DIM ((size_t)1 << 24)
#define PL_LIMIT_MATRIX_CELLS ((size_t)1 << 28)

/* Measures in a catalogue, the ten standard ones included: each client holds a grid of days x
 * measures (at most 36,600 x 256 doubles, 75 MB). */
#define PL_LIMIT_MEASURES 256

/* Clients per request and check-ins per client have no constant of their own: a document is
 * bounded by PL_LIMIT_INPUT_BYTES (bigger cohorts stream as JSON Lines, one client a line,
 * bounded by PL_LIMIT_LINE_BYTES), and a client's grid by PL_CHECKINS_MAX_DAYS x
 * PL_LIMIT_MEASURES. */

/*
 * Limits that belong to one module stay in its header, next to the code that enforces them:
 *   peerlink/assign.h    PL_ASSIGN_COST_MAX (1e15), PL_ASSIGN_DIM_MAX, PL_ASSIGN_ENTRIES_MAX
 *   peerlink/blossom.h   PL_BLOSSOM_WEIGHT_MAX (1e15)
 *   peerlink/program.h   PL_GROUPS_SIZE_MAX, PL_GROUPS_CELLS_MAX (group_count and sizes)
 *   peerlink/ews.h       PL_EWS_MAX_SURROGATE_POINTS (surrogates x series length)
 *   peerlink/import.h    PL_IMPORT_MAX_BYTES (1 GiB), _COLUMNS (4096), _ROWS (10M), _FIELD (64 KiB)
 *   peerlink/checkins.h  PL_CHECKINS_MAX_DAYS (36,600 days per client)
 * docs/bad-input.md lists them all with the answer past each.
 */

#endif
