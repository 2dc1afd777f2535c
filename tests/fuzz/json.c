/* libFuzzer target: JSON request bodies (http/json_in.c: depth, duplicate
 * keys, string and array limits) and the field readers of app/kernel/input.c on
 * whatever object gets through, for the field names of the API. What was
 * read is written back by the answer writer (util/jsonw.c), which must
 * give the same document: user text is echoed in answers. */
#include "app/kernel/input.h"
#include "http/internal.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/jsonw.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fields[] = {
	"name", "id", "org_id", "volunteer_id", "activity_id", "minutes", "quality", "password",
	"skills", "service_categories", "starts_at", "ends_at", "consent", "sensitive", "phone",
	"id_number", "amount", "", "\xe5\xa7\x93\xe5\x90\x8d",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = NULL;
	const char *code = NULL;
	if (json_in_load((const char *)data, size, &doc, &code) != 0) {
		/* a refusal always names its reason */
		if (!code || doc)
			abort();
		return 0;
	}
	if (!json_is_object(doc))
		abort();
	struct arena *arena = arena_new();
	struct app_req r = { .arena = arena };
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *f = fields[i], *s;
		int64_t n = 0;
		bool b = false, present = false;
		if (in_text(&r, doc, f, i % 2 == 0, 1 + i * 7, &s) == 0 && s && strlen(s) > (1 + i * 7) * 4)
			abort();   /* a text that passed is within its limit */
		in_secret(&r, doc, f, true, 256, &s);
		in_id(&r, doc, f, false, &n, &present);
		if (present && in_id(&r, doc, f, true, &n, NULL) == 0 && n <= 0)
			abort();
		in_bool(&r, doc, f, &b, &present);
		in_int(&r, doc, f, false, -1000, 1000, &n, &present);
		in_time(&r, doc, f, false, &n, &present);
		json_t *list = NULL;
		char *text = NULL;
		if (in_tags(&r, doc, f, &list, &text) == 0 && json_array_size(list) > TAGS_MAX)
			abort();
		json_decref(list);
		free(text);
	}
	struct buf b;
	buf_init(&b, JSON_OUT_MAX);
	if (jsonw_value(&b, doc) != 0)
		abort();
	json_error_t err;
	json_t *back = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &err);
	if (!back || !json_equal(doc, back)) {
		fprintf(stderr, "jsonw wrote %.*s (%s)\n", (int)(b.len > 200 ? 200 : b.len), b.data, back ? "not equal" : err.text);
		abort();
	}
	json_decref(back);
	buf_release(&b);
	json_decref(doc);
	arena_free(arena);
	return 0;
}
