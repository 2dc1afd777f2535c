/* The points bank (公益银行·志愿积分): a double-entry ledger of whole
 * points, earned when service records are approved under each
 * organisation's rules, granted or deducted by admins, checked by
 * `zhiyuan check-ledger`. Points are spent; hours never are. */
#ifndef ZY_POINTS_H
#define ZY_POINTS_H
#include "app/bank/bank.h"
#include "store/store.h"
#include "app/service/service.h"

/* An approval step (service_on_approved, registered by bank_wire; not
 * run for the demo loader's history): inside the transaction that
 * approves rec (an original or an amendment): issues what an original
 * earns, once; for an amendment, issues or takes back the difference,
 * recording as a shortfall what was already spent. Records approved
 * before the points bank earn nothing. */
int points_on_approved(struct app_req *r, struct store *s, const struct service_record *rec);

/* Inside the caller's transaction: points whose lots expired by now go
 * back to the pools that issued them, for one volunteer (0: everyone).
 * Run before points leave a volunteer, when a balance is read, and by
 * `zhiyuan expire-points`. */
int points_expire(struct app_req *r, struct store *s, int64_t volunteer, int64_t now);
/* `zhiyuan expire-points [--as-of DATE]`: everyone's expired points, as
 * of now or the end of DATE (China time); *moved counts movements. */
int points_expire_all(struct app_req *r, int64_t now, int64_t *moved);

/* GET /volunteers/{id}/points: {"volunteer_id","balance","earned",
 * "shortfall"} for the person or staff of their scope. */
int points_balance(struct app_req *r, int64_t volunteer_id, json_t **out);

/* GET /points/movements?volunteer_id=&org_id=&limit=&cursor=: newest
 * first. With volunteer_id, that person's movements (the person or
 * staff of their scope); without, those of a scope (staff). */
int points_movements(struct app_req *r, const char *volunteer_s, const char *org_s, const char *limit,
		     const char *cursor, json_t **out);

/* POST /points/adjustments {"volunteer_id","amount","reason"}: an
 * admin's grant (amount > 0) or deduction (< 0), audited; a deduction
 * larger than the balance is 409 insufficient_points. idem: the
 * Idempotency-Key header or NULL (a retry answers as the first call). */
int points_adjust(struct app_req *r, json_t *in, const char *idem, json_t **out);

/* GET /organizations/{id}/point-rules: the rules in force there and the
 * organisation they come from. PUT: sets that organisation's own rules
 * (its subtree inherits them). */
int points_rules_get(struct app_req *r, int64_t org_id, json_t **out);
int points_rules_set(struct app_req *r, int64_t org_id, json_t *in, json_t **out);
/* DELETE: the organisation's own rules go; it inherits again. Answers
 * the rules now in force. */
int points_rules_clear(struct app_req *r, int64_t org_id, json_t **out);

/* `zhiyuan check-ledger`: recomputes every balance from the movements.
 * *bad counts accounts whose balance differs (or volunteers below zero),
 * *sum is the sum of all balances (0 when sound); why describes the
 * first problem. */
int points_check_ledger(struct app_req *r, int64_t *movements, int64_t *accounts, int64_t *bad,
			int64_t *sum, char *why, size_t whylen);

/* The ledger's primitives points_account and points_move are in bank.h.
 * points_move where a volunteer pays: a balance too small is 409
 * insufficient_points naming field (STORE_ERROR, r->err set). */
int points_pay(struct app_req *r, struct store *s, struct point_move *m, const char *field);

#endif
