/* Level-filtered diagnostics with an ISO timestamp, one write per line. */
#include "util/log.h"
#include "util/timeutil.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum log_level log_threshold = LOG_INFO;

static const char *const names[] = { "error", "warn", "info", "debug" };

int log_parse_level(const char *s, enum log_level *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

void log_emit(enum log_level lv, const char *fmt, ...)
{
	char line[2048];
	char ts[32];
	time_format_iso(time_now_ms() / 1000, ts, sizeof(ts));
	int n = snprintf(line, sizeof(line), "%s %s ", ts, names[lv]);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}
