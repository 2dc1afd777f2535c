/* The published menu as the handbook and the open-data export read it
 * (menudocs.c reads it, handbook and hsds.c write it out): the active
 * categories → items → sub-items in the order the menu shows them, with
 * their providers, the active hotlines with the sub-items they take, and
 * the organisations and region names these name. Private to app/menu. */
#ifndef ZY_MENUDOCS_INT_H
#define ZY_MENUDOCS_INT_H
#include "app/kernel/kernel.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MENUDOCS_MAX_ITEMS 3000      /* active menu entries read */
#define MENUDOCS_MAX_HOTLINES 1000
#define MENUDOCS_MAX_LINKS 30000     /* provider and hotline–sub-item pairs */

struct md_org {
	int64_t id, parent_id;        /* parent 0: the root */
	const char *name, *kind, *region_code, *address, *founded_on;
};

struct md_item {
	int64_t id, parent_id;
	int level;                    /* 1 category, 2 item, 3 sub-item */
	const char *name, *description;
	json_t *skills, *certificates, *regions, *groups;   /* arrays of strings (owned) */
	int64_t duration;             /* minutes, 0: not set */
	int weekdays, day_from, day_to;
	bool social_worker;
	int64_t updated_at;
	int64_t *providers;           /* org ids */
	size_t n_providers;
};

struct md_hotline {
	int64_t id, org_id;
	const char *number, *name;
	int weekdays, day_from, day_to;
	int64_t updated_at;
	int64_t *items;               /* sub-item ids it takes, in menu order */
	size_t n_items;
};

struct md_menu {
	struct md_item *items;        /* tree order: each category, its items, their sub-items */
	size_t n_items;
	struct md_hotline *hotlines;
	size_t n_hotlines;
	struct md_org *orgs;          /* providers, hotline organisations and their ancestors */
	size_t n_orgs;
	int64_t root_id;              /* the publishing organisation (the root) */
	int64_t updated_at;           /* latest change of an entry or hotline shown */
	int n_categories, n_entries2, n_sub;   /* shown entries of level 1, 2 and 3 */
};

/* Reads the published menu on r->store into *m (strings in r->arena).
 * Returns 0, or -1 with r->err set; menudocs_release frees the JSON. */
int menudocs_read(struct app_req *r, struct md_menu *m);
void menudocs_release(struct md_menu *m);

const struct md_org *menudocs_org(const struct md_menu *m, int64_t id);
const struct md_item *menudocs_item(const struct md_menu *m, int64_t id);
/* A region's name ("" when unknown), read on r->store, in r->arena. */
const char *menudocs_region_name(struct app_req *r, const char *code);
/* "周一至周五 08:00–18:00", "每天 全天": weekdays bits (bit 0 Monday)
 * and a window in minutes after midnight, in r->arena. */
const char *menudocs_when(struct app_req *r, int weekdays, int day_from, int day_to);
/* The label of a vulnerable group code ("elderly_alone" → "独居老人"),
 * the code itself when unknown. */
const char *menudocs_group_label(const char *code);

#endif
