/* Reads the spreadsheets districts already keep (CSV in UTF-8 or GB18030,
 * or the first worksheet of an XLSX file) one row at a time as UTF-8
 * cells, with hard limits so that a hostile upload cannot exhaust memory. */
#include "util/table.h"
#include "util/buf.h"
#include <errno.h>
#include <expat.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define NO_CELL SIZE_MAX
#define XML_CHUNK 65536
#define PATH_MAX_LEN 512
/* Room for every allowed cell plus one cell past the limit: that cell is
 * built before we know whether it is empty (dropped) or an error. */
#define ROW_MAX ((TABLE_MAX_CELLS + 1) * (TABLE_MAX_CELL + 1))

struct table;

/* State shared by the expat handlers of every XLSX part. */
struct xml_ctx {
	XML_Parser p;
	struct table *t;
	const char *name;               /* part name, for messages */
	bool stop;                      /* a handler ended the parse on purpose */
	char rid[128];                  /* workbook.xml: first sheet's r:id */
	char target[PATH_MAX_LEN];      /* rels: Target of that id */
	char sst_target[PATH_MAX_LEN];  /* rels: Target of the shared strings */
	bool in_si, in_t;
	unsigned rph;                   /* depth inside <rPh> phonetic runs */
};

struct table {
	enum table_format fmt;
	bool failed;
	char err[256];

	/* The row being built: cell bytes, each cell NUL-terminated. Offsets,
	 * not pointers, because the buffer may move while it grows. */
	struct buf row;
	size_t off[TABLE_MAX_CELLS];
	const char *cells[TABLE_MAX_CELLS];
	size_t ncells;
	size_t rowno;
	size_t nrows;
	size_t cell_start;

	/* CSV */
	const char *text;
	size_t len, pos;
	char *owned;                    /* GB18030 input converted to UTF-8 */

	/* XLSX */
	struct xml_ctx sx;
	XML_Parser parser;
	struct buf xml;                 /* the worksheet part */
	size_t fed;
	bool final_fed, suspended;
	struct buf sst;                 /* shared strings, each NUL-terminated */
	size_t *sst_off;
	size_t sst_n, sst_cap;
	struct buf val;                 /* text of the cell being parsed */
	bool in_row, in_c, in_v, in_is;
	size_t col, lastcol;
	char ctype;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct table *t, const char *fmt, ...)
{
	/* The first error is the one worth reporting; later ones are
	 * usually its consequences. */
	if (t->failed)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->err, sizeof(t->err), fmt, ap);
	va_end(ap);
	t->failed = true;
	return -1;
}

static void clear_error(struct table *t)
{
	t->failed = false;
	t->err[0] = 0;
}

/* Column letters (1 -> A, 27 -> AA): what users look for in Excel. */
static void col_name(size_t col, char out[8])
{
	char tmp[7];
	size_t n = 0;
	while (col > 0 && n < sizeof(tmp)) {
		col--;
		tmp[n++] = (char)('A' + col % 26);
		col /= 26;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = 0;
}

static bool copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* ---- row building, shared by both formats ---- */

static void row_begin(struct table *t)
{
	t->row.len = 0;
	t->ncells = 0;
	for (size_t i = 0; i < TABLE_MAX_CELLS; i++)
		t->off[i] = NO_CELL;
}

static void cell_begin(struct table *t)
{
	t->cell_start = t->row.len;
}

static int cell_add(struct table *t, size_t col, const void *p, size_t n)
{
	if (n > TABLE_MAX_CELL - (t->row.len - t->cell_start)) {
		char c[8];
		col_name(col, c);
		return fail(t, "row %zu, column %s: cell longer than %d bytes",
			    t->rowno, c, TABLE_MAX_CELL);
	}
	if (buf_append(&t->row, p, n) < 0)
		return fail(t, "row %zu: row too long", t->rowno);
	return 0;
}

static int cell_end(struct table *t, size_t col)
{
	size_t n = t->row.len - t->cell_start;
	if (col > TABLE_MAX_CELLS) {
		if (n > 0)
			return fail(t, "row %zu: too many cells (%zu, at most %d)",
				    t->rowno, col, TABLE_MAX_CELLS);
		/* Empty cells past the limit are what Excel leaves behind
		 * when whole rows were formatted; they carry no data. */
		return 0;
	}
	if (buf_append(&t->row, "", 1) < 0)
		return fail(t, "row %zu: row too long", t->rowno);
	t->off[col - 1] = t->cell_start;
	if (col > t->ncells)
		t->ncells = col;
	return 0;
}

static int cell_set(struct table *t, size_t col, const char *p, size_t n)
{
	cell_begin(t);
	if (cell_add(t, col, p, n) < 0)
		return -1;
	return cell_end(t, col);
}

/* Turns offsets into pointers; says whether any cell holds something. */
static bool row_finish(struct table *t)
{
	bool any = false;
	for (size_t i = 0; i < t->ncells; i++) {
		if (t->off[i] == NO_CELL) {
			t->cells[i] = "";
		} else {
			t->cells[i] = t->row.data + t->off[i];
			if (t->cells[i][0])
				any = true;
		}
	}
	return any;
}

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
		return fail(t, "file is too large");
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1)
		return fail(t, "cannot convert from GB18030 on this system");
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
		return fail(t, "file is neither UTF-8 nor GB18030 text");
	}
	t->owned = out;
	t->text = out;
	t->len = (size_t)(op - out);
	return 0;
}

static int csv_open(struct table *t, const void *data, size_t len)
{
	/* A NUL never belongs in CSV text; it usually means UTF-16, which
	 * Excel writes for "Unicode text" and which would otherwise pass as
	 * UTF-8 when it holds only ASCII. */
	if (len && memchr(data, 0, len))
		return fail(t, "file contains nul bytes, so it is not csv text "
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
			col_name(col, c);
			return fail(t, "row %zu, column %s: quoted cell is not closed",
				    t->rowno, c);
		}
		size_t end = (size_t)(q - s);
		if (cell_add(t, col, s + t->pos, end - t->pos) < 0)
			return -1;
		t->pos = end + 1;
		if (t->pos < n && s[t->pos] == '"') {
			if (cell_add(t, col, "\"", 1) < 0)
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
		col_name(col, c);
		return fail(t, "row %zu, column %s: text after the closing quote "
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
		return fail(t, "more than %d rows", TABLE_MAX_ROWS);
	t->rowno++;
	row_begin(t);
	for (size_t col = 1;; col++) {
		cell_begin(t);
		if (t->pos < n && s[t->pos] == '"') {
			if (csv_quoted(t, col) < 0)
				return -1;
		} else {
			/* A quote inside an unquoted cell is kept as data,
			 * as Excel does (e.g. 5" for inches). */
			size_t start = t->pos;
			while (t->pos < n && s[t->pos] != ',' && !eol_len(t, t->pos))
				t->pos++;
			if (cell_add(t, col, s + start, t->pos - start) < 0)
				return -1;
		}
		if (cell_end(t, col) < 0)
			return -1;
		if (t->pos < n && s[t->pos] == ',') {
			t->pos++;
			continue;
		}
		t->pos += eol_len(t, t->pos);
		return 1;
	}
}

static int csv_next(struct table *t)
{
	for (;;) {
		int r = csv_record(t);
		if (r <= 0)
			return r;
		if (row_finish(t))
			return 1;
	}
}

/* ---- XLSX: reading zip members ---- */

/* Loads one zip member into b (bounded by TABLE_MAX_XML). Returns 0, 1
 * when there is no such member, or -1 with the message set. The size in
 * the zip directory is only a quick first check: a forged header can
 * understate what the data inflates to, so the read itself is bounded. */
static int read_part(struct table *t, zip_t *za, const char *name, struct buf *b)
{
	buf_init(b, TABLE_MAX_XML);
	zip_int64_t idx = zip_name_locate(za, name, ZIP_FL_NOCASE);
	if (idx < 0)
		return 1;
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) == 0 &&
	    (st.valid & ZIP_STAT_SIZE) && st.size > TABLE_MAX_XML)
		return fail(t, "xlsx part %s is too large (more than %u bytes)",
			    name, TABLE_MAX_XML);
	zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
	if (!zf)
		return fail(t, "xlsx part %s cannot be read (damaged or encrypted)", name);
	char chunk[16384];
	int rc = 0;
	for (;;) {
		zip_int64_t n = zip_fread(zf, chunk, sizeof(chunk));
		if (n < 0) {
			rc = fail(t, "xlsx part %s is damaged", name);
			break;
		}
		if (n == 0)
			break;
		if (buf_append(b, chunk, (size_t)n) < 0) {
			rc = fail(t, "xlsx part %s is too large (more than %u bytes)",
				  name, TABLE_MAX_XML);
			break;
		}
	}
	zip_fclose(zf);
	if (rc < 0) {
		buf_release(b);
		return -1;
	}
	buf_append(b, "", 0);   /* so that data is never NULL */
	return 0;
}

/* ---- XLSX: XML helpers ---- */

/* Expat in namespace mode names things "uri|local". Matching the local
 * name accepts both Transitional and Strict OOXML namespaces. */
static const char *local_name(const char *name)
{
	const char *bar = strrchr(name, '|');
	return bar ? bar + 1 : name;
}

static const char *attr(const char **atts, const char *want)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (strcmp(atts[i], want) == 0)
			return atts[i + 1];
	return NULL;
}

/* A DTD is never part of a genuine XLSX and is where entity tricks
 * live, so any DOCTYPE is refused. */
static void no_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
		       const XML_Char *pubid, int has_internal)
{
	struct xml_ctx *x = ud;
	fail(x->t, "xlsx part %s contains a dtd, which is not allowed", x->name);
	XML_StopParser(x->p, XML_FALSE);
}

static XML_Parser new_parser(struct table *t, struct xml_ctx *x, const char *name)
{
	XML_Parser p = XML_ParserCreateNS(NULL, '|');
	if (!p)
		abort();
	x->p = p;
	x->t = t;
	x->name = name;
	x->stop = false;
	XML_SetUserData(p, x);
	XML_SetStartDoctypeDeclHandler(p, no_doctype);
	return p;
}

/* Parses a whole small part; returns 0 or -1 with the message set. */
static int parse_part(struct table *t, struct xml_ctx *x, const char *name,
		      const struct buf *b, XML_StartElementHandler start,
		      XML_EndElementHandler end, XML_CharacterDataHandler text)
{
	XML_Parser p = new_parser(t, x, name);
	XML_SetElementHandler(p, start, end);
	XML_SetCharacterDataHandler(p, text);
	int rc = 0;
	size_t off = 0;
	for (;;) {
		size_t n = b->len - off < XML_CHUNK ? b->len - off : XML_CHUNK;
		bool fin = off + n == b->len;
		if (XML_Parse(p, b->data + off, (int)n, fin) == XML_STATUS_ERROR) {
			if (x->stop)
				break;
			if (!t->failed)
				fail(t, "xlsx part %s is not well-formed xml (%s at line %lu)",
				     name, XML_ErrorString(XML_GetErrorCode(p)),
				     (unsigned long)XML_GetCurrentLineNumber(p));
			rc = -1;
			break;
		}
		off += n;
		if (fin)
			break;
	}
	XML_ParserFree(p);
	return rc;
}

/* ---- XLSX: finding the first worksheet ---- */

static void wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xml_ctx *x = ud;
	if (x->stop || strcmp(local_name(name), "sheet") != 0)
		return;
	/* r:id arrives as "<relationships uri>|id". */
	for (size_t i = 0; atts[i]; i += 2)
		if (strchr(atts[i], '|') && strcmp(local_name(atts[i]), "id") == 0)
			copy_str(x->rid, sizeof(x->rid), atts[i + 1]);
	/* Sheets are listed in tab order; the first one is the one wanted. */
	x->stop = true;
	XML_StopParser(x->p, XML_FALSE);
}

static void rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xml_ctx *x = ud;
	if (strcmp(local_name(name), "Relationship") != 0)
		return;
	const char *id = attr(atts, "Id"), *target = attr(atts, "Target");
	const char *type = attr(atts, "Type");
	if (!id || !target)
		return;
	if (x->rid[0] && strcmp(id, x->rid) == 0)
		copy_str(x->target, sizeof(x->target), target);
	size_t tl = type ? strlen(type) : 0;
	if (tl >= 14 && strcmp(type + tl - 14, "/sharedStrings") == 0)
		copy_str(x->sst_target, sizeof(x->sst_target), target);
}

/* Targets in xl/_rels/workbook.xml.rels are relative to xl/ unless they
 * start with '/', and may step out with "../". */
static bool resolve_target(const char *target, char *out, size_t cap)
{
	size_t n = 0;
	if (*target == '/') {
		target++;
	} else {
		memcpy(out, "xl", 2);
		n = 2;
	}
	while (*target) {
		const char *end = strchr(target, '/');
		if (!end)
			end = target + strlen(target);
		size_t k = (size_t)(end - target);
		if (k == 2 && memcmp(target, "..", 2) == 0) {
			if (n == 0)
				return false;
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else if (k > 0 && !(k == 1 && *target == '.')) {
			if (n + 1 + k + 1 > cap)
				return false;
			if (n > 0)
				out[n++] = '/';
			memcpy(out + n, target, k);
			n += k;
		}
		target = *end ? end + 1 : end;
	}
	out[n] = 0;
	return n > 0;
}

/* Fills sheet and sst with part names. Any break in the chain workbook ->
 * rels -> part falls back to the names Excel always uses; only a broken
 * limit is an error. */
static int find_parts(struct table *t, zip_t *za, char *sheet, char *sst)
{
	struct xml_ctx x;
	memset(&x, 0, sizeof(x));
	memcpy(sheet, "xl/worksheets/sheet1.xml", sizeof("xl/worksheets/sheet1.xml"));
	memcpy(sst, "xl/sharedStrings.xml", sizeof("xl/sharedStrings.xml"));
	struct buf b;
	int rc = read_part(t, za, "xl/workbook.xml", &b);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		rc = parse_part(t, &x, "xl/workbook.xml", &b, wb_start, NULL, NULL);
		buf_release(&b);
		if (rc < 0)
			clear_error(t);
	}
	rc = read_part(t, za, "xl/_rels/workbook.xml.rels", &b);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return 0;
	rc = parse_part(t, &x, "xl/_rels/workbook.xml.rels", &b, rels_start, NULL, NULL);
	buf_release(&b);
	if (rc < 0) {
		clear_error(t);
		return 0;
	}
	char path[PATH_MAX_LEN];
	if (x.target[0] && resolve_target(x.target, path, sizeof(path)) &&
	    zip_name_locate(za, path, ZIP_FL_NOCASE) >= 0)
		memcpy(sheet, path, strlen(path) + 1);
	if (x.sst_target[0] && resolve_target(x.sst_target, path, sizeof(path)) &&
	    zip_name_locate(za, path, ZIP_FL_NOCASE) >= 0)
		memcpy(sst, path, strlen(path) + 1);
	return 0;
}

/* ---- XLSX: shared strings ---- */

static void sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xml_ctx *x = ud;
	const char *el = local_name(name);
	if (strcmp(el, "si") == 0) {
		struct table *t = x->t;
		x->in_si = true;
		if (t->sst_n == t->sst_cap) {
			t->sst_cap = t->sst_cap ? t->sst_cap * 2 : 256;
			size_t *grown = realloc(t->sst_off, t->sst_cap * sizeof(*grown));
			if (!grown)
				abort();
			t->sst_off = grown;
		}
		t->sst_off[t->sst_n] = t->sst.len;
	} else if (strcmp(el, "rPh") == 0) {
		x->rph++;
	} else if (strcmp(el, "t") == 0 && x->in_si) {
		x->in_t = true;
	}
}

static void sst_end(void *ud, const XML_Char *name)
{
	struct xml_ctx *x = ud;
	struct table *t = x->t;
	const char *el = local_name(name);
	if (strcmp(el, "si") == 0 && x->in_si) {
		x->in_si = false;
		if (buf_append(&t->sst, "", 1) < 0) {
			fail(t, "xlsx shared strings are too large");
			XML_StopParser(x->p, XML_FALSE);
			return;
		}
		t->sst_n++;
	} else if (strcmp(el, "rPh") == 0 && x->rph) {
		x->rph--;
	} else if (strcmp(el, "t") == 0) {
		x->in_t = false;
	}
}

static void sst_text(void *ud, const XML_Char *s, int len)
{
	struct xml_ctx *x = ud;
	/* Phonetic guides (furigana) are not part of the cell's text. */
	if (!x->in_si || !x->in_t || x->rph)
		return;
	if (buf_append(&x->t->sst, s, (size_t)len) < 0) {
		fail(x->t, "xlsx shared strings are too large");
		XML_StopParser(x->p, XML_FALSE);
	}
}

static int load_sst(struct table *t, zip_t *za, const char *name)
{
	struct buf b;
	int rc = read_part(t, za, name, &b);
	if (rc != 0)
		return rc < 0 ? -1 : 0;   /* no shared strings is fine */
	struct xml_ctx x;
	memset(&x, 0, sizeof(x));
	rc = parse_part(t, &x, name, &b, sst_start, sst_end, sst_text);
	buf_release(&b);
	return rc;
}

/* ---- XLSX: the worksheet, streamed row by row ---- */

/* Parses a decimal number; false when empty, not digits, or huge. */
static bool parse_num(const char *s, size_t *out)
{
	size_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return false;
		v = v * 10 + (size_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* "B3" -> 2. Excel's last column is XFD, so three letters at most. */
static bool parse_ref(const char *s, size_t *col)
{
	size_t c = 0, k = 0;
	for (; (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'); s++) {
		if (++k > 3)
			return false;
		c = c * 26 + (size_t)((*s | 0x20) - 'a' + 1);
	}
	size_t row;
	if (k == 0 || !parse_num(s, &row))
		return false;
	*col = c;
	return true;
}

static void row_open(struct table *t, const char **atts)
{
	if (t->in_row) {
		fail(t, "row %zu: a row inside a row", t->rowno);
		return;
	}
	const char *r = attr(atts, "r");
	size_t no = t->rowno + 1;
	if (r && !parse_num(r, &no)) {
		fail(t, "row after %zu: bad row number \"%.20s\"", t->rowno, r);
		return;
	}
	if (no == 0) {
		fail(t, "row after %zu: bad row number 0", t->rowno);
		return;
	}
	/* Like two values for one cell: a row number seen twice would make
	 * an import report's "row N" name two rows. */
	if (no <= t->rowno) {
		fail(t, "row %zu repeated or out of order (after row %zu)", no, t->rowno);
		return;
	}
	if (no > TABLE_MAX_ROWS || ++t->nrows > TABLE_MAX_ROWS) {
		fail(t, "row %zu: more than %d rows", no, TABLE_MAX_ROWS);
		return;
	}
	t->rowno = no;
	t->in_row = true;
	t->lastcol = 0;
	row_begin(t);
}

static void cell_open(struct table *t, const char **atts)
{
	if (!t->in_row || t->in_c) {
		fail(t, "row %zu: misplaced cell", t->rowno);
		return;
	}
	const char *r = attr(atts, "r"), *type = attr(atts, "t");
	size_t col = t->lastcol + 1;
	if (r && !parse_ref(r, &col)) {
		fail(t, "row %zu: bad cell reference \"%.20s\"", t->rowno, r);
		return;
	}
	/* Two values for one cell would make the row ambiguous. */
	if (col <= t->lastcol) {
		fail(t, "row %zu: cell %.20s repeated or out of order", t->rowno, r);
		return;
	}
	t->col = t->lastcol = col;
	t->ctype = 'n';
	if (type) {
		if (strcmp(type, "s") == 0)
			t->ctype = 's';
		else if (strcmp(type, "inlineStr") == 0)
			t->ctype = 'i';
		else if (strcmp(type, "b") == 0)
			t->ctype = 'b';
	}
	t->in_c = true;
	t->in_v = t->in_is = false;
	t->val.len = 0;
}

static void sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xml_ctx *x = ud;
	struct table *t = x->t;
	if (t->failed)
		return;
	const char *el = local_name(name);
	if (strcmp(el, "row") == 0) {
		row_open(t, atts);
	} else if (strcmp(el, "c") == 0) {
		cell_open(t, atts);
	} else if (t->in_c) {
		/* Formulas (<f>) are skipped: the cached result is in <v>. */
		if (strcmp(el, "v") == 0 && t->ctype != 'i')
			t->in_v = true;
		else if (strcmp(el, "is") == 0 && t->ctype == 'i')
			t->in_is = true;
		else if (strcmp(el, "t") == 0 && t->in_is)
			x->in_t = true;
		else if (strcmp(el, "rPh") == 0)
			x->rph++;
	}
	if (t->failed)
		XML_StopParser(x->p, XML_FALSE);
}

static void cell_close(struct table *t)
{
	const char *v = t->val.data && t->val.len ? t->val.data : "";
	size_t n = t->val.len;
	char c[8];
	t->in_c = t->in_v = t->in_is = false;
	if (t->ctype == 's') {
		size_t i;
		if (!parse_num(v, &i) || i >= t->sst_n) {
			col_name(t->col, c);
			fail(t, "row %zu, column %s: bad shared string index", t->rowno, c);
			return;
		}
		v = t->sst.data + t->sst_off[i];
		n = strlen(v);
	} else if (t->ctype == 'b' && n == 1 && (v[0] == '0' || v[0] == '1')) {
		/* What Excel shows and what its CSV export writes. */
		v = v[0] == '1' ? "TRUE" : "FALSE";
		n = strlen(v);
	}
	cell_set(t, t->col, v, n);
}

static void sheet_end(void *ud, const XML_Char *name)
{
	struct xml_ctx *x = ud;
	struct table *t = x->t;
	if (t->failed)
		return;
	const char *el = local_name(name);
	if (strcmp(el, "row") == 0 && t->in_row) {
		t->in_row = false;
		/* Suspending hands this row to table_next; the parse resumes
		 * from here on the next call. */
		if (row_finish(t))
			XML_StopParser(x->p, XML_TRUE);
	} else if (strcmp(el, "c") == 0 && t->in_c) {
		cell_close(t);
	} else if (strcmp(el, "v") == 0) {
		t->in_v = false;
	} else if (strcmp(el, "is") == 0) {
		t->in_is = false;
	} else if (strcmp(el, "t") == 0) {
		x->in_t = false;
	} else if (strcmp(el, "rPh") == 0 && x->rph) {
		x->rph--;
	}
	if (t->failed)
		XML_StopParser(x->p, XML_FALSE);
}

static void sheet_text(void *ud, const XML_Char *s, int len)
{
	struct xml_ctx *x = ud;
	struct table *t = x->t;
	if (t->failed || !t->in_c)
		return;
	if (!t->in_v && !(t->in_is && x->in_t && !x->rph))
		return;
	if (buf_append(&t->val, s, (size_t)len) < 0) {
		char c[8];
		col_name(t->col, c);
		fail(t, "row %zu, column %s: cell longer than %d bytes",
		     t->rowno, c, TABLE_MAX_CELL);
		XML_StopParser(x->p, XML_FALSE);
	}
}

static int xlsx_open(struct table *t, const void *data, size_t len)
{
	t->fmt = TABLE_XLSX;
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	zip_error_fini(&ze);
	if (!za) {
		zip_source_free(src);
		return fail(t, "file starts like xlsx but is not a readable zip archive");
	}
	char sheet[PATH_MAX_LEN], sst[PATH_MAX_LEN];
	int rc = find_parts(t, za, sheet, sst);
	if (rc == 0)
		rc = load_sst(t, za, sst);
	if (rc == 0) {
		rc = read_part(t, za, sheet, &t->xml);
		if (rc == 1)
			rc = fail(t, "xlsx file has no worksheet");
	}
	zip_discard(za);   /* also frees src; the archive was read-only */
	if (rc < 0)
		return -1;
	t->parser = new_parser(t, &t->sx, sheet);
	XML_SetElementHandler(t->parser, sheet_start, sheet_end);
	XML_SetCharacterDataHandler(t->parser, sheet_text);
	return 0;
}

static int sheet_error(struct table *t)
{
	if (t->failed)
		return -1;
	const char *what = XML_ErrorString(XML_GetErrorCode(t->parser));
	unsigned long line = (unsigned long)XML_GetCurrentLineNumber(t->parser);
	if (t->rowno)
		return fail(t, "row %zu: broken worksheet xml (%s at line %lu)",
			    t->rowno, what, line);
	return fail(t, "broken worksheet xml (%s at line %lu)", what, line);
}

static int xlsx_next(struct table *t)
{
	for (;;) {
		enum XML_Status st;
		if (t->suspended) {
			t->suspended = false;
			st = XML_ResumeParser(t->parser);
		} else if (!t->final_fed) {
			size_t n = t->xml.len - t->fed;
			if (n > XML_CHUNK)
				n = XML_CHUNK;
			bool fin = t->fed + n == t->xml.len;
			st = XML_Parse(t->parser, t->xml.data + t->fed, (int)n, fin);
			t->fed += n;
			t->final_fed = fin;
		} else {
			return 0;
		}
		if (st == XML_STATUS_ERROR)
			return sheet_error(t);
		if (st == XML_STATUS_SUSPENDED) {
			t->suspended = true;
			return 1;
		}
	}
}

/* ---- interface ---- */

int table_open(const void *data, size_t len, struct table **out, char *err, size_t errlen)
{
	struct table *t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	buf_init(&t->row, ROW_MAX);
	buf_init(&t->xml, TABLE_MAX_XML);
	buf_init(&t->sst, TABLE_MAX_XML);
	buf_init(&t->val, TABLE_MAX_CELL);
	int rc;
	if (len >= 4 && memcmp(data, "PK\003\004", 4) == 0)
		rc = xlsx_open(t, data, len);
	else
		rc = csv_open(t, data, len);
	*out = NULL;
	if (rc < 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s", t->err);
		table_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

enum table_format table_format(const struct table *t)
{
	return t->fmt;
}

int table_next(struct table *t, const char *const **cells, size_t *ncells, size_t *rowno)
{
	if (t->failed)
		return -1;
	int r = t->fmt == TABLE_XLSX ? xlsx_next(t) : csv_next(t);
	if (r == 1) {
		*cells = t->cells;
		*ncells = t->ncells;
		*rowno = t->rowno;
	}
	return r;
}

const char *table_error(const struct table *t)
{
	return t->err;
}

void table_free(struct table *t)
{
	if (!t)
		return;
	if (t->parser)
		XML_ParserFree(t->parser);
	buf_release(&t->row);
	buf_release(&t->xml);
	buf_release(&t->sst);
	buf_release(&t->val);
	free(t->sst_off);
	free(t->owned);
	free(t);
}
