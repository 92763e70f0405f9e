/*
 * outreach_rematch.c: `peerlink outreach` with "rematch": true (issue 14, docs/outreach.md,
 * "Rematch"): a high-risk client whom no supporter can reach today gets a suggested mentor with
 * more time in recovery, found by the mentors matcher itself (a library call: the program is read
 * with pl_json_read_mentors_program and solved with pl_mentors_program_solve) with that client
 * matched first.
 *
 * Why through the matcher and not "the best free mentor": the suggestion must respect everything
 * `match mentors` respects (hard rules, capacities, the mentees who keep their mentors through
 * stickiness, couples), so it is the answer `match mentors` would give with the client in the
 * first priority tier and the unsuitable mentors forbidden to them: mentors with no more time in
 * recovery than the client's current mentor (or than the client, without one), mentors whose
 * months_in_recovery is unknown, and mentors whose own risk is high or who are silent today.
 */
#define _POSIX_C_SOURCE 200809L
#include "match_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/json_outreach.h>

#define SCALE PL_JSON_MATCH_SCALE

pl_status pl_json_outreach_read_rematch(json_t *doc, int *rematch, json_t **program,
					pl_error *err)
{
	pl_status st = pl_json_get_bool(doc, "rematch", "", 0, rematch, err);

	*program = NULL;
	if (st != PL_OK)
		return st;
	st = pl_json_get_object(doc, "program", "", *rematch, program, err);
	if (st == PL_OK && *program)
		json_incref(*program);
	return st;
}

/* Is the mentor with this id unfit to take a client today (own tier high, or silent beyond
 * the limit), as a supporter or as a scored client of the risk answer? */
static int mentor_unfit(const pl_json_outreach *o, const pl_outreach_result *res, const char *id)
{
	for (size_t s = 0; s < o->prob.nsupporters; s++)
		if (strcmp(o->supporter_ids[s], id) == 0 &&
		    (res->exclusion[s] == PL_OUTREACH_HIGH_RISK || res->exclusion[s] == PL_OUTREACH_SILENT))
			return 1;
	for (size_t c = 0; c < o->prob.nclients; c++)
		if (strcmp(o->client_ids[c], id) == 0 &&
		    (o->clients[c].tier == PL_OUTREACH_TIER_HIGH ||
		     o->clients[c].silent_days > o->prob.silence_limit))
			return 1;
	return 0;
}

/* The months a suggested mentor must exceed for mentee i: its current mentor's, else its own,
 * else -1 (any known time). */
static double months_floor(const pl_mentors_program *m, size_t i)
{
	const pl_profile *me = &m->P.items[m->mentee[i]];
	if (m->current[i] >= 0) {
		const pl_profile *cur = &m->P.items[m->mentor[m->current[i]]];
		if (cur->has_recovery)
			return cur->recovery_months;
	}
	return me->has_recovery ? me->recovery_months : -1.0;
}

/* Forbid every unsuitable mentor to mentee i and put i in the first priority tier. */
static pl_status prepare_target(pl_mentors_program *m, const pl_json_outreach *o,
				const pl_outreach_result *res, size_t i, pl_error *err)
{
	size_t *pairs = malloc(2 * (m->nmentors ? m->nmentors : 1) * sizeof(size_t)), n = 0;
	double floor = months_floor(m, i);
	pl_status st;

	if (!pairs)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t j = 0; j < m->nmentors; j++) {
		const pl_profile *k = &m->P.items[m->mentor[j]];
		if (!k->has_recovery || !(k->recovery_months > floor) || mentor_unfit(o, res, k->id)) {
			pairs[2 * n] = i;
			pairs[2 * n + 1] = j;
			n++;
		}
	}
	st = pl_mentors_program_forbid(m, pairs, n, err);
	m->P.items[m->mentee[i]].priority = PL_PRIORITY_MAX;
	free(pairs);
	return st;
}

static json_t *suggestion(const pl_mentors_program *m, const double *S,
			  const pl_mentors_result *r, const char *client, long i)
{
	json_t *e = json_object();
	long j = i >= 0 ? r->mentor_of[i] : -1, cur = i >= 0 ? m->current[i] : -1;
	char msg[256];

	json_object_set_new(e, "client", json_string(client));
	json_object_set_new(e, "current_mentor",
			    cur >= 0 ? json_string(m->P.items[m->mentor[cur]].id) : json_null());
	if (i < 0)
		snprintf(msg, sizeof(msg), "this client is not among the program's mentees");
	else if (j < 0)
		snprintf(msg, sizeof(msg), "no mentor with more time in recovery passes the hard rules "
			 "and has a seat: ask the care team");
	else
		snprintf(msg, sizeof(msg), "suggested new mentor, with more time in recovery than %s; "
			 "offer it, do not impose it", cur >= 0 ? "the current one" : "the client");
	json_object_set_new(e, "mentor", j >= 0 ? json_string(m->P.items[m->mentor[j]].id) : json_null());
	if (j >= 0) {
		json_object_set_new(e, "score", json_real(pl_json_round(S[(size_t)i * m->nmentors + (size_t)j],
									SCALE)));
		json_object_set_new(e, "months_in_recovery",
				    json_real(m->P.items[m->mentor[j]].recovery_months));
		json_object_set_new(e, "reasons", pl_json_pair_reasons(&m->P, &m->prm, m->mentee[i],
									  m->mentor[j], SCALE));
	}
	json_object_set_new(e, "message", json_string(msg));
	return e;
}

/* Prefix err's pointer with /program (the reader saw the program as a document of its own). */
static void under_program(pl_error *err)
{
	static const char prefix[] = "/program";
	size_t n = strlen(err->pointer), k = sizeof(prefix) - 1;

	if (n + k >= sizeof(err->pointer)) /* too deep to prefix: point at the program */
		n = 0;
	memmove(err->pointer + k, err->pointer, n);
	memcpy(err->pointer, prefix, k);
	err->pointer[n + k] = '\0';
}

pl_status pl_json_outreach_rematch(json_t *program, const pl_json_outreach *o,
				   const pl_outreach_result *res, json_t **out, pl_error *err)
{
	pl_mentors_program m;
	pl_mentors_problem pb;
	pl_mentors_result r = PL_MENTORS_RESULT_INIT;
	size_t *targets = malloc((o->prob.nclients ? o->prob.nclients : 1) * sizeof(size_t)), nt;
	long *pos = NULL;
	double *S = NULL;
	pl_status st;

	*out = NULL;
	pl_mentors_program_init(&m);
	if (!targets) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto done;
	}
	st = pl_json_read_mentors_program(program, &m, err);
	if (st != PL_OK) {
		under_program(err);
		goto done;
	}
	nt = pl_outreach_rematch_targets(&o->prob, res, targets);
	pos = malloc((nt ? nt : 1) * sizeof(long));
	if (!pos) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto done;
	}
	for (size_t k = 0; k < m.nmentees; k++) /* only the targets are matched first */
		m.P.items[m.mentee[k]].priority = 0;
	for (size_t t = 0; t < nt && st == PL_OK; t++) {
		long p = pl_profiles_find(&m.P, o->client_ids[targets[t]]);
		pos[t] = -1;
		for (size_t k = 0; p >= 0 && k < m.nmentees; k++)
			if (m.mentee[k] == (size_t)p)
				pos[t] = (long)k;
		if (pos[t] >= 0)
			st = prepare_target(&m, o, res, (size_t)pos[t], err);
	}
	if (st == PL_OK && nt > 0)
		st = pl_mentors_program_scores(&m, &S, err);
	if (st == PL_OK && nt > 0)
		st = pl_mentors_program_solve(&m, S, &pb, &r, err);
	if (st == PL_OK) {
		*out = json_array();
		for (size_t t = 0; t < nt; t++) {
			long p = pl_profiles_find(&m.P, o->client_ids[targets[t]]);
			if (pos[t] < 0 && p >= 0)
				continue; /* a mentor of the program: a supporter, not a mentee */
			json_array_append_new(*out, suggestion(&m, S, &r, o->client_ids[targets[t]], pos[t]));
		}
	} else if (st == PL_ERR_INVALID && !err->pointer[0]) {
		snprintf(err->pointer, sizeof(err->pointer), "/program");
	}
done:
	free(targets);
	free(pos);
	free(S);
	pl_mentors_result_release(&r);
	pl_mentors_program_release(&m);
	return st;
}
