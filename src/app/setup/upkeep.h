/* Periodic upkeep the server runs on its own, apart from requests: the
 * shift sweep (automatic check-outs and no-shows, projects/projects.h) and
 * the escalation of residents' orders nobody took (menu/menu.h). The
 * kernel knows no domain, so the work every domain needs done on a clock
 * is listed here. */
#ifndef ZY_APP_UPKEEP_H
#define ZY_APP_UPKEEP_H
#include "app/kernel/kernel.h"

/* One round of upkeep (http/server.c runs it every --sweep-every
 * seconds on a thread of its own): the shift sweep, then the order
 * escalation (--order-escalate-after), each in its own
 * transactions, with no principal (records of automatic check-outs are
 * entered in the name of the shift's creator). Logs what it did and any failure; gives
 * the thread's store connection back afterwards. */
void app_tick(struct app *a);

#endif
