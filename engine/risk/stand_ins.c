/*
 * stand_ins.c: a client's stand-in on the wire between this program's own processes.
 *
 * Why: evaluation over processes (peerlink-mpi) gives every process the whole cohort's ids and
 * attributes (subgroups, the answer's order) but only its own clients' check-ins. The stand-in
 * is what travels for the others': the id, the attributes and whether the client has its truth.
 * The bytes go through the same growable buffer and bounds-checked reader as the work units
 * (units_int.h), so there is one encoder of this kind in the library and none in the CLI.
 *
 * Format: a uint64 count, then per client its id (uint32 length + 1, 0 for none, then the
 * bytes), its attributes (uint32 count, then each name and value the same way) and one byte, 1
 * when it has its truth. Native byte order: only processes of one build read it.
 */
#include <peerlink/evaluate.h>

#include <stdlib.h>
#include <string.h>

#include "units_int.h"

static void put_text(pl__bytes *b, const char *t)
{
	uint32_t len = t ? (uint32_t)strlen(t) + 1 : 0;

	pl__bytes_put(b, &len, sizeof(len));
	if (len > 1)
		pl__bytes_put(b, t, len - 1);
}

pl_status pl_eval_stand_ins_pack(const pl_eval_set *s, unsigned char **buf, size_t *len,
				 pl_error *err)
{
	pl__bytes b = { NULL, 0, 0, 0 };
	uint64_t n = s->n;

	pl__bytes_put(&b, &n, sizeof(n));
	for (size_t i = 0; i < s->n; i++) {
		const pl_eval_client *e = &s->cl[i];
		uint32_t na = (uint32_t)e->nattrs;
		unsigned char truth = e->hazard != NULL;
		put_text(&b, e->client.id);
		pl__bytes_put(&b, &na, sizeof(na));
		for (size_t k = 0; k < e->nattrs; k++) {
			put_text(&b, e->attr_name[k]);
			put_text(&b, e->attr_value[k]);
		}
		pl__bytes_put(&b, &truth, 1);
	}
	if (b.failed) {
		free(b.p);
		*buf = NULL;
		*len = 0;
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	*buf = b.p;
	*len = b.n;
	return PL_OK;
}

/* A text read back (malloc'ed; NULL for none; r->bad set when the bytes run out or memory does). */
static char *read_text(pl__reader *r)
{
	uint32_t n = 0;
	const void *at;
	char *t;

	pl__read(r, &n, sizeof(n));
	if (r->bad || n == 0)
		return NULL;
	if (!(at = pl__read_span(r, n - 1)))
		return NULL;
	if (!(t = malloc(n))) {
		r->bad = 1;
		return NULL;
	}
	memcpy(t, at, n - 1);
	t[n - 1] = '\0';
	return t;
}

pl_status pl_eval_stand_in_read(pl_eval_client *e, int *truth, const unsigned char *all,
				size_t len, size_t *pos, pl_error *err)
{
	pl__reader r = { all, len, *pos, 0 };
	uint32_t na = 0;
	unsigned char t = 0;

	e->client.id = read_text(&r);
	pl__read(&r, &na, sizeof(na));
	if (!r.bad && na && (!(e->attr_name = calloc(na, sizeof(char *))) ||
			     !(e->attr_value = calloc(na, sizeof(char *)))))
		r.bad = 1;
	for (uint32_t k = 0; !r.bad && k < na; k++) {
		e->nattrs = k + 1;
		e->attr_name[k] = read_text(&r);
		e->attr_value[k] = read_text(&r);
	}
	pl__read(&r, &t, 1);
	*pos = r.pos;
	if (r.bad)
		return pl_error_set(err, PL_ERR_INTERNAL, "", "a process sent a malformed stand-in");
	*truth = t != 0;
	return PL_OK;
}
