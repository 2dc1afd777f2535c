/* Volunteer numbers: building them from region, year and sequence, and
 * checking the Damm check digit that closes them. */
#include "core/volno.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The order-10 weakly totally anti-symmetric quasigroup from H. Michael
 * Damm's 2004 thesis, with zeros on the diagonal so that running a whole
 * valid number through it ends in 0. Anti-symmetry is what makes every
 * adjacent transposition change the result; being a quasigroup (a Latin
 * square) is what makes every single-digit substitution change it. */
static const unsigned char damm[10][10] = {
	{ 0, 3, 1, 7, 5, 9, 8, 6, 4, 2 },
	{ 7, 0, 9, 2, 1, 5, 4, 8, 6, 3 },
	{ 4, 2, 0, 6, 8, 7, 1, 3, 5, 9 },
	{ 1, 7, 5, 0, 9, 8, 3, 4, 2, 6 },
	{ 6, 1, 2, 3, 0, 4, 5, 9, 7, 8 },
	{ 3, 6, 7, 4, 2, 0, 9, 5, 8, 1 },
	{ 5, 8, 6, 9, 7, 2, 0, 1, 3, 4 },
	{ 8, 9, 4, 5, 3, 6, 2, 0, 1, 7 },
	{ 9, 4, 3, 8, 6, 1, 7, 2, 0, 5 },
	{ 2, 5, 8, 1, 4, 3, 6, 7, 9, 0 },
};

static bool digits_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Returns 0 (not a digit character) when the input is not 16 digits, so
 * a caller comparing it with a digit can never get a false match. */
char volno_check_digit(const char *digits16)
{
	if (digits16 == NULL)
		return 0;
	unsigned interim = 0;
	for (size_t i = 0; i < VOLNO_LEN - 1; i++) {
		char c = digits16[i];
		if (c < '0' || c > '9')
			return 0;
		interim = damm[interim][c - '0'];
	}
	return (char)('0' + interim);
}

int volno_make(const char *region6, int yy, int64_t seq, char *out, size_t outlen)
{
	if (out == NULL || outlen < VOLNO_LEN + 1)
		return -1;
	out[0] = 0;
	if (region6 == NULL || strlen(region6) != 6 || !digits_only(region6, 6))
		return -1;
	if (yy < 0 || yy > 99 || seq < 0 || seq > INT64_C(99999999))
		return -1;
	int w = snprintf(out, outlen, "%s%02d%08" PRId64, region6, yy, seq);
	if (w != VOLNO_LEN - 1) {
		out[0] = 0;
		return -1;
	}
	out[VOLNO_LEN - 1] = volno_check_digit(out);
	out[VOLNO_LEN] = 0;
	return 0;
}

bool volno_valid(const char *s)
{
	if (s == NULL)
		return false;
	/* Counting stops one past the expected length: a longer input is
	 * wrong whatever follows, so there is no need to walk all of it. */
	size_t n = 0;
	while (n <= VOLNO_LEN && s[n])
		n++;
	if (n != VOLNO_LEN || !digits_only(s, VOLNO_LEN))
		return false;
	return volno_check_digit(s) == s[VOLNO_LEN - 1];
}
