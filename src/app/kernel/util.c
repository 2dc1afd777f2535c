/* Small helpers the use cases share: times, paging. */
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "util/arena.h"
#include "util/timeutil.h"
#include "util/buf.h"
#include "util/log.h"
#include "core/validate.h"
#include "app/kernel/authz.h"
#include "core/chinatime.h"
#include <string.h>
#include <time.h>

const char *app_iso(struct app_req *r, int64_t t)
{
	char *s = arena_alloc(r->arena, 24);
	time_format_iso(t, s, 24);
	return s;
}

int app_today_ymd(void)
{
	return china_ymd(app_now());
}

int64_t app_day_start(int ymd)
{
	return china_day_start(ymd);
}

const char *app_today(struct app_req *r)
{
	int d = app_today_ymd();
	return arena_printf(r->arena, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
}

const char *app_like_term(struct app_req *r, const char *text, size_t len, bool contains)
{
	struct buf b;
	buf_init(&b, 2 * len + 3);
	if (contains)
		buf_puts(&b, "%");
	for (size_t i = 0; i < len; i++) {
		char ch = (char)((text[i] >= 'A' && text[i] <= 'Z') ? text[i] + 32 : text[i]);
		if (ch == '%' || ch == '_' || ch == '\\')
			buf_append(&b, "\\", 1);
		buf_append(&b, &ch, 1);
	}
	buf_puts(&b, "%");
	const char *out = arena_strdup(r->arena, b.data);
	buf_release(&b);
	return out;
}

int app_like_pattern(struct app_req *r, const char *text, const char *field, const char **out)
{
	size_t n = strlen(text);
	if (n == 0 || n > 256 || !valid_text(text, n, 64))
		return app_fail(r, APP_EBADREQ, "invalid_value", field);
	*out = app_like_term(r, text, n, true);
	return 0;
}

int app_limit(struct app_req *r, const char *s, int *out)
{
	int64_t v;
	*out = 50;
	if (!s)
		return 0;
	if (parse_id(s, &v) != 0 || v > 200)
		return app_fail(r, APP_EBADREQ, "invalid_limit", "limit");
	*out = (int)v;
	return 0;
}

int app_cursor(struct app_req *r, const char *s, int64_t *after)
{
	*after = 0;
	if (!s)
		return 0;
	if (cursor_decode(s, after) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_cursor", "cursor");
	return 0;
}

json_t *col_id_json(struct store_stmt *st, int col)
{
	return store_col_null(st, col) ? json_null() : json_integer(store_col_int(st, col));
}

static json_t *page_cursor(bool more, int64_t last_id)
{
	if (!more)
		return json_null();
	char c[24];
	cursor_encode(last_id, c, sizeof(c));
	return json_string(c);
}

int app_items(struct app_req *r, struct store_stmt *st,
	      json_t *(*row)(struct app_req *r, struct store_stmt *st), json_t **out)
{
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(items, row(r, st));
	store_done(st);
	if (rc != STORE_DONE) {
		json_decref(items);
		return app_store_fail(r, rc);
	}
	*out = json_pack("{so}", "items", items);
	return 0;
}

int app_get_row(struct app_req *r, const char *sql, int64_t id,
		json_t *(*row)(struct app_req *r, struct store_stmt *st), json_t **out)
{
	struct store_stmt *st;
	if (app_load_row(r, sql, id, -1, 0, &st) != 0)
		return -1;
	*out = row(r, st);
	store_done(st);
	return 0;
}

int app_page(struct app_req *r, struct store_stmt *st, int limit,
	     json_t *(*row)(struct app_req *r, struct store_stmt *st), json_t **out)
{
	json_t *items = json_array();
	int rc, n = 0;
	int64_t last = 0;
	bool more = false;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n++ == limit) {
			more = true;
			break;
		}
		last = store_col_int(st, 0);
		json_array_append_new(items, row(r, st));
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE) {
		json_decref(items);
		return app_store_fail(r, rc);
	}
	*out = json_pack("{so so}", "items", items, "next_cursor", page_cursor(more, last));
	return 0;
}

json_t *permissions_json(const char *csv)
{
	json_t *a = json_array();
	const char *p = csv ? csv : "";
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p += n + (comma ? 1 : 0);
	}
	return a;
}

int app_load_row(struct app_req *r, const char *sql, int64_t id, int action, int path_col,
		 struct store_stmt **out)
{
	struct store_stmt *st = store_prepare(r->store, sql);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		return rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL) : app_store_fail(r, rc);
	}
	if (action >= 0 && authz_check(r, (enum authz_action)action, store_col_text(st, path_col)) != 0) {
		store_done(st);
		return -1;
	}
	*out = st;
	return 0;
}

int app_scope(struct app_req *r, const char *org_s, int action, const char **scope)
{
	int64_t org;
	*scope = r->who->org_path;
	if (!org_s)
		return 0;
	if (parse_id(org_s, &org) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_id", "org_id");
	int rc = org_lookup(r, org, scope, NULL);
	if (rc == STORE_DONE)
		return app_fail(r, APP_ENOTFOUND, "not_found", "org_id");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	return authz_check(r, (enum authz_action)action, *scope);
}

int app_next_seq(struct store *s, const char *scope, int64_t *seq)
{
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO volunteer_seq (scope, next) VALUES ($1, 2) ON CONFLICT (scope)"
		" DO UPDATE SET next = volunteer_seq.next + 1 RETURNING next - 1");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, scope);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*seq = store_col_int(st, 0);
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

/* "张三丰" → "张*丰", "李雷" → "李*": enough to recognise, not to collect. */
const char *app_mask_name(struct app_req *r, const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t first = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
	size_t n = strlen(name);
	if (n <= first)
		return arena_strdup(r->arena, name);
	const char *last = name + n;
	do
		last--;
	while (last > name && ((unsigned char)*last & 0xc0) == 0x80);
	if (last == name + first)
		return arena_printf(r->arena, "%.*s*", (int)first, name);
	return arena_printf(r->arena, "%.*s*%s", (int)first, name, last);
}

int app_idem_lookup(struct app_req *r, struct store *s, const char *sql, const char *key, int64_t *id)
{
	struct store_stmt *st = store_prepare(s, sql);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, r->who->user_id);
	store_bind_text(st, 2, key);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*id = store_col_int(st, 0);
	store_done(st);
	return rc;
}

int app_fill_pending(struct store *s, const char *probe, int (*fill)(struct store *s, void *ctx),
		     const char *what)
{
	struct store_stmt *st = store_prepare(s, probe);
	if (!st)
		return -1;
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE)
		return 0;
	if (rc != STORE_ROW || store_tx(s, fill, NULL) != STORE_OK) {
		log_error("cannot fill %s", what);
		return -1;
	}
	log_info("filled %s", what);
	return 0;
}

int app_volunteer_active(struct store *s, int64_t id, bool *active)
{
	struct store_stmt *st = store_prepare(s, "SELECT status FROM volunteers WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	*active = rc == STORE_ROW && strcmp(store_col_text(st, 0), "active") == 0;
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

int app_exec_ints(struct store *s, const char *sql, int64_t a, int64_t b)
{
	struct store_stmt *st = store_prepare(s, sql);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, a);
	store_bind_int(st, 2, b);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}
