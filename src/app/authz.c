/* Role and scope rules. Admins, recorders and clerks act within the
 * subtree of their organisation; the rules per action are in the table
 * below so they can be read in one place. */
#include "app/authz.h"
#include "core/validate.h"
#include <string.h>

static const struct {
	enum authz_action action;
	int roles;            /* any of these roles may; 0 = any signed-in user */
	bool scoped;          /* the target must be within the caller's subtree */
} rules[] = {
	{ AUTHZ_SELF, 0, false },
	{ AUTHZ_USERS_READ, ROLE_ADMIN, true },
	{ AUTHZ_USERS_WRITE, ROLE_ADMIN, true },
	{ AUTHZ_AUDIT_READ, ROLE_ADMIN, true },
	{ AUTHZ_ORGS_READ, 0, true },
	{ AUTHZ_ORGS_WRITE, ROLE_ADMIN, true },
};

bool authz_in_scope(const struct principal *who, const char *target_path)
{
	size_t n = strlen(who->org_path);
	return strncmp(target_path, who->org_path, n) == 0;
}

int authz_check(struct app_req *r, enum authz_action action, const char *target_path)
{
	const struct principal *who = r->who;
	if (!who)
		return app_fail(r, APP_EUNAUTH, "unauthenticated", NULL);
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rules[i].action != action)
			continue;
		if (rules[i].roles && !(who->roles & rules[i].roles))
			return app_fail(r, APP_EFORBIDDEN, "forbidden", NULL);
		if (rules[i].scoped && target_path && !authz_in_scope(who, target_path))
			return app_fail(r, APP_EFORBIDDEN, "forbidden", NULL);
		return 0;
	}
	return app_fail(r, APP_EFORBIDDEN, "forbidden", NULL);
}
