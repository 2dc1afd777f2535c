/* Serialises a jansson document into a bounded buffer. jansson's own dump
 * goes through a callback per token and re-validates UTF-8; this writer
 * appends straight into one buffer, which made GET /api/v1/me measurably
 * faster (docs/decisions.md). Strings in a json_t are already valid UTF-8,
 * so only quotes, backslashes and control characters need escaping. */
#include "http/internal.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int put_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	if (buf_append(b, "\"", 1) != 0)
		return -1;
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (buf_append(b, s + run, i - run) != 0)
			return -1;
		char esc[6] = { '\\', 0 };
		size_t len = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			len = 6;
		}
		if (buf_append(b, esc, len) != 0)
			return -1;
		run = i + 1;
	}
	if (buf_append(b, s + run, n - run) != 0)
		return -1;
	return buf_append(b, "\"", 1);
}

int json_out(struct buf *b, json_t *v)
{
	char num[40];
	int n;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *e;
		bool first = true;
		if (buf_append(b, "{", 1) != 0)
			return -1;
		json_object_foreach(v, key, e) {
			if ((!first && buf_append(b, ",", 1) != 0) ||
			    put_string(b, key, strlen(key)) != 0 ||
			    buf_append(b, ":", 1) != 0 || json_out(b, e) != 0)
				return -1;
			first = false;
		}
		return buf_append(b, "}", 1);
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *e;
		if (buf_append(b, "[", 1) != 0)
			return -1;
		json_array_foreach(v, i, e) {
			if ((i && buf_append(b, ",", 1) != 0) || json_out(b, e) != 0)
				return -1;
		}
		return buf_append(b, "]", 1);
	}
	case JSON_STRING:
		return put_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf_append(b, num, (size_t)n);
	case JSON_REAL:
		n = snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		return buf_append(b, num, (size_t)n);
	case JSON_TRUE:
		return buf_append(b, "true", 4);
	case JSON_FALSE:
		return buf_append(b, "false", 5);
	case JSON_NULL:
	default:
		return buf_append(b, "null", 4);
	}
}
