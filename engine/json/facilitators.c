/*
 * facilitators.c (JSON layer): "facilitators" and groups' "needs" of `match groups` into codes
 * for the core (peerlink/json_facilitators.h), and the staffing back into the answer.
 *
 * Codes are indexes into one table of names shared by skills, languages and slots (a skill and a
 * slot never meet in a comparison, so sharing costs nothing). Roles are fixed: therapist 0,
 * peer_specialist 1.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/json_facilitators.h>

#include <stdlib.h>
#include <string.h>

#define CODES_MAX 1000000 /* names in all lists together */

static const char *const role_names[] = { "therapist", "peer_specialist" };

void pl_json_staffing_init(pl_json_staffing *s)
{
	memset(s, 0, sizeof *s);
}

void pl_json_staffing_release(pl_json_staffing *s)
{
	if (!s)
		return;
	for (size_t k = 0; s->fac_id && k < s->nfac; k++)
		free(s->fac_id[k]);
	for (size_t k = 0; s->names && k < s->nnames; k++)
		free(s->names[k]);
	free(s->fac_id);
	free(s->names);
	free(s->fac);
	free(s->groups);
	free(s->codes);
	pl_json_staffing_init(s);
}

static pl_status nomem(pl_error *err)
{
	return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading facilitators");
}

/* The code of a name (added when new); -1 when out of memory. */
static int code_of(pl_json_staffing *s, const char *name, size_t *cap)
{
	for (size_t k = 0; k < s->nnames; k++)
		if (strcmp(s->names[k], name) == 0)
			return (int)k;
	if (s->nnames == *cap) {
		size_t c = *cap ? 2 * *cap : 32;
		char **v = realloc(s->names, c * sizeof *v);
		if (!v)
			return -1;
		s->names = v;
		*cap = c;
	}
	if (!(s->names[s->nnames] = strdup(name)))
		return -1;
	return (int)s->nnames++;
}

/* Room for every code of the request: one int per string in the lists read. */
static size_t count_strings(json_t *doc)
{
	size_t n = 0, k;
	json_t *f, *g, *list;
	json_array_foreach(json_object_get(doc, "facilitators"), k, f) {
		n += json_array_size(json_object_get(f, "skills"));
		n += json_array_size(json_object_get(f, "languages"));
		n += json_array_size(json_object_get(f, "availability"));
	}
	json_array_foreach(json_object_get(doc, "groups"), k, g) {
		list = json_object_get(json_object_get(g, "needs"), "skills");
		n += json_array_size(list);
	}
	return n;
}

typedef struct reader {
	pl_json_staffing *s;
	size_t names_cap, used, room;
} reader;

/* obj[key], an optional array of distinct strings, into codes (*v, *n). */
static pl_status read_codes(reader *r, json_t *obj, const char *key, const char *ptr,
			    const int **v, size_t *n, pl_error *err)
{
	json_t *arr = NULL;
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	int *out = r->s->codes + r->used;
	pl_status st = pl_json_get_array(obj, key, ptr, 0, &arr, err);

	*v = out;
	*n = 0;
	if (st != PL_OK || !arr)
		return st;
	pl_json_ptr(p, sizeof p, ptr, key);
	for (size_t k = 0; k < json_array_size(arr); k++) {
		const char *name = json_string_value(json_array_get(arr, k));
		int c;
		pl_json_ptr_index(q, sizeof q, p, k);
		if (!name || !*name)
			return pl_error_set(err, PL_ERR_INVALID, q, "must be a non-empty string");
		if ((c = code_of(r->s, name, &r->names_cap)) < 0)
			return nomem(err);
		for (size_t h = 0; h < *n; h++)
			if (out[h] == c)
				return pl_error_set(err, PL_ERR_INVALID, q, "listed twice");
		if (r->used == r->room)
			return pl_error_set(err, PL_ERR_INTERNAL, q, "code table too small");
		out[(*n)++] = c;
		r->used++;
	}
	return PL_OK;
}

static pl_status read_role(json_t *obj, const char *ptr, int required, int *role, pl_error *err)
{
	const char *name = NULL;
	char p[PL_POINTER_MAX];
	pl_status st = pl_json_get_string(obj, "role", ptr, required, &name, err);
	if (st != PL_OK || !name)
		return st;
	for (int k = 0; k < 2; k++)
		if (strcmp(name, role_names[k]) == 0) {
			*role = k;
			return PL_OK;
		}
	return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof p, ptr, "role"),
			    "role must be \"therapist\" or \"peer_specialist\"");
}

static pl_status read_facilitator(reader *r, json_t *f, size_t k, pl_error *err)
{
	static const char *const keys[] = { "id", "role", "skills", "languages", "availability",
					    "weekly_limit", NULL };
	pl_json_staffing *s = r->s;
	pl_fac_facilitator *x = &s->fac[k];
	char p[PL_POINTER_MAX];
	const char *id = NULL;
	long long lim = 1;
	pl_status st;

	pl_json_ptr_index(p, sizeof p, "/facilitators", k);
	if (!json_is_object(f))
		return pl_error_set(err, PL_ERR_INVALID, p, "a facilitator must be an object");
	st = pl_json_check_keys(f, p, keys, err);
	if (st == PL_OK)
		st = pl_json_get_string(f, "id", p, 1, &id, err);
	for (size_t h = 0; st == PL_OK && h < k; h++)
		if (strcmp(s->fac_id[h], id) == 0) {
			char q[PL_POINTER_MAX];
			st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof q, p, "id"),
					  "facilitator id '%s' appears twice", id);
		}
	if (st == PL_OK)
		st = read_role(f, p, 1, &x->role, err);
	if (st == PL_OK)
		st = read_codes(r, f, "skills", p, &x->skills, &x->nskills, err);
	if (st == PL_OK)
		st = read_codes(r, f, "languages", p, &x->languages, &x->nlanguages, err);
	if (st == PL_OK)
		st = read_codes(r, f, "availability", p, &x->slots, &x->nslots, err);
	if (st == PL_OK)
		st = pl_json_get_integer(f, "weekly_limit", p, 1, &lim, err);
	if (st == PL_OK && (lim < 0 || lim > 1000000)) {
		char q[PL_POINTER_MAX];
		st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof q, p, "weekly_limit"),
				  "weekly_limit must be in 0..1000000");
	}
	x->limit = (long)lim;
	if (st == PL_OK && !(s->fac_id[k] = strdup(id)))
		st = nomem(err);
	return st;
}

/* One group's "needs" and its preferred facilitator (the passed-through "facilitator"). */
static pl_status read_needs(reader *r, json_t *grp, size_t g, pl_error *err)
{
	static const char *const keys[] = { "role", "skills", "language", "slot", NULL };
	pl_json_staffing *s = r->s;
	pl_fac_group *x = &s->groups[g];
	json_t *needs = NULL;
	const char *name = NULL, *pref = json_string_value(json_object_get(grp, "facilitator"));
	char gp[PL_POINTER_MAX], p[PL_POINTER_MAX];
	pl_status st;

	x->role = x->language = x->slot = PL_FAC_ANY;
	x->preferred = -1;
	x->active = 1;
	x->skills = s->codes + r->used;
	for (size_t f = 0; pref && f < s->nfac; f++)
		if (strcmp(s->fac_id[f], pref) == 0)
			x->preferred = (long)f;
	pl_json_ptr_index(gp, sizeof gp, "/groups", g);
	st = pl_json_get_object(grp, "needs", gp, 0, &needs, err);
	if (st != PL_OK || !needs)
		return st;
	pl_json_ptr(p, sizeof p, gp, "needs");
	st = pl_json_check_keys(needs, p, keys, err);
	if (st == PL_OK)
		st = read_role(needs, p, 0, &x->role, err);
	if (st == PL_OK)
		st = read_codes(r, needs, "skills", p, &x->skills, &x->nskills, err);
	if (st == PL_OK)
		st = pl_json_get_string(needs, "language", p, 0, &name, err);
	if (st == PL_OK && name && (x->language = code_of(s, name, &r->names_cap)) < 0)
		st = nomem(err);
	name = NULL;
	if (st == PL_OK)
		st = pl_json_get_string(needs, "slot", p, 0, &name, err);
	if (st == PL_OK && name && (x->slot = code_of(s, name, &r->names_cap)) < 0)
		st = nomem(err);
	return st;
}

pl_status pl_json_read_staffing(json_t *doc, pl_json_staffing *s, pl_error *err)
{
	json_t *facs = NULL, *groups = json_object_get(doc, "groups");
	reader r = { s, 0, 0, 0 };
	pl_status st;

	pl_json_staffing_init(s);
	st = pl_json_get_array(doc, "facilitators", "", 0, &facs, err);
	if (st != PL_OK)
		return st;
	if (!facs) {
		for (size_t g = 0; g < json_array_size(groups); g++)
			if (json_object_get(json_array_get(groups, g), "needs")) {
				char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
				pl_json_ptr_index(p, sizeof p, "/groups", g);
				return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof q, p, "needs"),
						    "needs require a facilitators list");
			}
		return PL_OK;
	}
	if (!json_is_array(groups))
		return pl_error_set(err, PL_ERR_INVALID, "/facilitators",
				    "facilitators need named groups (\"groups\", not \"group_size\")");
	s->present = 1;
	s->nfac = json_array_size(facs);
	s->ngroups = json_array_size(groups);
	r.room = count_strings(doc);
	if (r.room > CODES_MAX)
		return pl_error_set(err, PL_ERR_INVALID, "/facilitators",
				    "more than 1000000 skills, languages and slots in all");
	s->fac = calloc(s->nfac + 1, sizeof *s->fac);
	s->fac_id = calloc(s->nfac + 1, sizeof *s->fac_id);
	s->groups = calloc(s->ngroups + 1, sizeof *s->groups);
	s->codes = calloc(r.room + 1, sizeof *s->codes);
	if (!s->fac || !s->fac_id || !s->groups || !s->codes)
		return nomem(err);
	for (size_t k = 0; st == PL_OK && k < s->nfac; k++)
		st = read_facilitator(&r, json_array_get(facs, k), k, err);
	for (size_t g = 0; st == PL_OK && g < s->ngroups; g++)
		st = read_needs(&r, json_array_get(groups, g), g, err);
	return st;
}

static const char *why_text(pl_fac_reason r)
{
	switch (r) {
	case PL_FAC_NO_ROLE:
		return "no facilitator has the role this group needs";
	case PL_FAC_NO_LANGUAGE:
		return "no facilitator with the role speaks the group's language";
	case PL_FAC_NO_SLOT:
		return "no facilitator with the role and language is available in the group's slot";
	case PL_FAC_TAKEN:
		return "every facilitator who could lead it is at their weekly limit or leads another "
		       "group in that slot";
	default:
		return "the group was not formed";
	}
}

static json_t *skill_names(const pl_json_staffing *s, size_t g, size_t f, int want_covered)
{
	json_t *arr = json_array();
	const pl_fac_group *x = &s->groups[g];
	for (size_t k = 0; k < x->nskills; k++) {
		int has = 0;
		for (size_t h = 0; f < s->nfac && h < s->fac[f].nskills; h++)
			has |= s->fac[f].skills[h] == x->skills[k];
		if (has == want_covered)
			json_array_append_new(arr, json_string(s->names[x->skills[k]]));
	}
	return arr;
}

pl_status pl_json_write_staffing(json_t *answer, const pl_json_staffing *s,
				 const pl_fac_result *res, pl_error *err)
{
	json_t *groups = json_object_get(answer, "groups"), *unstaffed = json_array();

	if (!unstaffed || json_array_size(groups) != s->ngroups) {
		json_decref(unstaffed);
		return pl_error_set(err, unstaffed ? PL_ERR_INTERNAL : PL_ERR_NOMEM, "",
				    "cannot write the staffing");
	}
	for (size_t g = 0; g < s->ngroups; g++) {
		json_t *e = json_array_get(groups, g);
		long f = res->facilitator[g];
		size_t fi = f < 0 ? s->nfac : (size_t)f;
		json_object_set_new(e, "facilitator", f < 0 ? json_null() : json_string(s->fac_id[f]));
		json_object_set_new(e, "facilitator_role",
				    f < 0 ? json_null() : json_string(role_names[s->fac[f].role]));
		json_object_set_new(e, "skills_covered", skill_names(s, g, fi, 1));
		json_object_set_new(e, "skills_missing", skill_names(s, g, fi, 0));
		if (f < 0 && res->reason[g] != PL_FAC_INACTIVE) {
			json_t *u = json_object();
			json_object_set_new(e, "staffing", json_string(why_text(res->reason[g])));
			json_object_set(u, "group", json_object_get(e, "id"));
			json_object_set_new(u, "why", json_string(why_text(res->reason[g])));
			json_array_append_new(unstaffed, u);
		}
	}
	json_object_set_new(answer, "unstaffed", unstaffed);
	return PL_OK;
}

pl_status pl_json_staff_groups(json_t *answer, pl_json_staffing *s, const pl_groups_result *res,
			       pl_error *err)
{
	pl_fac_result fr = PL_FAC_RESULT_INIT;
	pl_status st;

	if (!s->present)
		return PL_OK;
	if (s->ngroups != res->ngroups)
		return pl_error_set(err, PL_ERR_USAGE, "", "staffing and grouping disagree on the groups");
	st = pl_fac_staff_formed(s->fac, s->nfac, s->groups, res, &fr, err);
	if (st == PL_OK)
		st = pl_json_write_staffing(answer, s, &fr, err);
	pl_fac_result_release(&fr);
	return st;
}
