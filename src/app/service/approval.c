/* The steps higher domains registered at start (stars, points) to follow
 * a record's approval, inside the approving transaction, each handed the
 * record as it was read once (writer.c runs them after the chain and the
 * totals). */
#include "app/service/records.h"
#include "app/service/service_int.h"
#include <assert.h>
#include <stddef.h>
#include <string.h>

/* Filled by setup/start.c wire() before any request; read-only after. */
static struct {
	service_approval_step step;
	bool history;
} steps[SERVICE_STEPS_MAX];
static size_t nsteps;

void service_on_approved(service_approval_step step, bool history)
{
	assert(step);
	for (size_t i = 0; i < nsteps; i++)
		if (steps[i].step == step)
			return;
	assert(nsteps < SERVICE_STEPS_MAX);
	steps[nsteps].step = step;
	steps[nsteps].history = history;
	nsteps++;
}

int service_steps_run(struct app_req *r, struct store *s, const struct service_record *rec, bool history)
{
	int rc = STORE_OK;
	for (size_t i = 0; i < nsteps && rc == STORE_OK; i++)
		if (!history || steps[i].history)
			rc = steps[i].step(r, s, rec);
	return rc;
}
