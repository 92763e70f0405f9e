/*
 * import_profiles.c (JSON layer): a checked profiles table (engine/data/import_profiles.c) as
 * the profile lists of a `match` request, {"mentees", "mentors", "clients"}, in row order;
 * each profile's fields in column order, empty cells left out, tags and ids split at ';',
 * age_min/age_max as age_range, personality.<trait> columns as one personality object.
 *
 * The answer is then read back as the matchers read it (pl_json_check_import_profiles): the
 * population's own rules (ids that name another row, one set of personality traits, a gender
 * preference someone can meet, ...) live in one place, pl_profiles_finalize, and an import that
 * passed them can be given to `match` as it is. A refusal is reported at the table's row and
 * column, like a bad cell.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/json_data.h>

#include <stdlib.h>
#include <string.h>

#include <peerlink/import.h>
#include <peerlink/json_match.h>
#include <peerlink/profile.h>

static json_t *split(const char *s)
{
	json_t *arr = json_array();
	char *piece = malloc(PL_IMPORT_MAX_FIELD + 1);

	while (piece && pl_import_profiles_next_tag(&s, piece, PL_IMPORT_MAX_FIELD + 1))
		json_array_append_new(arr, json_string(piece));
	free(piece);
	return arr;
}

static json_t *profile(const pl_import_profiles *r, size_t row)
{
	json_t *o = json_object(), *pers = NULL, *range = NULL;

	for (size_t c = 0; c < pl_import_profiles_columns(r); c++) {
		const pl_profile_column *col = pl_import_profiles_column(r, c);
		const char *s = pl_import_profiles_cell(r, row, c);
		int b = 0;
		if (!*s || col->kind == PL_PCOL_ROLE)
			continue;
		switch (col->kind) {
		case PL_PCOL_TAGS: case PL_PCOL_IDS:
			json_object_set_new(o, col->field, split(s));
			break;
		case PL_PCOL_NUMBER:
			json_object_set_new(o, col->field, json_real(strtod(s, NULL)));
			break;
		case PL_PCOL_INTEGER:
			json_object_set_new(o, col->field, json_integer((json_int_t)strtod(s, NULL)));
			break;
		case PL_PCOL_BOOL:
			pl_import_profiles_bool(s, &b);
			json_object_set_new(o, col->field, json_boolean(b));
			break;
		case PL_PCOL_TRAIT:
			if (!pers) {
				pers = json_object();
				json_object_set_new(o, "personality", pers);
			}
			json_object_set_new(pers, col->field, json_real(strtod(s, NULL)));
			break;
		case PL_PCOL_AGE_MIN: case PL_PCOL_AGE_MAX:
			if (!range) {
				range = json_array();
				json_array_append_new(range, json_real(0));
				json_array_append_new(range, json_real(0));
				json_object_set_new(o, "age_range", range);
			}
			json_array_set_new(range, col->kind == PL_PCOL_AGE_MAX, json_real(strtod(s, NULL)));
			break;
		default:
			json_object_set_new(o, col->field, json_string(s));
		}
	}
	return o;
}

json_t *pl_json_write_import_profiles(const pl_import_profiles *r)
{
	static const char *const lists[] = { "clients", "mentees", "mentors" };
	static const int order[] = { PL_PROFILE_MENTEE, PL_PROFILE_MENTOR, PL_PROFILE_CLIENT };
	json_t *doc = json_object();

	for (size_t k = 0; k < 3; k++) {
		json_t *arr = json_array();
		for (size_t row = 0; row < pl_import_profiles_rows(r); row++)
			if (pl_import_profiles_role(r, row) == order[k])
				json_array_append_new(arr, profile(r, row));
		if (json_array_size(arr))
			json_object_set_new(doc, lists[order[k]], arr);
		else
			json_decref(arr);
	}
	return doc;
}

/* The next reference token of a JSON Pointer into out (unescaped: ~1 is '/', ~0 is '~'); the
 * rest of the pointer after it, or NULL at the end. */
static const char *pointer_token(const char *p, char *out, size_t size)
{
	size_t n = 0;

	if (!p || *p != '/')
		return NULL;
	for (p++; *p && *p != '/'; p++) {
		char ch = *p;
		if (ch == '~' && (p[1] == '0' || p[1] == '1'))
			ch = *++p == '1' ? '/' : '~';
		if (n + 1 < size)
			out[n++] = ch;
	}
	out[n] = '\0';
	return p;
}

/* The column of the table that fills field (and, for personality and age_range, sub) of a
 * profile, or -1. */
static long column_of(const pl_import_profiles *r, const char *field, const char *sub)
{
	for (size_t c = 0; c < pl_import_profiles_columns(r); c++) {
		const pl_profile_column *col = pl_import_profiles_column(r, c);
		if (strcmp(field, "personality") == 0 ? col->kind == PL_PCOL_TRAIT && strcmp(col->field, sub) == 0
		    : strcmp(field, "age_range") == 0 ? col->kind == (strcmp(sub, "1") == 0 ? PL_PCOL_AGE_MAX : PL_PCOL_AGE_MIN)
		    : col->kind != PL_PCOL_ROLE && strcmp(col->field, field) == 0)
			return (long)c;
	}
	return -1;
}

/* err's pointer into the answer ("/mentees/3/partner_id/0") turned into the table's
 * "/data/<row>/<column>" (row 1 = the first data row), the message prefixed with the place as a
 * bad cell's is. */
static void point_into_table(const pl_import_profiles *r, pl_error *err)
{
	static const char *const lists[] = { "clients", "mentees", "mentors" }; /* by pl_profile_role */
	char list[32], index[32], field[PL_POINTER_MAX], sub[PL_POINTER_MAX], p[PL_POINTER_MAX] = "/data";
	char msg[sizeof(err->message)];
	const char *rest = pointer_token(err->pointer, list, sizeof(list));
	size_t k, row, seen = 0;
	int role = -1;
	long col;

	rest = pointer_token(rest, index, sizeof(index));
	rest = pointer_token(rest, field, sizeof(field));
	if (!pointer_token(rest, sub, sizeof(sub)))
		sub[0] = '\0';
	for (int q = 0; q < 3; q++)
		if (strcmp(list, lists[q]) == 0)
			role = q;
	k = (size_t)strtoul(index, NULL, 10);
	for (row = 0; row < pl_import_profiles_rows(r); row++)
		if (pl_import_profiles_role(r, row) == role && seen++ == k)
			break;
	if (role < 0 || row == pl_import_profiles_rows(r))
		return; /* not a profile's field: left as the reader said it */
	col = column_of(r, field, sub);
	pl_pointer_append_index(p, sizeof(p), row + 1);
	memcpy(msg, err->message, sizeof(msg)); /* the message is rewritten from its copy */
	if (col >= 0) {
		const char *name = pl_import_profiles_column(r, (size_t)col)->name;
		pl_pointer_append(p, sizeof(p), name);
		pl_error_set(err, err->code, p, "row %zu, column '%s': %s", row + 1, name, msg);
	} else {
		pl_error_set(err, err->code, p, "row %zu: %s", row + 1, msg);
	}
}

pl_status pl_json_check_import_profiles(const pl_import_profiles *r, json_t *doc, pl_error *err)
{
	/* `match mentors` reads mentees and mentors as one population, buddies and groups clients */
	size_t *idx[3] = { NULL, NULL, NULL }, n[3];
	const pl_json_profile_list mentors[2] = { { "mentees", 0, 0, &idx[0], &n[0] },
						  { "mentors", 0, 1, &idx[1], &n[1] } };
	const pl_json_profile_list clients[1] = { { "clients", 0, 0, &idx[2], &n[2] } };
	pl_compat_params prm;
	pl_profiles P;
	pl_status st;

	pl_profiles_init(&P);
	st = pl_json_read_population(doc, &prm, &P, mentors, 2, err);
	pl_profiles_release(&P);
	if (st == PL_OK) {
		pl_profiles_init(&P);
		st = pl_json_read_population(doc, &prm, &P, clients, 1, err);
		pl_profiles_release(&P);
	}
	for (int k = 0; k < 3; k++)
		free(idx[k]);
	if (st == PL_ERR_INVALID)
		point_into_table(r, err);
	return st;
}
