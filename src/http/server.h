/* The HTTP server: libmicrohttpd with its internal thread pool, serving
 * the API routes, the web console (web/dist) and the operational
 * endpoints. Only http/ includes microhttpd.h. */
#ifndef ZY_SERVER_H
#define ZY_SERVER_H
#include <stdbool.h>
#include <stddef.h>
#include "core/netaddr.h"

struct app;

struct http_config {
	const char *listen;       /* "127.0.0.1:8080", "[::1]:8080", ":8080"; port 0 picks one */
	unsigned threads;         /* threads serving connections; 0 = one per core */
	unsigned write_threads;   /* threads running writes (POST, PUT, PATCH, DELETE);
				   * 0 = eight per core, at least 32 */
	unsigned db_connections;  /* database connections out at once; 0 = none
				   * kept per thread on SQLite, four per core
				   * (16 to 64) on PostgreSQL */
	const char *web_root;     /* built console, e.g. "web/dist" */
	size_t max_body;          /* bytes */
	const char *access_log;   /* "-" (stdout), a file path, or "off" */
	bool cookie_secure;       /* add Secure to the session cookie */
	unsigned shutdown_grace;  /* seconds to wait for requests in flight */
	const char *public_url;   /* how people reach the console, for links in PDFs */
	unsigned tick_every;      /* seconds between upkeep runs (app_tick); 0 = never */
	const struct netlist *trusted_proxies;  /* peers whose X-Forwarded-For names the
						 * client; NULL or empty = none */
	unsigned max_conns_per_ip;  /* open connections from one peer address; 0 = no limit */
	unsigned header_timeout;    /* seconds a connection may stay silent while its
				     * request line and headers are awaited */
	unsigned idle_timeout;      /* seconds of silence allowed once the headers are in
				     * (reading a body, keeping an answer coming) */
};

/* Serves until SIGINT or SIGTERM, then stops accepting, lets requests in
 * flight finish (up to shutdown_grace seconds) and returns 0; -1 when the
 * server cannot start. Prints "listening on http://HOST:PORT" to stdout
 * once the socket is bound. */
int http_serve(struct app *app, const struct http_config *cfg);

#endif
