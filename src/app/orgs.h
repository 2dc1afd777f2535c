/* Organisations: the tree every scope is cut from. This is the base the
 * network capability (issue 3) builds on: create, read and list within
 * the caller's subtree. */
#ifndef ZY_ORGS_H
#define ZY_ORGS_H
#include "app/app.h"

/* POST /organizations: {"name","kind","parent_id","region_code",
 * "professional"} → the new organisation. */
int orgs_create(struct app_req *r, json_t *in, json_t **out);
/* GET /organizations/{id}. */
int orgs_get(struct app_req *r, int64_t id, json_t **out);
/* GET /organizations: the caller's subtree, in id order, paged. */
int orgs_list(struct app_req *r, const char *limit, const char *cursor, json_t **out);

#endif
