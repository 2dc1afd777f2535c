/* Text that use cases make from input or for public pages: LIKE
 * patterns for searches, and partly masked names. */
#include "app/kernel/kernel.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/buf.h"
#include <string.h>

const char *app_like_term(struct app_req *r, const char *text, size_t len, bool contains)
{
	struct buf b;
	buf_init(&b, 2 * len + 3);
	if (contains)
		buf_puts(&b, "%");
	for (size_t i = 0; i < len; i++) {
		char ch = (char)((text[i] >= 'A' && text[i] <= 'Z') ? text[i] + 32 : text[i]);
		if (ch == '%' || ch == '_' || ch == '\\')
			buf_append(&b, "\\", 1);
		buf_append(&b, &ch, 1);
	}
	buf_puts(&b, "%");
	const char *out = arena_strdup(r->arena, b.data);
	buf_release(&b);
	return out;
}

int app_like_pattern(struct app_req *r, const char *text, const char *field, const char **out)
{
	size_t n = strlen(text);
	if (n == 0 || n > 256 || !valid_text(text, n, 64))
		return app_fail(r, APP_EBADREQ, "invalid_value", field);
	*out = app_like_term(r, text, n, true);
	return 0;
}

/* "张三丰" → "张*丰", "李雷" → "李*": enough to recognise, not to collect. */
const char *app_mask_name(struct app_req *r, const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t first = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
	size_t n = strlen(name);
	if (n <= first)
		return arena_strdup(r->arena, name);
	const char *last = name + n;
	do
		last--;
	while (last > name && ((unsigned char)*last & 0xc0) == 0x80);
	if (last == name + first)
		return arena_printf(r->arena, "%.*s*", (int)first, name);
	return arena_printf(r->arena, "%.*s*%s", (int)first, name, last);
}
