/* Random tokens, token digests and password hashes (libsodium). */
#ifndef ZY_SECRETS_H
#define ZY_SECRETS_H
#include <stdbool.h>
#include <stddef.h>

#define SECRET_HASH_HEX 65     /* 32-byte BLAKE2b digest as hex + NUL */
#define SECRET_TOKEN_MAX 64    /* prefix + 43 base64url characters + NUL */

/* Initialises libsodium; returns 0 or -1. Safe to call more than once. */
int secrets_init(void);
/* Writes prefix followed by 32 random bytes in URL-safe base64 into out. */
void secret_token(const char *prefix, char *out, size_t outlen);
/* Hex BLAKE2b-256 digest of a token, the form stored in the database. */
void secret_digest(const char *token, char out[SECRET_HASH_HEX]);
/* argon2id hash string of password (crypto_pwhash_STRBYTES bytes in out);
 * returns 0 or -1 when out of memory. */
int secret_password_hash(const char *password, size_t len, char *out, size_t outlen);
/* Whether password matches an argon2id hash string. */
bool secret_password_verify(const char *hash, const char *password, size_t len);
/* A readable random password of n characters (no look-alike letters). */
void secret_password_generate(char *out, size_t n);

#endif
