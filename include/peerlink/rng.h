/*
 * peerlink/rng.h: the random numbers of every seeded computation come from GSL's gsl_rng
 * interface, one generator per purpose (a "stream"), so that adding draws to one purpose never
 * shifts another and the same seed gives the same answer on every platform.
 *
 * Streams (generator, and the state a request's seed s gives it):
 *   PL_RNG_TRAIN_FOLDS     splitmix64, s XOR 0x5eed5eed: risk train's client folds
 *                          (pl_risk_assign_folds: gsl_ran_shuffle, dealt round robin)
 *   PL_RNG_EVAL_FOLDS      mt19937, s: risk evaluate --cv's client folds (the same assigner)
 *   PL_RNG_BOOTSTRAP       mt19937, pl_rng_substream_seed(s, b) for replicate b: the metrics'
 *                          cluster bootstrap (clients drawn with gsl_rng_uniform_int), one
 *                          generator per replicate so that replicates can run on any thread
 *   PL_RNG_EWS_SURROGATES  mt19937, s: risk ews's AR(1) and phase surrogates
 *   PL_RNG_GEN_CHECKINS    mt19937, s: dataset generate checkins (clients drawn one after the
 *                          other, each in the fixed order of gen_checkins.c)
 *   PL_RNG_GEN_PROFILES    mt19937, s: dataset generate profiles (communities, then people)
 *   PL_RNG_RANDOM_ALERTS   mt19937, s: risk evaluate's random-alert null (one uniform per row,
 *                          in row order)
 *   PL_RNG_ORACLE          splitmix64, pl_rng_substream_seed(s, i) for client i: the futures of
 *                          risk evaluate's full-information oracle (s = --generator-seed), one
 *                          generator per client so that clients can run on any thread
 * (match groups keeps its own splitmix64 streams per restart: groups.h.)
 *
 * pl_rng_new allocates the generator itself: gsl_rng_alloc's out-of-memory path calls GSL's
 * process-wide error handler, whose default aborts, and the library never aborts its caller.
 * For the same reason pl_rng_discrete_new replaces gsl_ran_discrete_preproc (which calls the
 * handler on bad weights and dereferences a failed malloc): it builds the same table, so
 * gsl_ran_discrete draws the same values from it.
 * Ownership: pl_rng_free (NULL is fine) releases what pl_rng_new returned, pl_rng_discrete_free
 * (NULL is fine) what pl_rng_discrete_new returned.
 */
#ifndef PEERLINK_RNG_H
#define PEERLINK_RNG_H

#include <stddef.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pl_rng_stream {
	PL_RNG_TRAIN_FOLDS = 0,
	PL_RNG_EVAL_FOLDS,
	PL_RNG_BOOTSTRAP,
	PL_RNG_EWS_SURROGATES,
	PL_RNG_GEN_CHECKINS,
	PL_RNG_GEN_PROFILES,
	PL_RNG_RANDOM_ALERTS,
	PL_RNG_ORACLE,
	PL_RNG_NSTREAMS
} pl_rng_stream;

/* splitmix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA
 * 2014) as a gsl_rng_type: 64-bit outputs, the state one 64-bit word. */
extern const gsl_rng_type *const pl_rng_splitmix64;

/* The generator of `stream` seeded from `seed` as the table above says; NULL when out of memory
 * or for an unknown stream. */
gsl_rng *pl_rng_new(unsigned long seed, pl_rng_stream stream);
void pl_rng_free(gsl_rng *r);
/* The seed of substream `index` of a seed (independent replicates drawn in any order): the
 * splitmix64 output function of seed + (index + 1) * 0x9e3779b97f4a7c15, cut to 32 bits (what
 * mt19937 reads). */
unsigned long pl_rng_substream_seed(unsigned long seed, unsigned long index);

/* Walker's alias table (Walker 1977, ACM TOMS 3(3):253-256) for drawing 0..k-1 with probability
 * proportional to w[0..k) through gsl_ran_discrete: built exactly as gsl_ran_discrete_preproc
 * builds it (smaller and larger columns paired last-in first-out, the same arithmetic), so a
 * seeded draw is the same number. NULL when k is 0, a weight is negative or not finite, all are
 * 0, or memory runs out; GSL's error handler is never called. */
gsl_ran_discrete_t *pl_rng_discrete_new(size_t k, const double *w);
void pl_rng_discrete_free(gsl_ran_discrete_t *d);

#ifdef __cplusplus
}
#endif
#endif
