/* Unit tests for core/rating: the quality a rating suggests, which
 * ratings open a case, and the statistics' shares and means. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/rating.h"

static void stars_and_quality(void **state)
{
	(void)state;
	const char *want[] = { "fail", "fail", "pass", "good", "excellent" };
	for (int s = 1; s <= 5; s++) {
		assert_true(rating_stars_valid(s));
		assert_string_equal(rating_quality(s), want[s - 1]);
	}
	const int64_t bad[] = { 0, -1, 6, 100, INT64_MIN, INT64_MAX };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(rating_stars_valid(bad[i]));
		assert_null(rating_quality(bad[i]));
		assert_null(rating_case_kind(bad[i], true));
		assert_false(rating_satisfied(bad[i]));
	}
}

static void cases(void **state)
{
	(void)state;
	/* 1–2 stars open a low-rating case; a complaint opens one whatever the stars */
	assert_string_equal(rating_case_kind(1, false), "low_rating");
	assert_string_equal(rating_case_kind(2, false), "low_rating");
	assert_null(rating_case_kind(3, false));
	assert_null(rating_case_kind(4, false));
	assert_null(rating_case_kind(5, false));
	for (int s = 1; s <= 5; s++)
		assert_string_equal(rating_case_kind(s, true), "complaint");
	assert_false(rating_satisfied(3));
	assert_true(rating_satisfied(4));
	assert_true(rating_satisfied(5));
}

static void shares_and_means(void **state)
{
	(void)state;
	assert_int_equal(rating_permille(0, 0), 0);
	assert_int_equal(rating_permille(1, 0), 0);
	assert_int_equal(rating_permille(1, 2), 500);
	assert_int_equal(rating_permille(2, 3), 667);   /* 666.67 rounds up */
	assert_int_equal(rating_permille(1, 3), 333);
	assert_int_equal(rating_permille(3, 3), 1000);
	assert_int_equal(rating_permille(1, 2000), 1);  /* 0.5 rounds up */
	assert_int_equal(rating_permille(1, 2001), 0);
	assert_int_equal(rating_mean(0, 0), 0);
	assert_int_equal(rating_mean(10, 0), 0);
	assert_int_equal(rating_mean(10, 4), 3);        /* 2.5 → 3 */
	assert_int_equal(rating_mean(9, 4), 2);         /* 2.25 → 2 */
	assert_int_equal(rating_mean(-10, 4), -3);
	assert_int_equal(rating_mean(7200, 3), 2400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stars_and_quality),
		cmocka_unit_test(cases),
		cmocka_unit_test(shares_and_means),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
