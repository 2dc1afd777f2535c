/* Ratings and the statistics' arithmetic (see rating.h). */
#include "core/rating.h"
#include <stddef.h>

bool rating_stars_valid(int64_t stars)
{
	return stars >= RATING_STARS_MIN && stars <= RATING_STARS_MAX;
}

const char *rating_quality(int64_t stars)
{
	/* the record qualities of service/entry.c, best first */
	static const char *const by_stars[] = { NULL, "fail", "fail", "pass", "good", "excellent" };
	return rating_stars_valid(stars) ? by_stars[stars] : NULL;
}

const char *rating_case_kind(int64_t stars, bool complaint)
{
	if (!rating_stars_valid(stars))
		return NULL;
	if (complaint)
		return "complaint";
	return stars <= 2 ? "low_rating" : NULL;
}

bool rating_satisfied(int64_t stars)
{
	return stars >= 4 && stars <= RATING_STARS_MAX;
}

int64_t rating_permille(int64_t part, int64_t whole)
{
	if (whole <= 0 || part < 0)
		return 0;
	return (part * 1000 + whole / 2) / whole;
}

int64_t rating_mean(int64_t sum, int64_t count)
{
	if (count <= 0)
		return 0;
	/* half up for either sign: waiting times are never negative, but a
	 * clock set back must not make the mean jump */
	return sum >= 0 ? (sum + count / 2) / count : -((-sum + count / 2) / count);
}
