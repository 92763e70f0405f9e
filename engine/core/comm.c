/*
 * comm.c: the one-process defaults of peerlink/comm.h, so library code calls the same functions
 * with or without other processes.
 */
#include <peerlink/comm.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

pl_status pl_comm_sum(const pl_comm *comm, double *buf, size_t len, pl_error *err)
{
	if (!comm || !comm->sum)
		return PL_OK;
	return comm->sum(comm->arg, buf, len, err);
}

pl_status pl_comm_gather(const pl_comm *comm, const void *mine, size_t len, void **all,
			 size_t *all_len, pl_error *err)
{
	if (comm && comm->gather)
		return comm->gather(comm->arg, mine, len, all, all_len, err);
	*all = malloc(len ? len : 1);
	if (!*all)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if (len)
		memcpy(*all, mine, len);
	*all_len = len;
	return PL_OK;
}

pl_status pl_comm_agree_count(const pl_comm *comm, size_t n, int counted, size_t *agreed,
			      pl_error *err)
{
	uint64_t mine[2] = { counted != 0, counted ? (uint64_t)n : 0 }, *all = NULL, first = 0;
	size_t len = 0, np = comm ? (size_t)comm->size : 1, nc = 0, differ = 0;
	pl_status st = pl_comm_gather(comm, mine, sizeof(mine), (void **)&all, &len, err);

	*agreed = SIZE_MAX;
	if (st == PL_OK && len != np * sizeof(mine))
		st = pl_error_set(err, PL_ERR_INTERNAL, "", "a process sent a short answer");
	for (size_t p = 0; st == PL_OK && p < np; p++) {
		if (!all[2 * p])
			continue;
		if (nc++ == 0)
			first = all[2 * p + 1]; /* the first count, whichever process made it */
		differ += all[2 * p + 1] != first;
	}
	free(all);
	if (st != PL_OK || nc == 0)
		return st;
	if (differ)
		return pl_error_set(err, PL_ERR_IO, "",
				    "the processes counted different numbers of lines in the input "
				    "(did it change while it was read?)");
	/* Some could not count (they failed before or while counting): they report their own error,
	 * which says what happened; the others read nothing rather than failing with a message of
	 * their own, so that the error the run reports is the real one. */
	*agreed = nc < np ? 0 : n;
	return PL_OK;
}

void pl_comm_share(const pl_comm *comm, size_t n, size_t *first, size_t *end)
{
	size_t r = comm ? (size_t)comm->rank : 0, p = comm ? (size_t)comm->size : 1;

	*first = r * n / p;
	*end = (r + 1) * n / p;
}
