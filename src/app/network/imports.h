/* Importing the spreadsheets districts already keep: volunteers from CSV
 * (UTF-8 or GB18030) or XLSX, with a report of every rejected row while
 * the valid rows are registered. Importing the same file again changes
 * nothing and the report says so. */
#ifndef ZY_IMPORTS_H
#define ZY_IMPORTS_H
#include "app/kernel/kernel.h"
#include <stddef.h>

/* Registers the rows of data[0..len) into organisation org_id. Returns 0
 * with the report {"total_rows","imported","unchanged","rejected":[…],
 * "already_imported","file_sha256","format"}, or -1 when the file as a
 * whole is refused (encoding, missing column). */
int imports_volunteers(struct app_req *r, const char *org_id, const void *data, size_t len, json_t **out);
/* The template: UTF-8 CSV with a BOM (Excel opens it correctly) and the
 * Chinese column headers. */
const char *imports_volunteer_template(void);

/* The principal used by command-line imports: an admin of the root. */
int app_cli_principal(struct app_req *r);

#endif
