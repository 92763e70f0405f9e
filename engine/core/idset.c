/*
 * idset.c: a set of strings by open addressing with linear probing (Knuth, TAOCP vol. 3,
 * sec. 6.4, algorithm L), hashed with 64-bit FNV-1a, grown to keep the load at most one half.
 * Used to reject a repeated client id while clients stream through (peerlink/idset.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/idset.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* Slot of id, or of the empty slot where it belongs. */
static size_t probe(char *const *slots, size_t nslots, const char *id)
{
	size_t k = (size_t)fnv1a(id) & (nslots - 1);
	while (slots[k] && strcmp(slots[k], id) != 0)
		k = (k + 1) & (nslots - 1);
	return k;
}

static int grow(pl_idset *s)
{
	size_t nn = s->nslots ? 2 * s->nslots : 64;
	char **ns = calloc(nn, sizeof(*ns));

	if (!ns)
		return -1;
	for (size_t k = 0; k < s->nslots; k++)
		if (s->slots[k])
			ns[probe(ns, nn, s->slots[k])] = s->slots[k];
	free(s->slots);
	s->slots = ns;
	s->nslots = nn;
	return 0;
}

int pl_idset_add(pl_idset *s, const char *id)
{
	size_t k;
	char *copy;

	if (2 * (s->n + 1) > s->nslots && grow(s) != 0)
		return -1;
	k = probe(s->slots, s->nslots, id);
	if (s->slots[k])
		return 0;
	copy = strdup(id);
	if (!copy)
		return -1;
	s->slots[k] = copy;
	s->n++;
	return 1;
}

void pl_idset_release(pl_idset *s)
{
	if (!s)
		return;
	for (size_t k = 0; k < s->nslots; k++)
		free(s->slots[k]);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}
