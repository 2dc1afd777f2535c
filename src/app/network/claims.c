/* Claiming an account for a volunteer on file: a person registered by
 * staff or imported proves who they are (ID number, name and the phone on
 * file) with a one-time code sent to that phone, then sets a password and
 * signs in with the phone number. Staff may start the same claim as an
 * invitation from the volunteer's file.
 *
 * Safe against enumeration: the public start answers the same, doing the
 * same work (one lookup, one claim row, one audit row), whether or not
 * the details name somebody; a start that names nobody gets a claim whose
 * code was never sent, so even the later steps behave alike. Codes are
 * six digits, live --claim-code-ttl seconds, allow CLAIM_ATTEMPTS wrong
 * tries, are used once, and are stored as a keyed digest (libsodium) of
 * the ticket and the code: a copy of the database gives neither. */
#include "app/network/claims.h"
#include "app/accounts/accounts.h"
#include "app/kernel/kernel.h"
#include "app/accounts/accounts.h"
#include "app/network/network.h"
#include "app/network/volunteers.h"
#include "app/network/volwriter.h"
#include "core/idcard.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/log.h"
#include <sodium.h>
#include <string.h>

#define CLAIM_ATTEMPTS 5        /* wrong codes before a claim is locked */
#define TICKET_MAX 64
#define ID_FREE_STARTS 3        /* starts per ID number before back-off */
#define COMPLETE_FREE_FAILURES 20
#define INVITE_FREE 50          /* invitations per staff user before back-off */

/* A claim being made: what the start found and what it stores. */
struct claim_ctx {
	struct app_req *r;
	const char *via;               /* "self" or "invite" */
	int64_t volunteer_id;          /* 0: the details named nobody */
	int64_t org_id;
	const char *org_path;
	const char *phone;             /* on file, where the code goes */
	const char *vname;
	bool has_account;
	const char *account_phone;     /* the account's login phone, if any */
	char ticket[SECRET_TOKEN_MAX];
	char code[8];
	int64_t id, expires_at;
	const char *refusal;           /* audit: why a named person got no code */
};

/* A fresh ticket and code, and the digests stored for them. */
static void claim_secrets(struct claim_ctx *c, char ticket_hash[SECRET_HASH_HEX],
			  char code_hash[SECRET_HASH_HEX])
{
	secret_token("zc_", c->ticket, sizeof(c->ticket));
	uint32_t n = randombytes_uniform(1000000);
	for (int i = 5; i >= 0; i--, n /= 10)
		c->code[i] = (char)('0' + n % 10);
	c->code[6] = '\0';
	secret_digest(c->ticket, ticket_hash);
	char msg[SECRET_TOKEN_MAX + 16];
	memcpy(msg, c->ticket, strlen(c->ticket));
	msg[strlen(c->ticket)] = ':';
	memcpy(msg + strlen(c->ticket) + 1, c->code, 7);
	secret_keyed_digest(msg, code_hash);
}

static bool code_matches(const char *ticket, const char *code, const char *stored)
{
	char msg[SECRET_TOKEN_MAX + 16], digest[SECRET_HASH_HEX];
	size_t tl = strlen(ticket), cl = strlen(code);
	if (tl >= SECRET_TOKEN_MAX || cl > 8)
		return false;
	memcpy(msg, ticket, tl);
	msg[tl] = ':';
	memcpy(msg + tl + 1, code, cl + 1);
	secret_keyed_digest(msg, digest);
	return app_secret_equal(digest, stored);
}

static int root_ref(struct app_req *r, struct store *s, int64_t *id, const char **path)
{
	struct store_stmt *st = store_prepare(s, "SELECT id, path FROM orgs WHERE parent_id IS NULL");
	if (!st)
		return STORE_ERROR;
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		*id = store_col_int(st, 0);
		*path = arena_strdup(r->arena, store_col_text(st, 1));
	}
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : rc == STORE_DONE ? STORE_ERROR : rc;
}

/* Stores the claim and audits the start. The volunteer's earlier claims
 * stay live until one completes: ending them here would tell a guess that
 * matched (the first ticket now expired) from one that did not. */
static int start_tx(struct store *s, void *vctx)
{
	struct claim_ctx *c = vctx;
	struct app_req *r = c->r;
	char ticket_hash[SECRET_HASH_HEX], code_hash[SECRET_HASH_HEX];
	claim_secrets(c, ticket_hash, code_hash);
	int64_t now = app_now();
	int rc;
	struct store_stmt *st;
	c->expires_at = now + app_config(r->app)->claim_ttl;
	st = store_prepare(s,
		"INSERT INTO account_claims (ticket_hash, code_hash, volunteer_id, via, invited_by,"
		" created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, ticket_hash);
	store_bind_text(st, 2, code_hash);
	store_bind_id(st, 3, c->volunteer_id);
	store_bind_text(st, 4, c->via);
	store_bind_id(st, 5, strcmp(c->via, "invite") == 0 && r->who ? r->who->user_id : 0);
	store_bind_int(st, 6, now);
	store_bind_int(st, 7, c->expires_at);
	rc = store_step(st);
	c->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	char masked[16];
	mask_phone(c->phone, masked, sizeof(masked));
	json_t *detail = json_pack("{ss ss sI}", "via", c->via, "phone", masked, "claim_id", (json_int_t)c->id);
	if (c->volunteer_id) {
		rc = audit_write(r, s, "claim.start", "volunteer", c->volunteer_id, c->org_id, c->org_path, detail);
	} else {
		/* seen at the root, where the district's admins watch for guessing */
		int64_t root = 0;
		const char *path = NULL;
		rc = root_ref(r, s, &root, &path);
		if (c->refusal)
			json_object_set_new(detail, "reason", json_string(c->refusal));
		if (rc == STORE_OK)
			rc = audit_write(r, s, "claim.start_unmatched", "volunteer", 0, root, path, detail);
	}
	json_decref(detail);
	return rc;
}

/* The text of the message to the phone. */
static const char *claim_text(struct claim_ctx *c)
{
	struct app_req *r = c->r;
	const char *url = app_config(r->app)->public_url;
	int minutes = (app_config(r->app)->claim_ttl + 59) / 60;
	if (strcmp(c->via, "invite") == 0 && valid_public_url(url))
		return arena_printf(r->arena, "【志愿】%s，您的志愿者档案已可认领。验证码 %s，%d 分钟内有效；"
			"打开 %s/claim?ticket=%s 设置密码后，用本手机号登录。", c->vname, c->code, minutes, url, c->ticket);
	return arena_printf(r->arena, "【志愿】您正在认领志愿者档案，验证码 %s，%d 分钟内有效。"
		"如非本人操作，请忽略本短信。", c->code, minutes);
}

/* A volunteer found by the keyed digest of their ID number, as the start
 * needs them. Returns STORE_ROW, STORE_DONE or an error. */
static int find_volunteer(struct claim_ctx *c, const char *id_hash, const char **name,
			  const char **phone, const char **status, int *roles, bool *disabled)
{
	struct app_req *r = c->r;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT v.id, v.name, v.phone, v.status, v.home_org_id, o.path, v.user_id, u.roles, u.status, u.phone"
		" FROM volunteers v JOIN orgs o ON o.id = v.home_org_id"
		" LEFT JOIN users u ON u.id = v.user_id WHERE v.id_hash = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, id_hash);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		c->volunteer_id = store_col_int(st, 0);
		*name = arena_strdup(r->arena, store_col_text(st, 1));
		*phone = store_col_null(st, 2) ? NULL : arena_strdup(r->arena, store_col_text(st, 2));
		*status = arena_strdup(r->arena, store_col_text(st, 3));
		c->org_id = store_col_int(st, 4);
		c->org_path = arena_strdup(r->arena, store_col_text(st, 5));
		c->has_account = !store_col_null(st, 6);
		*roles = store_col_null(st, 7) ? 0 : roles_from_csv(store_col_text(st, 7));
		*disabled = !store_col_null(st, 8) && strcmp(store_col_text(st, 8), "active") != 0;
		c->account_phone = store_col_null(st, 9) ? NULL : arena_strdup(r->arena, store_col_text(st, 9));
	}
	store_done(st);
	return rc;
}

/* Why an existing account may not be reset by a claim, or NULL: only a
 * plain volunteer's active account may. A staff account is never reset by
 * a code to a phone. */
static const char *account_refusal(bool has_account, int roles, bool disabled)
{
	if (has_account && roles != ROLE_VOLUNTEER)
		return "staff_account";
	/* an account an administrator disabled stays disabled */
	if (has_account && disabled)
		return "account_disabled";
	return NULL;
}

/* The throttle key of public starts from the caller's address. */
static const char *claim_addr_key(struct app_req *r)
{
	return arena_printf(r->arena, "claim-addr:%s", r->client_addr ? r->client_addr : "-");
}

int claims_start(struct app_req *r, json_t *in, json_t **out)
{
	const char *id_raw, *name, *phone;
	if (in_text(r, in, "id_number", true, 40, &id_raw) != 0 ||
	    in_text(r, in, "name", true, VOLUNTEER_NAME_MAX, &name) != 0 ||
	    in_text(r, in, "phone", true, 11, &phone) != 0)
		return -1;
	/* the format of what was typed says nothing about who is on file */
	char norm[48];
	size_t idlen = 0;
	if (id_normalize(id_raw, norm, sizeof(norm)) == 0)
		idlen = strlen(norm);
	/* every kind of ID number is 6 to 20 letters and digits */
	if (idlen < 6 || idlen > 20 || strspn(norm, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != idlen)
		return app_fail(r, APP_EINVALID, "id_format", "id_number");
	if (!valid_phone(phone))
		return app_fail(r, APP_EINVALID, "invalid_phone", "phone");
	char id_hash[SECRET_HASH_HEX];
	secret_keyed_digest(norm, id_hash);
	const char *id_key = arena_printf(r->arena, "claim-id:%s", id_hash);
	/* every start counts, matched or not, each key checked and counted in
	 * one step; a start that leads to a completed claim is given back to
	 * its address (claims_complete): behind a proxy or NAT a whole
	 * district shares one, and only starts that led nowhere are suspect */
	if (app_throttle_take(r, claim_addr_key(r), app_config(r->app)->address_free_failures, 60, 3600,
			      "too_many_claims") != 0 ||
	    app_throttle_take(r, id_key, ID_FREE_STARTS, 60, 3600, "too_many_claims") != 0)
		return -1;

	struct claim_ctx c = { .r = r, .via = "self", .phone = phone };
	const char *vname = NULL, *vphone = NULL, *status = NULL;
	int roles = 0;
	bool disabled = false;
	int rc = find_volunteer(&c, id_hash, &vname, &vphone, &status, &roles, &disabled);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return app_store_fail(r, rc);
	bool matched = rc == STORE_ROW && strcmp(status, "active") == 0 && vphone &&
		       strcmp(vname, name) == 0 && strcmp(vphone, phone) == 0;
	if (matched && (c.refusal = account_refusal(c.has_account, roles, disabled)) != NULL)
		matched = false;
	/* an existing account is reset only by a code to its own login phone:
	 * whoever may edit the file could otherwise put their own number on
	 * it and take the account over */
	if (matched && c.has_account && (!c.account_phone || strcmp(c.account_phone, vphone) != 0)) {
		c.refusal = "account_phone_differs";
		matched = false;
	}
	if (!matched) {
		c.volunteer_id = 0;
		c.org_id = 0;
		c.org_path = NULL;
	}
	c.vname = matched ? vname : name;
	rc = store_tx(r->store, start_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	if (matched)
		app_sender(r->app)->send(app_sender(r->app), vphone, claim_text(&c));
	char masked[16];
	mask_phone(phone, masked, sizeof(masked));
	*out = json_pack("{ss sI ss}", "claim_id", c.ticket,
			 "expires_in", (json_int_t)app_config(r->app)->claim_ttl, "phone_masked", masked);
	return 0;
}

int claims_invite(struct app_req *r, int64_t volunteer_id, json_t **out)
{
	if (authz_check(r, AUTHZ_VOLUNTEERS_WRITE, NULL) != 0)
		return -1;
	struct store_stmt *st;
	if (app_load_row(r,
		"SELECT v.id, v.name, v.phone, v.status, v.home_org_id, o.path, v.user_id, u.roles, v.id_hash, u.status"
		" FROM volunteers v JOIN orgs o ON o.id = v.home_org_id"
		" LEFT JOIN users u ON u.id = v.user_id WHERE v.id = $1",
		volunteer_id, AUTHZ_VOLUNTEERS_WRITE, 5, &st) != 0)
		return -1;
	struct claim_ctx c = { .r = r, .via = "invite", .volunteer_id = volunteer_id };
	c.vname = arena_strdup(r->arena, store_col_text(st, 1));
	c.phone = store_col_null(st, 2) ? NULL : arena_strdup(r->arena, store_col_text(st, 2));
	bool active = strcmp(store_col_text(st, 3), "active") == 0;
	c.org_id = store_col_int(st, 4);
	c.org_path = arena_strdup(r->arena, store_col_text(st, 5));
	c.has_account = !store_col_null(st, 6);
	int roles = store_col_null(st, 7) ? 0 : roles_from_csv(store_col_text(st, 7));
	const char *id_hash = store_col_null(st, 8) ? NULL : arena_strdup(r->arena, store_col_text(st, 8));
	bool disabled = !store_col_null(st, 9) && strcmp(store_col_text(st, 9), "active") != 0;
	store_done(st);
	if (!active || !id_hash)
		return app_fail(r, APP_EINVALID, "volunteer_inactive", NULL);
	if (!c.phone || !valid_phone(c.phone))
		return app_fail(r, APP_EINVALID, "no_mobile_phone", "phone");
	const char *refusal = account_refusal(c.has_account, roles, disabled);
	if (refusal)
		return app_fail(r, APP_ECONFLICT, refusal, NULL);
	/* an invitation never resets an account: its code reaches staff with
	 * the development sender, and staff may edit the phone on file */
	if (c.has_account)
		return app_fail(r, APP_ECONFLICT, "account_exists", NULL);
	/* invitations are counted per staff user, not per person: anyone who
	 * knows an ID number can exhaust the public key of that number */
	const char *staff_key = arena_printf(r->arena, "claim-invite:%lld", (long long)r->who->user_id);
	if (app_throttle_take(r, staff_key, INVITE_FREE, 10, 900, "too_many_claims") != 0)
		return -1;
	int rc = store_tx(r->store, start_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	const struct sender *snd = app_sender(r->app);
	bool sent = snd->send(snd, c.phone, claim_text(&c)) == 0;
	const char *url = app_config(r->app)->public_url;
	char masked[16];
	mask_phone(c.phone, masked, sizeof(masked));
	*out = json_pack("{ss ss ss ss sb sb ss}",
		"claim_id", c.ticket,
		"link", arena_printf(r->arena, "%s/claim?ticket=%s", valid_public_url(url) ? url : "", c.ticket),
		"expires_at", app_iso(r, c.expires_at),
		"phone_masked", masked,
		"sent", sent,
		"has_account", c.has_account,
		"sender", snd->kind);
	/* a development sender delivers nothing: staff pass the code on */
	if (snd->shows_code)
		json_object_set_new(*out, "code", json_string(c.code));
	return 0;
}

/* Completing a claim: the claim as found by its ticket. */
struct complete_ctx {
	struct app_req *r;
	const char *ticket, *code, *password_hash;
	int64_t claim_id, volunteer_id, user_id, org_id;
	const char *org_path, *phone, *vname, *vnumber, *region, *login, *via;
	bool reset;
};

/* Takes one of the claim's tries before its code is compared, in one
 * statement: of parallel guesses at most CLAIM_ATTEMPTS are judged.
 * Sets *attempts to the tries used with this one, or 0 when none was
 * left (used, expired or locked). */
static int reserve_try(struct app_req *r, int64_t claim_id, int64_t *attempts)
{
	struct store_stmt *st = store_prepare(r->store,
		"UPDATE account_claims SET attempts = attempts + 1 WHERE id = $1 AND attempts < $2"
		" AND used_at IS NULL AND expires_at > $3 RETURNING attempts");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, claim_id);
	store_bind_int(st, 2, CLAIM_ATTEMPTS);
	store_bind_int(st, 3, app_now());
	int rc = store_step(st);
	*attempts = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

/* A try taken and then not judged (the address waits) is given back. */
static int give_back_try(struct app_req *r, int64_t claim_id)
{
	struct store_stmt *st = store_prepare(r->store,
		"UPDATE account_claims SET attempts = attempts - 1 WHERE id = $1 AND attempts > 0");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, claim_id);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* Why a claim cannot be tried now, as the answers before a try say it. */
static int claim_state_fail(struct app_req *r, bool used, int64_t expires, int64_t attempts)
{
	if (used)
		return app_fail(r, APP_ECONFLICT, "claim_used", "claim_id");
	if (expires <= app_now())
		return app_fail(r, APP_EINVALID, "claim_expired", "claim_id");
	if (attempts >= CLAIM_ATTEMPTS)
		return app_fail(r, APP_EINVALID, "claim_locked", "code");
	return 0;
}

/* A claim's state read again after its try was refused. */
static int claim_refused(struct app_req *r, struct store *s, int64_t claim_id)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT used_at, expires_at, attempts FROM account_claims WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, claim_id);
	int rc = store_step(st);
	bool used = rc == STORE_ROW && !store_col_null(st, 0);
	int64_t expires = rc == STORE_ROW ? store_col_int(st, 1) : 0;
	int64_t attempts = rc == STORE_ROW ? store_col_int(st, 2) : CLAIM_ATTEMPTS;
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return app_store_fail(r, rc);
	if (claim_state_fail(r, used, expires, attempts) != 0)
		return -1;
	return app_fail(r, APP_EINVALID, "claim_locked", "code");
}

/* Marks the claim used, once: of two racing completions only one marks
 * it; still live and within its tries (claims_complete took this try).
 * STORE_ERROR with r->err set when it is no longer usable. */
static int claim_take(struct store *s, struct complete_ctx *c, int64_t now)
{
	struct app_req *r = c->r;
	struct store_stmt *st = store_prepare(s,
		"UPDATE account_claims SET used_at = $2 WHERE id = $1 AND used_at IS NULL"
		" AND attempts <= $3 AND expires_at > $2 RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->claim_id);
	store_bind_int(st, 2, now);
	store_bind_int(st, 3, CLAIM_ATTEMPTS);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE) {
		/* used by a racing completion, or expired since its try was taken */
		claim_refused(r, s, c->claim_id);
		return STORE_ERROR;
	}
	return rc == STORE_ROW ? STORE_OK : rc;
}

/* Reads the volunteer's file and any account it has into c, and refuses
 * (422 claim_expired) when the file changed since the code was sent: an
 * account is reset only through its own login phone (see claims_start).
 * *uname and *uphone are the account's login names, or NULL. */
static int claim_read_file(struct store *s, struct complete_ctx *c, const char **uname, const char **uphone)
{
	struct app_req *r = c->r;
	struct store_stmt *st = store_prepare(s,
		"SELECT v.user_id, v.phone, v.name, v.volunteer_number, v.home_org_id, o.path, o.region_code,"
		" v.status, u.roles, u.username, u.phone, u.status FROM volunteers v JOIN orgs o ON o.id = v.home_org_id"
		" LEFT JOIN users u ON u.id = v.user_id WHERE v.id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->volunteer_id);
	int rc = store_step(st);
	int roles = 0;
	bool active = false;
	if (rc == STORE_ROW) {
		c->user_id = store_col_null(st, 0) ? 0 : store_col_int(st, 0);
		c->phone = store_col_null(st, 1) ? NULL : arena_strdup(r->arena, store_col_text(st, 1));
		c->vname = arena_strdup(r->arena, store_col_text(st, 2));
		c->vnumber = arena_strdup(r->arena, store_col_text(st, 3));
		c->org_id = store_col_int(st, 4);
		c->org_path = arena_strdup(r->arena, store_col_text(st, 5));
		c->region = arena_strdup(r->arena, store_col_text(st, 6));
		active = strcmp(store_col_text(st, 7), "active") == 0;
		roles = store_col_null(st, 8) ? 0 : roles_from_csv(store_col_text(st, 8));
		*uname = store_col_null(st, 9) ? NULL : arena_strdup(r->arena, store_col_text(st, 9));
		*uphone = store_col_null(st, 10) ? NULL : arena_strdup(r->arena, store_col_text(st, 10));
		if (!store_col_null(st, 11) && strcmp(store_col_text(st, 11), "active") != 0)
			roles = 0;   /* disabled since the code was sent: refused below */
	}
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	/* the file changed since the code was sent: start again */
	if (!active || !c->phone || (c->user_id && roles != ROLE_VOLUNTEER) ||
	    (c->user_id && (!*uphone || strcmp(*uphone, c->phone) != 0))) {
		app_fail(r, APP_EINVALID, "claim_expired", "claim_id");
		return STORE_ERROR;
	}
	return STORE_OK;
}

/* An account exists: the claim resets its password, ends its sessions and
 * revokes its API tokens (whoever held the old password may have made
 * one); the login is the account's phone, else its username. */
static int claim_reset_account(struct store *s, struct complete_ctx *c, int64_t now, const char *uname,
			       const char *uphone)
{
	int rc = users_password_set(s, c->user_id, c->password_hash, now);
	if (rc != STORE_OK)
		return rc;
	rc = sessions_end_others(s, c->user_id, 0);
	if (rc != STORE_OK)
		return rc;
	int64_t revoked;
	rc = tokens_revoke_all_at(s, c->user_id, now, &revoked);
	if (rc != STORE_OK)
		return rc;
	c->login = uphone ? uphone : uname;
	return STORE_OK;
}

/* No account yet: one is made with the volunteer role and linked to the
 * file. The phone on file is the login; when another account holds it
 * already, the login is a name made from the volunteer number. */
static int claim_create_account(struct store *s, struct complete_ctx *c, int64_t now)
{
	struct app_req *r = c->r;
	bool taken;
	int rc = users_phone_taken(s, c->phone, 0, &taken);
	if (rc != STORE_OK)
		return rc;
	const char *username = arena_printf(r->arena, "v%s", taken ? c->vnumber : c->phone);
	rc = users_insert_volunteer(s, username, taken ? NULL : c->phone, c->vname, c->password_hash,
				    c->org_id, c->region, now, &c->user_id);
	if (rc == STORE_CONSTRAINT) {
		app_fail(r, APP_ECONFLICT, "phone_taken", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_OK)
		return rc;
	rc = volwriter_user_link(s, c->volunteer_id, c->user_id);
	if (rc != STORE_OK)
		return rc;
	c->login = taken ? username : c->phone;
	return STORE_OK;
}

static int complete_tx(struct store *s, void *vctx)
{
	struct complete_ctx *c = vctx;
	struct app_req *r = c->r;
	int64_t now = app_now();
	const char *uname = NULL, *uphone = NULL;
	int rc = claim_take(s, c, now);
	if (rc == STORE_OK)
		rc = claim_read_file(s, c, &uname, &uphone);
	if (rc != STORE_OK)
		return rc;
	const char *action;
	if (c->user_id) {
		c->reset = true;
		action = "claim.reset";
		rc = claim_reset_account(s, c, now, uname, uphone);
	} else {
		action = "claim.complete";
		rc = claim_create_account(s, c, now);
	}
	if (rc != STORE_OK)
		return rc;
	/* the claim made an account: the volunteer's other live claims end */
	rc = app_exec_ints(s, "UPDATE account_claims SET expires_at = $2 WHERE volunteer_id = $1"
		   " AND used_at IS NULL AND expires_at > $2", c->volunteer_id, now);
	if (rc != STORE_OK)
		return rc;
	rc = app_exec_ints(s, "UPDATE account_claims SET user_id = $2 WHERE id = $1", c->claim_id, c->user_id);
	if (rc != STORE_OK)
		return rc;
	/* the person is the actor of their own claim */
	struct principal actor = { .user_id = c->user_id, .username = c->login };
	const struct principal *saved = r->who;
	r->who = &actor;
	json_t *detail = json_pack("{sI}", "claim_id", (json_int_t)c->claim_id);
	rc = audit_write(r, s, action, "user", c->user_id, c->org_id, c->org_path, detail);
	json_decref(detail);
	r->who = saved;
	return rc;
}

int claims_complete(struct app_req *r, json_t *in, json_t **out)
{
	struct complete_ctx c = { .r = r };
	const char *password;
	if (in_secret(r, in, "claim_id", true, TICKET_MAX, &c.ticket) != 0 ||
	    in_text(r, in, "code", true, 8, &c.code) != 0 ||
	    in_secret(r, in, "password", true, PASSWORD_MAX, &password) != 0)
		return -1;
	if (password_check(r, password, "password") != 0)
		return -1;
	const char *addr_key = arena_printf(r->arena, "claim-code:%s", r->client_addr ? r->client_addr : "-");
	if (app_throttle_check(r, addr_key, "too_many_claims") != 0)
		return -1;
	char ticket_hash[SECRET_HASH_HEX];
	secret_digest(c.ticket, ticket_hash);
	struct store_stmt *st = store_prepare(r->store,
		"SELECT id, code_hash, volunteer_id, attempts, expires_at, used_at, via"
		" FROM account_claims WHERE ticket_hash = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, ticket_hash);
	int rc = store_step(st);
	const char *code_hash = NULL;
	int64_t attempts = 0, expires = 0;
	bool used = false;
	if (rc == STORE_ROW) {
		c.claim_id = store_col_int(st, 0);
		code_hash = arena_strdup(r->arena, store_col_text(st, 1));
		c.volunteer_id = store_col_null(st, 2) ? 0 : store_col_int(st, 2);
		attempts = store_col_int(st, 3);
		expires = store_col_int(st, 4);
		used = !store_col_null(st, 5);
		c.via = arena_strdup(r->arena, store_col_text(st, 6));
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return app_store_fail(r, rc);
	if (rc == STORE_DONE) {
		/* a ticket this server never gave: a guess */
		if (app_throttle_take(r, addr_key, COMPLETE_FREE_FAILURES, 60, 3600, "too_many_claims") != 0)
			return -1;
		return app_fail(r, APP_EINVALID, "claim_expired", "claim_id");
	}
	if (claim_state_fail(r, used, expires, attempts) != 0)
		return -1;
	/* a try of the claim, then one of the address, each taken in one
	 * atomic step before the code is compared: parallel guesses cannot
	 * all pass a check made before any of them counted */
	rc = reserve_try(r, c.claim_id, &attempts);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	if (attempts == 0)
		return claim_refused(r, r->store, c.claim_id);
	if (app_throttle_take(r, addr_key, COMPLETE_FREE_FAILURES, 60, 3600, "too_many_claims") != 0) {
		int err = give_back_try(r, c.claim_id);
		return err == STORE_OK ? -1 : app_store_fail(r, err);
	}
	/* a claim that named nobody has a code that was never sent: it never
	 * matches, and fails exactly like a wrong code */
	if (!code_matches(c.ticket, c.code, code_hash) || !c.volunteer_id)
		return app_fail(r, APP_EINVALID,
				attempts >= CLAIM_ATTEMPTS ? "claim_locked" : "claim_code_wrong", "code");
	/* a right code is no failure of the address */
	if (app_throttle_refund(r, addr_key, COMPLETE_FREE_FAILURES) != 0)
		return -1;
	char hash[128];
	if (secret_password_hash(password, strlen(password), hash, sizeof(hash)) != 0)
		return app_fail(r, APP_EINTERNAL, "internal", NULL);
	c.password_hash = hash;
	rc = store_tx(r->store, complete_tx, &c);
	app_auth_changed();   /* a reset ends the account's sessions */
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	/* the public start that led here was genuine: its address gets it back
	 * (an invitation took nothing from any address); the account is made
	 * whether or not that succeeds */
	if (strcmp(c.via, "self") == 0 &&
	    app_throttle_refund(r, claim_addr_key(r), app_config(r->app)->address_free_failures) != 0) {
		log_warn("claims: the start of claim %lld was not given back to its address", (long long)c.claim_id);
		r->err.status = APP_OK;
		r->err.code = NULL;
	}
	*out = json_pack("{ss ss sb sI}", "login", c.login, "volunteer_number", c.vnumber,
			 "reset", c.reset, "user_id", (json_int_t)c.user_id);
	return 0;
}
