/* Pinyin initials without a dictionary: GB 2312 orders its 3,755 level-1
 * characters (0xB0A1..0xD7F9) by pinyin, so the initial of such a
 * character is the last of 23 boundaries at or below its GB code. iconv
 * (glibc's GBK converter, a superset of GB 2312) gives the code.
 * Level-2 and rarer characters (sorted by radical) give no initial; a
 * polyphonic character gets GB 2312's reading (行 → x, 长 → c). */
#include "core/pinyin.h"
#include <iconv.h>
#include <stdint.h>
#include <string.h>

/* the first GB code of each initial; no syllable starts with i, u or v */
static const struct { uint16_t from; char initial; } bounds[] = {
	{ 0xB0A1, 'a' }, { 0xB0C5, 'b' }, { 0xB2C1, 'c' }, { 0xB4EE, 'd' }, { 0xB6EA, 'e' },
	{ 0xB7A2, 'f' }, { 0xB8C1, 'g' }, { 0xB9FE, 'h' }, { 0xBBF7, 'j' }, { 0xBFA6, 'k' },
	{ 0xC0AC, 'l' }, { 0xC2E8, 'm' }, { 0xC4C3, 'n' }, { 0xC5B6, 'o' }, { 0xC5BE, 'p' },
	{ 0xC6DA, 'q' }, { 0xC8BB, 'r' }, { 0xC8F6, 's' }, { 0xCBFA, 't' }, { 0xCDDA, 'w' },
	{ 0xCEF4, 'x' }, { 0xD1B9, 'y' }, { 0xD4D1, 'z' },
};
#define LEVEL1_END 0xD7F9

static char initial_of(unsigned code)
{
	if (code < bounds[0].from || code > LEVEL1_END)
		return 0;
	size_t i = sizeof(bounds) / sizeof(bounds[0]);
	while (i-- > 0)
		if (code >= bounds[i].from)
			return bounds[i].initial;
	return 0;
}

/* Length of the UTF-8 sequence starting with byte c (1 for a stray byte). */
static size_t utf8_len(unsigned char c)
{
	if (c >= 0xF0)
		return 4;
	if (c >= 0xE0)
		return 3;
	if (c >= 0xC0)
		return 2;
	return 1;
}

size_t pinyin_initials(const char *utf8, char *out, size_t cap)
{
	size_t n = 0;
	if (cap == 0)
		return 0;
	iconv_t cd = iconv_open("GBK", "UTF-8");
	for (const char *p = utf8; *p && n + 1 < cap;) {
		unsigned char c = (unsigned char)*p;
		size_t len = utf8_len(c);
		if (strnlen(p, len) < len)
			break;
		if (len == 1) {
			if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))
				out[n++] = (char)c;
			else if (c >= 'A' && c <= 'Z')
				out[n++] = (char)(c + 32);
		} else if (cd != (iconv_t)-1) {
			char in[4], gb[4];
			memcpy(in, p, len);
			char *ip = in, *op = gb;
			size_t il = len, ol = sizeof(gb);
			if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && op - gb == 2) {
				char ini = initial_of((unsigned)(unsigned char)gb[0] << 8 | (unsigned char)gb[1]);
				if (ini)
					out[n++] = ini;
			}
			iconv(cd, NULL, NULL, NULL, NULL);   /* reset after a refused character */
		}
		p += len;
	}
	out[n] = 0;
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	return n;
}

size_t pinyin_sort_key(const char *utf8, char *out, size_t cap)
{
	size_t n = 0;
	if (cap == 0)
		return 0;
	iconv_t cd = iconv_open("GBK", "UTF-8");
	for (const char *p = utf8; *p;) {
		size_t len = utf8_len((unsigned char)*p);
		if (strnlen(p, len) < len)
			break;
		char in[4], gb[4];
		size_t got = 0;
		if (len > 1 && cd != (iconv_t)-1) {
			memcpy(in, p, len);
			char *ip = in, *op = gb;
			size_t il = len, ol = sizeof(gb);
			if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
				got = (size_t)(op - gb);
			iconv(cd, NULL, NULL, NULL, NULL);
		}
		const char *piece = got ? gb : p;
		size_t plen = got ? got : len, extra = (!got && len > 1) ? 1 : 0;
		if (n + extra + plen + 1 > cap)
			break;
		if (extra)
			out[n++] = (char)0xFE;
		memcpy(out + n, piece, plen);
		n += plen;
		p += len;
	}
	out[n] = 0;
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	return n;
}
