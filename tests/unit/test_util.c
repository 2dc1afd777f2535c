/* Unit tests for util/: the arena and the bounded buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "util/arena.h"
#include "util/buf.h"
#include "util/timeutil.h"

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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arena_allocates_zeroed_aligned_memory),
		cmocka_unit_test(buf_refuses_to_pass_its_maximum),
		cmocka_unit_test(iso_time_formats_utc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
