/* Love supermarkets: goods with a points price, their stock and its
 * movements, and goods handed out at the counter (see market.h and
 * market_private.h). Writes goods and stock_moves. */
#include "app/bank/market.h"
#include "app/bank/market_private.h"
#include "app/kernel/kernel.h"
#include "util/arena.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

#define PRICE_MAX 100000         /* points for one goods */

#define GOODS_COLUMNS "g.id, g.store_id, g.name, g.unit, g.price, g.stock, g.status, g.updated_at"

static json_t *goods_json(struct app_req *r, struct store_stmt *st)
{
	return json_pack("{sI sI ss ss sI sI ss ss}", "id", (json_int_t)store_col_int(st, 0),
		"store_id", (json_int_t)store_col_int(st, 1), "name", store_col_text(st, 2),
		"unit", store_col_text(st, 3), "price", (json_int_t)store_col_int(st, 4),
		"stock", (json_int_t)store_col_int(st, 5), "status", store_col_text(st, 6),
		"updated_at", app_iso(r, store_col_int(st, 7)));
}

/* One goods as the API shows it (after a write: 404 only if it vanished). */
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

/* The transaction of market_goods_create: the goods at stock 0, audited. */
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
	if (shop_load(r, store_id, AUTHZ_MARKET_COUNTER, &st) != 0)
		return -1;
	c.org_id = store_col_int(st, SHOP_ORG_ID);
	c.path = arena_strdup(r->arena, store_col_text(st, SHOP_ORG_PATH));
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
	if (shop_load(r, store_id, AUTHZ_SELF, &st) != 0)
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
		"UPDATE goods SET stock = stock + $2, updated_at = $3 WHERE id = $1 AND stock + $2 >= 0 RETURNING stock");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, goods);
	store_bind_int(st, 2, delta);
	store_bind_int(st, 3, app_now());
	int rc = store_step(st);
	/* the update's condition keeps stock from going below zero: goods
	 * handed out that were never there would unbalance the store's day */
	assert(rc != STORE_ROW || store_col_int(st, 0) >= 0);
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

/* The transaction of market_stock: one stock move (once per
 * Idempotency-Key), audited. */
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

json_t *goods_lines_json(struct app_req *r, bool sale, int64_t id)
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

int goods_basket_read(struct app_req *r, json_t *items, struct goods_basket *b)
{
	if (!items || json_is_null(items))
		return app_fail(r, APP_EINVALID, "required", "items");
	if (!json_is_array(items))
		return app_fail(r, APP_EBADREQ, "wrong_type", "items");
	if (json_array_size(items) < 1 || json_array_size(items) > ITEMS_MAX)
		return app_fail(r, APP_EINVALID, "invalid_value", "items");
	size_t i, k;
	json_t *line;
	memset(b, 0, sizeof(*b));
	json_array_foreach(items, i, line) {
		json_t *g = json_object_get(line, "goods_id"), *q = json_object_get(line, "quantity");
		if (!json_is_object(line) || !json_is_integer(g) || !json_is_integer(q))
			return app_fail(r, APP_EBADREQ, "wrong_type", arena_printf(r->arena, "items[%zu]", i));
		if (json_integer_value(q) < 1 || json_integer_value(q) > 1000)
			return app_fail(r, APP_EINVALID, "invalid_value", arena_printf(r->arena, "items[%zu].quantity", i));
		for (k = 0; k < i; k++)
			if (b->line[k].goods_id == json_integer_value(g))
				return app_fail(r, APP_EINVALID, "duplicate_goods", arena_printf(r->arena, "items[%zu].goods_id", i));
		b->line[i].goods_id = json_integer_value(g);
		b->line[i].quantity = json_integer_value(q);
	}
	b->n = json_array_size(items);
	return 0;
}

/* Prices each line of b at the store's price now; b->points: what they
 * cost together. */
static int basket_price(struct app_req *r, struct store *s, int64_t store_id, struct goods_basket *b)
{
	b->points = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct store_stmt *st = store_prepare(s,
			"SELECT price FROM goods WHERE id = $1 AND store_id = $2 AND status = 'active'");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, b->line[i].goods_id);
		store_bind_int(st, 2, store_id);
		int rc = store_step(st);
		int64_t price = rc == STORE_ROW ? store_col_int(st, 0) : 0;
		store_done(st);
		if (rc == STORE_DONE) {
			app_fail(r, APP_EINVALID, "goods_not_found", arena_printf(r->arena, "items[%zu].goods_id", i));
			return STORE_ERROR;
		}
		if (rc != STORE_ROW)
			return rc;
		b->line[i].points = price * b->line[i].quantity;
		b->points += b->line[i].points;
	}
	return STORE_OK;
}

int goods_hand_out(struct app_req *r, struct store *s, int64_t store_id, struct goods_basket *b, int64_t max_value,
		   int64_t voucher, int64_t sale)
{
	assert((voucher != 0) != (sale != 0));
	assert(b->n >= 1 && b->n <= ITEMS_MAX);
	int rc = basket_price(r, s, store_id, b);
	if (rc != STORE_OK)
		return rc;
	if (max_value >= 0 && b->points > max_value) {
		app_fail(r, APP_EINVALID, "over_value", "items");
		return STORE_ERROR;
	}
	for (size_t i = 0; i < b->n; i++) {
		rc = stock_change(r, s, b->line[i].goods_id, -b->line[i].quantity, voucher ? "redeem" : "sale", voucher,
				  sale, NULL);
		if (rc == STORE_CONSTRAINT) {
			app_fail(r, APP_ECONFLICT, "insufficient_stock", arena_printf(r->arena, "items[%zu].quantity", i));
			return STORE_ERROR;
		}
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}
