/* Edits of a volunteer file, by staff and by the person, audited with
 * before and after; the search helpers follow the new values. */
#include "app/network/volunteers.h"
#include "app/network/volunteers_int.h"
#include "app/network/volwriter.h"
#include "app/kernel/kernel.h"
#include "core/validate.h"
#include "util/arena.h"
#include <string.h>

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
	if (reindex && (rc = vol_unindex(c->r, s, c->id)) != STORE_OK)
		return rc;
	struct vol_edit e = { .id = c->id,
				 .name = c->name,
				 .gender = c->gender,
				 .birth_date = c->birth_date,
				 .phone = c->phone,
				 .region = c->region,
				 .available_time = c->available_time,
				 .education = c->education,
				 .employer = c->employer,
				 .emergency_name = c->emergency_name,
				 .emergency_phone = c->emergency_phone,
				 .guardian_name = c->guardian_name,
				 .guardian_phone = c->guardian_phone,
				 .skills = c->skills,
				 .categories = c->categories,
				 .set_name = c->set_name,
				 .set_gender = c->set_gender,
				 .set_birth = c->set_birth,
				 .set_phone = c->set_phone,
				 .set_region = c->set_region,
				 .set_available = c->set_available,
				 .set_education = c->set_education,
				 .set_employer = c->set_employer,
				 .set_emergency = c->set_emergency,
				 .set_guardian = c->set_guardian,
				 .set_skills = c->set_skills,
				 .set_categories = c->set_categories };
	rc = volwriter_edit(s, &e, app_now());
	if (rc != STORE_OK)
		return rc;
	if (reindex) {
		/* and built again from what is stored now */
		struct store_stmt *st = store_prepare(s, "SELECT name, skills, service_categories FROM volunteers WHERE id = $1");
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
		rc = vol_index(s, c->id, name, sk, ca, false);
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

/* Records in c->before and c->after the old and new value of each field
 * present in `in`, for the audit entry; phones masked even here, the
 * region as normalised. */
static void edit_diff(struct edit_ctx *c, json_t *in, json_t *current)
{
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
		if (vol_in_contact(r, in, "emergency_contact", false, &c->emergency_name, &c->emergency_phone, NULL) != 0)
			return -1;
		c->set_emergency = true;
	}
	if (json_object_get(in, "guardian")) {
		bool consent;
		if (vol_in_contact(r, in, "guardian", false, &c->guardian_name, &c->guardian_phone, &consent) != 0)
			return -1;
		c->set_guardian = true;
	}
	edit_diff(c, in, current);
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
	if (vol_load(r, id, action, &st) != 0)
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

int volunteers_me_update(struct app_req *r, json_t *in, json_t **out)
{
	int64_t id;
	if (volunteers_mine_id(r, &id) != 0)
		return -1;
	return edit(r, id, in, true, AUTHZ_SELF, out);
}
