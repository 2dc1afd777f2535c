/* Reads the spreadsheets districts already keep (CSV in UTF-8 or GB18030,
 * or the first worksheet of an XLSX file) one row at a time as UTF-8
 * cells, with hard limits so that a hostile upload cannot exhaust memory.
 * This file is the interface; table_csv.c and table_xlsx.c read the
 * formats, table_row.c builds rows for both. */
#include "util/table_int.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- interface ---- */

int table_open(const void *data, size_t len, struct table **out, char *err, size_t errlen)
{
	struct table *t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	buf_init(&t->row, ROW_MAX);
	buf_init(&t->xml, TABLE_MAX_XML);
	buf_init(&t->sst, TABLE_MAX_XML);
	buf_init(&t->val, TABLE_MAX_CELL);
	int rc;
	if (len >= 4 && memcmp(data, "PK\003\004", 4) == 0)
		rc = table_xlsx_open(t, data, len);
	else
		rc = table_csv_open(t, data, len);
	*out = NULL;
	if (rc < 0) {
		if (err && errlen)
			snprintf(err, errlen, "%s", t->err);
		table_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

enum table_format table_format(const struct table *t)
{
	return t->fmt;
}

int table_next(struct table *t, const char *const **cells, size_t *ncells, size_t *rowno)
{
	if (t->failed)
		return -1;
	int r = t->fmt == TABLE_XLSX ? table_xlsx_next(t) : table_csv_next(t);
	if (r == 1) {
		*cells = t->cells;
		*ncells = t->ncells;
		*rowno = t->rowno;
	}
	return r;
}

const char *table_error(const struct table *t)
{
	return t->err;
}

void table_free(struct table *t)
{
	if (!t)
		return;
	if (t->parser)
		XML_ParserFree(t->parser);
	buf_release(&t->row);
	buf_release(&t->xml);
	buf_release(&t->sst);
	buf_release(&t->val);
	free(t->sst_off);
	free(t->owned);
	free(t);
}
