/* Love supermarkets: goods paid with points at the counter, with the
 * volunteer's proof (see market.h). Writes sales and sale_items; the pay
 * code is taken through paycodes.h, the goods through goods_hand_out, the
 * points through the ledger's primitives (volunteer → store). */
#include "app/bank/market.h"
#include "app/bank/market_private.h"
#include "app/bank/paycodes.h"
#include "app/bank/points.h"
#include "app/kernel/kernel.h"
#include "app/network/network.h"
#include "util/arena.h"
#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* A sale needs the volunteer's proof (issue 11): a pay code from their
 * phone (paycodes.c) or a voucher code; or, where the store allows it,
 * staff whose scope holds the volunteer's home organisation sell on their
 * behalf, audited as sale.on_behalf. Without a proof nothing about the
 * volunteer is looked at: the refusal is the same whoever the id names,
 * and insufficient_points is only ever said once the proof held (to the
 * person, or to staff who may see the balance anyway). Wrong codes count
 * against the clerk at this store (PAY_FREE_FAILURES, then waits). */
#define PAY_FREE_FAILURES 5

/* Counts a wrong proof (pay code or voucher code) against key, the clerk
 * at this store: the same policy for both kinds of proof. */
static int wrong_proof_take(struct app_req *r, const char *key)
{
	return app_throttle_take(r, key, PAY_FREE_FAILURES, 30, 900, "too_many_pay_codes");
}

enum sale_proof { PROOF_NONE, PROOF_PAY_CODE, PROOF_ON_BEHALF };

struct sale_ctx {
	struct app_req *r;
	int64_t store_id, volunteer_id, id, code_id;
	const char *idem;
	struct shop_ref shop;
	char code[PAY_CODE_LEN + 1];
	enum sale_proof proof;
	struct goods_basket basket;
	bool existed, proven;
};

/* Inside the sale's transaction: the pay code is taken (used once, and
 * naming the volunteer), and the volunteer may pay. */
static int sale_prove(struct sale_ctx *c, struct store *s)
{
	int rc;
	bool active;
	if (c->proof == PROOF_PAY_CODE) {
		int64_t named = c->volunteer_id;
		rc = paycodes_take(s, c->code, &c->code_id, &c->volunteer_id);
		/* a code of somebody else than the volunteer_id sent is no proof
		 * for that volunteer: refused like a wrong code */
		if (rc == STORE_DONE || (rc == STORE_OK && named && named != c->volunteer_id)) {
			app_fail(c->r, APP_EINVALID, "pay_code_invalid", "pay_code");
			return STORE_ERROR;
		}
		if (rc != STORE_OK)
			return rc;
		c->proven = true;
	}
	if ((rc = volunteers_active(s, c->volunteer_id, &active)) != STORE_OK)
		return rc;
	if (!active) {
		app_fail(c->r, APP_ECONFLICT, "volunteer_inactive", NULL);
		return STORE_ERROR;
	}
	return STORE_OK;
}

/* The sale's row, at 0 points until its goods are priced. */
static int sale_insert(struct sale_ctx *c, struct store *s)
{
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO sales (store_id, volunteer_id, points, operator_id, idempotency_key, created_at, proof)"
		" VALUES ($1, $2, 0, $3, $4, $5, $6) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->store_id);
	store_bind_int(st, 2, c->volunteer_id);
	store_bind_int(st, 3, c->r->who->user_id);
	store_bind_text(st, 4, c->idem);
	store_bind_int(st, 5, app_now());
	store_bind_text(st, 6, c->proof == PROOF_PAY_CODE ? "pay_code" : "on_behalf");
	int rc = store_step(st);
	if (rc == STORE_ROW)
		c->id = store_col_int(st, 0);
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

/* The goods lines of a sale, as goods_hand_out priced them, and the
 * sale's total: the sum of its lines. */
static int sale_lines_write(struct store *s, int64_t sale, const struct goods_basket *b)
{
	int64_t written = 0;
	for (size_t i = 0; i < b->n; i++) {
		struct store_stmt *st = store_prepare(s,
			"INSERT INTO sale_items (sale_id, goods_id, quantity, points) VALUES ($1, $2, $3, $4)");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, sale);
		store_bind_int(st, 2, b->line[i].goods_id);
		store_bind_int(st, 3, b->line[i].quantity);
		store_bind_int(st, 4, b->line[i].points);
		int rc = store_step(st);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
		written += b->line[i].points;
	}
	/* a sale's total is what its lines cost: the store's day is
	 * reconciled by comparing the two */
	assert(written == b->points && written > 0);
	return app_exec_ints(s, "UPDATE sales SET points = $2 WHERE id = $1", sale, written);
}

/* The volunteer pays the store (a balance too small is 409
 * insufficient_points), audited as a sale or a sale on behalf. */
static int sale_pay(struct sale_ctx *c, struct store *s)
{
	int rc;
	struct point_move m = { .amount = c->basket.points, .cause = "sale", .volunteer_id = c->volunteer_id,
				.org_id = c->shop.org_id, .operator_id = c->r->who->user_id, .sale_id = c->id };
	if ((rc = points_account(s, "volunteer", c->volunteer_id, &m.from)) != STORE_OK ||
	    (rc = points_account(s, "store", c->store_id, &m.to)) != STORE_OK)
		return rc;
	rc = points_pay(c->r, s, &m, "items");
	if (rc != STORE_OK)
		return rc;
	char detail[160];
	snprintf(detail, sizeof(detail), "{\"volunteer_id\":%lld,\"points\":%lld,\"store_id\":%lld,\"proof\":\"%s\"}",
		 (long long)c->volunteer_id, (long long)c->basket.points, (long long)c->store_id,
		 c->proof == PROOF_PAY_CODE ? "pay_code" : "on_behalf");
	return audit_write_text(c->r, s, c->proof == PROOF_ON_BEHALF ? "sale.on_behalf" : "store.sale", "sale",
				c->id, c->shop.org_id, c->shop.path, detail);
}

/* The transaction of market_sale: once per Idempotency-Key, the proof is
 * taken, the volunteer's expired points go back, and the sale, its pay
 * code, its goods and its points are written together. */
static int sale_tx(struct store *s, void *vctx)
{
	struct sale_ctx *c = vctx;
	int rc;
	if (c->idem) {
		rc = app_idem_lookup(c->r, s, "SELECT id FROM sales WHERE operator_id = $1 AND idempotency_key = $2",
				     c->idem, &c->id);
		if (rc == STORE_ROW)
			c->existed = c->proven = true;
		if (rc != STORE_DONE)
			return rc == STORE_ROW ? STORE_OK : rc;
	}
	if ((rc = sale_prove(c, s)) != STORE_OK ||
	    (rc = points_expire(c->r, s, c->volunteer_id, app_now())) != STORE_OK ||
	    (rc = sale_insert(c, s)) != STORE_OK)
		return rc;
	if (c->code_id && (rc = paycodes_link_sale(s, c->code_id, c->id)) != STORE_OK)
		return rc;
	if ((rc = goods_hand_out(c->r, s, c->store_id, &c->basket, -1, 0, c->id)) != STORE_OK ||
	    (rc = sale_lines_write(s, c->id, &c->basket)) != STORE_OK)
		return rc;
	return sale_pay(c, s);
}

/* A sale as the API shows it, with its lines. */
static int sale_get(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT id, store_id, volunteer_id, points, created_at, proof FROM sales WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*out = json_pack("{sI sI sI sI ss ss}", "id", (json_int_t)store_col_int(st, 0),
			"store_id", (json_int_t)store_col_int(st, 1), "volunteer_id", (json_int_t)store_col_int(st, 2),
			"points", (json_int_t)store_col_int(st, 3), "created_at", app_iso(r, store_col_int(st, 4)),
			"proof", store_col_text(st, 5));
	store_done(st);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc == STORE_DONE ? STORE_ERROR : rc);
	json_object_set_new(*out, "items", goods_lines_json(r, true, id));
	return 0;
}

/* On behalf: the store allows it and the caller's scope holds the
 * volunteer's home organisation. A volunteer who does not exist and one
 * of another subtree get the same 403. */
static int on_behalf_check(struct app_req *r, struct sale_ctx *c)
{
	if (!c->shop.on_behalf)
		return app_fail(r, APP_EFORBIDDEN, "on_behalf_not_allowed", "on_behalf");
	struct store_stmt *st = store_prepare(r->store,
		"SELECT o.path FROM volunteers v JOIN orgs o ON o.id = v.home_org_id WHERE v.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, c->volunteer_id);
	int rc = store_step(st);
	const char *path = rc == STORE_ROW ? arena_strdup(r->arena, store_col_text(st, 0)) : NULL;
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return app_store_fail(r, rc);
	if (!path || authz_refusal(r->who, AUTHZ_MARKET_COUNTER, path) != NULL)
		return app_fail(r, APP_EFORBIDDEN, "forbidden", "volunteer_id");
	return 0;
}

/* A sale paid with a voucher: the voucher is redeemed at this store for
 * the goods (market_voucher_redeem); its code is the proof. */
static int sale_by_voucher(struct app_req *r, int64_t store_id, const char *code, int64_t named, json_t *items,
			   const char *idem, const char *key, json_t **out)
{
	int64_t holder = 0;
	if (app_throttle_check(r, key, "too_many_pay_codes") != 0)
		return -1;
	bool found = voucher_holder(r, code, &holder) == 0;
	if (!found && r->err.status != APP_ENOTFOUND)
		return -1;
	/* no such voucher, or another person's: one answer, counted as a
	 * wrong proof */
	if (!found || (named && named != holder)) {
		memset(&r->err, 0, sizeof(r->err));
		if (wrong_proof_take(r, key) != 0)
			return -1;
		return app_fail(r, APP_EINVALID, "voucher_code_invalid", "voucher_code");
	}
	json_t *in = json_pack("{sI sO}", "store_id", (json_int_t)store_id, "items", items);
	if (!in)
		return app_fail(r, APP_EINTERNAL, "internal", NULL);
	int rc = market_voucher_redeem(r, code, in, idem, out);
	json_decref(in);
	if (rc == 0)
		json_object_set_new(*out, "proof", json_string("voucher"));
	return rc;
}

int market_sale(struct app_req *r, int64_t store_id, json_t *in, const char *idem, json_t **out)
{
	struct sale_ctx c = { .r = r, .store_id = store_id, .idem = idem };
	if (authz_check(r, AUTHZ_MARKET_COUNTER, NULL) != 0)
		return -1;
	if (idem && (!*idem || strlen(idem) > IDEM_MAX))
		return app_fail(r, APP_EBADREQ, "invalid_value", "Idempotency-Key");
	if (shop_for_counter(r, store_id, &c.shop) != 0)
		return r->err.field && strcmp(r->err.field, "store_id") == 0
			? app_fail(r, APP_ENOTFOUND, "not_found", NULL) : -1;
	const char *pay_code = NULL, *voucher_code = NULL;
	bool on_behalf = false, present = false;
	if (in_id(r, in, "volunteer_id", false, &c.volunteer_id, NULL) != 0 ||
	    in_text(r, in, "pay_code", false, 40, &pay_code) != 0 ||
	    in_text(r, in, "voucher_code", false, 40, &voucher_code) != 0 ||
	    in_bool(r, in, "on_behalf", &on_behalf, &present) != 0)
		return -1;
	json_t *items = json_object_get(in, "items");
	if (goods_basket_read(r, items, &c.basket) != 0)
		return -1;
	if ((pay_code != NULL) + (voucher_code != NULL) + on_behalf > 1)
		return app_fail(r, APP_EINVALID, "one_proof", pay_code ? "pay_code" : "voucher_code");
	const char *key = arena_printf(r->arena, "pay-proof:%lld:%lld", (long long)store_id,
				       (long long)r->who->user_id);
	if (voucher_code)
		return sale_by_voucher(r, store_id, voucher_code, c.volunteer_id, items, idem, key, out);
	if (on_behalf) {
		if (!c.volunteer_id)
			return app_fail(r, APP_EINVALID, "required", "volunteer_id");
		if (on_behalf_check(r, &c) != 0)
			return -1;
		c.proof = PROOF_ON_BEHALF;
	} else if (pay_code) {
		/* a wrong code counts before it is compared, in one step, so that
		 * parallel guesses cannot all pass; a code that held is given back */
		if (wrong_proof_take(r, key) != 0)
			return -1;
		if (!paycodes_normal(pay_code, c.code))
			return app_fail(r, APP_EINVALID, "pay_code_invalid", "pay_code");
		c.proof = PROOF_PAY_CODE;
	} else {
		return app_fail(r, APP_EINVALID, "payment_proof_required", "pay_code");
	}
	int rc = store_tx(r->store, sale_tx, &c);
	sodium_memzero(c.code, sizeof(c.code));
	if (c.proven && c.proof == PROOF_PAY_CODE) {
		/* a code that held was no guess: its count goes back. Failing to
		 * give it back costs the clerk a try, not the answer. */
		struct app_error kept = r->err;
		(void)app_throttle_refund(r, key, PAY_FREE_FAILURES);
		r->err = kept;
	}
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	return sale_get(r, c.id, out);
}
