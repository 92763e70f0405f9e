/*
 * import.c (JSON layer): the importer's documents. The spec object (datasets/README.md, "Import
 * layout") is read into a pl_import_spec, every spec error pointing at its member; the core
 * (engine/data/import.c) converts the table; the result is written here as the risk input's row
 * form, client by client so a stream can write each one as it goes.
 */
#include <peerlink/json_data.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pointers of the spec members, kept alive with the spec: one per mapped entry. */
typedef struct origins {
	char (*p)[PL_POINTER_MAX];
	size_t n;
} origins;

static pl_status string_column(json_t *v, const char *ptr, pl_import_column *c, pl_error *err)
{
	if (!json_is_string(v))
		return pl_error_set(err, PL_ERR_INVALID, ptr, "a column name (string) is needed here");
	c->name = json_string_value(v);
	return PL_OK;
}

/* The next stored pointer, set to section/key. */
static char *next_origin(origins *o, const char *section, const char *key)
{
	char *p = o->p[o->n++];
	pl_json_ptr(p, PL_POINTER_MAX, section, key);
	return p;
}

/* section/key names column v: its origin is that pointer. */
static pl_status mapped_column(origins *o, const char *section, const char *key, json_t *v,
			       pl_import_column *c, pl_error *err)
{
	c->origin = next_origin(o, section, key);
	return string_column(v, c->origin, c, err);
}

/* "delimiter", "id", "date" or "day" with "start". */
static pl_status read_keys(pl_import_spec *s, json_t *obj, pl_error *err)
{
	json_t *v = json_object_get(obj, "delimiter");
	pl_status st;

	if (v) {
		if (!json_is_string(v) || json_string_length(v) != 1)
			return pl_error_set(err, PL_ERR_INVALID, "/delimiter",
					    "delimiter must be a one-character string");
		s->delimiter = json_string_value(v)[0];
	}
	if ((v = json_object_get(obj, "id"))) {
		if ((st = string_column(v, "/id", &s->id, err)) != PL_OK)
			return st;
		s->id_default = 0;
	}
	if ((v = json_object_get(obj, "date"))) {
		s->date.origin = "/date";
		return string_column(v, "/date", &s->date, err);
	}
	if ((v = json_object_get(obj, "day"))) {
		json_t *start = json_object_get(obj, "start");
		s->day.origin = "/day";
		if ((st = string_column(v, "/day", &s->day, err)) != PL_OK)
			return st;
		if (!json_is_string(start) || pl_gen_date_parse(json_string_value(start), &s->start) != 0)
			return pl_error_set(err, PL_ERR_INVALID, "/start",
					    "with a day column, 'start' must give the date of day 1 (YYYY-MM-DD)");
		return PL_OK;
	}
	return pl_error_set(err, PL_ERR_INVALID, "/date",
			    "name the date column ('date') or a study-day column ('day' with 'start')");
}

static pl_status read_missing(pl_import_spec *s, json_t *obj, pl_error *err)
{
	json_t *missing = json_object_get(obj, "missing"), *m;
	char p[PL_POINTER_MAX];
	size_t i;

	if (!missing)
		return PL_OK; /* the core's default list */
	if (!json_is_array(missing))
		return pl_error_set(err, PL_ERR_INVALID, "/missing", "missing must be an array of strings");
	s->missing = calloc(json_array_size(missing) + 1, sizeof(char *));
	if (!s->missing)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	json_array_foreach(missing, i, m) {
		if (!json_is_string(m))
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(p, sizeof(p), "/missing", i),
					    "missing must be an array of strings");
		s->missing[s->nmissing++] = json_string_value(m);
	}
	return PL_OK;
}

/* The range of a custom measure from the openESM labels of its column, if any. */
static int labels_range(json_t *metadata, const char *column, double *lo, double *hi)
{
	json_t *f;
	size_t i;
	int found = 0;

	json_array_foreach(json_object_get(metadata, "features"), i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *labels = json_string_value(json_object_get(f, "labels"));
		double a, b;
		if (!name || strcmp(name, column) != 0 || !labels || pl_import_labels_range(labels, &a, &b) != 0)
			continue;
		if (!found || a < *lo)
			*lo = a;
		if (!found || b > *hi)
			*hi = b;
		found = 1;
	}
	return found ? 0 : -1;
}

/* A custom measure's catalogue entry {"min", "max", "worse", "type"}, at catalogue/<name>. */
static pl_status read_custom(pl_import_measure *m, json_t *catalogue, json_t *metadata,
			     pl_error *err)
{
	char p[PL_POINTER_MAX];
	json_t *def = catalogue ? json_object_get(catalogue, m->name) : NULL, *jt, *jmin, *jmax, *jw;

	pl_json_ptr(p, sizeof(p), "/catalogue", m->name);
	if (!json_is_object(def))
		return pl_error_set(err, PL_ERR_INVALID, p,
				    "custom measure '%s' needs a catalogue entry "
				    "{\"min\", \"max\", \"worse\": \"higher\"|\"lower\"}", m->name);
	m->custom = 1;
	jt = json_object_get(def, "type");
	m->boolean = json_is_string(jt) && strcmp(json_string_value(jt), "boolean") == 0;
	jmin = json_object_get(def, "min");
	jmax = json_object_get(def, "max");
	jw = json_object_get(def, "worse");
	if (!json_is_string(jw) || (strcmp(json_string_value(jw), "higher") != 0 &&
				    strcmp(json_string_value(jw), "lower") != 0)) {
		pl_pointer_append(p, sizeof(p), "worse");
		return pl_error_set(err, PL_ERR_INVALID, p, "worse must be \"higher\" or \"lower\"");
	}
	m->worse_higher = strcmp(json_string_value(jw), "higher") == 0;
	if (m->boolean) {
		m->min = 0;
		m->max = 1;
	} else if (json_is_number(jmin) && json_is_number(jmax)) {
		m->min = json_number_value(jmin);
		m->max = json_number_value(jmax);
	} else if (!metadata || labels_range(metadata, m->column.name, &m->min, &m->max) != 0) {
		pl_pointer_append(p, sizeof(p), json_is_number(jmin) ? "max" : "min");
		return pl_error_set(err, PL_ERR_INVALID, p,
				    "custom measure '%s' needs min and max (or openESM labels)", m->name);
	}
	if (!(m->min < m->max)) {
		pl_pointer_append(p, sizeof(p), "max");
		return pl_error_set(err, PL_ERR_INVALID, p, "max must be above min");
	}
	return PL_OK;
}

static pl_status read_rescale(pl_import_measure *m, json_t *rs, pl_error *err)
{
	char p[PL_POINTER_MAX];

	if (!rs)
		return PL_OK;
	if (!json_is_array(rs) || json_array_size(rs) != 2 || !json_is_number(json_array_get(rs, 0)) ||
	    !json_is_number(json_array_get(rs, 1)) ||
	    !(json_number_value(json_array_get(rs, 0)) < json_number_value(json_array_get(rs, 1))) ||
	    m->boolean)
		return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof(p), "/rescale", m->name),
				    "rescale needs [low, high] with low < high, for a numeric measure");
	m->rescale = 1;
	m->from_lo = json_number_value(json_array_get(rs, 0));
	m->from_hi = json_number_value(json_array_get(rs, 1));
	return PL_OK;
}

/* "measures" (with "catalogue" and "rescale"); o: one pointer per measure. */
static pl_status read_measures(pl_import_spec *s, json_t *obj, json_t *metadata, origins *o,
			       pl_error *err)
{
	json_t *jm = json_object_get(obj, "measures"), *catalogue = json_object_get(obj, "catalogue");
	json_t *rescale = json_object_get(obj, "rescale"), *v;
	const char *key;
	pl_status st;

	if (catalogue && !json_is_object(catalogue))
		return pl_error_set(err, PL_ERR_INVALID, "/catalogue", "catalogue must be an object");
	if (!json_is_object(jm) || json_object_size(jm) == 0)
		return pl_error_set(err, PL_ERR_INVALID, "/measures",
				    "measures must map at least one measure name to a column");
	s->measures = calloc(json_object_size(jm), sizeof(*s->measures));
	if (!s->measures)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	json_object_foreach(jm, key, v) {
		pl_import_measure *m = &s->measures[s->nmeasures];

		m->name = key;
		if ((st = mapped_column(o, "/measures", key, v, &m->column, err)) != PL_OK)
			return st;
		if (!pl_import_standard_measure(key, &m->min, &m->max, &m->boolean) &&
		    (st = read_custom(m, catalogue, metadata, err)) != PL_OK)
			return st;
		if ((st = read_rescale(m, json_object_get(rescale, key), err)) != PL_OK)
			return st;
		s->nmeasures++;
	}
	json_object_foreach(rescale, key, v)
		if (!json_object_get(jm, key)) {
			char p[PL_POINTER_MAX];
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof(p), "/rescale", key),
					    "rescale names a measure that is not mapped");
		}
	return PL_OK;
}

/* "events": {"column": "type"}; "attributes": {"name": "column"}. */
static pl_status read_events_attributes(pl_import_spec *s, json_t *obj, origins *o, pl_error *err)
{
	json_t *ev = json_object_get(obj, "events"), *at = json_object_get(obj, "attributes"), *v;
	const char *key;
	pl_status st;

	s->events = calloc(json_object_size(ev) + 1, sizeof(*s->events));
	s->attributes = calloc(json_object_size(at) + 1, sizeof(*s->attributes));
	if (!s->events || !s->attributes)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	json_object_foreach(ev, key, v) {
		char *p = next_origin(o, "/events", key);
		if (!json_is_string(v) || json_string_length(v) == 0)
			return pl_error_set(err, PL_ERR_INVALID, p,
					    "an event column maps to an event type such as \"lapse\"");
		s->events[s->nevents++] = (pl_import_event_column){ json_string_value(v), { key, p } };
	}
	json_object_foreach(at, key, v) {
		s->attributes[s->nattributes].name = key;
		if ((st = mapped_column(o, "/attributes", key, v, &s->attributes[s->nattributes].column,
					err)) != PL_OK)
			return st;
		s->nattributes++;
	}
	return PL_OK;
}

pl_status pl_json_read_import_spec(pl_import_spec *s, json_t *obj, json_t *metadata, pl_error *err)
{
	origins o = { NULL, 0 };
	size_t n = json_object_size(json_object_get(obj, "measures")) +
		   json_object_size(json_object_get(obj, "events")) +
		   json_object_size(json_object_get(obj, "attributes"));
	pl_status st;

	pl_import_spec_init(s);
	o.p = calloc(n + 1, sizeof(*o.p));
	s->storage_ = o.p;
	if (!o.p)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if ((st = read_keys(s, obj, err)) != PL_OK || (st = read_missing(s, obj, err)) != PL_OK ||
	    (st = read_measures(s, obj, metadata, &o, err)) != PL_OK ||
	    (st = read_events_attributes(s, obj, &o, err)) != PL_OK)
		pl_import_spec_release(s);
	return st;
}

/* ---- the result ---- */

static json_t *value_json(const pl_import_measure *m, double x)
{
	if (m->boolean)
		return json_boolean(x != 0.0);
	return x == floor(x) && fabs(x) < 1e15 ? json_integer((json_int_t)x) : json_real(x);
}

static json_t *checkin_json(const pl_import_result *r, const pl_import_checkin *ci)
{
	json_t *o = json_object();
	char date[16];

	pl_gen_date_format(ci->day, date);
	json_object_set_new(o, "date", json_string(date));
	for (size_t k = ci->first; k < ci->first + ci->n; k++) {
		const pl_import_measure *m = &r->spec->measures[r->values[k].measure];
		json_object_set_new(o, m->name, value_json(m, r->values[k].value));
	}
	return o;
}

json_t *pl_json_write_import_client(const pl_import_result *r, size_t k)
{
	const pl_import_client *c = &r->clients[k];
	json_t *o = json_object(), *arr;
	char date[16];

	json_object_set_new(o, "id", json_string(c->id));
	if (c->nattrs) {
		json_t *attrs = json_object();
		for (size_t a = c->first_attr; a < c->first_attr + c->nattrs; a++)
			json_object_set_new(attrs, r->spec->attributes[r->attrs[a].attribute].name,
					    json_string(r->attrs[a].value));
		json_object_set_new(o, "attributes", attrs);
	}
	arr = json_array();
	for (size_t i = c->first_checkin; i < c->first_checkin + c->ncheckins; i++)
		json_array_append_new(arr, checkin_json(r, &r->checkins[i]));
	json_object_set_new(o, "checkins", arr);
	arr = json_array();
	for (size_t i = c->first_event; i < c->first_event + c->nevents; i++) {
		json_t *e = json_object();
		pl_gen_date_format(r->events[i].day, date);
		json_object_set_new(e, "date", json_string(date));
		json_object_set_new(e, "type", json_string(r->spec->events[r->events[i].type].type));
		json_array_append_new(arr, e);
	}
	json_object_set_new(o, "events", arr);
	return o;
}

json_t *pl_json_write_import_catalogue(const pl_import_result *r)
{
	json_t *cat = json_object();

	for (size_t k = 0; k < r->spec->nmeasures; k++) {
		const pl_import_measure *m = &r->spec->measures[k];
		json_t *d;
		if (!m->custom)
			continue;
		d = json_object();
		if (m->boolean) {
			json_object_set_new(d, "type", json_string("boolean"));
		} else {
			json_object_set_new(d, "min", json_real(m->min));
			json_object_set_new(d, "max", json_real(m->max));
		}
		json_object_set_new(d, "worse", json_string(m->worse_higher ? "higher" : "lower"));
		json_object_set_new(cat, m->name, d);
	}
	if (json_object_size(cat) == 0) {
		json_decref(cat);
		return NULL;
	}
	return cat;
}

pl_status pl_json_import_table(const char *text, size_t len, json_t *spec, json_t *metadata,
			       json_t **out, pl_import_stats *stats, pl_error *err)
{
	pl_import_spec s;
	pl_import_result *r = NULL;
	json_t *doc, *clients, *cat;
	pl_status st;

	*out = NULL;
	memset(stats, 0, sizeof(*stats));
	if ((st = pl_json_read_import_spec(&s, spec, metadata, err)) != PL_OK)
		return st;
	if ((st = pl_import_result_new(text, len, &s, &r, err)) != PL_OK) {
		pl_import_spec_release(&s);
		return st;
	}
	doc = json_object();
	clients = json_array();
	for (size_t k = 0; k < r->nclients; k++)
		json_array_append_new(clients, pl_json_write_import_client(r, k));
	json_object_set_new(doc, "clients", clients);
	if ((cat = pl_json_write_import_catalogue(r)))
		json_object_set_new(doc, "measures", cat);
	*stats = r->stats;
	pl_import_result_free(r);
	pl_import_spec_release(&s);
	*out = doc;
	return PL_OK;
}
