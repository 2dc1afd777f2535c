/* Backend-independent part of the store: pools of per-thread connections,
 * the statement cache and transactions with retry (migrate.c runs the
 * migrations, errors.c keeps the last error). */
#include "store/store_int.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TX_ATTEMPTS 8

static struct store *connection_new(struct store_pool *p)
{
	struct store *s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	s->pool = p;
	s->ops = p->ops;
	if (p->ops->connect(p, s) != 0) {
		log_error("store: cannot open %s database: %s", p->ops->name, s->err);
		free(s);
		return NULL;
	}
	return s;
}

static void connection_free(struct store *s)
{
	for (int i = 0; i < STORE_CACHE_SLOTS; i++)
		if (s->cache[i].st)
			s->ops->finalize(s->cache[i].st);
	s->ops->disconnect(s);
	free(s);
}

int store_pool_open(const char *url, struct store_pool **out, char *err, size_t errlen)
{
	const struct store_ops *ops;
	const char *target;
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
		ops = &store_pg_ops;
		target = url;
	} else if (strncmp(url, "sqlite:", 7) == 0) {
		ops = &store_sqlite_ops;
		target = url + 7;
	} else if (strstr(url, "://") == NULL) {
		ops = &store_sqlite_ops;
		target = url;
	} else {
		snprintf(err, errlen, "unsupported database url (use sqlite:PATH or postgresql://...)");
		return -1;
	}
	if (*target == 0) {
		snprintf(err, errlen, "empty database path");
		return -1;
	}
	struct store_pool *p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	p->ops = ops;
	p->target = strdup(target);
	if (!p->target)
		abort();
	pthread_key_create(&p->key, NULL);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->returned, NULL);
	pthread_mutex_init(&p->writer, NULL);
	pthread_mutex_init(&p->group_lock, NULL);
	p->queue_tail = &p->queue;
	struct store *s = store_get(p);
	if (!s) {
		snprintf(err, errlen, "cannot open the %s database (see the log above)", ops->name);
		store_pool_close(p);
		return -1;
	}
	*out = p;
	return 0;
}

void store_pool_close(struct store_pool *p)
{
	if (!p)
		return;
	struct store *s = p->all;
	while (s) {
		struct store *n = s->next_in_pool;
		connection_free(s);
		s = n;
	}
	pthread_key_delete(p->key);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->returned);
	pthread_mutex_destroy(&p->writer);
	pthread_mutex_destroy(&p->group_lock);
	free(p->target);
	free(p);
}

const char *store_pool_backend(const struct store_pool *p)
{
	return p->ops->name;
}

struct store *store_get(struct store_pool *p)
{
	struct store *s = pthread_getspecific(p->key);
	if (s)
		return s;
	pthread_mutex_lock(&p->lock);
	if (p->limit) {
		while (!p->free && p->lent >= p->limit)
			pthread_cond_wait(&p->returned, &p->lock);
		if (p->free) {
			s = p->free;
			p->free = s->next_free;
			p->lent++;
			pthread_mutex_unlock(&p->lock);
			pthread_setspecific(p->key, s);
			return s;
		}
	}
	p->lent++;   /* counted while it opens, so the limit holds */
	pthread_mutex_unlock(&p->lock);
	s = connection_new(p);
	pthread_mutex_lock(&p->lock);
	if (s) {
		s->next_in_pool = p->all;
		p->all = s;
	} else {
		p->lent--;
		pthread_cond_signal(&p->returned);
	}
	pthread_mutex_unlock(&p->lock);
	if (s)
		pthread_setspecific(p->key, s);
	return s;
}

void store_return(struct store_pool *p)
{
	if (!p->limit)
		return;
	struct store *s = pthread_getspecific(p->key);
	if (!s)
		return;
	if (s->tx_depth > 0) {
		/* a caller bug; keeping the connection is safer than lending a
		 * transaction to another thread */
		log_error("store: connection returned inside a transaction");
		return;
	}
	pthread_setspecific(p->key, NULL);
	pthread_mutex_lock(&p->lock);
	s->next_free = p->free;
	p->free = s;
	assert(p->lent > 0);   /* every connection lent was counted */
	p->lent--;
	pthread_cond_signal(&p->returned);
	pthread_mutex_unlock(&p->lock);
}

bool store_pool_lends(const struct store_pool *p)
{
	return p->limit > 0;
}

void store_pool_limit(struct store_pool *p, unsigned n)
{
	pthread_mutex_lock(&p->lock);
	p->limit = n;
	pthread_mutex_unlock(&p->lock);
	store_return(p);
}

static unsigned slot_of(const char *sql)
{
	uintptr_t h = (uintptr_t)sql;
	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return (unsigned)(h >> 40) % STORE_CACHE_SLOTS;
}

static struct store_stmt *prepare_cached(struct store *s, const char *sql,
					  struct store_stmt *(*prepare)(struct store *s, const char *sql))
{
	unsigned i = slot_of(sql);
	for (unsigned n = 0; n < STORE_CACHE_SLOTS; n++, i = (i + 1) % STORE_CACHE_SLOTS) {
		if (s->cache[i].sql == sql) {
			struct store_stmt *st = s->cache[i].st;
			if (st->busy)
				break;   /* nested use of one text: fall back to a fresh statement */
			st->busy = true;
			return st;
		}
		if (s->cache[i].sql == NULL) {
			struct store_stmt *st = prepare(s, sql);
			if (!st)
				return NULL;
			st->cached = true;
			st->busy = true;
			s->cache[i].sql = sql;
			s->cache[i].st = st;
			return st;
		}
	}
	struct store_stmt *st = prepare(s, sql);
	if (st)
		st->busy = true;
	return st;
}

struct store_stmt *store_prepare(struct store *s, const char *sql)
{
	return prepare_cached(s, sql, s->ops->prepare);
}

struct store_stmt *store_prepare_per_value(struct store *s, const char *sql)
{
	return prepare_cached(s, sql, s->ops->prepare_per_value ? s->ops->prepare_per_value : s->ops->prepare);
}

struct store_stmt *store_prepare_once(struct store *s, const char *sql)
{
	struct store_stmt *st = s->ops->prepare(s, sql);
	if (st) {
		st->busy = true;
		st->cached = false;
	}
	return st;
}

void store_bind_int(struct store_stmt *st, int idx, int64_t v)
{
	st->owner->ops->bind_int(st, idx, v);
}

void store_bind_text(struct store_stmt *st, int idx, const char *t)
{
	if (!t)
		st->owner->ops->bind_null(st, idx);
	else
		st->owner->ops->bind_text(st, idx, t);
}

void store_bind_null(struct store_stmt *st, int idx)
{
	st->owner->ops->bind_null(st, idx);
}

void store_bind_id(struct store_stmt *st, int idx, int64_t v)
{
	if (v)
		st->owner->ops->bind_int(st, idx, v);
	else
		st->owner->ops->bind_null(st, idx);
}

int store_step(struct store_stmt *st)
{
	return st->owner->ops->step(st);
}

int64_t store_col_int(struct store_stmt *st, int col)
{
	return st->owner->ops->col_int(st, col);
}

const char *store_col_text_buf(struct store_stmt *st, int col, char *scratch, size_t *len)
{
	return st->owner->ops->col_text_buf(st, col, scratch, len);
}

size_t store_col_len(struct store_stmt *st, int col)
{
	return st->owner->ops->col_len(st, col);
}

const char *store_col_text(struct store_stmt *st, int col)
{
	return st->owner->ops->col_text(st, col);
}

bool store_col_null(struct store_stmt *st, int col)
{
	return st->owner->ops->col_null(st, col);
}

void store_done(struct store_stmt *st)
{
	if (!st)
		return;
	st->owner->ops->reset(st);
	st->busy = false;
	if (!st->cached)
		st->owner->ops->finalize(st);
}

int store_exec(struct store *s, const char *sql)
{
	return s->ops->exec(s, sql);
}

static void backoff(int attempt)
{
	struct timespec ts = { 0, (long)(1000000L << (attempt < 6 ? attempt : 6)) };
	nanosleep(&ts, NULL);
}

/* One transaction on its own: begin, fn, commit, with retries. */
static int tx_alone(struct store *s, int (*fn)(struct store *, void *), void *ctx)
{
	int rc = STORE_ERROR;
	for (int attempt = 0; attempt < TX_ATTEMPTS; attempt++) {
		rc = s->ops->begin(s);
		if (rc != STORE_OK) {
			if (rc == STORE_RETRY) {
				backoff(attempt);
				continue;
			}
			return rc;
		}
		s->tx_depth = 1;
		rc = fn(s, ctx);
		if (rc == STORE_OK)
			rc = s->ops->commit(s);
		else
			s->ops->rollback(s);
		s->tx_depth = 0;
		if (rc != STORE_RETRY)
			return rc;
		log_debug("store: transaction retry %d: %s", attempt + 1, s->err);
		backoff(attempt);
	}
	return rc;
}

/* A transaction waiting in the group-commit queue. */
struct tx_job {
	int (*fn)(struct store *, void *);
	void *ctx;
	int rc;
	bool done;
	struct tx_job *next;
	struct store *caller;    /* gets the error message of a failed job */
	/* its thread sleeps on its own condition: woken when its job is done,
	 * or when it heads the queue and nobody leads (a broadcast to every
	 * waiter cost a futex storm per group) */
	pthread_cond_t wake;
};

#define GROUP_MAX 64

/* Runs one of the savepoint statements, prepared once per connection. */
static int savepoint(struct store *s, const char *sql)
{
	struct store_stmt *st = store_prepare(s, sql);
	if (!st)
		return STORE_ERROR;
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static const char sp_begin[] = "SAVEPOINT grouped", sp_release[] = "RELEASE grouped",
		  sp_undo[] = "ROLLBACK TO grouped";

/* Runs jobs in one transaction on s, each inside a savepoint so that one
 * that fails leaves the others' writes in place: one commit, one fsync,
 * for all of them. Should the group itself fail (a commit error, a busy
 * database, a savepoint that cannot be rolled back), nothing of it is kept
 * and each job runs again alone, so every job gets the answer it would
 * have had without grouping. */
static void tx_group(struct store *s, struct tx_job **jobs, int n)
{
	if (n == 1) {
		jobs[0]->rc = tx_alone(s, jobs[0]->fn, jobs[0]->ctx);
		return;
	}
	int rc = s->ops->begin(s);
	if (rc != STORE_OK)
		goto alone;
	s->tx_depth = 1;
	for (int i = 0; i < n; i++) {
		if (savepoint(s, sp_begin) != STORE_OK)
			goto abort;
		rc = jobs[i]->fn(s, jobs[i]->ctx);
		if (rc == STORE_OK) {
			if (savepoint(s, sp_release) != STORE_OK)
				goto abort;
		} else if (rc == STORE_RETRY || savepoint(s, sp_undo) != STORE_OK ||
			   savepoint(s, sp_release) != STORE_OK) {
			goto abort;
		}
		jobs[i]->rc = rc;
	}
	rc = s->ops->commit(s);   /* rolls back and unlocks when it fails */
	s->tx_depth = 0;
	if (rc == STORE_OK)
		return;
	goto alone;
abort:
	s->ops->rollback(s);
	s->tx_depth = 0;
alone:
	log_debug("store: group of %d transactions runs one by one: %s", n, s->err);
	for (int i = 0; i < n; i++)
		jobs[i]->rc = tx_alone(s, jobs[i]->fn, jobs[i]->ctx);
}

/* Group commit: the transaction joins a queue; whichever waiting thread
 * finds no group running leads the next one, running every queued
 * transaction (its own included) on the pool's group connection. The
 * others sleep until their transaction is committed. Requests that arrive while a
 * group commits form the next group, so under load each fsync carries
 * many transactions and alone each still commits at once. */
static int tx_queued(struct store *s, int (*fn)(struct store *, void *), void *ctx)
{
	struct store_pool *p = s->pool;
	struct tx_job job = { .fn = fn, .ctx = ctx, .rc = STORE_ERROR, .caller = s };
	pthread_cond_init(&job.wake, NULL);
	pthread_mutex_lock(&p->group_lock);
	*p->queue_tail = &job;
	p->queue_tail = &job.next;
	while (!job.done) {
		if (p->leading) {
			pthread_cond_wait(&job.wake, &p->group_lock);
			continue;
		}
		p->leading = true;
		struct tx_job *batch[GROUP_MAX];
		int n = 0;
		while (p->queue && n < GROUP_MAX) {
			batch[n++] = p->queue;
			p->queue = p->queue->next;
		}
		if (!p->queue)
			p->queue_tail = &p->queue;
		pthread_mutex_unlock(&p->group_lock);
		if (!p->group_conn && (p->group_conn = connection_new(p)) != NULL) {
			pthread_mutex_lock(&p->lock);
			p->group_conn->next_in_pool = p->all;
			p->all = p->group_conn;
			pthread_mutex_unlock(&p->lock);
		}
		if (p->group_conn)
			tx_group(p->group_conn, batch, n);
		else
			for (int i = 0; i < n; i++)   /* no second connection: on our own */
				batch[i]->rc = tx_alone(s, batch[i]->fn, batch[i]->ctx);
		pthread_mutex_lock(&p->group_lock);
		for (int i = 0; i < n; i++) {
			/* a failure reads as the caller's, on the caller's connection */
			if (batch[i]->rc != STORE_OK && p->group_conn && batch[i]->caller != p->group_conn)
				memcpy(batch[i]->caller->err, p->group_conn->err, sizeof(p->group_conn->err));
			batch[i]->done = true;
			pthread_cond_signal(&batch[i]->wake);
		}
		p->leading = false;
		/* whoever queued meanwhile leads the next group */
		if (p->queue)
			pthread_cond_signal(&p->queue->wake);
	}
	pthread_mutex_unlock(&p->group_lock);
	pthread_cond_destroy(&job.wake);
	return job.rc;
}

int store_tx(struct store *s, int (*fn)(struct store *, void *), void *ctx)
{
	if (s->tx_depth > 0)
		return fn(s, ctx);   /* already inside: join the outer transaction */
	return s->ops->group_commit ? tx_queued(s, fn, ctx) : tx_alone(s, fn, ctx);
}

bool store_group_reads_cheaper(struct store *s)
{
	return s->ops->group_commit;
}

int store_tx_grouped(struct store *s, int (*fn)(struct store *s, void *ctx), void *ctx)
{
	if (s->tx_depth > 0)
		return fn(s, ctx);
	return tx_queued(s, fn, ctx);
}

/* Replaces every token in sql with its text; the result is malloc'd. */
