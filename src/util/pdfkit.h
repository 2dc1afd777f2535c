/* What the in-memory PDF writers (util/certpdf, util/handbookpdf) share:
 * a cairo PDF surface that writes into a bounded buffer, with a Pango
 * context set up for print; text blocks in a style; ruled lines; QR
 * codes; the checks every text passes; and the finishing sequence that
 * turns cairo's errors into messages and hands the caller a block of the
 * exact size. The writers keep their own layout. */
#ifndef ZY_PDFKIT_H
#define ZY_PDFKIT_H
#include "util/buf.h"
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stddef.h>

struct pdf_rgb {
	double r, g, b;
};

/* How a block of text looks. */
struct pdf_style {
	const char *family;            /* e.g. "Noto Serif CJK SC" */
	double size;                   /* absolute size in points */
	PangoWeight weight;
	PangoAlignment align;
	double spacing;                /* line spacing factor, 0 = font default */
	double tracking;               /* extra letter spacing in points, 0 = none */
	struct pdf_rgb colour;
};

/* One document being written. The fields are for drawing (cr, pc) and
 * for cairo-pdf calls on the surface (metadata, outlines); the buffer
 * belongs to pdf_finish/pdf_discard. */
struct pdf_doc {
	cairo_surface_t *surf;         /* the PDF surface */
	cairo_t *cr;                   /* drawing context on surf */
	PangoContext *pc;              /* unhinted, unrounded: see pdf_open */
	struct buf out;                /* what cairo has written so far */
};

/* Starts a document of pages width × height points whose finished PDF
 * may take at most max_bytes, and sets its creator to Zhiyuan (the
 * caller sets the title and the rest with cairo_pdf_surface_set_metadata
 * on doc->surf). No error here: cairo reports a failed surface through
 * its status, which pdf_finish reads. doc must stay where it is (cairo
 * writes into doc->out) until pdf_finish or pdf_discard. */
void pdf_open(struct pdf_doc *doc, double width, double height, size_t max_bytes);

/* Ends the document and releases everything pdf_open made. On success
 * returns 0 with *pdf a malloc'd block of exactly *len bytes (the caller
 * frees it); otherwise -1 with *pdf NULL, *len 0 and a message in err
 * (may be NULL): a cairo error, or "pdf is larger than N bytes". */
int pdf_finish(struct pdf_doc *doc, unsigned char **pdf, size_t *len, char *err, size_t errlen);

/* Releases a document whose drawing failed; nothing is returned. */
void pdf_discard(struct pdf_doc *doc);

/* What pdf_text does with its text. */
enum pdf_text_flags {
	PDF_MEASURE = 0,               /* only measure */
	PDF_DRAW = 1,                  /* draw too */
	PDF_MARKUP = 2,                /* the text is Pango markup */
	PDF_PARAGRAPH = 4,             /* justified, first line indented two ems,
					* as Chinese body text is set */
};

/* Lays text out at width w in style st (wrapped at words, else at
 * characters) and returns its height in points; with PDF_DRAW also draws
 * it with its top-left corner at (x, y). */
double pdf_text(const struct pdf_doc *doc, const struct pdf_style *st, double x, double y, double w,
		const char *text, unsigned flags);

/* pdf_text, cut with an ellipsis at max_h points when max_h > 0; *text_w
 * (may be NULL) gets the width of the text's logical box (where the last
 * line ends, for a one-line text). */
double pdf_text_max(const struct pdf_doc *doc, const struct pdf_style *st, double x, double y, double w,
		    double max_h, const char *text, unsigned flags, double *text_w);

/* Strokes a line from (x0, y0) to (x1, y1) in the current source colour
 * and line width. */
void pdf_line(cairo_t *cr, double x0, double y0, double x1, double y1);

/* Draws the QR code of text (error correction M) size points wide with
 * its top-left corner at (x, y), in black: one path of row runs, so
 * neighbouring dark modules leave no seams. Returns 0, or -1 (nothing
 * drawn) when text cannot be encoded. */
int pdf_qr(cairo_t *cr, const char *text, double x, double y, double size);

/* Whether the n bytes at s are valid UTF-8 without C0 controls or DEL;
 * line breaks and tabs pass only when multiline is set. */
bool pdf_clean_text(const char *s, size_t n, bool multiline);

/* Formats a message into err (nothing when err is NULL or errlen 0). */
void pdf_set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Drops the calling thread's Pango font map and its font caches (they
 * are rebuilt on the next document). For worker threads that exit and
 * for tests that run under LeakSanitizer. */
void pdf_release_thread_fonts(void);

#endif
