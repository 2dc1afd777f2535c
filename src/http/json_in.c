/* JSON request bodies under explicit limits: media type, size (already
 * enforced while reading), nesting depth, string and array lengths. */
#include "http/internal.h"
#include <string.h>
#include <strings.h>

/* Depth of brackets outside strings; jansson's own limit is far higher
 * than any request of ours needs. */
static bool too_deep(const char *p, size_t n)
{
	int depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[') {
			if (++depth > JSON_MAX_DEPTH)
				return true;
		} else if (c == '}' || c == ']')
			depth--;
	}
	return false;
}

static bool over_limits(json_t *v)
{
	const char *key;
	json_t *e;
	size_t i;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) > JSON_MAX_STRING;
	case JSON_ARRAY:
		if (json_array_size(v) > JSON_MAX_ARRAY)
			return true;
		json_array_foreach(v, i, e)
			if (over_limits(e))
				return true;
		return false;
	case JSON_OBJECT:
		if (json_object_size(v) > JSON_MAX_ARRAY)
			return true;
		json_object_foreach(v, key, e)
			if (strlen(key) > 256 || over_limits(e))
				return true;
		return false;
	default:
		return false;
	}
}

int json_in_load(const char *data, size_t len, json_t **out, const char **code)
{
	*out = NULL;
	*code = NULL;
	if (too_deep(data, len)) {
		*code = "too_deep";
		return -1;
	}
	json_error_t err;
	json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
	if (!doc || !json_is_object(doc)) {
		json_decref(doc);
		*code = "invalid_json";
		return -1;
	}
	if (over_limits(doc)) {
		json_decref(doc);
		*code = "value_too_large";
		return -1;
	}
	*out = doc;
	return 0;
}

json_t *json_in_parse(struct http_req *req, enum MHD_Result *sent)
{
	const char *type = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Content-Type");
	if (req->body.len == 0) {
		*sent = http_send_error(req, 400, "body_required", NULL);
		return NULL;
	}
	if (type && strncasecmp(type, "application/json", 16) != 0) {
		*sent = http_send_error(req, 415, "unsupported_media_type", NULL);
		return NULL;
	}
	json_t *doc;
	const char *code;
	if (json_in_load(req->body.data, req->body.len, &doc, &code) != 0) {
		*sent = http_send_error(req, 400, code, NULL);
		return NULL;
	}
	return doc;
}
