/* Awards and commendations (表彰): award types, rounds over a period and an
 * organisation's subtree, nominations ranked against candidates, approval
 * that puts the award into the volunteer's file, awards from elsewhere
 * entered with evidence, and the public honour roll. */
#ifndef ZY_AWARDS_H
#define ZY_AWARDS_H
#include "app/kernel/app.h"

/* GET /award-types; POST /award-types {"name","target":"volunteer"|"org"}
 * (admins of the root). */
int awards_types(struct app_req *r, json_t **out);
int awards_type_create(struct app_req *r, json_t *in, json_t **out);
/* POST /award-rounds {"name","org_id","period_from","period_to"} (admins
 * of the scope); GET /award-rounds (the caller's scope); GET
 * /award-rounds/{id} with its nominations. */
int awards_round_create(struct app_req *r, json_t *in, json_t **out);
int awards_round_list(struct app_req *r, json_t **out);
int awards_round_get(struct app_req *r, int64_t id, json_t **out);
/* GET /award-rounds/{id}/candidates?limit=: volunteers of the round's
 * subtree ranked by approved hours in its period, then records, then
 * their average quality. */
int awards_candidates(struct app_req *r, int64_t round_id, const char *limit, json_t **out);
/* POST /award-rounds/{id}/nominations {"type_id","volunteer_id"|"org_id","reason"}. */
int awards_nominate(struct app_req *r, int64_t round_id, json_t *in, json_t **out);
/* POST /nominations/{id}/approve (the award goes into the file) and
 * /nominations/{id}/reject. */
int awards_decide(struct app_req *r, int64_t nomination_id, bool approve, json_t **out);
/* POST /volunteers/{id}/awards {"name","granted_on","granting_unit","evidence"}:
 * an award from elsewhere. */
int awards_external(struct app_req *r, int64_t volunteer_id, json_t *in, json_t **out);
/* The awards of a volunteer's file, oldest first. */
int awards_of(struct app_req *r, int64_t volunteer_id, json_t **out);
/* GET /public/honour-roll?year=: awards granted that year, names masked. */
int awards_honour_roll(struct app_req *r, const char *year, json_t **out);

#endif
