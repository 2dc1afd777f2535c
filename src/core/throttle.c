/* Exponential back-off for failed logins. */
#include "core/throttle.h"
#include <assert.h>

int64_t throttle_wait(const struct throttle_policy *p, int64_t failures)
{
	/* a policy without a first wait or with a cap below it would never
	 * make anybody wait */
	assert(p->free_failures >= 0 && p->base_seconds > 0 && p->max_seconds >= p->base_seconds);
	assert(failures >= 0);
	if (failures < p->free_failures)
		return 0;
	int64_t over = failures - p->free_failures;
	int64_t w = p->base_seconds;
	while (over-- > 0 && w < p->max_seconds)
		w *= 2;
	return w > p->max_seconds ? p->max_seconds : w;
}
