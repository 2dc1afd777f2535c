/* Bump allocator in chunks; big requests get a chunk of their own. */
#include "util/arena.h"
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE 8192

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct arena {
	struct chunk *head;
};

static struct chunk *chunk_new(size_t cap)
{
	struct chunk *c = malloc(sizeof(*c) + cap);
	if (!c)
		abort();
	c->next = NULL;
	c->used = 0;
	c->cap = cap;
	return c;
}

struct arena *arena_new(void)
{
	struct arena *a = malloc(sizeof(*a));
	if (!a)
		abort();
	a->head = chunk_new(CHUNK_SIZE - sizeof(struct chunk));
	return a;
}

void arena_free(struct arena *a)
{
	if (!a)
		return;
	struct chunk *c = a->head;
	while (c) {
		struct chunk *n = c->next;
		free(c);
		c = n;
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	const size_t align = _Alignof(max_align_t);
	assert(a && a->head);
	if (n > SIZE_MAX / 2)
		abort();
	n = (n + align - 1) & ~(align - 1);
	if (n == 0)
		n = align;
	struct chunk *c = a->head;
	if (c->cap - c->used < n) {
		if (n > CHUNK_SIZE / 4) {
			/* a large block goes behind the head so the head's
			 * free space stays usable */
			struct chunk *big = chunk_new(n);
			big->used = n;
			big->next = c->next;
			c->next = big;
			memset(big->data, 0, n);
			return big->data;
		}
		c = chunk_new(CHUNK_SIZE - sizeof(struct chunk));
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	/* the head never hands out more than it holds */
	assert(c->used <= c->cap);
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	char *d = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return d;
}
