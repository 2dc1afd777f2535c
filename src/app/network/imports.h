/* Importing the spreadsheets districts already keep: volunteers from CSV
 * (UTF-8 or GB18030) or XLSX, with a report of every rejected row while
 * the valid rows are registered. Importing the same file again changes
 * nothing and the report says so. */
#ifndef ZY_IMPORTS_H
#define ZY_IMPORTS_H
#include "app/network/network.h"
#include <stddef.h>


#endif
