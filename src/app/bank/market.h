/* Love supermarkets (爱心超市): stores of organisations, goods with a
 * points price and stock, and vouchers bought with points and redeemed at
 * a store's counter. A voucher's points wait in the ledger's escrow
 * account: redeeming gives what the goods cost to the store and the rest
 * back to the volunteer; cancelling or expiry gives all of it back.
 *
 * The rooms behind this header: shops.c (stores), goods.c (goods, stock,
 * goods handed out), vouchers.c, sales.c (paying at the counter) and
 * reconcile.c (a store's day). Each call below is a use case: it checks its
 * input, authorises, and runs its writes in one transaction of its own
 * (store_tx on r->store), so the caller must not be inside one. 0 is
 * success with *out a new JSON object the caller owns; -1 is a refusal or
 * failure with r->err set and nothing changed. Points move only through
 * the ledger's primitives (points.h). */
#ifndef ZY_MARKET_H
#define ZY_MARKET_H
#include "app/kernel/kernel.h"

/* Every value-moving call takes idem, the Idempotency-Key header or NULL:
 * a retry with the same key answers as the first call did and moves
 * nothing more. */

/* ---- stores (shops.c) ---- */

/* POST /stores {"org_id","name","address","allow_on_behalf"} (admins of
 * the scope): a new active store, audited store.create. */
int market_store_create(struct app_req *r, json_t *in, json_t **out);
/* PATCH /stores/{id} {"allow_on_behalf"} (admins of the store's scope):
 * whether staff of a volunteer's own subtree may sell for them without
 * their proof at this store (off by default; audited store.update). */
int market_store_update(struct app_req *r, int64_t id, json_t *in, json_t **out);
/* GET /stores?org_id=&usable=: the active stores of a subtree (default:
 * all), each with "usable" (the caller may work its counter) and "own"
 * (of the caller's organisation); usable=true keeps only the usable ones,
 * the caller's own first. Reads only. */
int market_store_list(struct app_req *r, const char *org_id, const char *usable, json_t **out);

/* ---- goods and stock (goods.c) ---- */

/* POST /stores/{id}/goods {"name","unit","price"} (admins and clerks of
 * the store's scope): new goods at price 1..100000 points, stock 0,
 * audited goods.create. */
int market_goods_create(struct app_req *r, int64_t store_id, json_t *in, json_t **out);
/* GET /stores/{id}/goods: a store's goods, oldest first. Reads only. */
int market_goods_list(struct app_req *r, int64_t store_id, json_t **out);
/* POST /goods/{id}/stock {"delta","reason"}: stock in (> 0) or out (< 0),
 * never below zero (409 insufficient_stock), one stock move audited
 * goods.stock. */
int market_stock(struct app_req *r, int64_t goods_id, json_t *in, const char *idem, json_t **out);

/* ---- vouchers (vouchers.c) ---- */

/* POST /vouchers {"volunteer_id","value"}: points become a voucher (the
 * person, or staff of their scope), value a multiple of --voucher-points;
 * the points go from the volunteer to escrow (409 insufficient_points),
 * audited voucher.issue. */
int market_voucher_issue(struct app_req *r, json_t *in, const char *idem, json_t **out);
/* GET /vouchers/{code}: the person, staff of their scope, or any clerk
 * (the code is what the volunteer shows at the counter). An issued
 * voucher past its date expires here, in a transaction of its own. */
int market_voucher_get(struct app_req *r, const char *code, json_t **out);
/* GET /vouchers?volunteer_id=: a person's vouchers, newest first. Reads
 * only. */
int market_voucher_list(struct app_req *r, const char *volunteer_id, json_t **out);
/* POST /vouchers/{code}/redeem {"store_id","items":[{"goods_id","quantity"}]}
 * (admins and clerks of the store's scope): the voucher is redeemed once,
 * for goods worth at most its value (422 over_value); the goods leave
 * stock, what they cost goes from escrow to the store and the rest back to
 * the volunteer, audited voucher.redeem. */
int market_voucher_redeem(struct app_req *r, const char *code, json_t *in, const char *idem, json_t **out);
/* POST /vouchers/{code}/cancel: an unused voucher's points go back from
 * escrow to the volunteer (409 voucher_not_issued / voucher_expired). */
int market_voucher_cancel(struct app_req *r, const char *code, const char *idem, json_t **out);

/* ---- paying at the counter (sales.c) ---- */

/* POST /stores/{id}/sales {"pay_code" | "voucher_code" | "volunteer_id" +
 * "on_behalf": true, "items"}: goods paid with points at the counter, with
 * the volunteer's proof (issue 11): a live pay code (paycodes.h; a
 * volunteer_id sent with it must be the code's), a voucher code (the
 * voucher is redeemed here for the goods), or, where the store allows it,
 * a sale on behalf by staff of the volunteer's own subtree (audited
 * sale.on_behalf). 422 payment_proof_required / pay_code_invalid /
 * voucher_code_invalid, 403 on_behalf_not_allowed / forbidden, 409
 * volunteer_inactive, 429 too_many_pay_codes; 409 insufficient_points /
 * insufficient_stock only after the proof held. One transaction takes the
 * code, writes the sale and its lines, moves the stock and the points;
 * a sale's total is the sum of its lines. */
int market_sale(struct app_req *r, int64_t store_id, json_t *in, const char *idem, json_t **out);

/* ---- a store's day (reconcile.c) ---- */

/* GET /stores/{id}/reconciliation?date=YYYY-MM-DD (default today, China
 * time): vouchers redeemed and sales, the points they brought in, the
 * goods handed out and moved; "balanced" when points in equal what the
 * vouchers and sales spent and what the goods handed out cost. Reads
 * only. */
int market_reconcile(struct app_req *r, int64_t store_id, const char *date, json_t **out);

#endif
