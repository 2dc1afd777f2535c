/* Handlers of the menu's ratings, cases and statistics (app/menu/
 * ratings.h): the requester's rating through the tracking code, the
 * operator's phone rating and complaint, the cases staff close, the
 * approver's quality suggestion and GET /menu/stats. */
#include "http/handlers/common.h"
#include "app/menu/ratings.h"
#include "util/buf.h"

enum MHD_Result h_public_rating(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	if (app_req_init(&req->app, req->srv->app, req->arena, req->client) != 0)
		return http_send_app_error(req);
	int rc = ratings_public_rate(&req->app, req->nparams ? req->params[0] : "", in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_order_rating(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 201, ratings_phone_rate);
}

enum MHD_Result h_order_complaint(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 201, cases_complain);
}

enum MHD_Result h_cases_list(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = cases_list(&req->app, http_query(req, "org_id"), http_query(req, "status"),
			    http_query(req, "limit"), http_query(req, "cursor"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_case_get(struct http_req *req, json_t *in)
{
	return with_id(req, 200, cases_get);
}

enum MHD_Result h_case_close(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, cases_close);
}

enum MHD_Result h_quality_suggestions(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = ratings_quality(&req->app, http_query(req, "record_ids"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_menu_stats(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = menu_stats(&req->app, http_query(req, "org_id"), http_query(req, "from"), http_query(req, "to"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_menu_stats_csv(struct http_req *req, json_t *in)
{
	/* ?lang=en or zh(-CN), else the request's Accept-Language */
	static const char *const langs[] = { "en", "zh", "zh-CN", NULL };
	int i;
	int rc = http_query_choice(req, "lang", langs, &i);
	if (rc < 0)
		return http_send_error(req, 400, "invalid_value", "lang");
	bool en = rc == 0 ? req->lang == LANG_EN : i == 0;
	struct buf b;
	buf_init(&b, 16u << 20);
	if (menu_stats_csv(&req->app, http_query(req, "org_id"), http_query(req, "from"), http_query(req, "to"), en,
			   &b) != 0) {
		buf_release(&b);
		return http_send_app_error(req);
	}
	http_add_header(req, "Content-Disposition", "attachment; filename=\"menu-stats.csv\"");
	enum MHD_Result r = http_send_body(req, 200, "text/csv; charset=utf-8", b.data ? b.data : "", b.len, true);
	buf_release(&b);
	return r;
}
