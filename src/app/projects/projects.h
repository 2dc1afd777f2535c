/* The projects domain's public header: what other domains may use of it,
 * and nothing else (http/ and main.c also see the module headers
 * projects_api.h and shifts.h). Projects, shifts, sign-ups and
 * attendance: the projects domain is the one writer of projects,
 * project_social_workers, shifts and signups; attendance writes its
 * service records through the service domain's record_insert. */
#ifndef ZY_PROJECTS_H
#define ZY_PROJECTS_H
#include "app/kernel/kernel.h"

/* Registers the projects domain's handlers with lower domains' hook
 * lists (a volunteer leaving cancels their sign-ups); called once from
 * setup/start.c wire() before the first request. Returns 0 or -1. */
int projects_wire(struct app *a);

/* ---- attendance.c: the periodic sweep (setup/upkeep.c runs it) ---- */

/* Checks out everyone still checked in 24 hours after checking in
 * (flagged, their record made as usual) and marks confirmed sign-ups of
 * shifts that ended without a check-in as no-shows, as of as_of (unix
 * seconds). Counts go to *auto_out and *no_shows. No caller check: the
 * CLI and the server's timer run it; POST /shifts/sweep checks first. */
int shifts_sweep(struct app_req *r, int64_t as_of, int64_t *auto_out, int64_t *no_shows);

#endif
