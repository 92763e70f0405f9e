/*
 * peerlink/json_data.h: the JSON layer of the data module (generators and importer). Part of the
 * JSON layer (with peerlink/json.h), so it may include jansson; the core headers gen.h and
 * import.h do not.
 *
 * Naming: pl_json_read_<thing> fills a caller's struct from a document and names a bad member by
 * JSON Pointer (ptr is the pointer of obj itself, "" for a whole document); pl_json_write_<thing>
 * returns a new reference (NULL only when out of memory).
 * Ownership: json_t arguments are borrowed; strings a read spec points to are borrowed from the
 * document, which must outlive it.
 */
#ifndef PEERLINK_JSON_DATA_H
#define PEERLINK_JSON_DATA_H

#include <stddef.h>
#include <jansson.h>
#include <peerlink/error.h>
#include <peerlink/gen.h>
#include <peerlink/import.h>
#include <peerlink/json.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- generators (engine/json/gen.c) ---- */

/* Override the defaults in *p by the members of obj (unknown members and values out of range are
 * PL_ERR_INVALID with the pointer ptr/member). */
pl_status pl_json_read_gen_checkins_params(pl_gen_checkins_params *p, json_t *obj, const char *ptr,
					   pl_error *err);
json_t *pl_json_write_gen_checkins_params(const pl_gen_checkins_params *p);
pl_status pl_json_read_gen_profiles_params(pl_gen_profiles_params *p, json_t *obj, const char *ptr,
					   pl_error *err);
json_t *pl_json_write_gen_profiles_params(const pl_gen_profiles_params *p);

/* A generated client in the columnar risk input form, with "attributes" and (if with_truth)
 * "truth". */
json_t *pl_json_write_gen_client(const pl_gen_client *c, const char *id, int with_truth);

/* {"mentees": [...], "mentors": [...], "clients": [...] (when any), "communities": [...]}; each
 * profile carries its community under "extra". */
json_t *pl_json_write_gen_program(const pl_gen_program *g);

/* ---- importer (engine/json/import.c) ---- */

/*
 * Read an import spec (the object of datasets/README.md, "Import layout", without its file
 * names) into *spec. `metadata` (may be NULL) is an openESM metadata object: its "features" fill
 * in the ranges of custom measures from their labels. *spec borrows strings from both documents;
 * release it with pl_import_spec_release.
 */
pl_status pl_json_read_import_spec(pl_import_spec *spec, json_t *obj, json_t *metadata,
				   pl_error *err);

/* One imported client in the row form of the risk input: {"id", "attributes"?, "checkins",
 * "events"}. */
json_t *pl_json_write_import_client(const pl_import_result *r, size_t k);
/* The custom measures' catalogue, or NULL when the spec maps none. */
json_t *pl_json_write_import_catalogue(const pl_import_result *r);

/* The whole conversion: spec and table in, *out = {"clients": [...], "measures": {...}?} (a new
 * reference) and *stats filled. Errors point into the spec or at "/data/<row>/<column>". */
pl_status pl_json_import_table(const char *text, size_t len, json_t *spec, json_t *metadata,
			       json_t **out, pl_import_stats *stats, pl_error *err);

/* A checked profiles table as {"mentees", "mentors", "clients"} (lists without rows left out):
 * engine/json/import_profiles.c, docs/datasets.md "Profiles from a spreadsheet". */
json_t *pl_json_write_import_profiles(const pl_import_profiles *r);
/* doc (that answer, with the request's "vocabulary" if any) read back as `match` reads it:
 * mentees and mentors as one population, clients as another, each through the profile reader
 * and pl_profiles_finalize. PL_ERR_INVALID at "/data/<row>/<column>" when a matcher would refuse
 * it (a partner_id, exclude, prefers or avoid id naming no other row, personalities rating
 * different traits, ...). */
pl_status pl_json_check_import_profiles(const pl_import_profiles *r, json_t *doc, pl_error *err);

#ifdef __cplusplus
}
#endif
#endif
