/* Handlers of the operational endpoints (probes, metrics, the OpenAPI
 * document) and of the audit log (app/kernel/audit.h). */
#include "http/handlers/common.h"
#include "app/kernel/audit.h"

enum MHD_Result h_healthz(struct http_req *req, json_t *in)
{
	static const char ok[] = "{\"status\":\"ok\"}";
	return http_send_body(req, 200, "application/json", ok, sizeof(ok) - 1, false);
}

enum MHD_Result h_readyz(struct http_req *req, json_t *in)
{
	if (app_req_init(&req->app, req->srv->app, req->arena, req->client) != 0 ||
	    app_ready(&req->app) != 0)
		return http_send_app_error(req);
	return http_send_json(req, 200, json_pack("{ss ss}", "status", "ready",
		"database", app_backend(req->srv->app)));
}

enum MHD_Result h_metrics(struct http_req *req, json_t *in)
{
	return metrics_serve(req);
}

enum MHD_Result h_openapi(struct http_req *req, json_t *in)
{
	return http_send_body(req, 200, "application/json", openapi_json, openapi_json_len, false);
}

enum MHD_Result h_audit_list(struct http_req *req, json_t *in)
{
	struct audit_query q = {
		.limit = http_query(req, "limit"),
		.cursor = http_query(req, "cursor"),
		.action = http_query(req, "action"),
		.actor_id = http_query(req, "actor_id"),
	};
	json_t *out = NULL;
	int rc = audit_list(&req->app, &q, &out);
	return reply(req, rc, 200, out);
}
