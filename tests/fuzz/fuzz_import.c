/*
 * fuzz_import.c: the long-format CSV / openESM importer through pl_json_import_table (the spec
 * read by the JSON layer, engine/json/import.c; the table by the core, engine/data/import.c).
 * The fuzz input is three parts:
 *
 *     SPEC (one line of JSON: the import spec)\n
 *     METADATA (one line: an openESM metadata object, or empty for none)\n
 *     TABLE (the rest: header line and data rows)
 *
 * A success must be a document with a "clients" array whose every client has a string id.
 */
#include "fuzz_util.h"

#include <jansson.h>
#include <peerlink/json_data.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static const uint8_t *next_line(const uint8_t *p, const uint8_t *end, size_t *len)
{
	const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
	*len = nl ? (size_t)(nl - p) : (size_t)(end - p);
	return nl ? nl + 1 : end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size, *p = data, *spec_text, *meta_text;
	size_t spec_len, meta_len, i;
	json_t *spec, *meta = NULL, *out = NULL, *c;
	pl_import_stats stats;
	pl_error err = PL_ERROR_INIT;
	pl_status st;

	spec_text = p;
	p = next_line(p, end, &spec_len);
	meta_text = p;
	p = next_line(p, end, &meta_len);
	spec = json_loadb((const char *)spec_text, spec_len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(spec)) {
		json_decref(spec);
		return 0;
	}
	if (meta_len) {
		meta = json_loadb((const char *)meta_text, meta_len, JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(meta)) {
			json_decref(spec);
			json_decref(meta);
			return 0;
		}
	}
	st = pl_json_import_table((const char *)p, (size_t)(end - p), spec, meta, &out, &stats, &err);
	if (st == PL_OK) {
		json_t *clients = json_object_get(out, "clients");
		if (!json_is_array(clients))
			fuzz_fail("import: success without a clients array", NULL);
		json_array_foreach(clients, i, c)
			if (!json_is_string(json_object_get(c, "id")))
				fuzz_fail("import: a client without a string id", NULL);
		/* the answer must print (jansson refuses invalid UTF-8 strings, for one) */
		char *text = json_dumps(out, JSON_COMPACT);
		if (!text)
			fuzz_fail("import: the answer does not print as JSON", NULL);
		free(text);
	} else if (!err.message[0]) {
		fuzz_fail("import: failure without a message", NULL);
	}
	json_decref(out);
	json_decref(spec);
	json_decref(meta);
	return 0;
}
