/* The response writers of http/: every answer the server, the handlers,
 * the body reader, the console and the metrics send goes through here,
 * queued on the connection (or kept for a write thread to hand back, see
 * server.c), with the request's extra headers and nosniff added. Errors
 * become {"error":{"code","message","field"}} in the request's language
 * (the messages and statuses are errors.c's). */
#include "http/internal.h"
#include "util/arena.h"
#include "util/jsonw.h"
#include <assert.h>
#include <stdlib.h>

void http_add_header(struct http_req *req, const char *name, const char *value)
{
	if (req->nheaders < MAX_EXTRA_HEADERS) {
		req->headers[req->nheaders].name = name;
		req->headers[req->nheaders].value = value;
		req->nheaders++;
	}
}

enum MHD_Result http_send_response(struct http_req *req, unsigned status, struct MHD_Response *resp,
				   uint64_t bytes)
{
	/* one answer per request: a second would be lost (MHD refuses it, or
	 * on a write thread it would leak the first) */
	assert(req->status == 0);
	for (int i = 0; i < req->nheaders; i++)
		MHD_add_response_header(resp, req->headers[i].name, req->headers[i].value);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	req->status = (int)status;
	req->resp_bytes = bytes;
	if (req->deferred) {
		/* on a write thread: MHD takes the answer when the connection
		 * is resumed (on_request) */
		req->answer = resp;
		req->answer_status = status;
		return MHD_YES;
	}
	enum MHD_Result r = MHD_queue_response(req->conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

enum MHD_Result http_send_body(struct http_req *req, unsigned status, const char *type,
			       const void *data, size_t len, bool must_copy)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)data,
		must_copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	if (type)
		MHD_add_response_header(resp, "Content-Type", type);
	return http_send_response(req, status, resp, len);
}

enum MHD_Result http_send_json(struct http_req *req, unsigned status, json_t *doc)
{
	struct buf b;
	buf_init(&b, JSON_OUT_MAX);
	int rc = jsonw_value(&b, doc);
	json_decref(doc);
	if (rc != 0)
		abort();   /* a response of 64 MiB is a bug, not an input */
	return http_send_json_text(req, status, &b);
}

enum MHD_Result http_send_json_text(struct http_req *req, unsigned status, struct buf *b)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(b->len, b->data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		buf_release(b);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return http_send_response(req, status, resp, b->len);
}

enum MHD_Result http_send_empty(struct http_req *req, unsigned status)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return http_send_response(req, status, resp, 0);
}

enum MHD_Result http_send_error(struct http_req *req, unsigned status, const char *code,
				const char *field)
{
	json_t *e = json_pack("{ss ss}", "code", code, "message", error_message(code, req->lang));
	if (field)
		json_object_set_new(e, "field", json_string(field));
	return http_send_json(req, status, json_pack("{so}", "error", e));
}

enum MHD_Result http_send_app_error(struct http_req *req)
{
	const struct app_error *err = &req->app.err;
	if (err->status == APP_ETHROTTLED) {
		http_add_header(req, "Retry-After",
				arena_printf(req->arena, "%lld", (long long)err->retry_after));
	}
	if (err->detail) {
		/* file errors carry where in the file (row, column) */
		const char *code = err->code ? err->code : "internal";
		json_t *e = json_pack("{ss ss ss}", "code", code, "message",
			arena_printf(req->arena, "%s: %s", error_message(code, req->lang), err->detail),
			"detail", err->detail);
		if (err->field)
			json_object_set_new(e, "field", json_string(err->field));
		return http_send_json(req, error_status(err->status), json_pack("{so}", "error", e));
	}
	if (err->reason && err->code) {
		/* one code, several causes: the cause in its own field and message */
		const char *key = arena_printf(req->arena, "%s.%s", err->code, err->reason);
		json_t *e = json_pack("{ss ss ss}", "code", err->code, "message",
				      error_message(key, req->lang), "reason", err->reason);
		if (err->field)
			json_object_set_new(e, "field", json_string(err->field));
		return http_send_json(req, error_status(err->status), json_pack("{so}", "error", e));
	}
	return http_send_error(req, error_status(err->status), err->code ? err->code : "internal",
			       err->field);
}
