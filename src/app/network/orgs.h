/* Organisations: the four-level network every scope is cut from. Create,
 * read, list, edit, move and dissolve within the caller's subtree, and the
 * subtree with its counts in one call. Nothing is ever deleted. */
#ifndef ZY_ORGS_H
#define ZY_ORGS_H
#include "app/network/network.h"
#include "store/store.h"

struct orgs_query {
	const char *limit, *cursor, *parent_id, *kind, *q, *status;   /* raw or NULL */
};

/* GET /organizations/{id}. */
int orgs_get(struct app_req *r, int64_t id, json_t **out);
/* GET /organizations: the caller's subtree, in id order, paged. */
int orgs_list(struct app_req *r, const struct orgs_query *q, json_t **out);
/* PATCH /organizations/{id}: details and status active/suspended. */
int orgs_update(struct app_req *r, int64_t id, json_t *in, json_t **out);
/* POST /organizations/{id}/move {"parent_id"}: re-parents the subtree. */
int orgs_move(struct app_req *r, int64_t id, json_t *in, json_t **out);
/* POST /organizations/{id}/dissolve: refused (409 org_not_empty) while
 * active child organisations or volunteers remain. */
int orgs_dissolve(struct app_req *r, int64_t id, json_t **out);
struct orgs_search_query {
	const char *q, *kind, *status, *limit;   /* raw or NULL */
};
/* GET /organizations/search: {"items":[{…,"path_names":[…]}],"more":bool},
 * the caller's subtree ranked for a picker (orgsearch.c). kind is a
 * comma-separated list; dissolved organisations only when asked for. */
int orgs_search(struct app_req *r, const struct orgs_search_query *q, json_t **out);
/* Rewrites the search columns (path_names, initials, search_text) of the
 * organisation at path and everything below it, inside the caller's
 * transaction; path "" means all. Returns a STORE_ code. */
int orgs_reindex(struct store *s, const char *path);
/* Where orgs_search_columns hands each organisation's search columns:
 * orgs.c's one writer of them. Returns STORE_OK or an error rc. */
typedef int (*orgs_search_put)(struct store *s, int64_t id, const char *names, const char *initials,
			       const char *text, const char *sort_key);
/* orgsearch.c: computes the search columns of the organisation at path
 * and everything below it (path "" means all), parents first, and hands
 * each row to put, inside the caller's transaction. Returns a STORE_ code. */
int orgs_search_columns(struct store *s, const char *path, orgs_search_put put);
/* GET /organizations/{id}/tree: {"summary":{counts…},"nodes":[…]}. */
int orgs_tree(struct app_req *r, int64_t id, json_t **out);


#endif
