/* Unit tests for core/shifts: overlap with a grace period, attendance
 * clipped to the shift, the share that counts, rounding rules, weekly
 * dates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/shifts.h"

#define M 60
#define H 3600

static void overlap_with_grace(void **state)
{
	/* 9–11 and 11–13 touch: never a clash */
	assert_false(shifts_collide(9 * H, 11 * H, 11 * H, 13 * H, 0));
	/* 9–11 and 10:50–13 overlap 10 minutes: a clash without grace … */
	assert_true(shifts_collide(9 * H, 11 * H, 10 * H + 50 * M, 13 * H, 0));
	/* … fine with 10 or 15 minutes of grace, not with 8 */
	assert_false(shifts_collide(9 * H, 11 * H, 10 * H + 50 * M, 13 * H, 10 * M));
	assert_false(shifts_collide(9 * H, 11 * H, 10 * H + 50 * M, 13 * H, 15 * M));
	assert_true(shifts_collide(9 * H, 11 * H, 10 * H + 50 * M, 13 * H, 8 * M));
	/* the same shift always clashes with itself, grace or not */
	assert_true(shifts_collide(9 * H, 11 * H, 9 * H, 11 * H, 30 * M));
	/* a shift no longer than the grace clashes with nothing */
	int64_t b0, b1;
	shift_busy(9 * H, 9 * H + 10 * M, 15 * M, &b0, &b1);
	assert_true(b0 == b1);
	assert_false(shifts_collide(9 * H, 9 * H + 10 * M, 8 * H, 12 * H, 15 * M));
	/* the busy interval is the shift shrunk by half the grace at each end */
	shift_busy(9 * H, 11 * H, 20 * M, &b0, &b1);
	assert_true(b0 == 9 * H + 10 * M && b1 == 11 * H - 10 * M);
}

static void attendance_clipped_to_the_shift(void **state)
{
	/* early arrival and late departure count only the shift */
	assert_true(attend_clipped(8 * H, 12 * H, 9 * H, 11 * H) == 2 * H);
	assert_true(attend_clipped(9 * H + 30 * M, 10 * H, 9 * H, 11 * H) == 30 * M);
	assert_true(attend_clipped(11 * H, 12 * H, 9 * H, 11 * H) == 0);
	assert_true(attend_clipped(10 * H, 9 * H, 9 * H, 11 * H) == 0);
}

static void share_of_the_shift(void **state)
{
	struct attend_rule rule = { 15, 45, 60 };
	/* 2 h shift: 72 minutes is exactly 60 % */
	assert_true(attend_counts(72 * M, 9 * H, 11 * H, &rule));
	assert_false(attend_counts(71 * M, 9 * H, 11 * H, &rule));
	rule.share = 0;
	assert_true(attend_counts(0, 9 * H, 11 * H, &rule));
	rule.share = 100;
	assert_false(attend_counts(2 * H - 1, 9 * H, 11 * H, &rule));
	assert_false(attend_counts(H, 9 * H, 9 * H, &rule));   /* an empty shift */
}

static void rounding_rules(void **state)
{
	struct attend_rule rule = { 0, 0, 60 };
	assert_int_equal(attend_rule_parse("15,45", &rule), 0);
	assert_int_equal(rule.low, 15);
	assert_int_equal(rule.high, 45);
	int64_t s0 = 0, s1 = 8 * H;
	/* ≤ 15 → 0, ≤ 45 → 30, else a full hour, past the whole hours */
	assert_true(attend_minutes(2 * H + 15 * M, s0, s1, &rule) == 120);
	assert_true(attend_minutes(2 * H + 16 * M, s0, s1, &rule) == 150);
	assert_true(attend_minutes(2 * H + 45 * M, s0, s1, &rule) == 150);
	assert_true(attend_minutes(2 * H + 46 * M, s0, s1, &rule) == 180);
	assert_true(attend_minutes(10 * M, s0, s1, &rule) == 0);
	assert_true(attend_minutes(3 * H, s0, s1, &rule) == 180);
	/* seconds do not count towards a minute */
	assert_true(attend_minutes(15 * M + 59, s0, s1, &rule) == 0);
	/* never more than the shift: 50 minutes of a 50-minute shift */
	assert_true(attend_minutes(50 * M, 0, 50 * M, &rule) == 50);
	/* off: minutes as attended */
	assert_int_equal(attend_rule_parse("off", &rule), 0);
	assert_true(attend_minutes(2 * H + 16 * M, s0, s1, &rule) == 136);
	/* malformed rules */
	assert_int_equal(attend_rule_parse("45,15", &rule), -1);
	assert_int_equal(attend_rule_parse("15,60", &rule), -1);
	assert_int_equal(attend_rule_parse("15", &rule), -1);
	assert_int_equal(attend_rule_parse("15,45,50", &rule), -1);
	assert_int_equal(attend_rule_parse("", &rule), -1);
	assert_int_equal(attend_rule_parse("a,b", &rule), -1);
}

static void weekly_dates_of_a_series(void **state)
{
	int out[20];
	/* Tuesdays and Thursdays from Tue 2026-12-01 to Thu 2026-12-17 */
	int n = weekly_dates(20261201, 20261217, 1u << 1 | 1u << 3, out, 20);
	assert_int_equal(n, 6);
	assert_int_equal(out[0], 20261201);
	assert_int_equal(out[1], 20261203);
	assert_int_equal(out[5], 20261217);
	/* across a year end, Sundays only */
	n = weekly_dates(20261228, 20270110, 1u << 6, out, 20);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 20270103);
	assert_int_equal(out[1], 20270110);
	/* the cap */
	assert_int_equal(weekly_dates(20260101, 20261231, 0x7f, out, 20), 20);
	/* invalid */
	assert_int_equal(weekly_dates(20261217, 20261201, 1, out, 20), -1);
	assert_int_equal(weekly_dates(20261301, 20261401, 1, out, 20), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(overlap_with_grace),
		cmocka_unit_test(attendance_clipped_to_the_shift),
		cmocka_unit_test(share_of_the_shift),
		cmocka_unit_test(rounding_rules),
		cmocka_unit_test(weekly_dates_of_a_series),
	};
	return cmocka_run_group_tests_name("shifts", tests, NULL, NULL);
}
