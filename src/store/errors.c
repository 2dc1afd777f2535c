/* The last error of a connection: written by the backends, read by
 * everyone through store_errmsg. Below both store.c and the backends, so
 * that the common layer and the backends it dispatches to do not call
 * each other. */
#include "store/store_int.h"
#include <stdarg.h>
#include <stdio.h>

void store_set_err(struct store *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
}

const char *store_errmsg(struct store *s)
{
	return s->err;
}
