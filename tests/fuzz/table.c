/* libFuzzer target: the spreadsheet reader (util/table.c): CSV in UTF-8
 * or GB18030 and XLSX (zip, shared strings, worksheet XML). Every row it
 * gives must keep the documented limits. */
#include "util/table.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct table *t = NULL;
	char err[256];
	if (table_open(data, size, &t, err, sizeof(err)) != 0) {
		if (!err[0])
			abort();   /* a refusal says why */
		return 0;
	}
	const char *const *cells;
	size_t n, rowno, last = 0;
	int rc;
	while ((rc = table_next(t, &cells, &n, &rowno)) == 1) {
		if (n > TABLE_MAX_CELLS || rowno <= last)
			abort();
		last = rowno;
		for (size_t i = 0; i < n; i++)
			if (strlen(cells[i]) > TABLE_MAX_CELL)
				abort();
	}
	if (rc == -1 && (!table_error(t) || !table_error(t)[0]))
		abort();
	table_free(t);
	return 0;
}
