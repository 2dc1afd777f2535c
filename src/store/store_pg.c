/* PostgreSQL backend over libpq: one connection per thread, statements
 * prepared once per connection (named s1, s2, …) and executed with text
 * parameters; those of store_prepare_per_value are sent whole each run
 * instead. A lost connection is reset and its statements re-prepared. */
#include "store/store_int.h"
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_stmt {
	struct store_stmt base;
	char name[16];
	unsigned generation;       /* connection generation it was prepared on */
	int nparams;
	const char *vals[STORE_MAX_PARAMS];
	char *owned[STORE_MAX_PARAMS];
	char ints[STORE_MAX_PARAMS][24];
	PGresult *res;
	int row, nrows;
	bool executed;
	bool per_value;            /* never prepared: PQexecParams every run */
};

/* store->db for this backend: the connection and how many times it has
 * been reset, so statements know when to prepare again. */
struct pg_conn {
	PGconn *conn;
	unsigned generation;
};

static int classify(struct store *s, PGresult *res)
{
	struct pg_conn *pc = s->db;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(pc->conn);
	store_set_err(s, "%s", msg && *msg ? msg : PQerrorMessage(pc->conn));
	size_t n = strlen(s->err);
	while (n && (s->err[n - 1] == '\n' || s->err[n - 1] == ' '))
		s->err[--n] = 0;
	if (PQstatus(pc->conn) == CONNECTION_BAD) {
		PQreset(pc->conn);
		pc->generation++;
		s->tx_depth = 0;
		return STORE_ERROR;
	}
	if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		return STORE_RETRY;
	if (state && strncmp(state, "23", 2) == 0)
		return STORE_CONSTRAINT;
	return STORE_ERROR;
}

static void notice_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;   /* "relation already exists, skipping" and friends */
}

static int pg_connect(struct store_pool *p, struct store *s)
{
	PGconn *conn = PQconnectdb(p->target);
	if (PQstatus(conn) != CONNECTION_OK) {
		store_set_err(s, "%s", PQerrorMessage(conn));
		PQfinish(conn);
		return -1;
	}
	PQsetNoticeProcessor(conn, notice_quiet, NULL);
	PGresult *r = PQexec(conn, "SET TIME ZONE 'UTC'");
	PQclear(r);
	struct pg_conn *pc = calloc(1, sizeof(*pc));
	if (!pc)
		abort();
	pc->conn = conn;
	s->db = pc;
	return 0;
}

static void pg_disconnect(struct store *s)
{
	struct pg_conn *pc = s->db;
	PQfinish(pc->conn);
	free(pc);
	s->db = NULL;
}

static int ensure_prepared(struct pg_stmt *ps)
{
	struct store *s = ps->base.owner;
	struct pg_conn *pc = s->db;
	if (ps->name[0] && ps->generation == pc->generation)
		return 0;
	snprintf(ps->name, sizeof(ps->name), "s%u", ++s->stmt_seq);
	PGresult *r = PQprepare(pc->conn, ps->name, ps->base.sql, 0, NULL);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok) {
		classify(s, r);
		ps->name[0] = 0;
	}
	PQclear(r);
	ps->generation = pc->generation;
	return ok ? 0 : -1;
}

static struct store_stmt *pg_prepare(struct store *s, const char *sql)
{
	struct pg_stmt *ps = calloc(1, sizeof(*ps));
	if (!ps)
		abort();
	ps->base.owner = s;
	ps->base.sql = sql;
	if (ensure_prepared(ps) != 0) {
		free(ps);
		return NULL;
	}
	return &ps->base;
}

/* Sent with its values each run: the server plans the unnamed statement
 * for them every time, where a named one may settle on a generic plan
 * that suits one organisation and costs another tenfold. */
static struct store_stmt *pg_prepare_per_value(struct store *s, const char *sql)
{
	struct pg_stmt *ps = calloc(1, sizeof(*ps));
	if (!ps)
		abort();
	ps->base.owner = s;
	ps->base.sql = sql;
	ps->per_value = true;
	return &ps->base;
}

static void clear_params(struct pg_stmt *ps)
{
	for (int i = 0; i < STORE_MAX_PARAMS; i++) {
		free(ps->owned[i]);
		ps->owned[i] = NULL;
		ps->vals[i] = NULL;
	}
	ps->nparams = 0;
}

static void pg_reset(struct store_stmt *st)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	PQclear(ps->res);
	ps->res = NULL;
	ps->executed = false;
	ps->row = ps->nrows = 0;
	clear_params(ps);
}

static void pg_finalize(struct store_stmt *st)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	pg_reset(st);
	struct pg_conn *pc = st->owner->db;
	if (pc && ps->name[0] && ps->generation == pc->generation) {
		char sql[48];
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", ps->name);
		PQclear(PQexec(pc->conn, sql));
	}
	free(ps);
}

static int slot(struct pg_stmt *ps, int idx)
{
	if (idx < 1 || idx > STORE_MAX_PARAMS)
		abort();   /* a programming error, not an input error */
	int i = idx - 1;
	free(ps->owned[i]);
	ps->owned[i] = NULL;
	if (idx > ps->nparams)
		ps->nparams = idx;
	return i;
}

static void pg_bind_int(struct store_stmt *st, int idx, int64_t v)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	int i = slot(ps, idx);
	snprintf(ps->ints[i], sizeof(ps->ints[i]), "%lld", (long long)v);
	ps->vals[i] = ps->ints[i];
}

static void pg_bind_text(struct store_stmt *st, int idx, const char *t)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	int i = slot(ps, idx);
	ps->owned[i] = strdup(t);
	if (!ps->owned[i])
		abort();
	ps->vals[i] = ps->owned[i];
}

static void pg_bind_null(struct store_stmt *st, int idx)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	int i = slot(ps, idx);
	ps->vals[i] = NULL;
}

static int pg_step(struct store_stmt *st)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	struct store *s = st->owner;
	struct pg_conn *pc = s->db;
	if (!ps->executed) {
		if (ps->per_value)
			ps->res = PQexecParams(pc->conn, st->sql, ps->nparams, NULL, ps->vals, NULL, NULL, 0);
		else if (ensure_prepared(ps) != 0)
			return STORE_ERROR;
		else
			ps->res = PQexecPrepared(pc->conn, ps->name, ps->nparams, ps->vals,
						 NULL, NULL, 0);
		ps->executed = true;
		ExecStatusType es = PQresultStatus(ps->res);
		if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK)
			return classify(s, ps->res);
		ps->nrows = PQntuples(ps->res);
		ps->row = -1;
	}
	if (ps->row + 1 < ps->nrows) {
		ps->row++;
		return STORE_ROW;
	}
	ps->row = ps->nrows;
	return STORE_DONE;
}

static int64_t pg_col_int(struct store_stmt *st, int col)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	if (!ps->res || ps->row < 0 || ps->row >= ps->nrows ||
	    PQgetisnull(ps->res, ps->row, col))
		return 0;
	return strtoll(PQgetvalue(ps->res, ps->row, col), NULL, 10);
}

static const char *pg_col_text(struct store_stmt *st, int col)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	if (!ps->res || ps->row < 0 || ps->row >= ps->nrows ||
	    PQgetisnull(ps->res, ps->row, col))
		return NULL;
	return PQgetvalue(ps->res, ps->row, col);
}

static size_t pg_col_len(struct store_stmt *st, int col)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	if (!ps->res || ps->row < 0 || ps->row >= ps->nrows)
		return 0;
	return (size_t)PQgetlength(ps->res, ps->row, col);
}

static const char *pg_col_text_buf(struct store_stmt *st, int col, char *scratch, size_t *len)
{
	(void)scratch;   /* libpq already has every value as text */
	const char *t = pg_col_text(st, col);
	*len = t ? pg_col_len(st, col) : 0;
	return t;
}

static bool pg_col_null(struct store_stmt *st, int col)
{
	struct pg_stmt *ps = (struct pg_stmt *)st;
	return !ps->res || ps->row < 0 || ps->row >= ps->nrows ||
	       PQgetisnull(ps->res, ps->row, col);
}

static int pg_exec(struct store *s, const char *sql)
{
	struct pg_conn *pc = s->db;
	PGresult *r = PQexec(pc->conn, sql);
	ExecStatusType es = PQresultStatus(r);
	int rc = (es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK) ? STORE_OK : classify(s, r);
	PQclear(r);
	return rc;
}

static int pg_begin(struct store *s)
{
	return pg_exec(s, "BEGIN");
}

static int pg_commit(struct store *s)
{
	int rc = pg_exec(s, "COMMIT");
	if (rc != STORE_OK)
		pg_exec(s, "ROLLBACK");
	return rc;
}

static void pg_rollback(struct store *s)
{
	pg_exec(s, "ROLLBACK");
}

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.id_column = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
	.without_rowid = "",
	.connect = pg_connect,
	.disconnect = pg_disconnect,
	.prepare = pg_prepare,
	.prepare_per_value = pg_prepare_per_value,
	.finalize = pg_finalize,
	.bind_int = pg_bind_int,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.col_int = pg_col_int,
	.col_text = pg_col_text,
	.col_len = pg_col_len,
	.col_text_buf = pg_col_text_buf,
	.col_null = pg_col_null,
	.reset = pg_reset,
	.exec = pg_exec,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
};
