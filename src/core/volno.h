/* Volunteer numbers: the public identifier printed on cards and
 * certificates. Not derived from the ID number; built from the registering
 * region, the year and a sequence, and closed by a check digit so a typo
 * is caught. The format is documented in docs/volunteer-number.md. */
#ifndef ZY_VOLNO_H
#define ZY_VOLNO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VOLNO_LEN 17    /* characters, without the NUL */

/* Builds the number for a six-digit region code, a two-digit year and a
 * sequence (0 .. 99,999,999) into out (at least VOLNO_LEN + 1 bytes).
 * Returns 0, or -1 on bad arguments. */
int volno_make(const char *region6, int yy, int64_t seq, char *out, size_t outlen);
/* Whether s is a well-formed number with a correct check digit. */
bool volno_valid(const char *s);
/* The check digit for the first VOLNO_LEN - 1 digits of s. */
char volno_check_digit(const char *digits16);

#endif
