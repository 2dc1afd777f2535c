/* Claiming an account for a volunteer on file with a one-time code sent
 * to the phone on file (claims.c explains the safeguards). */
#ifndef ZY_CLAIMS_H
#define ZY_CLAIMS_H
#include "app/kernel/kernel.h"

/* POST /public/claims {"id_number","name","phone"} → {"claim_id",
 * "expires_in","phone_masked"}: the same answer whether or not the
 * details name a volunteer; when they do, a code goes to the phone on
 * file. 429 too_many_claims per client address and per ID number. */
int claims_start(struct app_req *r, json_t *in, json_t **out);
/* POST /public/claims/complete {"claim_id","code","password"} →
 * {"login","volunteer_number","reset","user_id"}: the account is made
 * (or, when the volunteer has one, its password reset) and linked to the
 * file; login is what the person types to sign in. */
int claims_complete(struct app_req *r, json_t *in, json_t **out);
/* POST /volunteers/{id}/claim-invitations: staff start a claim for a
 * volunteer of their scope; the code goes to the phone on file, and with
 * a development sender it is in the answer too (to pass on in person). */
int claims_invite(struct app_req *r, int64_t volunteer_id, json_t **out);

#endif
