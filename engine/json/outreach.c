/*
 * outreach.c (JSON layer): the `peerlink outreach` request into pl_outreach_problem and the plan
 * back into a document (peerlink/json_outreach.h, docs/outreach.md).
 *
 * Ids are looked up through sorted copies (bsearch) so a program of thousands of clients reads in
 * n log n. Texts for people come from the risk answer itself (its signals' "text"), so the reason
 * given with an ask is the explanation the risk model already gave.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/json_outreach.h>
#include <peerlink/checkins.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON_SIGNALS 3 /* signal texts quoted in a reason */

static const char *const role_names[PL_OUTREACH_NROLES] = { "buddy", "mentor", "group_peer",
							     "facilitator" };
static const char *const tier_names[] = { NULL, "low", "moderate", "high", "contact" };
static const char *const day_names[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

void pl_json_outreach_init(pl_json_outreach *o)
{
	memset(o, 0, sizeof *o);
	pl_outreach_problem_init(&o->prob);
}

static void free_strings(char **s, size_t n)
{
	if (!s)
		return;
	for (size_t i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

void pl_json_outreach_release(pl_json_outreach *o)
{
	if (!o)
		return;
	free_strings(o->client_ids, o->prob.nclients);
	free_strings(o->client_reason, o->prob.nclients);
	free_strings(o->client_use_text, o->prob.nclients);
	free_strings(o->client_peer_action, o->prob.nclients);
	free_strings(o->client_care_action, o->prob.nclients);
	free_strings(o->supporter_ids, o->prob.nsupporters);
	free(o->clients);
	free(o->client_risk);
	free(o->supporters);
	free(o->links);
	pl_json_outreach_init(o);
}

static pl_status nomem(pl_error *err)
{
	return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory reading the outreach request");
}

/* ---- id lookup: a sorted array of (id, index) ---- */

typedef struct id_ref {
	const char *id;
	size_t index;
} id_ref;

static int cmp_ref(const void *a, const void *b)
{
	return strcmp(((const id_ref *)a)->id, ((const id_ref *)b)->id);
}

static long find_id(const id_ref *refs, size_t n, const char *id)
{
	id_ref key = { id, 0 };
	const id_ref *hit = n ? bsearch(&key, refs, n, sizeof *refs, cmp_ref) : NULL;
	return hit ? (long)hit->index : -1;
}

/* ---- the risk answer ---- */

static pl_outreach_tier parse_tier(const char *s)
{
	for (int t = PL_OUTREACH_TIER_LOW; t <= PL_OUTREACH_TIER_CONTACT; t++)
		if (strcmp(s, tier_names[t]) == 0)
			return (pl_outreach_tier)t;
	return PL_OUTREACH_TIER_NONE;
}

/* Append the "text" of the first REASON_SIGNALS entries of arr to buf ("a; b; c"). */
static size_t quote_texts(json_t *arr, char *buf, size_t size)
{
	size_t used = 0, quoted = 0;

	for (size_t k = 0; json_is_array(arr) && k < json_array_size(arr); k++) {
		const char *t = json_string_value(json_object_get(json_array_get(arr, k), "text"));
		if (!t || quoted == REASON_SIGNALS)
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s", quoted ? "; " : "", t);
		if (used >= size)
			used = size - 1;
		quoted++;
	}
	return quoted;
}

/* "text; text; text" from the first explanations (risk score's ranked reasons), else the first
 * signals (answers from before explanations existed), else the largest contribution, else the
 * tier. */
static char *make_reason(json_t *c, pl_outreach_tier tier)
{
	json_t *con = json_object_get(c, "contributions");
	char buf[1024] = "";

	if (quote_texts(json_object_get(c, "explanations"), buf, sizeof buf) == 0 &&
	    quote_texts(json_object_get(c, "signals"), buf, sizeof buf) == 0) {
		const char *f = json_is_array(con) ?
			json_string_value(json_object_get(json_array_get(con, 0), "feature")) : NULL;
		if (f)
			snprintf(buf, sizeof buf, "risk %s; largest contribution from %s",
				 tier ? tier_names[tier] : "not scored", f);
		else
			snprintf(buf, sizeof buf, "risk %s", tier ? tier_names[tier] : "not scored");
	}
	return strdup(buf);
}

/* The answer's suggested actions (models/actions.json): the first for a peer and the first for
 * the care team. 0, or -1 when out of memory. */
static int read_actions(json_t *arr, pl_json_outreach *o, size_t i)
{
	for (size_t k = 0; json_is_array(arr) && k < json_array_size(arr); k++) {
		json_t *a = json_array_get(arr, k);
		const char *who = json_string_value(json_object_get(a, "who"));
		const char *text = json_string_value(json_object_get(a, "action"));
		int peer;
		char **slot;
		if (!who || !text)
			continue;
		peer = strcmp(who, "buddy") == 0 || strcmp(who, "mentor") == 0 ||
		       strcmp(who, "peer") == 0;
		slot = peer ? &o->client_peer_action[i] : &o->client_care_action[i];
		if (!*slot && !(*slot = strdup(text)))
			return -1;
	}
	return 0;
}

/* One client of the risk answer: tier, risk, silence (days_since_checkin, else the
 * missed_checkins signal), reported use, suggested actions. */
static pl_status read_risk_client(json_t *c, const char *ptr, pl_json_outreach *o, size_t i,
				  pl_error *err)
{
	const char *id = NULL, *tier = NULL;
	double risk = NAN;
	json_t *sig = NULL;
	pl_status st;

	if (!json_is_object(c))
		return pl_error_set(err, PL_ERR_INVALID, ptr, "a risk answer client must be an object");
	st = pl_json_get_string(c, "id", ptr, 1, &id, err);
	if (st == PL_OK)
		st = pl_json_get_string(c, "tier", ptr, 0, &tier, err);
	if (st == PL_OK)
		st = pl_json_get_number(c, "risk", ptr, 0, &risk, err);
	if (st == PL_OK)
		st = pl_json_get_array(c, "signals", ptr, 0, &sig, err);
	if (st != PL_OK)
		return st;
	o->clients[i].tier = tier ? parse_tier(tier) : PL_OUTREACH_TIER_NONE;
	if (tier && o->clients[i].tier == PL_OUTREACH_TIER_NONE) {
		char p[PL_POINTER_MAX];
		return pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof p, ptr, "tier"),
				    "tier must be low, moderate, high or contact");
	}
	o->client_risk[i] = risk;
	/* days_since_checkin (risk score since issue 11) states the silence directly. */
	{
		json_t *ds = json_object_get(c, "days_since_checkin");
		if (json_is_number(ds) && json_number_value(ds) >= 0 && json_number_value(ds) < 1e9)
			o->clients[i].silent_days = (long)json_number_value(ds);
	}
	if (read_actions(json_object_get(c, "actions"), o, i) != 0)
		return nomem(err);
	for (size_t k = 0; sig && k < json_array_size(sig); k++) {
		json_t *s = json_array_get(sig, k);
		const char *kind = json_string_value(json_object_get(s, "kind"));
		json_t *days = json_object_get(s, "days");
		if (!kind)
			continue;
		/* risk score writes days as a number (14.0): accept any number of days */
		if (strcmp(kind, "missed_checkins") == 0 && json_is_number(days) &&
		    json_number_value(days) > (double)o->clients[i].silent_days &&
		    json_number_value(days) < 1e9)
			o->clients[i].silent_days = (long)json_number_value(days);
		if (strcmp(kind, "reported_use") == 0) {
			const char *t = json_string_value(json_object_get(s, "text"));
			o->clients[i].reported_use = 1;
			if (!o->client_use_text[i] && !(o->client_use_text[i] =
							strdup(t ? t : "reported use")))
				return nomem(err);
		}
	}
	if (!(o->client_ids[i] = strdup(id)) ||
	    !(o->client_reason[i] = make_reason(c, o->clients[i].tier)))
		return nomem(err);
	return PL_OK;
}

static pl_status read_risk(json_t *doc, pl_json_outreach *o, int32_t *latest, pl_error *err)
{
	json_t *risk = NULL, *cl = NULL;
	char ptr[PL_POINTER_MAX];
	size_t n;
	pl_status st = pl_json_get_object(doc, "risk", "", 1, &risk, err);

	if (st == PL_OK)
		st = pl_json_get_array(risk, "clients", "/risk", 1, &cl, err);
	if (st != PL_OK)
		return st;
	n = json_array_size(cl);
	o->clients = calloc(n + 1, sizeof *o->clients);
	o->client_ids = calloc(n + 1, sizeof(char *));
	o->client_reason = calloc(n + 1, sizeof(char *));
	o->client_use_text = calloc(n + 1, sizeof(char *));
	o->client_peer_action = calloc(n + 1, sizeof(char *));
	o->client_care_action = calloc(n + 1, sizeof(char *));
	o->client_risk = calloc(n + 1, sizeof(double));
	if (!o->clients || !o->client_ids || !o->client_reason || !o->client_use_text ||
	    !o->client_risk || !o->client_peer_action || !o->client_care_action)
		return nomem(err);
	o->prob.nclients = n;
	*latest = INT32_MIN;
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(cl, i);
		const char *as_of = NULL;
		int32_t day;
		pl_json_ptr_index(ptr, sizeof ptr, "/risk/clients", i);
		st = read_risk_client(c, ptr, o, i, err);
		if (st == PL_OK)
			st = pl_json_get_string(c, "as_of", ptr, 0, &as_of, err);
		if (st != PL_OK)
			return st;
		if (as_of && pl_date_parse(as_of, &day) == 0 && day > *latest)
			*latest = day;
	}
	return PL_OK;
}

/* ---- supporters: every id named as a supporter, sorted and unique ---- */

typedef struct id_list {
	const char **v;
	size_t n, cap;
} id_list;

static int push_id(id_list *l, const char *id)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		const char **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = id;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A string member at ptr, or an error naming it. */
static pl_status want_string(json_t *v, const char *ptr, const char *what, const char **out,
			     pl_error *err)
{
	if (!json_is_string(v))
		return pl_error_set(err, PL_ERR_INVALID, ptr, "%s must be a string id", what);
	*out = json_string_value(v);
	return PL_OK;
}

/* Every [a, b] pair of rel[key]: both strings, distinct. */
static pl_status check_pairs(json_t *arr, const char *ptr0, pl_error *err)
{
	char ptr[PL_POINTER_MAX];
	for (size_t k = 0; k < json_array_size(arr); k++) {
		json_t *p = json_array_get(arr, k);
		pl_json_ptr_index(ptr, sizeof ptr, ptr0, k);
		if (!json_is_array(p) || json_array_size(p) != 2 ||
		    !json_is_string(json_array_get(p, 0)) || !json_is_string(json_array_get(p, 1)))
			return pl_error_set(err, PL_ERR_INVALID, ptr, "each entry must be [id, id]");
		if (strcmp(json_string_value(json_array_get(p, 0)),
			   json_string_value(json_array_get(p, 1))) == 0)
			return pl_error_set(err, PL_ERR_INVALID, ptr, "an entry names one person twice");
	}
	return PL_OK;
}

typedef struct rels {
	json_t *buddies, *mentors, *groups, *supporters;
} rels;

static pl_status read_rels(json_t *doc, rels *r, pl_error *err)
{
	static const char *const keys[] = { "buddies", "mentors", "groups", NULL };
	static const char *const gkeys[] = { "id", "members", "facilitator", NULL };
	json_t *rel = NULL;
	char ptr[PL_POINTER_MAX], mp[PL_POINTER_MAX], ip[PL_POINTER_MAX];
	pl_status st = pl_json_get_object(doc, "relationships", "", 0, &rel, err);

	if (st == PL_OK)
		st = pl_json_get_array(doc, "supporters", "", 0, &r->supporters, err);
	if (st != PL_OK || !rel)
		return st;
	st = pl_json_check_keys(rel, "/relationships", keys, err);
	if (st == PL_OK)
		st = pl_json_get_array(rel, "buddies", "/relationships", 0, &r->buddies, err);
	if (st == PL_OK)
		st = pl_json_get_array(rel, "mentors", "/relationships", 0, &r->mentors, err);
	if (st == PL_OK)
		st = pl_json_get_array(rel, "groups", "/relationships", 0, &r->groups, err);
	if (st == PL_OK)
		st = check_pairs(r->buddies, "/relationships/buddies", err);
	if (st == PL_OK)
		st = check_pairs(r->mentors, "/relationships/mentors", err);
	for (size_t g = 0; st == PL_OK && g < json_array_size(r->groups); g++) {
		json_t *grp = json_array_get(r->groups, g), *mem = NULL;
		const char *s = NULL;
		pl_json_ptr_index(ptr, sizeof ptr, "/relationships/groups", g);
		if (!json_is_object(grp))
			return pl_error_set(err, PL_ERR_INVALID, ptr, "a group must be an object");
		st = pl_json_check_keys(grp, ptr, gkeys, err);
		if (st == PL_OK)
			st = pl_json_get_string(grp, "id", ptr, 0, &s, err);
		if (st == PL_OK)
			st = pl_json_get_string(grp, "facilitator", ptr, 0, &s, err);
		if (st == PL_OK)
			st = pl_json_get_array(grp, "members", ptr, 1, &mem, err);
		for (size_t k = 0; st == PL_OK && k < json_array_size(mem); k++) {
			pl_json_ptr(mp, sizeof mp, ptr, "members");
			pl_json_ptr_index(ip, sizeof ip, mp, k);
			st = want_string(json_array_get(mem, k), ip, "a member", &s, err);
		}
	}
	return st;
}

static pl_status collect_supporters(const rels *r, id_list *l, pl_error *err)
{
	char ptr[PL_POINTER_MAX];
	int bad = 0;
	for (size_t k = 0; k < json_array_size(r->buddies); k++)
		for (size_t s = 0; s < 2; s++)
			bad |= push_id(l, json_string_value(json_array_get(json_array_get(r->buddies, k), s)));
	for (size_t k = 0; k < json_array_size(r->mentors); k++)
		bad |= push_id(l, json_string_value(json_array_get(json_array_get(r->mentors, k), 1)));
	for (size_t g = 0; g < json_array_size(r->groups); g++) {
		json_t *grp = json_array_get(r->groups, g), *mem = json_object_get(grp, "members");
		const char *f = json_string_value(json_object_get(grp, "facilitator"));
		for (size_t k = 0; k < json_array_size(mem); k++)
			bad |= push_id(l, json_string_value(json_array_get(mem, k)));
		if (f)
			bad |= push_id(l, f);
	}
	for (size_t k = 0; k < json_array_size(r->supporters); k++) {
		json_t *s = json_array_get(r->supporters, k);
		const char *id = NULL;
		pl_status st;
		pl_json_ptr_index(ptr, sizeof ptr, "/supporters", k);
		if (!json_is_object(s))
			return pl_error_set(err, PL_ERR_INVALID, ptr, "a supporter must be an object");
		st = pl_json_get_string(s, "id", ptr, 1, &id, err);
		if (st != PL_OK)
			return st;
		bad |= push_id(l, id);
	}
	if (bad)
		return nomem(err);
	if (l->n)
		qsort(l->v, l->n, sizeof *l->v, cmp_str);
	{
		size_t u = 0;
		for (size_t k = 0; k < l->n; k++)
			if (u == 0 || strcmp(l->v[u - 1], l->v[k]) != 0)
				l->v[u++] = l->v[k];
		l->n = u;
	}
	return PL_OK;
}

static int weekday_of(int32_t day)
{
	/* 1970-01-01 (day 0) was a Thursday; Monday = 0. */
	return (int)(((day % 7) + 7 + 3) % 7);
}

/* "available": bool, or "days": ["mon", ...] against today's weekday. */
static pl_status read_availability(json_t *s, const char *ptr, int32_t today,
				   pl_outreach_supporter *p, pl_error *err)
{
	json_t *days = NULL;
	char dp[PL_POINTER_MAX];
	pl_status st = pl_json_get_bool(s, "available", ptr, 0, &p->available, err);

	if (st == PL_OK)
		st = pl_json_get_array(s, "days", ptr, 0, &days, err);
	if (st != PL_OK || !days)
		return st;
	pl_json_ptr(dp, sizeof dp, ptr, "days");
	if (json_object_get(s, "available"))
		return pl_error_set(err, PL_ERR_INVALID, dp, "give either available or days, not both");
	if (today == INT32_MIN)
		return pl_error_set(err, PL_ERR_INVALID, dp,
				    "days need a date: give today or a risk answer with as_of");
	p->available = 0;
	for (size_t k = 0; k < json_array_size(days); k++) {
		const char *d = json_string_value(json_array_get(days, k));
		int found = -1;
		for (int w = 0; d && w < 7; w++)
			if (strcmp(d, day_names[w]) == 0)
				found = w;
		if (found < 0) {
			char ip[PL_POINTER_MAX];
			pl_json_ptr_index(ip, sizeof ip, dp, k);
			return pl_error_set(err, PL_ERR_INVALID, ip,
					    "a day must be mon, tue, wed, thu, fri, sat or sun");
		}
		p->available |= found == weekday_of(today);
	}
	return PL_OK;
}

static pl_status read_supporters(const rels *r, const id_list *l, long budget, int32_t today,
				 const id_ref *crefs, pl_json_outreach *o, pl_error *err)
{
	static const char *const keys[] = { "id", "available", "days", "budget", "asks_this_week",
					    NULL };
	char ptr[PL_POINTER_MAX];
	unsigned char *seen;
	size_t m = l->n;

	o->supporters = calloc(m + 1, sizeof *o->supporters);
	o->supporter_ids = calloc(m + 1, sizeof(char *));
	seen = calloc(m + 1, 1);
	if (!o->supporters || !o->supporter_ids || !seen) {
		free(seen);
		return nomem(err);
	}
	o->prob.nsupporters = m;
	for (size_t s = 0; s < m; s++) {
		long c = find_id(crefs, o->prob.nclients, l->v[s]);
		o->supporters[s].available = 1;
		o->supporters[s].budget = budget;
		if (c >= 0) {
			o->supporters[s].tier = o->clients[c].tier;
			o->supporters[s].silent_days = o->clients[c].silent_days;
		}
		if (!(o->supporter_ids[s] = strdup(l->v[s]))) {
			free(seen);
			return nomem(err);
		}
	}
	for (size_t k = 0; k < json_array_size(r->supporters); k++) {
		json_t *s = json_array_get(r->supporters, k);
		const char *id = json_string_value(json_object_get(s, "id"));
		const char *const *hit = bsearch(&id, l->v, m, sizeof *l->v, cmp_str);
		size_t x = (size_t)(hit - l->v);
		long long b = budget, u = 0;
		pl_status st;
		pl_json_ptr_index(ptr, sizeof ptr, "/supporters", k);
		st = seen[x] ? pl_error_set(err, PL_ERR_INVALID, ptr, "supporter listed twice") :
			       pl_json_check_keys(s, ptr, keys, err);
		seen[x] = 1;
		if (st == PL_OK)
			st = read_availability(s, ptr, today, &o->supporters[x], err);
		if (st == PL_OK)
			st = pl_json_get_integer(s, "budget", ptr, 0, &b, err);
		if (st == PL_OK)
			st = pl_json_get_integer(s, "asks_this_week", ptr, 0, &u, err);
		if (st == PL_OK && (b < 0 || b > 1000000 || u < 0 || u > 1000000))
			st = pl_error_set(err, PL_ERR_INVALID, ptr,
					  "budget and asks_this_week must be in 0..1000000");
		if (st != PL_OK) {
			free(seen);
			return st;
		}
		o->supporters[x].budget = (long)b;
		o->supporters[x].used = (long)u;
	}
	free(seen);
	return PL_OK;
}

/* ---- links ---- */

static int add_link(pl_json_outreach *o, long client, long supporter, pl_outreach_role role)
{
	if (client < 0 || supporter < 0)
		return 0;
	if (o->prob.nlinks == o->nlinks_cap) {
		size_t cap = o->nlinks_cap ? 2 * o->nlinks_cap : 64;
		pl_outreach_link *v = realloc(o->links, cap * sizeof *v);
		if (!v)
			return -1;
		o->links = v;
		o->nlinks_cap = cap;
	}
	o->links[o->prob.nlinks].client = (size_t)client;
	o->links[o->prob.nlinks].supporter = (size_t)supporter;
	o->links[o->prob.nlinks].role = role;
	o->prob.nlinks++;
	return 0;
}

static long sup_index(const pl_json_outreach *o, const char *id)
{
	size_t lo = 0, hi = o->prob.nsupporters;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(o->supporter_ids[mid], id);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static pl_status make_links(const rels *r, const id_ref *crefs, pl_json_outreach *o,
			    pl_error *err)
{
	size_t n = o->prob.nclients;
	int bad = 0;
	for (size_t k = 0; k < json_array_size(r->buddies); k++) {
		json_t *p = json_array_get(r->buddies, k);
		const char *a = json_string_value(json_array_get(p, 0));
		const char *b = json_string_value(json_array_get(p, 1));
		bad |= add_link(o, find_id(crefs, n, a), sup_index(o, b), PL_OUTREACH_BUDDY);
		bad |= add_link(o, find_id(crefs, n, b), sup_index(o, a), PL_OUTREACH_BUDDY);
	}
	for (size_t k = 0; k < json_array_size(r->mentors); k++) {
		json_t *p = json_array_get(r->mentors, k);
		bad |= add_link(o, find_id(crefs, n, json_string_value(json_array_get(p, 0))),
				sup_index(o, json_string_value(json_array_get(p, 1))),
				PL_OUTREACH_MENTOR);
	}
	for (size_t g = 0; g < json_array_size(r->groups); g++) {
		json_t *grp = json_array_get(r->groups, g), *mem = json_object_get(grp, "members");
		const char *f = json_string_value(json_object_get(grp, "facilitator"));
		for (size_t a = 0; a < json_array_size(mem); a++) {
			const char *ia = json_string_value(json_array_get(mem, a));
			long c = find_id(crefs, n, ia);
			if (c < 0)
				continue;
			for (size_t b = 0; b < json_array_size(mem); b++) {
				const char *ib = json_string_value(json_array_get(mem, b));
				if (strcmp(ia, ib) != 0)
					bad |= add_link(o, c, sup_index(o, ib), PL_OUTREACH_GROUP_PEER);
			}
			if (f && strcmp(f, ia) != 0)
				bad |= add_link(o, c, sup_index(o, f), PL_OUTREACH_FACILITATOR);
		}
	}
	o->prob.links = o->links;
	return bad ? nomem(err) : PL_OK;
}

/* ---- options ---- */

static pl_status read_options(json_t *doc, pl_json_outreach *o, long *budget, int32_t *today,
			      pl_error *err)
{
	static const char *const wkeys[] = { "buddy", "mentor", "group_peer", "facilitator", NULL };
	json_t *w = NULL;
	const char *ask_from = NULL, *day = NULL;
	long long b = 2, lim = o->prob.silence_limit;
	pl_status st = pl_json_get_integer(doc, "budget_per_week", "", 0, &b, err);

	if (st == PL_OK && (b < 0 || b > 1000000))
		st = pl_error_set(err, PL_ERR_INVALID, "/budget_per_week", "must be in 0..1000000");
	if (st == PL_OK)
		st = pl_json_get_integer(doc, "silence_limit_days", "", 0, &lim, err);
	if (st == PL_OK && (lim < 0 || lim > 3650))
		st = pl_error_set(err, PL_ERR_INVALID, "/silence_limit_days", "must be in 0..3650");
	if (st == PL_OK)
		st = pl_json_get_string(doc, "ask_from", "", 0, &ask_from, err);
	if (st == PL_OK && ask_from) {
		pl_outreach_tier t = parse_tier(ask_from);
		if (t < PL_OUTREACH_TIER_MODERATE)
			st = pl_error_set(err, PL_ERR_INVALID, "/ask_from", "must be moderate or high");
		o->prob.ask_from = t;
	}
	if (st == PL_OK)
		st = pl_json_get_string(doc, "today", "", 0, &day, err);
	if (st == PL_OK && day && pl_date_parse(day, today) != 0)
		st = pl_error_set(err, PL_ERR_INVALID, "/today", "must be a date YYYY-MM-DD");
	if (st == PL_OK)
		st = pl_json_get_object(doc, "weights", "", 0, &w, err);
	if (st == PL_OK && w)
		st = pl_json_check_keys(w, "/weights", wkeys, err);
	for (int r = 0; st == PL_OK && w && r < PL_OUTREACH_NROLES; r++) {
		st = pl_json_get_number(w, role_names[r], "/weights", 0, &o->prob.weight[r], err);
		if (st == PL_OK && !(o->prob.weight[r] > 0 &&
				     o->prob.weight[r] <= PL_OUTREACH_WEIGHT_MAX)) {
			char p[PL_POINTER_MAX];
			st = pl_error_set(err, PL_ERR_INVALID, pl_json_ptr(p, sizeof p, "/weights",
									  role_names[r]),
					  "a closeness weight must be in (0, 1e6]");
		}
	}
	o->prob.silence_limit = (long)lim;
	*budget = (long)b;
	return st;
}

pl_status pl_json_read_outreach(json_t *doc, pl_json_outreach *o, pl_error *err)
{
	static const char *const keys[] = { "risk", "relationships", "supporters",
					    "budget_per_week", "silence_limit_days", "ask_from",
					    "weights", "today", "rematch", "program", NULL };
	rels r = { NULL, NULL, NULL, NULL };
	id_list l = { NULL, 0, 0 };
	id_ref *crefs = NULL;
	int32_t today = INT32_MIN, latest = INT32_MIN;
	long budget = 2;
	pl_status st;

	pl_json_outreach_init(o);
	st = pl_json_check_keys(doc, "", keys, err);
	if (st == PL_OK)
		st = read_options(doc, o, &budget, &today, err);
	if (st == PL_OK)
		st = read_risk(doc, o, &latest, err);
	if (st != PL_OK)
		goto out;
	if (today == INT32_MIN)
		today = latest;
	crefs = malloc((o->prob.nclients + 1) * sizeof *crefs);
	if (!crefs) {
		st = nomem(err);
		goto out;
	}
	for (size_t i = 0; i < o->prob.nclients; i++) {
		crefs[i].id = o->client_ids[i];
		crefs[i].index = i;
	}
	qsort(crefs, o->prob.nclients, sizeof *crefs, cmp_ref);
	for (size_t i = 1; i < o->prob.nclients; i++)
		if (strcmp(crefs[i - 1].id, crefs[i].id) == 0) {
			char p[PL_POINTER_MAX];
			size_t later = crefs[i].index > crefs[i - 1].index ? crefs[i].index :
									      crefs[i - 1].index;
			pl_json_ptr_index(p, sizeof p, "/risk/clients", later);
			st = pl_error_set(err, PL_ERR_INVALID, p, "client id %s listed twice",
					  crefs[i].id);
			goto out;
		}
	st = read_rels(doc, &r, err);
	if (st == PL_OK)
		st = collect_supporters(&r, &l, err);
	if (st == PL_OK)
		st = read_supporters(&r, &l, budget, today, crefs, o, err);
	if (st == PL_OK)
		st = make_links(&r, crefs, o, err);
out:
	o->prob.clients = o->clients;
	o->prob.supporters = o->supporters;
	free(crefs);
	free(l.v);
	return st;
}

/* ---- the plan as a document ---- */

static const char *action_for(const pl_json_outreach *o, size_t i)
{
	pl_outreach_tier tier = o->clients[i].tier;
	if (o->client_peer_action[i])
		return o->client_peer_action[i]; /* the risk answer's suggested action */
	if (tier == PL_OUTREACH_TIER_CONTACT)
		return "reach out today by their preferred channel: no check-in for a while";
	return tier == PL_OUTREACH_TIER_HIGH ?
		"call today and offer to meet; if they mention use or feeling unsafe, tell the care team" :
		"send a message or call today to check in";
}

static json_t *client_entry(const pl_json_outreach *o, size_t i)
{
	json_t *e = json_object();
	pl_outreach_tier t = o->clients[i].tier;
	json_object_set_new(e, "client", json_string(o->client_ids[i]));
	json_object_set_new(e, "tier", t ? json_string(tier_names[t]) : json_null());
	json_object_set_new(e, "risk", isnan(o->client_risk[i]) ? json_null() :
				       json_real(o->client_risk[i]));
	return e;
}

static void add_asks_and_clinician(const pl_json_outreach *o, const pl_outreach_result *res,
				   json_t *asks, json_t *clin, json_t *unreached)
{
	char buf[160];
	for (size_t i = 0; i < o->prob.nclients; i++) {
		pl_outreach_status s = res->status[i];
		json_t *e;
		if (s == PL_OUTREACH_NOTHING)
			continue;
		e = client_entry(o, i);
		if (s == PL_OUTREACH_ASKED) {
			json_object_set_new(e, "supporter",
					    json_string(o->supporter_ids[res->supporter[i]]));
			json_object_set_new(e, "role", json_string(role_names[res->role[i]]));
			json_object_set_new(e, "reason", json_string(o->client_reason[i]));
			json_object_set_new(e, "action", json_string(action_for(o, i)));
			json_array_append_new(asks, e);
		} else if (s == PL_OUTREACH_CLINICIAN_USE || s == PL_OUTREACH_CLINICIAN_SILENCE) {
			if (s == PL_OUTREACH_CLINICIAN_USE) {
				json_object_set_new(e, "why", json_string("high risk with reported use"));
				json_object_set_new(e, "reason", json_string(o->client_use_text[i]));
			} else {
				snprintf(buf, sizeof buf, "no check-in for %ld days (limit %ld)",
					 o->clients[i].silent_days, o->prob.silence_limit);
				json_object_set_new(e, "why", json_string("silent beyond the limit"));
				json_object_set_new(e, "reason", json_string(buf));
			}
			json_object_set_new(e, "action",
					    json_string("a clinician contacts them today, not a peer"));
			if (o->client_care_action[i])
				json_object_set_new(e, "suggested",
						    json_string(o->client_care_action[i]));
			json_array_append_new(clin, e);
		} else {
			const char *why =
				s == PL_OUTREACH_UNREACHED_NO_LINK ?
					"no buddy, mentor, group peer or facilitator on record" :
				s == PL_OUTREACH_UNREACHED_INELIGIBLE ?
					"every linked supporter is protected, unavailable or out of budget today" :
					"the budgets of their eligible supporters went to other clients";
			json_object_set_new(e, "why", json_string(why));
			json_object_set_new(e, "reason", json_string(o->client_reason[i]));
			json_array_append_new(unreached, e);
		}
	}
}

json_t *pl_json_write_outreach(const pl_json_outreach *o, const pl_outreach_result *res)
{
	json_t *doc = json_object(), *asks = json_array(), *clin = json_array();
	json_t *over = json_array(), *excl = json_array(), *unreached = json_array();

	if (!doc || !asks || !clin || !over || !excl || !unreached) {
		json_decref(doc);
		json_decref(asks);
		json_decref(clin);
		json_decref(over);
		json_decref(excl);
		json_decref(unreached);
		return NULL;
	}
	add_asks_and_clinician(o, res, asks, clin, unreached);
	for (size_t s = 0; s < o->prob.nsupporters; s++) {
		pl_outreach_exclusion x = res->exclusion[s];
		json_t *e;
		if (x == PL_OUTREACH_ELIGIBLE)
			continue;
		e = json_object();
		json_object_set_new(e, "supporter", json_string(o->supporter_ids[s]));
		if (x == PL_OUTREACH_NO_BUDGET) {
			json_object_set_new(e, "asks_this_week",
					    json_integer(o->supporters[s].used));
			json_object_set_new(e, "budget", json_integer(o->supporters[s].budget));
			json_array_append_new(over, e);
			continue;
		}
		json_object_set_new(e, "why",
				    json_string(x == PL_OUTREACH_HIGH_RISK ? "own risk is high: protected" :
						x == PL_OUTREACH_SILENT ? "silent beyond the limit themselves" :
									  "not available today"));
		json_array_append_new(excl, e);
	}
	json_object_set_new(doc, "asks", asks);
	json_object_set_new(doc, "needs_clinician", clin);
	json_object_set_new(doc, "over_budget", over);
	json_object_set_new(doc, "excluded_supporters", excl);
	json_object_set_new(doc, "unreached", unreached);
	return doc;
}
