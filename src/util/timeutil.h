/* Wall-clock helpers. Times are stored as integer Unix seconds (UTC) and
 * shown as ISO 8601 with a Z suffix. */
#ifndef ZY_TIMEUTIL_H
#define ZY_TIMEUTIL_H
#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch, moved by time_set_offset. */
int64_t time_now_ms(void);
/* Moves every later time_now_ms by seconds (--clock-offset, for tests and
 * trials: a test pins the server to a time of day it chooses). Call it
 * once, before threads start. */
void time_set_offset(int64_t seconds);
/* Monotonic nanoseconds, for latency measurement. */
int64_t time_mono_ns(void);
/* Writes "YYYY-MM-DDTHH:MM:SSZ" for unix seconds t; out needs 21 bytes. */
void time_format_iso(int64_t t, char *out, size_t outlen);

#endif
