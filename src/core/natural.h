/* Natural order of names: runs of ASCII digits compare as numbers, so
 * 柳城街道第9社区 comes before 柳城街道第10社区; everything else compares
 * by byte (UTF-8 byte order is code point order). */
#ifndef ZY_NATURAL_H
#define ZY_NATURAL_H

/* <0, 0 or >0 as a sorts before, with or after b. Equal numbers written
 * with different leading zeros ("007", "7") fall back to their length. */
int natural_cmp(const char *a, const char *b);

#endif
