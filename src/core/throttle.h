/* Login back-off policy: how long a key (an account or a client address)
 * must wait after a run of failed logins. Pure arithmetic. */
#ifndef ZY_THROTTLE_H
#define ZY_THROTTLE_H
#include <stdint.h>

struct throttle_policy {
	int free_failures;   /* failures allowed before any wait */
	int base_seconds;    /* first wait */
	int max_seconds;     /* cap of the doubling */
};

/* Wait in seconds after `failures` consecutive failures: 0 up to
 * free_failures, then base doubling per further failure, capped. */
int64_t throttle_wait(const struct throttle_policy *p, int64_t failures);

#endif
