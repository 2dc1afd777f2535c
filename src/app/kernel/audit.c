/* Writing and reading the audit log. Entries are only ever inserted. */
#include "app/kernel/audit.h"
#include "app/kernel/authz.h"
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "util/arena.h"
#include <string.h>

int audit_write(struct app_req *r, struct store *s, const char *action,
		const char *target_type, int64_t target_id, int64_t org_id,
		const char *org_path, json_t *detail)
{
	char *d = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	int rc = audit_write_text(r, s, action, target_type, target_id, org_id, org_path, d);
	free(d);
	return rc;
}

int audit_write_text(struct app_req *r, struct store *s, const char *action,
		     const char *target_type, int64_t target_id, int64_t org_id,
		     const char *org_path, const char *detail)
{
	static const char q[] =
		"INSERT INTO audit_log (at, actor_id, actor_username, org_id, org_path,"
		" region_code, action, target_type, target_id, client_addr, detail)"
		" VALUES ($1, $2, $3, $4, $5, (SELECT region_code FROM orgs WHERE id = $4),"
		" $6, $7, $8, $9, $10)";
	struct store_stmt *st = store_prepare(s, q);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, app_now());
	if (r->who) {
		store_bind_int(st, 2, r->who->user_id);
		store_bind_text(st, 3, r->who->username);
	} else {
		store_bind_null(st, 2);
		store_bind_null(st, 3);
	}
	if (org_id > 0)
		store_bind_int(st, 4, org_id);
	else
		store_bind_null(st, 4);
	store_bind_text(st, 5, org_path ? org_path : "/");
	store_bind_text(st, 6, action);
	store_bind_text(st, 7, target_type);
	if (target_id > 0)
		store_bind_int(st, 8, target_id);
	else
		store_bind_null(st, 8);
	store_bind_text(st, 9, r->client_addr);
	store_bind_text(st, 10, detail);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static json_t *audit_json(struct app_req *r, struct store_stmt *st)
{
	json_t *detail = NULL;
	if (!store_col_null(st, 9))
		detail = json_loads(store_col_text(st, 9), 0, NULL);
	return json_pack("{sI ss so ss? ss ss? so so ss? so?}",
		"id", (json_int_t)store_col_int(st, 0),
		"at", app_iso(r, store_col_int(st, 1)),
		"actor_id", col_id_json(st, 2),
		"actor_username", store_col_text(st, 3),
		"action", store_col_text(st, 4),
		"target_type", store_col_text(st, 5),
		"target_id", col_id_json(st, 6),
		"org_id", col_id_json(st, 7),
		"client_addr", store_col_text(st, 8),
		"detail", detail);
}

int audit_list(struct app_req *r, const struct audit_query *q, json_t **out)
{
	static const char sql[] =
		"SELECT id, at, actor_id, actor_username, action, target_type,"
		" target_id, org_id, client_addr, detail FROM audit_log"
		" WHERE org_path LIKE $1"
		" AND (CAST($2 AS BIGINT) = 0 OR id < $2)"
		" AND (CAST($3 AS TEXT) IS NULL OR action = $3)"
		" AND (CAST($4 AS BIGINT) = 0 OR actor_id = $4)"
		" ORDER BY id DESC LIMIT $5";
	int limit;
	int64_t after, actor = 0;
	if (authz_check(r, AUTHZ_AUDIT_READ, NULL) != 0)
		return -1;
	if (app_limit(r, q->limit, &limit) != 0 || app_cursor(r, q->cursor, &after) != 0)
		return -1;
	if (q->actor_id && parse_id(q->actor_id, &actor) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_id", "actor_id");
	if (q->action && (strlen(q->action) == 0 || strlen(q->action) > 64))
		return app_fail(r, APP_EBADREQ, "invalid_value", "action");
	struct store_stmt *st = store_prepare(r->store, sql);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", r->who->org_path));
	store_bind_int(st, 2, after);
	store_bind_text(st, 3, q->action);
	store_bind_int(st, 4, actor);
	store_bind_int(st, 5, limit + 1);
	return app_page(r, st, limit, audit_json, out);
}
