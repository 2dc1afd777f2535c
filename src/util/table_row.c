/* The table reader's row builder and error helpers, shared by the CSV
 * and XLSX readers (table_int.h). */
#include "util/table_int.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int table_fail(struct table *t, const char *fmt, ...)
{
	/* The first error is the one worth reporting; later ones are
	 * usually its consequences. */
	if (t->failed)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->err, sizeof(t->err), fmt, ap);
	va_end(ap);
	t->failed = true;
	return -1;
}

void table_clear_error(struct table *t)
{
	t->failed = false;
	t->err[0] = 0;
}

/* Column letters (1 -> A, 27 -> AA): what users look for in Excel. */
void table_col_name(size_t col, char out[8])
{
	char tmp[7];
	size_t n = 0;
	while (col > 0 && n < sizeof(tmp)) {
		col--;
		tmp[n++] = (char)('A' + col % 26);
		col /= 26;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = 0;
}

bool table_copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* ---- row building, shared by both formats ---- */

void table_row_begin(struct table *t)
{
	t->row.len = 0;
	t->ncells = 0;
	for (size_t i = 0; i < TABLE_MAX_CELLS; i++)
		t->off[i] = NO_CELL;
}

void table_cell_begin(struct table *t)
{
	t->cell_start = t->row.len;
}

int table_cell_add(struct table *t, size_t col, const void *p, size_t n)
{
	if (n > TABLE_MAX_CELL - (t->row.len - t->cell_start)) {
		char c[8];
		table_col_name(col, c);
		return table_fail(t, "row %zu, column %s: cell longer than %d bytes",
			    t->rowno, c, TABLE_MAX_CELL);
	}
	if (buf_append(&t->row, p, n) < 0)
		return table_fail(t, "row %zu: row too long", t->rowno);
	return 0;
}

int table_cell_end(struct table *t, size_t col)
{
	size_t n = t->row.len - t->cell_start;
	if (col > TABLE_MAX_CELLS) {
		if (n > 0)
			return table_fail(t, "row %zu: too many cells (%zu, at most %d)",
				    t->rowno, col, TABLE_MAX_CELLS);
		/* Empty cells past the limit are what Excel leaves behind
		 * when whole rows were formatted; they carry no data. */
		return 0;
	}
	if (buf_append(&t->row, "", 1) < 0)
		return table_fail(t, "row %zu: row too long", t->rowno);
	t->off[col - 1] = t->cell_start;
	if (col > t->ncells)
		t->ncells = col;
	return 0;
}

int table_cell_set(struct table *t, size_t col, const char *p, size_t n)
{
	table_cell_begin(t);
	if (table_cell_add(t, col, p, n) < 0)
		return -1;
	return table_cell_end(t, col);
}

/* Turns offsets into pointers; says whether any cell holds something. */
bool table_row_finish(struct table *t)
{
	bool any = false;
	for (size_t i = 0; i < t->ncells; i++) {
		if (t->off[i] == NO_CELL) {
			t->cells[i] = "";
		} else {
			t->cells[i] = t->row.data + t->off[i];
			if (t->cells[i][0])
				any = true;
		}
	}
	return any;
}
