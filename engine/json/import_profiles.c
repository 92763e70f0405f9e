/*
 * import_profiles.c (JSON layer): a checked profiles table (engine/data/import_profiles.c) as
 * the profile lists of a `match` request, {"mentees", "mentors", "clients"}, in row order;
 * each profile's fields in column order, empty cells left out, tags and ids split at ';',
 * age_min/age_max as age_range, personality.<trait> columns as one personality object.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/json_data.h>

#include <stdlib.h>
#include <string.h>

#include <peerlink/import.h>

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
