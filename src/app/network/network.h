/* The network domain's public header: what other domains may use of it,
 * and nothing else (http/ and main.c also see the module headers
 * volunteers.h, orgs.h, regions.h, imports.h, homes.h). The four-level
 * network and its people: network is the one writer of regions,
 * region_population, orgs, volunteers, memberships, the volunteers' search
 * helpers, imports and join requests. A function taking a struct store *s
 * runs inside the caller's transaction and never commits. */
#ifndef ZY_NETWORK_H
#define ZY_NETWORK_H
#include "app/kernel/kernel.h"
#include <stdbool.h>
#include <stddef.h>

/* ---- volunteers (volunteers.h has the rest) ---- */

#define VOLUNTEER_NAME_MAX 50

/* A file without any authorisation: for use cases that decided already. */
int volunteers_get_unchecked(struct app_req *r, int64_t id, json_t **out);
/* The id of the volunteer file linked to the caller's login: 404
 * no_volunteer_file when there is none. Reads only. */
int volunteers_mine_id(struct app_req *r, int64_t *id);
/* The star level shown on the file (0 = none) is decided by the bank's
 * stars (stars.c) and written here, inside the caller's transaction.
 * Return a STORE_ code. */
int volunteers_star_level_set(struct store *s, int64_t id, int level);
/* Every file back to level 0, before the stars are rebuilt. */
int volunteers_star_levels_clear(struct store *s);

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

/* ---- organisations (orgs.h) ---- */

/* POST /organizations → the new organisation. */
int orgs_create(struct app_req *r, json_t *in, json_t **out);
/* At start: fills the search columns where they are still NULL (rows from
 * before migration 0014, the bootstrap root). Returns 0 or -1. */
int orgs_fill_search(struct store *s);

/* ---- regions (regions.h) ---- */

/* The most regions GET /public/regions answers (regions_public_children),
 * and the demo generator's room for one level's shipped codes. */
#define REGIONS_PUBLIC_MAX 1000
#define REGIONS_PUBLIC_MAX_S "1000"

/* First start: loads the shipped region table (data/regions/wenjiang.csv,
 * compiled in) when the root organisation's region lies in its district
 * and none of the district's towns is known yet. *loaded is the number of
 * regions added. r needs an arena and a store, no principal. */
int regions_seed(struct app_req *r, int *loaded);
/* The shipped codes of one level (4 towns, 5 communities) under prefix,
 * in file order, at most max. For the demo generator. */
size_t regions_builtin_codes(const char *prefix, int level, char (*out)[13], size_t max);

/* ---- imports (imports.h) ---- */

/* Registers the rows of data[0..len) into organisation org_id. Returns 0
 * with the report {"total_rows","imported","unchanged","rejected":[…],
 * "already_imported","file_sha256","format"}, or -1 when the file as a
 * whole is refused (encoding, missing column). */
int imports_volunteers(struct app_req *r, const char *org_id, const void *data, size_t len, json_t **out);
/* The template: UTF-8 CSV with a BOM (Excel opens it correctly) and the
 * Chinese column headers. */
const char *imports_volunteer_template(void);

/* First start (setup/): inserts the root federation named name in region
 * with its path "/id/" (written into path), inside the caller's
 * transaction; its search columns are filled by orgs_fill_search.
 * orgs.c is the one writer of orgs. Returns STORE_OK or an error rc. */
int orgs_insert_root(struct store *s, const char *name, const char *region, int64_t now, int64_t *id,
		     char path[32]);
/* The demo generator's district of scale times the people: multiplies the
 * shipped 2015 household population of the district (510115) by factor,
 * inside the caller's transaction on s. regions.c is the one writer of
 * region_population. Returns STORE_OK or an error rc. */
int regions_population_scale(struct store *s, int factor);

/* Whether volunteer id's file is active (as opposed to deactivated or
 * deleted), for the domains that act for a volunteer (a sale, a record).
 * Returns STORE_OK, STORE_DONE when there is no such file, or an error rc;
 * usable inside a transaction. */
int volunteers_active(struct store *s, int64_t id, bool *active);

#endif
