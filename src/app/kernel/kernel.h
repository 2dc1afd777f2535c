/* The kernel of app/: what every domain's use cases share. It knows no
 * domain and calls none. This is the kernel's one public header: domains
 * include it and no other kernel header. It gathers the kernel's module
 * headers (app.h, authz.h, input.h, audit.h, secrets.h, sender.h,
 * throttle.h) rather than absorbing them, because the whole kernel is
 * the ground every domain stands on and http/ includes those rooms'
 * headers one by one. Not for other layers (http/ sees app.h).
 *
 * Rooms (one subject each):
 *   app.c       the application object, the request (app_req), errors
 *   auth.c      authentication of sessions and tokens, credential cache
 *   authz.c     the one authorisation decision (authz.h)
 *   input.c     readers of JSON input fields (input.h), table headers
 *   audit.c     the audit log (audit_write here, audit_list in audit.h)
 *   orgref.c    organisation references and list scopes
 *   clock.c     now, ISO times, China days
 *   text.c      LIKE patterns, masked names
 *   paging.c    ?limit=, ?cursor=, pages of rows
 *   rows.c      one row by id, columns as JSON, sequences, start-up fills
 *   idem.c      idempotency keys
 *   throttle.c  attempt throttles (throttle.h)
 *   secrets.c   tokens, digests, password hashes, sealing (secrets.h)
 *   sender.c    one-time codes to phones (sender.h)
 *
 * Transactions: a function taking a struct store *s runs inside the
 * caller's transaction on s and returns a store rc (STORE_OK, STORE_ROW,
 * STORE_DONE or an error); one taking only r runs its own statement or
 * transaction on r->store and returns 0 or -1 with r->err set. */
#ifndef ZY_APP_KERNEL_H
#define ZY_APP_KERNEL_H
#include "app/kernel/app.h"
#include "app/kernel/audit.h"
#include "app/kernel/authz.h"
#include "app/kernel/input.h"
#include "app/kernel/secrets.h"
#include "app/kernel/sender.h"
#include "app/kernel/throttle.h"
#include "store/store.h"

/* ---- app.c: the application object ---- */

/* The argon2id hash verified against for unknown usernames, so that a
 * wrong name costs as much as a wrong password; made once, on first use
 * (thread-safe). Owned by a. */
const char *app_dummy_hash(struct app *a);
/* How one-time codes reach phones (sender.h), chosen by --sms-sender;
 * owned by a. */
struct sender;
const struct sender *app_sender(struct app *a);

/* ---- audit.c: the audit log ---- */

/* Appends an audit entry inside the caller's transaction on s: actor
 * r->who (none when NULL), r->client_addr, now. org_id and org_path place
 * it in a scope; detail may be NULL (it is not stolen). Returns STORE_OK
 * or an error rc. */
int audit_write(struct app_req *r, struct store *s, const char *action,
		const char *target_type, int64_t target_id, int64_t org_id,
		const char *org_path, json_t *detail);
/* The same with the detail already as JSON text (or NULL): for hot paths
 * such as imports, where building a document per row showed up. */
int audit_write_text(struct app_req *r, struct store *s, const char *action,
		     const char *target_type, int64_t target_id, int64_t org_id,
		     const char *org_path, const char *detail);

/* ---- orgref.c: organisation references ---- */

/* Every domain scopes by the organisation tree; these read the orgs
 * table only (the network domain owns and writes it). What use cases need
 * to know of an organisation, its strings in r->arena. */
struct org_ref {
	const char *path, *name, *region, *status, *contact_name, *contact_phone;
};
/* An organisation by id read on s (inside the caller's transaction or
 * not). Returns STORE_ROW with *o filled, STORE_DONE when there is none,
 * or an error rc. */
int org_fetch(struct app_req *r, struct store *s, int64_t org_id, struct org_ref *o);
/* The same on r->store for the two fields most callers want (either may
 * be NULL). */
int org_lookup(struct app_req *r, int64_t org_id, const char **path, const char **name);
/* The organisation an input's org_id names, read on s: 422 org_not_found,
 * then the authorisation of action on it (none when action < 0), then 422
 * org_inactive when must_be_active. Returns 0 or -1. */
int org_target(struct app_req *r, struct store *s, int64_t org_id, int action, bool must_be_active,
	       struct org_ref *o);
/* The id of the root organisation (the district federation), read on
 * r->store. Returns 0, or -1 with r->err set. */
int app_root_org(struct app_req *r, int64_t *id);
/* The principal of command-line use cases (imports, exports, demo,
 * verify): an admin and recorder of the root organisation, named "cli". */
int app_cli_principal(struct app_req *r);
/* The subtree a list is cut to: the caller's, or that of ?org_id= when
 * given (400 malformed, 404 unknown, 403 outside the caller's scope for
 * action). *scope is an org path ("/1/7/") the list filters by prefix. */
int app_scope(struct app_req *r, const char *org_s, int action, const char **scope);

/* ---- clock.c: time ---- */

/* Unix seconds now. */
int64_t app_now(void);
/* The first second of day ymd (YYYYMMDD) in China (core/chinatime.h). */
int64_t app_day_start(int ymd);
/* Today's date in China (UTC+8, where every district using this runs) as
 * the number YYYYMMDD, and as "YYYY-MM-DD" in r->arena. */
int app_today_ymd(void);
const char *app_today(struct app_req *r);
/* ISO 8601 string in r->arena for unix seconds. */
const char *app_iso(struct app_req *r, int64_t t);

/* ---- text.c: search terms and masked names ---- */

/* A LIKE pattern matching text as a substring (wildcards in the text are
 * escaped with '\\', ASCII lower-cased), in r->arena; 400 naming field
 * when the text is empty, over 64 characters or not clean UTF-8. */
int app_like_pattern(struct app_req *r, const char *text, const char *field, const char **out);
/* The LIKE pattern (ESCAPE '\') for len bytes of text, wildcards escaped
 * and ASCII lower-cased: "%text%" when contains, else "text%" (starts
 * with); in r->arena. */
const char *app_like_term(struct app_req *r, const char *text, size_t len, bool contains);
/* A name partly masked for public pages, in r->arena: "张三丰" → "张*丰",
 * "李雷" → "李*". */
const char *app_mask_name(struct app_req *r, const char *name);

/* ---- paging.c: lists ---- */

/* A list page size from ?limit= (NULL → default 50; 1..200 allowed, else
 * 400 invalid_limit). */
int app_limit(struct app_req *r, const char *s, int *out);
/* A ?cursor= value (400 invalid_cursor when it does not decode); NULL →
 * 0 (start). */
int app_cursor(struct app_req *r, const char *s, int64_t *after);
/* Steps st (bound with LIMIT limit + 1, column 0 the row id) into
 * {"items":[row(…)…],"next_cursor":…} and finishes the statement.
 * Returns 0, or -1 with the store error set. */
int app_page(struct app_req *r, struct store_stmt *st, int limit,
	     json_t *(*row)(struct app_req *r, struct store_stmt *st), json_t **out);
/* Every row of a bound statement as {"items":[row(…), …]} (the statement
 * is finished either way). */
int app_items(struct app_req *r, struct store_stmt *st,
	      json_t *(*row)(struct app_req *r, struct store_stmt *st), json_t **out);

/* ---- rows.c: rows ---- */

/* Runs sql (whose $1 is id) on r->store and leaves the statement on the
 * row for the caller to read and store_done(): 404 when there is none,
 * then the authorisation of action on the organisation path in column
 * path_col (none when action < 0: the caller decides). sql must be a
 * string literal (statement cache). */
int app_load_row(struct app_req *r, const char *sql, int64_t id, int action, int path_col,
		 struct store_stmt **out);
/* The row sql (a string literal whose $1 is id) selects, as row() makes
 * it: 404 not_found when there is none. */
int app_get_row(struct app_req *r, const char *sql, int64_t id,
		json_t *(*row)(struct app_req *r, struct store_stmt *st), json_t **out);
/* An integer column as JSON, null for SQL NULL. */
json_t *col_id_json(struct store_stmt *st, int col);
/* Stored permission list ("a,b") as a JSON array of names. */
json_t *permissions_json(const char *csv);
/* Runs sql with $1 = a and $2 = b (ids, times) inside the caller's
 * transaction, for statements that return no rows. Returns STORE_OK or
 * an error rc. */
int app_exec_ints(struct store *s, const char *sql, int64_t a, int64_t b);
/* The next number of a sequence (1, 2, …) named scope, e.g. volunteer
 * numbers per county and year, certificates per region and year; inside
 * the caller's transaction (the number is the caller's once it commits).
 * Returns STORE_OK or an error rc. */
int app_next_seq(struct store *s, const char *scope, int64_t *seq);
/* At start (setup/): when probe (a string literal) finds a row, work is
 * left, and fill runs in a transaction of its own; logs "filled what" or
 * "cannot fill what". Returns 0 (nothing left or filled) or -1. */
int app_fill_pending(struct store *s, const char *probe, int (*fill)(struct store *s, void *ctx),
		     const char *what);
/* Forgets the start-up fills migrations asked for ('totals_pending',
 * 'stars_pending' in meta, which app.c owns) once setup/ has done them,
 * inside the caller's transaction. Returns STORE_OK or an error rc. */
int app_meta_clear_pending(struct store *s);

/* ---- idem.c: idempotency ---- */

/* What a request with Idempotency-Key key made before, inside the
 * caller's transaction: sql selects its id by $1 (the caller's user id)
 * and $2 (the key). STORE_ROW with *id, STORE_DONE when the key is new, or
 * the store's error. */
int app_idem_lookup(struct app_req *r, struct store *s, const char *sql, const char *key, int64_t *id);

/* ---- auth.c: the credential cache ---- */

/* A principal as authentication found it, with what the checks after the
 * lookup need. */
struct auth_cached {
	struct principal p;
	int64_t extra_id;        /* session or token id */
	int64_t expires_at;      /* sessions */
};
/* The cached principal of (kind, digest), its strings copied into
 * r->arena; false when absent, stale or older than the last change. */
bool auth_cache_get(struct app_req *r, int kind, const char *digest, struct auth_cached *out);
/* Remembers what a lookup found, unless the cache changed generation
 * since gen (taken before the lookup). */
void auth_cache_put(int kind, const char *digest, uint64_t gen, const struct auth_cached *v);
/* The cache's generation now: take it before a lookup and hand it to
 * auth_cache_put. */
uint64_t auth_cache_generation(void);
/* Drops every cached principal: call after a change to accounts,
 * sessions, tokens or organisations has committed (not inside the
 * transaction: a reader could cache the old row again before it
 * commits). */
void app_auth_changed(void);
/* Records that token token_id was used at now (to the minute), inside the
 * transaction app_authenticate opens for it. Returns STORE_OK or an error
 * rc (logged; the request goes on). */
typedef int (*app_token_touch_fn)(struct store *s, int64_t token_id, int64_t now);
/* The hook of a token's last use: the accounts domain (writer of
 * api_tokens) registers its writer from setup/start.c wire(), once,
 * before the first request; until then last use is not recorded. */
void app_auth_on_token_used(app_token_touch_fn touch);

/* ---- input.c: header rows of imported tables ---- */

/* A column of an imported table: its field and accepted header names. */
struct column_spec {
	const char *field;
	const char *names[6];
	bool required;
};
/* Finds each column in a header row (case-insensitive, trimmed); idx[c]
 * is -1 when absent. A missing required column is 422 missing_column
 * naming it. */
int app_map_columns(struct app_req *r, const char *const *cells, size_t n,
		    const struct column_spec *spec, int count, int *idx);

#endif
