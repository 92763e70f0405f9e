/*
 * state_features.c: the state-space features of the risk model (docs/risk.md, "State-space
 * features"): a Kalman filter (peerlink/kalman.h) of one latent factor shared by a client's 0-10
 * self-reports, run forward over the client's own days.
 *
 * Model (a dynamic factor model with one factor, Harvey 1989, section 8.5; Durbin & Koopman
 * 2012, section 3.7): each reading, oriented so that higher is worse and put on a 0-10 scale
 * centred at mid-scale, is z_{m,t} = b_m + d_t + e_{m,t}: b_m the client's own baseline on the
 * measure (constant), d_t the shared deviation from it, an AR(1) with persistence PL_STATE_PHI and
 * stationary variance PL_STATE_VAR, e the reading's error (variance PL_STATE_NOISE). The state is
 * (d, b_1..b_M); each observed reading is one scalar update, a missing day only a prediction.
 * Features on day t (from readings up to day t only, so no look-ahead):
 *   state_baseline  mean_m b_m, the client's estimated baseline (who is high, not just who rose);
 *   state_level     mean_m b_m + d_t, the filtered level of the factor;
 *   state_sd        its standard deviation (little data, a long silence: an uncertain level).
 * Why fixed hyperparameters: nothing in them is estimated from any client's outcome or from the
 * cohort, so the features are computed once per client and cannot carry information across
 * cross-validation folds; the model's standardization and coefficients (fitted on training data)
 * do the rest. The values are weakly informative on a 0-10 scale: baselines within about 2 points
 * of mid-scale a priori, a daily reading error of 1 point, day-to-day swings of about 0.7 point
 * with a memory of a few days. Cost: O(days x measures x M^2) with M = 6.
 */
#include "features_int.h"

#include <peerlink/kalman.h>

#include <math.h>
#include <stdlib.h>

static const int factor_measures[] = { PL_M_CRAVING, PL_M_MOOD, PL_M_STRESS, PL_M_ANXIETY,
				       PL_M_SLEEP_QUALITY };
#define NFM (sizeof(factor_measures) / sizeof(factor_measures[0]))

pl_status pl__state_factor(const pl_client *c, const pl_catalogue *cat, long n, double *level,
			   double *sd, double *base, pl_error *err)
{
	const double q = PL_STATE_VAR * (1.0 - PL_STATE_PHI * PL_STATE_PHI);
	double cl[1 + NFM], cb[1 + NFM];
	pl_kalman k;
	pl_status st;

	if (n <= 0)
		return PL_OK;
	if ((st = pl_kalman_init(&k, 1 + NFM, err)) != PL_OK)
		return st;
	pl_kalman_set_prior(&k, 0, 0.0, PL_STATE_VAR);
	cl[0] = 1.0;
	cb[0] = 0.0;
	for (size_t j = 0; j < NFM; j++) {
		pl_kalman_set_prior(&k, 1 + j, 0.0, PL_STATE_BASE_VAR);
		cl[1 + j] = cb[1 + j] = 1.0 / (double)NFM;
	}
	for (long t = 0; t < n; t++) {
		if (t > 0)
			pl_kalman_predict(&k, 0, PL_STATE_PHI, q);
		for (size_t j = 0; t < (long)c->ndays && j < NFM; j++) {
			const pl_measure_def *def = &cat->defs[factor_measures[j]];
			double v = c->values[(size_t)factor_measures[j] * c->ndays + (size_t)t];
			double span = def->max - def->min;
			if (isnan(v) || !(span > 0))
				continue;
			gsl_vector_set_zero(k.h);
			gsl_vector_set(k.h, 0, 1.0);
			gsl_vector_set(k.h, 1 + j, 1.0);
			pl_kalman_update(&k, def->worse * (v - 0.5 * (def->min + def->max)) * 10.0 / span,
					 PL_STATE_NOISE, NULL);
		}
		level[t] = pl_kalman_mean_of(&k, cl);
		sd[t] = sqrt(fmax(0.0, pl_kalman_var_of(&k, cl)));
		base[t] = pl_kalman_mean_of(&k, cb);
	}
	pl_kalman_release(&k);
	return PL_OK;
}
