/* Authentication: a session cookie or bearer token resolved to its
 * principal (app_authenticate), through a cache of the principals of
 * recently seen credentials, so that a request does not read its session
 * or token from the database every time.
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
#include "core/validate.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/timeutil.h"
#include <assert.h>
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
	/* the digest is copied whole: a shorter one would be read past */
	assert(strlen(digest) == SECRET_HASH_HEX - 1);
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

/* The first columns of both authentication queries describe the user. */
#define PRINCIPAL_COLUMNS \
	"u.id, u.username, u.display_name, u.phone, u.roles, u.org_id, " \
	"u.status, u.created_at, o.name, o.path, u.permissions, o.parent_id"
#define EXTRA 12   /* first column after the principal's */

static void principal_fill(struct app_req *r, struct store_stmt *st, struct principal *p)
{
	p->user_id = store_col_int(st, 0);
	p->username = arena_strdup(r->arena, store_col_text(st, 1));
	p->display_name = arena_strdup(r->arena, store_col_text(st, 2));
	p->phone = arena_strdup(r->arena, store_col_text(st, 3));
	p->roles = roles_from_csv(store_col_text(st, 4));
	p->org_id = store_col_int(st, 5);
	p->status = arena_strdup(r->arena, store_col_text(st, 6));
	p->created_at = store_col_int(st, 7);
	p->org_name = arena_strdup(r->arena, store_col_text(st, 8));
	p->org_path = arena_strdup(r->arena, store_col_text(st, 9));
	p->permissions = arena_strdup(r->arena, store_col_text(st, 10));
	p->org_parent_id = store_col_null(st, 11) ? 0 : store_col_int(st, 11);
}

struct touch_ctx {
	int64_t token_id, now;
};

/* accounts' writer of a token's last use (api_tokens is theirs), set once
 * at start by setup/start.c wire() before any request. */
static app_token_touch_fn token_touch;

void app_auth_on_token_used(app_token_touch_fn touch)
{
	token_touch = touch;
}

static int touch_token(struct store *s, void *vctx)
{
	struct touch_ctx *c = vctx;
	return token_touch(s, c->token_id, c->now);
}

int app_authenticate(struct app_req *r, enum cred_kind kind, const char *token,
		     struct principal **out)
{
	static const char q_session[] =
		"SELECT " PRINCIPAL_COLUMNS ", s.id, s.csrf_token, s.expires_at"
		" FROM sessions s JOIN users u ON u.id = s.user_id"
		" JOIN orgs o ON o.id = u.org_id WHERE s.token_hash = $1";
	static const char q_token[] =
		"SELECT " PRINCIPAL_COLUMNS ", t.id, t.last_used_at"
		" FROM api_tokens t JOIN users u ON u.id = t.user_id"
		" JOIN orgs o ON o.id = u.org_id"
		" WHERE t.token_hash = $1 AND t.revoked_at IS NULL";
	if (strlen(token) >= SECRET_TOKEN_MAX)
		return app_fail(r, APP_EUNAUTH, "unauthenticated", NULL);
	char digest[SECRET_HASH_HEX];
	secret_digest(token, digest);
	struct auth_cached c;
	int64_t now = app_now();
	bool stale = false;
	if (auth_cache_get(r, kind, digest, &c)) {
		if (kind == CRED_SESSION && c.expires_at <= now)
			return app_fail(r, APP_EUNAUTH, "session_expired", NULL);
		struct principal *p = arena_alloc(r->arena, sizeof(*p));
		*p = c.p;
		*out = p;
		return 0;
	}
	uint64_t gen = auth_cache_generation();
	struct store_stmt *st = store_prepare(r->store, kind == CRED_SESSION ? q_session : q_token);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, digest);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		if (rc == STORE_DONE)
			return app_fail(r, APP_EUNAUTH, "unauthenticated", NULL);
		return app_store_fail(r, rc);
	}
	struct principal *p = arena_alloc(r->arena, sizeof(*p));
	memset(p, 0, sizeof(*p));
	principal_fill(r, st, p);
	int64_t extra_id = store_col_int(st, EXTRA);
	bool expired = false;
	c.expires_at = 0;
	if (kind == CRED_SESSION) {
		p->session_id = extra_id;
		p->csrf_token = arena_strdup(r->arena, store_col_text(st, EXTRA + 1));
		c.expires_at = store_col_int(st, EXTRA + 2);
		expired = c.expires_at <= now;
	} else {
		/* last use is kept to the minute: a write per request would
		 * serialise every API client behind the writer lock */
		stale = store_col_null(st, EXTRA + 1) || store_col_int(st, EXTRA + 1) < now - 60;
	}
	store_done(st);
	if (expired)
		return app_fail(r, APP_EUNAUTH, "session_expired", NULL);
	if (strcmp(p->status, "active") != 0)
		return app_fail(r, APP_EUNAUTH, "account_disabled", NULL);
	c.p = *p;
	c.extra_id = extra_id;
	auth_cache_put(kind, digest, gen, &c);
	if (stale && token_touch) {
		struct touch_ctx t = { extra_id, now };
		rc = store_tx(r->store, touch_token, &t);
		if (rc != STORE_OK)
			log_warn("api token %lld: last use not recorded: %s",
				 (long long)extra_id, store_errmsg(r->store));
	}
	*out = p;
	return 0;
}
