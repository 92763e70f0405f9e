/*
 * test_import.c: long-format tables into the risk input form: RFC 4180 quoting, line endings,
 * sorting by date, events and attributes, study days, rescaling, openESM label ranges, and
 * errors that name row and column without ever quoting a cell.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/import.h>
#include <peerlink/json_data.h>
#include <peerlink/gen.h>
#include "testutil.h"

static json_t *spec_of(const char *text)
{
	json_error_t e;
	json_t *s = json_loads(text, 0, &e);
	ck_assert_msg(s != NULL, "bad test spec: %s", e.text);
	return s;
}

static pl_status run(const char *table, const char *spec, json_t *meta, json_t **out,
		     pl_import_stats *is, pl_error *err)
{
	json_t *s = spec_of(spec);
	pl_status st = pl_json_import_table(table, strlen(table), s, meta, out, is, err);
	json_decref(s);
	return st;
}

START_TEST(test_quoting_and_line_endings)
{
	/* a BOM, CRLF, a quoted id with a comma, a quoted field spanning a line, "" escapes */
	const char *csv = "\xEF\xBB\xBFid,date,note,craving\r\n"
			  "\"x,1\",2026-01-02,\"said \"\"hi\"\"\nthen left\",4\r\n"
			  "\"x,1\",2026-01-01,,3\r\n"
			  "\r\n";
	json_t *out;
	pl_import_stats is;
	pl_error err = PL_ERROR_INIT;
	json_t *c, *ci;

	ck_assert_int_eq(run(csv, "{\"date\": \"date\", \"measures\": {\"craving\": \"craving\"}}", NULL,
			     &out, &is, &err), PL_OK);
	ck_assert_uint_eq(is.rows, 2);
	ck_assert_uint_eq(is.clients, 1);
	c = json_array_get(json_object_get(out, "clients"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "id")), "x,1");
	ci = json_object_get(c, "checkins");
	ck_assert_uint_eq(json_array_size(ci), 2);
	/* sorted by date */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ci, 0), "date")), "2026-01-01");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(ci, 0), "craving")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(ci, 1), "craving")), 4);
	ck_assert_ptr_null(json_object_get(out, "measures"));
	json_decref(out);
}
END_TEST

START_TEST(test_days_rescale_events_attributes)
{
	const char *tsv = "pid\tday\tmood\tuse\tsex\n"
			  "7\t1\t1\tFALSE\tF\n"
			  "7\t3\t5\tTRUE\tF\n"
			  "7\t3\tNA\tTRUE\tF\n"
			  "8\t2\t3\tNA\tNA\n";
	const char *spec = "{\"delimiter\": \"\\t\", \"id\": \"pid\", \"day\": \"day\", "
			   "\"start\": \"2026-02-27\", \"measures\": {\"mood\": \"mood\"}, "
			   "\"rescale\": {\"mood\": [1, 5]}, \"events\": {\"use\": \"lapse\"}, "
			   "\"attributes\": {\"gender\": \"sex\"}}";
	json_t *out, *a, *b, *ev;
	pl_import_stats is;
	pl_error err = PL_ERROR_INIT;

	ck_assert_int_eq(run(tsv, spec, NULL, &out, &is, &err), PL_OK);
	a = json_array_get(json_object_get(out, "clients"), 0);
	b = json_array_get(json_object_get(out, "clients"), 1);
	/* day 1 = 2026-02-27, day 3 = 2026-03-01 (2026 is not a leap year) */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(a, "checkins"), 1), "date")),
			 "2026-03-01");
	/* mood 1..5 onto 0..10: 1 -> 0, 5 -> 10, 3 -> 5 */
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(a, "checkins"), 0), "mood")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(a, "checkins"), 1), "mood")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(b, "checkins"), 0), "mood")), 5);
	/* two rows flag the same lapse day: one event; the third row (mood NA) is no check-in */
	ev = json_object_get(a, "events");
	ck_assert_uint_eq(json_array_size(ev), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ev, 0), "date")), "2026-03-01");
	ck_assert_uint_eq(json_array_size(json_object_get(a, "checkins")), 2);
	ck_assert_uint_eq(is.checkins, 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(a, "attributes"), "gender")), "F");
	ck_assert_ptr_null(json_object_get(b, "attributes")); /* NA is missing */
	json_decref(out);
}
END_TEST

/* Custom measures: ranges from the spec or from openESM labels, written to the catalogue. */
START_TEST(test_custom_and_openesm_labels)
{
	const char *tsv = "id\tdate\tirritable\n"
			  "p1\t2021-03-01 10:00:00\t2\n"
			  "p1\t2021-03-01 14:00:00\t5\n";
	json_t *meta = spec_of("{\"dataset_id\": \"0000\", \"features\": [{\"name\": \"irritable\", "
			       "\"labels\": \"1 = Not at all \\n2 = Slightly\\n5 = Extremely\"}]}");
	const char *spec = "{\"delimiter\": \"\\t\", \"date\": \"date\", "
			   "\"measures\": {\"irritable\": \"irritable\"}, "
			   "\"catalogue\": {\"irritable\": {\"worse\": \"higher\"}}}";
	json_t *out, *cat;
	pl_import_stats is;
	pl_error err = PL_ERROR_INIT;

	ck_assert_int_eq(run(tsv, spec, meta, &out, &is, &err), PL_OK);
	cat = json_object_get(json_object_get(out, "measures"), "irritable");
	ck_assert_double_eq(json_number_value(json_object_get(cat, "min")), 1);
	ck_assert_double_eq(json_number_value(json_object_get(cat, "max")), 5);
	ck_assert_str_eq(json_string_value(json_object_get(cat, "worse")), "higher");
	ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(json_object_get(out, "clients"), 0), "checkins")), 2);
	json_decref(out);
	/* without metadata and without min/max: an error at the catalogue entry */
	ck_assert_int_eq(run(tsv, spec, NULL, &out, &is, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/catalogue/irritable/min");
	json_decref(meta);
}
END_TEST

/* Every error names the row and column, and none repeats the cell's content. */
static void expect_cell_error(const char *table, const char *spec, const char *pointer,
			      const char *secret)
{
	json_t *out = NULL;
	pl_import_stats is;
	pl_error err = PL_ERROR_INIT;

	ck_assert_int_eq(run(table, spec, NULL, &out, &is, &err), PL_ERR_INVALID);
	ck_assert_ptr_null(out);
	ck_assert_str_eq(err.pointer, pointer);
	if (secret)
		ck_assert_msg(strstr(err.message, secret) == NULL, "message leaks a value: %s", err.message);
}

START_TEST(test_errors)
{
	const char *spec = "{\"date\": \"date\", \"measures\": {\"craving\": \"c\", \"used\": \"u\"}}";

	expect_cell_error("id,date,c,u\nA,2026-01-01,SECRET7,0\n", spec, "/data/1/c", "SECRET7");
	expect_cell_error("id,date,c,u\nA,2026-01-01,3,0\nA,2026-01-02,11,0\n", spec, "/data/2/c", "11");
	expect_cell_error("id,date,c,u\nA,2026-01-01,3,perhaps\n", spec, "/data/1/u", "perhaps");
	expect_cell_error("id,date,c,u\nA,01/02/2026,3,0\n", spec, "/data/1/date", "01/02");
	expect_cell_error("id,date,c,u\nA,2026-02-30,3,0\n", spec, "/data/1/date", NULL);
	expect_cell_error("id,date,c,u\n,2026-01-01,3,0\n", spec, "/data/1/id", NULL);
	expect_cell_error("id,date,c,u\nA,2026-01-01,3\n", spec, "/data", NULL);
	expect_cell_error("id,date,c,u\nA,2026-01-01,\"3,0\n", spec, "/data", NULL);
	expect_cell_error("id,date,c\nA,2026-01-01,3\n", spec, "/measures/used", NULL);
	expect_cell_error("id,c,u\nA,3,0\n", "{\"measures\": {\"craving\": \"c\"}}", "/date", NULL);
	expect_cell_error("id,date,g\nA,2026-01-01,x\nA,2026-01-02,y\n",
			  "{\"date\": \"date\", \"measures\": {\"craving\": \"g\"}}", "/data/1/g", NULL);
	expect_cell_error("id,date,c,g\nA,2026-01-01,1,x\nA,2026-01-02,2,SECRETY\n",
			  "{\"date\": \"date\", \"measures\": {\"craving\": \"c\"}, \"attributes\": {\"gender\": \"g\"}}",
			  "/data/2/g", "SECRETY");
	expect_cell_error("id,date,c\nA,2026-01-01,1\n",
			  "{\"date\": \"date\", \"measures\": {\"craving\": \"c\"}, \"rescale\": {\"mood\": [1, 5]}}",
			  "/rescale/mood", NULL);
	expect_cell_error("", spec, "/data", NULL);
}
END_TEST

/* Issue 9 finding 8: text that becomes a JSON string must be UTF-8; before, a bad id became a
 * client without "id" and two such clients' check-ins merged. NUL bytes, ambiguous column names
 * and tables past the limits stop the import too; none of the messages quotes the bytes. */
START_TEST(test_text_rules)
{
	const char *spec = "{\"date\": \"date\", \"measures\": {\"craving\": \"c\"}, "
			   "\"attributes\": {\"gender\": \"g\"}}";
	json_t *out;
	pl_import_stats is;
	pl_error err = PL_ERROR_INIT;
	char *wide;
	size_t len = 0;

	expect_cell_error("id,date,c,g\nA,2026-01-01,1,x\n\xff\xfeQ,2026-01-01,2,x\n", spec, "/data/2/id",
			  "\xff\xfeQ");
	expect_cell_error("id,date,c,g\nA,2026-01-01,1,caf\xe9Z\n", spec, "/data/1/g", "caf");
	/* an encoded surrogate and an overlong slash are not UTF-8 either */
	expect_cell_error("id,date,c,g\nA,2026-01-01,1,\xed\xa0\x80\n", spec, "/data/1/g", NULL);
	expect_cell_error("id,date,c,g\n\xc0\xaf" "B,2026-01-01,1,x\n", spec, "/data/1/id", NULL);
	/* a NUL inside a field: C strings would cut "A\0B" and "A\0C" to one id */
	{
		static const char nul[] = "id,date,c,g\nA\0B,2026-01-01,1,x\nA\0C,2026-01-01,1,x\n";
		json_t *s = spec_of(spec);
		out = NULL;
		ck_assert_int_eq(pl_json_import_table(nul, sizeof(nul) - 1, s, NULL, &out, &is, &err),
				 PL_ERR_INVALID);
		ck_assert_ptr_null(out);
		ck_assert_str_eq(err.pointer, "/data");
		json_decref(s);
	}
	expect_cell_error("id,date,c,g,c\nA,2026-01-01,1,x,2\n", spec, "/measures/craving", NULL);
	/* valid UTF-8 passes unchanged */
	ck_assert_int_eq(run("id,date,c,g\nA\xc3\xa9,2026-01-01,1,\xe2\x82\xac\n", spec, NULL, &out, &is,
			     &err), PL_OK);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(out, "clients"), 0), "id")),
			 "A\xc3\xa9");
	json_decref(out);
	/* one field more than the column limit, then one byte more than the field limit */
	wide = malloc(2 * PL_IMPORT_MAX_FIELD + 64);
	len += (size_t)sprintf(wide, "id,date,c,g");
	for (int k = 4; k <= PL_IMPORT_MAX_COLUMNS; k++)
		len += (size_t)sprintf(wide + len, ",x");
	ck_assert_int_eq(run(wide, spec, NULL, &out, &is, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/data");
	ck_assert(strstr(err.message, "4096") != NULL);
	len = (size_t)sprintf(wide, "id,date,c,g\nA,2026-01-01,1,");
	memset(wide + len, 'y', PL_IMPORT_MAX_FIELD + 1);
	wide[len + PL_IMPORT_MAX_FIELD + 1] = '\0';
	ck_assert_int_eq(run(wide, spec, NULL, &out, &is, &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/data");
	wide[len + PL_IMPORT_MAX_FIELD] = '\0'; /* exactly at the limit: accepted */
	ck_assert_int_eq(run(wide, spec, NULL, &out, &is, &err), PL_OK);
	json_decref(out);
	free(wide);
	/* a header and nothing else is an empty import */
	ck_assert_int_eq(run("id,date,c,g\r\n", spec, NULL, &out, &is, &err), PL_OK);
	ck_assert_uint_eq(json_array_size(json_object_get(out, "clients")), 0);
	json_decref(out);
}
END_TEST

/* Data rows can repeat clients in any order; output order is first appearance, days sorted. */
START_TEST(test_many_rows)
{
	size_t n = 3000, len = 0;
	char *csv = malloc(n * 40 + 64);
	json_t *out, *clients;
	pl_import_stats is;
	pl_error err = PL_ERROR_INIT;
	tu_rng r = { 3 };

	len += (size_t)sprintf(csv, "id,date,craving\n");
	for (size_t k = 0; k < n; k++)
		len += (size_t)sprintf(csv + len, "c%ld,2026-%02ld-%02ld,%ld\n", tu_range(&r, 0, 29),
				       tu_range(&r, 1, 12), tu_range(&r, 1, 28), tu_range(&r, 0, 10));
	ck_assert_int_eq(run(csv, "{\"date\": \"date\", \"measures\": {\"craving\": \"craving\"}}", NULL,
			     &out, &is, &err), PL_OK);
	clients = json_object_get(out, "clients");
	ck_assert_uint_eq(is.checkins, n);
	for (size_t c = 0; c < json_array_size(clients); c++) {
		json_t *ci = json_object_get(json_array_get(clients, c), "checkins");
		for (size_t k = 1; k < json_array_size(ci); k++)
			ck_assert(strcmp(json_string_value(json_object_get(json_array_get(ci, k - 1), "date")),
					 json_string_value(json_object_get(json_array_get(ci, k), "date"))) <= 0);
	}
	json_decref(out);
	free(csv);
}
END_TEST

/* The core alone, on a spec filled by hand: no JSON in or out. A column the table lacks is
 * reported at the origin the caller gave it; values come back as plain arrays. */
START_TEST(test_core_without_json)
{
	static const char table[] = "who,day,c,lapse\nb,2,4,no\na,1,2,yes\nb,1,NA,yes\nb,1,3,\n";
	pl_import_measure m = { "craving", { "c", "/m/0" }, 0, 0, 10, 0, 0, 0, 0, 0 };
	pl_import_event_column ev = { "lapse", { "lapse", "/e/0" } };
	pl_import_spec spec;
	pl_import_result *r = NULL;
	pl_error err = PL_ERROR_INIT;
	const pl_import_client *b;

	pl_import_spec_init(&spec);
	spec.id = (pl_import_column){ "who", "/who" };
	spec.id_default = 0;
	spec.day = (pl_import_column){ "day", "/day" };
	ck_assert_int_eq(pl_gen_date_parse("2026-03-01", &spec.start), 0);
	spec.measures = &m;
	spec.nmeasures = 1;
	spec.events = &ev;
	spec.nevents = 1;
	ck_assert_int_eq(pl_import_result_new(table, sizeof(table) - 1, &spec, &r, &err), PL_OK);
	ck_assert_uint_eq(r->nclients, 2);
	b = &r->clients[0];
	ck_assert_str_eq(b->id, "b");
	ck_assert_str_eq(r->clients[1].id, "a");
	/* b: day 1 has the NA row (an event only) and a 3; day 2 a 4: sorted by day, stable */
	ck_assert_uint_eq(b->ncheckins, 2);
	ck_assert_int_eq(r->checkins[b->first_checkin].day, spec.start);
	ck_assert_double_eq(r->values[r->checkins[b->first_checkin].first].value, 3);
	ck_assert_double_eq(r->values[r->checkins[b->first_checkin + 1].first].value, 4);
	ck_assert_uint_eq(b->nevents, 1);
	ck_assert_int_eq(r->events[b->first_event].day, spec.start);
	ck_assert_uint_eq(r->stats.checkins, 3);
	ck_assert_uint_eq(r->stats.events, 2);
	pl_import_result_free(r);
	/* the origin names the spec member, whatever the caller's document looks like */
	m.column.name = "nope";
	r = NULL;
	ck_assert_int_eq(pl_import_result_new(table, sizeof(table) - 1, &spec, &r, &err), PL_ERR_INVALID);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(err.pointer, "/m/0");
}
END_TEST

static Suite *import_suite(void)
{
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_quoting_and_line_endings);
	tcase_add_test(tc, test_days_rescale_events_attributes);
	tcase_add_test(tc, test_custom_and_openesm_labels);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_many_rows);
	tcase_add_test(tc, test_text_rules);
	tcase_add_test(tc, test_core_without_json);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(import_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
