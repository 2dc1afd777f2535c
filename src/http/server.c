/* The libmicrohttpd glue: request lifecycle, body collection under the
 * size limit, dispatch through the route table with authentication and
 * CSRF checks, the access log, and graceful shutdown. */
#include "http/internal.h"
#include "app/kernel/app.h"
#include "app/setup/upkeep.h"
#include "core/netaddr.h"
#include "util/arena.h"
#include "util/jsonw.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SESSION_COOKIE "zy_session"

/* The access log: one buffered stream shared by the workers, flushed at
 * least once a second (by the writers when busy, by the main thread when
 * idle) so `tail -f` keeps up. */
static FILE *access_log;
static pthread_mutex_t access_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t access_flushed_ms;

/* Path prefixes whose next segment is a secret that spends value (a
 * voucher code): the access log shows "***" in its place, so that the
 * log is no list of codes to redeem. */
static const char *const secret_segments[] = { "/api/v1/vouchers/" };

/* path with its secret segment masked, in out (cap bytes, truncated). */
static const char *access_path(const char *path, char *out, size_t cap)
{
	for (size_t i = 0; i < sizeof(secret_segments) / sizeof(secret_segments[0]); i++) {
		size_t n = strlen(secret_segments[i]);
		if (strncmp(path, secret_segments[i], n) != 0 || path[n] == '\0')
			continue;
		const char *rest = strchr(path + n, '/');
		snprintf(out, cap, "%.*s***%.900s", (int)n, path, rest ? rest : "");
		return out;
	}
	return path;
}

static void access_log_write(struct http_req *req, int64_t ns)
{
	/* formatted outside the lock; the timestamp string is reused for
	 * every request within the same second on this thread */
	static _Thread_local int64_t ts_sec = -1;
	static _Thread_local char ts[24];
	if (!access_log)
		return;
	int64_t now = time_now_ms();
	if (now / 1000 != ts_sec) {
		ts_sec = now / 1000;
		time_format_iso(ts_sec, ts, sizeof(ts));
	}
	char line[1200], masked[1000];
	int n = snprintf(line, sizeof(line), "%s %s \"%s %.1000s\" %d %llu %lld.%03lldms\n",
			 ts, req->client, req->method, access_path(req->path, masked, sizeof(masked)), req->status,
			 (unsigned long long)req->resp_bytes, (long long)(ns / 1000000),
			 (long long)(ns / 1000 % 1000));
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	pthread_mutex_lock(&access_lock);
	fwrite(line, 1, len, access_log);
	if (now - access_flushed_ms >= 1000) {
		fflush(access_log);
		access_flushed_ms = now;
	}
	pthread_mutex_unlock(&access_lock);
}

static enum lang parse_lang(const char *h)
{
	if (!h)
		return LANG_ZH;
	while (*h == ' ')
		h++;
	/* the first listed language wins; q-values rarely reorder in practice */
	return strncasecmp(h, "en", 2) == 0 ? LANG_EN : LANG_ZH;
}

/* Per connection: whether its last request was answered in full (then a
 * close needs no lingering unless input is pending). Cleared when the
 * next request line arrives (on_request_line), so that a keep-alive
 * connection's later request that MHD refuses itself is not taken for
 * the earlier one. */
struct conn_state {
	bool settled;
};

/* MHD's URI log callback: a request line has arrived, before its headers
 * are read. MHD may refuse those headers itself (431) without calling
 * on_request, so this is the one place that sees every request start.
 * The NULL returned is on_request's first *con_cls. */
static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	(void)uri;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_state *cs = ci ? ci->socket_context : NULL;
	if (cs)
		cs->settled = false;
	return NULL;
}

/* The peer's address as seen on the socket. */
static int peer_addr(struct MHD_Connection *c, struct netaddr *out)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return -1;
	const struct sockaddr *sa = ci->client_addr;
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		out->b[10] = out->b[11] = 0xff;
		memcpy(out->b + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out->b, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return 0;
	}
	return -1;
}

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

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct header_scan *h = cls;
	(void)kind;
	if (strcasecmp(key, "Content-Length") == 0)
		h->content_lengths++;
	else if (strcasecmp(key, "Transfer-Encoding") == 0)
		h->transfer_encodings++;
	else if (strcasecmp(key, "X-Forwarded-For") == 0 && value)
		netaddr_xff_append(h->xff, sizeof(h->xff), value);
	return MHD_YES;
}

/* The client's address into req->client: the peer, or when the peer is a
 * trusted proxy the rightmost untrusted hop of X-Forwarded-For
 * (core/netaddr.h). X-Real-IP and Forwarded are not read: one header to
 * configure at the proxy, and one rule (docs/operations.md). */
static void client_addr(struct http_req *req, struct header_scan *h)
{
	struct netaddr peer, client;
	snprintf(req->client, sizeof(req->client), "-");
	if (peer_addr(req->conn, &peer) != 0)
		return;
	const struct netlist *trusted = req->srv->cfg.trusted_proxies;
	/* a chain past XFF_MAX is walked in its rightmost part: padding the
	 * left, which the client writes, hides nobody's address */
	client = trusted ? netaddr_client(trusted, &peer, h->xff[0] ? h->xff : NULL) : peer;
	netaddr_format(&client, req->client, sizeof(req->client));
}

void http_add_header(struct http_req *req, const char *name, const char *value)
{
	if (req->nheaders < MAX_EXTRA_HEADERS) {
		req->headers[req->nheaders].name = name;
		req->headers[req->nheaders].value = value;
		req->nheaders++;
	}
}

static enum MHD_Result queue(struct http_req *req, unsigned status, struct MHD_Response *resp,
			     uint64_t bytes)
{
	for (int i = 0; i < req->nheaders; i++)
		MHD_add_response_header(resp, req->headers[i].name, req->headers[i].value);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	req->status = (int)status;
	req->resp_bytes = bytes;
	if (req->deferred) {
		/* on a write thread: MHD takes the answer when the connection
		 * is resumed (on_request) */
		req->answer = resp;
		req->answer_status = status;
		return MHD_YES;
	}
	enum MHD_Result r = MHD_queue_response(req->conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

enum MHD_Result http_send_body(struct http_req *req, unsigned status, const char *type,
			       const void *data, size_t len, bool must_copy)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)data,
		must_copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	if (type)
		MHD_add_response_header(resp, "Content-Type", type);
	return queue(req, status, resp, len);
}

enum MHD_Result http_send_json(struct http_req *req, unsigned status, json_t *doc)
{
	struct buf b;
	buf_init(&b, JSON_OUT_MAX);
	int rc = jsonw_value(&b, doc);
	json_decref(doc);
	if (rc != 0)
		abort();   /* a response of 64 MiB is a bug, not an input */
	return http_send_json_text(req, status, &b);
}

enum MHD_Result http_send_json_text(struct http_req *req, unsigned status, struct buf *b)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(b->len, b->data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		buf_release(b);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return queue(req, status, resp, b->len);
}

enum MHD_Result http_send_empty(struct http_req *req, unsigned status)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return queue(req, status, resp, 0);
}

const char *http_query(struct http_req *req, const char *name)
{
	const char *v = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
	return (v && *v) ? v : NULL;
}

static bool is_write(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* Finds credentials: a bearer token wins over the cookie. */
static int authenticate(struct http_req *req, bool *have)
{
	const char *authz = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Authorization");
	const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
	struct principal *p = NULL;
	*have = false;
	if (authz) {
		*have = true;
		if (strncasecmp(authz, "Bearer ", 7) != 0)
			return app_fail(&req->app, APP_EUNAUTH, "unauthenticated", NULL);
		const char *t = authz + 7;
		while (*t == ' ')
			t++;
		if (app_authenticate(&req->app, CRED_BEARER, t, &p) != 0)
			return -1;
	} else if (cookie && *cookie) {
		*have = true;
		if (app_authenticate(&req->app, CRED_SESSION, cookie, &p) != 0)
			return -1;
	}
	req->app.who = p;
	return 0;
}

static enum MHD_Result dispatch(struct http_req *req)
{
	char allow[64];
	if (req->too_large)
		return http_send_error(req, 413, "body_too_large", NULL);
	const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
	int idx = route_match(req, method, req->path, allow, sizeof(allow));
	bool api = strncmp(req->path, "/api/", 5) == 0;
	if (idx == -2) {
		req->route = ROUTE_ID_UNMATCHED;
		http_add_header(req, "Allow", arena_strdup(req->arena, allow));
		return http_send_error(req, 405, "method_not_allowed", NULL);
	}
	if (idx < 0) {
		if (!api && strcmp(method, "GET") == 0) {
			req->route = ROUTE_ID_STATIC;
			return static_serve(req);
		}
		req->route = ROUTE_ID_UNMATCHED;
		if (!api) {
			http_add_header(req, "Allow", "GET, HEAD");
			return http_send_error(req, 405, "method_not_allowed", NULL);
		}
		return http_send_error(req, 404, "not_found", NULL);
	}
	req->route = idx;
	const struct route *rt = &route_table[idx];
	if (rt->auth == ROUTE_PUBLIC && rt->body == BODY_NONE)
		return rt->fn(req, NULL);   /* probes: no store, no caller */
	if (app_req_init(&req->app, req->srv->app, req->arena, req->client) != 0)
		return http_send_app_error(req);
	bool have = false;
	if (authenticate(req, &have) != 0) {
		/* a stale cookie on a public route (the login form) is no error */
		if (!(rt->auth == ROUTE_PUBLIC && req->app.err.status == APP_EUNAUTH))
			return http_send_app_error(req);
		memset(&req->app.err, 0, sizeof(req->app.err));
		req->app.who = NULL;
	}
	if (rt->auth == ROUTE_AUTH && !req->app.who)
		return http_send_error(req, 401, "unauthenticated", NULL);
	if (req->app.who && req->app.who->session_id && is_write(method)) {
		const char *sent = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-CSRF-Token");
		if (!sent || !app_secret_equal(sent, req->app.who->csrf_token))
			return http_send_error(req, 403, "csrf_failed", NULL);
	}
	json_t *in = NULL;
	if (rt->body == BODY_JSON || (rt->body == BODY_OPTIONAL && req->body.len)) {
		enum MHD_Result sent;
		in = json_in_parse(req, &sent);
		if (!in)
			return sent;
	}
	enum MHD_Result r = rt->fn(req, in);
	json_decref(in);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct server *srv = cls;
	struct http_req *req = *con_cls;
	(void)version;
	if (!req) {
		/* answer on a later call: queueing now makes MHD close the
		 * connection (DESIGN.md §5) */
		struct arena *a = arena_new();
		req = arena_alloc(a, sizeof(*req));
		req->arena = a;
		req->srv = srv;
		req->conn = conn;
		req->method = arena_strdup(a, method);
		req->path = arena_strdup(a, url);
		req->start_ns = time_mono_ns();
		req->route = ROUTE_ID_UNMATCHED;
		req->lang = parse_lang(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Language"));
		struct header_scan h = { 0 };
		MHD_get_connection_values(conn, MHD_HEADER_KIND, scan_header, &h);
		client_addr(req, &h);
		buf_init(&req->body, srv->cfg.max_body);
		atomic_fetch_add(&srv->in_flight, 1);
		*con_cls = req;
		/* the rest of this connection is a body or a wait for the
		 * answer: the longer silence applies until the next request */
		MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, srv->cfg.idle_timeout);
		if (h.content_lengths > 1 || (h.transfer_encodings && h.content_lengths) ||
		    h.transfer_encodings > 1) {
			/* ambiguous framing: where this body ends is a guess,
			 * so the connection must not be reused either */
			req->too_large = true;   /* drop whatever body comes */
			http_add_header(req, "Connection", "close");
			return http_send_error(req, 400, "ambiguous_framing", NULL);
		}
		/* uploads may be larger than JSON bodies: the route decides */
		char allow[64];
		int idx = route_match(req, method, url, allow, sizeof(allow));
		size_t max = idx >= 0 && route_table[idx].max_body ? route_table[idx].max_body : srv->cfg.max_body;
		req->body.max = max;
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl) {
			char *end;
			errno = 0;
			unsigned long long n = strtoull(cl, &end, 10);
			if (errno || *end || n / 64 > max) {
				/* far too large: refuse before reading a byte */
				req->too_large = true;
				return http_send_error(req, 413, "body_too_large", NULL);
			}
			/* a little too large: read and drop it, so the client
			 * is listening when the 413 comes */
			req->too_large = n > max;
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!req->too_large && buf_append(&req->body, upload_data, *upload_size) != 0)
			req->too_large = true;
		*upload_size = 0;
		return MHD_YES;
	}
	if (req->answered) {
		/* back from the write pool */
		enum MHD_Result r = req->answer_result;
		if (req->answer) {
			r = MHD_queue_response(conn, req->answer_status, req->answer);
			MHD_destroy_response(req->answer);
			req->answer = NULL;
		}
		return r;
	}
	if (req->status)
		return MHD_YES;   /* already answered (413 up front) */
	if (srv->writes.nthreads && is_write(req->method)) {
		/* a write may wait for its group commit: on a write thread it
		 * holds up no reads on this connection thread's other
		 * connections (docs/decisions.md) */
		req->deferred = true;
		MHD_suspend_connection(conn);
		pthread_mutex_lock(&srv->writes.lock);
		*srv->writes.tail = req;
		srv->writes.tail = &req->next_write;
		pthread_cond_signal(&srv->writes.ready);
		pthread_mutex_unlock(&srv->writes.lock);
		return MHD_YES;
	}
	enum MHD_Result answer = dispatch(req);
	app_return_store(srv->app);
	return answer;
}

static void stop_writes(struct write_pool *w)
{
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->ready);
	pthread_mutex_unlock(&w->lock);
	for (unsigned i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	w->nthreads = 0;
	free(w->threads);
	w->threads = NULL;
}

static void *write_thread(void *arg)
{
	struct write_pool *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->ready, &w->lock);
		if (!w->head)
			break;   /* stopping, and nothing left */
		struct http_req *req = w->head;
		w->head = req->next_write;
		if (!w->head)
			w->tail = &w->head;
		pthread_mutex_unlock(&w->lock);
		req->answer_result = dispatch(req);
		app_return_store(req->srv->app);
		req->answered = true;
		MHD_resume_connection(req->conn);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct http_req *req = *con_cls;
	/* back to the short silence while the next request's headers are
	 * awaited on this connection */
	MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, srv->cfg.header_timeout);
	if (!req)
		return;
	if (!req->status)
		req->status = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? 200 : 499;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_state *cs = ci ? ci->socket_context : NULL;
	if (cs)
		cs->settled = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK && !req->too_large;
	int64_t ns = time_mono_ns() - req->start_ns;
	metrics_record(req->route, (unsigned)req->status, ns);
	access_log_write(req, ns);
	buf_release(&req->body);
	*con_cls = NULL;
	arena_free(req->arena);
	atomic_fetch_sub(&srv->in_flight, 1);
}

/* Lingering close. When MHD closes a connection whose request it refused
 * early (431 for a header past the connection's memory, 400 for ambiguous
 * framing, 413), the client may still be sending; closing a socket with
 * unread input makes the kernel send a reset, and a client busy writing
 * then never reads the answer. Such a socket is kept open on a copy of
 * its descriptor and read to the end (or for LINGER_MS, at most
 * LINGER_BYTES) before the copy is closed. At most LINGER_MAX at once:
 * past that a reset is what the sender gets. */
#define LINGER_MAX 32
#define LINGER_MS 2000
#define LINGER_BYTES (1u << 20)

static atomic_int lingering;

static void *linger_thread(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char sink[4096];
	size_t total = 0;
	int64_t deadline = time_mono_ns() + (int64_t)LINGER_MS * 1000000;
	shutdown(fd, SHUT_WR);
	while (total < LINGER_BYTES) {
		int64_t left_ms = (deadline - time_mono_ns()) / 1000000;
		if (left_ms <= 0)
			break;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, (int)left_ms) <= 0)
			break;
		ssize_t n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR)))
			break;
		if (n > 0)
			total += (size_t)n;
	}
	close(fd);
	atomic_fetch_sub(&lingering, 1);
	return NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = calloc(1, sizeof(struct conn_state));
		return;
	}
	struct conn_state *st = *socket_context;
	bool settled = st && st->settled;
	free(st);
	*socket_context = NULL;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	int pending = 0;
	if (!ci || ci->connect_fd == MHD_INVALID_SOCKET || ioctl(ci->connect_fd, FIONREAD, &pending) != 0)
		return;
	/* refused before its end (431, 400, 413, a timeout): more may be on
	 * the way even when nothing is pending yet */
	if (settled && pending <= 0)
		return;
	if (atomic_fetch_add(&lingering, 1) >= LINGER_MAX) {
		atomic_fetch_sub(&lingering, 1);
		return;
	}
	int fd = fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0);
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (fd < 0 || pthread_create(&t, &attr, linger_thread, (void *)(intptr_t)fd) != 0) {
		if (fd >= 0)
			close(fd);
		atomic_fetch_sub(&lingering, 1);
	}
	pthread_attr_destroy(&attr);
}

static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[128];
	const char *colon = strrchr(s, ':');
	if (!colon)
		return -1;
	size_t hl = (size_t)(colon - s);
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = 0;
	char *end;
	errno = 0;
	long port = strtol(colon + 1, &end, 10);
	if (errno || *end || colon[1] == 0 || port < 0 || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[') {
		size_t n = strlen(host);
		if (n < 2 || host[n - 1] != ']')
			return -1;
		host[n - 1] = 0;
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			return -1;
		*len = sizeof(*a6);
		return 0;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	a4->sin_family = AF_INET;
	a4->sin_port = htons((uint16_t)port);
	if (host[0] == 0)
		a4->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
		return -1;
	*len = sizeof(*a4);
	return 0;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	log_warn("http: %s", msg);
}

/* Upkeep (the shift sweep, app_tick) on a thread of its own, every so
 * many seconds, so that it never holds up a signal or a request. */
struct upkeep {
	struct app *app;
	unsigned every;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
};

static void *upkeep_thread(void *arg)
{
	struct upkeep *u = arg;
	pthread_mutex_lock(&u->lock);
	while (!u->stopping) {
		struct timespec at;
		clock_gettime(CLOCK_REALTIME, &at);
		at.tv_sec += u->every;
		if (pthread_cond_timedwait(&u->wake, &u->lock, &at) == ETIMEDOUT && !u->stopping) {
			pthread_mutex_unlock(&u->lock);
			app_tick(u->app);
			pthread_mutex_lock(&u->lock);
		}
	}
	pthread_mutex_unlock(&u->lock);
	return NULL;
}

int http_serve(struct app *app, const struct http_config *cfg)
{
	struct server srv = { .app = app, .cfg = *cfg };
	struct sockaddr_storage ss;
	socklen_t sslen;
	if (parse_listen(cfg->listen, &ss, &sslen) != 0) {
		log_error("cannot parse listen address %s (want HOST:PORT)", cfg->listen);
		return -1;
	}
	if (strcmp(cfg->access_log, "off") == 0)
		access_log = NULL;
	else if (strcmp(cfg->access_log, "-") == 0)
		access_log = stdout;
	/* close-on-exec ("e"): programs the server runs (the SMS sender) must
	 * not inherit the log */
	else if (!(access_log = fopen(cfg->access_log, "ae"))) {
		log_error("cannot open access log %s: %s", cfg->access_log, strerror(errno));
		return -1;
	}

	/* signals are taken by sigwait below, not by whichever thread runs */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		cores = 1;
	unsigned threads = cfg->threads ? cfg->threads : (unsigned)cores;
	/* writes run apart, eight threads per core and at least 32: a write
	 * waiting for its group commit (or for PostgreSQL) holds only its own
	 * request, and more writes in flight make bigger groups (16 → 32 on
	 * two cores: sign-ups 9,400–10,100/s → 10,700–11,600/s), while reads
	 * keep one thread per core and short queues (docs/decisions.md) */
	srv.writes.nthreads = cfg->write_threads ? cfg->write_threads
						 : (unsigned)(cores < 4 ? 32 : cores < 32 ? 8 * cores : 256);
	/* PostgreSQL refuses connections past max_connections (100 by
	 * default), and a connection per thread would take 34 here and 270
	 * on 32 cores: threads borrow one of a few for each request instead.
	 * SQLite connections cost nothing to keep, and a thread's own keeps
	 * its caches warm (docs/decisions.md). */
	unsigned conns = cfg->db_connections;
	if (!conns && strcmp(app_backend(app), "postgresql") == 0)
		conns = (unsigned)(cores < 4 ? 16 : cores < 16 ? 4 * cores : 64);
	app_limit_connections(app, conns);
	pthread_mutex_init(&srv.writes.lock, NULL);
	pthread_cond_init(&srv.writes.ready, NULL);
	srv.writes.tail = &srv.writes.head;
	srv.writes.threads = calloc(srv.writes.nthreads, sizeof(pthread_t));
	if (!srv.writes.threads)
		abort();
	for (unsigned i = 0; i < srv.writes.nthreads; i++)
		if (pthread_create(&srv.writes.threads[i], NULL, write_thread, &srv.writes) != 0) {
			log_error("cannot start write thread %u", i);
			srv.writes.nthreads = i;
			break;
		}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv.daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
		MHD_OPTION_URI_LOG_CALLBACK, on_request_line, NULL,
		/* MHD's timeout is for silence, not a deadline: a connection
		 * starts with the header timeout, gets the idle one once its
		 * headers are in (on_request) and the header one back after
		 * each answer (on_completed) */
		MHD_OPTION_CONNECTION_TIMEOUT, cfg->header_timeout,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_conns_per_ip,
		/* per-connection pool, wiped for every request: headers fit */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
		MHD_OPTION_END);
	if (!srv.daemon) {
		log_error("cannot listen on %s", cfg->listen);
		stop_writes(&srv.writes);
		return -1;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv.daemon, MHD_DAEMON_INFO_BIND_PORT);
	char host[64];
	const char *colon = strrchr(cfg->listen, ':');
	snprintf(host, sizeof(host), "%.*s", (int)(colon - cfg->listen), cfg->listen);
	printf("listening on http://%s:%u\n", host[0] ? host : "0.0.0.0",
	       di ? (unsigned)di->port : 0);
	fflush(stdout);
	log_info("serving with %u threads and %u for writes, database %s", threads, srv.writes.nthreads,
		 app_backend(app));

	/* the main thread waits for the signal and meanwhile flushes the
	 * access log every second, so an idle server's last lines reach the
	 * file too */
	int sig;
	struct timespec second = { 1, 0 };
	struct upkeep up = { .app = app, .every = cfg->tick_every };
	pthread_mutex_init(&up.lock, NULL);
	pthread_cond_init(&up.wake, NULL);
	bool upkeep_running = up.every && pthread_create(&up.thread, NULL, upkeep_thread, &up) == 0;
	while ((sig = sigtimedwait(&sigs, NULL, &second)) < 0) {
		if (access_log) {
			pthread_mutex_lock(&access_lock);
			fflush(access_log);
			access_flushed_ms = time_now_ms();
			pthread_mutex_unlock(&access_lock);
		}
	}
	log_info("signal %d: finishing requests in flight", sig);
	if (upkeep_running) {
		pthread_mutex_lock(&up.lock);
		up.stopping = true;
		pthread_cond_signal(&up.wake);
		pthread_mutex_unlock(&up.lock);
		pthread_join(up.thread, NULL);
	}
	MHD_socket lfd = MHD_quiesce_daemon(srv.daemon);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	int64_t deadline = time_mono_ns() + (int64_t)cfg->shutdown_grace * 1000000000;
	while (atomic_load(&srv.in_flight) > 0 && time_mono_ns() < deadline) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	/* writes already taken finish and resume their connections: MHD
	 * must not stop with a connection suspended */
	stop_writes(&srv.writes);
	MHD_stop_daemon(srv.daemon);
	if (access_log) {
		fflush(access_log);
		if (access_log != stdout)
			fclose(access_log);
		access_log = NULL;
	}
	log_info("stopped");
	return 0;
}
