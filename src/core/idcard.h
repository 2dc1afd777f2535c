/* Identity documents: format and check-digit validation of the numbers
 * volunteers register with, the facts a resident ID carries (birth date,
 * gender), and masking for display. Pure functions, no I/O. */
#ifndef ZY_IDCARD_H
#define ZY_IDCARD_H
#include <stddef.h>

enum id_type {
	ID_RESIDENT,        /* "resident_id": 居民身份证, GB 11643-1999, 18 characters */
	ID_HK_MACAO,        /* "hk_macao_permit": 港澳居民来往内地通行证 */
	ID_TAIWAN,          /* "taiwan_permit": 台湾居民来往大陆通行证 */
	ID_PASSPORT,        /* "passport": 护照 */
	ID_TYPE_COUNT
};

/* Why a number was refused; ID_OK when it was not. */
enum id_error {
	ID_OK = 0,
	ID_EFORMAT,      /* wrong length or characters for the type */
	ID_ECHECKSUM,    /* resident ID: check character does not match */
	ID_EBIRTH,       /* resident ID: impossible or future birth date */
	ID_EPROVINCE,    /* resident ID: first two digits are no province code */
	ID_ELEGACY,      /* resident ID: a 15-digit first-generation number */
};
/* First-generation (15-digit) cards stopped being valid documents on
 * 1 January 2013, when every holder had been issued an 18-digit card, so
 * a 15-digit number is refused with its own code rather than upgraded:
 * the holder is asked for the number on the card they carry today. */

/* What a valid resident ID says about its holder. */
struct id_facts {
	int year, month, day;   /* birth date */
	int female;             /* 1 female, 0 male (odd sequence = male) */
};

/* The type for its API name ("resident_id", …), or -1. */
int id_type_parse(const char *name);
/* The API name of a type. */
const char *id_type_name(int type);
/* The stable error code of a refusal, e.g. "id_checksum". */
const char *id_error_code(enum id_error e);

/* Normalises a number as typed (drops spaces, upper-cases letters) into
 * out; returns 0, or -1 when it does not fit in outlen. */
int id_normalize(const char *in, char *out, size_t outlen);

/* Validates a normalised number of the given type. For resident IDs,
 * facts (may be NULL) receives birth date and gender; today_ymd (as
 * YYYYMMDD, e.g. 20261128) bounds the birth date. */
enum id_error id_validate(int type, const char *number, int today_ymd, struct id_facts *facts);

/* Masks a number for display: the first four and last four characters
 * stay, the rest become '*' ("5101**********123X"); numbers shorter than
 * 15 characters (permits, passports) keep only their last two. out needs strlen+1. */
void id_mask(const char *number, char *out, size_t outlen);

#endif
