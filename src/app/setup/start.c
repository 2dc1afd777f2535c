/* Start-up (see start.h). */
#include "app/setup/start.h"
#include "app/projects/projects.h"

/* Where a lower domain tells higher ones of an event (a record approved,
 * a volunteer leaving), the higher domain's handler is registered here,
 * once, before any request. */
static int wire(struct app *a)
{
	(void)a;
	if (projects_wire(a) != 0) return -1;
	return 0;
}

int setup_open(const struct app_config *cfg, struct app **out)
{
	struct app *a;
	if (app_open(cfg, &a) != 0)
		return -1;
	if (wire(a) != 0) {
		app_close(a);
		return -1;
	}
	*out = a;
	return 0;
}
