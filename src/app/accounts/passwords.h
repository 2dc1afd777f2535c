/* The one rule for new passwords, used by every path that sets one. */
#ifndef ZY_APP_PASSWORDS_H
#define ZY_APP_PASSWORDS_H
#include "app/kernel/kernel.h"

/* Why pw is not good enough as a new password: NULL when it is, else one
 * of "length" (outside 8-256 bytes or holding NUL), "common" (a dictionary
 * word or a well-known password, however decorated) or "simple" (too
 * systematic: sequences, repeats, palindromes, few different characters). */
const char *password_weakness(const char *pw, size_t len);

/* Checks a new password read from field: 0, or -1 with 422 weak_password
 * naming field and r->err.reason set to the weakness. */
int password_check(struct app_req *r, const char *pw, const char *field);

#endif
