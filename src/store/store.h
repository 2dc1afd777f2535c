/* The store: the one portable interface to the database. Use cases write
 * one SQL text with $1-style placeholders; the SQLite and PostgreSQL
 * backends (store_sqlite.c, store_pg.c) run it. Only this module includes
 * sqlite3.h or libpq-fe.h.
 *
 * Threads: a pool hands each thread its own connection, opened lazily and
 * kept for the life of the pool. A connection and its statements are used
 * by one thread at a time. */
#ifndef ZY_STORE_H
#define ZY_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_pool;
struct store;
struct store_stmt;

enum store_rc {
	STORE_OK = 0,
	STORE_ROW = 1,          /* store_step: a row is ready */
	STORE_DONE = 2,         /* store_step: no (more) rows */
	STORE_ERROR = -1,       /* anything else; see store_errmsg() */
	STORE_RETRY = -2,       /* busy / serialisation failure / deadlock */
	STORE_CONSTRAINT = -3,  /* unique, foreign-key or check violation */
};

/* Opens a pool for url: "sqlite:PATH" (or a bare path) or
 * "postgresql://…"/"postgres://…". Opens one connection to prove the
 * database is reachable. On failure returns -1 with a message in err. */
int store_pool_open(const char *url, struct store_pool **out, char *err, size_t errlen);
/* Closes every connection of the pool and frees it. NULL is fine. */
void store_pool_close(struct store_pool *p);
/* "sqlite" or "postgresql". */
const char *store_pool_backend(const struct store_pool *p);
/* The calling thread's connection, opened on first use; NULL (logged)
 * when the database cannot be reached. Under a limit (store_pool_limit)
 * the thread borrows one of at most that many, waiting for one to be
 * given back when all are out, and keeps it until store_return. */
struct store *store_get(struct store_pool *p);
/* Lets at most n connections be out at once (0: no limit, each thread
 * keeps its own, the default), so that a server with many threads stays
 * within what PostgreSQL accepts. The group commit connection is apart.
 * The calling thread's connection is given back. Call before serving. */
void store_pool_limit(struct store_pool *p, unsigned n);
/* Whether the pool lends connections (store_pool_limit above 0). */
bool store_pool_lends(const struct store_pool *p);
/* Under a limit, gives the calling thread's connection back to the pool
 * (out of any transaction); without one, does nothing. */
void store_return(struct store_pool *p);
/* Message of the last error on this connection. */
const char *store_errmsg(struct store *s);

/* Applies the embedded migrations not yet recorded in schema_migrations,
 * each in its own transaction. Sets *applied to how many ran. */
int store_migrate(struct store *s, int *applied);

/* A prepared statement for sql, which must be a string literal (the
 * statement is cached per connection by the address of the text).
 * Release it with store_done() before preparing the same text again. */
struct store_stmt *store_prepare(struct store *s, const char *sql);
/* The same, for a statement whose best plan depends on the values bound:
 * PostgreSQL plans it for them at every run (the unnamed statement of
 * PQexecParams), where a prepared statement turns to one generic plan
 * after five runs; SQLite plans as for store_prepare. For the few
 * statements measured to need it (docs/decisions.md), not by default:
 * planning every run costs a parse and a plan each time. On PostgreSQL
 * a mistake in the SQL shows at store_step, not here. */
struct store_stmt *store_prepare_per_value(struct store *s, const char *sql);
/* A statement for SQL text built at run time (search filters): prepared
 * for this use only and finalised by store_done(). Values still go in
 * through the bind functions. */
struct store_stmt *store_prepare_once(struct store *s, const char *sql);
/* Binding; idx counts from 1 as in "$1". NULL binds NULL. Bound text is
 * not copied by every backend: it must stay valid and unchanged until
 * store_done() (all callers bind, step and finish in one scope). */
void store_bind_int(struct store_stmt *st, int idx, int64_t v);
void store_bind_text(struct store_stmt *st, int idx, const char *text);
void store_bind_null(struct store_stmt *st, int idx);
/* Binds v, or NULL when v is 0: an optional row id (ids start at 1) or
 * an optional time. */
void store_bind_id(struct store_stmt *st, int idx, int64_t v);
/* Runs or advances the statement: STORE_ROW, STORE_DONE or an error rc. */
int store_step(struct store_stmt *st);
/* Column readers for the current row; col counts from 0. Text stays valid
 * until the next store_step() or store_done(); NULL for SQL NULL. */
int64_t store_col_int(struct store_stmt *st, int col);
const char *store_col_text(struct store_stmt *st, int col);
bool store_col_null(struct store_stmt *st, int col);
/* The byte length of a text column (after store_col_text; 0 for NULL). */
size_t store_col_len(struct store_stmt *st, int col);
/* A column as text with its length, for reading many rows fast: integers
 * may be written into scratch (at least STORE_INT_TEXT bytes) instead of
 * being converted by the database. NULL for SQL NULL. */
#define STORE_INT_TEXT 24
const char *store_col_text_buf(struct store_stmt *st, int col, char *scratch, size_t *len);
/* Finishes with the statement: clears bindings and results. */
void store_done(struct store_stmt *st);

/* Runs fixed SQL without parameters (one or more statements, no rows
 * wanted); returns STORE_OK or an error rc. */
int store_exec(struct store *s, const char *sql);

/* Runs fn inside a write transaction. fn returns STORE_OK to commit, or
 * anything else to roll back and return it. A STORE_RETRY from fn or from
 * COMMIT rolls back and runs fn again (bounded attempts with back-off).
 * Writers are serialised on SQLite; PostgreSQL runs READ COMMITTED. */
int store_tx(struct store *s, int (*fn)(struct store *s, void *ctx), void *ctx);
/* The same, committed together with other such transactions on every
 * backend (SQLite does so for all). For transactions that serialise on
 * one row anyway, such as sign-ups for one shift: on PostgreSQL each
 * would otherwise hold the row's lock through its own commit and fsync,
 * while a group pays one fsync for all of them. fn may run on another
 * thread's connection, inside a savepoint. */
int store_tx_grouped(struct store *s, int (*fn)(struct store *s, void *ctx), void *ctx);
/* Whether reads cost less inside a grouped transaction than on the
 * caller's own connection: on SQLite every commit empties the page cache
 * of every other connection, while the group's connection keeps its own;
 * on PostgreSQL the buffers are shared and the group's one connection is
 * what everyone waits for. */
bool store_group_reads_cheaper(struct store *s);

#endif
