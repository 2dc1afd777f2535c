/* Unit tests for core/suggest: the ranking of volunteers for an order
 * (skill and certificate match, closeness in the region tree, the
 * availability check, recent load, past ratings) and the reasons given. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "core/suggest.h"

#define H 3600
#define R(x) (1u << (x))

/* the order's community: Wenjiang 510115, town 001, community 002 */
static const char *const here = "510115001002";

static struct suggest_candidate plain(int64_t id, const char *region)
{
	struct suggest_candidate c = { .volunteer_id = id, .region = region };
	return c;
}

static void distance_in_the_region_tree(void **state)
{
	(void)state;
	assert_int_equal(suggest_distance(here, "510115001002"), 0);
	assert_int_equal(suggest_distance(here, "510115001003"), 1);
	assert_int_equal(suggest_distance(here, "510115002002"), 2);
	assert_int_equal(suggest_distance(here, "510116001002"), 3);
	assert_int_equal(suggest_distance(here, "110105001002"), 4);
	/* a district-level code shares the district only, not a town "000" */
	assert_int_equal(suggest_distance("510115000000", "510115000001"), 2);
	/* short or missing codes share no level they lack */
	assert_int_equal(suggest_distance(here, "510115"), 2);
	assert_int_equal(suggest_distance(here, "51"), 4);
	assert_int_equal(suggest_distance(here, NULL), 4);
}

static void availability_check(void **state)
{
	(void)state;
	/* 9–11 and 11–13 only touch: free */
	assert_false(suggest_overlaps(9 * H, 11 * H, 11 * H, 13 * H));
	assert_false(suggest_overlaps(11 * H, 13 * H, 9 * H, 11 * H));
	/* one minute shared is busy, either way round */
	assert_true(suggest_overlaps(9 * H, 11 * H, 11 * H - 60, 13 * H));
	assert_true(suggest_overlaps(11 * H - 60, 13 * H, 9 * H, 11 * H));
	/* one inside the other */
	assert_true(suggest_overlaps(9 * H, 17 * H, 10 * H, 11 * H));
	assert_true(suggest_overlaps(10 * H, 11 * H, 9 * H, 17 * H));
	/* apart */
	assert_false(suggest_overlaps(9 * H, 10 * H, 12 * H, 13 * H));
}

static void counting_held_skills(void **state)
{
	(void)state;
	const char *want[] = { "急救", "护理", "急救" };
	const char *have[] = { "护理", "驾驶" };
	/* the duplicate in want is counted once, held or not */
	assert_int_equal(suggest_count_held(want, 3, have, 2), 1);
	const char *all[] = { "急救", "护理" };
	assert_int_equal(suggest_count_held(want, 2, all, 2), 2);
	assert_int_equal(suggest_count_held(want, 2, NULL, 0), 0);
	assert_int_equal(suggest_count_held(NULL, 0, have, 2), 0);
}

static void score_parts_and_reasons(void **state)
{
	(void)state;
	struct suggest_need need = { .skills = 2, .certs = 1, .region = here };
	/* the best case: everything held, next door, free, idle, rated 5 */
	struct suggest_candidate c = plain(1, here);
	c.skills_held = 2;
	c.certs_held = 1;
	c.rating_sum = 10;
	c.rating_count = 2;
	suggest_score(&need, &c);
	assert_int_equal(c.score, 100);
	assert_int_equal(c.reasons, R(SR_SKILLS_ALL) | R(SR_CERTS_ALL) | R(SR_SAME_COMMUNITY) |
			 R(SR_AVAILABLE) | R(SR_LIGHT_LOAD) | R(SR_RATED_WELL));

	/* half the skills, no certificate, same town, 3 recent services,
	 * rated 2 on average: 15 + 0 + 17 + 15*3/6 + 10*1/4 */
	c = plain(2, "510115001009");
	c.skills_held = 1;
	c.recent = 3;
	c.rating_sum = 4;
	c.rating_count = 2;
	suggest_score(&need, &c);
	assert_int_equal(c.score, 15 + 0 + 17 + 7 + 2);
	assert_int_equal(c.reasons, R(SR_SKILLS_SOME) | R(SR_CERTS_MISSING) | R(SR_SAME_TOWN) |
			 R(SR_AVAILABLE) | R(SR_HEAVY_LOAD) | R(SR_RATED_POORLY));

	/* nothing held, other district, busy twice, worn out, not rated */
	c = plain(3, "510116001002");
	c.busy_shift = c.busy_order = true;
	c.recent = 40;
	suggest_score(&need, &c);
	assert_int_equal(c.score, 0 + 0 + 0 - SUGGEST_BUSY_PENALTY + 0 + 5);
	assert_int_equal(c.reasons, R(SR_SKILLS_NONE) | R(SR_CERTS_MISSING) | R(SR_FAR) | R(SR_BUSY_SHIFT) |
			 R(SR_BUSY_ORDER) | R(SR_HEAVY_LOAD) | R(SR_NOT_RATED));

	/* nothing required: everyone matches fully; 2 recent is neither light nor heavy */
	struct suggest_need none = { .region = here };
	c = plain(4, "510115002001");
	c.recent = 2;
	c.rating_sum = 7;     /* 3.5 stars: neither well nor poorly */
	c.rating_count = 2;
	suggest_score(&none, &c);
	assert_int_equal(c.score, 30 + 20 + 9 + 10 + 6);
	assert_int_equal(c.reasons, R(SR_SKILLS_ALL) | R(SR_CERTS_ALL) | R(SR_SAME_DISTRICT) | R(SR_AVAILABLE));
}

static void ranking_order(void **state)
{
	(void)state;
	struct suggest_need need = { .skills = 1, .region = here };
	struct suggest_candidate c[5];
	/* 10: skilled, far; 11: skilled, next door but busy; 12: unskilled
	 * next door; 13 and 14: skilled, same town, 14 served less lately */
	c[0] = plain(10, "510115009001");
	c[0].skills_held = 1;
	c[1] = plain(11, here);
	c[1].skills_held = 1;
	c[1].busy_order = true;
	c[2] = plain(12, here);
	c[3] = plain(13, "510115001001");
	c[3].skills_held = 1;
	c[3].recent = 1;
	c[4] = plain(14, "510115001001");
	c[4].skills_held = 1;
	suggest_rank(&need, c, 5);
	/* 14: 30+20+17+15+5 = 87; 13: 85; 12: 0+20+25+15+5 = 65; 10: 30+20+9+15+5
	 * = 79; the busy 11 last whatever else it has */
	assert_int_equal(c[0].volunteer_id, 14);
	assert_int_equal(c[1].volunteer_id, 13);
	assert_int_equal(c[2].volunteer_id, 10);
	assert_int_equal(c[3].volunteer_id, 12);
	assert_int_equal(c[4].volunteer_id, 11);
	assert_int_equal(c[0].score, 87);
	assert_int_equal(c[2].score, 79);

	/* a tie on score and load goes to the lower id */
	struct suggest_candidate t[2] = { plain(8, here), plain(7, here) };
	suggest_rank(&need, t, 2);
	assert_int_equal(t[0].volunteer_id, 7);
	assert_int_equal(t[0].score, t[1].score);
}

static void reason_names(void **state)
{
	(void)state;
	assert_string_equal(suggest_reason_name(SR_SAME_COMMUNITY), "same_community");
	assert_string_equal(suggest_reason_name(SR_BUSY_ORDER), "busy_order");
	assert_string_equal(suggest_reason_name(SR_NOT_RATED), "not_rated");
	assert_string_equal(suggest_reason_name(SR_COUNT), "");
	for (int i = 0; i < SR_COUNT; i++)
		assert_true(suggest_reason_name((enum suggest_reason)i)[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(distance_in_the_region_tree),
		cmocka_unit_test(availability_check),
		cmocka_unit_test(counting_held_skills),
		cmocka_unit_test(score_parts_and_reasons),
		cmocka_unit_test(ranking_order),
		cmocka_unit_test(reason_names),
	};
	return cmocka_run_group_tests_name("suggest", tests, NULL, NULL);
}
