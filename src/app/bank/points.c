/* The points ledger, earning and adjustments (see points.h). */
#include "app/bank/points.h"
#include "app/bank/awards.h"
#include "app/bank/stars.h"
#include "app/kernel/kernel.h"
#include "app/service/service.h"
#include "core/cursor.h"
#include "core/points.h"
#include "util/arena.h"
#include "util/jsonw.h"
#include "core/chinatime.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ADJUST_MAX 100000        /* points in one grant or deduction */
#define IDEM_MAX 100             /* bytes of an Idempotency-Key */

static const char *const grades[] = { "excellent", "good", "pass", "fail" };
/* a failed service earns nothing unless an organisation says otherwise */
static const int64_t grade_default[] = { 1000, 1000, 1000, 0 };

/* Earning rules in force for an organisation. */
struct rules {
	int64_t org_id;          /* where they are set; 0 = the defaults */
	int64_t per_hour, cap_activity, cap_day, cap_year, expiry_days;
	json_t *category;        /* {"category": milli} */
	json_t *quality;         /* {"grade": milli} */
};

static void rules_free(struct rules *ru)
{
	json_decref(ru->category);
	json_decref(ru->quality);
}

/* The rules of the nearest organisation on path (itself or an ancestor)
 * that has its own, else the defaults. */
static int rules_for(struct store *s, const char *path, struct rules *ru)
{
	*ru = (struct rules){ .per_hour = 1000 };
	struct store_stmt *st = store_prepare(s,
		"SELECT p.org_id, p.per_hour_milli, p.category_milli, p.quality_milli, p.cap_activity, p.cap_day,"
		" p.cap_year, p.expiry_days FROM point_rules p JOIN orgs o ON o.id = p.org_id"
		" WHERE $1 LIKE o.path || '%' ORDER BY length(o.path) DESC LIMIT 1");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, path);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		ru->org_id = store_col_int(st, 0);
		ru->per_hour = store_col_int(st, 1);
		ru->category = json_loads(store_col_text(st, 2), 0, NULL);
		ru->quality = json_loads(store_col_text(st, 3), 0, NULL);
		ru->cap_activity = store_col_int(st, 4);
		ru->cap_day = store_col_int(st, 5);
		ru->cap_year = store_col_int(st, 6);
		ru->expiry_days = store_col_int(st, 7);
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return rc;
	if (!ru->category)
		ru->category = json_object();
	if (!ru->quality) {
		ru->quality = json_object();
		for (int g = 0; g < 4; g++)
			json_object_set_new(ru->quality, grades[g], json_integer(grade_default[g]));
	}
	return STORE_OK;
}

static int64_t milli_of(json_t *o, const char *key, int64_t dflt)
{
	json_t *v = key ? json_object_get(o, key) : NULL;
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* Points already earned by a volunteer on a day and in a year, leaving
 * out one record. */
static int earned_so_far(struct store *s, int64_t volunteer, int day, int year, int64_t except,
			 int64_t *on_day, int64_t *in_year)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT COALESCE(SUM(CASE WHEN day = $2 THEN points ELSE 0 END), 0), COALESCE(SUM(points), 0)"
		" FROM point_earnings WHERE volunteer_id = $1 AND year = $3 AND record_id <> $4");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, volunteer);
	store_bind_int(st, 2, day);
	store_bind_int(st, 3, year);
	store_bind_int(st, 4, except);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*on_day = store_col_int(st, 0);
		*in_year = store_col_int(st, 1);
	}
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

/* A record as earning needs it (copied from the approval's). */
struct rec {
	int64_t id, volunteer_id, org_id, starts_at, minutes, amends_id;
	char path[256], quality[16], category[256];
};

/* The China day (YYYYMMDD) and year of a moment. */
static void china_day(int64_t t, int *day, int *year)
{
	*day = china_ymd(t);
	*year = *day / 10000;
}

static int earn_original(struct app_req *r, struct store *s, const struct rec *o)
{
	struct rules ru;
	int rc = rules_for(s, o->path, &ru);
	if (rc != STORE_OK)
		return rc;
	int64_t cat = milli_of(ru.category, o->category[0] ? o->category : NULL, 1000);
	int64_t q = milli_of(ru.quality, o->quality, 1000);
	int day, year;
	china_day(o->starts_at, &day, &year);
	int64_t on_day = 0, in_year = 0;
	rc = earned_so_far(s, o->volunteer_id, day, year, o->id, &on_day, &in_year);
	int64_t raw = points_for_minutes(o->minutes, ru.per_hour, cat, q);
	int64_t pts = points_capped(raw, ru.cap_activity, ru.cap_day, on_day, ru.cap_year, in_year);
	struct store_stmt *st = rc == STORE_OK ? store_prepare(s,
		"INSERT INTO point_earnings (record_id, volunteer_id, org_id, day, year, per_hour_milli, category_milli,"
		" quality_milli, cap_activity, cap_day, cap_year, points, created_at, expiry_days)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (record_id) DO NOTHING"
		" RETURNING record_id") : NULL;
	if (rc == STORE_OK && !st)
		rc = STORE_ERROR;
	if (st) {
		int64_t v[] = { o->id, o->volunteer_id, o->org_id, day, year, ru.per_hour, cat, q,
				ru.cap_activity, ru.cap_day, ru.cap_year, pts, app_now(), ru.expiry_days };
		for (int i = 0; i < 14; i++)
			store_bind_int(st, i + 1, v[i]);
		rc = store_step(st);
		store_done(st);
	}
	int64_t expiry_days = ru.expiry_days;
	rules_free(&ru);
	if (rc == STORE_DONE)
		return STORE_OK;   /* issued before: exactly once */
	if (rc != STORE_ROW)
		return rc;
	if (pts <= 0)
		return STORE_OK;
	struct point_move m = { .amount = pts, .cause = "earn", .record_id = o->id, .volunteer_id = o->volunteer_id,
			  .org_id = o->org_id, .operator_id = r->who ? r->who->user_id : 0,
			  .expires_at = points_expires_at(app_now(), expiry_days) };
	if ((rc = points_account(s, "pool", o->org_id, &m.from)) != STORE_OK ||
	    (rc = points_account(s, "volunteer", o->volunteer_id, &m.to)) != STORE_OK)
		return rc;
	return points_move(s, &m);
}

/* An approved amendment: the original's points follow its new minutes,
 * at the rates and caps it earned at. */
static int earn_amendment(struct app_req *r, struct store *s, const struct rec *amend)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT e.day, e.year, e.per_hour_milli, e.category_milli, e.quality_milli, e.cap_activity, e.cap_day,"
		" e.cap_year, e.points, e.volunteer_id, e.org_id, e.expiry_days FROM point_earnings e WHERE e.record_id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, amend->amends_id);
	int rc = store_step(st);
	int64_t e[12] = { 0 };
	if (rc == STORE_ROW)
		for (int i = 0; i < 12; i++)
			e[i] = store_col_int(st, i);
	store_done(st);
	if (rc == STORE_DONE)
		return STORE_OK;   /* approved before the points bank: nothing to follow */
	if (rc != STORE_ROW)
		return rc;
	int64_t on_day = 0, in_year = 0;
	if ((rc = earned_so_far(s, e[9], (int)e[0], (int)e[1], amend->amends_id, &on_day, &in_year)) != STORE_OK)
		return rc;
	int64_t raw = points_for_minutes(amend->minutes, e[2], e[3], e[4]);
	int64_t now_pts = points_capped(raw, e[5], e[6], on_day, e[7], in_year);
	int64_t delta = now_pts - e[8];
	if (delta == 0)
		return STORE_OK;
	st = store_prepare(s, "UPDATE point_earnings SET points = $2 WHERE record_id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, amend->amends_id);
	store_bind_int(st, 2, now_pts);
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	int64_t pool, vol;
	if ((rc = points_account(s, "pool", e[10], &pool)) != STORE_OK || (rc = points_account(s, "volunteer", e[9], &vol)) != STORE_OK)
		return rc;
	struct point_move m = { .cause = delta > 0 ? "earn" : "reverse", .record_id = amend->id, .volunteer_id = e[9],
			  .org_id = e[10], .operator_id = r->who ? r->who->user_id : 0 };
	if (delta > 0) {
		m.from = pool;
		m.to = vol;
		m.amount = delta;
		m.expires_at = points_expires_at(app_now(), e[11]);
		return points_move(s, &m);
	}
	if ((rc = points_expire(r, s, e[9], app_now())) != STORE_OK)
		return rc;
	/* take back what is there; what was spent already is a shortfall */
	st = store_prepare(s, "SELECT balance FROM point_accounts WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, vol);
	rc = store_step(st);
	int64_t balance = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	int64_t owed = -delta, take = owed < balance ? owed : balance;
	if (take > 0) {
		m.from = vol;
		m.to = pool;
		m.amount = take;
		if ((rc = points_move(s, &m)) != STORE_OK)
			return rc;
	}
	if (owed > take) {
		st = store_prepare(s,
			"INSERT INTO point_shortfalls (volunteer_id, record_id, amount, created_at) VALUES ($1, $2, $3, $4)");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, e[9]);
		store_bind_int(st, 2, amend->id);
		store_bind_int(st, 3, owed - take);
		store_bind_int(st, 4, app_now());
		rc = store_step(st);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

int points_on_approved(struct app_req *r, struct store *s, const struct service_record *rec)
{
	struct rec o = { .id = rec->id, .volunteer_id = rec->volunteer_id, .org_id = rec->org_id,
			 .starts_at = rec->starts_at, .minutes = rec->minutes, .amends_id = rec->amends_id };
	assert(rec->org_path && rec->quality && rec->category);
	snprintf(o.path, sizeof(o.path), "%s", rec->org_path);
	snprintf(o.quality, sizeof(o.quality), "%s", rec->quality);
	snprintf(o.category, sizeof(o.category), "%s", rec->category);
	return o.amends_id ? earn_amendment(r, s, &o) : earn_original(r, s, &o);
}

/* The archive's "awards" member (awards.c keeps them). */
static int awards_archive_section(struct app_req *r, int64_t volunteer_id, struct jsonw *w)
{
	json_t *awards = NULL;
	if (awards_of(r, volunteer_id, &awards) != 0)
		return STORE_ERROR;
	jsonw_key(w, "awards");
	jsonw_json(w, json_object_get(awards, "items"));
	json_decref(awards);
	return STORE_OK;
}

void bank_wire(struct app *a)
{
	(void)a;
	/* after the chain and the totals: stars first (their level follows
	 * the totals), then points, as decisions always ran them */
	service_on_approved(stars_on_approved, true);
	service_on_approved(points_on_approved, false);
	service_archive_section_add(stars_archive_section);
	service_archive_section_add(awards_archive_section);
}

struct expire_ctx {
	struct app_req *r;
	int64_t volunteer, now;
};

static int expire_tx(struct store *s, void *vctx)
{
	struct expire_ctx *c = vctx;
	return points_expire(c->r, s, c->volunteer, c->now);
}

int points_expire_all(struct app_req *r, int64_t now, int64_t *moved)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT count(*) FROM point_movements WHERE cause = 'expire'");
	int64_t before = 0, after = 0;
	if (st && store_step(st) == STORE_ROW)
		before = store_col_int(st, 0);
	store_done(st);
	struct expire_ctx c = { r, 0, now };
	int rc = store_tx(r->store, expire_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	st = store_prepare(r->store, "SELECT count(*) FROM point_movements WHERE cause = 'expire'");
	if (st && store_step(st) == STORE_ROW)
		after = store_col_int(st, 0);
	store_done(st);
	*moved = after - before;
	return 0;
}

/* ---- reading ---- */

int points_balance(struct app_req *r, int64_t volunteer_id, json_t **out)
{
	json_t *file;
	if (records_archive_access(r, volunteer_id, &file) != 0)
		return -1;
	json_decref(file);
	struct expire_ctx ec = { r, volunteer_id, app_now() };
	int erc = store_tx(r->store, expire_tx, &ec);
	if (erc != STORE_OK)
		return app_store_fail(r, erc);
	struct store_stmt *st = store_prepare(r->store,
		"SELECT COALESCE((SELECT balance FROM point_accounts WHERE kind = 'volunteer' AND owner_id = $1), 0),"
		" COALESCE((SELECT SUM(points) FROM point_earnings WHERE volunteer_id = $1), 0),"
		" COALESCE((SELECT SUM(amount) FROM point_shortfalls WHERE volunteer_id = $1), 0)");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, volunteer_id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*out = json_pack("{sI sI sI sI si}", "volunteer_id", (json_int_t)volunteer_id,
				 "balance", (json_int_t)store_col_int(st, 0), "earned", (json_int_t)store_col_int(st, 1),
				 "shortfall", (json_int_t)store_col_int(st, 2),
				 "voucher_points", app_config(r->app)->voucher_points > 0 ? app_config(r->app)->voucher_points : 30);
	store_done(st);
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc);
}

#define MOVE_COLUMNS "m.id, m.amount, m.cause, m.record_id, m.reason, m.volunteer_id, m.org_id, m.operator_id," \
	" m.created_at, f.kind, f.owner_id, t.kind, t.owner_id"
#define MOVE_FROM " FROM point_movements m JOIN point_accounts f ON f.id = m.from_account" \
	" JOIN point_accounts t ON t.id = m.to_account"

static json_t *movement_json(struct app_req *r, struct store_stmt *st)
{
	return json_pack("{sI sI ss so ss? so sI so ss s{ss sI} s{ss sI}}",
		"id", (json_int_t)store_col_int(st, 0),
		"amount", (json_int_t)store_col_int(st, 1),
		"cause", store_col_text(st, 2),
		"record_id", col_id_json(st, 3),
		"reason", store_col_text(st, 4),
		"volunteer_id", col_id_json(st, 5),
		"org_id", (json_int_t)store_col_int(st, 6),
		"operator_id", col_id_json(st, 7),
		"created_at", app_iso(r, store_col_int(st, 8)),
		"from", "kind", store_col_text(st, 9), "owner_id", (json_int_t)store_col_int(st, 10),
		"to", "kind", store_col_text(st, 11), "owner_id", (json_int_t)store_col_int(st, 12));
}

int points_movements(struct app_req *r, const char *volunteer_s, const char *org_s, const char *limit_s,
		     const char *cursor, json_t **out)
{
	int limit;
	int64_t before, volunteer = 0;
	if (app_limit(r, limit_s, &limit) != 0 || app_cursor(r, cursor, &before) != 0)
		return -1;
	struct store_stmt *st;
	if (volunteer_s) {
		json_t *file;
		if (parse_id(volunteer_s, &volunteer) != 0)
			return app_fail(r, APP_EBADREQ, "invalid_id", "volunteer_id");
		if (records_archive_access(r, volunteer, &file) != 0)
			return -1;
		json_decref(file);
		st = store_prepare(r->store, "SELECT " MOVE_COLUMNS MOVE_FROM
				   " WHERE m.volunteer_id = $1 AND ($2 = 0 OR m.id < $2) ORDER BY m.id DESC LIMIT $3");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_int(st, 1, volunteer);
	} else {
		const char *scope;
		if (authz_check(r, AUTHZ_POINTS_READ, r->who ? r->who->org_path : NULL) != 0 ||
		    app_scope(r, org_s, AUTHZ_POINTS_READ, &scope) != 0)
			return -1;
		const char *like = arena_printf(r->arena, "%s%%", scope);
		st = store_prepare(r->store, "SELECT " MOVE_COLUMNS MOVE_FROM " JOIN orgs o ON o.id = m.org_id"
				   " WHERE o.path LIKE $1 AND ($2 = 0 OR m.id < $2) ORDER BY m.id DESC LIMIT $3");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_text(st, 1, like);
	}
	store_bind_int(st, 2, before);
	store_bind_int(st, 3, limit + 1);
	return app_page(r, st, limit, movement_json, out);
}

/* ---- adjustments ---- */

struct adjust_ctx {
	struct app_req *r;
	int64_t volunteer_id, amount, org_id, id;
	const char *reason, *idem, *org_path;
	bool existed;
};

static int adjust_tx(struct store *s, void *vctx)
{
	struct adjust_ctx *c = vctx;
	int rc;
	if (c->idem) {
		rc = app_idem_lookup(c->r, s, "SELECT id FROM point_movements WHERE operator_id = $1 AND idempotency_key = $2",
				     c->idem, &c->id);
		if (rc == STORE_ROW)
			c->existed = true;
		if (rc != STORE_DONE)
			return rc == STORE_ROW ? STORE_OK : rc;
	}
	int64_t adj, vol;
	if (c->amount < 0 && (rc = points_expire(c->r, s, c->volunteer_id, app_now())) != STORE_OK)
		return rc;
	if ((rc = points_account(s, "adjustment", c->org_id, &adj)) != STORE_OK ||
	    (rc = points_account(s, "volunteer", c->volunteer_id, &vol)) != STORE_OK)
		return rc;
	struct point_move m = { .from = c->amount > 0 ? adj : vol, .to = c->amount > 0 ? vol : adj,
			  .amount = c->amount > 0 ? c->amount : -c->amount, .cause = "adjust",
			  .reason = c->reason, .volunteer_id = c->volunteer_id, .org_id = c->org_id,
			  .operator_id = c->r->who->user_id, .idem = c->idem };
	rc = points_pay(c->r, s, &m, "amount");
	if (rc != STORE_OK)
		return rc;
	c->id = m.id;
	char detail[128];
	snprintf(detail, sizeof(detail), "{\"volunteer_id\":%lld,\"amount\":%lld}", (long long)c->volunteer_id,
		 (long long)c->amount);
	return audit_write_text(c->r, s, "points.adjust", "point_movement", m.id, c->org_id, c->org_path, detail);
}

static int movement_get(struct app_req *r, int64_t id, json_t **out)
{
	return app_get_row(r, "SELECT " MOVE_COLUMNS MOVE_FROM " WHERE m.id = $1", id, movement_json, out);
}

int points_adjust(struct app_req *r, json_t *in, const char *idem, json_t **out)
{
	struct adjust_ctx c = { .r = r, .idem = idem };
	if (authz_check(r, AUTHZ_POINTS_ADJUST, NULL) != 0)
		return -1;
	if (idem && (!*idem || strlen(idem) > IDEM_MAX))
		return app_fail(r, APP_EBADREQ, "invalid_value", "Idempotency-Key");
	if (in_id(r, in, "volunteer_id", true, &c.volunteer_id, NULL) != 0 ||
	    in_text(r, in, "reason", true, 200, &c.reason) != 0)
		return -1;
	json_t *a = json_object_get(in, "amount");
	if (!a || json_is_null(a))
		return app_fail(r, APP_EINVALID, "required", "amount");
	if (!json_is_integer(a))
		return app_fail(r, APP_EBADREQ, "wrong_type", "amount");
	c.amount = json_integer_value(a);
	if (c.amount == 0 || c.amount > ADJUST_MAX || c.amount < -ADJUST_MAX)
		return app_fail(r, APP_EINVALID, "invalid_value", "amount");
	/* the volunteer's home organisation must be in the admin's scope */
	struct store_stmt *st = store_prepare(r->store,
		"SELECT o.id, o.path FROM volunteers v JOIN orgs o ON o.id = v.home_org_id WHERE v.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, c.volunteer_id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		c.org_id = store_col_int(st, 0);
		c.org_path = arena_strdup(r->arena, store_col_text(st, 1));
	}
	store_done(st);
	if (rc == STORE_DONE)
		return app_fail(r, APP_EINVALID, "volunteer_not_found", "volunteer_id");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	if (authz_check(r, AUTHZ_POINTS_ADJUST, c.org_path) != 0)
		return -1;
	rc = store_tx(r->store, adjust_tx, &c);
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	return movement_get(r, c.id, out);
}

/* ---- rules ---- */

static json_t *milli_json(int64_t m)
{
	return json_real((double)m / 1000.0);
}

static json_t *milli_map_json(json_t *o)
{
	json_t *out = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
		json_object_set_new(out, k, milli_json(json_integer_value(v)));
	return out;
}

static int rules_org(struct app_req *r, int64_t org_id, int action, struct org_ref *o)
{
	int rc = org_fetch(r, r->store, org_id, o);
	if (rc == STORE_DONE)
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	return authz_check(r, (enum authz_action)action, o->path);
}

int points_rules_get(struct app_req *r, int64_t org_id, json_t **out)
{
	struct org_ref o;
	if (rules_org(r, org_id, AUTHZ_ORGS_READ, &o) != 0)
		return -1;
	struct rules ru;
	int rc = rules_for(r->store, o.path, &ru);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	*out = json_pack("{so sI so so so so so so so}",
		"expiry_days", ru.expiry_days ? json_integer(ru.expiry_days) : json_null(),
		"org_id", (json_int_t)org_id,
		"inherited_from", ru.org_id ? json_integer(ru.org_id) : json_null(),
		"points_per_hour", milli_json(ru.per_hour),
		"category_coefficients", milli_map_json(ru.category),
		"quality_multipliers", milli_map_json(ru.quality),
		"cap_per_activity", ru.cap_activity ? json_integer(ru.cap_activity) : json_null(),
		"cap_per_day", ru.cap_day ? json_integer(ru.cap_day) : json_null(),
		"cap_per_year", ru.cap_year ? json_integer(ru.cap_year) : json_null());
	rules_free(&ru);
	return 0;
}

/* A rate field: a number ≥ 0 with at most three decimals. */
static int in_rate(struct app_req *r, json_t *v, const char *field, int64_t *milli)
{
	if (!json_is_number(v))
		return app_fail(r, APP_EBADREQ, "wrong_type", field);
	if (points_rate_milli(json_number_value(v), milli) != 0)
		return app_fail(r, APP_EINVALID, "invalid_value", field);
	return 0;
}

/* A cap field: null (none) or a whole number of points ≥ 1. */
static int in_cap(struct app_req *r, json_t *in, const char *field, int64_t *cap)
{
	json_t *v = json_object_get(in, field);
	*cap = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return app_fail(r, APP_EBADREQ, "wrong_type", field);
	if (json_integer_value(v) < 1 || json_integer_value(v) > 100000000)
		return app_fail(r, APP_EINVALID, "invalid_value", field);
	*cap = json_integer_value(v);
	return 0;
}

struct rules_ctx {
	struct app_req *r;
	int64_t org_id, per_hour, caps[3], expiry_days;
	const char *category, *quality, *org_path;
};

static int rules_tx(struct store *s, void *vctx)
{
	struct rules_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO point_rules (org_id, per_hour_milli, category_milli, quality_milli, cap_activity, cap_day,"
		" cap_year, updated_by, updated_at, expiry_days) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
		" ON CONFLICT (org_id) DO UPDATE SET per_hour_milli = $2, category_milli = $3, quality_milli = $4,"
		" cap_activity = $5, cap_day = $6, cap_year = $7, updated_by = $8, updated_at = $9, expiry_days = $10");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->org_id);
	store_bind_int(st, 2, c->per_hour);
	store_bind_text(st, 3, c->category);
	store_bind_text(st, 4, c->quality);
	for (int i = 0; i < 3; i++)
		store_bind_int(st, 5 + i, c->caps[i]);
	store_bind_int(st, 8, c->r->who->user_id);
	store_bind_int(st, 9, app_now());
	store_bind_int(st, 10, c->expiry_days);
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	return audit_write_text(c->r, s, "points.rules", "org", c->org_id, c->org_id, c->org_path, NULL);
}

int points_rules_set(struct app_req *r, int64_t org_id, json_t *in, json_t **out)
{
	struct org_ref o;
	if (rules_org(r, org_id, AUTHZ_POINTS_RULES, &o) != 0)
		return -1;
	struct rules_ctx c = { .r = r, .org_id = org_id, .per_hour = 1000, .org_path = o.path };
	json_t *v = json_object_get(in, "points_per_hour");
	if (v && !json_is_null(v) && in_rate(r, v, "points_per_hour", &c.per_hour) != 0)
		return -1;
	static const char *const caps[] = { "cap_per_activity", "cap_per_day", "cap_per_year" };
	for (int i = 0; i < 3; i++)
		if (in_cap(r, in, caps[i], &c.caps[i]) != 0)
			return -1;
	/* points earned under these rules expire after so many days (none:
	 * never) */
	if (in_cap(r, in, "expiry_days", &c.expiry_days) != 0)
		return -1;
	if (points_expires_at(0, c.expiry_days) < 0)
		return app_fail(r, APP_EINVALID, "invalid_value", "expiry_days");
	json_t *cat = json_object(), *qual = json_object();
	for (int g = 0; g < 4; g++)
		json_object_set_new(qual, grades[g], json_integer(grade_default[g]));
	int fail = 0;
	json_t *cc = json_object_get(in, "category_coefficients");
	if (cc && !json_is_null(cc)) {
		if (!json_is_object(cc))
			fail = app_fail(r, APP_EBADREQ, "wrong_type", "category_coefficients");
		else if (json_object_size(cc) > 100)
			fail = app_fail(r, APP_EINVALID, "too_many", "category_coefficients");
		const char *k;
		json_t *x;
		if (!fail)
			json_object_foreach(cc, k, x) {
				int64_t m;
				if (!*k || strlen(k) > 100) {
					fail = app_fail(r, APP_EINVALID, "invalid_value", "category_coefficients");
					break;
				}
				if ((fail = in_rate(r, x, "category_coefficients", &m)) != 0)
					break;
				json_object_set_new(cat, k, json_integer(m));
			}
	}
	json_t *qm = json_object_get(in, "quality_multipliers");
	if (!fail && qm && !json_is_null(qm)) {
		if (!json_is_object(qm))
			fail = app_fail(r, APP_EBADREQ, "wrong_type", "quality_multipliers");
		const char *k;
		json_t *x;
		if (!fail)
			json_object_foreach(qm, k, x) {
				int64_t m;
				bool known = false;
				for (int g = 0; g < 4; g++)
					known |= strcmp(k, grades[g]) == 0;
				if (!known) {
					fail = app_fail(r, APP_EINVALID, "invalid_quality", "quality_multipliers");
					break;
				}
				if ((fail = in_rate(r, x, "quality_multipliers", &m)) != 0)
					break;
				json_object_set_new(qual, k, json_integer(m));
			}
	}
	if (!fail) {
		char *a = json_dumps(cat, JSON_COMPACT | JSON_SORT_KEYS), *b = json_dumps(qual, JSON_COMPACT | JSON_SORT_KEYS);
		c.category = arena_strdup(r->arena, a);
		c.quality = arena_strdup(r->arena, b);
		free(a);
		free(b);
	}
	json_decref(cat);
	json_decref(qual);
	if (fail)
		return -1;
	int rc = store_tx(r->store, rules_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return points_rules_get(r, org_id, out);
}

static int clear_tx(struct store *s, void *vctx)
{
	struct rules_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s, "DELETE FROM point_rules WHERE org_id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->org_id);
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	return audit_write_text(c->r, s, "points.rules_cleared", "org", c->org_id, c->org_id, c->org_path, NULL);
}

int points_rules_clear(struct app_req *r, int64_t org_id, json_t **out)
{
	struct org_ref o;
	if (rules_org(r, org_id, AUTHZ_POINTS_RULES, &o) != 0)
		return -1;
	struct rules_ctx c = { .r = r, .org_id = org_id, .org_path = o.path };
	int rc = store_tx(r->store, clear_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return points_rules_get(r, org_id, out);
}
