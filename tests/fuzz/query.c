/* libFuzzer target: request targets. The input is "METHOD /path?query";
 * the path goes through the route table (http/routes.c: path parameters,
 * "{serial}.pdf" literals), every parameter and query value through the
 * parsers handlers use on them (ids, list limits and cursors, search
 * patterns). Query values are decoded as libmicrohttpd does. */
#include "app/internal.h"
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	struct arena *arena = arena_new();
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
