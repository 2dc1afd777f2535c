/* Per-request bump allocator: everything a request needs is allocated here
 * and released at once when the response has been sent (h2o's pool idea). */
#ifndef ZY_ARENA_H
#define ZY_ARENA_H
#include <stddef.h>

struct arena;

/* A new empty arena. Allocation failure aborts the process. */
struct arena *arena_new(void);
/* Frees the arena and everything allocated from it. NULL is fine. */
void arena_free(struct arena *a);
/* Zeroed memory of n bytes, aligned for any type, owned by the arena. */
void *arena_alloc(struct arena *a, size_t n);
/* A NUL-terminated copy of s[0..n) owned by the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* A NUL-terminated copy of s owned by the arena; NULL stays NULL. */
char *arena_strdup(struct arena *a, const char *s);
/* printf into arena memory. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
