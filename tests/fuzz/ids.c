/* libFuzzer target: ID numbers (core/idcard.c: normalising, checking
 * each document type, masking) and volunteer numbers (core/volno.c). */
#include "core/idcard.h"
#include "core/volno.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	char norm[64], mask[64];
	id_type_parse(s);
	for (int type = 0; type < ID_TYPE_COUNT; type++) {
		struct id_facts f;
		enum id_error e = id_validate(type, s, 20261203, &f);
		if (!id_error_code(e))
			abort();
		if (e == ID_OK && type == ID_RESIDENT && (f.month < 1 || f.month > 12 || f.day < 1 || f.day > 31))
			abort();
	}
	if (id_normalize(s, norm, sizeof(norm)) == 0) {
		if (strlen(norm) >= sizeof(norm))
			abort();
		for (int type = 0; type < ID_TYPE_COUNT; type++) {
			struct id_facts f;
			id_validate(type, norm, 20261203, &f);
		}
	}
	id_mask(s, mask, sizeof(mask));
	id_mask(s, mask, 4);
	if (volno_valid(s) && strlen(s) != VOLNO_LEN)
		abort();
	if (size >= 16) {
		char digits[17];
		memcpy(digits, s, 16);
		digits[16] = 0;
		volno_check_digit(digits);
	}
	/* a number made from the input's region and sequence is valid */
	if (size >= 6 + 8) {
		char region[7], out[32];
		memcpy(region, s, 6);
		region[6] = 0;
		uint64_t u;
		memcpy(&u, data + 6, sizeof(u));
		int64_t seq = (int64_t)(u % 100000000u);
		int rc = volno_make(region, (int)(data[0] % 100), seq, out, sizeof(out));
		if (rc == 0 && !volno_valid(out))
			abort();
		/* out of range arguments are refused, not written */
		if (volno_make(region, 100, seq, out, sizeof(out)) == 0 ||
		    volno_make(region, 1, seq + 100000000, out, sizeof(out)) == 0)
			abort();
	}
	free(s);
	return 0;
}
