/* The life of a volunteer file: deactivation and reactivation, moving
 * the home organisation (transfer); volwriter.c writes the rows. */
#include "app/network/volunteers.h"
#include "app/network/volunteers_int.h"
#include "app/network/volwriter.h"
#include "app/kernel/kernel.h"
#include "util/arena.h"
#include <assert.h>
#include <string.h>

static int status_tx(struct store *s, void *vctx)
{
	struct vol_change *c = vctx;
	int rc = volwriter_status_set(s, c->id, c->status, app_now());
	if (rc != STORE_OK)
		return rc;
	return audit_write(c->r, s, c->action, "volunteer", c->id, c->org_id, c->org_path, c->detail);
}

int volunteers_set_active(struct app_req *r, int64_t id, bool active, json_t *in, json_t **out)
{
	struct store_stmt *st;
	const char *reason = NULL;
	if (vol_load(r, id, AUTHZ_VOLUNTEERS_WRITE, &st) != 0)
		return -1;
	struct vol_change c = { .r = r, .id = id, .org_id = store_col_int(st, 22),
				.org_path = arena_strdup(r->arena, store_col_text(st, 26)),
				.status = active ? "active" : "inactive",
				.action = active ? "volunteer.reactivate" : "volunteer.deactivate" };
	const char *now = arena_strdup(r->arena, store_col_text(st, 21));
	store_done(st);
	if (in && in_text(r, in, "reason", !active, 200, &reason) != 0)
		return -1;
	if (strcmp(now, "deleted") == 0)
		return app_fail(r, APP_ECONFLICT, "volunteer_deleted", NULL);
	if (strcmp(now, c.status) == 0)
		return app_fail(r, APP_ECONFLICT, active ? "already_active" : "already_inactive", NULL);
	c.detail = reason ? json_pack("{ss}", "reason", reason) : NULL;
	int rc = store_tx(r->store, status_tx, &c);
	json_decref(c.detail);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return volunteers_get(r, id, out);
}

static int transfer_tx(struct store *s, void *vctx)
{
	struct vol_change *c = vctx;
	/* one open membership per person: a move to where they are would end
	 * it and open its twin (callers refuse same_org first) */
	assert(c->new_org != c->org_id && c->new_org > 0);
	const char *today = app_today(c->r);
	int rc = volwriter_transfer(s, c->id, c->new_org, c->role, c->new_region, today, app_now());
	if (rc != STORE_OK)
		return rc;
	json_t *detail = json_pack("{sI sI}", "from_org_id", (json_int_t)c->org_id, "to_org_id",
				   (json_int_t)c->new_org);
	/* both scopes see the move */
	rc = audit_write(c->r, s, "volunteer.transfer_out", "volunteer", c->id, c->org_id, c->org_path, detail);
	if (rc == STORE_OK)
		rc = audit_write(c->r, s, "volunteer.transfer_in", "volunteer", c->id, c->new_org, c->new_path, detail);
	json_decref(detail);
	return rc;
}

int volunteers_move_home(struct app_req *r, struct store *s, int64_t id, int64_t from_org,
			 const char *from_path, int64_t to_org, const char *to_path, const char *to_region)
{
	struct vol_change c = { .r = r, .id = id, .org_id = from_org, .org_path = from_path,
				.new_org = to_org, .new_path = to_path, .new_region = to_region,
				.role = "member" };
	return transfer_tx(s, &c);
}

int volunteers_transfer(struct app_req *r, int64_t id, json_t *in, json_t **out)
{
	struct store_stmt *st;
	if (vol_load(r, id, AUTHZ_VOLUNTEERS_WRITE, &st) != 0)
		return -1;
	struct vol_change c = { .r = r, .id = id, .org_id = store_col_int(st, 22),
				.org_path = arena_strdup(r->arena, store_col_text(st, 26)), .role = "member" };
	bool deleted = strcmp(store_col_text(st, 21), "deleted") == 0;
	store_done(st);
	if (in_id(r, in, "org_id", true, &c.new_org, NULL) != 0 ||
	    in_text(r, in, "role", false, 20, &c.role) != 0)
		return -1;
	if (!c.role)
		c.role = "member";
	if (deleted)
		return app_fail(r, APP_ECONFLICT, "volunteer_deleted", NULL);
	if (c.new_org == c.org_id)
		return app_fail(r, APP_EINVALID, "same_org", "org_id");
	struct vol target = { .org_id = c.new_org };
	if (vol_home_org(r, r->store, &target, true) != 0)
		return -1;
	c.new_path = target.org_path;
	c.new_region = target.org_region;
	int rc = store_tx(r->store, transfer_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return volunteers_get(r, id, out);
}
