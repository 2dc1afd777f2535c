/* Lists in pages: ?limit= and ?cursor= readers, and the loops that turn
 * a statement into {"items":[…],"next_cursor":…}. Cursors are opaque
 * (core/cursor.h) and carry the last row id of a page. */
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "core/validate.h"
#include <assert.h>

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

int app_page(struct app_req *r, struct store_stmt *st, int limit,
	     json_t *(*row)(struct app_req *r, struct store_stmt *st), json_t **out)
{
	assert(limit > 0);   /* app_limit allows 1..200 */
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
