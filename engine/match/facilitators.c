/*
 * facilitators.c: staff support groups with facilitators, exactly, as a min-cost maximum flow
 * (peerlink/facilitators.h says what is optimised and why this graph models it).
 *
 * Programs have tens of groups and facilitators, so successive shortest paths with Bellman-Ford
 * (negative costs are allowed on the residual graph, no potentials needed) are fast enough and
 * short enough to check by eye; the unit test compares them with brute force.
 */
#include <peerlink/facilitators.h>

#include <limits.h>
#include <stdlib.h>

void pl_fac_result_release(pl_fac_result *res)
{
	if (!res)
		return;
	free(res->facilitator);
	free(res->covered);
	free(res->reason);
	res->facilitator = NULL;
	res->covered = NULL;
	res->reason = NULL;
	res->ngroups = res->staffed = res->skills_covered = res->preferred = 0;
}

static int has_code(const int *v, size_t n, int code)
{
	for (size_t k = 0; k < n; k++)
		if (v[k] == code)
			return 1;
	return 0;
}

int pl_fac_eligible(const pl_fac_facilitator *f, const pl_fac_group *g, size_t *covered)
{
	size_t c = 0;
	if (g->role != PL_FAC_ANY && g->role != f->role)
		return 0;
	if (g->language != PL_FAC_ANY && !has_code(f->languages, f->nlanguages, g->language))
		return 0;
	if (g->slot != PL_FAC_ANY && !has_code(f->slots, f->nslots, g->slot))
		return 0;
	for (size_t k = 0; k < g->nskills; k++)
		c += has_code(f->skills, f->nskills, g->skills[k]);
	if (covered)
		*covered = c;
	return 1;
}

/* ---- a small residual graph ---- */

typedef struct edge {
	size_t to;
	long cap;
	long long cost;
} edge;

typedef struct graph {
	edge *e; /* edge k and its reverse k ^ 1 */
	size_t ne, cap_e;
	size_t *from;
	size_t nv;
} graph;

static int add_edge(graph *g, size_t u, size_t v, long cap, long long cost)
{
	if (g->ne + 2 > g->cap_e) {
		size_t c = g->cap_e ? 2 * g->cap_e : 256;
		edge *e = realloc(g->e, c * sizeof *e);
		size_t *f = realloc(g->from, c * sizeof *f);
		if (e)
			g->e = e;
		if (f)
			g->from = f;
		if (!e || !f)
			return -1;
		g->cap_e = c;
	}
	g->e[g->ne] = (edge){ v, cap, cost };
	g->from[g->ne++] = u;
	g->e[g->ne] = (edge){ u, 0, -cost };
	g->from[g->ne++] = v;
	return 0;
}

/* One augmenting path of least cost from s to t (Bellman-Ford); 0 when none is left. */
static int augment(graph *g, size_t s, size_t t, long long *dist, long *via)
{
	for (size_t v = 0; v < g->nv; v++) {
		dist[v] = LLONG_MAX;
		via[v] = -1;
	}
	dist[s] = 0;
	for (size_t round = 0; round < g->nv; round++) {
		int changed = 0;
		for (size_t k = 0; k < g->ne; k++) {
			size_t u = g->from[k];
			if (g->e[k].cap <= 0 || dist[u] == LLONG_MAX)
				continue;
			if (dist[u] + g->e[k].cost < dist[g->e[k].to]) {
				dist[g->e[k].to] = dist[u] + g->e[k].cost;
				via[g->e[k].to] = (long)k;
				changed = 1;
			}
		}
		if (!changed)
			break;
	}
	if (dist[t] == LLONG_MAX)
		return 0;
	/* Every path from s crosses a unit-capacity group edge: push one unit. */
	for (size_t v = t; v != s; v = g->from[via[v]]) {
		g->e[via[v]].cap -= 1;
		g->e[via[v] ^ 1].cap += 1;
	}
	return 1;
}

/* Nodes: 0 source, 1..G groups, then per facilitator its slot nodes, a no-slot node and itself,
 * then the sink. gedge[g][f] is the edge index of g -> f's slot node, or -1. */
static pl_status build(graph *gr, const pl_fac_facilitator *fac, size_t nf,
		       const pl_fac_group *grp, size_t ng, long *gedge, size_t *sink)
{
	size_t v = 1 + ng;
	size_t *base = malloc((nf + 1) * sizeof(size_t));
	int bad = 0;

	if (!base)
		return PL_ERR_NOMEM;
	for (size_t f = 0; f < nf; f++) {
		base[f] = v; /* slot nodes base..base+nslots-1, no-slot node, then f itself */
		v += fac[f].nslots + 2;
	}
	*sink = v;
	gr->nv = v + 1;
	for (size_t g = 0; g < ng; g++)
		bad |= grp[g].active ? add_edge(gr, 0, 1 + g, 1, 0) : 0;
	for (size_t f = 0; f < nf; f++) {
		size_t self = base[f] + fac[f].nslots + 1;
		for (size_t k = 0; k < fac[f].nslots; k++)
			bad |= add_edge(gr, base[f] + k, self, 1, 0);
		bad |= add_edge(gr, base[f] + fac[f].nslots, self, (long)ng, 0);
		bad |= add_edge(gr, self, *sink, fac[f].limit, 0);
	}
	for (size_t g = 0; g < ng; g++)
		for (size_t f = 0; f < nf; f++) {
			size_t cov, node = base[f] + fac[f].nslots;
			long long w;
			gedge[g * nf + f] = -1;
			if (!grp[g].active || !pl_fac_eligible(&fac[f], &grp[g], &cov))
				continue;
			if (grp[g].slot != PL_FAC_ANY)
				for (size_t k = 0; k < fac[f].nslots; k++)
					if (fac[f].slots[k] == grp[g].slot) {
						node = base[f] + k;
						break;
					}
			w = (long long)cov * (long long)(ng + 1) + (grp[g].preferred == (long)f);
			gedge[g * nf + f] = (long)gr->ne;
			bad |= add_edge(gr, 1 + g, node, 1, -w);
		}
	free(base);
	return bad ? PL_ERR_NOMEM : PL_OK;
}

static pl_fac_reason why_unstaffed(const pl_fac_facilitator *fac, size_t nf, const pl_fac_group *g)
{
	int role = 0, lang = 0, slot = 0;
	for (size_t f = 0; f < nf; f++) {
		if (g->role != PL_FAC_ANY && g->role != fac[f].role)
			continue;
		role = 1;
		if (g->language != PL_FAC_ANY &&
		    !has_code(fac[f].languages, fac[f].nlanguages, g->language))
			continue;
		lang = 1;
		if (g->slot != PL_FAC_ANY && !has_code(fac[f].slots, fac[f].nslots, g->slot))
			continue;
		slot = 1;
	}
	return !role ? PL_FAC_NO_ROLE : !lang ? PL_FAC_NO_LANGUAGE : !slot ? PL_FAC_NO_SLOT :
								       PL_FAC_TAKEN;
}

pl_status pl_fac_assign(const pl_fac_facilitator *fac, size_t nf, const pl_fac_group *grp,
			size_t ng, pl_fac_result *res, pl_error *err)
{
	graph gr = { NULL, 0, 0, NULL, 0 };
	long *gedge = NULL, *via = NULL;
	long long *dist = NULL;
	size_t sink = 0;
	pl_status st = PL_OK;

	*res = (pl_fac_result)PL_FAC_RESULT_INIT;
	for (size_t f = 0; f < nf; f++)
		if (fac[f].limit < 0)
			return pl_error_set(err, PL_ERR_INVALID, "", "facilitator %zu: negative limit", f);
	for (size_t g = 0; g < ng; g++)
		if (grp[g].preferred < -1 || grp[g].preferred >= (long)nf)
			return pl_error_set(err, PL_ERR_INVALID, "", "group %zu: preferred out of range",
					    g);
	res->ngroups = ng;
	res->facilitator = malloc((ng + 1) * sizeof(long));
	res->covered = calloc(ng + 1, sizeof(size_t));
	res->reason = calloc(ng + 1, sizeof(pl_fac_reason));
	gedge = malloc((ng * nf + 1) * sizeof(long));
	if (!res->facilitator || !res->covered || !res->reason || !gedge ||
	    build(&gr, fac, nf, grp, ng, gedge, &sink) != PL_OK ||
	    !(dist = malloc(gr.nv * sizeof *dist)) || !(via = malloc(gr.nv * sizeof *via))) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory staffing the groups");
		goto out;
	}
	while (augment(&gr, 0, sink, dist, via))
		;
	for (size_t g = 0; g < ng; g++) {
		res->facilitator[g] = -1;
		for (size_t f = 0; f < nf; f++) {
			long k = gedge[g * nf + f];
			if (k >= 0 && gr.e[k].cap == 0) {
				res->facilitator[g] = (long)f;
				pl_fac_eligible(&fac[f], &grp[g], &res->covered[g]);
				res->staffed++;
				res->skills_covered += res->covered[g];
				res->preferred += grp[g].preferred == (long)f;
			}
		}
		if (res->facilitator[g] < 0)
			res->reason[g] = grp[g].active ? why_unstaffed(fac, nf, &grp[g]) :
							 PL_FAC_INACTIVE;
	}
out:
	if (st != PL_OK)
		pl_fac_result_release(res);
	free(gr.e);
	free(gr.from);
	free(gedge);
	free(dist);
	free(via);
	return st;
}

pl_status pl_fac_staff_formed(const pl_fac_facilitator *fac, size_t nfac, pl_fac_group *groups,
			      const pl_groups_result *formed, pl_fac_result *res, pl_error *err)
{
	for (size_t g = 0; g < formed->ngroups; g++)
		groups[g].active = formed->group_status[g] == PL_GROUPS_FORMED;
	return pl_fac_assign(fac, nfac, groups, formed->ngroups, res, err);
}
