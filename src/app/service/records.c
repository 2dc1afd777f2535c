/* Reading service records: one record, the decision queue, a recorder's entries. */
#include "app/service/records.h"
#include "app/service/service_int.h"
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "core/records.h"
#include "core/validate.h"
#include <time.h>
#include "util/arena.h"
#include "util/jsonw.h"
#include "core/chinatime.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
