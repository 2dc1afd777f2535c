/* Private to the dispatch rooms of app/menu (suggest.c, dispatch.c,
 * escalate.c): an order as sending volunteers needs it, read with its
 * sub-item and holding organisation. The orders table is orderbook.c's to
 * write; these only read it. */
#ifndef ZY_MENU_DISPATCH_INT_H
#define ZY_MENU_DISPATCH_INT_H
#include "app/menu/menu.h"

struct order_ref {
	int64_t id, org_id, menu_item_id, preferred_from, preferred_to, started_at, activity_id;
	enum order_status status;
	const char *org_path, *region, *item_name, *skills, *certs, *requester_name;
	bool needs_social_worker;
};

/* The order id read on s with what dispatch needs (strings in r->arena):
 * 404 not_found when there is none, then the authorisation of action on
 * its holding organisation (none when action < 0). Returns 0 or -1 with
 * r->err set. */
int dispatch_order_load(struct app_req *r, struct store *s, int64_t id, int action, struct order_ref *o);

/* The JSON array text of strings (skills, certificates: '["急救"]') as a
 * list in r->arena; *n its length. Bad text is an empty list. */
const char **dispatch_tags(struct app_req *r, const char *json_text, size_t *n);

/* Most candidates suggest.c reads per region ring, and per required skill
 * beyond the rings (docs/performance.md: what these cost). */
#define SUGGEST_RING_MAX 150
#define SUGGEST_SKILL_MAX 60
/* Suggestions answered at most (?limit= up to this). */
#define SUGGEST_LIMIT_MAX 100
/* Volunteers one request may assign at most. */
#define ASSIGN_MAX 20
/* Days of service counted as "recent load". */
#define SUGGEST_RECENT_DAYS 30

#endif
