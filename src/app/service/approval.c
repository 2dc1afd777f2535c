/* What follows a record's approval, inside the approving transaction: the
 * chain, the totals, then the steps higher domains registered at start
 * (stars, points), each handed the record as it was read once. */
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

int record_link_approved(struct app_req *r, struct store *s, struct record_row *row, bool history)
{
	assert(row->rec.id > 0 && row->rec.approver_id > 0 && strcmp(row->rec.status, "approved") == 0);
	int rc = chain_append(r, s, row);
	if (rc == STORE_OK)
		rc = totals_apply(s, &row->rec);
	for (size_t i = 0; i < nsteps && rc == STORE_OK; i++)
		if (!history || steps[i].history)
			rc = steps[i].step(r, s, &row->rec);
	return rc;
}
