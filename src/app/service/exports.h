/* Exports made for people to read (spreadsheets opened in Excel): times in
 * China time and values as words of the reader's language, from one table
 * of labels. The JSON API keeps ISO 8601 UTC times and enum values. */
#ifndef ZY_EXPORTS_APP_H
#define ZY_EXPORTS_APP_H
#include "app/kernel/kernel.h"
#include "util/buf.h"

enum export_lang { EXPORT_ZH, EXPORT_EN };

/* The word for value of a vocabulary ("record_status", "quality", …) in
 * lang; value itself when the table does not know it. */
const char *export_label(const char *vocabulary, const char *value, enum export_lang lang);

/* "2026-12-02T06:00:00Z" as China time "2026-12-02 14:00" into out (17
 * bytes); "" for NULL; an unparsable text is copied as it is. */
void export_china_time(const char *iso, char *out, size_t outlen);

/* The one CSV writer of the server: every CSV it writes (the archive,
 * `zhiyuan demo --csv`) is made of these two calls. (The server writes no
 * XLSX; the import template is a constant header line.)
 *
 * Appends one text cell (then "," or, when last, CRLF), quoted when it
 * needs to be. A cell that starts like a formula (= + - @, or a TAB or CR
 * that a spreadsheet skips before one) is quoted and prefixed with ' so
 * that Excel and WPS show it as text instead of running it (OWASP's rule
 * for CSV injection). Every text cell goes through this, whoever typed
 * it: a text that looks like a number ("-5") is text and gets the '. */
void export_csv_cell(struct buf *b, const char *s, bool last);
/* Appends a number the server computed (ids, minutes, point amounts) as
 * a plain number cell, so that a spreadsheet can sum it; a negative
 * number keeps its '-' (it is not text anybody typed). */
void export_csv_int(struct buf *b, int64_t v, bool last);

/* GET /volunteers/{id}/archive.csv: every record of the archive and its
 * corrections, UTF-8 with a BOM, CRLF lines, headers and values in lang,
 * times in China time. Appends to out (the caller owns it). */
int exports_archive_csv(struct app_req *r, int64_t volunteer_id, enum export_lang lang, struct buf *out);

#endif
