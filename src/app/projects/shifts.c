/* Shifts, sign-ups, the waitlist and check-in (see shifts.h). */
#include "app/projects/shifts.h"
#include "app/kernel/authz.h"
#include "app/kernel/input.h"
#include "app/kernel/kernel.h"
#include "app/kernel/secrets.h"
#include "app/network/volunteers.h"
#include "app/projects/projects.h"
#include "app/service/records.h"
#include "core/records.h"
#include "core/shifts.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/log.h"
#include "core/chinatime.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CODE_EXPIRED_WINDOWS 288   /* live codes recognised as expired: a day at 5 minutes */
#define AUTO_CHECKOUT_AFTER 86400
#define SHIFT_MAX_SECONDS 86400
#define SWEEP_BATCH 500

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

/* A shift as use cases need it, in r->arena. */
struct shift_ref {
	int64_t id, project_id, activity_id, org_id, starts, ends, deadline, cancel_before;
	int64_t min_age, max_age, training_id;   /* -1 / 0 when not required */
	int64_t created_by;
	const char *path, *project_status, *code_key, *skills, *place, *content, *title;
};

static int shift_load(struct app_req *r, int64_t id, struct shift_ref *x)
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
static bool shift_staff(struct app_req *r, const struct shift_ref *x, int action)
{
	struct project_ref ref;
	if (!r->who || !(r->who->roles & (ROLE_ADMIN | ROLE_RECORDER | ROLE_SOCIAL_WORKER)))
		return false;
	bool ok = project_access(r, x->project_id, action, &ref) == 0;
	if (!ok)
		memset(&r->err, 0, sizeof(r->err));
	return ok;
}

static int staff_or_fail(struct app_req *r, const struct shift_ref *x, int action)
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
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO activities (org_id, project_id, name, starts_at, ends_at, place, content, leader,"
		" service_category, region_code, created_by, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, '', $8, $9, $10, $11, $11) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->p->org_id);
	store_bind_int(st, 2, c->p->id);
	store_bind_text(st, 3, c->activity_name);
	store_bind_int(st, 4, c->starts + offset);
	store_bind_int(st, 5, c->ends + offset);
	store_bind_text(st, 6, c->place);
	store_bind_text(st, 7, c->content);
	store_bind_text(st, 8, c->category);
	store_bind_text(st, 9, c->p->region);
	store_bind_int(st, 10, c->r->who->user_id);
	store_bind_int(st, 11, now);
	int rc = store_step(st);
	int64_t activity = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	char salt[SECRET_TOKEN_MAX];
	secret_token("", salt, sizeof(salt));
	st = store_prepare(s,
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

int shifts_create(struct app_req *r, int64_t project_id, json_t *in, json_t **out)
{
	struct project_ref p;
	struct shift_new *c = arena_alloc(r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->r = r;
	c->p = &p;
	const struct app_config *cfg = app_config(r->app);
	int64_t cancel_min = cfg->cancel_before;
	bool has_deadline, has_training;
	json_t *skill_list = NULL;
	char *skills = NULL;
	int ret = -1;
	c->waitlist = 100;
	if (project_access(r, project_id, AUTHZ_PROJECTS_WRITE, &p) != 0)
		return -1;
	if (strcmp(p.status, "completed") == 0 || strcmp(p.status, "cancelled") == 0)
		return app_fail(r, APP_ECONFLICT, "invalid_transition", "status");
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
	    in_tags(r, in, "skills", &skill_list, &skills) != 0)
		goto done;
	if (c->ends <= c->starts) {
		app_fail(r, APP_EINVALID, "ends_before_start", "ends_at");
		goto done;
	}
	if (c->ends - c->starts > SHIFT_MAX_SECONDS) {
		/* a duty of at most a day: auto check-out after 24 hours must
		 * never land inside a shift (longer events are several shifts) */
		app_fail(r, APP_EINVALID, "shift_too_long", "ends_at");
		goto done;
	}
	if (c->has_min && c->has_max && c->max_age < c->min_age) {
		app_fail(r, APP_EINVALID, "out_of_range", "max_age");
		goto done;
	}
	if (!has_deadline)
		c->deadline = c->starts;
	if (c->deadline > c->ends) {
		app_fail(r, APP_EINVALID, "deadline_after_end", "signup_deadline");
		goto done;
	}
	if (in_repeat(r, in, c) != 0)
		goto done;
	if (c->training_id) {
		struct store_stmt *st = store_prepare(r->store, "SELECT 1 FROM trainings WHERE id = $1");
		if (!st) {
			app_store_fail(r, STORE_ERROR);
			goto done;
		}
		store_bind_int(st, 1, c->training_id);
		int rc = store_step(st);
		store_done(st);
		if (rc != STORE_ROW) {
			if (rc == STORE_DONE)
				app_fail(r, APP_EINVALID, "training_not_found", "training_id");
			else
				app_store_fail(r, rc);
			goto done;
		}
	}
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
	c->cancel_before = cancel_min * 60;
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
	if (!(open && r->who) && staff_or_fail(r, &x, AUTHZ_RECORDS_READ) != 0)
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

/* ---- sign-ups ---- */

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

static int signup_get(struct app_req *r, int64_t id, json_t **out)
{
	return app_get_row(r, "SELECT " SIGNUP_COLUMNS SIGNUP_FROM " WHERE g.id = $1", id, signup_json, out);
}

int shifts_signups(struct app_req *r, int64_t id, json_t **out)
{
	struct shift_ref x;
	if (shift_load(r, id, &x) != 0 || staff_or_fail(r, &x, AUTHZ_RECORDS_READ) != 0)
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
	st = store_prepare(s, "UPDATE shifts SET confirmed = confirmed + 1, arrivals = arrivals + 1"
			   " WHERE id = $1 AND confirmed < capacity RETURNING arrivals");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->shift_id);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		c->arrival = store_col_int(st, 0);
		c->status = "confirmed";
		c->position = 0;
	}
	store_done(st);
	if (rc == STORE_DONE) {
		st = store_prepare(s, "UPDATE shifts SET waitlisted = waitlisted + 1, arrivals = arrivals + 1"
				   " WHERE id = $1 AND waitlisted < waitlist RETURNING arrivals, waitlisted");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, c->shift_id);
		rc = store_step(st);
		if (rc == STORE_ROW) {
			c->arrival = store_col_int(st, 0);
			c->position = store_col_int(st, 1);
			c->status = "waitlisted";
		}
		store_done(st);
		if (rc == STORE_DONE) {
			app_fail(c->r, APP_ECONFLICT, "shift_full", "shift_id");
			return STORE_ERROR;
		}
	}
	if (rc != STORE_ROW)
		return rc;
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

/* Runs a write whose one parameter ($1) is id; sql a string literal. */
static int write_id(struct store *s, const char *sql, int64_t id)
{
	struct store_stmt *st = store_prepare(s, sql);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static int cancel_tx(struct store *s, void *vctx)
{
	struct cancel_ctx *c = vctx;
	c->promoted = 0;
	/* the shift's row first: concurrent cancellations promote one by one */
	int rc = write_id(s, "UPDATE shifts SET confirmed = confirmed WHERE id = $1", c->shift_id);
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
	rc = write_id(s, confirmed ? "UPDATE shifts SET confirmed = confirmed - 1 WHERE id = $1"
			      : "UPDATE shifts SET waitlisted = waitlisted - 1 WHERE id = $1", c->shift_id);
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
	return write_id(s, "UPDATE shifts SET confirmed = confirmed + 1, waitlisted = waitlisted - 1 WHERE id = $1",
			c->shift_id);
}

int shifts_release(struct app_req *r, struct store *s, int64_t volunteer_id)
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

/* ---- check-in codes ---- */

static int64_t code_window(struct app_req *r, int64_t t)
{
	return t / app_config(r->app)->checkin_period;
}

int shifts_code(struct app_req *r, int64_t id, const char *at_s, json_t **out)
{
	struct shift_ref x;
	int64_t at = app_now();
	if (shift_load(r, id, &x) != 0 || staff_or_fail(r, &x, AUTHZ_SHIFTS_STAFF) != 0)
		return -1;
	if (at_s && time_parse_iso(at_s, &at) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_time", "at");
	int64_t period = app_config(r->app)->checkin_period, w = code_window(r, at);
	char code[SECRET_SHIFT_CODE_LEN + 1], day[SECRET_SHIFT_CODE_LEN + 1];
	secret_shift_code(x.code_key, 'L', w, code);
	int ymd = china_ymd(x.starts);
	secret_shift_code(x.code_key, 'D', ymd, day);
	*out = json_pack("{ss ss sI ss ss}", "code", code, "valid_until", app_iso(r, (w + 1) * period),
			 "period_seconds", (json_int_t)period, "day_code", day,
			 "day", arena_printf(r->arena, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100));
	return 0;
}

/* Whether code opens the shift at time t: the live code of this or the
 * previous window, or the printed day code (made for the day the shift
 * starts) on any day from the one its check-in opens to the one it ends
 * (plus as long again, for a late check-out), so that a shift across
 * midnight keeps its printed code. NULL when it
 * does; else "code_expired" when it was once good (a recent window, a day
 * that is over) or "invalid_code". */
static const char *code_check(struct app_req *r, const struct shift_ref *x, const char *code, int64_t t)
{
	char want[SECRET_SHIFT_CODE_LEN + 1];
	int64_t w = code_window(r, t);
	int today = china_ymd(t);
	bool good = false, old = false;
	for (int64_t k = 0; k < CODE_EXPIRED_WINDOWS && !good; k++) {
		secret_shift_code(x->code_key, 'L', w - k, want);
		if (app_secret_equal(want, code)) {
			good = k <= 1;
			old = !good;
		}
	}
	if (!good) {
		int64_t early = (int64_t)app_config(r->app)->checkin_early * 60;
		secret_shift_code(x->code_key, 'D', china_ymd(x->starts), want);
		if (app_secret_equal(want, code)) {
			good = today >= china_ymd(x->starts - early) && today <= china_ymd(x->ends + early);
			old = !good;
		}
	}
	return good ? NULL : old ? "code_expired" : "invalid_code";
}

struct check_ctx {
	struct app_req *r;
	const struct shift_ref *x;
	bool in_not_out, auto_out;
	int64_t volunteer_id, t;
	/* out */
	int64_t signup_id, minutes, record_id;
	const char *fail;
};

/* The record of an attendance: submitted for the organiser's approval.
 * The service's writer keeps the rules every record keeps: a record of the
 * activity already there (entered by hand) means none; the time shared
 * with another record of the person and what exceeds the daily maximum
 * are given up (c->minutes 0 when nothing is left). */
static int attendance_record(struct store *s, struct check_ctx *c, int64_t in, int64_t out, int64_t minutes)
{
	const struct shift_ref *x = c->x;
	struct record_new n = {
		.activity_id = x->activity_id, .volunteer_id = c->volunteer_id, .org_id = x->org_id,
		.starts_at = in > x->starts ? in : x->starts, .ends_at = out < x->ends ? out : x->ends,
		.minutes = minutes, .place = x->place, .content = x->content, .quality = "pass", .source = "check_in",
		.evidence = c->auto_out ? "签到后 24 小时未签退，系统自动签退 (checked out automatically after 24 hours)" : NULL,
		/* the sweep has no caller: the shift's creator stands for it */
		.recorder_id = c->r->who ? c->r->who->user_id : x->created_by, .rules = RECORD_FIT,
	};
	int rc = record_insert(c->r, s, &n);
	if (rc != STORE_OK)
		return rc;
	c->minutes = n.minutes;
	c->record_id = n.id;
	if (!n.id)
		return STORE_OK;
	char detail[160];
	snprintf(detail, sizeof(detail), "{\"shift_id\":%lld,\"minutes\":%lld,\"volunteer_id\":%lld}",
		 (long long)x->id, (long long)n.minutes, (long long)c->volunteer_id);
	return audit_write_text(c->r, s, "record.create", "record", c->record_id, x->org_id, x->path, detail);
}

/* A check-in or check-out in the audit log: whose, when, and for a
 * check-out the minutes, the record and whether the sweep made it. */
static int check_audit(struct store *s, struct check_ctx *c, const char *action)
{
	char detail[256];
	snprintf(detail, sizeof(detail),
		 "{\"at\":%lld,\"auto\":%s,\"minutes\":%lld,\"record_id\":%lld,\"shift_id\":%lld,\"volunteer_id\":%lld}",
		 (long long)c->t, c->auto_out ? "true" : "false", (long long)c->minutes, (long long)c->record_id,
		 (long long)c->x->id, (long long)c->volunteer_id);
	return audit_write_text(c->r, s, action, "signup", c->signup_id, c->x->org_id, c->x->path, detail);
}

static int check_tx(struct store *s, void *vctx)
{
	struct check_ctx *c = vctx;
	c->fail = NULL;
	c->record_id = 0;
	c->minutes = 0;
	struct store_stmt *st = store_prepare(s,
		"SELECT id, status, checked_in_at FROM signups WHERE shift_id = $1 AND volunteer_id = $2 AND live = 1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->x->id);
	store_bind_int(st, 2, c->volunteer_id);
	int rc = store_step(st);
	char status[16] = "";
	int64_t in_at = 0;
	if (rc == STORE_ROW) {
		c->signup_id = store_col_int(st, 0);
		snprintf(status, sizeof(status), "%s", store_col_text(st, 1));
		in_at = store_col_null(st, 2) ? 0 : store_col_int(st, 2);
	}
	store_done(st);
	if (rc == STORE_DONE) {
		c->fail = "not_signed_up";
		return STORE_OK;
	}
	if (rc != STORE_ROW)
		return rc;
	if (c->in_not_out) {
		if (strcmp(status, "checked_in") == 0 || strcmp(status, "attended") == 0)
			return STORE_OK;   /* checking in twice is checking in once */
		if (strcmp(status, "confirmed") != 0 && strcmp(status, "no_show") != 0) {
			c->fail = strcmp(status, "waitlisted") == 0 ? "not_confirmed" : "not_signed_up";
			return STORE_OK;
		}
		st = store_prepare(s, "UPDATE signups SET status = 'checked_in', checked_in_at = $2 WHERE id = $1");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, c->signup_id);
		store_bind_int(st, 2, c->t);
		rc = store_step(st);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
		return check_audit(s, c, "shift.check_in");
	}
	if (strcmp(status, "attended") == 0)
		return STORE_OK;
	if (strcmp(status, "checked_in") != 0) {
		c->fail = "not_checked_in";
		return STORE_OK;
	}
	if (c->t < in_at) {
		c->fail = "before_check_in";
		return STORE_OK;
	}
	struct attend_rule rule = { .share = app_config(c->r->app)->attend_share };
	if (attend_rule_parse(app_config(c->r->app)->attend_rounding, &rule) != 0)
		rule.low = rule.high = -1;
	int64_t clipped = attend_clipped(in_at, c->t, c->x->starts, c->x->ends);
	c->minutes = attend_counts(clipped, c->x->starts, c->x->ends, &rule)
		? attend_minutes(clipped, c->x->starts, c->x->ends, &rule) : 0;
	if (c->minutes > 0 && (rc = attendance_record(s, c, in_at, c->t, c->minutes)) != STORE_OK)
		return rc;
	st = store_prepare(s, "UPDATE signups SET status = 'attended', checked_out_at = $2, minutes = $3,"
			   " record_id = $4, auto_checkout = $5 WHERE id = $1 AND status = 'checked_in'");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->signup_id);
	store_bind_int(st, 2, c->t);
	store_bind_int(st, 3, c->minutes);
	store_bind_id(st, 4, c->record_id);
	store_bind_int(st, 5, c->auto_out);
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	return check_audit(s, c, "shift.check_out");
}

int shifts_check(struct app_req *r, int64_t shift_id, bool in_not_out, json_t *in, json_t **out)
{
	struct shift_ref x;
	const char *code = NULL;
	int64_t vid = 0, now = app_now(), t = now;
	bool given, has_at;
	if (!r->who)
		return app_fail(r, APP_EUNAUTH, "unauthenticated", NULL);
	if (in_text(r, in, "code", false, 16, &code) != 0 || in_id(r, in, "volunteer_id", false, &vid, &given) != 0 ||
	    in_time(r, in, "at", false, &t, &has_at) != 0 || shift_load(r, shift_id, &x) != 0)
		return -1;
	bool staff = !code && shift_staff(r, &x, AUTHZ_SHIFTS_STAFF);
	if (staff) {
		/* by hand: whoever the site leader names, at the time they say */
		if (!given)
			return app_fail(r, APP_EINVALID, "required", "volunteer_id");
		if (t > now + 60)
			return app_fail(r, APP_EINVALID, "in_the_future", "at");
	} else {
		int64_t own;
		if (!code && given)
			return app_fail(r, APP_EFORBIDDEN, "forbidden", "volunteer_id");   /* by hand: staff only */
		if (volunteers_mine_id(r, &own) != 0)
			return -1;
		if (!code)
			return app_fail(r, APP_EINVALID, "required", "code");
		if (has_at)
			return app_fail(r, APP_EINVALID, "not_editable", "at");
		if (given && vid != own)
			return app_fail(r, APP_EFORBIDDEN, "forbidden", "volunteer_id");
		vid = own;
		if (strlen(code) != SECRET_SHIFT_CODE_LEN || strspn(code, "0123456789") != SECRET_SHIFT_CODE_LEN)
			return app_fail(r, APP_EINVALID, "invalid_code", "code");
	}
	int64_t early = (int64_t)app_config(r->app)->checkin_early * 60;
	if (in_not_out && (t < x.starts - early || t >= x.ends))
		return app_fail(r, APP_EINVALID, "outside_shift_window", staff ? "at" : "code");
	if (!staff) {
		/* six digits are guessable: a few failures, then waits */
		const char *key = arena_printf(r->arena, "checkin:%lld", (long long)r->who->user_id);
		struct store_stmt *st = store_prepare(r->store, "SELECT blocked_until FROM login_throttle WHERE key = $1");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_text(st, 1, key);
		int64_t wait = store_step(st) == STORE_ROW ? store_col_int(st, 0) - now : 0;
		store_done(st);
		if (wait > 0) {
			r->err.retry_after = wait;
			return app_fail(r, APP_ETHROTTLED, "too_many_codes", "code");
		}
		const char *why = code_check(r, &x, code, now);
		if (why) {
			if (app_throttle_note(r, key, 10, 30, 3600) != 0)
				return -1;
			return app_fail(r, APP_EINVALID, why, "code");
		}
	}
	struct check_ctx c = { .r = r, .x = &x, .in_not_out = in_not_out, .volunteer_id = vid, .t = t };
	int rc = store_tx(r->store, check_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	if (c.fail)
		return app_fail(r, APP_EINVALID, c.fail, staff ? "volunteer_id" : "code");
	return signup_get(r, c.signup_id, out);
}

/* ---- the sweep ---- */

struct sweep_ctx {
	struct app_req *r;
	int64_t as_of, count;
};

static int noshow_tx(struct store *s, void *vctx)
{
	struct sweep_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"UPDATE signups SET status = 'no_show' WHERE status = 'confirmed'"
		" AND shift_id IN (SELECT id FROM shifts WHERE ends_at <= $1)");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->as_of);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int shifts_sweep(struct app_req *r, int64_t as_of, int64_t *auto_out, int64_t *no_shows)
{
	*auto_out = *no_shows = 0;
	int64_t after = 0;
	for (;;) {
		/* by id, so a sign-up that cannot be checked out is passed over
		 * (and logged) instead of stopping every later sweep */
		struct store_stmt *st = store_prepare(r->store,
			"SELECT g.id, g.shift_id, g.volunteer_id, g.checked_in_at FROM signups g WHERE g.status = 'checked_in'"
			" AND g.checked_in_at <= $1 AND g.id > $2 ORDER BY g.id LIMIT 500");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_int(st, 1, as_of - AUTO_CHECKOUT_AFTER);
		store_bind_int(st, 2, after);
		int64_t rows[SWEEP_BATCH][4];
		int n = 0, rc;
		while (n < SWEEP_BATCH && (rc = store_step(st)) == STORE_ROW) {
			for (int k = 0; k < 4; k++)
				rows[n][k] = store_col_int(st, k);
			n++;
		}
		store_done(st);
		for (int i = 0; i < n; i++) {
			struct shift_ref x;
			after = rows[i][0];
			if (shift_load(r, rows[i][1], &x) != 0) {
				log_warn("sweep: sign-up %lld: shift unreadable", (long long)after);
				memset(&r->err, 0, sizeof(r->err));
				continue;
			}
			struct check_ctx c = { .r = r, .x = &x, .volunteer_id = rows[i][2], .auto_out = true,
					       .t = rows[i][3] + AUTO_CHECKOUT_AFTER };
			rc = store_tx(r->store, check_tx, &c);
			if (rc != STORE_OK) {
				log_warn("sweep: sign-up %lld not checked out: %s", (long long)after, store_errmsg(r->store));
				memset(&r->err, 0, sizeof(r->err));
				continue;
			}
			(*auto_out)++;
		}
		if (n < SWEEP_BATCH)
			break;
	}
	struct store_stmt *st = store_prepare(r->store,
		"SELECT count(*) FROM signups WHERE status = 'confirmed' AND shift_id IN (SELECT id FROM shifts WHERE ends_at <= $1)");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, as_of);
	if (store_step(st) == STORE_ROW)
		*no_shows = store_col_int(st, 0);
	store_done(st);
	struct sweep_ctx c = { .r = r, .as_of = as_of };
	int rc = store_tx(r->store, noshow_tx, &c);
	return rc == STORE_OK ? 0 : app_store_fail(r, rc);
}

int shifts_sweep_api(struct app_req *r, json_t *in, json_t **out)
{
	int64_t as_of = app_now();
	if (authz_check(r, AUTHZ_MAINTENANCE, NULL) != 0 || (in && in_time(r, in, "as_of", false, &as_of, NULL) != 0))
		return -1;
	if (as_of > app_now() + 60)
		return app_fail(r, APP_EINVALID, "in_the_future", "as_of");
	int64_t a, n;
	if (shifts_sweep(r, as_of, &a, &n) != 0)
		return -1;
	*out = json_pack("{sI sI}", "auto_checked_out", (json_int_t)a, "no_shows", (json_int_t)n);
	return 0;
}
