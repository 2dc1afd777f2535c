/* Pinyin initials of a name ("白马社区" → "bmsq"), so that people who type
 * the first letters of each syllable find an organisation. Pure function
 * over libc's iconv; see pinyin.c for the table and its limits. */
#ifndef ZY_PINYIN_H
#define ZY_PINYIN_H
#include <stddef.h>

/* Writes the initials of utf8 into out (cap bytes, NUL-terminated, cut
 * short when full): a Chinese character of GB 2312 level 1 (the 3,755
 * common characters) gives its initial, an ASCII letter or digit gives
 * itself in lower case, anything else gives nothing. Returns the length
 * written. */
size_t pinyin_initials(const char *utf8, char *out, size_t cap);

/* A key for sorting names as Chinese readers expect: each character
 * that GBK has becomes its GBK bytes (the common characters then sort by
 * pinyin, ASCII stays itself), any other character its UTF-8 bytes after
 * a 0xFE byte (after all of GBK). Compare keys with natural_cmp(). Writes
 * at most cap bytes including the NUL, cut short when full; returns the
 * length. */
size_t pinyin_sort_key(const char *utf8, char *out, size_t cap);

#endif
