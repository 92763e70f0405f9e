/*
 * rng.c: one generator per seeded purpose, through GSL's gsl_rng interface (peerlink/rng.h
 * documents the streams). splitmix64 is registered as a gsl_rng_type so that the fold streams
 * risk train has always drawn stay the same numbers while going through the same interface as
 * GSL's own generators.
 */
#include <peerlink/rng.h>

#include <stdint.h>
#include <stdlib.h>

_Static_assert(sizeof(unsigned long) == sizeof(uint64_t),
	       "the splitmix64 gsl_rng type needs a 64-bit unsigned long");

static void splitmix_set(void *state, unsigned long seed)
{
	*(uint64_t *)state = (uint64_t)seed;
}

/* Steele, Lea & Flood 2014: a Weyl sequence through a 64-bit mixing function. */
static unsigned long splitmix_get(void *state)
{
	uint64_t z = (*(uint64_t *)state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (unsigned long)(z ^ (z >> 31));
}

/* The top 53 bits as a double in [0, 1). */
static double splitmix_get_double(void *state)
{
	return (double)(splitmix_get(state) >> 11) * (1.0 / 9007199254740992.0);
}

static const gsl_rng_type splitmix64_type = {
	"splitmix64", 0xffffffffffffffffUL, 0, sizeof(uint64_t),
	splitmix_set, splitmix_get, splitmix_get_double
};

const gsl_rng_type *const pl_rng_splitmix64 = &splitmix64_type;

gsl_rng *pl_rng_new(unsigned long seed, pl_rng_stream stream)
{
	const gsl_rng_type *type;
	gsl_rng *r;

	switch (stream) {
	case PL_RNG_TRAIN_FOLDS:
		type = pl_rng_splitmix64;
		seed ^= 0x5eed5eedUL;
		break;
	case PL_RNG_EVAL_FOLDS:
	case PL_RNG_BOOTSTRAP:
	case PL_RNG_EWS_SURROGATES:
	case PL_RNG_GEN_CHECKINS:
	case PL_RNG_GEN_PROFILES:
		type = gsl_rng_mt19937;
		break;
	default:
		return NULL;
	}
	/* What gsl_rng_alloc does, without its call to the error handler when memory runs out. */
	r = malloc(sizeof(*r));
	if (!r)
		return NULL;
	r->type = type;
	r->state = calloc(1, type->size);
	if (!r->state) {
		free(r);
		return NULL;
	}
	gsl_rng_set(r, seed);
	return r;
}

void pl_rng_free(gsl_rng *r)
{
	if (!r)
		return;
	free(r->state);
	free(r);
}
