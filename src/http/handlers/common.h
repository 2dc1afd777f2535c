/* Private to the handler files (src/http/handlers/): the helpers every
 * handler shares to turn a use case's result into a response. */
#ifndef ZY_HTTP_HANDLERS_COMMON_H
#define ZY_HTTP_HANDLERS_COMMON_H
#include "http/handlers.h"
#include "core/cursor.h"
#include "util/arena.h"

/* Sends out (status) or the app error when rc != 0. */
static inline enum MHD_Result reply(struct http_req *req, int rc, unsigned status, json_t *out)
{
	if (rc != 0)
		return http_send_app_error(req);
	return out ? http_send_json(req, status, out) : http_send_empty(req, status);
}

/* The {id} path parameter; a malformed id is a 404 (no such resource). */
static inline int path_id(struct http_req *req, int64_t *id)
{
	if (req->nparams < 1 || parse_id(req->params[0], id) != 0)
		return app_fail(&req->app, APP_ENOTFOUND, "not_found", NULL);
	return 0;
}

/* Runs fn(app, id, out) for a route with an {id}. */
static inline enum MHD_Result with_id(struct http_req *req, unsigned status,
			       int (*fn)(struct app_req *, int64_t, json_t **))
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = fn(&req->app, id, &out);
	return reply(req, rc, status, out);
}

/* Runs fn(app, id, in, out) for a route with an {id} and a body. */
static inline enum MHD_Result with_id_in(struct http_req *req, json_t *in, unsigned status,
				  int (*fn)(struct app_req *, int64_t, json_t *, json_t **))
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = fn(&req->app, id, in, &out);
	return reply(req, rc, status, out);
}

/* Sets the session cookie on the coming response: token for max_age
 * seconds, or with token NULL the empty cookie that makes the browser
 * drop it (sign-out, a deleted file). Secure when the server says so. */
static inline void set_session_cookie(struct http_req *req, const char *token, long long max_age)
{
	http_add_header(req, "Set-Cookie", arena_printf(req->arena,
		SESSION_COOKIE "=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
		token ? token : "", token ? max_age : 0, req->srv->cfg.cookie_secure ? "; Secure" : ""));
}

#endif
