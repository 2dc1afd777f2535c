/* Time as use cases speak it: ISO 8601 for the API, and the China day
 * (Asia/Shanghai, where every district using this runs) by core/chinatime. */
#include "app/kernel/kernel.h"
#include "core/chinatime.h"
#include "util/arena.h"
#include "util/timeutil.h"

int64_t app_now(void)
{
	return time_now_ms() / 1000;
}

const char *app_iso(struct app_req *r, int64_t t)
{
	char *s = arena_alloc(r->arena, 24);
	time_format_iso(t, s, 24);
	return s;
}

int app_today_ymd(void)
{
	return china_ymd(app_now());
}

int64_t app_day_start(int ymd)
{
	return china_day_start(ymd);
}

const char *app_today(struct app_req *r)
{
	int d = app_today_ymd();
	return arena_printf(r->arena, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
}
