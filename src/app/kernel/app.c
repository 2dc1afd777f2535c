/* The application object (configuration, store pool, sealing key, SMS
 * sender), per-call set-up (app_req) and the error helpers every use case
 * returns through. Authentication is auth.c's. */
#include "app/kernel/app.h"
#include "app/kernel/kernel.h"
#include "app/kernel/secrets.h"
#include "app/kernel/sender.h"
#include "store/store.h"
#include "util/log.h"
#include <sodium.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct app {
	struct app_config cfg;
	struct store_pool *pool;
	/* verified against when the user does not exist, so that a wrong
	 * username costs as much time as a wrong password */
	char dummy_hash[128];
	pthread_once_t dummy_once;
	struct sender sender;    /* one-time codes to phones (claims.c) */
};

/* The dummy hash costs an argon2id run (tens of milliseconds, 64 MiB):
 * made on the first sign-in, not at every start of every command. */
static struct app *dummy_owner;

static void make_dummy(void)
{
	char pw[24];
	secret_password_generate(pw, 20);
	if (secret_password_hash(pw, strlen(pw), dummy_owner->dummy_hash, sizeof(dummy_owner->dummy_hash)) != 0)
		abort();
}

struct key_ctx {
	const char *check;
	bool mismatch;
};

static int key_check_tx(struct store *s, void *vctx)
{
	struct key_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s, "SELECT value FROM meta WHERE name = 'key_check'");
	if (!st)
		return STORE_ERROR;
	int rc = store_step(st);
	if (rc == STORE_ROW)
		c->mismatch = strcmp(store_col_text(st, 0), c->check) != 0;
	store_done(st);
	if (rc != STORE_DONE)
		return rc == STORE_ROW ? STORE_OK : rc;
	st = store_prepare(s, "INSERT INTO meta (name, value) VALUES ('key_check', $1)");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->check);
	rc = store_step(st);
	store_done(st);
	return rc == STORE_DONE ? STORE_OK : rc;
}

/* Loads (or on a new installation creates) the sealing key and makes sure
 * it is the key this database was written with. */
static int load_key(struct app *a, struct store *s)
{
	char err[256], check[SECRET_HASH_HEX];
	bool created;
	if (secrets_load_key(getenv("ZHIYUAN_KEY"), a->cfg.key_file, true, &created, err, sizeof(err)) != 0) {
		log_error("%s", err);
		return -1;
	}
	secret_key_check(check);
	struct key_ctx c = { check, false };
	if (store_tx(s, key_check_tx, &c) != STORE_OK) {
		log_error("store: %s", store_errmsg(s));
		return -1;
	}
	if (c.mismatch) {
		if (created)
			unlink(a->cfg.key_file);
		log_error("the sealing key (%s) is not the key this database was written with;"
			  " restore the right key file or ZHIYUAN_KEY", getenv("ZHIYUAN_KEY") ? "ZHIYUAN_KEY" : a->cfg.key_file);
		return -1;
	}
	if (created)
		log_warn("created a new sealing key in %s: back it up with the database;"
			 " without it sealed ID numbers cannot be read", a->cfg.key_file);
	return 0;
}

int app_open(const struct app_config *cfg, struct app **out)
{
	char err[256];
	if (secrets_init() != 0) {
		log_error("libsodium failed to initialise");
		return -1;
	}
	struct app *a = calloc(1, sizeof(*a));
	if (!a)
		abort();
	a->cfg = *cfg;
	a->dummy_once = (pthread_once_t)PTHREAD_ONCE_INIT;
	if (sender_parse(cfg->sms_sender, &a->sender) != 0) {
		log_error("--sms-sender must be log or command:/PATH/TO/PROGRAM (got \"%s\")", cfg->sms_sender);
		free(a);
		return -1;
	}
	if (store_pool_open(cfg->db_url, &a->pool, err, sizeof(err)) != 0) {
		log_error("%s", err);
		free(a);
		return -1;
	}
	struct store *s = store_get(a->pool);
	int applied = 0;
	if (store_migrate(s, &applied) != STORE_OK) {
		app_close(a);
		return -1;
	}
	if (load_key(a, s) != 0) {
		app_close(a);
		return -1;
	}
	*out = a;
	return 0;
}

void app_close(struct app *a)
{
	if (!a)
		return;
	store_pool_close(a->pool);
	free(a);
}

struct store_pool *app_pool(struct app *a)
{
	return a->pool;
}

const char *app_backend(struct app *a)
{
	return store_pool_backend(a->pool);
}

const struct app_config *app_config(struct app *a)
{
	return &a->cfg;
}

const struct sender *app_sender(struct app *a)
{
	return &a->sender;
}

const char *app_dummy_hash(struct app *a)
{
	dummy_owner = a;
	pthread_once(&a->dummy_once, make_dummy);
	return a->dummy_hash;
}

int app_req_init(struct app_req *r, struct app *a, struct arena *arena,
		 const char *client_addr)
{
	memset(r, 0, sizeof(*r));
	r->app = a;
	r->arena = arena;
	r->client_addr = client_addr;
	r->store = store_get(a->pool);
	if (!r->store)
		return app_fail(r, APP_EUNAVAILABLE, "unavailable", NULL);
	return 0;
}

void app_return_store(struct app *a)
{
	store_return(a->pool);
}

void app_limit_connections(struct app *a, unsigned n)
{
	store_pool_limit(a->pool, n);
}

int app_fail(struct app_req *r, enum app_status st, const char *code, const char *field)
{
	r->err.status = st;
	r->err.code = code;
	r->err.field = field;
	return -1;
}

int app_store_fail(struct app_req *r, int rc)
{
	if (r->err.status != APP_OK)
		return -1;   /* the use case already said what went wrong */
	log_error("store: %s", store_errmsg(r->store));
	if (rc == STORE_RETRY)
		return app_fail(r, APP_EUNAVAILABLE, "busy", NULL);
	return app_fail(r, APP_EINTERNAL, "internal", NULL);
}

bool app_secret_equal(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n != strlen(b))
		return false;
	return sodium_memcmp(a, b, n) == 0;
}

int app_ready(struct app_req *r)
{
	struct store_stmt *st = store_prepare(r->store, "SELECT 1");
	if (!st)
		return app_fail(r, APP_EUNAVAILABLE, "unavailable", NULL);
	int rc = store_step(st);
	store_done(st);
	if (rc != STORE_ROW)
		return app_fail(r, APP_EUNAVAILABLE, "unavailable", NULL);
	return 0;
}

int app_meta_clear_pending(struct store *s)
{
	return store_exec(s, "DELETE FROM meta WHERE name IN ('totals_pending', 'stars_pending')");
}
