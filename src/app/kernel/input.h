/* Reading fields of a JSON input object with the API's error rules:
 * wrong type → 400 wrong_type, missing → 422 required, over-long → 422
 * too_long, each naming the field. Private to app/. */
#ifndef ZY_INPUT_H
#define ZY_INPUT_H
#include "app/kernel/app.h"

/* A string field of 1..max_chars characters (valid UTF-8, no control
 * characters). *out stays NULL when the field is absent or null and not
 * required. Returns 0 or -1. */
int in_text(struct app_req *r, json_t *in, const char *field, bool required,
	    size_t max_chars, const char **out);
/* A positive integer id. *present tells whether it was given. */
int in_id(struct app_req *r, json_t *in, const char *field, bool required,
	  int64_t *out, bool *present);
/* A boolean; *out unchanged when absent. */
int in_bool(struct app_req *r, json_t *in, const char *field, bool *out, bool *present);
/* A raw string without character rules (passwords): 1..max bytes. */
int in_secret(struct app_req *r, json_t *in, const char *field, bool required,
	      size_t max_bytes, const char **out);
/* A list of short tags (skills, service categories): an array of at most
 * TAGS_MAX strings of 1..TAG_MAX characters, duplicates dropped. *list
 * gets the array (the caller's reference) and *text its JSON text
 * (malloc'd), both also when absent (empty). */
#define TAGS_MAX 20
#define TAG_MAX 20
int in_tags(struct app_req *r, json_t *in, const char *field, json_t **list, char **text);
/* An ISO 8601 time with an offset (422 invalid_time) as unix seconds;
 * *out unchanged when absent. */
int in_time(struct app_req *r, json_t *in, const char *field, bool required, int64_t *out, bool *present);
/* An integer within lo..hi (422 out_of_range); *out unchanged when
 * absent. */
int in_int(struct app_req *r, json_t *in, const char *field, bool required, int64_t lo, int64_t hi,
	   int64_t *out, bool *present);
/* Whether the input object has the field (null counts as absent). */
bool in_has(json_t *in, const char *field);

#endif
