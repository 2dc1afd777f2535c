/* Private to the menu's catalog files (catalog.c, menutree.c,
 * menuload.c): an item or hotline as validated input, the writers
 * menuload.c shares with the API (catalog.c is their one home), and the
 * readers catalog.c shares with menutree.c. */
#ifndef ZY_MENU_CATALOG_INT_H
#define ZY_MENU_CATALOG_INT_H
#include "app/kernel/kernel.h"

#define MENU_NAME_MAX 100
#define MENU_DESCRIPTION_MAX 2000
#define MENU_PROVIDERS_MAX 50
#define HOTLINE_ITEMS_MAX 200

/* A menu item's fields: defaults (menu_spec_defaults) or the stored
 * item (menu_spec_load), then what the input gives (menu_spec_read). The
 * JSON texts are malloc'd (menu_spec_free); NULL is "[]". */
struct menu_spec {
	int64_t parent_id;
	int level;
	const char *name, *description;
	int64_t position;
	bool position_given;
	char *skills, *certificates, *regions, *groups;
	int64_t duration;   /* 0: none */
	int weekdays, day_from, day_to;
	bool needs_sw;
	bool providers_given;
	size_t nproviders;
	int64_t providers[MENU_PROVIDERS_MAX];
};
void menu_spec_defaults(struct menu_spec *m);
void menu_spec_free(struct menu_spec *m);
/* Reads the input's fields over *m (create: name required); each field
 * only when given. 400/422 naming the field, or 0. */
int menu_spec_read(struct app_req *r, json_t *in, struct menu_spec *m, bool create);
/* The stored item id into *m (404 not_found). menutree.c. */
int menu_spec_load(struct app_req *r, int64_t id, struct menu_spec *m);
/* Writers inside the caller's transaction (catalog.c): a new item under
 * m->parent_id at m->level (appended after its siblings unless
 * position_given), or new fields of item id; each with its providers
 * (when given) and an audit entry. Store rc. */
int menu_item_insert(struct app_req *r, struct store *s, struct menu_spec *m, int64_t *id);
int menu_item_change(struct app_req *r, struct store *s, int64_t id, const struct menu_spec *m);

struct hotline_spec {
	const char *number, *name;
	int64_t org_id;
	int weekdays, day_from, day_to;
	bool items_given;
	size_t nitems;
	int64_t items[HOTLINE_ITEMS_MAX];
};
int hotline_spec_read(struct app_req *r, json_t *in, struct hotline_spec *h, bool create);
/* The stored hotline id into *h, its items included (404). menutree.c. */
int hotline_spec_load(struct app_req *r, int64_t id, struct hotline_spec *h);
/* Inserts (*id == 0) or rewrites hotline *id with its items (when given)
 * and an audit entry, inside the caller's transaction. Store rc. */
int menu_hotline_write(struct app_req *r, struct store *s, const struct hotline_spec *h, int64_t *id);
/* One hotline as the API shows it (404). menutree.c. */
int catalog_hotline_get(struct app_req *r, int64_t id, json_t **out);

#endif
