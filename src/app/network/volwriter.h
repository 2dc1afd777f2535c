/* The one writer of volunteers and memberships (volwriter.c), private to
 * network/: registration, edits, lifecycle, erasure and claims call it;
 * other domains use volunteers.h (star levels). Every function runs inside
 * the caller's transaction on s and returns a store rc. */
#ifndef ZY_VOLWRITER_H
#define ZY_VOLWRITER_H
#include "app/network/volunteers_int.h"
#include "store/store.h"

/* Inserts v's file (status active) at now, unless its ID is registered
 * already. Returns STORE_ROW with v->id set, STORE_DONE or STORE_CONSTRAINT
 * when the ID is registered, or an error rc. The batch path of imports
 * runs it once a row: one prepared statement, no extra read. */
int volwriter_insert(struct store *s, struct vol *v, int64_t now);

/* Opens a membership of volunteer id in org_id (role, since joined_on,
 * the organisation's region). Returns STORE_OK or an error rc. */
int volwriter_membership_open(struct store *s, int64_t id, int64_t org_id, const char *role,
			      const char *joined_on, const char *region);

/* The fields an edit may set: a field is written only when its set_ flag
 * is true (emergency and guardian name and phone go in pairs). */
struct vol_edit {
	int64_t id;
	const char *name, *gender, *birth_date, *phone, *region, *available_time, *education, *employer;
	const char *emergency_name, *emergency_phone, *guardian_name, *guardian_phone;
	const char *skills, *categories;   /* JSON text */
	bool set_name, set_gender, set_birth, set_phone, set_region, set_available, set_education,
	     set_employer, set_emergency, set_guardian, set_skills, set_categories;
};
/* Writes an edit of a file (updated_at = now). */
int volwriter_edit(struct store *s, const struct vol_edit *e, int64_t now);

/* Sets a file's status ("active", "inactive") at now. */
int volwriter_status_set(struct store *s, int64_t id, const char *status, int64_t now);

/* Moves volunteer id's home to org_id: the open membership ends on today,
 * one in org_id (role, region) opens on today, and the file's home follows
 * (updated_at = now). The caller refuses a move to the same home first. */
int volwriter_transfer(struct store *s, int64_t id, int64_t org_id, const char *role, const char *region,
		       const char *today, int64_t now);

/* Erases the personal fields of a file the person deletes (status
 * deleted at now); what counts for totals stays. */
int volwriter_erase(struct store *s, int64_t id, int64_t now);

/* Links file id to the login user_id (a claim made the account). */
int volwriter_user_link(struct store *s, int64_t id, int64_t user_id);

#endif
