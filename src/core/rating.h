/* What a resident's rating of a delivered order means (评菜): the
 * quality it suggests for the volunteers' service records, whether it
 * opens a case staff must close, and the shares the menu statistics
 * show. Pure rules; app/menu/ratings.c and stats.c apply them. */
#ifndef ZY_CORE_RATING_H
#define ZY_CORE_RATING_H
#include <stdbool.h>
#include <stdint.h>

#define RATING_STARS_MIN 1
#define RATING_STARS_MAX 5

/* Whether stars is a rating (1..5). */
bool rating_stars_valid(int64_t stars);
/* The record quality (service_records.quality) a rating suggests to the
 * approver: 5 excellent, 4 good, 3 pass, 1–2 fail; NULL when stars is
 * not a rating. Only a suggestion: the approver decides. */
const char *rating_quality(int64_t stars);
/* The kind of case a rating opens: "complaint" when the resident
 * complained (whatever the stars), "low_rating" for 1–2 stars, NULL when
 * it opens none. */
const char *rating_case_kind(int64_t stars, bool complaint);
/* Whether a rating counts as satisfied in the statistics (4 or 5). */
bool rating_satisfied(int64_t stars);
/* part / whole in thousandths, rounded half up; 0 when whole is 0 (the
 * statistics show shares without floating point in the store). */
int64_t rating_permille(int64_t part, int64_t whole);
/* The mean of count values summing to sum, rounded half up; 0 when
 * count is 0 (average minutes to dispatch and to delivery). */
int64_t rating_mean(int64_t sum, int64_t count);

#endif
