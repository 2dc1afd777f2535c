/* libFuzzer target: the spreadsheet reader (util/table.c): CSV in UTF-8
 * or GB18030 and XLSX (zip, shared strings, worksheet XML). Every row it
 * gives must keep the documented limits. Then the one CSV writer
 * (app/service/exports.c) and the reader must agree: the rows written back as CSV
 * read the same, formula cells with the ' the writer puts in front. */
#include "app/service/exports.h"
#include "util/buf.h"
#include "util/table.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEEP_ROWS 64

struct rows {
	char *cells[KEEP_ROWS][TABLE_MAX_CELLS];
	size_t n[KEEP_ROWS];
	size_t count;
};

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->count; i++)
		for (size_t c = 0; c < r->n[i]; c++)
			free(r->cells[i][c]);
}

static bool formula(const char *s)
{
	return *s && strchr("=+-@\t\r", *s);
}

/* What the reader gives for the writer's CSV of the first rows. */
static void round_trip(const struct rows *r)
{
	struct buf b;
	buf_init(&b, (size_t)KEEP_ROWS * TABLE_MAX_CELLS * (2 * TABLE_MAX_CELL + 4));
	buf_puts(&b, "\xef\xbb\xbf");   /* with a BOM, as archive.csv */
	for (size_t i = 0; i < r->count; i++)
		for (size_t c = 0; c < r->n[i]; c++)
			export_csv_cell(&b, r->cells[i][c], c + 1 == r->n[i]);
	struct table *t = NULL;
	char err[256];
	if (table_open(b.data ? b.data : "", b.len, &t, err, sizeof(err)) != 0) {
		fprintf(stderr, "the reader refuses the writer's CSV: %s\n", err);
		abort();
	}
	const char *const *cells;
	size_t n, rowno;
	for (size_t i = 0; i < r->count; i++) {
		if (table_next(t, &cells, &n, &rowno) != 1 || n != r->n[i]) {
			fprintf(stderr, "row %zu: %s\n", i + 1, table_error(t));
			abort();
		}
		for (size_t c = 0; c < n; c++) {
			const char *want = r->cells[i][c];
			bool guarded = formula(want);
			if ((guarded && (cells[c][0] != '\'' || strcmp(cells[c] + 1, want) != 0)) ||
			    (!guarded && strcmp(cells[c], want) != 0)) {
				fprintf(stderr, "row %zu cell %zu: wrote \"%s\", read \"%s\"\n", i + 1, c + 1, want, cells[c]);
				abort();
			}
		}
	}
	if (table_next(t, &cells, &n, &rowno) != 0)
		abort();   /* nothing more than was written */
	table_free(t);
	buf_release(&b);
}

/* Cells are UTF-8 as jansson takes it: an import puts them into JSON. */
static bool utf8(const char *s)
{
	json_t *j = json_string(s);
	json_decref(j);
	return j != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct table *t = NULL;
	char err[256];
	if (table_open(data, size, &t, err, sizeof(err)) != 0) {
		if (!err[0])
			abort();   /* a refusal says why */
		return 0;
	}
	static struct rows kept;
	kept.count = 0;
	bool fits = true;   /* cells the guard's ' keeps within the limit */
	const char *const *cells;
	size_t n, rowno, last = 0;
	int rc;
	while ((rc = table_next(t, &cells, &n, &rowno)) == 1) {
		if (n > TABLE_MAX_CELLS || rowno <= last)
			abort();
		last = rowno;
		bool empty = true;
		for (size_t i = 0; i < n; i++) {
			size_t len = strlen(cells[i]);
			if (len > TABLE_MAX_CELL)
				abort();
			fits = fits && len < TABLE_MAX_CELL;
			if (!utf8(cells[i]))
				abort();
			empty = empty && len == 0;
		}
		if (empty)
			abort();   /* empty rows are skipped */
		if (kept.count < KEEP_ROWS) {
			for (size_t i = 0; i < n; i++)
				kept.cells[kept.count][i] = strdup(cells[i]);
			kept.n[kept.count++] = n;
		}
	}
	if (rc == -1 && (!table_error(t) || !table_error(t)[0]))
		abort();
	table_free(t);
	if (fits)
		round_trip(&kept);
	rows_free(&kept);
	return 0;
}
