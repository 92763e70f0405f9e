/*
 * exposure.c (JSON layer): clients' "exposure" plans into the groups program's limits on the
 * request's date, and the plan in force back into the answer (peerlink/json_exposure.h).
 */
#include <peerlink/json_exposure.h>
#include <peerlink/checkins.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pl_json_exposure_init(pl_json_exposure *x)
{
	memset(x, 0, sizeof(*x));
}

void pl_json_exposure_release(pl_json_exposure *x)
{
	if (!x)
		return;
	free(x->c);
	free(x->current);
	free(x->current_size);
	free(x->rule);
	pl_json_exposure_init(x);
}

/* One plan: an array of {"from": DATE, "max_group_size": n >= 1}, dates strictly increasing. */
static pl_status read_plan(json_t *plan, const char *ptr, pl_exposure_step *steps, size_t *n,
			   pl_error *err)
{
	static const char *const keys[] = { "from", "max_group_size", NULL };
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	pl_status st = PL_OK;

	if (!json_is_array(plan) || json_array_size(plan) == 0)
		return pl_error_set(err, PL_ERR_INVALID, ptr,
				    "exposure must be a non-empty array of steps");
	*n = json_array_size(plan);
	for (size_t j = 0; st == PL_OK && j < *n; j++) {
		json_t *s = json_array_get(plan, j);
		const char *from = NULL;
		long long mg = 0;
		pl_json_ptr_index(p, sizeof p, ptr, j);
		if (!json_is_object(s))
			return pl_error_set(err, PL_ERR_INVALID, p, "a step must be an object");
		st = pl_json_check_keys(s, p, keys, err);
		if (st == PL_OK)
			st = pl_json_get_string(s, "from", p, 1, &from, err);
		if (st == PL_OK && pl_date_parse(from, &steps[j].from) != 0)
			st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof q, p, "from"),
					  "from must be a date YYYY-MM-DD");
		if (st == PL_OK && j > 0 && steps[j].from <= steps[j - 1].from)
			st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(q, sizeof q, p, "from"),
					  "steps must have strictly increasing from dates");
		if (st == PL_OK)
			st = pl_json_get_integer(s, "max_group_size", p, 1, &mg, err);
		if (st == PL_OK && (mg < 1 || mg > PL_GROUPS_SIZE_MAX))
			st = pl_error_set(err, PL_ERR_INVALID,
					  pl_json_ptr(q, sizeof q, p, "max_group_size"),
					  "max_group_size must be an integer of at least 1");
		steps[j].max_group_size = (size_t)mg;
	}
	return st;
}

/* The date plans are read against: the command line's, else the request's "as_of". */
static pl_status plan_date(json_t *doc, int32_t *as_of, pl_error *err)
{
	const char *s = NULL;
	pl_status st;
	if (*as_of != INT32_MIN)
		return PL_OK;
	st = pl_json_get_string(doc, "as_of", "", 0, &s, err);
	if (st != PL_OK)
		return st;
	if (!s)
		return pl_error_set(err, PL_ERR_INVALID, "/as_of",
				    "exposure plans need a date: give as_of or --as-of");
	if (pl_date_parse(s, as_of) != 0)
		return pl_error_set(err, PL_ERR_INVALID, "/as_of", "as_of must be a date YYYY-MM-DD");
	return PL_OK;
}

static void apply_step(pl_groups_program *m, size_t k, size_t max)
{
	if (max <= PL_EXPOSURE_ONE_ON_ONE_MAX) {
		memset(m->eligible + k * m->ngroups, 0, m->ngroups);
		return;
	}
	if (m->client_max[k] == 0 || m->client_max[k] > max)
		m->client_max[k] = max;
}

static pl_status read_plans(json_t *doc, int32_t as_of, pl_groups_program *m,
			    pl_json_exposure *x, pl_error *err);
static pl_status write_plans(json_t *answer, const pl_json_exposure *x,
			     const pl_groups_program *m, pl_error *err);

/* The plan of client k, or NULL. */
static const pl_json_exposure_client *plan_of(const pl_json_exposure *x, size_t k)
{
	for (size_t a = 0; a < x->n; a++)
		if (x->c[a].client == k)
			return &x->c[a];
	return NULL;
}

/* "current": {group id: [client ids]}: each client's current group. */
static pl_status read_rosters(json_t *cur, pl_groups_program *m, pl_json_exposure *x,
			      pl_error *err)
{
	long *pos = pl_program_positions(&m->P, m->client, m->n);
	const char *gid;
	json_t *ids;
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	pl_status st = PL_OK;

	if (!pos)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	json_object_foreach(cur, gid, ids) {
		size_t g = 0;
		pl_json_ptr(p, sizeof p, "/current", gid);
		while (g < m->ngroups && strcmp(m->group_id[g], gid) != 0)
			g++;
		if (g == m->ngroups) {
			st = pl_error_set(err, PL_ERR_INVALID, p, "no group has the id '%s'", gid);
			break;
		}
		if (!json_is_array(ids)) {
			st = pl_error_set(err, PL_ERR_INVALID, p, "a current roster is an array of client ids");
			break;
		}
		for (size_t k = 0; st == PL_OK && k < json_array_size(ids); k++) {
			const char *cid = json_string_value(json_array_get(ids, k));
			long pi = cid ? pl_profiles_find(&m->P, cid) : -1;
			pl_json_ptr_index(q, sizeof q, p, k);
			if (!cid)
				st = pl_error_set(err, PL_ERR_INVALID, q, "client ids are strings");
			else if (pi < 0 || pos[pi] < 0)
				st = pl_error_set(err, PL_ERR_INVALID, q, "'%s' is not a client of this request",
						  cid);
			else if (x->current[pos[pi]] >= 0)
				st = pl_error_set(err, PL_ERR_INVALID, q, "client '%s' is in two current groups",
						  cid);
			else {
				x->current[pos[pi]] = (long)g;
				x->current_size[g]++;
			}
		}
		if (st != PL_OK)
			break;
	}
	free(pos);
	return st;
}

/* Current rosters and "rematch": who stays, who may move (peerlink/exposure.h), applied to the
 * program's eligibility. */
static pl_status read_current(json_t *doc, pl_groups_program *m, pl_json_exposure *x,
			      pl_error *err)
{
	json_t *cur = json_object_get(doc, "current");
	const char *rematch = "exposure";
	pl_status st = pl_json_get_string(doc, "rematch", "", 0, &rematch, err);

	if (st != PL_OK)
		return st;
	if (strcmp(rematch, "exposure") != 0 && strcmp(rematch, "all") != 0)
		return pl_error_set(err, PL_ERR_INVALID, "/rematch",
				    "rematch must be \"exposure\" or \"all\"");
	if (!cur) {
		if (json_object_get(doc, "rematch"))
			return pl_error_set(err, PL_ERR_INVALID, "/rematch",
					    "rematch needs current rosters (\"current\")");
		return PL_OK;
	}
	if (!json_is_object(cur))
		return pl_error_set(err, PL_ERR_INVALID, "/current",
				    "current must be an object: group id -> [client ids]");
	if (!m->group_id)
		return pl_error_set(err, PL_ERR_INVALID, "/current",
				    "current rosters need named groups (\"groups\", not \"group_size\")");
	x->has_current = 1;
	x->rematch_all = strcmp(rematch, "all") == 0;
	x->current = malloc((m->n + 1) * sizeof(long));
	x->current_size = calloc(m->ngroups + 1, sizeof(size_t));
	x->rule = calloc(m->n + 1, sizeof(int));
	if (!x->current || !x->current_size || !x->rule)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t i = 0; i < m->n; i++)
		x->current[i] = -1;
	st = read_rosters(cur, m, x, err);
	for (size_t i = 0; st == PL_OK && i < m->n; i++) {
		const pl_json_exposure_client *c = plan_of(x, i);
		long g0 = x->current[i];
		pl_roster_rule r = pl_roster_rule_for(g0, g0 >= 0 ? x->current_size[g0] : 0, c != NULL,
						      c ? c->step.max_group_size : 0, x->rematch_all);
		x->rule[i] = (int)r;
		for (size_t g = 0; g < m->ngroups; g++)
			if (!pl_roster_may_join(r, g0, g0 >= 0 ? x->current_size[g0] : 0, g,
						m->max_size[g]))
				m->eligible[i * m->ngroups + g] = 0;
	}
	return st;
}

pl_status pl_json_read_exposure(json_t *doc, int32_t as_of, pl_groups_program *m,
				pl_json_exposure *x, pl_error *err)
{
	pl_status st = read_plans(doc, as_of, m, x, err);
	return st == PL_OK ? read_current(doc, m, x, err) : st;
}

static pl_status read_plans(json_t *doc, int32_t as_of, pl_groups_program *m,
			    pl_json_exposure *x, pl_error *err)
{
	json_t *arr = json_object_get(doc, "clients");
	char p[PL_POINTER_MAX], q[PL_POINTER_MAX];
	size_t any = 0;
	pl_status st = PL_OK;

	for (size_t k = 0; k < json_array_size(arr); k++)
		any += json_object_get(json_array_get(arr, k), "exposure") != NULL;
	if (!any) {
		/* "as_of" alone is accepted (a weekly script passes it every time) but checked. */
		const char *s = NULL;
		st = pl_json_get_string(doc, "as_of", "", 0, &s, err);
		if (st == PL_OK && s && pl_date_parse(s, &as_of) != 0)
			st = pl_error_set(err, PL_ERR_INVALID, "/as_of", "as_of must be a date YYYY-MM-DD");
		return st;
	}
	st = plan_date(doc, &as_of, err);
	if (st != PL_OK)
		return st;
	x->as_of = as_of;
	x->c = calloc(any, sizeof *x->c);
	if (!x->c)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading exposure plans");
	for (size_t k = 0; st == PL_OK && k < json_array_size(arr); k++) {
		json_t *plan = json_object_get(json_array_get(arr, k), "exposure");
		pl_exposure_step *steps;
		size_t n = 0, j;
		if (!plan)
			continue;
		pl_json_ptr_index(q, sizeof q, "/clients", k);
		pl_json_ptr(p, sizeof p, q, "exposure");
		steps = malloc((json_array_size(plan) + 1) * sizeof *steps);
		if (!steps)
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading exposure plans");
		st = read_plan(plan, p, steps, &n, err);
		if (st == PL_OK) {
			pl_json_exposure_client *c = &x->c[x->n++];
			j = pl_exposure_step_in_force(steps, n, as_of);
			c->client = k;
			c->step = steps[j];
			c->has_next = j + 1 < n;
			if (c->has_next)
				c->next = steps[j + 1];
			apply_step(m, k, steps[j].max_group_size);
		}
		free(steps);
	}
	return st;
}

static json_t *step_json(const pl_exposure_step *s)
{
	char d[16];
	json_t *e = json_object();
	pl_date_format(s->from, d);
	json_object_set_new(e, "from", json_string(d));
	json_object_set_new(e, "max_group_size", json_integer((json_int_t)s->max_group_size));
	return e;
}

static json_t *group_name(const pl_groups_program *m, long g)
{
	return g >= 0 ? json_string(m->group_id[g]) : json_null();
}

/* Why client i is where it is now, compared with its current group (the rosters' "why"). */
static void move_why(const pl_json_exposure *x, const pl_groups_program *m,
		     const pl_groups_result *res, size_t i, char *buf, size_t size)
{
	const pl_json_exposure_client *c = plan_of(x, i);
	long from = x->current[i], to = res->group_of[i];
	char d[16] = "";

	if (c)
		pl_date_format(c->step.from, d);
	switch ((pl_roster_rule)x->rule[i]) {
	case PL_ROSTER_ONE_ON_ONE:
		snprintf(buf, size, "exposure plan: one-on-one (a mentor or a buddy) from %s", d);
		return;
	case PL_ROSTER_REMATCH:
		snprintf(buf, size, "rematch: all (every group formed again)%s",
			 to < 0 ? "; not placed now" : "");
		return;
	case PL_ROSTER_NEW:
		snprintf(buf, size, "in no group before");
		if (to < 0)
			snprintf(buf, size, "in no group before, and not placed now: %s",
				 pl_groups_reason_name(res->reason[i]));
		return;
	case PL_ROSTER_STEP_UP:
		if (to >= 0) {
			snprintf(buf, size, "exposure plan: groups of up to %zu from %s, and %s had %zu "
				 "members", c ? c->step.max_group_size : 0, d, m->group_id[from],
				 x->current_size[from]);
			return;
		}
		break;
	case PL_ROSTER_STAYS:
		break;
	}
	snprintf(buf, size, "could not stay: %s", pl_groups_reason_name(res->reason[i]));
}

/* "rosters": who stays in their current group and who moves, with why. */
static json_t *rosters_json(const pl_json_exposure *x, const pl_groups_program *m,
			    const pl_groups_result *res)
{
	json_t *r = json_object(), *stays = json_array(), *moves = json_array();
	char why[256];

	json_object_set_new(r, "rematch", json_string(x->rematch_all ? "all" : "exposure"));
	for (size_t i = 0; i < m->n; i++) {
		long from = x->current[i], to = res->group_of[i];
		const char *id = m->P.items[m->client[i]].id;
		json_t *e;
		if (from < 0 && to < 0)
			continue;
		if (from == to) {
			json_array_append_new(stays, json_string(id));
			continue;
		}
		move_why(x, m, res, i, why, sizeof why);
		e = json_object();
		json_object_set_new(e, "client", json_string(id));
		json_object_set_new(e, "from", group_name(m, from));
		json_object_set_new(e, "to", group_name(m, to));
		json_object_set_new(e, "why", json_string(why));
		json_array_append_new(moves, e);
	}
	json_object_set_new(r, "stays", stays);
	json_object_set_new(r, "moves", moves);
	return r;
}

pl_status pl_json_write_exposure(json_t *answer, const pl_json_exposure *x,
				 const pl_groups_program *m, const pl_groups_result *res,
				 pl_error *err)
{
	pl_status st = write_plans(answer, x, m, err);
	if (st == PL_OK && x->has_current)
		json_object_set_new(answer, "rosters", rosters_json(x, m, res));
	return st;
}

static pl_status write_plans(json_t *answer, const pl_json_exposure *x,
			     const pl_groups_program *m, pl_error *err)
{
	json_t *plans, *one, *unplaced = json_object_get(answer, "unplaced");
	json_t *summary = json_object_get(answer, "summary");
	char d[16];
	size_t moved = 0;

	if (!x->c)
		return PL_OK;
	plans = json_array();
	one = json_array();
	if (!plans || !one) {
		json_decref(plans);
		json_decref(one);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	pl_date_format(x->as_of, d);
	for (size_t k = 0; k < x->n; k++) {
		const pl_json_exposure_client *c = &x->c[k];
		const char *id = m->P.items[m->client[c->client]].id;
		json_t *e = json_object();
		json_object_set_new(e, "client", json_string(id));
		json_object_set_new(e, "as_of", json_string(d));
		json_object_set_new(e, "step", step_json(&c->step));
		json_object_set_new(e, "next", c->has_next ? step_json(&c->next) : json_null());
		json_array_append_new(plans, e);
		if (c->step.max_group_size > PL_EXPOSURE_ONE_ON_ONE_MAX)
			continue;
		/* One-on-one: out of "unplaced" (where the solver left them) into "one_on_one". */
		for (size_t u = 0; u < json_array_size(unplaced); u++)
			if (strcmp(json_string_value(json_object_get(json_array_get(unplaced, u), "id")),
				   id) == 0) {
				json_array_remove(unplaced, u);
				moved++;
				break;
			}
		e = json_object();
		json_object_set_new(e, "client", json_string(id));
		json_object_set_new(e, "max_group_size",
				    json_integer((json_int_t)c->step.max_group_size));
		json_object_set_new(e, "message",
				    json_string("exposure plan: one-on-one (a mentor or a buddy) until "
						"the next step, not a group"));
		json_array_append_new(one, e);
	}
	json_object_set_new(answer, "exposure", plans);
	json_object_set_new(answer, "one_on_one", one);
	if (summary) {
		json_int_t u = json_integer_value(json_object_get(summary, "unplaced"));
		json_object_set_new(summary, "unplaced", json_integer(u - (json_int_t)moved));
		json_object_set_new(summary, "one_on_one", json_integer((json_int_t)moved));
	}
	return PL_OK;
}
