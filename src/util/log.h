/* Diagnostic log to stderr, with levels checked before formatting. The
 * access log is separate (http/server.c) and never sees secrets. */
#ifndef ZY_LOG_H
#define ZY_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern enum log_level log_threshold;

/* Parses "error", "warn", "info" or "debug"; returns 0 or -1. */
int log_parse_level(const char *s, enum log_level *out);
/* Writes one line "time level message" to stderr in one write (cut at
 * 2 KiB); use the macros below, which skip the formatting when the level
 * is below the threshold. */
void log_emit(enum log_level lv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_at(lv, ...) \
	do { if ((lv) <= log_threshold) log_emit((lv), __VA_ARGS__); } while (0)
#define log_error(...) log_at(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_at(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_at(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)

#endif
