/* Idempotency: a request repeated with the same Idempotency-Key finds
 * what the first one made (each use case keeps the key in its own table's
 * row and selects it here, inside its transaction). */
#include "app/kernel/kernel.h"

int app_idem_lookup(struct app_req *r, struct store *s, const char *sql, const char *key, int64_t *id)
{
	struct store_stmt *st = store_prepare(s, sql);
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, r->who->user_id);
	store_bind_text(st, 2, key);
	int rc = store_step(st);
	if (rc == STORE_ROW)
		*id = store_col_int(st, 0);
	store_done(st);
	return rc;
}
