/* Periodic upkeep (see upkeep.h). */
#include "app/setup/upkeep.h"
#include "app/kernel/kernel.h"
#include "app/menu/menu.h"
#include "app/projects/projects.h"
#include "util/arena.h"
#include "util/log.h"
#include <string.h>

void app_tick(struct app *a)
{
	struct arena *arena = arena_new();
	struct app_req r;
	int64_t out = 0, noshow = 0;
	if (app_req_init(&r, a, arena, "tick") == 0 && shifts_sweep(&r, app_now(), &out, &noshow) == 0) {
		if (out || noshow)
			log_info("shift sweep: %lld checked out automatically, %lld no-shows",
				 (long long)out, (long long)noshow);
	} else {
		log_warn("shift sweep failed: %s", r.err.code ? r.err.code : "unavailable");
	}
	/* residents' orders nobody took in time go one level up (menu/escalate.c) */
	int64_t escalated = 0;
	memset(&r.err, 0, sizeof(r.err));
	if (r.store && orders_escalate_due(&r, app_now(), app_config(a)->order_escalate_after, &escalated) == 0) {
		if (escalated)
			log_info("order escalation: %lld escalated", (long long)escalated);
	} else {
		log_warn("order escalation failed: %s", r.err.code ? r.err.code : "unavailable");
	}
	/* delivered orders the resident never rated are closed after
	 * --order-close-after days (menu/orders.c) */
	int64_t closed = 0;
	memset(&r.err, 0, sizeof(r.err));
	if (r.store && orders_close_due(&r, app_now(), app_config(a)->order_close_after > 0 ?
					app_config(a)->order_close_after : 14, &closed) == 0) {
		if (closed)
			log_info("order closing: %lld closed unrated", (long long)closed);
	} else {
		log_warn("order closing failed: %s", r.err.code ? r.err.code : "unavailable");
	}
	arena_free(arena);
	app_return_store(a);
}
