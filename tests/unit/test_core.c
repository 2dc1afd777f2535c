/* Unit tests for core/: field rules, roles, organisation kinds, login
 * back-off and cursors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "core/chinatime.h"
#include "core/cursor.h"
#include "core/throttle.h"
#include "core/validate.h"
#include "core/orderflow.h"
#include "core/pinyin.h"
#include "core/natural.h"

static void usernames(void **state)
{
	assert_true(valid_username("admin"));
	assert_true(valid_username("Li.Ming-2_x"));
	assert_false(valid_username("ab"));
	assert_false(valid_username("1abc"));
	assert_false(valid_username("has space"));
	assert_false(valid_username("名字名字"));
	assert_false(valid_username("a23456789012345678901234567890123"));
	assert_true(valid_username("a2345678901234567890123456789012"));
}

static void phones_and_masks(void **state)
{
	assert_true(valid_phone("13800001234"));
	assert_true(valid_phone("19912345678"));
	assert_false(valid_phone("12800001234"));
	assert_false(valid_phone("1380000123"));
	assert_false(valid_phone("138000012345"));
	assert_false(valid_phone("1380000123a"));
	char m[16];
	mask_phone("13812341234", m, sizeof(m));
	assert_string_equal(m, "138****1234");
	mask_phone("123", m, sizeof(m));
	assert_string_equal(m, "****");
}

static void public_urls(void **state)
{
	assert_true(valid_public_url("https://zhiyuan.wenjiang.gov.cn"));
	assert_true(valid_public_url("http://10.2.3.4:8080"));
	assert_true(valid_public_url("https://127.example.cn/zy"));
	assert_false(valid_public_url(""));
	assert_false(valid_public_url(NULL));
	assert_false(valid_public_url("zhiyuan.example.cn"));
	assert_false(valid_public_url("ftp://zhiyuan.example.cn"));
	assert_false(valid_public_url("http://127.0.0.1:8080"));
	assert_false(valid_public_url("http://127.1.2.3"));
	assert_false(valid_public_url("http://LOCALHOST:8080/"));
	assert_false(valid_public_url("http://app.localhost"));
	assert_false(valid_public_url("http://[::1]:8080"));
	assert_false(valid_public_url("http://0.0.0.0:8080"));
	assert_false(valid_public_url("http://"));
	assert_false(valid_public_url("http://a b.cn"));
}

static void passwords(void **state)
{
	assert_false(valid_password("1234567", 7));
	assert_true(valid_password("12345678", 8));
	assert_false(valid_password("1234\0" "5678", 9));
	char longpw[300];
	memset(longpw, 'a', sizeof(longpw));
	assert_false(valid_password(longpw, 257));
	assert_true(valid_password(longpw, 256));
}

static void text_is_utf8_without_controls(void **state)
{
	const char *zh = "温江区志愿服务联合会";
	assert_true(valid_text(zh, strlen(zh), 10));
	assert_false(valid_text(zh, strlen(zh), 9));
	assert_false(valid_text("", 0, 5));
	assert_false(valid_text("a\tb", 3, 5));
	assert_false(valid_text("\xc0\xaf", 2, 5));          /* overlong '/' */
	assert_false(valid_text("\xed\xa0\x80", 3, 5));      /* surrogate */
	assert_false(valid_text("\xe6\xb8", 2, 5));          /* truncated */
	assert_true(valid_text("\xf0\x9f\x98\x80", 4, 1));   /* emoji */
}

static void region_codes(void **state)
{
	assert_true(valid_region_code("510115"));
	assert_true(valid_region_code("510115001000"));
	assert_false(valid_region_code("51011"));
	assert_false(valid_region_code("5101150010"));
	assert_false(valid_region_code("51011a"));
	assert_false(valid_region_code("000000"));
}

static void roles_round_trip(void **state)
{
	assert_int_equal(role_parse("admin"), ROLE_ADMIN);
	assert_int_equal(role_parse("king"), 0);
	int set = roles_from_csv("recorder,admin,bogus");
	assert_int_equal(set, ROLE_ADMIN | ROLE_RECORDER);
	char csv[64];
	roles_to_csv(ROLE_VOLUNTEER | ROLE_CLERK | ROLE_ADMIN, csv, sizeof(csv));
	assert_string_equal(csv, "admin,clerk,volunteer");
	assert_int_equal(roles_from_csv(""), 0);
}

static void org_parent_rules(void **state)
{
	assert_true(org_parent_allowed(ORG_FEDERATION, ORG_ASSOCIATION));
	assert_true(org_parent_allowed(ORG_ASSOCIATION, ORG_STATION));
	assert_false(org_parent_allowed(ORG_FEDERATION, ORG_STATION));
	assert_true(org_parent_allowed(ORG_STATION, ORG_TEAM));
	assert_false(org_parent_allowed(ORG_TEAM, ORG_TEAM));
	assert_false(org_parent_allowed(ORG_ASSOCIATION, ORG_FEDERATION));
	assert_true(org_parent_allowed(ORG_ASSOCIATION, ORG_SOCIAL_WORK_AGENCY));
	assert_false(org_parent_allowed(ORG_STATION, ORG_SOCIAL_ORG));
	assert_int_equal(org_kind_parse("social_work_agency"), ORG_SOCIAL_WORK_AGENCY);
	assert_int_equal(org_kind_parse("club"), -1);
}

static void throttle_doubles_and_caps(void **state)
{
	struct throttle_policy p = { 5, 1, 900 };
	assert_int_equal(throttle_wait(&p, 0), 0);
	assert_int_equal(throttle_wait(&p, 4), 0);
	assert_int_equal(throttle_wait(&p, 5), 1);
	assert_int_equal(throttle_wait(&p, 6), 2);
	assert_int_equal(throttle_wait(&p, 9), 16);
	assert_int_equal(throttle_wait(&p, 20), 900);
	assert_int_equal(throttle_wait(&p, INT64_MAX), 900);
}

static void cursors_and_ids(void **state)
{
	char c[24];
	int64_t v;
	cursor_encode(123456789, c, sizeof(c));
	assert_int_equal(cursor_decode(c, &v), 0);
	assert_int_equal(v, 123456789);
	cursor_encode(INT64_MAX, c, sizeof(c));
	assert_int_equal(cursor_decode(c, &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(cursor_decode("", &v), -1);
	assert_int_equal(cursor_decode("x12", &v), -1);
	assert_int_equal(cursor_decode("c!", &v), -1);
	assert_int_equal(cursor_decode("czzzzzzzzzzzzz", &v), -1);   /* > INT64_MAX */
	assert_int_equal(cursor_decode("czzzzzzzzzzzzzz", &v), -1);
	assert_int_equal(parse_id("42", &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_id("042", &v), -1);
	assert_int_equal(parse_id("-1", &v), -1);
	assert_int_equal(parse_id("", &v), -1);
	assert_int_equal(parse_id("1234567890123456789", &v), -1);
}

static void iso_times(void **state)
{
	int64_t t;
	assert_int_equal(time_parse_iso("2026-11-28T09:00:00+08:00", &t), 0);
	assert_true(t == 1795827600);
	assert_int_equal(time_parse_iso("2026-11-28T01:00Z", &t), 0);
	assert_true(t == 1795827600);
	assert_int_equal(time_parse_iso("2026-11-28T01:00:00.123Z", &t), 0);
	assert_true(t == 1795827600);
	assert_int_equal(time_parse_iso("2026-11-27T20:00:00-0500", &t), 0);
	assert_true(t == 1795827600);
	assert_int_equal(time_parse_iso("2026-11-28T09:00:00", &t), -1);   /* no offset */
	assert_int_equal(time_parse_iso("2026-02-30T09:00:00Z", &t), -1);
	assert_int_equal(time_parse_iso("2026-11-28T24:00:00Z", &t), -1);
	assert_int_equal(time_parse_iso("2026-11-28T09:00:00+08:00x", &t), -1);
	assert_int_equal(time_parse_iso("yesterday", &t), -1);
}

static void pinyin_initials_of_names(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(pinyin_initials("白马社区志愿服务工作站", out, sizeof(out)), 11);
	assert_string_equal(out, "bmsqzyfwgzz");
	pinyin_initials("柳城街道第10社区", out, sizeof(out));
	assert_string_equal(out, "lcjdd10sq");
	pinyin_initials("温江区 Red Cross·（一）", out, sizeof(out));
	assert_string_equal(out, "wjqredcrossy");
	/* first and last characters of level 1 (啊, 座), level 2 gives nothing (邛) */
	pinyin_initials("啊座邛", out, sizeof(out));
	assert_string_equal(out, "az");
	/* cut short when full, still terminated; a truncated sequence ends it */
	assert_int_equal(pinyin_initials("白马社区", out, 3), 2);
	assert_string_equal(out, "bm");
	pinyin_initials("白\xe9", out, sizeof(out));
	assert_string_equal(out, "b");
	assert_int_equal(pinyin_initials("x", out, 0), 0);
}

static void natural_order_of_names(void **state)
{
	(void)state;
	assert_true(natural_cmp("柳城街道第9社区", "柳城街道第10社区") < 0);
	assert_true(natural_cmp("柳城街道第10社区", "柳城街道第9社区") > 0);
	assert_true(natural_cmp("第1社区", "第1社区") == 0);
	assert_true(natural_cmp("队2", "队10") < 0);
	assert_true(natural_cmp("队10", "队10a") < 0);
	assert_true(natural_cmp("a", "b") < 0);
	assert_true(natural_cmp("队007", "队7") > 0);
	assert_true(natural_cmp("队007", "队8") < 0);
	assert_true(natural_cmp("", "0") < 0);
	assert_true(natural_cmp("柳城", "涌泉") != 0);
}

static void pinyin_sort_keys(void **state)
{
	(void)state;
	char a[64], b[64];
	/* 白 (bai) before 涌 (yong), although U+767D > U+6D8C */
	pinyin_sort_key("白马社区", a, sizeof(a));
	pinyin_sort_key("涌泉第3社区", b, sizeof(b));
	assert_true(natural_cmp(a, b) < 0);
	pinyin_sort_key("柳城第9社区", a, sizeof(a));
	pinyin_sort_key("柳城第10社区", b, sizeof(b));
	assert_true(natural_cmp(a, b) < 0);
	/* a character outside GBK sorts after those in it */
	pinyin_sort_key("\xf0\x9f\x98\x80", a, sizeof(a));
	pinyin_sort_key("座", b, sizeof(b));
	assert_int_equal((unsigned char)a[0], 0xFE);
	assert_true(natural_cmp(a, b) > 0);
	/* ASCII stays itself; cut short whole characters only */
	assert_int_equal(pinyin_sort_key("Team 7", a, sizeof(a)), 6);
	assert_string_equal(a, "Team 7");
	assert_int_equal(pinyin_sort_key("白马", a, 4), 2);
}

/* 2026-12-02T16:00:00Z is midnight of 12-03 in China; a second before is
 * still 12-02. */
static void china_time_splits_days_at_utc_16(void **state)
{
	(void)state;
	int64_t midnight = 1764691200;   /* 2025-12-02T16:00:00Z */
	assert_int_equal(china_ymd(midnight), 20251203);
	assert_int_equal(china_ymd(midnight - 1), 20251202);
	assert_int_equal(china_year(1767196800 - 1), 2025);   /* 2025-12-31T23:59:59+08:00 */
	assert_int_equal(china_year(1767196800), 2026);
	assert_int_equal(china_day_start(20251203), midnight);
	assert_int_equal(china_day_start(20251232), midnight + 29 * 86400);   /* rolls over like timegm */
	assert_int_equal(china_day_floor(midnight + 86399), midnight);
	assert_int_equal(china_day_floor(midnight - 1), midnight - 86400);
	assert_int_equal(china_day_floor(-1), -8 * 3600);   /* 1970-01-01T07:59:59+08 */
	assert_int_equal(china_day_floor(-8 * 3600 - 1), -8 * 3600 - 86400);
	char iso[26], minute[17];
	china_format_iso(midnight + 3661, iso, sizeof(iso));
	assert_string_equal(iso, "2025-12-03T01:01:01+08:00");
	china_format_minute(midnight - 60, minute, sizeof(minute));
	assert_string_equal(minute, "2025-12-02 23:59");
}

/* The order's life: each allowed step, and every other pair refused. */
static void order_steps(void **state)
{
	(void)state;
	static const char *const allowed[] = {
		"submitted>accepted", "submitted>declined", "submitted>cancelled",
		"accepted>dispatched", "accepted>declined", "accepted>cancelled",
		"dispatched>in_service", "dispatched>accepted", "dispatched>cancelled",
		"in_service>delivered", "delivered>rated", "delivered>closed", "rated>closed",
		"declined>submitted", "declined>accepted", "declined>cancelled",
	};
	int n = 0;
	for (int f = 0; f < ORDER_STATUS_COUNT; f++) {
		for (int t = 0; t < ORDER_STATUS_COUNT; t++) {
			char pair[48];
			snprintf(pair, sizeof pair, "%s>%s", order_status_name(f), order_status_name(t));
			bool want = false;
			for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
				want = want || strcmp(allowed[i], pair) == 0;
			assert_int_equal(order_can_move(f, t), want);
			n += want;
		}
	}
	assert_int_equal(n, 16);
	enum order_status s;
	assert_true(order_status_parse("in_service", &s));
	assert_int_equal(s, ORDER_IN_SERVICE);
	assert_false(order_status_parse("served", &s));
	assert_false(order_status_parse(NULL, &s));
	assert_true(order_is_final(ORDER_CLOSED) && order_is_final(ORDER_CANCELLED));
	assert_false(order_is_final(ORDER_RATED));
	assert_true(order_is_open_work(ORDER_DISPATCHED) && !order_is_open_work(ORDER_DELIVERED));
	assert_false(order_can_move(ORDER_STATUS_COUNT, ORDER_SUBMITTED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(china_time_splits_days_at_utc_16),
		cmocka_unit_test(usernames),
		cmocka_unit_test(phones_and_masks),
		cmocka_unit_test(passwords),
		cmocka_unit_test(public_urls),
		cmocka_unit_test(text_is_utf8_without_controls),
		cmocka_unit_test(region_codes),
		cmocka_unit_test(roles_round_trip),
		cmocka_unit_test(org_parent_rules),
		cmocka_unit_test(throttle_doubles_and_caps),
		cmocka_unit_test(cursors_and_ids),
		cmocka_unit_test(iso_times),
		cmocka_unit_test(pinyin_initials_of_names),
		cmocka_unit_test(natural_order_of_names),
		cmocka_unit_test(pinyin_sort_keys),
		cmocka_unit_test(order_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
