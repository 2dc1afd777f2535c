/* The volunteer-service handbook (志愿服务手册) as an A4 PDF built in
 * memory: a cover, a table of contents with page numbers (and links), the
 * menu's categories → items → sub-items, and the service hotlines. cairo's
 * PDF surface and Pango (Noto Serif/Sans CJK SC, real extractable text)
 * through util/pdfkit, as util/certpdf does; the PDF also gets an outline
 * (bookmarks) of the categories and items. This file knows nothing of the
 * menu's tables: app/menu/menudocs.c turns them into a struct hb_doc. */
#ifndef ZY_HANDBOOKPDF_H
#define ZY_HANDBOOKPDF_H
#include <stddef.h>

#define HANDBOOKPDF_MAX_ENTRIES 4000   /* headings + sub-items */
#define HANDBOOKPDF_MAX_HOTLINES 1000
#define HANDBOOKPDF_MAX_TEXT 16000     /* bytes of any one text */
#define HANDBOOKPDF_MAX_PDF (64u << 20) /* bytes of the finished PDF */

/* One entry of the menu, in reading order: level 1 a category, 2 an item
 * (both in the table of contents), 3 a sub-item (name, description and
 * facts such as "服务时间：…", one per line). */
struct hb_entry {
	int level;                 /* 1, 2 or 3 */
	const char *title;         /* the name, without numbering */
	const char *description;   /* may be NULL or empty */
	const char *facts;         /* lines "标签：值" separated by '\n'; may be NULL */
};

/* One service hotline. */
struct hb_hotline {
	const char *number;        /* e.g. "028-8263 1234" */
	const char *name;          /* e.g. "温江区助老服务热线" */
	const char *facts;         /* lines "标签：值" separated by '\n'; may be NULL */
};

struct hb_doc {
	const char *title;         /* 志愿服务手册 */
	const char *publisher;     /* the organisation publishing the menu */
	const char *edition;       /* e.g. "2026年12月版" */
	const char *summary;       /* e.g. "2 类 23 项 93 个服务子项 · 39 条服务热线" */
	const char *preface;       /* a paragraph under the cover's title page; may be NULL */
	const char *menu_url;      /* the public menu online: a QR code on the cover; may be NULL */
	const struct hb_entry *entries;
	size_t n_entries;
	const struct hb_hotline *hotlines;
	size_t n_hotlines;
};

/* How the document came out: filled by handbookpdf_render when its
 * layout argument is not NULL (for tests and for the caller's own index). */
struct hb_layout {
	int pages;                 /* pages in all */
	int toc_pages;             /* pages of the table of contents (after the cover) */
	int hotlines_page;         /* page the hotlines start on, 0 without hotlines */
};

/* Renders d into *pdf (malloc'd, caller frees) and *len; *layout (may be
 * NULL) tells the page count and where parts start. Every text must be
 * valid UTF-8 without control characters (facts and description may
 * hold line breaks) and within the limits above. Returns 0, or -1 with a
 * message in err (may be NULL). Safe from several threads (Pango keeps
 * one font map per thread; pdf_release_thread_fonts drops it). */
int handbookpdf_render(const struct hb_doc *d, unsigned char **pdf, size_t *len,
		       struct hb_layout *layout, char *err, size_t errlen);

#endif
