/*
 * peerlink/import.h: real check-in exports into the risk input: a long-format table (one row per
 * client-day or per check-in; CSV or TSV) whose columns are mapped by a spec, and the openESM
 * layout (a TSV time-series file plus a JSON metadata file). datasets/README.md documents the spec
 * (as JSON); docs/datasets.md the rules.
 *
 * The core works on plain structs: a pl_import_spec (filled by the JSON layer from the spec
 * document, peerlink/json_data.h, or by any program) and the table's text in, a pl_import_result
 * (clients, check-ins, values, events, attributes as flat arrays) out; the JSON layer writes the
 * result as the risk input's row form.
 *
 * Errors never quote a cell: a bad cell is named by its data row (1-based, the header being row 0)
 * and column, as the pointer "/data/<row>/<column>" and in words; a column the table lacks is
 * reported at the `origin` the spec gave that column (the pointer of the spec member naming it).
 * Text that reaches the output (client ids, attribute values) must be valid UTF-8, and no field
 * may hold a NUL byte: either stops the import with the row and column named.
 *
 * Ownership: a spec borrows its strings (from the document it was read from) and owns its arrays
 * (pl_import_spec_release). A result is allocated by pl_import_result_new and freed whole by
 * pl_import_result_free; it borrows the spec, which must outlive it.
 */
#ifndef PEERLINK_IMPORT_H
#define PEERLINK_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <peerlink/error.h>
#include <peerlink/profile.h>

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

/* A column named in the spec: its header name, and the pointer of the spec member naming it. */
typedef struct pl_import_column {
	const char *name;
	const char *origin;
} pl_import_column;

typedef struct pl_import_measure {
	const char *name;        /* a standard measure (checkins.h's catalogue) or a custom one */
	pl_import_column column;
	int boolean;
	double min, max;         /* the measure's range; values outside it are errors */
	int custom;              /* not standard: listed in the output catalogue */
	int worse_higher;        /* custom only: "worse" is "higher" (1) or "lower" (0) */
	int rescale;             /* map [from_lo, from_hi] linearly onto [min, max] first */
	double from_lo, from_hi;
} pl_import_measure;

/* A true/false column flagging an event of `type` on the row's date. */
typedef struct pl_import_event_column {
	const char *type;
	pl_import_column column;
} pl_import_event_column;

/* An attribute (one value per client) read from a column. */
typedef struct pl_import_attribute {
	const char *name;
	pl_import_column column;
} pl_import_attribute;

typedef struct pl_import_spec {
	char delimiter;                   /* ',' by default */
	pl_import_column id;              /* the client id column ("id" by default) */
	int id_default;                   /* the spec did not name one: a missing "id" says so */
	pl_import_column date;            /* YYYY-MM-DD[ time] cells; name NULL when rows have days */
	pl_import_column day;             /* study days 1, 2, ... (with start); name NULL with dates */
	int32_t start;                    /* day number (days since 1970-01-01) of study day 1 */
	pl_import_measure *measures;
	size_t nmeasures;                 /* at least one */
	pl_import_event_column *events;
	size_t nevents;
	pl_import_attribute *attributes;
	size_t nattributes;
	const char **missing;             /* cells meaning "no value"; NULL: "", NA, NaN and "." */
	size_t nmissing;
	void *storage_;                   /* private: strings made for the spec (origins); released */
} pl_import_spec;

/* The defaults: delimiter ',', id column "id" (origin "/id"), no columns mapped. */
void pl_import_spec_init(pl_import_spec *s);
/* Free the arrays (measures, events, attributes, missing: malloc'ed, as the JSON layer makes
 * them) and storage_, not the strings they borrow. A spec filled by hand with arrays of its
 * caller's own need not be released. */
void pl_import_spec_release(pl_import_spec *s);

/* 1 when name is a standard measure, with its range and type; 0 otherwise. */
int pl_import_standard_measure(const char *name, double *min, double *max, int *boolean);
/* The range given by openESM labels ("1 = Not at all\n...\n5 = Extremely"): the smallest and
 * largest leading integers followed by '='. 0, or -1 when there is none. */
int pl_import_labels_range(const char *labels, double *lo, double *hi);

/* ---- the result: flat arrays, each client naming its slices ---- */

typedef struct pl_import_value {
	size_t measure;  /* index into spec->measures */
	double value;    /* in the measure's range (after rescaling); booleans 0 or 1 */
} pl_import_value;

typedef struct pl_import_checkin {
	int32_t day;
	size_t first, n; /* values[first .. first + n), in spec order; n >= 1 */
} pl_import_checkin;

typedef struct pl_import_event {
	int32_t day;
	size_t type;     /* index into spec->events (its type names the event) */
} pl_import_event;

typedef struct pl_import_attr {
	size_t attribute; /* index into spec->attributes */
	const char *value;
} pl_import_attr;

/* A client's slices of the result's arrays: attributes in order of first appearance, check-ins
 * sorted by date (stable), events in that order with one per type and date in a row. */
typedef struct pl_import_client {
	const char *id;
	size_t first_attr, nattrs;
	size_t first_checkin, ncheckins;
	size_t first_event, nevents;
} pl_import_client;

typedef struct pl_import_result {
	const pl_import_spec *spec;       /* borrowed */
	pl_import_client *clients;        /* in order of first appearance */
	size_t nclients;
	pl_import_checkin *checkins;
	size_t ncheckins;
	pl_import_value *values;
	size_t nvalues;
	pl_import_event *events;
	size_t nevents;
	pl_import_attr *attrs;
	size_t nattrs;
	pl_import_stats stats;
	void *table_;                     /* private: the cells that ids and values point into */
} pl_import_result;

/* Convert the table in text[0..len) (first line: the header) according to spec. */
pl_status pl_import_result_new(const char *text, size_t len, const pl_import_spec *spec,
			       pl_import_result **out, pl_error *err);
void pl_import_result_free(pl_import_result *r);

/* ---- profiles from a spreadsheet (engine/data/import_profiles.c) ----
 * One row a person, one column a profile field (docs/datasets.md, "Profiles from a
 * spreadsheet"): id, role (mentee | mentor | client), the tag criteria as ';'-separated cells,
 * age, gender, gender_preference, age_min + age_max, capacity, partner_id, exclude, prefers,
 * avoid (';'-separated ids), priority, months_in_recovery, social_anxiety, max_group_size and
 * personality.<trait>. Empty cells are absent fields. Every cell is checked; a bad one is
 * PL_ERR_INVALID at /data/<row>/<column> (row 1 = the first data row), never quoting it. */

typedef enum pl_profile_column_kind {
	PL_PCOL_STRING = 0, PL_PCOL_ROLE, PL_PCOL_TAGS, PL_PCOL_NUMBER, PL_PCOL_INTEGER,
	PL_PCOL_IDS, PL_PCOL_BOOL, PL_PCOL_TRAIT, PL_PCOL_AGE_MIN, PL_PCOL_AGE_MAX
} pl_profile_column_kind;

typedef enum pl_profile_role { PL_PROFILE_CLIENT = 0, PL_PROFILE_MENTEE, PL_PROFILE_MENTOR } pl_profile_role;

typedef struct pl_profile_column {
	const char *name;   /* the header */
	const char *field;  /* the profile field it fills (the trait name for TRAIT) */
	int kind;           /* pl_profile_column_kind */
	int criterion;      /* TAGS: the criterion; gender: PL_VOCAB_GENDER; else -1 */
	double lo, hi;      /* numbers: the allowed range */
} pl_profile_column;

typedef struct pl_import_profiles pl_import_profiles;

/* Parse and check the table; vocab (NULL: none) restricts tags and genders
 * (pl_profiles_allow). *out is freed with pl_import_profiles_free. */
pl_status pl_import_profiles_new(const char *text, size_t len, char delim,
				 const pl_profiles *vocab, pl_import_profiles **out, pl_error *err);
void pl_import_profiles_free(pl_import_profiles *r);
size_t pl_import_profiles_rows(const pl_import_profiles *r);
size_t pl_import_profiles_columns(const pl_import_profiles *r);
const pl_profile_column *pl_import_profiles_column(const pl_import_profiles *r, size_t col);
int pl_import_profiles_role(const pl_import_profiles *r, size_t row); /* pl_profile_role */
const char *pl_import_profiles_cell(const pl_import_profiles *r, size_t row, size_t col);
/* yes/no, true/false, 1/0 (and y/n, TRUE/FALSE, Yes/No): 1 and *out set, else 0. */
int pl_import_profiles_bool(const char *s, int *out);
/* The next ';'-separated piece of *cursor, trimmed, into out; 0 at the end. */
int pl_import_profiles_next_tag(const char **cursor, char *out, size_t size);

#ifdef __cplusplus
}
#endif
#endif
