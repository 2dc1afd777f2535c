/* Star levels (see stars.h). */
#include "app/bank/stars.h"
#include "app/kernel/kernel.h"
#include "app/network/network.h"
#include "core/cursor.h"
#include "core/points.h"
#include "util/arena.h"
#include "util/jsonw.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const grades[] = { "fail", "pass", "good", "excellent" };   /* by rank */

static int rank_of(const char *quality)
{
	for (int i = 0; i < 4; i++)
		if (quality && strcmp(quality, grades[i]) == 0)
			return i;
	return -1;
}

struct star_cfg {
	char preset[16];
	int64_t hours[STAR_LEVELS];
	int min_rank;            /* -1: every approved minute counts */
};

static int cfg_load(struct store *s, struct star_cfg *c)
{
	struct store_stmt *st = store_prepare(s, "SELECT preset, hours, min_quality FROM star_thresholds WHERE id = 1");
	if (!st)
		return STORE_ERROR;
	*c = (struct star_cfg){ .min_rank = -1 };
	stars_preset("national", c->hours);
	snprintf(c->preset, sizeof(c->preset), "national");
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		snprintf(c->preset, sizeof(c->preset), "%s", store_col_text(st, 0));
		json_t *h = json_loads(store_col_text(st, 1), 0, NULL);
		int64_t v[STAR_LEVELS];
		bool ok = json_is_array(h) && json_array_size(h) == STAR_LEVELS;
		for (int i = 0; ok && i < STAR_LEVELS; i++)
			v[i] = json_integer_value(json_array_get(h, (size_t)i));
		if (ok && stars_valid(v))
			memcpy(c->hours, v, sizeof(v));
		json_decref(h);
		c->min_rank = store_col_null(st, 2) ? -1 : rank_of(store_col_text(st, 2));
	}
	store_done(st);
	return rc == STORE_ROW || rc == STORE_DONE ? STORE_OK : rc;
}

/* Moves a volunteer from level `from` to `to`, dating new levels `at`. */
static int set_level(struct store *s, int64_t volunteer, int from, int to, int64_t at)
{
	if (from == to)
		return STORE_OK;
	struct store_stmt *st;
	int rc;
	if (to > from) {
		for (int l = from + 1; l <= to; l++) {
			st = store_prepare(s,
				"INSERT INTO volunteer_stars (volunteer_id, level, reached_at) VALUES ($1, $2, $3)"
				" ON CONFLICT (volunteer_id, level) DO NOTHING");
			if (!st)
				return STORE_ERROR;
			store_bind_int(st, 1, volunteer);
			store_bind_int(st, 2, l);
			store_bind_int(st, 3, at);
			rc = store_step(st);
			store_done(st);
			if (rc != STORE_DONE)
				return rc;
		}
	} else {
		/* a correction took hours away: the level is lost, and its date */
		st = store_prepare(s, "DELETE FROM volunteer_stars WHERE volunteer_id = $1 AND level > $2");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, volunteer);
		store_bind_int(st, 2, to);
		rc = store_step(st);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return volunteers_star_level_set(s, volunteer, to);
}

int stars_on_approved(struct app_req *r, struct store *s, const struct service_record *rec)
{
	struct star_cfg c;
	int rc = cfg_load(s, &c);
	if (rc != STORE_OK)
		return rc;
	int64_t vol = rec->volunteer_id, at = rec->decided_at ? rec->decided_at : rec->created_at;
	struct store_stmt *st = store_prepare(s, "SELECT star_level FROM volunteers WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, vol);
	rc = store_step(st);
	int level = rc == STORE_ROW ? (int)store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_ERROR : rc;
	/* the kept totals already include this record */
	st = store_prepare(s, "SELECT quality, SUM(minutes) FROM volunteer_totals WHERE volunteer_id = $1 GROUP BY quality");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, vol);
	int64_t minutes = 0;
	while ((rc = store_step(st)) == STORE_ROW)
		if (rank_of(store_col_text(st, 0)) >= c.min_rank)
			minutes += store_col_int(st, 1);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	return set_level(s, vol, level, stars_level(minutes, c.hours), at);
}

/* One original record of a volunteer during the replay. */
struct orig {
	int64_t id, minutes;
	int rank;
};

int stars_rebuild(struct store *s)
{
	struct star_cfg c;
	int rc = cfg_load(s, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = store_exec(s, "DELETE FROM volunteer_stars")) != STORE_OK ||
	    (rc = volunteers_star_levels_clear(s)) != STORE_OK)
		return rc;
	/* every approval in the order it was decided; an amendment counts with
	 * its original's grade, as in the totals */
	struct store_stmt *st = store_prepare(s,
		"SELECT r.volunteer_id, r.id, r.amends_id, r.minutes, COALESCE(o.quality, r.quality),"
		" COALESCE(r.decided_at, r.created_at) FROM service_records r"
		" LEFT JOIN service_records o ON o.id = r.amends_id WHERE r.status = 'approved'"
		" ORDER BY r.volunteer_id, COALESCE(r.decided_at, r.created_at), r.id");
	if (!st)
		return STORE_ERROR;
	/* levels are written after the scan: a statement stays open meanwhile */
	struct change {
		int64_t volunteer, at;
		int from, to;
	} *changes = NULL;
	size_t nchanges = 0, capchanges = 0, norig = 0, caporig = 0;
	struct orig *origs = NULL;
	int64_t cur = 0, total = 0;
	int level = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t vol = store_col_int(st, 0), id = store_col_int(st, 1), at = store_col_int(st, 5);
		int64_t amends = store_col_null(st, 2) ? 0 : store_col_int(st, 2), minutes = store_col_int(st, 3);
		int rank = rank_of(store_col_text(st, 4));
		if (vol != cur) {
			cur = vol;
			total = 0;
			level = 0;
			norig = 0;
		}
		if (!amends) {
			if (norig == caporig) {
				caporig = caporig ? 2 * caporig : 64;
				if (!(origs = realloc(origs, caporig * sizeof(*origs))))
					abort();
			}
			origs[norig++] = (struct orig){ id, minutes, rank };
			if (rank >= c.min_rank)
				total += minutes;
		} else {
			for (size_t i = 0; i < norig; i++)
				if (origs[i].id == amends) {
					if (origs[i].rank >= c.min_rank)
						total += minutes - origs[i].minutes;
					origs[i].minutes = minutes;
					break;
				}
		}
		int now = stars_level(total, c.hours);
		if (now != level) {
			if (nchanges == capchanges) {
				capchanges = capchanges ? 2 * capchanges : 256;
				if (!(changes = realloc(changes, capchanges * sizeof(*changes))))
					abort();
			}
			changes[nchanges++] = (struct change){ vol, at, level, now };
			level = now;
		}
	}
	store_done(st);
	free(origs);
	for (size_t i = 0; rc == STORE_DONE && i < nchanges; i++) {
		int r2 = set_level(s, changes[i].volunteer, changes[i].from, changes[i].to, changes[i].at);
		if (r2 != STORE_OK)
			rc = r2;
	}
	free(changes);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* ---- configuration ---- */

static json_t *hours_json(const int64_t h[STAR_LEVELS])
{
	json_t *a = json_array();
	for (int i = 0; i < STAR_LEVELS; i++)
		json_array_append_new(a, json_integer(h[i]));
	return a;
}

int stars_config_get(struct app_req *r, json_t **out)
{
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	struct star_cfg c;
	int rc = cfg_load(r->store, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	int64_t nat[STAR_LEVELS], bj[STAR_LEVELS];
	stars_preset("national", nat);
	stars_preset("beijing", bj);
	*out = json_pack("{ss so so s{so so}}", "preset", c.preset, "thresholds_hours", hours_json(c.hours),
			 "min_quality", c.min_rank < 0 ? json_null() : json_string(grades[c.min_rank]),
			 "presets", "national", hours_json(nat), "beijing", hours_json(bj));
	return 0;
}

struct cfg_ctx {
	struct app_req *r;
	const char *preset, *hours, *min_quality;
};

static int cfg_tx(struct store *s, void *vctx)
{
	struct cfg_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"UPDATE star_thresholds SET preset = $1, hours = $2, min_quality = $3, updated_by = $4, updated_at = $5"
		" WHERE id = 1");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->preset);
	store_bind_text(st, 2, c->hours);
	store_bind_text(st, 3, c->min_quality);
	store_bind_int(st, 4, c->r->who->user_id);
	store_bind_int(st, 5, app_now());
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	if ((rc = stars_rebuild(s)) != STORE_OK)
		return rc;
	char detail[160];
	snprintf(detail, sizeof(detail), "{\"preset\":\"%s\",\"hours\":%s}", c->preset, c->hours);
	return audit_write_text(c->r, s, "stars.thresholds", "star_thresholds", 1, c->r->who->org_id,
				c->r->who->org_path, detail);
}

int stars_config_set(struct app_req *r, json_t *in, json_t **out)
{
	if (authz_check(r, AUTHZ_STARS_WRITE, NULL) != 0)
		return -1;
	struct cfg_ctx c = { .r = r };
	json_t *p = json_object_get(in, "preset");
	if (!p || json_is_null(p))
		return app_fail(r, APP_EINVALID, "required", "preset");
	if (!json_is_string(p))
		return app_fail(r, APP_EBADREQ, "wrong_type", "preset");
	c.preset = json_string_value(p);
	int64_t h[STAR_LEVELS];
	json_t *hs = json_object_get(in, "thresholds_hours");
	if (strcmp(c.preset, "custom") == 0) {
		if (!hs || json_is_null(hs))
			return app_fail(r, APP_EINVALID, "required", "thresholds_hours");
		if (!json_is_array(hs))
			return app_fail(r, APP_EBADREQ, "wrong_type", "thresholds_hours");
		if (json_array_size(hs) != STAR_LEVELS)
			return app_fail(r, APP_EINVALID, "invalid_value", "thresholds_hours");
		for (int i = 0; i < STAR_LEVELS; i++) {
			json_t *x = json_array_get(hs, (size_t)i);
			if (!json_is_integer(x))
				return app_fail(r, APP_EBADREQ, "wrong_type", "thresholds_hours");
			h[i] = json_integer_value(x);
		}
		if (!stars_valid(h))
			return app_fail(r, APP_EINVALID, "thresholds_not_ascending", "thresholds_hours");
	} else if (stars_preset(c.preset, h) != 0) {
		return app_fail(r, APP_EINVALID, "invalid_value", "preset");
	} else if (hs && !json_is_null(hs)) {
		return app_fail(r, APP_EINVALID, "preset_has_thresholds", "thresholds_hours");
	}
	json_t *mq = json_object_get(in, "min_quality");
	if (mq && !json_is_null(mq)) {
		if (!json_is_string(mq))
			return app_fail(r, APP_EBADREQ, "wrong_type", "min_quality");
		if (rank_of(json_string_value(mq)) < 1)   /* "fail" as a minimum means none */
			return app_fail(r, APP_EINVALID, "invalid_quality", "min_quality");
		c.min_quality = json_string_value(mq);
	}
	json_t *hj = hours_json(h);
	char *text = json_dumps(hj, JSON_COMPACT);
	json_decref(hj);
	c.hours = arena_strdup(r->arena, text);
	free(text);
	int rc = store_tx(r->store, cfg_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return stars_config_get(r, out);
}

/* ---- reading ---- */

int stars_archive_section(struct app_req *r, int64_t volunteer_id, struct jsonw *w)
{
	int level = 0;
	json_t *stars = NULL;
	int rc = stars_of(r, volunteer_id, &level, &stars);
	if (rc != STORE_OK)
		return rc;
	jsonw_key(w, "star_level");
	jsonw_int(w, level);
	jsonw_key(w, "stars");
	jsonw_json(w, stars);
	json_decref(stars);
	return STORE_OK;
}

int stars_of(struct app_req *r, int64_t volunteer_id, int *level, json_t **stars)
{
	*level = 0;
	*stars = json_array();
	struct store_stmt *st = store_prepare(r->store,
		"SELECT level, reached_at FROM volunteer_stars WHERE volunteer_id = $1 ORDER BY level");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, volunteer_id);
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		*level = (int)store_col_int(st, 0);
		json_array_append_new(*stars, json_pack("{si ss}", "level", *level,
							"reached_at", app_iso(r, store_col_int(st, 1))));
	}
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

static json_t *roster_json(struct app_req *r, struct store_stmt *st)
{
	return json_pack("{sI ss ss si sI ss so}",
		"volunteer_id", (json_int_t)store_col_int(st, 0),
		"volunteer_number", store_col_text(st, 1),
		"name", store_col_text(st, 2),
		"star_level", (int)store_col_int(st, 3),
		"home_org_id", (json_int_t)store_col_int(st, 4),
		"home_org_name", store_col_text(st, 5),
		"reached_at", store_col_null(st, 6) ? json_null() : json_string(app_iso(r, store_col_int(st, 6))));
}

int stars_roster(struct app_req *r, int64_t org_id, const char *level_s, const char *limit_s, const char *cursor,
		 json_t **out)
{
	int limit;
	int64_t before, min_level = 1;
	if (app_limit(r, limit_s, &limit) != 0 || app_cursor(r, cursor, &before) != 0)
		return -1;
	if (level_s && (parse_id(level_s, &min_level) != 0 || min_level > STAR_LEVELS))
		return app_fail(r, APP_EBADREQ, "invalid_value", "level");
	const char *path;
	int rc = org_lookup(r, org_id, &path, NULL);
	if (rc == STORE_DONE)
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	if (authz_check(r, AUTHZ_VOLUNTEERS_READ, path) != 0)
		return -1;
	const char *like = arena_printf(r->arena, "%s%%", path);
	struct store_stmt *st = store_prepare(r->store,
		"SELECT v.star_level, count(*) FROM volunteers v JOIN orgs o ON o.id = v.home_org_id"
		" WHERE v.star_level >= 1 AND o.path LIKE $1 GROUP BY v.star_level ORDER BY v.star_level");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, like);
	json_t *counts = json_object();
	for (int l = 1; l <= STAR_LEVELS; l++) {
		char k[4];
		snprintf(k, sizeof(k), "%d", l);
		json_object_set_new(counts, k, json_integer(0));
	}
	while ((rc = store_step(st)) == STORE_ROW) {
		char k[24];
		snprintf(k, sizeof(k), "%lld", (long long)store_col_int(st, 0));
		json_object_set_new(counts, k, json_integer(store_col_int(st, 1)));
	}
	store_done(st);
	if (rc != STORE_DONE) {
		json_decref(counts);
		return app_store_fail(r, rc);
	}
	st = store_prepare(r->store,
		"SELECT v.id, v.volunteer_number, v.name, v.star_level, v.home_org_id, o.name, s.reached_at"
		" FROM volunteers v JOIN orgs o ON o.id = v.home_org_id"
		" LEFT JOIN volunteer_stars s ON s.volunteer_id = v.id AND s.level = v.star_level"
		" WHERE v.star_level >= $2 AND o.path LIKE $1 AND ($3 = 0 OR v.id < $3) ORDER BY v.id DESC LIMIT $4");
	if (!st) {
		json_decref(counts);
		return app_store_fail(r, STORE_ERROR);
	}
	store_bind_text(st, 1, like);
	store_bind_int(st, 2, min_level);
	store_bind_int(st, 3, before);
	store_bind_int(st, 4, limit + 1);
	json_t *page = NULL;
	if (app_page(r, st, limit, roster_json, &page) != 0) {
		json_decref(counts);
		return -1;
	}
	json_object_set_new(page, "counts", counts);
	json_object_set_new(page, "org_id", json_integer(org_id));
	*out = page;
	return 0;
}
