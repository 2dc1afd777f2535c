/* Private to the table reader (table.c, table_row.c, table_csv.c,
 * table_xlsx.c): the reader's state and the row builder both formats
 * share. Arrows run one way: table.c dispatches to the formats, and both
 * build rows through table_row.c. */
#ifndef ZY_TABLE_INT_H
#define ZY_TABLE_INT_H
#include "util/table.h"
#include "util/buf.h"
#include <expat.h>
#include <stdbool.h>
#include <stdint.h>

#define NO_CELL SIZE_MAX
#define XML_CHUNK 65536
#define PATH_MAX_LEN 512
/* Room for every allowed cell plus one cell past the limit: that cell is
 * built before we know whether it is empty (dropped) or an error. */
#define ROW_MAX ((TABLE_MAX_CELLS + 1) * (TABLE_MAX_CELL + 1))

/* State shared by the expat handlers of every XLSX part. */
struct xml_ctx {
	XML_Parser p;
	struct table *t;
	const char *name;               /* part name, for messages */
	bool stop;                      /* a handler ended the parse on purpose */
	char rid[128];                  /* workbook.xml: first sheet's r:id */
	char target[PATH_MAX_LEN];      /* rels: Target of that id */
	char sst_target[PATH_MAX_LEN];  /* rels: Target of the shared strings */
	bool in_si, in_t;
	unsigned rph;                   /* depth inside <rPh> phonetic runs */
};

struct table {
	enum table_format fmt;
	bool failed;
	char err[256];

	/* The row being built: cell bytes, each cell NUL-terminated. Offsets,
	 * not pointers, because the buffer may move while it grows. */
	struct buf row;
	size_t off[TABLE_MAX_CELLS];
	const char *cells[TABLE_MAX_CELLS];
	size_t ncells;
	size_t rowno;
	size_t nrows;
	size_t cell_start;

	/* CSV */
	const char *text;
	size_t len, pos;
	char *owned;                    /* GB18030 input converted to UTF-8 */

	/* XLSX */
	struct xml_ctx sx;
	XML_Parser parser;
	struct buf xml;                 /* the worksheet part */
	size_t fed;
	bool final_fed, suspended;
	struct buf sst;                 /* shared strings, each NUL-terminated */
	size_t *sst_off;
	size_t sst_n, sst_cap;
	struct buf val;                 /* text of the cell being parsed */
	bool in_row, in_c, in_v, in_is;
	size_t col, lastcol;
	char ctype;
};

/* Records the first error (later ones are usually its consequences) and
 * returns -1. */
__attribute__((format(printf, 2, 3)))
int table_fail(struct table *t, const char *fmt, ...);
void table_clear_error(struct table *t);
/* Column letters (1 -> A, 27 -> AA) into out. */
void table_col_name(size_t col, char out[8]);
/* Copies src into dst[cap]; false when it does not fit. */
bool table_copy_str(char *dst, size_t cap, const char *src);

/* The row builder: begin a row, then per cell begin, add bytes, end (or
 * set a whole cell), then finish (offsets become pointers; true when any
 * cell holds something). Adders return 0 or -1 (a broken limit). */
void table_row_begin(struct table *t);
void table_cell_begin(struct table *t);
int table_cell_add(struct table *t, size_t col, const void *p, size_t n);
int table_cell_end(struct table *t, size_t col);
int table_cell_set(struct table *t, size_t col, const char *p, size_t n);
bool table_row_finish(struct table *t);

/* The formats: open checks and prepares (0 or -1), next builds the next
 * row (1, 0 at the end, -1). */
int table_csv_open(struct table *t, const void *data, size_t len);
int table_csv_next(struct table *t);
int table_xlsx_open(struct table *t, const void *data, size_t len);
int table_xlsx_next(struct table *t);

#endif
