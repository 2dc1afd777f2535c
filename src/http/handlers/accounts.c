/* Handlers of the accounts domain (app/accounts): sessions, the caller's
 * own account, API tokens, staff users and volunteers' account claims. */
#include "http/handlers/common.h"
#include "app/accounts/accounts_api.h"
#include "app/network/claims.h"

enum MHD_Result h_login(struct http_req *req, json_t *in)
{
	struct session_grant g;
	json_t *out = NULL;
	if (accounts_login(&req->app, in, &g, &out) != 0)
		return http_send_app_error(req);
	set_session_cookie(req, g.token, (long long)g.max_age);
	return http_send_json(req, 201, out);
}

enum MHD_Result h_logout(struct http_req *req, json_t *in)
{
	if (accounts_logout(&req->app) != 0)
		return http_send_app_error(req);
	set_session_cookie(req, NULL, 0);
	return http_send_empty(req, 204);
}

enum MHD_Result h_me(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = accounts_me(&req->app, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_password(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = accounts_change_password(&req->app, in, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_tokens_list(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = tokens_list(&req->app, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_tokens_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = tokens_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_tokens_revoke(struct http_req *req, json_t *in)
{
	int64_t id;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = tokens_revoke(&req->app, id);
	return reply(req, rc, 204, NULL);
}

enum MHD_Result h_users_list(struct http_req *req, json_t *in)
{
	struct users_query q = {
		.limit = http_query(req, "limit"),
		.cursor = http_query(req, "cursor"),
		.q = http_query(req, "q"),
		.org_id = http_query(req, "org_id"),
	};
	json_t *out = NULL;
	int rc = users_list(&req->app, &q, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_users_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = users_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_users_get(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = users_get(&req->app, id, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_users_update(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = users_update(&req->app, id, in, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_claim_start(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = claims_start(&req->app, in, &out);
	return reply(req, rc, 202, out);
}

enum MHD_Result h_claim_complete(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = claims_complete(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_claim_invite(struct http_req *req, json_t *in)
{
	return with_id(req, 201, claims_invite);
}
