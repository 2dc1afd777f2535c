/* First start (bootstrap.c). */
#ifndef ZY_APP_BOOTSTRAP_H
#define ZY_APP_BOOTSTRAP_H
#include "app/kernel/kernel.h"
#include "store/store.h"

/* At every start, on s (the opening thread's connection): on a database
 * without organisations, creates the root organisation (cfg's name and
 * region) and the admin account in one transaction of its own, audited as
 * system.bootstrap, and prints a generated admin password once to stdout
 * (ZHIYUAN_ADMIN_PASSWORD, when set, is checked and used instead); then
 * loads the shipped regions when missing (a failure there is only
 * logged). Returns 0 or -1 (logged). */
int bootstrap_run(struct app *a, struct store *s);

#endif
