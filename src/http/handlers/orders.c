/* Handlers of residents' orders (app/menu/orders.h): the public order
 * page and tracking code, the hotline intake, lists, detail and the
 * provider's accept, decline, cancel and close, and the closing sweep. */
#include "http/handlers/common.h"
#include "app/menu/orders.h"

/* Public routes authenticate nobody: the request is prepared here. */
static int public_init(struct http_req *req)
{
	return app_req_init(&req->app, req->srv->app, req->arena, req->client);
}

enum MHD_Result h_public_order_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	if (public_init(req) != 0)
		return http_send_app_error(req);
	int rc = orders_public_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_public_order_get(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	if (public_init(req) != 0)
		return http_send_app_error(req);
	int rc = orders_public_get(&req->app, req->params[0], &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_public_order_cancel(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	if (public_init(req) != 0)
		return http_send_app_error(req);
	int rc = orders_public_cancel(&req->app, req->params[0], in, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_order_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = orders_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_order_list(struct http_req *req, json_t *in)
{
	struct orders_query q = {
		.org_id = http_query(req, "org_id"), .status = http_query(req, "status"),
		.menu_item_id = http_query(req, "menu_item_id"), .phone = http_query(req, "phone"),
		.channel = http_query(req, "channel"), .board = http_query(req, "board"),
		.limit = http_query(req, "limit"), .cursor = http_query(req, "cursor"),
	};
	json_t *out = NULL;
	int rc = orders_list(&req->app, &q, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_order_get(struct http_req *req, json_t *in)
{
	return with_id(req, 200, orders_get);
}

enum MHD_Result h_order_events(struct http_req *req, json_t *in)
{
	return with_id(req, 200, orders_events);
}

enum MHD_Result h_order_accept(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, orders_accept);
}

enum MHD_Result h_order_decline(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, orders_decline);
}

enum MHD_Result h_order_cancel(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, orders_cancel);
}

enum MHD_Result h_order_close(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, orders_close);
}

enum MHD_Result h_order_closing(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = orders_close_api(&req->app, in, &out);
	return reply(req, rc, 200, out);
}
