/* Random tokens, token digests and password hashes (libsodium). */
#ifndef ZY_SECRETS_H
#define ZY_SECRETS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SECRET_HASH_HEX 65     /* 32-byte BLAKE2b digest as hex + NUL */
#define SECRET_TOKEN_MAX 64    /* prefix + 43 base64url characters + NUL */

/* Initialises libsodium; returns 0 or -1. Safe to call more than once. */
int secrets_init(void);
/* Writes prefix followed by 32 random bytes in URL-safe base64 into out. */
void secret_token(const char *prefix, char *out, size_t outlen);
/* A code to read out or type at a counter: 16 characters of Crockford's
 * base32 (80 random bits, no I, L, O or U), out holds at least 17. */
#define SECRET_CODE_LEN 16
void secret_code(char out[SECRET_CODE_LEN + 1]);
/* Hex BLAKE2b-256 digest of a token, the form stored in the database. */
void secret_digest(const char *token, char out[SECRET_HASH_HEX]);
/* argon2id hash string of password (crypto_pwhash_STRBYTES bytes in out);
 * returns 0 or -1 when out of memory. */
int secret_password_hash(const char *password, size_t len, char *out, size_t outlen);
/* Whether password matches an argon2id hash string. */
bool secret_password_verify(const char *hash, const char *password, size_t len);
/* A readable random password of n characters (no look-alike letters). */
void secret_password_generate(char *out, size_t n);

/* The sealing key: 32 bytes from ZHIYUAN_KEY (64 hex characters) or from
 * key_path, created there (mode 0600) when absent and create is true.
 * Sets *created when a new key was written. Returns 0 or -1 (message in
 * err). Sub-keys for sealing, hashing and the check value are derived
 * with crypto_kdf, so one secret is all an operator must back up. */
int secrets_load_key(const char *hex_env, const char *key_path, bool create, bool *created,
		     char *err, size_t errlen);
/* A value derived from the key (hex, SECRET_HASH_HEX bytes) that proves
 * which key a database was written with, without revealing it. */
void secret_key_check(char out[SECRET_HASH_HEX]);
/* Seals plain text (at most 255 bytes) into base64 of nonce||box, written
 * to out (at least SECRET_SEALED_MAX bytes). Returns 0 or -1. */
#define SECRET_SEALED_MAX 512
int secret_seal(const char *plain, char *out, size_t outlen);
/* Opens what secret_seal made; returns 0 or -1 (wrong key, tampering). */
int secret_unseal(const char *sealed, char *out, size_t outlen);
/* Keyed BLAKE2b-256 of msg as hex: equal inputs give equal digests under
 * one key, and without the key the digest says nothing. */
void secret_keyed_digest(const char *msg, char out[SECRET_HASH_HEX]);

/* A shift's 6-digit check-in code: HMAC-SHA-256, under a key derived from
 * the server key, of the shift's salt (random, stored with the shift), the
 * kind ('L' a rotating window, 'D' a day) and the window's or day's
 * number. Without the server key a stolen database gives no codes. */
#define SECRET_SHIFT_CODE_LEN 6
void secret_shift_code(const char *salt, char kind, int64_t n, char out[SECRET_SHIFT_CODE_LEN + 1]);

#endif
