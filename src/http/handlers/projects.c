/* Handlers of the projects domain (app/projects): projects, their shifts,
 * sign-ups and attendance, and the partner social-work agencies. */
#include "http/handlers/common.h"
#include "app/projects/projects_api.h"
#include "app/projects/shifts.h"

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
