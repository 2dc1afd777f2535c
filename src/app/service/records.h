/* Activities and service records (一服务一记录): recorders enter what each
 * volunteer served, approvers of the organising organisation decide, and
 * every decision joins a hash chain that `zhiyuan verify` can check. */
#ifndef ZY_RECORDS_APP_H
#define ZY_RECORDS_APP_H
#include "app/service/service.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/jsonw.h"

#define RECORD_DEADLINE_DAYS 10    /* working days for on-time entry */

/* POST /activities {"name","org_id","starts_at","ends_at","place",
 * "content","leader","service_category","project_id"}. */
int activities_create(struct app_req *r, json_t *in, json_t **out);
/* GET /activities/{id}, GET /activities?org_id=&limit=&cursor= (newest
 * first, the caller's subtree or org_id's): staff who may read records. */
int activities_get(struct app_req *r, int64_t id, json_t **out);
int activities_list(struct app_req *r, const char *org_id, const char *limit, const char *cursor,
		    json_t **out);

/* POST /records: one volunteer, one activity. idem is the request's
 * Idempotency-Key (or NULL): a retry returns the first record. *created
 * tells whether this call created it. */
int records_create(struct app_req *r, json_t *in, const char *idem, json_t **out, bool *created);
/* POST /records/batch {"activity_id","entries":[…]}: the paper sign-in
 * sheet in one request, all or nothing; errors name "entries[i].field". */
#define RECORD_BATCH_MAX 500
int records_create_batch(struct app_req *r, json_t *in, const char *idem, json_t **out);
/* GET /records/{id}: staff of the record's scope, or the volunteer it is
 * about. GET /records?volunteer_id=&status=&activity_id=&limit=&cursor=:
 * the caller's subtree, newest first. */
int records_get(struct app_req *r, int64_t id, json_t **out);
int records_list(struct app_req *r, const char *volunteer_id, const char *status,
		 const char *activity_id, const char *limit, const char *cursor, json_t **out);
/* GET /me/entries?status=&limit=&page=: the records the caller entered
 * (recorder_id, which for attendance is whoever checked the person out),
 * rejected ones not yet corrected first with their reasons, then those
 * awaiting a decision, then approved ones; {"items","total","page",
 * "limit","counts":{"to_fix","submitted","approved","rejected"}}. A
 * rejected entry is corrected by POST /records with "resubmits_id". */
int records_entered(struct app_req *r, const char *status, const char *limit, const char *page, json_t **out);
/* Records in lists carry "recorder_name", "can_approve" and
 * "approve_block" (null, or not_approver, out_of_scope, own_record,
 * admin_required, already_decided): what approve would answer, by the
 * rule approve itself applies. */
/* Decisions; approval appends the record to the chain. Exactly one of
 * several racing decisions wins; the others get 409. */
int records_approve(struct app_req *r, int64_t id, json_t **out);
int records_reject(struct app_req *r, int64_t id, json_t *in, json_t **out);
/* POST /records/{id}/amendments {"minutes","reason"}: a correction of an
 * approved record as a new record that references it (0 minutes voids
 * it); decided like any record, and joins the chain when approved. */
int records_amend(struct app_req *r, int64_t id, json_t *in, json_t **out);
/* GET /volunteers/{id}/archive?limit=&cursor=: the file, effective
 * approved minutes with totals by year, category and organisation (over
 * all records), a page of records newest first with their amendments
 * (next_cursor for more), training, evaluations, then the members of the
 * registered archive sections (stars, awards), as JSON text appended to
 * out: written as it is read, without a tree in between. */
int records_archive_write(struct app_req *r, int64_t volunteer_id, const char *limit, const char *cursor,
			  struct buf *out);
/* GET /records/chain: {"seq","hash"} of the newest link. */
int records_chain_head(struct app_req *r, json_t **out);
/* Walks the whole chain; returns 0 and *broken = 0 when intact, else the
 * sequence number of the first link that does not match. */
int records_verify(struct app_req *r, int64_t *checked, int64_t *broken, char *why, size_t whylen);

/* Training: POST /trainings {"name","content","study_minutes","org_id",
 * "held_on"}, GET /trainings[/{id}], POST /trainings/{id}/attendees
 * {"volunteer_ids":[…]} (adding someone twice changes nothing). */
int trainings_create(struct app_req *r, json_t *in, json_t **out);
int trainings_get(struct app_req *r, int64_t id, json_t **out);
int trainings_list(struct app_req *r, const char *limit, const char *cursor, json_t **out);
int trainings_attend(struct app_req *r, int64_t id, json_t *in, json_t **out);

/* The working-day calendar (holidays, make-up working days):
 * GET /calendar?year=, PUT /calendar/{date} {"kind","note"},
 * DELETE /calendar/{date}; changes by admins of the root. */
int calendar_list(struct app_req *r, const char *year, json_t **out);
int calendar_set(struct app_req *r, const char *date, json_t *in, json_t **out);
int calendar_delete(struct app_req *r, const char *date);

#endif
