/* User administration: admins create, list, read and edit the accounts of
 * their organisation's subtree. */
#include "app/accounts/accounts_api.h"
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/buf.h"
#include <assert.h>
#include <string.h>


#define USER_COLUMNS \
	"u.id, u.username, u.display_name, u.phone, u.roles, u.org_id, o.name," \
	" u.status, u.created_at, o.path, u.permissions"

/* full_phone: lists mask the phone; a single read by an admin shows it. */
static json_t *user_json(struct app_req *r, struct store_stmt *st, bool full_phone)
{
	const char *phone = store_col_text(st, 3);
	char masked[16];
	if (phone && !full_phone) {
		mask_phone(phone, masked, sizeof(masked));
		phone = masked;
	}
	return json_pack("{sI ss ss ss? so sI ss ss ss so}",
		"id", (json_int_t)store_col_int(st, 0),
		"username", store_col_text(st, 1),
		"display_name", store_col_text(st, 2),
		"phone", phone,
		"roles", user_roles_json(roles_from_csv(store_col_text(st, 4))),
		"org_id", (json_int_t)store_col_int(st, 5),
		"org_name", store_col_text(st, 6),
		"status", store_col_text(st, 7),
		"created_at", app_iso(r, store_col_int(st, 8)),
		"permissions", permissions_json(store_col_text(st, 10)));
}

static json_t *user_list_json(struct app_req *r, struct store_stmt *st)
{
	return user_json(r, st, false);
}

/* Reads "roles": a non-empty array of known role names. */
static int in_roles(struct app_req *r, json_t *in, bool required, int *out, bool *present)
{
	json_t *v = json_object_get(in, "roles");
	*present = v && !json_is_null(v);
	if (!*present)
		return required ? app_fail(r, APP_EINVALID, "required", "roles") : 0;
	if (!json_is_array(v))
		return app_fail(r, APP_EBADREQ, "wrong_type", "roles");
	if (json_array_size(v) == 0)
		return app_fail(r, APP_EINVALID, "required", "roles");
	if (json_array_size(v) > ROLE_COUNT * 2)
		return app_fail(r, APP_EINVALID, "too_long", "roles");
	int set = 0;
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return app_fail(r, APP_EBADREQ, "wrong_type", "roles");
		int bit = role_parse(json_string_value(e));
		if (!bit)
			return app_fail(r, APP_EINVALID, "invalid_role", "roles");
		set |= bit;
	}
	*out = set;
	return 0;
}

/* Whether a username or phone is taken by someone other than except_id. */
static int taken(struct store *s, const char *sql, const char *value, int64_t except_id, bool *yes)
{
	struct store_stmt *st = store_prepare(s, sql);
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, value);
	store_bind_int(st, 2, except_id);
	int rc = store_step(st);
	store_done(st);
	*yes = rc == STORE_ROW;
	return (rc == STORE_ROW || rc == STORE_DONE) ? STORE_OK : rc;
}

int users_phone_taken(struct store *s, const char *phone, int64_t except_id, bool *yes)
{
	return taken(s, "SELECT 1 FROM users WHERE phone = $1 AND id <> $2", phone, except_id, yes);
}

int users_insert_login(struct store *s, const char *username, const char *phone,
		       const char *display_name, const char *password_hash, const char *roles,
		       int64_t org_id, const char *region, int64_t now, int64_t *id)
{
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO users (username, phone, display_name, password_hash, roles, org_id,"
		" region_code, status, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $8, $5, $6, 'active', $7, $7) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, username);
	if (phone)
		store_bind_text(st, 2, phone);
	else
		store_bind_null(st, 2);
	store_bind_text(st, 3, display_name);
	store_bind_text(st, 4, password_hash);
	store_bind_int(st, 5, org_id);
	store_bind_text(st, 6, region);
	store_bind_int(st, 7, now);
	store_bind_text(st, 8, roles);
	int rc = store_step(st);
	*id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}

int users_insert_volunteer(struct store *s, const char *username, const char *phone,
			   const char *display_name, const char *password_hash, int64_t org_id,
			   const char *region, int64_t now, int64_t *id)
{
	return users_insert_login(s, username, phone, display_name, password_hash, "volunteer",
				  org_id, region, now, id);
}

int users_erase_login(struct store *s, int64_t user_id)
{
	struct store_stmt *st = store_prepare(s,
		"UPDATE users SET phone = NULL, display_name = '', status = 'disabled',"
		" username = 'deleted-' || CAST(id AS TEXT) WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, user_id);
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	if ((rc = sessions_end_all(s, user_id)) != STORE_OK)
		return rc;
	int64_t revoked;
	return tokens_revoke_all_at(s, user_id, 0, &revoked);
}

int users_password_set(struct store *s, int64_t id, const char *hash, int64_t now)
{
	struct store_stmt *st = store_prepare(s, "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	store_bind_text(st, 2, hash);
	store_bind_int(st, 3, now);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static const char q_name_taken[] =
	"SELECT 1 FROM users WHERE lower(username) = lower($1) AND id <> $2";

struct user_ctx {
	struct app_req *r;
	int64_t id;
	const char *username, *display_name, *phone, *org_path;
	int roles;
	int64_t org_id;
	char hash[128];
	/* edits */
	bool set_display, set_phone, set_roles, set_org, set_status, set_password, set_permissions;
	const char *permissions;
	const char *status;
	json_t *changed;
	/* permissions before and after: a grant is audited as its own action */
	json_t *granted, *withdrawn;
	const char *target_name;
	int64_t tokens_revoked;
	/* the row the checks were made on: the update applies only to it */
	int64_t was_org;
	const char *was_roles, *was_status, *was_perms;
};

static int check_unique(struct user_ctx *c, struct store *s)
{
	bool yes;
	int rc;
	if (c->username) {
		rc = taken(s, q_name_taken, c->username, c->id, &yes);
		if (rc != STORE_OK)
			return rc;
		if (yes) {
			app_fail(c->r, APP_ECONFLICT, "username_taken", "username");
			return STORE_ERROR;
		}
	}
	if (c->phone) {
		rc = users_phone_taken(s, c->phone, c->id, &yes);
		if (rc != STORE_OK)
			return rc;
		if (yes) {
			app_fail(c->r, APP_ECONFLICT, "phone_taken", "phone");
			return STORE_ERROR;
		}
	}
	return STORE_OK;
}

static int create_tx(struct store *s, void *vctx)
{
	struct user_ctx *c = vctx;
	struct app_req *r = c->r;
	int rc = check_unique(c, s);
	if (rc != STORE_OK)
		return rc;
	char roles[64];
	roles_to_csv(c->roles, roles, sizeof(roles));
	int64_t now = app_now();
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO users (username, phone, display_name, password_hash, roles,"
		" org_id, region_code, status, created_at, updated_at)"
		" SELECT CAST($1 AS TEXT), CAST($2 AS TEXT), CAST($3 AS TEXT),"
		" CAST($4 AS TEXT), CAST($5 AS TEXT), id, region_code, 'active',"
		" CAST($7 AS BIGINT), CAST($7 AS BIGINT)"
		" FROM orgs WHERE id = $6 RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->username);
	store_bind_text(st, 2, c->phone);
	store_bind_text(st, 3, c->display_name ? c->display_name : "");
	store_bind_text(st, 4, c->hash);
	store_bind_text(st, 5, roles);
	store_bind_int(st, 6, c->org_id);
	store_bind_int(st, 7, now);
	rc = store_step(st);
	c->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	json_t *detail = json_pack("{ss so sI}", "username", c->username,
				   "roles", user_roles_json(c->roles), "org_id", (json_int_t)c->org_id);
	rc = audit_write(r, s, "user.create", "user", c->id, c->org_id, c->org_path, detail);
	json_decref(detail);
	return rc;
}

/* The organisation the input names must exist and lie in the caller's
 * scope; its path is kept for the audit entry. */
static int target_org(struct app_req *r, int64_t org_id, const char **path)
{
	int rc = org_lookup(r, org_id, path, NULL);
	if (rc == STORE_DONE)
		return app_fail(r, APP_EINVALID, "org_not_found", "org_id");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	return authz_check(r, AUTHZ_USERS_WRITE, *path);
}

int users_create(struct app_req *r, json_t *in, json_t **out)
{
	struct user_ctx c = { .r = r };
	const char *password;
	bool present;
	if (authz_check(r, AUTHZ_USERS_WRITE, NULL) != 0)
		return -1;
	if (in_text(r, in, "username", true, USERNAME_MAX, &c.username) != 0)
		return -1;
	if (!valid_username(c.username))
		return app_fail(r, APP_EINVALID, "invalid_username", "username");
	if (in_secret(r, in, "password", true, PASSWORD_MAX, &password) != 0)
		return -1;
	if (password_check(r, password, "password") != 0)
		return -1;
	if (in_roles(r, in, true, &c.roles, &present) != 0 ||
	    in_id(r, in, "org_id", true, &c.org_id, NULL) != 0 ||
	    in_text(r, in, "display_name", false, DISPLAY_NAME_MAX, &c.display_name) != 0 ||
	    in_text(r, in, "phone", false, 11, &c.phone) != 0)
		return -1;
	if (c.phone && !valid_phone(c.phone))
		return app_fail(r, APP_EINVALID, "invalid_phone", "phone");
	if (target_org(r, c.org_id, &c.org_path) != 0)
		return -1;
	if (secret_password_hash(password, strlen(password), c.hash, sizeof(c.hash)) != 0)
		return app_fail(r, APP_EINTERNAL, "internal", NULL);
	int rc = store_tx(r->store, create_tx, &c);
	if (rc != STORE_OK) {
		if (rc == STORE_CONSTRAINT && r->err.status == APP_OK)
			return app_fail(r, APP_ECONFLICT, "username_taken", "username");
		return app_store_fail(r, rc);
	}
	json_t *user;
	if (users_get(r, c.id, &user) != 0)
		return -1;
	*out = user;
	return 0;
}

int users_list(struct app_req *r, const struct users_query *q, json_t **out)
{
	static const char sql[] =
		"SELECT " USER_COLUMNS " FROM users u JOIN orgs o ON o.id = u.org_id"
		" WHERE o.path LIKE $1 AND u.id > $2"
		" AND (CAST($3 AS BIGINT) = 0 OR u.org_id = $3)"
		" AND (CAST($4 AS TEXT) IS NULL OR lower(u.username) LIKE $4 ESCAPE '\\'"
		"      OR u.display_name LIKE $4 ESCAPE '\\' OR u.phone = $5)"
		" ORDER BY u.id LIMIT $6";
	int limit;
	int64_t after, org = 0;
	if (authz_check(r, AUTHZ_USERS_READ, NULL) != 0)
		return -1;
	if (app_limit(r, q->limit, &limit) != 0 || app_cursor(r, q->cursor, &after) != 0)
		return -1;
	if (q->org_id) {
		const char *path;
		if (parse_id(q->org_id, &org) != 0)
			return app_fail(r, APP_EBADREQ, "invalid_id", "org_id");
		int rc = org_lookup(r, org, &path, NULL);
		if (rc == STORE_DONE)
			return app_fail(r, APP_ENOTFOUND, "not_found", "org_id");
		if (rc != STORE_ROW)
			return app_store_fail(r, rc);
		if (authz_check(r, AUTHZ_USERS_READ, path) != 0)
			return -1;
	}
	const char *pattern = NULL;
	if (q->q && app_like_pattern(r, q->q, "q", &pattern) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, sql);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", r->who->org_path));
	store_bind_int(st, 2, after);
	store_bind_int(st, 3, org);
	store_bind_text(st, 4, pattern);
	store_bind_text(st, 5, q->q);
	store_bind_int(st, 6, limit + 1);
	return app_page(r, st, limit, user_list_json, out);
}

/* Loads user id; returns 0 with the statement positioned on the row, or
 * -1 with 404 when there is no such user and 403 when the caller may not
 * read users or this one is outside their scope. */
static int load_user(struct app_req *r, int64_t id, struct store_stmt **out)
{
	if (authz_check(r, AUTHZ_USERS_READ, NULL) != 0)
		return -1;
	return app_load_row(r, "SELECT " USER_COLUMNS " FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = $1",
			    id, AUTHZ_USERS_READ, 9, out);
}

int users_get(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st;
	if (load_user(r, id, &st) != 0)
		return -1;
	*out = user_json(r, st, true);
	store_done(st);
	return 0;
}

/* Audits a grant or a withdrawal of permissions as an action of its own,
 * naming who gave or took what from whom (nothing when list is empty). */
static int audit_permissions(struct app_req *r, struct store *s, const struct user_ctx *c,
			     const char *action, json_t *list, const char *by)
{
	if (json_array_size(list) == 0)
		return STORE_OK;
	char by_id[32];
	int n = snprintf(by_id, sizeof by_id, "%s_id", by);
	assert(n > 0 && (size_t)n < sizeof by_id);
	json_t *d = json_pack("{sO sI ss sI ss}", "permissions", list,
			      "user_id", (json_int_t)c->id, "username", c->target_name,
			      by_id, (json_int_t)r->who->user_id, by, r->who->username);
	int rc = audit_write(r, s, action, "user", c->id, c->org_id, c->org_path, d);
	json_decref(d);
	return rc;
}

static int update_tx(struct store *s, void *vctx)
{
	struct user_ctx *c = vctx;
	struct app_req *r = c->r;
	int rc = check_unique(c, s);
	if (rc != STORE_OK)
		return rc;
	char roles[64];
	roles_to_csv(c->roles, roles, sizeof(roles));
	struct store_stmt *st = store_prepare(s,
		"UPDATE users SET"
		" display_name = CASE WHEN $2 = 1 THEN $3 ELSE display_name END,"
		" phone = CASE WHEN $4 = 1 THEN $5 ELSE phone END,"
		" roles = CASE WHEN $6 = 1 THEN $7 ELSE roles END,"
		" org_id = CASE WHEN $8 = 1 THEN $9 ELSE org_id END,"
		" status = CASE WHEN $10 = 1 THEN $11 ELSE status END,"
		" password_hash = CASE WHEN $12 = 1 THEN $13 ELSE password_hash END,"
		" permissions = CASE WHEN $15 = 1 THEN $16 ELSE permissions END,"
		" updated_at = $14 WHERE id = $1 AND org_id = $17 AND roles = $18 AND status = $19"
		" AND COALESCE(permissions, '') = $20 RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_int(st, 2, c->set_display);
	store_bind_text(st, 3, c->display_name ? c->display_name : "");
	store_bind_int(st, 4, c->set_phone);
	store_bind_text(st, 5, c->phone);
	store_bind_int(st, 6, c->set_roles);
	store_bind_text(st, 7, roles);
	store_bind_int(st, 8, c->set_org);
	store_bind_int(st, 9, c->org_id);
	store_bind_int(st, 10, c->set_status);
	store_bind_text(st, 11, c->status ? c->status : "active");
	store_bind_int(st, 12, c->set_password);
	store_bind_text(st, 13, c->hash);
	store_bind_int(st, 14, app_now());
	store_bind_int(st, 15, c->set_permissions);
	store_bind_text(st, 16, c->permissions ? c->permissions : "");
	store_bind_int(st, 17, c->was_org);
	store_bind_text(st, 18, c->was_roles);
	store_bind_text(st, 19, c->was_status);
	store_bind_text(st, 20, c->was_perms);
	rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE) {
		/* changed by another request since it was read: what was checked
		 * (e.g. a grant against a move sent at once) no longer holds */
		app_fail(r, APP_ECONFLICT, "user_changed", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	if (c->set_password || (c->set_status && strcmp(c->status, "disabled") == 0)) {
		/* a reset password or a disabled account signs the user out and
		 * revokes their API tokens: the holder of the old password may
		 * have made one (re-enabling does not bring them back) */
		rc = sessions_end_all(s, c->id);
		if (rc != STORE_OK)
			return rc;
		rc = tokens_revoke_all(s, c->id, &c->tokens_revoked);
		if (rc != STORE_OK)
			return rc;
		json_object_set_new(c->changed, "tokens_revoked", json_integer(c->tokens_revoked));
	}
	rc = audit_write(r, s, "user.update", "user", c->id, c->org_id, c->org_path, c->changed);
	if (rc != STORE_OK)
		return rc;
	/* who gave what to whom, findable by its own action */
	rc = audit_permissions(r, s, c, "user.permission_grant", c->granted, "granted_by");
	if (rc != STORE_OK)
		return rc;
	rc = audit_permissions(r, s, c, "user.permission_revoke", c->withdrawn, "withdrawn_by");
	return rc;
}

/* The permissions an account may be given beyond its roles. A sensitive
 * one opens personal data: granting it needs an admin whose scope is
 * strictly wider than the grantee's. */
static const struct {
	const char *name;
	bool sensitive;
} known_permissions[] = {
	{ "read_id_number", true },
};
#define N_PERMISSIONS (sizeof(known_permissions) / sizeof(known_permissions[0]))

/* Whether the comma-separated list holds a sensitive permission. */
static bool holds_sensitive(const char *list)
{
	for (size_t k = 0; k < N_PERMISSIONS; k++)
		if (known_permissions[k].sensitive && authz_list_has(list, known_permissions[k].name))
			return true;
	return false;
}

/* Whether the caller's scope is strictly wider than the organisation at
 * path, which lies in that scope. At the root nobody is wider: there
 * another root admin decides (never oneself, refused before). */
static bool wider_than(const struct principal *who, const char *path)
{
	if (who->org_parent_id == 0 && strcmp(who->org_path, path) == 0)
		return true;
	return strlen(who->org_path) < strlen(path);
}

/* Explicit grants from "permissions": only names the server knows, each
 * once, kept as a list in the order of known_permissions. */
static int read_permissions(struct app_req *r, json_t *in, struct user_ctx *c)
{
	json_t *perms = json_object_get(in, "permissions");
	if (!perms || json_is_null(perms))
		return 0;
	if (!json_is_array(perms))
		return app_fail(r, APP_EBADREQ, "wrong_type", "permissions");
	char csv[128] = "";
	size_t n = N_PERMISSIONS;
	bool want[N_PERMISSIONS] = { false };
	if (json_array_size(perms) > n * 4)
		return app_fail(r, APP_EINVALID, "too_long", "permissions");
	size_t i;
	json_t *e;
	json_array_foreach(perms, i, e) {
		size_t k = 0;
		while (k < n && !(json_is_string(e) && strcmp(json_string_value(e), known_permissions[k].name) == 0))
			k++;
		if (k == n)
			return app_fail(r, APP_EINVALID, "invalid_permission", "permissions");
		want[k] = true;
	}
	for (size_t k = 0; k < n; k++)
		if (want[k])
			snprintf(csv + strlen(csv), sizeof(csv) - strlen(csv), "%s%s",
				 csv[0] ? "," : "", known_permissions[k].name);
	c->permissions = arena_strdup(r->arena, csv);
	c->set_permissions = true;
	return 0;
}

/* The fields of an edit: what is set, read and checked (422s naming the
 * field); *new_org is the org_id given (else unchanged), *password the
 * new password or NULL. */
static int read_changes(struct app_req *r, json_t *in, struct user_ctx *c, int64_t *new_org,
			const char **password)
{
	if (in_text(r, in, "display_name", false, DISPLAY_NAME_MAX, &c->display_name) != 0)
		return -1;
	c->set_display = json_object_get(in, "display_name") != NULL;
	c->set_phone = json_object_get(in, "phone") != NULL;
	if (in_text(r, in, "phone", false, 11, &c->phone) != 0)
		return -1;
	if (c->phone && !valid_phone(c->phone))
		return app_fail(r, APP_EINVALID, "invalid_phone", "phone");
	if (in_roles(r, in, false, &c->roles, &c->set_roles) != 0)
		return -1;
	if (in_id(r, in, "org_id", false, new_org, &c->set_org) != 0)
		return -1;
	if (in_text(r, in, "status", false, 16, &c->status) != 0)
		return -1;
	c->set_status = c->status != NULL;
	if (c->status && strcmp(c->status, "active") != 0 && strcmp(c->status, "disabled") != 0)
		return app_fail(r, APP_EINVALID, "invalid_status", "status");
	if (in_secret(r, in, "password", false, PASSWORD_MAX, password) != 0)
		return -1;
	if (*password && password_check(r, *password, "password") != 0)
		return -1;
	c->set_password = *password != NULL;
	return read_permissions(r, in, c);
}

/* Fills c->granted and c->withdrawn with what an edit of permissions
 * changes, name by name; true when a sensitive one is granted. */
static bool permissions_diff(struct user_ctx *c)
{
	bool sensitive = false;
	if (c->set_permissions) {
		/* what changes, name by name; a sensitive grant needs a strictly
		 * wider scope than the grantee's (and than the new organisation's
		 * when the same request moves them) */
		for (size_t k = 0; k < N_PERMISSIONS; k++) {
			const char *name = known_permissions[k].name;
			bool before = authz_list_has(c->was_perms, name), after = authz_list_has(c->permissions, name);
			if (after && !before) {
				json_array_append_new(c->granted, json_string(name));
				sensitive = sensitive || known_permissions[k].sensitive;
			}
			if (before && !after)
				json_array_append_new(c->withdrawn, json_string(name));
		}
	}
	return sensitive;
}

/* Which field of an edit needs the editor's strictly wider scope (see
 * users_update), or NULL: a sensitive grant, or anything that would let
 * a narrower admin use an account that holds (or will hold) one. */
static const char *sensitive_guard(const struct user_ctx *c, int64_t who_id, int old_roles, bool moving,
				   bool grants_sensitive)
{
	const char *guarded = NULL;
	if (grants_sensitive)
		guarded = "permissions";
	else if (holds_sensitive(c->set_permissions ? c->permissions : c->was_perms)) {
		if (moving)
			guarded = "org_id";
		else if (c->set_password && c->id != who_id)
			guarded = "password";
		else if (c->set_status && strcmp(c->status, "active") == 0 && strcmp(c->was_status, "active") != 0)
			guarded = "status";
		else if (c->set_roles && (c->roles & ~old_roles & (ROLE_ADMIN | ROLE_RECORDER)))
			guarded = "roles";
	}
	return guarded;
}

int users_update(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	struct user_ctx c = { .r = r, .id = id };
	struct store_stmt *st;
	if (load_user(r, id, &st) != 0)
		return -1;
	c.org_id = store_col_int(st, 5);
	c.org_path = arena_strdup(r->arena, store_col_text(st, 9));
	c.roles = roles_from_csv(store_col_text(st, 4));
	c.target_name = arena_strdup(r->arena, store_col_text(st, 1));
	const int old_roles = c.roles;
	c.was_org = c.org_id;
	c.was_roles = arena_strdup(r->arena, store_col_text(st, 4));
	c.was_status = arena_strdup(r->arena, store_col_text(st, 7));
	c.was_perms = arena_strdup(r->arena, store_col_null(st, 10) ? "" : store_col_text(st, 10));
	store_done(st);
	if (authz_check(r, AUTHZ_USERS_WRITE, c.org_path) != 0)
		return -1;

	const char *password = NULL;
	int64_t new_org = c.org_id;
	if (read_changes(r, in, &c, &new_org, &password) != 0)
		return -1;

	/* an admin cannot lock themselves out, nor widen their own access:
	 * roles and permissions are changed by someone else (the same values
	 * sent back, as an edit form does, are no change) */
	if (id == r->who->user_id) {
		if (c.set_status && strcmp(c.status, "active") != 0)
			return app_fail(r, APP_EINVALID, "cannot_change_self", "status");
		if (c.set_roles && c.roles != old_roles)
			return app_fail(r, APP_EFORBIDDEN, "cannot_change_own_access", "roles");
		if (c.set_permissions && strcmp(c.permissions, c.was_perms) != 0)
			return app_fail(r, APP_EFORBIDDEN, "cannot_change_own_access", "permissions");
		if (c.set_org && new_org != c.org_id)
			return app_fail(r, APP_EINVALID, "cannot_change_self", "org_id");
	}
	c.granted = json_array();
	c.withdrawn = json_array();
	bool grants_sensitive = permissions_diff(&c);
	const char *old_path = c.org_path;
	bool moving = c.set_org && new_org != c.org_id;
	if (moving && target_org(r, new_org, &c.org_path) != 0)
		goto fail;
	/* A sensitive grant needs a strictly wider scope than the grantee's,
	 * before and after a move in the same request. So does anything that
	 * would let a narrower or peer admin use an account that holds (or
	 * will hold) one: moving it (up to their own level), setting its
	 * password, enabling it again, or giving it a role that can use it. */
	const char *guarded = sensitive_guard(&c, r->who->user_id, old_roles, moving, grants_sensitive);
	if (guarded && !(wider_than(r->who, old_path) && wider_than(r->who, c.org_path))) {
		app_fail(r, APP_EFORBIDDEN, "grant_needs_wider_scope", guarded);
		goto fail;
	}
	c.org_id = new_org;
	if (password && secret_password_hash(password, strlen(password), c.hash, sizeof(c.hash)) != 0) {
		app_fail(r, APP_EINTERNAL, "internal", NULL);
		goto fail;
	}

	c.changed = json_array();
	static const char *const fields[] = { "display_name", "phone", "roles", "org_id", "status", "password",
					      "permissions" };
	bool set[] = { c.set_display, c.set_phone, c.set_roles, c.set_org, c.set_status, c.set_password,
		       c.set_permissions };
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (set[i])
			json_array_append_new(c.changed, json_string(fields[i]));
	json_t *detail = json_pack("{so}", "fields", c.changed);
	c.changed = detail;
	int rc = store_tx(r->store, update_tx, &c);
	app_auth_changed();   /* cached principals may hold what changed */
	json_decref(detail);
	json_decref(c.granted);
	json_decref(c.withdrawn);
	if (rc != STORE_OK) {
		if (rc == STORE_CONSTRAINT && r->err.status == APP_OK)
			return app_fail(r, APP_ECONFLICT, "phone_taken", "phone");
		return app_store_fail(r, rc);
	}
	if (users_get(r, id, out) != 0)
		return -1;
	if (c.set_password || (c.set_status && strcmp(c.status, "disabled") == 0))
		json_object_set_new(*out, "tokens_revoked", json_integer(c.tokens_revoked));
	return 0;
fail:
	json_decref(c.granted);
	json_decref(c.withdrawn);
	return -1;
}

struct reset_ctx {
	struct app_req *r;
	const char *username;
	char hash[128];
	int64_t id, tokens_revoked;
};

static int reset_tx(struct store *s, void *vctx)
{
	struct reset_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"UPDATE users SET password_hash = $2, updated_at = $3"
		" WHERE lower(username) = lower($1) RETURNING id, org_id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->username);
	store_bind_text(st, 2, c->hash);
	store_bind_int(st, 3, app_now());
	int rc = store_step(st);
	int64_t org = 0;
	if (rc == STORE_ROW) {
		c->id = store_col_int(st, 0);
		org = store_col_int(st, 1);
	}
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	rc = sessions_end_all(s, c->id);
	if (rc != STORE_OK)
		return rc;
	rc = tokens_revoke_all(s, c->id, &c->tokens_revoked);
	if (rc != STORE_OK)
		return rc;
	struct org_ref o;
	rc = org_fetch(c->r, s, org, &o);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	json_t *detail = json_pack("{sI}", "tokens_revoked", (json_int_t)c->tokens_revoked);
	rc = audit_write(c->r, s, "user.password_reset", "user", c->id, org, o.path, detail);
	json_decref(detail);
	return rc;
}

int users_reset_password(struct app *a, const char *username, char *password, size_t len,
		       int64_t *tokens_revoked)
{
	struct arena *arena = arena_new();
	struct app_req r;
	int ret = -1;
	if (len < 17 || app_req_init(&r, a, arena, "cli") != 0)
		goto out;
	struct reset_ctx c = { .r = &r, .username = username };
	secret_password_generate(password, 16);
	if (secret_password_hash(password, strlen(password), c.hash, sizeof(c.hash)) != 0)
		goto out;
	if (store_tx(r.store, reset_tx, &c) == STORE_OK) {
		*tokens_revoked = c.tokens_revoked;
		ret = 0;
	}
	app_auth_changed();
out:
	arena_free(arena);
	return ret;
}

/* POST /me/password: the caller's own password change (moved here from
 * accounts.c: users.c writes users). */
struct password_ctx {
	struct app_req *r;
	char hash[128];
	int64_t tokens_revoked;
};

static int password_tx(struct store *s, void *vctx)
{
	struct password_ctx *c = vctx;
	struct app_req *r = c->r;
	int rc = users_password_set(s, r->who->user_id, c->hash, app_now());
	if (rc != STORE_OK)
		return rc;
	/* a changed password ends every other sign-in of the account */
	rc = sessions_end_others(s, r->who->user_id, r->who->session_id);
	if (rc != STORE_OK)
		return rc;
	/* and every API token: one made with the old password stops too */
	rc = tokens_revoke_all(s, r->who->user_id, &c->tokens_revoked);
	if (rc != STORE_OK)
		return rc;
	json_t *detail = json_pack("{sI}", "tokens_revoked", (json_int_t)c->tokens_revoked);
	rc = audit_write(r, s, "user.password_change", "user", r->who->user_id,
			 r->who->org_id, r->who->org_path, detail);
	json_decref(detail);
	return rc;
}

int accounts_change_password(struct app_req *r, json_t *in, json_t **out)
{
	const char *old, *new;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	if (in_secret(r, in, "old_password", true, PASSWORD_MAX, &old) != 0 ||
	    in_secret(r, in, "new_password", true, PASSWORD_MAX, &new) != 0)
		return -1;
	if (password_check(r, new, "new_password") != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, "SELECT password_hash FROM users WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, r->who->user_id);
	int rc = store_step(st);
	const char *hash = rc == STORE_ROW ? arena_strdup(r->arena, store_col_text(st, 0)) : NULL;
	store_done(st);
	if (!hash)
		return app_store_fail(r, rc);
	if (!secret_password_verify(hash, old, strlen(old)))
		return app_fail(r, APP_EINVALID, "wrong_password", "old_password");
	struct password_ctx c = { .r = r };
	if (secret_password_hash(new, strlen(new), c.hash, sizeof(c.hash)) != 0)
		return app_fail(r, APP_EINTERNAL, "internal", NULL);
	rc = store_tx(r->store, password_tx, &c);
	app_auth_changed();   /* cached principals may hold what changed */
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	*out = json_pack("{sI}", "tokens_revoked", (json_int_t)c.tokens_revoked);
	return 0;
}
