/*
 * fuzz_checkins.c: one client's check-in history through both readers (engine/risk/checkins.c):
 * the fast text reader pl_client_from_text and the jansson-tree reader pl_client_from_json. The
 * header promises that whenever the fast reader builds a client, jansson accepts the same text
 * and the tree reader builds the very same client: that is the check. Inputs the fast reader
 * declines go through the tree reader alone (its own errors and pointers are exercised).
 *
 * The catalogue is the standard one plus one custom numeric and one custom boolean measure
 * ("pain" 0-10, "walked"), so that custom names reach both readers.
 */
#include "fuzz_util.h"

#include <jansson.h>
#include <math.h>
#include <peerlink/checkins.h>
#include <peerlink/json_risk.h>
#include <string.h>

static pl_catalogue cat = PL_CATALOGUE_INIT;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	pl_error err = PL_ERROR_INIT;
	pl_measure_def pain = { "pain", 0, 10, 0, 1, 0 }, walked = { "walked", 0, 1, 1, -1, 0 };

	(void)argc;
	(void)argv;
	if (pl_catalogue_init(&cat, &err) != PL_OK || pl_catalogue_add(&cat, &pain, "", &err) != PL_OK ||
	    pl_catalogue_add(&cat, &walked, "", &err) != PL_OK)
		fuzz_fail("harness", "catalogue");
	return 0;
}

static void same_client(const pl_client *a, const pl_client *b)
{
	if (strcmp(a->id, b->id) != 0 || a->start != b->start || a->ndays != b->ndays ||
	    a->nmeasures != b->nmeasures || a->nevents != b->nevents)
		fuzz_fail("checkins: the two readers disagree on the client's shape", NULL);
	if (a->ndays && memcmp(a->checked_in, b->checked_in, a->ndays) != 0)
		fuzz_fail("checkins: the two readers disagree on check-in days", NULL);
	for (size_t k = 0; k < a->ndays * a->nmeasures; k++)
		if (!(isnan(a->values[k]) && isnan(b->values[k])) && a->values[k] != b->values[k])
			fuzz_fail("checkins: the two readers disagree on a value", NULL);
	for (size_t k = 0; k < a->nevents; k++)
		if (a->events[k].day != b->events[k].day || a->events[k].type != b->events[k].type)
			fuzz_fail("checkins: the two readers disagree on an event", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pl_client fast = PL_CLIENT_INIT, tree = PL_CLIENT_INIT;
	pl_error err = PL_ERROR_INIT;
	json_t *doc;
	int r = pl_client_from_text((const char *)data, size, &cat, &fast);
	pl_status st;

	if (r < 0)
		fuzz_fail("checkins: fast reader out of memory", NULL);
	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	if (!doc) {
		if (r == 1)
			fuzz_fail("checkins: fast reader accepted text jansson rejects", NULL);
		return 0;
	}
	st = pl_client_from_json(doc, &cat, "/clients/0", &tree, &err);
	if (r == 1) {
		if (st != PL_OK)
			fuzz_fail("checkins: fast reader accepted a client the tree reader rejects", err.message);
		same_client(&fast, &tree);
	} else if (st != PL_OK && (!err.message[0] || strncmp(err.pointer, "/clients/0", 10) != 0)) {
		fuzz_fail("checkins: error without a message or outside the client's pointer", err.pointer);
	}
	pl_client_release(&fast);
	pl_client_release(&tree);
	json_decref(doc);
	return 0;
}
