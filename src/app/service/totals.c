/* Kept totals (volunteer_totals): approved minutes per volunteer, year,
 * category, organisation and quality, added to on approval and rebuilt at start. */
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

/* Adds a record's approval to the volunteer's totals (volunteer_totals,
 * migration 0005), inside the caller's transaction. An approved original
 * counts once with its minutes; an approved amendment moves the original's
 * minutes from what they were (the amendment approved before it, or the
 * original) to its own. */
int totals_apply(struct store *s, const struct service_record *rec)
{
	int64_t vol = rec->volunteer_id, starts = rec->starts_at, org = rec->org_id, minutes = rec->minutes;
	int64_t amends = rec->amends_id, id = rec->id, records = 1, delta, original = 0;
	char cat[256] = "", quality[16] = "";
	snprintf(cat, sizeof(cat), "%s", rec->category ? rec->category : "");
	snprintf(quality, sizeof(quality), "%s", rec->quality ? rec->quality : "");
	if (amends) {
		/* the key is the original's: an amendment changes only minutes */
		struct store_stmt *st = store_prepare(s,
			"SELECT s.volunteer_id, s.starts_at, COALESCE(a.service_category, ''), s.org_id, s.quality,"
			" s.minutes FROM service_records s JOIN activities a ON a.id = s.activity_id WHERE s.id = $1");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, amends);
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
		original = store_col_int(st, 5);
		store_done(st);
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

/* One approved record as the replay reads it. */
struct totals_row {
	struct service_record rec;
	char category[256], quality[16];
};

int records_totals_rebuild(struct store *s)
{
	/* replayed in approval order: ids ascend with decisions of one
	 * original's amendments, which is all the replay depends on */
	int rc = store_exec(s, "DELETE FROM volunteer_totals");
	if (rc != STORE_OK)
		return rc;
	enum { BATCH = 256 };
	struct totals_row *rows = malloc(BATCH * sizeof(*rows));
	if (!rows)
		abort();
	int64_t after = 0;
	for (;;) {
		size_t n = 0;
		struct store_stmt *st = store_prepare(s,
			"SELECT s.id, s.volunteer_id, s.starts_at, COALESCE(a.service_category, ''), s.org_id, s.quality,"
			" s.minutes, s.amends_id FROM service_records s JOIN activities a ON a.id = s.activity_id"
			" WHERE s.status = 'approved' AND s.id > $1 ORDER BY s.id LIMIT 256");
		if (!st) {
			rc = STORE_ERROR;
			break;
		}
		store_bind_int(st, 1, after);
		while ((rc = store_step(st)) == STORE_ROW) {
			struct totals_row *t = &rows[n++];
			t->rec = (struct service_record){
				.id = store_col_int(st, 0), .volunteer_id = store_col_int(st, 1),
				.starts_at = store_col_int(st, 2), .org_id = store_col_int(st, 4),
				.minutes = store_col_int(st, 6), .amends_id = store_col_null(st, 7) ? 0 : store_col_int(st, 7),
				.category = t->category, .quality = t->quality };
			snprintf(t->category, sizeof(t->category), "%s", store_col_text(st, 3));
			snprintf(t->quality, sizeof(t->quality), "%s", store_col_text(st, 5));
		}
		store_done(st);
		if (rc != STORE_DONE)
			break;
		rc = STORE_OK;
		if (!n)
			break;
		for (size_t i = 0; i < n && rc == STORE_OK; i++)
			rc = totals_apply(s, &rows[i].rec);
		if (rc != STORE_OK)
			break;
		after = rows[n - 1].rec.id;
	}
	free(rows);
	return rc;
}
