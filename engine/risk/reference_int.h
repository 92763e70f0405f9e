/*
 * reference_int.h: the two references of `risk evaluate` on generated data (reference.c): the
 * observable reference (a Kalman filter of the generator's latent state with its structural
 * parameters, no client-level truth) and the full-information oracle (Monte Carlo from
 * everything the generator knows). Not part of the public API.
 */
#ifndef PEERLINK_REFERENCE_INT_H
#define PEERLINK_REFERENCE_INT_H

#include <peerlink/evaluate.h>
#include <peerlink/gen.h>

/* The observable reference's P(lapse on days t+1 .. t+horizon) for every grid day t of c
 * (risk: c->ndays entries), from the readings, reported use, medication and lapse events up to
 * day t only. age_band: the generator's age band index, -1 when unknown. */
pl_status pl__reference_observable(const pl_gen_checkins_params *p, const pl_client *c,
				   int age_band, int horizon, double *risk, pl_error *err);

/* Both references on the evaluation's rows (client i's rows row_first[i] .. row_first[i+1],
 * their day numbers in day[]): observable (when p is given) and full information (when
 * o->generator_seed_given: the cohort is drawn again from the seed, every client checked
 * against its truth.hazard). NULL outputs are skipped. Deterministic whatever the threads. */
pl_status pl__eval_references(const pl_eval_set *s, const pl_eval_options *o,
			      const size_t *row_first, const int32_t *day, int horizon,
			      int threads, double *observable, double *full, pl_error *err);

#endif
