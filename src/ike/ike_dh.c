/*
 * ike_dh.c - the KE payload's key exchange (RFC 7296 §1.2, §3.4): MODP
 * groups 1, 2 (RFC 2409), 14 (RFC 3526), 24 (RFC 5114 §2.3), ECP groups 19,
 * 20 (RFC 5903) and Curve25519 (RFC 8031), all on OpenSSL EVP_PKEY. One
 * struct ike_dh is one ephemeral key pair; the engine makes one per
 * exchange and frees (wipes) it once g^ir is derived.
 *
 * MODP private exponents are drawn here, not by OpenSSL, so a test RNG
 * can make them deterministic: 256 bits for group 14 (twice the strength,
 * RFC 3526 §8), uniform in [1, q-1] for group 24 (q is 256 bits), 160
 * bits for groups 1 and 2. The public value is g^x mod p computed with
 * BN_mod_exp_mont_consttime; derive goes through EVP_PKEY_derive.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "ike_crypto.h"

enum dh_kind { DH_MODP, DH_ECP, DH_X25519 };

struct dh_group {
	int		id;
	enum dh_kind	kind;
	const char	*name;		/* OpenSSL group name, NULL: explicit p, g */
	int		nid;		/* ECP */
	size_t		publen;
	size_t		privlen;	/* bytes drawn for the private value */
};

static const struct dh_group dh_groups[] = {
	{ IKE_DH_MODP768, DH_MODP, NULL, 0, 96, 20 },
	{ IKE_DH_MODP1024, DH_MODP, NULL, 0, 128, 20 },
	{ IKE_DH_MODP2048, DH_MODP, "modp_2048", 0, 256, 32 },
	/* 40 bytes reduced mod q-1: bias below 2^-64 (FIPS 186-4 B.1.1). */
	{ IKE_DH_MODP2048S256, DH_MODP, "dh_2048_256", 0, 256, 40 },
	{ IKE_DH_ECP256, DH_ECP, "P-256", NID_X9_62_prime256v1, 64, 32 },
	{ IKE_DH_ECP384, DH_ECP, "P-384", NID_secp384r1, 96, 48 },
	{ IKE_DH_CURVE25519, DH_X25519, "X25519", 0, 32, 32 },
};

struct ike_dh {
	const struct dh_group *g;
	EVP_PKEY	*pkey;
	uint8_t		pub[IKE_DH_PUB_MAX];
};

/* MODP domain parameters, built once (p, g, q as BIGNUMs). */
struct dh_domain {
	BIGNUM		*p, *q, *g;
};
static struct dh_domain dh_dom[4];	/* in dh_groups order */
static pthread_once_t dh_dom_once = PTHREAD_ONCE_INIT;
static int dh_dom_ok;

static void
dh_domains_init(void)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *dom = NULL;
	OSSL_PARAM params[2];
	int i;

	dh_dom[0].p = BN_get_rfc2409_prime_768(NULL);
	dh_dom[1].p = BN_get_rfc2409_prime_1024(NULL);
	dh_dom[2].p = BN_get_rfc3526_prime_2048(NULL);
	for (i = 0; i < 3; i++) {
		dh_dom[i].g = BN_new();
		if (dh_dom[i].p == NULL || dh_dom[i].g == NULL ||
		    !BN_set_word(dh_dom[i].g, 2))
			return;
	}
	/* RFC 5114 §2.3 p, q, g: OpenSSL knows them as "dh_2048_256". */
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, "dh_2048_256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &dom, EVP_PKEY_KEY_PARAMETERS, params) <= 0 ||
	    !EVP_PKEY_get_bn_param(dom, OSSL_PKEY_PARAM_FFC_P, &dh_dom[3].p) ||
	    !EVP_PKEY_get_bn_param(dom, OSSL_PKEY_PARAM_FFC_Q, &dh_dom[3].q) ||
	    !EVP_PKEY_get_bn_param(dom, OSSL_PKEY_PARAM_FFC_G, &dh_dom[3].g))
		goto fail;
	dh_dom_ok = 1;
fail:
	EVP_PKEY_free(dom);
	EVP_PKEY_CTX_free(ctx);
}

static const struct dh_domain *
dh_domain(const struct dh_group *g)
{
	if (pthread_once(&dh_dom_once, dh_domains_init) != 0 || !dh_dom_ok)
		return NULL;
	return &dh_dom[g - dh_groups];
}

/*
 * Key generation templates for ECP and X25519, built once: a keygen
 * context made from a parameter key skips the curve set-up (EC_GROUP by
 * name, Montgomery constants) and the algorithm fetch by name that
 * EVP_PKEY_Q_keygen repeats on every call. Read-only once built.
 */
static EVP_PKEY *dh_tmpl[sizeof(dh_groups) / sizeof(dh_groups[0])];
static pthread_once_t dh_tmpl_once = PTHREAD_ONCE_INIT;

static void
dh_templates_init(void)
{
	EVP_PKEY_CTX *ctx;
	OSSL_PARAM params[2];
	size_t i;

	for (i = 0; i < sizeof(dh_groups) / sizeof(dh_groups[0]); i++) {
		switch (dh_groups[i].kind) {
		case DH_ECP:
			params[0] = OSSL_PARAM_construct_utf8_string(
			    OSSL_PKEY_PARAM_GROUP_NAME,
			    (char *)(uintptr_t)dh_groups[i].name, 0);
			params[1] = OSSL_PARAM_construct_end();
			if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC",
			    NULL)) == NULL)
				break;
			if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
			    EVP_PKEY_fromdata(ctx, &dh_tmpl[i],
			    EVP_PKEY_KEY_PARAMETERS, params) <= 0)
				dh_tmpl[i] = NULL;
			EVP_PKEY_CTX_free(ctx);
			break;
		case DH_X25519:
			/* No domain parameters to hold: a key pair serves
			 * as the template, its key is never used. */
			dh_tmpl[i] = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
			break;
		case DH_MODP:
			break;
		}
	}
}

static const struct dh_group *
dh_group(int id)
{
	size_t i;

	for (i = 0; i < sizeof(dh_groups) / sizeof(dh_groups[0]); i++)
		if (dh_groups[i].id == id)
			return &dh_groups[i];
	return NULL;
}

size_t
ike_dh_pub_len(int group)
{
	const struct dh_group *g = dh_group(group);

	return g ? g->publen : 0;
}

size_t
ike_dh_secret_len(int group)
{
	const struct dh_group *g = dh_group(group);

	if (g == NULL)
		return 0;
	/* RFC 5903 §7: only x; RFC 7296 §2.14: MODP padded to |p|. */
	return g->kind == DH_ECP ? g->publen / 2 : g->publen;
}

int
ike_dh_group(const struct ike_dh *dh)
{
	return dh->g->id;
}

/* An EVP_PKEY of the group from its public value (and private, if any). */
static EVP_PKEY *
dh_pkey(const struct dh_group *g, const BIGNUM *priv, const uint8_t *pub,
    size_t publen, const BIGNUM *pubbn)
{
	const struct dh_domain *d;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	const char *type = g->kind == DH_MODP ? "DH" : "EC";

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto fail;
	if (g->name != NULL) {
		if (!OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0))
			goto fail;
	} else {
		if ((d = dh_domain(g)) == NULL ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, d->p) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, d->g))
			goto fail;
	}
	if (pubbn != NULL &&
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pubbn))
		goto fail;
	if (pub != NULL && !OSSL_PARAM_BLD_push_octet_string(bld,
	    OSSL_PKEY_PARAM_PUB_KEY, pub, publen))
		goto fail;
	if (priv != NULL &&
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv))
		goto fail;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, priv ? EVP_PKEY_KEYPAIR :
	    EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
fail:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);	/* priv is a secure BN: its copy in */
	OSSL_PARAM_BLD_free(bld);	/* params is cleared on free */
	return pk;
}

static struct ike_dh *
dh_modp_new(const struct dh_group *g, BIGNUM *x)
{
	const struct dh_domain *d = dh_domain(g);
	struct ike_dh *dh = NULL;
	BN_CTX *bnctx = NULL;
	BIGNUM *y = NULL, *pm1 = NULL;

	if (d == NULL || (bnctx = BN_CTX_new()) == NULL ||
	    (y = BN_new()) == NULL || (pm1 = BN_dup(d->p)) == NULL ||
	    !BN_sub_word(pm1, 1))
		goto fail;
	/* 1 < x < p-1, and x < q where the group has a subgroup order. */
	if (BN_cmp(x, BN_value_one()) <= 0 || BN_cmp(x, pm1) >= 0 ||
	    (d->q != NULL && BN_cmp(x, d->q) >= 0))
		goto fail;
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (!BN_mod_exp_mont_consttime(y, d->g, x, d->p, bnctx, NULL))
		goto fail;
	if ((dh = calloc(1, sizeof(*dh))) == NULL)
		goto fail;
	dh->g = g;
	if ((dh->pkey = dh_pkey(g, x, NULL, 0, y)) == NULL ||
	    BN_bn2binpad(y, dh->pub, (int)g->publen) != (int)g->publen)
		goto fail;
	BN_free(y);
	BN_free(pm1);
	BN_CTX_free(bnctx);
	return dh;
fail:
	ike_dh_free(dh);
	BN_free(y);
	BN_free(pm1);
	BN_CTX_free(bnctx);
	return NULL;
}

static struct ike_dh *
dh_ecp_new(const struct dh_group *g, const BIGNUM *k)
{
	struct ike_dh *dh = NULL;
	EC_GROUP *grp = NULL;
	EC_POINT *pt = NULL;
	BN_CTX *bnctx = NULL;
	uint8_t enc[1 + IKE_DH_PUB_MAX];

	if ((grp = EC_GROUP_new_by_curve_name(g->nid)) == NULL ||
	    (pt = EC_POINT_new(grp)) == NULL ||
	    (bnctx = BN_CTX_new()) == NULL)
		goto fail;
	if (BN_is_zero(k) || BN_cmp(k, EC_GROUP_get0_order(grp)) >= 0)
		goto fail;
	if (!EC_POINT_mul(grp, pt, k, NULL, NULL, bnctx) ||
	    EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, enc,
	    sizeof(enc), bnctx) != 1 + g->publen)
		goto fail;
	if ((dh = calloc(1, sizeof(*dh))) == NULL)
		goto fail;
	dh->g = g;
	if ((dh->pkey = dh_pkey(g, k, enc, 1 + g->publen, NULL)) == NULL)
		goto fail;
	/* RFC 5903 §7: x || y, no point format octet. */
	memcpy(dh->pub, enc + 1, g->publen);
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	BN_CTX_free(bnctx);
	return dh;
fail:
	ike_dh_free(dh);
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	BN_CTX_free(bnctx);
	return NULL;
}

static struct ike_dh *
dh_x25519_new(const struct dh_group *g, const uint8_t *priv)
{
	struct ike_dh *dh;
	size_t len = g->publen;

	if ((dh = calloc(1, sizeof(*dh))) == NULL)
		return NULL;
	dh->g = g;
	/* RFC 7748 §5: OpenSSL clamps the scalar itself. */
	if ((dh->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL,
	    priv, 32)) == NULL ||
	    !EVP_PKEY_get_raw_public_key(dh->pkey, dh->pub, &len) ||
	    len != g->publen) {
		ike_dh_free(dh);
		return NULL;
	}
	return dh;
}

struct ike_dh *
ike_dh_new_from_private(int group, const uint8_t *priv, size_t len)
{
	const struct dh_group *g = dh_group(group);
	struct ike_dh *dh = NULL;
	BIGNUM *x = NULL;

	if (g == NULL)
		return NULL;
	if (g->kind == DH_X25519)
		return len == 32 ? dh_x25519_new(g, priv) : NULL;
	if ((x = BN_secure_new()) == NULL ||
	    BN_bin2bn(priv, (int)len, x) == NULL)
		goto fail;
	dh = g->kind == DH_MODP ? dh_modp_new(g, x) : dh_ecp_new(g, x);
fail:
	BN_clear_free(x);
	return dh;
}

/* ECP and X25519 with OpenSSL's own generator: its keygen is the fast path. */
static struct ike_dh *
dh_ec_keygen(const struct dh_group *g)
{
	EVP_PKEY *tmpl;
	EVP_PKEY_CTX *ctx = NULL;
	struct ike_dh *dh;
	uint8_t enc[1 + IKE_DH_PUB_MAX];
	size_t len;

	if (pthread_once(&dh_tmpl_once, dh_templates_init) != 0 ||
	    (tmpl = dh_tmpl[g - dh_groups]) == NULL)
		return NULL;
	if ((dh = calloc(1, sizeof(*dh))) == NULL)
		return NULL;
	dh->g = g;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, tmpl, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_keygen(ctx, &dh->pkey) <= 0)
		goto fail;
	if (g->kind == DH_X25519) {
		len = g->publen;
		if (!EVP_PKEY_get_raw_public_key(dh->pkey, dh->pub, &len) ||
		    len != g->publen)
			goto fail;
	} else {
		if (!EVP_PKEY_get_octet_string_param(dh->pkey,
		    OSSL_PKEY_PARAM_PUB_KEY, enc, sizeof(enc), &len) ||
		    len != 1 + g->publen ||
		    enc[0] != POINT_CONVERSION_UNCOMPRESSED)
			goto fail;
		memcpy(dh->pub, enc + 1, g->publen);	/* RFC 5903 §7 */
	}
	EVP_PKEY_CTX_free(ctx);
	return dh;
fail:
	EVP_PKEY_CTX_free(ctx);
	ike_dh_free(dh);
	return NULL;
}

struct ike_dh *
ike_dh_new(int group, ike_rnd_fn rnd, void *rndarg)
{
	const struct dh_group *g = dh_group(group);
	const struct dh_domain *d;
	struct ike_dh *dh = NULL;
	uint8_t r[48];
	BIGNUM *x = NULL, *qm1 = NULL;
	BN_CTX *bnctx = NULL;
	int tries;

	if (g == NULL)
		return NULL;
	if (rnd == NULL && g->kind != DH_MODP)
		return dh_ec_keygen(g);
	for (tries = 0; tries < 16 && dh == NULL; tries++) {
		if (rnd ? rnd(rndarg, r, g->privlen) != 0 :
		    RAND_priv_bytes(r, (int)g->privlen) != 1)
			goto fail;
		if (g->id != IKE_DH_MODP2048S256) {
			/* Out-of-range draws (0, 1, >= n) are rejected and
			 * drawn again: no bias for ECP scalars. */
			dh = ike_dh_new_from_private(group, r, g->privlen);
			continue;
		}
		/* Group 24: x = (r mod (q-1)) + 1 (RFC 5114 §2.3's q). */
		if ((d = dh_domain(g)) == NULL)
			goto fail;
		if ((bnctx = BN_CTX_secure_new()) == NULL ||
		    (x = BN_secure_new()) == NULL ||
		    (qm1 = BN_dup(d->q)) == NULL || !BN_sub_word(qm1, 1) ||
		    BN_bin2bn(r, (int)g->privlen, x) == NULL ||
		    !BN_nnmod(x, x, qm1, bnctx) || !BN_add_word(x, 1))
			goto fail;
		dh = dh_modp_new(g, x);
		break;
	}
fail:
	OPENSSL_cleanse(r, sizeof(r));
	BN_clear_free(x);
	BN_free(qm1);
	BN_CTX_free(bnctx);
	return dh;
}

int
ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t *len)
{
	if (*len < dh->g->publen)
		return -1;
	memcpy(out, dh->pub, dh->g->publen);
	*len = dh->g->publen;
	return 0;
}

static EVP_PKEY *
dh_peer(const struct ike_dh *dh, const uint8_t *peer, size_t len)
{
	const struct dh_group *g = dh->g;
	EVP_PKEY *pk = NULL;
	BIGNUM *y = NULL;
	uint8_t enc[1 + IKE_DH_PUB_MAX];

	switch (g->kind) {
	case DH_X25519:
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL,
		    peer, len);
	case DH_ECP:
		/* Decoding checks the point is on the curve. Copying our
		 * key's parameters is cheaper than a group by name. */
		enc[0] = POINT_CONVERSION_UNCOMPRESSED;
		memcpy(enc + 1, peer, len);
		if ((pk = EVP_PKEY_new()) == NULL ||
		    !EVP_PKEY_copy_parameters(pk, dh->pkey) ||
		    !EVP_PKEY_set1_encoded_public_key(pk, enc, 1 + len)) {
			EVP_PKEY_free(pk);
			return NULL;
		}
		return pk;
	case DH_MODP:
		if ((y = BN_bin2bn(peer, (int)len, NULL)) == NULL)
			return NULL;
		pk = dh_pkey(g, NULL, NULL, 0, y);
		BN_free(y);
		return pk;
	}
	return NULL;
}

int
ike_dh_derive(struct ike_dh *dh, const uint8_t *peer, size_t len,
    uint8_t *secret, size_t *slen)
{
	const struct dh_group *g = dh->g;
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *pctx = NULL, *ctx = NULL;
	OSSL_PARAM params[2];
	size_t want = ike_dh_secret_len(g->id), got, i;
	unsigned int pad = 1;
	uint8_t acc = 0;
	int rc = -1;

	/* RFC 7296 §3.4: the KE data length is fixed by the group. */
	if (len != g->publen || *slen < want)
		return -1;
	if ((pk = dh_peer(dh, peer, len)) == NULL ||
	    (pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL)) == NULL)
		goto fail;
	if (g->kind != DH_X25519) {
		/*
		 * MODP: 1 < y < p-1 (RFC 7296 §2.12 / RFC 6989 §2.1); group
		 * 24 has small subgroups, so also y^q = 1 mod p (RFC 6989
		 * §2.2). ECP: on the curve, not at infinity (RFC 6989 §2.3;
		 * the cofactor is 1, so no order check is needed).
		 */
		if ((g->id == IKE_DH_MODP2048S256 ?
		    EVP_PKEY_public_check(pctx) :
		    EVP_PKEY_public_check_quick(pctx)) != 1)
			goto fail;
	}
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->pkey, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) <= 0 ||
	    EVP_PKEY_derive_set_peer_ex(ctx, pk, 0) <= 0)
		goto fail;
	if (g->kind == DH_MODP) {
		/* RFC 7296 §2.14: g^ir with leading zeros, |p| bytes. */
		params[0] = OSSL_PARAM_construct_uint(OSSL_EXCHANGE_PARAM_PAD,
		    &pad);
		params[1] = OSSL_PARAM_construct_end();
		if (!EVP_PKEY_CTX_set_params(ctx, params))
			goto fail;
	}
	got = *slen;
	if (EVP_PKEY_derive(ctx, secret, &got) <= 0 || got != want)
		goto fail;
	/* RFC 8031 §2.3 (and a cheap guard for all): no all-zero secret. */
	for (i = 0; i < got; i++)
		acc |= secret[i];
	if (acc == 0)
		goto fail;
	*slen = got;
	rc = 0;
fail:
	if (rc == -1)
		OPENSSL_cleanse(secret, *slen);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_CTX_free(pctx);
	EVP_PKEY_free(pk);
	return rc;
}

void
ike_dh_free(struct ike_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->pkey);	/* clears the private key */
	OPENSSL_cleanse(dh, sizeof(*dh));
	free(dh);
}
