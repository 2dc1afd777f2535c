/* Handlers of dispatch in the menu domain (app/menu/dispatch.h): the
 * suggestions for an order, volunteers sent and their answers, start and
 * delivery, the volunteer's own orders, and the escalation sweep. */
#include "http/handlers/common.h"
#include "app/menu/dispatch.h"

enum MHD_Result h_order_suggestions(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = dispatch_suggestions(&req->app, id, http_query(req, "limit"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_order_assignments(struct http_req *req, json_t *in)
{
	return with_id(req, 200, dispatch_assignments);
}

enum MHD_Result h_order_assign(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 201, dispatch_assign);
}

enum MHD_Result h_assignment_accept(struct http_req *req, json_t *in)
{
	return with_id(req, 200, dispatch_accept);
}

enum MHD_Result h_assignment_decline(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, dispatch_decline);
}

enum MHD_Result h_assignment_withdraw(struct http_req *req, json_t *in)
{
	return with_id(req, 200, dispatch_withdraw);
}

enum MHD_Result h_order_start(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, dispatch_start);
}

enum MHD_Result h_order_deliver(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, dispatch_deliver);
}

enum MHD_Result h_my_orders(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = dispatch_mine(&req->app, http_query(req, "status"), http_query(req, "limit"),
			       http_query(req, "cursor"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_order_escalation(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = dispatch_escalate_api(&req->app, in, &out);
	return reply(req, rc, 200, out);
}
