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

#endif
