/* Love supermarkets: the stores (shops, to keep them apart from the store
 * layer) of organisations, whether staff may sell on a volunteer's behalf
 * there, and who may work their counters (see market.h). Writes stores. */
#include "app/bank/market.h"
#include "app/bank/market_private.h"
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "util/arena.h"
#include <string.h>

#define SHOP_COLUMNS "s.id, s.org_id, o.name, s.name, s.address, s.status, s.created_at, o.path, s.allow_on_behalf"
#define SHOP_FROM " FROM stores s JOIN orgs o ON o.id = s.org_id"

static json_t *shop_json(struct app_req *r, struct store_stmt *st)
{
	return json_pack("{sI sI ss ss ss ss ss sb}", "id", (json_int_t)store_col_int(st, SHOP_ID),
		"org_id", (json_int_t)store_col_int(st, SHOP_ORG_ID), "org_name", store_col_text(st, SHOP_ORG_NAME),
		"name", store_col_text(st, SHOP_NAME), "address", store_col_text(st, SHOP_ADDRESS),
		"status", store_col_text(st, SHOP_STATUS), "created_at", app_iso(r, store_col_int(st, SHOP_CREATED_AT)),
		"allow_on_behalf", store_col_int(st, SHOP_ON_BEHALF) != 0);
}

/* A store as the list shows it: with whether the caller may work its
 * counter (the rule redemption and sales enforce, asked beforehand) and
 * whether it belongs to the caller's own organisation. */
static json_t *shop_list_json(struct app_req *r, struct store_stmt *st)
{
	json_t *o = shop_json(r, st);
	json_object_set_new(o, "usable", json_boolean(authz_refusal(r->who, AUTHZ_MARKET_COUNTER,
								     store_col_text(st, SHOP_ORG_PATH)) == NULL));
	json_object_set_new(o, "own", json_boolean(store_col_int(st, SHOP_ORG_ID) == r->who->org_id));
	return o;
}

int shop_load(struct app_req *r, int64_t id, int action, struct store_stmt **st)
{
	return app_load_row(r, "SELECT " SHOP_COLUMNS SHOP_FROM " WHERE s.id = $1", id, action, SHOP_ORG_PATH, st);
}

struct shop_ctx {
	struct app_req *r;
	int64_t org_id, id;
	const char *name, *address, *path;
	bool on_behalf;
};

/* The transaction of market_store_create: the store and its audit. */
static int shop_create_tx(struct store *s, void *vctx)
{
	struct shop_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO stores (org_id, name, address, created_at, allow_on_behalf) VALUES ($1, $2, $3, $4, $5)"
		" RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->org_id);
	store_bind_text(st, 2, c->name);
	store_bind_text(st, 3, c->address ? c->address : "");
	store_bind_int(st, 4, app_now());
	store_bind_int(st, 5, c->on_behalf);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		c->id = store_col_int(st, 0);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	return audit_write_text(c->r, s, "store.create", "store", c->id, c->org_id, c->path,
				c->on_behalf ? "{\"allow_on_behalf\":true}" : NULL);
}

int market_store_create(struct app_req *r, json_t *in, json_t **out)
{
	struct shop_ctx c = { .r = r };
	if (authz_check(r, AUTHZ_MARKET_ADMIN, NULL) != 0 || in_id(r, in, "org_id", true, &c.org_id, NULL) != 0 ||
	    in_text(r, in, "name", true, 100, &c.name) != 0 || in_text(r, in, "address", false, 200, &c.address) != 0 ||
	    in_bool(r, in, "allow_on_behalf", &c.on_behalf, NULL) != 0)
		return -1;
	struct org_ref o;
	if (org_target(r, r->store, c.org_id, AUTHZ_MARKET_ADMIN, true, &o) != 0)
		return -1;
	c.path = o.path;
	int rc = store_tx(r->store, shop_create_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	struct store_stmt *st;
	if (shop_load(r, c.id, AUTHZ_SELF, &st) != 0)
		return -1;
	*out = shop_json(r, st);
	store_done(st);
	return 0;
}

/* The transaction of market_store_update: the setting and its audit. */
static int shop_update_tx(struct store *s, void *vctx)
{
	struct shop_ctx *c = vctx;
	int rc = app_exec_ints(s, "UPDATE stores SET allow_on_behalf = $2 WHERE id = $1", c->id, c->on_behalf);
	if (rc != STORE_OK)
		return rc;
	return audit_write_text(c->r, s, "store.update", "store", c->id, c->org_id, c->path,
				c->on_behalf ? "{\"allow_on_behalf\":true}" : "{\"allow_on_behalf\":false}");
}

int market_store_update(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	struct shop_ctx c = { .r = r, .id = id };
	struct store_stmt *st;
	bool present = false;
	if (authz_check(r, AUTHZ_MARKET_ADMIN, NULL) != 0 || shop_load(r, id, AUTHZ_MARKET_ADMIN, &st) != 0)
		return -1;
	c.org_id = store_col_int(st, SHOP_ORG_ID);
	c.path = arena_strdup(r->arena, store_col_text(st, SHOP_ORG_PATH));
	store_done(st);
	if (in_bool(r, in, "allow_on_behalf", &c.on_behalf, &present) != 0)
		return -1;
	if (!present)
		return app_fail(r, APP_EINVALID, "required", "allow_on_behalf");
	int rc = store_tx(r->store, shop_update_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	if (shop_load(r, id, AUTHZ_SELF, &st) != 0)
		return -1;
	*out = shop_json(r, st);
	store_done(st);
	return 0;
}

int market_store_list(struct app_req *r, const char *org_s, const char *usable_s, json_t **out)
{
	const char *scope = "/";
	bool usable = false;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	if (usable_s) {
		if (strcmp(usable_s, "true") != 0 && strcmp(usable_s, "false") != 0)
			return app_fail(r, APP_EBADREQ, "invalid_value", "usable");
		usable = strcmp(usable_s, "true") == 0;
	}
	if (org_s) {
		int64_t org;
		if (parse_id(org_s, &org) != 0)
			return app_fail(r, APP_EBADREQ, "invalid_id", "org_id");
		int rc = org_lookup(r, org, &scope, NULL);
		if (rc == STORE_DONE)
			return app_fail(r, APP_ENOTFOUND, "not_found", "org_id");
		if (rc != STORE_ROW)
			return app_store_fail(r, rc);
	}
	/* ?usable=true: the stores whose counter the caller may work (their
	 * subtree's, and none without a counter role), their own
	 * organisation's first, so the counter offers no store that would
	 * refuse the sale at the last step */
	if (usable && authz_refusal(r->who, AUTHZ_MARKET_COUNTER, NULL) != NULL) {
		*out = json_pack("{s[]}", "items");
		return 0;
	}
	struct store_stmt *st = store_prepare(r->store, "SELECT " SHOP_COLUMNS SHOP_FROM
					      " WHERE o.path LIKE $1 AND s.status = 'active'"
					      " AND (CAST($2 AS BIGINT) = 0 OR o.path LIKE $3)"
					      " ORDER BY CASE WHEN CAST($2 AS BIGINT) <> 0 AND s.org_id = $4 THEN 0 ELSE 1 END, s.id"
					      " LIMIT 500");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", scope));
	store_bind_int(st, 2, usable);
	store_bind_text(st, 3, arena_printf(r->arena, "%s%%", r->who->org_path));
	store_bind_int(st, 4, r->who->org_id);
	return app_items(r, st, shop_list_json, out);
}

int shop_for_counter(struct app_req *r, int64_t store_id, struct shop_ref *shop)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT s.org_id, o.path, s.status, s.allow_on_behalf FROM stores s JOIN orgs o ON o.id = s.org_id"
		" WHERE s.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, store_id);
	int rc = store_step(st);
	bool active = false;
	if (rc == STORE_ROW) {
		shop->org_id = store_col_int(st, 0);
		shop->path = arena_strdup(r->arena, store_col_text(st, 1));
		active = strcmp(store_col_text(st, 2), "active") == 0;
		shop->on_behalf = store_col_int(st, 3) != 0;
	}
	store_done(st);
	if (rc == STORE_DONE || (rc == STORE_ROW && !active))
		return app_fail(r, APP_EINVALID, "store_not_found", "store_id");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	return authz_check(r, AUTHZ_MARKET_COUNTER, shop->path);
}
