/* Suggestions for an order (送菜): which volunteers to send. The
 * candidates are read in rings around the order's region (its community,
 * then its town, its district, then the rest of the holding
 * organisation's subtree), each ring until enough are in hand, plus those
 * in the subtree holding a required skill; each row carries what the
 * ranking needs (busy in the window, recent load, past ratings) from
 * indexed subqueries, so a request reads a few hundred people however
 * large the city. core/suggest scores and sorts them and says why. */
#include "app/menu/dispatch.h"
#include "app/menu/dispatch_int.h"
#include "core/suggest.h"
#include "util/arena.h"
#include <stdlib.h>
#include <string.h>

/* Enough candidates to stop widening the rings. */
#define SUGGEST_ENOUGH 60
/* Required skills and certificates looked at (more are rare; the rest
 * still count in the match through the volunteer's skill list). */
#define SUGGEST_NEEDS_MAX 16

/* What every candidate row carries: $1 window start, $2 window end, $3
 * the order, $4 the start of the recent period, $5 the subtree's path
 * pattern, $6 the row limit; the rings' region range or the skill is $7
 * ($8). Volunteers already offered this order or holding it are left out. */
#define CAND_COLS \
	"SELECT v.id, v.region_code, v.skills, o.id, o.name, v.name," \
	" CASE WHEN EXISTS (SELECT 1 FROM signups g WHERE g.volunteer_id = v.id AND g.live = 1" \
	"  AND g.busy_from < $2 AND g.busy_to > $1) THEN 1 ELSE 0 END," \
	" CASE WHEN EXISTS (SELECT 1 FROM order_assignments a JOIN orders d ON d.id = a.order_id" \
	"  WHERE a.volunteer_id = v.id AND a.status IN ('offered', 'accepted') AND d.id <> $3" \
	"  AND d.status IN ('accepted', 'dispatched', 'in_service')" \
	"  AND d.preferred_from < $2 AND d.preferred_to > $1) THEN 1 ELSE 0 END," \
	" (SELECT count(*) FROM service_records s WHERE s.volunteer_id = v.id AND s.starts_at >= $4" \
	"  AND s.amends_id IS NULL AND s.status IN ('submitted', 'approved'))" \
	" + (SELECT count(*) FROM order_assignments a WHERE a.volunteer_id = v.id" \
	"  AND a.status = 'accepted' AND a.record_id IS NULL AND a.assigned_at >= $4)," \
	" (SELECT count(*) FROM order_assignments a JOIN order_ratings t ON t.order_id = a.order_id" \
	"  WHERE a.volunteer_id = v.id AND a.status = 'accepted')," \
	" (SELECT COALESCE(sum(t.stars), 0) FROM order_assignments a JOIN order_ratings t ON t.order_id = a.order_id" \
	"  WHERE a.volunteer_id = v.id AND a.status = 'accepted')"
#define CAND_NOT_ON_ORDER \
	" AND NOT EXISTS (SELECT 1 FROM order_assignments x WHERE x.order_id = $3 AND x.volunteer_id = v.id" \
	"  AND x.status IN ('offered', 'accepted'))"

static const char ring_sql[] = CAND_COLS
	" FROM volunteers v JOIN orgs o ON o.id = v.home_org_id"
	" WHERE v.region_code >= $7 AND v.region_code < $8 AND v.status = 'active' AND o.path LIKE $5"
	CAND_NOT_ON_ORDER " LIMIT $6";
static const char scope_sql[] = CAND_COLS
	" FROM volunteers v JOIN orgs o ON o.id = v.home_org_id"
	" WHERE v.status = 'active' AND o.path LIKE $5" CAND_NOT_ON_ORDER " LIMIT $6";
static const char skill_sql[] = CAND_COLS
	" FROM volunteer_tags k JOIN volunteers v ON v.id = k.volunteer_id JOIN orgs o ON o.id = v.home_org_id"
	" WHERE k.kind = 'skill' AND k.tag = $7 AND v.status = 'active' AND o.path LIKE $5"
	CAND_NOT_ON_ORDER " LIMIT $6";

/* One candidate as read, with its ranking inputs. */
struct cand {
	struct suggest_candidate c;
	int64_t org_id;
	const char *org_name, *name, *skills;
	unsigned certs;   /* bit j: holds required certificate j */
};

struct pool {
	struct cand *v;
	size_t n, cap;
};

const char **dispatch_tags(struct app_req *r, const char *text, size_t *n)
{
	*n = 0;
	json_t *a = text ? json_loads(text, 0, NULL) : NULL;
	if (!json_is_array(a)) {
		json_decref(a);
		return NULL;
	}
	size_t len = json_array_size(a);
	const char **out = arena_alloc(r->arena, (len ? len : 1) * sizeof(*out));
	for (size_t i = 0; i < len; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		if (s)
			out[(*n)++] = arena_strdup(r->arena, s);
	}
	json_decref(a);
	return out;
}

/* Binds the common parameters and appends every row to p. */
static int pool_read(struct app_req *r, struct pool *p, const char *sql, const struct order_ref *o,
		     int64_t since, const char *scope, const char *a7, const char *a8)
{
	struct store_stmt *st = store_prepare(r->store, sql);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, o->preferred_from);
	store_bind_int(st, 2, o->preferred_to);
	store_bind_int(st, 3, o->id);
	store_bind_int(st, 4, since);
	store_bind_text(st, 5, scope);
	store_bind_int(st, 6, SUGGEST_RING_MAX);
	if (a7)
		store_bind_text(st, 7, a7);
	if (a8)
		store_bind_text(st, 8, a8);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (p->n == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 256;
			struct cand *v = arena_alloc(r->arena, cap * sizeof(*v));
			if (p->n)
				memcpy(v, p->v, p->n * sizeof(*v));
			p->v = v;
			p->cap = cap;
		}
		struct cand *c = &p->v[p->n++];
		memset(c, 0, sizeof(*c));
		c->c.volunteer_id = store_col_int(st, 0);
		c->c.region = arena_strdup(r->arena, store_col_text(st, 1));
		c->skills = arena_strdup(r->arena, store_col_text(st, 2));
		c->org_id = store_col_int(st, 3);
		c->org_name = arena_strdup(r->arena, store_col_text(st, 4));
		c->name = arena_strdup(r->arena, store_col_text(st, 5));
		c->c.busy_shift = store_col_int(st, 6) != 0;
		c->c.busy_order = store_col_int(st, 7) != 0;
		c->c.recent = store_col_int(st, 8);
		c->c.rating_count = store_col_int(st, 9);
		c->c.rating_sum = store_col_int(st, 10);
	}
	store_done(st);
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

static int by_id(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	return a->c.volunteer_id < b->c.volunteer_id ? -1 : a->c.volunteer_id > b->c.volunteer_id;
}

/* Sorts the pool by volunteer id and drops the people read twice. */
static void pool_unique(struct pool *p)
{
	if (p->n < 2)
		return;
	qsort(p->v, p->n, sizeof(*p->v), by_id);
	size_t k = 1;
	for (size_t i = 1; i < p->n; i++)
		if (p->v[i].c.volunteer_id != p->v[k - 1].c.volunteer_id)
			p->v[k++] = p->v[i];
	p->n = k;
}

/* The region codes from prefix up to the next prefix of its length, as
 * [lo, hi): "510115001" → ["510115001", "510115002"). False when the
 * prefix is all nines (the caller widens instead). */
static bool prefix_range(char *lo, char *hi, const char *code, size_t len)
{
	memcpy(lo, code, len);
	lo[len] = '\0';
	memcpy(hi, lo, len + 1);
	for (size_t i = len; i-- > 0;) {
		if (hi[i] >= '0' && hi[i] < '9') {
			hi[i]++;
			return true;
		}
		if (hi[i] != '9')
			return false;
		hi[i] = '0';
	}
	return false;
}

/* Marks the candidates holding required certificate j through a training
 * of that name (the pool is sorted by id). */
static int certs_by_training(struct app_req *r, struct pool *p, const char *cert, unsigned j)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT a.volunteer_id FROM trainings t JOIN training_attendance a ON a.training_id = t.id"
		" WHERE t.name = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, cert);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		struct cand key = { .c.volunteer_id = store_col_int(st, 0) };
		struct cand *c = bsearch(&key, p->v, p->n, sizeof(*p->v), by_id);
		if (c)
			c->certs |= 1u << j;
	}
	store_done(st);
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

static json_t *cand_json(const struct cand *c, const char *order_region)
{
	json_t *why = json_array();
	for (int k = 0; k < SR_COUNT; k++)
		if (c->c.reasons & (1u << k))
			json_array_append_new(why, json_string(suggest_reason_name((enum suggest_reason)k)));
	json_t *j = json_pack("{sI ss sI ss si so ss si sI sI sb sI}",
		"volunteer_id", (json_int_t)c->c.volunteer_id, "name", c->name,
		"org_id", (json_int_t)c->org_id, "org_name", c->org_name,
		"score", c->c.score, "reasons", why, "region_code", c->c.region,
		"distance", suggest_distance(order_region, c->c.region),
		"skills_held", (json_int_t)c->c.skills_held, "certificates_held", (json_int_t)c->c.certs_held,
		"available", !(c->c.busy_shift || c->c.busy_order), "recent_services", (json_int_t)c->c.recent);
	json_object_set_new(j, "rating", c->c.rating_count
		? json_real((double)(c->c.rating_sum * 10 / c->c.rating_count) / 10.0) : json_null());
	json_object_set_new(j, "ratings", json_integer(c->c.rating_count));
	return j;
}

/* The teams (home organisations) of the candidates, best first: how many
 * of their people are free in the window and their best score. */
#define TEAMS_MAX 10
static json_t *teams_json(const struct pool *p)
{
	json_t *teams = json_array();
	for (size_t i = 0; i < p->n; i++) {
		const struct cand *c = &p->v[i];
		json_t *t = NULL;
		size_t k;
		for (k = 0; k < json_array_size(teams); k++) {
			t = json_array_get(teams, k);
			if (json_integer_value(json_object_get(t, "org_id")) == c->org_id)
				break;
		}
		bool free_now = !(c->c.busy_shift || c->c.busy_order);
		if (k == json_array_size(teams)) {
			if (k == TEAMS_MAX)
				continue;
			json_array_append_new(teams, json_pack("{sI ss si si si}", "org_id", (json_int_t)c->org_id,
				"name", c->org_name, "best_score", c->c.score, "candidates", 0, "available", 0));
			t = json_array_get(teams, k);
		}
		json_object_set_new(t, "candidates", json_integer(json_integer_value(json_object_get(t, "candidates")) + 1));
		if (free_now)
			json_object_set_new(t, "available",
					    json_integer(json_integer_value(json_object_get(t, "available")) + 1));
	}
	return teams;
}

int dispatch_suggestions(struct app_req *r, int64_t order_id, const char *limit_s, json_t **out)
{
	int limit;
	if (app_limit(r, limit_s, &limit) != 0)
		return -1;
	if (!limit_s)
		limit = 20;
	if (limit > SUGGEST_LIMIT_MAX)
		return app_fail(r, APP_EBADREQ, "invalid_limit", "limit");
	struct order_ref o;
	if (dispatch_order_load(r, r->store, order_id, AUTHZ_ORDERS_DISPATCH, &o) != 0)
		return -1;
	if (o.status != ORDER_ACCEPTED && o.status != ORDER_DISPATCHED)
		return app_fail(r, APP_ECONFLICT, "order_not_dispatchable", NULL);

	size_t nskills, ncerts;
	const char **skills = dispatch_tags(r, o.skills, &nskills);
	const char **certs = dispatch_tags(r, o.certs, &ncerts);
	if (nskills > SUGGEST_NEEDS_MAX)
		nskills = SUGGEST_NEEDS_MAX;
	if (ncerts > SUGGEST_NEEDS_MAX)
		ncerts = SUGGEST_NEEDS_MAX;
	const char *scope = arena_printf(r->arena, "%s%%", o.org_path);
	int64_t since = app_now() - (int64_t)SUGGEST_RECENT_DAYS * 86400;

	struct pool p = { 0 };
	/* the rings: community, town, district, then the whole subtree */
	static const size_t rings[] = { 12, 9, 6 };
	size_t rlen = strlen(o.region);
	bool whole = true;
	for (size_t i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		char lo[16], hi[16];
		if (rings[i] > rlen || rlen >= sizeof(lo))
			continue;
		if (!prefix_range(lo, hi, o.region, rings[i]))
			break;
		if (pool_read(r, &p, ring_sql, &o, since, scope, lo, hi) != 0)
			return -1;
		pool_unique(&p);
		if (p.n >= SUGGEST_ENOUGH) {
			whole = false;
			break;
		}
	}
	if (whole && pool_read(r, &p, scope_sql, &o, since, scope, NULL, NULL) != 0)
		return -1;
	for (size_t i = 0; i < nskills; i++)
		if (pool_read(r, &p, skill_sql, &o, since, scope, skills[i], NULL) != 0)
			return -1;
	pool_unique(&p);

	for (size_t j = 0; j < ncerts; j++)
		if (certs_by_training(r, &p, certs[j], (unsigned)j) != 0)
			return -1;
	for (size_t i = 0; i < p.n; i++) {
		struct cand *c = &p.v[i];
		size_t nheld;
		const char **held = dispatch_tags(r, c->skills, &nheld);
		c->c.skills_held = suggest_count_held(skills, nskills, held, nheld);
		for (size_t j = 0; j < ncerts; j++)
			if (suggest_count_held(&certs[j], 1, held, nheld))
				c->certs |= 1u << j;
		c->c.certs_held = (size_t)__builtin_popcount(c->certs);
	}

	struct suggest_need need = { .skills = nskills, .certs = ncerts, .region = o.region };
	/* rank copies of the ranking inputs; each finds its row again by id
	 * (the pool stays sorted by id) */
	struct suggest_candidate *sc = arena_alloc(r->arena, (p.n ? p.n : 1) * sizeof(*sc));
	for (size_t i = 0; i < p.n; i++)
		sc[i] = p.v[i].c;
	suggest_rank(&need, sc, p.n);
	struct pool ranked = { .v = arena_alloc(r->arena, (p.n ? p.n : 1) * sizeof(struct cand)), .n = p.n };
	json_t *items = json_array();
	for (size_t i = 0; i < p.n; i++) {
		struct cand key = { .c.volunteer_id = sc[i].volunteer_id };
		struct cand *c = bsearch(&key, p.v, p.n, sizeof(*p.v), by_id);
		ranked.v[i] = *c;
		ranked.v[i].c = sc[i];
		if (i < (size_t)limit)
			json_array_append_new(items, cand_json(&ranked.v[i], o.region));
	}
	*out = json_pack("{so so sI sb}", "items", items, "teams", teams_json(&ranked),
			 "candidates", (json_int_t)p.n, "needs_social_worker", o.needs_social_worker);
	return 0;
}
