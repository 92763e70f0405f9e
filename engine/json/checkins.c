/*
 * json/checkins.c: check-in documents in and out: the measures catalogue, one client in the row or
 * columnar form into a validated pl_client (engine/risk/checkins.c), and the fast text reader
 * that builds the same client without a jansson tree.
 *
 * Validation happens here, once, so the feature code can trust every number it reads. The
 * columnar form maps onto the grid one array at a time; the row form costs one pass to check
 * dates and one to fill values. Errors name fields by JSON Pointer, never values.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/json_risk.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- catalogue */


static void ptr_key(char *buf, size_t size, const char *ptr, const char *key)
{
	snprintf(buf, size, "%s", ptr);
	pl_pointer_append(buf, size, key);
}

static void ptr_index(char *buf, size_t size, const char *ptr, size_t index)
{
	snprintf(buf, size, "%s", ptr);
	pl_pointer_append_index(buf, size, index);
}

pl_status pl_catalogue_from_json(pl_catalogue *cat, json_t *measures, const char *ptr,
				 pl_error *err)
{
	const char *name;
	json_t *spec;
	pl_status st = pl_catalogue_init(cat, err);

	if (st != PL_OK || !measures || json_is_null(measures))
		return st;
	if (!json_is_object(measures)) {
		pl_catalogue_release(cat);
		return pl_error_set(err, PL_ERR_INVALID, ptr, "the measures catalogue must be an object");
	}
	json_object_foreach(measures, name, spec) {
		char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
		pl_measure_def d;
		json_t *jmin, *jmax, *jworse, *jtype;
		const char *key;
		json_t *v;

		memset(&d, 0, sizeof(d));
		ptr_key(p, sizeof(p), ptr, name);
		if (!json_is_object(spec)) {
			st = pl_error_set(err, PL_ERR_INVALID, p, "measure '%s' must be an object", name);
			goto fail;
		}
		json_object_foreach(spec, key, v) {
			if (strcmp(key, "min") && strcmp(key, "max") && strcmp(key, "worse") &&
			    strcmp(key, "type") && strcmp(key, "source")) {
				ptr_key(q, sizeof(q), p, key);
				st = pl_error_set(err, PL_ERR_INVALID, q, "unknown field '%s'", key);
				goto fail;
			}
		}
		if (strlen(name) >= PL_MEASURE_NAME_MAX) {
			st = pl_error_set(err, PL_ERR_INVALID, p, "a measure name is too long");
			goto fail;
		}
		snprintf(d.name, sizeof(d.name), "%s", name);
		jtype = json_object_get(spec, "type");
		if (jtype && !(json_is_string(jtype) && (strcmp(json_string_value(jtype), "number") == 0 ||
							 strcmp(json_string_value(jtype), "boolean") == 0))) {
			ptr_key(q, sizeof(q), p, "type");
			st = pl_error_set(err, PL_ERR_INVALID, q, "'type' must be \"number\" or \"boolean\"");
			goto fail;
		}
		d.boolean = jtype && strcmp(json_string_value(jtype), "boolean") == 0;
		jmin = json_object_get(spec, "min");
		jmax = json_object_get(spec, "max");
		if (d.boolean) {
			d.min = 0;
			d.max = 1;
		} else {
			if (!json_is_number(jmin)) {
				ptr_key(q, sizeof(q), p, "min");
				st = pl_error_set(err, PL_ERR_INVALID, q, "'min' must be a number");
				goto fail;
			}
			if (!json_is_number(jmax)) {
				ptr_key(q, sizeof(q), p, "max");
				st = pl_error_set(err, PL_ERR_INVALID, q, "'max' must be a number");
				goto fail;
			}
			d.min = json_number_value(jmin);
			d.max = json_number_value(jmax);
			if (!(d.min < d.max)) {
				ptr_key(q, sizeof(q), p, "max");
				st = pl_error_set(err, PL_ERR_INVALID, q, "'max' must be greater than 'min'");
				goto fail;
			}
		}
		jworse = json_object_get(spec, "worse");
		if (!json_is_string(jworse) || (strcmp(json_string_value(jworse), "higher") != 0 &&
						strcmp(json_string_value(jworse), "lower") != 0)) {
			ptr_key(q, sizeof(q), p, "worse");
			st = pl_error_set(err, PL_ERR_INVALID, q,
					  "'worse' must be \"higher\" or \"lower\"");
			goto fail;
		}
		d.worse = strcmp(json_string_value(jworse), "higher") == 0 ? 1 : -1;
		v = json_object_get(spec, "source");
		if (v && !(json_is_string(v) && (strcmp(json_string_value(v), "self_report") == 0 ||
						  strcmp(json_string_value(v), "program") == 0))) {
			ptr_key(q, sizeof(q), p, "source");
			st = pl_error_set(err, PL_ERR_INVALID, q,
					  "'source' must be \"self_report\" or \"program\"");
			goto fail;
		}
		d.program = v && strcmp(json_string_value(v), "program") == 0;
		st = pl_catalogue_add(cat, &d, p, err);
		if (st != PL_OK)
			goto fail;
	}
	return PL_OK;
fail:
	pl_catalogue_release(cat);
	return st;
}

json_t *pl_catalogue_custom_to_json(const pl_catalogue *cat)
{
	json_t *o = json_object();

	for (size_t k = PL_M_NSTANDARD; o && k < cat->n; k++) {
		const pl_measure_def *d = &cat->defs[k];
		json_t *s = json_object();
		if (d->boolean) {
			json_object_set_new(s, "type", json_string("boolean"));
		} else {
			json_object_set_new(s, "min", json_real(d->min));
			json_object_set_new(s, "max", json_real(d->max));
		}
		json_object_set_new(s, "worse", json_string(d->worse > 0 ? "higher" : "lower"));
		if (d->program)
			json_object_set_new(s, "source", json_string("program"));
		json_object_set_new(o, d->name, s);
	}
	return o;
}

/* ---------------------------------------------------------------- clients */

static pl_status parse_events(json_t *arr, const char *ptr, pl_client *c, pl_error *err)
{
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	size_t n;

	if (!arr || json_is_null(arr))
		return PL_OK;
	if (!json_is_array(arr))
		return pl_error_set(err, PL_ERR_INVALID, ptr, "'events' must be an array");
	n = json_array_size(arr);
	if (n == 0)
		return PL_OK;
	c->events = malloc(n * sizeof(*c->events));
	if (!c->events)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t k = 0; k < n; k++) {
		json_t *e = json_array_get(arr, k), *jd, *jt, *v;
		const char *key, *type;

		ptr_index(p, sizeof(p), ptr, k);
		if (!json_is_object(e))
			return pl_error_set(err, PL_ERR_INVALID, p, "each event must be an object");
		json_object_foreach(e, key, v) {
			if (strcmp(key, "date") && strcmp(key, "type")) {
				ptr_key(q, sizeof(q), p, key);
				return pl_error_set(err, PL_ERR_INVALID, q, "unknown field '%s'", key);
			}
		}
		jd = json_object_get(e, "date");
		ptr_key(q, sizeof(q), p, "date");
		if (!json_is_string(jd) || pl_date_parse(json_string_value(jd), &c->events[k].day) != 0)
			return pl_error_set(err, PL_ERR_INVALID, q,
					    "'date' must be a calendar date \"YYYY-MM-DD\"");
		jt = json_object_get(e, "type");
		ptr_key(q, sizeof(q), p, "type");
		if (!json_is_string(jt) || !*(type = json_string_value(jt)))
			return pl_error_set(err, PL_ERR_INVALID, q, "'type' must be a non-empty string");
		/* Spelled exactly: a "Relapse" dropped as an unknown type would hide a lapse. */
		if (pl_event_type_parse(type, json_string_length(jt), &c->events[k].type) != 0)
			return pl_error_set(err, PL_ERR_INVALID, q,
					    "unknown event type (types are lowercase, one of: %s)",
					    pl_event_vocabulary());
		c->nevents = k + 1;
	}
	pl_events_sort(c->events, c->nevents);
	return PL_OK;
}

/* Check one reported value against its measure; the pointer names the field, never the value. */
static pl_status check_value(json_t *v, const pl_measure_def *d, const char *ptr, double *out,
			     pl_error *err)
{
	double x;

	if (json_is_null(v)) {
		*out = NAN;
		return PL_OK;
	}
	if (d->boolean) {
		if (json_is_boolean(v)) {
			*out = json_is_true(v) ? 1.0 : 0.0;
			return PL_OK;
		}
		if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
			*out = (double)json_integer_value(v);
			return PL_OK;
		}
		return pl_error_set(err, PL_ERR_INVALID, ptr, "'%s' must be true, false or null",
				    d->name);
	}
	if (json_is_real(v))
		x = json_real_value(v);
	else if (json_is_integer(v))
		x = (double)json_integer_value(v);
	else
		return pl_error_set(err, PL_ERR_INVALID, ptr, "'%s' must be a number or null", d->name);
	if (!(x >= d->min && x <= d->max))
		return pl_error_set(err, PL_ERR_INVALID, ptr, "'%s' is outside its range %g to %g",
				    d->name, d->min, d->max);
	*out = x;
	return PL_OK;
}


/* Several check-ins on one date are one day (checkins.h): numeric values are averaged, booleans
 * OR-ed. day_add accumulates one value; day_flush writes the day and resets the sums. */
static void day_add(const pl_measure_def *def, double *sum, unsigned *cnt, double x)
{
	if (def->boolean)
		*sum = *cnt ? fmax(*sum, x) : x;
	else
		*sum += x;
	(*cnt)++;
}

static void day_flush(pl_client *c, const pl_catalogue *cat, size_t d, double *sum, unsigned *cnt)
{
	for (size_t m = 0; m < cat->n; m++) {
		if (!cnt[m])
			continue;
		c->values[m * c->ndays + d] = cat->defs[m].boolean ? sum[m] : sum[m] / cnt[m];
		if (!cat->defs[m].program)
			c->checked_in[d] = 1;
		sum[m] = 0;
		cnt[m] = 0;
	}
}

static pl_status parse_rows(json_t *arr, const pl_catalogue *cat, const char *ptr, pl_client *c,
			    pl_error *err)
{
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	size_t n, nm = cat->n;
	int32_t *days = NULL, first = 0, last = 0;
	double *sum = NULL;
	unsigned *cnt = NULL;
	pl_status st = PL_OK;

	if (!json_is_array(arr))
		return pl_error_set(err, PL_ERR_INVALID, ptr, "'checkins' must be an array");
	n = json_array_size(arr);
	if (n == 0)
		return pl_client_alloc_grid(c, 0, nm, err);
	days = malloc(n * sizeof(*days));
	if (!days)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	/* Pass 1: dates, order, span. */
	for (size_t k = 0; k < n; k++) {
		json_t *row = json_array_get(arr, k), *jd;
		ptr_index(p, sizeof(p), ptr, k);
		if (!json_is_object(row)) {
			st = pl_error_set(err, PL_ERR_INVALID, p, "each check-in must be an object");
			goto out;
		}
		jd = json_object_get(row, "date");
		ptr_key(q, sizeof(q), p, "date");
		if (!jd) {
			st = pl_error_set(err, PL_ERR_INVALID, q, "required field 'date' is missing");
			goto out;
		}
		if (!json_is_string(jd) || pl_date_parse(json_string_value(jd), &days[k]) != 0) {
			st = pl_error_set(err, PL_ERR_INVALID, q,
					  "'date' must be a calendar date \"YYYY-MM-DD\"");
			goto out;
		}
		if (k > 0 && days[k] < days[k - 1]) {
			st = pl_error_set(err, PL_ERR_INVALID, q,
					  "check-in dates must be in order (this one is earlier "
					  "than the one before it)");
			goto out;
		}
	}
	first = days[0];
	last = days[n - 1];
	if ((int64_t)last - first + 1 > PL_CHECKINS_MAX_DAYS) {
		st = pl_error_set(err, PL_ERR_INVALID, ptr, "the check-ins span more than %d days",
				  PL_CHECKINS_MAX_DAYS);
		goto out;
	}
	c->start = first;
	st = pl_client_alloc_grid(c, (size_t)(last - first + 1), nm, err);
	if (st != PL_OK)
		goto out;
	sum = calloc(nm, sizeof(*sum));
	cnt = calloc(nm, sizeof(*cnt));
	if (!sum || !cnt) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	/* Pass 2: values; a run of entries with one date is merged (mean, or OR for booleans). */
	for (size_t k = 0; k < n;) {
		size_t end = k, d = (size_t)(days[k] - first);
		while (end < n && days[end] == days[k])
			end++;
		for (size_t r = k; r < end; r++) {
			json_t *row = json_array_get(arr, r), *v;
			const char *key;
			ptr_index(p, sizeof(p), ptr, r);
			json_object_foreach(row, key, v) {
				double x;
				int m;
				if (key[0] == 'd' && strcmp(key, "date") == 0)
					continue;
				ptr_key(q, sizeof(q), p, key);
				m = pl_catalogue_find(cat, key, strlen(key));
				if (m < 0) {
					st = pl_error_set(err, PL_ERR_INVALID, q,
							  "unknown measure '%s' (declare it in the "
							  "\"measures\" catalogue)", key);
					goto out;
				}
				st = check_value(v, &cat->defs[m], q, &x, err);
				if (st != PL_OK)
					goto out;
				if (!isnan(x))
					day_add(&cat->defs[m], &sum[m], &cnt[m], x);
			}
		}
		day_flush(c, cat, d, sum, cnt);
		k = end;
	}
out:
	free(days);
	free(sum);
	free(cnt);
	return st;
}

static pl_status parse_columns(json_t *jstart, json_t *measures, const pl_catalogue *cat,
			       const char *ptr, pl_client *c, pl_error *err)
{
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	const char *key;
	json_t *arr;
	size_t ndays = 0;
	int have_len = 0;

	ptr_key(p, sizeof(p), ptr, "start");
	if (!jstart)
		return pl_error_set(err, PL_ERR_INVALID, p,
				    "required field 'start' is missing (the columnar form needs it)");
	if (!json_is_string(jstart) || pl_date_parse(json_string_value(jstart), &c->start) != 0)
		return pl_error_set(err, PL_ERR_INVALID, p, "'start' must be a calendar date \"YYYY-MM-DD\"");
	ptr_key(p, sizeof(p), ptr, "measures");
	if (!json_is_object(measures))
		return pl_error_set(err, PL_ERR_INVALID, p, "'measures' must be an object of arrays");
	json_object_foreach(measures, key, arr) {
		ptr_key(q, sizeof(q), p, key);
		if (pl_catalogue_find(cat, key, strlen(key)) < 0)
			return pl_error_set(err, PL_ERR_INVALID, q,
					    "unknown measure '%s' (declare it in the \"measures\" "
					    "catalogue)", key);
		if (!json_is_array(arr))
			return pl_error_set(err, PL_ERR_INVALID, q,
					    "measure '%s' must be an array with one value or null per day",
					    key);
		if (!have_len) {
			ndays = json_array_size(arr);
			have_len = 1;
		} else if (json_array_size(arr) != ndays) {
			return pl_error_set(err, PL_ERR_INVALID, q,
					    "measure '%s' has %zu days but another measure has %zu", key,
					    json_array_size(arr), ndays);
		}
	}
	if (ndays > PL_CHECKINS_MAX_DAYS)
		return pl_error_set(err, PL_ERR_INVALID, p, "the measures span more than %d days",
				    PL_CHECKINS_MAX_DAYS);
	if (pl_client_alloc_grid(c, ndays, cat->n, err) != PL_OK)
		return PL_ERR_NOMEM;
	json_object_foreach(measures, key, arr) {
		int m = pl_catalogue_find(cat, key, strlen(key));
		const pl_measure_def *d = &cat->defs[m];
		double *row = c->values + (size_t)m * ndays;

		for (size_t k = 0; k < ndays; k++) {
			json_t *v = json_array_get(arr, k);
			double x;
			/* Inline the common cases; check_value handles the rest (and the errors). */
			if (json_is_null(v))
				continue;
			if (d->boolean ? json_is_boolean(v)
				       : (json_is_real(v) || json_is_integer(v)) &&
						 (x = json_number_value(v)) >= d->min && x <= d->max) {
				row[k] = d->boolean ? (json_is_true(v) ? 1.0 : 0.0) : x;
			} else {
				ptr_key(q, sizeof(q), p, key);
				pl_pointer_append_index(q, sizeof(q), k);
				if (check_value(v, d, q, &x, err) != PL_OK)
					return PL_ERR_INVALID;
				if (isnan(x))
					continue;
				row[k] = x;
			}
			if (!d->program)
				c->checked_in[k] = 1;
		}
	}
	return PL_OK;
}

/* One optional program date: 1 when present and valid, 0 when absent, -1 (err set) when not a
 * calendar date. */
static int program_date(json_t *obj, const char *key, const char *ptr, int32_t *day, pl_error *err)
{
	char p[PL_POINTER_MAX];
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v) && pl_date_parse(json_string_value(v), day) == 0)
		return 1;
	ptr_key(p, sizeof(p), ptr, key);
	pl_error_set(err, PL_ERR_INVALID, p, "'%s' must be a calendar date \"YYYY-MM-DD\"", key);
	return -1;
}

/* "enrolled", "discharged", "follow_up_end": the program's dates for this client, which define
 * its follow-up (pl_followup_end); a discharge or end before enrolment is an error. */
static pl_status parse_program_dates(json_t *obj, const char *ptr, pl_client *c, pl_error *err)
{
	char p[PL_POINTER_MAX];
	int r;

	if ((r = program_date(obj, "enrolled", ptr, &c->enrolled, err)) < 0)
		return PL_ERR_INVALID;
	c->has_enrolled = (uint8_t)r;
	if ((r = program_date(obj, "discharged", ptr, &c->discharged, err)) < 0)
		return PL_ERR_INVALID;
	c->has_discharged = (uint8_t)r;
	if ((r = program_date(obj, "follow_up_end", ptr, &c->follow_up_end, err)) < 0)
		return PL_ERR_INVALID;
	c->has_follow_up_end = (uint8_t)r;
	if (c->has_enrolled && c->has_discharged && c->discharged < c->enrolled)
		return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof(p), ptr, "discharged"),
				    "'discharged' is before 'enrolled'");
	if (c->has_enrolled && c->has_follow_up_end && c->follow_up_end < c->enrolled)
		return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof(p), ptr, "follow_up_end"),
				    "'follow_up_end' is before 'enrolled'");
	return PL_OK;
}

pl_status pl_client_from_json(json_t *obj, const pl_catalogue *cat, const char *ptr,
			      pl_client *out, pl_error *err)
{
	static const char *const allowed[] = { "id", "checkins", "start", "measures", "events",
					       "attributes", "truth", "enrolled", "discharged",
					       "follow_up_end", NULL };
	char p[PL_POINTER_MAX];
	const char *key;
	json_t *v, *jid, *rows, *cols, *attrs;
	pl_status st;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj))
		return pl_error_set(err, PL_ERR_INVALID, ptr, "each client must be an object");
	json_object_foreach(obj, key, v) {
		int ok = 0;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, key) == 0)
				ok = 1;
		if (!ok) {
			ptr_key(p, sizeof(p), ptr, key);
			return pl_error_set(err, PL_ERR_INVALID, p, "unknown field '%s'", key);
		}
	}
	jid = json_object_get(obj, "id");
	ptr_key(p, sizeof(p), ptr, "id");
	if (!jid)
		return pl_error_set(err, PL_ERR_INVALID, p, "required field 'id' is missing");
	if (!json_is_string(jid) || json_string_length(jid) == 0)
		return pl_error_set(err, PL_ERR_INVALID, p, "'id' must be a non-empty string");
	attrs = json_object_get(obj, "attributes");
	if (attrs && !json_is_object(attrs)) {
		ptr_key(p, sizeof(p), ptr, "attributes");
		return pl_error_set(err, PL_ERR_INVALID, p, "'attributes' must be an object");
	}
	v = json_object_get(obj, "truth");
	if (v && !json_is_object(v)) {
		ptr_key(p, sizeof(p), ptr, "truth");
		return pl_error_set(err, PL_ERR_INVALID, p, "'truth' must be an object");
	}
	out->id = strdup(json_string_value(jid));
	if (!out->id)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	rows = json_object_get(obj, "checkins");
	cols = json_object_get(obj, "measures");
	if (rows && cols) {
		ptr_key(p, sizeof(p), ptr, "measures");
		st = pl_error_set(err, PL_ERR_INVALID, p,
				  "give either 'checkins' (row form) or 'start' and 'measures' "
				  "(columnar form), not both");
	} else if (rows) {
		v = json_object_get(obj, "start");
		if (v) {
			ptr_key(p, sizeof(p), ptr, "start");
			st = pl_error_set(err, PL_ERR_INVALID, p,
					  "'start' belongs to the columnar form; the row form dates "
					  "each check-in");
		} else {
			ptr_key(p, sizeof(p), ptr, "checkins");
			st = parse_rows(rows, cat, p, out, err);
		}
	} else if (cols) {
		st = parse_columns(json_object_get(obj, "start"), cols, cat, ptr, out, err);
	} else {
		ptr_key(p, sizeof(p), ptr, "checkins");
		st = pl_error_set(err, PL_ERR_INVALID, p,
				  "required field 'checkins' is missing (or give the columnar "
				  "'start' and 'measures')");
	}
	if (st == PL_OK) {
		ptr_key(p, sizeof(p), ptr, "events");
		st = parse_events(json_object_get(obj, "events"), p, out, err);
	}
	if (st == PL_OK)
		st = parse_program_dates(obj, ptr, out, err);
	if (st != PL_OK)
		pl_client_release(out);
	return st;
}

/* ---------------------------------------------------------------- fast path (both forms) */

/* A strict reader for the common case: any surprise returns 0 and the jansson path decides.
 * Number syntax follows RFC 8259 section 6; the value is what strtod gives, as jansson's is.
 * strtod reads the decimal separator of the thread's LC_NUMERIC locale (under de_DE.UTF-8 it
 * stops at the '.' of "3.5"), so pl_client_from_text switches this thread to the C locale for
 * the parse (uselocale is per thread; the process locale and other threads are untouched). */
typedef struct fast {
	const char *p, *e;
} fast;

#define FAST_MAX_DEPTH 32
#define FAST_MAX_KEYS 64

static void f_ws(fast *f)
{
	while (f->p < f->e && (*f->p == ' ' || *f->p == '\t' || *f->p == '\n' || *f->p == '\r'))
		f->p++;
}

/* A string with printable ASCII and no escapes; *s, *n its contents. */
static int f_string(fast *f, const char **s, size_t *n)
{
	const char *q;
	if (f->p >= f->e || *f->p != '"')
		return 0;
	for (q = f->p + 1; q < f->e && *q != '"'; q++)
		if (*q == '\\' || (unsigned char)*q < 0x20 || (unsigned char)*q >= 0x80)
			return 0;
	if (q >= f->e)
		return 0;
	*s = f->p + 1;
	*n = (size_t)(q - f->p - 1);
	f->p = q + 1;
	return 1;
}

static int f_char(fast *f, char c)
{
	f_ws(f);
	if (f->p < f->e && *f->p == c) {
		f->p++;
		return 1;
	}
	return 0;
}

static int f_word(fast *f, const char *w, size_t n)
{
	if ((size_t)(f->e - f->p) >= n && memcmp(f->p, w, n) == 0) {
		f->p += n;
		return 1;
	}
	return 0;
}

/* A JSON number (RFC 8259 section 6) into *out; *is_int when it has no fraction or exponent.
 * 0 when the text is not a number, or is one jansson might read differently (an integer of more
 * than 15 digits: its range rules decide), or overflows.
 * The value is the correctly rounded double, as strtod gives it. Check-in values ("3", "7.5",
 * "0.021077") take Clinger's fast path (Clinger 1990, "How to read floating point numbers
 * accurately"): when the digits form an integer w <= 2^53 and the decimal exponent k has
 * |k| <= 22, w and 10^|k| are exact doubles and one IEEE multiplication or division (rounding to
 * nearest) is correctly rounded. Only other numbers go through strtod and its arbitrary
 * precision. With `need_value` 0 (values that are skipped) the fast path is not even computed:
 * it cannot overflow. */
static int f_number_ex(fast *f, double *out, int *is_int, int need_value)
{
	static const double pow10[23] = { 1e0,	1e1,  1e2,  1e3,  1e4,	1e5,  1e6,  1e7,
					  1e8,	1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
					  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
	const char *q = f->p, *start = f->p;
	uint64_t w = 0;
	int neg = 0, digits = 0, k = 0, ex = 0, esign = 1, simple = 1;
	char buf[64];
	size_t n;

	*is_int = 1;
	if (q < f->e && *q == '-') {
		neg = 1;
		q++;
	}
	if (q >= f->e || *q < '0' || *q > '9')
		return 0;
	if (*q == '0') {
		q++;
	} else {
		for (; q < f->e && *q >= '0' && *q <= '9'; q++) {
			if (++digits > 16)
				simple = 0;
			w = w * 10 + (uint64_t)(*q - '0');
		}
	}
	if (q < f->e && *q == '.') {
		*is_int = 0;
		q++;
		if (q >= f->e || *q < '0' || *q > '9')
			return 0;
		for (; q < f->e && *q >= '0' && *q <= '9'; q++) {
			k--;
			if (w == 0 && *q == '0')
				continue; /* leading zeros carry no digit */
			if (++digits > 16)
				simple = 0;
			w = w * 10 + (uint64_t)(*q - '0');
		}
	}
	if (q < f->e && (*q == 'e' || *q == 'E')) {
		*is_int = 0;
		q++;
		if (q < f->e && (*q == '+' || *q == '-'))
			esign = *q++ == '-' ? -1 : 1;
		if (q >= f->e || *q < '0' || *q > '9')
			return 0;
		for (; q < f->e && *q >= '0' && *q <= '9'; q++)
			if (ex < 1000)
				ex = ex * 10 + (*q - '0');
		k += esign * ex;
	}
	n = (size_t)(q - start);
	if (n >= sizeof(buf) || (*is_int && n > 15))
		return 0; /* long integers: jansson's range rules; let it decide */
	f->p = q;
	if (simple && w <= ((uint64_t)1 << 53) && k >= -22 && k <= 22) {
		double x;
		if (!need_value)
			return 1;
		x = (double)w;
		x = k < 0 ? x / pow10[-k] : x * pow10[k];
		*out = neg ? -x : x;
		return 1;
	}
	memcpy(buf, start, n);
	buf[n] = '\0';
	*out = strtod(buf, NULL);
	return isfinite(*out);
}

static int f_number(fast *f, double *out, int *is_int)
{
	return f_number_ex(f, out, is_int, 1);
}

/* Skip (and validate) any value; objects must not repeat a key. */
static int f_skip(fast *f, int depth)
{
	double x;
	int is_int;
	const char *s;
	size_t n;

	f_ws(f);
	if (f->p >= f->e || depth > FAST_MAX_DEPTH)
		return 0;
	switch (*f->p) {
	case '"':
		return f_string(f, &s, &n);
	case 't':
		return f_word(f, "true", 4);
	case 'f':
		return f_word(f, "false", 5);
	case 'n':
		return f_word(f, "null", 4);
	case '[':
		f->p++;
		if (f_char(f, ']'))
			return 1;
		do {
			if (!f_skip(f, depth + 1))
				return 0;
		} while (f_char(f, ','));
		return f_char(f, ']');
	case '{': {
		const char *ks[FAST_MAX_KEYS];
		size_t kn[FAST_MAX_KEYS], nk = 0;
		f->p++;
		if (f_char(f, '}'))
			return 1;
		do {
			f_ws(f);
			if (nk == FAST_MAX_KEYS || !f_string(f, &ks[nk], &kn[nk]))
				return 0;
			for (size_t k = 0; k < nk; k++)
				if (kn[k] == kn[nk] && memcmp(ks[k], ks[nk], kn[k]) == 0)
					return 0;
			nk++;
			if (!f_char(f, ':') || !f_skip(f, depth + 1))
				return 0;
		} while (f_char(f, ','));
		return f_char(f, '}');
	}
	default:
		return f_number_ex(f, &x, &is_int, 0);
	}
}

static int f_key_is(const char *s, size_t n, const char *k)
{
	return strlen(k) == n && memcmp(s, k, n) == 0;
}

/* One reported value of measure d: NaN for null; 0 on anything jansson's path would reject. */
static int f_value(fast *f, const pl_measure_def *d, double *out)
{
	double x = NAN;
	int is_int;

	f_ws(f);
	if (f->p >= f->e)
		return 0;
	if (*f->p == 'n') {
		if (!f_word(f, "null", 4))
			return 0;
	} else if (*f->p == 't' || *f->p == 'f') {
		if (!d->boolean)
			return 0;
		if (f_word(f, "true", 4))
			x = 1.0;
		else if (f_word(f, "false", 5))
			x = 0.0;
		else
			return 0;
	} else {
		if (!f_number(f, &x, &is_int))
			return 0;
		if (d->boolean ? !(is_int && (x == 0.0 || x == 1.0)) : !(x >= d->min && x <= d->max))
			return 0;
		if (is_int)
			x += 0.0; /* integer -0 reads as 0, as jansson's does */
	}
	*out = x;
	return 1;
}

/* One measure's array into row[0..*n) (grown as needed); 0 on anything unusual, -1 no memory. */
static int f_measure(fast *f, const pl_measure_def *d, double **row, size_t *n, size_t *cap)
{
	if (!f_char(f, '['))
		return 0;
	*n = 0;
	if (f_char(f, ']'))
		return 1;
	do {
		double x;
		if (!f_value(f, d, &x))
			return 0;
		if (*n == *cap) {
			size_t nc = *cap ? 2 * *cap : 256;
			double *nr = realloc(*row, nc * sizeof(double));
			if (!nr)
				return -1;
			*row = nr;
			*cap = nc;
		}
		(*row)[(*n)++] = x;
	} while (f_char(f, ','));
	return f_char(f, ']');
}

/* Row form: the reported values as (day, measure, value) in input order, and each entry's day. */
typedef struct f_cell {
	int32_t day;
	int measure;
	double x;
} f_cell;

typedef struct f_rows {
	f_cell *cells;
	size_t ncells, cap;
	int32_t first, last;
	size_t nentries;
} f_rows;

static int f_checkins(fast *f, const pl_catalogue *cat, f_rows *r)
{
	unsigned char *seen = NULL;
	int rc = 0;

	if (!f_char(f, '['))
		return 0;
	if (f_char(f, ']'))
		return 1;
	seen = malloc(cat->n);
	if (!seen)
		return -1;
	do {
		int32_t day = 0;
		int have_date = 0;
		size_t first_cell = r->ncells;
		memset(seen, 0, cat->n);
		if (!f_char(f, '{'))
			goto out;
		if (!f_char(f, '}')) {
			do {
				const char *k;
				size_t kn;
				f_ws(f);
				if (!f_string(f, &k, &kn) || !f_char(f, ':'))
					goto out;
				f_ws(f);
				if (f_key_is(k, kn, "date")) {
					const char *s;
					size_t n;
					char buf[11];
					if (have_date || !f_string(f, &s, &n) || n != 10)
						goto out;
					memcpy(buf, s, 10);
					buf[10] = '\0';
					if (pl_date_parse(buf, &day) != 0)
						goto out;
					have_date = 1;
				} else {
					int m = pl_catalogue_find(cat, k, kn);
					double x;
					if (m < 0 || seen[m] || !f_value(f, &cat->defs[m], &x))
						goto out;
					seen[m] = 1;
					if (isnan(x))
						continue;
					if (r->ncells == r->cap) {
						size_t nc = r->cap ? 2 * r->cap : 1024;
						f_cell *ncl = realloc(r->cells, nc * sizeof(*ncl));
						if (!ncl) {
							rc = -1;
							goto out;
						}
						r->cells = ncl;
						r->cap = nc;
					}
					r->cells[r->ncells++] = (f_cell){ 0, m, x };
				}
			} while (f_char(f, ','));
			if (!f_char(f, '}'))
				goto out;
		}
		if (!have_date || (r->nentries > 0 && day < r->last))
			goto out; /* a missing or out-of-order date: the jansson path reports it */
		for (size_t k = first_cell; k < r->ncells; k++)
			r->cells[k].day = day;
		if (r->nentries++ == 0)
			r->first = day;
		r->last = day;
	} while (f_char(f, ','));
	rc = f_char(f, ']');
out:
	free(seen);
	return rc;
}

/* The grid from row-form cells, merging days exactly as parse_rows does. */
static int f_rows_grid(const f_rows *r, const pl_catalogue *cat, pl_client *c)
{
	size_t nm = cat->n;
	double *sum;
	unsigned *cnt;

	if (r->nentries == 0)
		return pl_client_alloc_grid(c, 0, nm, NULL) == PL_OK ? 1 : -1;
	if ((int64_t)r->last - r->first + 1 > PL_CHECKINS_MAX_DAYS)
		return 0;
	c->start = r->first;
	if (pl_client_alloc_grid(c, (size_t)(r->last - r->first + 1), nm, NULL) != PL_OK)
		return -1;
	sum = calloc(nm, sizeof(*sum));
	cnt = calloc(nm, sizeof(*cnt));
	if (!sum || !cnt) {
		free(sum);
		free(cnt);
		return -1;
	}
	for (size_t k = 0; k < r->ncells;) {
		size_t end = k, d = (size_t)(r->cells[k].day - r->first);
		while (end < r->ncells && r->cells[end].day == r->cells[k].day)
			end++;
		for (size_t q = k; q < end; q++) {
			int m = r->cells[q].measure;
			day_add(&cat->defs[m], &sum[m], &cnt[m], r->cells[q].x);
		}
		day_flush(c, cat, d, sum, cnt);
		k = end;
	}
	free(sum);
	free(cnt);
	return 1;
}

static int f_events(fast *f, pl_client *c)
{
	size_t cap = 0;
	if (!f_char(f, '['))
		return 0;
	if (f_char(f, ']'))
		return 1;
	do {
		const char *s, *date = NULL, *type = NULL;
		size_t n, dn = 0, tn = 0;
		char buf[11];
		pl_event ev;
		if (!f_char(f, '{'))
			return 0;
		do {
			f_ws(f);
			if (!f_string(f, &s, &n) || !f_char(f, ':'))
				return 0;
			f_ws(f);
			if (f_key_is(s, n, "date") && !date) {
				if (!f_string(f, &date, &dn))
					return 0;
			} else if (f_key_is(s, n, "type") && !type) {
				if (!f_string(f, &type, &tn))
					return 0;
			} else {
				return 0;
			}
		} while (f_char(f, ','));
		if (!f_char(f, '}') || !date || !type || dn != 10 || tn == 0)
			return 0;
		memcpy(buf, date, 10);
		buf[10] = '\0';
		if (pl_date_parse(buf, &ev.day) != 0)
			return 0;
		if (pl_event_type_parse(type, tn, &ev.type) != 0)
			return 0; /* the tree reader reports it */
		if (c->nevents == cap) {
			size_t nc = cap ? 2 * cap : 8;
			pl_event *ne = realloc(c->events, nc * sizeof(*ne));
			if (!ne)
				return -1;
			c->events = ne;
			cap = nc;
		}
		c->events[c->nevents++] = ev;
	} while (f_char(f, ','));
	if (!f_char(f, ']'))
		return 0;
	pl_events_sort(c->events, c->nevents);
	return 1;
}

/* The columnar "measures" object: one array per known measure, all of one length (*ndays).
 * rows[m] receives measure m's values; caps[m] != 0 marks it seen. 1, 0 (not plain), -1 (memory). */
static int f_measures(fast *f, const pl_catalogue *cat, double **rows, size_t *caps, size_t *ndays)
{
	const char *s;
	size_t n;
	int have_len = 0;

	if (!f_char(f, '{'))
		return 0;
	if (f_char(f, '}'))
		return 1;
	do {
		size_t got = 0;
		int m, r;
		f_ws(f);
		if (!f_string(f, &s, &n) || !f_char(f, ':'))
			return 0;
		m = pl_catalogue_find(cat, s, n);
		if (m < 0 || caps[m] || (n >= PL_MEASURE_NAME_MAX))
			return 0; /* unknown or repeated measure */
		r = f_measure(f, &cat->defs[m], &rows[m], &got, &caps[m]);
		if (r <= 0)
			return r;
		if (!caps[m])
			caps[m] = 1; /* an empty array still marks the measure seen */
		if (have_len && got != *ndays)
			return 0;
		*ndays = got;
		have_len = 1;
	} while (f_char(f, ','));
	return f_char(f, '}');
}

/* The grid of the columnar form from its measure arrays: 1, or -1 when out of memory. */
static int f_columns_grid(double *const *rows, const pl_catalogue *cat, size_t ndays,
			  pl_client *out)
{
	size_t nm = cat->n;

	if (pl_client_alloc_grid(out, ndays, nm, NULL) != PL_OK)
		return -1;
	for (size_t m = 0; m < nm; m++) {
		if (!rows[m])
			continue;
		if (cat->defs[m].program) {
			memcpy(out->values + m * ndays, rows[m], ndays * sizeof(double));
			continue; /* program-recorded: not a check-in */
		}
		memcpy(out->values + m * ndays, rows[m], ndays * sizeof(double));
		for (size_t d = 0; d < ndays; d++)
			if (!isnan(rows[m][d]))
				out->checked_in[d] = 1;
	}
	return 1;
}

/* A "YYYY-MM-DD" string into *day: 1, or 0 for anything else (null, another type or length, not
 * a calendar date), which the tree reader then reports. */
static int f_date(fast *f, int32_t *day)
{
	const char *s;
	size_t n;
	char buf[11];

	if (!f_string(f, &s, &n) || n != 10)
		return 0;
	memcpy(buf, s, 10);
	buf[10] = '\0';
	return pl_date_parse(buf, day) == 0;
}

static int from_text(const char *text, size_t len, const pl_catalogue *cat, pl_client *out)
{
	fast f = { text, text + len };
	size_t nm = cat->n, ndays = 0;
	double **rows = NULL;
	size_t *caps = NULL;
	f_rows fr;
	int seen_id = 0, seen_start = 0, seen_measures = 0, seen_events = 0, seen_attr = 0,
	    seen_truth = 0, seen_checkins = 0, rc = 0;

	memset(&fr, 0, sizeof(fr));

	memset(out, 0, sizeof(*out));
	rows = calloc(nm, sizeof(*rows));
	caps = calloc(nm, sizeof(*caps));
	if (!rows || !caps) {
		rc = -1;
		goto out;
	}
	if (!f_char(&f, '{'))
		goto out;
	do {
		const char *k, *s;
		size_t kn, n;
		f_ws(&f);
		if (!f_string(&f, &k, &kn) || !f_char(&f, ':'))
			goto out;
		f_ws(&f);
		if (f_key_is(k, kn, "id") && !seen_id) {
			seen_id = 1;
			if (!f_string(&f, &s, &n) || n == 0)
				goto out;
			if (!(out->id = malloc(n + 1))) {
				rc = -1;
				goto out;
			}
			memcpy(out->id, s, n);
			out->id[n] = '\0';
		} else if (kn >= 8 && (f_key_is(k, kn, "enrolled") || f_key_is(k, kn, "discharged") ||
				     f_key_is(k, kn, "follow_up_end"))) {
			int32_t *day = kn == 8 ? &out->enrolled : kn == 10 ? &out->discharged
									    : &out->follow_up_end;
			uint8_t *has = kn == 8 ? &out->has_enrolled : kn == 10 ? &out->has_discharged
									       : &out->has_follow_up_end;
			if (*has || !f_date(&f, day))
				goto out; /* repeated, null or not a date: the tree reader decides */
			*has = 1;
		} else if (f_key_is(k, kn, "start") && !seen_start) {
			seen_start = 1;
			if (!f_date(&f, &out->start))
				goto out;
		} else if (f_key_is(k, kn, "measures") && !seen_measures) {
			int r = f_measures(&f, cat, rows, caps, &ndays);
			seen_measures = 1;
			if (r <= 0) {
				rc = r;
				goto out;
			}
		} else if (f_key_is(k, kn, "checkins") && !seen_checkins) {
			int r;
			seen_checkins = 1;
			r = f_checkins(&f, cat, &fr);
			if (r <= 0) {
				rc = r;
				goto out;
			}
		} else if (f_key_is(k, kn, "events") && !seen_events) {
			int r;
			seen_events = 1;
			r = f_events(&f, out);
			if (r <= 0) {
				rc = r;
				goto out;
			}
		} else if ((f_key_is(k, kn, "attributes") && !seen_attr) ||
			   (f_key_is(k, kn, "truth") && !seen_truth)) {
			if (kn == 5)
				seen_truth = 1;
			else
				seen_attr = 1;
			if (f.p >= f.e || *f.p != '{' || !f_skip(&f, 0))
				goto out;
		} else {
			goto out; /* the row form, an unknown or repeated member */
		}
	} while (f_char(&f, ','));
	if (!f_char(&f, '}'))
		goto out;
	f_ws(&f);
	if (f.p != f.e || !seen_id)
		goto out;
	if ((out->has_enrolled && out->has_discharged && out->discharged < out->enrolled) ||
	    (out->has_enrolled && out->has_follow_up_end && out->follow_up_end < out->enrolled))
		goto out;
	if (seen_checkins) {
		if (seen_start || seen_measures)
			goto out;
		rc = f_rows_grid(&fr, cat, out);
		goto out;
	}
	if (!seen_start || !seen_measures || ndays > PL_CHECKINS_MAX_DAYS)
		goto out;
	rc = f_columns_grid(rows, cat, ndays, out);
out:
	for (size_t m = 0; rows && m < nm; m++)
		free(rows[m]);
	free(rows);
	free(caps);
	free(fr.cells);
	if (rc != 1)
		pl_client_release(out);
	return rc;
}

int pl_client_from_text(const char *text, size_t len, const pl_catalogue *cat, pl_client *out)
{
	locale_t c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0), caller;
	int rc;

	if (c_numeric == (locale_t)0) {
		memset(out, 0, sizeof(*out));
		return -1; /* newlocale fails only for want of memory */
	}
	caller = uselocale(c_numeric);
	rc = from_text(text, len, cat, out);
	uselocale(caller);
	freelocale(c_numeric);
	return rc;
}

/* ---------------------------------------------------------------- last day, cheaply */

/* The columnar "measures" object's common array length, counting elements without keeping
 * them; 0 on anything unusual (arrays of different lengths included: the full read reports it). */
static int f_grid_length(fast *f, size_t *ndays)
{
	int have = 0;

	if (!f_char(f, '{'))
		return 0;
	*ndays = 0;
	if (f_char(f, '}'))
		return 1;
	do {
		const char *k;
		size_t kn, n = 0;
		f_ws(f);
		if (!f_string(f, &k, &kn) || !f_char(f, ':') || !f_char(f, '['))
			return 0;
		/* Values of a valid client are scalars: count the commas up to the closing bracket.
		 * Anything nested or quoted is unusual (and invalid): the full read decides. */
		f_ws(f);
		if (f->p < f->e && *f->p == ']') {
			f->p++;
		} else {
			for (n = 1; f->p < f->e && *f->p != ']'; f->p++) {
				char c = *f->p;
				if (c == ',')
					n++;
				else if (c == '[' || c == '{' || c == '"' || c == '}')
					return 0;
			}
			if (f->p >= f->e)
				return 0;
			f->p++;
		}
		if (have && n != *ndays)
			return 0;
		*ndays = n;
		have = 1;
	} while (f_char(f, ','));
	return f_char(f, '}');
}

/* Skip any value by its structure alone (strings, brackets and braces), not validating it: the
 * last-day scan needs the right answer on valid clients only, since the scoring pass reads every
 * client in full and reports what is wrong. */
static int f_skip_loose(fast *f)
{
	size_t depth = 0;

	f_ws(f);
	if (f->p >= f->e)
		return 0;
	if (*f->p == '"') {
		const char *s;
		size_t n;
		if (f_string(f, &s, &n))
			return 1;
	}
	for (; f->p < f->e; f->p++) {
		char c = *f->p;
		if (c == '"') {
			for (f->p++; f->p < f->e && *f->p != '"'; f->p++)
				if (*f->p == '\\')
					f->p++;
			if (f->p >= f->e)
				return 0;
		} else if (c == '[' || c == '{') {
			depth++;
		} else if (c == ']' || c == '}') {
			if (depth == 0)
				return 1; /* the end of the enclosing object: a scalar ended here */
			if (--depth == 0) {
				f->p++;
				return 1;
			}
		} else if (depth == 0 && (c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '\r')) {
			return 1;
		}
	}
	return depth == 0;
}

/* The latest "date" of an "events" array (INT32_MIN when it is empty); 0 on anything unusual. */
static int f_events_last(fast *f, int32_t *last)
{
	*last = INT32_MIN;
	if (!f_char(f, '['))
		return 0;
	if (f_char(f, ']'))
		return 1;
	do {
		int have_date = 0;
		if (!f_char(f, '{'))
			return 0;
		do {
			const char *k, *s;
			size_t kn, n;
			f_ws(f);
			if (!f_string(f, &k, &kn) || !f_char(f, ':'))
				return 0;
			f_ws(f);
			if (f_key_is(k, kn, "date") && !have_date) {
				char buf[11];
				int32_t day;
				if (!f_string(f, &s, &n) || n != 10)
					return 0;
				memcpy(buf, s, 10);
				buf[10] = '\0';
				if (pl_date_parse(buf, &day) != 0)
					return 0;
				if (day > *last)
					*last = day;
				have_date = 1;
			} else if (!f_skip(f, 2)) {
				return 0;
			}
		} while (f_char(f, ','));
		if (!f_char(f, '}') || !have_date)
			return 0;
	} while (f_char(f, ','));
	return f_char(f, ']');
}

int pl_client_text_last_day(const char *text, size_t len, int32_t *last)
{
	fast f = { text, text + len };
	int seen_start = 0, seen_measures = 0, seen_events = 0;
	int32_t start = 0, ev_last = INT32_MIN;
	size_t ndays = 0;

	if (!f_char(&f, '{') || f_char(&f, '}'))
		return 0;
	do {
		const char *k, *s;
		size_t kn, n;
		f_ws(&f);
		if (!f_string(&f, &k, &kn) || !f_char(&f, ':'))
			return 0;
		f_ws(&f);
		if (f_key_is(k, kn, "start")) {
			char buf[11];
			if (seen_start++ || !f_string(&f, &s, &n) || n != 10)
				return 0;
			memcpy(buf, s, 10);
			buf[10] = '\0';
			if (pl_date_parse(buf, &start) != 0)
				return 0;
		} else if (f_key_is(k, kn, "measures")) {
			if (seen_measures++ || !f_grid_length(&f, &ndays))
				return 0;
		} else if (f_key_is(k, kn, "events")) {
			if (seen_events++ || !f_events_last(&f, &ev_last))
				return 0;
		} else if (f_key_is(k, kn, "checkins")) {
			return 0; /* the row form: the full read decides */
		} else if (!f_skip_loose(&f)) {
			return 0;
		}
	} while (f_char(&f, ','));
	if (!f_char(&f, '}') || !seen_start || !seen_measures || ndays > PL_CHECKINS_MAX_DAYS)
		return 0;
	f_ws(&f);
	if (f.p != f.e)
		return 0;
	*last = ndays > 0 ? start + (int32_t)ndays - 1 : INT32_MIN;
	if (ev_last > *last)
		*last = ev_last;
	return 1;
}
