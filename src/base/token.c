/* token.c - random API tokens, their stored hash, constant-time checks. */
#include "token.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define TOKEN_SECRET_BYTES	32
#define TOKEN_SECRET_CHARS	43	/* base64url of 32 bytes, unpadded */

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
token_hash_secret(const char *secret, size_t len, uint8_t hash[TOKEN_HASH_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(secret, len, hash, &n, EVP_sha256(), NULL) != 1 ||
	    n != TOKEN_HASH_LEN)
		return -1;
	return 0;
}

int
token_new(char token[TOKEN_STRLEN + 1], char id[TOKEN_ID_LEN + 1],
    uint8_t hash[TOKEN_HASH_LEN])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t raw[TOKEN_ID_LEN / 2 + TOKEN_SECRET_BYTES];
	char secret[TOKEN_SECRET_CHARS + 1];
	uint32_t acc = 0;
	int bits = 0, rc = -1;
	size_t i, o = 0;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		goto fail;
	for (i = 0; i < TOKEN_ID_LEN / 2; i++) {
		id[2 * i] = hex[raw[i] >> 4];
		id[2 * i + 1] = hex[raw[i] & 15];
	}
	id[TOKEN_ID_LEN] = '\0';
	for (i = TOKEN_ID_LEN / 2; i < sizeof(raw); i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			secret[o++] = b64url[(acc >> bits) & 63];
		}
	}
	if (bits > 0)
		secret[o++] = b64url[(acc << (6 - bits)) & 63];
	secret[o] = '\0';
	if (token_hash_secret(secret, o, hash) == -1)
		goto fail;
	memcpy(token, "bgt_", 4);
	memcpy(token + 4, id, TOKEN_ID_LEN);
	token[4 + TOKEN_ID_LEN] = '.';
	memcpy(token + 5 + TOKEN_ID_LEN, secret, o + 1);
	rc = 0;
fail:
	explicit_bzero(raw, sizeof(raw));
	explicit_bzero(secret, sizeof(secret));
	return rc;
}

int
token_parse(const char *token, char id[TOKEN_ID_LEN + 1],
    uint8_t hash[TOKEN_HASH_LEN])
{
	const char *secret;
	size_t i;

	if (token == NULL || strlen(token) != TOKEN_STRLEN ||
	    strncmp(token, "bgt_", 4) != 0 || token[4 + TOKEN_ID_LEN] != '.')
		return -1;
	for (i = 0; i < TOKEN_ID_LEN; i++) {
		char c = token[4 + i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -1;
		id[i] = c;
	}
	id[TOKEN_ID_LEN] = '\0';
	secret = token + 5 + TOKEN_ID_LEN;
	for (i = 0; i < TOKEN_SECRET_CHARS; i++)
		if (strchr(b64url, secret[i]) == NULL || secret[i] == '\0')
			return -1;
	return token_hash_secret(secret, TOKEN_SECRET_CHARS, hash);
}

int
token_hash_text(const char *s, size_t len, uint8_t hash[TOKEN_HASH_LEN])
{
	return token_hash_secret(s, len, hash);
}

int
token_hash_equal(const uint8_t a[TOKEN_HASH_LEN], const uint8_t b[TOKEN_HASH_LEN])
{
	return CRYPTO_memcmp(a, b, TOKEN_HASH_LEN) == 0;
}
