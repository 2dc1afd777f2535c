/* Growable byte buffer with a hard maximum (curl's dynbuf idea): going past
 * the maximum is an error the caller answers, never a bigger allocation. */
#ifndef ZY_BUF_H
#define ZY_BUF_H
#include <stddef.h>

struct buf {
	char *data;   /* NUL-terminated after every append; NULL until first append */
	size_t len;
	size_t cap;
	size_t max;   /* appends that would pass this fail */
};

/* Prepares an empty buffer that may hold at most max bytes. No allocation. */
void buf_init(struct buf *b, size_t max);
/* Frees the contents; the buffer is then as after buf_init. */
void buf_release(struct buf *b);
/* Appends n bytes; returns 0, or -1 when the result would exceed max
 * (the buffer is then unchanged). */
int buf_append(struct buf *b, const void *p, size_t n);
/* Makes room for n more bytes at the end and returns where they start
 * (the caller fills them), or NULL when the result would exceed max. */
char *buf_extend(struct buf *b, size_t n);
/* Appends a NUL-terminated string. */
int buf_puts(struct buf *b, const char *s);

#endif
