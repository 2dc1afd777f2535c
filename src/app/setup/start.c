/* Start-up (see start.h). */
#include "app/setup/start.h"
#include "app/accounts/accounts.h"
#include "app/bank/bank.h"
#include "app/kernel/kernel.h"
#include "app/network/network.h"
#include "app/projects/projects.h"
#include "app/service/service.h"
#include "app/setup/bootstrap.h"
#include "store/store.h"

/* Where a lower domain tells higher ones of an event (a record approved,
 * a volunteer leaving), the higher domain's handler is registered here,
 * once, before any request. */
static int wire(struct app *a)
{
	accounts_wire(a);
	bank_wire(a);
	if (projects_wire(a) != 0)
		return -1;
	return 0;
}

static int fill_totals_tx(struct store *s, void *ctx)
{
	(void)ctx;
	int rc = records_totals_rebuild(s);
	if (rc == STORE_OK)
		rc = stars_rebuild(s);
	return rc == STORE_OK ? app_meta_clear_pending(s) : rc;
}

/* Totals of records approved before migration 0005 created their table. */
static int fill_totals(struct store *s)
{
	return app_fill_pending(s, "SELECT 1 FROM meta WHERE name IN ('totals_pending', 'stars_pending') LIMIT 1",
				fill_totals_tx, "the volunteers' totals of earlier records");
}

/* What the domains need before the first request, on the opening
 * thread's connection: first-start data (bootstrap.c), the totals and
 * stars of records approved before their tables existed, and the search
 * text of organisations made before it was kept. */
static int prepare(struct app *a)
{
	struct store *s = store_get(app_pool(a));
	if (!s)
		return -1;
	if (bootstrap_run(a, s) != 0 || fill_totals(s) != 0 || orgs_fill_search(s) != 0)
		return -1;
	return 0;
}

int setup_open(const struct app_config *cfg, struct app **out)
{
	struct app *a;
	if (app_open(cfg, &a) != 0)
		return -1;
	if (wire(a) != 0 || prepare(a) != 0) {
		app_close(a);
		return -1;
	}
	*out = a;
	return 0;
}
