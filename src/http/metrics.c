/* Prometheus metrics: requests by route and status, and a latency
 * histogram per route. Counters are relaxed atomics, cheap enough for
 * every request. */
#include "http/internal.h"
#include "util/buf.h"
#include <assert.h>
#include <stdio.h>
#include <string.h>

#define MAX_ROUTES 128
static const unsigned statuses[] = { 200, 201, 204, 304, 400, 401, 403, 404, 405, 409,
				     413, 415, 422, 429, 500, 503, 0 /* other */ };
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))
static const double bounds[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				 0.1, 0.25, 0.5, 1, 2.5 };
#define NBUCKET (sizeof(bounds) / sizeof(bounds[0]))

static _Atomic unsigned long long counts[MAX_ROUTES][NSTATUS];
static _Atomic unsigned long long buckets[MAX_ROUTES][NBUCKET + 1];
static _Atomic unsigned long long sum_ns[MAX_ROUTES];

void metrics_record(int route, unsigned status, int64_t ns)
{
	if (route < 0 || route >= MAX_ROUTES)
		return;
	size_t s = NSTATUS - 1;
	for (size_t i = 0; i + 1 < NSTATUS; i++)
		if (statuses[i] == status) {
			s = i;
			break;
		}
	atomic_fetch_add_explicit(&counts[route][s], 1, memory_order_relaxed);
	double sec = (double)ns / 1e9;
	size_t b = NBUCKET;
	for (size_t i = 0; i < NBUCKET; i++)
		if (sec <= bounds[i]) {
			b = i;
			break;
		}
	atomic_fetch_add_explicit(&buckets[route][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_ns[route], (unsigned long long)(ns > 0 ? ns : 0),
				  memory_order_relaxed);
}

/* The label of counter row i: a route of the server's table, or one of
 * the two rows after it (ROUTE_ID_STATIC, ROUTE_ID_UNMATCHED). The table
 * comes through the server, so that metrics, which a handler serves,
 * does not reach back up to the route table that names the handlers. */
static const char *route_label(const struct server *srv, int i, char *tmp, size_t n)
{
	assert(i >= 0 && i < srv->nroutes + 2);
	if (i == srv->nroutes)
		return "static";
	if (i == srv->nroutes + 1)
		return "unmatched";
	snprintf(tmp, n, "%s %s", srv->routes[i].method, srv->routes[i].pattern);
	return tmp;
}

enum MHD_Result metrics_serve(struct http_req *req)
{
	struct buf b;
	char line[512], tmp[160];
	buf_init(&b, 4 << 20);
	buf_puts(&b, "# HELP zhiyuan_http_requests_total HTTP requests by route and status.\n"
		     "# TYPE zhiyuan_http_requests_total counter\n");
	int nroutes = req->srv->nroutes + 2;
	for (int r = 0; r < nroutes && r < MAX_ROUTES; r++) {
		const char *label = route_label(req->srv, r, tmp, sizeof(tmp));
		for (size_t s = 0; s < NSTATUS; s++) {
			unsigned long long v = atomic_load_explicit(&counts[r][s], memory_order_relaxed);
			if (!v)
				continue;
			char st[16];
			if (statuses[s])
				snprintf(st, sizeof(st), "%u", statuses[s]);
			else
				snprintf(st, sizeof(st), "other");
			snprintf(line, sizeof(line),
				 "zhiyuan_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
				 label, st, v);
			buf_puts(&b, line);
		}
	}
	buf_puts(&b, "# HELP zhiyuan_http_request_duration_seconds Time to answer a request.\n"
		     "# TYPE zhiyuan_http_request_duration_seconds histogram\n");
	for (int r = 0; r < nroutes && r < MAX_ROUTES; r++) {
		unsigned long long total = 0;
		for (size_t i = 0; i <= NBUCKET; i++)
			total += atomic_load_explicit(&buckets[r][i], memory_order_relaxed);
		if (!total)
			continue;
		const char *label = route_label(req->srv, r, tmp, sizeof(tmp));
		unsigned long long cum = 0;
		for (size_t i = 0; i <= NBUCKET; i++) {
			cum += atomic_load_explicit(&buckets[r][i], memory_order_relaxed);
			if (i < NBUCKET)
				snprintf(line, sizeof(line),
					 "zhiyuan_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
					 label, bounds[i], cum);
			else
				snprintf(line, sizeof(line),
					 "zhiyuan_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
					 label, cum);
			buf_puts(&b, line);
		}
		snprintf(line, sizeof(line),
			 "zhiyuan_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
			 "zhiyuan_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
			 label, (double)atomic_load(&sum_ns[r]) / 1e9, label, cum);
		buf_puts(&b, line);
	}
	snprintf(line, sizeof(line),
		 "# HELP zhiyuan_http_in_flight Requests being served.\n"
		 "# TYPE zhiyuan_http_in_flight gauge\nzhiyuan_http_in_flight %d\n",
		 atomic_load(&req->srv->in_flight));
	buf_puts(&b, line);
	enum MHD_Result r = http_send_body(req, 200, "text/plain; version=0.0.4; charset=utf-8",
					   b.data, b.len, true);
	buf_release(&b);
	return r;
}
