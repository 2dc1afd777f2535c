/* Decisions on records (approve, reject) and amendments of approved records. */
#include "app/service/records.h"
#include "app/service/service_int.h"
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "core/records.h"
#include "core/validate.h"
#include <time.h>
#include "util/arena.h"
#include "util/jsonw.h"
#include "core/chinatime.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Why who may not decide on a record of the organisation at org_path,
 * entered by recorder_id, in state status (self_ok: the organisation lets
 * recorders approve their own entries); NULL when they may. The one rule
 * of decisions: decide() enforces it and the lists show it beforehand
 * (can_approve, approve_block), so the two cannot disagree.
 *   not_approver    the caller's roles cannot decide on records
 *   out_of_scope    the record's organisation is outside the caller's subtree
 *   own_record      the caller entered it (or checked the person out), and
 *                   the organisation does not allow self-approval
 *   admin_required  another recorder entered it: only admins decide on
 *                   others' entries
 *   already_decided it is approved or rejected already */
const char *decision_block(const struct principal *who, const char *org_path, int64_t recorder_id,
				  bool self_ok, const char *status)
{
	const char *why = authz_refusal(who, AUTHZ_RECORDS_APPROVE, org_path);
	if (why)
		return strcmp(why, "out_of_scope") == 0 ? "out_of_scope" : "not_approver";
	bool own = recorder_id == who->user_id;
	if (own && !self_ok)
		return "own_record";
	if (!own && !(who->roles & ROLE_ADMIN))
		return "admin_required";
	if (strcmp(status, "submitted") != 0)
		return "already_decided";
	return NULL;
}

struct decide_ctx {
	struct app_req *r;
	const char *status, *reason;
	struct record_row row;   /* the record, read once by decide() */
};

static int decide_tx(struct store *s, void *vctx)
{
	struct decide_ctx *c = vctx;
	struct service_record *rec = &c->row.rec;
	/* only a submitted record can be decided: of racing decisions, the
	 * first update wins and the others find nothing to update */
	int rc = record_set_decision(c->r, s, &c->row, c->status, c->reason);
	if (rc == STORE_DONE) {
		app_fail(c->r, APP_ECONFLICT, "already_decided", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	if (strcmp(c->status, "approved") == 0 &&
	    (rc = record_link_approved(c->r, s, &c->row, false)) != STORE_OK)
		return rc;
	return audit_write(c->r, s, strcmp(c->status, "approved") == 0 ? "record.approve" : "record.reject",
			   "record", rec->id, rec->org_id, rec->org_path, NULL);
}

/* Who may decide: an admin of the organising organisation's scope, not
 * the recorder of the record unless the organisation allows it. The
 * record is read once: for the rule, for the steps that follow approval
 * and for the answer (its reading with what the decision changed). */
static int decide(struct app_req *r, int64_t id, const char *status, const char *reason, json_t **out)
{
	struct store_stmt *st;
	if (authz_check(r, AUTHZ_RECORDS_APPROVE, NULL) != 0 ||
	    app_load_row(r, "SELECT " REC_COLUMNS ", o.allow_self_approval, COALESCE(a.service_category, '')"
			 REC_FROM " WHERE s.id = $1", id, -1, 29, &st) != 0)
		return -1;
	struct decide_ctx c = { .r = r, .status = status, .reason = reason };
	c.row.rec.id = id;
	c.row.rec.org_path = arena_strdup(r->arena, store_col_text(st, 29));
	c.row.rec.category = arena_strdup(r->arena, store_col_text(st, 33));
	const char *why = decision_block(r->who, c.row.rec.org_path, store_col_int(st, 18), store_col_int(st, 32) != 0,
					 store_col_text(st, 21));
	json_t *answer = why ? NULL : record_json(r, st);
	store_done(st);
	/* admins decide on others' records; a recorder decides only on their
	 * own, and only where the organisation allows it */
	if (why && strcmp(why, "own_record") == 0)
		return app_fail(r, APP_EFORBIDDEN, "own_record", NULL);
	if (why && strcmp(why, "already_decided") == 0)
		return app_fail(r, APP_ECONFLICT, "already_decided", NULL);
	if (why)
		return app_fail(r, APP_EFORBIDDEN, "forbidden", NULL);
	/* grouped on PostgreSQL too (SQLite groups every transaction): every
	 * approval updates the chain's head row, so alone each held it
	 * through its own commit and fsync (docs/performance.md) */
	int rc = store_tx_grouped(r->store, decide_tx, &c);
	if (rc != STORE_OK) {
		json_decref(answer);
		return app_store_fail(r, rc);
	}
	/* the answer is what records_get would read now; whoever may decide
	 * may read it (AUTHZ_RECORDS_APPROVE's roles are among
	 * AUTHZ_RECORDS_READ's, both within the caller's subtree) */
	const struct service_record *rec = &c.row.rec;
	json_object_set_new(answer, "status", json_string(rec->status));
	json_object_set_new(answer, "reject_reason", reason ? json_string(reason) : json_null());
	json_object_set_new(answer, "approver_id", json_integer(rec->approver_id));
	json_object_set_new(answer, "decided_at", json_string(app_iso(r, rec->decided_at)));
	if (rec->chain_seq) {
		json_object_set_new(answer, "chain_seq", json_integer(rec->chain_seq));
		json_object_set_new(answer, "chain_hash", json_string(rec->chain_hash));
	}
	*out = answer;
	return 0;
}

int records_approve(struct app_req *r, int64_t id, json_t **out)
{
	return decide(r, id, "approved", NULL, out);
}

int records_reject(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	const char *reason;
	if (in_text(r, in, "reason", true, 500, &reason) != 0)
		return -1;
	return decide(r, id, "rejected", reason, out);
}
