/* Love supermarkets: the day of a store, reconciled (see market.h). */
#include "app/bank/market.h"
#include "app/bank/market_private.h"
#include "app/kernel/authz.h"
#include "app/kernel/kernel.h"
#include "core/chinatime.h"
#include "core/validate.h"

/* ---- the day of a store ---- */

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
	st = store_prepare(r->store, sums);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, store_id);
	store_bind_int(st, 2, from);
	store_bind_int(st, 3, to);
	int rc = store_step(st);
	int64_t v[6] = { 0 };
	if (rc == STORE_ROW)
		for (int i = 0; i < 6; i++)
			v[i] = store_col_int(st, i);
	store_done(st);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	/* goods: what went out at the counter and what was moved by hand */
	st = store_prepare(r->store,
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
	bool balanced = v[4] == v[1] + v[3] && v[5] == v[1] + v[3];
	*out = json_pack("{sI ss sI sI sI sI sI sI so so}", "store_id", (json_int_t)store_id, "date", date,
		"vouchers_redeemed", (json_int_t)v[0], "voucher_points", (json_int_t)v[1],
		"sales", (json_int_t)v[2], "sale_points", (json_int_t)v[3],
		"points_in", (json_int_t)v[4], "goods_points", (json_int_t)v[5],
		"goods", goods, "balanced", json_boolean(balanced));
	return 0;
}
