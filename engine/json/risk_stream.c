/*
 * json/risk_stream.c: score many clients from JSON text on every core, with answers in input
 * order (peerlink/json_score.h).
 *
 * Why: parsing JSON is most of the cost of scoring (a client's features take microseconds, its
 * JSON tens of microseconds), and jansson parses one document on one core. So the input is cut
 * into one text span per client without building a tree (a small structural scanner over the
 * document's "clients" array, or one line per client in JSON Lines), and worker threads parse,
 * validate and score spans in parallel. A bounded ring of slots holds at most RING clients in
 * flight; the calling thread emits answers strictly in input order, so the output is the same
 * whatever the number of threads, and memory stays flat however many clients stream through.
 *
 * Errors: the first failing client in input order wins, whatever thread saw it first. A span that
 * jansson rejects makes us re-parse the whole document once to report jansson's line and column.
 * The program around (the CLI) reads the bytes and turns a pl_json_syntax into its message.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/json_score.h>
#include <peerlink/json_risk.h>
#include <peerlink/idset.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RING 256
#define MAX_WORKERS 8

enum slot_state { SLOT_EMPTY, SLOT_READY, SLOT_TAKEN, SLOT_DONE };

typedef struct slot {
	enum slot_state state;
	size_t index;
	const char *text; /* span to parse (NULL: use `tree`) */
	size_t len;
	char *owned;      /* text owned by the slot (JSON Lines) */
	json_t *tree;     /* borrowed client object when the input was already parsed */
	json_t *answer;
	char *answer_text;
	char *id;          /* the answered client's id, checked for repeats in input order */
	int syntax_error;
	long line, column; /* of a syntax error inside a JSON line */
	pl_status st;
	pl_error err;
} slot;

typedef struct pipeline {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	slot ring[RING];
	size_t next_in, next_take, head;
	int eof, abort;
	/* source */
	FILE *lines;               /* JSON Lines source, or NULL */
	const char *const *spans;  /* document source: span starts ... */
	const size_t *span_len;
	json_t *array;             /* ... or an already parsed array */
	size_t nitems;
	pl_status read_st;
	pl_error read_err;
	const pl_risk_scorer *scorer;
	const char *ptr_prefix;
	pl_risk_tally tally[MAX_WORKERS];
	int nworkers;            /* worker threads to start */
} pipeline;

typedef struct worker_arg {
	pipeline *p;
	int id;
} worker_arg;

/* Put one item into the ring (blocks while the ring is full); 0, or -1 when aborted. */
static int produce(pipeline *p, const char *text, size_t len, char *owned, json_t *tree)
{
	slot *s;
	pthread_mutex_lock(&p->mu);
	while (!p->abort && p->ring[p->next_in % RING].state != SLOT_EMPTY)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->abort) {
		pthread_mutex_unlock(&p->mu);
		free(owned);
		return -1;
	}
	s = &p->ring[p->next_in % RING];
	memset(s, 0, sizeof(*s));
	s->index = p->next_in;
	s->text = text;
	s->len = len;
	s->owned = owned;
	s->tree = tree;
	s->state = SLOT_READY;
	p->next_in++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

static void *reader_main(void *arg)
{
	pipeline *p = arg;

	if (p->lines) {
		char *line = NULL;
		size_t cap = 0, len;
		/* A read error or a line too long for memory stops the run with an error: it is never
		 * the end of the input (the clients before it are still answered, in order). */
		while (pl_json_read_line(p->lines, &line, &cap, &len, p->next_in, &p->read_err) > 0) {
			char *copy;
			size_t k = 0;
			while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r' ||
					   line[k] == '\n'))
				k++;
			if (k == len) {
				/* A blank line still counts, so pointers match line numbers. */
				if (produce(p, NULL, 0, NULL, NULL) != 0)
					break;
				continue;
			}
			copy = malloc(len + 1);
			if (!copy) {
				pl_error_set(&p->read_err, PL_ERR_NOMEM, "", "line %zu does not fit in memory",
					     p->next_in + 1);
				break;
			}
			memcpy(copy, line, len + 1);
			if (produce(p, copy, len, copy, NULL) != 0)
				break;
		}
		p->read_st = p->read_err.code;
		free(line);
	} else {
		for (size_t i = 0; i < p->nitems; i++) {
			int r = p->array ? produce(p, NULL, 0, NULL, json_array_get(p->array, i))
					 : produce(p, p->spans[i], p->span_len[i], NULL, NULL);
			if (r != 0)
				break;
		}
	}
	pthread_mutex_lock(&p->mu);
	p->eof = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

pl_status pl_risk_score_text(const pl_risk_scorer *sc, const char *text, size_t len, json_t *tree,
			     const char *ptr, size_t index, pl_risk_tally *tally, json_t **answer,
			     char **answer_text, char **id, long *syntax_column, pl_error *err)
{
	json_t *obj = tree;
	pl_status st;

	*answer = NULL;
	*answer_text = NULL;
	*id = NULL;
	*syntax_column = 0;
	if (!obj) {
		/* The columnar fast path first: no tree at all. Anything it does not take (the row
		 * form, every invalid client) goes through jansson, which reports the errors. */
		pl_client c = PL_CLIENT_INIT;
		int fast = pl_client_from_text(text, len, &sc->model.catalogue, &c);
		if (fast != 0) {
			if (fast < 0)
				st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
			else
				*answer = pl_risk_score_client_json(sc, &c, tally, err);
			if (*answer) {
				*id = c.id; /* kept for the repeat check */
				c.id = NULL;
			}
			pl_client_release(&c);
			if (fast > 0)
				st = *answer ? PL_OK : (err->code != PL_OK ? err->code : PL_ERR_INTERNAL);
			goto done;
		}
	}
	if (!obj) {
		json_error_t jerr;
		/* DECODE_ANY: a scalar where a client belongs is a type error with a pointer, not a
		 * syntax error. */
		errno = 0;
		obj = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
		if (!obj && pl_json_load_failure(&jerr, errno, NULL, 0) == PL_ERR_NOMEM)
			return pl_error_set(err, PL_ERR_NOMEM, "", "client %zu does not fit in memory",
					    index);
		if (!obj) {
			*syntax_column = jerr.column > 0 ? jerr.column : 1;
			return pl_error_set(err, PL_ERR_INVALID, "", "JSON syntax error");
		}
	}
	*answer = pl_risk_score_json(sc, obj, ptr, tally, err);
	st = *answer ? PL_OK : (err->code != PL_OK ? err->code : PL_ERR_INTERNAL);
	if (*answer && !(*id = strdup(json_string_value(json_object_get(obj, "id")))))
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	if (!tree)
		json_decref(obj);
done:
	if (*answer && sc->serialize) {
		/* Serializing here keeps the single writer thread from becoming the bottleneck. */
		*answer_text = pl_json_dumps_compact(*answer, NULL);
		json_decref(*answer);
		*answer = NULL;
		if (!*answer_text)
			st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	return st;
}

static void process(pipeline *p, slot *s, pl_risk_tally *tally)
{
	char ptr[PL_POINTER_MAX];
	long column;

	snprintf(ptr, sizeof(ptr), "%s", p->ptr_prefix);
	pl_pointer_append_index(ptr, sizeof(ptr), s->index);
	if (!s->tree && !s->text)
		return; /* a blank JSON Lines line: skipped, but it still counts for line numbers */
	s->st = pl_risk_score_text(p->scorer, s->text, s->len, s->tree, ptr, s->index, tally,
				   &s->answer, &s->answer_text, &s->id, &column, &s->err);
	if (column > 0) {
		s->syntax_error = 1;
		s->line = (long)s->index + 1;
		s->column = column;
	}
	free(s->owned);
	s->owned = NULL;
	s->text = NULL;
}

static void *worker_main(void *arg)
{
	worker_arg *wa = arg;
	pipeline *p = wa->p;

	for (;;) {
		slot *s;
		pthread_mutex_lock(&p->mu);
		while (!p->abort && p->next_take >= p->next_in && !p->eof)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->abort || p->next_take >= p->next_in) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		s = &p->ring[p->next_take % RING];
		s->state = SLOT_TAKEN;
		p->next_take++;
		pthread_mutex_unlock(&p->mu);

		process(p, s, &p->tally[wa->id]);

		pthread_mutex_lock(&p->mu);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

/* The caller's thread count, else one per online processor; 1 to MAX_WORKERS. */
static int worker_count(int threads)
{
	long n = threads > 0 ? threads : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

/* A client id seen before in this request is an error at its "id" (README: ids are unique);
 * checked here, in input order, so the first repeat is the one reported. */
pl_status pl_risk_check_repeat(pl_idset *ids, const char *id, const char *ptr_prefix,
				size_t index, pl_error *err)
{
	char ptr[PL_POINTER_MAX];
	int r = pl_idset_add(ids, id);

	if (r > 0)
		return PL_OK;
	if (r < 0)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	snprintf(ptr, sizeof(ptr), "%s", ptr_prefix);
	pl_pointer_append_index(ptr, sizeof(ptr), index);
	pl_pointer_append(ptr, sizeof(ptr), "id");
	return pl_error_set(err, PL_ERR_INVALID, ptr,
			    "duplicate client id (an earlier client has the same id)");
}

static pl_status run(pipeline *p, pl_risk_emit_fn emit, void *arg, pl_risk_tally *tally, pl_error *err,
		     slot *failed)
{
	pthread_t reader, workers[MAX_WORKERS];
	worker_arg wargs[MAX_WORKERS];
	pl_status st = PL_OK;
	pl_idset ids = PL_IDSET_INIT;
	int started = 0;

	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
		if (pthread_create(&reader, NULL, reader_main, p) != 0) {
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		return pl_error_set(err, PL_ERR_INTERNAL, "", "cannot start a thread");
	}
	for (int w = 0; w < p->nworkers; w++) {
		wargs[w].p = p;
		wargs[w].id = w;
		if (pthread_create(&workers[w], NULL, worker_main, &wargs[w]) != 0)
			break;
		started++;
	}
	if (started == 0) {
		/* No worker: fall back to working on this thread. */
		wargs[0].p = p;
		wargs[0].id = 0;
	}
	for (;;) {
		slot *s;
		pthread_mutex_lock(&p->mu);
		for (;;) {
			s = &p->ring[p->head % RING];
			if (p->head < p->next_in && s->state == SLOT_DONE)
				break;
			if (p->eof && p->head >= p->next_in) {
				s = NULL;
				break;
			}
			if (started == 0 && p->head < p->next_in && s->state == SLOT_READY) {
				s->state = SLOT_TAKEN;
				p->next_take++;
				pthread_mutex_unlock(&p->mu);
				process(p, s, &p->tally[0]);
				pthread_mutex_lock(&p->mu);
				s->state = SLOT_DONE;
				continue;
			}
			pthread_cond_wait(&p->cv, &p->mu);
		}
		pthread_mutex_unlock(&p->mu);
		if (!s)
			break;
		if (s->st != PL_OK) {
			*failed = *s;
			st = s->st;
			*err = s->err;
		} else if (s->answer || s->answer_text) {
			st = s->id ? pl_risk_check_repeat(&ids, s->id, p->ptr_prefix, s->index, err) : PL_OK;
			if (st == PL_OK) {
				st = emit(arg, s->answer, s->answer_text, err);
				s->answer = NULL;
				s->answer_text = NULL;
			}
		}
		free(s->id);
		s->id = NULL;
		pthread_mutex_lock(&p->mu);
		s->state = SLOT_EMPTY;
		p->head++;
		if (st != PL_OK)
			p->abort = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (st != PL_OK)
			break;
	}
	pthread_join(reader, NULL);
	for (int w = 0; w < started; w++)
		pthread_join(workers[w], NULL);
	/* Whatever is still in the ring after an abort. */
	for (size_t k = 0; k < RING; k++) {
		json_decref(p->ring[k].answer);
		free(p->ring[k].answer_text);
		free(p->ring[k].owned);
		free(p->ring[k].id);
	}
	pl_idset_release(&ids);
	if (st == PL_OK && p->read_st != PL_OK) {
		st = p->read_st;
		*err = p->read_err;
	}
	for (int w = 0; w < MAX_WORKERS; w++) {
		tally->clients += p->tally[w].clients;
		tally->scored += p->tally[w].scored;
		tally->checkins += p->tally[w].checkins;
		for (int k = 0; k < PL_NTIERS; k++)
			tally->tiers[k] += p->tally[w].tiers[k];
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	return st;
}

pl_status pl_risk_score_stream(const pl_risk_scorer *s, const pl_risk_doc *doc, json_t *clients,
			       FILE *lines, int threads, pl_risk_emit_fn emit, void *arg,
			       pl_risk_tally *tally, pl_json_syntax *syn, pl_error *err)
{
	pipeline *p = calloc(1, sizeof(*p));
	slot failed;
	pl_status st;

	syn->kind = 0;
	if (!p)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	memset(&failed, 0, sizeof(failed));
	p->scorer = s;
	p->nworkers = worker_count(threads);
	if (doc && doc->have_clients) {
		p->spans = doc->spans;
		p->span_len = doc->span_len;
		p->nitems = doc->nspans;
		p->ptr_prefix = "/clients";
	} else if (clients) {
		p->array = clients;
		p->nitems = json_array_size(clients);
		p->ptr_prefix = "/clients";
	} else {
		p->ptr_prefix = "";
		p->lines = lines;
	}
	st = run(p, emit, arg, tally, err, &failed);
	if (st != PL_OK && failed.syntax_error) {
		if (p->lines) {
			syn->kind = PL_SYNTAX_LINE;
			syn->line = failed.line;
			syn->column = failed.column;
			pl_error_set(err, PL_ERR_INVALID, "", "JSON syntax error on line %ld", failed.line);
		} else {
			/* A client span jansson rejects: report the whole document's line and column. */
			json_t *all;
			errno = 0;
			all = json_loadb(doc->text, doc->len, JSON_REJECT_DUPLICATES, &syn->jerr);
			syn->alloc_errno = errno;
			if (all) {
				/* Cannot happen for a span the scan cut from a valid document; say so. */
				json_decref(all);
				st = pl_error_set(err, PL_ERR_INTERNAL, "", "a client could not be re-read");
			} else {
				syn->kind = PL_SYNTAX_DOCUMENT;
				st = pl_error_set(err, PL_ERR_INVALID, "", "JSON syntax error");
			}
		}
	}
	free(p);
	return st;
}

/* ---------------------------------------------------------------- document scan */

static size_t skip_ws(const char *t, size_t n, size_t i)
{
	while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
		i++;
	return i;
}

/* End (one past) of the JSON string starting at t[i] == '"', or 0 on error. */
static size_t skip_string(const char *t, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (t[i] == '\\')
			i++;
		else if (t[i] == '"')
			return i + 1;
	}
	return 0;
}

/* End of the value starting at t[i]: strings, nested containers (depth counted outside
 * strings), or a scalar up to the next delimiter. 0 on error. Values are not validated here:
 * jansson validates every span it is given. */
static size_t skip_value(const char *t, size_t n, size_t i)
{
	size_t depth = 0;

	if (i >= n)
		return 0;
	if (t[i] == '"')
		return skip_string(t, n, i);
	if (t[i] != '{' && t[i] != '[') {
		while (i < n && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ' &&
		       t[i] != '\n' && t[i] != '\t' && t[i] != '\r')
			i++;
		return i;
	}
	for (; i < n; i++) {
		char ch = t[i];
		if (ch == '"') {
			i = skip_string(t, n, i);
			if (!i)
				return 0;
			i--;
		} else if (ch == '{' || ch == '[') {
			depth++;
		} else if (ch == '}' || ch == ']') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

/* Cut the document; 0 on success, -1 when it is not of the simple shape (caller falls back). */
static int scan_document(pl_risk_doc *in)
{
	const char *t = in->text;
	size_t n = in->len, i = skip_ws(t, n, 0), cap = 0;

	if (i >= n || t[i] != '{')
		return -1;
	in->doc = json_object();
	if (!in->doc)
		return -1;
	i = skip_ws(t, n, i + 1);
	if (i < n && t[i] == '}')
		return skip_ws(t, n, i + 1) == n ? 0 : -1;
	for (;;) {
		size_t k0 = i, k1, v0, v1;
		json_t *key;
		const char *name;

		if (i >= n || t[i] != '"' || !(k1 = skip_string(t, n, i)))
			return -1;
		key = json_loadb(t + k0, k1 - k0, JSON_DECODE_ANY, NULL);
		if (!json_is_string(key) || json_object_get(in->doc, json_string_value(key))) {
			json_decref(key);
			return -1; /* duplicate keys: let the full parse report them */
		}
		name = json_string_value(key);
		i = skip_ws(t, n, k1);
		if (i >= n || t[i] != ':') {
			json_decref(key);
			return -1;
		}
		v0 = skip_ws(t, n, i + 1);
		if (strcmp(name, "clients") == 0 && v0 < n && t[v0] == '[') {
			in->have_clients = 1;
			json_object_set_new(in->doc, name, json_null()); /* marks the key as seen */
			i = skip_ws(t, n, v0 + 1);
			if (i < n && t[i] == ']') {
				i++;
			} else {
				for (;;) {
					size_t e1 = skip_value(t, n, i);
					if (!e1) {
						json_decref(key);
						return -1;
					}
					if (in->nspans == cap) {
						size_t nc = cap ? 2 * cap : 1024;
						const char **ns = realloc(in->spans, nc * sizeof(*ns));
						size_t *nl;
						if (!ns) {
							json_decref(key);
							return -1;
						}
						in->spans = ns;
						nl = realloc(in->span_len, nc * sizeof(*nl));
						if (!nl) {
							json_decref(key);
							return -1;
						}
						in->span_len = nl;
						cap = nc;
					}
					in->spans[in->nspans] = t + i;
					in->span_len[in->nspans++] = e1 - i;
					i = skip_ws(t, n, e1);
					if (i < n && t[i] == ',') {
						i = skip_ws(t, n, i + 1);
						continue;
					}
					if (i < n && t[i] == ']') {
						i++;
						break;
					}
					json_decref(key);
					return -1;
				}
			}
		} else {
			json_t *v;
			v1 = skip_value(t, n, v0);
			if (!v1 || !(v = json_loadb(t + v0, v1 - v0, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
						     NULL))) {
				json_decref(key);
				return -1;
			}
			json_object_set_new(in->doc, name, v);
			i = v1;
		}
		json_decref(key);
		i = skip_ws(t, n, i);
		if (i < n && t[i] == ',') {
			i = skip_ws(t, n, i + 1);
			continue;
		}
		if (i < n && t[i] == '}')
			return skip_ws(t, n, i + 1) == n ? 0 : -1;
		return -1;
	}
}

void pl_risk_doc_release(pl_risk_doc *d)
{
	if (!d)
		return;
	free(d->text);
	json_decref(d->doc);
	free(d->spans);
	free(d->span_len);
	memset(d, 0, sizeof(*d));
}

pl_status pl_risk_doc_parse(char *text, size_t len, pl_risk_doc *in, pl_json_syntax *syn,
			    pl_error *err)
{
	memset(in, 0, sizeof(*in));
	syn->kind = 0;
	in->text = text;
	in->len = len;
	if (scan_document(in) == 0) {
		/* A "clients" member that is not an array stays in doc for the usual type error. */
		return pl_json_check_limits(in->doc, "", err);
	}
	/* Fall back to jansson on the whole text: it parses what the scan could not cut, or
	 * reports the syntax error with its line and column. */
	json_decref(in->doc);
	in->doc = NULL;
	free(in->spans);
	free(in->span_len);
	in->spans = NULL;
	in->span_len = NULL;
	in->nspans = 0;
	in->have_clients = 0;
	errno = 0;
	in->doc = json_loadb(in->text, in->len, JSON_REJECT_DUPLICATES, &syn->jerr);
	syn->alloc_errno = errno;
	if (!in->doc) {
		syn->kind = PL_SYNTAX_DOCUMENT;
		return pl_error_set(err, PL_ERR_INVALID, "", "JSON syntax error");
	}
	if (!json_is_object(in->doc))
		return pl_error_set(err, PL_ERR_INVALID, "", "the input must be a JSON object");
	return pl_json_check_limits(in->doc, "", err);
}

/* ---------------------------------------------------------------- one client */

json_t *pl_risk_score_json(const pl_risk_scorer *s, json_t *obj, const char *ptr,
			   pl_risk_tally *tally, pl_error *err)
{
	pl_client c = PL_CLIENT_INIT;
	json_t *o;

	if (pl_client_from_json(obj, &s->model.catalogue, ptr, &c, err) != PL_OK)
		return NULL;
	o = pl_risk_score_client_json(s, &c, tally, err);
	pl_client_release(&c);
	return o;
}

json_t *pl_risk_score_client_json(const pl_risk_scorer *s, const pl_client *c,
				  pl_risk_tally *tally, pl_error *err)
{
	pl_risk_result r;
	json_t *o = NULL;

	memset(&r, 0, sizeof(r));
	if (pl_risk_score(&s->model, c, s->as_of, &r, err) == PL_OK)
		o = pl_risk_result_to_json(&s->model, c, &r, s->top, err);
	if (o)
		json_object_set_new(o, "actions", pl_actions_to_json(&s->actions, &r));
	if (o && tally) {
		tally->clients++;
		tally->scored += (size_t)r.has_risk;
		if (r.tier >= 0)
			tally->tiers[r.tier]++; /* contact included (no risk) */
		for (size_t d = 0; d < c->ndays; d++)
			tally->checkins += c->checked_in[d];
	}
	pl_risk_result_release(&r);
	return o;
}


/* ---------------------------------------------------------------- the request's last day */

int32_t pl_risk_text_last_day(const char *text, size_t len, const pl_catalogue *cat)
{
	pl_client c = PL_CLIENT_INIT;
	int32_t last = INT32_MIN;
	pl_error err = PL_ERROR_INIT;
	int fast;

	if (pl_client_text_last_day(text, len, &last))
		return last;
	fast = pl_client_from_text(text, len, cat, &c);
	if (fast == 0) {
		json_error_t jerr;
		json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
		if (obj && pl_client_from_json(obj, cat, "", &c, &err) == PL_OK)
			fast = 1;
		json_decref(obj);
	}
	if (fast > 0)
		last = pl_client_last_day(&c);
	pl_client_release(&c);
	return last;
}

typedef struct latest_job {
	const pl_risk_doc *doc;
	const pl_catalogue *cat;
	size_t lo, hi;
	int32_t latest;
} latest_job;

static void *latest_main(void *arg)
{
	latest_job *j = arg;
	for (size_t i = j->lo; i < j->hi; i++) {
		int32_t d = pl_risk_text_last_day(j->doc->spans[i], j->doc->span_len[i], j->cat);
		if (d > j->latest)
			j->latest = d;
	}
	return NULL;
}

int32_t pl_risk_doc_latest_day(const pl_risk_doc *doc, const pl_catalogue *cat, int threads)
{
	latest_job jobs[MAX_WORKERS];
	pthread_t tid[MAX_WORKERS];
	int nt = worker_count(threads), started[MAX_WORKERS] = { 0 };
	int32_t latest = INT32_MIN;
	size_t n = doc->have_clients ? doc->nspans : 0;

	if ((size_t)nt > n / 64 + 1)
		nt = (int)(n / 64 + 1); /* a thread per 64 clients at least */
	for (int t = 0; t < nt; t++) {
		jobs[t] = (latest_job){ doc, cat, n * (size_t)t / (size_t)nt,
					n * (size_t)(t + 1) / (size_t)nt, INT32_MIN };
		started[t] = t > 0 && pthread_create(&tid[t], NULL, latest_main, &jobs[t]) == 0;
	}
	/* Chunk 0, and any chunk whose thread could not start, on this thread. */
	for (int t = 0; t < nt; t++)
		if (!started[t])
			latest_main(&jobs[t]);
	for (int t = 0; t < nt; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		if (jobs[t].latest > latest)
			latest = jobs[t].latest;
	}
	return latest;
}
