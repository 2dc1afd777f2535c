/* What the love supermarket's rooms share among themselves: shops.c (the
 * stores), goods.c (goods, stock, goods handed out), vouchers.c, sales.c
 * and reconcile.c. Bank-private: other domains and http/ use market.h.
 *
 * Who writes what: shops.c stores; goods.c goods and stock_moves;
 * vouchers.c vouchers and voucher_items; sales.c sales and sale_items;
 * paycodes.c pay_codes; the ledger (point_accounts, point_movements) only
 * through points.h's primitives. */
#ifndef ZY_MARKET_PRIVATE_H
#define ZY_MARKET_PRIVATE_H
#include "app/kernel/kernel.h"
#include "store/store.h"

#define ITEMS_MAX 50             /* lines on one redemption or sale */
#define IDEM_MAX 100             /* bytes of an Idempotency-Key */

/* ---- shops.c ---- */

/* The columns shop_load gives, in this order. */
enum shop_col { SHOP_ID, SHOP_ORG_ID, SHOP_ORG_NAME, SHOP_NAME, SHOP_ADDRESS, SHOP_STATUS, SHOP_CREATED_AT,
		SHOP_ORG_PATH, SHOP_ON_BEHALF };
/* Reads store id for action (authorised on the store's organisation):
 * 0 with the row in *st (the caller store_done()s it), or -1 with r->err
 * set (404 when there is no such store). Outside any transaction. */
int shop_load(struct app_req *r, int64_t id, int action, struct store_stmt **st);
/* A store as a counter action needs it. */
struct shop_ref {
	int64_t org_id;           /* the organisation it belongs to */
	const char *path;         /* that organisation's path (request arena) */
	bool on_behalf;           /* staff may sell for a volunteer without proof */
};
/* The store for a counter action (a redemption or a sale): active and in
 * the caller's counter scope. 0 with *shop; 422 store_not_found when
 * missing or closed, 403 out of scope. Outside any transaction. */
int shop_for_counter(struct app_req *r, int64_t store_id, struct shop_ref *shop);

/* ---- goods.c ---- */

/* The goods of a redemption or a sale, as the counter asked for them and
 * as goods_hand_out priced them. */
struct goods_line {
	int64_t goods_id, quantity;
	int64_t points;           /* price × quantity, set by goods_hand_out */
};
struct goods_basket {
	size_t n;                 /* 1..ITEMS_MAX lines, each goods once */
	int64_t points;           /* the sum of the lines' points */
	struct goods_line line[ITEMS_MAX];
};
/* Reads "items" (1..ITEMS_MAX of {goods_id, quantity 1..1000}, each goods
 * once) into *b; 0, or -1 with r->err naming the field (items[i]...). */
int goods_basket_read(struct app_req *r, json_t *items, struct goods_basket *b);
/* Inside the caller's transaction (a redemption's or a sale's): prices b's
 * lines at store_id's prices now (422 goods_not_found for goods the store
 * does not sell), refuses a basket over max_value points (422 over_value;
 * -1: no limit), and takes each line out of stock, never below zero (409
 * insufficient_stock), as a stock move for voucher or for sale (exactly
 * one of them non-zero). Writes goods and stock_moves only: the lines
 * belong to the voucher's or the sale's room. STORE_ERROR with r->err set
 * on a refusal. */
int goods_hand_out(struct app_req *r, struct store *s, int64_t store_id, struct goods_basket *b, int64_t max_value,
		   int64_t voucher, int64_t sale);
/* The goods lines of a voucher, or of a sale (sale true), as handed out:
 * a new array, empty when there are none. Outside any transaction. */
json_t *goods_lines_json(struct app_req *r, bool sale, int64_t id);

/* ---- vouchers.c ---- */

/* The volunteer a voucher code (as typed) belongs to, for a counter that
 * takes the code as proof: 0 with *volunteer, -1 with r->err set (404
 * not_found when no voucher has that code). Outside any transaction. */
int voucher_holder(struct app_req *r, const char *code, int64_t *volunteer);

#endif
