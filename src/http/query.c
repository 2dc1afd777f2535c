/* Request readers: query-string values as the handlers read them. Each
 * route declares the parameters its handler reads (routes.c), the same
 * docs/openapi.json documents; reading another is a bug caught here. */
#include "http/internal.h"
#include <assert.h>
#include <string.h>
#include <strings.h>

/* Whether name is one of the space-separated words of list. */
static bool declared(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p = end ? end + 1 : p + len;
	}
	return false;
}

const char *http_query(struct http_req *req, const char *name)
{
	/* the table through the server: naming route_table here would tie
	 * this room to the routes above it */
	assert(req->route >= 0 && req->route < req->srv->nroutes);
	assert(declared(req->srv->routes[req->route].query, name));
	const char *v = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
	return (v && *v) ? v : NULL;
}

int http_query_choice(struct http_req *req, const char *name, const char *const *choices,
		      int *idx)
{
	const char *v = http_query(req, name);
	*idx = -1;
	if (!v)
		return 0;
	for (int i = 0; choices[i]; i++)
		if (strcasecmp(v, choices[i]) == 0) {
			*idx = i;
			return 1;
		}
	return -1;
}
