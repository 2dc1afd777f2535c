/* The person's own rights over their file (PIPL): export everything
 * held about them, and delete it (personal fields erased, what counts
 * kept). */
#include "app/network/volunteers.h"
#include "app/network/volunteers_int.h"
#include "app/network/volwriter.h"
#include "app/network/homes.h"
#include "app/kernel/kernel.h"
#include "app/accounts/accounts.h"
#include "util/arena.h"
#include <assert.h>

/* Everything held about a person: the file, memberships, the full ID for
 * the person themselves, and the audit entries about them. */
static int export_file(struct app_req *r, int64_t id, bool self, json_t **out)
{
	json_t *file;
	if (volunteers_get_unchecked(r, id, &file) != 0)
		return -1;
	if (self) {
		struct store_stmt *st = store_prepare(r->store, "SELECT id_sealed FROM volunteers WHERE id = $1");
		if (st) {
			store_bind_int(st, 1, id);
			char plain[256];
			if (store_step(st) == STORE_ROW && !store_col_null(st, 0) &&
			    secret_unseal(store_col_text(st, 0), plain, sizeof(plain)) == 0)
				json_object_set_new(file, "id_number", json_string(plain));
			store_done(st);
		}
	}
	json_t *log = json_array();
	struct store_stmt *st = store_prepare(r->store,
		"SELECT at, action, actor_username FROM audit_log WHERE target_type = 'volunteer'"
		" AND target_id = $1 ORDER BY id");
	if (st) {
		store_bind_int(st, 1, id);
		while (store_step(st) == STORE_ROW)
			json_array_append_new(log, json_pack("{ss ss ss?}", "at", app_iso(r, store_col_int(st, 0)),
				"action", store_col_text(st, 1), "actor", store_col_text(st, 2)));
		store_done(st);
	}
	*out = json_pack("{ss ss so so}", "format", "zhiyuan.volunteer-export.v1",
			 "exported_at", app_iso(r, app_now()), "volunteer", file, "history", log);
	return 0;
}

int volunteers_export(struct app_req *r, int64_t id, json_t **out)
{
	struct store_stmt *st;
	if (vol_load(r, id, AUTHZ_VOLUNTEERS_READ, &st) != 0)
		return -1;
	store_done(st);
	return export_file(r, id, false, out);
}

int volunteers_me_export(struct app_req *r, json_t **out)
{
	int64_t id;
	if (volunteers_mine_id(r, &id) != 0)
		return -1;
	return export_file(r, id, true, out);
}

/* The handlers higher domains registered for a volunteer leaving, in
 * registration order; written only at start (setup/start.c wire()),
 * read by every deletion after. */
static volunteers_leave_fn leave_hooks[VOLUNTEERS_LEAVE_MAX];
static int leave_hook_count;

int volunteers_on_leave(volunteers_leave_fn fn)
{
	assert(fn);
	for (int i = 0; i < leave_hook_count; i++)
		if (leave_hooks[i] == fn)
			return 0;   /* an application opened again in this process */
	if (leave_hook_count == VOLUNTEERS_LEAVE_MAX)
		return -1;
	leave_hooks[leave_hook_count++] = fn;
	return 0;
}

static int delete_tx(struct store *s, void *vctx)
{
	struct vol_change *c = vctx;
	/* the person deletes their own file: the login erased below is theirs */
	assert(c->r->who && c->id > 0);
	int rc = vol_unindex(c->r, s, c->id);
	if (rc != STORE_OK)
		return rc;
	rc = volwriter_erase(s, c->id, app_now());
	if (rc != STORE_OK)
		return rc;
	if ((rc = users_erase_login(s, c->r->who->user_id)) != STORE_OK)
		return rc;
	/* what higher domains hold of the person goes with them (projects:
	 * their places on shifts not yet over) */
	for (int i = 0; i < leave_hook_count; i++)
		if ((rc = leave_hooks[i](c->r, s, c->id)) != STORE_OK)
			return rc;
	/* a request to join somewhere goes with the person */
	rc = homes_withdraw_for(s, c->id, app_now());
	if (rc != STORE_OK)
		return rc;
	return audit_write(c->r, s, "volunteer.delete", "volunteer", c->id, c->org_id, c->org_path, NULL);
}

int volunteers_me_delete(struct app_req *r)
{
	int64_t id;
	if (volunteers_mine_id(r, &id) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store,
		"SELECT v.home_org_id, o.path FROM volunteers v JOIN orgs o ON o.id = v.home_org_id WHERE v.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, id);
	struct vol_change c = { .r = r, .id = id };
	if (store_step(st) == STORE_ROW) {
		c.org_id = store_col_int(st, 0);
		c.org_path = arena_strdup(r->arena, store_col_text(st, 1));
	}
	store_done(st);
	int rc = store_tx(r->store, delete_tx, &c);
	app_auth_changed();   /* cached principals may hold what changed */
	return rc == STORE_OK ? 0 : app_store_fail(r, rc);
}
