/*
 * import_profiles.c: a spreadsheet of people into matching profiles (`peerlink dataset import
 * profiles`, docs/datasets.md "Profiles from a spreadsheet"): one row a person, one column a
 * profile field, tags as ';'-separated cells.
 *
 * Why in the core: the columns, their types and ranges are the profile rules of
 * docs/matching-mentors.md seen from a table; checking them here, with the row and column of a
 * bad cell (never its text: these are health records), means a coordinator's export fails at
 * import with a place to look, not later at matching with a pointer into a document they never
 * wrote. The JSON layer (engine/json/import_profiles.c) writes the checked table as profiles.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/import.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/utf8.h>

#include "import_int.h"

/* The columns a profiles table may have (docs/datasets.md). */
static const pl_profile_column known[] = {
	{ "id", "id", PL_PCOL_STRING, -1, 0, 0 },
	{ "role", "role", PL_PCOL_ROLE, -1, 0, 0 },
	{ "experiences", "experiences", PL_PCOL_TAGS, PL_CRIT_EXPERIENCES, 0, 0 },
	{ "substances", "substances", PL_PCOL_TAGS, PL_CRIT_SUBSTANCES, 0, 0 },
	{ "goals", "goals", PL_PCOL_TAGS, PL_CRIT_GOALS, 0, 0 },
	{ "recovery_pathway", "recovery_pathway", PL_PCOL_TAGS, PL_CRIT_RECOVERY_PATHWAY, 0, 0 },
	{ "life_stage", "life_stage", PL_PCOL_TAGS, PL_CRIT_LIFE_STAGE, 0, 0 },
	{ "languages", "languages", PL_PCOL_TAGS, PL_CRIT_LANGUAGES, 0, 0 },
	{ "modalities", "modalities", PL_PCOL_TAGS, PL_CRIT_MODALITIES, 0, 0 },
	{ "availability", "availability", PL_PCOL_TAGS, PL_CRIT_AVAILABILITY, 0, 0 },
	{ "age", "age", PL_PCOL_NUMBER, -1, 0, 149 },
	{ "gender", "gender", PL_PCOL_STRING, PL_VOCAB_GENDER, 0, 0 },
	{ "gender_preference", "gender_preference", PL_PCOL_STRING, -1, 0, 0 },
	{ "age_min", "age_range", PL_PCOL_AGE_MIN, -1, 0, 150 },
	{ "age_max", "age_range", PL_PCOL_AGE_MAX, -1, 0, 150 },
	{ "capacity", "capacity", PL_PCOL_INTEGER, -1, 1, 1000000 },
	{ "partner_id", "partner_id", PL_PCOL_STRING, -1, 0, 0 },
	{ "exclude", "exclude", PL_PCOL_IDS, -1, 0, 0 },
	{ "prefers", "prefers", PL_PCOL_IDS, -1, 0, 0 },
	{ "avoid", "avoid", PL_PCOL_IDS, -1, 0, 0 },
	{ "priority", "priority", PL_PCOL_NUMBER, -1, 0, PL_PRIORITY_MAX },
	{ "months_in_recovery", "months_in_recovery", PL_PCOL_NUMBER, -1, 0, 1200 },
	{ "social_anxiety", "social_anxiety", PL_PCOL_BOOL, -1, 0, 0 },
	{ "max_group_size", "max_group_size", PL_PCOL_INTEGER, -1, 2, 1000000 },
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))
#define TRAIT_PREFIX "personality."

struct pl_import_profiles {
	pl_import_table t;
	pl_profile_column *cols;   /* ncols */
	int *role;                 /* nrows: pl_profile_role */
};

static pl_status cell_error(pl_error *err, const pl_import_table *t, size_t row, size_t col,
			    const char *what)
{
	char p[PL_POINTER_MAX] = "/data";
	pl_pointer_append_index(p, sizeof(p), row + 1);
	pl_pointer_append(p, sizeof(p), t->header[col]);
	return pl_error_set(err, PL_ERR_INVALID, p, "row %zu, column '%s': %s", row + 1,
			    t->header[col], what);
}

/* The column kinds of the header; unknown or repeated names are errors at /data/0. */
static pl_status map_header(pl_import_profiles *r, pl_error *err)
{
	const pl_import_table *t = &r->t;
	int has_id = 0;

	r->cols = calloc(t->ncols ? t->ncols : 1, sizeof(*r->cols));
	if (!r->cols)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t c = 0; c < t->ncols; c++) {
		const char *h = t->header[c];
		size_t k = 0;
		for (size_t d = 0; d < c; d++)
			if (strcmp(t->header[d], h) == 0)
				return pl_error_set(err, PL_ERR_INVALID, "/data/0",
						    "column %zu repeats the name of column %zu", c + 1, d + 1);
		if (strncmp(h, TRAIT_PREFIX, strlen(TRAIT_PREFIX)) == 0 && h[strlen(TRAIT_PREFIX)]) {
			pl_profile_column tc = { h, h + strlen(TRAIT_PREFIX), PL_PCOL_TRAIT, -1, 0, 1 };
			r->cols[c] = tc;
			continue;
		}
		while (k < NKNOWN && strcmp(known[k].name, h) != 0)
			k++;
		if (k == NKNOWN)
			return pl_error_set(err, PL_ERR_INVALID, "/data/0",
					    "column %zu is not a profile column (docs/datasets.md lists them)",
					    c + 1);
		r->cols[c] = known[k];
		has_id |= known[k].kind == PL_PCOL_STRING && strcmp(h, "id") == 0;
	}
	if (!has_id)
		return pl_error_set(err, PL_ERR_INVALID, "/data/0", "the table has no 'id' column");
	return PL_OK;
}

/* A plain decimal number (what a spreadsheet writes); 0 when the cell is not one. */
static int number(const char *s, double *x)
{
	char *end;
	if (!*s)
		return 0;
	*x = strtod(s, &end);
	return *end == '\0' && isfinite(*x);
}

/* Each ';'-separated piece of a cell, spaces around it trimmed, empty pieces skipped. */
static int next_piece(const char **s, char *out, size_t size)
{
	const char *p = *s, *e;
	size_t n;

	for (;;) {
		while (*p == ' ')
			p++;
		if (!*p)
			return 0;
		e = strchr(p, ';');
		if (!e)
			e = p + strlen(p);
		*s = *e ? e + 1 : e;
		while (e > p && e[-1] == ' ')
			e--;
		n = (size_t)(e - p);
		if (n == 0) {
			p = *s;
			continue;
		}
		if (n >= size)
			n = size - 1;
		memcpy(out, p, n);
		out[n] = '\0';
		return 1;
	}
}

static pl_status check_tags(const pl_import_profiles *r, const pl_profiles *vocab, size_t row,
			    size_t c, const char *s, pl_error *err)
{
	const pl_profile_column *col = &r->cols[c];
	char tag[PL_IMPORT_MAX_FIELD + 1];

	while (next_piece(&s, tag, sizeof(tag))) {
		/* "trauma, grief" in one quoted cell is almost always a list typed with the wrong
		 * separator: as one tag it would match nobody. A vocabulary that lists such a tag
		 * is the program saying it means it. */
		if (strchr(tag, ',') && !(vocab && col->criterion >= 0 && vocab->vocab_on[col->criterion] &&
					  pl_profiles_allowed(vocab, col->criterion, tag)))
			return cell_error(err, &r->t, row, c,
					  "a tag holds a comma; tags in a cell are separated by ';'");
		if (col->criterion == PL_CRIT_MODALITIES && strcmp(tag, "in_person") != 0 &&
		    strcmp(tag, "virtual") != 0)
			return cell_error(err, &r->t, row, c, "modalities are in_person and virtual");
		if (vocab && col->criterion >= 0 && !pl_profiles_allowed(vocab, col->criterion, tag))
			return cell_error(err, &r->t, row, c,
					  "a tag outside the program's vocabulary for this column");
	}
	return PL_OK;
}

static pl_status check_cell(const pl_import_profiles *r, const pl_profiles *vocab, size_t row,
			    size_t c, pl_error *err)
{
	const pl_profile_column *col = &r->cols[c];
	const char *s = pl_import_profiles_cell(r, row, c);
	double x;

	if (!*s)
		return col->kind == PL_PCOL_STRING && strcmp(col->name, "id") == 0
			       ? cell_error(err, &r->t, row, c, "every row needs an id")
			       : PL_OK;
	if (!pl_utf8_valid(s))
		return cell_error(err, &r->t, row, c, "not valid UTF-8");
	/* exclude, prefers and avoid are ';'-separated lists of ids, and the CSV rosters list a
	 * client's buddies the same way: an id holding ';' could not be named in them. */
	if (col->kind == PL_PCOL_STRING && strcmp(col->name, "id") == 0 && strchr(s, ';'))
		return cell_error(err, &r->t, row, c,
				  "an id may not contain ';' (it separates the ids of exclude, prefers and "
				  "avoid)");
	switch (col->kind) {
	case PL_PCOL_TAGS:
		return check_tags(r, vocab, row, c, s, err);
	case PL_PCOL_NUMBER: case PL_PCOL_TRAIT: case PL_PCOL_AGE_MIN: case PL_PCOL_AGE_MAX:
		if (!number(s, &x) || x < col->lo || x > col->hi) {
			char msg[96];
			snprintf(msg, sizeof(msg), "must be a number from %g to %g", col->lo, col->hi);
			return cell_error(err, &r->t, row, c, msg);
		}
		return PL_OK;
	case PL_PCOL_INTEGER:
		if (!number(s, &x) || x != floor(x) || x < col->lo || x > col->hi) {
			char msg[96];
			snprintf(msg, sizeof(msg), "must be a whole number from %g to %g", col->lo, col->hi);
			return cell_error(err, &r->t, row, c, msg);
		}
		return PL_OK;
	case PL_PCOL_BOOL:
		return pl_import_profiles_bool(s, NULL) ? PL_OK
			: cell_error(err, &r->t, row, c, "must be yes/no, true/false or 1/0");
	case PL_PCOL_STRING:
		if (vocab && col->criterion == PL_VOCAB_GENDER && !pl_profiles_allowed(vocab, PL_VOCAB_GENDER, s))
			return cell_error(err, &r->t, row, c, "a gender outside the program's vocabulary");
		return PL_OK;
	default:
		return PL_OK;
	}
}

/* role: mentee, mentor or client (default client); capacity only for mentors, priority only
 * for mentees (match buddies and groups reject it); both age_min and age_max or neither. */
static pl_status check_row(pl_import_profiles *r, size_t row, pl_error *err)
{
	const pl_import_table *t = &r->t;
	int have_min = 0, have_max = 0;
	size_t cmin = 0;

	r->role[row] = PL_PROFILE_CLIENT;
	for (size_t c = 0; c < t->ncols; c++) {
		const char *s = pl_import_profiles_cell(r, row, c);
		if (r->cols[c].kind != PL_PCOL_ROLE || !*s)
			continue;
		if (strcmp(s, "mentee") == 0)
			r->role[row] = PL_PROFILE_MENTEE;
		else if (strcmp(s, "mentor") == 0)
			r->role[row] = PL_PROFILE_MENTOR;
		else if (strcmp(s, "client") != 0)
			return cell_error(err, t, row, c, "role must be mentee, mentor or client");
	}
	for (size_t c = 0; c < t->ncols; c++) {
		const char *s = pl_import_profiles_cell(r, row, c);
		if (!*s)
			continue;
		if (strcmp(r->cols[c].name, "capacity") == 0 && r->role[row] != PL_PROFILE_MENTOR)
			return cell_error(err, t, row, c, "only mentors have a capacity");
		if (strcmp(r->cols[c].name, "priority") == 0 && r->role[row] != PL_PROFILE_MENTEE)
			return cell_error(err, t, row, c, "only mentees have a priority");
		if (r->cols[c].kind == PL_PCOL_AGE_MIN)
			have_min = 1, cmin = c;
		if (r->cols[c].kind == PL_PCOL_AGE_MAX)
			have_max = 1;
	}
	if (have_min != have_max)
		return cell_error(err, t, row, cmin, "age_min and age_max go together");
	return PL_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static pl_status unique_ids(const pl_import_profiles *r, pl_error *err)
{
	const pl_import_table *t = &r->t;
	size_t idc = 0;
	const char **ids = malloc((t->nrows ? t->nrows : 1) * sizeof(char *));
	pl_status st = PL_OK;

	if (!ids)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	while (strcmp(t->header[idc], "id") != 0)
		idc++;
	for (size_t row = 0; row < t->nrows; row++)
		ids[row] = pl_import_profiles_cell(r, row, idc);
	qsort(ids, t->nrows, sizeof(char *), cmp_str);
	for (size_t k = 1; k < t->nrows && st == PL_OK; k++)
		if (strcmp(ids[k], ids[k - 1]) == 0)
			for (size_t row = t->nrows; row-- > 0;) /* the later row of the two */
				if (strcmp(pl_import_profiles_cell(r, row, idc), ids[k]) == 0) {
					st = cell_error(err, t, row, idc, "this id is used by another row too");
					break;
				}
	free(ids);
	return st;
}

/* Every row with a personality rates the same traits (the rule pl_profiles_finalize applies
 * to a population): the first such row sets them, and a later row that fills a different set
 * is an error at the first trait column where the two differ. */
static pl_status same_traits(const pl_import_profiles *r, pl_error *err)
{
	const pl_import_table *t = &r->t;
	size_t ref = t->nrows;

	for (size_t row = 0; row < t->nrows; row++) {
		int any = 0;
		for (size_t c = 0; c < t->ncols; c++)
			any |= r->cols[c].kind == PL_PCOL_TRAIT && *pl_import_profiles_cell(r, row, c);
		if (!any)
			continue;
		if (ref == t->nrows) {
			ref = row;
			continue;
		}
		for (size_t c = 0; c < t->ncols; c++)
			if (r->cols[c].kind == PL_PCOL_TRAIT &&
			    !*pl_import_profiles_cell(r, row, c) != !*pl_import_profiles_cell(r, ref, c)) {
				char msg[96];
				snprintf(msg, sizeof(msg),
					 "every row with a personality rates the same traits as row %zu", ref + 1);
				return cell_error(err, t, row, c, msg);
			}
	}
	return PL_OK;
}

pl_status pl_import_profiles_new(const char *text, size_t len, char delim,
				 const pl_profiles *vocab, pl_import_profiles **out, pl_error *err)
{
	pl_import_profiles *r = calloc(1, sizeof(*r));
	pl_status st;

	*out = NULL;
	if (!r)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	st = pl_import_table_parse(text, len, delim, &r->t, err);
	if (st == PL_OK)
		st = map_header(r, err);
	if (st == PL_OK && !(r->role = calloc(r->t.nrows ? r->t.nrows : 1, sizeof(int))))
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t row = 0; st == PL_OK && row < r->t.nrows; row++) {
		for (size_t c = 0; st == PL_OK && c < r->t.ncols; c++)
			st = check_cell(r, vocab, row, c, err);
		if (st == PL_OK)
			st = check_row(r, row, err);
	}
	if (st == PL_OK)
		st = unique_ids(r, err);
	if (st == PL_OK)
		st = same_traits(r, err);
	if (st != PL_OK) {
		pl_import_profiles_free(r);
		return st;
	}
	*out = r;
	return PL_OK;
}

void pl_import_profiles_free(pl_import_profiles *r)
{
	if (!r)
		return;
	pl_import_table_release(&r->t);
	free(r->cols);
	free(r->role);
	free(r);
}

size_t pl_import_profiles_rows(const pl_import_profiles *r)
{
	return r->t.nrows;
}

size_t pl_import_profiles_columns(const pl_import_profiles *r)
{
	return r->t.ncols;
}

const pl_profile_column *pl_import_profiles_column(const pl_import_profiles *r, size_t col)
{
	return &r->cols[col];
}

int pl_import_profiles_role(const pl_import_profiles *r, size_t row)
{
	return r->role[row];
}

const char *pl_import_profiles_cell(const pl_import_profiles *r, size_t row, size_t col)
{
	return r->t.cells[row * r->t.ncols + col];
}

int pl_import_profiles_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "1", "y", "TRUE", "Yes" };
	static const char *const no[] = { "no", "false", "0", "n", "FALSE", "No" };
	for (size_t k = 0; k < 6; k++) {
		if (strcmp(s, yes[k]) == 0 || strcmp(s, no[k]) == 0) {
			if (out)
				*out = strcmp(s, yes[k]) == 0;
			return 1;
		}
	}
	return 0;
}

int pl_import_profiles_next_tag(const char **cursor, char *out, size_t size)
{
	return next_piece(cursor, out, size);
}
