/*
 * ike_crypto.c - transform descriptors and SK payload protection (RFC 7296
 * §3.14 with AES-CBC + HMAC-SHA2, RFC 5282 with AES-GCM-16). One struct
 * ike_sk per IKE SA keeps both directions' OpenSSL contexts keyed, so a
 * message costs one IV set + one pass; ike_msg.c builds the bytes around
 * it. Key derivation is in ike_kdf.c, Diffie-Hellman in ike_dh.c.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ike_crypto.h"

#define CRYPTO_GCM_SALT		4	/* RFC 5282 §7.1 */
#define CRYPTO_GCM_NONCE	12	/* salt || 8-byte IV (RFC 5282 §4) */

bool
ike_encr_ok(int encr, int bits)
{
	switch (encr) {
	case IKE_ENCR_NULL:
		return bits == 0;
	case IKE_ENCR_AES_CBC:
	case IKE_ENCR_AES_GCM_16:
		return bits == 128 || bits == 192 || bits == 256;
	}
	return false;
}

size_t
ike_encr_keymat_len(int encr, int bits)
{
	if (!ike_encr_ok(encr, bits))
		return 0;
	switch (encr) {
	case IKE_ENCR_AES_CBC:
		return (size_t)bits / 8;
	case IKE_ENCR_AES_GCM_16:
		return (size_t)bits / 8 + CRYPTO_GCM_SALT;
	}
	return 0;
}

bool
ike_encr_is_aead(int encr)
{
	return encr == IKE_ENCR_AES_GCM_16;
}

size_t
ike_encr_iv_len(int encr)
{
	switch (encr) {
	case IKE_ENCR_AES_CBC:
		return 16;
	case IKE_ENCR_AES_GCM_16:
		return 8;		/* RFC 5282 §3.1 */
	}
	return 0;
}

size_t
ike_encr_block_len(int encr)
{
	switch (encr) {
	case IKE_ENCR_AES_CBC:
		return 16;
	case IKE_ENCR_AES_GCM_16:
		return 1;		/* RFC 5282 §3.2: no alignment needed */
	}
	return 0;
}

size_t
ike_encr_icv_len(int encr)
{
	return encr == IKE_ENCR_AES_GCM_16 ? 16 : 0;
}

size_t
ike_prf_len(int prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA2_256:
		return 32;
	case IKE_PRF_HMAC_SHA2_384:
		return 48;
	}
	return 0;
}

/* RFC 4868 §2.1: key = full hash output, ICV = half of it. */
size_t
ike_integ_key_len(int integ)
{
	switch (integ) {
	case IKE_AUTH_HMAC_SHA2_256_128:
		return 32;
	case IKE_AUTH_HMAC_SHA2_384_192:
		return 48;
	}
	return 0;
}

size_t
ike_integ_icv_len(int integ)
{
	return ike_integ_key_len(integ) / 2;
}

size_t
ike_suite_icv_len(const struct ike_suite *s)
{
	return ike_encr_is_aead(s->encr) ? ike_encr_icv_len(s->encr) :
	    ike_integ_icv_len(s->integ);
}

static const char *
crypto_dh_name(int dh)
{
	switch (dh) {
	case IKE_DH_MODP768:	return "modp768";
	case IKE_DH_MODP1024:	return "modp1024";
	case IKE_DH_MODP2048:	return "modp2048";
	case IKE_DH_ECP256:	return "ecp256";
	case IKE_DH_ECP384:	return "ecp384";
	case IKE_DH_MODP2048S256: return "modp2048s256";
	case IKE_DH_CURVE25519:	return "x25519";
	}
	return NULL;
}

int
ike_suite_name(const struct ike_suite *s, char *buf, size_t len)
{
	const char *dh = crypto_dh_name(s->dh);
	size_t n;
	int r;

	switch (s->encr) {
	case IKE_ENCR_AES_CBC:
		r = snprintf(buf, len, "aes%u", s->encr_bits);
		break;
	case IKE_ENCR_AES_GCM_16:
		r = snprintf(buf, len, "aes%ugcm16", s->encr_bits);
		break;
	case IKE_ENCR_NULL:
		r = snprintf(buf, len, "null");
		break;
	default:
		r = snprintf(buf, len, "encr%u", s->encr);
	}
	if (r < 0 || (size_t)r >= len)
		return -1;
	n = (size_t)r;
	if (s->integ != IKE_AUTH_NONE) {
		r = snprintf(buf + n, len - n, "-%s",
		    s->integ == IKE_AUTH_HMAC_SHA2_256_128 ? "sha256" :
		    s->integ == IKE_AUTH_HMAC_SHA2_384_192 ? "sha384" : "integ?");
		if (r < 0 || (size_t)r >= len - n)
			return -1;
		n += (size_t)r;
	}
	if (s->prf != 0) {
		r = snprintf(buf + n, len - n, "-prf%s",
		    s->prf == IKE_PRF_HMAC_SHA2_256 ? "sha256" :
		    s->prf == IKE_PRF_HMAC_SHA2_384 ? "sha384" : "?");
		if (r < 0 || (size_t)r >= len - n)
			return -1;
		n += (size_t)r;
	}
	if (s->dh != 0) {
		r = snprintf(buf + n, len - n, "-%s", dh ? dh : "dh?");
		if (r < 0 || (size_t)r >= len - n)
			return -1;
	}
	return 0;
}

bool
ike_crypto_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && CRYPTO_memcmp(a, b, alen) == 0;
}

/*
 * SK payload.
 */
struct crypto_dir {
	EVP_CIPHER_CTX	*cipher;	/* keyed once, IV set per message */
	uint8_t		salt[CRYPTO_GCM_SALT];
	struct ike_prf_ctx *integ;	/* HMAC keyed once; NULL with AEAD */
};

struct ike_sk {
	int		encr, integ;
	size_t		iv_len, block_len, icv_len, integ_key_len;
	struct crypto_dir out, in;
	uint64_t	gcm_seq;	/* next explicit GCM IV */
	ike_rnd_fn	rnd;
	void		*rndarg;
};

/*
 * The ciphers, fetched once per process: OpenSSL 3 turns EVP_aes_*() into
 * a fetch by name on every EVP_CipherInit. Read-only once built.
 */
static EVP_CIPHER *crypto_ciphers[2][3];	/* CBC, GCM x 128, 192, 256 */
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static void
crypto_init(void)
{
	static const char *const names[2][3] = {
		{ "AES-128-CBC", "AES-192-CBC", "AES-256-CBC" },
		{ "AES-128-GCM", "AES-192-GCM", "AES-256-GCM" },
	};
	int m, k;

	for (m = 0; m < 2; m++)
		for (k = 0; k < 3; k++)
			crypto_ciphers[m][k] = EVP_CIPHER_fetch(NULL,
			    names[m][k], NULL);
}

static const EVP_CIPHER *
crypto_cipher(int encr, int bits)
{
	if (pthread_once(&crypto_once, crypto_init) != 0)
		return NULL;
	return crypto_ciphers[encr == IKE_ENCR_AES_CBC ? 0 : 1]
	    [bits == 128 ? 0 : bits == 192 ? 1 : 2];
}

/* RFC 4868 §2.1: HMAC-SHA2-*-* is the PRF of the same hash, truncated. */
static int
crypto_integ_prf(int integ)
{
	return integ == IKE_AUTH_HMAC_SHA2_256_128 ? IKE_PRF_HMAC_SHA2_256 :
	    IKE_PRF_HMAC_SHA2_384;
}

static int
crypto_dir_init(struct ike_sk *sk, struct crypto_dir *d, int bits,
    const uint8_t *ekey, const uint8_t *akey, bool enc)
{
	const EVP_CIPHER *c = crypto_cipher(sk->encr, bits);
	size_t klen = (size_t)bits / 8;

	if (c == NULL || (d->cipher = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (!EVP_CipherInit_ex2(d->cipher, c, ekey, NULL, enc, NULL))
		return -1;
	if (sk->encr == IKE_ENCR_AES_GCM_16)
		memcpy(d->salt, ekey + klen, CRYPTO_GCM_SALT);
	else if (!EVP_CIPHER_CTX_set_padding(d->cipher, 0) ||
	    (d->integ = ike_prf_ctx_new(crypto_integ_prf(sk->integ), akey,
	    sk->integ_key_len)) == NULL)
		return -1;
	return 0;
}

struct ike_sk *
ike_sk_new(const struct ike_sa_keys *k, bool initiator, ike_rnd_fn rnd,
    void *rndarg)
{
	const struct ike_suite *s = &k->suite;
	struct ike_sk *sk;

	if (!ike_encr_ok(s->encr, s->encr_bits) || s->encr == IKE_ENCR_NULL ||
	    k->encr_len != ike_encr_keymat_len(s->encr, s->encr_bits))
		return NULL;
	if ((sk = calloc(1, sizeof(*sk))) == NULL)
		return NULL;
	sk->encr = s->encr;
	sk->integ = s->integ;
	sk->iv_len = ike_encr_iv_len(s->encr);
	sk->block_len = ike_encr_block_len(s->encr);
	sk->icv_len = ike_suite_icv_len(s);
	sk->rnd = rnd;
	sk->rndarg = rndarg;
	if (!ike_encr_is_aead(s->encr)) {
		sk->integ_key_len = ike_integ_key_len(s->integ);
		if (sk->integ_key_len == 0 || k->integ_len != sk->integ_key_len)
			goto fail;
	}
	if (crypto_dir_init(sk, &sk->out, s->encr_bits,
	    initiator ? k->sk_ei : k->sk_er,
	    initiator ? k->sk_ai : k->sk_ar, true) == -1 ||
	    crypto_dir_init(sk, &sk->in, s->encr_bits,
	    initiator ? k->sk_er : k->sk_ei,
	    initiator ? k->sk_ar : k->sk_ai, false) == -1)
		goto fail;
	return sk;
fail:
	ike_sk_free(sk);
	return NULL;
}

void
ike_sk_free(struct ike_sk *sk)
{
	if (sk == NULL)
		return;
	EVP_CIPHER_CTX_free(sk->out.cipher);	/* cleanses the key schedule */
	EVP_CIPHER_CTX_free(sk->in.cipher);
	ike_prf_ctx_free(sk->out.integ);
	ike_prf_ctx_free(sk->in.integ);
	OPENSSL_cleanse(sk, sizeof(*sk));
	free(sk);
}

size_t
ike_sk_iv_len(const struct ike_sk *sk)
{
	return sk->iv_len;
}

size_t
ike_sk_len(const struct ike_sk *sk, size_t plen)
{
	size_t padded = plen + 1;	/* + Pad Length (§3.14) */

	padded = (padded + sk->block_len - 1) / sk->block_len * sk->block_len;
	return sk->iv_len + padded + sk->icv_len;
}

/* HMAC over msg[0 .. len) truncated to icv_len (RFC 4868 §2.1). */
static int
crypto_hmac(const struct ike_sk *sk, struct ike_prf_ctx *integ,
    const uint8_t *msg, size_t len, uint8_t *icv)
{
	uint8_t full[IKE_PRF_MAX];
	struct ike_chunk c = { msg, len };
	int rc = -1;

	if (ike_prf_ctx_run(integ, &c, 1, full) == -1)
		goto fail;
	memcpy(icv, full, sk->icv_len);
	rc = 0;
fail:
	OPENSSL_cleanse(full, sizeof(full));
	return rc;
}

static int
crypto_gcm_nonce(const struct crypto_dir *d, const uint8_t *iv, uint8_t *n)
{
	memcpy(n, d->salt, CRYPTO_GCM_SALT);
	memcpy(n + CRYPTO_GCM_SALT, iv, 8);
	return 0;
}

int
ike_sk_seal(struct ike_sk *sk, uint8_t *msg, size_t mlen, size_t enc_off,
    size_t plen)
{
	uint8_t *iv = msg + enc_off, *pt = iv + sk->iv_len, nonce[16];
	size_t ctlen, padlen, i;
	int outl, fl;
	int rc = -1;

	if (enc_off > mlen || mlen - enc_off != ike_sk_len(sk, plen))
		return -1;
	ctlen = mlen - enc_off - sk->iv_len - sk->icv_len;
	padlen = ctlen - plen - 1;
	/* §3.14: padding may hold anything; zeros, then Pad Length. */
	for (i = 0; i < padlen; i++)
		pt[plen + i] = 0;
	pt[plen + padlen] = (uint8_t)padlen;

	if (sk->encr == IKE_ENCR_AES_GCM_16) {
		/* RFC 5282 §3.1: the IV must not repeat under one key. */
		uint64_t seq = sk->gcm_seq++;

		for (i = 0; i < 8; i++)
			iv[i] = (uint8_t)(seq >> (56 - 8 * i));
		crypto_gcm_nonce(&sk->out, iv, nonce);
		if (!EVP_EncryptInit_ex2(sk->out.cipher, NULL, NULL, nonce,
		    NULL) ||
		    !EVP_EncryptUpdate(sk->out.cipher, NULL, &outl, msg,
		    (int)enc_off) ||
		    !EVP_EncryptUpdate(sk->out.cipher, pt, &outl, pt,
		    (int)ctlen) ||
		    !EVP_EncryptFinal_ex(sk->out.cipher, pt + outl, &fl) ||
		    !EVP_CIPHER_CTX_ctrl(sk->out.cipher, EVP_CTRL_AEAD_GET_TAG,
		    (int)sk->icv_len, pt + ctlen))
			goto fail;
	} else {
		/* §3.14: the IV must be unpredictable: fresh random. */
		if (sk->rnd ? sk->rnd(sk->rndarg, iv, sk->iv_len) != 0 :
		    RAND_bytes(iv, (int)sk->iv_len) != 1)
			goto fail;
		if (!EVP_EncryptInit_ex2(sk->out.cipher, NULL, NULL, iv, NULL) ||
		    !EVP_EncryptUpdate(sk->out.cipher, pt, &outl, pt,
		    (int)ctlen) || (size_t)outl != ctlen ||
		    !EVP_EncryptFinal_ex(sk->out.cipher, pt + outl, &fl))
			goto fail;
		/* §3.14: the ICV covers the message up to the ICV itself. */
		if (crypto_hmac(sk, sk->out.integ, msg, mlen - sk->icv_len,
		    msg + mlen - sk->icv_len) == -1)
			goto fail;
	}
	rc = 0;
fail:
	OPENSSL_cleanse(nonce, sizeof(nonce));
	if (rc == -1)
		OPENSSL_cleanse(iv, mlen - enc_off);	/* no plaintext left */
	return rc;
}

int
ike_sk_open(struct ike_sk *sk, uint8_t *msg, size_t mlen, size_t enc_off,
    uint8_t **plain, size_t *plen)
{
	uint8_t *iv = msg + enc_off, *ct = iv + sk->iv_len, nonce[16];
	uint8_t icv[IKE_ICV_MAX];
	size_t ctlen, padlen;
	int outl, fl;
	int rc = -1;

	if (enc_off > mlen ||
	    mlen - enc_off < sk->iv_len + sk->icv_len + sk->block_len)
		return -1;
	ctlen = mlen - enc_off - sk->iv_len - sk->icv_len;
	if (ctlen % sk->block_len != 0)
		return -1;

	if (sk->encr == IKE_ENCR_AES_GCM_16) {
		/*
		 * RFC 5282 §5.1: AAD = everything before the IV. OpenSSL
		 * checks the tag at Final; the in-place plaintext is wiped
		 * below if it does not match, so the caller never sees it.
		 */
		crypto_gcm_nonce(&sk->in, iv, nonce);
		if (!EVP_DecryptInit_ex2(sk->in.cipher, NULL, NULL, nonce,
		    NULL) ||
		    !EVP_DecryptUpdate(sk->in.cipher, NULL, &outl, msg,
		    (int)enc_off) ||
		    !EVP_CIPHER_CTX_ctrl(sk->in.cipher, EVP_CTRL_AEAD_SET_TAG,
		    (int)sk->icv_len, ct + ctlen) ||
		    !EVP_DecryptUpdate(sk->in.cipher, ct, &outl, ct,
		    (int)ctlen) ||
		    EVP_DecryptFinal_ex(sk->in.cipher, ct + outl, &fl) != 1)
			goto fail;
	} else {
		/* §3.14: verify the ICV before decrypting anything. */
		if (crypto_hmac(sk, sk->in.integ, msg, mlen - sk->icv_len,
		    icv) == -1 ||
		    CRYPTO_memcmp(icv, msg + mlen - sk->icv_len,
		    sk->icv_len) != 0)
			return -1;
		if (!EVP_DecryptInit_ex2(sk->in.cipher, NULL, NULL, iv, NULL) ||
		    !EVP_DecryptUpdate(sk->in.cipher, ct, &outl, ct,
		    (int)ctlen) || (size_t)outl != ctlen ||
		    !EVP_DecryptFinal_ex(sk->in.cipher, ct + outl, &fl))
			goto fail;
	}
	/* §3.14: Pad Length is the last plaintext byte; any padding goes. */
	padlen = ct[ctlen - 1];
	if (padlen + 1 > ctlen)
		goto fail;
	*plain = ct;
	*plen = ctlen - 1 - padlen;
	rc = 0;
fail:
	OPENSSL_cleanse(nonce, sizeof(nonce));
	OPENSSL_cleanse(icv, sizeof(icv));
	if (rc == -1)
		OPENSSL_cleanse(ct, ctlen);
	return rc;
}
