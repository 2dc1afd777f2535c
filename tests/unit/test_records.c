/* Unit tests for core/records: minute rounding, interval overlap, date
 * arithmetic, working-day deadlines under holiday calendars, and the
 * record hash chain; and how exports for people write times and values
 * (app/service/exports.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <time.h>
#include <string.h>
#include <limits.h>
#include <sodium.h>
#include "core/records.h"
#include "app/service/exports.h"
#include "core/chinatime.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void rounding_table(void **state)
{
	static const struct { int64_t in; int g; int64_t want; } rows[] = {
		{ 0, 30, 0 }, { 1, 30, 0 }, { 14, 30, 0 }, { 15, 30, 30 },
		{ 29, 30, 30 }, { 30, 30, 30 }, { 44, 30, 30 }, { 45, 30, 60 },
		{ 59, 30, 60 }, { 120, 30, 120 }, { 134, 30, 120 }, { 135, 30, 150 },
		/* Odd granularity: the half point 7.5 is never hit exactly. */
		{ 7, 15, 0 }, { 8, 15, 15 }, { 22, 15, 15 }, { 23, 15, 30 },
		{ 0, 1, 0 }, { 1, 1, 1 }, { 12345, 1, 12345 },
		{ 719, 1440, 0 }, { 720, 1440, 1440 }, { 2159, 1440, 1440 },
		{ 2160, 1440, 2880 }, { 1440, 1440, 1440 },
		{ 1, 2, 2 }, { 3, 2, 4 }, { 4, 2, 4 },
		{ 29, 60, 0 }, { 30, 60, 60 }, { 90, 60, 120 }, { 89, 60, 60 },
	};
	for (size_t i = 0; i < N(rows); i++)
		assert_int_equal(minutes_round(rows[i].in, rows[i].g), rows[i].want);
}

static void rounding_invalid(void **state)
{
	assert_int_equal(minutes_round(-1, 30), -1);
	assert_int_equal(minutes_round(INT64_MIN, 30), -1);
	assert_int_equal(minutes_round(30, 0), -1);
	assert_int_equal(minutes_round(30, -30), -1);
	assert_int_equal(minutes_round(30, 1441), -1);
	assert_int_equal(minutes_round(30, INT_MAX), -1);
	assert_int_equal(minutes_round(30, INT_MIN), -1);
	/* INT64_MAX is 7 past a multiple of 60 (rounds down) and 1087 past a
	 * multiple of 1440 (would round up past the type: refused). */
	assert_int_equal(minutes_round(INT64_MAX, 60), INT64_MAX - 7);
	assert_int_equal(minutes_round(INT64_MAX, 1440), -1);
	assert_int_equal(minutes_round(INT64_MAX, 1), INT64_MAX);
}

static void overlap(void **state)
{
	/* partial, both ways */
	assert_true(intervals_overlap(0, 10, 5, 15));
	assert_true(intervals_overlap(5, 15, 0, 10));
	/* contained, both ways */
	assert_true(intervals_overlap(0, 100, 10, 20));
	assert_true(intervals_overlap(10, 20, 0, 100));
	/* identical, and one minute long */
	assert_true(intervals_overlap(0, 10, 0, 10));
	assert_true(intervals_overlap(9, 10, 9, 10));
	assert_true(intervals_overlap(0, 10, 9, 20));
	/* same start or same end */
	assert_true(intervals_overlap(0, 10, 0, 5));
	assert_true(intervals_overlap(0, 10, 5, 10));
	/* touching: one ends when the other starts */
	assert_false(intervals_overlap(0, 10, 10, 20));
	assert_false(intervals_overlap(10, 20, 0, 10));
	/* disjoint */
	assert_false(intervals_overlap(0, 10, 11, 20));
	assert_false(intervals_overlap(30, 40, 0, 10));
	/* empty intervals, even inside the other one */
	assert_false(intervals_overlap(5, 5, 0, 10));
	assert_false(intervals_overlap(0, 10, 5, 5));
	assert_false(intervals_overlap(5, 5, 5, 5));
	/* inverted intervals, even when their span covers the other one */
	assert_false(intervals_overlap(10, 0, 0, 10));
	assert_false(intervals_overlap(0, 10, 20, 0));
	assert_false(intervals_overlap(20, 0, 20, 0));
	/* extremes of the type */
	assert_true(intervals_overlap(INT64_MIN, INT64_MAX, 0, 1));
	assert_false(intervals_overlap(INT64_MIN, 0, 0, INT64_MAX));
}

static void add_days_boundaries(void **state)
{
	assert_int_equal(ymd_add_days(20240228, 1), 20240229);
	assert_int_equal(ymd_add_days(20240229, 1), 20240301);
	assert_int_equal(ymd_add_days(20230228, 1), 20230301);
	assert_int_equal(ymd_add_days(20261231, 1), 20270101);
	assert_int_equal(ymd_add_days(20261130, 1), 20261201);
	assert_int_equal(ymd_add_days(20261128, 0), 20261128);
	assert_int_equal(ymd_add_days(20270101, -1), 20261231);
	assert_int_equal(ymd_add_days(20240301, -1), 20240229);
	assert_int_equal(ymd_add_days(20230301, -1), 20230228);
	assert_int_equal(ymd_add_days(20240101, 366), 20250101);
	assert_int_equal(ymd_add_days(20250101, -366), 20240101);
	assert_int_equal(ymd_add_days(20230101, 365), 20240101);
	/* 2000 is a leap year (divisible by 400), 2100 is not */
	assert_int_equal(ymd_add_days(20000228, 1), 20000229);
	assert_int_equal(ymd_add_days(21000228, 1), 21000301);
	assert_int_equal(ymd_add_days(19000228, 1), 19000301);
	/* 1949-10-01 to 2026-10-01: 77 years with 19 leap days */
	assert_int_equal(ymd_add_days(19491001, 77 * 365 + 19), 20261001);
	assert_int_equal(ymd_add_days(20261001, -(77 * 365 + 19)), 19491001);
	/* edges of the accepted years */
	assert_int_equal(ymd_add_days(19000102, -1), 19000101);
	assert_int_equal(ymd_add_days(19000101, -1), -1);
	assert_int_equal(ymd_add_days(29991230, 1), 29991231);
	assert_int_equal(ymd_add_days(29991231, 1), -1);
	assert_int_equal(ymd_add_days(20261128, INT_MAX), -1);
	assert_int_equal(ymd_add_days(20261128, INT_MIN), -1);
}

static void weekdays(void **state)
{
	assert_int_equal(ymd_weekday(20261128), 5);   /* Saturday */
	assert_int_equal(ymd_weekday(20261127), 4);   /* Friday */
	assert_int_equal(ymd_weekday(20261130), 0);   /* Monday */
	assert_int_equal(ymd_weekday(20261129), 6);   /* Sunday */
	assert_int_equal(ymd_weekday(20000101), 5);
	assert_int_equal(ymd_weekday(19491001), 5);
	assert_int_equal(ymd_weekday(19000101), 0);   /* before 1970 */
	assert_int_equal(ymd_weekday(19700101), 3);   /* Thursday */
	assert_int_equal(ymd_weekday(19691231), 2);
	assert_int_equal(ymd_weekday(20240229), 3);
	assert_int_equal(ymd_weekday(29991231), 1);
	assert_int_equal(ymd_weekday(20261001), 3);
}

static void invalid_dates(void **state)
{
	static const int bad[] = {
		20230229, 19000229, 21000229, 20241301, 20240001, 20240000,
		20240100, 20240132, 20240431, 20240631, 20240931, 20241131,
		18991231, 30000101, 0, -1, -20240101, 1, 2024011, 202401011,
		INT_MAX, INT_MIN,
	};
	for (size_t i = 0; i < N(bad); i++) {
		assert_int_equal(ymd_add_days(bad[i], 0), -1);
		assert_int_equal(ymd_add_days(bad[i], 1), -1);
		assert_int_equal(ymd_weekday(bad[i]), -1);
		assert_false(is_working_day(bad[i], NULL));
		assert_int_equal(working_deadline(bad[i], 10, NULL), -1);
	}
	assert_int_equal(ymd_weekday(20000229), 1);
	assert_int_equal(ymd_weekday(20240430), 1);
}

/* An independent next-day rule, the way a person would step a desk
 * calendar, to check the day-number conversion over every accepted day. */
static int next_day_by_hand(int ymd)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	int last = mdays[m - 1] + (m == 2 && leap);
	if (++d > last) {
		d = 1;
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	return y * 10000 + m * 100 + d;
}

static void every_day_in_range(void **state)
{
	int ymd = 19000101;
	int wd = 0;
	long count = 1;
	while (ymd != 29991231) {
		int next = next_day_by_hand(ymd);
		assert_int_equal(ymd_add_days(ymd, 1), next);
		assert_int_equal(ymd_add_days(next, -1), ymd);
		wd = (wd + 1) % 7;
		assert_int_equal(ymd_weekday(next), wd);
		ymd = next;
		count++;
	}
	/* 1100 years: 267 leap years (275 multiples of 4 minus 1900, 2100,
	 * 2200, 2300, 2500, 2600, 2700, 2900). */
	assert_int_equal(count, 1100L * 365 + 267);
	assert_int_equal(ymd_add_days(19000101, (int)count - 1), 29991231);
	assert_int_equal(ymd_add_days(29991231, -(int)(count - 1)), 19000101);
}

/* A National Day calendar shaped like the official ones: 1-7 October
 * off (Thursday to Wednesday in 2026), with weekend days before and
 * after worked to make up. Constructed for the tests, not the State
 * Council's published arrangement. */
static const int nd_holidays[] = {
	20261001, 20261002, 20261003, 20261004, 20261005, 20261006, 20261007,
};
static const int nd_workdays[] = { 20260920, 20261010 };
static const struct work_calendar national_day = {
	nd_holidays, N(nd_holidays), nd_workdays, N(nd_workdays),
};

static void working_days(void **state)
{
	/* plain week */
	assert_true(is_working_day(20261127, NULL));
	assert_false(is_working_day(20261128, NULL));
	assert_false(is_working_day(20261129, NULL));
	assert_true(is_working_day(20261130, NULL));
	/* an empty calendar behaves like none */
	static const struct work_calendar empty = { NULL, 0, NULL, 0 };
	assert_true(is_working_day(20261127, &empty));
	assert_false(is_working_day(20261128, &empty));
	/* holiday on weekdays, make-up Sunday and Saturday */
	assert_true(is_working_day(20260930, &national_day));
	assert_false(is_working_day(20261001, &national_day));
	assert_false(is_working_day(20261005, &national_day));
	assert_false(is_working_day(20261007, &national_day));
	assert_true(is_working_day(20261008, &national_day));
	assert_true(is_working_day(20260920, &national_day));
	assert_true(is_working_day(20261010, &national_day));
	assert_false(is_working_day(20261011, &national_day));
	/* listed holidays that fall on a weekend stay days off */
	assert_false(is_working_day(20261003, &national_day));
	assert_false(is_working_day(20261004, &national_day));
	/* the same dates without the calendar */
	assert_true(is_working_day(20261001, NULL));
	assert_false(is_working_day(20261010, NULL));
}

static void binary_search_every_position(void **state)
{
	/* Every Monday of 2026 as a holiday: a list long enough that each
	 * element sits at a different depth of the search. */
	int mondays[53];
	size_t n = 0;
	for (int d = 20260105; d <= 20261231 && n < N(mondays); d = ymd_add_days(d, 7))
		mondays[n++] = d;
	assert_int_equal(n, 52);
	struct work_calendar cal = { mondays, n, NULL, 0 };
	for (size_t i = 0; i < n; i++) {
		assert_false(is_working_day(mondays[i], &cal));
		assert_true(is_working_day(ymd_add_days(mondays[i], 1), &cal));
	}
	assert_true(is_working_day(20260102, &cal));   /* before the first */
	assert_true(is_working_day(20261231, &cal));   /* after the last */
	/* weekdays listed as make-up days change nothing */
	struct work_calendar makeup = { NULL, 0, mondays, n };
	assert_true(is_working_day(mondays[0], &makeup));
	assert_false(is_working_day(20260103, &makeup));
}

static void deadline_plain_weeks(void **state)
{
	/* Activity ends Friday 2026-11-27: ten working days are 30 Nov to
	 * 4 Dec and 7 to 11 Dec. */
	assert_int_equal(working_deadline(20261127, 10, NULL), 20261211);
	assert_int_equal(working_deadline(20261127, 1, NULL), 20261130);
	assert_int_equal(working_deadline(20261127, 5, NULL), 20261204);
	assert_int_equal(working_deadline(20261127, 6, NULL), 20261207);
	/* ending on a weekend: counting starts on Monday */
	assert_int_equal(working_deadline(20261128, 1, NULL), 20261130);
	assert_int_equal(working_deadline(20261129, 10, NULL), 20261211);
	/* mid-week, across a month and a year end */
	assert_int_equal(working_deadline(20261130, 1, NULL), 20261201);
	assert_int_equal(working_deadline(20261225, 10, NULL), 20270108);
	assert_int_equal(working_deadline(20240226, 4, NULL), 20240301);
}

static void deadline_national_day(void **state)
{
	/* Ends Wednesday 30 Sep. Without holidays: 1, 2, 5-9, 12-14 Oct. */
	assert_int_equal(working_deadline(20260930, 10, NULL), 20261014);
	/* With them: 8, 9, 10 (make-up Saturday), 12-16, 19, 20 Oct. */
	assert_int_equal(working_deadline(20260930, 10, &national_day), 20261020);
	/* Without the make-up Saturday the deadline is a day later. */
	static const struct work_calendar no_makeup = {
		nd_holidays, N(nd_holidays), NULL, 0,
	};
	assert_int_equal(working_deadline(20260930, 10, &no_makeup), 20261021);
	/* The first working day after the activity is 8 October. */
	assert_int_equal(working_deadline(20260930, 1, &national_day), 20261008);
	assert_int_equal(working_deadline(20261001, 1, &national_day), 20261008);
	assert_int_equal(working_deadline(20261009, 1, &national_day), 20261010);
	/* A make-up Sunday before the holiday counts too: ends Friday 18
	 * Sep, then 20 (Sunday), 21-25, 28-30 Sep, 8 Oct. */
	assert_int_equal(working_deadline(20260918, 10, &national_day), 20261008);
	assert_int_equal(working_deadline(20260918, 10, NULL), 20261002);
	/* The end date itself never counts, even when it is a working day. */
	assert_int_equal(working_deadline(20261010, 1, &national_day), 20261012);
}

static void deadline_invalid(void **state)
{
	assert_int_equal(working_deadline(20261127, 0, NULL), -1);
	assert_int_equal(working_deadline(20261127, -1, NULL), -1);
	assert_int_equal(working_deadline(20261127, INT_MIN, NULL), -1);
	assert_int_equal(working_deadline(20230229, 10, NULL), -1);
	/* running past the accepted years */
	assert_int_equal(working_deadline(29991231, 1, NULL), -1);
	assert_int_equal(working_deadline(29991230, 1, NULL), 29991231);
	assert_int_equal(working_deadline(20261127, INT_MAX, NULL), -1);
	/* no working day left before the accepted years end: Sunday
	 * 2999-12-29 followed by two listed holidays */
	static const int tail[] = { 29991230, 29991231, 0 };
	static const struct work_calendar closing = { tail, N(tail), NULL, 0 };
	assert_int_equal(working_deadline(29991229, 1, &closing), -1);
	assert_int_equal(working_deadline(29991229, 1, NULL), 29991230);
}

/* The known-answer vector, built byte by byte in the shell, without this
 * code, as:
 *   printf '\036record_id\037S2:42\036activity\037S12:%s\036started_at\037S22:2026-11-27T09:00+08:00\036minutes\037S2:90\036note\037N\036remark\037S0:\036' '<the four characters below>' | sha256sum
 * The activity name is four Chinese characters, 12 UTF-8 bytes, so the
 * length prefix has to count bytes, not characters. */
#define ACTIVITY "\xe7\xa4\xbe\xe5\x8c\xba\xe6\x95\xac\xe8\x80\x81"
#define KAT1 "d8f8d4f80532cf74924cb97afba7f44d86690f42f4aae2f291ddbcb274408261"
/* The next link: printf '%s\036record_id\037S2:43\036minutes\037S3:120\036' KAT1 | sha256sum */
#define KAT2 "75cf3480ddab815f447090ef845f0c66f619864783bccd5e71567f15e79f9efc"
/* No fields, no prev: printf '\036' | sha256sum */
#define KAT_EMPTY "9652595f37edd08c51dfa26567e6cd76e6fa2709c3e578478ca398d316837a7a"

static const struct chain_field kat_fields[] = {
	{ "record_id", "42", 0 },
	{ "activity", ACTIVITY, 0 },
	{ "started_at", "2026-11-27T09:00+08:00", 0 },
	{ "minutes", "90", 0 },
	{ "note", NULL, 0 },
	{ "remark", "", 0 },
};

static void chain_known_answers(void **state)
{
	char h[CHAIN_HASH_HEX];
	assert_int_equal(chain_link(NULL, kat_fields, N(kat_fields), h), 0);
	assert_string_equal(h, KAT1);
	assert_int_equal(strlen(h), 64);
	assert_int_equal(chain_link("", kat_fields, N(kat_fields), h), 0);
	assert_string_equal(h, KAT1);

	static const struct chain_field next[] = {
		{ "record_id", "43", 0 }, { "minutes", "120", 0 },
	};
	char h2[CHAIN_HASH_HEX];
	assert_int_equal(chain_link(h, next, N(next), h2), 0);
	assert_string_equal(h2, KAT2);
	/* lengths given by the caller (as the store knows them) hash alike */
	static const struct chain_field sized[] = {
		{ "record_id", "43", 2 }, { "minutes", "120", 3 },
	};
	assert_int_equal(chain_link(h, sized, N(sized), h2), 0);
	assert_string_equal(h2, KAT2);

	assert_int_equal(chain_link(NULL, NULL, 0, h), 0);
	assert_string_equal(h, KAT_EMPTY);
	assert_int_equal(chain_link("", kat_fields, 0, h), 0);
	assert_string_equal(h, KAT_EMPTY);
}

static void hash_of(const char *prev, const struct chain_field *f, size_t n, char out[CHAIN_HASH_HEX])
{
	assert_int_equal(chain_link(prev, f, n, out), 0);
	assert_int_equal(strlen(out), 64);
	for (size_t i = 0; i < 64; i++)
		assert_true((out[i] >= '0' && out[i] <= '9') || (out[i] >= 'a' && out[i] <= 'f'));
}

static void chain_changes(void **state)
{
	char base[CHAIN_HASH_HEX], h[CHAIN_HASH_HEX];
	struct chain_field f[N(kat_fields)];
	hash_of(NULL, kat_fields, N(kat_fields), base);

	/* any single value changed, including to and from NULL */
	static const char *const other[N(kat_fields)] = { "41", "x", "2026-11-27T09:00+08:01", "91", "", NULL };
	for (size_t i = 0; i < N(kat_fields); i++) {
		memcpy(f, kat_fields, sizeof(f));
		f[i].value = other[i];
		hash_of(NULL, f, N(f), h);
		assert_string_not_equal(h, base);
	}
	/* any single name changed */
	for (size_t i = 0; i < N(kat_fields); i++) {
		memcpy(f, kat_fields, sizeof(f));
		f[i].name = "renamed";
		hash_of(NULL, f, N(f), h);
		assert_string_not_equal(h, base);
	}
	/* two neighbours swapped */
	for (size_t i = 0; i + 1 < N(kat_fields); i++) {
		memcpy(f, kat_fields, sizeof(f));
		f[i] = kat_fields[i + 1];
		f[i + 1] = kat_fields[i];
		hash_of(NULL, f, N(f), h);
		assert_string_not_equal(h, base);
	}
	/* a field dropped from the end */
	hash_of(NULL, kat_fields, N(kat_fields) - 1, h);
	assert_string_not_equal(h, base);
	/* another prev */
	hash_of(KAT2, kat_fields, N(kat_fields), h);
	assert_string_not_equal(h, base);
	char h2[CHAIN_HASH_HEX];
	hash_of(KAT1, kat_fields, N(kat_fields), h2);
	assert_string_not_equal(h2, base);
	assert_string_not_equal(h2, h);
}

static void chain_boundaries(void **state)
{
	char a[CHAIN_HASH_HEX], b[CHAIN_HASH_HEX];
	/* NULL and "" are different values */
	hash_of(NULL, (const struct chain_field[]){ { "note", NULL, 0 } }, 1, a);
	hash_of(NULL, (const struct chain_field[]){ { "note", "", 0 } }, 1, b);
	assert_string_not_equal(a, b);
	/* the length prefix keeps the split between values */
	hash_of(NULL, (const struct chain_field[]){ { "x", "ab", 0 }, { "y", "c", 0 } }, 2, a);
	hash_of(NULL, (const struct chain_field[]){ { "x", "a", 0 }, { "y", "bc", 0 } }, 2, b);
	assert_string_not_equal(a, b);
	/* a value that looks like the encoding of more fields */
	hash_of(NULL, (const struct chain_field[]){ { "x", "1", 0 }, { "y", "2", 0 } }, 2, a);
	hash_of(NULL, (const struct chain_field[]){ { "x", "1\x1ey\x1fS1:2", 0 } }, 1, b);
	assert_string_not_equal(a, b);
	hash_of(NULL, (const struct chain_field[]){ { "x", "N", 0 } }, 1, a);
	hash_of(NULL, (const struct chain_field[]){ { "x", NULL, 0 } }, 1, b);
	assert_string_not_equal(a, b);
	/* name/value split */
	hash_of(NULL, (const struct chain_field[]){ { "ab", "c", 0 } }, 1, a);
	hash_of(NULL, (const struct chain_field[]){ { "a", "bc", 0 } }, 1, b);
	assert_string_not_equal(a, b);
	/* prev/first-name split */
	hash_of("ab", (const struct chain_field[]){ { "c", "1", 0 } }, 1, a);
	hash_of("a", (const struct chain_field[]){ { "bc", "1", 0 } }, 1, b);
	assert_string_not_equal(a, b);
	/* no fields and one field with an empty name and NULL value */
	hash_of(NULL, NULL, 0, a);
	hash_of(NULL, (const struct chain_field[]){ { "", NULL, 0 } }, 1, b);
	assert_string_not_equal(a, b);
	/* a length of ten or more bytes takes two digits */
	hash_of(NULL, (const struct chain_field[]){ { "x", "0123456789", 0 } }, 1, a);
	hash_of(NULL, (const struct chain_field[]){ { "x", "012345678", 0 } }, 1, b);
	assert_string_not_equal(a, b);
	/* deterministic */
	hash_of(NULL, kat_fields, N(kat_fields), a);
	hash_of(NULL, kat_fields, N(kat_fields), b);
	assert_string_equal(a, b);
}

static void chain_refusals(void **state)
{
	char out[CHAIN_HASH_HEX];
	memset(out, '#', sizeof(out));
	const struct chain_field null_name[] = { { "a", "1", 0 }, { NULL, "2", 0 } };
	assert_int_equal(chain_link(NULL, null_name, N(null_name), out), -1);
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], '#');
	/* separators where the encoding relies on their absence */
	const struct chain_field us_name[] = { { "a\x1f" "b", "1", 0 } };
	assert_int_equal(chain_link(NULL, us_name, 1, out), -1);
	const struct chain_field ok[] = { { "a", "1", 0 } };
	assert_int_equal(chain_link("ab\x1e", ok, 1, out), -1);
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], '#');
	/* values may hold separators; names may hold the record separator */
	assert_int_equal(chain_link(NULL, (const struct chain_field[]){ { "a", "\x1e\x1f", 0 } }, 1, out), 0);
	assert_int_equal(chain_link(NULL, (const struct chain_field[]){ { "a\x1e", "1", 0 } }, 1, out), 0);
	assert_int_equal(chain_link(NULL, NULL, 1, out), -1);
	assert_int_equal(chain_link(NULL, ok, 1, NULL), -1);
}

static int setup(void **state)
{
	return sodium_init() < 0 ? -1 : 0;
}

/* Exports show China time (UTC+8) to the minute, across days and years:
 * the archive CSV formats stored seconds with china_format_minute. */
static void export_times_in_china(void **state)
{
	(void)state;
	static const struct { int y, mo, d, h, mi, s; const char *want; } rows[] = {
		{ 2026, 12, 2, 6, 0, 0, "2026-12-02 14:00" },
		{ 2026, 11, 5, 15, 30, 0, "2026-11-05 23:30" },
		{ 2026, 11, 5, 16, 30, 59, "2026-11-06 00:30" },
		{ 2026, 12, 31, 16, 0, 0, "2027-01-01 00:00" },
		{ 2028, 2, 28, 16, 0, 0, "2028-02-29 00:00" },
	};
	char out[32];
	for (size_t i = 0; i < N(rows); i++) {
		struct tm tm = { .tm_year = rows[i].y - 1900, .tm_mon = rows[i].mo - 1, .tm_mday = rows[i].d,
				 .tm_hour = rows[i].h, .tm_min = rows[i].mi, .tm_sec = rows[i].s };
		china_format_minute((int64_t)timegm(&tm), out, sizeof(out));
		assert_string_equal(out, rows[i].want);
	}
}

static void export_labels_by_language(void **state)
{
	(void)state;
	assert_string_equal(export_label("record_status", "approved", EXPORT_ZH), "已通过");
	assert_string_equal(export_label("record_status", "approved", EXPORT_EN), "Approved");
	assert_string_equal(export_label("quality", "excellent", EXPORT_ZH), "优秀");
	assert_string_equal(export_label("quality", "fail", EXPORT_EN), "Fail");
	/* unknown values and vocabularies pass through */
	assert_string_equal(export_label("quality", "superb", EXPORT_ZH), "superb");
	assert_string_equal(export_label("colour", "approved", EXPORT_ZH), "approved");
	assert_null(export_label("quality", NULL, EXPORT_ZH));
}

/* Cells that a spreadsheet would run as a formula are kept as text: the
 * four formula signs, and a leading TAB or CR that it skips first. */
static void export_csv_formula_guard(void **state)
{
	(void)state;
	static const struct { const char *in, *want; } rows[] = {
		{ "=1+2", "\"'=1+2\"," },
		{ "+1", "\"'+1\"," },
		{ "-1", "\"'-1\"," },
		{ "@SUM(A1)", "\"'@SUM(A1)\"," },
		{ "\t=cmd|' /C calc'!A0", "\"'\t=cmd|' /C calc'!A0\"," },
		{ "\r=1+2", "\"'\r=1+2\"," },
		{ "a\tb", "a\tb," },                 /* inside a cell: harmless */
		{ "陪伴 \"老人\"", "\"陪伴 \"\"老人\"\"\"," },
		{ "", "," },
	};
	for (size_t i = 0; i < N(rows); i++) {
		struct buf b;
		buf_init(&b, 1024);
		export_csv_cell(&b, rows[i].in, false);
		assert_string_equal(b.data, rows[i].want);
		buf_release(&b);
	}
	struct buf b;
	buf_init(&b, 1024);
	export_csv_cell(&b, NULL, true);
	assert_string_equal(b.data, "\r\n");
	buf_release(&b);
}

/* Numbers the server computed stay numbers a spreadsheet can sum, a
 * negative one included; the same digits typed as text are guarded. */
static void export_csv_numbers(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1024);
	export_csv_int(&b, -120, false);
	export_csv_int(&b, 0, false);
	export_csv_int(&b, INT64_MIN, false);
	export_csv_cell(&b, "-120", false);
	export_csv_int(&b, 42, true);
	assert_string_equal(b.data, "-120,0,-9223372036854775808,\"'-120\",42\r\n");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rounding_table),
		cmocka_unit_test(export_csv_formula_guard),
		cmocka_unit_test(export_csv_numbers),
		cmocka_unit_test(rounding_invalid),
		cmocka_unit_test(overlap),
		cmocka_unit_test(add_days_boundaries),
		cmocka_unit_test(weekdays),
		cmocka_unit_test(invalid_dates),
		cmocka_unit_test(every_day_in_range),
		cmocka_unit_test(working_days),
		cmocka_unit_test(binary_search_every_position),
		cmocka_unit_test(deadline_plain_weeks),
		cmocka_unit_test(deadline_national_day),
		cmocka_unit_test(deadline_invalid),
		cmocka_unit_test(chain_known_answers),
		cmocka_unit_test(chain_changes),
		cmocka_unit_test(chain_boundaries),
		cmocka_unit_test(chain_refusals),
		cmocka_unit_test(export_times_in_china),
		cmocka_unit_test(export_labels_by_language),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
