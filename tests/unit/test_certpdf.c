/* Unit tests for util/certpdf: a certificate for a synthetic volunteer is
 * rendered, its text read back with pdftotext, and bad input refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/certpdf.h"
#include "util/pdfkit.h"

/* ---- sanitizer hooks (read only by ASan/LSan builds) ----
 * Two leaks belong to the libraries, not to certpdf:
 *  - cairo 1.16 cairo_cff_font_read_cid_fontdict() returns without freeing
 *    its FDArray index: 768 bytes per CID-keyed CFF font (every Noto CJK
 *    face) per PDF, inside cairo_surface_finish(); fixed in later cairo.
 *  - fontconfig 2.14 loses a few bytes once while parsing its config.
 * Both are suppressed by an exported function in their allocation stack.
 * Cairo and fontconfig are built without frame pointers, so those frames
 * are only seen with the slow unwinder. */
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

/* ---- helpers ---- */

static struct cert_data sample(void)
{
	return (struct cert_data){
		.serial = "ZY-510115-2026-000123",
		.volunteer_name = "测试志愿者",
		.id_type_label = "居民身份证",
		.id_number_masked = "510115********0018",
		.volunteer_number = "V5101152026004567",
		.period = "2026年01月01日至2026年11月28日",
		.hours = "123.5",
		.content_summary = "社区养老服务中心陪伴老人、协助助餐；"
			"街道文明交通劝导；\n图书馆少儿阅读推广活动",
		.issuer = "成都市温江区示例街道志愿服务中心",
		.person_in_charge = "示例负责人",
		.handler = "示例经办人",
		.contact = "028-00000000",
		.issue_date = "2026年11月28日",
		.notes = NULL,
		.verify_url = "https://zhiyuan.example.cn/v/ZY-510115-2026-000123",
		.verify_code = "7K3Q-9XWD",
	};
}

static void render_ok(const struct cert_data *d, unsigned char **pdf, size_t *len)
{
	char err[256] = "";
	int rc = certpdf_render(d, pdf, len, err, sizeof(err));
	if (rc != 0)
		print_error("certpdf_render: %s\n", err);
	assert_int_equal(rc, 0);
	assert_non_null(*pdf);
	assert_true(*len > 5);
	assert_memory_equal(*pdf, "%PDF-", 5);
}

static void render_fails(const struct cert_data *d, const char *want)
{
	unsigned char *pdf = (unsigned char *)"sentinel";
	size_t len = 7;
	char err[256] = "";
	assert_int_equal(certpdf_render(d, &pdf, &len, err, sizeof(err)), -1);
	assert_null(pdf);
	assert_int_equal(len, 0);
	if (!strstr(err, want))
		print_error("err \"%s\" lacks \"%s\"\n", err, want);
	assert_non_null(strstr(err, want));
}

static int have_pdftotext(void)
{
	return system("command -v pdftotext >/dev/null 2>&1") == 0;
}

/* Writes the PDF to a temporary file and returns `pdftotext -layout` of it
 * (malloc'd), or NULL when that fails. */
static char *text_of(const unsigned char *pdf, size_t len)
{
	char path[] = "/tmp/zy-certpdf-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(pdf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "pdftotext -layout -enc UTF-8 %s - 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t cap = 4096, n = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	size_t got;
	while ((got = fread(text + n, 1, cap - n - 1, p)) > 0) {
		n += got;
		if (cap - n < 1024) {
			cap *= 2;
			text = realloc(text, cap);
			assert_non_null(text);
		}
	}
	text[n] = 0;
	int st = pclose(p);
	unlink(path);
	if (st != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void expect_text(const char *text, const char *want)
{
	if (!strstr(text, want))
		print_error("pdf text lacks \"%s\":\n%s\n", want, text);
	assert_non_null(strstr(text, want));
}

/* ---- tests ---- */

static void renders_pdf_with_real_text(void **state)
{
	(void)state;
	struct cert_data d = sample();
	unsigned char *pdf = NULL;
	size_t len = 0;
	render_ok(&d, &pdf, &len);
	if (!have_pdftotext()) {
		free(pdf);
		skip();   /* poppler-utils missing: the text check cannot run */
	}
	char *text = text_of(pdf, len);
	free(pdf);
	assert_non_null(text);
	expect_text(text, "志愿服务记录证明");
	expect_text(text, d.serial);
	expect_text(text, d.volunteer_number);
	expect_text(text, d.hours);
	expect_text(text, d.id_number_masked);
	expect_text(text, d.issuer);
	expect_text(text, d.verify_code);
	expect_text(text, "不得用于营利目的");
	free(text);
}

static void renders_notes_and_markup_characters(void **state)
{
	(void)state;
	struct cert_data d = sample();
	d.volunteer_name = "A<b>&amp;'\"";   /* must come out literally, not as markup */
	d.notes = "含线上服务 12 小时\n另附活动清单";
	unsigned char *pdf = NULL;
	size_t len = 0;
	render_ok(&d, &pdf, &len);
	if (!have_pdftotext()) {
		free(pdf);
		skip();
	}
	char *text = text_of(pdf, len);
	free(pdf);
	assert_non_null(text);
	expect_text(text, "A<b>&amp;'\"");
	expect_text(text, "另附活动清单");
	free(text);
}

static void renders_twice(void **state)
{
	(void)state;
	struct cert_data d = sample();
	for (int i = 0; i < 2; i++) {
		unsigned char *pdf = NULL;
		size_t len = 0;
		render_ok(&d, &pdf, &len);
		free(pdf);
	}
}

static void long_summary_still_fits(void **state)
{
	(void)state;
	/* 666 CJK characters: 1,998 bytes, just under the limit. */
	char summary[CERTPDF_MAX_SUMMARY + 1];
	size_t n = 0;
	while (n + 3 <= CERTPDF_MAX_SUMMARY) {
		memcpy(summary + n, "务", 3);
		n += 3;
	}
	summary[n] = 0;
	struct cert_data d = sample();
	d.content_summary = summary;
	unsigned char *pdf = NULL;
	size_t len = 0;
	render_ok(&d, &pdf, &len);
	free(pdf);
}

static void missing_fields_refused(void **state)
{
	(void)state;
	struct cert_data d = sample();
	d.serial = NULL;
	render_fails(&d, "missing field: serial");
	d = sample();
	d.verify_code = NULL;
	render_fails(&d, "missing field: verify_code");
	d = sample();
	d.content_summary = "";
	render_fails(&d, "missing field: content_summary");

	unsigned char *pdf = NULL;
	size_t len = 0;
	char err[64] = "";
	assert_int_equal(certpdf_render(NULL, &pdf, &len, err, sizeof(err)), -1);
	assert_true(err[0] != 0);
}

static void long_fields_refused(void **state)
{
	(void)state;
	char big[CERTPDF_MAX_SUMMARY + 2];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;

	struct cert_data d = sample();
	d.content_summary = big;   /* 2,001 bytes */
	render_fails(&d, "content_summary is too long");

	big[CERTPDF_MAX_FIELD + 1] = 0;   /* one byte over the limit */
	d = sample();
	d.issuer = big;
	render_fails(&d, "issuer is too long");
	d = sample();
	d.notes = big;
	render_fails(&d, "notes is too long");
}

static void bad_text_refused(void **state)
{
	(void)state;
	struct cert_data d = sample();
	d.volunteer_name = "\xe5\xbf";   /* truncated UTF-8 */
	render_fails(&d, "volunteer_name is not valid UTF-8");
	d = sample();
	d.serial = "ZY\n123";   /* line breaks only in summary and notes */
	render_fails(&d, "serial is not valid UTF-8");
}

static void too_many_lines_refused(void **state)
{
	(void)state;
	char lines[CERTPDF_MAX_SUMMARY + 1];
	memset(lines, '\n', CERTPDF_MAX_SUMMARY);
	lines[0] = 'x';
	lines[CERTPDF_MAX_SUMMARY] = 0;
	struct cert_data d = sample();
	d.content_summary = lines;
	render_fails(&d, "does not fit on one page");
}

static int release_fonts(void **state)
{
	(void)state;
	/* Pango's per-thread font map would otherwise stay until exit. */
	pdf_release_thread_fonts();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(renders_pdf_with_real_text),
		cmocka_unit_test(renders_notes_and_markup_characters),
		cmocka_unit_test(renders_twice),
		cmocka_unit_test(long_summary_still_fits),
		cmocka_unit_test(missing_fields_refused),
		cmocka_unit_test(long_fields_refused),
		cmocka_unit_test(bad_text_refused),
		cmocka_unit_test(too_many_lines_refused),
	};
	return cmocka_run_group_tests(tests, NULL, release_fonts);
}
