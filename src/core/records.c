/* Service-record rules without I/O: rounding served minutes, overlap of
 * service intervals, calendar arithmetic on YYYYMMDD dates, the
 * working-day deadline for late entry, and the hash chain that makes
 * tampering with approved records evident.
 *
 * Hash chain encoding (what chain_link feeds to SHA-256, in order):
 *
 *   prev                     the previous link's hex hash; nothing for
 *                            the first link (prev NULL or "")
 *   0x1e                     record separator
 *   then for each field, in the order given:
 *     name                   the field name's bytes
 *     0x1f                   unit separator
 *     'N'                    when the value is NULL, or
 *     'S' <len> ':' <value>  <len> is the value's byte length in ASCII
 *                            decimal without leading zeros ("S0:" for "")
 *     0x1e
 *
 * The digest is written as 64 lowercase hex characters and a NUL.
 *
 * Values are length-prefixed, so they may hold any byte. Names and prev
 * are delimited instead, which is only unambiguous when a name holds no
 * 0x1f and prev holds no 0x1e; chain_link refuses those inputs rather
 * than let two different records hash alike. Changing any part of this
 * encoding breaks verification of every chain already stored. */
#include "core/records.h"
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RS 0x1e
#define US 0x1f

/* Range accepted for dates: wide enough for any birth date or activity,
 * narrow enough that no arithmetic below can overflow. */
#define YEAR_MIN 1900
#define YEAR_MAX 2999

int64_t minutes_round(int64_t minutes, int granularity)
{
	if (minutes < 0 || granularity < 1 || granularity > 1440)
		return -1;
	int64_t g = granularity;
	int64_t rem = minutes % g;
	int64_t down = minutes - rem;
	/* Comparing 2 * rem with g instead of adding g / 2 first keeps odd
	 * granularities exact and cannot overflow near INT64_MAX. */
	if (2 * rem < g)
		return down;
	if (down > INT64_MAX - g)
		return -1;
	return down + g;
}

bool intervals_overlap(int64_t a0, int64_t a1, int64_t b0, int64_t b1)
{
	/* A service interval with no length never collides with another:
	 * zero-length sign-ins are a data problem handled elsewhere. */
	if (a0 >= a1 || b0 >= b1)
		return false;
	return a0 < b1 && b0 < a1;
}

static bool leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Splits and checks a YYYYMMDD number; false for anything that is not a
 * real date in the accepted years. */
static bool split_ymd(int ymd, int *y, int *m, int *d)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (ymd <= 0)
		return false;
	int yy = ymd / 10000, mm = ymd / 100 % 100, dd = ymd % 100;
	if (yy < YEAR_MIN || yy > YEAR_MAX || mm < 1 || mm > 12 || dd < 1)
		return false;
	if (dd > mdays[mm - 1] + (mm == 2 && leap_year(yy)))
		return false;
	*y = yy;
	*m = mm;
	*d = dd;
	return true;
}

/* Days since 1970-01-01 in the proleptic Gregorian calendar. Years are
 * counted from 1 March so that the leap day falls at the end of a year
 * and the month lengths March..January follow a fixed 153-days-per-five-
 * months pattern. Only called with years >= 1900, so every division here
 * is on non-negative numbers and truncation equals flooring. */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t yr = y - (m <= 2);
	int64_t era = yr / 400;
	int64_t yoe = yr - era * 400;                 /* 0..399 */
	int64_t mp = m > 2 ? m - 3 : m + 9;           /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + d - 1;     /* 0..365 */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	/* 719468 is the day number of 1970-01-01 counted from 0000-03-01. */
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil, as YYYYMMDD. Callers keep z within
 * the accepted years, so z + 719468 is positive. */
static int civil_from_days(int64_t z)
{
	z += 719468;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;                             /* 0..146096 */
	/* Undo the leap days so that dividing by 365 yields the year. */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);
	return (int)(y * 10000 + m * 100 + d);
}

static bool ymd_to_days(int ymd, int64_t *z)
{
	int y, m, d;
	if (!split_ymd(ymd, &y, &m, &d))
		return false;
	*z = days_from_civil(y, m, d);
	return true;
}

static int64_t first_day(void)
{
	return days_from_civil(YEAR_MIN, 1, 1);
}

static int64_t last_day(void)
{
	return days_from_civil(YEAR_MAX, 12, 31);
}

/* 1970-01-01 was a Thursday, which is 3 when Monday is 0; the extra
 * + 7 keeps the remainder non-negative for days before 1970. */
static int weekday_of(int64_t z)
{
	return (int)(((z + 3) % 7 + 7) % 7);
}

int ymd_add_days(int ymd, int days)
{
	int64_t z;
	if (!ymd_to_days(ymd, &z))
		return -1;
	z += days;
	if (z < first_day() || z > last_day())
		return -1;
	return civil_from_days(z);
}

int ymd_weekday(int ymd)
{
	int64_t z;
	if (!ymd_to_days(ymd, &z))
		return -1;
	return weekday_of(z);
}

/* Binary search: calendars carry a few dozen dates a year and the
 * deadline walk asks about every day it passes. */
static bool listed(const int *list, size_t n, int key)
{
	if (list == NULL)
		return false;
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (list[mid] == key)
			return true;
		if (list[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool working_at(int64_t z, int ymd, const struct work_calendar *cal)
{
	bool weekend = weekday_of(z) >= 5;
	if (cal == NULL)
		return !weekend;
	/* A holiday listed on a weekend changes nothing, and a weekday listed
	 * as a make-up day is a working day anyway. */
	if (weekend)
		return listed(cal->workdays, cal->nworkdays, ymd);
	return !listed(cal->holidays, cal->nholidays, ymd);
}

bool is_working_day(int ymd, const struct work_calendar *cal)
{
	int64_t z;
	if (!ymd_to_days(ymd, &z))
		return false;
	return working_at(z, ymd, cal);
}

int working_deadline(int ymd, int n, const struct work_calendar *cal)
{
	int64_t z;
	if (n < 1 || !ymd_to_days(ymd, &z))
		return -1;
	int64_t end = last_day();
	int left = n;
	/* Walking day by day is simple and cheap for the deadlines in use;
	 * the bound on the year stops a calendar that lists every weekday
	 * as a holiday from looping forever. */
	while (left > 0) {
		if (++z > end)
			return -1;
		if (working_at(z, civil_from_days(z), cal))
			left--;
	}
	return civil_from_days(z);
}

/* Writes v in decimal; returns the number of characters. buf must hold
 * at least 20 characters, the length of SIZE_MAX on 64-bit systems. */
static size_t put_decimal(char *buf, size_t v)
{
	char rev[24];
	size_t n = 0;
	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	for (size_t i = 0; i < n; i++)
		buf[i] = rev[n - 1 - i];
	return n;
}

/* SHA-256 through an algorithm fetched once and a context kept per thread:
 * OpenSSL's one-shot SHA256() looks the algorithm up, under a lock, on
 * every call, and a new context per call costs reference counting; both
 * showed in `zhiyuan verify`. */
static EVP_MD *sha256_md;
static pthread_key_t sha256_key;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_ctx_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (pthread_key_create(&sha256_key, sha256_ctx_free) != 0)
		sha256_md = NULL;
}

static int sha256(const unsigned char *p, size_t n, unsigned char digest[SHA256_DIGEST_LENGTH])
{
	pthread_once(&sha256_once, sha256_fetch);
	if (!sha256_md)
		return -1;
	EVP_MD_CTX *ctx = pthread_getspecific(sha256_key);
	if (!ctx) {
		if (!(ctx = EVP_MD_CTX_new()))
			return -1;
		if (pthread_setspecific(sha256_key, ctx) != 0) {
			EVP_MD_CTX_free(ctx);
			return -1;
		}
	}
	return EVP_DigestInit_ex(ctx, sha256_md, NULL) == 1 && EVP_DigestUpdate(ctx, p, n) == 1 &&
	       EVP_DigestFinal_ex(ctx, digest, NULL) == 1 ? 0 : -1;
}

int chain_link(const char *prev, const struct chain_field *fields, size_t n, char out[CHAIN_HASH_HEX])
{
	if (out == NULL || (fields == NULL && n > 0))
		return -1;
	/* Everything is checked before hashing starts so that a refusal
	 * leaves out exactly as it was. */
	if (prev != NULL && strchr(prev, RS) != NULL)
		return -1;

	/* The encoding is laid out in one buffer and hashed in one call:
	 * a hundred small updates per link cost more than the hashing, and
	 * OpenSSL's SHA-256 uses the CPU's SHA extensions where libsodium's
	 * does not (`zhiyuan verify` over 1,000,000 links; docs/decisions.md). */
	size_t plen = prev != NULL ? strlen(prev) : 0, total = plen + 1;
	size_t lens[128], *len = n <= 64 ? lens : malloc(2 * n * sizeof(*len)), *nlen = len + n;
	if (len == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (fields[i].name == NULL)
			goto refuse;
		nlen[i] = strlen(fields[i].name);
		if (memchr(fields[i].name, US, nlen[i]) != NULL)
			goto refuse;
		len[i] = fields[i].value == NULL ? 0 : fields[i].len ? fields[i].len : strlen(fields[i].value);
		total += nlen[i] + 2 + (fields[i].value != NULL ? len[i] + 22 : 1);
	}
	unsigned char stack[8192], *enc = total <= sizeof(stack) ? stack : malloc(total);
	if (enc == NULL)
		goto refuse;
	unsigned char *p = enc;
	memcpy(p, prev != NULL ? prev : "", plen);
	p += plen;
	*p++ = RS;
	for (size_t i = 0; i < n; i++) {
		memcpy(p, fields[i].name, nlen[i]);
		p += nlen[i];
		*p++ = US;
		if (fields[i].value == NULL) {
			*p++ = 'N';
		} else {
			*p++ = 'S';
			p += put_decimal((char *)p, len[i]);
			*p++ = ':';
			memcpy(p, fields[i].value, len[i]);
			p += len[i];
		}
		*p++ = RS;
	}
	unsigned char digest[SHA256_DIGEST_LENGTH];
	int ok = sha256(enc, (size_t)(p - enc), digest);
	if (enc != stack)
		free(enc);
	if (len != lens)
		free(len);
	if (ok != 0)
		return -1;
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof(digest); i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * sizeof(digest)] = 0;
	return 0;
refuse:
	if (len != lens)
		free(len);
	return -1;
}
