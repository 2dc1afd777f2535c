/* How a service record reads: the one table of its members (REC_COLUMNS),
 * written as JSON for every answer and read by the archive's CSV. */
#include "app/service/records.h"
#include "app/service/service_int.h"
#include "app/kernel/kernel.h"
#include "util/jsonw.h"
#include <string.h>

/* How a record reads (REC_COLUMNS): the one list of its members, for the
 * archive's streamed pages (record_members) and every other answer
 * (record_json). Kinds: i integer, b boolean, t time, s text. */
static const struct {
	const char *name;
	int col;
	char kind;
} rec_members[] = {
	{ "id", 0, 'i' }, { "activity_id", 1, 'i' }, { "activity_name", 2, 's' },
	{ "volunteer_id", 3, 'i' }, { "volunteer_number", 4, 's' }, { "volunteer_name", 5, 's' },
	{ "org_id", 6, 'i' }, { "starts_at", 7, 't' }, { "ends_at", 8, 't' }, { "minutes", 9, 'i' },
	{ "beneficiary", 11, 's' }, { "beneficiary_count", 12, 'i' }, { "place", 10, 's' },
	{ "content", 13, 's' }, { "quality", 14, 's' }, { "quality_comment", 15, 's' },
	{ "source", 16, 's' }, { "evidence", 17, 's' }, { "recorder_id", 18, 'i' },
	{ "late", 19, 'b' }, { "late_reason", 20, 's' }, { "status", 21, 's' },
	{ "reject_reason", 22, 's' }, { "approver_id", 23, 'i' }, { "decided_at", 24, 't' },
	{ "amends_id", 25, 'i' }, { "chain_seq", 26, 'i' }, { "chain_hash", 27, 's' },
	{ "created_at", 28, 't' }, { "source_org", 30, 's' }, { "amendment_reason", 31, 's' },
};
#define NREC_MEMBERS (sizeof(rec_members) / sizeof(rec_members[0]))

int record_member(const char *name, char *kind)
{
	for (size_t i = 0; i < NREC_MEMBERS; i++)
		if (strcmp(rec_members[i].name, name) == 0) {
			*kind = rec_members[i].kind;
			return rec_members[i].col;
		}
	return -1;
}

/* The members of a record into the open object of w. */
void record_members(struct jsonw *w, struct app_req *r, struct store_stmt *st)
{
	for (size_t i = 0; i < NREC_MEMBERS; i++) {
		int col = rec_members[i].col;
		jsonw_key(w, rec_members[i].name);
		if (store_col_null(st, col))
			jsonw_null(w);
		else if (rec_members[i].kind == 'i')
			jsonw_int(w, store_col_int(st, col));
		else if (rec_members[i].kind == 'b')
			jsonw_bool(w, store_col_int(st, col) != 0);
		else if (rec_members[i].kind == 't')
			jsonw_str(w, app_iso(r, store_col_int(st, col)));
		else
			jsonw_str(w, store_col_text(st, col));
	}
}

json_t *record_json(struct app_req *r, struct store_stmt *st)
{
	json_t *o = json_object();
	for (size_t i = 0; i < NREC_MEMBERS; i++) {
		int col = rec_members[i].col;
		json_t *v;
		if (store_col_null(st, col))
			v = json_null();
		else if (rec_members[i].kind == 'i')
			v = json_integer(store_col_int(st, col));
		else if (rec_members[i].kind == 'b')
			v = json_boolean(store_col_int(st, col) != 0);
		else if (rec_members[i].kind == 't')
			v = json_string(app_iso(r, store_col_int(st, col)));
		else
			v = json_string(store_col_text(st, col));
		json_object_set_new_nocheck(o, rec_members[i].name, v);
	}
	return o;
}

const char *const record_qualities[4] = { "excellent", "good", "pass", "fail" };
