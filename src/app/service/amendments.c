/* Amendments: a correction of an approved record is a new record that
 * references it (0 minutes voids it), decided like any record. */
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
	if ((rc = record_insert_amendment(s, c->original, c->minutes, c->r->who->user_id, c->reason, &c->id)) != STORE_OK)
		return rc;
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
