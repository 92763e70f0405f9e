/*
 * groups.c: the JSON layer of `match groups`: the request into a pl_groups_program and the
 * answer back (docs/groups.md describes every field).
 *
 * Input  {"clients": [profiles, each also with optional "social_anxiety": bool and
 *         "max_group_size": int], "groups": [{"id", "size": [min, max], "requires": {field:
 *         tags}, "modality", "facilitator", "extra"}] | "group_size": [min, max] + "group_count",
 *         "social_anxiety_max", "size_limit": "final" | "declared", "keep_apart",
 *         "keep_together": [[id, id]], "weights", "constraints", "seed"}
 * Output {"groups", "unplaced", "summary"}; scores rounded to 4 decimals.
 *
 * The rules a group's requires/modality and a client's social anxiety stand for are the core's
 * (engine/match/program.c); this file checks the document's shape and hands them over.
 */
#define _POSIX_C_SOURCE 200809L
#include "match_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCALE PL_JSON_MATCH_SCALE

static pl_status nomem(pl_error *err)
{
	return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
}

static int has_tag(const pl_tags *t, int id)
{
	for (size_t k = 0; k < t->n; k++)
		if (t->ids[k] == id)
			return 1;
	return 0;
}

/* One client's "social_anxiety" and "max_group_size" into its group-size limit. */
static pl_status read_client_limit(pl_groups_program *m, json_t *c, size_t k, size_t amax,
				   pl_error *err)
{
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	long long mg = 0;
	int anx = 0;
	pl_status st;

	pl_json_ptr_index(p, sizeof(p), "/clients", k);
	st = pl_json_get_bool(c, "social_anxiety", p, 0, &anx, err);
	if (st == PL_OK)
		st = pl_json_get_integer(c, "max_group_size", p, 0, &mg, err);
	if (st != PL_OK)
		return st;
	if (json_object_get(c, "max_group_size") && (mg < 2 || mg > PL_GROUPS_SIZE_MAX))
		return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof(q), p, "max_group_size"),
				    "max_group_size must be an integer of at least 2");
	m->anxious[k] = anx;
	m->client_max[k] = pl_groups_client_limit(anx, (size_t)mg, amax);
	return PL_OK;
}

/*
 * "social_anxiety" and "max_group_size" are profile fields that only group formation uses: the
 * shared profile reader checks and ignores them; they are read here into size limits (before
 * the profiles, so that their errors come first, as they always have).
 */
static pl_status read_group_fields(pl_groups_program *m, json_t *doc, pl_error *err)
{
	json_t *arr = json_object_get(doc, "clients");
	long long amax = PL_GROUPS_ANXIETY_MAX_DEFAULT;
	size_t n;
	pl_status st = pl_json_get_integer(doc, "social_anxiety_max", "", 0, &amax, err);

	if (st != PL_OK)
		return st;
	if (amax < 2 || amax > PL_GROUPS_SIZE_MAX)
		return pl_error_set(err, PL_ERR_INVALID, "/social_anxiety_max",
				    "social_anxiety_max must be an integer of at least 2");
	if (!json_is_array(arr))
		return PL_OK; /* the profile reader reports it */
	n = json_array_size(arr);
	m->client_max = calloc(n + 1, sizeof(size_t));
	m->anxious = calloc(n + 1, sizeof(int));
	if (!m->client_max || !m->anxious)
		return nomem(err);
	for (size_t k = 0; k < n; k++) {
		json_t *c = json_array_get(arr, k);
		if (!json_is_object(c))
			continue;
		st = read_client_limit(m, c, k, (size_t)amax, err);
		if (st != PL_OK)
			return st;
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
	if (a < 1 || a > PL_GROUPS_SIZE_MAX)
		return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(q, sizeof(q), ptr, 0),
				    "the minimum size must be a positive integer");
	if (b < a || b > PL_GROUPS_SIZE_MAX)
		return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr_index(q, sizeof(q), ptr, 1),
				    "the maximum size must be at least the minimum");
	*lo = (size_t)a;
	*hi = (size_t)b;
	return PL_OK;
}

/* requires.age: [min, max] with min <= max. */
static pl_status read_age_requirement(json_t *val, const char *ptr, pl_group_requirement *req,
				      pl_error *err)
{
	if (!json_is_array(val) || json_array_size(val) != 2 ||
	    !json_is_number(json_array_get(val, 0)) || !json_is_number(json_array_get(val, 1)))
		return pl_error_set(err, PL_ERR_INVALID, ptr, "requires.age must be [min, max]");
	req->age_lo = json_number_value(json_array_get(val, 0));
	req->age_hi = json_number_value(json_array_get(val, 1));
	if (!(req->age_lo <= req->age_hi))
		return pl_error_set(err, PL_ERR_INVALID, ptr, "requires.age needs min <= max");
	return PL_OK;
}

/*
 * A tag that a group definition names (requires.<field>, requires.gender, language, modality,
 * needs.language, needs.slot) against the program's vocabulary, when it has one for that field:
 * a typo would otherwise make the group quietly unformable (issue 13). The message names the
 * field, never the tag. vf is a tag criterion or PL_VOCAB_GENDER.
 */
static pl_status check_vocabulary(const pl_groups_program *m, int vf, const char *what,
				  const char *tag, const char *ptr, pl_error *err)
{
	const char *field = vf == PL_VOCAB_GENDER ? "gender" : pl_criterion_name((pl_criterion)vf);

	if (pl_profiles_allowed(&m->P, vf, tag))
		return PL_OK;
	return pl_error_set(err, PL_ERR_INVALID, ptr,
			    "%s names a %s that is not in the program's vocabulary (/vocabulary/%s)",
			    what, vf == PL_VOCAB_GENDER ? "gender" : "tag", field);
}

/* One "requires" field of group g: checked here, applied by the core. */
static pl_status apply_requirement(pl_groups_program *m, size_t g, const char *field, json_t *val,
				   const char *ptr, pl_error *err)
{
	char q[PL_POINTER_MAX], what[PL_POINTER_MAX + 16];
	pl_group_requirement req = { pl_group_field_from_name(field), NULL, 0, 0.0, 0.0 };
	const char **tags;
	size_t n;
	int vf;
	pl_status st;

	if (req.field == PL_GROUP_FIELD_AGE) {
		st = read_age_requirement(val, ptr, &req, err);
		if (st == PL_OK)
			pl_groups_program_require(m, g, &req);
		return st;
	}
	if (req.field < 0)
		return pl_error_set(err, PL_ERR_INVALID, ptr,
				    "requires may name a tag field, \"gender\" or \"age\", not '%s'", field);
	snprintf(what, sizeof(what), "requires.%s", field);
	vf = req.field == PL_GROUP_FIELD_GENDER ? PL_VOCAB_GENDER : req.field;
	if (json_is_string(val)) { /* one tag */
		const char *one = json_string_value(val);
		st = check_vocabulary(m, vf, what, one, ptr, err);
		if (st != PL_OK)
			return st;
		req.tags = &one;
		req.ntags = 1;
		pl_groups_program_require(m, g, &req);
		return PL_OK;
	}
	n = json_array_size(val);
	if (!json_is_array(val) || n == 0)
		return pl_error_set(err, PL_ERR_INVALID, ptr,
				    "each requirement must be a tag or a non-empty array of tags");
	for (size_t k = 0; k < n; k++) {
		json_t *t = json_array_get(val, k);
		pl_json_ptr_index(q, sizeof(q), ptr, k);
		if (!json_is_string(t))
			return pl_error_set(err, PL_ERR_INVALID, q, "tags must be strings");
		st = check_vocabulary(m, vf, what, json_string_value(t), q, err);
		if (st != PL_OK)
			return st;
	}
	tags = malloc(n * sizeof(*tags));
	if (!tags)
		return nomem(err);
	for (size_t k = 0; k < n; k++)
		tags[k] = json_string_value(json_array_get(val, k));
	req.tags = tags;
	req.ntags = n;
	pl_groups_program_require(m, g, &req);
	free(tags);
	return PL_OK;
}

/* "group_size": [min, max] with an optional "group_count" (default: the fewest groups that
 * hold everyone). */
static pl_status read_count_form(pl_groups_program *m, json_t *doc, json_t *gsize, pl_error *err)
{
	long long count = -1;
	size_t lo, hi;
	pl_status st = read_size_range(gsize, "/group_size", &lo, &hi, err);

	if (st == PL_OK)
		st = pl_json_get_integer(doc, "group_count", "", 0, &count, err);
	if (st != PL_OK)
		return st;
	if (json_object_get(doc, "group_count") && (count < 1 || count > PL_GROUPS_SIZE_MAX))
		return pl_error_set(err, PL_ERR_INVALID, "/group_count",
				    "group_count must be a positive integer");
	/* More groups than clients could never all be formed, and the work and the answer grow
	 * with clients x groups: a few bytes must not ask for millions of empty groups. */
	if (count > 0 && (size_t)count > (m->n > 0 ? m->n : 1))
		return pl_error_set(err, PL_ERR_INVALID, "/group_count",
				    "group_count must be at most the number of clients");
	if (count < 0)
		count = (long long)pl_groups_default_count(m->n, hi);
	st = pl_groups_program_set_groups(m, (size_t)count, 0, err);
	if (st == PL_ERR_INVALID)
		snprintf(err->pointer, sizeof(err->pointer), "%s",
			 json_object_get(doc, "group_count") ? "/group_count" : "/group_size");
	if (st != PL_OK)
		return st;
	for (size_t g = 0; g < m->ngroups; g++) {
		m->min_size[g] = lo;
		m->max_size[g] = hi;
	}
	return PL_OK;
}

static pl_status copy_string(char **dst, const char *s, pl_error *err)
{
	if (s && !(*dst = strdup(s)))
		return nomem(err);
	return PL_OK;
}

/* A group's needs.language and needs.slot against the vocabulary's languages and availability
 * (the staffing reader, engine/json/facilitators.c, checks their shape and the rest). */
static pl_status check_needs_vocabulary(const pl_groups_program *m, json_t *needs, const char *p,
					pl_error *err)
{
	static const struct { const char *key; int field; } named[] = {
		{ "language", PL_CRIT_LANGUAGES }, { "slot", PL_CRIT_AVAILABILITY },
	};
	char q[PL_POINTER_MAX], r[PL_POINTER_MAX], what[32];

	for (size_t k = 0; json_is_object(needs) && k < sizeof(named) / sizeof(named[0]); k++) {
		json_t *v = json_object_get(needs, named[k].key);
		pl_status st;
		if (!json_is_string(v))
			continue;
		snprintf(what, sizeof(what), "needs.%s", named[k].key);
		pl_json_ptr(q, sizeof(q), p, "needs");
		st = check_vocabulary(m, named[k].field, what, json_string_value(v),
				      pl_json_ptr(r, sizeof(r), q, named[k].key), err);
		if (st != PL_OK)
			return st;
	}
	return PL_OK;
}

/* id (unique, non-empty), size, facilitator, extra, modality. */
static pl_status read_group_header(pl_groups_program *m, json_t *grp, size_t g, const char *p,
				   pl_error *err)
{
	static const char *const gkeys[] = { "id", "size", "requires", "modality", "facilitator",
					     "extra", "needs", "required", "language", NULL };
	char q[PL_POINTER_MAX];
	const char *id = NULL, *mod = NULL, *fac = NULL, *lang = NULL;
	int required = 0;
	json_t *x;
	pl_status st;

	if (!json_is_object(grp))
		return pl_error_set(err, PL_ERR_INVALID, p, "each group must be an object");
	st = pl_json_check_keys(grp, p, gkeys, err);
	if (st == PL_OK)
		st = pl_json_get_string(grp, "id", p, 1, &id, err);
	if (st == PL_OK && !*id)
		st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof(q), p, "id"),
				  "id must be a non-empty string");
	for (size_t h = 0; st == PL_OK && h < g; h++)
		if (strcmp(m->group_id[h], id) == 0)
			st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof(q), p, "id"),
					  "group id '%s' appears twice", id);
	if (st == PL_OK && !json_object_get(grp, "size"))
		st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof(q), p, "size"),
				  "required field 'size' is missing");
	if (st == PL_OK)
		st = read_size_range(json_object_get(grp, "size"), pl_json_ptr(q, sizeof(q), p, "size"),
				     &m->min_size[g], &m->max_size[g], err);
	if (st == PL_OK)
		st = pl_json_get_string(grp, "facilitator", p, 0, &fac, err);
	if (st == PL_OK)
		st = pl_json_get_object(grp, "extra", p, 0, &x, err);
	if (st == PL_OK)
		st = pl_json_get_string(grp, "modality", p, 0, &mod, err);
	if (st == PL_OK && mod && strcmp(mod, "in_person") != 0 && strcmp(mod, "virtual") != 0)
		st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof(q), p, "modality"),
				  "modality must be \"in_person\" or \"virtual\"");
	if (st == PL_OK)
		st = copy_string(&m->group_id[g], id, err);
	if (st == PL_OK)
		st = copy_string(&m->group_modality[g], mod, err);
	if (st == PL_OK)
		st = copy_string(&m->group_facilitator[g], fac, err);
	if (st == PL_OK)
		st = pl_json_get_bool(grp, "required", p, 0, &required, err);
	if (st == PL_OK && required)
		st = pl_groups_program_set_required(m, g, err);
	if (st == PL_OK)
		st = pl_json_get_string(grp, "language", p, 0, &lang, err);
	if (st == PL_OK && lang && !*lang)
		st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof(q), p, "language"),
				  "language must be a non-empty string");
	if (st == PL_OK && lang)
		st = check_vocabulary(m, PL_CRIT_LANGUAGES, "language", lang,
				      pl_json_ptr(q, sizeof(q), p, "language"), err);
	if (st == PL_OK && mod)
		st = check_vocabulary(m, PL_CRIT_MODALITIES, "modality", mod,
				      pl_json_ptr(q, sizeof(q), p, "modality"), err);
	if (st == PL_OK)
		st = check_needs_vocabulary(m, json_object_get(grp, "needs"), p, err);
	if (st == PL_OK)
		st = copy_string(&m->group_language[g], lang, err);
	if (st == PL_OK && mod)
		pl_groups_program_modality(m, g, mod);
	if (st == PL_OK && lang)
		pl_groups_program_language(m, g, lang);
	return st;
}

static pl_status read_group(pl_groups_program *m, json_t *grp, size_t g, pl_error *err)
{
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX], r[PL_POINTER_MAX];
	json_t *req = NULL, *x;
	const char *field;
	pl_status st;

	pl_json_ptr_index(p, sizeof(p), "/groups", g);
	st = read_group_header(m, grp, g, p, err);
	if (st == PL_OK)
		st = pl_json_get_object(grp, "requires", p, 0, &req, err);
	if (st != PL_OK || !req)
		return st;
	pl_json_ptr(q, sizeof(q), p, "requires");
	json_object_foreach(req, field, x) {
		st = apply_requirement(m, g, field, x, pl_json_ptr(r, sizeof(r), q, field), err);
		if (st != PL_OK)
			return st;
	}
	return PL_OK;
}

/* Exactly one of "groups" (named groups with their rules) or "group_size" (+ "group_count"). */
static pl_status read_groups(pl_groups_program *m, json_t *doc, pl_error *err)
{
	json_t *groups = NULL, *gsize = NULL;
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
	if (gsize)
		return read_count_form(m, doc, gsize, err);
	st = pl_groups_program_set_groups(m, json_array_size(groups), 1, err);
	if (st == PL_ERR_INVALID)
		snprintf(err->pointer, sizeof(err->pointer), "/groups");
	for (size_t g = 0; st == PL_OK && g < m->ngroups; g++)
		st = read_group(m, json_array_get(groups, g), g, err);
	return st;
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

/* "keep_apart" and "keep_together": [[client id, client id], ...]. */
static pl_status read_pair_lists(pl_groups_program *m, json_t *doc, pl_error *err)
{
	long *pos = pl_program_positions(&m->P, m->client, m->n);
	pl_status st;

	if (!pos)
		return nomem(err);
	st = pl_json_read_client_pairs(doc, "keep_apart", &m->P, pos, &m->apart, &m->napart, err);
	if (st == PL_OK)
		st = pl_json_read_client_pairs(doc, "keep_together", &m->P, pos, &m->together,
					       &m->ntogether, err);
	free(pos);
	return st;
}

/* A required group whose own rules leave fewer clients than its minimum: exit 4 with the
 * pointer of the rule that did it (/groups/g/requires/gender, /groups/g/modality, ...). */
static pl_status check_required_rules(const pl_groups_program *m, pl_error *err)
{
	const pl_group_gate *gate = NULL;
	size_t g = 0;
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	pl_status st = pl_groups_program_check_required(m, &g, &gate, err);

	if (st != PL_ERR_INFEASIBLE || !gate)
		return st;
	pl_json_ptr_index(p, sizeof(p), "/groups", g);
	if (pl_group_gate_is_requirement(gate->field)) {
		pl_json_ptr(q, sizeof(q), p, "requires");
		pl_json_ptr(err->pointer, sizeof(err->pointer), q, pl_group_gate_name(gate->field));
	} else {
		pl_json_ptr(err->pointer, sizeof(err->pointer), p, pl_group_gate_name(gate->field));
	}
	return st;
}

pl_status pl_json_read_groups_program(json_t *doc, pl_groups_program *m, pl_error *err)
{
	static const char *const keys[] = { "clients", "groups", "group_size", "group_count",
					    "social_anxiety_max", "size_limit", "keep_apart", "keep_together",
					    "weights", "constraints", "seed", "facilitators", "as_of", "current",
					    "rematch",
					    "vocabulary", NULL };
	pl_json_profile_list clients = { "clients", 1, 0, &m->client, &m->n };
	long long seed = 0;
	pl_status st;

	pl_groups_program_init(m);
	st = pl_json_check_program_keys(doc, keys, err);
	if (st == PL_OK)
		st = pl_json_get_integer(doc, "seed", "", 0, &seed, err);
	if (st == PL_OK && seed < 0)
		st = pl_error_set(err, PL_ERR_INVALID, "/seed", "seed must be a non-negative integer");
	if (st == PL_OK)
		st = read_group_fields(m, doc, err);
	if (st == PL_OK)
		st = pl_json_read_population(doc, &m->prm, &m->P, &clients, 1, err);
	if (st == PL_OK) /* who is served first is decided by mentor seats only */
		st = pl_json_reject_profile_field(doc, "clients", "priority", "match groups", err);
	if (st == PL_OK)
		st = read_groups(m, doc, err);
	if (st == PL_OK)
		st = read_size_limit_rule(doc, &m->limit_on_max, err);
	if (st == PL_OK)
		st = read_pair_lists(m, doc, err);
	if (st == PL_OK && json_object_get(doc, "seed")) {
		m->has_seed = 1;
		m->seed = (unsigned long)seed;
	}
	if (st == PL_OK)
		st = check_required_rules(m, err);
	return st;
}


/* Criteria whose shared tags explain a member's place in a group, in reading order. */
static const struct {
	pl_criterion c;
	const char *label;
} explain_fields[] = {
	{ PL_CRIT_EXPERIENCES, "experiences" },  { PL_CRIT_RECOVERY_PATHWAY, "recovery pathway" },
	{ PL_CRIT_LIFE_STAGE, "life stage" },    { PL_CRIT_SUBSTANCES, "substances" },
	{ PL_CRIT_GOALS, "goals" },
};

static const char *reason_message(int reason)
{
	switch (reason) {
	case PL_GROUPS_NO_ELIGIBLE_GROUP:
		return "no group admits this client (its requires, modality or language)";
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

/* The rules named in a message: "the language rule", "keep_apart". */
static void rule_words(char *buf, size_t size, unsigned r)
{
	if (r == PL_RULE_COUNT)
		appendf(buf, size, "keep_apart");
	else
		appendf(buf, size, "the %s rule", pl_json_rule_slot(r, "keep_apart"));
}

/*
 * The solver proved that no set of a required group's minimum size among the clients who may join
 * it is free of conflicts, and said so with the generic list "(hard rules, exclude, partners,
 * keep_apart)". Name the rules instead (issue 13): the ones that, ignored alone, would let enough
 * clients share the group; else every rule that keeps some of their pairs apart, which then block
 * it together. keep_together sets are not modelled here: when they are what blocks, the message
 * stays as the solver wrote it.
 */
static void name_clique_rules(const pl_groups_program *m, size_t g, pl_error *err)
{
	static const char proved[] = "may all share a group";
	char tail[PL_MESSAGE_MAX] = "";
	char *at = strstr(err->message, proved);
	pl_groups_clique_rules cr;
	pl_error e2 = PL_ERROR_INIT;
	size_t listed = 0;

	if (!at || pl_groups_program_clique_rules(m, g, &cr, &e2) != PL_OK || cr.found)
		return;
	for (unsigned r = 0; r <= PL_RULE_COUNT; r++)
		if (cr.counts[r] && (!cr.decisive || (cr.decisive & (1u << r))))
			listed++;
	if (!listed)
		return;
	for (unsigned r = 0, k = 0; r <= PL_RULE_COUNT; r++) {
		if (!cr.counts[r] || (cr.decisive && !(cr.decisive & (1u << r))))
			continue;
		appendf(tail, sizeof(tail), "%s", k == 0 ? ": " : k + 1 == listed ? " and " : ", ");
		rule_words(tail, sizeof(tail), r);
		if (listed == 1)
			appendf(tail, sizeof(tail), " keeps %zu of their %zu pairs apart", cr.counts[r],
				cr.pairs);
		else if (k == 0)
			appendf(tail, sizeof(tail), " (%zu of their %zu pairs)", cr.counts[r], cr.pairs);
		else
			appendf(tail, sizeof(tail), " (%zu)", cr.counts[r]);
		k++;
	}
	if (cr.decisive)
		appendf(tail, sizeof(tail), "%s; without %s, %zu could share the group",
			listed == 1 ? "" : " keep them apart", listed == 1 ? "it" : "any one of these",
			m->min_size[g]);
	else if (!cr.exhausted && listed > 1)
		appendf(tail, sizeof(tail), " keep them apart; ignoring any one of these alone "
			"would not be enough");
	else if (listed > 1)
		appendf(tail, sizeof(tail), " keep some of them apart");
	at += strlen(proved);
	snprintf(at, sizeof(err->message) - (size_t)(at - err->message), "%s", tail);
}

void pl_json_groups_name_error(const pl_groups_program *m, pl_error *err)
{
	char msg[sizeof(err->message)];
	const char *rest;
	size_t g;

	if (sscanf(err->pointer, "/groups/%zu", &g) != 1 || g >= m->ngroups ||
	    strncmp(err->message, "required group ", 15) != 0)
		return;
	name_clique_rules(m, g, err);
	if (!m->group_id || !(rest = strchr(err->message + 15, ' ')))
		return;
	snprintf(msg, sizeof(msg), "required group '%s'%s", m->group_id[g], rest);
	snprintf(err->message, sizeof(err->message), "%s", msg);
}

/* A member's reason: tags shared with the other members (with how many), and mean score. */
static json_t *member_entry(const pl_groups_program *m, const double *S, const long *members,
			    size_t k, size_t self)
{
	size_t i = (size_t)members[self];
	const pl_profile *pi = &m->P.items[m->client[i]];
	json_t *e = json_object(), *shared = json_object();
	char text[1024] = "";
	double sum = 0.0;
	size_t cnt = 0;

	for (size_t a = 0; a < k; a++)
		if (a != self && !isnan(S[i * m->n + (size_t)members[a]])) {
			sum += S[i * m->n + (size_t)members[a]];
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
				if (a != self && has_tag(&m->P.items[m->client[members[a]]].tags[c], ti->ids[t]))
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
			    cnt ? json_real(pl_json_round(sum / (double)cnt, SCALE)) : json_null());
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
static void add_conflict_counts(const pl_groups_program *m, const double *S, size_t i, json_t *e)
{
	size_t counts[PL_RULE_COUNT + 1] = { 0 }, ok = 0;

	for (size_t j = 0; j < m->n; j++) {
		int apart = 0;
		if (j == i)
			continue;
		pl_json_count_rules(pl_compat_rules_failed(&m->P, &m->prm, m->client[i], m->client[j]),
				    counts);
		for (size_t k = 0; k < m->napart; k++)
			if ((m->apart[2 * k] == i && m->apart[2 * k + 1] == j) ||
			    (m->apart[2 * k] == j && m->apart[2 * k + 1] == i))
				apart = 1;
		counts[PL_RULE_COUNT] += (size_t)apart;
		if (!isnan(S[i * m->n + j]) && !apart)
			ok++;
	}
	json_object_set_new(e, "compatible_clients", json_integer((json_int_t)ok));
	json_object_set_new(e, "rules", pl_json_rule_counts(counts, "keep_apart", NULL));
}

/* set[0..*k): client i and every client its keep_together pairs chain it to (they join as one);
 * in: n bytes of scratch. */
static void together_set(const pl_groups_program *m, size_t i, unsigned char *in, size_t *set,
			 size_t *nset)
{
	int grew = 1;

	memset(in, 0, m->n);
	in[i] = 1;
	while (grew) {
		grew = 0;
		for (size_t k = 0; k < m->ntogether; k++) {
			size_t a = m->together[2 * k], b = m->together[2 * k + 1];
			if (in[a] != in[b]) {
				in[a] = in[b] = 1;
				grew = 1;
			}
		}
	}
	*nset = 0;
	for (size_t a = 0; a < m->n; a++)
		if (in[a])
			set[(*nset)++] = a;
}

/* May every client of the set join group g? */
static int set_may_join(const pl_groups_program *m, const size_t *set, size_t k, size_t g)
{
	for (size_t a = 0; a < k; a++)
		if (!pl_groups_program_may_join(m, set[a], g))
			return 0;
	return 1;
}

static const char *group_label(const pl_groups_program *m, size_t g, char *buf, size_t size)
{
	if (m->group_id)
		return m->group_id[g];
	snprintf(buf, size, "group %zu", g);
	return buf;
}

/*
 * An unplaced client in conflict (issue 13): for every formed group the client may join, which
 * rules keep it from that group's members ("conflicts": [{"group", "members", "rules"}], members
 * counting those it may not share a group with, rules how many each rule excludes), and the
 * message names them, then the groups it may join that were not formed. A keep_together set is
 * taken whole: a partner's conflicts keep the client out too.
 */
static void add_conflict_groups(const pl_groups_program *m, const pl_groups_result *res, size_t i,
				json_t *e)
{
	char msg[1024], label[32];
	json_t *list = json_array();
	unsigned char *in = malloc(m->n + 1);
	size_t *set = malloc((m->n + 1) * sizeof(size_t));
	size_t shown = 0, unformed = 0, k = 0;

	if (!in || !set || !list) {
		free(in);
		free(set);
		json_decref(list);
		return;
	}
	together_set(m, i, in, set, &k);
	snprintf(msg, sizeof(msg), "%s", "every formed group this client may join holds someone it may "
		 "not share a group with:");
	for (size_t g = 0; g < m->ngroups; g++) {
		size_t counts[PL_RULE_COUNT + 1] = { 0 }, members = 0, clash = 0, best = 0;
		json_t *c;
		if (!set_may_join(m, set, k, g) || res->group_status[g] != PL_GROUPS_FORMED)
			continue;
		for (size_t j = 0; j < m->n; j++) {
			unsigned bits = 0;
			if (res->group_of[j] != (long)g)
				continue;
			members++;
			for (size_t a = 0; a < k; a++)
				bits |= pl_groups_program_pair_rules(m, set[a], j);
			for (unsigned r = 0; r <= PL_RULE_COUNT; r++)
				counts[r] += (bits >> r) & 1u;
			clash += bits != 0;
		}
		if (!clash)
			continue;
		c = json_object();
		json_object_set_new(c, "group", json_string(group_label(m, g, label, sizeof(label))));
		json_object_set_new(c, "members", json_integer((json_int_t)clash));
		json_object_set_new(c, "rules", pl_json_rule_counts(counts, "keep_apart", &best));
		json_array_append_new(list, c);
		appendf(msg, sizeof(msg), "%s %s (%zu of its %zu members: ", shown++ ? ";" : "",
			group_label(m, g, label, sizeof(label)), clash, members);
		for (unsigned r = 0, nr = 0; r <= PL_RULE_COUNT; r++)
			if (counts[r])
				appendf(msg, sizeof(msg), "%s%s %zu", nr++ ? ", " : "",
					pl_json_rule_slot(r, "keep_apart"), counts[r]);
		appendf(msg, sizeof(msg), ")");
	}
	for (size_t g = 0; shown && g < m->ngroups; g++)
		if (set_may_join(m, set, k, g) && res->group_status[g] != PL_GROUPS_FORMED)
			appendf(msg, sizeof(msg), "%s %s", unformed++ ? "," : "; not formed:",
				group_label(m, g, label, sizeof(label)));
	if (shown) {
		json_object_set_new(e, "message", json_string(msg));
		json_object_set_new(e, "conflicts", list);
	} else {
		json_decref(list);
	}
	free(in);
	free(set);
}

/*
 * Why a declared group was not formed, in words with counts: which rule left too few clients
 * (the first of its rules after which fewer than its minimum remain, else the size limits and
 * keep-together sets), or where the clients who could join it went instead.
 */
static void group_why(const pl_groups_program *m, const pl_groups_result *res, size_t g,
		      char *why, size_t size)
{
	size_t elig = res->group_eligible[g], out = 0, listed = 0;

	why[0] = '\0';
	if (res->group_status[g] == PL_GROUPS_TOO_FEW_ELIGIBLE) {
		const pl_group_gate *b = pl_groups_program_blocking_gate(m, g);
		if (b)
			appendf(why, size, "%zu %s its %s%s rule (with the rules before it), "
				"fewer than its minimum size %zu", b->left,
				b->left == 1 ? "client meets" : "clients meet",
				pl_group_gate_is_requirement(b->field) ? "requires." : "",
				pl_group_gate_name(b->field), m->min_size[g]);
		else if (m->n < m->min_size[g])
			/* Not a size limit: the whole program is smaller than the group (audit, session 9). */
			appendf(why, size, "the program has %zu %s, fewer than its minimum size %zu",
				m->n, m->n == 1 ? "client" : "clients", m->min_size[g]);
		else
			appendf(why, size, "%zu %s it once group-size limits "
				"(social_anxiety, max_group_size, exposure plans) and keep_together sets "
				"are counted, fewer than its minimum size %zu", elig,
				elig == 1 ? "client may join" : "clients may join", m->min_size[g]);
		return;
	}
	/* "The grouping that places the most ..." is a claim about the optimum: only made when the
	 * answer is proven optimal; otherwise the answer is the best the search found (audit,
	 * session 9: a seed that missed the optimum said so of a group the optimum forms). */
	appendf(why, size, "%zu %s it (minimum %zu), but %s puts them elsewhere:", elig,
		elig == 1 ? "client may join" : "clients may join", m->min_size[g],
		res->optimal ? "the grouping that places the most clients with the largest total"
			     : "the best grouping found (not proven optimal)");
	for (size_t h = 0; h < m->ngroups; h++) {
		size_t cnt = 0;
		for (size_t i = 0; i < m->n; i++)
			cnt += m->eligible[i * m->ngroups + g] && res->group_of[i] == (long)h;
		if (!cnt)
			continue;
		if (m->group_id)
			appendf(why, size, "%s %s %zu", listed++ ? "," : "", m->group_id[h], cnt);
		else
			appendf(why, size, "%s group %zu: %zu", listed++ ? "," : "", h, cnt);
	}
	for (size_t i = 0; i < m->n; i++)
		out += m->eligible[i * m->ngroups + g] && res->group_of[i] < 0;
	if (out)
		appendf(why, size, "%s unplaced %zu", listed ? "," : "", out);
}

/* What upper_bound bounds, in words beside the numbers (summary.bound_note). */
static const char *bound_note(const pl_groups_result *res, char *buf, size_t size)
{
	if (res->optimal) {
		/* The proof is of the answer asked for, most placed first: a grouping that places
		 * fewer may have a larger total (review, session 9), so the note says both parts. */
		snprintf(buf, size, "proven optimal: no grouping that keeps every rule places more than "
			 "%zu %s, and none that places %zu has a larger total (the sum of the pair scores "
			 "inside the groups) than %.4f", res->placed,
			 res->placed == 1 ? "client" : "clients", res->placed, res->objective);
		return buf;
	}
	/* Both bounds hold for every grouping; the words say what each relaxes. */
	const char *how = strncmp(res->bound_method, "set-partitioning", 16) == 0
		? "lets every group take any set of members that keeps every rule, each client in at "
		  "most one group, but allows fractions of such groupings, so the best possible can "
		  "still be below it"
		: "gives each client its best possible group mates (eligible for one group, no "
		  "hard-rule conflict among them), chosen for each client on its own, so the best "
		  "possible is usually well below it";
	snprintf(buf, size, "no grouping that keeps every rule can have a total (the sum of the pair "
		 "scores inside the groups) above %.4f, so this total of %.4f is at least %.1f%% of the "
		 "best possible; the bound %s", res->upper_bound, res->objective,
		 res->upper_bound > 0 ? 100.0 * res->objective / res->upper_bound : 100.0, how);
	return buf;
}

json_t *pl_json_groups_answer(const pl_groups_program *m, const double *S,
			      const pl_groups_result *res)
{
	json_t *doc = json_object(), *groups = json_array(), *unplaced = json_array(),
	       *summary = json_object();
	long *members = malloc((m->n + 1) * sizeof(long));
	char note[512];
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

	for (size_t g = 0; g < m->ngroups; g++) {
		json_t *e = json_object(), *arr = json_array(), *size = json_array();
		size_t k = 0;
		for (size_t i = 0; i < m->n; i++)
			if (res->group_of[i] == (long)g)
				members[k++] = (long)i;
		if (m->group_id) {
			json_object_set_new(e, "id", json_string(m->group_id[g]));
			if (m->group_modality[g])
				json_object_set_new(e, "modality", json_string(m->group_modality[g]));
			if (m->group_language && m->group_language[g])
				json_object_set_new(e, "language", json_string(m->group_language[g]));
			if (m->required && m->required[g])
				json_object_set_new(e, "required", json_true());
			if (m->group_facilitator[g])
				json_object_set_new(e, "facilitator", json_string(m->group_facilitator[g]));
		} else {
			json_object_set_new(e, "index", json_integer((json_int_t)g));
		}
		json_object_set_new(e, "status",
				    json_string(pl_groups_group_status_name(res->group_status[g])));
		json_array_append_new(size, json_integer((json_int_t)m->min_size[g]));
		json_array_append_new(size, json_integer((json_int_t)m->max_size[g]));
		json_object_set_new(e, "size_range", size);
		json_object_set_new(e, "size", json_integer((json_int_t)k));
		json_object_set_new(e, "eligible", json_integer((json_int_t)res->group_eligible[g]));
		for (size_t a = 0; a < k; a++)
			json_array_append_new(arr, member_entry(m, S, members, k, a));
		json_object_set_new(e, "members", arr);
		json_object_set_new(e, "score", json_real(pl_json_round(res->group_score[g], SCALE)));
		if (k >= 2) {
			double coh = res->group_score[g] / ((double)k * (double)(k - 1) / 2.0);
			json_object_set_new(e, "cohesion", json_real(pl_json_round(coh, SCALE)));
			coh_sum += coh;
			coh_n++;
		} else {
			json_object_set_new(e, "cohesion", json_null());
		}
		if (res->group_status[g] == PL_GROUPS_FORMED) {
			formed++;
		} else {
			char why[1024];
			json_object_set_new(
				e, "message",
				json_string(res->group_status[g] == PL_GROUPS_TOO_FEW_ELIGIBLE
						    ? "fewer clients may join this group than its minimum size"
						    : "not enough clients were left to reach its minimum size "
						      "once the other groups were filled"));
			group_why(m, res, g, why, sizeof(why));
			json_object_set_new(e, "why", json_string(why));
		}
		json_array_append_new(groups, e);
	}
	for (size_t i = 0; i < m->n; i++) {
		json_t *e;
		if (res->group_of[i] >= 0)
			continue;
		e = json_object();
		json_object_set_new(e, "id", json_string(m->P.items[m->client[i]].id));
		json_object_set_new(e, "reason", json_string(pl_groups_reason_name(res->reason[i])));
		json_object_set_new(e, "message", json_string(reason_message(res->reason[i])));
		if (res->reason[i] == PL_GROUPS_CONFLICT)
			add_conflict_groups(m, res, i, e);
		add_conflict_counts(m, S, i, e);
		json_array_append_new(unplaced, e);
	}
	json_object_set_new(summary, "clients", json_integer((json_int_t)m->n));
	json_object_set_new(summary, "placed", json_integer((json_int_t)res->placed));
	json_object_set_new(summary, "unplaced", json_integer((json_int_t)(m->n - res->placed)));
	json_object_set_new(summary, "groups", json_integer((json_int_t)m->ngroups));
	json_object_set_new(summary, "groups_formed", json_integer((json_int_t)formed));
	json_object_set_new(summary, "objective", json_real(pl_json_round(res->objective, SCALE)));
	json_object_set_new(summary, "upper_bound", json_real(pl_json_round(res->upper_bound, SCALE)));
	json_object_set_new(summary, "gap", json_real(pl_json_round(res->gap, SCALE)));
	json_object_set_new(summary, "bound_note", json_string(bound_note(res, note, sizeof(note))));
	json_object_set_new(summary, "optimal", json_boolean(res->optimal));
	json_object_set_new(summary, "mean_cohesion",
			    coh_n ? json_real(pl_json_round(coh_sum / (double)coh_n, SCALE)) : json_null());
	json_object_set_new(doc, "groups", groups);
	json_object_set_new(doc, "unplaced", unplaced);
	json_object_set_new(doc, "summary", summary);
	free(members);
	return doc;
}


json_t *pl_json_groups_stats(const pl_groups_program *m, const pl_groups_result *res,
			     const pl_json_timings *t)
{
	json_t *stats = json_object();

	json_object_set_new(stats, "algorithm", json_string(res->algorithm));
	json_object_set_new(stats, "seed", json_integer((json_int_t)m->seed));
	json_object_set_new(stats, "restarts", json_integer((json_int_t)res->restarts));
	json_object_set_new(stats, "steps", json_integer((json_int_t)res->steps));
	json_object_set_new(stats, "best_restart", json_integer((json_int_t)res->best_restart));
	json_object_set_new(stats, "bound", json_string(res->bound_method));
	json_object_set_new(stats, "simple_bound", json_real(pl_json_round(res->simple_bound, SCALE)));
	json_object_set_new(stats, "bound_iterations", json_integer((json_int_t)res->bound_iterations));
	pl_json_add_timings(stats, t);
	return stats;
}
