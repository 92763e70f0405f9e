/*
 * groups_int.h: internals of support-group formation (engine/match/groups.c) that the unit tests
 * reach; not a public header.
 */
#ifndef PEERLINK_GROUPS_INT_H
#define PEERLINK_GROUPS_INT_H

#include <peerlink/error.h>
#include <peerlink/groups.h>

/*
 * The placement search of the heuristic (place_by_search, docs/groups.md section 4, step 8) on
 * its own: from the grouping group_of (n clients, a group index or PL_GROUPS_UNPLACED; it must
 * keep every rule, keep-together sets whole), look for one that keeps every rule and places at
 * least one client more, within the search's node limit. *found is 1 when it did, and out (n)
 * holds it; 0 otherwise (out then holds group_of). For tests.
 */
pl_status pl_groups_place_one_more(const pl_groups_problem *prob, const long *group_of, long *out,
				   int *found, pl_error *err);

#endif
