/* Exports made for people to read (spreadsheets opened in Excel): times in
 * China time and values as words of the reader's language, from one table
 * of labels. The JSON API keeps ISO 8601 UTC times and enum values. */
#ifndef ZY_EXPORTS_APP_H
#define ZY_EXPORTS_APP_H
#include "app/service/service.h"
#include "util/buf.h"

enum export_lang { EXPORT_ZH, EXPORT_EN };

/* The word for value of a vocabulary ("record_status", "quality", …) in
 * lang; value itself when the table does not know it. */
const char *export_label(const char *vocabulary, const char *value, enum export_lang lang);

/* GET /volunteers/{id}/archive.csv: every record of the archive and its
 * corrections, UTF-8 with a BOM, CRLF lines, headers and values in lang,
 * times in China time. Appends to out (the caller owns it). */
int exports_archive_csv(struct app_req *r, int64_t volunteer_id, enum export_lang lang, struct buf *out);

#endif
