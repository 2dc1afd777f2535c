/* Reading spreadsheets that districts already keep: CSV in UTF-8 (with or
 * without BOM) or GB18030/GBK, and XLSX (first worksheet). Rows come out
 * as arrays of UTF-8 cells. The whole file is in memory; the reader
 * enforces limits on rows, cells and sizes. */
#ifndef ZY_TABLE_H
#define ZY_TABLE_H
#include <stddef.h>

#define TABLE_MAX_CELLS 64           /* per row; more is an error */
#define TABLE_MAX_CELL 4096          /* bytes per cell after decoding */
#define TABLE_MAX_ROWS 1000000
#define TABLE_MAX_XML (256u << 20)   /* uncompressed bytes of one XLSX part */

enum table_format { TABLE_CSV_UTF8, TABLE_CSV_GB18030, TABLE_XLSX };

struct table;

/* Opens data[0..len) (not copied: it must outlive the reader). XLSX is
 * recognised by its zip signature; CSV is UTF-8 when the bytes are valid
 * UTF-8, else GB18030 (a UTF-8 BOM is dropped; NUL bytes are refused).
 * XLSX parts are inflated and checked here (shared strings, worksheet),
 * so a broken archive or a part over TABLE_MAX_XML fails at open.
 * Returns 0, or -1 with a lower-case message in err (err may be NULL). */
int table_open(const void *data, size_t len, struct table **out, char *err, size_t errlen);
/* The format that was detected. */
enum table_format table_format(const struct table *t);
/* Reads the next row: returns 1 and sets *cells (valid until the next
 * call) and *ncells, and *rowno to its 1-based row number in the sheet;
 * 0 at the end; -1 on a malformed file or a broken limit (message via
 * table_error, e.g. "row 12: too many cells (65, at most 64)"; once -1,
 * always -1). Rows whose cells are all empty are skipped, but still
 * count for *rowno (CSV: physical record, header = 1; XLSX: the r
 * attribute), so numbers match what Excel shows.
 * Cells are returned untrimmed and NUL-terminated; ncells varies from
 * row to row (gaps are ""; callers index by header position and treat
 * i >= ncells as ""). Empty cells past column TABLE_MAX_CELLS are
 * ignored, a non-empty one is an error. XLSX numbers and dates are the
 * stored text ("13800001234", date serials such as "45292"); booleans
 * are "TRUE"/"FALSE"; formulas give their cached result. */
int table_next(struct table *t, const char *const **cells, size_t *ncells, size_t *rowno);
/* The message of the last error. */
const char *table_error(const struct table *t);
/* Frees the reader. NULL is fine. */
void table_free(struct table *t);

#endif
