/* Unit tests for util/table: CSV in UTF-8 and GB18030, and XLSX files
 * built here in memory with libzip, including hostile ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>
#include "util/buf.h"
#include "util/table.h"

/* ---- helpers ---- */

static struct table *open_ok(const void *data, size_t len)
{
	struct table *t = NULL;
	char err[256] = "";
	int rc = table_open(data, len, &t, err, sizeof(err));
	if (rc != 0)
		print_error("table_open: %s\n", err);
	assert_int_equal(rc, 0);
	assert_non_null(t);
	return t;
}

static struct table *open_str(const char *s)
{
	return open_ok(s, strlen(s));
}

static void expect_row(struct table *t, size_t rowno, const char *const *want, size_t n)
{
	const char *const *cells = NULL;
	size_t nc = 0, r = 0;
	int rc = table_next(t, &cells, &nc, &r);
	if (rc < 0)
		print_error("table_next: %s\n", table_error(t));
	assert_int_equal(rc, 1);
	assert_int_equal(r, rowno);
	assert_int_equal(nc, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(cells[i], want[i]);
}

#define ROW(t, no, ...) do { \
	const char *const want_[] = { __VA_ARGS__ }; \
	expect_row((t), (no), want_, sizeof(want_) / sizeof(want_[0])); \
} while (0)

static void expect_end(struct table *t)
{
	const char *const *cells;
	size_t nc, r;
	assert_int_equal(table_next(t, &cells, &nc, &r), 0);
	assert_int_equal(table_next(t, &cells, &nc, &r), 0);
}

static void expect_error(struct table *t, const char *msg)
{
	const char *const *cells;
	size_t nc, r;
	assert_int_equal(table_next(t, &cells, &nc, &r), -1);
	if (!strstr(table_error(t), msg))
		print_error("error was: %s\n", table_error(t));
	assert_non_null(strstr(table_error(t), msg));
	/* Errors are sticky: a broken file stays broken. */
	assert_int_equal(table_next(t, &cells, &nc, &r), -1);
}

static void expect_open_error(const void *data, size_t len, const char *msg)
{
	struct table *t = (struct table *)1;
	char err[256] = "";
	assert_int_equal(table_open(data, len, &t, err, sizeof(err)), -1);
	assert_null(t);
	if (!strstr(err, msg))
		print_error("error was: %s\n", err);
	assert_non_null(strstr(err, msg));
}

static char *utf8_to_gb18030(const char *s, size_t *outlen)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	size_t il = strlen(s), ol = il * 2 + 16;
	char *out = malloc(ol), *op = out, *ip = (char *)s;
	assert_non_null(out);
	assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	*outlen = (size_t)(op - out);
	return out;
}

/* ---- CSV ---- */

static void csv_utf8_bom_and_chinese_headers(void **state)
{
	struct table *t = open_str("\xef\xbb\xbf" "姓名,性别,身份证号,手机号\r\n"
				   "张三,男,110101199003074514,13800001234\r\n"
				   " 李四 ,女,,13900001111\r\n");
	assert_int_equal(table_format(t), TABLE_CSV_UTF8);
	ROW(t, 1, "姓名", "性别", "身份证号", "手机号");
	ROW(t, 2, "张三", "男", "110101199003074514", "13800001234");
	/* Nothing is trimmed: that is the caller's business. */
	ROW(t, 3, " 李四 ", "女", "", "13900001111");
	expect_end(t);
	table_free(t);
}

static void csv_quoted_fields(void **state)
{
	struct table *t = open_str("name,note\n"
				   "\"Li, Lei\",\"He said \"\"hi\"\"\nsecond line\"\n"
				   "\"\",plain\r\n"
				   "\"a\r\nb\",5\"\n"
				   "last,\"no newline\"");
	ROW(t, 1, "name", "note");
	ROW(t, 2, "Li, Lei", "He said \"hi\"\nsecond line");
	ROW(t, 3, "", "plain");
	/* CRLF inside quotes is kept; a quote inside an unquoted cell is data. */
	ROW(t, 4, "a\r\nb", "5\"");
	ROW(t, 5, "last", "no newline");
	expect_end(t);
	table_free(t);
}

static void csv_blank_rows_skipped_with_row_numbers(void **state)
{
	struct table *t = open_str("a,b\n\n,\r\nx,y\n\r\n\"\",\"\"\nz,\n\n");
	ROW(t, 1, "a", "b");
	ROW(t, 4, "x", "y");
	ROW(t, 7, "z", "");
	expect_end(t);
	table_free(t);

	t = open_str("");
	expect_end(t);
	table_free(t);
}

static void csv_gb18030_decoded(void **state)
{
	const char *utf8 = "姓名,性别,身份证号,手机号\r\n"
			   "王五,男,11010119900307451X,13700002222\r\n"
			   "\"𠮷野家, 欧元€\",女,,\r\n";
	size_t n;
	char *gb = utf8_to_gb18030(utf8, &n);
	struct table *t = open_ok(gb, n);
	assert_int_equal(table_format(t), TABLE_CSV_GB18030);
	ROW(t, 1, "姓名", "性别", "身份证号", "手机号");
	ROW(t, 2, "王五", "男", "11010119900307451X", "13700002222");
	ROW(t, 3, "𠮷野家, 欧元€", "女", "", "");
	expect_end(t);
	table_free(t);
	free(gb);
}

static void csv_refuses_bytes_that_are_no_text(void **state)
{
	static const char bad[] = "a,b\n\xff\xfe\x80,c\n";
	expect_open_error(bad, sizeof(bad) - 1, "file is neither UTF-8 nor GB18030 text");
	/* A GB18030 lead byte cut off at the end of the file. */
	static const char cut[] = "a,b\n\xd5";
	expect_open_error(cut, sizeof(cut) - 1, "file is neither UTF-8 nor GB18030 text");
	static const char nul[] = "a,b\nc\0,d\n";
	expect_open_error(nul, sizeof(nul) - 1, "nul bytes");
}

static void csv_too_many_cells(void **state)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	buf_puts(&b, "h\n");
	for (int i = 0; i < 64; i++)
		buf_puts(&b, "x,");
	buf_puts(&b, ",,,\n");   /* 64 cells and trailing empty ones: fine */
	for (int i = 0; i < 65; i++)
		buf_puts(&b, i ? ",x" : "x");
	buf_puts(&b, "\n");
	struct table *t = open_ok(b.data, b.len);
	ROW(t, 1, "h");
	const char *const *cells;
	size_t nc, r;
	assert_int_equal(table_next(t, &cells, &nc, &r), 1);
	assert_int_equal(nc, 64);
	assert_string_equal(cells[63], "x");
	expect_error(t, "row 3: too many cells (65, at most 64)");
	table_free(t);
	buf_release(&b);
}

static void csv_overlong_cell(void **state)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	buf_puts(&b, "a,b\nok,\"");
	for (int i = 0; i < TABLE_MAX_CELL; i++)
		buf_puts(&b, "y");
	buf_puts(&b, "\"\nok,");
	for (int i = 0; i <= TABLE_MAX_CELL; i++)
		buf_puts(&b, "z");
	buf_puts(&b, "\n");
	struct table *t = open_ok(b.data, b.len);
	ROW(t, 1, "a", "b");
	const char *const *cells;
	size_t nc, r;
	assert_int_equal(table_next(t, &cells, &nc, &r), 1);
	assert_int_equal(strlen(cells[1]), TABLE_MAX_CELL);
	expect_error(t, "row 3, column B: cell longer than 4096 bytes");
	table_free(t);
	buf_release(&b);
}

static void csv_malformed_quotes(void **state)
{
	struct table *t = open_str("a,b\n1,\"open\n\n");
	ROW(t, 1, "a", "b");
	expect_error(t, "row 2, column B: quoted cell is not closed");
	table_free(t);

	t = open_str("a,b\n\"x\"y,2\n");
	ROW(t, 1, "a", "b");
	expect_error(t, "row 2, column A: text after the closing quote");
	table_free(t);
}

/* ---- XLSX builders ---- */

struct part {
	const char *name;
	const char *data;
};

/* Zip bytes of `n` parts; `gen` (optional) adds one generated member. */
static unsigned char *make_zip_with(const struct part *parts, size_t n,
				    const char *gen_name, zip_source_t *(*gen)(zip_t *),
				    size_t *len)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_source_keep(src);
	zip_t *za = zip_open_from_source(src, ZIP_CREATE | ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	for (size_t i = 0; i < n; i++) {
		zip_source_t *s = zip_source_buffer(za, parts[i].data, strlen(parts[i].data), 0);
		assert_non_null(s);
		assert_true(zip_file_add(za, parts[i].name, s, ZIP_FL_ENC_UTF_8) >= 0);
	}
	if (gen) {
		zip_source_t *s = gen(za);
		assert_non_null(s);
		zip_int64_t idx = zip_file_add(za, gen_name, s, 0);
		assert_true(idx >= 0);
		/* Fastest deflate: the test is about the reader, not the ratio. */
		zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 1);
	}
	assert_int_equal(zip_close(za), 0);

	zip_stat_t st;
	assert_int_equal(zip_source_stat(src, &st), 0);
	assert_int_equal(zip_source_open(src), 0);
	unsigned char *out = malloc(st.size);
	assert_non_null(out);
	zip_uint64_t got = 0;
	while (got < st.size) {
		zip_int64_t k = zip_source_read(src, out + got, st.size - got);
		assert_true(k > 0);
		got += (zip_uint64_t)k;
	}
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	*len = (size_t)st.size;
	return out;
}

static unsigned char *make_zip(const struct part *parts, size_t n, size_t *len)
{
	return make_zip_with(parts, n, NULL, NULL, len);
}

#define NS_MAIN "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define NS_R "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define REL_TYPE "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

static const char content_types[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	"<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
	"</Types>";

static const char workbook_one[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<workbook " NS_MAIN " " NS_R "><sheets>"
	"<sheet name=\"志愿者\" sheetId=\"1\" r:id=\"rId1\"/>"
	"</sheets></workbook>";

static const char rels_one[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	"<Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"" REL_TYPE "sharedStrings\" Target=\"sharedStrings.xml\"/>"
	"</Relationships>";

static const char shared_strings[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<sst " NS_MAIN " count=\"6\" uniqueCount=\"6\">"
	"<si><t>姓名</t></si>"
	"<si><t>性别</t></si>"
	/* Rich text runs, with a phonetic guide that must not show up. */
	"<si><r><rPr><b/></rPr><t>身份</t></r><r><t>证号</t></r>"
	"<rPh sb=\"0\" eb=\"2\"><t>shenfen</t></rPh></si>"
	"<si><t>手机号</t></si>"
	"<si><t>110101199003074514</t></si>"
	"<si><t xml:space=\"preserve\"> a &amp; b </t></si>"
	"</sst>";

static const char sheet_main[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	"<worksheet " NS_MAIN "><dimension ref=\"A1:F7\"/><sheetData>"
	"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
	"<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>3</v></c></row>"
	/* B2 is missing: a gap column. The phone number is numeric. */
	"<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>张三</t></is></c>"
	"<c r=\"C2\" t=\"s\"><v>4</v></c><c r=\"D2\" s=\"3\"><v>13800001234</v></c></row>"
	/* Rows 3 and 4 are not in the XML at all. */
	"<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><r><t>李</t></r><r><t>四</t></r></is></c>"
	"<c r=\"B5\" t=\"str\"><f>\"女\"</f><v>女</v></c><c t=\"b\"><v>1</v></c>"
	"<c r=\"F5\" s=\"1\"/></row>"
	"<row r=\"6\"><c r=\"A6\" s=\"2\"/><c r=\"B6\" t=\"inlineStr\"><is><t></t></is></c></row>"
	"<row r=\"7\"><c r=\"B7\" t=\"s\"><v>5</v></c></row>"
	"</sheetData></worksheet>";

static void xlsx_shared_inline_numbers_gaps(void **state)
{
	const struct part parts[] = {
		{ "[Content_Types].xml", content_types },
		{ "xl/workbook.xml", workbook_one },
		{ "xl/_rels/workbook.xml.rels", rels_one },
		{ "xl/sharedStrings.xml", shared_strings },
		{ "xl/worksheets/sheet1.xml", sheet_main },
	};
	size_t len;
	unsigned char *z = make_zip(parts, 5, &len);
	struct table *t = open_ok(z, len);
	assert_int_equal(table_format(t), TABLE_XLSX);
	ROW(t, 1, "姓名", "性别", "身份证号", "手机号");
	ROW(t, 2, "张三", "", "110101199003074514", "13800001234");
	ROW(t, 5, "李四", "女", "TRUE", "", "", "");
	ROW(t, 7, "", " a & b ");
	expect_end(t);
	table_free(t);
	free(z);
}

static void xlsx_first_sheet_found_through_rels(void **state)
{
	static const char workbook[] =
		"<workbook " NS_MAIN " " NS_R "><sheets>"
		"<sheet name=\"名单\" sheetId=\"3\" r:id=\"rId7\"/>"
		"<sheet name=\"other\" sheetId=\"1\" r:id=\"rId1\"/>"
		"</sheets></workbook>";
	static const char rels_abs[] =
		"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
		"<Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
		"<Relationship Id=\"rId7\" Type=\"" REL_TYPE "worksheet\" Target=\"/xl/worksheets/volunteers.xml\"/>"
		"</Relationships>";
	static const char rels_rel[] =
		"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
		"<Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
		"<Relationship Id=\"rId7\" Type=\"" REL_TYPE "worksheet\" Target=\"./worksheets/../worksheets/volunteers.xml\"/>"
		"</Relationships>";
	static const char decoy[] =
		"<worksheet " NS_MAIN "><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>wrong</t></is></c></row>"
		"</sheetData></worksheet>";
	static const char wanted[] =
		"<worksheet " NS_MAIN "><sheetData><row r=\"3\"><c r=\"C3\" t=\"inlineStr\"><is><t>right</t></is></c></row>"
		"</sheetData></worksheet>";
	const char *rels[] = { rels_abs, rels_rel };
	for (int i = 0; i < 2; i++) {
		const struct part parts[] = {
			{ "[Content_Types].xml", content_types },
			{ "xl/workbook.xml", workbook },
			{ "xl/_rels/workbook.xml.rels", rels[i] },
			{ "xl/worksheets/sheet1.xml", decoy },
			{ "xl/worksheets/volunteers.xml", wanted },
		};
		size_t len;
		unsigned char *z = make_zip(parts, 5, &len);
		struct table *t = open_ok(z, len);
		ROW(t, 3, "", "", "right");
		expect_end(t);
		table_free(t);
		free(z);
	}

	/* Without workbook.xml, sheet1.xml is the fallback. */
	const struct part bare[] = { { "xl/worksheets/sheet1.xml", decoy } };
	size_t len;
	unsigned char *z = make_zip(bare, 1, &len);
	struct table *t = open_ok(z, len);
	ROW(t, 1, "wrong");
	expect_end(t);
	table_free(t);
	free(z);

	/* No worksheet at all. */
	const struct part none[] = { { "[Content_Types].xml", content_types } };
	z = make_zip(none, 1, &len);
	expect_open_error(z, len, "xlsx file has no worksheet");
	free(z);
}

/* A zip whose only worksheet is `sheet`. */
static struct table *open_sheet(const char *sheet, unsigned char **z)
{
	const struct part parts[] = {
		{ "xl/workbook.xml", workbook_one },
		{ "xl/_rels/workbook.xml.rels", rels_one },
		{ "xl/sharedStrings.xml", shared_strings },
		{ "xl/worksheets/sheet1.xml", sheet },
	};
	size_t len;
	*z = make_zip(parts, 4, &len);
	return open_ok(*z, len);
}

static void xlsx_overlong_cell(void **state)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	buf_puts(&b, "<worksheet " NS_MAIN "><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>");
	for (int i = 0; i < TABLE_MAX_CELL; i++)
		buf_puts(&b, "y");
	buf_puts(&b, "</t></is></c></row><row r=\"2\"><c r=\"A2\"/><c r=\"B2\" t=\"inlineStr\"><is><r><t>");
	for (int i = 0; i < TABLE_MAX_CELL; i++)
		buf_puts(&b, "z");
	buf_puts(&b, "</t></r><r><t>!</t></r></is></c></row></sheetData></worksheet>");
	unsigned char *z;
	struct table *t = open_sheet(b.data, &z);
	const char *const *cells;
	size_t nc, r;
	assert_int_equal(table_next(t, &cells, &nc, &r), 1);
	assert_int_equal(strlen(cells[0]), TABLE_MAX_CELL);
	expect_error(t, "row 2, column B: cell longer than 4096 bytes");
	table_free(t);
	free(z);
	buf_release(&b);
}

static void xlsx_too_many_cells(void **state)
{
	struct buf b;
	buf_init(&b, 1 << 20);
	buf_puts(&b, "<worksheet " NS_MAIN "><sheetData><row r=\"1\">");
	for (int i = 0; i < 64; i++)
		buf_puts(&b, "<c><v>1</v></c>");
	/* Formatted but empty cells past the limit carry nothing. */
	buf_puts(&b, "<c r=\"BM1\" s=\"1\"/><c r=\"XFD1\" s=\"1\"/></row><row r=\"2\">");
	for (int i = 0; i < 65; i++)
		buf_puts(&b, "<c><v>2</v></c>");
	buf_puts(&b, "</row></sheetData></worksheet>");
	unsigned char *z;
	struct table *t = open_sheet(b.data, &z);
	const char *const *cells;
	size_t nc, r;
	assert_int_equal(table_next(t, &cells, &nc, &r), 1);
	assert_int_equal(nc, 64);
	expect_error(t, "row 2: too many cells (65, at most 64)");
	table_free(t);
	free(z);

	t = open_sheet("<worksheet " NS_MAIN "><sheetData><row r=\"9\"><c r=\"A9\"><v>1</v></c>"
		       "<c r=\"BM9\"><v>2</v></c></row></sheetData></worksheet>", &z);
	expect_error(t, "row 9: too many cells (65, at most 64)");
	table_free(t);
	free(z);
	buf_release(&b);
}

static void xlsx_bad_cells_refused(void **state)
{
	unsigned char *z;
	struct table *t = open_sheet("<worksheet " NS_MAIN "><sheetData><row r=\"4\">"
				     "<c r=\"A4\" t=\"s\"><v>99</v></c></row></sheetData></worksheet>", &z);
	expect_error(t, "row 4, column A: bad shared string index");
	table_free(t);
	free(z);

	t = open_sheet("<worksheet " NS_MAIN "><sheetData><row r=\"4\">"
		       "<c r=\"B4\"><v>1</v></c><c r=\"A4\"><v>2</v></c></row></sheetData></worksheet>", &z);
	expect_error(t, "row 4: cell A4 repeated or out of order");
	table_free(t);
	free(z);

	t = open_sheet("<!DOCTYPE x [<!ENTITY a \"aaaa\">]><worksheet " NS_MAIN "><sheetData/></worksheet>", &z);
	expect_error(t, "contains a dtd");
	table_free(t);
	free(z);
}

/* Found by tests/fuzz/xlsx.c: rows, like cells, come in ascending order
 * (Excel writes them so and refuses a file that does not); a repeated row
 * number would make "row 1" in an import report name two rows. */
static void xlsx_rows_repeated_or_out_of_order(void **state)
{
	unsigned char *z;
	struct table *t = open_sheet("<worksheet " NS_MAIN "><sheetData>"
				     "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"
				     "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c></row></sheetData></worksheet>", &z);
	const char *const *cells;
	size_t nc, r;
	assert_int_equal(table_next(t, &cells, &nc, &r), 1);
	assert_int_equal(r, 1);
	expect_error(t, "row 1 repeated or out of order (after row 1)");
	table_free(t);
	free(z);

	t = open_sheet("<worksheet " NS_MAIN "><sheetData><row r=\"3\"><c><v>1</v></c></row>"
		       "<row r=\"2\"><c><v>2</v></c></row></sheetData></worksheet>", &z);
	assert_int_equal(table_next(t, &cells, &nc, &r), 1);
	assert_int_equal(r, 3);
	expect_error(t, "row 2 repeated or out of order (after row 3)");
	table_free(t);
	free(z);

	/* an empty row counts too, and a row without r follows the last */
	t = open_sheet("<worksheet " NS_MAIN "><sheetData><row r=\"5\"/><row><c><v>1</v></c></row>"
		       "<row r=\"6\"><c><v>2</v></c></row></sheetData></worksheet>", &z);
	assert_int_equal(table_next(t, &cells, &nc, &r), 1);
	assert_int_equal(r, 6);
	expect_error(t, "row 6 repeated or out of order (after row 6)");
	table_free(t);
	free(z);
}

/* Enough rows to cross many parser chunks while rows are handed out one
 * by one (the parse is suspended after each row). */
static void xlsx_many_rows_streamed(void **state)
{
	struct buf b;
	buf_init(&b, 1 << 22);
	buf_puts(&b, "<worksheet " NS_MAIN "><sheetData>");
	char line[160];
	for (int i = 1; i <= 20000; i++) {
		snprintf(line, sizeof(line), "<row r=\"%d\"><c r=\"A%d\" t=\"inlineStr\"><is><t>v%d</t></is></c>"
			 "<c r=\"C%d\"><v>%d</v></c></row>\n", i * 2, i * 2, i, i * 2, i);
		buf_puts(&b, line);
	}
	buf_puts(&b, "</sheetData></worksheet>");
	assert_true(b.len > 20 * 65536);
	unsigned char *z;
	struct table *t = open_sheet(b.data, &z);
	char v[16], n[16];
	for (int i = 1; i <= 20000; i++) {
		snprintf(v, sizeof(v), "v%d", i);
		snprintf(n, sizeof(n), "%d", i);
		ROW(t, (size_t)i * 2, v, "", n);
	}
	expect_end(t);
	table_free(t);
	free(z);
	buf_release(&b);
}

static void row_limits(void **state)
{
	/* Blank rows count too: they are rows the user sees. */
	size_t n = TABLE_MAX_ROWS + 4;
	char *csv = malloc(n);
	assert_non_null(csv);
	memset(csv, '\n', n);   /* from byte 2 on, each byte is one record */
	csv[0] = 'h';
	csv[TABLE_MAX_ROWS] = 'x';       /* row 1000000: the last one allowed */
	csv[TABLE_MAX_ROWS + 2] = 'y';   /* row 1000001 */
	struct table *t = open_ok(csv, n);
	ROW(t, 1, "h");
	ROW(t, TABLE_MAX_ROWS, "x");
	expect_error(t, "more than 1000000 rows");
	table_free(t);
	free(csv);

	unsigned char *z;
	t = open_sheet("<worksheet " NS_MAIN "><sheetData><row r=\"1000000\"><c><v>1</v></c></row>"
		       "<row r=\"1000001\"><c><v>1</v></c></row></sheetData></worksheet>", &z);
	ROW(t, 1000000, "1");
	expect_error(t, "row 1000001: more than 1000000 rows");
	table_free(t);
	free(z);
}

static void xlsx_pk_garbage_refused(void **state)
{
	unsigned char junk[4096];
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < sizeof(junk); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		junk[i] = (unsigned char)x;
	}
	memcpy(junk, "PK\003\004", 4);
	expect_open_error(junk, sizeof(junk), "not a readable zip archive");
	expect_open_error("PK\003\004", 4, "not a readable zip archive");

	/* A real zip cut short loses its central directory. */
	const struct part parts[] = { { "xl/worksheets/sheet1.xml", sheet_main } };
	size_t len;
	unsigned char *z = make_zip(parts, 1, &len);
	expect_open_error(z, len - 30, "not a readable zip archive");
	free(z);
}

static void xlsx_truncated_xml_refused(void **state)
{
	size_t cut = (size_t)(strstr(sheet_main, "<row r=\"5\">") - sheet_main) + 20;
	char *trunc = malloc(cut + 1);
	assert_non_null(trunc);
	memcpy(trunc, sheet_main, cut);
	trunc[cut] = 0;
	unsigned char *z;
	struct table *t = open_sheet(trunc, &z);
	ROW(t, 1, "姓名", "性别", "身份证号", "手机号");
	ROW(t, 2, "张三", "", "110101199003074514", "13800001234");
	expect_error(t, "row 5: broken worksheet xml");
	table_free(t);
	free(z);

	/* Broken shared strings are refused at open. */
	const struct part parts[] = {
		{ "xl/sharedStrings.xml", "<sst " NS_MAIN "><si><t>x</t></si" },
		{ "xl/worksheets/sheet1.xml", sheet_main },
	};
	size_t len;
	z = make_zip(parts, 2, &len);
	expect_open_error(z, len, "xlsx part xl/sharedStrings.xml is not well-formed xml");
	free(z);
	free(trunc);
}

/* A member that inflates to just past TABLE_MAX_XML, generated on the fly
 * so that the test does not need the memory. */
struct gen {
	zip_uint64_t size, pos;
};

static struct gen bomb = { (zip_uint64_t)TABLE_MAX_XML + 1, 0 };

static zip_int64_t gen_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct gen *g = ud;
	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		g->pos = 0;
		return 0;
	case ZIP_SOURCE_READ: {
		zip_uint64_t n = g->size - g->pos < len ? g->size - g->pos : len;
		memset(data, ' ', (size_t)n);
		g->pos += n;
		return (zip_int64_t)n;
	}
	case ZIP_SOURCE_CLOSE:
	case ZIP_SOURCE_FREE:
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;
		zip_stat_init(st);
		st->size = g->size;
		st->valid |= ZIP_STAT_SIZE;
		return sizeof(*st);
	}
	case ZIP_SOURCE_ERROR:
		return 2 * sizeof(int);
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
			ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		return -1;
	}
}

static zip_source_t *gen_source(zip_t *za)
{
	return zip_source_function(za, gen_cb, &bomb);
}

/* Rewrites the uncompressed size of every member in both the local
 * headers and the central directory, as a forger would. */
static void forge_sizes(unsigned char *z, size_t len, uint32_t size)
{
	unsigned char le[4] = { (unsigned char)size, (unsigned char)(size >> 8),
				(unsigned char)(size >> 16), (unsigned char)(size >> 24) };
	int patched = 0;
	for (size_t i = 0; i + 46 <= len; i++) {
		if (memcmp(z + i, "PK\001\002", 4) == 0) {
			memcpy(z + i + 24, le, 4);
			patched++;
		} else if (memcmp(z + i, "PK\003\004", 4) == 0) {
			memcpy(z + i + 22, le, 4);
			patched++;
		}
	}
	assert_true(patched >= 2);
}

static void xlsx_zip_bomb_refused(void **state)
{
	size_t len;
	unsigned char *z = make_zip_with(NULL, 0, "xl/worksheets/sheet1.xml", gen_source, &len);
	assert_true(len < TABLE_MAX_XML / 100);
	expect_open_error(z, len, "xlsx part xl/worksheets/sheet1.xml is too large");
	/* The header now claims 1000 bytes; the data still inflates past
	 * the limit and must be stopped while reading. */
	forge_sizes(z, len, 1000);
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(z, len, 0, &ze);
	zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &ze);
	assert_non_null(za);
	zip_stat_t st;
	assert_int_equal(zip_stat_index(za, 0, 0, &st), 0);
	assert_int_equal(st.size, 1000);
	zip_discard(za);
	zip_error_fini(&ze);
	expect_open_error(z, len, "xlsx part xl/worksheets/sheet1.xml is");
	free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_utf8_bom_and_chinese_headers),
		cmocka_unit_test(csv_quoted_fields),
		cmocka_unit_test(csv_blank_rows_skipped_with_row_numbers),
		cmocka_unit_test(csv_gb18030_decoded),
		cmocka_unit_test(csv_refuses_bytes_that_are_no_text),
		cmocka_unit_test(csv_too_many_cells),
		cmocka_unit_test(csv_overlong_cell),
		cmocka_unit_test(csv_malformed_quotes),
		cmocka_unit_test(xlsx_shared_inline_numbers_gaps),
		cmocka_unit_test(xlsx_first_sheet_found_through_rels),
		cmocka_unit_test(xlsx_overlong_cell),
		cmocka_unit_test(xlsx_too_many_cells),
		cmocka_unit_test(xlsx_bad_cells_refused),
		cmocka_unit_test(xlsx_many_rows_streamed),
		cmocka_unit_test(xlsx_rows_repeated_or_out_of_order),
		cmocka_unit_test(row_limits),
		cmocka_unit_test(xlsx_pk_garbage_refused),
		cmocka_unit_test(xlsx_truncated_xml_refused),
		cmocka_unit_test(xlsx_zip_bomb_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
