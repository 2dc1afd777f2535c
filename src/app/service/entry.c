/* Record entry: one record (POST /records) or a sign-in sheet (POST /records/batch),
 * checked against the activity, the calendar and the person's other records. */
#include "app/service/records.h"
#include "app/service/service_int.h"
#include "app/kernel/kernel.h"
#include "app/network/network.h"
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
	/* the rules that need the other records (one per activity, no
	 * overlap, the daily cap) are the writer's, inside this transaction */
	struct record_new n = {
		.activity_id = c->activity_id, .volunteer_id = c->volunteer_id, .org_id = c->org_id,
		.starts_at = c->starts, .ends_at = c->ends, .minutes = c->minutes, .place = c->place,
		.beneficiary = c->beneficiary, .content = c->content, .quality = c->quality,
		.quality_comment = c->quality_comment, .source = c->source, .evidence = c->evidence,
		.late_reason = c->late_reason, .idem = c->idem, .source_org = c->source_org,
		.beneficiary_count = c->beneficiary_count, .has_count = c->has_count, .late = c->late,
		.recorder_id = c->r->who->user_id, .resubmits_id = c->resubmits, .rules = RECORD_REFUSE,
	};
	int rc = record_insert(c->r, s, &n);
	c->id = n.id;
	if (rc != STORE_OK)
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
 * the transaction (record_insert). */
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
 * other records (record_insert, inside the transaction). activity_id > 0
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
	if (!one_of(c.quality, record_qualities, 4))
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
	int rc = volunteers_active(r->store, c.volunteer_id, &active);
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
	if (calendar_load(r, end_ymd, &cal) != 0)
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
