/* The bank domain's public header: what other domains may use of it, and
 * nothing else (http/ and main.c also see the module headers points.h,
 * stars.h, market.h, paycodes.h, awards.h). The public-welfare bank is the
 * one writer of the points ledger, the earnings and rules, star levels,
 * the love supermarkets, pay codes and awards. It learns of approvals
 * through the service domain's hook lists, which bank_wire fills. */
#ifndef ZY_BANK_H
#define ZY_BANK_H
#include "app/kernel/kernel.h"
#include "store/store.h"

/* Registers the bank's part in what other domains do (called once by
 * setup/start.c wire(), before any request): the approval steps (stars,
 * then points) and the archive's sections (stars, awards). */
void bank_wire(struct app *a);

/* ---- ledger.c ---- */

/* The points ledger's primitives (ledger.c, with points_expire and
 * points_check_ledger), inside the caller's
 * transaction. The account of (kind, owner), made on first use. */
int points_account(struct store *s, const char *kind, int64_t owner, int64_t *id);
/* One movement: amount > 0 from one account to another. */
struct point_move {
	int64_t from, to, amount, record_id, volunteer_id, org_id, operator_id, voucher_id, sale_id;
	int64_t expires_at;      /* points given to a volunteer expire then (0: never) */
	int64_t restore;         /* points coming back: the movement that took them */
	const char *cause, *reason, *idem;
	int64_t id;              /* out */
};
/* Moves the amount and writes the movement. A volunteer's account that
 * would go below zero is STORE_CONSTRAINT with nothing changed. */
int points_move(struct store *s, struct point_move *m);

/* ---- stars.c ---- */

/* Recomputes every volunteer's level and dates from the approved records
 * in the order they were decided (after thresholds change, and once for
 * records approved before star levels existed). Inside a transaction. */
int stars_rebuild(struct store *s);

#endif
