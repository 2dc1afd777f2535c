/* Organisation references: what every domain needs to know of an
 * organisation it scopes by (path, name, status), and the root. The
 * organisations themselves (creation, moves, the tree) are the network
 * domain's (network/orgs.c); these only read the orgs table. */
#include "app/kernel/kernel.h"
#include "app/kernel/authz.h"
#include "core/cursor.h"
#include "core/validate.h"
#include "util/arena.h"
#include <string.h>

int org_fetch(struct app_req *r, struct store *s, int64_t org_id, struct org_ref *o)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT path, name, region_code, status, contact_name, contact_phone FROM orgs WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, org_id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		const char **f[] = { &o->path, &o->name, &o->region, &o->status, &o->contact_name, &o->contact_phone };
		for (int i = 0; i < 6; i++)
			*f[i] = arena_strdup(r->arena, store_col_text(st, i));
	}
	store_done(st);
	return rc;
}

int org_lookup(struct app_req *r, int64_t org_id, const char **path, const char **name)
{
	struct org_ref o;
	int rc = org_fetch(r, r->store, org_id, &o);
	if (rc == STORE_ROW) {
		if (path)
			*path = o.path;
		if (name)
			*name = o.name;
	}
	return rc;
}

int org_target(struct app_req *r, struct store *s, int64_t org_id, int action, bool must_be_active,
	       struct org_ref *o)
{
	int rc = org_fetch(r, s, org_id, o);
	if (rc == STORE_DONE)
		return app_fail(r, APP_EINVALID, "org_not_found", "org_id");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	if (action >= 0 && authz_check(r, (enum authz_action)action, o->path) != 0)
		return -1;
	if (must_be_active && strcmp(o->status, "active") != 0)
		return app_fail(r, APP_EINVALID, "org_inactive", "org_id");
	return 0;
}

int app_root_org(struct app_req *r, int64_t *id)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT id FROM orgs WHERE parent_id IS NULL");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*id = store_col_int(st, 0);
	store_done(st);
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc);
}

int app_scope(struct app_req *r, const char *org_s, int action, const char **scope)
{
	int64_t org;
	*scope = r->who->org_path;
	if (!org_s)
		return 0;
	if (parse_id(org_s, &org) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_id", "org_id");
	int rc = org_lookup(r, org, scope, NULL);
	if (rc == STORE_DONE)
		return app_fail(r, APP_ENOTFOUND, "not_found", "org_id");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	return authz_check(r, (enum authz_action)action, *scope);
}

int app_cli_principal(struct app_req *r)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT id, name, path FROM orgs WHERE parent_id IS NULL");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	int rc = store_step(st);
	struct principal *p = arena_alloc(r->arena, sizeof(*p));
	if (rc == STORE_ROW) {
		p->org_id = store_col_int(st, 0);
		p->org_name = arena_strdup(r->arena, store_col_text(st, 1));
		p->org_path = arena_strdup(r->arena, store_col_text(st, 2));
	}
	store_done(st);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	p->username = "cli";
	p->roles = ROLE_ADMIN | ROLE_RECORDER;
	p->status = "active";
	p->permissions = "";
	r->who = p;
	return 0;
}
