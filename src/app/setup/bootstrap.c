/* First start: the district federation as root organisation, an admin
 * account and, for the district whose table ships with the binary, its
 * regions. The admin password comes from ZHIYUAN_ADMIN_PASSWORD or is
 * generated and printed once to standard output, never to the log. */
#include "app/kernel/kernel.h"
#include "app/accounts/accounts.h"
#include "app/accounts/accounts.h"
#include "app/network/network.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct boot_ctx {
	const struct app_config *cfg;
	const char *hash;
	bool created;
};

static int boot_tx(struct store *s, void *vctx)
{
	struct boot_ctx *c = vctx;
	int rc;
	struct store_stmt *st = store_prepare(s, "SELECT count(*) FROM orgs");
	if (!st)
		return STORE_ERROR;
	rc = store_step(st);
	int64_t n = rc == STORE_ROW ? store_col_int(st, 0) : -1;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	if (n > 0)
		return STORE_OK;
	int64_t now = app_now();
	int64_t id;
	char path[32];
	rc = orgs_insert_root(s, c->cfg->root_org_name, c->cfg->root_region, now, &id, path);
	if (rc != STORE_OK)
		return rc;
	int64_t admin;
	rc = users_insert_login(s, "admin", NULL, "系统管理员", c->hash, "admin", id, c->cfg->root_region,
				now, &admin);
	if (rc != STORE_OK)
		return rc;
	struct app_req r = { 0 };
	rc = audit_write(&r, s, "system.bootstrap", "org", id, id, path, NULL);
	if (rc == STORE_OK)
		c->created = true;
	return rc;
}

/* Also at later starts, so an installation made before regions shipped
 * gets them; cheap when they are there (one indexed count). Not fatal:
 * when two servers start a new database at once one of them loses the
 * race, and regions can always be imported by hand. */
static int seed_regions(struct app *a, struct store *s)
{
	struct arena *arena = arena_new();
	struct app_req r = { .app = a, .arena = arena, .store = s };
	int loaded = 0;
	if (regions_seed(&r, &loaded) != 0)
		log_warn("the shipped regions were not loaded (%s): import them with zhiyuan import regions",
			 r.err.code ? r.err.code : store_errmsg(s));
	else if (loaded > 0)
		log_info("loaded %d regions of the district from the shipped table", loaded);
	arena_free(arena);
	return 0;
}

int bootstrap_run(struct app *a, struct store *s)
{
	const struct app_config *cfg = app_config(a);
	if (!valid_region_code(cfg->root_region)) {
		log_error("root region code %s is not a 6- or 12-digit code", cfg->root_region);
		return -1;
	}
	if (!valid_text(cfg->root_org_name, strlen(cfg->root_org_name), ORG_NAME_MAX)) {
		log_error("root organisation name is empty or too long");
		return -1;
	}
	/* cheap check first so that an existing install does not pay for a
	 * password hash at every start */
	struct store_stmt *st = store_prepare(s, "SELECT 1 FROM orgs LIMIT 1");
	if (!st)
		return -1;
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_ROW)
		return seed_regions(a, s);
	if (rc != STORE_DONE)
		return -1;

	char generated[24];
	const char *pw = getenv("ZHIYUAN_ADMIN_PASSWORD");
	bool gen = !pw || !*pw;
	if (gen) {
		secret_password_generate(generated, 16);
		pw = generated;
	} else if (password_weakness(pw, strlen(pw))) {
		log_error("ZHIYUAN_ADMIN_PASSWORD must be %d to %d bytes and not a common or simple"
			  " password (%s)", PASSWORD_MIN, PASSWORD_MAX, password_weakness(pw, strlen(pw)));
		return -1;
	}
	char hash[128];
	if (secret_password_hash(pw, strlen(pw), hash, sizeof(hash)) != 0)
		return -1;
	struct boot_ctx c = { cfg, hash, false };
	rc = store_tx(s, boot_tx, &c);
	if (rc != STORE_OK) {
		log_error("bootstrap failed: %s", store_errmsg(s));
		return -1;
	}
	if (c.created) {
		log_info("created root organisation %s (%s) and the admin account",
			 cfg->root_org_name, cfg->root_region);
		if (gen) {
			printf("\n  Zhiyuan first start: admin password is %s\n"
			       "  (shown once; change it after signing in)\n\n", generated);
			fflush(stdout);
		}
	}
	return seed_regions(a, s);
}
