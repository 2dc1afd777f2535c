/* SQLite backend: WAL, foreign keys, synchronous=FULL so an acknowledged
 * write is on disk; writers are serialised by the pool's mutex instead of
 * SQLite's busy loop (DESIGN.md §5: busy_timeout alone gives second-long
 * tails under concurrent writers). */
#include "store/store_int.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lite_stmt {
	struct store_stmt base;
	sqlite3_stmt *st;
	/* SQLite index of "$1".."$32", looked up once: by-name lookups
	 * showed up in import profiles */
	unsigned char index[STORE_MAX_PARAMS + 1];
};

static int classify(struct store *s, int rc)
{
	sqlite3 *db = s->db;
	store_set_err(s, "%s", sqlite3_errmsg(db));
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STORE_RETRY;
	case SQLITE_CONSTRAINT:
		return STORE_CONSTRAINT;
	default:
		return STORE_ERROR;
	}
}

static pthread_once_t lite_once = PTHREAD_ONCE_INIT;

static void lite_global_init(void)
{
	/* memory statistics take a process-wide mutex on every allocation;
	 * nothing here reads them */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int lite_connect(struct store_pool *p, struct store *s)
{
	sqlite3 *db = NULL;
	pthread_once(&lite_once, lite_global_init);
	int rc = sqlite3_open_v2(p->target, &db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				 SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		store_set_err(s, "%s: %s", p->target, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -1;
	}
	s->db = db;
	sqlite3_busy_timeout(db, 5000);
	static const char *const pragmas =
		"PRAGMA journal_mode=WAL;"
		"PRAGMA synchronous=FULL;"
		"PRAGMA foreign_keys=ON;"
		"PRAGMA temp_store=MEMORY;"
		"PRAGMA cache_size=-65536;" "PRAGMA wal_autocheckpoint=16384;";
	char *msg = NULL;
	if (sqlite3_exec(db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		store_set_err(s, "%s: %s", p->target, msg ? msg : "pragma failed");
		sqlite3_free(msg);
		sqlite3_close(db);
		s->db = NULL;
		return -1;
	}
	return 0;
}

static void lite_disconnect(struct store *s)
{
	sqlite3_close_v2(s->db);
	s->db = NULL;
}

static struct store_stmt *lite_prepare(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		store_set_err(s, "prepare: %s", sqlite3_errmsg(s->db));
		return NULL;
	}
	struct lite_stmt *ls = calloc(1, sizeof(*ls));
	if (!ls)
		abort();
	ls->base.owner = s;
	ls->base.sql = sql;
	ls->st = st;
	int count = sqlite3_bind_parameter_count(st);
	for (int i = 1; i <= STORE_MAX_PARAMS && i <= count; i++) {
		char name[8];
		snprintf(name, sizeof(name), "$%d", i);
		ls->index[i] = (unsigned char)sqlite3_bind_parameter_index(st, name);
	}
	return &ls->base;
}

static void lite_finalize(struct store_stmt *st)
{
	struct lite_stmt *ls = (struct lite_stmt *)st;
	sqlite3_finalize(ls->st);
	free(ls);
}

/* Placeholders are written "$1"; SQLite treats them as named parameters
 * numbered by first appearance, so the map from prepare is used. */
static int param_index(struct lite_stmt *ls, int idx)
{
	if (idx < 1 || idx > STORE_MAX_PARAMS)
		abort();   /* a programming error, not an input error */
	return ls->index[idx];
}

static void lite_bind_int(struct store_stmt *st, int idx, int64_t v)
{
	struct lite_stmt *ls = (struct lite_stmt *)st;
	int i = param_index(ls, idx);
	if (i > 0)
		sqlite3_bind_int64(ls->st, i, v);
}

static void lite_bind_text(struct store_stmt *st, int idx, const char *t)
{
	struct lite_stmt *ls = (struct lite_stmt *)st;
	int i = param_index(ls, idx);
	if (i > 0)
		sqlite3_bind_text(ls->st, i, t, -1, SQLITE_STATIC);   /* see store.h: valid until done */
}

static void lite_bind_null(struct store_stmt *st, int idx)
{
	struct lite_stmt *ls = (struct lite_stmt *)st;
	int i = param_index(ls, idx);
	if (i > 0)
		sqlite3_bind_null(ls->st, i);
}

static int lite_step(struct store_stmt *st)
{
	struct lite_stmt *ls = (struct lite_stmt *)st;
	int rc = sqlite3_step(ls->st);
	if (rc == SQLITE_ROW)
		return STORE_ROW;
	if (rc == SQLITE_DONE)
		return STORE_DONE;
	return classify(st->owner, sqlite3_extended_errcode(st->owner->db));
}

static int64_t lite_col_int(struct store_stmt *st, int col)
{
	return sqlite3_column_int64(((struct lite_stmt *)st)->st, col);
}

static const char *lite_col_text(struct store_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(((struct lite_stmt *)st)->st, col);
}

static size_t lite_col_len(struct store_stmt *st, int col)
{
	return (size_t)sqlite3_column_bytes(((struct lite_stmt *)st)->st, col);
}

static const char *lite_col_text_buf(struct store_stmt *st, int col, char *scratch, size_t *len)
{
	sqlite3_stmt *s = ((struct lite_stmt *)st)->st;
	int type = sqlite3_column_type(s, col);
	if (type == SQLITE_NULL) {
		*len = 0;
		return NULL;
	}
	if (type == SQLITE_INTEGER) {
		/* SQLite would convert the value in place, allocating for it */
		int64_t v = sqlite3_column_int64(s, col);
		uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
		char *end = scratch + STORE_INT_TEXT - 1, *p = end;
		*p = 0;
		do {
			*--p = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (v < 0)
			*--p = '-';
		*len = (size_t)(end - p);
		return p;
	}
	const char *t = (const char *)sqlite3_column_text(s, col);
	*len = (size_t)sqlite3_column_bytes(s, col);
	return t;
}

static bool lite_col_null(struct store_stmt *st, int col)
{
	return sqlite3_column_type(((struct lite_stmt *)st)->st, col) == SQLITE_NULL;
}

static void lite_reset(struct store_stmt *st)
{
	struct lite_stmt *ls = (struct lite_stmt *)st;
	sqlite3_reset(ls->st);
	sqlite3_clear_bindings(ls->st);
}

static int lite_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		return STORE_OK;
	int out = classify(s, sqlite3_extended_errcode(s->db));
	if (msg)
		store_set_err(s, "%s", msg);
	sqlite3_free(msg);
	return out;
}

static int lite_begin(struct store *s)
{
	pthread_mutex_lock(&s->pool->writer);
	int rc = lite_exec(s, "BEGIN IMMEDIATE");
	if (rc != STORE_OK)
		pthread_mutex_unlock(&s->pool->writer);
	return rc;
}

static int lite_commit(struct store *s)
{
	int rc = lite_exec(s, "COMMIT");
	if (rc != STORE_OK)
		lite_exec(s, "ROLLBACK");
	pthread_mutex_unlock(&s->pool->writer);
	return rc;
}

static void lite_rollback(struct store *s)
{
	lite_exec(s, "ROLLBACK");
	pthread_mutex_unlock(&s->pool->writer);
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.id_column = "INTEGER PRIMARY KEY AUTOINCREMENT",
	.without_rowid = "WITHOUT ROWID",
	.connect = lite_connect,
	.disconnect = lite_disconnect,
	.prepare = lite_prepare,
	.finalize = lite_finalize,
	.bind_int = lite_bind_int,
	.bind_text = lite_bind_text,
	.bind_null = lite_bind_null,
	.step = lite_step,
	.col_int = lite_col_int,
	.col_text = lite_col_text,
	.col_len = lite_col_len,
	.col_text_buf = lite_col_text_buf,
	.col_null = lite_col_null,
	.reset = lite_reset,
	.exec = lite_exec,
	.group_commit = true,
	.begin = lite_begin,
	.commit = lite_commit,
	.rollback = lite_rollback,
};
