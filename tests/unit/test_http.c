/* Unit tests for http/: the route table and docs/openapi.json describe
 * the same API, error messages exist in both languages, and the JSON
 * writer produces what a parser reads back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
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

/* The query parameters each route declares (and its handler may read,
 * http/query.c) are the ones docs/openapi.json lists for it, shared
 * parameters (#/components/parameters) included. */
static void every_route_declares_the_query_it_documents(void **state)
{
	json_t *paths = json_object_get(doc, "paths");
	json_t *shared = json_object_get(json_object_get(doc, "components"), "parameters");
	for (int i = 0; i < route_count; i++) {
		char m[8] = { 0 }, documented[512] = "";
		for (int k = 0; route_table[i].method[k] && k < 7; k++)
			m[k] = (char)tolower((unsigned char)route_table[i].method[k]);
		json_t *op = json_object_get(json_object_get(paths, route_table[i].pattern), m);
		size_t j;
		json_t *p;
		json_array_foreach(json_object_get(op, "parameters"), j, p) {
			const char *ref = json_string_value(json_object_get(p, "$ref"));
			if (ref)
				p = json_object_get(shared, strrchr(ref, '/') + 1);
			if (strcmp(json_string_value(json_object_get(p, "in")), "query") != 0)
				continue;
			const char *name = json_string_value(json_object_get(p, "name"));
			size_t n = strlen(documented);
			snprintf(documented + n, sizeof(documented) - n, "%s%s", n ? " " : "", name);
			/* the route declares it */
			const char *q = route_table[i].query, *at = q ? strstr(q, name) : NULL;
			size_t len = strlen(name);
			while (at && !((at == q || at[-1] == ' ') && (at[len] == ' ' || at[len] == 0)))
				at = strstr(at + 1, name);
			if (!at)
				fail_msg("%s %s: ?%s is documented but not declared in routes.c",
					 route_table[i].method, route_table[i].pattern, name);
		}
		/* and declares nothing more: same number of words */
		size_t declared = 0, listed = 0;
		for (const char *c = route_table[i].query; c && *c; c++)
			declared += (c == route_table[i].query || c[-1] == ' ') && *c != ' ';
		for (const char *c = documented; *c; c++)
			listed += (c == documented || c[-1] == ' ') && *c != ' ';
		if (declared != listed)
			fail_msg("%s %s declares \"%s\" but docs/openapi.json lists \"%s\"",
				 route_table[i].method, route_table[i].pattern,
				 route_table[i].query ? route_table[i].query : "", documented);
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

	/* found by tests/fuzz/json.c: {"":3e2} is a real, and must read back
	 * as one, not as the integer 300 */
	static const char reals[] = "{\"\":3e2,\"b\":-0.0,\"c\":1e300}";
	v = json_loadb(reals, sizeof(reals) - 1, 0, &e);
	assert_non_null(v);
	buf_init(&b, 4096);
	assert_int_equal(jsonw_value(&b, v), 0);
	back = json_loadb(b.data, b.len, 0, &e);
	assert_non_null(back);
	assert_true(json_is_real(json_object_get(back, "")));
	assert_true(json_equal(v, back));
	json_decref(back);
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

/* The connection-free halves of the body readers, which the fuzz
 * targets (tests/fuzz) drive: each refusal names its reason. */
static void body_readers_without_a_connection(void **state)
{
	json_t *obj;
	const char *code;
	/* {"a":[[…]]}: the object is one level, the arrays the rest */
	char deep[2 * JSON_MAX_DEPTH + 16];
	for (int levels = JSON_MAX_DEPTH; levels <= JSON_MAX_DEPTH + 1; levels++) {
		size_t n = 0;
		memcpy(deep, "{\"a\":", 5);
		n = 5;
		for (int i = 1; i < levels; i++)
			deep[n++] = '[';
		for (int i = 1; i < levels; i++)
			deep[n++] = ']';
		deep[n++] = '}';
		int rc = json_in_load(deep, n, &obj, &code);
		if (levels == JSON_MAX_DEPTH) {
			assert_int_equal(rc, 0);
			json_decref(obj);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(code, "too_deep");
			assert_null(obj);
		}
	}
	/* brackets inside strings do not count, escaped quotes do not end them */
	static const char ok[] = "{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"\"}";
	assert_int_equal(json_in_load(ok, sizeof(ok) - 1, &obj, &code), 0);
	assert_string_equal(json_string_value(json_object_get(obj, "a")), "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"");
	json_decref(obj);
	static const struct { const char *in, *code; } bad[] = {
		{ "{\"a\":1,\"a\":2}", "invalid_json" },
		{ "[1]", "invalid_json" },
		{ "{\"a\":1} x", "invalid_json" },
		{ "", "invalid_json" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(json_in_load(bad[i].in, strlen(bad[i].in), &obj, &code), -1);
		assert_string_equal(code, bad[i].code);
	}
	char big[JSON_MAX_STRING + 16];
	memset(big, 'x', sizeof(big));
	memcpy(big, "{\"a\":\"", 6);
	memcpy(big + sizeof(big) - 2, "\"}", 2);
	assert_int_equal(json_in_load(big, sizeof(big), &obj, &code), -1);
	assert_string_equal(code, "value_too_large");

	char b[72];
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=XyZ", b, sizeof(b)), 0);
	assert_string_equal(b, "XyZ");
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=\"a b\"; charset=utf-8", b, sizeof(b)), 0);
	assert_string_equal(b, "a b");
	assert_int_equal(multipart_boundary("multipart/form-data", b, sizeof(b)), -1);
	assert_int_equal(multipart_boundary("multipart/form-data; boundary=0123456789", b, 5), 0);
	assert_string_equal(b, "0123");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_route_is_documented),
		cmocka_unit_test(every_documented_operation_is_routed),
		cmocka_unit_test(every_route_declares_the_query_it_documents),
		cmocka_unit_test(error_codes_have_messages_in_both_languages),
		cmocka_unit_test(json_writer_round_trips),
		cmocka_unit_test(multipart_finds_the_file_part),
		cmocka_unit_test(body_readers_without_a_connection),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
