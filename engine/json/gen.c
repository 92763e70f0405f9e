/*
 * gen.c (JSON layer): the generators' documents. Parameters are read from a JSON object through
 * the generators' own parameter tables (one reader for both), and generated clients and programs
 * are written as the documents datasets/README.md describes. The generators themselves
 * (engine/data/gen_*.c) never see JSON.
 */
#include <peerlink/json_data.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parameters ---- */

static pl_status bad_param(pl_error *err, const char *where, const pl_gen_param *d)
{
	switch (d->kind) {
	case PL_GEN_PARAM_REAL:
		return pl_error_set(err, PL_ERR_INVALID, where, "parameter '%s' must be a number in [%g, %g]",
				    d->name, d->lo, d->hi);
	case PL_GEN_PARAM_INT:
	case PL_GEN_PARAM_LONG:
		return pl_error_set(err, PL_ERR_INVALID, where,
				    "parameter '%s' must be an integer in [%g, %g]", d->name, d->lo, d->hi);
	case PL_GEN_PARAM_DATE:
		return pl_error_set(err, PL_ERR_INVALID, where, "parameter '%s' must be a date YYYY-MM-DD",
				    d->name);
	case PL_GEN_PARAM_BANDS:
		return pl_error_set(err, PL_ERR_INVALID, where,
				    "parameter '%s' must be 4 numbers, one per age band", d->name);
	case PL_GEN_PARAM_WEEKDAYS:
		break;
	}
	return pl_error_set(err, PL_ERR_INVALID, where,
			    "parameter '%s' must be an array of weekdays (\"mon\"..\"sun\")", d->name);
}

static int in_range(json_t *v, const pl_gen_param *d)
{
	return json_is_number(v) && json_number_value(v) >= d->lo && json_number_value(v) <= d->hi;
}

static pl_status read_bands(json_t *v, const pl_gen_param *d, double *bands, char *where,
			    size_t size, pl_error *err)
{
	if (!json_is_array(v) || json_array_size(v) != 4)
		return bad_param(err, where, d);
	for (size_t i = 0; i < 4; i++) {
		json_t *x = json_array_get(v, i);
		if (!in_range(x, d)) {
			pl_pointer_append_index(where, size, i);
			return pl_error_set(err, PL_ERR_INVALID, where,
					    "each entry must be a number in [%g, %g]", d->lo, d->hi);
		}
		bands[i] = json_number_value(x);
	}
	return PL_OK;
}

static pl_status read_weekdays(json_t *v, const pl_gen_param *d, int *mask, char *where,
			       size_t size, pl_error *err)
{
	size_t i;
	json_t *w;

	if (!json_is_array(v))
		return bad_param(err, where, d);
	*mask = 0;
	json_array_foreach(v, i, w) {
		int found = -1;
		for (int k = 0; k < 7; k++)
			if (json_is_string(w) && strcmp(json_string_value(w), pl_gen_weekday_name(k)) == 0)
				found = k;
		if (found < 0) {
			pl_pointer_append_index(where, size, i);
			return pl_error_set(err, PL_ERR_INVALID, where,
					    "each session day must be one of \"mon\"..\"sun\"");
		}
		*mask |= 1 << found;
	}
	return PL_OK;
}

/* One member into the field the table row describes. */
static pl_status read_param(void *params, const pl_gen_param *d, json_t *v, char *where, size_t size,
			    pl_error *err)
{
	void *field = (char *)params + d->offset;

	switch (d->kind) {
	case PL_GEN_PARAM_REAL:
		if (!in_range(v, d))
			return bad_param(err, where, d);
		*(double *)field = json_number_value(v);
		return PL_OK;
	case PL_GEN_PARAM_INT:
	case PL_GEN_PARAM_LONG:
		if (!json_is_integer(v) || !in_range(v, d))
			return bad_param(err, where, d);
		if (d->kind == PL_GEN_PARAM_INT)
			*(int *)field = (int)json_integer_value(v);
		else
			*(long *)field = (long)json_integer_value(v);
		return PL_OK;
	case PL_GEN_PARAM_DATE:
		if (!json_is_string(v) || pl_gen_date_parse(json_string_value(v), (int32_t *)field) != 0)
			return bad_param(err, where, d);
		return PL_OK;
	case PL_GEN_PARAM_BANDS:
		return read_bands(v, d, (double *)field, where, size, err);
	case PL_GEN_PARAM_WEEKDAYS:
		return read_weekdays(v, d, (int *)field, where, size, err);
	}
	return pl_error_set(err, PL_ERR_INTERNAL, where, "unknown parameter kind");
}

/* Override the members of obj in params, each checked against its table row. */
static pl_status read_params(void *params, const pl_gen_param *table, size_t n, json_t *obj,
			     const char *ptr, pl_error *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return pl_error_set(err, PL_ERR_INVALID, ptr, "the parameters must be a JSON object");
	json_object_foreach(obj, key, v) {
		char where[PL_POINTER_MAX];
		const pl_gen_param *d = NULL;
		pl_status st;

		pl_json_ptr(where, sizeof(where), ptr, key);
		for (size_t k = 0; k < n && !d; k++)
			if (strcmp(table[k].name, key) == 0)
				d = &table[k];
		if (!d)
			return pl_error_set(err, PL_ERR_INVALID, where, "unknown generator parameter");
		if ((st = read_param(params, d, v, where, sizeof(where), err)) != PL_OK)
			return st;
	}
	return PL_OK;
}

static json_t *write_params(const void *params, const pl_gen_param *table, size_t n)
{
	json_t *o = json_object();
	char buf[16];

	for (size_t k = 0; k < n; k++) {
		const pl_gen_param *d = &table[k];
		const void *field = (const char *)params + d->offset;
		json_t *v = NULL;

		switch (d->kind) {
		case PL_GEN_PARAM_REAL: v = json_real(*(const double *)field); break;
		case PL_GEN_PARAM_INT: v = json_integer(*(const int *)field); break;
		case PL_GEN_PARAM_LONG: v = json_integer(*(const long *)field); break;
		case PL_GEN_PARAM_DATE:
			pl_gen_date_format(*(const int32_t *)field, buf);
			v = json_string(buf);
			break;
		case PL_GEN_PARAM_BANDS:
			v = json_array();
			for (int a = 0; a < 4; a++)
				json_array_append_new(v, json_real(((const double *)field)[a]));
			break;
		case PL_GEN_PARAM_WEEKDAYS:
			v = json_array();
			for (int w = 0; w < 7; w++)
				if (*(const int *)field & (1 << w))
					json_array_append_new(v, json_string(pl_gen_weekday_name(w)));
			break;
		}
		json_object_set_new(o, d->name, v);
	}
	return o;
}

pl_status pl_json_read_gen_checkins_params(pl_gen_checkins_params *p, json_t *obj, const char *ptr,
					   pl_error *err)
{
	size_t n;
	const pl_gen_param *table = pl_gen_checkins_params_table(&n);
	const char *field;
	pl_status st = read_params(p, table, n, obj, ptr, err);

	if (st == PL_OK && (st = pl_gen_checkins_params_check(p, &field, err)) != PL_OK && err) {
		/* the core names the parameter; the pointer is made here */
		if (field)
			pl_json_ptr(err->pointer, sizeof(err->pointer), ptr, field);
		else
			snprintf(err->pointer, sizeof(err->pointer), "%s", ptr);
	}
	return st;
}

json_t *pl_json_write_gen_checkins_params(const pl_gen_checkins_params *p)
{
	size_t n;
	const pl_gen_param *table = pl_gen_checkins_params_table(&n);
	return write_params(p, table, n);
}

pl_status pl_json_read_gen_profiles_params(pl_gen_profiles_params *p, json_t *obj, const char *ptr,
					   pl_error *err)
{
	size_t n;
	const pl_gen_param *table = pl_gen_profiles_params_table(&n);
	return read_params(p, table, n, obj, ptr, err);
}

json_t *pl_json_write_gen_profiles_params(const pl_gen_profiles_params *p)
{
	size_t n;
	const pl_gen_param *table = pl_gen_profiles_params_table(&n);
	return write_params(p, table, n);
}

/* ---- a check-in client ---- */

/* Whole numbers print as integers, missing days as null, flags as booleans. */
static json_t *series_json(const double *a, size_t n, int boolean)
{
	json_t *arr = json_array();
	for (size_t t = 0; t < n; t++) {
		if (isnan(a[t]))
			json_array_append_new(arr, json_null());
		else if (boolean)
			json_array_append_new(arr, json_boolean(a[t] != 0.0));
		else if (a[t] == floor(a[t]))
			json_array_append_new(arr, json_integer((json_int_t)a[t]));
		else
			json_array_append_new(arr, json_real(a[t]));
	}
	return arr;
}

/* Round to `digits` significant digits so that files stay small and print the same everywhere. */
static double round_sig(double x, int digits)
{
	char buf[40];
	if (x == 0.0 || !isfinite(x))
		return x;
	snprintf(buf, sizeof(buf), "%.*e", digits - 1, x);
	return strtod(buf, NULL);
}

static json_t *lapse_events(const pl_gen_client *c)
{
	json_t *events = json_array();
	char date[16];

	for (size_t t = 0; t < c->days; t++) {
		json_t *e;
		if (!c->lapse[t])
			continue;
		e = json_object();
		pl_gen_date_format(c->start + (int32_t)t, date);
		json_object_set_new(e, "date", json_string(date));
		json_object_set_new(e, "type", json_string("lapse"));
		json_array_append_new(events, e);
	}
	return events;
}

static json_t *truth_json(const pl_gen_client *c)
{
	json_t *truth = json_object(), *h = json_array(), *s = json_array();

	for (size_t t = 0; t < c->days; t++) {
		json_array_append_new(h, json_real(round_sig(c->hazard[t], 6)));
		json_array_append_new(s, json_real(round_sig(c->state[t], 6)));
	}
	json_object_set_new(truth, "hazard", h);
	json_object_set_new(truth, "state", s);
	return truth;
}

json_t *pl_json_write_gen_client(const pl_gen_client *c, const char *id, int with_truth)
{
	json_t *o = json_object(), *attrs = json_object(), *meas = json_object();
	char date[16];

	json_object_set_new(o, "id", json_string(id));
	pl_gen_date_format(c->start, date);
	json_object_set_new(o, "start", json_string(date));
	json_object_set_new(attrs, "gender", json_string(pl_gen_gender_name(c->gender)));
	json_object_set_new(attrs, "age_band", json_string(pl_gen_age_band_name(c->age_band)));
	json_object_set_new(o, "attributes", attrs);
	for (int m = 0; m < PL_GEN_NMEASURES; m++)
		json_object_set_new(meas, pl_gen_measure_name(m),
				    series_json(c->values + (size_t)m * c->days, c->days, m >= PL_GEN_ATTENDED));
	json_object_set_new(o, "measures", meas);
	json_object_set_new(o, "events", lapse_events(c));
	/* Follow-up is the simulated span (pl_followup_end): lapses after a dropout are recorded. */
	json_object_set_new(o, "enrolled", json_string(date));
	pl_gen_date_format(c->start + (int32_t)c->days - 1, date);
	json_object_set_new(o, "follow_up_end", json_string(date));
	if (with_truth)
		json_object_set_new(o, "truth", truth_json(c));
	return o;
}

/* ---- a matching program ---- */

static json_t *mask_names(pl_gen_vocab v, uint32_t mask)
{
	json_t *arr = json_array();
	for (size_t k = 0; k < pl_gen_vocab_size(v); k++)
		if (mask >> k & 1u)
			json_array_append_new(arr, json_string(pl_gen_vocab_name(v, k)));
	return arr;
}

static json_t *person_logistics(const pl_gen_person *x, json_t *o)
{
	json_t *arr = json_array();
	char slot[8];

	if (x->english)
		json_array_append_new(arr, json_string("english"));
	if (x->spanish)
		json_array_append_new(arr, json_string("spanish"));
	json_object_set_new(o, "languages", arr);
	arr = json_array();
	if (x->in_person)
		json_array_append_new(arr, json_string("in_person"));
	if (x->virtual_)
		json_array_append_new(arr, json_string("virtual"));
	json_object_set_new(o, "modalities", arr);
	arr = json_array();
	for (int s = 0; s < PL_GEN_NSLOTS; s++)
		if (x->availability >> s & 1u) {
			pl_gen_slot_name(s, slot);
			json_array_append_new(arr, json_string(slot));
		}
	json_object_set_new(o, "availability", arr);
	return o;
}

/* A person as a profile; list: the person's own list (for the partner's id), mentors: for the
 * excluded mentor's id. Key order is part of the output contract. */
static json_t *person_json(const pl_gen_person *x, const pl_gen_person *list,
			   const pl_gen_person *mentors)
{
	json_t *o = json_object(), *pers = json_object(), *extra = json_object();

	json_object_set_new(o, "id", json_string(x->id));
	json_object_set_new(o, "experiences", mask_names(PL_GEN_EXPERIENCES, x->experiences));
	json_object_set_new(o, "substances", mask_names(PL_GEN_SUBSTANCES, x->substances));
	json_object_set_new(o, "goals", mask_names(PL_GEN_GOALS, x->goals));
	json_object_set_new(o, "recovery_pathway",
			    json_string(pl_gen_vocab_name(PL_GEN_PATHWAYS, (size_t)x->pathway)));
	for (int j = 0; j < PL_GEN_NTRAITS; j++)
		json_object_set_new(pers, pl_gen_vocab_name(PL_GEN_TRAITS, (size_t)j),
				    json_real(x->personality[j]));
	json_object_set_new(o, "personality", pers);
	json_object_set_new(o, "age", json_integer(x->age));
	json_object_set_new(o, "life_stage", mask_names(PL_GEN_LIFE_STAGES, x->life_stage));
	json_object_set_new(o, "gender", json_string(pl_gen_gender_name(x->gender)));
	json_object_set_new(o, "gender_preference", json_string(x->same_gender ? "same" : "any"));
	if (x->has_age_range)
		json_object_set_new(o, "age_range", json_pack("[I,I]", (json_int_t)x->age_lo,
							      (json_int_t)x->age_hi));
	person_logistics(x, o);
	if (x->capacity > 0)
		json_object_set_new(o, "capacity", json_integer((json_int_t)x->capacity));
	json_object_set_new(extra, "community", json_integer(x->community));
	json_object_set_new(o, "extra", extra);
	if (x->partner >= 0)
		json_object_set_new(o, "partner_id", json_string(list[x->partner].id));
	if (x->exclude >= 0)
		json_object_set_new(o, "exclude", json_pack("[s]", mentors[x->exclude].id));
	return o;
}

static json_t *people_json(const pl_gen_person *list, size_t n, const pl_gen_person *mentors)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, person_json(&list[i], list, mentors));
	return arr;
}

static json_t *community_json(const pl_gen_community *c, size_t k)
{
	json_t *o = json_object();

	json_object_set_new(o, "community", json_integer((json_int_t)k));
	json_object_set_new(o, "experiences", mask_names(PL_GEN_EXPERIENCES, c->experiences));
	json_object_set_new(o, "substances", mask_names(PL_GEN_SUBSTANCES, c->substances));
	json_object_set_new(o, "goals", mask_names(PL_GEN_GOALS, c->goals));
	json_object_set_new(o, "recovery_pathway",
			    json_string(pl_gen_vocab_name(PL_GEN_PATHWAYS, (size_t)c->pathway)));
	json_object_set_new(o, "spanish", json_boolean(c->spanish));
	json_object_set_new(o, "mentee_share", json_real(round(1e4 * c->mentee_share) / 1e4));
	json_object_set_new(o, "mentor_share", json_real(round(1e4 * c->mentor_share) / 1e4));
	return o;
}

json_t *pl_json_write_gen_program(const pl_gen_program *g)
{
	json_t *doc = json_object(), *cj = json_array();

	json_object_set_new(doc, "mentees", people_json(g->mentees, g->nmentees, g->mentors));
	json_object_set_new(doc, "mentors", people_json(g->mentors, g->nmentors, g->mentors));
	if (g->nclients > 0)
		json_object_set_new(doc, "clients", people_json(g->clients, g->nclients, g->mentors));
	for (size_t k = 0; k < g->ncommunities; k++)
		json_array_append_new(cj, community_json(&g->communities[k], k));
	json_object_set_new(doc, "communities", cj);
	return doc;
}
