/*
 * model_measures.c: a risk model applied to data whose measures differ from the ones it was
 * trained with (issue 12, "Real data").
 *
 * Why: imported EMA data always has measures of its own (pain, worry, tired, ...). A model that
 * does not use them must still score the data: its catalogue is widened to the data's (the
 * model's measures keep their indices, so its feature specs stay valid) and the extra measures
 * simply do not enter the risk. A model whose features read a measure that no client reports
 * would silently impute every such feature to its training mean; that is an input error instead.
 */
#include <peerlink/risk.h>

#include <math.h>
#include <string.h>

pl_status pl_risk_model_widen_catalogue(pl_risk_model *m, const pl_catalogue *data, pl_error *err)
{
	pl_catalogue wide = PL_CATALOGUE_INIT;
	pl_status st;

	if (data->n < m->catalogue.n)
		return pl_error_set(err, PL_ERR_INTERNAL, "",
				    "the data's catalogue lacks some of the model's measures");
	for (size_t k = 0; k < m->catalogue.n; k++) {
		const pl_measure_def *a = &m->catalogue.defs[k], *b = &data->defs[k];
		if (strcmp(a->name, b->name) != 0 || a->min != b->min || a->max != b->max ||
		    a->worse != b->worse || a->boolean != b->boolean)
			return pl_error_set(err, PL_ERR_INTERNAL, "",
					    "the data's catalogue does not start with the model's");
	}
	if (data->n == m->catalogue.n)
		return PL_OK;
	st = pl_catalogue_copy(&wide, data, err);
	if (st != PL_OK)
		return st;
	pl_catalogue_release(&m->catalogue);
	m->catalogue = wide;
	return PL_OK;
}

int pl_risk_model_uses_measure(const pl_risk_model *m, int measure)
{
	for (size_t j = 0; j < m->nfeatures; j++)
		if (m->features[j].measure == measure)
			return 1;
	return 0;
}

pl_status pl_risk_model_check_reported(const pl_risk_model *m, const unsigned char *reported,
				       const char *ptr, pl_error *err)
{
	for (size_t j = 0; j < m->nfeatures; j++) {
		int k = m->features[j].measure;
		char name[2 * PL_MEASURE_NAME_MAX];
		if (k < 0 || (size_t)k >= m->catalogue.n || reported[k])
			continue;
		pl_feature_name(&m->features[j], &m->catalogue, name, sizeof(name));
		return pl_error_set(err, PL_ERR_INVALID, ptr,
				    "the model's feature '%s' needs the measure '%s', which no client "
				    "reports",
				    name, m->catalogue.defs[k].name);
	}
	return PL_OK;
}

void pl_client_mark_reported(const pl_client *c, unsigned char *reported)
{
	for (size_t k = 0; k < c->nmeasures; k++) {
		const double *x = c->values + k * c->ndays;
		for (size_t d = 0; !reported[k] && d < c->ndays; d++)
			if (!isnan(x[d]))
				reported[k] = 1;
	}
}
