/* Reading the menu: one item, the staff tree (retired items included),
 * the public tree (active items under active parents, with the active
 * hotlines), the hotlines, and menu_subitem_read for orders and
 * dispatch. catalog.c writes these tables; nothing here writes. */
#include "app/menu/catalog.h"
#include "app/menu/catalog_int.h"
#include "app/menu/menu.h"
#include "util/arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEM_COLUMNS "i.id, i.parent_id, i.level, i.position, i.name, i.description, i.skills, i.certificates," \
	" i.regions, i.vulnerable_groups, i.duration_minutes, i.weekdays, i.day_from, i.day_to," \
	" i.needs_social_worker, i.status, i.retired_at, i.created_at, i.updated_at"
enum {
	I_ID, I_PARENT, I_LEVEL, I_POSITION, I_NAME, I_DESCRIPTION, I_SKILLS, I_CERTS, I_REGIONS, I_GROUPS,
	I_DURATION, I_WEEKDAYS, I_FROM, I_TO, I_SW, I_STATUS, I_RETIRED, I_CREATED, I_UPDATED,
};

/* A stored JSON array of strings (an empty array when it does not parse:
 * only catalog.c writes these columns, from in_tags). */
static json_t *tags_json(const char *text)
{
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;
	if (!json_is_array(v)) {
		json_decref(v);
		v = json_array();
	}
	return v;
}

static json_t *item_json(struct app_req *r, struct store_stmt *st)
{
	json_t *o = json_pack("{sI so sI sI ss ss so so so so so sI sI sI sb ss so ss ss}",
		"id", (json_int_t)store_col_int(st, I_ID), "parent_id", col_id_json(st, I_PARENT),
		"level", (json_int_t)store_col_int(st, I_LEVEL), "position", (json_int_t)store_col_int(st, I_POSITION),
		"name", store_col_text(st, I_NAME), "description", store_col_text(st, I_DESCRIPTION),
		"skills", tags_json(store_col_text(st, I_SKILLS)),
		"certificates", tags_json(store_col_text(st, I_CERTS)),
		"regions", tags_json(store_col_text(st, I_REGIONS)),
		"vulnerable_groups", tags_json(store_col_text(st, I_GROUPS)),
		"duration_minutes", col_id_json(st, I_DURATION),
		"weekdays", (json_int_t)store_col_int(st, I_WEEKDAYS), "day_from", (json_int_t)store_col_int(st, I_FROM),
		"day_to", (json_int_t)store_col_int(st, I_TO), "needs_social_worker", store_col_int(st, I_SW) != 0,
		"status", store_col_text(st, I_STATUS),
		"retired_at", store_col_null(st, I_RETIRED) ? json_null() : json_string(app_iso(r, store_col_int(st, I_RETIRED))),
		"created_at", app_iso(r, store_col_int(st, I_CREATED)),
		"updated_at", app_iso(r, store_col_int(st, I_UPDATED)));
	json_object_set_new(o, "providers", json_array());
	return o;
}

static const char *id_key(char *buf, size_t n, int64_t id)
{
	snprintf(buf, n, "%lld", (long long)id);
	return buf;
}

/* Adds each provider to the "providers" array of its item in byid (items
 * not in byid are skipped). */
static int attach_providers(struct app_req *r, json_t *byid, int64_t only)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT p.item_id, o.id, o.name, o.kind FROM menu_item_providers p JOIN orgs o ON o.id = p.org_id"
		" WHERE CAST($1 AS BIGINT) = 0 OR p.item_id = $1 ORDER BY p.item_id, o.id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, only);
	int rc;
	char key[24];
	while ((rc = store_step(st)) == STORE_ROW) {
		json_t *item = json_object_get(byid, id_key(key, sizeof key, store_col_int(st, 0)));
		if (item)
			json_array_append_new(json_object_get(item, "providers"),
				json_pack("{sI ss ss}", "id", (json_int_t)store_col_int(st, 1),
					  "name", store_col_text(st, 2), "kind", store_col_text(st, 3)));
	}
	store_done(st);
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

int catalog_item_get(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 ||
	    app_load_row(r, "SELECT " ITEM_COLUMNS " FROM menu_items i WHERE i.id = $1", id, -1, 0, &st) != 0)
		return -1;
	json_t *o = item_json(r, st);
	store_done(st);
	json_t *byid = json_object();
	char key[24];
	json_object_set(byid, id_key(key, sizeof key, id), o);
	int rc = attach_providers(r, byid, id);
	json_decref(byid);
	/* what orders see of it (menu_subitem_read, the one reading they
	 * use): whether residents can order it now, and where it sits */
	struct menu_subitem si;
	int src = rc == 0 ? menu_subitem_read(r, r->store, id, &si) : STORE_ERROR;
	if (rc != 0 || src != STORE_ROW) {
		json_decref(o);
		return rc != 0 ? -1 : app_store_fail(r, src == STORE_DONE ? STORE_ERROR : src);
	}
	json_object_set_new(o, "orderable", json_boolean(si.level == 3 && si.active && si.nproviders > 0));
	json_object_set_new(o, "category_name", json_string(si.category_name));
	json_object_set_new(o, "item_name", json_string(si.item_name));
	*out = o;
	return 0;
}

/* The tree of items (active_only: active items under active parents) as
 * a JSON array of categories, each with "children". Items come ordered
 * by level, so a parent is placed before its children. */
static int tree_build(struct app_req *r, bool active_only, json_t **out)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " ITEM_COLUMNS " FROM menu_items i WHERE CAST($1 AS BIGINT) = 0 OR i.status = 'active'"
		" ORDER BY i.level, i.position, i.id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, active_only);
	json_t *roots = json_array(), *byid = json_object();
	int rc;
	char key[24];
	while ((rc = store_step(st)) == STORE_ROW) {
		json_t *parent = NULL;
		if (!store_col_null(st, I_PARENT)) {
			parent = json_object_get(byid, id_key(key, sizeof key, store_col_int(st, I_PARENT)));
			if (!parent)
				continue;   /* under a retired item (public tree) */
		}
		json_t *o = item_json(r, st);
		if (store_col_int(st, I_LEVEL) < 3)
			json_object_set_new(o, "children", json_array());
		json_object_set(byid, id_key(key, sizeof key, store_col_int(st, I_ID)), o);
		json_array_append_new(parent ? json_object_get(parent, "children") : roots, o);
	}
	store_done(st);
	if (rc != STORE_DONE || attach_providers(r, byid, 0) != 0) {
		if (rc != STORE_DONE)
			app_store_fail(r, rc);
		json_decref(byid);
		json_decref(roots);
		return -1;
	}
	json_decref(byid);
	*out = roots;
	return 0;
}

int catalog_tree(struct app_req *r, json_t **out)
{
	json_t *items;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 || tree_build(r, false, &items) != 0)
		return -1;
	*out = json_pack("{so}", "items", items);
	return 0;
}

/* ---- hotlines ---- */

#define HOTLINE_COLUMNS "h.id, h.number, h.name, h.org_id, o.name, h.weekdays, h.day_from, h.day_to, h.status"

static json_t *hotline_json(struct app_req *r, struct store_stmt *st)
{
	(void)r;
	return json_pack("{sI ss ss sI ss sI sI sI ss s[]}", "id", (json_int_t)store_col_int(st, 0),
		"number", store_col_text(st, 1), "name", store_col_text(st, 2),
		"org_id", (json_int_t)store_col_int(st, 3), "org_name", store_col_text(st, 4),
		"weekdays", (json_int_t)store_col_int(st, 5), "day_from", (json_int_t)store_col_int(st, 6),
		"day_to", (json_int_t)store_col_int(st, 7), "status", store_col_text(st, 8), "item_ids");
}

/* The hotlines (active_only or all; only: one of them) with their item
 * ids, as a JSON array. */
static int hotlines_read(struct app_req *r, bool active_only, int64_t only, json_t **out)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " HOTLINE_COLUMNS " FROM menu_hotlines h JOIN orgs o ON o.id = h.org_id"
		" WHERE (CAST($1 AS BIGINT) = 0 OR h.status = 'active') AND (CAST($2 AS BIGINT) = 0 OR h.id = $2)"
		" ORDER BY h.id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, active_only);
	store_bind_int(st, 2, only);
	json_t *list = json_array(), *byid = json_object();
	int rc;
	char key[24];
	while ((rc = store_step(st)) == STORE_ROW) {
		json_t *o = hotline_json(r, st);
		json_object_set(byid, id_key(key, sizeof key, store_col_int(st, 0)), o);
		json_array_append_new(list, o);
	}
	store_done(st);
	if (rc == STORE_DONE) {
		st = store_prepare(r->store, "SELECT hotline_id, item_id FROM menu_hotline_items"
					     " WHERE CAST($1 AS BIGINT) = 0 OR hotline_id = $1 ORDER BY hotline_id, item_id");
		if (!st)
			rc = STORE_ERROR;
		else {
			store_bind_int(st, 1, only);
			while ((rc = store_step(st)) == STORE_ROW) {
				json_t *h = json_object_get(byid, id_key(key, sizeof key, store_col_int(st, 0)));
				if (h)
					json_array_append_new(json_object_get(h, "item_ids"),
							      json_integer(store_col_int(st, 1)));
			}
			store_done(st);
		}
	}
	json_decref(byid);
	if (rc != STORE_DONE) {
		json_decref(list);
		return app_store_fail(r, rc);
	}
	*out = list;
	return 0;
}

int catalog_hotlines(struct app_req *r, json_t **out)
{
	json_t *list;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0 || hotlines_read(r, false, 0, &list) != 0)
		return -1;
	*out = json_pack("{so}", "items", list);
	return 0;
}

int catalog_hotline_get(struct app_req *r, int64_t id, json_t **out)
{
	json_t *list;
	if (hotlines_read(r, false, id, &list) != 0)
		return -1;
	if (json_array_size(list) == 0) {
		json_decref(list);
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	}
	*out = json_incref(json_array_get(list, 0));
	json_decref(list);
	return 0;
}

int hotline_spec_load(struct app_req *r, int64_t id, struct hotline_spec *h)
{
	json_t *o;
	if (catalog_hotline_get(r, id, &o) != 0)
		return -1;
	memset(h, 0, sizeof *h);
	h->number = arena_strdup(r->arena, json_string_value(json_object_get(o, "number")));
	h->name = arena_strdup(r->arena, json_string_value(json_object_get(o, "name")));
	h->org_id = json_integer_value(json_object_get(o, "org_id"));
	h->weekdays = (int)json_integer_value(json_object_get(o, "weekdays"));
	h->day_from = (int)json_integer_value(json_object_get(o, "day_from"));
	h->day_to = (int)json_integer_value(json_object_get(o, "day_to"));
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(o, "item_ids"), i, e)
		if (h->nitems < HOTLINE_ITEMS_MAX)
			h->items[h->nitems++] = json_integer_value(e);
	json_decref(o);
	return 0;
}

int catalog_public(struct app_req *r, json_t **out)
{
	json_t *items, *hotlines;
	if (tree_build(r, true, &items) != 0)
		return -1;
	if (hotlines_read(r, true, 0, &hotlines) != 0) {
		json_decref(items);
		return -1;
	}
	*out = json_pack("{so so}", "items", items, "hotlines", hotlines);
	return 0;
}

/* ---- for writers and other rooms ---- */

static char *dup_malloc(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

int menu_spec_load(struct app_req *r, int64_t id, struct menu_spec *m)
{
	struct store_stmt *st;
	if (app_load_row(r, "SELECT " ITEM_COLUMNS " FROM menu_items i WHERE i.id = $1", id, -1, 0, &st) != 0)
		return -1;
	m->parent_id = store_col_null(st, I_PARENT) ? 0 : store_col_int(st, I_PARENT);
	m->level = (int)store_col_int(st, I_LEVEL);
	m->position = store_col_int(st, I_POSITION);
	m->position_given = true;
	m->name = arena_strdup(r->arena, store_col_text(st, I_NAME));
	m->description = arena_strdup(r->arena, store_col_text(st, I_DESCRIPTION));
	m->skills = dup_malloc(store_col_text(st, I_SKILLS));
	m->certificates = dup_malloc(store_col_text(st, I_CERTS));
	m->regions = dup_malloc(store_col_text(st, I_REGIONS));
	m->groups = dup_malloc(store_col_text(st, I_GROUPS));
	m->duration = store_col_null(st, I_DURATION) ? 0 : store_col_int(st, I_DURATION);
	m->weekdays = (int)store_col_int(st, I_WEEKDAYS);
	m->day_from = (int)store_col_int(st, I_FROM);
	m->day_to = (int)store_col_int(st, I_TO);
	m->needs_sw = store_col_int(st, I_SW) != 0;
	store_done(st);
	return 0;
}

int menu_subitem_read(struct app_req *r, struct store *s, int64_t id, struct menu_subitem *out)
{
	struct store_stmt *st = store_prepare(s,
		"SELECT " ITEM_COLUMNS ", COALESCE(p.name, ''), COALESCE(g.name, ''),"
		" CASE WHEN i.status = 'active' AND COALESCE(p.status, 'active') = 'active'"
		" AND COALESCE(g.status, 'active') = 'active' THEN 1 ELSE 0 END"
		" FROM menu_items i LEFT JOIN menu_items p ON p.id = i.parent_id LEFT JOIN menu_items g ON g.id = p.parent_id"
		" WHERE i.id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		return rc;
	}
	memset(out, 0, sizeof *out);
	out->id = id;
	out->parent_id = store_col_null(st, I_PARENT) ? 0 : store_col_int(st, I_PARENT);
	out->level = (int)store_col_int(st, I_LEVEL);
	out->status = arena_strdup(r->arena, store_col_text(st, I_STATUS));
	out->name = arena_strdup(r->arena, store_col_text(st, I_NAME));
	out->skills = arena_strdup(r->arena, store_col_text(st, I_SKILLS));
	out->certificates = arena_strdup(r->arena, store_col_text(st, I_CERTS));
	out->regions = arena_strdup(r->arena, store_col_text(st, I_REGIONS));
	out->vulnerable_groups = arena_strdup(r->arena, store_col_text(st, I_GROUPS));
	out->duration_minutes = store_col_null(st, I_DURATION) ? 0 : store_col_int(st, I_DURATION);
	out->weekdays = (int)store_col_int(st, I_WEEKDAYS);
	out->day_from = (int)store_col_int(st, I_FROM);
	out->day_to = (int)store_col_int(st, I_TO);
	out->needs_social_worker = store_col_int(st, I_SW) != 0;
	/* names of the levels above: a sub-item's item and category */
	const char *up1 = arena_strdup(r->arena, store_col_text(st, I_UPDATED + 1));
	const char *up2 = arena_strdup(r->arena, store_col_text(st, I_UPDATED + 2));
	out->item_name = out->level == 3 ? up1 : out->level == 2 ? out->name : "";
	out->category_name = out->level == 3 ? up2 : out->level == 2 ? up1 : out->name;
	out->active = store_col_int(st, I_UPDATED + 3) != 0;
	store_done(st);
	st = store_prepare(s, "SELECT o.id, o.path FROM menu_item_providers p JOIN orgs o ON o.id = p.org_id"
			      " WHERE p.item_id = $1 ORDER BY o.id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	out->provider_ids = arena_alloc(r->arena, MENU_PROVIDERS_MAX * sizeof *out->provider_ids);
	out->provider_paths = arena_alloc(r->arena, MENU_PROVIDERS_MAX * sizeof *out->provider_paths);
	while ((rc = store_step(st)) == STORE_ROW && out->nproviders < MENU_PROVIDERS_MAX) {
		out->provider_ids[out->nproviders] = store_col_int(st, 0);
		out->provider_paths[out->nproviders++] = arena_strdup(r->arena, store_col_text(st, 1));
	}
	store_done(st);
	return rc == STORE_DONE || rc == STORE_ROW ? STORE_ROW : rc;
}
