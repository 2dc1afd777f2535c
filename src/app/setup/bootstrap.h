/* First start (bootstrap.c). */
#ifndef ZY_APP_BOOTSTRAP_H
#define ZY_APP_BOOTSTRAP_H
#include "app/kernel/app.h"
#include "store/store.h"

/* First start: root organisation and admin account. */
int bootstrap_run(struct app *a, struct store *s);

#endif
