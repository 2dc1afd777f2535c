/* Role and scope rules. Admins, recorders and clerks act within the
 * subtree of their organisation; the rules per action are in the table
 * below so they can be read in one place. */
#include "app/kernel/authz.h"
#include "core/validate.h"
#include <string.h>

static const struct {
	enum authz_action action;
	int roles;            /* any of these roles may; 0 = any signed-in user */
	bool scoped;          /* the target must be within the caller's subtree */
	const char *permission;   /* an explicit grant needed besides the role */
	bool root_only;       /* only for staff of the root organisation */
} rules[] = {
	{ AUTHZ_SELF, 0, false, NULL, false },
	{ AUTHZ_USERS_READ, ROLE_ADMIN, true, NULL, false },
	{ AUTHZ_USERS_WRITE, ROLE_ADMIN, true, NULL, false },
	{ AUTHZ_AUDIT_READ, ROLE_ADMIN, true, NULL, false },
	{ AUTHZ_ORGS_READ, 0, true, NULL, false },
	{ AUTHZ_ORGS_WRITE, ROLE_ADMIN, true, NULL, false },
	{ AUTHZ_VOLUNTEERS_READ, ROLE_ADMIN | ROLE_RECORDER | ROLE_SOCIAL_WORKER | ROLE_CLERK, true, NULL, false },
	{ AUTHZ_VOLUNTEERS_WRITE, ROLE_ADMIN | ROLE_RECORDER, true, NULL, false },
	{ AUTHZ_ID_NUMBER_READ, ROLE_ADMIN | ROLE_RECORDER, true, "read_id_number", false },
	{ AUTHZ_REGIONS_WRITE, ROLE_ADMIN, false, NULL, true },
	{ AUTHZ_RECORDS_READ, ROLE_ADMIN | ROLE_RECORDER | ROLE_SOCIAL_WORKER, true, NULL, false },
	{ AUTHZ_RECORDS_WRITE, ROLE_ADMIN | ROLE_RECORDER, true, NULL, false },
	{ AUTHZ_RECORDS_APPROVE, ROLE_ADMIN | ROLE_RECORDER, true, NULL, false },
	{ AUTHZ_CERTIFICATES_REVOKE, ROLE_ADMIN, true, NULL, false },
	{ AUTHZ_POINTS_READ, ROLE_ADMIN | ROLE_CLERK | ROLE_SOCIAL_WORKER, true, NULL, false },
	{ AUTHZ_POINTS_ADJUST, ROLE_ADMIN, true, NULL, false },
	{ AUTHZ_POINTS_RULES, ROLE_ADMIN, true, NULL, false },
	{ AUTHZ_STARS_WRITE, ROLE_ADMIN, false, NULL, true },
	{ AUTHZ_MARKET_ADMIN, ROLE_ADMIN, true, NULL, false },
	{ AUTHZ_MARKET_COUNTER, ROLE_ADMIN | ROLE_CLERK, true, NULL, false },
	{ AUTHZ_VOUCHERS_ISSUE, ROLE_ADMIN | ROLE_CLERK | ROLE_SOCIAL_WORKER, true, NULL, false },
	{ AUTHZ_PROJECTS_WRITE, ROLE_ADMIN | ROLE_RECORDER | ROLE_SOCIAL_WORKER, true, NULL, false },
	{ AUTHZ_SHIFTS_STAFF, ROLE_ADMIN | ROLE_RECORDER | ROLE_SOCIAL_WORKER, true, NULL, false },
	{ AUTHZ_MAINTENANCE, ROLE_ADMIN, false, NULL, true },
	{ AUTHZ_JOINS_DECIDE, ROLE_ADMIN, true, NULL, false },
	{ AUTHZ_MENU_WRITE, ROLE_ADMIN, false, NULL, true },
	{ AUTHZ_ORDERS_READ, ROLE_ADMIN | ROLE_RECORDER | ROLE_SOCIAL_WORKER, true, NULL, false },
	{ AUTHZ_ORDERS_DISPATCH, ROLE_ADMIN | ROLE_RECORDER | ROLE_SOCIAL_WORKER, true, NULL, false },
	{ AUTHZ_ORDERS_CASES, ROLE_ADMIN, true, NULL, false },
};

bool authz_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list ? list : ""; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len + (comma ? 1 : 0);
	}
	return false;
}

bool authz_in_scope(const struct principal *who, const char *target_path)
{
	size_t n = strlen(who->org_path);
	return strncmp(target_path, who->org_path, n) == 0;
}

const char *authz_refusal(const struct principal *who, enum authz_action action, const char *target_path)
{
	if (!who)
		return "unauthenticated";
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rules[i].action != action)
			continue;
		if (rules[i].roles && !(who->roles & rules[i].roles))
			return "forbidden";
		if (rules[i].scoped && target_path && !authz_in_scope(who, target_path))
			return "out_of_scope";
		if (rules[i].permission && !authz_list_has(who->permissions, rules[i].permission))
			return "permission_required";
		if (rules[i].root_only && who->org_parent_id != 0)
			return "forbidden";
		return NULL;
	}
	return "forbidden";
}

int authz_check(struct app_req *r, enum authz_action action, const char *target_path)
{
	const char *why = authz_refusal(r->who, action, target_path);
	if (!why)
		return 0;
	if (strcmp(why, "unauthenticated") == 0)
		return app_fail(r, APP_EUNAUTH, "unauthenticated", NULL);
	/* outside the scope answers as any other refusal did before */
	return app_fail(r, APP_EFORBIDDEN, strcmp(why, "out_of_scope") == 0 ? "forbidden" : why, NULL);
}
