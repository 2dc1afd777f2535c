/* The volunteer-service record certificate as an in-memory PDF, drawn with
 * util/pdfkit (cairo PDF surface into a bounded buffer, Pango text, the
 * verification QR code). The body and the table shrink together when a long
 * summary would push them into the QR block; past a floor the input is
 * refused rather than clipped. */
#include "util/certpdf.h"
#include "util/pdfkit.h"
#include <cairo-pdf.h>
#include <stdbool.h>
#include <string.h>

/* A4 portrait in PDF points. */
#define PAGE_W 595.0
#define PAGE_H 842.0
#define MARGIN 72.0                    /* left/right edge of the content */
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define BODY_TOP 150.0
#define QR_SIZE 90.0
#define CAPTION_W 210.0
#define LABEL_W 78.0                   /* label column of the table */
#define CELL_PAD 6.0

#define SERIF "Noto Serif CJK SC"
#define SANS "Noto Sans CJK SC"

static const struct pdf_rgb INK = { 0.10, 0.10, 0.10 };
static const struct pdf_rgb GREY = { 0.35, 0.35, 0.35 };
static const struct pdf_rgb RED = { 0.74, 0.07, 0.10 };
static const struct pdf_rgb RULE = { 0.30, 0.30, 0.30 };
static const struct pdf_rgb SHADE = { 0.96, 0.95, 0.93 };

static double min2(double a, double b)
{
	return a < b ? a : b;
}

/* ---- input checks ---- */

static int check_field(const char *name, const char *s, bool required, size_t max,
		       bool multiline, char *err, size_t errlen)
{
	if (!s || !*s) {
		if (!required)
			return 0;
		pdf_set_err(err, errlen, "missing field: %s", name);
		return -1;
	}
	size_t n = strnlen(s, max + 1);
	if (n > max) {
		pdf_set_err(err, errlen, "field %s is too long (at most %zu bytes)", name, max);
		return -1;
	}
	if (!pdf_clean_text(s, n, multiline)) {
		pdf_set_err(err, errlen, "field %s is not valid UTF-8 text", name);
		return -1;
	}
	return 0;
}

static int check_data(const struct cert_data *d, char *err, size_t errlen)
{
	const struct {
		const char *name, *value;
		bool required, multiline;
		size_t max;
	} f[] = {
		{ "serial", d->serial, true, false, CERTPDF_MAX_FIELD },
		{ "volunteer_name", d->volunteer_name, true, false, CERTPDF_MAX_FIELD },
		{ "id_type_label", d->id_type_label, true, false, CERTPDF_MAX_FIELD },
		{ "id_number_masked", d->id_number_masked, true, false, CERTPDF_MAX_FIELD },
		{ "volunteer_number", d->volunteer_number, true, false, CERTPDF_MAX_FIELD },
		{ "period", d->period, true, false, CERTPDF_MAX_FIELD },
		{ "hours", d->hours, true, false, CERTPDF_MAX_FIELD },
		{ "content_summary", d->content_summary, true, true, CERTPDF_MAX_SUMMARY },
		{ "issuer", d->issuer, true, false, CERTPDF_MAX_FIELD },
		{ "person_in_charge", d->person_in_charge, true, false, CERTPDF_MAX_FIELD },
		{ "handler", d->handler, true, false, CERTPDF_MAX_FIELD },
		{ "contact", d->contact, true, false, CERTPDF_MAX_FIELD },
		{ "issue_date", d->issue_date, true, false, CERTPDF_MAX_FIELD },
		{ "notes", d->notes, false, true, CERTPDF_MAX_FIELD },
		{ "verify_url", d->verify_url, true, false, CERTPDF_MAX_FIELD },
		{ "verify_code", d->verify_code, true, false, CERTPDF_MAX_FIELD },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (check_field(f[i].name, f[i].value, f[i].required, f[i].max,
				f[i].multiline, err, errlen) < 0)
			return -1;
	return 0;
}

/* ---- body paragraph ---- */

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && memcmp(s + n - m, tail, m) == 0;
}

static char *body_markup(const struct cert_data *d)
{
	const char *stop = ends_with(d->content_summary, "。") || ends_with(d->content_summary, ".") ? "" : "。";
	return g_markup_printf_escaped(
		"兹证明<b>%s</b>（%s：%s，志愿者编号：%s）于%s期间参加志愿服务，"
		"累计服务时长<b>%s</b>小时。主要服务内容：%s%s\n特此证明。",
		d->volunteer_name, d->id_type_label, d->id_number_masked,
		d->volunteer_number, d->period, d->hours, d->content_summary, stop);
}

static struct pdf_style body_style(double s)
{
	return (struct pdf_style){ .family = SERIF, .size = 13.0 * s, .weight = PANGO_WEIGHT_NORMAL,
		.align = PANGO_ALIGN_LEFT, .spacing = 1.8, .colour = INK };
}

/* ---- the table of issuer details ---- */

struct cell {
	const char *label, *value;
};

/* Two cells per row; a row whose second label is NULL spans the width. */
struct row {
	struct cell c[2];
};

static void table_rows(const struct cert_data *d, struct row rows[4])
{
	rows[0] = (struct row){ { { "出具单位", d->issuer }, { NULL, NULL } } };
	rows[1] = (struct row){ { { "负责人", d->person_in_charge }, { "经办人", d->handler } } };
	rows[2] = (struct row){ { { "联系方式", d->contact }, { "出具日期", d->issue_date } } };
	rows[3] = (struct row){ { { "备注", d->notes && *d->notes ? d->notes : "无" }, { NULL, NULL } } };
}

/* Measures (and, when draw is set, draws) the table at scale s with its top
 * at y; returns its height. */
static double table_block(const struct pdf_doc *doc, const struct cert_data *d, double s, double y, bool draw)
{
	struct pdf_style lab = { .family = SANS, .size = 10.5 * s, .weight = PANGO_WEIGHT_MEDIUM,
		.align = PANGO_ALIGN_CENTER, .spacing = 1.3, .colour = INK };
	struct pdf_style val = { .family = SERIF, .size = 11.0 * s, .weight = PANGO_WEIGHT_NORMAL,
		.align = PANGO_ALIGN_LEFT, .spacing = 1.3, .colour = INK };
	const double half_val = (CONTENT_W - 2 * LABEL_W) / 2;
	const double min_h = 30.0 * s;
	struct row rows[4];
	table_rows(d, rows);

	double top = y;
	for (size_t r = 0; r < 4; r++) {
		bool span = rows[r].c[1].label == NULL;
		size_t ncells = span ? 1 : 2;
		double vw = span ? CONTENT_W - LABEL_W : half_val;
		double lh[2], vh[2], h = min_h;
		for (size_t i = 0; i < ncells; i++) {
			lh[i] = pdf_text(doc, &lab, 0, 0, LABEL_W - 2 * CELL_PAD, rows[r].c[i].label, PDF_MEASURE);
			vh[i] = pdf_text(doc, &val, 0, 0, vw - 2 * CELL_PAD, rows[r].c[i].value, PDF_MEASURE);
			if (lh[i] + 2 * CELL_PAD > h)
				h = lh[i] + 2 * CELL_PAD;
			if (vh[i] + 2 * CELL_PAD > h)
				h = vh[i] + 2 * CELL_PAD;
		}
		if (draw) {
			for (size_t i = 0; i < ncells; i++) {
				double lx = MARGIN + (double)i * (LABEL_W + half_val);
				cairo_set_source_rgb(doc->cr, SHADE.r, SHADE.g, SHADE.b);
				cairo_rectangle(doc->cr, lx, y, LABEL_W, h);
				cairo_fill(doc->cr);
				pdf_text(doc, &lab, lx + CELL_PAD, y + (h - lh[i]) / 2, LABEL_W - 2 * CELL_PAD,
					 rows[r].c[i].label, PDF_DRAW);
				pdf_text(doc, &val, lx + LABEL_W + CELL_PAD, y + (h - vh[i]) / 2,
					 vw - 2 * CELL_PAD, rows[r].c[i].value, PDF_DRAW);
			}
			cairo_set_source_rgb(doc->cr, RULE.r, RULE.g, RULE.b);
			cairo_set_line_width(doc->cr, 0.5);
			if (r > 0)
				pdf_line(doc->cr, MARGIN, y, MARGIN + CONTENT_W, y);
			pdf_line(doc->cr, MARGIN + LABEL_W, y, MARGIN + LABEL_W, y + h);
			if (!span) {
				double x2 = MARGIN + LABEL_W + half_val;
				pdf_line(doc->cr, x2, y, x2, y + h);
				pdf_line(doc->cr, x2 + LABEL_W, y, x2 + LABEL_W, y + h);
			}
		}
		y += h;
	}
	if (draw) {
		cairo_set_source_rgb(doc->cr, RULE.r, RULE.g, RULE.b);
		cairo_set_line_width(doc->cr, 1.0);
		cairo_rectangle(doc->cr, MARGIN, top, CONTENT_W, y - top);
		cairo_stroke(doc->cr);
	}
	return y - top;
}

/* ---- the page ---- */

static void draw_frame(cairo_t *cr)
{
	cairo_set_source_rgb(cr, RED.r, RED.g, RED.b);
	cairo_set_line_width(cr, 2.0);
	cairo_rectangle(cr, 28, 28, PAGE_W - 56, PAGE_H - 56);
	cairo_stroke(cr);
	cairo_set_line_width(cr, 0.6);
	cairo_rectangle(cr, 33, 33, PAGE_W - 66, PAGE_H - 66);
	cairo_stroke(cr);
}

/* Lays out and draws everything; returns 0 or -1 with err set. */
static int draw_page(const struct pdf_doc *doc, const struct cert_data *d, char *err, size_t errlen)
{
	cairo_t *cr = doc->cr;
	int rc = -1;
	char *serial = g_strdup_printf("证明编号：%s", d->serial);
	char *caption = g_strdup_printf("扫码或访问以下网址查验：\n%s\n查验码：%s", d->verify_url, d->verify_code);
	char *seal = g_strdup_printf("%s（盖章）\n%s", d->issuer, d->issue_date);
	char *body = body_markup(d);

	const struct pdf_style serial_st = { .family = SANS, .size = 9.0, .weight = PANGO_WEIGHT_NORMAL,
		.align = PANGO_ALIGN_RIGHT, .colour = GREY };
	const struct pdf_style title_st = { .family = SERIF, .size = 30.0, .weight = PANGO_WEIGHT_BOLD,
		.align = PANGO_ALIGN_CENTER, .tracking = 6.0, .colour = RED };
	const struct pdf_style caption_st = { .family = SANS, .size = 8.0, .weight = PANGO_WEIGHT_NORMAL,
		.align = PANGO_ALIGN_RIGHT, .spacing = 1.3, .colour = GREY };
	const struct pdf_style seal_st = { .family = SERIF, .size = 12.0, .weight = PANGO_WEIGHT_NORMAL,
		.align = PANGO_ALIGN_RIGHT, .spacing = 1.8, .colour = INK };
	const struct pdf_style footer_st = { .family = SANS, .size = 8.5, .weight = PANGO_WEIGHT_NORMAL,
		.align = PANGO_ALIGN_CENTER, .colour = GREY };
	const char *footer = "本证明免费出具，仅用于证明志愿服务经历，不得用于营利目的。";

	/* Bottom-up: footer, caption, QR code; the table must end above them. */
	double footer_y = PAGE_H - 62;
	double cap_x = MARGIN + CONTENT_W - CAPTION_W;
	double cap_h = pdf_text(doc, &caption_st, 0, 0, CAPTION_W, caption, PDF_MEASURE);
	double cap_y = footer_y - 16 - cap_h;
	double qr_x = MARGIN + CONTENT_W - QR_SIZE;
	double qr_y = cap_y - 8 - QR_SIZE;
	double limit = qr_y - 24;
	double seal_w = qr_x - MARGIN - 36;
	double seal_h = pdf_text(doc, &seal_st, 0, 0, seal_w, seal, PDF_MEASURE);

	/* The largest scale (in steps of 5%, down to 60%) at which it fits. */
	double s = 0, body_h = 0, table_h = 0;
	for (int i = 0; i <= 8; i++) {
		double t = 1.0 - 0.05 * i;
		struct pdf_style bs = body_style(t);
		body_h = pdf_text(doc, &bs, 0, 0, CONTENT_W, body, PDF_MARKUP | PDF_PARAGRAPH);
		table_h = table_block(doc, d, t, 0, false);
		if (BODY_TOP + body_h + 20 * t + table_h <= limit) {
			s = t;
			break;
		}
	}
	if (s == 0) {
		pdf_set_err(err, errlen, "certificate text does not fit on one page");
		goto out;
	}
	/* A short certificate spreads out a little instead of leaving a hole. */
	double slack = limit - (BODY_TOP + body_h + 20 * s + table_h);
	double body_y = BODY_TOP + min2(slack * 0.25, 14);
	double table_y = body_y + body_h + 20 * s + min2(slack * 0.35, 30);

	draw_frame(cr);
	pdf_text(doc, &serial_st, MARGIN, 48, CONTENT_W, serial, PDF_DRAW);
	/* Letter spacing also follows the last glyph: shift by half of it to centre. */
	pdf_text(doc, &title_st, title_st.tracking / 2, 78, PAGE_W, "志愿服务记录证明", PDF_DRAW);
	cairo_set_source_rgb(cr, RED.r, RED.g, RED.b);
	cairo_set_line_width(cr, 1.2);
	pdf_line(cr, MARGIN, 130, MARGIN + CONTENT_W, 130);
	cairo_set_line_width(cr, 0.4);
	pdf_line(cr, MARGIN, 133, MARGIN + CONTENT_W, 133);

	struct pdf_style bs = body_style(s);
	pdf_text(doc, &bs, MARGIN, body_y, CONTENT_W, body, PDF_DRAW | PDF_MARKUP | PDF_PARAGRAPH);
	table_block(doc, d, s, table_y, true);

	pdf_text(doc, &seal_st, MARGIN, qr_y + (QR_SIZE - seal_h) / 2, seal_w, seal, PDF_DRAW);
	if (pdf_qr(cr, d->verify_url, qr_x, qr_y, QR_SIZE) < 0) {
		pdf_set_err(err, errlen, "qr code: cannot encode verify_url");
		goto out;
	}
	pdf_text(doc, &caption_st, cap_x, cap_y, CAPTION_W, caption, PDF_DRAW);

	cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
	cairo_set_line_width(cr, 0.4);
	pdf_line(cr, MARGIN, footer_y - 6, MARGIN + CONTENT_W, footer_y - 6);
	pdf_text(doc, &footer_st, MARGIN, footer_y, CONTENT_W, footer, PDF_DRAW);
	rc = 0;
out:
	g_free(serial);
	g_free(caption);
	g_free(seal);
	g_free(body);
	return rc;
}

int certpdf_render(const struct cert_data *d, unsigned char **pdf, size_t *len, char *err, size_t errlen)
{
	*pdf = NULL;
	*len = 0;
	if (!d) {
		pdf_set_err(err, errlen, "no certificate data");
		return -1;
	}
	if (check_data(d, err, errlen) < 0)
		return -1;

	struct pdf_doc doc;
	pdf_open(&doc, PAGE_W, PAGE_H, CERTPDF_MAX_PDF);
	cairo_pdf_surface_set_metadata(doc.surf, CAIRO_PDF_METADATA_TITLE, "志愿服务记录证明");
	cairo_pdf_surface_set_metadata(doc.surf, CAIRO_PDF_METADATA_SUBJECT, d->serial);
	if (draw_page(&doc, d, err, errlen) < 0) {
		pdf_discard(&doc);
		return -1;
	}
	return pdf_finish(&doc, pdf, len, err, errlen);
}
