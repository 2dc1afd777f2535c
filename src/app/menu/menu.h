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

#endif
