/* Ratings, cases and the menu statistics (评菜), for http/: the module
 * header of ratings.c (the one writer of order_ratings and order_cases)
 * and stats.c. Each use case validates, authorises and runs in one
 * transaction; inputs and results are shaped like docs/openapi.json. */
#ifndef ZY_MENU_RATINGS_H
#define ZY_MENU_RATINGS_H
#include "app/kernel/kernel.h"

/* The requester rates a delivered order through its tracking code
 * ({"stars":1..5,"comment","complaint"}): 404 for an unknown code, 409
 * already_rated for a second rating, 409 not_delivered before delivery.
 * 1–2 stars or a complaint open a case. */
int ratings_public_rate(struct app_req *r, const char *tracking_code, json_t *in, json_t **out);
/* An operator records a rating the requester gave on the phone (channel
 * "phone", recorded_by the operator); same rules, scoped to the order. */
int ratings_phone_rate(struct app_req *r, int64_t order_id, json_t *in, json_t **out);
/* An operator records a complaint about an order ({"details"}): opens a
 * case of kind "complaint". */
int cases_complain(struct app_req *r, int64_t order_id, json_t *in, json_t **out);
/* The cases of the caller's subtree (or ?org_id='s), newest first;
 * status "open", "closed" or NULL for both. */
int cases_list(struct app_req *r, const char *org_s, const char *status, const char *limit_s,
	       const char *cursor_s, json_t **out);
/* One case with its order's rating and the service records its delivery
 * made (with their amendments), for the one who closes it. */
int cases_get(struct app_req *r, int64_t id, json_t **out);
/* Closes an open case ({"outcome","amendment_id"}): amendment_id, when
 * given, names an amendment (made through POST /records/{id}/amendments)
 * of one of the order's records. */
int cases_close(struct app_req *r, int64_t id, json_t *in, json_t **out);
/* The quality the ratings suggest for records (?record_ids=1,2,…, at
 * most 200): one item per record of the caller's scope whose order was
 * rated, for the approval page. */
int ratings_quality(struct app_req *r, const char *record_ids, json_t **out);

/* stats.c: per sub-item, item, provider and region, orders created in
 * from..to (China days YYYY-MM-DD, both included; default the last 30
 * days) in the subtree of org_id (default the caller's). */
int menu_stats(struct app_req *r, const char *org_s, const char *from_s, const char *to_s, json_t **out);
/* The same as a CSV for spreadsheets (UTF-8 with a BOM, CRLF lines): a
 * totals row, then one row per group of each list; headers in Chinese or
 * English (en). Appends to out (the caller owns it). */
struct buf;
int menu_stats_csv(struct app_req *r, const char *org_s, const char *from_s, const char *to_s, bool en,
		   struct buf *out);

#endif
