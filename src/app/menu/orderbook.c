/* The one writer of orders and order_events (see menu.h): every change of
 * an order is a conditional update on the status the caller read, so two
 * hands racing on one order cannot both win, and each change leaves an
 * event with its time and actor. */
#include "app/menu/menu.h"
#include <assert.h>
#include <string.h>

static int event_add(struct store *s, int64_t order_id, int64_t at, const char *from, const char *to,
		     const char *actor_kind, int64_t actor_user_id, int64_t org_id, const char *reason)
{
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO order_events (order_id, at, from_status, to_status, actor_kind, actor_user_id,"
		" org_id, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, order_id);
	store_bind_int(st, 2, at);
	store_bind_text(st, 3, from);
	store_bind_text(st, 4, to);
	store_bind_text(st, 5, actor_kind);
	store_bind_id(st, 6, actor_user_id);
	store_bind_id(st, 7, org_id);
	store_bind_text(st, 8, reason);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int order_move(struct app_req *r, struct store *s, const struct order_move *m)
{
	(void)r;
	assert(m->order_id > 0 && m->actor_kind && order_can_move(m->from, m->to));
	int64_t at = m->at ? m->at : app_now();
	struct store_stmt *st = store_prepare(s,
		"UPDATE orders SET status = $3, status_at = $4, org_id = COALESCE($5, org_id),"
		" accepted_at = COALESCE($6, accepted_at), dispatched_at = COALESCE($7, dispatched_at),"
		" delivered_at = COALESCE($8, delivered_at), started_at = COALESCE($9, started_at),"
		" ended_at = COALESCE($10, ended_at), activity_id = COALESCE($11, activity_id)"
		" WHERE id = $1 AND status = $2 RETURNING org_id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, m->order_id);
	store_bind_text(st, 2, order_status_name(m->from));
	store_bind_text(st, 3, order_status_name(m->to));
	store_bind_int(st, 4, at);
	store_bind_id(st, 5, m->org_id);
	store_bind_id(st, 6, m->to == ORDER_ACCEPTED ? at : 0);
	store_bind_id(st, 7, m->to == ORDER_DISPATCHED ? at : 0);
	store_bind_id(st, 8, m->to == ORDER_DELIVERED ? at : 0);
	store_bind_id(st, 9, m->started_at);
	store_bind_id(st, 10, m->ended_at);
	store_bind_id(st, 11, m->activity_id);
	int rc = store_step(st);
	int64_t org_id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	return event_add(s, m->order_id, at, order_status_name(m->from), order_status_name(m->to),
			 m->actor_kind, m->actor_user_id, org_id, m->reason);
}

int order_escalate(struct app_req *r, struct store *s, int64_t order_id, enum order_status st_now,
		   int64_t to_org_id)
{
	return order_escalate_at(r, s, order_id, st_now, to_org_id, 0);
}

int order_escalate_at(struct app_req *r, struct store *s, int64_t order_id, enum order_status st_now,
		      int64_t to_org_id, int64_t at)
{
	(void)r;
	assert(order_id > 0 && to_org_id > 0 && !order_is_final(st_now));
	if (!at)
		at = app_now();
	const char *name = order_status_name(st_now);
	struct store_stmt *st = store_prepare(s,
		"UPDATE orders SET org_id = $3, escalated_at = $4 WHERE id = $1 AND status = $2 RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, order_id);
	store_bind_text(st, 2, name);
	store_bind_int(st, 3, to_org_id);
	store_bind_int(st, 4, at);
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	return event_add(s, order_id, at, name, name, "system", 0, to_org_id, "escalated");
}

int order_insert(struct app_req *r, struct store *s, const struct order_new *o, int64_t *id)
{
	(void)r;
	assert(o->menu_item_id > 0 && o->org_id > 0 && o->tracking_hash && o->actor_kind);
	int64_t at = o->at ? o->at : app_now();
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO orders (menu_item_id, org_id, region_code, requester_name, phone, address,"
		" preferred_from, preferred_to, channel, notes, vulnerable_groups, consent_at, tracking_hash,"
		" status, status_at, created_by, created_at, hotline_id)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'submitted', $12, $14, $12, $15)"
		" RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, o->menu_item_id);
	store_bind_int(st, 2, o->org_id);
	store_bind_text(st, 3, o->region_code);
	store_bind_text(st, 4, o->requester_name);
	store_bind_text(st, 5, o->phone);
	store_bind_text(st, 6, o->address);
	store_bind_int(st, 7, o->preferred_from);
	store_bind_int(st, 8, o->preferred_to);
	store_bind_text(st, 9, o->channel);
	store_bind_text(st, 10, o->notes ? o->notes : "");
	store_bind_text(st, 11, o->vulnerable_groups ? o->vulnerable_groups : "[]");
	store_bind_int(st, 12, at);
	store_bind_text(st, 13, o->tracking_hash);
	store_bind_id(st, 14, o->created_by);
	store_bind_id(st, 15, o->hotline_id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*id = store_col_int(st, 0);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	return event_add(s, *id, at, NULL, order_status_name(ORDER_SUBMITTED), o->actor_kind, o->created_by,
			 o->org_id, NULL);
}
