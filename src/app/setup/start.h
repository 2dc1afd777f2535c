/* Start-up of the application: the kernel's app_open, then what the
 * domains need before the first request (hook registrations of higher
 * domains with lower ones, first-start data, rebuilds). The kernel knows
 * no domain; this room knows them all. */
#ifndef ZY_APP_START_H
#define ZY_APP_START_H
#include "app/kernel/kernel.h"

/* Opens the application as app_open does and readies every domain.
 * Returns 0 with *out set, or -1 (logged). */
int setup_open(const struct app_config *cfg, struct app **out);

#endif
