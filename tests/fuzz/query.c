/* libFuzzer target: request targets. The input is "METHOD /path?query";
 * the path goes through the route table (http/routes.c: path parameters,
 * "{serial}.pdf" literals), every parameter and query value through the
 * parsers handlers use on them (ids, list limits and cursors, search
 * patterns). Query values are decoded as libmicrohttpd does. */
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "http/internal.h"
#include "util/arena.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void value(struct app_req *r, char *v)
{
	int64_t id;
	int limit;
	const char *pat;
	MHD_http_unescape(v);
	if (parse_id(v, &id) == 0 && id <= 0)
		abort();
	if (app_limit(r, v, &limit) == 0 && (limit < 0 || limit > 200))
		abort();
	app_cursor(r, v, &id);
	if (app_like_pattern(r, v, "q", &pat) == 0 && strlen(pat) > 2 + 64 * 4 * 2)
		abort();
	app_like_term(r, v, strlen(v), false);
}

/* A path built from route k's pattern with the input's segments as its
 * parameters finds route k or an earlier route of the same method, and
 * hands route k its parameters back unchanged. */
static void route_of_pattern(struct arena *arena, const uint8_t *data, size_t size)
{
	if (size < 2)
		return;
	int k = data[0] % route_count;
	const char *seg = (const char *)data + 1, *end = (const char *)data + size;
	char path[512], want[MAX_PATH_PARAMS][128];
	size_t n = 0;
	int np = 0;
	for (const char *p = route_table[k].pattern; *p && n < sizeof(path) - 1;) {
		if (*p != '{') {
			path[n++] = *p++;
			continue;
		}
		/* the next input segment: up to a NUL or '/' (a segment's end) */
		size_t len = 0;
		while (seg + len < end && seg[len] && seg[len] != '/' && len < sizeof(want[0]) - 1)
			len++;
		if (len == 0 || n + len >= sizeof(path) - 1 || np >= MAX_PATH_PARAMS)
			return;
		memcpy(want[np], seg, len);
		want[np++][len] = 0;
		memcpy(path + n, seg, len);
		n += len;
		seg += len + (seg + len < end);
		p = strchr(p, '}') + 1;
	}
	path[n] = 0;
	struct http_req req = { .arena = arena };
	char allow[64];
	int idx = route_match(&req, route_table[k].method, path, allow, sizeof(allow));
	if (idx < 0 || idx > k || strcmp(route_table[idx].method, route_table[k].method) != 0)
		abort();
	if (idx == k) {
		if (req.nparams != np)
			abort();
		for (int i = 0; i < np; i++)
			if (strcmp(req.params[i], want[i]) != 0)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	struct arena *arena = arena_new();
	route_of_pattern(arena, data, size);
	struct http_req req = { .arena = arena };
	struct app_req *r = &req.app;
	r->arena = arena;
	char *path = strchr(s, ' '), *query = NULL;
	if (path) {
		*path++ = 0;
		query = strchr(path, '?');
		if (query)
			*query++ = 0;
		char allow[64]   /* as server.c */;
		int idx = route_match(&req, s, path, allow, sizeof(allow));
		if (idx >= route_count || (idx < 0 && idx != -1 && idx != -2) || (idx == -2 && !allow[0]))
			abort();
		if (idx >= 0) {
			if (req.nparams < 0 || req.nparams > MAX_PATH_PARAMS)
				abort();
			for (int i = 0; i < req.nparams; i++) {
				if (!req.params[i][0] || strchr(req.params[i], '/'))
					abort();   /* a parameter is one non-empty segment */
				value(r, arena_strdup(arena, req.params[i]));
			}
		}
	}
	/* key=value pairs split on '&', as MHD does before our handlers */
	for (char *p = query; p && *p;) {
		char *amp = strchr(p, '&');
		if (amp)
			*amp = 0;
		char *eq = strchr(p, '=');
		if (eq)
			value(r, eq + 1);
		MHD_http_unescape(p);
		p = amp ? amp + 1 : NULL;
	}
	arena_free(arena);
	free(s);
	return 0;
}
