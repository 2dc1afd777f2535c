/* What the rooms of volunteer files (volunteers.c, volindex.c, volfile.c,
 * volsearch.c, voledit.c, vollife.c, volrights.c, volwriter.c) share among
 * themselves; private to network/, other domains use volunteers.h. */
#ifndef ZY_VOLUNTEERS_INT_H
#define ZY_VOLUNTEERS_INT_H
#include "app/network/volunteers.h"
#include "app/kernel/kernel.h"
#include "core/volno.h"
#include "store/store.h"

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

#define VOL_COLUMNS \
	"v.id, v.volunteer_number, v.name, v.gender, v.birth_date, v.id_type, v.id_masked," \
	" v.phone, v.region_code, v.skills, v.service_categories, v.available_time, v.education," \
	" v.employer, v.emergency_name, v.emergency_phone, v.guardian_name, v.guardian_phone," \
	" v.guardian_consent_at, v.sensitive_consent_at, v.consent_version, v.status," \
	" v.home_org_id, o.name, v.created_at, v.updated_at, o.path, v.user_id, v.source, v.star_level"
#define VOL_FROM " FROM volunteers v JOIN orgs o ON o.id = v.home_org_id"

struct vol_change {
	struct app_req *r;
	int64_t id, org_id, new_org;
	const char *org_path, *new_path, *new_region, *role, *action, *status;
	json_t *detail;
};

/* A {"name","phone"} object (emergency contact, guardian). */
int vol_in_contact(struct app_req *r, json_t *in, const char *field, bool required,
	       const char **name, const char **phone, bool *consent);

/* The home organisation named by org_id: exists, in the caller's scope
 * (for staff) and active. */
int vol_home_org(struct app_req *r, struct store *s, struct vol *v, bool check_scope);
/* Adds (or with remove, deletes) the search helpers of a volunteer. */
int vol_index(struct store *s, int64_t id, const char *name, json_t *skills,
		    json_t *categories, bool remove);
/* Removes the helpers of what is stored now (before an edit or deletion). */
int vol_unindex(struct app_req *r, struct store *s, int64_t id);
/* One volunteer as the API shows it; full_phone for single reads. */
json_t *vol_json(struct app_req *r, struct store_stmt *st, bool full_phone);
/* Loads a volunteer for a use case: 404 when absent, the scope check for
 * action. The statement stays on the row for the caller to read and
 * store_done(). */
int vol_load(struct app_req *r, int64_t id, enum authz_action action, struct store_stmt **out);

#endif
