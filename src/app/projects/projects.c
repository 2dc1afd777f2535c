/* Projects: create, edit, the status flow and the public listing (see
 * projects.h). */
#include "app/projects/projects_api.h"
#include "app/projects/shifts_int.h"
#include "app/network/network.h"
#include "app/kernel/kernel.h"
#include "core/cursor.h"
#include "core/validate.h"
#include "util/arena.h"
#include <string.h>

#define SOCIAL_WORKERS_MAX 20

static const char *const domains[] = { "public_welfare", "social_construction", "social_governance",
				       "social_assistance" };

/* open places: what upcoming shifts still take before their deadline */
#define PROJ_COLUMNS "p.id, p.title, p.org_id, o.name, p.agency_org_id, g.name, p.domain, p.category, p.brand," \
	" p.description, p.beneficiaries, p.place, p.region_code, p.starts_on, p.ends_on, p.contact_name," \
	" p.contact_phone, p.status, p.created_at, p.published_at, o.path," \
	" (SELECT count(*) FROM shifts x WHERE x.project_id = p.id)," \
	" (SELECT COALESCE(SUM(x.capacity - x.confirmed), 0) FROM shifts x WHERE x.project_id = p.id" \
	"   AND x.signup_deadline > $2)," \
	" (SELECT MIN(x.starts_at) FROM shifts x WHERE x.project_id = p.id AND x.starts_at > $2)"
#define PROJ_FROM " FROM projects p JOIN orgs o ON o.id = p.org_id LEFT JOIN orgs g ON g.id = p.agency_org_id"

static json_t *project_json(struct app_req *r, struct store_stmt *st)
{
	json_t *o = json_pack("{sI ss sI ss so ss? ss ss sb ss ss ss ss ss? ss? ss? ss? ss ss sI sI}",
		"id", (json_int_t)store_col_int(st, 0),
		"title", store_col_text(st, 1),
		"org_id", (json_int_t)store_col_int(st, 2),
		"org_name", store_col_text(st, 3),
		"agency_org_id", col_id_json(st, 4),
		"agency_name", store_col_text(st, 5),
		"domain", store_col_text(st, 6),
		"category", store_col_text(st, 7),
		"brand", store_col_int(st, 8) != 0,
		"description", store_col_text(st, 9),
		"beneficiaries", store_col_text(st, 10),
		"place", store_col_text(st, 11),
		"region_code", store_col_text(st, 12),
		"starts_on", store_col_text(st, 13),
		"ends_on", store_col_text(st, 14),
		"contact_name", store_col_text(st, 15),
		"contact_phone", store_col_text(st, 16),
		"status", store_col_text(st, 17),
		"created_at", app_iso(r, store_col_int(st, 18)),
		"shift_count", (json_int_t)store_col_int(st, 21),
		"open_places", (json_int_t)store_col_int(st, 22));
	json_object_set_new(o, "published_at", store_col_null(st, 19) ? json_null()
			    : json_string(app_iso(r, store_col_int(st, 19))));
	json_object_set_new(o, "next_shift_at", store_col_null(st, 23) ? json_null()
			    : json_string(app_iso(r, store_col_int(st, 23))));
	return o;
}

/* What the public sees: no contact phone of a person, no internals. */
static json_t *public_json(struct app_req *r, struct store_stmt *st)
{
	json_t *o = project_json(r, st);
	json_object_del(o, "agency_org_id");
	json_object_del(o, "created_at");
	json_object_del(o, "shift_count");
	return o;
}

struct proj {
	struct app_req *r;
	int64_t id, org_id, agency_id;
	const char *title, *domain, *category, *description, *beneficiaries, *place, *region;
	const char *starts_on, *ends_on, *contact_name, *contact_phone, *path;
	bool brand;
	json_t *workers;          /* array of user ids (NULL: none) */
	bool set_workers;         /* whether the input names the social workers */
	bool region_given;        /* checked against the region table */
	bool has_agency;
};

/* The fields present in in, over what p holds (all of them on create). */
static int proj_input(struct app_req *r, json_t *in, struct proj *p, bool create)
{
	const char *s;
	bool present;
	struct { const char *field; size_t max; const char **dst; bool required; } texts[] = {
		{ "title", 100, &p->title, create }, { "domain", 30, &p->domain, create },
		{ "category", 20, &p->category, create }, { "description", 4000, &p->description, false },
		{ "beneficiaries", 200, &p->beneficiaries, false }, { "place", 200, &p->place, false },
		{ "region_code", 12, &p->region, false }, { "starts_on", 10, &p->starts_on, false },
		{ "ends_on", 10, &p->ends_on, false }, { "contact_name", 50, &p->contact_name, false },
		{ "contact_phone", 20, &p->contact_phone, false },
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (in_text(r, in, texts[i].field, texts[i].required, texts[i].max, &s) != 0)
			return -1;
		if (s)
			*texts[i].dst = s;
		else if (!create && json_is_null(json_object_get(in, texts[i].field)) &&
			 strcmp(texts[i].field, "title") && strcmp(texts[i].field, "domain") &&
			 strcmp(texts[i].field, "category"))
			*texts[i].dst = NULL;   /* an explicit null clears an optional field */
	}
	if (in_bool(r, in, "brand", &p->brand, NULL) != 0 ||
	    in_id(r, in, "agency_org_id", false, &p->agency_id, &present) != 0)
		return -1;
	if (present)
		p->has_agency = true;
	else if (json_is_null(json_object_get(in, "agency_org_id")))
		p->agency_id = 0, p->has_agency = true;
	size_t nd = sizeof(domains) / sizeof(domains[0]), k;
	for (k = 0; k < nd && strcmp(p->domain, domains[k]) != 0; k++)
		;
	if (k == nd)
		return app_fail(r, APP_EINVALID, "invalid_domain", "domain");
	int a = 0, b = 0;
	if (p->starts_on && !valid_date(p->starts_on, &a))
		return app_fail(r, APP_EINVALID, "invalid_day", "starts_on");
	if (p->ends_on && !valid_date(p->ends_on, &b))
		return app_fail(r, APP_EINVALID, "invalid_day", "ends_on");
	if (a && b && b < a)
		return app_fail(r, APP_EINVALID, "ends_before_start", "ends_on");
	if (p->contact_phone && !valid_contact_phone(p->contact_phone))
		return app_fail(r, APP_EINVALID, "invalid_phone", "contact_phone");
	p->region_given = in_has(in, "region_code");
	if (p->region && !valid_region_code(p->region))
		return app_fail(r, APP_EINVALID, "invalid_region_code", "region_code");
	json_t *w = json_object_get(in, "social_worker_ids");
	if (w && !json_is_null(w)) {
		if (!json_is_array(w))
			return app_fail(r, APP_EBADREQ, "wrong_type", "social_worker_ids");
		if (json_array_size(w) > SOCIAL_WORKERS_MAX)
			return app_fail(r, APP_EINVALID, "too_long", "social_worker_ids");
		size_t i;
		json_t *e;
		json_array_foreach(w, i, e)
			if (!json_is_integer(e) || json_integer_value(e) <= 0)
				return app_fail(r, APP_EBADREQ, "wrong_type", "social_worker_ids");
		p->workers = w;
		p->set_workers = true;
	} else if (w) {
		p->set_workers = true;   /* null: none */
	}
	return 0;
}

/* The references a project's input makes: the region, the partner agency
 * (a social-work agency, active) and its social workers (accounts with
 * that role, active). */
static int proj_refs(struct app_req *r, struct proj *p)
{
	struct store_stmt *st;
	int rc;
	if (p->region_given) {
		/* the table holds 12-digit codes: 510115 is 510115000000 there */
		char code12[13];
		if (!p->region || region_normalize(p->region, code12) != 0)
			return app_fail(r, APP_EINVALID, "region_not_found", "region_code");
		st = store_prepare(r->store, "SELECT 1 FROM regions WHERE code = $1");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_text(st, 1, code12);
		rc = store_step(st);
		store_done(st);
		if (rc == STORE_DONE)
			return app_fail(r, APP_EINVALID, "region_not_found", "region_code");
		if (rc != STORE_ROW)
			return app_store_fail(r, rc);
	}
	if (p->agency_id) {
		st = store_prepare(r->store, "SELECT kind, status FROM orgs WHERE id = $1");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_int(st, 1, p->agency_id);
		rc = store_step(st);
		bool ok = rc == STORE_ROW && strcmp(store_col_text(st, 0), "social_work_agency") == 0 &&
			  strcmp(store_col_text(st, 1), "active") == 0;
		store_done(st);
		if (rc != STORE_ROW && rc != STORE_DONE)
			return app_store_fail(r, rc);
		if (!ok)
			return app_fail(r, APP_EINVALID, "agency_not_found", "agency_org_id");
	}
	size_t i;
	json_t *e;
	json_array_foreach(p->workers, i, e) {
		st = store_prepare(r->store, "SELECT roles, status FROM users WHERE id = $1");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_int(st, 1, json_integer_value(e));
		rc = store_step(st);
		bool ok = rc == STORE_ROW && (roles_from_csv(store_col_text(st, 0)) & ROLE_SOCIAL_WORKER) &&
			  strcmp(store_col_text(st, 1), "active") == 0;
		store_done(st);
		if (rc != STORE_ROW && rc != STORE_DONE)
			return app_store_fail(r, rc);
		if (!ok)
			return app_fail(r, APP_EINVALID, "social_worker_not_found", "social_worker_ids");
	}
	return 0;
}

static int set_workers(struct store *s, struct proj *p)
{
	if (!p->set_workers)
		return STORE_OK;
	struct store_stmt *st = store_prepare(s, "DELETE FROM project_social_workers WHERE project_id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, p->id);
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_DONE)
		return rc;
	size_t i;
	json_t *e;
	json_array_foreach(p->workers, i, e) {
		st = store_prepare(s, "INSERT INTO project_social_workers (project_id, user_id) VALUES ($1, $2)"
				   " ON CONFLICT DO NOTHING");
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, p->id);
		store_bind_int(st, 2, json_integer_value(e));
		rc = store_step(st);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

static void bind_fields(struct store_stmt *st, struct proj *p)
{
	store_bind_text(st, 1, p->title);
	store_bind_id(st, 2, p->agency_id);
	store_bind_text(st, 3, p->domain);
	store_bind_text(st, 4, p->category);
	store_bind_int(st, 5, p->brand);
	store_bind_text(st, 6, p->description ? p->description : "");
	store_bind_text(st, 7, p->beneficiaries ? p->beneficiaries : "");
	store_bind_text(st, 8, p->place ? p->place : "");
	store_bind_text(st, 9, p->region);
	store_bind_text(st, 10, p->starts_on);
	store_bind_text(st, 11, p->ends_on);
	store_bind_text(st, 12, p->contact_name);
	store_bind_text(st, 13, p->contact_phone);
	store_bind_int(st, 14, app_now());
}

static int create_tx(struct store *s, void *vctx)
{
	struct proj *p = vctx;
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO projects (title, agency_org_id, domain, category, brand, description, beneficiaries,"
		" place, region_code, starts_on, ends_on, contact_name, contact_phone, created_at, updated_at,"
		" org_id, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14,"
		" $15, $16) RETURNING id");
	if (!st)
		return STORE_ERROR;
	bind_fields(st, p);
	store_bind_int(st, 15, p->org_id);
	store_bind_int(st, 16, p->r->who->user_id);
	int rc = store_step(st);
	p->id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	if ((rc = set_workers(s, p)) != STORE_OK)
		return rc;
	json_t *d = json_pack("{ss ss}", "title", p->title, "domain", p->domain);
	rc = audit_write(p->r, s, "project.create", "project", p->id, p->org_id, p->path, d);
	json_decref(d);
	return rc;
}

int projects_create(struct app_req *r, json_t *in, json_t **out)
{
	struct proj p = { .r = r };
	if (authz_check(r, AUTHZ_PROJECTS_WRITE, NULL) != 0 || in_id(r, in, "org_id", true, &p.org_id, NULL) != 0 ||
	    proj_input(r, in, &p, true) != 0)
		return -1;
	struct org_ref o;
	if (org_target(r, r->store, p.org_id, AUTHZ_PROJECTS_WRITE, true, &o) != 0)
		return -1;
	p.path = o.path;
	if (!p.region)
		p.region = o.region;
	if (proj_refs(r, &p) != 0)
		return -1;
	int rc = store_tx(r->store, create_tx, &p);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return projects_get(r, p.id, out);
}

static int load_current(struct app_req *r, int64_t id, struct proj *p)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT title, agency_org_id, domain, category, brand, description, beneficiaries, place, region_code,"
		" starts_on, ends_on, contact_name, contact_phone FROM projects WHERE id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc == STORE_ROW) {
		const char **f[] = { &p->title, NULL, &p->domain, &p->category, NULL, &p->description,
				     &p->beneficiaries, &p->place, &p->region, &p->starts_on, &p->ends_on,
				     &p->contact_name, &p->contact_phone };
		for (int i = 0; i < 13; i++)
			if (f[i] && !store_col_null(st, i))
				*f[i] = arena_strdup(r->arena, store_col_text(st, i));
		p->agency_id = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
		p->brand = store_col_int(st, 4) != 0;
	}
	store_done(st);
	return rc == STORE_ROW ? 0 : app_store_fail(r, rc);
}

static int update_tx(struct store *s, void *vctx)
{
	struct proj *p = vctx;
	struct store_stmt *st = store_prepare(s,
		"UPDATE projects SET title = $1, agency_org_id = $2, domain = $3, category = $4, brand = $5,"
		" description = $6, beneficiaries = $7, place = $8, region_code = $9, starts_on = $10, ends_on = $11,"
		" contact_name = $12, contact_phone = $13, updated_at = $14"
		" WHERE id = $15 AND status NOT IN ('completed', 'cancelled') RETURNING id");
	if (!st)
		return STORE_ERROR;
	bind_fields(st, p);
	store_bind_int(st, 15, p->id);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE) {
		/* completed or cancelled meanwhile */
		app_fail(p->r, APP_ECONFLICT, "invalid_transition", "status");
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	if ((rc = set_workers(s, p)) != STORE_OK)
		return rc;
	return audit_write(p->r, s, "project.update", "project", p->id, p->org_id, p->path, NULL);
}

int projects_update(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	struct project_ref ref;
	struct proj p = { .r = r, .id = id };
	if (project_access(r, id, AUTHZ_PROJECTS_WRITE, &ref) != 0 || load_current(r, id, &p) != 0)
		return -1;
	if (in_has(in, "org_id"))
		return app_fail(r, APP_EINVALID, "not_editable", "org_id");
	if (strcmp(ref.status, "completed") == 0 || strcmp(ref.status, "cancelled") == 0)
		return app_fail(r, APP_ECONFLICT, "invalid_transition", "status");
	if (proj_input(r, in, &p, false) != 0 || proj_refs(r, &p) != 0)
		return -1;
	if (!p.region)
		p.region = ref.region;
	p.org_id = ref.org_id;
	p.path = ref.path;
	int rc = store_tx(r->store, update_tx, &p);
	if (rc != STORE_OK)
		return r->err.code ? -1 : app_store_fail(r, rc);
	return projects_get(r, id, out);
}

static int workers_json(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT u.id, u.display_name, u.username FROM project_social_workers w JOIN users u ON u.id = w.user_id"
		" WHERE w.project_id = $1 ORDER BY u.id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	*out = json_array();
	int rc;
	while ((rc = store_step(st)) == STORE_ROW)
		json_array_append_new(*out, json_pack("{sI ss ss}", "id", (json_int_t)store_col_int(st, 0),
			"display_name", store_col_text(st, 1), "username", store_col_text(st, 2)));
	store_done(st);
	if (rc != STORE_DONE) {
		json_decref(*out);
		*out = NULL;
		return app_store_fail(r, rc);
	}
	return 0;
}

/* The project row as JSON (project_json or public_json) into *out. */
static int project_row(struct app_req *r, int64_t id, bool public, json_t **out)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT " PROJ_COLUMNS PROJ_FROM " WHERE p.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, app_now());
	int rc = store_step(st);
	bool shown = rc == STORE_ROW && (!public || strcmp(store_col_text(st, 17), "published") == 0 ||
					 strcmp(store_col_text(st, 17), "in_progress") == 0);
	if (shown)
		*out = public ? public_json(r, st) : project_json(r, st);
	store_done(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return app_store_fail(r, rc);
	return shown ? 0 : app_fail(r, APP_ENOTFOUND, "not_found", NULL);
}

int projects_get(struct app_req *r, int64_t id, json_t **out)
{
	struct project_ref ref;
	json_t *workers = NULL, *shifts = NULL;
	if (project_access(r, id, AUTHZ_RECORDS_READ, &ref) != 0)
		return -1;
	if (project_row(r, id, false, out) != 0)
		return -1;
	if (workers_json(r, id, &workers) != 0 || shifts_of_project(r, id, false, &shifts) != 0) {
		json_decref(workers);
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	json_object_set_new(*out, "social_workers", workers);
	json_object_set_new(*out, "shifts", shifts);
	/* every activity of the project, shifts' and others', with how many
	 * records hang off each */
	struct store_stmt *st = store_prepare(r->store,
		"SELECT a.id, a.name, a.starts_at, a.ends_at, a.place,"
		" (SELECT count(*) FROM service_records s WHERE s.activity_id = a.id AND s.amends_id IS NULL),"
		" (SELECT count(*) FROM shifts x WHERE x.activity_id = a.id)"
		" FROM activities a JOIN projects p ON p.id = a.project_id"
		" WHERE a.project_id = $1 AND a.org_id = p.org_id ORDER BY a.starts_at, a.id LIMIT 1000");
	if (!st) {
		json_decref(*out);
		*out = NULL;
		return app_store_fail(r, STORE_ERROR);
	}
	store_bind_int(st, 1, id);
	json_t *acts = json_array();
	while (store_step(st) == STORE_ROW)
		json_array_append_new(acts, json_pack("{sI ss ss ss ss sI sb}", "id", (json_int_t)store_col_int(st, 0),
			"name", store_col_text(st, 1), "starts_at", app_iso(r, store_col_int(st, 2)),
			"ends_at", app_iso(r, store_col_int(st, 3)), "place", store_col_text(st, 4),
			"records", (json_int_t)store_col_int(st, 5), "shift", store_col_int(st, 6) > 0));
	store_done(st);
	json_object_set_new(*out, "activities", acts);
	return 0;
}

int projects_list(struct app_req *r, const char *org_s, const char *status, const char *limit_s,
		  const char *cursor, json_t **out)
{
	int limit;
	int64_t after;
	const char *scope;
	if (authz_check(r, AUTHZ_RECORDS_READ, NULL) != 0 || app_limit(r, limit_s, &limit) != 0 ||
	    app_cursor(r, cursor, &after) != 0 || app_scope(r, org_s, AUTHZ_RECORDS_READ, &scope) != 0)
		return -1;
	if (status && strcmp(status, "draft") && strcmp(status, "published") && strcmp(status, "in_progress") &&
	    strcmp(status, "completed") && strcmp(status, "cancelled"))
		return app_fail(r, APP_EBADREQ, "invalid_value", "status");
	/* the caller's subtree, and the projects they are paired with */
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " PROJ_COLUMNS PROJ_FROM
		" WHERE (o.path LIKE $1 OR EXISTS (SELECT 1 FROM project_social_workers w WHERE w.project_id = p.id"
		"   AND w.user_id = $6))"
		" AND (CAST($3 AS TEXT) IS NULL OR p.status = $3) AND (CAST($4 AS BIGINT) = 0 OR p.id < $4)"
		" ORDER BY p.id DESC LIMIT $5");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, arena_printf(r->arena, "%s%%", scope));
	store_bind_int(st, 2, app_now());
	store_bind_text(st, 3, status);
	store_bind_int(st, 4, after);
	store_bind_int(st, 5, limit + 1);
	store_bind_int(st, 6, org_s ? 0 : r->who->user_id);
	return app_page(r, st, limit, project_json, out);
}

struct transition_ctx {
	struct app_req *r;
	struct project_ref *ref;
	const char *to;
	bool moved;
};

static int transition_tx(struct store *s, void *vctx)
{
	struct transition_ctx *c = vctx;
	/* the flow, checked against the row as it is now */
	struct store_stmt *st = store_prepare(s,
		"UPDATE projects SET status = $2, updated_at = $3,"
		" published_at = CASE WHEN $2 = 'published' THEN $3 ELSE published_at END"
		" WHERE id = $1 AND ((status = 'draft' AND $2 IN ('published', 'cancelled'))"
		"  OR (status = 'published' AND $2 IN ('in_progress', 'completed', 'cancelled'))"
		"  OR (status = 'in_progress' AND $2 IN ('completed', 'cancelled'))) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, c->ref->id);
	store_bind_text(st, 2, c->to);
	store_bind_int(st, 3, app_now());
	int rc = store_step(st);
	store_done(st);
	c->moved = rc == STORE_ROW;
	if (rc == STORE_DONE)
		return STORE_OK;
	if (rc != STORE_ROW)
		return rc;
	if (strcmp(c->to, "cancelled") == 0 && (rc = signups_cancel_project(s, c->ref->id)) != STORE_OK)
		return rc;
	json_t *d = json_pack("{ss ss}", "from", c->ref->status, "to", c->to);
	rc = audit_write(c->r, s, "project.status", "project", c->ref->id, c->ref->org_id, c->ref->path, d);
	json_decref(d);
	return rc;
}

int projects_transition(struct app_req *r, int64_t id, const char *to, json_t **out)
{
	struct project_ref ref;
	if (project_access(r, id, AUTHZ_PROJECTS_WRITE, &ref) != 0)
		return -1;
	struct transition_ctx c = { .r = r, .ref = &ref, .to = to };
	int rc = store_tx(r->store, transition_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	if (!c.moved)
		return app_fail(r, APP_ECONFLICT, "invalid_transition", "status");
	return projects_get(r, id, out);
}

int projects_public_list(struct app_req *r, const struct project_query *q, json_t **out)
{
	int limit, ymd = 0;
	int64_t after, org = 0;
	const char *like = NULL, *scope = NULL;
	if (app_limit(r, q->limit, &limit) != 0 || app_cursor(r, q->cursor, &after) != 0)
		return -1;
	if (q->q && app_like_pattern(r, q->q, "q", &like) != 0)
		return -1;
	if (q->date && !valid_date(q->date, &ymd))
		return app_fail(r, APP_EBADREQ, "invalid_day", "date");
	if (q->region && (!*q->region || strlen(q->region) > 12 || strspn(q->region, "0123456789") != strlen(q->region)))
		return app_fail(r, APP_EBADREQ, "invalid_region_code", "region");
	if (q->domain && strlen(q->domain) > 30)
		return app_fail(r, APP_EBADREQ, "invalid_domain", "domain");
	if (q->category && strlen(q->category) > 60)
		return app_fail(r, APP_EBADREQ, "invalid_value", "category");
	if (q->open && strcmp(q->open, "true") && strcmp(q->open, "false") && strcmp(q->open, "1") && strcmp(q->open, "0"))
		return app_fail(r, APP_EBADREQ, "invalid_value", "open");
	if (q->org_id) {
		if (parse_id(q->org_id, &org) != 0)
			return app_fail(r, APP_EBADREQ, "invalid_id", "org_id");
		int rc = org_lookup(r, org, &scope, NULL);
		if (rc == STORE_DONE)
			return app_fail(r, APP_ENOTFOUND, "not_found", "org_id");
		if (rc != STORE_ROW)
			return app_store_fail(r, rc);
	}
	bool open = q->open && (strcmp(q->open, "true") == 0 || strcmp(q->open, "1") == 0);
	int64_t day0 = ymd ? app_day_start(ymd) : 0;
	/* one text, every filter optional through its bound value */
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " PROJ_COLUMNS PROJ_FROM
		" WHERE p.status IN ('published', 'in_progress')"
		" AND (CAST($1 AS TEXT) IS NULL OR lower(p.title) LIKE $1 ESCAPE '\\' OR lower(p.description) LIKE $1 ESCAPE '\\')"
		" AND (CAST($3 AS TEXT) IS NULL OR p.domain = $3)"
		" AND (CAST($4 AS TEXT) IS NULL OR p.category = $4)"
		" AND (CAST($5 AS TEXT) IS NULL OR p.region_code LIKE $5)"
		" AND (CAST($6 AS TEXT) IS NULL OR o.path LIKE $6)"
		" AND (CAST($7 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM shifts x WHERE x.project_id = p.id"
		"   AND x.starts_at >= $7 AND x.starts_at < $7 + 86400))"
		" AND ($8 = 0 OR EXISTS (SELECT 1 FROM shifts x WHERE x.project_id = p.id AND x.signup_deadline > $2"
		"   AND x.confirmed < x.capacity))"
		" AND (CAST($9 AS BIGINT) = 0 OR p.id < $9)"
		" ORDER BY p.id DESC LIMIT $10");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, like);
	store_bind_int(st, 2, app_now());
	store_bind_text(st, 3, q->domain);
	store_bind_text(st, 4, q->category);
	store_bind_text(st, 5, q->region ? arena_printf(r->arena, "%s%%", q->region) : NULL);
	store_bind_text(st, 6, scope ? arena_printf(r->arena, "%s%%", scope) : NULL);
	store_bind_int(st, 7, day0);
	store_bind_int(st, 8, open);
	store_bind_int(st, 9, after);
	store_bind_int(st, 10, limit + 1);
	return app_page(r, st, limit, public_json, out);
}

int projects_public_get(struct app_req *r, int64_t id, json_t **out)
{
	json_t *shifts = NULL;
	if (project_row(r, id, true, out) != 0)
		return -1;
	if (shifts_of_project(r, id, true, &shifts) != 0) {
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	json_object_set_new(*out, "shifts", shifts);
	return 0;
}

int projects_agencies(struct app_req *r, json_t **out)
{
	if (authz_check(r, AUTHZ_PROJECTS_WRITE, NULL) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT o.id, o.name, o.region_code, u.id, u.display_name, u.username, u.roles"
		" FROM orgs o LEFT JOIN users u ON u.org_id = o.id AND u.status = 'active'"
		" WHERE o.kind = 'social_work_agency' AND o.status = 'active' ORDER BY o.id, u.id LIMIT 5000");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	json_t *items = json_array(), *cur = NULL;
	int64_t cur_id = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (!cur || store_col_int(st, 0) != cur_id) {
			cur_id = store_col_int(st, 0);
			cur = json_pack("{sI ss ss s[]}", "id", (json_int_t)cur_id, "name", store_col_text(st, 1),
					"region_code", store_col_text(st, 2), "social_workers");
			json_array_append_new(items, cur);
		}
		if (!store_col_null(st, 3) && (roles_from_csv(store_col_text(st, 6)) & ROLE_SOCIAL_WORKER)) {
			const char *dn = store_col_text(st, 4);
			json_array_append_new(json_object_get(cur, "social_workers"),
				json_pack("{sI ss}", "id", (json_int_t)store_col_int(st, 3),
					  "display_name", *dn ? dn : store_col_text(st, 5)));
		}
	}
	store_done(st);
	if (rc != STORE_DONE) {
		json_decref(items);
		return app_store_fail(r, rc);
	}
	*out = json_pack("{so}", "items", items);
	return 0;
}

int projects_wire(struct app *a)
{
	(void)a;
	return volunteers_on_leave(shifts_cancel_leaver);
}
