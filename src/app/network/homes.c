/* Home organisations chosen by volunteers: the public station/team picker
 * and join/move requests decided by the organisation. See homes.h. */
#include "app/network/homes.h"
#include "app/kernel/kernel.h"
#include "app/network/volunteers.h"
#include "core/cursor.h"
#include "core/validate.h"
#include "util/arena.h"
#include <string.h>

#define PICK_DEFAULT 20
#define PICK_Q_MAX 32        /* characters of a search text */
#define NOTE_MAX 200
#define MINE_MAX 20          /* the person's own requests shown, newest first */

/* ---- the public picker ---- */

static json_t *pick_json(struct app_req *r, struct store_stmt *st)
{
	(void)r;
	int near = (int)store_col_int(st, 6);
	return json_pack("{sI ss ss ss ss? ss? ss?}",
		"id", (json_int_t)store_col_int(st, 0),
		"name", store_col_text(st, 1),
		"kind", store_col_text(st, 2),
		"region_code", store_col_text(st, 3),
		"parent_name", store_col_text(st, 4),
		"region_name", store_col_text(st, 5),
		"near", near == 0 ? "community" : near == 1 ? "town" : NULL);
}

int homes_public_orgs(struct app_req *r, const struct homes_pick_query *f, json_t **out)
{
	int64_t limit = PICK_DEFAULT;
	const char *like = "", *community = "", *town = "", *kind = "";
	if (f->limit && (parse_id(f->limit, &limit) != 0 || limit > HOMES_PICK_MAX))
		return app_fail(r, APP_EBADREQ, "invalid_value", "limit");
	if (f->q && f->q[0]) {
		size_t n = strlen(f->q);
		if (!valid_text(f->q, n, PICK_Q_MAX))
			return app_fail(r, APP_EBADREQ, "invalid_value", "q");
		if (app_like_pattern(r, f->q, "q", &like) != 0)
			return -1;
	}
	if (f->region && f->region[0]) {
		char code12[13];
		if (region_normalize(f->region, code12) != 0)
			return app_fail(r, APP_EBADREQ, "invalid_region_code", "region");
		/* a community ranks its own stations first, a town its own; a
		 * code that names neither ("…000") ranks nothing */
		if (strcmp(code12 + 9, "000") != 0)
			community = arena_strdup(r->arena, code12);
		if (strncmp(code12 + 6, "000", 3) != 0)
			town = arena_strndup(r->arena, code12, 9);
	}
	if (f->kind && f->kind[0]) {
		if (strcmp(f->kind, "station") != 0 && strcmp(f->kind, "team") != 0)
			return app_fail(r, APP_EBADREQ, "invalid_value", "kind");
		kind = f->kind;
	}
	/* the whole organisation table of a district is a few hundred rows
	 * (a city a few thousand): one scan answers in about a millisecond,
	 * so the endpoint needs no throttle of its own (docs/decisions.md) */
	struct store_stmt *st = store_prepare(r->store,
		"SELECT o.id, o.name, o.kind, o.region_code, p.name, rg.name,"
		" CASE WHEN $1 <> '' AND o.region_code = $1 THEN 0"
		" WHEN $2 <> '' AND substr(o.region_code, 1, 9) = $2 THEN 1 ELSE 2 END AS near"
		" FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id"
		" LEFT JOIN regions rg ON rg.code = o.region_code"
		" WHERE o.status = 'active' AND o.kind IN ('station', 'team') AND ($3 = '' OR o.kind = $3)"
		" AND ($4 = '' OR lower(o.name) LIKE $4 ESCAPE '\\' OR lower(p.name) LIKE $4 ESCAPE '\\')"
		" ORDER BY near, o.kind, o.name, o.id LIMIT $5");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, community);
	store_bind_text(st, 2, town);
	store_bind_text(st, 3, kind);
	store_bind_text(st, 4, like);
	store_bind_int(st, 5, limit + 1);
	json_t *items = json_array();
	int rc, n = 0;
	bool more = false;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n++ == limit) {
			more = true;
			break;
		}
		json_array_append_new(items, pick_json(r, st));
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE) {
		json_decref(items);
		return app_store_fail(r, rc);
	}
	*out = json_pack("{so sb}", "items", items, "more", more);
	return 0;
}

/* ---- requests ---- */

#define JR_COLUMNS \
	"j.id, j.volunteer_id, v.volunteer_number, v.name, j.org_id, o.name, j.from_org_id, f.name," \
	" j.note, j.status, j.reason, j.created_at, j.decided_at, o.path, o.kind"
#define JR_FROM \
	" FROM join_requests j JOIN volunteers v ON v.id = j.volunteer_id" \
	" JOIN orgs o ON o.id = j.org_id JOIN orgs f ON f.id = j.from_org_id"

static json_t *request_json(struct app_req *r, struct store_stmt *st)
{
	json_t *decided = store_col_null(st, 12) ? json_null()
			  : json_string(app_iso(r, store_col_int(st, 12)));
	return json_pack("{sI sI ss ss sI ss ss sI ss ss ss ss? ss so}",
		"id", (json_int_t)store_col_int(st, 0),
		"volunteer_id", (json_int_t)store_col_int(st, 1),
		"volunteer_number", store_col_text(st, 2),
		"volunteer_name", store_col_text(st, 3),
		"org_id", (json_int_t)store_col_int(st, 4),
		"org_name", store_col_text(st, 5),
		"org_kind", store_col_text(st, 14),
		"from_org_id", (json_int_t)store_col_int(st, 6),
		"from_org_name", store_col_text(st, 7),
		"note", store_col_text(st, 8),
		"status", store_col_text(st, 9),
		"reason", store_col_text(st, 10),
		"created_at", app_iso(r, store_col_int(st, 11)),
		"decided_at", decided);
}

static int request_get(struct app_req *r, int64_t id, json_t **out)
{
	return app_get_row(r, "SELECT " JR_COLUMNS JR_FROM " WHERE j.id = $1", id, request_json, out);
}

/* The caller's file: id, home and status. */
struct mine {
	int64_t id, home;
	const char *home_path, *status;
};

static int load_mine(struct app_req *r, struct mine *m)
{
	if (volunteers_mine_id(r, &m->id) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT v.home_org_id, o.path, v.status FROM volunteers v JOIN orgs o ON o.id = v.home_org_id"
		" WHERE v.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, m->id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		m->home = store_col_int(st, 0);
		m->home_path = arena_strdup(r->arena, store_col_text(st, 1));
		m->status = arena_strdup(r->arena, store_col_text(st, 2));
	}
	store_done(st);
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc == STORE_DONE ? STORE_ERROR : rc);
}

/* Whether a station or team (the kinds a person can call home). */
static bool joinable_kind(const char *kind)
{
	return strcmp(kind, "station") == 0 || strcmp(kind, "team") == 0;
}

struct req_ctx {
	struct app_req *r;
	int64_t id, volunteer_id, org_id, from_org;
	const char *note, *reason, *org_path, *org_region, *from_path;
	bool accept, withdraw;
};

static int create_tx(struct store *s, void *vctx)
{
	struct req_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"SELECT 1 FROM join_requests WHERE volunteer_id = $1 AND status = 'open'");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->volunteer_id);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_ROW) {
		app_fail(c->r, APP_ECONFLICT, "join_request_open", "org_id");
		return STORE_ERROR;
	}
	if (rc != STORE_DONE)
		return rc;
	st = store_prepare(s,
		"INSERT INTO join_requests (volunteer_id, org_id, from_org_id, note, status, region_code, created_at)"
		" VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->volunteer_id);
	store_bind_int(st, 2, c->org_id);
	store_bind_int(st, 3, c->from_org);
	store_bind_text(st, 4, c->note ? c->note : "");
	store_bind_text(st, 5, c->org_region);
	store_bind_int(st, 6, app_now());
	rc = store_step(st);
	if (rc == STORE_ROW)
		c->id = store_col_int(st, 0);
	store_done(st);
	if (rc == STORE_CONSTRAINT) {
		/* another request of the same person won the race */
		app_fail(c->r, APP_ECONFLICT, "join_request_open", "org_id");
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	json_t *detail = json_pack("{sI sI}", "volunteer_id", (json_int_t)c->volunteer_id,
				   "from_org_id", (json_int_t)c->from_org);
	/* in the scope of the organisation asked, whose admins decide */
	rc = audit_write(c->r, s, "join_request.create", "join_request", c->id, c->org_id, c->org_path, detail);
	json_decref(detail);
	return rc;
}

int homes_request_create(struct app_req *r, json_t *in, json_t **out)
{
	struct mine m;
	struct req_ctx c = { .r = r };
	if (load_mine(r, &m) != 0)
		return -1;
	if (in_id(r, in, "org_id", true, &c.org_id, NULL) != 0 ||
	    in_text(r, in, "note", false, NOTE_MAX, &c.note) != 0)
		return -1;
	if (strcmp(m.status, "active") != 0)
		return app_fail(r, APP_ECONFLICT, "volunteer_inactive", NULL);
	struct org_ref o;
	if (org_target(r, r->store, c.org_id, -1, true, &o) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, "SELECT kind FROM orgs WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, c.org_id);
	bool joinable = store_step(st) == STORE_ROW && joinable_kind(store_col_text(st, 0));
	store_done(st);
	if (!joinable)
		return app_fail(r, APP_EINVALID, "org_not_joinable", "org_id");
	if (c.org_id == m.home)
		return app_fail(r, APP_EINVALID, "same_org", "org_id");
	c.volunteer_id = m.id;
	c.from_org = m.home;
	c.org_path = o.path;
	c.org_region = o.region;
	int rc = store_tx(r->store, create_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return request_get(r, c.id, out);
}

int homes_request_mine(struct app_req *r, json_t **out)
{
	int64_t vid;
	if (volunteers_mine_id(r, &vid) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " JR_COLUMNS JR_FROM " WHERE j.volunteer_id = $1 ORDER BY j.id DESC LIMIT $2");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, vid);
	store_bind_int(st, 2, MINE_MAX);
	return app_items(r, st, request_json, out);
}

/* Closes an open request: withdrawn by the person, or accepted (moving
 * the file) or declined by the organisation. */
static int close_tx(struct store *s, void *vctx)
{
	struct req_ctx *c = vctx;
	bool withdraw = c->withdraw;
	const char *status = c->accept ? "accepted" : withdraw ? "withdrawn" : "declined";
	struct store_stmt *st = store_prepare(s,
		"UPDATE join_requests SET status = $2, reason = $3, decided_by = $4, decided_at = $5"
		" WHERE id = $1 AND status = 'open' RETURNING volunteer_id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_text(st, 2, status);
	store_bind_text(st, 3, withdraw ? NULL : c->reason);
	store_bind_int(st, 4, c->r->who->user_id);
	store_bind_int(st, 5, app_now());
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE) {
		app_fail(c->r, APP_ECONFLICT, "join_request_closed", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	if (c->accept) {
		/* the file as it is now: a transfer by staff may have moved it
		 * since the request was made */
		st = store_prepare(s,
			"SELECT v.home_org_id, o.path, v.status FROM volunteers v"
			" JOIN orgs o ON o.id = v.home_org_id WHERE v.id = $1");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, c->volunteer_id);
		rc = store_step(st);
		bool deleted = false;
		if (rc == STORE_ROW) {
			c->from_org = store_col_int(st, 0);
			c->from_path = arena_strdup(c->r->arena, store_col_text(st, 1));
			deleted = strcmp(store_col_text(st, 2), "deleted") == 0;
		}
		store_done(st);
		if (rc != STORE_ROW)
			return rc == STORE_DONE ? STORE_ERROR : rc;
		if (deleted) {
			app_fail(c->r, APP_ECONFLICT, "volunteer_deleted", NULL);
			return STORE_ERROR;
		}
		if (c->from_org == c->org_id) {
			app_fail(c->r, APP_ECONFLICT, "same_org", NULL);
			return STORE_ERROR;
		}
		rc = volunteers_move_home(c->r, s, c->volunteer_id, c->from_org, c->from_path, c->org_id,
					  c->org_path, c->org_region);
		if (rc != STORE_OK)
			return rc;
	}
	json_t *detail = json_pack("{sI sI ss?}", "volunteer_id", (json_int_t)c->volunteer_id,
				   "org_id", (json_int_t)c->org_id, "reason", withdraw ? NULL : c->reason);
	rc = audit_write(c->r, s, withdraw ? "join_request.withdraw" : c->accept ? "join_request.accept"
			 : "join_request.decline", "join_request", c->id, c->org_id, c->org_path, detail);
	json_decref(detail);
	return rc;
}

/* Loads request id into c: 404 when unknown. */
static int load_request(struct app_req *r, int64_t id, struct req_ctx *c, const char **status)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT j.volunteer_id, j.org_id, o.path, o.region_code, j.status"
		" FROM join_requests j JOIN orgs o ON o.id = j.org_id WHERE j.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		c->id = id;
		c->volunteer_id = store_col_int(st, 0);
		c->org_id = store_col_int(st, 1);
		c->org_path = arena_strdup(r->arena, store_col_text(st, 2));
		c->org_region = arena_strdup(r->arena, store_col_text(st, 3));
		*status = arena_strdup(r->arena, store_col_text(st, 4));
	}
	store_done(st);
	if (rc == STORE_DONE)
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	return 0;
}

int homes_request_withdraw(struct app_req *r, int64_t id, json_t **out)
{
	int64_t vid;
	struct req_ctx c = { .r = r, .withdraw = true };
	const char *status;
	if (volunteers_mine_id(r, &vid) != 0 || load_request(r, id, &c, &status) != 0)
		return -1;
	/* someone else's request is not there for this caller */
	if (c.volunteer_id != vid)
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	int rc = store_tx(r->store, close_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return request_get(r, id, out);
}

static int decide(struct app_req *r, int64_t id, json_t *in, bool accept, json_t **out)
{
	struct req_ctx c = { .r = r, .accept = accept };
	const char *status;
	if (authz_check(r, AUTHZ_JOINS_DECIDE, NULL) != 0 || load_request(r, id, &c, &status) != 0)
		return -1;
	if (authz_check(r, AUTHZ_JOINS_DECIDE, c.org_path) != 0)
		return -1;
	if (!accept && in && in_text(r, in, "reason", false, NOTE_MAX, &c.reason) != 0)
		return -1;
	if (strcmp(status, "open") != 0)
		return app_fail(r, APP_ECONFLICT, "join_request_closed", NULL);
	if (accept) {
		struct org_ref o;
		if (org_target(r, r->store, c.org_id, -1, true, &o) != 0) {
			r->err.status = APP_ECONFLICT;   /* not the caller's input: the organisation changed */
			r->err.field = NULL;
			return -1;
		}
	}
	int rc = store_tx(r->store, close_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return request_get(r, id, out);
}

int homes_request_accept(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	return decide(r, id, in, true, out);
}

int homes_request_decline(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	return decide(r, id, in, false, out);
}

int homes_request_list(struct app_req *r, const struct homes_list_query *f, json_t **out)
{
	int limit;
	int64_t after = 0;
	const char *scope, *status = f->status ? f->status : "open";
	if (authz_check(r, AUTHZ_JOINS_DECIDE, NULL) != 0)
		return -1;
	if (strcmp(status, "open") != 0 && strcmp(status, "accepted") != 0 &&
	    strcmp(status, "declined") != 0 && strcmp(status, "withdrawn") != 0)
		return app_fail(r, APP_EBADREQ, "invalid_value", "status");
	if (app_limit(r, f->limit, &limit) != 0 || app_cursor(r, f->cursor, &after) != 0)
		return -1;
	if (app_scope(r, f->org_id, AUTHZ_JOINS_DECIDE, &scope) != 0)
		return -1;
	const char *like = arena_printf(r->arena, "%s%%", scope);
	struct store_stmt *st = store_prepare(r->store,
		"SELECT count(*) FROM join_requests j JOIN orgs o ON o.id = j.org_id"
		" WHERE o.path LIKE $1 AND j.status = $2");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, like);
	store_bind_text(st, 2, status);
	int rc = store_step(st);
	int64_t total = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	/* oldest first: requests are answered in the order they came */
	st = store_prepare(r->store,
		"SELECT " JR_COLUMNS JR_FROM " WHERE o.path LIKE $1 AND j.status = $2 AND j.id > $3"
		" ORDER BY j.id LIMIT $4");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, like);
	store_bind_text(st, 2, status);
	store_bind_int(st, 3, after);
	store_bind_int(st, 4, limit + 1);
	if (app_page(r, st, limit, request_json, out) != 0)
		return -1;
	json_object_set_new(*out, "total", json_integer(total));
	return 0;
}

int homes_withdraw_for(struct store *s, int64_t volunteer_id, int64_t now)
{
	return app_exec_ints(s, "UPDATE join_requests SET status = 'withdrawn', decided_at = $2"
			     " WHERE volunteer_id = $1 AND status = 'open'", volunteer_id, now);
}
