/* libsodium wrappers: everything secret is made and checked here. */
#include "app/secrets.h"
#include <sodium.h>
#include <string.h>

int secrets_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void secret_token(const char *prefix, char *out, size_t outlen)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	size_t p = strlen(prefix);
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
	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[n] = 0;
}
