/* Orders nobody took in time, and the volunteer's own orders (送菜).
 * Escalation hands an order to the organisation one level up when no
 * provider accepted it, or no volunteer accepted the offers, within the
 * server's --order-escalate-after minutes; orderbook.c's order_escalate
 * writes it (the board flags it by escalated_at). "My orders" shows a
 * volunteer their offers; the served person's name, phone and address
 * only once they accepted and while the order lives, each such read
 * audited (志愿服务条例 Art. 21). */
#include "app/menu/dispatch.h"
#include "app/menu/dispatch_int.h"
#include "app/network/network.h"
#include "core/cursor.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/log.h"
#include <stdio.h>
#include <string.h>

#define ESCALATE_BATCH 200

struct escalate_ctx {
	struct app_req *r;
	int64_t order_id, to_org, at;
	enum order_status st;
};

static int escalate_tx(struct store *s, void *vctx)
{
	struct escalate_ctx *c = vctx;
	int rc = order_escalate_at(c->r, s, c->order_id, c->st, c->to_org, c->at);
	return rc == STORE_DONE ? STORE_OK : rc;   /* moved meanwhile: nothing to do */
}

int orders_escalate_due(struct app_req *r, int64_t as_of, int64_t after_minutes, int64_t *count)
{
	*count = 0;
	int64_t due = as_of - after_minutes * 60, after = 0;
	for (;;) {
		/* the clock of an order starts when it reached its status or its
		 * present level, whichever is later */
		struct store_stmt *st = store_prepare(r->store,
			"SELECT d.id, d.status, g.parent_id FROM orders d JOIN orgs g ON g.id = d.org_id"
			" WHERE d.id > $2 AND g.parent_id IS NOT NULL AND ("
			" (d.status = 'submitted' AND CASE WHEN d.escalated_at > d.status_at THEN d.escalated_at"
			"  ELSE d.status_at END <= $1)"
			" OR (d.status = 'dispatched' AND CASE WHEN d.escalated_at > d.dispatched_at THEN d.escalated_at"
			"  ELSE d.dispatched_at END <= $1 AND NOT EXISTS (SELECT 1 FROM order_assignments a"
			"  WHERE a.order_id = d.id AND a.status = 'accepted')))"
			" ORDER BY d.id LIMIT 200");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_int(st, 1, due);
		store_bind_int(st, 2, after);
		struct escalate_ctx rows[ESCALATE_BATCH];
		int n = 0, rc;
		while (n < ESCALATE_BATCH && (rc = store_step(st)) == STORE_ROW) {
			struct escalate_ctx *c = &rows[n++];
			c->r = r;
			c->order_id = store_col_int(st, 0);
			if (!order_status_parse(store_col_text(st, 1), &c->st))
				c->st = ORDER_SUBMITTED;
			c->to_org = store_col_int(st, 2);
			c->at = as_of;
		}
		store_done(st);
		for (int i = 0; i < n; i++) {
			after = rows[i].order_id;
			rc = store_tx(r->store, escalate_tx, &rows[i]);
			if (rc != STORE_OK) {
				/* passed over (and logged) so one order cannot stop the rest */
				log_warn("escalation: order %lld: %s", (long long)after, store_errmsg(r->store));
				memset(&r->err, 0, sizeof(r->err));
				continue;
			}
			(*count)++;
		}
		if (n < ESCALATE_BATCH)
			break;
	}
	return 0;
}

int dispatch_escalate_api(struct app_req *r, json_t *in, json_t **out)
{
	int64_t as_of = app_now(), after = app_config(r->app)->order_escalate_after;
	/* as_of may lie ahead: tests move the clock forward to see orders age */
	if (authz_check(r, AUTHZ_MAINTENANCE, NULL) != 0 || (in && in_time(r, in, "as_of", false, &as_of, NULL) != 0))
		return -1;
	int64_t n;
	if (orders_escalate_due(r, as_of, after, &n) != 0)
		return -1;
	*out = json_pack("{sI sI}", "escalated", (json_int_t)n, "after_minutes", (json_int_t)after);
	return 0;
}

/* ---- my orders ---- */

struct mine_ctx {
	struct app_req *r;
	int64_t ids[200], orgs[200];
	const char *paths[200];
	size_t n;
};

static int mine_audit_tx(struct store *s, void *vctx)
{
	struct mine_ctx *c = vctx;
	for (size_t i = 0; i < c->n; i++) {
		int rc = audit_write_text(c->r, s, "order.read_personal", "order", c->ids[i], c->orgs[i], c->paths[i],
					  "{\"via\":\"my_orders\"}");
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

int dispatch_mine(struct app_req *r, const char *status, const char *limit_s, const char *cursor_s, json_t **out)
{
	int limit;
	int64_t after, vid;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 || app_limit(r, limit_s, &limit) != 0 ||
	    app_cursor(r, cursor_s, &after) != 0)
		return -1;
	if (status && strcmp(status, "offered") != 0 && strcmp(status, "accepted") != 0 &&
	    strcmp(status, "declined") != 0 && strcmp(status, "withdrawn") != 0)
		return app_fail(r, APP_EBADREQ, "invalid_value", "status");
	if (volunteers_mine_id(r, &vid) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT a.id, a.order_id, a.status, a.assigned_at, a.answered_at, a.record_id, d.status, m.name,"
		" d.region_code, d.preferred_from, d.preferred_to, d.requester_name, d.phone, d.address, d.notes,"
		" d.org_id, g.path, g.name, d.started_at, m.duration_minutes"
		" FROM order_assignments a JOIN orders d ON d.id = a.order_id JOIN menu_items m ON m.id = d.menu_item_id"
		" JOIN orgs g ON g.id = d.org_id"
		" WHERE a.volunteer_id = $1 AND ($2 = 0 OR a.id < $2) AND ($3 = '' OR a.status = $3)"
		" ORDER BY a.id DESC LIMIT $4");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, vid);
	store_bind_int(st, 2, after);
	store_bind_text(st, 3, status ? status : "");
	store_bind_int(st, 4, limit + 1);
	struct mine_ctx c = { .r = r };
	json_t *items = json_array();
	int rc, n = 0;
	int64_t last = 0;
	bool more = false;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == limit) {
			more = true;
			break;
		}
		n++;
		last = store_col_int(st, 0);
		enum order_status os;
		if (!order_status_parse(store_col_text(st, 6), &os))
			os = ORDER_CLOSED;
		bool full = strcmp(store_col_text(st, 2), "accepted") == 0 && order_is_open_work(os);
		json_t *j = json_pack("{sI sI ss ss ss ss ss ss ss sI ss}",
			"id", (json_int_t)last, "order_id", (json_int_t)store_col_int(st, 1),
			"status", store_col_text(st, 2), "assigned_at", app_iso(r, store_col_int(st, 3)),
			"order_status", store_col_text(st, 6), "item_name", store_col_text(st, 7),
			"region_code", store_col_text(st, 8), "preferred_from", app_iso(r, store_col_int(st, 9)),
			"preferred_to", app_iso(r, store_col_int(st, 10)),
			"org_id", (json_int_t)store_col_int(st, 15), "org_name", store_col_text(st, 17));
		json_object_set_new(j, "answered_at",
				    store_col_null(st, 4) ? json_null() : json_string(app_iso(r, store_col_int(st, 4))));
		json_object_set_new(j, "record_id", col_id_json(st, 5));
		json_object_set_new(j, "started_at",
				    store_col_null(st, 18) ? json_null() : json_string(app_iso(r, store_col_int(st, 18))));
		json_object_set_new(j, "duration_minutes", col_id_json(st, 19));
		json_object_set_new(j, "personal_data", json_boolean(full));
		if (full) {
			json_object_set_new(j, "requester_name", json_string(store_col_text(st, 11)));
			json_object_set_new(j, "phone", json_string(store_col_text(st, 12)));
			json_object_set_new(j, "address", json_string(store_col_text(st, 13)));
			json_object_set_new(j, "notes", json_string(store_col_text(st, 14)));
			if (c.n < sizeof(c.ids) / sizeof(c.ids[0])) {
				c.ids[c.n] = store_col_int(st, 1);
				c.orgs[c.n] = store_col_int(st, 15);
				c.paths[c.n++] = arena_strdup(r->arena, store_col_text(st, 16));
			}
		} else {
			char masked[32];
			mask_phone(store_col_text(st, 12), masked, sizeof(masked));
			json_object_set_new(j, "requester_name", json_string(app_mask_name(r, store_col_text(st, 11))));
			json_object_set_new(j, "phone", json_string(masked));
			json_object_set_new(j, "address", json_null());
			json_object_set_new(j, "notes", json_null());
		}
		json_array_append_new(items, j);
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE) {
		json_decref(items);
		return app_store_fail(r, rc);
	}
	if (c.n && (rc = store_tx(r->store, mine_audit_tx, &c)) != STORE_OK) {
		json_decref(items);
		return app_store_fail(r, rc);
	}
	*out = json_pack("{so}", "items", items);
	char cur[32];
	cursor_encode(last, cur, sizeof(cur));
	json_object_set_new(*out, "next_cursor", more ? json_string(cur) : json_null());
	return 0;
}
