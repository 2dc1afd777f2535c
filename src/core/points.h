/* Points of the public-welfare bank (公益银行): what an approved record
 * earns under an organisation's rules, and the caps. Pure arithmetic on
 * integers: rates are kept in thousandths ("milli") so 1.2 points per
 * hour is 1200, and every amount of points is whole. */
#ifndef ZY_CORE_POINTS_H
#define ZY_CORE_POINTS_H
#include <stdbool.h>
#include <stdint.h>

/* The largest rate, coefficient or multiplier accepted, in thousandths
 * (1,000 points per hour, or ×1000): keeps every product in range. */
#define POINTS_MILLI_MAX 1000000

/* Points for minutes of approved service at per_hour (points per hour),
 * times the service category's coefficient and the quality grade's
 * multiplier, all in thousandths. Whole points, the fraction rounded half
 * to even, so that over many records rounding neither gives nor takes.
 * -1 when an input is out of range (negative, or above the maximum). */
int64_t points_for_minutes(int64_t minutes, int64_t per_hour_milli, int64_t category_milli,
			   int64_t quality_milli);

/* What may be issued of raw points under the caps (0 = no cap): at most
 * cap_activity for the record, and no more than is left of cap_day and
 * cap_year after day_so_far and year_so_far already earned. Never below
 * zero. */
int64_t points_capped(int64_t raw, int64_t cap_activity, int64_t cap_day, int64_t day_so_far,
		      int64_t cap_year, int64_t year_so_far);

/* A decimal rate from the API ("1.25", as a double already parsed) in
 * thousandths, refusing negatives, more than three decimals and values
 * above POINTS_MILLI_MAX. Returns 0 and sets *milli, or -1. */
int points_rate_milli(double rate, int64_t *milli);

/* When points earned at `now` expire under expiry_days (0: never, the
 * answer then 0); -1 for days outside 0..POINTS_EXPIRY_DAYS_MAX. */
#define POINTS_EXPIRY_DAYS_MAX 3650
int64_t points_expires_at(int64_t now, int64_t expiry_days);

/* Star levels (星级志愿者): five thresholds of approved hours. */
#define STAR_LEVELS 5
#define STAR_HOURS_MAX 100000

/* The level (0..5) that minutes of service reach against ascending
 * thresholds in hours. */
int stars_level(int64_t minutes, const int64_t hours[STAR_LEVELS]);
/* The thresholds of a preset: "national" (100/300/600/1000/1500 hours,
 * the default) or "beijing" (100/200/500/800/1000). -1 when unknown. */
int stars_preset(const char *name, int64_t hours[STAR_LEVELS]);
/* Whether thresholds are whole hours, at least 1, strictly ascending and
 * at most STAR_HOURS_MAX. */
bool stars_valid(const int64_t hours[STAR_LEVELS]);

#endif
