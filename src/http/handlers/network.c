/* Handlers of the network domain (app/network): organisations,
 * volunteers' files, regions, spreadsheet imports and home organisations
 * (the public picker and join requests). */
#include "http/handlers/common.h"
#include "app/network/orgs.h"
#include "app/network/volunteers.h"
#include "app/network/regions.h"
#include "app/network/imports.h"
#include "app/network/homes.h"
#include <string.h>

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
		set_session_cookie(req, NULL, 0);
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
