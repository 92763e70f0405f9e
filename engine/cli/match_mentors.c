/*
 * match_mentors.c: `peerlink match mentors`: mentees to capacitated mentors, with reasons.
 *
 * Input  {"mentees": [profiles], "mentors": [profiles with "capacity"], "weights", "constraints",
 *         "objective": "total" | "maximin" | "stable", "pinned" | "forbidden" | "current":
 *         [[mentee id, mentor id]], "top", "min_score", "stickiness"}
 * Output {"matches", "unmatched", "alternatives", "summary", "stats"}; scores rounded to 4
 * decimals. docs/matching-mentors.md describes every field.
 *
 * The steps are timed separately (parse, compat, solve, explain) because the benchmark budget
 * (2,000 x 500 end to end in one second) is spent across all of them.
 */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/mentors.h>

#define SCALE 1e4

typedef struct mm {
	pl_profiles P;
	pl_compat_params prm;
	size_t *mi, nm; /* mentees' population indexes */
	size_t *ki, nk; /* mentors' */
	long *pop_mentee, *pop_mentor; /* population index -> position, or -1 */
	double *S;
	long *cap, *pinned, *current, *mrank, *krank;
	unsigned char *forbidden;
	pl_mentors_problem pb;
	size_t top;
} mm;

static void mm_release(mm *m)
{
	pl_profiles_release(&m->P);
	free(m->mi);
	free(m->ki);
	free(m->pop_mentee);
	free(m->pop_mentor);
	free(m->S);
	free(m->cap);
	free(m->pinned);
	free(m->current);
	free(m->mrank);
	free(m->krank);
	free(m->forbidden);
}

static pl_status nomem(pl_error *err)
{
	return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
}

/* Read [[mentee, mentor], ...] at doc[key] into (mentee, mentor) position pairs. */
static pl_status read_pairs(mm *m, json_t *doc, const char *key, long **pairs, size_t *npairs,
			    pl_error *err)
{
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX], r[PL_POINTER_MAX];
	json_t *arr = NULL;
	pl_status st = pl_json_get_array(doc, key, "", 0, &arr, err);

	*pairs = NULL;
	*npairs = 0;
	if (st != PL_OK || !arr)
		return st;
	pl_json_ptr(p, sizeof(p), "", key);
	*pairs = malloc((json_array_size(arr) ? json_array_size(arr) : 1) * 2 * sizeof(long));
	if (!*pairs)
		return nomem(err);
	for (size_t k = 0; k < json_array_size(arr); k++) {
		json_t *e = json_array_get(arr, k);
		long who[2];
		pl_json_ptr_index(q, sizeof(q), p, k);
		if (!json_is_array(e) || json_array_size(e) != 2 || !json_is_string(json_array_get(e, 0)) ||
		    !json_is_string(json_array_get(e, 1)))
			return pl_error_set(err, PL_ERR_INVALID, q, "each entry must be [mentee id, mentor id]");
		for (int s = 0; s < 2; s++) {
			long pop = pl_profiles_find(&m->P, json_string_value(json_array_get(e, (size_t)s)));
			long pos = pop < 0 ? -1 : (s == 0 ? m->pop_mentee : m->pop_mentor)[pop];
			if (pos < 0)
				return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(r, sizeof(r), q, (size_t)s),
						    "%s", s == 0 ? "this id names no mentee of this request"
								 : "this id names no mentor of this request");
			who[s] = pos;
		}
		(*pairs)[2 * k] = who[0];
		(*pairs)[2 * k + 1] = who[1];
		(*npairs)++;
	}
	return PL_OK;
}

/* The first hard rule the pair breaks, for messages. */
static const char *first_rule(const mm *m, size_t i, size_t j)
{
	unsigned f = pl_compat_rules_failed(&m->P, &m->prm, m->mi[i], m->ki[j]);
	for (int r = 0; r < PL_RULE_COUNT; r++)
		if (f & PL_RULE_BIT(r))
			return pl_rule_name((pl_rule)r);
	return "?";
}

static pl_status read_pins_and_more(mm *m, json_t *doc, pl_error *err)
{
	char p[PL_POINTER_MAX];
	long *pairs = NULL, *used = NULL;
	size_t np = 0;
	pl_status st;

	m->pinned = malloc((m->nm ? m->nm : 1) * sizeof(long));
	m->current = malloc((m->nm ? m->nm : 1) * sizeof(long));
	used = calloc(m->nk ? m->nk : 1, sizeof(long));
	if (!m->pinned || !m->current || !used) {
		free(used);
		return nomem(err);
	}
	for (size_t i = 0; i < m->nm; i++)
		m->pinned[i] = m->current[i] = -1;

	st = read_pairs(m, doc, "forbidden", &pairs, &np, err);
	if (st != PL_OK)
		goto out;
	if (np) {
		m->forbidden = calloc(m->nm * m->nk, 1);
		if (!m->forbidden) {
			st = nomem(err);
			goto out;
		}
		for (size_t k = 0; k < np; k++)
			m->forbidden[(size_t)pairs[2 * k] * m->nk + (size_t)pairs[2 * k + 1]] = 1;
	}
	free(pairs);

	st = read_pairs(m, doc, "pinned", &pairs, &np, err);
	if (st != PL_OK)
		goto out;
	for (size_t k = 0; k < np; k++) {
		size_t i = (size_t)pairs[2 * k], j = (size_t)pairs[2 * k + 1];
		pl_json_ptr_index(p, sizeof(p), "/pinned", k);
		if (m->pinned[i] >= 0) {
			st = pl_error_set(err, PL_ERR_INVALID, p, "mentee '%s' is pinned twice",
					  m->P.items[m->mi[i]].id);
			goto out;
		}
		if (isnan(m->S[i * m->nk + j])) {
			st = pl_error_set(err, PL_ERR_INVALID, p,
					  "the pinned pair ('%s', '%s') breaks the '%s' rule",
					  m->P.items[m->mi[i]].id, m->P.items[m->ki[j]].id, first_rule(m, i, j));
			goto out;
		}
		if (m->forbidden && m->forbidden[i * m->nk + j]) {
			st = pl_error_set(err, PL_ERR_INVALID, p, "the pinned pair ('%s', '%s') is also forbidden",
					  m->P.items[m->mi[i]].id, m->P.items[m->ki[j]].id);
			goto out;
		}
		if (++used[j] > m->cap[j]) {
			st = pl_error_set(err, PL_ERR_INVALID, p,
					  "mentor '%s' has more pinned mentees than its capacity",
					  m->P.items[m->ki[j]].id);
			goto out;
		}
		m->pinned[i] = (long)j;
	}
	free(pairs);

	st = read_pairs(m, doc, "current", &pairs, &np, err);
	if (st != PL_OK)
		goto out;
	for (size_t k = 0; k < np; k++) {
		size_t i = (size_t)pairs[2 * k];
		if (m->current[i] >= 0) {
			st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(p, sizeof(p), "/current", k),
					  "mentee '%s' has two current mentors", m->P.items[m->mi[i]].id);
			goto out;
		}
		m->current[i] = pairs[2 * k + 1];
	}
out:
	free(pairs);
	free(used);
	return st;
}

static pl_status read_options(mm *m, json_t *doc, pl_error *err)
{
	const char *obj = "total";
	long long top = 3;
	double min_score = 0.0, stick = 0.1;
	pl_status st;

	pl_mentors_problem_init(&m->pb);
	st = pl_json_get_string(doc, "objective", "", 0, &obj, err);
	if (st != PL_OK)
		return st;
	if (strcmp(obj, "total") == 0)
		m->pb.objective = PL_MENTORS_TOTAL;
	else if (strcmp(obj, "maximin") == 0)
		m->pb.objective = PL_MENTORS_MAXIMIN;
	else if (strcmp(obj, "stable") == 0)
		m->pb.objective = PL_MENTORS_STABLE;
	else
		return pl_error_set(err, PL_ERR_INVALID, "/objective",
				    "objective must be \"total\", \"maximin\" or \"stable\"");
	st = pl_json_get_integer(doc, "top", "", 0, &top, err);
	if (st != PL_OK)
		return st;
	if (top < 0 || top > 50)
		return pl_error_set(err, PL_ERR_INVALID, "/top", "top must be an integer from 0 to 50");
	m->top = (size_t)top;
	st = pl_json_get_number(doc, "min_score", "", 0, &min_score, err);
	if (st != PL_OK)
		return st;
	if (!(min_score >= 0 && min_score <= 1))
		return pl_error_set(err, PL_ERR_INVALID, "/min_score", "min_score must lie in [0, 1]");
	st = pl_json_get_number(doc, "stickiness", "", 0, &stick, err);
	if (st != PL_OK)
		return st;
	if (!(stick >= 0 && stick <= 1))
		return pl_error_set(err, PL_ERR_INVALID, "/stickiness", "stickiness must lie in [0, 1]");
	m->pb.min_score = min_score;
	m->pb.stickiness = stick;
	return PL_OK;
}


/* Ranks of ids in byte order: the tie-break of the stable objective. Sorting uses a small
 * merge sort over positions so that no global state is needed. */
static void id_ranks(const pl_profiles *P, const size_t *idx, size_t n, long *rank, size_t *tmp,
		     size_t *order)
{
	for (size_t k = 0; k < n; k++)
		order[k] = k;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t a = lo, b = mid, o = lo;
			while (a < mid || b < hi) {
				if (b >= hi || (a < mid && strcmp(P->items[idx[order[a]]].id,
								  P->items[idx[order[b]]].id) <= 0))
					tmp[o++] = order[a++];
				else
					tmp[o++] = order[b++];
			}
		}
		memcpy(order, tmp, n * sizeof(size_t));
	}
	for (size_t k = 0; k < n; k++)
		rank[order[k]] = (long)k;
}

static pl_status make_ranks(mm *m, pl_error *err)
{
	size_t n = m->nm > m->nk ? m->nm : m->nk;
	size_t *tmp = malloc((n ? n : 1) * sizeof(size_t)), *order = malloc((n ? n : 1) * sizeof(size_t));
	m->mrank = malloc((m->nm ? m->nm : 1) * sizeof(long));
	m->krank = malloc((m->nk ? m->nk : 1) * sizeof(long));
	if (!tmp || !order || !m->mrank || !m->krank) {
		free(tmp);
		free(order);
		return nomem(err);
	}
	id_ranks(&m->P, m->mi, m->nm, m->mrank, tmp, order);
	id_ranks(&m->P, m->ki, m->nk, m->krank, tmp, order);
	free(tmp);
	free(order);
	return PL_OK;
}

static const char *objective_name(pl_mentors_objective o)
{
	return o == PL_MENTORS_MAXIMIN ? "maximin" : o == PL_MENTORS_STABLE ? "stable" : "total";
}

static const char *algorithm_name(pl_mentors_objective o)
{
	switch (o) {
	case PL_MENTORS_MAXIMIN:
		return "bottleneck threshold search + shortest augmenting path assignment";
	case PL_MENTORS_STABLE:
		return "mentee-proposing deferred acceptance with capacities";
	default:
		return "shortest augmenting path assignment (Jonker-Volgenant), capacities";
	}
}

static json_t *unmatched_entry(const mm *m, const pl_mentors_result *res, size_t i)
{
	json_t *e = json_object(), *rules = json_object();
	size_t counts[PL_RULE_COUNT + 1] = { 0 }, best = 0, eligible = 0;
	char msg[256];
	const char *reason;

	for (size_t j = 0; j < m->nk; j++) {
		unsigned f = pl_compat_rules_failed(&m->P, &m->prm, m->mi[i], m->ki[j]);
		for (int r = 0; r < PL_RULE_COUNT; r++)
			if (f & PL_RULE_BIT(r))
				counts[r]++;
		if (m->forbidden && m->forbidden[i * m->nk + j]) {
			counts[PL_RULE_COUNT]++;
			f = 1;
		}
		if (!f && m->S[i * m->nk + j] >= m->pb.min_score)
			eligible++;
	}
	for (size_t r = 0; r <= PL_RULE_COUNT; r++) {
		if (!counts[r])
			continue;
		json_object_set_new(rules, r < PL_RULE_COUNT ? pl_rule_name((pl_rule)r) : "forbidden",
				    json_integer((json_int_t)counts[r]));
		if (counts[r] > counts[best])
			best = r;
	}
	json_object_set_new(e, "mentee", json_string(m->P.items[m->mi[i]].id));
	switch (res->reason[i]) {
	case PL_UNMATCHED_NO_FEASIBLE:
		reason = "no_feasible_mentor";
		if (counts[best] == 0) { /* no mentor at all */
			snprintf(msg, sizeof(msg), "the request has no mentors");
			break;
		}
		snprintf(msg, sizeof(msg),
			 "no mentor passes the hard rules; the rule that excluded the most mentors: %s (%zu of %zu)",
			 best < PL_RULE_COUNT ? pl_rule_name((pl_rule)best) : "forbidden", counts[best], m->nk);
		json_object_set_new(e, "rule",
				    json_string(best < PL_RULE_COUNT ? pl_rule_name((pl_rule)best) : "forbidden"));
		break;
	case PL_UNMATCHED_BELOW_MIN_SCORE:
		reason = "below_min_score";
		snprintf(msg, sizeof(msg), "every feasible mentor scores below min_score");
		break;
	default:
		reason = "capacity_exhausted";
		snprintf(msg, sizeof(msg), "the eligible mentors (%zu) have no seat left for this mentee%s",
			 eligible, m->pb.objective == PL_MENTORS_STABLE ? " (each prefers the mentees it holds)" : "");
		break;
	}
	json_object_set_new(e, "reason", json_string(reason));
	json_object_set_new(e, "message", json_string(msg));
	json_object_set_new(e, "rules", rules);
	return e;
}

static json_t *build_answer(const cli_ctx *ctx, mm *m, const pl_mentors_result *res,
			    const pl_mentors_alt *alts, const size_t *nalts)
{
	json_t *doc = json_object(), *matches = json_array(), *unmatched = json_array(),
	       *alternatives = json_array(), *summary = json_object(), *load = json_array();

	for (size_t i = 0; i < m->nm; i++) {
		long j = res->mentor_of[i];
		json_t *e;
		if (j < 0) {
			json_array_append_new(unmatched, unmatched_entry(m, res, i));
			continue;
		}
		e = json_object();
		json_object_set_new(e, "mentee", json_string(m->P.items[m->mi[i]].id));
		json_object_set_new(e, "mentor", json_string(m->P.items[m->ki[j]].id));
		json_object_set_new(e, "score", json_real(cli_round(m->S[i * m->nk + (size_t)j], SCALE)));
		json_object_set_new(e, "pinned", json_boolean(m->pinned[i] >= 0));
		json_object_set_new(e, "current", json_boolean(m->current[i] == j));
		json_object_set_new(e, "reasons", cli_pair_reasons(&m->P, &m->prm, m->mi[i], m->ki[j], SCALE));
		json_array_append_new(matches, e);
	}
	if (m->top > 0)
		for (size_t i = 0; i < m->nm; i++) {
			json_t *e, *opts;
			if (m->pinned[i] >= 0)
				continue;
			e = json_object();
			opts = json_array();
			for (size_t k = 0; k < nalts[i]; k++) {
				const pl_mentors_alt *a = &alts[i * m->top + k];
				json_t *o = json_object();
				json_object_set_new(o, "mentor", json_string(m->P.items[m->ki[a->mentor]].id));
				json_object_set_new(o, "score", json_real(cli_round(a->score, SCALE)));
				json_object_set_new(o, "total_change", json_real(cli_round(a->total_change, SCALE)));
				json_object_set_new(o, "matched_change", json_integer(a->matched_change));
				json_array_append_new(opts, o);
			}
			json_object_set_new(e, "mentee", json_string(m->P.items[m->mi[i]].id));
			json_object_set_new(e, "options", opts);
			json_array_append_new(alternatives, e);
		}
	for (size_t j = 0; j < m->nk; j++) {
		json_t *e = json_object();
		json_object_set_new(e, "mentor", json_string(m->P.items[m->ki[j]].id));
		json_object_set_new(e, "load", json_integer(res->load[j]));
		json_object_set_new(e, "capacity", json_integer(m->cap[j]));
		json_array_append_new(load, e);
	}
	json_object_set_new(summary, "objective", json_string(objective_name(m->pb.objective)));
	json_object_set_new(summary, "mentees", json_integer((json_int_t)m->nm));
	json_object_set_new(summary, "matched", json_integer((json_int_t)res->matched));
	json_object_set_new(summary, "unmatched", json_integer((json_int_t)(m->nm - res->matched)));
	json_object_set_new(summary, "total", json_real(cli_round(res->total, SCALE)));
	json_object_set_new(summary, "min_score", json_real(cli_round(res->min_score, SCALE)));
	json_object_set_new(summary, "mean_score", json_real(cli_round(res->mean_score, SCALE)));
	json_object_set_new(summary, "objective_value", json_real(cli_round(res->objective_value, SCALE)));
	if (m->pb.objective == PL_MENTORS_MAXIMIN)
		json_object_set_new(summary, "threshold", json_real(cli_round(res->threshold, SCALE)));
	json_object_set_new(summary, "blocking_pairs", json_integer((json_int_t)res->blocking_pairs));
	json_object_set_new(summary, "mentor_load", load);

	json_object_set_new(doc, "matches", matches);
	json_object_set_new(doc, "unmatched", unmatched);
	json_object_set_new(doc, "alternatives", alternatives);
	json_object_set_new(doc, "summary", summary);
	(void)ctx;
	return doc;
}

int cmd_match_mentors(cli_ctx *ctx)
{
	static const char *const keys[] = { "mentees", "mentors", "weights", "constraints", "pinned",
					    "forbidden", "objective", "top", "min_score", "current",
					    "stickiness", NULL };
	json_t *doc = NULL, *answer, *stats;
	mm m;
	pl_mentors_result res = PL_MENTORS_RESULT_INIT;
	pl_mentors_alt *alts = NULL;
	size_t *nalts = NULL;
	double t0, compat_ms = 0, solve_ms = 0, explain_ms = 0;
	pl_status st;
	int rc;

	memset(&m, 0, sizeof(m));
	pl_profiles_init(&m.P);
	rc = cli_read_input(ctx, &doc);
	if (rc != CLI_EXIT_OK)
		return rc;
	t0 = cli_now_ms();
	st = pl_json_check_keys(doc, "", keys, &ctx->err);
	if (st == PL_OK)
		st = read_options(&m, doc, &ctx->err);
	if (st == PL_OK)
		st = cli_parse_compat_params(doc, &m.prm, &ctx->err);
	if (st == PL_OK)
		st = cli_parse_profiles(doc, "mentees", 1, 0, &m.P, &m.mi, &m.nm, &ctx->err);
	if (st == PL_OK)
		st = cli_parse_profiles(doc, "mentors", 1, 1, &m.P, &m.ki, &m.nk, &ctx->err);
	if (st == PL_OK)
		st = pl_profiles_finalize(&m.P, &ctx->err);
	if (st != PL_OK)
		goto fail;
	m.pop_mentee = malloc((m.P.n ? m.P.n : 1) * sizeof(long));
	m.pop_mentor = malloc((m.P.n ? m.P.n : 1) * sizeof(long));
	m.cap = malloc((m.nk ? m.nk : 1) * sizeof(long));
	m.S = malloc((m.nm * m.nk != 0 ? m.nm * m.nk : 1) * sizeof(double));
	if (!m.pop_mentee || !m.pop_mentor || !m.cap || !m.S) {
		st = nomem(&ctx->err);
		goto fail;
	}
	for (size_t k = 0; k < m.P.n; k++)
		m.pop_mentee[k] = m.pop_mentor[k] = -1;
	for (size_t i = 0; i < m.nm; i++)
		m.pop_mentee[m.mi[i]] = (long)i;
	for (size_t j = 0; j < m.nk; j++) {
		m.pop_mentor[m.ki[j]] = (long)j;
		m.cap[j] = m.P.items[m.ki[j]].capacity;
	}
	ctx->parse_ms += cli_now_ms() - t0;

	t0 = cli_now_ms();
	st = pl_compat_matrix(&m.P, &m.prm, m.mi, m.nm, m.ki, m.nk, m.S, &ctx->err);
	if (st != PL_OK)
		goto fail;
	compat_ms = cli_now_ms() - t0;

	t0 = cli_now_ms();
	st = read_pins_and_more(&m, doc, &ctx->err);
	if (st == PL_OK)
		st = make_ranks(&m, &ctx->err);
	if (st != PL_OK)
		goto fail;
	json_decref(doc);
	doc = NULL;
	ctx->parse_ms += cli_now_ms() - t0;

	m.pb.nmentees = m.nm;
	m.pb.nmentors = m.nk;
	m.pb.score = m.S;
	m.pb.capacity = m.cap;
	m.pb.pinned = m.pinned;
	m.pb.forbidden = m.forbidden;
	m.pb.current = m.current;
	m.pb.mentee_rank = m.mrank;
	m.pb.mentor_rank = m.krank;
	t0 = cli_now_ms();
	st = pl_mentors_solve(&m.pb, &res, &ctx->err);
	if (st != PL_OK)
		goto fail;
	solve_ms = cli_now_ms() - t0;

	t0 = cli_now_ms();
	nalts = calloc(m.nm ? m.nm : 1, sizeof(size_t));
	alts = malloc((m.nm * m.top != 0 ? m.nm * m.top : 1) * sizeof(*alts));
	if (!nalts || !alts) {
		st = nomem(&ctx->err);
		goto fail;
	}
	st = pl_mentors_alternatives(&m.pb, &res, m.top, alts, nalts, &ctx->err);
	if (st != PL_OK)
		goto fail;
	answer = build_answer(ctx, &m, &res, alts, nalts);
	explain_ms = cli_now_ms() - t0;
	stats = json_object();
	json_object_set_new(stats, "algorithm", json_string(algorithm_name(m.pb.objective)));
	json_object_set_new(stats, "mentees", json_integer((json_int_t)m.nm));
	json_object_set_new(stats, "mentors", json_integer((json_int_t)m.nk));
	json_object_set_new(stats, "assignment_solves", json_integer((json_int_t)res.solves));
	json_object_set_new(stats, "parse_ms", json_real(cli_ms(ctx, ctx->parse_ms)));
	json_object_set_new(stats, "compat_ms", json_real(cli_ms(ctx, compat_ms)));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, solve_ms)));
	json_object_set_new(stats, "explain_ms", json_real(cli_ms(ctx, explain_ms)));
	json_object_set_new(answer, "stats", stats);
	rc = cli_write_output(ctx, answer);
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	json_decref(doc);
	free(alts);
	free(nalts);
	pl_mentors_result_release(&res);
	mm_release(&m);
	return rc;
}
