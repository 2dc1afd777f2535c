/* Accounts' use cases for http/ and main.c: sign-in and sign-out, the
 * caller's own profile, password and API tokens, and the administration
 * of users within a scope. Other domains use accounts.h only. */
#ifndef ZY_ACCOUNTS_API_H
#define ZY_ACCOUNTS_API_H
#include "app/accounts/accounts.h"

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
/* Records token token_id's last use at now: the hook app_authenticate
 * runs (registered by accounts_wire), inside its transaction. */
int tokens_touch(struct store *s, int64_t token_id, int64_t now);
/* Ends every session of user_id (sign-out everywhere), inside the
 * caller's transaction; the caller drops the credential cache
 * (app_auth_changed) after commit. Returns STORE_OK or an error rc. */
int sessions_end_all(struct store *s, int64_t user_id);

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

/* Command-line recovery (`zhiyuan user reset-password NAME`): sets a new
 * generated password (written to password, at least 17 bytes), ends the
 * user's sessions, revokes their API tokens (*tokens_revoked of them) and
 * audits the change. Returns 0 or -1. */
int users_reset_password(struct app *a, const char *username, char *password, size_t len,
		       int64_t *tokens_revoked);

#endif
