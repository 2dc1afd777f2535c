/* libFuzzer target: the XLSX half of the spreadsheet reader (util/table.c)
 * past the zip layer. Mutating compressed bytes rarely gets through the
 * zip's checksums, so the input is the parts themselves, separated by NUL
 * bytes: the worksheet, the shared strings, the workbook and its rels
 * (missing parts are left out); libzip zips them and the reader gets the
 * archive, as it would an upload. */
#include "util/table.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const parts[] = {
	"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
};

/* Zips the parts into a malloc'd buffer; NULL when libzip cannot. */
static char *zip_parts(const uint8_t *data, size_t size, size_t *zlen)
{
	zip_error_t ze;
	zip_error_init(&ze);
	char *out = NULL;
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
	if (!za)
		goto out;
	zip_source_keep(src);
	const uint8_t *p = data, *end = data + size;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && p <= end; i++) {
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
		size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);
		zip_source_t *part = zip_source_buffer(za, p, n, 0);
		zip_int64_t idx = part ? zip_file_add(za, parts[i], part, ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0) {
			zip_source_free(part);
			zip_discard(za);
			goto out;
		}
		/* stored, not deflated: the fuzzer's time goes to the XML */
		zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
		if (!nul)
			break;
		p = nul + 1;
	}
	if (zip_close(za) != 0) {
		zip_discard(za);
		goto out;
	}
	zip_stat_t st;
	if (zip_source_stat(src, &st) != 0 || zip_source_open(src) != 0)
		goto out;
	out = malloc(st.size ? st.size : 1);
	zip_int64_t got = zip_source_read(src, out, st.size);
	zip_source_close(src);
	if (got < 0 || (zip_uint64_t)got != st.size) {
		free(out);
		out = NULL;
		goto out;
	}
	*zlen = (size_t)got;
out:
	zip_source_free(src);
	zip_error_fini(&ze);
	return out;
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
	size_t zlen = 0;
	char *z = zip_parts(data, size, &zlen);
	if (!z)
		return 0;
	struct table *t = NULL;
	char err[256];
	if (table_open(z, zlen, &t, err, sizeof(err)) != 0) {
		if (!err[0])
			abort();
		free(z);
		return 0;
	}
	if (table_format(t) != TABLE_XLSX)
		abort();
	const char *const *cells;
	size_t n, rowno, last = 0;
	int rc;
	while ((rc = table_next(t, &cells, &n, &rowno)) == 1) {
		if (n > TABLE_MAX_CELLS || rowno <= last)
			abort();
		last = rowno;
		for (size_t i = 0; i < n; i++)
			if (strlen(cells[i]) > TABLE_MAX_CELL || !utf8(cells[i]))
				abort();
	}
	if (rc == -1 && !table_error(t)[0])
		abort();
	table_free(t);
	free(z);
	return 0;
}
