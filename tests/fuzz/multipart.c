/* libFuzzer target: the multipart/form-data reader (http/multipart.c).
 * The first line of the input is the Content-Type header, the rest the
 * body; whatever part comes out must lie inside the body. */
#include "http/internal.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *nl = memchr(in, '\n', size);
	size_t tl = nl ? (size_t)(nl - in) : size;
	char *type = malloc(tl + 1);
	memcpy(type, in, tl);
	type[tl] = 0;
	/* the body gets its own allocation, so that ASan sees a read past it */
	size_t bl = nl ? size - tl - 1 : 0;
	char *body = malloc(bl ? bl : 1);
	if (bl)
		memcpy(body, nl + 1, bl);
	char boundary[72];
	if (multipart_boundary(type, boundary, sizeof(boundary)) == 0) {
		if (strlen(boundary) >= sizeof(boundary))
			abort();
		const char *part = NULL;
		size_t plen = 0;
		if (multipart_first_file(body, bl, boundary, &part, &plen) == 0 &&
		    (part < body || part + plen > body + bl))
			abort();
	}
	free(body);
	free(type);
	return 0;
}
