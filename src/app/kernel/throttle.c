/* Throttles: attempts counted per key (an account, a client address, a
 * phone) in the login_throttle table, with waits that double once the
 * free attempts are used (core/throttle.h has the policy). Sign-in,
 * registration and claims use them; this room is the table's one writer. */
#include "app/kernel/kernel.h"
#include "app/kernel/throttle.h"
#include "core/throttle.h"
#include "util/timeutil.h"
#include <assert.h>

#define THROTTLE_FORGET 900      /* seconds without failures that reset a key */

/* Seconds the caller must still wait before trying keys a or b. */
int app_throttle_remaining(struct app_req *r, const char *a, const char *b, int64_t *wait)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT blocked_until FROM login_throttle WHERE key = $1 OR key = $2");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, a);
	store_bind_text(st, 2, b);
	int64_t now = app_now();
	int rc;
	*wait = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t w = store_col_int(st, 0) - now;
		if (w > *wait)
			*wait = w;
	}
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* Makes key wait seconds (nothing when 0), for at least the whole wait:
 * the end is kept in seconds, so it is rounded up (rounded down, a
 * one-second block that began late in a second was over at once). */
static int throttle_block(struct store *s, const char *key, int64_t wait)
{
	assert(wait >= 0);
	if (wait == 0)
		return STORE_OK;
	int64_t until = (time_now_ms() + wait * 1000 + 999) / 1000;
	struct store_stmt *st = store_prepare(s, "UPDATE login_throttle SET blocked_until = $2 WHERE key = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, key);
	store_bind_int(st, 2, until);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int app_throttle_bump(struct store *s, const char *key, const struct throttle_policy *pol)
{
	int64_t now = app_now();
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO login_throttle (key, failures, blocked_until, updated_at)"
		" VALUES ($1, 1, 0, $2) ON CONFLICT (key) DO UPDATE SET"
		" failures = CASE WHEN login_throttle.updated_at < $3 THEN 1"
		" ELSE login_throttle.failures + 1 END, updated_at = $2"
		" RETURNING failures");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, key);
	store_bind_int(st, 2, now);
	store_bind_int(st, 3, now - THROTTLE_FORGET);
	int rc = store_step(st);
	int64_t failures = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	return throttle_block(s, key, throttle_wait(pol, failures));
}

struct note_ctx {
	const char *key;
	struct throttle_policy pol;
};

static int note_tx(struct store *s, void *vctx)
{
	struct note_ctx *c = vctx;
	return app_throttle_bump(s, c->key, &c->pol);
}

int app_throttle_note(struct app_req *r, const char *key, int free, int base, int max)
{
	assert(key && *key);
	struct note_ctx c = { key, { free, base, max } };
	int rc = store_tx(r->store, note_tx, &c);
	return rc == STORE_OK ? 0 : app_store_fail(r, rc);
}

struct take_ctx {
	const char *key;
	struct throttle_policy pol;
	int64_t wait;      /* > 0: refused, the key waits this long */
};

/* Counts only while the key does not wait (the upsert's WHERE), and sets
 * the wait in the same transaction: a parallel take waits for the row and
 * then sees it. */
static int take_tx(struct store *s, void *vctx)
{
	struct take_ctx *c = vctx;
	int64_t now = app_now();
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO login_throttle (key, failures, blocked_until, updated_at)"
		" VALUES ($1, 1, 0, $2) ON CONFLICT (key) DO UPDATE SET"
		" failures = CASE WHEN login_throttle.updated_at < $3 THEN 1"
		" ELSE login_throttle.failures + 1 END, updated_at = $2"
		" WHERE login_throttle.blocked_until <= $2 RETURNING failures");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->key);
	store_bind_int(st, 2, now);
	store_bind_int(st, 3, now - THROTTLE_FORGET);
	int rc = store_step(st);
	int64_t failures = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc == STORE_DONE) {
		/* waiting already: not counted, as a check would refuse it */
		st = store_prepare(s, "SELECT blocked_until FROM login_throttle WHERE key = $1");
		if (!st)
			return STORE_ERROR;
		store_bind_text(st, 1, c->key);
		rc = store_step(st);
		c->wait = rc == STORE_ROW ? store_col_int(st, 0) - now : 1;
		store_done(st);
		if (c->wait < 1)
			c->wait = 1;
		return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
	}
	if (rc != STORE_ROW)
		return rc;
	/* this attempt is served (as with a check then a note); the ones after
	 * it find the wait */
	return throttle_block(s, c->key, throttle_wait(&c->pol, failures));
}

int app_throttle_take(struct app_req *r, const char *key, int free, int base, int max, const char *code)
{
	assert(key && *key && code);
	struct take_ctx c = { key, { free, base, max }, 0 };
	int rc = store_tx(r->store, take_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	if (c.wait > 0) {
		r->err.retry_after = c.wait;
		return app_fail(r, APP_ETHROTTLED, code, NULL);
	}
	return 0;
}

int app_throttle_refund(struct app_req *r, const char *key, int free)
{
	struct store_stmt *st = store_prepare(r->store,
		"UPDATE login_throttle SET failures = failures - 1,"
		" blocked_until = CASE WHEN failures - 1 < $2 THEN 0 ELSE blocked_until END"
		" WHERE key = $1 AND failures > 0");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, key);
	store_bind_int(st, 2, free);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

int app_throttle_check(struct app_req *r, const char *key, const char *code)
{
	int64_t wait;
	int rc = app_throttle_remaining(r, key, key, &wait);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	if (wait > 0) {
		r->err.retry_after = wait;
		return app_fail(r, APP_ETHROTTLED, code, NULL);
	}
	return 0;
}

int app_throttle_forget(struct store *s, const char *key)
{
	struct store_stmt *st = store_prepare(s, "DELETE FROM login_throttle WHERE key = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, key);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}
