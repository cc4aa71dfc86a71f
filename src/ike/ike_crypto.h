/*
 * ike_crypto.h - IKEv2 cryptography, a leaf module with no state: transform
 * descriptors, Diffie-Hellman (ike_dh.c), PRF / prf+ / key derivation and
 * PSK AUTH (ike_kdf.c), SK payload protection (ike_crypto.c). Everything
 * goes through OpenSSL 3 libcrypto. The engine (ike_msg.c, ike_task_*.c)
 * calls in here; nothing in here knows about SAs, messages IDs or peers.
 *
 * Conventions: functions return 0 / -1 unless said otherwise; lengths in
 * bytes; transform and group ids are IANA values (RFC 7296 §3.3.2, IKEv2
 * registry). Every struct that holds keys has a wipe function; callers
 * wipe their own copies.
 */
#ifndef IKE_CRYPTO_H
#define IKE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IANA transform ids this module implements. */
#define IKE_ENCR_NULL			11	/* ESP only */
#define IKE_ENCR_AES_CBC		12
#define IKE_ENCR_AES_GCM_16		20
#define IKE_PRF_HMAC_SHA2_256		5
#define IKE_PRF_HMAC_SHA2_384		6
#define IKE_AUTH_NONE			0
#define IKE_AUTH_HMAC_SHA2_256_128	12
#define IKE_AUTH_HMAC_SHA2_384_192	13
#define IKE_DH_MODP768			1	/* RFC 2409 §6.1 */
#define IKE_DH_MODP1024			2	/* RFC 2409 §6.2 */
#define IKE_DH_MODP2048			14	/* RFC 3526 §3 */
#define IKE_DH_ECP256			19	/* RFC 5903 */
#define IKE_DH_ECP384			20	/* RFC 5903 */
#define IKE_DH_MODP2048S256		24	/* RFC 5114 §2.3 */
#define IKE_DH_CURVE25519		31	/* RFC 8031 */

/* Upper bounds, for fixed buffers. */
#define IKE_PRF_MAX		48	/* PRF output = preferred key (SHA-384) */
#define IKE_INTEG_KEY_MAX	48
#define IKE_ICV_MAX		24
#define IKE_ENCR_KEYMAT_MAX	36	/* AES-256 + 4-byte GCM salt */
#define IKE_DH_PUB_MAX		256	/* MODP-2048 */
#define IKE_DH_SECRET_MAX	256
#define IKE_CRYPTO_KEY_MAX	64	/* = IKE_KEY_MAX of ike.h */

/* Random source: fill buf, return 0, or -1 on failure. NULL = OpenSSL. */
typedef int (*ike_rnd_fn)(void *arg, uint8_t *buf, size_t len);

/* One negotiated IKE (or, with prf = dh = 0, ESP) transform set. */
struct ike_suite {
	uint16_t	encr;		/* IKE_ENCR_* */
	uint16_t	encr_bits;	/* Key Length attribute: 128, 192, 256 */
	uint16_t	prf;		/* IKE_PRF_* (0 for ESP) */
	uint16_t	integ;		/* IKE_AUTH_*, 0 with AEAD */
	uint16_t	dh;		/* IKE_DH_*, 0 = none (CHILD_SA without PFS) */
};

/*
 * Descriptors. Each returns 0 for an id (or id + key size) it does not
 * implement, so "!= 0" doubles as "supported".
 */
/* Encryption keymat taken from prf+: AES key, plus the 4-byte salt for
 * GCM (RFC 5282 §7, RFC 4106 §8.1). ENCR_NULL: 0 (check ike_encr_ok). */
size_t	ike_encr_keymat_len(int encr, int bits);
bool	ike_encr_ok(int encr, int bits);	/* NULL accepted with bits 0 */
bool	ike_encr_is_aead(int encr);
size_t	ike_encr_iv_len(int encr);	/* on the wire: CBC 16, GCM 8 */
size_t	ike_encr_block_len(int encr);	/* padding unit: CBC 16, GCM 1 */
size_t	ike_encr_icv_len(int encr);	/* AEAD tag: GCM-16 16, else 0 */
size_t	ike_prf_len(int prf);		/* output = preferred key length */
size_t	ike_integ_key_len(int integ);
size_t	ike_integ_icv_len(int integ);	/* truncated: 16 / 24 */
/* ICV bytes at the end of an SK payload for this suite (AEAD tag or HMAC). */
size_t	ike_suite_icv_len(const struct ike_suite *);
/* strongSwan-style name, e.g. "aes256gcm16-prfsha384-modp2048s256";
 * parts with id 0 are left out. Returns 0, or -1 if it does not fit. */
int	ike_suite_name(const struct ike_suite *, char *buf, size_t len);

/*
 * Diffie-Hellman / key exchange (ike_dh.c). Public values on the wire
 * (KE payload data, RFC 7296 §3.4): MODP: y left-padded to the prime
 * length; ECP: x || y without the 0x04 prefix (RFC 5903 §7); Curve25519:
 * the 32-byte u coordinate (RFC 8031 §2). The shared secret g^ir is the
 * prime-length value for MODP, the x coordinate for ECP (RFC 5903 §7),
 * the 32-byte X25519 output.
 * MODP 14 and 24 use 256-bit private exponents (for 24: uniform in
 * [1, q-1], q the 256-bit subgroup order), groups 1 and 2: 160-bit.
 */
struct ike_dh;

size_t	ike_dh_pub_len(int group);	/* 0 = unsupported group */
size_t	ike_dh_secret_len(int group);
/* A fresh key pair; rnd NULL = OpenSSL's generator (and, for ECP and
 * X25519, OpenSSL's key generation). With rnd the pair is a function of
 * the bytes drawn (deterministic tests). */
struct ike_dh *ike_dh_new(int group, ike_rnd_fn rnd, void *rndarg);
/* Tests / KATs: the key pair from a known private value (MODP: big-endian
 * exponent; ECP: big-endian scalar; X25519: the 32-byte scalar as in
 * RFC 7748). */
struct ike_dh *ike_dh_new_from_private(int group, const uint8_t *priv,
	    size_t len);
int	ike_dh_group(const struct ike_dh *);
/* *len: capacity in, bytes written out (= ike_dh_pub_len). */
int	ike_dh_public(const struct ike_dh *, uint8_t *out, size_t *len);
/* Validates peer (length; MODP 1 < y < p-1, group 24 also y^q = 1 (RFC
 * 6989 §2.2); ECP on the curve; X25519 non-zero result, RFC 8031 §2.3).
 * -1 on a bad peer value: the caller answers INVALID_SYNTAX / drops. */
int	ike_dh_derive(struct ike_dh *, const uint8_t *peer, size_t len,
	    uint8_t *secret, size_t *slen);
void	ike_dh_free(struct ike_dh *);	/* wipes; NULL ok */

/*
 * PRF and key derivation (ike_kdf.c).
 */
struct ike_chunk {
	const uint8_t	*p;
	size_t		len;
};

/* out gets ike_prf_len(prf) bytes. */
int	ike_prf(int prf, const uint8_t *key, size_t klen,
	    const struct ike_chunk *data, size_t n, uint8_t *out);
/* prf+ (RFC 7296 §2.13): olen <= 255 * ike_prf_len(prf). */
int	ike_prf_plus(int prf, const uint8_t *key, size_t klen,
	    const struct ike_chunk *seed, size_t n, uint8_t *out, size_t olen);
/* A PRF keyed once for many inputs (prf+ blocks, an SA's ICVs): run
 * gives prf(key, data) each time, ike_prf_len(prf) bytes. */
struct ike_prf_ctx;
struct ike_prf_ctx *ike_prf_ctx_new(int prf, const uint8_t *key,
	    size_t klen);
int	ike_prf_ctx_run(struct ike_prf_ctx *, const struct ike_chunk *data,
	    size_t n, uint8_t *out);
void	ike_prf_ctx_free(struct ike_prf_ctx *);	/* wipes; NULL ok */

/* The seven keys of an IKE SA (§2.14). With AEAD sk_ai/sk_ar are unused
 * (integ_len 0) and sk_ei/sk_er end in the 4-byte salt (RFC 5282 §7). */
struct ike_sa_keys {
	struct ike_suite suite;
	size_t		prf_len;	/* sk_d, sk_pi, sk_pr */
	size_t		integ_len;	/* sk_ai, sk_ar */
	size_t		encr_len;	/* sk_ei, sk_er */
	uint8_t		sk_d[IKE_PRF_MAX];
	uint8_t		sk_ai[IKE_INTEG_KEY_MAX], sk_ar[IKE_INTEG_KEY_MAX];
	uint8_t		sk_ei[IKE_ENCR_KEYMAT_MAX], sk_er[IKE_ENCR_KEYMAT_MAX];
	uint8_t		sk_pi[IKE_PRF_MAX], sk_pr[IKE_PRF_MAX];
};
void	ike_sa_keys_wipe(struct ike_sa_keys *);

/* SKEYSEED = prf(Ni | Nr, g^ir) (§2.14). out: ike_prf_len(prf) bytes. */
int	ike_kdf_skeyseed(int prf, const uint8_t *ni, size_t nilen,
	    const uint8_t *nr, size_t nrlen, const uint8_t *gir, size_t girlen,
	    uint8_t *out);
/* Rekeyed IKE SA: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
 * (§2.18), with the OLD SA's prf; out: ike_prf_len(old_prf) bytes. */
int	ike_kdf_skeyseed_rekey(int old_prf, const uint8_t *sk_d_old,
	    size_t sk_d_len, const uint8_t *gir, size_t girlen,
	    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
	    uint8_t *out);
/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} =
 * prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) (§2.14) with suite->prf.
 * SPIs as on the wire (8 bytes each). */
int	ike_kdf_sa_keys(const struct ike_suite *, const uint8_t *skeyseed,
	    size_t sklen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
	    size_t nrlen, const uint8_t spi_i[8], const uint8_t spi_r[8],
	    struct ike_sa_keys *out);
/* IKE_SA_INIT in one call: SKEYSEED (wiped) then the seven keys. */
int	ike_kdf_ike_sa_init(const struct ike_suite *, const uint8_t *gir,
	    size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
	    size_t nrlen, const uint8_t spi_i[8], const uint8_t spi_r[8],
	    struct ike_sa_keys *out);

/* CHILD_SA keys, by direction (§2.17). encr_* = key || salt for GCM. */
struct ike_child_keys {
	size_t		encr_len;	/* ike_encr_keymat_len(encr, bits) */
	size_t		integ_len;	/* ike_integ_key_len(integ) */
	uint8_t		encr_i[IKE_CRYPTO_KEY_MAX], integ_i[IKE_CRYPTO_KEY_MAX];
	uint8_t		encr_r[IKE_CRYPTO_KEY_MAX], integ_r[IKE_CRYPTO_KEY_MAX];
};
void	ike_child_keys_wipe(struct ike_child_keys *);
/* KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), split as encr_i | integ_i |
 * encr_r | integ_r (§2.17). gir NULL / 0 without PFS. esp->prf / dh unused;
 * prf is the IKE SA's. "i" is initiator -> responder. */
int	ike_kdf_child_keys(int prf, const uint8_t *sk_d, size_t sk_d_len,
	    const struct ike_suite *esp, const uint8_t *gir, size_t girlen,
	    const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
	    struct ike_child_keys *out);

/*
 * PSK authentication (§2.15):
 *   AUTH = prf(prf(PSK, "Key Pad for IKEv2"), <SignedOctets>)
 *   SignedOctets = RealMessage | Nonce of the peer | prf(SK_p, ID')
 * Initiator: msg = its IKE_SA_INIT request, nonce = Nr, sk_p = SK_pi,
 * id = IDi'. Responder: its IKE_SA_INIT response, Ni, SK_pr, IDr'.
 * ID' is the ID payload body without the generic header: ID Type,
 * 3 reserved bytes, identification data. out: ike_prf_len(prf) bytes.
 */
int	ike_auth_psk(int prf, const uint8_t *psk, size_t psklen,
	    const uint8_t *msg, size_t msglen, const uint8_t *nonce,
	    size_t noncelen, const uint8_t *sk_p, size_t sk_plen,
	    const uint8_t *id, size_t idlen, uint8_t *out);
/* Computes the expected AUTH and compares in constant time: 0 = match. */
int	ike_auth_psk_verify(int prf, const uint8_t *psk, size_t psklen,
	    const uint8_t *msg, size_t msglen, const uint8_t *nonce,
	    size_t noncelen, const uint8_t *sk_p, size_t sk_plen,
	    const uint8_t *id, size_t idlen, const uint8_t *auth,
	    size_t authlen);
/*
 * The same with prf(PSK, "Key Pad for IKEv2") computed and keyed once: an
 * IKE SA keeps one (ike_prf_ctx_free wipes it) for the AUTH payloads of
 * both directions. The ctx carries the PRF; NULL on failure.
 */
struct ike_prf_ctx *ike_auth_psk_ctx_new(int prf, const uint8_t *psk,
	    size_t psklen);
int	ike_auth_psk_ctx(struct ike_prf_ctx *, const uint8_t *msg,
	    size_t msglen, const uint8_t *nonce, size_t noncelen,
	    const uint8_t *sk_p, size_t sk_plen, const uint8_t *id,
	    size_t idlen, uint8_t *out);
int	ike_auth_psk_ctx_verify(struct ike_prf_ctx *, const uint8_t *msg,
	    size_t msglen, const uint8_t *nonce, size_t noncelen,
	    const uint8_t *sk_p, size_t sk_plen, const uint8_t *id,
	    size_t idlen, const uint8_t *auth, size_t authlen);
/* Constant-time equality (CRYPTO_memcmp); different lengths = false. */
bool	ike_crypto_equal(const uint8_t *a, size_t alen, const uint8_t *b,
	    size_t blen);

/*
 * SK payload protection (§3.14, RFC 5282). One struct ike_sk per IKE SA
 * holds the cipher contexts of both directions; the initiator sends with
 * SK_ei/SK_ai and receives with SK_er/SK_ar, the responder the reverse.
 *
 * Message layout, msg[0 .. mlen) being the whole IKE message:
 *
 *   [IKE header][payloads not encrypted][SK hdr (4) | SKF hdr (8)]
 *   ^0                                                              ^enc_off
 *   [IV][inner payloads][padding][pad length][ICV]
 *                                                 ^mlen
 *
 * enc_off is the offset of the IV, i.e. just past the SK (or SKF, RFC
 * 7383) header. The header fields (IKE Length = mlen, SK Payload Length =
 * mlen - enc_off + 4 or + 8) must hold their final values before seal /
 * open, because they are authenticated:
 *  - AES-CBC + HMAC: ICV = HMAC(SK_a, msg[0 .. mlen - icv)) truncated;
 *    covers header, SK header, IV, ciphertext (§3.14).
 *  - AES-GCM: AAD = msg[0 .. enc_off) (RFC 5282 §5.1), nonce = salt || IV,
 *    plaintext = inner payloads | padding | pad length, tag = ICV.
 */
struct ike_sk;

/* Exactly one ike_sk per key set: the GCM IV counter lives in it, so two
 * contexts over the same SK_e would repeat IVs. */
struct ike_sk *ike_sk_new(const struct ike_sa_keys *, bool initiator,
	    ike_rnd_fn rnd, void *rndarg);
void	ike_sk_free(struct ike_sk *);	/* wipes; NULL ok */
size_t	ike_sk_iv_len(const struct ike_sk *);
/* Bytes from enc_off to the end for plen bytes of inner payloads:
 * IV + padded(plen + 1) + ICV. The caller sets mlen = enc_off + this. */
size_t	ike_sk_len(const struct ike_sk *, size_t plen);
/*
 * The caller has written everything before enc_off and the inner payloads
 * at msg + enc_off + ike_sk_iv_len(); seal writes IV (random for CBC, a
 * per-SA counter for GCM, RFC 5282 §3.1), padding and pad length,
 * encrypts in place and writes the ICV. mlen must equal
 * enc_off + ike_sk_len(sk, plen).
 */
int	ike_sk_seal(struct ike_sk *, uint8_t *msg, size_t mlen,
	    size_t enc_off, size_t plen);
/*
 * Verifies the ICV over the message as received (before anything is
 * decrypted), then decrypts in place. On success *plain points into msg
 * at the inner payloads and *plen excludes padding and pad length.
 * -1 for any failure (bad ICV, bad padding, short), without detail: the
 * caller counts it as an integrity failure and drops the message (§2.21.1).
 */
int	ike_sk_open(struct ike_sk *, uint8_t *msg, size_t mlen,
	    size_t enc_off, uint8_t **plain, size_t *plen);

#endif
