/* The menu (备菜): the one writer of menu_items, menu_item_providers,
 * menu_hotlines and menu_hotline_items. The menu is the district's: only
 * admins of the root organisation write it (AUTHZ_MENU_WRITE). Items are
 * never deleted: retiring one takes it (and what lies under it) off the
 * public menu while the orders naming it keep their history. Reads are in
 * menutree.c. */
#include "app/menu/catalog.h"
#include "app/menu/catalog_int.h"
#include "app/menu/menu.h"
#include "util/arena.h"
#include <stdlib.h>
#include <string.h>

const char *const menu_vulnerable_groups[] = {
	"elderly_alone", "elderly", "disabled", "left_behind_children", "low_income", "seriously_ill", NULL,
};

bool menu_vulnerable_group_known(const char *name)
{
	for (int i = 0; menu_vulnerable_groups[i]; i++)
		if (strcmp(menu_vulnerable_groups[i], name) == 0)
			return true;
	return false;
}

void menu_spec_free(struct menu_spec *m)
{
	free(m->skills);
	free(m->certificates);
	free(m->regions);
	free(m->groups);
	m->skills = m->certificates = m->regions = m->groups = NULL;
}

/* A tag list field into *text (malloc'd JSON), only when present; check
 * (may be NULL) vets each element: 0 or -1 with the error set. */
static int spec_tags(struct app_req *r, json_t *in, const char *field, char **text,
		     int (*check)(struct app_req *r, const char *field, const char *v))
{
	if (!json_object_get(in, field))
		return 0;
	json_t *list;
	char *t;
	int rc = in_tags(r, in, field, &list, &t);
	size_t i;
	json_t *e;
	if (rc == 0 && check)
		json_array_foreach(list, i, e)
			if ((rc = check(r, field, json_string_value(e))) != 0)
				break;
	json_decref(list);
	if (rc != 0) {
		free(t);
		return -1;
	}
	free(*text);
	*text = t;
	return 0;
}

static int check_group(struct app_req *r, const char *field, const char *v)
{
	return menu_vulnerable_group_known(v) ? 0 : app_fail(r, APP_EINVALID, "invalid_value", field);
}

static int check_region(struct app_req *r, const char *field, const char *v)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT 1 FROM regions WHERE code = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, v);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE)
		return app_fail(r, APP_EINVALID, "region_not_found", field);
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc);
}

/* provider_ids: at most MENU_PROVIDERS_MAX active organisations, by id
 * (duplicates dropped), only when present. */
static int spec_providers(struct app_req *r, json_t *in, struct menu_spec *m)
{
	json_t *v = json_object_get(in, "provider_ids");
	if (!v)
		return 0;
	m->providers_given = true;
	m->nproviders = 0;
	if (json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return app_fail(r, APP_EBADREQ, "wrong_type", "provider_ids");
	if (json_array_size(v) > MENU_PROVIDERS_MAX)
		return app_fail(r, APP_EINVALID, "too_long", "provider_ids");
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e) {
		if (!json_is_integer(e) || json_integer_value(e) <= 0)
			return app_fail(r, APP_EBADREQ, "wrong_type", "provider_ids");
		int64_t id = json_integer_value(e);
		bool dup = false;
		for (size_t k = 0; k < m->nproviders; k++)
			dup = dup || m->providers[k] == id;
		if (dup)
			continue;
		struct org_ref o;
		int rc = org_fetch(r, r->store, id, &o);
		if (rc == STORE_DONE)
			return app_fail(r, APP_EINVALID, "org_not_found", "provider_ids");
		if (rc != STORE_ROW)
			return app_store_fail(r, rc);
		if (strcmp(o.status, "active") != 0)
			return app_fail(r, APP_EINVALID, "org_inactive", "provider_ids");
		m->providers[m->nproviders++] = id;
	}
	return 0;
}

int menu_spec_read(struct app_req *r, json_t *in, struct menu_spec *m, bool create)
{
	int64_t v;
	bool present = false, b;
	const char *t = NULL, *d = NULL;
	if (in_text(r, in, "name", create, MENU_NAME_MAX, &t) != 0)
		return -1;
	if (t)
		m->name = t;
	else if (json_object_get(in, "name"))
		return app_fail(r, APP_EINVALID, "required", "name");
	if (in_text(r, in, "description", false, MENU_DESCRIPTION_MAX, &d) != 0)
		return -1;
	if (d)
		m->description = d;
	else if (json_object_get(in, "description"))
		m->description = "";
	if (in_int(r, in, "position", false, 0, 100000, &v, &present) != 0)
		return -1;
	if (present) {
		m->position = v;
		m->position_given = true;
	}
	if (spec_tags(r, in, "skills", &m->skills, NULL) != 0 ||
	    spec_tags(r, in, "certificates", &m->certificates, NULL) != 0 ||
	    spec_tags(r, in, "regions", &m->regions, check_region) != 0 ||
	    spec_tags(r, in, "vulnerable_groups", &m->groups, check_group) != 0)
		return -1;
	if (in_int(r, in, "duration_minutes", false, 1, 1440, &v, &present) != 0)
		return -1;
	if (present)
		m->duration = v;
	else if (json_object_get(in, "duration_minutes"))
		m->duration = 0;   /* null clears it */
	if (in_int(r, in, "weekdays", false, 1, 127, &v, &present) != 0)
		return -1;
	if (present)
		m->weekdays = (int)v;
	if (in_int(r, in, "day_from", false, 0, 1439, &v, &present) != 0)
		return -1;
	if (present)
		m->day_from = (int)v;
	if (in_int(r, in, "day_to", false, 1, 1440, &v, &present) != 0)
		return -1;
	if (present)
		m->day_to = (int)v;
	if (m->day_from >= m->day_to)
		return app_fail(r, APP_EINVALID, "invalid_window", "day_to");
	if (in_bool(r, in, "needs_social_worker", &b, &present) != 0)
		return -1;
	if (present)
		m->needs_sw = b;
	return spec_providers(r, in, m);
}

void menu_spec_defaults(struct menu_spec *m)
{
	memset(m, 0, sizeof *m);
	m->description = "";
	m->weekdays = 127;
	m->day_to = 1440;
}

/* Replaces the providers of item id inside the transaction. */
static int providers_write(struct store *s, int64_t id, const struct menu_spec *m)
{
	int rc = app_exec_ints(s, "DELETE FROM menu_item_providers WHERE item_id = $1 AND $2 = $2", id, 0);
	for (size_t i = 0; rc == STORE_OK && i < m->nproviders; i++)
		rc = app_exec_ints(s, "INSERT INTO menu_item_providers (item_id, org_id) VALUES ($1, $2)", id,
				   m->providers[i]);
	return rc;
}

static void bind_spec(struct store_stmt *st, const struct menu_spec *m, int from)
{
	store_bind_text(st, from, m->name);
	store_bind_text(st, from + 1, m->description);
	store_bind_int(st, from + 2, m->position);
	store_bind_text(st, from + 3, m->skills ? m->skills : "[]");
	store_bind_text(st, from + 4, m->certificates ? m->certificates : "[]");
	store_bind_text(st, from + 5, m->regions ? m->regions : "[]");
	store_bind_text(st, from + 6, m->groups ? m->groups : "[]");
	store_bind_id(st, from + 7, m->duration);
	store_bind_int(st, from + 8, m->weekdays);
	store_bind_int(st, from + 9, m->day_from);
	store_bind_int(st, from + 10, m->day_to);
	store_bind_int(st, from + 11, m->needs_sw);
	store_bind_int(st, from + 12, app_now());
}

int menu_item_insert(struct app_req *r, struct store *s, struct menu_spec *m, int64_t *id)
{
	int rc;
	if (!m->position_given) {
		/* appended after its siblings */
		struct store_stmt *q = store_prepare(s,
			"SELECT COALESCE(MAX(position) + 1, 0) FROM menu_items"
			" WHERE (parent_id = $1 OR (parent_id IS NULL AND CAST($2 AS BIGINT) = 0))");
		if (!q)
			return STORE_ERROR;
		store_bind_id(q, 1, m->parent_id);
		store_bind_int(q, 2, m->parent_id);
		rc = store_step(q);
		if (rc == STORE_ROW)
			m->position = store_col_int(q, 0);
		store_done(q);
		if (rc != STORE_ROW)
			return rc;
	}
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO menu_items (parent_id, level, name, description, position, skills, certificates,"
		" regions, vulnerable_groups, duration_minutes, weekdays, day_from, day_to, needs_social_worker,"
		" created_at, updated_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
		" $13, $14, $15, $15, $16) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_id(st, 1, m->parent_id);
	store_bind_int(st, 2, m->level);
	bind_spec(st, m, 3);
	store_bind_id(st, 16, r->who ? r->who->user_id : 0);
	rc = store_step(st);
	if (rc == STORE_ROW)
		*id = store_col_int(st, 0);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	rc = providers_write(s, *id, m);
	if (rc != STORE_OK)
		return rc;
	return audit_write_text(r, s, "menu.item_create", "menu_item", *id, r->who ? r->who->org_id : 0,
				r->who ? r->who->org_path : NULL, NULL);
}

int menu_item_change(struct app_req *r, struct store *s, int64_t id, const struct menu_spec *m)
{
	struct store_stmt *st = store_prepare(s,
		"UPDATE menu_items SET name = $2, description = $3, position = $4, skills = $5, certificates = $6,"
		" regions = $7, vulnerable_groups = $8, duration_minutes = $9, weekdays = $10, day_from = $11,"
		" day_to = $12, needs_social_worker = $13, updated_at = $14 WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	bind_spec(st, m, 2);
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	if (m->providers_given && (rc = providers_write(s, id, m)) != STORE_OK)
		return rc;
	return audit_write_text(r, s, "menu.item_update", "menu_item", id, r->who ? r->who->org_id : 0,
				r->who ? r->who->org_path : NULL, NULL);
}

/* The parent's level and status: 422 menu_parent_not_found, menu_too_deep
 * (under a sub-item), menu_parent_retired. */
static int parent_check(struct app_req *r, struct menu_spec *m)
{
	if (m->parent_id == 0) {
		m->level = 1;
		return 0;
	}
	struct store_stmt *st = store_prepare(r->store, "SELECT level, status FROM menu_items WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, m->parent_id);
	int rc = store_step(st), level = 0;
	bool active = false;
	if (rc == STORE_ROW) {
		level = (int)store_col_int(st, 0);
		active = strcmp(store_col_text(st, 1), "active") == 0;
	}
	store_done(st);
	if (rc == STORE_DONE)
		return app_fail(r, APP_EINVALID, "menu_parent_not_found", "parent_id");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	if (level >= 3)
		return app_fail(r, APP_EINVALID, "menu_too_deep", "parent_id");
	if (!active)
		return app_fail(r, APP_EINVALID, "menu_parent_retired", "parent_id");
	m->level = level + 1;
	return 0;
}

struct item_tx {
	struct app_req *r;
	struct menu_spec *m;
	int64_t id;
};

static int item_create_tx(struct store *s, void *vctx)
{
	struct item_tx *c = vctx;
	return menu_item_insert(c->r, s, c->m, &c->id);
}

int catalog_item_create(struct app_req *r, json_t *in, json_t **out)
{
	struct menu_spec m;
	menu_spec_defaults(&m);
	struct item_tx c = { .r = r, .m = &m };
	int ret = -1;
	if (authz_check(r, AUTHZ_MENU_WRITE, NULL) != 0 || in_id(r, in, "parent_id", false, &m.parent_id, NULL) != 0 ||
	    menu_spec_read(r, in, &m, true) != 0 || parent_check(r, &m) != 0)
		goto done;
	int rc = store_tx(r->store, item_create_tx, &c);
	if (rc != STORE_OK) {
		app_store_fail(r, rc);
		goto done;
	}
	ret = catalog_item_get(r, c.id, out);
done:
	menu_spec_free(&m);
	return ret;
}

static int item_update_tx(struct store *s, void *vctx)
{
	struct item_tx *c = vctx;
	return menu_item_change(c->r, s, c->id, c->m);
}

int catalog_item_update(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	struct menu_spec m;
	menu_spec_defaults(&m);
	struct item_tx c = { .r = r, .m = &m, .id = id };
	int ret = -1;
	if (authz_check(r, AUTHZ_MENU_WRITE, NULL) != 0 || menu_spec_load(r, id, &m) != 0)
		goto done;
	if (json_object_get(in, "parent_id") || json_object_get(in, "level") || json_object_get(in, "status")) {
		app_fail(r, APP_EINVALID, "not_editable", json_object_get(in, "parent_id") ? "parent_id" :
			 json_object_get(in, "level") ? "level" : "status");
		goto done;
	}
	if (menu_spec_read(r, in, &m, false) != 0)
		goto done;
	int rc = store_tx(r->store, item_update_tx, &c);
	if (rc != STORE_OK) {
		app_store_fail(r, rc);
		goto done;
	}
	ret = catalog_item_get(r, id, out);
done:
	menu_spec_free(&m);
	return ret;
}

struct status_tx {
	struct app_req *r;
	int64_t id;
	const char *from, *to, *table, *action, *target;
};

/* The move from one status to the other, conditional on the status read
 * (a second retire of the same item finds nothing to do: 409). */
static int status_tx(struct store *s, void *vctx)
{
	struct status_tx *c = vctx;
	struct store_stmt *st = store_prepare(s, strcmp(c->table, "menu_items") == 0 ?
		"UPDATE menu_items SET status = $3, retired_at = CASE WHEN CAST($3 AS TEXT) = 'retired' THEN CAST($4 AS BIGINT) ELSE NULL END,"
		" updated_at = $4 WHERE id = $1 AND status = $2 RETURNING id" :
		"UPDATE menu_hotlines SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2 RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->id);
	store_bind_text(st, 2, c->from);
	store_bind_text(st, 3, c->to);
	store_bind_int(st, 4, app_now());
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	return audit_write_text(c->r, s, c->action, c->target, c->id, c->r->who ? c->r->who->org_id : 0,
				c->r->who ? c->r->who->org_path : NULL, NULL);
}

static int status_move(struct app_req *r, struct status_tx *c, const char *code)
{
	int rc = store_tx(r->store, status_tx, c);
	if (rc == STORE_DONE)
		return app_fail(r, APP_ECONFLICT, code, NULL);
	return rc == STORE_OK ? 0 : app_store_fail(r, rc);
}

/* 404 unless item id exists; its parent's status in *parent_active. */
static int item_exists(struct app_req *r, int64_t id, bool *parent_active)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT COALESCE(p.status, 'active') FROM menu_items i LEFT JOIN menu_items p ON p.id = i.parent_id"
		" WHERE i.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*parent_active = strcmp(store_col_text(st, 0), "active") == 0;
	store_done(st);
	if (rc == STORE_DONE)
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc);
}

int catalog_item_retire(struct app_req *r, int64_t id, json_t **out)
{
	bool parent_active;
	struct status_tx c = { r, id, "active", "retired", "menu_items", "menu.item_retire", "menu_item" };
	if (authz_check(r, AUTHZ_MENU_WRITE, NULL) != 0 || item_exists(r, id, &parent_active) != 0 ||
	    status_move(r, &c, "menu_item_retired") != 0)
		return -1;
	return catalog_item_get(r, id, out);
}

int catalog_item_restore(struct app_req *r, int64_t id, json_t **out)
{
	bool parent_active;
	struct status_tx c = { r, id, "retired", "active", "menu_items", "menu.item_restore", "menu_item" };
	if (authz_check(r, AUTHZ_MENU_WRITE, NULL) != 0 || item_exists(r, id, &parent_active) != 0)
		return -1;
	if (!parent_active)
		return app_fail(r, APP_EINVALID, "menu_parent_retired", NULL);
	if (status_move(r, &c, "menu_item_active") != 0)
		return -1;
	return catalog_item_get(r, id, out);
}

/* ---- hotlines ---- */

/* A hotline number: 3–20 digits, '-' between groups (12345,
 * 028-82712345). */
static bool hotline_number_ok(const char *s)
{
	size_t n = strlen(s), digits = 0;
	if (n < 3 || n > 20 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] != '-' || s[i + 1] == '-')
			return false;
	}
	return digits >= 3;
}

int hotline_spec_read(struct app_req *r, json_t *in, struct hotline_spec *h, bool create)
{
	int64_t v;
	bool present;
	const char *t = NULL;
	if (in_text(r, in, "number", create, 20, &t) != 0)
		return -1;
	if (t) {
		if (!hotline_number_ok(t))
			return app_fail(r, APP_EINVALID, "invalid_hotline_number", "number");
		h->number = t;
	} else if (json_object_get(in, "number"))
		return app_fail(r, APP_EINVALID, "required", "number");
	t = NULL;
	if (in_text(r, in, "name", create, MENU_NAME_MAX, &t) != 0)
		return -1;
	if (t)
		h->name = t;
	else if (json_object_get(in, "name"))
		return app_fail(r, APP_EINVALID, "required", "name");
	if (in_id(r, in, "org_id", create, &v, &present) != 0)
		return -1;
	if (present) {
		struct org_ref o;
		if (org_target(r, r->store, v, -1, true, &o) != 0)
			return -1;
		h->org_id = v;
	} else if (json_object_get(in, "org_id"))
		return app_fail(r, APP_EINVALID, "required", "org_id");
	if (in_int(r, in, "weekdays", false, 1, 127, &v, &present) != 0)
		return -1;
	if (present)
		h->weekdays = (int)v;
	if (in_int(r, in, "day_from", false, 0, 1439, &v, &present) != 0)
		return -1;
	if (present)
		h->day_from = (int)v;
	if (in_int(r, in, "day_to", false, 1, 1440, &v, &present) != 0)
		return -1;
	if (present)
		h->day_to = (int)v;
	if (h->day_from >= h->day_to)
		return app_fail(r, APP_EINVALID, "invalid_window", "day_to");
	json_t *items = json_object_get(in, "item_ids");
	if (!items)
		return 0;
	h->items_given = true;
	h->nitems = 0;
	if (json_is_null(items))
		return 0;
	if (!json_is_array(items))
		return app_fail(r, APP_EBADREQ, "wrong_type", "item_ids");
	if (json_array_size(items) > HOTLINE_ITEMS_MAX)
		return app_fail(r, APP_EINVALID, "too_long", "item_ids");
	size_t i;
	json_t *e;
	json_array_foreach(items, i, e) {
		if (!json_is_integer(e) || json_integer_value(e) <= 0)
			return app_fail(r, APP_EBADREQ, "wrong_type", "item_ids");
		int64_t id = json_integer_value(e);
		bool dup = false;
		for (size_t k = 0; k < h->nitems; k++)
			dup = dup || h->items[k] == id;
		if (dup)
			continue;
		struct store_stmt *st = store_prepare(r->store, "SELECT 1 FROM menu_items WHERE id = $1");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_int(st, 1, id);
		int rc = store_step(st);
		store_done(st);
		if (rc == STORE_DONE)
			return app_fail(r, APP_EINVALID, "menu_item_not_found", "item_ids");
		if (rc != STORE_ROW)
			return app_store_fail(r, rc);
		h->items[h->nitems++] = id;
	}
	return 0;
}

static int hotline_items_write(struct store *s, int64_t id, const struct hotline_spec *h)
{
	int rc = app_exec_ints(s, "DELETE FROM menu_hotline_items WHERE hotline_id = $1 AND $2 = $2", id, 0);
	for (size_t i = 0; rc == STORE_OK && i < h->nitems; i++)
		rc = app_exec_ints(s, "INSERT INTO menu_hotline_items (hotline_id, item_id) VALUES ($1, $2)", id,
				   h->items[i]);
	return rc;
}

int menu_hotline_write(struct app_req *r, struct store *s, const struct hotline_spec *h, int64_t *id)
{
	bool create = *id == 0;
	struct store_stmt *st = store_prepare(s, create ?
		"INSERT INTO menu_hotlines (number, name, org_id, weekdays, day_from, day_to, created_at, updated_at)"
		" VALUES ($2, $3, $4, $5, $6, $7, $8, $8) RETURNING id, CAST($1 AS BIGINT)" :
		"UPDATE menu_hotlines SET number = $2, name = $3, org_id = $4, weekdays = $5, day_from = $6,"
		" day_to = $7, updated_at = $8 WHERE id = $1 RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, *id);
	store_bind_text(st, 2, h->number);
	store_bind_text(st, 3, h->name);
	store_bind_int(st, 4, h->org_id);
	store_bind_int(st, 5, h->weekdays);
	store_bind_int(st, 6, h->day_from);
	store_bind_int(st, 7, h->day_to);
	store_bind_int(st, 8, app_now());
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*id = store_col_int(st, 0);
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	if (h->items_given && (rc = hotline_items_write(s, *id, h)) != STORE_OK)
		return rc;
	return audit_write_text(r, s, create ? "menu.hotline_create" : "menu.hotline_update", "menu_hotline", *id,
				r->who ? r->who->org_id : 0, r->who ? r->who->org_path : NULL, NULL);
}

struct hotline_tx {
	struct app_req *r;
	struct hotline_spec *h;
	int64_t id;
};

static int hotline_tx(struct store *s, void *vctx)
{
	struct hotline_tx *c = vctx;
	return menu_hotline_write(c->r, s, c->h, &c->id);
}

/* 409 hotline_number_taken when another active hotline has the number. */
static int number_free(struct app_req *r, const char *number, int64_t self)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT id FROM menu_hotlines WHERE number = $1 AND status = 'active' AND id <> $2");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, number);
	store_bind_int(st, 2, self);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_ROW)
		return app_fail(r, APP_ECONFLICT, "hotline_number_taken", "number");
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

int catalog_hotline_create(struct app_req *r, json_t *in, json_t **out)
{
	struct hotline_spec h = { .weekdays = 127, .day_to = 1440 };
	struct hotline_tx c = { .r = r, .h = &h };
	if (authz_check(r, AUTHZ_MENU_WRITE, NULL) != 0 || hotline_spec_read(r, in, &h, true) != 0 ||
	    number_free(r, h.number, 0) != 0)
		return -1;
	int rc = store_tx(r->store, hotline_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return catalog_hotline_get(r, c.id, out);
}

int catalog_hotline_update(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	struct hotline_spec h;
	struct hotline_tx c = { .r = r, .h = &h, .id = id };
	if (authz_check(r, AUTHZ_MENU_WRITE, NULL) != 0 || hotline_spec_load(r, id, &h) != 0)
		return -1;
	if (json_object_get(in, "status"))
		return app_fail(r, APP_EINVALID, "not_editable", "status");
	if (hotline_spec_read(r, in, &h, false) != 0 || number_free(r, h.number, id) != 0)
		return -1;
	int rc = store_tx(r->store, hotline_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return catalog_hotline_get(r, id, out);
}

int catalog_hotline_retire(struct app_req *r, int64_t id, json_t **out)
{
	struct hotline_spec h;
	struct status_tx c = { r, id, "active", "retired", "menu_hotlines", "menu.hotline_retire", "menu_hotline" };
	if (authz_check(r, AUTHZ_MENU_WRITE, NULL) != 0 || hotline_spec_load(r, id, &h) != 0 ||
	    status_move(r, &c, "hotline_retired") != 0)
		return -1;
	return catalog_hotline_get(r, id, out);
}
