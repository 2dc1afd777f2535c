/* A volunteer's home organisation as the person chooses it: the public
 * list of stations and teams a person picks from when registering
 * (nearest by region first), and requests to join or move to a station
 * or team that its admins accept or decline. Accepting moves the file as
 * a staff transfer does (volunteers_move_home), so memberships and the
 * audit log read the same either way. */
#ifndef ZY_HOMES_H
#define ZY_HOMES_H
#include "app/kernel/kernel.h"
#include "store/store.h"

/* GET /public/organizations: active stations and teams with what a person
 * needs to choose (id, name, kind, parent, region), those of the region
 * given first (same community, then same town), then by name. No sign-in;
 * at most HOMES_PICK_MAX per answer and no paging: the person searches. */
#define HOMES_PICK_MAX 50
struct homes_pick_query {
	const char *q, *region, *kind, *limit;   /* raw query values or NULL */
};
int homes_public_orgs(struct app_req *r, const struct homes_pick_query *q, json_t **out);

/* The network domain is the one writer of join_requests. Each function
 * runs its own transaction on r->store; 0, or -1 with r->err set. */

/* The caller's own requests (role volunteer with a file). */
/* POST /me/volunteer/join-requests {"org_id","note"}: one open request
 * at a time (409 join_request_open). */
int homes_request_create(struct app_req *r, json_t *in, json_t **out);
/* GET /me/volunteer/join-requests: the caller's requests, newest first. */
int homes_request_mine(struct app_req *r, json_t **out);
/* POST /me/volunteer/join-requests/{id}/withdraw: an open request of the caller. */
int homes_request_withdraw(struct app_req *r, int64_t id, json_t **out);

/* Staff: requests to organisations in the caller's scope (admins). */
struct homes_list_query {
	const char *status, *org_id, *limit, *cursor;
};
int homes_request_list(struct app_req *r, const struct homes_list_query *q, json_t **out);
/* Accept (in may be NULL) or decline (in may hold "reason") an open
 * request; accepting moves the home in the same transaction. */
int homes_request_accept(struct app_req *r, int64_t id, json_t *in, json_t **out);
int homes_request_decline(struct app_req *r, int64_t id, json_t *in, json_t **out);
/* A person deleting their file (volrights.c): their open join requests
 * are withdrawn (decided_at = now), inside the caller's transaction.
 * homes.c is the one writer of join_requests. Returns STORE_OK or an
 * error rc. */
int homes_withdraw_for(struct store *s, int64_t volunteer_id, int64_t now);

#endif
