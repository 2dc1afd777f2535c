/* China time (see chinatime.h). */
#include "core/chinatime.h"
#include <stdio.h>

void china_tm(int64_t t, struct tm *out)
{
	time_t local = (time_t)(t + CHINA_UTC_OFFSET);
	gmtime_r(&local, out);
}

int china_ymd(int64_t t)
{
	struct tm tm;
	china_tm(t, &tm);
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int china_year(int64_t t)
{
	return china_ymd(t) / 10000;
}

int64_t china_day_start(int ymd)
{
	struct tm tm = { .tm_year = ymd / 10000 - 1900, .tm_mon = ymd / 100 % 100 - 1, .tm_mday = ymd % 100 };
	return (int64_t)timegm(&tm) - CHINA_UTC_OFFSET;
}

int64_t china_day_floor(int64_t t)
{
	/* floor division, so moments before 1970 fall into their own day */
	int64_t local = t + CHINA_UTC_OFFSET, day = local / 86400 - (local % 86400 < 0);
	return day * 86400 - CHINA_UTC_OFFSET;
}

void china_format_iso(int64_t t, char *out, size_t outlen)
{
	struct tm tm;
	china_tm(t, &tm);
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void china_format_minute(int64_t t, char *out, size_t outlen)
{
	struct tm tm;
	china_tm(t, &tm);
	snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min);
}
