/* Cursor format: "c" followed by the last id in base 36. */
#include "core/cursor.h"
#include <assert.h>
#include <string.h>

static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";

void cursor_encode(int64_t last_id, char *out, size_t outlen)
{
	char tmp[24];
	size_t n = 0;
	/* ids are never negative: a negative one would encode as a value
	 * cursor_decode refuses, and the next page would be a 400 */
	assert(last_id >= 0);
	uint64_t v = (uint64_t)last_id;
	do {
		tmp[n++] = digits[v % 36];
		v /= 36;
	} while (v && n < sizeof(tmp));
	/* "c", at most 13 base-36 digits and the NUL: 15 bytes. A shorter
	 * buffer is a caller bug that would end every list after one page. */
	assert(outlen >= n + 2);
	if (outlen < n + 2) {
		if (outlen)
			out[0] = 0;
		return;
	}
	out[0] = 'c';
	for (size_t i = 0; i < n; i++)
		out[1 + i] = tmp[n - 1 - i];
	out[n + 1] = 0;
}

int cursor_decode(const char *s, int64_t *last_id)
{
	size_t n = strlen(s);
	if (n < 2 || n > 14 || s[0] != 'c')
		return -1;
	uint64_t v = 0;
	for (size_t i = 1; i < n; i++) {
		const char *d = memchr(digits, s[i], 36);
		if (!d || s[i] == 0)
			return -1;
		if (v > (UINT64_MAX - 35) / 36)
			return -1;
		v = v * 36 + (uint64_t)(d - digits);
	}
	if (v > INT64_MAX)
		return -1;
	*last_id = (int64_t)v;
	return 0;
}

int parse_id(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	if (n == 0 || n > 18 || s[0] == '0')
		return -1;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}
