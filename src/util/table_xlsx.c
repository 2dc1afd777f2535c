/* XLSX for the table reader: the first worksheet of the workbook, its
 * shared strings, streamed row by row through expat (no DTDs), parts
 * bounded by TABLE_MAX_XML. */
#include "util/table_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

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
		return table_fail(t, "xlsx part %s is too large (more than %u bytes)",
			    name, TABLE_MAX_XML);
	zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
	if (!zf)
		return table_fail(t, "xlsx part %s cannot be read (damaged or encrypted)", name);
	char chunk[16384];
	int rc = 0;
	for (;;) {
		zip_int64_t n = zip_fread(zf, chunk, sizeof(chunk));
		if (n < 0) {
			rc = table_fail(t, "xlsx part %s is damaged", name);
			break;
		}
		if (n == 0)
			break;
		if (buf_append(b, chunk, (size_t)n) < 0) {
			rc = table_fail(t, "xlsx part %s is too large (more than %u bytes)",
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
	table_fail(x->t, "xlsx part %s contains a dtd, which is not allowed", x->name);
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
				table_fail(t, "xlsx part %s is not well-formed xml (%s at line %lu)",
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
			table_copy_str(x->rid, sizeof(x->rid), atts[i + 1]);
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
		table_copy_str(x->target, sizeof(x->target), target);
	size_t tl = type ? strlen(type) : 0;
	if (tl >= 14 && strcmp(type + tl - 14, "/sharedStrings") == 0)
		table_copy_str(x->sst_target, sizeof(x->sst_target), target);
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
			table_clear_error(t);
	}
	rc = read_part(t, za, "xl/_rels/workbook.xml.rels", &b);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return 0;
	rc = parse_part(t, &x, "xl/_rels/workbook.xml.rels", &b, rels_start, NULL, NULL);
	buf_release(&b);
	if (rc < 0) {
		table_clear_error(t);
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
			table_fail(t, "xlsx shared strings are too large");
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
		table_fail(x->t, "xlsx shared strings are too large");
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
		table_fail(t, "row %zu: a row inside a row", t->rowno);
		return;
	}
	const char *r = attr(atts, "r");
	size_t no = t->rowno + 1;
	if (r && !parse_num(r, &no)) {
		table_fail(t, "row after %zu: bad row number \"%.20s\"", t->rowno, r);
		return;
	}
	if (no == 0) {
		table_fail(t, "row after %zu: bad row number 0", t->rowno);
		return;
	}
	/* Like two values for one cell: a row number seen twice would make
	 * an import report's "row N" name two rows. */
	if (no <= t->rowno) {
		table_fail(t, "row %zu repeated or out of order (after row %zu)", no, t->rowno);
		return;
	}
	if (no > TABLE_MAX_ROWS || ++t->nrows > TABLE_MAX_ROWS) {
		table_fail(t, "row %zu: more than %d rows", no, TABLE_MAX_ROWS);
		return;
	}
	t->rowno = no;
	t->in_row = true;
	t->lastcol = 0;
	table_row_begin(t);
}

static void cell_open(struct table *t, const char **atts)
{
	if (!t->in_row || t->in_c) {
		table_fail(t, "row %zu: misplaced cell", t->rowno);
		return;
	}
	const char *r = attr(atts, "r"), *type = attr(atts, "t");
	size_t col = t->lastcol + 1;
	if (r && !parse_ref(r, &col)) {
		table_fail(t, "row %zu: bad cell reference \"%.20s\"", t->rowno, r);
		return;
	}
	/* Two values for one cell would make the row ambiguous. */
	if (col <= t->lastcol) {
		table_fail(t, "row %zu: cell %.20s repeated or out of order", t->rowno, r);
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
			table_col_name(t->col, c);
			table_fail(t, "row %zu, column %s: bad shared string index", t->rowno, c);
			return;
		}
		v = t->sst.data + t->sst_off[i];
		n = strlen(v);
	} else if (t->ctype == 'b' && n == 1 && (v[0] == '0' || v[0] == '1')) {
		/* What Excel shows and what its CSV export writes. */
		v = v[0] == '1' ? "TRUE" : "FALSE";
		n = strlen(v);
	}
	table_cell_set(t, t->col, v, n);
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
		if (table_row_finish(t))
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
		table_col_name(t->col, c);
		table_fail(t, "row %zu, column %s: cell longer than %d bytes",
		     t->rowno, c, TABLE_MAX_CELL);
		XML_StopParser(x->p, XML_FALSE);
	}
}

int table_xlsx_open(struct table *t, const void *data, size_t len)
{
	t->fmt = TABLE_XLSX;
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	zip_error_fini(&ze);
	if (!za) {
		zip_source_free(src);
		return table_fail(t, "file starts like xlsx but is not a readable zip archive");
	}
	char sheet[PATH_MAX_LEN], sst[PATH_MAX_LEN];
	int rc = find_parts(t, za, sheet, sst);
	if (rc == 0)
		rc = load_sst(t, za, sst);
	if (rc == 0) {
		rc = read_part(t, za, sheet, &t->xml);
		if (rc == 1)
			rc = table_fail(t, "xlsx file has no worksheet");
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
		return table_fail(t, "row %zu: broken worksheet xml (%s at line %lu)",
			    t->rowno, what, line);
	return table_fail(t, "broken worksheet xml (%s at line %lu)", what, line);
}

int table_xlsx_next(struct table *t)
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
