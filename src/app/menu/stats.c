/* The menu statistics (GET /api/v1/menu/stats): per sub-item, item,
 * provider and region, for the orders created in a period in a subtree,
 * how many there were, the share delivered, the mean time to dispatch
 * and to delivery, satisfaction, and the orders nobody answered, that
 * were escalated or cancelled. Read-only: five grouped queries over one
 * filtered set of orders; shares and means are computed from integer
 * sums (core/rating.h), never in floating point.
 *
 * The provider of an order is the organisation that accepted it (the
 * org_id of its last "accepted" event), else the one holding it now. */
#include "app/menu/ratings.h"
#include "core/chinatime.h"
#include "core/rating.h"
#include "core/validate.h"
#include "util/arena.h"
#include <string.h>

#define STATS_DAYS_MAX 3660   /* ten years: a period wider is a typo */
#define STATS_DAYS_DEFAULT 30

/* The filtered orders, one row each ($1 scope path prefix, $2..$3 the
 * period's seconds, end excluded). */
#define STATS_BASE \
	"WITH base AS (SELECT o.id, o.menu_item_id AS sub_id, m.parent_id AS item_id, o.region_code," \
	" COALESCE((SELECT e.org_id FROM order_events e WHERE e.order_id = o.id AND e.to_status = 'accepted'" \
	"   ORDER BY e.id DESC LIMIT 1), o.org_id) AS provider_id," \
	" o.status, o.created_at, o.accepted_at, o.dispatched_at, o.delivered_at, o.escalated_at, t.stars" \
	" FROM orders o JOIN orgs g ON g.id = o.org_id JOIN menu_items m ON m.id = o.menu_item_id" \
	" LEFT JOIN order_ratings t ON t.order_id = o.id" \
	" WHERE g.path LIKE $1 AND o.created_at >= $2 AND o.created_at < $3) "
/* The figures of a group (columns 2..13 of every statement). */
#define STATS_AGG \
	" CAST(COUNT(*) AS BIGINT)," \
	" CAST(SUM(CASE WHEN b.delivered_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT)," \
	" CAST(SUM(CASE WHEN b.dispatched_at IS NOT NULL THEN b.dispatched_at - b.created_at ELSE 0 END) AS BIGINT)," \
	" CAST(SUM(CASE WHEN b.dispatched_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT)," \
	" CAST(SUM(CASE WHEN b.delivered_at IS NOT NULL THEN b.delivered_at - b.created_at ELSE 0 END) AS BIGINT)," \
	" CAST(COUNT(b.stars) AS BIGINT)," \
	" CAST(SUM(COALESCE(b.stars, 0)) AS BIGINT)," \
	" CAST(SUM(CASE WHEN b.stars >= 4 THEN 1 ELSE 0 END) AS BIGINT)," \
	" CAST(SUM(CASE WHEN b.accepted_at IS NULL AND b.status IN ('submitted', 'declined') THEN 1 ELSE 0 END)" \
	"   AS BIGINT)," \
	" CAST(SUM(CASE WHEN b.escalated_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT)," \
	" CAST(SUM(CASE WHEN b.status = 'cancelled' THEN 1 ELSE 0 END) AS BIGINT)"

/* The figures of one group as members of o (from column c). */
static void figures(struct store_stmt *st, int c, json_t *o)
{
	int64_t orders = store_col_int(st, c), delivered = store_col_int(st, c + 1);
	int64_t dispatch_s = store_col_int(st, c + 2), dispatched = store_col_int(st, c + 3);
	int64_t delivery_s = store_col_int(st, c + 4);
	int64_t ratings = store_col_int(st, c + 5), stars = store_col_int(st, c + 6);
	int64_t satisfied = store_col_int(st, c + 7);
	json_object_set_new(o, "orders", json_integer(orders));
	json_object_set_new(o, "delivered", json_integer(delivered));
	json_object_set_new(o, "delivered_permille", json_integer(rating_permille(delivered, orders)));
	json_object_set_new(o, "dispatched", json_integer(dispatched));
	json_object_set_new(o, "dispatch_minutes", dispatched ? json_integer(rating_mean(dispatch_s, dispatched * 60))
							: json_null());
	json_object_set_new(o, "delivery_minutes", delivered ? json_integer(rating_mean(delivery_s, delivered * 60))
							: json_null());
	json_object_set_new(o, "ratings", json_integer(ratings));
	json_object_set_new(o, "stars_total", json_integer(stars));
	json_object_set_new(o, "stars_mean_centi", json_integer(rating_mean(stars * 100, ratings)));
	json_object_set_new(o, "satisfied", json_integer(satisfied));
	json_object_set_new(o, "satisfaction_permille", json_integer(rating_permille(satisfied, ratings)));
	json_object_set_new(o, "unanswered", json_integer(store_col_int(st, c + 8)));
	json_object_set_new(o, "escalated", json_integer(store_col_int(st, c + 9)));
	json_object_set_new(o, "cancelled", json_integer(store_col_int(st, c + 10)));
}

/* Runs one grouped statement into an array under key: column 0 the
 * group's id (text for regions), 1 its name, 2.. the figures. */
static int group(struct app_req *r, const char *sql, const char *scope, int64_t from, int64_t to,
		 const char *key, const char *id_field, bool text_id, json_t *out)
{
	struct store_stmt *st = store_prepare(r->store, sql);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, scope);
	store_bind_int(st, 2, from);
	store_bind_int(st, 3, to);
	json_t *items = json_array();
	json_object_set_new(out, key, items);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		json_t *o = json_object();
		if (id_field)
			json_object_set_new(o, id_field, store_col_null(st, 0) ? json_null()
					    : text_id ? json_string(store_col_text(st, 0))
					    : json_integer(store_col_int(st, 0)));
		if (id_field)
			json_object_set_new(o, "name", store_col_null(st, 1) ? json_null() : json_string(store_col_text(st, 1)));
		figures(st, 2, o);
		json_array_append_new(items, o);
	}
	store_done(st);
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

/* A China day "YYYY-MM-DD" (400 invalid_day naming field); *ymd stays
 * when s is NULL. */
static int day_param(struct app_req *r, const char *s, const char *field, int *ymd)
{
	if (!s)
		return 0;
	if (!valid_date(s, ymd))
		return app_fail(r, APP_EBADREQ, "invalid_day", field);
	return 0;
}

int menu_stats(struct app_req *r, const char *org_s, const char *from_s, const char *to_s, json_t **out)
{
	const char *scope;
	int to_ymd = app_today_ymd(), from_ymd = 0;
	if (authz_check(r, AUTHZ_ORDERS_READ, NULL) != 0 || app_scope(r, org_s, AUTHZ_ORDERS_READ, &scope) != 0 ||
	    day_param(r, to_s, "to", &to_ymd) != 0 || day_param(r, from_s, "from", &from_ymd) != 0)
		return -1;
	/* whole China days: from's first second to the second after to */
	int64_t to = app_day_start(to_ymd) + 86400;
	int64_t from = from_ymd ? app_day_start(from_ymd) : to - (int64_t)STATS_DAYS_DEFAULT * 86400;
	if (from >= to)
		return app_fail(r, APP_EINVALID, "invalid_period", "from");
	if ((to - from) / 86400 > STATS_DAYS_MAX)
		return app_fail(r, APP_EINVALID, "period_too_long", "from");
	const char *like = arena_printf(r->arena, "%s%%", scope);
	json_t *o = json_object();
	int fy = china_ymd(from), ty = china_ymd(to - 1);
	json_object_set_new(o, "from", json_string(arena_printf(r->arena, "%04d-%02d-%02d", fy / 10000, fy / 100 % 100,
								  fy % 100)));
	json_object_set_new(o, "to", json_string(arena_printf(r->arena, "%04d-%02d-%02d", ty / 10000, ty / 100 % 100,
								ty % 100)));
	json_object_set_new(o, "from_at", json_string(app_iso(r, from)));
	json_object_set_new(o, "to_at", json_string(app_iso(r, to)));
	int rc = group(r, STATS_BASE "SELECT NULL, NULL," STATS_AGG " FROM base b", like, from, to, "totals_rows",
		       NULL, false, o);
	if (rc == 0)
		rc = group(r, STATS_BASE "SELECT b.sub_id, n.name," STATS_AGG
			   " FROM base b JOIN menu_items n ON n.id = b.sub_id GROUP BY b.sub_id, n.name ORDER BY b.sub_id",
			   like, from, to, "by_sub_item", "id", false, o);
	if (rc == 0)
		rc = group(r, STATS_BASE "SELECT b.item_id, n.name," STATS_AGG
			   " FROM base b LEFT JOIN menu_items n ON n.id = b.item_id GROUP BY b.item_id, n.name"
			   " ORDER BY b.item_id",
			   like, from, to, "by_item", "id", false, o);
	if (rc == 0)
		rc = group(r, STATS_BASE "SELECT b.provider_id, n.name," STATS_AGG
			   " FROM base b JOIN orgs n ON n.id = b.provider_id GROUP BY b.provider_id, n.name"
			   " ORDER BY b.provider_id",
			   like, from, to, "by_provider", "org_id", false, o);
	if (rc == 0)
		rc = group(r, STATS_BASE "SELECT b.region_code, n.name," STATS_AGG
			   " FROM base b LEFT JOIN regions n ON n.code = b.region_code GROUP BY b.region_code, n.name"
			   " ORDER BY b.region_code",
			   like, from, to, "by_region", "region_code", true, o);
	if (rc != 0) {
		json_decref(o);
		return -1;
	}
	/* the one totals row as an object of its own */
	json_t *rows = json_object_get(o, "totals_rows");
	json_object_set(o, "totals", json_array_get(rows, 0));
	json_object_del(o, "totals_rows");
	*out = o;
	return 0;
}
