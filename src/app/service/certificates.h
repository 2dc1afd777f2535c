/* Certificates of volunteer service (志愿服务记录证明). */
#ifndef ZY_CERTIFICATES_H
#define ZY_CERTIFICATES_H
#include "app/kernel/kernel.h"
#include <stddef.h>

/* POST /certificates {"volunteer_id","from","to","notes"}: the person or
 * staff of their scope; 422 no_service_in_period when nothing approved. */
int certificates_issue(struct app_req *r, json_t *in, json_t **out);
int certificates_get(struct app_req *r, const char *serial, json_t **out);
int certificates_list(struct app_req *r, const char *volunteer_id, json_t **out);
/* POST /certificates/{serial}/revoke {"reason"}: admins of the scope. */
int certificates_revoke(struct app_req *r, const char *serial, json_t *in, json_t **out);
/* The PDF (malloc'd into *pdf); public_url prefixes the QR code's link. */
int certificates_pdf(struct app_req *r, const char *serial, const char *public_url,
		     unsigned char **pdf, size_t *len);
/* GET /public/certificates/{serial}?code=: the facts anyone may check;
 * 404 for a wrong serial or code alike. */
int certificates_public(struct app_req *r, const char *serial, const char *code, json_t **out);

#endif
