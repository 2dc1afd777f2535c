/* The working-day calendar (holidays, make-up working days) that entry deadlines count in. */
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

/* Calendar days from ymd on (a deadline of 10 working days lies within
 * two months even across the Spring Festival). */
int calendar_load(struct app_req *r, int ymd, struct work_calendar *cal)
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
