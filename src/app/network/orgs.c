/* Organisation use cases. The path column ("/1/7/42/") is written once at
 * creation so that every scope check is a string prefix test. */
#include "app/network/orgs.h"
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "core/natural.h"
#include "core/pinyin.h"
#include "core/validate.h"
#include "util/arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORG_COLUMNS "id, parent_id, name, kind, region_code, professional, status, created_at, path," \
	" address, contact_name, contact_phone, hotlines, founded_on, updated_at, allow_self_approval, path_names"
#define ADDRESS_MAX 200
#define CONTACT_NAME_MAX 32
#define HOTLINES_MAX 20

static json_t *org_json(struct app_req *r, struct store_stmt *st)
{
	json_t *hotlines = json_loads(store_col_text(st, 12), 0, NULL);
	json_t *names = store_col_null(st, 16) ? NULL : json_loads(store_col_text(st, 16), 0, NULL);
	return json_pack("{sI so ss ss ss sb ss ss ss ss ss so ss? ss sb so}",
		"id", (json_int_t)store_col_int(st, 0),
		"parent_id", col_id_json(st, 1),
		"name", store_col_text(st, 2),
		"kind", store_col_text(st, 3),
		"region_code", store_col_text(st, 4),
		"professional", store_col_int(st, 5) != 0,
		"status", store_col_text(st, 6),
		"created_at", app_iso(r, store_col_int(st, 7)),
		"address", store_col_text(st, 9),
		"contact_name", store_col_text(st, 10),
		"contact_phone", store_col_text(st, 11),
		"hotlines", hotlines ? hotlines : json_array(),
		"founded_on", store_col_text(st, 13),
		"updated_at", app_iso(r, store_col_int(st, 14)),
		"allow_self_approval", store_col_int(st, 15) != 0,
		"path_names", names ? names : json_array());
}

/* The optional details of an organisation, shared by create and edit. */
struct org_details {
	const char *address, *contact_name, *contact_phone, *founded_on;
	char *hotlines;          /* JSON text, malloc'd by json_dumps */
	bool has_address, has_contact_name, has_contact_phone, has_hotlines, has_founded_on;
};

static int read_details(struct app_req *r, json_t *in, struct org_details *d)
{
	d->has_address = json_object_get(in, "address") != NULL;
	d->has_contact_name = json_object_get(in, "contact_name") != NULL;
	d->has_contact_phone = json_object_get(in, "contact_phone") != NULL;
	d->has_hotlines = json_object_get(in, "hotlines") != NULL;
	d->has_founded_on = json_object_get(in, "founded_on") != NULL;
	if (in_text(r, in, "address", false, ADDRESS_MAX, &d->address) != 0 ||
	    in_text(r, in, "contact_name", false, CONTACT_NAME_MAX, &d->contact_name) != 0 ||
	    in_text(r, in, "contact_phone", false, 20, &d->contact_phone) != 0 ||
	    in_text(r, in, "founded_on", false, 10, &d->founded_on) != 0)
		return -1;
	if (d->contact_phone && !valid_contact_phone(d->contact_phone))
		return app_fail(r, APP_EINVALID, "invalid_phone", "contact_phone");
	int ymd;
	if (d->founded_on && (!valid_date(d->founded_on, &ymd) || ymd > app_today_ymd()))
		return app_fail(r, APP_EINVALID, "invalid_date", "founded_on");
	json_t *h = json_object_get(in, "hotlines");
	if (h && !json_is_null(h)) {
		if (!json_is_array(h))
			return app_fail(r, APP_EBADREQ, "wrong_type", "hotlines");
		if (json_array_size(h) > HOTLINES_MAX)
			return app_fail(r, APP_EINVALID, "too_long", "hotlines");
		json_t *clean = json_array(), *e;
		size_t i;
		json_array_foreach(h, i, e) {
			const char *number, *hours;
			if (!json_is_object(e)) {
				json_decref(clean);
				return app_fail(r, APP_EBADREQ, "wrong_type", "hotlines");
			}
			if (in_text(r, e, "number", true, 20, &number) != 0 ||
			    in_text(r, e, "hours", false, 64, &hours) != 0) {
				json_decref(clean);
				r->err.field = "hotlines";
				return -1;
			}
			if (!valid_contact_phone(number)) {
				json_decref(clean);
				return app_fail(r, APP_EINVALID, "invalid_phone", "hotlines");
			}
			json_array_append_new(clean, json_pack("{ss ss}", "number", number,
							       "hours", hours ? hours : ""));
		}
		d->hotlines = json_dumps(clean, JSON_COMPACT);
		json_decref(clean);
	}
	return 0;
}

struct create_ctx {
	struct app_req *r;
	const char *name, *region;
	int kind;
	bool professional;
	int64_t parent_id;
	struct org_details d;
	int64_t id;
	const char *path;
};

/* The one statement that writes an organisation's search columns, for
 * orgsearch.c's reindex. */
static int put_search_columns(struct store *s, int64_t id, const char *names, const char *initials,
			      const char *text, const char *sort_key)
{
	struct store_stmt *st = store_prepare(s,
		"UPDATE orgs SET path_names = $2, initials = $3, search_text = $4, sort_key = $5 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	store_bind_text(st, 2, names);
	store_bind_text(st, 3, initials);
	store_bind_text(st, 4, text);
	store_bind_text(st, 5, sort_key);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int orgs_reindex(struct store *s, const char *path)
{
	return orgs_search_columns(s, path, put_search_columns);
}

static int fill_tx(struct store *s, void *ctx)
{
	(void)ctx;
	return orgs_reindex(s, "");
}

int orgs_fill_search(struct store *s)
{
	return app_fill_pending(s, "SELECT 1 FROM orgs WHERE search_text IS NULL LIMIT 1", fill_tx,
				"the organisations' search columns");
}

int orgs_insert_root(struct store *s, const char *name, const char *region, int64_t now, int64_t *id,
		     char path[32])
{
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO orgs (parent_id, path, name, kind, professional, region_code,"
		" status, created_at, updated_at)"
		" VALUES (NULL, '', $1, 'federation', 0, $2, 'active', $3, $3) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, name);
	store_bind_text(st, 2, region);
	store_bind_int(st, 3, now);
	int rc = store_step(st);
	*id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	snprintf(path, 32, "/%lld/", (long long)*id);
	st = store_prepare(s, "UPDATE orgs SET path = $2 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, *id);
	store_bind_text(st, 2, path);
	rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

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
		" status, created_at, updated_at, address, contact_name, contact_phone, hotlines, founded_on)"
		" VALUES ($1, '', $2, $3, $4, $5, 'active', $6, $6, $7, $8, $9, $10, $11) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->parent_id);
	store_bind_text(st, 2, c->name);
	store_bind_text(st, 3, org_kind_name(c->kind));
	store_bind_int(st, 4, c->professional);
	store_bind_text(st, 5, c->region);
	store_bind_int(st, 6, now);
	store_bind_text(st, 7, c->d.address ? c->d.address : "");
	store_bind_text(st, 8, c->d.contact_name ? c->d.contact_name : "");
	store_bind_text(st, 9, c->d.contact_phone ? c->d.contact_phone : "");
	store_bind_text(st, 10, c->d.hotlines ? c->d.hotlines : "[]");
	store_bind_text(st, 11, c->d.founded_on);
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
	if ((rc = orgs_reindex(s, c->path)) != STORE_OK)
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
	int ret = read_details(r, in, &c.d);
	if (ret == 0) {
		int rc = store_tx(r->store, create_tx, &c);
		ret = rc == STORE_OK ? 0 : app_store_fail(r, rc);
	}
	free(c.d.hotlines);
	return ret == 0 ? orgs_get(r, c.id, out) : -1;
}

/* Loads one organisation's row for a use case: 404 when absent, the
 * authorisation decision for action on it. The statement is finished;
 * the row is returned as JSON plus its path and kind. */
static int load_org(struct app_req *r, int64_t id, enum authz_action action, json_t **row,
		    const char **path, int *kind)
{
	struct store_stmt *st;
	if (app_load_row(r, "SELECT " ORG_COLUMNS " FROM orgs WHERE id = $1", id, action, 8, &st) != 0)
		return -1;
	const char *p = arena_strdup(r->arena, store_col_text(st, 8));
	if (path)
		*path = p;
	if (kind)
		*kind = org_kind_parse(store_col_text(st, 3));
	if (row)
		*row = org_json(r, st);
	store_done(st);
	return 0;
}

int orgs_get(struct app_req *r, int64_t id, json_t **out)
{
	return load_org(r, id, AUTHZ_ORGS_READ, out, NULL, NULL);
}

int orgs_list(struct app_req *r, const struct orgs_query *q, json_t **out)
{
	static const char sql[] =
		"SELECT " ORG_COLUMNS " FROM orgs WHERE path LIKE $1 AND id > $2"
		" AND (CAST($4 AS BIGINT) = 0 OR parent_id = $4)"
		" AND (CAST($5 AS TEXT) IS NULL OR kind = $5)"
		" AND (CAST($6 AS TEXT) IS NULL OR name LIKE $6 ESCAPE '\\')"
		" AND (CAST($7 AS TEXT) IS NULL OR status = $7)"
		" ORDER BY id LIMIT $3";
	int limit;
	int64_t after, parent = 0;
	if (authz_check(r, AUTHZ_ORGS_READ, NULL) != 0)
		return -1;
	if (app_limit(r, q->limit, &limit) != 0 || app_cursor(r, q->cursor, &after) != 0)
		return -1;
	if (q->parent_id && parse_id(q->parent_id, &parent) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_id", "parent_id");
	if (q->kind && org_kind_parse(q->kind) < 0)
		return app_fail(r, APP_EBADREQ, "invalid_org_kind", "kind");
	if (q->status && strcmp(q->status, "active") != 0 && strcmp(q->status, "suspended") != 0 &&
	    strcmp(q->status, "dissolved") != 0)
		return app_fail(r, APP_EBADREQ, "invalid_status", "status");
	const char *pattern = NULL;
	if (q->q && app_like_pattern(r, q->q, "q", &pattern) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, sql);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", r->who->org_path));
	store_bind_int(st, 2, after);
	store_bind_int(st, 3, limit + 1);
	store_bind_int(st, 4, parent);
	store_bind_text(st, 5, q->kind);
	store_bind_text(st, 6, pattern);
	store_bind_text(st, 7, q->status);
	return app_page(r, st, limit, org_json, out);
}

struct update_ctx {
	struct app_req *r;
	int64_t id;
	const char *path;
	const char *name, *region, *status;
	bool professional, has_professional, self_approval, has_self_approval;
	struct org_details d;
	json_t *before;
	json_t *after;
	/* move */
	int64_t new_parent;
	const char *new_path;
};

static int update_tx(struct store *s, void *vctx)
{
	struct update_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"UPDATE orgs SET"
		" name = COALESCE($2, name),"
		" region_code = COALESCE($3, region_code),"
		" professional = CASE WHEN $4 = 1 THEN $5 ELSE professional END,"
		" address = CASE WHEN $6 = 1 THEN $7 ELSE address END,"
		" contact_name = CASE WHEN $8 = 1 THEN $9 ELSE contact_name END,"
		" contact_phone = CASE WHEN $10 = 1 THEN $11 ELSE contact_phone END,"
		" hotlines = CASE WHEN $12 = 1 THEN $13 ELSE hotlines END,"
		" founded_on = CASE WHEN $14 = 1 THEN $15 ELSE founded_on END,"
		" status = COALESCE($16, status),"
		" allow_self_approval = CASE WHEN $18 = 1 THEN $19 ELSE allow_self_approval END,"
		" updated_at = $17 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_text(st, 2, c->name);
	store_bind_text(st, 3, c->region);
	store_bind_int(st, 4, c->has_professional);
	store_bind_int(st, 5, c->professional);
	store_bind_int(st, 6, c->d.has_address);
	store_bind_text(st, 7, c->d.address ? c->d.address : "");
	store_bind_int(st, 8, c->d.has_contact_name);
	store_bind_text(st, 9, c->d.contact_name ? c->d.contact_name : "");
	store_bind_int(st, 10, c->d.has_contact_phone);
	store_bind_text(st, 11, c->d.contact_phone ? c->d.contact_phone : "");
	store_bind_int(st, 12, c->d.has_hotlines);
	store_bind_text(st, 13, c->d.hotlines ? c->d.hotlines : "[]");
	store_bind_int(st, 14, c->d.has_founded_on);
	store_bind_text(st, 15, c->d.founded_on);
	store_bind_text(st, 16, c->status);
	store_bind_int(st, 17, app_now());
	store_bind_int(st, 18, c->has_self_approval);
	store_bind_int(st, 19, c->self_approval);
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	/* a new name shows in the path of everything below */
	if (c->name && (rc = orgs_reindex(s, c->path)) != STORE_OK)
		return rc;
	json_t *detail = json_pack("{sO}", "before", c->before);
	rc = audit_write(c->r, s, "org.update", "org", c->id, c->id, c->path, detail);
	json_decref(detail);
	return rc;
}

int orgs_update(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	struct update_ctx c = { .r = r, .id = id };
	int kind;
	if (load_org(r, id, AUTHZ_ORGS_WRITE, &c.before, &c.path, &kind) != 0)
		return -1;
	int ret = -1;
	if (in_text(r, in, "name", false, ORG_NAME_MAX, &c.name) != 0 ||
	    in_text(r, in, "region_code", false, 12, &c.region) != 0 ||
	    in_bool(r, in, "professional", &c.professional, &c.has_professional) != 0 ||
	    in_text(r, in, "status", false, 16, &c.status) != 0 ||
	    in_bool(r, in, "allow_self_approval", &c.self_approval, &c.has_self_approval) != 0)
		goto out;
	if (in_has(in, "kind") || in_has(in, "parent_id")) {
		app_fail(r, APP_EINVALID, "not_editable", in_has(in, "kind") ? "kind" : "parent_id");
		goto out;
	}
	if (c.region && !valid_region_code(c.region)) {
		app_fail(r, APP_EINVALID, "invalid_region_code", "region_code");
		goto out;
	}
	if (c.has_professional && c.professional && kind != ORG_TEAM) {
		app_fail(r, APP_EINVALID, "professional_only_teams", "professional");
		goto out;
	}
	if (c.status && strcmp(c.status, "active") != 0 && strcmp(c.status, "suspended") != 0) {
		app_fail(r, APP_EINVALID, "invalid_status", "status");
		goto out;
	}
	if (c.status && kind == ORG_FEDERATION && strcmp(c.status, "active") != 0) {
		app_fail(r, APP_EINVALID, "root_stays_active", "status");
		goto out;
	}
	if (c.status && strcmp(json_string_value(json_object_get(c.before, "status")), "dissolved") == 0) {
		app_fail(r, APP_ECONFLICT, "org_dissolved", "status");
		goto out;
	}
	if (read_details(r, in, &c.d) != 0)
		goto out;
	int rc = store_tx(r->store, update_tx, &c);
	app_auth_changed();   /* cached principals may hold what changed */
	if (rc != STORE_OK) {
		app_store_fail(r, rc);
		goto out;
	}
	ret = orgs_get(r, id, out);
out:
	free(c.d.hotlines);
	json_decref(c.before);
	return ret;
}

static int move_tx(struct store *s, void *vctx)
{
	struct update_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"UPDATE orgs SET path = CAST($1 AS TEXT) || substr(path, CAST($3 AS INTEGER)),"
		" updated_at = $4 WHERE path LIKE $2");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->new_path);
	store_bind_text(st, 2, arena_printf(c->r->arena, "%s%%", c->path));
	store_bind_int(st, 3, (int64_t)strlen(c->path) + 1);
	store_bind_int(st, 4, app_now());
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	st = store_prepare(s, "UPDATE orgs SET parent_id = $2 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_int(st, 2, c->new_parent);
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	if ((rc = orgs_reindex(s, c->new_path)) != STORE_OK)
		return rc;
	json_t *detail = json_pack("{sO sI}", "from_parent_id", json_object_get(c->before, "parent_id"),
				   "to_parent_id", (json_int_t)c->new_parent);
	rc = audit_write(c->r, s, "org.move", "org", c->id, c->id, c->new_path, detail);
	json_decref(detail);
	return rc;
}

int orgs_move(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	struct update_ctx c = { .r = r, .id = id };
	int kind, parent_kind;
	const char *parent_path;
	json_t *parent = NULL;
	int ret = -1;
	if (load_org(r, id, AUTHZ_ORGS_WRITE, &c.before, &c.path, &kind) != 0)
		return -1;
	if (in_id(r, in, "parent_id", true, &c.new_parent, NULL) != 0)
		goto out;
	if (kind == ORG_FEDERATION) {
		app_fail(r, APP_EINVALID, "root_cannot_move", "parent_id");
		goto out;
	}
	if (load_org(r, c.new_parent, AUTHZ_ORGS_WRITE, &parent, &parent_path, &parent_kind) != 0) {
		if (r->err.status == APP_ENOTFOUND)
			app_fail(r, APP_EINVALID, "parent_not_found", "parent_id");
		goto out;
	}
	if (strncmp(parent_path, c.path, strlen(c.path)) == 0) {
		app_fail(r, APP_EINVALID, "move_into_own_subtree", "parent_id");
		goto out;
	}
	if (strcmp(json_string_value(json_object_get(parent, "status")), "active") != 0) {
		app_fail(r, APP_EINVALID, "parent_inactive", "parent_id");
		goto out;
	}
	if (!org_parent_allowed(parent_kind, kind)) {
		app_fail(r, APP_EINVALID, "invalid_parent_kind", "parent_id");
		goto out;
	}
	c.new_path = arena_printf(r->arena, "%s%lld/", parent_path, (long long)id);
	int rc = store_tx(r->store, move_tx, &c);
	app_auth_changed();   /* cached principals may hold what changed */
	if (rc != STORE_OK) {
		app_store_fail(r, rc);
		goto out;
	}
	ret = orgs_get(r, id, out);
out:
	json_decref(parent);
	json_decref(c.before);
	return ret;
}

static int dissolve_tx(struct store *s, void *vctx)
{
	struct update_ctx *c = vctx;
	/* checked inside the transaction so a registration racing with the
	 * dissolution cannot slip in between */
	struct store_stmt *st = store_prepare(s,
		"SELECT (SELECT count(*) FROM orgs WHERE parent_id = $1 AND status <> 'dissolved'),"
		" (SELECT count(*) FROM volunteers WHERE home_org_id = $1 AND status <> 'deleted')");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	int rc = store_step(st);
	int64_t children = store_col_int(st, 0), people = store_col_int(st, 1);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	if (children || people) {
		app_fail(c->r, APP_ECONFLICT, "org_not_empty", NULL);
		return STORE_ERROR;
	}
	rc = app_exec_ints(s, "UPDATE orgs SET status = 'dissolved', updated_at = $2 WHERE id = $1", c->id, app_now());
	if (rc != STORE_OK)
		return rc;
	return audit_write(c->r, s, "org.dissolve", "org", c->id, c->id, c->path, NULL);
}

int orgs_dissolve(struct app_req *r, int64_t id, json_t **out)
{
	struct update_ctx c = { .r = r, .id = id };
	int kind;
	if (load_org(r, id, AUTHZ_ORGS_WRITE, &c.before, &c.path, &kind) != 0)
		return -1;
	int ret = -1;
	if (kind == ORG_FEDERATION) {
		app_fail(r, APP_EINVALID, "root_stays_active", NULL);
		goto out;
	}
	if (strcmp(json_string_value(json_object_get(c.before, "status")), "dissolved") == 0) {
		app_fail(r, APP_ECONFLICT, "org_dissolved", NULL);
		goto out;
	}
	int rc = store_tx(r->store, dissolve_tx, &c);
	app_auth_changed();   /* cached principals may hold what changed */
	if (rc != STORE_OK) {
		app_store_fail(r, rc);
		goto out;
	}
	ret = orgs_get(r, id, out);
out:
	json_decref(c.before);
	return ret;
}

struct tree_node {
	int64_t id, parent_id;
	int64_t volunteers, subtree;
	int parent;        /* index of the parent node, -1 for the root */
	int rank;          /* kind's place among siblings */
	const char *name;  /* its sort key (pinyin_sort_key) */
	json_t *json;
};

/* Siblings in the order people look for them: associations, then teams,
 * then agencies and social organisations, then stations; within a kind
 * by name in pinyin order, numbers as numbers (第9社区 before 第10社区). */
static int kind_rank(int kind)
{
	switch (kind) {
	case ORG_FEDERATION: return 0;
	case ORG_ASSOCIATION: return 1;
	case ORG_TEAM: return 2;
	case ORG_SOCIAL_WORK_AGENCY: return 3;
	case ORG_SOCIAL_ORG: return 4;
	default: return 5;
	}
}

struct sibling {
	int rank;
	const char *name;
	int64_t id;
	int index;
};

static int sibling_cmp(const void *a, const void *b)
{
	const struct sibling *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	int c = natural_cmp(x->name, y->name);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* The nodes' indices in tree order: each node followed by its subtree,
 * siblings sorted by sibling_cmp. nodes[0] is the root; parents have
 * their index set. Returns a malloc'd array of n indices. */
static int *tree_order(const struct tree_node *nodes, size_t n)
{
	int *first = calloc(n + 1, sizeof(int));
	struct sibling *kids = malloc((n ? n : 1) * sizeof(*kids));
	int *fill = calloc(n + 1, sizeof(int)), *out = malloc((n ? n : 1) * sizeof(int));
	int *stack = malloc((n ? n : 1) * sizeof(int));
	if (!first || !kids || !fill || !out || !stack)
		abort();
	/* children of each node, grouped: kids[first[p] .. first[p + 1]) */
	for (size_t i = 1; i < n; i++)
		if (nodes[i].parent >= 0)
			first[nodes[i].parent + 1]++;
	for (size_t p = 0; p < n; p++)
		first[p + 1] += first[p];
	for (size_t i = 1; i < n; i++)
		if (nodes[i].parent >= 0) {
			int p = nodes[i].parent;
			kids[first[p] + fill[p]++] = (struct sibling){ nodes[i].rank, nodes[i].name, nodes[i].id, (int)i };
		}
	for (size_t p = 0; p < n; p++)
		qsort(kids + first[p], (size_t)(first[p + 1] - first[p]), sizeof(*kids), sibling_cmp);
	size_t m = 0, top = 0;
	if (n)
		stack[top++] = 0;
	while (top) {
		int i = stack[--top];
		out[m++] = i;
		for (int k = first[i + 1]; k-- > first[i];)
			stack[top++] = kids[k].index;
	}
	/* a node whose parent was not found still appears, at the end */
	bool *seen = calloc(n ? n : 1, sizeof(bool));
	if (!seen)
		abort();
	for (size_t k = 0; k < m; k++)
		seen[out[k]] = true;
	for (size_t i = 0; i < n; i++)
		if (!seen[i])
			out[m++] = (int)i;
	free(seen);
	free(first);
	free(kids);
	free(fill);
	free(stack);
	return out;
}

static int by_id(const void *a, const void *b)
{
	int64_t x = ((const struct tree_node *)a)->id, y = ((const struct tree_node *)b)->id;
	return (x > y) - (x < y);
}

/* Index of id among nodes sorted by id (in sorted), or -1. */
static int find_node(const struct tree_node *sorted, const int *order, int n, int64_t id)
{
	int lo = 0, hi = n - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (sorted[mid].id == id)
			return order[mid];
		if (sorted[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

int orgs_tree(struct app_req *r, int64_t id, json_t **out)
{
	const char *path;
	json_t *root;
	if (load_org(r, id, AUTHZ_ORGS_READ, &root, &path, NULL) != 0)
		return -1;
	const char *prefix = arena_printf(r->arena, "%s%%", path);
	/* ordered by path: a parent's path is a prefix of its children's,
	 * so parents come first */
	struct store_stmt *st = store_prepare(r->store,
		"SELECT id, parent_id, name, kind, professional, status, region_code FROM orgs"
		" WHERE path LIKE $1 ORDER BY path");
	if (!st) {
		json_decref(root);
		return app_store_fail(r, STORE_ERROR);
	}
	store_bind_text(st, 1, prefix);
	size_t cap = 64, n = 0;
	struct tree_node *nodes = malloc(cap * sizeof(*nodes));
	int rc;
	int64_t kinds[ORG_KIND_COUNT] = { 0 }, professional = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			cap *= 2;
			nodes = realloc(nodes, cap * sizeof(*nodes));
		}
		if (!nodes)
			abort();
		struct tree_node *t = &nodes[n++];
		t->id = store_col_int(st, 0);
		t->parent_id = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
		t->volunteers = t->subtree = 0;
		const char *name = store_col_text(st, 2);
		size_t keycap = 2 * strlen(name) + 2;
		char *key = arena_alloc(r->arena, keycap);
		pinyin_sort_key(name, key, keycap);
		t->name = key;
		t->rank = kind_rank(org_kind_parse(store_col_text(st, 3)));
		bool active = strcmp(store_col_text(st, 5), "dissolved") != 0;
		int kind = org_kind_parse(store_col_text(st, 3));
		if (active && kind >= 0) {
			kinds[kind]++;
			if (kind == ORG_TEAM && store_col_int(st, 4))
				professional++;
		}
		t->json = json_pack("{sI so ss ss sb ss ss}",
			"id", (json_int_t)t->id,
			"parent_id", col_id_json(st, 1),
			"name", store_col_text(st, 2),
			"kind", store_col_text(st, 3),
			"professional", store_col_int(st, 4) != 0,
			"status", store_col_text(st, 5),
			"region_code", store_col_text(st, 6));
	}
	store_done(st);
	int ret = -1;
	struct tree_node *sorted = NULL;
	int *order = NULL;
	if (rc != STORE_DONE) {
		app_store_fail(r, rc);
		goto out;
	}
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	order = malloc((n ? n : 1) * sizeof(*order));
	if (!sorted || !order)
		abort();
	/* keep the original position in parent_id's slot of the copy */
	for (size_t i = 0; i < n; i++) {
		sorted[i] = nodes[i];
		sorted[i].parent = (int)i;
	}
	qsort(sorted, n, sizeof(*sorted), by_id);
	for (size_t i = 0; i < n; i++)
		order[i] = sorted[i].parent;
	for (size_t i = 0; i < n; i++)
		nodes[i].parent = i == 0 ? -1 : find_node(sorted, order, (int)n, nodes[i].parent_id);

	st = store_prepare(r->store,
		"SELECT v.home_org_id, count(*) FROM volunteers v JOIN orgs o ON o.id = v.home_org_id"
		" WHERE o.path LIKE $1 AND v.status = 'active' GROUP BY v.home_org_id");
	if (!st) {
		app_store_fail(r, STORE_ERROR);
		goto out;
	}
	store_bind_text(st, 1, prefix);
	while ((rc = store_step(st)) == STORE_ROW) {
		int k = find_node(sorted, order, (int)n, store_col_int(st, 0));
		if (k >= 0)
			nodes[k].volunteers = store_col_int(st, 1);
	}
	store_done(st);
	if (rc != STORE_DONE) {
		app_store_fail(r, rc);
		goto out;
	}
	/* children come after parents, so a backwards pass sums subtrees */
	for (size_t i = n; i-- > 0;) {
		nodes[i].subtree += nodes[i].volunteers;
		if (nodes[i].parent >= 0)
			nodes[nodes[i].parent].subtree += nodes[i].subtree;
	}
	int64_t total = n ? nodes[0].subtree : 0;

	json_t *pop = json_null(), *year = json_null(), *coverage = json_null();
	char code12[13];
	if (region_normalize(json_string_value(json_object_get(root, "region_code")), code12) == 0) {
		st = store_prepare(r->store,
			"SELECT household_population, year FROM region_population WHERE code = $1"
			" ORDER BY year DESC LIMIT 1");
		if (!st) {
			app_store_fail(r, STORE_ERROR);
			goto out;
		}
		store_bind_text(st, 1, code12);
		if (store_step(st) == STORE_ROW && store_col_int(st, 0) > 0) {
			int64_t hp = store_col_int(st, 0);
			pop = json_integer(hp);
			year = json_integer(store_col_int(st, 1));
			/* three decimals of a ratio: 0.169 reads as 16.9% */
			coverage = json_real((double)(total * 1000 / hp) / 1000.0);
		}
		store_done(st);
	}
	json_t *list = json_array();
	int *ordered = tree_order(nodes, n);
	for (size_t k = 0; k < n; k++) {
		struct tree_node *t = &nodes[ordered[k]];
		json_object_set_new(t->json, "volunteers", json_integer(t->volunteers));
		json_object_set_new(t->json, "subtree_volunteers", json_integer(t->subtree));
		json_array_append_new(list, t->json);
		t->json = NULL;
	}
	free(ordered);
	json_t *summary = json_pack("{sI sI sI sI sI sI sI sI so so so}",
		"federation", (json_int_t)kinds[ORG_FEDERATION],
		"association", (json_int_t)kinds[ORG_ASSOCIATION],
		"team", (json_int_t)kinds[ORG_TEAM],
		"team_professional", (json_int_t)professional,
		"station", (json_int_t)kinds[ORG_STATION],
		"social_work_agency", (json_int_t)kinds[ORG_SOCIAL_WORK_AGENCY],
		"social_org", (json_int_t)kinds[ORG_SOCIAL_ORG],
		"volunteers", (json_int_t)total,
		"household_population", pop,
		"population_year", year,
		"coverage", coverage);
	*out = json_pack("{so so}", "summary", summary, "nodes", list);
	ret = 0;
out:
	for (size_t i = 0; i < n; i++)
		json_decref(nodes[i].json);
	free(nodes);
	free(sorted);
	free(order);
	json_decref(root);
	return ret;
}
