/*
 * token.h - API bearer tokens: "bgt_<id>.<secret>". The id (16 hex chars)
 * finds the tenant; only SHA-256(secret) is stored, and the hash is compared
 * in constant time, so neither a database leak nor timing reveals a token.
 */
#ifndef TOKEN_H
#define TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define TOKEN_ID_LEN	16			/* hex characters */
#define TOKEN_STRLEN	(4 + TOKEN_ID_LEN + 1 + 43)	/* 256-bit secret, base64url */
#define TOKEN_HASH_LEN	32

/* A fresh random token and what the store keeps of it. */
int	token_new(char token[TOKEN_STRLEN + 1], char id[TOKEN_ID_LEN + 1],
	    uint8_t hash[TOKEN_HASH_LEN]);
/* Split a presented token into its id and secret hash; -1 if malformed. */
int	token_parse(const char *token, char id[TOKEN_ID_LEN + 1],
	    uint8_t hash[TOKEN_HASH_LEN]);
/*
 * SHA-256 of a whole presented secret of any shape (the operator token,
 * docs/nodes.md): 0 or -1.
 */
int	token_hash_text(const char *s, size_t len, uint8_t hash[TOKEN_HASH_LEN]);
/* Constant-time equality of two hashes: 1 if equal. */
int	token_hash_equal(const uint8_t a[TOKEN_HASH_LEN],
	    const uint8_t b[TOKEN_HASH_LEN]);

#endif
