/* libFuzzer target: the input validators of core/validate.c on any
 * bytes: usernames, phones, URLs, passwords, text, region codes, dates,
 * ISO times, roles and kinds. What passes must be what the rule says. */
#include "core/cursor.h"
#include "core/natural.h"
#include "core/pinyin.h"
#include "core/validate.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	size_t len = strlen(s);
	if (valid_username(s) && (len < USERNAME_MIN || len > USERNAME_MAX))
		abort();
	if (valid_phone(s) && len != 11)
		abort();
	valid_public_url(s);
	if (valid_password(s, size) && (size < PASSWORD_MIN || size > PASSWORD_MAX || len != size))
		abort();
	/* valid_text sees the whole buffer, NUL bytes included */
	if (valid_text(s, size, 64) && (memchr(s, 0, size) || size > 64 * 4))
		abort();
	valid_text(s, size, (size_t)-1);
	valid_region_code(s);
	valid_contact_phone(s);
	int ymd = 0;
	if (valid_date(s, &ymd)) {
		if (ymd % 100 < 1 || ymd % 100 > 31 || ymd / 100 % 100 < 1 || ymd / 100 % 100 > 12)
			abort();
		age_on_date(s, 20261203);
	}
	int64_t t;
	time_parse_iso(s, &t);
	char code[13];
	if (region_normalize(s, code) == 0) {
		if (strlen(code) != 12)
			abort();
		int level = region_level(code);
		region_prefix_len(level);
	}
	char phone[16];
	if (valid_phone(s))
		mask_phone(s, phone, sizeof(phone));
	role_parse(s);
	int roles = roles_from_csv(s);
	char csv[64];
	roles_to_csv(roles, csv, sizeof(csv));
	if (roles_from_csv(csv) != roles)
		abort();   /* the stored form reads back the same */
	org_kind_parse(s);
	/* list cursors and ids from query strings */
	int64_t id;
	if (cursor_decode(s, &id) == 0) {
		char again[32];
		cursor_encode(id, again, sizeof(again));
	}
	if (parse_id(s, &id) == 0 && id <= 0)
		abort();
	/* search text: pinyin initials and natural order */
	char py[64];
	if (pinyin_initials(s, py, sizeof(py)) >= sizeof(py) || pinyin_sort_key(s, py, sizeof(py)) >= sizeof(py))
		abort();
	size_t half = size / 2;
	char *a = strndup(s, half);
	int ab = natural_cmp(a, s + half), ba = natural_cmp(s + half, a);
	if ((ab > 0) - (ab < 0) != (ba < 0) - (ba > 0))
		abort();   /* the order is antisymmetric */
	free(a);
	free(s);
	return 0;
}
