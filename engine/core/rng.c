/*
 * rng.c: one generator per seeded purpose, through GSL's gsl_rng interface (peerlink/rng.h
 * documents the streams). splitmix64 is registered as a gsl_rng_type so that the fold streams
 * risk train has always drawn stay the same numbers while going through the same interface as
 * GSL's own generators.
 */
#include <peerlink/rng.h>

#include <math.h>
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
	case PL_RNG_ORACLE:
		type = pl_rng_splitmix64;
		break;
	case PL_RNG_EVAL_FOLDS:
	case PL_RNG_BOOTSTRAP:
	case PL_RNG_EWS_SURROGATES:
	case PL_RNG_GEN_CHECKINS:
	case PL_RNG_GEN_PROFILES:
	case PL_RNG_RANDOM_ALERTS:
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

/* The alias table is filled column by column: a column whose share is below the mean 1/k (a
 * "small" one) is topped up from a "large" one, and the large one's remainder goes back to the
 * small or large stack; columns are taken last-in first-out from stacks filled in index order,
 * which is what makes the table (and so every seeded draw) the same as GSL's. */
static void alias_fill(gsl_ran_discrete_t *d, double *e, size_t *small, size_t *large)
{
	size_t k = d->K, ns = 0, nl = 0;
	double mean = 1.0 / (double)k;

	for (size_t i = 0; i < k; i++) {
		if (e[i] < mean)
			small[ns++] = i;
		else
			large[nl++] = i;
	}
	while (ns > 0) {
		size_t s = small[--ns], l;
		double gap;
		if (nl == 0) { /* rounding left a small column with nothing to pair: it keeps itself */
			small[ns++] = s;
			break;
		}
		l = large[--nl];
		d->A[s] = l;
		d->F[s] = (double)k * e[s];
		gap = mean - e[s];
		e[s] += gap;
		e[l] -= gap;
		if (e[l] < mean) {
			small[ns++] = l;
		} else if (e[l] > mean) {
			large[nl++] = l;
		} else {
			d->A[l] = l;
			d->F[l] = 1.0;
		}
	}
	while (ns > 0) {
		size_t s = small[--ns];
		d->A[s] = s;
		d->F[s] = 1.0;
	}
	while (nl > 0) {
		size_t l = large[--nl];
		d->A[l] = l;
		d->F[l] = 1.0;
	}
	/* gsl_ran_discrete reads F[c] as (c + share) / k */
	for (size_t i = 0; i < k; i++)
		d->F[i] = (d->F[i] + (double)i) / (double)k;
}

gsl_ran_discrete_t *pl_rng_discrete_new(size_t k, const double *w)
{
	gsl_ran_discrete_t *d;
	double total = 0, *e;
	size_t *small, *large;

	if (k == 0 || k > ((size_t)-1) / (2 * sizeof(double)))
		return NULL;
	for (size_t i = 0; i < k; i++) {
		if (!(w[i] >= 0) || !isfinite(w[i]))
			return NULL;
		total += w[i];
	}
	if (!(total > 0) || !isfinite(total))
		return NULL;
	d = calloc(1, sizeof(*d));
	e = malloc(k * sizeof(double));
	small = malloc(k * sizeof(size_t));
	large = malloc(k * sizeof(size_t));
	if (d) {
		d->K = k;
		d->A = malloc(k * sizeof(size_t));
		d->F = malloc(k * sizeof(double));
	}
	if (d && d->A && d->F && e && small && large) {
		for (size_t i = 0; i < k; i++)
			e[i] = w[i] / total;
		alias_fill(d, e, small, large);
	} else {
		pl_rng_discrete_free(d);
		d = NULL;
	}
	free(e);
	free(small);
	free(large);
	return d;
}

void pl_rng_discrete_free(gsl_ran_discrete_t *d)
{
	if (!d)
		return;
	free(d->A);
	free(d->F);
	free(d);
}

unsigned long pl_rng_substream_seed(unsigned long seed, unsigned long index)
{
	uint64_t z = (uint64_t)seed + ((uint64_t)index + 1) * 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (unsigned long)(z & 0xffffffffUL);
}
