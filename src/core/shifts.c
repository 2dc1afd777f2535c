/* Shift and attendance rules (see shifts.h). */
#include "core/shifts.h"
#include "core/records.h"
#include <stdlib.h>
#include <string.h>

void shift_busy(int64_t s0, int64_t s1, int64_t grace, int64_t *b0, int64_t *b1)
{
	int64_t half = grace / 2;
	if (s1 - s0 <= grace) {
		*b0 = *b1 = s0 + (s1 - s0) / 2;
		return;
	}
	*b0 = s0 + half;
	*b1 = s1 - half;
}

bool shifts_collide(int64_t a0, int64_t a1, int64_t b0, int64_t b1, int64_t grace)
{
	int64_t x0, x1, y0, y1;
	shift_busy(a0, a1, grace, &x0, &x1);
	shift_busy(b0, b1, grace, &y0, &y1);
	return intervals_overlap(x0, x1, y0, y1);
}

static int small_number(const char *s, const char **end)
{
	int v = 0, n = 0;
	while (*s >= '0' && *s <= '9' && n < 3) {
		v = v * 10 + (*s - '0');
		s++;
		n++;
	}
	*end = s;
	return n ? v : -1;
}

int attend_rule_parse(const char *text, struct attend_rule *rule)
{
	if (strcmp(text, "off") == 0) {
		rule->low = rule->high = -1;
		return 0;
	}
	const char *p;
	int low = small_number(text, &p);
	if (low < 0 || *p != ',')
		return -1;
	int high = small_number(p + 1, &p);
	if (high < 0 || *p || low > high || high >= 60)
		return -1;
	rule->low = low;
	rule->high = high;
	return 0;
}

int64_t attend_clipped(int64_t in, int64_t out, int64_t s0, int64_t s1)
{
	int64_t a = in > s0 ? in : s0, b = out < s1 ? out : s1;
	return b > a ? b - a : 0;
}

bool attend_counts(int64_t clipped, int64_t s0, int64_t s1, const struct attend_rule *rule)
{
	if (s1 <= s0)
		return false;
	return clipped * 100 >= (int64_t)rule->share * (s1 - s0);
}

int64_t attend_minutes(int64_t clipped, int64_t s0, int64_t s1, const struct attend_rule *rule)
{
	int64_t m = clipped / 60, whole = m / 60 * 60, rest = m % 60;
	if (rule->low >= 0)
		m = whole + (rest <= rule->low ? 0 : rest <= rule->high ? 30 : 60);
	int64_t len = (s1 - s0) / 60;
	return m < len ? m : len;
}

int weekly_dates(int first, int until, unsigned mask, int *out, int max)
{
	if (ymd_weekday(first) < 0 || ymd_weekday(until) < 0 || until < first)
		return -1;
	int n = 0;
	for (int d = first; d <= until && n < max; d = ymd_add_days(d, 1))
		if (mask & (1u << ymd_weekday(d)))
			out[n++] = d;
	return n;
}
