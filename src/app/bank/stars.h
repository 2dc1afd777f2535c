/* Star levels (星级志愿者): from approved hours against the installation's
 * thresholds (national preset by default), the date each level was
 * reached, and the star roster of an organisation. */
#ifndef ZY_STARS_H
#define ZY_STARS_H
#include "app/bank/bank.h"
#include "store/store.h"
#include "app/service/service.h"

/* An approval step (service_on_approved, registered by bank_wire, also
 * for the demo loader's approved history): inside the transaction that
 * approved rec (after its totals), moves its volunteer's level up or
 * down, dating a new level by the record's decision. */
int stars_on_approved(struct app_req *r, struct store *s, const struct service_record *rec);

/* GET /star-levels: {"preset","thresholds_hours","min_quality","presets"}.
 * PUT: {"preset":"national"|"beijing"|"custom","thresholds_hours":[5],
 * "min_quality":null|"pass"|"good"|"excellent"}, admins of the root;
 * every level is recomputed. */
int stars_config_get(struct app_req *r, json_t **out);
int stars_config_set(struct app_req *r, json_t *in, json_t **out);

/* The stars of one volunteer for the archive: {"star_level","stars":[{"level","reached_at"}]}
 * members added to obj. */
int stars_of(struct app_req *r, int64_t volunteer_id, int *level, json_t **stars);
/* The archive's section (service_archive_section_add, by bank_wire):
 * writes "star_level" and "stars" into the archive being written. */
int stars_archive_section(struct app_req *r, int64_t volunteer_id, struct jsonw *w);

/* GET /organizations/{id}/star-roster?level=&limit=&cursor=: counts per
 * level in the subtree and a page of its starred volunteers (at least
 * ?level=, default 1), newest first. */
int stars_roster(struct app_req *r, int64_t org_id, const char *level, const char *limit, const char *cursor,
		 json_t **out);

#endif
