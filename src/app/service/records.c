/* Activities, service records, decisions and the record chain. */
#include "app/service/records.h"
#include "app/bank/points.h"
#include "app/bank/stars.h"
#include "app/bank/awards.h"
#include "app/kernel/authz.h"
#include "app/kernel/input.h"
#include "app/network/volunteers.h"
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "core/records.h"
#include "core/validate.h"
#include <time.h>
#include "util/arena.h"
#include "util/jsonw.h"
#include "core/chinatime.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ACT_COLUMNS "a.id, a.org_id, o.name, a.name, a.starts_at, a.ends_at, a.place, a.content," \
	" a.leader, a.service_category, a.project_id, a.created_at, o.path"

static json_t *activity_json(struct app_req *r, struct store_stmt *st)
{
	return json_pack("{sI sI ss ss ss ss ss ss ss ss? so ss}",
		"id", (json_int_t)store_col_int(st, 0),
		"org_id", (json_int_t)store_col_int(st, 1),
		"org_name", store_col_text(st, 2),
		"name", store_col_text(st, 3),
		"starts_at", app_iso(r, store_col_int(st, 4)),
		"ends_at", app_iso(r, store_col_int(st, 5)),
		"place", store_col_text(st, 6),
		"content", store_col_text(st, 7),
		"leader", store_col_text(st, 8),
		"service_category", store_col_text(st, 9),
		"project_id", col_id_json(st, 10),
		"created_at", app_iso(r, store_col_int(st, 11)));
}

struct act_ctx {
	struct app_req *r;
	const char *name, *place, *content, *leader, *category, *path, *region;
	int64_t org_id, project_id, starts, ends, id;
};

static int act_tx(struct store *s, void *vctx)
{
	struct act_ctx *c = vctx;
	int64_t now = app_now();
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO activities (org_id, project_id, name, starts_at, ends_at, place, content, leader,"
		" service_category, region_code, created_by, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->org_id);
	store_bind_id(st, 2, c->project_id);
	store_bind_text(st, 3, c->name);
	store_bind_int(st, 4, c->starts);
	store_bind_int(st, 5, c->ends);
	store_bind_text(st, 6, c->place);
	store_bind_text(st, 7, c->content ? c->content : "");
	store_bind_text(st, 8, c->leader ? c->leader : "");
	store_bind_text(st, 9, c->category);
	store_bind_text(st, 10, c->region);
	store_bind_int(st, 11, c->r->who->user_id);
	store_bind_int(st, 12, now);
	int rc = store_step(st);
	c->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	json_t *detail = json_pack("{ss}", "name", c->name);
	rc = audit_write(c->r, s, "activity.create", "activity", c->id, c->org_id, c->path, detail);
	json_decref(detail);
	return rc;
}

int activities_create(struct app_req *r, json_t *in, json_t **out)
{
	struct act_ctx c = { .r = r };
	bool has_project;
	if (authz_check(r, AUTHZ_RECORDS_WRITE, NULL) != 0)
		return -1;
	if (in_text(r, in, "name", true, 100, &c.name) != 0 ||
	    in_id(r, in, "org_id", true, &c.org_id, NULL) != 0 ||
	    in_time(r, in, "starts_at", true, &c.starts, NULL) != 0 ||
	    in_time(r, in, "ends_at", true, &c.ends, NULL) != 0 ||
	    in_text(r, in, "place", true, 200, &c.place) != 0 ||
	    in_text(r, in, "content", true, 2000, &c.content) != 0 ||
	    in_text(r, in, "leader", false, 50, &c.leader) != 0 ||
	    in_text(r, in, "service_category", false, 20, &c.category) != 0 ||
	    in_id(r, in, "project_id", false, &c.project_id, &has_project) != 0)
		return -1;
	if (c.ends <= c.starts)
		return app_fail(r, APP_EINVALID, "ends_before_start", "ends_at");
	if (c.ends - c.starts > 7 * 86400)
		return app_fail(r, APP_EINVALID, "activity_too_long", "ends_at");
	struct org_ref org;
	if (org_target(r, r->store, c.org_id, AUTHZ_RECORDS_WRITE, true, &org) != 0)
		return -1;
	if (has_project) {
		/* an activity of a project is organised by the project's owner */
		struct store_stmt *st = store_prepare(r->store, "SELECT org_id FROM projects WHERE id = $1");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_int(st, 1, c.project_id);
		int rc = store_step(st);
		bool same = rc == STORE_ROW && store_col_int(st, 0) == c.org_id;
		store_done(st);
		if (rc != STORE_ROW && rc != STORE_DONE)
			return app_store_fail(r, rc);
		if (rc == STORE_DONE)
			return app_fail(r, APP_EINVALID, "project_not_found", "project_id");
		if (!same)
			return app_fail(r, APP_EINVALID, "project_of_another_org", "project_id");
	}
	c.path = org.path;
	c.region = org.region;
	int rc = store_tx(r->store, act_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return activities_get(r, c.id, out);
}

int activities_get(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st;
	if (authz_check(r, AUTHZ_RECORDS_READ, NULL) != 0 ||
	    app_load_row(r, "SELECT " ACT_COLUMNS " FROM activities a JOIN orgs o ON o.id = a.org_id WHERE a.id = $1",
			 id, AUTHZ_RECORDS_READ, 12, &st) != 0)
		return -1;
	*out = activity_json(r, st);
	store_done(st);
	return 0;
}

int activities_list(struct app_req *r, const char *org_s, const char *limit_s, const char *cursor, json_t **out)
{
	int limit;
	int64_t after;
	const char *scope;
	if (authz_check(r, AUTHZ_RECORDS_READ, NULL) != 0 || app_limit(r, limit_s, &limit) != 0 ||
	    app_cursor(r, cursor, &after) != 0)
		return -1;
	if (app_scope(r, org_s, AUTHZ_RECORDS_READ, &scope) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " ACT_COLUMNS " FROM activities a JOIN orgs o ON o.id = a.org_id"
		" WHERE o.path LIKE $1 AND (CAST($2 AS BIGINT) = 0 OR a.id < $2)"
		" ORDER BY a.id DESC LIMIT $3");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", scope));
	store_bind_int(st, 2, after);
	store_bind_int(st, 3, limit + 1);
	return app_page(r, st, limit, activity_json, out);
}

#define REC_COLUMNS "s.id, s.activity_id, a.name, s.volunteer_id, v.volunteer_number, v.name," \
	" s.org_id, s.starts_at, s.ends_at, s.minutes, s.place, s.beneficiary, s.beneficiary_count," \
	" s.content, s.quality, s.quality_comment, s.source, s.evidence, s.recorder_id, s.late," \
	" s.late_reason, s.status, s.reject_reason, s.approver_id, s.decided_at, s.amends_id," \
	" s.chain_seq, s.chain_hash, s.created_at, o.path, s.source_org, s.amendment_reason"
#define REC_FROM " FROM service_records s JOIN activities a ON a.id = s.activity_id" \
	" JOIN volunteers v ON v.id = s.volunteer_id JOIN orgs o ON o.id = s.org_id"
/* The same columns for the records of one volunteer's file, whose number
 * and name are known ($4, $5): the page needs no join but the activity's.
 * The organisation's path (column 29) is not part of a record's reading. */
#define REC_COLUMNS_FILE "s.id, s.activity_id, a.name, s.volunteer_id, CAST($4 AS TEXT), CAST($5 AS TEXT)," \
	" s.org_id, s.starts_at, s.ends_at, s.minutes, s.place, s.beneficiary, s.beneficiary_count," \
	" s.content, s.quality, s.quality_comment, s.source, s.evidence, s.recorder_id, s.late," \
	" s.late_reason, s.status, s.reject_reason, s.approver_id, s.decided_at, s.amends_id," \
	" s.chain_seq, s.chain_hash, s.created_at, '', s.source_org, s.amendment_reason"
#define REC_FROM_FILE " FROM service_records s JOIN activities a ON a.id = s.activity_id"

/* How a record reads (REC_COLUMNS): the one list of its members, for the
 * archive's streamed pages (record_members) and every other answer
 * (record_json). Kinds: i integer, b boolean, t time, s text. */
static const struct {
	const char *name;
	int col;
	char kind;
} rec_members[] = {
	{ "id", 0, 'i' }, { "activity_id", 1, 'i' }, { "activity_name", 2, 's' },
	{ "volunteer_id", 3, 'i' }, { "volunteer_number", 4, 's' }, { "volunteer_name", 5, 's' },
	{ "org_id", 6, 'i' }, { "starts_at", 7, 't' }, { "ends_at", 8, 't' }, { "minutes", 9, 'i' },
	{ "beneficiary", 11, 's' }, { "beneficiary_count", 12, 'i' }, { "place", 10, 's' },
	{ "content", 13, 's' }, { "quality", 14, 's' }, { "quality_comment", 15, 's' },
	{ "source", 16, 's' }, { "evidence", 17, 's' }, { "recorder_id", 18, 'i' },
	{ "late", 19, 'b' }, { "late_reason", 20, 's' }, { "status", 21, 's' },
	{ "reject_reason", 22, 's' }, { "approver_id", 23, 'i' }, { "decided_at", 24, 't' },
	{ "amends_id", 25, 'i' }, { "chain_seq", 26, 'i' }, { "chain_hash", 27, 's' },
	{ "created_at", 28, 't' }, { "source_org", 30, 's' }, { "amendment_reason", 31, 's' },
};
#define NREC_MEMBERS (sizeof(rec_members) / sizeof(rec_members[0]))

/* The members of a record into the open object of w. */
static void record_members(struct jsonw *w, struct app_req *r, struct store_stmt *st)
{
	for (size_t i = 0; i < NREC_MEMBERS; i++) {
		int col = rec_members[i].col;
		jsonw_key(w, rec_members[i].name);
		if (store_col_null(st, col))
			jsonw_null(w);
		else if (rec_members[i].kind == 'i')
			jsonw_int(w, store_col_int(st, col));
		else if (rec_members[i].kind == 'b')
			jsonw_bool(w, store_col_int(st, col) != 0);
		else if (rec_members[i].kind == 't')
			jsonw_str(w, app_iso(r, store_col_int(st, col)));
		else
			jsonw_str(w, store_col_text(st, col));
	}
}

static json_t *record_json(struct app_req *r, struct store_stmt *st)
{
	json_t *o = json_object();
	for (size_t i = 0; i < NREC_MEMBERS; i++) {
		int col = rec_members[i].col;
		json_t *v;
		if (store_col_null(st, col))
			v = json_null();
		else if (rec_members[i].kind == 'i')
			v = json_integer(store_col_int(st, col));
		else if (rec_members[i].kind == 'b')
			v = json_boolean(store_col_int(st, col) != 0);
		else if (rec_members[i].kind == 't')
			v = json_string(app_iso(r, store_col_int(st, col)));
		else
			v = json_string(store_col_text(st, col));
		json_object_set_new_nocheck(o, rec_members[i].name, v);
	}
	return o;
}

/* Calendar days from ymd on (a deadline of 10 working days lies within
 * two months even across the Spring Festival). */
static int load_calendar(struct app_req *r, int ymd, struct work_calendar *cal)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT day, kind FROM calendar_days WHERE day > $1 AND day <= $2 ORDER BY day");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, ymd);
	store_bind_int(st, 2, ymd_add_days(ymd, 62));
	int *hol = arena_alloc(r->arena, 64 * sizeof(int)), *work = arena_alloc(r->arena, 64 * sizeof(int));
	size_t nh = 0, nw = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		int day = (int)store_col_int(st, 0);
		if (strcmp(store_col_text(st, 1), "holiday") == 0 && nh < 64)
			hol[nh++] = day;
		else if (nw < 64)
			work[nw++] = day;
	}
	store_done(st);
	*cal = (struct work_calendar){ hol, nh, work, nw };
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

static const char *const qualities[] = { "excellent", "good", "pass", "fail" };
static const char *const sources[] = { "recorder", "self_declared", "import", "transfer_in" };

static bool one_of(const char *v, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, list[i]) == 0)
			return true;
	return false;
}

struct rec_ctx {
	struct app_req *r;
	int64_t activity_id, volunteer_id, org_id, minutes, starts, ends, beneficiary_count, id;
	int64_t resubmits;       /* the rejected record this entry corrects (0: none) */
	const char *place, *beneficiary, *content, *quality, *quality_comment, *source, *evidence;
	const char *late_reason, *idem, *org_path, *region, *source_org;
	bool late, has_count, existed, self;
};

/* The checks that need other records: one per activity, no overlap, the
 * daily cap. Inside the transaction so racing entries cannot both pass. */
static int rec_rules(struct rec_ctx *c, struct store *s)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT activity_id, starts_at, ends_at, minutes FROM service_records"
		" WHERE volunteer_id = $1 AND status <> 'rejected' AND amends_id IS NULL"
		" AND ends_at > $2 AND starts_at < $3");
	if (!st)
		return STORE_ERROR;
	/* a window wide enough for the day of the service (China time) */
	int64_t day0 = china_day_floor(c->starts);
	store_bind_int(st, 1, c->volunteer_id);
	store_bind_int(st, 2, day0);
	store_bind_int(st, 3, day0 + 2 * 86400 > c->ends ? day0 + 2 * 86400 : c->ends);
	int rc;
	int64_t same_day = 0;
	const char *fail = NULL;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (store_col_int(st, 0) == c->activity_id)
			fail = "record_exists";
		else if (intervals_overlap(c->starts, c->ends, store_col_int(st, 1), store_col_int(st, 2)))
			fail = fail ? fail : "overlapping_record";
		if (store_col_int(st, 1) >= day0 && store_col_int(st, 1) < day0 + 86400)
			same_day += store_col_int(st, 3);
	}
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	if (fail) {
		app_fail(c->r, strcmp(fail, "record_exists") == 0 ? APP_ECONFLICT : APP_EINVALID, fail,
			 strcmp(fail, "record_exists") == 0 ? "volunteer_id" : "starts_at");
		return STORE_ERROR;
	}
	if (same_day + c->minutes > app_config(c->r->app)->record_daily_max) {
		app_fail(c->r, APP_EINVALID, "daily_limit", "minutes");
		return STORE_ERROR;
	}
	return STORE_OK;
}

static int rec_tx(struct store *s, void *vctx)
{
	struct rec_ctx *c = vctx;
	if (c->idem) {
		int rc = app_idem_lookup(c->r, s,
			"SELECT id FROM service_records WHERE recorder_id = $1 AND idempotency_key = $2", c->idem, &c->id);
		if (rc == STORE_ROW)
			c->existed = true;
		if (rc != STORE_DONE)
			return rc == STORE_ROW ? STORE_OK : rc;
	}
	int rc = rec_rules(c, s);
	if (rc != STORE_OK)
		return rc;
	struct store_stmt *st;
	if (c->resubmits) {
		/* inside the transaction: of two racing corrections one wins */
		st = store_prepare(s, "SELECT 1 FROM service_records WHERE resubmits_id = $1");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, c->resubmits);
		rc = store_step(st);
		store_done(st);
		if (rc == STORE_ROW) {
			app_fail(c->r, APP_ECONFLICT, "already_resubmitted", "resubmits_id");
			return STORE_ERROR;
		}
		if (rc != STORE_DONE)
			return rc;
	}
	st = store_prepare(s,
		"INSERT INTO service_records (activity_id, volunteer_id, org_id, region_code, starts_at, ends_at,"
		" minutes, place, beneficiary, beneficiary_count, content, quality, quality_comment, source,"
		" evidence, recorder_id, late, late_reason, status, idempotency_key, created_at, source_org,"
		" resubmits_id)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,"
		" 'submitted', $19, $20, $21, $22) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->activity_id);
	store_bind_int(st, 2, c->volunteer_id);
	store_bind_int(st, 3, c->org_id);
	store_bind_text(st, 4, c->region);
	store_bind_int(st, 5, c->starts);
	store_bind_int(st, 6, c->ends);
	store_bind_int(st, 7, c->minutes);
	store_bind_text(st, 8, c->place);
	store_bind_text(st, 9, c->beneficiary);
	if (c->has_count)
		store_bind_int(st, 10, c->beneficiary_count);
	else
		store_bind_null(st, 10);
	store_bind_text(st, 11, c->content);
	store_bind_text(st, 12, c->quality);
	store_bind_text(st, 13, c->quality_comment);
	store_bind_text(st, 14, c->source);
	store_bind_text(st, 15, c->evidence);
	store_bind_int(st, 16, c->r->who->user_id);
	store_bind_int(st, 17, c->late);
	store_bind_text(st, 18, c->late_reason);
	store_bind_text(st, 19, c->idem);
	store_bind_int(st, 20, app_now());
	store_bind_text(st, 21, c->source_org);
	store_bind_id(st, 22, c->resubmits);
	rc = store_step(st);
	c->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	char detail[160];
	snprintf(detail, sizeof(detail), "{\"activity_id\":%lld,\"minutes\":%lld,\"volunteer_id\":%lld}",
		 (long long)c->activity_id, (long long)c->minutes, (long long)c->volunteer_id);
	return audit_write_text(c->r, s, "record.create", "record", c->id, c->org_id, c->org_path, detail);
}

/* A correction of a rejected record (resubmits_id): that record exists,
 * was entered by the caller (or the caller is an admin whose scope holds
 * it: another recorder may not "correct" someone else's entry), was
 * rejected, is an original entry (not an amendment) and is about the same
 * person and activity. Whether it was corrected already is checked inside
 * the transaction (rec_tx). */
static int resubmit_check(struct app_req *r, const struct rec_ctx *c)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT s.status, s.activity_id, s.volunteer_id, s.amends_id, s.recorder_id, o.path"
		" FROM service_records s JOIN orgs o ON o.id = s.org_id WHERE s.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, c->resubmits);
	int rc = store_step(st);
	const char *fail = NULL;
	int status = APP_EINVALID;
	if (rc == STORE_ROW) {
		bool own = !store_col_null(st, 4) && store_col_int(st, 4) == r->who->user_id;
		if (!own && !((r->who->roles & ROLE_ADMIN) && authz_in_scope(r->who, store_col_text(st, 5)))) {
			fail = "resubmit_not_yours";
			status = APP_EFORBIDDEN;
		} else if (store_col_int(st, 1) != c->activity_id || store_col_int(st, 2) != c->volunteer_id ||
		    !store_col_null(st, 3))
			fail = "resubmit_mismatch";
		else if (strcmp(store_col_text(st, 0), "rejected") != 0) {
			fail = "not_rejected";
			status = APP_ECONFLICT;
		}
	}
	store_done(st);
	if (rc == STORE_DONE)
		return app_fail(r, APP_EINVALID, "record_not_found", "resubmits_id");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	return fail ? app_fail(r, status, fail, "resubmits_id") : 0;
}

/* Reads and checks one entry; everything but the rules that need the
 * other records (rec_rules, inside the transaction). activity_id > 0
 * overrides the entry's (batch entry). */
static int rec_prepare(struct app_req *r, json_t *in, int64_t activity_id, struct rec_ctx *pc)
{
	struct rec_ctx c = *pc;
	bool has_start, has_end;
	c.source = "recorder";
	json_t *bc = json_object_get(in, "beneficiary_count");
	c.activity_id = activity_id;
	if ((!activity_id && in_id(r, in, "activity_id", true, &c.activity_id, NULL) != 0) ||
	    in_id(r, in, "volunteer_id", true, &c.volunteer_id, NULL) != 0 ||
	    in_text(r, in, "beneficiary", false, 200, &c.beneficiary) != 0 ||
	    in_text(r, in, "quality", true, 16, &c.quality) != 0 ||
	    in_text(r, in, "quality_comment", false, 500, &c.quality_comment) != 0 ||
	    in_text(r, in, "place", false, 200, &c.place) != 0 ||
	    in_text(r, in, "content", false, 2000, &c.content) != 0 ||
	    in_text(r, in, "source", false, 20, &c.source) != 0 ||
	    in_text(r, in, "evidence", false, 2000, &c.evidence) != 0 ||
	    in_text(r, in, "late_reason", false, 500, &c.late_reason) != 0 ||
	    in_text(r, in, "source_org", false, 100, &c.source_org) != 0 ||
	    in_time(r, in, "starts_at", false, &c.starts, &has_start) != 0 ||
	    in_time(r, in, "ends_at", false, &c.ends, &has_end) != 0 ||
	    in_id(r, in, "resubmits_id", false, &c.resubmits, NULL) != 0)
		return -1;
	json_t *m = json_object_get(in, "minutes");
	if (!m || json_is_null(m))
		return app_fail(r, APP_EINVALID, "required", "minutes");
	if (!json_is_integer(m))
		return app_fail(r, APP_EBADREQ, "wrong_type", "minutes");
	if (bc && !json_is_null(bc)) {
		if (!json_is_integer(bc))
			return app_fail(r, APP_EBADREQ, "wrong_type", "beneficiary_count");
		if (json_integer_value(bc) < 0 || json_integer_value(bc) > 1000000)
			return app_fail(r, APP_EINVALID, "invalid_value", "beneficiary_count");
		c.beneficiary_count = json_integer_value(bc);
		c.has_count = true;
	}
	if (!c.source)
		c.source = "recorder";
	if (!one_of(c.quality, qualities, 4))
		return app_fail(r, APP_EINVALID, "invalid_quality", "quality");
	if (!one_of(c.source, sources, 4))
		return app_fail(r, APP_EINVALID, "invalid_source", "source");
	if (c.self)
		c.source = "self_declared";   /* what a volunteer enters is a declaration */
	if ((strcmp(c.source, "self_declared") == 0 || strcmp(c.source, "transfer_in") == 0) && !c.evidence)
		return app_fail(r, APP_EINVALID, "evidence_required", "evidence");
	if (strcmp(c.source, "transfer_in") == 0 && !c.source_org)
		return app_fail(r, APP_EINVALID, "required", "source_org");

	/* the activity: in scope, over, and long enough */
	struct store_stmt *st;
	if (app_load_row(r, "SELECT a.org_id, o.path, o.region_code, a.starts_at, a.ends_at, a.place, a.content"
			 " FROM activities a JOIN orgs o ON o.id = a.org_id WHERE a.id = $1",
			 c.activity_id, c.self ? AUTHZ_SELF : AUTHZ_RECORDS_WRITE, 1, &st) != 0) {
		if (r->err.status == APP_ENOTFOUND)
			app_fail(r, APP_EINVALID, "activity_not_found", "activity_id");
		return -1;
	}
	c.org_id = store_col_int(st, 0);
	c.org_path = arena_strdup(r->arena, store_col_text(st, 1));
	c.region = arena_strdup(r->arena, store_col_text(st, 2));
	int64_t a0 = store_col_int(st, 3), a1 = store_col_int(st, 4);
	if (!c.place)
		c.place = arena_strdup(r->arena, store_col_text(st, 5));
	if (!c.content)
		c.content = arena_strdup(r->arena, store_col_text(st, 6));
	store_done(st);
	if (a1 > app_now())
		return app_fail(r, APP_EINVALID, "activity_not_over", "activity_id");
	if (!*c.content)
		return app_fail(r, APP_EINVALID, "required", "content");
	if (!has_start)
		c.starts = a0;
	if (!has_end)
		c.ends = a1;
	if (c.starts < a0 || c.ends > a1 || c.ends <= c.starts)
		return app_fail(r, APP_EINVALID, "outside_activity", has_start ? "starts_at" : "ends_at");
	int64_t raw = json_integer_value(m);
	if (raw <= 0)
		return app_fail(r, APP_EINVALID, "invalid_minutes", "minutes");
	c.minutes = minutes_round(raw, app_config(r->app)->record_granularity);
	if (c.minutes <= 0)
		return app_fail(r, APP_EINVALID, "too_short", "minutes");
	if (c.minutes > (c.ends - c.starts) / 60)
		return app_fail(r, APP_EINVALID, "longer_than_activity", "minutes");

	/* the volunteer */
	bool active;
	int rc = app_volunteer_active(r->store, c.volunteer_id, &active);
	if (rc == STORE_DONE)
		return app_fail(r, APP_EINVALID, "volunteer_not_found", "volunteer_id");
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	if (!active)
		return app_fail(r, APP_EINVALID, "volunteer_inactive", "volunteer_id");
	if (c.resubmits && resubmit_check(r, &c) != 0)
		return -1;

	/* entered more than 10 working days after the activity: a reason,
	 * and the record is flagged */
	int end_ymd = china_ymd(a1);
	struct work_calendar cal;
	if (load_calendar(r, end_ymd, &cal) != 0)
		return -1;
	int deadline = working_deadline(end_ymd, RECORD_DEADLINE_DAYS, &cal);
	if (deadline > 0 && app_today_ymd() > deadline) {
		if (!c.late_reason)
			return app_fail(r, APP_EINVALID, "late_reason_required", "late_reason");
		c.late = true;
	}
	*pc = c;
	return 0;
}

/* Whether the caller's login is volunteer vid's. */
static bool owns_volunteer(struct app_req *r, int64_t vid)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT user_id FROM volunteers WHERE id = $1");
	if (!st)
		return false;
	store_bind_int(st, 1, vid);
	bool own = store_step(st) == STORE_ROW && !store_col_null(st, 0) && store_col_int(st, 0) == r->who->user_id;
	store_done(st);
	return own;
}

int records_create(struct app_req *r, json_t *in, const char *idem, json_t **out, bool *created)
{
	int rc;
	struct rec_ctx c = { .r = r, .idem = idem };
	*created = false;
	if (authz_check(r, AUTHZ_RECORDS_WRITE, NULL) != 0) {
		/* a volunteer may declare their own service */
		int64_t vid;
		if (!r->who || !(r->who->roles & ROLE_VOLUNTEER) ||
		    in_id(r, in, "volunteer_id", true, &vid, NULL) != 0 || !owns_volunteer(r, vid))
			return r->err.status == APP_EBADREQ || r->err.status == APP_EINVALID ? -1
				: app_fail(r, r->who ? APP_EFORBIDDEN : APP_EUNAUTH, r->who ? "forbidden" : "unauthenticated", NULL);
		memset(&r->err, 0, sizeof(r->err));
		c.self = true;
	}
	if (idem && (strlen(idem) == 0 || strlen(idem) > 128))
		return app_fail(r, APP_EBADREQ, "invalid_idempotency_key", "Idempotency-Key");
	if (rec_prepare(r, in, 0, &c) != 0)
		return -1;
	rc = store_tx(r->store, rec_tx, &c);
	if (rc != STORE_OK) {
		if (rc == STORE_CONSTRAINT && c.idem && r->err.status == APP_OK)
			return app_fail(r, APP_ECONFLICT, "idempotency_conflict", "Idempotency-Key");
		return app_store_fail(r, rc);
	}
	*created = !c.existed;
	return records_get(r, c.id, out);
}

struct batch_ctx {
	struct rec_ctx *entries;
	size_t n;
};

static int batch_tx(struct store *s, void *vctx)
{
	struct batch_ctx *b = vctx;
	for (size_t i = 0; i < b->n; i++) {
		int rc = rec_tx(s, &b->entries[i]);
		if (rc != STORE_OK) {
			struct app_req *r = b->entries[i].r;
			if (r->err.field)
				r->err.field = arena_printf(r->arena, "entries[%zu].%s", i, r->err.field);
			return rc;
		}
	}
	return STORE_OK;
}

int records_create_batch(struct app_req *r, json_t *in, const char *idem, json_t **out)
{
	int64_t activity_id;
	if (authz_check(r, AUTHZ_RECORDS_WRITE, NULL) != 0)
		return -1;
	if (idem && (strlen(idem) == 0 || strlen(idem) > 120))
		return app_fail(r, APP_EBADREQ, "invalid_idempotency_key", "Idempotency-Key");
	if (in_id(r, in, "activity_id", true, &activity_id, NULL) != 0)
		return -1;
	json_t *list = json_object_get(in, "entries");
	if (!list || json_is_null(list))
		return app_fail(r, APP_EINVALID, "required", "entries");
	if (!json_is_array(list))
		return app_fail(r, APP_EBADREQ, "wrong_type", "entries");
	size_t n = json_array_size(list);
	if (n == 0)
		return app_fail(r, APP_EINVALID, "required", "entries");
	if (n > RECORD_BATCH_MAX)
		return app_fail(r, APP_EINVALID, "too_long", "entries");
	struct rec_ctx *entries = arena_alloc(r->arena, n * sizeof(*entries));
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(list, i);
		entries[i].r = r;
		entries[i].idem = idem ? arena_printf(r->arena, "%s#%zu", idem, i) : NULL;
		if (!json_is_object(e))
			return app_fail(r, APP_EBADREQ, "wrong_type", arena_printf(r->arena, "entries[%zu]", i));
		if (rec_prepare(r, e, activity_id, &entries[i]) != 0) {
			if (r->err.field)
				r->err.field = arena_printf(r->arena, "entries[%zu].%s", i, r->err.field);
			return -1;
		}
		for (size_t k = 0; k < i; k++)
			if (entries[k].volunteer_id == entries[i].volunteer_id)
				return app_fail(r, APP_EINVALID, "duplicate_entry",
						arena_printf(r->arena, "entries[%zu].volunteer_id", i));
	}
	struct batch_ctx b = { entries, n };
	int rc = store_tx(r->store, batch_tx, &b);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *one;
		if (records_get(r, entries[i].id, &one) != 0) {
			json_decref(items);
			return -1;
		}
		json_array_append_new(items, one);
	}
	*out = json_pack("{so}", "items", items);
	return 0;
}

int records_get(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st;
	/* staff of the scope, or the volunteer the record is about */
	if (app_load_row(r, "SELECT " REC_COLUMNS ", v.user_id" REC_FROM " WHERE s.id = $1", id, AUTHZ_SELF, 29, &st) != 0)
		return -1;
	bool own = !store_col_null(st, 32) && store_col_int(st, 32) == r->who->user_id;
	if (!own && authz_check(r, AUTHZ_RECORDS_READ, store_col_text(st, 29)) != 0) {
		store_done(st);
		return -1;
	}
	*out = record_json(r, st);
	store_done(st);
	return 0;
}

/* Why who may not decide on a record of the organisation at org_path,
 * entered by recorder_id, in state status (self_ok: the organisation lets
 * recorders approve their own entries); NULL when they may. The one rule
 * of decisions: decide() enforces it and the lists show it beforehand
 * (can_approve, approve_block), so the two cannot disagree.
 *   not_approver    the caller's roles cannot decide on records
 *   out_of_scope    the record's organisation is outside the caller's subtree
 *   own_record      the caller entered it (or checked the person out), and
 *                   the organisation does not allow self-approval
 *   admin_required  another recorder entered it: only admins decide on
 *                   others' entries
 *   already_decided it is approved or rejected already */
static const char *decision_block(const struct principal *who, const char *org_path, int64_t recorder_id,
				  bool self_ok, const char *status)
{
	const char *why = authz_refusal(who, AUTHZ_RECORDS_APPROVE, org_path);
	if (why)
		return strcmp(why, "out_of_scope") == 0 ? "out_of_scope" : "not_approver";
	bool own = recorder_id == who->user_id;
	if (own && !self_ok)
		return "own_record";
	if (!own && !(who->roles & ROLE_ADMIN))
		return "admin_required";
	if (strcmp(status, "submitted") != 0)
		return "already_decided";
	return NULL;
}

/* The list's columns after REC_COLUMNS: what decision_block needs and the
 * recorder's name. */
#define REC_QUEUE_COLUMNS ", o.allow_self_approval, COALESCE(NULLIF(u.display_name, ''), u.username)"
#define REC_QUEUE_FROM " LEFT JOIN users u ON u.id = s.recorder_id"

/* A record in a list: its reading, the recorder's name, and whether the
 * caller may decide on it and if not why (decision_block). */
static json_t *record_queue_json(struct app_req *r, struct store_stmt *st)
{
	json_t *o = record_json(r, st);
	const char *why = decision_block(r->who, store_col_text(st, 29), store_col_int(st, 18),
					 store_col_int(st, 32) != 0, store_col_text(st, 21));
	json_object_set_new(o, "recorder_name", store_col_null(st, 33) ? json_null() : json_string(store_col_text(st, 33)));
	json_object_set_new(o, "can_approve", json_boolean(why == NULL));
	json_object_set_new(o, "approve_block", why ? json_string(why) : json_null());
	return o;
}

int records_list(struct app_req *r, const char *vol_s, const char *status, const char *act_s,
		 const char *limit_s, const char *cursor, json_t **out)
{
	int limit;
	int64_t after, vol = 0, act = 0;
	if (authz_check(r, AUTHZ_RECORDS_READ, NULL) != 0 || app_limit(r, limit_s, &limit) != 0 ||
	    app_cursor(r, cursor, &after) != 0)
		return -1;
	if (vol_s && parse_id(vol_s, &vol) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_id", "volunteer_id");
	if (act_s && parse_id(act_s, &act) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_id", "activity_id");
	if (status && strcmp(status, "submitted") && strcmp(status, "approved") && strcmp(status, "rejected"))
		return app_fail(r, APP_EBADREQ, "invalid_status", "status");
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " REC_COLUMNS REC_QUEUE_COLUMNS REC_FROM REC_QUEUE_FROM " WHERE o.path LIKE $1"
		" AND (CAST($2 AS BIGINT) = 0 OR s.volunteer_id = $2)"
		" AND (CAST($3 AS TEXT) IS NULL OR s.status = $3)"
		" AND (CAST($4 AS BIGINT) = 0 OR s.activity_id = $4)"
		" AND (CAST($5 AS BIGINT) = 0 OR s.id < $5)"
		" ORDER BY s.id DESC LIMIT $6");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", r->who->org_path));
	store_bind_int(st, 2, vol);
	store_bind_text(st, 3, status);
	store_bind_int(st, 4, act);
	store_bind_int(st, 5, after);
	store_bind_int(st, 6, limit + 1);
	return app_page(r, st, limit, record_queue_json, out);
}

/* An entry in its recorder's list: as in the queue, with the record that
 * corrected it when it was rejected and entered again (column 34). */
static json_t *record_entry_json(struct app_req *r, struct store_stmt *st)
{
	json_t *o = record_queue_json(r, st);
	json_object_set_new(o, "resubmitted_as", col_id_json(st, 34));
	return o;
}

#define ENTRY_FIXED "EXISTS (SELECT 1 FROM service_records x WHERE x.resubmits_id = s.id)"
#define ENTRY_PAGE_MAX 100000

/* The entries' order is four runs, each newest first: rejected and not
 * yet corrected, awaiting a decision, approved, rejected and corrected.
 * A run is a range of the index (recorder_id, status, id), so a page is
 * read run by run, knowing the runs' sizes from the counts, instead of
 * sorting all of a recorder's entries (0.7 s for 100,000 entries). */
struct entry_run {
	const char *status;
	int fixed;               /* rejected runs: 0 not corrected, 1 corrected; -1 any */
	int64_t count;
};

/* Appends up to limit entries of run from offset on to items. */
static int entry_run_read(struct app_req *r, const struct entry_run *run, int64_t offset, int64_t limit,
			  json_t *items)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " REC_COLUMNS REC_QUEUE_COLUMNS ", (SELECT x.id FROM service_records x WHERE x.resubmits_id = s.id)"
		REC_FROM REC_QUEUE_FROM " WHERE s.recorder_id = $1 AND s.status = $2"
		" AND (CAST($3 AS BIGINT) < 0 OR (CASE WHEN " ENTRY_FIXED " THEN 1 ELSE 0 END) = $3)"
		" ORDER BY s.id DESC LIMIT $4 OFFSET $5");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, r->who->user_id);
	store_bind_text(st, 2, run->status);
	store_bind_int(st, 3, run->fixed);
	store_bind_int(st, 4, limit);
	store_bind_int(st, 5, offset);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(items, record_entry_json(r, st));
	store_done(st);
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

int records_entered(struct app_req *r, const char *status, const char *limit_s, const char *page_s, json_t **out)
{
	int limit;
	int64_t page = 1;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 || app_limit(r, limit_s, &limit) != 0)
		return -1;
	if (page_s && (parse_id(page_s, &page) != 0 || page > ENTRY_PAGE_MAX))
		return app_fail(r, APP_EBADREQ, "invalid_value", "page");
	if (status && strcmp(status, "submitted") && strcmp(status, "approved") && strcmp(status, "rejected"))
		return app_fail(r, APP_EBADREQ, "invalid_status", "status");
	/* the counts per state (from the index alone), and of the rejected
	 * entries those already corrected */
	struct store_stmt *st = store_prepare(r->store,
		"SELECT s.status, count(*), CASE WHEN s.status = 'rejected' THEN"
		" (SELECT count(*) FROM service_records s WHERE s.recorder_id = $1 AND s.status = 'rejected'"
		" AND " ENTRY_FIXED ") ELSE 0 END"
		" FROM service_records s WHERE s.recorder_id = $1 GROUP BY s.status");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, r->who->user_id);
	struct entry_run runs[] = {
		{ "rejected", 0, 0 }, { "submitted", -1, 0 }, { "approved", -1, 0 }, { "rejected", 1, 0 },
	};
	int64_t rejected = 0, total = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		const char *state = store_col_text(st, 0);
		if (strcmp(state, "rejected") == 0) {
			rejected = store_col_int(st, 1);
			runs[3].count = store_col_int(st, 2);
			runs[0].count = rejected - runs[3].count;
		} else if (strcmp(state, "submitted") == 0)
			runs[1].count = store_col_int(st, 1);
		else if (strcmp(state, "approved") == 0)
			runs[2].count = store_col_int(st, 1);
	}
	store_done(st);
	if (rc != STORE_DONE)
		return app_store_fail(r, rc);
	/* the page, run by run */
	json_t *items = json_array();
	int64_t skip = (page - 1) * limit, want = limit;
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		if (status && strcmp(status, runs[i].status) != 0)
			continue;
		total += runs[i].count;
		if (want == 0 || skip >= runs[i].count) {
			skip -= want ? runs[i].count : 0;
			continue;
		}
		size_t before = json_array_size(items);
		if (entry_run_read(r, &runs[i], skip, want, items) != 0) {
			json_decref(items);
			return -1;
		}
		want -= (int64_t)(json_array_size(items) - before);
		skip = 0;
	}
	*out = json_pack("{so sI sI sI s{sI sI sI sI}}", "items", items, "total", (json_int_t)total,
		"page", (json_int_t)page, "limit", (json_int_t)limit, "counts",
		"to_fix", (json_int_t)runs[0].count, "submitted", (json_int_t)runs[1].count,
		"approved", (json_int_t)runs[2].count, "rejected", (json_int_t)rejected);
	return 0;
}

/* The columns of a record that its chain link covers, in link order. */
#define CHAIN_COLUMNS "id, activity_id, volunteer_id, org_id, starts_at, ends_at, minutes, place," \
	" beneficiary, beneficiary_count, content, quality, quality_comment, source, evidence," \
	" recorder_id, late, late_reason, status, approver_id, decided_at, amends_id, amendment_reason, source_org"
/* The same columns qualified for the verify join. */
#define CHAIN_COLUMNS_S "s.id, s.activity_id, s.volunteer_id, s.org_id, s.starts_at, s.ends_at, s.minutes," \
	" s.place, s.beneficiary, s.beneficiary_count, s.content, s.quality, s.quality_comment, s.source," \
	" s.evidence, s.recorder_id, s.late, s.late_reason, s.status, s.approver_id, s.decided_at, s.amends_id," \
	" s.amendment_reason, s.source_org"
static const char *const chain_names[] = {
	"id", "activity_id", "volunteer_id", "org_id", "starts_at", "ends_at", "minutes", "place",
	"beneficiary", "beneficiary_count", "content", "quality", "quality_comment", "source", "evidence",
	"recorder_id", "late", "late_reason", "status", "approver_id", "decided_at", "amends_id",
	"amendment_reason", "source_org",
};
#define NCHAIN (sizeof(chain_names) / sizeof(chain_names[0]))

/* Computes the link hash of record id after prev. Integers enter as
 * their decimal text, so both backends encode a record alike. */
static int link_hash(struct app_req *r, struct store *s, int64_t id, const char *prev, char out[CHAIN_HASH_HEX])
{
	struct store_stmt *st = store_prepare(s, "SELECT " CHAIN_COLUMNS " FROM service_records WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		return rc == STORE_DONE ? STORE_ERROR : rc;
	}
	struct chain_field f[NCHAIN];
	for (size_t i = 0; i < NCHAIN; i++) {
		f[i].name = chain_names[i];
		const char *v = store_col_text(st, (int)i);
		f[i].len = v ? store_col_len(st, (int)i) : 0;
		f[i].value = v ? arena_strndup(r->arena, v, f[i].len) : NULL;
	}
	store_done(st);
	return chain_link(prev, f, NCHAIN, out) == 0 ? STORE_OK : STORE_ERROR;
}

/* Appends record id to the chain (inside the caller's transaction). */
static int chain_append(struct app_req *r, struct store *s, int64_t id)
{
	/* the head row serialises appenders (a row lock on PostgreSQL, the
	 * writer lock on SQLite) */
	struct store_stmt *st = store_prepare(s,
		"UPDATE chain_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash");
	if (!st)
		return STORE_ERROR;
	int rc = store_step(st);
	int64_t seq = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	const char *prev = rc == STORE_ROW ? arena_strdup(r->arena, store_col_text(st, 1)) : "";
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	char hash[CHAIN_HASH_HEX];
	rc = link_hash(r, s, id, prev, hash);
	if (rc != STORE_OK)
		return rc;
	st = store_prepare(s,
		"INSERT INTO record_chain (seq, record_id, prev_hash, hash, created_at) VALUES ($1, $2, $3, $4, $5)");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, seq);
	store_bind_int(st, 2, id);
	store_bind_text(st, 3, prev);
	store_bind_text(st, 4, hash);
	store_bind_int(st, 5, app_now());
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	static const char *const marks[] = {
		"UPDATE chain_head SET hash = $2 WHERE id = 1 AND seq = $1",
		"UPDATE service_records SET chain_seq = $1, chain_hash = $2 WHERE id = $3",
	};
	for (int i = 0; i < 2; i++) {
		st = store_prepare(s, marks[i]);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, seq);
		store_bind_text(st, 2, hash);
		if (i == 1)
			store_bind_int(st, 3, id);
		rc = store_step(st);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

/* Adds a record's approval to the volunteer's totals (volunteer_totals,
 * migration 0005), inside the caller's transaction. An approved original
 * counts once with its minutes; an approved amendment moves the original's
 * minutes from what they were (the amendment approved before it, or the
 * original) to its own. */
static int totals_apply(struct store *s, int64_t id)
{
	static const char key_sql[] =
		"SELECT s.volunteer_id, s.starts_at, COALESCE(a.service_category, ''), s.org_id, s.quality,"
		" s.minutes, s.amends_id FROM service_records s JOIN activities a ON a.id = s.activity_id"
		" WHERE s.id = $1";
	int64_t vol = 0, starts = 0, org = 0, minutes = 0, amends = 0, records = 1, delta, original = 0;
	char cat[256] = "", quality[16] = "";
	/* the key is the original's: an amendment changes only minutes */
	for (int pass = 0; pass < 2; pass++) {
		struct store_stmt *st = store_prepare(s, key_sql);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, pass ? amends : id);
		int rc = store_step(st);
		if (rc != STORE_ROW) {
			store_done(st);
			return rc == STORE_DONE ? STORE_ERROR : rc;
		}
		vol = store_col_int(st, 0);
		starts = store_col_int(st, 1);
		snprintf(cat, sizeof(cat), "%s", store_col_text(st, 2));
		org = store_col_int(st, 3);
		snprintf(quality, sizeof(quality), "%s", store_col_text(st, 4));
		if (!pass) {
			minutes = store_col_int(st, 5);
			amends = store_col_null(st, 6) ? 0 : store_col_int(st, 6);
		} else {
			original = store_col_int(st, 5);
		}
		store_done(st);
		if (!amends)
			break;
	}
	delta = minutes;
	if (amends) {
		/* what the original counted until now */
		struct store_stmt *st = store_prepare(s,
			"SELECT minutes FROM service_records WHERE amends_id = $1 AND status = 'approved' AND id < $2"
			" ORDER BY id DESC LIMIT 1");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, amends);
		store_bind_int(st, 2, id);
		int rc = store_step(st);
		int64_t before = rc == STORE_ROW ? store_col_int(st, 0) : original;
		store_done(st);
		if (rc != STORE_ROW && rc != STORE_DONE)
			return rc;
		delta = minutes - before;
		records = 0;
	}
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO volunteer_totals (volunteer_id, year, service_category, org_id, quality, records, minutes)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (volunteer_id, year, service_category, org_id, quality)"
		" DO UPDATE SET records = volunteer_totals.records + excluded.records,"
		" minutes = volunteer_totals.minutes + excluded.minutes");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, vol);
	store_bind_int(st, 2, china_year(starts));
	store_bind_text(st, 3, cat);
	store_bind_int(st, 4, org);
	store_bind_text(st, 5, quality);
	store_bind_int(st, 6, records);
	store_bind_int(st, 7, delta);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int records_totals_rebuild(struct store *s)
{
	/* replayed in approval order: ids ascend with decisions of one
	 * original's amendments, which is all the replay depends on */
	int rc = store_exec(s, "DELETE FROM volunteer_totals");
	if (rc != STORE_OK)
		return rc;
	int64_t after = 0;
	for (;;) {
		int64_t ids[512];
		size_t n = 0;
		struct store_stmt *st = store_prepare(s,
			"SELECT id FROM service_records WHERE status = 'approved' AND id > $1 ORDER BY id LIMIT 512");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, after);
		while ((rc = store_step(st)) == STORE_ROW)
			ids[n++] = store_col_int(st, 0);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
		if (!n)
			return STORE_OK;
		for (size_t i = 0; i < n; i++)
			if ((rc = totals_apply(s, ids[i])) != STORE_OK)
				return rc;
		after = ids[n - 1];
	}
}

int records_link_approved(struct app_req *r, struct store *s, int64_t id)
{
	int rc = chain_append(r, s, id);
	if (rc == STORE_OK)
		rc = totals_apply(s, id);
	return rc == STORE_OK ? stars_apply(s, id) : rc;
}

struct decide_ctx {
	struct app_req *r;
	int64_t id, org_id;
	const char *org_path, *status, *reason;
};

static int decide_tx(struct store *s, void *vctx)
{
	struct decide_ctx *c = vctx;
	/* only a submitted record can be decided: of racing decisions, the
	 * first update wins and the others find nothing to update */
	struct store_stmt *st = store_prepare(s,
		"UPDATE service_records SET status = $2, reject_reason = $3, approver_id = $4, decided_at = $5"
		" WHERE id = $1 AND status = 'submitted' RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_text(st, 2, c->status);
	store_bind_text(st, 3, c->reason);
	store_bind_int(st, 4, c->r->who->user_id);
	store_bind_int(st, 5, app_now());
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE) {
		app_fail(c->r, APP_ECONFLICT, "already_decided", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	if (strcmp(c->status, "approved") == 0 &&
	    ((rc = records_link_approved(c->r, s, c->id)) != STORE_OK ||
	     (rc = points_on_approved(c->r, s, c->id)) != STORE_OK))
		return rc;
	return audit_write(c->r, s, strcmp(c->status, "approved") == 0 ? "record.approve" : "record.reject",
			   "record", c->id, c->org_id, c->org_path, NULL);
}

/* Who may decide: an admin of the organising organisation's scope, not
 * the recorder of the record unless the organisation allows it. */
static int decide(struct app_req *r, int64_t id, const char *status, const char *reason, json_t **out)
{
	struct store_stmt *st;
	if (authz_check(r, AUTHZ_RECORDS_APPROVE, NULL) != 0 ||
	    app_load_row(r, "SELECT s.org_id, o.path, s.recorder_id, o.allow_self_approval, s.status"
			 " FROM service_records s JOIN orgs o ON o.id = s.org_id WHERE s.id = $1",
			 id, -1, 1, &st) != 0)
		return -1;
	struct decide_ctx c = { .r = r, .id = id, .status = status, .reason = reason,
				.org_id = store_col_int(st, 0),
				.org_path = arena_strdup(r->arena, store_col_text(st, 1)) };
	const char *why = decision_block(r->who, c.org_path, store_col_int(st, 2), store_col_int(st, 3) != 0,
					 store_col_text(st, 4));
	store_done(st);
	/* admins decide on others' records; a recorder decides only on their
	 * own, and only where the organisation allows it */
	if (why && strcmp(why, "own_record") == 0)
		return app_fail(r, APP_EFORBIDDEN, "own_record", NULL);
	if (why && strcmp(why, "already_decided") == 0)
		return app_fail(r, APP_ECONFLICT, "already_decided", NULL);
	if (why)
		return app_fail(r, APP_EFORBIDDEN, "forbidden", NULL);
	/* grouped on PostgreSQL too (SQLite groups every transaction): every
	 * approval updates the chain's head row, so alone each held it
	 * through its own commit and fsync (docs/performance.md) */
	int rc = store_tx_grouped(r->store, decide_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return records_get(r, id, out);
}

int records_approve(struct app_req *r, int64_t id, json_t **out)
{
	return decide(r, id, "approved", NULL, out);
}

int records_reject(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	const char *reason;
	if (in_text(r, in, "reason", true, 500, &reason) != 0)
		return -1;
	return decide(r, id, "rejected", reason, out);
}

int records_chain_head(struct app_req *r, json_t **out)
{
	if (authz_check(r, AUTHZ_RECORDS_READ, NULL) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, "SELECT seq, hash FROM chain_head WHERE id = 1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*out = json_pack("{sI ss}", "seq", (json_int_t)store_col_int(st, 0), "hash", store_col_text(st, 1));
	store_done(st);
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc);
}

/* One stretch of the chain, checked on its own connection and thread. */
struct verify_part {
	struct app *app;
	int64_t lo, hi;          /* links lo..hi */
	int rc;                  /* STORE_OK or the store's error */
	int64_t fault_seq, fault_id;
	const char *fault;
	char last[CHAIN_HASH_HEX];   /* the stored hash of link hi */
};

static void *verify_part_run(void *arg)
{
	struct verify_part *v = arg;
	struct store *s = store_get(app_pool(v->app));
	struct store_stmt *st;
	char prev[CHAIN_HASH_HEX] = "", hash[CHAIN_HASH_HEX];
	v->rc = STORE_ERROR;
	if (!s)
		return NULL;
	if (v->lo > 1) {
		/* where the part before ends; that part checks this hash is right */
		if (!(st = store_prepare(s, "SELECT hash FROM record_chain WHERE seq = $1")))
			return NULL;
		store_bind_int(st, 1, v->lo - 1);
		if (store_step(st) == STORE_ROW)
			snprintf(prev, sizeof(prev), "%s", store_col_text(st, 0));
		store_done(st);
	}
	/* one pass over links and records together: a query per record
	 * would cost more than the hashing */
	st = store_prepare(s,
		"SELECT c.seq, c.record_id, c.prev_hash, c.hash, s.id, " CHAIN_COLUMNS_S
		" FROM record_chain c LEFT JOIN service_records s ON s.id = c.record_id"
		" WHERE c.seq BETWEEN $1 AND $2 ORDER BY c.seq");
	if (!st)
		return NULL;
	store_bind_int(st, 1, v->lo);
	store_bind_int(st, 2, v->hi);
	struct chain_field f[NCHAIN];
	char scratch[NCHAIN][STORE_INT_TEXT];
	for (size_t i = 0; i < NCHAIN; i++)
		f[i].name = chain_names[i];
	int64_t expect = v->lo;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t seq = store_col_int(st, 0);
		const char *fault = NULL;
		for (size_t i = 0; i < NCHAIN; i++)
			f[i].value = store_col_text_buf(st, 5 + (int)i, scratch[i], &f[i].len);
		if (seq != expect)
			fault = "a link is missing";
		else if (strcmp(store_col_text(st, 2), prev) != 0)
			fault = "the link does not follow the one before";
		else if (store_col_null(st, 4))
			fault = "the record is missing";
		else if (chain_link(prev, f, NCHAIN, hash) != 0 || strcmp(hash, store_col_text(st, 3)) != 0)
			fault = "the record was changed after approval";
		if (fault) {
			v->fault_seq = expect;
			v->fault_id = seq == expect ? store_col_int(st, 1) : 0;
			v->fault = fault;
			break;
		}
		size_t hl = store_col_len(st, 3);
		if (hl >= sizeof(prev))
			hl = sizeof(prev) - 1;   /* a longer stored hash failed above */
		memcpy(prev, store_col_text(st, 3), hl);
		prev[hl] = 0;
		expect++;
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE) {
		v->rc = rc;
		return NULL;
	}
	if (!v->fault && expect != v->hi + 1) {
		v->fault_seq = expect;
		v->fault = "a link is missing";
	}
	snprintf(v->last, sizeof(v->last), "%s", prev);
	v->rc = STORE_OK;
	return NULL;
}

/* A part on a thread of its own, which gives its connection back. */
static void *verify_part_thread(void *arg)
{
	struct verify_part *v = arg;
	verify_part_run(v);
	app_return_store(v->app);
	return NULL;
}

int records_verify(struct app_req *r, int64_t *checked, int64_t *broken, char *why, size_t whylen)
{
	*checked = *broken = 0;
	why[0] = 0;
	struct store_stmt *st = store_prepare(r->store, "SELECT seq, hash FROM chain_head WHERE id = 1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	int rc = store_step(st);
	int64_t head = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	char head_hash[CHAIN_HASH_HEX] = "";
	if (rc == STORE_ROW)
		snprintf(head_hash, sizeof(head_hash), "%s", store_col_text(st, 1));
	store_done(st);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc == STORE_DONE ? STORE_ERROR : rc);

	/* Each link is checked against the stored hash of the one before, so
	 * stretches of the chain can be checked at once, a thread (and a
	 * connection) per core; together they check every link. Where
	 * connections are lent out (a server's pool), one part: the parts'
	 * threads would wait for connections this caller may be keeping. */
	enum { MAX_PARTS = 8 };
	struct verify_part parts[MAX_PARTS];
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int n = head < 2000 || store_pool_lends(app_pool(r->app)) ? 1
		: (int)(cores < 1 ? 1 : cores > MAX_PARTS ? MAX_PARTS : cores);
	pthread_t tid[MAX_PARTS];
	bool started[MAX_PARTS] = { false };
	for (int i = 0; i < n; i++) {
		parts[i] = (struct verify_part){ .app = r->app, .lo = 1 + head * i / n, .hi = head * (i + 1) / n };
		if (head == 0)
			parts[i].rc = STORE_OK;
		else if (i + 1 < n && pthread_create(&tid[i], NULL, verify_part_thread, &parts[i]) == 0)
			started[i] = true;
		else
			verify_part_run(&parts[i]);   /* the last part (or all) here */
	}
	for (int i = 0; i < n; i++)
		if (started[i])
			pthread_join(tid[i], NULL);
	for (int i = 0; i < n; i++) {
		if (parts[i].rc != STORE_OK)
			return app_store_fail(r, parts[i].rc);
		if (parts[i].fault) {
			*broken = parts[i].fault_seq;
			*checked = parts[i].fault_seq - 1;
			if (parts[i].fault_id)
				snprintf(why, whylen, "link %lld (record %lld): %s", (long long)parts[i].fault_seq,
					 (long long)parts[i].fault_id, parts[i].fault);
			else
				snprintf(why, whylen, "link %lld: %s", (long long)parts[i].fault_seq, parts[i].fault);
			return 0;
		}
	}
	*checked = head;
	/* the head must name the last link, and nothing may follow it: read
	 * together, so links approved meanwhile do not count as extra */
	st = store_prepare(r->store, "SELECT (SELECT max(seq) FROM record_chain), seq FROM chain_head WHERE id = 1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	rc = store_step(st);
	int64_t last = rc == STORE_ROW && !store_col_null(st, 0) ? store_col_int(st, 0) : 0;
	int64_t now_head = rc == STORE_ROW ? store_col_int(st, 1) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc == STORE_DONE ? STORE_ERROR : rc);
	if (strcmp(head_hash, n && head ? parts[n - 1].last : "") != 0 || last != now_head) {
		*broken = head + 1;
		snprintf(why, whylen, "the chain head (link %lld) does not match the last link", (long long)head);
	}
	return 0;
}

struct amend_ctx {
	struct app_req *r;
	int64_t original, minutes, id, org_id;
	const char *reason, *org_path;
};

static int amend_tx(struct store *s, void *vctx)
{
	struct amend_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"SELECT 1 FROM service_records WHERE amends_id = $1 AND status = 'submitted'");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->original);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_ROW) {
		app_fail(c->r, APP_ECONFLICT, "amendment_pending", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_DONE)
		return rc;
	/* the amendment repeats the original and states what changes */
	st = store_prepare(s,
		"INSERT INTO service_records (activity_id, volunteer_id, org_id, region_code, starts_at, ends_at,"
		" minutes, place, beneficiary, beneficiary_count, content, quality, quality_comment, source,"
		" evidence, recorder_id, late, late_reason, status, amends_id, amendment_reason, created_at)"
		" SELECT activity_id, volunteer_id, org_id, region_code, starts_at, ends_at, $2, place,"
		" beneficiary, beneficiary_count, content, quality, quality_comment, source, evidence, $3,"
		" late, late_reason, 'submitted', id, $4, $5 FROM service_records WHERE id = $1 RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->original);
	store_bind_int(st, 2, c->minutes);
	store_bind_int(st, 3, c->r->who->user_id);
	store_bind_text(st, 4, c->reason);
	store_bind_int(st, 5, app_now());
	rc = store_step(st);
	c->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"amends_id\":%lld,\"minutes\":%lld}", (long long)c->original,
		 (long long)c->minutes);
	return audit_write_text(c->r, s, "record.amend", "record", c->id, c->org_id, c->org_path, detail);
}

int records_amend(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	struct store_stmt *st;
	struct amend_ctx c = { .r = r, .original = id };
	if (authz_check(r, AUTHZ_RECORDS_WRITE, NULL) != 0 ||
	    app_load_row(r, "SELECT s.org_id, o.path, s.status, s.amends_id, s.starts_at, s.ends_at"
			 " FROM service_records s JOIN orgs o ON o.id = s.org_id WHERE s.id = $1",
			 id, AUTHZ_RECORDS_WRITE, 1, &st) != 0)
		return -1;
	c.org_id = store_col_int(st, 0);
	c.org_path = arena_strdup(r->arena, store_col_text(st, 1));
	bool approved = strcmp(store_col_text(st, 2), "approved") == 0;
	bool is_amendment = !store_col_null(st, 3);
	int64_t span = (store_col_int(st, 5) - store_col_int(st, 4)) / 60;
	store_done(st);
	if (in_text(r, in, "reason", true, 500, &c.reason) != 0)
		return -1;
	json_t *m = json_object_get(in, "minutes");
	if (!m || json_is_null(m))
		return app_fail(r, APP_EINVALID, "required", "minutes");
	if (!json_is_integer(m))
		return app_fail(r, APP_EBADREQ, "wrong_type", "minutes");
	if (is_amendment)
		return app_fail(r, APP_EINVALID, "amend_the_original", NULL);
	if (!approved)
		return app_fail(r, APP_ECONFLICT, "not_approved", NULL);
	/* 0 voids the record (after a complaint); otherwise the usual rules */
	if (json_integer_value(m) < 0)
		return app_fail(r, APP_EINVALID, "invalid_minutes", "minutes");
	c.minutes = json_integer_value(m) ? minutes_round(json_integer_value(m), app_config(r->app)->record_granularity) : 0;
	if (json_integer_value(m) && c.minutes <= 0)
		return app_fail(r, APP_EINVALID, "too_short", "minutes");
	if (c.minutes > span)
		return app_fail(r, APP_EINVALID, "longer_than_activity", "minutes");
	int rc = store_tx(r->store, amend_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return records_get(r, c.id, out);
}

/* Adds minutes to the entry of key in a {key: minutes} object. */
static void tally(json_t *o, const char *key, int64_t minutes)
{
	json_t *v = json_object_get(o, key);
	json_object_set_new(o, key, json_integer((v ? json_integer_value(v) : 0) + minutes));
}

/* {key: minutes} as [{key_name: key, "minutes": …}]; numeric keys (ids,
 * years) come out as numbers. */
static json_t *tally_list(json_t *o, const char *key_name, bool numeric)
{
	json_t *a = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
		json_array_append_new(a, json_pack("{so sO}", key_name,
			numeric ? json_integer(strtoll(k, NULL, 10)) : json_string(k), "minutes", v));
	return a;
}

int records_archive_access(struct app_req *r, int64_t volunteer_id, json_t **file)
{
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	if (volunteers_get_unchecked(r, volunteer_id, file) != 0)
		return -1;
	/* the person sees their own file; staff those in their scope */
	struct store_stmt *st = store_prepare(r->store,
		"SELECT v.user_id, o.path FROM volunteers v JOIN orgs o ON o.id = v.home_org_id WHERE v.id = $1");
	if (!st) {
		json_decref(*file);
		return app_store_fail(r, STORE_ERROR);
	}
	store_bind_int(st, 1, volunteer_id);
	bool own = false;
	const char *path = "";
	if (store_step(st) == STORE_ROW) {
		own = !store_col_null(st, 0) && store_col_int(st, 0) == r->who->user_id;
		path = arena_strdup(r->arena, store_col_text(st, 1));
	}
	store_done(st);
	if (!own && authz_check(r, AUTHZ_VOLUNTEERS_READ, path) != 0) {
		json_decref(*file);
		*file = NULL;
		return -1;
	}
	return 0;
}

int records_archive_write(struct app_req *r, int64_t volunteer_id, const char *limit_s, const char *cursor,
			  struct buf *out)
{
	json_t *file;
	struct store_stmt *st;
	int limit, rc;
	int64_t before;
	if (app_limit(r, limit_s, &limit) != 0 || app_cursor(r, cursor, &before) != 0)
		return -1;
	if (records_archive_access(r, volunteer_id, &file) != 0)
		return -1;
	json_t *by_year = json_object(), *by_cat = json_object(), *by_org = json_object();
	json_t *evaluations = json_array(), *amendments = json_object(), *amended = json_object();
	json_t *training = json_array(), *stars = NULL, *awards = NULL;
	int star_level = 0;
	int64_t total = 0, per_quality[4] = { 0 }, hi = 0, lo = 0;
	int shown = 0;
	bool more = false;
	struct jsonw w;
	jsonw_init(&w, out);

	/* totals from the kept sums (volunteer_totals): a few rows however
	 * many records the file holds */
	st = store_prepare(r->store,
		"SELECT year, service_category, org_id, quality, records, minutes FROM volunteer_totals"
		" WHERE volunteer_id = $1 ORDER BY year, service_category, org_id");
	if (!st) {
		rc = STORE_ERROR;
		goto done;
	}
	store_bind_int(st, 1, volunteer_id);
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t minutes = store_col_int(st, 5);
		const char *cat = store_col_text(st, 1);
		char num[24];
		total += minutes;
		snprintf(num, sizeof(num), "%lld", (long long)store_col_int(st, 0));
		tally(by_year, num, minutes);
		tally(by_cat, *cat ? cat : "未分类", minutes);
		snprintf(num, sizeof(num), "%lld", (long long)store_col_int(st, 2));
		tally(by_org, num, minutes);
		for (int q = 0; q < 4; q++)
			if (strcmp(store_col_text(st, 3), qualities[q]) == 0)
				per_quality[q] += store_col_int(st, 4);
	}
	store_done(st);
	if (rc != STORE_DONE)
		goto done;
	for (int q = 0; q < 4; q++)
		if (per_quality[q])
			json_array_append_new(evaluations, json_pack("{ss sI}", "quality", qualities[q],
								     "records", (json_int_t)per_quality[q]));

	/* the page: originals newest first */
	st = store_prepare(r->store,
		"SELECT id FROM service_records WHERE volunteer_id = $1 AND amends_id IS NULL AND id < $2"
		" ORDER BY id DESC LIMIT $3");
	if (!st) {
		rc = STORE_ERROR;
		goto done;
	}
	store_bind_int(st, 1, volunteer_id);
	store_bind_int(st, 2, before ? before : INT64_MAX);
	store_bind_int(st, 3, limit + 1);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (shown == limit) {
			more = true;
			continue;
		}
		if (!hi)
			hi = store_col_int(st, 0);
		lo = store_col_int(st, 0);
		shown++;
	}
	store_done(st);
	if (rc != STORE_DONE)
		goto done;

	/* their amendments, in id order: the latest approved one is what
	 * its original counts */
	if (shown) {
		st = store_prepare(r->store, "SELECT " REC_COLUMNS_FILE ", a.service_category" REC_FROM_FILE
				   " WHERE s.volunteer_id = $1 AND s.amends_id BETWEEN $2 AND $3 ORDER BY s.id");
		if (!st) {
			rc = STORE_ERROR;
			goto done;
		}
		store_bind_int(st, 1, volunteer_id);
		store_bind_int(st, 2, lo);
		store_bind_int(st, 3, hi);
		store_bind_text(st, 4, json_string_value(json_object_get(file, "volunteer_number")));
		store_bind_text(st, 5, json_string_value(json_object_get(file, "name")));
		while ((rc = store_step(st)) == STORE_ROW) {
			char key[24];
			snprintf(key, sizeof(key), "%lld", (long long)store_col_int(st, 25));
			json_t *rec = record_json(r, st);
			json_object_set_new(rec, "service_category", store_col_null(st, 32) ? json_null()
					    : json_string(store_col_text(st, 32)));
			json_object_set_new(rec, "effective_minutes", json_integer(0));
			json_t *list = json_object_get(amendments, key);
			if (!list) {
				list = json_array();
				json_object_set_new(amendments, key, list);
			}
			json_array_append_new(list, rec);
			if (strcmp(store_col_text(st, 21), "approved") == 0)
				json_object_set_new(amended, key, json_integer(store_col_int(st, 9)));
		}
		store_done(st);
		if (rc != STORE_DONE)
			goto done;
	}

	if ((rc = stars_of(r, volunteer_id, &star_level, &stars)) != STORE_OK)
		goto done;
	if (awards_of(r, volunteer_id, &awards) != 0) {
		rc = STORE_ERROR;
		goto done;
	}
	st = store_prepare(r->store,
		"SELECT t.id, t.name, t.content, t.study_minutes, t.held_on, o.name FROM training_attendance x"
		" JOIN trainings t ON t.id = x.training_id JOIN orgs o ON o.id = t.org_id"
		" WHERE x.volunteer_id = $1 ORDER BY t.held_on, t.id");
	if (!st) {
		rc = STORE_ERROR;
		goto done;
	}
	store_bind_int(st, 1, volunteer_id);
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(training, json_pack("{sI ss ss sI ss ss}",
			"id", (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1),
			"content", store_col_text(st, 2), "study_minutes", (json_int_t)store_col_int(st, 3),
			"held_on", store_col_text(st, 4), "organiser", store_col_text(st, 5)));
	store_done(st);
	if (rc != STORE_DONE)
		goto done;

	jsonw_object(&w);
	jsonw_key(&w, "volunteer");
	jsonw_json(&w, file);
	jsonw_key(&w, "approved_minutes");
	jsonw_int(&w, total);
	json_t *lists[] = { tally_list(by_year, "year", true), tally_list(by_cat, "service_category", false),
			    tally_list(by_org, "org_id", true) };
	static const char *const list_names[] = { "by_year", "by_service_category", "by_org" };
	for (int i = 0; i < 3; i++) {
		jsonw_key(&w, list_names[i]);
		jsonw_json(&w, lists[i]);
		json_decref(lists[i]);
	}
	/* the page's documents are written as they are read: building a tree
	 * of 50 records cost more than everything else in this answer */
	jsonw_key(&w, "records");
	jsonw_array(&w);
	if (shown) {
		st = store_prepare(r->store, "SELECT " REC_COLUMNS_FILE ", a.service_category" REC_FROM_FILE
				   " WHERE s.volunteer_id = $1 AND s.amends_id IS NULL AND s.id BETWEEN $2 AND $3"
				   " ORDER BY s.id DESC");
		if (!st) {
			rc = STORE_ERROR;
			goto done;
		}
		store_bind_int(st, 1, volunteer_id);
		store_bind_int(st, 2, lo);
		store_bind_int(st, 3, hi);
		store_bind_text(st, 4, json_string_value(json_object_get(file, "volunteer_number")));
		store_bind_text(st, 5, json_string_value(json_object_get(file, "name")));
		while ((rc = store_step(st)) == STORE_ROW) {
			char key[24];
			snprintf(key, sizeof(key), "%lld", (long long)store_col_int(st, 0));
			json_t *latest = json_object_get(amended, key), *list = json_object_get(amendments, key);
			bool approved = strcmp(store_col_text(st, 21), "approved") == 0;
			jsonw_object(&w);
			record_members(&w, r, st);
			jsonw_key(&w, "service_category");
			jsonw_str(&w, store_col_null(st, 32) ? NULL : store_col_text(st, 32));
			jsonw_key(&w, "effective_minutes");
			jsonw_int(&w, !approved ? 0 : latest ? json_integer_value(latest) : store_col_int(st, 9));
			jsonw_key(&w, "amendments");
			if (list)
				jsonw_json(&w, list);
			else {
				jsonw_array(&w);
				jsonw_end(&w, ']');
			}
			jsonw_end(&w, '}');
		}
		store_done(st);
		if (rc != STORE_DONE)
			goto done;
	}
	jsonw_end(&w, ']');
	jsonw_key(&w, "next_cursor");
	if (more) {
		char c[24];
		cursor_encode(lo, c, sizeof(c));
		jsonw_str(&w, c);
	} else {
		jsonw_null(&w);
	}
	jsonw_key(&w, "training");
	jsonw_json(&w, training);
	jsonw_key(&w, "evaluations");
	jsonw_json(&w, evaluations);
	jsonw_key(&w, "star_level");
	jsonw_int(&w, star_level);
	jsonw_key(&w, "stars");
	jsonw_json(&w, stars);
	jsonw_key(&w, "awards");
	jsonw_json(&w, json_object_get(awards, "items"));
	jsonw_end(&w, '}');
	rc = jsonw_finish(&w) == 0 ? STORE_DONE : STORE_ERROR;
done:
	json_decref(file);
	json_decref(by_year);
	json_decref(by_cat);
	json_decref(by_org);
	json_decref(evaluations);
	json_decref(amendments);
	json_decref(amended);
	json_decref(training);
	json_decref(stars);
	json_decref(awards);
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

int records_archive(struct app_req *r, int64_t volunteer_id, const char *limit_s, const char *cursor,
		    json_t **out)
{
	struct buf b;
	buf_init(&b, 64u << 20);
	int rc = records_archive_write(r, volunteer_id, limit_s, cursor, &b);
	if (rc == 0 && !(*out = json_loadb(b.data, b.len, 0, NULL)))
		rc = app_fail(r, APP_EINTERNAL, "internal", NULL);
	buf_release(&b);
	return rc;
}

static int calendar_day(struct app_req *r, const char *date, int *ymd)
{
	if (!date || !valid_date(date, ymd))
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	return 0;
}

int calendar_list(struct app_req *r, const char *year_s, json_t **out)
{
	int64_t year;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	if (!year_s || parse_id(year_s, &year) != 0 || year < 1900 || year > 2999)
		return app_fail(r, APP_EBADREQ, "invalid_value", "year");
	struct store_stmt *st = store_prepare(r->store,
		"SELECT day, kind, note FROM calendar_days WHERE day >= $1 AND day <= $2 ORDER BY day");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, year * 10000 + 101);
	store_bind_int(st, 2, year * 10000 + 1231);
	json_t *items = json_array();
	while (store_step(st) == STORE_ROW) {
		int d = (int)store_col_int(st, 0);
		json_array_append_new(items, json_pack("{ss ss ss}",
			"date", arena_printf(r->arena, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100),
			"kind", store_col_text(st, 1), "note", store_col_text(st, 2)));
	}
	store_done(st);
	*out = json_pack("{so}", "items", items);
	return 0;
}

struct cal_ctx {
	struct app_req *r;
	int ymd;
	const char *kind, *note;
};

static int cal_tx(struct store *s, void *vctx)
{
	struct cal_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s, c->kind
		? "INSERT INTO calendar_days (day, kind, note) VALUES ($1, $2, $3)"
		  " ON CONFLICT (day) DO UPDATE SET kind = $2, note = $3"
		: "DELETE FROM calendar_days WHERE day = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->ymd);
	if (c->kind) {
		store_bind_text(st, 2, c->kind);
		store_bind_text(st, 3, c->note ? c->note : "");
	}
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"day\":%d,\"kind\":\"%s\"}", c->ymd, c->kind ? c->kind : "normal");
	return audit_write_text(c->r, s, "calendar.set", "calendar", 0, c->r->who->org_id, c->r->who->org_path, detail);
}

int calendar_set(struct app_req *r, const char *date, json_t *in, json_t **out)
{
	struct cal_ctx c = { .r = r };
	if (authz_check(r, AUTHZ_REGIONS_WRITE, NULL) != 0 || calendar_day(r, date, &c.ymd) != 0)
		return -1;
	if (in_text(r, in, "kind", true, 10, &c.kind) != 0 || in_text(r, in, "note", false, 50, &c.note) != 0)
		return -1;
	int wd = ymd_weekday(c.ymd);
	if (strcmp(c.kind, "holiday") != 0 && strcmp(c.kind, "workday") != 0)
		return app_fail(r, APP_EINVALID, "invalid_value", "kind");
	/* a holiday on a weekend or a working weekday changes nothing */
	if ((strcmp(c.kind, "holiday") == 0) != (wd < 5))
		return app_fail(r, APP_EINVALID, "calendar_no_change", "kind");
	int rc = store_tx(r->store, cal_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	*out = json_pack("{ss ss ss}", "date", date, "kind", c.kind, "note", c.note ? c.note : "");
	return 0;
}

int calendar_delete(struct app_req *r, const char *date)
{
	struct cal_ctx c = { .r = r };
	if (authz_check(r, AUTHZ_REGIONS_WRITE, NULL) != 0 || calendar_day(r, date, &c.ymd) != 0)
		return -1;
	int rc = store_tx(r->store, cal_tx, &c);
	return rc == STORE_OK ? 0 : app_store_fail(r, rc);
}
