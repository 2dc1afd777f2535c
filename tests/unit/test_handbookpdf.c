/* Unit tests for util/handbookpdf: a handbook long enough for a table of
 * contents over several pages is rendered, and every contents line's page
 * number is checked against the page it names (pdftotext, page by page);
 * the layout it reports agrees with the file; bad input is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/handbookpdf.h"
#include "util/pdfkit.h"

/* ---- sanitizer hooks (read only by ASan/LSan builds): the same library
 * leaks as test_certpdf.c describes ---- */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);

const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

const char *__lsan_default_suppressions(void)
{
	return "leak:cairo_surface_finish\n"
	       "leak:FcInitLoadConfigAndFonts\n";
}

/* ---- a long handbook: 3 categories × 20 items × 2 sub-items, 6 hotlines ---- */

#define NCAT 3
#define NITEM 20
#define NSUB 2
#define NENTRY (NCAT + NCAT * NITEM + NCAT * NITEM * NSUB)

static char titles[NENTRY][64];
static struct hb_entry entries[NENTRY];
static struct hb_hotline hotlines[6];

static const char *CN[] = { "", "一", "二", "三" };

static struct hb_doc long_doc(void)
{
	size_t k = 0;
	for (int c = 1; c <= NCAT; c++) {
		snprintf(titles[k], sizeof(titles[k]), "类别%d", c);
		entries[k] = (struct hb_entry){ 1, titles[k], "类别说明", NULL };
		k++;
		for (int i = 1; i <= NITEM; i++) {
			snprintf(titles[k], sizeof(titles[k]), "项目%d-%d", c, i);
			entries[k] = (struct hb_entry){ 2, titles[k], NULL, NULL };
			k++;
			for (int s = 1; s <= NSUB; s++) {
				snprintf(titles[k], sizeof(titles[k]), "子项%d-%d-%d", c, i, s);
				entries[k] = (struct hb_entry){ 3, titles[k], "为居民提供上门服务，内容包括陪伴、代购和简单的家务协助。",
					"服务时间：每天 08:00–18:00\n服务范围：全区\n提供单位：示例志愿服务队" };
				k++;
			}
		}
	}
	for (int h = 0; h < 6; h++)
		hotlines[h] = (struct hb_hotline){ "028-82600000", "示例服务热线", "接听单位：示例协会\n服务时间：每天 全天" };
	return (struct hb_doc){ .title = "志愿服务手册", .publisher = "示例区志愿服务联合会", .edition = "2026年12月版",
		.summary = "3 类 60 项 120 个服务子项", .preface = "示例前言。", .entries = entries, .n_entries = NENTRY,
		.hotlines = hotlines, .n_hotlines = 6 };
}

/* ---- reading the PDF back ---- */

static char pdf_path[] = "/tmp/zy-handbook-XXXXXX";

static void save(const unsigned char *pdf, size_t len)
{
	int fd = mkstemp(pdf_path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(pdf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The output of cmd (malloc'd), NULL when it fails. */
static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t cap = 8192, n = 0, got;
	char *text = malloc(cap);
	assert_non_null(text);
	while ((got = fread(text + n, 1, cap - n - 1, p)) > 0) {
		n += got;
		if (cap - n < 1024) {
			cap *= 2;
			text = realloc(text, cap);
			assert_non_null(text);
		}
	}
	text[n] = 0;
	if (pclose(p) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static char *page_text(int page)
{
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "pdftotext -layout -enc UTF-8 -f %d -l %d %s - 2>/dev/null", page, page, pdf_path);
	char *t = run(cmd);
	assert_non_null(t);
	return t;
}

static int page_count(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "pdfinfo %s 2>/dev/null", pdf_path);
	char *t = run(cmd);
	assert_non_null(t);
	const char *p = strstr(t, "Pages:");
	assert_non_null(p);
	int n = (int)strtol(p + 6, NULL, 10);
	free(t);
	return n;
}

/* The page number the contents give heading: the number ending the line
 * it is on, on one of the contents' pages; 0 when it is not there. */
static int toc_page_of(int toc_pages, const char *heading)
{
	for (int p = 2; p < 2 + toc_pages; p++) {
		char *t = page_text(p);
		const char *at = strstr(t, heading);
		if (at) {
			const char *eol = strchr(at, '\n');
			const char *q = eol ? eol : at + strlen(at);
			while (q > at && (q[-1] == ' ' || q[-1] == '\r'))
				q--;
			while (q > at && q[-1] >= '0' && q[-1] <= '9')
				q--;
			int n = (int)strtol(q, NULL, 10);
			free(t);
			return n;
		}
		free(t);
	}
	return 0;
}

static int have_poppler(void)
{
	return system("command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1") == 0;
}

/* ---- tests ---- */

static void contents_over_pages_point_at_the_right_pages(void **state)
{
	(void)state;
	struct hb_doc d = long_doc();
	unsigned char *pdf = NULL;
	size_t len = 0;
	struct hb_layout lay = { 0, 0, 0 };
	char err[256] = "";
	int rc = handbookpdf_render(&d, &pdf, &len, &lay, err, sizeof(err));
	if (rc != 0)
		print_error("handbookpdf_render: %s\n", err);
	assert_int_equal(rc, 0);
	assert_memory_equal(pdf, "%PDF-", 5);
	assert_true(lay.toc_pages >= 2);   /* 64 lines do not fit on one page */
	if (!have_poppler()) {
		free(pdf);
		skip();   /* poppler-utils missing: the text checks cannot run */
	}
	save(pdf, len);
	free(pdf);
	assert_int_equal(page_count(), lay.pages);

	char heading[96];
	for (int c = 1; c <= NCAT; c++) {
		snprintf(heading, sizeof(heading), "%s、类别%d", CN[c], c);
		int p = toc_page_of(lay.toc_pages, heading);
		assert_true(p > 1 + lay.toc_pages);
		char *t = page_text(p);
		if (!strstr(t, heading))
			print_error("page %d lacks %s:\n%s\n", p, heading, t);
		assert_non_null(strstr(t, heading));
		free(t);
		/* the last item of each category, often on the contents' later page */
		snprintf(heading, sizeof(heading), "（二十）项目%d-20", c);
		p = toc_page_of(lay.toc_pages, heading);
		assert_true(p > 1 + lay.toc_pages);
		t = page_text(p);
		assert_non_null(strstr(t, heading));
		snprintf(heading, sizeof(heading), "1. 子项%d-20-1", c);
		assert_non_null(strstr(t, heading));   /* an item heading keeps its first sub-item */
		free(t);
	}
	int p = toc_page_of(lay.toc_pages, "服务热线");
	assert_int_equal(p, lay.hotlines_page);
	char *t = page_text(p);
	assert_non_null(strstr(t, "028-82600000"));
	free(t);
	t = page_text(lay.pages);
	char foot[32];
	snprintf(foot, sizeof(foot), "第 %d 页", lay.pages);
	char foot2[32];
	snprintf(foot2, sizeof(foot2), "第%d页", lay.pages);
	assert_true(strstr(t, foot) || strstr(t, foot2));
	free(t);
	unlink(pdf_path);
}

static void empty_menu_still_renders(void **state)
{
	(void)state;
	struct hb_doc d = { .title = "志愿服务手册", .publisher = "示例联合会", .edition = "2026年12月版" };
	unsigned char *pdf = NULL;
	size_t len = 0;
	struct hb_layout lay = { 0, 0, 0 };
	assert_int_equal(handbookpdf_render(&d, &pdf, &len, &lay, NULL, 0), 0);
	assert_int_equal(lay.pages, 3);      /* cover, contents, an empty body page */
	assert_int_equal(lay.hotlines_page, 0);
	free(pdf);
}

static void bad_input_refused(void **state)
{
	(void)state;
	struct hb_entry e = { 4, "第四级", NULL, NULL };
	struct hb_doc d = { .title = "志愿服务手册", .publisher = "示例联合会", .edition = "2026年12月版",
		.entries = &e, .n_entries = 1 };
	unsigned char *pdf = (unsigned char *)"sentinel";
	size_t len = 7;
	char err[256] = "";
	assert_int_equal(handbookpdf_render(&d, &pdf, &len, NULL, err, sizeof(err)), -1);
	assert_null(pdf);
	assert_int_equal(len, 0);
	assert_non_null(strstr(err, "entry 0"));

	e = (struct hb_entry){ 1, "带\x01控制符", NULL, NULL };
	assert_int_equal(handbookpdf_render(&d, &pdf, &len, NULL, err, sizeof(err)), -1);
	e = (struct hb_entry){ 1, "换\n行", NULL, NULL };      /* titles are one line */
	assert_int_equal(handbookpdf_render(&d, &pdf, &len, NULL, err, sizeof(err)), -1);
	e = (struct hb_entry){ 1, "\xff\xfe", NULL, NULL };    /* not UTF-8 */
	assert_int_equal(handbookpdf_render(&d, &pdf, &len, NULL, err, sizeof(err)), -1);
	e = (struct hb_entry){ 1, "类别", "说明\n可以换行", "事实：一\n事实：二" };
	d.publisher = NULL;
	assert_int_equal(handbookpdf_render(&d, &pdf, &len, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cover"));
	d.publisher = "示例联合会";
	struct hb_hotline h = { "", "无号码热线", NULL };
	d.hotlines = &h;
	d.n_hotlines = 1;
	assert_int_equal(handbookpdf_render(&d, &pdf, &len, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "hotline 0"));
	h.number = "12345";
	assert_int_equal(handbookpdf_render(&d, &pdf, &len, NULL, err, sizeof(err)), 0);
	free(pdf);
}

static int release_fonts(void **state)
{
	(void)state;
	pdf_release_thread_fonts();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(contents_over_pages_point_at_the_right_pages),
		cmocka_unit_test(empty_menu_still_renders),
		cmocka_unit_test(bad_input_refused),
	};
	return cmocka_run_group_tests(tests, NULL, release_fonts);
}
