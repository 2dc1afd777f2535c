/* Points arithmetic (see points.h). */
#include "core/points.h"
#include <math.h>
#include <string.h>

int64_t points_for_minutes(int64_t minutes, int64_t per_hour_milli, int64_t category_milli,
			   int64_t quality_milli)
{
	if (minutes < 0 || minutes > 7 * 24 * 60 || per_hour_milli < 0 || per_hour_milli > POINTS_MILLI_MAX ||
	    category_milli < 0 || category_milli > POINTS_MILLI_MAX || quality_milli < 0 ||
	    quality_milli > POINTS_MILLI_MAX)
		return -1;
	/* minutes × three thousandths over 60 × 10^9; the product needs
	 * more than 64 bits at the maxima */
	__int128 num = (__int128)minutes * per_hour_milli * category_milli * quality_milli;
	__int128 den = (__int128)60 * 1000 * 1000 * 1000;
	__int128 q = num / den, rem = num % den;
	if (2 * rem > den || (2 * rem == den && (q & 1)))
		q++;
	return (int64_t)q;
}

int64_t points_capped(int64_t raw, int64_t cap_activity, int64_t cap_day, int64_t day_so_far,
		      int64_t cap_year, int64_t year_so_far)
{
	int64_t p = raw < 0 ? 0 : raw;
	if (cap_activity > 0 && p > cap_activity)
		p = cap_activity;
	if (cap_day > 0) {
		int64_t left = cap_day - day_so_far;
		if (p > left)
			p = left;
	}
	if (cap_year > 0) {
		int64_t left = cap_year - year_so_far;
		if (p > left)
			p = left;
	}
	return p < 0 ? 0 : p;
}

int points_rate_milli(double rate, int64_t *milli)
{
	if (!isfinite(rate) || rate < 0 || rate * 1000 > POINTS_MILLI_MAX)
		return -1;
	double m = rate * 1000;
	double r = nearbyint(m);
	/* 1.2 is not exact in binary: allow the representation error, refuse
	 * a real fourth decimal */
	if (fabs(m - r) > 1e-6)
		return -1;
	*milli = (int64_t)r;
	return 0;
}

int stars_level(int64_t minutes, const int64_t hours[STAR_LEVELS])
{
	int level = 0;
	for (int i = 0; i < STAR_LEVELS; i++)
		if (minutes >= hours[i] * 60)
			level = i + 1;
	return level;
}

int stars_preset(const char *name, int64_t hours[STAR_LEVELS])
{
	static const struct {
		const char *name;
		int64_t hours[STAR_LEVELS];
	} presets[] = {
		{ "national", { 100, 300, 600, 1000, 1500 } },
		{ "beijing", { 100, 200, 500, 800, 1000 } },
	};
	for (size_t p = 0; p < sizeof(presets) / sizeof(presets[0]); p++) {
		if (strcmp(name, presets[p].name) != 0)
			continue;
		for (int i = 0; i < STAR_LEVELS; i++)
			hours[i] = presets[p].hours[i];
		return 0;
	}
	return -1;
}

bool stars_valid(const int64_t hours[STAR_LEVELS])
{
	for (int i = 0; i < STAR_LEVELS; i++)
		if (hours[i] < 1 || hours[i] > STAR_HOURS_MAX || (i && hours[i] <= hours[i - 1]))
			return false;
	return true;
}

int64_t points_expires_at(int64_t now, int64_t expiry_days)
{
	if (expiry_days < 0 || expiry_days > POINTS_EXPIRY_DAYS_MAX || now < 0)
		return -1;
	return expiry_days ? now + expiry_days * 86400 : 0;
}
