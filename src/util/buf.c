/* Bounded growable buffer. */
#include "util/buf.h"
#include <assert.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

void buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

char *buf_extend(struct buf *b, size_t n)
{
	/* the maximum is never passed, so this subtraction cannot wrap */
	assert(b->len <= b->max);
	if (n > b->max - b->len)
		return NULL;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d)
			abort();
		b->data = d;
		b->cap = cap;
	}
	char *at = b->data + b->len;
	b->len += n;
	assert(b->len <= b->max && b->len < b->cap);
	b->data[b->len] = 0;
	return at;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	char *at = buf_extend(b, n);
	if (!at)
		return -1;
	if (n)
		memcpy(at, p, n);
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}
