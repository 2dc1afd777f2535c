/* Organisation use cases. The path column ("/1/7/42/") is written once at
 * creation so that every scope check is a string prefix test. */
#include "app/orgs.h"
#include "app/authz.h"
#include "app/input.h"
#include "app/internal.h"
#include "core/validate.h"
#include "util/arena.h"
#include <string.h>

#define ORG_COLUMNS "id, parent_id, name, kind, region_code, professional, status, created_at, path"

static json_t *org_json(struct app_req *r, struct store_stmt *st)
{
	return json_pack("{sI so ss ss ss sb ss ss}",
		"id", (json_int_t)store_col_int(st, 0),
		"parent_id", col_id_json(st, 1),
		"name", store_col_text(st, 2),
		"kind", store_col_text(st, 3),
		"region_code", store_col_text(st, 4),
		"professional", store_col_int(st, 5) != 0,
		"status", store_col_text(st, 6),
		"created_at", app_iso(r, store_col_int(st, 7)));
}

int org_lookup(struct app_req *r, int64_t org_id, const char **path, const char **name)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT path, name FROM orgs WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, org_id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		if (path)
			*path = arena_strdup(r->arena, store_col_text(st, 0));
		if (name)
			*name = arena_strdup(r->arena, store_col_text(st, 1));
	}
	store_done(st);
	return rc;
}

struct create_ctx {
	struct app_req *r;
	const char *name, *region;
	int kind;
	bool professional;
	int64_t parent_id;
	int64_t id;
	const char *path;
};

static int create_tx(struct store *s, void *vctx)
{
	struct create_ctx *c = vctx;
	struct app_req *r = c->r;
	struct store_stmt *st = store_prepare(s, "SELECT kind, path, status FROM orgs WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->parent_id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		if (rc == STORE_DONE) {
			app_fail(r, APP_EINVALID, "parent_not_found", "parent_id");
			return STORE_ERROR;
		}
		return rc;
	}
	int parent_kind = org_kind_parse(store_col_text(st, 0));
	const char *ppath = arena_strdup(r->arena, store_col_text(st, 1));
	bool active = strcmp(store_col_text(st, 2), "active") == 0;
	store_done(st);
	if (authz_check(r, AUTHZ_ORGS_WRITE, ppath) != 0)
		return STORE_ERROR;
	if (!active) {
		app_fail(r, APP_EINVALID, "parent_inactive", "parent_id");
		return STORE_ERROR;
	}
	if (!org_parent_allowed(parent_kind, c->kind)) {
		app_fail(r, APP_EINVALID, "invalid_parent_kind", "parent_id");
		return STORE_ERROR;
	}
	int64_t now = app_now();
	st = store_prepare(s,
		"INSERT INTO orgs (parent_id, path, name, kind, professional, region_code,"
		" status, created_at, updated_at)"
		" VALUES ($1, '', $2, $3, $4, $5, 'active', $6, $6) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->parent_id);
	store_bind_text(st, 2, c->name);
	store_bind_text(st, 3, org_kind_name(c->kind));
	store_bind_int(st, 4, c->professional);
	store_bind_text(st, 5, c->region);
	store_bind_int(st, 6, now);
	rc = store_step(st);
	if (rc == STORE_ROW)
		c->id = store_col_int(st, 0);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	c->path = arena_printf(r->arena, "%s%lld/", ppath, (long long)c->id);
	st = store_prepare(s, "UPDATE orgs SET path = $2 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_text(st, 2, c->path);
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	json_t *detail = json_pack("{ss ss sI}", "name", c->name, "kind",
				   org_kind_name(c->kind), "parent_id", (json_int_t)c->parent_id);
	rc = audit_write(r, s, "org.create", "org", c->id, c->id, c->path, detail);
	json_decref(detail);
	return rc;
}

int orgs_create(struct app_req *r, json_t *in, json_t **out)
{
	struct create_ctx c = { .r = r };
	const char *kind;
	if (authz_check(r, AUTHZ_ORGS_WRITE, NULL) != 0)
		return -1;
	if (in_text(r, in, "name", true, ORG_NAME_MAX, &c.name) != 0 ||
	    in_text(r, in, "kind", true, 32, &kind) != 0 ||
	    in_id(r, in, "parent_id", true, &c.parent_id, NULL) != 0 ||
	    in_text(r, in, "region_code", true, 12, &c.region) != 0 ||
	    in_bool(r, in, "professional", &c.professional, NULL) != 0)
		return -1;
	c.kind = org_kind_parse(kind);
	if (c.kind < 0 || c.kind == ORG_FEDERATION)
		return app_fail(r, APP_EINVALID, "invalid_org_kind", "kind");
	if (!valid_region_code(c.region))
		return app_fail(r, APP_EINVALID, "invalid_region_code", "region_code");
	if (c.professional && c.kind != ORG_TEAM)
		return app_fail(r, APP_EINVALID, "professional_only_teams", "professional");
	int rc = store_tx(r->store, create_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return orgs_get(r, c.id, out);
}

int orgs_get(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " ORG_COLUMNS " FROM orgs WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		return rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL)
					: app_store_fail(r, rc);
	}
	const char *path = arena_strdup(r->arena, store_col_text(st, 8));
	if (authz_check(r, AUTHZ_ORGS_READ, path) != 0) {
		store_done(st);
		return -1;
	}
	*out = org_json(r, st);
	store_done(st);
	return 0;
}

int orgs_list(struct app_req *r, const char *limit_s, const char *cursor, json_t **out)
{
	static const char sql[] =
		"SELECT " ORG_COLUMNS " FROM orgs WHERE path LIKE $1 AND id > $2"
		" ORDER BY id LIMIT $3";
	int limit;
	int64_t after;
	if (authz_check(r, AUTHZ_ORGS_READ, NULL) != 0)
		return -1;
	if (app_limit(r, limit_s, &limit) != 0 || app_cursor(r, cursor, &after) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, sql);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", r->who->org_path));
	store_bind_int(st, 2, after);
	store_bind_int(st, 3, limit + 1);
	return app_page(r, st, limit, org_json, out);
}
