/*
 * fuzz_json_parse.c: the CLI's fast JSON reader (pl_json_parse_plain, engine/json/parse.c)
 * against jansson on the same bytes. The fast reader may decline a text (NULL: jansson reads
 * it), but a tree it returns must be the one json_loadb(..., JSON_REJECT_DUPLICATES) builds:
 * same values, same types (integer vs real), same key order, since every answer and error
 * downstream is built from it.
 */
#include "fuzz_util.h"

#include <jansson.h>
#include <peerlink/json.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Key order and integer/real types count too: compare the compact texts as well as the trees. */
static void same_tree(const json_t *fast, const json_t *ref)
{
	size_t flags = JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17);
	char *a, *b;

	if (!json_equal(fast, ref))
		fuzz_fail("json_parse: the fast reader's tree differs from jansson's", NULL);
	a = json_dumps(fast, flags);
	b = json_dumps(ref, flags);
	if (!a || !b || strcmp(a, b) != 0)
		fuzz_fail("json_parse: the fast reader's text differs from jansson's", NULL);
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	json_t *fast, *ref;
	json_error_t jerr;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	fast = pl_json_parse_plain(text, size);
	if (fast) {
		ref = json_loadb(text, size, JSON_REJECT_DUPLICATES, &jerr);
		if (!ref)
			fuzz_fail("json_parse: the fast reader accepted what jansson rejects", NULL);
		same_tree(fast, ref);
		json_decref(ref);
		json_decref(fast);
	}
	free(text);
	return 0;
}
