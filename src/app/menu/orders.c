/* Taking residents' orders (点菜): validation of an order, the choice of
 * the provider it goes to, the tracking code, and a provider's accept,
 * decline and cancel. orderbook.c writes; this file decides.
 *
 * Provider routing (docs/decisions.md): among the sub-item's providers
 * that are active and have not declined this order, the one whose region
 * holds the order's region most closely (same community, then town, then
 * county), then the one holding the fewest orders not yet sent out
 * (submitted or accepted), then the lowest id. With no provider left the
 * order goes one level up: to the parent of the organisation that
 * declined it, or to the root organisation for a new order whose
 * providers are all inactive (a sub-item with none is refused). */
#include "app/menu/orders.h"
#include "core/chinatime.h"
#include "core/validate.h"
#include "util/arena.h"
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CHARS 50
#define ADDRESS_MAX 200
#define NOTES_MAX 500
#define REASON_MAX 200
#define NOTE_MAX 500                  /* a closing note */
#define PHONE_MAX 20
#define WINDOW_MAX (31 * 86400)       /* a preferred window of at most a month */
#define AHEAD_MAX (120 * 86400)       /* starting at most four months ahead */

static int take_groups(struct app_req *r, json_t *in, char **text)
{
	json_t *list = NULL;
	if (in_tags(r, in, "vulnerable_groups", &list, text) != 0)
		return -1;
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		if (!menu_vulnerable_group_known(json_string_value(v))) {
			json_decref(list);
			return app_fail(r, APP_EINVALID, "invalid_value", "vulnerable_groups");
		}
	}
	json_decref(list);
	return 0;
}

/* Whether region12 lies in one of the regions (a JSON array of codes) a
 * sub-item is offered in; an empty list is everywhere. */
static bool region_served(const char *regions, const char *region12)
{
	json_t *list = json_loads(regions, 0, NULL);
	if (!json_is_array(list) || json_array_size(list) == 0) {
		json_decref(list);
		return true;
	}
	bool in = false;
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		char c12[13];
		if (!json_is_string(v) || region_normalize(json_string_value(v), c12) != 0)
			continue;
		size_t n = (size_t)region_prefix_len(region_level(c12));
		in = in || strncmp(c12, region12, n) == 0;
	}
	json_decref(list);
	return in;
}

/* Reads and checks an order's fields into o (both channels). */
static int read_order(struct app_req *r, json_t *in, bool staff, struct order_new *o)
{
	const char *region = NULL;
	bool consent = false, given = false;
	char *groups_text = NULL;
	if (in_id(r, in, "menu_item_id", true, &o->menu_item_id, NULL) != 0 ||
	    in_text(r, in, "requester_name", true, NAME_MAX_CHARS, &o->requester_name) != 0 ||
	    in_text(r, in, "phone", true, PHONE_MAX, &o->phone) != 0 ||
	    in_text(r, in, "address", true, ADDRESS_MAX, &o->address) != 0 ||
	    in_text(r, in, "region_code", true, 12, &region) != 0 ||
	    in_time(r, in, "preferred_from", true, &o->preferred_from, NULL) != 0 ||
	    in_time(r, in, "preferred_to", true, &o->preferred_to, NULL) != 0 ||
	    in_text(r, in, "notes", false, NOTES_MAX, &o->notes) != 0 ||
	    in_bool(r, in, "consent", &consent, &given) != 0)
		return -1;
	if (staff) {
		if (in_text(r, in, "channel", true, 16, &o->channel) != 0)
			return -1;
		if (strcmp(o->channel, "hotline") != 0 && strcmp(o->channel, "walk_in") != 0)
			return app_fail(r, APP_EINVALID, "invalid_value", "channel");
		bool named = false;
		if (in_id(r, in, "hotline_id", false, &o->hotline_id, &named) != 0)
			return -1;
		/* a counter takes no call: only a hotline order names its line */
		if (named && strcmp(o->channel, "hotline") != 0)
			return app_fail(r, APP_EINVALID, "hotline_needs_channel", "hotline_id");
	} else {
		if (in_has(in, "channel") && in_text(r, in, "channel", false, 16, &o->channel) != 0)
			return -1;
		if (o->channel && strcmp(o->channel, "web") != 0)
			return app_fail(r, APP_EINVALID, "invalid_value", "channel");
		o->channel = "web";
	}
	if (take_groups(r, in, &groups_text) != 0)
		return -1;
	o->vulnerable_groups = arena_strdup(r->arena, groups_text);
	free(groups_text);
	if (!valid_contact_phone(o->phone))
		return app_fail(r, APP_EINVALID, "invalid_phone", "phone");
	char code12[13];
	if (region_normalize(region, code12) != 0)
		return app_fail(r, APP_EINVALID, "invalid_region_code", "region_code");
	o->region_code = arena_strdup(r->arena, code12);
	if (!given || !consent)
		return app_fail(r, APP_EINVALID, "order_consent_required", "consent");
	int64_t now = app_now();
	if (o->preferred_to <= o->preferred_from)
		return app_fail(r, APP_EINVALID, "window_reversed", "preferred_to");
	if (o->preferred_to <= now)
		return app_fail(r, APP_EINVALID, "window_past", "preferred_to");
	if (o->preferred_to - o->preferred_from > WINDOW_MAX)
		return app_fail(r, APP_EINVALID, "window_too_long", "preferred_to");
	if (o->preferred_from > now + AHEAD_MAX)
		return app_fail(r, APP_EINVALID, "window_too_far", "preferred_from");
	o->at = now;
	return 0;
}

/* Whether the window [from, to) meets the sub-item's service time on at
 * least one China day: a weekday in its set (bit 0 Monday) whose daily
 * hours [day_from, day_to) minutes after China midnight overlap the
 * window. Windows are at most a month, so at most 33 days are looked at. */
static bool window_meets_hours(int64_t from, int64_t to, int weekdays, int day_from, int day_to)
{
	for (int64_t day = china_day_floor(from); day < to; day += 86400) {
		struct tm tm;
		china_tm(day, &tm);
		int bit = (tm.tm_wday + 6) % 7;
		if (!(weekdays & (1 << bit)))
			continue;
		int64_t open = day + (int64_t)day_from * 60, shut = day + (int64_t)day_to * 60;
		if (open < to && shut > from)
			return true;
	}
	return false;
}

/* The hotline an operator named must be active and take the sub-item,
 * its item or its category (menu_hotline_items names any of the three). */
static int check_hotline(struct app_req *r, const struct order_new *o, const struct menu_subitem *m)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT h.status, CASE WHEN EXISTS (SELECT 1 FROM menu_hotline_items hi WHERE hi.hotline_id = h.id"
		" AND (hi.item_id = $2 OR hi.item_id = $3"
		" OR hi.item_id = (SELECT parent_id FROM menu_items WHERE id = $3))) THEN 1 ELSE 0 END"
		" FROM menu_hotlines h WHERE h.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, o->hotline_id);
	store_bind_int(st, 2, m->id);
	store_bind_int(st, 3, m->parent_id);
	int rc = store_step(st);
	bool active = false, takes = false;
	if (rc == STORE_ROW) {
		active = strcmp(store_col_text(st, 0), "active") == 0;
		takes = store_col_int(st, 1) != 0;
	}
	store_done(st);
	if (rc == STORE_DONE)
		return app_fail(r, APP_EINVALID, "hotline_not_found", "hotline_id");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	if (!active)
		return app_fail(r, APP_EINVALID, "hotline_inactive", "hotline_id");
	if (!takes)
		return app_fail(r, APP_EINVALID, "hotline_not_taking", "hotline_id");
	return 0;
}

/* The sub-item must exist, be a sub-item (level 3), be active, be
 * offered in the order's region and at the order's time; the region must
 * be known; a hotline named must take it. */
static int check_item(struct app_req *r, const struct order_new *o)
{
	struct menu_subitem m;
	int rc = menu_subitem_read(r, r->store, o->menu_item_id, &m);
	if (rc == STORE_DONE)
		return app_fail(r, APP_EINVALID, "menu_item_not_found", "menu_item_id");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	if (m.level != 3)
		return app_fail(r, APP_EINVALID, "menu_item_not_orderable", "menu_item_id");
	/* retired itself or under a retired item */
	if (!m.active)
		return app_fail(r, APP_EINVALID, "menu_item_unavailable", "menu_item_id");
	/* the menu shows such a sub-item as not orderable yet (menutree.c) */
	if (m.nproviders == 0)
		return app_fail(r, APP_EINVALID, "menu_item_no_provider", "menu_item_id");
	struct store_stmt *st = store_prepare(r->store, "SELECT 1 FROM regions WHERE code = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, o->region_code);
	rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE)
		return app_fail(r, APP_EINVALID, "region_not_found", "region_code");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	if (!region_served(m.regions, o->region_code))
		return app_fail(r, APP_EINVALID, "region_not_served", "region_code");
	/* a window that only partly meets the hours is the provider's to
	 * fit; one wholly outside them cannot be served as asked */
	if (!window_meets_hours(o->preferred_from, o->preferred_to, m.weekdays, m.day_from, m.day_to))
		return app_fail(r, APP_EINVALID, "window_outside_hours", "preferred_from");
	if (o->hotline_id && check_hotline(r, o, &m) != 0)
		return -1;
	return 0;
}

static int orders_route(struct app_req *r, struct store *s, int64_t item_id, const char *region12,
		 int64_t order_id, int64_t *org_id)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT g.id FROM menu_item_providers p JOIN orgs g ON g.id = p.org_id"
		" WHERE p.item_id = $1 AND g.status = 'active'"
		" AND NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = $2"
		" AND e.to_status = 'declined' AND e.org_id = g.id)"
		" ORDER BY CASE WHEN g.region_code = $3 THEN 0"
		" WHEN substr(g.region_code, 1, 9) = substr($3, 1, 9) THEN 1"
		" WHEN substr(g.region_code, 1, 6) = substr($3, 1, 6) THEN 2 ELSE 3 END,"
		" (SELECT COUNT(*) FROM orders x WHERE x.org_id = g.id AND x.status IN ('submitted', 'accepted')),"
		" g.id LIMIT 1");
	(void)r;
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, item_id);
	store_bind_int(st, 2, order_id);
	store_bind_text(st, 3, region12);
	int rc = store_step(st);
	*org_id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

struct create_ctx {
	struct app_req *r;
	struct order_new o;
	bool allow_duplicate;
	char code[SECRET_CODE_LEN + 1];
	int64_t id;
	const char *org_path;
};

static int create_tx(struct store *s, void *vctx)
{
	struct create_ctx *c = vctx;
	struct app_req *r = c->r;
	/* the same phone's open order of the same sub-item: a double submit,
	 * or a caller ringing twice */
	struct store_stmt *st = store_prepare(s,
		"SELECT id FROM orders WHERE phone = $1 AND menu_item_id = $2"
		" AND status IN ('submitted', 'accepted', 'dispatched', 'in_service', 'declined') LIMIT 1");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->o.phone);
	store_bind_int(st, 2, c->o.menu_item_id);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_ROW && !c->allow_duplicate) {
		app_fail(r, APP_ECONFLICT, "duplicate_order", "menu_item_id");
		return STORE_ERROR;
	}
	if (rc != STORE_ROW && rc != STORE_DONE)
		return rc;
	rc = orders_route(r, s, c->o.menu_item_id, c->o.region_code, 0, &c->o.org_id);
	if (rc != STORE_OK)
		return rc;
	if (c->o.org_id == 0 && app_root_org(r, &c->o.org_id) != 0)
		return STORE_ERROR;
	struct org_ref g;
	rc = org_fetch(r, s, c->o.org_id, &g);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	c->org_path = g.path;
	/* 80 random bits: a collision is a one-in-2^40 event after a million
	 * orders; the unique index turns it into a retry, not a shared code */
	for (int tries = 0;; tries++) {
		char hash[SECRET_HASH_HEX];
		secret_code(c->code);
		secret_keyed_digest(c->code, hash);
		c->o.tracking_hash = arena_strdup(r->arena, hash);
		rc = order_insert(r, s, &c->o, &c->id);
		if (rc != STORE_CONSTRAINT || tries == 2)
			break;
	}
	if (rc != STORE_OK)
		return rc;
	json_t *detail = json_pack("{sI ss}", "menu_item_id", (json_int_t)c->o.menu_item_id,
				   "channel", c->o.channel);
	if (c->o.hotline_id)
		json_object_set_new(detail, "hotline_id", json_integer(c->o.hotline_id));
	rc = audit_write(r, s, "order.create", "order", c->id, c->o.org_id, c->org_path, detail);
	json_decref(detail);
	return rc;
}

static int create(struct app_req *r, struct create_ctx *c, json_t **out)
{
	int rc = store_tx(r->store, create_tx, c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	*out = json_pack("{sI ss ss sI}", "id", (json_int_t)c->id, "tracking_code", c->code,
			 "status", "submitted", "org_id", (json_int_t)c->o.org_id);
	return 0;
}

int orders_public_create(struct app_req *r, json_t *in, json_t **out)
{
	struct create_ctx c = { .r = r };
	c.o.actor_kind = "public";
	if (read_order(r, in, false, &c.o) != 0 || check_item(r, &c.o) != 0)
		return -1;
	/* counted once the order is well-formed: the wait protects the
	 * providers' queues, not the validator */
	const char *key = arena_printf(r->arena, "order:%s", r->client_addr ? r->client_addr : "-");
	int free_orders = app_config(r->app)->order_free_per_address;
	if (app_throttle_take(r, key, free_orders > 0 ? free_orders : 5, 60, 3600, "too_many_orders") != 0)
		return -1;
	return create(r, &c, out);
}

int orders_create(struct app_req *r, json_t *in, json_t **out)
{
	struct create_ctx c = { .r = r };
	if (authz_check(r, AUTHZ_ORDERS_DISPATCH, NULL) != 0)
		return -1;
	c.o.actor_kind = "staff";
	c.o.created_by = r->who->user_id;
	bool given = false;
	if (read_order(r, in, true, &c.o) != 0 || in_bool(r, in, "allow_duplicate", &c.allow_duplicate, &given) != 0 ||
	    check_item(r, &c.o) != 0)
		return -1;
	return create(r, &c, out);
}

/* ---- moves by staff and by the requester ---- */

struct move_ctx {
	struct app_req *r;
	struct order_move m;
	const char *org_path;
	int64_t org_id;
	const char *action;     /* audit action */
	bool decline;
	bool close;             /* refused while a case about the order is open */
	int64_t item_id;
	const char *region;
};

/* After a decline: the next provider, else one level up (none at the
 * root: the order stays declined for the root's staff to cancel). */
static int reoffer(struct move_ctx *c, struct store *s)
{
	int64_t next = 0;
	const char *why = "offered";
	int rc = orders_route(c->r, s, c->item_id, c->region, c->m.order_id, &next);
	if (rc != STORE_OK)
		return rc;
	if (next == 0) {
		struct store_stmt *st = store_prepare(s,
			"SELECT g.parent_id FROM orders o JOIN orgs g ON g.id = o.org_id WHERE o.id = $1");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, c->m.order_id);
		rc = store_step(st);
		if (rc == STORE_ROW && !store_col_null(st, 0))
			next = store_col_int(st, 0);
		store_done(st);
		if (rc != STORE_ROW)
			return rc == STORE_DONE ? STORE_ERROR : rc;
		why = "no_provider";
	}
	if (next == 0)
		return STORE_OK;
	struct order_move m = {
		.order_id = c->m.order_id, .from = ORDER_DECLINED, .to = ORDER_SUBMITTED, .org_id = next,
		.actor_kind = "system", .reason = why,
	};
	return order_move(c->r, s, &m);
}

/* Whether a case about the order is still open (ratings.c opens them on
 * a low rating or a complaint; staff close them with the outcome). */
static int case_open(struct store *s, int64_t order_id, bool *open)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT 1 FROM order_cases WHERE order_id = $1 AND status = 'open' LIMIT 1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, order_id);
	int rc = store_step(st);
	store_done(st);
	*open = rc == STORE_ROW;
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

static int move_tx(struct store *s, void *vctx)
{
	struct move_ctx *c = vctx;
	if (c->close) {
		/* the case's outcome may still need the order (an amendment of
		 * its records, a call back to the resident): close that first */
		bool open = false;
		int rc = case_open(s, c->m.order_id, &open);
		if (rc != STORE_OK)
			return rc;
		if (open) {
			app_fail(c->r, APP_ECONFLICT, "order_case_open", NULL);
			return STORE_ERROR;
		}
	}
	int rc = order_move(c->r, s, &c->m);
	if (rc == STORE_DONE) {
		app_fail(c->r, APP_ECONFLICT, "order_changed", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_OK)
		return rc;
	json_t *detail = json_pack("{ss ss ss?}", "from", order_status_name(c->m.from),
				   "to", order_status_name(c->m.to), "reason", c->m.reason);
	rc = audit_write(c->r, s, c->action, "order", c->m.order_id, c->org_id, c->org_path, detail);
	json_decref(detail);
	if (rc != STORE_OK || !c->decline)
		return rc;
	return reoffer(c, s);
}

/* Loads what a move needs: status, holder's path, sub-item and region. */
static int load_order(struct app_req *r, int64_t id, struct move_ctx *c)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT o.status, g.path, o.menu_item_id, o.region_code, o.org_id FROM orders o"
		" JOIN orgs g ON g.id = o.org_id WHERE o.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	bool known = false;
	if (rc == STORE_ROW) {
		known = order_status_parse(store_col_text(st, 0), &c->m.from);
		c->org_path = arena_strdup(r->arena, store_col_text(st, 1));
		c->item_id = store_col_int(st, 2);
		c->region = arena_strdup(r->arena, store_col_text(st, 3));
		c->org_id = store_col_int(st, 4);
	}
	store_done(st);
	if (rc == STORE_DONE || (rc == STORE_ROW && !known))
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	c->m.order_id = id;
	return 0;
}

/* A staff move of order id to `to`: 403 for a role that dispatches no
 * orders (asked before the order is looked up, so it tells nothing of
 * which orders exist), 404 outside the caller's subtree (the scope of
 * ORDERS_DISPATCH), 409 when the order's status does not allow it. */
static int staff_move(struct app_req *r, int64_t id, json_t *in, enum order_status to,
		      bool need_reason, const char *action, json_t **out)
{
	struct move_ctx c = { .r = r, .action = action, .decline = to == ORDER_DECLINED,
			      .close = to == ORDER_CLOSED };
	if (authz_check(r, AUTHZ_ORDERS_DISPATCH, NULL) != 0 || load_order(r, id, &c) != 0)
		return -1;
	if (!authz_in_scope(r->who, c.org_path))
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	/* closing takes an optional note (kept as the event's reason) */
	if (in && to == ORDER_CLOSED && in_text(r, in, "note", false, NOTE_MAX, &c.m.reason) != 0)
		return -1;
	if (in && to != ORDER_CLOSED && in_text(r, in, "reason", need_reason, REASON_MAX, &c.m.reason) != 0)
		return -1;
	if (!in && need_reason)
		return app_fail(r, APP_EINVALID, "required", "reason");
	/* only an order waiting for a provider is accepted (declined is a
	 * passing state: reoffer hands it on in the same transaction) */
	if (!order_can_move(c.m.from, to) || (to == ORDER_ACCEPTED && c.m.from != ORDER_SUBMITTED))
		return app_fail(r, APP_ECONFLICT, "order_status", NULL);
	c.m.to = to;
	c.m.actor_kind = "staff";
	c.m.actor_user_id = r->who->user_id;
	int rc = store_tx(r->store, move_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	if (orders_get(r, id, out) == 0)
		return 0;
	if (r->err.status != APP_ENOTFOUND)
		return -1;
	/* declined on to a provider outside the caller's subtree: the step
	 * succeeded, and the answer says where the order went, nothing more */
	r->err = (struct app_error){ 0 };
	struct store_stmt *st = store_prepare(r->store,
		"SELECT o.status, o.org_id, g.name FROM orders o JOIN orgs g ON g.id = o.org_id WHERE o.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	rc = store_step(st);
	if (rc == STORE_ROW)
		*out = json_pack("{sI ss sI ss sb}", "id", (json_int_t)id, "status", store_col_text(st, 0),
				 "org_id", (json_int_t)store_col_int(st, 1), "org_name", store_col_text(st, 2),
				 "handed_over", true);
	store_done(st);
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc == STORE_DONE ? STORE_ERROR : rc);
}

int orders_accept(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	(void)in;
	return staff_move(r, id, NULL, ORDER_ACCEPTED, false, "order.accept", out);
}

int orders_decline(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	return staff_move(r, id, in, ORDER_DECLINED, true, "order.decline", out);
}

int orders_cancel(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	return staff_move(r, id, in, ORDER_CANCELLED, true, "order.cancel", out);
}

int orders_close(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	return staff_move(r, id, in, ORDER_CLOSED, false, "order.close", out);
}

/* ---- closing delivered orders nobody rated ---- */

#define CLOSE_BATCH 200

struct autoclose_ctx {
	struct app_req *r;
	int64_t order_id, at;
};

static int autoclose_tx(struct store *s, void *vctx)
{
	struct autoclose_ctx *c = vctx;
	bool open = false;
	int rc = case_open(s, c->order_id, &open);
	if (rc != STORE_OK || open)
		return rc;
	struct order_move m = {
		.order_id = c->order_id, .from = ORDER_DELIVERED, .to = ORDER_CLOSED,
		.actor_kind = "system", .reason = "not_rated", .at = c->at,
	};
	rc = order_move(c->r, s, &m);
	return rc == STORE_DONE ? STORE_OK : rc;   /* rated meanwhile: it stays */
}

int orders_close_due(struct app_req *r, int64_t as_of, int64_t after_days, int64_t *count)
{
	*count = 0;
	int64_t due = as_of - after_days * 86400, after = 0;
	for (;;) {
		struct store_stmt *st = store_prepare(r->store,
			"SELECT o.id FROM orders o WHERE o.status = 'delivered' AND o.delivered_at <= $1"
			" AND o.id > $2 AND NOT EXISTS (SELECT 1 FROM order_cases c WHERE c.order_id = o.id"
			" AND c.status = 'open') ORDER BY o.id LIMIT 200");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_int(st, 1, due);
		store_bind_int(st, 2, after);
		int64_t ids[CLOSE_BATCH];
		int n = 0;
		while (n < CLOSE_BATCH && store_step(st) == STORE_ROW)
			ids[n++] = store_col_int(st, 0);
		store_done(st);
		for (int i = 0; i < n; i++) {
			struct autoclose_ctx c = { .r = r, .order_id = ids[i], .at = as_of };
			after = ids[i];
			int rc = store_tx(r->store, autoclose_tx, &c);
			if (rc != STORE_OK)
				return app_store_fail(r, rc);
			(*count)++;
		}
		if (n < CLOSE_BATCH)
			break;
	}
	return 0;
}

int orders_close_api(struct app_req *r, json_t *in, json_t **out)
{
	int64_t as_of = app_now(), days = app_config(r->app)->order_close_after;
	if (days <= 0)
		days = 14;
	/* as_of may lie ahead: tests move the clock forward to see orders age */
	if (authz_check(r, AUTHZ_MAINTENANCE, NULL) != 0 || (in && in_time(r, in, "as_of", false, &as_of, NULL) != 0))
		return -1;
	int64_t n;
	if (orders_close_due(r, as_of, days, &n) != 0)
		return -1;
	*out = json_pack("{sI sI}", "closed", (json_int_t)n, "after_days", (json_int_t)days);
	return 0;
}

int orders_public_cancel(struct app_req *r, const char *code, json_t *in, json_t **out)
{
	struct move_ctx c = { .r = r, .action = "order.cancel" };
	int64_t id;
	enum order_status st;
	if (order_by_tracking(r, code, &id, &st) != 0 || load_order(r, id, &c) != 0)
		return -1;
	if (in && in_text(r, in, "reason", false, REASON_MAX, &c.m.reason) != 0)
		return -1;
	if (!order_can_move(c.m.from, ORDER_CANCELLED))
		return app_fail(r, APP_ECONFLICT, "order_status", NULL);
	c.m.to = ORDER_CANCELLED;
	c.m.actor_kind = "public";
	int rc = store_tx(r->store, move_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return orders_public_get(r, code, out);
}
