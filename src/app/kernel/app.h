/* The application layer: use cases with validation, authorisation and one
 * transaction each. Inputs and results are jansson documents shaped like
 * the public API (docs/openapi.json), so http/ only moves bytes; app/ never
 * sees a connection or a socket (docs/decisions.md explains the choice). */
#ifndef ZY_APP_H
#define ZY_APP_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct arena;
struct store;
struct store_pool;

/* What went wrong, in the API's terms; http/errors.c maps it to a status
 * code and a localised message. */
enum app_status {
	APP_OK = 0,
	APP_EBADREQ,        /* 400: malformed or wrong-typed input */
	APP_EUNAUTH,        /* 401 */
	APP_EFORBIDDEN,     /* 403 */
	APP_ENOTFOUND,      /* 404 */
	APP_ECONFLICT,      /* 409 */
	APP_EINVALID,       /* 422: well-formed input that breaks a rule */
	APP_ETHROTTLED,     /* 429 */
	APP_EINTERNAL,      /* 500 */
	APP_EUNAVAILABLE,   /* 503: the store cannot be reached */
};

struct app_error {
	enum app_status status;
	const char *code;       /* stable machine code, e.g. "invalid_phone" */
	const char *field;      /* offending input field, or NULL */
	int64_t retry_after;    /* seconds, for APP_ETHROTTLED */
	const char *detail;     /* extra text for the message (file errors) */
	const char *reason;     /* why, for codes that have several (weak_password) */
};

struct app_config {
	const char *db_url;
	const char *root_org_name;
	const char *root_region;
	int64_t session_ttl;          /* seconds */
	int account_free_failures;    /* login failures before back-off */
	int address_free_failures;
	int order_free_per_address;   /* public orders per address in 15 minutes (menu/orders.c) */
	const char *key_file;         /* sealing key; ZHIYUAN_KEY overrides */
	int record_granularity;       /* minutes records are rounded to */
	int record_daily_max;         /* minutes per volunteer per day */
	int voucher_points;           /* a voucher's value is a multiple of this (30) */
	/* shifts (shifts.c) */
	int shift_grace;              /* minutes two shifts of one person may overlap */
	int cancel_before;            /* default minutes before a shift sign-ups can be cancelled */
	int checkin_period;           /* seconds a rotating check-in code lives */
	int checkin_early;            /* minutes before a shift check-in opens */
	const char *attend_rounding;  /* "15,45" or "off" (core/shifts.h) */
	int attend_share;             /* percent of a shift attended for a record */
	int noshow_limit;             /* no-shows within noshow_days that block sign-up */
	int noshow_days;
	/* the address people reach the console at (certificate QR codes);
	 * certificates are refused while it is empty or loopback */
	const char *public_url;
	/* account claiming (claims.c): how one-time codes reach phones
	 * ("log" or "command:PROGRAM", see sender.h) and their life */
	const char *sms_sender;
	int claim_ttl;                /* seconds */
	int pay_code_ttl;             /* seconds a volunteer's pay code lives (paycodes.c) */
	int order_escalate_after;     /* minutes an order may wait unaccepted before escalation (menu/escalate.c) */
	int order_close_after;        /* days after delivery an unrated order is closed (menu/orders.c) */
};

/* Who is calling: filled by app_authenticate from a session or a token. */
struct principal {
	int64_t user_id;
	const char *username;
	const char *display_name;
	const char *phone;
	int roles;
	int64_t org_id;
	const char *org_name;
	const char *org_path;
	const char *status;
	int64_t created_at;
	const char *permissions; /* comma-separated explicit grants */
	int64_t org_parent_id;   /* 0 for the root organisation */
	int64_t session_id;      /* 0 for bearer tokens */
	const char *csrf_token;  /* sessions only */
};

struct app;

/* One call of a use case: the arena it allocates from, its store
 * connection, the caller, and the error it reports. */
struct app_req {
	struct app *app;
	struct arena *arena;
	struct store *store;
	const struct principal *who;   /* NULL when anonymous */
	const char *client_addr;
	struct app_error err;
};

/* Opens the store, migrates it and loads the sealing key (checked
 * against the one the database was written with). What the domains need
 * at start (first-start data, rebuilds) is setup_open's (setup/start.h),
 * which calls this. Returns 0 with *out set, or -1 (logged). */
int app_open(const struct app_config *cfg, struct app **out);
/* Closes the store pool and frees a (NULL is fine). No request may run. */
void app_close(struct app *a);
/* The store pool, owned by a: for start-up work and threads that take
 * their own connection (store_get). */
struct store_pool *app_pool(struct app *a);
/* "sqlite" or "postgresql". */
const char *app_backend(struct app *a);
/* The configuration a was opened with (a copy owned by a; its strings
 * are the caller's of app_open and must outlive a). */
const struct app_config *app_config(struct app *a);

/* Prepares r for one call on this thread. Returns 0, or -1 with
 * r->err = APP_EUNAVAILABLE when no store connection can be had. */
int app_req_init(struct app_req *r, struct app *a, struct arena *arena,
		 const char *client_addr);

/* The calling thread is done with the database for now: under a
 * connection limit (app_limit_connections) its connection goes back to
 * the pool for other threads. Any app_req of this thread must not be
 * used after it without app_req_init. */
void app_return_store(struct app *a);
/* Lets at most n database connections be out at once (0: one per
 * thread). Call before serving, from the thread that opened the app. */
void app_limit_connections(struct app *a, unsigned n);

/* Sets r->err and returns -1, for one-line error returns. */
int app_fail(struct app_req *r, enum app_status st, const char *code, const char *field);
/* Maps a store rc to an app error (retry and failures → 500/503). */
int app_store_fail(struct app_req *r, int store_rc);

/* Kinds of credential the HTTP layer found. */
enum cred_kind { CRED_SESSION, CRED_BEARER };
/* Resolves a session cookie or bearer token to a principal allocated in
 * r->arena (auth.c), through the credential cache; a token's last use is
 * recorded at most once a minute, in a transaction of its own. Returns 0,
 * or -1 with 401 unauthenticated / session_expired / account_disabled. */
int app_authenticate(struct app_req *r, enum cred_kind kind, const char *token,
		     struct principal **out);

/* Liveness of the store: 0 when a trivial query answers. */
int app_ready(struct app_req *r);

/* Constant-time comparison of two NUL-terminated secrets. */
bool app_secret_equal(const char *a, const char *b);

#endif
