/* Love supermarkets: vouchers bought with points, redeemed at a store's
 * counter, cancelled or expired (see market.h). Writes vouchers and
 * voucher_items; the points move through the ledger's primitives
 * (points.h): volunteer → escrow on issue, escrow → store (what the goods
 * cost) and escrow → volunteer (the rest) on redemption, escrow →
 * volunteer on cancellation or expiry. */
#include "app/bank/market.h"
#include "app/bank/market_private.h"
#include "app/bank/points.h"
#include "app/kernel/kernel.h"
#include "app/network/network.h"
#include "core/cursor.h"
#include "core/validate.h"
#include "util/arena.h"
#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define VOUCHER_UNITS 100        /* the most units in one voucher */
#define VOUCHER_DAYS 90          /* a voucher is good for this long */

/* A code as typed: dashes and spaces dropped, letters upper-cased, the
 * look-alikes O → 0 and I, L → 1 (Crockford). -1 when it cannot be one. */
static int code_normal(const char *in, char out[SECRET_CODE_LEN + 1])
{
	size_t n = 0;
	for (const char *p = in ? in : ""; *p; p++) {
		char ch = (char)toupper((unsigned char)*p);
		if (ch == '-' || ch == ' ')
			continue;
		if (ch == 'O')
			ch = '0';
		else if (ch == 'I' || ch == 'L')
			ch = '1';
		if (!strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", ch) || ch == 0 || n == SECRET_CODE_LEN)
			return -1;
		out[n++] = ch;
	}
	out[n] = 0;
	return n == SECRET_CODE_LEN ? 0 : -1;
}

#define VOUCHER_COLUMNS "v.id, v.code, v.volunteer_id, v.value, v.status, v.expires_at, v.store_id, v.spent," \
	" v.decided_at, v.created_at, o.path, vol.name, vol.volunteer_number"
#define VOUCHER_FROM " FROM vouchers v JOIN volunteers vol ON vol.id = v.volunteer_id" \
	" JOIN orgs o ON o.id = vol.home_org_id"

static json_t *voucher_json(struct app_req *r, struct store_stmt *st)
{
	const char *c = store_col_text(st, 1);
	char shown[SECRET_CODE_LEN + 4];
	snprintf(shown, sizeof(shown), "%.4s-%.4s-%.4s-%.4s", c, c + 4, c + 8, c + 12);
	bool lapsed = strcmp(store_col_text(st, 4), "issued") == 0 && store_col_int(st, 5) < app_now();
	return json_pack("{sI ss sI ss sI ss so so so ss ss ss}",
		"id", (json_int_t)store_col_int(st, 0),
		"code", shown,
		"volunteer_id", (json_int_t)store_col_int(st, 2),
		"volunteer_name", store_col_text(st, 11),
		"value", (json_int_t)store_col_int(st, 3),
		"status", lapsed ? "expired" : store_col_text(st, 4),
		"store_id", col_id_json(st, 6),
		"spent", col_id_json(st, 7),
		"decided_at", store_col_null(st, 8) ? json_null() : json_string(app_iso(r, store_col_int(st, 8))),
		"expires_at", app_iso(r, store_col_int(st, 5)),
		"created_at", app_iso(r, store_col_int(st, 9)),
		"volunteer_number", store_col_text(st, 12));
}

/* The voucher of a code with its items; who may see it was checked. */
static int voucher_read(struct app_req *r, const char *code, json_t **out)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT " VOUCHER_COLUMNS VOUCHER_FROM " WHERE v.code = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, code);
	int rc = store_step(st);
	int64_t id = 0;
	if (rc == STORE_ROW) {
		*out = voucher_json(r, st);
		id = store_col_int(st, 0);
	}
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL) : app_store_fail(r, rc);
	json_object_set_new(*out, "items", goods_lines_json(r, false, id));
	return 0;
}

/* Whether the caller may act on a volunteer's points: the person, or
 * staff (action) of the scope of their home organisation. */
static int volunteer_access(struct app_req *r, int64_t volunteer, int action, int64_t *home, const char **path)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT v.user_id, o.path, o.id FROM volunteers v JOIN orgs o ON o.id = v.home_org_id WHERE v.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, volunteer);
	int rc = store_step(st);
	bool own = false;
	if (rc == STORE_ROW) {
		own = !store_col_null(st, 0) && r->who && store_col_int(st, 0) == r->who->user_id;
		*path = arena_strdup(r->arena, store_col_text(st, 1));
		*home = store_col_int(st, 2);
	}
	store_done(st);
	if (rc == STORE_DONE)
		return app_fail(r, APP_EINVALID, "volunteer_not_found", "volunteer_id");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	return own ? 0 : authz_check(r, (enum authz_action)action, *path);
}

struct voucher_ctx {
	struct app_req *r;
	int64_t volunteer_id, value, org_id, id, store_id, spent;
	const char *idem, *path;
	struct shop_ref shop;       /* the store a redemption is at */
	const char *decision_key;   /* Idempotency-Key of a redemption or cancellation */
	char code[SECRET_CODE_LEN + 1];
	struct goods_basket basket; /* redemption lines */
	bool existed, expired;
};

/* The transaction of market_voucher_issue: once per Idempotency-Key, the
 * volunteer's expired points go back first, then the voucher is written
 * and its value moves from the volunteer to escrow. */
static int issue_tx(struct store *s, void *vctx)
{
	struct voucher_ctx *c = vctx;
	int rc;
	if (c->idem) {
		struct store_stmt *st = store_prepare(s, "SELECT code FROM vouchers WHERE issued_by = $1 AND idempotency_key = $2");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, c->r->who->user_id);
		store_bind_text(st, 2, c->idem);
		rc = store_step(st);
		if (rc == STORE_ROW) {
			snprintf(c->code, sizeof(c->code), "%s", store_col_text(st, 0));
			c->existed = true;
		}
		store_done(st);
		if (rc == STORE_ROW)
			return STORE_OK;
		if (rc != STORE_DONE)
			return rc;
	}
	if ((rc = points_expire(c->r, s, c->volunteer_id, app_now())) != STORE_OK)
		return rc;
	secret_code(c->code);
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO vouchers (code, volunteer_id, value, status, expires_at, issued_by, idempotency_key, created_at)"
		" VALUES ($1, $2, $3, 'issued', $4, $5, $6, $7) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->code);
	store_bind_int(st, 2, c->volunteer_id);
	store_bind_int(st, 3, c->value);
	store_bind_int(st, 4, app_now() + VOUCHER_DAYS * 86400);
	store_bind_int(st, 5, c->r->who->user_id);
	store_bind_text(st, 6, c->idem);
	store_bind_int(st, 7, app_now());
	rc = store_step(st);
	if (rc == STORE_ROW)
		c->id = store_col_int(st, 0);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	struct point_move m = { .amount = c->value, .cause = "voucher", .volunteer_id = c->volunteer_id,
				.org_id = c->org_id, .operator_id = c->r->who->user_id, .voucher_id = c->id };
	if ((rc = points_account(s, "volunteer", c->volunteer_id, &m.from)) != STORE_OK ||
	    (rc = points_account(s, "escrow", 0, &m.to)) != STORE_OK)
		return rc;
	rc = points_pay(c->r, s, &m, "value");
	if (rc != STORE_OK)
		return rc;
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"volunteer_id\":%lld,\"value\":%lld}", (long long)c->volunteer_id,
		 (long long)c->value);
	return audit_write_text(c->r, s, "voucher.issue", "voucher", c->id, c->org_id, c->path, detail);
}

int market_voucher_issue(struct app_req *r, json_t *in, const char *idem, json_t **out)
{
	struct voucher_ctx c = { .r = r, .idem = idem };
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	if (idem && (!*idem || strlen(idem) > IDEM_MAX))
		return app_fail(r, APP_EBADREQ, "invalid_value", "Idempotency-Key");
	if (in_id(r, in, "volunteer_id", true, &c.volunteer_id, NULL) != 0)
		return -1;
	json_t *v = json_object_get(in, "value");
	if (!v || json_is_null(v))
		return app_fail(r, APP_EINVALID, "required", "value");
	if (!json_is_integer(v))
		return app_fail(r, APP_EBADREQ, "wrong_type", "value");
	c.value = json_integer_value(v);
	/* the Wenjiang model: 30 points (--voucher-points) buy a voucher for
	 * goods of equal value */
	int64_t unit = app_config(r->app)->voucher_points > 0 ? app_config(r->app)->voucher_points : 30;
	if (c.value < unit || c.value > unit * VOUCHER_UNITS || c.value % unit)
		return app_fail(r, APP_EINVALID, "voucher_value", "value");
	if (volunteer_access(r, c.volunteer_id, AUTHZ_VOUCHERS_ISSUE, &c.org_id, &c.path) != 0)
		return -1;
	int rc = store_tx(r->store, issue_tx, &c);
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	return voucher_read(r, c.code, out);
}

/* Loads a voucher by code for an action on it: its id, volunteer, state. */
static int voucher_find(struct app_req *r, const char *code_in, struct voucher_ctx *c, char *status, size_t n,
			int64_t *expires)
{
	if (code_normal(code_in, c->code) != 0)
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	struct store_stmt *st = store_prepare(r->store,
		"SELECT v.id, v.volunteer_id, v.value, v.status, v.expires_at, o.path, o.id FROM vouchers v"
		" JOIN volunteers vol ON vol.id = v.volunteer_id JOIN orgs o ON o.id = vol.home_org_id WHERE v.code = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, c->code);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		c->id = store_col_int(st, 0);
		c->volunteer_id = store_col_int(st, 1);
		c->value = store_col_int(st, 2);
		snprintf(status, n, "%s", store_col_text(st, 3));
		*expires = store_col_int(st, 4);
		c->path = arena_strdup(r->arena, store_col_text(st, 5));
		c->org_id = store_col_int(st, 6);
	}
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL) : app_store_fail(r, rc);
	return 0;
}

/* The movement that took a voucher's points from the volunteer: points
 * that come back return to the lots it took them from. */
static int64_t issue_movement(struct store *s, int64_t voucher)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT id FROM point_movements WHERE voucher_id = $1 AND cause = 'voucher'");
	if (!st)
		return 0;
	store_bind_int(st, 1, voucher);
	int64_t id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	return id;
}

/* Whether a voucher that is no longer issued was decided by this very
 * request before (the same Idempotency-Key, the same caller, the same
 * outcome): then a retry answers as the first request did. */
static bool decided_before(struct voucher_ctx *c, struct store *s, const char *status)
{
	if (!c->decision_key)
		return false;
	struct store_stmt *st = store_prepare(s,
		"SELECT 1 FROM vouchers WHERE id = $1 AND status = $2 AND decision_key = $3 AND decided_by = $4");
	if (!st)
		return false;
	store_bind_int(st, 1, c->id);
	store_bind_text(st, 2, status);
	store_bind_text(st, 3, c->decision_key);
	store_bind_int(st, 4, c->r->who->user_id);
	bool same = store_step(st) == STORE_ROW;
	store_done(st);
	return same;
}

/* Gives an unused voucher's points back (cancelled or expired): the
 * status changes only from issued, so of racing requests one refunds. */
static int refund(struct voucher_ctx *c, struct store *s, const char *status)
{
	struct store_stmt *st = store_prepare(s,
		"UPDATE vouchers SET status = $2, decided_by = $3, decided_at = $4, decision_key = $5"
		" WHERE id = $1 AND status = 'issued' RETURNING id, spent");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_text(st, 2, status);
	store_bind_int(st, 3, c->r->who->user_id);
	store_bind_int(st, 4, app_now());
	store_bind_text(st, 5, strcmp(status, "expired") == 0 ? NULL : c->decision_key);
	int rc = store_step(st);
	/* an issued voucher has spent nothing: its whole value is in escrow */
	assert(rc != STORE_ROW || store_col_null(st, 1));
	store_done(st);
	if (rc == STORE_DONE && decided_before(c, s, status))
		return STORE_OK;
	if (rc == STORE_DONE) {
		app_fail(c->r, APP_ECONFLICT, "voucher_not_issued", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	struct point_move m = { .amount = c->value, .cause = "refund", .volunteer_id = c->volunteer_id,
				.org_id = c->org_id, .operator_id = c->r->who->user_id, .voucher_id = c->id,
				.restore = issue_movement(s, c->id) };
	if ((rc = points_account(s, "escrow", 0, &m.from)) != STORE_OK ||
	    (rc = points_account(s, "volunteer", c->volunteer_id, &m.to)) != STORE_OK ||
	    (rc = points_move(s, &m)) != STORE_OK)
		return rc;
	return audit_write_text(c->r, s, strcmp(status, "expired") == 0 ? "voucher.expire" : "voucher.cancel",
				"voucher", c->id, c->org_id, c->path, NULL);
}

/* The transactions of an expiry and a cancellation (see refund). */
static int expire_tx(struct store *s, void *vctx)
{
	return refund(vctx, s, "expired");
}

static int cancel_tx(struct store *s, void *vctx)
{
	return refund(vctx, s, "cancelled");
}

/* An issued voucher past its date expires (its points go back) the
 * first time anyone acts on it. */
static int lapse(struct app_req *r, struct voucher_ctx *c, const char *status, int64_t expires)
{
	if (strcmp(status, "issued") != 0 || expires >= app_now())
		return 0;
	int rc = store_tx(r->store, expire_tx, c);
	memset(&r->err, 0, sizeof(r->err));   /* another request expired it first */
	if (rc != STORE_OK && rc != STORE_ERROR)
		return app_store_fail(r, rc);
	c->expired = true;
	return 0;
}

int market_voucher_get(struct app_req *r, const char *code, json_t **out)
{
	struct voucher_ctx c = { .r = r };
	char status[16];
	int64_t expires, home;
	const char *path;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 || voucher_find(r, code, &c, status, sizeof(status), &expires) != 0)
		return -1;
	/* any clerk may look a code up at the counter */
	if (!(r->who->roles & ROLE_CLERK) && volunteer_access(r, c.volunteer_id, AUTHZ_VOUCHERS_ISSUE, &home, &path) != 0)
		return -1;
	if (lapse(r, &c, status, expires) != 0)
		return -1;
	return voucher_read(r, c.code, out);
}

int market_voucher_list(struct app_req *r, const char *volunteer_s, json_t **out)
{
	int64_t volunteer, home;
	const char *path;
	if (!volunteer_s)
		return app_fail(r, APP_EINVALID, "required", "volunteer_id");
	if (parse_id(volunteer_s, &volunteer) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_id", "volunteer_id");
	if (volunteer_access(r, volunteer, AUTHZ_VOUCHERS_ISSUE, &home, &path) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, "SELECT " VOUCHER_COLUMNS VOUCHER_FROM
					      " WHERE v.volunteer_id = $1 ORDER BY v.id DESC LIMIT 200");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, volunteer);
	return app_items(r, st, voucher_json, out);
}

int market_voucher_cancel(struct app_req *r, const char *code, const char *idem, json_t **out)
{
	struct voucher_ctx c = { .r = r, .decision_key = idem };
	if (idem && (!*idem || strlen(idem) > IDEM_MAX))
		return app_fail(r, APP_EBADREQ, "invalid_value", "Idempotency-Key");
	char status[16];
	int64_t expires, home;
	const char *path;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 || voucher_find(r, code, &c, status, sizeof(status), &expires) != 0 ||
	    volunteer_access(r, c.volunteer_id, AUTHZ_VOUCHERS_ISSUE, &home, &path) != 0 ||
	    lapse(r, &c, status, expires) != 0)
		return -1;
	if (c.expired)
		return app_fail(r, APP_ECONFLICT, "voucher_expired", NULL);
	int rc = store_tx(r->store, cancel_tx, &c);
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	return voucher_read(r, c.code, out);
}


/* The goods lines of a redemption, as goods_hand_out priced them. */
static int voucher_lines_write(struct store *s, int64_t voucher, const struct goods_basket *b)
{
	int64_t written = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct store_stmt *st = store_prepare(s,
			"INSERT INTO voucher_items (voucher_id, goods_id, quantity, points) VALUES ($1, $2, $3, $4)");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, voucher);
		store_bind_int(st, 2, b->line[i].goods_id);
		store_bind_int(st, 3, b->line[i].quantity);
		store_bind_int(st, 4, b->line[i].points);
		int rc = store_step(st);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
		written += b->line[i].points;
	}
	/* what the voucher spent is what its lines cost: reconciliation
	 * compares the two */
	assert(written == b->points);
	return STORE_OK;
}

/* The points of a redeemed voucher leave escrow: what the goods cost to
 * the store, a remainder back to the volunteer (docs/points.md). */
static int redeem_settle(struct voucher_ctx *c, struct store *s)
{
	int64_t escrow, shop, vol;
	int rc;
	assert(c->spent >= 0 && c->spent <= c->value);
	if ((rc = points_account(s, "escrow", 0, &escrow)) != STORE_OK ||
	    (rc = points_account(s, "store", c->store_id, &shop)) != STORE_OK ||
	    (rc = points_account(s, "volunteer", c->volunteer_id, &vol)) != STORE_OK)
		return rc;
	struct point_move m = { .from = escrow, .to = shop, .amount = c->spent, .cause = "redeem",
				.volunteer_id = c->volunteer_id, .org_id = c->shop.org_id,
				.operator_id = c->r->who->user_id, .voucher_id = c->id };
	if (c->spent > 0 && (rc = points_move(s, &m)) != STORE_OK)
		return rc;
	if (c->value > c->spent) {
		struct point_move back = m;
		back.to = vol;
		back.amount = c->value - c->spent;
		back.cause = "refund";
		back.restore = issue_movement(s, c->id);
		if ((rc = points_move(s, &back)) != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

/* The transaction of market_voucher_redeem: the voucher turns redeemed
 * (once: of racing redemptions one wins, the others get 409), its goods
 * leave stock, its lines are written and its points leave escrow. */
static int redeem_tx(struct store *s, void *vctx)
{
	struct voucher_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"UPDATE vouchers SET status = 'redeemed', store_id = $2, decided_by = $3, decided_at = $4, decision_key = $5"
		" WHERE id = $1 AND status = 'issued' RETURNING spent");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_int(st, 2, c->store_id);
	store_bind_int(st, 3, c->r->who->user_id);
	store_bind_int(st, 4, app_now());
	store_bind_text(st, 5, c->decision_key);
	int rc = store_step(st);
	/* redeemed once: a voucher that spent anything was redeemed before */
	assert(rc != STORE_ROW || store_col_null(st, 0));
	store_done(st);
	if (rc == STORE_DONE && decided_before(c, s, "redeemed"))
		return STORE_OK;
	if (rc == STORE_DONE) {
		app_fail(c->r, APP_ECONFLICT, "voucher_not_issued", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	if ((rc = goods_hand_out(c->r, s, c->store_id, &c->basket, c->value, c->id, 0)) != STORE_OK ||
	    (rc = voucher_lines_write(s, c->id, &c->basket)) != STORE_OK)
		return rc;
	c->spent = c->basket.points;
	if ((rc = app_exec_ints(s, "UPDATE vouchers SET spent = $2 WHERE id = $1", c->id, c->spent)) != STORE_OK ||
	    (rc = redeem_settle(c, s)) != STORE_OK)
		return rc;
	char detail[96];
	snprintf(detail, sizeof(detail), "{\"store_id\":%lld,\"spent\":%lld}", (long long)c->store_id,
		 (long long)c->spent);
	return audit_write_text(c->r, s, "voucher.redeem", "voucher", c->id, c->shop.org_id, c->shop.path, detail);
}

int market_voucher_redeem(struct app_req *r, const char *code, json_t *in, const char *idem, json_t **out)
{
	struct voucher_ctx c = { .r = r, .decision_key = idem };
	if (idem && (!*idem || strlen(idem) > IDEM_MAX))
		return app_fail(r, APP_EBADREQ, "invalid_value", "Idempotency-Key");
	char status[16];
	int64_t expires;
	if (authz_check(r, AUTHZ_MARKET_COUNTER, NULL) != 0 || voucher_find(r, code, &c, status, sizeof(status), &expires) != 0)
		return -1;
	if (in_id(r, in, "store_id", true, &c.store_id, NULL) != 0 ||
	    shop_for_counter(r, c.store_id, &c.shop) != 0)
		return -1;
	/* a deactivated volunteer cannot pay, with a voucher either (issue 11);
	 * said only to staff of the store, who may redeem the voucher anyway */
	bool active;
	int vrc = volunteers_active(r->store, c.volunteer_id, &active);
	if (vrc != STORE_OK)
		return app_store_fail(r, vrc == STORE_DONE ? STORE_ERROR : vrc);
	if (!active)
		return app_fail(r, APP_ECONFLICT, "volunteer_inactive", NULL);
	if (goods_basket_read(r, json_object_get(in, "items"), &c.basket) != 0)
		return -1;
	if (lapse(r, &c, status, expires) != 0)
		return -1;
	if (c.expired)
		return app_fail(r, APP_ECONFLICT, "voucher_expired", NULL);
	int rc = store_tx(r->store, redeem_tx, &c);
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	return voucher_read(r, c.code, out);
}

int voucher_holder(struct app_req *r, const char *code, int64_t *volunteer)
{
	struct voucher_ctx c = { .r = r };
	char status[16];
	int64_t expires;
	if (voucher_find(r, code, &c, status, sizeof(status), &expires) != 0)
		return -1;
	*volunteer = c.volunteer_id;
	return 0;
}
