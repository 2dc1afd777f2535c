/* Accounts: sign-in and sign-out, the caller's own profile, password and
 * API tokens, and the administration of users within a scope. */
#ifndef ZY_ACCOUNTS_H
#define ZY_ACCOUNTS_H
#include "app/kernel/app.h"

/* A new browser session, for the HTTP layer to put in a cookie. */
struct session_grant {
	char token[64];       /* the cookie value; only its digest is stored */
	int64_t max_age;      /* seconds */
};

/* POST /sessions {"username","password"} (username may be a phone
 * number) → {"user":…,"csrf_token":…}. Failed attempts back off per
 * account and per client address (429 with r->err.retry_after). */
int accounts_login(struct app_req *r, json_t *in, struct session_grant *grant, json_t **out);
/* DELETE /sessions/current: ends the caller's browser session. */
int accounts_logout(struct app_req *r);
/* GET /me: the caller, with csrf_token when signed in by cookie. */
int accounts_me(struct app_req *r, json_t **out);
/* POST /me/password {"old_password","new_password"}; other sessions of
 * the user end and every API token of the user is revoked: *out is
 * {"tokens_revoked": n}. */
int accounts_change_password(struct app_req *r, json_t *in, json_t **out);

/* API tokens of the caller: create (the secret is returned once), list,
 * revoke. */
int tokens_create(struct app_req *r, json_t *in, json_t **out);
int tokens_list(struct app_req *r, json_t **out);
int tokens_revoke(struct app_req *r, int64_t id);
struct store;
/* Revokes every live API token of a user inside the caller's transaction
 * (a changed or reset password, a disabled account): whoever held the old
 * password may have made one. *n is how many. Returns STORE_OK or an rc. */
int tokens_revoke_all(struct store *s, int64_t user_id, int64_t *n);
/* The same with revoked_at = at (0 for an erased person's login). */
int tokens_revoke_all_at(struct store *s, int64_t user_id, int64_t at, int64_t *n);
/* Records token token_id's last use at now: the hook app_authenticate
 * runs (registered by accounts_wire), inside its transaction. */
int tokens_touch(struct store *s, int64_t token_id, int64_t now);
/* Ends every session of user_id (sign-out everywhere), inside the
 * caller's transaction; the caller drops the credential cache
 * (app_auth_changed) after commit. Returns STORE_OK or an error rc.
 * accounts.c is the one writer of sessions and api_tokens. */
int sessions_end_all(struct store *s, int64_t user_id);
/* The same except session keep_id (0 keeps none). */
int sessions_end_others(struct store *s, int64_t user_id, int64_t keep_id);
/* Called once by setup/start.c wire() before any request: registers
 * tokens_touch as the kernel's hook of a token's last use. */
void accounts_wire(struct app *a);

/* A role set (bits of enum role, core/validate.h) as the API's array of
 * role names. */
json_t *user_roles_json(int roles);

struct users_query {
	const char *limit, *cursor, *q, *org_id;   /* raw query values or NULL */
};

/* Administration of users within the caller's subtree. */
int users_create(struct app_req *r, json_t *in, json_t **out);
int users_list(struct app_req *r, const struct users_query *q, json_t **out);
int users_get(struct app_req *r, int64_t id, json_t **out);
int users_update(struct app_req *r, int64_t id, json_t *in, json_t **out);

/* Whether phone is the login of an account other than except_id (0:
 * any), inside the caller's transaction. Returns STORE_OK or an error rc. */
struct store;
int users_phone_taken(struct store *s, const char *phone, int64_t except_id, bool *yes);
/* Inserts an active login with the volunteer role for a volunteer file
 * (self-registration, a completed claim), inside the caller's
 * transaction; phone may be NULL. Returns STORE_OK with *id,
 * STORE_CONSTRAINT when the username or phone is taken (the caller says
 * which error that is), or another error rc. */
int users_insert_volunteer(struct store *s, const char *username, const char *phone,
			   const char *display_name, const char *password_hash, int64_t org_id,
			   const char *region, int64_t now, int64_t *id);
/* The same for any roles (a comma-separated list as users store it, e.g.
 * "admin" for the first start's account): the one INSERT of users. */
int users_insert_login(struct store *s, const char *username, const char *phone,
		       const char *display_name, const char *password_hash, const char *roles,
		       int64_t org_id, const char *region, int64_t now, int64_t *id);
/* Erases a person's login for a volunteer's right to be forgotten, inside
 * the caller's transaction: the account keeps its id (audit entries point
 * at it) but loses phone, name and username ("deleted-ID"), is disabled,
 * its sessions end and its API tokens are revoked. The caller drops the
 * credential cache (app_auth_changed) after commit. Returns STORE_OK or an
 * error rc. */
int users_erase_login(struct store *s, int64_t user_id);
/* Sets user id's password hash (updated_at = now), inside the caller's
 * transaction; the caller ends sessions and revokes tokens as its rule
 * says. users.c is the one writer of users. Returns STORE_OK or an error rc. */
int users_password_set(struct store *s, int64_t id, const char *hash, int64_t now);

/* Command-line recovery (`zhiyuan user reset-password NAME`): sets a new
 * generated password (written to password, at least 17 bytes), ends the
 * user's sessions, revokes their API tokens (*tokens_revoked of them) and
 * audits the change. Returns 0 or -1. */
int users_reset_password(struct app *a, const char *username, char *password, size_t len,
		       int64_t *tokens_revoked);

#endif
