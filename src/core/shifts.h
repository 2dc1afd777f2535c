/* Shift and attendance rules that need no I/O: the busy interval that
 * enforces "no overlapping shifts" with a grace period, the minutes a
 * check-in/check-out pair is worth (clipped to the shift, rounded by the
 * configured rule, counted only above a share of the shift), and the
 * dates of weekly recurring shifts. */
#ifndef ZY_SHIFTS_CORE_H
#define ZY_SHIFTS_CORE_H
#include <stdbool.h>
#include <stdint.h>

/* The part of a shift [s0, s1) that no other shift of the same volunteer
 * may share, for a grace period of grace seconds (even, >= 0): the shift
 * shrunk by grace/2 at each end. Two shifts then collide exactly when
 * they overlap by more than grace. A shift no longer than grace becomes
 * the empty interval [mid, mid), which collides with nothing. */
void shift_busy(int64_t s0, int64_t s1, int64_t grace, int64_t *b0, int64_t *b1);
/* Whether two shifts overlap by more than grace seconds. */
bool shifts_collide(int64_t a0, int64_t a1, int64_t b0, int64_t b1, int64_t grace);

/* How attended minutes are rounded: the minutes past the last full hour
 * become 0 when <= low, 30 when <= high, else a full hour (e.g. 15/45).
 * low < 0 turns rounding off (minutes as attended). */
struct attend_rule {
	int low, high;
	int share;   /* percent of the shift that must be attended to count */
};
/* Parses "15,45" or "off" into the rounding part of rule; -1 when
 * malformed (0 <= low <= high < 60 required). */
int attend_rule_parse(const char *text, struct attend_rule *rule);

/* Seconds of [in, out) inside the shift [s0, s1), never negative. */
int64_t attend_clipped(int64_t in, int64_t out, int64_t s0, int64_t s1);
/* Whether clipped seconds are at least rule->share percent of the shift. */
bool attend_counts(int64_t clipped, int64_t s0, int64_t s1, const struct attend_rule *rule);
/* The minutes to record for clipped seconds: rounded by the rule and
 * never more than the shift's length. */
int64_t attend_minutes(int64_t clipped, int64_t s0, int64_t s1, const struct attend_rule *rule);

/* The dates (YYYYMMDD) from first to until, both included, whose weekday
 * (bit 0 Monday … bit 6 Sunday) is in mask, at most max of them, into
 * out. Returns how many, or -1 for invalid dates or until < first. */
int weekly_dates(int first, int until, unsigned mask, int *out, int max);

#endif
