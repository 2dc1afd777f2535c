/* The record chain: each approved record or amendment is a link whose hash
 * covers the record and the link before; `zhiyuan verify` walks it on threads. */
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
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The same columns qualified for the verify join. */
#define CHAIN_COLUMNS_S "s.id, s.activity_id, s.volunteer_id, s.org_id, s.starts_at, s.ends_at, s.minutes," \
	" s.place, s.beneficiary, s.beneficiary_count, s.content, s.quality, s.quality_comment, s.source," \
	" s.evidence, s.recorder_id, s.late, s.late_reason, s.status, s.approver_id, s.decided_at, s.amends_id," \
	" s.amendment_reason, s.source_org"
static const char *const chain_names[] = {
	"id", "activity_id", "volunteer_id", "org_id", "starts_at", "ends_at", "minutes", "place",
	"beneficiary", "beneficiary_count", "content", "quality", "quality_comment", "source", "evidence",
	"recorder_id", "late", "late_reason", "status", "approver_id", "decided_at", "amends_id",
	"amendment_reason", "source_org",
};
_Static_assert(sizeof(chain_names) / sizeof(chain_names[0]) == NCHAIN, "CHAIN_COLUMNS and chain_names agree");

void record_row_fill(struct app_req *r, struct store_stmt *st, int col, struct record_row *row)
{
	struct service_record *rec = &row->rec;
	for (size_t i = 0; i < NCHAIN; i++) {
		const char *v = store_col_text(st, col + (int)i);
		row->link[i].name = chain_names[i];
		row->link[i].len = v ? store_col_len(st, col + (int)i) : 0;
		row->link[i].value = v ? arena_strndup(r->arena, v, row->link[i].len) : NULL;
	}
	rec->id = store_col_int(st, col + 0);
	rec->activity_id = store_col_int(st, col + 1);
	rec->volunteer_id = store_col_int(st, col + 2);
	rec->org_id = store_col_int(st, col + 3);
	rec->starts_at = store_col_int(st, col + 4);
	rec->ends_at = store_col_int(st, col + 5);
	rec->minutes = store_col_int(st, col + 6);
	rec->quality = row->link[11].value;
	rec->recorder_id = store_col_null(st, col + 15) ? 0 : store_col_int(st, col + 15);
	rec->status = row->link[18].value;
	rec->approver_id = store_col_null(st, col + 19) ? 0 : store_col_int(st, col + 19);
	rec->decided_at = store_col_null(st, col + 20) ? 0 : store_col_int(st, col + 20);
	rec->amends_id = store_col_null(st, col + 21) ? 0 : store_col_int(st, col + 21);
	rec->created_at = store_col_int(st, col + NCHAIN);
}

/* Appends the record to the chain (inside the caller's transaction; the
 * caller marks the record with its link, record_link_approved): the
 * link's hash covers the record's chain columns as row holds them (read
 * after its approval) and the hash of the link before. Integers enter as
 * their decimal text, so both backends encode a record alike. */
int chain_append(struct app_req *r, struct store *s, struct record_row *row)
{
	/* the head row serialises appenders (a row lock on PostgreSQL, the
	 * writer lock on SQLite) */
	struct store_stmt *st = store_prepare(s,
		"UPDATE chain_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash");
	if (!st)
		return STORE_ERROR;
	int rc = store_step(st);
	int64_t seq = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	const char *prev = rc == STORE_ROW ? arena_strdup(r->arena, store_col_text(st, 1)) : "";
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	char hash[CHAIN_HASH_HEX];
	int64_t id = row->rec.id;
	/* a link points at its predecessor: the first at nothing, every
	 * other at the head's hash, which the link before set */
	assert(id > 0 && seq > 0 && (seq == 1) == (prev[0] == 0));
	if (chain_link(prev, row->link, NCHAIN, hash) != 0)
		return STORE_ERROR;
	st = store_prepare(s,
		"INSERT INTO record_chain (seq, record_id, prev_hash, hash, created_at) VALUES ($1, $2, $3, $4, $5)");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, seq);
	store_bind_int(st, 2, id);
	store_bind_text(st, 3, prev);
	store_bind_text(st, 4, hash);
	store_bind_int(st, 5, app_now());
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	st = store_prepare(s, "UPDATE chain_head SET hash = $2 WHERE id = 1 AND seq = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, seq);
	store_bind_text(st, 2, hash);
	rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	row->rec.chain_seq = seq;
	row->rec.chain_hash = arena_strdup(r->arena, hash);
	return STORE_OK;
}

int records_chain_head(struct app_req *r, json_t **out)
{
	if (authz_check(r, AUTHZ_RECORDS_READ, NULL) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, "SELECT seq, hash FROM chain_head WHERE id = 1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*out = json_pack("{sI ss}", "seq", (json_int_t)store_col_int(st, 0), "hash", store_col_text(st, 1));
	store_done(st);
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc);
}

/* One stretch of the chain, checked on its own connection and thread. */
struct verify_part {
	struct app *app;
	int64_t lo, hi;          /* links lo..hi */
	int rc;                  /* STORE_OK or the store's error */
	int64_t fault_seq, fault_id;
	const char *fault;
	char last[CHAIN_HASH_HEX];   /* the stored hash of link hi */
};

static void *verify_part_run(void *arg)
{
	struct verify_part *v = arg;
	struct store *s = store_get(app_pool(v->app));
	struct store_stmt *st;
	char prev[CHAIN_HASH_HEX] = "", hash[CHAIN_HASH_HEX];
	v->rc = STORE_ERROR;
	if (!s)
		return NULL;
	if (v->lo > 1) {
		/* where the part before ends; that part checks this hash is right */
		if (!(st = store_prepare(s, "SELECT hash FROM record_chain WHERE seq = $1")))
			return NULL;
		store_bind_int(st, 1, v->lo - 1);
		if (store_step(st) == STORE_ROW)
			snprintf(prev, sizeof(prev), "%s", store_col_text(st, 0));
		store_done(st);
	}
	/* one pass over links and records together: a query per record
	 * would cost more than the hashing */
	st = store_prepare(s,
		"SELECT c.seq, c.record_id, c.prev_hash, c.hash, s.id, " CHAIN_COLUMNS_S
		" FROM record_chain c LEFT JOIN service_records s ON s.id = c.record_id"
		" WHERE c.seq BETWEEN $1 AND $2 ORDER BY c.seq");
	if (!st)
		return NULL;
	store_bind_int(st, 1, v->lo);
	store_bind_int(st, 2, v->hi);
	struct chain_field f[NCHAIN];
	char scratch[NCHAIN][STORE_INT_TEXT];
	for (size_t i = 0; i < NCHAIN; i++)
		f[i].name = chain_names[i];
	int64_t expect = v->lo;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t seq = store_col_int(st, 0);
		const char *fault = NULL;
		for (size_t i = 0; i < NCHAIN; i++)
			f[i].value = store_col_text_buf(st, 5 + (int)i, scratch[i], &f[i].len);
		if (seq != expect)
			fault = "a link is missing";
		else if (strcmp(store_col_text(st, 2), prev) != 0)
			fault = "the link does not follow the one before";
		else if (store_col_null(st, 4))
			fault = "the record is missing";
		else if (chain_link(prev, f, NCHAIN, hash) != 0 || strcmp(hash, store_col_text(st, 3)) != 0)
			fault = "the record was changed after approval";
		if (fault) {
			v->fault_seq = expect;
			v->fault_id = seq == expect ? store_col_int(st, 1) : 0;
			v->fault = fault;
			break;
		}
		size_t hl = store_col_len(st, 3);
		if (hl >= sizeof(prev))
			hl = sizeof(prev) - 1;   /* a longer stored hash failed above */
		memcpy(prev, store_col_text(st, 3), hl);
		prev[hl] = 0;
		expect++;
	}
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE) {
		v->rc = rc;
		return NULL;
	}
	if (!v->fault && expect != v->hi + 1) {
		v->fault_seq = expect;
		v->fault = "a link is missing";
	}
	snprintf(v->last, sizeof(v->last), "%s", prev);
	v->rc = STORE_OK;
	return NULL;
}

/* A part on a thread of its own, which gives its connection back. */
static void *verify_part_thread(void *arg)
{
	struct verify_part *v = arg;
	verify_part_run(v);
	app_return_store(v->app);
	return NULL;
}

int records_verify(struct app_req *r, int64_t *checked, int64_t *broken, char *why, size_t whylen)
{
	*checked = *broken = 0;
	why[0] = 0;
	struct store_stmt *st = store_prepare(r->store, "SELECT seq, hash FROM chain_head WHERE id = 1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	int rc = store_step(st);
	int64_t head = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	char head_hash[CHAIN_HASH_HEX] = "";
	if (rc == STORE_ROW)
		snprintf(head_hash, sizeof(head_hash), "%s", store_col_text(st, 1));
	store_done(st);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc == STORE_DONE ? STORE_ERROR : rc);

	/* Each link is checked against the stored hash of the one before, so
	 * stretches of the chain can be checked at once, a thread (and a
	 * connection) per core; together they check every link. Where
	 * connections are lent out (a server's pool), one part: the parts'
	 * threads would wait for connections this caller may be keeping. */
	enum { MAX_PARTS = 8 };
	struct verify_part parts[MAX_PARTS];
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int n = head < 2000 || store_pool_lends(app_pool(r->app)) ? 1
		: (int)(cores < 1 ? 1 : cores > MAX_PARTS ? MAX_PARTS : cores);
	pthread_t tid[MAX_PARTS];
	bool started[MAX_PARTS] = { false };
	for (int i = 0; i < n; i++) {
		parts[i] = (struct verify_part){ .app = r->app, .lo = 1 + head * i / n, .hi = head * (i + 1) / n };
		if (head == 0)
			parts[i].rc = STORE_OK;
		else if (i + 1 < n && pthread_create(&tid[i], NULL, verify_part_thread, &parts[i]) == 0)
			started[i] = true;
		else
			verify_part_run(&parts[i]);   /* the last part (or all) here */
	}
	for (int i = 0; i < n; i++)
		if (started[i])
			pthread_join(tid[i], NULL);
	for (int i = 0; i < n; i++) {
		if (parts[i].rc != STORE_OK)
			return app_store_fail(r, parts[i].rc);
		if (parts[i].fault) {
			*broken = parts[i].fault_seq;
			*checked = parts[i].fault_seq - 1;
			if (parts[i].fault_id)
				snprintf(why, whylen, "link %lld (record %lld): %s", (long long)parts[i].fault_seq,
					 (long long)parts[i].fault_id, parts[i].fault);
			else
				snprintf(why, whylen, "link %lld: %s", (long long)parts[i].fault_seq, parts[i].fault);
			return 0;
		}
	}
	*checked = head;
	/* the head must name the last link, and nothing may follow it: read
	 * together, so links approved meanwhile do not count as extra */
	st = store_prepare(r->store, "SELECT (SELECT max(seq) FROM record_chain), seq FROM chain_head WHERE id = 1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	rc = store_step(st);
	int64_t last = rc == STORE_ROW && !store_col_null(st, 0) ? store_col_int(st, 0) : 0;
	int64_t now_head = rc == STORE_ROW ? store_col_int(st, 1) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc == STORE_DONE ? STORE_ERROR : rc);
	if (strcmp(head_hash, n && head ? parts[n - 1].last : "") != 0 || last != now_head) {
		*broken = head + 1;
		snprintf(why, whylen, "the chain head (link %lld) does not match the last link", (long long)head);
	}
	return 0;
}
