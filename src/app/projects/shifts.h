/* Shifts of a project, sign-ups with a waitlist, and check-in/check-out
 * that turns attendance into service records (source "check_in").
 *
 * What must hold however many people sign up at once is held by the
 * database (0013_projects.sql): a shift's confirmed places never exceed
 * its capacity nor its waitlist its length, a volunteer has one live
 * sign-up per shift, and none that overlap another by more than the grace
 * period. The code checks first so callers get precise errors; the
 * constraints catch what races past the checks; the code asserts them
 * as it writes the counters (signups.c).
 *
 * Who writes what: the projects domain is the one writer of shifts and
 * signups (shifts.c creates shifts, signups.c signs up and cancels,
 * attendance.c checks in and out; a cancelled project ends its sign-ups
 * through signups.c). Functions that take only a struct app_req run
 * their own transactions on r->store; shifts_cancel_leaver runs inside
 * the caller's. 0, or -1 with r->err set, unless said otherwise. */
#ifndef ZY_SHIFTS_H
#define ZY_SHIFTS_H
#include "app/projects/projects.h"
#include "store/store.h"

/* POST /projects/{id}/shifts {"starts_at","ends_at","place","capacity",
 * "name","waitlist","signup_deadline","cancel_before_minutes","min_age",
 * "max_age","skills","training_id","repeat":{"weekdays":[1..7],"until"}}
 * → the shift (with "series": every id when repeated weekly). */
#define SHIFT_SERIES_MAX 200
int shifts_create(struct app_req *r, int64_t project_id, json_t *in, json_t **out);
/* GET /shifts/{id}: staff of the project, or anyone signed in once the
 * project is published. */
int shifts_get(struct app_req *r, int64_t id, json_t **out);
/* The shifts of a project as a JSON array (upcoming only: those not yet
 * over, for the public page). Reads only; no authorisation (the caller
 * checked the project). */
int shifts_of_project(struct app_req *r, int64_t project_id, bool upcoming, json_t **out);
/* GET /shifts/{id}/signups (staff): everyone signed up, in arrival order. */
int shifts_signups(struct app_req *r, int64_t id, json_t **out);
/* GET /shifts/{id}/code?at= (staff): the rotating code now (or at a past
 * time), when it stops working, and the day code for the printed QR. */
int shifts_code(struct app_req *r, int64_t id, const char *at, json_t **out);

/* POST /shifts/{id}/signups {"volunteer_id"}: the volunteer themselves
 * (volunteer_id may be left out) or staff. *created is false when the
 * same sign-up already existed (it is returned as it is). */
int shifts_signup(struct app_req *r, int64_t shift_id, json_t *in, json_t **out, bool *created);
/* DELETE /signups/{id}: cancels; a freed place goes to the first on the
 * waitlist in the same transaction. */
int shifts_cancel(struct app_req *r, int64_t signup_id, json_t **out);
/* POST /shifts/{id}/check-in and /check-out: {"code"} from the
 * volunteer, or {"volunteer_id","at"} from staff. Check-out makes the
 * service record when enough of the shift was attended. */
int shifts_check(struct app_req *r, int64_t shift_id, bool in_not_out, json_t *in, json_t **out);
/* GET /me/shifts: the caller's sign-ups, newest shift first. */
int shifts_mine(struct app_req *r, json_t **out);

/* POST /shifts/sweep {"as_of"}: shifts_sweep (projects.h) for admins of the root. */
int shifts_sweep_api(struct app_req *r, json_t *in, json_t **out);

/* Cancels the live sign-ups of volunteer_id for shifts not yet over
 * (at most 64; a person rarely holds more), each freed place going to
 * the waitlist, inside the caller's transaction: a person who leaves
 * holds no places. The network domain runs it when a volunteer leaves
 * (volunteers_on_leave, registered by projects_wire). Returns STORE_OK
 * or a store error. */
int shifts_cancel_leaver(struct app_req *r, struct store *s, int64_t volunteer_id);

#endif
