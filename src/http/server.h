/* The HTTP server: libmicrohttpd with its internal thread pool, serving
 * the API routes, the web console (web/dist) and the operational
 * endpoints. Only http/ includes microhttpd.h. */
#ifndef ZY_SERVER_H
#define ZY_SERVER_H
#include <stdbool.h>
#include <stddef.h>

struct app;

struct http_config {
	const char *listen;       /* "127.0.0.1:8080", "[::1]:8080", ":8080"; port 0 picks one */
	unsigned threads;         /* threads serving connections; 0 = one per core */
	unsigned write_threads;   /* threads running writes (POST, PUT, PATCH, DELETE);
				   * 0 = eight per core */
	const char *web_root;     /* built console, e.g. "web/dist" */
	size_t max_body;          /* bytes */
	const char *access_log;   /* "-" (stdout), a file path, or "off" */
	bool cookie_secure;       /* add Secure to the session cookie */
	unsigned shutdown_grace;  /* seconds to wait for requests in flight */
	const char *public_url;
	unsigned tick_every;       /* seconds between upkeep runs (app_tick); 0 = never */   /* how people reach the console, for links in PDFs */
};

/* Serves until SIGINT or SIGTERM, then stops accepting, lets requests in
 * flight finish (up to shutdown_grace seconds) and returns 0; -1 when the
 * server cannot start. Prints "listening on http://HOST:PORT" to stdout
 * once the socket is bound. */
int http_serve(struct app *app, const struct http_config *cfg);

#endif
