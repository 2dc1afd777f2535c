/* Password quality: libpwquality (cracklib's dictionary and its checks for
 * systematic passwords) plus a short list of passwords common in China
 * that the English dictionary does not know. docs/decisions.md says why
 * this rather than a shipped list. */
#include "app/accounts/accounts.h"
#include "core/validate.h"
#include "util/log.h"
#include <ctype.h>
#include <pthread.h>
#include <pwquality.h>
#include <string.h>

static pwquality_settings_t *settings;
static pthread_once_t settings_once = PTHREAD_ONCE_INIT;
/* cracklib keeps state of its own between calls: one check at a time
 * (a check costs ~0.4 ms, next to the tens of ms of the argon2 hash) */
static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;

static void settings_init(void)
{
	settings = pwquality_default_settings();
	if (!settings)
		return;
	/* the length rule is ours (8-256); the user-name check is off because
	 * not every path knows the name the password goes with */
	pwquality_set_int_value(settings, PWQ_SETTING_MIN_LENGTH, PASSWORD_MIN);
	pwquality_set_int_value(settings, PWQ_SETTING_USER_CHECK, 0);
	pwquality_set_int_value(settings, PWQ_SETTING_GECOS_CHECK, 0);
	void *aux = NULL;
	char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
	int rc = pwquality_check(settings, "password", NULL, NULL, &aux);
	const char *why = rc < 0 ? pwquality_strerror(buf, sizeof(buf), rc, aux) : "";
	if (rc >= 0 || strstr(why, "error loading")) {
		/* without its dictionary every check fails: keep the other checks,
		 * and say what is missing */
		log_warn("passwords: the cracklib dictionary is missing (install cracklib-runtime);"
			 " dictionary words are not refused");
		pwquality_set_int_value(settings, PWQ_SETTING_DICT_CHECK, 0);
	}
}

/* Passwords Chinese users choose often that cracklib passes (pinyin and
 * number sayings): compared in lower case, whole. */
static const char *const common_cn[] = {
	"woaini1314", "woaini520", "woaini521", "woaini123", "woaini1314520",
	"5201314520", "1314520520", "caonima123", "qwe123456", "123456qwe",
	"woshishui", "zhang123456", "wang123456", "li123456", "aini1314",
};

static bool common_here(const char *pw, size_t len)
{
	char low[32];
	if (len >= sizeof(low))
		return false;
	for (size_t i = 0; i <= len; i++)
		low[i] = (char)tolower((unsigned char)pw[i]);
	for (size_t i = 0; i < sizeof(common_cn) / sizeof(common_cn[0]); i++)
		if (strcmp(low, common_cn[i]) == 0)
			return true;
	return false;
}

/* Fewer than four different characters is no password, whatever its length. */
static bool few_different(const char *pw, size_t len)
{
	bool seen[256] = { false };
	int n = 0;
	for (size_t i = 0; i < len && n < 4; i++)
		if (!seen[(unsigned char)pw[i]]) {
			seen[(unsigned char)pw[i]] = true;
			n++;
		}
	return n < 4;
}

const char *password_weakness(const char *pw, size_t len)
{
	if (!valid_password(pw, len))
		return "length";
	if (few_different(pw, len))
		return "simple";
	if (common_here(pw, len))
		return "common";
	pthread_once(&settings_once, settings_init);
	if (!settings)
		return NULL;   /* out of memory at start: the length rule holds */
	void *aux = NULL;
	pthread_mutex_lock(&check_lock);
	int rc = pwquality_check(settings, pw, NULL, NULL, &aux);
	char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
	const char *text = rc == PWQ_ERROR_CRACKLIB_CHECK ? pwquality_strerror(buf, sizeof(buf), rc, aux) : "";
	bool dictionary = strstr(text, "dictionary word") != NULL;
	pthread_mutex_unlock(&check_lock);
	if (rc >= 0)
		return NULL;
	if (rc == PWQ_ERROR_MIN_LENGTH || rc == PWQ_ERROR_EMPTY_PASSWORD)
		return "length";
	return dictionary ? "common" : "simple";
}

int password_check(struct app_req *r, const char *pw, const char *field)
{
	const char *why = password_weakness(pw, strlen(pw));
	if (!why)
		return 0;
	r->err.reason = why;
	return app_fail(r, APP_EINVALID, "weak_password", field);
}
