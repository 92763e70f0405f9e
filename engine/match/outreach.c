/*
 * outreach.c: today's outreach asks as an exact capacitated assignment (peerlink/outreach.h).
 *
 * The triage (clinician, no ask, needs an ask) and the supporter exclusions are rules; only the
 * choice of who asks is an optimisation, and it goes to pl_assign_solve so that "as many clients
 * reached as possible, then the closest relationships" holds exactly and no budget is exceeded
 * (a column's capacity is the supporter's budget left this week).
 */
#include <peerlink/outreach.h>
#include <peerlink/assign.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void pl_outreach_result_init(pl_outreach_result *res)
{
	pl_outreach_result z = PL_OUTREACH_RESULT_INIT;
	*res = z;
}

void pl_outreach_result_release(pl_outreach_result *res)
{
	if (!res)
		return;
	free(res->status);
	free(res->supporter);
	free(res->role);
	free(res->exclusion);
	free(res->asked);
	pl_outreach_result_init(res);
}

void pl_outreach_problem_init(pl_outreach_problem *prob)
{
	static const double w[PL_OUTREACH_NROLES] = PL_OUTREACH_WEIGHTS_DEFAULT;
	pl_outreach_problem z = { 0 };
	*prob = z;
	for (int r = 0; r < PL_OUTREACH_NROLES; r++)
		prob->weight[r] = w[r];
	prob->ask_from = PL_OUTREACH_TIER_MODERATE;
	prob->silence_limit = 7;
}

pl_outreach_exclusion pl_outreach_exclusion_of(const pl_outreach_problem *prob, size_t s)
{
	const pl_outreach_supporter *p = &prob->supporters[s];
	if (p->tier == PL_OUTREACH_TIER_HIGH)
		return PL_OUTREACH_HIGH_RISK;
	if (p->silent_days > prob->silence_limit)
		return PL_OUTREACH_SILENT;
	if (!p->available)
		return PL_OUTREACH_UNAVAILABLE;
	if (p->used >= p->budget)
		return PL_OUTREACH_NO_BUDGET;
	return PL_OUTREACH_ELIGIBLE;
}

static pl_status check_problem(const pl_outreach_problem *prob, pl_error *err)
{
	for (int r = 0; r < PL_OUTREACH_NROLES; r++)
		if (!(prob->weight[r] > 0 && prob->weight[r] <= PL_OUTREACH_WEIGHT_MAX))
			return pl_error_set(err, PL_ERR_INVALID, "",
					    "closeness weights must be in (0, 1e6]");
	if (prob->ask_from < PL_OUTREACH_TIER_MODERATE || prob->ask_from > PL_OUTREACH_TIER_HIGH)
		return pl_error_set(err, PL_ERR_INVALID, "", "ask_from must be moderate or high");
	if (prob->silence_limit < 0)
		return pl_error_set(err, PL_ERR_INVALID, "", "the silence limit must be >= 0");
	for (size_t s = 0; s < prob->nsupporters; s++)
		if (prob->supporters[s].budget < 0 || prob->supporters[s].used < 0)
			return pl_error_set(err, PL_ERR_INVALID, "",
					    "supporter %zu: budget and asks must be >= 0", s);
	for (size_t k = 0; k < prob->nlinks; k++) {
		const pl_outreach_link *l = &prob->links[k];
		if (l->client >= prob->nclients || l->supporter >= prob->nsupporters ||
		    (int)l->role < 0 || l->role >= PL_OUTREACH_NROLES) {
			char ptr[48];
			snprintf(ptr, sizeof ptr, "/links/%zu", k);
			return pl_error_set(err, PL_ERR_INVALID, ptr,
					    "a link names no client, supporter or role");
		}
	}
	return PL_OK;
}

/* Rule triage of client i: clinician, nothing, or needs an ask (ASKED as a placeholder). */
static pl_outreach_status triage(const pl_outreach_problem *prob, size_t i)
{
	const pl_outreach_client *c = &prob->clients[i];
	if (c->silent_days > prob->silence_limit)
		return PL_OUTREACH_CLINICIAN_SILENCE;
	if (c->tier == PL_OUTREACH_TIER_HIGH && c->reported_use)
		return PL_OUTREACH_CLINICIAN_USE;
	if (c->tier >= prob->ask_from)
		return PL_OUTREACH_ASKED;
	return PL_OUTREACH_NOTHING;
}

static pl_status alloc_result(const pl_outreach_problem *prob, pl_outreach_result *res,
			      pl_error *err)
{
	size_t n = prob->nclients, m = prob->nsupporters;
	res->nclients = n;
	res->nsupporters = m;
	res->status = calloc(n + 1, sizeof *res->status);
	res->supporter = calloc(n + 1, sizeof *res->supporter);
	res->role = calloc(n + 1, sizeof *res->role);
	res->exclusion = calloc(m + 1, sizeof *res->exclusion);
	res->asked = calloc(m + 1, sizeof *res->asked);
	if (!res->status || !res->supporter || !res->role || !res->exclusion || !res->asked)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory for the outreach plan");
	for (size_t i = 0; i < n; i++)
		res->supporter[i] = -1;
	return PL_OK;
}

/*
 * The assignment: rows = clients needing an ask with an eligible link, columns = eligible
 * supporters; cost = -closeness of the closest relationship of the pair, +INFINITY when none.
 */
static pl_status solve_asks(const pl_outreach_problem *prob, pl_outreach_result *res,
			    pl_error *err)
{
	size_t n = prob->nclients, m = prob->nsupporters, nr = 0, nc = 0;
	long *row_of = malloc((n + 1) * sizeof(long)), *col_of = malloc((m + 1) * sizeof(long));
	size_t *rows = malloc((n + 1) * sizeof(size_t)), *cols = malloc((m + 1) * sizeof(size_t));
	long *cap = malloc((m + 1) * sizeof(long));
	double *cost = NULL;
	pl_assign_result ar = PL_ASSIGN_RESULT_INIT;
	pl_status st = PL_OK;

	if (!row_of || !col_of || !rows || !cols || !cap) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory for the outreach plan");
		goto out;
	}
	for (size_t s = 0; s < m; s++) {
		col_of[s] = -1;
		if (res->exclusion[s] == PL_OUTREACH_ELIGIBLE) {
			col_of[s] = (long)nc;
			cap[nc] = prob->supporters[s].budget - prob->supporters[s].used;
			cols[nc++] = s;
		}
	}
	/* A row for every client needing an ask that has an eligible link. */
	for (size_t i = 0; i < n; i++)
		row_of[i] = -1;
	for (size_t k = 0; k < prob->nlinks; k++) {
		size_t i = prob->links[k].client;
		if (res->status[i] == PL_OUTREACH_UNREACHED_NO_LINK)
			res->status[i] = PL_OUTREACH_UNREACHED_INELIGIBLE;
		if (res->status[i] == PL_OUTREACH_UNREACHED_INELIGIBLE &&
		    col_of[prob->links[k].supporter] >= 0)
			res->status[i] = PL_OUTREACH_UNREACHED_TAKEN;
	}
	for (size_t i = 0; i < n; i++)
		if (res->status[i] == PL_OUTREACH_UNREACHED_TAKEN) {
			row_of[i] = (long)nr;
			rows[nr++] = i;
		}
	if (nr == 0 || nc == 0)
		goto out;
	cost = malloc(nr * nc * sizeof(double));
	if (!cost) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory for the outreach plan");
		goto out;
	}
	for (size_t x = 0; x < nr * nc; x++)
		cost[x] = INFINITY;
	for (size_t k = 0; k < prob->nlinks; k++) {
		const pl_outreach_link *l = &prob->links[k];
		long r = row_of[l->client], c = col_of[l->supporter];
		double w = -prob->weight[l->role];
		if (r < 0 || c < 0)
			continue;
		if (w < cost[(size_t)r * nc + (size_t)c])
			cost[(size_t)r * nc + (size_t)c] = w;
	}
	st = pl_assign_solve(cost, nr, nc, cap, &ar, err);
	if (st != PL_OK)
		goto out;
	for (size_t r = 0; r < nr; r++) {
		long c = ar.row_to_col[r];
		size_t i = rows[r], s;
		double best = INFINITY;
		if (c == PL_ASSIGN_UNASSIGNED)
			continue;
		s = cols[c];
		res->status[i] = PL_OUTREACH_ASKED;
		res->supporter[i] = (long)s;
		res->asked[s]++;
		/* The role of the closest relationship of the pair (first one on ties). */
		for (size_t k = 0; k < prob->nlinks; k++) {
			const pl_outreach_link *l = &prob->links[k];
			if (l->client == i && l->supporter == s && -prob->weight[l->role] < best) {
				best = -prob->weight[l->role];
				res->role[i] = l->role;
			}
		}
		res->closeness -= best;
	}
out:
	pl_assign_result_release(&ar);
	free(cost);
	free(row_of);
	free(col_of);
	free(rows);
	free(cols);
	free(cap);
	return st;
}

pl_status pl_outreach_plan(const pl_outreach_problem *prob, pl_outreach_result *res,
			   pl_error *err)
{
	pl_status st;

	pl_outreach_result_init(res);
	st = check_problem(prob, err);
	if (st == PL_OK)
		st = alloc_result(prob, res, err);
	if (st != PL_OK)
		goto fail;
	for (size_t s = 0; s < prob->nsupporters; s++)
		res->exclusion[s] = pl_outreach_exclusion_of(prob, s);
	for (size_t i = 0; i < prob->nclients; i++) {
		pl_outreach_status t = triage(prob, i);
		/* Needing an ask starts as "no link"; solve_asks refines it. */
		res->status[i] = t == PL_OUTREACH_ASKED ? PL_OUTREACH_UNREACHED_NO_LINK : t;
		res->needing += t == PL_OUTREACH_ASKED;
		res->clinician += t == PL_OUTREACH_CLINICIAN_USE || t == PL_OUTREACH_CLINICIAN_SILENCE;
	}
	st = solve_asks(prob, res, err);
	if (st != PL_OK)
		goto fail;
	for (size_t i = 0; i < prob->nclients; i++) {
		res->asks += res->status[i] == PL_OUTREACH_ASKED;
		res->unreached += res->status[i] >= PL_OUTREACH_UNREACHED_NO_LINK;
	}
	return PL_OK;
fail:
	pl_outreach_result_release(res);
	return st;
}

size_t pl_outreach_rematch_targets(const pl_outreach_problem *prob, const pl_outreach_result *res,
				   size_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < prob->nclients; i++)
		if (prob->clients[i].tier == PL_OUTREACH_TIER_HIGH &&
		    res->status[i] >= PL_OUTREACH_UNREACHED_NO_LINK)
			out[n++] = i;
	return n;
}
