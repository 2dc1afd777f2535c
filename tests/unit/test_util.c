/* Unit tests for util/: the arena, the bounded buffer, time formatting and
 * the JSON text writer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "util/arena.h"
#include "util/buf.h"
#include "util/jsonw.h"
#include "util/timeutil.h"
#include <stdio.h>
#include <time.h>

static void arena_allocates_zeroed_aligned_memory(void **state)
{
	struct arena *a = arena_new();
	for (int i = 1; i < 2000; i += 7) {
		unsigned char *p = arena_alloc(a, (size_t)i);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		for (int k = 0; k < i; k++)
			assert_int_equal(p[k], 0);
		memset(p, 0xab, (size_t)i);
	}
	char *big = arena_alloc(a, 100000);   /* bigger than a chunk */
	big[99999] = 1;
	assert_string_equal(arena_strndup(a, "hello world", 5), "hello");
	assert_null(arena_strdup(a, NULL));
	assert_string_equal(arena_printf(a, "%s-%d", "x", 42), "x-42");
	arena_free(a);
	arena_free(NULL);
}

static void buf_refuses_to_pass_its_maximum(void **state)
{
	struct buf b;
	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "12345"), 0);
	assert_int_equal(buf_puts(&b, "67890"), 0);
	assert_int_equal(buf_append(&b, "x", 1), -1);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "1234567890");
	buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.max, 10);
}

static void iso_time_formats_utc(void **state)
{
	char s[24];
	time_format_iso(0, s, sizeof(s));
	assert_string_equal(s, "1970-01-01T00:00:00Z");
	time_format_iso(1795872000, s, sizeof(s));
	assert_string_equal(s, "2026-11-28T13:20:00Z");
	/* the arithmetic agrees with the C library across centuries, leap
	 * days and times before 1970 */
	for (int64_t t = -2208988800LL; t < 4102444800LL; t += 86399 * 37 + 1) {
		char want[32];
		time_t tt = (time_t)t;
		struct tm tm;
		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		time_format_iso(t, s, sizeof(s));
		assert_string_equal(s, want);
	}
	time_format_iso(951782400, s, sizeof(s));
	assert_string_equal(s, "2000-02-29T00:00:00Z");
	time_format_iso(-1, s, sizeof(s));
	assert_string_equal(s, "1969-12-31T23:59:59Z");
}

static void json_writer_streams_nested_documents(void **state)
{
	struct buf b;
	struct jsonw w;
	buf_init(&b, 4096);
	jsonw_init(&w, &b);
	jsonw_object(&w);
	jsonw_key(&w, "a");
	jsonw_int(&w, -5);
	jsonw_key(&w, "list");
	jsonw_array(&w);
	jsonw_str(&w, "温\"江\n");
	jsonw_null(&w);
	jsonw_object(&w);
	jsonw_end(&w, '}');
	jsonw_bool(&w, true);
	jsonw_end(&w, ']');
	jsonw_key(&w, "none");
	jsonw_str(&w, NULL);
	json_t *doc = json_pack("{si}", "x", 1);
	jsonw_key(&w, "doc");
	jsonw_json(&w, doc);
	json_decref(doc);
	jsonw_key(&w, "empty");
	jsonw_array(&w);
	jsonw_end(&w, ']');
	jsonw_end(&w, '}');
	assert_int_equal(jsonw_finish(&w), 0);
	assert_string_equal(b.data, "{\"a\":-5,\"list\":[\"温\\\"江\\n\",null,{},true],\"none\":null,"
				    "\"doc\":{\"x\":1},\"empty\":[]}");
	buf_release(&b);
	/* an unclosed object, and a buffer too small, are errors */
	buf_init(&b, 4);
	jsonw_init(&w, &b);
	jsonw_object(&w);
	assert_int_equal(jsonw_finish(&w), -1);
	jsonw_key(&w, "longer than four");
	jsonw_end(&w, '}');
	assert_int_equal(jsonw_finish(&w), -1);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arena_allocates_zeroed_aligned_memory),
		cmocka_unit_test(buf_refuses_to_pass_its_maximum),
		cmocka_unit_test(iso_time_formats_utc),
		cmocka_unit_test(json_writer_streams_nested_documents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
