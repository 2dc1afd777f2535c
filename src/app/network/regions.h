/* Regions: GB/T 2260 and 12-digit statistical codes with names, validity
 * dates and household population per year, so coverage (registered
 * volunteers ÷ household population) can be reported for any region. */
#ifndef ZY_REGIONS_H
#define ZY_REGIONS_H
#include "app/kernel/app.h"
#include <stddef.h>

/* The network domain is the one writer of regions and region_population.
 * Each function runs its own transaction on r->store; 0, or -1 with
 * r->err set. */

/* GET /regions?parent=&q=&limit=&cursor=: regions by code, paged. */
int regions_list(struct app_req *r, const char *parent_code, const char *q, const char *limit,
		 const char *cursor, json_t **out);
/* One region with population by year, registered volunteers living there
 * and coverage. */
int regions_get(struct app_req *r, const char *code, json_t **out);
/* POST /regions (regions_write): a new code. */
int regions_create(struct app_req *r, json_t *in, json_t **out);
/* PATCH /regions/{code}: name and validity dates. */
int regions_update(struct app_req *r, const char *code, json_t *in, json_t **out);
/* PUT /regions/{code}/population/{year} {"household_population"}. */
int regions_set_population(struct app_req *r, const char *code, const char *year, json_t *in, json_t **out);
/* Imports a CSV/XLSX table with the columns code, name, parent_code,
 * valid_from, valid_to, population_year, household_population (or their
 * Chinese names). Parents are applied before children whatever the row
 * order. Returns 0 with a report, or -1 when the file as a whole is
 * unusable. */
int regions_import(struct app_req *r, const void *data, size_t len, json_t **out);

/* GET /public/regions: the children of parent_code (default: the root
 * organisation's region) with code, name, level and has_children only, at
 * most REGIONS_PUBLIC_MAX, for pickers on public pages. */
#define REGIONS_PUBLIC_MAX 1000
#define REGIONS_PUBLIC_MAX_S "1000"
int regions_public_children(struct app_req *r, const char *parent_code, json_t **out);
/* First start: loads the shipped region table (data/regions/wenjiang.csv,
 * compiled in) when the root organisation's region lies in its district
 * and none of the district's towns is known yet. *loaded is the number of
 * regions added. r needs an arena and a store, no principal. */
int regions_seed(struct app_req *r, int *loaded);
/* The shipped codes of one level (4 towns, 5 communities) under prefix,
 * in file order, at most max. For the demo generator. */
size_t regions_builtin_codes(const char *prefix, int level, char (*out)[13], size_t max);
/* The demo generator's district of scale times the people: multiplies the
 * shipped 2015 household population of the district (510115) by factor,
 * inside the caller's transaction on s. Returns STORE_OK or an error rc. */
int regions_population_scale(struct store *s, int factor);

#endif
