/* The menu domain's public header: menu-style service (备菜·点菜·送菜·评菜).
 * The district publishes a service menu (category → item → sub-item)
 * and hotlines; residents order a sub-item (public page or hotline
 * intake), a providing organisation accepts it, a dispatcher sends
 * volunteers, delivery writes service records through the service
 * domain, and the resident rates what was delivered.
 *
 * The domain sits above projects and service (it reads shifts for
 * availability and writes records through record_insert); only setup/,
 * http/ and main.c use it. Each table has one writer in this room:
 *   catalog.c   menu_items, menu_item_providers, menu_hotlines,
 *               menu_hotline_items
 *   orderbook.c orders, order_events (every status change goes through
 *               order_move)
 *   dispatch.c  order_assignments
 *   ratings.c   order_ratings, order_cases */
#ifndef ZY_MENU_H
#define ZY_MENU_H
#include "app/kernel/kernel.h"
#include "core/orderflow.h"
#include "store/store.h"

/* ---- catalog.c: the menu (menu_items, providers, hotlines; catalog.c
 * writes them, menutree.c and menuload.c read and load) ---- */

/* The vulnerable groups a sub-item may serve and an order may flag
 * (menu_items.vulnerable_groups, orders.vulnerable_groups). */
extern const char *const menu_vulnerable_groups[];
/* Whether name is one of menu_vulnerable_groups. */
bool menu_vulnerable_group_known(const char *name);

/* What orders and dispatch need to know of a menu item, read on s. The
 * JSON texts are arrays of strings as stored ("[]" when empty; regions:
 * empty means everywhere). Strings and arrays are in r->arena. */
struct menu_subitem {
	int64_t id, parent_id;
	int level;                 /* 3 for a sub-item, the only level orders may name */
	bool active;               /* it and every item above it are active */
	const char *status;        /* its own: "active" or "retired" */
	const char *name, *item_name, *category_name;
	const char *skills, *certificates, *regions, *vulnerable_groups;
	int64_t duration_minutes;  /* 0: not set */
	int weekdays;              /* bit 0 Monday … bit 6 Sunday */
	int day_from, day_to;      /* minutes after China midnight, from < to */
	bool needs_social_worker;
	size_t nproviders;         /* the organisations that may provide it, by id */
	int64_t *provider_ids;
	const char **provider_paths;   /* their org paths ("/1/7/"): each with its subtree */
};
/* Reads menu item id on s (inside the caller's transaction or on
 * r->store). Returns STORE_ROW with *out filled, STORE_DONE when there is
 * no such item, or an error rc. */
int menu_subitem_read(struct app_req *r, struct store *s, int64_t id, struct menu_subitem *out);

/* Loads a menu file (JSON, see data/menu/README.md) as r->who (admins of
 * the root; the command line's principal): every entry is checked by the
 * API's rules first (422 with r->err.detail naming the entry), then the
 * menu is written in one transaction. Items are matched by name under
 * their parent and hotlines by number; an entry already as the file says
 * is left alone, so a second load changes nothing. Providers and hotline
 * organisations are named ("$root": the root organisation); names with
 * no active organisation are listed in the report's orgs_missing and
 * left out (a hotline then belongs to the root). *out: the counts. */
int menu_load(struct app_req *r, const char *text, size_t len, json_t **out);
/* The same with the example menu shipped in data/menu/wenjiang-menu.json
 * (compiled in): zhiyuan demo loads it. */
int menu_load_example(struct app_req *r, json_t **out);

/* ---- orderbook.c: the one writer of orders and order_events ---- */

/* One change of an order's status, kept as an order_events row. */
struct order_move {
	int64_t order_id;
	enum order_status from;   /* the status the caller read */
	enum order_status to;     /* order_can_move(from, to) must hold */
	int64_t org_id;           /* 0: unchanged; else the organisation now holding it */
	const char *actor_kind;   /* "staff", "public", "volunteer" or "system" */
	int64_t actor_user_id;    /* 0: none (public, system) */
	const char *reason;       /* NULL: none */
	int64_t started_at, ended_at, activity_id;   /* 0: unchanged (delivery sets them) */
	int64_t at;               /* 0: now */
};
/* Moves the order inside the caller's transaction s, only if it is still
 * in m->from: sets the status, its time, the time of the step reached
 * (accepted_at, dispatched_at, delivered_at), the fields given, and
 * appends the event. Returns STORE_OK, STORE_DONE when the order was no
 * longer in m->from (someone moved it first: the caller answers 409
 * order_changed), or an error rc. */
int order_move(struct app_req *r, struct store *s, const struct order_move *m);

/* Hands the order in status st to the organisation one level up
 * (to_org_id) because nobody took it in time: sets escalated_at and
 * org_id and appends an event (status unchanged, reason "escalated",
 * actor "system"). Inside the caller's transaction s; STORE_DONE when the
 * order is no longer in st. */
int order_escalate(struct app_req *r, struct store *s, int64_t order_id, enum order_status st,
		   int64_t to_org_id);
/* The same at the time at (0: now): the escalation sweep's clock, which
 * the maintenance route lets tests set (dispatch.c). */
int order_escalate_at(struct app_req *r, struct store *s, int64_t order_id, enum order_status st,
		      int64_t to_org_id, int64_t at);

/* ---- escalate.c: orders nobody took in time (dispatch) ---- */

/* Hands every order nobody took within after_minutes of as_of to the
 * organisation one level up (submitted: no provider accepted it;
 * dispatched: no volunteer accepted), each in its own transaction, and
 * counts them in *count. The upkeep tick runs it with now and the
 * server's --order-escalate-after; an order already escalated waits as
 * long again at its new level. Returns 0 or -1 with r->err set. */
int orders_escalate_due(struct app_req *r, int64_t as_of, int64_t after_minutes, int64_t *count);

/* A new order, as orders.c validated it; strings are the caller's. */
struct order_new {
	int64_t menu_item_id;
	int64_t org_id;               /* the provider it is offered to first (orders.c routes it) */
	const char *region_code;      /* 12 digits */
	const char *requester_name, *phone, *address, *notes;
	int64_t preferred_from, preferred_to;
	const char *channel;          /* "web", "hotline" or "walk_in" */
	const char *vulnerable_groups;   /* JSON array text */
	const char *tracking_hash;    /* keyed digest of the tracking code */
	int64_t hotline_id;           /* 0: none; the hotline that took the call */
	int64_t created_by;           /* 0: the public page */
	const char *actor_kind;       /* "public" or "staff" */
	int64_t at;                   /* consent and creation time */
};
/* Inserts the order in status submitted with its first event, inside the
 * caller's transaction s; *id gets its id. Returns STORE_OK,
 * STORE_CONSTRAINT when the tracking digest is taken, or an error rc. */
int order_insert(struct app_req *r, struct store *s, const struct order_new *o, int64_t *id);

/* ---- orders.c, orderview.c: taking and reading orders (orders.h for http/) ---- */

/* The order a resident's tracking code names (case-insensitive; O is
 * read as 0, I and L as 1), on r->store: 0 with *id and *status, or -1
 * with 404 not_found. */
int order_by_tracking(struct app_req *r, const char *code, int64_t *id, enum order_status *status);
/* Closes every order delivered at least after_days before as_of that the
 * resident never rated and that has no open case (actor "system", reason
 * "not_rated", at as_of), each in its own transaction; *count: how many.
 * The upkeep tick runs it with now and the server's --order-close-after.
 * Returns 0 or -1 with r->err set. */
int orders_close_due(struct app_req *r, int64_t as_of, int64_t after_days, int64_t *count);

#endif
