/*
 * risk_recipe.c: the `--features` option of risk evaluate (and of --compare's cv: models): a
 * named feature set, "auto" (every named set a candidate, one chosen per fold by nested
 * cross-validation), "average" (every named set, their models averaged: docs/risk.md, "Small
 * cohorts") or a comma-separated list of feature names (docs/risk.md, "Feature sets").
 *
 * Why the candidates share one list of features: every client is featurized once for the union
 * of the candidate sets, and each set is a list of its columns, so trying another set costs a
 * fit, not another pass over the check-ins.
 */
#define _POSIX_C_SOURCE 200809L
#include "risk_cli.h"

#include <stdlib.h>
#include <string.h>

void risk_recipe_release(risk_recipe *r)
{
	if (!r)
		return;
	free(r->features);
	free(r->set_first);
	free(r->set_cols);
	free(r->set_names);
	memset(r, 0, sizeof(*r));
}

static int same_feature(const pl_feature_spec *a, const pl_feature_spec *b)
{
	return a->kind == b->kind && a->measure == b->measure;
}

/* Column of feature f in r (appended when new); -1 when out of memory. */
static long column_of(risk_recipe *r, const pl_feature_spec *f, size_t *cap)
{
	for (size_t j = 0; j < r->nfeatures; j++)
		if (same_feature(&r->features[j], f))
			return (long)j;
	if (r->nfeatures == *cap) {
		size_t nc = *cap ? 2 * *cap : 64;
		pl_feature_spec *n = realloc(r->features, nc * sizeof(*n));
		if (!n)
			return -1;
		r->features = n;
		*cap = nc;
	}
	r->features[r->nfeatures] = *f;
	return (long)r->nfeatures++;
}

/* Every named set a candidate: the union of their features, each set a list of columns. */
static pl_status every_named_set(const pl_catalogue *cat, risk_recipe *r, pl_error *err)
{
	size_t ns = pl_feature_set_count(), cap = 0, ncols = 0;
	pl_status st = PL_OK;

	r->set_first = calloc(ns + 1, sizeof(size_t));
	r->set_names = calloc(ns, sizeof(char *));
	if (!r->set_first || !r->set_names)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t s = 0; st == PL_OK && s < ns; s++) {
		pl_feature_spec *f = NULL;
		size_t n = 0;
		size_t *cols;
		st = pl_features_named(pl_feature_set_name(s), cat, &f, &n, err);
		cols = st == PL_OK ? realloc(r->set_cols, (ncols + n + 1) * sizeof(size_t)) : NULL;
		if (st == PL_OK && !cols)
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		if (cols)
			r->set_cols = cols;
		r->set_first[s] = ncols;
		r->set_names[s] = pl_feature_set_name(s);
		for (size_t j = 0; st == PL_OK && j < n; j++) {
			long c = column_of(r, &f[j], &cap);
			if (c < 0)
				st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
			else
				r->set_cols[ncols++] = (size_t)c;
		}
		r->set_first[s + 1] = ncols;
		free(f);
	}
	r->nsets = ns;
	return st;
}

/* A comma-separated list of feature names, each once. */
static pl_status feature_list(const char *text, const pl_catalogue *cat, const char *option,
			      risk_recipe *r, pl_error *err)
{
	size_t cap = 0, item = 0;
	const char *p = text;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char name[96];
		pl_feature_spec f;
		pl_error ignored = PL_ERROR_INIT;
		item++;
		if (len == 0 || len >= sizeof(name))
			return pl_error_set(err, PL_ERR_USAGE, "", "option '--%s': item %zu is not a "
					    "feature name", option, item);
		memcpy(name, p, len);
		name[len] = '\0';
		if (pl_feature_parse(name, cat, "", &f, &ignored) != PL_OK)
			return pl_error_set(err, PL_ERR_USAGE, "",
					    "option '--%s' needs a feature set (default, compact, state, "
					    "auto or average) or a comma-separated list of feature names "
					    "(docs/risk.md); item %zu is neither", option, item);
		for (size_t j = 0; j < r->nfeatures; j++)
			if (same_feature(&r->features[j], &f))
				return pl_error_set(err, PL_ERR_USAGE, "", "option '--%s': item %zu "
						    "repeats a feature", option, item);
		if (column_of(r, &f, &cap) < 0)
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		if (!comma)
			return PL_OK;
		p = comma + 1;
	}
}

pl_status risk_recipe_features(const char *text, const pl_catalogue *cat, const char *option,
			       risk_recipe *r, pl_error *err)
{
	pl_error ignored = PL_ERROR_INIT;
	pl_status st;

	risk_recipe_release(r);
	if (strcmp(text, "auto") == 0 || strcmp(text, "average") == 0) {
		st = every_named_set(cat, r, err);
		r->average = strcmp(text, "average") == 0;
	}
	else if ((st = pl_features_named(text, cat, &r->features, &r->nfeatures, &ignored)) == PL_OK)
		st = PL_OK;
	else if (st == PL_ERR_NOMEM)
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	else
		st = feature_list(text, cat, option, r, err);
	if (st != PL_OK)
		risk_recipe_release(r);
	return st;
}
