/* zhiyuan: the command line. Parses a subcommand and its options (each
 * option also reads an environment variable), hands over to the server or
 * a maintenance task, and turns the result into an exit status. */
#include "app/accounts/accounts_api.h"
#include "app/network/imports.h"
#include "app/setup/demo.h"
#include "app/setup/start.h"
#include "app/bank/points.h"
#include "app/service/records.h"
#include "app/network/regions.h"
#include "app/projects/shifts.h"
#include "app/menu/menu.h"
#include "core/netaddr.h"
#include "core/shifts.h"
#include "util/arena.h"
#include "app/kernel/app.h"
#include "core/validate.h"
#include "http/server.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "core/chinatime.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum opt_kind { OPT_STR, OPT_INT, OPT_FLAG };

struct opt {
	const char *name, *env, *def, *arg, *help;
	enum opt_kind kind;
	bool serve_only;
	const char *value;
};

static struct opt opts[] = {
	{ "db", "ZHIYUAN_DB", "sqlite:var/zhiyuan.db", "URL",
	  "database: sqlite:PATH or postgresql://USER:PASS@HOST:PORT/DB", OPT_STR, false, NULL },
	{ "listen", "ZHIYUAN_LISTEN", "127.0.0.1:8080", "HOST:PORT",
	  "address to serve on ([::1]:8080 for IPv6, port 0 picks a free port)", OPT_STR, true, NULL },
	{ "threads", "ZHIYUAN_THREADS", "0", "N", "threads serving connections (0 = one per core)", OPT_INT, true, NULL },
	{ "write-threads", "ZHIYUAN_WRITE_THREADS", "0", "N",
	  "threads running writes, which may wait for a commit (0 = eight per core, at least 32)", OPT_INT, true, NULL },
	{ "db-connections", "ZHIYUAN_DB_CONNECTIONS", "0", "N",
	  "database connections in use at once (0 = one per thread on SQLite; on PostgreSQL four per core, 16 to 64)",
	  OPT_INT, true, NULL },
	{ "web-root", "ZHIYUAN_WEB_ROOT", "web/dist", "DIR", "built web console to serve", OPT_STR, true, NULL },
	{ "max-body", "ZHIYUAN_MAX_BODY", "1048576", "BYTES", "largest request body accepted", OPT_INT, true, NULL },
	{ "access-log", "ZHIYUAN_ACCESS_LOG", "-", "DEST", "access log: - (stdout), a file, or off", OPT_STR, true, NULL },
	{ "session-ttl", "ZHIYUAN_SESSION_TTL", "43200", "SECONDS", "lifetime of a browser session", OPT_INT, true, NULL },
	{ "login-free-failures", "ZHIYUAN_LOGIN_FREE_FAILURES", "5", "N",
	  "failed sign-ins per account before back-off starts", OPT_INT, true, NULL },
	{ "address-free-failures", "ZHIYUAN_ADDRESS_FREE_FAILURES", "20", "N",
	  "failed sign-ins per client address before back-off starts", OPT_INT, true, NULL },
	{ "order-free-per-address", "ZHIYUAN_ORDER_FREE_PER_ADDRESS", "5", "N",
	  "residents' orders on the public page per client address within 15 minutes before waits start"
	  " (behind a proxy set --trusted-proxy, or every resident shares the proxy's count)", OPT_INT, true, NULL },
	{ "trusted-proxy", "ZHIYUAN_TRUSTED_PROXY", "", "ADDRS",
	  "reverse proxies (comma-separated addresses or CIDR blocks, IPv4 or IPv6, e.g. 127.0.0.1,10.0.0.0/8)"
	  " whose X-Forwarded-For names the client; its rightmost address that is not such a proxy is then the"
	  " client for throttles, the audit log and the access log (unset: the socket's peer is the client)",
	  OPT_STR, true, NULL },
	{ "max-connections-per-ip", "ZHIYUAN_MAX_CONNECTIONS_PER_IP", "512", "N",
	  "open connections allowed from one peer address (0 = no limit; behind a proxy every connection comes"
	  " from the proxy, see docs/operations.md)", OPT_INT, true, NULL },
	{ "header-timeout", "ZHIYUAN_HEADER_TIMEOUT", "10", "SECONDS",
	  "close a connection silent this long while its request's headers are awaited", OPT_INT, true, NULL },
	{ "idle-timeout", "ZHIYUAN_IDLE_TIMEOUT", "30", "SECONDS",
	  "close a connection silent this long once its headers are in (while a body is sent)", OPT_INT, true, NULL },
	{ "cookie-secure", "ZHIYUAN_COOKIE_SECURE", "0", NULL,
	  "mark the session cookie Secure (when served over HTTPS)", OPT_FLAG, true, NULL },
	{ "public-url", "ZHIYUAN_PUBLIC_URL", "", "URL",
	  "address people use to reach the console, e.g. https://zhiyuan.example.cn (certificate QR codes"
	  " point there; certificates are refused while it is unset or loopback)", OPT_STR, true, NULL },
	{ "sms-sender", "ZHIYUAN_SMS_SENDER", "log", "log|command:PROGRAM",
	  "how one-time codes reach phones: log (print them to the server log, for development) or"
	  " command:PROGRAM (run PROGRAM PHONE TEXT; see docs/operations.md)", OPT_STR, true, NULL },
	{ "claim-code-ttl", "ZHIYUAN_CLAIM_CODE_TTL", "600", "SECONDS",
	  "how long a one-time code for claiming an account lives", OPT_INT, true, NULL },
	{ "pay-code-ttl", "ZHIYUAN_PAY_CODE_TTL", "180", "SECONDS",
	  "how long a volunteer's pay code (shown on the phone to pay at a love-supermarket counter) lives",
	  OPT_INT, true, NULL },
	{ "order-escalate-after", "ZHIYUAN_ORDER_ESCALATE_AFTER", "120", "MINUTES",
	  "a resident's order nobody accepted (no provider, or no volunteer offered it) this long is escalated"
	  " to the organisation one level up", OPT_INT, true, NULL },
	{ "order-close-after", "ZHIYUAN_ORDER_CLOSE_AFTER", "14", "DAYS",
	  "a delivered order the resident has not rated this long after delivery is closed (its personal data"
	  " masked from then on)", OPT_INT, true, NULL },
	{ "sweep-every", "ZHIYUAN_SWEEP_EVERY", "300", "SECONDS",
	  "how often the server checks out who forgot to, marks no-shows, escalates orders nobody took and closes"
	  " delivered orders nobody rated (0 = never; see sweep-shifts)", OPT_INT, true, NULL },
	{ "shutdown-grace", "ZHIYUAN_SHUTDOWN_GRACE", "10", "SECONDS",
	  "how long to wait for requests in flight on SIGTERM", OPT_INT, true, NULL },
	{ "root-org-name", "ZHIYUAN_ROOT_ORG_NAME", "温江区志愿服务联合会", "NAME",
	  "name of the root organisation created on first start", OPT_STR, false, NULL },
	{ "root-region", "ZHIYUAN_ROOT_REGION", "510115", "CODE",
	  "region code of the root organisation (GB/T 2260)", OPT_STR, false, NULL },
	{ "record-granularity", "ZHIYUAN_RECORD_GRANULARITY", "30", "MINUTES",
	  "service records are rounded to this many minutes", OPT_INT, false, NULL },
	{ "record-daily-max", "ZHIYUAN_RECORD_DAILY_MAX", "720", "MINUTES",
	  "most service minutes one volunteer may have recorded in a day", OPT_INT, false, NULL },
	{ "voucher-points", "ZHIYUAN_VOUCHER_POINTS", "30", "POINTS",
	  "the points that buy one love-supermarket voucher; vouchers are worth multiples of it", OPT_INT, false, NULL },
	{ "shift-grace", "ZHIYUAN_SHIFT_GRACE", "0", "MINUTES",
	  "two shifts of one volunteer may overlap by this much", OPT_INT, false, NULL },
	{ "signup-cancel-before", "ZHIYUAN_SIGNUP_CANCEL_BEFORE", "120", "MINUTES",
	  "volunteers may cancel a sign-up until this long before the shift (shifts may set their own)", OPT_INT, false, NULL },
	{ "checkin-code-period", "ZHIYUAN_CHECKIN_CODE_PERIOD", "300", "SECONDS",
	  "how long a rotating check-in code lives (the previous one is still accepted)", OPT_INT, false, NULL },
	{ "checkin-early", "ZHIYUAN_CHECKIN_EARLY", "30", "MINUTES",
	  "check-in opens this long before a shift starts", OPT_INT, false, NULL },
	{ "attendance-rounding", "ZHIYUAN_ATTENDANCE_ROUNDING", "15,45", "LOW,HIGH|off",
	  "minutes past the hour up to LOW count 0, up to HIGH count 30, more a full hour", OPT_STR, false, NULL },
	{ "attendance-share", "ZHIYUAN_ATTENDANCE_SHARE", "60", "PERCENT",
	  "share of a shift attended for it to become a service record", OPT_INT, false, NULL },
	{ "no-show-limit", "ZHIYUAN_NO_SHOW_LIMIT", "3", "N",
	  "no-shows within --no-show-days that block new sign-ups (0 = never)", OPT_INT, false, NULL },
	{ "no-show-days", "ZHIYUAN_NO_SHOW_DAYS", "90", "DAYS", "how far back no-shows count", OPT_INT, false, NULL },
	{ "key-file", "ZHIYUAN_KEY_FILE", "", "PATH",
	  "sealing key for ID numbers (default: zhiyuan.key beside an SQLite database, else var/zhiyuan.key;"
	  " ZHIYUAN_KEY with 64 hex characters overrides it)", OPT_STR, false, NULL },
	{ "org", "ZHIYUAN_IMPORT_ORG", "", "ID",
	  "import volunteers: the home organisation of the imported people", OPT_STR, false, NULL },
	{ "scale", "ZHIYUAN_DEMO_SCALE", "1", "N",
	  "demo: districts' worth of volunteers (1 = 64,318)", OPT_INT, false, NULL },
	{ "csv", "ZHIYUAN_DEMO_CSV", "", "FILE",
	  "demo: instead of loading, write --count synthetic volunteers to FILE", OPT_STR, false, NULL },
	{ "count", "ZHIYUAN_DEMO_COUNT", "100000", "N", "demo --csv: how many people", OPT_INT, false, NULL },
	{ "volunteers", "ZHIYUAN_DEMO_VOLUNTEERS", "0", "N",
	  "demo: load N volunteers instead of 64,318 × scale (for quick trials)", OPT_INT, false, NULL },
	{ "as-of", "ZHIYUAN_AS_OF", "", "DATE",
	  "expire-points: as of the end of this day (YYYY-MM-DD, China time) instead of now", OPT_STR, false, NULL },
	{ "movements", "ZHIYUAN_DEMO_MOVEMENTS", "0", "N",
	  "demo: also N movements in the points ledger (grants and deductions)", OPT_INT, false, NULL },
	{ "records", "ZHIYUAN_DEMO_RECORDS", "0", "N",
	  "demo: also N approved service records (in the chain), 50 volunteers per activity", OPT_INT, false, NULL },
	{ "log-level", "ZHIYUAN_LOG_LEVEL", "info", "LEVEL", "error, warn, info or debug", OPT_STR, false, NULL },
	{ "clock-offset", "ZHIYUAN_CLOCK_OFFSET", "0", "SECONDS",
	  "for tests and trials only: run the clock this many seconds ahead of the system's (negative: behind)",
	  OPT_INT, false, NULL },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static struct opt *find(const char *name)
{
	for (size_t i = 0; i < NOPTS; i++)
		if (strcmp(opts[i].name, name) == 0)
			return &opts[i];
	return NULL;
}

static const char *val(const char *name)
{
	return find(name)->value;
}

static int num(const char *name, long long min, long long max, long long *out)
{
	const char *s = val(name);
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || !*s || v < min || v > max) {
		fprintf(stderr, "zhiyuan: --%s must be a number from %lld to %lld (got \"%s\")\n",
			name, min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

static void usage(FILE *f)
{
	fputs("usage: zhiyuan <command> [options]\n\n"
	      "Zhiyuan (志愿): volunteer-service management for a district's volunteer network.\n\n"
	      "commands:\n"
	      "  serve                   serve the API and the web console (the default)\n"
	      "  migrate                 apply database migrations and exit\n"
	      "  user reset-password NAME  set a new generated password for a user and print it;\n"
	      "                            ends their sessions and revokes their API tokens\n"
	      "  import regions FILE     load region codes and household population (CSV/XLSX)\n"
	      "  import volunteers FILE --org ID  register the people of a spreadsheet\n"
	      "  demo [--scale N] [--records N]  load a synthetic district (64,318 volunteers × N, and N approved\n"
	      "                          service records) into a new installation\n"
	      "  demo --csv FILE --count N  write N synthetic volunteers as an import CSV\n"
	      "  menu-load FILE          load a service menu and its hotlines (JSON, see data/menu/README.md);\n"
	      "                          loading the same file again changes nothing\n"
	      "  verify                  walk the chain of approved service records; exit 1 at the first broken link\n"
	      "  check-ledger            recompute every points balance from the movements; exit 1 when one differs\n"
	      "  expire-points [--as-of DATE]  return expired points to their pools (run daily)\n"
	      "  sweep-shifts            check out who is still checked in after 24 hours, mark no-shows\n"
	      "                          (the server also runs it, every --sweep-every seconds)\n"
	      "  version                 print the version\n"
	      "  help [COMMAND]          this text, or a command's options\n\n"
	      "Run `zhiyuan serve --help` for every option. Each option can also be set by\n"
	      "its environment variable; the command line wins.\n", f);
}

static void usage_command(FILE *f, const char *cmd)
{
	bool serve = strcmp(cmd, "serve") == 0;
	fprintf(f, "usage: zhiyuan %s [options]\n\noptions (environment variable, default):\n", cmd);
	for (size_t i = 0; i < NOPTS; i++) {
		if (opts[i].serve_only && !serve)
			continue;
		char left[64];
		snprintf(left, sizeof(left), "--%s%s%s", opts[i].name, opts[i].arg ? " " : "",
			 opts[i].arg ? opts[i].arg : "");
		fprintf(f, "  %-30s %s\n  %-30s (%s, default %s)\n", left, opts[i].help, "",
			opts[i].env, *opts[i].def ? opts[i].def : "unset");
	}
	if (serve)
		fputs("\nOn first start the root organisation and an `admin` account are created;\n"
		      "the admin password comes from ZHIYUAN_ADMIN_PASSWORD or is generated and\n"
		      "printed once to standard output.\n", f);
}

/* Fills option values from defaults, then the environment, then argv
 * (from index *i on). Returns 0, 1 when help was printed, or -1. */
static int parse(int argc, char **argv, int *i, const char *cmd, const char **positional, int npos)
{
	for (size_t k = 0; k < NOPTS; k++) {
		const char *e = getenv(opts[k].env);
		opts[k].value = (e && *e) ? e : opts[k].def;
	}
	int got = 0;
	for (; *i < argc; (*i)++) {
		const char *a = argv[*i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage_command(stdout, cmd);
			return 1;
		}
		if (strncmp(a, "--", 2) != 0) {
			if (got < npos) {
				positional[got++] = a;
				continue;
			}
			fprintf(stderr, "zhiyuan %s: unexpected argument %s\n", cmd, a);
			return -1;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		char buf[64];
		if (eq) {
			snprintf(buf, sizeof(buf), "%.*s", (int)(eq - name), name);
			name = buf;
		}
		struct opt *o = find(name);
		if (!o || (o->serve_only && strcmp(cmd, "serve") != 0)) {
			fprintf(stderr, "zhiyuan %s: unknown option --%s (see zhiyuan %s --help)\n", cmd, name, cmd);
			return -1;
		}
		if (o->kind == OPT_FLAG) {
			o->value = eq ? eq + 1 : "1";
			continue;
		}
		if (eq) {
			o->value = eq + 1;
		} else if (*i + 1 < argc) {
			o->value = argv[++(*i)];
		} else {
			fprintf(stderr, "zhiyuan %s: --%s needs a value\n", cmd, name);
			return -1;
		}
	}
	if (got < npos) {
		fprintf(stderr, "zhiyuan %s: missing argument\n", cmd);
		return -1;
	}
	if (log_parse_level(val("log-level"), &log_threshold) != 0) {
		fprintf(stderr, "zhiyuan: --log-level must be error, warn, info or debug\n");
		return -1;
	}
	/* ±100 years; every clock read of the server and the commands goes
	 * through time_now_ms, so this moves them all */
	long long offset;
	if (num("clock-offset", -3155760000LL, 3155760000LL, &offset) != 0)
		return -1;
	time_set_offset(offset);
	return 0;
}

/* SQLite files live under var/ by default: create the folder. */
static void ensure_db_dir(const char *url)
{
	const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
	if (strstr(url, "://"))
		return;
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return;
	char dir[512];
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		fprintf(stderr, "zhiyuan: cannot create %s: %s\n", dir, strerror(errno));
}

static int open_app(struct app **app)
{
	long long free_acct, free_addr, ttl, claim_ttl, pay_ttl, gran, daily, vpoints, grace, cancel, period, early, share, nlimit, ndays;
	struct attend_rule rule;
	if (attend_rule_parse(val("attendance-rounding"), &rule) != 0) {
		fprintf(stderr, "zhiyuan: --attendance-rounding wants LOW,HIGH (0 <= LOW <= HIGH < 60) or off\n");
		return -1;
	}
	if (num("shift-grace", 0, 240, &grace) != 0 || num("signup-cancel-before", 0, 10080, &cancel) != 0 ||
	    num("checkin-code-period", 30, 86400, &period) != 0 || num("checkin-early", 0, 1440, &early) != 0 ||
	    num("attendance-share", 0, 100, &share) != 0 || num("no-show-limit", 0, 100, &nlimit) != 0 ||
	    num("no-show-days", 1, 3650, &ndays) != 0)
		return -1;
	long long order_free;
	if (num("order-free-per-address", 1, 100000, &order_free) != 0)
		return -1;
	if (num("record-granularity", 1, 240, &gran) != 0 || num("record-daily-max", 60, 1440, &daily) != 0 ||
	    num("voucher-points", 1, 1000, &vpoints) != 0 ||
	    num("login-free-failures", 1, 1000, &free_acct) != 0 ||
	    num("address-free-failures", 1, 100000, &free_addr) != 0 ||
	    num("session-ttl", 1, 31 * 86400, &ttl) != 0 ||
	    num("claim-code-ttl", 1, 86400, &claim_ttl) != 0 ||
	    num("pay-code-ttl", 1, 3600, &pay_ttl) != 0)
		return -1;
	long long escalate;
	if (num("order-escalate-after", 1, 10080, &escalate) != 0)
		return -1;
	long long close_after;
	if (num("order-close-after", 1, 365, &close_after) != 0)
		return -1;
	/* kept without a trailing slash: links are made by appending paths */
	static char public_url[256];
	snprintf(public_url, sizeof(public_url), "%s", val("public-url"));
	for (size_t n = strlen(public_url); n > 0 && public_url[n - 1] == '/'; n--)
		public_url[n - 1] = '\0';
	struct app_config cfg = {
		.db_url = val("db"),
		.root_org_name = val("root-org-name"),
		.root_region = val("root-region"),
		.session_ttl = ttl,
		.account_free_failures = (int)free_acct,
		.address_free_failures = (int)free_addr,
		.order_free_per_address = (int)order_free,
		.record_granularity = (int)gran,
		.record_daily_max = (int)daily,
		.voucher_points = (int)vpoints,
		.shift_grace = (int)grace,
		.cancel_before = (int)cancel,
		.checkin_period = (int)period,
		.checkin_early = (int)early,
		.attend_rounding = val("attendance-rounding"),
		.attend_share = (int)share,
		.noshow_limit = (int)nlimit,
		.noshow_days = (int)ndays,
		.public_url = public_url,
		.sms_sender = val("sms-sender"),
		.claim_ttl = (int)claim_ttl,
		.pay_code_ttl = (int)pay_ttl,
		.order_escalate_after = (int)escalate,
		.order_close_after = (int)close_after,
	};
	ensure_db_dir(cfg.db_url);
	static char keyfile[600];
	const char *kf = val("key-file");
	if (!*kf) {
		const char *path = strncmp(cfg.db_url, "sqlite:", 7) == 0 ? cfg.db_url + 7 : cfg.db_url;
		const char *slash = strrchr(path, '/');
		if (strstr(cfg.db_url, "://"))
			snprintf(keyfile, sizeof(keyfile), "var/zhiyuan.key");
		else if (slash)
			snprintf(keyfile, sizeof(keyfile), "%.*s/zhiyuan.key", (int)(slash - path), path);
		else
			snprintf(keyfile, sizeof(keyfile), "zhiyuan.key");
		if (strstr(cfg.db_url, "://"))
			mkdir("var", 0700);
		kf = keyfile;
	}
	cfg.key_file = kf;
	return setup_open(&cfg, app);
}

static int cmd_serve(void)
{
	long long threads, write_threads, max_body, grace, sweep, conns, per_ip, header_to, idle_to;
	if (num("threads", 0, 256, &threads) != 0 || num("write-threads", 0, 1024, &write_threads) != 0 ||
	    num("max-connections-per-ip", 0, 4000, &per_ip) != 0 ||
	    num("header-timeout", 1, 3600, &header_to) != 0 || num("idle-timeout", 1, 3600, &idle_to) != 0 ||
	    num("db-connections", 0, 1000, &conns) != 0 ||
	    num("sweep-every", 0, 86400, &sweep) != 0 ||
	    num("max-body", 1024, 1LL << 30, &max_body) != 0 ||
	    num("shutdown-grace", 0, 3600, &grace) != 0)
		return 2;
	static struct netlist trusted;
	if (netlist_parse(val("trusted-proxy"), &trusted) != 0) {
		fprintf(stderr, "zhiyuan: --trusted-proxy wants comma-separated addresses or CIDR blocks"
			" (at most %d, no host bits past the prefix), e.g. 127.0.0.1,10.0.0.0/8,fd00::/8\n", NETLIST_MAX);
		return 2;
	}
	struct app *app;
	if (open_app(&app) != 0)
		return 1;
	const char *public_url = app_config(app)->public_url;
	if (!valid_public_url(public_url))
		log_warn("--public-url (ZHIYUAN_PUBLIC_URL) is %s%s%s: certificates cannot be issued until it names"
			 " the address people reach this console at, e.g. https://zhiyuan.example.cn",
			 *public_url ? "\"" : "unset", public_url, *public_url ? "\", a loopback address" : "");
	if (strcmp(val("sms-sender"), "log") == 0)
		log_warn("--sms-sender (ZHIYUAN_SMS_SENDER) is log: one-time codes are printed to this log, not"
			 " delivered, and shown to staff who invite; use command:PROGRAM with an SMS gateway in production");
	struct http_config hc = {
		.listen = val("listen"),
		.threads = (unsigned)threads,
		.write_threads = (unsigned)write_threads,
		.db_connections = (unsigned)conns,
		.web_root = val("web-root"),
		.max_body = (size_t)max_body,
		.access_log = val("access-log"),
		.cookie_secure = strcmp(val("cookie-secure"), "0") != 0,
		.shutdown_grace = (unsigned)grace,
		.public_url = public_url,
		.tick_every = (unsigned)sweep,
		.trusted_proxies = &trusted,
		.max_conns_per_ip = (unsigned)per_ip,
		.header_timeout = (unsigned)header_to,
		.idle_timeout = (unsigned)idle_to,
	};
	int rc = http_serve(app, &hc);
	app_close(app);
	return rc == 0 ? 0 : 1;
}

static int cmd_migrate(void)
{
	struct app *app;
	if (open_app(&app) != 0)
		return 1;
	printf("database is up to date (%s)\n", app_backend(app));
	app_close(app);
	return 0;
}

/* Reads a whole file of at most 256 MiB into memory. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "zhiyuan: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			if (cap >= (256u << 20)) {
				fprintf(stderr, "zhiyuan: %s is larger than 256 MiB\n", path);
				free(buf);
				buf = NULL;
				break;
			}
			cap *= 2;
			char *bigger = realloc(buf, cap);
			if (!bigger)
				abort();
			buf = bigger;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

/* What a file command does with the file's bytes, as the command-line
 * principal: a use case answering 0 with a report, or -1 with r->err. */
typedef int (*file_use_case)(struct app_req *r, const char *data, size_t len, json_t **report);

static int import_volunteers_file(struct app_req *r, const char *data, size_t len, json_t **report)
{
	return imports_volunteers(r, val("org"), data, len, report);
}

static int import_regions_file(struct app_req *r, const char *data, size_t len, json_t **report)
{
	return regions_import(r, data, len, report);
}

static int menu_load_file(struct app_req *r, const char *data, size_t len, json_t **report)
{
	return menu_load(r, data, len, report);
}

/* Runs use on the bytes of path as the root's "cli" principal: the report
 * goes to stdout, a refusal to stderr after "zhiyuan NAME: ". */
static int run_file_command(const char *name, const char *path, file_use_case use)
{
	size_t len;
	char *data = slurp(path, &len);
	if (!data)
		return 1;
	struct app *app;
	if (open_app(&app) != 0) {
		free(data);
		return 1;
	}
	struct arena *arena = arena_new();
	struct app_req r;
	json_t *report = NULL;
	int rc = app_req_init(&r, app, arena, "cli");
	if (rc == 0)
		rc = app_cli_principal(&r);
	if (rc == 0)
		rc = use(&r, data, len, &report);
	if (rc == 0) {
		json_dumpf(report, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		fprintf(stderr, "zhiyuan %s: %s%s%s%s%s%s\n", name, r.err.code ? r.err.code : "failed",
			r.err.field ? " (" : "", r.err.field ? r.err.field : "", r.err.field ? ")" : "",
			r.err.detail ? " " : "", r.err.detail ? r.err.detail : "");
	}
	json_decref(report);
	arena_free(arena);
	app_close(app);
	free(data);
	return rc == 0 ? 0 : 1;
}

static int cmd_import(const char *what, const char *path)
{
	bool volunteers = strcmp(what, "volunteers") == 0;
	if (!volunteers && strcmp(what, "regions") != 0) {
		fprintf(stderr, "zhiyuan import: unknown kind %s (regions or volunteers)\n", what);
		return 2;
	}
	if (volunteers && !*val("org")) {
		fprintf(stderr, "zhiyuan import volunteers: --org ID names the home organisation\n");
		return 2;
	}
	return run_file_command("import", path, volunteers ? import_volunteers_file : import_regions_file);
}

/* zhiyuan menu-load FILE: the service menu of a file, as the root. */
static int cmd_menu_load(const char *path)
{
	return run_file_command("menu-load", path, menu_load_file);
}

static int cmd_demo(void)
{
	long long scale, count, people, records, movements;
	if (num("scale", 1, 100, &scale) != 0 || num("count", 1, 20000000, &count) != 0 ||
	    num("volunteers", 0, 20000000, &people) != 0 || num("records", 0, 100000000, &records) != 0 ||
	    num("movements", 0, 1000000000, &movements) != 0)
		return 2;
	if (*val("csv")) {
		FILE *f = fopen(val("csv"), "w");
		if (!f) {
			fprintf(stderr, "zhiyuan demo: cannot write %s: %s\n", val("csv"), strerror(errno));
			return 1;
		}
		int rc = demo_write_csv(f, 0, count);
		return (fclose(f) == 0 && rc == 0) ? 0 : 1;
	}
	struct app *app;
	if (open_app(&app) != 0)
		return 1;
	struct arena *arena = arena_new();
	struct app_req r;
	int rc = app_req_init(&r, app, arena, "cli");
	if (rc == 0)
		rc = app_cli_principal(&r);
	if (rc == 0)
		rc = demo_load(&r, (int)scale, people, records, stdout);
	if (rc == 0 && movements > 0)
		rc = demo_movements(&r, movements, stdout);
	if (rc != 0)
		fprintf(stderr, "zhiyuan demo: %s\n", r.err.code && strcmp(r.err.code, "demo_needs_empty") == 0
			? "the database already has organisations; the demo loads into a new installation only"
			: (r.err.code ? r.err.code : "failed"));
	else
		printf("demo district loaded; sign in as admin\n");
	arena_free(arena);
	app_close(app);
	return rc == 0 ? 0 : 1;
}

static int cmd_check_ledger(void)
{
	struct app *app;
	if (open_app(&app) != 0)
		return 1;
	struct arena *arena = arena_new();
	struct app_req r;
	int64_t movements = 0, accounts = 0, bad = 0, sum = 0;
	char why[256];
	int rc = app_req_init(&r, app, arena, "cli");
	if (rc == 0)
		rc = app_cli_principal(&r);
	if (rc == 0)
		rc = points_check_ledger(&r, &movements, &accounts, &bad, &sum, why, sizeof(why));
	if (rc != 0)
		fprintf(stderr, "zhiyuan check-ledger: %s\n", r.err.code ? r.err.code : "failed");
	else if (bad)
		printf("LEDGER WRONG: %lld problems in %lld accounts, %lld movements; first: %s\n", (long long)bad,
		       (long long)accounts, (long long)movements, why);
	else
		printf("ledger balanced: %lld movements, %lld accounts, balances sum to 0\n", (long long)movements,
		       (long long)accounts);
	arena_free(arena);
	app_close(app);
	return rc == 0 && !bad ? 0 : 1;
}

static int cmd_expire_points(void)
{
	struct app *app;
	int64_t at = 0;
	const char *asof = val("as-of");
	if (*asof) {
		int ymd;
		if (!valid_date(asof, &ymd)) {
			fprintf(stderr, "zhiyuan expire-points: --as-of wants YYYY-MM-DD\n");
			return 2;
		}
		at = china_day_start(ymd) + 86400 - 1;   /* the end of that day in China */
	}
	if (open_app(&app) != 0)
		return 1;
	struct arena *arena = arena_new();
	struct app_req r;
	int64_t moved = 0;
	int rc = app_req_init(&r, app, arena, "cli");
	if (rc == 0)
		rc = app_cli_principal(&r);
	if (rc == 0)
		rc = points_expire_all(&r, at ? at : time_now_ms() / 1000, &moved);
	if (rc != 0)
		fprintf(stderr, "zhiyuan expire-points: %s\n", r.err.code ? r.err.code : "failed");
	else
		printf("expired points moved back: %lld movements\n", (long long)moved);
	arena_free(arena);
	app_close(app);
	return rc == 0 ? 0 : 1;
}

static int cmd_sweep_shifts(void)
{
	struct app *app;
	if (open_app(&app) != 0)
		return 1;
	struct arena *arena = arena_new();
	struct app_req r;
	int64_t out = 0, noshow = 0;
	/* no principal, as in the server's own sweep (app_tick): the records
	 * of automatic check-outs are then entered in the name of the shift's
	 * creator; the command line's principal is no user, and its id 0
	 * broke the records' foreign key, so nobody was ever checked out */
	int rc = app_req_init(&r, app, arena, "cli");
	if (rc == 0)
		rc = shifts_sweep(&r, time_now_ms() / 1000, &out, &noshow);
	if (rc != 0)
		fprintf(stderr, "zhiyuan sweep-shifts: %s\n", r.err.code ? r.err.code : "failed");
	else
		printf("checked out automatically: %lld, no-shows marked: %lld\n", (long long)out, (long long)noshow);
	arena_free(arena);
	app_close(app);
	return rc == 0 ? 0 : 1;
}

static int cmd_verify(void)
{
	struct app *app;
	if (open_app(&app) != 0)
		return 1;
	struct arena *arena = arena_new();
	struct app_req r;
	int64_t checked = 0, broken = 0;
	char why[256];
	int rc = app_req_init(&r, app, arena, "cli");
	if (rc == 0)
		rc = app_cli_principal(&r);
	if (rc == 0)
		rc = records_verify(&r, &checked, &broken, why, sizeof(why));
	if (rc != 0)
		fprintf(stderr, "zhiyuan verify: %s\n", r.err.code ? r.err.code : "failed");
	else if (broken)
		printf("BROKEN after %lld good links: %s\n", (long long)checked, why);
	else
		printf("chain intact: %lld links\n", (long long)checked);
	arena_free(arena);
	app_close(app);
	return rc == 0 && !broken ? 0 : 1;
}

static int cmd_reset_password(const char *username)
{
	struct app *app;
	if (open_app(&app) != 0)
		return 1;
	char pw[32];
	int64_t revoked = 0;
	int rc = users_reset_password(app, username, pw, sizeof(pw), &revoked);
	if (rc == 0)
		printf("new password for %s: %s\n"
		       "sessions ended; API tokens revoked: %lld\n", username, pw, (long long)revoked);
	else
		fprintf(stderr, "zhiyuan: no user named %s, or the database refused the change\n", username);
	app_close(app);
	return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 && strncmp(argv[1], "--", 2) != 0 ? argv[1] : "serve";
	int i = argc > 1 && strncmp(argv[1], "--", 2) != 0 ? 2 : 1;
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
			 strcmp(argv[1], "help") == 0)) {
		if (argc > 2 && strcmp(argv[1], "help") == 0)
			usage_command(stdout, argv[2]);
		else
			usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "version") == 0 || (argc > 1 && strcmp(argv[1], "--version") == 0)) {
		printf("zhiyuan 0.1.0\n");
		return 0;
	}
	const char *pos[2] = { 0 };
	int rc;
	if (strcmp(cmd, "serve") == 0) {
		rc = parse(argc, argv, &i, cmd, pos, 0);
		return rc ? (rc > 0 ? 0 : 2) : cmd_serve();
	}
	if (strcmp(cmd, "migrate") == 0) {
		rc = parse(argc, argv, &i, cmd, pos, 0);
		return rc ? (rc > 0 ? 0 : 2) : cmd_migrate();
	}
	if (strcmp(cmd, "user") == 0) {
		rc = parse(argc, argv, &i, "user", pos, 2);
		if (rc)
			return rc > 0 ? 0 : 2;
		if (strcmp(pos[0], "reset-password") != 0) {
			fprintf(stderr, "zhiyuan user: unknown action %s (try reset-password)\n", pos[0]);
			return 2;
		}
		return cmd_reset_password(pos[1]);
	}
	if (strcmp(cmd, "expire-points") == 0) {
		rc = parse(argc, argv, &i, "expire-points", pos, 0);
		return rc ? (rc > 0 ? 0 : 2) : cmd_expire_points();
	}
	if (strcmp(cmd, "sweep-shifts") == 0) {
		rc = parse(argc, argv, &i, "sweep-shifts", pos, 0);
		return rc ? (rc > 0 ? 0 : 2) : cmd_sweep_shifts();
	}
	if (strcmp(cmd, "check-ledger") == 0) {
		rc = parse(argc, argv, &i, "check-ledger", pos, 0);
		return rc ? (rc > 0 ? 0 : 2) : cmd_check_ledger();
	}
	if (strcmp(cmd, "verify") == 0) {
		rc = parse(argc, argv, &i, "verify", pos, 0);
		return rc ? (rc > 0 ? 0 : 2) : cmd_verify();
	}
	if (strcmp(cmd, "demo") == 0) {
		rc = parse(argc, argv, &i, "demo", pos, 0);
		return rc ? (rc > 0 ? 0 : 2) : cmd_demo();
	}
	if (strcmp(cmd, "menu-load") == 0) {
		rc = parse(argc, argv, &i, "menu-load", pos, 1);
		return rc ? (rc > 0 ? 0 : 2) : cmd_menu_load(pos[0]);
	}
	if (strcmp(cmd, "import") == 0) {
		rc = parse(argc, argv, &i, "import", pos, 2);
		return rc ? (rc > 0 ? 0 : 2) : cmd_import(pos[0], pos[1]);
	}
	fprintf(stderr, "zhiyuan: unknown command %s\n\n", cmd);
	usage(stderr);
	return 2;
}
