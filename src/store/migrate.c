/* The migration runner: the embedded migrations (store/migrations.h) in
 * each backend's dialect, each applied once in its own transaction. */
#include "store/store_int.h"
#include "store/migrations.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *replace_all(const char *sql, const char *token, const char *text)
{
	size_t tl = strlen(token), xl = strlen(text), count = 0, n = 0;
	for (const char *p = sql; (p = strstr(p, token)); p += tl)
		count++;
	char *out = malloc(strlen(sql) + count * xl + 1);
	if (!out)
		abort();
	const char *p = sql, *q;
	while ((q = strstr(p, token))) {
		memcpy(out + n, p, (size_t)(q - p));
		n += (size_t)(q - p);
		memcpy(out + n, text, xl);
		n += xl;
		p = q + tl;
	}
	memcpy(out + n, p, strlen(p) + 1);
	return out;
}

/* Drops the text between "{{name}}" and "{{/name}}" (when keep is false)
 * or just the two markers (when true), in place. */
static void backend_blocks(char *sql, const char *name, bool keep)
{
	char open[40], close[40];
	snprintf(open, sizeof(open), "{{%s}}", name);
	snprintf(close, sizeof(close), "{{/%s}}", name);
	char *p;
	while ((p = strstr(sql, open))) {
		char *q = strstr(p, close);
		if (!q)
			abort();   /* a malformed embedded migration: caught by every test run */
		if (keep) {
			size_t ol = strlen(open);
			memmove(p, p + ol, strlen(p + ol) + 1);
			q -= ol;
			memmove(q, q + strlen(close), strlen(q + strlen(close)) + 1);
		} else {
			memmove(p, q + strlen(close), strlen(q + strlen(close)) + 1);
		}
	}
}

/* The migration text for this backend: {{id}}, {{without_rowid}}, and
 * blocks only one backend runs ({{sqlite}}…{{/sqlite}},
 * {{postgresql}}…{{/postgresql}}): triggers and exclusion constraints
 * have no common syntax. */
static char *dialect(const char *sql, const struct store_ops *ops)
{
	char *a = replace_all(sql, "{{id}}", ops->id_column);
	char *b = replace_all(a, "{{without_rowid}}", ops->without_rowid);
	free(a);
	bool pg = strcmp(ops->name, "postgresql") == 0;
	backend_blocks(b, "sqlite", !pg);
	backend_blocks(b, "postgresql", pg);
	return b;
}

struct migrate_ctx {
	const struct migration *m;
	bool skipped;
};

static int migrate_one(struct store *s, void *vctx)
{
	struct migrate_ctx *c = vctx;
	static const char q_seen[] = "SELECT 1 FROM schema_migrations WHERE name = $1";
	static const char q_mark[] =
		"INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)";
	int rc;
	if (strcmp(s->ops->name, "postgresql") == 0) {
		/* several servers may start at once on one database */
		rc = store_exec(s, "SELECT pg_advisory_xact_lock(711500)");
		if (rc != STORE_OK)
			return rc;
	}
	struct store_stmt *st = store_prepare(s, q_seen);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->m->name);
	rc = store_step(st);
	store_done(st);
	if (rc == STORE_ROW) {
		c->skipped = true;
		return STORE_OK;
	}
	if (rc != STORE_DONE)
		return rc;
	char *sql = dialect(c->m->sql, s->ops);
	rc = store_exec(s, sql);
	free(sql);
	if (rc != STORE_OK)
		return rc;
	st = store_prepare(s, q_mark);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->m->name);
	store_bind_int(st, 2, time_now_ms() / 1000);
	rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int store_migrate(struct store *s, int *applied)
{
	*applied = 0;
	int rc = store_exec(s, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			       " name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)");
	if (rc != STORE_OK && rc != STORE_CONSTRAINT)
		return rc;
	for (const struct migration *m = store_migrations; m->name; m++) {
		struct migrate_ctx c = { m, false };
		rc = store_tx(s, migrate_one, &c);
		if (rc != STORE_OK) {
			log_error("store: migration %s failed: %s", m->name, s->err);
			return rc;
		}
		if (!c.skipped) {
			log_info("store: applied migration %s", m->name);
			(*applied)++;
		}
	}
	return STORE_OK;
}
