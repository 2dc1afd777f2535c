/* Opaque list cursors. A cursor carries the id of the last row shown;
 * clients must treat it as an opaque string. */
#ifndef ZY_CURSOR_H
#define ZY_CURSOR_H
#include <stddef.h>
#include <stdint.h>

/* Writes the cursor for last id into out (at least 24 bytes). */
void cursor_encode(int64_t last_id, char *out, size_t outlen);
/* Parses a cursor; returns 0 and the id, or -1 when malformed. */
int cursor_decode(const char *s, int64_t *last_id);
/* Parses a positive decimal int64 with no sign, spaces or leading zeros
 * (up to 18 digits); returns 0 or -1. */
int parse_id(const char *s, int64_t *out);

#endif
