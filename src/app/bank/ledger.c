/* The points ledger's primitives (points.h): accounts, movements between
 * them, the lots that date a volunteer's points, their expiry, and the
 * check that recomputes every balance. Everything that moves points goes
 * through points_move, inside the caller's transaction. */
#include "app/bank/points.h"
#include "app/kernel/kernel.h"
#include "core/points.h"
#include "util/arena.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int points_account(struct store *s, const char *kind, int64_t owner, int64_t *id)
{
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO point_accounts (kind, owner_id, balance, created_at) VALUES ($1, $2, 0, $3)"
		" ON CONFLICT (kind, owner_id) DO NOTHING");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, kind);
	store_bind_int(st, 2, owner);
	store_bind_int(st, 3, app_now());
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	st = store_prepare(s, "SELECT id FROM point_accounts WHERE kind = $1 AND owner_id = $2");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, kind);
	store_bind_int(st, 2, owner);
	rc = store_step(st);
	if (rc == STORE_ROW)
		*id = store_col_int(st, 0);
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : rc == STORE_DONE ? STORE_ERROR : rc;
}


/* Takes amount from a volunteer's lots, oldest-expiring first (lots that
 * never expire last), and keeps each use with movement. */
static int lots_take(struct store *s, int64_t volunteer, int64_t amount, int64_t movement)
{
	enum { BATCH = 64 };
	while (amount > 0) {
		int64_t id[BATCH], left[BATCH];
		int n = 0, rc;
		struct store_stmt *st = store_prepare(s,
			"SELECT id, remaining FROM point_lots WHERE volunteer_id = $1 AND remaining > 0"
			" ORDER BY CASE WHEN expires_at IS NULL THEN 1 ELSE 0 END, expires_at, id LIMIT 64");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, volunteer);
		while ((rc = store_step(st)) == STORE_ROW && n < BATCH) {
			id[n] = store_col_int(st, 0);
			left[n++] = store_col_int(st, 1);
		}
		store_done(st);
		if (rc != STORE_DONE && rc != STORE_ROW)
			return rc;
		if (n == 0)
			return STORE_ERROR;   /* lots short of the balance: check-ledger names it */
		for (int i = 0; i < n && amount > 0; i++) {
			int64_t take = left[i] < amount ? left[i] : amount;
			static const char *const sql[] = {
				"UPDATE point_lots SET remaining = remaining - $2 WHERE id = $1",
				"INSERT INTO point_lot_uses (movement_id, lot_id, amount) VALUES ($3, $1, $2)",
			};
			for (int q = 0; q < 2; q++) {
				if (!(st = store_prepare(s, sql[q])))
					return STORE_ERROR;
				store_bind_int(st, 1, id[i]);
				store_bind_int(st, 2, take);
				if (q)
					store_bind_int(st, 3, movement);
				rc = store_step(st);
				store_done(st);
				if (rc != STORE_DONE)
					return rc;
			}
			amount -= take;
		}
	}
	return STORE_OK;
}

/* Gives amount to a volunteer: back into the lots movement `restore` took
 * them from (the last taken first), what is left as a new lot. */
static int lots_give(struct store *s, int64_t volunteer, const struct point_move *m)
{
	int64_t amount = m->amount;
	if (m->restore) {
		int64_t id[128], used[128];
		int n = 0, rc;
		/* in the order they were taken */
		struct store_stmt *st = store_prepare(s,
			"SELECT u.lot_id, u.amount FROM point_lot_uses u JOIN point_lots l ON l.id = u.lot_id"
			" WHERE u.movement_id = $1 ORDER BY CASE WHEN l.expires_at IS NULL THEN 1 ELSE 0 END, l.expires_at, l.id");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, m->restore);
		while ((rc = store_step(st)) == STORE_ROW && n < 128) {
			id[n] = store_col_int(st, 0);
			used[n++] = store_col_int(st, 1);
		}
		store_done(st);
		if (rc != STORE_DONE && rc != STORE_ROW)
			return rc;
		/* a part (a redemption's remainder) goes back to the lots taken
		 * last: what was spent came from the oldest */
		for (int i = n - 1; i >= 0 && amount > 0; i--) {
			int64_t put = used[i] < amount ? used[i] : amount;
			if (!(st = store_prepare(s, "UPDATE point_lots SET remaining = remaining + $2 WHERE id = $1")))
				return STORE_ERROR;
			store_bind_int(st, 1, id[i]);
			store_bind_int(st, 2, put);
			rc = store_step(st);
			store_done(st);
			if (rc != STORE_DONE)
				return rc;
			amount -= put;
		}
	}
	if (amount <= 0)
		return STORE_OK;
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO point_lots (volunteer_id, org_id, amount, remaining, expires_at, created_at)"
		" VALUES ($1, $2, $3, $3, $4, $5)");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, volunteer);
	store_bind_int(st, 2, m->org_id);
	store_bind_int(st, 3, amount);
	store_bind_id(st, 4, m->expires_at);
	store_bind_int(st, 5, app_now());
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int points_pay(struct app_req *r, struct store *s, struct point_move *m, const char *field)
{
	int rc = points_move(s, m);
	if (rc == STORE_CONSTRAINT) {
		app_fail(r, APP_ECONFLICT, "insufficient_points", field);
		return STORE_ERROR;
	}
	return rc;
}

int points_move(struct store *s, struct point_move *m)
{
	/* a movement moves something, between two accounts (check-ledger
	 * counts any other as corruption) */
	assert(m->amount > 0 && m->from != m->to);
	struct store_stmt *st = store_prepare(s,
		"UPDATE point_accounts SET balance = balance - $2 WHERE id = $1"
		" AND (kind <> 'volunteer' OR balance >= $2) RETURNING kind, owner_id, balance");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, m->from);
	store_bind_int(st, 2, m->amount);
	int rc = store_step(st);
	int64_t from_volunteer = rc == STORE_ROW && strcmp(store_col_text(st, 0), "volunteer") == 0
		? store_col_int(st, 1) : 0;
	/* a volunteer's balance is never below zero after a move */
	assert(!from_volunteer || store_col_int(st, 2) >= 0);
	store_done(st);
	if (rc == STORE_DONE)
		return STORE_CONSTRAINT;
	if (rc != STORE_ROW)
		return rc;
	st = store_prepare(s, "UPDATE point_accounts SET balance = balance + $2 WHERE id = $1 RETURNING kind, owner_id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, m->to);
	store_bind_int(st, 2, m->amount);
	rc = store_step(st);
	int64_t to_volunteer = rc == STORE_ROW && strcmp(store_col_text(st, 0), "volunteer") == 0
		? store_col_int(st, 1) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	st = store_prepare(s,
		"INSERT INTO point_movements (from_account, to_account, amount, cause, record_id, reason, volunteer_id,"
		" org_id, operator_id, idempotency_key, created_at, voucher_id, sale_id)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, m->from);
	store_bind_int(st, 2, m->to);
	store_bind_int(st, 3, m->amount);
	store_bind_text(st, 4, m->cause);
	store_bind_id(st, 5, m->record_id);
	store_bind_text(st, 6, m->reason);
	store_bind_id(st, 7, m->volunteer_id);
	store_bind_int(st, 8, m->org_id);
	store_bind_id(st, 9, m->operator_id);
	store_bind_text(st, 10, m->idem);
	store_bind_int(st, 11, app_now());
	store_bind_id(st, 12, m->voucher_id);
	store_bind_id(st, 13, m->sale_id);
	rc = store_step(st);
	if (rc == STORE_ROW)
		m->id = store_col_int(st, 0);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	if (from_volunteer && (rc = lots_take(s, from_volunteer, m->amount, m->id)) != STORE_OK)
		return rc;
	return to_volunteer ? lots_give(s, to_volunteer, m) : STORE_OK;
}

int points_expire(struct app_req *r, struct store *s, int64_t volunteer, int64_t now)
{
	/* what has expired, per volunteer and the pool it goes back to; read
	 * whole before any of it moves */
	struct store_stmt *st = store_prepare(s, volunteer
		? "SELECT volunteer_id, org_id, SUM(remaining) FROM point_lots WHERE volunteer_id = $2 AND remaining > 0"
		  " AND expires_at IS NOT NULL AND expires_at <= $1 GROUP BY volunteer_id, org_id ORDER BY volunteer_id, org_id"
		: "SELECT volunteer_id, org_id, SUM(remaining) FROM point_lots WHERE remaining > 0"
		  " AND expires_at IS NOT NULL AND expires_at <= $1 GROUP BY volunteer_id, org_id ORDER BY volunteer_id, org_id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, now);
	if (volunteer)
		store_bind_int(st, 2, volunteer);
	struct due {
		int64_t volunteer, org, amount;
	} *due = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if (!(due = realloc(due, cap * sizeof(*due))))
				abort();
		}
		due[n++] = (struct due){ store_col_int(st, 0), store_col_int(st, 1), store_col_int(st, 2) };
	}
	store_done(st);
	for (size_t i = 0; rc == STORE_DONE && i < n; i++) {
		/* the expired lots are the oldest: taking oldest-first takes them */
		struct point_move m = { .amount = due[i].amount, .cause = "expire", .volunteer_id = due[i].volunteer,
					.org_id = due[i].org, .operator_id = r->who ? r->who->user_id : 0 };
		int r2 = points_account(s, "volunteer", due[i].volunteer, &m.from);
		if (r2 == STORE_OK)
			r2 = points_account(s, "pool", due[i].org, &m.to);
		if (r2 == STORE_OK)
			r2 = points_move(s, &m);
		if (r2 != STORE_OK)
			rc = r2;
	}
	free(due);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* ---- the check ---- */

int points_check_ledger(struct app_req *r, int64_t *movements, int64_t *accounts, int64_t *bad,
			int64_t *sum, char *why, size_t whylen)
{
	*movements = *accounts = *bad = *sum = 0;
	why[0] = 0;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT (SELECT count(*) FROM point_movements), (SELECT count(*) FROM point_accounts),"
		" (SELECT COALESCE(SUM(balance), 0) FROM point_accounts),"
		" (SELECT count(*) FROM point_movements WHERE amount <= 0 OR from_account = to_account)");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	int rc = store_step(st);
	int64_t odd = 0;
	if (rc == STORE_ROW) {
		*movements = store_col_int(st, 0);
		*accounts = store_col_int(st, 1);
		*sum = store_col_int(st, 2);
		odd = store_col_int(st, 3);
	}
	store_done(st);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	if (odd) {
		(*bad)++;
		snprintf(why, whylen, "%lld movements move nothing or move to their own account", (long long)odd);
	}
	/* each balance against what went in and out of it */
	st = store_prepare(r->store,
		"SELECT a.id, a.kind, a.owner_id, a.balance,"
		" COALESCE(i.total, 0) - COALESCE(o.total, 0) FROM point_accounts a"
		" LEFT JOIN (SELECT to_account AS id, SUM(amount) AS total FROM point_movements GROUP BY to_account) i"
		" ON i.id = a.id"
		" LEFT JOIN (SELECT from_account AS id, SUM(amount) AS total FROM point_movements GROUP BY from_account) o"
		" ON o.id = a.id"
		" WHERE a.balance <> COALESCE(i.total, 0) - COALESCE(o.total, 0) OR (a.kind = 'volunteer' AND a.balance < 0)"
		" ORDER BY a.id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (!why[0])
			snprintf(why, whylen, "account %lld (%s %lld): balance %lld, movements say %lld",
				 (long long)store_col_int(st, 0), store_col_text(st, 1), (long long)store_col_int(st, 2),
				 (long long)store_col_int(st, 3), (long long)store_col_int(st, 4));
		(*bad)++;
	}
	store_done(st);
	if (rc != STORE_DONE)
		return app_store_fail(r, rc);
	/* every volunteer's lots hold exactly their balance */
	st = store_prepare(r->store,
		"SELECT a.owner_id, a.balance, COALESCE(l.total, 0) FROM point_accounts a"
		" LEFT JOIN (SELECT volunteer_id, SUM(remaining) AS total FROM point_lots GROUP BY volunteer_id) l"
		" ON l.volunteer_id = a.owner_id WHERE a.kind = 'volunteer' AND a.balance <> COALESCE(l.total, 0)"
		" ORDER BY a.owner_id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (!why[0])
			snprintf(why, whylen, "volunteer %lld: balance %lld, lots hold %lld", (long long)store_col_int(st, 0),
				 (long long)store_col_int(st, 1), (long long)store_col_int(st, 2));
		(*bad)++;
	}
	store_done(st);
	if (rc != STORE_DONE)
		return app_store_fail(r, rc);
	if (!*bad && *sum != 0) {
		*bad = 1;
		snprintf(why, whylen, "the balances sum to %lld, not 0", (long long)*sum);
	}
	return 0;
}
