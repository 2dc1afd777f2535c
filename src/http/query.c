/* Request readers: query-string values as the handlers read them. */
#include "http/internal.h"

const char *http_query(struct http_req *req, const char *name)
{
	const char *v = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
	return (v && *v) ? v : NULL;
}
