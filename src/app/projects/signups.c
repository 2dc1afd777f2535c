/* Sign-ups for shifts and their waitlist: signing up, the lists of a
 * shift and of a person, cancelling (a freed place goes to the first
 * waiting) and cancelling everything a leaver holds (see shifts.h). */
#include "app/projects/shifts.h"
#include "app/projects/shifts_int.h"
#include "app/kernel/kernel.h"
#include "app/network/network.h"
#include "core/shifts.h"
#include "core/validate.h"
#include "util/arena.h"
#include "core/chinatime.h"
#include <assert.h>
#include <string.h>

#define SIGNUP_COLUMNS "g.id, g.shift_id, x.project_id, p.title, g.volunteer_id, v.name, g.status, g.arrival," \
	" g.created_at, g.cancelled_at, g.checked_in_at, g.checked_out_at, g.auto_checkout, g.minutes, g.record_id," \
	" x.starts_at, x.ends_at, x.place," \
	" (SELECT count(*) FROM signups w WHERE w.shift_id = g.shift_id AND w.status = 'waitlisted'" \
	"   AND w.arrival <= g.arrival AND g.status = 'waitlisted')"
#define SIGNUP_FROM " FROM signups g JOIN shifts x ON x.id = g.shift_id JOIN projects p ON p.id = x.project_id" \
	" JOIN volunteers v ON v.id = g.volunteer_id"

static json_t *time_or_null(struct app_req *r, struct store_stmt *st, int col)
{
	return store_col_null(st, col) ? json_null() : json_string(app_iso(r, store_col_int(st, col)));
}

static json_t *signup_json(struct app_req *r, struct store_stmt *st)
{
	json_t *o = json_pack("{sI sI sI ss sI ss ss sI ss so so so sb so so ss ss ss}",
		"id", (json_int_t)store_col_int(st, 0),
		"shift_id", (json_int_t)store_col_int(st, 1),
		"project_id", (json_int_t)store_col_int(st, 2),
		"project_title", store_col_text(st, 3),
		"volunteer_id", (json_int_t)store_col_int(st, 4),
		"volunteer_name", store_col_text(st, 5),
		"status", store_col_text(st, 6),
		"arrival", (json_int_t)store_col_int(st, 7),
		"created_at", app_iso(r, store_col_int(st, 8)),
		"cancelled_at", time_or_null(r, st, 9),
		"checked_in_at", time_or_null(r, st, 10),
		"checked_out_at", time_or_null(r, st, 11),
		"auto_checkout", store_col_int(st, 12) != 0,
		"minutes", col_id_json(st, 13),
		"record_id", col_id_json(st, 14),
		"starts_at", app_iso(r, store_col_int(st, 15)),
		"ends_at", app_iso(r, store_col_int(st, 16)),
		"place", store_col_text(st, 17));
	int64_t pos = store_col_int(st, 18);
	json_object_set_new(o, "position", pos ? json_integer(pos) : json_null());
	return o;
}

int signup_get(struct app_req *r, int64_t id, json_t **out)
{
	return app_get_row(r, "SELECT " SIGNUP_COLUMNS SIGNUP_FROM " WHERE g.id = $1", id, signup_json, out);
}

int shifts_signups(struct app_req *r, int64_t id, json_t **out)
{
	struct shift_ref x;
	if (shift_load(r, id, &x) != 0 || shift_staff_or_fail(r, &x, AUTHZ_RECORDS_READ) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, "SELECT " SIGNUP_COLUMNS SIGNUP_FROM
					      " WHERE g.shift_id = $1 ORDER BY g.arrival, g.id LIMIT 250000");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	return app_items(r, st, signup_json, out);
}

int shifts_mine(struct app_req *r, json_t **out)
{
	int64_t vid;
	if (volunteers_mine_id(r, &vid) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, "SELECT " SIGNUP_COLUMNS SIGNUP_FROM
					      " WHERE g.volunteer_id = $1 ORDER BY x.starts_at DESC, g.id DESC LIMIT 200");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, vid);
	return app_items(r, st, signup_json, out);
}

/* Everything a sign-up is decided on, read in one statement (the rush
 * path): the shift and its project, whether the caller is paired with
 * it, and the volunteer with their recent no-shows and the training. */
#define SIGNUP_LOAD "SELECT x.project_id, x.starts_at, x.ends_at, x.signup_deadline, x.min_age, x.max_age, x.skills," \
	" x.training_id, p.status, o.path," \
	" (SELECT count(*) FROM project_social_workers w WHERE w.project_id = p.id AND w.user_id = $2)," \
	" v.id, v.status, v.birth_date, v.user_id," \
	" (SELECT count(*) FROM signups g JOIN shifts y ON y.id = g.shift_id WHERE g.volunteer_id = v.id" \
	"   AND (g.status = 'no_show' OR (g.status = 'confirmed' AND y.ends_at <= $4)) AND y.ends_at > $5)," \
	" (SELECT count(*) FROM training_attendance t WHERE t.volunteer_id = v.id AND t.training_id = x.training_id)," \
	" p.org_id" \
	" FROM shifts x JOIN projects p ON p.id = x.project_id JOIN orgs o ON o.id = p.org_id"

struct signup_facts {
	struct shift_ref x;
	bool paired, has_volunteer, active;
	int64_t volunteer_id, volunteer_user, noshows, trained;
	const char *birth;
};

static int signup_load(struct app_req *r, struct store *s, int64_t shift_id, int64_t vid, struct signup_facts *f)
{
	const struct app_config *cfg = app_config(r->app);
	struct store_stmt *st = store_prepare(s, vid
		? SIGNUP_LOAD " LEFT JOIN volunteers v ON v.id = $3 WHERE x.id = $1"
		: SIGNUP_LOAD " LEFT JOIN volunteers v ON v.user_id = $2 AND v.deleted_at IS NULL AND CAST($3 AS BIGINT) = 0"
		  " WHERE x.id = $1");
	if (!st)
		return STORE_ERROR;
	int64_t now = app_now();
	store_bind_int(st, 1, shift_id);
	store_bind_int(st, 2, r->who->user_id);
	store_bind_int(st, 3, vid);
	store_bind_int(st, 4, now);
	store_bind_int(st, 5, now - (int64_t)cfg->noshow_days * 86400);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		if (rc == STORE_DONE)
			app_fail(r, APP_ENOTFOUND, "not_found", NULL);
		return rc == STORE_DONE ? STORE_ERROR : rc;
	}
	struct shift_ref *x = &f->x;
	x->id = shift_id;
	x->project_id = store_col_int(st, 0);
	x->starts = store_col_int(st, 1);
	x->ends = store_col_int(st, 2);
	x->deadline = store_col_int(st, 3);
	x->min_age = store_col_null(st, 4) ? -1 : store_col_int(st, 4);
	x->max_age = store_col_null(st, 5) ? -1 : store_col_int(st, 5);
	x->skills = strcmp(store_col_text(st, 6), "[]") ? arena_strdup(r->arena, store_col_text(st, 6)) : NULL;
	x->training_id = store_col_null(st, 7) ? 0 : store_col_int(st, 7);
	x->project_status = arena_strdup(r->arena, store_col_text(st, 8));
	x->path = arena_strdup(r->arena, store_col_text(st, 9));
	x->org_id = store_col_int(st, 17);   /* for the audit entry */
	f->paired = store_col_int(st, 10) > 0;
	f->has_volunteer = !store_col_null(st, 11);
	if (f->has_volunteer) {
		f->volunteer_id = store_col_int(st, 11);
		f->active = strcmp(store_col_text(st, 12), "active") == 0;
		f->birth = arena_strdup(r->arena, store_col_text(st, 13));
		f->volunteer_user = store_col_null(st, 14) ? 0 : store_col_int(st, 14);
		f->noshows = store_col_int(st, 15);
		f->trained = store_col_int(st, 16);
	}
	store_done(st);
	return STORE_OK;
}

/* The volunteer's side of a sign-up: active, of age, with the skills and
 * the training asked for, and not blocked by recent no-shows. */
static int signup_eligible(struct app_req *r, struct store *s, const struct signup_facts *f)
{
	const struct app_config *cfg = app_config(r->app);
	const struct shift_ref *x = &f->x;
	if (!f->has_volunteer)
		return app_fail(r, APP_EINVALID, "volunteer_not_found", "volunteer_id");
	if (!f->active)
		return app_fail(r, APP_EINVALID, "volunteer_inactive", "volunteer_id");
	int age = age_on_date(f->birth, china_ymd(x->starts));   /* as old as they will be then */
	if ((x->min_age >= 0 && age < x->min_age) || (x->max_age >= 0 && age > x->max_age))
		return app_fail(r, APP_EINVALID, "requirement_age", "volunteer_id");
	if (x->training_id && !f->trained)
		return app_fail(r, APP_EINVALID, "requirement_training", "volunteer_id");
	if (cfg->noshow_limit > 0 && f->noshows >= cfg->noshow_limit)
		return app_fail(r, APP_EINVALID, "no_show_blocked", "volunteer_id");
	if (!x->skills)
		return 0;
	json_t *skills = json_loads(x->skills, 0, NULL);
	size_t i;
	json_t *e;
	int ret = 0;
	json_array_foreach(skills, i, e) {
		struct store_stmt *st = store_prepare(s,
			"SELECT 1 FROM volunteer_tags WHERE kind = 'skill' AND tag = $1 AND volunteer_id = $2");
		if (!st) {
			ret = app_store_fail(r, STORE_ERROR);
			break;
		}
		store_bind_text(st, 1, json_string_value(e));
		store_bind_int(st, 2, f->volunteer_id);
		int rc = store_step(st);
		store_done(st);
		if (rc != STORE_ROW) {
			ret = rc == STORE_DONE ? app_fail(r, APP_EINVALID, "requirement_skill", "volunteer_id")
					       : app_store_fail(r, rc);
			break;
		}
	}
	json_decref(skills);
	return ret;
}

struct signup_ctx {
	struct app_req *r;
	int64_t shift_id, given_vid;
	bool given;
	struct signup_facts f;   /* read inside the transaction, or before it */
	bool decided;
	int64_t volunteer_id, busy_from, busy_to, now;
	/* out */
	int64_t id, arrival, position;
	const char *status;
	bool existed;
};

/* Whether the caller may sign this volunteer up for this shift now, read
 * on s: on SQLite the transaction's (the writer's connection, whose page
 * cache stays warm: the same read on a request's own connection cost a
 * fifth of the rush's CPU). STORE_OK, or STORE_ERROR with r->err set. */
static int signup_decide(struct signup_ctx *c, struct store *s)
{
	struct app_req *r = c->r;
	memset(&c->f, 0, sizeof(c->f));
	int rc = signup_load(r, s, c->shift_id, c->given_vid, &c->f);
	if (rc != STORE_OK)
		return rc;
	const struct shift_ref *x = &c->f.x;
	bool staff = (r->who->roles & (ROLE_ADMIN | ROLE_RECORDER | ROLE_SOCIAL_WORKER)) &&
		     ((c->f.paired && (r->who->roles & ROLE_SOCIAL_WORKER)) ||
		      authz_check(r, AUTHZ_SHIFTS_STAFF, x->path) == 0);
	memset(&r->err, 0, sizeof(r->err));
	bool open = strcmp(x->project_status, "published") == 0 || strcmp(x->project_status, "in_progress") == 0;
	if (!staff && !open && strcmp(x->project_status, "draft") == 0) {
		app_fail(r, APP_ENOTFOUND, "not_found", NULL);   /* a draft is not public yet */
		return STORE_ERROR;
	}
	if (!staff) {
		/* a volunteer signs up only themselves */
		if (!c->f.has_volunteer || c->f.volunteer_user != r->who->user_id)
			app_fail(r, APP_EFORBIDDEN, "forbidden", c->given ? "volunteer_id" : NULL);
	} else if (!c->given) {
		app_fail(r, APP_EINVALID, "required", "volunteer_id");
	}
	if (r->err.code)
		return STORE_ERROR;
	if (!open) {
		app_fail(r, APP_EINVALID, "project_not_open", "shift_id");
		return STORE_ERROR;
	}
	/* staff may still add someone later, even after the shift (a paper
	 * list entered afterwards) */
	if (!staff && c->now >= x->deadline) {
		app_fail(r, APP_EINVALID, "signup_closed", "shift_id");
		return STORE_ERROR;
	}
	if (signup_eligible(r, s, &c->f) != 0)
		return STORE_ERROR;   /* r->err says why */
	c->volunteer_id = c->f.volunteer_id;
	shift_busy(x->starts, x->ends, (int64_t)app_config(r->app)->shift_grace * 60, &c->busy_from, &c->busy_to);
	return STORE_OK;
}

static int signup_tx(struct store *s, void *vctx)
{
	struct signup_ctx *c = vctx;
	c->existed = false;
	int rc = c->decided ? STORE_OK : signup_decide(c, s);
	if (rc != STORE_OK)
		return rc;
	/* this shift's live sign-up, else one that overlaps: one look at the
	 * person's few live sign-ups */
	struct store_stmt *st = store_prepare(s,
		"SELECT id, shift_id FROM signups WHERE volunteer_id = $2 AND live = 1"
		" AND (shift_id = $1 OR (busy_from < $4 AND busy_to > $3 AND busy_from < busy_to AND CAST($3 AS BIGINT) < $4))"
		" ORDER BY CASE WHEN shift_id = $1 THEN 0 ELSE 1 END LIMIT 1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->shift_id);
	store_bind_int(st, 2, c->volunteer_id);
	store_bind_int(st, 3, c->busy_from);
	store_bind_int(st, 4, c->busy_to);
	rc = store_step(st);
	if (rc == STORE_ROW && store_col_int(st, 1) == c->shift_id) {
		c->id = store_col_int(st, 0);
		c->existed = true;
	}
	store_done(st);
	if (c->existed)
		return STORE_OK;
	if (rc == STORE_ROW) {
		app_fail(c->r, APP_ECONFLICT, "shift_overlap", "shift_id");
		return STORE_ERROR;
	}
	if (rc != STORE_DONE)
		return rc;
	/* a place, else a place on the waitlist: the row lock (PostgreSQL) or
	 * the one writer (SQLite) orders arrivals */
	rc = shift_place_take(s, c->shift_id, &c->arrival);
	if (rc == STORE_ROW) {
		c->status = "confirmed";
		c->position = 0;
	}
	if (rc == STORE_DONE) {
		rc = shift_waitlist_take(s, c->shift_id, &c->arrival, &c->position);
		if (rc == STORE_ROW)
			c->status = "waitlisted";
		if (rc == STORE_DONE) {
			app_fail(c->r, APP_ECONFLICT, "shift_full", "shift_id");
			return STORE_ERROR;
		}
	}
	if (rc != STORE_ROW)
		return rc;
	/* arrivals count up per shift: the order of the waitlist */
	assert(c->arrival >= 1);
	st = store_prepare(s,
		"INSERT INTO signups (shift_id, volunteer_id, status, arrival, busy_from, busy_to, live, signed_by,"
		" created_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->shift_id);
	store_bind_int(st, 2, c->volunteer_id);
	store_bind_text(st, 3, c->status);
	store_bind_int(st, 4, c->arrival);
	store_bind_int(st, 5, c->busy_from);
	store_bind_int(st, 6, c->busy_to);
	store_bind_int(st, 7, c->r->who->user_id);
	store_bind_int(st, 8, c->now);
	rc = store_step(st);
	c->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	/* text, not a document: this is the sign-up rush's path */
	char detail[160];
	snprintf(detail, sizeof(detail), "{\"shift_id\":%lld,\"status\":\"%s\",\"volunteer_id\":%lld}",
		 (long long)c->shift_id, c->status, (long long)c->volunteer_id);
	return audit_write_text(c->r, s, "shift.signup", "signup", c->id, c->f.x.org_id, c->f.x.path, detail);
}

int shifts_signup(struct app_req *r, int64_t shift_id, json_t *in, json_t **out, bool *created)
{
	*created = false;
	if (!r->who)
		return app_fail(r, APP_EUNAUTH, "unauthenticated", NULL);
	struct signup_ctx *c = arena_alloc(r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->r = r;
	c->shift_id = shift_id;
	c->now = app_now();
	if (in_id(r, in, "volunteer_id", false, &c->given_vid, &c->given) != 0)
		return -1;
	/* where the checks read: on SQLite inside the group (the writer's
	 * warm cache), on PostgreSQL here, beside the group's one connection
	 * (measured: 25% more sign-ups a second that way) */
	if (!store_group_reads_cheaper(r->store)) {
		if (signup_decide(c, r->store) != STORE_OK)
			return r->err.code ? -1 : app_store_fail(r, STORE_ERROR);
		c->decided = true;
	}
	int rc = store_tx_grouped(r->store, signup_tx, c);
	if (rc == STORE_CONSTRAINT && !r->err.code) {
		/* a racing twin committed first: the checks now see it */
		rc = store_tx_grouped(r->store, signup_tx, c);
		if (rc == STORE_CONSTRAINT && !r->err.code)
			return app_fail(r, APP_ECONFLICT, "shift_overlap", "shift_id");
	}
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	memset(&r->err, 0, sizeof(r->err));
	if (c->existed)
		return signup_get(r, c->id, out);
	*created = true;
	/* answered from what the transaction saw: the rush path reads nothing more */
	*out = json_pack("{sI sI sI ss sI so ss}", "id", (json_int_t)c->id, "shift_id", (json_int_t)shift_id,
			 "volunteer_id", (json_int_t)c->volunteer_id, "status", c->status, "arrival", (json_int_t)c->arrival,
			 "position", c->position ? json_integer(c->position) : json_null(),
			 "created_at", app_iso(r, c->now));
	return 0;
}

struct cancel_ctx {
	struct app_req *r;
	int64_t id, shift_id, now, ends;
	int64_t volunteer_id, org_id;
	const char *path;        /* the shift's; NULL: audited by the caller (a deactivation) */
	const char *was;
	int64_t promoted;
	bool done;
};

static int cancel_tx(struct store *s, void *vctx)
{
	struct cancel_ctx *c = vctx;
	c->promoted = 0;
	/* the shift's row first: concurrent cancellations promote one by one */
	int rc = shift_counts_lock(s, c->shift_id);
	if (rc != STORE_OK)
		return rc;
	/* the status as it is now, under that lock: what was read before the
	 * transaction may have been promoted meanwhile, and taking a place off
	 * the wrong counter broke the shift's counts (found by the crash loop) */
	struct store_stmt *st = store_prepare(s, "SELECT status FROM signups WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	rc = store_step(st);
	c->was = rc != STORE_ROW ? "" : strcmp(store_col_text(st, 0), "confirmed") == 0 ? "confirmed"
		: strcmp(store_col_text(st, 0), "waitlisted") == 0 ? "waitlisted"
		: strcmp(store_col_text(st, 0), "cancelled") == 0 ? "cancelled" : "";
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return rc;
	if (strcmp(c->was, "cancelled") == 0)
		return STORE_OK;   /* cancelled meanwhile: cancelling twice is cancelling once */
	bool confirmed = strcmp(c->was, "confirmed") == 0;
	if (!confirmed && strcmp(c->was, "waitlisted") != 0) {
		app_fail(c->r, APP_ECONFLICT, "invalid_transition", "status");
		return STORE_ERROR;
	}
	rc = shift_place_free(s, c->shift_id, confirmed);
	if (rc != STORE_OK)
		return rc;
	st = store_prepare(s, "UPDATE signups SET status = 'cancelled', live = 0, cancelled_at = $3"
			   " WHERE id = $1 AND status = $2 RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_text(st, 2, c->was);
	store_bind_int(st, 3, c->now);
	rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE) {
		/* decided meanwhile (another cancel, a check-in) */
		app_fail(c->r, APP_ECONFLICT, "invalid_transition", "status");
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	if (c->path) {
		char detail[160];
		snprintf(detail, sizeof(detail), "{\"shift_id\":%lld,\"volunteer_id\":%lld,\"was\":\"%s\"}",
			 (long long)c->shift_id, (long long)c->volunteer_id, c->was);
		rc = audit_write_text(c->r, s, "shift.cancel", "signup", c->id, c->org_id, c->path, detail);
		if (rc != STORE_OK)
			return rc;
	}
	if (!confirmed || c->now >= c->ends)
		return STORE_OK;
	/* the waitlist is served in arrival order: the first to come gets
	 * the freed place */
	st = store_prepare(s, "SELECT id FROM signups WHERE shift_id = $1 AND status = 'waitlisted'"
			   " ORDER BY arrival LIMIT 1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->shift_id);
	rc = store_step(st);
	if (rc == STORE_ROW)
		c->promoted = store_col_int(st, 0);
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_OK : rc;
	st = store_prepare(s, "UPDATE signups SET status = 'confirmed' WHERE id = $1 AND status = 'waitlisted' RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->promoted);
	rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE) {
		c->promoted = 0;   /* changed meanwhile: the counters stay as they are */
		return STORE_OK;
	}
	if (rc != STORE_ROW)
		return rc;
	return shift_place_promote(s, c->shift_id);
}

int shifts_cancel_leaver(struct app_req *r, struct store *s, int64_t volunteer_id)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT g.id, g.shift_id, g.status, x.ends_at FROM signups g JOIN shifts x ON x.id = g.shift_id"
		" WHERE g.volunteer_id = $1 AND g.status IN ('confirmed', 'waitlisted') AND x.ends_at > $2 LIMIT 1000");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, volunteer_id);
	store_bind_int(st, 2, app_now());
	struct cancel_ctx held[64];
	int n = 0, rc;
	while (n < 64 && (rc = store_step(st)) == STORE_ROW) {
		held[n] = (struct cancel_ctx){ .r = r, .id = store_col_int(st, 0), .shift_id = store_col_int(st, 1),
					       .now = app_now(), .ends = store_col_int(st, 3) };
		held[n].was = strcmp(store_col_text(st, 2), "confirmed") == 0 ? "confirmed" : "waitlisted";
		n++;
	}
	store_done(st);
	for (int i = 0; i < n; i++)
		if ((rc = cancel_tx(s, &held[i])) != STORE_OK)
			return rc;
	return STORE_OK;
}

int shifts_cancel(struct app_req *r, int64_t signup_id, json_t **out)
{
	if (!r->who)
		return app_fail(r, APP_EUNAUTH, "unauthenticated", NULL);
	struct store_stmt *st;
	if (app_load_row(r, "SELECT g.shift_id, g.volunteer_id, g.status, v.user_id FROM signups g"
			 " JOIN volunteers v ON v.id = g.volunteer_id WHERE g.id = $1", signup_id, -1, 0, &st) != 0)
		return -1;
	struct cancel_ctx c = { .r = r, .id = signup_id, .shift_id = store_col_int(st, 0), .now = app_now(),
				.volunteer_id = store_col_int(st, 1) };
	c.was = arena_strdup(r->arena, store_col_text(st, 2));
	bool own = !store_col_null(st, 3) && store_col_int(st, 3) == r->who->user_id;
	store_done(st);
	struct shift_ref x;
	if (shift_load(r, c.shift_id, &x) != 0)
		return -1;
	bool staff = shift_staff(r, &x, AUTHZ_SHIFTS_STAFF);
	if (!own && !staff)
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);   /* not theirs to know of */
	c.ends = x.ends;
	c.org_id = x.org_id;
	c.path = x.path;
	if (strcmp(c.was, "cancelled") == 0)
		return signup_get(r, signup_id, out);   /* cancelling twice is cancelling once */
	if (strcmp(c.was, "confirmed") != 0 && strcmp(c.was, "waitlisted") != 0)
		return app_fail(r, APP_ECONFLICT, "invalid_transition", "status");
	if (!staff && strcmp(c.was, "confirmed") == 0 && c.now > x.starts - x.cancel_before)
		return app_fail(r, APP_EINVALID, "cancel_too_late", "status");
	if (staff && c.now >= x.ends)
		return app_fail(r, APP_EINVALID, "cancel_too_late", "status");
	int rc = store_tx_grouped(r->store, cancel_tx, &c);
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	if (signup_get(r, signup_id, out) != 0)
		return -1;
	json_object_set_new(*out, "promoted_signup_id", c.promoted ? json_integer(c.promoted) : json_null());
	return 0;
}

/* Ends every live sign-up of the project's shifts (a cancelled project). */
int signups_cancel_project(struct store *s, int64_t project_id)
{
	/* the shifts' rows first, in the order sign-ups and cancellations
	 * take them, so that PostgreSQL never sees the two orders meet */
	int rc = shifts_waitlists_close(s, project_id);
	if (rc != STORE_OK)
		return rc;
	struct store_stmt *st = store_prepare(s,
		"UPDATE signups SET status = 'cancelled', live = 0, cancelled_at = $2"
		" WHERE live = 1 AND status IN ('confirmed', 'waitlisted')"
		" AND shift_id IN (SELECT id FROM shifts WHERE project_id = $1)");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, project_id);
	store_bind_int(st, 2, app_now());
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	return shifts_counts_recount(s, project_id);
}

/* ---- attendance's writes of sign-ups (attendance.c decides, these write) ---- */

int signup_set_checked_in(struct store *s, int64_t id, int64_t at)
{
	assert(id > 0);
	struct store_stmt *st = store_prepare(s, "UPDATE signups SET status = 'checked_in', checked_in_at = $2 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, at);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int signup_set_attended(struct store *s, int64_t id, int64_t out_at, int64_t minutes, int64_t record_id, bool auto_out)
{
	/* an attendance never counts negative time */
	assert(id > 0 && minutes >= 0);
	struct store_stmt *st = store_prepare(s, "UPDATE signups SET status = 'attended', checked_out_at = $2, minutes = $3,"
			   " record_id = $4, auto_checkout = $5 WHERE id = $1 AND status = 'checked_in'");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, out_at);
	store_bind_int(st, 3, minutes);
	store_bind_id(st, 4, record_id);
	store_bind_int(st, 5, auto_out);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int signups_set_no_show(struct store *s, int64_t as_of)
{
	struct store_stmt *st = store_prepare(s,
		"UPDATE signups SET status = 'no_show' WHERE status = 'confirmed'"
		" AND shift_id IN (SELECT id FROM shifts WHERE ends_at <= $1)");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, as_of);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}
