/* Field rules shared by every use case that accepts accounts or
 * organisations. */
#include "core/validate.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const roles[ROLE_COUNT] = {
	"admin", "recorder", "social_worker", "clerk", "volunteer"
};

const char *role_name(int i)
{
	return (i >= 0 && i < ROLE_COUNT) ? roles[i] : NULL;
}

int role_parse(const char *name)
{
	for (int i = 0; i < ROLE_COUNT; i++)
		if (strcmp(name, roles[i]) == 0)
			return 1 << i;
	return 0;
}

int roles_from_csv(const char *csv)
{
	int set = 0;
	char word[32];
	size_t n = 0;
	for (const char *p = csv;; p++) {
		if (*p == ',' || *p == 0) {
			word[n] = 0;
			set |= role_parse(word);
			n = 0;
			if (*p == 0)
				break;
		} else if (n < sizeof(word) - 1) {
			word[n++] = *p;
		}
	}
	return set;
}

void roles_to_csv(int set, char *out, size_t outlen)
{
	size_t n = 0;
	out[0] = 0;
	for (int i = 0; i < ROLE_COUNT; i++) {
		if (!(set & (1 << i)))
			continue;
		int w = snprintf(out + n, outlen - n, "%s%s", n ? "," : "", roles[i]);
		if (w < 0 || (size_t)w >= outlen - n)
			break;
		n += (size_t)w;
	}
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool valid_username(const char *s)
{
	size_t n = strlen(s);
	if (n < USERNAME_MIN || n > USERNAME_MAX || !is_alpha(s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '_' &&
		    s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

bool valid_phone(const char *s)
{
	if (strlen(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
		return false;
	for (int i = 0; i < 11; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

bool valid_public_url(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	const char *host;
	if (n == 0 || n > 200)
		return false;
	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>')
			return false;
	size_t hl = strcspn(host, ":/?#");
	if (host[0] == '[')   /* IPv6 literal: up to its closing bracket */
		hl = strcspn(host, "]") + 1;
	if (hl == 0 || hl > strlen(host))
		return false;
	/* printed certificates must verify from anyone's phone: a loopback
	 * or unspecified address names the printer's own machine */
	static const char *const local[] = { "localhost", "[::1]", "[::]", "0.0.0.0", "ip6-localhost" };
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (strlen(local[i]) == hl && strncasecmp(host, local[i], hl) == 0)
			return false;
	if (hl > 10 && strncasecmp(host + hl - 10, ".localhost", 10) == 0)
		return false;
	if (strncmp(host, "127.", 4) == 0 && strspn(host, "0123456789.") >= hl)
		return false;
	return true;
}

bool valid_password(const char *s, size_t len)
{
	return len >= PASSWORD_MIN && len <= PASSWORD_MAX && memchr(s, 0, len) == NULL;
}

bool valid_text(const char *s, size_t len, size_t max_chars)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t chars = 0;
	while (p < end) {
		unsigned c = *p;
		int extra;
		uint32_t cp;
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return false;
			extra = 0;
			cp = c;
		} else if ((c & 0xe0) == 0xc0) {
			extra = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			extra = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			extra = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (end - p <= extra)
			return false;
		for (int i = 1; i <= extra; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		static const uint32_t min_cp[] = { 0, 0x80, 0x800, 0x10000 };
		if (cp < min_cp[extra] || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += extra + 1;
		chars++;
	}
	return chars >= 1 && chars <= max_chars;
}

bool valid_region_code(const char *s)
{
	size_t n = strlen(s);
	if (n != 6 && n != 12)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return !(s[0] == '0' && s[1] == '0');
}

void mask_phone(const char *phone, char *out, size_t outlen)
{
	size_t n = strlen(phone);
	if (n < 7) {
		snprintf(out, outlen, "****");
		return;
	}
	snprintf(out, outlen, "%.3s****%s", phone, phone + n - 4);
}

static const char *const kinds[ORG_KIND_COUNT] = {
	"federation", "association", "team", "station",
	"social_work_agency", "social_org"
};

int org_kind_parse(const char *name)
{
	for (int i = 0; i < ORG_KIND_COUNT; i++)
		if (strcmp(name, kinds[i]) == 0)
			return i;
	return -1;
}

const char *org_kind_name(int kind)
{
	return (kind >= 0 && kind < ORG_KIND_COUNT) ? kinds[kind] : "unknown";
}

bool org_parent_allowed(int parent, int child)
{
	/* The federation is the only root; associations hang off it;
	 * stations belong to an association; teams may be federation-level
	 * (department or professional), town-level or community-level;
	 * agencies and social organisations register with the federation or
	 * a town association. */
	switch (child) {
	case ORG_FEDERATION:
		return false;
	case ORG_ASSOCIATION:
		return parent == ORG_FEDERATION;
	case ORG_STATION:
		return parent == ORG_ASSOCIATION;
	case ORG_TEAM:
		return parent == ORG_FEDERATION || parent == ORG_ASSOCIATION ||
		       parent == ORG_STATION;
	case ORG_SOCIAL_WORK_AGENCY:
	case ORG_SOCIAL_ORG:
		return parent == ORG_FEDERATION || parent == ORG_ASSOCIATION;
	default:
		return false;
	}
}

bool valid_contact_phone(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 20 || !is_digit(s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]) && s[i] != '-')
			return false;
	return true;
}

bool valid_date(const char *s, int *ymd)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	int v[3] = { 0, 0, 0 }, pos[3][2] = { { 0, 4 }, { 5, 2 }, { 8, 2 } };
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < pos[k][1]; i++) {
			char c = s[pos[k][0] + i];
			if (!is_digit(c))
				return false;
			v[k] = v[k] * 10 + (c - '0');
		}
	int y = v[0], m = v[1], d = v[2];
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return false;
	int max = days[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	if (d > max)
		return false;
	if (ymd)
		*ymd = y * 10000 + m * 100 + d;
	return true;
}

int region_normalize(const char *code, char out[13])
{
	if (!valid_region_code(code))
		return -1;
	size_t n = strlen(code);
	memcpy(out, code, n);
	memset(out + n, '0', 12 - n);
	out[12] = 0;
	return 0;
}

static bool zeros(const char *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (s[i] != '0')
			return false;
	return true;
}

int region_level(const char *c)
{
	if (zeros(c, 2, 12))
		return 1;
	if (zeros(c, 4, 12))
		return 2;
	if (zeros(c, 6, 12))
		return 3;
	if (zeros(c, 9, 12))
		return 4;
	return 5;
}

int region_prefix_len(int level)
{
	static const int len[] = { 12, 2, 4, 6, 9, 12 };
	return (level >= 1 && level <= 5) ? len[level] : 12;
}

/* Reads n digits at s into *v; returns the position after them or NULL. */
static const char *digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return NULL;
		*v = *v * 10 + (s[i] - '0');
	}
	return s + n;
}

int time_parse_iso(const char *s, int64_t *out)
{
	char date[11];
	int hh, mm, ss = 0, oh = 0, om = 0, sign = 0;
	if (strlen(s) < 17 || strlen(s) > 40)
		return -1;
	memcpy(date, s, 10);
	date[10] = 0;
	int ymd;
	if (!valid_date(date, &ymd) || (s[10] != 'T' && s[10] != ' '))
		return -1;
	const char *p = digits(s + 11, 2, &hh);
	if (!p || *p++ != ':' || !(p = digits(p, 2, &mm)))
		return -1;
	if (*p == ':' && !(p = digits(p + 1, 2, &ss)))
		return -1;
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return -1;
		while (is_digit(*p))
			p++;
	}
	if (*p == 'Z' && p[1] == 0) {
		sign = 0;
	} else if ((*p == '+' || *p == '-') && (p = digits(p + 1, 2, &oh)) != NULL) {
		sign = p[-3] == '-' ? -1 : 1;
		if (*p == ':')
			p++;
		if (!(p = digits(p, 2, &om)) || *p)
			return -1;
	} else {
		return -1;   /* an offset is required: local times are ambiguous */
	}
	if (hh > 23 || mm > 59 || ss > 60 || oh > 14 || om > 59)
		return -1;
	struct tm tm = { .tm_year = ymd / 10000 - 1900, .tm_mon = ymd / 100 % 100 - 1,
			 .tm_mday = ymd % 100, .tm_hour = hh, .tm_min = mm, .tm_sec = ss };
	*out = (int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60);
	return 0;
}

int age_on_date(const char *birth, int today)
{
	int y = 0, m = 0, d = 0;
	sscanf(birth, "%4d-%2d-%2d", &y, &m, &d);
	int age = today / 10000 - y;
	if ((today / 100 % 100) * 100 + today % 100 < m * 100 + d)
		age--;
	return age;
}
