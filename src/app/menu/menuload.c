/* Loading a menu file (data/menu/README.md describes the format): every
 * entry is read through the API's own field rules (menu_spec_read,
 * hotline_spec_read) before anything is written, then the whole menu is
 * written in one transaction through catalog.c's writers. Items are
 * matched by name under their parent and hotlines by number, and an
 * entry whose fields are already as the file says is left alone, so
 * loading a file twice changes nothing the second time. */
#include "app/menu/catalog.h"
#include "app/menu/catalog_int.h"
#include "app/menu/menu.h"
#include "util/arena.h"
#include <stdlib.h>
#include <string.h>

#define LOAD_NODES_MAX 2000
#define LOAD_HOTLINES_MAX 500

/* the fields of an entry (and of an item's "defaults" for its sub-items) */
static const char *const item_fields[] = {
	"description", "skills", "certificates", "regions", "vulnerable_groups", "duration_minutes",
	"weekdays", "day_from", "day_to", "needs_social_worker", NULL,
};

struct lnode {
	struct menu_spec m;
	int parent;           /* index of the parent node, -1 for a category */
	const char *path;     /* "category/item/sub-item", in r->arena */
	int64_t id;
};

struct load {
	struct app_req *r;
	struct lnode *nodes;
	size_t n;
	struct hotline_spec *hot;
	size_t nhot;
	json_t *missing;      /* organisation names not found */
	int64_t root;
	int created, updated, unchanged, hot_created, hot_updated, hot_unchanged;
};

static int load_fail(struct load *l, const char *code, const char *field, const char *path)
{
	app_fail(l->r, APP_EINVALID, code, field);
	l->r->err.detail = path;
	return -1;
}

/* The active organisation named name ("$root": the root), or 0 when
 * there is none (the name is remembered in l->missing). */
static int org_by_name(struct load *l, const char *name, int64_t *id)
{
	*id = 0;
	if (strcmp(name, "$root") == 0) {
		*id = l->root;
		return 0;
	}
	struct store_stmt *st = store_prepare(l->r->store,
		"SELECT id FROM orgs WHERE name = $1 AND status = 'active' ORDER BY id LIMIT 1");
	if (!st)
		return app_store_fail(l->r, STORE_ERROR);
	store_bind_text(st, 1, name);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*id = store_col_int(st, 0);
	store_done(st);
	if (rc == STORE_DONE) {
		size_t i;
		json_t *e;
		bool seen = false;
		json_array_foreach(l->missing, i, e)
			seen = seen || strcmp(json_string_value(e), name) == 0;
		if (!seen)
			json_array_append_new(l->missing, json_string(name));
		return 0;
	}
	return rc == STORE_ROW ? 0 : app_store_fail(l->r, rc);
}

/* One entry (category, item or sub-item) at position pos under parent,
 * with defaults (an item's, for its sub-items; may be NULL). */
static int load_node(struct load *l, json_t *e, json_t *defaults, int parent, int level, int pos)
{
	if (!json_is_object(e))
		return load_fail(l, "invalid_menu_file", NULL, parent >= 0 ? l->nodes[parent].path : "");
	const char *name = json_string_value(json_object_get(e, "name"));
	const char *path = arena_printf(l->r->arena, "%s%s%s", parent >= 0 ? l->nodes[parent].path : "",
					parent >= 0 ? "/" : "", name ? name : "?");
	if (l->n >= LOAD_NODES_MAX)
		return load_fail(l, "too_long", NULL, path);
	json_t *in = json_pack("{sO? sI}", "name", json_object_get(e, "name"), "position", (json_int_t)pos);
	for (int f = 0; item_fields[f]; f++) {
		json_t *v = json_object_get(e, item_fields[f]);
		if (!v && defaults)
			v = json_object_get(defaults, item_fields[f]);
		if (v)
			json_object_set(in, item_fields[f], v);
	}
	json_t *providers = json_object_get(e, "providers");
	if (!providers && defaults)
		providers = json_object_get(defaults, "providers");
	int rc = 0;
	if (providers) {
		json_t *ids = json_array();
		size_t i;
		json_t *p;
		if (!json_is_array(providers))
			rc = load_fail(l, "wrong_type", "providers", path);
		json_array_foreach(providers, i, p) {
			int64_t id;
			if (rc != 0)
				break;
			if (!json_is_string(p))
				rc = load_fail(l, "wrong_type", "providers", path);
			else if ((rc = org_by_name(l, json_string_value(p), &id)) == 0 && id)
				json_array_append_new(ids, json_integer(id));
		}
		json_object_set_new(in, "provider_ids", ids);
	}
	struct lnode *nd = &l->nodes[l->n];
	menu_spec_defaults(&nd->m);
	nd->parent = parent;
	nd->path = path;
	nd->m.level = level;
	if (rc == 0 && menu_spec_read(l->r, in, &nd->m, true) != 0) {
		l->r->err.detail = path;
		rc = -1;
	}
	json_decref(in);
	l->n++;   /* counted even on failure, so its spec is freed */
	return rc;
}

static int load_tree(struct load *l, json_t *doc)
{
	json_t *cats = json_object_get(doc, "categories");
	if (!json_is_array(cats))
		return load_fail(l, "invalid_menu_file", "categories", "");
	size_t i, j, k;
	json_t *c, *it, *sub;
	json_array_foreach(cats, i, c) {
		int ci = (int)l->n;
		if (load_node(l, c, NULL, -1, 1, (int)i) != 0)
			return -1;
		json_t *items = json_object_get(c, "items");
		if (items && !json_is_array(items))
			return load_fail(l, "invalid_menu_file", "items", l->nodes[ci].path);
		json_array_foreach(items, j, it) {
			int ii = (int)l->n;
			if (load_node(l, it, NULL, ci, 2, (int)j) != 0)
				return -1;
			json_t *subs = json_object_get(it, "subitems"), *defaults = json_object_get(it, "defaults");
			if ((subs && !json_is_array(subs)) || (defaults && !json_is_object(defaults)))
				return load_fail(l, "invalid_menu_file", subs && !json_is_array(subs) ? "subitems" : "defaults",
						 l->nodes[ii].path);
			json_array_foreach(subs, k, sub)
				if (load_node(l, sub, defaults, ii, 3, (int)k) != 0)
					return -1;
		}
	}
	return 0;
}

/* The node a hotline's item reference names ("category[/item[/sub]]"). */
static int node_by_path(struct load *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->nodes[i].path, path) == 0)
			return (int)i;
	return -1;
}

static int load_hotlines(struct load *l, json_t *doc)
{
	json_t *list = json_object_get(doc, "hotlines");
	if (!list)
		return 0;
	if (!json_is_array(list) || json_array_size(list) > LOAD_HOTLINES_MAX)
		return load_fail(l, "invalid_menu_file", "hotlines", "");
	size_t i, j;
	json_t *h, *ref;
	json_array_foreach(list, i, h) {
		struct hotline_spec *hs = &l->hot[l->nhot];
		memset(hs, 0, sizeof *hs);
		hs->weekdays = 127;
		hs->day_to = 1440;
		const char *num = json_string_value(json_object_get(h, "number"));
		const char *path = arena_printf(l->r->arena, "hotline %s", num ? num : "?");
		const char *org = json_string_value(json_object_get(h, "org"));
		int64_t org_id = 0;
		if (!json_is_object(h) || !org)
			return load_fail(l, "required", "org", path);
		if (org_by_name(l, org, &org_id) != 0)
			return -1;
		json_t *in = json_pack("{sO? sO? sI sO? sO? sO?}", "number", json_object_get(h, "number"),
				       "name", json_object_get(h, "name"), "org_id", (json_int_t)(org_id ? org_id : l->root),
				       "weekdays", json_object_get(h, "weekdays"), "day_from", json_object_get(h, "day_from"),
				       "day_to", json_object_get(h, "day_to"));
		int rc = hotline_spec_read(l->r, in, hs, true);
		json_decref(in);
		if (rc != 0) {
			l->r->err.detail = path;
			return -1;
		}
		hs->number = arena_strdup(l->r->arena, hs->number);
		hs->name = arena_strdup(l->r->arena, hs->name);
		hs->items_given = true;
		json_t *items = json_object_get(h, "items");
		if (items && (!json_is_array(items) || json_array_size(items) > HOTLINE_ITEMS_MAX))
			return load_fail(l, "invalid_menu_file", "items", path);
		json_array_foreach(items, j, ref) {
			int at = json_is_string(ref) ? node_by_path(l, json_string_value(ref)) : -1;
			if (at < 0)
				return load_fail(l, "menu_item_not_found", "items", path);
			hs->items[hs->nitems++] = at;   /* a node index until the items are written */
		}
		l->nhot++;
	}
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static bool same_text(const char *a, const char *b)
{
	return strcmp(a ? a : "[]", b ? b : "[]") == 0;
}

/* Whether the stored item id already has every field of want. */
static int item_same(struct load *l, struct store *s, int64_t id, struct menu_spec *want, bool *same)
{
	struct menu_spec have;
	menu_spec_defaults(&have);
	if (menu_spec_load(l->r, id, &have) != 0)
		return STORE_ERROR;
	struct store_stmt *st = store_prepare(s, "SELECT org_id FROM menu_item_providers WHERE item_id = $1 ORDER BY org_id");
	int rc = st ? STORE_ROW : STORE_ERROR;
	if (st) {
		store_bind_int(st, 1, id);
		while ((rc = store_step(st)) == STORE_ROW && have.nproviders < MENU_PROVIDERS_MAX)
			have.providers[have.nproviders++] = store_col_int(st, 0);
		store_done(st);
	}
	qsort(want->providers, want->nproviders, sizeof want->providers[0], cmp_id);
	*same = strcmp(have.name, want->name) == 0 && strcmp(have.description, want->description) == 0 &&
		have.position == want->position && same_text(have.skills, want->skills) &&
		same_text(have.certificates, want->certificates) && same_text(have.regions, want->regions) &&
		same_text(have.groups, want->groups) && have.duration == want->duration &&
		have.weekdays == want->weekdays && have.day_from == want->day_from && have.day_to == want->day_to &&
		have.needs_sw == want->needs_sw && have.nproviders == want->nproviders &&
		memcmp(have.providers, want->providers, want->nproviders * sizeof want->providers[0]) == 0;
	menu_spec_free(&have);
	return rc == STORE_DONE || rc == STORE_ROW ? STORE_OK : rc;
}

static int write_items(struct load *l, struct store *s)
{
	for (size_t i = 0; i < l->n; i++) {
		struct lnode *nd = &l->nodes[i];
		nd->m.parent_id = nd->parent >= 0 ? l->nodes[nd->parent].id : 0;
		nd->m.providers_given = true;
		struct store_stmt *st = store_prepare(s,
			"SELECT id FROM menu_items WHERE name = $1 AND level = $2"
			" AND (parent_id = $3 OR (parent_id IS NULL AND CAST($4 AS BIGINT) = 0)) ORDER BY id LIMIT 1");
		if (!st)
			return STORE_ERROR;
		store_bind_text(st, 1, nd->m.name);
		store_bind_int(st, 2, nd->m.level);
		store_bind_id(st, 3, nd->m.parent_id);
		store_bind_int(st, 4, nd->m.parent_id);
		int rc = store_step(st);
		nd->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
		store_done(st);
		if (rc != STORE_ROW && rc != STORE_DONE)
			return rc;
		if (!nd->id) {
			if ((rc = menu_item_insert(l->r, s, &nd->m, &nd->id)) != STORE_OK)
				return rc;
			l->created++;
			continue;
		}
		bool same;
		if ((rc = item_same(l, s, nd->id, &nd->m, &same)) != STORE_OK)
			return rc;
		if (same) {
			l->unchanged++;
			continue;
		}
		if ((rc = menu_item_change(l->r, s, nd->id, &nd->m)) != STORE_OK)
			return rc;
		l->updated++;
	}
	return STORE_OK;
}

/* A hotline by number (any status: a retired one is not brought back),
 * compared with want. */
static int hotline_find(struct load *l, struct hotline_spec *want, int64_t *id, bool *same)
{
	struct store_stmt *st = store_prepare(l->r->store,
		"SELECT id FROM menu_hotlines WHERE number = $1 ORDER BY CASE WHEN status = 'active' THEN 0 ELSE 1 END, id"
		" LIMIT 1");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, want->number);
	int rc = store_step(st);
	*id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc == STORE_DONE ? STORE_OK : rc;
	struct hotline_spec have;
	if (hotline_spec_load(l->r, *id, &have) != 0)
		return STORE_ERROR;
	qsort(want->items, want->nitems, sizeof want->items[0], cmp_id);
	*same = strcmp(have.name, want->name) == 0 && have.org_id == want->org_id && have.weekdays == want->weekdays &&
		have.day_from == want->day_from && have.day_to == want->day_to && have.nitems == want->nitems &&
		memcmp(have.items, want->items, want->nitems * sizeof want->items[0]) == 0;
	return STORE_OK;
}

static int write_hotlines(struct load *l, struct store *s)
{
	for (size_t i = 0; i < l->nhot; i++) {
		struct hotline_spec *h = &l->hot[i];
		for (size_t k = 0; k < h->nitems; k++)
			h->items[k] = l->nodes[h->items[k]].id;
		int64_t id;
		bool same = false;
		int rc = hotline_find(l, h, &id, &same);
		if (rc != STORE_OK)
			return rc;
		if (id && same) {
			l->hot_unchanged++;
			continue;
		}
		(*(id ? &l->hot_updated : &l->hot_created))++;
		if ((rc = menu_hotline_write(l->r, s, h, &id)) != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

static int load_tx(struct store *s, void *vctx)
{
	struct load *l = vctx;
	l->created = l->updated = l->unchanged = l->hot_created = l->hot_updated = l->hot_unchanged = 0;
	int rc = write_items(l, s);
	return rc == STORE_OK ? write_hotlines(l, s) : rc;
}

int menu_load(struct app_req *r, const char *text, size_t len, json_t **out)
{
	struct load l = { .r = r };
	json_error_t jerr;
	int ret = -1;
	if (authz_check(r, AUTHZ_MENU_WRITE, NULL) != 0 || app_root_org(r, &l.root) != 0)
		return -1;
	json_t *doc = json_loadb(text, len, 0, &jerr);
	l.missing = json_array();
	l.nodes = calloc(LOAD_NODES_MAX, sizeof *l.nodes);
	l.hot = calloc(LOAD_HOTLINES_MAX, sizeof *l.hot);
	if (!l.nodes || !l.hot)
		abort();
	if (!json_is_object(doc)) {
		app_fail(r, APP_EINVALID, "invalid_menu_file", NULL);
		r->err.detail = arena_printf(r->arena, ": line %d: %s", jerr.line, jerr.text);
		goto done;
	}
	if (load_tree(&l, doc) != 0 || load_hotlines(&l, doc) != 0)
		goto done;
	int rc = store_tx(r->store, load_tx, &l);
	if (rc != STORE_OK) {
		app_store_fail(r, rc);
		goto done;
	}
	*out = json_pack("{sI sI sI sI sI sI sO}", "items_created", (json_int_t)l.created,
			 "items_updated", (json_int_t)l.updated, "items_unchanged", (json_int_t)l.unchanged,
			 "hotlines_created", (json_int_t)l.hot_created, "hotlines_updated", (json_int_t)l.hot_updated,
			 "hotlines_unchanged", (json_int_t)l.hot_unchanged, "orgs_missing", l.missing);
	ret = 0;
done:
	for (size_t i = 0; i < l.n; i++)
		menu_spec_free(&l.nodes[i].m);
	free(l.nodes);
	free(l.hot);
	json_decref(l.missing);
	json_decref(doc);
	return ret;
}

extern const char menu_wenjiang_json[];
extern const unsigned long menu_wenjiang_json_len;

int menu_load_example(struct app_req *r, json_t **out)
{
	return menu_load(r, menu_wenjiang_json, menu_wenjiang_json_len, out);
}
