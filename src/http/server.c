/* The libmicrohttpd glue: request lifecycle, body collection under the
 * size limit, dispatch through the route table with authentication and
 * CSRF checks, the write pool, upkeep and graceful shutdown. */
#include "http/internal.h"
#include "app/kernel/app.h"
#include "app/setup/upkeep.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static enum lang parse_lang(const char *h)
{
	if (!h)
		return LANG_ZH;
	while (*h == ' ')
		h++;
	/* the first listed language wins; q-values rarely reorder in practice */
	return strncasecmp(h, "en", 2) == 0 ? LANG_EN : LANG_ZH;
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
		MHD_get_connection_values(conn, MHD_HEADER_KIND, client_scan_header, &h);
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
	linger_settle(conn, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK && !req->too_large);
	int64_t ns = time_mono_ns() - req->start_ns;
	metrics_record(req->route, (unsigned)req->status, ns);
	access_log_write(req, ns);
	buf_release(&req->body);
	*con_cls = NULL;
	arena_free(req->arena);
	atomic_fetch_sub(&srv->in_flight, 1);
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
	struct server srv = { .app = app, .cfg = *cfg, .routes = route_table, .nroutes = route_count };
	struct sockaddr_storage ss;
	socklen_t sslen;
	if (parse_listen(cfg->listen, &ss, &sslen) != 0) {
		log_error("cannot parse listen address %s (want HOST:PORT)", cfg->listen);
		return -1;
	}
	if (access_log_open(cfg->access_log) != 0)
		return -1;

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
		MHD_OPTION_NOTIFY_CONNECTION, linger_on_connection, NULL,
		MHD_OPTION_URI_LOG_CALLBACK, linger_request_line, NULL,
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
		access_log_flush();
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
	access_log_close();
	log_info("stopped");
	return 0;
}
