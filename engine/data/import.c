/*
 * import.c: long-format check-in tables (CSV, TSV, openESM) into plain arrays of clients,
 * check-ins, events and attributes (peerlink/import.h); the JSON layer (engine/json/import.c)
 * reads the spec and writes the risk input's row form.
 *
 * Why a spec instead of fixed column names: EMA platforms and studies each name their columns
 * their own way (openESM keeps the original names and documents them in its metadata), so the
 * caller says which column is the client id, the date (or study day), each measure, each event
 * flag and each attribute. The table is read with RFC 4180 quoting (fields in double quotes may
 * hold the delimiter, line breaks and "" for a quote). Every cell is validated here: a bad cell
 * stops the import with the row and column named, never the cell's content (health data).
 *
 * The steps, one function each: parse the table, map the spec's columns, number the rows (ids
 * and dates, clients in order of first appearance), sort each client's rows by date (stable, so
 * several check-ins on one date keep their order; the risk parser averages them), build each
 * client's check-ins, events and attributes.
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

#include "import_int.h"

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

static const char *const default_missing[] = { "", "NA", "NaN", "." };

int pl_import_standard_measure(const char *name, double *min, double *max, int *boolean)
{
	for (size_t k = 0; k < NSTD; k++)
		if (strcmp(std_measures[k].name, name) == 0) {
			*min = std_measures[k].min;
			*max = std_measures[k].max;
			*boolean = std_measures[k].boolean;
			return 1;
		}
	return 0;
}

void pl_import_spec_init(pl_import_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->delimiter = ',';
	s->id.name = "id";
	s->id.origin = "/id";
	s->id_default = 1;
}

void pl_import_spec_release(pl_import_spec *s)
{
	free(s->measures);
	free(s->events);
	free(s->attributes);
	free(s->missing);
	free(s->storage_);
	pl_import_spec_init(s);
}

int pl_import_labels_range(const char *labels, double *lo, double *hi)
{
	int found = 0;

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
	return found ? 0 : -1;
}

/* ---- the table ---- */

/* table and parse_table are shared with import_profiles.c (import_int.h) */
typedef pl_import_table table;

void pl_import_table_release(pl_import_table *t)
{
	free(t->header);
	free(t->cells);
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

/* Grow *p (elements of `size` bytes, capacity *cap) to hold at least need; 0 or -1. */
static int grow(void *p, size_t *cap, size_t need, size_t size)
{
	void **pp = p, *np;
	size_t ncap = *cap ? *cap : 64;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*pp, ncap * size);
	if (!np)
		return -1;
	*pp = np;
	*cap = ncap;
	return 0;
}

/* The cell list while parsing: every cell of every record, and where each record starts. */
typedef struct scan {
	const char *text;
	size_t len, i;       /* input and position */
	char delim;
	char *buf;           /* unquoted cells, NUL-terminated */
	size_t out;
	char **cells;
	size_t ncells, cap_cells;
	size_t *rowstart;
	size_t nrec, cap_rows;
} scan;

static int field_end(const scan *s)
{
	return s->i >= s->len || s->text[s->i] == s->delim || s->text[s->i] == '\n' ||
	       s->text[s->i] == '\r';
}

/* Copy one field into the buffer, unquoting it. rec: the record's row number (0 = header). */
static pl_status copy_field(scan *s, size_t rec, pl_error *err)
{
	if (s->i < s->len && s->text[s->i] == '"') {
		s->i++;
		for (;;) {
			if (s->i >= s->len)
				return pl_error_set(err, PL_ERR_INVALID, "/data",
						    "row %zu: a quoted field is not closed", rec);
			if (s->text[s->i] == '"') {
				if (s->i + 1 < s->len && s->text[s->i + 1] == '"') {
					s->buf[s->out++] = '"';
					s->i += 2;
					continue;
				}
				s->i++;
				break;
			}
			s->buf[s->out++] = s->text[s->i++];
		}
		/* anything between the closing quote and the delimiter is kept as is */
	}
	while (!field_end(s))
		s->buf[s->out++] = s->text[s->i++];
	return PL_OK;
}

/* One field of record rec: copied, checked against the limits, added to the cell list. */
static pl_status scan_field(scan *s, size_t rec, pl_error *err)
{
	size_t start = s->out, field = s->ncells - s->rowstart[rec] + 1;
	pl_status st;

	if (field > PL_IMPORT_MAX_COLUMNS)
		return pl_error_set(err, PL_ERR_INVALID, "/data",
				    "row %zu has more than %d fields (the importer's limit)", rec,
				    PL_IMPORT_MAX_COLUMNS);
	if (grow(&s->cells, &s->cap_cells, s->ncells + 1, sizeof(char *)) != 0)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading the table");
	if ((st = copy_field(s, rec, err)) != PL_OK)
		return st;
	if (s->out - start > PL_IMPORT_MAX_FIELD)
		return pl_error_set(err, PL_ERR_INVALID, "/data",
				    "row %zu, field %zu is longer than %d bytes (the importer's limit)", rec,
				    field, PL_IMPORT_MAX_FIELD);
	if (memchr(s->buf + start, '\0', s->out - start))
		/* C strings would cut the field there and merge distinct ids */
		return pl_error_set(err, PL_ERR_INVALID, "/data",
				    "row %zu, field %zu holds a NUL byte: not a text table", rec, field);
	s->buf[s->out++] = '\0';
	s->cells[s->ncells++] = s->buf + start;
	return PL_OK;
}

/* One record (a line, or several when quotes hold line breaks); a blank line is no record. */
static pl_status scan_record(scan *s, pl_error *err)
{
	size_t rec = s->nrec;
	pl_status st;

	if (rec > PL_IMPORT_MAX_ROWS)
		return pl_error_set(err, PL_ERR_INVALID, "/data",
				    "the table has more than %d data rows (the importer's limit)",
				    PL_IMPORT_MAX_ROWS);
	if (grow(&s->rowstart, &s->cap_rows, rec + 1, sizeof(size_t)) != 0)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading the table");
	s->rowstart[s->nrec++] = s->ncells;
	for (;;) {
		if ((st = scan_field(s, rec, err)) != PL_OK)
			return st;
		if (s->i < s->len && s->text[s->i] == s->delim) {
			s->i++;
			continue;
		}
		if (s->i < s->len && s->text[s->i] == '\r')
			s->i++;
		if (s->i < s->len && s->text[s->i] == '\n')
			s->i++;
		break;
	}
	if (s->ncells - s->rowstart[rec] == 1 && s->cells[s->ncells - 1][0] == '\0') {
		s->ncells--;
		s->nrec--;
	}
	return PL_OK;
}

/* The scanned records as a header and a rectangular grid of cells. */
static pl_status index_table(scan *s, table *t, pl_error *err)
{
	if (s->nrec == 0)
		return pl_error_set(err, PL_ERR_INVALID, "/data", "the table has no header row");
	t->ncols = (s->nrec > 1 ? s->rowstart[1] : s->ncells) - s->rowstart[0];
	t->nrows = s->nrec - 1;
	t->header = malloc(t->ncols * sizeof(char *) + 1);
	t->cells = calloc(t->nrows * t->ncols + 1, sizeof(char *));
	if (!t->header || !t->cells)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading the table");
	for (size_t c = 0; c < t->ncols; c++)
		t->header[c] = s->cells[c];
	for (size_t r = 1; r < s->nrec; r++) {
		size_t a = s->rowstart[r], b = r + 1 < s->nrec ? s->rowstart[r + 1] : s->ncells;
		if (b - a != t->ncols)
			return pl_error_set(err, PL_ERR_INVALID, "/data",
					    "row %zu has %zu fields but the header has %zu", r, b - a,
					    t->ncols);
		memcpy(&t->cells[(r - 1) * t->ncols], &s->cells[a], t->ncols * sizeof(char *));
	}
	return PL_OK;
}

pl_status pl_import_table_parse(const char *text, size_t len, char delim, pl_import_table *t,
				pl_error *err)
{
	scan s;
	pl_status st = PL_OK;

	memset(t, 0, sizeof(*t));
	memset(&s, 0, sizeof(s));
	if (len > PL_IMPORT_MAX_BYTES)
		return pl_error_set(err, PL_ERR_INVALID, "/data",
				    "the table is larger than the importer's limit of %zu bytes",
				    PL_IMPORT_MAX_BYTES);
	s.text = text;
	s.len = len;
	s.delim = delim;
	s.buf = t->buf = malloc(len + 1);
	if (!s.buf)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading the table");
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		s.i = 3; /* UTF-8 byte order mark, as spreadsheet programs write */
	while (st == PL_OK && s.i < len)
		st = scan_record(&s, err);
	if (st == PL_OK)
		st = index_table(&s, t, err);
	free(s.cells);
	free(s.rowstart);
	if (st != PL_OK)
		pl_import_table_release(t);
	return st;
}

/* ---- the spec's columns ---- */

typedef struct columns {
	int id, date, day;   /* date or day is -1 */
	int *measure, *event, *attribute;
} columns;

static void columns_release(columns *c)
{
	free(c->measure);
	free(c->event);
	free(c->attribute);
}

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

static pl_status column_of(const table *t, const pl_import_column *c, int *col, pl_error *err)
{
	*col = find_col(t, c->name);
	if (*col >= 0)
		return PL_OK;
	return pl_error_set(err, PL_ERR_INVALID, c->origin,
			    *col == -2 ? "the table has more than one column of this name"
				       : "the table has no column of this name");
}

/* Resolve every column the spec names, in the spec's order (id, date or day, measures, events,
 * attributes), so the first missing one is the one reported. */
static pl_status map_columns(const table *t, const pl_import_spec *s, columns *c, pl_error *err)
{
	pl_status st = PL_OK;

	c->date = c->day = -1;
	c->measure = calloc(s->nmeasures + 1, sizeof(int));
	c->event = calloc(s->nevents + 1, sizeof(int));
	c->attribute = calloc(s->nattributes + 1, sizeof(int));
	if (!c->measure || !c->event || !c->attribute)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if (s->id_default && (c->id = find_col(t, s->id.name)) == -1)
		return pl_error_set(err, PL_ERR_INVALID, s->id.origin,
				    "name the client id column ('id'); the table has no column 'id'");
	st = column_of(t, &s->id, &c->id, err);
	if (st == PL_OK)
		st = s->date.name ? column_of(t, &s->date, &c->date, err)
				  : column_of(t, &s->day, &c->day, err);
	for (size_t m = 0; st == PL_OK && m < s->nmeasures; m++)
		st = column_of(t, &s->measures[m].column, &c->measure[m], err);
	for (size_t e = 0; st == PL_OK && e < s->nevents; e++)
		st = column_of(t, &s->events[e].column, &c->event[e], err);
	for (size_t a = 0; st == PL_OK && a < s->nattributes; a++)
		st = column_of(t, &s->attributes[a].column, &c->attribute[a], err);
	return st;
}

/* ---- cells ---- */

static int is_missing(const pl_import_spec *s, const char *cell)
{
	const char *const *list = s->missing ? (const char *const *)s->missing : default_missing;
	size_t n = s->missing ? s->nmissing : sizeof(default_missing) / sizeof(default_missing[0]);

	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], cell) == 0)
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

static pl_status cell_error(pl_error *err, const table *t, size_t row, int col, const char *what)
{
	char p[PL_POINTER_MAX] = "/data";
	pl_pointer_append_index(p, sizeof(p), row + 1);
	pl_pointer_append(p, sizeof(p), t->header[col]);
	return pl_error_set(err, PL_ERR_INVALID, p, "row %zu, column '%s': %s", row + 1,
			    t->header[col], what);
}

static const char *cell(const table *t, size_t row, int col)
{
	return t->cells[row * t->ncols + (size_t)col];
}

/* ---- rows: ids, dates, clients in order of first appearance ---- */

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

typedef struct idref {
	const char *id;
	size_t row;
} idref;

static int cmp_idref(const void *a, const void *b)
{
	const idref *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : x->row < y->row ? -1 : x->row > y->row;
}

/* Check each row's id and date, in row order (the first bad row is the one reported). */
static pl_status read_keys(const table *t, const pl_import_spec *s, const columns *c, rowref *refs,
			   pl_error *err)
{
	for (size_t r = 0; r < t->nrows; r++) {
		const char *id = cell(t, r, c->id);
		double d;

		if (!*id || is_missing(s, id))
			return cell_error(err, t, r, c->id, "the client id is empty");
		if (!pl_utf8_valid(id))
			return cell_error(err, t, r, c->id, "the client id is not valid UTF-8 text");
		refs[r].row = r;
		if (c->date >= 0) {
			if (parse_date_cell(cell(t, r, c->date), &refs[r].day) != 0)
				return cell_error(err, t, r, c->date, "not a date YYYY-MM-DD");
			continue;
		}
		if (parse_number(cell(t, r, c->day), &d) != 0 || d != floor(d) || d < 1 || d > 36600)
			return cell_error(err, t, r, c->day, "not a study day (an integer from 1)");
		refs[r].day = s->start + (int32_t)d - 1;
	}
	return PL_OK;
}

/* A run of equal ids in the id-sorted rows: where it starts and its client's first row. */
typedef struct run {
	size_t start, first_row;
} run;

static int cmp_run(const void *a, const void *b)
{
	const run *x = a, *y = b;
	return x->first_row < y->first_row ? -1 : x->first_row > y->first_row;
}

/* Number the clients in order of first appearance: sort the rows by id (then row), so each
 * client's first row heads its run, then rank the runs by that first row. */
static pl_status number_clients(const table *t, int idcol, rowref *refs, pl_import_result *res)
{
	idref *ids = malloc((t->nrows + 1) * sizeof(*ids));
	run *runs = malloc((t->nrows + 1) * sizeof(*runs));
	size_t nruns = 0;
	pl_status st = PL_ERR_NOMEM;

	if (!ids || !runs)
		goto done;
	for (size_t r = 0; r < t->nrows; r++)
		ids[r] = (idref){ cell(t, r, idcol), r };
	qsort(ids, t->nrows, sizeof(*ids), cmp_idref);
	for (size_t k = 0; k < t->nrows; k++)
		if (k == 0 || strcmp(ids[k].id, ids[k - 1].id) != 0)
			runs[nruns++] = (run){ k, ids[k].row };
	qsort(runs, nruns, sizeof(*runs), cmp_run);
	res->clients = calloc(nruns + 1, sizeof(*res->clients));
	if (!res->clients)
		goto done;
	for (size_t c = 0; c < nruns; c++) {
		const char *id = ids[runs[c].start].id;
		res->clients[c].id = id;
		for (size_t k = runs[c].start; k < t->nrows && strcmp(ids[k].id, id) == 0; k++)
			refs[ids[k].row].client = c;
	}
	res->nclients = nruns;
	st = PL_OK;
done:
	free(ids);
	free(runs);
	return st;
}

/* ---- building each client's check-ins, events and attributes ---- */

typedef struct builder {
	pl_import_result *res;
	const pl_import_spec *spec;
	const table *t;
	const columns *cols;
	size_t cap_checkins, cap_values, cap_events, cap_attrs;
} builder;

static pl_status nomem(pl_error *err)
{
	return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
}

/* One measure cell into a value (rescaled, range-checked); 1 if there is one, 0 if missing. */
static pl_status read_value(const builder *b, size_t r, size_t m, int *have, double *x,
			    pl_error *err)
{
	const pl_import_measure *ms = &b->spec->measures[m];
	int col = b->cols->measure[m], v;
	const char *text = cell(b->t, r, col);
	char what[96];

	*have = 0;
	if (is_missing(b->spec, text))
		return PL_OK;
	if (ms->boolean) {
		if (parse_bool(text, &v) != 0)
			return cell_error(err, b->t, r, col, "not a boolean (true/false, yes/no, 1/0)");
		*x = v;
		*have = 1;
		return PL_OK;
	}
	if (parse_number(text, x) != 0)
		return cell_error(err, b->t, r, col, "not a number");
	if (ms->rescale) {
		if (*x < ms->from_lo || *x > ms->from_hi)
			return cell_error(err, b->t, r, col, "outside the range given in rescale");
		*x = ms->min + (*x - ms->from_lo) * (ms->max - ms->min) / (ms->from_hi - ms->from_lo);
	}
	if (*x < ms->min || *x > ms->max) {
		snprintf(what, sizeof(what), "outside the range [%g, %g] of measure '%s'", ms->min,
			 ms->max, ms->name);
		return cell_error(err, b->t, r, col, what);
	}
	*have = 1;
	return PL_OK;
}

/* The row's measure values, appended to the result's values; *any when one is present. */
static pl_status read_measures(builder *b, size_t r, int *any, pl_error *err)
{
	pl_import_result *res = b->res;

	for (size_t m = 0; m < b->spec->nmeasures; m++) {
		double x;
		int have;
		pl_status st = read_value(b, r, m, &have, &x, err);
		if (st != PL_OK)
			return st;
		if (!have)
			continue;
		if (grow(&res->values, &b->cap_values, res->nvalues + 1, sizeof(*res->values)) != 0)
			return nomem(err);
		res->values[res->nvalues++] = (pl_import_value){ m, x };
		*any = 1;
	}
	return PL_OK;
}

/* The row's event flags: a true flag adds an event unless the client's last one has the same
 * date and type. */
static pl_status read_events(builder *b, size_t r, int32_t day, const pl_import_client *cl,
			     int *any, pl_error *err)
{
	pl_import_result *res = b->res;
	const pl_import_spec *s = b->spec;

	for (size_t e = 0; e < s->nevents; e++) {
		int col = b->cols->event[e], flag;
		const char *text = cell(b->t, r, col);
		const pl_import_event *last = res->nevents > cl->first_event ? &res->events[res->nevents - 1]
									    : NULL;
		if (is_missing(s, text))
			continue;
		if (parse_bool(text, &flag) != 0)
			return cell_error(err, b->t, r, col, "not a boolean event flag");
		*any = 1;
		if (!flag || (last && last->day == day && strcmp(s->events[last->type].type, s->events[e].type) == 0))
			continue;
		if (grow(&res->events, &b->cap_events, res->nevents + 1, sizeof(*res->events)) != 0)
			return nomem(err);
		res->events[res->nevents++] = (pl_import_event){ day, e };
		res->stats.events++;
	}
	return PL_OK;
}

/* The row's attributes: a client's first value of each is kept, a different one is an error. */
static pl_status read_attributes(builder *b, size_t r, const pl_import_client *cl, pl_error *err)
{
	pl_import_result *res = b->res;

	for (size_t a = 0; a < b->spec->nattributes; a++) {
		int col = b->cols->attribute[a], seen = 0;
		const char *text = cell(b->t, r, col);
		if (is_missing(b->spec, text))
			continue;
		if (!pl_utf8_valid(text))
			return cell_error(err, b->t, r, col, "not valid UTF-8 text");
		for (size_t k = cl->first_attr; k < res->nattrs && !seen; k++) {
			if (res->attrs[k].attribute != a)
				continue;
			if (strcmp(res->attrs[k].value, text) != 0)
				return cell_error(err, b->t, r, col,
						  "an attribute must have one value per client");
			seen = 1;
		}
		if (seen)
			continue;
		if (grow(&res->attrs, &b->cap_attrs, res->nattrs + 1, sizeof(*res->attrs)) != 0)
			return nomem(err);
		res->attrs[res->nattrs++] = (pl_import_attr){ a, text };
	}
	return PL_OK;
}

/* One row of client cl: a check-in when it has a value; an empty row when it has nothing. */
static pl_status add_row(builder *b, const rowref *ref, pl_import_client *cl, pl_error *err)
{
	pl_import_result *res = b->res;
	size_t first = res->nvalues;
	int any = 0;
	pl_status st;

	if ((st = read_measures(b, ref->row, &any, err)) != PL_OK ||
	    (st = read_events(b, ref->row, ref->day, cl, &any, err)) != PL_OK ||
	    (st = read_attributes(b, ref->row, cl, err)) != PL_OK)
		return st;
	if (res->nvalues > first) {
		if (grow(&res->checkins, &b->cap_checkins, res->ncheckins + 1, sizeof(*res->checkins)) != 0)
			return nomem(err);
		res->checkins[res->ncheckins++] = (pl_import_checkin){ ref->day, first, res->nvalues - first };
		res->stats.checkins++;
	} else if (!any) {
		res->stats.empty_rows++;
	}
	return PL_OK;
}

/* Every row in (client, date, row) order; each client's slices are contiguous. */
static pl_status build_clients(builder *b, const rowref *refs, size_t n, pl_error *err)
{
	pl_import_result *res = b->res;

	for (size_t k = 0; k < n; k++) {
		pl_import_client *cl = &res->clients[refs[k].client];
		pl_status st;
		if (k == 0 || refs[k].client != refs[k - 1].client) {
			cl->first_attr = res->nattrs;
			cl->first_checkin = res->ncheckins;
			cl->first_event = res->nevents;
		}
		if ((st = add_row(b, &refs[k], cl, err)) != PL_OK)
			return st;
		cl->nattrs = res->nattrs - cl->first_attr;
		cl->ncheckins = res->ncheckins - cl->first_checkin;
		cl->nevents = res->nevents - cl->first_event;
	}
	return PL_OK;
}

void pl_import_result_free(pl_import_result *r)
{
	if (!r)
		return;
	free(r->clients);
	free(r->checkins);
	free(r->values);
	free(r->events);
	free(r->attrs);
	if (r->table_)
		pl_import_table_release(r->table_);
	free(r->table_);
	free(r);
}

pl_status pl_import_result_new(const char *text, size_t len, const pl_import_spec *spec,
			       pl_import_result **out, pl_error *err)
{
	pl_import_result *res = calloc(1, sizeof(*res));
	table *t = calloc(1, sizeof(*t));
	columns cols = { -1, -1, -1, NULL, NULL, NULL };
	builder b;
	rowref *refs = NULL;
	pl_status st;

	*out = NULL;
	if (!res || !t) {
		free(res);
		free(t);
		return nomem(err);
	}
	res->spec = spec;
	res->table_ = t;
	if ((st = pl_import_table_parse(text, len, spec->delimiter, t, err)) != PL_OK ||
	    (st = map_columns(t, spec, &cols, err)) != PL_OK)
		goto done;
	refs = malloc((t->nrows + 1) * sizeof(*refs));
	if (!refs) {
		st = nomem(err);
		goto done;
	}
	if ((st = read_keys(t, spec, &cols, refs, err)) != PL_OK)
		goto done;
	if ((st = number_clients(t, cols.id, refs, res)) != PL_OK) {
		st = nomem(err);
		goto done;
	}
	qsort(refs, t->nrows, sizeof(*refs), cmp_rowref);
	b = (builder){ res, spec, t, &cols, 0, 0, 0, 0 };
	if ((st = build_clients(&b, refs, t->nrows, err)) != PL_OK)
		goto done;
	res->stats.rows = t->nrows;
	res->stats.clients = res->nclients;
	*out = res;
	res = NULL;
done:
	free(refs);
	columns_release(&cols);
	pl_import_result_free(res);
	return st;
}
