/* libsodium wrappers: everything secret is made and checked here. */
#include "app/kernel/secrets.h"
#include <assert.h>
#include <sodium.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Set once at start-up, read-only afterwards. */
static unsigned char seal_key[crypto_secretbox_KEYBYTES];
static unsigned char hash_key[crypto_generichash_KEYBYTES];
static unsigned char check_key[crypto_generichash_KEYBYTES];

int secrets_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void secret_code(char out[SECRET_CODE_LEN + 1])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	unsigned char raw[SECRET_CODE_LEN];
	randombytes_buf(raw, sizeof(raw));
	/* five bits of each byte: 80 bits in all */
	for (int i = 0; i < SECRET_CODE_LEN; i++)
		out[i] = alphabet[raw[i] & 31];
	out[SECRET_CODE_LEN] = 0;
	sodium_memzero(raw, sizeof(raw));
}

void secret_token(const char *prefix, char *out, size_t outlen)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	size_t p = strlen(prefix);
	/* an empty token would be a credential anybody can present */
	assert(outlen >= p + sodium_base64_ENCODED_LEN(sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING));
	if (outlen < p + sodium_base64_ENCODED_LEN(sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
		out[0] = 0;
		return;
	}
	memcpy(out, prefix, p);
	sodium_bin2base64(out + p, outlen - p, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void secret_digest(const char *token, char out[SECRET_HASH_HEX])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, SECRET_HASH_HEX, h, sizeof(h));
}

int secret_password_hash(const char *password, size_t len, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return -1;
	return crypto_pwhash_str_alg(out, password, len,
				     crypto_pwhash_OPSLIMIT_INTERACTIVE,
				     crypto_pwhash_MEMLIMIT_INTERACTIVE,
				     crypto_pwhash_ALG_ARGON2ID13) == 0 ? 0 : -1;
}

bool secret_password_verify(const char *hash, const char *password, size_t len)
{
	return crypto_pwhash_str_verify(hash, password, len) == 0;
}

void secret_password_generate(char *out, size_t n)
{
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	assert(n > 0);
	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[n] = 0;
}

/* check-in codes (secret_shift_code) */
static unsigned char code_key[crypto_auth_hmacsha256_KEYBYTES];

static void derive(const unsigned char master[crypto_kdf_KEYBYTES])
{
	crypto_kdf_derive_from_key(seal_key, sizeof(seal_key), 1, "zhiyuan_", master);
	crypto_kdf_derive_from_key(hash_key, sizeof(hash_key), 2, "zhiyuan_", master);
	crypto_kdf_derive_from_key(check_key, sizeof(check_key), 3, "zhiyuan_", master);
	crypto_kdf_derive_from_key(code_key, sizeof(code_key), 4, "zhiyuan_", master);
}

int secrets_load_key(const char *hex_env, const char *key_path, bool create, bool *created,
		     char *err, size_t errlen)
{
	unsigned char master[crypto_kdf_KEYBYTES];
	size_t got = 0;
	*created = false;
	if (hex_env && *hex_env) {
		if (sodium_hex2bin(master, sizeof(master), hex_env, strlen(hex_env), NULL, &got, NULL) != 0 ||
		    got != sizeof(master)) {
			snprintf(err, errlen, "ZHIYUAN_KEY must be 64 hexadecimal characters");
			return -1;
		}
		derive(master);
		sodium_memzero(master, sizeof(master));
		return 0;
	}
	char hex[crypto_kdf_KEYBYTES * 2 + 2];
	int fd = open(key_path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, hex, sizeof(hex) - 1);
		close(fd);
		if (n < 64 || sodium_hex2bin(master, sizeof(master), hex, 64, NULL, &got, NULL) != 0 ||
		    got != sizeof(master)) {
			snprintf(err, errlen, "%s does not hold a 64-hex-character key", key_path);
			return -1;
		}
	} else if (errno == ENOENT && create) {
		crypto_kdf_keygen(master);
		fd = open(key_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			snprintf(err, errlen, "cannot create key file %s: %s", key_path, strerror(errno));
			return -1;
		}
		sodium_bin2hex(hex, sizeof(hex), master, sizeof(master));
		hex[64] = '\n';
		bool ok = write(fd, hex, 65) == 65 && fsync(fd) == 0;
		close(fd);
		if (!ok) {
			unlink(key_path);
			snprintf(err, errlen, "cannot write key file %s", key_path);
			return -1;
		}
		*created = true;
	} else {
		snprintf(err, errlen, "cannot read key file %s: %s", key_path, strerror(errno));
		return -1;
	}
	sodium_memzero(hex, sizeof(hex));
	derive(master);
	sodium_memzero(master, sizeof(master));
	return 0;
}

void secret_key_check(char out[SECRET_HASH_HEX])
{
	static const char what[] = "zhiyuan key check v1";
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)what, sizeof(what) - 1,
			   check_key, sizeof(check_key));
	sodium_bin2hex(out, SECRET_HASH_HEX, h, sizeof(h));
}

int secret_seal(const char *plain, char *out, size_t outlen)
{
	size_t n = strlen(plain);
	unsigned char buf[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 256];
	if (n > 255)
		return -1;
	randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n,
			      buf, seal_key);
	size_t total = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	assert(total <= sizeof(buf));
	if (outlen < sodium_base64_ENCODED_LEN(total, sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return -1;
	sodium_bin2base64(out, outlen, buf, total, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

int secret_unseal(const char *sealed, char *out, size_t outlen)
{
	unsigned char buf[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 256];
	size_t n = 0;
	if (sodium_base642bin(buf, sizeof(buf), sealed, strlen(sealed), NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return -1;
	size_t plain = n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	if (plain + 1 > outlen)
		return -1;
	if (crypto_secretbox_open_easy((unsigned char *)out, buf + crypto_secretbox_NONCEBYTES,
				       n - crypto_secretbox_NONCEBYTES, buf, seal_key) != 0)
		return -1;
	out[plain] = 0;
	return 0;
}

void secret_keyed_digest(const char *msg, char out[SECRET_HASH_HEX])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)msg, strlen(msg),
			   hash_key, sizeof(hash_key));
	sodium_bin2hex(out, SECRET_HASH_HEX, h, sizeof(h));
}

void secret_shift_code(const char *salt, char kind, int64_t n, char out[SECRET_SHIFT_CODE_LEN + 1])
{
	char msg[160];
	int len = snprintf(msg, sizeof(msg), "%s:%c:%lld", salt, kind, (long long)n);
	/* a cut message would give shifts whose salts share a start the
	 * same codes */
	assert(len > 0 && (size_t)len < sizeof(msg));
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256(mac, (const unsigned char *)msg, (unsigned long long)len, code_key);
	/* 32 bits mod 10^6: the bias (under 0.03%) tells a guesser nothing useful */
	uint32_t v = (uint32_t)mac[0] << 24 | (uint32_t)mac[1] << 16 | (uint32_t)mac[2] << 8 | mac[3];
	snprintf(out, SECRET_SHIFT_CODE_LEN + 1, "%06u", (unsigned)(v % 1000000u));
}
