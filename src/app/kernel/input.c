/* Field readers for JSON inputs (each failure names the field), and the
 * header row of an imported table. */
#include "app/kernel/input.h"
#include "app/kernel/kernel.h"
#include "core/validate.h"
#include "util/arena.h"
#include <strings.h>
#include <string.h>

bool in_has(json_t *in, const char *field)
{
	json_t *v = json_object_get(in, field);
	return v && !json_is_null(v);
}

static json_t *get(json_t *in, const char *field)
{
	json_t *v = json_object_get(in, field);
	return json_is_null(v) ? NULL : v;
}

int in_text(struct app_req *r, json_t *in, const char *field, bool required,
	    size_t max_chars, const char **out)
{
	*out = NULL;
	json_t *v = get(in, field);
	if (!v)
		return required ? app_fail(r, APP_EINVALID, "required", field) : 0;
	if (!json_is_string(v))
		return app_fail(r, APP_EBADREQ, "wrong_type", field);
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	if (len == 0)
		return required ? app_fail(r, APP_EINVALID, "required", field) : 0;
	if (len > max_chars * 4)
		return app_fail(r, APP_EINVALID, "too_long", field);
	if (!valid_text(s, len, max_chars)) {
		/* tell over-long apart from bad characters */
		if (valid_text(s, len, (size_t)-1))
			return app_fail(r, APP_EINVALID, "too_long", field);
		return app_fail(r, APP_EINVALID, "invalid_text", field);
	}
	*out = s;
	return 0;
}

int in_secret(struct app_req *r, json_t *in, const char *field, bool required,
	      size_t max_bytes, const char **out)
{
	*out = NULL;
	json_t *v = get(in, field);
	if (!v)
		return required ? app_fail(r, APP_EINVALID, "required", field) : 0;
	if (!json_is_string(v))
		return app_fail(r, APP_EBADREQ, "wrong_type", field);
	if (json_string_length(v) == 0)
		return required ? app_fail(r, APP_EINVALID, "required", field) : 0;
	if (json_string_length(v) > max_bytes)
		return app_fail(r, APP_EINVALID, "too_long", field);
	*out = json_string_value(v);
	return 0;
}

int in_id(struct app_req *r, json_t *in, const char *field, bool required,
	  int64_t *out, bool *present)
{
	json_t *v = get(in, field);
	if (present)
		*present = v != NULL;
	if (!v)
		return required ? app_fail(r, APP_EINVALID, "required", field) : 0;
	if (!json_is_integer(v))
		return app_fail(r, APP_EBADREQ, "wrong_type", field);
	if (json_integer_value(v) <= 0)
		return app_fail(r, APP_EINVALID, "invalid_id", field);
	*out = json_integer_value(v);
	return 0;
}

int in_bool(struct app_req *r, json_t *in, const char *field, bool *out, bool *present)
{
	json_t *v = get(in, field);
	if (present)
		*present = v != NULL;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return app_fail(r, APP_EBADREQ, "wrong_type", field);
	*out = json_is_true(v);
	return 0;
}

int in_tags(struct app_req *r, json_t *in, const char *field, json_t **list, char **text)
{
	json_t *v = json_object_get(in, field);
	*list = json_array();
	*text = NULL;
	if (v && !json_is_null(v)) {
		if (!json_is_array(v))
			return app_fail(r, APP_EBADREQ, "wrong_type", field);
		if (json_array_size(v) > TAGS_MAX)
			return app_fail(r, APP_EINVALID, "too_long", field);
		size_t i, k;
		json_t *e, *seen;
		json_array_foreach(v, i, e) {
			if (!json_is_string(e))
				return app_fail(r, APP_EBADREQ, "wrong_type", field);
			const char *t = json_string_value(e);
			if (!valid_text(t, json_string_length(e), TAG_MAX))
				return app_fail(r, APP_EINVALID, "invalid_tag", field);
			bool dup = false;
			json_array_foreach(*list, k, seen)
				dup = dup || strcmp(json_string_value(seen), t) == 0;
			if (!dup)
				json_array_append_new(*list, json_string(t));
		}
	}
	*text = json_dumps(*list, JSON_COMPACT);
	return 0;
}

int in_time(struct app_req *r, json_t *in, const char *field, bool required, int64_t *out, bool *present)
{
	const char *s;
	if (in_text(r, in, field, required, 40, &s) != 0)
		return -1;
	if (present)
		*present = s != NULL;
	if (s && time_parse_iso(s, out) != 0)
		return app_fail(r, APP_EINVALID, "invalid_time", field);
	return 0;
}

int in_int(struct app_req *r, json_t *in, const char *field, bool required, int64_t lo, int64_t hi,
	   int64_t *out, bool *present)
{
	json_t *v = json_object_get(in, field);
	if (present)
		*present = v && !json_is_null(v);
	if (!v || json_is_null(v))
		return required ? app_fail(r, APP_EINVALID, "required", field) : 0;
	if (!json_is_integer(v))
		return app_fail(r, APP_EBADREQ, "wrong_type", field);
	if (json_integer_value(v) < lo || json_integer_value(v) > hi)
		return app_fail(r, APP_EINVALID, "out_of_range", field);
	*out = json_integer_value(v);
	return 0;
}

/* A header cell without the blanks and line ends spreadsheets leave
 * around it, in r->arena. */
static const char *header_trim(struct app_req *r, const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return arena_strndup(r->arena, s, n);
}

int app_map_columns(struct app_req *r, const char *const *cells, size_t n,
		    const struct column_spec *spec, int count, int *idx)
{
	for (int c = 0; c < count; c++) {
		idx[c] = -1;
		for (size_t i = 0; i < n && idx[c] < 0; i++) {
			const char *h = header_trim(r, cells[i]);
			if (strncmp(h, "\xef\xbb\xbf", 3) == 0)
				h += 3;
			for (int k = 0; k < 6 && spec[c].names[k]; k++)
				if (strcasecmp(h, spec[c].names[k]) == 0)
					idx[c] = (int)i;
		}
		if (idx[c] < 0 && spec[c].required)
			return app_fail(r, APP_EINVALID, "missing_column", spec[c].names[0]);
	}
	return 0;
}
