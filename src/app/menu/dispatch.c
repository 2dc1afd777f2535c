/* The one writer of order_assignments (送菜): volunteers offered an order,
 * their answers, the start of service and delivery. An offer changes only
 * from the state its caller read (conditional updates), so of two hands
 * racing on one offer exactly one wins; the order's own status moves only
 * through orderbook.c's order_move, and delivery writes one activity and
 * one submitted record per volunteer who accepted through the service
 * domain, never approved here. */
#include "app/menu/dispatch.h"
#include "app/menu/dispatch_int.h"
#include "app/network/network.h"
#include "app/service/service.h"
#include "core/records.h"
#include "core/suggest.h"
#include "util/arena.h"
#include <stdio.h>
#include <string.h>

#define NOTES_MAX 500
#define REASON_MAX 200
/* Longest service one delivery records. */
#define SERVICE_MAX (24 * 3600)

int dispatch_order_load(struct app_req *r, struct store *s, int64_t id, int action, struct order_ref *o)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT d.id, d.status, d.org_id, g.path, d.menu_item_id, d.region_code, d.preferred_from,"
		" d.preferred_to, COALESCE(d.started_at, 0), m.name, m.skills, m.certificates,"
		" m.needs_social_worker, d.requester_name, COALESCE(d.activity_id, 0)"
		" FROM orders d JOIN orgs g ON g.id = d.org_id JOIN menu_items m ON m.id = d.menu_item_id"
		" WHERE d.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		return rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL) : app_store_fail(r, rc);
	}
	memset(o, 0, sizeof(*o));
	o->id = store_col_int(st, 0);
	if (!order_status_parse(store_col_text(st, 1), &o->status))
		o->status = ORDER_CLOSED;
	o->org_id = store_col_int(st, 2);
	o->org_path = arena_strdup(r->arena, store_col_text(st, 3));
	o->menu_item_id = store_col_int(st, 4);
	o->region = arena_strdup(r->arena, store_col_text(st, 5));
	o->preferred_from = store_col_int(st, 6);
	o->preferred_to = store_col_int(st, 7);
	o->started_at = store_col_int(st, 8);
	o->item_name = arena_strdup(r->arena, store_col_text(st, 9));
	o->skills = arena_strdup(r->arena, store_col_text(st, 10));
	o->certs = arena_strdup(r->arena, store_col_text(st, 11));
	o->needs_social_worker = store_col_int(st, 12) != 0;
	o->requester_name = arena_strdup(r->arena, store_col_text(st, 13));
	o->activity_id = store_col_int(st, 14);
	store_done(st);
	if (action >= 0 && authz_check(r, (enum authz_action)action, o->org_path) != 0)
		return -1;
	return 0;
}

/* ---- reading assignments ---- */

#define ASSIGNMENT_COLS \
	"a.id, a.order_id, a.volunteer_id, v.name, a.status, a.assigned_at, a.answered_at," \
	" a.decline_reason, a.record_id"

static json_t *assignment_json(struct app_req *r, struct store_stmt *st)
{
	json_t *j = json_pack("{sI sI sI ss ss ss}",
		"id", (json_int_t)store_col_int(st, 0), "order_id", (json_int_t)store_col_int(st, 1),
		"volunteer_id", (json_int_t)store_col_int(st, 2), "name", store_col_text(st, 3),
		"status", store_col_text(st, 4), "assigned_at", app_iso(r, store_col_int(st, 5)));
	json_object_set_new(j, "answered_at",
			    store_col_null(st, 6) ? json_null() : json_string(app_iso(r, store_col_int(st, 6))));
	json_object_set_new(j, "decline_reason",
			    store_col_null(st, 7) ? json_null() : json_string(store_col_text(st, 7)));
	json_object_set_new(j, "record_id", col_id_json(st, 8));
	return j;
}

static int assignments_of(struct app_req *r, struct store *s, int64_t order_id, json_t **out)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT " ASSIGNMENT_COLS " FROM order_assignments a JOIN volunteers v ON v.id = a.volunteer_id"
		" WHERE a.order_id = $1 ORDER BY a.id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, order_id);
	return app_items(r, st, assignment_json, out);
}

int dispatch_assignments(struct app_req *r, int64_t order_id, json_t **out)
{
	struct order_ref o;
	if (dispatch_order_load(r, r->store, order_id, AUTHZ_ORDERS_READ, &o) != 0)
		return -1;
	return assignments_of(r, r->store, order_id, out);
}

/* How many offers of the order are still live (offered or accepted), and
 * how many accepted, read on s. */
static int live_offers(struct store *s, int64_t order_id, int64_t *live, int64_t *accepted)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT count(*), COALESCE(sum(CASE WHEN status = 'accepted' THEN 1 ELSE 0 END), 0)"
		" FROM order_assignments WHERE order_id = $1 AND status IN ('offered', 'accepted')");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, order_id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*live = store_col_int(st, 0);
		*accepted = store_col_int(st, 1);
	}
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : rc == STORE_DONE ? STORE_ERROR : rc;
}

/* A move of the order on s; STORE_DONE (someone moved it first) becomes
 * 409 order_changed. */
static int move(struct app_req *r, struct store *s, const struct order_ref *o, enum order_status to,
		const char *actor, const char *reason, int64_t started, int64_t ended, int64_t activity)
{
	struct order_move m = {
		.order_id = o->id, .from = o->status, .to = to, .actor_kind = actor,
		.actor_user_id = r->who ? r->who->user_id : 0, .reason = reason,
		.started_at = started, .ended_at = ended, .activity_id = activity,
	};
	int rc = order_move(r, s, &m);
	if (rc == STORE_DONE) {
		app_fail(r, APP_ECONFLICT, "order_changed", NULL);
		return STORE_ERROR;
	}
	return rc;
}

/* ---- assigning ---- */

struct assign_ctx {
	struct app_req *r;
	int64_t order_id, ids[ASSIGN_MAX];
	size_t n;
	json_t *out;
};

/* Offers the order to volunteer id (again, after a decline or a
 * withdrawal). 422 when the person is unknown, inactive or outside the
 * subtree holding the order, 409 when already offered or accepted. */
static int offer_one(struct app_req *r, struct store *s, const struct order_ref *o, int64_t vid, int64_t now)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT v.status, g.path, (SELECT a.status FROM order_assignments a WHERE a.order_id = $2"
		" AND a.volunteer_id = v.id) FROM volunteers v JOIN orgs g ON g.id = v.home_org_id WHERE v.id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, vid);
	store_bind_int(st, 2, o->id);
	int rc = store_step(st);
	const char *fail = NULL;
	bool again = false;
	if (rc == STORE_ROW) {
		const char *path = store_col_text(st, 1);
		if (strcmp(store_col_text(st, 0), "active") != 0)
			fail = "volunteer_inactive";
		else if (strncmp(path, o->org_path, strlen(o->org_path)) != 0)
			fail = "volunteer_out_of_scope";
		else if (!store_col_null(st, 2)) {
			const char *was = store_col_text(st, 2);
			if (strcmp(was, "offered") == 0 || strcmp(was, "accepted") == 0)
				fail = "already_assigned";
			again = true;
		}
	} else if (rc == STORE_DONE) {
		fail = "volunteer_not_found";
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return rc;
	if (fail) {
		app_fail(r, strcmp(fail, "already_assigned") == 0 ? APP_ECONFLICT : APP_EINVALID, fail,
			 "volunteer_ids");
		return STORE_ERROR;
	}
	st = store_prepare(s, again
		? "UPDATE order_assignments SET status = 'offered', assigned_by = $3, assigned_at = $4,"
		  " answered_at = NULL, decline_reason = NULL WHERE order_id = $1 AND volunteer_id = $2"
		  " AND status IN ('declined', 'withdrawn') RETURNING id"
		: "INSERT INTO order_assignments (order_id, volunteer_id, status, assigned_by, assigned_at)"
		  " VALUES ($1, $2, 'offered', $3, $4) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, o->id);
	store_bind_int(st, 2, vid);
	store_bind_id(st, 3, r->who ? r->who->user_id : 0);
	store_bind_int(st, 4, now);
	rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE) {
		app_fail(r, APP_ECONFLICT, "already_assigned", "volunteer_ids");
		return STORE_ERROR;
	}
	return rc == STORE_ROW ? STORE_OK : rc;
}

static int assign_tx(struct store *s, void *vctx)
{
	struct assign_ctx *c = vctx;
	struct app_req *r = c->r;
	struct order_ref o;
	if (dispatch_order_load(r, s, c->order_id, AUTHZ_ORDERS_DISPATCH, &o) != 0)
		return STORE_ERROR;
	if (o.status != ORDER_ACCEPTED && o.status != ORDER_DISPATCHED) {
		app_fail(r, APP_ECONFLICT, "order_not_dispatchable", NULL);
		return STORE_ERROR;
	}
	/* at most ASSIGN_MAX people out on one order at once (offered or
	 * accepted), so that delivery writes every accepted person's record */
	struct store_stmt *st = store_prepare(s,
		"SELECT COUNT(*) FROM order_assignments WHERE order_id = $1 AND status IN ('offered', 'accepted')");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, o.id);
	int rc0 = store_step(st);
	int64_t live = rc0 == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc0 != STORE_ROW)
		return rc0 == STORE_DONE ? STORE_ERROR : rc0;
	if (live + (int64_t)c->n > ASSIGN_MAX) {
		app_fail(r, APP_EINVALID, "too_many", "volunteer_ids");
		return STORE_ERROR;
	}
	int64_t now = app_now();
	for (size_t i = 0; i < c->n; i++) {
		int rc = offer_one(r, s, &o, c->ids[i], now);
		if (rc != STORE_OK)
			return rc;
	}
	if (o.status == ORDER_ACCEPTED) {
		int rc = move(r, s, &o, ORDER_DISPATCHED, "staff", NULL, 0, 0, 0);
		if (rc != STORE_OK)
			return rc;
	}
	json_t *ids = json_array();
	for (size_t i = 0; i < c->n; i++)
		json_array_append_new(ids, json_integer(c->ids[i]));
	int rc = audit_write(r, s, "order.assign", "order", o.id, o.org_id, o.org_path,
			     json_pack("{so}", "volunteer_ids", ids));
	if (rc != STORE_OK)
		return rc;
	if (assignments_of(r, s, o.id, &c->out) != 0)
		return STORE_ERROR;
	return STORE_OK;
}

int dispatch_assign(struct app_req *r, int64_t order_id, json_t *in, json_t **out)
{
	struct assign_ctx c = { .r = r, .order_id = order_id };
	struct order_ref o;
	/* who may, before what they sent: a refusal says nothing of the input */
	if (dispatch_order_load(r, r->store, order_id, AUTHZ_ORDERS_DISPATCH, &o) != 0)
		return -1;
	json_t *list = json_object_get(in, "volunteer_ids");
	if (!list || json_is_null(list))
		return app_fail(r, APP_EINVALID, "required", "volunteer_ids");
	if (!json_is_array(list))
		return app_fail(r, APP_EBADREQ, "wrong_type", "volunteer_ids");
	if (json_array_size(list) == 0)
		return app_fail(r, APP_EINVALID, "required", "volunteer_ids");
	if (json_array_size(list) > ASSIGN_MAX)
		return app_fail(r, APP_EINVALID, "too_many", "volunteer_ids");
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			return app_fail(r, APP_EBADREQ, "wrong_type", "volunteer_ids");
		for (size_t k = 0; k < c.n; k++)
			if (c.ids[k] == json_integer_value(v))
				return app_fail(r, APP_EINVALID, "duplicate_entry", "volunteer_ids");
		c.ids[c.n++] = json_integer_value(v);
	}
	int rc = store_tx(r->store, assign_tx, &c);
	if (rc != STORE_OK) {
		json_decref(c.out);
		return r->err.code ? -1 : app_store_fail(r, rc);
	}
	*out = c.out;
	return 0;
}

/* ---- the volunteer's answer ---- */

struct answer_ctx {
	struct app_req *r;
	int64_t id, volunteer_id;   /* volunteer_id 0: the dispatcher withdraws */
	const char *to, *reason;
	json_t *out;
};

/* Whether volunteer vid already holds (accepted) another open order whose
 * window overlaps [from, to): the availability check at acceptance. */
static int holds_overlap(struct store *s, int64_t vid, int64_t order_id, int64_t from, int64_t to, bool *busy)
{
	*busy = false;
	struct store_stmt *st = store_prepare(s,
		"SELECT d.preferred_from, d.preferred_to FROM order_assignments a JOIN orders d ON d.id = a.order_id"
		" WHERE a.volunteer_id = $1 AND a.status = 'accepted' AND a.order_id <> $2"
		" AND d.status IN ('accepted', 'dispatched', 'in_service')");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, vid);
	store_bind_int(st, 2, order_id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		if (suggest_overlaps(from, to, store_col_int(st, 0), store_col_int(st, 1)))
			*busy = true;
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static int answer_tx(struct store *s, void *vctx)
{
	struct answer_ctx *c = vctx;
	struct app_req *r = c->r;
	struct store_stmt *st = store_prepare(s,
		"SELECT a.order_id, a.volunteer_id, a.status FROM order_assignments a WHERE a.id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	int rc = store_step(st);
	int64_t order_id = 0, vid = 0;
	const char *was = NULL;
	if (rc == STORE_ROW) {
		order_id = store_col_int(st, 0);
		vid = store_col_int(st, 1);
		was = arena_strdup(r->arena, store_col_text(st, 2));
	}
	store_done(st);
	if (rc == STORE_DONE || (rc == STORE_ROW && c->volunteer_id && vid != c->volunteer_id)) {
		/* someone else's offer is not there for this caller */
		app_fail(r, APP_ENOTFOUND, "not_found", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	struct order_ref o;
	if (dispatch_order_load(r, s, order_id, c->volunteer_id ? -1 : AUTHZ_ORDERS_DISPATCH, &o) != 0)
		return STORE_ERROR;
	bool accept = strcmp(c->to, "accepted") == 0;
	/* offered → accepted; offered or accepted → declined or withdrawn,
	 * while the order waits for its volunteers (not once service began) */
	bool from_ok = strcmp(was, "offered") == 0 || (!accept && strcmp(was, "accepted") == 0);
	if (!from_ok) {
		app_fail(r, APP_ECONFLICT, "assignment_changed", NULL);
		return STORE_ERROR;
	}
	if (o.status != ORDER_DISPATCHED) {
		app_fail(r, APP_ECONFLICT, "order_changed", NULL);
		return STORE_ERROR;
	}
	if (accept) {
		bool busy;
		rc = holds_overlap(s, vid, o.id, o.preferred_from, o.preferred_to, &busy);
		if (rc != STORE_OK)
			return rc;
		if (busy) {
			app_fail(r, APP_ECONFLICT, "assignment_overlap", NULL);
			return STORE_ERROR;
		}
	}
	st = store_prepare(s,
		"UPDATE order_assignments SET status = $3, answered_at = $4, decline_reason = $5"
		" WHERE id = $1 AND status = $2 RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_text(st, 2, was);
	store_bind_text(st, 3, c->to);
	store_bind_int(st, 4, app_now());
	store_bind_text(st, 5, c->reason);
	rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE) {
		/* another answer came first */
		app_fail(r, APP_ECONFLICT, "assignment_changed", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	if (!accept) {
		/* nobody left to go: the order waits for new volunteers */
		int64_t live = 0, accepted = 0;
		rc = live_offers(s, o.id, &live, &accepted);
		if (rc == STORE_OK && live == 0)
			rc = move(r, s, &o, ORDER_ACCEPTED, c->volunteer_id ? "volunteer" : "staff", "all_declined", 0, 0, 0);
		if (rc != STORE_OK)
			return rc;
	}
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"order_id\":%lld,\"volunteer_id\":%lld}", (long long)o.id, (long long)vid);
	rc = audit_write_text(r, s, accept ? "assignment.accept" : c->volunteer_id ? "assignment.decline" : "assignment.withdraw",
			      "assignment", c->id, o.org_id, o.org_path, detail);
	if (rc != STORE_OK)
		return rc;
	st = store_prepare(s, "SELECT " ASSIGNMENT_COLS " FROM order_assignments a"
			   " JOIN volunteers v ON v.id = a.volunteer_id WHERE a.id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	rc = store_step(st);
	if (rc == STORE_ROW)
		c->out = assignment_json(r, st);
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : STORE_ERROR;
}

/* 404 unless assignment id is volunteer vid's (read on r->store). */
static int offer_is_mine(struct app_req *r, int64_t id, int64_t vid)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT 1 FROM order_assignments WHERE id = $1 AND volunteer_id = $2");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, vid);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_ROW)
		return 0;
	return rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL) : app_store_fail(r, rc);
}

static int answer(struct app_req *r, struct answer_ctx *c, json_t **out)
{
	int rc = store_tx(r->store, answer_tx, c);
	if (rc != STORE_OK) {
		json_decref(c->out);
		return r->err.code ? -1 : app_store_fail(r, rc);
	}
	*out = c->out;
	return 0;
}

int dispatch_accept(struct app_req *r, int64_t id, json_t **out)
{
	struct answer_ctx c = { .r = r, .id = id, .to = "accepted" };
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 || volunteers_mine_id(r, &c.volunteer_id) != 0)
		return -1;
	return answer(r, &c, out);
}

int dispatch_decline(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	struct answer_ctx c = { .r = r, .id = id, .to = "declined" };
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 || volunteers_mine_id(r, &c.volunteer_id) != 0 ||
	    offer_is_mine(r, id, c.volunteer_id) != 0 ||
	    (in && in_text(r, in, "reason", false, REASON_MAX, &c.reason) != 0))
		return -1;
	return answer(r, &c, out);
}

int dispatch_withdraw(struct app_req *r, int64_t id, json_t **out)
{
	struct answer_ctx c = { .r = r, .id = id, .to = "withdrawn" };
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	return answer(r, &c, out);
}

/* ---- start and delivery ---- */

/* Whether the caller may mark the order's start or end: staff who may
 * dispatch it, or a volunteer who accepted it. 403 otherwise (404 when
 * the caller is a volunteer with nothing to do with it). */
static int may_serve(struct app_req *r, struct store *s, const struct order_ref *o, const char **actor)
{
	*actor = "staff";
	if (!authz_refusal(r->who, AUTHZ_ORDERS_DISPATCH, o->org_path))
		return 0;
	int64_t vid;
	if (volunteers_mine_id(r, &vid) != 0) {
		memset(&r->err, 0, sizeof(r->err));
		return authz_check(r, AUTHZ_ORDERS_DISPATCH, o->org_path);
	}
	struct store_stmt *st = store_prepare(s,
		"SELECT 1 FROM order_assignments WHERE order_id = $1 AND volunteer_id = $2 AND status = 'accepted'");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, o->id);
	store_bind_int(st, 2, vid);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_ROW) {
		*actor = "volunteer";
		return 0;
	}
	return rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL) : app_store_fail(r, rc);
}

/* may_serve on r->store before the input is read (the transaction asks
 * again). */
static int serve_precheck(struct app_req *r, int64_t order_id)
{
	struct order_ref o;
	const char *actor;
	if (dispatch_order_load(r, r->store, order_id, -1, &o) != 0)
		return -1;
	return may_serve(r, r->store, &o, &actor);
}

struct serve_ctx {
	struct app_req *r;
	int64_t order_id, started_at, ended_at;
	bool has_started;
	const char *notes;
	json_t *out;
};

/* A time given for the service: not in the future (a minute's leeway). */
static int past_time(struct app_req *r, json_t *in, const char *field, bool required, int64_t *t, bool *has)
{
	*has = false;
	if (in_time(r, in, field, required, t, has) != 0)
		return -1;
	if (*has && *t > app_now() + 60)
		return app_fail(r, APP_EINVALID, "in_the_future", field);
	return 0;
}

static int start_tx(struct store *s, void *vctx)
{
	struct serve_ctx *c = vctx;
	struct app_req *r = c->r;
	struct order_ref o;
	const char *actor;
	if (dispatch_order_load(r, s, c->order_id, -1, &o) != 0 || may_serve(r, s, &o, &actor) != 0)
		return STORE_ERROR;
	if (o.status != ORDER_DISPATCHED) {
		app_fail(r, APP_ECONFLICT, "order_not_startable", NULL);
		return STORE_ERROR;
	}
	int64_t live, accepted;
	int rc = live_offers(s, o.id, &live, &accepted);
	if (rc != STORE_OK)
		return rc;
	if (!accepted) {
		app_fail(r, APP_ECONFLICT, "no_accepted_volunteer", NULL);
		return STORE_ERROR;
	}
	/* offers nobody answered are taken back: the service goes without them */
	rc = app_exec_ints(s, "UPDATE order_assignments SET status = 'withdrawn', answered_at = $2"
			   " WHERE order_id = $1 AND status = 'offered'", o.id, app_now());
	if (rc == STORE_OK)
		rc = move(r, s, &o, ORDER_IN_SERVICE, actor, NULL, c->started_at, 0, 0);
	if (rc == STORE_OK)
		rc = audit_write_text(r, s, "order.start", "order", o.id, o.org_id, o.org_path, NULL);
	if (rc != STORE_OK)
		return rc;
	c->out = json_pack("{sI ss ss}", "id", (json_int_t)o.id, "status", "in_service",
			   "started_at", app_iso(r, c->started_at));
	return STORE_OK;
}

int dispatch_start(struct app_req *r, int64_t order_id, json_t *in, json_t **out)
{
	struct serve_ctx c = { .r = r, .order_id = order_id, .started_at = app_now() };
	bool has;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 || serve_precheck(r, order_id) != 0 ||
	    (in && past_time(r, in, "started_at", false, &c.started_at, &has) != 0))
		return -1;
	int rc = store_tx(r->store, start_tx, &c);
	if (rc != STORE_OK) {
		json_decref(c.out);
		return r->err.code ? -1 : app_store_fail(r, rc);
	}
	*out = c.out;
	return 0;
}

/* The region's name for the activity's place (the address is the
 * resident's private data and stays out of records); the code when the
 * region is unknown. */
static const char *place_of(struct app_req *r, struct store *s, const char *code)
{
	struct store_stmt *st = store_prepare(s, "SELECT name FROM regions WHERE code = $1");
	if (!st)
		return code;
	store_bind_text(st, 1, code);
	const char *name = code;
	if (store_step(st) == STORE_ROW)
		name = arena_strdup(r->arena, store_col_text(st, 0));
	store_done(st);
	return name;
}

static int deliver_tx(struct store *s, void *vctx)
{
	struct serve_ctx *c = vctx;
	struct app_req *r = c->r;
	struct order_ref o;
	const char *actor;
	if (dispatch_order_load(r, s, c->order_id, -1, &o) != 0 || may_serve(r, s, &o, &actor) != 0)
		return STORE_ERROR;
	if (o.status != ORDER_IN_SERVICE && o.status != ORDER_DISPATCHED) {
		app_fail(r, APP_ECONFLICT, "order_not_deliverable", NULL);
		return STORE_ERROR;
	}
	int64_t started = c->has_started ? c->started_at : o.started_at;
	if (!started) {
		app_fail(r, APP_EINVALID, "required", "started_at");
		return STORE_ERROR;
	}
	if (c->ended_at <= started) {
		app_fail(r, APP_EINVALID, "ends_before_start", "ended_at");
		return STORE_ERROR;
	}
	if (c->ended_at - started > SERVICE_MAX) {
		app_fail(r, APP_EINVALID, "service_too_long", "ended_at");
		return STORE_ERROR;
	}
	/* the accepted volunteers, each to get a record */
	struct store_stmt *st = store_prepare(s,
		"SELECT id, volunteer_id FROM order_assignments WHERE order_id = $1 AND status = 'accepted' ORDER BY id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, o.id);
	/* assign_tx keeps ASSIGN_MAX people out on an order, but two offers
	 * racing on PostgreSQL may pass it together: every accepted person
	 * gets a record, however many there are */
	size_t cap = ASSIGN_MAX, n = 0;
	int64_t (*rows)[2] = arena_alloc(r->arena, cap * sizeof(*rows));
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			int64_t (*more)[2] = arena_alloc(r->arena, 2 * cap * sizeof(*rows));
			memcpy(more, rows, cap * sizeof(*rows));
			rows = more;
			cap *= 2;
		}
		rows[n][0] = store_col_int(st, 0);
		rows[n][1] = store_col_int(st, 1);
		n++;
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return rc;
	if (!n) {
		app_fail(r, APP_ECONFLICT, "no_accepted_volunteer", NULL);
		return STORE_ERROR;
	}
	if (o.status == ORDER_DISPATCHED) {
		rc = move(r, s, &o, ORDER_IN_SERVICE, actor, NULL, started, 0, 0);
		if (rc != STORE_OK)
			return rc;
		o.status = ORDER_IN_SERVICE;
	}
	const char *place = place_of(r, s, o.region);
	const char *content = c->notes ? arena_printf(r->arena, "%s：%s", o.item_name, c->notes) : o.item_name;
	struct activity_new a = {
		.org_id = o.org_id, .name = o.item_name, .place = place, .content = content,
		.leader = r->who && r->who->display_name ? r->who->display_name : "", .region = o.region,
		.starts_at = started, .ends_at = c->ended_at, .created_by = r->who ? r->who->user_id : 0,
	};
	rc = activity_insert(s, &a);
	if (rc != STORE_OK)
		return rc;
	int64_t minutes = minutes_round((c->ended_at - started) / 60, app_config(r->app)->record_granularity);
	json_t *ids = json_array();
	c->out = json_pack("{sI ss sI so}", "id", (json_int_t)o.id, "status", "delivered",
			   "activity_id", (json_int_t)a.id, "record_ids", ids);
	for (size_t i = 0; i < n; i++) {
		struct record_new rec = {
			.activity_id = a.id, .volunteer_id = rows[i][1], .org_id = o.org_id,
			.starts_at = started, .ends_at = c->ended_at, .minutes = minutes, .place = place,
			.beneficiary = app_mask_name(r, o.requester_name), .beneficiary_count = 1, .has_count = true,
			.content = content, .quality = "pass", .source = "menu_order",
			.recorder_id = r->who ? r->who->user_id : 0, .rules = RECORD_REFUSE,
		};
		rc = record_insert(r, s, &rec);
		if (rc != STORE_OK)
			return rc;
		rc = app_exec_ints(s, "UPDATE order_assignments SET record_id = $2 WHERE id = $1", rows[i][0], rec.id);
		if (rc != STORE_OK)
			return rc;
		json_array_append_new(ids, json_integer(rec.id));
	}
	rc = move(r, s, &o, ORDER_DELIVERED, actor, NULL, started, c->ended_at, a.id);
	if (rc != STORE_OK)
		return rc;
	char detail[128];
	snprintf(detail, sizeof(detail), "{\"activity_id\":%lld,\"records\":%zu,\"minutes\":%lld}",
		 (long long)a.id, n, (long long)minutes);
	return audit_write_text(r, s, "order.deliver", "order", o.id, o.org_id, o.org_path, detail);
}

int dispatch_deliver(struct app_req *r, int64_t order_id, json_t *in, json_t **out)
{
	struct serve_ctx c = { .r = r, .order_id = order_id };
	bool has_end;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 || serve_precheck(r, order_id) != 0 || past_time(r, in, "started_at", false, &c.started_at, &c.has_started) != 0 ||
	    past_time(r, in, "ended_at", true, &c.ended_at, &has_end) != 0 ||
	    in_text(r, in, "notes", false, NOTES_MAX, &c.notes) != 0)
		return -1;
	int rc = store_tx(r->store, deliver_tx, &c);
	if (rc != STORE_OK) {
		json_decref(c.out);
		return r->err.code ? -1 : app_store_fail(r, rc);
	}
	*out = c.out;
	return 0;
}
