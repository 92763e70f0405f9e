/* jansson_load.c: the parsing floor for the row-form benchmark: load a JSON file with jansson
 * (as `peerlink` would if it parsed the whole document into one tree) and free it. */
#include <jansson.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	json_error_t e;
	json_t *doc;

	if (argc != 2)
		return 2;
	doc = json_load_file(argv[1], JSON_REJECT_DUPLICATES, &e);
	if (!doc) {
		fprintf(stderr, "%s\n", e.text);
		return 1;
	}
	printf("%zu clients\n", json_array_size(json_object_get(doc, "clients")));
	json_decref(doc);
	return 0;
}
