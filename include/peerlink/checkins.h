/*
 * peerlink/checkins.h: the check-in data model behind relapse-risk early warnings: a catalogue
 * of measures, calendar dates as day numbers, and one client's history as a dense daily grid.
 *
 * A client arrives as JSON in one of two equivalent forms (docs/risk.md, "Input"; the JSON layer,
 * peerlink/json_risk.h, reads them):
 *   row form       {"id", "checkins": [{"date": "YYYY-MM-DD", <measure>: value, ...}], "events"}
 *   columnar form  {"id", "start": "YYYY-MM-DD", "measures": {<measure>: [value|null per day]},
 *                   "events"}
 * plus optional "attributes" and "truth" members, which are accepted and ignored here. Both
 * become the same pl_client: day 0 is the first day (the first check-in date, or "start"), every
 * later day up to the last check-in (or the length of the columnar arrays) has one slot per
 * measure, NaN where nothing was reported. Booleans are stored as 0/1.
 *
 * Duplicate dates (row form): several check-ins on one date are one day: numeric measures are
 * averaged, boolean measures are OR-ed (the day's answer to "did it happen today"). Dates must be
 * non-decreasing, so duplicates are adjacent; an earlier date after a later one is an error.
 *
 * Errors: every failure names the offending field by JSON Pointer below the `ptr` the caller
 * passes (e.g. "/clients/3/checkins/17/craving") and never quotes a value.
 *
 * Ownership: a pl_catalogue and a pl_client own their arrays; release them with
 * pl_catalogue_release / pl_client_release (both accept zeroed structs).
 */
#ifndef PEERLINK_CHECKINS_H
#define PEERLINK_CHECKINS_H

#include <stddef.h>
#include <stdint.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The standard measures, always at these indices of every catalogue. */
enum pl_std_measure {
	PL_M_CRAVING = 0,      /* 0-10, higher is worse */
	PL_M_MOOD,             /* 0-10, lower is worse */
	PL_M_STRESS,           /* 0-10, higher is worse */
	PL_M_ANXIETY,          /* 0-10, higher is worse */
	PL_M_SLEEP_HOURS,      /* 0-24, lower is worse */
	PL_M_SLEEP_QUALITY,    /* 0-10, lower is worse */
	PL_M_ATTENDED,         /* bool: attended a scheduled session; false is worse */
	PL_M_MEDICATION_TAKEN, /* bool; false is worse */
	PL_M_PEER_CONTACT,     /* bool: contact with buddy or mentor; false is worse */
	PL_M_USED,             /* bool: self-reported use; true is worse */
	PL_M_NSTANDARD
};

#define PL_MEASURE_NAME_MAX 64
#define PL_CHECKINS_MAX_DAYS 36600 /* 100 years: longer histories are input errors */

typedef struct pl_measure_def {
	char name[PL_MEASURE_NAME_MAX];
	double min, max;  /* inclusive range; booleans 0..1 */
	int boolean;      /* 1: true/false (0/1 also accepted) */
	int worse;        /* +1: higher is worse, -1: lower is worse */
} pl_measure_def;

typedef struct pl_catalogue {
	size_t n;              /* PL_M_NSTANDARD standard measures, then custom ones */
	pl_measure_def *defs;
} pl_catalogue;

#define PL_CATALOGUE_INIT { 0, NULL }

/* The standard measures only. */
pl_status pl_catalogue_init(pl_catalogue *cat, pl_error *err);
/* Add a custom measure; redefining a standard one or a duplicate name is PL_ERR_INVALID at ptr. */
pl_status pl_catalogue_add(pl_catalogue *cat, const pl_measure_def *def, const char *ptr,
			   pl_error *err);
pl_status pl_catalogue_copy(pl_catalogue *dst, const pl_catalogue *src, pl_error *err);
void pl_catalogue_release(pl_catalogue *cat);
/* Index of a measure by name (len bytes), or -1. */
int pl_catalogue_find(const pl_catalogue *cat, const char *name, size_t len);

/* ---- dates: day numbers counted from 1970-01-01 (proleptic Gregorian) ---- */
/* Parse exactly "YYYY-MM-DD" (a real calendar date, years 1900-2999); 0 on success, -1 if not. */
int pl_date_parse(const char *text, int32_t *day);
/* Format into buf (at least 11 bytes). */
void pl_date_format(int32_t day, char *buf);

/* ---- one client's history ---- */
typedef enum pl_event_type {
	PL_EVENT_LAPSE = 0,   /* "lapse" */
	PL_EVENT_RELAPSE,     /* "relapse": counts as a lapse for labels and days-since-lapse */
	PL_EVENT_OTHER        /* any other non-empty string: kept, not used by the risk model */
} pl_event_type;

typedef struct pl_event {
	int32_t day;          /* day number (not a grid index) */
	pl_event_type type;
} pl_event;

typedef struct pl_client {
	char *id;
	int32_t start;        /* day number of grid day 0 */
	size_t ndays;         /* grid length (0 when the client has no check-ins at all) */
	size_t nmeasures;     /* == catalogue size at parse time */
	double *values;       /* measure-major: values[m * ndays + d], NaN = missing */
	uint8_t *checked_in;  /* ndays flags: 1 when at least one measure was reported that day */
	size_t nevents;
	pl_event *events;     /* sorted by day */
} pl_client;

#define PL_CLIENT_INIT { NULL, 0, 0, 0, NULL, NULL, 0, NULL }

void pl_client_release(pl_client *c);
/* Give c an empty grid of ndays x nm cells (every value NaN, no day checked in); for readers of
 * client data. PL_ERR_NOMEM leaves what was allocated for pl_client_release. */
pl_status pl_client_alloc_grid(pl_client *c, size_t ndays, size_t nm, pl_error *err);
/* Sort events by day (then type), as pl_client requires. */
void pl_events_sort(pl_event *events, size_t n);

/* Value of measure m on day number `day` (NaN outside the grid or missing). */
double pl_client_value(const pl_client *c, size_t m, int32_t day);
/* Day number of the last day with a check-in, or INT32_MIN when there is none. */
int32_t pl_client_last_checkin(const pl_client *c);

/* Label: 1 if a lapse or relapse event falls in days (day, day + horizon], 0 if none does and
 * the whole window is inside follow-up (follow-up ends at `follow_end`, a day number), -1 if the
 * window is not fully observed. */
int pl_client_label(const pl_client *c, int32_t day, int horizon, int32_t follow_end);

#ifdef __cplusplus
}
#endif
#endif
