/* Taking residents' orders (点菜), for http/: the public order page and
 * its tracking code, the hotline intake, the staff's lists and detail,
 * and a provider's accept, decline and cancel. Every change of status
 * goes through orderbook.c's order_move (menu.h). */
#ifndef ZY_MENU_ORDERS_H
#define ZY_MENU_ORDERS_H
#include "app/menu/menu.h"

/* POST /public/orders: no login; consent required; throttled per client
 * address (--order-free-per-address orders in 15 minutes, then waits of
 * 60 s doubling to an hour). 201 {"id","tracking_code","status"}; the code is shown once
 * and only its keyed digest is kept. */
int orders_public_create(struct app_req *r, json_t *in, json_t **out);
/* GET /public/orders/{code}: status, sub-item, window and history,
 * without the personal data. */
int orders_public_get(struct app_req *r, const char *code, json_t **out);
/* POST /public/orders/{code}/cancel: the requester withdraws the order
 * while no volunteer has begun. */
int orders_public_cancel(struct app_req *r, const char *code, json_t *in, json_t **out);

/* POST /orders: an operator takes an order by phone or at a counter
 * ("channel" hotline or walk_in). Same answer as the public page, with the
 * code to read out to the caller. */
int orders_create(struct app_req *r, json_t *in, json_t **out);

struct orders_query {
	const char *org_id, *status, *menu_item_id, *phone, *channel, *board;
	const char *limit, *cursor;
};
/* GET /orders: the caller's subtree (or ?org_id='s), newest first, the
 * personal data masked. board=new|overdue|escalated picks a column of
 * the dispatcher's board. */
int orders_list(struct app_req *r, const struct orders_query *q, json_t **out);
/* GET /orders/{id}: the order with its history; the personal data in full
 * for staff who may dispatch it and volunteers who accepted it while it
 * lives (each such read audited), masked for other readers. */
int orders_get(struct app_req *r, int64_t id, json_t **out);
/* GET /orders/{id}/events: the history alone. */
int orders_events(struct app_req *r, int64_t id, json_t **out);
/* POST /orders/{id}/accept, /decline {"reason"}, /cancel {"reason"}. */
int orders_accept(struct app_req *r, int64_t id, json_t *in, json_t **out);
int orders_decline(struct app_req *r, int64_t id, json_t *in, json_t **out);
int orders_cancel(struct app_req *r, int64_t id, json_t *in, json_t **out);
/* POST /orders/{id}/close {"note"}: staff who may dispatch the order close
 * it once delivered or rated; 409 order_case_open while a case about it
 * is open. From then on its personal data is masked for everyone. */
int orders_close(struct app_req *r, int64_t id, json_t *in, json_t **out);
/* POST /orders/closing {"as_of"}: the sweep of orders_close_due (menu.h)
 * at as_of (default now) with the server's --order-close-after; admins
 * of the root. {"closed","after_days"}. */
int orders_close_api(struct app_req *r, json_t *in, json_t **out);

#endif
