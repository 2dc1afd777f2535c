/* Suggestions for an order (送菜): which volunteers to send. The
 * candidates are read in rings around the order's region (its community,
 * then its town, its district, then the rest of the holding
 * organisation's subtree), each ring until enough are in hand, plus those
 * in the subtree holding a required skill: a few hundred people however
 * large the city, read lean (who, where, which skills). What costs more
 * to know (busy in the window, recent load, past ratings) is then read in
 * batches, best possible score first, only until nobody left unread
 * could still reach the list: load and ratings add at most
 * SUGGEST_W_LOAD + SUGGEST_W_RATING, so a candidate whose best case is
 * below the last listed score cannot enter it. The answer is exactly what
 * scoring every candidate would give. core/suggest scores and says why. */
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

/* The lean candidate rows: $1 the order, $2 the subtree's path pattern,
 * $3 the row limit; the rings' region range or the skill is $4 ($5).
 * Volunteers already offered this order or holding it are left out. */
#define CAND_COLS "SELECT v.id, v.region_code, v.skills, o.id, o.name, v.name"
#define CAND_NOT_ON_ORDER \
	" AND NOT EXISTS (SELECT 1 FROM order_assignments x WHERE x.order_id = $1 AND x.volunteer_id = v.id" \
	"  AND x.status IN ('offered', 'accepted'))"

static const char ring_sql[] = CAND_COLS
	" FROM volunteers v JOIN orgs o ON o.id = v.home_org_id"
	" WHERE v.region_code >= $4 AND v.region_code < $5 AND v.status = 'active' AND o.path LIKE $2"
	CAND_NOT_ON_ORDER " LIMIT $3";
/* A ring of one organisation's people ($2 its id): a station's or team's
 * ring is an index range of volunteers (home_org_id, region_code). */
static const char ring_org_sql[] = CAND_COLS
	" FROM volunteers v JOIN orgs o ON o.id = v.home_org_id"
	" WHERE v.home_org_id = $2 AND v.region_code >= $4 AND v.region_code < $5 AND v.status = 'active'"
	CAND_NOT_ON_ORDER " LIMIT $3";
static const char scope_sql[] = CAND_COLS
	" FROM volunteers v JOIN orgs o ON o.id = v.home_org_id"
	" WHERE v.status = 'active' AND o.path LIKE $2" CAND_NOT_ON_ORDER " LIMIT $3";
/* The same from one organisation's people ($2 its id): for a station or
 * team, whose few hundred people are quicker to look through than every
 * holder of the skill in the city (CROSS JOIN keeps SQLite to that
 * order; PostgreSQL takes it from the equality on home_org_id). */
static const char skill_org_sql[] = CAND_COLS
	" FROM volunteers v CROSS JOIN volunteer_tags k JOIN orgs o ON o.id = v.home_org_id"
	" WHERE v.home_org_id = $2 AND k.kind = 'skill' AND k.tag = $4 AND k.volunteer_id = v.id"
	" AND v.status = 'active'" CAND_NOT_ON_ORDER " LIMIT $3";
/* Organisations of a small subtree read one by one (more: the skill's
 * holders are read instead). */
#define SUBTREE_ORGS_MAX 16
static const char skill_sql[] = CAND_COLS
	" FROM volunteer_tags k JOIN volunteers v ON v.id = k.volunteer_id JOIN orgs o ON o.id = v.home_org_id"
	" WHERE k.kind = 'skill' AND k.tag = $4 AND v.status = 'active' AND o.path LIKE $2"
	CAND_NOT_ON_ORDER " LIMIT $3";

/* What the ranking needs beyond the lean row, for a batch of
 * EVAL_BATCH volunteers ($5…; 0 pads): $1 window start, $2 window end, $3
 * the order, $4 the start of the recent period. */
/* the store binds at most 32 parameters: 4 and 28 volunteers */
#define EVAL_BATCH 28
static const char eval_sql[] =
	"SELECT v.id,"
	" CASE WHEN EXISTS (SELECT 1 FROM signups g WHERE g.volunteer_id = v.id AND g.live = 1"
	"  AND g.busy_from < $2 AND g.busy_to > $1) THEN 1 ELSE 0 END,"
	" CASE WHEN EXISTS (SELECT 1 FROM order_assignments a JOIN orders d ON d.id = a.order_id"
	"  WHERE a.volunteer_id = v.id AND a.status IN ('offered', 'accepted') AND d.id <> $3"
	"  AND d.status IN ('accepted', 'dispatched', 'in_service')"
	"  AND d.preferred_from < $2 AND d.preferred_to > $1) THEN 1 ELSE 0 END,"
	" (SELECT count(*) FROM service_records s WHERE s.volunteer_id = v.id AND s.starts_at >= $4"
	"  AND s.amends_id IS NULL AND s.status IN ('submitted', 'approved'))"
	" + (SELECT count(*) FROM order_assignments a WHERE a.volunteer_id = v.id"
	"  AND a.status = 'accepted' AND a.record_id IS NULL AND a.assigned_at >= $4),"
	" (SELECT count(*) FROM order_assignments a JOIN order_ratings t ON t.order_id = a.order_id"
	"  WHERE a.volunteer_id = v.id AND a.status = 'accepted'),"
	" (SELECT COALESCE(sum(t.stars), 0) FROM order_assignments a JOIN order_ratings t ON t.order_id = a.order_id"
	"  WHERE a.volunteer_id = v.id AND a.status = 'accepted')"
	" FROM volunteers v WHERE v.id IN ($5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)";

/* One candidate as read, with its ranking inputs. */
struct cand {
	struct suggest_candidate c;
	int64_t org_id;
	const char *org_name, *name, *skills;
	unsigned certs;   /* bit j: holds required certificate j */
	int best;         /* the score at best, before load, ratings and being busy are known */
	bool scored;      /* those are known and c.score is final */
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

/* Binds the common parameters ($2: the subtree's pattern, or the
 * organisation org when org > 0) and appends every row to p. */
static int pool_read_org(struct app_req *r, struct pool *p, const char *sql, const struct order_ref *o,
			 const char *scope, int64_t org, int64_t max, const char *a4, const char *a5)
{
	/* the skill holders are planned for their organisation and skill at
	 * every run: PostgreSQL's generic plan for them (after five runs) is
	 * a merge join over every volunteer, 16-34 ms for a station of 2,500
	 * or 5,000 people against 1.5-3 ms planned for the values; the rings'
	 * generic plans are as quick as their custom ones (docs/decisions.md) */
	bool per_value = sql == skill_org_sql || sql == skill_sql;
	struct store_stmt *st = per_value ? store_prepare_per_value(r->store, sql) : store_prepare(r->store, sql);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, o->id);
	if (org > 0)
		store_bind_int(st, 2, org);
	else
		store_bind_text(st, 2, scope);
	store_bind_int(st, 3, max);
	if (a4)
		store_bind_text(st, 4, a4);
	if (a5)
		store_bind_text(st, 5, a5);
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
	}
	store_done(st);
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

static int pool_read(struct app_req *r, struct pool *p, const char *sql, const struct order_ref *o,
		     const char *scope, int64_t max, const char *a4, const char *a5)
{
	return pool_read_org(r, p, sql, o, scope, 0, max, a4, a5);
}

/* Reads what the ranking still needs for the candidates order[from..to)
 * (pointers into the pool, at most EVAL_BATCH) and scores them. */
static int pool_eval(struct app_req *r, const struct suggest_need *need, const struct order_ref *o, int64_t since,
		     struct cand **order, size_t from, size_t to)
{
	struct store_stmt *st = store_prepare(r->store, eval_sql);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, o->preferred_from);
	store_bind_int(st, 2, o->preferred_to);
	store_bind_int(st, 3, o->id);
	store_bind_int(st, 4, since);
	for (size_t k = 0; k < EVAL_BATCH; k++)
		store_bind_int(st, 5 + (int)k, from + k < to ? order[from + k]->c.volunteer_id : 0);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t id = store_col_int(st, 0);
		for (size_t k = from; k < to; k++) {
			struct cand *c = order[k];
			if (c->c.volunteer_id != id)
				continue;
			c->c.busy_shift = store_col_int(st, 1) != 0;
			c->c.busy_order = store_col_int(st, 2) != 0;
			c->c.recent = store_col_int(st, 3);
			c->c.rating_count = store_col_int(st, 4);
			c->c.rating_sum = store_col_int(st, 5);
			break;
		}
	}
	store_done(st);
	if (rc != STORE_DONE)
		return app_store_fail(r, rc);
	for (size_t k = from; k < to; k++) {
		suggest_score(need, &order[k]->c);
		order[k]->scored = true;
	}
	return 0;
}

static int by_best(const void *pa, const void *pb)
{
	const struct cand *a = *(const struct cand *const *)pa, *b = *(const struct cand *const *)pb;
	if (a->best != b->best)
		return a->best > b->best ? -1 : 1;
	return a->c.volunteer_id < b->c.volunteer_id ? -1 : a->c.volunteer_id > b->c.volunteer_id;
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

	/* a small subtree (a station, a team) is read organisation by
	 * organisation; a larger one by its path */
	int64_t sub[SUBTREE_ORGS_MAX + 1];
	size_t nsub = 0;
	{
		struct store_stmt *st = store_prepare(r->store, "SELECT id FROM orgs WHERE path LIKE $1 LIMIT $2");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_text(st, 1, scope);
		store_bind_int(st, 2, SUBTREE_ORGS_MAX + 1);
		int rc;
		while ((rc = store_step(st)) == STORE_ROW && nsub <= SUBTREE_ORGS_MAX)
			sub[nsub++] = store_col_int(st, 0);
		store_done(st);
		if (rc != STORE_ROW && rc != STORE_DONE)
			return app_store_fail(r, rc);
	}
	bool small = nsub <= SUBTREE_ORGS_MAX;

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
		if (!small && pool_read(r, &p, ring_sql, &o, scope, SUGGEST_RING_MAX, lo, hi) != 0)
			return -1;
		size_t had = p.n;
		for (size_t k = 0; small && k < nsub && p.n - had < SUGGEST_RING_MAX; k++)
			if (pool_read_org(r, &p, ring_org_sql, &o, NULL, sub[k], SUGGEST_RING_MAX - (int64_t)(p.n - had),
					  lo, hi) != 0)
				return -1;
		pool_unique(&p);
		if (p.n >= SUGGEST_ENOUGH) {
			whole = false;
			break;
		}
	}
	if (whole && pool_read(r, &p, scope_sql, &o, scope, SUGGEST_RING_MAX, NULL, NULL) != 0)
		return -1;
	for (size_t i = 0; i < nskills; i++) {
		if (!small) {
			if (pool_read(r, &p, skill_sql, &o, scope, SUGGEST_SKILL_MAX, skills[i], NULL) != 0)
				return -1;
			continue;
		}
		size_t had = p.n;
		for (size_t k = 0; k < nsub && p.n - had < SUGGEST_SKILL_MAX; k++)
			if (pool_read_org(r, &p, skill_org_sql, &o, NULL, sub[k], SUGGEST_SKILL_MAX - (int64_t)(p.n - had),
					  skills[i], NULL) != 0)
				return -1;
	}
	pool_unique(&p);

	for (size_t j = 0; j < ncerts; j++)
		if (certs_by_training(r, &p, certs[j], (unsigned)j) != 0)
			return -1;
	/* a skill is held when the stored JSON list holds it as a whole
	 * element: the JSON text of the name, quotes included, appears in the
	 * list's text (an element's own quotes are escaped, so it cannot
	 * match across elements); parsing every candidate's list cost more
	 * than the rest of the ranking in C */
	const char **qskills = arena_alloc(r->arena, (nskills + ncerts + 1) * sizeof(*qskills));
	const char **qcerts = qskills + nskills;
	for (size_t j = 0; j < nskills + ncerts; j++) {
		json_t *str = json_string(j < nskills ? skills[j] : certs[j - nskills]);
		char *q = json_dumps(str, JSON_ENCODE_ANY);
		qskills[j] = arena_strdup(r->arena, q ? q : "\"\"");
		free(q);
		json_decref(str);
	}
	for (size_t i = 0; i < p.n; i++) {
		struct cand *c = &p.v[i];
		size_t held = 0;
		for (size_t j = 0; j < nskills; j++) {
			bool dup = false;
			for (size_t k = 0; k < j && !dup; k++)
				dup = strcmp(skills[k], skills[j]) == 0;
			if (!dup && strstr(c->skills, qskills[j]))
				held++;
		}
		c->c.skills_held = held;
		for (size_t j = 0; j < ncerts; j++)
			if (strstr(c->skills, qcerts[j]))
				c->certs |= 1u << j;
		c->c.certs_held = (size_t)__builtin_popcount(c->certs);
	}

	struct suggest_need need = { .skills = nskills, .certs = ncerts, .region = o.region };
	/* each candidate's best case: free, idle, rated five stars */
	struct cand **order = arena_alloc(r->arena, (p.n ? p.n : 1) * sizeof(*order));
	for (size_t i = 0; i < p.n; i++) {
		struct suggest_candidate best = p.v[i].c;
		best.rating_count = 1;
		best.rating_sum = 5;
		suggest_score(&need, &best);
		p.v[i].best = best.score;
		order[i] = &p.v[i];
	}
	qsort(order, p.n, sizeof(*order), by_best);
	/* score batch by batch until nobody unscored could reach the list:
	 * the limit-th final score so far beats every best case left */
	size_t done = 0;
	struct suggest_candidate *sc = arena_alloc(r->arena, (p.n ? p.n : 1) * sizeof(*sc));
	size_t nsc = 0;
	while (done < p.n) {
		size_t to = done + EVAL_BATCH < p.n ? done + EVAL_BATCH : p.n;
		if (pool_eval(r, &need, &o, since, order, done, to) != 0)
			return -1;
		for (size_t k = done; k < to; k++)
			sc[nsc++] = order[k]->c;
		done = to;
		if (done == p.n || nsc < (size_t)limit)
			continue;
		suggest_rank(&need, sc, nsc);
		if (order[done]->best < sc[limit - 1].score)
			break;
	}
	suggest_rank(&need, sc, nsc);
	struct pool ranked = { .v = arena_alloc(r->arena, (nsc ? nsc : 1) * sizeof(struct cand)), .n = nsc };
	json_t *items = json_array();
	for (size_t i = 0; i < nsc; i++) {
		struct cand key = { .c.volunteer_id = sc[i].volunteer_id };
		struct cand *c = bsearch(&key, p.v, p.n, sizeof(*p.v), by_id);
		ranked.v[i] = *c;
		if (i < (size_t)limit)
			json_array_append_new(items, cand_json(&ranked.v[i], o.region));
	}
	*out = json_pack("{so so sI sI sb}", "items", items, "teams", teams_json(&ranked),
			 "candidates", (json_int_t)p.n, "scored", (json_int_t)nsc,
			 "needs_social_worker", o.needs_social_worker);
	return 0;
}
