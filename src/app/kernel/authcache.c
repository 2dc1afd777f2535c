/* Principals of recently seen credentials, so that a request does not
 * read its session or token from the database every time.
 *
 * Why: on SQLite every commit empties the page cache of every other
 * connection, so under a write load (the sign-up rush) each request's
 * credential lookup re-reads its pages from the file: 15% of the server's
 * CPU in that benchmark (docs/performance.md). An entry lives at most
 * AUTH_CACHE_TTL_MS and is dropped at once, in this process, by any change
 * to accounts, sessions, tokens or organisations (app_auth_changed);
 * changes made by another process (the command line) take effect within
 * the TTL. docs/decisions.md has the trade. */
#include "app/kernel/kernel.h"
#include "app/kernel/secrets.h"
#include "util/arena.h"
#include "util/timeutil.h"
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define AUTH_CACHE_SLOTS 1024
#define AUTH_CACHE_TTL_MS 2000
#define AUTH_STRINGS 8

struct auth_slot {
	pthread_mutex_t lock;
	bool used;
	int kind;
	uint64_t gen;
	int64_t born_ms;
	char digest[SECRET_HASH_HEX];
	struct auth_cached v;
	/* username, display_name, phone, status, org_name, org_path,
	 * permissions, csrf_token: each NUL-terminated, NULL kept as absent */
	char text[1024];
	bool present[AUTH_STRINGS];
};

static struct auth_slot slots[AUTH_CACHE_SLOTS];
static atomic_uint_fast64_t generation = 1;
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static void slots_init(void)
{
	for (int i = 0; i < AUTH_CACHE_SLOTS; i++)
		pthread_mutex_init(&slots[i].lock, NULL);
}

static struct auth_slot *slot_of(const char *digest)
{
	pthread_once(&slots_once, slots_init);
	unsigned h = 0;
	for (int i = 0; i < 8; i++)
		h = h * 16 + (unsigned)(digest[i] <= '9' ? digest[i] - '0' : digest[i] - 'a' + 10);
	return &slots[h % AUTH_CACHE_SLOTS];
}

void app_auth_changed(void)
{
	atomic_fetch_add(&generation, 1);
}

static const char **field(struct principal *p, int i)
{
	const char **f[AUTH_STRINGS] = { &p->username, &p->display_name, &p->phone, &p->status, &p->org_name,
					 &p->org_path, &p->permissions, &p->csrf_token };
	return f[i];
}

bool auth_cache_get(struct app_req *r, int kind, const char *digest, struct auth_cached *out)
{
	struct auth_slot *s = slot_of(digest);
	bool hit = false;
	pthread_mutex_lock(&s->lock);
	if (s->used && s->kind == kind && s->gen == atomic_load(&generation) &&
	    time_mono_ns() / 1000000 - s->born_ms < AUTH_CACHE_TTL_MS && strcmp(s->digest, digest) == 0) {
		*out = s->v;
		const char *t = s->text;
		for (int i = 0; i < AUTH_STRINGS; i++) {
			size_t n = strlen(t);
			*field(&out->p, i) = s->present[i] ? arena_strdup(r->arena, t) : NULL;
			t += n + 1;
		}
		hit = true;
	}
	pthread_mutex_unlock(&s->lock);
	return hit;
}

void auth_cache_put(int kind, const char *digest, uint64_t gen, const struct auth_cached *v)
{
	struct auth_slot *s = slot_of(digest);
	char text[sizeof(s->text)];
	bool present[AUTH_STRINGS];
	size_t used = 0;
	struct principal p = v->p;
	for (int i = 0; i < AUTH_STRINGS; i++) {
		const char *f = *field(&p, i);
		size_t n = f ? strlen(f) : 0;
		if (used + n + 1 > sizeof(text))
			return;   /* unusually long: not cached */
		memcpy(text + used, f ? f : "", n + 1);
		present[i] = f != NULL;
		used += n + 1;
	}
	pthread_mutex_lock(&s->lock);
	s->used = true;
	s->kind = kind;
	s->gen = gen;
	s->born_ms = time_mono_ns() / 1000000;
	memcpy(s->digest, digest, SECRET_HASH_HEX);
	s->v = *v;
	memcpy(s->text, text, used);
	memcpy(s->present, present, sizeof(present));
	pthread_mutex_unlock(&s->lock);
}

uint64_t auth_cache_generation(void)
{
	return atomic_load(&generation);
}
