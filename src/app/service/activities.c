/* Activities: what an organisation holds, which service records are entered against. */
#include "app/service/records.h"
#include "app/service/service_int.h"
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "core/records.h"
#include "core/validate.h"
#include <time.h>
#include "util/arena.h"
#include "util/jsonw.h"
#include "core/chinatime.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACT_COLUMNS "a.id, a.org_id, o.name, a.name, a.starts_at, a.ends_at, a.place, a.content," \
	" a.leader, a.service_category, a.project_id, a.created_at, o.path"

static json_t *activity_json(struct app_req *r, struct store_stmt *st)
{
	return json_pack("{sI sI ss ss ss ss ss ss ss ss? so ss}",
		"id", (json_int_t)store_col_int(st, 0),
		"org_id", (json_int_t)store_col_int(st, 1),
		"org_name", store_col_text(st, 2),
		"name", store_col_text(st, 3),
		"starts_at", app_iso(r, store_col_int(st, 4)),
		"ends_at", app_iso(r, store_col_int(st, 5)),
		"place", store_col_text(st, 6),
		"content", store_col_text(st, 7),
		"leader", store_col_text(st, 8),
		"service_category", store_col_text(st, 9),
		"project_id", col_id_json(st, 10),
		"created_at", app_iso(r, store_col_int(st, 11)));
}

struct act_ctx {
	struct app_req *r;
	const char *name, *place, *content, *leader, *category, *path, *region;
	int64_t org_id, project_id, starts, ends, id;
};

static int act_tx(struct store *s, void *vctx)
{
	struct act_ctx *c = vctx;
	struct activity_new a = {
		.org_id = c->org_id, .project_id = c->project_id, .name = c->name, .place = c->place,
		.content = c->content ? c->content : "", .leader = c->leader ? c->leader : "",
		.category = c->category, .region = c->region, .starts_at = c->starts, .ends_at = c->ends,
		.created_by = c->r->who->user_id,
	};
	int rc = activity_insert(s, &a);
	c->id = a.id;
	if (rc != STORE_OK)
		return rc;
	json_t *detail = json_pack("{ss}", "name", c->name);
	rc = audit_write(c->r, s, "activity.create", "activity", c->id, c->org_id, c->path, detail);
	json_decref(detail);
	return rc;
}

int activities_create(struct app_req *r, json_t *in, json_t **out)
{
	struct act_ctx c = { .r = r };
	bool has_project;
	if (authz_check(r, AUTHZ_RECORDS_WRITE, NULL) != 0)
		return -1;
	if (in_text(r, in, "name", true, 100, &c.name) != 0 ||
	    in_id(r, in, "org_id", true, &c.org_id, NULL) != 0 ||
	    in_time(r, in, "starts_at", true, &c.starts, NULL) != 0 ||
	    in_time(r, in, "ends_at", true, &c.ends, NULL) != 0 ||
	    in_text(r, in, "place", true, 200, &c.place) != 0 ||
	    in_text(r, in, "content", true, 2000, &c.content) != 0 ||
	    in_text(r, in, "leader", false, 50, &c.leader) != 0 ||
	    in_text(r, in, "service_category", false, 20, &c.category) != 0 ||
	    in_id(r, in, "project_id", false, &c.project_id, &has_project) != 0)
		return -1;
	if (c.ends <= c.starts)
		return app_fail(r, APP_EINVALID, "ends_before_start", "ends_at");
	if (c.ends - c.starts > 7 * 86400)
		return app_fail(r, APP_EINVALID, "activity_too_long", "ends_at");
	struct org_ref org;
	if (org_target(r, r->store, c.org_id, AUTHZ_RECORDS_WRITE, true, &org) != 0)
		return -1;
	if (has_project) {
		/* an activity of a project is organised by the project's owner */
		struct store_stmt *st = store_prepare(r->store, "SELECT org_id FROM projects WHERE id = $1");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_int(st, 1, c.project_id);
		int rc = store_step(st);
		bool same = rc == STORE_ROW && store_col_int(st, 0) == c.org_id;
		store_done(st);
		if (rc != STORE_ROW && rc != STORE_DONE)
			return app_store_fail(r, rc);
		if (rc == STORE_DONE)
			return app_fail(r, APP_EINVALID, "project_not_found", "project_id");
		if (!same)
			return app_fail(r, APP_EINVALID, "project_of_another_org", "project_id");
	}
	c.path = org.path;
	c.region = org.region;
	int rc = store_tx(r->store, act_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return activities_get(r, c.id, out);
}

int activities_get(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st;
	if (authz_check(r, AUTHZ_RECORDS_READ, NULL) != 0 ||
	    app_load_row(r, "SELECT " ACT_COLUMNS " FROM activities a JOIN orgs o ON o.id = a.org_id WHERE a.id = $1",
			 id, AUTHZ_RECORDS_READ, 12, &st) != 0)
		return -1;
	*out = activity_json(r, st);
	store_done(st);
	return 0;
}

int activities_list(struct app_req *r, const char *org_s, const char *limit_s, const char *cursor, json_t **out)
{
	int limit;
	int64_t after;
	const char *scope;
	if (authz_check(r, AUTHZ_RECORDS_READ, NULL) != 0 || app_limit(r, limit_s, &limit) != 0 ||
	    app_cursor(r, cursor, &after) != 0)
		return -1;
	if (app_scope(r, org_s, AUTHZ_RECORDS_READ, &scope) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " ACT_COLUMNS " FROM activities a JOIN orgs o ON o.id = a.org_id"
		" WHERE o.path LIKE $1 AND (CAST($2 AS BIGINT) = 0 OR a.id < $2)"
		" ORDER BY a.id DESC LIMIT $3");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", scope));
	store_bind_int(st, 2, after);
	store_bind_int(st, 3, limit + 1);
	return app_page(r, st, limit, activity_json, out);
}
