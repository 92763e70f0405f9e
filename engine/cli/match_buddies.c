/*
 * match_buddies.c: `peerlink match buddies`: accountability partners (docs/buddies.md).
 *
 * Input  {"clients": [profiles], "weights", "constraints", "pinned" | "forbidden" | "current":
 *         [[client id, client id]], "min_score", "odd": "triad" | "unmatched", "stickiness",
 *         "top"}
 * Output {"pairs", "unmatched", "alternatives", "summary", "stats"}; scores rounded to 4
 * decimals, like `match mentors`.
 *
 * Scores and hard rules are compat's for the clients against themselves: partners in treatment
 * together (partner_id) and `exclude` give NaN, so they are never paired unless the "partner" or
 * "exclude" constraint is switched off. The pairing is pl_buddies_solve (engine/match/buddies.c) on the
 * blossom solver.
 */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/buddies.h>
#include <peerlink/compat.h>
#include <peerlink/profile.h>

#define SCALE 1e4
/* Above this many clients, alternatives are listed without total_change: each one is a full
 * re-solve (~45 ms at 500 clients here), and top x clients of them would take minutes. */
#define ALT_CHANGE_MAX_CLIENTS 150

typedef struct bx {
	pl_profiles P;
	pl_compat_params prm;
	size_t *ci, n;
	double *S;
	unsigned char *forbidden; /* n x n */
	size_t *pinned, npinned, *current, ncurrent;
	long *pos;                /* population index -> client position */
	pl_buddies_problem pb;
} bx;

static void bx_release(bx *m)
{
	pl_profiles_release(&m->P);
	free(m->ci);
	free(m->S);
	free(m->forbidden);
	free(m->pinned);
	free(m->current);
	free(m->pos);
}

static pl_status nomem(pl_error *err)
{
	return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
}

static const char *cid(const bx *m, size_t i)
{
	return m->P.items[m->ci[i]].id;
}

static pl_status read_pairs(bx *m, json_t *doc, const char *key, size_t **pairs, size_t *npairs,
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
	*pairs = malloc((json_array_size(arr) + 1) * 2 * sizeof(size_t));
	if (!*pairs)
		return nomem(err);
	for (size_t k = 0; k < json_array_size(arr); k++) {
		json_t *e = json_array_get(arr, k);
		long who[2];
		pl_json_ptr_index(q, sizeof(q), p, k);
		if (!json_is_array(e) || json_array_size(e) != 2 || !json_is_string(json_array_get(e, 0)) ||
		    !json_is_string(json_array_get(e, 1)))
			return pl_error_set(err, PL_ERR_INVALID, q, "each entry must be [client id, client id]");
		for (size_t s = 0; s < 2; s++) {
			long pop = pl_profiles_find(&m->P, json_string_value(json_array_get(e, s)));
			who[s] = pop < 0 ? -1 : m->pos[pop];
			if (who[s] < 0)
				return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(r, sizeof(r), q, s),
						    "names no client of this request");
		}
		if (who[0] == who[1])
			return pl_error_set(err, PL_ERR_INVALID, q, "a pair needs two different clients");
		(*pairs)[2 * k] = (size_t)who[0];
		(*pairs)[2 * k + 1] = (size_t)who[1];
		(*npairs)++;
	}
	return PL_OK;
}

static const char *first_rule(const bx *m, size_t i, size_t j)
{
	unsigned f = pl_compat_rules_failed(&m->P, &m->prm, m->ci[i], m->ci[j]);
	for (int r = 0; r < PL_RULE_COUNT; r++)
		if (f & PL_RULE_BIT(r))
			return pl_rule_name((pl_rule)r);
	return m->forbidden && m->forbidden[i * m->n + j] ? "forbidden" : "?";
}

static pl_status read_options(bx *m, json_t *doc, pl_error *err)
{
	const char *odd = "triad";
	long long top = 3;
	double min_score = 0.0, stick = 0.1;
	pl_status st;

	st = pl_json_get_string(doc, "odd", "", 0, &odd, err);
	if (st != PL_OK)
		return st;
	if (strcmp(odd, "triad") != 0 && strcmp(odd, "unmatched") != 0)
		return pl_error_set(err, PL_ERR_INVALID, "/odd", "odd must be \"triad\" or \"unmatched\"");
	st = pl_json_get_integer(doc, "top", "", 0, &top, err);
	if (st != PL_OK)
		return st;
	if (top < 0 || top > 50)
		return pl_error_set(err, PL_ERR_INVALID, "/top", "top must be an integer from 0 to 50");
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
	m->pb.triad = strcmp(odd, "triad") == 0;
	m->pb.top = (size_t)top;
	m->pb.min_score = min_score;
	m->pb.stickiness = stick;
	return PL_OK;
}

/* Check pins and current pairs with messages that name the clients and the rule. */
static pl_status check_pairs(bx *m, pl_error *err)
{
	char p[PL_POINTER_MAX];
	unsigned char *seen = calloc(m->n + 1, 1);
	pl_status st = PL_OK;

	if (!seen)
		return nomem(err);
	for (size_t k = 0; k < m->npinned && st == PL_OK; k++) {
		size_t a = m->pinned[2 * k], b = m->pinned[2 * k + 1];
		pl_json_ptr_index(p, sizeof(p), "/pinned", k);
		if (seen[a] || seen[b])
			st = pl_error_set(err, PL_ERR_INVALID, p, "client '%s' is pinned twice",
					  cid(m, seen[a] ? a : b));
		else if (isnan(m->S[a * m->n + b]))
			st = pl_error_set(err, PL_ERR_INVALID, p,
					  "the pinned pair ('%s', '%s') breaks the '%s' rule", cid(m, a),
					  cid(m, b), first_rule(m, a, b));
		seen[a] = seen[b] = 1;
	}
	memset(seen, 0, m->n + 1);
	for (size_t k = 0; k < m->ncurrent && st == PL_OK; k++) {
		size_t a = m->current[2 * k], b = m->current[2 * k + 1];
		if (seen[a] || seen[b])
			st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(p, sizeof(p), "/current", k),
					  "client '%s' is in two current pairs", cid(m, seen[a] ? a : b));
		seen[a] = seen[b] = 1;
	}
	free(seen);
	return st;
}

static int is_current(const bx *m, size_t a, size_t b)
{
	for (size_t k = 0; k < m->ncurrent; k++)
		if ((m->current[2 * k] == a && m->current[2 * k + 1] == b) ||
		    (m->current[2 * k] == b && m->current[2 * k + 1] == a))
			return 1;
	return 0;
}

static json_t *pair_entry(const bx *m, const pl_buddies_result *res, size_t a, size_t b)
{
	json_t *e = json_object(), *ids = json_array();
	json_array_append_new(ids, json_string(cid(m, a)));
	json_array_append_new(ids, json_string(cid(m, b)));
	json_object_set_new(e, "clients", ids);
	json_object_set_new(e, "score", json_real(cli_round(m->S[a * m->n + b], SCALE)));
	json_object_set_new(e, "pinned", json_boolean(res->pinned[a]));
	json_object_set_new(e, "current", json_boolean(is_current(m, a, b)));
	json_object_set_new(e, "reasons", cli_pair_reasons(&m->P, &m->prm, m->ci[a], m->ci[b], SCALE));
	return e;
}

static json_t *unmatched_entry(const bx *m, const pl_buddies_result *res, size_t i)
{
	json_t *e = json_object(), *rules = json_object();
	size_t counts[PL_RULE_COUNT + 1] = { 0 }, best = 0;
	char msg[256];

	for (size_t j = 0; j < m->n; j++) {
		unsigned f;
		if (j == i)
			continue;
		f = pl_compat_rules_failed(&m->P, &m->prm, m->ci[i], m->ci[j]);
		for (int r = 0; r < PL_RULE_COUNT; r++)
			if (f & PL_RULE_BIT(r))
				counts[r]++;
		if (m->forbidden && m->forbidden[i * m->n + j])
			counts[PL_RULE_COUNT]++;
	}
	for (size_t r = 0; r <= PL_RULE_COUNT; r++) {
		if (!counts[r])
			continue;
		json_object_set_new(rules, r < PL_RULE_COUNT ? pl_rule_name((pl_rule)r) : "forbidden",
				    json_integer((json_int_t)counts[r]));
		if (counts[r] > counts[best])
			best = r;
	}
	switch (res->reason[i]) {
	case PL_BUDDIES_NO_FEASIBLE:
		if (counts[best] == 0) { /* nobody else in the request */
			snprintf(msg, sizeof(msg), "there is no other client to pair with");
			break;
		}
		snprintf(msg, sizeof(msg),
			 "no other client passes the hard rules; the rule that excluded the most: %s "
			 "(%zu of %zu)",
			 best < PL_RULE_COUNT ? pl_rule_name((pl_rule)best) : "forbidden", counts[best],
			 m->n - 1);
		break;
	case PL_BUDDIES_BELOW_MIN:
		snprintf(msg, sizeof(msg), "every feasible partner scores below min_score");
		break;
	case PL_BUDDIES_ODD:
		snprintf(msg, sizeof(msg), "odd number of clients to pair and odd = \"unmatched\": this "
			 "client is the one whose absence costs the total least");
		break;
	case PL_BUDDIES_NO_TRIAD:
		snprintf(msg, sizeof(msg), "odd number of clients to pair, and no pair can take this "
			 "client as a third member (hard rules or min_score)");
		break;
	default:
		snprintf(msg, sizeof(msg), "the clients this one may be paired with are all paired with "
			 "others (the most pairs leave none free)");
		break;
	}
	json_object_set_new(e, "client", json_string(cid(m, i)));
	json_object_set_new(e, "reason", json_string(pl_buddies_reason_name(res->reason[i])));
	json_object_set_new(e, "message", json_string(msg));
	json_object_set_new(e, "rules", rules);
	return e;
}

static json_t *build_answer(const bx *m, const pl_buddies_result *res)
{
	json_t *doc = json_object(), *pairs = json_array(), *unmatched = json_array(),
	       *alternatives = json_array(), *summary = json_object();
	double smin = INFINITY, ssum = 0.0;
	size_t scount = 0;
	long t0 = res->triad[0], t1 = res->triad[1], t2 = res->triad[2];

	for (size_t a = 0; a < m->n; a++) {
		long b = res->partner[a];
		json_t *e;
		if (b < (long)a)
			continue;
		e = pair_entry(m, res, a, (size_t)b);
		if ((long)a == t0 || (long)a == t1) {
			json_t *tri = json_object(), *with = json_array();
			char msg[320];
			json_object_set_new(tri, "joined", json_string(cid(m, (size_t)t2)));
			json_array_append_new(with, pair_entry(m, res, (size_t)t2, (size_t)t0));
			json_array_append_new(with, pair_entry(m, res, (size_t)t2, (size_t)t1));
			json_object_set_new(tri, "with", with);
			json_object_set_new(tri, "exact", json_boolean(res->triad_exact));
			snprintf(msg, sizeof(msg),
				 "odd number of clients: '%s' joins the pair ('%s', '%s'), the triad that "
				 "gives the largest total", cid(m, (size_t)t2), cid(m, (size_t)t0),
				 cid(m, (size_t)t1));
			json_object_set_new(tri, "message", json_string(msg));
			json_object_set_new(e, "triad", tri);
			for (int k = 0; k < 2; k++) {
				double s = m->S[(size_t)t2 * m->n + (size_t)(k ? t1 : t0)];
				smin = s < smin ? s : smin;
				ssum += s;
				scount++;
			}
		}
		smin = m->S[a * m->n + (size_t)b] < smin ? m->S[a * m->n + (size_t)b] : smin;
		ssum += m->S[a * m->n + (size_t)b];
		scount++;
		json_array_append_new(pairs, e);
	}
	for (size_t i = 0; i < m->n; i++)
		if (res->partner[i] < 0 && (long)i != t2)
			json_array_append_new(unmatched, unmatched_entry(m, res, i));
	for (size_t i = 0; m->pb.top > 0 && i < m->n; i++) {
		json_t *e, *opts;
		if (res->pinned[i])
			continue;
		e = json_object();
		opts = json_array();
		for (size_t k = 0; k < res->nalt[i]; k++) {
			const pl_buddies_alt *a = &res->alt[i * res->top + k];
			json_t *o = json_object();
			json_object_set_new(o, "partner", json_string(cid(m, a->partner)));
			json_object_set_new(o, "score", json_real(cli_round(a->score, SCALE)));
			if (isnan(a->total_change)) {
				json_object_set_new(o, "total_change", json_null());
				json_object_set_new(o, "matched_change", json_null());
			} else {
				json_object_set_new(o, "total_change",
						    json_real(cli_round(a->total_change, SCALE)));
				json_object_set_new(o, "matched_change", json_integer(a->matched_change));
			}
			json_array_append_new(opts, o);
		}
		json_object_set_new(e, "client", json_string(cid(m, i)));
		json_object_set_new(e, "options", opts);
		json_array_append_new(alternatives, e);
	}
	json_object_set_new(summary, "clients", json_integer((json_int_t)m->n));
	json_object_set_new(summary, "pairs", json_integer((json_int_t)res->pairs));
	json_object_set_new(summary, "matched", json_integer((json_int_t)res->matched));
	json_object_set_new(summary, "unmatched", json_integer((json_int_t)(m->n - res->matched)));
	json_object_set_new(summary, "odd", json_string(m->pb.triad ? "triad" : "unmatched"));
	json_object_set_new(summary, "triad", json_boolean(t2 >= 0));
	json_object_set_new(summary, "total", json_real(cli_round(res->total, SCALE)));
	json_object_set_new(summary, "objective_value", json_real(cli_round(res->objective, SCALE)));
	json_object_set_new(summary, "min_score", scount ? json_real(cli_round(smin, SCALE)) : json_null());
	json_object_set_new(summary, "mean_score",
			    scount ? json_real(cli_round(ssum / (double)scount, SCALE)) : json_null());
	json_object_set_new(doc, "pairs", pairs);
	json_object_set_new(doc, "unmatched", unmatched);
	json_object_set_new(doc, "alternatives", alternatives);
	json_object_set_new(doc, "summary", summary);
	return doc;
}

int cmd_match_buddies(cli_ctx *ctx)
{
	static const char *const keys[] = { "clients", "weights", "constraints", "pinned",
					    "forbidden", "min_score", "odd", "current",
					    "stickiness", "top", NULL };
	json_t *doc = NULL, *answer, *stats;
	bx m;
	pl_buddies_result res = PL_BUDDIES_RESULT_INIT;
	size_t *forb = NULL, nforb = 0;
	double t0, compat_ms = 0, solve_ms = 0;
	pl_status st;
	int rc;

	memset(&m, 0, sizeof(m));
	pl_profiles_init(&m.P);
	{
		pl_buddies_problem z = PL_BUDDIES_PROBLEM_INIT;
		m.pb = z;
	}
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
		st = cli_parse_profiles(doc, "clients", 1, 0, &m.P, &m.ci, &m.n, &ctx->err);
	if (st == PL_OK)
		st = pl_profiles_finalize(&m.P, &ctx->err);
	if (st != PL_OK)
		goto fail;
	m.pos = malloc((m.P.n + 1) * sizeof(long));
	m.S = malloc((m.n * m.n + 1) * sizeof(double));
	if (!m.pos || !m.S) {
		st = nomem(&ctx->err);
		goto fail;
	}
	for (size_t k = 0; k < m.P.n; k++)
		m.pos[k] = -1;
	for (size_t i = 0; i < m.n; i++)
		m.pos[m.ci[i]] = (long)i;
	st = read_pairs(&m, doc, "forbidden", &forb, &nforb, &ctx->err);
	if (st == PL_OK)
		st = read_pairs(&m, doc, "pinned", &m.pinned, &m.npinned, &ctx->err);
	if (st == PL_OK)
		st = read_pairs(&m, doc, "current", &m.current, &m.ncurrent, &ctx->err);
	if (st != PL_OK)
		goto fail;
	ctx->parse_ms += cli_now_ms() - t0;

	t0 = cli_now_ms();
	st = pl_compat_matrix(&m.P, &m.prm, m.ci, m.n, m.ci, m.n, m.S, &ctx->err);
	if (st != PL_OK)
		goto fail;
	/* The GEMM may round s(a, b) and s(b, a) differently in the last bits: use their mean. */
	for (size_t i = 0; i < m.n; i++)
		for (size_t j = i + 1; j < m.n; j++) {
			double a = m.S[i * m.n + j], b = m.S[j * m.n + i];
			double v = isnan(a) || isnan(b) ? NAN : (a + b) / 2.0;
			m.S[i * m.n + j] = m.S[j * m.n + i] = v;
		}
	if (nforb) {
		m.forbidden = calloc(m.n * m.n + 1, 1);
		if (!m.forbidden) {
			st = nomem(&ctx->err);
			goto fail;
		}
		for (size_t k = 0; k < nforb; k++) {
			size_t a = forb[2 * k], b = forb[2 * k + 1];
			m.forbidden[a * m.n + b] = m.forbidden[b * m.n + a] = 1;
			m.S[a * m.n + b] = m.S[b * m.n + a] = NAN;
		}
	}
	compat_ms = cli_now_ms() - t0;
	st = check_pairs(&m, &ctx->err);
	if (st != PL_OK)
		goto fail;

	t0 = cli_now_ms();
	m.pb.n = m.n;
	m.pb.score = m.S;
	m.pb.npinned = m.npinned;
	m.pb.pinned = m.pinned;
	m.pb.ncurrent = m.ncurrent;
	m.pb.current = m.current;
	m.pb.no_alternative_change = m.n > ALT_CHANGE_MAX_CLIENTS;
	st = pl_buddies_solve(&m.pb, &res, &ctx->err);
	if (st != PL_OK)
		goto fail;
	solve_ms = cli_now_ms() - t0;

	answer = build_answer(&m, &res);
	stats = json_object();
	json_object_set_new(stats, "algorithm",
			    json_string("maximum-cardinality maximum-weight matching (Edmonds' blossom, "
					"Galil 1986); triad by exhaustive search or exchange"));
	json_object_set_new(stats, "solves", json_integer((json_int_t)res.solves));
	json_object_set_new(stats, "exact_weights", json_boolean(res.exact_weights));
	json_object_set_new(stats, "alternatives_total_change", json_boolean(!m.pb.no_alternative_change));
	json_object_set_new(stats, "improved_by_alternatives",
			    json_integer((json_int_t)res.improved_by_alternatives));
	json_object_set_new(stats, "parse_ms", json_real(cli_ms(ctx, ctx->parse_ms)));
	json_object_set_new(stats, "compat_ms", json_real(cli_ms(ctx, compat_ms)));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, solve_ms)));
	json_object_set_new(answer, "stats", stats);
	rc = cli_write_output(ctx, answer);
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	json_decref(doc);
	free(forb);
	pl_buddies_result_release(&res);
	bx_release(&m);
	return rc;
}
