/* Pure checks and transformations of account and organisation fields.
 * No I/O: everything here is unit-tested directly. */
#ifndef ZY_VALIDATE_H
#define ZY_VALIDATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USERNAME_MIN 3
#define USERNAME_MAX 32
#define PASSWORD_MIN 8
#define PASSWORD_MAX 256
#define DISPLAY_NAME_MAX 64   /* characters, not bytes */
#define ORG_NAME_MAX 100      /* characters */
#define TOKEN_NAME_MAX 64     /* characters */

/* Role bits; a user holds any combination. */
enum role {
	ROLE_ADMIN = 1 << 0,
	ROLE_RECORDER = 1 << 1,
	ROLE_SOCIAL_WORKER = 1 << 2,
	ROLE_CLERK = 1 << 3,
	ROLE_VOLUNTEER = 1 << 4,
};
#define ROLE_COUNT 5

/* Name of role bit index i (0..ROLE_COUNT-1), e.g. "admin". */
const char *role_name(int i);
/* Role bit for a name, or 0 when unknown. */
int role_parse(const char *name);
/* Parses a comma-separated role list as stored ("admin,recorder"); unknown
 * names are ignored. */
int roles_from_csv(const char *csv);
/* Writes the stored form of a role set into out (at least 64 bytes). */
void roles_to_csv(int roles, char *out, size_t outlen);

/* 3..32 of [A-Za-z0-9_.-], starting with a letter. */
bool valid_username(const char *s);
/* Mainland mobile number: 11 digits starting 1[3-9]. */
bool valid_phone(const char *s);
/* An address people outside this machine can reach the console at, for
 * links printed on paper: http:// or https://, a host that is not
 * loopback, unspecified or "localhost", at most 200 bytes, no spaces. */
bool valid_public_url(const char *s);
/* Length in bytes within PASSWORD_MIN..PASSWORD_MAX and no NUL. */
bool valid_password(const char *s, size_t len);
/* Valid UTF-8 with no control characters, 1..max_chars code points. */
bool valid_text(const char *s, size_t len, size_t max_chars);
/* GB/T 2260 six-digit code or 12-digit statistical code. */
bool valid_region_code(const char *s);
/* A landline or mobile number: 7..20 of digits and '-', starting with a
 * digit (hotlines such as 028-82722222 or 12345). */
bool valid_contact_phone(const char *s);
/* A real calendar date written YYYY-MM-DD; *ymd (may be NULL) gets it as
 * the number YYYYMMDD. */
bool valid_date(const char *s, int *ymd);
/* Whole years of age on the day today (YYYYMMDD) of someone born on
 * birth ("YYYY-MM-DD"). */
int age_on_date(const char *birth, int today);

/* Parses an ISO 8601 time with an explicit offset, e.g.
 * "2026-11-28T09:00:00+08:00", "2026-11-28T01:00Z" (seconds optional,
 * fractions ignored), into Unix seconds. Returns 0 or -1. */
int time_parse_iso(const char *s, int64_t *out);

/* Region codes are stored with 12 digits: a 6-digit GB/T 2260 code gets
 * "000000". out needs 13 bytes; returns 0, or -1 for an invalid code. */
int region_normalize(const char *code, char out[13]);
/* Level of a 12-digit code: 1 province, 2 city, 3 county, 4 town or
 * street, 5 village or community. */
int region_level(const char *code12);
/* How many leading digits a level's code owns (2, 4, 6, 9, 12): every
 * code below it starts with them. */
int region_prefix_len(int level);

/* Masks a mobile number as 138****1234 into out (at least 12 bytes). */
void mask_phone(const char *phone, char *out, size_t outlen);

/* Organisation kinds (issue 3 documents the tree they form). */
enum org_kind {
	ORG_FEDERATION,
	ORG_ASSOCIATION,
	ORG_TEAM,
	ORG_STATION,
	ORG_SOCIAL_WORK_AGENCY,
	ORG_SOCIAL_ORG,
	ORG_KIND_COUNT
};
/* Kind for a name such as "team", or -1. */
int org_kind_parse(const char *name);
const char *org_kind_name(int kind);
/* Whether an organisation of kind child may sit under one of kind parent. */
bool org_parent_allowed(int parent, int child);

#endif
