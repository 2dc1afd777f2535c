/* Training sessions (name, content, study time, organiser, date) and
 * attendance, which goes into each person's file. */
#include "app/service/records.h"
#include "app/kernel/kernel.h"
#include "core/validate.h"
#include "util/arena.h"
#include <stdio.h>
#include <string.h>

#define TRAINING_COLUMNS "t.id, t.org_id, o.name, t.name, t.content, t.study_minutes, t.held_on," \
	" t.created_at, o.path, (SELECT count(*) FROM training_attendance x WHERE x.training_id = t.id)"

static json_t *training_json(struct app_req *r, struct store_stmt *st)
{
	return json_pack("{sI sI ss ss ss sI ss ss sI}",
		"id", (json_int_t)store_col_int(st, 0),
		"org_id", (json_int_t)store_col_int(st, 1),
		"org_name", store_col_text(st, 2),
		"name", store_col_text(st, 3),
		"content", store_col_text(st, 4),
		"study_minutes", (json_int_t)store_col_int(st, 5),
		"held_on", store_col_text(st, 6),
		"created_at", app_iso(r, store_col_int(st, 7)),
		"attendees", (json_int_t)store_col_int(st, 9));
}

struct training_ctx {
	struct app_req *r;
	int64_t org_id, minutes, id;
	const char *name, *content, *held_on, *path, *region;
	json_t *ids;
	int64_t added;
};

static int create_tx(struct store *s, void *vctx)
{
	struct training_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO trainings (org_id, name, content, study_minutes, held_on, region_code, created_by,"
		" created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->org_id);
	store_bind_text(st, 2, c->name);
	store_bind_text(st, 3, c->content ? c->content : "");
	store_bind_int(st, 4, c->minutes);
	store_bind_text(st, 5, c->held_on);
	store_bind_text(st, 6, c->region);
	store_bind_int(st, 7, c->r->who->user_id);
	store_bind_int(st, 8, app_now());
	int rc = store_step(st);
	c->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	return audit_write(c->r, s, "training.create", "training", c->id, c->org_id, c->path, NULL);
}

int trainings_create(struct app_req *r, json_t *in, json_t **out)
{
	struct training_ctx c = { .r = r };
	int ymd;
	if (authz_check(r, AUTHZ_RECORDS_WRITE, NULL) != 0)
		return -1;
	if (in_text(r, in, "name", true, 100, &c.name) != 0 ||
	    in_text(r, in, "content", false, 2000, &c.content) != 0 ||
	    in_id(r, in, "org_id", true, &c.org_id, NULL) != 0 ||
	    in_text(r, in, "held_on", true, 10, &c.held_on) != 0)
		return -1;
	json_t *m = json_object_get(in, "study_minutes");
	if (!m || json_is_null(m))
		return app_fail(r, APP_EINVALID, "required", "study_minutes");
	if (!json_is_integer(m))
		return app_fail(r, APP_EBADREQ, "wrong_type", "study_minutes");
	c.minutes = json_integer_value(m);
	if (c.minutes <= 0 || c.minutes > 24 * 60)
		return app_fail(r, APP_EINVALID, "invalid_minutes", "study_minutes");
	if (!valid_date(c.held_on, &ymd) || ymd > app_today_ymd())
		return app_fail(r, APP_EINVALID, "invalid_date", "held_on");
	struct org_ref org;
	if (org_target(r, r->store, c.org_id, AUTHZ_RECORDS_WRITE, false, &org) != 0)
		return -1;
	c.path = org.path;
	c.region = org.region;
	int rc = store_tx(r->store, create_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return trainings_get(r, c.id, out);
}

int trainings_get(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st;
	if (authz_check(r, AUTHZ_RECORDS_READ, NULL) != 0 ||
	    app_load_row(r, "SELECT " TRAINING_COLUMNS " FROM trainings t JOIN orgs o ON o.id = t.org_id"
			 " WHERE t.id = $1", id, AUTHZ_RECORDS_READ, 8, &st) != 0)
		return -1;
	*out = training_json(r, st);
	store_done(st);
	return 0;
}

int trainings_list(struct app_req *r, const char *limit_s, const char *cursor, json_t **out)
{
	int limit;
	int64_t after;
	if (authz_check(r, AUTHZ_RECORDS_READ, NULL) != 0 || app_limit(r, limit_s, &limit) != 0 ||
	    app_cursor(r, cursor, &after) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " TRAINING_COLUMNS " FROM trainings t JOIN orgs o ON o.id = t.org_id"
		" WHERE o.path LIKE $1 AND (CAST($2 AS BIGINT) = 0 OR t.id < $2) ORDER BY t.id DESC LIMIT $3");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", r->who->org_path));
	store_bind_int(st, 2, after);
	store_bind_int(st, 3, limit + 1);
	return app_page(r, st, limit, training_json, out);
}

static int attend_tx(struct store *s, void *vctx)
{
	struct training_ctx *c = vctx;
	size_t i;
	json_t *e;
	json_array_foreach(c->ids, i, e) {
		struct store_stmt *st = store_prepare(s, "SELECT status FROM volunteers WHERE id = $1");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, json_integer_value(e));
		int rc = store_step(st);
		bool ok = rc == STORE_ROW && strcmp(store_col_text(st, 0), "deleted") != 0;
		store_done(st);
		if (rc != STORE_ROW && rc != STORE_DONE)
			return rc;
		if (!ok) {
			app_fail(c->r, APP_EINVALID, "volunteer_not_found",
				 arena_printf(c->r->arena, "volunteer_ids[%zu]", i));
			return STORE_ERROR;
		}
		st = store_prepare(s,
			"INSERT INTO training_attendance (training_id, volunteer_id, created_at) VALUES ($1, $2, $3)"
			" ON CONFLICT DO NOTHING RETURNING volunteer_id");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, c->id);
		store_bind_int(st, 2, json_integer_value(e));
		store_bind_int(st, 3, app_now());
		rc = store_step(st);
		store_done(st);
		if (rc == STORE_ROW)
			c->added++;
		else if (rc != STORE_DONE)
			return rc;
	}
	char detail[64];
	snprintf(detail, sizeof(detail), "{\"added\":%lld}", (long long)c->added);
	return audit_write_text(c->r, s, "training.attend", "training", c->id, c->org_id, c->path, detail);
}

int trainings_attend(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	struct store_stmt *st;
	struct training_ctx c = { .r = r, .id = id };
	if (authz_check(r, AUTHZ_RECORDS_WRITE, NULL) != 0 ||
	    app_load_row(r, "SELECT t.org_id, o.path FROM trainings t JOIN orgs o ON o.id = t.org_id WHERE t.id = $1",
			 id, AUTHZ_RECORDS_WRITE, 1, &st) != 0)
		return -1;
	c.org_id = store_col_int(st, 0);
	c.path = arena_strdup(r->arena, store_col_text(st, 1));
	store_done(st);
	c.ids = json_object_get(in, "volunteer_ids");
	if (!c.ids || json_is_null(c.ids))
		return app_fail(r, APP_EINVALID, "required", "volunteer_ids");
	if (!json_is_array(c.ids))
		return app_fail(r, APP_EBADREQ, "wrong_type", "volunteer_ids");
	if (json_array_size(c.ids) == 0 || json_array_size(c.ids) > RECORD_BATCH_MAX)
		return app_fail(r, APP_EINVALID, json_array_size(c.ids) ? "too_long" : "required", "volunteer_ids");
	size_t i;
	json_t *e;
	json_array_foreach(c.ids, i, e)
		if (!json_is_integer(e) || json_integer_value(e) <= 0)
			return app_fail(r, APP_EBADREQ, "wrong_type", arena_printf(r->arena, "volunteer_ids[%zu]", i));
	int rc = store_tx(r->store, attend_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return trainings_get(r, id, out);
}
