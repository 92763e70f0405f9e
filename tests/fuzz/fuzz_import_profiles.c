/*
 * fuzz_import_profiles.c: `dataset import profiles` end to end, in-process (the CSV path: spec
 * reading, the table's parse and per-cell checks in engine/data/import_profiles.c, the answer
 * written by engine/json/import_profiles.c). The fuzz input is two parts:
 *
 *     SPEC (one line of JSON, written as the --input document; seeds name "people.csv")\n
 *     TABLE (the rest, written as people.csv next to it: header line and one row a person)
 *
 * Besides the checks every CLI answer passes (fuzz_util.h), a success must read back: the
 * imported mentees and mentors, and the clients (with the vocabulary), go through the matchers'
 * own profile reader and population check (pl_json_read_population), so an import never hands
 * the matchers a program they refuse. (The importer now does this itself; the first fuzz input
 * found the gap: a partner_id naming no row was imported and refused by `match`.)
 */
#include "fuzz_util.h"

#include <jansson.h>
#include <peerlink/compat.h>
#include <peerlink/json_match.h>
#include <peerlink/profile.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* One population of the answer through the matchers' reader; a refusal is a finding. */
static void check_population(json_t *doc, const pl_json_profile_list *lists, size_t n)
{
	pl_error err = PL_ERROR_INIT;
	pl_compat_params prm;
	pl_profiles P;

	pl_profiles_init(&P);
	if (pl_json_read_population(doc, &prm, &P, lists, n, &err) != PL_OK)
		fuzz_fail("import profiles: a matcher refuses the imported profiles", err.message);
	pl_profiles_release(&P);
}

/* `match mentors` reads the mentees and mentors as one population, buddies and groups the
 * clients. */
static void check_reads_back(const char *answer, size_t len)
{
	size_t *idx[3] = { NULL, NULL, NULL }, n[3];
	const pl_json_profile_list mentors[2] = { { "mentees", 0, 0, &idx[0], &n[0] },
						  { "mentors", 0, 1, &idx[1], &n[1] } };
	const pl_json_profile_list clients[1] = { { "clients", 0, 0, &idx[2], &n[2] } };
	json_t *doc = json_loadb(answer, len, 0, NULL);

	if (!doc)
		fuzz_fail("import profiles: the answer is not JSON", NULL);
	json_object_del(doc, "stats");
	check_population(doc, mentors, 2);
	check_population(doc, clients, 1);
	for (int k = 0; k < 3; k++)
		free(idx[k]);
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t spec_len = nl ? (size_t)(nl - data) : size;
	char *spec, *table, *answer = NULL;
	size_t answer_len = 0;
	char *argv[] = { "peerlink", "dataset", "import", "profiles", "--input", NULL, "--no-timing", NULL };

	spec = fuzz_write("input.json", data, spec_len);
	table = nl ? fuzz_write("people.csv", nl + 1, size - spec_len - 1) : fuzz_write("people.csv", "", 0);
	argv[5] = spec;
	if (fuzz_run_cli_answer(7, argv, FUZZ_ANSWER_JSON, &answer, &answer_len) == 0)
		check_reads_back(answer, answer_len);
	free(answer);
	free(spec);
	free(table);
	return 0;
}
