/* The demo district and benchmark data: a synthetic district at the scale
 * of the Wenjiang model (DESIGN.md §6) — 1 federation, 11 associations,
 * 204 teams of which 39 professional, 114 workstations, 9 social-work
 * agencies and 64,318 volunteers times a scale — so a new user sees a
 * populated console and benchmarks have realistic data. Every person is
 * synthetic: names from lists, valid but made-up ID numbers. */
#ifndef ZY_DEMO_H
#define ZY_DEMO_H
#include "app/kernel/kernel.h"
#include <stdint.h>
#include <stdio.h>

#define DEMO_VOLUNTEERS 64318

/* Loads the district into an installation that has only its root
 * organisation (refused otherwise): the organisations, the household
 * population × scale, people volunteers (0: 64,318 × scale) and records
 * approved service records (activities of 50 people, 3 hours apart, going
 * back from a month ago; each in the chain and the totals). Progress
 * lines go to progress. */
int demo_load(struct app_req *r, int scale, int64_t people, int64_t records, FILE *progress);
/* Adds count movements to the points ledger of a loaded district (for
 * `zhiyuan check-ledger` at scale): grants of 5 points and deductions of
 * 3 by the root's adjustment account, taking turns over the volunteers,
 * so every balance stays positive. */
int demo_movements(struct app_req *r, int64_t count, FILE *progress);
/* Writes count synthetic volunteers as an import CSV (the template's
 * columns), starting at person number first so files can be disjoint. */
int demo_write_csv(FILE *out, int64_t first, int64_t count);

#endif
