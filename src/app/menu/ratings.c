/* Ratings and cases (评菜): the one writer of order_ratings and
 * order_cases. A requester rates a delivered order once, through the
 * tracking code or on the phone to an operator; the rating moves the
 * order to rated (through orderbook.c's order_move), 1–2 stars or a
 * complaint open a case, and staff close a case with its outcome, which
 * may name an amendment made through the service domain's amendment flow.
 * The approval page asks ratings_quality for the quality the ratings
 * suggest: the service domain never calls up into the menu. */
#include "app/menu/ratings.h"
#include "app/menu/menu.h"
#include "core/cursor.h"
#include "core/rating.h"
#include "util/arena.h"
#include <stdio.h>
#include <string.h>

#define COMMENT_MAX 500
#define DETAILS_MAX 1000
#define OUTCOME_MAX 1000
#define QUALITY_IDS_MAX 200

/* ---- opening a case (inside the caller's transaction) ---- */

static int case_open(struct app_req *r, struct store *s, int64_t order_id, const char *kind,
		     const char *details, int64_t *id)
{
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO order_cases (order_id, kind, status, details, opened_at, opened_by)"
		" VALUES ($1, $2, 'open', $3, $4, $5) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, order_id);
	store_bind_text(st, 2, kind);
	store_bind_text(st, 3, details ? details : "");
	store_bind_int(st, 4, app_now());
	store_bind_id(st, 5, r->who ? r->who->user_id : 0);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*id = store_col_int(st, 0);
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

/* ---- rating ---- */

struct rate_ctx {
	struct app_req *r;
	int64_t order_id, stars;
	const char *comment, *channel, *actor_kind;
	bool complaint;
	int64_t id, case_id;
};

static int rate_tx(struct store *s, void *vctx)
{
	struct rate_ctx *c = vctx;
	c->case_id = 0;
	/* the order as it is now: only a delivered order takes a rating */
	struct store_stmt *st = store_prepare(s,
		"SELECT o.status, o.org_id, g.path, (SELECT COUNT(*) FROM order_ratings t WHERE t.order_id = o.id)"
		" FROM orders o JOIN orgs g ON g.id = o.org_id WHERE o.id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->order_id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		if (rc == STORE_DONE)
			app_fail(c->r, APP_ENOTFOUND, "not_found", NULL);
		return rc == STORE_DONE ? STORE_ERROR : rc;
	}
	enum order_status now = ORDER_SUBMITTED;
	bool known = order_status_parse(store_col_text(st, 0), &now);
	int64_t org_id = store_col_int(st, 1);
	const char *path = arena_strdup(c->r->arena, store_col_text(st, 2));
	bool rated = store_col_int(st, 3) > 0;
	store_done(st);
	if (rated || (known && now == ORDER_RATED)) {
		app_fail(c->r, APP_ECONFLICT, "already_rated", NULL);
		return STORE_ERROR;
	}
	if (!known || now != ORDER_DELIVERED) {
		app_fail(c->r, APP_ECONFLICT, "not_delivered", NULL);
		return STORE_ERROR;
	}
	st = store_prepare(s,
		"INSERT INTO order_ratings (order_id, stars, comment, channel, recorded_by, created_at)"
		" VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->order_id);
	store_bind_int(st, 2, c->stars);
	store_bind_text(st, 3, c->comment ? c->comment : "");
	store_bind_text(st, 4, c->channel);
	store_bind_id(st, 5, c->r->who ? c->r->who->user_id : 0);
	store_bind_int(st, 6, app_now());
	rc = store_step(st);
	if (rc == STORE_ROW)
		c->id = store_col_int(st, 0);
	store_done(st);
	if (rc == STORE_CONSTRAINT) {
		/* a rating of the same order committed since the read above
		 * (PostgreSQL reads committed data only): the index decides */
		app_fail(c->r, APP_ECONFLICT, "already_rated", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	struct order_move m = {
		.order_id = c->order_id, .from = ORDER_DELIVERED, .to = ORDER_RATED,
		/* the rating's channel says how it came; the event, who recorded it */
		.actor_kind = c->actor_kind, .actor_user_id = c->r->who ? c->r->who->user_id : 0,
	};
	rc = order_move(c->r, s, &m);
	if (rc == STORE_DONE) {
		app_fail(c->r, APP_ECONFLICT, "order_changed", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_OK)
		return rc;
	const char *kind = rating_case_kind(c->stars, c->complaint);
	if (kind && (rc = case_open(c->r, s, c->order_id, kind, c->comment, &c->case_id)) != STORE_OK)
		return rc;
	char detail[160];
	snprintf(detail, sizeof(detail), "{\"order_id\":%lld,\"stars\":%lld,\"channel\":\"%s\",\"case_id\":%lld}",
		 (long long)c->order_id, (long long)c->stars, c->channel, (long long)c->case_id);
	return audit_write_text(c->r, s, "order.rate", "order", c->order_id, org_id, path, detail);
}

/* Reads the rating's fields; complaint only from the requester's page
 * (an operator records a complaint as one: cases_complain). */
static int rate_input(struct app_req *r, json_t *in, bool public, struct rate_ctx *c)
{
	bool has;
	c->complaint = false;
	if (!json_is_object(in))
		return app_fail(r, APP_EBADREQ, "invalid_json", NULL);
	if (in_int(r, in, "stars", true, RATING_STARS_MIN, RATING_STARS_MAX, &c->stars, &has) != 0 ||
	    in_text(r, in, "comment", false, COMMENT_MAX, &c->comment) != 0)
		return -1;
	if (public && in_bool(r, in, "complaint", &c->complaint, &has) != 0)
		return -1;
	/* a complaint must say what went wrong */
	if (c->complaint && (!c->comment || !*c->comment))
		return app_fail(r, APP_EINVALID, "required", "comment");
	return 0;
}

static json_t *rating_result(struct rate_ctx *c)
{
	return json_pack("{sI sI sI ss* ss ss sb}", "id", (json_int_t)c->id, "order_id", (json_int_t)c->order_id,
			 "stars", (json_int_t)c->stars, "comment", c->comment ? c->comment : "",
			 "channel", c->channel, "status", "rated", "case_opened", c->case_id != 0);
}

int ratings_public_rate(struct app_req *r, const char *tracking_code, json_t *in, json_t **out)
{
	struct rate_ctx c = { .r = r, .channel = "web", .actor_kind = "public" };
	enum order_status now;
	/* orders.c's reading of the code (its keyed digest), 404 when unknown */
	if (order_by_tracking(r, tracking_code, &c.order_id, &now) != 0 || rate_input(r, in, true, &c) != 0)
		return -1;
	int rc = store_tx(r->store, rate_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	*out = rating_result(&c);
	return 0;
}

/* The order id names, for staff who may dispatch it (404, 403 outside
 * the caller's subtree): the organisation holding it and its path (in
 * r->arena; either may be NULL). */
static int order_access(struct app_req *r, int64_t order_id, int64_t *org_id, const char **path)
{
	struct store_stmt *st;
	if (authz_check(r, AUTHZ_ORDERS_DISPATCH, NULL) != 0 ||
	    app_load_row(r, "SELECT g.path, o.org_id FROM orders o JOIN orgs g ON g.id = o.org_id WHERE o.id = $1",
			 order_id, AUTHZ_ORDERS_DISPATCH, 0, &st) != 0)
		return -1;
	if (path)
		*path = arena_strdup(r->arena, store_col_text(st, 0));
	if (org_id)
		*org_id = store_col_int(st, 1);
	store_done(st);
	return 0;
}

int ratings_phone_rate(struct app_req *r, int64_t order_id, json_t *in, json_t **out)
{
	struct rate_ctx c = { .r = r, .order_id = order_id, .channel = "phone", .actor_kind = "staff" };
	if (order_access(r, order_id, NULL, NULL) != 0 || rate_input(r, in, false, &c) != 0)
		return -1;
	int rc = store_tx(r->store, rate_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	*out = rating_result(&c);
	return 0;
}

static int case_load(struct app_req *r, int64_t id, int action, json_t **out);

/* ---- complaints ---- */

struct complain_ctx {
	struct app_req *r;
	int64_t order_id, id, org_id;
	const char *details, *path;
};

static int complain_tx(struct store *s, void *vctx)
{
	struct complain_ctx *c = vctx;
	int rc = case_open(c->r, s, c->order_id, "complaint", c->details, &c->id);
	if (rc != STORE_OK)
		return rc;
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"order_id\":%lld}", (long long)c->order_id);
	return audit_write_text(c->r, s, "case.open", "order_case", c->id, c->org_id, c->path, detail);
}

int cases_complain(struct app_req *r, int64_t order_id, json_t *in, json_t **out)
{
	struct complain_ctx c = { .r = r, .order_id = order_id };
	if (order_access(r, order_id, &c.org_id, &c.path) != 0)
		return -1;
	if (!json_is_object(in))
		return app_fail(r, APP_EBADREQ, "invalid_json", NULL);
	if (in_text(r, in, "details", true, DETAILS_MAX, &c.details) != 0)
		return -1;
	int rc = store_tx(r->store, complain_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return case_load(r, c.id, -1, out);
}

/* ---- cases: list, one, close ---- */

#define CASE_COLUMNS \
	"c.id, c.order_id, c.kind, c.status, c.details, c.opened_at, c.opened_by, c.closed_at, c.closed_by," \
	" c.outcome, c.amendment_id, o.status, o.menu_item_id, m.name, o.org_id, g.name, t.stars, t.comment," \
	" t.channel, o.region_code, o.activity_id, g.path"
#define CASE_FROM \
	" FROM order_cases c JOIN orders o ON o.id = c.order_id JOIN orgs g ON g.id = o.org_id" \
	" JOIN menu_items m ON m.id = o.menu_item_id LEFT JOIN order_ratings t ON t.order_id = o.id"

static json_t *time_json(struct app_req *r, struct store_stmt *st, int col)
{
	return store_col_null(st, col) ? json_null() : json_string(app_iso(r, store_col_int(st, col)));
}

static json_t *text_json(struct store_stmt *st, int col)
{
	return store_col_null(st, col) ? json_null() : json_string(store_col_text(st, col));
}

static json_t *case_json(struct app_req *r, struct store_stmt *st)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(store_col_int(st, 0)));
	json_object_set_new(o, "order_id", json_integer(store_col_int(st, 1)));
	json_object_set_new(o, "kind", json_string(store_col_text(st, 2)));
	json_object_set_new(o, "status", json_string(store_col_text(st, 3)));
	json_object_set_new(o, "details", json_string(store_col_text(st, 4)));
	json_object_set_new(o, "opened_at", time_json(r, st, 5));
	json_object_set_new(o, "opened_by", col_id_json(st, 6));
	json_object_set_new(o, "closed_at", time_json(r, st, 7));
	json_object_set_new(o, "closed_by", col_id_json(st, 8));
	json_object_set_new(o, "outcome", text_json(st, 9));
	json_object_set_new(o, "amendment_id", col_id_json(st, 10));
	json_object_set_new(o, "order_status", json_string(store_col_text(st, 11)));
	json_object_set_new(o, "menu_item_id", json_integer(store_col_int(st, 12)));
	json_object_set_new(o, "menu_item_name", json_string(store_col_text(st, 13)));
	json_object_set_new(o, "org_id", json_integer(store_col_int(st, 14)));
	json_object_set_new(o, "org_name", json_string(store_col_text(st, 15)));
	json_object_set_new(o, "stars", col_id_json(st, 16));
	json_object_set_new(o, "rating_comment", text_json(st, 17));
	json_object_set_new(o, "rating_channel", text_json(st, 18));
	json_object_set_new(o, "region_code", json_string(store_col_text(st, 19)));
	json_object_set_new(o, "activity_id", col_id_json(st, 20));
	return o;
}

int cases_list(struct app_req *r, const char *org_s, const char *status, const char *limit_s,
	       const char *cursor_s, json_t **out)
{
	int limit;
	int64_t after;
	const char *scope;
	if (authz_check(r, AUTHZ_ORDERS_CASES, NULL) != 0 || app_limit(r, limit_s, &limit) != 0 ||
	    app_cursor(r, cursor_s, &after) != 0 || app_scope(r, org_s, AUTHZ_ORDERS_CASES, &scope) != 0)
		return -1;
	if (status && strcmp(status, "open") && strcmp(status, "closed"))
		return app_fail(r, APP_EBADREQ, "invalid_value", "status");
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " CASE_COLUMNS CASE_FROM
		" WHERE g.path LIKE $1 AND (CAST($2 AS TEXT) IS NULL OR c.status = $2)"
		" AND (CAST($3 AS BIGINT) = 0 OR c.id < $3) ORDER BY c.id DESC LIMIT $4");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", scope));
	store_bind_text(st, 2, status);
	store_bind_int(st, 3, after);
	store_bind_int(st, 4, limit + 1);
	if (app_page(r, st, limit, case_json, out) != 0)
		return -1;
	/* the open cases of the scope, for the badge and the page's total */
	st = store_prepare(r->store,
		"SELECT COUNT(*) FROM order_cases c JOIN orders o ON o.id = c.order_id JOIN orgs g ON g.id = o.org_id"
		" WHERE g.path LIKE $1 AND c.status = 'open'");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", scope));
	int rc = store_step(st);
	json_object_set_new(*out, "open_total", json_integer(rc == STORE_ROW ? store_col_int(st, 0) : 0));
	store_done(st);
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc);
}

/* The records the order's delivery made and their amendments: what a
 * case may void through the amendment flow. */
static int case_records(struct app_req *r, int64_t activity_id, json_t *o)
{
	json_t *items = json_array();
	json_object_set_new(o, "records", items);
	if (!activity_id)
		return 0;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT s.id, s.volunteer_id, v.name, s.minutes, s.status, s.amends_id, s.quality"
		" FROM service_records s JOIN volunteers v ON v.id = s.volunteer_id"
		" WHERE s.activity_id = $1 ORDER BY s.id LIMIT 500");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, activity_id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		json_array_append_new(items, json_pack("{sI sI ss sI ss so ss}",
			"id", (json_int_t)store_col_int(st, 0), "volunteer_id", (json_int_t)store_col_int(st, 1),
			"volunteer_name", store_col_text(st, 2), "minutes", (json_int_t)store_col_int(st, 3),
			"status", store_col_text(st, 4), "amends_id", col_id_json(st, 5),
			"quality", store_col_text(st, 6)));
	}
	store_done(st);
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

/* One case with its records; action -1: the caller has decided already
 * (the operator who just opened it reads it back). */
static int case_load(struct app_req *r, int64_t id, int action, json_t **out)
{
	struct store_stmt *st;
	if (app_load_row(r, "SELECT " CASE_COLUMNS CASE_FROM " WHERE c.id = $1", id, action, 21, &st) != 0)
		return -1;
	json_t *o = case_json(r, st);
	int64_t activity_id = store_col_null(st, 20) ? 0 : store_col_int(st, 20);
	store_done(st);
	if (case_records(r, activity_id, o) != 0) {
		json_decref(o);
		return -1;
	}
	*out = o;
	return 0;
}

int cases_get(struct app_req *r, int64_t id, json_t **out)
{
	if (authz_check(r, AUTHZ_ORDERS_CASES, NULL) != 0)
		return -1;
	return case_load(r, id, AUTHZ_ORDERS_CASES, out);
}

struct close_ctx {
	struct app_req *r;
	int64_t id, org_id, amendment_id;
	const char *outcome, *path;
	bool closed;
};

static int close_tx(struct store *s, void *vctx)
{
	struct close_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"UPDATE order_cases SET status = 'closed', closed_at = $2, closed_by = $3, outcome = $4,"
		" amendment_id = $5 WHERE id = $1 AND status = 'open' RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_int(st, 2, app_now());
	store_bind_int(st, 3, c->r->who->user_id);
	store_bind_text(st, 4, c->outcome);
	store_bind_id(st, 5, c->amendment_id);
	int rc = store_step(st);
	store_done(st);
	c->closed = rc == STORE_ROW;
	if (rc == STORE_DONE)
		return STORE_OK;
	if (rc != STORE_ROW)
		return rc;
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"amendment_id\":%lld}", (long long)c->amendment_id);
	return audit_write_text(c->r, s, "case.close", "order_case", c->id, c->org_id, c->path, detail);
}

int cases_close(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	struct store_stmt *st;
	struct close_ctx c = { .r = r, .id = id };
	bool has;
	if (authz_check(r, AUTHZ_ORDERS_CASES, NULL) != 0 ||
	    app_load_row(r, "SELECT c.status, o.activity_id, o.org_id, g.path FROM order_cases c"
			 " JOIN orders o ON o.id = c.order_id JOIN orgs g ON g.id = o.org_id WHERE c.id = $1",
			 id, AUTHZ_ORDERS_CASES, 3, &st) != 0)
		return -1;
	bool open = strcmp(store_col_text(st, 0), "open") == 0;
	int64_t activity_id = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
	c.org_id = store_col_int(st, 2);
	c.path = arena_strdup(r->arena, store_col_text(st, 3));
	store_done(st);
	if (!json_is_object(in))
		return app_fail(r, APP_EBADREQ, "invalid_json", NULL);
	if (in_text(r, in, "outcome", true, OUTCOME_MAX, &c.outcome) != 0 ||
	    in_id(r, in, "amendment_id", false, &c.amendment_id, &has) != 0)
		return -1;
	if (!open)
		return app_fail(r, APP_ECONFLICT, "case_closed", NULL);
	if (c.amendment_id) {
		/* an amendment of one of the records this order's delivery made */
		st = store_prepare(r->store,
			"SELECT 1 FROM service_records a JOIN service_records s ON s.id = a.amends_id"
			" WHERE a.id = $1 AND s.activity_id = $2");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_int(st, 1, c.amendment_id);
		store_bind_int(st, 2, activity_id);
		int rc = store_step(st);
		store_done(st);
		if (rc == STORE_DONE || !activity_id)
			return app_fail(r, APP_EINVALID, "invalid_amendment", "amendment_id");
		if (rc != STORE_ROW)
			return app_store_fail(r, rc);
	}
	int rc = store_tx(r->store, close_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	if (!c.closed)
		return app_fail(r, APP_ECONFLICT, "case_closed", NULL);
	return cases_get(r, id, out);
}

/* ---- the approver's quality suggestion ---- */

int ratings_quality(struct app_req *r, const char *record_ids, json_t **out)
{
	if (authz_check(r, AUTHZ_RECORDS_READ, NULL) != 0)
		return -1;
	if (!record_ids || !*record_ids || strlen(record_ids) > QUALITY_IDS_MAX * 21)
		return app_fail(r, APP_EBADREQ, "invalid_value", "record_ids");
	json_t *items = json_array();
	*out = json_pack("{so}", "items", items);
	int n = 0;
	for (const char *p = record_ids; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char one[24];
		int64_t id;
		if (len == 0 || len >= sizeof(one) || ++n > QUALITY_IDS_MAX)
			goto bad;
		memcpy(one, p, len);
		one[len] = '\0';
		if (parse_id(one, &id) != 0)
			goto bad;
		p += len + (comma ? 1 : 0);
		if (comma && !*p)
			goto bad;
		struct store_stmt *st = store_prepare(r->store,
			"SELECT o.id, t.stars, t.comment, t.channel, g.path FROM service_records s"
			" JOIN orders o ON o.activity_id = s.activity_id JOIN order_ratings t ON t.order_id = o.id"
			" JOIN orgs g ON g.id = s.org_id WHERE s.id = $1");
		if (!st) {
			json_decref(*out);
			return app_store_fail(r, STORE_ERROR);
		}
		store_bind_int(st, 1, id);
		int rc = store_step(st);
		/* records outside the caller's scope are left out, as if unrated */
		if (rc == STORE_ROW && authz_in_scope(r->who, store_col_text(st, 4))) {
			int64_t stars = store_col_int(st, 1);
			json_array_append_new(items, json_pack("{sI sI sI ss ss ss*}", "record_id", (json_int_t)id,
				"order_id", (json_int_t)store_col_int(st, 0), "stars", (json_int_t)stars,
				"comment", store_col_text(st, 2), "channel", store_col_text(st, 3),
				"suggested_quality", rating_quality(stars)));
		}
		store_done(st);
		if (rc != STORE_ROW && rc != STORE_DONE) {
			json_decref(*out);
			return app_store_fail(r, rc);
		}
	}
	return 0;
bad:
	json_decref(*out);
	*out = NULL;
	return app_fail(r, APP_EBADREQ, "invalid_value", "record_ids");
}
