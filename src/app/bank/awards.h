/* Awards and commendations (表彰): award types, rounds over a period and an
 * organisation's subtree, nominations ranked against candidates, approval
 * that puts the award into the volunteer's file, awards from elsewhere
 * entered with evidence, and the public honour roll.
 *
 * awards.c is the only writer of award_types, award_rounds, nominations and
 * awards. Each call is a use case that runs its writes in one transaction
 * of its own (the caller must not be inside one), audited; 0 is success
 * with *out a new JSON object the caller owns, -1 a refusal or failure with
 * r->err set and nothing changed. */
#ifndef ZY_AWARDS_H
#define ZY_AWARDS_H
#include "app/kernel/kernel.h"

/* GET /award-types: every type, oldest first (any signed-in user; reads
 * only). POST /award-types {"name","target":"volunteer"|"org"} (admins of
 * the root): a new active type, 409 duplicate on a name taken. */
int awards_types(struct app_req *r, json_t **out);
int awards_type_create(struct app_req *r, json_t *in, json_t **out);
/* POST /award-rounds {"name","org_id","period_from","period_to"} (admins
 * of the scope): a new open round. GET /award-rounds: the rounds of the
 * caller's scope, newest first. GET /award-rounds/{id}: one round with
 * its nominations (staff of its scope). The two GETs read only. */
int awards_round_create(struct app_req *r, json_t *in, json_t **out);
int awards_round_list(struct app_req *r, json_t **out);
int awards_round_get(struct app_req *r, int64_t id, json_t **out);
/* GET /award-rounds/{id}/candidates?limit=: volunteers of the round's
 * subtree ranked by approved hours in its period, then records, then
 * their average quality; those filed elsewhere who served in the subtree
 * are listed "limited". Reads only. */
int awards_candidates(struct app_req *r, int64_t round_id, const char *limit, json_t **out);
/* POST /award-rounds/{id}/nominations {"type_id","volunteer_id"|"org_id","reason"}:
 * a nominee of the type's target, inside the round's subtree (or who
 * served there in its period), while the round is open (409 round_closed);
 * answers the round. */
int awards_nominate(struct app_req *r, int64_t round_id, json_t *in, json_t **out);
/* POST /nominations/{id}/approve (the award goes into the file, granted
 * today by the round's organisation) and /nominations/{id}/reject (admins
 * of the round's scope). A nomination is decided once: 409
 * already_decided. Answers the round. */
int awards_decide(struct app_req *r, int64_t nomination_id, bool approve, json_t **out);
/* POST /volunteers/{id}/awards {"name","granted_on","granting_unit","evidence"}
 * (staff who may edit the volunteer): an award from elsewhere, granted on
 * a day not in the future; answers the volunteer's awards. */
int awards_external(struct app_req *r, int64_t volunteer_id, json_t *in, json_t **out);
/* The awards of a volunteer's file, oldest first ({"items"}). Reads only,
 * and checks nobody: the caller (the archive) has authorised the file. */
int awards_of(struct app_req *r, int64_t volunteer_id, json_t **out);
/* GET /public/honour-roll?year=: awards of rounds granted that year,
 * newest first, people's names masked. Reads only; no sign-in. */
int awards_honour_roll(struct app_req *r, const char *year, json_t **out);

#endif
