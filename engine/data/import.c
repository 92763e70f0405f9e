/*
 * import.c: long-format check-in tables (CSV, TSV, openESM) into the risk input row form.
 *
 * Why a spec instead of fixed column names: EMA platforms and studies each name their columns
 * their own way (openESM keeps the original names and documents them in its metadata), so the
 * caller says which column is the client id, the date (or study day), each measure, each event
 * flag and each attribute. The table is read with RFC 4180 quoting (fields in double quotes may
 * hold the delimiter, line breaks and "" for a quote). Every cell is validated here: a bad cell
 * stops the import with the row and column named, never the cell's content (health data).
 *
 * Rows of one client may come in any order: each client's check-ins are sorted by date (stable,
 * so several check-ins on one date keep their order; the risk parser averages them).
 */
#include <peerlink/import.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/gen.h>
#include <peerlink/utf8.h>

/* Standard measures (the catalogue of docs/risk.md): name, range, boolean. */
static const struct std_measure {
	const char *name;
	double min, max;
	int boolean;
} std_measures[] = {
	{ "craving", 0, 10, 0 }, { "mood", 0, 10, 0 }, { "stress", 0, 10, 0 },
	{ "anxiety", 0, 10, 0 }, { "sleep_hours", 0, 24, 0 }, { "sleep_quality", 0, 10, 0 },
	{ "attended", 0, 1, 1 }, { "medication_taken", 0, 1, 1 }, { "peer_contact", 0, 1, 1 },
	{ "used", 0, 1, 1 },
};
#define NSTD (sizeof(std_measures) / sizeof(std_measures[0]))

/* ---- the table ---- */

typedef struct table {
	size_t ncols, nrows;
	char **header;   /* ncols */
	char **cells;    /* nrows * ncols, row-major (NULL: the row was short) */
	char *buf;       /* one allocation holding every unquoted cell */
} table;

static void table_release(table *t)
{
	free(t->header);
	free(t->cells);
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

/* Parse into a cell list: cells are copied unquoted into one buffer, NUL-terminated; rowstart
 * gets the index of each record's first cell. */
static pl_status parse_table(const char *text, size_t len, char delim, table *t, pl_error *err)
{
	size_t cap_cells = 1024, ncells = 0, cap_rows = 256, nrec = 0, out = 0, i = 0;
	char **cells = malloc(cap_cells * sizeof(char *));
	size_t *rowstart = malloc(cap_rows * sizeof(size_t));
	pl_status st = PL_OK;

	memset(t, 0, sizeof(*t));
	if (len > PL_IMPORT_MAX_BYTES) {
		st = pl_error_set(err, PL_ERR_INVALID, "/data",
				  "the table is larger than the importer's limit of %zu bytes",
				  PL_IMPORT_MAX_BYTES);
		goto fail;
	}
	t->buf = malloc(len + 1);
	if (!cells || !rowstart || !t->buf) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading the table");
		goto fail;
	}
	if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
	    (unsigned char)text[2] == 0xBF)
		i = 3; /* UTF-8 byte order mark, as spreadsheet programs write */
	while (i < len) {
		/* one record */
		if (nrec == cap_rows) {
			size_t *nr = realloc(rowstart, 2 * cap_rows * sizeof(size_t));
			if (!nr) {
				st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading the table");
				goto fail;
			}
			rowstart = nr;
			cap_rows *= 2;
		}
		if (nrec > PL_IMPORT_MAX_ROWS) {
			st = pl_error_set(err, PL_ERR_INVALID, "/data",
					  "the table has more than %d data rows (the importer's limit)",
					  PL_IMPORT_MAX_ROWS);
			goto fail;
		}
		rowstart[nrec++] = ncells;
		for (;;) {
			size_t start = out;
			if (ncells - rowstart[nrec - 1] == PL_IMPORT_MAX_COLUMNS) {
				st = pl_error_set(err, PL_ERR_INVALID, "/data",
						  "row %zu has more than %d fields (the importer's limit)",
						  nrec - 1, PL_IMPORT_MAX_COLUMNS);
				goto fail;
			}
			if (ncells == cap_cells) {
				char **nc = realloc(cells, 2 * cap_cells * sizeof(char *));
				if (!nc) {
					st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading the table");
					goto fail;
				}
				cells = nc;
				cap_cells *= 2;
			}
			if (i < len && text[i] == '"') {
				i++;
				for (;;) {
					if (i >= len) {
						st = pl_error_set(err, PL_ERR_INVALID, "/data",
								  "row %zu: a quoted field is not closed",
								  nrec - 1);
						goto fail;
					}
					if (text[i] == '"') {
						if (i + 1 < len && text[i + 1] == '"') {
							t->buf[out++] = '"';
							i += 2;
							continue;
						}
						i++;
						break;
					}
					t->buf[out++] = text[i++];
				}
				/* anything between the closing quote and the delimiter is kept as is */
				while (i < len && text[i] != delim && text[i] != '\n' && text[i] != '\r')
					t->buf[out++] = text[i++];
			} else {
				while (i < len && text[i] != delim && text[i] != '\n' && text[i] != '\r')
					t->buf[out++] = text[i++];
			}
			if (out - start > PL_IMPORT_MAX_FIELD) {
				st = pl_error_set(err, PL_ERR_INVALID, "/data",
						  "row %zu, field %zu is longer than %d bytes (the importer's limit)",
						  nrec - 1, ncells - rowstart[nrec - 1] + 1, PL_IMPORT_MAX_FIELD);
				goto fail;
			}
			if (memchr(t->buf + start, '\0', out - start)) {
				/* C strings would cut the field there and merge distinct ids */
				st = pl_error_set(err, PL_ERR_INVALID, "/data",
						  "row %zu, field %zu holds a NUL byte: not a text table",
						  nrec - 1, ncells - rowstart[nrec - 1] + 1);
				goto fail;
			}
			t->buf[out++] = '\0';
			cells[ncells++] = t->buf + start;
			if (i < len && text[i] == delim) {
				i++;
				continue;
			}
			if (i < len && text[i] == '\r')
				i++;
			if (i < len && text[i] == '\n')
				i++;
			break;
		}
		/* a blank line is no record */
		if (ncells - rowstart[nrec - 1] == 1 && cells[ncells - 1][0] == '\0') {
			ncells--;
			nrec--;
		}
	}
	if (nrec == 0) {
		st = pl_error_set(err, PL_ERR_INVALID, "/data", "the table has no header row");
		goto fail;
	}
	t->ncols = (nrec > 1 ? rowstart[1] : ncells) - rowstart[0];
	t->nrows = nrec - 1;
	t->header = malloc(t->ncols * sizeof(char *));
	t->cells = calloc(t->nrows * t->ncols + 1, sizeof(char *));
	if (!t->header || !t->cells) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading the table");
		goto fail;
	}
	for (size_t c = 0; c < t->ncols; c++)
		t->header[c] = cells[c];
	for (size_t r = 1; r < nrec; r++) {
		size_t a = rowstart[r], b = r + 1 < nrec ? rowstart[r + 1] : ncells;
		if (b - a != t->ncols) {
			st = pl_error_set(err, PL_ERR_INVALID, "/data",
					  "row %zu has %zu fields but the header has %zu", r, b - a, t->ncols);
			goto fail;
		}
		for (size_t c = 0; c < t->ncols; c++)
			t->cells[(r - 1) * t->ncols + c] = cells[a + c];
	}
	free(cells);
	free(rowstart);
	return PL_OK;
fail:
	free(cells);
	free(rowstart);
	table_release(t);
	return st;
}

/* ---- the spec ---- */

typedef struct mapped {
	const char *measure;
	int col;
	int boolean;
	double min, max;
	int rescale;           /* map [from_lo, from_hi] onto [min, max] */
	double from_lo, from_hi;
} mapped;

typedef struct named_col {
	const char *name;      /* event type or attribute name */
	int col;
} named_col;

/* The column of that name: -1 if none, -2 if several (which one was meant is unknown). */
static int find_col(const table *t, const char *name)
{
	int found = -1;
	for (size_t c = 0; c < t->ncols; c++)
		if (strcmp(t->header[c], name) == 0) {
			if (found >= 0)
				return -2;
			found = (int)c;
		}
	return found;
}

static pl_status no_column(int col, const char *ptr, pl_error *err)
{
	return pl_error_set(err, PL_ERR_INVALID, ptr,
			    col == -2 ? "the table has more than one column of this name"
				      : "the table has no column of this name");
}

static pl_status column_of(const table *t, json_t *v, const char *ptr, int *col, pl_error *err)
{
	if (!json_is_string(v))
		return pl_error_set(err, PL_ERR_INVALID, ptr, "a column name (string) is needed here");
	*col = find_col(t, json_string_value(v));
	return *col < 0 ? no_column(*col, ptr, err) : PL_OK;
}

static int is_missing(json_t *missing, const char *cell)
{
	size_t i;
	json_t *m;
	json_array_foreach(missing, i, m)
		if (strcmp(json_string_value(m), cell) == 0)
			return 1;
	return 0;
}

static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "1", "true", "TRUE", "True", "yes", "YES", "Yes", "y", "Y" };
	static const char *const no[] = { "0", "false", "FALSE", "False", "no", "NO", "No", "n", "N" };
	for (size_t k = 0; k < sizeof(yes) / sizeof(yes[0]); k++)
		if (strcmp(s, yes[k]) == 0) {
			*out = 1;
			return 0;
		}
	for (size_t k = 0; k < sizeof(no) / sizeof(no[0]); k++)
		if (strcmp(s, no[k]) == 0) {
			*out = 0;
			return 0;
		}
	return -1;
}

static int parse_number(const char *s, double *out)
{
	char *end;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	while (isspace((unsigned char)*end))
		end++;
	return *end || errno || !isfinite(*out) ? -1 : 0;
}

/* A date cell: "YYYY-MM-DD", optionally followed by a time ("T..." or " ..."). */
static int parse_date_cell(const char *s, int32_t *day)
{
	char d[11];
	if (strlen(s) < 10 || (s[10] != '\0' && s[10] != 'T' && s[10] != ' '))
		return -1;
	memcpy(d, s, 10);
	d[10] = '\0';
	return pl_gen_date_parse(d, day);
}

/* Range of a custom measure from openESM labels "1 = Not at all\n...\n5 = Extremely": the
 * smallest and largest leading integers. */
static int labels_range(json_t *metadata, const char *column, double *lo, double *hi)
{
	json_t *features = json_object_get(metadata, "features"), *f;
	size_t i;
	int found = 0;

	json_array_foreach(features, i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *labels = json_string_value(json_object_get(f, "labels"));
		if (!name || strcmp(name, column) != 0 || !labels)
			continue;
		for (const char *p = labels; *p;) {
			char *end;
			long v = strtol(p, &end, 10);
			if (end != p) {
				const char *q = end;
				while (*q == ' ')
					q++;
				if (*q == '=') {
					if (!found || v < *lo)
						*lo = (double)v;
					if (!found || v > *hi)
						*hi = (double)v;
					found = 1;
				}
			}
			p = strchr(p, '\n');
			if (!p)
				break;
			p++;
		}
	}
	return found ? 0 : -1;
}

/* ---- conversion ---- */

typedef struct rowref {
	size_t client;
	int32_t day;
	size_t row;
} rowref;

static int cmp_rowref(const void *a, const void *b)
{
	const rowref *x = a, *y = b;
	if (x->client != y->client)
		return x->client < y->client ? -1 : 1;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row; /* stable */
}

static pl_status cell_error(pl_error *err, const table *t, size_t row, int col, const char *what)
{
	char p[PL_POINTER_MAX] = "/data";
	pl_pointer_append_index(p, sizeof(p), row + 1);
	pl_pointer_append(p, sizeof(p), t->header[col]);
	return pl_error_set(err, PL_ERR_INVALID, p, "row %zu, column '%s': %s", row + 1,
			    t->header[col], what);
}

pl_status pl_import_table(const char *text, size_t len, json_t *spec, json_t *metadata,
			  json_t **out, pl_import_stats *stats, pl_error *err)
{
	table t;
	json_t *jm, *v, *missing = NULL, *catalogue, *clients = NULL, *doc = NULL, *ids = NULL;
	mapped *ms = NULL;
	named_col *evs = NULL, *attrs = NULL;
	size_t nms = 0, nevs = 0, nattrs = 0;
	rowref *refs = NULL;
	int idcol = -1, datecol = -1, daycol = -1;
	int32_t start = 0;
	const char *delim_s = ",", *key;
	pl_status st;
	char p[PL_POINTER_MAX];

	*out = NULL;
	memset(stats, 0, sizeof(*stats));
	v = json_object_get(spec, "delimiter");
	if (v) {
		if (!json_is_string(v) || json_string_length(v) != 1)
			return pl_error_set(err, PL_ERR_INVALID, "/delimiter",
					    "delimiter must be a one-character string");
		delim_s = json_string_value(v);
	}
	st = parse_table(text, len, delim_s[0], &t, err);
	if (st != PL_OK)
		return st;

	if ((v = json_object_get(spec, "id"))) {
		if ((st = column_of(&t, v, "/id", &idcol, err)) != PL_OK)
			goto done;
	} else if ((idcol = find_col(&t, "id")) < 0) {
		st = idcol == -2 ? no_column(idcol, "/id", err)
				 : pl_error_set(err, PL_ERR_INVALID, "/id",
						"name the client id column ('id'); the table has no column 'id'");
		goto done;
	}
	if ((v = json_object_get(spec, "date"))) {
		if ((st = column_of(&t, v, "/date", &datecol, err)) != PL_OK)
			goto done;
	} else if ((v = json_object_get(spec, "day"))) {
		json_t *s = json_object_get(spec, "start");
		if ((st = column_of(&t, v, "/day", &daycol, err)) != PL_OK)
			goto done;
		if (!json_is_string(s) || pl_gen_date_parse(json_string_value(s), &start) != 0) {
			st = pl_error_set(err, PL_ERR_INVALID, "/start",
					  "with a day column, 'start' must give the date of day 1 (YYYY-MM-DD)");
			goto done;
		}
	} else {
		st = pl_error_set(err, PL_ERR_INVALID, "/date",
				  "name the date column ('date') or a study-day column ('day' with 'start')");
		goto done;
	}
	missing = json_object_get(spec, "missing");
	if (missing) {
		size_t i;
		json_t *m;
		if (!json_is_array(missing)) {
			st = pl_error_set(err, PL_ERR_INVALID, "/missing", "missing must be an array of strings");
			goto done;
		}
		json_array_foreach(missing, i, m)
			if (!json_is_string(m)) {
				snprintf(p, sizeof(p), "/missing/%zu", i);
				st = pl_error_set(err, PL_ERR_INVALID, p, "missing must be an array of strings");
				goto done;
			}
		json_incref(missing);
	} else {
		missing = json_pack("[s,s,s,s]", "", "NA", "NaN", ".");
	}

	catalogue = json_object_get(spec, "catalogue");
	if (catalogue && !json_is_object(catalogue)) {
		st = pl_error_set(err, PL_ERR_INVALID, "/catalogue", "catalogue must be an object");
		goto done;
	}
	jm = json_object_get(spec, "measures");
	if (!json_is_object(jm) || json_object_size(jm) == 0) {
		st = pl_error_set(err, PL_ERR_INVALID, "/measures",
				  "measures must map at least one measure name to a column");
		goto done;
	}
	ms = calloc(json_object_size(jm), sizeof(*ms));
	if (!ms) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto done;
	}
	json_object_foreach(jm, key, v) {
		mapped *m = &ms[nms];
		json_t *def, *rs;
		size_t k;

		snprintf(p, sizeof(p), "/measures");
		pl_pointer_append(p, sizeof(p), key);
		m->measure = key;
		if ((st = column_of(&t, v, p, &m->col, err)) != PL_OK)
			goto done;
		for (k = 0; k < NSTD && strcmp(std_measures[k].name, key) != 0; k++)
			;
		if (k < NSTD) {
			m->min = std_measures[k].min;
			m->max = std_measures[k].max;
			m->boolean = std_measures[k].boolean;
		} else {
			/* a custom measure: defined in the catalogue (ranges may come from openESM labels) */
			json_t *jt, *jmin, *jmax, *jw;
			snprintf(p, sizeof(p), "/catalogue");
			pl_pointer_append(p, sizeof(p), key);
			def = catalogue ? json_object_get(catalogue, key) : NULL;
			if (!json_is_object(def)) {
				st = pl_error_set(err, PL_ERR_INVALID, p,
						  "custom measure '%s' needs a catalogue entry "
						  "{\"min\", \"max\", \"worse\": \"higher\"|\"lower\"}", key);
				goto done;
			}
			jt = json_object_get(def, "type");
			m->boolean = jt && json_is_string(jt) && strcmp(json_string_value(jt), "boolean") == 0;
			jmin = json_object_get(def, "min");
			jmax = json_object_get(def, "max");
			jw = json_object_get(def, "worse");
			if (!json_is_string(jw) || (strcmp(json_string_value(jw), "higher") != 0 &&
						    strcmp(json_string_value(jw), "lower") != 0)) {
				pl_pointer_append(p, sizeof(p), "worse");
				st = pl_error_set(err, PL_ERR_INVALID, p,
						  "worse must be \"higher\" or \"lower\"");
				goto done;
			}
			if (m->boolean) {
				m->min = 0;
				m->max = 1;
			} else if (json_is_number(jmin) && json_is_number(jmax)) {
				m->min = json_number_value(jmin);
				m->max = json_number_value(jmax);
			} else if (!metadata || labels_range(metadata, t.header[m->col], &m->min, &m->max) != 0) {
				pl_pointer_append(p, sizeof(p), json_is_number(jmin) ? "max" : "min");
				st = pl_error_set(err, PL_ERR_INVALID, p,
						  "custom measure '%s' needs min and max (or openESM labels)", key);
				goto done;
			}
			if (!(m->min < m->max)) {
				pl_pointer_append(p, sizeof(p), "max");
				st = pl_error_set(err, PL_ERR_INVALID, p, "max must be above min");
				goto done;
			}
		}
		rs = json_object_get(json_object_get(spec, "rescale"), key);
		if (rs) {
			snprintf(p, sizeof(p), "/rescale");
			pl_pointer_append(p, sizeof(p), key);
			if (!json_is_array(rs) || json_array_size(rs) != 2 ||
			    !json_is_number(json_array_get(rs, 0)) || !json_is_number(json_array_get(rs, 1)) ||
			    !(json_number_value(json_array_get(rs, 0)) < json_number_value(json_array_get(rs, 1))) ||
			    m->boolean) {
				st = pl_error_set(err, PL_ERR_INVALID, p,
						  "rescale needs [low, high] with low < high, for a numeric measure");
				goto done;
			}
			m->rescale = 1;
			m->from_lo = json_number_value(json_array_get(rs, 0));
			m->from_hi = json_number_value(json_array_get(rs, 1));
		}
		nms++;
	}
	if ((v = json_object_get(spec, "rescale"))) {
		json_object_foreach(v, key, jm) {
			if (!json_object_get(json_object_get(spec, "measures"), key)) {
				snprintf(p, sizeof(p), "/rescale");
				pl_pointer_append(p, sizeof(p), key);
				st = pl_error_set(err, PL_ERR_INVALID, p, "rescale names a measure that is not mapped");
				goto done;
			}
		}
	}
	/* events: {"column": "type"}; attributes: {"name": "column"} */
	if ((v = json_object_get(spec, "events"))) {
		json_t *ty;
		evs = calloc(json_object_size(v) + 1, sizeof(*evs));
		if (!evs) {
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
			goto done;
		}
		json_object_foreach(v, key, ty) {
			snprintf(p, sizeof(p), "/events");
			pl_pointer_append(p, sizeof(p), key);
			evs[nevs].col = find_col(&t, key);
			if (evs[nevs].col < 0) {
				st = no_column(evs[nevs].col, p, err);
				goto done;
			}
			if (!json_is_string(ty) || json_string_length(ty) == 0) {
				st = pl_error_set(err, PL_ERR_INVALID, p,
						  "an event column maps to an event type such as \"lapse\"");
				goto done;
			}
			evs[nevs++].name = json_string_value(ty);
		}
	}
	if ((v = json_object_get(spec, "attributes"))) {
		json_t *col;
		attrs = calloc(json_object_size(v) + 1, sizeof(*attrs));
		if (!attrs) {
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
			goto done;
		}
		json_object_foreach(v, key, col) {
			snprintf(p, sizeof(p), "/attributes");
			pl_pointer_append(p, sizeof(p), key);
			if ((st = column_of(&t, col, p, &attrs[nattrs].col, err)) != PL_OK)
				goto done;
			attrs[nattrs++].name = key;
		}
	}

	/* pass 1: validate ids and dates, number the clients in order of first appearance */
	refs = malloc((t.nrows ? t.nrows : 1) * sizeof(*refs));
	ids = json_object();
	clients = json_array();
	if (!refs || !ids || !clients) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto done;
	}
	for (size_t r = 0; r < t.nrows; r++) {
		const char *id = t.cells[r * t.ncols + (size_t)idcol];
		json_t *known;
		if (!*id || is_missing(missing, id)) {
			st = cell_error(err, &t, r, idcol, "the client id is empty");
			goto done;
		}
		if (!pl_utf8_valid(id)) {
			st = cell_error(err, &t, r, idcol, "the client id is not valid UTF-8 text");
			goto done;
		}
		known = json_object_get(ids, id);
		if (!known) {
			json_t *c = json_object();
			known = json_integer((json_int_t)json_array_size(clients));
			json_object_set_new(ids, id, known);
			json_object_set_new(c, "id", json_string(id));
			json_array_append_new(clients, c);
		}
		refs[r].client = (size_t)json_integer_value(known);
		refs[r].row = r;
		if (datecol >= 0) {
			if (parse_date_cell(t.cells[r * t.ncols + (size_t)datecol], &refs[r].day) != 0) {
				st = cell_error(err, &t, r, datecol, "not a date YYYY-MM-DD");
				goto done;
			}
		} else {
			double d;
			if (parse_number(t.cells[r * t.ncols + (size_t)daycol], &d) != 0 || d != floor(d) ||
			    d < 1 || d > 36600) {
				st = cell_error(err, &t, r, daycol, "not a study day (an integer from 1)");
				goto done;
			}
			refs[r].day = start + (int32_t)d - 1;
		}
	}
	qsort(refs, t.nrows, sizeof(*refs), cmp_rowref);

	/* pass 2: build each client's check-ins, events and attributes */
	for (size_t k = 0; k < t.nrows; k++) {
		size_t r = refs[k].row;
		json_t *c = json_array_get(clients, refs[k].client), *ci = json_object(), *arr;
		char date[16];
		int any = 0;

		pl_gen_date_format(refs[k].day, date);
		json_object_set_new(ci, "date", json_string(date));
		for (size_t m = 0; m < nms; m++) {
			const char *cell = t.cells[r * t.ncols + (size_t)ms[m].col];
			double x;
			int b;
			if (is_missing(missing, cell))
				continue;
			if (ms[m].boolean) {
				if (parse_bool(cell, &b) != 0) {
					json_decref(ci);
					st = cell_error(err, &t, r, ms[m].col,
							"not a boolean (true/false, yes/no, 1/0)");
					goto done;
				}
				json_object_set_new(ci, ms[m].measure, json_boolean(b));
			} else {
				if (parse_number(cell, &x) != 0) {
					json_decref(ci);
					st = cell_error(err, &t, r, ms[m].col, "not a number");
					goto done;
				}
				if (ms[m].rescale) {
					if (x < ms[m].from_lo || x > ms[m].from_hi) {
						json_decref(ci);
						st = cell_error(err, &t, r, ms[m].col,
								"outside the range given in rescale");
						goto done;
					}
					x = ms[m].min + (x - ms[m].from_lo) * (ms[m].max - ms[m].min) /
								(ms[m].from_hi - ms[m].from_lo);
				}
				if (x < ms[m].min || x > ms[m].max) {
					char what[96];
					json_decref(ci);
					snprintf(what, sizeof(what), "outside the range [%g, %g] of measure '%s'",
						 ms[m].min, ms[m].max, ms[m].measure);
					st = cell_error(err, &t, r, ms[m].col, what);
					goto done;
				}
				json_object_set_new(ci, ms[m].measure,
						    x == floor(x) && fabs(x) < 1e15 ? json_integer((json_int_t)x)
										   : json_real(x));
			}
			any = 1;
		}
		for (size_t e = 0; e < nevs; e++) {
			const char *cell = t.cells[r * t.ncols + (size_t)evs[e].col];
			int b;
			if (is_missing(missing, cell))
				continue;
			if (parse_bool(cell, &b) != 0) {
				json_decref(ci);
				st = cell_error(err, &t, r, evs[e].col, "not a boolean event flag");
				goto done;
			}
			if (b) {
				json_t *ev = json_object(), *list = json_object_get(c, "events"), *last;
				if (!list) {
					list = json_array();
					json_object_set_new(c, "events", list);
				}
				/* one event per type and date */
				last = json_array_get(list, json_array_size(list) - 1);
				if (json_array_size(list) && strcmp(json_string_value(json_object_get(last, "date")), date) == 0 &&
				    strcmp(json_string_value(json_object_get(last, "type")), evs[e].name) == 0) {
					json_decref(ev);
				} else {
					json_object_set_new(ev, "date", json_string(date));
					json_object_set_new(ev, "type", json_string(evs[e].name));
					json_array_append_new(list, ev);
					stats->events++;
				}
			}
			any = 1;
		}
		for (size_t a = 0; a < nattrs; a++) {
			const char *cell = t.cells[r * t.ncols + (size_t)attrs[a].col];
			json_t *ao = json_object_get(c, "attributes"), *old;
			if (is_missing(missing, cell))
				continue;
			if (!pl_utf8_valid(cell)) {
				json_decref(ci);
				st = cell_error(err, &t, r, attrs[a].col, "not valid UTF-8 text");
				goto done;
			}
			if (!ao) {
				ao = json_object();
				json_object_set_new(c, "attributes", ao);
			}
			old = json_object_get(ao, attrs[a].name);
			if (old && strcmp(json_string_value(old), cell) != 0) {
				json_decref(ci);
				st = cell_error(err, &t, r, attrs[a].col,
						"an attribute must have one value per client");
				goto done;
			}
			if (!old)
				json_object_set_new(ao, attrs[a].name, json_string(cell));
		}
		if (json_object_size(ci) > 1) {
			arr = json_object_get(c, "checkins");
			if (!arr) {
				arr = json_array();
				json_object_set_new(c, "checkins", arr);
			}
			json_array_append_new(arr, ci);
			stats->checkins++;
		} else {
			json_decref(ci);
			if (!any)
				stats->empty_rows++;
		}
	}
	/* every client has both arrays, in a fixed key order: id, attributes?, checkins, events */
	for (size_t c = 0; c < json_array_size(clients); c++) {
		json_t *o = json_array_get(clients, c), *n = json_object(), *x;
		json_object_set(n, "id", json_object_get(o, "id"));
		if ((x = json_object_get(o, "attributes")))
			json_object_set(n, "attributes", x);
		x = json_object_get(o, "checkins");
		json_object_set_new(n, "checkins", x ? json_incref(x) : json_array());
		x = json_object_get(o, "events");
		json_object_set_new(n, "events", x ? json_incref(x) : json_array());
		json_array_set_new(clients, c, n);
	}
	stats->rows = t.nrows;
	stats->clients = json_array_size(clients);
	doc = json_object();
	json_object_set_new(doc, "clients", clients);
	clients = NULL;
	/* the custom catalogue, only for mapped custom measures, with resolved ranges */
	{
		json_t *cat = json_object();
		for (size_t m = 0; m < nms; m++) {
			size_t k;
			json_t *d, *src;
			for (k = 0; k < NSTD && strcmp(std_measures[k].name, ms[m].measure) != 0; k++)
				;
			if (k < NSTD)
				continue;
			src = json_object_get(catalogue, ms[m].measure);
			d = json_object();
			if (ms[m].boolean) {
				json_object_set_new(d, "type", json_string("boolean"));
			} else {
				json_object_set_new(d, "min", json_real(ms[m].min));
				json_object_set_new(d, "max", json_real(ms[m].max));
			}
			json_object_set(d, "worse", json_object_get(src, "worse"));
			json_object_set_new(cat, ms[m].measure, d);
		}
		if (json_object_size(cat))
			json_object_set_new(doc, "measures", cat);
		else
			json_decref(cat);
	}
	*out = doc;
	st = PL_OK;
done:
	json_decref(clients);
	json_decref(ids);
	json_decref(missing);
	free(refs);
	free(ms);
	free(evs);
	free(attrs);
	table_release(&t);
	return st;
}
