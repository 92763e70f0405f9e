/*
 * checkins.c: the check-in data model: the catalogue of measures, calendar dates as day numbers,
 * and one client's history as a dense daily grid (reading it from JSON is the JSON layer's job:
 * engine/json/checkins.c).
 *
 * Why a dense grid: every feature downstream (rolling windows, missed-check-in streaks, control
 * charts) walks days in order, and "no check-in today" must be visible as a hole, not skipped.
 *
 * Dates use day numbers from 1970-01-01: days_from_civil below is the standard proleptic
 * Gregorian conversion (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", 2013).
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/checkins.h>
#include <peerlink/limits.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- catalogue */

static const pl_measure_def standard_measures[PL_M_NSTANDARD] = {
	{ "craving", 0, 10, 0, +1, 0 },
	{ "mood", 0, 10, 0, -1, 0 },
	{ "stress", 0, 10, 0, +1, 0 },
	{ "anxiety", 0, 10, 0, +1, 0 },
	{ "sleep_hours", 0, 24, 0, -1, 0 },
	{ "sleep_quality", 0, 10, 0, -1, 0 },
	{ "attended", 0, 1, 1, -1, 1 }, /* recorded by the program */
	{ "medication_taken", 0, 1, 1, -1, 0 },
	{ "peer_contact", 0, 1, 1, -1, 0 },
	{ "used", 0, 1, 1, +1, 0 },
};

pl_status pl_catalogue_init(pl_catalogue *cat, pl_error *err)
{
	cat->defs = malloc(PL_M_NSTANDARD * sizeof(*cat->defs));
	cat->n = 0;
	if (!cat->defs)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	memcpy(cat->defs, standard_measures, sizeof(standard_measures));
	cat->n = PL_M_NSTANDARD;
	return PL_OK;
}

void pl_catalogue_release(pl_catalogue *cat)
{
	if (!cat)
		return;
	free(cat->defs);
	cat->defs = NULL;
	cat->n = 0;
}

int pl_catalogue_find(const pl_catalogue *cat, const char *name, size_t len)
{
	for (size_t k = 0; k < cat->n; k++)
		if (strncmp(cat->defs[k].name, name, len) == 0 && cat->defs[k].name[len] == '\0')
			return (int)k;
	return -1;
}

pl_status pl_catalogue_add(pl_catalogue *cat, const pl_measure_def *def, const char *ptr,
			   pl_error *err)
{
	size_t len = strnlen(def->name, PL_MEASURE_NAME_MAX);
	int k;
	pl_measure_def *nd;

	if (len == 0 || len >= PL_MEASURE_NAME_MAX || strchr(def->name, '.') || strchr(def->name, '/'))
		return pl_error_set(err, PL_ERR_INVALID, ptr,
				    "a measure name must have 1 to %d characters and no '.' or '/'",
				    PL_MEASURE_NAME_MAX - 1);
	if (!(isfinite(def->min) && isfinite(def->max) && def->min < def->max))
		return pl_error_set(err, PL_ERR_INVALID, ptr,
				    "measure '%s' needs finite min < max", def->name);
	if (def->worse != 1 && def->worse != -1)
		return pl_error_set(err, PL_ERR_INVALID, ptr, "measure '%s' needs a direction",
				    def->name);
	k = pl_catalogue_find(cat, def->name, len);
	if (k >= 0) {
		const pl_measure_def *o = &cat->defs[k];
		/* Restating a known measure exactly is allowed (a document may repeat the catalogue a
		 * model was trained with); changing it is not. */
		if (o->min == def->min && o->max == def->max && o->worse == def->worse &&
		    o->boolean == def->boolean && o->program == def->program)
			return PL_OK;
		return pl_error_set(err, PL_ERR_INVALID, ptr,
				    k < PL_M_NSTANDARD ? "measure '%s' is a standard measure and "
							 "cannot be redefined"
						       : "measure '%s' is defined twice, differently",
				    def->name);
	}
	/* Every client holds a days x measures grid: without a cap, a 150 KB catalogue of
	 * thousands of measures made one client's 100-year grid take gigabytes. */
	if (cat->n >= PL_LIMIT_MEASURES)
		return pl_error_set(err, PL_ERR_INVALID, ptr,
				    "more than the limit of %d measures (standard ones included)",
				    PL_LIMIT_MEASURES);
	nd = realloc(cat->defs, (cat->n + 1) * sizeof(*nd));
	if (!nd)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	cat->defs = nd;
	cat->defs[cat->n++] = *def;
	return PL_OK;
}

pl_status pl_catalogue_copy(pl_catalogue *dst, const pl_catalogue *src, pl_error *err)
{
	dst->n = 0;
	dst->defs = malloc((src->n ? src->n : 1) * sizeof(*dst->defs));
	if (!dst->defs)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	memcpy(dst->defs, src->defs, src->n * sizeof(*dst->defs));
	dst->n = src->n;
	return PL_OK;
}

/* ---------------------------------------------------------------- dates */

static int32_t days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

static void civil_from_days(int32_t z, int *y, int *m, int *d)
{
	int era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

int pl_date_parse(const char *t, int32_t *day)
{
	int y, m, d, mdays;
	static const int month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	for (int k = 0; k < 10; k++) {
		if (k == 4 || k == 7) {
			if (t[k] != '-')
				return -1;
		} else if (t[k] < '0' || t[k] > '9') {
			return -1;
		}
	}
	if (t[10] != '\0')
		return -1;
	y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
	m = (t[5] - '0') * 10 + (t[6] - '0');
	d = (t[8] - '0') * 10 + (t[9] - '0');
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return -1;
	mdays = month_days[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		mdays = 29;
	if (d > mdays)
		return -1;
	*day = days_from_civil(y, m, d);
	return 0;
}

void pl_date_format(int32_t day, char *buf)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	y = ((y % 10000) + 10000) % 10000;
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
}

/* ---------------------------------------------------------------- clients */

void pl_client_release(pl_client *c)
{
	if (!c)
		return;
	free(c->id);
	free(c->values);
	free(c->checked_in);
	free(c->events);
	memset(c, 0, sizeof(*c));
}

double pl_client_value(const pl_client *c, size_t m, int32_t day)
{
	int64_t d = (int64_t)day - c->start;
	if (m >= c->nmeasures || d < 0 || d >= (int64_t)c->ndays)
		return NAN;
	return c->values[m * c->ndays + (size_t)d];
}

int32_t pl_client_last_checkin(const pl_client *c)
{
	for (size_t d = c->ndays; d-- > 0;)
		if (c->checked_in[d])
			return c->start + (int32_t)d;
	return INT32_MIN;
}

int32_t pl_client_last_day(const pl_client *c)
{
	int32_t last = c->ndays > 0 ? c->start + (int32_t)c->ndays - 1 : INT32_MIN;
	if (c->nevents > 0 && c->events[c->nevents - 1].day > last)
		last = c->events[c->nevents - 1].day;
	return last;
}

int32_t pl_as_of_resolve(int has_doc, int32_t doc_as_of, int has_opt, int32_t opt_as_of,
			 int32_t latest)
{
	if (has_doc)
		return doc_as_of;
	if (has_opt)
		return opt_as_of;
	return latest;
}

int32_t pl_followup_end(const pl_client *c, int32_t doc_end)
{
	int32_t end = doc_end;

	if (end == INT32_MIN)
		end = c->ndays > 0 ? c->start + (int32_t)c->ndays - 1 : INT32_MIN;
	/* The program's word wins, but nothing after the document's last day was recorded. */
	if (c->has_follow_up_end)
		return c->follow_up_end < end ? c->follow_up_end : end;
	if (c->has_discharged)
		return c->discharged < end ? c->discharged : end;
	return end;
}

int pl_client_label(const pl_client *c, int32_t day, int horizon, int32_t follow_end)
{
	/* Events are sorted, so find the first outcome after `day`. */
	for (size_t k = 0; k < c->nevents; k++) {
		const pl_event *e = &c->events[k];
		if (e->day <= day || !pl_event_is_lapse(e->type))
			continue;
		if (e->day > day + horizon || e->day > follow_end)
			break;
		return 1;
	}
	if ((int64_t)day + horizon > follow_end)
		return -1;
	return 0;
}

/* ---------------------------------------------------------------- events */

static const char *const event_names[PL_EVENT_NTYPES] = {
	[PL_EVENT_LAPSE] = "lapse",
	[PL_EVENT_RELAPSE] = "relapse",
	[PL_EVENT_USE] = "use",
	[PL_EVENT_OVERDOSE] = "overdose",
	[PL_EVENT_TREATMENT_START] = "treatment_start",
	[PL_EVENT_TREATMENT_END] = "treatment_end",
	[PL_EVENT_MEDICATION_START] = "medication_start",
	[PL_EVENT_MEDICATION_STOP] = "medication_stop",
	[PL_EVENT_HOSPITALIZATION] = "hospitalization",
	[PL_EVENT_OTHER] = "other",
};

int pl_event_type_parse(const char *text, size_t len, pl_event_type *out)
{
	for (int k = 0; k < PL_EVENT_NTYPES; k++)
		if (strlen(event_names[k]) == len && memcmp(event_names[k], text, len) == 0) {
			*out = (pl_event_type)k;
			return 0;
		}
	return -1;
}

const char *pl_event_type_name(pl_event_type t)
{
	return t >= 0 && t < PL_EVENT_NTYPES ? event_names[t] : "";
}

int pl_event_is_lapse(pl_event_type t)
{
	return t == PL_EVENT_LAPSE || t == PL_EVENT_RELAPSE || t == PL_EVENT_USE ||
	       t == PL_EVENT_OVERDOSE;
}

const char *pl_event_vocabulary(void)
{
	return "lapse, relapse, use, overdose, treatment_start, treatment_end, medication_start, "
	       "medication_stop, hospitalization, other";
}

static int cmp_event(const void *a, const void *b)
{
	const pl_event *x = a, *y = b;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return (int)x->type - (int)y->type;
}

void pl_events_sort(pl_event *events, size_t n)
{
	qsort(events, n, sizeof(*events), cmp_event);
}


pl_status pl_client_alloc_grid(pl_client *c, size_t ndays, size_t nm, pl_error *err)
{
	size_t cells = ndays * nm;

	c->ndays = ndays;
	c->nmeasures = nm;
	c->values = malloc((cells ? cells : 1) * sizeof(double));
	c->checked_in = calloc(ndays ? ndays : 1, 1);
	if (!c->values || !c->checked_in)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t k = 0; k < cells; k++)
		c->values[k] = NAN;
	return PL_OK;
}
