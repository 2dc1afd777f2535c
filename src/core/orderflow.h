/* The life of a resident's order in the menu-style service (点菜 → 送菜 →
 * 评菜): its statuses and which change of status is allowed. Pure rules;
 * app/menu/orderbook.c applies them to the orders table. */
#ifndef ZY_CORE_ORDERFLOW_H
#define ZY_CORE_ORDERFLOW_H
#include <stdbool.h>

/* submitted → accepted (by a providing organisation) → dispatched →
 * in_service → delivered → rated / closed; or declined (with a reason,
 * then offered to another provider: submitted again), cancelled (by the
 * requester or staff). closed and cancelled are final. */
enum order_status {
	ORDER_SUBMITTED,
	ORDER_ACCEPTED,
	ORDER_DISPATCHED,
	ORDER_IN_SERVICE,
	ORDER_DELIVERED,
	ORDER_RATED,
	ORDER_CLOSED,
	ORDER_DECLINED,
	ORDER_CANCELLED,
	ORDER_STATUS_COUNT
};

/* The status's name as stored and shown in the API ("in_service"). */
const char *order_status_name(enum order_status s);
/* The status named name; false when there is none. */
bool order_status_parse(const char *name, enum order_status *out);
/* Whether an order in from may move to to. */
bool order_can_move(enum order_status from, enum order_status to);
/* Whether the order is finished (closed or cancelled): nothing changes it
 * any more. */
bool order_is_final(enum order_status s);
/* Whether the order's volunteers are still due to serve it: accepted,
 * dispatched or in service (the availability check counts these). */
bool order_is_open_work(enum order_status s);

#endif
