/* A volunteer's archive (档案): effective approved minutes, totals, a page of
 * records with their amendments, training, stars and awards. */
#include "app/service/records.h"
#include "app/service/service_int.h"
#include "app/kernel/kernel.h"
#include "app/network/network.h"
#include "core/cursor.h"
#include "core/records.h"
#include "core/validate.h"
#include <time.h>
#include "util/arena.h"
#include <assert.h>
#include "util/jsonw.h"
#include "core/chinatime.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Adds minutes to the entry of key in a {key: minutes} object. */
static void tally(json_t *o, const char *key, int64_t minutes)
{
	json_t *v = json_object_get(o, key);
	json_object_set_new(o, key, json_integer((v ? json_integer_value(v) : 0) + minutes));
}

/* {key: minutes} as [{key_name: key, "minutes": …}]; numeric keys (ids,
 * years) come out as numbers. */
static json_t *tally_list(json_t *o, const char *key_name, bool numeric)
{
	json_t *a = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
		json_array_append_new(a, json_pack("{so sO}", key_name,
			numeric ? json_integer(strtoll(k, NULL, 10)) : json_string(k), "minutes", v));
	return a;
}

/* Filled by setup/start.c wire() before any request; read-only after. */
static service_archive_section sections[4];
static size_t nsections;

void service_archive_section_add(service_archive_section section)
{
	assert(section);
	for (size_t i = 0; i < nsections; i++)
		if (sections[i] == section)
			return;
	assert(nsections < sizeof(sections) / sizeof(sections[0]));
	sections[nsections++] = section;
}

int records_archive_access(struct app_req *r, int64_t volunteer_id, json_t **file)
{
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	if (volunteers_get_unchecked(r, volunteer_id, file) != 0)
		return -1;
	/* the person sees their own file; staff those in their scope */
	struct store_stmt *st = store_prepare(r->store,
		"SELECT v.user_id, o.path FROM volunteers v JOIN orgs o ON o.id = v.home_org_id WHERE v.id = $1");
	if (!st) {
		json_decref(*file);
		return app_store_fail(r, STORE_ERROR);
	}
	store_bind_int(st, 1, volunteer_id);
	bool own = false;
	const char *path = "";
	if (store_step(st) == STORE_ROW) {
		own = !store_col_null(st, 0) && store_col_int(st, 0) == r->who->user_id;
		path = arena_strdup(r->arena, store_col_text(st, 1));
	}
	store_done(st);
	if (!own && authz_check(r, AUTHZ_VOLUNTEERS_READ, path) != 0) {
		json_decref(*file);
		*file = NULL;
		return -1;
	}
	return 0;
}

/* The totals from the kept sums (volunteer_totals): a few rows however
 * many records the file holds. STORE_DONE when read. */
static int archive_totals(struct app_req *r, int64_t volunteer_id, json_t *by_year, json_t *by_cat, json_t *by_org,
			  json_t *evaluations, int64_t *total)
{
	int64_t per_quality[4] = { 0 };
	struct store_stmt *st = store_prepare(r->store,
		"SELECT year, service_category, org_id, quality, records, minutes FROM volunteer_totals"
		" WHERE volunteer_id = $1 ORDER BY year, service_category, org_id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, volunteer_id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t minutes = store_col_int(st, 5);
		const char *cat = store_col_text(st, 1);
		char num[24];
		*total += minutes;
		snprintf(num, sizeof(num), "%lld", (long long)store_col_int(st, 0));
		tally(by_year, num, minutes);
		tally(by_cat, *cat ? cat : "未分类", minutes);
		snprintf(num, sizeof(num), "%lld", (long long)store_col_int(st, 2));
		tally(by_org, num, minutes);
		for (int q = 0; q < 4; q++)
			if (strcmp(store_col_text(st, 3), record_qualities[q]) == 0)
				per_quality[q] += store_col_int(st, 4);
	}
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	for (int q = 0; q < 4; q++)
		if (per_quality[q])
			json_array_append_new(evaluations, json_pack("{ss sI}", "quality", record_qualities[q],
								     "records", (json_int_t)per_quality[q]));
	return STORE_DONE;
}

/* The amendments of originals lo..hi, in id order, as lists by their
 * original's id (amendments) and the minutes of the latest approved one
 * (amended). STORE_DONE when read. */
static int archive_amendments(struct app_req *r, int64_t volunteer_id, json_t *file, int64_t lo, int64_t hi,
			      json_t *amendments, json_t *amended)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT " REC_COLUMNS_FILE ", a.service_category" REC_FROM_FILE
		" WHERE s.volunteer_id = $1 AND s.amends_id BETWEEN $2 AND $3 ORDER BY s.id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, volunteer_id);
	store_bind_int(st, 2, lo);
	store_bind_int(st, 3, hi);
	store_bind_text(st, 4, json_string_value(json_object_get(file, "volunteer_number")));
	store_bind_text(st, 5, json_string_value(json_object_get(file, "name")));
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		char key[24];
		snprintf(key, sizeof(key), "%lld", (long long)store_col_int(st, 25));
		json_t *rec = record_json(r, st);
		json_object_set_new(rec, "service_category", store_col_null(st, 32) ? json_null()
				    : json_string(store_col_text(st, 32)));
		json_object_set_new(rec, "effective_minutes", json_integer(0));
		json_t *list = json_object_get(amendments, key);
		if (!list) {
			list = json_array();
			json_object_set_new(amendments, key, list);
		}
		json_array_append_new(list, rec);
		if (strcmp(store_col_text(st, 21), "approved") == 0)
			json_object_set_new(amended, key, json_integer(store_col_int(st, 9)));
	}
	store_done(st);
	return rc;
}

/* The trainings the volunteer attended, oldest first. STORE_DONE when read. */
static int archive_training(struct app_req *r, int64_t volunteer_id, json_t *training)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT t.id, t.name, t.content, t.study_minutes, t.held_on, o.name FROM training_attendance x"
		" JOIN trainings t ON t.id = x.training_id JOIN orgs o ON o.id = t.org_id"
		" WHERE x.volunteer_id = $1 ORDER BY t.held_on, t.id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, volunteer_id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(training, json_pack("{sI ss ss sI ss ss}",
			"id", (json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1),
			"content", store_col_text(st, 2), "study_minutes", (json_int_t)store_col_int(st, 3),
			"held_on", store_col_text(st, 4), "organiser", store_col_text(st, 5)));
	store_done(st);
	return rc;
}

int records_archive_write(struct app_req *r, int64_t volunteer_id, const char *limit_s, const char *cursor,
			  struct buf *out)
{
	json_t *file;
	struct store_stmt *st;
	int limit, rc;
	int64_t before;
	if (app_limit(r, limit_s, &limit) != 0 || app_cursor(r, cursor, &before) != 0)
		return -1;
	if (records_archive_access(r, volunteer_id, &file) != 0)
		return -1;
	json_t *by_year = json_object(), *by_cat = json_object(), *by_org = json_object();
	json_t *evaluations = json_array(), *amendments = json_object(), *amended = json_object();
	json_t *training = json_array();
	int64_t total = 0, hi = 0, lo = 0;
	int shown = 0;
	bool more = false;
	struct jsonw w;
	jsonw_init(&w, out);

	if ((rc = archive_totals(r, volunteer_id, by_year, by_cat, by_org, evaluations, &total)) != STORE_DONE)
		goto done;

	/* the page: originals newest first */
	st = store_prepare(r->store,
		"SELECT id FROM service_records WHERE volunteer_id = $1 AND amends_id IS NULL AND id < $2"
		" ORDER BY id DESC LIMIT $3");
	if (!st) {
		rc = STORE_ERROR;
		goto done;
	}
	store_bind_int(st, 1, volunteer_id);
	store_bind_int(st, 2, before ? before : INT64_MAX);
	store_bind_int(st, 3, limit + 1);
	while ((rc = store_step(st)) == STORE_ROW) {
		if (shown == limit) {
			more = true;
			continue;
		}
		if (!hi)
			hi = store_col_int(st, 0);
		lo = store_col_int(st, 0);
		shown++;
	}
	store_done(st);
	if (rc != STORE_DONE)
		goto done;

	/* their amendments, in id order: the latest approved one is what
	 * its original counts */
	if (shown && (rc = archive_amendments(r, volunteer_id, file, lo, hi, amendments, amended)) != STORE_DONE)
		goto done;

	if ((rc = archive_training(r, volunteer_id, training)) != STORE_DONE)
		goto done;

	jsonw_object(&w);
	jsonw_key(&w, "volunteer");
	jsonw_json(&w, file);
	jsonw_key(&w, "approved_minutes");
	jsonw_int(&w, total);
	json_t *lists[] = { tally_list(by_year, "year", true), tally_list(by_cat, "service_category", false),
			    tally_list(by_org, "org_id", true) };
	static const char *const list_names[] = { "by_year", "by_service_category", "by_org" };
	for (int i = 0; i < 3; i++) {
		jsonw_key(&w, list_names[i]);
		jsonw_json(&w, lists[i]);
		json_decref(lists[i]);
	}
	/* the page's documents are written as they are read: building a tree
	 * of 50 records cost more than everything else in this answer */
	jsonw_key(&w, "records");
	jsonw_array(&w);
	if (shown) {
		st = store_prepare(r->store, "SELECT " REC_COLUMNS_FILE ", a.service_category" REC_FROM_FILE
				   " WHERE s.volunteer_id = $1 AND s.amends_id IS NULL AND s.id BETWEEN $2 AND $3"
				   " ORDER BY s.id DESC");
		if (!st) {
			rc = STORE_ERROR;
			goto done;
		}
		store_bind_int(st, 1, volunteer_id);
		store_bind_int(st, 2, lo);
		store_bind_int(st, 3, hi);
		store_bind_text(st, 4, json_string_value(json_object_get(file, "volunteer_number")));
		store_bind_text(st, 5, json_string_value(json_object_get(file, "name")));
		while ((rc = store_step(st)) == STORE_ROW) {
			char key[24];
			snprintf(key, sizeof(key), "%lld", (long long)store_col_int(st, 0));
			json_t *latest = json_object_get(amended, key), *list = json_object_get(amendments, key);
			bool approved = strcmp(store_col_text(st, 21), "approved") == 0;
			jsonw_object(&w);
			record_members(&w, r, st);
			jsonw_key(&w, "service_category");
			jsonw_str(&w, store_col_null(st, 32) ? NULL : store_col_text(st, 32));
			jsonw_key(&w, "effective_minutes");
			jsonw_int(&w, !approved ? 0 : latest ? json_integer_value(latest) : store_col_int(st, 9));
			jsonw_key(&w, "amendments");
			if (list)
				jsonw_json(&w, list);
			else {
				jsonw_array(&w);
				jsonw_end(&w, ']');
			}
			jsonw_end(&w, '}');
		}
		store_done(st);
		if (rc != STORE_DONE)
			goto done;
	}
	jsonw_end(&w, ']');
	jsonw_key(&w, "next_cursor");
	if (more) {
		char c[24];
		cursor_encode(lo, c, sizeof(c));
		jsonw_str(&w, c);
	} else {
		jsonw_null(&w);
	}
	jsonw_key(&w, "training");
	jsonw_json(&w, training);
	jsonw_key(&w, "evaluations");
	jsonw_json(&w, evaluations);
	/* what higher domains keep of the person (stars, awards) */
	for (size_t i = 0; i < nsections; i++)
		if ((rc = sections[i](r, volunteer_id, &w)) != STORE_OK)
			goto done;
	jsonw_end(&w, '}');
	rc = jsonw_finish(&w) == 0 ? STORE_DONE : STORE_ERROR;
done:
	json_decref(file);
	json_decref(by_year);
	json_decref(by_cat);
	json_decref(by_org);
	json_decref(evaluations);
	json_decref(amendments);
	json_decref(amended);
	json_decref(training);
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

int records_archive_rows(struct app_req *r, int64_t volunteer_id, archive_row_fn row, void *ctx)
{
	json_t *file;
	if (records_archive_access(r, volunteer_id, &file) != 0)
		return -1;
	/* one pass in the archive's order; an original counts what its latest
	 * approved amendment says (or its own minutes), only when approved;
	 * an amendment counts nothing of its own */
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " REC_COLUMNS_FILE ", CASE WHEN s.amends_id IS NOT NULL OR s.status <> 'approved' THEN 0"
		" ELSE COALESCE((SELECT x.minutes FROM service_records x WHERE x.amends_id = s.id AND x.status = 'approved'"
		" ORDER BY x.id DESC LIMIT 1), s.minutes) END" REC_FROM_FILE
		" WHERE s.volunteer_id = $1 AND COALESCE(s.amends_id, s.id) BETWEEN $2 AND $3"
		" ORDER BY COALESCE(s.amends_id, s.id) DESC,"
		" CASE WHEN s.amends_id IS NULL THEN 0 ELSE 1 END, s.id");
	if (!st) {
		json_decref(file);
		return app_store_fail(r, STORE_ERROR);
	}
	store_bind_int(st, 1, volunteer_id);
	store_bind_int(st, 2, 0);
	store_bind_int(st, 3, INT64_MAX);
	store_bind_text(st, 4, json_string_value(json_object_get(file, "volunteer_number")));
	store_bind_text(st, 5, json_string_value(json_object_get(file, "name")));
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		row(ctx, r, st, store_col_int(st, 32));
	store_done(st);
	json_decref(file);
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}
