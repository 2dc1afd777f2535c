/* Reading volunteer files: the file as the API shows it, by id (scope
 * checked or not), the caller's own file, and the audited read of the
 * full ID number. */
#include "app/network/volunteers.h"
#include "app/network/volunteers_int.h"
#include "app/kernel/kernel.h"
#include "core/validate.h"
#include "util/arena.h"
#include <string.h>

static json_t *contact_json(struct store_stmt *st, int name_col)
{
	if (store_col_null(st, name_col))
		return json_null();
	return json_pack("{ss ss?}", "name", store_col_text(st, name_col),
			 "phone", store_col_text(st, name_col + 1));
}

/* One volunteer as the API shows it; full_phone for single reads by
 * those who may see it. */
json_t *vol_json(struct app_req *r, struct store_stmt *st, bool full_phone)
{
	const char *phone = store_col_text(st, 7);
	char masked[16];
	if (phone && !full_phone) {
		mask_phone(phone, masked, sizeof(masked));
		phone = masked;
	}
	json_t *skills = json_loads(store_col_text(st, 9), 0, NULL);
	json_t *cats = json_loads(store_col_text(st, 10), 0, NULL);
	json_t *guardian = contact_json(st, 16);
	if (json_is_object(guardian))
		json_object_set_new(guardian, "consent_at", store_col_null(st, 18) ? json_null()
				    : json_string(app_iso(r, store_col_int(st, 18))));
	return json_pack("{sI ss ss ss ss si ss ss ss? ss so so ss ss ss so so s{ss ss} ss sI ss ss ss ss si sb}",
		"id", (json_int_t)store_col_int(st, 0),
		"volunteer_number", store_col_text(st, 1),
		"name", store_col_text(st, 2),
		"gender", store_col_text(st, 3),
		"birth_date", store_col_text(st, 4),
		"age", age_on_date(store_col_text(st, 4), app_today_ymd()),
		"id_type", store_col_text(st, 5),
		"id_number_masked", store_col_text(st, 6),
		"phone", phone,
		"region_code", store_col_text(st, 8),
		"skills", skills ? skills : json_array(),
		"service_categories", cats ? cats : json_array(),
		"available_time", store_col_text(st, 11),
		"education", store_col_text(st, 12),
		"employer", store_col_text(st, 13),
		"emergency_contact", contact_json(st, 14),
		"guardian", guardian,
		"consent", "sensitive_at", app_iso(r, store_col_int(st, 19)),
			   "notice_version", store_col_text(st, 20),
		"status", store_col_text(st, 21),
		"home_org_id", (json_int_t)store_col_int(st, 22),
		"home_org_name", store_col_text(st, 23),
		"created_at", app_iso(r, store_col_int(st, 24)),
		"updated_at", app_iso(r, store_col_int(st, 25)),
		"source", store_col_text(st, 28),
		"star_level", (int)store_col_int(st, 29),
		/* whether the person can sign in (else staff may invite them to claim) */
		"has_account", !store_col_null(st, 27));
}

/* Memberships of a volunteer, oldest first. */
static json_t *memberships_json(struct app_req *r, int64_t id)
{
	json_t *a = json_array();
	struct store_stmt *st = store_prepare(r->store,
		"SELECT m.id, m.org_id, o.name, m.role, m.joined_on, m.left_on FROM memberships m"
		" JOIN orgs o ON o.id = m.org_id WHERE m.volunteer_id = $1 ORDER BY m.id");
	if (!st)
		return a;
	store_bind_int(st, 1, id);
	while (store_step(st) == STORE_ROW)
		json_array_append_new(a, json_pack("{sI sI ss ss ss ss?}",
			"id", (json_int_t)store_col_int(st, 0),
			"org_id", (json_int_t)store_col_int(st, 1),
			"org_name", store_col_text(st, 2),
			"role", store_col_text(st, 3),
			"joined_on", store_col_text(st, 4),
			"left_on", store_col_text(st, 5)));
	store_done(st);
	return a;
}

/* Loads a volunteer for a use case: 404 when absent, the scope check for
 * action. The statement stays on the row for the caller to read and
 * store_done(). */
int vol_load(struct app_req *r, int64_t id, enum authz_action action, struct store_stmt **out)
{
	if (authz_check(r, action, NULL) != 0)
		return -1;
	return app_load_row(r, "SELECT " VOL_COLUMNS VOL_FROM " WHERE v.id = $1", id, action, 26, out);
}

int volunteers_get(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st;
	if (vol_load(r, id, AUTHZ_VOLUNTEERS_READ, &st) != 0)
		return -1;
	*out = vol_json(r, st, true);
	store_done(st);
	json_object_set_new(*out, "memberships", memberships_json(r, id));
	return 0;
}

static int id_read_tx(struct store *s, void *vctx)
{
	struct vol_change *c = vctx;
	return audit_write(c->r, s, "volunteer.id_number_read", "volunteer", c->id, c->org_id,
			   c->org_path, NULL);
}

int volunteers_id_number(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st;
	if (vol_load(r, id, AUTHZ_VOLUNTEERS_READ, &st) != 0)
		return -1;
	struct vol_change c = { .r = r, .id = id, .org_id = store_col_int(st, 22),
				.org_path = arena_strdup(r->arena, store_col_text(st, 26)) };
	store_done(st);
	if (authz_check(r, AUTHZ_ID_NUMBER_READ, c.org_path) != 0)
		return -1;
	st = store_prepare(r->store, "SELECT id_sealed FROM volunteers WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	const char *sealed = rc == STORE_ROW ? arena_strdup(r->arena, store_col_text(st, 0)) : NULL;
	store_done(st);
	if (!sealed)
		return app_fail(r, APP_ENOTFOUND, "id_number_erased", NULL);
	char plain[256];
	if (secret_unseal(sealed, plain, sizeof(plain)) != 0)
		return app_fail(r, APP_EINTERNAL, "internal", NULL);
	/* the read is on record before the number leaves the server */
	rc = store_tx(r->store, id_read_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	*out = json_pack("{ss}", "id_number", plain);
	return 0;
}

int volunteers_mine_id(struct app_req *r, int64_t *id)
{
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT id FROM volunteers WHERE user_id = $1 AND status <> 'deleted'");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, r->who->user_id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*id = store_col_int(st, 0);
	store_done(st);
	if (rc == STORE_DONE)
		return app_fail(r, APP_ENOTFOUND, "no_volunteer_file", NULL);
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc);
}

int volunteers_get_unchecked(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st;
	if (app_load_row(r, "SELECT " VOL_COLUMNS VOL_FROM " WHERE v.id = $1", id, -1, 0, &st) != 0)
		return -1;
	*out = vol_json(r, st, true);
	store_done(st);
	json_object_set_new(*out, "memberships", memberships_json(r, id));
	return 0;
}

int volunteers_me(struct app_req *r, json_t **out)
{
	int64_t id;
	if (volunteers_mine_id(r, &id) != 0)
		return -1;
	return volunteers_get_unchecked(r, id, out);
}

int volunteers_active(struct store *s, int64_t id, bool *active)
{
	struct store_stmt *st = store_prepare(s, "SELECT status FROM volunteers WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	*active = rc == STORE_ROW && strcmp(store_col_text(st, 0), "active") == 0;
	store_done(st);
	return rc == STORE_ROW ? STORE_OK : rc;
}
