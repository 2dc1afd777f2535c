/* Shifts of a project: creating them (once or weekly), reading one and
 * the shifts of a project; the shift as use cases load it. Sign-ups are
 * in signups.c, check-in and attendance in attendance.c (see shifts.h). */
#include "app/projects/shifts.h"
#include "app/projects/shifts_int.h"
#include "app/kernel/kernel.h"
#include "app/projects/projects_api.h"
#include "app/service/service.h"
#include "core/records.h"
#include "core/shifts.h"
#include "core/validate.h"
#include "util/arena.h"
#include "core/chinatime.h"
#include <assert.h>
#include <string.h>

#define SHIFT_MAX_SECONDS 86400

#define SHIFT_COLUMNS "x.id, x.project_id, p.title, x.activity_id, COALESCE(x.name, p.title), x.starts_at, x.ends_at, x.place," \
	" x.capacity, x.confirmed, x.waitlisted, x.waitlist, x.signup_deadline, x.cancel_before, x.min_age," \
	" x.max_age, x.skills, x.training_id, x.series_id, o.path, p.status, x.code_key, p.org_id, a.content," \
	" (SELECT count(*) FROM signups g WHERE g.shift_id = x.id AND g.status = 'checked_in'), x.created_by"
#define SHIFT_FROM " FROM shifts x JOIN projects p ON p.id = x.project_id JOIN activities a ON a.id = x.activity_id" \
	" JOIN orgs o ON o.id = p.org_id"

enum { SC_ID, SC_PROJECT, SC_TITLE, SC_ACTIVITY, SC_NAME, SC_STARTS, SC_ENDS, SC_PLACE, SC_CAPACITY,
       SC_CONFIRMED, SC_WAITLISTED, SC_WAITLIST, SC_DEADLINE, SC_CANCEL, SC_MIN_AGE, SC_MAX_AGE, SC_SKILLS,
       SC_TRAINING, SC_SERIES, SC_PATH, SC_STATUS, SC_CODE_KEY, SC_ORG, SC_CONTENT, SC_CHECKED_IN, SC_CREATED_BY };

static json_t *shift_json(struct app_req *r, struct store_stmt *st)
{
	int64_t cap = store_col_int(st, SC_CAPACITY), conf = store_col_int(st, SC_CONFIRMED);
	json_t *skills = json_loads(store_col_text(st, SC_SKILLS), 0, NULL);
	return json_pack("{sI sI ss sI ss ss ss ss sI sI sI sI sI ss sI so so so so so ss sI}",
		"id", (json_int_t)store_col_int(st, SC_ID),
		"project_id", (json_int_t)store_col_int(st, SC_PROJECT),
		"project_title", store_col_text(st, SC_TITLE),
		"activity_id", (json_int_t)store_col_int(st, SC_ACTIVITY),
		"name", store_col_text(st, SC_NAME),
		"starts_at", app_iso(r, store_col_int(st, SC_STARTS)),
		"ends_at", app_iso(r, store_col_int(st, SC_ENDS)),
		"place", store_col_text(st, SC_PLACE),
		"capacity", (json_int_t)cap,
		"confirmed", (json_int_t)conf,
		"waitlisted", (json_int_t)store_col_int(st, SC_WAITLISTED),
		"waitlist", (json_int_t)store_col_int(st, SC_WAITLIST),
		"open_places", (json_int_t)(cap - conf),
		"signup_deadline", app_iso(r, store_col_int(st, SC_DEADLINE)),
		"cancel_before_minutes", (json_int_t)(store_col_int(st, SC_CANCEL) / 60),
		"min_age", col_id_json(st, SC_MIN_AGE),
		"max_age", col_id_json(st, SC_MAX_AGE),
		"skills", skills ? skills : json_array(),
		"training_id", col_id_json(st, SC_TRAINING),
		"series_id", col_id_json(st, SC_SERIES),
		"project_status", store_col_text(st, SC_STATUS),
		"checked_in", (json_int_t)store_col_int(st, SC_CHECKED_IN));
}


int shift_load(struct app_req *r, int64_t id, struct shift_ref *x)
{
	struct store_stmt *st;
	if (app_load_row(r, "SELECT " SHIFT_COLUMNS SHIFT_FROM " WHERE x.id = $1", id, -1, 0, &st) != 0)
		return -1;
	x->id = id;
	x->project_id = store_col_int(st, SC_PROJECT);
	x->activity_id = store_col_int(st, SC_ACTIVITY);
	x->org_id = store_col_int(st, SC_ORG);
	x->starts = store_col_int(st, SC_STARTS);
	x->ends = store_col_int(st, SC_ENDS);
	x->deadline = store_col_int(st, SC_DEADLINE);
	x->cancel_before = store_col_int(st, SC_CANCEL);
	x->min_age = store_col_null(st, SC_MIN_AGE) ? -1 : store_col_int(st, SC_MIN_AGE);
	x->max_age = store_col_null(st, SC_MAX_AGE) ? -1 : store_col_int(st, SC_MAX_AGE);
	x->training_id = store_col_null(st, SC_TRAINING) ? 0 : store_col_int(st, SC_TRAINING);
	x->created_by = store_col_int(st, SC_CREATED_BY);
	x->path = arena_strdup(r->arena, store_col_text(st, SC_PATH));
	x->project_status = arena_strdup(r->arena, store_col_text(st, SC_STATUS));
	x->code_key = arena_strdup(r->arena, store_col_text(st, SC_CODE_KEY));
	x->skills = arena_strdup(r->arena, store_col_text(st, SC_SKILLS));
	x->place = arena_strdup(r->arena, store_col_text(st, SC_PLACE));
	x->content = arena_strdup(r->arena, store_col_text(st, SC_CONTENT));
	x->title = arena_strdup(r->arena, store_col_text(st, SC_TITLE));
	store_done(st);
	return 0;
}

/* Whether the caller is staff for the shift's project: authorised for
 * action on its organisation, or one of its paired social workers. Sets
 * no error when not. */
bool shift_staff(struct app_req *r, const struct shift_ref *x, int action)
{
	struct project_ref ref;
	if (!r->who || !(r->who->roles & (ROLE_ADMIN | ROLE_RECORDER | ROLE_SOCIAL_WORKER)))
		return false;
	bool ok = project_access(r, x->project_id, action, &ref) == 0;
	if (!ok)
		memset(&r->err, 0, sizeof(r->err));
	return ok;
}

int shift_staff_or_fail(struct app_req *r, const struct shift_ref *x, int action)
{
	if (shift_staff(r, x, action))
		return 0;
	return app_fail(r, r->who ? APP_EFORBIDDEN : APP_EUNAUTH, r->who ? "forbidden" : "unauthenticated", NULL);
}

/* ---- creating shifts ---- */

struct shift_new {
	struct app_req *r;
	struct project_ref *p;
	const char *name, *place, *skills, *content, *category;
	const char *activity_name;   /* "project title · shift name" */
	int64_t starts, ends, deadline, capacity, waitlist, cancel_before, min_age, max_age, training_id;
	bool has_min, has_max;
	int dates[SHIFT_SERIES_MAX + 1];
	int ndates;               /* 0: just the one shift */
	int first_ymd;            /* the date of starts_at, which the series counts from */
	int64_t ids[SHIFT_SERIES_MAX];
};

static int insert_one(struct store *s, struct shift_new *c, int64_t offset, int64_t series, int64_t *id)
{
	int64_t now = app_now();
	/* the shift's activity, which its attendance records belong to */
	struct activity_new act = {
		.org_id = c->p->org_id, .project_id = c->p->id, .name = c->activity_name,
		.starts_at = c->starts + offset, .ends_at = c->ends + offset, .place = c->place,
		.content = c->content, .leader = "", .category = c->category, .region = c->p->region,
		.created_by = c->r->who->user_id, .created_at = now,
	};
	int rc = activity_insert(s, &act);
	if (rc != STORE_OK)
		return rc;
	int64_t activity = act.id;
	char salt[SECRET_TOKEN_MAX];
	secret_token("", salt, sizeof(salt));
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO shifts (project_id, activity_id, series_id, starts_at, ends_at, place, capacity, waitlist,"
		" signup_deadline, cancel_before, min_age, max_age, skills, training_id, code_key, created_by, created_at, name)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->p->id);
	store_bind_int(st, 2, activity);
	store_bind_id(st, 3, series);
	store_bind_int(st, 4, c->starts + offset);
	store_bind_int(st, 5, c->ends + offset);
	store_bind_text(st, 6, c->place);
	store_bind_int(st, 7, c->capacity);
	store_bind_int(st, 8, c->waitlist);
	store_bind_int(st, 9, c->deadline + offset);
	store_bind_int(st, 10, c->cancel_before);
	if (c->has_min)
		store_bind_int(st, 11, c->min_age);
	else
		store_bind_null(st, 11);
	if (c->has_max)
		store_bind_int(st, 12, c->max_age);
	else
		store_bind_null(st, 12);
	store_bind_text(st, 13, c->skills);
	store_bind_id(st, 14, c->training_id);
	store_bind_text(st, 15, salt);
	store_bind_int(st, 16, c->r->who->user_id);
	store_bind_int(st, 17, now);
	store_bind_text(st, 18, c->name);
	rc = store_step(st);
	*id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

static int create_tx(struct store *s, void *vctx)
{
	struct shift_new *c = vctx;
	int n = c->ndates ? c->ndates : 1;
	int64_t first_day = c->ndates ? app_day_start(c->first_ymd) : 0;
	for (int i = 0; i < n; i++) {
		/* whole days from the date of starts_at keep the time of day
		 * (China has no daylight saving) */
		int64_t offset = c->ndates ? app_day_start(c->dates[i]) - first_day : 0;
		int rc = insert_one(s, c, offset, i ? c->ids[0] : 0, &c->ids[i]);
		if (rc != STORE_OK)
			return rc;
	}
	if (c->ndates) {
		struct store_stmt *st = store_prepare(s, "UPDATE shifts SET series_id = $1 WHERE id = $1");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, c->ids[0]);
		int rc = store_step(st);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
	}
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"shifts\":%d,\"capacity\":%lld}", n, (long long)c->capacity);
	return audit_write_text(c->r, s, "shift.create", "shift", c->ids[0], c->p->org_id, c->p->path, detail);
}

/* "repeat": {"weekdays":[1..7], "until":"YYYY-MM-DD"} into c->dates. */
static int in_repeat(struct app_req *r, json_t *in, struct shift_new *c)
{
	json_t *rep = json_object_get(in, "repeat");
	if (!rep || json_is_null(rep))
		return 0;
	if (!json_is_object(rep))
		return app_fail(r, APP_EBADREQ, "wrong_type", "repeat");
	json_t *days = json_object_get(rep, "weekdays");
	if (!days || !json_is_array(days) || json_array_size(days) == 0 || json_array_size(days) > 7)
		return app_fail(r, days && !json_is_array(days) ? APP_EBADREQ : APP_EINVALID,
				days && !json_is_array(days) ? "wrong_type" : "required", "repeat.weekdays");
	unsigned mask = 0;
	size_t i;
	json_t *e;
	json_array_foreach(days, i, e) {
		if (!json_is_integer(e))
			return app_fail(r, APP_EBADREQ, "wrong_type", "repeat.weekdays");
		if (json_integer_value(e) < 1 || json_integer_value(e) > 7)
			return app_fail(r, APP_EINVALID, "invalid_weekday", "repeat.weekdays");
		mask |= 1u << (json_integer_value(e) - 1);
	}
	const char *until;
	int until_ymd;
	if (in_text(r, rep, "until", true, 10, &until) != 0) {
		r->err.field = "repeat.until";
		return -1;
	}
	if (!valid_date(until, &until_ymd))
		return app_fail(r, APP_EINVALID, "invalid_day", "repeat.until");
	int first = china_ymd(c->starts);
	if (until_ymd < first)
		return app_fail(r, APP_EINVALID, "ends_before_start", "repeat.until");
	if (ymd_add_days(first, 366) < until_ymd)
		return app_fail(r, APP_EINVALID, "repeat_too_long", "repeat.until");
	c->first_ymd = first;
	c->ndates = weekly_dates(first, until_ymd, mask, c->dates, SHIFT_SERIES_MAX + 1);
	if (c->ndates <= 0)
		return app_fail(r, APP_EINVALID, "repeat_empty", "repeat.weekdays");
	if (c->ndates > SHIFT_SERIES_MAX)
		return app_fail(r, APP_EINVALID, "repeat_too_long", "repeat.until");
	return 0;
}

/* Reads and checks the fields of POST /projects/{id}/shifts into c
 * (skills as a list and as JSON text, both the caller's to free). */
static int shift_new_read(struct app_req *r, json_t *in, struct shift_new *c, json_t **skill_list,
			  char **skills)
{
	int64_t cancel_min = app_config(r->app)->cancel_before;
	bool has_deadline, has_training;
	c->waitlist = 100;
	if (in_time(r, in, "starts_at", true, &c->starts, NULL) != 0 ||
	    in_time(r, in, "ends_at", true, &c->ends, NULL) != 0 ||
	    in_text(r, in, "place", true, 200, &c->place) != 0 ||
	    in_int(r, in, "capacity", true, 1, 100000, &c->capacity, NULL) != 0 ||
	    in_text(r, in, "name", false, 100, &c->name) != 0 ||
	    in_int(r, in, "waitlist", false, 0, 100000, &c->waitlist, NULL) != 0 ||
	    in_time(r, in, "signup_deadline", false, &c->deadline, &has_deadline) != 0 ||
	    in_int(r, in, "cancel_before_minutes", false, 0, 10080, &cancel_min, NULL) != 0 ||
	    in_int(r, in, "min_age", false, 0, 120, &c->min_age, &c->has_min) != 0 ||
	    in_int(r, in, "max_age", false, 0, 120, &c->max_age, &c->has_max) != 0 ||
	    in_id(r, in, "training_id", false, &c->training_id, &has_training) != 0 ||
	    in_tags(r, in, "skills", skill_list, skills) != 0)
		return -1;
	c->cancel_before = cancel_min * 60;
	if (c->ends <= c->starts)
		return app_fail(r, APP_EINVALID, "ends_before_start", "ends_at");
	if (c->ends - c->starts > SHIFT_MAX_SECONDS) {
		/* a duty of at most a day: auto check-out after 24 hours must
		 * never land inside a shift (longer events are several shifts) */
		return app_fail(r, APP_EINVALID, "shift_too_long", "ends_at");
	}
	if (c->has_min && c->has_max && c->max_age < c->min_age)
		return app_fail(r, APP_EINVALID, "out_of_range", "max_age");
	if (!has_deadline)
		c->deadline = c->starts;
	if (c->deadline > c->ends)
		return app_fail(r, APP_EINVALID, "deadline_after_end", "signup_deadline");
	return in_repeat(r, in, c);
}

/* 422 training_not_found unless training_id names a training. */
static int shift_training_check(struct app_req *r, int64_t training_id)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT 1 FROM trainings WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, training_id);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_ROW)
		return 0;
	return rc == STORE_DONE ? app_fail(r, APP_EINVALID, "training_not_found", "training_id")
				: app_store_fail(r, rc);
}

int shifts_create(struct app_req *r, int64_t project_id, json_t *in, json_t **out)
{
	struct project_ref p;
	struct shift_new *c = arena_alloc(r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->r = r;
	c->p = &p;
	json_t *skill_list = NULL;
	char *skills = NULL;
	int ret = -1;
	if (project_access(r, project_id, AUTHZ_PROJECTS_WRITE, &p) != 0)
		return -1;
	if (strcmp(p.status, "completed") == 0 || strcmp(p.status, "cancelled") == 0)
		return app_fail(r, APP_ECONFLICT, "invalid_transition", "status");
	if (shift_new_read(r, in, c, &skill_list, &skills) != 0)
		goto done;
	if (c->training_id && shift_training_check(r, c->training_id) != 0)
		goto done;
	/* the activity takes the project's words, so records made from
	 * attendance say what was done */
	struct store_stmt *st = store_prepare(r->store, "SELECT description, category FROM projects WHERE id = $1");
	if (!st) {
		app_store_fail(r, STORE_ERROR);
		goto done;
	}
	store_bind_int(st, 1, project_id);
	if (store_step(st) == STORE_ROW) {
		const char *d = store_col_text(st, 0);
		c->content = arena_strdup(r->arena, *d ? d : p.title);
		c->category = arena_strdup(r->arena, store_col_text(st, 1));
	}
	store_done(st);
	c->activity_name = c->name ? arena_printf(r->arena, "%s · %s", p.title, c->name) : p.title;
	c->skills = skills;
	int rc = store_tx(r->store, create_tx, c);
	if (rc != STORE_OK) {
		app_store_fail(r, rc);
		goto done;
	}
	if (shifts_get(r, c->ids[0], out) != 0)
		goto done;
	if (c->ndates) {
		json_t *series = json_array();
		for (int i = 0; i < c->ndates; i++)
			json_array_append_new(series, json_integer(c->ids[i]));
		json_object_set_new(*out, "series", series);
	}
	ret = 0;
done:
	json_decref(skill_list);
	free(skills);
	return ret;
}

int shifts_get(struct app_req *r, int64_t id, json_t **out)
{
	struct shift_ref x;
	if (shift_load(r, id, &x) != 0)
		return -1;
	bool open = strcmp(x.project_status, "published") == 0 || strcmp(x.project_status, "in_progress") == 0;
	if (!(open && r->who) && shift_staff_or_fail(r, &x, AUTHZ_RECORDS_READ) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, "SELECT " SHIFT_COLUMNS SHIFT_FROM " WHERE x.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*out = shift_json(r, st);
	store_done(st);
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc);
}

int shifts_of_project(struct app_req *r, int64_t project_id, bool upcoming, json_t **out)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT " SHIFT_COLUMNS SHIFT_FROM
		" WHERE x.project_id = $1 AND x.ends_at > $2 ORDER BY x.starts_at, x.id LIMIT 500");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, project_id);
	store_bind_int(st, 2, upcoming ? app_now() : INT64_MIN / 2);
	json_t *o = NULL;
	if (app_items(r, st, shift_json, &o) != 0)
		return -1;
	*out = json_incref(json_object_get(o, "items"));
	json_decref(o);
	return 0;
}

/* ---- a shift's counters: sign-ups move them, this file writes them ---- */

int shift_place_take(struct store *s, int64_t id, int64_t *arrival)
{
	/* the row lock (PostgreSQL) or the one writer (SQLite) orders arrivals */
	struct store_stmt *st = store_prepare(s, "UPDATE shifts SET confirmed = confirmed + 1, arrivals = arrivals + 1"
			   " WHERE id = $1 AND confirmed < capacity RETURNING arrivals, confirmed, capacity");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*arrival = store_col_int(st, 0);
		/* the place taken was free: the capacity holds */
		assert(store_col_int(st, 1) >= 1 && store_col_int(st, 1) <= store_col_int(st, 2));
	}
	store_done(st);
	return rc;
}

int shift_waitlist_take(struct store *s, int64_t id, int64_t *arrival, int64_t *position)
{
	struct store_stmt *st = store_prepare(s, "UPDATE shifts SET waitlisted = waitlisted + 1, arrivals = arrivals + 1"
				   " WHERE id = $1 AND waitlisted < waitlist RETURNING arrivals, waitlisted, waitlist");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*arrival = store_col_int(st, 0);
		*position = store_col_int(st, 1);
		/* the last on the waitlist, which holds no more than its length */
		assert(*position >= 1 && *position <= store_col_int(st, 2));
	}
	store_done(st);
	return rc;
}

/* What a write of a shift's counters returns, so that the counters can
 * be checked as they are written. */
#define SHIFT_COUNTS " RETURNING confirmed, capacity, waitlisted, waitlist"

/* The counters of a shift as a write left them: never more confirmed
 * places than the capacity nor more waiting than the waitlist's length,
 * and neither below zero (the database's CHECKs hold the same; a broken
 * count here would hand out places that do not exist). */
static void shift_counts_assert(struct store_stmt *st)
{
	int64_t confirmed = store_col_int(st, 0), capacity = store_col_int(st, 1);
	int64_t waitlisted = store_col_int(st, 2), waitlist = store_col_int(st, 3);
	assert(confirmed >= 0 && confirmed <= capacity);
	assert(waitlisted >= 0 && waitlisted <= waitlist);
	(void)confirmed, (void)capacity, (void)waitlisted, (void)waitlist;
}

/* Runs a write of a shift's counters whose one parameter ($1) is id; sql
 * a string literal ending in SHIFT_COUNTS. */
static int write_id(struct store *s, const char *sql, int64_t id)
{
	struct store_stmt *st = store_prepare(s, sql);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		shift_counts_assert(st);
	store_done(st);
	return rc == STORE_DONE || rc == STORE_ROW ? STORE_OK : rc;
}

int shift_counts_lock(struct store *s, int64_t id)
{
	return write_id(s, "UPDATE shifts SET confirmed = confirmed WHERE id = $1" SHIFT_COUNTS, id);
}

int shift_place_free(struct store *s, int64_t id, bool confirmed)
{
	return write_id(s, confirmed ? "UPDATE shifts SET confirmed = confirmed - 1 WHERE id = $1" SHIFT_COUNTS
			      : "UPDATE shifts SET waitlisted = waitlisted - 1 WHERE id = $1" SHIFT_COUNTS, id);
}

int shift_place_promote(struct store *s, int64_t id)
{
	return write_id(s, "UPDATE shifts SET confirmed = confirmed + 1, waitlisted = waitlisted - 1 WHERE id = $1"
			SHIFT_COUNTS,
			id);
}

int shifts_waitlists_close(struct store *s, int64_t project_id)
{
	struct store_stmt *st = store_prepare(s, "UPDATE shifts SET waitlisted = 0 WHERE project_id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, project_id);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int shifts_counts_recount(struct store *s, int64_t project_id)
{
	struct store_stmt *st = store_prepare(s, "UPDATE shifts SET confirmed = (SELECT count(*) FROM signups g WHERE g.shift_id = shifts.id"
			   " AND g.live = 1 AND g.status <> 'waitlisted'), waitlisted = 0 WHERE project_id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, project_id);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}
