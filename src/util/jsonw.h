/* JSON text straight into a bounded buffer: a jansson document (jsonw_value)
 * or, for hot read paths, a document written member by member without
 * building a tree first (struct jsonw). jansson's own dump goes through a
 * callback per token and re-validates UTF-8, and building a tree allocates
 * per member; both showed up as most of the CPU time of large answers
 * (docs/decisions.md, docs/performance.md). Text given to the writer must
 * be valid UTF-8, as text read from the store is. */
#ifndef ZY_JSONW_H
#define ZY_JSONW_H
#include "util/buf.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Appends the compact JSON text of v to b; -1 when b's maximum is hit. */
int jsonw_value(struct buf *b, json_t *v);
/* Appends s (n bytes) as a JSON string; -1 when b's maximum is hit. */
int jsonw_string(struct buf *b, const char *s, size_t n);

#define JSONW_DEPTH 16

/* A streaming writer. Errors are sticky: after the first failed append
 * every call does nothing and jsonw_finish reports -1. */
struct jsonw {
	struct buf *b;
	int depth, err;
	bool need_comma[JSONW_DEPTH];
};

/* Starts writing into b (appending to what it holds). */
void jsonw_init(struct jsonw *w, struct buf *b);
/* Opens an object or array as the next value (or member, after jsonw_key). */
void jsonw_object(struct jsonw *w);
void jsonw_array(struct jsonw *w);
/* Closes the innermost object or array. */
void jsonw_end(struct jsonw *w, char close);
/* The name of the next member of the current object: the program's own
 * names, written as they are (nothing in them needs escaping). */
void jsonw_key(struct jsonw *w, const char *key);
/* Values: a string (NULL writes null), an integer, a boolean, null, or a
 * jansson document. */
void jsonw_str(struct jsonw *w, const char *s);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
void jsonw_json(struct jsonw *w, json_t *v);
/* 0 when everything was written and every object and array closed. */
int jsonw_finish(struct jsonw *w);

#endif
