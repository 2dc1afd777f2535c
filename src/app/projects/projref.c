/* What use cases need to know of a project, with its authorisation
 * (see project_access in projects.h); shifts and projects both use it. */
#include "app/projects/projects_api.h"
#include "app/kernel/kernel.h"
#include "core/validate.h"
#include "util/arena.h"

int project_access(struct app_req *r, int64_t id, int action, struct project_ref *ref)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT p.org_id, o.path, p.status, p.title, p.region_code,"
		" (SELECT count(*) FROM project_social_workers w WHERE w.project_id = p.id AND w.user_id = $2)"
		" FROM projects p JOIN orgs o ON o.id = p.org_id WHERE p.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	store_bind_int(st, 2, r->who ? r->who->user_id : 0);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		return rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL) : app_store_fail(r, rc);
	}
	ref->id = id;
	ref->org_id = store_col_int(st, 0);
	ref->path = arena_strdup(r->arena, store_col_text(st, 1));
	ref->status = arena_strdup(r->arena, store_col_text(st, 2));
	ref->title = arena_strdup(r->arena, store_col_text(st, 3));
	ref->region = arena_strdup(r->arena, store_col_text(st, 4));
	bool paired = store_col_int(st, 5) > 0;
	store_done(st);
	if (action < 0)
		return 0;
	/* the social workers paired with a project act on it wherever their
	 * agency sits in the tree */
	if (paired && r->who && (r->who->roles & ROLE_SOCIAL_WORKER))
		return 0;
	return authz_check(r, (enum authz_action)action, ref->path);
}
