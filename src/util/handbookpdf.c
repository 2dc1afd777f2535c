/* The handbook PDF: one pass measures the body (headings keep with what
 * follows, categories start on a fresh page, a sub-item is never split
 * across pages), which gives every table-of-contents entry its page; a
 * second pass draws the cover, the table of contents and the body with
 * the same measurements, so the printed page numbers are those the pages
 * really have. Text too long for a page is cut with an ellipsis rather
 * than run off the paper. */
#include "util/handbookpdf.h"
#include "util/pdfkit.h"
#include <cairo-pdf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A4 portrait in PDF points. */
#define PAGE_W 595.0
#define PAGE_H 842.0
#define MARGIN 64.0
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define TOP 78.0                        /* first line of a body page */
#define BOTTOM (PAGE_H - 78.0)          /* nothing is drawn below */
#define INDENT 14.0                     /* sub-items and hotlines */
#define PAGENO_W 40.0                   /* page-number column of the contents */

#define SERIF "Noto Serif CJK SC"
#define SANS "Noto Sans CJK SC"

static const struct pdf_rgb INK = { 0.10, 0.10, 0.10 };
static const struct pdf_rgb GREY = { 0.38, 0.38, 0.38 };
static const struct pdf_rgb RED = { 0.74, 0.07, 0.10 };
static const struct pdf_rgb PALE = { 0.97, 0.94, 0.92 };

static const struct pdf_style H1 = { SERIF, 20, PANGO_WEIGHT_BOLD, PANGO_ALIGN_LEFT, 0, 1.0, { 0.74, 0.07, 0.10 } };
static const struct pdf_style H2 = { SANS, 14, PANGO_WEIGHT_BOLD, PANGO_ALIGN_LEFT, 0, 0, { 0.10, 0.10, 0.10 } };
static const struct pdf_style H3 = { SANS, 11.5, PANGO_WEIGHT_MEDIUM, PANGO_ALIGN_LEFT, 0, 0, { 0.10, 0.10, 0.10 } };
static const struct pdf_style BODY = { SERIF, 10.5, PANGO_WEIGHT_NORMAL, PANGO_ALIGN_LEFT, 1.5, 0, { 0.10, 0.10, 0.10 } };
static const struct pdf_style FACTS = { SANS, 9, PANGO_WEIGHT_NORMAL, PANGO_ALIGN_LEFT, 1.45, 0, { 0.38, 0.38, 0.38 } };
static const struct pdf_style SMALL = { SANS, 8.5, PANGO_WEIGHT_NORMAL, PANGO_ALIGN_CENTER, 0, 0, { 0.38, 0.38, 0.38 } };
static const struct pdf_style TOC1 = { SANS, 12.5, PANGO_WEIGHT_BOLD, PANGO_ALIGN_LEFT, 0, 0, { 0.10, 0.10, 0.10 } };
static const struct pdf_style TOC2 = { SANS, 10.5, PANGO_WEIGHT_NORMAL, PANGO_ALIGN_LEFT, 0, 0, { 0.10, 0.10, 0.10 } };
static const struct pdf_style TOCNO = { SANS, 10.5, PANGO_WEIGHT_NORMAL, PANGO_ALIGN_RIGHT, 0, 0, { 0.10, 0.10, 0.10 } };
static const struct pdf_style HOTNO = { SANS, 13, PANGO_WEIGHT_BOLD, PANGO_ALIGN_LEFT, 0, 0, { 0.74, 0.07, 0.10 } };

/* ---- input checks ---- */

/* Valid UTF-8 within the limit, without C0 controls or DEL; line breaks
 * and tabs only when multiline. NULL and "" pass unless required. */
static bool check_text(const char *s, bool required, bool multiline)
{
	if (!s || !*s)
		return !required;
	size_t n = strnlen(s, HANDBOOKPDF_MAX_TEXT + 1);
	return n <= HANDBOOKPDF_MAX_TEXT && pdf_clean_text(s, n, multiline);
}

static int check_doc(const struct hb_doc *d, char *err, size_t errlen)
{
	if (!check_text(d->title, true, false) || !check_text(d->publisher, true, false) ||
	    !check_text(d->edition, true, false) || !check_text(d->summary, false, false) ||
	    !check_text(d->preface, false, true) || !check_text(d->menu_url, false, false)) {
		pdf_set_err(err, errlen, "cover text missing or not valid text");
		return -1;
	}
	if (d->n_entries > HANDBOOKPDF_MAX_ENTRIES || d->n_hotlines > HANDBOOKPDF_MAX_HOTLINES ||
	    (d->n_entries && !d->entries) || (d->n_hotlines && !d->hotlines)) {
		pdf_set_err(err, errlen, "too many entries or hotlines");
		return -1;
	}
	for (size_t i = 0; i < d->n_entries; i++) {
		const struct hb_entry *e = &d->entries[i];
		if (e->level < 1 || e->level > 3 || !check_text(e->title, true, false) ||
		    !check_text(e->description, false, true) || !check_text(e->facts, false, true)) {
			pdf_set_err(err, errlen, "entry %zu: bad level or text", i);
			return -1;
		}
	}
	for (size_t i = 0; i < d->n_hotlines; i++) {
		const struct hb_hotline *h = &d->hotlines[i];
		if (!check_text(h->number, true, false) || !check_text(h->name, true, false) ||
		    !check_text(h->facts, false, true)) {
			pdf_set_err(err, errlen, "hotline %zu: bad text", i);
			return -1;
		}
	}
	return 0;
}

/* ---- text ---- */

/* pdf_text's flags for a pass that draws or only measures. */
static unsigned mode(bool draw)
{
	return draw ? PDF_DRAW : PDF_MEASURE;
}

static bool empty(const char *s)
{
	return !s || !*s;
}

/* 1 → "一", 12 → "十二", 23 → "二十三"; past 99 the digits. */
static void cn_number(int n, char *out, size_t len)
{
	static const char *d[] = { "", "一", "二", "三", "四", "五", "六", "七", "八", "九" };
	if (n < 1 || n > 99)
		snprintf(out, len, "%d", n);
	else if (n < 10)
		snprintf(out, len, "%s", d[n]);
	else
		snprintf(out, len, "%s十%s", n >= 20 ? d[n / 10] : "", d[n % 10]);
}

/* The numbered heading of entry i: "一、社区服务", "（二）助老服务",
 * "3. 上门陪伴"; numbers restart under each parent. */
static char *numbered(const struct hb_entry *e, int no)
{
	char cn[16];
	cn_number(no, cn, sizeof(cn));
	if (e->level == 1)
		return g_strdup_printf("%s、%s", cn, e->title);
	if (e->level == 2)
		return g_strdup_printf("（%s）%s", cn, e->title);
	return g_strdup_printf("%d. %s", no, e->title);
}

/* Position of every entry among its siblings (1-based). */
static void number_entries(const struct hb_doc *d, int *no)
{
	int count[4] = { 0, 0, 0, 0 };
	for (size_t i = 0; i < d->n_entries; i++) {
		int l = d->entries[i].level;
		no[i] = ++count[l];
		for (int k = l + 1; k <= 3; k++)
			count[k] = 0;
	}
}

/* ---- the body ---- */

struct flow {
	const struct pdf_doc *doc;
	const struct hb_doc *d;
	const int *no;
	bool draw;
	int page;                       /* current page (1-based, whole document) */
	double y;
	int *entry_page;                /* out: the page of each entry */
	int hotlines_page;              /* out */
	/* heights of sub-item and hotline blocks, 0 until measured: the
	 * measuring pass fills them and the drawing pass only draws, as
	 * laying a block out is most of the work */
	double *sub_h, *hot_h;
};

static void page_frame(struct flow *f)
{
	if (!f->draw)
		return;
	cairo_t *cr = f->doc->cr;
	char *head = g_strdup_printf("%s · %s", f->d->title, f->d->publisher);
	char *foot = g_strdup_printf("第 %d 页", f->page);
	pdf_text(f->doc, &SMALL, MARGIN, 40, CONTENT_W, head, PDF_DRAW);
	cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
	cairo_set_line_width(cr, 0.4);
	pdf_line(cr, MARGIN, 56, MARGIN + CONTENT_W, 56);
	pdf_text(f->doc, &SMALL, MARGIN, PAGE_H - 52, CONTENT_W, foot, PDF_DRAW);
	g_free(head);
	g_free(foot);
}

/* Starts the next page of the body. */
static void next_page(struct flow *f)
{
	if (f->draw)
		cairo_show_page(f->doc->cr);
	f->page++;
	f->y = TOP;
	page_frame(f);
}

/* Height (and drawing at f->y) of a sub-item or hotline block: a title
 * line, then the description and the facts, each cut at a share of the
 * page so that a block always fits on one. */
static double item_block(struct flow *f, const struct pdf_style *ts, const char *title, const char *desc,
			 const char *facts, bool draw)
{
	const double x = MARGIN + INDENT, w = CONTENT_W - INDENT, cap = (BOTTOM - TOP) * 0.4;
	double y = f->y;
	y += pdf_text_max(f->doc, ts, x, y, w, 60, title, mode(draw), NULL);
	if (!empty(desc))
		y += 3 + pdf_text_max(f->doc, &BODY, x, y + 3, w, cap, desc, mode(draw), NULL);
	if (!empty(facts))
		y += 3 + pdf_text_max(f->doc, &FACTS, x, y + 3, w, cap, facts, mode(draw), NULL);
	if (draw) {
		cairo_set_source_rgb(f->doc->cr, RED.r, RED.g, RED.b);
		cairo_set_line_width(f->doc->cr, 1.6);
		pdf_line(f->doc->cr, MARGIN + 4, f->y + 2, MARGIN + 4, y - 1);
	}
	return y - f->y + 12;
}

static double heading_h(struct flow *f, const struct pdf_style *st, const char *text, bool draw)
{
	return pdf_text(f->doc, st, MARGIN, f->y, CONTENT_W, text, mode(draw));
}

/* Lays the body out from page first_page on; draws it when f->draw. */
static void flow_body(struct flow *f, int first_page)
{
	const struct hb_doc *d = f->d;
	f->page = first_page;
	f->y = TOP;
	page_frame(f);
	for (size_t i = 0; i < d->n_entries; i++) {
		const struct hb_entry *e = &d->entries[i];
		const struct hb_entry *next = i + 1 < d->n_entries ? &d->entries[i + 1] : NULL;
		char *text = numbered(e, f->no[i]);
		if (e->level == 1) {
			if (i > 0)
				next_page(f);
			f->entry_page[i] = f->page;
			double h = heading_h(f, &H1, text, f->draw);
			if (f->draw) {
				cairo_set_source_rgb(f->doc->cr, RED.r, RED.g, RED.b);
				cairo_set_line_width(f->doc->cr, 1.0);
				pdf_line(f->doc->cr, MARGIN, f->y + h + 6, MARGIN + CONTENT_W, f->y + h + 6);
			}
			f->y += h + 18;
			if (!empty(e->description))
				f->y += 10 + pdf_text_max(f->doc, &BODY, MARGIN, f->y, CONTENT_W, (BOTTOM - TOP) * 0.3,
							  e->description, mode(f->draw), NULL);
		} else if (e->level == 2) {
			/* keep the heading with its first sub-item */
			double h = heading_h(f, &H2, text, false) + 10;
			double dh = empty(e->description) ? 0 :
				6 + pdf_text_max(f->doc, &BODY, MARGIN, 0, CONTENT_W, (BOTTOM - TOP) * 0.2,
						 e->description, PDF_MEASURE, NULL);
			double first = 0;
			if (next && next->level == 3) {
				if (f->sub_h[i + 1] == 0) {
					char *t3 = numbered(next, 1);
					f->sub_h[i + 1] = item_block(f, &H3, t3, next->description, next->facts, false);
					g_free(t3);
				}
				first = f->sub_h[i + 1];
			}
			if (f->y + h + dh + first > BOTTOM && f->y > TOP + 1)
				next_page(f);
			f->entry_page[i] = f->page;
			if (f->draw) {
				cairo_set_source_rgb(f->doc->cr, PALE.r, PALE.g, PALE.b);
				cairo_rectangle(f->doc->cr, MARGIN - 4, f->y - 3, CONTENT_W + 8, h - 4);
				cairo_fill(f->doc->cr);
			}
			heading_h(f, &H2, text, f->draw);
			f->y += h;
			if (dh > 0) {
				pdf_text_max(f->doc, &BODY, MARGIN, f->y, CONTENT_W, (BOTTOM - TOP) * 0.2,
					     e->description, mode(f->draw), NULL);
				f->y += dh;
			}
		} else {
			if (f->sub_h[i] == 0)
				f->sub_h[i] = item_block(f, &H3, text, e->description, e->facts, false);
			if (f->y + f->sub_h[i] > BOTTOM && f->y > TOP + 1)
				next_page(f);
			f->entry_page[i] = f->page;
			if (f->draw)
				item_block(f, &H3, text, e->description, e->facts, true);
			f->y += f->sub_h[i];
		}
		g_free(text);
	}
	if (d->n_hotlines == 0)
		return;
	if (d->n_entries > 0)
		next_page(f);
	f->hotlines_page = f->page;
	double h = heading_h(f, &H1, "服务热线", f->draw);
	if (f->draw) {
		cairo_set_source_rgb(f->doc->cr, RED.r, RED.g, RED.b);
		cairo_set_line_width(f->doc->cr, 1.0);
		pdf_line(f->doc->cr, MARGIN, f->y + h + 6, MARGIN + CONTENT_W, f->y + h + 6);
	}
	f->y += h + 18;
	for (size_t i = 0; i < d->n_hotlines; i++) {
		const struct hb_hotline *hl = &d->hotlines[i];
		char *title = g_strdup_printf("%s  %s", hl->number, hl->name);
		if (f->hot_h[i] == 0)
			f->hot_h[i] = item_block(f, &HOTNO, title, NULL, hl->facts, false);
		if (f->y + f->hot_h[i] > BOTTOM && f->y > TOP + 1)
			next_page(f);
		if (f->draw)
			item_block(f, &HOTNO, title, NULL, hl->facts, true);
		f->y += f->hot_h[i];
		g_free(title);
	}
}

/* ---- cover and contents ---- */

static void draw_cover(const struct pdf_doc *doc, const struct hb_doc *d)
{
	cairo_t *cr = doc->cr;
	cairo_set_source_rgb(cr, RED.r, RED.g, RED.b);
	cairo_rectangle(cr, 0, 0, PAGE_W, 150);
	cairo_fill(cr);
	cairo_set_line_width(cr, 2.0);
	cairo_rectangle(cr, 28, 28, PAGE_W - 56, PAGE_H - 56);
	cairo_stroke(cr);
	const struct pdf_style title = { SERIF, 42, PANGO_WEIGHT_BOLD, PANGO_ALIGN_CENTER, 0, 10, INK };
	const struct pdf_style pub = { SERIF, 18, PANGO_WEIGHT_NORMAL, PANGO_ALIGN_CENTER, 0, 2, INK };
	const struct pdf_style sum = { SANS, 12, PANGO_WEIGHT_NORMAL, PANGO_ALIGN_CENTER, 0, 0, GREY };
	const struct pdf_style pre = { SERIF, 11, PANGO_WEIGHT_NORMAL, PANGO_ALIGN_LEFT, 1.7, 0, INK };
	const struct pdf_style ed = { SANS, 12, PANGO_WEIGHT_NORMAL, PANGO_ALIGN_CENTER, 0, 0, INK };
	/* letter spacing also follows the last glyph: shift by half of it */
	pdf_text(doc, &title, title.tracking / 2, 250, PAGE_W, d->title, PDF_DRAW);
	pdf_text(doc, &pub, MARGIN, 340, CONTENT_W, d->publisher, PDF_DRAW);
	if (!empty(d->summary))
		pdf_text(doc, &sum, MARGIN, 384, CONTENT_W, d->summary, PDF_DRAW);
	if (!empty(d->preface))
		pdf_text_max(doc, &pre, MARGIN + 30, 460, CONTENT_W - 60, 200, d->preface, PDF_DRAW, NULL);
	pdf_text(doc, &ed, MARGIN, PAGE_H - 130, CONTENT_W, d->edition, PDF_DRAW);
	if (!empty(d->menu_url)) {
		const double qr = 84, y = PAGE_H - 130 - 24 - qr - 30;
		(void)pdf_qr(cr, d->menu_url, (PAGE_W - qr) / 2, y, qr);   /* else the address in words */
		char *cap = g_strdup_printf("扫码在线点单：%s", d->menu_url);
		pdf_text(doc, &SMALL, MARGIN, y + qr + 8, CONTENT_W, cap, PDF_DRAW);
		g_free(cap);
	}
}

/* One line of the contents, measured (and drawn at y when draw is set)
 * with a dotted leader to its page number, linked to the page. */
static double toc_line(const struct pdf_doc *doc, int level, const char *text, int page, double y, bool draw)
{
	const struct pdf_style *st = level == 1 ? &TOC1 : &TOC2;
	double x = MARGIN + (level == 1 ? 0 : 22);
	double w = CONTENT_W - (x - MARGIN) - PAGENO_W - 10;
	double tw = 0;
	double h = pdf_text_max(doc, st, x, y, w, st->size * 1.6, text, PDF_MEASURE, &tw);
	if (draw) {
		char *link = g_strdup_printf("page=%d", page);
		char no[16];
		snprintf(no, sizeof(no), "%d", page);
		cairo_tag_begin(doc->cr, CAIRO_TAG_LINK, link);
		pdf_text_max(doc, st, x, y, w, st->size * 1.6, text, PDF_DRAW, NULL);
		double dots_y = y + h * 0.72;
		double dash[] = { 0.8, 3.2 };
		cairo_set_source_rgb(doc->cr, GREY.r, GREY.g, GREY.b);
		cairo_set_line_width(doc->cr, 0.8);
		cairo_set_dash(doc->cr, dash, 2, 0);
		pdf_line(doc->cr, x + tw + 6, dots_y, MARGIN + CONTENT_W - PAGENO_W, dots_y);
		cairo_set_dash(doc->cr, NULL, 0, 0);
		pdf_text(doc, &TOCNO, MARGIN + CONTENT_W - PAGENO_W, y + (level == 1 ? 1.5 : 0), PAGENO_W,
			 no, PDF_DRAW);
		cairo_tag_end(doc->cr, CAIRO_TAG_LINK);
		g_free(link);
	}
	return h + (level == 1 ? 12 : 7);
}

#define TOC_FIRST_Y (TOP + 56)

/* Lays the contents out over its pages (from page 2) and draws them when
 * draw is set; returns the number of pages it takes. */
static int flow_toc(const struct pdf_doc *doc, const struct hb_doc *d, const int *no, const int *entry_page,
		    int hotlines_page, bool draw)
{
	int pages = 1;
	double y = TOC_FIRST_Y;
	if (draw) {
		const struct pdf_style t = { SERIF, 22, PANGO_WEIGHT_BOLD, PANGO_ALIGN_CENTER, 0, 12, RED };
		pdf_text(doc, &t, t.tracking / 2, TOP, PAGE_W, "目录", PDF_DRAW);
	}
	for (size_t i = 0; i <= d->n_entries; i++) {
		int level, page;
		char *text;
		if (i < d->n_entries) {
			const struct hb_entry *e = &d->entries[i];
			if (e->level > 2)
				continue;
			level = e->level;
			page = entry_page[i];
			text = numbered(e, no[i]);
		} else {
			if (d->n_hotlines == 0)
				break;
			level = 1;
			page = hotlines_page;
			text = g_strdup("服务热线");
		}
		double h = toc_line(doc, level, text, page, y, false);
		if (y + h > BOTTOM) {
			if (draw)
				cairo_show_page(doc->cr);
			pages++;
			y = TOP;
		}
		if (draw)
			toc_line(doc, level, text, page, y, true);
		y += h;
		g_free(text);
	}
	return pages;
}

/* Bookmarks: each category with its items, then the hotlines. */
static void add_outline(const struct pdf_doc *doc, const struct hb_doc *d, const int *no, const int *entry_page,
			int hotlines_page)
{
	int parent = CAIRO_PDF_OUTLINE_ROOT;
	for (size_t i = 0; i < d->n_entries; i++) {
		const struct hb_entry *e = &d->entries[i];
		if (e->level > 2)
			continue;
		char *text = numbered(e, no[i]);
		char *link = g_strdup_printf("page=%d", entry_page[i]);
		int id = cairo_pdf_surface_add_outline(doc->surf, e->level == 1 ? CAIRO_PDF_OUTLINE_ROOT : parent,
						       text, link, 0);
		if (e->level == 1)
			parent = id;
		g_free(text);
		g_free(link);
	}
	if (d->n_hotlines > 0) {
		char *link = g_strdup_printf("page=%d", hotlines_page);
		cairo_pdf_surface_add_outline(doc->surf, CAIRO_PDF_OUTLINE_ROOT, "服务热线", link, 0);
		g_free(link);
	}
}

/* Measures, then draws every page. */
static void draw_document(const struct pdf_doc *doc, const struct hb_doc *d, int *no, int *entry_page,
			  struct hb_layout *out)
{
	number_entries(d, no);
	/* body pages counted from 1, to learn how long it is and where each
	 * entry falls; then the contents, whose length shifts them all */
	double *sub_h = calloc(d->n_entries + 1, sizeof(double));
	double *hot_h = calloc(d->n_hotlines + 1, sizeof(double));
	if (!sub_h || !hot_h)
		abort();
	struct flow f = { .doc = doc, .d = d, .no = no, .draw = false, .entry_page = entry_page,
		.sub_h = sub_h, .hot_h = hot_h };
	flow_body(&f, 1);
	int body_pages = f.page;
	int toc_pages = flow_toc(doc, d, no, entry_page, f.hotlines_page, false);
	int shift = 1 + toc_pages;
	for (size_t i = 0; i < d->n_entries; i++)
		entry_page[i] += shift;
	int hotlines_page = d->n_hotlines ? f.hotlines_page + shift : 0;

	draw_cover(doc, d);
	cairo_show_page(doc->cr);
	flow_toc(doc, d, no, entry_page, hotlines_page, true);
	cairo_show_page(doc->cr);
	add_outline(doc, d, no, entry_page, hotlines_page);
	struct flow g = { .doc = doc, .d = d, .no = no, .draw = true, .entry_page = entry_page,
		.sub_h = sub_h, .hot_h = hot_h };
	flow_body(&g, 1 + toc_pages + 1);
	free(sub_h);
	free(hot_h);
	out->pages = 1 + toc_pages + body_pages;
	out->toc_pages = toc_pages;
	out->hotlines_page = hotlines_page;
}

int handbookpdf_render(const struct hb_doc *d, unsigned char **pdf, size_t *len,
		       struct hb_layout *layout, char *err, size_t errlen)
{
	*pdf = NULL;
	*len = 0;
	if (!d) {
		pdf_set_err(err, errlen, "no handbook");
		return -1;
	}
	if (check_doc(d, err, errlen) < 0)
		return -1;

	struct pdf_doc doc;
	pdf_open(&doc, PAGE_W, PAGE_H, HANDBOOKPDF_MAX_PDF);
	cairo_pdf_surface_set_metadata(doc.surf, CAIRO_PDF_METADATA_TITLE, d->title);
	cairo_pdf_surface_set_metadata(doc.surf, CAIRO_PDF_METADATA_AUTHOR, d->publisher);
	struct hb_layout lay = { 0, 0, 0 };
	int *no = calloc(d->n_entries + 1, sizeof(int));
	int *entry_page = calloc(d->n_entries + 1, sizeof(int));
	if (!no || !entry_page)
		abort();
	draw_document(&doc, d, no, entry_page, &lay);
	free(no);
	free(entry_page);
	if (pdf_finish(&doc, pdf, len, err, errlen) < 0)
		return -1;
	if (layout)
		*layout = lay;
	return 0;
}
