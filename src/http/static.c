/* The web console from web/dist: correct types, ETag revalidation,
 * precompressed .gz variants, long caching for hashed assets and the SPA
 * fallback to index.html for client-side routes. */
#include "http/internal.h"
#include "util/arena.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *ext, *type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".woff", "font/woff" },
	{ ".ttf", "font/ttf" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".webmanifest", "application/manifest+json" },
};

static const char *type_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/* Refuses "..", empty segments after the first and anything odd; MHD has
 * already percent-decoded the path. */
static bool safe_path(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *s = p; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == '\\')
			return false;
		if (c == '/' && s[1] == '.' && (s[2] == '.' || s[2] == '/' || s[2] == 0))
			return false;
	}
	return true;
}

static bool accepts_gzip(struct http_req *req)
{
	const char *ae = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Accept-Encoding");
	return ae && strstr(ae, "gzip");
}

static int open_file(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Returns -1 when the file does not exist, else MHD's result. */
static int send_file(struct http_req *req, const char *rel, bool fallback)
{
	const char *root = req->srv->cfg.web_root;
	char *path = arena_printf(req->arena, "%s%s", root, rel);
	struct stat st;
	bool gz = false;
	int fd = -1;
	if (accepts_gzip(req)) {
		fd = open_file(arena_printf(req->arena, "%s.gz", path), &st);
		gz = fd >= 0;
	}
	if (fd < 0)
		fd = open_file(path, &st);
	if (fd < 0)
		return -1;
	char *etag = arena_printf(req->arena, "\"%llx-%llx%s\"", (unsigned long long)st.st_size,
				  (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
				  (unsigned long long)st.st_mtim.tv_nsec, gz ? "-gz" : "");
	const char *inm = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "If-None-Match");
	bool immutable = strncmp(rel, "/assets/", 8) == 0;
	const char *cache = immutable ? "public, max-age=31536000, immutable" : "no-cache";
	struct MHD_Response *resp;
	unsigned status;
	uint64_t bytes;
	if (inm && strcmp(inm, etag) == 0) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		status = 304;
		bytes = 0;
	} else {
		resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
		status = 200;
		bytes = (uint64_t)st.st_size;
		MHD_add_response_header(resp, "Content-Type", type_of(rel));
		if (gz)
			MHD_add_response_header(resp, "Content-Encoding", "gzip");
	}
	if (!resp) {
		if (status == 200)
			close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "ETag", etag);
	MHD_add_response_header(resp, "Cache-Control", cache);
	MHD_add_response_header(resp, "Vary", "Accept-Encoding");
	if (fallback || strcmp(type_of(rel), types[0].type) == 0) {
		MHD_add_response_header(resp, "Content-Security-Policy",
			"default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
			" font-src 'self' data:; frame-ancestors 'none'");
		MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
		MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	}
	return http_send_response(req, status, resp, bytes);
}

enum MHD_Result static_serve(struct http_req *req)
{
	const char *p = req->path;
	if (!safe_path(p))
		return http_send_error(req, 404, "not_found", NULL);
	if (strcmp(p, "/") == 0)
		p = "/index.html";
	int r = send_file(req, p, false);
	if (r >= 0)
		return (enum MHD_Result)r;
	/* a path with a file extension is a missing file; anything else is a
	 * route of the single-page app */
	const char *slash = strrchr(p, '/');
	if (strchr(slash, '.'))
		return http_send_error(req, 404, "not_found", NULL);
	r = send_file(req, "/index.html", true);
	if (r >= 0)
		return (enum MHD_Result)r;
	return http_send_error(req, 404, "ui_not_built", NULL);
}
