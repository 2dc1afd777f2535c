/* The search helpers of volunteer files: the one- and two-character
 * pieces of each name (volunteer_grams) and the skill and category tags
 * (volunteer_tags), kept in step with the file by whoever writes it. */
#include "app/network/volunteers.h"
#include "app/kernel/kernel.h"
#include "app/network/volunteers_int.h"
#include "util/arena.h"
#include <assert.h>
#include <string.h>

/* Splits a name into its one- and two-character pieces (code points). */
static void name_grams(const char *name, void (*emit)(const char *g, size_t n, void *arg), void *arg)
{
	const char *starts[VOLUNTEER_NAME_MAX + 2];
	size_t n = 0;
	for (const char *p = name; *p && n <= VOLUNTEER_NAME_MAX;) {
		starts[n++] = p;
		unsigned char c = (unsigned char)*p;
		p += c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	}
	starts[n] = name + strlen(name);
	for (size_t i = 0; i < n; i++) {
		emit(starts[i], (size_t)(starts[i + 1] - starts[i]), arg);
		if (i + 1 < n)
			emit(starts[i], (size_t)(starts[i + 2] - starts[i]), arg);
	}
}

#define GRAMS_MAX (2 * VOLUNTEER_NAME_MAX)

struct gram_ctx {
	char grams[GRAMS_MAX][16];
	int n;
};

static void put_gram(const char *g, size_t n, void *arg)
{
	struct gram_ctx *c = arg;
	if (c->n >= GRAMS_MAX || n >= sizeof(c->grams[0]))
		return;
	for (size_t i = 0; i < n; i++)
		c->grams[c->n][i] = (char)((g[i] >= 'A' && g[i] <= 'Z') ? g[i] + 32 : g[i]);
	c->grams[c->n][n] = 0;
	c->n++;
}

/* One INSERT for up to eight pieces: a name's pieces go in one statement
 * (the texts are fixed so each is prepared once per connection). */
static const char *const gram_sql[9] = {
	NULL,
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1), ($3, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1), ($3, $1), ($4, $1)"
	" ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1), ($3, $1), ($4, $1), ($5, $1)"
	" ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1), ($3, $1), ($4, $1), ($5, $1),"
	" ($6, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1), ($3, $1), ($4, $1), ($5, $1),"
	" ($6, $1), ($7, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1), ($3, $1), ($4, $1), ($5, $1),"
	" ($6, $1), ($7, $1), ($8, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_grams (gram, volunteer_id) VALUES ($2, $1), ($3, $1), ($4, $1), ($5, $1),"
	" ($6, $1), ($7, $1), ($8, $1), ($9, $1) ON CONFLICT DO NOTHING",
};

static int vol_grams_insert(struct store *s, int64_t id, const char *name)
{
	struct gram_ctx g = { .n = 0 };
	name_grams(name, put_gram, &g);
	for (int at = 0; at < g.n; at += 8) {
		int k = g.n - at < 8 ? g.n - at : 8;
		struct store_stmt *st = store_prepare(s, gram_sql[k]);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, id);
		for (int i = 0; i < k; i++)
			store_bind_text(st, i + 2, g.grams[at + i]);
		int rc = store_step(st);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

/* One INSERT for up to six tags of a person, like the name pieces. */
static const char *const tag_sql[7] = {
	NULL,
	"INSERT INTO volunteer_tags (kind, tag, volunteer_id) VALUES ($2, $3, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_tags (kind, tag, volunteer_id) VALUES ($2, $3, $1), ($4, $5, $1)"
	" ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_tags (kind, tag, volunteer_id) VALUES ($2, $3, $1), ($4, $5, $1),"
	" ($6, $7, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_tags (kind, tag, volunteer_id) VALUES ($2, $3, $1), ($4, $5, $1),"
	" ($6, $7, $1), ($8, $9, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_tags (kind, tag, volunteer_id) VALUES ($2, $3, $1), ($4, $5, $1),"
	" ($6, $7, $1), ($8, $9, $1), ($10, $11, $1) ON CONFLICT DO NOTHING",
	"INSERT INTO volunteer_tags (kind, tag, volunteer_id) VALUES ($2, $3, $1), ($4, $5, $1),"
	" ($6, $7, $1), ($8, $9, $1), ($10, $11, $1), ($12, $13, $1) ON CONFLICT DO NOTHING",
};

static int vol_tags_insert(struct store *s, int64_t id, json_t *skills, json_t *categories)
{
	const char *kind[2 * TAGS_MAX], *tag[2 * TAGS_MAX];
	int n = 0;
	size_t i;
	json_t *e;
	json_array_foreach(skills, i, e) {
		kind[n] = "skill";
		tag[n++] = json_string_value(e);
	}
	json_array_foreach(categories, i, e) {
		kind[n] = "category";
		tag[n++] = json_string_value(e);
	}
	for (int at = 0; at < n; at += 6) {
		int k = n - at < 6 ? n - at : 6;
		struct store_stmt *st = store_prepare(s, tag_sql[k]);
		if (!st)
			return STORE_ERROR;
		store_bind_int(st, 1, id);
		for (int j = 0; j < k; j++) {
			store_bind_text(st, 2 + 2 * j, kind[at + j]);
			store_bind_text(st, 3 + 2 * j, tag[at + j]);
		}
		int rc = store_step(st);
		store_done(st);
		if (rc != STORE_DONE)
			return rc;
	}
	return STORE_OK;
}

/* Adds (or with remove, deletes) the search helpers of a volunteer: the
 * pieces of the name and the tags. Removal recomputes the entries from
 * the old values, so the helper tables need no index by volunteer. */
int vol_index(struct store *s, int64_t id, const char *name, json_t *skills,
			   json_t *categories, bool remove)
{
	int rc;
	assert(id > 0);
	if (name) {
		if (!remove) {
			if ((rc = vol_grams_insert(s, id, name)) != STORE_OK)
				return rc;
		} else {
			struct gram_ctx g = { .n = 0 };
			name_grams(name, put_gram, &g);
			for (int i = 0; i < g.n; i++) {
				struct store_stmt *st = store_prepare(s,
					"DELETE FROM volunteer_grams WHERE gram = $1 AND volunteer_id = $2");
				if (!st)
					return STORE_ERROR;
				store_bind_text(st, 1, g.grams[i]);
				store_bind_int(st, 2, id);
				rc = store_step(st);
				store_done(st);
				if (rc != STORE_DONE)
					return rc;
			}
		}
	}
	json_t *lists[2] = { skills, categories };   /* NULL: none */
	static const char *const kinds[2] = { "skill", "category" };
	if (!remove)
		return vol_tags_insert(s, id, skills, categories);
	for (int k = 0; k < 2; k++) {
		size_t i;
		json_t *e;
		json_array_foreach(lists[k], i, e) {
			struct store_stmt *st = store_prepare(s,
				"DELETE FROM volunteer_tags WHERE kind = $1 AND tag = $2 AND volunteer_id = $3");
			if (!st)
				return STORE_ERROR;
			store_bind_text(st, 1, kinds[k]);
			store_bind_text(st, 2, json_string_value(e));
			store_bind_int(st, 3, id);
			rc = store_step(st);
			store_done(st);
			if (rc != STORE_DONE)
				return rc;
		}
	}
	return STORE_OK;
}

/* Removes the helpers of what is stored now (before an edit or deletion). */
int vol_unindex(struct app_req *r, struct store *s, int64_t id)
{
	struct store_stmt *st = store_prepare(s, "SELECT name, skills, service_categories FROM volunteers WHERE id = $1");
	if (!st)
		return STORE_ERROR;
	store_bind_int(st, 1, id);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		return rc == STORE_DONE ? STORE_ERROR : rc;
	}
	const char *name = arena_strdup(r->arena, store_col_text(st, 0));
	json_t *sk = json_loads(store_col_text(st, 1), 0, NULL);
	json_t *ca = json_loads(store_col_text(st, 2), 0, NULL);
	store_done(st);
	rc = vol_index(s, id, name, sk, ca, true);
	json_decref(sk);
	json_decref(ca);
	return rc;
}
