/*
 * match_groups.c: `peerlink match groups`: clients into support groups (docs/groups.md).
 *
 * Input  {"clients": [profiles, each also with optional "social_anxiety": bool and
 *         "max_group_size": int], "groups": [{"id", "size": [min, max], "requires": {field:
 *         tags}, "modality", "facilitator", "extra"}] | "group_size": [min, max] + "group_count",
 *         "social_anxiety_max", "size_limit": "final" | "declared", "keep_apart",
 *         "keep_together": [[id, id]], "weights",
 *         "constraints", "seed"}
 * Output {"groups", "unplaced", "summary", "stats"}; scores rounded to 4 decimals.
 *
 * Pairwise scores and hard rules come from compat (the same matrix `peerlink compat` prints for
 * the clients against themselves; NaN pairs may not share a group). A group's requires/modality
 * become per-client eligibility, social anxiety a per-client group-size limit; the partition is
 * pl_groups_solve (engine/match/groups.c), which also gives the upper bound and the gap.
 */
#include "cli.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/compat.h>
#include <peerlink/groups.h>
#include <peerlink/profile.h>

#define SCALE 1e4
#define DEFAULT_ANXIETY_MAX 6

/* Criteria whose shared tags explain a member's place in a group, in reading order. */
static const struct {
	pl_criterion c;
	const char *label;
} explain_fields[] = {
	{ PL_CRIT_EXPERIENCES, "experiences" },  { PL_CRIT_RECOVERY_PATHWAY, "recovery pathway" },
	{ PL_CRIT_LIFE_STAGE, "life stage" },    { PL_CRIT_SUBSTANCES, "substances" },
	{ PL_CRIT_GOALS, "goals" },
};

typedef struct gx {
	pl_profiles P;
	pl_compat_params prm;
	size_t *ci, n;            /* clients' population indexes */
	double *S;                /* n x n compat scores, NaN = may not share a group */
	size_t G;
	size_t *gmin, *gmax;
	unsigned char *elig;      /* n x G */
	size_t *limit;            /* n: 0 none */
	int *anxious;             /* n */
	size_t *apart, napart, *together, ntogether;
	json_t *groups;           /* borrowed from the input document: the explicit groups or NULL */
	unsigned long seed;
} gx;

static void gx_release(gx *m)
{
	pl_profiles_release(&m->P);
	free(m->ci);
	free(m->S);
	free(m->gmin);
	free(m->gmax);
	free(m->elig);
	free(m->limit);
	free(m->anxious);
	free(m->apart);
	free(m->together);
}

static pl_status nomem(pl_error *err)
{
	return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
}

/*
 * "social_anxiety" and "max_group_size" are profile fields that only group formation uses: the
 * shared profile reader checks and ignores them; they are read here into size limits.
 */
static pl_status read_group_fields(gx *m, json_t *doc, pl_error *err)
{
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	json_t *arr = json_object_get(doc, "clients");
	long long amax = DEFAULT_ANXIETY_MAX;
	size_t n;
	pl_status st = pl_json_get_integer(doc, "social_anxiety_max", "", 0, &amax, err);

	if (st != PL_OK)
		return st;
	if (amax < 2 || amax > 1000000)
		return pl_error_set(err, PL_ERR_INVALID, "/social_anxiety_max",
				    "social_anxiety_max must be an integer of at least 2");
	if (!json_is_array(arr))
		return PL_OK; /* the profile reader reports it */
	n = json_array_size(arr);
	m->limit = calloc(n + 1, sizeof(size_t));
	m->anxious = calloc(n + 1, sizeof(int));
	if (!m->limit || !m->anxious)
		return nomem(err);
	for (size_t k = 0; k < n; k++) {
		json_t *c = json_array_get(arr, k);
		long long mg = 0;
		int anx = 0;
		if (!json_is_object(c))
			continue;
		pl_json_ptr_index(p, sizeof(p), "/clients", k);
		st = pl_json_get_bool(c, "social_anxiety", p, 0, &anx, err);
		if (st == PL_OK)
			st = pl_json_get_integer(c, "max_group_size", p, 0, &mg, err);
		if (st != PL_OK)
			return st;
		if (json_object_get(c, "max_group_size") && (mg < 2 || mg > 1000000))
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof(q), p, "max_group_size"),
					    "max_group_size must be an integer of at least 2");
		m->anxious[k] = anx;
		m->limit[k] = (size_t)mg;
		if (anx && (m->limit[k] == 0 || m->limit[k] > (size_t)amax))
			m->limit[k] = (size_t)amax;
	}
	return PL_OK;
}

static pl_status read_size_range(json_t *v, const char *ptr, size_t *lo, size_t *hi, pl_error *err)
{
	char q[PL_POINTER_MAX];
	json_int_t a, b;

	if (!json_is_array(v) || json_array_size(v) != 2)
		return pl_error_set(err, PL_ERR_INVALID, ptr, "a size must be [min, max]");
	for (size_t k = 0; k < 2; k++)
		if (!json_is_integer(json_array_get(v, k)))
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(q, sizeof(q), ptr, k),
					    "a size must hold two integers");
	a = json_integer_value(json_array_get(v, 0));
	b = json_integer_value(json_array_get(v, 1));
	if (a < 1 || a > 1000000)
		return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(q, sizeof(q), ptr, 0),
				    "the minimum size must be a positive integer");
	if (b < a || b > 1000000)
		return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(q, sizeof(q), ptr, 1),
				    "the maximum size must be at least the minimum");
	*lo = (size_t)a;
	*hi = (size_t)b;
	return PL_OK;
}

static int has_tag(const pl_tags *t, int id)
{
	for (size_t k = 0; k < t->n; k++)
		if (t->ids[k] == id)
			return 1;
	return 0;
}

/* Apply one "requires" field to column g of the eligibility matrix. */
static pl_status apply_requirement(gx *m, size_t g, const char *field, json_t *val, const char *ptr,
				   pl_error *err)
{
	char q[PL_POINTER_MAX];
	int crit = pl_criterion_from_name(field);
	size_t G = m->G;

	if (strcmp(field, "age") == 0) {
		double lo, hi;
		if (!json_is_array(val) || json_array_size(val) != 2 ||
		    !json_is_number(json_array_get(val, 0)) || !json_is_number(json_array_get(val, 1)))
			return pl_error_set(err, PL_ERR_INVALID, ptr, "requires.age must be [min, max]");
		lo = json_number_value(json_array_get(val, 0));
		hi = json_number_value(json_array_get(val, 1));
		if (!(lo <= hi))
			return pl_error_set(err, PL_ERR_INVALID, ptr, "requires.age needs min <= max");
		for (size_t i = 0; i < m->n; i++) {
			const pl_profile *pr = &m->P.items[m->ci[i]];
			if (!pr->has_age || pr->age < lo || pr->age > hi)
				m->elig[i * G + g] = 0;
		}
		return PL_OK;
	}
	if (strcmp(field, "gender") != 0 && (crit < 0 || crit >= PL_TAG_CRITERIA))
		return pl_error_set(err, PL_ERR_INVALID, ptr,
				    "requires may name a tag field, \"gender\" or \"age\", not '%s'", field);
	if (json_is_string(val)) {
		json_t *one = json_array();
		pl_status st;
		json_array_append(one, val);
		st = apply_requirement(m, g, field, one, ptr, err);
		json_decref(one);
		return st;
	}
	if (!json_is_array(val) || json_array_size(val) == 0)
		return pl_error_set(err, PL_ERR_INVALID, ptr,
				    "each requirement must be a tag or a non-empty array of tags");
	for (size_t k = 0; k < json_array_size(val); k++)
		if (!json_is_string(json_array_get(val, k)))
			return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(q, sizeof(q), ptr, k),
					    "tags must be strings");
	/* A client qualifies with at least one of the listed tags (any of them). */
	for (size_t i = 0; i < m->n; i++) {
		const pl_profile *pr = &m->P.items[m->ci[i]];
		int ok = 0;
		for (size_t k = 0; k < json_array_size(val) && !ok; k++) {
			const char *tag = json_string_value(json_array_get(val, k));
			if (crit < 0 || crit >= PL_TAG_CRITERIA) {
				int gid = pl_vocab_find(&m->P.genders, tag);
				ok = gid >= 0 && pr->gender == gid;
			} else {
				int tid = pl_vocab_find(&m->P.tags[crit], tag);
				ok = tid >= 0 && has_tag(&pr->tags[crit], tid);
			}
		}
		if (!ok)
			m->elig[i * G + g] = 0;
	}
	return PL_OK;
}

static pl_status read_groups(gx *m, json_t *doc, pl_error *err)
{
	static const char *const gkeys[] = { "id", "size", "requires", "modality", "facilitator",
					     "extra", NULL };
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX], r[PL_POINTER_MAX];
	json_t *groups = NULL, *gsize = NULL;
	long long count = -1;
	pl_status st;

	st = pl_json_get_array(doc, "groups", "", 0, &groups, err);
	if (st == PL_OK)
		st = pl_json_get_array(doc, "group_size", "", 0, &gsize, err);
	if (st != PL_OK)
		return st;
	if (!groups == !gsize)
		return pl_error_set(err, PL_ERR_INVALID, groups ? "/group_size" : "",
				    "give exactly one of 'groups' (a list) or 'group_size' (with "
				    "'group_count')");
	if (groups && json_object_get(doc, "group_count"))
		return pl_error_set(err, PL_ERR_INVALID, "/group_count",
				    "group_count goes with group_size, not with groups");
	if (gsize) {
		size_t lo, hi;
		st = read_size_range(gsize, "/group_size", &lo, &hi, err);
		if (st == PL_OK)
			st = pl_json_get_integer(doc, "group_count", "", 0, &count, err);
		if (st != PL_OK)
			return st;
		if (json_object_get(doc, "group_count") && (count < 1 || count > 1000000))
			return pl_error_set(err, PL_ERR_INVALID, "/group_count",
					    "group_count must be a positive integer");
		if (count < 0) /* the fewest groups that hold everyone */
			count = (long long)((m->n + hi - 1) / hi);
		m->G = (size_t)count;
		m->gmin = malloc((m->G + 1) * sizeof(size_t));
		m->gmax = malloc((m->G + 1) * sizeof(size_t));
		m->elig = malloc(m->n * m->G + 1);
		if (!m->gmin || !m->gmax || !m->elig)
			return nomem(err);
		for (size_t g = 0; g < m->G; g++) {
			m->gmin[g] = lo;
			m->gmax[g] = hi;
		}
		memset(m->elig, 1, m->n * m->G + 1);
		return PL_OK;
	}
	m->groups = groups;
	m->G = json_array_size(groups);
	m->gmin = malloc((m->G + 1) * sizeof(size_t));
	m->gmax = malloc((m->G + 1) * sizeof(size_t));
	m->elig = malloc(m->n * m->G + 1);
	if (!m->gmin || !m->gmax || !m->elig)
		return nomem(err);
	memset(m->elig, 1, m->n * m->G + 1);
	for (size_t g = 0; g < m->G; g++) {
		json_t *grp = json_array_get(groups, g), *req = NULL, *x;
		const char *id = NULL, *mod = NULL, *fac = NULL, *field;
		pl_json_ptr_index(p, sizeof(p), "/groups", g);
		if (!json_is_object(grp))
			return pl_error_set(err, PL_ERR_INVALID, p, "each group must be an object");
		st = pl_json_check_keys(grp, p, gkeys, err);
		if (st == PL_OK)
			st = pl_json_get_string(grp, "id", p, 1, &id, err);
		if (st == PL_OK && !*id)
			st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof(q), p, "id"),
					  "id must be a non-empty string");
		for (size_t h = 0; st == PL_OK && h < g; h++)
			if (strcmp(json_string_value(json_object_get(json_array_get(groups, h), "id")),
				   id) == 0)
				st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof(q), p, "id"),
						  "group id '%s' appears twice", id);
		if (st == PL_OK && !json_object_get(grp, "size"))
			st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof(q), p, "size"),
					  "required field 'size' is missing");
		if (st == PL_OK)
			st = read_size_range(json_object_get(grp, "size"), pl_json_ptr(q, sizeof(q), p, "size"),
					     &m->gmin[g], &m->gmax[g], err);
		if (st == PL_OK)
			st = pl_json_get_string(grp, "facilitator", p, 0, &fac, err);
		if (st == PL_OK)
			st = pl_json_get_object(grp, "extra", p, 0, &x, err);
		if (st == PL_OK)
			st = pl_json_get_string(grp, "modality", p, 0, &mod, err);
		if (st != PL_OK)
			return st;
		if (mod) {
			int tid;
			if (strcmp(mod, "in_person") != 0 && strcmp(mod, "virtual") != 0)
				return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof(q), p, "modality"),
						    "modality must be \"in_person\" or \"virtual\"");
			/* Clients who list modalities must list this one; no list means either. */
			tid = pl_vocab_find(&m->P.tags[PL_CRIT_MODALITIES], mod);
			for (size_t i = 0; i < m->n; i++) {
				const pl_tags *t = &m->P.items[m->ci[i]].tags[PL_CRIT_MODALITIES];
				if (t->n > 0 && (tid < 0 || !has_tag(t, tid)))
					m->elig[i * m->G + g] = 0;
			}
		}
		st = pl_json_get_object(grp, "requires", p, 0, &req, err);
		if (st != PL_OK)
			return st;
		if (!req)
			continue;
		pl_json_ptr(q, sizeof(q), p, "requires");
		json_object_foreach(req, field, x) {
			st = apply_requirement(m, g, field, x, pl_json_ptr(r, sizeof(r), q, field), err);
			if (st != PL_OK)
				return st;
		}
	}
	return PL_OK;
}

/* The client position of a population index (the population holds the clients only). */
static size_t position_of(const gx *m, size_t pop)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->ci[i] == pop)
			return i;
	return 0; /* not reached: every population member is a client */
}

/*
 * "size_limit": how a client's group-size limit is read. "final" (default): the group the client
 * joins must end with at most that many members. "declared": the group's maximum size must be
 * within the limit, so the group stays small even if members are added later.
 */
static pl_status read_size_limit_rule(json_t *doc, int *declared, pl_error *err)
{
	const char *rule = "final";
	pl_status st = pl_json_get_string(doc, "size_limit", "", 0, &rule, err);

	if (st != PL_OK)
		return st;
	if (strcmp(rule, "final") != 0 && strcmp(rule, "declared") != 0)
		return pl_error_set(err, PL_ERR_INVALID, "/size_limit",
				    "size_limit must be \"final\" or \"declared\"");
	*declared = strcmp(rule, "declared") == 0;
	return PL_OK;
}

/* [[id, id], ...] at doc[key] into client positions. */
static pl_status read_id_pairs(gx *m, json_t *doc, const char *key, size_t **pairs, size_t *npairs,
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
			who[s] = pl_profiles_find(&m->P, json_string_value(json_array_get(e, s)));
			if (who[s] < 0)
				return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(r, sizeof(r), q, s),
						    "names no client of this request");
		}
		if (who[0] == who[1])
			return pl_error_set(err, PL_ERR_INVALID, q, "a pair needs two different clients");
		(*pairs)[2 * k] = position_of(m, (size_t)who[0]);
		(*pairs)[2 * k + 1] = position_of(m, (size_t)who[1]);
		(*npairs)++;
	}
	return PL_OK;
}

static const char *reason_message(int reason)
{
	switch (reason) {
	case PL_GROUPS_NO_ELIGIBLE_GROUP:
		return "no group admits this client (its requires or modality)";
	case PL_GROUPS_SIZE_LIMIT:
		return "no group this client may join is small enough for the client's group-size "
		       "limit (its minimum size, or with size_limit \"declared\" its maximum, is "
		       "above the limit)";
	case PL_GROUPS_TOGETHER_TOO_BIG:
		return "this client's keep_together set fits no group it may join";
	case PL_GROUPS_CONFLICT:
		return "every group this client may join holds someone the client may not share a "
		       "group with (hard rules, exclude, partner, keep_apart)";
	case PL_GROUPS_NO_ROOM:
		return "every group this client may join is full (or at a member's size limit)";
	case PL_GROUPS_NOT_FORMED:
		return "the groups this client may join could not be formed";
	}
	return "not placed";
}

static void appendf(char *buf, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static void appendf(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;
	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* A member's reason: tags shared with the other members (with how many), and mean score. */
static json_t *member_entry(const gx *m, const long *members, size_t k, size_t self)
{
	size_t i = (size_t)members[self];
	const pl_profile *pi = &m->P.items[m->ci[i]];
	json_t *e = json_object(), *shared = json_object();
	char text[1024] = "";
	double sum = 0.0;
	size_t cnt = 0;

	for (size_t a = 0; a < k; a++)
		if (a != self && !isnan(m->S[i * m->n + (size_t)members[a]])) {
			sum += m->S[i * m->n + (size_t)members[a]];
			cnt++;
		}
	for (size_t f = 0; f < sizeof(explain_fields) / sizeof(explain_fields[0]); f++) {
		pl_criterion c = explain_fields[f].c;
		const pl_tags *ti = &pi->tags[c];
		json_t *tags = json_object();
		size_t nt = 0;
		/* tags in order of how many others share them, then by name */
		size_t *with = calloc(ti->n + 1, sizeof(size_t)), *ord = malloc((ti->n + 1) * sizeof(size_t));
		if (!with || !ord) {
			free(with);
			free(ord);
			json_decref(tags);
			continue;
		}
		for (size_t t = 0; t < ti->n; t++) {
			ord[t] = t;
			for (size_t a = 0; a < k; a++)
				if (a != self && has_tag(&m->P.items[m->ci[members[a]]].tags[c], ti->ids[t]))
					with[t]++;
		}
		for (size_t x = 1; x < ti->n; x++) /* insertion sort: few tags */
			for (size_t y = x; y > 0; y--) {
				size_t a = ord[y - 1], b = ord[y];
				int less = with[b] > with[a] ||
					   (with[b] == with[a] && strcmp(m->P.tags[c].names[ti->ids[b]],
									 m->P.tags[c].names[ti->ids[a]]) < 0);
				if (!less)
					break;
				ord[y - 1] = b;
				ord[y] = a;
			}
		for (size_t x = 0; x < ti->n; x++) {
			size_t t = ord[x];
			const char *name = m->P.tags[c].names[ti->ids[t]];
			if (!with[t])
				continue;
			json_object_set_new(tags, name, json_integer((json_int_t)with[t]));
			if (nt == 0)
				appendf(text, sizeof(text), "%s%s: ", text[0] ? "; " : "",
					explain_fields[f].label);
			else
				appendf(text, sizeof(text), ", ");
			appendf(text, sizeof(text), "%s (%zu)", name, with[t]);
			nt++;
		}
		if (nt)
			json_object_set_new(shared, pl_criterion_name(c), tags);
		else
			json_decref(tags);
		free(with);
		free(ord);
	}
	json_object_set_new(e, "id", json_string(pi->id));
	json_object_set_new(e, "mean_score",
			    cnt ? json_real(cli_round(sum / (double)cnt, SCALE)) : json_null());
	if (m->anxious && m->anxious[i])
		json_object_set_new(e, "social_anxiety", json_true());
	json_object_set_new(e, "shared", shared);
	json_object_set_new(e, "summary",
			    json_string(text[0] ? text : "no tags shared with the other members"));
	return e;
}

/* For an unplaced client: how many others it may share a group with, and how many each hard rule
 * (and keep_apart) excludes, so a coordinator sees why (e.g. a gender preference that leaves few
 * possible group mates). */
static void add_conflict_counts(const gx *m, size_t i, json_t *e)
{
	size_t counts[PL_RULE_COUNT + 1] = { 0 }, ok = 0;
	json_t *rules = json_object();

	for (size_t j = 0; j < m->n; j++) {
		unsigned f;
		int apart = 0;
		if (j == i)
			continue;
		f = pl_compat_rules_failed(&m->P, &m->prm, m->ci[i], m->ci[j]);
		for (int r = 0; r < PL_RULE_COUNT; r++)
			if (f & PL_RULE_BIT(r))
				counts[r]++;
		for (size_t k = 0; k < m->napart; k++)
			if ((m->apart[2 * k] == i && m->apart[2 * k + 1] == j) ||
			    (m->apart[2 * k] == j && m->apart[2 * k + 1] == i))
				apart = 1;
		counts[PL_RULE_COUNT] += (size_t)apart;
		if (!isnan(m->S[i * m->n + j]) && !apart)
			ok++;
	}
	for (size_t r = 0; r <= PL_RULE_COUNT; r++)
		if (counts[r])
			json_object_set_new(rules, r < PL_RULE_COUNT ? pl_rule_name((pl_rule)r) : "keep_apart",
					    json_integer((json_int_t)counts[r]));
	json_object_set_new(e, "compatible_clients", json_integer((json_int_t)ok));
	json_object_set_new(e, "rules", rules);
}

static json_t *build_answer(const gx *m, const pl_groups_result *res)
{
	json_t *doc = json_object(), *groups = json_array(), *unplaced = json_array(),
	       *summary = json_object();
	long *members = malloc((m->n + 1) * sizeof(long));
	size_t formed = 0;
	double coh_sum = 0.0;
	size_t coh_n = 0;

	if (!members) {
		json_decref(doc);
		json_decref(groups);
		json_decref(unplaced);
		json_decref(summary);
		return NULL;
	}

	for (size_t g = 0; g < m->G; g++) {
		json_t *e = json_object(), *arr = json_array(), *size = json_array();
		size_t k = 0;
		for (size_t i = 0; i < m->n; i++)
			if (res->group_of[i] == (long)g)
				members[k++] = (long)i;
		if (m->groups) {
			json_t *grp = json_array_get(m->groups, g), *v;
			json_object_set(e, "id", json_object_get(grp, "id"));
			if ((v = json_object_get(grp, "modality")) != NULL)
				json_object_set(e, "modality", v);
			if ((v = json_object_get(grp, "facilitator")) != NULL)
				json_object_set(e, "facilitator", v);
		} else {
			json_object_set_new(e, "index", json_integer((json_int_t)g));
		}
		json_object_set_new(e, "status",
				    json_string(pl_groups_group_status_name(res->group_status[g])));
		json_array_append_new(size, json_integer((json_int_t)m->gmin[g]));
		json_array_append_new(size, json_integer((json_int_t)m->gmax[g]));
		json_object_set_new(e, "size_range", size);
		json_object_set_new(e, "size", json_integer((json_int_t)k));
		for (size_t a = 0; a < k; a++)
			json_array_append_new(arr, member_entry(m, members, k, a));
		json_object_set_new(e, "members", arr);
		json_object_set_new(e, "score", json_real(cli_round(res->group_score[g], SCALE)));
		if (k >= 2) {
			double coh = res->group_score[g] / ((double)k * (double)(k - 1) / 2.0);
			json_object_set_new(e, "cohesion", json_real(cli_round(coh, SCALE)));
			coh_sum += coh;
			coh_n++;
		} else {
			json_object_set_new(e, "cohesion", json_null());
		}
		if (res->group_status[g] == PL_GROUPS_FORMED)
			formed++;
		else
			json_object_set_new(
				e, "message",
				json_string(res->group_status[g] == PL_GROUPS_TOO_FEW_ELIGIBLE
						    ? "fewer clients may join this group than its minimum size"
						    : "not enough clients were left to reach its minimum size "
						      "once the other groups were filled"));
		json_array_append_new(groups, e);
	}
	for (size_t i = 0; i < m->n; i++) {
		json_t *e;
		if (res->group_of[i] >= 0)
			continue;
		e = json_object();
		json_object_set_new(e, "id", json_string(m->P.items[m->ci[i]].id));
		json_object_set_new(e, "reason", json_string(pl_groups_reason_name(res->reason[i])));
		json_object_set_new(e, "message", json_string(reason_message(res->reason[i])));
		add_conflict_counts(m, i, e);
		json_array_append_new(unplaced, e);
	}
	json_object_set_new(summary, "clients", json_integer((json_int_t)m->n));
	json_object_set_new(summary, "placed", json_integer((json_int_t)res->placed));
	json_object_set_new(summary, "unplaced", json_integer((json_int_t)(m->n - res->placed)));
	json_object_set_new(summary, "groups", json_integer((json_int_t)m->G));
	json_object_set_new(summary, "groups_formed", json_integer((json_int_t)formed));
	json_object_set_new(summary, "objective", json_real(cli_round(res->objective, SCALE)));
	json_object_set_new(summary, "upper_bound", json_real(cli_round(res->upper_bound, SCALE)));
	json_object_set_new(summary, "gap", json_real(cli_round(res->gap, SCALE)));
	json_object_set_new(summary, "optimal", json_boolean(res->optimal));
	json_object_set_new(summary, "mean_cohesion",
			    coh_n ? json_real(cli_round(coh_sum / (double)coh_n, SCALE)) : json_null());
	json_object_set_new(doc, "groups", groups);
	json_object_set_new(doc, "unplaced", unplaced);
	json_object_set_new(doc, "summary", summary);
	free(members);
	return doc;
}

int cmd_match_groups(cli_ctx *ctx)
{
	static const char *const keys[] = { "clients", "groups", "group_size", "group_count",
					    "social_anxiety_max", "size_limit", "keep_apart", "keep_together",
					    "weights", "constraints", "seed", NULL };
	json_t *doc = NULL, *answer, *stats;
	gx m;
	pl_groups_problem pb = PL_GROUPS_PROBLEM_INIT;
	pl_groups_result res = PL_GROUPS_RESULT_INIT;
	double t0, compat_ms = 0, solve_ms = 0;
	long long seed = 0;
	pl_status st;
	int rc, limit_declared = 0;

	memset(&m, 0, sizeof(m));
	pl_profiles_init(&m.P);
	rc = cli_read_input(ctx, &doc);
	if (rc != CLI_EXIT_OK)
		return rc;
	t0 = cli_now_ms();
	st = pl_json_check_keys(doc, "", keys, &ctx->err);
	if (st == PL_OK)
		st = pl_json_get_integer(doc, "seed", "", 0, &seed, &ctx->err);
	if (st == PL_OK && seed < 0)
		st = pl_error_set(&ctx->err, PL_ERR_INVALID, "/seed", "seed must be a non-negative integer");
	if (st == PL_OK)
		st = read_group_fields(&m, doc, &ctx->err);
	if (st == PL_OK)
		st = cli_parse_compat_params(doc, &m.prm, &ctx->err);
	if (st == PL_OK)
		st = cli_parse_profiles(doc, "clients", 1, 0, &m.P, &m.ci, &m.n, &ctx->err);
	if (st == PL_OK)
		st = pl_profiles_finalize(&m.P, &ctx->err);
	if (st == PL_OK)
		st = read_groups(&m, doc, &ctx->err);
	if (st == PL_OK)
		st = read_size_limit_rule(doc, &limit_declared, &ctx->err);
	if (st == PL_OK)
		st = read_id_pairs(&m, doc, "keep_apart", &m.apart, &m.napart, &ctx->err);
	if (st == PL_OK)
		st = read_id_pairs(&m, doc, "keep_together", &m.together, &m.ntogether, &ctx->err);
	if (st != PL_OK)
		goto fail;
	/* The input's "seed" wins over --seed (as in every peerlink command). */
	m.seed = json_object_get(doc, "seed") ? (unsigned long)seed
					      : ctx->have_seed ? ctx->seed : 0;
	m.S = malloc((m.n * m.n + 1) * sizeof(double));
	if (!m.S) {
		st = nomem(&ctx->err);
		goto fail;
	}
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
	compat_ms = cli_now_ms() - t0;

	t0 = cli_now_ms();
	pb.n = m.n;
	pb.score = m.S;
	pb.ngroups = m.G;
	pb.min_size = m.gmin;
	pb.max_size = m.gmax;
	pb.eligible = m.elig;
	pb.client_max = m.limit;
	pb.limit_on_max = limit_declared;
	pb.napart = m.napart;
	pb.apart = m.apart;
	pb.ntogether = m.ntogether;
	pb.together = m.together;
	pb.seed = m.seed;
	st = pl_groups_solve(&pb, &res, &ctx->err);
	if (st != PL_OK)
		goto fail;
	solve_ms = cli_now_ms() - t0;

	answer = build_answer(&m, &res);
	if (!answer) {
		st = nomem(&ctx->err);
		goto fail;
	}
	stats = json_object();
	json_object_set_new(stats, "algorithm",
			    json_string("greedy construction + simulated annealing (relocate/swap, soft "
					"minimum sizes) + local search descent; Lagrangian upper bound"));
	json_object_set_new(stats, "seed", json_integer((json_int_t)m.seed));
	json_object_set_new(stats, "restarts", json_integer((json_int_t)res.restarts));
	json_object_set_new(stats, "steps", json_integer((json_int_t)res.steps));
	json_object_set_new(stats, "best_restart", json_integer((json_int_t)res.best_restart));
	json_object_set_new(stats, "bound", json_string(res.bound_method));
	json_object_set_new(stats, "simple_bound", json_real(cli_round(res.simple_bound, SCALE)));
	json_object_set_new(stats, "bound_iterations", json_integer((json_int_t)res.bound_iterations));
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
	pl_groups_result_release(&res);
	gx_release(&m);
	return rc;
}
