/* The accounts domain's public header: what other domains may use of
 * it, and nothing else (http/ and main.c see accounts_api.h too). Users
 * and their credentials: accounts is the one writer of users, sessions
 * and api_tokens; these functions let higher domains make, find and erase
 * logins inside their own transactions, and apply the one password rule. */
#ifndef ZY_ACCOUNTS_H
#define ZY_ACCOUNTS_H
#include "app/kernel/kernel.h"

/* ---- passwords.c: the one rule for new passwords, used by every path
 * that sets one ---- */

/* Why pw is not good enough as a new password: NULL when it is, else one
 * of "length" (outside 8-256 bytes or holding NUL), "common" (a dictionary
 * word or a well-known password, however decorated) or "simple" (too
 * systematic: sequences, repeats, palindromes, few different characters). */
const char *password_weakness(const char *pw, size_t len);

/* Checks a new password read from field: 0, or -1 with 422 weak_password
 * naming field and r->err.reason set to the weakness. */
int password_check(struct app_req *r, const char *pw, const char *field);

/* ---- accounts.c: credentials, for a claim and for start-up ---- */

struct store;
/* Revokes every live API token of user_id with revoked_at = at (0 for an
 * erased person's login), inside the caller's transaction; *n is how
 * many. accounts.c is the one writer of sessions and api_tokens. Returns
 * STORE_OK or an rc. */
int tokens_revoke_all_at(struct store *s, int64_t user_id, int64_t at, int64_t *n);
/* Ends every session of user_id except keep_id (0 keeps none), inside the
 * caller's transaction; the caller drops the credential cache
 * (app_auth_changed) after commit. Returns STORE_OK or an error rc. */
int sessions_end_others(struct store *s, int64_t user_id, int64_t keep_id);
/* Called once by setup/start.c wire() before any request: registers
 * tokens_touch as the kernel's hook of a token's last use. */
void accounts_wire(struct app *a);

/* ---- users.c: logins for other domains' use cases ---- */

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

#endif
