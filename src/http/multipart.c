/* The uploaded file of a request: browsers and curl send multipart/form-
 * data, scripts often send the file's bytes as the body. Both end up as a
 * pointer into the request body; nothing is copied. */
#include "http/internal.h"
#include <string.h>
#include <strings.h>

static const char *memfind(const char *hay, size_t n, const char *needle, size_t m)
{
	if (m == 0 || n < m)
		return NULL;
	for (const char *p = hay; (p = memchr(p, needle[0], (size_t)(hay + n - p))) != NULL; p++) {
		if ((size_t)(hay + n - p) < m)
			return NULL;
		if (memcmp(p, needle, m) == 0)
			return p;
	}
	return NULL;
}

int multipart_first_file(const char *body, size_t len, const char *boundary,
			 const char **data, size_t *dlen)
{
	char delim[80];
	size_t bl = strlen(boundary);
	if (bl == 0 || bl > 70)
		return -1;
	delim[0] = '-';
	delim[1] = '-';
	memcpy(delim + 2, boundary, bl);
	size_t dl = bl + 2;
	const char *p = memfind(body, len, delim, dl), *end = body + len;
	while (p) {
		p += dl;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return -1;   /* closing delimiter: no file part */
		const char *hdr_end = memfind(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (!hdr_end)
			return -1;
		const char *content = hdr_end + 4;
		char close[84] = "\r\n";
		memcpy(close + 2, delim, dl);
		const char *next = memfind(content, (size_t)(end - content), close, dl + 2);
		if (!next)
			return -1;
		/* the part with a file name, or one named "file" */
		const char *h = memfind(p, (size_t)(hdr_end - p), "filename=", 9);
		if (!h)
			h = memfind(p, (size_t)(hdr_end - p), "name=\"file\"", 11);
		if (h) {
			*data = content;
			*dlen = (size_t)(next - content);
			return 0;
		}
		p = next + 2;
	}
	return -1;
}

int multipart_boundary(const char *type, char *out, size_t outlen)
{
	const char *b = strstr(type, "boundary=");
	if (!b || outlen == 0)
		return -1;
	b += 9;
	size_t n = 0;
	if (*b == '"')
		b++;
	while (*b && *b != '"' && *b != ';' && n < outlen - 1)
		out[n++] = *b++;
	out[n] = 0;
	return 0;
}

int http_upload(struct http_req *req, const char **data, size_t *len)
{
	const char *type = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Content-Type");
	*data = req->body.data ? req->body.data : "";
	*len = req->body.len;
	if (!type || strncasecmp(type, "multipart/form-data", 19) != 0)
		return 0;
	char boundary[72];
	if (multipart_boundary(type, boundary, sizeof(boundary)) != 0)
		return -1;
	return multipart_first_file(*data, *len, boundary, data, len);
}
