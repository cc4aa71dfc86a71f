/*
 * ike_kdf.c - PRF, prf+ and the IKEv2 key schedule: SKEYSEED and the seven
 * SA keys (RFC 7296 §2.14), rekeyed SKEYSEED (§2.18), CHILD_SA KEYMAT
 * (§2.17) and PSK AUTH (§2.15). Pure functions over HMAC (RFC 2104) on
 * OpenSSL's SHA-2 digests; the engine keeps the results in its SA and
 * wipes them there.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ike_crypto.h"

#define KDF_CHUNKS_MAX	8

/*
 * HMAC (RFC 2104) composed on OpenSSL's EVP digests, fetched once per
 * process. OpenSSL 3.0's EVP_MAC path fetches HMAC and the digest by name
 * on every init and its dispatch layers cost a third of a short HMAC; with
 * ~40 PRF calls per IKE setup that was 6 points of the setup rate
 * (bench_ike). strongSwan's hmac plugin composes HMAC on its hasher the
 * same way. Only the construction is ours: hashing is OpenSSL's, and the
 * RFC 4231 vectors in test_ike_crypto pin the result. The two digest states
 * after the key's inner and outer pad blocks are all HMAC needs; the
 * digests are never changed once fetched, so threads share them.
 */
#define KDF_BLOCK_MAX	128	/* SHA-384 input block */

static EVP_MD *kdf_md[2];	/* SHA-256, SHA-384 */
static pthread_once_t kdf_once = PTHREAD_ONCE_INIT;

/* A keyed PRF (ike_crypto.h). */
struct ike_prf_ctx {
	EVP_MD_CTX	*in, *out;	/* after K0 ^ ipad, K0 ^ opad */
	EVP_MD_CTX	*work;		/* a copy of in, then of out, per run */
	size_t		len;
	int		prf;
};

static void
kdf_init(void)
{
	kdf_md[0] = EVP_MD_fetch(NULL, "SHA256", NULL);
	kdf_md[1] = EVP_MD_fetch(NULL, "SHA384", NULL);
}

static const EVP_MD *
kdf_digest(int prf)
{
	if (pthread_once(&kdf_once, kdf_init) != 0)
		return NULL;
	switch (prf) {
	case IKE_PRF_HMAC_SHA2_256:
		return kdf_md[0];
	case IKE_PRF_HMAC_SHA2_384:
		return kdf_md[1];
	}
	return NULL;
}

/*
 * RFC 2104 §2: K0 = K zero-padded to the block, or H(K) if longer;
 * *bs = the block size. The caller cleanses k0.
 */
static int
kdf_k0(const EVP_MD *md, const uint8_t *key, size_t klen,
    uint8_t k0[KDF_BLOCK_MAX], size_t *bs)
{
	*bs = (size_t)EVP_MD_get_block_size(md);
	if (*bs == 0 || *bs > KDF_BLOCK_MAX)
		return -1;
	memset(k0, 0, KDF_BLOCK_MAX);
	if (klen > *bs) {
		if (!EVP_Digest(key, klen, k0, NULL, md, NULL))
			return -1;
	} else if (klen > 0)
		memcpy(k0, key, klen);
	return 0;
}

/* h = a fresh digest state after K0 ^ (ipad or opad). */
static int
kdf_pad_init(EVP_MD_CTX *h, const EVP_MD *md, const uint8_t *k0, size_t bs,
    uint8_t xor)
{
	uint8_t pad[KDF_BLOCK_MAX];
	size_t i;
	int ok;

	for (i = 0; i < bs; i++)
		pad[i] = k0[i] ^ xor;
	ok = EVP_DigestInit_ex2(h, md, NULL) && EVP_DigestUpdate(h, pad, bs);
	OPENSSL_cleanse(pad, sizeof(pad));
	return ok ? 0 : -1;
}

static int
kdf_key(struct ike_prf_ctx *c, const EVP_MD *md, const uint8_t *key,
    size_t klen)
{
	uint8_t k0[KDF_BLOCK_MAX];
	size_t bs;
	int rc = -1;

	if (kdf_k0(md, key, klen, k0, &bs) == -1 ||
	    kdf_pad_init(c->in, md, k0, bs, 0x36) == -1 ||
	    kdf_pad_init(c->out, md, k0, bs, 0x5c) == -1)
		goto fail;
	rc = 0;
fail:
	OPENSSL_cleanse(k0, sizeof(k0));
	return rc;
}

struct ike_prf_ctx *
ike_prf_ctx_new(int prf, const uint8_t *key, size_t klen)
{
	const EVP_MD *md = kdf_digest(prf);
	struct ike_prf_ctx *c;

	if (md == NULL || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->len = ike_prf_len(prf);
	c->prf = prf;
	if ((c->in = EVP_MD_CTX_new()) == NULL ||
	    (c->out = EVP_MD_CTX_new()) == NULL ||
	    (c->work = EVP_MD_CTX_new()) == NULL ||
	    kdf_key(c, md, key, klen) == -1) {
		ike_prf_ctx_free(c);
		return NULL;
	}
	return c;
}

/* HMAC = H(K0 ^ opad | H(K0 ^ ipad | data)) (RFC 2104 §2). */
int
ike_prf_ctx_run(struct ike_prf_ctx *c, const struct ike_chunk *data,
    size_t n, uint8_t *out)
{
	uint8_t inner[EVP_MAX_MD_SIZE];
	unsigned int ilen, olen;
	size_t i;
	int rc = -1;

	if (!EVP_MD_CTX_copy_ex(c->work, c->in))
		goto fail;
	for (i = 0; i < n; i++)
		if (data[i].len && !EVP_DigestUpdate(c->work, data[i].p,
		    data[i].len))
			goto fail;
	if (!EVP_DigestFinal_ex(c->work, inner, &ilen) ||
	    !EVP_MD_CTX_copy_ex(c->work, c->out) ||
	    !EVP_DigestUpdate(c->work, inner, ilen) ||
	    !EVP_DigestFinal_ex(c->work, out, &olen) || olen != c->len)
		goto fail;
	rc = 0;
fail:
	OPENSSL_cleanse(inner, sizeof(inner));
	return rc;
}

void
ike_prf_ctx_free(struct ike_prf_ctx *c)
{
	if (c == NULL)
		return;
	/* The providers' digest states are cleared as they are freed. */
	EVP_MD_CTX_free(c->in);
	EVP_MD_CTX_free(c->out);
	EVP_MD_CTX_free(c->work);
	free(c);
}

/* One key, one input: a single digest state, inner then outer hash. */
int
ike_prf(int prf, const uint8_t *key, size_t klen,
    const struct ike_chunk *data, size_t n, uint8_t *out)
{
	const EVP_MD *md = kdf_digest(prf);
	uint8_t k0[KDF_BLOCK_MAX], inner[EVP_MAX_MD_SIZE];
	unsigned int ilen, olen;
	EVP_MD_CTX *h;
	size_t bs, i;
	int rc = -1;

	if (md == NULL || (h = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (kdf_k0(md, key, klen, k0, &bs) == -1 ||
	    kdf_pad_init(h, md, k0, bs, 0x36) == -1)
		goto fail;
	for (i = 0; i < n; i++)
		if (data[i].len && !EVP_DigestUpdate(h, data[i].p,
		    data[i].len))
			goto fail;
	if (!EVP_DigestFinal_ex(h, inner, &ilen) ||
	    kdf_pad_init(h, md, k0, bs, 0x5c) == -1 ||
	    !EVP_DigestUpdate(h, inner, ilen) ||
	    !EVP_DigestFinal_ex(h, out, &olen) || olen != ike_prf_len(prf))
		goto fail;
	rc = 0;
fail:
	OPENSSL_cleanse(k0, sizeof(k0));
	OPENSSL_cleanse(inner, sizeof(inner));
	EVP_MD_CTX_free(h);	/* the provider clears its state */
	return rc;
}

/* RFC 7296 §2.13: T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n). */
int
ike_prf_plus(int prf, const uint8_t *key, size_t klen,
    const struct ike_chunk *seed, size_t n, uint8_t *out, size_t olen)
{
	struct ike_chunk in[KDF_CHUNKS_MAX + 2];
	struct ike_prf_ctx *c = NULL;
	uint8_t t[IKE_PRF_MAX], ctr;
	size_t hlen = ike_prf_len(prf), done = 0, take, i;
	int rc = -1;

	if (hlen == 0 || n > KDF_CHUNKS_MAX || olen > 255 * hlen)
		return -1;
	/* K is the same for every block: key the HMAC once. */
	if ((c = ike_prf_ctx_new(prf, key, klen)) == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		in[i + 1] = seed[i];
	in[n + 1].p = &ctr;
	in[n + 1].len = 1;
	for (ctr = 1; done < olen; ctr++) {
		in[0].p = t;
		in[0].len = ctr == 1 ? 0 : hlen;
		if (ike_prf_ctx_run(c, in, n + 2, t) == -1)
			goto fail;
		take = olen - done < hlen ? olen - done : hlen;
		memcpy(out + done, t, take);
		done += take;
	}
	rc = 0;
fail:
	ike_prf_ctx_free(c);
	OPENSSL_cleanse(t, sizeof(t));
	if (rc == -1)
		OPENSSL_cleanse(out, olen);
	return rc;
}

/* Hands out consecutive slices of prf+ output. */
static void
kdf_take(const uint8_t **p, uint8_t *dst, size_t len)
{
	memcpy(dst, *p, len);
	*p += len;
}

void
ike_sa_keys_wipe(struct ike_sa_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

void
ike_child_keys_wipe(struct ike_child_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

int
ike_kdf_skeyseed(int prf, const uint8_t *ni, size_t nilen,
    const uint8_t *nr, size_t nrlen, const uint8_t *gir, size_t girlen,
    uint8_t *out)
{
	uint8_t key[512];
	struct ike_chunk d = { gir, girlen };
	int rc;

	/* Nonces are 16..256 bytes each (§3.9); HMAC PRFs take the whole
	 * of Ni | Nr as key (only fixed-key PRFs truncate, §2.14). */
	if (nilen + nrlen > sizeof(key))
		return -1;
	memcpy(key, ni, nilen);
	memcpy(key + nilen, nr, nrlen);
	rc = ike_prf(prf, key, nilen + nrlen, &d, 1, out);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int
ike_kdf_skeyseed_rekey(int old_prf, const uint8_t *sk_d_old,
    size_t sk_d_len, const uint8_t *gir, size_t girlen,
    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
    uint8_t *out)
{
	struct ike_chunk d[3] = {
		{ gir, girlen }, { ni, nilen }, { nr, nrlen },
	};

	return ike_prf(old_prf, sk_d_old, sk_d_len, d, 3, out);
}

int
ike_kdf_sa_keys(const struct ike_suite *s, const uint8_t *skeyseed,
    size_t sklen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
    size_t nrlen, const uint8_t spi_i[8], const uint8_t spi_r[8],
    struct ike_sa_keys *k)
{
	struct ike_chunk seed[4] = {
		{ ni, nilen }, { nr, nrlen }, { spi_i, 8 }, { spi_r, 8 },
	};
	uint8_t km[3 * IKE_PRF_MAX + 2 * IKE_INTEG_KEY_MAX +
	    2 * IKE_ENCR_KEYMAT_MAX];
	const uint8_t *p = km;
	size_t total;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	k->suite = *s;
	k->prf_len = ike_prf_len(s->prf);
	k->encr_len = ike_encr_keymat_len(s->encr, s->encr_bits);
	/* RFC 5282 §7: with a combined-mode cipher there are no SK_a*. */
	k->integ_len = ike_encr_is_aead(s->encr) ? 0 :
	    ike_integ_key_len(s->integ);
	if (k->prf_len == 0 || k->encr_len == 0 ||
	    (!ike_encr_is_aead(s->encr) && k->integ_len == 0))
		goto fail;
	total = 3 * k->prf_len + 2 * k->integ_len + 2 * k->encr_len;
	if (ike_prf_plus(s->prf, skeyseed, sklen, seed, 4, km, total) == -1)
		goto fail;
	/* §2.14: SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr */
	kdf_take(&p, k->sk_d, k->prf_len);
	kdf_take(&p, k->sk_ai, k->integ_len);
	kdf_take(&p, k->sk_ar, k->integ_len);
	kdf_take(&p, k->sk_ei, k->encr_len);
	kdf_take(&p, k->sk_er, k->encr_len);
	kdf_take(&p, k->sk_pi, k->prf_len);
	kdf_take(&p, k->sk_pr, k->prf_len);
	rc = 0;
fail:
	OPENSSL_cleanse(km, sizeof(km));
	if (rc == -1)
		ike_sa_keys_wipe(k);
	return rc;
}

int
ike_kdf_ike_sa_init(const struct ike_suite *s, const uint8_t *gir,
    size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
    size_t nrlen, const uint8_t spi_i[8], const uint8_t spi_r[8],
    struct ike_sa_keys *k)
{
	uint8_t skeyseed[IKE_PRF_MAX];
	int rc = -1;

	if (ike_kdf_skeyseed(s->prf, ni, nilen, nr, nrlen, gir, girlen,
	    skeyseed) == -1)
		goto fail;
	if (ike_kdf_sa_keys(s, skeyseed, ike_prf_len(s->prf), ni, nilen, nr,
	    nrlen, spi_i, spi_r, k) == -1)
		goto fail;
	rc = 0;
fail:
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	return rc;
}

int
ike_kdf_child_keys(int prf, const uint8_t *sk_d, size_t sk_d_len,
    const struct ike_suite *esp, const uint8_t *gir, size_t girlen,
    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
    struct ike_child_keys *k)
{
	struct ike_chunk seed[3] = {
		{ gir, gir ? girlen : 0 }, { ni, nilen }, { nr, nrlen },
	};
	uint8_t km[4 * IKE_CRYPTO_KEY_MAX];
	const uint8_t *p = km;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	if (!ike_encr_ok(esp->encr, esp->encr_bits))
		goto fail;
	k->encr_len = ike_encr_keymat_len(esp->encr, esp->encr_bits);
	k->integ_len = ike_encr_is_aead(esp->encr) ? 0 :
	    ike_integ_key_len(esp->integ);
	if (!ike_encr_is_aead(esp->encr) && esp->integ != IKE_AUTH_NONE &&
	    k->integ_len == 0)
		goto fail;
	/* §2.17: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) */
	if (ike_prf_plus(prf, sk_d, sk_d_len, seed, 3, km,
	    2 * (k->encr_len + k->integ_len)) == -1)
		goto fail;
	kdf_take(&p, k->encr_i, k->encr_len);
	kdf_take(&p, k->integ_i, k->integ_len);
	kdf_take(&p, k->encr_r, k->encr_len);
	kdf_take(&p, k->integ_r, k->integ_len);
	rc = 0;
fail:
	OPENSSL_cleanse(km, sizeof(km));
	if (rc == -1)
		ike_child_keys_wipe(k);
	return rc;
}

/* §2.15: the pad string, 17 ASCII bytes without a terminator. */
static const uint8_t kdf_key_pad[] = "Key Pad for IKEv2";

struct ike_prf_ctx *
ike_auth_psk_ctx_new(int prf, const uint8_t *psk, size_t psklen)
{
	uint8_t padkey[IKE_PRF_MAX];
	struct ike_chunk pad = { kdf_key_pad, sizeof(kdf_key_pad) - 1 };
	struct ike_prf_ctx *c = NULL;

	if (ike_prf(prf, psk, psklen, &pad, 1, padkey) == 0)
		c = ike_prf_ctx_new(prf, padkey, ike_prf_len(prf));
	OPENSSL_cleanse(padkey, sizeof(padkey));
	return c;
}

int
ike_auth_psk_ctx(struct ike_prf_ctx *pk, const uint8_t *msg, size_t msglen,
    const uint8_t *nonce, size_t noncelen, const uint8_t *sk_p,
    size_t sk_plen, const uint8_t *id, size_t idlen, uint8_t *out)
{
	uint8_t maced_id[IKE_PRF_MAX];
	struct ike_chunk idc = { id, idlen };
	struct ike_chunk so[3] = {
		{ msg, msglen }, { nonce, noncelen }, { maced_id, 0 },
	};
	int rc = -1;

	if (ike_prf(pk->prf, sk_p, sk_plen, &idc, 1, maced_id) == -1)
		goto fail;
	so[2].len = pk->len;
	if (ike_prf_ctx_run(pk, so, 3, out) == -1)
		goto fail;
	rc = 0;
fail:
	OPENSSL_cleanse(maced_id, sizeof(maced_id));
	return rc;
}

int
ike_auth_psk_ctx_verify(struct ike_prf_ctx *pk, const uint8_t *msg,
    size_t msglen, const uint8_t *nonce, size_t noncelen,
    const uint8_t *sk_p, size_t sk_plen, const uint8_t *id, size_t idlen,
    const uint8_t *auth, size_t authlen)
{
	uint8_t want[IKE_PRF_MAX];
	int rc = -1;

	if (ike_auth_psk_ctx(pk, msg, msglen, nonce, noncelen, sk_p, sk_plen,
	    id, idlen, want) == -1)
		goto fail;
	if (!ike_crypto_equal(want, pk->len, auth, authlen))
		goto fail;
	rc = 0;
fail:
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

int
ike_auth_psk(int prf, const uint8_t *psk, size_t psklen,
    const uint8_t *msg, size_t msglen, const uint8_t *nonce,
    size_t noncelen, const uint8_t *sk_p, size_t sk_plen,
    const uint8_t *id, size_t idlen, uint8_t *out)
{
	struct ike_prf_ctx *pk;
	int rc;

	if ((pk = ike_auth_psk_ctx_new(prf, psk, psklen)) == NULL)
		return -1;
	rc = ike_auth_psk_ctx(pk, msg, msglen, nonce, noncelen, sk_p, sk_plen,
	    id, idlen, out);
	ike_prf_ctx_free(pk);
	return rc;
}

int
ike_auth_psk_verify(int prf, const uint8_t *psk, size_t psklen,
    const uint8_t *msg, size_t msglen, const uint8_t *nonce,
    size_t noncelen, const uint8_t *sk_p, size_t sk_plen,
    const uint8_t *id, size_t idlen, const uint8_t *auth, size_t authlen)
{
	struct ike_prf_ctx *pk;
	int rc;

	if ((pk = ike_auth_psk_ctx_new(prf, psk, psklen)) == NULL)
		return -1;
	rc = ike_auth_psk_ctx_verify(pk, msg, msglen, nonce, noncelen, sk_p,
	    sk_plen, id, idlen, auth, authlen);
	ike_prf_ctx_free(pk);
	return rc;
}
