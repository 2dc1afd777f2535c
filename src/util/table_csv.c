/* CSV for the table reader: UTF-8 (with or without BOM) or GB18030,
 * RFC 4180 quoting, rows built through table_row.c. */
#include "util/table_int.h"
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

/* ---- CSV ---- */

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
 * GB18030 text almost never passes this, which is what makes the guess
 * between the two encodings safe. */
static bool valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t k;
		unsigned cp, min;
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return false;
		}
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

static int from_gb18030(struct table *t, const char *in, size_t n)
{
	/* One GB18030 byte pair becomes at most three UTF-8 bytes; four-byte
	 * sequences become at most four. */
	if (n > SIZE_MAX / 3)
		return table_fail(t, "file is too large");
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1)
		return table_fail(t, "cannot convert from GB18030 on this system");
	size_t cap = n + n / 2 + 16;
	char *out = malloc(cap);
	if (!out)
		abort();
	char *ip = (char *)in;
	size_t il = n;
	char *op = out;
	size_t ol = cap;
	int rc = 0;
	while (il > 0) {
		if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
			break;
		if (errno != E2BIG) {
			rc = -1;
			break;
		}
		size_t used = (size_t)(op - out);
		cap *= 2;
		char *grown = realloc(out, cap);
		if (!grown)
			abort();
		out = grown;
		op = out + used;
		ol = cap - used;
	}
	iconv_close(cd);
	if (rc < 0) {
		free(out);
		return table_fail(t, "file is neither UTF-8 nor GB18030 text");
	}
	t->owned = out;
	t->text = out;
	t->len = (size_t)(op - out);
	return 0;
}

int table_csv_open(struct table *t, const void *data, size_t len)
{
	/* A NUL never belongs in CSV text; it usually means UTF-16, which
	 * Excel writes for "Unicode text" and which would otherwise pass as
	 * UTF-8 when it holds only ASCII. */
	if (len && memchr(data, 0, len))
		return table_fail(t, "file contains nul bytes, so it is not csv text "
			    "(utf-16? save it as csv utf-8)");
	if (valid_utf8(data, len)) {
		t->fmt = TABLE_CSV_UTF8;
		t->text = data;
		t->len = len;
	} else {
		t->fmt = TABLE_CSV_GB18030;
		if (from_gb18030(t, data, len) < 0)
			return -1;
	}
	/* Checked after conversion: the GB18030 BOM decodes to the same
	 * U+FEFF. */
	if (t->len >= 3 && memcmp(t->text, "\xef\xbb\xbf", 3) == 0) {
		t->text += 3;
		t->len -= 3;
	}
	return 0;
}

/* Length of the line end at i: LF, CRLF, or a CR that ends the file. A
 * CR elsewhere is data, as RFC 4180 only knows CRLF. */
static size_t eol_len(const struct table *t, size_t i)
{
	if (i >= t->len)
		return 0;
	if (t->text[i] == '\n')
		return 1;
	if (t->text[i] == '\r') {
		if (i + 1 == t->len)
			return 1;
		if (t->text[i + 1] == '\n')
			return 2;
	}
	return 0;
}

static int csv_quoted(struct table *t, size_t col)
{
	const char *s = t->text;
	size_t n = t->len;
	t->pos++;
	for (;;) {
		const char *q = memchr(s + t->pos, '"', n - t->pos);
		if (!q) {
			char c[8];
			table_col_name(col, c);
			return table_fail(t, "row %zu, column %s: quoted cell is not closed",
				    t->rowno, c);
		}
		size_t end = (size_t)(q - s);
		if (table_cell_add(t, col, s + t->pos, end - t->pos) < 0)
			return -1;
		t->pos = end + 1;
		if (t->pos < n && s[t->pos] == '"') {
			if (table_cell_add(t, col, "\"", 1) < 0)
				return -1;
			t->pos++;
			continue;
		}
		break;
	}
	/* Guessing what `"a"b` meant would silently change data; say where
	 * the file is wrong instead. */
	if (t->pos < n && s[t->pos] != ',' && !eol_len(t, t->pos)) {
		char c[8];
		table_col_name(col, c);
		return table_fail(t, "row %zu, column %s: text after the closing quote "
			    "(a quote inside a quoted cell is written \"\")", t->rowno, c);
	}
	return 0;
}

/* Reads one physical record into the row. Returns 1, 0 at the end, -1. */
static int csv_record(struct table *t)
{
	const char *s = t->text;
	size_t n = t->len;
	if (t->pos >= n)
		return 0;
	if (t->rowno >= TABLE_MAX_ROWS)
		return table_fail(t, "more than %d rows", TABLE_MAX_ROWS);
	t->rowno++;
	table_row_begin(t);
	for (size_t col = 1;; col++) {
		table_cell_begin(t);
		if (t->pos < n && s[t->pos] == '"') {
			if (csv_quoted(t, col) < 0)
				return -1;
		} else {
			/* A quote inside an unquoted cell is kept as data,
			 * as Excel does (e.g. 5" for inches). */
			size_t start = t->pos;
			while (t->pos < n && s[t->pos] != ',' && !eol_len(t, t->pos))
				t->pos++;
			if (table_cell_add(t, col, s + start, t->pos - start) < 0)
				return -1;
		}
		if (table_cell_end(t, col) < 0)
			return -1;
		if (t->pos < n && s[t->pos] == ',') {
			t->pos++;
			continue;
		}
		t->pos += eol_len(t, t->pos);
		return 1;
	}
}

int table_csv_next(struct table *t)
{
	for (;;) {
		int r = csv_record(t);
		if (r <= 0)
			return r;
		if (table_row_finish(t))
			return 1;
	}
}
