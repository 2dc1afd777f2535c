/* Reading residents' orders: the staff's lists (personal data masked),
 * the detail with its history (in full only for those who serve the
 * order, while it lives, each such read audited), and the public
 * tracking view (no personal data at all). Reads only; orderbook.c
 * writes. */
#include "app/menu/orders.h"
#include "app/network/network.h"
#include "core/cursor.h"
#include "core/validate.h"
#include "util/arena.h"
#include <ctype.h>
#include <string.h>

#define ORDER_COLS \
	"o.id, o.status, o.status_at, o.menu_item_id, m.name, o.org_id, g.name, g.path, o.region_code," \
	" o.requester_name, o.phone, o.address, o.notes, o.preferred_from, o.preferred_to, o.channel," \
	" o.vulnerable_groups, o.consent_at, o.escalated_at, o.accepted_at, o.dispatched_at, o.started_at," \
	" o.ended_at, o.delivered_at, o.activity_id, o.created_at, o.created_by, p.name, rg.name," \
	" o.hotline_id, h.name, h.number"
#define ORDER_FROM \
	" FROM orders o JOIN menu_items m ON m.id = o.menu_item_id JOIN orgs g ON g.id = o.org_id" \
	" LEFT JOIN menu_items p ON p.id = m.parent_id LEFT JOIN regions rg ON rg.code = o.region_code" \
	" LEFT JOIN menu_hotlines h ON h.id = o.hotline_id"

enum { C_ID, C_STATUS, C_STATUS_AT, C_ITEM, C_ITEM_NAME, C_ORG, C_ORG_NAME, C_ORG_PATH, C_REGION,
       C_NAME, C_PHONE, C_ADDRESS, C_NOTES, C_FROM, C_TO, C_CHANNEL, C_GROUPS, C_CONSENT,
       C_ESCALATED, C_ACCEPTED, C_DISPATCHED, C_STARTED, C_ENDED, C_DELIVERED, C_ACTIVITY,
       C_CREATED, C_CREATED_BY, C_PARENT_NAME, C_REGION_NAME, C_HOTLINE, C_HOTLINE_NAME,
       C_HOTLINE_NUMBER };

static json_t *time_or_null(struct app_req *r, struct store_stmt *st, int col)
{
	return store_col_null(st, col) ? json_null() : json_string(app_iso(r, store_col_int(st, col)));
}

/* An address cut to its first few characters (the street, not the door):
 * half of it, at most six code points, then "****". */
static const char *mask_address(struct app_req *r, const char *s)
{
	size_t chars = 0;
	for (const char *p = s; *p; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	size_t keep = chars / 2 < 6 ? chars / 2 : 6, seen = 0;
	const char *p = s;
	for (; *p; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && seen++ == keep)
			break;
	}
	return arena_printf(r->arena, "%.*s****", (int)(p - s), s);
}

static json_t *groups_json(struct store_stmt *st, int col)
{
	json_t *v = json_loads(store_col_text(st, col), 0, NULL);
	return json_is_array(v) ? v : (json_decref(v), json_array());
}

/* The order on st's row; full: the personal data as stored, else masked
 * (and no notes: they often hold a door code or a health detail). */
static json_t *order_json(struct app_req *r, struct store_stmt *st, bool full)
{
	char phone[32];
	mask_phone(store_col_text(st, C_PHONE), phone, sizeof(phone));
	const char *name = store_col_text(st, C_NAME), *addr = store_col_text(st, C_ADDRESS);
	json_t *o = json_pack("{sI ss ss sI ss ss? sI ss ss ss? ss ss ss so ss ss ss so so so so so so so so"
			 " so so ss so sb}",
		"id", (json_int_t)store_col_int(st, C_ID),
		"status", store_col_text(st, C_STATUS),
		"status_at", app_iso(r, store_col_int(st, C_STATUS_AT)),
		"menu_item_id", (json_int_t)store_col_int(st, C_ITEM),
		"menu_item_name", store_col_text(st, C_ITEM_NAME),
		"menu_item_parent_name", store_col_text(st, C_PARENT_NAME),
		"org_id", (json_int_t)store_col_int(st, C_ORG),
		"org_name", store_col_text(st, C_ORG_NAME),
		"region_code", store_col_text(st, C_REGION),
		"region_name", store_col_text(st, C_REGION_NAME),
		"requester_name", full ? name : app_mask_name(r, name),
		"phone", full ? store_col_text(st, C_PHONE) : arena_strdup(r->arena, phone),
		"address", full ? addr : mask_address(r, addr),
		"notes", full ? json_string(store_col_text(st, C_NOTES)) : json_null(),
		"preferred_from", app_iso(r, store_col_int(st, C_FROM)),
		"preferred_to", app_iso(r, store_col_int(st, C_TO)),
		"channel", store_col_text(st, C_CHANNEL),
		"vulnerable_groups", groups_json(st, C_GROUPS),
		"escalated_at", time_or_null(r, st, C_ESCALATED),
		"accepted_at", time_or_null(r, st, C_ACCEPTED),
		"dispatched_at", time_or_null(r, st, C_DISPATCHED),
		"started_at", time_or_null(r, st, C_STARTED),
		"ended_at", time_or_null(r, st, C_ENDED),
		"delivered_at", time_or_null(r, st, C_DELIVERED),
		"activity_id", col_id_json(st, C_ACTIVITY),
		"consent_at", time_or_null(r, st, C_CONSENT),
		"created_by", col_id_json(st, C_CREATED_BY),
		"created_at", app_iso(r, store_col_int(st, C_CREATED)),
		"personal", json_string(full ? "full" : "masked"),
		"overdue", false);
	/* the hotline that took the call (a public number, not personal) */
	bool line = !store_col_null(st, C_HOTLINE);
	json_object_set_new(o, "hotline_id", col_id_json(st, C_HOTLINE));
	json_object_set_new(o, "hotline_name", line ? json_string(store_col_text(st, C_HOTLINE_NAME)) : json_null());
	json_object_set_new(o, "hotline_number", line ? json_string(store_col_text(st, C_HOTLINE_NUMBER)) : json_null());
	return o;
}

static json_t *list_row(struct app_req *r, struct store_stmt *st)
{
	json_t *o = order_json(r, st, false);
	/* the window has begun and nobody has started serving */
	enum order_status s;
	bool waiting = order_status_parse(store_col_text(st, C_STATUS), &s) &&
		(s == ORDER_SUBMITTED || s == ORDER_ACCEPTED || s == ORDER_DISPATCHED || s == ORDER_DECLINED);
	json_object_set_new(o, "overdue", json_boolean(waiting && store_col_int(st, C_FROM) <= app_now()));
	return o;
}

int orders_list(struct app_req *r, const struct orders_query *q, json_t **out)
{
	int limit;
	int64_t after, item = 0;
	const char *scope;
	enum order_status s;
	if (authz_check(r, AUTHZ_ORDERS_READ, NULL) != 0 || app_scope(r, q->org_id, AUTHZ_ORDERS_READ, &scope) != 0 ||
	    app_limit(r, q->limit, &limit) != 0 || app_cursor(r, q->cursor, &after) != 0)
		return -1;
	if (q->status && !order_status_parse(q->status, &s))
		return app_fail(r, APP_EBADREQ, "invalid_value", "status");
	if (q->menu_item_id && parse_id(q->menu_item_id, &item) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_id", "menu_item_id");
	if (q->phone && !valid_contact_phone(q->phone))
		return app_fail(r, APP_EBADREQ, "invalid_phone", "phone");
	if (q->channel && strcmp(q->channel, "web") != 0 && strcmp(q->channel, "hotline") != 0 &&
	    strcmp(q->channel, "walk_in") != 0)
		return app_fail(r, APP_EBADREQ, "invalid_value", "channel");
	if (q->board && strcmp(q->board, "new") != 0 && strcmp(q->board, "overdue") != 0 &&
	    strcmp(q->board, "escalated") != 0)
		return app_fail(r, APP_EBADREQ, "invalid_value", "board");
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " ORDER_COLS ORDER_FROM " WHERE g.path LIKE $1"
		" AND (CAST($2 AS TEXT) = '' OR o.status = $2)"
		" AND (CAST($3 AS BIGINT) = 0 OR o.menu_item_id = $3)"
		" AND (CAST($4 AS TEXT) = '' OR o.phone = $4)"
		" AND (CAST($5 AS TEXT) = '' OR o.channel = $5)"
		" AND (CAST($6 AS TEXT) = ''"
		" OR ($6 = 'new' AND o.status = 'submitted')"
		" OR ($6 = 'overdue' AND o.status IN ('submitted', 'accepted', 'dispatched', 'declined')"
		" AND o.preferred_from <= $7)"
		" OR ($6 = 'escalated' AND o.escalated_at IS NOT NULL"
		" AND o.status IN ('submitted', 'accepted', 'dispatched', 'declined')))"
		" AND (CAST($8 AS BIGINT) = 0 OR o.id < $8)"
		" ORDER BY o.id DESC LIMIT $9");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", scope));
	store_bind_text(st, 2, q->status ? q->status : "");
	store_bind_int(st, 3, item);
	store_bind_text(st, 4, q->phone ? q->phone : "");
	store_bind_text(st, 5, q->channel ? q->channel : "");
	store_bind_text(st, 6, q->board ? q->board : "");
	store_bind_int(st, 7, app_now());
	store_bind_int(st, 8, after);
	store_bind_int(st, 9, limit + 1);
	return app_page(r, st, limit, list_row, out);
}

/* ---- history ---- */

static json_t *event_json(struct app_req *r, struct store_stmt *st)
{
	return json_pack("{sI ss so ss ss so ss? so ss? ss?}",
		"id", (json_int_t)store_col_int(st, 0),
		"at", app_iso(r, store_col_int(st, 1)),
		"from_status", store_col_null(st, 2) ? json_null() : json_string(store_col_text(st, 2)),
		"to_status", store_col_text(st, 3),
		"actor_kind", store_col_text(st, 4),
		"actor_user_id", col_id_json(st, 5),
		"actor_name", store_col_null(st, 5) ? NULL : store_col_text(st, 6),
		"org_id", col_id_json(st, 7),
		"org_name", store_col_null(st, 7) ? NULL : store_col_text(st, 8),
		"reason", store_col_null(st, 9) ? NULL : store_col_text(st, 9));
}

static int events_of(struct app_req *r, int64_t id, json_t **items)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT e.id, e.at, e.from_status, e.to_status, e.actor_kind, e.actor_user_id,"
		" COALESCE(NULLIF(u.display_name, ''), u.username), e.org_id, g.name, e.reason"
		" FROM order_events e LEFT JOIN users u ON u.id = e.actor_user_id"
		" LEFT JOIN orgs g ON g.id = e.org_id WHERE e.order_id = $1 ORDER BY e.id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	json_t *page = NULL;
	if (app_items(r, st, event_json, &page) != 0)
		return -1;
	*items = json_incref(json_object_get(page, "items"));
	json_decref(page);
	return 0;
}

/* ---- the detail ---- */

/* The caller's assignment to order id, as a volunteer: 0 none, 1 offered,
 * 2 accepted. */
static int assigned(struct app_req *r, int64_t id)
{
	int64_t vid;
	struct app_error saved = r->err;
	if (volunteers_mine_id(r, &vid) != 0) {
		r->err = saved;
		return 0;
	}
	struct store_stmt *st = store_prepare(r->store,
		"SELECT status FROM order_assignments WHERE order_id = $1 AND volunteer_id = $2"
		" AND status IN ('offered', 'accepted')");
	if (!st)
		return 0;
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, vid);
	int how = 0;
	if (store_step(st) == STORE_ROW)
		how = strcmp(store_col_text(st, 0), "accepted") == 0 ? 2 : 1;
	store_done(st);
	return how;
}

struct read_ctx {
	struct app_req *r;
	int64_t id, org_id;
	const char *org_path;
};

static int audit_read_tx(struct store *s, void *vctx)
{
	struct read_ctx *c = vctx;
	return audit_write(c->r, s, "order.read_personal", "order", c->id, c->org_id, c->org_path, NULL);
}

int orders_get(struct app_req *r, int64_t id, json_t **out)
{
	if (!r->who)
		return app_fail(r, APP_EUNAUTH, "unauthenticated", NULL);
	struct store_stmt *st = store_prepare(r->store,
		"SELECT o.org_id, g.path, o.status FROM orders o JOIN orgs g ON g.id = o.org_id WHERE o.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	struct read_ctx c = { .r = r, .id = id };
	enum order_status s = ORDER_CLOSED;
	if (rc == STORE_ROW) {
		c.org_id = store_col_int(st, 0);
		c.org_path = arena_strdup(r->arena, store_col_text(st, 1));
		order_status_parse(store_col_text(st, 2), &s);
	}
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL) : app_store_fail(r, rc);
	bool reader = authz_refusal(r->who, AUTHZ_ORDERS_READ, c.org_path) == NULL;
	bool dispatcher = authz_refusal(r->who, AUTHZ_ORDERS_DISPATCH, c.org_path) == NULL;
	int volunteer = reader ? 0 : assigned(r, id);
	if (!reader && !volunteer)
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	/* the life of the order: until it is rated, closed or cancelled; a
	 * volunteer offered it decides on the masked order and sees who and
	 * where once they accepted (as "my orders" shows it) */
	bool lives = !order_is_final(s) && s != ORDER_RATED;
	bool full = lives && (dispatcher || volunteer == 2);
	st = store_prepare(r->store, "SELECT " ORDER_COLS ORDER_FROM " WHERE o.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		return app_store_fail(r, rc == STORE_DONE ? STORE_ERROR : rc);
	}
	json_t *o = list_row(r, st);
	if (full) {
		json_t *f = order_json(r, st, true);
		json_object_set(f, "overdue", json_object_get(o, "overdue"));
		json_decref(o);
		o = f;
	}
	store_done(st);
	json_t *events = NULL;
	if (events_of(r, id, &events) != 0) {
		json_decref(o);
		return -1;
	}
	json_object_set_new(o, "events", events);
	json_object_set_new(o, "can_dispatch", json_boolean(dispatcher));
	if (full) {
		rc = store_tx(r->store, audit_read_tx, &c);
		if (rc != STORE_OK) {
			json_decref(o);
			return app_store_fail(r, rc);
		}
	}
	*out = o;
	return 0;
}

int orders_events(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st = NULL;
	if (app_load_row(r, "SELECT g.path FROM orders o JOIN orgs g ON g.id = o.org_id WHERE o.id = $1", id,
			 AUTHZ_ORDERS_READ, 0, &st) != 0)
		return -1;
	store_done(st);
	json_t *items = NULL;
	if (events_of(r, id, &items) != 0)
		return -1;
	*out = json_pack("{so}", "items", items);
	return 0;
}

/* ---- the tracking code ---- */

int order_by_tracking(struct app_req *r, const char *code, int64_t *id, enum order_status *status)
{
	char up[SECRET_CODE_LEN + 1], hash[SECRET_HASH_HEX];
	size_t n = code ? strlen(code) : 0;
	if (n != SECRET_CODE_LEN)
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)code[i]))
			return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
		/* Crockford's base32 reads the look-alikes a resident may type
		 * for 0 and 1 as those digits */
		char ch = (char)toupper((unsigned char)code[i]);
		up[i] = ch == 'O' ? '0' : ch == 'I' || ch == 'L' ? '1' : ch;
	}
	up[n] = '\0';
	secret_keyed_digest(up, hash);
	struct store_stmt *st = store_prepare(r->store, "SELECT id, status FROM orders WHERE tracking_hash = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, hash);
	int rc = store_step(st);
	bool known = false;
	if (rc == STORE_ROW) {
		*id = store_col_int(st, 0);
		known = order_status_parse(store_col_text(st, 1), status);
	}
	store_done(st);
	if (rc == STORE_DONE || (rc == STORE_ROW && !known))
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc);
}

/* ---- the public tracking view ---- */

static json_t *public_event(struct app_req *r, struct store_stmt *st)
{
	/* the system's reasons ("offered", "no_provider", "escalated") say
	 * why the order moved; staff's and requesters' words stay inside */
	bool sys = strcmp(store_col_text(st, 3), "system") == 0;
	return json_pack("{ss so ss ss?}",
		"at", app_iso(r, store_col_int(st, 0)),
		"from_status", store_col_null(st, 1) ? json_null() : json_string(store_col_text(st, 1)),
		"to_status", store_col_text(st, 2),
		"reason", sys && !store_col_null(st, 4) ? store_col_text(st, 4) : NULL);
}

int orders_public_get(struct app_req *r, const char *code, json_t **out)
{
	int64_t id;
	enum order_status s;
	if (order_by_tracking(r, code, &id, &s) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT o.id, o.status, o.status_at, o.menu_item_id, m.name, p.name, g.name, o.preferred_from,"
		" o.preferred_to, o.channel, o.created_at, o.delivered_at"
		" FROM orders o JOIN menu_items m ON m.id = o.menu_item_id JOIN orgs g ON g.id = o.org_id"
		" LEFT JOIN menu_items p ON p.id = m.parent_id WHERE o.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		return app_store_fail(r, rc == STORE_DONE ? STORE_ERROR : rc);
	}
	json_t *o = json_pack("{sI ss ss sI ss ss? ss ss ss ss ss so sb}",
		"id", (json_int_t)store_col_int(st, 0),
		"status", store_col_text(st, 1),
		"status_at", app_iso(r, store_col_int(st, 2)),
		"menu_item_id", (json_int_t)store_col_int(st, 3),
		"menu_item_name", store_col_text(st, 4),
		"menu_item_parent_name", store_col_text(st, 5),
		"org_name", store_col_text(st, 6),
		"preferred_from", app_iso(r, store_col_int(st, 7)),
		"preferred_to", app_iso(r, store_col_int(st, 8)),
		"channel", store_col_text(st, 9),
		"created_at", app_iso(r, store_col_int(st, 10)),
		"delivered_at", time_or_null(r, st, 11),
		"can_cancel", order_can_move(s, ORDER_CANCELLED));
	store_done(st);
	st = store_prepare(r->store,
		"SELECT at, from_status, to_status, actor_kind, reason FROM order_events WHERE order_id = $1 ORDER BY id");
	if (!st) {
		json_decref(o);
		return app_store_fail(r, STORE_ERROR);
	}
	store_bind_int(st, 1, id);
	json_t *page = NULL;
	if (app_items(r, st, public_event, &page) != 0) {
		json_decref(o);
		return -1;
	}
	json_object_set(o, "events", json_object_get(page, "items"));
	json_decref(page);
	*out = o;
	return 0;
}
