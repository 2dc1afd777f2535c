/* Private to http/: the server, the request, the route table and the
 * functions the rooms of http/ offer each other. */
#ifndef ZY_HTTP_INTERNAL_H
#define ZY_HTTP_INTERNAL_H
#include "app/kernel/app.h"
#include "http/server.h"
#include "util/buf.h"
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#define MAX_PATH_PARAMS 4
#define MAX_EXTRA_HEADERS 6
/* The session cookie's name (set at sign-in, cleared at sign-out). */
#define SESSION_COOKIE "zy_session"

enum lang { LANG_ZH, LANG_EN };

struct http_req;

/* Writes run on their own threads (server.c: write pool). */
struct write_pool {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	struct http_req *head, **tail;
	pthread_t *threads;
	unsigned nthreads;
	bool stopping;
};

struct server {
	struct app *app;
	struct http_config cfg;
	struct MHD_Daemon *daemon;
	atomic_int in_flight;
	struct write_pool writes;
	/* route_table and route_count, for the rooms below the table
	 * (metrics) that must not name it */
	const struct route *routes;
	int nroutes;
};

struct http_req;
typedef enum MHD_Result (*handler_fn)(struct http_req *req, json_t *in);

enum route_auth { ROUTE_PUBLIC, ROUTE_AUTH };
enum route_body { BODY_NONE, BODY_JSON, BODY_OPTIONAL /* JSON when sent */, BODY_RAW /* the handler reads req->body */ };

struct route {
	const char *method;
	const char *pattern;      /* "/api/v1/users/{id}" */
	handler_fn fn;
	enum route_auth auth;
	enum route_body body;
	size_t max_body;          /* 0: the server's --max-body */
	const char *query;        /* the query parameters its handler reads,
				   * space-separated, or NULL: exactly those
				   * docs/openapi.json lists (test_http checks),
				   * and http_query() asserts a handler reads no
				   * other */
};

#define UPLOAD_MAX (64u << 20)    /* spreadsheet uploads */

struct http_req {
	struct server *srv;
	struct MHD_Connection *conn;
	struct arena *arena;
	const char *method;
	const char *path;
	struct buf body;
	bool too_large;
	int route;                /* index in route_table, or a ROUTE_ID_* */
	int status;
	uint64_t resp_bytes;
	int64_t start_ns;
	enum lang lang;
	char client[64];
	const char *params[MAX_PATH_PARAMS];
	int nparams;
	struct {
		const char *name, *value;
	} headers[MAX_EXTRA_HEADERS];
	int nheaders;
	struct app_req app;
	/* a write handed to the write pool: the connection is suspended
	 * until a write thread has the answer ready */
	bool deferred, answered;
	struct MHD_Response *answer;
	unsigned answer_status;
	enum MHD_Result answer_result;
	struct http_req *next_write;
};

/* The rooms of http/, top to bottom (each calls only rooms below it):
 *   server.c     libmicrohttpd glue, dispatch, write pool, shutdown
 *   client.c, access_log.c, linger.c
 *                the client's address, the access log, connections' ends
 *   routes.c     the route table and the path matcher
 *   handlers/    one file per app domain (handlers.h lists them)
 *   metrics.c, static.c, json_in.c, multipart.c, query.c
 *                what handlers and the server read and serve
 *   respond.c    every response writer
 *   errors.c     error codes to statuses and zh-CN / en messages
 * python3 /work/wt/deps.py build shows no circle among them. */

/* ---- routes.c ---- */

/* The route table, terminated by a NULL method. */
extern const struct route route_table[];
extern const int route_count;
#define ROUTE_ID_STATIC (route_count)
#define ROUTE_ID_UNMATCHED (route_count + 1)

/* Finds the route for method and path. Returns its index, -1 when no
 * pattern matches the path, or -2 when patterns match but the method
 * does not (allow then lists the methods, comma-separated). Path
 * parameters are stored in req (copies in req->arena). */
int route_match(struct http_req *req, const char *method, const char *path,
		char *allow, size_t allowlen);

/* ---- respond.c: the response writers ---- */

/* Each queues its response on req's connection (or keeps it for the
 * write thread to hand back) with the extra headers added so far and
 * returns MHD's result; exactly one per request. */

/* Sends resp, built by the caller (a file, say), and takes it: adds the
 * extra headers and nosniff, notes status and bytes for the access log
 * and the metrics. */
enum MHD_Result http_send_response(struct http_req *req, unsigned status, struct MHD_Response *resp,
				   uint64_t bytes);
/* Adds a header to the coming response. name and value must live until
 * it is sent (literals or req->arena); past MAX_EXTRA_HEADERS the header
 * is dropped. */
void http_add_header(struct http_req *req, const char *name, const char *value);
/* doc as JSON text; takes the caller's reference to doc. */
enum MHD_Result http_send_json(struct http_req *req, unsigned status, json_t *doc);
/* len bytes of data as type (no Content-Type when NULL); must_copy when
 * data dies before the response is sent, else it must outlive the
 * process (a literal, an embedded file). */
enum MHD_Result http_send_body(struct http_req *req, unsigned status, const char *type,
			       const void *data, size_t len, bool must_copy);
/* Sends JSON text already written into b, taking its memory. */
enum MHD_Result http_send_json_text(struct http_req *req, unsigned status, struct buf *b);
enum MHD_Result http_send_empty(struct http_req *req, unsigned status);
/* The error body {"error":{"code","message","field"}} in the request's
 * language; field may be NULL. */
enum MHD_Result http_send_error(struct http_req *req, unsigned status, const char *code,
				const char *field);
/* Maps req->app.err to a status and sends it (Retry-After for 429, the
 * row and column of file errors, the reason of a code with several). */
enum MHD_Result http_send_app_error(struct http_req *req);

/* ---- errors.c ---- */

/* The localised message for code ("request failed" / "请求失败" for an
 * unknown code). */
const char *error_message(const char *code, enum lang lang);
/* HTTP status for an app status. */
unsigned error_status(enum app_status st);

/* ---- query.c: query strings ---- */

/* The query readers every handler uses. The values go to app/ as text:
 * the use cases parse them after their authorisation check, so that a
 * caller refused the list gets the 403 whatever the query (reading them
 * here first would turn some 403s into 400s). */

/* A query-string value; empty values count as absent. name must be one
 * of the route's declared query parameters (asserted). */
const char *http_query(struct http_req *req, const char *name);
/* ?name= as one of choices (a NULL-terminated list, compared without
 * regard to case): 1 with *idx its index, 0 when absent (*idx = -1), or
 * -1 when given but none of them. */
int http_query_choice(struct http_req *req, const char *name, const char *const *choices,
		      int *idx);

/* ---- multipart.c: uploads ---- */

/* The uploaded file of a request: the raw body, or the first file part of
 * a multipart/form-data body. Returns 0 with data/len pointing into the
 * body, or -1 when the multipart body is malformed. */
int http_upload(struct http_req *req, const char **data, size_t *len);
/* Finds the first file part in a multipart body with the given boundary. */
int multipart_first_file(const char *body, size_t len, const char *boundary,
			 const char **data, size_t *dlen);
/* The boundary parameter of a multipart Content-Type into out (cut at
 * outlen - 1 bytes). Returns 0, or -1 when the type has none. */
int multipart_boundary(const char *type, char *out, size_t outlen);

/* ---- json_in.c: JSON request bodies ---- */

/* Parses the body as a JSON object under the input limits; on failure
 * sends the 400/413/415 itself and returns NULL with *sent set. */
json_t *json_in_parse(struct http_req *req, enum MHD_Result *sent);
/* The same checks on bytes alone (no connection: unit and fuzz tests):
 * returns 0 with the object in *out (the caller's reference), or -1 with
 * the error code ("too_deep", "invalid_json", "value_too_large"). */
int json_in_load(const char *data, size_t len, json_t **out, const char **code);
/* The limits, exposed for tests. */
#define JSON_MAX_DEPTH 32
#define JSON_MAX_STRING 65536
#define JSON_MAX_ARRAY 10000

/* The largest JSON answer (util/jsonw writes them). */
#define JSON_OUT_MAX (64u << 20)

/* ---- client.c: who the client is ---- */

/* The X-Forwarded-For chain kept: its rightmost hops, which are the ones
 * the trusted proxies wrote (a longer chain loses hops on its left only,
 * netaddr_xff_append). */
#define XFF_MAX 2048

/* What the header scan finds: the framing headers are counted here because
 * MHD 0.9.75 takes the first Content-Length it sees and lets
 * Transfer-Encoding win silently, and a proxy in front may have chosen the
 * other (request smuggling). */
struct header_scan {
	int content_lengths, transfer_encodings;
	char xff[XFF_MAX + 1];    /* every X-Forwarded-For line, joined with commas */
};


/* MHD header iterator (cls: a struct header_scan) filling the scan. */
enum MHD_Result client_scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value);
/* The client's address into req->client: the peer, or when the peer is a
 * trusted proxy the rightmost untrusted hop of X-Forwarded-For
 * (core/netaddr.h). X-Real-IP and Forwarded are not read: one header to
 * configure at the proxy, and one rule (docs/operations.md). */
void client_addr(struct http_req *req, struct header_scan *h);

/* ---- access_log.c ---- */

/* Opens the log: "-" is stdout, "off" none, else a file appended to.
 * Returns 0, or -1 (logged) when the file cannot be opened. */
int access_log_open(const char *spec);
/* Writes req's line (ns: time to answer); thread-safe, flushed at least
 * once a second while requests come. */
void access_log_write(struct http_req *req, int64_t ns);
/* Flushes what is buffered (the main thread, once a second when idle). */
void access_log_flush(void);
/* Flushes and closes the log (after the last request). */
void access_log_close(void);

/* ---- linger.c: connections' ends ---- */

/* MHD callbacks: the URI log callback (a request line arrived: the
 * connection is not settled) and the connection notifier (keeps the
 * state; at the close, lingers on a connection refused early). */
void *linger_request_line(void *cls, const char *uri, struct MHD_Connection *conn);
void linger_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe);
/* Notes whether conn's request was answered in full (then its close
 * needs no lingering unless input is pending). */
void linger_settle(struct MHD_Connection *conn, bool settled);

/* ---- static.c ---- */

/* Static files from the web root with ETag, gzip and SPA fallback. */
enum MHD_Result static_serve(struct http_req *req);

/* ---- metrics.c ---- */

/* Counts a finished request of route (an index of req->srv->routes, or
 * the two ids after it); lock-free, from any thread. */
void metrics_record(int route, unsigned status, int64_t ns);
/* The Prometheus text of every counter so far. */
enum MHD_Result metrics_serve(struct http_req *req);

/* The embedded OpenAPI document (generated from docs/openapi.json). */
extern const char openapi_json[];
extern const unsigned long openapi_json_len;

#endif
