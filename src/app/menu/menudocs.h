/* The menu's published documents (menudocs.c, hsds.c): the printable
 * handbook 《志愿服务手册》 as a PDF and the Open Referral HSDS data
 * package of the menu and hotlines (docs/hsds.md). Both show what the
 * public menu shows (active entries and hotlines, no personal data) and
 * need no sign-in. For http/. */
#ifndef ZY_MENUDOCS_H
#define ZY_MENUDOCS_H
#include "app/kernel/kernel.h"
#include <stddef.h>

/* The handbook PDF of the menu as it is now, into *pdf (malloc'd, caller
 * frees) and *len; public_url (may be NULL or empty) puts a QR code of
 * the public menu on the cover. Throttled per client address (429
 * too_many_downloads): each one is typeset afresh. Returns 0 or -1 with
 * r->err set. */
int menudocs_handbook_pdf(struct app_req *r, const char *public_url, unsigned char **pdf, size_t *len);

/* The HSDS 3.0 tabular data package (datapackage.json and one CSV per
 * table) as a zip into *zip (malloc'd, caller frees) and *len. public_url
 * (may be NULL or empty) makes each service's url its public order page.
 * Returns 0 or -1 with r->err set. */
int menudocs_hsds_zip(struct app_req *r, const char *public_url, unsigned char **zip, size_t *len);

#endif
