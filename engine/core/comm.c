/*
 * comm.c: the one-process defaults of peerlink/comm.h, so library code calls the same functions
 * with or without other processes.
 */
#include <peerlink/comm.h>

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

void pl_comm_share(const pl_comm *comm, size_t n, size_t *first, size_t *end)
{
	size_t r = comm ? (size_t)comm->rank : 0, p = comm ? (size_t)comm->size : 1;

	*first = r * n / p;
	*end = (r + 1) * n / p;
}
