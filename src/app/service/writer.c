/* The one writer of service_records and activities (records.h): the rules
 * every record keeps against the person's other records, written once for
 * entry (which refuses a clash) and attendance (which gives up the time
 * it shares), the INSERT itself, and for approved records of the past
 * their chain and totals. */
#include "app/service/records.h"
#include "app/service/service_int.h"
#include "app/kernel/kernel.h"
#include "core/chinatime.h"
#include "core/records.h"
#include <assert.h>
#include <string.h>

/* What the person's other live originals leave for [starts, ends). */
struct record_room {
	bool same_activity;      /* a record of the activity around that day */
	bool overlaps;           /* a record of another activity shares time with it */
	bool inside;             /* one lies strictly inside it (nothing to trim to) */
	int64_t from, to;        /* [starts, ends) less the time others take at its ends */
	int64_t room;            /* minutes left under the daily maximum on the China day of starts */
};

/* Reads the rules' view inside the caller's transaction, so racing
 * writers cannot both pass. "Around that day": records ending after the
 * start of the China day of starts and starting before two days later (or
 * before ends, for a longer span): an activity may span days, and its
 * records on other days are not this one. */
static int record_room_read(struct app_req *r, struct store *s, const struct record_new *n, struct record_room *o)
{
	int64_t day0 = china_day_floor(n->starts_at);
	int64_t near_hi = day0 + 2 * 86400 > n->ends_at ? day0 + 2 * 86400 : n->ends_at;
	int64_t lo = n->starts_at - 86400, hi = near_hi > n->ends_at + 86400 ? near_hi : n->ends_at + 86400;
	struct store_stmt *st = store_prepare(s,
		"SELECT activity_id, starts_at, ends_at, minutes FROM service_records"
		" WHERE volunteer_id = $1 AND status <> 'rejected' AND amends_id IS NULL"
		" AND ends_at > $2 AND starts_at < $3 ORDER BY starts_at");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, n->volunteer_id);
	store_bind_int(st, 2, lo < day0 ? lo : day0);
	store_bind_int(st, 3, hi);
	*o = (struct record_room){ .from = n->starts_at, .to = n->ends_at };
	int64_t same_day = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t o0 = store_col_int(st, 1), o1 = store_col_int(st, 2);
		if (o0 >= day0 && o0 < day0 + 86400)
			same_day += store_col_int(st, 3);
		if (store_col_int(st, 0) == n->activity_id) {
			if (o1 > day0 && o0 < near_hi)
				o->same_activity = true;
			continue;
		}
		if (!intervals_overlap(o->from, o->to, o0, o1))
			continue;
		o->overlaps = true;
		if (o0 <= o->from)
			o->from = o1;
		else if (o1 >= o->to)
			o->to = o0;
		else
			o->inside = true;
	}
	store_done(st);
	o->room = app_config(r->app)->record_daily_max - same_day;
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* Entry's rules: a clash is an error. */
static int record_refuse(struct app_req *r, const struct record_new *n, const struct record_room *o)
{
	if (o->same_activity)
		app_fail(r, APP_ECONFLICT, "record_exists", "volunteer_id");
	else if (o->overlaps)
		app_fail(r, APP_EINVALID, "overlapping_record", "starts_at");
	else if (n->minutes > o->room)
		app_fail(r, APP_EINVALID, "daily_limit", "minutes");
	else
		return STORE_OK;
	return STORE_ERROR;
}

/* Attendance's rules: the record keeps what is left. Returns false when
 * nothing is (n->minutes 0). */
static bool record_fit(struct record_new *n, const struct record_room *o)
{
	int64_t len = n->ends_at - n->starts_at, minutes = n->minutes;
	minutes -= (len - (o->to > o->from ? o->to - o->from : 0)) / 60;   /* the minutes shared */
	if (minutes > o->room)
		minutes = o->room;
	if (o->inside || minutes <= 0) {
		n->minutes = 0;
		return false;
	}
	n->minutes = minutes;
	n->starts_at = o->from;
	n->ends_at = o->to;
	return true;
}

/* Whether the person has a record of the activity at all (attendance:
 * entered by hand already, one service one record). */
static int record_of_activity(struct store *s, const struct record_new *n)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT 1 FROM service_records WHERE activity_id = $1 AND volunteer_id = $2 AND status <> 'rejected'"
		" AND amends_id IS NULL");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, n->activity_id);
	store_bind_int(st, 2, n->volunteer_id);
	int rc = store_step(st);
	store_done(st);
	return rc;
}

/* A correction of a rejected record: of two racing ones, one wins. */
static int record_resubmit_free(struct app_req *r, struct store *s, int64_t resubmits)
{
	struct store_stmt *st = store_prepare(s, "SELECT 1 FROM service_records WHERE resubmits_id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, resubmits);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_ROW) {
		app_fail(r, APP_ECONFLICT, "already_resubmitted", "resubmits_id");
		return STORE_ERROR;
	}
	return rc == STORE_DONE ? STORE_OK : rc;
}

int record_insert(struct app_req *r, struct store *s, struct record_new *n)
{
	assert(n->ends_at > n->starts_at && n->minutes > 0);
	n->id = 0;
	int rc;
	if (n->rules == RECORD_FIT) {
		if ((rc = record_of_activity(s, n)) != STORE_DONE)
			return rc == STORE_ROW ? STORE_OK : rc;
	}
	struct record_room room;
	if ((rc = record_room_read(r, s, n, &room)) != STORE_OK)
		return rc;
	if (n->rules == RECORD_FIT) {
		if (!record_fit(n, &room))
			return STORE_OK;
	} else if ((rc = record_refuse(r, n, &room)) != STORE_OK)
		return rc;
	if (n->resubmits_id && (rc = record_resubmit_free(r, s, n->resubmits_id)) != STORE_OK)
		return rc;
	bool approved = n->approver_id != 0;
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO service_records (activity_id, volunteer_id, org_id, region_code, starts_at, ends_at,"
		" minutes, place, beneficiary, beneficiary_count, content, quality, quality_comment, source,"
		" evidence, recorder_id, late, late_reason, status, idempotency_key, created_at, source_org,"
		" resubmits_id, approver_id, decided_at)"
		" SELECT $1, $2, $3, o.region_code, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
		" $18, $19, $20, $21, $22, $23, $24 FROM orgs o WHERE o.id = $3 RETURNING " CHAIN_COLUMNS ", created_at");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, n->activity_id);
	store_bind_int(st, 2, n->volunteer_id);
	store_bind_int(st, 3, n->org_id);
	store_bind_int(st, 4, n->starts_at);
	store_bind_int(st, 5, n->ends_at);
	store_bind_int(st, 6, n->minutes);
	store_bind_text(st, 7, n->place);
	store_bind_text(st, 8, n->beneficiary);
	if (n->has_count)
		store_bind_int(st, 9, n->beneficiary_count);
	else
		store_bind_null(st, 9);
	store_bind_text(st, 10, n->content);
	store_bind_text(st, 11, n->quality);
	store_bind_text(st, 12, n->quality_comment);
	store_bind_text(st, 13, n->source);
	store_bind_text(st, 14, n->evidence);
	store_bind_int(st, 15, n->recorder_id);
	store_bind_int(st, 16, n->late);
	store_bind_text(st, 17, n->late_reason);
	store_bind_text(st, 18, approved ? "approved" : "submitted");
	store_bind_text(st, 19, n->idem);
	store_bind_int(st, 20, n->created_at ? n->created_at : app_now());
	store_bind_text(st, 21, n->source_org);
	store_bind_id(st, 22, n->resubmits_id);
	store_bind_id(st, 23, n->approver_id);
	store_bind_id(st, 24, approved ? n->decided_at : 0);
	rc = store_step(st);
	struct record_row row;
	if (rc == STORE_ROW) {
		n->id = store_col_int(st, 0);
		if (approved) {
			record_row_fill(r, st, 0, &row);
			row.rec.category = n->category ? n->category : "";
			row.rec.org_path = NULL;
		}
	}
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	return approved ? record_link_approved(r, s, &row, true) : STORE_OK;
}

int record_link_approved(struct app_req *r, struct store *s, struct record_row *row, bool history)
{
	assert(row->rec.id > 0 && row->rec.approver_id > 0 && strcmp(row->rec.status, "approved") == 0);
	int rc = chain_append(r, s, row);
	if (rc == STORE_OK)
		rc = record_set_link(s, row->rec.id, row->rec.chain_seq, row->rec.chain_hash);
	if (rc == STORE_OK)
		rc = totals_apply(s, &row->rec);
	if (rc == STORE_OK)
		rc = service_steps_run(r, s, &row->rec, history);
	return rc;
}

int activity_insert(struct store *s, struct activity_new *a)
{
	assert(a->ends_at > a->starts_at);
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO activities (org_id, project_id, name, starts_at, ends_at, place, content, leader,"
		" service_category, region_code, created_by, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, a->org_id);
	store_bind_id(st, 2, a->project_id);
	store_bind_text(st, 3, a->name);
	store_bind_int(st, 4, a->starts_at);
	store_bind_int(st, 5, a->ends_at);
	store_bind_text(st, 6, a->place);
	store_bind_text(st, 7, a->content);
	store_bind_text(st, 8, a->leader);
	store_bind_text(st, 9, a->category);
	store_bind_text(st, 10, a->region);
	store_bind_int(st, 11, a->created_by);
	store_bind_int(st, 12, a->created_at ? a->created_at : app_now());
	int rc = store_step(st);
	a->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : rc == STORE_DONE ? STORE_ERROR : rc;
}

int record_insert_amendment(struct store *s, int64_t original, int64_t minutes, int64_t recorder_id,
			    const char *reason, int64_t *id)
{
	assert(original > 0 && minutes >= 0);
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO service_records (activity_id, volunteer_id, org_id, region_code, starts_at, ends_at,"
		" minutes, place, beneficiary, beneficiary_count, content, quality, quality_comment, source,"
		" evidence, recorder_id, late, late_reason, status, amends_id, amendment_reason, created_at)"
		" SELECT activity_id, volunteer_id, org_id, region_code, starts_at, ends_at, $2, place,"
		" beneficiary, beneficiary_count, content, quality, quality_comment, source, evidence, $3,"
		" late, late_reason, 'submitted', id, $4, $5 FROM service_records WHERE id = $1 RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, original);
	store_bind_int(st, 2, minutes);
	store_bind_int(st, 3, recorder_id);
	store_bind_text(st, 4, reason);
	store_bind_int(st, 5, app_now());
	int rc = store_step(st);
	*id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	return STORE_OK;
}

int record_set_decision(struct app_req *r, struct store *s, struct record_row *row, const char *status,
			const char *reason)
{
	struct service_record *rec = &row->rec;
	assert(rec->id > 0 && (strcmp(status, "approved") == 0 || strcmp(status, "rejected") == 0));
	/* the row comes back as the chain will hash it */
	struct store_stmt *st = store_prepare(s,
		"UPDATE service_records SET status = $2, reject_reason = $3, approver_id = $4, decided_at = $5"
		" WHERE id = $1 AND status = 'submitted' RETURNING " CHAIN_COLUMNS ", created_at");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, rec->id);
	store_bind_text(st, 2, status);
	store_bind_text(st, 3, reason);
	store_bind_int(st, 4, r->who->user_id);
	store_bind_int(st, 5, app_now());
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		const char *category = rec->category, *path = rec->org_path;
		record_row_fill(r, st, 0, row);
		rec->category = category;
		rec->org_path = path;
	}
	store_done(st);
	return rc;
}

int record_set_link(struct store *s, int64_t id, int64_t seq, const char *hash)
{
	assert(id > 0 && seq > 0 && hash && hash[0]);
	struct store_stmt *st = store_prepare(s, "UPDATE service_records SET chain_seq = $1, chain_hash = $2 WHERE id = $3");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, seq);
	store_bind_text(st, 2, hash);
	store_bind_int(st, 3, id);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}
