/*
 * peerlink/idset.h: a set of id strings, to find a repeated client id in a stream without holding
 * the clients (risk score --jsonl sees each client once, in order).
 *
 * Ownership: the set copies every id it adds; pl_idset_release frees them (a zeroed set is
 * empty and may be released).
 */
#ifndef PEERLINK_IDSET_H
#define PEERLINK_IDSET_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pl_idset {
	char **slots;  /* open addressing, linear probing; NULL = empty */
	size_t nslots; /* a power of two (or 0) */
	size_t n;
} pl_idset;

#define PL_IDSET_INIT { NULL, 0, 0 }

/* Add id: 1 when it was new, 0 when it was already in the set, -1 when out of memory. */
int pl_idset_add(pl_idset *s, const char *id);
void pl_idset_release(pl_idset *s);

#ifdef __cplusplus
}
#endif
#endif
