/* The service domain's public header: what other domains may use of it,
 * and nothing else (http/ and main.c also see the module headers
 * records.h, exports.h, certificates.h). One service, one record: the
 * service domain is the one writer of service_records and activities
 * (writer.c), of the chain, the totals, the calendar, training and
 * certificates. Higher domains learn of approvals and add to the archive
 * through the hook lists below, filled by setup/start.c wire(). */
#ifndef ZY_SERVICE_H
#define ZY_SERVICE_H
#include "app/kernel/kernel.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/jsonw.h"

/* Whether the caller may see volunteer_id's archive (the person, or staff
 * of the scope); returns 0 with the file in *file. */
int records_archive_access(struct app_req *r, int64_t volunteer_id, json_t **file);

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

/* ---- exports.c: the CSV writer (exports.h has the rest) ---- */

/* The one CSV writer of the server: every CSV it writes (the archive,
 * `zhiyuan demo --csv`) is made of these two calls. (The server writes no
 * XLSX; the import template is a constant header line.)
 *
 * Appends one text cell (then "," or, when last, CRLF), quoted when it
 * needs to be. A cell that starts like a formula (= + - @, or a TAB or CR
 * that a spreadsheet skips before one) is quoted and prefixed with ' so
 * that Excel and WPS show it as text instead of running it (OWASP's rule
 * for CSV injection). Every text cell goes through this, whoever typed
 * it: a text that looks like a number ("-5") is text and gets the '. */
void export_csv_cell(struct buf *b, const char *s, bool last);
/* Appends a number the server computed (ids, minutes, point amounts) as
 * a plain number cell, so that a spreadsheet can sum it; a negative
 * number keeps its '-' (it is not text anybody typed). */
void export_csv_int(struct buf *b, int64_t v, bool last);

#endif
