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

#endif
