/* Private to store/: the backend vtable and the shared structures. */
#ifndef ZY_STORE_INT_H
#define ZY_STORE_INT_H
#include "store/store.h"
#include <pthread.h>

#define STORE_MAX_PARAMS 32
#define STORE_CACHE_SLOTS 256

struct store_ops {
	const char *name;
	/* dialect texts that replace {{id}} and {{without_rowid}} in migrations */
	const char *id_column;
	const char *without_rowid;
	int (*connect)(struct store_pool *p, struct store *s);
	void (*disconnect)(struct store *s);
	struct store_stmt *(*prepare)(struct store *s, const char *sql);
	/* store_prepare_per_value; NULL: prepare */
	struct store_stmt *(*prepare_per_value)(struct store *s, const char *sql);
	void (*finalize)(struct store_stmt *st);
	void (*bind_int)(struct store_stmt *st, int idx, int64_t v);
	void (*bind_text)(struct store_stmt *st, int idx, const char *t);
	void (*bind_null)(struct store_stmt *st, int idx);
	int (*step)(struct store_stmt *st);
	int64_t (*col_int)(struct store_stmt *st, int col);
	const char *(*col_text)(struct store_stmt *st, int col);
	size_t (*col_len)(struct store_stmt *st, int col);
	const char *(*col_text_buf)(struct store_stmt *st, int col, char *scratch, size_t *len);
	bool (*col_null)(struct store_stmt *st, int col);
	void (*reset)(struct store_stmt *st);
	/* runs SQL without parameters, possibly several statements */
	int (*exec)(struct store *s, const char *sql);
	/* write-transaction brackets */
	bool group_commit;        /* fold concurrent transactions into one commit */
	int (*begin)(struct store *s);
	int (*commit)(struct store *s);
	void (*rollback)(struct store *s);
};

/* The part of every statement the common layer uses. */
struct store_stmt {
	struct store *owner;
	const char *sql;
	bool cached;
	bool busy;
};

struct store {
	struct store_pool *pool;
	const struct store_ops *ops;
	struct store *next_in_pool;
	struct store *next_free;  /* under a limit: in the pool's free list */
	void *db;                 /* sqlite3* or PGconn* */
	char err[512];
	int tx_depth;
	unsigned stmt_seq;        /* PostgreSQL statement names */
	struct {
		const char *sql;
		struct store_stmt *st;
	} cache[STORE_CACHE_SLOTS];
};

struct store_pool {
	const struct store_ops *ops;
	char *target;             /* path for SQLite, conninfo for PostgreSQL */
	pthread_key_t key;
	pthread_mutex_t lock;     /* guards the connection list and the free list */
	/* store_pool_limit: at most `limit` connections out at once (0: one
	 * per thread, kept); `lent` counts them, `free` holds those given
	 * back, `returned` wakes a thread waiting for one */
	unsigned limit, lent;
	struct store *free;
	pthread_cond_t returned;
	pthread_mutex_t writer;   /* SQLite: one writer at a time */
	struct store *all;
	/* group commit (SQLite): transactions waiting for a leader to run
	 * them, and whether one is running a group now */
	pthread_mutex_t group_lock;
	struct tx_job *queue, **queue_tail;
	bool leading;
	/* the connection groups run on, whichever thread leads: one writing
	 * connection keeps its page cache, where a connection per leader
	 * found its cache stale after every other thread's commit */
	struct store *group_conn;
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

/* Records a backend error message on s. */
void store_set_err(struct store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
