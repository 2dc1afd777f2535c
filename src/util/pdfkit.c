/* The shared plumbing of the PDF writers: cairo's PDF surface writing
 * into a bounded buf, Pango text in a style, lines, QR codes
 * (libqrencode), text checks and the finishing sequence. See pdfkit.h. */
#include "util/pdfkit.h"
#include <cairo-pdf.h>
#include <qrencode.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pdf_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

bool pdf_clean_text(const char *s, size_t n, bool multiline)
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

/* ---- the document ---- */

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int length)
{
	return buf_append(closure, data, length) < 0 ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

void pdf_open(struct pdf_doc *doc, double width, double height, size_t max_bytes)
{
	buf_init(&doc->out, max_bytes);
	doc->surf = cairo_pdf_surface_create_for_stream(write_cb, &doc->out, width, height);
	cairo_pdf_surface_set_metadata(doc->surf, CAIRO_PDF_METADATA_CREATOR, "Zhiyuan");
	doc->cr = cairo_create(doc->surf);

	/* Unhinted metrics and unrounded positions: the PDF is scaled freely,
	 * and a writer's measuring pass must agree with its drawing one. */
	doc->pc = pango_cairo_create_context(doc->cr);
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	pango_cairo_context_set_font_options(doc->pc, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_round_glyph_positions(doc->pc, FALSE);
}

/* Closes the drawing side, finishes the surface (cairo writes the file
 * into doc->out here) and destroys it; returns 0, or -1 with err set
 * when check is set and cairo reports an error. */
static int close_doc(struct pdf_doc *doc, bool check, char *err, size_t errlen)
{
	int rc = 0;
	g_object_unref(doc->pc);
	if (check && cairo_status(doc->cr) != CAIRO_STATUS_SUCCESS) {
		pdf_set_err(err, errlen, "cairo: %s", cairo_status_to_string(cairo_status(doc->cr)));
		rc = -1;
	}
	cairo_destroy(doc->cr);
	cairo_surface_finish(doc->surf);
	if (check && rc == 0 && cairo_surface_status(doc->surf) != CAIRO_STATUS_SUCCESS) {
		cairo_status_t st = cairo_surface_status(doc->surf);
		if (st == CAIRO_STATUS_WRITE_ERROR)
			pdf_set_err(err, errlen, "pdf is larger than %zu bytes", doc->out.max);
		else
			pdf_set_err(err, errlen, "cairo: %s", cairo_status_to_string(st));
		rc = -1;
	}
	cairo_surface_destroy(doc->surf);
	doc->pc = NULL;
	doc->cr = NULL;
	doc->surf = NULL;
	return rc;
}

int pdf_finish(struct pdf_doc *doc, unsigned char **pdf, size_t *len, char *err, size_t errlen)
{
	*pdf = NULL;
	*len = 0;
	int rc = close_doc(doc, true, err, errlen);
	if (rc == 0 && !doc->out.data) {
		pdf_set_err(err, errlen, "cairo wrote no pdf");
		rc = -1;
	}
	if (rc < 0)
		goto out;
	/* A fresh block of the exact size: the buffer grew inside cairo's
	 * stack, which the leak checker's suppression for cairo covers
	 * (tests/lsan.supp), so a caller's leak of it would go unseen. */
	unsigned char *copy = malloc(doc->out.len);
	if (!copy)
		abort();
	memcpy(copy, doc->out.data, doc->out.len);
	*pdf = copy;
	*len = doc->out.len;
out:
	buf_release(&doc->out);
	return rc;
}

void pdf_discard(struct pdf_doc *doc)
{
	close_doc(doc, false, NULL, 0);
	buf_release(&doc->out);
}

/* ---- drawing ---- */

double pdf_text_max(const struct pdf_doc *doc, const struct pdf_style *st, double x, double y, double w,
		    double max_h, const char *text, unsigned flags, double *text_w)
{
	PangoLayout *lay = pango_layout_new(doc->pc);
	PangoFontDescription *fd = pango_font_description_new();
	pango_font_description_set_family(fd, st->family);
	pango_font_description_set_weight(fd, st->weight);
	pango_font_description_set_absolute_size(fd, st->size * PANGO_SCALE);
	pango_layout_set_font_description(lay, fd);
	pango_font_description_free(fd);

	pango_layout_set_width(lay, (int)(w * PANGO_SCALE));
	pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(lay, st->align);
	if (flags & PDF_PARAGRAPH) {
		pango_layout_set_justify(lay, TRUE);
		pango_layout_set_indent(lay, (int)(2 * st->size * PANGO_SCALE));
	}
	if (st->spacing > 0)
		pango_layout_set_line_spacing(lay, (float)st->spacing);
	if (max_h > 0) {
		pango_layout_set_height(lay, (int)(max_h * PANGO_SCALE));
		pango_layout_set_ellipsize(lay, PANGO_ELLIPSIZE_END);
	}
	if (st->tracking > 0) {
		PangoAttrList *al = pango_attr_list_new();
		pango_attr_list_insert(al, pango_attr_letter_spacing_new((int)(st->tracking * PANGO_SCALE)));
		pango_layout_set_attributes(lay, al);
		pango_attr_list_unref(al);
	}
	/* markup brings its own attribute list, which replaces the tracking */
	if (flags & PDF_MARKUP)
		pango_layout_set_markup(lay, text, -1);
	else
		pango_layout_set_text(lay, text, -1);

	int pw, ph;
	pango_layout_get_size(lay, &pw, &ph);
	if (text_w) {
		PangoRectangle ink, logical;
		pango_layout_get_extents(lay, &ink, &logical);
		*text_w = (double)(logical.x + logical.width) / PANGO_SCALE;
	}
	if (flags & PDF_DRAW) {
		cairo_set_source_rgb(doc->cr, st->colour.r, st->colour.g, st->colour.b);
		cairo_move_to(doc->cr, x, y);
		pango_cairo_show_layout(doc->cr, lay);
	}
	g_object_unref(lay);
	return (double)ph / PANGO_SCALE;
}

double pdf_text(const struct pdf_doc *doc, const struct pdf_style *st, double x, double y, double w,
		const char *text, unsigned flags)
{
	return pdf_text_max(doc, st, x, y, w, 0, text, flags, NULL);
}

void pdf_line(cairo_t *cr, double x0, double y0, double x1, double y1)
{
	cairo_move_to(cr, x0, y0);
	cairo_line_to(cr, x1, y1);
	cairo_stroke(cr);
}

int pdf_qr(cairo_t *cr, const char *text, double x, double y, double size)
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

void pdf_release_thread_fonts(void)
{
	pango_cairo_font_map_set_default(NULL);
}
