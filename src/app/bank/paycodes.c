/* Pay codes (see paycodes.h). Twelve random digits (libsodium) are short
 * enough to read out and type, and far too many to guess within a code's
 * few minutes, the more so as wrong codes at a counter are throttled
 * (sales.c). Only a keyed digest is stored, as for claim codes, and the
 * digest alone finds the code's volunteer: the counter needs nothing else.
 * Writes pay_codes, and nothing else does (sales.c links its sale through
 * paycodes_link_sale). */
#include "app/bank/paycodes.h"
#include "app/kernel/kernel.h"
#include "app/network/network.h"
#include "util/arena.h"
#include <assert.h>
#include <sodium.h>
#include <string.h>

#define NEW_FREE 20          /* new codes in 15 minutes before waits apply */
#define NEW_TRIES 3          /* fresh draws when a digest is taken already */

/* The stored form of a code: a keyed digest (secrets.h), never the digits. */
static void code_digest(const char code[PAY_CODE_LEN + 1], char out[SECRET_HASH_HEX])
{
	char msg[PAY_CODE_LEN + 8] = "pay:";
	memcpy(msg + 4, code, PAY_CODE_LEN + 1);
	secret_keyed_digest(msg, out);
}

bool paycodes_normal(const char *in, char out[PAY_CODE_LEN + 1])
{
	size_t n = 0;
	for (const char *p = in; *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (*p < '0' || *p > '9' || n == PAY_CODE_LEN)
			return false;
		out[n++] = *p;
	}
	out[n] = '\0';
	return n == PAY_CODE_LEN;
}

struct new_ctx {
	struct app_req *r;
	int64_t volunteer_id, now, expires_at;
	char code[PAY_CODE_LEN + 1];
	const char *status;
};

/* The transaction of paycodes_create: the earlier live code ends and
 * the new one is written (a digest taken already is STORE_CONSTRAINT). */
static int new_tx(struct store *s, void *vctx)
{
	struct new_ctx *c = vctx;
	/* an earlier code that is still live ends now: one code at a time */
	int rc = app_exec_ints(s, "UPDATE pay_codes SET expires_at = $2 WHERE volunteer_id = $1"
			       " AND used_at IS NULL AND expires_at > $2", c->volunteer_id, c->now);
	if (rc != STORE_OK)
		return rc;
	char hash[SECRET_HASH_HEX];
	code_digest(c->code, hash);
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO pay_codes (volunteer_id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->volunteer_id);
	store_bind_text(st, 2, hash);
	store_bind_int(st, 3, c->now);
	store_bind_int(st, 4, c->expires_at);
	rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int paycodes_create(struct app_req *r, json_t **out)
{
	struct new_ctx c = { .r = r };
	if (volunteers_mine_id(r, &c.volunteer_id) != 0)
		return -1;
	bool active;
	int rc = volunteers_active(r->store, c.volunteer_id, &active);
	if (rc != STORE_OK)
		return app_store_fail(r, rc == STORE_DONE ? STORE_ERROR : rc);
	if (!active)
		return app_fail(r, APP_ECONFLICT, "volunteer_inactive", NULL);
	if (app_throttle_take(r, arena_printf(r->arena, "pay-code-new:%lld", (long long)r->who->user_id),
			      NEW_FREE, 30, 900, "too_many_pay_codes") != 0)
		return -1;
	int ttl = app_config(r->app)->pay_code_ttl > 0 ? app_config(r->app)->pay_code_ttl : 180;
	for (int tries = 0; tries < NEW_TRIES; tries++) {
		for (int i = 0; i < PAY_CODE_LEN; i++)
			c.code[i] = (char)('0' + randombytes_uniform(10));
		c.code[PAY_CODE_LEN] = '\0';
		c.now = app_now();
		c.expires_at = c.now + ttl;
		/* a digest taken already (an old code drew the same digits) is a
		 * constraint: draw again */
		rc = store_tx(r->store, new_tx, &c);
		if (rc != STORE_CONSTRAINT)
			break;
	}
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	*out = json_pack("{ss sI ss sI}", "code", c.code, "expires_in", (json_int_t)ttl,
			 "expires_at", app_iso(r, c.expires_at), "volunteer_id", (json_int_t)c.volunteer_id);
	sodium_memzero(c.code, sizeof(c.code));
	return 0;
}

int paycodes_current(struct app_req *r, json_t **out)
{
	int64_t volunteer;
	if (volunteers_mine_id(r, &volunteer) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT p.expires_at, p.used_at, s.id, s.points, s.store_id, t.name FROM pay_codes p"
		" LEFT JOIN sales s ON s.id = p.sale_id LEFT JOIN stores t ON t.id = s.store_id"
		" WHERE p.volunteer_id = $1 ORDER BY p.id DESC LIMIT 1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, volunteer);
	int rc = store_step(st);
	json_t *o = NULL;
	if (rc == STORE_DONE)
		o = json_pack("{ss}", "status", "none");
	else if (rc == STORE_ROW && !store_col_null(st, 1))
		o = json_pack("{ss ss}", "status", "used", "used_at", app_iso(r, store_col_int(st, 1)));
	else if (rc == STORE_ROW)
		o = json_pack("{ss ss}", "status", store_col_int(st, 0) > app_now() ? "live" : "expired",
			      "expires_at", app_iso(r, store_col_int(st, 0)));
	if (o && rc == STORE_ROW && !store_col_null(st, 1) && !store_col_null(st, 2)) {
		/* the store may be gone (LEFT JOIN): its name is then null */
		json_t *sale = json_pack("{sI sI sI ss?}", "id", (json_int_t)store_col_int(st, 2),
			"points", (json_int_t)store_col_int(st, 3), "store_id", (json_int_t)store_col_int(st, 4),
			"store_name", store_col_text(st, 5));
		if (!sale || json_object_set_new(o, "sale", sale) != 0) {
			json_decref(o);
			o = NULL;
		}
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return app_store_fail(r, rc);
	if (!o)
		return app_fail(r, APP_EINTERNAL, "internal", NULL);
	*out = o;
	return 0;
}

int paycodes_take(struct store *s, const char *code, int64_t *id, int64_t *volunteer)
{
	char hash[SECRET_HASH_HEX];
	code_digest(code, hash);
	int64_t now = app_now();
	struct store_stmt *st = store_prepare(s,
		"UPDATE pay_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL"
		" AND expires_at > $2 RETURNING id, volunteer_id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, hash);
	store_bind_int(st, 2, now);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*id = store_col_int(st, 0);
		*volunteer = store_col_int(st, 1);
	}
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

int paycodes_link_sale(struct store *s, int64_t id, int64_t sale_id)
{
	struct store_stmt *st = store_prepare(s,
		"UPDATE pay_codes SET sale_id = $2 WHERE id = $1 AND used_at IS NOT NULL AND sale_id IS NULL RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, sale_id);
	int rc = store_step(st);
	store_done(st);
	/* used once: the code paycodes_take just took, in this transaction,
	 * has paid for no other sale */
	assert(rc != STORE_DONE);
	return rc == STORE_ROW ? STORE_OK : rc;
}
