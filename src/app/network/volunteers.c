/* Volunteer registration: by staff, by the person (self-registration,
 * which creates their login) and by import. One function writes a new
 * file (insert_volunteer); see volunteers.h for the promises. */
#include "app/network/volunteers.h"
#include "app/network/volunteers_int.h"
#include "app/network/volwriter.h"
#include "app/accounts/accounts.h"
#include "app/kernel/kernel.h"
#include "core/idcard.h"
#include "core/validate.h"
#include "util/arena.h"
#include <assert.h>
#include <string.h>

#define NOTICE_VERSION_MAX 20
#define REGISTER_FREE 10         /* self-registrations per address before back-off */

static void vol_release(struct vol *v)
{
	free(v->skills);
	free(v->categories);
	json_decref(v->skill_list);
	json_decref(v->category_list);
}

/* A {"name","phone"} object (emergency contact, guardian). */
int vol_in_contact(struct app_req *r, json_t *in, const char *field, bool required,
		      const char **name, const char **phone, bool *consent)
{
	json_t *v = json_object_get(in, field);
	*name = *phone = NULL;
	if (consent)
		*consent = false;
	if (!v || json_is_null(v))
		return required ? app_fail(r, APP_EINVALID, "guardian_required", field) : 0;
	if (!json_is_object(v))
		return app_fail(r, APP_EBADREQ, "wrong_type", field);
	if (in_text(r, v, "name", required, 32, name) != 0 ||
	    in_text(r, v, "phone", required, 20, phone) != 0 ||
	    (consent && in_bool(r, v, "consent", consent, NULL) != 0)) {
		r->err.field = field;
		return -1;
	}
	if (*phone && !valid_contact_phone(*phone))
		return app_fail(r, APP_EINVALID, "invalid_phone", field);
	return 0;
}

/* Reads and checks a registration. Fields follow POST /volunteers. */
static int read_registration(struct app_req *r, json_t *in, struct vol *v)
{
	const char *id_raw, *gender = NULL, *birth = NULL, *region;
	if (in_text(r, in, "name", true, VOLUNTEER_NAME_MAX, &v->name) != 0 ||
	    in_text(r, in, "id_type", true, 32, &v->id_type) != 0 ||
	    in_text(r, in, "id_number", true, 40, &id_raw) != 0 ||
	    in_text(r, in, "gender", false, 8, &gender) != 0 ||
	    in_text(r, in, "birth_date", false, 10, &birth) != 0 ||
	    in_text(r, in, "phone", true, 11, &v->phone) != 0 ||
	    in_text(r, in, "region_code", true, 12, &region) != 0 ||
	    in_text(r, in, "available_time", false, 100, &v->available_time) != 0 ||
	    in_text(r, in, "education", false, 20, &v->education) != 0 ||
	    in_text(r, in, "employer", false, 100, &v->employer) != 0)
		return -1;
	int type = id_type_parse(v->id_type);
	if (type < 0)
		return app_fail(r, APP_EINVALID, "invalid_id_type", "id_type");
	char norm[48];
	if (id_normalize(id_raw, norm, sizeof(norm)) != 0)
		return app_fail(r, APP_EINVALID, "id_format", "id_number");
	struct id_facts facts;
	int today = app_today_ymd();
	enum id_error e = id_validate(type, norm, today, &facts);
	if (e != ID_OK)
		return app_fail(r, APP_EINVALID, id_error_code(e), "id_number");
	v->id_number = arena_strdup(r->arena, norm);
	if (gender && strcmp(gender, "male") != 0 && strcmp(gender, "female") != 0)
		return app_fail(r, APP_EINVALID, "invalid_gender", "gender");
	int bymd;
	if (birth && (!valid_date(birth, &bymd) || bymd > today))
		return app_fail(r, APP_EINVALID, "invalid_date", "birth_date");
	if (type == ID_RESIDENT) {
		/* the ID number is the authority; what was typed must agree */
		const char *g = facts.female ? "female" : "male";
		const char *b = arena_printf(r->arena, "%04d-%02d-%02d", facts.year, facts.month, facts.day);
		if (gender && strcmp(gender, g) != 0)
			return app_fail(r, APP_EINVALID, "gender_mismatch", "gender");
		if (birth && strcmp(birth, b) != 0)
			return app_fail(r, APP_EINVALID, "birth_date_mismatch", "birth_date");
		gender = g;
		birth = b;
	} else {
		if (!gender)
			return app_fail(r, APP_EINVALID, "required", "gender");
		if (!birth)
			return app_fail(r, APP_EINVALID, "required", "birth_date");
	}
	v->gender = gender;
	v->birth_date = birth;
	v->age = age_on_date(birth, today);
	if (!valid_phone(v->phone))
		return app_fail(r, APP_EINVALID, "invalid_phone", "phone");
	char code12[13];
	if (region_normalize(region, code12) != 0)
		return app_fail(r, APP_EINVALID, "invalid_region_code", "region_code");
	v->region = arena_strdup(r->arena, code12);
	if (in_tags(r, in, "skills", &v->skill_list, &v->skills) != 0 ||
	    in_tags(r, in, "service_categories", &v->category_list, &v->categories) != 0)
		return -1;
	if (vol_in_contact(r, in, "emergency_contact", false, &v->emergency_name, &v->emergency_phone, NULL) != 0)
		return -1;
	/* minors: under 14 a guardian's name, phone and consent; 14-17 the
	 * guardian's consent (registered-volunteer rules) */
	if (vol_in_contact(r, in, "guardian", v->age < 14, &v->guardian_name, &v->guardian_phone,
		       &v->guardian_consent) != 0)
		return -1;
	if (v->age < 18 && !v->guardian_consent)
		return app_fail(r, APP_EINVALID, "guardian_required", "guardian");
	json_t *consent = json_object_get(in, "consent");
	bool sensitive = false;
	if (!consent || json_is_null(consent))
		return app_fail(r, APP_EINVALID, "consent_required", "consent");
	if (!json_is_object(consent))
		return app_fail(r, APP_EBADREQ, "wrong_type", "consent");
	if (in_bool(r, consent, "sensitive", &sensitive, NULL) != 0 ||
	    in_text(r, consent, "notice_version", true, NOTICE_VERSION_MAX, &v->notice_version) != 0) {
		r->err.field = "consent";
		return -1;
	}
	if (!sensitive)
		return app_fail(r, APP_EINVALID, "consent_required", "consent");
	/* uniqueness by number alone: formats of the types do not overlap */
	secret_keyed_digest(v->id_number, v->id_hash);
	id_mask(v->id_number, v->id_masked, sizeof(v->id_masked));
	if (secret_seal(v->id_number, v->id_sealed, sizeof(v->id_sealed)) != 0)
		return app_fail(r, APP_EINTERNAL, "internal", NULL);
	return 0;
}

/* The home organisation named by org_id: exists, in the caller's scope
 * (for staff) and active. */
int vol_home_org(struct app_req *r, struct store *s, struct vol *v, bool check_scope)
{
	struct org_ref o;
	if (org_target(r, s, v->org_id, check_scope ? AUTHZ_VOLUNTEERS_WRITE : -1, true, &o) != 0)
		return -1;
	v->org_path = o.path;
	v->org_region = o.region;
	return 0;
}

/* Whether org_id may be chosen as a home on the public registration: a
 * station or team only. Returns 0, or -1 with 422 org_not_joinable. */
static int public_home_kind(struct app_req *r, int64_t org_id)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT kind FROM orgs WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, org_id);
	int rc = store_step(st);
	bool ok = rc == STORE_ROW && (strcmp(store_col_text(st, 0), "station") == 0 ||
				     strcmp(store_col_text(st, 0), "team") == 0);
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return app_store_fail(r, rc);
	return ok ? 0 : app_fail(r, APP_EINVALID, "org_not_joinable", "org_id");
}

/* Inserts the volunteer, home membership, search helpers and audit entry.
 * Returns STORE_OK, 1 when the ID is already registered, or an error. */
static int insert_volunteer(struct app_req *r, struct store *s, struct vol *v)
{
	int rc;
	/* volunteer numbers count per registering county and year; a number
	 * drawn for someone already registered is simply skipped */
	char region6[7];
	/* the home was checked (vol_home_org, or the importer once per file):
	 * its region is a county code at least */
	assert(v->org_region && strlen(v->org_region) >= 6 && v->source);
	memcpy(region6, v->org_region, 6);
	region6[6] = 0;
	int yy = app_today_ymd() / 10000 % 100;
	int64_t seq = 0;
	rc = app_next_seq(s, arena_printf(r->arena, "%s/%02d", region6, yy), &seq);
	if (rc != STORE_OK)
		return rc;
	if (volno_make(region6, yy, seq, v->number, sizeof(v->number)) != 0)
		return STORE_ERROR;
	int64_t now = app_now();
	rc = volwriter_insert(s, v, now);
	if (rc == STORE_DONE || rc == STORE_CONSTRAINT)
		return 1;   /* the ID is registered already */
	if (rc != STORE_ROW)
		return rc;
	assert(v->id > 0);
	rc = volwriter_membership_open(s, v->id, v->org_id, "member", app_today(r), v->org_region);
	if (rc != STORE_OK)
		return rc;
	rc = vol_index(s, v->id, v->name, v->skill_list, v->category_list, false);
	if (rc != STORE_OK)
		return rc;
	/* an imported file is audited once as a whole (import.volunteers, with
	 * its report kept in the imports table): a row per person there cost
	 * a tenth of the import time */
	if (strcmp(v->source, "import") == 0)
		return STORE_OK;
	/* number, source and id need no escaping */
	char detail[128];
	snprintf(detail, sizeof(detail), "{\"org_id\":%lld,\"source\":\"%s\",\"volunteer_number\":\"%s\"}",
		 (long long)v->org_id, v->source, v->number);
	return audit_write_text(r, s, "volunteer.create", "volunteer", v->id, v->org_id, v->org_path, detail);
}

struct create_ctx {
	struct app_req *r;
	struct vol *v;
	bool exists;
	const char *username;
};

static int create_tx(struct store *s, void *vctx)
{
	struct create_ctx *c = vctx;
	int rc = insert_volunteer(c->r, s, c->v);
	if (rc == 1) {
		c->exists = true;
		return STORE_ERROR;
	}
	return rc;
}

int volunteers_create(struct app_req *r, json_t *in, json_t **out)
{
	struct vol v = { .source = "staff" };
	int ret = -1;
	if (authz_check(r, AUTHZ_VOLUNTEERS_WRITE, NULL) != 0)
		return -1;
	if (in_id(r, in, "org_id", true, &v.org_id, NULL) != 0 || read_registration(r, in, &v) != 0)
		goto out;
	if (vol_home_org(r, r->store, &v, true) != 0)
		goto out;
	struct create_ctx c = { r, &v, false, NULL };
	int rc = store_tx(r->store, create_tx, &c);
	if (c.exists) {
		app_fail(r, APP_ECONFLICT, "volunteer_exists", "id_number");
		goto out;
	}
	if (rc != STORE_OK) {
		app_store_fail(r, rc);
		goto out;
	}
	ret = volunteers_get(r, v.id, out);
out:
	vol_release(&v);
	return ret;
}

static int register_tx(struct store *s, void *vctx)
{
	struct create_ctx *c = vctx;
	struct vol *v = c->v;
	bool taken;
	int rc = users_phone_taken(s, v->phone, 0, &taken);
	if (rc != STORE_OK)
		return rc;
	if (taken) {
		app_fail(c->r, APP_ECONFLICT, "phone_taken", "phone");
		return STORE_ERROR;
	}
	/* the login's name is made from the phone; people sign in with it */
	c->username = arena_printf(c->r->arena, "v%s", v->phone);
	rc = users_insert_volunteer(s, c->username, v->phone, v->name, v->password_hash, v->org_id,
				    v->org_region, app_now(), &v->user_id);
	if (rc == STORE_CONSTRAINT) {
		app_fail(c->r, APP_ECONFLICT, "phone_taken", "phone");
		return STORE_ERROR;
	}
	if (rc != STORE_OK)
		return rc;
	return create_tx(s, vctx);
}

/* Counts a self-registration attempt from this address; refuses when the
 * address has been busy. */
static int register_throttle(struct app_req *r)
{
	const char *key = arena_printf(r->arena, "reg:%s", r->client_addr ? r->client_addr : "-");
	struct store_stmt *st = store_prepare(r->store,
		"SELECT failures, blocked_until, updated_at FROM login_throttle WHERE key = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, key);
	int64_t now = app_now(), wait = 0;
	if (store_step(st) == STORE_ROW)
		wait = store_col_int(st, 1) - now;
	store_done(st);
	if (wait > 0) {
		r->err.retry_after = wait;
		return app_fail(r, APP_ETHROTTLED, "too_many_registrations", NULL);
	}
	return app_throttle_note(r, key, REGISTER_FREE, 60, 3600);
}

int volunteers_register_self(struct app_req *r, json_t *in, json_t **out)
{
	struct vol v = { .source = "self" };
	const char *password;
	bool has_org;
	int ret = -1;
	if (register_throttle(r) != 0)
		return -1;
	if (in_id(r, in, "org_id", false, &v.org_id, &has_org) != 0 ||
	    in_secret(r, in, "password", true, 256, &password) != 0)
		goto out;
	if (read_registration(r, in, &v) != 0)
		goto out;
	if (password_check(r, password, "password") != 0)
		goto out;
	if (!has_org && app_root_org(r, &v.org_id) != 0)
		goto out;
	if (vol_home_org(r, r->store, &v, false) != 0)
		goto out;
	/* a person chooses a station or team, as join requests do (homes.c);
	 * without org_id they are filed at the root as before */
	if (has_org && public_home_kind(r, v.org_id) != 0)
		goto out;
	char hash[128];
	if (secret_password_hash(password, strlen(password), hash, sizeof(hash)) != 0) {
		app_fail(r, APP_EINTERNAL, "internal", NULL);
		goto out;
	}
	v.password_hash = hash;
	struct create_ctx c = { r, &v, false, NULL };
	int rc = store_tx(r->store, register_tx, &c);
	if (c.exists) {
		app_fail(r, APP_ECONFLICT, "volunteer_exists", "id_number");
		goto out;
	}
	if (rc != STORE_OK) {
		app_store_fail(r, rc);
		goto out;
	}
	struct store_stmt *st = store_prepare(r->store, "SELECT " VOL_COLUMNS VOL_FROM " WHERE v.id = $1");
	if (!st) {
		app_store_fail(r, STORE_ERROR);
		goto out;
	}
	store_bind_int(st, 1, v.id);
	if (store_step(st) == STORE_ROW) {
		/* the phone number is what the person types to sign in (the
		 * account's stored name, v + phone, works too) */
		*out = json_pack("{so ss ss}", "volunteer", vol_json(r, st, true), "username", v.phone,
				 "login", v.phone);
		ret = 0;
	} else {
		app_store_fail(r, STORE_ERROR);
	}
	store_done(st);
out:
	vol_release(&v);
	return ret;
}

int volunteers_import_one(struct app_req *r, struct store *s, json_t *in, int64_t org_id,
			  const char *org_path, const char *org_region)
{
	/* the importer checked the organisation once for the whole file */
	struct vol v = { .source = "import", .org_id = org_id, .org_path = org_path, .org_region = org_region };
	int ret = -1;
	if (read_registration(r, in, &v) != 0)
		goto out;
	int rc = insert_volunteer(r, s, &v);
	if (rc == 1)
		ret = 1;
	else if (rc == STORE_OK)
		ret = 0;
	else
		app_store_fail(r, rc);
out:
	vol_release(&v);
	return ret;
}
