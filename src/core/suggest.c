/* Ranking volunteers for an order (see suggest.h). */
#include "core/suggest.h"
#include <stdlib.h>
#include <string.h>

static const char *const reason_names[SR_COUNT] = {
	[SR_SKILLS_ALL] = "skills_all",
	[SR_SKILLS_SOME] = "skills_some",
	[SR_SKILLS_NONE] = "skills_none",
	[SR_CERTS_ALL] = "certificates_all",
	[SR_CERTS_MISSING] = "certificates_missing",
	[SR_SAME_COMMUNITY] = "same_community",
	[SR_SAME_TOWN] = "same_town",
	[SR_SAME_DISTRICT] = "same_district",
	[SR_FAR] = "far",
	[SR_AVAILABLE] = "available",
	[SR_BUSY_SHIFT] = "busy_shift",
	[SR_BUSY_ORDER] = "busy_order",
	[SR_LIGHT_LOAD] = "light_load",
	[SR_HEAVY_LOAD] = "heavy_load",
	[SR_RATED_WELL] = "rated_well",
	[SR_RATED_POORLY] = "rated_poorly",
	[SR_NOT_RATED] = "not_rated",
};

const char *suggest_reason_name(enum suggest_reason r)
{
	return (unsigned)r < SR_COUNT ? reason_names[r] : "";
}

/* Whether a and b both have at least n characters and share the first n. */
static bool same_prefix(const char *a, const char *b, size_t n)
{
	return strnlen(a, n) == n && strnlen(b, n) == n && memcmp(a, b, n) == 0;
}

int suggest_distance(const char *a, const char *b)
{
	if (!a || !b)
		return 4;
	/* 12-digit codes: county 6, town 3, community 3; the city is the
	 * first 4 digits of the county's code */
	if (same_prefix(a, b, 12))
		return 0;
	if (same_prefix(a, b, 9) && memcmp(a + 6, "000", 3) != 0)
		return 1;
	if (same_prefix(a, b, 6))
		return 2;
	if (same_prefix(a, b, 4))
		return 3;
	return 4;
}

bool suggest_overlaps(int64_t a_from, int64_t a_to, int64_t b_from, int64_t b_to)
{
	return a_from < b_to && b_from < a_to;
}

size_t suggest_count_held(const char *const *want, size_t nwant, const char *const *have, size_t nhave)
{
	size_t held = 0;
	for (size_t i = 0; i < nwant; i++) {
		bool dup = false;
		for (size_t k = 0; k < i && !dup; k++)
			dup = strcmp(want[k], want[i]) == 0;
		if (dup)
			continue;
		for (size_t j = 0; j < nhave; j++)
			if (strcmp(want[i], have[j]) == 0) {
				held++;
				break;
			}
	}
	return held;
}

#define R(x) (1u << (x))

void suggest_score(const struct suggest_need *need, struct suggest_candidate *c)
{
	int score = 0;
	unsigned why = 0;

	size_t held = c->skills_held < need->skills ? c->skills_held : need->skills;
	if (held == need->skills) {
		score += SUGGEST_W_SKILLS;
		why |= R(SR_SKILLS_ALL);
	} else {
		score += (int)(SUGGEST_W_SKILLS * held / need->skills);
		why |= R(held ? SR_SKILLS_SOME : SR_SKILLS_NONE);
	}

	held = c->certs_held < need->certs ? c->certs_held : need->certs;
	if (held == need->certs) {
		score += SUGGEST_W_CERTS;
		why |= R(SR_CERTS_ALL);
	} else {
		score += (int)(SUGGEST_W_CERTS * held / need->certs);
		why |= R(SR_CERTS_MISSING);
	}

	static const int near_points[5] = { SUGGEST_W_NEAR, 17, 9, 0, 0 };
	static const enum suggest_reason near_reason[5] = { SR_SAME_COMMUNITY, SR_SAME_TOWN, SR_SAME_DISTRICT,
							    SR_FAR, SR_FAR };
	int d = suggest_distance(need->region, c->region);
	score += near_points[d];
	why |= R(near_reason[d]);

	if (c->busy_shift)
		why |= R(SR_BUSY_SHIFT);
	if (c->busy_order)
		why |= R(SR_BUSY_ORDER);
	if (c->busy_shift || c->busy_order)
		score -= SUGGEST_BUSY_PENALTY;
	else
		why |= R(SR_AVAILABLE);

	int64_t recent = c->recent < 0 ? 0 : c->recent > SUGGEST_LOAD_FULL ? SUGGEST_LOAD_FULL : c->recent;
	score += (int)(SUGGEST_W_LOAD * (SUGGEST_LOAD_FULL - recent) / SUGGEST_LOAD_FULL);
	if (recent <= 1)
		why |= R(SR_LIGHT_LOAD);
	else if (recent >= 3)
		why |= R(SR_HEAVY_LOAD);

	if (c->rating_count <= 0) {
		score += SUGGEST_W_RATING / 2;
		why |= R(SR_NOT_RATED);
	} else {
		/* average stars a = sum / count in 1..5, mapped to 0..W */
		int64_t sum = c->rating_sum, n = c->rating_count;
		if (sum < n)
			sum = n;
		if (sum > 5 * n)
			sum = 5 * n;
		score += (int)(SUGGEST_W_RATING * (sum - n) / (4 * n));
		if (sum >= 4 * n)
			why |= R(SR_RATED_WELL);
		else if (sum < 3 * n)
			why |= R(SR_RATED_POORLY);
	}

	c->score = score;
	c->reasons = why;
}

static int by_rank(const void *pa, const void *pb)
{
	const struct suggest_candidate *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->recent != b->recent)
		return a->recent < b->recent ? -1 : 1;
	return a->volunteer_id < b->volunteer_id ? -1 : a->volunteer_id > b->volunteer_id;
}

void suggest_rank(const struct suggest_need *need, struct suggest_candidate *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		suggest_score(need, &c[i]);
	if (n > 1)
		qsort(c, n, sizeof(*c), by_rank);
}
