/* The audit log: every write leaves an entry (actor, time, action, target,
 * client address) in the scope of the organisation it concerns; admins
 * read the entries of their subtree. */
#ifndef ZY_AUDIT_H
#define ZY_AUDIT_H
#include "app/kernel/app.h"

struct audit_query {
	const char *limit, *cursor;   /* raw query-string values or NULL */
	const char *action;           /* exact action name or NULL */
	const char *actor_id;         /* decimal id or NULL */
};

/* Lists entries newest first: {"items":[…],"next_cursor":…}. */
int audit_list(struct app_req *r, const struct audit_query *q, json_t **out);

#endif
