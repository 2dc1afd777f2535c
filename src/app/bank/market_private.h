/* What the love supermarket's rooms (shops.c, goods.c, vouchers.c,
 * sales.c, reconcile.c) share among themselves. Bank-private: other
 * domains use market.h. */
#ifndef ZY_MARKET_PRIVATE_H
#define ZY_MARKET_PRIVATE_H
#include "app/kernel/app.h"
#include "app/kernel/secrets.h"
#include "store/store.h"

#define ITEMS_MAX 50             /* lines on one redemption */
#define IDEM_MAX 100

/* shops.c */
int shop_load(struct app_req *r, int64_t id, int action, struct store_stmt **st);
int shop_for_counter(struct app_req *r, int64_t store_id, int64_t *org, const char **path);

/* goods.c */
json_t *goods_lines_json(struct app_req *r, bool sale, int64_t id);
int goods_hand_out(struct app_req *r, struct store *s, int64_t store_id, json_t *items, int64_t max_value,
	       int64_t voucher, int64_t sale, int64_t *spent);
int goods_check_items(struct app_req *r, json_t *items);

/* vouchers.c */
struct voucher_ctx {
	struct app_req *r;
	int64_t volunteer_id, value, org_id, id, store_id, spent, shop_org;
	const char *idem, *path, *shop_path;
	const char *decision_key;   /* Idempotency-Key of a redemption or cancellation */
	char code[SECRET_CODE_LEN + 1];
	json_t *items;           /* redemption lines */
	bool existed, expired;
};
int voucher_find(struct app_req *r, const char *code_in, struct voucher_ctx *c, char *status, size_t n,
		int64_t *expires);

#endif
