/* Activities and service records (一服务一记录): recorders enter what each
 * volunteer served, approvers of the organising organisation decide, and
 * every decision joins a hash chain that `zhiyuan verify` can check. */
#ifndef ZY_RECORDS_APP_H
#define ZY_RECORDS_APP_H
#include "app/kernel/kernel.h"
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
/* Whether the caller may see volunteer_id's archive (the person, or staff
 * of the scope); returns 0 with the file in *file. */
int records_archive_access(struct app_req *r, int64_t volunteer_id, json_t **file);
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

/* ---- The one writer of service_records and activities ----
 * Every row of these tables is written by the service domain: record entry,
 * batch entry and amendments here, attendance (projects) and the demo
 * loader (setup) through record_insert, activities through
 * activity_insert. The rules every record keeps (one per activity, no time
 * shared with another record of the person, the daily maximum) are applied
 * here and nowhere else. */

/* How record_insert applies the rules to the person's other records. */
enum record_rules {
	RECORD_REFUSE,   /* a clash is an app error (record_exists, overlapping_record,
			    daily_limit): entry, batch entry, the demo loader */
	RECORD_FIT       /* the record gives up the time it shares and what exceeds the
			    day's maximum; a record of the activity already there means
			    nothing is written: attendance */
};

/* A service record to write. Strings belong to the caller; NULL is NULL. */
struct record_new {
	int64_t activity_id, volunteer_id, org_id;  /* the region is org_id's */
	int64_t starts_at, ends_at, minutes;        /* minutes already rounded */
	const char *place, *beneficiary, *content, *quality, *quality_comment;
	const char *source, *evidence, *late_reason, *idem, *source_org;
	int64_t beneficiary_count;
	bool has_count, late;
	int64_t recorder_id;
	int64_t resubmits_id;    /* the rejected record this corrects (0: none) */
	int64_t created_at;      /* 0: now */
	/* An approved record of the past (the demo loader): approver and
	 * decision time, and the activity's service category for the totals;
	 * it joins the chain and the totals at once, and the approval steps
	 * registered for history run. approver_id 0: a submitted entry. */
	int64_t approver_id, decided_at;
	const char *category;
	enum record_rules rules;
	/* out: the new record's id (0 when RECORD_FIT wrote nothing); with
	 * RECORD_FIT, the minutes recorded (0 when nothing was left, else
	 * unchanged when a record of the activity already existed) and the
	 * trimmed starts_at/ends_at */
	int64_t id;
};
/* Inserts one service record inside the caller's transaction s, after
 * the rules; does not audit (the caller knows what to say). A refusal
 * sets r->err and returns STORE_ERROR. */
int record_insert(struct app_req *r, struct store *s, struct record_new *n);

/* An activity to write. Strings belong to the caller. */
struct activity_new {
	int64_t org_id, project_id;   /* project_id 0: none */
	const char *name, *place, *content, *leader, *category, *region;
	int64_t starts_at, ends_at, created_by, created_at;   /* created_at 0: now */
	int64_t id;                   /* out */
};
/* Inserts one activity inside the caller's transaction s; does not audit. */
int activity_insert(struct store *s, struct activity_new *a);

/* ---- Approval steps: what higher domains do when a record is approved ----
 * The service domain owns the list; setup/start.c wire() fills it once,
 * before any request (so the list is configuration, read-only after). */

/* An approved record (original or amendment) as the steps see it: read
 * once by the approval (or written by record_insert) and handed on.
 * Strings live in the request's arena or the caller's storage. */
struct service_record {
	int64_t id, activity_id, volunteer_id, org_id, starts_at, ends_at, minutes;
	int64_t amends_id;       /* 0 for an original */
	int64_t recorder_id, approver_id, decided_at, created_at;
	const char *status, *quality, *category, *org_path;   /* category "" when none */
	int64_t chain_seq;       /* set once the record joined the chain */
	const char *chain_hash;
};
/* A step runs inside the approving transaction s, after the record joined
 * the chain and the totals; a failure (STORE_* code, r->err set where it
 * is the caller's fault) rolls the approval back. */
typedef int (*service_approval_step)(struct app_req *r, struct store *s, const struct service_record *rec);
/* Registers step after those already registered (at most
 * SERVICE_STEPS_MAX; registering one twice changes nothing). history:
 * whether it also runs for approved records of the past written by the
 * demo loader (stars do; points are earned only by decisions). */
#define SERVICE_STEPS_MAX 8
void service_on_approved(service_approval_step step, bool history);

/* ---- Archive sections: what higher domains add to a volunteer's archive ----
 * A section writes its members (key and value) into the archive's open
 * object, after the service's own members, in the order registered. It
 * answers 0, or STORE_* with nothing to undo (the answer is then an error). */
typedef int (*service_archive_section)(struct app_req *r, int64_t volunteer_id, struct jsonw *w);
void service_archive_section_add(service_archive_section section);

/* Recomputes every volunteer's totals (volunteer_totals) from the
 * approved records, inside the caller's transaction: for databases whose
 * records predate the table. */
int records_totals_rebuild(struct store *s);

#endif
