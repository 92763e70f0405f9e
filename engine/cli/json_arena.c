/*
 * json_arena.c: jansson's allocations served from a bump arena over a span of code whose
 * jansson values all die inside it (cli_json_pool_begin/_end; `match mentors` pools its whole
 * job: the request and the answer).
 *
 * Why: reading a 2,000 x 500 program and writing its answer builds about 500,000 small jansson
 * values (every field of every profile, every entry of the answer) that die together, the
 * request once the reader has copied what it keeps into plain C structs, the answer once it is
 * written. Each was a malloc of about 170 instructions plus its free (callgrind): about a tenth
 * of the whole command. Here an allocation is a pointer bump, a free inside the arena does
 * nothing, and the arena's chunks are released in one go at the end of the span. The cost: the
 * request's values stay allocated until the end of the span (a few tens of MB for that program).
 *
 * jansson's allocator is process-wide (json_set_alloc_funcs takes no context), so this is the
 * one place where the CLI keeps a static: a span is opened only on the command's thread before it
 * starts any other, and the previous functions are put back at its end. Nothing allocated in the
 * arena may outlive the span: readers copy the strings they keep and hold no jansson value, and a
 * JSON Lines record's answer (text made by jansson that outlives the job) is never pooled. A free
 * of a block from outside the arena (a JSON Lines record parsed before) goes to the previous
 * free function.
 */
#include "cli.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define ARENA_FIRST (256u * 1024u)      /* first chunk; each next one doubles */
#define ARENA_CHUNK_MAX (64u * 1024u * 1024u)
#define ARENA_ALIGN 16u

typedef struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[]; /* cap bytes */
} chunk;

typedef struct json_arena {
	chunk *head; /* the chunk allocations come from; older ones follow */
	size_t next_cap;
	json_malloc_t prev_malloc;
	json_free_t prev_free;
	int on;
} json_arena;

/* The arena: jansson's callbacks have no context argument. Off outside a pooled span. */
static json_arena pool;

static int in_arena(const void *p)
{
	for (const chunk *c = pool.head; c; c = c->next) {
		const char *lo = (const char *)c->data;
		if ((const char *)p >= lo && (const char *)p < lo + c->cap)
			return 1;
	}
	return 0;
}

static int add_chunk(size_t need)
{
	size_t cap = pool.next_cap > need ? pool.next_cap : need;
	chunk *c;

	if (cap > SIZE_MAX - offsetof(chunk, data)) /* the header would wrap the size around */
		return -1;
	c = malloc(offsetof(chunk, data) + cap);
	if (!c)
		return -1;
	c->next = pool.head;
	c->used = 0;
	c->cap = cap;
	pool.head = c;
	if (pool.next_cap < ARENA_CHUNK_MAX)
		pool.next_cap *= 2;
	return 0;
}

static void *arena_malloc(size_t size)
{
	size_t n = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (n < size) /* overflow */
		return NULL;
	if ((!pool.head || pool.head->cap - pool.head->used < n) && add_chunk(n) != 0)
		return NULL;
	p = (char *)pool.head->data + pool.head->used;
	pool.head->used += n;
	return p;
}

static void arena_free(void *p)
{
	if (p && !in_arena(p))
		pool.prev_free(p);
}

/*
 * Values made inside an open span live in the arena, which frees them in one go at the span's
 * end: json_decref would only walk the tree to decrement and "free" each node one by one (for a
 * 2,000 x 500 request and its answer about 5 % of the whole command). Outside a span (or for a
 * JSON Lines record, never pooled) it is json_decref.
 */
void cli_json_release(json_t *v)
{
	if (!pool.on)
		json_decref(v);
}

int cli_json_pool_begin(void)
{
	if (pool.on)
		return 0; /* nested: the outer span releases */
	pool.head = NULL;
	pool.next_cap = ARENA_FIRST;
	json_get_alloc_funcs(&pool.prev_malloc, &pool.prev_free);
	json_set_alloc_funcs(arena_malloc, arena_free);
	pool.on = 1;
	return 1;
}

void cli_json_pool_end(int began)
{
	if (!began)
		return;
	json_set_alloc_funcs(pool.prev_malloc, pool.prev_free);
	pool.on = 0;
	while (pool.head) {
		chunk *c = pool.head;
		pool.head = c->next;
		free(c);
	}
}
