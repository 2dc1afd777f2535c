/* Rows as use cases read and write them: one row by id (404 and the
 * authorisation of its organisation), columns as JSON, statements of two
 * integers, numbered sequences, and start-up fills. */
#include "app/kernel/kernel.h"
#include "app/kernel/authz.h"
#include "util/log.h"
#include <assert.h>
#include <string.h>

json_t *col_id_json(struct store_stmt *st, int col)
{
	return store_col_null(st, col) ? json_null() : json_integer(store_col_int(st, col));
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

int app_next_seq(struct store *s, const char *scope, int64_t *seq)
{
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO volunteer_seq (scope, next) VALUES ($1, 2) ON CONFLICT (scope)"
		" DO UPDATE SET next = volunteer_seq.next + 1 RETURNING next - 1");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, scope);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*seq = store_col_int(st, 0);
		assert(*seq >= 1);   /* sequences start at 1 and only grow */
	}
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : rc;
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
