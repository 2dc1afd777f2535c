/* Identity document numbers: normalisation of what volunteers type,
 * validation per document type, the facts a resident ID encodes, and the
 * masked form shown on screens and in exports. */
#include "core/idcard.h"
#include <stdbool.h>
#include <string.h>

static const char *const type_names[ID_TYPE_COUNT] = {
	"resident_id", "hk_macao_permit", "taiwan_permit", "passport"
};

int id_type_parse(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < ID_TYPE_COUNT; i++)
		if (strcmp(name, type_names[i]) == 0)
			return i;
	return -1;
}

const char *id_type_name(int type)
{
	return (type >= 0 && type < ID_TYPE_COUNT) ? type_names[type] : "unknown";
}

const char *id_error_code(enum id_error e)
{
	switch (e) {
	case ID_OK:
		return "ok";
	case ID_EFORMAT:
		return "id_format";
	case ID_ECHECKSUM:
		return "id_checksum";
	case ID_EBIRTH:
		return "id_birth_date";
	case ID_EPROVINCE:
		return "id_province";
	case ID_ELEGACY:
		return "id_legacy_15";
	}
	return "id_format";
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

int id_normalize(const char *in, char *out, size_t outlen)
{
	if (out == NULL || outlen == 0)
		return -1;
	out[0] = 0;
	if (in == NULL)
		return -1;
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)in;
	while (*p) {
		char c;
		/* Chinese input methods produce U+3000 as the space and may
		 * leave the check letter in full-width form; both arrive as
		 * three-byte UTF-8 sequences. */
		if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) {
			p += 3;
			continue;
		}
		if (p[0] == 0xef && ((p[1] == 0xbc && p[2] == 0xb8) ||
		                     (p[1] == 0xbd && p[2] == 0x98))) {
			c = 'X';
			p += 3;
		} else if (p[0] == 0xef && p[1] == 0xbc && p[2] >= 0x90 && p[2] <= 0x99) {
			c = (char)('0' + (p[2] - 0x90));   /* full-width digits ０–９ */
			p += 3;
		} else if (*p == ' ' || *p == '\t') {
			p++;
			continue;
		} else {
			c = (char)*p++;
			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
		}
		if (n + 1 >= outlen) {
			out[0] = 0;
			return -1;
		}
		out[n++] = c;
	}
	out[n] = 0;
	return 0;
}

/* GB/T 2260 province-level codes in use; 71 (Taiwan), 81 and 82 (Hong
 * Kong, Macao) appear on residence permits issued since 2018. */
static bool province_known(int code)
{
	return (code >= 11 && code <= 15) || (code >= 21 && code <= 23) ||
	       (code >= 31 && code <= 37) || (code >= 41 && code <= 46) ||
	       (code >= 50 && code <= 54) || (code >= 61 && code <= 65) ||
	       code == 71 || code == 81 || code == 82;
}

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool real_date(int y, int m, int d)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12 || d < 1)
		return false;
	int last = mdays[m - 1] + (m == 2 && leap_year(y));
	return d <= last;
}

/* GB 11643-1999: weighted sum of the 17 digits modulo 11 (ISO 7064
 * MOD 11-2), mapped so that the full 18 characters sum to 1. */
static char resident_check_char(const char *s)
{
	static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char map[] = "10X98765432";
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (s[i] - '0') * weights[i];
	return map[sum % 11];
}

static enum id_error validate_resident(const char *s, int today_ymd, struct id_facts *facts)
{
	size_t n = strlen(s);
	if (n == 15 && all_digits(s, 15))
		return ID_ELEGACY;
	if (n != 18 || !all_digits(s, 17) || !(is_digit(s[17]) || s[17] == 'X'))
		return ID_EFORMAT;
	if (!province_known(num(s, 2)))
		return ID_EPROVINCE;
	int y = num(s + 6, 4), m = num(s + 10, 2), d = num(s + 12, 2);
	if (y < 1900 || !real_date(y, m, d) || y * 10000 + m * 100 + d > today_ymd)
		return ID_EBIRTH;
	if (resident_check_char(s) != s[17])
		return ID_ECHECKSUM;
	if (facts) {
		facts->year = y;
		facts->month = m;
		facts->day = d;
		facts->female = (s[16] - '0') % 2 == 0;
	}
	return ID_OK;
}

static enum id_error validate_hk_macao(const char *s)
{
	size_t n = strlen(s);
	if ((n != 9 && n != 11) || (s[0] != 'H' && s[0] != 'M') || !all_digits(s + 1, n - 1))
		return ID_EFORMAT;
	return ID_OK;
}

static enum id_error validate_taiwan(const char *s)
{
	size_t n = strlen(s);
	return ((n == 8 || n == 10) && all_digits(s, n)) ? ID_OK : ID_EFORMAT;
}

static enum id_error validate_passport(const char *s)
{
	size_t n = strlen(s);
	bool digit = false;
	if (n < 5 || n > 20)
		return ID_EFORMAT;
	for (size_t i = 0; i < n; i++) {
		if (is_digit(s[i]))
			digit = true;
		else if (s[i] < 'A' || s[i] > 'Z')
			return ID_EFORMAT;
	}
	/* Every issuing state puts digits in its numbers; a letters-only
	 * value is a name typed into the wrong field. */
	return digit ? ID_OK : ID_EFORMAT;
}

enum id_error id_validate(int type, const char *number, int today_ymd, struct id_facts *facts)
{
	if (number == NULL)
		return ID_EFORMAT;
	switch (type) {
	case ID_RESIDENT:
		return validate_resident(number, today_ymd, facts);
	case ID_HK_MACAO:
		return validate_hk_macao(number);
	case ID_TAIWAN:
		return validate_taiwan(number);
	case ID_PASSPORT:
		return validate_passport(number);
	default:
		return ID_EFORMAT;
	}
}

void id_mask(const char *number, char *out, size_t outlen)
{
	if (out == NULL || outlen == 0)
		return;
	if (number == NULL) {
		out[0] = 0;
		return;
	}
	size_t n = strlen(number);
	size_t head, tail;
	if (n >= 15) {
		/* resident IDs: region and check part stay readable for staff
		 * matching paper records, the birth date is hidden */
		head = 4;
		tail = 4;
	} else {
		head = 0;
		/* Showing the last two of a one- or two-character value would
		 * show all of it. */
		tail = n > 2 ? 2 : 0;
	}
	size_t i;
	for (i = 0; i < n && i + 1 < outlen; i++)
		out[i] = (i < head || i >= n - tail) ? number[i] : '*';
	out[i] = 0;
}
