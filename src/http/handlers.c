/* Handlers: the thin layer between a route and its use case. Each reads
 * path and query parameters, calls app/, and sends the result or the
 * app error. */
#include "http/handlers.h"
#include "app/accounts/accounts.h"
#include "app/kernel/audit.h"
#include "app/network/orgs.h"
#include "app/network/volunteers.h"
#include "app/network/regions.h"
#include "app/network/imports.h"
#include "app/service/records.h"
#include "app/service/exports.h"
#include "app/bank/points.h"
#include "app/bank/stars.h"
#include "app/bank/market.h"
#include "app/bank/paycodes.h"
#include "app/bank/awards.h"
#include "app/service/certificates.h"
#include "app/accounts/claims.h"
#include "app/projects/projects.h"
#include "app/projects/shifts.h"
#include "app/network/homes.h"
#include "core/cursor.h"
#include "util/arena.h"
#include "util/buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SESSION_COOKIE "zy_session"

/* Sends out (status) or the app error when rc != 0. */
static enum MHD_Result reply(struct http_req *req, int rc, unsigned status, json_t *out)
{
	if (rc != 0)
		return http_send_app_error(req);
	return out ? http_send_json(req, status, out) : http_send_empty(req, status);
}

/* The {id} path parameter; a malformed id is a 404 (no such resource). */
static int path_id(struct http_req *req, int64_t *id)
{
	if (req->nparams < 1 || parse_id(req->params[0], id) != 0)
		return app_fail(&req->app, APP_ENOTFOUND, "not_found", NULL);
	return 0;
}

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

enum MHD_Result h_login(struct http_req *req, json_t *in)
{
	struct session_grant g;
	json_t *out = NULL;
	if (accounts_login(&req->app, in, &g, &out) != 0)
		return http_send_app_error(req);
	http_add_header(req, "Set-Cookie", arena_printf(req->arena,
		SESSION_COOKIE "=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
		g.token, (long long)g.max_age, req->srv->cfg.cookie_secure ? "; Secure" : ""));
	return http_send_json(req, 201, out);
}

enum MHD_Result h_logout(struct http_req *req, json_t *in)
{
	if (accounts_logout(&req->app) != 0)
		return http_send_app_error(req);
	http_add_header(req, "Set-Cookie", arena_printf(req->arena,
		SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
		req->srv->cfg.cookie_secure ? "; Secure" : ""));
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

enum MHD_Result h_orgs_list(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	struct orgs_query q = {
		.limit = http_query(req, "limit"),
		.cursor = http_query(req, "cursor"),
		.parent_id = http_query(req, "parent_id"),
		.kind = http_query(req, "kind"),
		.q = http_query(req, "q"),
		.status = http_query(req, "status"),
	};
	int rc = orgs_list(&req->app, &q, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_orgs_search(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	struct orgs_search_query q = {
		.q = http_query(req, "q"),
		.kind = http_query(req, "kind"),
		.status = http_query(req, "status"),
		.limit = http_query(req, "limit"),
	};
	int rc = orgs_search(&req->app, &q, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_orgs_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = orgs_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_orgs_get(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = orgs_get(&req->app, id, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_orgs_update(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = orgs_update(&req->app, id, in, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_orgs_move(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = orgs_move(&req->app, id, in, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_orgs_dissolve(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = orgs_dissolve(&req->app, id, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_orgs_tree(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = orgs_tree(&req->app, id, &out);
	return reply(req, rc, 200, out);
}

/* Runs fn(app, id, out) for a route with an {id}. */
static enum MHD_Result with_id(struct http_req *req, unsigned status,
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
static enum MHD_Result with_id_in(struct http_req *req, json_t *in, unsigned status,
				  int (*fn)(struct app_req *, int64_t, json_t *, json_t **))
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = fn(&req->app, id, in, &out);
	return reply(req, rc, status, out);
}

enum MHD_Result h_vol_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = volunteers_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_vol_register(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = volunteers_register_self(&req->app, in, &out);
	return reply(req, rc, 201, out);
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

enum MHD_Result h_vol_list(struct http_req *req, json_t *in)
{
	struct volunteers_query q = {
		.limit = http_query(req, "limit"),
		.cursor = http_query(req, "cursor"),
		.q = http_query(req, "q"),
		.id_number = http_query(req, "id_number"),
		.skill = http_query(req, "skill"),
		.category = http_query(req, "category"),
		.org_id = http_query(req, "org_id"),
		.status = http_query(req, "status"),
		.age_min = http_query(req, "age_min"),
		.age_max = http_query(req, "age_max"),
		.sort = http_query(req, "sort"),
		.include = http_query(req, "include"),
	};
	json_t *out = NULL;
	int rc = volunteers_list(&req->app, &q, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_vol_get(struct http_req *req, json_t *in)
{
	return with_id(req, 200, volunteers_get);
}

enum MHD_Result h_vol_update(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, volunteers_update);
}

enum MHD_Result h_vol_id_number(struct http_req *req, json_t *in)
{
	return with_id(req, 200, volunteers_id_number);
}

static int deactivate(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	return volunteers_set_active(r, id, false, in, out);
}

static int reactivate(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	return volunteers_set_active(r, id, true, in, out);
}

enum MHD_Result h_vol_deactivate(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, deactivate);
}

enum MHD_Result h_vol_reactivate(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, reactivate);
}

enum MHD_Result h_vol_transfer(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, volunteers_transfer);
}

enum MHD_Result h_vol_export(struct http_req *req, json_t *in)
{
	http_add_header(req, "Content-Disposition", "attachment; filename=\"volunteer.json\"");
	return with_id(req, 200, volunteers_export);
}

enum MHD_Result h_me_vol(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = volunteers_me(&req->app, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_me_vol_update(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = volunteers_me_update(&req->app, in, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_me_vol_export(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = volunteers_me_export(&req->app, &out);
	if (rc == 0)
		http_add_header(req, "Content-Disposition", "attachment; filename=\"my-volunteer-data.json\"");
	return reply(req, rc, 200, out);
}

enum MHD_Result h_me_vol_delete(struct http_req *req, json_t *in)
{
	int rc = volunteers_me_delete(&req->app);
	if (rc == 0)
		http_add_header(req, "Set-Cookie", arena_printf(req->arena,
			SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
			req->srv->cfg.cookie_secure ? "; Secure" : ""));
	return reply(req, rc, 204, NULL);
}

enum MHD_Result h_regions_list(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = regions_list(&req->app, http_query(req, "parent_code"), http_query(req, "q"),
			      http_query(req, "limit"), http_query(req, "cursor"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_public_regions(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	if (app_req_init(&req->app, req->srv->app, req->arena, req->client) != 0)
		return http_send_app_error(req);
	int rc = regions_public_children(&req->app, http_query(req, "parent_code"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_regions_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = regions_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_regions_get(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = regions_get(&req->app, req->params[0], &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_regions_update(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = regions_update(&req->app, req->params[0], in, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_regions_population(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = regions_set_population(&req->app, req->params[0], req->params[1], in, &out);
	return reply(req, rc, 200, out);
}

/* Adds the localised message to every rejected row of a report. */
static void localise_report(struct http_req *req, json_t *report)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(report, "rejected"), i, e) {
		if (!json_object_get(e, "message"))
			json_object_set_new(e, "message", json_string(error_message(
				json_string_value(json_object_get(e, "code")), req->lang)));
	}
}

static enum MHD_Result upload(struct http_req *req, int kind)
{
	const char *data;
	size_t len;
	json_t *out = NULL;
	if (http_upload(req, &data, &len) != 0)
		return http_send_error(req, 400, "invalid_multipart", NULL);
	int rc = kind == 0 ? imports_volunteers(&req->app, http_query(req, "org_id"), data, len, &out)
			   : regions_import(&req->app, data, len, &out);
	if (rc == 0)
		localise_report(req, out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_import_volunteers(struct http_req *req, json_t *in)
{
	return upload(req, 0);
}

enum MHD_Result h_import_regions(struct http_req *req, json_t *in)
{
	return upload(req, 1);
}

enum MHD_Result h_import_template(struct http_req *req, json_t *in)
{
	const char *t = imports_volunteer_template();
	http_add_header(req, "Content-Disposition", "attachment; filename=\"volunteers-template.csv\"");
	return http_send_body(req, 200, "text/csv; charset=utf-8", t, strlen(t), false);
}

enum MHD_Result h_act_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = activities_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_act_list(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = activities_list(&req->app, http_query(req, "org_id"), http_query(req, "limit"),
				 http_query(req, "cursor"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_act_get(struct http_req *req, json_t *in)
{
	return with_id(req, 200, activities_get);
}

enum MHD_Result h_rec_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	bool created = false;
	const char *key = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Idempotency-Key");
	int rc = records_create(&req->app, in, key, &out, &created);
	/* a retry answers as the first request did */
	return reply(req, rc, 201, out);
}

enum MHD_Result h_rec_list(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = records_list(&req->app, http_query(req, "volunteer_id"), http_query(req, "status"),
			      http_query(req, "activity_id"), http_query(req, "limit"), http_query(req, "cursor"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_my_entries(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = records_entered(&req->app, http_query(req, "status"), http_query(req, "limit"),
				 http_query(req, "page"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_rec_get(struct http_req *req, json_t *in)
{
	return with_id(req, 200, records_get);
}

enum MHD_Result h_rec_approve(struct http_req *req, json_t *in)
{
	return with_id(req, 200, records_approve);
}

enum MHD_Result h_rec_reject(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, records_reject);
}

enum MHD_Result h_rec_chain(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = records_chain_head(&req->app, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_rec_batch(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	const char *key = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Idempotency-Key");
	int rc = records_create_batch(&req->app, in, key, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_rec_amend(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 201, records_amend);
}

enum MHD_Result h_vol_archive(struct http_req *req, json_t *in)
{
	int64_t id;
	struct buf b;
	buf_init(&b, JSON_OUT_MAX);
	if (path_id(req, &id) != 0 ||
	    records_archive_write(&req->app, id, http_query(req, "limit"), http_query(req, "cursor"), &b) != 0) {
		buf_release(&b);
		return http_send_app_error(req);
	}
	return http_send_json_text(req, 200, &b);
}

/* The language of an export for people: ?lang=en or zh(-CN), else the
 * request's Accept-Language. Returns -1 for another ?lang. */
static int export_lang(struct http_req *req, enum export_lang *lang)
{
	const char *q = http_query(req, "lang");
	if (!q) {
		*lang = req->lang == LANG_EN ? EXPORT_EN : EXPORT_ZH;
		return 0;
	}
	if (strcasecmp(q, "en") == 0)
		*lang = EXPORT_EN;
	else if (strcasecmp(q, "zh") == 0 || strcasecmp(q, "zh-CN") == 0)
		*lang = EXPORT_ZH;
	else
		return -1;
	return 0;
}

enum MHD_Result h_vol_archive_csv(struct http_req *req, json_t *in)
{
	int64_t id;
	enum export_lang lang;
	if (export_lang(req, &lang) != 0)
		return http_send_error(req, 400, "invalid_value", "lang");
	struct buf b;
	buf_init(&b, 64u << 20);
	if (path_id(req, &id) != 0 || exports_archive_csv(&req->app, id, lang, &b) != 0) {
		buf_release(&b);
		return http_send_app_error(req);
	}
	http_add_header(req, "Content-Disposition", "attachment; filename=\"archive.csv\"");
	enum MHD_Result r = http_send_body(req, 200, "text/csv; charset=utf-8", b.data ? b.data : "", b.len, true);
	buf_release(&b);
	return r;
}

enum MHD_Result h_training_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = trainings_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_training_list(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = trainings_list(&req->app, http_query(req, "limit"), http_query(req, "cursor"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_training_get(struct http_req *req, json_t *in)
{
	return with_id(req, 200, trainings_get);
}

enum MHD_Result h_training_attend(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, trainings_attend);
}

enum MHD_Result h_cert_issue(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = certificates_issue(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_cert_list(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = certificates_list(&req->app, http_query(req, "volunteer_id"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_cert_get(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = certificates_get(&req->app, req->params[0], &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_cert_pdf(struct http_req *req, json_t *in)
{
	unsigned char *pdf = NULL;
	size_t len = 0;
	const char *serial = req->params[0];
	if (certificates_pdf(&req->app, serial, req->srv->cfg.public_url, &pdf, &len) != 0)
		return http_send_app_error(req);
	http_add_header(req, "Content-Disposition", arena_printf(req->arena,
		"attachment; filename=\"%s.pdf\"", serial));
	enum MHD_Result r = http_send_body(req, 200, "application/pdf", pdf, len, true);
	free(pdf);
	return r;
}

enum MHD_Result h_cert_revoke(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = certificates_revoke(&req->app, req->params[0], in, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_cert_public(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	if (app_req_init(&req->app, req->srv->app, req->arena, req->client) != 0)
		return http_send_app_error(req);
	int rc = certificates_public(&req->app, req->params[0], http_query(req, "code"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_calendar_list(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = calendar_list(&req->app, http_query(req, "year"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_calendar_set(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = calendar_set(&req->app, req->params[0], in, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_calendar_delete(struct http_req *req, json_t *in)
{
	return reply(req, calendar_delete(&req->app, req->params[0]), 204, NULL);
}

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

/* ---- projects and shifts ---- */

enum MHD_Result h_project_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = projects_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_project_list(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = projects_list(&req->app, http_query(req, "org_id"), http_query(req, "status"),
			       http_query(req, "limit"), http_query(req, "cursor"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_project_get(struct http_req *req, json_t *in)
{
	return with_id(req, 200, projects_get);
}

enum MHD_Result h_project_update(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, projects_update);
}

static enum MHD_Result project_move(struct http_req *req, const char *to)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = projects_transition(&req->app, id, to, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_project_publish(struct http_req *req, json_t *in)
{
	return project_move(req, "published");
}

enum MHD_Result h_project_start(struct http_req *req, json_t *in)
{
	return project_move(req, "in_progress");
}

enum MHD_Result h_project_complete(struct http_req *req, json_t *in)
{
	return project_move(req, "completed");
}

enum MHD_Result h_project_cancel(struct http_req *req, json_t *in)
{
	return project_move(req, "cancelled");
}

enum MHD_Result h_public_projects(struct http_req *req, json_t *in)
{
	struct project_query q = {
		.q = http_query(req, "q"), .domain = http_query(req, "domain"),
		.category = http_query(req, "category"), .region = http_query(req, "region"),
		.org_id = http_query(req, "org_id"), .date = http_query(req, "date"),
		.open = http_query(req, "open"), .limit = http_query(req, "limit"),
		.cursor = http_query(req, "cursor"),
	};
	json_t *out = NULL;
	if (app_req_init(&req->app, req->srv->app, req->arena, req->client) != 0)
		return http_send_app_error(req);
	int rc = projects_public_list(&req->app, &q, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_public_project(struct http_req *req, json_t *in)
{
	if (app_req_init(&req->app, req->srv->app, req->arena, req->client) != 0)
		return http_send_app_error(req);
	return with_id(req, 200, projects_public_get);
}

enum MHD_Result h_shift_create(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 201, shifts_create);
}

enum MHD_Result h_shift_get(struct http_req *req, json_t *in)
{
	return with_id(req, 200, shifts_get);
}

enum MHD_Result h_shift_signups(struct http_req *req, json_t *in)
{
	return with_id(req, 200, shifts_signups);
}

enum MHD_Result h_shift_code(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = shifts_code(&req->app, id, http_query(req, "at"), &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_shift_signup(struct http_req *req, json_t *in)
{
	int64_t id;
	json_t *out = NULL;
	bool created = false;
	int rc = path_id(req, &id);
	if (rc == 0)
		rc = shifts_signup(&req->app, id, in, &out, &created);
	/* the same sign-up again is the one already made */
	return reply(req, rc, created ? 201 : 200, out);
}

enum MHD_Result h_signup_cancel(struct http_req *req, json_t *in)
{
	return with_id(req, 200, shifts_cancel);
}

static int check_in(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	return shifts_check(r, id, true, in, out);
}

static int check_out(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	return shifts_check(r, id, false, in, out);
}

enum MHD_Result h_shift_check_in(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, check_in);
}

enum MHD_Result h_shift_check_out(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, check_out);
}

enum MHD_Result h_my_shifts(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = shifts_mine(&req->app, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_shift_sweep(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = shifts_sweep_api(&req->app, in, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_agencies(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = projects_agencies(&req->app, &out);
	return reply(req, rc, 200, out);
}

/* ---- home organisations: the public picker and join requests ---- */

enum MHD_Result h_public_orgs(struct http_req *req, json_t *in)
{
	struct homes_pick_query q = {
		.q = http_query(req, "q"), .region = http_query(req, "region"),
		.kind = http_query(req, "kind"), .limit = http_query(req, "limit"),
	};
	json_t *out = NULL;
	if (app_req_init(&req->app, req->srv->app, req->arena, req->client) != 0)
		return http_send_app_error(req);
	int rc = homes_public_orgs(&req->app, &q, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_my_join_requests(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = homes_request_mine(&req->app, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_join_request_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = homes_request_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_join_request_withdraw(struct http_req *req, json_t *in)
{
	return with_id(req, 200, homes_request_withdraw);
}

enum MHD_Result h_join_requests_list(struct http_req *req, json_t *in)
{
	struct homes_list_query q = {
		.status = http_query(req, "status"), .org_id = http_query(req, "org_id"),
		.limit = http_query(req, "limit"), .cursor = http_query(req, "cursor"),
	};
	json_t *out = NULL;
	int rc = homes_request_list(&req->app, &q, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_join_request_accept(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, homes_request_accept);
}

enum MHD_Result h_join_request_decline(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, homes_request_decline);
}
