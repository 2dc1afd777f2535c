/* Unit tests for store/: the same cases run on SQLite and, when
 * ZHIYUAN_TEST_PG names a PostgreSQL server, on a fresh database there. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "store/store.h"

struct fixture {
	char url[512];
	char admin_url[512];
	char dbname[64];
	char dir[128];
	struct store_pool *pool;
};

static int open_pool(struct fixture *f)
{
	char err[256];
	if (store_pool_open(f->url, &f->pool, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_pool_open(%s): %s\n", f->url, err);
		return -1;
	}
	struct store *s = store_get(f->pool);
	int applied = -1;
	if (store_migrate(s, &applied) != STORE_OK || applied < 1)
		return -1;
	return store_exec(s, "CREATE TABLE unit_kv (k TEXT PRIMARY KEY, v BIGINT NOT NULL, note TEXT)");
}

static int setup_sqlite(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/zhiyuan-unit-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->url, sizeof(f->url), "sqlite:%s/unit.db", f->dir);
	*state = f;
	return open_pool(f);
}

static int teardown_sqlite(void **state)
{
	struct fixture *f = *state;
	store_pool_close(f->pool);
	char path[256];
	const char *suffix[] = { "", "-wal", "-shm" };
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/unit.db%s", f->dir, suffix[i]);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static int admin_exec(struct fixture *f, const char *sql)
{
	char err[256];
	struct store_pool *p;
	if (store_pool_open(f->admin_url, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	int rc = store_exec(store_get(p), sql);
	store_pool_close(p);
	return rc;
}

static int setup_pg(void **state)
{
	const char *admin = getenv("ZHIYUAN_TEST_PG");
	struct fixture *f = calloc(1, sizeof(*f));
	*state = f;
	if (!admin || !*admin)
		return 0;   /* each test then skips */
	snprintf(f->admin_url, sizeof(f->admin_url), "%s", admin);
	snprintf(f->dbname, sizeof(f->dbname), "ut_%d_%ld", (int)getpid(), random() % 100000);
	char sql[128];
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", f->dbname);
	if (admin_exec(f, sql) != STORE_OK)
		return -1;
	const char *slash = strrchr(admin, '/');
	snprintf(f->url, sizeof(f->url), "%.*s/%s", (int)(slash - admin), admin, f->dbname);
	return open_pool(f);
}

static int teardown_pg(void **state)
{
	struct fixture *f = *state;
	if (f->pool) {
		store_pool_close(f->pool);
		char sql[128];
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", f->dbname);
		admin_exec(f, sql);
	}
	free(f);
	return 0;
}

static struct store *conn(void **state)
{
	struct fixture *f = *state;
	if (!f->pool)
		skip();
	struct store *s = store_get(f->pool);
	assert_non_null(s);
	store_exec(s, "DELETE FROM unit_kv");
	return s;
}

static int put(struct store *s, const char *k, int64_t v)
{
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO unit_kv (v, k) VALUES ($2, $1) RETURNING k");
	assert_non_null(st);
	store_bind_text(st, 1, k);
	store_bind_int(st, 2, v);
	int rc = store_step(st);
	store_done(st);
	return rc;
}

static int64_t get(struct store *s, const char *k)
{
	struct store_stmt *st = store_prepare(s, "SELECT v FROM unit_kv WHERE k = $1");
	store_bind_text(st, 1, k);
	int rc = store_step(st);
	int64_t v = rc == STORE_ROW ? store_col_int(st, 0) : -1;
	store_done(st);
	return v;
}

static void migrations_apply_once(void **state)
{
	struct store *s = conn(state);
	int applied = -1;
	assert_int_equal(store_migrate(s, &applied), STORE_OK);
	assert_int_equal(applied, 0);
}

static void bind_step_and_read(void **state)
{
	struct store *s = conn(state);
	assert_int_equal(put(s, "温江", 510115), STORE_ROW);
	assert_int_equal(get(s, "温江"), 510115);
	assert_int_equal(get(s, "missing"), -1);
	/* the same statement again comes from the cache */
	assert_int_equal(put(s, "b", INT64_MAX), STORE_ROW);
	assert_true(get(s, "b") == INT64_MAX);
	struct store_stmt *st = store_prepare(s, "SELECT note, v FROM unit_kv WHERE k = $1");
	store_bind_text(st, 1, "b");
	assert_int_equal(store_step(st), STORE_ROW);
	assert_true(store_col_null(st, 0));
	assert_null(store_col_text(st, 0));
	assert_false(store_col_null(st, 1));
	assert_int_equal(store_step(st), STORE_DONE);
	store_done(st);
}

static void unique_violation_is_constraint(void **state)
{
	struct store *s = conn(state);
	assert_int_equal(put(s, "dup", 1), STORE_ROW);
	assert_int_equal(put(s, "dup", 2), STORE_CONSTRAINT);
	assert_int_equal(get(s, "dup"), 1);
}

static int tx_insert_then_fail(struct store *s, void *ctx)
{
	if (put(s, "in-tx", 7) != STORE_ROW)
		return STORE_ERROR;
	return *(int *)ctx;
}

static void transactions_commit_or_roll_back(void **state)
{
	struct store *s = conn(state);
	int want = STORE_ERROR;
	assert_int_equal(store_tx(s, tx_insert_then_fail, &want), STORE_ERROR);
	assert_int_equal(get(s, "in-tx"), -1);
	want = STORE_OK;
	assert_int_equal(store_tx(s, tx_insert_then_fail, &want), STORE_OK);
	assert_int_equal(get(s, "in-tx"), 7);
}

static void nested_use_of_one_statement(void **state)
{
	struct store *s = conn(state);
	put(s, "a", 1);
	put(s, "b", 2);
	static const char q[] = "SELECT k FROM unit_kv WHERE v >= $1 ORDER BY k";
	struct store_stmt *outer = store_prepare(s, q);
	store_bind_int(outer, 1, 1);
	assert_int_equal(store_step(outer), STORE_ROW);
	struct store_stmt *inner = store_prepare(s, q);   /* busy: a fresh one */
	assert_ptr_not_equal(inner, outer);
	store_bind_int(inner, 1, 2);
	assert_int_equal(store_step(inner), STORE_ROW);
	assert_string_equal(store_col_text(inner, 0), "b");
	store_done(inner);
	assert_string_equal(store_col_text(outer, 0), "a");
	store_done(outer);
}

static int tx_increment(struct store *s, void *ctx)
{
	struct store_stmt *st = store_prepare(s, "UPDATE unit_kv SET v = v + 1 WHERE k = 'n'");
	if (!st)
		return STORE_ERROR;
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static void *writer(void *arg)
{
	struct fixture *f = arg;
	struct store *s = store_get(f->pool);
	for (int i = 0; i < 100; i++)
		if (store_tx(s, tx_increment, NULL) != STORE_OK)
			return (void *)1;
	return NULL;
}

static void concurrent_writers_lose_nothing(void **state)
{
	struct fixture *f = *state;
	struct store *s = conn(state);
	put(s, "n", 0);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, writer, f);
	for (int i = 0; i < 4; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		assert_null(ret);
	}
	assert_int_equal(get(s, "n"), 400);
}

/* A transaction of the mixed-writers test: job i of thread t. */
struct mixed_job {
	int t, i;
};

static int mixed_insert(struct store *s, const char *k, int64_t v)
{
	struct store_stmt *st = store_prepare(s, "INSERT INTO unit_kv (k, v) VALUES ($1, $2)");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, k);
	store_bind_int(st, 2, v);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* Every 7th job races for one key (one wins, the rest fail on the
 * constraint); every 5th writes and then fails; the rest write a row. */
static int tx_mixed(struct store *s, void *ctx)
{
	struct mixed_job *j = ctx;
	if (j->i % 7 == 3)
		return mixed_insert(s, "dup", j->t);
	char k[32];
	snprintf(k, sizeof(k), "m-%d-%d", j->t, j->i);
	int rc = mixed_insert(s, k, j->i);
	return rc != STORE_OK ? rc : j->i % 5 == 4 ? STORE_ERROR : STORE_OK;
}

#define MIXED_THREADS 8
#define MIXED_JOBS 150
static int mixed_dup_wins;

static void *mixed_writer(void *arg)
{
	struct fixture *f = arg;
	static int next_t;
	int t = __atomic_fetch_add(&next_t, 1, __ATOMIC_SEQ_CST);
	struct store *s = store_get(f->pool);
	for (int i = 0; i < MIXED_JOBS; i++) {
		struct mixed_job j = { t, i };
		int rc = store_tx(s, tx_mixed, &j);
		int want = i % 7 == 3 ? -1 : i % 5 == 4 ? STORE_ERROR : STORE_OK;
		if (i % 7 == 3) {
			if (rc == STORE_OK)
				__atomic_fetch_add(&mixed_dup_wins, 1, __ATOMIC_SEQ_CST);
			else if (rc != STORE_CONSTRAINT)
				return (void *)1;
		} else if (rc != want) {
			return (void *)1;
		}
	}
	return NULL;
}

/* Many threads' transactions at once (on SQLite folded into shared
 * commits): each succeeds or fails as it would alone, and what failed
 * leaves nothing behind. */
static void concurrent_transactions_fail_alone(void **state)
{
	struct fixture *f = *state;
	struct store *s = conn(state);
	mixed_dup_wins = 0;
	pthread_t t[MIXED_THREADS];
	for (int i = 0; i < MIXED_THREADS; i++)
		pthread_create(&t[i], NULL, mixed_writer, f);
	for (int i = 0; i < MIXED_THREADS; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		assert_null(ret);
	}
	assert_int_equal(mixed_dup_wins, 1);
	int per_thread = 0;
	for (int i = 0; i < MIXED_JOBS; i++)
		per_thread += i % 7 != 3 && i % 5 != 4;
	struct store_stmt *st = store_prepare(s, "SELECT count(*) FROM unit_kv WHERE k LIKE 'm-%'");
	assert_int_equal(store_step(st), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), MIXED_THREADS * per_thread);
	store_done(st);
	st = store_prepare(s, "SELECT count(*) FROM unit_kv WHERE k LIKE 'm-%' AND v % 5 = 4");
	assert_int_equal(store_step(st), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), 0);
	store_done(st);
}


/* The shift rules of 0013_projects.sql hold in the database itself, on
 * both backends: whatever code writes, a shift is never overbooked and a
 * volunteer never holds the same or two overlapping shifts. */
static void shift_rules_hold_in_the_database(void **state)
{
	struct store *s = conn(state);
	static const char *const setup[] = {
		"INSERT INTO orgs (id, path, name, kind, region_code, created_at, updated_at)"
		" VALUES (9001, '/9001/', 'unit org', 'federation', '510115', 0, 0)",
		"INSERT INTO users (id, username, password_hash, roles, org_id, region_code, created_at, updated_at)"
		" VALUES (9001, 'unit-user', 'x', 'admin', 9001, '510115', 0, 0)",
		"INSERT INTO volunteers (id, volunteer_number, name, gender, birth_date, id_type, id_masked, region_code,"
		" sensitive_consent_at, consent_version, home_org_id, source, created_at, updated_at)"
		" VALUES (9001, 'U9001', 'unit', 'female', '1990-01-01', 'resident_id', 'x', '510115', 0, 'v', 9001, 'staff', 0, 0)",
		"INSERT INTO projects (id, org_id, domain, category, title, region_code, created_at, updated_at)"
		" VALUES (9001, 9001, 'public_welfare', 'c', 'unit project', '510115', 0, 0)",
		"INSERT INTO activities (id, org_id, project_id, name, starts_at, ends_at, place, region_code, created_at, updated_at)"
		" VALUES (9001, 9001, 9001, 'a', 0, 7200, 'p', '510115', 0, 0),"
		" (9002, 9001, 9001, 'b', 3600, 10800, 'p', '510115', 0, 0),"
		" (9003, 9001, 9001, 'c', 7200, 9000, 'p', '510115', 0, 0)",
		"INSERT INTO shifts (id, project_id, activity_id, starts_at, ends_at, place, capacity, waitlist,"
		" signup_deadline, cancel_before, code_key, created_at) VALUES"
		" (9001, 9001, 9001, 0, 7200, 'p', 1, 0, 0, 0, 'k', 0),"
		" (9002, 9001, 9002, 3600, 10800, 'p', 1, 0, 0, 0, 'k', 0),"
		" (9003, 9001, 9003, 7200, 9000, 'p', 1, 0, 0, 0, 'k', 0)",
	};
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
		assert_int_equal(store_exec(s, setup[i]), STORE_OK);
	/* capacity and waitlist: the counters cannot pass them */
	assert_int_equal(store_exec(s, "UPDATE shifts SET confirmed = 2 WHERE id = 9001"), STORE_CONSTRAINT);
	assert_int_equal(store_exec(s, "UPDATE shifts SET waitlisted = 1 WHERE id = 9001"), STORE_CONSTRAINT);
	assert_int_equal(store_exec(s, "UPDATE shifts SET confirmed = 1 WHERE id = 9001"), STORE_OK);
	/* one live sign-up per volunteer and shift */
	static const char ins[] = "INSERT INTO signups (shift_id, volunteer_id, status, arrival, busy_from, busy_to,"
				  " live, created_at) VALUES ";
	char sql[512];
	snprintf(sql, sizeof(sql), "%s(9001, 9001, 'confirmed', 1, 0, 7200, 1, 0)", ins);
	assert_int_equal(store_exec(s, sql), STORE_OK);
	snprintf(sql, sizeof(sql), "%s(9001, 9001, 'waitlisted', 2, 0, 7200, 1, 0)", ins);
	assert_int_equal(store_exec(s, sql), STORE_CONSTRAINT);
	/* overlapping shifts of one volunteer (9002 overlaps 9001 by an hour) */
	snprintf(sql, sizeof(sql), "%s(9002, 9001, 'confirmed', 1, 3600, 10800, 1, 0)", ins);
	assert_int_equal(store_exec(s, sql), STORE_CONSTRAINT);
	/* back to back is fine; cancelled sign-ups hold nothing */
	snprintf(sql, sizeof(sql), "%s(9003, 9001, 'confirmed', 1, 7200, 9000, 1, 0)", ins);
	assert_int_equal(store_exec(s, sql), STORE_OK);
	snprintf(sql, sizeof(sql), "%s(9002, 9001, 'cancelled', 2, 3600, 10800, 0, 0)", ins);
	assert_int_equal(store_exec(s, sql), STORE_OK);
	/* live and status agree */
	snprintf(sql, sizeof(sql), "%s(9002, 9001, 'cancelled', 3, 3600, 10800, 1, 0)", ins);
	assert_int_equal(store_exec(s, sql), STORE_CONSTRAINT);
}

/* Threads of the limited-pool test: each borrows a connection, counts
 * how many are out at once and which ones it saw, and gives it back. */
#define LIMIT_THREADS 6
static pthread_mutex_t limit_lock = PTHREAD_MUTEX_INITIALIZER;
static int limit_out, limit_most;
static struct store *limit_seen[LIMIT_THREADS * 2];
static int limit_nseen;

static void *borrower(void *arg)
{
	struct fixture *f = arg;
	for (int i = 0; i < 40; i++) {
		struct store *s = store_get(f->pool);
		if (!s)
			return (void *)1;
		pthread_mutex_lock(&limit_lock);
		if (++limit_out > limit_most)
			limit_most = limit_out;
		int k = 0;
		while (k < limit_nseen && limit_seen[k] != s)
			k++;
		if (k == limit_nseen && limit_nseen < LIMIT_THREADS * 2)
			limit_seen[limit_nseen++] = s;
		pthread_mutex_unlock(&limit_lock);
		int rc = store_tx(s, tx_increment, NULL);
		pthread_mutex_lock(&limit_lock);
		limit_out--;
		pthread_mutex_unlock(&limit_lock);
		store_return(f->pool);
		if (rc != STORE_OK)
			return (void *)1;
	}
	return NULL;
}

static void a_limited_pool_lends_and_waits(void **state)
{
	struct fixture *f = *state;
	struct store *s = conn(state);
	put(s, "n", 0);
	limit_out = limit_most = limit_nseen = 0;
	store_pool_limit(f->pool, 2);   /* gives this thread's back */
	pthread_t t[LIMIT_THREADS];
	for (int i = 0; i < LIMIT_THREADS; i++)
		pthread_create(&t[i], NULL, borrower, f);
	for (int i = 0; i < LIMIT_THREADS; i++) {
		void *ret;
		pthread_join(t[i], &ret);
		assert_null(ret);
	}
	assert_true(limit_most >= 1 && limit_most <= 2);
	assert_true(limit_nseen >= 1 && limit_nseen <= 2);
	s = store_get(f->pool);
	assert_int_equal(get(s, "n"), LIMIT_THREADS * 40);
	store_return(f->pool);
	store_pool_limit(f->pool, 0);
}

static void bad_sql_is_an_error_not_a_crash(void **state)
{
	struct store *s = conn(state);
	assert_null(store_prepare(s, "SELEC nonsense"));
	assert_true(strlen(store_errmsg(s)) > 0);
	assert_int_equal(put(s, "after", 1), STORE_ROW);
}

/* store_prepare_per_value: right rows for each run's values, past the
 * five runs after which PostgreSQL may turn a prepared statement generic,
 * and never a prepared statement on the server. */
static void per_value_statements_follow_their_values(void **state)
{
	struct fixture *f = *state;
	struct store *s = conn(state);
	put(s, "a", 1);
	put(s, "b", 2);
	put(s, "c", 3);
	static const char q[] = "SELECT count(*) FROM unit_kv WHERE v >= $1";
	for (int64_t run = 0; run < 8; run++) {
		struct store_stmt *st = store_prepare_per_value(s, q);
		assert_non_null(st);
		int64_t k = run % 4;
		store_bind_int(st, 1, k);
		assert_int_equal(store_step(st), STORE_ROW);
		assert_int_equal(store_col_int(st, 0), k <= 1 ? 3 : 4 - k);
		store_done(st);
	}
	if (strcmp(store_pool_backend(f->pool), "postgresql") == 0) {
		struct store_stmt *st = store_prepare(s,
			"SELECT count(*) FROM pg_prepared_statements WHERE statement = $1");
		store_bind_text(st, 1, q);
		assert_int_equal(store_step(st), STORE_ROW);
		assert_int_equal(store_col_int(st, 0), 0);
		store_done(st);
		/* bad SQL is found when it runs */
		st = store_prepare_per_value(s, "SELEC nonsense");
		assert_non_null(st);
		assert_int_equal(store_step(st), STORE_ERROR);
		store_done(st);
	} else {
		assert_null(store_prepare_per_value(s, "SELEC nonsense"));
	}
	assert_int_equal(put(s, "after", 1), STORE_ROW);
}

static void pool_refuses_bad_urls(void **state)
{
	char err[256];
	struct store_pool *p = NULL;
	assert_int_equal(store_pool_open("mysql://x", &p, err, sizeof(err)), -1);
	assert_int_equal(store_pool_open("sqlite:", &p, err, sizeof(err)), -1);
	assert_int_equal(store_pool_open("sqlite:/nonexistent-dir/x/y.db", &p, err, sizeof(err)), -1);
}

#define CASES(setup, teardown) \
	cmocka_unit_test(migrations_apply_once), \
	cmocka_unit_test(bind_step_and_read), \
	cmocka_unit_test(unique_violation_is_constraint), \
	cmocka_unit_test(transactions_commit_or_roll_back), \
	cmocka_unit_test(nested_use_of_one_statement), \
	cmocka_unit_test(concurrent_writers_lose_nothing), \
	cmocka_unit_test(concurrent_transactions_fail_alone), \
	cmocka_unit_test(bad_sql_is_an_error_not_a_crash), \
	cmocka_unit_test(per_value_statements_follow_their_values), \
	cmocka_unit_test(shift_rules_hold_in_the_database), \
	cmocka_unit_test(a_limited_pool_lends_and_waits)

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {
		CASES(setup_sqlite, teardown_sqlite),
		cmocka_unit_test(pool_refuses_bad_urls),
	};
	const struct CMUnitTest pg_tests[] = { CASES(setup_pg, teardown_pg) };
	int failed = cmocka_run_group_tests_name("store_sqlite", sqlite_tests, setup_sqlite, teardown_sqlite);
	failed += cmocka_run_group_tests_name("store_postgresql", pg_tests, setup_pg, teardown_pg);
	return failed;
}
