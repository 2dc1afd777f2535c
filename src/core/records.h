/* Service-record rules that need no I/O: rounding of served minutes,
 * overlap of service intervals, the working-day deadline for entry
 * (10 working days after the activity, with weekends, holidays and
 * make-up working days), and the tamper-evident hash chain over approved
 * records. */
#ifndef ZY_RECORDS_H
#define ZY_RECORDS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Rounds minutes to the nearest multiple of granularity (halves round
 * up). Returns the rounded minutes, 0 when minutes round to nothing, or
 * -1 when minutes < 0 or granularity is not 1..1440. */
int64_t minutes_round(int64_t minutes, int granularity);

/* Whether the half-open intervals [a0, a1) and [b0, b1) share any time.
 * Empty or inverted intervals overlap nothing. */
bool intervals_overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1);

/* A holiday calendar: dates as numbers YYYYMMDD, each list sorted
 * ascending. holidays are days off even on weekdays (法定节假日);
 * workdays are weekend days that are working days (调休上班). */
struct work_calendar {
	const int *holidays;
	size_t nholidays;
	const int *workdays;
	size_t nworkdays;
};

/* Whether ymd is a working day under cal (NULL: Monday to Friday). */
bool is_working_day(int ymd, const struct work_calendar *cal);
/* The date that is n working days after ymd (the end date itself does
 * not count): the last day on which entry is on time. n >= 1. Returns
 * YYYYMMDD, or -1 for an invalid date. */
int working_deadline(int ymd, int n, const struct work_calendar *cal);
/* ymd plus days (may be negative) as YYYYMMDD; -1 for an invalid date. */
int ymd_add_days(int ymd, int days);
/* Day of week of ymd: 0 Monday … 6 Sunday; -1 for an invalid date. */
int ymd_weekday(int ymd);

/* One field of a record as it enters the hash: name and value text. */
struct chain_field {
	const char *name;
	const char *value;   /* NULL is encoded distinctly from "" */
	size_t len;          /* value's byte length when known, else 0 (measured) */
};

#define CHAIN_HASH_HEX 65   /* SHA-256 as hex + NUL */

/* The canonical encoding of fields (in the order given) appended to the
 * previous link's hash, hashed with SHA-256 into out (hex). prev is the
 * hex hash of the previous link, or NULL/"" for the first link. The
 * encoding is length-prefixed so no two different field lists encode
 * alike. Returns 0, or -1 when a field name is NULL. */
int chain_link(const char *prev, const struct chain_field *fields, size_t n, char out[CHAIN_HASH_HEX]);

#endif
