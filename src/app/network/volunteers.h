/* Volunteers: one file per person (一人一档). Registration by staff, by
 * the person (self-registration, which creates their login) and by
 * import; search; edits with before/after audit; deactivation, transfer
 * between home organisations; the person's rights to see, export and
 * delete their data. ID numbers are sealed at rest and masked in every
 * answer; the full number is read only with an explicit permission, and
 * each read is audited.
 *
 * Who writes what: the network domain is the one writer of volunteers,
 * memberships, volunteer_grams and volunteer_tags (these rooms, imports.c
 * through volunteers_import_one, homes.c through volunteers_move_home).
 * Functions that take a struct app_req only run their own transactions
 * on r->store; those that also take a struct store *s run inside the
 * caller's transaction and never commit. Every function returns 0, or -1
 * with r->err set (STORE_ codes where it says so).
 *
 * Rooms: volunteers.c (registration), volindex.c (the search helpers),
 * volfile.c (reading files), volsearch.c (the list), voledit.c (edits),
 * vollife.c (deactivation, transfer), volrights.c (the person's rights and
 * the leave hooks); volunteers_int.h is what they share. */
#ifndef ZY_VOLUNTEERS_H
#define ZY_VOLUNTEERS_H
#include "app/network/network.h"

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

/* POST /volunteers (staff with volunteers_write over org_id): registers
 * the file, its home membership, search helpers and audit entry in one
 * transaction; 409 volunteer_exists when the ID is registered already. */
int volunteers_create(struct app_req *r, json_t *in, json_t **out);
/* POST /public/volunteers: self-registration with a password; creates a
 * `volunteer` login whose name is the phone number, in the same
 * transaction as the file (the login row through accounts'
 * users_insert_volunteer). Throttled per client address. */
int volunteers_register_self(struct app_req *r, json_t *in, json_t **out);
/* GET /volunteers. The first page (no cursor) also carries total, the
 * number of matches up to VOLUNTEERS_TOTAL_CAP, and total_capped, true
 * when there are more than that (the console shows "10,000+"). */
#define VOLUNTEERS_TOTAL_CAP 10000
int volunteers_list(struct app_req *r, const struct volunteers_query *q, json_t **out);
/* GET /volunteers/{id}: the file (phone in full, ID masked) with its
 * memberships; 404 when unknown, 403 outside the caller's scope. */
int volunteers_get(struct app_req *r, int64_t id, json_t **out);
/* PATCH /volunteers/{id}: staff edit any field but the ID, the home and
 * the status; audited with before and after (phones masked). */
int volunteers_update(struct app_req *r, int64_t id, json_t *in, json_t **out);
/* GET /volunteers/{id}/id-number: needs the read_id_number permission. */
int volunteers_id_number(struct app_req *r, int64_t id, json_t **out);
/* POST /volunteers/{id}/deactivate {"reason"} | reactivate: sets the
 * status; 409 when it is so already or the file is deleted. Runs no leave
 * hook: an inactive volunteer keeps their sign-ups. */
int volunteers_set_active(struct app_req *r, int64_t id, bool active, json_t *in, json_t **out);
/* POST /volunteers/{id}/transfer {"org_id","role"}: moves the home to an
 * active organisation in the caller's scope (volunteers_move_home). */
int volunteers_transfer(struct app_req *r, int64_t id, json_t *in, json_t **out);
/* GET /volunteers/{id}/export: the file, memberships and the audit
 * entries about the person (staff; the ID stays masked). */
int volunteers_export(struct app_req *r, int64_t id, json_t **out);
/* Moves the file's home from one organisation to another inside the
 * caller's transaction, exactly as a transfer does (the open membership
 * ends today, a new one starts, both scopes get an audit entry); for use
 * cases that decided already, such as an accepted join request. */
struct store;
int volunteers_move_home(struct app_req *r, struct store *s, int64_t id, int64_t from_org,
			 const char *from_path, int64_t to_org, const char *to_path, const char *to_region);
/* The caller's own file (role volunteer): read, edit, export, delete. */
/* GET /me/volunteer: the caller's file as volunteers_get shows it. */
int volunteers_me(struct app_req *r, json_t **out);
/* PATCH /me/volunteer: the person edits their contact details and
 * preferences (not name, gender, birth date nor guardian). */
int volunteers_me_update(struct app_req *r, json_t *in, json_t **out);
/* GET /me/volunteer/export: everything held about the caller, with their
 * full ID number. */
int volunteers_me_export(struct app_req *r, json_t **out);
/* POST /me/volunteer/deletion: in one transaction, erases the personal
 * fields (what counts stays: gender, birth year, region, home, dates),
 * the search helpers, the login (disabled, sessions and tokens gone),
 * runs the leave hooks (volunteers_on_leave), withdraws open join
 * requests and audits the deletion. */
int volunteers_me_delete(struct app_req *r);

/* Registration of one row for the importer: in is an object with the
 * fields of POST /volunteers; the home organisation (checked by the
 * caller, active and in scope) is given with its path and region.
 * Runs inside the caller's transaction. Returns 0 (created), 1 when the
 * person is already registered, or -1 with r->err naming the field. */
int volunteers_import_one(struct app_req *r, struct store *s, json_t *in, int64_t org_id,
			  const char *org_path, const char *org_region);

#endif
