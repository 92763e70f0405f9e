/*
 * peerlink/checkins.h: the check-in data model behind relapse-risk early warnings: a catalogue
 * of measures, calendar dates as day numbers, and one client's history as a dense daily grid.
 *
 * A client arrives as JSON in one of two equivalent forms (docs/risk.md, "Input"; the JSON layer,
 * peerlink/json_risk.h, reads them):
 *   row form       {"id", "checkins": [{"date": "YYYY-MM-DD", <measure>: value, ...}], "events"}
 *   columnar form  {"id", "start": "YYYY-MM-DD", "measures": {<measure>: [value|null per day]},
 *                   "events"}
 * plus optional "attributes" and "truth" members, which are accepted and ignored here, and the
 * optional program dates "enrolled", "discharged" and "follow_up_end" ("YYYY-MM-DD"). Both forms
 * become the same pl_client: day 0 is the first day (the first recorded date, or "start"), every
 * later day up to the last recorded date (or the length of the columnar arrays) has one slot per
 * measure, NaN where nothing was recorded. Booleans are stored as 0/1.
 *
 * A check-in is a self-report: a day counts as checked in when at least one self-reported measure
 * has a value. Measures the program records (standard: "attended"; custom: "source": "program")
 * have their own missingness and never make a day a check-in (docs/risk.md, "Check-ins").
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
	int program;      /* 1: recorded by the program (attendance, dispensing), not self-reported:
			     a value does not make the day a check-in */
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
/* The event vocabulary (docs/risk.md, "Events"): lowercase words, spelled exactly; any other
 * type is an input error (never silently dropped). The first four are outcomes: each counts as a
 * lapse for labels, days_since_lapse and prior_lapse. The others are kept as context. */
typedef enum pl_event_type {
	PL_EVENT_LAPSE = 0,        /* "lapse": a return to use */
	PL_EVENT_RELAPSE,          /* "relapse": a sustained return to use */
	PL_EVENT_USE,              /* "use": use recorded by the program (e.g. a positive screen) */
	PL_EVENT_OVERDOSE,         /* "overdose" */
	PL_EVENT_TREATMENT_START,  /* "treatment_start" */
	PL_EVENT_TREATMENT_END,    /* "treatment_end" */
	PL_EVENT_MEDICATION_START, /* "medication_start" */
	PL_EVENT_MEDICATION_STOP,  /* "medication_stop" */
	PL_EVENT_HOSPITALIZATION,  /* "hospitalization" */
	PL_EVENT_OTHER,            /* "other": a program's own event, kept, not used by the model */
	PL_EVENT_NTYPES
} pl_event_type;

/* Parse an event type (len bytes, exact lowercase spelling); 0 on success, -1 if unknown. */
int pl_event_type_parse(const char *text, size_t len, pl_event_type *out);
const char *pl_event_type_name(pl_event_type t);
/* 1 for the outcome types (lapse, relapse, use, overdose). */
int pl_event_is_lapse(pl_event_type t);
/* The vocabulary as one comma-separated line, for error messages. */
const char *pl_event_vocabulary(void);

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
	uint8_t *checked_in;  /* ndays flags: 1 when at least one self-reported measure has a value */
	size_t nevents;
	pl_event *events;     /* sorted by day */
	/* Program dates (day numbers), each valid only when its has_ flag is set. */
	int32_t enrolled, discharged, follow_up_end;
	uint8_t has_enrolled, has_discharged, has_follow_up_end;
} pl_client;

#define PL_CLIENT_INIT { NULL, 0, 0, 0, NULL, NULL, 0, NULL, 0, 0, 0, 0, 0, 0 }

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

/* Day number of the last recorded day: the end of the grid or the last event, whichever is
 * later; INT32_MIN for a client with neither. The latest of these over a document is the
 * document's last day (its default as_of). */
int32_t pl_client_last_day(const pl_client *c);

/* The scoring date of a request (docs/risk.md, "as_of"): the document's as_of when given
 * (has_doc), else the option's (has_opt), else `latest` (the document's last day). One date for
 * every client, never a client's own last check-in. */
int32_t pl_as_of_resolve(int has_doc, int32_t doc_as_of, int has_opt, int32_t opt_as_of,
			 int32_t latest);

/* THE follow-up rule, shared by training and evaluation (docs/risk.md, "Follow-up"): the last day
 * (day number) on which an outcome of this client would have been recorded. It comes from the
 * program, never from the client's events: the client's follow_up_end when given, else its
 * discharged date, else doc_end (the last day of the document, i.e. its as_of); never later than
 * doc_end. With doc_end == INT32_MIN (unknown) the client's own grid end stands in for it. A
 * client silent for weeks is still followed, so silence is labelled by what happened, not by
 * whether something happened. */
int32_t pl_followup_end(const pl_client *c, int32_t doc_end);

/* Label: 1 if an outcome event (pl_event_is_lapse) falls in days (day, day + horizon] and on or
 * before follow_end, 0 if none does and the whole window is inside follow-up (follow_end from
 * pl_followup_end), -1 if the window is not fully observed. */
int pl_client_label(const pl_client *c, int32_t day, int horizon, int32_t follow_end);

#ifdef __cplusplus
}
#endif
#endif
