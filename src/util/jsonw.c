/* JSON text writer (see jsonw.h). Strings are known to be valid UTF-8, so
 * only quotes, backslashes and control characters need escaping. */
#include "util/jsonw.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int jsonw_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t clean = 0;
	while (clean < n && (unsigned char)s[clean] >= 0x20 && s[clean] != '"' && s[clean] != '\\')
		clean++;
	if (clean == n) {
		/* the usual case, nothing to escape: one copy */
		char *at = buf_extend(b, n + 2);
		if (!at)
			return -1;
		at[0] = '"';
		memcpy(at + 1, s, n);
		at[n + 1] = '"';
		return 0;
	}
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

int jsonw_value(struct buf *b, json_t *v)
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
			    jsonw_string(b, key, strlen(key)) != 0 ||
			    buf_append(b, ":", 1) != 0 || jsonw_value(b, e) != 0)
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
			if ((i && buf_append(b, ",", 1) != 0) || jsonw_value(b, e) != 0)
				return -1;
		}
		return buf_append(b, "]", 1);
	}
	case JSON_STRING:
		return jsonw_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf_append(b, num, (size_t)n);
	case JSON_REAL:
		n = snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		/* "300" would read back as an integer: a real keeps its ".0"
		 * (jansson's own dump does the same) */
		if (n > 0 && (size_t)n + 2 < sizeof(num) && !strpbrk(num, ".eEn"))
			n += snprintf(num + n, sizeof(num) - (size_t)n, ".0");
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

void jsonw_init(struct jsonw *w, struct buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
}

/* The separator before a value: a comma unless it is the first one in its
 * container or follows a key. */
static void sep(struct jsonw *w)
{
	if (w->err)
		return;
	if (w->need_comma[w->depth] && buf_append(w->b, ",", 1) != 0)
		w->err = -1;
	w->need_comma[w->depth] = true;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (!w->err && buf_append(w->b, s, n) != 0)
		w->err = -1;
}

static void open_(struct jsonw *w, const char *c)
{
	sep(w);
	if (w->depth + 1 >= JSONW_DEPTH) {
		w->err = -1;
		return;
	}
	put(w, c, 1);
	w->need_comma[++w->depth] = false;
}

void jsonw_object(struct jsonw *w)
{
	open_(w, "{");
}

void jsonw_array(struct jsonw *w)
{
	open_(w, "[");
}

void jsonw_end(struct jsonw *w, char close)
{
	if (w->depth == 0) {
		w->err = -1;
		return;
	}
	w->depth--;
	put(w, &close, 1);
}

void jsonw_key(struct jsonw *w, const char *key)
{
	sep(w);
	size_t n = strlen(key);
	char *at = w->err ? NULL : buf_extend(w->b, n + 3);
	if (at) {
		/* keys are the program's own names: nothing to escape */
		at[0] = '"';
		memcpy(at + 1, key, n);
		at[n + 1] = '"';
		at[n + 2] = ':';
	} else {
		w->err = -1;
	}
	/* the value that follows takes no comma */
	w->need_comma[w->depth] = false;
}

/* After a member's value the next member needs a comma again. */
static void done_value(struct jsonw *w)
{
	w->need_comma[w->depth] = true;
}

void jsonw_str(struct jsonw *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	sep(w);
	if (!w->err && jsonw_string(w->b, s, strlen(s)) != 0)
		w->err = -1;
	done_value(w);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	char num[24], *end = num + sizeof(num), *p = end;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	sep(w);
	put(w, p, (size_t)(end - p));
	done_value(w);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	sep(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
	done_value(w);
}

void jsonw_null(struct jsonw *w)
{
	sep(w);
	put(w, "null", 4);
	done_value(w);
}

void jsonw_json(struct jsonw *w, json_t *v)
{
	sep(w);
	if (!w->err && jsonw_value(w->b, v) != 0)
		w->err = -1;
	done_value(w);
}

int jsonw_finish(struct jsonw *w)
{
	return w->err || w->depth != 0 ? -1 : 0;
}
