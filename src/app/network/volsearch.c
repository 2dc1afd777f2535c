/* GET /volunteers: the search over volunteer files by name pieces, tags,
 * phone, number, ID, status and age, with key cursors and a capped total. */
#include "app/network/volunteers.h"
#include "app/network/volunteers_int.h"
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "core/idcard.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/buf.h"
#include <string.h>

static json_t *vol_list_json(struct app_req *r, struct store_stmt *st)
{
	return vol_json(r, st, false);
}

/* Builds the list query from the filters; see volunteers_list. */
struct sqlq {
	struct buf sql;
	const char *text[16];
	int64_t num[16];
	bool is_num[16];
	int n;
};

static int sqlq_text(struct sqlq *q, const char *v)
{
	q->text[q->n] = v;
	q->is_num[q->n] = false;
	return ++q->n;
}

static int sqlq_num(struct sqlq *q, int64_t v)
{
	q->num[q->n] = v;
	q->is_num[q->n] = true;
	return ++q->n;
}

static void sqlq_add(struct sqlq *q, const char *fmt, int idx)
{
	char part[256];
	snprintf(part, sizeof(part), fmt, idx, idx);
	buf_puts(&q->sql, part);
}

/* A key cursor for sorts other than by id: "k" + hex(key) + "." + base36 id. */
static const char *key_cursor(struct app_req *r, const char *key, int64_t id)
{
	struct buf b;
	char idc[24];
	buf_init(&b, 1024);
	buf_puts(&b, "k");
	for (const unsigned char *p = (const unsigned char *)key; *p && b.len < 400; p++) {
		char h[3];
		snprintf(h, sizeof(h), "%02x", *p);
		buf_append(&b, h, 2);
	}
	cursor_encode(id, idc, sizeof(idc));
	buf_puts(&b, ".");
	buf_puts(&b, idc + 1);
	const char *s = arena_strdup(r->arena, b.data);
	buf_release(&b);
	return s;
}

static int parse_key_cursor(struct app_req *r, const char *c, const char **key, int64_t *id)
{
	const char *dot = strchr(c, '.');
	if (c[0] != 'k' || !dot || (dot - c - 1) % 2 != 0 || dot - c - 1 > 400)
		return app_fail(r, APP_EBADREQ, "invalid_cursor", "cursor");
	size_t n = (size_t)(dot - c - 1) / 2;
	char *k = arena_alloc(r->arena, n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(c + 1 + 2 * i, "%2x", &v) != 1)
			return app_fail(r, APP_EBADREQ, "invalid_cursor", "cursor");
		k[i] = (char)v;
	}
	if (cursor_decode(arena_printf(r->arena, "c%s", dot + 1), id) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_cursor", "cursor");
	*key = k;
	return 0;
}

static int age_bound(struct app_req *r, const char *s, const char *field, int64_t *out)
{
	if (!s)
		return 0;
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (parse_id(s, out) != 0 || *out > 150)
		return app_fail(r, APP_EBADREQ, "invalid_value", field);
	return 0;
}

/* A list request read and checked (see volunteers_list): the sort, the
 * page, the ages, the scope and whether "served" widens it. */
struct list_plan {
	int limit;
	int64_t after, age_min, age_max;
	const char *after_key, *scope;
	bool by_name, by_number, desc, served;
};

/* Reads the sort, page and filters that need no SQL yet, in the order
 * their errors are reported. Returns 0 or -1. */
static int list_plan_read(struct app_req *r, const struct volunteers_query *f, struct list_plan *p)
{
	*p = (struct list_plan){ .age_min = -1, .age_max = -1 };
	if (authz_check(r, AUTHZ_VOLUNTEERS_READ, NULL) != 0)
		return -1;
	const char *sort = f->sort ? f->sort : "-created_at";
	p->by_name = strcmp(sort, "name") == 0;
	p->by_number = strcmp(sort, "volunteer_number") == 0;
	p->desc = strcmp(sort, "-created_at") == 0;
	if (!p->by_name && !p->by_number && !p->desc && strcmp(sort, "created_at") != 0)
		return app_fail(r, APP_EBADREQ, "invalid_value", "sort");
	if (app_limit(r, f->limit, &p->limit) != 0)
		return -1;
	if (f->cursor) {
		if (p->by_name || p->by_number) {
			if (parse_key_cursor(r, f->cursor, &p->after_key, &p->after) != 0)
				return -1;
		} else if (app_cursor(r, f->cursor, &p->after) != 0) {
			return -1;
		}
	}
	if (age_bound(r, f->age_min, "age_min", &p->age_min) != 0 ||
	    age_bound(r, f->age_max, "age_max", &p->age_max) != 0)
		return -1;
	if (f->status && strcmp(f->status, "active") != 0 && strcmp(f->status, "inactive") != 0 &&
	    strcmp(f->status, "deleted") != 0)
		return app_fail(r, APP_EBADREQ, "invalid_status", "status");
	if (app_scope(r, f->org_id, AUTHZ_VOLUNTEERS_READ, &p->scope) != 0)
		return -1;
	if (f->include) {
		if (strcmp(f->include, "served") != 0)
			return app_fail(r, APP_EBADREQ, "invalid_value", "include");
		/* for the staff who record and approve service, not the counter */
		if (authz_check(r, AUTHZ_SHIFTS_STAFF, NULL) != 0)
			return -1;
		if (!f->q)
			return app_fail(r, APP_EINVALID, "required", "q");
		/* only a name or a volunteer number finds someone outside the
		 * scope: a phone, an ID number or tags would confirm what the
		 * caller may not read */
		size_t qn = strlen(f->q);
		p->served = !(qn == 11 && strspn(f->q, "0123456789") == qn) && !f->id_number && !f->skill &&
			    !f->category && p->age_min < 0 && p->age_max < 0;
	}
	return 0;
}

/* The part of the list query for the text searched (q): a phone or a
 * volunteer number is compared whole (*exact_col); else the first one or
 * two characters find candidates in the name pieces and *name_part, a
 * LIKE pattern, checks the whole name. Returns 0 or -1. */
static int list_sql_text(struct app_req *r, const char *text, struct sqlq *q, const char **name_part,
			 const char **exact_col, const char **order_col)
{
	size_t n = strlen(text);
	bool digits = n > 0 && strspn(text, "0123456789") == n;
	if (n == 0 || n > 64 || !valid_text(text, n, 32))
		return app_fail(r, APP_EBADREQ, "invalid_value", "q");
	if (digits && n == 11) {
		*exact_col = "v.phone";
	} else if (digits && n == VOLNO_LEN) {
		*exact_col = "v.volunteer_number";
	} else {
		/* the first one or two characters find candidates in the
		 * pieces table; LIKE then checks the whole text */
		const char *t = text;
		unsigned char c0 = (unsigned char)t[0];
		size_t l0 = c0 < 0x80 ? 1 : c0 < 0xe0 ? 2 : c0 < 0xf0 ? 3 : 4;
		size_t gl = l0;
		if (l0 < n) {
			unsigned char c1 = (unsigned char)t[l0];
			gl += c1 < 0x80 ? 1 : c1 < 0xe0 ? 2 : c1 < 0xf0 ? 3 : 4;
		}
		char *gram = arena_strndup(r->arena, t, gl > n ? n : gl);
		for (char *g = gram; *g; g++)
			if (*g >= 'A' && *g <= 'Z')
				*g = (char)(*g + 32);
		sqlq_add(q, " JOIN volunteer_grams g ON g.volunteer_id = v.id AND g.gram = $%d",
			 sqlq_text(q, gram));
		*order_col = "g.volunteer_id";
		if (app_like_pattern(r, text, "q", name_part) != 0)
			return -1;
	}
	return 0;
}

/* Builds the SELECT of the plan into q, with the filters up to
 * *where_end (q->n parameters then in *where_n) and the order and limit
 * after them. q->sql is initialised here; the caller releases it either
 * way. Returns 0 or -1. */
static int list_sql(struct app_req *r, const struct volunteers_query *f, const struct list_plan *p,
		    struct sqlq *q, size_t *where_end, int *where_n)
{
	const char *scope = p->scope;
	bool served = p->served;
	int64_t age_min = p->age_min, age_max = p->age_max, after = p->after;
	const char *after_key = p->after_key;
	bool by_name = p->by_name, by_number = p->by_number, desc = p->desc;
	int limit = p->limit;
	buf_init(&q->sql, 8192);
	int scope_idx = 0;
	if (served) {
		scope_idx = sqlq_text(q, arena_printf(r->arena, "%s%%", scope));
		buf_puts(&q->sql, arena_printf(r->arena, "SELECT " VOL_COLUMNS
			", CASE WHEN o.path LIKE $%d THEN 0 ELSE 1 END" VOL_FROM, scope_idx));
	} else {
		buf_puts(&q->sql, "SELECT " VOL_COLUMNS VOL_FROM);
	}
	const char *name_part = NULL, *exact_col = NULL;
	/* when a helper table drives the search, order by its copy of the id:
	 * its key is (…, volunteer_id), so the newest matches come first
	 * without sorting all of them */
	const char *order_col = "v.id";
	if (f->q && list_sql_text(r, f->q, q, &name_part, &exact_col, &order_col) != 0)
		return -1;
	if (f->skill) {
		sqlq_add(q, " JOIN volunteer_tags ts ON ts.volunteer_id = v.id AND ts.kind = 'skill'"
			 " AND ts.tag = $%d", sqlq_text(q, f->skill));
		if (!strcmp(order_col, "v.id"))
			order_col = "ts.volunteer_id";
	}
	if (f->category) {
		sqlq_add(q, " JOIN volunteer_tags tc ON tc.volunteer_id = v.id AND tc.kind = 'category'"
			 " AND tc.tag = $%d", sqlq_text(q, f->category));
		if (!strcmp(order_col, "v.id"))
			order_col = "tc.volunteer_id";
	}
	if (served)
		buf_puts(&q->sql, arena_printf(r->arena,
			" WHERE (o.path LIKE $%d"
			" OR EXISTS (SELECT 1 FROM service_records sr JOIN orgs so ON so.id = sr.org_id"
			"  WHERE sr.volunteer_id = v.id AND sr.status <> 'rejected' AND so.path LIKE $%d)"
			" OR EXISTS (SELECT 1 FROM signups su JOIN shifts sh ON sh.id = su.shift_id"
			"  JOIN projects pj ON pj.id = sh.project_id JOIN orgs po ON po.id = pj.org_id"
			"  WHERE su.volunteer_id = v.id AND su.status <> 'cancelled' AND po.path LIKE $%d))",
			scope_idx, scope_idx, scope_idx));
	else
		sqlq_add(q, " WHERE o.path LIKE $%d", sqlq_text(q, arena_printf(r->arena, "%s%%", scope)));
	if (name_part)
		sqlq_add(q, " AND lower(v.name) LIKE $%d ESCAPE '\\'", sqlq_text(q, name_part));
	if (exact_col) {
		char part[64];
		snprintf(part, sizeof(part), " AND %s = $%d", exact_col, sqlq_text(q, f->q));
		buf_puts(&q->sql, part);
	}
	if (f->id_number) {
		char norm[48], *digest = arena_alloc(r->arena, SECRET_HASH_HEX);
		if (strlen(f->id_number) > 40 || id_normalize(f->id_number, norm, sizeof(norm)) != 0)
			return app_fail(r, APP_EBADREQ, "invalid_value", "id_number");
		secret_keyed_digest(norm, digest);
		sqlq_add(q, " AND v.id_hash = $%d", sqlq_text(q, digest));
	}
	if (f->status)
		sqlq_add(q, " AND v.status = $%d", sqlq_text(q, f->status));
	else
		buf_puts(&q->sql, " AND v.status <> 'deleted'");
	int today = app_today_ymd();
	if (age_min >= 0) {
		/* at least age_min: born on or before today minus age_min years */
		int d = today - (int)age_min * 10000;
		sqlq_add(q, " AND v.birth_date <= $%d", sqlq_text(q,
			arena_printf(r->arena, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100)));
	}
	if (age_max >= 0) {
		/* at most age_max: born after today minus (age_max + 1) years */
		int d = today - (int)(age_max + 1) * 10000;
		sqlq_add(q, " AND v.birth_date > $%d", sqlq_text(q,
			arena_printf(r->arena, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100)));
	}
	/* the filters end here: the count (list_total) reuses them */
	*where_end = q->sql.len;
	*where_n = q->n;
	if (by_name || by_number) {
		const char *col = by_name ? "v.name" : "v.volunteer_number";
		if (after_key) {
			int k = sqlq_text(q, after_key), i = sqlq_num(q, after);
			char part[200];
			snprintf(part, sizeof(part), " AND (%s > $%d OR (%s = $%d AND v.id > $%d))", col, k, col, k, i);
			buf_puts(&q->sql, part);
		}
		char part[96];
		snprintf(part, sizeof(part), " ORDER BY %s, v.id", col);
		buf_puts(&q->sql, part);
	} else {
		char part[96];
		if (after) {
			snprintf(part, sizeof(part), " AND %s %s $%d", order_col, desc ? "<" : ">",
				 sqlq_num(q, after));
			buf_puts(&q->sql, part);
		}
		snprintf(part, sizeof(part), " ORDER BY %s%s", order_col, desc ? " DESC" : "");
		buf_puts(&q->sql, part);
	}
	sqlq_add(q, " LIMIT $%d", sqlq_num(q, limit + 1));
	return 0;
}

/* Binds the first n parameters of q to st. */
static void sqlq_bind(const struct sqlq *q, struct store_stmt *st, int n)
{
	for (int i = 0; i < n; i++) {
		if (q->is_num[i])
			store_bind_int(st, i + 1, q->num[i]);
		else
			store_bind_text(st, i + 1, q->text[i]);
	}
}

/* How many match the filters of q (its text up to where_end, its first
 * where_n parameters), counting no further than the cap: past it the
 * exact figure costs a scan of everyone in scope. Returns 0 or -1. */
static int list_total(struct app_req *r, const struct sqlq *q, size_t where_end, int where_n, int64_t *total)
{
	struct buf cq;
	buf_init(&cq, 8192);
	buf_puts(&cq, "SELECT count(*) FROM (SELECT 1");
	size_t from = strlen("SELECT " VOL_COLUMNS);
	buf_append(&cq, q->sql.data + from, where_end - from);
	char part[48];
	snprintf(part, sizeof(part), " LIMIT $%d) t", where_n + 1);
	buf_puts(&cq, part);
	struct store_stmt *ct = store_prepare_once(r->store, cq.data);
	buf_release(&cq);
	if (!ct)
		return app_store_fail(r, STORE_ERROR);
	sqlq_bind(q, ct, where_n);
	store_bind_int(ct, where_n + 1, VOLUNTEERS_TOTAL_CAP + 1);
	int crc = store_step(ct);
	if (crc == STORE_ROW)
		*total = store_col_int(ct, 0);
	store_done(ct);
	if (crc != STORE_ROW)
		return app_store_fail(r, crc);
	return 0;
}

int volunteers_list(struct app_req *r, const struct volunteers_query *f, json_t **out)
{
	struct list_plan p;
	if (list_plan_read(r, f, &p) != 0)
		return -1;
	int limit = p.limit;
	bool served = p.served, by_name = p.by_name, by_number = p.by_number;
	struct sqlq q = { .n = 0 };
	size_t where_end = 0;
	int where_n = 0;
	if (list_sql(r, f, &p, &q, &where_end, &where_n) != 0)
		return buf_release(&q.sql), -1;
	/* the first page says how many match */
	int64_t total = -1;
	if (!f->cursor && list_total(r, &q, where_end, where_n, &total) != 0)
		return buf_release(&q.sql), -1;
	struct store_stmt *st = store_prepare_once(r->store, q.sql.data);
	buf_release(&q.sql);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	sqlq_bind(&q, st, q.n);
	json_t *items = json_array();
	int rc, n = 0;
	const char *next = NULL;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n++ == limit) {
			break;
		}
		if (served && store_col_int(st, 30) == 1) {
			/* served here, filed elsewhere: enough to find them */
			json_array_append_new(items, json_pack("{sI ss ss ss sb}",
				"id", (json_int_t)store_col_int(st, 0),
				"volunteer_number", store_col_text(st, 1),
				"name", store_col_text(st, 2),
				"status", store_col_text(st, 21), "limited", 1));
			continue;
		}
		json_t *row = vol_list_json(r, st);
		if (served)
			json_object_set_new(row, "limited", json_false());
		json_array_append_new(items, row);
	}
	if (rc == STORE_ROW && json_array_size(items)) {
		json_t *lastv = json_array_get(items, json_array_size(items) - 1);
		int64_t lid = json_integer_value(json_object_get(lastv, "id"));
		if (by_name || by_number)
			next = key_cursor(r, json_string_value(json_object_get(lastv,
						by_name ? "name" : "volunteer_number")), lid);
		else {
			char c[24];
			cursor_encode(lid, c, sizeof(c));
			next = arena_strdup(r->arena, c);
		}
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE) {
		json_decref(items);
		return app_store_fail(r, rc);
	}
	*out = json_pack("{so ss?}", "items", items, "next_cursor", next);
	if (total >= 0) {
		bool capped = total > VOLUNTEERS_TOTAL_CAP;
		json_object_set_new(*out, "total", json_integer(capped ? VOLUNTEERS_TOTAL_CAP : total));
		json_object_set_new(*out, "total_capped", json_boolean(capped));
	}
	return 0;
}
