/* What the rooms of the service domain share among themselves (not for
 * other domains: they use records.h). */
#ifndef ZY_SERVICE_INT_H
#define ZY_SERVICE_INT_H
#include "app/service/records.h"
#include "app/kernel/kernel.h"
#include "core/records.h"
#include "store/store.h"
#include "util/jsonw.h"

#define REC_COLUMNS "s.id, s.activity_id, a.name, s.volunteer_id, v.volunteer_number, v.name," \
	" s.org_id, s.starts_at, s.ends_at, s.minutes, s.place, s.beneficiary, s.beneficiary_count," \
	" s.content, s.quality, s.quality_comment, s.source, s.evidence, s.recorder_id, s.late," \
	" s.late_reason, s.status, s.reject_reason, s.approver_id, s.decided_at, s.amends_id," \
	" s.chain_seq, s.chain_hash, s.created_at, o.path, s.source_org, s.amendment_reason"
#define REC_FROM " FROM service_records s JOIN activities a ON a.id = s.activity_id" \
	" JOIN volunteers v ON v.id = s.volunteer_id JOIN orgs o ON o.id = s.org_id"
/* The same columns for the records of one volunteer's file, whose number
 * and name are known ($4, $5): the page needs no join but the activity's.
 * The organisation's path (column 29) is not part of a record's reading. */
#define REC_COLUMNS_FILE "s.id, s.activity_id, a.name, s.volunteer_id, CAST($4 AS TEXT), CAST($5 AS TEXT)," \
	" s.org_id, s.starts_at, s.ends_at, s.minutes, s.place, s.beneficiary, s.beneficiary_count," \
	" s.content, s.quality, s.quality_comment, s.source, s.evidence, s.recorder_id, s.late," \
	" s.late_reason, s.status, s.reject_reason, s.approver_id, s.decided_at, s.amends_id," \
	" s.chain_seq, s.chain_hash, s.created_at, '', s.source_org, s.amendment_reason"
#define REC_FROM_FILE " FROM service_records s JOIN activities a ON a.id = s.activity_id"

/* The members of a record (REC_COLUMNS) into the open object of w
 * (record_json.c). */
void record_members(struct jsonw *w, struct app_req *r, struct store_stmt *st);
/* The column (REC_COLUMNS) and kind (i integer, b boolean, t time, s
 * text) of a record's member name, as record_json reads it; -1 for a name
 * records do not have (record_json.c). */
int record_member(const char *name, char *kind);
/* Every record of a volunteer's archive in its order (originals newest
 * first, each followed by its amendments oldest first), each handed to
 * row on a REC_COLUMNS_FILE row with the minutes it counts (as the JSON
 * archive's effective_minutes). Checks access as the archive does
 * (archive.c). */
typedef void (*archive_row_fn)(void *ctx, struct app_req *r, struct store_stmt *st, int64_t effective);
int records_archive_rows(struct app_req *r, int64_t volunteer_id, archive_row_fn row, void *ctx);
/* A record (REC_COLUMNS) as a JSON object (record_json.c). */
json_t *record_json(struct app_req *r, struct store_stmt *st);
/* The qualities a record may have, best first (record_json.c). */
extern const char *const record_qualities[4];

/* Why who may not decide on a record; NULL when they may (decisions.c). */
const char *decision_block(const struct principal *who, const char *org_path, int64_t recorder_id,
			   bool self_ok, const char *status);

/* Calendar days from ymd on, for entry deadlines (calendar.c). */
int calendar_load(struct app_req *r, int ymd, struct work_calendar *cal);

/* The columns of a record that its chain link covers, in link order. */
#define CHAIN_COLUMNS "id, activity_id, volunteer_id, org_id, starts_at, ends_at, minutes, place," \
	" beneficiary, beneficiary_count, content, quality, quality_comment, source, evidence," \
	" recorder_id, late, late_reason, status, approver_id, decided_at, amends_id, amendment_reason, source_org"
#define NCHAIN 24

/* A record read once for its approval: what the steps see, and its chain
 * columns as the database gives them (what the link's hash covers). */
struct record_row {
	struct service_record rec;
	struct chain_field link[NCHAIN];
};
/* Fills row from CHAIN_COLUMNS at column col of st and created_at right
 * after them; the strings are copied into r's arena. category and
 * org_path are the caller's to set (chain.c). */
void record_row_fill(struct app_req *r, struct store_stmt *st, int col, struct record_row *row);
/* Appends the record to the chain (the link and the head), inside the
 * caller's transaction; sets rec.chain_seq and rec.chain_hash, which the
 * caller then writes to the record with record_set_link (chain.c). */
int chain_append(struct app_req *r, struct store *s, struct record_row *row);
/* Adds an approved record to its volunteer's totals, inside the caller's
 * transaction (totals.c). */
int totals_apply(struct store *s, const struct service_record *rec);
/* What approval does after the status change, inside the caller's
 * transaction: the chain (chain_append, then record_set_link), the
 * totals, then the registered steps (only those for history when history)
 * (writer.c). */
int record_link_approved(struct app_req *r, struct store *s, struct record_row *row, bool history);
/* Runs the steps registered with service_on_approved for the approved
 * record, in order, stopping at the first failure (only those for
 * history when history) (approval.c). */
int service_steps_run(struct app_req *r, struct store *s, const struct service_record *rec, bool history);

/* ---- service_records' other writes (writer.c, the one writer) ----
 * Each runs inside the caller's transaction and does not audit. */
/* Inserts the amendment of approved record original, entered by
 * recorder_id: a copy of it, submitted, with minutes (0 voids it) and
 * reason; sets *id. The caller checked that original is an approved
 * original with no amendment pending. */
int record_insert_amendment(struct store *s, int64_t original, int64_t minutes, int64_t recorder_id,
			    const char *reason, int64_t *id);
/* Decides the submitted record row->rec.id as status ("approved" or
 * "rejected", with reason) by r's user, now. Only a submitted record
 * changes: of racing decisions the first wins. Returns STORE_ROW when it
 * changed, with row filled from the updated row as the chain hashes it
 * (rec.category and rec.org_path kept as the caller set them), so that
 * approval reads the record once; STORE_DONE when it was no longer
 * submitted; else an error. */
int record_set_decision(struct app_req *r, struct store *s, struct record_row *row, const char *status,
			const char *reason);
/* Marks record id as link seq of the chain, with the link's hash (after
 * chain_append wrote the link). */
int record_set_link(struct store *s, int64_t id, int64_t seq, const char *hash);

#endif
