/* The menu statistics (GET /api/v1/menu/stats): per sub-item, item,
 * provider and region, for the orders created in a period in a subtree,
 * how many there were, the share delivered, the mean time to dispatch
 * and to delivery, satisfaction, and the orders nobody answered, that
 * were escalated or cancelled. Read-only.
 *
 * One pass over the period's orders, grouped by (sub-item, item,
 * provider, region) in SQL, then rolled up here into the four lists and
 * the totals: five grouped queries over the same orders took 9–13 s for
 * a year of 200,000 orders on SQLite where the one pass takes about 1.5 s
 * (docs/decisions.md). Shares and means come from integer sums
 * (core/rating.h), never floating point.
 *
 * The provider of an order is the organisation that accepted it (the
 * org_id of its last "accepted" event), else the one holding it now. */
#include "app/menu/ratings.h"
#include "app/service/service.h"
#include "core/chinatime.h"
#include "core/rating.h"
#include "core/validate.h"
#include "util/arena.h"
#include <stdlib.h>
#include <string.h>

#define STATS_DAYS_MAX 3660   /* ten years: a period wider is a typo */
#define STATS_DAYS_DEFAULT 30

/* The figures of one group, summed (the order of the SQL's columns). */
enum { F_ORDERS, F_DELIVERED, F_DISPATCH_S, F_DISPATCHED, F_DELIVERY_S, F_RATINGS, F_STARS, F_SATISFIED,
       F_UNANSWERED, F_ESCALATED, F_CANCELLED, F_COUNT };

/* A group of one list: its key (an id, or a region code) and name. */
struct group {
	int64_t id;
	const char *code, *name;
	int64_t f[F_COUNT];
};
struct list {
	struct group *g;
	size_t n, cap;
};

/* Columns 0..7: sub-item id and name, item id and name, provider id and
 * name, region code and name; 8.. the figures. $1 the scope's path
 * prefix, $2..$3 the period's seconds (end excluded). */
#define STATS_SQL \
	"SELECT b.sub_id, ms.name, b.item_id, mi.name, b.provider_id, pg.name, b.region_code, rg.name," \
	" b.n, b.delivered, b.dispatch_s, b.dispatched, b.delivery_s, b.ratings, b.stars, b.satisfied," \
	" b.unanswered, b.escalated, b.cancelled FROM (" \
	"SELECT o.menu_item_id AS sub_id, m.parent_id AS item_id, o.region_code," \
	" COALESCE((SELECT e.org_id FROM order_events e WHERE e.order_id = o.id AND e.to_status = 'accepted'" \
	"   ORDER BY e.id DESC LIMIT 1), o.org_id) AS provider_id," \
	" CAST(COUNT(*) AS BIGINT) AS n," \
	" CAST(SUM(CASE WHEN o.delivered_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS delivered," \
	" CAST(SUM(CASE WHEN o.dispatched_at IS NOT NULL THEN o.dispatched_at - o.created_at ELSE 0 END) AS BIGINT)" \
	"   AS dispatch_s," \
	" CAST(SUM(CASE WHEN o.dispatched_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS dispatched," \
	" CAST(SUM(CASE WHEN o.delivered_at IS NOT NULL THEN o.delivered_at - o.created_at ELSE 0 END) AS BIGINT)" \
	"   AS delivery_s," \
	" CAST(COUNT(t.stars) AS BIGINT) AS ratings," \
	" CAST(SUM(COALESCE(t.stars, 0)) AS BIGINT) AS stars," \
	" CAST(SUM(CASE WHEN t.stars >= 4 THEN 1 ELSE 0 END) AS BIGINT) AS satisfied," \
	" CAST(SUM(CASE WHEN o.accepted_at IS NULL AND o.status IN ('submitted', 'declined') THEN 1 ELSE 0 END)" \
	"   AS BIGINT) AS unanswered," \
	" CAST(SUM(CASE WHEN o.escalated_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS escalated," \
	" CAST(SUM(CASE WHEN o.status = 'cancelled' THEN 1 ELSE 0 END) AS BIGINT) AS cancelled" \
	" FROM orders o JOIN orgs g ON g.id = o.org_id JOIN menu_items m ON m.id = o.menu_item_id" \
	" LEFT JOIN order_ratings t ON t.order_id = o.id" \
	" WHERE g.path LIKE $1 AND o.created_at >= $2 AND o.created_at < $3" \
	" GROUP BY o.menu_item_id, m.parent_id, o.region_code, 4) b" \
	" LEFT JOIN menu_items ms ON ms.id = b.sub_id LEFT JOIN menu_items mi ON mi.id = b.item_id" \
	" LEFT JOIN orgs pg ON pg.id = b.provider_id LEFT JOIN regions rg ON rg.code = b.region_code"

/* Adds f to the group of l keyed by id (or code, when not NULL). */
static void add(struct app_req *r, struct list *l, int64_t id, const char *code, const char *name,
		const int64_t *f)
{
	struct group *g = NULL;
	for (size_t i = 0; i < l->n && !g; i++)
		if (code ? strcmp(l->g[i].code, code) == 0 : l->g[i].id == id)
			g = &l->g[i];
	if (!g) {
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 16;
			struct group *grown = arena_alloc(r->arena, cap * sizeof(*grown));
			if (l->n)
				memcpy(grown, l->g, l->n * sizeof(*grown));
			l->g = grown;
			l->cap = cap;
		}
		g = &l->g[l->n++];
		memset(g, 0, sizeof(*g));
		g->id = id;
		g->code = code ? arena_strdup(r->arena, code) : NULL;
		g->name = name ? arena_strdup(r->arena, name) : NULL;
	}
	for (int k = 0; k < F_COUNT; k++)
		g->f[k] += f[k];
}

static int by_id(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static int by_code(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->code, ((const struct group *)b)->code);
}

/* The figures as members of a new object. */
static json_t *figures(const int64_t *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "orders", json_integer(f[F_ORDERS]));
	json_object_set_new(o, "delivered", json_integer(f[F_DELIVERED]));
	json_object_set_new(o, "delivered_permille", json_integer(rating_permille(f[F_DELIVERED], f[F_ORDERS])));
	json_object_set_new(o, "dispatched", json_integer(f[F_DISPATCHED]));
	json_object_set_new(o, "dispatch_minutes", f[F_DISPATCHED]
		? json_integer(rating_mean(f[F_DISPATCH_S], f[F_DISPATCHED] * 60)) : json_null());
	json_object_set_new(o, "delivery_minutes", f[F_DELIVERED]
		? json_integer(rating_mean(f[F_DELIVERY_S], f[F_DELIVERED] * 60)) : json_null());
	json_object_set_new(o, "ratings", json_integer(f[F_RATINGS]));
	json_object_set_new(o, "stars_total", json_integer(f[F_STARS]));
	json_object_set_new(o, "stars_mean_centi", json_integer(rating_mean(f[F_STARS] * 100, f[F_RATINGS])));
	json_object_set_new(o, "satisfied", json_integer(f[F_SATISFIED]));
	json_object_set_new(o, "satisfaction_permille", json_integer(rating_permille(f[F_SATISFIED], f[F_RATINGS])));
	json_object_set_new(o, "unanswered", json_integer(f[F_UNANSWERED]));
	json_object_set_new(o, "escalated", json_integer(f[F_ESCALATED]));
	json_object_set_new(o, "cancelled", json_integer(f[F_CANCELLED]));
	return o;
}

/* The list l, sorted, as an array of {id_field, name, figures…}. */
static json_t *list_json(struct list *l, const char *id_field)
{
	bool text = l->n && l->g[0].code;
	if (l->n)
		qsort(l->g, l->n, sizeof(*l->g), text ? by_code : by_id);
	json_t *a = json_array();
	for (size_t i = 0; i < l->n; i++) {
		const struct group *g = &l->g[i];
		json_t *o = figures(g->f);
		json_object_set_new(o, id_field, text ? json_string(g->code) : g->id ? json_integer(g->id) : json_null());
		json_object_set_new(o, "name", g->name ? json_string(g->name) : json_null());
		json_array_append_new(a, o);
	}
	return a;
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

static const char *day_text(struct app_req *r, int ymd)
{
	return arena_printf(r->arena, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
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
	struct store_stmt *st = store_prepare(r->store, STATS_SQL);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", scope));
	store_bind_int(st, 2, from);
	store_bind_int(st, 3, to);
	struct list subs = { 0 }, items = { 0 }, providers = { 0 }, regions = { 0 };
	int64_t totals[F_COUNT] = { 0 };
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t f[F_COUNT];
		for (int k = 0; k < F_COUNT; k++) {
			f[k] = store_col_int(st, 8 + k);
			totals[k] += f[k];
		}
#define NAME(c) (store_col_null(st, c) ? NULL : store_col_text(st, c))
		add(r, &subs, store_col_int(st, 0), NULL, NAME(1), f);
		add(r, &items, store_col_null(st, 2) ? 0 : store_col_int(st, 2), NULL, NAME(3), f);
		add(r, &providers, store_col_int(st, 4), NULL, NAME(5), f);
		add(r, &regions, 0, store_col_text(st, 6), NAME(7), f);
#undef NAME
	}
	store_done(st);
	if (rc != STORE_DONE)
		return app_store_fail(r, rc);
	json_t *o = json_object();
	json_object_set_new(o, "from", json_string(day_text(r, china_ymd(from))));
	json_object_set_new(o, "to", json_string(day_text(r, china_ymd(to - 1))));
	json_object_set_new(o, "from_at", json_string(app_iso(r, from)));
	json_object_set_new(o, "to_at", json_string(app_iso(r, to)));
	json_object_set_new(o, "totals", figures(totals));
	json_object_set_new(o, "by_sub_item", list_json(&subs, "id"));
	json_object_set_new(o, "by_item", list_json(&items, "id"));
	json_object_set_new(o, "by_provider", list_json(&providers, "org_id"));
	json_object_set_new(o, "by_region", list_json(&regions, "region_code"));
	*out = o;
	return 0;
}

/* ---- the same figures as a spreadsheet ---- */

/* One CSV row: the list's label, the group's key and name, the figures
 * (as figures() shows them, shares in thousandths). */
static void csv_row(struct buf *b, const char *list, json_t *key, json_t *g)
{
	static const char *const cols[] = { "orders", "delivered", "delivered_permille", "dispatched",
		"dispatch_minutes", "delivery_minutes", "ratings", "stars_mean_centi", "satisfied",
		"satisfaction_permille", "unanswered", "escalated", "cancelled" };
	const size_t n = sizeof(cols) / sizeof(cols[0]);
	export_csv_cell(b, list, false);
	if (json_is_integer(key))
		export_csv_int(b, json_integer_value(key), false);
	else
		export_csv_cell(b, json_is_string(key) ? json_string_value(key) : "", false);
	json_t *name = json_object_get(g, "name");
	export_csv_cell(b, json_is_string(name) ? json_string_value(name) : "", false);
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(g, cols[i]);
		if (json_is_integer(v))
			export_csv_int(b, json_integer_value(v), i + 1 == n);
		else
			export_csv_cell(b, "", i + 1 == n);
	}
}

int menu_stats_csv(struct app_req *r, const char *org_s, const char *from_s, const char *to_s, bool en,
		   struct buf *out)
{
	static const char *const head_zh[] = { "分组", "编号", "名称", "订单数", "已送达", "送达率（‰）", "已派人",
		"平均派单用时（分钟）", "平均送达用时（分钟）", "评价数", "平均评分（×100）", "满意（4–5 星）",
		"满意度（‰）", "无人接单", "已上报", "已取消" };
	static const char *const head_en[] = { "Group", "Key", "Name", "Orders", "Delivered", "Delivered (‰)",
		"Dispatched", "Mean minutes to dispatch", "Mean minutes to delivery", "Ratings", "Mean stars (×100)",
		"Satisfied (4–5 stars)", "Satisfaction (‰)", "Unanswered", "Escalated", "Cancelled" };
	/* the lists in the answer's order: member, its key field, its label */
	static const char *const lists[][4] = {
		{ "by_sub_item", "id", "按服务子项", "By sub-item" },
		{ "by_item", "id", "按服务项目", "By item" },
		{ "by_provider", "org_id", "按承办组织", "By provider" },
		{ "by_region", "region_code", "按区域", "By region" },
	};
	json_t *st;
	if (menu_stats(r, org_s, from_s, to_s, &st) != 0)
		return -1;
	const char *const *head = en ? head_en : head_zh;
	const size_t nh = sizeof(head_zh) / sizeof(head_zh[0]);
	buf_puts(out, "\xef\xbb\xbf");   /* UTF-8 BOM: Excel and WPS read the Chinese right */
	for (size_t i = 0; i < nh; i++)
		export_csv_cell(out, head[i], i + 1 == nh);
	csv_row(out, en ? "Totals" : "合计", NULL, json_object_get(st, "totals"));
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		json_t *a = json_object_get(st, lists[l][0]), *g;
		size_t i;
		json_array_foreach(a, i, g)
			csv_row(out, lists[l][en ? 3 : 2], json_object_get(g, lists[l][1]), g);
	}
	json_decref(st);
	return 0;
}
