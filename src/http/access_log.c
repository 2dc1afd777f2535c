/* The access log: one line per answered request (time, client, request
 * line with secrets masked, status, bytes, duration), written by the
 * threads that answer and flushed at least once a second. */
#include "http/internal.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

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

void access_log_write(struct http_req *req, int64_t ns)
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

int access_log_open(const char *spec)
{
	if (strcmp(spec, "off") == 0)
		access_log = NULL;
	else if (strcmp(spec, "-") == 0)
		access_log = stdout;
	/* close-on-exec ("e"): programs the server runs (the SMS sender) must
	 * not inherit the log */
	else if (!(access_log = fopen(spec, "ae"))) {
		log_error("cannot open access log %s: %s", spec, strerror(errno));
		return -1;
	}
	return 0;
}

void access_log_flush(void)
{
	if (access_log) {
		pthread_mutex_lock(&access_lock);
		fflush(access_log);
		access_flushed_ms = time_now_ms();
		pthread_mutex_unlock(&access_lock);
	}
}

void access_log_close(void)
{
	if (access_log) {
		fflush(access_log);
		if (access_log != stdout)
			fclose(access_log);
		access_log = NULL;
	}
}
