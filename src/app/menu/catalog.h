/* The menu's use cases (备菜) for http/ and main.c: menu items (category →
 * item → sub-item) with their providers, hotlines, the staff and public
 * trees, and loading a menu file. catalog.c is the one writer of
 * menu_items, menu_item_providers, menu_hotlines and menu_hotline_items;
 * menutree.c reads them; menuload.c turns a menu file into catalog.c's
 * writes. */
#ifndef ZY_MENU_CATALOG_H
#define ZY_MENU_CATALOG_H
#include "app/kernel/kernel.h"

/* POST /menu/items: {"name","parent_id"|null,…} → the item with its
 * level (1–3; under a sub-item 422 menu_too_deep). */
int catalog_item_create(struct app_req *r, json_t *in, json_t **out);
/* PATCH /menu/items/{id}: any field but parent_id. */
int catalog_item_update(struct app_req *r, int64_t id, json_t *in, json_t **out);
/* POST /menu/items/{id}/retire and /restore: the item leaves the public
 * menu (with what lies under it) or comes back; its rows and the orders
 * naming it stay. */
int catalog_item_retire(struct app_req *r, int64_t id, json_t **out);
int catalog_item_restore(struct app_req *r, int64_t id, json_t **out);
/* GET /menu/items/{id}: one item as the editor shows it. */
int catalog_item_get(struct app_req *r, int64_t id, json_t **out);
/* GET /menu/items: the whole tree, retired items included (staff). */
int catalog_tree(struct app_req *r, json_t **out);

/* POST /menu/hotlines, PATCH /menu/hotlines/{id}, POST …/retire, GET
 * /menu/hotlines (all, retired included). */
int catalog_hotline_create(struct app_req *r, json_t *in, json_t **out);
int catalog_hotline_update(struct app_req *r, int64_t id, json_t *in, json_t **out);
int catalog_hotline_retire(struct app_req *r, int64_t id, json_t **out);
int catalog_hotlines(struct app_req *r, json_t **out);

/* GET /public/menu: the active tree with the active hotlines, no login
 * (r needs an arena and a store, no principal). */
int catalog_public(struct app_req *r, json_t **out);

#endif
