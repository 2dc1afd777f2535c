/* Unit tests for core/points: earning arithmetic, rounding, caps, rates,
 * star levels. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/points.h"

static void one_point_an_hour_rounded_half_to_even(void **state)
{
	assert_int_equal(points_for_minutes(60, 1000, 1000, 1000), 1);
	assert_int_equal(points_for_minutes(120, 1000, 1000, 1000), 2);
	/* halves go to the even neighbour: 0.5 → 0, 1.5 → 2, 2.5 → 2 */
	assert_int_equal(points_for_minutes(30, 1000, 1000, 1000), 0);
	assert_int_equal(points_for_minutes(90, 1000, 1000, 1000), 2);
	assert_int_equal(points_for_minutes(150, 1000, 1000, 1000), 2);
	assert_int_equal(points_for_minutes(210, 1000, 1000, 1000), 4);
	/* just above or below a half rounds to nearest */
	assert_int_equal(points_for_minutes(31, 1000, 1000, 1000), 1);
	assert_int_equal(points_for_minutes(29, 1000, 1000, 1000), 0);
	assert_int_equal(points_for_minutes(0, 1000, 1000, 1000), 0);
}

static void coefficients_and_multipliers(void **state)
{
	/* 2 h × 1.5 × 2 × 1.2 = 7.2 */
	assert_int_equal(points_for_minutes(120, 1500, 2000, 1200), 7);
	/* a failed service at multiplier 0 */
	assert_int_equal(points_for_minutes(600, 1000, 1000, 0), 0);
	/* the maxima stay exact: a week at 1000 points an hour × 1000 × 1000 */
	int64_t big = points_for_minutes(7 * 24 * 60, POINTS_MILLI_MAX, POINTS_MILLI_MAX, POINTS_MILLI_MAX);
	assert_true(big == INT64_C(168000000000));
	/* out of range */
	assert_int_equal(points_for_minutes(-1, 1000, 1000, 1000), -1);
	assert_int_equal(points_for_minutes(60, POINTS_MILLI_MAX + 1, 1000, 1000), -1);
	assert_int_equal(points_for_minutes(60, 1000, -1, 1000), -1);
	assert_int_equal(points_for_minutes(7 * 24 * 60 + 1, 1000, 1000, 1000), -1);
}

static void caps_per_activity_day_and_year(void **state)
{
	assert_int_equal(points_capped(7, 0, 0, 0, 0, 0), 7);
	assert_int_equal(points_capped(7, 5, 0, 0, 0, 0), 5);
	assert_int_equal(points_capped(7, 0, 10, 6, 0, 0), 4);    /* 4 left today */
	assert_int_equal(points_capped(7, 0, 10, 12, 0, 0), 0);   /* over already: nothing, never negative */
	assert_int_equal(points_capped(7, 0, 0, 0, 100, 98), 2);
	assert_int_equal(points_capped(7, 6, 10, 5, 100, 96), 4); /* the tightest wins */
	assert_int_equal(points_capped(-3, 0, 0, 0, 0, 0), 0);
}

static void rates_have_three_decimals_at_most(void **state)
{
	int64_t m = -1;
	assert_int_equal(points_rate_milli(1.2, &m), 0);
	assert_int_equal(m, 1200);
	assert_int_equal(points_rate_milli(0, &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(points_rate_milli(0.001, &m), 0);
	assert_int_equal(m, 1);
	assert_int_equal(points_rate_milli(1000, &m), 0);
	assert_int_equal(m, POINTS_MILLI_MAX);
	assert_int_equal(points_rate_milli(1.2345, &m), -1);
	assert_int_equal(points_rate_milli(-0.5, &m), -1);
	assert_int_equal(points_rate_milli(1000.001, &m), -1);
	assert_int_equal(points_rate_milli(1.0 / 0.0, &m), -1);
}

static void star_levels_and_presets(void **state)
{
	int64_t h[STAR_LEVELS];
	assert_int_equal(stars_preset("national", h), 0);
	assert_true(h[0] == 100 && h[1] == 300 && h[2] == 600 && h[3] == 1000 && h[4] == 1500);
	assert_int_equal(stars_level(0, h), 0);
	assert_int_equal(stars_level(100 * 60 - 1, h), 0);
	assert_int_equal(stars_level(100 * 60, h), 1);
	assert_int_equal(stars_level(299 * 60, h), 1);
	assert_int_equal(stars_level(1500 * 60, h), 5);
	assert_int_equal(stars_level(99999 * 60, h), 5);
	assert_int_equal(stars_preset("beijing", h), 0);
	assert_true(h[1] == 200 && h[4] == 1000);
	assert_int_equal(stars_level(200 * 60, h), 2);
	assert_int_equal(stars_preset("shanghai", h), -1);
	assert_true(stars_valid(h));
	int64_t down[STAR_LEVELS] = { 5, 4, 3, 2, 1 }, same[STAR_LEVELS] = { 1, 2, 2, 3, 4 },
		zero[STAR_LEVELS] = { 0, 1, 2, 3, 4 }, huge[STAR_LEVELS] = { 1, 2, 3, 4, STAR_HOURS_MAX + 1 };
	assert_false(stars_valid(down));
	assert_false(stars_valid(same));
	assert_false(stars_valid(zero));
	assert_false(stars_valid(huge));
}

static void expiry_dates(void **state)
{
	assert_true(points_expires_at(1000, 0) == 0);             /* never */
	assert_true(points_expires_at(1000, 30) == 1000 + 30 * 86400);
	assert_true(points_expires_at(0, POINTS_EXPIRY_DAYS_MAX) == INT64_C(3650) * 86400);
	assert_true(points_expires_at(1000, POINTS_EXPIRY_DAYS_MAX + 1) == -1);
	assert_true(points_expires_at(1000, -1) == -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_point_an_hour_rounded_half_to_even),
		cmocka_unit_test(coefficients_and_multipliers),
		cmocka_unit_test(caps_per_activity_day_and_year),
		cmocka_unit_test(rates_have_three_decimals_at_most),
		cmocka_unit_test(star_levels_and_presets),
		cmocka_unit_test(expiry_dates),
	};
	return cmocka_run_group_tests_name("points", tests, NULL, NULL);
}
