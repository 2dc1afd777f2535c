/* Awards and commendations (see awards.h). Writes award_types,
 * award_rounds, nominations and awards. */
#include "app/bank/awards.h"
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "core/validate.h"
#include "util/arena.h"
#include "core/chinatime.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static json_t *type_json(struct app_req *r, struct store_stmt *st)
{
	(void)r;
	return json_pack("{sI ss ss sb}", "id", (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1),
			 "target", store_col_text(st, 2), "active", store_col_int(st, 3) != 0);
}

int awards_types(struct app_req *r, json_t **out)
{
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, "SELECT id, name, target, active FROM award_types ORDER BY id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	return app_items(r, st, type_json, out);
}

struct type_ctx {
	struct app_req *r;
	const char *name, *target;
	int64_t id;
};

/* The transaction of awards_type_create: the type, audited. */
static int type_tx(struct store *s, void *vctx)
{
	struct type_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO award_types (name, target, created_at) VALUES ($1, $2, $3) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->name);
	store_bind_text(st, 2, c->target);
	store_bind_int(st, 3, app_now());
	int rc = store_step(st);
	if (rc == STORE_ROW)
		c->id = store_col_int(st, 0);
	store_done(st);
	if (rc == STORE_CONSTRAINT) {
		app_fail(c->r, APP_ECONFLICT, "duplicate", "name");
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	return audit_write_text(c->r, s, "award_type.create", "award_type", c->id, c->r->who->org_id,
				c->r->who->org_path, NULL);
}

int awards_type_create(struct app_req *r, json_t *in, json_t **out)
{
	struct type_ctx c = { .r = r };
	if (authz_check(r, AUTHZ_STARS_WRITE, NULL) != 0 || in_text(r, in, "name", true, 50, &c.name) != 0 ||
	    in_text(r, in, "target", true, 10, &c.target) != 0)
		return -1;
	if (strcmp(c.target, "volunteer") != 0 && strcmp(c.target, "org") != 0)
		return app_fail(r, APP_EINVALID, "invalid_value", "target");
	int rc = store_tx(r->store, type_tx, &c);
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	*out = json_pack("{sI ss ss sb}", "id", (json_int_t)c.id, "name", c.name, "target", c.target, "active", 1);
	return 0;
}

/* ---- rounds ---- */

#define ROUND_COLUMNS "w.id, w.name, w.org_id, o.name, w.period_from, w.period_to, w.status, w.created_at, o.path"
#define ROUND_FROM " FROM award_rounds w JOIN orgs o ON o.id = w.org_id"

static json_t *round_json(struct app_req *r, struct store_stmt *st)
{
	return json_pack("{sI ss sI ss ss ss ss ss}", "id", (json_int_t)store_col_int(st, 0),
		"name", store_col_text(st, 1), "org_id", (json_int_t)store_col_int(st, 2),
		"org_name", store_col_text(st, 3), "period_from", store_col_text(st, 4),
		"period_to", store_col_text(st, 5), "status", store_col_text(st, 6),
		"created_at", app_iso(r, store_col_int(st, 7)));
}

struct round_ctx {
	struct app_req *r;
	int64_t org_id, id;
	const char *name, *from, *to, *path;
};

/* The transaction of awards_round_create: the round, audited. */
static int round_tx(struct store *s, void *vctx)
{
	struct round_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO award_rounds (name, org_id, period_from, period_to, created_by, created_at)"
		" VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->name);
	store_bind_int(st, 2, c->org_id);
	store_bind_text(st, 3, c->from);
	store_bind_text(st, 4, c->to);
	store_bind_int(st, 5, c->r->who->user_id);
	store_bind_int(st, 6, app_now());
	int rc = store_step(st);
	if (rc == STORE_ROW)
		c->id = store_col_int(st, 0);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	return audit_write_text(c->r, s, "award_round.create", "award_round", c->id, c->org_id, c->path, NULL);
}

/* A date field (YYYY-MM-DD). */
static int in_date(struct app_req *r, json_t *in, const char *field, const char **out, int *ymd)
{
	if (in_text(r, in, field, true, 10, out) != 0)
		return -1;
	if (!valid_date(*out, ymd))
		return app_fail(r, APP_EINVALID, "invalid_date", field);
	return 0;
}

int awards_round_create(struct app_req *r, json_t *in, json_t **out)
{
	struct round_ctx c = { .r = r };
	int from, to;
	if (authz_check(r, AUTHZ_MARKET_ADMIN, NULL) != 0 || in_text(r, in, "name", true, 100, &c.name) != 0 ||
	    in_id(r, in, "org_id", true, &c.org_id, NULL) != 0 || in_date(r, in, "period_from", &c.from, &from) != 0 ||
	    in_date(r, in, "period_to", &c.to, &to) != 0)
		return -1;
	if (to < from)
		return app_fail(r, APP_EINVALID, "ends_before_start", "period_to");
	struct org_ref o;
	if (org_target(r, r->store, c.org_id, AUTHZ_MARKET_ADMIN, true, &o) != 0)
		return -1;
	c.path = o.path;
	int rc = store_tx(r->store, round_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return awards_round_get(r, c.id, out);
}

int awards_round_list(struct app_req *r, json_t **out)
{
	if (authz_check(r, AUTHZ_VOLUNTEERS_READ, NULL) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, "SELECT " ROUND_COLUMNS ROUND_FROM
					      " WHERE o.path LIKE $1 ORDER BY w.id DESC LIMIT 200");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", r->who->org_path));
	return app_items(r, st, round_json, out);
}

static json_t *nomination_json(struct app_req *r, struct store_stmt *st)
{
	(void)r;
	return json_pack("{sI sI ss so ss? so ss? ss ss}", "id", (json_int_t)store_col_int(st, 0),
		"type_id", (json_int_t)store_col_int(st, 1), "award", store_col_text(st, 2),
		"volunteer_id", col_id_json(st, 3), "volunteer_name", store_col_text(st, 4),
		"org_id", col_id_json(st, 5), "org_name", store_col_text(st, 6),
		"reason", store_col_text(st, 7), "status", store_col_text(st, 8));
}

int awards_round_get(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st;
	if (app_load_row(r, "SELECT " ROUND_COLUMNS ROUND_FROM " WHERE w.id = $1", id, AUTHZ_VOLUNTEERS_READ, 8, &st) != 0)
		return -1;
	*out = round_json(r, st);
	store_done(st);
	st = store_prepare(r->store,
		"SELECT n.id, n.type_id, t.name, n.volunteer_id, v.name, n.org_id, g.name, n.reason, n.status"
		" FROM nominations n JOIN award_types t ON t.id = n.type_id LEFT JOIN volunteers v ON v.id = n.volunteer_id"
		" LEFT JOIN orgs g ON g.id = n.org_id WHERE n.round_id = $1 ORDER BY n.id");
	if (!st) {
		json_decref(*out);
		return app_store_fail(r, STORE_ERROR);
	}
	store_bind_int(st, 1, id);
	json_t *items = json_array();
	while (store_step(st) == STORE_ROW)
		json_array_append_new(items, nomination_json(r, st));
	store_done(st);
	json_object_set_new(*out, "nominations", items);
	return 0;
}

/* The round's subtree and period, for who may act on it. */
struct round_ref {
	int64_t org_id;
	const char *path, *org_name, *status;
	int64_t from, to;     /* unix seconds, China days */
};

/* Reads round id for action: its organisation, path, status and period
 * as China days [from, to). */
static int round_ref(struct app_req *r, int64_t id, int action, struct round_ref *w)
{
	struct store_stmt *st;
	if (app_load_row(r, "SELECT " ROUND_COLUMNS ROUND_FROM " WHERE w.id = $1", id, action, 8, &st) != 0)
		return -1;
	int f, t;
	w->org_id = store_col_int(st, 2);
	w->org_name = arena_strdup(r->arena, store_col_text(st, 3));
	w->status = arena_strdup(r->arena, store_col_text(st, 6));
	w->path = arena_strdup(r->arena, store_col_text(st, 8));
	valid_date(store_col_text(st, 4), &f);
	valid_date(store_col_text(st, 5), &t);
	store_done(st);
	w->from = china_day_start(f);
	w->to = china_day_start(t) + 86400;
	return 0;
}

static json_t *candidate_json(struct app_req *r, struct store_stmt *st)
{
	(void)r;
	return json_pack("{sI ss ss sI sI sf si sb}", "volunteer_id", (json_int_t)store_col_int(st, 0),
		"name", store_col_text(st, 1), "volunteer_number", store_col_text(st, 2),
		"minutes", (json_int_t)store_col_int(st, 3), "records", (json_int_t)store_col_int(st, 4),
		"quality", (double)store_col_int(st, 5) / 100.0, "star_level", (int)store_col_int(st, 6),
		"limited", store_col_int(st, 7) != 0);
}

int awards_candidates(struct app_req *r, int64_t round_id, const char *limit_s, json_t **out)
{
	struct round_ref w;
	int limit;
	if (app_limit(r, limit_s, &limit) != 0 || round_ref(r, round_id, AUTHZ_VOLUNTEERS_READ, &w) != 0)
		return -1;
	/* each original's minutes as corrected; quality 优秀 3 … 不合格 0, as
	 * an average ×100. Volunteers filed in the round's subtree count with
	 * all their service; those filed elsewhere who served here with what
	 * they served here (limited: their file is not the round's to open) */
	struct store_stmt *st = store_prepare(r->store,
		"SELECT v.id, v.name, v.volunteer_number,"
		" SUM(COALESCE((SELECT a.minutes FROM service_records a WHERE a.amends_id = s.id AND a.status = 'approved'"
		"   ORDER BY a.id DESC LIMIT 1), s.minutes)) AS m, count(*) AS n,"
		" CAST(AVG(CASE s.quality WHEN 'excellent' THEN 300 WHEN 'good' THEN 200 WHEN 'pass' THEN 100 ELSE 0 END) AS BIGINT) AS q,"
		" v.star_level, CASE WHEN o.path LIKE $1 THEN 0 ELSE 1 END AS lim"
		" FROM service_records s JOIN volunteers v ON v.id = s.volunteer_id JOIN orgs o ON o.id = v.home_org_id"
		" JOIN orgs ro ON ro.id = s.org_id"
		" WHERE s.status = 'approved' AND s.amends_id IS NULL AND s.starts_at >= $2 AND s.starts_at < $3"
		" AND (o.path LIKE $1 OR ro.path LIKE $1) GROUP BY v.id, v.name, v.volunteer_number, v.star_level, o.path"
		" ORDER BY m DESC, n DESC, q DESC, v.id LIMIT $4");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", w.path));
	store_bind_int(st, 2, w.from);
	store_bind_int(st, 3, w.to);
	store_bind_int(st, 4, limit);
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(items, candidate_json(r, st));
	store_done(st);
	if (rc != STORE_DONE) {
		json_decref(items);
		return app_store_fail(r, rc);
	}
	*out = json_pack("{sI so}", "round_id", (json_int_t)round_id, "items", items);
	return 0;
}

/* ---- nominations ---- */

struct nom_ctx {
	struct app_req *r;
	int64_t round_id, type_id, volunteer_id, org_id, id, scope_org;
	const char *reason, *path;
	bool approve;
	char granting_unit[256];
};

/* The transaction of awards_nominate: the nomination, audited. */
static int nominate_tx(struct store *s, void *vctx)
{
	struct nom_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO nominations (round_id, type_id, volunteer_id, org_id, reason, nominated_by, created_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->round_id);
	store_bind_int(st, 2, c->type_id);
	store_bind_id(st, 3, c->volunteer_id);
	store_bind_id(st, 4, c->org_id);
	store_bind_text(st, 5, c->reason);
	store_bind_int(st, 6, c->r->who->user_id);
	store_bind_int(st, 7, app_now());
	int rc = store_step(st);
	if (rc == STORE_ROW)
		c->id = store_col_int(st, 0);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	return audit_write_text(c->r, s, "award.nominate", "nomination", c->id, c->scope_org, c->path, NULL);
}

/* The target ("volunteer" or "org") of an active award type; 422
 * award_type_not_found otherwise. */
static int award_target(struct app_req *r, int64_t type_id, char target[16])
{
	struct store_stmt *st = store_prepare(r->store, "SELECT target, active FROM award_types WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, type_id);
	int rc = store_step(st);
	bool active = false;
	target[0] = '\0';
	if (rc == STORE_ROW) {
		snprintf(target, 16, "%s", store_col_text(st, 0));
		active = store_col_int(st, 1) != 0;
	}
	store_done(st);
	if (rc == STORE_DONE || (rc == STORE_ROW && !active))
		return app_fail(r, APP_EINVALID, "award_type_not_found", "type_id");
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc);
}

/* Whether a nominee belongs to the round: filed in its subtree, or (a
 * volunteer) filed elsewhere but served there in its period, so a
 * candidate there. 0 with *inside, or -1 on a store failure. */
static int nominee_inside(struct app_req *r, const struct round_ref *w, bool for_volunteer, int64_t id, bool *inside)
{
	struct store_stmt *st = store_prepare(r->store, for_volunteer
		? "SELECT o.path FROM volunteers v JOIN orgs o ON o.id = v.home_org_id WHERE v.id = $1"
		: "SELECT path FROM orgs WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	*inside = rc == STORE_ROW && strncmp(store_col_text(st, 0), w->path, strlen(w->path)) == 0;
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return app_store_fail(r, rc);
	if (*inside || !for_volunteer || rc != STORE_ROW)
		return 0;
	st = store_prepare(r->store,
		"SELECT 1 FROM service_records s JOIN orgs ro ON ro.id = s.org_id WHERE s.volunteer_id = $1"
		" AND s.status = 'approved' AND s.amends_id IS NULL AND s.starts_at >= $2 AND s.starts_at < $3"
		" AND ro.path LIKE $4 LIMIT 1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, w->from);
	store_bind_int(st, 3, w->to);
	store_bind_text(st, 4, arena_printf(r->arena, "%s%%", w->path));
	rc = store_step(st);
	*inside = rc == STORE_ROW;
	store_done(st);
	return rc == STORE_ROW || rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

int awards_nominate(struct app_req *r, int64_t round_id, json_t *in, json_t **out)
{
	struct nom_ctx c = { .r = r, .round_id = round_id };
	struct round_ref w;
	if (round_ref(r, round_id, AUTHZ_RECORDS_READ, &w) != 0)
		return -1;
	c.scope_org = w.org_id;
	c.path = w.path;
	if (strcmp(w.status, "open") != 0)
		return app_fail(r, APP_ECONFLICT, "round_closed", NULL);
	bool has_v = false, has_o = false;
	if (in_id(r, in, "type_id", true, &c.type_id, NULL) != 0 || in_id(r, in, "volunteer_id", false, &c.volunteer_id, &has_v) != 0 ||
	    in_id(r, in, "org_id", false, &c.org_id, &has_o) != 0 || in_text(r, in, "reason", true, 500, &c.reason) != 0)
		return -1;
	char target[16];
	if (award_target(r, c.type_id, target) != 0)
		return -1;
	bool for_volunteer = strcmp(target, "volunteer") == 0;
	if (for_volunteer ? (!has_v || has_o) : (!has_o || has_v))
		return app_fail(r, APP_EINVALID, "wrong_nominee", for_volunteer ? "volunteer_id" : "org_id");
	/* the nominee must belong to the round's subtree */
	bool inside;
	if (nominee_inside(r, &w, for_volunteer, for_volunteer ? c.volunteer_id : c.org_id, &inside) != 0)
		return -1;
	if (!inside)
		return app_fail(r, APP_EINVALID, "outside_round", for_volunteer ? "volunteer_id" : "org_id");
	int rc = store_tx(r->store, nominate_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return awards_round_get(r, round_id, out);
}

/* The transaction of awards_decide: the nomination is decided once (of
 * racing decisions one wins, the others get 409 already_decided), and an
 * approval writes the award into the nominee's file. */
static int decide_tx(struct store *s, void *vctx)
{
	struct nom_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"UPDATE nominations SET status = $2, decided_by = $3, decided_at = $4 WHERE id = $1 AND status = 'nominated'"
		" RETURNING type_id, volunteer_id, org_id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_text(st, 2, c->approve ? "approved" : "rejected");
	store_bind_int(st, 3, c->r->who->user_id);
	store_bind_int(st, 4, app_now());
	int rc = store_step(st);
	int64_t type = 0, vol = 0, org = 0;
	if (rc == STORE_ROW) {
		type = store_col_int(st, 0);
		vol = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
		org = store_col_null(st, 2) ? 0 : store_col_int(st, 2);
	}
	store_done(st);
	if (rc == STORE_DONE) {
		app_fail(c->r, APP_ECONFLICT, "already_decided", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	/* a nomination names one nominee, a volunteer or an organisation */
	assert((vol != 0) != (org != 0));
	if (c->approve) {
		st = store_prepare(s,
			"INSERT INTO awards (name, volunteer_id, org_id, granted_on, granting_unit, source, nomination_id,"
			" created_by, created_at) SELECT name, $2, $3, $4, $5, 'round', $1, $6, $7 FROM award_types WHERE id = $8");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, c->id);
		store_bind_id(st, 2, vol);
		store_bind_id(st, 3, org);
		store_bind_text(st, 4, app_today(c->r));
		store_bind_text(st, 5, c->granting_unit);
		store_bind_int(st, 6, c->r->who->user_id);
		store_bind_int(st, 7, app_now());
		store_bind_int(st, 8, type);
		rc = store_step(st);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return audit_write_text(c->r, s, c->approve ? "award.approve" : "award.reject", "nomination", c->id,
				c->scope_org, c->path, NULL);
}

int awards_decide(struct app_req *r, int64_t nomination_id, bool approve, json_t **out)
{
	struct nom_ctx c = { .r = r, .id = nomination_id, .approve = approve };
	struct store_stmt *st = store_prepare(r->store, "SELECT round_id FROM nominations WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, nomination_id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		c.round_id = store_col_int(st, 0);
	store_done(st);
	if (rc == STORE_DONE)
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	struct round_ref w;
	if (round_ref(r, c.round_id, AUTHZ_MARKET_ADMIN, &w) != 0)
		return -1;
	c.scope_org = w.org_id;
	c.path = w.path;
	snprintf(c.granting_unit, sizeof(c.granting_unit), "%s", w.org_name);
	rc = store_tx(r->store, decide_tx, &c);
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	return awards_round_get(r, c.round_id, out);
}

/* ---- the file and the honour roll ---- */

struct ext_ctx {
	struct app_req *r;
	int64_t volunteer_id, id, org_id;
	const char *name, *granted_on, *unit, *evidence, *path;
};

/* The transaction of awards_external: the award, audited. */
static int ext_tx(struct store *s, void *vctx)
{
	struct ext_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO awards (name, volunteer_id, granted_on, granting_unit, source, evidence, created_by, created_at)"
		" VALUES ($1, $2, $3, $4, 'external', $5, $6, $7) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->name);
	store_bind_int(st, 2, c->volunteer_id);
	store_bind_text(st, 3, c->granted_on);
	store_bind_text(st, 4, c->unit);
	store_bind_text(st, 5, c->evidence);
	store_bind_int(st, 6, c->r->who->user_id);
	store_bind_int(st, 7, app_now());
	int rc = store_step(st);
	if (rc == STORE_ROW)
		c->id = store_col_int(st, 0);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	return audit_write_text(c->r, s, "award.external", "award", c->id, c->org_id, c->path, NULL);
}

static json_t *award_json(struct app_req *r, struct store_stmt *st)
{
	(void)r;
	return json_pack("{sI ss ss ss ss ss?}", "id", (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1),
		"granted_on", store_col_text(st, 2), "granting_unit", store_col_text(st, 3),
		"source", store_col_text(st, 4), "evidence", store_col_text(st, 5));
}

int awards_external(struct app_req *r, int64_t volunteer_id, json_t *in, json_t **out)
{
	struct ext_ctx c = { .r = r, .volunteer_id = volunteer_id };
	struct store_stmt *st;
	if (app_load_row(r, "SELECT o.id, o.path FROM volunteers v JOIN orgs o ON o.id = v.home_org_id WHERE v.id = $1",
			 volunteer_id, AUTHZ_VOLUNTEERS_WRITE, 1, &st) != 0)
		return -1;
	c.org_id = store_col_int(st, 0);
	c.path = arena_strdup(r->arena, store_col_text(st, 1));
	store_done(st);
	int ymd;
	if (in_text(r, in, "name", true, 100, &c.name) != 0 || in_date(r, in, "granted_on", &c.granted_on, &ymd) != 0 ||
	    in_text(r, in, "granting_unit", true, 100, &c.unit) != 0 || in_text(r, in, "evidence", true, 500, &c.evidence) != 0)
		return -1;
	if (ymd > app_today_ymd())
		return app_fail(r, APP_EINVALID, "future_date", "granted_on");
	int rc = store_tx(r->store, ext_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return awards_of(r, volunteer_id, out);
}

int awards_of(struct app_req *r, int64_t volunteer_id, json_t **out)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT id, name, granted_on, granting_unit, source, evidence FROM awards WHERE volunteer_id = $1"
		" ORDER BY granted_on, id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, volunteer_id);
	return app_items(r, st, award_json, out);
}

int awards_honour_roll(struct app_req *r, const char *year_s, json_t **out)
{
	int64_t year = app_today_ymd() / 10000;
	if (year_s && (parse_id(year_s, &year) != 0 || year < 1900 || year > 2999))
		return app_fail(r, APP_EBADREQ, "invalid_value", "year");
	struct store_stmt *st = store_prepare(r->store,
		"SELECT a.name, a.granted_on, a.granting_unit, v.name, g.name FROM awards a"
		" LEFT JOIN volunteers v ON v.id = a.volunteer_id LEFT JOIN orgs g ON g.id = a.org_id"
		" WHERE a.granted_on >= $1 AND a.granted_on <= $2 AND a.source = 'round' ORDER BY a.granted_on DESC, a.id DESC"
		" LIMIT 500");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%04lld-01-01", (long long)year));
	store_bind_text(st, 2, arena_printf(r->arena, "%04lld-12-31", (long long)year));
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		/* people are shown partly masked; organisations by name */
		const char *who = store_col_null(st, 3) ? store_col_text(st, 4) : app_mask_name(r, store_col_text(st, 3));
		json_array_append_new(items, json_pack("{ss ss ss ss? ss}", "award", store_col_text(st, 0),
			"granted_on", store_col_text(st, 1), "granting_unit", store_col_text(st, 2),
			"name", who, "kind", store_col_null(st, 3) ? "org" : "volunteer"));
	}
	store_done(st);
	if (rc != STORE_DONE) {
		json_decref(items);
		return app_store_fail(r, rc);
	}
	*out = json_pack("{sI so}", "year", (json_int_t)year, "items", items);
	return 0;
}
