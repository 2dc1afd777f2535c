/* Love supermarkets: stores, goods, stock and vouchers (see market.h). */
#include "app/bank/market.h"
#include "app/bank/points.h"
#include "app/kernel/authz.h"
#include "app/kernel/input.h"
#include "app/kernel/kernel.h"
#include "app/bank/paycodes.h"
#include "app/service/records.h"
#include "app/kernel/secrets.h"
#include "core/cursor.h"
#include "core/validate.h"
#include "util/arena.h"
#include "core/chinatime.h"
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define VOUCHER_UNITS 100        /* the most units in one voucher */
#define PRICE_MAX 100000         /* points for one goods */
#define VOUCHER_DAYS 90          /* a voucher is good for this long */
#define ITEMS_MAX 50             /* lines on one redemption */
#define IDEM_MAX 100

/* ---- stores and goods ---- */

static json_t *store_json(struct app_req *r, struct store_stmt *st)
{
	return json_pack("{sI sI ss ss ss ss ss sb}", "id", (json_int_t)store_col_int(st, 0),
		"org_id", (json_int_t)store_col_int(st, 1), "org_name", store_col_text(st, 2),
		"name", store_col_text(st, 3), "address", store_col_text(st, 4), "status", store_col_text(st, 5),
		"created_at", app_iso(r, store_col_int(st, 6)), "allow_on_behalf", store_col_int(st, 8) != 0);
}

/* A store as the list shows it: with whether the caller may work its
 * counter (the rule redemption and sales enforce, asked beforehand) and
 * whether it belongs to the caller's own organisation. */
static json_t *store_list_json(struct app_req *r, struct store_stmt *st)
{
	json_t *o = store_json(r, st);
	json_object_set_new(o, "usable", json_boolean(authz_refusal(r->who, AUTHZ_MARKET_COUNTER,
								     store_col_text(st, 7)) == NULL));
	json_object_set_new(o, "own", json_boolean(store_col_int(st, 1) == r->who->org_id));
	return o;
}

#define STORE_COLUMNS "s.id, s.org_id, o.name, s.name, s.address, s.status, s.created_at, o.path, s.allow_on_behalf"
#define STORE_FROM " FROM stores s JOIN orgs o ON o.id = s.org_id"

static int store_load(struct app_req *r, int64_t id, int action, struct store_stmt **st)
{
	return app_load_row(r, "SELECT " STORE_COLUMNS STORE_FROM " WHERE s.id = $1", id, action, 7, st);
}

struct store_ctx {
	struct app_req *r;
	int64_t org_id, id;
	const char *name, *address, *path;
	bool on_behalf;
};

static int store_tx_fn(struct store *s, void *vctx)
{
	struct store_ctx *c = vctx;
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
	struct store_ctx c = { .r = r };
	if (authz_check(r, AUTHZ_MARKET_ADMIN, NULL) != 0 || in_id(r, in, "org_id", true, &c.org_id, NULL) != 0 ||
	    in_text(r, in, "name", true, 100, &c.name) != 0 || in_text(r, in, "address", false, 200, &c.address) != 0 ||
	    in_bool(r, in, "allow_on_behalf", &c.on_behalf, NULL) != 0)
		return -1;
	struct org_ref o;
	if (org_target(r, r->store, c.org_id, AUTHZ_MARKET_ADMIN, true, &o) != 0)
		return -1;
	c.path = o.path;
	int rc = store_tx(r->store, store_tx_fn, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	struct store_stmt *st;
	if (store_load(r, c.id, AUTHZ_SELF, &st) != 0)
		return -1;
	*out = store_json(r, st);
	store_done(st);
	return 0;
}

static int store_update_tx(struct store *s, void *vctx)
{
	struct store_ctx *c = vctx;
	int rc = app_exec_ints(s, "UPDATE stores SET allow_on_behalf = $2 WHERE id = $1", c->id, c->on_behalf);
	if (rc != STORE_OK)
		return rc;
	return audit_write_text(c->r, s, "store.update", "store", c->id, c->org_id, c->path,
				c->on_behalf ? "{\"allow_on_behalf\":true}" : "{\"allow_on_behalf\":false}");
}

int market_store_update(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	struct store_ctx c = { .r = r, .id = id };
	struct store_stmt *st;
	bool present = false;
	if (authz_check(r, AUTHZ_MARKET_ADMIN, NULL) != 0 || store_load(r, id, AUTHZ_MARKET_ADMIN, &st) != 0)
		return -1;
	c.org_id = store_col_int(st, 1);
	c.path = arena_strdup(r->arena, store_col_text(st, 7));
	store_done(st);
	if (in_bool(r, in, "allow_on_behalf", &c.on_behalf, &present) != 0)
		return -1;
	if (!present)
		return app_fail(r, APP_EINVALID, "required", "allow_on_behalf");
	int rc = store_tx(r->store, store_update_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	if (store_load(r, id, AUTHZ_SELF, &st) != 0)
		return -1;
	*out = store_json(r, st);
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
	struct store_stmt *st = store_prepare(r->store, "SELECT " STORE_COLUMNS STORE_FROM
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
	return app_items(r, st, store_list_json, out);
}

#define GOODS_COLUMNS "g.id, g.store_id, g.name, g.unit, g.price, g.stock, g.status, g.updated_at"

static json_t *goods_json(struct app_req *r, struct store_stmt *st)
{
	return json_pack("{sI sI ss ss sI sI ss ss}", "id", (json_int_t)store_col_int(st, 0),
		"store_id", (json_int_t)store_col_int(st, 1), "name", store_col_text(st, 2),
		"unit", store_col_text(st, 3), "price", (json_int_t)store_col_int(st, 4),
		"stock", (json_int_t)store_col_int(st, 5), "status", store_col_text(st, 6),
		"updated_at", app_iso(r, store_col_int(st, 7)));
}

static int goods_get(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT " GOODS_COLUMNS " FROM goods g WHERE g.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*out = goods_json(r, st);
	store_done(st);
	return rc == STORE_ROW ? 0 : rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL)
						       : app_store_fail(r, rc);
}

struct goods_ctx {
	struct app_req *r;
	int64_t store_id, org_id, price, id, delta;
	const char *name, *unit, *path, *reason, *idem;
};

static int goods_tx(struct store *s, void *vctx)
{
	struct goods_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO goods (store_id, name, unit, price, stock, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->store_id);
	store_bind_text(st, 2, c->name);
	store_bind_text(st, 3, c->unit ? c->unit : "件");
	store_bind_int(st, 4, c->price);
	store_bind_int(st, 5, app_now());
	int rc = store_step(st);
	if (rc == STORE_ROW)
		c->id = store_col_int(st, 0);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	return audit_write_text(c->r, s, "goods.create", "goods", c->id, c->org_id, c->path, NULL);
}

int market_goods_create(struct app_req *r, int64_t store_id, json_t *in, json_t **out)
{
	struct store_stmt *st;
	struct goods_ctx c = { .r = r, .store_id = store_id };
	if (store_load(r, store_id, AUTHZ_MARKET_COUNTER, &st) != 0)
		return -1;
	c.org_id = store_col_int(st, 1);
	c.path = arena_strdup(r->arena, store_col_text(st, 7));
	store_done(st);
	if (in_text(r, in, "name", true, 100, &c.name) != 0 || in_text(r, in, "unit", false, 10, &c.unit) != 0)
		return -1;
	json_t *p = json_object_get(in, "price");
	if (!p || json_is_null(p))
		return app_fail(r, APP_EINVALID, "required", "price");
	if (!json_is_integer(p))
		return app_fail(r, APP_EBADREQ, "wrong_type", "price");
	c.price = json_integer_value(p);
	if (c.price < 1 || c.price > PRICE_MAX)
		return app_fail(r, APP_EINVALID, "invalid_value", "price");
	int rc = store_tx(r->store, goods_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return goods_get(r, c.id, out);
}

int market_goods_list(struct app_req *r, int64_t store_id, json_t **out)
{
	struct store_stmt *st;
	if (store_load(r, store_id, AUTHZ_SELF, &st) != 0)
		return -1;
	store_done(st);
	st = store_prepare(r->store, "SELECT " GOODS_COLUMNS " FROM goods g WHERE g.store_id = $1 ORDER BY g.id LIMIT 1000");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, store_id);
	return app_items(r, st, goods_json, out);
}

/* Changes a goods' stock by delta with a reason; never below zero. */
static int stock_change(struct app_req *r, struct store *s, int64_t goods, int64_t delta, const char *reason,
			int64_t voucher, int64_t sale, const char *idem)
{
	struct store_stmt *st = store_prepare(s,
		"UPDATE goods SET stock = stock + $2, updated_at = $3 WHERE id = $1 AND stock + $2 >= 0 RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, goods);
	store_bind_int(st, 2, delta);
	store_bind_int(st, 3, app_now());
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE)
		return STORE_CONSTRAINT;
	if (rc != STORE_ROW)
		return rc;
	st = store_prepare(s,
		"INSERT INTO stock_moves (goods_id, delta, reason, voucher_id, operator_id, created_at, sale_id,"
		" idempotency_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, goods);
	store_bind_int(st, 2, delta);
	store_bind_text(st, 3, reason);
	store_bind_id(st, 4, voucher);
	store_bind_int(st, 5, r->who->user_id);
	store_bind_int(st, 6, app_now());
	store_bind_id(st, 7, sale);
	store_bind_text(st, 8, idem);
	rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static int stock_tx(struct store *s, void *vctx)
{
	struct goods_ctx *c = vctx;
	int rc;
	if (c->idem) {
		/* a retry of a movement already made: nothing more moves */
		int64_t made;
		rc = app_idem_lookup(c->r, s, "SELECT id FROM stock_moves WHERE operator_id = $1 AND idempotency_key = $2",
				     c->idem, &made);
		if (rc != STORE_DONE)
			return rc == STORE_ROW ? STORE_OK : rc;
	}
	rc = stock_change(c->r, s, c->id, c->delta, c->reason, 0, 0, c->idem);
	if (rc == STORE_CONSTRAINT) {
		app_fail(c->r, APP_ECONFLICT, "insufficient_stock", "delta");
		return STORE_ERROR;
	}
	if (rc != STORE_OK)
		return rc;
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"delta\":%lld}", (long long)c->delta);
	return audit_write_text(c->r, s, "goods.stock", "goods", c->id, c->org_id, c->path, detail);
}

int market_stock(struct app_req *r, int64_t goods_id, json_t *in, const char *idem, json_t **out)
{
	struct store_stmt *st;
	struct goods_ctx c = { .r = r, .id = goods_id, .idem = idem };
	if (idem && (!*idem || strlen(idem) > IDEM_MAX))
		return app_fail(r, APP_EBADREQ, "invalid_value", "Idempotency-Key");
	if (app_load_row(r, "SELECT s.org_id, o.path FROM goods g JOIN stores s ON s.id = g.store_id"
			 " JOIN orgs o ON o.id = s.org_id WHERE g.id = $1", goods_id, AUTHZ_MARKET_COUNTER, 1, &st) != 0)
		return -1;
	c.org_id = store_col_int(st, 0);
	c.path = arena_strdup(r->arena, store_col_text(st, 1));
	store_done(st);
	json_t *d = json_object_get(in, "delta");
	if (!d || json_is_null(d))
		return app_fail(r, APP_EINVALID, "required", "delta");
	if (!json_is_integer(d))
		return app_fail(r, APP_EBADREQ, "wrong_type", "delta");
	c.delta = json_integer_value(d);
	if (c.delta == 0 || c.delta > 100000 || c.delta < -100000)
		return app_fail(r, APP_EINVALID, "invalid_value", "delta");
	if (in_text(r, in, "reason", true, 100, &c.reason) != 0)
		return -1;
	int rc = store_tx(r->store, stock_tx, &c);
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	return goods_get(r, goods_id, out);
}

/* ---- vouchers ---- */

/* A code as typed: dashes and spaces dropped, letters upper-cased, the
 * look-alikes O → 0 and I, L → 1 (Crockford). -1 when it cannot be one. */
static int code_normal(const char *in, char out[SECRET_CODE_LEN + 1])
{
	size_t n = 0;
	for (const char *p = in ? in : ""; *p; p++) {
		char ch = (char)toupper((unsigned char)*p);
		if (ch == '-' || ch == ' ')
			continue;
		if (ch == 'O')
			ch = '0';
		else if (ch == 'I' || ch == 'L')
			ch = '1';
		if (!strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", ch) || ch == 0 || n == SECRET_CODE_LEN)
			return -1;
		out[n++] = ch;
	}
	out[n] = 0;
	return n == SECRET_CODE_LEN ? 0 : -1;
}

#define VOUCHER_COLUMNS "v.id, v.code, v.volunteer_id, v.value, v.status, v.expires_at, v.store_id, v.spent," \
	" v.decided_at, v.created_at, o.path, vol.name, vol.volunteer_number"
#define VOUCHER_FROM " FROM vouchers v JOIN volunteers vol ON vol.id = v.volunteer_id" \
	" JOIN orgs o ON o.id = vol.home_org_id"

static json_t *voucher_json(struct app_req *r, struct store_stmt *st)
{
	const char *c = store_col_text(st, 1);
	char shown[SECRET_CODE_LEN + 4];
	snprintf(shown, sizeof(shown), "%.4s-%.4s-%.4s-%.4s", c, c + 4, c + 8, c + 12);
	bool lapsed = strcmp(store_col_text(st, 4), "issued") == 0 && store_col_int(st, 5) < app_now();
	return json_pack("{sI ss sI ss sI ss so so so ss ss ss}",
		"id", (json_int_t)store_col_int(st, 0),
		"code", shown,
		"volunteer_id", (json_int_t)store_col_int(st, 2),
		"volunteer_name", store_col_text(st, 11),
		"value", (json_int_t)store_col_int(st, 3),
		"status", lapsed ? "expired" : store_col_text(st, 4),
		"store_id", col_id_json(st, 6),
		"spent", col_id_json(st, 7),
		"decided_at", store_col_null(st, 8) ? json_null() : json_string(app_iso(r, store_col_int(st, 8))),
		"expires_at", app_iso(r, store_col_int(st, 5)),
		"created_at", app_iso(r, store_col_int(st, 9)),
		"volunteer_number", store_col_text(st, 12));
}

/* The goods lines of a voucher or of a sale (sale true), as handed out. */
static json_t *lines_json(struct app_req *r, bool sale, int64_t id)
{
	json_t *items = json_array();
	struct store_stmt *st = store_prepare(r->store, sale
		? "SELECT i.goods_id, g.name, i.quantity, i.points FROM sale_items i JOIN goods g ON g.id = i.goods_id"
		  " WHERE i.sale_id = $1 ORDER BY i.goods_id"
		: "SELECT i.goods_id, g.name, i.quantity, i.points FROM voucher_items i JOIN goods g ON g.id = i.goods_id"
		  " WHERE i.voucher_id = $1 ORDER BY i.goods_id");
	if (!st)
		return items;
	store_bind_int(st, 1, id);
	while (store_step(st) == STORE_ROW)
		json_array_append_new(items, json_pack("{sI ss sI sI}", "goods_id", (json_int_t)store_col_int(st, 0),
			"name", store_col_text(st, 1), "quantity", (json_int_t)store_col_int(st, 2),
			"points", (json_int_t)store_col_int(st, 3)));
	store_done(st);
	return items;
}

/* The voucher of a code with its items; who may see it was checked. */
static int voucher_read(struct app_req *r, const char *code, json_t **out)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT " VOUCHER_COLUMNS VOUCHER_FROM " WHERE v.code = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, code);
	int rc = store_step(st);
	int64_t id = 0;
	if (rc == STORE_ROW) {
		*out = voucher_json(r, st);
		id = store_col_int(st, 0);
	}
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL) : app_store_fail(r, rc);
	json_object_set_new(*out, "items", lines_json(r, false, id));
	return 0;
}

/* Whether the caller may act on a volunteer's points: the person, or
 * staff (action) of the scope of their home organisation. */
static int volunteer_access(struct app_req *r, int64_t volunteer, int action, int64_t *home, const char **path)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT v.user_id, o.path, o.id FROM volunteers v JOIN orgs o ON o.id = v.home_org_id WHERE v.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, volunteer);
	int rc = store_step(st);
	bool own = false;
	if (rc == STORE_ROW) {
		own = !store_col_null(st, 0) && r->who && store_col_int(st, 0) == r->who->user_id;
		*path = arena_strdup(r->arena, store_col_text(st, 1));
		*home = store_col_int(st, 2);
	}
	store_done(st);
	if (rc == STORE_DONE)
		return app_fail(r, APP_EINVALID, "volunteer_not_found", "volunteer_id");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	return own ? 0 : authz_check(r, (enum authz_action)action, *path);
}

struct voucher_ctx {
	struct app_req *r;
	int64_t volunteer_id, value, org_id, id, store_id, spent, store_org;
	const char *idem, *path, *store_path;
	const char *decision_key;   /* Idempotency-Key of a redemption or cancellation */
	char code[SECRET_CODE_LEN + 1];
	json_t *items;           /* redemption lines */
	bool existed, expired;
};

static int issue_tx(struct store *s, void *vctx)
{
	struct voucher_ctx *c = vctx;
	int rc;
	if (c->idem) {
		struct store_stmt *st = store_prepare(s, "SELECT code FROM vouchers WHERE issued_by = $1 AND idempotency_key = $2");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, c->r->who->user_id);
		store_bind_text(st, 2, c->idem);
		rc = store_step(st);
		if (rc == STORE_ROW) {
			snprintf(c->code, sizeof(c->code), "%s", store_col_text(st, 0));
			c->existed = true;
		}
		store_done(st);
		if (rc == STORE_ROW)
			return STORE_OK;
		if (rc != STORE_DONE)
			return rc;
	}
	if ((rc = points_expire(c->r, s, c->volunteer_id, app_now())) != STORE_OK)
		return rc;
	secret_code(c->code);
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO vouchers (code, volunteer_id, value, status, expires_at, issued_by, idempotency_key, created_at)"
		" VALUES ($1, $2, $3, 'issued', $4, $5, $6, $7) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->code);
	store_bind_int(st, 2, c->volunteer_id);
	store_bind_int(st, 3, c->value);
	store_bind_int(st, 4, app_now() + VOUCHER_DAYS * 86400);
	store_bind_int(st, 5, c->r->who->user_id);
	store_bind_text(st, 6, c->idem);
	store_bind_int(st, 7, app_now());
	rc = store_step(st);
	if (rc == STORE_ROW)
		c->id = store_col_int(st, 0);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	struct point_move m = { .amount = c->value, .cause = "voucher", .volunteer_id = c->volunteer_id,
				.org_id = c->org_id, .operator_id = c->r->who->user_id, .voucher_id = c->id };
	if ((rc = points_account(s, "volunteer", c->volunteer_id, &m.from)) != STORE_OK ||
	    (rc = points_account(s, "escrow", 0, &m.to)) != STORE_OK)
		return rc;
	rc = points_pay(c->r, s, &m, "value");
	if (rc != STORE_OK)
		return rc;
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"volunteer_id\":%lld,\"value\":%lld}", (long long)c->volunteer_id,
		 (long long)c->value);
	return audit_write_text(c->r, s, "voucher.issue", "voucher", c->id, c->org_id, c->path, detail);
}

int market_voucher_issue(struct app_req *r, json_t *in, const char *idem, json_t **out)
{
	struct voucher_ctx c = { .r = r, .idem = idem };
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	if (idem && (!*idem || strlen(idem) > IDEM_MAX))
		return app_fail(r, APP_EBADREQ, "invalid_value", "Idempotency-Key");
	if (in_id(r, in, "volunteer_id", true, &c.volunteer_id, NULL) != 0)
		return -1;
	json_t *v = json_object_get(in, "value");
	if (!v || json_is_null(v))
		return app_fail(r, APP_EINVALID, "required", "value");
	if (!json_is_integer(v))
		return app_fail(r, APP_EBADREQ, "wrong_type", "value");
	c.value = json_integer_value(v);
	/* the Wenjiang model: 30 points (--voucher-points) buy a voucher for
	 * goods of equal value */
	int64_t unit = app_config(r->app)->voucher_points > 0 ? app_config(r->app)->voucher_points : 30;
	if (c.value < unit || c.value > unit * VOUCHER_UNITS || c.value % unit)
		return app_fail(r, APP_EINVALID, "voucher_value", "value");
	if (volunteer_access(r, c.volunteer_id, AUTHZ_VOUCHERS_ISSUE, &c.org_id, &c.path) != 0)
		return -1;
	int rc = store_tx(r->store, issue_tx, &c);
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	return voucher_read(r, c.code, out);
}

/* Loads a voucher by code for an action on it: its id, volunteer, state. */
static int voucher_for(struct app_req *r, const char *code_in, struct voucher_ctx *c, char *status, size_t n,
		       int64_t *expires)
{
	if (code_normal(code_in, c->code) != 0)
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	struct store_stmt *st = store_prepare(r->store,
		"SELECT v.id, v.volunteer_id, v.value, v.status, v.expires_at, o.path, o.id FROM vouchers v"
		" JOIN volunteers vol ON vol.id = v.volunteer_id JOIN orgs o ON o.id = vol.home_org_id WHERE v.code = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, c->code);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		c->id = store_col_int(st, 0);
		c->volunteer_id = store_col_int(st, 1);
		c->value = store_col_int(st, 2);
		snprintf(status, n, "%s", store_col_text(st, 3));
		*expires = store_col_int(st, 4);
		c->path = arena_strdup(r->arena, store_col_text(st, 5));
		c->org_id = store_col_int(st, 6);
	}
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL) : app_store_fail(r, rc);
	return 0;
}

/* The movement that took a voucher's points from the volunteer: points
 * that come back return to the lots it took them from. */
static int64_t issue_movement(struct store *s, int64_t voucher)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT id FROM point_movements WHERE voucher_id = $1 AND cause = 'voucher'");
	if (!st)
		return 0;
	store_bind_int(st, 1, voucher);
	int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	return id;
}

/* Whether a voucher that is no longer issued was decided by this very
 * request before (the same Idempotency-Key, the same caller, the same
 * outcome): then a retry answers as the first request did. */
static bool decided_before(struct voucher_ctx *c, struct store *s, const char *status)
{
	if (!c->decision_key)
		return false;
	struct store_stmt *st = store_prepare(s,
		"SELECT 1 FROM vouchers WHERE id = $1 AND status = $2 AND decision_key = $3 AND decided_by = $4");
	if (!st)
		return false;
	store_bind_int(st, 1, c->id);
	store_bind_text(st, 2, status);
	store_bind_text(st, 3, c->decision_key);
	store_bind_int(st, 4, c->r->who->user_id);
	bool same = store_step(st) == STORE_ROW;
	store_done(st);
	return same;
}

/* Gives an unused voucher's points back (cancelled or expired): the
 * status changes only from issued, so of racing requests one refunds. */
static int refund(struct voucher_ctx *c, struct store *s, const char *status)
{
	struct store_stmt *st = store_prepare(s,
		"UPDATE vouchers SET status = $2, decided_by = $3, decided_at = $4, decision_key = $5"
		" WHERE id = $1 AND status = 'issued' RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_text(st, 2, status);
	store_bind_int(st, 3, c->r->who->user_id);
	store_bind_int(st, 4, app_now());
	store_bind_text(st, 5, strcmp(status, "expired") == 0 ? NULL : c->decision_key);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE && decided_before(c, s, status))
		return STORE_OK;
	if (rc == STORE_DONE) {
		app_fail(c->r, APP_ECONFLICT, "voucher_not_issued", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	struct point_move m = { .amount = c->value, .cause = "refund", .volunteer_id = c->volunteer_id,
				.org_id = c->org_id, .operator_id = c->r->who->user_id, .voucher_id = c->id,
				.restore = issue_movement(s, c->id) };
	if ((rc = points_account(s, "escrow", 0, &m.from)) != STORE_OK ||
	    (rc = points_account(s, "volunteer", c->volunteer_id, &m.to)) != STORE_OK ||
	    (rc = points_move(s, &m)) != STORE_OK)
		return rc;
	return audit_write_text(c->r, s, strcmp(status, "expired") == 0 ? "voucher.expire" : "voucher.cancel",
				"voucher", c->id, c->org_id, c->path, NULL);
}

static int expire_tx(struct store *s, void *vctx)
{
	return refund(vctx, s, "expired");
}

static int cancel_tx(struct store *s, void *vctx)
{
	return refund(vctx, s, "cancelled");
}

/* An issued voucher past its date expires (its points go back) the
 * first time anyone acts on it. */
static int lapse(struct app_req *r, struct voucher_ctx *c, const char *status, int64_t expires)
{
	if (strcmp(status, "issued") != 0 || expires >= app_now())
		return 0;
	int rc = store_tx(r->store, expire_tx, c);
	memset(&r->err, 0, sizeof(r->err));   /* another request expired it first */
	if (rc != STORE_OK && rc != STORE_ERROR)
		return app_store_fail(r, rc);
	c->expired = true;
	return 0;
}

int market_voucher_get(struct app_req *r, const char *code, json_t **out)
{
	struct voucher_ctx c = { .r = r };
	char status[16];
	int64_t expires, home;
	const char *path;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 || voucher_for(r, code, &c, status, sizeof(status), &expires) != 0)
		return -1;
	/* any clerk may look a code up at the counter */
	if (!(r->who->roles & ROLE_CLERK) && volunteer_access(r, c.volunteer_id, AUTHZ_VOUCHERS_ISSUE, &home, &path) != 0)
		return -1;
	if (lapse(r, &c, status, expires) != 0)
		return -1;
	return voucher_read(r, c.code, out);
}

int market_voucher_list(struct app_req *r, const char *volunteer_s, json_t **out)
{
	int64_t volunteer, home;
	const char *path;
	if (!volunteer_s)
		return app_fail(r, APP_EINVALID, "required", "volunteer_id");
	if (parse_id(volunteer_s, &volunteer) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_id", "volunteer_id");
	if (volunteer_access(r, volunteer, AUTHZ_VOUCHERS_ISSUE, &home, &path) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, "SELECT " VOUCHER_COLUMNS VOUCHER_FROM
					      " WHERE v.volunteer_id = $1 ORDER BY v.id DESC LIMIT 200");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, volunteer);
	return app_items(r, st, voucher_json, out);
}

int market_voucher_cancel(struct app_req *r, const char *code, const char *idem, json_t **out)
{
	struct voucher_ctx c = { .r = r, .decision_key = idem };
	if (idem && (!*idem || strlen(idem) > IDEM_MAX))
		return app_fail(r, APP_EBADREQ, "invalid_value", "Idempotency-Key");
	char status[16];
	int64_t expires, home;
	const char *path;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 || voucher_for(r, code, &c, status, sizeof(status), &expires) != 0 ||
	    volunteer_access(r, c.volunteer_id, AUTHZ_VOUCHERS_ISSUE, &home, &path) != 0 ||
	    lapse(r, &c, status, expires) != 0)
		return -1;
	if (c.expired)
		return app_fail(r, APP_ECONFLICT, "voucher_expired", NULL);
	int rc = store_tx(r->store, cancel_tx, &c);
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	return voucher_read(r, c.code, out);
}

/* Hands out goods of a store (items checked by check_items): prices as
 * they are now, what they cost at most max_value (-1: no limit), stock
 * out, and a line per goods on the voucher or sale. *spent: the cost. */
static int take_goods(struct app_req *r, struct store *s, int64_t store_id, json_t *items, int64_t max_value,
		      int64_t voucher, int64_t sale, int64_t *spent)
{
	struct store_stmt *st;
	int rc;
	size_t i, n = json_array_size(items);
	int64_t prices[ITEMS_MAX];
	json_t *line;
	*spent = 0;
	json_array_foreach(items, i, line) {
		st = store_prepare(s, "SELECT price FROM goods WHERE id = $1 AND store_id = $2 AND status = 'active'");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, json_integer_value(json_object_get(line, "goods_id")));
		store_bind_int(st, 2, store_id);
		rc = store_step(st);
		prices[i] = rc == STORE_ROW ? store_col_int(st, 0) : 0;
		store_done(st);
		if (rc == STORE_DONE) {
			app_fail(r, APP_EINVALID, "goods_not_found", arena_printf(r->arena, "items[%zu].goods_id", i));
			return STORE_ERROR;
		}
		if (rc != STORE_ROW)
			return rc;
		*spent += prices[i] * json_integer_value(json_object_get(line, "quantity"));
	}
	if (max_value >= 0 && *spent > max_value) {
		app_fail(r, APP_EINVALID, "over_value", "items");
		return STORE_ERROR;
	}
	for (i = 0; i < n; i++) {
		line = json_array_get(items, i);
		int64_t goods = json_integer_value(json_object_get(line, "goods_id"));
		int64_t qty = json_integer_value(json_object_get(line, "quantity"));
		rc = stock_change(r, s, goods, -qty, voucher ? "redeem" : "sale", voucher, sale, NULL);
		if (rc == STORE_CONSTRAINT) {
			app_fail(r, APP_ECONFLICT, "insufficient_stock", arena_printf(r->arena, "items[%zu].quantity", i));
			return STORE_ERROR;
		}
		if (rc != STORE_OK)
			return rc;
		st = store_prepare(s, voucher
			? "INSERT INTO voucher_items (voucher_id, goods_id, quantity, points) VALUES ($1, $2, $3, $4)"
			: "INSERT INTO sale_items (sale_id, goods_id, quantity, points) VALUES ($1, $2, $3, $4)");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, voucher ? voucher : sale);
		store_bind_int(st, 2, goods);
		store_bind_int(st, 3, qty);
		store_bind_int(st, 4, prices[i] * qty);
		rc = store_step(st);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

/* The lines of a redemption or sale: 1..ITEMS_MAX of {goods_id,
 * quantity 1..1000}, each goods once. */
static int check_items(struct app_req *r, json_t *items)
{
	if (!items || json_is_null(items))
		return app_fail(r, APP_EINVALID, "required", "items");
	if (!json_is_array(items))
		return app_fail(r, APP_EBADREQ, "wrong_type", "items");
	if (json_array_size(items) < 1 || json_array_size(items) > ITEMS_MAX)
		return app_fail(r, APP_EINVALID, "invalid_value", "items");
	size_t i, k;
	json_t *line;
	json_array_foreach(items, i, line) {
		json_t *g = json_object_get(line, "goods_id"), *q = json_object_get(line, "quantity");
		if (!json_is_object(line) || !json_is_integer(g) || !json_is_integer(q))
			return app_fail(r, APP_EBADREQ, "wrong_type", arena_printf(r->arena, "items[%zu]", i));
		if (json_integer_value(q) < 1 || json_integer_value(q) > 1000)
			return app_fail(r, APP_EINVALID, "invalid_value", arena_printf(r->arena, "items[%zu].quantity", i));
		for (k = 0; k < i; k++)
			if (json_integer_value(json_object_get(json_array_get(items, k), "goods_id")) == json_integer_value(g))
				return app_fail(r, APP_EINVALID, "duplicate_goods", arena_printf(r->arena, "items[%zu].goods_id", i));
	}
	return 0;
}

/* A store for a counter action: active, in the caller's scope. */
static int counter_store(struct app_req *r, int64_t store_id, int64_t *org, const char **path)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT s.org_id, o.path, s.status FROM stores s JOIN orgs o ON o.id = s.org_id WHERE s.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, store_id);
	int rc = store_step(st);
	bool active = false;
	if (rc == STORE_ROW) {
		*org = store_col_int(st, 0);
		*path = arena_strdup(r->arena, store_col_text(st, 1));
		active = strcmp(store_col_text(st, 2), "active") == 0;
	}
	store_done(st);
	if (rc == STORE_DONE || (rc == STORE_ROW && !active))
		return app_fail(r, APP_EINVALID, "store_not_found", "store_id");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	return authz_check(r, AUTHZ_MARKET_COUNTER, *path);
}

static int redeem_tx(struct store *s, void *vctx)
{
	struct voucher_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"UPDATE vouchers SET status = 'redeemed', store_id = $2, decided_by = $3, decided_at = $4, decision_key = $5"
		" WHERE id = $1 AND status = 'issued' RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_int(st, 2, c->store_id);
	store_bind_int(st, 3, c->r->who->user_id);
	store_bind_int(st, 4, app_now());
	store_bind_text(st, 5, c->decision_key);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE && decided_before(c, s, "redeemed"))
		return STORE_OK;
	if (rc == STORE_DONE) {
		app_fail(c->r, APP_ECONFLICT, "voucher_not_issued", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	if ((rc = take_goods(c->r, s, c->store_id, c->items, c->value, c->id, 0, &c->spent)) != STORE_OK)
		return rc;
	st = store_prepare(s, "UPDATE vouchers SET spent = $2 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_int(st, 2, c->spent);
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	/* what the goods cost goes to the store; a remainder goes back to the
	 * volunteer (docs/points.md) */
	int64_t escrow, shop, vol;
	if ((rc = points_account(s, "escrow", 0, &escrow)) != STORE_OK ||
	    (rc = points_account(s, "store", c->store_id, &shop)) != STORE_OK ||
	    (rc = points_account(s, "volunteer", c->volunteer_id, &vol)) != STORE_OK)
		return rc;
	struct point_move m = { .from = escrow, .to = shop, .amount = c->spent, .cause = "redeem",
				.volunteer_id = c->volunteer_id, .org_id = c->store_org,
				.operator_id = c->r->who->user_id, .voucher_id = c->id };
	if (c->spent > 0 && (rc = points_move(s, &m)) != STORE_OK)
		return rc;
	if (c->value > c->spent) {
		struct point_move back = m;
		back.to = vol;
		back.amount = c->value - c->spent;
		back.cause = "refund";
		back.restore = issue_movement(s, c->id);
		if ((rc = points_move(s, &back)) != STORE_OK)
			return rc;
	}
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"store_id\":%lld,\"spent\":%lld}", (long long)c->store_id,
		 (long long)c->spent);
	return audit_write_text(c->r, s, "voucher.redeem", "voucher", c->id, c->store_org, c->store_path, detail);
}

int market_voucher_redeem(struct app_req *r, const char *code, json_t *in, const char *idem, json_t **out)
{
	struct voucher_ctx c = { .r = r, .decision_key = idem };
	if (idem && (!*idem || strlen(idem) > IDEM_MAX))
		return app_fail(r, APP_EBADREQ, "invalid_value", "Idempotency-Key");
	char status[16];
	int64_t expires;
	if (authz_check(r, AUTHZ_MARKET_COUNTER, NULL) != 0 || voucher_for(r, code, &c, status, sizeof(status), &expires) != 0)
		return -1;
	if (in_id(r, in, "store_id", true, &c.store_id, NULL) != 0 ||
	    counter_store(r, c.store_id, &c.store_org, &c.store_path) != 0)
		return -1;
	/* a deactivated volunteer cannot pay, with a voucher either (issue 11);
	 * said only to staff of the store, who may redeem the voucher anyway */
	bool active;
	int vrc = app_volunteer_active(r->store, c.volunteer_id, &active);
	if (vrc != STORE_OK)
		return app_store_fail(r, vrc == STORE_DONE ? STORE_ERROR : vrc);
	if (!active)
		return app_fail(r, APP_ECONFLICT, "volunteer_inactive", NULL);
	json_t *items = json_object_get(in, "items");
	if (check_items(r, items) != 0)
		return -1;
	if (lapse(r, &c, status, expires) != 0)
		return -1;
	if (c.expired)
		return app_fail(r, APP_ECONFLICT, "voucher_expired", NULL);
	c.items = items;
	int rc = store_tx(r->store, redeem_tx, &c);
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	return voucher_read(r, c.code, out);
}

/* ---- paying with points at the counter ---- */

/* A sale needs the volunteer's proof (issue 11): a pay code from their
 * phone (paycodes.c) or a voucher code; or, where the store allows it,
 * staff whose scope holds the volunteer's home organisation sell on their
 * behalf, audited as sale.on_behalf. Without a proof nothing about the
 * volunteer is looked at: the refusal is the same whoever the id names,
 * and insufficient_points is only ever said once the proof held (to the
 * person, or to staff who may see the balance anyway). Wrong codes count
 * against the clerk at this store (PAY_FREE_FAILURES, then waits). */
#define PAY_FREE_FAILURES 5

/* Counts a wrong proof (pay code or voucher code) against key, the clerk
 * at this store: the same policy for both kinds of proof. */
static int wrong_proof_take(struct app_req *r, const char *key)
{
	return app_throttle_take(r, key, PAY_FREE_FAILURES, 30, 900, "too_many_pay_codes");
}

enum sale_proof { PROOF_NONE, PROOF_PAY_CODE, PROOF_ON_BEHALF };

struct sale_ctx {
	struct app_req *r;
	int64_t store_id, store_org, volunteer_id, id, points, code_id;
	const char *store_path, *idem;
	char code[PAY_CODE_LEN + 1];
	enum sale_proof proof;
	json_t *items;
	bool existed, proven;
};

static int sale_tx(struct store *s, void *vctx)
{
	struct sale_ctx *c = vctx;
	struct store_stmt *st;
	int rc;
	bool active;
	if (c->idem) {
		rc = app_idem_lookup(c->r, s, "SELECT id FROM sales WHERE operator_id = $1 AND idempotency_key = $2",
				     c->idem, &c->id);
		if (rc == STORE_ROW)
			c->existed = c->proven = true;
		if (rc != STORE_DONE)
			return rc == STORE_ROW ? STORE_OK : rc;
	}
	if (c->proof == PROOF_PAY_CODE) {
		int64_t named = c->volunteer_id;
		rc = paycodes_take(s, c->code, &c->code_id, &c->volunteer_id);
		/* a code of somebody else than the volunteer_id sent is no proof
		 * for that volunteer: refused like a wrong code */
		if (rc == STORE_DONE || (rc == STORE_OK && named && named != c->volunteer_id)) {
			app_fail(c->r, APP_EINVALID, "pay_code_invalid", "pay_code");
			return STORE_ERROR;
		}
		if (rc != STORE_OK)
			return rc;
		c->proven = true;
	}
	if ((rc = app_volunteer_active(s, c->volunteer_id, &active)) != STORE_OK)
		return rc;
	if (!active) {
		app_fail(c->r, APP_ECONFLICT, "volunteer_inactive", NULL);
		return STORE_ERROR;
	}
	if ((rc = points_expire(c->r, s, c->volunteer_id, app_now())) != STORE_OK)
		return rc;
	st = store_prepare(s,
		"INSERT INTO sales (store_id, volunteer_id, points, operator_id, idempotency_key, created_at, proof)"
		" VALUES ($1, $2, 0, $3, $4, $5, $6) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->store_id);
	store_bind_int(st, 2, c->volunteer_id);
	store_bind_int(st, 3, c->r->who->user_id);
	store_bind_text(st, 4, c->idem);
	store_bind_int(st, 5, app_now());
	store_bind_text(st, 6, c->proof == PROOF_PAY_CODE ? "pay_code" : "on_behalf");
	rc = store_step(st);
	if (rc == STORE_ROW)
		c->id = store_col_int(st, 0);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	if (c->code_id && (rc = app_exec_ints(s, "UPDATE pay_codes SET sale_id = $2 WHERE id = $1",
					      c->code_id, c->id)) != STORE_OK)
		return rc;
	if ((rc = take_goods(c->r, s, c->store_id, c->items, -1, 0, c->id, &c->points)) != STORE_OK)
		return rc;
	st = store_prepare(s, "UPDATE sales SET points = $2 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_int(st, 2, c->points);
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	struct point_move m = { .amount = c->points, .cause = "sale", .volunteer_id = c->volunteer_id,
				.org_id = c->store_org, .operator_id = c->r->who->user_id, .sale_id = c->id };
	if ((rc = points_account(s, "volunteer", c->volunteer_id, &m.from)) != STORE_OK ||
	    (rc = points_account(s, "store", c->store_id, &m.to)) != STORE_OK)
		return rc;
	rc = points_pay(c->r, s, &m, "items");
	if (rc != STORE_OK)
		return rc;
	char detail[160];
	snprintf(detail, sizeof(detail), "{\"volunteer_id\":%lld,\"points\":%lld,\"store_id\":%lld,\"proof\":\"%s\"}",
		 (long long)c->volunteer_id, (long long)c->points, (long long)c->store_id,
		 c->proof == PROOF_PAY_CODE ? "pay_code" : "on_behalf");
	return audit_write_text(c->r, s, c->proof == PROOF_ON_BEHALF ? "sale.on_behalf" : "store.sale", "sale",
				c->id, c->store_org, c->store_path, detail);
}

static int sale_get(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT id, store_id, volunteer_id, points, created_at, proof FROM sales WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*out = json_pack("{sI sI sI sI ss ss}", "id", (json_int_t)store_col_int(st, 0),
			"store_id", (json_int_t)store_col_int(st, 1), "volunteer_id", (json_int_t)store_col_int(st, 2),
			"points", (json_int_t)store_col_int(st, 3), "created_at", app_iso(r, store_col_int(st, 4)),
			"proof", store_col_text(st, 5));
	store_done(st);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc == STORE_DONE ? STORE_ERROR : rc);
	json_object_set_new(*out, "items", lines_json(r, true, id));
	return 0;
}

/* On behalf: the store allows it and the caller's scope holds the
 * volunteer's home organisation. A volunteer who does not exist and one
 * of another subtree get the same 403. */
static int on_behalf_check(struct app_req *r, struct sale_ctx *c)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT allow_on_behalf FROM stores WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, c->store_id);
	int rc = store_step(st);
	bool allowed = rc == STORE_ROW && store_col_int(st, 0) != 0;
	store_done(st);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc == STORE_DONE ? STORE_ERROR : rc);
	if (!allowed)
		return app_fail(r, APP_EFORBIDDEN, "on_behalf_not_allowed", "on_behalf");
	st = store_prepare(r->store,
		"SELECT o.path FROM volunteers v JOIN orgs o ON o.id = v.home_org_id WHERE v.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, c->volunteer_id);
	rc = store_step(st);
	const char *path = rc == STORE_ROW ? arena_strdup(r->arena, store_col_text(st, 0)) : NULL;
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return app_store_fail(r, rc);
	if (!path || authz_refusal(r->who, AUTHZ_MARKET_COUNTER, path) != NULL)
		return app_fail(r, APP_EFORBIDDEN, "forbidden", "volunteer_id");
	return 0;
}

/* A sale paid with a voucher: the voucher is redeemed at this store for
 * the goods (market_voucher_redeem); its code is the proof. */
static int sale_by_voucher(struct app_req *r, int64_t store_id, const char *code, int64_t named, json_t *items,
			   const char *idem, const char *key, json_t **out)
{
	struct voucher_ctx v = { .r = r };
	char status[16];
	int64_t expires;
	if (app_throttle_check(r, key, "too_many_pay_codes") != 0)
		return -1;
	bool found = voucher_for(r, code, &v, status, sizeof(status), &expires) == 0;
	if (!found && r->err.status != APP_ENOTFOUND)
		return -1;
	/* no such voucher, or another person's: one answer, counted as a
	 * wrong proof */
	if (!found || (named && named != v.volunteer_id)) {
		memset(&r->err, 0, sizeof(r->err));
		if (wrong_proof_take(r, key) != 0)
			return -1;
		return app_fail(r, APP_EINVALID, "voucher_code_invalid", "voucher_code");
	}
	json_t *in = json_pack("{sI sO}", "store_id", (json_int_t)store_id, "items", items);
	if (!in)
		return app_fail(r, APP_EINTERNAL, "internal", NULL);
	int rc = market_voucher_redeem(r, code, in, idem, out);
	json_decref(in);
	if (rc == 0)
		json_object_set_new(*out, "proof", json_string("voucher"));
	return rc;
}

int market_sale(struct app_req *r, int64_t store_id, json_t *in, const char *idem, json_t **out)
{
	struct sale_ctx c = { .r = r, .store_id = store_id, .idem = idem };
	if (authz_check(r, AUTHZ_MARKET_COUNTER, NULL) != 0)
		return -1;
	if (idem && (!*idem || strlen(idem) > IDEM_MAX))
		return app_fail(r, APP_EBADREQ, "invalid_value", "Idempotency-Key");
	if (counter_store(r, store_id, &c.store_org, &c.store_path) != 0)
		return r->err.field && strcmp(r->err.field, "store_id") == 0
			? app_fail(r, APP_ENOTFOUND, "not_found", NULL) : -1;
	const char *pay_code = NULL, *voucher_code = NULL;
	bool on_behalf = false, present = false;
	if (in_id(r, in, "volunteer_id", false, &c.volunteer_id, NULL) != 0 ||
	    in_text(r, in, "pay_code", false, 40, &pay_code) != 0 ||
	    in_text(r, in, "voucher_code", false, 40, &voucher_code) != 0 ||
	    in_bool(r, in, "on_behalf", &on_behalf, &present) != 0)
		return -1;
	c.items = json_object_get(in, "items");
	if (check_items(r, c.items) != 0)
		return -1;
	if ((pay_code != NULL) + (voucher_code != NULL) + on_behalf > 1)
		return app_fail(r, APP_EINVALID, "one_proof", pay_code ? "pay_code" : "voucher_code");
	const char *key = arena_printf(r->arena, "pay-proof:%lld:%lld", (long long)store_id,
				       (long long)r->who->user_id);
	if (voucher_code)
		return sale_by_voucher(r, store_id, voucher_code, c.volunteer_id, c.items, idem, key, out);
	if (on_behalf) {
		if (!c.volunteer_id)
			return app_fail(r, APP_EINVALID, "required", "volunteer_id");
		if (on_behalf_check(r, &c) != 0)
			return -1;
		c.proof = PROOF_ON_BEHALF;
	} else if (pay_code) {
		/* a wrong code counts before it is compared, in one step, so that
		 * parallel guesses cannot all pass; a code that held is given back */
		if (wrong_proof_take(r, key) != 0)
			return -1;
		if (!paycodes_normal(pay_code, c.code))
			return app_fail(r, APP_EINVALID, "pay_code_invalid", "pay_code");
		c.proof = PROOF_PAY_CODE;
	} else {
		return app_fail(r, APP_EINVALID, "payment_proof_required", "pay_code");
	}
	int rc = store_tx(r->store, sale_tx, &c);
	sodium_memzero(c.code, sizeof(c.code));
	if (c.proven && c.proof == PROOF_PAY_CODE) {
		/* a code that held was no guess: its count goes back. Failing to
		 * give it back costs the clerk a try, not the answer. */
		struct app_error kept = r->err;
		(void)app_throttle_refund(r, key, PAY_FREE_FAILURES);
		r->err = kept;
	}
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	return sale_get(r, c.id, out);
}

/* ---- the day of a store ---- */

int market_reconcile(struct app_req *r, int64_t store_id, const char *date, json_t **out)
{
	struct store_stmt *st;
	int ymd;
	if (store_load(r, store_id, AUTHZ_MARKET_COUNTER, &st) != 0)
		return -1;
	store_done(st);
	if (!date)
		date = app_today(r);
	if (!valid_date(date, &ymd))
		return app_fail(r, APP_EBADREQ, "invalid_value", "date");
	/* the China day: 00:00 to 24:00 UTC+8 */
	int64_t from = china_day_start(ymd), to = from + 86400;
	static const char sums[] =
		"SELECT"
		" (SELECT count(*) FROM vouchers WHERE store_id = $1 AND status = 'redeemed' AND decided_at >= $2 AND decided_at < $3),"
		" (SELECT COALESCE(SUM(spent), 0) FROM vouchers WHERE store_id = $1 AND status = 'redeemed'"
		"   AND decided_at >= $2 AND decided_at < $3),"
		" (SELECT count(*) FROM sales WHERE store_id = $1 AND created_at >= $2 AND created_at < $3),"
		" (SELECT COALESCE(SUM(points), 0) FROM sales WHERE store_id = $1 AND created_at >= $2 AND created_at < $3),"
		" (SELECT COALESCE(SUM(m.amount), 0) FROM point_movements m JOIN point_accounts a ON a.id = m.to_account"
		"   WHERE a.kind = 'store' AND a.owner_id = $1 AND m.created_at >= $2 AND m.created_at < $3),"
		" (SELECT COALESCE(SUM(i.points), 0) FROM voucher_items i JOIN vouchers v ON v.id = i.voucher_id"
		"   WHERE v.store_id = $1 AND v.decided_at >= $2 AND v.decided_at < $3) +"
		" (SELECT COALESCE(SUM(i.points), 0) FROM sale_items i JOIN sales x ON x.id = i.sale_id"
		"   WHERE x.store_id = $1 AND x.created_at >= $2 AND x.created_at < $3)";
	st = store_prepare(r->store, sums);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, store_id);
	store_bind_int(st, 2, from);
	store_bind_int(st, 3, to);
	int rc = store_step(st);
	int64_t v[6] = { 0 };
	if (rc == STORE_ROW)
		for (int i = 0; i < 6; i++)
			v[i] = store_col_int(st, i);
	store_done(st);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	/* goods: what went out at the counter and what was moved by hand */
	st = store_prepare(r->store,
		"SELECT g.id, g.name, COALESCE(SUM(CASE WHEN m.reason IN ('redeem', 'sale') THEN -m.delta ELSE 0 END), 0),"
		" COALESCE(SUM(CASE WHEN m.reason NOT IN ('redeem', 'sale') AND m.delta > 0 THEN m.delta ELSE 0 END), 0),"
		" COALESCE(SUM(CASE WHEN m.reason NOT IN ('redeem', 'sale') AND m.delta < 0 THEN -m.delta ELSE 0 END), 0), g.stock"
		" FROM stock_moves m JOIN goods g ON g.id = m.goods_id"
		" WHERE g.store_id = $1 AND m.created_at >= $2 AND m.created_at < $3 GROUP BY g.id, g.name, g.stock ORDER BY g.id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, store_id);
	store_bind_int(st, 2, from);
	store_bind_int(st, 3, to);
	json_t *goods = json_array();
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(goods, json_pack("{sI ss sI sI sI sI}", "goods_id", (json_int_t)store_col_int(st, 0),
			"name", store_col_text(st, 1), "handed_out", (json_int_t)store_col_int(st, 2),
			"stocked_in", (json_int_t)store_col_int(st, 3), "taken_out", (json_int_t)store_col_int(st, 4),
			"stock_now", (json_int_t)store_col_int(st, 5)));
	store_done(st);
	if (rc != STORE_DONE) {
		json_decref(goods);
		return app_store_fail(r, rc);
	}
	bool balanced = v[4] == v[1] + v[3] && v[5] == v[1] + v[3];
	*out = json_pack("{sI ss sI sI sI sI sI sI so so}", "store_id", (json_int_t)store_id, "date", date,
		"vouchers_redeemed", (json_int_t)v[0], "voucher_points", (json_int_t)v[1],
		"sales", (json_int_t)v[2], "sale_points", (json_int_t)v[3],
		"points_in", (json_int_t)v[4], "goods_points", (json_int_t)v[5],
		"goods", goods, "balanced", json_boolean(balanced));
	return 0;
}
