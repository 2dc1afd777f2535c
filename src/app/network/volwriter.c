/* The one writer of volunteers and memberships (see volwriter.h): every
 * INSERT, UPDATE and DELETE of the two tables is here, so the rules of a
 * file (one open membership, the ID registered once) have one home. */
#include "app/network/volwriter.h"
#include "app/network/volunteers.h"
#include "app/kernel/kernel.h"
#include <assert.h>

int volwriter_insert(struct store *s, struct vol *v, int64_t now)
{
	int rc;
	struct store_stmt *st = store_prepare(s,
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
	return rc;
}

int volwriter_membership_open(struct store *s, int64_t id, int64_t org_id, const char *role,
			      const char *joined_on, const char *region)
{
	assert(id > 0 && org_id > 0);
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO memberships (volunteer_id, org_id, role, joined_on, region_code)"
		" VALUES ($1, $2, $3, $4, $5)");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, org_id);
	store_bind_text(st, 3, role);
	store_bind_text(st, 4, joined_on);
	store_bind_text(st, 5, region);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int volwriter_edit(struct store *s, const struct vol_edit *e, int64_t now)
{
	const struct vol_edit *c = e;
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
	store_bind_int(st, 28, now);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int volwriter_status_set(struct store *s, int64_t id, const char *status, int64_t now)
{
	struct store_stmt *st = store_prepare(s,
		"UPDATE volunteers SET status = $2, updated_at = $3 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	store_bind_text(st, 2, status);
	store_bind_int(st, 3, now);
	int rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int volwriter_transfer(struct store *s, int64_t id, int64_t org_id, const char *role, const char *region,
		       const char *today, int64_t now)
{
	struct store_stmt *st = store_prepare(s,
		"UPDATE memberships SET left_on = $2 WHERE volunteer_id = $1 AND left_on IS NULL");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	store_bind_text(st, 2, today);
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	rc = volwriter_membership_open(s, id, org_id, role, today, region);
	if (rc != STORE_OK)
		return rc;
	st = store_prepare(s, "UPDATE volunteers SET home_org_id = $2, updated_at = $3 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, org_id);
	store_bind_int(st, 3, now);
	rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

int volwriter_erase(struct store *s, int64_t id, int64_t now)
{
	/* personal fields go; what counts (gender, birth year, region, home
	 * organisation, dates) stays so totals remain true */
	return app_exec_ints(s,
		"UPDATE volunteers SET name = '已注销', birth_date = substr(birth_date, 1, 4) || '-01-01',"
		" id_sealed = NULL, id_hash = NULL, id_masked = '******', phone = NULL, skills = '[]',"
		" service_categories = '[]', available_time = '', education = '', employer = '',"
		" emergency_name = NULL, emergency_phone = NULL, guardian_name = NULL, guardian_phone = NULL,"
		" status = 'deleted', deleted_at = $2, updated_at = $2 WHERE id = $1", id, now);
}

int volwriter_user_link(struct store *s, int64_t id, int64_t user_id)
{
	assert(id > 0 && user_id > 0);
	return app_exec_ints(s, "UPDATE volunteers SET user_id = $2 WHERE id = $1", id, user_id);
}

int volunteers_star_level_set(struct store *s, int64_t id, int level)
{
	assert(id > 0 && level >= 0);
	return app_exec_ints(s, "UPDATE volunteers SET star_level = $2 WHERE id = $1", id, level);
}

int volunteers_star_levels_clear(struct store *s)
{
	return store_exec(s, "UPDATE volunteers SET star_level = 0 WHERE star_level <> 0");
}
