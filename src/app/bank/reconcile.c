/* Love supermarkets: the day of a store, reconciled (see market.h). Reads
 * vouchers, sales, their lines, stock moves and the store's ledger
 * account; writes nothing. */
#include "app/bank/market.h"
#include "app/bank/market_private.h"
#include "app/kernel/kernel.h"
#include "core/chinatime.h"
#include "core/validate.h"

/* What a store's day [from, to) brought in, in this order: vouchers
 * redeemed, their points, sales, their points, points the ledger moved to
 * the store, and what the goods handed out cost. */
enum day_sum { DAY_VOUCHERS, DAY_VOUCHER_POINTS, DAY_SALES, DAY_SALE_POINTS, DAY_POINTS_IN, DAY_GOODS_POINTS,
	       DAY_SUMS };

static int day_sums(struct app_req *r, int64_t store_id, int64_t from, int64_t to, int64_t v[DAY_SUMS])
{
	static const char sums[] =
		"SELECT"
		" (SELECT count(*) FROM vouchers WHERE store_id = $1 AND status = 'redeemed' AND decided_at >= $2 AND decided_at < $3),"
		" (SELECT COALESCE(SUM(spent), 0) FROM vouchers WHERE store_id = $1 AND status = 'redeemed'"
		"   AND decided_at >= $2 AND decided_at < $3),"
		" (SELECT count(*) FROM sales WHERE store_id = $1 AND created_at >= $2 AND created_at < $3),"
		" (SELECT COALESCE(SUM(points), 0) FROM sales WHERE store_id = $1 AND created_at >= $2 AND created_at < $3),"
		" (SELECT COALESCE(SUM(m.amount), 0) FROM point_movements m JOIN point_accounts a ON a.id = m.to_account"
		"   WHERE a.kind = 'store' AND a.owner_id = $1 AND m.created_at >= $2 AND m.created_at < $3),"
		" (SELECT COALESCE(SUM(i.points), 0) FROM voucher_items i JOIN vouchers v ON v.id = i.voucher_id"
		"   WHERE v.store_id = $1 AND v.decided_at >= $2 AND v.decided_at < $3) +"
		" (SELECT COALESCE(SUM(i.points), 0) FROM sale_items i JOIN sales x ON x.id = i.sale_id"
		"   WHERE x.store_id = $1 AND x.created_at >= $2 AND x.created_at < $3)";
	struct store_stmt *st = store_prepare(r->store, sums);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, store_id);
	store_bind_int(st, 2, from);
	store_bind_int(st, 3, to);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		for (int i = 0; i < DAY_SUMS; i++)
			v[i] = store_col_int(st, i);
	store_done(st);
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc);
}

/* The goods of a store's day: what went out at the counter and what was
 * moved by hand. 0 with a new array in *out. */
static int day_goods(struct app_req *r, int64_t store_id, int64_t from, int64_t to, json_t **out)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT g.id, g.name, COALESCE(SUM(CASE WHEN m.reason IN ('redeem', 'sale') THEN -m.delta ELSE 0 END), 0),"
		" COALESCE(SUM(CASE WHEN m.reason NOT IN ('redeem', 'sale') AND m.delta > 0 THEN m.delta ELSE 0 END), 0),"
		" COALESCE(SUM(CASE WHEN m.reason NOT IN ('redeem', 'sale') AND m.delta < 0 THEN -m.delta ELSE 0 END), 0), g.stock"
		" FROM stock_moves m JOIN goods g ON g.id = m.goods_id"
		" WHERE g.store_id = $1 AND m.created_at >= $2 AND m.created_at < $3 GROUP BY g.id, g.name, g.stock ORDER BY g.id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, store_id);
	store_bind_int(st, 2, from);
	store_bind_int(st, 3, to);
	json_t *goods = json_array();
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(goods, json_pack("{sI ss sI sI sI sI}", "goods_id", (json_int_t)store_col_int(st, 0),
			"name", store_col_text(st, 1), "handed_out", (json_int_t)store_col_int(st, 2),
			"stocked_in", (json_int_t)store_col_int(st, 3), "taken_out", (json_int_t)store_col_int(st, 4),
			"stock_now", (json_int_t)store_col_int(st, 5)));
	store_done(st);
	if (rc != STORE_DONE) {
		json_decref(goods);
		return app_store_fail(r, rc);
	}
	*out = goods;
	return 0;
}

int market_reconcile(struct app_req *r, int64_t store_id, const char *date, json_t **out)
{
	struct store_stmt *st;
	int ymd;
	if (shop_load(r, store_id, AUTHZ_MARKET_COUNTER, &st) != 0)
		return -1;
	store_done(st);
	if (!date)
		date = app_today(r);
	if (!valid_date(date, &ymd))
		return app_fail(r, APP_EBADREQ, "invalid_value", "date");
	/* the China day: 00:00 to 24:00 UTC+8 */
	int64_t from = china_day_start(ymd), to = from + 86400;
	int64_t v[DAY_SUMS] = { 0 };
	json_t *goods = NULL;
	if (day_sums(r, store_id, from, to, v) != 0 || day_goods(r, store_id, from, to, &goods) != 0)
		return -1;
	int64_t spent = v[DAY_VOUCHER_POINTS] + v[DAY_SALE_POINTS];
	bool balanced = v[DAY_POINTS_IN] == spent && v[DAY_GOODS_POINTS] == spent;
	*out = json_pack("{sI ss sI sI sI sI sI sI so so}", "store_id", (json_int_t)store_id, "date", date,
		"vouchers_redeemed", (json_int_t)v[DAY_VOUCHERS], "voucher_points", (json_int_t)v[DAY_VOUCHER_POINTS],
		"sales", (json_int_t)v[DAY_SALES], "sale_points", (json_int_t)v[DAY_SALE_POINTS],
		"points_in", (json_int_t)v[DAY_POINTS_IN], "goods_points", (json_int_t)v[DAY_GOODS_POINTS],
		"goods", goods, "balanced", json_boolean(balanced));
	return 0;
}
