/* Attendance: the rotating check-in codes, check-in and check-out (which
 * make the service record of an attended shift) and the sweep that checks
 * out the forgotten and marks no-shows (see shifts.h). */
#include "app/projects/shifts.h"
#include "app/projects/shifts_int.h"
#include "app/kernel/kernel.h"
#include "app/network/network.h"
#include "app/service/service.h"
#include "core/records.h"
#include "core/shifts.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/log.h"
#include "core/chinatime.h"
#include <assert.h>
#include <string.h>

#define CODE_EXPIRED_WINDOWS 288   /* live codes recognised as expired: a day at 5 minutes */
#define AUTO_CHECKOUT_AFTER 86400
#define SWEEP_BATCH 500

static int64_t code_window(struct app_req *r, int64_t t)
{
	return t / app_config(r->app)->checkin_period;
}

int shifts_code(struct app_req *r, int64_t id, const char *at_s, json_t **out)
{
	struct shift_ref x;
	int64_t at = app_now();
	if (shift_load(r, id, &x) != 0 || shift_staff_or_fail(r, &x, AUTHZ_SHIFTS_STAFF) != 0)
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
		if ((rc = signup_set_checked_in(s, c->signup_id, c->t)) != STORE_OK)
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
	/* a check-out never precedes its check-in, nor counts negative time */
	assert(c->t >= in_at && c->minutes >= 0);
	if ((rc = signup_set_attended(s, c->signup_id, c->t, c->minutes, c->record_id, c->auto_out)) != STORE_OK)
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
	return signups_set_no_show(s, c->as_of);
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
