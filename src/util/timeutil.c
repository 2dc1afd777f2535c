/* Clock reads and ISO 8601 formatting. */
#include "util/timeutil.h"
#include <stdio.h>
#include <time.h>

/* --clock-offset: set once at start, before any thread reads the clock */
static int64_t clock_offset_ms;

void time_set_offset(int64_t seconds)
{
	clock_offset_ms = seconds * 1000;
}

int64_t time_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset_ms;
}

int64_t time_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void time_format_iso(int64_t t, char *out, size_t outlen)
{
	/* by arithmetic (days to civil date, H. Hinnant's algorithm): gmtime_r
	 * and strftime take glibc's time-zone lock, and answers with many
	 * timestamps showed it under load */
	if (outlen < 21)
		return;
	if (t < -62135596800LL || t > 253402300799LL) {   /* outside 0001..9999 */
		snprintf(out, outlen, "%s", t < 0 ? "0001-01-01T00:00:00Z" : "9999-12-31T23:59:59Z");
		return;
	}
	int64_t days = t / 86400, secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
	int y = (int)(yoe + era * 400 + (m <= 2));
	int hh = (int)(secs / 3600), mm = (int)(secs / 60 % 60), ss = (int)(secs % 60);
	int v[6] = { y, m, d, hh, mm, ss };
	static const int width[6] = { 4, 2, 2, 2, 2, 2 };
	static const char after[6] = { '-', '-', 'T', ':', ':', 'Z' };
	char *p = out;
	for (int i = 0; i < 6; i++) {
		for (int k = width[i] - 1; k >= 0; k--) {
			p[k] = (char)('0' + v[i] % 10);
			v[i] /= 10;
		}
		p += width[i];
		*p++ = after[i];
	}
	*p = 0;
}
