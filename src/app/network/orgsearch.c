/* Organisation search for pickers: every organisation in the caller's
 * subtree, found by a substring of its name, by the pinyin initials of its
 * name ("bm" finds 白马…), or through its path (each term may match the
 * organisation or any ancestor, so "柳城 第3" finds 柳城街道第3社区…).
 *
 * Matching runs on three columns (migration 0014) kept here: path_names
 * (the JSON array of names from the root down), initials (of the own
 * name) and search_text (the lower-cased path names, then their initials,
 * '/'-separated; terms never contain '/', so a term matches within one
 * name). A search is then one scan of the caller's subtree with LIKE,
 * measured in docs/decisions.md. The columns are computed here and
 * written by orgs.c, the one writer of orgs. */
#include "app/network/orgs.h"
#include "app/kernel/kernel.h"
#include "core/pinyin.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/log.h"
#include <stdlib.h>
#include <string.h>

#define SEARCH_TEXT_MAX 64      /* characters of q */
#define SEARCH_TERMS_MAX 6
#define SEARCH_KINDS_MAX 8
#define SEARCH_DEFAULT_LIMIT 20
#define INITIALS_MAX (ORG_NAME_MAX * 2 + 1)

struct reindex_node {
	int64_t id, parent_id;
	char *name;
	json_t *names;          /* path names, root first */
	struct buf text, ini;   /* lower-case names and initials, '/'-joined */
	char initials[INITIALS_MAX];
	char *sort_key;
};

#define NUMBER_WIDTH 10

/* The name's sort_key column: pinyin_sort_key() with every run of digits
 * zero-padded to NUMBER_WIDTH, as lower-case hex, so that plain ORDER BY
 * gives pinyin order with numbers as numbers on either backend. malloc'd. */
static char *sort_key_of(const char *name)
{
	size_t len = strlen(name), cap = 2 * len + 2;
	char *raw = malloc(cap), *padded = malloc(cap * (NUMBER_WIDTH + 1)), *hex;
	if (!raw || !padded)
		abort();
	size_t n = pinyin_sort_key(name, raw, cap), m = 0;
	for (size_t i = 0; i < n;) {
		if (raw[i] >= '0' && raw[i] <= '9') {
			size_t j = i;
			while (j < n && raw[j] >= '0' && raw[j] <= '9')
				j++;
			for (size_t k = j - i; k < NUMBER_WIDTH; k++)
				padded[m++] = '0';
			memcpy(padded + m, raw + i, j - i);
			m += j - i;
			i = j;
		} else {
			padded[m++] = raw[i++];
		}
	}
	hex = malloc(2 * m + 1);
	if (!hex)
		abort();
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < m; i++) {
		hex[2 * i] = digits[(unsigned char)padded[i] >> 4];
		hex[2 * i + 1] = digits[(unsigned char)padded[i] & 15];
	}
	hex[2 * m] = 0;
	free(raw);
	free(padded);
	return hex;
}

static int node_by_id(const void *a, const void *b)
{
	int64_t x = (*(struct reindex_node *const *)a)->id, y = (*(struct reindex_node *const *)b)->id;
	return (x > y) - (x < y);
}

static void lower_ascii_into(struct buf *b, const char *s)
{
	for (; *s; s++) {
		char ch = (char)((*s >= 'A' && *s <= 'Z') ? *s + 32 : *s);
		buf_append(b, &ch, 1);
	}
}

/* Appends one path level (name, its initials) to a node's texts. */
static void add_level(struct reindex_node *n, const char *name, const char *initials)
{
	if (n->text.len)
		buf_append(&n->text, "/", 1);
	lower_ascii_into(&n->text, name);
	if (n->ini.len)
		buf_append(&n->ini, "/", 1);
	buf_puts(&n->ini, initials);
}

/* Fills a node's texts from the path names of its parent (outside the
 * set being rewritten, read from its row). */
static int seed_from_row(struct store *s, int64_t parent_id, struct reindex_node *n)
{
	struct store_stmt *st = store_prepare(s, "SELECT path_names FROM orgs WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, parent_id);
	int rc = store_step(st);
	json_t *names = NULL;
	if (rc == STORE_ROW && !store_col_null(st, 0))
		names = json_loads(store_col_text(st, 0), 0, NULL);
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	if (!json_is_array(names)) {
		json_decref(names);
		return STORE_ERROR;   /* a parent is always filled before its children */
	}
	size_t i;
	json_t *e;
	json_array_foreach(names, i, e) {
		char ini[INITIALS_MAX];
		pinyin_initials(json_string_value(e), ini, sizeof(ini));
		add_level(n, json_string_value(e), ini);
		json_array_append(n->names, e);
	}
	json_decref(names);
	return STORE_OK;
}

int orgs_search_columns(struct store *s, const char *path, orgs_search_put put)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT id, parent_id, name FROM orgs WHERE path LIKE $1 ORDER BY length(path), id");
	if (!st)
		return STORE_ERROR;
	char *prefix = malloc(strlen(path) + 2);
	if (!prefix)
		abort();
	memcpy(prefix, path, strlen(path));
	memcpy(prefix + strlen(path), "%", 2);
	store_bind_text(st, 1, prefix);
	size_t cap = 64, n = 0;
	struct reindex_node *nodes = malloc(cap * sizeof(*nodes));
	int rc;
	while (nodes && (rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			cap *= 2;
			nodes = realloc(nodes, cap * sizeof(*nodes));
			if (!nodes)
				break;
		}
		struct reindex_node *x = &nodes[n++];
		x->id = store_col_int(st, 0);
		x->parent_id = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
		x->name = strdup(store_col_text(st, 2));
		x->names = json_array();
		x->sort_key = NULL;
		buf_init(&x->text, 64 * 1024);
		buf_init(&x->ini, 16 * 1024);
		if (!x->name)
			abort();
	}
	store_done(st);
	free(prefix);
	if (!nodes)
		abort();
	struct reindex_node **sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted)
		abort();
	for (size_t i = 0; i < n; i++)
		sorted[i] = &nodes[i];
	qsort(sorted, n, sizeof(*sorted), node_by_id);
	if (rc != STORE_DONE)
		goto out;
	/* shorter paths first: a parent is filled before its children */
	for (size_t i = 0; i < n && rc == STORE_DONE; i++) {
		struct reindex_node *x = &nodes[i], key = { .id = x->parent_id }, *kp = &key;
		struct reindex_node **parent = x->parent_id
			? bsearch(&kp, sorted, n, sizeof(*sorted), node_by_id) : NULL;
		if (parent) {
			json_array_extend(x->names, (*parent)->names);
			if ((*parent)->text.len)
				buf_append(&x->text, (*parent)->text.data, (*parent)->text.len);
			if ((*parent)->ini.len)
				buf_append(&x->ini, (*parent)->ini.data, (*parent)->ini.len);
		} else if (x->parent_id) {
			int r2 = seed_from_row(s, x->parent_id, x);
			if (r2 != STORE_OK) {
				rc = r2;
				break;
			}
		}
		pinyin_initials(x->name, x->initials, sizeof(x->initials));
		x->sort_key = sort_key_of(x->name);
		add_level(x, x->name, x->initials);
		json_array_append_new(x->names, json_string(x->name));
	}
	if (rc != STORE_DONE)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct reindex_node *x = &nodes[i];
		char *names = json_dumps(x->names, JSON_COMPACT);
		struct buf all;
		buf_init(&all, 128 * 1024);
		buf_append(&all, x->text.data, x->text.len);
		buf_append(&all, "/", 1);
		if (x->ini.len)
			buf_append(&all, x->ini.data, x->ini.len);
		rc = put(s, x->id, names, x->initials, all.data, x->sort_key);
		buf_release(&all);
		free(names);
		if (rc != STORE_OK)
			break;
		rc = STORE_DONE;
	}
out:
	for (size_t i = 0; i < n; i++) {
		free(nodes[i].name);
		free(nodes[i].sort_key);
		json_decref(nodes[i].names);
		buf_release(&nodes[i].text);
		buf_release(&nodes[i].ini);
	}
	free(nodes);
	free(sorted);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* Length of the separator at p (whitespace, '/', '>', ',', full-width
 * space or comma, '›'), 0 when p starts a term character. */
static size_t separator_len(const char *p)
{
	static const char *const wide[] = { "\xe3\x80\x80", "\xef\xbc\x8c", "\xe2\x80\xba", "\xef\xbc\x9e", "\xe3\x80\x81" };
	if (*p == ' ' || *p == '\t' || *p == '/' || *p == '>' || *p == ',')
		return 1;
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (strncmp(p, wide[i], 3) == 0)
			return 3;
	return 0;
}

static const char *const kind_order_sql =
	"CASE kind WHEN 'federation' THEN 0 WHEN 'association' THEN 1 WHEN 'team' THEN 2"
	" WHEN 'social_work_agency' THEN 3 WHEN 'social_org' THEN 4 ELSE 5 END";

int orgs_search(struct app_req *r, const struct orgs_search_query *q, json_t **out)
{
	const char *terms[SEARCH_TERMS_MAX] = { 0 };
	const char *last_prefix = NULL, *last_contains = NULL;
	const char *kinds = NULL;
	int nterms = 0, limit = SEARCH_DEFAULT_LIMIT;
	if (authz_check(r, AUTHZ_ORGS_READ, NULL) != 0)
		return -1;
	if (q->limit && app_limit(r, q->limit, &limit) != 0)
		return -1;
	if (q->q) {
		size_t len = strlen(q->q);
		if (!valid_text(q->q, len, len))
			return app_fail(r, APP_EBADREQ, "invalid_value", "q");
		if (!valid_text(q->q, len, SEARCH_TEXT_MAX))
			return app_fail(r, APP_EBADREQ, "too_long", "q");
		for (const char *p = q->q; *p;) {
			size_t sep = separator_len(p);
			if (sep) {
				p += sep;
				continue;
			}
			const char *start = p;
			while (*p && !separator_len(p))
				p++;
			if (nterms == SEARCH_TERMS_MAX)
				return app_fail(r, APP_EBADREQ, "invalid_value", "q");
			terms[nterms++] = app_like_term(r, start, (size_t)(p - start), true);
			last_contains = terms[nterms - 1];
			last_prefix = app_like_term(r, start, (size_t)(p - start), false);
		}
	}
	if (q->kind) {
		/* ",association,team," so that one LIKE tests membership */
		struct buf b;
		buf_init(&b, 256);
		buf_puts(&b, ",");
		int nk = 0;
		const char *p = q->kind;
		for (;;) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			char one[32];
			if (len == 0 || len >= sizeof(one) || ++nk > SEARCH_KINDS_MAX) {
				buf_release(&b);
				return app_fail(r, APP_EBADREQ, "invalid_org_kind", "kind");
			}
			memcpy(one, p, len);
			one[len] = 0;
			if (org_kind_parse(one) < 0) {
				buf_release(&b);
				return app_fail(r, APP_EBADREQ, "invalid_org_kind", "kind");
			}
			buf_append(&b, one, len);
			buf_puts(&b, ",");
			if (!comma)
				break;
			p = comma + 1;
		}
		kinds = arena_strdup(r->arena, b.data);
		buf_release(&b);
	}
	if (q->status && strcmp(q->status, "active") != 0 && strcmp(q->status, "suspended") != 0 &&
	    strcmp(q->status, "dissolved") != 0)
		return app_fail(r, APP_EBADREQ, "invalid_status", "status");

	struct buf sql;
	buf_init(&sql, 4096);
	buf_puts(&sql,
		"SELECT id, parent_id, name, kind, status, professional, region_code, path_names"
		" FROM orgs WHERE path LIKE $1"
		" AND (CAST($2 AS TEXT) IS NULL OR $2 LIKE '%,' || kind || ',%')"
		" AND (CASE WHEN CAST($3 AS TEXT) IS NULL THEN status <> 'dissolved' ELSE status = $3 END)");
	for (int i = 0; i < nterms; i++) {
		char part[64];
		snprintf(part, sizeof(part), " AND search_text LIKE $%d ESCAPE '\\'", 7 + i);
		buf_puts(&sql, part);
	}
	/* the last term is what the person is typing: organisations whose own
	 * name starts with it, then contain it, then those found through an
	 * ancestor; nearer the root first, then by kind, then by name in
	 * pinyin order, 第9 before 第10 */
	buf_puts(&sql,
		" ORDER BY CASE WHEN CAST($4 AS TEXT) IS NULL THEN 0"
		" WHEN lower(name) LIKE $4 ESCAPE '\\' OR initials LIKE $4 ESCAPE '\\' THEN 0"
		" WHEN lower(name) LIKE $5 ESCAPE '\\' OR initials LIKE $5 ESCAPE '\\' THEN 1 ELSE 2 END,"
		" length(path) - length(replace(path, '/', '')), ");
	buf_puts(&sql, kind_order_sql);
	buf_puts(&sql, ", sort_key, id LIMIT $6");
	/* the text depends on the number of terms: prepared for this call */
	const char *text = arena_strdup(r->arena, sql.data);
	buf_release(&sql);
	struct store_stmt *st = store_prepare_once(r->store, text);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", r->who->org_path));
	store_bind_text(st, 2, kinds);
	store_bind_text(st, 3, q->status);
	store_bind_text(st, 4, last_prefix);
	store_bind_text(st, 5, last_contains);
	store_bind_int(st, 6, limit + 1);
	for (int i = 0; i < nterms; i++)
		store_bind_text(st, 7 + i, terms[i]);
	json_t *items = json_array();
	int rc, rows = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (++rows > limit)
			continue;
		json_t *names = store_col_null(st, 7) ? NULL : json_loads(store_col_text(st, 7), 0, NULL);
		json_array_append_new(items, json_pack("{sI so ss ss ss sb ss so}",
			"id", (json_int_t)store_col_int(st, 0),
			"parent_id", col_id_json(st, 1),
			"name", store_col_text(st, 2),
			"kind", store_col_text(st, 3),
			"status", store_col_text(st, 4),
			"professional", store_col_int(st, 5) != 0,
			"region_code", store_col_text(st, 6),
			"path_names", names ? names : json_array()));
	}
	store_done(st);
	if (rc != STORE_DONE) {
		json_decref(items);
		return app_store_fail(r, rc);
	}
	*out = json_pack("{so sb}", "items", items, "more", rows > limit);
	return 0;
}
