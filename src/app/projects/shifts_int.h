/* What the rooms of shifts (shifts.c, signups.c, attendance.c) share
 * among themselves; private to projects/, other domains use shifts.h. */
#ifndef ZY_SHIFTS_INT_H
#define ZY_SHIFTS_INT_H
#include "app/projects/shifts.h"

/* A shift as use cases need it, in r->arena. */
struct shift_ref {
	int64_t id, project_id, activity_id, org_id, starts, ends, deadline, cancel_before;
	int64_t min_age, max_age, training_id;   /* -1 / 0 when not required */
	int64_t created_by;
	const char *path, *project_status, *code_key, *skills, *place, *content, *title;
};

/* Loads shift id into *x (404 when unknown; no authorisation). */
int shift_load(struct app_req *r, int64_t id, struct shift_ref *x);
/* Whether the caller is staff for the shift's project: authorised for
 * action on its organisation, or one of its paired social workers. Sets
 * no error when not. */
bool shift_staff(struct app_req *r, const struct shift_ref *x, int action);
/* shift_staff, or 403 forbidden (401 when not signed in). */
int shift_staff_or_fail(struct app_req *r, const struct shift_ref *x, int action);
/* One sign-up as the API shows it. */
int signup_get(struct app_req *r, int64_t id, json_t **out);
/* Ends every live sign-up of the project's shifts (a cancelled project)
 * and recounts their places, inside the caller's transaction. Returns a
 * STORE_ code. */
int signups_cancel_project(struct store *s, int64_t project_id);

/* ---- A shift's counters (shifts.c, the one writer of shifts) ----
 * Sign-ups move them (signups.c); each runs inside the caller's
 * transaction, and each write that returns the counters asserts that no
 * more are confirmed than the capacity nor waiting than the waitlist. */
/* Takes a confirmed place of shift id if one is free: STORE_ROW with
 * *arrival (the shift's arrival count, the waitlist's order), STORE_DONE
 * when the shift is full, else an error. Locks the shift's row. */
int shift_place_take(struct store *s, int64_t id, int64_t *arrival);
/* Takes the next place on shift id's waitlist: STORE_ROW with *arrival
 * and *position (1 the first waiting), STORE_DONE when it is full. */
int shift_waitlist_take(struct store *s, int64_t id, int64_t *arrival, int64_t *position);
/* Locks shift id's row (a write that changes nothing), first in a
 * cancellation, so that concurrent cancellations promote one by one. */
int shift_counts_lock(struct store *s, int64_t id);
/* Gives back a place of shift id: a confirmed one, else a waiting one. */
int shift_place_free(struct store *s, int64_t id, bool confirmed);
/* Moves one place of shift id from the waitlist to confirmed. */
int shift_place_promote(struct store *s, int64_t id);
/* Empties the waitlist counters of the project's shifts (first in a
 * project's cancellation: the shifts' rows before the sign-ups'). */
int shifts_waitlists_close(struct store *s, int64_t project_id);
/* Recounts the confirmed places of the project's shifts from their live
 * sign-ups, with no one waiting (after a project's cancellation). */
int shifts_counts_recount(struct store *s, int64_t project_id);

/* ---- Attendance's writes of sign-ups (signups.c, their one writer) ----
 * attendance.c decides; these write, inside the caller's transaction, and
 * do not audit. Each returns a STORE_ code. */
/* Sign-up id is checked in at at (from confirmed or no_show). */
int signup_set_checked_in(struct store *s, int64_t id, int64_t at);
/* Checked-in sign-up id is attended: checked out at out_at with minutes
 * counted (0: too little) and its service record (0: none); auto_out when
 * the sweep checked it out. Changes nothing unless it is checked in. */
int signup_set_attended(struct store *s, int64_t id, int64_t out_at, int64_t minutes, int64_t record_id, bool auto_out);
/* Every confirmed sign-up of a shift ended by as_of is a no-show. */
int signups_set_no_show(struct store *s, int64_t as_of);

#endif
