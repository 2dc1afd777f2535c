/* Handlers of the service domain (app/service): activities, service
 * records and their chain, the volunteer's archive, trainings,
 * certificates and the working-day calendar. */
#include "http/handlers/common.h"
#include "app/service/records.h"
#include "app/service/exports.h"
#include "app/service/certificates.h"
#include "util/arena.h"
#include "util/buf.h"
#include <stdlib.h>

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
	static const char *const langs[] = { "en", "zh", "zh-CN", NULL };
	int i;
	int rc = http_query_choice(req, "lang", langs, &i);
	if (rc < 0)
		return -1;
	if (rc == 0)
		*lang = req->lang == LANG_EN ? EXPORT_EN : EXPORT_ZH;
	else
		*lang = i == 0 ? EXPORT_EN : EXPORT_ZH;
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
