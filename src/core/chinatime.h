/* China time: the one place that knows districts run on UTC+8 (China has
 * had no daylight saving since 1991). Times are stored as Unix seconds;
 * days are China days (00:00 to 24:00 Asia/Shanghai), written as the
 * number YYYYMMDD. Pure functions: "today" is china_ymd(now) with the
 * caller's clock. */
#ifndef ZY_CHINATIME_H
#define ZY_CHINATIME_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Seconds China time is ahead of UTC. */
#define CHINA_UTC_OFFSET (8 * 3600)

/* The China date of t as YYYYMMDD. */
int china_ymd(int64_t t);
/* The China calendar year of t. */
int china_year(int64_t t);
/* The broken-down China wall time of t (tm_year from 1900, as gmtime). */
void china_tm(int64_t t, struct tm *out);
/* The first second of China day ymd (YYYYMMDD); days past a month's end
 * roll over as timegm does, so china_day_start(ymd) + 86400 is the next
 * day's start. */
int64_t china_day_start(int ymd);
/* The first second of the China day that holds t. */
int64_t china_day_floor(int64_t t);
/* "YYYY-MM-DDTHH:MM:SS+08:00" for t; out needs 26 bytes. */
void china_format_iso(int64_t t, char *out, size_t outlen);
/* "YYYY-MM-DD HH:MM" for t, as people read it on paper and in Excel; out
 * needs 17 bytes. */
void china_format_minute(int64_t t, char *out, size_t outlen);

#endif
