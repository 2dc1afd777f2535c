/* Pay codes: the proof that a volunteer is at the counter when a store
 * takes their points (issue 11). The volunteer's phone asks for a code; it
 * lives --pay-code-ttl seconds, is used once, and a new one ends the old.
 * paycodes.c is the only writer of pay_codes; a sale (sales.c) takes and
 * links a code inside its own transaction through the two calls at the
 * end. */
#ifndef ZY_PAYCODES_H
#define ZY_PAYCODES_H
#include "app/kernel/kernel.h"

#define PAY_CODE_LEN 12   /* digits, shown as three groups of four */

/* POST /me/pay-codes → {"code","expires_in","expires_at","volunteer_id"}:
 * a new code for the caller's own volunteer file (409 volunteer_inactive
 * when the file is not active; 429 too_many_pay_codes), in a transaction
 * of its own that also ends the caller's earlier live code. Only a keyed
 * digest is stored: the code is shown this once. */
int paycodes_create(struct app_req *r, json_t **out);

/* GET /me/pay-codes/current → {"status"} of the caller's newest code:
 * "none", "live" (with expires_at), "expired", or "used" (with used_at and
 * the sale's id, points, store_id and store_name), so the phone can show
 * that the counter took it. The code itself is never given again. Reads
 * only. */
int paycodes_current(struct app_req *r, json_t **out);

/* A typed code in its stored form: PAY_CODE_LEN digits, with the spaces
 * and hyphens people type between groups dropped. False when it cannot be
 * a code at all. Pure: no store, no request. */
bool paycodes_normal(const char *in, char out[PAY_CODE_LEN + 1]);

/* Inside a sale's transaction: marks the live code (normalised) used and
 * gives its id (for paycodes_link_sale) and volunteer. STORE_OK when taken,
 * STORE_DONE when no live code matches (unknown, used, replaced or
 * expired: one answer). */
int paycodes_take(struct store *s, const char *code, int64_t *id, int64_t *volunteer);
/* Inside the same transaction: the code id that paycodes_take gave pays
 * for sale_id, so the phone can show the sale (paycodes_current). A code
 * pays for one sale only (asserted). */
int paycodes_link_sale(struct store *s, int64_t id, int64_t sale_id);

#endif
