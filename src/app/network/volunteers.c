/* Volunteer files: registration, search, edits, lifecycle and the
 * person's own rights. See volunteers.h for the promises. */
#include "app/network/volunteers.h"
#include "app/accounts/accounts.h"
#include "app/kernel/authz.h"
#include "app/kernel/input.h"
#include "app/kernel/kernel.h"
#include "app/accounts/passwords.h"
#include "app/kernel/secrets.h"
#include "app/projects/shifts.h"
#include "core/cursor.h"
#include "core/idcard.h"
#include "core/validate.h"
#include "core/volno.h"
#include "util/arena.h"
#include "util/buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTICE_VERSION_MAX 20
#define REGISTER_FREE 10         /* self-registrations per address before back-off */

/* Everything a registration needs, validated and normalised. */
struct vol {
	const char *name, *gender, *birth_date, *id_type, *id_number;
	const char *phone, *region, *available_time, *education, *employer;
	const char *emergency_name, *emergency_phone;
	const char *guardian_name, *guardian_phone;
	bool guardian_consent;
	const char *notice_version;
	char *skills, *categories;        /* JSON text (malloc'd) */
	json_t *skill_list, *category_list;
	int64_t org_id;
	const char *org_path, *org_region;
	const char *source;
	char id_hash[SECRET_HASH_HEX];
	char id_masked[64];
	char id_sealed[SECRET_SEALED_MAX];
	int age;
	/* results */
	int64_t id;
	char number[VOLNO_LEN + 1];
	int64_t user_id;
	const char *password_hash;
};

static void vol_release(struct vol *v)
{
	free(v->skills);
	free(v->categories);
	json_decref(v->skill_list);
	json_decref(v->category_list);
}

/* A {"name","phone"} object (emergency contact, guardian). */
static int in_contact(struct app_req *r, json_t *in, const char *field, bool required,
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
	if (in_contact(r, in, "emergency_contact", false, &v->emergency_name, &v->emergency_phone, NULL) != 0)
		return -1;
	/* minors: under 14 a guardian's name, phone and consent; 14-17 the
	 * guardian's consent (registered-volunteer rules) */
	if (in_contact(r, in, "guardian", v->age < 14, &v->guardian_name, &v->guardian_phone,
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
static int home_org(struct app_req *r, struct store *s, struct vol *v, bool check_scope)
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

/* Splits a name into its one- and two-character pieces (code points). */
static void name_grams(const char *name, void (*emit)(const char *g, size_t n, void *arg), void *arg)
{
	const char *starts[VOLUNTEER_NAME_MAX + 2];
	size_t n = 0;
	for (const char *p = name; *p && n <= VOLUNTEER_NAME_MAX;) {
		starts[n++] = p;
		unsigned char c = (unsigned char)*p;
		p += c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	}
	starts[n] = name + strlen(name);
	for (size_t i = 0; i < n; i++) {
		emit(starts[i], (size_t)(starts[i + 1] - starts[i]), arg);
		if (i + 1 < n)
			emit(starts[i], (size_t)(starts[i + 2] - starts[i]), arg);
	}
}

#define GRAMS_MAX (2 * VOLUNTEER_NAME_MAX)

struct gram_ctx {
	char grams[GRAMS_MAX][16];
	int n;
};

static void put_gram(const char *g, size_t n, void *arg)
{
	struct gram_ctx *c = arg;
	if (c->n >= GRAMS_MAX || n >= sizeof(c->grams[0]))
		return;
	for (size_t i = 0; i < n; i++)
		c->grams[c->n][i] = (char)((g[i] >= 'A' && g[i] <= 'Z') ? g[i] + 32 : g[i]);
	c->grams[c->n][n] = 0;
	c->n++;
}

/* One INSERT for up to eight pieces: a name's pieces go in one statement
 * (the texts are fixed so each is prepared once per connection). */
static const char *const gram_sql[9] = {
	NULL,
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1), ($3, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1), ($3, $1), ($4, $1)"
	" ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1), ($3, $1), ($4, $1), ($5, $1)"
	" ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1), ($3, $1), ($4, $1), ($5, $1),"
	" ($6, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1), ($3, $1), ($4, $1), ($5, $1),"
	" ($6, $1), ($7, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1), ($3, $1), ($4, $1), ($5, $1),"
	" ($6, $1), ($7, $1), ($8, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1), ($3, $1), ($4, $1), ($5, $1),"
	" ($6, $1), ($7, $1), ($8, $1), ($9, $1) ON CONFLICT DO NOTHING",
};

static int store_grams(struct store *s, int64_t id, const char *name)
{
	struct gram_ctx g = { .n = 0 };
	name_grams(name, put_gram, &g);
	for (int at = 0; at < g.n; at += 8) {
		int k = g.n - at < 8 ? g.n - at : 8;
		struct store_stmt *st = store_prepare(s, gram_sql[k]);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, id);
		for (int i = 0; i < k; i++)
			store_bind_text(st, i + 2, g.grams[at + i]);
		int rc = store_step(st);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

/* One INSERT for up to six tags of a person, like the name pieces. */
static const char *const tag_sql[7] = {
	NULL,
	"INSERT INTO volunteer_tags (kind, tag, volunteer_id) VALUES ($2, $3, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_tags (kind, tag, volunteer_id) VALUES ($2, $3, $1), ($4, $5, $1)"
	" ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_tags (kind, tag, volunteer_id) VALUES ($2, $3, $1), ($4, $5, $1),"
	" ($6, $7, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_tags (kind, tag, volunteer_id) VALUES ($2, $3, $1), ($4, $5, $1),"
	" ($6, $7, $1), ($8, $9, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_tags (kind, tag, volunteer_id) VALUES ($2, $3, $1), ($4, $5, $1),"
	" ($6, $7, $1), ($8, $9, $1), ($10, $11, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_tags (kind, tag, volunteer_id) VALUES ($2, $3, $1), ($4, $5, $1),"
	" ($6, $7, $1), ($8, $9, $1), ($10, $11, $1), ($12, $13, $1) ON CONFLICT DO NOTHING",
};

static int store_tags(struct store *s, int64_t id, json_t *skills, json_t *categories)
{
	const char *kind[2 * TAGS_MAX], *tag[2 * TAGS_MAX];
	int n = 0;
	size_t i;
	json_t *e;
	json_array_foreach(skills, i, e) {
		kind[n] = "skill";
		tag[n++] = json_string_value(e);
	}
	json_array_foreach(categories, i, e) {
		kind[n] = "category";
		tag[n++] = json_string_value(e);
	}
	for (int at = 0; at < n; at += 6) {
		int k = n - at < 6 ? n - at : 6;
		struct store_stmt *st = store_prepare(s, tag_sql[k]);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, id);
		for (int j = 0; j < k; j++) {
			store_bind_text(st, 2 + 2 * j, kind[at + j]);
			store_bind_text(st, 3 + 2 * j, tag[at + j]);
		}
		int rc = store_step(st);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

/* Adds (or with remove, deletes) the search helpers of a volunteer: the
 * pieces of the name and the tags. Removal recomputes the entries from
 * the old values, so the helper tables need no index by volunteer. */
static int index_volunteer(struct store *s, int64_t id, const char *name, json_t *skills,
			   json_t *categories, bool remove)
{
	int rc;
	if (name) {
		if (!remove) {
			if ((rc = store_grams(s, id, name)) != STORE_OK)
				return rc;
		} else {
			struct gram_ctx g = { .n = 0 };
			name_grams(name, put_gram, &g);
			for (int i = 0; i < g.n; i++) {
				struct store_stmt *st = store_prepare(s,
					"DELETE FROM volunteer_grams WHERE gram = $1 AND volunteer_id = $2");
				if (!st)
					return STORE_ERROR;
				store_bind_text(st, 1, g.grams[i]);
				store_bind_int(st, 2, id);
				rc = store_step(st);
				store_done(st);
				if (rc != STORE_DONE)
					return rc;
			}
		}
	}
	json_t *lists[2] = { skills, categories };   /* NULL: none */
	static const char *const kinds[2] = { "skill", "category" };
	if (!remove)
		return store_tags(s, id, skills, categories);
	for (int k = 0; k < 2; k++) {
		size_t i;
		json_t *e;
		json_array_foreach(lists[k], i, e) {
			struct store_stmt *st = store_prepare(s,
				"DELETE FROM volunteer_tags WHERE kind = $1 AND tag = $2 AND volunteer_id = $3");
			if (!st)
				return STORE_ERROR;
			store_bind_text(st, 1, kinds[k]);
			store_bind_text(st, 2, json_string_value(e));
			store_bind_int(st, 3, id);
			rc = store_step(st);
			store_done(st);
			if (rc != STORE_DONE)
				return rc;
		}
	}
	return STORE_OK;
}

/* Removes the helpers of what is stored now (before an edit or deletion). */
static int unindex_current(struct app_req *r, struct store *s, int64_t id)
{
	struct store_stmt *st = store_prepare(s, "SELECT name, skills, service_categories FROM volunteers WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		return rc == STORE_DONE ? STORE_ERROR : rc;
	}
	const char *name = arena_strdup(r->arena, store_col_text(st, 0));
	json_t *sk = json_loads(store_col_text(st, 1), 0, NULL);
	json_t *ca = json_loads(store_col_text(st, 2), 0, NULL);
	store_done(st);
	rc = index_volunteer(s, id, name, sk, ca, true);
	json_decref(sk);
	json_decref(ca);
	return rc;
}

/* Inserts the volunteer, home membership, search helpers and audit entry.
 * Returns STORE_OK, 1 when the ID is already registered, or an error. */
static int insert_volunteer(struct app_req *r, struct store *s, struct vol *v)
{
	struct store_stmt *st;
	int rc;
	/* volunteer numbers count per registering county and year; a number
	 * drawn for someone already registered is simply skipped */
	char region6[7];
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
	st = store_prepare(s,
		"INSERT INTO volunteers (volunteer_number, name, gender, birth_date, id_type, id_sealed,"
		" id_hash, id_masked, phone, region_code, skills, service_categories, available_time,"
		" education, employer, emergency_name, emergency_phone, guardian_name, guardian_phone,"
		" guardian_consent_at, sensitive_consent_at, consent_version, status, home_org_id,"
		" user_id, source, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
		" $18, $19, $20, $21, $22, 'active', $23, $24, $25, $21, $21)"
		" ON CONFLICT (id_hash) DO NOTHING RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, v->number);
	store_bind_text(st, 2, v->name);
	store_bind_text(st, 3, v->gender);
	store_bind_text(st, 4, v->birth_date);
	store_bind_text(st, 5, v->id_type);
	store_bind_text(st, 6, v->id_sealed);
	store_bind_text(st, 7, v->id_hash);
	store_bind_text(st, 8, v->id_masked);
	store_bind_text(st, 9, v->phone);
	store_bind_text(st, 10, v->region);
	store_bind_text(st, 11, v->skills);
	store_bind_text(st, 12, v->categories);
	store_bind_text(st, 13, v->available_time ? v->available_time : "");
	store_bind_text(st, 14, v->education ? v->education : "");
	store_bind_text(st, 15, v->employer ? v->employer : "");
	store_bind_text(st, 16, v->emergency_name);
	store_bind_text(st, 17, v->emergency_phone);
	store_bind_text(st, 18, v->guardian_name);
	store_bind_text(st, 19, v->guardian_phone);
	if (v->guardian_consent)
		store_bind_int(st, 20, now);
	else
		store_bind_null(st, 20);
	store_bind_int(st, 21, now);
	store_bind_text(st, 22, v->notice_version);
	store_bind_int(st, 23, v->org_id);
	store_bind_id(st, 24, v->user_id);
	store_bind_text(st, 25, v->source);
	rc = store_step(st);
	v->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc == STORE_DONE || rc == STORE_CONSTRAINT)
		return 1;   /* the ID is registered already */
	if (rc != STORE_ROW)
		return rc;
	st = store_prepare(s,
		"INSERT INTO memberships (volunteer_id, org_id, role, joined_on, region_code)"
		" VALUES ($1, $2, 'member', $3, $4)");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, v->id);
	store_bind_int(st, 2, v->org_id);
	store_bind_text(st, 3, app_today(r));
	store_bind_text(st, 4, v->org_region);
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	rc = index_volunteer(s, v->id, v->name, v->skill_list, v->category_list, false);
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

#define VOL_COLUMNS \
	"v.id, v.volunteer_number, v.name, v.gender, v.birth_date, v.id_type, v.id_masked," \
	" v.phone, v.region_code, v.skills, v.service_categories, v.available_time, v.education," \
	" v.employer, v.emergency_name, v.emergency_phone, v.guardian_name, v.guardian_phone," \
	" v.guardian_consent_at, v.sensitive_consent_at, v.consent_version, v.status," \
	" v.home_org_id, o.name, v.created_at, v.updated_at, o.path, v.user_id, v.source, v.star_level"
#define VOL_FROM " FROM volunteers v JOIN orgs o ON o.id = v.home_org_id"

static json_t *contact_json(struct store_stmt *st, int name_col)
{
	if (store_col_null(st, name_col))
		return json_null();
	return json_pack("{ss ss?}", "name", store_col_text(st, name_col),
			 "phone", store_col_text(st, name_col + 1));
}

/* One volunteer as the API shows it; full_phone for single reads by
 * those who may see it. */
static json_t *vol_json(struct app_req *r, struct store_stmt *st, bool full_phone)
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

static json_t *vol_list_json(struct app_req *r, struct store_stmt *st)
{
	return vol_json(r, st, false);
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

int volunteers_create(struct app_req *r, json_t *in, json_t **out)
{
	struct vol v = { .source = "staff" };
	int ret = -1;
	if (authz_check(r, AUTHZ_VOLUNTEERS_WRITE, NULL) != 0)
		return -1;
	if (in_id(r, in, "org_id", true, &v.org_id, NULL) != 0 || read_registration(r, in, &v) != 0)
		goto out;
	if (home_org(r, r->store, &v, true) != 0)
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
	if (home_org(r, r->store, &v, false) != 0)
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

/* Loads a volunteer for a use case: 404 when absent, the scope check for
 * action. The statement stays on the row for the caller to read and
 * store_done(). */
static int load_vol(struct app_req *r, int64_t id, enum authz_action action, struct store_stmt **out)
{
	if (authz_check(r, action, NULL) != 0)
		return -1;
	return app_load_row(r, "SELECT " VOL_COLUMNS VOL_FROM " WHERE v.id = $1", id, action, 26, out);
}

int volunteers_get(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st;
	if (load_vol(r, id, AUTHZ_VOLUNTEERS_READ, &st) != 0)
		return -1;
	*out = vol_json(r, st, true);
	store_done(st);
	json_object_set_new(*out, "memberships", memberships_json(r, id));
	return 0;
}

/* Builds the list query from the filters; see volunteers_list. */
struct sqlq {
	struct buf sql;
	const char *text[16];
	int64_t num[16];
	bool is_num[16];
	int n;
};

static int sqlq_text(struct sqlq *q, const char *v)
{
	q->text[q->n] = v;
	q->is_num[q->n] = false;
	return ++q->n;
}

static int sqlq_num(struct sqlq *q, int64_t v)
{
	q->num[q->n] = v;
	q->is_num[q->n] = true;
	return ++q->n;
}

static void sqlq_add(struct sqlq *q, const char *fmt, int idx)
{
	char part[256];
	snprintf(part, sizeof(part), fmt, idx, idx);
	buf_puts(&q->sql, part);
}

/* A key cursor for sorts other than by id: "k" + hex(key) + "." + base36 id. */
static const char *key_cursor(struct app_req *r, const char *key, int64_t id)
{
	struct buf b;
	char idc[24];
	buf_init(&b, 1024);
	buf_puts(&b, "k");
	for (const unsigned char *p = (const unsigned char *)key; *p && b.len < 400; p++) {
		char h[3];
		snprintf(h, sizeof(h), "%02x", *p);
		buf_append(&b, h, 2);
	}
	cursor_encode(id, idc, sizeof(idc));
	buf_puts(&b, ".");
	buf_puts(&b, idc + 1);
	const char *s = arena_strdup(r->arena, b.data);
	buf_release(&b);
	return s;
}

static int parse_key_cursor(struct app_req *r, const char *c, const char **key, int64_t *id)
{
	const char *dot = strchr(c, '.');
	if (c[0] != 'k' || !dot || (dot - c - 1) % 2 != 0 || dot - c - 1 > 400)
		return app_fail(r, APP_EBADREQ, "invalid_cursor", "cursor");
	size_t n = (size_t)(dot - c - 1) / 2;
	char *k = arena_alloc(r->arena, n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(c + 1 + 2 * i, "%2x", &v) != 1)
			return app_fail(r, APP_EBADREQ, "invalid_cursor", "cursor");
		k[i] = (char)v;
	}
	if (cursor_decode(arena_printf(r->arena, "c%s", dot + 1), id) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_cursor", "cursor");
	*key = k;
	return 0;
}

static int age_bound(struct app_req *r, const char *s, const char *field, int64_t *out)
{
	if (!s)
		return 0;
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (parse_id(s, out) != 0 || *out > 150)
		return app_fail(r, APP_EBADREQ, "invalid_value", field);
	return 0;
}

int volunteers_list(struct app_req *r, const struct volunteers_query *f, json_t **out)
{
	int limit;
	int64_t after = 0, age_min = -1, age_max = -1;
	const char *after_key = NULL;
	if (authz_check(r, AUTHZ_VOLUNTEERS_READ, NULL) != 0)
		return -1;
	const char *sort = f->sort ? f->sort : "-created_at";
	bool by_name = strcmp(sort, "name") == 0, by_number = strcmp(sort, "volunteer_number") == 0;
	bool desc = strcmp(sort, "-created_at") == 0;
	if (!by_name && !by_number && !desc && strcmp(sort, "created_at") != 0)
		return app_fail(r, APP_EBADREQ, "invalid_value", "sort");
	if (app_limit(r, f->limit, &limit) != 0)
		return -1;
	if (f->cursor) {
		if (by_name || by_number) {
			if (parse_key_cursor(r, f->cursor, &after_key, &after) != 0)
				return -1;
		} else if (app_cursor(r, f->cursor, &after) != 0) {
			return -1;
		}
	}
	if (age_bound(r, f->age_min, "age_min", &age_min) != 0 ||
	    age_bound(r, f->age_max, "age_max", &age_max) != 0)
		return -1;
	if (f->status && strcmp(f->status, "active") != 0 && strcmp(f->status, "inactive") != 0 &&
	    strcmp(f->status, "deleted") != 0)
		return app_fail(r, APP_EBADREQ, "invalid_status", "status");
	const char *scope;
	if (app_scope(r, f->org_id, AUTHZ_VOLUNTEERS_READ, &scope) != 0)
		return -1;
	bool served = false;
	if (f->include) {
		if (strcmp(f->include, "served") != 0)
			return app_fail(r, APP_EBADREQ, "invalid_value", "include");
		/* for the staff who record and approve service, not the counter */
		if (authz_check(r, AUTHZ_SHIFTS_STAFF, NULL) != 0)
			return -1;
		if (!f->q)
			return app_fail(r, APP_EINVALID, "required", "q");
		/* only a name or a volunteer number finds someone outside the
		 * scope: a phone, an ID number or tags would confirm what the
		 * caller may not read */
		size_t qn = strlen(f->q);
		served = !(qn == 11 && strspn(f->q, "0123456789") == qn) && !f->id_number && !f->skill &&
			 !f->category && age_min < 0 && age_max < 0;
	}
	struct sqlq q = { .n = 0 };
	buf_init(&q.sql, 8192);
	int scope_idx = 0;
	if (served) {
		scope_idx = sqlq_text(&q, arena_printf(r->arena, "%s%%", scope));
		buf_puts(&q.sql, arena_printf(r->arena, "SELECT " VOL_COLUMNS
			", CASE WHEN o.path LIKE $%d THEN 0 ELSE 1 END" VOL_FROM, scope_idx));
	} else {
		buf_puts(&q.sql, "SELECT " VOL_COLUMNS VOL_FROM);
	}
	const char *name_part = NULL, *exact_col = NULL;
	/* when a helper table drives the search, order by its copy of the id:
	 * its key is (…, volunteer_id), so the newest matches come first
	 * without sorting all of them */
	const char *order_col = "v.id";
	if (f->q) {
		size_t n = strlen(f->q);
		bool digits = n > 0 && strspn(f->q, "0123456789") == n;
		if (n == 0 || n > 64 || !valid_text(f->q, n, 32))
			return buf_release(&q.sql), app_fail(r, APP_EBADREQ, "invalid_value", "q");
		if (digits && n == 11) {
			exact_col = "v.phone";
		} else if (digits && n == VOLNO_LEN) {
			exact_col = "v.volunteer_number";
		} else {
			/* the first one or two characters find candidates in the
			 * pieces table; LIKE then checks the whole text */
			const char *p = f->q;
			unsigned char c0 = (unsigned char)p[0];
			size_t l0 = c0 < 0x80 ? 1 : c0 < 0xe0 ? 2 : c0 < 0xf0 ? 3 : 4;
			size_t gl = l0;
			if (l0 < n) {
				unsigned char c1 = (unsigned char)p[l0];
				gl += c1 < 0x80 ? 1 : c1 < 0xe0 ? 2 : c1 < 0xf0 ? 3 : 4;
			}
			char *gram = arena_strndup(r->arena, p, gl > n ? n : gl);
			for (char *g = gram; *g; g++)
				if (*g >= 'A' && *g <= 'Z')
					*g = (char)(*g + 32);
			sqlq_add(&q, " JOIN volunteer_grams g ON g.volunteer_id = v.id AND g.gram = $%d",
				 sqlq_text(&q, gram));
			order_col = "g.volunteer_id";
			if (app_like_pattern(r, f->q, "q", &name_part) != 0)
				return buf_release(&q.sql), -1;
		}
	}
	if (f->skill) {
		sqlq_add(&q, " JOIN volunteer_tags ts ON ts.volunteer_id = v.id AND ts.kind = 'skill'"
			 " AND ts.tag = $%d", sqlq_text(&q, f->skill));
		if (!strcmp(order_col, "v.id"))
			order_col = "ts.volunteer_id";
	}
	if (f->category) {
		sqlq_add(&q, " JOIN volunteer_tags tc ON tc.volunteer_id = v.id AND tc.kind = 'category'"
			 " AND tc.tag = $%d", sqlq_text(&q, f->category));
		if (!strcmp(order_col, "v.id"))
			order_col = "tc.volunteer_id";
	}
	if (served)
		buf_puts(&q.sql, arena_printf(r->arena,
			" WHERE (o.path LIKE $%d"
			" OR EXISTS (SELECT 1 FROM service_records sr JOIN orgs so ON so.id = sr.org_id"
			"  WHERE sr.volunteer_id = v.id AND sr.status <> 'rejected' AND so.path LIKE $%d)"
			" OR EXISTS (SELECT 1 FROM signups su JOIN shifts sh ON sh.id = su.shift_id"
			"  JOIN projects pj ON pj.id = sh.project_id JOIN orgs po ON po.id = pj.org_id"
			"  WHERE su.volunteer_id = v.id AND su.status <> 'cancelled' AND po.path LIKE $%d))",
			scope_idx, scope_idx, scope_idx));
	else
		sqlq_add(&q, " WHERE o.path LIKE $%d", sqlq_text(&q, arena_printf(r->arena, "%s%%", scope)));
	if (name_part)
		sqlq_add(&q, " AND lower(v.name) LIKE $%d ESCAPE '\\'", sqlq_text(&q, name_part));
	if (exact_col) {
		char part[64];
		snprintf(part, sizeof(part), " AND %s = $%d", exact_col, sqlq_text(&q, f->q));
		buf_puts(&q.sql, part);
	}
	if (f->id_number) {
		char norm[48], *digest = arena_alloc(r->arena, SECRET_HASH_HEX);
		if (strlen(f->id_number) > 40 || id_normalize(f->id_number, norm, sizeof(norm)) != 0)
			return buf_release(&q.sql), app_fail(r, APP_EBADREQ, "invalid_value", "id_number");
		secret_keyed_digest(norm, digest);
		sqlq_add(&q, " AND v.id_hash = $%d", sqlq_text(&q, digest));
	}
	if (f->status)
		sqlq_add(&q, " AND v.status = $%d", sqlq_text(&q, f->status));
	else
		buf_puts(&q.sql, " AND v.status <> 'deleted'");
	int today = app_today_ymd();
	if (age_min >= 0) {
		/* at least age_min: born on or before today minus age_min years */
		int d = today - (int)age_min * 10000;
		sqlq_add(&q, " AND v.birth_date <= $%d", sqlq_text(&q,
			arena_printf(r->arena, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100)));
	}
	if (age_max >= 0) {
		/* at most age_max: born after today minus (age_max + 1) years */
		int d = today - (int)(age_max + 1) * 10000;
		sqlq_add(&q, " AND v.birth_date > $%d", sqlq_text(&q,
			arena_printf(r->arena, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100)));
	}
	/* the filters end here: the count below reuses them */
	size_t where_end = q.sql.len;
	int where_n = q.n;
	if (by_name || by_number) {
		const char *col = by_name ? "v.name" : "v.volunteer_number";
		if (after_key) {
			int k = sqlq_text(&q, after_key), i = sqlq_num(&q, after);
			char part[200];
			snprintf(part, sizeof(part), " AND (%s > $%d OR (%s = $%d AND v.id > $%d))", col, k, col, k, i);
			buf_puts(&q.sql, part);
		}
		char part[96];
		snprintf(part, sizeof(part), " ORDER BY %s, v.id", col);
		buf_puts(&q.sql, part);
	} else {
		char part[96];
		if (after) {
			snprintf(part, sizeof(part), " AND %s %s $%d", order_col, desc ? "<" : ">",
				 sqlq_num(&q, after));
			buf_puts(&q.sql, part);
		}
		snprintf(part, sizeof(part), " ORDER BY %s%s", order_col, desc ? " DESC" : "");
		buf_puts(&q.sql, part);
	}
	sqlq_add(&q, " LIMIT $%d", sqlq_num(&q, limit + 1));
	/* the first page says how many match, counting no further than the
	 * cap: past it the exact figure costs a scan of everyone in scope */
	int64_t total = -1;
	if (!f->cursor) {
		struct buf cq;
		buf_init(&cq, 8192);
		buf_puts(&cq, "SELECT count(*) FROM (SELECT 1");
		size_t from = strlen("SELECT " VOL_COLUMNS);
		buf_append(&cq, q.sql.data + from, where_end - from);
		char part[48];
		snprintf(part, sizeof(part), " LIMIT $%d) t", where_n + 1);
		buf_puts(&cq, part);
		struct store_stmt *ct = store_prepare_once(r->store, cq.data);
		buf_release(&cq);
		if (!ct)
			return buf_release(&q.sql), app_store_fail(r, STORE_ERROR);
		for (int i = 0; i < where_n; i++) {
			if (q.is_num[i])
				store_bind_int(ct, i + 1, q.num[i]);
			else
				store_bind_text(ct, i + 1, q.text[i]);
		}
		store_bind_int(ct, where_n + 1, VOLUNTEERS_TOTAL_CAP + 1);
		int crc = store_step(ct);
		if (crc == STORE_ROW)
			total = store_col_int(ct, 0);
		store_done(ct);
		if (crc != STORE_ROW)
			return buf_release(&q.sql), app_store_fail(r, crc);
	}
	struct store_stmt *st = store_prepare_once(r->store, q.sql.data);
	buf_release(&q.sql);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	for (int i = 0; i < q.n; i++) {
		if (q.is_num[i])
			store_bind_int(st, i + 1, q.num[i]);
		else
			store_bind_text(st, i + 1, q.text[i]);
	}
	json_t *items = json_array();
	int rc, n = 0;
	const char *next = NULL;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (n++ == limit) {
			break;
		}
		if (served && store_col_int(st, 30) == 1) {
			/* served here, filed elsewhere: enough to find them */
			json_array_append_new(items, json_pack("{sI ss ss ss sb}",
				"id", (json_int_t)store_col_int(st, 0),
				"volunteer_number", store_col_text(st, 1),
				"name", store_col_text(st, 2),
				"status", store_col_text(st, 21), "limited", 1));
			continue;
		}
		json_t *row = vol_list_json(r, st);
		if (served)
			json_object_set_new(row, "limited", json_false());
		json_array_append_new(items, row);
	}
	if (rc == STORE_ROW && json_array_size(items)) {
		json_t *lastv = json_array_get(items, json_array_size(items) - 1);
		int64_t lid = json_integer_value(json_object_get(lastv, "id"));
		if (by_name || by_number)
			next = key_cursor(r, json_string_value(json_object_get(lastv,
						by_name ? "name" : "volunteer_number")), lid);
		else {
			char c[24];
			cursor_encode(lid, c, sizeof(c));
			next = arena_strdup(r->arena, c);
		}
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE) {
		json_decref(items);
		return app_store_fail(r, rc);
	}
	*out = json_pack("{so ss?}", "items", items, "next_cursor", next);
	if (total >= 0) {
		bool capped = total > VOLUNTEERS_TOTAL_CAP;
		json_object_set_new(*out, "total", json_integer(capped ? VOLUNTEERS_TOTAL_CAP : total));
		json_object_set_new(*out, "total_capped", json_boolean(capped));
	}
	return 0;
}

/* Field-by-field edit of a file. Staff may change everything but the ID
 * and the home organisation (see transfer); the person may change their
 * contact details and preferences. Audited with before and after. */
struct edit_ctx {
	struct app_req *r;
	int64_t id, org_id;
	const char *org_path;
	json_t *before, *after;
	const char *name, *gender, *birth_date, *phone, *region, *available_time, *education, *employer;
	const char *emergency_name, *emergency_phone, *guardian_name, *guardian_phone;
	char *skills, *categories;
	json_t *skill_list, *category_list;
	bool set_name, set_gender, set_birth, set_phone, set_region, set_available, set_education,
	     set_employer, set_emergency, set_guardian, set_skills, set_categories;
};

static int edit_tx(struct store *s, void *vctx)
{
	struct edit_ctx *c = vctx;
	bool reindex = c->set_name || c->set_skills || c->set_categories;
	int rc;
	/* the search helpers of the old values go first */
	if (reindex && (rc = unindex_current(c->r, s, c->id)) != STORE_OK)
		return rc;
	struct store_stmt *st = store_prepare(s,
		"UPDATE volunteers SET"
		" name = CASE WHEN $2 = 1 THEN $3 ELSE name END,"
		" gender = CASE WHEN $4 = 1 THEN $5 ELSE gender END,"
		" birth_date = CASE WHEN $6 = 1 THEN $7 ELSE birth_date END,"
		" phone = CASE WHEN $8 = 1 THEN $9 ELSE phone END,"
		" region_code = CASE WHEN $10 = 1 THEN $11 ELSE region_code END,"
		" available_time = CASE WHEN $12 = 1 THEN $13 ELSE available_time END,"
		" education = CASE WHEN $14 = 1 THEN $15 ELSE education END,"
		" employer = CASE WHEN $16 = 1 THEN $17 ELSE employer END,"
		" emergency_name = CASE WHEN $18 = 1 THEN $19 ELSE emergency_name END,"
		" emergency_phone = CASE WHEN $18 = 1 THEN $20 ELSE emergency_phone END,"
		" guardian_name = CASE WHEN $21 = 1 THEN $22 ELSE guardian_name END,"
		" guardian_phone = CASE WHEN $21 = 1 THEN $23 ELSE guardian_phone END,"
		" skills = CASE WHEN $24 = 1 THEN $25 ELSE skills END,"
		" service_categories = CASE WHEN $26 = 1 THEN $27 ELSE service_categories END,"
		" updated_at = $28 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_int(st, 2, c->set_name);
	store_bind_text(st, 3, c->name ? c->name : "");
	store_bind_int(st, 4, c->set_gender);
	store_bind_text(st, 5, c->gender ? c->gender : "");
	store_bind_int(st, 6, c->set_birth);
	store_bind_text(st, 7, c->birth_date ? c->birth_date : "");
	store_bind_int(st, 8, c->set_phone);
	store_bind_text(st, 9, c->phone);
	store_bind_int(st, 10, c->set_region);
	store_bind_text(st, 11, c->region ? c->region : "");
	store_bind_int(st, 12, c->set_available);
	store_bind_text(st, 13, c->available_time ? c->available_time : "");
	store_bind_int(st, 14, c->set_education);
	store_bind_text(st, 15, c->education ? c->education : "");
	store_bind_int(st, 16, c->set_employer);
	store_bind_text(st, 17, c->employer ? c->employer : "");
	store_bind_int(st, 18, c->set_emergency);
	store_bind_text(st, 19, c->emergency_name);
	store_bind_text(st, 20, c->emergency_phone);
	store_bind_int(st, 21, c->set_guardian);
	store_bind_text(st, 22, c->guardian_name);
	store_bind_text(st, 23, c->guardian_phone);
	store_bind_int(st, 24, c->set_skills);
	store_bind_text(st, 25, c->skills ? c->skills : "[]");
	store_bind_int(st, 26, c->set_categories);
	store_bind_text(st, 27, c->categories ? c->categories : "[]");
	store_bind_int(st, 28, app_now());
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	if (reindex) {
		/* and built again from what is stored now */
		st = store_prepare(s, "SELECT name, skills, service_categories FROM volunteers WHERE id = $1");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, c->id);
		rc = store_step(st);
		const char *name = rc == STORE_ROW ? arena_strdup(c->r->arena, store_col_text(st, 0)) : NULL;
		json_t *sk = rc == STORE_ROW ? json_loads(store_col_text(st, 1), 0, NULL) : NULL;
		json_t *ca = rc == STORE_ROW ? json_loads(store_col_text(st, 2), 0, NULL) : NULL;
		store_done(st);
		if (rc != STORE_ROW) {
			json_decref(sk);
			json_decref(ca);
			return STORE_ERROR;
		}
		rc = index_volunteer(s, c->id, name, sk, ca, false);
		json_decref(sk);
		json_decref(ca);
		if (rc != STORE_OK)
			return rc;
	}
	json_t *detail = json_pack("{sO sO}", "before", c->before, "after", c->after);
	rc = audit_write(c->r, s, "volunteer.update", "volunteer", c->id, c->org_id, c->org_path, detail);
	json_decref(detail);
	return rc;
}

/* Reads the edits present in `in`; self limits the fields to those a
 * volunteer may change themselves. Records before/after of each field. */
static int read_edit(struct app_req *r, json_t *in, json_t *current, bool self, struct edit_ctx *c)
{
	static const char *const staff_only[] = { "name", "gender", "birth_date", "guardian", NULL };
	static const char *const never[] = { "id_number", "id_type", "org_id", "home_org_id", "status",
					     "volunteer_number", NULL };
	for (int i = 0; never[i]; i++)
		if (json_object_get(in, never[i]))
			return app_fail(r, APP_EINVALID, "not_editable", never[i]);
	if (self)
		for (int i = 0; staff_only[i]; i++)
			if (json_object_get(in, staff_only[i]))
				return app_fail(r, APP_EINVALID, "not_editable", staff_only[i]);
	bool resident = strcmp(json_string_value(json_object_get(current, "id_type")), "resident_id") == 0;
	c->before = json_object();
	c->after = json_object();
	const char *region = NULL;
	if (in_text(r, in, "name", false, VOLUNTEER_NAME_MAX, &c->name) != 0 ||
	    in_text(r, in, "gender", false, 8, &c->gender) != 0 ||
	    in_text(r, in, "birth_date", false, 10, &c->birth_date) != 0 ||
	    in_text(r, in, "phone", false, 11, &c->phone) != 0 ||
	    in_text(r, in, "region_code", false, 12, &region) != 0 ||
	    in_text(r, in, "available_time", false, 100, &c->available_time) != 0 ||
	    in_text(r, in, "education", false, 20, &c->education) != 0 ||
	    in_text(r, in, "employer", false, 100, &c->employer) != 0)
		return -1;
	c->set_name = c->name != NULL;
	c->set_gender = c->gender != NULL;
	c->set_birth = c->birth_date != NULL;
	c->set_phone = c->phone != NULL;
	c->set_region = region != NULL;
	c->set_available = json_object_get(in, "available_time") != NULL;
	c->set_education = json_object_get(in, "education") != NULL;
	c->set_employer = json_object_get(in, "employer") != NULL;
	if ((c->set_gender || c->set_birth) && resident)
		return app_fail(r, APP_EINVALID, "not_editable", c->set_gender ? "gender" : "birth_date");
	if (c->gender && strcmp(c->gender, "male") != 0 && strcmp(c->gender, "female") != 0)
		return app_fail(r, APP_EINVALID, "invalid_gender", "gender");
	int ymd;
	if (c->birth_date && (!valid_date(c->birth_date, &ymd) || ymd > app_today_ymd()))
		return app_fail(r, APP_EINVALID, "invalid_date", "birth_date");
	if (c->phone && !valid_phone(c->phone))
		return app_fail(r, APP_EINVALID, "invalid_phone", "phone");
	if (region) {
		char code12[13];
		if (region_normalize(region, code12) != 0)
			return app_fail(r, APP_EINVALID, "invalid_region_code", "region_code");
		c->region = arena_strdup(r->arena, code12);
	}
	if (json_object_get(in, "skills")) {
		if (in_tags(r, in, "skills", &c->skill_list, &c->skills) != 0)
			return -1;
		c->set_skills = true;
	}
	if (json_object_get(in, "service_categories")) {
		if (in_tags(r, in, "service_categories", &c->category_list, &c->categories) != 0)
			return -1;
		c->set_categories = true;
	}
	if (json_object_get(in, "emergency_contact")) {
		if (in_contact(r, in, "emergency_contact", false, &c->emergency_name, &c->emergency_phone, NULL) != 0)
			return -1;
		c->set_emergency = true;
	}
	if (json_object_get(in, "guardian")) {
		bool consent;
		if (in_contact(r, in, "guardian", false, &c->guardian_name, &c->guardian_phone, &consent) != 0)
			return -1;
		c->set_guardian = true;
	}
	/* before and after of what changes; phones masked even here */
	static const char *const fields[] = { "name", "gender", "birth_date", "phone", "region_code",
		"available_time", "education", "employer", "skills", "service_categories",
		"emergency_contact", "guardian", NULL };
	for (int i = 0; fields[i]; i++) {
		json_t *nv = json_object_get(in, fields[i]);
		if (!nv)
			continue;
		json_t *ov = json_object_get(current, fields[i]);
		if (strcmp(fields[i], "phone") == 0) {
			char m[16];
			mask_phone(c->phone, m, sizeof(m));
			json_object_set_new(c->after, "phone", json_string(m));
			if (json_is_string(ov)) {
				mask_phone(json_string_value(ov), m, sizeof(m));
				json_object_set_new(c->before, "phone", json_string(m));
			}
			continue;
		}
		if (strcmp(fields[i], "region_code") == 0)
			nv = json_string(c->region);
		else
			json_incref(nv);
		json_object_set(c->before, fields[i], ov ? ov : json_null());
		json_object_set_new(c->after, fields[i], nv);
	}
	return 0;
}

static void edit_release(struct edit_ctx *c)
{
	free(c->skills);
	free(c->categories);
	json_decref(c->skill_list);
	json_decref(c->category_list);
	json_decref(c->before);
	json_decref(c->after);
}

static int edit(struct app_req *r, int64_t id, json_t *in, bool self, enum authz_action action, json_t **out)
{
	struct store_stmt *st;
	struct edit_ctx c = { .r = r, .id = id };
	if (load_vol(r, id, action, &st) != 0)
		return -1;
	json_t *current = vol_json(r, st, true);
	c.org_id = store_col_int(st, 22);
	c.org_path = arena_strdup(r->arena, store_col_text(st, 26));
	bool deleted = strcmp(store_col_text(st, 21), "deleted") == 0;
	store_done(st);
	int ret = -1;
	if (deleted) {
		app_fail(r, APP_ECONFLICT, "volunteer_deleted", NULL);
		goto out;
	}
	if (read_edit(r, in, current, self, &c) != 0)
		goto out;
	int rc = store_tx(r->store, edit_tx, &c);
	if (rc != STORE_OK) {
		app_store_fail(r, rc);
		goto out;
	}
	ret = self ? volunteers_me(r, out) : volunteers_get(r, id, out);
out:
	json_decref(current);
	edit_release(&c);
	return ret;
}

int volunteers_update(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	return edit(r, id, in, false, AUTHZ_VOLUNTEERS_WRITE, out);
}

struct simple_ctx {
	struct app_req *r;
	int64_t id, org_id, new_org;
	const char *org_path, *new_path, *new_region, *role, *action, *status;
	json_t *detail;
};

static int id_read_tx(struct store *s, void *vctx)
{
	struct simple_ctx *c = vctx;
	return audit_write(c->r, s, "volunteer.id_number_read", "volunteer", c->id, c->org_id,
			   c->org_path, NULL);
}

int volunteers_id_number(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st;
	if (load_vol(r, id, AUTHZ_VOLUNTEERS_READ, &st) != 0)
		return -1;
	struct simple_ctx c = { .r = r, .id = id, .org_id = store_col_int(st, 22),
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

static int status_tx(struct store *s, void *vctx)
{
	struct simple_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"UPDATE volunteers SET status = $2, updated_at = $3 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_text(st, 2, c->status);
	store_bind_int(st, 3, app_now());
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	return audit_write(c->r, s, c->action, "volunteer", c->id, c->org_id, c->org_path, c->detail);
}

int volunteers_set_active(struct app_req *r, int64_t id, bool active, json_t *in, json_t **out)
{
	struct store_stmt *st;
	const char *reason = NULL;
	if (load_vol(r, id, AUTHZ_VOLUNTEERS_WRITE, &st) != 0)
		return -1;
	struct simple_ctx c = { .r = r, .id = id, .org_id = store_col_int(st, 22),
				.org_path = arena_strdup(r->arena, store_col_text(st, 26)),
				.status = active ? "active" : "inactive",
				.action = active ? "volunteer.reactivate" : "volunteer.deactivate" };
	const char *now = arena_strdup(r->arena, store_col_text(st, 21));
	store_done(st);
	if (in && in_text(r, in, "reason", !active, 200, &reason) != 0)
		return -1;
	if (strcmp(now, "deleted") == 0)
		return app_fail(r, APP_ECONFLICT, "volunteer_deleted", NULL);
	if (strcmp(now, c.status) == 0)
		return app_fail(r, APP_ECONFLICT, active ? "already_active" : "already_inactive", NULL);
	c.detail = reason ? json_pack("{ss}", "reason", reason) : NULL;
	int rc = store_tx(r->store, status_tx, &c);
	json_decref(c.detail);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return volunteers_get(r, id, out);
}

static int transfer_tx(struct store *s, void *vctx)
{
	struct simple_ctx *c = vctx;
	const char *today = app_today(c->r);
	struct store_stmt *st = store_prepare(s,
		"UPDATE memberships SET left_on = $2 WHERE volunteer_id = $1 AND left_on IS NULL");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_text(st, 2, today);
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	st = store_prepare(s,
		"INSERT INTO memberships (volunteer_id, org_id, role, joined_on, region_code)"
		" VALUES ($1, $2, $3, $4, $5)");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_int(st, 2, c->new_org);
	store_bind_text(st, 3, c->role);
	store_bind_text(st, 4, today);
	store_bind_text(st, 5, c->new_region);
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	st = store_prepare(s, "UPDATE volunteers SET home_org_id = $2, updated_at = $3 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_int(st, 2, c->new_org);
	store_bind_int(st, 3, app_now());
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	json_t *detail = json_pack("{sI sI}", "from_org_id", (json_int_t)c->org_id, "to_org_id",
				   (json_int_t)c->new_org);
	/* both scopes see the move */
	rc = audit_write(c->r, s, "volunteer.transfer_out", "volunteer", c->id, c->org_id, c->org_path, detail);
	if (rc == STORE_OK)
		rc = audit_write(c->r, s, "volunteer.transfer_in", "volunteer", c->id, c->new_org, c->new_path, detail);
	json_decref(detail);
	return rc;
}

int volunteers_move_home(struct app_req *r, struct store *s, int64_t id, int64_t from_org,
			 const char *from_path, int64_t to_org, const char *to_path, const char *to_region)
{
	struct simple_ctx c = { .r = r, .id = id, .org_id = from_org, .org_path = from_path,
				.new_org = to_org, .new_path = to_path, .new_region = to_region,
				.role = "member" };
	return transfer_tx(s, &c);
}

int volunteers_transfer(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	struct store_stmt *st;
	if (load_vol(r, id, AUTHZ_VOLUNTEERS_WRITE, &st) != 0)
		return -1;
	struct simple_ctx c = { .r = r, .id = id, .org_id = store_col_int(st, 22),
				.org_path = arena_strdup(r->arena, store_col_text(st, 26)), .role = "member" };
	bool deleted = strcmp(store_col_text(st, 21), "deleted") == 0;
	store_done(st);
	if (in_id(r, in, "org_id", true, &c.new_org, NULL) != 0 ||
	    in_text(r, in, "role", false, 20, &c.role) != 0)
		return -1;
	if (!c.role)
		c.role = "member";
	if (deleted)
		return app_fail(r, APP_ECONFLICT, "volunteer_deleted", NULL);
	if (c.new_org == c.org_id)
		return app_fail(r, APP_EINVALID, "same_org", "org_id");
	struct vol target = { .org_id = c.new_org };
	if (home_org(r, r->store, &target, true) != 0)
		return -1;
	c.new_path = target.org_path;
	c.new_region = target.org_region;
	int rc = store_tx(r->store, transfer_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return volunteers_get(r, id, out);
}

/* Everything held about a person: the file, memberships, the full ID for
 * the person themselves, and the audit entries about them. */
static int export_file(struct app_req *r, int64_t id, bool self, json_t **out)
{
	json_t *file;
	if (volunteers_get_unchecked(r, id, &file) != 0)
		return -1;
	if (self) {
		struct store_stmt *st = store_prepare(r->store, "SELECT id_sealed FROM volunteers WHERE id = $1");
		if (st) {
			store_bind_int(st, 1, id);
			char plain[256];
			if (store_step(st) == STORE_ROW && !store_col_null(st, 0) &&
			    secret_unseal(store_col_text(st, 0), plain, sizeof(plain)) == 0)
				json_object_set_new(file, "id_number", json_string(plain));
			store_done(st);
		}
	}
	json_t *log = json_array();
	struct store_stmt *st = store_prepare(r->store,
		"SELECT at, action, actor_username FROM audit_log WHERE target_type = 'volunteer'"
		" AND target_id = $1 ORDER BY id");
	if (st) {
		store_bind_int(st, 1, id);
		while (store_step(st) == STORE_ROW)
			json_array_append_new(log, json_pack("{ss ss ss?}", "at", app_iso(r, store_col_int(st, 0)),
				"action", store_col_text(st, 1), "actor", store_col_text(st, 2)));
		store_done(st);
	}
	*out = json_pack("{ss ss so so}", "format", "zhiyuan.volunteer-export.v1",
			 "exported_at", app_iso(r, app_now()), "volunteer", file, "history", log);
	return 0;
}

int volunteers_export(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st;
	if (load_vol(r, id, AUTHZ_VOLUNTEERS_READ, &st) != 0)
		return -1;
	store_done(st);
	return export_file(r, id, false, out);
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

int volunteers_me_update(struct app_req *r, json_t *in, json_t **out)
{
	int64_t id;
	if (volunteers_mine_id(r, &id) != 0)
		return -1;
	return edit(r, id, in, true, AUTHZ_SELF, out);
}

int volunteers_me_export(struct app_req *r, json_t **out)
{
	int64_t id;
	if (volunteers_mine_id(r, &id) != 0)
		return -1;
	return export_file(r, id, true, out);
}

static int delete_tx(struct store *s, void *vctx)
{
	struct simple_ctx *c = vctx;
	int rc = unindex_current(c->r, s, c->id);
	if (rc != STORE_OK)
		return rc;
	/* personal fields go; what counts (gender, birth year, region, home
	 * organisation, dates) stays so totals remain true */
	rc = app_exec_ints(s,
		"UPDATE volunteers SET name = '已注销', birth_date = substr(birth_date, 1, 4) || '-01-01',"
		" id_sealed = NULL, id_hash = NULL, id_masked = '******', phone = NULL, skills = '[]',"
		" service_categories = '[]', available_time = '', education = '', employer = '',"
		" emergency_name = NULL, emergency_phone = NULL, guardian_name = NULL, guardian_phone = NULL,"
		" status = 'deleted', deleted_at = $2, updated_at = $2 WHERE id = $1", c->id, app_now());
	if (rc != STORE_OK)
		return rc;
	if ((rc = users_erase_login(s, c->r->who->user_id)) != STORE_OK)
		return rc;
	if ((rc = shifts_release(c->r, s, c->id)) != STORE_OK)
		return rc;
	/* a request to join somewhere goes with the person */
	rc = app_exec_ints(s, "UPDATE join_requests SET status = 'withdrawn', decided_at = $2"
			   " WHERE volunteer_id = $1 AND status = 'open'", c->id, app_now());
	if (rc != STORE_OK)
		return rc;
	return audit_write(c->r, s, "volunteer.delete", "volunteer", c->id, c->org_id, c->org_path, NULL);
}

int volunteers_me_delete(struct app_req *r)
{
	int64_t id;
	if (volunteers_mine_id(r, &id) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT v.home_org_id, o.path FROM volunteers v JOIN orgs o ON o.id = v.home_org_id WHERE v.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	struct simple_ctx c = { .r = r, .id = id };
	if (store_step(st) == STORE_ROW) {
		c.org_id = store_col_int(st, 0);
		c.org_path = arena_strdup(r->arena, store_col_text(st, 1));
	}
	store_done(st);
	int rc = store_tx(r->store, delete_tx, &c);
	app_auth_changed();   /* cached principals may hold what changed */
	return rc == STORE_OK ? 0 : app_store_fail(r, rc);
}
