/* Handlers of the bank domain (app/bank): points and point rules, star
 * levels, the love stores (goods, sales, vouchers, pay codes) and awards. */
#include "http/handlers/common.h"
#include "app/bank/points.h"
#include "app/bank/stars.h"
#include "app/bank/market.h"
#include "app/bank/paycodes.h"
#include "app/bank/awards.h"

enum MHD_Result h_vol_points(struct http_req *req, json_t *in)
{
	return with_id(req, 200, points_balance);
}

enum MHD_Result h_points_movements(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = points_movements(&req->app, http_query(req, "volunteer_id"), http_query(req, "org_id"),
				  http_query(req, "limit"), http_query(req, "cursor"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_points_adjust(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	const char *key = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Idempotency-Key");
	int rc = points_adjust(&req->app, in, key, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_org_rules_get(struct http_req *req, json_t *in)
{
	return with_id(req, 200, points_rules_get);
}

enum MHD_Result h_org_rules_set(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, points_rules_set);
}

enum MHD_Result h_org_star_roster(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = stars_roster(&req->app, id, http_query(req, "level"), http_query(req, "limit"),
				  http_query(req, "cursor"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_stars_get(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = stars_config_get(&req->app, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_stars_set(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = stars_config_set(&req->app, in, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_store_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = market_store_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_store_list(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = market_store_list(&req->app, http_query(req, "org_id"), http_query(req, "usable"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_goods_create(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 201, market_goods_create);
}

enum MHD_Result h_goods_list(struct http_req *req, json_t *in)
{
	return with_id(req, 200, market_goods_list);
}

enum MHD_Result h_goods_stock(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = market_stock(&req->app, id, in, MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Idempotency-Key"),
				  &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_voucher_issue(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	const char *key = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Idempotency-Key");
	int rc = market_voucher_issue(&req->app, in, key, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_voucher_list(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = market_voucher_list(&req->app, http_query(req, "volunteer_id"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_voucher_get(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = market_voucher_get(&req->app, req->nparams ? req->params[0] : "", &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_voucher_redeem(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = market_voucher_redeem(&req->app, req->nparams ? req->params[0] : "", in,
				       MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Idempotency-Key"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_voucher_cancel(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = market_voucher_cancel(&req->app, req->nparams ? req->params[0] : "",
				       MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Idempotency-Key"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_store_sale(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	const char *key = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Idempotency-Key");
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = market_sale(&req->app, id, in, key, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_store_update(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = market_store_update(&req->app, id, in, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_pay_code_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = paycodes_create(&req->app, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_pay_code_current(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = paycodes_current(&req->app, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_store_reconcile(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = market_reconcile(&req->app, id, http_query(req, "date"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_award_types(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = awards_types(&req->app, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_award_type_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = awards_type_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_award_round_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = awards_round_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_award_round_list(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = awards_round_list(&req->app, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_award_round_get(struct http_req *req, json_t *in)
{
	return with_id(req, 200, awards_round_get);
}

enum MHD_Result h_award_candidates(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = awards_candidates(&req->app, id, http_query(req, "limit"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_award_nominate(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 201, awards_nominate);
}

static int approve_nomination(struct app_req *r, int64_t id, json_t **out)
{
	return awards_decide(r, id, true, out);
}

static int reject_nomination(struct app_req *r, int64_t id, json_t **out)
{
	return awards_decide(r, id, false, out);
}

enum MHD_Result h_nomination_approve(struct http_req *req, json_t *in)
{
	return with_id(req, 200, approve_nomination);
}

enum MHD_Result h_nomination_reject(struct http_req *req, json_t *in)
{
	return with_id(req, 200, reject_nomination);
}

enum MHD_Result h_vol_award_external(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 201, awards_external);
}

enum MHD_Result h_honour_roll(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	if (app_req_init(&req->app, req->srv->app, req->arena, req->client) != 0)
		return http_send_app_error(req);
	int rc = awards_honour_roll(&req->app, http_query(req, "year"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_org_rules_clear(struct http_req *req, json_t *in)
{
	return with_id(req, 200, points_rules_clear);
}
