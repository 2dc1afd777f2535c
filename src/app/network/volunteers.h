/* Volunteers: one file per person (一人一档). Registration by staff, by
 * the person (self-registration, which creates their login) and by
 * import; search; edits with before/after audit; deactivation, transfer
 * between home organisations; the person's rights to see, export and
 * delete their data. ID numbers are sealed at rest and masked in every
 * answer; the full number is read only with an explicit permission, and
 * each read is audited. */
#ifndef ZY_VOLUNTEERS_H
#define ZY_VOLUNTEERS_H
#include "app/kernel/app.h"

#define VOLUNTEER_NAME_MAX 50

struct volunteers_query {
	const char *limit, *cursor, *q, *id_number, *skill, *category, *org_id,
		*status, *age_min, *age_max, *sort;   /* raw query values or NULL */
	/* "served": a name or number search (q) also finds volunteers who
	 * served an organisation of the caller's scope (a service record, a
	 * sign-up for a shift of its project) although their file is
	 * elsewhere; those come as {id, volunteer_number, name, status,
	 * limited: true} and nothing more */
	const char *include;
};

/* POST /volunteers (staff). */
int volunteers_create(struct app_req *r, json_t *in, json_t **out);
/* POST /public/volunteers: self-registration with a password; creates a
 * `volunteer` login whose name is the phone number. */
int volunteers_register_self(struct app_req *r, json_t *in, json_t **out);
/* GET /volunteers. The first page (no cursor) also carries total, the
 * number of matches up to VOLUNTEERS_TOTAL_CAP, and total_capped, true
 * when there are more than that (the console shows "10,000+"). */
#define VOLUNTEERS_TOTAL_CAP 10000
int volunteers_list(struct app_req *r, const struct volunteers_query *q, json_t **out);
int volunteers_get(struct app_req *r, int64_t id, json_t **out);
int volunteers_update(struct app_req *r, int64_t id, json_t *in, json_t **out);
/* GET /volunteers/{id}/id-number: needs the read_id_number permission. */
int volunteers_id_number(struct app_req *r, int64_t id, json_t **out);
int volunteers_set_active(struct app_req *r, int64_t id, bool active, json_t *in, json_t **out);
int volunteers_transfer(struct app_req *r, int64_t id, json_t *in, json_t **out);
int volunteers_export(struct app_req *r, int64_t id, json_t **out);
/* Moves the file's home from one organisation to another inside the
 * caller's transaction, exactly as a transfer does (the open membership
 * ends today, a new one starts, both scopes get an audit entry); for use
 * cases that decided already, such as an accepted join request. */
struct store;
int volunteers_move_home(struct app_req *r, struct store *s, int64_t id, int64_t from_org,
			 const char *from_path, int64_t to_org, const char *to_path, const char *to_region);
/* A file without any authorisation: for use cases that decided already. */
int volunteers_get_unchecked(struct app_req *r, int64_t id, json_t **out);
/* The caller's own file (role volunteer): read, edit, export, delete. */
/* The id of the volunteer file linked to the caller's login: 404
 * no_volunteer_file when there is none. */
int volunteers_mine_id(struct app_req *r, int64_t *id);
int volunteers_me(struct app_req *r, json_t **out);
int volunteers_me_update(struct app_req *r, json_t *in, json_t **out);
int volunteers_me_export(struct app_req *r, json_t **out);
int volunteers_me_delete(struct app_req *r);

/* Registration of one row for the importer: in is an object with the
 * fields of POST /volunteers; the home organisation (checked by the
 * caller, active and in scope) is given with its path and region.
 * Runs inside the caller's transaction. Returns 0 (created), 1 when the
 * person is already registered, or -1 with r->err naming the field. */
int volunteers_import_one(struct app_req *r, struct store *s, json_t *in, int64_t org_id,
			  const char *org_path, const char *org_region);

/* When a volunteer leaves. Higher domains that hold something of a
 * volunteer (projects: places on shifts) register a handler at start,
 * from setup/start.c wire(); network never calls them by name. When a
 * person deletes their file (volunteers_me_delete), every handler runs,
 * in registration order, inside the deleting transaction: after the file
 * and the login are erased, before the deletion is audited. A handler
 * writes its own domain's tables through s, never commits, and returns
 * STORE_OK, or a store error that rolls the whole deletion back.
 * (Deactivation keeps what the person holds: it runs no handler.) */
typedef int (*volunteers_leave_fn)(struct app_req *r, struct store *s, int64_t volunteer_id);
#define VOLUNTEERS_LEAVE_MAX 8
/* Registers fn; the same fn twice counts once. Only before the first
 * request (the list is not locked). Returns 0, or -1 when the list is
 * full. */
int volunteers_on_leave(volunteers_leave_fn fn);

#endif
