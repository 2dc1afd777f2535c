/* Sign-in, sessions, passwords and API tokens of the caller. User
 * administration is in users.c. */
#include "app/accounts/accounts_api.h"
#include "app/kernel/kernel.h"
#include "core/throttle.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <ctype.h>
#include <string.h>

#define LOGIN_NAME_MAX 64
#define TOKENS_PER_USER 50

static char *lowercase(struct app_req *r, const char *s)
{
	char *d = arena_strdup(r->arena, s);
	for (char *p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

struct login_ctx {
	struct app_req *r;
	const char *acct_key, *addr_key;
	const char *attempted;      /* the name as typed */
	int64_t user_id, org_id;
	const char *username;
	const char *org_path;
	const char *token_hash, *csrf;
	bool ok;
};

static int login_failed_tx(struct store *s, void *vctx)
{
	struct login_ctx *c = vctx;
	const struct app_config *cfg = app_config(c->r->app);
	struct throttle_policy acct = { cfg->account_free_failures, 1, 900 };
	struct throttle_policy addr = { cfg->address_free_failures, 1, 900 };
	int rc = app_throttle_bump(s, c->acct_key, &acct);
	if (rc == STORE_OK)
		rc = app_throttle_bump(s, c->addr_key, &addr);
	if (rc != STORE_OK)
		return rc;
	if (c->user_id)
		return audit_write(c->r, s, "session.login_failed", "user", c->user_id,
				   c->org_id, c->org_path, NULL);
	/* an unknown name is recorded at the root, where the district's
	 * admins can see guessing */
	struct store_stmt *st = store_prepare(s, "SELECT id, path FROM orgs WHERE parent_id IS NULL");
	if (!st)
		return STORE_ERROR;
	rc = store_step(st);
	int64_t root = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	const char *path = rc == STORE_ROW ? arena_strdup(c->r->arena, store_col_text(st, 1)) : NULL;
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_OK : rc;
	/* without what was typed: a name that is no account is often a
	 * password typed into the wrong box */
	json_t *detail = json_pack("{sb}", "known_account", 0);
	rc = audit_write(c->r, s, "session.login_failed", "user", 0, root, path, detail);
	json_decref(detail);
	return rc;
}

static int login_ok_tx(struct store *s, void *vctx)
{
	struct login_ctx *c = vctx;
	struct app_req *r = c->r;
	int64_t now = app_now();
	int rc = app_throttle_forget(s, c->acct_key);
	if (rc != STORE_OK)
		return rc;
	/* expired sessions of this user go now rather than piling up */
	struct store_stmt *st = store_prepare(s, "DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->user_id);
	store_bind_int(st, 2, now);
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	st = store_prepare(s,
		"INSERT INTO sessions (token_hash, user_id, csrf_token, client_addr,"
		" created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->token_hash);
	store_bind_int(st, 2, c->user_id);
	store_bind_text(st, 3, c->csrf);
	store_bind_text(st, 4, r->client_addr);
	store_bind_int(st, 5, now);
	/* at least the whole TTL: rounded down to the second, a session of a
	 * short TTL could be over before its first use */
	store_bind_int(st, 6, (time_now_ms() + (int64_t)app_config(r->app)->session_ttl * 1000 + 999) / 1000);
	rc = store_step(st);
	int64_t sid = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	/* the one signing in is the actor of their own sign-in */
	struct principal actor = { .user_id = c->user_id, .username = c->username };
	const struct principal *saved = r->who;
	r->who = &actor;
	rc = audit_write(r, s, "session.create", "session", sid, c->org_id, c->org_path, NULL);
	r->who = saved;
	return rc;
}

int accounts_login(struct app_req *r, json_t *in, struct session_grant *grant, json_t **out)
{
	const char *name, *password;
	if (in_text(r, in, "username", true, LOGIN_NAME_MAX, &name) != 0 ||
	    in_secret(r, in, "password", true, PASSWORD_MAX, &password) != 0)
		return -1;
	struct login_ctx c = { .r = r, .attempted = name };
	const char *lname = lowercase(r, name);
	c.addr_key = arena_printf(r->arena, "addr:%s", r->client_addr ? r->client_addr : "-");
	int64_t wait;
	int rc;

	struct store_stmt *st = store_prepare(r->store,
		"SELECT u.id, u.password_hash, u.status, u.org_id, o.path, u.username FROM users u"
		" JOIN orgs o ON o.id = u.org_id"
		" WHERE lower(u.username) = $1 OR u.phone = $2");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, lname);
	store_bind_text(st, 2, name);
	rc = store_step(st);
	const char *hash = app_dummy_hash(r->app), *status = "active";
	if (rc == STORE_ROW) {
		c.user_id = store_col_int(st, 0);
		hash = arena_strdup(r->arena, store_col_text(st, 1));
		status = arena_strdup(r->arena, store_col_text(st, 2));
		c.org_id = store_col_int(st, 3);
		c.org_path = arena_strdup(r->arena, store_col_text(st, 4));
		c.username = arena_strdup(r->arena, store_col_text(st, 5));
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return app_store_fail(r, rc);
	/* an account is throttled by its id whatever was typed (username in
	 * any case, or phone number) and whatever it is renamed to, so the
	 * ways in do not multiply the tries; an unknown name by what was
	 * typed, which locks out nobody */
	c.acct_key = c.user_id ? arena_printf(r->arena, "acct#%lld", (long long)c.user_id)
			       : arena_printf(r->arena, "acct:%s", lname);
	rc = app_throttle_remaining(r, c.acct_key, c.addr_key, &wait);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	if (wait > 0) {
		r->err.retry_after = wait;
		return app_fail(r, APP_ETHROTTLED, "too_many_attempts", NULL);
	}
	bool ok = secret_password_verify(hash, password, strlen(password)) && c.user_id;
	if (!ok) {
		rc = store_tx(r->store, login_failed_tx, &c);
		if (rc != STORE_OK)
			return app_store_fail(r, rc);
		return app_fail(r, APP_EUNAUTH, "invalid_credentials", NULL);
	}
	if (strcmp(status, "active") != 0)
		return app_fail(r, APP_EFORBIDDEN, "account_disabled", NULL);

	char digest[SECRET_HASH_HEX], csrf[SECRET_TOKEN_MAX];
	secret_token("zs_", grant->token, sizeof(grant->token));
	secret_digest(grant->token, digest);
	secret_token("", csrf, sizeof(csrf));
	c.token_hash = digest;
	c.csrf = csrf;
	rc = store_tx(r->store, login_ok_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	grant->max_age = app_config(r->app)->session_ttl;

	struct principal *p;
	if (app_authenticate(r, CRED_SESSION, grant->token, &p) != 0)
		return -1;
	r->who = p;
	json_t *user;
	if (accounts_me(r, &user) != 0)
		return -1;
	json_object_del(user, "csrf_token");
	*out = json_pack("{so ss}", "user", user, "csrf_token", csrf);
	return 0;
}

struct session_ctx {
	struct app_req *r;
};

static int logout_tx(struct store *s, void *vctx)
{
	struct app_req *r = ((struct session_ctx *)vctx)->r;
	struct store_stmt *st = store_prepare(s, "DELETE FROM sessions WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, r->who->session_id);
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	return audit_write(r, s, "session.delete", "session", r->who->session_id,
			   r->who->org_id, r->who->org_path, NULL);
}

int accounts_logout(struct app_req *r)
{
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	if (r->who->session_id == 0)
		return app_fail(r, APP_EBADREQ, "not_a_session", NULL);
	struct session_ctx c = { r };
	int rc = store_tx(r->store, logout_tx, &c);
	app_auth_changed();   /* cached principals may hold what changed */
	return rc == STORE_OK ? 0 : app_store_fail(r, rc);
}

json_t *user_roles_json(int roles)
{
	json_t *a = json_array();
	for (int i = 0; i < ROLE_COUNT; i++)
		if (roles & (1 << i))
			json_array_append_new(a, json_string(role_name(i)));
	return a;
}

int accounts_me(struct app_req *r, json_t **out)
{
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	const struct principal *p = r->who;
	*out = json_pack("{sI ss ss ss? so sI ss ss ss}",
		"id", (json_int_t)p->user_id,
		"username", p->username,
		"display_name", p->display_name ? p->display_name : "",
		"phone", p->phone,
		"roles", user_roles_json(p->roles),
		"org_id", (json_int_t)p->org_id,
		"org_name", p->org_name,
		"status", p->status,
		"created_at", app_iso(r, p->created_at));
	json_object_set_new(*out, "permissions", permissions_json(p->permissions));
	json_object_set_new(*out, "org_parent_id", p->org_parent_id ? json_integer(p->org_parent_id) : json_null());
	if (p->csrf_token)
		json_object_set_new(*out, "csrf_token", json_string(p->csrf_token));
	return 0;
}

int tokens_revoke_all(struct store *s, int64_t user_id, int64_t *n)
{
	return tokens_revoke_all_at(s, user_id, app_now(), n);
}

int tokens_revoke_all_at(struct store *s, int64_t user_id, int64_t at, int64_t *n)
{
	struct store_stmt *st = store_prepare(s,
		"UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, user_id);
	store_bind_int(st, 2, at);
	int rc;
	*n = 0;
	while ((rc = store_step(st)) == STORE_ROW)
		(*n)++;
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

struct token_ctx {
	struct app_req *r;
	const char *name, *digest;
	int64_t id, created;
};

static int token_create_tx(struct store *s, void *vctx)
{
	struct token_ctx *c = vctx;
	struct app_req *r = c->r;
	struct store_stmt *st = store_prepare(s,
		"SELECT count(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, r->who->user_id);
	int rc = store_step(st);
	int64_t n = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	if (n >= TOKENS_PER_USER) {
		app_fail(r, APP_EINVALID, "too_many_tokens", NULL);
		return STORE_ERROR;
	}
	st = store_prepare(s,
		"INSERT INTO api_tokens (user_id, name, token_hash, created_at)"
		" VALUES ($1, $2, $3, $4) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, r->who->user_id);
	store_bind_text(st, 2, c->name);
	store_bind_text(st, 3, c->digest);
	store_bind_int(st, 4, c->created);
	rc = store_step(st);
	c->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	json_t *detail = json_pack("{ss}", "name", c->name);
	rc = audit_write(r, s, "token.create", "api_token", c->id, r->who->org_id,
			 r->who->org_path, detail);
	json_decref(detail);
	return rc;
}

int tokens_create(struct app_req *r, json_t *in, json_t **out)
{
	struct token_ctx c = { .r = r };
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	if (in_text(r, in, "name", true, TOKEN_NAME_MAX, &c.name) != 0)
		return -1;
	char token[SECRET_TOKEN_MAX], digest[SECRET_HASH_HEX];
	secret_token("zy_", token, sizeof(token));
	secret_digest(token, digest);
	c.digest = digest;
	c.created = app_now();
	int rc = store_tx(r->store, token_create_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	*out = json_pack("{sI ss ss ss}", "id", (json_int_t)c.id, "name", c.name,
			 "token", token, "created_at", app_iso(r, c.created));
	return 0;
}

int tokens_list(struct app_req *r, json_t **out)
{
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT id, name, created_at, last_used_at FROM api_tokens"
		" WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, r->who->user_id);
	json_t *items = json_array();
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(items, json_pack("{sI ss ss ss?}",
			"id", (json_int_t)store_col_int(st, 0),
			"name", store_col_text(st, 1),
			"created_at", app_iso(r, store_col_int(st, 2)),
			"last_used_at", store_col_null(st, 3) ? NULL : app_iso(r, store_col_int(st, 3))));
	store_done(st);
	if (rc != STORE_DONE) {
		json_decref(items);
		return app_store_fail(r, rc);
	}
	*out = json_pack("{so}", "items", items);
	return 0;
}

static int token_revoke_tx(struct store *s, void *vctx)
{
	struct token_ctx *c = vctx;
	struct app_req *r = c->r;
	struct store_stmt *st = store_prepare(s,
		"UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2"
		" AND revoked_at IS NULL RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_int(st, 2, r->who->user_id);
	store_bind_int(st, 3, app_now());
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE) {
		app_fail(r, APP_ENOTFOUND, "not_found", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	return audit_write(r, s, "token.revoke", "api_token", c->id, r->who->org_id,
			   r->who->org_path, NULL);
}

int tokens_revoke(struct app_req *r, int64_t id)
{
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	struct token_ctx c = { .r = r, .id = id };
	int rc = store_tx(r->store, token_revoke_tx, &c);
	app_auth_changed();   /* cached principals may hold what changed */
	return rc == STORE_OK ? 0 : app_store_fail(r, rc);
}

int sessions_end_all(struct store *s, int64_t user_id)
{
	struct store_stmt *st = store_prepare(s, "DELETE FROM sessions WHERE user_id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, user_id);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int sessions_end_others(struct store *s, int64_t user_id, int64_t keep_id)
{
	struct store_stmt *st = store_prepare(s, "DELETE FROM sessions WHERE user_id = $1 AND id <> $2");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, user_id);
	store_bind_int(st, 2, keep_id);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int tokens_touch(struct store *s, int64_t token_id, int64_t now)
{
	struct store_stmt *st = store_prepare(s,
		"UPDATE api_tokens SET last_used_at = $2 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, token_id);
	store_bind_int(st, 2, now);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

void accounts_wire(struct app *a)
{
	(void)a;
	app_auth_on_token_used(tokens_touch);
}
