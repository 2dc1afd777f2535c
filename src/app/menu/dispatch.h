/* Sending volunteers to residents' orders (送菜): the use cases of
 * suggest.c, dispatch.c and escalate.c for http/ and main.c. Inputs and
 * outputs are shaped like the API (docs/openapi.json). dispatch.c is the
 * one writer of order_assignments; every change of an order's status goes
 * through orderbook.c's order_move, and delivery writes its activity and
 * records through the service domain (record_insert, activity_insert). */
#ifndef ZY_MENU_DISPATCH_H
#define ZY_MENU_DISPATCH_H
#include "app/kernel/kernel.h"

/* GET /orders/{id}/suggestions?limit=: volunteers ranked for the order
 * (core/suggest.h), each with its reasons, and their teams. */
int dispatch_suggestions(struct app_req *r, int64_t order_id, const char *limit, json_t **out);
/* GET /orders/{id}/assignments: the volunteers sent and where each stands. */
int dispatch_assignments(struct app_req *r, int64_t order_id, json_t **out);
/* POST /orders/{id}/assignments {"volunteer_ids":[…]}: offers the order to
 * each (the first offer moves it from accepted to dispatched). */
int dispatch_assign(struct app_req *r, int64_t order_id, json_t *in, json_t **out);
/* POST /assignments/{id}/accept: the volunteer takes the offer (of two
 * accepts racing, one wins; the other answers 409 assignment_changed). */
int dispatch_accept(struct app_req *r, int64_t assignment_id, json_t **out);
/* POST /assignments/{id}/decline {"reason"}: the volunteer says no. */
int dispatch_decline(struct app_req *r, int64_t assignment_id, json_t *in, json_t **out);
/* POST /assignments/{id}/withdraw: the dispatcher takes the offer back. */
int dispatch_withdraw(struct app_req *r, int64_t assignment_id, json_t **out);
/* POST /orders/{id}/start {"started_at"}: service begins (dispatched →
 * in_service), marked by the dispatcher or a volunteer who accepted. */
int dispatch_start(struct app_req *r, int64_t order_id, json_t *in, json_t **out);
/* POST /orders/{id}/deliver {"started_at","ended_at","notes"}: service
 * ends: one activity and one submitted record per accepted volunteer. */
int dispatch_deliver(struct app_req *r, int64_t order_id, json_t *in, json_t **out);
/* GET /me/orders?status=&limit=&cursor=: the caller's own assignments. */
int dispatch_mine(struct app_req *r, const char *status, const char *limit, const char *cursor, json_t **out);
/* POST /orders/escalate {"as_of"}: the escalation sweep (menu.h) for
 * admins of the root, with the clock tests set. */
int dispatch_escalate_api(struct app_req *r, json_t *in, json_t **out);

#endif
