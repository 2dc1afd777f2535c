/* Throttles (throttle.c): attempts counted per key in login_throttle,
 * waits that double once the free attempts are used. This room is the
 * table's one writer; keys are the callers' ("acct#7", "addr:1.2.3.4",
 * "claim:138…"). */
#ifndef ZY_APP_THROTTLE_H
#define ZY_APP_THROTTLE_H
#include "app/kernel/app.h"
#include "store/store.h"

struct throttle_policy;

/* Counts an attempt against a throttle key in its own transaction: after
 * free attempts within 15 minutes, waits of base seconds doubling to max
 * apply. Returns 0 or -1 (store error). */
int app_throttle_note(struct app_req *r, const char *key, int free, int base, int max);
/* Reads a throttle key's remaining block: 0, or -1 with 429 code and
 * r->err.retry_after set when the key waits (accounts.c). */
int app_throttle_check(struct app_req *r, const char *key, const char *code);
/* Check and count in one atomic step (parallel requests cannot all pass
 * a check made before any of them counts): counts an attempt and returns
 * 0, or, when the key waits, counts nothing and returns -1 (429 code,
 * retry_after). */
int app_throttle_take(struct app_req *r, const char *key, int free, int base, int max, const char *code);
/* Gives back an attempt taken that turned out not to count (a right code,
 * a completed claim); lifts the wait once fewer than free remain. */
int app_throttle_refund(struct app_req *r, const char *key, int free);

/* Seconds the caller must still wait before trying key a or key b (the
 * longer wait; 0 when neither waits), read on r->store. Returns STORE_OK
 * or an error rc. */
int app_throttle_remaining(struct app_req *r, const char *a, const char *b, int64_t *wait);
/* Counts a failure against key inside the caller's transaction and sets
 * the wait pol gives for the count. Returns STORE_OK or an error rc. */
int app_throttle_bump(struct store *s, const char *key, const struct throttle_policy *pol);
/* Forgets key (a success clears its failures) inside the caller's
 * transaction. Returns STORE_OK or an error rc. */
int app_throttle_forget(struct store *s, const char *key);

#endif
