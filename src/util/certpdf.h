/* The volunteer-service record certificate (志愿服务记录证明) as a one-page
 * A4 PDF built in memory: cairo's PDF surface, Pango for all text (real,
 * extractable text in Noto Serif/Sans CJK SC) and a QR code of the
 * verification address drawn with libqrencode. */
#ifndef ZY_CERTPDF_H
#define ZY_CERTPDF_H
#include <stddef.h>

#define CERTPDF_MAX_SUMMARY 2000      /* bytes of content_summary */
#define CERTPDF_MAX_FIELD 400         /* bytes of every other field (a 100-character name) */
#define CERTPDF_MAX_PDF (16u << 20)   /* bytes of the finished PDF */

struct cert_data {
	const char *serial;          /* 证明编号, e.g. "ZY-510115-2026-000123" */
	const char *volunteer_name;  /* 姓名 */
	const char *id_type_label;   /* 证件类型, e.g. "居民身份证" */
	const char *id_number_masked;/* 证件号码 (masked) */
	const char *volunteer_number;/* 志愿者编号 */
	const char *period;          /* e.g. "2026年01月01日至2026年11月28日" */
	const char *hours;           /* e.g. "123.5" (小时) */
	const char *content_summary; /* 服务内容摘要, may be several lines */
	const char *issuer;          /* 出具单位 */
	const char *person_in_charge;/* 负责人 */
	const char *handler;         /* 经办人 */
	const char *contact;         /* 联系方式 */
	const char *issue_date;      /* 出具日期, e.g. "2026年11月28日" */
	const char *notes;           /* 备注, may be NULL */
	const char *verify_url;      /* encoded in the QR code and printed under it */
	const char *verify_code;     /* printed: 查验码 */
};

/* Renders an A4 certificate into *pdf (malloc'd, caller frees) and *len.
 * Returns 0, or -1 (message in err) when a field is missing or rendering fails.
 * Every field but notes is required and non-empty; all must be valid UTF-8
 * without control characters (content_summary and notes may hold line
 * breaks and tabs) and within the byte limits above. Text that cannot fit on one
 * page even at a reduced size is refused too. err may be NULL.
 * Safe to call from several threads: Pango keeps one font map per thread
 * (pdf_release_thread_fonts in util/pdfkit.h drops it). */
int certpdf_render(const struct cert_data *d, unsigned char **pdf, size_t *len, char *err, size_t errlen);

#endif
