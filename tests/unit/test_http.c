/* Unit tests for http/: the route table and docs/openapi.json describe
 * the same API, error messages exist in both languages, and the JSON
 * writer produces what a parser reads back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <string.h>
#include "http/internal.h"
#include "util/jsonw.h"

static json_t *doc;

static int load(void **state)
{
	json_error_t e;
	doc = json_loadb(openapi_json, openapi_json_len, 0, &e);
	return doc ? 0 : -1;
}

static int unload(void **state)
{
	json_decref(doc);
	return 0;
}

static void every_route_is_documented(void **state)
{
	json_t *paths = json_object_get(doc, "paths");
	for (int i = 0; i < route_count; i++) {
		char m[8] = { 0 };
		for (int k = 0; route_table[i].method[k] && k < 7; k++)
			m[k] = (char)tolower((unsigned char)route_table[i].method[k]);
		json_t *op = json_object_get(json_object_get(paths, route_table[i].pattern), m);
		if (!op)
			fail_msg("%s %s is not in docs/openapi.json", route_table[i].method, route_table[i].pattern);
		json_t *resp = json_object_get(op, "responses");
		assert_true(json_object_size(resp) > 0);
	}
}

static void every_documented_operation_is_routed(void **state)
{
	const char *path, *method;
	json_t *item, *op;
	json_object_foreach(json_object_get(doc, "paths"), path, item) {
		json_object_foreach(item, method, op) {
			bool found = false;
			for (int i = 0; i < route_count && !found; i++)
				found = strcmp(route_table[i].pattern, path) == 0 &&
					strcasecmp(route_table[i].method, method) == 0;
			if (!found)
				fail_msg("docs/openapi.json has %s %s but the server has no such route", method, path);
		}
	}
}

static void error_codes_have_messages_in_both_languages(void **state)
{
	const char *codes[] = { "invalid_credentials", "csrf_failed", "body_too_large",
				"too_many_attempts", "required", "wrong_type", "forbidden" };
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_string_not_equal(error_message(codes[i], LANG_ZH), "请求失败");
		assert_string_not_equal(error_message(codes[i], LANG_EN), "request failed");
	}
	assert_int_equal(error_status(APP_EINVALID), 422);
	assert_int_equal(error_status(APP_ETHROTTLED), 429);
}

static void json_writer_round_trips(void **state)
{
	json_t *v = json_pack("{ss si sb sn s[i f s] ss}", "name", "温江 \"q\" \\ \n\t\x01",
			      "n", -42, "ok", 1, "none", "list", 1, 2.5, "😀", "empty", "");
	struct buf b;
	buf_init(&b, 4096);
	assert_int_equal(jsonw_value(&b, v), 0);
	assert_non_null(strstr(b.data, "\\u0001"));
	assert_null(strchr(b.data, '\n'));
	json_error_t e;
	json_t *back = json_loadb(b.data, b.len, 0, &e);
	assert_non_null(back);
	assert_true(json_equal(v, back));
	json_decref(back);
	buf_release(&b);
	buf_init(&b, 8);
	assert_int_equal(jsonw_value(&b, v), -1);   /* the maximum holds */
	buf_release(&b);
	json_decref(v);
}

static void multipart_finds_the_file_part(void **state)
{
	static const char body[] =
		"--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
		"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
		"Content-Type: text/csv\r\n\r\n姓名,手机号\r\n张三,1\r\n--XyZ--\r\n";
	const char *data;
	size_t len;
	assert_int_equal(multipart_first_file(body, sizeof(body) - 1, "XyZ", &data, &len), 0);
	assert_int_equal(len, strlen("姓名,手机号\r\n张三,1"));
	assert_memory_equal(data, "姓名,手机号\r\n张三,1", len);
	/* no file part, a wrong boundary, a truncated body */
	static const char nofile[] = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--\r\n";
	assert_int_equal(multipart_first_file(nofile, sizeof(nofile) - 1, "b", &data, &len), -1);
	assert_int_equal(multipart_first_file(body, sizeof(body) - 1, "nope", &data, &len), -1);
	assert_int_equal(multipart_first_file(body, 60, "XyZ", &data, &len), -1);
	assert_int_equal(multipart_first_file(body, sizeof(body) - 1, "", &data, &len), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_route_is_documented),
		cmocka_unit_test(every_documented_operation_is_routed),
		cmocka_unit_test(error_codes_have_messages_in_both_languages),
		cmocka_unit_test(json_writer_round_trips),
		cmocka_unit_test(multipart_finds_the_file_part),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
