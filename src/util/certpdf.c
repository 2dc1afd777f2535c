/* The volunteer-service record certificate as an in-memory PDF: cairo PDF
 * surface writing into a bounded buf, Pango for text, libqrencode for the
 * verification QR code. The body and the table shrink together when a long
 * summary would push them into the QR block; past a floor the input is
 * refused rather than clipped. */
#include "util/certpdf.h"
#include "util/buf.h"
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

struct rgb {
	double r, g, b;
};

static const struct rgb INK = { 0.10, 0.10, 0.10 };
static const struct rgb GREY = { 0.35, 0.35, 0.35 };
static const struct rgb RED = { 0.74, 0.07, 0.10 };
static const struct rgb RULE = { 0.30, 0.30, 0.30 };
static const struct rgb SHADE = { 0.96, 0.95, 0.93 };

struct style {
	const char *family;
	double size;                   /* absolute size in points */
	PangoWeight weight;
	PangoAlignment align;
	bool justify;
	double indent_em;              /* first-line indent */
	double spacing;                /* line spacing factor, 0 = font default */
	double tracking;               /* extra letter spacing in points */
	struct rgb colour;
};

struct page {
	cairo_t *cr;
	PangoContext *pc;
};

static double min2(double a, double b)
{
	return a < b ? a : b;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- input checks ---- */

/* Valid UTF-8 without C0 controls or DEL; line breaks and tabs only when
 * multiline. */
static bool clean_text(const char *s, size_t n, bool multiline)
{
	if (!g_utf8_validate(s, (gssize)n, NULL))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n' || c == '\r' || c == '\t') {
			if (!multiline)
				return false;
		} else if (c < 0x20 || c == 0x7f) {
			return false;
		}
	}
	return true;
}

static int check_field(const char *name, const char *s, bool required, size_t max,
		       bool multiline, char *err, size_t errlen)
{
	if (!s || !*s) {
		if (!required)
			return 0;
		set_err(err, errlen, "missing field: %s", name);
		return -1;
	}
	size_t n = strnlen(s, max + 1);
	if (n > max) {
		set_err(err, errlen, "field %s is too long (at most %zu bytes)", name, max);
		return -1;
	}
	if (!clean_text(s, n, multiline)) {
		set_err(err, errlen, "field %s is not valid UTF-8 text", name);
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

/* ---- text ---- */

/* Lays out text (Pango markup when markup is set) at width w and returns
 * its height; draws it with its top-left corner at (x, y) when draw is set. */
static double text_block(const struct page *pg, const struct style *st, double x, double y,
			 double w, const char *text, bool markup, bool draw)
{
	PangoLayout *lay = pango_layout_new(pg->pc);
	PangoFontDescription *fd = pango_font_description_new();
	pango_font_description_set_family(fd, st->family);
	pango_font_description_set_weight(fd, st->weight);
	pango_font_description_set_absolute_size(fd, st->size * PANGO_SCALE);
	pango_layout_set_font_description(lay, fd);
	pango_font_description_free(fd);

	pango_layout_set_width(lay, (int)(w * PANGO_SCALE));
	pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(lay, st->align);
	pango_layout_set_justify(lay, st->justify);
	pango_layout_set_indent(lay, (int)(st->indent_em * st->size * PANGO_SCALE));
	if (st->spacing > 0)
		pango_layout_set_line_spacing(lay, (float)st->spacing);
	if (st->tracking > 0) {
		PangoAttrList *al = pango_attr_list_new();
		pango_attr_list_insert(al, pango_attr_letter_spacing_new((int)(st->tracking * PANGO_SCALE)));
		pango_layout_set_attributes(lay, al);
		pango_attr_list_unref(al);
	}
	if (markup)
		pango_layout_set_markup(lay, text, -1);
	else
		pango_layout_set_text(lay, text, -1);

	int pw, ph;
	pango_layout_get_size(lay, &pw, &ph);
	if (draw) {
		cairo_set_source_rgb(pg->cr, st->colour.r, st->colour.g, st->colour.b);
		cairo_move_to(pg->cr, x, y);
		pango_cairo_show_layout(pg->cr, lay);
	}
	g_object_unref(lay);
	return (double)ph / PANGO_SCALE;
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

static struct style body_style(double s)
{
	return (struct style){ .family = SERIF, .size = 13.0 * s, .weight = PANGO_WEIGHT_NORMAL,
		.align = PANGO_ALIGN_LEFT, .justify = true, .indent_em = 2.0, .spacing = 1.8,
		.colour = INK };
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

static void stroke_line(cairo_t *cr, double x0, double y0, double x1, double y1)
{
	cairo_move_to(cr, x0, y0);
	cairo_line_to(cr, x1, y1);
	cairo_stroke(cr);
}

/* Measures (and, when draw is set, draws) the table at scale s with its top
 * at y; returns its height. */
static double table_block(const struct page *pg, const struct cert_data *d, double s, double y, bool draw)
{
	struct style lab = { .family = SANS, .size = 10.5 * s, .weight = PANGO_WEIGHT_MEDIUM,
		.align = PANGO_ALIGN_CENTER, .spacing = 1.3, .colour = INK };
	struct style val = { .family = SERIF, .size = 11.0 * s, .weight = PANGO_WEIGHT_NORMAL,
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
			lh[i] = text_block(pg, &lab, 0, 0, LABEL_W - 2 * CELL_PAD, rows[r].c[i].label, false, false);
			vh[i] = text_block(pg, &val, 0, 0, vw - 2 * CELL_PAD, rows[r].c[i].value, false, false);
			if (lh[i] + 2 * CELL_PAD > h)
				h = lh[i] + 2 * CELL_PAD;
			if (vh[i] + 2 * CELL_PAD > h)
				h = vh[i] + 2 * CELL_PAD;
		}
		if (draw) {
			for (size_t i = 0; i < ncells; i++) {
				double lx = MARGIN + (double)i * (LABEL_W + half_val);
				cairo_set_source_rgb(pg->cr, SHADE.r, SHADE.g, SHADE.b);
				cairo_rectangle(pg->cr, lx, y, LABEL_W, h);
				cairo_fill(pg->cr);
				text_block(pg, &lab, lx + CELL_PAD, y + (h - lh[i]) / 2, LABEL_W - 2 * CELL_PAD,
					   rows[r].c[i].label, false, true);
				text_block(pg, &val, lx + LABEL_W + CELL_PAD, y + (h - vh[i]) / 2,
					   vw - 2 * CELL_PAD, rows[r].c[i].value, false, true);
			}
			cairo_set_source_rgb(pg->cr, RULE.r, RULE.g, RULE.b);
			cairo_set_line_width(pg->cr, 0.5);
			if (r > 0)
				stroke_line(pg->cr, MARGIN, y, MARGIN + CONTENT_W, y);
			stroke_line(pg->cr, MARGIN + LABEL_W, y, MARGIN + LABEL_W, y + h);
			if (!span) {
				double x2 = MARGIN + LABEL_W + half_val;
				stroke_line(pg->cr, x2, y, x2, y + h);
				stroke_line(pg->cr, x2 + LABEL_W, y, x2 + LABEL_W, y + h);
			}
		}
		y += h;
	}
	if (draw) {
		cairo_set_source_rgb(pg->cr, RULE.r, RULE.g, RULE.b);
		cairo_set_line_width(pg->cr, 1.0);
		cairo_rectangle(pg->cr, MARGIN, top, CONTENT_W, y - top);
		cairo_stroke(pg->cr);
	}
	return y - top;
}

/* ---- QR code ---- */

/* Draws the symbol size points wide at (x, y), one path of row runs so
 * neighbouring dark modules leave no seams. Returns 0 or -1. */
static int draw_qr(cairo_t *cr, const char *text, double x, double y, double size)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return -1;
	int n = qr->width;
	double m = size / n;
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int r = 0; r < n; r++) {
		int c = 0;
		while (c < n) {
			if (!(qr->data[r * n + c] & 1)) {
				c++;
				continue;
			}
			int start = c;
			while (c < n && (qr->data[r * n + c] & 1))
				c++;
			cairo_rectangle(cr, x + start * m, y + r * m, (c - start) * m, m);
		}
	}
	cairo_fill(cr);
	QRcode_free(qr);
	return 0;
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

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int length)
{
	return buf_append(closure, data, length) < 0 ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* Lays out and draws everything; returns 0 or -1 with err set. */
static int draw_page(const struct page *pg, const struct cert_data *d, char *err, size_t errlen)
{
	cairo_t *cr = pg->cr;
	int rc = -1;
	char *serial = g_strdup_printf("证明编号：%s", d->serial);
	char *caption = g_strdup_printf("扫码或访问以下网址查验：\n%s\n查验码：%s", d->verify_url, d->verify_code);
	char *seal = g_strdup_printf("%s（盖章）\n%s", d->issuer, d->issue_date);
	char *body = body_markup(d);

	const struct style serial_st = { .family = SANS, .size = 9.0, .weight = PANGO_WEIGHT_NORMAL,
		.align = PANGO_ALIGN_RIGHT, .colour = GREY };
	const struct style title_st = { .family = SERIF, .size = 30.0, .weight = PANGO_WEIGHT_BOLD,
		.align = PANGO_ALIGN_CENTER, .tracking = 6.0, .colour = RED };
	const struct style caption_st = { .family = SANS, .size = 8.0, .weight = PANGO_WEIGHT_NORMAL,
		.align = PANGO_ALIGN_RIGHT, .spacing = 1.3, .colour = GREY };
	const struct style seal_st = { .family = SERIF, .size = 12.0, .weight = PANGO_WEIGHT_NORMAL,
		.align = PANGO_ALIGN_RIGHT, .spacing = 1.8, .colour = INK };
	const struct style footer_st = { .family = SANS, .size = 8.5, .weight = PANGO_WEIGHT_NORMAL,
		.align = PANGO_ALIGN_CENTER, .colour = GREY };
	const char *footer = "本证明免费出具，仅用于证明志愿服务经历，不得用于营利目的。";

	/* Bottom-up: footer, caption, QR code; the table must end above them. */
	double footer_y = PAGE_H - 62;
	double cap_x = MARGIN + CONTENT_W - CAPTION_W;
	double cap_h = text_block(pg, &caption_st, 0, 0, CAPTION_W, caption, false, false);
	double cap_y = footer_y - 16 - cap_h;
	double qr_x = MARGIN + CONTENT_W - QR_SIZE;
	double qr_y = cap_y - 8 - QR_SIZE;
	double limit = qr_y - 24;
	double seal_w = qr_x - MARGIN - 36;
	double seal_h = text_block(pg, &seal_st, 0, 0, seal_w, seal, false, false);

	/* The largest scale (in steps of 5%, down to 60%) at which it fits. */
	double s = 0, body_h = 0, table_h = 0;
	for (int i = 0; i <= 8; i++) {
		double t = 1.0 - 0.05 * i;
		struct style bs = body_style(t);
		body_h = text_block(pg, &bs, 0, 0, CONTENT_W, body, true, false);
		table_h = table_block(pg, d, t, 0, false);
		if (BODY_TOP + body_h + 20 * t + table_h <= limit) {
			s = t;
			break;
		}
	}
	if (s == 0) {
		set_err(err, errlen, "certificate text does not fit on one page");
		goto out;
	}
	/* A short certificate spreads out a little instead of leaving a hole. */
	double slack = limit - (BODY_TOP + body_h + 20 * s + table_h);
	double body_y = BODY_TOP + min2(slack * 0.25, 14);
	double table_y = body_y + body_h + 20 * s + min2(slack * 0.35, 30);

	draw_frame(cr);
	text_block(pg, &serial_st, MARGIN, 48, CONTENT_W, serial, false, true);
	/* Letter spacing also follows the last glyph: shift by half of it to centre. */
	text_block(pg, &title_st, title_st.tracking / 2, 78, PAGE_W, "志愿服务记录证明", false, true);
	cairo_set_source_rgb(cr, RED.r, RED.g, RED.b);
	cairo_set_line_width(cr, 1.2);
	stroke_line(cr, MARGIN, 130, MARGIN + CONTENT_W, 130);
	cairo_set_line_width(cr, 0.4);
	stroke_line(cr, MARGIN, 133, MARGIN + CONTENT_W, 133);

	struct style bs = body_style(s);
	text_block(pg, &bs, MARGIN, body_y, CONTENT_W, body, true, true);
	table_block(pg, d, s, table_y, true);

	text_block(pg, &seal_st, MARGIN, qr_y + (QR_SIZE - seal_h) / 2, seal_w, seal, false, true);
	if (draw_qr(cr, d->verify_url, qr_x, qr_y, QR_SIZE) < 0) {
		set_err(err, errlen, "qr code: cannot encode verify_url");
		goto out;
	}
	text_block(pg, &caption_st, cap_x, cap_y, CAPTION_W, caption, false, true);

	cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
	cairo_set_line_width(cr, 0.4);
	stroke_line(cr, MARGIN, footer_y - 6, MARGIN + CONTENT_W, footer_y - 6);
	text_block(pg, &footer_st, MARGIN, footer_y, CONTENT_W, footer, false, true);
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
		set_err(err, errlen, "no certificate data");
		return -1;
	}
	if (check_data(d, err, errlen) < 0)
		return -1;

	struct buf out;
	buf_init(&out, CERTPDF_MAX_PDF);
	cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(write_cb, &out, PAGE_W, PAGE_H);
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, "志愿服务记录证明");
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_SUBJECT, d->serial);
	cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "Zhiyuan");
	cairo_t *cr = cairo_create(surf);

	/* Unhinted metrics and unrounded positions: the PDF is scaled freely. */
	PangoContext *pc = pango_cairo_create_context(cr);
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	pango_cairo_context_set_font_options(pc, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_round_glyph_positions(pc, FALSE);

	struct page pg = { cr, pc };
	int rc = draw_page(&pg, d, err, errlen);
	g_object_unref(pc);

	if (rc == 0 && cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		set_err(err, errlen, "cairo: %s", cairo_status_to_string(cairo_status(cr)));
		rc = -1;
	}
	cairo_destroy(cr);
	cairo_surface_finish(surf);
	if (rc == 0 && cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
		cairo_status_t st = cairo_surface_status(surf);
		if (st == CAIRO_STATUS_WRITE_ERROR)
			set_err(err, errlen, "pdf is larger than %u bytes", CERTPDF_MAX_PDF);
		else
			set_err(err, errlen, "cairo: %s", cairo_status_to_string(st));
		rc = -1;
	}
	cairo_surface_destroy(surf);
	if (rc < 0 || !out.data) {
		if (rc == 0)
			set_err(err, errlen, "cairo wrote no pdf");
		buf_release(&out);
		return -1;
	}
	/* A fresh block of the exact size: the buffer grew inside cairo's
	 * stack, which the leak checker's suppression for cairo covers. */
	unsigned char *copy = malloc(out.len);
	if (!copy)
		abort();
	memcpy(copy, out.data, out.len);
	*pdf = copy;
	*len = out.len;
	buf_release(&out);
	return 0;
}

void certpdf_release_thread_fonts(void)
{
	pango_cairo_font_map_set_default(NULL);
}
