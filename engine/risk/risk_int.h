/*
 * risk_int.h: training entry points for the library's own callers (the evaluation's folds).
 * Not part of the public API: what a library user sets is in pl_risk_train_options
 * (peerlink/risk.h); how several trainings running at once share threads is the engine's business.
 */
#ifndef PEERLINK_RISK_INT_H
#define PEERLINK_RISK_INT_H

#include <peerlink/risk.h>
#include "workers_int.h"

/* pl_risk_train_dist (comm NULL: this process alone, nclients = ds->nclients, as pl_risk_train)
 * with the fixed-penalty fits on up to o->threads threads, but only on the free ones of share
 * (NULL: o->threads of their own). The evaluation trains its folds side by side on one share
 * (pl__share_init), so that nested pools never run more than its threads at once. The model is
 * the same whatever the share and the number of threads. */
pl_status pl__risk_train_shared(const pl_risk_dataset *ds, size_t nclients, const pl_comm *comm,
				const pl_catalogue *cat, const pl_feature_spec *f,
				const pl_risk_train_options *o, pl_thread_share *share,
				pl_risk_model *m, pl_error *err);

#endif
