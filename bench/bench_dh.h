/*
 * bench_dh.h - the DH-only ceiling, shared by bench_dh and bench_ike so
 * both print the same figure. One "side" is what each peer of an IKE
 * setup spends on the key exchange, done straight on OpenSSL EVP with all
 * that can be prepared once prepared once (a domain parameter key as the
 * keygen template): generate a key pair, export its public value, import
 * the peer's, check it as ike_dh.c does (RFC 6989: quick check, group 24
 * full), derive. A setup has two sides: setup ceiling = sides/s / 2.
 * Header-only (static) because each bench is one .c file (CMakeLists.txt).
 */
#ifndef BENCH_DH_H
#define BENCH_DH_H

#include <stdint.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ike_crypto.h"

struct bdh {
	int		group;
	EVP_PKEY	*tmpl;		/* domain parameters; X25519: a key */
	uint8_t		peer[1 + IKE_DH_PUB_MAX];
	size_t		peerlen;
	double		tk, td;		/* seconds in keygen, in derive */
	unsigned long	n;
};

static double
bdh_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
bdh_name(int group)
{
	switch (group) {
	case IKE_DH_ECP256:		return "ecp256";
	case IKE_DH_ECP384:		return "ecp384";
	case IKE_DH_MODP2048:		return "modp2048";
	case IKE_DH_MODP2048S256:	return "modp2048s256";
	case IKE_DH_CURVE25519:		return "x25519";
	case IKE_DH_MODP1024:		return "modp1024";
	case IKE_DH_MODP768:		return "modp768";
	}
	return "?";
}

static EVP_PKEY *
bdh_keygen(const struct bdh *b)
{
	/* ike_dh.c draws 256-bit exponents for group 14 (RFC 3526 §8);
	 * OpenSSL's default would be 225 bits: ask for the same work. */
	int privlen = 256;
	OSSL_PARAM params[2];
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *k = NULL;

	params[0] = OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_PRIV_LEN,
	    &privlen);
	params[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, b->tmpl, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) <= 0 ||
	    (b->group == IKE_DH_MODP2048 &&
	    !EVP_PKEY_CTX_set_params(ctx, params)) ||
	    EVP_PKEY_keygen(ctx, &k) <= 0)
		k = NULL;
	EVP_PKEY_CTX_free(ctx);
	return k;
}

static void
bdh_free(struct bdh *b)
{
	EVP_PKEY_free(b->tmpl);
	b->tmpl = NULL;
}

/* Groups 14, 19, 20, 24, 31 (OpenSSL has no named 768/1024-bit MODP). */
static int
bdh_init(struct bdh *b, int group)
{
	const char *type, *name;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *k = NULL;
	OSSL_PARAM params[2];

	memset(b, 0, sizeof(*b));
	b->group = group;
	switch (group) {
	case IKE_DH_ECP256:	type = "EC"; name = "P-256"; break;
	case IKE_DH_ECP384:	type = "EC"; name = "P-384"; break;
	case IKE_DH_MODP2048:	type = "DH"; name = "modp_2048"; break;
	case IKE_DH_MODP2048S256: type = "DH"; name = "dh_2048_256"; break;
	case IKE_DH_CURVE25519:	type = NULL; name = NULL; break;
	default:
		return -1;
	}
	if (type == NULL) {
		b->tmpl = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	} else {
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_PKEY_PARAM_GROUP_NAME, (char *)(uintptr_t)name, 0);
		params[1] = OSSL_PARAM_construct_end();
		if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) ==
		    NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
		    EVP_PKEY_fromdata(ctx, &b->tmpl, EVP_PKEY_KEY_PARAMETERS,
		    params) <= 0)
			b->tmpl = NULL;
		EVP_PKEY_CTX_free(ctx);
	}
	if (b->tmpl == NULL || (k = bdh_keygen(b)) == NULL ||
	    !EVP_PKEY_get_octet_string_param(k,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, b->peer, sizeof(b->peer),
	    &b->peerlen)) {
		EVP_PKEY_free(k);
		bdh_free(b);
		return -1;
	}
	EVP_PKEY_free(k);
	return 0;
}

/* One side of a setup; adds to b->tk / b->td / b->n. */
static int
bdh_side(struct bdh *b)
{
	uint8_t pub[1 + IKE_DH_PUB_MAX], sec[IKE_DH_SECRET_MAX];
	EVP_PKEY_CTX *pctx = NULL, *ctx = NULL;
	EVP_PKEY *k, *peer = NULL;
	OSSL_PARAM params[2];
	unsigned int pad = 1;
	size_t publen, slen = sizeof(sec);
	double t0, t1;
	int rc = -1;

	t0 = bdh_now();
	if ((k = bdh_keygen(b)) == NULL ||
	    !EVP_PKEY_get_octet_string_param(k,
	    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub, sizeof(pub), &publen))
		goto fail;
	t1 = bdh_now();
	b->tk += t1 - t0;
	if (b->group == IKE_DH_CURVE25519) {
		peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL,
		    b->peer, b->peerlen);
	} else if ((peer = EVP_PKEY_new()) == NULL ||
	    !EVP_PKEY_copy_parameters(peer, b->tmpl) ||
	    !EVP_PKEY_set1_encoded_public_key(peer, b->peer, b->peerlen) ||
	    (pctx = EVP_PKEY_CTX_new_from_pkey(NULL, peer, NULL)) == NULL ||
	    (b->group == IKE_DH_MODP2048S256 ? EVP_PKEY_public_check(pctx) :
	    EVP_PKEY_public_check_quick(pctx)) != 1)
		goto fail;
	if (peer == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) <= 0 ||
	    EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) <= 0)
		goto fail;
	if (b->group == IKE_DH_MODP2048 || b->group == IKE_DH_MODP2048S256) {
		params[0] = OSSL_PARAM_construct_uint(OSSL_EXCHANGE_PARAM_PAD,
		    &pad);
		params[1] = OSSL_PARAM_construct_end();
		if (!EVP_PKEY_CTX_set_params(ctx, params))
			goto fail;
	}
	if (EVP_PKEY_derive(ctx, sec, &slen) <= 0)
		goto fail;
	b->td += bdh_now() - t1;
	b->n++;
	rc = 0;
fail:
	OPENSSL_cleanse(sec, sizeof(sec));
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(k);
	return rc;
}

/* Sides per second for about secs seconds (0 on failure). */
static double
bdh_rate(struct bdh *b, double secs)
{
	double t0 = bdh_now(), t;
	unsigned long n = 0;

	do {
		if (bdh_side(b) == -1)
			return 0;
		n++;
	} while ((t = bdh_now() - t0) < secs);
	return (double)n / t;
}

#endif
