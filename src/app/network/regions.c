/* The region table and its household population, maintained by admins of
 * the root organisation and imported from the public code lists. */
#include "app/network/regions.h"
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/table.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGION_COLUMNS "code, name, parent_code, level, valid_from, valid_to"

static json_t *population_json(struct app_req *r, const char *code)
{
	json_t *a = json_array();
	struct store_stmt *st = store_prepare(r->store,
		"SELECT year, household_population FROM region_population WHERE code = $1 ORDER BY year");
	if (!st)
		return a;
	store_bind_text(st, 1, code);
	while (store_step(st) == STORE_ROW)
		json_array_append_new(a, json_pack("{sI sI}", "year", (json_int_t)store_col_int(st, 0),
			"household_population", (json_int_t)store_col_int(st, 1)));
	store_done(st);
	return a;
}

static json_t *region_json(struct app_req *r, struct store_stmt *st)
{
	return json_pack("{ss ss ss? si ss? ss?}",
		"code", store_col_text(st, 0),
		"name", store_col_text(st, 1),
		"parent_code", store_col_text(st, 2),
		"level", (int)store_col_int(st, 3),
		"valid_from", store_col_text(st, 4),
		"valid_to", store_col_text(st, 5));
}

static int code_arg(struct app_req *r, const char *in, const char *field, char out[13])
{
	if (!in || region_normalize(in, out) != 0)
		return app_fail(r, field ? APP_EINVALID : APP_ENOTFOUND,
				field ? "invalid_region_code" : "not_found", field);
	return 0;
}

int regions_list(struct app_req *r, const char *parent, const char *q, const char *limit_s,
		 const char *cursor, json_t **out)
{
	static const char sql[] =
		"SELECT " REGION_COLUMNS " FROM regions WHERE code > $1"
		" AND (CAST($2 AS TEXT) IS NULL OR parent_code = $2)"
		" AND (CAST($3 AS TEXT) IS NULL OR name LIKE $3 ESCAPE '\\')"
		" ORDER BY code LIMIT $4";
	int limit;
	int64_t after = 0;
	char pcode[13];
	const char *pattern = NULL;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 || app_limit(r, limit_s, &limit) != 0 ||
	    app_cursor(r, cursor, &after) != 0)
		return -1;
	if (parent && region_normalize(parent, pcode) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_region_code", "parent_code");
	if (q && app_like_pattern(r, q, "q", &pattern) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, sql);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	/* codes are 12 digits: the cursor carries one as a number */
	store_bind_text(st, 1, after ? arena_printf(r->arena, "%012lld", (long long)after) : "");
	store_bind_text(st, 2, parent ? pcode : NULL);
	store_bind_text(st, 3, pattern);
	store_bind_int(st, 4, limit + 1);
	json_t *items = json_array();
	int rc, n = 0;
	const char *last = NULL;
	bool more = false;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n++ == limit) {
			more = true;
			break;
		}
		last = arena_strdup(r->arena, store_col_text(st, 0));
		json_array_append_new(items, region_json(r, st));
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE) {
		json_decref(items);
		return app_store_fail(r, rc);
	}
	json_t *next = json_null();
	if (more && last) {
		char c[24];
		cursor_encode(strtoll(last, NULL, 10), c, sizeof(c));
		next = json_string(c);
	}
	*out = json_pack("{so so}", "items", items, "next_cursor", next);
	return 0;
}

int regions_get(struct app_req *r, const char *code_in, json_t **out)
{
	char code[13];
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 || code_arg(r, code_in, NULL, code) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, "SELECT " REGION_COLUMNS " FROM regions WHERE code = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, code);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		return rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL) : app_store_fail(r, rc);
	}
	json_t *o = region_json(r, st);
	int level = (int)store_col_int(st, 3);
	store_done(st);
	json_t *pop = population_json(r, code);
	json_object_set_new(o, "population", pop);
	/* people living anywhere below the region: their codes share its prefix */
	int plen = region_prefix_len(level);
	char lo[13], hi[13];
	memcpy(lo, code, 12);
	memcpy(hi, code, 12);
	memset(lo + plen, '0', (size_t)(12 - plen));
	memset(hi + plen, '9', (size_t)(12 - plen));
	lo[12] = hi[12] = 0;
	st = store_prepare(r->store,
		"SELECT count(*) FROM volunteers WHERE region_code >= $1 AND region_code <= $2"
		" AND status = 'active'");
	if (!st) {
		json_decref(o);
		return app_store_fail(r, STORE_ERROR);
	}
	store_bind_text(st, 1, lo);
	store_bind_text(st, 2, hi);
	int64_t volunteers = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	json_object_set_new(o, "volunteers", json_integer(volunteers));
	size_t np = json_array_size(pop);
	json_t *latest = np ? json_array_get(pop, np - 1) : NULL;
	int64_t hp = latest ? json_integer_value(json_object_get(latest, "household_population")) : 0;
	json_object_set_new(o, "household_population", hp ? json_integer(hp) : json_null());
	json_object_set_new(o, "population_year", latest ? json_incref(json_object_get(latest, "year")) : json_null());
	json_object_set_new(o, "coverage", hp ? json_real((double)(volunteers * 1000 / hp) / 1000.0) : json_null());
	*out = o;
	return 0;
}

struct region_in {
	char code[13], parent[13];
	const char *name, *valid_from, *valid_to;
	bool has_parent, has_from, has_to;
	int level;
};

/* Checks a region row: code shape, parent above it whose prefix it
 * shares, dates. Used by the API and the importer. */
static int check_region(struct app_req *r, struct store *s, struct region_in *g)
{
	g->level = region_level(g->code);
	int ymd1 = 0, ymd2 = 0;
	if (g->valid_from && !valid_date(g->valid_from, &ymd1))
		return app_fail(r, APP_EINVALID, "invalid_date", "valid_from");
	if (g->valid_to && !valid_date(g->valid_to, &ymd2))
		return app_fail(r, APP_EINVALID, "invalid_date", "valid_to");
	if (ymd1 && ymd2 && ymd2 < ymd1)
		return app_fail(r, APP_EINVALID, "invalid_date", "valid_to");
	if (!g->has_parent)
		return 0;
	int plevel = region_level(g->parent);
	if (plevel >= g->level ||
	    strncmp(g->parent, g->code, (size_t)region_prefix_len(plevel)) != 0)
		return app_fail(r, APP_EINVALID, "invalid_parent_region", "parent_code");
	struct store_stmt *st = store_prepare(s, "SELECT 1 FROM regions WHERE code = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, g->parent);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE)
		return app_fail(r, APP_EINVALID, "parent_not_found", "parent_code");
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc);
}

/* Inserts or updates one region; *what says which (or "unchanged"). */
static int upsert_region(struct app_req *r, struct store *s, struct region_in *g, bool must_be_new,
			 const char **what)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT name, parent_code, valid_from, valid_to FROM regions WHERE code = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, g->code);
	int rc = store_step(st);
	bool exists = rc == STORE_ROW, same = false;
	if (exists) {
		const char *pc = store_col_text(st, 1), *vf = store_col_text(st, 2), *vt = store_col_text(st, 3);
		same = strcmp(store_col_text(st, 0), g->name) == 0 &&
		       !strcmp(pc ? pc : "", g->has_parent ? g->parent : "") &&
		       !strcmp(vf ? vf : "", g->valid_from ? g->valid_from : "") &&
		       !strcmp(vt ? vt : "", g->valid_to ? g->valid_to : "");
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return rc;
	if (exists && must_be_new) {
		app_fail(r, APP_ECONFLICT, "region_exists", "code");
		return STORE_ERROR;
	}
	if (same) {
		*what = "unchanged";
		return STORE_OK;
	}
	int64_t now = app_now();
	st = store_prepare(s, exists
		? "UPDATE regions SET name = $2, parent_code = $3, level = $4, valid_from = $5,"
		  " valid_to = $6, updated_at = $7 WHERE code = $1"
		: "INSERT INTO regions (code, name, parent_code, level, valid_from, valid_to,"
		  " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, g->code);
	store_bind_text(st, 2, g->name);
	store_bind_text(st, 3, g->has_parent ? g->parent : NULL);
	store_bind_int(st, 4, g->level);
	store_bind_text(st, 5, g->valid_from);
	store_bind_text(st, 6, g->valid_to);
	store_bind_int(st, 7, now);
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	*what = exists ? "updated" : "imported";
	return STORE_OK;
}

static int set_population(struct store *s, const char *code, int64_t year, int64_t people)
{
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO region_population (code, year, household_population) VALUES ($1, $2, $3)"
		" ON CONFLICT (code, year) DO UPDATE SET household_population = $3");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, code);
	store_bind_int(st, 2, year);
	store_bind_int(st, 3, people);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

struct region_ctx {
	struct app_req *r;
	struct region_in g;
	bool create;
	int64_t year, people;
};

static int region_tx(struct store *s, void *vctx)
{
	struct region_ctx *c = vctx;
	const char *what;
	if (check_region(c->r, s, &c->g) != 0)
		return STORE_ERROR;
	int rc = upsert_region(c->r, s, &c->g, c->create, &what);
	if (rc != STORE_OK)
		return rc;
	json_t *detail = json_pack("{ss ss}", "code", c->g.code, "name", c->g.name);
	rc = audit_write(c->r, s, c->create ? "region.create" : "region.update", "region", 0,
			 c->r->who->org_id, c->r->who->org_path, detail);
	json_decref(detail);
	return rc;
}

static int read_region(struct app_req *r, json_t *in, struct region_in *g)
{
	const char *parent;
	if (in_text(r, in, "name", true, 64, &g->name) != 0 ||
	    in_text(r, in, "parent_code", false, 12, &parent) != 0 ||
	    in_text(r, in, "valid_from", false, 10, &g->valid_from) != 0 ||
	    in_text(r, in, "valid_to", false, 10, &g->valid_to) != 0)
		return -1;
	g->has_parent = parent != NULL;
	if (parent && code_arg(r, parent, "parent_code", g->parent) != 0)
		return -1;
	return 0;
}

int regions_create(struct app_req *r, json_t *in, json_t **out)
{
	struct region_ctx c = { .r = r, .create = true };
	const char *code;
	if (authz_check(r, AUTHZ_REGIONS_WRITE, NULL) != 0)
		return -1;
	if (in_text(r, in, "code", true, 12, &code) != 0 || code_arg(r, code, "code", c.g.code) != 0 ||
	    read_region(r, in, &c.g) != 0)
		return -1;
	int rc = store_tx(r->store, region_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return regions_get(r, c.g.code, out);
}

int regions_update(struct app_req *r, const char *code, json_t *in, json_t **out)
{
	struct region_ctx c = { .r = r };
	json_t *cur;
	if (authz_check(r, AUTHZ_REGIONS_WRITE, NULL) != 0 || regions_get(r, code, &cur) != 0)
		return -1;
	snprintf(c.g.code, sizeof(c.g.code), "%s", json_string_value(json_object_get(cur, "code")));
	/* unspecified fields keep their values */
	json_t *merged = json_pack("{sO sO sO sO}", "name", json_object_get(cur, "name"),
		"parent_code", json_object_get(cur, "parent_code"), "valid_from", json_object_get(cur, "valid_from"),
		"valid_to", json_object_get(cur, "valid_to"));
	json_decref(cur);
	if (json_object_get(in, "code") || json_object_get(in, "parent_code")) {
		json_decref(merged);
		return app_fail(r, APP_EINVALID, "not_editable", json_object_get(in, "code") ? "code" : "parent_code");
	}
	json_object_update_existing(merged, in);
	int ret = read_region(r, merged, &c.g);
	if (ret == 0) {
		/* read from merged, which dies below: keep the strings */
		c.g.name = arena_strdup(r->arena, c.g.name);
		c.g.valid_from = arena_strdup(r->arena, c.g.valid_from);
		c.g.valid_to = arena_strdup(r->arena, c.g.valid_to);
	}
	json_decref(merged);
	if (ret != 0)
		return -1;
	int rc = store_tx(r->store, region_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return regions_get(r, c.g.code, out);
}

static int population_tx(struct store *s, void *vctx)
{
	struct region_ctx *c = vctx;
	int rc = set_population(s, c->g.code, c->year, c->people);
	if (rc != STORE_OK)
		return rc;
	json_t *detail = json_pack("{ss sI sI}", "code", c->g.code, "year", (json_int_t)c->year,
				   "household_population", (json_int_t)c->people);
	rc = audit_write(c->r, s, "region.population", "region", 0, c->r->who->org_id,
			 c->r->who->org_path, detail);
	json_decref(detail);
	return rc;
}

int regions_set_population(struct app_req *r, const char *code, const char *year_s, json_t *in, json_t **out)
{
	struct region_ctx c = { .r = r };
	json_t *cur;
	if (authz_check(r, AUTHZ_REGIONS_WRITE, NULL) != 0 || regions_get(r, code, &cur) != 0)
		return -1;
	snprintf(c.g.code, sizeof(c.g.code), "%s", json_string_value(json_object_get(cur, "code")));
	json_decref(cur);
	if (parse_id(year_s, &c.year) != 0 || c.year < 1949 || c.year > 2999)
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	json_t *v = json_object_get(in, "household_population");
	if (!v || json_is_null(v))
		return app_fail(r, APP_EINVALID, "required", "household_population");
	if (!json_is_integer(v))
		return app_fail(r, APP_EBADREQ, "wrong_type", "household_population");
	c.people = json_integer_value(v);
	if (c.people <= 0 || c.people > 2000000000)
		return app_fail(r, APP_EINVALID, "invalid_value", "household_population");
	int rc = store_tx(r->store, population_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return regions_get(r, c.g.code, out);
}

enum { R_CODE, R_NAME, R_PARENT, R_FROM, R_TO, R_YEAR, R_POP, R_COUNT };
static const struct column_spec region_columns[R_COUNT] = {
	[R_CODE] = { "code", { "code", "区划代码", "代码" }, true },
	[R_NAME] = { "name", { "name", "名称" }, true },
	[R_PARENT] = { "parent_code", { "parent_code", "上级代码" }, false },
	[R_FROM] = { "valid_from", { "valid_from", "启用日期" }, false },
	[R_TO] = { "valid_to", { "valid_to", "停用日期" }, false },
	[R_YEAR] = { "population_year", { "population_year", "年份" }, false },
	[R_POP] = { "household_population", { "household_population", "户籍人口" }, false },
};

struct import_row {
	int64_t rowno;
	int level;
	struct region_in g;
	int64_t year, people;
};

static int by_level(const void *a, const void *b)
{
	const struct import_row *x = a, *y = b;
	if (x->level != y->level)
		return x->level - y->level;
	return (x->rowno > y->rowno) - (x->rowno < y->rowno);
}

struct rimport_ctx {
	struct app_req *r;
	struct import_row *rows;
	size_t n;
	json_t *rejected;
	int64_t imported, updated, unchanged;
	int64_t audit_org;        /* the organisation the audit entry is filed under */
	const char *audit_path;
};

static void reject(struct rimport_ctx *c, int64_t row, const char *column, const char *code)
{
	json_array_append_new(c->rejected, json_pack("{sI ss* ss}", "row", (json_int_t)row,
						      "column", column, "code", code));
}

static int rimport_tx(struct store *s, void *vctx)
{
	struct rimport_ctx *c = vctx;
	for (size_t i = 0; i < c->n; i++) {
		struct import_row *row = &c->rows[i];
		const char *what;
		memset(&c->r->err, 0, sizeof(c->r->err));
		if (check_region(c->r, s, &row->g) != 0) {
			if (c->r->err.status == APP_EINTERNAL || c->r->err.status == APP_EUNAVAILABLE)
				return STORE_ERROR;
			reject(c, row->rowno, c->r->err.field, c->r->err.code);
			continue;
		}
		int rc = upsert_region(c->r, s, &row->g, false, &what);
		if (rc != STORE_OK)
			return rc;
		if (row->year) {
			rc = set_population(s, row->g.code, row->year, row->people);
			if (rc != STORE_OK)
				return rc;
		}
		if (!strcmp(what, "imported"))
			c->imported++;
		else if (!strcmp(what, "updated"))
			c->updated++;
		else
			c->unchanged++;
	}
	memset(&c->r->err, 0, sizeof(c->r->err));
	json_t *detail = json_pack("{sI sI sI}", "imported", (json_int_t)c->imported,
				   "updated", (json_int_t)c->updated, "unchanged", (json_int_t)c->unchanged);
	int rc = audit_write(c->r, s, "import.regions", "region", 0, c->audit_org, c->audit_path, detail);
	json_decref(detail);
	return rc;
}

/* Reads and applies a region table; the audit entry goes to audit_org. */
static int import_table(struct app_req *r, const void *data, size_t len, int64_t audit_org,
			const char *audit_path, json_t **out)
{
	if (len == 0)
		return app_fail(r, APP_EBADREQ, "body_required", NULL);
	char err[256];
	struct table *t;
	if (table_open(data, len, &t, err, sizeof(err)) != 0) {
		r->err.detail = arena_strdup(r->arena, err);
		return app_fail(r, APP_EINVALID, "unreadable_file", "file");
	}
	const char *const *cells;
	size_t n, rowno;
	int idx[R_COUNT], ret = -1;
	struct rimport_ctx c = { .r = r, .rejected = json_array(), .audit_org = audit_org,
				 .audit_path = audit_path };
	size_t cap = 0;
	int rc = table_next(t, &cells, &n, &rowno);
	if (rc <= 0) {
		app_fail(r, APP_EINVALID, rc < 0 ? "unreadable_file" : "empty_file", "file");
		goto out;
	}
	if (app_map_columns(r, cells, n, region_columns, R_COUNT, idx) != 0)
		goto out;
	int64_t total = 0;
	while ((rc = table_next(t, &cells, &n, &rowno)) == 1) {
		total++;
		const char *v[R_COUNT];
		for (int k = 0; k < R_COUNT; k++)
			v[k] = idx[k] >= 0 && (size_t)idx[k] < n ? arena_strdup(r->arena, cells[idx[k]]) : "";
		struct import_row row = { .rowno = (int64_t)rowno };
		if (region_normalize(v[R_CODE], row.g.code) != 0) {
			reject(&c, row.rowno, "code", "invalid_region_code");
			continue;
		}
		if (!*v[R_NAME] || !valid_text(v[R_NAME], strlen(v[R_NAME]), 64)) {
			reject(&c, row.rowno, "name", "invalid_text");
			continue;
		}
		row.g.name = v[R_NAME];
		row.g.has_parent = *v[R_PARENT] != 0;
		if (row.g.has_parent && region_normalize(v[R_PARENT], row.g.parent) != 0) {
			reject(&c, row.rowno, "parent_code", "invalid_region_code");
			continue;
		}
		row.g.valid_from = *v[R_FROM] ? v[R_FROM] : NULL;
		row.g.valid_to = *v[R_TO] ? v[R_TO] : NULL;
		if (*v[R_YEAR] || *v[R_POP]) {
			if (parse_id(v[R_YEAR], &row.year) != 0 || row.year < 1949 || row.year > 2999) {
				reject(&c, row.rowno, "population_year", "invalid_value");
				continue;
			}
			if (parse_id(v[R_POP], &row.people) != 0 || row.people > 2000000000) {
				reject(&c, row.rowno, "household_population", "invalid_value");
				continue;
			}
		}
		row.level = region_level(row.g.code);
		if (c.n == cap) {
			cap = cap ? cap * 2 : 64;
			c.rows = realloc(c.rows, cap * sizeof(*c.rows));
			if (!c.rows)
				abort();
		}
		c.rows[c.n++] = row;
	}
	if (rc < 0) {
		r->err.detail = arena_strdup(r->arena, table_error(t));
		app_fail(r, APP_EINVALID, "unreadable_file", "file");
		goto out;
	}
	/* parents first, whatever order the file lists them in */
	qsort(c.rows, c.n, sizeof(*c.rows), by_level);
	rc = store_tx(r->store, rimport_tx, &c);
	if (rc != STORE_OK) {
		app_store_fail(r, rc);
		goto out;
	}
	*out = json_pack("{sI sI sI sI sI sO}", "total_rows", (json_int_t)total,
		"imported", (json_int_t)c.imported, "updated", (json_int_t)c.updated,
		"unchanged", (json_int_t)c.unchanged, "rejected_count", (json_int_t)json_array_size(c.rejected),
		"rejected", c.rejected);
	ret = 0;
out:
	free(c.rows);
	json_decref(c.rejected);
	table_free(t);
	return ret;
}

int regions_import(struct app_req *r, const void *data, size_t len, json_t **out)
{
	if (authz_check(r, AUTHZ_REGIONS_WRITE, NULL) != 0)
		return -1;
	return import_table(r, data, len, r->who->org_id, r->who->org_path, out);
}

/* data/regions/wenjiang.csv, compiled in by tools/embed.c */
extern const char regions_wenjiang_csv[];
extern const unsigned long regions_wenjiang_csv_len;
#define BUILTIN_DISTRICT "510115"

size_t regions_builtin_codes(const char *prefix, int level, char (*out)[13], size_t max)
{
	size_t n = 0, plen = strlen(prefix);
	const char *p = regions_wenjiang_csv, *end = p + regions_wenjiang_csv_len;
	while (p < end && n < max) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		char code[13];
		if (eol - p > 12 && p[12] == ',') {
			memcpy(code, p, 12);
			code[12] = 0;
			if (valid_region_code(code) && strncmp(code, prefix, plen) == 0 &&
			    region_level(code) == level)
				memcpy(out[n++], code, 13);
		}
		p = eol + 1;
	}
	return n;
}

int regions_seed(struct app_req *r, int *loaded)
{
	*loaded = 0;
	int64_t root;
	if (app_root_org(r, &root) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT o.path, o.region_code,"
		" (SELECT count(*) FROM regions WHERE parent_code = $2) FROM orgs o WHERE o.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, root);
	store_bind_text(st, 2, BUILTIN_DISTRICT "000000");
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		return app_store_fail(r, rc == STORE_DONE ? STORE_ERROR : rc);
	}
	const char *path = arena_strdup(r->arena, store_col_text(st, 0));
	const char *region = store_col_text(st, 1);
	/* the shipped table is the district's own: only an installation rooted
	 * in it (the district or one of its towns) gets it, and only once */
	bool ours = region && strncmp(region, BUILTIN_DISTRICT, 6) == 0;
	int64_t have = store_col_int(st, 2);
	store_done(st);
	if (!ours || have > 0)
		return 0;
	json_t *report = NULL;
	if (import_table(r, regions_wenjiang_csv, regions_wenjiang_csv_len, root, path, &report) != 0)
		return -1;
	*loaded = (int)json_integer_value(json_object_get(report, "imported"));
	json_decref(report);
	return 0;
}

int regions_public_children(struct app_req *r, const char *parent, json_t **out)
{
	char pcode[13];
	if (parent) {
		if (region_normalize(parent, pcode) != 0)
			return app_fail(r, APP_EBADREQ, "invalid_region_code", "parent_code");
	} else {
		/* the installation's own region: where the picker starts */
		int64_t root;
		if (app_root_org(r, &root) != 0)
			return -1;
		struct store_stmt *st = store_prepare(r->store, "SELECT region_code FROM orgs WHERE id = $1");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_int(st, 1, root);
		int rc = store_step(st);
		int bad = rc != STORE_ROW || region_normalize(store_col_text(st, 0), pcode) != 0;
		store_done(st);
		if (bad)
			return app_store_fail(r, rc == STORE_ROW ? STORE_ERROR : rc);
	}
	/* only fields a public page may show; retired codes are left out */
	struct store_stmt *st = store_prepare(r->store,
		"SELECT p.code, p.name, p.level,"
		" (SELECT c.code FROM regions c WHERE c.parent_code = p.code LIMIT 1)"
		" FROM regions p WHERE p.parent_code = $1 AND (p.valid_to IS NULL OR p.valid_to >= $2)"
		" ORDER BY p.code LIMIT " REGIONS_PUBLIC_MAX_S);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	int today = app_today_ymd();
	store_bind_text(st, 1, pcode);
	store_bind_text(st, 2, arena_printf(r->arena, "%04d-%02d-%02d", today / 10000, today / 100 % 100, today % 100));
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(items, json_pack("{ss ss si sb}", "code", store_col_text(st, 0),
			"name", store_col_text(st, 1), "level", (int)store_col_int(st, 2),
			"has_children", !store_col_null(st, 3)));
	store_done(st);
	if (rc != STORE_DONE) {
		json_decref(items);
		return app_store_fail(r, rc);
	}
	const char *pname = NULL;
	st = store_prepare(r->store, "SELECT name FROM regions WHERE code = $1");
	if (!st) {
		json_decref(items);
		return app_store_fail(r, STORE_ERROR);
	}
	store_bind_text(st, 1, pcode);
	if (store_step(st) == STORE_ROW)
		pname = arena_strdup(r->arena, store_col_text(st, 0));
	store_done(st);
	*out = json_pack("{ss ss? so}", "parent_code", pcode, "parent_name", pname, "items", items);
	return 0;
}

int regions_population_scale(struct store *s, int factor)
{
	struct store_stmt *st = store_prepare(s,
		"UPDATE region_population SET household_population = household_population * $1"
		" WHERE code LIKE '510115%' AND year = 2015");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, factor);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}
